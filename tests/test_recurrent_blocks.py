"""The recurrent blocks (SimpleRNN, LSTM, GRU) and Dense on the last axis of a sequence, through the
whole engine: Keras' parameter counts, finite differences in float64, PyTorch parity (nn.RNN /
nn.LSTM / nn.GRU + nn.Linear: forward, every gradient, one Adam step), the per-time-step gradient
norms against torch's own h_t.grad, ONNX export in onnxruntime, weights round trip, the orthogonal
initializer, and the CUDA pre-flight refusal."""
from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

from core.blocks import get_block
from core.blocks.recurrent import recurrent_nodes, time_gradient_norms
from core.cuda_backend import cuda_refusal
from core.designfile import Design
from core.executor import Executor
from core.initializers import initialize
from core.kernels.recurrent import keras_to_torch_gru, keras_to_torch_lstm, keras_to_torch_simple_rnn
from core.onnx_export import build_onnx
from core.optimizers import OPTIMIZERS
from core.plan import compile_plan
from core.settings import validate_data, validate_training
from core.weights import load_weights, save_weights
from tests.helpers import gradcheck, make_executor, node_of, randomize_weights, rel_error, sequential

KINDS = ("SimpleRNN", "LSTM", "GRU")
TORCH_RNN = {"SimpleRNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}
TORCH_CELL = {"SimpleRNN": torch.nn.RNNCell, "LSTM": torch.nn.LSTMCell, "GRU": torch.nn.GRUCell}
TO_TORCH = {"SimpleRNN": keras_to_torch_simple_rnn, "LSTM": keras_to_torch_lstm, "GRU": keras_to_torch_gru}


# ---------------------------------------------------------------------------- shapes and counts
@pytest.mark.parametrize("T, F, h", [(7, 3, 5), (1, 1, 1), (50, 8, 64)])
def test_parameter_counts_are_keras_summary_counts(T, F, h):
    # Keras: SimpleRNN h·(F + h + 1); LSTM 4 gates of that; GRU reset_after=True 3·h·(F + h + 2)
    # (two bias rows). Written out by hand, not from the weight specs.
    want = {"SimpleRNN": h * F + h * h + h, "LSTM": 4 * (h * F + h * h + h), "GRU": 3 * (h * F + h * h + 2 * h)}
    for kind in KINDS:
        g = sequential((T, F), (kind, {"units": h}))
        counts = g.param_counts()
        assert counts[node_of(g, kind)] == (want[kind], 0), kind
        frozen = sequential((T, F), (kind, {"units": h, "trainable": False}))
        assert frozen.param_counts()[node_of(frozen, kind)] == (0, want[kind])
        no_bias = sequential((T, F), (kind, {"units": h, "use_bias": False}))
        G = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
        assert no_bias.param_counts()[node_of(no_bias, kind)] == (G * h * (F + h), 0)


def test_output_shapes_and_dense_on_the_last_axis():
    g = sequential((6, 4), ("LSTM", {"units": 5, "return_sequences": True}), ("GRU", {"units": 3}),
                   ("Dense", {"units": 2}))
    shapes = g.infer_shapes()
    assert shapes[node_of(g, "LSTM")] == (6, 5) and shapes[node_of(g, "GRU")] == (3,)
    assert shapes[node_of(g, "Dense")] == (2,)
    g2 = sequential((6, 4), ("SimpleRNN", {"units": 5, "return_sequences": True}), ("Dense", {"units": 3}))
    d = node_of(g2, "Dense")
    assert g2.infer_shapes()[d] == (6, 3)
    assert g2.param_counts()[d] == (5 * 3 + 3, 0)        # one (5, 3) kernel shared by the 6 steps (Keras)
    plan = compile_plan(g2, "mse")
    assert plan.output_width == 18
    assert [w.shape for w in plan.weights if w.node_id == d] == [(5, 3), (3,)]


def test_a_flat_input_is_refused_with_the_fix_named():
    from core.errors import ShapeMismatchError
    for kind in KINDS:
        with pytest.raises(ShapeMismatchError) as e:
            sequential((12,), (kind, {"units": 3}))
        msg = str(e.value)
        assert f"{kind} expects sequences (time steps, features)" in msg and "Reshape" in msg, msg


def test_keras_initial_weights():
    """recurrent_kernel orthogonal, kernel glorot_uniform, LSTM forget-gate bias 1 (unit_forget_bias)."""
    h, F = 6, 4
    for kind in KINDS:
        g = sequential((3, F), (kind, {"units": h}))
        ex = make_executor(g, max_batch=2, seed=3)
        nid = node_of(g, kind)
        U = ex.view(f"{nid}/recurrent_kernel")
        G = U.shape[1] // h
        np.testing.assert_allclose(U @ U.T, np.eye(h), atol=1e-6)   # h rows of length G·h: orthonormal rows
        W = ex.view(f"{nid}/kernel")
        assert np.abs(W).max() <= np.sqrt(6.0 / (F + G * h)) + 1e-7
        b = ex.view(f"{nid}/bias").reshape(-1)
        want = np.zeros_like(b)
        if kind == "LSTM":
            want[h:2 * h] = 1.0
        np.testing.assert_array_equal(b, want)
    off = make_executor(sequential((3, F), ("LSTM", {"units": h, "unit_forget_bias": False})), max_batch=2)
    assert not off.view("lstm1/bias").any()


# ---------------------------------------------------------------------------- orthogonal
@pytest.mark.parametrize("shape", [(5, 5), (7, 3), (3, 7), (2, 3, 4), (4,)])
def test_orthogonal_initializer_is_keras_qr_with_sign_correction(shape):
    W = initialize("orthogonal", shape, np.random.default_rng(11), {}, np.float64)
    assert W.shape == shape
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    M = W.reshape(rows, shape[-1])
    if rows <= shape[-1]:
        np.testing.assert_allclose(M @ M.T, np.eye(rows), atol=1e-12)      # orthonormal rows
    if rows >= shape[-1]:
        np.testing.assert_allclose(M.T @ M, np.eye(shape[-1]), atol=1e-12)  # orthonormal columns
    # Q is *the* Q of the normal draw A = Q·R with R's diagonal positive (Keras' sign correction).
    A = np.random.default_rng(11).standard_normal((max(rows, shape[-1]), min(rows, shape[-1])))
    Q = M if rows >= shape[-1] else M.T
    R = Q.T @ A
    np.testing.assert_allclose(np.tril(R, -1), 0.0, atol=1e-12)
    assert (np.diag(R) > 0).all()


# ---------------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("kind, extra", [("SimpleRNN", {}), ("SimpleRNN", {"activation": "relu"}),
                                         ("LSTM", {}), ("GRU", {})])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_gradients_equal_finite_differences(kind, extra, return_sequences):
    T, F, h, n = 4, 3, 3, 2
    g = sequential((T, F), (kind, {"units": h, "return_sequences": return_sequences, "l2": 0.01, **extra}),
                   ("Dense", {"units": 2}))
    ex = make_executor(g, max_batch=4)
    rng = np.random.default_rng(5)
    randomize_weights(ex, rng, 0.5)
    X = rng.standard_normal((n, T * F))
    Y = rng.standard_normal((n, 2 * T if return_sequences else 2))
    for name, (analytic, numeric) in gradcheck(ex, X, Y).items():
        assert rel_error(analytic, numeric) < 1e-7, (name, analytic, numeric)
    # and the gradient of the input (through a Dense in front, which gives it a weight gradient)
    g2 = sequential((T, F), ("Dense", {"units": 2}), (kind, {"units": h, **extra}), ("Dense", {"units": 1}))
    ex2 = make_executor(g2, max_batch=4)
    randomize_weights(ex2, rng, 0.5)
    for name, (analytic, numeric) in gradcheck(ex2, X, rng.standard_normal((n, 1)), names=["dense1/kernel"]).items():
        assert rel_error(analytic, numeric) < 1e-7, (name, analytic, numeric)


