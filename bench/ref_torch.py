"""PyTorch CPU reference: ``torch.nn.Sequential`` + ``torch.optim``, the way a user writes it.

Optional (the ``bench`` extra). Weights come in NetDesigner's layout (kernel ``[in, out]``) and are
copied transposed into ``nn.Linear.weight`` ``[out, in]``. BatchNorm gets PyTorch momentum
``1 − m`` and the same epsilon (its running variance is unbiased, NetDesigner's biased: the
running statistics are not used in training steps, so the parity check compares them loosely).
"""
from __future__ import annotations

import numpy as np

from .workloads import Workload, bn_names, dense_names

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - optional extra
    torch = None


def available() -> bool:
    return torch is not None


def build_model(wl: Workload):
    layers, L = [], len(wl.sizes) - 1
    for i in range(L):
        layers.append(nn.Linear(wl.sizes[i], wl.sizes[i + 1]))
        if i == L - 1:
            break
        if wl.batchnorm:
            layers.append(nn.BatchNorm1d(wl.sizes[i + 1], eps=wl.bn_epsilon, momentum=1.0 - wl.bn_momentum))
        layers.append(nn.ReLU() if wl.act == "relu" else nn.Tanh())
        if wl.dropout > 0:
            layers.append(nn.Dropout(wl.dropout))
    return nn.Sequential(*layers)


