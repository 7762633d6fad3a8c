"""The CPU executor: arenas laid out for a plan and a largest batch, and the calls into the kernels.

All weights live in one flat array (so are their gradients and the optimizer's slots); every
activation lives in one flat array. Nothing is allocated per step.
"""
from __future__ import annotations

import os
import sys
import zlib
from typing import Mapping

import numpy as np

from .errors import TrainingError, WeightsError
from .initializers import initialize
from .kernels import opcodes as K
from .ops import op as registered_op, op_by_code
from .ops.schema import H_IN_COUNT, H_IN_START, H_OP, H_OUT
from .kernels.dense import TRANSPOSE_MAX_WIDTH
from .threads import current_numba_threads, resolve_threads, use_numba_threads
from .kernels.rng import make_state
from .plan import Plan


class BatchError(TrainingError, ValueError):
    """Arrays handed to an executor entry do not fit its arenas (too many rows, wrong width or
    dtype, indices out of range). Checked in Python before any kernel runs: the jitted loops
    themselves do no bounds checks."""


_SPARSE_LOSSES = (K.LOSS_SPARSE_CCE, K.LOSS_SPARSE_CCE_LOGITS, K.LOSS_SOFTMAX_SPARSE_CCE)
_F8, _I8 = np.dtype(np.float64), np.dtype(np.int64)
# Up to this many weights (weights, gradients and two slots of both buffers: 1.1 MB in float32)
# the update goes into a second buffer; above it, a read-only check and an in-place update.
# Measured: W2 (9k weights) equal either way; W3 (535k) 27% slower with two buffers, equal checked.
DOUBLE_BUFFER_MAX_PARAMS = 1 << 15


