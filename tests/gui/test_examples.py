"""Every example in resources/examples opens with no problems and shows its description."""
from __future__ import annotations

import pytest

from core.designfile import load_design
from designer.examples import examples

EXAMPLES = examples()
REQUIRED = {"xor", "spirals_batchnorm", "digits_mlp", "vanishing_sigmoid", "relu_he_twin",
            "residual_mlp"}


def test_the_promised_examples_are_there():
    assert REQUIRED <= {ex.path.stem for ex in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda ex: ex.path.stem)
def test_example_loads_with_core_and_has_no_problems(example):
    design = load_design(example.path)
    assert design.graph.check() == []
    assert design.name and len(design.description) > 120      # a real paragraph
    assert design.data["source"] == "builtin"
    assert design.data["test_split"] > 0              # Evaluate has a test part to run on


def test_every_example_opens_in_the_window_with_no_problems(window, qtbot):
    menu_titles = [a.text() for a in window.examples_menu.actions()]
    assert menu_titles == [ex.name for ex in EXAMPLES]
    for ex in EXAMPLES:
        assert window.open_example(str(ex.path))
        # The pre-flight summarises the example's data on a worker thread the first time.
        qtbot.waitUntil(lambda: not window.problems.checking, timeout=600_000)
        assert window.problems.problems == []
        assert window.scene.problems == []
        assert set(window.scene.node_items) == set(window.document.graph.nodes)
        assert all(not item.problems for item in window.scene.node_items.values())
        assert window.banner.isVisible() and ex.description[:40] in window.banner_text.text()
        assert not window.isWindowModified() and window.document.path == ""
        assert ex.name in window.windowTitle()
        assert "ready" in window.problem_label.text()


def test_vanishing_gradient_twins_differ_only_in_activation_and_init():
    sig = load_design(next(e.path for e in EXAMPLES if e.path.stem == "vanishing_sigmoid"))
    relu = load_design(next(e.path for e in EXAMPLES if e.path.stem == "relu_he_twin"))
    assert sig.training == relu.training and sig.data == relu.data
    s_types = [n.type for n in sig.graph.nodes.values()]
    r_types = [n.type for n in relu.graph.nodes.values()]
    assert s_types.count("Sigmoid") == 10 and r_types.count("ReLU") == 10
    assert s_types.count("Dense") == r_types.count("Dense") == 11
    inits = {n.params["kernel_initializer"] for n in relu.graph.nodes.values()
             if n.type == "Dense" and n.id != "logits"}
    assert inits == {"he_uniform"}
