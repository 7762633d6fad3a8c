"""Before any timing: do NetDesigner, NumPy and PyTorch do the same work?

All three start from NetDesigner's initial weights and train three steps on the same batches;
PyTorch is the reference. Judged at 1e-4 (float32), per tensor as ``‖a − b‖₂ / ‖b‖₂``:

* the gradients of step 1, from identical weights (forward/backward maths);
* the weights after step 1 (the optimizer maths), over the elements whose gradient is clear of
  Adam's ε (|g| > 100·ε): where |g| ≈ ε (1e-8), Adam's step lr·m̂/(√v̂ + ε) turns float32
  rounding of g into a visible fraction of lr in any two implementations;
* the losses of all three steps, elementwise (a wrong moment or bias correction at t = 2, 3
  moves them far more than 1e-4).

Reported, not judged: gradients of steps 2-3 and weights after step 3. Their trajectories part
legitimately: the ε-elements above move a few pre-activations across ReLU's kink, which changes
later gradients by ~1e-3 at batch 512 (measured; NetDesigner and NumPy alike). Also not judged,
with the reason printed: Dropout masks come from different generators, so W4's check runs with
the rate at 0; a Dense bias feeding a BatchNorm has a gradient that is exactly zero in exact
arithmetic, and the BN moving mean absorbs that bias; BN moving variances follow different
conventions (biased vs PyTorch's unbiased).
"""
from __future__ import annotations

import numpy as np

from .netdesigner_runner import NetDesignerRunner
from .ref_numpy import NumpyRunner
from .workloads import Workload, batch_order, bn_names, make_data

TOL = 1e-4
STEPS = 3


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    return float(np.linalg.norm(a - b)) / max(float(np.linalg.norm(b)), 1e-30)


def _max_rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b))) / max(float(np.max(np.abs(b))), 1e-30)


def not_judged(wl: Workload) -> dict[str, str]:
    """Tensors left out of the verdict, with the reason."""
    out = {}
    for i, bn in enumerate(bn_names(wl), start=1):
        out[f"dense{i}/bias"] = "gradient ≡ 0 in exact arithmetic (feeds BatchNorm)"
        out[f"{bn}/moving_mean"] = "absorbs the bias above"
        out[f"{bn}/moving_variance"] = "biased (Keras) vs unbiased (PyTorch) convention"
    return out


def compare(w: dict, ref: dict, w0: dict, skip: dict, keep: dict | None = None) -> dict:
    """Worst judged relative weight difference (and its tensor), update difference, element max.
    keep[name]: boolean mask of the elements judged (default: all)."""
    res = {"weights_rel": 0.0, "worst_tensor": "", "updates_rel": 0.0, "element_max_rel": 0.0}
    for name, b in ref.items():
        if name in skip:
            continue
        k = keep.get(name, Ellipsis) if keep else Ellipsis
        r = _rel(w[name][k], b[k])
        if r >= res["weights_rel"]:
            res["weights_rel"], res["worst_tensor"] = r, name
        res["updates_rel"] = max(res["updates_rel"], _rel((w[name] - w0[name])[k], (b.astype(np.float64) - w0[name])[k]))
        res["element_max_rel"] = max(res["element_max_rel"], _max_rel(w[name], b))
    return res


def check(wl: Workload, seed: int = 0, use_torch: bool = True) -> dict:
    """Run the three-step comparison for one workload; returns a JSON-able record."""
    wl_p = wl.with_(dropout=0.0) if wl.dropout > 0 else wl
    X, Y = make_data(wl_p, seed, n=max(8 * wl.batch, 256))
    order = batch_order(len(X), wl.batch, STEPS, seed)
    nd = NetDesignerRunner(wl_p, X, Y, order, seed=seed)
    w0 = nd.get_weights()
    impls = {"NetDesigner": nd, "NumPy": NumpyRunner(wl_p, X, Y, order, w0, seed)}
    if use_torch:
        from . import ref_torch
        if ref_torch.available():
            impls["PyTorch"] = ref_torch.TorchRunner(wl_p, X, Y, order, w0, seed)
    grads = {name: [] for name in impls}
    after1 = {}
    for step in range(STEPS):
        for name, r in impls.items():
            r.run(1)
            grads[name].append(r.get_grads())
            if step == 0:
                after1[name] = r.get_weights()
    ref_name = "PyTorch" if "PyTorch" in impls else "NumPy"
    ref = impls[ref_name]
    ref_l = ref.losses[:STEPS].copy()
    skip = not_judged(wl)
    eps_floor = 100 * 1e-8 if wl.optimizer == "adam" else 0.0
    keep = {n: np.abs(g) > eps_floor for n, g in grads[ref_name][0].items()}
    keep3 = {n: np.all([np.abs(g[n]) > eps_floor for g in grads[ref_name]], axis=0) for n in keep}
    rec = {"workload": wl.label, "reference": ref_name, "tolerance": TOL, "steps": STEPS,
           "dropout_zeroed": wl.dropout > 0, "not_judged": skip, "impls": {},
           "adam_eps_elements": int(sum((~k).sum() for n, k in keep.items() if n not in skip))}
    ok = True
    for name, r in impls.items():
        if name == ref_name:
            continue
        res = compare(after1[name], after1[ref_name], w0, skip, keep)
        late = compare(r.get_weights(), ref.get_weights(), w0, skip, keep3)
        res["weights3_rel"], res["weights3_worst_tensor"] = late["weights_rel"], late["worst_tensor"]
        per_step = [max(_rel(g[n], gr[n]) for n in gr if n not in skip)
                    for g, gr in zip(grads[name], grads[ref_name])]
        res["grads_rel"], res["later_grads_rel"] = per_step[0], max(per_step[1:], default=0.0)
        res["loss_rel"] = float(np.max(np.abs(r.losses[:STEPS] - ref_l) / np.maximum(np.abs(ref_l), 1e-12)))
        res["passed"] = res["weights_rel"] <= TOL and res["grads_rel"] <= TOL and res["loss_rel"] <= TOL
        ok &= res["passed"]
        rec["impls"][name] = res
    rec["passed"] = ok
    return rec


def format_record(rec: dict) -> str:
    parts = [f"{n}: g₁ {v['grads_rel']:.1e} w₁ {v['weights_rel']:.1e} loss₁₋₃ {v['loss_rel']:.1e} (w₃ {v['weights3_rel']:.0e})"
             f" {'ok' if v['passed'] else 'FAIL'}" for n, v in rec["impls"].items()]
    note = " (dropout 0 for the check; bias before BN, BN moving stats not judged)" if rec["not_judged"] else ""
    if rec.get("adam_eps_elements"):
        note += f" [{rec['adam_eps_elements']} weights with |g| ≤ 100·ε not judged]"
    return f"parity {rec['workload']:<9} vs {rec['reference']}: " + "; ".join(parts) + note
