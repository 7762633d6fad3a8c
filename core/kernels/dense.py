"""Dense forward/backward. Matrix products go through BLAS (np.dot with an output argument, so
nothing is allocated per step) — except tiny ones, where a BLAS call's fixed cost (~0.3 µs)
exceeds the arithmetic and plain loops win (playground-sized nets)."""
import numpy as np
from numba import njit

from .config import JIT

SMALL_GEMM = 8192   # n·in·out at or below which plain loops beat a BLAS call (measured in bench/)


@njit(**JIT)
def dense_forward(x, W, b, use_bias, y):
    """y[n, out] = x[n, in] · W[in, out] + b[out]."""
    n, m = y.shape
    k = x.shape[1]
    if n * k * m <= SMALL_GEMM:
        for i in range(n):
            for j in range(m):
                y[i, j] = b[j] if use_bias else 0.0
            for kk in range(k):
                xv = x[i, kk]
                for j in range(m):
                    y[i, j] += xv * W[kk, j]
        return
    np.dot(x, W, y)
    if use_bias:
        for i in range(n):
            for j in range(m):
                y[i, j] += b[j]


@njit(**JIT)
def dense_backward(x, W, dy, dW, db, use_bias, need_dw, dx, need_dx, acc_dx, scratch):
    """dW = xᵀ·dy, db = Σ_rows dy, dx (+)= dy·Wᵀ. `scratch` has dx's shape (used when accumulating)."""
    n, m = dy.shape
    k = x.shape[1]
    small = n * k * m <= SMALL_GEMM
    if need_dw:
        if small:
            dW[:, :] = 0.0
            for i in range(n):
                for kk in range(k):
                    xv = x[i, kk]
                    for j in range(m):
                        dW[kk, j] += xv * dy[i, j]
        else:
            np.dot(x.T, dy, dW)
        if use_bias:
            for j in range(m):
                db[j] = 0.0
            for i in range(n):
                for j in range(m):
                    db[j] += dy[i, j]
    if need_dx:
        if small:
            for i in range(n):
                for kk in range(k):
                    s = 0.0
                    for j in range(m):
                        s += dy[i, j] * W[kk, j]
                    if acc_dx:
                        dx[i, kk] += s
                    else:
                        dx[i, kk] = s
        elif acc_dx:
            np.dot(dy, W.T, scratch)
            for i in range(n):
                for j in range(k):
                    dx[i, j] += scratch[i, j]
        else:
            np.dot(dy, W.T, dx)
