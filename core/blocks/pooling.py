"""MaxPool2D, AveragePool2D and GlobalAveragePool2D: downsampling of images (H, W, C),
channels-last, TensorFlow/Keras conventions (strides default to the pool size; a 'same' max pool
ignores the padding, a 'same' average divides by the image elements in the window only) — the
blocks and, below them, their three ops (opcodes 41–43; kernels: core/kernels/pool.py,
cuda_conv.py).

The ops are here, written with core/ops/deferred.py, because start-up never loads numba: the
palette imports this module, and its ``@njit`` adapters and ``needs(...)`` kernels become numba
objects only when the op registry materializes the module (before the engine is built).
"""
from __future__ import annotations

from ..kernels.config import JIT_INLINE
from ..ops.deferred import needs, njit
from ..ops.schema import Aux, CudaSupport, OpSchema
from ..params import Param, ParamSet
from .base import Block
from .conv import (GEOMETRY, explicit_pads, flat_output, geometry_of, image_shape, nchw_input, pair, torch_pads,
                   torch_padding_note, window_geometry)

view, io_of, grad_flags = needs("core.ops.common", "view", "io_of", "grad_flags")
(maxpool2d_forward, maxpool2d_backward, avgpool2d_forward, avgpool2d_backward, global_avgpool2d_forward,
 global_avgpool2d_backward) = needs("core.kernels.pool", "maxpool2d_forward", "maxpool2d_backward",
                                    "avgpool2d_forward", "avgpool2d_backward", "global_avgpool2d_forward",
                                    "global_avgpool2d_backward")
cuda_conv = needs("core.kernels.cuda_conv")


# ----------------------------------------------------------------------------- the blocks

class _Pool2D(Block):
    group = "Convolution"
    op_name = ""
    params = ParamSet((
        Param("pool_size", "shape", (2, 2), doc="Window height and width: one size, or [height, width]."),
        Param("strides", "int", 0, minimum=0, maximum=10_000,
              doc="Step of the window; 0 = the pool size (Keras' default: windows that do not overlap)."),
        Param("padding", "choice", "valid", choices=("valid", "same"),
              doc="'valid': windows inside the image only; 'same': out = ceil(in / stride).",
              convention="TensorFlow 'same': padded positions are ignored, not counted as zeros"),
    ))
    key_params = ("pool_size",)

    @classmethod
    def geometry(cls, params, input_shapes) -> dict[str, int]:
        name = cls.type_name
        hwc = image_shape(input_shapes[0], name)
        k = pair(params["pool_size"], "pool_size", name)
        stride = k if params["strides"] == 0 else pair(params["strides"], "strides", name)
        return window_geometry(name, hwc, k, stride, params["padding"], what="pool size")

    @classmethod
    def output_shape(cls, params, input_shapes):
        g = cls.geometry(params, input_shapes)
        return (g["oh"], g["ow"], g["c_in"])

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        g = cls.geometry(params, input_shapes)
        width = g["oh"] * g["ow"] * g["c_in"]
        out = builder.new_tensor(width, node_id)
        aux = {"argmax": width} if cls.op_name == "maxpool2d" else None
        builder.add_op(cls.op_name, inputs, out, aux=aux, ints=g, node_id=node_id)
        return out

    @classmethod
    def torch_module(cls, gen, node_id, params):
        """nn.MaxPool2d / nn.AvgPool2d on NCHW where TensorFlow's 'same' padding is symmetric
        (PyTorch pads a max pool with −inf, and count_include_pad=False leaves the padding out of
        an average: both ignore it, as TensorFlow does); else the helper class SamePool2d."""
        from ..torch_templates import NCHW, TorchBlock
        g = cls.geometry(params, [gen.shape_in(node_id)])
        top, bottom, left, right = torch_pads(g)
        k, s = f"({g['kh']}, {g['kw']})", f"({g['sh']}, {g['sw']})"
        if top == bottom and left == right:
            if cls.torch_kind == "max":
                return TorchBlock(f"nn.MaxPool2d({k}, stride={s}, padding=({top}, {left}))", reads=NCHW)
            return TorchBlock(f"nn.AvgPool2d({k}, stride={s}, padding=({top}, {left}), count_include_pad=False)",
                              ": padded positions are not counted (TensorFlow's 'same')" if top or left else "",
                              reads=NCHW)
        gen.helpers.add("SamePool2d")
        return TorchBlock(f"SamePool2d({cls.torch_kind!r}, {k}, {s}, ({left}, {right}, {top}, {bottom}))",
                          ": " + torch_padding_note(top, bottom, left, right), reads=NCHW)