# ---------------------------------------------------------------------------- PyTorch parity
def _torch_model(kind, weights, nid, F, h, dense_w, dense_b):
    rnn = TORCH_RNN[kind](F, h, batch_first=True)
    lin = torch.nn.Linear(dense_w.shape[0], dense_w.shape[1])
    w_ih, w_hh, b_ih, b_hh = TO_TORCH[kind](weights[f"{nid}/kernel"], weights[f"{nid}/recurrent_kernel"],
                                            weights[f"{nid}/bias"])
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(w_ih))
        rnn.weight_hh_l0.copy_(torch.from_numpy(w_hh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b_ih))
        rnn.bias_hh_l0.copy_(torch.from_numpy(b_hh))
        lin.weight.copy_(torch.from_numpy(dense_w.T.copy()))
        lin.bias.copy_(torch.from_numpy(dense_b))
    if kind != "GRU":     # Keras' single bias = torch's bias_ih; bias_hh stays 0 (else Adam moves it twice)
        rnn.bias_hh_l0.requires_grad_(False)
    return rnn, lin


def _keras_grads_from_torch(kind, rnn):
    """Gradients of torch's parameters in Keras' layout (the conversions are linear, so they map
    gradients as they map weights)."""
    from core.kernels.recurrent import torch_to_keras_gru, torch_to_keras_lstm, torch_to_keras_simple_rnn
    back = {"SimpleRNN": torch_to_keras_simple_rnn, "LSTM": torch_to_keras_lstm, "GRU": torch_to_keras_gru}[kind]
    g = [p.grad.numpy() if p.grad is not None else np.zeros(p.shape, np.float32)
         for p in (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)]
    return back(*g)


