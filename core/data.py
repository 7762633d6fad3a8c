"""Data sets for training: seeded 2-D toy generators, scikit-learn's bundled sets, splits and scaling.

Every generator is deterministic given its seed, returns float64 features and shuffled samples with
balanced classes (counts differ by at most one). `DATASET_PARAMS` declares each set's parameters as
`Param`s (the seed is not among them: it comes from the data settings' own `seed`).

Targets in a `Dataset`: integer labels (n,) for "binary"/"multiclass", floats (n, k) for
"regression". `prepare` turns them into what the engine trains on (all float, 2-D).

Images and sequences (core/sequence_data.py) keep X 2-D too, (n, prod(sample_shape)) row-major and
channels-last; `Dataset.sample_shape` says how to read a row: (H, W, C) or (T, F).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .errors import DataError
from .params import Param, ParamSet
from .sequence_data import SHAPED_DATASET_PARAMS, SHAPED_DATASETS

TASKS = ("binary", "multiclass", "regression")
SCALINGS = ("standard", "minmax", "none")
F32_MAX = float(np.finfo(np.float32).max)   # beyond this a value is inf in float32 training
UNSCALED_WARN = 1e6                          # unscaled features above this: warn (saturation, huge steps)


@dataclass
class Dataset:
    """Features X (n, d) float64, targets y, and names for display.

    sample_shape: the shape of one sample, channels-last ((H, W, C) images, (T, F) sequences), whose
    product is d; None for flat (d,) samples. X stays 2-D either way (rows are row-major samples).
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    feature_names: list[str]
    class_names: list[str] | None = None
    name: str = ""
    warnings: list[str] = field(default_factory=list)   # what loading noticed (rows dropped, ID-like columns)
    sample_shape: tuple[int, ...] | None = None

    def __post_init__(self):
        if self.task not in TASKS:
            raise DataError(f"Data set {self.name!r}: task must be one of {', '.join(TASKS)}. Received: {self.task!r}")
        self.X = np.asarray(self.X, dtype=np.float64)
        if self.X.ndim != 2:
            raise DataError(f"Data set {self.name!r} expects X of shape (n, d). Received: {self.X.shape}")
        y = np.asarray(self.y)
        self.y = y.reshape(len(y), -1).astype(np.float64) if self.task == "regression" else _int_labels(y, self.name)
        if len(self.y) != len(self.X):
            raise DataError(f"Data set {self.name!r}: X has {len(self.X)} rows but y has {len(self.y)}")
        if len(self.feature_names) != self.X.shape[1]:
            raise DataError(f"Data set {self.name!r}: {self.X.shape[1]} features but "
                            f"{len(self.feature_names)} feature names")
        self.sample_shape = _sample_shape(self.sample_shape, self.X.shape[1], self.name)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape an Input block takes for this data: sample_shape, else (features,)."""
        return self.sample_shape or (self.X.shape[1],)

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for regression)."""
        if self.task == "regression":
            return 0
        return len(self.class_names) if self.class_names else int(self.y.max(initial=0)) + 1


def _sample_shape(shape, width: int, where: str) -> tuple[int, ...] | None:
    """shape as a tuple of positive ints whose product is width (None stays None)."""
    if shape is None:
        return None
    shape = tuple(shape)
    if (not shape or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in shape)
            or int(np.prod(shape)) != width):
        raise DataError(f"Data set {where!r}: sample_shape must be positive sizes whose product is the "
                        f"{width} features of a row. Received: {shape}")
    return tuple(int(s) for s in shape)


def _int_labels(y: np.ndarray, where: str = "") -> np.ndarray:
    y = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1 or (y.size and (np.any(y != np.rint(y)) or y.min() < 0)):
        raise DataError(f"Data set {where!r} expects class labels 0, 1, 2, ... of shape (n,). "
                        f"Received: shape {y.shape}")
    return y.astype(np.int64)


# ----------------------------------------------------------------------------- generators

