"""BLAS thread policy for training.

The engine's Dense layers no longer call BLAS: they run their own register-tiled kernels
(kernels/gemm.py), serial, which beat the machine's OpenBLAS 2–3× at one thread (bench/). What
BLAS remains in a training process is NumPy outside the hot loop, so training pins BLAS to one
thread — idle BLAS threads spinning beside small kernels once made a small step 70× slower —
except on machines with many cores, where very large products go back to BLAS on every core.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

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


# A layer goes to BLAS only where one core clearly loses: on this 2-core machine the own kernel
# on one core beat two BLAS threads even for W3 at batch 512 (74.6k vs 56.5k samples/s), so it
# takes at least MANY_CORES cores and a product of PARALLEL_GEMM_FLOPS (where two BLAS threads
# first paid off here). Not measured on a many-core machine: an extrapolation, kept conservative.
MANY_CORES = 4
PARALLEL_GEMM_FLOPS = 2e8


def blas_layers(plan, batch_size: int, cores: int | None = None) -> list[int]:
    """Steps of `plan` whose Dense products should run on multi-threaded BLAS."""
    from .kernels import opcodes as K
    cores = (os.cpu_count() or 1) if cores is None else cores
    if cores < MANY_CORES:
        return []
    widths, steps = plan.tensor_widths, []
    for s, row in enumerate(plan.ops):
        if row[K.C_OP] == K.OP_DENSE:
            fan_in = widths[plan.op_in[row[K.C_IN_START], 0]]
            if 2 * batch_size * fan_in * widths[row[K.C_OUT]] >= PARALLEL_GEMM_FLOPS:
                steps.append(s)
    return steps


def blas_threads_for(plan, batch_size: int, cores: int | None = None) -> int:
    """Every core when some layer runs on BLAS, else one (see the module docstring)."""
    cores = (os.cpu_count() or 1) if cores is None else cores
    return cores if blas_layers(plan, batch_size, cores) else 1


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
