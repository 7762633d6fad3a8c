"""Element-wise activations on flat (n·width) views, plus PReLU, RReLU and Softmax."""
import math

import numpy as np
from numba import njit, prange

from .config import JIT, JIT_INLINE

from .opcodes import (ACT_ELU, ACT_LEAKY_RELU, ACT_LINEAR, ACT_MISH, ACT_RELU, ACT_SELU,
                      ACT_SIGMOID, ACT_SOFTPLUS, ACT_STEP, ACT_SWISH, ACT_TANH)
from .rng import uniform

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


@njit(**JIT_INLINE)
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(**JIT_INLINE)
def _softplus(x):
    # log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@njit(**JIT_INLINE)
def _f(code, alpha, v):
    if code == ACT_LINEAR:
        return v
    if code == ACT_STEP:
        return 1.0 if v >= alpha else 0.0
    if code == ACT_SIGMOID:
        return _sigmoid(v)
    if code == ACT_TANH:
        return math.tanh(v)
    if code == ACT_RELU:
        return v if v > 0.0 else 0.0
    if code == ACT_LEAKY_RELU:
        return v if v > 0.0 else alpha * v
    if code == ACT_ELU:
        return v if v > 0.0 else alpha * math.expm1(v)
    if code == ACT_SELU:
        return SELU_SCALE * v if v > 0.0 else SELU_SCALE * SELU_ALPHA * math.expm1(v)
    if code == ACT_SWISH:
        return v * _sigmoid(v)
    if code == ACT_MISH:
        return v * math.tanh(_softplus(v))
    return _softplus(v)   # ACT_SOFTPLUS


@njit(**JIT_INLINE)
def _df(code, alpha, v, y):
    """f'(x) from x (v) and y = f(x). Step's derivative is 0 wherever it exists."""
    if code == ACT_LINEAR:
        return 1.0
    if code == ACT_STEP:
        return 0.0
    if code == ACT_SIGMOID:
        return y * (1.0 - y)
    if code == ACT_TANH:
        return 1.0 - y * y
    if code == ACT_RELU:
        return 1.0 if v > 0.0 else 0.0
    if code == ACT_LEAKY_RELU:
        return 1.0 if v > 0.0 else alpha
    if code == ACT_ELU:
        return 1.0 if v > 0.0 else alpha * math.exp(v)
    if code == ACT_SELU:
        return SELU_SCALE if v > 0.0 else SELU_SCALE * SELU_ALPHA * math.exp(v)
    if code == ACT_SWISH:
        s = _sigmoid(v)
        return s * (1.0 + v * (1.0 - s))
    if code == ACT_MISH:
        t = math.tanh(_softplus(v))
        return t + v * (1.0 - t * t) * _sigmoid(v)
    return _sigmoid(v)    # ACT_SOFTPLUS


@njit(**JIT_INLINE)
def _tanh32(v):
    """tanh in float32 as a rational approximation (Eigen's generic_fast_tanh_float): max error
    3.2e-7, and unlike math.tanh the loop around it vectorises (50× faster on 262k values)."""
    v = min(max(v, np.float32(-7.90531110763549805)), np.float32(7.90531110763549805))
    v2 = v * v
    p = v2 * np.float32(-2.76076847742355e-16) + np.float32(2.00018790482477e-13)
    p = p * v2 + np.float32(-8.60467152213735e-11)
    p = p * v2 + np.float32(5.12229709037114e-08)
    p = p * v2 + np.float32(1.48572235717979e-05)
    p = p * v2 + np.float32(6.37261928875436e-04)
    p = p * v2 + np.float32(4.89352455891786e-03)
    q = v2 * np.float32(1.19825839466702e-06) + np.float32(1.18534705686654e-04)
    q = q * v2 + np.float32(2.26843463243900e-03)
    q = q * v2 + np.float32(4.89352518554385e-03)
    return p * v / q


@njit(**JIT)
def act_forward(code, alpha, x, y):
    """y = f(x) on flat arrays. ReLU gets a branch-free loop; float32 tanh and sigmoid use a
    vectorisable rational tanh (float64 keeps math.tanh, so gradient checks stay exact)."""
    if code == ACT_RELU:
        for i in range(x.size):
            v = x[i]
            y[i] = v if v > 0 else 0
        return
    if y.itemsize == 4 and code == ACT_TANH:
        for i in range(x.size):
            y[i] = _tanh32(x[i])
        return
    if y.itemsize == 4 and code == ACT_SIGMOID:
        for i in range(x.size):
            y[i] = np.float32(0.5) + np.float32(0.5) * _tanh32(np.float32(0.5) * x[i])
        return
    for i in range(x.size):
        y[i] = _f(code, alpha, x[i])


