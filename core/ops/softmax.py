"""Softmax over the features of each sample. With cross-entropy the loss writes ∂L/∂logits
straight into this op's output gradient and the header's skip-backward flag passes it through."""
from numba import njit

from ..kernels.activations import softmax_backward, softmax_forward
from ..kernels.config import JIT_INLINE
from .common import flat, grad_flags, io_of, view
from .schema import H_SKIP_BWD, CudaSupport, OpSchema

SCHEMA = OpSchema("softmax", 5, doc="exp(x_i)/Σ exp(x_j) per sample.")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    softmax_forward(view(acts, xo, n, iw), view(acts, yo, n, ow))


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if not need_dx:
        return
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    if ops[s, H_SKIP_BWD] != 0:
        # Fused with cross-entropy: dy already holds ∂L/∂logits.
        dxf, dyf = flat(dacts, xo, n, iw), flat(dacts, yo, n, ow)
        for i in range(n * iw):
            dxf[i] = dxf[i] + dyf[i] if acc else dyf[i]
    else:
        softmax_backward(view(acts, yo, n, ow), view(dacts, yo, n, ow), view(dacts, xo, n, iw), acc)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, iw), (oo, ow) = ex.io(s)
    g, b = ex.grid(n)
    ex.ck.softmax_rows[g, b](A, io, oo, n, ow)


def _cuda_backward(ex, s, row, n, P, G, A, D):
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, iw), (oo, ow) = ex.io(s)
        g, b = ex.grid(n)
        ex.ck.softmax_backward[g, b](A, D, io, oo, n, ow, bool(row[H_SKIP_BWD]), acc)


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


def to_onnx(b, op, ins, out, opset):
    return b.node("Softmax", ins, out, axis=-1)
