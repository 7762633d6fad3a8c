"""SimpleRNN, LSTM and GRU (Keras layers, channels-last sequences (time steps, features)).

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

The ops (opcodes 50–52) and the per-time-step gradient norms live in core/ops/recurrent.py; their ONNX
conversion is here (an edit to it then recompiles no engine: core/kernels/engine.py hashes the op
modules' sources).
"""
from __future__ import annotations

import numpy as np

from ..initializers import INITIALIZER_NAMES
from ..params import Param, ParamSet
from .base import Block, WeightSpec, initializer_params
from ..kernels.opcodes import ACT_RELU, ACT_TANH   # numba-free: the palette imports this module

GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}   # weight blocks per step (core/ops/recurrent.py reads it)


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
        from ..ops.recurrent import AUX_SIZE, STATE_PER_SAMPLE   # here, not at import: it loads numba
        builder.add_op(name, inputs, out, weights=builder.weight_offsets(node_id),
                       aux={"seq": AUX_SIZE[name](T, h), "state": STATE_PER_SAMPLE[name](h), "time_grad_norms": T},
                       ints={"units": h, "features": F, "return_sequences": int(params["return_sequences"]),
                             "act": cls._act(params)},
                       train_w=params["trainable"], node_id=node_id)
        return out


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


BLOCKS = (SimpleRNN, LSTM, GRU)
