"""``python -m bench``: NetDesigner vs plain NumPy vs PyTorch CPU on the issue's workloads.

Parts (``--only`` picks some): W1 W2 W3 W4 (headline throughput), sweep (samples/s vs batch and
vs width), observers, digits, startup (cold and warm start), rss (peak RSS over 100 epochs),
profile (per-phase and per-op time of NetDesigner's step), cnn (the digits CNN) and rnn (LSTM,
GRU, SimpleRNN over 50-step sequences) — issue 13's rows, bench/cnn_rnn.py: bare executor,
1 batch per call and Model.fit against PyTorch eager/fused Adam, and the GEMM/conv share of the
step. Before any timing, a three-step parity check against PyTorch. Writes
bench/results/bench.json and bench.png.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from . import report
from .measure import blas_environment, describe_thread_policy, gemm_peak, load_blas_libraries, thread_policy
from .workloads import SWEEP_BATCHES, SWEEP_WIDTHS, W1, W2, W3, W4, headline, width_workload

PARTS = ("W1", "W2", "W3", "W4", "sweep", "observers", "digits", "startup", "rss", "profile", "cnn", "rnn")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fast smoke run: fewer sizes and repeats, no cold compile")
    ap.add_argument("--threads", type=int, nargs="+", default=None,
                    help="thread counts (default: 1 2; with --quick: 1)")
    ap.add_argument("--only", default="", help=f"comma-separated parts of {','.join(PARTS)}")
    ap.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if installed")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    only = {p.strip() for p in args.only.split(",") if p.strip()}
    unknown = only - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s) {sorted(unknown)}; choose from {', '.join(PARTS)}")
    want = (lambda p: not only or p in only)

    from .ref_torch import available
    from .suite import (Settings, elapsed, measure_case, measure_observers, measure_profiles, measure_rss,
                        measure_startup, np_info)
    load_blas_libraries()
    use_torch = available() and not args.no_torch
    s = Settings(args.quick, use_torch, args.seed)
    t0 = time.perf_counter()
    log = (lambda msg: print(f"[{elapsed(t0)}] {msg}", flush=True))
    threads = [str(t) for t in (args.threads or ([1] if args.quick else [1, 2]))]
    res = {"meta": {**np_info(), "quick": args.quick, "seed": args.seed, "dtype": "float32",
                    "loadavg_start": os.getloadavg(), "argv": sys.argv[1:],
                    "thread_policy": {t: describe_thread_policy(int(t)) for t in threads},
                    "blas": blas_environment()}}
    if not use_torch:
        log("PyTorch not available: install the bench extra (pip install 'netdesigner[bench]') for its column")
    wls = headline({p for p in only if p.startswith("W")} or None, args.quick) \
        if (not only or only & {"W1", "W2", "W3", "W4"}) else []

    # 1. parity before any timing
    from . import parity
    res["parity"] = []
    with thread_policy(1):
        for wl in wls:
            rec = parity.check(wl, args.seed, use_torch)
            res["parity"].append(rec)
            log(parity.format_record(rec))
    bad = {r["workload"] for r in res["parity"] if not r["passed"]}

    # 2. throughput, per thread count, everything under the same policy
    res["peak"], res["throughput"], res["sweep_batch"], res["sweep_width"] = {}, {}, {}, {}
    for t in threads:
        with thread_policy(int(t)):
            pk = gemm_peak()
            res["peak"][t] = pk
            log(f"threads {t}: sgemm 1024³ peak {pk['peak']:.0f} GFLOP/s (NumPy {pk['numpy']:.0f}, SciPy/numba {pk['scipy']:.0f})")
            res["throughput"][t] = []
            for wl in wls:
                if wl.label in bad:
                    log(f"{wl.label}: parity failed, not timed")
                    continue
                rec = measure_case(wl, s, pk["peak"])
                res["throughput"][t].append(rec)
                log(f"{wl.label} thr {t}: " + ", ".join(f"{k} {v['samples_per_s']:,.0f}/s" for k, v in rec["impls"].items()))
            if want("sweep"):
                res["sweep_batch"][t], res["sweep_width"][t] = [], []
                batches = (16, 64, 256) if not args.quick else (64,)
                known = {r["batch"]: r for r in res["throughput"][t] if r["workload"].startswith("W3 ")}
                for b in sorted(set(batches) | set(known)):
                    if b not in SWEEP_BATCHES:
                        continue
                    rec = known.get(b) or measure_case(W3.with_(batch=b), s, pk["peak"])
                    res["sweep_batch"][t].append(rec)
                widths = SWEEP_WIDTHS if not args.quick else (64, 512)
                for h in widths:
                    rec = measure_case(width_workload(h), s, pk["peak"])
                    rec["width"] = h
                    res["sweep_width"][t].append(rec)
                    log(f"width {h} thr {t}: " + ", ".join(f"{k} {v['samples_per_s']:,.0f}/s" for k, v in rec["impls"].items()))

            again = gemm_peak()     # again at the end of the block: the best of the two is the peak
            for k in ("numpy", "scipy", "peak"):
                pk[k] = max(pk[k], again[k])

    # 3. observers, digits, start-up, memory, profile
    with thread_policy(1):
        if want("observers"):
            res["observers"] = []
            for wl in ([W1, W2, W3] if not args.quick else [W2]):
                rec = measure_observers(wl, s)
                res["observers"].append(rec)
                log(f"observers {wl.label}: on (engine stats, core.stats) costs {rec['cost_on_jit']:.1%}, on (NumPy stats) {rec['cost_on_numpy']:.1%}")
    if want("digits"):
        from . import digits
        res["digits"] = {}
        for t in threads:
            with thread_policy(int(t)):
                res["digits"][t] = digits.run_all(args.seed, use_torch)
            log(f"digits thr {t}: " + ", ".join(f"{k} {v['train_s']:.3f}s acc {v['test_accuracy']:.3f}"
                                               for k, v in res["digits"][t].items() if isinstance(v, dict)))
    shaped = [p for p in ("cnn", "rnn") if want(p)]
    if shaped:
        from . import cnn_rnn
        res["cnn_rnn"] = cnn_rnn.run(shaped, [int(t) for t in threads], args.quick, log=log)
    if want("startup"):
        res["startup"] = measure_startup(s)
        log(f"start-up: warm {res['startup']['warm_s']:.2f}s" +
            (f", cold {res['startup']['cold_s']:.1f}s" if "cold_s" in res["startup"] else " (cold skipped in --quick)"))
    if want("rss"):
        res["rss"] = measure_rss(s)
        log("peak RSS (MiB) after epoch " + ", ".join(f"{k}: {v['hwm_kib'] / 1024:.1f}" for k, v in res["rss"]["after"].items()))
    if want("profile") and "1" in res["peak"]:
        with thread_policy(1):
            again = gemm_peak()
            for k in ("numpy", "scipy", "peak"):
                res["peak"]["1"][k] = max(res["peak"]["1"][k], again[k])
            bd = [W3.with_(batch=512), W4.with_(batch=128)] if not args.quick else []
            prof = [w for w in wls if w.label not in bad]
            if args.quick:
                prof = [w for w in prof if w.label == "W3 b128"]
            try:
                res["profile"] = measure_profiles(prof, res["peak"]["1"]["peak"], bd)
            except Exception as e:  # the engine's internals move; the rest of the report stands
                res["profile_error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"
                log(f"profile failed: {res['profile_error']}")
    for t in res["peak"]:            # GEMM fractions against the best peak seen in this run
        for key in ("throughput", "sweep_batch", "sweep_width"):
            for rec in res[key].get(t, []):
                if "step_gemm_gflops" in rec:
                    rec["step_gemm_fraction_of_peak"] = rec["step_gemm_gflops"] / res["peak"][t]["peak"]
    res["meta"]["loadavg_end"] = os.getloadavg()
    res["meta"]["seconds"] = time.perf_counter() - t0
    res["targets"] = report.targets(res)
    if res.get("cnn_rnn"):
        from .cnn_rnn import targets as cnn_rnn_targets
        res["targets"] += cnn_rnn_targets(res["cnn_rnn"])
    print_report(res)
    os.makedirs(args.out, exist_ok=True)
    report.write_json(res, os.path.join(args.out, "bench.json"))
    print(f"wrote {os.path.join(args.out, 'bench.json')}; " + report.write_png(res, os.path.join(args.out, "bench.png")))
    return 0


def print_report(res: dict) -> None:
    from .profile import format_profile
    m = res["meta"]
    print("\n" + "=" * 100)
    print(f"NetDesigner benchmark — {m.get('cpu', '?')} ({m['cpus']} CPUs), Python {m['python']}, numpy {m['numpy']}, "
          f"numba {m['numba']}, torch {m.get('torch')}, float32, seed {m['seed']}{', QUICK' if m['quick'] else ''}")
    for t, pol in m["thread_policy"].items():
        libs = ", ".join(f"{x['lib']}={x['threads']}" for x in pol["libraries"])
        print(f"thread policy {t}: {pol['rule']}; {libs}; torch intra-op {pol['torch_intra_op_threads']}; {pol['numba']}")
    print(f"load average start {m['loadavg_start'][0]:.2f}, end {m['loadavg_end'][0]:.2f} (other work on the machine skews timings)")
    for t, pk in res["peak"].items():
        print(f"BLAS sgemm 1024³ peak, {t} thread(s): {pk['peak']:.0f} GFLOP/s"
              + (f"; NetDesigner's own GEMM kernel (one thread): {pk['netdesigner']:.0f} GFLOP/s"
                 if "netdesigner" in pk else ""))
    blas = m.get("blas", {})
    archs = sorted({x.get("arch") or "?" for x in next(iter(m["thread_policy"].values()))["libraries"] if x["internal"] == "openblas"})
    line = f"OpenBLAS kernels: {', '.join(archs)}; environment {blas.get('env', {})}"
    wo = blas.get("without_coretype")
    if wo:
        line += (f"\n  without OPENBLAS_CORETYPE OpenBLAS picks {', '.join(wo['architectures'])}: 1-thread peak "
                 f"{wo['peak']:.0f} GFLOP/s (NumPy uses OpenBLAS; NetDesigner's Dense layers use their own kernels and PyTorch uses MKL, both unaffected)")
    print(line)
    print("\nSamples/s (median of repeated steady-state steps: forward + backward + optimizer update)")
    print(report.throughput_table(res))
    print("GEMM step = counted GEMM FLOPs / whole step time / peak; GEMM alone = the Dense layers' own GEMM kernel calls timed alone; peak = the BLAS sgemm peak above.\n"
          "Ratios: median over timing rounds (one repeat of each implementation per round) of the per-round ratio.\n"
          "busy * = fewer clean rounds than asked: other processes used ≥ 0.3 core during the kept rounds "
          "(this machine is shared), so that row's samples/s are low; its ratios less so.")
    for key, title in (("sweep_batch", "\nBatch sweep (W3)"), ("sweep_width", "\nWidth sweep (784-h-h-10, batch 128)")):
        txt = report.sweep_table(res, key, title)
        if txt:
            print(txt)
    if res.get("digits"):
        print("\nDigits (30 epochs, training time only, compile excluded)")
        for t, d in res["digits"].items():
            print(f"  thr {t}: " + "; ".join(f"{k} {v['train_s']:.3f} s, test acc {v['test_accuracy']:.1%}"
                                            + (" *" if v.get("others_busy_cores", 0) >= 0.3 else "")
                                            for k, v in d.items() if isinstance(v, dict)))
    prof = res.get("profile")
    if prof:
        print("\nNetDesigner step profile (1 thread, phases timed separately inside numba; * = no timing free of other load)")
        for p in prof["phases"]:
            print(format_profile(p))
        for label, rows in prof["ops"].items():
            print(f"  per-op µs, {label} (prefix differences):")
            for r in rows:
                print(f"    {r['op']:<24} fwd {r['forward_us']:8.1f}  bwd {r['backward_us']:8.1f}")
    if res.get("cnn_rnn"):
        from .cnn_rnn import format_row, format_share
        print("\nImage and sequence networks (issue 13): samples/s, ND / the faster PyTorch form; load average")
        for r in res["cnn_rnn"]["rows"]:
            print("  " + format_row(r))
        print("GEMM/convolution share of the step (1 thread, each layer's kernels timed alone):")
        for sh in res["cnn_rnn"]["share"]:
            print("  " + format_share(sh))
    print("\nTargets (judged on 1 thread)")
    print(report.format_targets(res["targets"]))
    print(f"\ntotal {m['seconds']:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
