"""SimpleRNN, LSTM and GRU (Keras layers, channels-last sequences (time steps, features)) — the
blocks and, below the ``# ---- the ops`` line, their ops (opcodes 50–52).

Each reads a sequence sample (T, F) and gives (T, units) with ``return_sequences``, else the last
step's hidden state (units,). Weights are Keras': kernel (F, G·units), recurrent_kernel
(units, G·units), bias (G·units) — GRU's bias is (2, 3·units): input row, recurrent row — with
G = 1, 4 (gates i, f, c, o) and 3 (gates z, r, h). Parameter counts equal Keras' summary:
SimpleRNN h·(F + h + 1), LSTM 4·h·(F + h + 1), GRU 3·h·(F + h + 2).

GRU: only ``reset_after=True`` (Keras' default since TF 2, and the formula PyTorch's nn.GRU uses:
the reset gate multiplies h·U_n + b_rec_n *after* the product, hence the second bias row). The
original Cho et al. form (reset_after=False, one bias, r applied to h before the product) is not
offered. PyTorch orders the GRU gates [r, z, n] where Keras has [z, r, h]; LSTM's order agrees
([i, f, g, o] = [i, f, c, o]); PyTorch keeps two biases where Keras keeps their sum.

The ops are here, written with core/ops/deferred.py, because start-up never loads numba: the
palette imports this module, and its ``@njit`` adapters and ``needs(...)`` kernels (core/kernels/
recurrent.py: fused gates, backward through time) become numba objects only when the op registry
materializes the module (before the engine is built).
"""
from __future__ import annotations

import numpy as np

from ..initializers import INITIALIZER_NAMES
from ..kernels.config import JIT_INLINE
from ..kernels.opcodes import ACT_RELU, ACT_TANH
from ..ops.deferred import needs, njit
from ..ops.schema import H_OP, H_TRAIN_W, Aux, OpSchema
from ..params import Param, ParamSet
from .base import Block, WeightSpec, initializer_params

view, io_of, grad_flags, weight_slice = needs("core.ops.common", "view", "io_of", "grad_flags", "weight_slice")
(simple_rnn_forward, simple_rnn_backward, lstm_forward, lstm_backward, gru_forward,
 gru_backward) = needs("core.kernels.recurrent", "simple_rnn_forward", "simple_rnn_backward", "lstm_forward",
                       "lstm_backward", "gru_forward", "gru_backward")

GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}   # weight blocks per step


def sequence_shape(shape: tuple[int, ...], block: str) -> tuple[int, int]:
    """(T, F) of a sequence sample, else a ValueError saying to insert a Reshape."""
    if len(shape) != 2:
        raise ValueError(f"{block} expects sequences (time steps, features); received shape {shape}. "
                         "Give the Input a shape like [T, F], or insert a Reshape before it.")
    return int(shape[0]), int(shape[1])


def _common_params(default_units: int) -> tuple[Param, ...]:
    return (
        Param("units", "int", default_units, minimum=1, maximum=100_000,
              doc="Size of the hidden state h_t (and of the output per time step)."),
        Param("return_sequences", "bool", False,
              doc="Output h_t for every time step (T, units) — needed before another recurrent layer — "
                  "instead of only the last one (units,)."),
        Param("use_bias", "bool", True, doc="Add a learned bias to every gate."),
        *initializer_params("kernel", "glorot_uniform"),
        Param("recurrent_initializer", "choice", "orthogonal",
              choices=INITIALIZER_NAMES,
              doc="How the recurrent weights (h_{t−1} → gates) start. Orthogonal (Keras' default) keeps "
                  "the norm of h through many steps at the start of training."),
        *initializer_params("bias", "zeros"),
        Param("l1", "float", 0.0, minimum=0.0, doc="L1 penalty l1·Σ|w| on the kernel (Keras)."),
        Param("l2", "float", 0.0, minimum=0.0, doc="L2 penalty l2·Σw² on the kernel (Keras)."),
        Param("trainable", "bool", True, doc="Untick to freeze: the weights get no updates."),
    )


