"""Where does a NetDesigner training step spend its time?

Each phase of ``train_chunk`` is run on its own, N times inside one jitted loop (so no Python
dispatch is counted): forward, loss, backward, optimizer update; and separately the bare GEMMs
of every Dense layer (same shapes, same kernel calls as ``core/kernels/dense.py``). From those:
the step's GEMM FLOP rate, the GEMMs' own rate, and the share of the step outside the GEMMs.
Also the Python→numba dispatch overhead of one ``train_batches`` call.
"""
from __future__ import annotations

import inspect
import time

import numpy as np
from numba import njit

from core.kernels.dense import dense_backward, dense_forward
from core.kernels.engine import backward_pass, forward_pass, loss_only
from core.kernels.optim import apply_update

from .netdesigner_runner import NetDesignerRunner
from .workloads import Workload, batch_order, make_data

# No cache=True on these wrappers: numba links the engine's kernels into a caller's cached code,
# and a cached caller is not invalidated when the engine's files change (numba#1833), so a cached
# wrapper would go on timing the old kernels.


@njit
def _forward_n(reps, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, rng):
    for _ in range(reps):
        # training as a runtime bool, the specialisation train_chunk uses (core/kernels/loop.py)
        forward_pass(ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, reps >= 0, rng)


@njit
def _loss_n(reps, code, delta, out, logits, y, g):
    s = 0.0
    for _ in range(reps):
        s += loss_only(code, delta, out, logits, y, g)
    return s


@njit
def _backward_n_training(reps, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n):
    for _ in range(reps):
        backward_pass(ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, reps >= 0)


@njit
def _backward_n_plain(reps, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n):
    for _ in range(reps):
        backward_pass(ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n)


# The engine's backward_pass gained a `training` flag at some point: call whichever exists.
_backward_n = (_backward_n_training if "training" in inspect.signature(backward_pass.py_func).parameters
               else _backward_n_plain)


@njit
def _update_n(reps, code, hp, lr, params, grads, state, segs):
    ok = True
    for t in range(1, reps + 1):
        ok &= apply_update(code, hp, lr, t, params, grads, state, segs)
    return ok


@njit
def _gemm_n(reps, x, W, y, dy, dW, dx, do_dx):
    """The Dense layer's three products exactly as the engine runs them (no bias, no sums)."""
    b = W[0, :0]
    scratch = np.empty(W.size, W.dtype)
    for _ in range(reps):
        dense_forward(x, W, b, False, y)
        dense_backward(x, W, dy, dW, b, False, True, dx, do_dx, False, scratch)


def _per_call(fn, reps: int, target_s: float = 0.2, trials: int = 3, max_trials: int = 10) -> float:
    """Seconds per repetition of fn(reps) (fn loops reps times inside numba): the minimum over
    `trials` timings free of other processes (BusyMeter < 0.3 core), trying up to max_trials."""
    from .measure import BusyMeter
    fn(1)
    t = time.perf_counter()
    fn(reps)
    dt = time.perf_counter() - t
    reps = max(reps, int(reps * target_s / trials / max(dt, 1e-9)))
    best, best_any, clean, n = float("inf"), float("inf"), 0, 0
    while n < max_trials and (clean < trials or n < trials):
        m = BusyMeter().start()
        t = time.perf_counter()
        fn(reps)
        dt = (time.perf_counter() - t) / reps
        n += 1
        best_any = min(best_any, dt)
        if m.stop() < 0.3:
            clean += 1
            best = min(best, dt)
    PROFILE_CONTENDED[0] |= clean == 0
    return best if clean else best_any      # no clean trial: the least disturbed of all, not the last


PROFILE_CONTENDED = [False]


def profile_step(wl: Workload, peak_gflops: float, seed: int = 0) -> dict:
    """Per-phase microseconds of one step of wl, and GEMM efficiency figures."""
    X, Y = make_data(wl, seed, n=max(4 * wl.batch, 256))
    order = batch_order(len(X), wl.batch, 4, seed)
    r = NetDesignerRunner(wl, X, Y, order, seed=seed)
    ex, p, n = r.ex, r.plan, wl.batch
    rows = order[:n].copy()
    r.run(4)                      # compile and warm up; grads/acts now hold a real step
    res = {"workload": wl.label}
    res["forward_us"] = 1e6 * _per_call(lambda k: _forward_n(k, ex.ops, p.opf, p.op_in, ex.tens, ex.params, ex.acts,
                                                               ex.aux, ex.aux_off, X, rows, n, ex.rng), 16)
    out, logits = ex.output_view(n), ex.acts[ex.tens[p.logits_tensor, 0]:][:n * ex.tens[p.logits_tensor, 1]].reshape(n, -1)
    yb = np.ascontiguousarray(Y[rows])
    g = ex.dacts[ex.tens[p.out_tensor, 0]:][:n * p.output_width].reshape(n, -1)
    res["loss_us"] = 1e6 * _per_call(lambda k: _loss_n(k, p.loss_code, p.loss_delta, out, logits, yb, g), 64)
    res["backward_us"] = 1e6 * _per_call(lambda k: _backward_n(k, ex.ops, p.opf, p.op_in, ex.tens, ex.params, ex.grads,
                                                                 ex.acts, ex.dacts, ex.aux, ex.aux_off, ex.scratch, n),
                                                     16)
    params, state = ex.params.copy(), ex.opt_state.copy()   # do not disturb the runner's weights
    grads = ex.grads * np.float32(1e-3)
    res["update_us"] = 1e6 * _per_call(lambda k: _update_n(k, r.opt_code, r.opt_hp, 1e-7, params, grads, state,
                                                             ex.segs), 16)
    gemm_s, flops = 0.0, 0.0
    for i, (a, b) in enumerate(zip(wl.sizes[:-1], wl.sizes[1:])):
        f = np.float32
        x, W, y = np.ones((n, a), f), np.full((a, b), 0.01, f), np.empty((n, b), f)
        dy, dW, dx = np.full((n, b), 0.01, f), np.empty((a, b), f), np.empty((n, a), f)
        gemm_s += _per_call(lambda k: _gemm_n(k, x, W, y, dy, dW, dx, i > 0), 16)
        flops += 2.0 * n * a * b * (3 if i > 0 else 2)
    res["gemm_us"] = 1e6 * gemm_s
    t_full = _full_step_seconds(r)
    res["step_us"] = 1e6 * t_full
    res["phases_sum_us"] = res["forward_us"] + res["loss_us"] + res["backward_us"] + res["update_us"]
    res["gemm_gflops_alone"] = flops / gemm_s / 1e9
    res["gemm_fraction_of_peak_alone"] = res["gemm_gflops_alone"] / peak_gflops
    res["step_gflops"] = flops / t_full / 1e9
    res["step_fraction_of_peak"] = res["step_gflops"] / peak_gflops
    res["non_gemm_share_of_step"] = max(0.0, 1.0 - gemm_s / t_full)
    res["dispatch_us_per_call"] = 1e6 * dispatch_overhead(r)
    res["contended"] = PROFILE_CONTENDED[0]
    PROFILE_CONTENDED[0] = False
    return res


