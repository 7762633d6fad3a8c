"""Backward against central finite differences, in float64, for every block, loss and penalty.

Each case is a small design whose first trainable step is a Dense layer, so the Dense weights'
gradients check everything downstream of the input (the engine keeps no gradient for data
tensors). All trainable weights are randomised before the check, and the data is chosen away from
kinks (ReLU-family at 0, MAE at 0, Huber at |e| = δ): each case asserts that precondition. Random
blocks (RReLU, Dropout, AlphaDropout) are checked in training mode with the executor's RNG state
restored before every forward, so each evaluation draws the same slopes/masks.
"""
from __future__ import annotations

import numpy as np
import pytest

from core.blocks import BLOCKS

from helpers import (add, gradcheck, make_executor, node_of, randomize_weights, rel_error,
                     sequential)

TOL = 1e-6
N = 8
KINKED = {"ReLU", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU"}   # kink (or slope jump) at 0
KINK_MARGIN = 1e-4   # ≫ the ε = 1e-6 perturbation's effect on a pre-activation


def _chain(*middle, units_in=5, input_shape=(4,)):
    """Input → Dense(units_in) → middle… → Dense(3)."""
    return sequential(input_shape, ("Dense", {"units": units_in}), *middle, ("Dense", {"units": 3}))


def _residual():
    """x → Tanh = t; t feeds both a Dense and the Add (gradient accumulation into t)."""
    g = sequential((4,), ("Dense", {"units": 5}), "Tanh")
    t = node_of(g, "Tanh")
    d = add(g, "Dense", {"units": 5}, t)
    s = add(g, "Add", {}, t, d)
    add(g, "Dense", {"units": 3}, s)
    return g


def _add3():
    g = sequential((4,), ("Dense", {"units": 5}))
    d = node_of(g, "Dense")
    a = add(g, "Sigmoid", {}, d)
    b = add(g, "Tanh", {}, d)
    s = add(g, "Add", {"num_inputs": 3}, a, b, d)
    add(g, "Dense", {"units": 3}, s)
    return g


def _add_same_tensor_twice():
    g = sequential((4,), ("Dense", {"units": 5}), "Tanh")
    t = node_of(g, "Tanh")
    s = add(g, "Add", {}, t, t)
    add(g, "Dense", {"units": 3}, s)
    return g


def _concat():
    """Two branches of different widths joined, plus the branch point itself on a third port."""
    g = sequential((4,), ("Dense", {"units": 5}))
    d = node_of(g, "Dense")
    a = add(g, "Tanh", {}, d)
    b = add(g, "Dense", {"units": 2}, d)
    c = add(g, "Concat", {"num_inputs": 3}, a, b, d)
    add(g, "Dense", {"units": 3}, c)
    return g


def _concat_same_tensor_twice():
    g = sequential((4,), ("Dense", {"units": 5}), "Sigmoid")
    s = node_of(g, "Sigmoid")
    c = add(g, "Concat", {}, s, s)
    add(g, "Dense", {"units": 3}, c)
    return g


BLOCK_CASES = {
    "dense_bias": lambda: _chain(("Dense", {"units": 4})),
    "dense_no_bias": lambda: _chain(("Dense", {"units": 4, "use_bias": False})),
    "linear": lambda: _chain("Linear"),
    "sigmoid": lambda: _chain("Sigmoid"),
    "tanh": lambda: _chain("Tanh"),
    "relu": lambda: _chain("ReLU"),
    "leaky_relu": lambda: _chain(("LeakyReLU", {"alpha": 0.2})),
    "elu": lambda: _chain(("ELU", {"alpha": 0.7})),
    "selu": lambda: _chain("SELU"),
    "swish": lambda: _chain("Swish"),
    "mish": lambda: _chain("Mish"),
    "softplus": lambda: _chain("Softplus"),
    "prelu": lambda: _chain("PReLU"),
    "rrelu": lambda: _chain(("RReLU", {"lower": 0.1, "upper": 0.4})),
    "softmax_mid": lambda: _chain("Softmax"),
    "batchnorm": lambda: _chain("BatchNorm", "Tanh"),
    "batchnorm_no_center": lambda: _chain(("BatchNorm", {"center": False}), "Tanh"),
    "batchnorm_no_scale": lambda: _chain(("BatchNorm", {"scale": False}), "Tanh"),
    "layernorm": lambda: _chain("LayerNorm", "Tanh"),
    "dropout_inverted": lambda: _chain(("Dropout", {"rate": 0.3}), "Tanh"),
    "dropout_classic": lambda: _chain(("Dropout", {"rate": 0.3, "inverted": False}), "Tanh"),
    "alpha_dropout": lambda: _chain("SELU", ("AlphaDropout", {"rate": 0.2})),
    "simple_rnn": lambda: sequential((2, 2), ("SimpleRNN", {"units": 3, "return_sequences": True}),
                                     ("SimpleRNN", {"units": 2}), ("Dense", {"units": 3})),
    "lstm": lambda: sequential((2, 2), ("LSTM", {"units": 3}), ("Dense", {"units": 3})),
    "gru_dense_on_last_axis": lambda: sequential((2, 2), ("GRU", {"units": 3, "return_sequences": True}),
                                                 ("Dense", {"units": 2}), "Flatten", ("Dense", {"units": 3})),
    "conv2d_maxpool": lambda: sequential((2, 2, 1), ("Conv2D", {"filters": 2, "kernel_size": 2, "padding": "same"}),
                                         ("MaxPool2D", {"pool_size": 2}), "Flatten", ("Dense", {"units": 3})),
    "reshape_conv2d_avgpool_global": lambda: sequential(
        (4,), ("Reshape", {"target_shape": "2, 2, 1"}),
        ("Conv2D", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}), "Tanh",
        ("AveragePool2D", {"pool_size": 2, "padding": "same"}), "GlobalAveragePool2D", ("Dense", {"units": 3})),
    "conv2d_global_maxpool_keepdims": lambda: sequential(
        (2, 2, 1), ("Conv2D", {"filters": 3, "kernel_size": 2, "padding": "same"}), "Tanh",
        ("GlobalMaxPool2D", {"keepdims": True}), "Flatten", ("Dense", {"units": 3})),
    "flatten_2d_input": lambda: sequential((2, 3), "Flatten", ("Dense", {"units": 5}), "Tanh",
                                           ("Dense", {"units": 3})),
    "residual_add": _residual,
    "add_three_inputs": _add3,
    "add_same_tensor_twice": _add_same_tensor_twice,
    "concat": _concat,
    "concat_same_tensor_twice": _concat_same_tensor_twice,
}


