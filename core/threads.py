"""Thread policy for training: the one place that decides how many threads numba, BLAS and (in
the benchmarks) torch may use, so the pools never oversubscribe the cores.

- The engine's own kernels (kernels/gemm.py, dense.py) split large products into panels across
  `threads` numba threads; small products stay serial (dense.PARALLEL_MIN_MACS). The count comes
  from the training setting ``threads`` (0 = auto = the physical cores) or ``--threads``.
- BLAS is pinned to one thread while training: what BLAS remains is NumPy outside the hot loop,
  and idle BLAS threads spinning beside the numba pool once made a small step 70× slower (and a
  784-512-256-10 step 3–10× slower with both pools at two threads; NOTES.md). The old fallback to
  multi-threaded BLAS for very large products on many-core machines is retired: the own kernels
  now use every core themselves (bench/scaling.py).
- Threading layer: ``omp`` (then ``tbb`` where OpenMP is missing; serial kernels if neither
  loads). Two trainings may run at once in one process (the designer's thread
  mode beside a cross-validation, k-fold workers); ``workqueue`` aborts then, so it is never
  used. ``tbb`` is the other thread-safe layer, but the pip wheel of TBB installs libtbb.so.12
  outside the loader path (numba finds it only with LD_LIBRARY_PATH set before the process
  starts), so it cannot be the default of a pip-installed app; GNU OpenMP ships with numba's
  wheel on Linux and is thread-safe (not fork-safe: worker processes are spawned, core/pool.py).
  tests/test_parallel.py trains two models at once from two Python threads and checks both
  against a lone run. ``NUMBA_THREADING_LAYER`` in the environment still wins.
- numba's thread count is per Python thread (numba.set_num_threads is thread-local), so each
  training sets its own share right before it calls the engine (apply_threads).
"""
from __future__ import annotations

import functools
import os
from contextlib import contextmanager

_applied: int | None = None     # what apply_blas_threads last set (None: unknown, set again)
_cap: int | None = None         # an upper bound set by blas_thread_cap (e.g. a GUI keeping a core)
THREADING_LAYER = "omp"


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


@functools.lru_cache(maxsize=None)
def physical_cores() -> int:
    """Physical cores this process may run on: SMT siblings count once (os.cpu_count() counts
    them twice), and a CPU affinity mask or container limit narrower than that wins."""
    n = None
    try:
        import psutil  # optional
        n = psutil.cpu_count(logical=False)
    except Exception:
        n = _cpuinfo_cores()
    n = n or os.cpu_count() or 1
    try:
        n = min(n, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        pass
    return max(1, n)


def _cpuinfo_cores() -> int | None:
    """Distinct (physical id, core id) pairs in /proc/cpuinfo; None where it is not readable."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    pairs, phys, core = set(), "0", None
    for line in text.splitlines() + [""]:
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            phys = value.strip()
        elif key == "core id":
            core = value.strip()
        elif not key and core is not None:
            pairs.add((phys, core))
            phys, core = "0", None
    return len(pairs) or None


def max_threads() -> int:
    """The most numba threads this process can run (NUMBA_NUM_THREADS, fixed at numba's load);
    1 where no thread-safe layer loads."""
    configure_threading_layer()
    return 1 if _serial_only else _numba_pool_size()


@functools.lru_cache(maxsize=None)
def _numba_pool_size() -> int:
    import numba
    return int(numba.config.NUMBA_NUM_THREADS)


def resolve_threads(setting: int | None) -> int:
    """The thread count a training uses: `setting` (0 or None = the physical cores), at most what
    numba's pool holds in this process (a k-fold worker's share)."""
    n = physical_cores() if not setting else int(setting)
    return max(1, min(n, max_threads()))


_layer_configured = False
_serial_only = False           # no thread-safe layer could be loaded: the kernels stay serial


def configure_threading_layer() -> None:
    """Choose the thread-safe layer before the first parallel kernel runs (see the docstring):
    omp, else tbb (a platform without OpenMP, e.g. macOS without libomp); if neither loads, the
    engine runs serial (one thread, no parallel region ever entered, so workqueue — numba's
    fallback — is never used from two threads at once)."""
    global _layer_configured, _serial_only
    if _layer_configured:
        return
    _layer_configured = True
    import numba
    if "NUMBA_THREADING_LAYER" in os.environ:
        return
    from numba.np.ufunc import parallel
    for layer in (THREADING_LAYER, "tbb"):
        numba.config.THREADING_LAYER = layer
        try:
            parallel._launch_threads()
            return
        except (ValueError, ImportError, OSError):
            continue
    numba.config.THREADING_LAYER = "workqueue"
    _serial_only = True


def use_numba_threads(n: int) -> int:
    """Give the calling Python thread n numba threads (clamped to the pool); returns the count.
    Call it right before the engine runs: numba's setting is thread-local."""
    configure_threading_layer()
    n = max(1, min(int(n), max_threads()))
    if _get_num_threads() != n:
        _set_num_threads(n)
    return n


def current_numba_threads() -> int:
    """The calling Python thread's numba thread count (set by numba.set_num_threads)."""
    configure_threading_layer()
    return _get_num_threads()


def _get_num_threads() -> int:
    import numba
    return numba.get_num_threads()


def _set_num_threads(n: int) -> None:
    import numba
    numba.set_num_threads(n)


def apply_threads(n: int) -> int:
    """use_numba_threads(n) and BLAS pinned to one thread; returns the numba count."""
    n = use_numba_threads(n)
    apply_blas_threads(1)
    return n


def torch_threads(n: int) -> None:
    """The same share for PyTorch (benchmarks, torch export checks): intra-op n threads."""
    import torch
    torch.set_num_threads(max(1, int(n)))


def blas_layers(plan, batch_size: int, cores: int | None = None) -> list[int]:
    """Steps of `plan` whose Dense products should run on multi-threaded BLAS: none any more —
    the own kernels run large products on every core (module docstring). Kept so a caller can
    still route a layer to BLAS explicitly (Executor.use_blas_for)."""
    return []


def blas_threads_for(plan, batch_size: int, cores: int | None = None) -> int:
    """BLAS threads while training: one (the numba pool owns the cores)."""
    return 1


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


def cli_thread_count(text: str) -> int:
    """argparse type of --threads: 0 (the physical cores) or a positive count."""
    import argparse
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expects 0 (the physical cores) or a positive thread count, received {text!r}")
    return n


def cli_job_count(text: str) -> int:
    """argparse type of --jobs: a positive count of worker processes."""
    import argparse
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expects a positive number of processes, received {text!r}")
    return n
