"""Smoke test of the benchmark suite on tiny sizes: the reference trainers do the same maths as
the engine (parity), and one timed case goes through the measuring and reporting code."""
import pytest

from bench import parity, report
from bench.observers import engine_stats, numpy_stats, observed_run
from bench.ref_torch import available as torch_available
from bench.suite import Settings, measure_case
from bench.workloads import W3, Workload, batch_order, gemm_flops_per_sample, make_data

TINY = [
    Workload("tiny-ce", (12, 16, 8, 3), batch=8, n_samples=64),
    Workload("tiny-bce", (2, 8, 8, 1), act="tanh", loss="bce_logits", optimizer="sgd", lr=0.03, batch=10,
             n_samples=64),
    Workload("tiny-bn", (12, 16, 8, 3), batch=8, batchnorm=True, dropout=0.2, n_samples=64),
]


@pytest.mark.parametrize("wl", TINY, ids=lambda w: w.name)
def test_three_steps_match(wl):
    rec = parity.check(wl, use_torch=torch_available())
    assert "NumPy" in rec["impls"] or rec["reference"] == "NumPy"
    assert rec["passed"], parity.format_record(rec)


def test_parity_catches_different_work():
    """A reference that does different work must fail the check."""
    wl = TINY[0]
    rec_ok = parity.check(wl, use_torch=False)
    other = wl.with_(lr=wl.lr * 1.5)
    X, Y = make_data(other, 0, n=256)
    from bench.netdesigner_runner import NetDesignerRunner
    from bench.ref_numpy import NumpyRunner
    order = batch_order(len(X), wl.batch, 3)
    nd = NetDesignerRunner(wl, X, Y, order)
    w0 = nd.get_weights()
    ref = NumpyRunner(other, X, Y, order, w0)
    nd.run(3), ref.run(3)
    res = parity.compare(nd.get_weights(), ref.get_weights(), w0, {})
    assert rec_ok["passed"] and res["weights_rel"] > parity.TOL


def test_flop_count():
    # 784·512·2 (fwd+dW, no dX on the first layer) + (512·256 + 256·10)·3, times 2 FLOPs per MAC
    assert gemm_flops_per_sample(W3) == 2 * (784 * 512 * 2 + (512 * 256 + 256 * 10) * 3)


def _row(table: str, label: str) -> str:
    (row,) = [line for line in table.splitlines() if line.startswith(label)]
    return row


def test_one_case_and_report():
    """The real runners through the measuring and reporting code: the ratios and GEMM rate are the
    ones the measured samples/s imply, and the table prints those numbers."""
    s = Settings(quick=True, use_torch=torch_available())
    s.target_s, s.repeats = 0.01, 2
    wl = TINY[0].with_(n_samples=256)
    rec = measure_case(wl, s, peak_gflops=100.0)
    nd, npy = (rec["impls"][k]["samples_per_s"] for k in ("NetDesigner", "NumPy"))
    assert rec["ratio_vs_NumPy"] == pytest.approx(nd / npy, rel=1e-12)
    assert rec["step_gemm_fraction_of_peak"] == pytest.approx(nd * gemm_flops_per_sample(wl) / 1e9 / 100.0)
    for name, r in rec["impls"].items():     # the median of the kept rounds, each a real measurement
        assert min(r["runs"]) <= r["samples_per_s"] <= max(r["runs"]), name
    res = {"throughput": {"1": [rec]}, "parity": [{"workload": wl.label, "passed": True}]}
    row = _row(report.throughput_table(res), wl.label)
    assert f"{report.ratio(rec, 'NumPy'):.2f}×" in row and " ok" in row
    assert report._sps(nd) in row and report._sps(npy) in row