def _assert_close(got, want, what, tol=1e-4):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    err = float(np.abs(got - want).max()) if got.size else 0.0
    assert err <= tol * max(1.0, float(np.abs(want).max())), f"{what}: max |diff| {err:.3g}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("T, n, return_sequences", [(1, 1, True), (1, 33, False), (37, 1, False), (37, 33, True)])
def test_forward_gradients_and_one_adam_step_equal_pytorch(kind, T, n, return_sequences):
    F, h, k, lr = 3, 5, 2, 0.01
    g = sequential((T, F), (kind, {"units": h, "return_sequences": return_sequences}), ("Dense", {"units": k}))
    nid, did = node_of(g, kind), node_of(g, "Dense")
    ex = make_executor(g, max_batch=n, dtype=np.float32, seed=2)
    rng = np.random.default_rng(T * 100 + n)
    randomize_weights(ex, rng, 0.4)
    w0 = ex.get_weights()
    X = rng.standard_normal((n, T * F)).astype(np.float32)
    Y = rng.standard_normal((n, k * T if return_sequences else k)).astype(np.float32)

    rnn, lin = _torch_model(kind, w0, nid, F, h, w0[f"{did}/kernel"], w0[f"{did}/bias"])
    seq, _ = rnn(torch.from_numpy(X).reshape(n, T, F))
    out = lin(seq).reshape(n, -1) if return_sequences else lin(seq[:, -1])
    loss = torch.nn.functional.mse_loss(out, torch.from_numpy(Y))
    loss.backward()

    _assert_close(ex.predict(X), out.detach().numpy(), f"{kind} forward")
    engine_loss = ex.loss_and_gradients(X, Y)
    assert abs(engine_loss - loss.item()) <= 1e-4 * max(1.0, abs(loss.item()))
    dW, dU, db = _keras_grads_from_torch(kind, rnn)
    _assert_close(ex.view(f"{nid}/kernel", ex.grads), dW, f"{kind} d kernel")
    _assert_close(ex.view(f"{nid}/recurrent_kernel", ex.grads), dU, f"{kind} d recurrent_kernel")
    _assert_close(ex.view(f"{nid}/bias", ex.grads), db if kind == "GRU" else rnn.bias_ih_l0.grad.numpy(),
                  f"{kind} d bias")
    _assert_close(ex.view(f"{did}/kernel", ex.grads), lin.weight.grad.numpy().T, "Dense d kernel")
    _assert_close(ex.view(f"{did}/bias", ex.grads), lin.bias.grad.numpy(), "Dense d bias")

    # One Adam step (core/optimizers.py follows torch.optim.Adam: ε after the bias correction).
    params = [p for p in (*rnn.parameters(), *lin.parameters()) if p.requires_grad]
    torch.optim.Adam(params, lr=lr).step()
    spec = OPTIMIZERS.get("adam")
    ex.set_weights(w0)
    done, _ = ex.train_batches(X, Y, np.arange(n, dtype=np.int64), 0, n, 1, np.full(1, lr), np.zeros(1), spec.code,
                               spec.hyper_vector(spec.params.resolve({})))
    assert done == 1
    from core.kernels.recurrent import torch_to_keras_gru, torch_to_keras_lstm, torch_to_keras_simple_rnn
    back = {"SimpleRNN": torch_to_keras_simple_rnn, "LSTM": torch_to_keras_lstm, "GRU": torch_to_keras_gru}[kind]
    W1, U1, b1 = back(*(p.detach().numpy() for p in (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0,
                                                     rnn.bias_hh_l0)))
    _assert_close(ex.view(f"{nid}/kernel"), W1, f"{kind} kernel after Adam")
    _assert_close(ex.view(f"{nid}/recurrent_kernel"), U1, f"{kind} recurrent_kernel after Adam")
    _assert_close(ex.view(f"{nid}/bias"), b1, f"{kind} bias after Adam")
    _assert_close(ex.view(f"{did}/kernel"), lin.weight.detach().numpy().T, "Dense kernel after Adam")


