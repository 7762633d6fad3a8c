"""LR range test (Smith 2017): train with an exponentially rising learning rate, record the loss,
suggest the rate where the loss falls fastest. The model's weights are restored afterwards."""
from __future__ import annotations

import math

import numpy as np

from .kernels import opcodes as K
from .optimizers import OPTIMIZERS
from .schedules import lr_range_schedule, suggest_lr


def lr_range_test(model, min_lr: float = 1e-6, max_lr: float = 1.0, num_steps: int = 200):
    """Returns (lrs, losses, suggested_lr).

    Stops at the batch where the loss diverges, judged as fastai's LRFinder does on the smoothed
    loss (bias-corrected exponential average, β = 0.98) exceeding 4× its lowest value, or on a
    non-finite loss. Judging the raw loss instead stops at the first noisy batch when batches are
    small (batch 8: one pass, no suggestion)."""
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
    smooth = _Smoother()
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
            stop_at = _divergence_index(losses, done_total - done, done_total, smooth)
            done_total += done
            if stop_at is not None:
                losses[stop_at + 1:] = np.nan     # the batches after the divergence are not reported
                break
            if status != K.STATUS_DONE:
                break
    finally:
        ex.restore(snap)
    n = int(np.isfinite(losses).sum())
    lrs, losses = lrs[:n], losses[:n]
    return lrs, losses, float(suggest_lr(lrs, losses)) if n > 15 else float("nan")


class _Smoother:
    """fastai's smoothed loss: aᵢ = β·aᵢ₋₁ + (1 − β)·lossᵢ, sᵢ = aᵢ / (1 − βⁱ⁺¹), and its minimum."""

    def __init__(self, beta: float = 0.98):
        self.beta, self.avg, self.count, self.best = beta, 0.0, 0, math.inf

    def push(self, loss: float) -> float:
        self.count += 1
        self.avg = self.beta * self.avg + (1.0 - self.beta) * loss
        s = self.avg / (1.0 - self.beta ** self.count)
        self.best = min(self.best, s)
        return s


def _divergence_index(losses, start: int, stop: int, smooth: _Smoother, factor: float = 4.0):
    """Index of the first batch in losses[start:stop] whose loss is not finite or whose smoothed
    loss exceeds `factor` × the best smoothed loss so far; None if there is none."""
    for i in range(start, stop):
        loss = float(losses[i])
        if not math.isfinite(loss):
            return i - 1 if i > 0 else None
        if smooth.push(loss) > factor * smooth.best:
            return i
    return None
