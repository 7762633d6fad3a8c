"""Packed products (core/kernels/gemm.py, gemm_packed): bitwise the in-place tiles' result for
row-major B on shapes with every kind of tail (rows past MC, columns past NC and inside a strip,
the shared dimension past KC), through either of A's strides and with or without accumulation;
a transposed B agrees with NumPy; the parallel split equals the serial call bit for bit; nothing
outside C is written; and a Dense layer takes the packed route exactly where dense.py says."""
import numba
import numpy as np
import pytest

from core import threads
from core.kernels import gemm
from core.kernels.dense import (PACK_DX_MIN_ROWS, PACK_MIN_LD, PACK_MIN_ROWS, PARALLEL_MIN_MACS,
                                dense_backward, dense_forward)
from core.kernels.gemm import gemm_nn, gemm_nt, gemm_packed, gemm_packed_par

# (n, k, m): past MC and past KC with tails; past NC; single row/column/step; narrow strips
SHAPES = [(1, 1, 1), (9, 5, 17), (gemm.MC + 13, gemm.KC + 7, 33), (7, 2 * gemm.KC + 1, gemm.NC + 45),
          (gemm.MR * 3 + 1, 3, 70), (300, gemm.KC, 1)]


@pytest.fixture(autouse=True, scope="module")
def _two_threads():
    threads.configure_threading_layer()
    old = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    yield
    numba.set_num_threads(old)


def _operands(n, k, m, dtype, seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, k)).astype(dtype), rng.standard_normal((k, m)).astype(dtype),
            rng.standard_normal((n, m)).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n,k,m", SHAPES)
def test_packed_equals_the_in_place_tiles_bitwise(n, k, m, dtype):
    A, B, C0 = _operands(n, k, m, dtype, n + 7 * k + 13 * m)
    At = np.ascontiguousarray(A.T)                       # A read through its strides (dW = xᵀ·dy)
    for accumulate in (False, True):
        for src, a_rs, a_cs in ((A, k, 1), (At, 1, n)):
            tiles, packed = C0.copy(), C0.copy()
            gemm_nn(src, 0, a_rs, a_cs, B, 0, m, tiles, 0, m, n, k, m, accumulate)
            gemm_packed(src, 0, a_rs, a_cs, B, 0, m, 1, packed, 0, m, n, k, m, accumulate)
            np.testing.assert_array_equal(packed, tiles)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(packed, A @ B + C0, rtol=tol, atol=tol * k)


@pytest.mark.parametrize("n,k,m", SHAPES)
def test_packed_with_transposed_b_is_a_times_w_transposed(n, k, m):
    A, B, C0 = _operands(n, k, m, np.float64, 3 * n + k + m)
    W = np.ascontiguousarray(B.T)                        # m×k row-major: C = A·Wᵀ (dx = dy·Wᵀ)
    for accumulate in (False, True):
        C = C0.copy()
        gemm_packed(A, 0, k, 1, W, 0, 1, k, C, 0, m, n, k, m, accumulate)
        np.testing.assert_allclose(C, A @ W.T + (C0 if accumulate else 0), rtol=1e-12, atol=1e-12 * k)
        same_order = C0.copy()                           # the same FMA order as row-major B
        gemm_packed(A, 0, k, 1, B, 0, m, 1, same_order, 0, m, n, k, m, accumulate)
        np.testing.assert_array_equal(C, same_order)


@pytest.mark.parametrize("n,k,m", [(gemm.MC + 13, gemm.KC + 7, 33), (7, 2 * gemm.KC + 1, gemm.NC + 45),
                                   (70, 300, 70)])
@pytest.mark.parametrize("panels", [2, 3])
def test_parallel_packed_equals_serial_bitwise(n, k, m, panels):
    A, B, C0 = _operands(n, k, m, np.float32, 11)
    for b_rs, b_cs, Bsrc in ((m, 1, B), (1, k, np.ascontiguousarray(B.T))):
        serial, par = C0.copy(), C0.copy()
        gemm_packed(A, 0, k, 1, Bsrc, 0, b_rs, b_cs, serial, 0, m, n, k, m, True)
        gemm_packed_par(A, 0, k, 1, Bsrc, 0, b_rs, b_cs, par, 0, m, n, k, m, True, panels)
        np.testing.assert_array_equal(par, serial)


def test_packed_writes_only_its_output():
    """C inside a bigger buffer with a wider leading dimension: the gaps and both ends keep theirs."""
    n, k, m, ldc = 37, gemm.KC + 3, 45, 50
    A, B, _ = _operands(n, k, m, np.float32, 5)
    buf = np.full(5 + n * ldc + 5, 7.0, np.float32)
    gemm_packed(A, 0, k, 1, B, 0, m, 1, buf, 5, ldc, n, k, m, False)
    C = buf[5:5 + n * ldc].reshape(n, ldc)
    np.testing.assert_allclose(C[:, :m], A @ B, rtol=1e-4, atol=1e-3)
    assert (C[:, m:] == 7).all() and (buf[:5] == 7).all() and (buf[-5:] == 7).all()


def test_a_wide_dense_layer_takes_the_packed_route_on_any_thread_count():
    """W's rows ≥ PACK_MIN_LD apart, ≥ PACK_DX_MIN_ROWS rows in the batch and ≥ PACK_MIN_ROWS
    inputs (dW's rows): forward, dW and dx all packed;
    the forward equals the in-place tiles bit for bit, dx is dy·Wᵀ, and 2 threads equal 1."""
    n, k, m = PACK_DX_MIN_ROWS, PACK_MIN_ROWS + 1, PACK_MIN_LD + 3
    assert n * k * m >= PARALLEL_MIN_MACS
    rng = np.random.default_rng(2)
    x, W = rng.standard_normal((n, k)).astype(np.float32), rng.standard_normal((k, m)).astype(np.float32)
    b, dy = rng.standard_normal(m).astype(np.float32), rng.standard_normal((n, m)).astype(np.float32)
    outs = []
    for t in (1, 2):
        y = np.zeros((n, m), np.float32)
        dense_forward(x, W, b, True, y, False, t)
        dW, db, dx = np.zeros_like(W), np.zeros_like(b), np.zeros_like(x)
        dense_backward(x, W, dy, dW, db, True, True, dx, True, False, np.zeros(k * m, np.float32), False, t)
        outs.append((y, dW, db, dx))
    for a, b_ in zip(*outs):
        np.testing.assert_array_equal(a, b_)
    tiles = np.tile(b, (n, 1))
    gemm_nn(x, 0, k, 1, W, 0, m, tiles, 0, m, n, k, m, True)
    np.testing.assert_array_equal(outs[0][0], tiles)
    np.testing.assert_allclose(outs[0][1], x.T @ dy, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(outs[0][3], dy @ W.T, rtol=1e-4, atol=1e-3)
    in_place = np.zeros_like(x)                          # the dot-product tiles sum in another order
    gemm_nt(dy, 0, m, W, 0, m, in_place, 0, k, n, m, k, False)
    assert not np.array_equal(outs[0][3], in_place)
