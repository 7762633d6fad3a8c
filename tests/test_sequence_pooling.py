"""GlobalAveragePool1D and GlobalMaxPool1D (core/blocks/sequence_pooling.py): blocks added as their
module plus this test, lowered to the existing image ops global_avgpool2d and global_maxpool2d.

References: shapes by Keras' GlobalAveragePooling1D / GlobalMaxPooling1D ((T, F) → (F,), no
weights); forward by NumPy's mean/max over the time axis; forward and every gradient against
PyTorch (float32, torch.mean(dim=1) / torch.amax(dim=1)) on odd shapes. Inputs are continuous
random values, so no feature has a tie for its maximum (the max's gradient goes to one step, as
amax's does then). Gradients by finite differences, ONNX and the PyTorch code export are checked
for every block by tests/test_catalogue_contract.py. Plus: an LSTM(return_sequences) →
GlobalAveragePool1D → Dense design learns the recall task through Model.fit, and the palette and
the inspector show both blocks, in English and in Korean.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.blocks import get_block
from core.designfile import Design
from core.errors import GraphError
from core.model import Model
from core.settings import validate_data, validate_training

from helpers import make_executor, randomize_weights, sequential

ROOT = Path(__file__).resolve().parent.parent
BLOCK_NAMES = ("GlobalAveragePool1D", "GlobalMaxPool1D")
REDUCE = {"GlobalAveragePool1D": (np.mean, lambda t: torch.mean(t, dim=1)),
          "GlobalMaxPool1D": (np.max, lambda t: torch.amax(t, dim=1))}


# ----------------------------------------------------------------------------- shapes and errors

@pytest.mark.parametrize("name", BLOCK_NAMES)
def test_a_sequence_becomes_one_value_per_feature_with_no_weights(name):
    block = get_block(name)
    p = block.params.resolve({})
    assert p == {}                                           # no parameters (Keras' keepdims left out)
    assert block.output_shape(p, [(37, 3)]) == (3,)
    assert block.output_shape(p, [(1, 5)]) == (5,)
    assert block.param_count(p, [(37, 3)]) == (0, 0)
    g = sequential((37, 3), ("LSTM", {"units": 4, "return_sequences": True}), name, ("Dense", {"units": 2}))
    shapes = g.analyze().shapes
    assert [shapes[n] for n in g.nodes] == [(37, 3), (37, 4), (4,), (2,)]


@pytest.mark.parametrize("name", BLOCK_NAMES)
@pytest.mark.parametrize("shape", [(64,), (8, 8, 1)])
def test_a_flat_or_image_input_is_refused_naming_the_block(name, shape):
    with pytest.raises(ValueError, match=rf"{name} expects sequences \(time steps, features\); "
                                         rf"received shape {re_shape(shape)}"):
        get_block(name).output_shape({}, [shape])
    try:
        text = " ".join(str(p) for p in sequential(shape, name).analyze().problems)
    except GraphError as e:
        text = str(e)
    assert f"{name} expects sequences" in text


def re_shape(shape):
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


# ----------------------------------------------------------------------------- forward vs NumPy

@pytest.mark.parametrize("name", BLOCK_NAMES)
@pytest.mark.parametrize("batch,T", [(1, 1), (33, 37), (5, 2)])
def test_forward_equals_numpys_reduction_over_time(name, batch, T):
    Fe = 3
    ex = make_executor(sequential((T, Fe), name), max_batch=batch)
    x = np.random.default_rng(T).normal(size=(batch, T, Fe))
    want = REDUCE[name][0](x, axis=1)
    np.testing.assert_allclose(ex.predict(x.reshape(batch, -1)), want, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- PyTorch parity

def _to_torch(name, arr):
    return arr.T if name.endswith("/kernel") else arr   # Dense kernel (in, out) ↔ nn.Linear (out, in)


@pytest.mark.parametrize("name", BLOCK_NAMES)
@pytest.mark.parametrize("T", [1, 37])
@pytest.mark.parametrize("batch", [1, 33])
def test_forward_and_gradients_match_pytorch(name, batch, T):
    """Input (T, 3) → Dense 4 on each step → the pool → Dense 2, MSE: the first Dense's gradients
    reach it through the pool's backward."""
    Fe = 3
    g = sequential((T, Fe), ("Dense", {"units": 4}), name, ("Dense", {"units": 2}))
    ex = make_executor(g, max_batch=batch, dtype=np.float32, seed=5)
    rng = np.random.default_rng(batch * 100 + T)
    randomize_weights(ex, rng, scale=0.5)
    X = rng.normal(size=(batch, T * Fe)).astype(np.float32)
    Y = rng.normal(size=(batch, 2)).astype(np.float32)
    weights = ex.get_weights()
    assert set(weights) == {"dense1/kernel", "dense1/bias", "dense2/kernel", "dense2/bias"}
    params = {n: torch.tensor(_to_torch(n, w), requires_grad=True) for n, w in weights.items()}

    h = F.linear(torch.from_numpy(X).reshape(batch, T, Fe), params["dense1/kernel"], params["dense1/bias"])
    out = F.linear(REDUCE[name][1](h), params["dense2/kernel"], params["dense2/bias"])
    np.testing.assert_allclose(ex.predict(X), out.detach().numpy(), rtol=1e-5, atol=1e-5)
    loss_t = F.mse_loss(out, torch.from_numpy(Y))
    loss_t.backward()
    loss = ex.loss_and_gradients(X, Y)
    assert loss == pytest.approx(loss_t.item(), rel=1e-5)
    for w in weights:
        want = params[w].grad.numpy()
        assert np.abs(want).max() > 1e-4, w
        np.testing.assert_allclose(_to_torch(w, ex.view(w, ex.grads)), want, rtol=1e-5, atol=1e-5, err_msg=w)


