"""BatchNorm and LayerNorm forward/backward on [n, width] views.

Reductions over the batch run row by row into per-column accumulators, which keeps memory access
sequential for C-ordered arrays.
"""
import math

from numba import njit

from .config import JIT


@njit(**JIT)
def batchnorm_forward(x, y, gamma, beta, mmean, mvar, xhat, mean, invstd,
                      use_gamma, use_beta, eps, momentum, training):
    """Training: batch statistics (biased variance), moving = momentum·moving + (1−momentum)·batch.
    Inference: moving statistics. y = γ·x̂ + β."""
    n, w = x.shape
    if training:
        for j in range(w):
            mean[j] = 0.0
            invstd[j] = 0.0
        for i in range(n):
            for j in range(w):
                mean[j] += x[i, j]
        for j in range(w):
            mean[j] /= n
        for i in range(n):
            for j in range(w):
                d = x[i, j] - mean[j]
                invstd[j] += d * d
        for j in range(w):
            var = invstd[j] / n
            invstd[j] = 1.0 / math.sqrt(var + eps)
            mmean[j] = momentum * mmean[j] + (1.0 - momentum) * mean[j]
            mvar[j] = momentum * mvar[j] + (1.0 - momentum) * var
    else:
        for j in range(w):
            mean[j] = mmean[j]
            invstd[j] = 1.0 / math.sqrt(mvar[j] + eps)
    for i in range(n):
        for j in range(w):
            h = (x[i, j] - mean[j]) * invstd[j]
            xhat[i, j] = h
            g = gamma[j] if use_gamma else 1.0
            b = beta[j] if use_beta else 0.0
            y[i, j] = g * h + b


@njit(**JIT)
def batchnorm_backward(dy, xhat, gamma, invstd, sum_dy, sum_dyh, dgamma, dbeta,
                       use_gamma, use_beta, need_dw, dx, need_dx, acc, training):
    """Training (batch statistics): dx = γ·(1/σ)/n · (n·dy − Σdy − x̂·Σ(dy·x̂)) per column.
    Inference (moving statistics are constants): dx = γ·dy/√(moving_var + ε)."""
    n, w = dy.shape
    for j in range(w):
        sum_dy[j] = 0.0
        sum_dyh[j] = 0.0
    for i in range(n):
        for j in range(w):
            sum_dy[j] += dy[i, j]
            sum_dyh[j] += dy[i, j] * xhat[i, j]
    if need_dw:
        if use_gamma:
            for j in range(w):
                dgamma[j] = sum_dyh[j]
        if use_beta:
            for j in range(w):
                dbeta[j] = sum_dy[j]
    if need_dx:
        for i in range(n):
            for j in range(w):
                g = gamma[j] if use_gamma else 1.0
                if training:
                    d = g * invstd[j] / n * (n * dy[i, j] - sum_dy[j] - xhat[i, j] * sum_dyh[j])
                else:
                    d = g * invstd[j] * dy[i, j]
                if acc:
                    dx[i, j] += d
                else:
                    dx[i, j] = d


@njit(**JIT)
def layernorm_forward(x, y, gamma, beta, xhat, invstd, eps):
    """Per sample: x̂ = (x − mean)/√(var + eps) over the features; y = γ·x̂ + β."""
    n, w = x.shape
    for i in range(n):
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
def layernorm_backward(dy, xhat, gamma, invstd, dgamma, dbeta, need_dw, dx, need_dx, acc):
    n, w = dy.shape
    if need_dw:
        for j in range(w):
            dgamma[j] = 0.0
            dbeta[j] = 0.0
        for i in range(n):
            for j in range(w):
                dgamma[j] += dy[i, j] * xhat[i, j]
                dbeta[j] += dy[i, j]
    if need_dx:
        for i in range(n):
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