class MaxPool2D(_Pool2D):
    """Keeps the largest value of each window, per channel: smaller maps that keep strong responses."""
    type_name, icon, op_name = "MaxPool2D", "MaxPool2D", "maxpool2d"
    torch_kind = "max"          # SamePool2d's kind in the PyTorch export
    summary = ("Max pooling: keeps the largest value of each window, channel by channel, so "
               "the image gets smaller and strong responses survive.")
    tip = ("The usual 2×2 window halves height and width and has no weights. With 'same' "
           "padding the padded positions are ignored, as in TensorFlow.")


class AveragePool2D(_Pool2D):
    """Averages each window, per channel."""
    type_name, icon, op_name = "AveragePool2D", "AveragePool2D", "avgpool2d"
    torch_kind = "avg"
    summary = "Average pooling: replaces each window by its mean, channel by channel."
    tip = ("Smoother than max pooling. With 'same' padding it divides by the image values in "
           "the window only (TensorFlow's rule; PyTorch counts the zeros unless "
           "count_include_pad=False).")


class GlobalAveragePool2D(Block):
    """Averages each channel over the whole image: (H, W, C) → (C,)."""
    type_name = "GlobalAveragePool2D"
    group = "Convolution"
    icon = "GlobalAveragePool2D"
    summary = ("Global average pooling: the mean of each channel over the whole image, (H, W, "
               "C) → (C,).")
    tip = ("A light alternative to Flatten before the last Dense layer: no weights, and the "
           "output does not depend on the image size.")

    @classmethod
    def output_shape(cls, params, input_shapes):
        return (image_shape(input_shapes[0], cls.type_name)[2],)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        h, w, c = image_shape(input_shapes[0], cls.type_name)
        return emit_mean_over_positions(builder, node_id, inputs, h * w, c)

    @classmethod
    def torch_module(cls, gen, node_id, params):
        """An expression on the NCHW tensor a Conv2D or pool leaves: the mean over H and W."""
        from ..torch_templates import NATIVE, NCHW, TorchBlock
        return TorchBlock(None, call="{x}.mean(dim=(2, 3))", reads=NCHW, writes=NATIVE)


BLOCKS = (MaxPool2D, AveragePool2D, GlobalAveragePool2D)


def emit_mean_over_positions(builder, node_id, inputs, positions, channels):
    """The global_avgpool2d step: the mean over `positions` (H·W, or a sequence's T) per channel.
    GlobalAveragePool1D (core/blocks/sequence_pooling.py) emits it too."""
    out = builder.new_tensor(channels, node_id)
    builder.add_op("global_avgpool2d", inputs, out, ints={"hw": positions, "channels": channels}, node_id=node_id)
    return out


# ---- the ops ---------------------------------------------------------------------------------------
# maxpool2d, avgpool2d, global_avgpool2d (opcodes 41–43): named fields, CPU adapters on
# core/kernels/pool.py, CUDA launchers on core/kernels/cuda_conv.py, ONNX conversions.

# The window fields are named as Conv2D's (kh/kw: the pool size, c_in: the channels).
SCHEMA_MAX = OpSchema("maxpool2d", 41, aux=(Aux("argmax", per_sample=True),), ints=GEOMETRY,
                      doc="argmax: index of each window's winner inside its sample (float), for the backward.")
