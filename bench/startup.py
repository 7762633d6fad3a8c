"""Child process for the start-up and memory measurements (run with ``python -m bench.startup``).

``startup T0``: import the engine, build and compile W2, train one batch; prints JSON with the
``time.monotonic()`` stamps of each stage (the parent passes T0, taken just before it spawned
this process, so "first batch" includes interpreter start-up and loading or compiling kernels).

``peak``: one-thread sgemm peak under this process's environment (used to show what
``OPENBLAS_CORETYPE`` costs when the environment pins it).

``rss EPOCHS``: trains W3 (batch 128, 1024 synthetic samples, one ``train_batches`` call per
epoch like the product) and prints the peak RSS (VmHWM, reset after a warm-up epoch) and the
current RSS after epochs 1, 10, 100 and EPOCHS.
"""
from __future__ import annotations

import json
import sys
import time


def startup(t0: float) -> dict:
    stamps = {"spawned": t0, "main": time.monotonic()}
    import numpy as np
    from core.executor import Executor
    from core.kernels import engine  # noqa: F401  (loads the jitted kernels' dispatchers)
    from core.optimizers import OPTIMIZERS
    from core.plan import compile_plan

    from .workloads import W2, build_graph, make_data
    stamps["imported"] = time.monotonic()
    g, loss, lp = build_graph(W2)
    plan = compile_plan(g, loss, lp)
    ex = Executor(plan, W2.batch, np.float32)
    ex.init_weights(0)
    X, Y = make_data(W2, 0, n=256)
    spec = OPTIMIZERS.get("adam")
    hp = spec.hyper_vector(spec.params.defaults())
    order = np.arange(len(X), dtype=np.int64)
    lrs, losses = np.full(1, 1e-3), np.zeros(1)
    stamps["ready"] = time.monotonic()
    ex.train_batches(X, Y, order, 0, W2.batch, 1, lrs, losses, spec.code, hp)
    stamps["first_batch"] = time.monotonic()
    stats = engine.train_chunk.stats
    return {"stamps": stamps, "cache_hits": sum(stats.cache_hits.values()),
            "cache_misses": sum(stats.cache_misses.values()), "loss": float(losses[0])}


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def rss(epochs: int) -> dict:
    import numpy as np

    from .netdesigner_runner import NetDesignerRunner
    from .workloads import W3, batch_order, make_data
    wl = W3.with_(batch=128)
    X, Y = make_data(wl, 0, n=1024)
    nd = NetDesignerRunner(wl, X, Y, batch_order(len(X), wl.batch, 8))
    ex = nd.ex
    nb = len(X) // wl.batch
    lrs, losses = np.full(nb, wl.lr), np.zeros(nb)
    order = np.arange(len(X), dtype=np.int64)
    rng = np.random.default_rng(0)
    ex.train_batches(X, Y, order, 0, wl.batch, nb, lrs, losses, nd.opt_code, nd.opt_hp)   # warm-up
    out = {"workload": wl.label, "samples": len(X), "epochs": epochs, "after": {},
           "warmup_hwm_kib": _status_kib("VmHWM")}
    try:   # reset the high-water mark (Linux ≥ 4.0) so kernel compilation does not count
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        out["hwm_reset"] = True
    except OSError:
        out["hwm_reset"] = False
    out["start_kib"] = {"hwm": _status_kib("VmHWM"), "rss": _status_kib("VmRSS")}
    marks = {1, 10, 100, epochs}
    t = time.perf_counter()
    for e in range(1, epochs + 1):
        rng.shuffle(order)
        ex.train_batches(X, Y, order, 0, wl.batch, nb, lrs, losses, nd.opt_code, nd.opt_hp)
        if e in marks:
            out["after"][e] = {"hwm_kib": _status_kib("VmHWM"), "rss_kib": _status_kib("VmRSS")}
    out["seconds"] = time.perf_counter() - t
    out["final_loss"] = float(losses[-1])
    return out


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "startup":
        res = startup(float(sys.argv[2]))
    elif mode == "peak":      # the BLAS peak under this process's environment (one thread)
        from threadpoolctl import threadpool_info, threadpool_limits

        from .measure import gemm_peak, load_blas_libraries
        load_blas_libraries()
        with threadpool_limits(1):
            res = gemm_peak(seconds=1.0)
        res["architectures"] = sorted({i.get("architecture") or "?" for i in threadpool_info() if i["internal_api"] == "openblas"})
    else:
        import scipy.linalg.cython_blas  # noqa: F401  (load numba's BLAS before limiting it)
        from threadpoolctl import threadpool_limits
        with threadpool_limits(int(sys.argv[3]) if len(sys.argv) > 3 else 1):
            res = rss(int(sys.argv[2]))
    print("RESULT " + json.dumps(res))
