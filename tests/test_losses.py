"""Loss values and output gradients against NumPy formulas (Keras semantics, core/losses.py):
means over the batch, MSE/MAE/Huber/BCE also over outputs, categorical CE summed over classes,
probabilities clipped to [1e-7, 1−1e-7] with zero gradient where clipped, Softmax + CE fused.

The designs are ``Input(k) → Linear`` (the data *is* the network output) and ``Input(k) → Softmax``
(the fused path, where the gradient is taken w.r.t. the logits).
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from scipy.special import log_softmax, softmax

from core.losses import LOSSES

from helpers import make_executor, numeric_gradient, sequential

EPS = 1e-7
N, K = 6, 3


def _mse(p, t, **_):
    return ((p - t) ** 2).mean()


def _mae(p, t, **_):
    return np.abs(p - t).mean()


def _huber(p, t, delta=1.0, **_):
    a = np.abs(p - t)
    return np.where(a <= delta, 0.5 * a ** 2, delta * (a - 0.5 * delta)).mean()


def _bce(p, t, **_):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean()


def _bce_logits(z, t, **_):
    return (np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))).mean()


def _cce(p, t, **_):
    return -(t * np.log(np.clip(p, EPS, 1 - EPS))).sum(axis=1).mean()


def _cce_logits(z, t, **_):
    return -(t * log_softmax(z, axis=1)).sum(axis=1).mean()


def _onehot(labels, k):
    return np.eye(k)[labels[:, 0].astype(int)]


def _sparse(p, t, **_):
    return _cce(p, _onehot(t, p.shape[1]))


def _sparse_logits(z, t, **_):
    return _cce_logits(z, _onehot(t, z.shape[1]))


def _run(loss, loss_params, head, out, Y, dtype=np.float64):
    """(loss, gradient w.r.t. the Linear output or the Softmax's logits) from the engine."""
    g = sequential((out.shape[1],), head)
    ex = make_executor(g, loss, loss_params, dtype=dtype)
    value = ex.loss_and_gradients(out, Y)
    return value, ex.tensor_view(g.output_node(), len(out), grad=True).astype(np.float64), ex


def _data(kind, rng):
    if kind == "values":
        return rng.standard_normal((N, K)), rng.standard_normal((N, K))
    if kind == "probs_binary":
        return rng.uniform(0.05, 0.95, (N, K)), rng.integers(0, 2, (N, K)).astype(float)
    if kind == "probs_soft":
        return rng.uniform(0.05, 0.95, (N, K)), rng.uniform(0, 1, (N, K))
    if kind == "logits_binary":
        return 3 * rng.standard_normal((N, K)), rng.integers(0, 2, (N, K)).astype(float)
    if kind == "probs_onehot":
        p = rng.uniform(0.05, 1.0, (N, K))
        return p / p.sum(1, keepdims=True), np.eye(K)[rng.integers(0, K, N)]
    if kind == "logits_onehot":
        return 3 * rng.standard_normal((N, K)), np.eye(K)[rng.integers(0, K, N)]
    if kind == "logits_soft":
        t = rng.uniform(0, 1, (N, K))
        return 3 * rng.standard_normal((N, K)), 0.8 * t / t.sum(1, keepdims=True)
    if kind == "probs_labels":
        p = rng.uniform(0.05, 1.0, (N, K))
        return p / p.sum(1, keepdims=True), rng.integers(0, K, (N, 1)).astype(float)
    if kind == "logits_labels":
        return 3 * rng.standard_normal((N, K)), rng.integers(0, K, (N, 1)).astype(float)
    raise KeyError(kind)


CASES = [
    # loss, params, head, data, reference (applied to the head's input)
    ("mse", {}, "Linear", "values", _mse),
    ("mae", {}, "Linear", "values", _mae),
    ("huber", {}, "Linear", "values", _huber),
    ("huber", {"delta": 0.3}, "Linear", "values", _huber),
    ("binary_crossentropy", {}, "Linear", "probs_binary", _bce),
    ("binary_crossentropy", {}, "Linear", "probs_soft", _bce),
    ("binary_crossentropy", {"from_logits": True}, "Linear", "logits_binary", _bce_logits),
    ("categorical_crossentropy", {}, "Linear", "probs_onehot", _cce),
    ("categorical_crossentropy", {"from_logits": True}, "Linear", "logits_onehot", _cce_logits),
    ("categorical_crossentropy", {"from_logits": True}, "Linear", "logits_soft", _cce_logits),
    ("categorical_crossentropy", {}, "Softmax", "logits_onehot", _cce_logits),        # fused
    ("sparse_categorical_crossentropy", {}, "Linear", "probs_labels", _sparse),
    ("sparse_categorical_crossentropy", {"from_logits": True}, "Linear", "logits_labels", _sparse_logits),
    ("sparse_categorical_crossentropy", {}, "Softmax", "logits_labels", _sparse_logits),  # fused
]


def _case_id(c):
    return f"{c[0]}{''.join(f'-{k}={v}' for k, v in c[1].items())}-{c[2]}-{c[3]}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_loss_value_and_output_gradient(case):
    loss, params, head, kind, reference = case
    rng = np.random.default_rng(zlib.crc32(_case_id(case).encode()))
    out, Y = _data(kind, rng)
    value, grad, ex = _run(loss, params, head, out, Y)
    assert ex.plan.fused_softmax == (head == "Softmax")
    assert value == pytest.approx(reference(out, Y, **params), rel=1e-13)
    # The gradient against central differences of the NumPy formula (data far from kinks).
    expected = numeric_gradient(lambda: reference(out, Y, **params), out, eps=1e-6)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-9)


