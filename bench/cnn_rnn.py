"""Issue 13's image and sequence rows, side by side with PyTorch CPU: ``python -m bench.cnn_rnn``.

Workloads (bench/workloads.py): the digits CNN (digits_images 8×8×1 → Conv 3×3×16 same ReLU →
MaxPool 2 → Conv 3×3×32 same ReLU → MaxPool 2 → Flatten → Dense 10, softmax + sparse CE, batch
32) and a recurrent layer (sequence 50, 8 features, 64 units, batch 32, synthetic data; LSTM, GRU
and SimpleRNN) → Dense 10. All with Adam lr 1e-3 and the same initial weights.

Per workload and thread count (1 and 2 by default), interleaved in rounds so load hits all alike:
- NetDesigner bare executor: ``train_batches``, the fused loop (many batches per call);
- the same executor called once per batch (stepping from Python as the references do: bare /
  1-per-call is the part of a ratio that fusing batches explains);
- the product path: ``Model.fit`` with the statistics the dashboard collects (median epoch);
- PyTorch at the same thread count (``torch.set_num_threads``), eager ``Adam`` and
  ``Adam(fused=True)``, NCHW ``nn.Conv2d`` / ``nn.LSTM``/``nn.GRU``/``nn.RNN`` (batch_first);
  ratios are NetDesigner / the faster PyTorch form.
Before timing, a parity check: the first steps' losses of NetDesigner and PyTorch agree (for LSTM
and SimpleRNN the reference's redundant second bias is frozen in that check only: PyTorch keeps
``bias_ih`` and ``bias_hh`` where Keras keeps their sum, and Adam moves two biases twice as far).
Then, at one thread, the share of the step spent in convolution/GEMM (``kernel_share``) and
(without --quick) per-op forward/backward µs from prefix networks (bench/profile.op_breakdown).

The load average is recorded with every row: on a shared machine the numbers are indicative.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from .measure import load_blas_libraries, time_interleaved
from .netdesigner_runner import NetDesignerRunner
from .workloads import CNN, GRU, LSTM, SIMPLE_RNN, Workload, batch_order, make_data

PARTS = {"cnn": (CNN,), "rnn": (LSTM, GRU, SIMPLE_RNN)}
TARGETS = {"cnn": 2.0, "lstm": 1.5, "gru": 1.5}      # issue 13, one thread, vs the faster PyTorch form
CYCLE = 48       # batches in one order cycle (and the fused call's chunk)
ROUNDS = 4       # interleaved rounds of the kernel-share timings (best of all)


# ----------------------------------------------------------------------------------- parity
def parity(wl: Workload, steps: int = 4, seed: int = 0) -> dict:
    """Losses of the first `steps` Adam steps, NetDesigner vs PyTorch, same weights and batches."""
    from .ref_torch import TorchRunner
    X, Y = make_data(wl, seed)
    order = batch_order(len(X), wl.batch, steps, seed)
    nd = NetDesignerRunner(wl, X, Y, order, seed=seed, chunk=steps)
    tr = TorchRunner(wl, X, Y, order, nd.get_weights(), seed)
    if wl.kind in ("lstm", "simple_rnn"):
        tr.model.rnn.bias_hh_l0.requires_grad_(False)     # Keras has one bias: the sum of torch's two
    nd.run(steps)
    tr.run(steps)
    diff = float(np.max(np.abs(nd.step_losses(steps) - tr.step_losses(steps))))
    return {"workload": wl.label, "steps": steps, "netdesigner": nd.step_losses(steps).tolist(),
            "torch": tr.step_losses(steps).tolist(), "max_abs_diff": diff, "passed": diff < 1e-3}


# ----------------------------------------------------------------------------------- rows
def _torch_runners(wl, X, Y, order, weights) -> dict:
    from . import ref_torch
    if not ref_torch.available():
        return {}
    import torch
    eager = ref_torch.TorchRunner(wl, X, Y, order, weights)
    fused = ref_torch.TorchRunner(wl, X, Y, order, weights)
    fused.opt = torch.optim.Adam(fused.model.parameters(), lr=wl.lr, betas=(0.9, 0.999), eps=1e-8, fused=True)
    return {"torch_adam": eager.run, "torch_adam_fused": fused.run}


def measure_row(wl: Workload, t: int, repeats: int, target_s: float, epochs: int, product: bool = True) -> dict:
    from .scaling import product_path_rate, threads_for_all
    X, Y = make_data(wl, 0)
    order = batch_order(len(X), wl.batch, CYCLE)
    nd = NetDesignerRunner(wl, X, Y, order, chunk=CYCLE)
    nd.ex.threads = t
    one = NetDesignerRunner(wl, X, Y, order, chunk=1)
    one.ex.threads = t
    runs = {"netdesigner": nd.run, "netdesigner_1_per_call": one.run,
            **_torch_runners(wl, X, Y, order, nd.get_weights())}
    load0 = os.getloadavg()[0]
    with threads_for_all(t):
        res = time_interleaved(runs, wl.batch, target_s, repeats, warmup=2, max_rounds=repeats, busy_limit=10.0)
        fit = product_path_rate(wl, X, Y, t, epochs) if product else None
    row = {"workload": wl.label, "kind": wl.kind, "threads": t, "batch": wl.batch, "note": wl.note,
           "load_avg_1min": [load0, os.getloadavg()[0]],
           "samples_per_s": {name: res[name]["samples_per_s"] for name in runs},
           "product_path_samples_per_s": fit, "others_busy_cores": res["_rounds"]["kept_max_busy"]}
    # Best run of each (the least disturbed on a loaded machine) and the median of per-round ratios
    # (one run of each per round, so slow load changes cancel) beside the medians.
    row["best_samples_per_s"] = {name: max(res[name]["runs"]) for name in runs}
    rr = res["_round_ratios"]
    torch_rates = [row["samples_per_s"][k] for k in ("torch_adam", "torch_adam_fused") if k in row["samples_per_s"]]
    if torch_rates:
        best = max(torch_rates)
        s = row["samples_per_s"]
        row["vs_faster_torch"] = {"bare": s["netdesigner"] / best,
                                  "one_batch_per_call": s["netdesigner_1_per_call"] / best}
        b = row["best_samples_per_s"]
        row["vs_faster_torch_best_runs"] = {"bare": b["netdesigner"] / max(b["torch_adam"], b["torch_adam_fused"])}
        row["vs_faster_torch_round_median"] = {"bare": min(rr["netdesigner/torch_adam"],
                                                           rr["netdesigner/torch_adam_fused"])}
        if fit:
            row["vs_faster_torch"]["product"] = fit / best
        target = TARGETS.get(wl.kind)
        if target and t == 1:
            row["target"] = {"ratio": target, "met_bare": s["netdesigner"] / best >= target,
                             "met_product": bool(fit and fit / best >= target)}
    return row


# ------------------------------------------------------------------------- GEMM / conv share
def _min_time(fn, seconds: float, inner: int = 0) -> float:
    """Seconds per call of fn: the best of repeated batches of `inner` calls over `seconds`
    (inner 0: as many as take about 2 ms — short samples dodge other processes' time slices)."""
    fn()
    if not inner:
        t0 = time.perf_counter()
        fn()
        inner = max(1, int(0.002 / max(time.perf_counter() - t0, 1e-9)))
    best, end = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return best


def _full_step(wl: Workload):
    """One fused-loop call of 4 steps (train_batches), as a function; divide its time by 4."""
    X, Y = make_data(wl, 0)
    order = batch_order(len(X), wl.batch, CYCLE)
    r = NetDesignerRunner(wl, X, Y, order, chunk=CYCLE)
    r.ex.threads = 1
    return lambda: r.run(4)


def _dense_head(n, k, m, rng):
    from core.kernels.dense import dense_backward, dense_forward
    f = np.float32
    x, W, b = rng.standard_normal((n, k)).astype(f), rng.standard_normal((k, m)).astype(f), np.zeros(m, f)
    y, dy = np.empty((n, m), f), rng.standard_normal((n, m)).astype(f)
    dW, db, dx, scratch = np.empty((k, m), f), np.empty(m, f), np.empty((n, k), f), np.empty(k * m, f)

    def run():
        dense_forward(x, W, b, True, y, False, 1)
        dense_backward(x, W, dy, dW, db, True, True, dx, True, False, scratch, False, 1)
    return run


def _cnn_parts(wl: Workload, rng) -> dict:
    from . import conv_kernels
    from .conv_kernels import conv_pair, pool_pair
    if (conv_kernels.N, wl.sample_shape) != (wl.batch, (8, 8, 1)):
        raise ValueError(f"{wl.label}: bench/conv_kernels.py times batch {conv_kernels.N} 8x8x1 layers")
    return {"conv1 (im2col+GEMM, no dx)": conv_pair(8, 8, 1, 16, False, rng)[0],
            "maxpool1": pool_pair(8, 8, 16, rng)[0],
            "conv2 (im2col+GEMM+col2im)": conv_pair(4, 4, 16, 32, True, rng)[0],
            "maxpool2": pool_pair(4, 4, 32, rng)[0],
            "dense head (GEMM)": _dense_head(wl.batch, 128, wl.n_out, rng)}


def _recurrent_layer(wl: Workload, rng):
    """The recurrent layer's forward + backward through time as the network runs it: last state
    only (return_sequences False), no dx (its input is data), weight gradients and the per-step
    gradient norms."""
    from core.kernels import recurrent as R
    n, (T, F), H = wl.batch, wl.sample_shape, wl.sizes[1]
    G = {"lstm": 4, "gru": 3, "simple_rnn": 1}[wl.kind]
    f = np.float32
    x = rng.normal(size=(n, T * F)).astype(f)
    W, U = rng.uniform(-0.2, 0.2, (F, G * H)).astype(f), rng.uniform(-0.2, 0.2, (H, G * H)).astype(f)
    b = np.zeros(2 * G * H if wl.kind == "gru" else G * H, f)
    aux_size, scratch_size = {"lstm": (R.lstm_aux_size, R.lstm_scratch_size), "gru": (R.gru_aux_size, R.gru_scratch_size),
                              "simple_rnn": (R.simple_rnn_aux_size, R.simple_rnn_scratch_size)}[wl.kind]
    aux, scratch = np.zeros(n * aux_size(T, H), f), np.zeros(scratch_size(n, H), f)
    y, dy = np.zeros((n, H), f), rng.normal(size=(n, H)).astype(f)
    dx, dW, dU, db, gnorm = np.zeros_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros_like(b), np.zeros(T)
    if wl.kind == "simple_rnn":
        def run():
            R.simple_rnn_forward(x, W, U, b, True, R.ACT_TANH, False, y, aux, scratch, 1)
            R.simple_rnn_backward(x, W, U, True, R.ACT_TANH, False, dy, aux, dW, dU, db, True, dx, False, False,
                                  scratch, gnorm, 1)
    else:
        fwd, bwd = {"lstm": (R.lstm_forward, R.lstm_backward), "gru": (R.gru_forward, R.gru_backward)}[wl.kind]

        def run():
            fwd(x, W, U, b, True, False, y, aux, scratch, 1)
            bwd(x, W, U, True, False, dy, aux, dW, dU, db, True, dx, False, False, scratch, gnorm, 1)
    return run


def _recurrent_parts(wl: Workload, rng) -> dict:
    return {f"{wl.kind} layer (GEMMs + gates, through time, no dx)": _recurrent_layer(wl, rng),
            "dense head (GEMM)": _dense_head(wl.batch, wl.sizes[1], wl.n_out, rng)}


def _recurrent_gemm_seconds(wl: Workload, seconds: float) -> float:
    """The products inside the recurrent layer alone, at their shapes, with the engine's GEMM:
    forward x·W over all n·T rows plus T steps of h·U; backward dW = xᵀ·dz, and T steps of dz·Uᵀ
    and hᵀ·dz (timed as row-major products of the same sizes; no dx: the layer's input is data)."""
    from numba import njit

    from core.kernels.gemm import gemm_nn

    @njit(cache=False)
    def products(reps, A, B, C, n, T, F, H, G):
        for _ in range(reps):
            nT = n * T
            gemm_nn(A, 0, F, 1, B, 0, G * H, C, 0, G * H, nT, F, G * H, False)          # x·W
            gemm_nn(A, 0, nT, 1, B, 0, G * H, C, 0, G * H, F, nT, G * H, False)         # xᵀ·dz (dW)
            for _t in range(T):
                gemm_nn(A, 0, H, 1, B, 0, G * H, C, 0, G * H, n, H, G * H, True)        # h·U
                gemm_nn(A, 0, G * H, 1, B, 0, H, C, 0, H, n, G * H, H, True)            # dz·Uᵀ
                gemm_nn(A, 0, n, 1, B, 0, G * H, C, 0, G * H, H, n, G * H, True)        # hᵀ·dz (dU)

    G = {"lstm": 4, "gru": 3, "simple_rnn": 1}[wl.kind]
    n, (T, F), H = wl.batch, wl.sample_shape, wl.sizes[1]
    big = n * T * max(F, G * H)
    A = np.full(big, 0.01, np.float32)
    B = np.full(big, 0.01, np.float32)
    C = np.zeros(big, np.float32)
    return _min_time(lambda: products(1, A, B, C, n, T, F, H, G), seconds)


def kernel_share(wl: Workload, seconds: float = 0.5) -> dict:
    """One thread: each layer's kernels alone (forward + backward, called from Python at the
    layer's shapes, so a few µs of call overhead each) against the whole fused step. The GEMM /
    convolution share is (conv layers + Dense head [+ the recurrent layer's products]) / step."""
    from .measure import thread_policy
    rng = np.random.default_rng(0)
    with thread_policy(1):
        parts = _cnn_parts(wl, rng) if wl.kind == "cnn" else _recurrent_parts(wl, rng)
        parts["_step4"] = _full_step(wl)
        times = {name: float("inf") for name in parts}
        for _ in range(ROUNDS):        # interleaved rounds: a burst of load cannot hit one item only
            for name, fn in parts.items():
                times[name] = min(times[name], _min_time(fn, seconds / ROUNDS))
        step = times.pop("_step4") / 4
        out = {"workload": wl.label, "step_us": 1e6 * step, "parts_us": {k: 1e6 * v for k, v in times.items()}}
        if wl.kind == "cnn":
            gemm_conv = sum(v for k, v in times.items() if k.startswith(("conv", "dense")))
        else:
            prod = min(_recurrent_gemm_seconds(wl, seconds / ROUNDS) for _ in range(ROUNDS))
            out["recurrent_products_us"] = 1e6 * prod
            gemm_conv = prod + times["dense head (GEMM)"]
            rec = next(v for k, v in times.items() if "through time" in k)
            out["recurrent_layer_products_share"] = prod / rec
        out["gemm_conv_share_of_step"] = gemm_conv / step
        out["layer_kernels_share_of_step"] = sum(times.values()) / step
        out["rest_us"] = 1e6 * max(0.0, step - sum(times.values()))
        out["load_avg_1min"] = os.getloadavg()[0]
    return out


# ----------------------------------------------------------------------------------- driver
def run(parts=("cnn", "rnn"), threads=(1, 2), quick: bool = False, log=print, product: bool = True) -> dict:
    load_blas_libraries()
    repeats, target_s, epochs, share_s = (2, 0.08, 1, 0.2) if quick else (7, 0.4, 3, 1.2)
    wls = [wl for p in parts for wl in PARTS[p]]
    if quick:
        wls = [wl for wl in wls if wl.kind != "simple_rnn"]
    out = {"quick": quick, "parity": [], "rows": [], "share": []}
    from .measure import thread_policy
    with thread_policy(1):
        for wl in wls:
            rec = parity(wl)
            out["parity"].append(rec)
            log(f"parity {wl.label}: max |Δloss| over {rec['steps']} steps {rec['max_abs_diff']:.2e} "
                f"{'ok' if rec['passed'] else 'FAILED'}")
    bad = {r["workload"] for r in out["parity"] if not r["passed"]}
    for wl in wls:
        if wl.label in bad:
            log(f"{wl.label}: parity failed, not timed")
            continue
        for t in threads:
            row = measure_row(wl, t, repeats, target_s, epochs, product)
            out["rows"].append(row)
            log(format_row(row))
    for wl in wls:
        sh = kernel_share(wl, share_s)
        out["share"].append(sh)
        log(format_share(sh))
    if not quick:           # per op, by differences of prefix networks (bench/profile.py): noisy when loaded
        from .profile import op_breakdown
        out["ops"] = {}
        with thread_policy(1):
            for wl in wls:
                out["ops"][wl.label] = op_breakdown(wl)
                log(f"per-op µs, {wl.label} (prefix differences, 1 thread; load {os.getloadavg()[0]:.1f}): "
                    + ", ".join(f"{r['op']} {r['forward_us']:.0f}+{r['backward_us']:.0f}" for r in out["ops"][wl.label]))
    return out


def targets(res: dict) -> list[dict]:
    """Issue 13's one-thread targets in the main report's form (target, value, met)."""
    out = []
    for r in res.get("rows", []):
        if "target" in r:
            v = r["vs_faster_torch"]
            out.append({"target": f"{r['workload']} ≥ {r['target']['ratio']}× the faster PyTorch Adam (1 thr)",
                        "value": f"bare {v['bare']:.2f}×, Model.fit {v.get('product', float('nan')):.2f}× "
                                 f"(load {r['load_avg_1min'][0]:.1f})",
                        "met": r["target"]["met_bare"]})
    return out


def format_row(r: dict) -> str:
    s, v, nan = r["samples_per_s"], r.get("vs_faster_torch", {}), float("nan")
    fit = r["product_path_samples_per_s"] or nan
    return (f"{r['workload']:12s} thr {r['threads']} ND bare {s['netdesigner']:8.0f} 1/call {s['netdesigner_1_per_call']:8.0f} "
            f"fit {fit:8.0f} | torch Adam {s.get('torch_adam', nan):8.0f} fused {s.get('torch_adam_fused', nan):8.0f} "
            f"| ND/torch bare {v.get('bare', nan):5.2f}× 1/call {v.get('one_batch_per_call', nan):5.2f}× "
            f"fit {v.get('product', nan):5.2f}× (bare: best runs "
            f"{r.get('vs_faster_torch_best_runs', {}).get('bare', nan):.2f}×, round median "
            f"{r.get('vs_faster_torch_round_median', {}).get('bare', nan):.2f}×) | load {r['load_avg_1min'][0]:.1f}→{r['load_avg_1min'][1]:.1f}"
            + (f" | target {r['target']['ratio']}×: {'met' if r['target']['met_bare'] else 'NOT met'}"
               if "target" in r else ""))


def format_share(sh: dict) -> str:
    parts = ", ".join(f"{k} {v:.0f}" for k, v in sh["parts_us"].items())
    extra = (f"; the recurrent layer's products alone {sh['recurrent_products_us']:.0f} µs "
             f"({sh['recurrent_layer_products_share']:.0%} of that layer)" if "recurrent_products_us" in sh else "")
    return (f"{sh['workload']:12s} step {sh['step_us']:.0f} µs (1 thread); kernels alone µs: {parts}{extra}; "
            f"GEMM/conv {sh['gemm_conv_share_of_step']:.0%} of the step, all layer kernels "
            f"{sh['layer_kernels_share_of_step']:.0%}, rest {sh['rest_us']:.0f} µs (load {sh['load_avg_1min']:.1f})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.cnn_rnn", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short repeats, no SimpleRNN (a sanity run)")
    ap.add_argument("--only", default="cnn,rnn", help="comma-separated of cnn, rnn")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--no-product", action="store_true", help="leave the Model.fit row out")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "cnn_rnn.json"))
    args = ap.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    bad = set(parts) - set(PARTS)
    if bad:
        ap.error(f"unknown part(s) {sorted(bad)}; choose from {', '.join(PARTS)}")
    t0 = time.perf_counter()
    res = run(parts, [int(x) for x in args.threads.split(",")], args.quick,
              log=lambda m: print(f"[{time.perf_counter() - t0:6.1f}s] {m}", flush=True), product=not args.no_product)
    res["meta"] = {"cpus": os.cpu_count(), "argv": sys.argv[1:], "seconds": time.perf_counter() - t0}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
