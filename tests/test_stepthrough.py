"""Step-through numbers checked against a hand derivation (linear regression), NumPy (a tanh MLP)
and finite differences; the model is left as it was."""
import copy
import json

import numpy as np
import pytest

from core.designfile import from_dict
from core.errors import TrainingError
from core.model import Model
from core.stepthrough import step_arrays, step_through

def factor(g: float) -> str:
    """How the formula writes a factor: parenthesised when negative."""
    return f"({g:.4g})" if g < 0 else f"{g:.4g}"


with open("resources/examples/sine_regression.json") as f:
    SINE = json.load(f)


def linear_design(lr=0.1, optimizer="sgd", extra=None):
    doc = copy.deepcopy(SINE)
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] in ("x", "y")]
    doc["edges"] = [{"source": "x", "target": "y", "port": 0}]
    doc["training"]["optimizer"] = {"name": optimizer, "params": {"learning_rate": lr, **(extra or {})}}
    doc["training"]["dtype"] = "float64"
    doc["data"]["params"] = {"n": 40, "noise": 0.1}
    return from_dict(doc)


def test_linear_regression_chain_rule_by_hand():
    design = linear_design(lr=0.1)
    model = Model(design, data=None, max_batch=8)
    model.executor.set_weights({"y/kernel": np.array([[0.53]]), "y/bias": np.array([0.2])})
    x, t = 1.5, 0.4
    s = step_arrays(model.executor, design, np.array([[x]]), np.array([[t]]))
    # Hand derivation: ŷ = w·x + b; L = (ŷ − t)²; ∂L/∂ŷ = 2(ŷ − t); ∂L/∂w = 2(ŷ − t)·x; ∂L/∂b = 2(ŷ − t).
    yhat = 0.53 * x + 0.2
    assert s.nodes["y"].inputs[0][0, 0] == pytest.approx(x)
    assert s.nodes["y"].output[0, 0] == pytest.approx(yhat)
    assert s.loss == pytest.approx((yhat - t) ** 2)
    assert s.nodes["y"].grad[0, 0] == pytest.approx(2 * (yhat - t))
    kernel, bias = s.weights_of("y")
    assert kernel.weight == "kernel" and bias.weight == "bias"
    gw = 2 * (yhat - t) * x
    assert kernel.grad[0, 0] == pytest.approx(gw)
    assert bias.grad[0] == pytest.approx(2 * (yhat - t))
    assert kernel.updated[0, 0] == pytest.approx(0.53 - 0.1 * gw)
    assert s.plain_sgd
    f = s.formula(kernel)
    assert f == f"kernel ← kernel − η·∂L/∂kernel = 0.53 − 0.1·{gw:.4g} = {0.53 - 0.1 * gw:.4g}"
    # The model is as it was: weights and step count.
    assert model.executor.view("y/kernel")[0, 0] == 0.53
    assert int(model.executor.step[0]) == 0


