"""GlobalMaxPool2D (core/blocks/global_max_pool.py), a block added as its module plus this test,
end to end.

References: shapes and the parameter count by Keras' GlobalMaxPooling2D (keepdims: (1, 1, C), no
weights); gradients by central finite differences (float64) through the whole engine; forward,
every gradient and one Adam step against PyTorch (float32, NCHW, nn.AdaptiveMaxPool2d(1)); the
NumPy max for the kernels themselves (serial and batch-split); ONNX in onnxruntime; the CUDA
kernels and executor on numba's simulator (a subprocess); training on the digits images through
Model.fit; the generated PyTorch module; the palette and the inspector. Inputs are drawn from
continuous distributions (or permutations), so no channel has a tie for its maximum.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.blocks import get_block
from core.designfile import Design
from core.errors import GraphError
from core.model import Model
from core.optimizers import OPTIMIZERS
from core.settings import validate_data, validate_training

from helpers import gradcheck, make_executor, randomize_weights, rel_error, sequential

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
H, W, C = 5, 7, 3                                     # odd image sizes


# ----------------------------------------------------------------------------- shapes and counts

def test_output_shape_follows_keepdims_and_there_are_no_weights():
    block = get_block("GlobalMaxPool2D")
    p = block.params.resolve({})
    assert p == {"keepdims": False}
    assert block.output_shape(p, [(H, W, C)]) == (C,)
    assert block.output_shape({"keepdims": True}, [(H, W, C)]) == (1, 1, C)
    assert block.param_count(p, [(H, W, C)]) == (0, 0)
    assert block.param_count({"keepdims": True}, [(H, W, C)]) == (0, 0)
    # on the wires: keepdims keeps an image, so a 1×1 Conv2D may follow (Keras' idiom)
    g = sequential((H, W, C), ("GlobalMaxPool2D", {"keepdims": True}),
                   ("Conv2D", {"filters": 4, "kernel_size": 1}), "Flatten", ("Dense", {"units": 2}))
    shapes = g.analyze().shapes
    assert [shapes[n] for n in g.nodes] == [(H, W, C), (1, 1, C), (1, 1, 4), (4,), (2,)]
    flat = sequential((H, W, C), "GlobalMaxPool2D", ("Dense", {"units": 2}))
    assert [flat.analyze().shapes[n] for n in flat.nodes] == [(H, W, C), (C,), (2,)]


def test_a_flat_input_is_refused_naming_the_block_and_the_fix():
    with pytest.raises(ValueError, match=r"GlobalMaxPool2D expects images \(height, width, channels\).*Reshape"):
        get_block("GlobalMaxPool2D").output_shape({"keepdims": False}, [(64,)])
    try:
        g = sequential((64,), "GlobalMaxPool2D")
        text = " ".join(str(p) for p in g.analyze().problems)
    except GraphError as e:
        text = str(e)
    assert "GlobalMaxPool2D expects images" in text


# ----------------------------------------------------------------------------- the kernels

def _distinct(rng, n, hw, c, dtype=np.float64):
    """Values with no ties: a shuffled range, scaled."""
    return (rng.permutation(n * hw * c).reshape(n, hw * c) / (n * hw * c) - 0.5).astype(dtype)


@pytest.mark.parametrize("acc", [False, True])
def test_kernels_equal_numpys_max_and_scatter_to_the_winner(acc):
    from core.blocks.global_max_pool import global_maxpool2d_backward, global_maxpool2d_forward
    rng = np.random.default_rng(0)
    n, hw = 4, H * W
    x = _distinct(rng, n, hw, C)
    x[1, 5 * C + 2] = np.nan                          # a NaN wins (and takes the gradient)
    y, arg = np.zeros((n, C)), np.zeros((n, C))
    global_maxpool2d_forward(x, y, arg, hw, C, 1)
    cube = x.reshape(n, hw, C)
    want = cube.max(axis=1)                           # NumPy's max propagates the NaN too
    np.testing.assert_array_equal(y, want)
    nan = np.isnan(cube)
    winners = np.where(nan.any(axis=1), nan.argmax(axis=1), np.nan_to_num(cube, nan=-9).argmax(axis=1))
    np.testing.assert_array_equal(arg, winners * C + np.arange(C))
    dy = rng.normal(size=(n, C))
    dx0 = rng.normal(size=x.shape)
    dx = dx0.copy()
    global_maxpool2d_backward(dy, arg, dx, acc, hw, C, 1)
    want_dx = np.zeros((n, hw, C))
    for s in range(n):
        for ch in range(C):
            want_dx[s, winners[s, ch], ch] = dy[s, ch]
    np.testing.assert_array_equal(dx, want_dx.reshape(n, -1) + (dx0 if acc else 0.0))


def test_two_threads_split_the_batch_above_the_threshold_and_agree():
    from core.blocks import global_max_pool as gmp
    from core.threads import configure_threading_layer
    configure_threading_layer()
    rng = np.random.default_rng(1)
    n, hw, c = 64, 32 * 32, 16                        # 2²⁰ reads: the batch-split path
    assert n * hw * c >= gmp.PARALLEL_MIN_ELEMENTS
    x = rng.normal(size=(n, hw * c)).astype(np.float32)
    dy = rng.normal(size=(n, c)).astype(np.float32)
    results = []
    for threads in (1, 2):
        y, arg, dx = np.zeros((n, c), np.float32), np.zeros((n, c), np.float32), np.ones_like(x)
        gmp.global_maxpool2d_forward(x, y, arg, hw, c, threads)
        gmp.global_maxpool2d_backward(dy, arg, dx, False, hw, c, threads)
        results.append((y, arg, dx))
    np.testing.assert_array_equal(results[0][0], x.reshape(n, hw, c).max(axis=1))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- finite differences

FD_DESIGNS = {
    "conv_tanh_gmp_dense": lambda: sequential(
        (H, W, C), ("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}), "Tanh",
        "GlobalMaxPool2D", ("Dense", {"units": 3})),
    "conv_gmp_keepdims_conv1x1": lambda: sequential(
        (H, W, C), ("Conv2D", {"filters": 3, "kernel_size": 3, "padding": "valid"}),
        ("GlobalMaxPool2D", {"keepdims": True}), ("Conv2D", {"filters": 2, "kernel_size": 1}), "Flatten",
        ("Dense", {"units": 2})),
}


@pytest.mark.parametrize("design", list(FD_DESIGNS))
def test_gradients_match_finite_differences(design):
    g = FD_DESIGNS[design]()
    ex = make_executor(g, max_batch=5)
    rng = np.random.default_rng(3)
    randomize_weights(ex, rng, scale=0.5)
    X = rng.normal(size=(5, ex.plan.n_features))
    Y = rng.normal(size=(5, ex.plan.output_width))
    results = gradcheck(ex, X, Y)
    assert "conv2d1/kernel" in results                 # the first conv's gradient passes the pool
    for name, (analytic, numeric) in results.items():
        assert np.abs(analytic).max() > 1e-6, name
        assert rel_error(analytic, numeric) < 1e-6, (name, rel_error(analytic, numeric))


# ----------------------------------------------------------------------------- PyTorch parity

def _torch_forward(params, x, keepdims):
    """The design on NCHW with PyTorch's own ops: Conv2D k3 'same' (symmetric pad 1 at stride 1),
    ReLU, nn.AdaptiveMaxPool2d(1), then Dense — or, with keepdims, a 1×1 conv first."""
    x = torch.relu(F.conv2d(x, params["conv2d1/kernel"], params["conv2d1/bias"], padding=1))
    x = F.adaptive_max_pool2d(x, 1)                   # (N, F, 1, 1)
    if keepdims:
        x = F.conv2d(x, params["conv2d2/kernel"], params["conv2d2/bias"])
    x = x.flatten(1)
    return F.linear(x, params["dense1/kernel"], params["dense1/bias"])


def _to_torch(name, arr):
    if name.endswith("/kernel") and arr.ndim == 4:
        return arr.transpose(3, 2, 0, 1)              # (kh, kw, C_in, F) → (F, C_in, kh, kw)
    return arr.T if name.endswith("/kernel") else arr


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("batch", [1, 33])
def test_forward_gradients_and_one_adam_step_match_pytorch(batch, keepdims):
    layers = [("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same"}), "ReLU",
              ("GlobalMaxPool2D", {"keepdims": keepdims})]
    if keepdims:
        layers.append(("Conv2D", {"filters": 5, "kernel_size": 1}))
    g = sequential((H, W, C), *layers, "Flatten", ("Dense", {"units": 2}))
    ex = make_executor(g, max_batch=batch, dtype=np.float32, seed=4)
    rng = np.random.default_rng(batch)
    randomize_weights(ex, rng, scale=0.4)
    X = rng.normal(size=(batch, H * W * C)).astype(np.float32)
    Y = rng.normal(size=(batch, 2)).astype(np.float32)
    weights = ex.get_weights()
    params = {n: torch.tensor(_to_torch(n, w), requires_grad=True) for n, w in weights.items()}
    xt = torch.from_numpy(X).reshape(batch, H, W, C).permute(0, 3, 1, 2)

    out = _torch_forward(params, xt, keepdims)
    np.testing.assert_allclose(ex.predict(X), out.detach().numpy(), rtol=1e-4, atol=1e-5)
    loss_t = F.mse_loss(out, torch.from_numpy(Y))
    loss_t.backward()
    loss = ex.loss_and_gradients(X, Y)
    assert loss == pytest.approx(loss_t.item(), rel=1e-5)
    for name in weights:
        want = params[name].grad.numpy()
        assert np.abs(want).max() > 1e-5, name
        np.testing.assert_allclose(_to_torch(name, ex.view(name, ex.grads)), want, rtol=1e-4, atol=1e-5,
                                   err_msg=name)
    spec = OPTIMIZERS.get("adam")
    hp = spec.hyper_vector(spec.params.resolve({}))
    torch.optim.Adam(params.values(), lr=0.01, eps=1e-8).step()
    losses = np.zeros(1)
    done, _ = ex.train_batches(X, Y, np.arange(batch, dtype=np.int64), 0, batch, 1, np.full(1, 0.01), losses,
                               spec.code, hp)
    assert done == 1 and losses[0] == pytest.approx(loss_t.item(), rel=1e-5)
    for name in weights:
        np.testing.assert_allclose(_to_torch(name, ex.view(name)), params[name].detach().numpy(),
                                   rtol=1e-4, atol=1e-5, err_msg=name)


# ----------------------------------------------------------------------------- ONNX

def _model(g, seed=0, **training):
    m = Model(Design(g, validate_training({"seed": seed, **training}), validate_data({})))
    rng = np.random.default_rng(seed + 1)
    for w in m.plan.weights:
        m.executor.view(w.name)[...] = rng.normal(0, 0.5, w.shape)
    return m


ONNX_DESIGNS = {
    # right after a conv: reads the conv's NCHW tensor (one transpose in, none out)
    "conv_gmp_dense": (lambda: sequential(
        (H, W, C), ("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}),
        "GlobalMaxPool2D", ("Dense", {"units": 3})), 1),
    # on the input; keepdims then a 1×1 conv reads the pool's NCHW result (no transpose between)
    "gmp_keepdims_conv1x1": (lambda: sequential(
        (H, W, C), ("GlobalMaxPool2D", {"keepdims": True}), ("Conv2D", {"filters": 2, "kernel_size": 1}),
        "Flatten", ("Dense", {"units": 2})), 2),
}


@pytest.mark.parametrize("design", list(ONNX_DESIGNS))
def test_onnx_export_runs_in_onnxruntime(tmp_path, design):
    import onnx
    import onnxruntime as ort
    from core.onnx_export import export_onnx
    build, transposes = ONNX_DESIGNS[design]
    model = _model(build())
    X = np.random.default_rng(2).normal(size=(17, model.plan.n_features)).astype(np.float32)
    path = tmp_path / "m.onnx"
    export_onnx(model, path)
    kinds = [n.op_type for n in onnx.load(str(path)).graph.node]
    assert kinds.count("GlobalMaxPool") == 1 and kinds.count("Transpose") == transposes, kinds
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(["output"], {"input": X})[0]
    np.testing.assert_allclose(got, model.predict(X), rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- PyTorch code export

@pytest.mark.parametrize("keepdims", [False, True])
def test_generated_pytorch_module_predicts_as_netdesigner(tmp_path, keepdims):
    from core.torch_export import export_pytorch
    from test_torch_export import import_generated, torch_outputs
    layers = [("Conv2D", {"filters": 3, "kernel_size": 3, "padding": "same"}), "ReLU",
              ("GlobalMaxPool2D", {"keepdims": keepdims})]
    layers += [("Conv2D", {"filters": 2, "kernel_size": 1}), "Flatten"] if keepdims else []
    model = _model(sequential((H, W, C), *layers, ("Dense", {"units": 2})), dtype="float64")
    export_pytorch(model, tmp_path / "net.py")
    text = (tmp_path / "net.py").read_text(encoding="utf-8")
    assert (".amax(dim=(2, 3), keepdim=True)" if keepdims else ".amax(dim=(2, 3))") in text
    module = import_generated(tmp_path / "net.py")
    X = np.random.default_rng(6).normal(size=(9, H * W * C))
    np.testing.assert_allclose(torch_outputs(module.load_model(), module, X), model.predict(X),
                               rtol=1e-9, atol=1e-10)


# ----------------------------------------------------------------------------- training

def test_a_conv_gmp_dense_design_learns_the_digit_images():
    g = sequential((8, 8, 1), ("Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same"}), "ReLU",
                   "GlobalMaxPool2D", ("Dense", {"units": 10}), "Softmax")
    training = validate_training({"epochs": 6, "batch_size": 32, "seed": 1,
                                  "optimizer": {"name": "adam", "params": {"learning_rate": 0.01}},
                                  "loss": {"name": "sparse_categorical_crossentropy", "params": {}},
                                  "metrics": ["accuracy"]})
    model = Model.from_design(Design(g, training, validate_data({"name": "digits_images", "params": {}})))
    end = model.fit(collect_stats=False)
    loss = end.history["loss"]
    assert end.epochs_run == 6 and loss[-1] < 0.6 * loss[0], loss
    assert model.evaluate("val")["accuracy"] > 0.5        # 10 classes: chance is 0.1


# ----------------------------------------------------------------------------- CUDA (simulator)

_CUDA_PARITY = r"""
import numpy as np
from numba import cuda
from core.blocks import global_max_pool as gmp
from core.cuda_backend import CudaExecutor
from core.executor import Executor
from core.optimizers import OPTIMIZERS
from core.plan import compile_plan
import sys; sys.path.insert(0, "tests")
from helpers import sequential