# ---------------------------------------------------------------------------- time-step gradients
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_time_gradient_norms_equal_torch_h_t_grad(kind, return_sequences):
    """‖∂L/∂h_t‖ (total derivative, mean over the batch) from a step-by-step torch loop whose h_t
    keep their .grad, against the engine's accessor after one backward pass."""
    T, F, h, n = 6, 3, 4, 3
    g = sequential((T, F), (kind, {"units": h, "return_sequences": return_sequences}), ("Dense", {"units": 2}))
    nid, did = node_of(g, kind), node_of(g, "Dense")
    ex = make_executor(g, max_batch=n, dtype=np.float64, seed=4)
    rng = np.random.default_rng(9)
    randomize_weights(ex, rng, 0.5)
    assert recurrent_nodes(ex.plan) == [nid]
    assert not time_gradient_norms(ex, nid).any()         # nothing written before a backward pass
    X = rng.standard_normal((n, T * F))
    Y = rng.standard_normal((n, 2 * T if return_sequences else 2))
    ex.loss_and_gradients(X, Y)
    got = time_gradient_norms(ex, nid)

    w = ex.get_weights()
    cell = TORCH_CELL[kind](F, h).double()
    w_ih, w_hh, b_ih, b_hh = TO_TORCH[kind](w[f"{nid}/kernel"], w[f"{nid}/recurrent_kernel"], w[f"{nid}/bias"])
    with torch.no_grad():
        for p, v in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh), (w_ih, w_hh, b_ih, b_hh)):
            p.copy_(torch.from_numpy(np.ascontiguousarray(v)))
    xs = torch.from_numpy(X).reshape(n, T, F)
    state = torch.zeros(n, h, dtype=torch.float64)
    c = torch.zeros(n, h, dtype=torch.float64)
    hs = []
    for t in range(T):
        if kind == "LSTM":
            state, c = cell(xs[:, t], (state, c))
        else:
            state = cell(xs[:, t], state)
        state.retain_grad()
        hs.append(state)
    Wd, bd = torch.from_numpy(w[f"{did}/kernel"]), torch.from_numpy(w[f"{did}/bias"])
    out = (torch.stack(hs, 1) @ Wd + bd).reshape(n, -1) if return_sequences else hs[-1] @ Wd + bd
    torch.nn.functional.mse_loss(out, torch.from_numpy(Y)).backward()
    want = np.array([hs[t].grad.norm(dim=1).mean().item() for t in range(T)])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    with pytest.raises(KeyError, match="not a SimpleRNN, LSTM or GRU"):
        time_gradient_norms(ex, did)


# ---------------------------------------------------------------------------- ONNX and weights
@pytest.mark.parametrize("kind, extra", [("SimpleRNN", {}), ("SimpleRNN", {"activation": "relu", "use_bias": False}),
                                         ("LSTM", {}), ("GRU", {}), ("GRU", {"use_bias": False})])
