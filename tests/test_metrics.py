"""core.metrics against scikit-learn on random data, edge cases included."""
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from core import metrics as M
from core.errors import TrainingError

SEEDS = [0, 1, 2]


@pytest.fixture(params=SEEDS)
def rng(request):
    return np.random.default_rng(request.param)


def _labels(rng, n=60, k=3):
    return rng.integers(0, k, n), rng.integers(0, k, n)


def test_accuracy_and_confusion(rng):
    t, p = _labels(rng, k=4)
    assert M.accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p))
    np.testing.assert_array_equal(M.confusion_matrix(t, p, 4), skm.confusion_matrix(t, p, labels=range(4)))


def test_confusion_matrix_default_size_and_column_labels():
    cm = M.confusion_matrix(np.array([[0], [2]]), np.array([0, 1]))
    assert cm.shape == (3, 3) and cm.dtype == np.int64 and cm.sum() == 2
    with pytest.raises(ValueError, match="labels must lie"):
        M.confusion_matrix([0, 3], [0, 1], n_classes=3)


@pytest.mark.parametrize("average", ["macro", "weighted"])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_precision_recall_f1_multiclass(rng, average, k):
    t, p = _labels(rng, n=40, k=k)
    ours = M.precision_recall_f1(t, p, average=average)
    ref = skm.precision_recall_fscore_support(t, p, average=average, zero_division=0)[:3]
    np.testing.assert_allclose(ours, ref)


@pytest.mark.parametrize("pos_label", [0, 1])
def test_precision_recall_f1_binary(rng, pos_label):
    t, p = _labels(rng, k=2)
    ours = M.precision_recall_f1(t, p, average="binary", pos_label=pos_label)
    ref = skm.precision_recall_fscore_support(t, p, average="binary", pos_label=pos_label, zero_division=0)[:3]
    np.testing.assert_allclose(ours, ref)


@pytest.mark.parametrize("average", ["binary", "macro", "weighted"])
def test_class_never_predicted(average):
    t = np.array([0, 0, 1, 1, 2, 2, 2]) % (2 if average == "binary" else 3)
    p = np.zeros_like(t)  # only class 0 is ever predicted: zero division → 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = skm.precision_recall_fscore_support(t, p, average=average, zero_division=0)[:3]
    np.testing.assert_allclose(M.precision_recall_f1(t, p, average=average), ref)


def test_macro_with_n_classes_counts_absent_classes():
    t, p = np.array([0, 1, 1]), np.array([0, 1, 0])
    ref = skm.precision_recall_fscore_support(t, p, average="macro", labels=range(4), zero_division=0)[:3]
    np.testing.assert_allclose(M.precision_recall_f1(t, p, average="macro", n_classes=4), ref)


def _scores(rng, n, ties):
    s = rng.normal(size=n)
    return np.round(s, 1) if ties else s  # rounding makes many tied scores


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("n", [5, 50, 400])
def test_roc_curve_and_auc(rng, n, ties):
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    s = _scores(rng, n, ties)
    for ours, ref in zip(M.roc_curve(y, s), skm.roc_curve(y, s, drop_intermediate=False)):
        np.testing.assert_allclose(ours, ref)
    assert M.roc_auc(y, s) == pytest.approx(skm.roc_auc_score(y, s))
    fpr, tpr, thr = M.roc_curve(y, s)
    assert (fpr[0], tpr[0], thr[0]) == (0.0, 0.0, np.inf)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("n", [5, 50, 400])
def test_precision_recall_curve_and_ap(rng, n, ties):
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    s = _scores(rng, n, ties)
    for ours, ref in zip(M.precision_recall_curve(y, s), skm.precision_recall_curve(y, s)):
        np.testing.assert_allclose(ours, ref)
    assert M.average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s))


def test_curves_with_one_class():
    y, s = np.zeros(5, int), np.arange(5.0)
    fpr, tpr, _ = M.roc_curve(y, s)
    assert np.all(np.isnan(tpr)) and not np.any(np.isnan(fpr))
    assert np.isnan(M.roc_auc(y, s))
    precision, recall, _ = M.precision_recall_curve(y, s)
    assert np.all(recall[:-1] == 1.0) and precision[-1] == 1.0


def test_auc_trapezoid_and_direction():
    x, y = np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 1.0])
    assert M.auc(x, y) == pytest.approx(skm.auc(x, y)) == pytest.approx(0.75)
    assert M.auc(x[::-1], y[::-1]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="monotonic"):
        M.auc([0, 1, 0.5], [0, 1, 1])


