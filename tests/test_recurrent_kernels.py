"""SimpleRNN / LSTM / GRU kernels (core/kernels/recurrent.py) against central finite differences
(float64) and against PyTorch nn.RNN / nn.LSTM / nn.GRU (float32, batch_first): forward, every
gradient, one Adam step, and the per-time-step gradient norms ‖∂L/∂h_t‖ against the .grad of the
h_t of torch cells unrolled by hand (the total derivative: through y_t and every later step)."""
import numpy as np
import pytest
import torch

from core.kernels import recurrent as R
from core.kernels.opcodes import ACT_RELU, ACT_TANH, OPT_ADAM
from core.kernels.optim import HP_BETA1, HP_BETA2, HP_EPS, apply_update
from core.threads import configure_threading_layer

# The kernels link the parallel GEMM panels: loaded from numba's cache, they need the threading
# layer started first (the engine does this; a bare process calling a cached kernel crashes).
configure_threading_layer()

# kind → (gate count G, Keras→torch conversion, torch→Keras conversion)
KINDS = {
    "rnn_tanh": (1, R.keras_to_torch_simple_rnn, R.torch_to_keras_simple_rnn),
    "rnn_relu": (1, R.keras_to_torch_simple_rnn, R.torch_to_keras_simple_rnn),
    "lstm": (4, R.keras_to_torch_lstm, R.torch_to_keras_lstm),
    "gru": (3, R.keras_to_torch_gru, R.torch_to_keras_gru),
}


def _bias_size(kind, h):
    G = KINDS[kind][0]
    return 2 * G * h if kind == "gru" else G * h


def _weights(kind, F, h, dtype, rng):
    G = KINDS[kind][0]
    W = rng.uniform(-0.6, 0.6, (F, G * h))
    U = rng.uniform(-0.4, 0.4, (h, G * h))
    b = rng.uniform(-0.3, 0.3, _bias_size(kind, h))
    return W.astype(dtype), U.astype(dtype), b.astype(dtype)


def _sizes(kind, n, T, h):
    if kind == "lstm":
        return R.lstm_aux_size(T, h), R.lstm_scratch_size(n, h)
    if kind == "gru":
        return R.gru_aux_size(T, h), R.gru_scratch_size(n, h)
    return R.simple_rnn_aux_size(T, h), R.simple_rnn_scratch_size(n, h)


def forward(kind, x, W, U, b, T, h, ret, use_bias=True):
    n = x.shape[0]
    aux_size, scratch_size = _sizes(kind, n, T, h)
    # NaN-filled buffers: a kernel reading memory it did not write shows up in the results.
    aux = np.full(n * aux_size, np.nan, x.dtype)
    scratch = np.full(scratch_size, np.nan, x.dtype)
    y = np.full((n, T * h if ret else h), np.nan, x.dtype)
    if kind == "lstm":
        R.lstm_forward(x, W, U, b, use_bias, ret, y, aux, scratch, 1)
    elif kind == "gru":
        R.gru_forward(x, W, U, b, use_bias, ret, y, aux, scratch, 1)
    else:
        act = ACT_RELU if kind == "rnn_relu" else ACT_TANH
        R.simple_rnn_forward(x, W, U, b, use_bias, act, ret, y, aux, scratch, 1)
    return y, aux, scratch


def backward(kind, x, W, U, b, T, h, ret, dy, aux, scratch, use_bias=True, need_dw=True, need_dx=True,
             acc_dx=False, dx=None):
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dx = np.zeros_like(x) if dx is None else dx
    gnorm = np.zeros(T)
    if kind == "lstm":
        R.lstm_backward(x, W, U, use_bias, ret, dy, aux, dW, dU, db, need_dw, dx, need_dx, acc_dx, scratch,
                        gnorm, 1)
    elif kind == "gru":
        R.gru_backward(x, W, U, use_bias, ret, dy, aux, dW, dU, db, need_dw, dx, need_dx, acc_dx, scratch,
                       gnorm, 1)
    else:
        act = ACT_RELU if kind == "rnn_relu" else ACT_TANH
        R.simple_rnn_backward(x, W, U, use_bias, act, ret, dy, aux, dW, dU, db, need_dw, dx, need_dx, acc_dx,
                              scratch, gnorm, 1)
    return dx, dW, dU, db, gnorm


