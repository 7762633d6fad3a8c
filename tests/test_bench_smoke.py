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


def test_one_case_and_report():
    s = Settings(quick=True, use_torch=torch_available())
    s.target_s, s.repeats = 0.01, 2
    wl = TINY[0].with_(n_samples=256)
    rec = measure_case(wl, s, peak_gflops=100.0)
    assert rec["impls"]["NetDesigner"]["samples_per_s"] > 0
    assert rec["ratio_vs_NumPy"] > 0
    res = {"throughput": {"1": [rec]}, "parity": [{"workload": wl.label, "passed": True}]}
    table = report.throughput_table(res)
    assert wl.label in table
    assert isinstance(report.targets(res), list)


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
