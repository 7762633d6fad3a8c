"""Conv2D, MaxPool2D, AveragePool2D, GlobalAveragePool2D and Reshape as blocks, end to end.

References: parameter counts and output sizes by Keras' formulas written out here; gradients by
central finite differences (float64) through the whole engine; forward, every gradient and one
Adam step against PyTorch (float32; NCHW, TensorFlow's 'same' padding made explicit with F.pad
from the formula out = ceil(n/s), pad = max((out−1)·s + k − n, 0), the odd one after); ONNX in
onnxruntime; the CUDA executor on numba's simulator (a subprocess).
"""
from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.blocks import get_block
from core.designfile import Design
from core.errors import GraphError
from core.export import export_weights, import_weights
from core.graph import Graph
from core.model import Model
from core.optimizers import OPTIMIZERS
from core.settings import validate_data, validate_training

from helpers import gradcheck, make_executor, randomize_weights, rel_error, sequential

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------------------- shapes and counts

def _shape_of(g: Graph, node: str):
    return g.analyze().shapes[node]


def _out(n, k, s, padding):
    """Keras/TF output size of one axis."""
    return math.ceil(n / s) if padding == "same" else (n - k) // s + 1


@pytest.mark.parametrize("k,s,padding,filters", [(3, 1, "valid", 4), (3, 2, "same", 5), (5, 2, "valid", 2),
                                                 ((2, 4), (1, 3), "same", 3), (1, 2, "valid", 7)])
def test_conv2d_output_shape_and_parameter_count_follow_keras(k, s, padding, filters):
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (s, s) if isinstance(s, int) else s
    g = sequential((11, 13, 3), ("Conv2D", {"filters": filters, "kernel_size": k, "strides": s,
                                             "padding": padding}))
    conv = [n for n in g.nodes if g.nodes[n].type == "Conv2D"][0]
    assert _shape_of(g, conv) == (_out(11, kh, sh, padding), _out(13, kw, sw, padding), filters)
    params = g.nodes[conv].params
    assert get_block("Conv2D").param_count(params, [(11, 13, 3)]) == ((kh * kw * 3 + 1) * filters, 0)
    no_bias = {**params, "use_bias": False}
    assert get_block("Conv2D").param_count(no_bias, [(11, 13, 3)]) == (kh * kw * 3 * filters, 0)
    frozen = {**params, "trainable": False}
    assert get_block("Conv2D").param_count(frozen, [(11, 13, 3)]) == (0, (kh * kw * 3 + 1) * filters)
    specs = get_block("Conv2D").weight_specs(params, [(11, 13, 3)])
    assert [(w.name, w.shape) for w in specs] == [("kernel", (kh, kw, 3, filters)), ("bias", (filters,))]


@pytest.mark.parametrize("block", ["MaxPool2D", "AveragePool2D"])
def test_pool_shapes_default_strides_to_the_pool_size(block):
    cls = get_block(block)
    p = cls.params.resolve({})
    assert cls.output_shape(p, [(7, 9, 4)]) == (3, 4, 4)                    # 2×2, stride 2, valid
    assert cls.output_shape({**p, "padding": "same"}, [(7, 9, 4)]) == (4, 5, 4)
    assert cls.output_shape({**p, "pool_size": (3,), "strides": 1}, [(7, 9, 4)]) == (5, 7, 4)
    assert cls.output_shape({**p, "pool_size": (3, 2)}, [(7, 9, 4)]) == (2, 4, 4)      # strides (3, 2)
    assert cls.param_count(p, [(7, 9, 4)]) == (0, 0)
    assert get_block("GlobalAveragePool2D").output_shape({}, [(7, 9, 4)]) == (4,)


def test_reshape_resolves_minus_one_and_flatten_takes_any_rank():
    r = get_block("Reshape")
    assert r.output_shape({"target_shape": "-1, 8, 1"}, [(64,)]) == (8, 8, 1)
    assert r.output_shape({"target_shape": "(4, 4, 4)"}, [(8, 8, 1)]) == (4, 4, 4)
    assert get_block("Flatten").output_shape({}, [(3, 4, 5)]) == (60,)
    with pytest.raises(ValueError, match="target_shape .* holds 63, the input shape .* holds 64"):
        r.output_shape({"target_shape": "7, 9"}, [(64,)])
    with pytest.raises(ValueError, match="not a multiple of 3"):
        r.output_shape({"target_shape": "-1, 3"}, [(64,)])
    with pytest.raises(ValueError, match="at most one -1"):
        r.output_shape({"target_shape": "-1, -1"}, [(64,)])
    with pytest.raises(ValueError, match="whole numbers"):
        r.output_shape({"target_shape": "8, x"}, [(64,)])


