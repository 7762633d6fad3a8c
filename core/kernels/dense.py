"""Dense forward/backward on the register-tiled kernels of ``gemm.py`` (nothing allocated per
step). ``blas`` sends a layer's products to BLAS instead — only for very large products on
machines with many cores, where a multi-threaded BLAS outruns one core (core/threads.py).

dx = dy·Wᵀ sums over the layer's output width m. When m is small (an output layer of 10 classes,
a playground layer of 8) the dot-product kernel spends its time reducing vector lanes, so W is
transposed into scratch (m·k elements, cheap next to n·k·m multiply-adds) and the outer-product
kernel runs instead; measured in ``bench/`` (GEMM rows) and ``tests/test_dense_paths.py``.

``threads`` > 1 splits products above PARALLEL_MIN_MACS into panels across that many threads
(the calling thread's numba thread count must allow them: core/threads.py sets it). Wide layers'
products go through packed copies of their operands (gemm_packed; PACK_MIN_LD says when).
"""
import numpy as np
from numba import njit

from .config import JIT
from .gemm import gemm_nn, gemm_nn_par, gemm_nt, gemm_nt_par, gemm_packed, gemm_packed_par

TRANSPOSE_MAX_WIDTH = 64   # output widths at or below which dx goes through a transposed W

# Products of at least this many multiply-adds run on `threads` threads (gemm.py, parallel
# panels); smaller ones stay serial. Derivation (bench/scaling.py --threshold prints the table):
# a parallel region costs a fork/join of a few µs on an idle machine (tens of µs when the cores
# are shared), and the serial kernels do ~50 GFLOP/s per core here, so a product must take
# ≳ 80 µs serially (≈ 2²² multiply-adds) before two halves of it beat one whole. Every product
# of the playground (W1, ≤ 10·8·8), the digits and W2 nets (≤ 32·64·64 = 1.3·10⁵) stays serial;
# W3's hidden layers (32·784·512 = 1.3·10⁷ and up) go parallel.
PARALLEL_MIN_MACS = 1 << 22


# Products of at least PARALLEL_MIN_MACS whose B rows are ≥ PACK_MIN_LD elements apart (4 KB in
# float32) and that have ≥ PACK_MIN_ROWS rows to share each packed copy of B run through packed
# copies (gemm.py, gemm_packed): 1.0–2.2× the in-place tiles at widths ≥ 1024, 0.75–1.0× below, and
# 0.8–1.1× at 32 rows (bench/gemm_packing.py). dx = dy·Wᵀ with ≥ PACK_DX_MIN_ROWS rows does too, on
# a transposing copy of W: 1.1–1.8× the dot-product tiles from 256 rows up, 0.8–1.1× at 128, below
# at 32. The choice depends on the shape only, never on the thread count, so a product is bitwise
# the same on any number of threads.
PACK_MIN_LD = 1024
PACK_MIN_ROWS = 64
PACK_DX_MIN_ROWS = 256
_i = np.int64          # a non-literal int64 (see _large_nn)


@njit(**JIT)
def _large_nn(a, a_off, a_rs, a_cs, b, b_off, ldb, c, c_off, ldc, n, k, m, accumulate, threads):
    """gemm_nn_threads' products of ≥ PARALLEL_MIN_MACS, on flat operands and plain int64/bool
    arguments: one compiled variant per dtype. numba compiles a callee once per distinct argument
    types, and a constant argument is its own (literal) type, so the layers' constants and 1-D/2-D
    views had made 5 variants of each packed function and 8 of gemm_nn_par per dtype, and the
    packed path took the engine's cold compile from 188 to 277 s. The small products keep their
    literal variants, and so does a large product on one thread that is not packed (constant
    strides fold into the tiles: the CNN's one-thread step ran 10% slower without them); the
    parallel tiles get a constant unit stride where the operand has one, for the same reason.
    Reached only above PARALLEL_MIN_MACS with threads > 1 or a packed shape."""
    if ldb >= PACK_MIN_LD and n >= PACK_MIN_ROWS:
        if threads > 1:
            gemm_packed_par(a, a_off, a_rs, a_cs, b, b_off, ldb, 1, c, c_off, ldc, n, k, m, accumulate, threads)
        else:
            gemm_packed(a, a_off, a_rs, a_cs, b, b_off, ldb, 1, c, c_off, ldc, n, k, m, accumulate)
    elif a_cs == 1:       # x·W: A's columns adjacent — a constant stride folds into the tiles
        gemm_nn_par(a, a_off, a_rs, 1, b, b_off, ldb, c, c_off, ldc, n, k, m, accumulate, threads)
    elif a_rs == 1:       # xᵀ·dy (dW): A's rows adjacent
        gemm_nn_par(a, a_off, 1, a_cs, b, b_off, ldb, c, c_off, ldc, n, k, m, accumulate, threads)
    else:
        gemm_nn_par(a, a_off, a_rs, a_cs, b, b_off, ldb, c, c_off, ldc, n, k, m, accumulate, threads)


