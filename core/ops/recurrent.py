"""The recurrent ops (SimpleRNN 50, LSTM 51, GRU 52): thin adapters from a plan step to the
kernels of core/kernels/recurrent.py (Keras conventions, fused gates, backward through time).

Fields (by name, core/ops/schema.py):
- weights kernel (F, G·h), recurrent_kernel (h, G·h), bias (G·h; GRU (2, 3h)), -1 without bias;
- ints units (h), features (F), return_sequences, act (SimpleRNN: ACT_TANH / ACT_RELU);
- aux ``seq`` (per sample, the kernel's aux: gates and states of every step, kept from forward to
  backward), ``state`` (per sample, the forward's scratch: LSTM's c_T, GRU's h·U + b_rec) and
  ``time_grad_norms`` (fixed, T values): backward writes the mean over the batch of ‖∂L/∂h_t‖₂
  for t = 0 … T−1 there — read it with ``time_gradient_norms(executor, node_id)``.
Backward uses the executor's scratch, sized by ``scratch_size`` (core/executor.py asks each op
module that has one). The time length T is the input width over F.

Not on CUDA yet (``CUDA = None``): the pre-flight refuses a CUDA run of these blocks by name.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..kernels.config import JIT_INLINE
from ..kernels.opcodes import ACT_RELU, ACT_TANH
from ..kernels.recurrent import (gru_aux_size, gru_backward, gru_forward, gru_scratch_size, lstm_aux_size,
                                 lstm_backward, lstm_forward, lstm_scratch_size, simple_rnn_aux_size,
                                 simple_rnn_backward, simple_rnn_forward, simple_rnn_scratch_size)
from ..ops.common import grad_flags, io_of, view, weight_slice
from ..ops.schema import H_OP, H_TRAIN_W, Aux, OpSchema

_FIELDS = dict(weights=("kernel", "recurrent_kernel", "bias"),
               aux=(Aux("seq", per_sample=True), Aux("state", per_sample=True),
                    Aux("time_grad_norms", per_sample=False)),
               ints=("units", "features", "return_sequences", "act"))
RNN_SCHEMA = OpSchema("simple_rnn", 50, **_FIELDS, doc="h_t = act(x_t·W + h_{t−1}·U + b) (Keras SimpleRNN).")
LSTM_SCHEMA = OpSchema("lstm", 51, **_FIELDS, doc="Keras LSTM, gates [i f c o], sigmoid / tanh.")
GRU_SCHEMA = OpSchema("gru", 52, **_FIELDS, doc="Keras GRU reset_after=True (= torch nn.GRU), gates [z r h].")
# The three schemas declare the same fields in the same order, so one set of columns serves all.
KERNEL, RKERNEL, BIAS = RNN_SCHEMA.col("kernel"), RNN_SCHEMA.col("recurrent_kernel"), RNN_SCHEMA.col("bias")
SEQ, STATE, TGN = RNN_SCHEMA.col("seq"), RNN_SCHEMA.col("state"), RNN_SCHEMA.col("time_grad_norms")
UNITS, FEATURES = RNN_SCHEMA.col("units"), RNN_SCHEMA.col("features")
RETSEQ, ACT = RNN_SCHEMA.col("return_sequences"), RNN_SCHEMA.col("act")
for _sc in (LSTM_SCHEMA, GRU_SCHEMA):
    assert (_sc.col("kernel"), _sc.col("time_grad_norms"), _sc.col("act")) == (KERNEL, TGN, ACT)

from ..blocks.recurrent import GATES  # noqa: E402 (one definition, in the block)
AUX_SIZE = {"simple_rnn": simple_rnn_aux_size, "lstm": lstm_aux_size, "gru": gru_aux_size}
SCRATCH_SIZE = {"simple_rnn": simple_rnn_scratch_size, "lstm": lstm_scratch_size, "gru": gru_scratch_size}
STATE_PER_SAMPLE = {"simple_rnn": lambda h: 1, "lstm": lambda h: h, "gru": lambda h: 3 * h}


@njit(**JIT_INLINE)
def _arrays(s, ops, tens, op_in, params, G):
    """The step's tensor offsets and widths, h, F, T, and the kernel and recurrent kernel (G gates)."""
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    h, F = ops[s, UNITS], ops[s, FEATURES]
    T = iw // F
    W = view(params, ops[s, KERNEL], F, G * h)
    U = view(params, ops[s, RKERNEL], h, G * h)
    return xo, iw, yo, ow, h, F, T, W, U


