"""Independent oracles for the numbers the dashboard and the tools show.

- Per-layer statistics (core.stats): gradient norm and mean |g| against ``np.linalg.norm`` and
  ``np.mean``; weight histograms against ``np.histogram``; dead-ReLU and saturation fractions
  against activations recomputed with NumPy from the weights.
- Initializers: bounds, mean and variance against Keras' formulas written out here by hand, and
  the whole distribution against SciPy's (Kolmogorov–Smirnov test); the truncated normal's
  correction constant against ``scipy.stats.truncnorm``.
- The LR range test (core.lr_finder) against a hand-written NumPy version of Smith's procedure
  (same seed, batches and stopping rule) and fastai's "steepest" suggestion, written out here.
"""
import math

import numpy as np
import pytest
from scipy import stats as sps

from core.data import PreparedData, Scaler
from core.designfile import Design
from core.executor import Executor
from core.graph import Graph
from core.initializers import initialize
from core.lr_finder import lr_range_test
from core.model import Model
from core.plan import compile_plan
from core.settings import validate_data, validate_training
from core.stats import layer_stats


# ----------------------------------------------------------------------------- per-layer statistics

def _stats_net():
    """x(5) → d1 Dense(7) → relu → bn BatchNorm → d2 Dense(6, frozen) → tanh → d3 Dense(4) → sig."""
    g = Graph()
    prev = g.add_node("Input", {"shape": [5]}, node_id="x").id
    for nid, kind, params in [("d1", "Dense", {"units": 7}), ("relu", "ReLU", {}), ("bn", "BatchNorm", {}),
                              ("d2", "Dense", {"units": 6, "trainable": False}), ("tanh", "Tanh", {}),
                              ("d3", "Dense", {"units": 4}), ("sig", "Sigmoid", {})]:
        g.add_node(kind, params, node_id=nid)
        g.connect(prev, nid)
        prev = nid
    return compile_plan(g, "mse", {})


@pytest.fixture(scope="module")
def filled():
    """An executor whose parameters and gradients hold known random values, after one forward pass."""
    plan = _stats_net()
    ex = Executor(plan, 64, np.float64)
    rng = np.random.default_rng(7)
    ex.params[:] = rng.normal(0.0, 1.5, ex.params.size)
    for w in plan.weights:
        if w.weight == "moving_variance":
            ex.view(w.name)[...] = rng.uniform(0.5, 2.0, w.shape)
    X = rng.normal(size=(50, 5))
    ex.loss_and_gradients(X, np.zeros((50, 4)), training=False)
    ex.grads[:] = rng.standard_cauchy(ex.grads.size)      # heavy tails: sums that are easy to get wrong
    return ex, X


def _concat(ex, arena, names):
    return np.concatenate([ex.view(n, arena).ravel() for n in names]) if names else np.zeros(0)


def test_gradient_norms_and_histograms_match_numpy(filled):
    ex, _ = filled
    plan = ex.plan
    got = {s.node_id: s for s in layer_stats(ex, 0, bins=30) if s.kind == "weights"}
    assert set(got) == {"d1", "bn", "d2", "d3"}
    for node_id, s in got.items():
        weights = [w for w in plan.weights if w.node_id == node_id and not w.state]
        trainable = [w.name for w in weights if w.trainable]
        g = _concat(ex, ex.grads, trainable)
        if trainable:
            assert s.grad_norm == pytest.approx(np.linalg.norm(g), rel=1e-12)
            assert s.grad_mean_abs == pytest.approx(np.mean(np.abs(g)), rel=1e-12)
        else:                                   # a frozen layer has no gradient to show
            assert node_id == "d2" and math.isnan(s.grad_norm) and math.isnan(s.grad_mean_abs)
        values = _concat(ex, ex.params, [w.name for w in weights])   # running statistics excluded
        counts, edges = np.histogram(values, bins=30, range=(values.min(), values.max()))
        np.testing.assert_array_equal(s.hist_counts, counts, err_msg=node_id)
        np.testing.assert_allclose(s.hist_edges, edges, rtol=0, atol=1e-12 * np.abs(edges).max())
        assert s.weight_count == values.size
    assert got["bn"].weight_count == 2 * 7          # gamma and beta, not moving_mean/moving_variance


def test_constant_weights_get_a_unit_wide_histogram_like_numpy():
    plan = _stats_net()
    ex = Executor(plan, 8, np.float64)
    ex.params[:] = 0.25
    d1 = next(s for s in layer_stats(ex, 0, bins=10) if s.node_id == "d1")
    counts, edges = np.histogram(np.full(7 * 5 + 7, 0.25), bins=10)   # NumPy widens a constant by ±0.5
    np.testing.assert_array_equal(d1.hist_counts, counts)
    np.testing.assert_allclose(d1.hist_edges, edges, atol=1e-12)


