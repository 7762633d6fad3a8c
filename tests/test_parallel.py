"""Parallel kernels: the panel-split products equal the serial ones (bitwise: each output is the
same FMA chain) on odd shapes with row and column tails, agree with NumPy to float tolerance, and
two Python threads running parallel kernels at once in one process neither crash nor disturb
each other (the threading layer; core/threads.py)."""
import threading

import numba
import numpy as np
import pytest

from core import threads
from core.kernels.dense import PARALLEL_MIN_MACS, dense_backward, dense_forward
from core.kernels.gemm import gemm_nn, gemm_nn_par, gemm_nt, gemm_nt_par

SHAPES = [(1, 1, 1), (7, 33, 5), (5, 7, 33), (129, 257, 65), (65, 3, 257), (33, 129, 1), (2, 1, 300)]


@pytest.fixture(autouse=True, scope="module")
def _two_threads():
    threads.configure_threading_layer()
    old = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    yield
    numba.set_num_threads(old)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n,k,m", SHAPES)
@pytest.mark.parametrize("panels", [2, 3])
def test_parallel_products_equal_serial_on_odd_shapes(n, k, m, panels, dtype):
    rng = np.random.default_rng(n * 1000 + k * 10 + m)
    A = rng.standard_normal((n, k)).astype(dtype)
    B = rng.standard_normal((k, m)).astype(dtype)
    Bt = np.ascontiguousarray(B.T)
    C0 = rng.standard_normal((n, m)).astype(dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    for accumulate in (False, True):
        serial, par = C0.copy(), C0.copy()
        gemm_nn(A, 0, k, 1, B, 0, m, serial, 0, m, n, k, m, accumulate)
        gemm_nn_par(A, 0, k, 1, B, 0, m, par, 0, m, n, k, m, accumulate, panels)
        np.testing.assert_array_equal(par, serial)
        np.testing.assert_allclose(par, A @ B + (C0 if accumulate else 0), rtol=tol, atol=tol * k)
        serial, par = C0.copy(), C0.copy()
        gemm_nt(A, 0, k, Bt, 0, k, serial, 0, m, n, k, m, accumulate)
        gemm_nt_par(A, 0, k, Bt, 0, k, par, 0, m, n, k, m, accumulate, panels)
        np.testing.assert_array_equal(par, serial)
        np.testing.assert_allclose(par, A @ B + (C0 if accumulate else 0), rtol=tol, atol=tol * k)


def test_parallel_product_through_strides_writes_only_its_output():
    """dW = xᵀ·dy reads A through its strides; an offset C inside a bigger buffer keeps the rest."""
    rng = np.random.default_rng(1)
    n, k, m = 37, 130, 70          # C is k×m (130×70): row panels of xᵀ
    x = rng.standard_normal((k, n)).astype(np.float32)
    dy = rng.standard_normal((k, m)).astype(np.float32)
    buf = np.full(5 + n * m + 5, 7.0, np.float32)
    gemm_nn_par(x, 0, 1, n, dy, 0, m, buf, 5, m, n, k, m, False, 2)
    np.testing.assert_allclose(buf[5:-5].reshape(n, m), x.T @ dy, rtol=1e-4, atol=1e-3)
    assert (buf[:5] == 7).all() and (buf[-5:] == 7).all()


def _dense_case(n, k, m, seed=0):
    rng = np.random.default_rng(seed)
    f = np.float32
    return (rng.standard_normal((n, k)).astype(f), rng.standard_normal((k, m)).astype(f),
            rng.standard_normal(m).astype(f), rng.standard_normal((n, m)).astype(f))


@pytest.mark.parametrize("n,k,m", [(64, 257, 300), (200, 601, 40)])   # both ≥ PARALLEL_MIN_MACS
def test_dense_layer_with_threads_equals_one_thread(n, k, m):
    assert n * k * m >= PARALLEL_MIN_MACS
    x, W, b, dy = _dense_case(n, k, m)
    outs = []
    for t in (1, 2):
        y = np.zeros((n, m), np.float32)
        dense_forward(x, W, b, True, y, False, t)
        dW, db, dx = np.zeros_like(W), np.zeros_like(b), np.zeros_like(x)
        dense_backward(x, W, dy, dW, db, True, True, dx, True, False, np.zeros(k * m, np.float32), False, t)
        outs.append((y, dW, db, dx))
    for a, b_ in zip(*outs):
        np.testing.assert_array_equal(a, b_)
    np.testing.assert_allclose(outs[1][0], x @ W + b, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(outs[1][3], dy @ W.T, rtol=1e-4, atol=1e-3)


def test_two_python_threads_run_parallel_kernels_at_once():
    """Both threads launch parallel regions concurrently (nogil kernels) many times; each result
    must equal its lone serial one. The `workqueue` layer aborts the process here."""
    cases = [_dense_case(96, 300, 260, seed) for seed in (2, 3)]
    expected = []
    for x, W, b, _ in cases:
        y = np.zeros((x.shape[0], W.shape[1]), np.float32)
        dense_forward(x, W, b, True, y, False, 1)
        expected.append(y)
    errors, barrier = [], threading.Barrier(2)

    def work(i):
        try:
            numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
            x, W, b, _ = cases[i]
            y = np.zeros_like(expected[i])
            barrier.wait()
            for _ in range(30):
                dense_forward(x, W, b, True, y, False, 2)
                if not np.array_equal(y, expected[i]):
                    errors.append(f"thread {i}: result differs")
                    return
        except Exception as e:          # noqa: BLE001 (reported below)
            errors.append(f"thread {i}: {e!r}")

    workers = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert numba.threading_layer() in ("omp", "tbb")


def test_physical_cores_and_resolution():
    n = threads.physical_cores()
    assert 1 <= n <= (__import__("os").cpu_count() or 1)
    assert threads.resolve_threads(0) == min(n, threads.max_threads())
    assert threads.resolve_threads(1) == 1
    assert threads.resolve_threads(10_000) == threads.max_threads()
    assert threads.apply_threads(1) == 1 and numba.get_num_threads() == 1


def test_cpuinfo_counts_smt_siblings_once(tmp_path, monkeypatch):
    """Two physical cores with two hardware threads each: 4 logical CPUs, 2 cores."""
    text = "".join(f"processor\t: {p}\nphysical id\t: 0\ncore id\t\t: {p // 2}\n\n" for p in range(4))
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: real_open(
        tmp_path / "cpuinfo", *a, **k) if path == "/proc/cpuinfo" else real_open(path, *a, **k))
    (tmp_path / "cpuinfo").write_text(text)
    assert threads._cpuinfo_cores() == 2


@pytest.mark.parametrize("code_name", ["adam", "sgd", "rmsprop", "adagrad"])
def test_parallel_optimizer_update_equals_serial(code_name):
    """A run of weights above PARALLEL_MIN_WEIGHTS (odd length: unequal chunks) updated in chunks
    gives the serial update bit for bit, and the finiteness check agrees, also on a bad update."""
    from core.kernels.optim import PARALLEL_MIN_WEIGHTS, apply_update, update_is_finite
    from core.optimizers import OPTIMIZERS
    spec = OPTIMIZERS.get(code_name)
    hp = spec.hyper_vector(spec.params.resolve({"learning_rate": 0.01, **({"momentum": 0.9}
                                                                         if code_name == "sgd" else {})}))
    n = PARALLEL_MIN_WEIGHTS + 4465
    rng = np.random.default_rng(7)
    segs = np.array([[0, 1000, 1, 0, 0], [1000, n - 1000, 1, 0, 0]], np.int64)   # one run of two weights
    p0 = rng.standard_normal(n).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    st0 = np.abs(rng.standard_normal((2, n))).astype(np.float32)
    outs = []
    for t in (1, 2, 3):
        p, st = p0.copy(), st0.copy()
        assert update_is_finite(spec.code, hp, 0.01, 2, p, g, st, segs, t)
        assert apply_update(spec.code, hp, 0.01, 2, p, g, st, segs, t)
        outs.append((p, st))
    for p, st in outs[1:]:
        np.testing.assert_array_equal(p, outs[0][0])
        np.testing.assert_array_equal(st, outs[0][1])
    assert not np.array_equal(outs[0][0], p0)
    g_bad = g.copy()
    g_bad[n - 3] = np.inf                      # in the last chunk
    assert not update_is_finite(spec.code, hp, 0.01, 2, p0.copy(), g_bad, st0.copy(), segs, 2)


def _wide_model(seed: int, threads_setting: int = 2):
    """A net whose hidden product (64·256·256 multiply-adds) and first weight run (65 792) are at
    the parallel thresholds, so its kernels and optimizer really run on threads."""
    from core.data import PreparedData, Scaler
    from core.designfile import Design
    from core.model import Model
    from core.settings import validate_data, validate_training
    from tests.helpers import sequential
    g = sequential((256,), ("Dense", {"units": 256}), "ReLU", ("Dense", {"units": 4}), "Softmax")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((384, 256))
    y = (X[:, :4].argmax(1)).reshape(-1, 1).astype(np.float64)
    data = PreparedData(X, y, None, None, None, None, Scaler("none").fit(X), "multiclass", 4, name="wide")
    training = validate_training({"loss": {"name": "sparse_categorical_crossentropy", "params": {}},
                                  "optimizer": {"name": "adam", "params": {"learning_rate": 0.01}},
                                  "batch_size": 64, "epochs": 3, "seed": seed, "threads": threads_setting})
    return Model(Design(g, training, validate_data({"validation_split": 0.0})), data)


def test_two_trainings_at_once_in_one_process_equal_each_alone():
    from core.kernels.dense import PARALLEL_MIN_MACS
    from core.kernels.optim import PARALLEL_MIN_WEIGHTS
    assert 64 * 256 * 256 >= PARALLEL_MIN_MACS and 256 * 256 + 256 >= PARALLEL_MIN_WEIGHTS
    alone = []
    for seed in (0, 1):
        m = _wide_model(seed)
        m.fit(collect_stats=False)
        alone.append(m.executor.params.copy())
    serial = _wide_model(0, threads_setting=1)
    serial.fit(collect_stats=False)
    np.testing.assert_array_equal(serial.executor.params, alone[0])     # threads change nothing
    models = [_wide_model(0), _wide_model(1)]
    errors, barrier = [], threading.Barrier(2)

    def train(m):
        try:
            barrier.wait()
            m.fit(collect_stats=False)
        except Exception as e:          # noqa: BLE001 (reported below)
            errors.append(repr(e))

    workers = [threading.Thread(target=train, args=(m,)) for m in models]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    for m, expected in zip(models, alone):
        np.testing.assert_array_equal(m.executor.params, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parallel_activations_equal_serial(dtype):
    from core.kernels.activations import act_backward, act_backward_par, act_forward, act_forward_par
    from core.kernels.opcodes import ACT_RELU, ACT_SIGMOID, ACT_TANH
    rng = np.random.default_rng(5)
    n = 1001 * 7                                   # odd: unequal slices
    x = rng.standard_normal(n).astype(dtype)
    dy = rng.standard_normal(n).astype(dtype)
    for code in (ACT_RELU, ACT_TANH, ACT_SIGMOID):
        y1, y2 = np.zeros_like(x), np.zeros_like(x)
        act_forward(code, 0.0, x, y1)
        act_forward_par(code, 0.0, x, y2, 3)
        np.testing.assert_array_equal(y1, y2)
        for acc in (False, True):
            d1, d2 = np.ones_like(x), np.ones_like(x)
            act_backward(code, 0.0, x, y1, dy, d1, acc)
            act_backward_par(code, 0.0, x, y1, dy, d2, acc, 3)
            np.testing.assert_array_equal(d1, d2)
    np.testing.assert_array_equal(y1 > 0, True)   # sigmoid output, last code: positive everywhere


def _one_and_two_threads(g, seed):
    """Two Adam steps of batch 256 on 1 and on 2 threads: (losses, weights, predictions, RNG state)
    of each, for the caller to compare."""
    from core.optimizers import OPTIMIZERS
    from tests.helpers import make_executor
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((512, 64)).astype(np.float32)
    Y = rng.standard_normal((512, 3)).astype(np.float32)
    spec = OPTIMIZERS.get("adam")
    hp = spec.hyper_vector(spec.params.resolve({"learning_rate": 0.01}))
    results = []
    for t in (1, 2):
        ex = make_executor(g, max_batch=256, dtype=np.float32)
        ex.init_weights(0)
        ex.threads = t
        losses = np.zeros(2)
        ex.train_batches(X, Y, np.arange(512, dtype=np.int64), 0, 256, 2, np.full(2, 0.01), losses, spec.code, hp)
        results.append((losses, ex.params.copy(), ex.predict(X), ex.rng.copy()))
    assert np.isfinite(results[0][0]).all()
    return results


def test_a_training_step_with_every_parallel_path_equals_one_thread():
    """Batch 256 through a 1024-wide ReLU layer: products, the activation (262 144 elements) and
    the first weight run (66 560) are all over their thresholds; 2 threads equal 1 bit for bit."""
    from core.kernels.activations import PARALLEL_MIN_ELEMENTS
    from tests.helpers import sequential
    assert 256 * 1024 >= PARALLEL_MIN_ELEMENTS
    g = sequential((64,), ("Dense", {"units": 1024}), "ReLU", ("Dense", {"units": 3}))
    for a, b in zip(*_one_and_two_threads(g, 3)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n,w,chunks", [(7, 1001, 3), (300, 35, 2), (5, 17, 4), (3, 40, 2)])
def test_parallel_normalisation_equals_serial(n, w, chunks, dtype):
    """BatchNorm in column ranges, LayerNorm in row ranges (its γ/β sums in column ranges), on
    widths that are not multiples of the 16-column alignment and with more threads than ranges
    (5×17 on 4: the last chunks are empty): every output, statistic and gradient bit for bit."""
    from core.kernels import norm
    rng = np.random.default_rng(n * w + chunks)
    x = rng.standard_normal((n, w)).astype(dtype)
    dy = rng.standard_normal((n, w)).astype(dtype)
    gamma, beta = rng.standard_normal(w).astype(dtype), rng.standard_normal(w).astype(dtype)
    mm0, mv0 = rng.standard_normal(w).astype(dtype), rng.random(w).astype(dtype) + 0.5

    def bn(par, training):
        out = [np.zeros((n, w), dtype), mm0.copy(), mv0.copy(), np.zeros((n, w), dtype), np.zeros(w, dtype),
               np.zeros(w, dtype)]
        y, mm, mv, xhat, mean, invstd = out
        args = (x, y, gamma, beta, mm, mv, xhat, mean, invstd, True, True, 1e-3, 0.9, training)
        norm.batchnorm_forward_par(*args, chunks) if par else norm.batchnorm_forward(*args, 0, w)
        grads = [np.zeros(w, dtype) for _ in range(4)] + [np.ones((n, w), dtype)]
        s_dy, s_dyh, dgamma, dbeta, dx = grads
        for acc in (False, True):
            bargs = (dy, xhat, gamma, invstd, s_dy, s_dyh, dgamma, dbeta, True, True, True, dx, True, acc, training)
            norm.batchnorm_backward_par(*bargs, chunks) if par else norm.batchnorm_backward(*bargs, 0, w)
        return out + grads

    def ln(par):
        y, xhat, invstd = np.zeros((n, w), dtype), np.zeros((n, w), dtype), np.zeros(n, dtype)
        args = (x, y, gamma, beta, xhat, invstd, 1e-5)
        norm.layernorm_forward_par(*args, chunks) if par else norm.layernorm_forward(*args, 0, n)
        dgamma, dbeta, dx = np.zeros(w, dtype), np.zeros(w, dtype), np.ones((n, w), dtype)
        for acc in (False, True):
            bargs = (dy, xhat, gamma, invstd, dgamma, dbeta, True, dx, True, acc)
            norm.layernorm_backward_par(*bargs, chunks) if par else norm.layernorm_backward(*bargs, 0, w, 0, n)
        return [y, xhat, invstd, dgamma, dbeta, dx]

    for training in (True, False):
        for a, b in zip(bn(False, training), bn(True, training)):
            np.testing.assert_array_equal(a, b)
    serial, par = ln(False), ln(True)
    for a, b in zip(serial, par):
        np.testing.assert_array_equal(a, b)
    # and the serial kernels are right: LayerNorm's x̂ has mean 0 and variance ≈ 1 per row
    np.testing.assert_allclose(serial[1].mean(axis=1), 0, atol=1e-5)


@pytest.mark.parametrize("block", ["BatchNorm", "LayerNorm"])
def test_a_normalised_training_step_on_two_threads_equals_one_thread(block):
    """Batch 256 through a 2048-wide Dense → norm → ReLU: the normalisation's 524 288 elements are
    over its threshold, so two threads split it; losses, weights (γ, β, moving statistics) and
    predictions equal one thread's bit for bit."""
    from core.kernels.norm import PARALLEL_MIN_ELEMENTS
    from tests.helpers import sequential
    assert 256 * 2048 >= PARALLEL_MIN_ELEMENTS
    g = sequential((64,), ("Dense", {"units": 2048}), block, "ReLU", ("Dense", {"units": 3}))
    for a, b in zip(*_one_and_two_threads(g, 4)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_masks_are_the_sequential_stream_on_any_thread_count(dtype):
    """Element i's keep/drop is the (i+1)-th uniform draw from the state at the call, drawn one
    by one (rng.uniform, the stream before draws became counter-based), and the state advances
    past all of them; on 1, 2 and 3 threads, above and below the parallel threshold."""
    from core.kernels.dropout import PARALLEL_MIN_ELEMENTS, alpha_dropout_forward, dropout_forward
    from core.kernels.rng import make_state, uniform
    for size in (1001, PARALLEL_MIN_ELEMENTS + 7):
        x = np.random.default_rng(size).standard_normal(size).astype(dtype)
        state = make_state(11)
        draws = np.array([uniform(state) for _ in range(size)])
        rate = 0.3
        keep = np.where(draws >= rate, 1.0 / (1.0 - rate), 0.0)     # float64, as the kernel multiplies
        want_mask, want_y = keep.astype(dtype), (x * keep).astype(dtype)
        for chunks in (1, 2, 3):
            rng = make_state(11)
            y, mask = np.zeros_like(x), np.zeros_like(x)
            dropout_forward(x, y, mask, rate, True, True, rng, chunks)
            np.testing.assert_array_equal(mask, want_mask)
            np.testing.assert_array_equal(y, want_y)
            assert rng[0] == state[0]
            rng = make_state(11)
            y2, dydx = np.zeros_like(x), np.zeros_like(x)
            alpha_dropout_forward(x, y2, dydx, rate, True, rng, chunks)
            np.testing.assert_array_equal(dydx != 0, draws >= rate)
            assert rng[0] == state[0]
            if chunks == 1:
                alpha_serial = y2
            np.testing.assert_array_equal(y2, alpha_serial)


def test_a_dropout_training_step_on_two_threads_equals_one_thread():
    """Batch 256 through a 1024-wide Dense → Dropout → ReLU: the mask's 262 144 draws split over
    two threads; losses, weights and predictions equal one thread's bit for bit."""
    from core.kernels.dropout import PARALLEL_MIN_ELEMENTS
    from tests.helpers import sequential
    assert 256 * 1024 >= PARALLEL_MIN_ELEMENTS
    g = sequential((64,), ("Dense", {"units": 1024}), ("Dropout", {"rate": 0.5}), "ReLU", ("Dense", {"units": 3}))
    for a, b in zip(*_one_and_two_threads(g, 6)):
        np.testing.assert_array_equal(a, b)


def test_without_a_thread_safe_layer_the_engine_stays_serial(monkeypatch):
    """Neither omp nor tbb loads (e.g. no OpenMP runtime): one thread everywhere, so no parallel
    region runs and numba's unsafe workqueue layer is never entered from two threads."""
    from numba.np.ufunc import parallel
    tried = []

    def no_layer():
        tried.append(numba.config.THREADING_LAYER)
        raise ValueError("No threading layer could be loaded.")
    monkeypatch.delenv("NUMBA_THREADING_LAYER", raising=False)
    monkeypatch.setattr(numba.config, "THREADING_LAYER", numba.config.THREADING_LAYER)
    monkeypatch.setattr(parallel, "_launch_threads", no_layer)
    monkeypatch.setattr(threads, "_layer_configured", False)
    monkeypatch.setattr(threads, "_serial_only", False)
    assert threads.max_threads() == 1 and threads.resolve_threads(0) == 1 and threads.resolve_threads(8) == 1
    assert tried == ["omp", "tbb"]
