"""What "observers on" costs: per-batch loss plus per-layer statistics every `stats_interval`
batches (the dashboard's default, 50 — core/settings.py), against observers off.

The engine writes every batch's loss into the ``losses`` array anyway; observing it means copying
each chunk's losses out. Per-layer statistics are what the dashboard shows (gradient flow,
histograms): per weight tensor mean, std, min, max, ‖w‖, ‖g‖ and a 30-bin histogram; per
activation tensor of the last batch mean, std, fraction of zeros and a 30-bin histogram.
Two collectors: plain NumPy (how a GUI-side observer is naturally written) and the engine's own
``core.stats.layer_stats`` (jitted passes over the arenas) — what the trainer really emits.

``python -m bench.observers`` measures what the trainer's statistics cost on whole runs of a
realistic length — the examples at their default settings and the benchmark workloads trained
for about a second — with the trainer's training-progress clock (100-200 samples a run, thinned
past 3% of the run's time; core/trainer.py): runs alternate observers off/on, medians compared.
A run of a few milliseconds is not measured: there the clock's samples are a fixed few
milliseconds that no one waits for, but a large share of nothing.
"""
from __future__ import annotations

import time

import numpy as np

BINS = 30
STATS_INTERVAL = 50


def numpy_stats(runner) -> dict:
    ex, out = runner.ex, {}
    for w in ex.plan.weights:
        v, g = ex.view(w.name), ex.view(w.name, ex.grads)
        h, _ = np.histogram(v, BINS)
        out[w.name] = (float(v.mean()), float(v.std()), float(v.min()), float(v.max()),
                       float(np.linalg.norm(v)), float(np.linalg.norm(g)), h)
    n = runner.wl.batch
    for node_id in ex.plan.node_tensor:
        a = ex.tensor_view(node_id, n)
        h, _ = np.histogram(a, BINS)
        out[node_id] = (float(a.mean()), float(a.std()), float(np.count_nonzero(a == 0)) / a.size, h)
    return out


def engine_stats(runner) -> None:
    """What the trainer itself emits to the dashboard (core.stats.layer_stats, jitted passes)."""
    from core.stats import layer_stats
    layer_stats(runner.ex, runner.wl.batch, BINS)


def observed_run(runner, collector, n_steps: int, interval: int = STATS_INTERVAL, sink: list | None = None) -> None:
    """Train n_steps in chunks of `interval`; after each chunk copy the chunk's losses out and
    collect per-layer statistics."""
    sink = [] if sink is None else sink

    def observer(r):
        p = r.pos or r.n_cycle
        sink.append(r.losses[max(0, p - interval):p].copy())
        collector(r)
        if len(sink) > 64:
            sink.clear()
    runner.run(n_steps, chunk=interval, observer=observer)


# ---- whole trainer runs (python -m bench.observers) -----------------------------------------------
EXAMPLES = ("spirals_batchnorm", "vanishing_sigmoid", "digits_mlp")


def _timed_fit(model, collect: bool) -> tuple[float, int]:
    """CPU seconds of this thread (training runs in it, BLAS at one thread): what a loaded
    machine's other processes do does not count."""
    from core.events import LayerStats
    t = time.thread_time()
    n = sum(isinstance(ev, LayerStats) for ev in model.trainer(collect_stats=collect).run())
    return time.thread_time() - t, n


def run_cost(model, repeats: int) -> dict:
    """Median run time with statistics off and on (alternating), the samples a run got, the cost."""
    _timed_fit(model, True)                                   # warm-up: kernels loaded
    times = {False: [], True: []}
    samples = 0
    for _ in range(repeats):
        for collect in (False, True):
            dt, n = _timed_fit(model, collect)
            times[collect].append(dt)
            samples = n if collect else samples
    off, on = float(np.median(times[False])), float(np.median(times[True]))
    return {"seconds_off": off, "seconds_on": on, "samples": samples, "cost": on / off - 1.0}


def workload_model(wl, seed: int = 0, target_s: float = 1.0):
    """The workload as a trainer run of about target_s seconds (epochs calibrated on one epoch)."""
    from core.data import PreparedData, Scaler
    from core.designfile import Design
    from core.model import Model
    from core.settings import validate_data, validate_training

    from .workloads import build_graph, make_data
    X, Y = make_data(wl, seed)
    graph, loss, loss_params = build_graph(wl)
    task = "multiclass" if wl.loss == "sparse_ce" else "binary"
    data = PreparedData(X.astype(np.float64), Y.astype(np.float64), None, None, None, None,
                        Scaler("none").fit(X), task, max(2, wl.n_out), name="synthetic")

    def build(epochs):
        training = validate_training({"loss": {"name": loss, "params": loss_params},
                                      "optimizer": {"name": wl.optimizer, "params": {"learning_rate": wl.lr}},
                                      "batch_size": wl.batch, "epochs": epochs, "seed": seed})
        model = Model(Design(graph, training, validate_data({"validation_split": 0.0})), data)
        model.executor.blas_threads = None
        return model

    probe = build(1)
    _timed_fit(probe, False)
    one, _ = _timed_fit(probe, False)
    return build(max(1, round(target_s / max(one, 1e-6))))


def main() -> int:
    from core.designfile import load_design
    from core.model import Model

    from .measure import thread_policy
    from .workloads import W1, W2, W3
    root = __import__("pathlib").Path(__file__).resolve().parent.parent / "resources" / "examples"
    rows = []
    with thread_policy(1):
        for name in EXAMPLES:
            model = Model.from_design(load_design(root / f"{name}.json"))
            model.executor.blas_threads = None
            rows.append((f"{name} (default settings)", run_cost(model, 9)))
        for wl in (W1, W2, W3.with_(batch=32), W3.with_(batch=128)):
            model = workload_model(wl)
            rows.append((f"{wl.label}, {model.design.training['epochs']} epochs", run_cost(model, 7)))
    print(f"{'run (CPU seconds, medians)':44} {'off s':>8} {'on s':>8} {'samples':>8} {'cost':>7}")
    for label, r in rows:
        print(f"{label:44} {r['seconds_off']:8.3f} {r['seconds_on']:8.3f} {r['samples']:8d} {r['cost']:7.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
