"""Dense: y = x·W + b, W [in, out] (Keras layout). The products run on the own GEMM kernels, or on
BLAS when the executor's thread policy routes this step there (the ``blas`` field).

``rows_per_sample`` r: Dense on the last axis of a sample of rank > 1 (Keras) — a (T, F) sample
is r = T rows of F features, so a batch is one (n·r, F) · (F, units) product (r = 1: flat)."""
import math

import numpy as np

from numba import njit

from ..kernels.config import JIT_INLINE
from ..kernels.dense import TRANSPOSE_MAX_WIDTH, dense_backward, dense_forward
from .common import grad_flags, io_of, view, weight_slice
from .schema import H_IN_START, H_OUT, H_TRAIN_W, CudaSupport, OpSchema

SCHEMA = OpSchema("dense", 1, weights=("kernel", "bias"), ints=("blas", "rows_per_sample"),
                  doc="y = x·W + b; bias -1 when use_bias is off; blas 1 = products on BLAS; "
                      "rows_per_sample: rows of the last axis per sample (0 or 1: flat).")
KERNEL, BIAS, BLAS = SCHEMA.col("kernel"), SCHEMA.col("bias"), SCHEMA.col("blas")
ROWS = SCHEMA.col("rows_per_sample")


@njit(**JIT_INLINE)
def _rows(s, ops, n, iw, ow):
    """(rows, in, out) of the product: n·r rows of iw/r features (r = rows_per_sample ≥ 1)."""
    r = max(ops[s, ROWS], 1)
    return n * r, iw // r, ow // r


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    n, iw, ow = _rows(s, ops, n, iw, ow)
    b = ops[s, BIAS]
    dense_forward(view(acts, xo, n, iw), view(params, ops[s, KERNEL], iw, ow), weight_slice(params, b, ow),
                  b >= 0, view(acts, yo, n, ow), ops[s, BLAS] != 0, threads)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    n, iw, ow = _rows(s, ops, n, iw, ow)
    acc, need_dx = grad_flags(s, ops, op_in)
    w, b = ops[s, KERNEL], ops[s, BIAS]
    dense_backward(view(acts, xo, n, iw), view(params, w, iw, ow), view(dacts, yo, n, ow), view(grads, w, iw, ow),
                   weight_slice(grads, b, ow), b >= 0, ops[s, H_TRAIN_W] != 0, view(dacts, xo, n, iw), need_dx,
                   acc, scratch, ops[s, BLAS] != 0, threads)


def scratch_size(plan, step: int, max_batch: int) -> int:
    """The executor's scratch this step needs: its transposed kernel when the per-row output is
    narrow (kernels/dense.py); on sequences the executor's width-based rule does not see that."""
    r = max(int(plan.ops[step, ROWS]), 1)
    fin = plan.tensor_widths[plan.op_in[plan.ops[step, H_IN_START], 0]] // r
    fout = plan.tensor_widths[plan.ops[step, H_OUT]] // r
    return fin * fout if fout <= TRANSPOSE_MAX_WIDTH else 0


def _cuda_rows(row, n, iw, ow):
    r = max(int(row[ROWS]), 1)
    return n * r, iw // r, ow // r


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    ck, t = ex.ck, ex.ck.TILE
    (io, iw), (oo, ow) = ex.io(s)
    n, iw, ow = _cuda_rows(row, n, iw, ow)
    grid = (max(1, math.ceil(ow / t)), max(1, math.ceil(n / t)))
    ck.gemm[grid, (t, t)](A, io, P, row[KERNEL], A, oo, n, iw, ow, False, False, False)
    if row[BIAS] >= 0:
        g, b = ex.grid2(n, ow)
        ck.add_bias[g, b](A, oo, P, row[BIAS], n, ow)


def _cuda_backward(ex, s, row, n, P, G, A, D):
    ck, t = ex.ck, ex.ck.TILE
    (io, iw), (oo, ow) = ex.io(s)
    n, iw, ow = _cuda_rows(row, n, iw, ow)
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
    """Gemm (MatMul without bias); the kernel stays [in, out]. On a sequence (rows_per_sample r > 1)
    the flat [N, r·in] tensor is reshaped to [N, r, in], MatMul'd with the 2-D kernel (ONNX
    broadcasts: TimeDistributed), the bias added, and flattened back to [N, r·out]."""
    k = b.init(f"{op.node_id}/kernel", op.weight("kernel"))
    bias = op.weight("bias")
    r = max(op.int("rows_per_sample"), 1)
    if r > 1:
        fin, fout = op.weight("kernel").shape
        x3 = b.node("Reshape", [ins[0], b.init(f"{op.node_id}/rows_shape", [0, r, fin], np.int64)], f"{out}/rows")
        y = b.node("MatMul", [x3, k], f"{out}/matmul" if bias is not None else f"{out}/rows_out")
        if bias is not None:
            y = b.node("Add", [y, b.init(f"{op.node_id}/bias", bias)], f"{out}/rows_out")
        return b.node("Reshape", [y, b.init(f"{op.node_id}/flat_shape", [0, r * fout], np.int64)], out)
    if bias is None:
        return b.node("MatMul", [ins[0], k], out)
    return b.node("Gemm", [ins[0], k, b.init(f"{op.node_id}/bias", bias)], out)