class _Recurrent(Block):
    group = "Recurrent"
    has_weights = True
    key_params = ("units",)
    op_name = ""        # simple_rnn / lstm / gru

    @classmethod
    def output_shape(cls, params, input_shapes):
        T, _ = sequence_shape(input_shapes[0], cls.type_name)
        return (T, params["units"]) if params["return_sequences"] else (params["units"],)

    @classmethod
    def _bias_spec(cls, params, h):
        return WeightSpec("bias", (GATES[cls.op_name] * h,), params["bias_initializer"], {},
                          trainable=params["trainable"])

    @classmethod
    def weight_specs(cls, params, input_shapes):
        _, F = sequence_shape(input_shapes[0], cls.type_name)
        h, G, t = params["units"], GATES[cls.op_name], params["trainable"]
        specs = [WeightSpec("kernel", (F, G * h), params["kernel_initializer"], {}, trainable=t,
                            l1=params["l1"], l2=params["l2"]),
                 WeightSpec("recurrent_kernel", (h, G * h), params["recurrent_initializer"], {}, trainable=t)]
        if params["use_bias"]:
            specs.append(cls._bias_spec(params, h))
        return specs

    @classmethod
    def _act(cls, params) -> int:
        return ACT_TANH

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        T, F = sequence_shape(input_shapes[0], cls.type_name)
        h = params["units"]
        out = builder.new_tensor(T * h if params["return_sequences"] else h, node_id)
        name = cls.op_name
        aux_size, _ = kernel_sizes(name)
        builder.add_op(name, inputs, out, weights=builder.weight_offsets(node_id),
                       aux={"seq": aux_size(T, h), "state": STATE_PER_SAMPLE[name](h), "time_grad_norms": T},
                       ints={"units": h, "features": F, "return_sequences": int(params["return_sequences"]),
                             "act": cls._act(params)},
                       train_w=params["trainable"], node_id=node_id)
        return out

    @classmethod
    def torch_module(cls, gen, node_id, params):
        """nn.RNN / nn.LSTM / nn.GRU, batch_first (batch, T, F). Keras keeps one bias per gate where
        PyTorch keeps two (bias_ih + bias_hh): SimpleRNN's and LSTM's bias goes to bias_ih, and
        bias_hh is zero and frozen, so training takes NetDesigner's steps (a second trainable bias
        would double the bias' step). GRU (reset_after=True) has two biases in both: the rows map
        one to one. Gate orders: LSTM [i, f, c, o] is torch's [i, f, g, o]; GRU [z, r, h] is
        torch's [r, z, n] (the ``gru_*`` weight transforms swap the first two blocks)."""
        from ..torch_templates import NATIVE, TorchBlock, TorchExportError
        block_type = cls.type_name
        shape = gen.shape_in(node_id)
        if len(shape) != 2:
            raise TorchExportError(f"{block_type} expects sequences (time steps, features); received {shape}", node_id)
        features, h = shape[1], params["units"]
        v = gen.names[node_id]
        args = f"{features}, {h}, batch_first=True"
        if block_type == "SimpleRNN" and params.get("activation", "tanh") != "tanh":
            args += f", nonlinearity={params['activation']!r}"
        if not params["use_bias"]:
            args += ", bias=False"
        layout = "gru_kernel" if block_type == "GRU" else "transpose"
        gen.weight(f"{node_id}/kernel", f"{v}.weight_ih_l0", layout)
        gen.weight(f"{node_id}/recurrent_kernel", f"{v}.weight_hh_l0", layout)
        init: tuple[str, ...] = ()
        comment = (f": {features} features → {h} units per step; forward takes [0], the outputs of every step"
                   + ("" if params["return_sequences"] else ", and of those the last, [:, -1] (return_sequences off)"))
        if block_type == "GRU":
            comment += "; Keras' gates [z, r, h] are PyTorch's [r, z, n] (reset_after=True in both)"
            if params["use_bias"]:
                gen.weight(f"{node_id}/bias", (f"{v}.bias_ih_l0", f"{v}.bias_hh_l0"), "gru_bias")
        elif params["use_bias"]:
            gen.weight(f"{node_id}/bias", f"{v}.bias_ih_l0")
            init = ("nn.init.zeros_({m}.bias_hh_l0)  # Keras' one bias is bias_ih; PyTorch's second stays 0",
                    "{m}.bias_hh_l0.requires_grad_(False)")
        if params["l1"] or params["l2"]:
            comment += f"; kernel penalty l1={params['l1']:g}, l2={params['l2']:g} (see REGULARIZED)"
        call = "{m}({x})[0]"      # the outputs of every step, (batch, T, units)
        if not params["return_sequences"]:
            call += "[:, -1]"     # the last step's, as Keras' return_sequences=False
        return TorchBlock(f"{TORCH_RNN[block_type]}({args})", comment, call=call, reads=NATIVE, init=init)


class SimpleRNN(_Recurrent):
    """h_t = act(x_t·W + h_{t−1}·U + b): the plain recurrent layer."""
    type_name = "SimpleRNN"
    icon = "SimpleRNN"
    summary = ("The plain recurrent neural network layer: it reads a sequence (time steps, "
               "features) one step at a time and keeps a hidden state, h_t = tanh(x_t·W + "
               "h_{t−1}·U + b). Output: the last h_t (units,), or every h_t (time steps, "
               "units) with return_sequences. Weights as Keras counts them: units·(features + "
               "units + 1).")
    tip = ("It forgets fast: the gradient reaching step t is multiplied by U and tanh' once "
           "per later step, so over a long sequence it shrinks geometrically (the vanishing "
           "gradient through time; watch the dashboard's per-step gradient norms) and the "
           "early steps stop learning. For long-range dependencies use LSTM or GRU. Put "
           "return_sequences on when another recurrent layer follows.")
    op_name = "simple_rnn"
    params = ParamSet((
        *_common_params(8)[:2],
        Param("activation", "choice", "tanh", choices=("tanh", "relu"),
              doc="The state's non-linearity. tanh (Keras' default) keeps h_t in (−1, 1)."),
        *_common_params(8)[2:],
    ))

    @classmethod
    def _act(cls, params) -> int:
        return ACT_RELU if params["activation"] == "relu" else ACT_TANH


