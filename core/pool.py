"""Worker processes with a share of the cores each: k-fold folds side by side (core/kfold.py) and
hyper-parameter trials (core/tune.py).

Workers are *spawned* (a fork of a process holding an OpenMP or BLAS thread pool is unsafe;
NOTES.md) and each is given ``cores // jobs`` threads, so the workers together never hold more
threads than the machine has cores: NUMBA_NUM_THREADS, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS
are in the child's environment before it loads numba or NumPy's BLAS (the pool caps numba's
thread count at that share, core/threads.resolve_threads), and the initializer sets them again
(plus numba.set_num_threads) in case the child's main module loaded numba first.

This module imports neither numba nor NumPy: a worker must be able to import it before its
thread variables are set.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterable

THREAD_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def threads_env(threads: int) -> dict[str, str]:
    """The environment that gives a process `threads` threads in every pool."""
    return {k: str(threads) for k in THREAD_VARS}


def share(jobs: int, cores: int | None = None) -> int:
    """Threads per worker when `jobs` workers split `cores` (default: the physical cores)."""
    if cores is None:
        from .threads import physical_cores
        cores = physical_cores()
    return max(1, cores // max(1, jobs))


@contextmanager
def _environment(values: dict[str, str]):
    """os.environ with `values` inside the block (a spawned child copies the environment)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _init_worker(threads: int) -> None:
    """In a spawned worker, before any task: its thread share everywhere."""
    os.environ.update(threads_env(threads))
    import sys
    if "numba" in sys.modules:          # loaded by the parent's main module: cap it at run time
        import numba
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    from .threads import apply_blas_threads
    apply_blas_threads(threads)


class Cancelled(Exception):
    """run_in_processes was cancelled (its workers were terminated)."""


def run_in_processes(fn: Callable, arg_lists: Iterable[tuple], jobs: int, cores: int | None = None,
                     on_result: Callable[[int, object], None] | None = None,
                     on_start: Callable[[int], None] | None = None, cancel=None) -> list:
    """fn(*args) for every tuple of `arg_lists` in up to `jobs` spawned worker processes, each with
    its share of `cores` as threads; the results in the order of `arg_lists`.

    on_start(i) is called as task i is handed to a worker (approximately: when a slot frees),
    on_result(i, result) as each task finishes (in the order they finish). `cancel` (a
    threading.Event) set from another thread terminates the workers and raises Cancelled. fn must
    be importable (a module-level function) and its arguments picklable; an exception in a
    worker is raised here."""
    from concurrent.futures import FIRST_COMPLETED, wait
    arg_lists = list(arg_lists)
    jobs = max(1, min(int(jobs), len(arg_lists) or 1))
    threads = share(jobs, cores)
    ctx = multiprocessing.get_context("spawn")
    results: list = [None] * len(arg_lists)
    with _environment(threads_env(threads)):
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                   initargs=(threads,))
        futures = {pool.submit(fn, *args): i for i, args in enumerate(arg_lists)}   # workers start now
    pending, started = set(futures), 0
    try:
        while pending:
            while on_start is not None and started < min(len(arg_lists), len(arg_lists) - len(pending) + jobs):
                on_start(started)
                started += 1
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            for fut in sorted(done, key=futures.get):
                i = futures[fut]
                results[i] = fut.result()
                if on_result is not None:
                    on_result(i, results[i])
    except BaseException:
        for p in list((getattr(pool, "_processes", None) or {}).values()):
            p.terminate()           # a cancelled or failed run leaves no worker behind
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results


def _process_entry(fn, args, threads: int):
    """In a spawned worker process: its thread share, then fn(*args)."""
    _init_worker(threads)
    from .threads import blas_thread_cap
    with blas_thread_cap(threads):
        return fn(*args)


def spawn_workers(fn, arg_lists: list[tuple], cores: int | None = None) -> list:
    """Start one spawned, daemonic process per argument tuple running fn(*args) with its share of
    `cores` (default: all); returns the started multiprocessing.Process objects (for workers
    that report through shared storage rather than a return value, as tune's do)."""
    ctx = multiprocessing.get_context("spawn")
    threads = share(len(arg_lists), cores or os.cpu_count() or 1)
    procs = []
    with _environment(threads_env(threads)):
        for args in arg_lists:
            # daemon: a designer window that closes takes its workers with it
            p = ctx.Process(target=_process_entry, args=(fn, args, threads), daemon=True)
            p.start()
            procs.append(p)
    return procs
