"""Each diagnosis rule fires on a design built to show it and stays quiet on healthy ones; the
fixes are valid variant changes; the texts exist in English and Korean."""
import json
import math

import pytest

from core.designfile import load_design
from core.diagnosis import RULES, Diagnoser, apply_fix, describe_fix, diagnose_events, texts
from core.events import EpochEnd, LayerStat, LayerStats, TrainEnd
from core.gallery import load_experiment
from core.model import Model

_runs = {}


def run(design):
    key = json.dumps(design.to_dict(), sort_keys=True)
    if key not in _runs:
        _runs[key] = list(Model.from_design(design).trainer(collect_stats=True).run())
    return _runs[key]


def found(design):
    return {(d.rule, d.node_id): d for d in diagnose_events(design, run(design))}


def gallery(folder, variant):
    return load_experiment(f"resources/gallery/{folder}").variant(variant).design


def xor(**opt):
    d = load_design("resources/examples/xor.json")
    if opt:
        d.training["optimizer"] = {"name": "sgd", "params": opt}
        d.training["epochs"] = 30
    return d


@pytest.mark.parametrize("design", [
    lambda: xor(),
    lambda: gallery("03_vanishing_gradients_sigmoid", "relu"),
    lambda: gallery("04_exploding_gradients_large_init", "he"),
    lambda: gallery("02_initializers_he_vs_zeros", "he"),
], ids=["xor", "deep-relu-he", "he-6-layers", "moons-he"])
def test_healthy_designs_get_no_diagnosis(design):
    assert found(design()) == {}


def test_sigmoid_stack_fires_vanishing_on_its_first_layer():
    design = gallery("03_vanishing_gradients_sigmoid", "sigmoid")
    d = found(design)[("vanishing_gradients", "dense1")]
    assert d.fix == [{"setting": "training.optimizer.name", "value": "adam"}]
    assert "dense1" in d.message() and "output" in d.message()
    assert "기울기 소실" in d.message("ko")
    apply_fix(design, d.fix)       # a valid one-click variant


def test_all_ones_initialization_fires_exploding_with_clipping_as_the_fix():
    design = gallery("04_exploding_gradients_large_init", "ones")
    ds = [d for d in found(design).values() if d.rule == "exploding_gradients"]
    assert ds and ds[0].fix == [{"setting": "training.clip_norm", "value": 1.0}]
    assert apply_fix(design, ds[0].fix).training["clip_norm"] == 1.0


def test_zero_initialization_kills_the_relus_and_he_normal_is_the_fix():
    design = gallery("02_initializers_he_vs_zeros", "zeros")
    got = found(design)
    both = [{"node": "dense1", "param": "kernel_initializer", "value": "he_normal"},
            {"node": "dense2", "param": "kernel_initializer", "value": "he_normal"}]
    for relu in ("act1", "act2"):
        d = got[("dead_relu", relu)]
        assert d.fix == both           # one layer's fix alone would leave the other dead
        assert d.values["fraction"] == "100%"
    v = apply_fix(design, both)
    assert [v.graph.nodes[n].params["kernel_initializer"] for n in ("dense1", "dense2")] == ["he_normal"] * 2
    assert describe_fix(both) == "dense1.kernel_initializer = he_normal; dense2.kernel_initializer = he_normal"
    # ...and the fix works: the fixed design's ReLUs are alive and its loss falls below the original's
    fixed = found(v)
    assert not any(r == "dead_relu" for r, _ in fixed)
    assert run(v)[-1].history["loss"][-1] < run(design)[-1].history["loss"][-1] - 0.1


def test_xor_with_learning_rate_10_diverges_and_saturates_its_tanh():
    design = xor(learning_rate=10.0)
    got = found(design)
    div = got[("diverging", "sigmoid")]
    assert div.fix == [{"setting": "training.optimizer.params.learning_rate", "value": 1.0}]
    assert ("saturated", "tanh") in got
    assert ("plateau", "sigmoid") not in got      # a loss that rose is not on a plateau


def test_a_plain_net_on_few_noisy_points_overfits():
    design = gallery("06_dropout_closes_the_gap", "plain")
    d = found(design)[("overfitting", "sigmoid")]
    assert d.fix == [{"setting": "training.early_stopping.enabled", "value": True}]
    assert apply_fix(design, d.fix).training["early_stopping"]["enabled"] is True


def test_loss_rules_on_hand_made_histories():
    design = xor()
    diag = Diagnoser(design)
    for e, loss in enumerate([0.7] + [0.69] * 11):
        diag.handle(EpochEnd(e, {"loss": loss}, 0.0))
    assert ("plateau", "sigmoid") in diag.current
    assert diag.current[("plateau", "sigmoid")].fix[0]["value"] == pytest.approx(0.15)
    diag = Diagnoser(design)
    diag.handle(EpochEnd(0, {"loss": 0.7}, 0.0))
    new = diag.handle(TrainEnd("diverged", "", 2, None, {}))
    assert [d.rule for d in new] == ["diverging"]


def test_a_layer_rule_needs_two_samples_in_a_row():
    design = xor()
    diag = Diagnoser(design)
    dead = LayerStats(0, 1, [LayerStat("tanh", "activation", saturated_fraction=0.95)])
    fine = LayerStats(0, 2, [LayerStat("tanh", "activation", saturated_fraction=0.1)])
    assert diag.handle(dead) == [] and diag.handle(fine) == [] and diag.handle(dead) == []
    assert [d.rule for d in diag.handle(dead)] == ["saturated"]
    assert Diagnoser(design, persistence=1).handle(dead)[0].node_id == "tanh"


def test_every_rule_has_english_and_korean_texts_with_the_same_placeholders():
    import string
    t = texts()
    for rule in RULES:
        for part in ("message", "fix"):
            en, ko = t[rule][part]["en"], t[rule][part]["ko"]
            names = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}
            assert names(en) == names(ko), (rule, part)
            assert ko != en


def test_the_vanishing_sigmoid_example_fires_vanishing_within_three_epochs():
    design = load_design("resources/examples/vanishing_sigmoid.json")
    design.training["epochs"] = 3
    got = found(design)
    assert set(got) == {("vanishing_gradients", "dense1")}
    assert float(got[("vanishing_gradients", "dense1")].values["ratio"].replace(",", "")) > 1e4