def test_dead_and_saturated_fractions_match_activations_recomputed_with_numpy(filled):
    ex, X = filled
    W = {w.name: ex.view(w.name) for w in ex.plan.weights}
    h = X @ W["d1/kernel"] + W["d1/bias"]
    relu = np.maximum(h, 0.0)
    bn = (W["bn/gamma"] * (relu - W["bn/moving_mean"]) / np.sqrt(W["bn/moving_variance"] + 1e-3)
          + W["bn/beta"])
    tanh = np.tanh(bn @ W["d2/kernel"] + W["d2/bias"])
    sig = 1.0 / (1.0 + np.exp(-(tanh @ W["d3/kernel"] + W["d3/bias"])))
    acts = {s.node_id: s for s in layer_stats(ex, len(X)) if s.kind == "activation"}
    assert acts["relu"].zero_fraction == pytest.approx(np.mean(h <= 0.0))
    assert acts["tanh"].saturated_fraction == pytest.approx(np.mean(1.0 - tanh ** 2 < 0.1))
    assert acts["sig"].saturated_fraction == pytest.approx(np.mean(sig * (1.0 - sig) < 0.025))
    # the weights are large on purpose, so each fraction is a real mix, not 0 or 1
    for value in (acts["relu"].zero_fraction, acts["tanh"].saturated_fraction, acts["sig"].saturated_fraction):
        assert 0.05 < value < 0.95


# ----------------------------------------------------------------------------- initializers

FAN_IN, FAN_OUT = 300, 200
# Keras' VarianceScaling, written out: variance = scale / fan.
KERAS_VARIANCE = {"glorot": 2.0 / (FAN_IN + FAN_OUT), "he": 2.0 / FAN_IN, "lecun": 1.0 / FAN_IN}


def test_the_truncated_normal_constant_is_scipys():
    assert sps.truncnorm(-2.0, 2.0).std() == pytest.approx(0.87962566103423978, rel=1e-12)


@pytest.mark.parametrize("family", sorted(KERAS_VARIANCE))
def test_uniform_initializers_follow_keras_bounds_and_distribution(family):
    var = KERAS_VARIANCE[family]
    limit = math.sqrt(3.0 * var)
    w = initialize(f"{family}_uniform", (FAN_IN, FAN_OUT), np.random.default_rng(11), dtype=np.float64).ravel()
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    assert abs(w.mean()) < 4 * math.sqrt(var / w.size)               # 4 standard errors of the mean
    assert w.var() == pytest.approx(var, rel=0.02)
    assert sps.kstest(w, sps.uniform(loc=-limit, scale=2 * limit).cdf).pvalue > 1e-3


@pytest.mark.parametrize("family", sorted(KERAS_VARIANCE))
def test_normal_initializers_are_truncated_at_two_sigma_with_the_keras_variance(family):
    var = KERAS_VARIANCE[family]
    sigma = math.sqrt(var) / sps.truncnorm(-2.0, 2.0).std()          # the untruncated σ
    w = initialize(f"{family}_normal", (FAN_IN, FAN_OUT), np.random.default_rng(12), dtype=np.float64).ravel()
    assert np.abs(w).max() <= 2 * sigma and np.abs(w).max() > 0.99 * 2 * sigma
    assert abs(w.mean()) < 4 * math.sqrt(var / w.size)
    assert w.var() == pytest.approx(var, rel=0.02)
    assert sps.kstest(w, sps.truncnorm(-2.0, 2.0, scale=sigma).cdf).pvalue > 1e-3
    # …and it is not the untruncated normal PyTorch's kaiming/xavier normal would draw
    assert sps.kstest(w, sps.norm(scale=math.sqrt(var)).cdf).pvalue < 1e-6


def test_plain_random_initializers_and_the_dense_default():
    rng = np.random.default_rng(13)
    w = initialize("random_normal", (400, 250), rng, {"stddev": 0.3}, np.float64).ravel()
    assert sps.kstest(w, sps.norm(scale=0.3).cdf).pvalue > 1e-3
    w = initialize("random_uniform", (400, 250), rng, {"limit": 0.2}, np.float64).ravel()
    assert np.abs(w).max() <= 0.2
    assert sps.kstest(w, sps.uniform(loc=-0.2, scale=0.4).cdf).pvalue > 1e-3
    # A Dense kernel initialised by the executor: Keras' default glorot_uniform for its fans.
    g = Graph()
    g.add_node("Input", {"shape": [FAN_IN]}, node_id="x")
    g.add_node("Dense", {"units": FAN_OUT}, node_id="d")
    g.connect("x", "d")
    ex = Executor(compile_plan(g, "mse", {}), 4, np.float64)
    ex.init_weights(5)
    k = ex.view("d/kernel").ravel()
    limit = math.sqrt(6.0 / (FAN_IN + FAN_OUT))
    assert sps.kstest(k, sps.uniform(loc=-limit, scale=2 * limit).cdf).pvalue > 1e-3
    assert not ex.view("d/bias").any()


# ----------------------------------------------------------------------------- LR range test

