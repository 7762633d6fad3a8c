"""Dropout: a scaled keep-mask drawn per element in training (kept in the ``mask`` aux slot, so
backward is dy·mask); ``inverted`` 1 scales in training (Keras, PyTorch), 0 in inference."""
from numba import njit

from ..kernels.config import JIT_INLINE
from ..kernels.dropout import dropout_forward, mask_backward
from .common import flat, grad_flags, io_of
from .schema import Aux, CudaSupport, OpSchema

SCHEMA = OpSchema("dropout", 8, aux=(Aux("mask", per_sample=True),), ints=("inverted",), floats=("rate",),
                  doc="mask: ∂y/∂x of the batch.")
MASK, INVERTED, RATE = SCHEMA.col("mask"), SCHEMA.col("inverted"), SCHEMA.fcol("rate")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    a = aux_off[ops[s, MASK]]
    dropout_forward(flat(acts, xo, n, iw), flat(acts, yo, n, ow), aux[a:a + n * iw], opf[s, RATE],
                    ops[s, INVERTED] != 0, training, rng, threads)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if need_dx:
        xo, iw, yo, ow = io_of(s, ops, op_in, tens)
        a = aux_off[ops[s, MASK]]
        mask_backward(flat(dacts, yo, n, ow), aux[a:a + n * iw], 1.0, flat(dacts, xo, n, iw), acc)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, iw), (oo, ow) = ex.io(s)
    g, b = ex.grid(n * iw)
    ex.cr.dropout_forward[g, b](A, io, oo, ex.d_aux, ex.aux_off[row[MASK]], ex.plan.opf[s, RATE],
                                bool(row[INVERTED]), ex.training_pass, ex.key(s), n * iw)


def _cuda_backward(ex, s, row, n, P, G, A, D):
    """dy·mask on the device."""
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, iw), (oo, ow) = ex.io(s)
        g, b = ex.grid(n * iw)
        ex.cr.mask_backward[g, b](D, io, oo, ex.d_aux, ex.aux_off[row[MASK]], acc, n * iw)


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


def to_onnx(b, op, ins, out, opset):
    """Removed (inference is the identity); a classic, non-inverted Dropout is Mul by 1 − rate."""
    rate = op.float("rate")
    if op.int("inverted") or rate == 0.0:
        return ins[0]
    return b.node("Mul", [ins[0], b.init(f"{out}/keep", 1.0 - rate)], out)
