"""The printed table, the verdict on the issue's targets, and the JSON / PNG files."""
from __future__ import annotations

import json
import os

IMPLS = ("NetDesigner", "NumPy", "PyTorch")
# workload -> (× PyTorch, × NumPy), judged on one thread.
RATIO_TARGETS = {"W1 b10": (50.0, 10.0), "W2 b32": (8.0, 3.0),
                 "W3 b32": (1.3, None), "W3 b128": (1.2, None), "W3 b512": (1.0, None),
                 "W4 b32": (1.3, None), "W4 b128": (1.2, None), "W4 b512": (1.0, None)}
GEMM_TARGET = 0.80
OBS_TARGET = 0.05
WARM_TARGET_S = 1.5
DIGITS_TARGET = (0.1, 0.96)


def _sps(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.1f}k"


def _ratio(x) -> str:
    return "—" if x is None else f"{x:.2f}×"


def _busy(rec: dict, t: str) -> str:
    """'*' when too few timing rounds were free of other processes (see the footnote)."""
    return "*" if rec.get("rounds", {}).get("contended") else ""


def ratio(rec: dict, other: str):
    """NetDesigner / other: the median over timing rounds of the per-round ratio."""
    return rec.get(f"round_ratio_vs_{other}", rec.get(f"ratio_vs_{other}"))


def throughput_table(res: dict) -> str:
    threads = sorted(res["throughput"], key=int)
    head = f"{'workload':<10}{'thr':>4}" + "".join(f"{n:>13}" for n in IMPLS) + \
        f"{'ND/Torch':>10}{'ND/NumPy':>10}{'GEMM step':>11}{'GEMM alone':>11}{'parity':>8}"
    lines = [head, "-" * len(head)]
    parity = {p["workload"]: p["passed"] for p in res.get("parity", [])}
    alone = {p["workload"]: p["gemm_fraction_of_peak_alone"] for p in res.get("profile", {}).get("phases", [])}
    labels = list(dict.fromkeys(r["workload"] for t in threads for r in res["throughput"][t]))
    for label in labels:
        for t in threads:
            rec = next((r for r in res["throughput"][t] if r["workload"] == label), None)
            if rec is None:
                continue
            cells = "".join(f"{_sps(rec['impls'].get(n, {}).get('samples_per_s')):>13}" for n in IMPLS)
            frac = rec.get("step_gemm_fraction_of_peak")
            ga = alone.get(label) if t == "1" else None
            lines.append(f"{label:<10}{t:>4}{cells}{_ratio(ratio(rec, 'PyTorch')):>10}"
                         f"{_ratio(ratio(rec, 'NumPy')):>10}{'—' if frac is None else f'{100 * frac:.0f}%':>11}"
                         f"{'' if ga is None else f'{100 * ga:.0f}%':>11}"
                         f"{('ok' if parity.get(label) else 'FAIL') if label in parity else '':>8}  {_busy(rec, t)}")
    return "\n".join(lines)


def sweep_table(res: dict, key: str, title: str) -> str:
    data = res.get(key)
    if not data:
        return ""
    lines = [title]
    for t in sorted(data, key=int):
        for rec in data[t]:
            cells = "  ".join(f"{n} {_sps(rec['impls'].get(n, {}).get('samples_per_s'))}" for n in IMPLS)
            lines.append(f"  {rec['workload']:<14} thr {t}: {cells}  ND/Torch {_ratio(ratio(rec, 'PyTorch'))}"
                         f"  ND/NumPy {_ratio(ratio(rec, 'NumPy'))}"
                         f"  GEMM {100 * rec.get('step_gemm_fraction_of_peak', 0):.0f}% of peak {_busy(rec, t)}")
    return "\n".join(lines)


