"""The benchmark's parts, each returning JSON-able results (``__main__`` strings them together)."""
from __future__ import annotations

import time

import numpy as np

from . import observers
from .measure import time_interleaved
from .netdesigner_runner import NetDesignerRunner
from .ref_numpy import NumpyRunner
from .workloads import Workload, batch_order, gemm_flops_per_sample, make_data

CYCLE = 200     # batches in one pass of the shared order (and NetDesigner's chunk per call)


class Settings:
    def __init__(self, quick: bool, use_torch: bool, seed: int = 0, log=print):
        self.quick, self.use_torch, self.seed, self.log = quick, use_torch, seed, log
        self.target_s = 0.08 if quick else 0.25
        self.repeats = 3 if quick else 5


def make_runners(wl: Workload, s: Settings, impls=("NetDesigner", "NumPy", "PyTorch")) -> dict:
    """Same data, batch order and initial weights (NetDesigner's) for every implementation."""
    X, Y = make_data(wl, s.seed)
    order = batch_order(len(X), wl.batch, CYCLE, s.seed)
    nd = NetDesignerRunner(wl, X, Y, order, seed=s.seed, chunk=CYCLE)
    w0 = nd.get_weights()
    out = {}
    if "NetDesigner" in impls:
        out["NetDesigner"] = nd
    if "NumPy" in impls:
        out["NumPy"] = NumpyRunner(wl, X, Y, order, w0, s.seed)
    if "PyTorch" in impls and s.use_torch:
        from .ref_torch import TorchRunner, available
        if available():
            out["PyTorch"] = TorchRunner(wl, X, Y, order, w0, s.seed)
    return out


def measure_case(wl: Workload, s: Settings, peak_gflops: float, impls=("NetDesigner", "NumPy", "PyTorch")) -> dict:
    """Samples/s of each implementation on wl (current thread policy), ratios, GEMM fraction."""
    runners = make_runners(wl, s, impls)
    res = time_interleaved({k: r.run for k, r in runners.items()}, wl.batch, s.target_s, s.repeats)
    rounds, rr = res.pop("_rounds"), res.pop("_round_ratios")
    flops = gemm_flops_per_sample(wl)
    rec = {"workload": wl.label, "batch": wl.batch, "sizes": list(wl.sizes), "gemm_flops_per_sample": flops,
           "impls": res, "rounds": rounds, "others_busy_cores": rounds["kept_max_busy"]}
    nd = res.get("NetDesigner", {}).get("samples_per_s")
    if nd:
        rec["step_gemm_gflops"] = nd * flops / 1e9
        rec["step_gemm_fraction_of_peak"] = rec["step_gemm_gflops"] / peak_gflops
        for other in ("NumPy", "PyTorch"):
            if other in res:
                rec[f"ratio_vs_{other}"] = nd / res[other]["samples_per_s"]
                rec[f"round_ratio_vs_{other}"] = rr[f"NetDesigner/{other}"]
    return rec


def measure_observers(wl: Workload, s: Settings) -> dict:
    """Observers off (calls of CYCLE batches, nothing else) vs on (chunks of the stats interval,
    losses copied out, per-layer statistics by a plain NumPy collector or by the engine's own core.stats)."""
    X, Y = make_data(wl, s.seed)
    order = batch_order(len(X), wl.batch, CYCLE, s.seed)
    r = NetDesignerRunner(wl, X, Y, order, seed=s.seed, chunk=CYCLE)
    sink: list = []
    runs = {"off": r.run,
            "on_numpy": lambda n: observers.observed_run(r, observers.numpy_stats, n, sink=sink),
            "on_jit": lambda n: observers.observed_run(r, observers.engine_stats, n, sink=sink)}
    # Whole stats intervals per repeat, so every repeat includes its share of statistics.
    iv = observers.STATS_INTERVAL
    res = time_interleaved({k: (lambda n, f=f: f(max(iv, n // iv * iv))) for k, f in runs.items()},
                           wl.batch, s.target_s * 2, s.repeats, warmup=iv)
    rounds = res.pop("_rounds")
    res.pop("_round_ratios")
    off = res["off"]["samples_per_s"]
    rec = {"workload": wl.label, "stats_interval": iv, "impls": res, "rounds": rounds,
           "others_busy_cores": rounds["kept_max_busy"]}
    for k in ("on_numpy", "on_jit"):
        rec[f"cost_{k}"] = 1.0 - res[k]["samples_per_s"] / off
    return rec


def measure_startup(s: Settings) -> dict:
    from .measure import startup_times
    return startup_times(threads=1, warm_runs=1 if s.quick else 3, cold=not s.quick)


def measure_rss(s: Settings) -> dict:
    from .measure import peak_rss
    return peak_rss(epochs=20 if s.quick else 100, threads=1)


def measure_profiles(wls: list[Workload], peak: float, breakdown: list[Workload]) -> dict:
    from .profile import op_breakdown, profile_step
    out = {"phases": [], "ops": {}}
    for wl in wls:
        out["phases"].append(profile_step(wl, peak))
    for wl in breakdown:
        out["ops"][wl.label] = op_breakdown(wl)
    return out


def elapsed(t0: float) -> str:
    return f"{time.perf_counter() - t0:6.1f}s"


def np_info() -> dict:
    import platform
    import numba
    import scipy
    info = {"python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
            "scipy": scipy.__version__, "machine": platform.machine()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    import os
    info["cpus"] = os.cpu_count()
    try:
        import torch
        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    try:
        import sklearn
        info["sklearn"] = sklearn.__version__
    except ImportError:
        pass
    return info