class LSTM(_Recurrent):
    """Long short-term memory: a cell state c_t carried through time, written and read through
    input, forget and output gates."""
    type_name = "LSTM"
    icon = "LSTM"
    summary = ("Long short-term memory (LSTM): a recurrent neural network layer with a cell "
               "state c_t beside the hidden state, written and read through three gates — "
               "input i, forget f, output o — plus a candidate c: c_t = f⊙c_{t−1} + i⊙c̃, h_t "
               "= o⊙tanh(c_t). Keras weights (gate order i, f, c, o): 4·units·(features + "
               "units + 1).")
    tip = ("Why gates help: along the cell state the gradient is multiplied only by the forget "
           "gate f, not by a weight matrix and a squashing slope at every step, so with f near "
           "1 it survives hundreds of time steps where a SimpleRNN's vanishes. "
           "unit_forget_bias (on, as in Keras) starts f's bias at 1 for that reason. PyTorch's "
           "nn.LSTM has the same gate order but two biases (their sum is Keras' one bias).")
    op_name = "lstm"
    params = ParamSet((
        *_common_params(8),
        Param("unit_forget_bias", "bool", True,
              doc="Start the forget gate's bias at 1 (Keras' default; Jozefowicz et al. 2015), so the "
                  "cell keeps its memory at the start of training."),
    ))

    @classmethod
    def _bias_spec(cls, params, h):
        init = {"unit_forget_bias": h} if params["unit_forget_bias"] else {}
        return WeightSpec("bias", (4 * h,), params["bias_initializer"], init, trainable=params["trainable"])


class GRU(_Recurrent):
    """Gated recurrent unit, Keras reset_after=True (= PyTorch nn.GRU): update gate z, reset gate r."""
    type_name = "GRU"
    icon = "GRU"
    summary = ("Gated recurrent unit (GRU): a recurrent neural network layer with two gates — "
               "update z and reset r — and no separate cell: h_t = z⊙h_{t−1} + (1 − z)⊙n with "
               "the candidate n = tanh(x_t·W_n + r⊙(h_{t−1}·U_n + b_rn) + b_n). Keras weights "
               "with reset_after=True: 3·units·(features + units + 2) (two bias rows).")
    tip = ("Where z is near 1 the state is copied forward unchanged, so the gradient passes "
           "through time like along an LSTM's cell state, with fewer weights. Convention: this "
           "is Keras' reset_after=True (its default since TF 2) and exactly PyTorch's nn.GRU, "
           "but PyTorch orders the gates [r, z, n] where Keras has [z, r, h]; the older "
           "reset_after=False form (reset before the product, one bias) is not offered.")
    op_name = "gru"
    params = ParamSet(_common_params(8))

    @classmethod
    def _bias_spec(cls, params, h):
        return WeightSpec("bias", (2, 3 * h), params["bias_initializer"], {}, trainable=params["trainable"])


BLOCKS = (SimpleRNN, LSTM, GRU)

# each block's torch.nn twin in the PyTorch export (``_Recurrent.torch_module``)
TORCH_RNN = {"SimpleRNN": "nn.RNN", "LSTM": "nn.LSTM", "GRU": "nn.GRU"}


# ---- the ops --------------------------------------------------------------------------------------
# simple_rnn, lstm, gru: thin adapters from a plan step to the kernels of core/kernels/recurrent.py.
# Fields (by name, core/ops/schema.py):
# - weights kernel (F, G·h), recurrent_kernel (h, G·h), bias (G·h; GRU (2, 3h)), -1 without bias;
# - ints units (h), features (F), return_sequences, act (SimpleRNN: ACT_TANH / ACT_RELU);
# - aux ``seq`` (per sample, the kernel's aux: gates and states of every step, kept from forward to
#   backward), ``state`` (per sample, the forward's scratch: LSTM's c_T, GRU's h·U + b_rec) and
#   ``time_grad_norms`` (fixed, T values): backward writes the mean over the batch of ‖∂L/∂h_t‖₂
#   for t = 0 … T−1 there — read it with ``time_gradient_norms(executor, node_id)``.
# Backward uses the executor's scratch, sized by ``scratch_size``. The time length T is the input
# width over F. Not on CUDA yet (``CUDA = None``): the pre-flight refuses a CUDA run by block name.

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


