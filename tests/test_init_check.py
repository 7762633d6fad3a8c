"""Pre-flight at initialisation: the per-layer spread of one forward/backward pass, checked
against NumPy, and bad initialisations visible before the first update."""
import math

import numpy as np
import pytest

from core.gallery import load_experiment
from core.init_check import check_initialisation
from core.model import Model


def model_of(folder, variant):
    return Model.from_design(load_experiment(f"resources/gallery/{folder}").variant(variant).design)


def test_spreads_match_numpy_and_nothing_is_updated():
    model = model_of("02_initializers_he_vs_zeros", "he")
    ex = model.executor
    before = ex.get_weights()
    report = check_initialisation(model, batch_rows=32)
    assert report.rows == 32 and math.isfinite(report.loss)
    W = before
    X = model.data.X_train[:32]
    h1 = X @ W["dense1/kernel"] + W["dense1/bias"]
    a1 = np.maximum(h1, 0)
    assert report.layer("dense1").act_std == pytest.approx(h1.std(), rel=1e-5)
    assert report.layer("act1").act_mean == pytest.approx(a1.mean(), rel=1e-5)
    all_w = np.concatenate([W["dense1/kernel"].ravel(), W["dense1/bias"].ravel()])
    assert report.layer("dense1").weight_std == pytest.approx(all_w.std(), rel=1e-5)
    assert report.layer("dense1").weight_grad_norm > 0
    assert [s.node_id for s in report.layers][:3] == ["input", "dense1", "act1"]
    for k, v in ex.get_weights().items():
        np.testing.assert_array_equal(v, before[k])
    assert int(ex.step[0]) == 0
    assert report.diagnoses == []


def test_zero_initialisation_is_seen_before_training():
    report = check_initialisation(model_of("02_initializers_he_vs_zeros", "zeros"))
    assert report.layer("act1").act_std == 0.0
    assert report.layer("dense1").weight_grad_norm == 0.0
    rules = {(d.rule, d.node_id) for d in report.diagnoses}
    assert ("dead_relu", "act1") in rules and ("dead_relu", "act2") in rules


def test_all_ones_initialisation_shows_exploding_spread():
    good = check_initialisation(model_of("04_exploding_gradients_large_init", "he"))
    bad = check_initialisation(model_of("04_exploding_gradients_large_init", "ones"))
    assert bad.layer("dense6").act_std > 1000 * good.layer("dense6").act_std
    assert any(d.rule == "exploding_gradients" for d in bad.diagnoses)
    assert not good.diagnoses


def test_sigmoid_stack_gradient_shrinks_layer_by_layer():
    report = check_initialisation(model_of("03_vanishing_gradients_sigmoid", "sigmoid"))
    norms = [report.layer(f"dense{i}").weight_grad_norm for i in range(1, 9)]
    assert norms[0] < norms[-1] / 100
    assert any(d.rule == "vanishing_gradients" and d.node_id == "dense1" for d in report.diagnoses)