class Executor:
    def __init__(self, plan: Plan, max_batch: int, dtype=np.float32, blas_threads: int | str | None = None,
                 threads: int | None = None):
        """blas_threads: None leaves the process's BLAS setting alone (benchmarks fix it themselves),
        "auto" applies core.threads' measured policy per call, an int fixes it. threads: numba
        threads for the kernels' large products (0: the physical cores; None: the calling
        thread's numba setting as it is, for benchmarks that set it themselves; core/threads.py)."""
        self._check_plan(plan)
        self.plan = plan
        self._sparse = plan.loss_code in _SPARSE_LOSSES
        self._target_width = 1 if self._sparse else plan.output_width
        self.blas_threads = blas_threads
        self.threads = threads
        self.dtype = np.dtype(dtype)
        self.max_batch = int(max_batch)
        dt = self.dtype
        offs = np.cumsum([0] + [w * self.max_batch for w in plan.tensor_widths])
        self.tens = np.stack([offs[:-1], np.array(plan.tensor_widths, dtype=np.int64)], axis=1).astype(np.int64)
        self.acts = np.zeros(int(offs[-1]), dt)
        self.dacts = np.zeros(int(offs[-1]), dt)
        # Each aux entry's offset in the aux arena at this largest batch: the ops' aux fields hold
        # entry indices, resolved through aux_off by the kernels (the plan's table is not patched).
        aux_sizes = [size * (self.max_batch if per else 1) for size, per in plan.aux_entries]
        aux_offs = np.cumsum([0] + aux_sizes)
        self.aux_off = np.ascontiguousarray(aux_offs[:-1], dtype=np.int64).reshape(-1)
        if not len(self.aux_off):
            self.aux_off = np.zeros(1, np.int64)       # numba wants a typed, non-empty array
        self.aux = np.zeros(int(aux_offs[-1]) + 1, dt)
        # The executor's own copy of the table: only Dense's ``blas`` field is set here, by the
        # thread policy (use_blas_for); every other field is the plan's.
        self.ops = plan.ops.copy()
        self.scratch = np.zeros(self._scratch_size(plan), dt)
        # A small net's weights and optimizer slots live in two buffers each: the training loop
        # updates from one into the other and adopts the result only if it is finite. A large
        # net checks the update in a read-only pass and writes in place (a second buffer would
        # double its memory traffic); both in kernels/optim.py. `params` and `opt_state` are the
        # current buffers.
        self.in_place_updates = plan.n_params > DOUBLE_BUFFER_MAX_PARAMS
        p0, s0 = np.zeros(plan.n_params, dt), np.zeros((2, plan.n_params), dt)
        if self.in_place_updates:
            self._param_bufs, self._state_bufs = (p0, p0), (s0, s0)
        else:
            self._param_bufs = (p0, np.zeros(plan.n_params, dt))
            self._state_bufs = (s0, np.zeros((2, plan.n_params), dt))
        self._current = 0
        self.grads = np.zeros(plan.n_params, dt)
        self.step = np.zeros(1, np.int64)
        self.rng = make_state(0)
        # (offset, size, trainable, regularised, running statistic) per weight
        self.segs = np.array([[w.offset, w.size, int(w.trainable), int(w.l1 > 0 or w.l2 > 0), int(w.state)]
                              for w in plan.weights], dtype=np.int64).reshape(-1, 5)
        # Room to save the running statistics while a batch's loss is unknown (kernels.engine).
        self.keep = np.zeros(int(sum(w.size for w in plan.weights if w.state)), dt)
        self.segf = np.array([[w.l1, w.l2] for w in plan.weights], dtype=np.float64).reshape(-1, 2)
        self.has_reg = bool(self.segs[:, 3].any()) if len(self.segs) else False
        self.control = np.zeros(1, np.int64)
        self._blas_steps: tuple[int, ...] = ()    # Dense steps on BLAS (use_blas_for)
        self._policy_batch = -1                      # batch size the "auto" policy last chose for

    @staticmethod
    def _check_plan(plan: Plan) -> None:
        """Every slice the kernels take — tensors, weights, aux entries — lies inside its arena.

        The kernels build their views without bounds checks (kernels/views.py), so the plan is
        checked once here, where a mistake costs an error message instead of a write past a buffer
        (the arenas themselves are sized from the same tables in __init__).
        """
        p = plan
        n_tensors = len(p.tensor_widths)
        for w in p.weights:
            if w.offset < 0 or w.offset + w.size > p.n_params:
                raise TrainingError(f"internal: weight {w.name} lies outside the parameter arena")
        starts = {w.offset for w in p.weights}
        input_schema = registered_op("input").schema
        for s in range(len(p.ops)):
            row = p.ops[s]
            try:
                sc = op_by_code(int(row[H_OP])).schema
            except KeyError:
                raise TrainingError(f"internal: step {s} of the plan has an unknown opcode {int(row[H_OP])}") from None
            if not 0 <= row[H_OUT] < n_tensors:
                raise TrainingError(f"internal: step {s} of the plan writes a tensor that does not exist")
            if sc is input_schema:
                c0 = row[input_schema.col("column")]
                if c0 < 0 or c0 + p.tensor_widths[row[H_OUT]] > p.n_features:
                    raise TrainingError(f"internal: input step {s} reads columns past the features")
                continue
            e0, count = row[H_IN_START], int(row[H_IN_COUNT])
            if count < 1 or e0 < 0 or e0 + count > len(p.op_in) \
                    or not all(0 <= t < n_tensors for t in p.op_in[e0:e0 + count, 0]):
                raise TrainingError(f"internal: step {s} of the plan reads a tensor that does not exist")
            for col in sc.weight_cols:
                off = int(row[col])
                if off >= 0 and off not in starts:
                    raise TrainingError(f"internal: step {s} of the plan uses weights outside the parameter arena")
            for col in sc.aux_cols:
                if not 0 <= int(row[col]) < len(p.aux_entries):
                    raise TrainingError(f"internal: step {s} of the plan uses scratch outside its arena")

    def _check_rows(self, n: int, what: str) -> None:
        if n > self.max_batch:
            raise BatchError(f"{what}: {n} rows, but this executor's arenas hold at most {self.max_batch} "
                             "(the max_batch it was built with)")

    def _check_targets(self, Y: np.ndarray, n_rows: int, what: str) -> None:
        """Targets as the plan's loss reads them: a label column (sparse losses, labels in range)
        or one column per output unit."""
        p = self.plan
        sparse = p.loss_code in _SPARSE_LOSSES
        want = 1 if sparse else p.output_width
        if Y.ndim != 2 or Y.shape[0] != n_rows or Y.shape[1] != want:
            raise BatchError(f"{what}: targets shaped {Y.shape}, the loss needs ({n_rows}, {want})"
                             + (" (one class label per row)" if sparse else ""))
        if sparse and len(Y):
            lo, hi = float(Y.min()), float(Y.max())
            if not (lo >= 0 and hi < p.output_width):
                raise BatchError(f"{what}: class labels must lie in [0, {p.output_width - 1}]; "
                                 f"found {lo:g} to {hi:g}")

    def _scratch_size(self, plan: Plan) -> int:
        """Room for any one tensor of a batch, and for a transposed W where Dense's backward
        transposes it (narrow layers; see kernels/dense.py)."""
        size = max(plan.tensor_widths) * self.max_batch
        dense = registered_op("dense").schema.opcode
        for s in range(len(plan.ops)):
            if plan.ops[s, H_OP] == dense:
                w_in = plan.tensor_widths[plan.op_in[plan.ops[s, H_IN_START], 0]]
                w_out = plan.tensor_widths[plan.ops[s, H_OUT]]
                if w_out <= TRANSPOSE_MAX_WIDTH:
                    size = max(size, w_in * w_out)
        for s in range(len(plan.ops)):   # an op module may state its backward's need (recurrent ops)
            need = getattr(sys.modules[op_by_code(int(plan.ops[s, H_OP])).module], "scratch_size", None)
            if need is not None:
                size = max(size, int(need(plan, s, self.max_batch)))
        return size

    @property
    def params(self) -> np.ndarray:
        return self._param_bufs[self._current]

    @property
    def opt_state(self) -> np.ndarray:
        return self._state_bufs[self._current]

    # ---- weights -----------------------------------------------------------------------------
    def init_weights(self, seed: int) -> None:
        """Each weight drawn from its own stream keyed by (seed, name): adding a layer does not
        change the others' initial values."""
        for w in self.plan.weights:
            rng = np.random.default_rng([seed, zlib.crc32(w.name.encode())])
            self.view(w.name)[...] = initialize(w.initializer, w.shape, rng, w.init_params, self.dtype)
        for state in self._state_bufs:      # (the same array twice for in-place updates)
            state[:] = 0
        self.step[0] = 0
        self.rng = make_state(seed)

    def view(self, name: str, arena: np.ndarray | None = None) -> np.ndarray:
        w = self.plan.weight(name)
        arena = self.params if arena is None else arena
        if arena.size < self.plan.n_params:
            raise BatchError(f"view {name}: the arena has {arena.size} values, the plan's weights need "
                             f"{self.plan.n_params}")
        return arena[w.offset:w.offset + w.size].reshape(w.shape)

    def get_weights(self) -> dict[str, np.ndarray]:
        return {w.name: self.view(w.name).copy() for w in self.plan.weights}

    def set_weights(self, weights: Mapping[str, np.ndarray], *, strict: bool = True) -> None:
        """Copy named arrays in. Mismatching names or shapes are refused, all listed at once."""
        expected = {w.name: w.shape for w in self.plan.weights}
        problems = []
        for name, shape in expected.items():
            if name not in weights:
                if strict:
                    problems.append(f"missing {name} {shape}")
            elif tuple(np.shape(weights[name])) != shape:
                problems.append(f"{name}: file has shape {tuple(np.shape(weights[name]))}, design needs {shape}")
        if strict:
            problems += [f"unexpected {n} {tuple(np.shape(a))}" for n, a in weights.items() if n not in expected]
        if problems:
            raise WeightsError("the weights do not fit this design", problems)
        for name in expected:
            if name in weights:
                self.view(name)[...] = np.asarray(weights[name], dtype=self.dtype)

    def snapshot(self, reuse=None) -> tuple[np.ndarray, np.ndarray, int]:
        """Weights, optimizer state and step; `reuse` (an earlier snapshot) avoids allocating."""
        if reuse is None:
            return self.params.copy(), self.opt_state.copy(), int(self.step[0])
        np.copyto(reuse[0], self.params)
        np.copyto(reuse[1], self.opt_state)
        return reuse[0], reuse[1], int(self.step[0])

    def restore(self, snap) -> None:
        self.params[:], self.opt_state[:], self.step[0] = snap[0], snap[1], snap[2]

    # ---- running -----------------------------------------------------------------------------
    def _as_input(self, X: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=self.dtype).reshape(len(X), -1)
        if X.shape[1] != self.plan.n_features:
            raise ValueError(f"the design's Input nodes take {self.plan.n_features} features; "
                             f"the data has {X.shape[1]}")
        return X

    def predict(self, X: np.ndarray, batch_size: int | None = None, return_logits: bool = False):
        """Inference-mode outputs (and, with return_logits, the pre-softmax scores)."""
        from .kernels.engine import predict_chunk
        X = self._as_input(X)
        p = self.plan
        out = np.empty((len(X), p.output_width), self.dtype)
        logits = np.empty((len(X), p.tensor_widths[p.logits_tensor]), self.dtype)
        rows = np.arange(len(X), dtype=np.int64)
        threads = self._engine_threads()
        predict_chunk(self.ops, p.opf, p.op_in, self.tens, p.out_tensor, p.logits_tensor, self.params,
                      self.acts, self.aux, self.aux_off, X, rows, min(batch_size or self.max_batch, self.max_batch),
                      out, logits, self.rng, threads)
        return (out, logits) if return_logits else out

    def _engine_threads(self) -> int:
        """The kernels' thread count for this call, set as the calling thread's numba share."""
        if self.threads is None:
            return current_numba_threads()
        return use_numba_threads(resolve_threads(self.threads))

    def train_batches(self, X, Y, order, start, batch_size, n_batches, lrs, losses, opt_code, opt_hp,
                      clip_norm=0.0, clip_value=0.0):
        """Run n_batches steps (see kernels.engine.train_chunk). X, Y must be prepared arrays."""
        from .kernels.engine import train_chunk
        p = self.plan
        if not self._check_dtypes(X, Y, order, lrs, losses) or len(opt_hp) < 8 \
                or (self._sparse and len(Y) and not (0 <= Y.min() and Y.max() < p.output_width)):
            self._validate_train_args(X, Y, order, start, batch_size, n_batches, lrs, losses, opt_hp)
        ybuf = self._ybuf(Y.shape[1])
        if self.blas_threads is not None:
            from .threads import apply_blas_threads, blas_layers
            if self.blas_threads == "auto":
                if batch_size != self._policy_batch:   # the policy depends on the batch size only
                    self.use_blas_for(blas_layers(self.plan, batch_size))
                    self._policy_batch = batch_size
                apply_blas_threads((os.cpu_count() or 1) if self._blas_steps else 1)
            else:
                apply_blas_threads(int(self.blas_threads))
        threads = self._engine_threads()
        cur, other = self._current, 1 - self._current
        done, status, swaps = train_chunk(self.ops, p.opf, p.op_in, self.tens, p.loss_code, p.loss_delta,
                                   p.out_tensor, p.logits_tensor, self._param_bufs[cur], self._param_bufs[other],
                                   self.grads, self.acts, self.dacts, self.aux, self.aux_off, self.scratch, ybuf,
                                   self._state_bufs[cur], self._state_bufs[other], self.segs, self.segf,
                                   self.has_reg, opt_code, opt_hp, self.step, float(clip_norm), float(clip_value),
                                   X, Y, order, int(start), int(batch_size), int(n_batches), lrs, losses,
                                   self.rng, self.control, self.keep, self.max_batch, self.in_place_updates,
                                   threads)
        if swaps % 2:
            self._current = other
        if status == K.STATUS_BAD_ARGS:
            self._validate_train_args(X, Y, order, start, batch_size, n_batches, lrs, losses, opt_hp)
            raise BatchError("train_batches: the arrays do not fit this executor's plan")
        return done, status

    def _check_dtypes(self, X, Y, order, lrs, losses) -> bool:
        """The dtypes train_chunk is compiled for (another dtype would compile a new, slower
        specialisation); identity first, which is what a prepared array gives."""
        dt, f8 = self.dtype, _F8
        try:
            return ((X.dtype is dt or X.dtype == dt) and (Y.dtype is dt or Y.dtype == dt)
                    and (order.dtype is _I8 or order.dtype == _I8) and (lrs.dtype is f8 or lrs.dtype == f8)
                    and (losses.dtype is f8 or losses.dtype == f8) and X.flags.c_contiguous
                    and Y.flags.c_contiguous and X.ndim == 2 and Y.ndim == 2 and order.ndim == 1
                    and lrs.ndim == 1 and losses.ndim == 1)
        except AttributeError:        # not arrays at all
            return False

    def _validate_train_args(self, X, Y, order, start, batch_size, n_batches, lrs, losses, opt_hp) -> None:
        """Every check of kernels.engine.arguments_fit and _check_dtypes, in Python, raising a
        BatchError that says what is wrong (used when those said no, and by the CUDA executor)."""
        what = "train_batches"
        if batch_size < 1:
            raise BatchError(f"{what}: batch size must be at least 1, got {batch_size}")
        self._check_rows(batch_size, f"{what}: batch size {batch_size}")
        for name, a in (("X", X), ("Y", Y)):
            if not (isinstance(a, np.ndarray) and a.ndim == 2 and a.dtype == self.dtype and a.flags.c_contiguous):
                raise BatchError(f"{what}: {name} must be a C-contiguous 2-D {self.dtype.name} array "
                                 f"(prepared with Executor._as_input), got {getattr(a, 'dtype', type(a))} "
                                 f"{getattr(a, 'shape', '')}")
        if X.shape[1] != self.plan.n_features:
            raise BatchError(f"{what}: the design's Input nodes take {self.plan.n_features} features; "
                             f"X has {X.shape[1]}")
        self._check_targets(Y, len(X), what)
        if not (isinstance(order, np.ndarray) and order.ndim == 1 and order.dtype == np.int64):
            raise BatchError(f"{what}: order must be a 1-D int64 array of row indices")
        for name, a in (("lrs", lrs), ("losses", losses)):
            if not (isinstance(a, np.ndarray) and a.dtype == np.float64 and a.ndim == 1 and len(a) >= n_batches):
                raise BatchError(f"{what}: {name} must be a 1-D float64 array with room for {n_batches} batches")
        if n_batches < 0 or start < 0 or (n_batches and start + (n_batches - 1) * batch_size >= len(order)):
            raise BatchError(f"{what}: {n_batches} batches of {batch_size} from position {start} run past "
                             f"the {len(order)} row indices")
        if len(opt_hp) < 8:
            raise BatchError(f"{what}: the optimizer's hyper-parameter vector has {len(opt_hp)} entries, needs 8")
        used = order[start:start + n_batches * batch_size]
        if len(used) and (used.min() < 0 or used.max() >= len(X)):
            raise BatchError(f"{what}: row indices must lie in [0, {len(X) - 1}]")

    def use_blas_for(self, steps) -> None:
        """Run the Dense products of these steps on BLAS, every other Dense on the own kernels
        (the thread policy's choice; see core/threads.py)."""
        steps = tuple(sorted(steps))
        if steps == self._blas_steps:
            return
        dense = registered_op("dense").schema
        for s in range(len(self.ops)):
            if self.ops[s, H_OP] == dense.opcode:
                self.ops[s, dense.col("blas")] = int(s in steps)
        if steps:   # BLAS's dx accumulates through scratch: room for one batch of the input
            need = max(self.tens[self.plan.op_in[self.ops[s, H_IN_START], 0], 1] for s in steps) * self.max_batch
            if self.scratch.size < need:
                self.scratch = np.zeros(need, self.dtype)
        self._blas_steps = steps

    def _ybuf(self, k: int) -> np.ndarray:
        if getattr(self, "_ybuf_arr", None) is None or self._ybuf_arr.size != k * self.max_batch:
            self._ybuf_arr = np.zeros(k * self.max_batch, self.dtype)
        return self._ybuf_arr

    def loss_and_gradients(self, X, Y, training: bool = True) -> float:
        """One forward + backward over all of X (one batch), no update: for gradient checks."""
        from .kernels.engine import backward_pass, forward_pass, loss_only
        from .kernels.optim import regularization
        p = self.plan
        X = self._as_input(X)
        Y = np.ascontiguousarray(Y, dtype=self.dtype).reshape(len(Y), -1)
        n = len(X)
        self._check_rows(n, "loss_and_gradients: one batch of X")
        self._check_targets(Y, n, "loss_and_gradients")
        rows = np.arange(n, dtype=np.int64)
        threads = self._engine_threads()
        forward_pass(self.ops, p.opf, p.op_in, self.tens, self.params, self.acts, self.aux, self.aux_off, X, rows,
                     n, training, self.rng, threads)
        out = self.output_view(n)
        logits = self.acts[self.tens[p.logits_tensor, 0]:][: n * self.tens[p.logits_tensor, 1]].reshape(n, -1)
        g = self.dacts[self.tens[p.out_tensor, 0]:][: n * p.output_width].reshape(n, -1)
        loss = loss_only(p.loss_code, p.loss_delta, out, logits, Y, g)
        if self.has_reg:
            loss += regularization(self.params, self.grads, self.segs, self.segf, False)
        backward_pass(self.ops, p.opf, p.op_in, self.tens, self.params, self.grads, self.acts, self.dacts,
                      self.aux, self.aux_off, self.scratch, n, training, threads)
        if self.has_reg:
            regularization(self.params, self.grads, self.segs, self.segf, True)
        return float(loss)

    def output_view(self, n: int) -> np.ndarray:
        self._check_rows(n, "output_view")
        t = self.plan.out_tensor
        return self.acts[self.tens[t, 0]:self.tens[t, 0] + n * self.tens[t, 1]].reshape(n, -1)

    def tensor_view(self, node_id: str, n: int, grad: bool = False) -> np.ndarray:
        self._check_rows(n, "tensor_view")
        t = self.plan.node_tensor[node_id]
        arena = self.dacts if grad else self.acts
        return arena[self.tens[t, 0]:self.tens[t, 0] + n * self.tens[t, 1]].reshape(n, -1)
