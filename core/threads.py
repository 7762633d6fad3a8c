"""BLAS thread policy, chosen per workload by measurement (bench/).

Numba's np.dot calls SciPy's OpenBLAS. On the 2-core reference machine one BLAS thread was faster
for every product up to W3 at batch 128 (largest GEMM ≈ 1e8 FLOP: 31.8k vs 30.1k samples/s) and
two threads faster from batch 512 (≈ 4e8 FLOP: 56.5k vs 41.7k); BLAS threads spinning beside
small kernels made one small step 70× slower. Kernels are serial, so BLAS may use every core.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

PARALLEL_GEMM_FLOPS = 2e8
_applied: int | None = None     # what apply_blas_threads last set (None: unknown, set again)
_cap: int | None = None         # an upper bound set by blas_thread_cap (e.g. a GUI keeping a core)


@contextmanager
def blas_thread_cap(n: int):
    """At most n BLAS threads for training inside the block (the designer uses 1 so its own
    thread keeps a core). The policy below respects it; on exit the next call re-applies."""
    global _cap, _applied
    old, _cap, _applied = _cap, n, None
    try:
        yield
    finally:
        _cap, _applied = old, None


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
    n = min(n, _cap) if _cap else n
    if n == _applied:
        return
    import scipy.linalg.cython_blas  # noqa: F401  (loads the OpenBLAS numba's np.dot uses)
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=n, user_api="blas")
    _applied = n