def kernel_sizes(name: str):
    """The (aux per sample (T, h), scratch (n, h)) size functions of op ``name``'s kernels —
    imported when a plan is built, not with this module (core/kernels/recurrent.py loads numba)."""
    from ..kernels import recurrent
    return getattr(recurrent, f"{name}_aux_size"), getattr(recurrent, f"{name}_scratch_size")


def scratch_size(plan, step: int, max_batch: int) -> int:
    """Elements of the executor's scratch this step's backward needs at ``max_batch`` rows
    (core/executor.py asks each op module that has one)."""
    _, size = kernel_sizes(_name_of(plan, step))
    return size(max_batch, int(plan.ops[step, UNITS]))


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


# ----------------------------------------------------------------------------- ONNX (ops 50-52)
_ONNX_OP = {"simple_rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def _onnx_gates(kind: str, a: np.ndarray, h: int) -> np.ndarray:
    """Keras gate blocks along the last axis → ONNX's order: LSTM [i f c o] → [i o f c];
    GRU [z r h] is ONNX's [z r h]; SimpleRNN has one block."""
    if kind != "lstm":
        return a
    i, f, c, o = (a[..., k * h:(k + 1) * h] for k in range(4))
    return np.concatenate([i, o, f, c], axis=-1)


def recurrent_to_onnx(kind: str, b, op, ins, out, opset):
    """ONNX RNN / LSTM / GRU (forward, one layer). The flat [N, T·F] tensor is reshaped to
    [N, T, F] and transposed to ONNX's [T, N, F] (layout 0, the layout every runtime implements;
    layout=1 is newer and optional); W [1, G·h, F] = kernelᵀ, R [1, G·h, h] = recurrent_kernelᵀ, B [1, 2·G·h] = [input
    bias, recurrent bias] — Keras' one bias as the input half and zeros (GRU: its two rows), gates
    reordered for LSTM. GRU: linear_before_reset=1 (Keras reset_after=True). Output Y [T, 1, N, h]
    → [N, T·h], or its last step [N, h] without return_sequences."""
    nid, h, F = op.node_id, op.int("units"), op.int("features")
    T = op.plan.tensor_widths[op.inputs[0]] // F
    W = _onnx_gates(kind, np.asarray(op.weight("kernel")), h).T[None]
    R = _onnx_gates(kind, np.asarray(op.weight("recurrent_kernel")), h).T[None]
    inputs = [b.node("Transpose", [b.node("Reshape", [ins[0], b.init(f"{nid}/seq_shape", [0, T, F], np.int64)],
                                          f"{out}/seq")], f"{out}/time_major", perm=[1, 0, 2]),
              b.init(f"{nid}/W", W), b.init(f"{nid}/R", R)]
    bias = op.weight("bias")
    if bias is not None:
        bias = np.asarray(bias).reshape(-1)
        if kind == "gru":
            rows = bias.reshape(2, -1)
        else:
            rows = np.stack([_onnx_gates(kind, bias, h), np.zeros_like(bias)])
        inputs.append(b.init(f"{nid}/B", rows.reshape(1, -1)))
    attrs = {"hidden_size": h}
    if kind == "simple_rnn":
        attrs["activations"] = ["Relu" if op.int("act") == ACT_RELU else "Tanh"]
    if kind == "gru":
        attrs["linear_before_reset"] = 1
    y = b.node(_ONNX_OP[kind], inputs, f"{out}/Y", **attrs)                       # [T, 1, N, h]
    y = b.node("Squeeze", [y, b.init(f"{nid}/axis1", [1], np.int64)], f"{out}/Y3")  # [T, N, h]
    if op.int("return_sequences"):
        y = b.node("Transpose", [y], f"{out}/batch_major", perm=[1, 0, 2])
        return b.node("Reshape", [y, b.init(f"{nid}/out_shape", [0, T * h], np.int64)], out)
    y = b.node("Gather", [y, b.init(f"{nid}/last", [T - 1], np.int64)], f"{out}/last_step", axis=0)  # [1, N, h]
    return b.node("Squeeze", [y, b.init(f"{nid}/axis0", [0], np.int64)], out)


def _onnx(kind):
    def convert(b, op, ins, out, opset):
        return recurrent_to_onnx(kind, b, op, ins, out, opset)
    return convert


OPS = (
    (RNN_SCHEMA, _rnn_forward, _rnn_backward, CUDA, _onnx("simple_rnn")),
    (LSTM_SCHEMA, _lstm_forward, _lstm_backward, CUDA, _onnx("lstm")),
    (GRU_SCHEMA, _gru_forward, _gru_backward, CUDA, _onnx("gru")),
)
