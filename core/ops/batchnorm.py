"""BatchNorm (Keras conventions; core/blocks/normalization.py). Batch statistics in training,
moving statistics in inference and when frozen (the header's train_w is 0), as Keras does."""
from numba import njit

from ..kernels.config import JIT_INLINE
from ..kernels.norm import (PARALLEL_MIN_ELEMENTS, batchnorm_backward, batchnorm_backward_par, batchnorm_forward,
                            batchnorm_forward_par)
from .common import grad_flags, io_of, view, weight_slice
from .schema import H_TRAIN_W, Aux, CudaSupport, OpSchema

SCHEMA = OpSchema("batchnorm", 6, weights=("gamma", "beta", "moving_mean", "moving_variance"),
                  aux=(Aux("xhat", per_sample=True), Aux("stats", per_sample=False)),
                  floats=("epsilon", "momentum"),
                  doc="xhat: x̂ of the batch; stats: mean, 1/σ, Σdy, Σdy·x̂ (4 × width).")
GAMMA, BETA = SCHEMA.col("gamma"), SCHEMA.col("beta")
MEAN, VAR = SCHEMA.col("moving_mean"), SCHEMA.col("moving_variance")
XHAT, STATS = SCHEMA.col("xhat"), SCHEMA.col("stats")
EPS, MOMENTUM = SCHEMA.fcol("epsilon"), SCHEMA.fcol("momentum")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    g, b, mm, mv = ops[s, GAMMA], ops[s, BETA], ops[s, MEAN], ops[s, VAR]
    st = aux_off[ops[s, STATS]]
    batch_stats = training and ops[s, H_TRAIN_W] != 0     # frozen BN runs in inference mode (Keras)
    x, y, xhat = view(acts, xo, n, iw), view(acts, yo, n, ow), view(aux, aux_off[ops[s, XHAT]], n, iw)
    gamma, beta, mean, var = weight_slice(params, g, iw), weight_slice(params, b, iw), params[mm:mm + iw], \
        params[mv:mv + iw]
    if threads > 1 and n * iw >= PARALLEL_MIN_ELEMENTS:
        batchnorm_forward_par(x, y, gamma, beta, mean, var, xhat, aux[st:st + iw], aux[st + iw:st + 2 * iw],
                              g >= 0, b >= 0, opf[s, EPS], opf[s, MOMENTUM], batch_stats, threads)
    else:
        batchnorm_forward(x, y, gamma, beta, mean, var, xhat, aux[st:st + iw], aux[st + iw:st + 2 * iw],
                          g >= 0, b >= 0, opf[s, EPS], opf[s, MOMENTUM], batch_stats, 0, iw)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    acc, need_dx = grad_flags(s, ops, op_in)
    need_dw = ops[s, H_TRAIN_W] != 0
    g, b = ops[s, GAMMA], ops[s, BETA]
    st = aux_off[ops[s, STATS]]
    dy, xhat, dx = view(dacts, yo, n, ow), view(aux, aux_off[ops[s, XHAT]], n, iw), view(dacts, xo, n, iw)
    gamma, dgamma, dbeta = weight_slice(params, g, iw), weight_slice(grads, g, iw), weight_slice(grads, b, iw)
    invstd, sum_dy, sum_dyh = aux[st + iw:st + 2 * iw], aux[st + 2 * iw:st + 3 * iw], aux[st + 3 * iw:st + 4 * iw]
    if threads > 1 and n * iw >= PARALLEL_MIN_ELEMENTS:
        batchnorm_backward_par(dy, xhat, gamma, invstd, sum_dy, sum_dyh, dgamma, dbeta, g >= 0, b >= 0, need_dw,
                               dx, need_dx, acc, training and need_dw, threads)
    else:
        batchnorm_backward(dy, xhat, gamma, invstd, sum_dy, sum_dyh, dgamma, dbeta, g >= 0, b >= 0, need_dw,
                           dx, need_dx, acc, training and need_dw, 0, iw)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, iw), (oo, ow) = ex.io(s)
    opf = ex.plan.opf[s]
    g, b = ex.grid(iw)
    # A frozen BatchNorm runs in inference mode (as on the CPU, and in Keras).
    ex.ck.batchnorm_forward[g, b](A, io, oo, ex.d_aux, ex.aux_off[row[XHAT]], ex.aux_off[row[STATS]], P,
                                  row[GAMMA], row[BETA], row[MEAN], row[VAR], n, iw, opf[EPS], opf[MOMENTUM],
                                  ex.training_pass and bool(row[H_TRAIN_W]))


def _cuda_backward(ex, s, row, n, P, G, A, D):
    (io, iw), (oo, ow) = ex.io(s)
    acc, need_dx = ex.grad_flags(s)
    g, b = ex.grid(iw)
    ex.ck.batchnorm_backward[g, b](D, io, oo, ex.d_aux, ex.aux_off[row[XHAT]], ex.aux_off[row[STATS]], P, G,
                                   row[GAMMA], row[BETA], n, iw, bool(row[H_TRAIN_W]), need_dx, acc,
                                   bool(row[H_TRAIN_W]))


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


def to_onnx(b, op, ins, out, opset):
    """BatchNormalization with the moving statistics and the Keras epsilon (γ = 1, β = 0 when off)."""
    import numpy as np
    nid, mean = op.node_id, op.weight("moving_mean")
    gamma, beta = op.weight("gamma"), op.weight("beta")
    names = [b.init(f"{nid}/gamma", np.ones_like(mean) if gamma is None else gamma),
             b.init(f"{nid}/beta", np.zeros_like(mean) if beta is None else beta),
             b.init(f"{nid}/moving_mean", mean),
             b.init(f"{nid}/moving_variance", op.weight("moving_variance"))]
    return b.node("BatchNormalization", [ins[0], *names], out, epsilon=op.float("epsilon"))
