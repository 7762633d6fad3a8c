"""Measuring: thread policy, throughput medians, BLAS peak, start-up times and peak RSS."""
from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


# ------------------------------------------------------------------------------- thread policy
def load_blas_libraries() -> None:
    """Load every BLAS/OpenMP runtime up front: ``threadpool_limits`` only limits libraries that
    are already loaded when it is entered (numba's ``np.dot`` loads SciPy's OpenBLAS lazily)."""
    import scipy.linalg.cython_blas  # noqa: F401
    with contextlib.suppress(ImportError):
        import torch  # noqa: F401


@contextlib.contextmanager
def thread_policy(threads: int):
    """All implementations under the same limit: BLAS/OpenMP pools via threadpoolctl, PyTorch's
    intra-op pool via ``torch.set_num_threads``; NetDesigner's kernels via numba's thread count
    (its executors are built with threads=None: they use the calling thread's setting)."""
    from threadpoolctl import threadpool_limits
    load_blas_libraries()
    torch = None
    with contextlib.suppress(ImportError):
        import torch
    import numba

    from core.threads import configure_threading_layer
    configure_threading_layer()
    old = torch.get_num_threads() if torch else None
    old_numba = numba.get_num_threads()
    with threadpool_limits(threads):
        if torch:
            torch.set_num_threads(threads)
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        try:
            yield
        finally:
            numba.set_num_threads(old_numba)
            if torch:
                torch.set_num_threads(old)


def describe_thread_policy(threads: int) -> dict:
    from threadpoolctl import threadpool_info
    load_blas_libraries()
    with thread_policy(threads):
        libs = [{"lib": os.path.basename(i["filepath"]), "api": i["user_api"], "internal": i.get("internal_api"),
                 "threads": i["num_threads"], "arch": i.get("architecture")} for i in threadpool_info()]
        tt = None
        with contextlib.suppress(ImportError):
            import torch
            tt = torch.get_num_threads()
    import numba
    return {"threads": threads, "libraries": libs, "torch_intra_op_threads": tt,
            "numba": f"parallel kernels above core/kernels/dense.PARALLEL_MIN_MACS on {min(threads, numba.config.NUMBA_NUM_THREADS)} "
                     f"threads, layer {numba.config.THREADING_LAYER}, NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}",
            "rule": "threadpoolctl.threadpool_limits(t) around all three implementations + torch.set_num_threads(t)"}


# ------------------------------------------------------------------------------ other load
def _proc_stat_busy() -> float:
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# ----------------------------------------------------------------------------------- timing
def time_interleaved(runs: dict, batch: int, target_s: float = 0.25, repeats: int = 5, warmup: int = 3,
                     max_rounds: int | None = None, busy_limit: float = 0.3, max_seconds: float | None = None) -> dict:
    """Median samples/s of each `run(n)` (n training steps) in `runs`.

    n is calibrated per implementation so one repeat lasts about target_s. Repeats are timed in
    rounds (one repeat of every implementation per round). During each repeat we measure how many
    cores *other* processes used (/proc/stat busy time minus this process's CPU time); a round
    where that reached `busy_limit` is contended and is repeated (up to max_rounds rounds). If
    too few clean rounds come (or max_seconds pass, default 4× the planned time), the least
    contended ones are kept and the result says so.
    Ratios are also given as the median of per-round ratios (robust to slow load changes)."""
    steps = {}
    for name, run in runs.items():
        run(warmup)
        n = 1
        while True:
            t = time.perf_counter()
            run(n)
            dt = time.perf_counter() - t
            if dt >= min(0.05, target_s / 4) or n >= 1 << 20:
                break
            n *= 4
        steps[name] = max(1, int(n * target_s / max(dt, 1e-9)))
    max_rounds = max_rounds or 3 * repeats
    deadline = time.perf_counter() + (max_seconds or 4 * repeats * len(runs) * target_s)
    rounds = []
    while len(rounds) < max_rounds and sum(r["busy"] < busy_limit for r in rounds) < repeats \
            and (len(rounds) < repeats or time.perf_counter() < deadline):
        rnd = {"rates": {}, "cpu": {}, "busy": 0.0}
        for name, run in runs.items():
            n = steps[name]
            b0, c, t = _busy_seconds(), time.process_time(), time.perf_counter()
            run(n)
            wall = time.perf_counter() - t
            cpu = time.process_time() - c
            rnd["rates"][name] = n * batch / wall
            rnd["cpu"][name] = cpu / wall
            rnd["busy"] = max(rnd["busy"], max(0.0, (_busy_seconds() - b0 - cpu) / wall))
        rounds.append(rnd)
    clean = [r for r in rounds if r["busy"] < busy_limit]
    kept = clean if len(clean) >= repeats else sorted(rounds, key=lambda r: r["busy"])[:repeats]
    out = {name: {"samples_per_s": statistics.median(r["rates"][name] for r in kept),
                  "runs": [r["rates"][name] for r in kept], "steps_per_run": steps[name],
                  "cpu_over_wall": statistics.median(r["cpu"][name] for r in kept)} for name in runs}
    out["_rounds"] = {"total": len(rounds), "clean": len(clean), "kept_max_busy": max(r["busy"] for r in kept),
                      "contended": len(clean) < repeats}
    out["_round_ratios"] = {f"{a}/{b}": statistics.median(r["rates"][a] / r["rates"][b] for r in kept)
                            for a in runs for b in runs if a != b}
    return out


