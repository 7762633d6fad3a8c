"""Weight initializers with Keras' variance definitions.

fan_in / fan_out of a Dense kernel ``[in, out]`` are ``in`` and ``out``. For the variance-scaling
family (Keras ``VarianceScaling``):

* glorot (Glorot & Bengio 2010): scale 1, mode fan_avg = (fan_in + fan_out) / 2
* he (He et al. 2015):           scale 2, mode fan_in
* lecun (LeCun et al. 1998):     scale 1, mode fan_in  (what SELU needs)

``*_uniform`` draws from U(-limit, limit) with limit = sqrt(3 · scale / fan), so the variance is
exactly scale / fan. ``*_normal`` is a normal truncated at ±2σ with σ = sqrt(scale / fan) / 0.87962566,
which again gives variance scale / fan (Keras; PyTorch's xavier/kaiming normal are not truncated).
"""
from __future__ import annotations

import numpy as np

# Standard deviation of a unit normal truncated to [-2, 2] (Keras' constant).
_TRUNC_STD = 0.87962566103423978

_SCALING = {"glorot": (1.0, "fan_avg"), "he": (2.0, "fan_in"), "lecun": (1.0, "fan_in")}

INITIALIZER_NAMES = (
    "zeros", "ones", "constant", "random_normal", "random_uniform",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
    "orthogonal",
)

INITIALIZER_DOCS = {
    "zeros": "All zeros. Right for biases; for kernels it leaves every unit identical.",
    "ones": "All ones. Used for BatchNorm/LayerNorm scale (gamma).",
    "constant": "Every value equal to `value`.",
    "random_normal": "Normal with mean 0 and standard deviation `stddev` (default 0.05).",
    "random_uniform": "Uniform in [-`limit`, `limit`] (default 0.05).",
    "glorot_uniform": "Uniform, variance 2/(fan_in+fan_out). Suits tanh and sigmoid (Glorot 2010).",
    "glorot_normal": "Truncated normal, variance 2/(fan_in+fan_out). Suits tanh and sigmoid.",
    "he_uniform": "Uniform, variance 2/fan_in. Suits ReLU and its relatives (He 2015).",
    "he_normal": "Truncated normal, variance 2/fan_in. Suits ReLU and its relatives (He 2015).",
    "lecun_uniform": "Uniform, variance 1/fan_in.",
    "lecun_normal": "Truncated normal, variance 1/fan_in. What SELU needs for self-normalisation.",
    "orthogonal": "A random orthogonal matrix (Keras: QR of a normal matrix; rows or columns "
                  "orthonormal). The recurrent layers' default: h·U keeps the norm of h.",
}


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras' fans: a convolution kernel (kh, kw, C_in, F) has fan_in kh·kw·C_in and fan_out
    kh·kw·F (the receptive field times the input / output channels)."""
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    field = int(np.prod(shape[:-2]))
    return field * shape[-2], field * shape[-1]


def _truncated_normal(rng: np.random.Generator, shape, std: float) -> np.ndarray:
    """Normal(0, std) with values beyond ±2·std redrawn."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out * std


def orthogonal(shape: tuple[int, ...], rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """Keras ``Orthogonal``: the shape is read as (prod(shape[:-1]), shape[-1]); Q of the QR
    decomposition of a normal matrix of shape (max, min), its columns' signs fixed by sign(diag R)
    (so Q is uniformly distributed, Mezzadri 2007), transposed when there are fewer rows than
    columns. Square: W·Wᵀ = I; otherwise the shorter side is orthonormal. A 1-D shape is one row."""
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    cols = int(shape[-1])
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


def initialize(name: str, shape: tuple[int, ...], rng: np.random.Generator,
               params: dict | None = None, dtype=np.float32) -> np.ndarray:
    """Draw an array of `shape` for initializer `name` (see the module docstring for formulas).

    ``params["unit_forget_bias"] = h`` (an LSTM bias, gates [i f c o]) sets the forget block
    [h, 2h) to 1 after drawing, as Keras' ``unit_forget_bias=True`` does."""
    params = params or {}
    h = params.get("unit_forget_bias")
    if h:
        out = initialize(name, shape, rng, {k: v for k, v in params.items() if k != "unit_forget_bias"}, dtype)
        out[..., h:2 * h] = 1
        return out
    if name == "orthogonal":
        return orthogonal(tuple(shape), rng, params.get("gain", 1.0)).astype(dtype)
    if name == "zeros":
        return np.zeros(shape, dtype)
    if name == "ones":
        return np.ones(shape, dtype)
    if name == "constant":
        return np.full(shape, params.get("value", 0.0), dtype)
    if name == "random_normal":
        return (rng.standard_normal(shape) * params.get("stddev", 0.05)).astype(dtype)
    if name == "random_uniform":
        lim = params.get("limit", 0.05)
        return rng.uniform(-lim, lim, shape).astype(dtype)
    family, _, dist = name.partition("_")
    if family not in _SCALING or dist not in ("uniform", "normal"):
        raise KeyError(f"Could not interpret initializer identifier: {name!r}")
    scale, mode = _SCALING[family]
    fan_in, fan_out = fans(shape)
    fan = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    variance = scale / max(1.0, fan)
    if dist == "uniform":
        lim = np.sqrt(3.0 * variance)
        return rng.uniform(-lim, lim, shape).astype(dtype)
    return _truncated_normal(rng, shape, np.sqrt(variance) / _TRUNC_STD).astype(dtype)
