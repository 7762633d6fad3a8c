"""Fine-tuning: freeze the first layers of a trained digits net and train a new head.

Frozen layers get no updates at all — BatchNorm's moving statistics included."""
import numpy as np
import pytest

from core.designfile import Design, dumps, loads
from core.errors import GraphError, WeightsError
from core.export import export_safetensors
from core.finetune import freeze, freeze_up_to, frozen_nodes, load_matching_weights, unfreeze
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training


def digits_graph(head: str) -> Graph:
    g = Graph()
    g.add_node("Input", {"shape": [64]}, node_id="x")
    prev = "x"
    for nid, kind, params in (("h1", "Dense", {"units": 32, "kernel_initializer": "he_uniform"}),
                              ("bn1", "BatchNorm", {"momentum": 0.9}),
                              ("r1", "ReLU", {}),
                              ("h2", "Dense", {"units": 32, "kernel_initializer": "he_uniform"}),
                              ("r2", "ReLU", {}),
                              (head, "Dense", {"units": 10}),
                              ("p", "Softmax", {})):
        g.add_node(kind, params, node_id=nid)
        g.connect(prev, nid)
        prev = nid
    return g


def digits_design(g: Graph, epochs: int, seed: int = 0) -> Design:
    t = validate_training({"loss": {"name": "sparse_categorical_crossentropy", "params": {}},
                           "optimizer": {"name": "adam", "params": {"learning_rate": 0.01}},
                           "batch_size": 32, "epochs": epochs, "metrics": ["accuracy"], "seed": seed})
    return Design(g, t, validate_data({"name": "digits", "validation_split": 0.2}))


def test_freeze_first_layers_and_train_a_new_head(tmp_path):
    base = Model.from_design(digits_design(digits_graph("head"), epochs=8))
    base.fit(collect_stats=False)
    assert base.evaluate("val", ["accuracy"])["accuracy"] > 0.9
    export_safetensors(base, tmp_path / "base.safetensors")

    g = digits_graph("new_head")
    freeze(g, ["h1", "bn1", "h2"])
    assert frozen_nodes(g) == ["h1", "bn1", "h2"]
    tuned = Model.from_design(digits_design(g, epochs=4, seed=7))
    report = load_matching_weights(tuned, tmp_path / "base.safetensors")
    assert report.loaded == ["h1/kernel", "h1/bias", "bn1/gamma", "bn1/beta", "bn1/moving_mean",
                             "bn1/moving_variance", "h2/kernel", "h2/bias"]
    assert report.missing == ["new_head/kernel (32, 10)", "new_head/bias (10,)"]
    assert sorted(report.unexpected) == ["head/bias (10,)", "head/kernel (32, 10)"]
    assert "new_head/kernel" in report.summary()

    frozen = {n: tuned.executor.view(n).copy() for n in report.loaded}
    for n, a in frozen.items():
        np.testing.assert_array_equal(a, base.executor.view(n))
    head_before = tuned.executor.view("new_head/kernel").copy()
    tuned.fit(collect_stats=False)
    for n, a in frozen.items():
        assert np.array_equal(tuned.executor.view(n), a), f"{n} changed although frozen"
    assert not np.allclose(tuned.executor.view("new_head/kernel"), head_before)
    assert tuned.evaluate("val", ["accuracy"])["accuracy"] > 0.9


def test_freeze_is_a_design_parameter_and_undoable():
    g = digits_graph("head")
    old = freeze(g, ["h1"])
    assert old == {"h1": True} and frozen_nodes(g) == ["h1"]
    back = loads(dumps(digits_design(g, 1)))
    assert frozen_nodes(back.graph) == ["h1"]
    unfreeze(g, ["h1"])
    assert frozen_nodes(g) == []
    assert freeze_up_to(g, "h2") == ["h1", "bn1", "h2"]


def test_freezing_what_cannot_be_frozen():
    g = digits_graph("head")
    with pytest.raises(GraphError, match="'r1'.*ReLU block has no weights to freeze"):
        freeze(g, ["r1"])
    with pytest.raises(GraphError, match="'nope'.*no such node"):
        freeze(g, ["nope"])


def test_nothing_matching_is_an_error_listing_why(tmp_path):
    base = Model(digits_design(digits_graph("head"), 1))
    base.save_weights(tmp_path / "w.npz")
    g = Graph()
    g.add_node("Input", {"shape": [64]}, node_id="x")
    g.add_node("Dense", {"units": 5}, node_id="h1")
    g.connect("x", "h1")
    other = Model(Design(g, validate_training({}), validate_data({})))
    with pytest.raises(WeightsError) as err:
        load_matching_weights(other, tmp_path / "w.npz")
    assert "h1/kernel: file has shape (64, 32), design needs (64, 5)" in str(err.value)
    report = load_matching_weights(other, tmp_path / "w.npz", require_any=False)
    assert report.loaded == [] and len(report.mismatched) == 2