f32 = np.float32
rng = np.random.default_rng(0)

# the kernels at non-zero offsets of shared arenas, as the executor lays them out
n, h, w, c = 3, 5, 7, 3
hw = h * w
x = (rng.permutation(n * hw * c).reshape(n, hw * c) / (n * hw * c)).astype(f32)
dy = rng.uniform(-1, 1, (n, c)).astype(f32)
dx0 = rng.uniform(-1, 1, x.shape).astype(f32)
y, arg = np.zeros((n, c), f32), np.zeros((n, c), f32)
gmp.global_maxpool2d_forward(x, y, arg, hw, c, 1)
for acc in (False, True):
    dx = dx0.copy()
    gmp.global_maxpool2d_backward(dy, arg, dx, acc, hw, c, 1)
    xo, yo, ao = 3, 3 + x.size + 5, 7
    A = np.full(yo + y.size + 5, 99.0, f32); A[xo:xo + x.size] = x.ravel()
    D = np.full_like(A, 99.0); D[xo:xo + x.size] = dx0.ravel(); D[yo:yo + dy.size] = dy.ravel()
    X = np.full(ao + arg.size + 5, 99.0, f32)
    dA, dD, dX = cuda.to_device(A), cuda.to_device(D), cuda.to_device(X)
    gmp.cuda_global_maxpool2d_forward(dA, xo, yo, dX, ao, n, hw, c)
    gmp.cuda_global_maxpool2d_backward(dD, yo, xo, dX, ao, acc, n, hw, c)
    hA, hD, hX = dA.copy_to_host(), dD.copy_to_host(), dX.copy_to_host()
    assert np.array_equal(hA[yo:yo + y.size].reshape(y.shape), y), "forward"
    assert np.array_equal(hX[ao:ao + arg.size].reshape(arg.shape), arg), "argmax"
    np.testing.assert_allclose(hD[xo:xo + x.size].reshape(x.shape), dx, rtol=1e-6, atol=1e-7, err_msg="dx")
    assert hA[yo + y.size] == 99.0 and hX[ao + arg.size] == 99.0 and hD[xo - 1] == 99.0