def _full_step_seconds(r: NetDesignerRunner) -> float:
    """Seconds per step of the real fused loop (train_batches calls of n_cycle batches)."""
    return _per_call(lambda k: r.run(k, chunk=r.n_cycle), r.n_cycle, 0.3)


def dispatch_overhead(r: NetDesignerRunner, calls: int = 2000) -> float:
    """Seconds per train_batches call that runs zero batches (argument checking and dispatch)."""
    ex, wl = r.ex, r.wl
    lrs, losses = r.lrs[:1], r.losses[:1]
    ex.train_batches(r.X, r.Y, r.order, 0, wl.batch, 0, lrs, losses, r.opt_code, r.opt_hp)
    t = time.perf_counter()
    for _ in range(calls):
        ex.train_batches(r.X, r.Y, r.order, 0, wl.batch, 0, lrs, losses, r.opt_code, r.opt_hp)
    return (time.perf_counter() - t) / calls


def format_profile(res: dict) -> str:
    return (f"  {res['workload']:<11} step {res['step_us']:8.1f} µs = fwd {res['forward_us']:.1f} + loss "
            f"{res['loss_us']:.1f} + bwd {res['backward_us']:.1f} + update {res['update_us']:.1f}"
            f" | GEMMs alone {res['gemm_us']:.1f} µs ({100 * res['gemm_fraction_of_peak_alone']:.0f}% of peak), "
            f"step {100 * res['step_fraction_of_peak']:.0f}% of peak, non-GEMM {100 * res['non_gemm_share_of_step']:.0f}%"
            f" | dispatch {res['dispatch_us_per_call']:.1f} µs/call{' *' if res.get('contended') else ''}")


def op_breakdown(wl: Workload, seed: int = 0) -> list[dict]:
    """Forward and backward µs per op, by differences of prefix networks (Input, Input→Dense, …),
    each run N times inside numba. The prefixes end in an mse head; the full network's fused
    softmax+CE is attributed to the last row."""
    from core.executor import Executor
    from core.plan import compile_plan

    from .workloads import build_graph
    n = wl.batch
    X, _ = make_data(wl, seed, n=max(4 * n, 256))
    rows = np.arange(n, dtype=np.int64)
    full, loss, lp = build_graph(wl)
    chain = full.topological_order()
    rows_out, prev_f, prev_b = [], 0.0, 0.0
    for k in range(1, len(chain) + 1):
        g, _, _ = build_graph(wl)
        for nid in chain[k:]:
            g.remove_node(nid)
        last = k == len(chain)
        plan = compile_plan(g, loss if last else "mse", lp if last else {})
        ex = Executor(plan, n, np.float32)
        ex.init_weights(seed)
        ex.dacts[:] = 1e-3
        f = 1e6 * _per_call(lambda r: _forward_n(r, ex.ops, plan.opf, plan.op_in, ex.tens, ex.params, ex.acts,
                                                  ex.aux, ex.aux_off, X, rows, n, ex.rng), 8, 0.15)
        b = 1e6 * _per_call(lambda r: _backward_n(r, ex.ops, plan.opf, plan.op_in, ex.tens, ex.params, ex.grads,
                                                   ex.acts, ex.dacts, ex.aux, ex.aux_off, ex.scratch, n), 8, 0.15)
        node = full.nodes[chain[k - 1]]
        rows_out.append({"op": f"{chain[k - 1]} ({node.type})", "forward_us": f - prev_f, "backward_us": b - prev_b})
        prev_f, prev_b = f, b
    return rows_out


def format_breakdown(wl: Workload, rows: list[dict]) -> str:
    lines = [f"  per-op µs, {wl.label} (prefix differences; ±noise):"]
    lines += [f"    {r['op']:<24} fwd {r['forward_us']:8.1f}  bwd {r['backward_us']:8.1f}" for r in rows]
    return "\n".join(lines)
