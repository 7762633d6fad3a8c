"""BatchNorm and LayerNorm forward/backward on [n, width] views.

Reductions over the batch run row by row into per-column accumulators, which keeps memory access
sequential for C-ordered arrays.

Large tensors (≥ PARALLEL_MIN_ELEMENTS) split over threads so that every value is computed by the
same code in the same order as on one thread, so the result is the serial one bit for bit:
BatchNorm's statistics are per column, so threads take column ranges (each column's sums still
run over the rows in order); LayerNorm's are per row, so threads take row ranges, and its γ/β
gradients (sums over rows) column ranges. The serial kernels take the range; the `_par` wrappers
hand each thread its own.
"""
import math

from numba import njit, prange

from .config import JIT

# Measured (BatchNorm forward, float32, two threads against one, this round's Zen 5 machine):
# 512×512 0.76–1.3× over five runs (74–88 µs on one thread: the passes run from cache, and a
# split by columns gains nothing reliable there), 256×2048 1.36–1.56× (97–129 µs against
# 151–175). So 2¹⁹ elements: W5-wide layers split; W4 b512 (512×512) and every playground or
# digits net stay serial.
PARALLEL_MIN_ELEMENTS = 1 << 19
# Column ranges start on a multiple of this many columns (a 64-byte line of float32).
_ALIGN = 16


@njit(**JIT)
def _chunk(total, chunks, align, c):
    """[lo, hi) of chunk c when [0, total) is cut into `chunks` near-equal ranges whose length is a
    multiple of `align` (the last takes what is left; trailing ones may be empty)."""
    per = (total + chunks - 1) // chunks
    per = (per + align - 1) // align * align
    lo = min(total, c * per)
    return lo, min(total, lo + per)


@njit(**JIT)
def batchnorm_forward(x, y, gamma, beta, mmean, mvar, xhat, mean, invstd,
                      use_gamma, use_beta, eps, momentum, training, j0, j1):
    """Training: batch statistics (biased variance), moving = momentum·moving + (1−momentum)·batch.
    Inference: moving statistics. y = γ·x̂ + β. Columns [j0, j1) only.

    NOTE: the loops index slices from 0 (x[i, j0:j1], mean[j0:j1]), not the arrays from j0: with
    an index LLVM cannot prove non-negative, numba's negative-index wrap-around stays in the loop
    and it no longer vectorises (this pass on 512×512 ran 9× slower)."""
    n = x.shape[0]
    w = j1 - j0
    mu, r, mm, mv = mean[j0:j1], invstd[j0:j1], mmean[j0:j1], mvar[j0:j1]
    if training:
        for j in range(w):
            mu[j] = 0.0
            r[j] = 0.0
        for i in range(n):
            xi = x[i, j0:j1]
            for j in range(w):
                mu[j] += xi[j]
        for j in range(w):
            mu[j] /= n
        for i in range(n):
            xi = x[i, j0:j1]
            for j in range(w):
                d = xi[j] - mu[j]
                r[j] += d * d
        for j in range(w):
            var = r[j] / n
            r[j] = 1.0 / math.sqrt(var + eps)
            mm[j] = momentum * mm[j] + (1.0 - momentum) * mu[j]
            mv[j] = momentum * mv[j] + (1.0 - momentum) * var
    else:
        for j in range(w):
            mu[j] = mm[j]
            r[j] = 1.0 / math.sqrt(mv[j] + eps)
    ga, be = gamma[j0:j1] if use_gamma else gamma, beta[j0:j1] if use_beta else beta
    for i in range(n):
        xi, hi, yi = x[i, j0:j1], xhat[i, j0:j1], y[i, j0:j1]
        for j in range(w):
            h = (xi[j] - mu[j]) * r[j]
            hi[j] = h
            g = ga[j] if use_gamma else 1.0
            b = be[j] if use_beta else 0.0
            yi[j] = g * h + b


@njit(**JIT)
def batchnorm_backward(dy, xhat, gamma, invstd, sum_dy, sum_dyh, dgamma, dbeta,
                       use_gamma, use_beta, need_dw, dx, need_dx, acc, training, j0, j1):
    """Training (batch statistics): dx = γ·(1/σ)/n · (n·dy − Σdy − x̂·Σ(dy·x̂)) per column.
    Inference (moving statistics are constants): dx = γ·dy/√(moving_var + ε). Columns [j0, j1)
    (indexed through slices from 0, as batchnorm_forward says why)."""
    n = dy.shape[0]
    w = j1 - j0
    sd, sh, r = sum_dy[j0:j1], sum_dyh[j0:j1], invstd[j0:j1]
    for j in range(w):
        sd[j] = 0.0
        sh[j] = 0.0
    for i in range(n):
        di, hi = dy[i, j0:j1], xhat[i, j0:j1]
        for j in range(w):
            sd[j] += di[j]
            sh[j] += di[j] * hi[j]
    if need_dw:
        if use_gamma:
            dg = dgamma[j0:j1]
            for j in range(w):
                dg[j] = sh[j]
        if use_beta:
            db = dbeta[j0:j1]
            for j in range(w):
                db[j] = sd[j]
    if need_dx:
        ga = gamma[j0:j1] if use_gamma else gamma
        for i in range(n):
            di, hi, xi = dy[i, j0:j1], xhat[i, j0:j1], dx[i, j0:j1]
            for j in range(w):
                g = ga[j] if use_gamma else 1.0
                if training:
                    d = g * r[j] / n * (n * di[j] - sd[j] - hi[j] * sh[j])
                else:
                    d = g * r[j] * di[j]
                if acc:
                    xi[j] += d
                else:
                    xi[j] = d


