"""Every block in the catalogue, checked the same way, with no per-block table to extend.

Per block, on the smallest design around it (Inputs → a shape-keeping layer with weights → the
block with its default parameters → Flatten → Dense; the weights *before* the block get their
gradients through the block's backward, every element of its input gradient included):
- its gradients equal central finite differences, in float64;
- its ONNX export, read back by onnxruntime, predicts what the engine predicts (1e-5);
- its PyTorch code export predicts what the engine predicts (1e-9, float64) and saves the weights
  back bit for bit.

A new block is covered by being registered: its own test file adds what only it can check (the
reference values of PyTorch/Keras, odd shapes, its parameters). The curated cases in
test_gradcheck, test_export and test_torch_export_v2 cover combinations (merges, heads, layouts).
"""
from __future__ import annotations

import numpy as np
import pytest

from core.blocks import BLOCKS, Block
from core.export import read_weights_file
from core.graph import Graph
from core.model import Model
from core.plan import compile_plan
from core.torch_export import export_pytorch
from helpers import SAMPLE_SHAPES, gradcheck, make_executor, randomize_weights, rel_error
from test_export import make_model, onnx_parity
from test_torch_export import design_of, import_generated, torch_outputs

NAMES = sorted(BLOCKS.names())
GRAD_TOL = 1e-6


def _weights_keeping(shape: tuple[int, ...]) -> tuple[str, dict]:
    """A layer with weights whose output has the input's shape and depends on every input element:
    Dense on the last axis of a vector or sequence, a 1×1 Conv2D on an image."""
    if len(shape) == 3:
        return "Conv2D", {"filters": shape[-1], "kernel_size": 1}
    return "Dense", {"units": shape[-1]}


def contract_graph(block: type[Block]) -> Graph:
    """Inputs → shape-keeping layer → block → Flatten → Dense(2), with the first sample shape the
    block accepts."""
    error = None
    for shape in SAMPLE_SHAPES:
        try:
            g = Graph()
            if block.type_name == "Input":
                tail = g.add_node("Input", {"shape": list(shape)}).id
            else:
                tail = g.add_node(block.type_name, {}).id
                for port in range(block.num_inputs(g.nodes[tail].params)):
                    source = g.add_node("Input", {"shape": list(shape)}).id
                    before = g.add_node(*_weights_keeping(shape)).id
                    g.connect(source, before)
                    g.connect(before, tail, port)
            for kind, params in (("Flatten", {}), ("Dense", {"units": 2})):
                nxt = g.add_node(kind, params).id
                g.connect(tail, nxt)
                tail = nxt
            compile_plan(g, "mse")
            return g
        except Exception as e:      # noqa: BLE001 — try the next shape; report the first failure
            error = error or e
    raise error


@pytest.mark.parametrize("name", NAMES)
def test_gradients_equal_finite_differences(name):
    g = contract_graph(BLOCKS.get(name))
    rng = np.random.default_rng(11)
    ex = make_executor(g, "mse", seed=11)
    randomize_weights(ex, rng)
    X = rng.standard_normal((5, ex.plan.n_features))
    Y = rng.standard_normal((5, ex.plan.output_width))
    results = gradcheck(ex, X, Y)
    assert sum(np.linalg.norm(a) for a, _ in results.values()) > 1e-6, "vacuous: every gradient is zero"
    for weight, (analytic, numeric) in results.items():
        if np.linalg.norm(analytic) < 1e-12 and np.linalg.norm(numeric) < 1e-8:
            continue        # zero by the maths (Step passes no gradient; a bias before a normalisation)
        assert rel_error(analytic, numeric) <= GRAD_TOL, f"{name}: {weight}"


@pytest.mark.parametrize("name", NAMES)
def test_onnx_export_predicts_what_the_engine_predicts(name, tmp_path):
    model = make_model(contract_graph(BLOCKS.get(name)))
    X = np.random.default_rng(7).normal(0, 1.5, (17, model.plan.n_features)).astype(np.float32)
    onnx_parity(tmp_path, model, X)


@pytest.mark.parametrize("name", NAMES)
def test_pytorch_export_predicts_what_the_engine_predicts(name, tmp_path):
    model = Model(design_of(contract_graph(BLOCKS.get(name)), dtype="float64"))
    rng = np.random.default_rng(3)
    for w in model.plan.weights:
        model.executor.view(w.name)[...] = (rng.uniform(0.5, 1.5, w.shape) if w.weight == "moving_variance"
                                            else rng.normal(0.0, 0.4, w.shape))
    export_pytorch(model, tmp_path / "net.py")
    module = import_generated(tmp_path / "net.py")
    net = module.load_model()
    X = np.random.default_rng(1).normal(size=(9, model.plan.n_features))
    np.testing.assert_allclose(torch_outputs(net, module, X), model.predict(X), rtol=1e-9, atol=1e-10)
    module.save_weights(net, str(tmp_path / "back.safetensors"))
    back, _ = read_weights_file(tmp_path / "back.safetensors")
    for key, value in model.executor.get_weights().items():
        assert np.array_equal(back[key], value), key
