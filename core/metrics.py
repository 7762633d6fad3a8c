"""Evaluation metrics in plain NumPy, with scikit-learn's definitions (checked against it in tests).

Two layers:
  * array functions (`accuracy`, `roc_curve`, `r2`, ...) on labels, scores or values;
  * the `METRICS` registry of training metrics ``fn(y_true, y_out, task, *, logits=False)``
    that turn a network output (n, k) into predictions first, and `compute_metrics`.

Zero divisions give 0 (sklearn's ``zero_division=0``); curves on data with a single class give
NaN rates and a NaN area instead of raising, so one small validation batch never stops training.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .errors import TrainingError
from .registry import Registry

TASKS = ("binary", "multiclass", "regression")


# ----------------------------------------------------------------------------- classification

def _labels(y) -> np.ndarray:
    """Integer labels (n,) from (n,), (n, 1) or one-hot (n, k) input."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return np.rint(y.reshape(-1)).astype(np.int64) if y.dtype.kind == "f" else y.reshape(-1).astype(np.int64)


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    t, p = _labels(y_true), _labels(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same length. Received: {t.shape[0]} and {p.shape[0]}")
    return t, p


def accuracy(y_true, y_pred) -> float:
    """Fraction of exact matches: mean(y_true == y_pred)."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(t == p)) if t.size else 0.0


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts C[i, j] of samples with true class i predicted as j.

    Returns:
        int64 array (n_classes, n_classes); n_classes defaults to max label + 1.
    """
    t, p = _pair(y_true, y_pred)
    if n_classes is None:
        n_classes = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}). Received: {min(t.min(), p.min())}"
                         f"..{max(t.max(), p.max())}")
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


def _div(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def precision_recall_f1(y_true, y_pred, average: str = "binary", pos_label: int = 1,
                        n_classes: int | None = None) -> tuple[float, float, float]:
    """Precision tp/(tp+fp), recall tp/(tp+fn) and F1 2tp/(2tp+fp+fn).

    Args:
        average: "binary" (scores of `pos_label` only), "macro" (unweighted mean over classes) or
            "weighted" (mean weighted by each class's true count).
        n_classes: classes 0..n_classes-1 to average over; default: labels seen in either array
            (sklearn's default, so a class absent from both does not pull the mean down).
    """
    t, p = _pair(y_true, y_pred)
    if average == "binary":
        tp = np.sum((t == pos_label) & (p == pos_label))
        fp = np.sum((t != pos_label) & (p == pos_label))
        fn = np.sum((t == pos_label) & (p != pos_label))
        return float(_div(tp, tp + fp)), float(_div(tp, tp + fn)), float(_div(2 * tp, 2 * tp + fp + fn))
    if average not in ("macro", "weighted"):
        raise ValueError(f"average must be 'binary', 'macro' or 'weighted'. Received: {average!r}")
    labels = np.arange(n_classes) if n_classes is not None else np.union1d(t, p)
    size = int(max(labels.max(initial=-1), t.max(initial=-1), p.max(initial=-1))) + 1
    tp = np.bincount(t[t == p], minlength=size)[labels]
    support = np.bincount(t, minlength=size)[labels]
    predicted = np.bincount(p, minlength=size)[labels]
    prec, rec = _div(tp, predicted), _div(tp, support)
    f1 = _div(2 * tp, support + predicted)
    w = np.ones(labels.size) if average == "macro" else support.astype(float)
    if w.sum() == 0:
        return 0.0, 0.0, 0.0
    return tuple(float(np.average(v, weights=w)) for v in (prec, rec, f1))


def _binary_curve(y_true, scores):
    """Cumulative (fps, tps) at each distinct score, scores sorted descending (sklearn's kernel)."""
    y = np.asarray(y_true).reshape(-1) == 1
    s = np.asarray(scores, dtype=float).reshape(-1)
    if y.shape != s.shape:
        raise ValueError(f"y_true and scores must have the same length. Received: {y.size} and {s.size}")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite. Received NaN or infinity")
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), y.size - 1]  # last index of each run of tied scores
    tps = np.cumsum(y)[last].astype(float)
    return 1.0 + last - tps, tps, s[last]


