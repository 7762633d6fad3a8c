"""CUDA executor: the same plan, run with numba.cuda kernels on the GPU.

Data and weights stay on the device; the host copies of weights, optimizer state, gradients and
activations are synchronised only at chunk (event) boundaries, so the trainer, statistics,
callbacks and snapshots work unchanged. Each op brings its own launchers (``CUDA`` in its module
under core/ops/); an op whose module says ``CUDA = None`` is refused, naming the block, here and by
the pre-flight check (``cuda_refusal``). Every loss and optimizer, float32. Dropout, AlphaDropout and RReLU draw from a counter-based device generator keyed by the
executor's seed, the optimizer step and the plan step: training runs are reproducible but their
masks are not the CPU's, so inference matches the CPU exactly and training matches it in
distribution. Tested without a GPU under NUMBA_ENABLE_CUDASIM=1.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import TrainingError
from .executor import Executor
from .kernels import opcodes as K
from .ops import op_by_code
from .ops.schema import H_IN_COUNT, H_IN_START, H_OP, H_OUT

THREADS = 128


def cuda_missing(plan) -> list[tuple[str, str]]:
    """(node id, block type) of every step whose op says it is not on CUDA yet (``CUDA = None``
    in its module; core/ops/), in plan order, each node once."""
    missing = []
    for s, code in enumerate(plan.ops[:, H_OP]):
        if op_by_code(int(code)).cuda is None:
            node = plan.step_nodes[s]
            if all(node != m for m, _ in missing):
                missing.append((node, plan.node_types.get(node, op_by_code(int(code)).name)))
    return missing


def cuda_refusal(plan) -> str | None:
    """The message refusing `plan` on the CUDA device (naming the blocks), or None when it can run."""
    missing = cuda_missing(plan)
    if not missing:
        return None
    names = ", ".join(f"{t} (node {n!r})" for n, t in missing)
    return (f"{names} {'is' if len(missing) == 1 else 'are'} not available on the CUDA device yet; "
            "train this design on the CPU")


def cuda_available() -> bool:
    try:
        from numba import cuda
        return bool(cuda.is_available())
    except Exception:   # a broken driver must not take the app down
        return False


def require_cuda() -> None:
    if not cuda_available():
        raise TrainingError("device 'cuda' was asked for but no CUDA GPU is available here "
                            "(install the 'cuda' extra on a machine with an NVIDIA GPU), or use --device cpu")


class CudaExecutor(Executor):
    def __init__(self, plan, max_batch, dtype=np.float32, blas_threads=None):
        if np.dtype(dtype) != np.float32:
            raise TrainingError("the CUDA device trains in float32; set training.dtype to float32")
        refusal = cuda_refusal(plan)
        if refusal:
            raise TrainingError(refusal)
        super().__init__(plan, max_batch, dtype)
        self._launch = [op_by_code(int(code)).cuda for code in plan.ops[:, H_OP]]
        from numba import cuda
        from .kernels import cuda_kernels as ck
        from .kernels import cuda_random as cr
        self.cuda, self.ck, self.cr = cuda, ck, cr
        self.d_acts = cuda.to_device(self.acts)
        self.d_dacts = cuda.to_device(self.dacts)
        self.d_grads = cuda.to_device(self.grads)
        self.d_aux = cuda.to_device(self.aux)
        self.training_pass = True
        mask = np.zeros(plan.n_params, np.float32)
        l1 = np.zeros(plan.n_params, np.float32)
        l2 = np.zeros(plan.n_params, np.float32)
        for w in plan.weights:
            if w.trainable:
                mask[w.offset:w.offset + w.size] = 1
                l1[w.offset:w.offset + w.size] = w.l1
                l2[w.offset:w.offset + w.size] = w.l2
        self.d_mask, self.d_l1, self.d_l2 = (cuda.to_device(a) for a in (mask, l1, l2))
        self._data_key = None

    # ---- data residency ------------------------------------------------------------------------
    def _device_data(self, X, Y):
        key = (id(X), X.shape, id(Y), Y.shape)
        if key != self._data_key:
            self.d_X, self.d_Y = self.cuda.to_device(X), self.cuda.to_device(Y)
            self._data_key = key
        return self.d_X, self.d_Y

    def _grid(self, count):
        return (max(1, math.ceil(count / THREADS)),), (THREADS,)

    def _key(self, s):
        """Key of plan step s's random numbers in this batch: one counter per (optimizer step,
        plan step), so every batch and block draws afresh and a rerun from a snapshot draws alike."""
        return self.cr.launch_key(self.rng[0], int(self.step[0]) * len(self.ops) + s)

    def _grid2(self, n, w):
        t = self.ck.TILE
        return (max(1, math.ceil(n / t)), max(1, math.ceil(w / t))), (t, t)

    # ---- what the op launchers read (core/ops/*.py, their CUDA support) ---------------------------
    def io(self, s):
        """((input offset, width), (output offset, width)) of step s's first input and output."""
        row = self.ops[s]
        return tuple(self.tens[self.plan.op_in[row[H_IN_START], 0]]), tuple(self.tens[row[H_OUT]])

    def inputs(self, s):
        row = self.ops[s]
        return [int(t) for t in self.plan.op_in[row[H_IN_START]:row[H_IN_START] + row[H_IN_COUNT], 0]]

    def grad_flags(self, s):
        """(accumulate, needs gradient) of step s's first input."""
        _, acc, need = self.plan.op_in[self.ops[s, H_IN_START]]
        return bool(acc), bool(need)

    grid, grid2, key = _grid, _grid2, _key

    # ---- passes ----------------------------------------------------------------------------------
    def _forward(self, d_X, d_rows, start, n, P, A):
        for s, row in enumerate(self.ops):
            self._launch[s].forward(self, s, row, n, P, A, d_X, d_rows, start)

    def _backward(self, n, P, G, A, D):
        for s in range(len(self.ops) - 1, -1, -1):
            self._launch[s].backward(self, s, self.ops[s], n, P, G, A, D)

    # ---- public ----------------------------------------------------------------------------------
    def train_batches(self, X, Y, order, start, batch_size, n_batches, lrs, losses, opt_code, opt_hp,
                      clip_norm=0.0, clip_value=0.0):
        """As the CPU executor: `done` counts the batches applied, all of them good. The device
        runs a chunk without a host round trip per batch, so a divergence is seen at the end of
        the chunk; then the chunk is run again from its start (the host still holds the weights,
        slots and step of that moment; the device's random numbers are keyed by the step) up to
        the last batch whose loss and update were finite."""
        self._validate_train_args(X, Y, order, start, batch_size, n_batches, lrs, losses, opt_hp)
        start_state = self.params.copy(), self.opt_state.copy(), int(self.step[0])
        args = (X, Y, order, start, batch_size, lrs, losses, opt_code, opt_hp, clip_norm, clip_value)
        done = self._run_chunk(n_batches, *args, obey_control=True)
        bad = np.flatnonzero(~np.isfinite(losses[:done]))
        if not len(bad) and self._state_finite():
            return done, (K.STATUS_STOPPED if done < n_batches else K.STATUS_DONE)
        good = int(bad[0]) if len(bad) else done
        while True:
            self.restore(start_state)
            if good == 0:
                return 0, K.STATUS_DIVERGED
            replay = np.zeros(good)
            self._run_chunk(good, *args[:6], replay, *args[7:], obey_control=False)
            if np.isfinite(replay).all() and self._state_finite():
                losses[:good] = replay
                return good, K.STATUS_DIVERGED
            good -= 1          # that batch's update was the one that went non-finite

    def _state_finite(self) -> bool:
        return bool(np.isfinite(self.params).all() and np.isfinite(self.opt_state).all())

    def _run_chunk(self, n_batches, X, Y, order, start, batch_size, lrs, losses, opt_code, opt_hp, clip_norm,
                   clip_value, obey_control):
        """Run up to n_batches on the device and bring the state back; returns the batches run."""
        cuda, ck, p = self.cuda, self.ck, self.plan
        d_X, d_Y = self._device_data(X, Y)
        d_rows = cuda.to_device(order)
        P = cuda.to_device(self.params)
        M, V = cuda.to_device(self.opt_state[0]), cuda.to_device(self.opt_state[1])
        hp = cuda.to_device(opt_hp)
        d_losses = cuda.to_device(np.zeros(max(1, n_batches), np.float64))
        sq = cuda.device_array(1, np.float64)
        k = Y.shape[1]
        d_yb = cuda.device_array(self.max_batch * k, np.float32)
        oo = self.tens[p.out_tensor, 0]
        lo = self.tens[p.logits_tensor, 0]
        done = 0
        total = len(order)
        for bi in range(n_batches):
            if obey_control and self.control[0] != 0:
                break
            s0 = start + bi * batch_size
            n = min(batch_size, total - s0)
            self._forward(d_X, d_rows, s0, n, P, self.d_acts)
            g, b = self._grid2(n, k)
            ck.gather_targets[g, b](d_Y, d_rows, s0, d_yb, n, k)
            g, b = self._grid(n)
            ck.loss_rows[g, b](p.loss_code, p.loss_delta, self.d_acts, oo, lo, d_yb, self.d_dacts, n,
                               p.output_width, d_losses, bi)
            if self.has_reg:
                g, b = self._grid(p.n_params)
                ck.penalty[g, b](P, self.d_l1, self.d_l2, d_losses, bi)
            self._backward(n, P, self.d_grads, self.d_acts, self.d_dacts)
            g, b = self._grid(p.n_params)
            if clip_norm > 0:
                sq.copy_to_device(np.zeros(1))
                ck.sum_squares[g, b](P, self.d_grads, self.d_mask, self.d_l1, self.d_l2, float(clip_value), sq)
            self.step[0] += 1
            ck.update[g, b](opt_code, hp, float(lrs[bi]), int(self.step[0]), P, self.d_grads, M, V,
                            self.d_mask, self.d_l1, self.d_l2, float(clip_value), float(clip_norm), sq)
            done += 1
        # Event boundary: bring the state back to the host.
        losses[:done] = d_losses.copy_to_host()[:done]
        P.copy_to_host(self.params)
        M.copy_to_host(self.opt_state[0])
        V.copy_to_host(self.opt_state[1])
        self.d_grads.copy_to_host(self.grads)
        self.d_acts.copy_to_host(self.acts)
        return done

    def predict(self, X, batch_size=None, return_logits=False):
        cuda, p = self.cuda, self.plan
        X = self._as_input(X)
        P = cuda.to_device(self.params)
        d_X = cuda.to_device(X)
        rows = cuda.to_device(np.arange(len(X), dtype=np.int64))
        out = np.empty((len(X), p.output_width), np.float32)
        logits = np.empty((len(X), p.tensor_widths[p.logits_tensor]), np.float32)
        bs = min(batch_size or self.max_batch, self.max_batch)
        self.training_pass = False
        for s0 in range(0, len(X), bs):
            n = min(bs, len(X) - s0)
            self._forward(d_X, rows, s0, n, P, self.d_acts)
            self.d_acts.copy_to_host(self.acts)
            out[s0:s0 + n] = self.output_view(n)
            t = p.logits_tensor
            logits[s0:s0 + n] = self.acts[self.tens[t, 0]:self.tens[t, 0] + n * self.tens[t, 1]].reshape(n, -1)
        self.training_pass = True
        return (out, logits) if return_logits else out
