"""RReLU: a random slope from U(lower, upper) per element in training (kept in the ``slopes`` aux
slot for backward), the mean slope in inference."""
from numba import njit

from ..kernels.activations import rrelu_backward, rrelu_forward
from ..kernels.config import JIT_INLINE
from .common import flat, grad_flags, io_of
from .schema import Aux, CudaSupport, OpSchema

SCHEMA = OpSchema("rrelu", 4, aux=(Aux("slopes", per_sample=True),), floats=("lower", "upper"),
                  doc="Random negative slopes in training, (lower+upper)/2 in inference.")
SLOPES = SCHEMA.col("slopes")
LOWER, UPPER = SCHEMA.fcol("lower"), SCHEMA.fcol("upper")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    a = aux_off[ops[s, SLOPES]]
    rrelu_forward(flat(acts, xo, n, iw), flat(acts, yo, n, ow), aux[a:a + n * iw], opf[s, LOWER], opf[s, UPPER],
                  training, rng)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if not need_dx:
        return
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    a = aux_off[ops[s, SLOPES]]
    rrelu_backward(flat(acts, xo, n, iw), aux[a:a + n * iw], flat(dacts, yo, n, ow), flat(dacts, xo, n, iw), acc)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, iw), (oo, ow) = ex.io(s)
    g, b = ex.grid(n * iw)
    opf = ex.plan.opf[s]
    ex.cr.rrelu_forward[g, b](A, io, oo, ex.d_aux, ex.aux_off[row[SLOPES]], opf[LOWER], opf[UPPER],
                              ex.training_pass, ex.key(s), n * iw)


def _cuda_backward(ex, s, row, n, P, G, A, D):
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, iw), (oo, ow) = ex.io(s)
        g, b = ex.grid(n * iw)
        ex.cr.rrelu_backward[g, b](A, D, io, oo, ex.d_aux, ex.aux_off[row[SLOPES]], acc, n * iw)


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


def to_onnx(b, op, ins, out, opset):
    """Its inference form: LeakyRelu with the mean slope."""
    return b.node("LeakyRelu", ins, out, alpha=0.5 * (op.float("lower") + op.float("upper")))
