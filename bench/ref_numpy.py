"""Plain NumPy reference trainer: the same maths as the engine, written as a careful NumPy user
would (buffers allocated once, ``out=`` everywhere it is easy, one flat parameter vector so the
optimizer update is a handful of whole-array operations).
"""
from __future__ import annotations

import numpy as np

from .workloads import Workload, bn_names, dense_names


class NumpyRunner:
    name = "NumPy"

    def __init__(self, wl: Workload, X: np.ndarray, Y: np.ndarray, order: np.ndarray,
                 weights: dict, seed: int = 0):
        self.wl, self.X, self.order = wl, X, order
        self.labels = np.ascontiguousarray(Y[:, 0].astype(np.int64))
        self.Yf = np.ascontiguousarray(Y, np.float32)
        self.n_cycle = len(order) // wl.batch
        self.pos = 0
        n, f = wl.batch, np.float32
        sizes, L = wl.sizes, len(wl.sizes) - 1
        # Trainable parameters in one flat vector: per layer W, b, (gamma, beta).
        shapes = []
        for i in range(L):
            shapes += [(sizes[i], sizes[i + 1]), (sizes[i + 1],)]
            if wl.batchnorm and i < L - 1:
                shapes += [(sizes[i + 1],), (sizes[i + 1],)]
        total = sum(int(np.prod(s)) for s in shapes)
        self.p, self.g = np.zeros(total, f), np.zeros(total, f)
        self.m, self.v, self.tmp = np.zeros(total, f), np.zeros(total, f), np.zeros(total, f)
        pv, gv, off = [], [], 0
        for s in shapes:
            k = int(np.prod(s))
            pv.append(self.p[off:off + k].reshape(s))
            gv.append(self.g[off:off + k].reshape(s))
            off += k
        self.W, self.b, self.dW, self.db = [], [], [], []
        self.gamma, self.beta, self.dgamma, self.dbeta, self.mmean, self.mvar = [], [], [], [], [], []
        k = 0
        for i in range(L):
            self.W.append(pv[k]), self.b.append(pv[k + 1]), self.dW.append(gv[k]), self.db.append(gv[k + 1])
            k += 2
            if wl.batchnorm and i < L - 1:
                self.gamma.append(pv[k]), self.beta.append(pv[k + 1])
                self.dgamma.append(gv[k]), self.dbeta.append(gv[k + 1])
                self.mmean.append(np.zeros(sizes[i + 1], f)), self.mvar.append(np.ones(sizes[i + 1], f))
                k += 2
        self.set_weights(weights)
        # Activation buffers.
        self.xb = np.zeros((n, sizes[0]), f)
        self.lab = np.zeros(n, np.int64)
        self.yb = np.zeros((n, 1), f)
        self.z = [np.zeros((n, s), f) for s in sizes[1:]]              # dense outputs
        self.u = [np.zeros((n, s), f) for s in sizes[1:-1]]            # after BN (else alias of z)
        self.xhat = [np.zeros((n, s), f) for s in sizes[1:-1]]
        self.invstd = [np.zeros(s, f) for s in sizes[1:-1]]
        self.a = [np.zeros((n, s), f) for s in sizes[1:-1]]            # after act (and dropout)
        self.r = [np.zeros((n, s), f) for s in sizes[1:-1]]            # act output before dropout
        self.mask = [np.zeros((n, s), f) for s in sizes[1:-1]]
        self.bmask = [np.zeros((n, s), bool) for s in sizes[1:-1]]
        self.d = [np.zeros((n, s), f) for s in sizes[1:]]              # gradients w.r.t. z / a
        self.t1 = [np.zeros((n, s), f) for s in sizes[1:]]
        self.rowv = [np.zeros(s, f) for s in sizes[1:]]
        self.ar = np.arange(n)
        self.rng = np.random.default_rng(seed)
        self.t = 0
        self.losses = np.zeros(self.n_cycle, np.float64)

    # ---------------------------------------------------------------------------- weights io
    def set_weights(self, w: dict) -> None:
        for i, name in enumerate(dense_names(self.wl)):
            self.W[i][...] = w[f"{name}/kernel"]
            self.b[i][...] = w[f"{name}/bias"]
        for i, name in enumerate(bn_names(self.wl)):
            self.gamma[i][...] = w[f"{name}/gamma"]
            self.beta[i][...] = w[f"{name}/beta"]
            self.mmean[i][...] = w[f"{name}/moving_mean"]
            self.mvar[i][...] = w[f"{name}/moving_variance"]

    def get_weights(self) -> dict[str, np.ndarray]:
        out = {}
        for i, name in enumerate(dense_names(self.wl)):
            out[f"{name}/kernel"], out[f"{name}/bias"] = self.W[i].copy(), self.b[i].copy()
        for i, name in enumerate(bn_names(self.wl)):
            out[f"{name}/gamma"], out[f"{name}/beta"] = self.gamma[i].copy(), self.beta[i].copy()
            out[f"{name}/moving_mean"], out[f"{name}/moving_variance"] = self.mmean[i].copy(), self.mvar[i].copy()
        return out

    def get_grads(self) -> dict[str, np.ndarray]:
        out = {}
        for i, name in enumerate(dense_names(self.wl)):
            out[f"{name}/kernel"], out[f"{name}/bias"] = self.dW[i].copy(), self.db[i].copy()
        for i, name in enumerate(bn_names(self.wl)):
            out[f"{name}/gamma"], out[f"{name}/beta"] = self.dgamma[i].copy(), self.dbeta[i].copy()
        return out

    # ---------------------------------------------------------------------------- one step
    def step(self, idx: np.ndarray) -> float:
        wl, n, L = self.wl, self.wl.batch, len(self.W)
        np.take(self.X, idx, axis=0, out=self.xb)
        h = self.xb
        for i in range(L):
            z = self.z[i]
            np.dot(h, self.W[i], out=z)
            z += self.b[i]
            if i == L - 1:
                break
            u = z
            if wl.batchnorm:
                u, xh, inv, mom = self.u[i], self.xhat[i], self.invstd[i], wl.bn_momentum
                mean = z.mean(axis=0)
                var = z.var(axis=0)
                np.sqrt(var + wl.bn_epsilon, out=inv)
                np.divide(1.0, inv, out=inv)
                np.subtract(z, mean, out=xh)
                xh *= inv
                np.multiply(xh, self.gamma[i], out=u)
                u += self.beta[i]
                self.mmean[i] *= mom
                self.mmean[i] += (1.0 - mom) * mean
                self.mvar[i] *= mom
                self.mvar[i] += (1.0 - mom) * var
            r = self.r[i] if wl.dropout > 0 else self.a[i]
            if wl.act == "relu":
                np.maximum(u, 0, out=r)
            else:
                np.tanh(u, out=r)
            if wl.dropout > 0:
                self.rng.random(out=self.mask[i], dtype=np.float32)
                np.greater_equal(self.mask[i], wl.dropout, out=self.bmask[i])
                np.multiply(self.bmask[i], np.float32(1.0 / (1.0 - wl.dropout)), out=self.mask[i])
                np.multiply(r, self.mask[i], out=self.a[i])
            h = self.a[i]
        # Loss and ∂L/∂logits.
        zL, g = self.z[-1], self.d[-1]
        if wl.loss == "sparse_ce":
            np.take(self.labels, idx, out=self.lab)
            mx = zL.max(axis=1, keepdims=True)
            np.subtract(zL, mx, out=g)
            np.exp(g, out=g)
            s = g.sum(axis=1, keepdims=True)
            g /= s
            loss = float(np.mean(np.log(s[:, 0]) + mx[:, 0] - zL[self.ar, self.lab]))
            g[self.ar, self.lab] -= 1.0
            g *= np.float32(1.0 / n)
        else:
            np.take(self.Yf, idx, axis=0, out=self.yb)
            loss = float(np.mean(np.maximum(zL, 0) - zL * self.yb + np.log1p(np.exp(-np.abs(zL)))))
            np.negative(zL, out=g)
            np.exp(g, out=g)
            g += 1.0
            np.divide(1.0, g, out=g)
            g -= self.yb
            g *= np.float32(1.0 / (n * zL.shape[1]))
        # Backward.
        for i in range(L - 1, -1, -1):
            g = self.d[i]
            hin = self.xb if i == 0 else self.a[i - 1]
            np.dot(hin.T, g, out=self.dW[i])
            np.sum(g, axis=0, out=self.db[i])
            if i == 0:
                break
            j = i - 1                       # hidden layer whose output fed layer i
            da = self.d[j]
            np.dot(g, self.W[i].T, out=da)
            if wl.dropout > 0:
                da *= self.mask[j]
                r = self.r[j]
            else:
                r = self.a[j]
            if wl.act == "relu":
                np.greater(r, 0, out=self.bmask[j])
                da *= self.bmask[j]
            else:
                t = self.t1[j]
                np.multiply(r, r, out=t)
                np.subtract(1.0, t, out=t)
                da *= t
            if wl.batchnorm:
                xh, t = self.xhat[j], self.t1[j]
                np.sum(da, axis=0, out=self.dbeta[j])
                np.multiply(da, xh, out=t)
                np.sum(t, axis=0, out=self.dgamma[j])
                # dz = γ·inv/n · (n·da − Σda − x̂·Σ(da·x̂))
                np.multiply(xh, self.dgamma[j], out=t)
                da *= np.float32(n)
                da -= self.dbeta[j]
                da -= t
                np.multiply(self.gamma[j], self.invstd[j], out=self.rowv[j])
                self.rowv[j] *= np.float32(1.0 / n)
                da *= self.rowv[j]
        self._update()
        return loss

    def _update(self) -> None:
        wl, p, g, tmp = self.wl, self.p, self.g, self.tmp
        self.t += 1
        if wl.optimizer == "sgd":
            np.multiply(g, np.float32(wl.lr), out=tmp)
            p -= tmp
            return
        b1, b2, eps = 0.9, 0.999, 1e-8
        bc1 = 1.0 - b1 ** self.t
        bc2_sqrt = np.sqrt(1.0 - b2 ** self.t)
        m, v = self.m, self.v
        m *= np.float32(b1)
        np.multiply(g, np.float32(1 - b1), out=tmp)
        m += tmp
        v *= np.float32(b2)
        np.multiply(g, g, out=tmp)
        tmp *= np.float32(1 - b2)
        v += tmp
        np.sqrt(v, out=tmp)
        tmp *= np.float32(1.0 / bc2_sqrt)
        tmp += np.float32(eps)
        np.divide(m, tmp, out=tmp)
        tmp *= np.float32(wl.lr / bc1)
        p -= tmp

    def run(self, n_steps: int) -> None:
        bs = self.wl.batch
        for _ in range(n_steps):
            k = self.pos
            self.losses[k] = self.step(self.order[k * bs:(k + 1) * bs])
            self.pos = (k + 1) % self.n_cycle

    def step_losses(self, n: int) -> np.ndarray:
        return self.losses[:n].copy()
