"""Built-in data sets whose samples have a shape: digits as 8×8×1 images, and sequences.

Layout (the engine's convention, as Keras): channels-last. An image sample is (H, W, C), a sequence
sample is (T, F); X stays 2-D, (n, prod(sample shape)) row-major, and `Dataset.sample_shape` says
how to read a row. `core.data` registers these sets beside the flat ones.

- ``digits_images``: scikit-learn's bundled 8×8 digits, the same pixels as ``digits``, as images.
- ``sine_forecast``: windows of a noisy sum of two sines → the next (noise-free) value.
- ``recall_first``: the class is the symbol shown at the first step; T − 1 steps of noise follow.
  A network has to carry the first step through all the later ones, so the task gets harder as
  the sequence gets longer: the long-range task on which LSTM and GRU learn and SimpleRNN does not.
  Its defaults (n 2000, length 15, 4 symbols, noise 2) are where PyTorch, initialised as Keras,
  showed that within 30 epochs (hidden 32, Adam 1e-2, batch 32): LSTM 100 % and GRU ≥ 98 % test
  accuracy for seeds 0–2, SimpleRNN 23–47 % (chance 25 %); at length 5 all three learn, at 30 none
  does in that budget (bench/calibrate_sequence_task.py, bench/results/sequence_task_calibration.json).
  Why gates help: after the first step, every input is noise that a SimpleRNN must add into its one
  state, while an LSTM/GRU can learn to close its input (update) gate once the cue has passed.

Every generator is deterministic given its seed; classes are balanced (counts differ by at most one).
"""
from __future__ import annotations

import numpy as np

from .errors import DataError
from .params import Param

MAX_VALUES = 50_000_000     # values in X (400 MB of float64): beyond, refused before allocating


def image_feature_names(height: int, width: int, channels: int = 1) -> list[str]:
    """'pixel r,c' per pixel in row-major order (with ' ch k' per channel when there are several)."""
    if channels == 1:
        return [f"pixel {r},{c}" for r in range(height) for c in range(width)]
    return [f"pixel {r},{c} ch{k}" for r in range(height) for c in range(width) for k in range(channels)]


def sequence_feature_names(length: int, features: int) -> list[str]:
    """'t{t} f{f}' per value, time-major (the row-major order of a (T, F) sample)."""
    return [f"t{t} f{f}" for t in range(length) for f in range(features)]


def _check_size(name: str, n: int, length: int, features: int) -> None:
    values = n * length * features
    if values > MAX_VALUES:
        raise DataError(f"Data set {name!r}: n={n} samples of length={length} with {features} feature(s) are "
                        f"{values:,} values, more than the {MAX_VALUES:,} a built-in set may hold; "
                        "lower `n` or `length`")


def _balanced_labels(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """n labels 0..k-1, near-equal counts (the first n % k classes get one more), shuffled."""
    return rng.permutation(np.repeat(np.arange(k), np.full(k, n // k) + (np.arange(k) < n % k)))


# ----------------------------------------------------------------------------- images

def digits_images(seed: int = 0):
    """scikit-learn's bundled 8×8 handwritten digits as (8, 8, 1) images (multiclass); `seed` is unused.

    Same samples, order and pixel values (0–16) as ``digits``; only the sample shape differs, so a
    Conv2D can see which pixels are neighbours.
    """
    from sklearn import datasets  # bundled with the package: never downloads

    from .data import Dataset
    b = datasets.load_digits()
    return Dataset(b.data, b.target, "multiclass", image_feature_names(8, 8, 1),
                   [str(c) for c in b.target_names], "digits_images", sample_shape=(8, 8, 1))


# ----------------------------------------------------------------------------- sequences

SINE_PERIODS = (12.0, 31.0)     # steps per cycle of the two sines: a window of 20 sees neither repeat


def sine_forecast(n: int = 500, length: int = 20, noise: float = 0.05, seed: int = 0):
    """Forecasting (regression): a window of `length` noisy steps of s(t) → the next value s(length).

    s(t) = sin(2πt/12 + φ₁) + 0.5·sin(2πt/31 + φ₂) with phases φ₁, φ₂ uniform per sample; the window
    gets Gaussian noise of std `noise`, the target is the noise-free next value, shape (n, 1).
    Samples are (length, 1) sequences.
    """
    from .data import Dataset
    _check_size("sine_forecast", n, length + 1, 1)
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0.0, 2 * np.pi, (n, 2))
    t = np.arange(length + 1)
    s = (np.sin(2 * np.pi * t / SINE_PERIODS[0] + phases[:, :1])
         + 0.5 * np.sin(2 * np.pi * t / SINE_PERIODS[1] + phases[:, 1:]))
    X = s[:, :length] + rng.normal(0.0, noise, (n, length))
    return Dataset(X, s[:, length:], "regression", sequence_feature_names(length, 1), None, "sine_forecast",
                   sample_shape=(length, 1))


def recall_first(n: int = 2000, length: int = 15, symbols: int = 4, noise: float = 2.0, seed: int = 0):
    """Delayed recall (multiclass): the class is the symbol shown at the first step.

    A sample is (length, symbols + 1): at t = 0 the symbol is one-hot over the first `symbols`
    channels and the last channel, the cue, is 1; at every later step the cue is 0 and the symbol
    channels hold Gaussian noise of std `noise`. Predicting the class means remembering step 0
    through length − 1 steps of noise: chance is 1/symbols, and a longer `length` is harder.
    """
    from .data import Dataset
    _check_size("recall_first", n, length, symbols + 1)
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, symbols, rng)
    X = np.zeros((n, length, symbols + 1))
    X[:, 1:, :symbols] = rng.normal(0.0, noise, (n, length - 1, symbols))
    X[np.arange(n), 0, y] = 1.0
    X[:, 0, symbols] = 1.0
    return Dataset(X.reshape(n, -1), y, "multiclass", sequence_feature_names(length, symbols + 1),
                   [f"symbol {k}" for k in range(symbols)], "recall_first", sample_shape=(length, symbols + 1))


def _length(default: int, minimum: int, doc: str) -> Param:
    return Param("length", "int", default, minimum=minimum, maximum=1000, doc=doc)


SHAPED_DATASETS = {f.__name__: f for f in (digits_images, sine_forecast, recall_first)}

SHAPED_DATASET_PARAMS: dict[str, list[Param]] = {
    "digits_images": [],
    "sine_forecast": [
        Param("n", "int", 500, minimum=4, maximum=1_000_000, doc="Number of samples."),
        _length(20, 1, "Steps in each window: the network sees this many values and predicts the next."),
        Param("noise", "float", 0.05, minimum=0.0, maximum=10.0, doc="Std of the Gaussian noise added to the window."),
    ],
    "recall_first": [
        Param("n", "int", 2000, minimum=4, maximum=1_000_000, doc="Number of samples."),
        _length(15, 1, "Steps in each sequence: the symbol to remember comes first, the rest is noise. "
                       "Longer is harder."),
        Param("symbols", "int", 4, minimum=2, maximum=100, doc="Number of symbols (classes); chance is 1/symbols."),
        Param("noise", "float", 2.0, minimum=0.0, maximum=10.0,
              doc="Std of the Gaussian noise in the steps after the first."),
    ],
}
