"""Dense on the tiled kernels: every tile shape (full strips, one vector, masked tails, row
remainders) and both dx paths (transposed W for narrow layers, dot products for wide ones) must
agree with NumPy, in float64 and float32."""
import numpy as np
import pytest

from core.kernels.dense import TRANSPOSE_MAX_WIDTH, dense_backward, dense_forward

SHAPES = [(1, 1, 1), (10, 2, 8), (10, 8, 1), (4, 16, 8), (7, 40, 33), (32, 64, 64), (9, 17, 100),
          (13, 70, 65), (33, 5, 129)]


@pytest.mark.parametrize("n,k,m", SHAPES)
@pytest.mark.parametrize("acc", [False, True])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_dense_kernels_match_numpy(n, k, m, acc, dtype, tol):
    rng = np.random.default_rng(n * 1000 + k * 10 + m)
    x, W, b = (rng.normal(size=s).astype(dtype) for s in ((n, k), (k, m), (m,)))
    dy = rng.normal(size=(n, m)).astype(dtype)
    x64, W64, dy64 = x.astype(np.float64), W.astype(np.float64), dy.astype(np.float64)
    y = np.empty((n, m), dtype)
    dense_forward(x, W, b, True, y)
    np.testing.assert_allclose(y, x64 @ W64 + b, rtol=tol, atol=tol * np.sqrt(k))
    dense_forward(x, W, b, False, y)
    np.testing.assert_allclose(y, x64 @ W64, rtol=tol, atol=tol * np.sqrt(k))
    dW, db, dx0 = np.empty_like(W), np.empty_like(b), rng.normal(size=(n, k)).astype(dtype)
    dx = dx0.copy()
    dense_backward(x, W, dy, dW, db, True, True, dx, True, acc, np.empty(k * m, dtype))
    np.testing.assert_allclose(dW, x64.T @ dy64, rtol=tol, atol=tol * np.sqrt(n))
    np.testing.assert_allclose(db, dy64.sum(0), rtol=tol, atol=tol * np.sqrt(n))
    np.testing.assert_allclose(dx, (dx0 if acc else 0) + dy64 @ W64.T, rtol=tol, atol=tol * np.sqrt(m))


def test_both_dx_paths_are_exercised():
    widths = {m for _, _, m in SHAPES}
    assert min(widths) <= TRANSPOSE_MAX_WIDTH < max(widths)


def test_kernels_touch_only_their_operands():
    """Views inside one arena (as the engine passes them): masked tails must not write past a row."""
    rng = np.random.default_rng(1)
    n, k, m = 5, 9, 13
    arena = np.full(1000, 7.0, np.float32)
    x = arena[100:100 + n * k].reshape(n, k)
    W = arena[200:200 + k * m].reshape(k, m)
    y = arena[500:500 + n * m].reshape(n, m)
    x[:] = rng.normal(size=(n, k))
    W[:] = rng.normal(size=(k, m))
    dense_forward(x, W, arena[:0], False, y)
    np.testing.assert_allclose(y, x.astype(np.float64) @ W, rtol=1e-5, atol=1e-5)
    untouched = np.ones(1000, bool)
    untouched[100:100 + n * k] = untouched[200:200 + k * m] = untouched[500:500 + n * m] = False
    assert (arena[untouched] == 7.0).all()


@pytest.mark.parametrize("acc", [False, True])
def test_blas_path_matches_the_own_kernels(acc):
    rng = np.random.default_rng(3)
    n, k, m = 9, 70, 65
    x, W, b, dy = (rng.normal(size=s) for s in ((n, k), (k, m), (m,), (n, m)))
    dx0 = rng.normal(size=(n, k))
    outs = []
    for blas in (False, True):
        y, dW, db, dx = np.empty((n, m)), np.empty((k, m)), np.empty(m), dx0.copy()
        dense_forward(x, W, b, True, y, blas)
        dense_backward(x, W, dy, dW, db, True, True, dx, True, acc, np.empty(max(k * m, n * k)), blas)
        outs.append((y, dW, db, dx))
    for own, blas in zip(*outs):
        np.testing.assert_allclose(blas, own, rtol=1e-12, atol=1e-12)