@njit(**JIT)
def layernorm_forward(x, y, gamma, beta, xhat, invstd, eps, i0, i1):
    """Per sample: x̂ = (x − mean)/√(var + eps) over the features; y = γ·x̂ + β. Rows [i0, i1)."""
    w = x.shape[1]
    for i in range(i0, i1):
        m = 0.0
        for j in range(w):
            m += x[i, j]
        m /= w
        v = 0.0
        for j in range(w):
            d = x[i, j] - m
            v += d * d
        r = 1.0 / math.sqrt(v / w + eps)
        invstd[i] = r
        for j in range(w):
            h = (x[i, j] - m) * r
            xhat[i, j] = h
            y[i, j] = gamma[j] * h + beta[j]


@njit(**JIT)
def layernorm_backward(dy, xhat, gamma, invstd, dgamma, dbeta, need_dw, dx, need_dx, acc, j0, j1, i0, i1):
    """γ/β gradients of columns [j0, j1) (sums over every row), dx of rows [i0, i1)."""
    n, w = dy.shape
    if need_dw:
        dg, db = dgamma[j0:j1], dbeta[j0:j1]
        for j in range(j1 - j0):
            dg[j] = 0.0
            db[j] = 0.0
        for i in range(n):
            di, hi = dy[i, j0:j1], xhat[i, j0:j1]
            for j in range(j1 - j0):
                dg[j] += di[j] * hi[j]
                db[j] += di[j]
    if need_dx:
        for i in range(i0, i1):
            s1 = 0.0
            s2 = 0.0
            for j in range(w):
                g = dy[i, j] * gamma[j]
                s1 += g
                s2 += g * xhat[i, j]
            r = invstd[i] / w
            for j in range(w):
                d = r * (w * dy[i, j] * gamma[j] - s1 - xhat[i, j] * s2)
                if acc:
                    dx[i, j] += d
                else:
                    dx[i, j] = d


# ---- the same kernels on `chunks` threads (see the module docstring) --------------------------------
@njit(parallel=True, **JIT)
def batchnorm_forward_par(x, y, gamma, beta, mmean, mvar, xhat, mean, invstd,
                          use_gamma, use_beta, eps, momentum, training, chunks):
    for c in prange(chunks):
        j0, j1 = _chunk(x.shape[1], chunks, _ALIGN, c)
        if j0 < j1:
            batchnorm_forward(x, y, gamma, beta, mmean, mvar, xhat, mean, invstd,
                              use_gamma, use_beta, eps, momentum, training, j0, j1)


@njit(parallel=True, **JIT)
def batchnorm_backward_par(dy, xhat, gamma, invstd, sum_dy, sum_dyh, dgamma, dbeta,
                           use_gamma, use_beta, need_dw, dx, need_dx, acc, training, chunks):
    for c in prange(chunks):
        j0, j1 = _chunk(dy.shape[1], chunks, _ALIGN, c)
        if j0 < j1:
            batchnorm_backward(dy, xhat, gamma, invstd, sum_dy, sum_dyh, dgamma, dbeta,
                               use_gamma, use_beta, need_dw, dx, need_dx, acc, training, j0, j1)


@njit(parallel=True, **JIT)
def layernorm_forward_par(x, y, gamma, beta, xhat, invstd, eps, chunks):
    for c in prange(chunks):
        i0, i1 = _chunk(x.shape[0], chunks, 1, c)
        if i0 < i1:
            layernorm_forward(x, y, gamma, beta, xhat, invstd, eps, i0, i1)


@njit(parallel=True, **JIT)
def layernorm_backward_par(dy, xhat, gamma, invstd, dgamma, dbeta, need_dw, dx, need_dx, acc, chunks):
    for c in prange(chunks):
        j0, j1 = _chunk(dy.shape[1], chunks, _ALIGN, c)
        i0, i1 = _chunk(dy.shape[0], chunks, 1, c)
        layernorm_backward(dy, xhat, gamma, invstd, dgamma, dbeta, need_dw, dx, need_dx, acc, j0, j1, i0, i1)
