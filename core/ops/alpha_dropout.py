"""AlphaDropout (for SELU nets): dropped units go to SELU's saturation value, then an affine
correction keeps mean and variance. The ``dydx`` aux slot keeps ∂y/∂x for backward."""
from numba import njit

from ..kernels.config import JIT_INLINE
from ..kernels.dropout import alpha_dropout_forward, mask_backward
from .common import flat, grad_flags, io_of
from .schema import Aux, CudaSupport, OpSchema

SCHEMA = OpSchema("alpha_dropout", 9, aux=(Aux("dydx", per_sample=True),), floats=("rate",),
                  doc="dydx: a where kept, 0 where dropped.")
DYDX, RATE = SCHEMA.col("dydx"), SCHEMA.fcol("rate")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    a = aux_off[ops[s, DYDX]]
    alpha_dropout_forward(flat(acts, xo, n, iw), flat(acts, yo, n, ow), aux[a:a + n * iw], opf[s, RATE],
                          training, rng, threads)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if need_dx:
        xo, iw, yo, ow = io_of(s, ops, op_in, tens)
        a = aux_off[ops[s, DYDX]]
        mask_backward(flat(dacts, yo, n, ow), aux[a:a + n * iw], 1.0, flat(dacts, xo, n, iw), acc)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, iw), (oo, ow) = ex.io(s)
    g, b = ex.grid(n * iw)
    ex.cr.alpha_dropout_forward[g, b](A, io, oo, ex.d_aux, ex.aux_off[row[DYDX]], ex.plan.opf[s, RATE],
                                      ex.training_pass, ex.key(s), n * iw)


def _cuda_backward(ex, s, row, n, P, G, A, D):
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, iw), (oo, ow) = ex.io(s)
        g, b = ex.grid(n * iw)
        ex.cr.mask_backward[g, b](D, io, oo, ex.d_aux, ex.aux_off[row[DYDX]], acc, n * iw)


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


def to_onnx(b, op, ins, out, opset):
    """Removed: the identity at inference."""
    return ins[0]
