"""Dropout and AlphaDropout on flat views; the mask is kept for backward."""
from numba import njit

from .config import JIT

from .activations import SELU_ALPHA, SELU_SCALE
from .rng import uniform

_ALPHA_P = -SELU_ALPHA * SELU_SCALE   # SELU's negative saturation value


@njit(**JIT)
def dropout_forward(x, y, mask, rate, inverted, training, rng):
    """Training: y = x·mask with mask = keep/(1−rate) (inverted) or keep (classic).
    Inference: identity (inverted) or y = (1−rate)·x (classic)."""
    if not training:
        s = 1.0 if inverted else 1.0 - rate
        for i in range(x.size):
            y[i] = x[i] * s
            mask[i] = s   # NOTE: backward reads the mask; a stale training mask would be wrong here
        return
    keep_scale = 1.0 / (1.0 - rate) if inverted else 1.0
    for i in range(x.size):
        m = keep_scale if uniform(rng) >= rate else 0.0
        mask[i] = m
        y[i] = x[i] * m


@njit(**JIT)
def alpha_dropout_forward(x, y, dydx, rate, training, rng):
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
    for i in range(x.size):
        if uniform(rng) >= rate:
            dydx[i] = a
            y[i] = a * x[i] + b
        else:
            dydx[i] = 0.0
            y[i] = a * _ALPHA_P + b


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
