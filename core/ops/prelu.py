"""PReLU: y = x for x ≥ 0, α·x below, one learned slope α per unit."""
from numba import njit

from ..kernels.activations import prelu_backward, prelu_forward
from ..kernels.config import JIT_INLINE
from .common import grad_flags, io_of, view
from .schema import H_TRAIN_W, CudaSupport, OpSchema

SCHEMA = OpSchema("prelu", 3, weights=("alpha",), doc="Learned negative slopes, one per unit.")
SLOPES = SCHEMA.col("alpha")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    a = ops[s, SLOPES]
    prelu_forward(view(acts, xo, n, iw), params[a:a + iw], view(acts, yo, n, ow))


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    acc, need_dx = grad_flags(s, ops, op_in)
    a = ops[s, SLOPES]
    prelu_backward(view(acts, xo, n, iw), params[a:a + iw], view(dacts, yo, n, ow), grads[a:a + iw],
                   ops[s, H_TRAIN_W] != 0, view(dacts, xo, n, iw), need_dx, acc)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, iw), (oo, ow) = ex.io(s)
    g, b = ex.grid(n * iw)
    ex.ck.prelu_forward[g, b](A, io, oo, P, row[SLOPES], iw, n * iw)


def _cuda_backward(ex, s, row, n, P, G, A, D):
    (io, iw), (oo, ow) = ex.io(s)
    acc, need_dx = ex.grad_flags(s)
    if row[H_TRAIN_W]:
        g, b = ex.grid(iw)
        ex.ck.prelu_alpha_grads[g, b](A, D, io, oo, G, row[SLOPES], n, iw)
    if need_dx:
        g, b = ex.grid(n * iw)
        ex.ck.prelu_backward[g, b](A, D, io, oo, P, row[SLOPES], iw, acc, n * iw)


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


def to_onnx(b, op, ins, out, opset):
    return b.node("PRelu", [ins[0], b.init(f"{op.node_id}/alpha", op.weight("alpha"))], out)
