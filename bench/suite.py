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
    """The real trainer (core.trainer) with observers off (collect_stats=False) and on (per-batch
    losses plus per-layer statistics every stats_interval batches — what the dashboard gets),
    same design, data and seed; epochs alternate on/off and the medians are compared. A plain
    NumPy collector run beside the engine's chunks is reported too, for contrast."""
    from core.data import PreparedData, Scaler
    from core.designfile import Design
    from core.model import Model
    from core.settings import validate_data, validate_training

    from .workloads import build_graph
    X, Y = make_data(wl, s.seed)
    graph, loss, loss_params = build_graph(wl)
    task = "multiclass" if wl.loss == "sparse_ce" else "binary"
    data = PreparedData(X.astype(np.float64), Y.astype(np.float64), None, None, None, None,
                        Scaler("none").fit(X), task, max(2, wl.n_out), name="synthetic")
    training = validate_training({"loss": {"name": loss, "params": loss_params},
                                  "optimizer": {"name": wl.optimizer, "params": {"learning_rate": wl.lr}},
                                  "batch_size": wl.batch, "epochs": 1, "seed": s.seed,
                                  "stats_interval": observers.STATS_INTERVAL})
    model = Model(Design(graph, training, validate_data({"validation_split": 0.0})), data)
    model.executor.blas_threads = None          # the benchmark fixes the thread count itself
    epochs = 2 if s.quick else 5
    times = {False: [], True: []}
    model.trainer(collect_stats=True).fit()     # warm-up (compiles the statistics kernels)
    for _ in range(epochs):
        for collect in (False, True):
            t = time.perf_counter()
            model.trainer(collect_stats=collect).fit()
            times[collect].append(time.perf_counter() - t)
    off, on = float(np.median(times[False])), float(np.median(times[True]))
    # The NumPy collector, beside the engine's own chunks (no trainer), for contrast.
    order = batch_order(len(X), wl.batch, CYCLE, s.seed)
    r = NetDesignerRunner(wl, X, Y, order, seed=s.seed, chunk=CYCLE)
    iv = observers.STATS_INTERVAL
    res = time_interleaved({"off": r.run,
                            "on_numpy": lambda n: observers.observed_run(r, observers.numpy_stats,
                                                                          max(iv, n // iv * iv))},
                           wl.batch, s.target_s, s.repeats, warmup=iv)
    rounds = res.pop("_rounds")
    res.pop("_round_ratios")
    return {"workload": wl.label, "stats_interval": iv, "epoch_seconds_off": off, "epoch_seconds_on": on,
            "cost_on_jit": on / off - 1.0, "impls": res, "rounds": rounds,
            "cost_on_numpy": 1.0 - res["on_numpy"]["samples_per_s"] / res["off"]["samples_per_s"]}


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