@njit(**JIT)
def _large_nt(a, a_off, lda, b, b_off, ldb, c, c_off, ldc, n, k, m, accumulate, threads):
    """gemm_nt_threads' products of ≥ PARALLEL_MIN_MACS (see _large_nn)."""
    if n >= PACK_DX_MIN_ROWS:
        if threads > 1:
            gemm_packed_par(a, a_off, lda, 1, b, b_off, 1, ldb, c, c_off, ldc, n, k, m, accumulate, threads)
        else:
            gemm_packed(a, a_off, lda, 1, b, b_off, 1, ldb, c, c_off, ldc, n, k, m, accumulate)
    else:
        gemm_nt_par(a, a_off, lda, b, b_off, ldb, c, c_off, ldc, n, k, m, accumulate, threads)


@njit(**JIT)
def gemm_nn_threads(A, a_off, a_rs, a_cs, B, b_off, ldb, C, c_off, ldc, n, k, m, accumulate, threads):
    """C (+)= A·B (gemm_nn's operands): above PARALLEL_MIN_MACS packed at large widths and on
    `threads` threads — the choice every Dense, convolution and recurrent layer makes."""
    if n * k * m >= PARALLEL_MIN_MACS and (threads > 1 or (ldb >= PACK_MIN_LD and n >= PACK_MIN_ROWS)):
        _large_nn(A.reshape(A.size), _i(a_off), _i(a_rs), _i(a_cs), B.reshape(B.size), _i(b_off), _i(ldb),
                  C.reshape(C.size), _i(c_off), _i(ldc), _i(n), _i(k), _i(m), bool(accumulate), _i(threads))
    else:
        gemm_nn(A, a_off, a_rs, a_cs, B, b_off, ldb, C, c_off, ldc, n, k, m, accumulate)


@njit(**JIT)
def gemm_nt_threads(A, a_off, lda, B, b_off, ldb, C, c_off, ldc, n, k, m, accumulate, threads):
    """C (+)= A·Bᵀ (gemm_nt's operands): above PARALLEL_MIN_MACS packed from PACK_DX_MIN_ROWS rows
    and on `threads` threads (see gemm_nn_threads)."""
    if n * k * m >= PARALLEL_MIN_MACS and (threads > 1 or n >= PACK_DX_MIN_ROWS):
        _large_nt(A.reshape(A.size), _i(a_off), _i(lda), B.reshape(B.size), _i(b_off), _i(ldb), C.reshape(C.size),
                  _i(c_off), _i(ldc), _i(n), _i(k), _i(m), bool(accumulate), _i(threads))
    else:
        gemm_nt(A, a_off, lda, B, b_off, ldb, C, c_off, ldc, n, k, m, accumulate)


@njit(**JIT)
def dense_forward(x, W, b, use_bias, y, blas=False, threads=1):
    """y[n, out] = x[n, in] · W[in, out] + b[out]; large products on `threads` threads."""
    n, m = y.shape
    k = x.shape[1]
    if blas:
        np.dot(x, W, y)
        if use_bias:
            for i in range(n):
                for j in range(m):
                    y[i, j] += b[j]
        return
    if use_bias:
        for i in range(n):
            for j in range(m):
                y[i, j] = b[j]
    if n * k * m >= PARALLEL_MIN_MACS:        # spelled out: a playground step notices a call level
        gemm_nn_threads(x, 0, k, 1, W, 0, m, y, 0, m, n, k, m, use_bias, threads)
    else:
        gemm_nn(x, 0, k, 1, W, 0, m, y, 0, m, n, k, m, use_bias)


@njit(**JIT)
def dense_backward(x, W, dy, dW, db, use_bias, need_dw, dx, need_dx, acc_dx, scratch, blas=False, threads=1):
    """dW = xᵀ·dy, db = Σ_rows dy, dx (+)= dy·Wᵀ. `scratch` is flat, ≥ in·out elements when
    out ≤ TRANSPOSE_MAX_WIDTH, and ≥ n·in when blas."""
    n, m = dy.shape
    k = x.shape[1]
    if need_dw:
        if blas:
            np.dot(x.T, dy, dW)
        else:
            if n * k * m >= PARALLEL_MIN_MACS:
                gemm_nn_threads(x, 0, 1, k, dy, 0, m, dW, 0, m, k, n, m, False, threads)
            else:
                gemm_nn(x, 0, 1, k, dy, 0, m, dW, 0, m, k, n, m, False)
        if use_bias:
            for j in range(m):
                db[j] = 0.0
            for i in range(n):
                for j in range(m):
                    db[j] += dy[i, j]
    if need_dx:
        if blas:
            if acc_dx:
                tmp = scratch[:n * k].reshape(n, k)
                np.dot(dy, W.T, tmp)
                for i in range(n):
                    for p in range(k):
                        dx[i, p] += tmp[i, p]
            else:
                np.dot(dy, W.T, dx)
        elif m <= TRANSPOSE_MAX_WIDTH:
            for j in range(m):
                for p in range(k):
                    scratch[j * k + p] = W[p, j]
            if n * k * m >= PARALLEL_MIN_MACS:
                gemm_nn_threads(dy, 0, m, 1, scratch, 0, k, dx, 0, k, n, m, k, acc_dx, threads)
            else:
                gemm_nn(dy, 0, m, 1, scratch, 0, k, dx, 0, k, n, m, k, acc_dx)
        elif n * k * m >= PARALLEL_MIN_MACS:
            gemm_nt_threads(dy, 0, m, W, 0, m, dx, 0, k, n, m, k, acc_dx, threads)
        else:
            gemm_nt(dy, 0, m, W, 0, m, dx, 0, k, n, m, k, acc_dx)
