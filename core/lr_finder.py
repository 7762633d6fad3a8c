"""LR range test (Smith 2017): train with an exponentially rising learning rate, record the loss,
suggest the rate where the loss falls fastest. The model's weights are restored afterwards."""
from __future__ import annotations

import math

import numpy as np

from .kernels import opcodes as K
from .optimizers import OPTIMIZERS
from .schedules import lr_range_schedule, suggest_lr


def lr_range_test(model, min_lr: float = 1e-6, max_lr: float = 1.0, num_steps: int = 200):
    """Returns (lrs, losses, suggested_lr); stops early once the loss diverges."""
    ex = model.executor
    d = model.data
    t = model.design.training
    X = np.ascontiguousarray(d.X_train, dtype=ex.dtype)
    Y = np.ascontiguousarray(model.targets().train, dtype=ex.dtype)
    bs = t["batch_size"]
    opt = OPTIMIZERS.get(t["optimizer"]["name"])
    hp = opt.hyper_vector(t["optimizer"]["params"])
    lrs = lr_range_schedule(min_lr, max_lr, num_steps).astype(np.float64)
    losses = np.full(num_steps, np.nan)
    snap = ex.snapshot()
    rng = np.random.default_rng(t["seed"])
    spe = math.ceil(len(X) / bs)
    done_total = 0
    try:
        ex.control[0] = 0
        while done_total < num_steps:
            order = rng.permutation(len(X)).astype(np.int64)
            count = min(spe, num_steps - done_total)
            done, status = ex.train_batches(X, Y, order, 0, bs, count, lrs[done_total:done_total + count],
                                            losses[done_total:done_total + count], opt.code, hp)
            done_total += done
            finite = losses[:done_total][np.isfinite(losses[:done_total])]
            if status != K.STATUS_DONE or (len(finite) and finite[-1] > 4 * finite.min()):
                break
    finally:
        ex.restore(snap)
    n = int(np.isfinite(losses).sum())
    lrs, losses = lrs[:n], losses[:n]
    return lrs, losses, float(suggest_lr(lrs, losses)) if n > 15 else float("nan")