def _counts(n: int, k: int) -> np.ndarray:
    """n split into k near-equal parts (the first n % k get one more)."""
    return np.full(k, n // k) + (np.arange(k) < n % k)


def _shuffled(name, X, y, task, features, classes, rng) -> Dataset:
    order = rng.permutation(len(X))
    return Dataset(X[order], y[order], task, features, classes, name)


def xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Four square blobs, one per quadrant; label = (x₁ > 0) XOR (x₂ > 0) of the blob (binary).

    Points are uniform in [0.1, 1]² mirrored into each quadrant, plus Gaussian noise of std `noise`.
    """
    rng = np.random.default_rng(seed)
    quadrant = np.repeat(np.arange(4), _counts(n, 4))
    signs = np.array([[1, 1], [1, -1], [-1, -1], [-1, 1]])[quadrant]   # labels alternate 0, 1, 0, 1
    X = signs * rng.uniform(0.1, 1.0, (n, 2)) + rng.normal(0.0, noise, (n, 2))
    return _shuffled("xor", X, quadrant % 2, "binary", ["x1", "x2"], ["same signs", "opposite signs"], rng)


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A circle of radius `factor` (class 1) inside one of radius 1 (class 0), as sklearn's make_circles."""
    rng = np.random.default_rng(seed)
    parts = []
    for label, (count, radius) in enumerate(zip(_counts(n, 2), (1.0, factor))):
        t = np.linspace(0.0, 2 * np.pi, count, endpoint=False)
        parts.append((radius * np.c_[np.cos(t), np.sin(t)], np.full(count, label)))
    X = np.concatenate([p[0] for p in parts]) + rng.normal(0.0, noise, (n, 2))
    return _shuffled("circles", X, np.concatenate([p[1] for p in parts]), "binary", ["x1", "x2"],
                     ["outer", "inner"], rng)


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles, as sklearn's make_moons (binary)."""
    rng = np.random.default_rng(seed)
    c0, c1 = _counts(n, 2)
    t0, t1 = np.linspace(0.0, np.pi, c0), np.linspace(0.0, np.pi, c1)
    X = np.r_[np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]]
    X = X + rng.normal(0.0, noise, (n, 2))
    return _shuffled("moons", X, np.repeat([0, 1], [c0, c1]), "binary", ["x1", "x2"], ["upper", "lower"], rng)


def spirals(n: int = 200, noise: float = 0.05, turns: float = 1.75, seed: int = 0) -> Dataset:
    """Two interleaved spirals, as TensorFlow Playground's (binary).

    Point i of a spiral with m points: r = i/m, θ = 2π·turns·r + δ (δ = 0 or π),
    x = (r sin θ, r cos θ) + Gaussian noise of std `noise`.
    """
    rng = np.random.default_rng(seed)
    Xs = []
    for count, delta in zip(_counts(n, 2), (0.0, np.pi)):
        r = np.arange(count) / count
        t = 2 * np.pi * turns * r + delta
        Xs.append(np.c_[r * np.sin(t), r * np.cos(t)])
    X = np.concatenate(Xs) + rng.normal(0.0, noise, (n, 2))
    return _shuffled("spirals", X, np.repeat([0, 1], _counts(n, 2)), "binary", ["x1", "x2"],
                     ["spiral A", "spiral B"], rng)


def blobs(n: int = 200, centers: int = 3, dims: int = 2, std: float = 1.0, seed: int = 0) -> Dataset:
    """Isotropic Gaussian blobs (multiclass); centres uniform in [−10, 10]^dims, as sklearn's make_blobs."""
    if n < centers:
        raise DataError(f"Data set 'blobs' expects `n` >= centers={centers}. Received: n={n}")
    rng = np.random.default_rng(seed)
    means = rng.uniform(-10.0, 10.0, (centers, dims))
    y = np.repeat(np.arange(centers), _counts(n, centers))
    X = means[y] + rng.normal(0.0, std, (n, dims))
    return _shuffled("blobs", X, y, "multiclass", [f"x{i + 1}" for i in range(dims)],
                     [f"blob {c}" for c in range(centers)], rng)