# ----------------------------------------------------------------------------- training

def test_lstm_sequences_then_global_average_pool_learn_the_recall_task():
    g = sequential((6, 5), ("LSTM", {"units": 16, "return_sequences": True}), "GlobalAveragePool1D",
                   ("Dense", {"units": 4}), "Softmax")
    training = validate_training({"epochs": 5, "batch_size": 32, "seed": 0,
                                  "optimizer": {"name": "adam", "params": {"learning_rate": 0.01}},
                                  "loss": {"name": "sparse_categorical_crossentropy", "params": {}},
                                  "metrics": ["accuracy"]})
    data = validate_data({"name": "recall_first", "params": {"n": 800, "length": 6, "symbols": 4}})
    model = Model.from_design(Design(g, training, data))
    end = model.fit(collect_stats=False)
    loss = end.history["loss"]
    assert end.epochs_run == 5 and loss[-1] < 0.7 * loss[0], loss
    assert model.evaluate("val")["accuracy"] > 0.5          # 4 symbols: chance is 0.25


# ----------------------------------------------------------------------------- the designer

from window_fixtures import make_window, settings  # noqa: E402,F401 (the designer window)


def test_palette_lists_both_beside_the_recurrent_layers_and_wires_show_their_shape(make_window):
    from PySide6.QtCore import QPointF
    from core.blocks import block_docs
    from designer.commands import Connect, SetParams
    window = make_window()
    palette = window.palette
    for name in BLOCK_NAMES:
        item = palette.block_items[name]
        assert item.parent() is palette.group_items["Recurrent"] is palette.block_items["LSTM"].parent()
        assert not item.icon(0).isNull()
        assert block_docs("en")[name]["summary"] in item.toolTip(0)
    palette.filter.setText("pool1d")
    assert sorted(palette.visible_blocks()) == sorted(BLOCK_NAMES)
    palette.filter.setText("")

    doc, graph = window.document, window.document.graph
    inp = window.editor.add_block("Input", QPointF(100, 200))
    doc.push(SetParams(graph, inp, {"shape": (37, 3)}))
    for k, name in enumerate(BLOCK_NAMES):
        node = window.editor.add_block(name, QPointF(400, 100 + 200 * k))
        doc.push(Connect(graph, inp, node))
        assert window.scene.node_items[node].shape_text == "(3,)"


def test_in_korean_the_palette_and_inspector_read_docs_ko_json(make_window):
    from PySide6.QtCore import QLocale, QPointF
    from PySide6.QtWidgets import QApplication
    from designer import i18n
    ko = json.loads((ROOT / "core" / "blocks" / "docs.ko.json").read_text(encoding="utf-8"))
    app, locale = QApplication.instance(), QLocale()
    i18n.install(app, "ko")
    try:
        window = make_window()
        for name in BLOCK_NAMES:
            entry = ko[name]
            assert entry["summary"] != get_block(name).summary and "(T, F) → (F,)" in entry["summary"]
            assert entry["summary"] in window.palette.block_items[name].toolTip(0)
            node = window.editor.add_block(name, QPointF(0, 0))
            window.scene.select_nodes([node])
            assert window.inspector.summary.text() == entry["summary"]
            assert window.inspector.tip.text() == entry["tip"]
    finally:
        i18n.install(app, "en")
        QLocale.setDefault(locale)
