"""LayerNorm: each sample normalised over its features, then γ and β per feature."""
from numba import njit

from ..kernels.config import JIT_INLINE
from ..kernels.norm import (PARALLEL_MIN_ELEMENTS, layernorm_backward, layernorm_backward_par, layernorm_forward,
                            layernorm_forward_par)
from .common import grad_flags, io_of, view
from .schema import H_TRAIN_W, Aux, CudaSupport, OpSchema

SCHEMA = OpSchema("layernorm", 7, weights=("gamma", "beta"),
                  aux=(Aux("xhat", per_sample=True), Aux("invstd", per_sample=True)), floats=("epsilon",),
                  doc="xhat: x̂ of the batch (width per sample); invstd: 1/σ (1 per sample).")
GAMMA, BETA = SCHEMA.col("gamma"), SCHEMA.col("beta")
XHAT, INVSTD = SCHEMA.col("xhat"), SCHEMA.col("invstd")
EPS = SCHEMA.fcol("epsilon")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    g, b, r = ops[s, GAMMA], ops[s, BETA], aux_off[ops[s, INVSTD]]
    x, y, xhat = view(acts, xo, n, iw), view(acts, yo, n, ow), view(aux, aux_off[ops[s, XHAT]], n, iw)
    if threads > 1 and n * iw >= PARALLEL_MIN_ELEMENTS:
        layernorm_forward_par(x, y, params[g:g + iw], params[b:b + iw], xhat, aux[r:r + n], opf[s, EPS], threads)
    else:
        layernorm_forward(x, y, params[g:g + iw], params[b:b + iw], xhat, aux[r:r + n], opf[s, EPS], 0, n)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    acc, need_dx = grad_flags(s, ops, op_in)
    g, b, r = ops[s, GAMMA], ops[s, BETA], aux_off[ops[s, INVSTD]]
    dy, xhat, dx = view(dacts, yo, n, ow), view(aux, aux_off[ops[s, XHAT]], n, iw), view(dacts, xo, n, iw)
    need_dw = ops[s, H_TRAIN_W] != 0
    if threads > 1 and n * iw >= PARALLEL_MIN_ELEMENTS:
        layernorm_backward_par(dy, xhat, params[g:g + iw], aux[r:r + n], grads[g:g + iw], grads[b:b + iw], need_dw,
                               dx, need_dx, acc, threads)
    else:
        layernorm_backward(dy, xhat, params[g:g + iw], aux[r:r + n], grads[g:g + iw], grads[b:b + iw], need_dw,
                           dx, need_dx, acc, 0, iw, 0, n)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, iw), (oo, ow) = ex.io(s)
    g, b = ex.grid(n)
    ex.ck.layernorm_forward[g, b](A, io, oo, ex.d_aux, ex.aux_off[row[XHAT]], ex.aux_off[row[INVSTD]], P,
                                  row[GAMMA], row[BETA], n, iw, ex.plan.opf[s, EPS])


def _cuda_backward(ex, s, row, n, P, G, A, D):
    (io, iw), (oo, ow) = ex.io(s)
    acc, need_dx = ex.grad_flags(s)
    xh = ex.aux_off[row[XHAT]]
    if row[H_TRAIN_W]:
        g, b = ex.grid(iw)
        ex.ck.layernorm_param_grads[g, b](D, oo, ex.d_aux, xh, G, row[GAMMA], row[BETA], n, iw)
    if need_dx:
        g, b = ex.grid(n)
        ex.ck.layernorm_input_grads[g, b](D, io, oo, ex.d_aux, xh, ex.aux_off[row[INVSTD]], P, row[GAMMA],
                                          n, iw, acc)


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


def to_onnx(b, op, ins, out, opset):
    g = b.init(f"{op.node_id}/gamma", op.weight("gamma"))
    be = b.init(f"{op.node_id}/beta", op.weight("beta"))
    return b.node("LayerNormalization", [ins[0], g, be], out, axis=-1, epsilon=op.float("epsilon"))
