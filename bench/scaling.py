"""Thread scaling, side by side: ``python -m bench.scaling`` writes ``bench/results/scaling.json``.

For threads 1, 2 and every power of two up to the physical cores, on W3 (784-512-256-10) at batch
128 and 512, W5 (784-2048-2048-10) at batch 256 and the digits CNN (bench/workloads.CNN, batch 32):
- NetDesigner, bare executor (``train_batches``, the fused loop: many batches per call), the same
  executor called once per batch (``netdesigner_1_per_call``: stepping from Python as the
  references do, so bare / 1-per-call is the share of a ratio that fusing batches explains) and
  the *product path* (``Model.fit`` with the statistics the dashboard collects, epoch by epoch);
- PyTorch CPU at the same thread count, eager ``Adam`` and ``Adam(fused=True)`` (both step from
  Python, one batch per call); ratios are against the faster of the two;
- samples/s, speed-up over one thread and parallel efficiency (speed-up / threads);
- the bare executor's speed-up again, *paired*: every thread count timed in the same interleaved
  rounds, the median of per-round ratios (``paired_speedups``; ``--paired-only`` runs just that).
  The rows above time each thread count minutes apart, and this virtual machine's speed drifts
  by up to 20% over minutes, so the paired figure is the one to judge scaling by;
- the layer products alone at the same shapes: the own kernels, ``torch.mm`` and OpenBLAS
  (NumPy's ``np.dot``) in GFLOP/s, and the hardware's float32 FMA peak
  (cores × FMA units × lanes × 2 × measured clock; see ``fma_peak``).

``--threshold`` instead prints the serial/parallel crossover of the own GEMM (the table behind
``core/kernels/dense.PARALLEL_MIN_MACS``). ``--quick`` runs few, short repeats (a sanity run).
Numbers from a loaded machine are noise: each result records the load average.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time

import numpy as np

from .measure import load_blas_libraries, time_interleaved
from .netdesigner_runner import NetDesignerRunner
from .workloads import CNN, W3, Workload, batch_order, build_graph, make_data

W5 = W3.with_(name="W5", sizes=(784, 2048, 2048, 10), batch=256, note="784-2048-2048-10 ReLU, Adam, CE")
CASES = [W3.with_(batch=128), W3.with_(batch=512), W5, CNN]
CYCLE = 64       # batches in one order cycle


def thread_counts(cores: int) -> list[int]:
    out, t = [1], 2
    while t <= cores:
        out.append(t)
        t *= 2
    return out


@contextlib.contextmanager
def threads_for_all(t: int):
    """numba's pool (this Python thread), torch's intra-op pool and BLAS all at t threads."""
    import numba
    from threadpoolctl import threadpool_limits

    from core.threads import configure_threading_layer
    configure_threading_layer()
    load_blas_libraries()
    torch = None
    with contextlib.suppress(ImportError):
        import torch
    old = (numba.get_num_threads(), torch.get_num_threads() if torch else None)
    numba.set_num_threads(min(t, numba.config.NUMBA_NUM_THREADS))
    if torch:
        torch.set_num_threads(t)
    try:
        with threadpool_limits(t):
            yield
    finally:
        numba.set_num_threads(old[0])
        if torch:
            torch.set_num_threads(old[1])


# ------------------------------------------------------------------------------ hardware peak
def measured_clock_ghz(seconds: float = 1.0) -> float:
    """Core clock from a dependent chain of 1-cycle integer ops (add then xor: 2 cycles per
    iteration on every x86-64 since 2006), best of several runs."""
    from numba import njit

    @njit(cache=False)
    def chain(n, x):
        for i in range(n):
            x = (x + 1) ^ 0x5DEECE66D
            x = (x + 1) ^ 0x5DEECE66D
            x = (x + 1) ^ 0x5DEECE66D
            x = (x + 1) ^ 0x5DEECE66D
        return x

    n = 1 << 22
    chain(10, 1)
    best, end = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        chain(n, 3)
        best = min(best, time.perf_counter() - t)
    return n * 4 * 2 / best / 1e9


def fma_units_and_lanes() -> tuple[int, int, str]:
    """(FMA units per core, float32 lanes per unit, why), from the CPU's flags and vendor — the
    table's guess, which ``fma_peak`` checks against a measured FMA throughput. Intel server cores
    with AVX-512 have two 512-bit FMA units (some low-end parts have one); AMD Zen 4 runs AVX-512
    on two 256-bit pipes, Zen 5 (family 1Ah) on two 512-bit ones (the laptop parts keep 256-bit
    pipes — measured throughput decides); AVX2 cores of both vendors since Haswell / Zen 2 have
    two 256-bit FMA units; Zen 1 has two 128-bit FMA pipes."""
    try:
        info = open("/proc/cpuinfo").read()
    except OSError:
        info = ""
    flags = next((ln.split(":", 1)[1].split() for ln in info.splitlines() if ln.startswith("flags")), [])
    amd = "AuthenticAMD" in info
    family = next((int(ln.split(":")[1]) for ln in info.splitlines() if ln.startswith("cpu family")), 0)
    if "avx512f" in flags and not amd:
        return 2, 16, "Intel AVX-512: 2 × 512-bit FMA"
    if "avx512f" in flags and amd and family >= 0x1A:
        return 2, 16, "AMD Zen 5: AVX-512 on 2 × 512-bit FMA pipes"
    if "avx512f" in flags and amd:
        return 2, 8, "AMD Zen 4: AVX-512 on 2 × 256-bit FMA pipes"
    if "fma" in flags and amd and family == 0x17 and "avx2" in flags and "clwb" not in flags:
        return 2, 4, "AMD Zen 1/+: 2 × 128-bit FMA"
    if "fma" in flags:
        return 2, 8, "AVX2: 2 × 256-bit FMA"
    return 1, 4, "no FMA: SSE"


def _fma_chains():
    """A jitted fn(iterations) running 12 independent chains of host-width float32 vector FMAs
    (enough to cover the FMA latency of every x86 core): the core's FMA throughput, measured."""
    from llvmlite import ir
    from numba import njit, types
    from numba.core import cgutils
    from numba.extending import intrinsic

    from core.kernels.gemm import _Vec

    @intrinsic
    def chains(typingctx, iterations):
        sig = types.float32(iterations)

        def codegen(context, builder, signature, args):
            V = _Vec(context, builder, types.float32)
            one = ir.Constant(V.vty, [1.0000001] * V.lanes)
            tiny = ir.Constant(V.vty, [1e-7] * V.lanes)
            accs = [cgutils.alloca_once_value(builder, ir.Constant(V.vty, [float(i)] * V.lanes)) for i in range(12)]
            with cgutils.for_range(builder, args[0]):
                for a in accs:
                    builder.store(V.fma(builder.load(a), one, tiny), a)
            total = builder.load(accs[0])
            for a in accs[1:]:
                total = builder.fadd(total, builder.load(a))
            return V.hsum(total)

        return sig, codegen

    @njit(cache=False)
    def run(n):
        return chains(n)

    from core.kernels.gemm import VECTOR_BYTES
    return run, VECTOR_BYTES // 4