# ----------------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("ret", [True, False])
@pytest.mark.parametrize("kind", list(KINDS))
def test_gradients_match_central_differences(kind, ret):
    rng = np.random.default_rng(7)
    n, T, F, h = 2, 4, 3, 5
    x = rng.normal(size=(n, T * F))
    W, U, b = _weights(kind, F, h, np.float64, rng)
    g = rng.normal(size=(n, T * h if ret else h))

    def loss():
        return float(np.sum(g * forward(kind, x, W, U, b, T, h, ret)[0]))

    _, aux, scratch = forward(kind, x, W, U, b, T, h, ret)
    grads = backward(kind, x, W, U, b, T, h, ret, g, aux, scratch)[:4]
    eps = 1e-6
    for name, arr, grad in zip("x W U b".split(), (x, W, U, b), grads):
        num = np.zeros_like(arr)
        flat, nflat = arr.reshape(-1), num.reshape(-1)
        for k in range(flat.size):
            keep = flat[k]
            flat[k] = keep + eps
            up = loss()
            flat[k] = keep - eps
            down = loss()
            flat[k] = keep
            nflat[k] = (up - down) / (2 * eps)
        assert np.allclose(grad, num, rtol=1e-6, atol=1e-7), \
            f"{kind} d{name}: max error {np.abs(grad - num).max():.2e}"


# ----------------------------------------------------------------------------- PyTorch parity
def _torch_module(kind, F, h, W, U, b):
    if kind == "lstm":
        m = torch.nn.LSTM(F, h, batch_first=True)
    elif kind == "gru":
        m = torch.nn.GRU(F, h, batch_first=True)
    else:
        m = torch.nn.RNN(F, h, batch_first=True, nonlinearity="relu" if kind == "rnn_relu" else "tanh")
    wi, wh, bi, bh = KINDS[kind][1](W, U, b)
    with torch.no_grad():
        for p, v in zip((m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0), (wi, wh, bi, bh)):
            p.copy_(torch.from_numpy(np.ascontiguousarray(v, np.float32)))
    return m


def _close(ours, theirs, what, tol=1e-4):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    assert ours.shape == theirs.shape, what
    err = np.abs(ours - theirs).max() / max(1.0, np.abs(theirs).max())
    assert err <= tol, f"{what}: scaled max error {err:.2e}"


@pytest.mark.parametrize("T,n", [(1, 1), (1, 33), (37, 1), (37, 33)])
@pytest.mark.parametrize("ret", [True, False])
@pytest.mark.parametrize("kind", list(KINDS))
def test_forward_backward_and_adam_step_match_pytorch(kind, ret, T, n):
    rng = np.random.default_rng(T * 100 + n)
    F, h = 3, 5
    x = rng.normal(size=(n, T * F)).astype(np.float32)
    W, U, b = _weights(kind, F, h, np.float32, rng)
    m = _torch_module(kind, F, h, W, U, b)
    xt = torch.from_numpy(x.reshape(n, T, F).copy()).requires_grad_(True)
    out = m(xt)[0]
    out = out if ret else out[:, -1, :]
    y, aux, scratch = forward(kind, x, W, U, b, T, h, ret)
    _close(y, out.detach().numpy().reshape(n, -1), f"{kind} forward")

    g = rng.normal(size=y.shape).astype(np.float32)
    out.backward(torch.from_numpy(g.reshape(out.shape)))
    dx, dW, dU, db, _ = backward(kind, x, W, U, b, T, h, ret, g, aux, scratch)
    _close(dx, xt.grad.numpy().reshape(n, -1), f"{kind} dx")
    gwi, gwh, gbi, gbh = KINDS[kind][1](dW, dU, db)   # our gradients in torch's layout
    _close(gwi, m.weight_ih_l0.grad, f"{kind} d kernel")
    _close(gwh, m.weight_hh_l0.grad, f"{kind} d recurrent_kernel")
    _close(gbi, m.bias_ih_l0.grad, f"{kind} d input bias")
    if kind == "gru":
        _close(gbh, m.bias_hh_l0.grad, f"{kind} d recurrent bias")
    else:   # torch's second bias sits in the same sum: the same gradient as Keras' one bias
        _close(db, m.bias_hh_l0.grad, f"{kind} d bias (torch bias_hh)")

    # One Adam step: torch.optim.Adam on torch's parameters, the engine's Adam on ours.
    lr = 0.01
    torch.optim.Adam(m.parameters(), lr=lr).step()
    params = np.concatenate([W.ravel(), U.ravel(), b.ravel()])
    grads = np.concatenate([dW.ravel(), dU.ravel(), db.ravel()])
    state = (np.zeros_like(params), np.zeros_like(params))
    hp = np.zeros(8)
    hp[HP_BETA1], hp[HP_BETA2], hp[HP_EPS] = 0.9, 0.999, 1e-8
    segs = np.array([[0, params.size, 1, 0]], np.int64)
    assert apply_update(OPT_ADAM, hp, lr, 1, params, grads, state, segs, 1)
    W1 = params[:W.size].reshape(W.shape)
    U1 = params[W.size:W.size + U.size].reshape(U.shape)
    b1 = params[W.size + U.size:]
    wi, wh, bi, bh = KINDS[kind][1](W1, U1, b1)
    _close(wi, m.weight_ih_l0.detach(), f"{kind} kernel after Adam")
    _close(wh, m.weight_hh_l0.detach(), f"{kind} recurrent_kernel after Adam")
    _close(bi, m.bias_ih_l0.detach(), f"{kind} input bias after Adam")
    if kind == "gru":
        _close(bh, m.bias_hh_l0.detach(), f"{kind} recurrent bias after Adam")


