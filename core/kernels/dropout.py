"""Dropout and AlphaDropout on flat views; the mask is kept for backward.

Element i's draw is the (i+1)-th of the run's random stream from the state at the call
(rng.uniform_at), and the state then advances past all of them: the same numbers, in the same
places, as drawing one by one, so a mask does not depend on the thread count. Large tensors
(≥ PARALLEL_MIN_ELEMENTS) split in `chunks` slices across threads.
"""
from numba import njit, prange

from .config import JIT

from .activations import PARALLEL_MIN_ELEMENTS, SELU_ALPHA, SELU_SCALE
from .rng import advance, uniform_at

__all__ = ["PARALLEL_MIN_ELEMENTS", "dropout_forward", "alpha_dropout_forward", "mask_backward"]

_ALPHA_P = -SELU_ALPHA * SELU_SCALE   # SELU's negative saturation value


@njit(**JIT)
def dropout_forward(x, y, mask, rate, inverted, training, rng, chunks=1):
    """Training: y = x·mask with mask = keep/(1−rate) (inverted) or keep (classic).
    Inference: identity (inverted) or y = (1−rate)·x (classic)."""
    if not training:
        s = 1.0 if inverted else 1.0 - rate
        for i in range(x.size):
            y[i] = x[i] * s
            mask[i] = s   # NOTE: backward reads the mask; a stale training mask would be wrong here
        return
    keep_scale = 1.0 / (1.0 - rate) if inverted else 1.0
    if chunks > 1 and x.size >= PARALLEL_MIN_ELEMENTS:
        _dropout_par(x, y, mask, rate, keep_scale, rng[0], chunks)
    else:
        _dropout_range(x, y, mask, rate, keep_scale, rng[0], 0, x.size)
    advance(rng, x.size)


@njit(**JIT)
def _dropout_range(x, y, mask, rate, keep_scale, s0, lo, hi):
    """Elements [lo, hi) with draws lo+1 … hi from s0 (the loop indexes slices from 0: see
    kernels/norm.py's note on negative-index wrap-around)."""
    xs, ys, ms = x[lo:hi], y[lo:hi], mask[lo:hi]
    for i in range(hi - lo):
        m = keep_scale if uniform_at(s0, lo + i + 1) >= rate else 0.0
        ms[i] = m
        ys[i] = xs[i] * m


@njit(parallel=True, **JIT)
def _dropout_par(x, y, mask, rate, keep_scale, s0, chunks):
    n = x.size
    per = (n + chunks - 1) // chunks
    for c in prange(chunks):
        lo = min(n, c * per)
        _dropout_range(x, y, mask, rate, keep_scale, s0, lo, min(n, lo + per))


@njit(**JIT)
def alpha_dropout_forward(x, y, dydx, rate, training, rng, chunks=1):
    """Keras' AlphaDropout: dropped units become α' = −λα, then y = a·x' + b keeps mean/variance.

    `dydx` receives ∂y/∂x per element for backward: a where kept, 0 where dropped, 1 in inference
    (the identity). NOTE: storing a 0/1 mask and scaling by a in backward is wrong in inference.
    """
    if not training or rate == 0.0:
        for i in range(x.size):
            y[i] = x[i]
            dydx[i] = 1.0
        return
    a = ((1.0 - rate) * (1.0 + rate * _ALPHA_P * _ALPHA_P)) ** -0.5
    b = -a * _ALPHA_P * rate
    if chunks > 1 and x.size >= PARALLEL_MIN_ELEMENTS:
        _alpha_par(x, y, dydx, rate, a, b, rng[0], chunks)
    else:
        _alpha_range(x, y, dydx, rate, a, b, rng[0], 0, x.size)
    advance(rng, x.size)


@njit(**JIT)
def _alpha_range(x, y, dydx, rate, a, b, s0, lo, hi):
    xs, ys, ds = x[lo:hi], y[lo:hi], dydx[lo:hi]
    dropped = a * _ALPHA_P + b
    for i in range(hi - lo):
        if uniform_at(s0, lo + i + 1) >= rate:
            ds[i] = a
            ys[i] = a * xs[i] + b
        else:
            ds[i] = 0.0
            ys[i] = dropped


@njit(parallel=True, **JIT)
def _alpha_par(x, y, dydx, rate, a, b, s0, chunks):
    n = x.size
    per = (n + chunks - 1) // chunks
    for c in prange(chunks):
        lo = min(n, c * per)
        _alpha_range(x, y, dydx, rate, a, b, s0, lo, min(n, lo + per))


@njit(**JIT)
def alpha_dropout_scale(rate):
    if rate == 0.0:
        return 1.0
    return ((1.0 - rate) * (1.0 + rate * _ALPHA_P * _ALPHA_P)) ** -0.5


@njit(**JIT)
def mask_backward(dy, mask, scale, dx, acc):
    """dx (+)= dy·mask·scale (both dropouts store ∂y/∂x in the mask, so scale is 1)."""
    for i in range(dy.size):
        d = dy[i] * mask[i] * scale
        if acc:
            dx[i] += d
        else:
            dx[i] = d