def test_mlp_gradients_match_numpy_and_finite_differences():
    doc = copy.deepcopy(SINE)
    doc["training"]["dtype"] = "float64"
    for n in doc["nodes"]:
        if n["type"] == "Dense" and n["id"] != "y":
            n["params"]["units"] = 3
    design = from_dict(doc)
    model = Model(design, data=None, max_batch=8)
    ex = model.executor
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 1))
    Y = rng.normal(size=(4, 1))
    s = step_arrays(ex, design, X, Y)
    W = {k: v.copy() for k, v in ex.get_weights().items()}
    # NumPy forward
    h1 = X @ W["dense1/kernel"] + W["dense1/bias"]
    a1 = np.tanh(h1)
    h2 = a1 @ W["dense2/kernel"] + W["dense2/bias"]
    a2 = np.tanh(h2)
    out = a2 @ W["y/kernel"] + W["y/bias"]
    np.testing.assert_allclose(s.nodes["dense1"].output, h1, rtol=1e-10)
    np.testing.assert_allclose(s.nodes["tanh2"].output, a2, rtol=1e-10)
    np.testing.assert_allclose(s.nodes["tanh2"].inputs[0], h2, rtol=1e-10)
    np.testing.assert_allclose(s.nodes["y"].output, out, rtol=1e-10)
    assert s.loss == pytest.approx(np.mean((out - Y) ** 2))
    # NumPy backward of the mean squared error
    g_out = 2 * (out - Y) / out.size
    np.testing.assert_allclose(s.nodes["y"].grad, g_out, rtol=1e-9)
    g_a2 = g_out @ W["y/kernel"].T
    np.testing.assert_allclose(s.nodes["tanh2"].grad, g_a2, rtol=1e-9)
    np.testing.assert_allclose(s.nodes["dense2"].grad, g_a2 * (1 - a2 ** 2), rtol=1e-9)
    # Finite differences for every element of dense1's kernel.
    k = next(w for w in s.weights if w.name == "dense1/kernel")
    for i in range(k.value.size):
        def loss_at(delta):
            Wd = {n: v.copy() for n, v in W.items()}
            Wd["dense1/kernel"].reshape(-1)[i] += delta
            ex.set_weights(Wd)
            return ex.loss_and_gradients(X, Y)
        fd = (loss_at(1e-6) - loss_at(-1e-6)) / 2e-6
        assert k.grad.reshape(-1)[i] == pytest.approx(fd, rel=1e-5, abs=1e-9)
    ex.set_weights(W)


def test_adam_update_is_the_engines_and_is_explained():
    design = linear_design(lr=0.01, optimizer="adam")
    model = Model(design, data=None, max_batch=8)
    model.executor.set_weights({"y/kernel": np.array([[0.53]]), "y/bias": np.array([0.2])})
    s = step_arrays(model.executor, design, np.array([[1.0], [2.0]]), np.array([[0.0], [1.0]]))
    kernel = s.weights_of("y")[0]
    # Adam's first step moves each weight by lr·sign(g) (m̂ = g, √v̂ = |g|, up to ε).
    assert kernel.delta[0, 0] == pytest.approx(-0.01 * np.sign(kernel.grad[0, 0]), rel=1e-5)
    assert not s.plain_sgd
    assert "adam(" in s.formula(kernel)


def test_step_through_a_models_own_data_and_bad_rows():
    design = linear_design()
    model = Model.from_design(design)
    s = step_through(model, rows=[0, 1, 2])
    np.testing.assert_allclose(s.x, model.data.X_train[[0, 1, 2]])
    assert s.nodes["y"].output.shape == (3, 1)
    with pytest.raises(TrainingError, match="outside the train split"):
        step_through(model, rows=[10_000])
    with pytest.raises(TrainingError, match="1 to 64 rows"):
        step_through(model, rows=[])


def test_short_formula_for_the_canvas():
    design = linear_design(lr=0.1)
    model = Model(design, data=None, max_batch=8)
    model.executor.set_weights({"y/kernel": np.array([[0.53]]), "y/bias": np.array([0.2])})
    s = step_arrays(model.executor, design, np.array([[1.5]]), np.array([[0.4]]))
    g = 2 * (0.53 * 1.5 + 0.2 - 0.4) * 1.5
    assert s.short_formula(s.weights_of("y")[0]) == f"kernel ← 0.53 − 0.1·{factor(g)} = {0.53 - 0.1 * g:.4g}"


def test_a_negative_gradient_is_parenthesised_in_the_formula():
    design = linear_design(lr=0.1)
    model = Model(design, data=None, max_batch=8)
    model.executor.set_weights({"y/kernel": np.array([[0.5]]), "y/bias": np.array([0.0])})
    s = step_arrays(model.executor, design, np.array([[1.0]]), np.array([[3.0]]))
    # ŷ = 0.5, ∂L/∂w = 2(0.5 − 3)·1 = −5, w' = 0.5 + 0.5 = 1
    assert s.formula(s.weights_of("y")[0]) == "kernel ← kernel − η·∂L/∂kernel = 0.5 − 0.1·(-5) = 1"
