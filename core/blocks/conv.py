"""Conv2D: a 2-D convolution over images (height, width, channels), channels-last as Keras — the
block and, below it, its op (conv2d, opcode 40).

The kernel is Keras' (kh, kw, C_in, filters); the engine runs it as im2col + a product
(core/kernels/conv.py), reading it as the (kh·kw·C_in, filters) matrix of the same memory.
'same' padding is TensorFlow's: out = ceil(size / stride), the odd padded row/column at the
bottom/right. Parameters: (kh·kw·C_in + 1)·filters, as Keras' model.summary() counts them.

The op is here, written with core/ops/deferred.py, because start-up never loads numba: the palette
imports this module, and its ``@njit`` adapters and ``needs(...)`` kernels become numba objects only
when the op registry materializes the module (before the engine is built). The ONNX image helpers
(``nchw_input``, ``flat_output``, ``explicit_pads``) are shared with the pools (pooling.py).
"""
from __future__ import annotations

from ..kernels.config import JIT_INLINE
from ..kernels.shapes import conv2d_cols_per_sample, conv2d_fixed_scratch_size, conv_output_size
from ..ops.deferred import needs, njit
from ..ops.schema import H_TRAIN_W, Aux, CudaSupport, OpSchema
from ..params import Param, ParamSet
from .base import Block, WeightSpec, initializer_params

view, io_of, grad_flags, weight_slice = needs("core.ops.common", "view", "io_of", "grad_flags", "weight_slice")
conv2d_forward, conv2d_backward = needs("core.kernels.conv", "conv2d_forward", "conv2d_backward")
cuda_conv = needs("core.kernels.cuda_conv")


# ----------------------------------------------------------------------------- shape helpers

def image_shape(shape: tuple[int, ...], block: str) -> tuple[int, int, int]:
    """(H, W, C) of an image sample, else a ValueError that says what to insert."""
    if len(shape) != 3:
        raise ValueError(f"{block} expects images (height, width, channels). Received shape {tuple(shape)}; "
                         "insert a Reshape block before it (e.g. to (8, 8, 1)).")
    return int(shape[0]), int(shape[1]), int(shape[2])


def pair(value, name: str, block: str) -> tuple[int, int]:
    """An int or [a, b] parameter as (a, b) (Keras accepts both)."""
    v = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    if len(v) == 1:
        return int(v[0]), int(v[0])
    if len(v) == 2:
        return int(v[0]), int(v[1])
    raise ValueError(f"{block} expects `{name}` as one size or [height, width]. Received {list(v)}")


def window_geometry(block: str, hwc, k, stride, padding, what: str = "kernel") -> dict[str, int]:
    """The kernels' geometry fields of a window op (Conv2D, the pools) on an (H, W, C) input,
    refusing a 'valid' window larger than the image."""
    h, w, c = hwc
    (kh, kw), (sh, sw) = k, stride
    oh, pt, _ = conv_output_size(h, kh, sh, padding)
    ow, pl, _ = conv_output_size(w, kw, sw, padding)
    if oh < 1 or ow < 1:
        raise ValueError(f"{block}'s {what} ({kh}, {kw}) is larger than its input image ({h}, {w}) with "
                         "padding 'valid'; use a smaller size or padding 'same'")
    return dict(h_in=h, w_in=w, c_in=c, kh=kh, kw=kw, sh=sh, sw=sw, pad_top=pt, pad_left=pl, oh=oh, ow=ow)


# ----------------------------------------------------------------------------- the block