class _FakeClock:
    """perf_counter/process_time that advance only when a fake implementation runs: the measured
    rates are then known exactly (no wall clock involved)."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now

    def process_time(self):
        return self.now


def test_measuring_reports_the_rates_the_work_implies(monkeypatch):
    """Two fake implementations costing 1 ms and 4 ms of (fake) time per batch of 8 samples: the
    measurement must report 8000 and 2000 samples/s and a ratio of exactly 4."""
    import bench.measure as measure
    import bench.suite as suite
    clock = _FakeClock()
    monkeypatch.setattr(measure, "time", clock)
    monkeypatch.setattr(measure, "_busy_seconds", lambda: 0.0)

    class Fake:
        def __init__(self, step_s):
            self.step_s, self.steps = step_s, 0

        def run(self, n):
            self.steps += n
            clock.now += n * self.step_s

    fakes = {"NetDesigner": Fake(0.001), "NumPy": Fake(0.004)}
    monkeypatch.setattr(suite, "make_runners", lambda wl, s, impls: fakes)
    s = Settings(quick=True, use_torch=False)
    wl = TINY[0].with_(batch=8)
    rec = measure_case(wl, s, peak_gflops=50.0)
    assert rec["impls"]["NetDesigner"]["samples_per_s"] == pytest.approx(8000.0)
    assert rec["impls"]["NumPy"]["samples_per_s"] == pytest.approx(2000.0)
    assert rec["ratio_vs_NumPy"] == pytest.approx(4.0)
    assert rec["round_ratio_vs_NumPy"] == pytest.approx(4.0)
    assert rec["step_gemm_gflops"] == pytest.approx(8000.0 * gemm_flops_per_sample(wl) / 1e9)
    assert not rec["rounds"]["contended"] and rec["rounds"]["total"] == s.repeats
    assert all(f.steps > 0 for f in fakes.values())
    row = _row(report.throughput_table({"throughput": {"1": [rec]}}), wl.label)
    assert "8.0k" in row and "2.0k" in row and "4.00×" in row


def test_observers_collect():
    from bench.netdesigner_runner import NetDesignerRunner
    wl = TINY[2]
    X, Y = make_data(wl, 0, n=128)
    r = NetDesignerRunner(wl, X, Y, batch_order(len(X), wl.batch, 16), chunk=16)
    stats = numpy_stats(r)
    assert "dense1/kernel" in stats
    seen = []
    sink = []
    observed_run(r, lambda run: seen.append(engine_stats(run)), 8, interval=4, sink=sink)
    assert len(sink) == 2 and len(seen) == 2


def test_gemm_packing_bench_reports_every_product_and_the_route_dense_takes(tmp_path):
    """bench/gemm_packing.py on its real shapes with tiny timings: each row has all four rates and
    the route matches the thresholds in core/kernels/dense.py (a bench row that disagreed with the
    engine's choice would document a path the engine never takes)."""
    import json

    from bench import gemm_packing
    from core.kernels import dense
    out = tmp_path / "g.json"
    assert gemm_packing.main(["--seconds", "0.001", "--no-sweep", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert len(res["rows"]) == 3 * len(gemm_packing.LAYERS)
    for r in res["rows"]:
        n, k, m = r["shape"]
        assert all(r[key] > 0 for key in ("tiles", "packed", "openblas"))
        big = n * k * m >= dense.PARALLEL_MIN_MACS
        packs = big and (n >= dense.PACK_DX_MIN_ROWS if r["product"] == "dx"
                         else m >= dense.PACK_MIN_LD and n >= dense.PACK_MIN_ROWS)
        assert r["route"] == ("packed" if packs else "tiles"), r
    assert {r["route"] for r in res["rows"]} == {"packed", "tiles"}
    assert res["peak"]["gflops"] > 0


def test_fma_peak_is_never_below_the_measured_fma_throughput():
    """The peak a bench divides by is an upper bound: one core's measured FMA rate is below it."""
    from bench.scaling import fma_peak
    peak = fma_peak(1)
    assert peak["measured_one_core_gflops"] <= peak["gflops"] * 1.02, peak


def test_paired_speedups_time_every_thread_count_in_the_same_rounds():
    """The speed-up over one thread is the median of per-round ratios of runs timed side by side
    (one round = one run per thread count), so each per-round ratio is rate(t)/rate(1) of one round."""
    import statistics
    from types import SimpleNamespace

    from bench.scaling import paired_speedups
    wl = W3.with_(sizes=(20, 16, 3), batch=8)
    res = paired_speedups(wl, [1, 2], SimpleNamespace(target_s=0.01, repeats=2))
    assert set(res["speedup"]) == {1, 2} and res["speedup"][1] == 1.0
    per = res["speedup_per_round"][2]
    assert len(per) >= 4 and all(r > 0 for r in per)
    assert res["speedup"][2] == pytest.approx(statistics.median(per))
    assert all(res["samples_per_s"][t] > 0 for t in (1, 2))
