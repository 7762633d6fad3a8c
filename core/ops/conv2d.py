"""The conv2d op (opcode 40) of the Conv2D block (core/blocks/conv.py): named fields, CPU adapters
on core/kernels/conv.py, CUDA launchers on core/kernels/cuda_conv.py, and the ONNX conversion (NCHW,
with the image helpers the pooling ops share). Kept out of the block's module so that the palette,
which imports every block at start-up, never loads numba.
"""
from __future__ import annotations

from numba import njit

from ..kernels import cuda_conv
from ..kernels.config import JIT_INLINE
from ..kernels.conv import conv2d_backward, conv2d_forward
from .common import grad_flags, io_of, view, weight_slice
from .schema import H_TRAIN_W, Aux, CudaSupport, OpSchema

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