class Conv2D(Block):
    """2-D convolution: `filters` learned kernels slide over the image; each output channel is one
    kernel's response at every position."""

    type_name = "Conv2D"
    group = "Convolution"
    icon = "Conv2D"
    summary = ("Convolution: slides `filters` small learned kernels over an image (height, "
               "width, channels); each filter gives one output channel. Weights (kh, kw, C_in, "
               "filters) plus one bias per filter, as Keras counts them.")
    tip = ("Start with 3×3 kernels and 'same' padding; stack Conv2D → ReLU → MaxPool2D and let "
           "the filters grow as the image shrinks. A stride of 2 halves the image. It needs an "
           "(H, W, C) input: put a Reshape after flat data.")
    has_weights = True
    params = ParamSet((
        Param("filters", "int", 8, minimum=1, maximum=100_000, doc="Number of kernels (output channels)."),
        Param("kernel_size", "shape", (3, 3), doc="Kernel height and width: one size, or [height, width]."),
        Param("strides", "shape", (1, 1), doc="Step of the kernel: one size, or [vertical, horizontal]."),
        Param("padding", "choice", "valid", choices=("valid", "same"),
              doc="'valid': no padding (the image shrinks); 'same': zero padding so out = ceil(in / stride).",
              convention="TensorFlow 'same': an odd padding puts the extra row/column at the bottom/right"),
        Param("use_bias", "bool", True, doc="Add a learned bias to each output channel."),
        *initializer_params("kernel", "glorot_uniform"),
        *initializer_params("bias", "zeros"),
        Param("l1", "float", 0.0, minimum=0.0, doc="L1 penalty l1·Σ|w| on the kernel (Keras)."),
        Param("l2", "float", 0.0, minimum=0.0, doc="L2 penalty l2·Σw² on the kernel (Keras)."),
        Param("trainable", "bool", True, doc="Untick to freeze: the weights get no updates."),
    ))
    key_params = ("filters", "kernel_size")

    @classmethod
    def geometry(cls, params, input_shapes) -> dict[str, int]:
        hwc = image_shape(input_shapes[0], "Conv2D")
        return window_geometry("Conv2D", hwc, pair(params["kernel_size"], "kernel_size", "Conv2D"),
                               pair(params["strides"], "strides", "Conv2D"), params["padding"])

    @classmethod
    def output_shape(cls, params, input_shapes):
        g = cls.geometry(params, input_shapes)
        return (g["oh"], g["ow"], params["filters"])

    @classmethod
    def weight_specs(cls, params, input_shapes):
        g = cls.geometry(params, input_shapes)
        t, f = params["trainable"], params["filters"]
        specs = [WeightSpec("kernel", (g["kh"], g["kw"], g["c_in"], f), params["kernel_initializer"], {},
                            trainable=t, l1=params["l1"], l2=params["l2"])]
        if params["use_bias"]:
            specs.append(WeightSpec("bias", (f,), params["bias_initializer"], {}, trainable=t))
        return specs

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        g = cls.geometry(params, input_shapes)
        f = params["filters"]
        out = builder.new_tensor(g["oh"] * g["ow"] * f, node_id)
        cols = conv2d_cols_per_sample(g["oh"], g["ow"], g["kh"], g["kw"], g["c_in"])
        scratch = conv2d_fixed_scratch_size(g["oh"], g["ow"], g["kh"], g["kw"], g["c_in"], f)
        builder.add_op("conv2d", inputs, out, weights=builder.weight_offsets(node_id),
                       aux={"cols": cols, "scratch": scratch}, ints={**g, "filters": f},
                       train_w=params["trainable"], node_id=node_id)
        return out

    @classmethod
    def torch_module(cls, gen, node_id, params):
        """nn.Conv2d on NCHW (the generator permutes around it). TensorFlow's 'same' padding is
        nn.Conv2d's own padding= where it is symmetric; otherwise an explicit nn.ZeroPad2d
        before the convolution puts the odd row/column at the bottom/right."""
        from ..torch_templates import NCHW, TorchBlock
        g = cls.geometry(params, [gen.shape_in(node_id)])
        v = gen.names[node_id]
        top, bottom, left, right = torch_pads(g)
        f = params["filters"]
        bias = "" if params["use_bias"] else ", bias=False"
        geometry = f"kernel_size=({g['kh']}, {g['kw']}), stride=({g['sh']}, {g['sw']})"
        comment = f": {g['c_in']} → {f} channels, NHWC in NetDesigner, NCHW here"
        if params["l1"] or params["l2"]:
            comment += f"; kernel penalty l1={params['l1']:g}, l2={params['l2']:g} (see REGULARIZED)"
        if top == bottom and left == right:
            conv = f"nn.Conv2d({g['c_in']}, {f}, {geometry}, padding=({top}, {left}){bias})"
            attr = v
        else:      # the odd row/column at the bottom/right: PyTorch's padding= is symmetric
            conv = (f"nn.Sequential(nn.ZeroPad2d(({left}, {right}, {top}, {bottom})), "
                    f"nn.Conv2d({g['c_in']}, {f}, {geometry}{bias}))")
            attr = f"{v}.1"
            comment += "; " + torch_padding_note(top, bottom, left, right)
        gen.weight(f"{node_id}/kernel", f"{attr}.weight", "conv2d")
        if params["use_bias"]:
            gen.weight(f"{node_id}/bias", f"{attr}.bias")
        return TorchBlock(conv, comment, reads=NCHW)


BLOCKS = (Conv2D,)


