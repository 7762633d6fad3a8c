"""Dense: y = x·W + b, W [in, out] (Keras layout). The products run on the own GEMM kernels, or on
BLAS when the executor's thread policy routes this step there (the ``blas`` field)."""
import math

from numba import njit

from ..kernels.config import JIT_INLINE
from ..kernels.dense import dense_backward, dense_forward
from .common import grad_flags, io_of, view, weight_slice
from .schema import H_TRAIN_W, CudaSupport, OpSchema

SCHEMA = OpSchema("dense", 1, weights=("kernel", "bias"), ints=("blas",),
                  doc="y = x·W + b; bias -1 when use_bias is off; blas 1 = products on BLAS.")
KERNEL, BIAS, BLAS = SCHEMA.col("kernel"), SCHEMA.col("bias"), SCHEMA.col("blas")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    b = ops[s, BIAS]
    dense_forward(view(acts, xo, n, iw), view(params, ops[s, KERNEL], iw, ow), weight_slice(params, b, ow),
                  b >= 0, view(acts, yo, n, ow), ops[s, BLAS] != 0, threads)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    acc, need_dx = grad_flags(s, ops, op_in)
    w, b = ops[s, KERNEL], ops[s, BIAS]
    dense_backward(view(acts, xo, n, iw), view(params, w, iw, ow), view(dacts, yo, n, ow), view(grads, w, iw, ow),
                   weight_slice(grads, b, ow), b >= 0, ops[s, H_TRAIN_W] != 0, view(dacts, xo, n, iw), need_dx,
                   acc, scratch, ops[s, BLAS] != 0, threads)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    ck, t = ex.ck, ex.ck.TILE
    (io, iw), (oo, ow) = ex.io(s)
    grid = (max(1, math.ceil(ow / t)), max(1, math.ceil(n / t)))
    ck.gemm[grid, (t, t)](A, io, P, row[KERNEL], A, oo, n, iw, ow, False, False, False)
    if row[BIAS] >= 0:
        g, b = ex.grid2(n, ow)
        ck.add_bias[g, b](A, oo, P, row[BIAS], n, ow)


def _cuda_backward(ex, s, row, n, P, G, A, D):
    ck, t = ex.ck, ex.ck.TILE
    (io, iw), (oo, ow) = ex.io(s)
    acc, need_dx = ex.grad_flags(s)
    if row[H_TRAIN_W]:
        grid = (max(1, math.ceil(ow / t)), max(1, math.ceil(iw / t)))
        ck.gemm[grid, (t, t)](A, io, D, oo, G, row[KERNEL], iw, n, ow, True, False, False)
        if row[BIAS] >= 0:
            g, b = ex.grid(ow)
            ck.column_sums[g, b](D, oo, G, row[BIAS], n, ow)
    if need_dx:
        grid = (max(1, math.ceil(iw / t)), max(1, math.ceil(n / t)))
        ck.gemm[grid, (t, t)](D, oo, P, row[KERNEL], D, io, n, ow, iw, False, True, acc)


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


def to_onnx(b, op, ins, out, opset):
    """Gemm (MatMul without bias); the kernel stays [in, out]."""
    k = b.init(f"{op.node_id}/kernel", op.weight("kernel"))
    bias = op.weight("bias")
    if bias is None:
        return b.node("MatMul", [ins[0], k], out)
    return b.node("Gemm", [ins[0], k, b.init(f"{op.node_id}/bias", bias)], out)