def _unrolled_hidden_grads(kind, F, h, W, U, b, x, g, ret):
    """‖h_t.grad‖ per step, mean over the batch, from torch cells unrolled by hand."""
    n, T = x.shape[0], x.shape[1] // F
    if kind == "lstm":
        cell = torch.nn.LSTMCell(F, h)
    elif kind == "gru":
        cell = torch.nn.GRUCell(F, h)
    else:
        cell = torch.nn.RNNCell(F, h, nonlinearity="relu" if kind == "rnn_relu" else "tanh")
    wi, wh, bi, bh = KINDS[kind][1](W, U, b)
    with torch.no_grad():
        for p, v in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh), (wi, wh, bi, bh)):
            p.copy_(torch.from_numpy(np.ascontiguousarray(v, np.float32)))
    xt = torch.from_numpy(x.reshape(n, T, F).copy())
    gt = torch.from_numpy(g.reshape(n, T if ret else 1, h).copy())
    state = torch.zeros(n, h)
    cstate = torch.zeros(n, h)
    hs = []
    for t in range(T):
        if kind == "lstm":
            state, cstate = cell(xt[:, t], (state, cstate))
        else:
            state = cell(xt[:, t], state)
        state.retain_grad()
        hs.append(state)
    loss = sum((gt[:, t] * hs[t]).sum() for t in range(T)) if ret else (gt[:, 0] * hs[-1]).sum()
    loss.backward()
    return np.array([hs[t].grad.norm(dim=1).mean().item() for t in range(T)])


@pytest.mark.parametrize("ret", [True, False])
@pytest.mark.parametrize("kind", list(KINDS))
def test_gradient_norm_per_time_step_matches_torch_unrolled(kind, ret):
    rng = np.random.default_rng(3)
    n, T, F, h = 33, 37, 3, 5
    x = rng.normal(size=(n, T * F)).astype(np.float32)
    W, U, b = _weights(kind, F, h, np.float32, rng)
    y, aux, scratch = forward(kind, x, W, U, b, T, h, ret)
    g = rng.normal(size=y.shape).astype(np.float32)
    gnorm = backward(kind, x, W, U, b, T, h, ret, g, aux, scratch)[4]
    expected = _unrolled_hidden_grads(kind, F, h, W, U, b, x, g, ret)
    assert np.allclose(gnorm, expected, rtol=1e-4, atol=1e-7), np.abs(gnorm - expected).max()
    if not ret:   # only the last step has an upstream gradient: the norms fade going back in time
        assert gnorm[0] < gnorm[-1]