def measured_fma_gflops(seconds: float = 0.5) -> float:
    """float32 GFLOP/s of one core running nothing but independent FMAs (best of `seconds`)."""
    run, lanes = _fma_chains()
    n = 1 << 22
    run(10)
    best, end = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        run(n)
        best = min(best, time.perf_counter() - t)
    return n * 12 * lanes * 2 / best / 1e9


def fma_peak(cores: int) -> dict:
    """cores × FMA units × lanes × 2 × measured clock, where units × lanes is the table's unless one
    core's measured FMA throughput is clearly above it (then the measured lanes, rounded down to a
    power of two). The table once guessed Zen 4's 256-bit pipes on a Zen 5 with 512-bit ones and the
    peak came out half the real one; a loaded machine only measures low, so it never lowers the table."""
    units, lanes, why = fma_units_and_lanes()
    ghz = measured_clock_ghz()
    measured = measured_fma_gflops()
    per_cycle = measured / (2 * ghz)                     # FMA lanes per cycle, measured
    if per_cycle > 1.3 * units * lanes:                  # load can only lower a measurement: never lower the table
        lanes = 2 ** int(np.floor(np.log2(per_cycle / units) + 0.25))
        why += f"; measured {per_cycle:.1f} lanes/cycle, so {units} × {32 * lanes}-bit"
    return {"cores": cores, "fma_units": units, "lanes": lanes, "clock_ghz": ghz, "why": why,
            "measured_one_core_gflops": measured,
            "gflops": cores * units * lanes * 2 * ghz, "gflops_per_core": units * lanes * 2 * ghz}