def roc_curve(y_true, scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic, as ``sklearn.metrics.roc_curve(drop_intermediate=False)``.

    Point i predicts positive where score >= thresholds[i]; thresholds descend and start with +inf
    so the curve starts at (0, 0). A rate is NaN when its class is absent from y_true.

    Returns:
        fpr = fp/negatives, tpr = tp/positives and thresholds, each (m + 1,) for m distinct scores.
    """
    fps, tps, thr = _binary_curve(y_true, scores)
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return fpr, tpr, np.r_[np.inf, thr]


def auc(x, y) -> float:
    """Area under a curve by the trapezoid rule: Σ (x[i+1] − x[i])·(y[i+1] + y[i])/2.

    x must be monotonic (either direction); a decreasing x gives the same positive area.
    """
    x, y = np.asarray(x, float).reshape(-1), np.asarray(y, float).reshape(-1)
    if x.size < 2 or x.shape != y.shape:
        raise ValueError(f"auc expects two arrays of the same length >= 2. Received: {x.size} and {y.size}")
    dx = np.diff(x)
    if np.any(dx < 0) and np.any(dx > 0):
        raise ValueError("auc expects x to be monotonic. Received an x that goes up and down")
    area = float(np.sum(dx * (y[1:] + y[:-1]) / 2.0))
    return -area if np.all(dx <= 0) and np.any(dx < 0) else area


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve; NaN when y_true holds a single class."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return float("nan") if np.isnan(fpr[0]) or np.isnan(tpr[0]) else auc(fpr, tpr)


def precision_recall_curve(y_true, scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall per threshold, as ``sklearn.metrics.precision_recall_curve``.

    Thresholds ascend (each distinct score); precision ends with 1 and recall with 0, an extra point
    with no threshold. Recall is 1 everywhere when y_true has no positive (sklearn's convention).
    """
    fps, tps, thr = _binary_curve(y_true, scores)
    precision = _div(tps, tps + fps)
    recall = tps / tps[-1] if tps[-1] > 0 else np.ones_like(tps)
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thr[::-1]


def average_precision(y_true, scores) -> float:
    """Average precision as a step sum (no interpolation): AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ."""
    precision, recall, _ = precision_recall_curve(y_true, scores)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


# ----------------------------------------------------------------------------- regression

def _values(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    if t.size != p.size:
        raise ValueError(f"y_true and y_pred must have the same size. Received: {t.shape} and {p.shape}")
    if t.ndim <= 1 or p.ndim <= 1:
        t, p = t.reshape(-1), p.reshape(-1)
    return t.reshape(t.shape[0], -1), p.reshape(t.shape[0], -1)  # (n, outputs)


def mae(y_true, y_pred) -> float:
    """Mean absolute error mean(|y − ŷ|) over samples and outputs."""
    t, p = _values(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


def mse(y_true, y_pred) -> float:
    """Mean squared error mean((y − ŷ)²) over samples and outputs."""
    t, p = _values(y_true, y_pred)
    return float(np.mean((t - p) ** 2))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error: sqrt(mean over samples of (y − ŷ)²) per output, averaged over outputs.

    NOTE: with several outputs this is sklearn's ``root_mean_squared_error`` (mean of per-output
    RMSEs), not Keras' sqrt of the overall MSE; the two agree for one output.
    """
    t, p = _values(y_true, y_pred)
    return float(np.mean(np.sqrt(np.mean((t - p) ** 2, axis=0))))


def r2(y_true, y_pred) -> float:
    """Coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)², averaged over outputs.

    A constant target gives 1 for a perfect prediction, else 0 (sklearn's ``force_finite``).
    """
    t, p = _values(y_true, y_pred)
    ss_res = np.sum((t - p) ** 2, axis=0)
    ss_tot = np.sum((t - t.mean(axis=0)) ** 2, axis=0)
    score = np.where(ss_res == 0, 1.0, 0.0)
    ok = ss_tot != 0
    score[ok] = 1.0 - ss_res[ok] / ss_tot[ok]
    return float(np.mean(score))


def cosine_similarity(y_true, y_pred) -> float:
    """Cosine u·v / (‖u‖‖v‖): of two vectors (1-D) or the mean over rows (2-D); a zero vector gives 0."""
    t, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same shape. Received: {t.shape} and {p.shape}")
    t, p = np.atleast_2d(t), np.atleast_2d(p)
    norms = np.linalg.norm(t, axis=1) * np.linalg.norm(p, axis=1)
    return float(np.mean(_div(np.sum(t * p, axis=1), norms)))


# ----------------------------------------------------------------------------- training metrics

def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _probabilities(y_out: np.ndarray, logits: bool) -> np.ndarray:
    if not logits:
        return y_out
    return 1.0 / (1.0 + np.exp(-y_out)) if y_out.shape[1] == 1 else _softmax(y_out)


def _output(y_out) -> np.ndarray:
    y = np.asarray(y_out, dtype=float)
    return y.reshape(-1, 1) if y.ndim == 1 else y


def _classes(y_true, y_out, task: str, logits: bool):
    """(true labels, predicted labels, k) from a network output (n, k)."""
    if task not in ("binary", "multiclass"):
        raise TrainingError(f"this metric needs a classification task. Received: task={task!r}")
    out = _output(y_out)
    if out.shape[1] == 1:  # one sigmoid unit (or raw score): Keras' `y_pred > threshold`
        pred = (out[:, 0] > (0.0 if logits else 0.5)).astype(np.int64)
    else:
        pred = out.argmax(axis=1)
    t, p = _pair(y_true, pred)
    return t, p, out.shape[1]


def _prf(which: int, average: str | None) -> Callable:
    def fn(y_true, y_out, task, *, logits=False):
        t, p, k = _classes(y_true, y_out, task, logits)
        avg = average or ("binary" if k <= 2 else "macro")
        return precision_recall_f1(t, p, average=avg)[which]
    return fn


def _accuracy(y_true, y_out, task, *, logits=False):
    t, p, _ = _classes(y_true, y_out, task, logits)
    return accuracy(t, p)


def _auc(y_true, y_out, task, *, logits=False):
    """Binary AUC, or the macro mean of one-vs-rest AUCs over classes present in y_true."""
    t, _, k = _classes(y_true, y_out, task, logits)
    out = _output(y_out)
    if k <= 2:  # any score monotonic in P(class 1) gives the same ranking
        return roc_auc(t, out[:, 0] if k == 1 else out[:, 1] - out[:, 0])
    prob = _probabilities(out, logits)  # softmax: one logit alone does not rank P(class c)
    areas = [roc_auc(t == c, prob[:, c]) for c in range(k) if 0 < np.sum(t == c) < t.size]
    return float(np.mean(areas)) if areas else float("nan")


def _regression(fn: Callable) -> Callable:
    def metric(y_true, y_out, task, *, logits=False):
        out = _output(y_out)
        if task == "regression":
            return fn(np.asarray(y_true, float).reshape(out.shape), out)
        if task not in TASKS:
            raise TrainingError(f"task must be one of {', '.join(TASKS)}. Received: task={task!r}")
        t = _labels(y_true)  # on a classifier: compare probabilities with 0/1 or one-hot targets
        target = t.reshape(-1, 1).astype(float) if out.shape[1] == 1 else np.eye(out.shape[1])[t]
        return fn(target, _probabilities(out, logits))
    metric.__doc__ = fn.__doc__
    return metric


METRICS: Registry[Callable] = Registry("metric")
for _name, _fn in (
    ("accuracy", _accuracy),
    ("precision", _prf(0, None)), ("recall", _prf(1, None)), ("f1", _prf(2, None)),
    ("precision_macro", _prf(0, "macro")), ("recall_macro", _prf(1, "macro")),
    ("f1_macro", _prf(2, "macro")), ("f1_weighted", _prf(2, "weighted")),
    ("auc", _auc),
    ("mae", _regression(mae)), ("mse", _regression(mse)), ("rmse", _regression(rmse)),
    ("r2", _regression(r2)), ("cosine", _regression(cosine_similarity)),
):
    METRICS.register(_name, _fn)
METRIC_NAMES: tuple[str, ...] = tuple(METRICS.names())
CLASSIFICATION_METRICS = METRIC_NAMES[:9]
REGRESSION_METRICS = METRIC_NAMES[9:]


def compute_metrics(names, y_true, y_out, *, task: str, logits: bool = False) -> dict[str, float]:
    """Each named metric of a network output.

    Args:
        names: metric names from `METRIC_NAMES`.
        y_true: classification: integer labels (n,) or (n, 1) (one-hot (n, k) also accepted);
            regression: targets of the output's shape.
        y_out: network output (n, k): probabilities, or raw scores when `logits` is True.
        task: "binary", "multiclass" or "regression".

    Raises:
        KeyError: "Could not interpret metric identifier: ..." for an unknown name.
    """
    fns = {name: METRICS.get(name) for name in names}  # fail on a bad name before any work
    return {name: float(fn(y_true, y_out, task, logits=logits)) for name, fn in fns.items()}
