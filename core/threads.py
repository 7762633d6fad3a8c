"""BLAS thread policy, chosen per workload by measurement (bench/).

Numba's np.dot calls SciPy's OpenBLAS. On the 2-core reference machine one BLAS thread was faster
for every product up to W3 at batch 128 (largest GEMM ≈ 1e8 FLOP: 31.8k vs 30.1k samples/s) and
two threads faster from batch 512 (≈ 4e8 FLOP: 56.5k vs 41.7k); BLAS threads spinning beside
small kernels made one small step 70× slower. Kernels are serial, so BLAS may use every core.
"""
from __future__ import annotations

import os

PARALLEL_GEMM_FLOPS = 2e8
_applied: int | None = None


def blas_threads_for(plan, batch_size: int) -> int:
    """1 for small products, all cores once the largest forward GEMM passes PARALLEL_GEMM_FLOPS."""
    widths = plan.tensor_widths
    largest = 0
    from .kernels import opcodes as K
    for row in plan.ops:
        if row[K.C_OP] == K.OP_DENSE:
            fan_in = widths[plan.op_in[row[K.C_IN_START], 0]]
            largest = max(largest, 2 * batch_size * fan_in * widths[row[K.C_OUT]])
    return (os.cpu_count() or 1) if largest >= PARALLEL_GEMM_FLOPS else 1


def apply_blas_threads(n: int) -> None:
    """Set the BLAS pools to n threads (cheap when already set). SciPy's BLAS is loaded first:
    threadpoolctl only limits libraries that are already loaded."""
    global _applied
    if n == _applied:
        return
    import scipy.linalg.cython_blas  # noqa: F401  (loads the OpenBLAS numba's np.dot uses)
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=n, user_api="blas")
    _applied = n
