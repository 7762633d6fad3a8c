"""Element-wise activations on flat (n·width) views, plus PReLU, RReLU and Softmax."""
import math

from numba import njit

from .opcodes import (ACT_ELU, ACT_LEAKY_RELU, ACT_LINEAR, ACT_MISH, ACT_RELU, ACT_SELU,
                      ACT_SIGMOID, ACT_SOFTPLUS, ACT_STEP, ACT_SWISH, ACT_TANH)
from .rng import uniform

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


@njit(cache=True, nogil=True, inline="always")
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(cache=True, nogil=True, inline="always")
def _softplus(x):
    # log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@njit(cache=True, nogil=True)
def act_forward(code, alpha, x, y):
    """y = f(x) on flat arrays."""
    for i in range(x.size):
        v = x[i]
        if code == ACT_LINEAR:
            r = v
        elif code == ACT_STEP:
            r = 1.0 if v >= alpha else 0.0
        elif code == ACT_SIGMOID:
            r = _sigmoid(v)
        elif code == ACT_TANH:
            r = math.tanh(v)
        elif code == ACT_RELU:
            r = v if v > 0.0 else 0.0
        elif code == ACT_LEAKY_RELU:
            r = v if v > 0.0 else alpha * v
        elif code == ACT_ELU:
            r = v if v > 0.0 else alpha * math.expm1(v)
        elif code == ACT_SELU:
            r = SELU_SCALE * v if v > 0.0 else SELU_SCALE * SELU_ALPHA * math.expm1(v)
        elif code == ACT_SWISH:
            r = v * _sigmoid(v)
        elif code == ACT_MISH:
            r = v * math.tanh(_softplus(v))
        else:  # ACT_SOFTPLUS
            r = _softplus(v)
        y[i] = r


@njit(cache=True, nogil=True)
def act_backward(code, alpha, x, y, dy, dx, acc):
    """dx (+)= f'(x)·dy. Step's derivative is 0 everywhere it exists: nothing upstream learns."""
    for i in range(x.size):
        v = x[i]
        if code == ACT_LINEAR:
            d = 1.0
        elif code == ACT_STEP:
            d = 0.0
        elif code == ACT_SIGMOID:
            d = y[i] * (1.0 - y[i])
        elif code == ACT_TANH:
            d = 1.0 - y[i] * y[i]
        elif code == ACT_RELU:
            d = 1.0 if v > 0.0 else 0.0
        elif code == ACT_LEAKY_RELU:
            d = 1.0 if v > 0.0 else alpha
        elif code == ACT_ELU:
            d = 1.0 if v > 0.0 else alpha * math.exp(v)
        elif code == ACT_SELU:
            d = SELU_SCALE if v > 0.0 else SELU_SCALE * SELU_ALPHA * math.exp(v)
        elif code == ACT_SWISH:
            s = _sigmoid(v)
            d = s * (1.0 + v * (1.0 - s))
        elif code == ACT_MISH:
            sp = _softplus(v)
            t = math.tanh(sp)
            d = t + v * (1.0 - t * t) * _sigmoid(v)
        else:  # ACT_SOFTPLUS
            d = _sigmoid(v)
        if acc:
            dx[i] += d * dy[i]
        else:
            dx[i] = d * dy[i]


@njit(cache=True, nogil=True)
def prelu_forward(x, a, y):
    """y = x for x > 0, a[j]·x otherwise; x, y are [n, width], a is [width]."""
    n, w = x.shape
    for i in range(n):
        for j in range(w):
            v = x[i, j]
            y[i, j] = v if v > 0.0 else a[j] * v


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def rrelu_forward(x, y, slopes, lower, upper, training, rng):
    """Random slope per element in training (kept in `slopes` for backward), mean slope otherwise."""
    mean = 0.5 * (lower + upper)
    for i in range(x.size):
        v = x[i]
        s = lower + (upper - lower) * uniform(rng) if training else mean
        slopes[i] = s
        y[i] = v if v >= 0.0 else s * v


@njit(cache=True, nogil=True)
def rrelu_backward(x, slopes, dy, dx, acc):
    for i in range(x.size):
        d = 1.0 if x[i] >= 0.0 else slopes[i]
        if acc:
            dx[i] += d * dy[i]
        else:
            dx[i] = d * dy[i]


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
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