# the CUDA executor trains a design with the block as the CPU one does
g = sequential((h, w, c), ("Conv2D", {"filters": 2, "kernel_size": 3, "padding": "same"}), "ReLU",
               ("GlobalMaxPool2D", {"keepdims": True}), ("Conv2D", {"filters": 2, "kernel_size": 1}),
               "Flatten", ("Dense", {"units": 2}))
plan = compile_plan(g, "mse")
X = rng.normal(size=(6, hw * c)).astype(f32)
Y = rng.normal(size=(6, 2)).astype(f32)
cpu, gpu = Executor(plan, 3), CudaExecutor(plan, 3)
cpu.init_weights(2); gpu.init_weights(2)
spec = OPTIMIZERS.get("adam")
hp = spec.hyper_vector(spec.params.resolve({}))
for ex in (cpu, gpu):
    losses = np.zeros(2)
    done, status = ex.train_batches(X, Y, np.arange(6, dtype=np.int64), 0, 3, 2, np.full(2, 0.05), losses,
                                    spec.code, hp)
    assert (done, status) == (2, 0), (done, status)
    ex.losses = losses
np.testing.assert_allclose(gpu.losses, cpu.losses, rtol=1e-4, atol=1e-6)
for wt in plan.weights:
    np.testing.assert_allclose(gpu.view(wt.name, gpu.grads), cpu.view(wt.name, cpu.grads), rtol=1e-4, atol=1e-5,
                               err_msg=wt.name)
    np.testing.assert_allclose(gpu.view(wt.name), cpu.view(wt.name), rtol=1e-4, atol=1e-5, err_msg=wt.name)