def build_shaped_model(wl: Workload):
    """The issue-13 image/sequence networks as a PyTorch user writes them. Rows arrive flat (the
    arena's layout); the CNN's single-channel NHWC rows are NCHW rows of the same memory, so a
    view gives the (N, 1, 8, 8) batch nn.Conv2d wants; the sequences go to batch_first RNNs."""
    if wl.kind == "cnn":
        h, w, c = wl.sample_shape
        if c != 1:
            raise ValueError("the PyTorch CNN reference reads single-channel images")
        return nn.Sequential(nn.Unflatten(1, (c, h, w)),
                             nn.Conv2d(c, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(32 * (h // 4) * (w // 4), wl.n_out))
    return SequenceNet(wl)


class SequenceNet(nn.Module if torch is not None else object):
    """(N, T·F) rows → (N, T, F) → nn.LSTM / nn.GRU / nn.RNN (batch_first) → last step → Linear."""

    def __init__(self, wl: Workload):
        super().__init__()
        self.T, self.F = wl.sample_shape
        cls = {"lstm": nn.LSTM, "gru": nn.GRU, "simple_rnn": nn.RNN}[wl.kind]
        self.rnn = cls(self.F, wl.sizes[1], batch_first=True)
        self.head = nn.Linear(wl.sizes[1], wl.n_out)

    def forward(self, x):
        out, _ = self.rnn(x.view(x.shape[0], self.T, self.F))
        return self.head(out[:, -1])



def shaped_weights_to_torch(wl: Workload, w: dict) -> dict[str, np.ndarray]:
    """NetDesigner's (Keras-layout) weights of a CNN/RNN workload as the torch model's state_dict."""
    from core.kernels import recurrent as R
    head = w["head/kernel"]
    if wl.kind == "cnn":
        h, w_, _ = wl.sample_shape
        pos = (h // 4) * (w_ // 4)
        # ND flattens (h, w, c) rows, torch flattens (c, h, w): reorder the head's input rows.
        head_t = head.reshape(pos, 32, -1).transpose(1, 0, 2).reshape(pos * 32, -1)
        out = {"1.weight": w["conv1/kernel"].transpose(3, 2, 0, 1), "1.bias": w["conv1/bias"],
               "4.weight": w["conv2/kernel"].transpose(3, 2, 0, 1), "4.bias": w["conv2/bias"],
               "8.weight": head_t.T, "8.bias": w["head/bias"]}
    else:
        conv = {"lstm": R.keras_to_torch_lstm, "gru": R.keras_to_torch_gru,
                "simple_rnn": R.keras_to_torch_simple_rnn}[wl.kind]
        ih, hh, bih, bhh = conv(w["rnn/kernel"], w["rnn/recurrent_kernel"], w["rnn/bias"])
        out = {"rnn.weight_ih_l0": ih, "rnn.weight_hh_l0": hh, "rnn.bias_ih_l0": bih, "rnn.bias_hh_l0": bhh,
               "head.weight": head.T, "head.bias": w["head/bias"]}
    return {k: np.ascontiguousarray(v, np.float32) for k, v in out.items()}


def make_optimizer(wl: Workload, params):
    if wl.optimizer == "sgd":
        return torch.optim.SGD(params, lr=wl.lr)
    return torch.optim.Adam(params, lr=wl.lr, betas=(0.9, 0.999), eps=1e-8)


class TorchRunner:
    name = "PyTorch"

    def __init__(self, wl: Workload, X: np.ndarray, Y: np.ndarray, order: np.ndarray,
                 weights: dict, seed: int = 0):
        torch.manual_seed(seed)
        self.wl = wl
        self.X = torch.from_numpy(np.ascontiguousarray(X, np.float32))
        if wl.loss == "sparse_ce":
            self.Y = torch.from_numpy(Y[:, 0].astype(np.int64))
        else:
            self.Y = torch.from_numpy(np.ascontiguousarray(Y, np.float32))
        bs = wl.batch
        self.n_cycle = len(order) // bs
        self.batches = [torch.from_numpy(order[k * bs:(k + 1) * bs].copy()) for k in range(self.n_cycle)]
        self.model = (build_model(wl) if wl.kind == "mlp" else build_shaped_model(wl)).train()
        self.set_weights(weights)
        self.opt = make_optimizer(wl, self.model.parameters())
        self.pos = 0
        self.losses = np.zeros(self.n_cycle, np.float64)

    def _linears(self):
        return [m for m in self.model if isinstance(m, nn.Linear)]

    def _bns(self):
        return [m for m in self.model if isinstance(m, nn.BatchNorm1d)]

    def set_weights(self, w: dict) -> None:
        if self.wl.kind != "mlp":
            sd = {k: torch.from_numpy(v) for k, v in shaped_weights_to_torch(self.wl, w).items()}
            self.model.load_state_dict(sd, strict=True)
            return
        with torch.no_grad():
            for lin, name in zip(self._linears(), dense_names(self.wl)):
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w[f"{name}/kernel"].T)))
                lin.bias.copy_(torch.from_numpy(w[f"{name}/bias"]))
            for bn, name in zip(self._bns(), bn_names(self.wl)):
                bn.weight.copy_(torch.from_numpy(w[f"{name}/gamma"]))
                bn.bias.copy_(torch.from_numpy(w[f"{name}/beta"]))
                bn.running_mean.copy_(torch.from_numpy(w[f"{name}/moving_mean"]))
                bn.running_var.copy_(torch.from_numpy(w[f"{name}/moving_variance"]))

    def get_weights(self) -> dict[str, np.ndarray]:
        out = {}
        with torch.no_grad():
            for lin, name in zip(self._linears(), dense_names(self.wl)):
                out[f"{name}/kernel"] = lin.weight.detach().numpy().T.copy()
                out[f"{name}/bias"] = lin.bias.detach().numpy().copy()
            for bn, name in zip(self._bns(), bn_names(self.wl)):
                out[f"{name}/gamma"] = bn.weight.detach().numpy().copy()
                out[f"{name}/beta"] = bn.bias.detach().numpy().copy()
                out[f"{name}/moving_mean"] = bn.running_mean.numpy().copy()
                out[f"{name}/moving_variance"] = bn.running_var.numpy().copy()
        return out

    def get_grads(self) -> dict[str, np.ndarray]:
        out = {}
        for lin, name in zip(self._linears(), dense_names(self.wl)):
            out[f"{name}/kernel"] = lin.weight.grad.numpy().T.copy()
            out[f"{name}/bias"] = lin.bias.grad.numpy().copy()
        for bn, name in zip(self._bns(), bn_names(self.wl)):
            out[f"{name}/gamma"], out[f"{name}/beta"] = bn.weight.grad.numpy().copy(), bn.bias.grad.numpy().copy()
        return out

    def step(self, idx) -> float:
        xb = self.X.index_select(0, idx)
        yb = self.Y.index_select(0, idx)
        self.opt.zero_grad(set_to_none=True)
        out = self.model(xb)
        if self.wl.loss == "sparse_ce":
            loss = F.cross_entropy(out, yb)
        else:
            loss = F.binary_cross_entropy_with_logits(out, yb)
        loss.backward()
        self.opt.step()
        return loss.item()

    def run(self, n_steps: int) -> None:
        for _ in range(n_steps):
            k = self.pos
            self.losses[k] = self.step(self.batches[k])
            self.pos = (k + 1) % self.n_cycle

    def step_losses(self, n: int) -> np.ndarray:
        return self.losses[:n].copy()

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        self.model.eval()
        with torch.no_grad():
            out = self.model(torch.from_numpy(np.ascontiguousarray(X, np.float32))).numpy()
        self.model.train()
        pred = out.argmax(1) if out.shape[1] > 1 else (out[:, 0] > 0)
        return float(np.mean(pred == y.reshape(-1)))
