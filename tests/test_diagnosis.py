"""Each diagnosis rule fires on a design built to show it and stays quiet on healthy ones; the
fixes are valid variant changes; the texts exist in English and Korean."""
import json
import math

import pytest

from core.designfile import load_design
from core.diagnosis import RULES, Diagnoser, diagnose_events, texts
from core.events import EpochEnd, LayerStat, LayerStats, TrainEnd
from core.gallery import load_experiment
from core.model import Model
from core.runs import make_variant

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
    assert d.fix == {"setting": "training.optimizer.name", "value": "adam"}
    assert "dense1" in d.message() and "output" in d.message()
    assert "기울기 소실" in d.message("ko")
    make_variant(design, d.fix)       # a valid one-click variant


def test_all_ones_initialization_fires_exploding_with_clipping_as_the_fix():
    design = gallery("04_exploding_gradients_large_init", "ones")
    ds = [d for d in found(design).values() if d.rule == "exploding_gradients"]
    assert ds and ds[0].fix == {"setting": "training.clip_norm", "value": 1.0}
    assert make_variant(design, ds[0].fix).training["clip_norm"] == 1.0


def test_zero_initialization_kills_the_relus_and_he_normal_is_the_fix():
    design = gallery("02_initializers_he_vs_zeros", "zeros")
    got = found(design)
    for relu, dense in (("act1", "dense1"), ("act2", "dense2")):
        d = got[("dead_relu", relu)]
        assert d.fix == {"node": dense, "param": "kernel_initializer", "value": "he_normal"}
        assert d.values["fraction"] == "100%"
        v = make_variant(design, d.fix)
        assert v.graph.nodes[dense].params["kernel_initializer"] == "he_normal"


def test_xor_with_learning_rate_10_diverges_and_saturates_its_tanh():
    design = xor(learning_rate=10.0)
    got = found(design)
    div = got[("diverging", "sigmoid")]
    assert div.fix == {"setting": "training.optimizer.params.learning_rate", "value": 1.0}
    assert ("saturated", "tanh") in got
    assert ("plateau", "sigmoid") not in got      # a loss that rose is not on a plateau


def test_a_plain_net_on_few_noisy_points_overfits():
    design = gallery("06_dropout_closes_the_gap", "plain")
    d = found(design)[("overfitting", "sigmoid")]
    assert d.fix == {"setting": "training.early_stopping.enabled", "value": True}
    assert make_variant(design, d.fix).training["early_stopping"]["enabled"] is True


def test_loss_rules_on_hand_made_histories():
    design = xor()
    diag = Diagnoser(design)
    for e, loss in enumerate([0.7] + [0.69] * 11):
        diag.handle(EpochEnd(e, {"loss": loss}, 0.0))
    assert ("plateau", "sigmoid") in diag.current
    assert diag.current[("plateau", "sigmoid")].fix["value"] == pytest.approx(0.15)
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