def _assert_away_from_kinks(g, ex, n):
    for nid, node in g.nodes.items():
        if node.type in KINKED:
            src = g.input_edges(nid)[0].source
            x = ex.tensor_view(src, n)
            assert np.abs(x).min() > KINK_MARGIN, f"data too close to the kink of {nid}"


def _assert_gradients_match(results, tol=TOL):
    total = sum(np.linalg.norm(a) for a, _ in results.values())
    assert total > 1e-6, "vacuous check: every gradient is zero"
    for name, (analytic, numeric) in results.items():
        if np.linalg.norm(analytic) < 1e-12 and np.linalg.norm(numeric) < 1e-8:
            continue   # zero by the maths, e.g. a bias right before BatchNorm (the mean is removed)
        err = rel_error(analytic, numeric)
        assert err <= tol, f"{name}: relative error {err:.2e}\nanalytic {analytic}\nnumeric  {numeric}"


def _run_case(g, loss="mse", loss_params=None, X=None, Y=None, seed=0, training=True):
    rng = np.random.default_rng(seed)
    ex = make_executor(g, loss, loss_params, seed=seed)
    randomize_weights(ex, rng)
    n_in = ex.plan.n_features
    X = rng.standard_normal((N, n_in)) if X is None else X
    Y = rng.standard_normal((N, ex.plan.output_width)) if Y is None else Y
    state = ex.rng.copy()
    ex.loss_and_gradients(X, Y, training)
    ex.rng[:] = state
    _assert_away_from_kinks(g, ex, len(X))
    return ex, gradcheck(ex, X, Y, training=training)