N, BATCH, SEED = 64, 32, 4     # two batches a pass


def _regression_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 3))
    y = X @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + 0.1 * rng.normal(size=(N, 1))
    g = Graph()
    g.add_node("Input", {"shape": [3]}, node_id="x")
    g.add_node("Dense", {"units": 1}, node_id="d")
    g.connect("x", "d")
    training = validate_training({"loss": {"name": "mse", "params": {}}, "batch_size": BATCH, "seed": SEED,
                                  "dtype": "float64",
                                  "optimizer": {"name": "sgd", "params": {"learning_rate": 0.01}}})
    data = PreparedData(X, y, None, None, None, None, Scaler("none").fit(X), "regression", 0, name="linear")
    return Model(Design(g, training, validate_data({"validation_split": 0.0})), data), X, y


def _reference_range_test(X, y, w0, b0, min_lr, max_lr, steps):
    """Smith (2017), as the docs describe it: plain SGD on the MSE, rates rising geometrically
    from min_lr to max_lr, the loss of each batch recorded before its update, a fresh shuffle
    (numpy Generator seeded with the design's seed) each pass, stopping at the batch where
    fastai's smoothed loss (bias-corrected exponential average, β = 0.98) exceeds 4× its lowest."""
    lrs = min_lr * (max_lr / min_lr) ** (np.arange(steps) / (steps - 1))
    w, b = w0.astype(np.float64).copy(), b0.astype(np.float64).copy()
    rng = np.random.default_rng(SEED)
    losses, avg, best = [], 0.0, float("inf")
    while len(losses) < steps:
        order = rng.permutation(len(X))
        for start in range(0, len(X), BATCH):
            if len(losses) == steps:
                break
            idx = order[start:start + BATCH]
            r = X[idx] @ w + b - y[idx]
            loss = float(np.mean(r ** 2))
            losses.append(loss)
            avg = 0.98 * avg + 0.02 * loss
            smooth = avg / (1 - 0.98 ** len(losses))
            best = min(best, smooth)
            if smooth > 4 * best:
                return lrs[:len(losses)], np.array(losses)
            lr = lrs[len(losses) - 1]
            w -= lr * 2.0 * X[idx].T @ r / len(idx)
            b -= lr * 2.0 * r.mean(axis=0)
    return lrs[:len(losses)], np.array(losses)


def _reference_suggestion(lrs, losses, beta=0.98, skip=10):
    """fastai's steepest point: bias-corrected exponential smoothing, cut where it exceeds 4× its
    minimum, then the most negative slope of the smoothed loss against log(lr)."""
    smooth, avg = [], 0.0
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        s = avg / (1 - beta ** (i + 1))
        if smooth and s > 4 * min(smooth + [s]):
            break
        smooth.append(s)
    smooth = np.array(smooth)
    slope = np.gradient(smooth, np.log(lrs[:len(smooth)]))
    return lrs[skip + int(np.argmin(slope[skip:]))]


@pytest.mark.parametrize("max_lr", [0.3, 5.0], ids=["no-divergence", "divergence"])
def test_lr_range_test_matches_a_hand_written_reference(max_lr):
    model, X, y = _regression_model()
    w0 = model.executor.view("d/kernel").copy()
    b0 = model.executor.view("d/bias").copy()
    lrs, losses, best = lr_range_test(model, 1e-4, max_lr, 120)
    want_lrs, want_losses = _reference_range_test(X, y, w0, b0, 1e-4, max_lr, 120)
    assert len(losses) == len(want_losses)
    np.testing.assert_allclose(lrs, want_lrs, rtol=1e-12)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-9)
    assert best == pytest.approx(_reference_suggestion(want_lrs, want_losses), rel=1e-12)
    if max_lr == 5.0:
        assert len(losses) < 120                                     # it stopped on the divergence
    else:
        assert len(losses) == 120 and 1e-4 < best < max_lr
    # the weights are put back as they were
    np.testing.assert_array_equal(model.executor.view("d/kernel"), w0)
    np.testing.assert_array_equal(model.executor.view("d/bias"), b0)


def test_lr_range_test_is_not_stopped_by_the_noise_of_small_batches():
    """With batch 8 single batch losses scatter widely once the fit is good; a rule on the raw loss
    (last > 4× lowest) stopped after the first pass with no suggestion. The smoothed rule runs on
    until the rate really makes the loss climb, and suggests a rate inside the range."""
    model, X, y = _regression_model()
    model.design.training["batch_size"] = 8
    lrs, losses, best = lr_range_test(model, 1e-4, 0.3, 120)
    assert len(losses) == 120
    assert np.isfinite(best) and 1e-4 < best < 0.3
    raw_rule_stop = next((i for i in range(len(losses)) if (i + 1) % (N // 8) == 0
                          and losses[i] > 4 * losses[:i + 1].min()), None)
    assert raw_rule_stop is not None and raw_rule_stop < 60   # the old rule would have quit early