def _problems(*layers, input_shape):
    """What the designer says about the chain: connecting refuses a bad shape at once."""
    try:
        g = sequential(input_shape, *layers)
    except GraphError as e:
        return [str(e)]
    return [str(p) for p in g.analyze().problems]


def test_bad_image_inputs_get_clear_messages():
    text = " ".join(_problems(("Conv2D", {}), input_shape=(64,)))
    assert "Conv2D expects images (height, width, channels)" in text and "insert a Reshape" in text
    text = " ".join(_problems(("MaxPool2D", {}), input_shape=(8, 8)))
    assert "MaxPool2D expects images (height, width, channels)" in text
    text = " ".join(_problems(("Conv2D", {"kernel_size": 5}), input_shape=(4, 6, 1)))
    assert "larger than its input image (4, 6)" in text and "'same'" in text
    text = " ".join(_problems(("MaxPool2D", {"pool_size": 3}), input_shape=(2, 6, 1)))
    assert "pool size (3, 3) is larger than its input image (2, 6)" in text
    # Blocks that need flat features say to insert Flatten after an image (Dense works on the
    # last axis, as in Keras: the recurrent helper's part).
    for block in ("BatchNorm", "LayerNorm"):
        text = " ".join(_problems(("Conv2D", {}), block, input_shape=(6, 6, 1)))
        assert f"{block} expects a flat input" in text and "Flatten" in text, block


def test_elementwise_blocks_dropout_and_add_keep_image_shapes():
    g = sequential((6, 6, 2), ("Conv2D", {"filters": 3, "padding": "same"}), "ReLU", ("Dropout", {"rate": 0.3}))
    shapes = g.analyze().shapes
    assert [shapes[n] for n in g.nodes][1:] == [(6, 6, 3)] * 3
    g2 = sequential((6, 6, 2))
    i = list(g2.nodes)[0]
    a = g2.add_node("Add").id
    g2.connect(i, a, 0)
    g2.connect(i, a, 1)
    assert g2.analyze().shapes[a] == (6, 6, 2)
    c = g2.add_node("Concat").id
    with pytest.raises(GraphError, match="Concat expects a flat input.*insert a Flatten"):
        g2.connect(i, c, 0)
        g2.connect(i, c, 1)


# ----------------------------------------------------------------------------- finite differences

FD_DESIGNS = {
    # conv k3 s2 same → max pool 'same' (odd width) → conv k3 valid → global average → dense
    "conv_max_conv_gap": lambda: sequential(
        (7, 9, 2), ("Conv2D", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}),
        ("MaxPool2D", {"pool_size": 2, "strides": 1, "padding": "same"}),
        ("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "valid"}), "Tanh",
        "GlobalAveragePool2D", ("Dense", {"units": 3})),
    # conv k5 valid → average pool 'same' (odd sizes) → flatten → dense
    "conv5_avg_flatten": lambda: sequential(
        (7, 9, 2), ("Conv2D", {"filters": 2, "kernel_size": 5, "padding": "valid", "l2": 0.01}), "Tanh",
        ("AveragePool2D", {"pool_size": 2, "padding": "same"}), "Flatten", ("Dense", {"units": 3})),
    # flat data reshaped to an image; a conv without bias, rectangular kernel and strides
    "reshape_conv": lambda: sequential(
        (63,), ("Reshape", {"target_shape": "7, -1, 1"}),
        ("Conv2D", {"filters": 2, "kernel_size": (2, 4), "strides": (2, 3), "padding": "same",
                    "use_bias": False}), "Flatten", ("Dense", {"units": 2})),
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
    assert any(name.endswith("/kernel") and "conv" in name for name in results)
    for name, (analytic, numeric) in results.items():
        assert np.abs(analytic).max() > 1e-6, name     # a gradient that could be wrong
        assert rel_error(analytic, numeric) < 1e-6, (name, rel_error(analytic, numeric))


# ----------------------------------------------------------------------------- PyTorch parity

def _tf_pads(n, k, s):
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _window(x, k, s, padding, fill):
    """x (N,C,H,W) padded as TensorFlow's 'same' would (fill value), or not for 'valid'."""
    if padding == "valid":
        return x
    (pt, pb), (pl, pr) = _tf_pads(x.shape[2], k[0], s[0]), _tf_pads(x.shape[3], k[1], s[1])
    return F.pad(x, (pl, pr, pt, pb), value=fill)


def _torch_forward(layers, params, x):
    """The design run by torch on NCHW: layers as given to `sequential` (torch's own ops)."""
    for kind, p, name in layers:
        if kind == "Conv2D":
            k = (p["kernel_size"],) * 2
            s = (p["strides"],) * 2
            x = F.conv2d(_window(x, k, s, p["padding"], 0.0), params[f"{name}/kernel"], params.get(f"{name}/bias"),
                         stride=s)
        elif kind == "MaxPool2D":
            k, s = (p["pool_size"],) * 2, (p["strides"],) * 2
            x = F.max_pool2d(_window(x, k, s, p["padding"], -math.inf), k, s)
        elif kind == "AveragePool2D":
            k, s = (p["pool_size"],) * 2, (p["strides"],) * 2
            total = F.avg_pool2d(_window(x, k, s, p["padding"], 0.0), k, s) * (k[0] * k[1])
            count = F.avg_pool2d(_window(torch.ones_like(x[:1, :1]), k, s, p["padding"], 0.0), k, s) * (k[0] * k[1])
            x = total / count            # TF divides by the image elements of each window
        elif kind == "GlobalAveragePool2D":
            x = x.mean(dim=(2, 3))
        elif kind == "Flatten":
            x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)     # the engine's (H, W, C) order
        elif kind == "ReLU":
            x = torch.relu(x)
        elif kind == "Tanh":
            x = torch.tanh(x)
        elif kind == "Dense":
            x = F.linear(x, params[f"{name}/kernel"], params[f"{name}/bias"])
    return x