@pytest.mark.parametrize("n", [3, N], ids=lambda n: f"batch{n}")
@pytest.mark.parametrize("case", sorted(BLOCK_CASES))
def test_block_gradients(case, n):
    g = BLOCK_CASES[case]()
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 6 if case == "flatten_2d_input" else 4))
    _, results = _run_case(g, X=X, Y=rng.standard_normal((n, 3)), seed=n)
    _assert_gradients_match(results)


@pytest.mark.parametrize("training", [True, False], ids=["train", "infer"])
def test_random_blocks_in_both_modes(training):
    """RReLU uses random slopes in training and the mean slope in inference; both differentiate."""
    g = _chain(("RReLU", {"lower": 0.05, "upper": 0.5}), ("Dropout", {"rate": 0.25}))
    _, results = _run_case(g, seed=3, training=training)
    _assert_gradients_match(results)


def test_cases_name_only_registered_blocks():
    """Every block is gradient-checked on its own by tests/test_catalogue_contract.py (no table to
    extend); the cases here are combinations (merges, stacks, heads) and must not go stale."""
    covered = {node.type for make in BLOCK_CASES.values() for node in make().nodes.values()}
    assert covered <= set(BLOCKS), f"unknown block types: {sorted(covered - set(BLOCKS))}"


def test_step_passes_zero_gradient():
    """Step's derivative is 0 wherever it exists, so the engine passes exactly zero upstream:
    dense1 gets no gradient; the Dense after the Step still learns (and is checked)."""
    g = _chain(("Step", {"threshold": 0.1}))
    rng = np.random.default_rng(1)
    ex = make_executor(g)
    randomize_weights(ex, rng)
    X, Y = rng.standard_normal((N, 4)), rng.standard_normal((N, 3))
    ex.loss_and_gradients(X, Y)
    pre = ex.tensor_view("dense1", N)
    assert np.abs(pre - 0.1).min() > KINK_MARGIN
    assert 0 < ex.tensor_view("step1", N).sum() < pre.size    # both sides of the threshold occur
    results = gradcheck(ex, X, Y)
    for name in ("dense1/kernel", "dense1/bias"):
        analytic, numeric = results[name]
        assert np.all(analytic == 0.0), name
        np.testing.assert_array_equal(numeric, 0.0)
    _assert_gradients_match({k: v for k, v in results.items() if k.startswith("dense2")})


# ---- losses ----------------------------------------------------------------------------------

def _head(*head, k=3):
    """Input(4) → Dense(5) → Tanh → Dense(k) → head…"""
    return sequential((4,), ("Dense", {"units": 5}), "Tanh", ("Dense", {"units": k}), *head)


def _onehot(rng, n, k):
    return np.eye(k)[rng.integers(0, k, n)]


def _labels(rng, n, k):
    return rng.integers(0, k, (n, 1)).astype(np.float64)