def test_aliases_name_the_same_losses():
    for alias, name in {"bce": "binary_crossentropy", "cce": "categorical_crossentropy",
                        "sparse_cce": "sparse_categorical_crossentropy"}.items():
        assert LOSSES.get(alias) is LOSSES.get(name)


def test_keras_reductions():
    """Categorical CE sums over classes (one −log p term per row here); BCE and MSE average over
    the outputs as well as the batch."""
    p = np.full((2, 4), 0.25)
    t = np.tile([1.0, 0.0, 0.0, 0.0], (2, 1))
    cce, _, _ = _run("categorical_crossentropy", {}, "Linear", p, t)
    assert cce == pytest.approx(-np.log(0.25), rel=1e-14)                  # one class term per row
    mse, _, _ = _run("mse", {}, "Linear", p, t)
    assert mse == pytest.approx(((p - t) ** 2).mean(), rel=1e-14)
    bce, _, _ = _run("binary_crossentropy", {}, "Linear", p, t)
    assert bce == pytest.approx(-(np.log(0.25) + 3 * np.log(0.75)) / 4, rel=1e-14)


# ---- numerical stability -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_bce_from_logits_is_stable_for_extreme_logits(dtype):
    z = np.array([[1000.0, -1000.0, 1000.0, -1000.0, 0.0]])
    t = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    value, grad, _ = _run("binary_crossentropy", {"from_logits": True}, "Linear", z, t, dtype)
    assert np.isfinite(value) and np.isfinite(grad).all()
    assert value == pytest.approx((1000 + 1000 + 0 + 0 + np.log(2)) / 5, rel=1e-6)
    np.testing.assert_allclose(grad, np.array([[1.0, -1.0, 0.0, 0.0, -0.5]]) / 5, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("head,params", [("Linear", {"from_logits": True}), ("Softmax", {})],
                         ids=["logits", "fused"])
@pytest.mark.parametrize("sparse", [False, True], ids=["onehot", "labels"])
def test_categorical_crossentropy_is_stable_for_extreme_logits(dtype, head, params, sparse):
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]])
    labels = np.array([[1.0], [2.0], [0.0]])
    loss = "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    Y = labels if sparse else _onehot(labels, 3)
    value, grad, _ = _run(loss, params, head, z, Y, dtype)
    assert np.isfinite(value) and np.isfinite(grad).all()
    # Row losses: 2000, 0, log 2.
    assert value == pytest.approx((2000 + 0 + np.log(2)) / 3, rel=1e-6)
    expected = (softmax(z, axis=1) - _onehot(labels, 3)) / 3
    np.testing.assert_allclose(grad, expected, atol=1e-7)


def test_bce_clipping_gives_zero_gradient_where_clipped():
    p = np.array([[0.0, 1e-9, 1.0 - 1e-9, 1.0, 0.3, 1e-7 * 2]])
    t = np.array([[1.0, 0.0, 1.0, 0.0, 1.0, 1.0]])
    value, grad, _ = _run("binary_crossentropy", {}, "Linear", p, t)
    assert np.isfinite(value)
    assert value == pytest.approx(_bce(p, t), rel=1e-13)
    np.testing.assert_array_equal(grad[0, :4], 0.0)
    np.testing.assert_allclose(grad[0, 4:], (p[0, 4:] - 1) / (p[0, 4:] * (1 - p[0, 4:])) / 6, rtol=1e-13)


def test_cce_clipping_gives_zero_gradient_where_clipped():
    p = np.array([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]])
    t = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    value, grad, _ = _run("categorical_crossentropy", {}, "Linear", p, t)
    assert value == pytest.approx((-np.log(EPS) - np.log(0.8)) / 2, rel=1e-13)
    np.testing.assert_array_equal(grad[0], 0.0)
    np.testing.assert_allclose(grad[1], [0.0, -1 / 0.8 / 2, 0.0], rtol=1e-13)