TORCH_DESIGNS = {
    "k3_s2_same__max_same": [
        ("Conv2D", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, "conv2d1"),
        ("ReLU", {}, "relu1"),
        ("MaxPool2D", {"pool_size": 2, "strides": 2, "padding": "same"}, "maxpool2d1"),
        ("Flatten", {}, "flatten1"), ("Dense", {"units": 4}, "dense1")],
    "k5_valid__avg_same__k3_s2_same__gap": [
        ("Conv2D", {"filters": 4, "kernel_size": 5, "strides": 1, "padding": "valid"}, "conv2d1"),
        ("Tanh", {}, "tanh1"),
        ("AveragePool2D", {"pool_size": 2, "strides": 2, "padding": "same"}, "averagepool2d1"),
        ("Conv2D", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, "conv2d2"),
        ("GlobalAveragePool2D", {}, "globalaveragepool2d1"), ("Dense", {"units": 2}, "dense1")],
    "k3_valid__max_valid_s1__k5_same": [
        ("Conv2D", {"filters": 2, "kernel_size": 3, "strides": 1, "padding": "valid"}, "conv2d1"),
        ("MaxPool2D", {"pool_size": 2, "strides": 1, "padding": "valid"}, "maxpool2d1"),
        ("Conv2D", {"filters": 3, "kernel_size": 5, "strides": 2, "padding": "same"}, "conv2d2"),
        ("Flatten", {}, "flatten1"), ("Dense", {"units": 3}, "dense1")],
}


def _to_torch(name, arr):
    if name.endswith("/kernel") and arr.ndim == 4:
        return arr.transpose(3, 2, 0, 1)          # (kh, kw, C_in, F) → (F, C_in, kh, kw)
    if name.endswith("/kernel"):
        return arr.T                              # Dense (in, out) → (out, in)
    return arr