# ----------------------------------------------------------------------------- flags
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh"])
def test_flags_accumulate_dx_and_skip_untouched_outputs(kind):
    rng = np.random.default_rng(11)
    n, T, F, h = 3, 6, 4, 5
    x = rng.normal(size=(n, T * F))
    W, U, b = _weights(kind, F, h, np.float64, rng)
    g = rng.normal(size=(n, T * h))
    y, aux, scratch = forward(kind, x, W, U, b, T, h, True)
    dx_ref = backward(kind, x, W, U, b, T, h, True, g, aux, scratch)[0]

    start = rng.normal(size=x.shape)
    y, aux, scratch = forward(kind, x, W, U, b, T, h, True)
    dx, dW, dU, db, _ = backward(kind, x, W, U, b, T, h, True, g, aux, scratch, need_dw=False, acc_dx=True,
                                 dx=start.copy())
    assert np.allclose(dx, start + dx_ref, rtol=1e-12, atol=1e-12)
    assert not dW.any() and not dU.any() and not db.any()

    y, aux, scratch = forward(kind, x, W, U, b, T, h, True)
    dx, dW, *_ = backward(kind, x, W, U, b, T, h, True, g, aux, scratch, need_dx=False, dx=start.copy())
    assert np.array_equal(dx, start) and dW.any()


@pytest.mark.parametrize("kind", list(KINDS))
def test_without_bias_the_bias_is_ignored(kind):
    rng = np.random.default_rng(5)
    n, T, F, h = 2, 3, 3, 4
    x = rng.normal(size=(n, T * F))
    W, U, b = _weights(kind, F, h, np.float64, rng)
    y_nobias = forward(kind, x, W, U, b, T, h, True, use_bias=False)[0]
    y_zero = forward(kind, x, W, U, np.zeros_like(b), T, h, True)[0]
    assert np.allclose(y_nobias, y_zero, rtol=1e-14, atol=1e-14)
    assert not np.allclose(forward(kind, x, W, U, b, T, h, True)[0], y_zero)


def test_gru_conversion_swaps_the_z_and_r_blocks_both_ways():
    h, F = 2, 1
    kernel = np.array([[1, 1, 2, 2, 3, 3]], float)          # Keras blocks z=1, r=2, h=3
    bias = np.array([[10, 10, 20, 20, 30, 30], [40, 40, 50, 50, 60, 60]], float)
    wi, wh, bi, bh = R.keras_to_torch_gru(kernel, np.zeros((h, 3 * h)), bias)
    assert wi.shape == (3 * h, F) and list(wi[:, 0]) == [2, 2, 1, 1, 3, 3]   # torch [r z n]
    assert list(bi) == [20, 20, 10, 10, 30, 30] and list(bh) == [50, 50, 40, 40, 60, 60]
    k2, _, b2 = R.torch_to_keras_gru(wi, wh, bi, bh)
    assert np.array_equal(k2, kernel) and np.array_equal(b2, bias)


def _run_threads(kind, x, W, U, b, T, h, g, threads):
    n = x.shape[0]
    aux_size, scratch_size = _sizes(kind, n, T, h)
    aux, scratch = np.zeros(n * aux_size, x.dtype), np.zeros(scratch_size, x.dtype)
    y = np.zeros((n, T * h), x.dtype)
    dx, dW, dU, db, gnorm = np.zeros_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros_like(b), np.zeros(T)
    fw, bw = (R.lstm_forward, R.lstm_backward) if kind == "lstm" else (R.gru_forward, R.gru_backward)
    fw(x, W, U, b, True, True, y, aux, scratch, threads)
    bw(x, W, U, True, True, g, aux, dW, dU, db, True, dx, True, False, scratch, gnorm, threads)
    return y, dx, dW, dU, db, gnorm


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_threads_give_the_serial_result_bit_for_bit(kind):
    """At the bench's shape the all-steps GEMMs (h·n·T·G ≥ 2²²) take the parallel panels."""
    rng = np.random.default_rng(2)
    n, T, F, h = 32, 50, 8, 64
    x = rng.normal(size=(n, T * F)).astype(np.float32)
    W, U, b = _weights(kind, F, h, np.float32, rng)
    g = rng.normal(size=(n, T * h)).astype(np.float32)
    serial = _run_threads(kind, x, W, U, b, T, h, g, 1)
    parallel = _run_threads(kind, x, W, U, b, T, h, g, 2)
    for a, c in zip(serial, parallel):
        assert np.array_equal(a, c)