@njit(**JIT_INLINE)
def _rnn_forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow, h, F, T, W, U = _arrays(s, ops, tens, op_in, params, 1)
    a, st = aux_off[ops[s, SEQ]], aux_off[ops[s, STATE]]
    simple_rnn_forward(view(acts, xo, n, iw), W, U, weight_slice(params, ops[s, BIAS], h), ops[s, BIAS] >= 0,
                       ops[s, ACT], ops[s, RETSEQ] != 0, view(acts, yo, n, ow), aux[a:a + n * 2 * T * h],
                       aux[st:st + n], threads)


@njit(**JIT_INLINE)
def _rnn_backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    xo, iw, yo, ow, h, F, T, W, U = _arrays(s, ops, tens, op_in, params, 1)
    acc, need_dx = grad_flags(s, ops, op_in)
    a, g = aux_off[ops[s, SEQ]], aux_off[ops[s, TGN]]
    b = ops[s, BIAS]
    simple_rnn_backward(view(acts, xo, n, iw), W, U, b >= 0, ops[s, ACT], ops[s, RETSEQ] != 0,
                        view(dacts, yo, n, ow), aux[a:a + n * 2 * T * h], view(grads, ops[s, KERNEL], F, h),
                        view(grads, ops[s, RKERNEL], h, h), weight_slice(grads, b, h), ops[s, H_TRAIN_W] != 0,
                        view(dacts, xo, n, iw), need_dx, acc, scratch, aux[g:g + T], threads)


@njit(**JIT_INLINE)
def _lstm_forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow, h, F, T, W, U = _arrays(s, ops, tens, op_in, params, 4)
    a, st = aux_off[ops[s, SEQ]], aux_off[ops[s, STATE]]
    lstm_forward(view(acts, xo, n, iw), W, U, weight_slice(params, ops[s, BIAS], 4 * h), ops[s, BIAS] >= 0,
                 ops[s, RETSEQ] != 0, view(acts, yo, n, ow), aux[a:a + n * 7 * T * h], aux[st:st + n * h],
                 threads)


@njit(**JIT_INLINE)
def _lstm_backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
                   threads):
    xo, iw, yo, ow, h, F, T, W, U = _arrays(s, ops, tens, op_in, params, 4)
    acc, need_dx = grad_flags(s, ops, op_in)
    a, g = aux_off[ops[s, SEQ]], aux_off[ops[s, TGN]]
    b = ops[s, BIAS]
    lstm_backward(view(acts, xo, n, iw), W, U, b >= 0, ops[s, RETSEQ] != 0, view(dacts, yo, n, ow),
                  aux[a:a + n * 7 * T * h], view(grads, ops[s, KERNEL], F, 4 * h),
                  view(grads, ops[s, RKERNEL], h, 4 * h), weight_slice(grads, b, 4 * h), ops[s, H_TRAIN_W] != 0,
                  view(dacts, xo, n, iw), need_dx, acc, scratch, aux[g:g + T], threads)


@njit(**JIT_INLINE)
def _gru_forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow, h, F, T, W, U = _arrays(s, ops, tens, op_in, params, 3)
    a, st = aux_off[ops[s, SEQ]], aux_off[ops[s, STATE]]
    gru_forward(view(acts, xo, n, iw), W, U, weight_slice(params, ops[s, BIAS], 6 * h), ops[s, BIAS] >= 0,
                ops[s, RETSEQ] != 0, view(acts, yo, n, ow), aux[a:a + n * 5 * T * h], aux[st:st + n * 3 * h],
                threads)