def test_onnx_export_matches_onnxruntime_and_weights_round_trip(tmp_path, kind, extra):
    T, F, n = 7, 3, 5
    g = sequential((T, F), (kind, {"units": 4, "return_sequences": True, **extra}), ("Dense", {"units": 3}),
                   (kind, {"units": 5, **extra}), ("Dense", {"units": 2}))
    plan = compile_plan(g, "mse")
    ex = Executor(plan, 8, np.float32)
    ex.init_weights(1)
    randomize_weights(ex, np.random.default_rng(2), 0.5)
    X = np.random.default_rng(3).standard_normal((n, T * F)).astype(np.float32)
    want = ex.predict(X)
    model = build_onnx(g, plan, ex.get_weights(), dtype="float32")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = sess.run(["output"], {"input": X})[0]
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)

    save_weights(tmp_path / "w.npz", ex.get_weights())
    loaded, _ = load_weights(tmp_path / "w.npz")
    ex2 = Executor(compile_plan(g, "mse"), 8, np.float32)
    ex2.init_weights(99)
    ex2.set_weights(loaded)
    np.testing.assert_array_equal(ex2.predict(X), want)


# ---------------------------------------------------------------------------- CUDA
def test_cuda_run_of_a_recurrent_design_is_refused_naming_the_block():
    from core.preflight import device_problems
    g = sequential((5, 2), ("LSTM", {"units": 3}), ("Dense", {"units": 1}))
    design = Design(g, validate_training({"device": "cuda"}), validate_data({}), name="lstm on cuda")
    plan = compile_plan(g, "mse")
    problems = device_problems(design, plan)
    assert [p.node_id for p in problems] == ["lstm1"]
    assert "LSTM is not available on the CUDA device" in str(problems[0])
    assert "LSTM (node 'lstm1')" in cuda_refusal(plan)
    assert get_block("GRU").group == get_block("SimpleRNN").group == "Recurrent"


def test_flat_dense_keeps_one_row_per_sample():
    plan = compile_plan(sequential((4,), ("Dense", {"units": 3})), "mse")
    from core.ops import op
    sc = op("dense").schema
    s = plan.step_nodes.index("dense1")
    assert plan.ops[s, sc.col("rows_per_sample")] == 1


_CUDA_SEQUENCE_DENSE = r"""
import numpy as np
from core.cuda_backend import CudaExecutor
from core.executor import Executor
from core.optimizers import OPTIMIZERS
from core.plan import compile_plan
from tests.helpers import sequential
g = sequential((4, 3), ("Dense", {"units": 5}), "Tanh", ("Dense", {"units": 2, "use_bias": False}))
plan = compile_plan(g, "mse")
rng = np.random.default_rng(0)
X = rng.normal(size=(6, 12)).astype(np.float32)
Y = rng.normal(size=(6, 8)).astype(np.float32)
cpu, gpu = Executor(plan, 4), CudaExecutor(plan, 4)
cpu.init_weights(1); gpu.init_weights(1)
spec = OPTIMIZERS.get("adam")
hp = spec.hyper_vector(spec.params.resolve({}))
for ex in (cpu, gpu):
    ex.losses = np.zeros(2)
    assert ex.train_batches(X, Y, np.arange(6, dtype=np.int64), 0, 3, 2, np.full(2, 0.05), ex.losses, spec.code,
                            hp) == (2, 0)
np.testing.assert_allclose(gpu.losses, cpu.losses, rtol=1e-4, atol=1e-6)
np.testing.assert_allclose(gpu.params, cpu.params, rtol=1e-4, atol=1e-5)
np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-4, atol=1e-5)
print("ok")
"""


def test_dense_on_a_sequence_on_the_cuda_simulator_equals_the_cpu():
    """Dense's CUDA launchers take n·T rows of F features as the CPU adapter does (simulator)."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "PYTHONPATH": str(root)}
    r = subprocess.run([sys.executable, "-c", _CUDA_SEQUENCE_DENSE], env=env, cwd=root, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]
