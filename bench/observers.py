"""What "observers on" costs: per-batch loss plus per-layer statistics every `stats_interval`
batches (the dashboard's default, 50 — core/settings.py), against observers off.

The engine writes every batch's loss into the ``losses`` array anyway; observing it means copying
each chunk's losses out. Per-layer statistics are what the dashboard shows (gradient flow,
histograms): per weight tensor mean, std, min, max, ‖w‖, ‖g‖ and a 30-bin histogram; per
activation tensor of the last batch mean, std, fraction of zeros and a 30-bin histogram.
Two collectors: plain NumPy (how a GUI-side observer is naturally written) and the engine's own
``core.stats.layer_stats`` (jitted passes over the arenas) — what the trainer really emits.
"""
from __future__ import annotations

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