@pytest.mark.parametrize("shape", [(30,), (30, 1), (30, 3)])
def test_regression(rng, shape):
    t, p = rng.normal(size=shape), rng.normal(size=shape)
    assert M.mae(t, p) == pytest.approx(skm.mean_absolute_error(t, p))
    assert M.mse(t, p) == pytest.approx(skm.mean_squared_error(t, p))
    assert M.rmse(t, p) == pytest.approx(skm.root_mean_squared_error(t, p))
    assert M.r2(t, p) == pytest.approx(skm.r2_score(t, p))


def test_r2_constant_target():
    t = np.ones(5)
    assert M.r2(t, t) == skm.r2_score(t, t) == 1.0
    assert M.r2(t, t + 0.1) == skm.r2_score(t, t + 0.1) == 0.0


def test_cosine_similarity(rng):
    t, p = rng.normal(size=(20, 4)), rng.normal(size=(20, 4))
    t[0] = 0.0  # a zero row counts as similarity 0, as sklearn's
    ref = np.mean(np.diag(skm.pairwise.cosine_similarity(t, p)))
    assert M.cosine_similarity(t, p) == pytest.approx(ref)
    assert M.cosine_similarity(t[1], p[1]) == pytest.approx(skm.pairwise.cosine_similarity(t[1:2], p[1:2])[0, 0])


# ----------------------------------------------------------------------------- registry

def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("logits", [False, True])
def test_registry_binary_single_output(rng, logits):
    z = rng.normal(size=(80, 1))
    out = z if logits else 1 / (1 + np.exp(-z))
    y = rng.integers(0, 2, 80)
    pred = (z[:, 0] > 0).astype(int)
    names = ["accuracy", "precision", "recall", "f1", "f1_macro", "auc"]
    got = M.compute_metrics(names, y.reshape(-1, 1).astype(float), out, task="binary", logits=logits)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert got["precision"] == pytest.approx(skm.precision_score(y, pred, zero_division=0))
    assert got["recall"] == pytest.approx(skm.recall_score(y, pred, zero_division=0))
    assert got["f1"] == pytest.approx(skm.f1_score(y, pred, zero_division=0))
    assert got["f1_macro"] == pytest.approx(skm.f1_score(y, pred, average="macro", zero_division=0))
    assert got["auc"] == pytest.approx(skm.roc_auc_score(y, z[:, 0]))


@pytest.mark.parametrize("logits", [False, True])
def test_registry_multiclass(rng, logits):
    z = rng.normal(size=(90, 4))
    prob = _softmax(z)
    y = np.r_[np.arange(4), rng.integers(0, 4, 86)]
    pred = z.argmax(1)
    got = M.compute_metrics(M.CLASSIFICATION_METRICS, y, z if logits else prob, task="multiclass", logits=logits)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert got["f1"] == pytest.approx(skm.f1_score(y, pred, average="macro", zero_division=0))
    assert got["f1_weighted"] == pytest.approx(skm.f1_score(y, pred, average="weighted", zero_division=0))
    assert got["precision_macro"] == pytest.approx(skm.precision_score(y, pred, average="macro", zero_division=0))
    assert got["auc"] == pytest.approx(skm.roc_auc_score(y, prob, multi_class="ovr", average="macro"))


def test_registry_two_softmax_outputs_is_binary(rng):
    prob = _softmax(rng.normal(size=(50, 2)))
    y = rng.integers(0, 2, 50)
    got = M.compute_metrics(["f1", "auc"], y, prob, task="binary")
    assert got["f1"] == pytest.approx(skm.f1_score(y, prob.argmax(1)))
    assert got["auc"] == pytest.approx(skm.roc_auc_score(y, prob[:, 1]))


def test_registry_regression(rng):
    t, out = rng.normal(size=(40, 2)), rng.normal(size=(40, 2))
    got = M.compute_metrics(M.REGRESSION_METRICS, t, out, task="regression")
    assert got == pytest.approx({"mae": skm.mean_absolute_error(t, out), "mse": skm.mean_squared_error(t, out),
                                 "rmse": skm.root_mean_squared_error(t, out), "r2": skm.r2_score(t, out),
                                 "cosine": M.cosine_similarity(t, out)})


def test_regression_metric_on_classifier_compares_probabilities(rng):
    prob = _softmax(rng.normal(size=(30, 3)))
    y = rng.integers(0, 3, 30)
    got = M.compute_metrics(["mse"], y, prob, task="multiclass")["mse"]
    assert got == pytest.approx(np.mean((np.eye(3)[y] - prob) ** 2))


def test_unknown_metric_and_wrong_task():
    with pytest.raises(KeyError, match="Could not interpret metric identifier: 'acc'"):
        M.compute_metrics(["acc"], [0], [[0.2]], task="binary")
    with pytest.raises(TrainingError, match="classification task"):
        M.compute_metrics(["accuracy"], [0.1], [[0.2]], task="regression")
    assert "accuracy" in M.METRIC_NAMES and "cosine" in M.METRIC_NAMES and len(M.METRIC_NAMES) == 14
