"""numba.cuda kernels of the blocks that draw random numbers: Dropout, AlphaDropout, RReLU.

Element i of a launch hashes (key, i) with SplitMix64's finaliser, and the executor derives the key
from its seed, the optimizer step and the plan step. Threads share no generator state and a run is
reproducible; the numbers are not the CPU's (its generator is sequential), so only inference
matches it exactly.
"""
import numpy as np
from numba import cuda

from .cuda_kernels import SELU_ALPHA, SELU_SCALE
from .rng import _GOLDEN, _INV53, _M1, _M2, _S11, _S27, _S30, _S31

ALPHA_P = -SELU_ALPHA * SELU_SCALE   # SELU's negative saturation value (AlphaDropout)
_ONE = np.uint64(1)
_MASK64 = 2**64 - 1


def launch_key(seed, counter):
    """Host side: the uint64 key of one launch's random numbers, SplitMix64 of seed + counter·γ
    (Python ints, so the intended wrap-around raises no numpy overflow warning)."""
    z = (int(seed) + (int(counter) + 1) * int(_GOLDEN)) & _MASK64
    z = ((z ^ (z >> 30)) * int(_M1)) & _MASK64
    z = ((z ^ (z >> 27)) * int(_M2)) & _MASK64
    return np.uint64(z ^ (z >> 31))


@cuda.jit(device=True)
def _uniform(key, i):
    """A float in [0, 1) for element i: SplitMix64's finaliser of key + (i+1)·γ, 53 random bits.
    Indexed, not advanced, so every thread draws its own number without shared state."""
    z = key + (np.uint64(i) + _ONE) * _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * _INV53



@cuda.jit
def rrelu_forward(A, xo, yo, X, so, lower, upper, training, key, count):
    """Slope U(lower, upper) per element in training, the mean slope in inference; the slopes are
    kept in X[so:] for backward (formulas: kernels/activations.py)."""
    i = cuda.grid(1)
    if i >= count:
        return
    s = lower + (upper - lower) * _uniform(key, i) if training else 0.5 * (lower + upper)
    X[so + i] = s
    v = A[xo + i]
    A[yo + i] = v if v >= 0 else s * v


@cuda.jit
def rrelu_backward(A, D, xo, yo, X, so, acc, count):
    """dx (+)= dy where x ≥ 0, slope·dy elsewhere, with the slopes forward drew."""
    i = cuda.grid(1)
    if i >= count:
        return
    d = D[yo + i] if A[xo + i] >= 0 else X[so + i] * D[yo + i]
    if acc:
        D[xo + i] += d
    else:
        D[xo + i] = d


@cuda.jit
def dropout_forward(A, xo, yo, X, mo, rate, inverted, training, key, count):
    """y = x·m with m kept in X[mo:] for backward. Training: m = 0 with probability rate, else
    1/(1−rate) (inverted) or 1; inference: 1 (inverted) or 1−rate (formulas: kernels/dropout.py)."""
    i = cuda.grid(1)
    if i >= count:
        return
    if not training:
        m = 1.0 if inverted else 1.0 - rate
    elif _uniform(key, i) >= rate:
        m = 1.0 / (1.0 - rate) if inverted else 1.0
    else:
        m = 0.0
    X[mo + i] = m
    A[yo + i] = A[xo + i] * m


@cuda.jit
def alpha_dropout_forward(A, xo, yo, X, mo, rate, training, key, count):
    """Dropped units become α' = −λα, then y = a·x' + b keeps mean and variance (Keras).
    X[mo:] receives ∂y/∂x: a where kept, 0 where dropped, 1 in inference (the identity)."""
    i = cuda.grid(1)
    if i >= count:
        return
    v = A[xo + i]
    if not training or rate == 0.0:
        X[mo + i] = 1.0
        A[yo + i] = v
        return
    a = ((1.0 - rate) * (1.0 + rate * ALPHA_P * ALPHA_P)) ** -0.5
    b = -a * ALPHA_P * rate
    if _uniform(key, i) >= rate:
        X[mo + i] = a
        A[yo + i] = a * v + b
    else:
        X[mo + i] = 0.0
        A[yo + i] = a * ALPHA_P + b


@cuda.jit
def mask_backward(D, xo, yo, X, mo, acc, count):
    """dx (+)= dy·m: both dropouts keep ∂y/∂x per element in X[mo:], the mask forward drew."""
    i = cuda.grid(1)
    if i >= count:
        return
    d = D[yo + i] * X[mo + i]
    if acc:
        D[xo + i] += d
    else:
        D[xo + i] = d