def torch_pads(g: dict[str, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of a window op's geometry (``window_geometry``), for the PyTorch
    export (shared with the pools)."""
    bottom = max((g["oh"] - 1) * g["sh"] + g["kh"] - g["h_in"], 0) - g["pad_top"]
    right = max((g["ow"] - 1) * g["sw"] + g["kw"] - g["w_in"], 0) - g["pad_left"]
    return g["pad_top"], bottom, g["pad_left"], right


def torch_padding_note(top, bottom, left, right) -> str:
    """The generated module's comment on a padding PyTorch's symmetric padding= cannot say."""
    return f"TensorFlow 'same' pads top {top}, bottom {bottom}, left {left}, right {right}"


# ---- the op ----------------------------------------------------------------------------------------
# conv2d (opcode 40): named fields, CPU adapters on core/kernels/conv.py, CUDA launchers on
# core/kernels/cuda_conv.py, the ONNX conversion (NCHW).

GEOMETRY = ("h_in", "w_in", "c_in", "kh", "kw", "sh", "sw", "pad_top", "pad_left", "oh", "ow")

SCHEMA = OpSchema("conv2d", 40, weights=("kernel", "bias"),
                  aux=(Aux("cols", per_sample=True), Aux("scratch", per_sample=False)),
                  ints=(*GEOMETRY, "filters"),
                  doc="NHWC convolution; cols: the im2col matrix kept for the backward; scratch: the "
                      "gather table and the transposed kernel (kernels/conv.py).")
KERNEL, BIAS = SCHEMA.col("kernel"), SCHEMA.col("bias")
COLS, SCRATCH = SCHEMA.col("cols"), SCHEMA.col("scratch")
H_IN, W_IN, C_IN, KH, KW = (SCHEMA.col(n) for n in GEOMETRY[:5])
SH, SW, PT, PL, OH, OW = (SCHEMA.col(n) for n in GEOMETRY[5:])
FILTERS = SCHEMA.col("filters")


# ----------------------------------------------------------------------------- CPU adapters

@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow_ = io_of(s, ops, op_in, tens)
    kh, kw, c_in, f = ops[s, KH], ops[s, KW], ops[s, C_IN], ops[s, FILTERS]
    oh, ow = ops[s, OH], ops[s, OW]
    k = kh * kw * c_in
    b = ops[s, BIAS]
    c0, s0 = aux_off[ops[s, COLS]], aux_off[ops[s, SCRATCH]]
    conv2d_forward(view(acts, xo, n, iw), view(params, ops[s, KERNEL], k, f), weight_slice(params, b, f), b >= 0,
                   view(acts, yo, n, ow_), aux[c0:c0 + n * oh * ow * k], aux[s0:s0 + k * (oh * ow + f)],
                   ops[s, H_IN], ops[s, W_IN], c_in, kh, kw, ops[s, SH], ops[s, SW], ops[s, PT], ops[s, PL],
                   oh, ow, threads)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    xo, iw, yo, ow_ = io_of(s, ops, op_in, tens)
    acc, need_dx = grad_flags(s, ops, op_in)
    need_dw = ops[s, H_TRAIN_W] != 0
    if not (need_dx or need_dw):
        return
    kh, kw, c_in, f = ops[s, KH], ops[s, KW], ops[s, C_IN], ops[s, FILTERS]
    oh, ow = ops[s, OH], ops[s, OW]
    k = kh * kw * c_in
    w, b = ops[s, KERNEL], ops[s, BIAS]
    c0, s0 = aux_off[ops[s, COLS]], aux_off[ops[s, SCRATCH]]
    conv2d_backward(view(params, w, k, f), view(dacts, yo, n, ow_), view(grads, w, k, f),
                    weight_slice(grads, b, f), b >= 0, need_dw, view(dacts, xo, n, iw), need_dx, acc,
                    aux[c0:c0 + n * oh * ow * k], aux[s0:s0 + k * (oh * ow + f)],
                    ops[s, H_IN], ops[s, W_IN], c_in, kh, kw, ops[s, SH], ops[s, SW], ops[s, PT], ops[s, PL],
                    oh, ow, threads)


# ----------------------------------------------------------------------------- CUDA launchers

def geometry_of(row, cols) -> tuple[int, ...]:
    """The geometry fields of a plan row, in the kernels' argument order."""
    return tuple(int(row[c]) for c in cols)


_GEOMETRY_COLS = (H_IN, W_IN, C_IN, KH, KW, SH, SW, PT, PL, OH, OW)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, _), (oo, _) = ex.io(s)
    cuda_conv.conv2d_forward(A, io, oo, P, int(row[KERNEL]), max(int(row[BIAS]), 0), bool(row[BIAS] >= 0),
                             ex.d_aux, int(ex.aux_off[row[COLS]]), n, *geometry_of(row, _GEOMETRY_COLS),
                             int(row[FILTERS]))


def _cuda_backward(ex, s, row, n, P, G, A, D):
    (io, _), (oo, _) = ex.io(s)
    acc, need_dx = ex.grad_flags(s)
    need_dw = bool(row[H_TRAIN_W])
    if not (need_dx or need_dw):
        return
    cuda_conv.conv2d_backward(D, oo, io, P, int(row[KERNEL]), G, int(row[KERNEL]), max(int(row[BIAS]), 0),
                              bool(row[BIAS] >= 0), need_dw, need_dx, acc, ex.d_aux, int(ex.aux_off[row[COLS]]),
                              n, *geometry_of(row, _GEOMETRY_COLS), int(row[FILTERS]))


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


# ----------------------------------------------------------------------------- ONNX

def nchw_input(b, op, flat_name: str, hwc: tuple[int, int, int]) -> str:
    """The NCHW form of an image tensor for an ONNX Conv/pool: the NCHW tensor a previous image
    op left (``b.nchw``, when its shape matches: back-to-back transposes fold), else
    Reshape(flat → N,H,W,C) + Transpose to N,C,H,W."""
    known = getattr(b, "nchw", {}).get(flat_name)
    if known is not None and known[1] == tuple(hwc):
        return known[0]
    h, w, c = hwc
    nid = op.node_id
    shape = b.init(f"{nid}/nhwc_shape", [-1, h, w, c], "int64")
    nhwc = b.node("Reshape", [flat_name, shape], f"{nid}/nhwc")
    return b.node("Transpose", [nhwc], f"{nid}/nchw_in", perm=[0, 3, 1, 2])


def flat_output(b, op, nchw_name: str, hwc: tuple[int, int, int], out: str) -> str:
    """The engine's flat (N, H·W·C) form of an NCHW result (Transpose to NHWC + Reshape), and
    remember its NCHW form so a following image op reads that instead (the flat form's nodes
    are then unused and build_onnx drops them)."""
    h, w, c = hwc
    nhwc = b.node("Transpose", [nchw_name], f"{op.node_id}/nhwc_out", perm=[0, 2, 3, 1])
    shape = b.init(f"{op.node_id}/flat_shape", [-1, h * w * c], "int64")
    b.node("Reshape", [nhwc, shape], out)
    if not hasattr(b, "nchw"):
        b.nchw = {}
    b.nchw[out] = (nchw_name, (h, w, c))
    return out


def explicit_pads(op) -> list[int]:
    """ONNX pads [top, left, bottom, right] of TensorFlow's 'same' (the odd one bottom/right)."""
    h, w, kh, kw = op.int("h_in"), op.int("w_in"), op.int("kh"), op.int("kw")
    sh, sw, oh, ow = op.int("sh"), op.int("sw"), op.int("oh"), op.int("ow")
    pt, pl = op.int("pad_top"), op.int("pad_left")
    pb = max((oh - 1) * sh + kh - h, 0) - pt
    pr = max((ow - 1) * sw + kw - w, 0) - pl
    return [pt, pl, max(pb, 0), max(pr, 0)]


def to_onnx(b, op, ins, out, opset):
    """Conv on NCHW (kernel (kh, kw, C_in, F) → (F, C_in, kh, kw)), explicit TF 'same' pads."""
    import numpy as np
    hwc = (op.int("h_in"), op.int("w_in"), op.int("c_in"))
    x = nchw_input(b, op, ins[0], hwc)
    kh, kw, c_in, f = op.int("kh"), op.int("kw"), op.int("c_in"), op.int("filters")
    kernel = np.asarray(op.weight("kernel")).reshape(kh, kw, c_in, f).transpose(3, 2, 0, 1)
    inputs = [x, b.init(f"{op.node_id}/kernel", kernel)]
    bias = op.weight("bias")
    if bias is not None:
        inputs.append(b.init(f"{op.node_id}/bias", bias))
    y = b.node("Conv", inputs, f"{op.node_id}/nchw", kernel_shape=[kh, kw],
               strides=[op.int("sh"), op.int("sw")], pads=explicit_pads(op))
    return flat_output(b, op, y, (op.int("oh"), op.int("ow"), f), out)