def sine(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Regression: x uniform in [−3, 3], y = sin x + Gaussian noise of std `noise`; y has shape (n, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, (n, 1))
    return Dataset(x, np.sin(x) + rng.normal(0.0, noise, (n, 1)), "regression", ["x"], None, "sine")


def _bundled(name: str, task: str) -> Callable[..., Dataset]:
    def load(seed: int = 0) -> Dataset:
        from sklearn import datasets  # bundled with the package: never downloads

        b = getattr(datasets, f"load_{name}")()
        return Dataset(b.data, b.target, task, [str(f) for f in b.feature_names],
                       [str(c) for c in b.target_names], name)
    load.__name__ = name
    load.__doc__ = f"scikit-learn's bundled {name.replace('_', ' ')} data set ({task}); `seed` is unused."
    return load


digits = _bundled("digits", "multiclass")
iris = _bundled("iris", "multiclass")
wine = _bundled("wine", "multiclass")
breast_cancer = _bundled("breast_cancer", "binary")

DATASETS: dict[str, Callable[..., Dataset]] = {
    f.__name__: f for f in (xor, circles, moons, spirals, blobs, sine, digits, iris, wine, breast_cancer)}
DATASETS.update(SHAPED_DATASETS)    # digits_images, sine_forecast, recall_first

_N = Param("n", "int", 200, minimum=4, maximum=1_000_000, doc="Number of samples.")


def _noise(default: float) -> Param:
    return Param("noise", "float", default, minimum=0.0, maximum=10.0, doc="Std of the Gaussian noise added to x.")


DATASET_PARAMS: dict[str, list[Param]] = {
    "xor": [_N, _noise(0.1)],
    "circles": [_N, _noise(0.05), Param("factor", "float", 0.5, minimum=0.0, maximum=0.99, min_exclusive=True,
                                        doc="Radius of the inner circle (the outer one is 1).")],
    "moons": [_N, _noise(0.1)],
    "spirals": [_N, _noise(0.05), Param("turns", "float", 1.75, minimum=0.25, maximum=10.0,
                                        doc="Turns of each spiral.")],
    "blobs": [_N, Param("centers", "int", 3, minimum=2, maximum=100, doc="Number of blobs (classes)."),
              Param("dims", "int", 2, minimum=1, maximum=10_000, doc="Number of features."),
              Param("std", "float", 1.0, minimum=0.0, min_exclusive=True, maximum=100.0, doc="Std of each blob.")],
    "sine": [_N, _noise(0.1)],
    "digits": [], "iris": [], "wine": [], "breast_cancer": [],
    **SHAPED_DATASET_PARAMS,
}


def load_dataset(name: str, *, seed: int = 0, **params: Any) -> Dataset:
    """The data set `name` with `params` (validated against `DATASET_PARAMS`) and `seed`.

    Raises:
        DataError: unknown data set or parameter, or a bad value; the message names both.
    """
    if name not in DATASETS:
        raise DataError(f"Unknown data set {name!r}. Known: {', '.join(DATASETS)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"Data set {name!r} expects a non-negative integer `seed`. Received: seed={seed!r}")
    spec = ParamSet(tuple(DATASET_PARAMS[name]))
    try:
        values = spec.resolve(params)
    except KeyError as e:
        raise DataError(f"Data set {name!r} has no parameter {e.args[0]!r}. "
                        f"Known: {', '.join(spec.names()) or 'none'}") from None
    except ValueError as e:
        raise DataError(f"Data set {name!r} {e.args[1]}") from None
    return DATASETS[name](seed=int(seed), **values)


# ----------------------------------------------------------------------------- splits and scaling

def _allocate(total: int, counts: np.ndarray, frac: float, caps: np.ndarray) -> np.ndarray:
    """Split `total` over classes in proportion to counts (largest remainder), never above caps."""
    quota = frac * counts
    take = np.minimum(np.floor(quota).astype(np.int64), caps)
    for c in np.argsort(-(quota - np.floor(quota)), kind="stable"):
        if take.sum() >= total:
            break
        if take[c] < caps[c]:
            take[c] += 1
    return take


def train_val_test_split(X, y, *, val: float = 0.2, test: float = 0.0, stratify: bool = False,
                         seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray] | None]:
    """Shuffle and split into train / val / test of round(val·n) and round(test·n) samples.

    With `stratify`, y holds class labels and each class goes to each part in proportion to its
    count (largest-remainder rounding, so the part sizes are still exact).

    Returns:
        {"train": (X, y), "val": (X, y) or None when empty, "test": (X, y) or None when empty}.
    """
    X, y, n = np.asarray(X), np.asarray(y), len(X)
    if len(y) != n:
        raise DataError(f"split expects as many targets as samples. Received: {n} samples, {len(y)} targets")
    if not (0.0 <= val < 1.0 and 0.0 <= test < 1.0):
        raise DataError(f"split expects fractions in [0, 1). Received: val={val}, test={test}")
    n_val, n_test = round(val * n), round(test * n)
    if n_val + n_test >= n:
        raise DataError(f"val={val} and test={test} leave no training data out of {n} samples")
    rng = np.random.default_rng(seed)
    if stratify:
        labels = _int_labels(y, "split")
        groups = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
        counts = np.array([len(g) for g in groups])
        k_test = _allocate(n_test, counts, test, counts)
        k_val = _allocate(n_val, counts, val, counts - k_test)
        parts = {"test": np.concatenate([g[:t] for g, t in zip(groups, k_test)]),
                 "val": np.concatenate([g[t:t + v] for g, t, v in zip(groups, k_test, k_val)]),
                 "train": np.concatenate([g[t + v:] for g, t, v in zip(groups, k_test, k_val)])}
        parts = {key: rng.permutation(idx) for key, idx in parts.items()}  # classes interleaved
    else:
        order = rng.permutation(n)
        parts = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
    return {key: (X[idx], y[idx]) if idx.size else None for key, idx in
            (("train", parts["train"]), ("val", parts["val"]), ("test", parts["test"]))}


@dataclass
class Scaler:
    """Per-feature affine scaling x' = (x − offset) / scale, fitted on the training part only.

    standard: offset = mean, scale = std (population); minmax: offset = min, scale = max − min
    (maps the training range to [0, 1]); none: identity. A constant feature gets scale 1.

    Images and sequences (fit with a `sample_shape` of rank ≥ 2) are scaled per channel, the last
    axis, with statistics over every position, as a Keras Normalization layer on the last axis: a
    pixel that is rarely inked or a cue that appears at one time step keeps its meaning instead of
    being blown up or erased column by column. offset and scale are still stored per column (the
    channel's value repeated), so transform, export and saved scalers work unchanged.
    """

    kind: str = "standard"
    offset: np.ndarray | None = None
    scale: np.ndarray | None = None

    def __post_init__(self):
        if self.kind not in SCALINGS:
            raise DataError(f"Scaler kind must be one of {', '.join(SCALINGS)}. Received: {self.kind!r}")

    def fit(self, X, sample_shape: tuple[int, ...] | None = None) -> "Scaler":
        X = np.asarray(X, dtype=np.float64)
        if sample_shape is not None and len(sample_shape) >= 2 and X.ndim == 2 and X.shape[1] > 0:
            channels = int(sample_shape[-1])
            if X.shape[1] % channels:
                raise DataError(f"Scaler: {X.shape[1]} features are not a whole number of samples "
                                f"of shape {tuple(sample_shape)}")
            self._fit_columns(X.reshape(-1, channels))        # a view: positions become rows
            reps = X.shape[1] // channels
            self.offset, self.scale = np.tile(self.offset, reps), np.tile(self.scale, reps)
            return self
        return self._fit_columns(X)

    def _fit_columns(self, X: np.ndarray) -> "Scaler":
        if self.kind == "standard":
            self.offset, self.scale = X.mean(axis=0), X.std(axis=0)
        elif self.kind == "minmax":
            self.offset, self.scale = X.min(axis=0), X.max(axis=0) - X.min(axis=0)
        else:
            self.offset, self.scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
        # NOTE: a constant column can leave a std of ~1e-17 from rounding in the mean; test the range.
        constant = (np.ptp(X, axis=0) == 0) | (self.scale < 10 * np.finfo(float).eps * np.maximum(1, abs(self.offset)))
        self.scale = np.where(constant, 1.0, self.scale)
        return self

    def _check(self, X) -> np.ndarray:
        if self.offset is None:
            raise RuntimeError("Scaler is used before fit()")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.offset.size:
            raise DataError(f"Scaler expects data with {self.offset.size} features. Received: shape {X.shape}")
        return X

    def transform(self, X, *, in_place: bool = False) -> np.ndarray:
        """(X − offset) / scale. in_place reuses a float64 X's memory (one copy fewer for big data)."""
        X = self._check(X)
        if in_place and X.flags.writeable:
            X -= self.offset
            X /= self.scale
            return X
        return (X - self.offset) / self.scale

    def inverse_transform(self, X) -> np.ndarray:
        return self._check(X) * self.scale + self.offset

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: {"kind", "offset", "scale"} with lists (None before fit)."""
        tolist = (lambda v: None if v is None else v.tolist())
        return {"kind": self.kind, "offset": tolist(self.offset), "scale": tolist(self.scale)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Scaler":
        arr = (lambda v: None if v is None else np.asarray(v, dtype=np.float64))
        return cls(d["kind"], arr(d.get("offset")), arr(d.get("scale")))


def one_hot(y, k: int) -> np.ndarray:
    """Float (n, k) indicator rows from integer labels (n,) or (n, 1) (float-valued labels allowed)."""
    labels = _int_labels(np.asarray(y), "one_hot")
    if labels.size and labels.max() >= k:
        raise DataError(f"one_hot expects labels below k={k}. Received: {labels.max()}")
    return np.eye(k)[labels]


@dataclass
class PreparedData:
    """Scaled splits ready for the engine; y is float (n, 1) labels for classification, (n, k) values else."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    scaler: Scaler
    task: str
    n_classes: int
    feature_names: list[str] = field(default_factory=list)
    class_names: list[str] | None = None
    name: str = ""
    warnings: list[str] = field(default_factory=list)   # the Dataset's, for the CLI and the GUI
    sample_shape: tuple[int, ...] | None = None           # the Dataset's: (H, W, C), (T, F) or None


def prepare(dataset: Dataset, *, val: float = 0.2, test: float = 0.0, scaling: str = "standard",
            seed: int = 0) -> PreparedData:
    """Split (stratified for classification), fit the scaler on train, scale all parts, shape y.

    Targets: regression (n, k) floats; binary (n, 1) of 0./1.; multiclass (n, 1) float labels
    (sparse; `one_hot(y, n_classes)` gives (n, n_classes)). Images and sequences are scaled per
    channel (see `Scaler`).
    """
    classify = dataset.task != "regression"
    if dataset.task == "binary" and np.any((dataset.y != 0) & (dataset.y != 1)):
        raise DataError(f"Data set {dataset.name!r} is binary and expects labels 0 and 1")
    parts = train_val_test_split(dataset.X, dataset.y, val=val, test=test, stratify=classify, seed=seed)
    scaler = Scaler(scaling).fit(parts["train"][0], dataset.sample_shape)
    out = {}
    for key, part in parts.items():
        X, y = part if part is not None else (None, None)
        out[f"X_{key}"] = None if X is None else scaler.transform(X, in_place=True)   # X is a split copy
        out[f"y_{key}"] = None if y is None else np.asarray(y, np.float64).reshape(len(y), -1)
        if X is not None:
            _check_scaled(out[f"X_{key}"], key, scaling, dataset)
    warnings = list(dataset.warnings)
    peak = np.abs(out["X_train"]).max(axis=0, initial=0.0) if scaling == "none" else None
    if peak is not None and peak.max(initial=0.0) > UNSCALED_WARN:
        j = int(np.argmax(peak))
        warnings.append(f"{dataset.name}: feature {dataset.feature_names[j]!r} reaches {peak[j]:.3g} and scaling "
                        "is 'none'; values this large make training unstable (choose standard scaling)")
    return PreparedData(**out, scaler=scaler, task=dataset.task, n_classes=dataset.n_classes,
                        feature_names=list(dataset.feature_names), class_names=dataset.class_names,
                        name=dataset.name, warnings=warnings, sample_shape=dataset.sample_shape)


def _check_scaled(X: np.ndarray, part: str, scaling: str, dataset: Dataset) -> None:
    """A value the scaling pushed beyond float32's range (a validation value far outside the training
    range under min-max, say) would overflow in training: refused, naming the column."""
    big = np.argwhere(~(np.abs(X) <= F32_MAX))      # also NaN/inf
    if len(big):
        i, j = big[0]
        raise DataError(f"Data set {dataset.name!r}, column {dataset.feature_names[j]!r}: after {scaling} "
                        f"scaling a {part} value is {X[i, j]:.3g}, beyond float32's range (±{F32_MAX:.3g}); "
                        "training would overflow")