@njit(**JIT_INLINE)
def _gru_backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
                  threads):
    xo, iw, yo, ow, h, F, T, W, U = _arrays(s, ops, tens, op_in, params, 3)
    acc, need_dx = grad_flags(s, ops, op_in)
    a, g = aux_off[ops[s, SEQ]], aux_off[ops[s, TGN]]
    b = ops[s, BIAS]
    gru_backward(view(acts, xo, n, iw), W, U, b >= 0, ops[s, RETSEQ] != 0, view(dacts, yo, n, ow),
                 aux[a:a + n * 5 * T * h], view(grads, ops[s, KERNEL], F, 3 * h),
                 view(grads, ops[s, RKERNEL], h, 3 * h), weight_slice(grads, b, 6 * h), ops[s, H_TRAIN_W] != 0,
                 view(dacts, xo, n, iw), need_dx, acc, scratch, aux[g:g + T], threads)


CUDA = None     # not on CUDA yet (no core/kernels/cuda_recurrent.py): the pre-flight names the block


def scratch_size(plan, step: int, max_batch: int) -> int:
    """Elements of the executor's scratch this step's backward needs at ``max_batch`` rows."""
    name = _name_of(plan, step)
    return SCRATCH_SIZE[name](max_batch, int(plan.ops[step, UNITS]))


def _name_of(plan, step: int) -> str:
    code = int(plan.ops[step, H_OP])
    for sc in (RNN_SCHEMA, LSTM_SCHEMA, GRU_SCHEMA):
        if sc.opcode == code:
            return sc.name
    raise KeyError(f"step {step} is not a recurrent op")


def time_gradient_norms(executor, node_id: str) -> np.ndarray:
    """‖∂L/∂h_t‖₂ for t = 0 … T−1 (the total derivative: through the output at t and all later
    steps; mean over the batch's samples) of the recurrent block ``node_id``, as written by the
    latest backward pass (zeros before the first). Shape (T,), a copy, float64.

    Raises KeyError when ``node_id`` has no recurrent step in the executor's plan."""
    plan = executor.plan
    for s, nid in enumerate(plan.step_nodes):
        if nid == node_id and int(plan.ops[s, H_OP]) in (RNN_SCHEMA.opcode, LSTM_SCHEMA.opcode, GRU_SCHEMA.opcode):
            entry = int(plan.ops[s, TGN])
            size = plan.aux_entries[entry][0]
            off = int(executor.aux_off[entry])
            return np.asarray(executor.aux[off:off + size], dtype=np.float64).copy()
    raise KeyError(f"node {node_id!r} is not a SimpleRNN, LSTM or GRU block of this plan")


def recurrent_nodes(plan) -> list[str]:
    """Node ids of the plan's recurrent blocks, in plan order (for the time-gradient panel)."""
    codes = (RNN_SCHEMA.opcode, LSTM_SCHEMA.opcode, GRU_SCHEMA.opcode)
    return [plan.step_nodes[s] for s in range(len(plan.ops)) if int(plan.ops[s, H_OP]) in codes]


# ----------------------------------------------------------------------------- ONNX
def _onnx(kind):
    def convert(b, op, ins, out, opset):
        from ..blocks.recurrent import recurrent_to_onnx   # there: an edit to it recompiles no engine
        return recurrent_to_onnx(kind, b, op, ins, out, opset)
    return convert


OPS = (
    (RNN_SCHEMA, _rnn_forward, _rnn_backward, CUDA, _onnx("simple_rnn")),
    (LSTM_SCHEMA, _lstm_forward, _lstm_backward, CUDA, _onnx("lstm")),
    (GRU_SCHEMA, _gru_forward, _gru_backward, CUDA, _onnx("gru")),
)

__all__ = ["RNN_SCHEMA", "LSTM_SCHEMA", "GRU_SCHEMA", "GATES", "AUX_SIZE", "STATE_PER_SAMPLE", "ACT_TANH",
           "ACT_RELU", "scratch_size", "time_gradient_norms", "recurrent_nodes", "OPS", "CUDA"]