@pytest.mark.parametrize("loss,loss_params,head,targets", [
    ("mse", None, (), "values"),
    ("mae", None, (), "values"),
    ("huber", {"delta": 0.7}, (), "values"),
    ("binary_crossentropy", None, ("Sigmoid",), "binary"),
    ("binary_crossentropy", None, ("Sigmoid",), "soft"),
    ("binary_crossentropy", {"from_logits": True}, (), "binary"),
    ("categorical_crossentropy", None, ("Softmax", "Linear"), "onehot"),   # not fused: probabilities
    ("categorical_crossentropy", {"from_logits": True}, (), "onehot"),
    ("categorical_crossentropy", {"from_logits": True}, (), "soft"),
    ("categorical_crossentropy", None, ("Softmax",), "onehot"),            # fused Softmax + CCE
    ("sparse_categorical_crossentropy", None, ("Softmax", "Linear"), "labels"),
    ("sparse_categorical_crossentropy", {"from_logits": True}, (), "labels"),
    ("sparse_categorical_crossentropy", None, ("Softmax",), "labels"),     # fused
], ids=lambda v: v if isinstance(v, str) else None)
def test_loss_gradients(loss, loss_params, head, targets):
    rng = np.random.default_rng(7)
    k = 3
    g = _head(*head, k=k)
    Y = {"values": lambda: rng.standard_normal((N, k)),
         "binary": lambda: rng.integers(0, 2, (N, k)).astype(np.float64),
         "soft": lambda: rng.uniform(0.0, 1.0, (N, k)),
         "onehot": lambda: _onehot(rng, N, k),
         "labels": lambda: _labels(rng, N, k)}[targets]()
    if targets == "soft" and loss == "categorical_crossentropy":
        Y = Y / Y.sum(axis=1, keepdims=True) * 0.9    # rows not summing to 1 on purpose
    ex, results = _run_case(g, loss, loss_params, Y=Y, seed=11)
    fused = head == ("Softmax",)
    assert ex.plan.fused_softmax == fused
    out = ex.output_view(N)
    if loss == "mae":
        assert np.abs(out - Y).min() > KINK_MARGIN
    if loss == "huber":
        e = np.abs(out - Y)
        assert np.abs(e - 0.7).min() > KINK_MARGIN
        assert (e < 0.7).any() and (e > 0.7).any(), "both Huber regions must be exercised"
    if not (loss_params or {}).get("from_logits") and loss != "mse" and "crossentropy" in loss:
        assert out.min() > 1e-3 and out.max() < 1 - 1e-3, "probabilities must stay off the clip"
    _assert_gradients_match(results)


# ---- regularization --------------------------------------------------------------------------

def test_l1_l2_penalty_in_loss_and_gradient():
    reg = {"l1": 0.03, "l2": 0.05}
    g = sequential((4,), ("Dense", {"units": 5, **reg}), "Tanh", ("Dense", {"units": 3, "l2": 0.1}))
    plain = sequential((4,), ("Dense", {"units": 5}), "Tanh", ("Dense", {"units": 3}))
    rng = np.random.default_rng(5)
    X, Y = rng.standard_normal((N, 4)), rng.standard_normal((N, 3))
    ex = make_executor(g)
    randomize_weights(ex, rng)
    ref = make_executor(plain)
    ref.set_weights(ex.get_weights())
    W1, W2 = ex.view("dense1/kernel"), ex.view("dense2/kernel")
    assert np.abs(W1).min() > KINK_MARGIN      # L1 has a kink at w = 0
    penalty = 0.03 * np.abs(W1).sum() + 0.05 * (W1 ** 2).sum() + 0.1 * (W2 ** 2).sum()
    assert ex.loss_and_gradients(X, Y) == pytest.approx(ref.loss_and_gradients(X, Y) + penalty, rel=1e-12)
    # Biases carry no penalty: their gradient equals the plain design's.
    np.testing.assert_allclose(ex.view("dense1/bias", ex.grads), ref.view("dense1/bias", ref.grads), rtol=1e-12)
    _assert_gradients_match(gradcheck(ex, X, Y))


def test_batchnorm_inference_mode_input_gradient():
    g = _chain("BatchNorm", "Tanh")
    rng = np.random.default_rng(0)
    ex = make_executor(g)
    randomize_weights(ex, rng)
    ex.view("batchnorm1/moving_mean")[...] = rng.standard_normal(5)
    ex.view("batchnorm1/moving_variance")[...] = rng.uniform(0.5, 2.0, 5)
    X, Y = rng.standard_normal((N, 4)), rng.standard_normal((N, 3))
    _assert_gradients_match(gradcheck(ex, X, Y, training=False))
