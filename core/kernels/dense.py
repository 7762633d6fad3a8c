"""Dense forward/backward. Matrix products go through BLAS (np.dot with an output argument, so
nothing is allocated per step)."""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def dense_forward(x, W, b, use_bias, y):
    """y[n, out] = x[n, in] · W[in, out] + b[out]."""
    np.dot(x, W, y)
    if use_bias:
        n, m = y.shape
        for i in range(n):
            for j in range(m):
                y[i, j] += b[j]


@njit(cache=True, nogil=True)
def dense_backward(x, W, dy, dW, db, use_bias, need_dw, dx, need_dx, acc_dx, scratch):
    """dW = xᵀ·dy, db = Σ_rows dy, dx (+)= dy·Wᵀ. `scratch` has dx's shape (used when accumulating)."""
    if need_dw:
        np.dot(x.T, dy, dW)
        if use_bias:
            n, m = dy.shape
            for j in range(m):
                db[j] = 0.0
            for i in range(n):
                for j in range(m):
                    db[j] += dy[i, j]
    if need_dx:
        if acc_dx:
            np.dot(dy, W.T, scratch)
            n, k = dx.shape
            for i in range(n):
                for j in range(k):
                    dx[i, j] += scratch[i, j]
        else:
            np.dot(dy, W.T, dx)