@njit(**JIT)
def act_backward(code, alpha, x, y, dy, dx, acc):
    """dx (+)= f'(x)·dy. Step's derivative is 0 everywhere it exists: nothing upstream learns."""
    if not acc and code == ACT_RELU:
        for i in range(x.size):
            dx[i] = dy[i] if x[i] > 0 else 0
        return
    if not acc and code == ACT_TANH:      # straight-line loops for the common cases (vectorised)
        for i in range(x.size):
            dx[i] = (1 - y[i] * y[i]) * dy[i]
        return
    if not acc and code == ACT_SIGMOID:
        for i in range(x.size):
            dx[i] = y[i] * (1 - y[i]) * dy[i]
        return
    for i in range(x.size):
        d = _df(code, alpha, x[i], y[i]) * dy[i]
        if acc:
            dx[i] += d
        else:
            dx[i] = d


@njit(**JIT)
def prelu_forward(x, a, y):
    """y = x for x > 0, a[j]·x otherwise; x, y are [n, width], a is [width]."""
    n, w = x.shape
    for i in range(n):
        for j in range(w):
            v = x[i, j]
            y[i, j] = v if v > 0.0 else a[j] * v


@njit(**JIT)
def prelu_backward(x, a, dy, da, need_da, dx, need_dx, acc):
    n, w = x.shape
    if need_da:
        for j in range(w):
            da[j] = 0.0
    for i in range(n):
        for j in range(w):
            v = x[i, j]
            if v > 0.0:
                d = 1.0
            else:
                d = a[j]
                if need_da:
                    da[j] += dy[i, j] * v
            if need_dx:
                if acc:
                    dx[i, j] += d * dy[i, j]
                else:
                    dx[i, j] = d * dy[i, j]


@njit(**JIT)
def rrelu_forward(x, y, slopes, lower, upper, training, rng):
    """Random slope per element in training (kept in `slopes` for backward), mean slope otherwise."""
    mean = 0.5 * (lower + upper)
    for i in range(x.size):
        v = x[i]
        s = lower + (upper - lower) * uniform(rng) if training else mean
        slopes[i] = s
        y[i] = v if v >= 0.0 else s * v


@njit(**JIT)
def rrelu_backward(x, slopes, dy, dx, acc):
    for i in range(x.size):
        d = 1.0 if x[i] >= 0.0 else slopes[i]
        if acc:
            dx[i] += d * dy[i]
        else:
            dx[i] = d * dy[i]


@njit(**JIT)
def softmax_forward(x, y):
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    n, w = x.shape
    for i in range(n):
        m = x[i, 0]
        for j in range(1, w):
            m = max(m, x[i, j])
        s = 0.0
        for j in range(w):
            e = math.exp(x[i, j] - m)
            y[i, j] = e
            s += e
        inv = 1.0 / s
        for j in range(w):
            y[i, j] *= inv


@njit(**JIT)
def softmax_backward(y, dy, dx, acc):
    """dx = y ⊙ (dy − Σ_j dy_j·y_j) per row."""
    n, w = y.shape
    for i in range(n):
        s = 0.0
        for j in range(w):
            s += dy[i, j] * y[i, j]
        for j in range(w):
            d = y[i, j] * (dy[i, j] - s)
            if acc:
                dx[i, j] += d
            else:
                dx[i, j] = d


# Element-wise activations on many elements run in `chunks` slices at once (prange), each slice
# the serial loop above, so the result is the serial one bit for bit. Why 2¹⁸ elements: a ReLU
# pass moves 8 bytes per float32 element (2 MB here, ~100 µs on one core) against a parallel
# region's fork/join of a few µs; the playground, digits and W2 activations (≤ 32·64 = 2k
# elements) stay serial, W3 at batch 512 (512·512) and W5 (256·2048) go parallel. Separate
# functions: numba's cache key ignores `parallel=` (NOTES.md).
PARALLEL_MIN_ELEMENTS = 1 << 18


@njit(parallel=True, **JIT)
def act_forward_par(code, alpha, x, y, chunks):
    """act_forward in `chunks` slices across threads."""
    n = x.size
    per = (n + chunks - 1) // chunks
    for c in prange(chunks):
        lo = c * per
        hi = min(n, lo + per)
        if lo < hi:
            act_forward(code, alpha, x[lo:hi], y[lo:hi])


@njit(parallel=True, **JIT)
def act_backward_par(code, alpha, x, y, dy, dx, acc, chunks):
    """act_backward in `chunks` slices across threads."""
    n = x.size
    per = (n + chunks - 1) // chunks
    for c in prange(chunks):
        lo = c * per
        hi = min(n, lo + per)
        if lo < hi:
            act_backward(code, alpha, x[lo:hi], y[lo:hi], dy[lo:hi], dx[lo:hi], acc)
