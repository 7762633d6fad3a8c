"""Dense forward/backward on the register-tiled kernels of ``gemm.py`` (nothing allocated per
step). ``blas`` sends a layer's products to BLAS instead — only for very large products on
machines with many cores, where a multi-threaded BLAS outruns one core (core/threads.py).

dx = dy·Wᵀ sums over the layer's output width m. When m is small (an output layer of 10 classes,
a playground layer of 8) the dot-product kernel spends its time reducing vector lanes, so W is
transposed into scratch (m·k elements, cheap next to n·k·m multiply-adds) and the outer-product
kernel runs instead; measured in ``bench/`` (GEMM rows) and ``tests/test_dense_paths.py``.
"""
import numpy as np
from numba import njit

from .config import JIT
from .gemm import gemm_nn, gemm_nt

TRANSPOSE_MAX_WIDTH = 64   # output widths at or below which dx goes through a transposed W


@njit(**JIT)
def dense_forward(x, W, b, use_bias, y, blas=False):
    """y[n, out] = x[n, in] · W[in, out] + b[out]."""
    n, m = y.shape
    k = x.shape[1]
    if blas:
        np.dot(x, W, y)
        if use_bias:
            for i in range(n):
                for j in range(m):
                    y[i, j] += b[j]
        return
    if use_bias:
        for i in range(n):
            for j in range(m):
                y[i, j] = b[j]
    gemm_nn(x, 0, k, 1, W, 0, m, y, 0, m, n, k, m, use_bias)


@njit(**JIT)
def dense_backward(x, W, dy, dW, db, use_bias, need_dw, dx, need_dx, acc_dx, scratch, blas=False):
    """dW = xᵀ·dy, db = Σ_rows dy, dx (+)= dy·Wᵀ. `scratch` is flat, ≥ in·out elements when
    out ≤ TRANSPOSE_MAX_WIDTH, and ≥ n·in when blas."""
    n, m = dy.shape
    k = x.shape[1]
    if need_dw:
        if blas:
            np.dot(x.T, dy, dW)
        else:
            gemm_nn(x, 0, 1, k, dy, 0, m, dW, 0, m, k, n, m, False)
        if use_bias:
            for j in range(m):
                db[j] = 0.0
            for i in range(n):
                for j in range(m):
                    db[j] += dy[i, j]
    if need_dx:
        if blas:
            if acc_dx:
                tmp = scratch[:n * k].reshape(n, k)
                np.dot(dy, W.T, tmp)
                for i in range(n):
                    for p in range(k):
                        dx[i, p] += tmp[i, p]
            else:
                np.dot(dy, W.T, dx)
        elif m <= TRANSPOSE_MAX_WIDTH:
            for j in range(m):
                for p in range(k):
                    scratch[j * k + p] = W[p, j]
            gemm_nn(dy, 0, m, 1, scratch, 0, k, dx, 0, k, n, m, k, acc_dx)
        else:
            gemm_nt(dy, 0, m, W, 0, m, dx, 0, k, n, m, k, acc_dx)