def targets(res: dict) -> list[dict]:
    """Each target with its measured value and met / missed (one-thread numbers)."""
    out = []
    one = {r["workload"]: r for r in res.get("throughput", {}).get("1", [])}
    two = {r["workload"]: r for r in res.get("throughput", {}).get("2", [])}
    alone = {p["workload"]: p["gemm_fraction_of_peak_alone"] for p in res.get("profile", {}).get("phases", [])}
    for label, (vs_t, vs_n) in RATIO_TARGETS.items():
        rec = one.get(label)
        if rec is None:
            continue
        for other, goal in (("PyTorch", vs_t), ("NumPy", vs_n)):
            got = ratio(rec, other)
            if goal is None or got is None:
                continue
            t2 = ratio(two[label], other) if label in two else None
            out.append({"target": f"{label} ≥ {goal}× {other}", "value": f"{got:.2f}×"
                        + (f" (2 thr {t2:.2f}×)" if t2 else ""), "met": got >= goal})
        if label.startswith(("W3", "W4")) and label in alone:
            out.append({"target": f"{label} GEMMs ≥ {GEMM_TARGET:.0%} of BLAS peak",
                        "value": f"GEMMs alone {alone[label]:.0%}, whole step {rec['step_gemm_fraction_of_peak']:.0%}",
                        "met": alone[label] >= GEMM_TARGET})
    d = res.get("digits", {}).get("1")
    if d:
        nd = d["NetDesigner"]
        out.append({"target": f"digits 30 epochs ≤ {DIGITS_TARGET[0]} s at ≥ {DIGITS_TARGET[1]:.0%}",
                    "value": f"{nd['train_s']:.3f} s, {nd['test_accuracy']:.1%} (sklearn "
                             f"{d['scikit-learn']['train_s']:.2f} s)",
                    "met": nd["train_s"] <= DIGITS_TARGET[0] and nd["test_accuracy"] >= DIGITS_TARGET[1]})
    for rec in res.get("observers", []):
        out.append({"target": f"observers on {rec['workload']} cost ≤ {OBS_TARGET:.0%}",
                    "value": f"engine stats {rec['cost_on_jit']:.1%} (a plain NumPy collector: {rec['cost_on_numpy']:.1%})",
                    "met": rec["cost_on_jit"] <= OBS_TARGET})
    st = res.get("startup")
    if st:
        cold = f", cold {st['cold_s']:.1f} s" if "cold_s" in st else ""
        out.append({"target": f"warm start ≤ {WARM_TARGET_S} s to first batch", "value": f"{st['warm_s']:.2f} s{cold}",
                    "met": st["warm_s"] <= WARM_TARGET_S})
    rss = res.get("rss")
    if rss:
        a = rss["after"]
        out.append({"target": f"peak RSS flat over {rss['epochs']} epochs of W3",
                    "value": " / ".join(f"ep{k} {v['hwm_kib'] / 1024:.1f} MiB" for k, v in a.items()),
                    "met": rss["flat"]})
    return out


def format_targets(ts: list[dict]) -> str:
    w = max((len(t["target"]) for t in ts), default=10)
    return "\n".join(f"  [{'met ' if t['met'] else 'MISS'}] {t['target']:<{w}}  {t['value']}" for t in ts)


def write_json(res: dict, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(res, f, indent=1, default=float)


def write_png(res: dict, path: str) -> str:
    if not any(res.get("sweep_batch", {}).values()) and not any(res.get("sweep_width", {}).values()):
        return "no sweep measured: no PNG written"
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install 'netdesigner[bench]'): no PNG written"
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    colors = {"NetDesigner": "tab:blue", "NumPy": "tab:orange", "PyTorch": "tab:green"}
    for ax, key, xkey, xlabel in ((axes[0], "sweep_batch", "batch", "batch size (W3 784-512-256-10)"),
                                  (axes[1], "sweep_width", "width", "hidden width h (784-h-h-10, batch 128)")):
        for t, recs in sorted(res.get(key, {}).items()):
            for n in IMPLS:
                pts = [(r[xkey], r["impls"][n]["samples_per_s"]) for r in recs if n in r["impls"]]
                if pts:
                    xs, ys = zip(*sorted(pts))
                    ax.plot(xs, ys, "-" if t == "1" else "--", marker="o", color=colors[n], label=f"{n}, {t} thr")
                bad = [(r[xkey], r["impls"][n]["samples_per_s"]) for r in recs
                       if n in r["impls"] and r.get("rounds", {}).get("contended")]
                if bad:
                    ax.plot(*zip(*bad), "x", color="black", markersize=9)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("samples / s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("NetDesigner vs NumPy vs PyTorch CPU (float32, training steps; × = measured while other "
                 "processes used the CPU)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f"wrote {path}"