SCHEMA_AVG = OpSchema("avgpool2d", 42, ints=GEOMETRY, doc="Mean over each window's image elements.")
SCHEMA_GAP = OpSchema("global_avgpool2d", 43, ints=("hw", "channels"), doc="Mean over H·W per channel.")

ARGMAX = SCHEMA_MAX.col("argmax")
M_H, M_W, M_C, M_KH, M_KW, M_SH, M_SW, M_PT, M_PL, M_OH, M_OW = (SCHEMA_MAX.col(n) for n in GEOMETRY)
A_H, A_W, A_C, A_KH, A_KW, A_SH, A_SW, A_PT, A_PL, A_OH, A_OW = (SCHEMA_AVG.col(n) for n in GEOMETRY)
G_HW, G_C = SCHEMA_GAP.col("hw"), SCHEMA_GAP.col("channels")


# ----------------------------------------------------------------------------- CPU adapters

@njit(**JIT_INLINE)
def max_forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow_ = io_of(s, ops, op_in, tens)
    a = aux_off[ops[s, ARGMAX]]
    maxpool2d_forward(view(acts, xo, n, iw), view(acts, yo, n, ow_), view(aux, a, n, ow_),
                      ops[s, M_H], ops[s, M_W], ops[s, M_C], ops[s, M_KH], ops[s, M_KW], ops[s, M_SH],
                      ops[s, M_SW], ops[s, M_PT], ops[s, M_PL], ops[s, M_OH], ops[s, M_OW], threads)


@njit(**JIT_INLINE)
def max_backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
                 threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if need_dx:
        xo, iw, yo, ow_ = io_of(s, ops, op_in, tens)
        a = aux_off[ops[s, ARGMAX]]
        maxpool2d_backward(view(dacts, yo, n, ow_), view(aux, a, n, ow_), view(dacts, xo, n, iw), acc,
                           ops[s, M_H], ops[s, M_W], ops[s, M_C], ops[s, M_OH], ops[s, M_OW], threads)


@njit(**JIT_INLINE)
def avg_forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow_ = io_of(s, ops, op_in, tens)
    avgpool2d_forward(view(acts, xo, n, iw), view(acts, yo, n, ow_),
                      ops[s, A_H], ops[s, A_W], ops[s, A_C], ops[s, A_KH], ops[s, A_KW], ops[s, A_SH],
                      ops[s, A_SW], ops[s, A_PT], ops[s, A_PL], ops[s, A_OH], ops[s, A_OW], threads)


@njit(**JIT_INLINE)
def avg_backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
                 threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if need_dx:
        xo, iw, yo, ow_ = io_of(s, ops, op_in, tens)
        avgpool2d_backward(view(dacts, yo, n, ow_), view(dacts, xo, n, iw), acc,
                           ops[s, A_H], ops[s, A_W], ops[s, A_C], ops[s, A_KH], ops[s, A_KW], ops[s, A_SH],
                           ops[s, A_SW], ops[s, A_PT], ops[s, A_PL], ops[s, A_OH], ops[s, A_OW], threads)


@njit(**JIT_INLINE)
def gap_forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow_ = io_of(s, ops, op_in, tens)
    global_avgpool2d_forward(view(acts, xo, n, iw), view(acts, yo, n, ow_), ops[s, G_HW], ops[s, G_C], threads)


@njit(**JIT_INLINE)
def gap_backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
                 threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if need_dx:
        xo, iw, yo, ow_ = io_of(s, ops, op_in, tens)
        global_avgpool2d_backward(view(dacts, yo, n, ow_), view(dacts, xo, n, iw), acc, ops[s, G_HW],
                                  ops[s, G_C], threads)


# ----------------------------------------------------------------------------- CUDA launchers

