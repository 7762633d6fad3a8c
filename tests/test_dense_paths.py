"""Dense uses plain loops for tiny products and BLAS above SMALL_GEMM: both must agree with NumPy."""
import numpy as np
import pytest

from core.kernels.dense import SMALL_GEMM, dense_backward, dense_forward


@pytest.mark.parametrize("n,k,m", [(10, 2, 8), (4, 16, 8), (32, 64, 64), (7, 40, 33)])
@pytest.mark.parametrize("acc", [False, True])
def test_dense_kernels_match_numpy_on_both_paths(n, k, m, acc):
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(n, k)), rng.normal(size=(k, m)), rng.normal(size=m)
    dy = rng.normal(size=(n, m))
    y = np.empty((n, m))
    dense_forward(x, W, b, True, y)
    np.testing.assert_allclose(y, x @ W + b, rtol=1e-12, atol=1e-12)
    dW, db, dx0 = np.empty_like(W), np.empty_like(b), rng.normal(size=(n, k))
    dx = dx0.copy()
    dense_backward(x, W, dy, dW, db, True, True, dx, True, acc, np.empty_like(dx))
    np.testing.assert_allclose(dW, x.T @ dy, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, dy.sum(0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, (dx0 if acc else 0) + dy @ W.T, rtol=1e-12, atol=1e-12)


def test_both_paths_are_exercised():
    assert 10 * 2 * 8 <= SMALL_GEMM < 32 * 64 * 64