# ---------------------------------------------------------------------------- layer products
def layer_shapes(wl: Workload) -> list[tuple[int, int, int]]:
    """(rows, shared, out) of each layer's product: for the CNN the im2col products of the two
    convolutions (rows = batch × output positions, shared = 3·3·C_in) and the Dense head."""
    if wl.kind == "cnn":
        h, w, c = wl.sample_shape
        return [(wl.batch * h * w, 9 * c, 16), (wl.batch * (h // 2) * (w // 2), 9 * 16, 32),
                (wl.batch, 32 * (h // 4) * (w // 4), wl.n_out)]
    return [(wl.batch, a, b) for a, b in zip(wl.sizes[:-1], wl.sizes[1:])]


def _best_rate(fn, flops: float, seconds: float) -> float:
    fn()
    best, end = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return flops / best / 1e9


def product_rates(shape, t: int, seconds: float) -> dict:
    """GFLOP/s of y = x·W at this shape (best of `seconds`): own kernels on t threads (serial
    under the parallel threshold, as in training), torch.mm, OpenBLAS via np.dot."""
    from core.kernels.dense import gemm_nn_threads as _nn
    n, k, m = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, k), dtype=np.float32)
    W = rng.standard_normal((k, m), dtype=np.float32)
    y = np.empty((n, m), np.float32)
    flops = 2.0 * n * k * m
    out = {"own": _best_rate(lambda: _nn(x, 0, k, 1, W, 0, m, y, 0, m, n, k, m, False, t), flops, seconds),
           "openblas": _best_rate(lambda: np.dot(x, W, out=y), flops, seconds)}
    with contextlib.suppress(ImportError):
        import torch
        tx, tW, ty = torch.from_numpy(x), torch.from_numpy(W), torch.from_numpy(y)
        out["torch_mm"] = _best_rate(lambda: torch.mm(tx, tW, out=ty), flops, seconds)
    return out


# ----------------------------------------------------------------------------------- training
def _torch_runners(wl, X, Y, order, weights):
    from . import ref_torch
    if not ref_torch.available():
        return {}
    eager = ref_torch.TorchRunner(wl, X, Y, order, weights)
    fused = ref_torch.TorchRunner(wl, X, Y, order, weights)
    import torch
    fused.opt = torch.optim.Adam(fused.model.parameters(), lr=wl.lr, betas=(0.9, 0.999), eps=1e-8, fused=True)
    return {"torch_adam": eager.run, "torch_adam_fused": fused.run}


def product_path_rate(wl: Workload, X, Y, t: int, epochs: int) -> float:
    """Samples/s of Model.fit with the dashboard's statistics on (median epoch of `epochs`)."""
    from core.data import PreparedData, Scaler
    from core.designfile import Design
    from core.model import Model
    from core.settings import validate_data, validate_training
    graph, loss, loss_params = build_graph(wl)
    data = PreparedData(X.astype(np.float64), Y.astype(np.float64), None, None, None, None,
                        Scaler("none").fit(X), "multiclass", max(2, wl.n_out), name="synthetic",
                        sample_shape=tuple(wl.sample_shape) or None)
    training = validate_training({"loss": {"name": loss, "params": loss_params},
                                  "optimizer": {"name": wl.optimizer, "params": {"learning_rate": wl.lr}},
                                  "batch_size": wl.batch, "epochs": 1, "seed": 0, "threads": t})
    model = Model(Design(graph, training, validate_data({"validation_split": 0.0})), data)
    model.trainer(collect_stats=True).fit()          # warm-up (compiles the statistics kernels)
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.trainer(collect_stats=True).fit()
        times.append(time.perf_counter() - t0)
    return len(X) / float(np.median(times))


def measure_case(wl: Workload, t: int, args) -> dict:
    X, Y = make_data(wl, 0, n=wl.batch * CYCLE)
    order = batch_order(len(X), wl.batch, CYCLE)
    nd = NetDesignerRunner(wl, X, Y, order, chunk=CYCLE)
    nd.ex.threads = t
    one = NetDesignerRunner(wl, X, Y, order, chunk=1)
    one.ex.threads = t
    runs = {"netdesigner": nd.run, "netdesigner_1_per_call": one.run,
            **_torch_runners(wl, X, Y, order, nd.get_weights())}
    with threads_for_all(t):
        res = time_interleaved(runs, wl.batch, args.target_s, args.repeats, warmup=2, max_rounds=args.repeats,
                               busy_limit=10.0)
        product = product_path_rate(wl, X, Y, t, args.epochs)
        layers = {f"{n}x{k}x{m}": product_rates((n, k, m), t, args.gemm_s) for n, k, m in layer_shapes(wl)}
    row = {"workload": wl.label, "threads": t, "load_avg_1min": os.getloadavg()[0],
           "samples_per_s": {name: res[name]["samples_per_s"] for name in runs},
           "product_path_samples_per_s": product, "layers_gflops": layers}
    torch_rates = [row["samples_per_s"][k] for k in ("torch_adam", "torch_adam_fused") if k in row["samples_per_s"]]
    if torch_rates:
        best = max(torch_rates)
        row["vs_faster_torch"] = {"bare": row["samples_per_s"]["netdesigner"] / best, "product": product / best,
                                  "one_batch_per_call": row["samples_per_s"]["netdesigner_1_per_call"] / best}
    return row


def paired_speedups(wl: Workload, counts: list[int], args) -> dict:
    """The bare executor's speed-up over one thread, side by side: one runner per thread count,
    timed in interleaved rounds (t=1, t=2, … within each round), each speed-up the median of the
    per-round ratios. The rows above time each thread count minutes apart, so a drift of this
    (virtual) machine's speed between them lands in their speed-up; here it cancels out."""
    X, Y = make_data(wl, 0, n=wl.batch * CYCLE)
    order = batch_order(len(X), wl.batch, CYCLE)
    runs = {}
    for t in counts:
        r = NetDesignerRunner(wl, X, Y, order, chunk=CYCLE)
        r.ex.threads = t
        runs[f"t{t}"] = r.run
    with threads_for_all(max(counts)):
        # A round where another process took CPU is repeated: in one run beside an unrelated test
        # run, W3 b128's two-thread rounds ran at 0.04–0.09× the one-thread rate. (One or two busy
        # loops beside it did not do that: two threads then ran at 0.9× one thread's rate, where
        # PyTorch's eager Adam fell to 0.07–0.1×; so the cause is not known.)
        res = time_interleaved(runs, wl.batch, args.target_s, 2 * args.repeats, warmup=2,
                               max_rounds=6 * args.repeats, busy_limit=0.2)
    ratios = res["_round_ratios"]
    return {"workload": wl.label, "rounds": res["_rounds"],
            "samples_per_s": {t: res[f"t{t}"]["samples_per_s"] for t in counts},
            "speedup": {t: (1.0 if t == counts[0] else ratios[f"t{t}/t{counts[0]}"]) for t in counts},
            "speedup_per_round": {t: [a / b for a, b in zip(res[f"t{t}"]["runs"], res[f"t{counts[0]}"]["runs"])]
                                  for t in counts[1:]}}


def print_paired(paired: list[dict]) -> None:
    print("\nspeed-up over one thread, thread counts interleaved (median of per-round ratios; range):")
    for p in paired:
        cells = []
        for t, sp in p["speedup"].items():
            per = p["speedup_per_round"].get(t)
            rng = f" ({min(per):.2f}–{max(per):.2f})" if per else ""
            cells.append(f"{t} thr {sp:.2f}×{rng}")
        print(f"  {p['workload']:10s} " + "   ".join(cells))


def add_scaling(rows: list[dict]) -> None:
    """Speed-up over one thread and parallel efficiency, per workload and implementation."""
    base = {r["workload"]: r for r in rows if r["threads"] == 1}
    for r in rows:
        b = base.get(r["workload"])
        if b is None:
            continue
        r["speedup"], r["efficiency"] = {}, {}
        pairs = list(r["samples_per_s"].items()) + [("product_path", r["product_path_samples_per_s"])]
        for name, rate in pairs:
            one = b["product_path_samples_per_s"] if name == "product_path" else b["samples_per_s"][name]
            r["speedup"][name] = rate / one
            r["efficiency"][name] = rate / one / r["threads"]


def print_table(rows: list[dict], peak: dict) -> None:
    print(f"\nfloat32 FMA peak: {peak['cores']} cores × {peak['fma_units']} FMA × {peak['lanes']} lanes × 2 × "
          f"{peak['clock_ghz']:.2f} GHz = {peak['gflops']:.0f} GFLOP/s ({peak['why']})")
    head = (f"{'workload':10s} {'thr':>3s} {'ND bare':>9s} {'ND 1/call':>9s} {'ND fit':>9s} {'Adam':>9s} "
            f"{'Adam fused':>10s} {'bare/T':>7s} {'1call/T':>7s} {'fit/T':>6s} {'speed-up':>8s} {'eff':>5s} {'load':>5s}")
    print(head + "\n" + "-" * len(head))
    for r in rows:
        s = r["samples_per_s"]
        v = r.get("vs_faster_torch", {})
        print(f"{r['workload']:10s} {r['threads']:3d} {s['netdesigner']:9.0f} {s['netdesigner_1_per_call']:9.0f} "
              f"{r['product_path_samples_per_s']:9.0f} "
              f"{s.get('torch_adam', float('nan')):9.0f} {s.get('torch_adam_fused', float('nan')):10.0f} "
              f"{v.get('bare', float('nan')):6.2f}× {v.get('one_batch_per_call', float('nan')):6.2f}× "
              f"{v.get('product', float('nan')):5.2f}× "
              f"{r.get('speedup', {}).get('netdesigner', float('nan')):7.2f}× "
              f"{r.get('efficiency', {}).get('netdesigner', float('nan')):5.2f} {r['load_avg_1min']:5.1f}")
    print("\nlayer products y = x·W, GFLOP/s (own / torch.mm / OpenBLAS):")
    for r in rows:
        for shape, g in r["layers_gflops"].items():
            print(f"  {r['workload']:10s} thr {r['threads']:2d} {shape:16s} {g['own']:7.1f} "
                  f"{g.get('torch_mm', float('nan')):7.1f} {g['openblas']:7.1f}")


# --------------------------------------------------------------------------- the threshold
def threshold_table(t: int, seconds: float) -> list[dict]:
    """Serial against t-thread panels of the own GEMM over growing products: where the parallel
    one starts to win is PARALLEL_MIN_MACS (core/kernels/dense.py)."""
    from core.kernels.gemm import gemm_nn, gemm_nn_par
    rows = []
    shapes = [(10, 8, 8), (32, 64, 64), (64, 128, 128), (32, 256, 256), (64, 256, 256), (128, 256, 256),
              (32, 784, 512), (128, 512, 256), (128, 784, 512), (256, 784, 512), (512, 784, 512)]
    for n, k, m in shapes:
        rng = np.random.default_rng(0)
        A = rng.standard_normal((n, k), dtype=np.float32)
        B = rng.standard_normal((k, m), dtype=np.float32)
        C = np.empty((n, m), np.float32)
        flops = 2.0 * n * k * m
        serial = _best_rate(lambda: gemm_nn(A, 0, k, 1, B, 0, m, C, 0, m, n, k, m, False), flops, seconds)
        par = _best_rate(lambda: gemm_nn_par(A, 0, k, 1, B, 0, m, C, 0, m, n, k, m, False, t), flops, seconds)
        rows.append({"shape": f"{n}x{k}x{m}", "macs": n * k * m, "serial_gflops": serial,
                     "parallel_gflops": par, "parallel_over_serial": par / serial})
        print(f"{n:4d}x{k:4d}x{m:4d}  MACs {n * k * m:10.3g}  serial {serial:7.1f}  {t} threads {par:7.1f} GFLOP/s"
              f"  ×{par / serial:5.2f}", flush=True)
    return rows


def main(argv=None) -> int:
    from core.threads import physical_cores
    ap = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short repeats (a sanity run)")
    ap.add_argument("--threads", help="comma-separated thread counts (default 1, 2, 4 … cores)")
    ap.add_argument("--only", help="comma-separated workload labels, e.g. 'W3 b128'")
    ap.add_argument("--threshold", action="store_true", help="print the serial/parallel GEMM crossover")
    ap.add_argument("--paired-only", action="store_true",
                    help="only the interleaved speed-ups over one thread (no references, no products)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "scaling.json"))
    args = ap.parse_args(argv)
    cores = physical_cores()
    counts = [int(x) for x in args.threads.split(",")] if args.threads else thread_counts(cores)
    args.repeats, args.target_s, args.epochs, args.gemm_s = (2, 0.1, 1, 0.1) if args.quick else (5, 0.5, 3, 0.5)
    if args.threshold:
        with threads_for_all(max(counts)):
            rows = threshold_table(max(counts), args.gemm_s)
        print(f"load average {os.getloadavg()[0]:.1f}")
        return 0
    peak = fma_peak(cores)
    cases = [wl for wl in CASES if not args.only or wl.label in {s.strip() for s in args.only.split(",")}]
    rows, paired = [], []
    for wl in cases:
        if not args.paired_only:
            for t in counts:
                rows.append(measure_case(wl, t, args))
                print(f"{wl.label} {t} threads: {rows[-1]['samples_per_s']}", flush=True)
        if len(counts) > 1 and counts[0] == 1:
            paired.append(paired_speedups(wl, counts, args))
            print_paired(paired[-1:])
    add_scaling(rows)
    if rows:
        print_table(rows, peak)
    print_paired(paired)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"machine": {"cores": cores, "cpu_count": os.cpu_count()}, "peak": peak, "quick": args.quick,
                   "rows": rows, "paired_speedups": paired}, f, indent=1)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