class BusyMeter:
    """Cores used by other processes between start() and stop() (this process excluded)."""

    def start(self):
        self.b, self.c, self.t = _busy_seconds(), time.process_time(), time.perf_counter()
        return self

    def stop(self) -> float:
        wall = max(time.perf_counter() - self.t, 1e-9)
        return max(0.0, (_busy_seconds() - self.b - (time.process_time() - self.c)) / wall)


def _busy_seconds() -> float:
    try:
        return _proc_stat_busy()
    except OSError:
        return 0.0


# ------------------------------------------------------------------------------------ GEMM peak
def gemm_peak(size: int = 1024, seconds: float = 1.5) -> dict:
    """float32 GEMM GFLOP/s (2·size³ per product), best over about `seconds` of repetitions
    (best-of is robust to other processes borrowing the core for a moment), under the current
    thread limit: NumPy's BLAS (np.dot) and SciPy's BLAS (what numba's np.dot in the engine calls)."""
    from scipy.linalg import blas
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty((size, size), np.float32)
    af, bf = np.asfortranarray(a), np.asfortranarray(b)
    flops = 2.0 * size ** 3
    res = {}
    for name, fn in (("numpy", lambda: np.dot(a, b, out=out)), ("scipy", lambda: blas.sgemm(1.0, af, bf))):
        fn()
        best, t_end = float("inf"), time.perf_counter() + seconds / 2
        while time.perf_counter() < t_end:
            best = min(best, _timed(fn))
        res[name] = flops / best / 1e9
    res["peak"] = max(res["numpy"], res["scipy"])
    res["netdesigner"] = _engine_gemm_gflops(a, b, out, flops, seconds / 2)
    return res


def _engine_gemm_gflops(a, b, out, flops: float, seconds: float) -> float:
    """The engine's own kernel (core/kernels/gemm.py) on the same product: single-threaded,
    whatever the thread limit. The peak above stays the BLAS one, so 'fraction of peak' >100%
    means NetDesigner's kernels outrun the BLAS this machine is configured with."""
    from core.kernels.gemm import gemm_nn
    n = a.shape[0]

    def run():
        gemm_nn(a, 0, n, 1, b, 0, n, out, 0, n, n, n, n, False)
    run()
    best, t_end = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        best = min(best, _timed(run))
    return flops / best / 1e9


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# ----------------------------------------------------------------------------- subprocesses
def blas_environment() -> dict:
    """OPENBLAS_* variables in force and, when OPENBLAS_CORETYPE pins the kernels, the one-thread
    peak a child process gets without it (OpenBLAS's own CPU detection)."""
    out = {"env": {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "MKL_", "OMP_"))}}
    if "OPENBLAS_CORETYPE" in os.environ:
        with contextlib.suppress(Exception):
            out["without_coretype"], _ = _child(["peak"], {}, drop=("OPENBLAS_CORETYPE",))
    return out


def _child(args: list[str], env_extra: dict, timeout: float = 300, drop=()) -> tuple[dict, float]:
    env = {k: v for k, v in dict(os.environ, **env_extra).items() if k not in drop}
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "bench.startup", *args, *([str(t0)] if args[0] == "startup" else [])],
                          capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    wall = time.monotonic() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"bench.startup {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][7:]), wall


def startup_times(threads: int = 1, warm_runs: int = 3, cold: bool = True) -> dict:
    """Cold: a fresh NUMBA_CACHE_DIR (everything compiles), then warm: the same, now populated,
    cache. Without cold (--quick): warm only, from the project's own kernel cache, which this
    benchmark has just populated. Times run from just before the spawn to the end of the first
    trained batch; a warm run that missed the cache (the kernels' sources changed meanwhile) is
    not counted."""
    env = {"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    out = {"what": "spawn → import core → compile_plan(W2) → Executor → first train_batches step",
           "cache": "fresh NUMBA_CACHE_DIR" if cold else "the project's kernel cache"}
    with tempfile.TemporaryDirectory(prefix="nd-bench-cache-") as cache:
        if cold:
            env["NUMBA_CACHE_DIR"] = cache
            r, wall = _child(["startup"], env)
            out["cold_s"] = r["stamps"]["first_batch"] - r["stamps"]["spawned"]
            out["cold_import_s"] = r["stamps"]["imported"] - r["stamps"]["spawned"]
            out["cold_cache_misses"] = r["cache_misses"]
        warm, invalid = [], 0
        while len(warm) < warm_runs and invalid < 3:
            r, wall = _child(["startup"], env)
            if r["cache_misses"]:          # the kernels' sources changed since the cache was filled
                invalid += 1
                continue
            warm.append(r["stamps"]["first_batch"] - r["stamps"]["spawned"])
            out["warm_cache_hits"] = r["cache_hits"]
            out["warm_import_s"] = r["stamps"]["imported"] - r["stamps"]["spawned"]
        out["warm_runs_recompiled"] = invalid
        out["warm_s"] = statistics.median(warm) if warm else float("nan")
        out["warm_runs"] = warm
    return out


def peak_rss(epochs: int = 100, threads: int = 1) -> dict:
    """Peak RSS (VmHWM, reset after a warm-up epoch so compiling does not count) after epochs
    1, 10 and `epochs` of W3 in a child process; flat = grew by at most 1 MiB from epoch 1."""
    r, wall = _child(["rss", str(epochs), str(threads)], {})
    after = r["after"]
    first, last = after["1"], after[str(epochs)]
    r["growth_kib"] = last["hwm_kib"] - first["hwm_kib"]
    r["flat"] = r["growth_kib"] <= 1024
    return r