_MAX_COLS = (M_H, M_W, M_C, M_KH, M_KW, M_SH, M_SW, M_PT, M_PL, M_OH, M_OW)
_AVG_COLS = (A_H, A_W, A_C, A_KH, A_KW, A_SH, A_SW, A_PT, A_PL, A_OH, A_OW)


def _cuda_max_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, _), (oo, _) = ex.io(s)
    cuda_conv.maxpool2d_forward(A, io, oo, ex.d_aux, int(ex.aux_off[row[ARGMAX]]), n, *geometry_of(row, _MAX_COLS))


def _cuda_max_backward(ex, s, row, n, P, G, A, D):
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, _), (oo, _) = ex.io(s)
        cuda_conv.maxpool2d_backward(D, oo, io, ex.d_aux, int(ex.aux_off[row[ARGMAX]]), acc, n,
                                     *geometry_of(row, _MAX_COLS))


def _cuda_avg_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, _), (oo, _) = ex.io(s)
    cuda_conv.avgpool2d_forward(A, io, oo, n, *geometry_of(row, _AVG_COLS))


def _cuda_avg_backward(ex, s, row, n, P, G, A, D):
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, _), (oo, _) = ex.io(s)
        cuda_conv.avgpool2d_backward(D, oo, io, acc, n, *geometry_of(row, _AVG_COLS))


def _cuda_gap_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, _), (oo, _) = ex.io(s)
    cuda_conv.global_avgpool2d_forward(A, io, oo, n, int(row[G_HW]), int(row[G_C]))


def _cuda_gap_backward(ex, s, row, n, P, G, A, D):
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, _), (oo, _) = ex.io(s)
        cuda_conv.global_avgpool2d_backward(D, oo, io, acc, n, int(row[G_HW]), int(row[G_C]))


# ----------------------------------------------------------------------------- ONNX

def _pool_to_onnx(kind, **extra):
    def convert(b, op, ins, out, opset):
        hwc = (op.int("h_in"), op.int("w_in"), op.int("c_in"))
        x = nchw_input(b, op, ins[0], hwc)
        y = b.node(kind, [x], f"{op.node_id}/nchw", kernel_shape=[op.int("kh"), op.int("kw")],
                   strides=[op.int("sh"), op.int("sw")], pads=explicit_pads(op), **extra)
        return flat_output(b, op, y, (op.int("oh"), op.int("ow"), op.int("c_in")), out)
    convert.__doc__ = f"{kind} on NCHW with TensorFlow's 'same' pads made explicit."
    return convert


def gap_to_onnx(b, op, ins, out, opset):
    """ReduceMean over H and W of the NCHW tensor a previous image op left, else over H·W of
    the flat (N, H·W·C) tensor seen as (N, H·W, C): no transpose either way."""
    hw, c = op.int("hw"), op.int("channels")
    known = getattr(b, "nchw", {}).get(ins[0])
    if known is not None and known[1][0] * known[1][1] == hw and known[1][2] == c:
        axes = b.init(f"{op.node_id}/axes", [2, 3], "int64")
        return b.node("ReduceMean", [known[0], axes], out, keepdims=0)
    shape = b.init(f"{op.node_id}/shape", [-1, hw, c], "int64")
    x = b.node("Reshape", [ins[0], shape], f"{op.node_id}/nlc")
    axes = b.init(f"{op.node_id}/axes", [1], "int64")
    return b.node("ReduceMean", [x, axes], out, keepdims=0)


OPS = ((SCHEMA_MAX, max_forward, max_backward, CudaSupport(_cuda_max_forward, _cuda_max_backward),
        _pool_to_onnx("MaxPool")),
       (SCHEMA_AVG, avg_forward, avg_backward, CudaSupport(_cuda_avg_forward, _cuda_avg_backward),
        _pool_to_onnx("AveragePool", count_include_pad=0)),
       (SCHEMA_GAP, gap_forward, gap_backward, CudaSupport(_cuda_gap_forward, _cuda_gap_backward), gap_to_onnx))