@pytest.mark.parametrize("batch", [1, 33])
@pytest.mark.parametrize("design", list(TORCH_DESIGNS))
def test_forward_gradients_and_one_adam_step_match_pytorch(design, batch):
    layers = TORCH_DESIGNS[design]
    g = sequential((7, 9, 2), *[(kind, p) for kind, p, _ in layers])
    assert [g.nodes[n].id for n in g.nodes][1:] == [name for *_, name in layers]
    ex = make_executor(g, max_batch=batch, dtype=np.float32, seed=4)
    rng = np.random.default_rng(batch)
    randomize_weights(ex, rng, scale=0.4)
    X = rng.normal(size=(batch, 7 * 9 * 2)).astype(np.float32)
    Y = rng.normal(size=(batch, ex.plan.output_width)).astype(np.float32)
    weights = ex.get_weights()
    params = {n: torch.tensor(_to_torch(n, w), requires_grad=True) for n, w in weights.items()}
    xt = torch.from_numpy(X).reshape(batch, 7, 9, 2).permute(0, 3, 1, 2)

    # forward
    out = _torch_forward(layers, params, xt)
    np.testing.assert_allclose(ex.predict(X), out.detach().numpy(), rtol=1e-4, atol=1e-5)
    # gradients of the mean squared error
    loss_t = F.mse_loss(out, torch.from_numpy(Y))
    loss_t.backward()
    loss = ex.loss_and_gradients(X, Y)
    assert loss == pytest.approx(loss_t.item(), rel=1e-5)
    for name in weights:
        got = _to_torch(name, ex.view(name, ex.grads))
        want = params[name].grad.numpy()
        assert np.abs(want).max() > 1e-5, name
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, err_msg=name)
    # one Adam step (PyTorch's convention: ε after the bias correction, 1e-8)
    spec = OPTIMIZERS.get("adam")
    hp = spec.hyper_vector(spec.params.resolve({}))
    opt = torch.optim.Adam(params.values(), lr=0.01, eps=1e-8)
    opt.step()
    losses = np.zeros(1)
    done, _ = ex.train_batches(X, Y, np.arange(batch, dtype=np.int64), 0, batch, 1, np.full(1, 0.01), losses,
                               spec.code, hp)
    assert done == 1 and losses[0] == pytest.approx(loss_t.item(), rel=1e-5)
    for name in weights:
        np.testing.assert_allclose(_to_torch(name, ex.view(name)), params[name].detach().numpy(),
                                   rtol=1e-4, atol=1e-5, err_msg=name)


# ----------------------------------------------------------------------------- ONNX and weights files

def _model(g, seed=0):
    m = Model(Design(g, validate_training({"seed": seed}), validate_data({})))
    rng = np.random.default_rng(seed + 1)
    for w in m.plan.weights:
        m.executor.view(w.name)[...] = rng.normal(0, 0.5, w.shape)
    return m


ONNX_DESIGNS = {
    "conv_max_conv_flatten": lambda: sequential(
        (7, 9, 2), ("Conv2D", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}),
        ("MaxPool2D", {"padding": "same"}), ("Conv2D", {"filters": 4, "kernel_size": 2, "padding": "valid"}),
        "ReLU", "Flatten", ("Dense", {"units": 3})),
    "reshape_conv5_avg_gap": lambda: sequential(
        (63,), ("Reshape", {"target_shape": "7, 9, 1"}),
        ("Conv2D", {"filters": 2, "kernel_size": 5, "strides": 2, "padding": "same", "use_bias": False}),
        ("AveragePool2D", {"pool_size": 2, "strides": 1, "padding": "same"}),
        ("MaxPool2D", {"pool_size": 3, "strides": 2, "padding": "same"}),
        "GlobalAveragePool2D", ("Dense", {"units": 2})),
}


@pytest.mark.parametrize("design", list(ONNX_DESIGNS))
def test_onnx_export_runs_in_onnxruntime_and_folds_transposes(tmp_path, design):
    import onnx
    import onnxruntime as ort
    from core.onnx_export import export_onnx
    model = _model(ONNX_DESIGNS[design]())
    X = np.random.default_rng(2).normal(size=(17, model.plan.n_features)).astype(np.float32)
    path = tmp_path / "m.onnx"
    export_onnx(model, path)
    proto = onnx.load(str(path))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(["output"], {"input": X})[0]
    np.testing.assert_allclose(got, model.predict(X), rtol=1e-5, atol=1e-5)
    kinds = [n.op_type for n in proto.graph.node]
    # Back-to-back image ops read each other's NCHW tensors: one transpose in, one out.
    assert kinds.count("Transpose") == (2 if design == "conv_max_conv_flatten" else 1), kinds
    assert {"Conv", "MaxPool"} <= set(kinds)
    if "avg" in design:
        pool = next(n for n in proto.graph.node if n.op_type == "AveragePool")
        assert {a.name: a for a in pool.attribute}["count_include_pad"].i == 0


@pytest.mark.parametrize("fmt", ["npz", "safetensors"])
def test_weights_file_imports_back_into_a_fresh_model(tmp_path, fmt):
    g = ONNX_DESIGNS["conv_max_conv_flatten"]
    model, fresh = _model(g(), seed=0), _model(g(), seed=7)
    X = np.random.default_rng(5).normal(size=(9, model.plan.n_features)).astype(np.float32)
    assert not np.allclose(fresh.predict(X), model.predict(X))
    path = tmp_path / f"w.{fmt}"
    export_weights(model, path)
    import_weights(fresh, path)
    np.testing.assert_array_equal(fresh.predict(X), model.predict(X))
    assert fresh.executor.view("conv2d1/kernel").shape == (3, 3, 2, 3)