np.testing.assert_allclose(gpu.predict(X[:3]), cpu.predict(X[:3]), rtol=1e-4, atol=1e-5)
print("ok")
"""


def test_cuda_kernels_and_executor_match_the_cpu_on_the_simulator():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    r = subprocess.run([sys.executable, "-c", _CUDA_PARITY], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]


# ----------------------------------------------------------------------------- the designer

from window_fixtures import make_window, settings  # noqa: E402,F401 (the designer window)


def test_palette_lists_it_and_the_inspector_edits_keepdims(make_window):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication, QCheckBox
    from core.blocks import block_docs
    from designer.commands import Connect, SetParams
    window = make_window()
    palette = window.palette
    item = palette.block_items["GlobalMaxPool2D"]
    assert item.parent() is palette.group_items["Convolution"]
    assert not item.icon(0).isNull()
    assert block_docs("en")["GlobalMaxPool2D"]["summary"] in item.toolTip(0)
    palette.filter.setText("global max")
    assert set(palette.visible_blocks()) == {"GlobalMaxPool2D", "GlobalMaxPool1D"}   # the sequence one too
    palette.filter.setText("GlobalMaxPool2D")
    assert palette.visible_blocks() == ["GlobalMaxPool2D"]
    palette.filter.setText("")

    # dropped from the palette onto the canvas, as a person drags it
    mime = palette.tree.mimeData([item])
    vp, at = window.view.viewport(), QPoint(400, 200)
    enter = QDragEnterEvent(at, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(vp, enter)
    drop = QDropEvent(QPointF(at), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(vp, drop)
    doc, graph = window.document, window.document.graph
    (pool,) = [n for n in graph.nodes if graph.nodes[n].type == "GlobalMaxPool2D"]
    inp = window.editor.add_block("Input", QPointF(100, 200))
    doc.push(SetParams(graph, inp, {"shape": (H, W, C)}))
    doc.push(Connect(graph, inp, pool))
    node = window.scene.node_items[pool]
    assert node.shape_text == f"({C},)"

    window.scene.select_nodes([pool])
    form = window.inspector.form
    box = form.widget("keepdims")
    assert isinstance(box, QCheckBox) and not box.isChecked()
    assert form.labels["keepdims"].text() == "Keepdims"
    assert form.labels["keepdims"].toolTip() == get_block("GlobalMaxPool2D").params.get("keepdims").doc
    box.click()                                     # as a person ticks it
    assert graph.nodes[pool].params["keepdims"] is True
    assert node.shape_text == f"(1, 1, {C})"
    doc.stack.undo()
    assert graph.nodes[pool].params["keepdims"] is False and node.shape_text == f"({C},)"
    del mime


def test_in_korean_the_palette_and_inspector_read_docs_ko_json(make_window):
    """The block's Korean is data: its summary, tip and parameter texts come from its entry in
    core/blocks/docs.ko.json ("texts" for the parameter's label and doc; the .ts does not know them)."""
    import json
    from PySide6.QtCore import QLocale, QPointF
    from PySide6.QtWidgets import QApplication
    from designer import i18n
    ko = json.loads((Path(ROOT) / "core" / "blocks" / "docs.ko.json").read_text(encoding="utf-8"))
    ko = ko["GlobalMaxPool2D"]
    doc = get_block("GlobalMaxPool2D").params.get("keepdims").doc
    app, locale = QApplication.instance(), QLocale()
    i18n.install(app, "ko")
    try:
        window = make_window()
        assert ko["summary"] in window.palette.block_items["GlobalMaxPool2D"].toolTip(0)
        node = window.editor.add_block("GlobalMaxPool2D", QPointF(0, 0))
        window.scene.select_nodes([node])
        inspector = window.inspector
        assert inspector.summary.text() == ko["summary"] and inspector.tip.text() == ko["tip"]
        assert inspector.form.labels["keepdims"].text() == ko["texts"]["Keepdims"] == "차원 유지"
        assert inspector.form.labels["keepdims"].toolTip() == ko["texts"][doc]
    finally:
        i18n.install(app, "en")
        QLocale.setDefault(locale)