# ----------------------------------------------------------------------------- initializers

def test_conv_kernel_initializers_use_keras_fans():
    """glorot_uniform's limit is sqrt(6 / (fan_in + fan_out)) with fan_in = kh·kw·C_in and
    fan_out = kh·kw·filters (Keras' compute_fans); he_uniform's sqrt(6 / fan_in)."""
    from core.initializers import fans, initialize
    assert fans((3, 5, 4, 7)) == (3 * 5 * 4, 3 * 5 * 7)
    rng = np.random.default_rng(0)
    w = initialize("glorot_uniform", (3, 3, 16, 32), rng)
    limit = math.sqrt(6 / (9 * 16 + 9 * 32))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.98 * limit
    w = initialize("he_uniform", (5, 5, 2, 8), rng)
    limit = math.sqrt(6 / 50)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.98 * limit


# ----------------------------------------------------------------------------- CUDA (simulator)

_CUDA_PARITY = r"""
import numpy as np
from core.executor import Executor
from core.cuda_backend import CudaExecutor
from core.optimizers import OPTIMIZERS
from core.plan import compile_plan
import sys; sys.path.insert(0, "tests")
from helpers import sequential

g = sequential((5, 6, 2), ("Conv2D", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}), "ReLU",
               ("MaxPool2D", {"pool_size": 2, "strides": 1, "padding": "same"}),
               ("Conv2D", {"filters": 2, "kernel_size": 2, "padding": "valid"}),
               ("AveragePool2D", {"pool_size": 2, "padding": "same"}), "GlobalAveragePool2D",
               ("Dense", {"units": 2}))
plan = compile_plan(g, "mse")
rng = np.random.default_rng(0)
X = rng.normal(size=(6, 60)).astype(np.float32)
Y = rng.normal(size=(6, 2)).astype(np.float32)
cpu, gpu = Executor(plan, 3), CudaExecutor(plan, 3)
cpu.init_weights(2); gpu.init_weights(2)
spec = OPTIMIZERS.get("adam")
hp = spec.hyper_vector(spec.params.resolve({}))
for ex in (cpu, gpu):
    losses = np.zeros(1)
    done, status = ex.train_batches(X, Y, np.arange(6, dtype=np.int64), 3, 3, 1, np.full(1, 0.05), losses,
                                    spec.code, hp)
    assert (done, status) == (1, 0), (done, status)
    ex.losses = losses
np.testing.assert_allclose(gpu.losses, cpu.losses, rtol=1e-4, atol=1e-6)
for w in plan.weights:
    np.testing.assert_allclose(gpu.view(w.name, gpu.grads), cpu.view(w.name, cpu.grads), rtol=1e-4, atol=1e-5,
                               err_msg=w.name)
    np.testing.assert_allclose(gpu.view(w.name), cpu.view(w.name), rtol=1e-4, atol=1e-5, err_msg=w.name)
np.testing.assert_allclose(gpu.predict(X[:3]), cpu.predict(X[:3]), rtol=1e-4, atol=1e-5)
print("ok")
"""


def test_cuda_executor_trains_a_conv_design_as_the_cpu_does_on_the_simulator():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    r = subprocess.run([sys.executable, "-c", _CUDA_PARITY], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]


# ----------------------------------------------------------------------------- threads

def test_two_threads_give_the_one_thread_gradients():
    """A layer above the kernels' parallel threshold (64·8·8·72·16 multiply-adds) runs its
    batch-split path through the engine: the same loss and gradients as one thread."""
    from core.executor import Executor
    from core.plan import compile_plan
    g = sequential((8, 8, 8), ("Conv2D", {"filters": 16, "padding": "same"}), "ReLU", ("MaxPool2D", {}),
                   ("Conv2D", {"filters": 16, "padding": "same"}), "Flatten", ("Dense", {"units": 3}))
    plan = compile_plan(g, "mse")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 512)).astype(np.float32)
    Y = rng.normal(size=(64, 3)).astype(np.float32)
    results = []
    for threads in (1, 2):
        ex = Executor(plan, 64, np.float32, threads=threads)
        ex.init_weights(1)
        loss = ex.loss_and_gradients(X, Y)
        results.append((loss, ex.grads.copy()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-6)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-4, atol=1e-6)
    assert np.abs(results[0][1]).max() > 1e-4
