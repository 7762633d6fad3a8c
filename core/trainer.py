"""The trainer: a generator of events around the executor's fused, chunked training loop.

Python runs once per *chunk* of batches — to the next statistics point, the end of the epoch or
about 0.1 s of work — never per batch. Stop and pause set a control word the jitted loop reads
before every batch, so both take effect within one batch from any thread.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Iterable, Iterator

import numpy as np

from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .errors import TrainingError
from .events import (BatchesEnd, Compiled, Compiling, EpochBegin, EpochEnd, LayerStats, Paused,
                     Resumed, TrainBegin, TrainEnd)
from .executor import Executor
from .kernels import opcodes as K
from .optimizers import OPTIMIZERS
from .schedules import Constant, ReduceOnPlateau, make_schedule

CHUNK_SECONDS = 0.1
# Per-layer statistics come every stats_interval batches, but no more often than this: a small
# net runs 100k+ batches a second and the dashboard draws at most ~20 frames a second.
STATS_MIN_SECONDS = 0.05


class Trainer:
    """Train `executor` on prepared arrays.

    Args:
        executor: weights already initialised (or loaded).
        settings: validated training settings (core.settings.validate_training).
        train: (X, Y) arrays shaped for the engine; val: the same or None.
        task: "regression" | "binary" | "multiclass" — decides how metrics read the output.
        collect_stats: emit LayerStats every settings["stats_interval"] batches.
    """

    def __init__(self, executor: Executor, settings: dict, train, val=None, *, task="regression",
                 callbacks: Iterable[Callback] = (), collect_stats: bool = True,
                 checkpoint_metadata: dict | None = None, stats_bins: int = 30,
                 stats_min_seconds: float = STATS_MIN_SECONDS):
        self.executor = ex = executor
        self.settings = s = settings
        self.X, self.Y = (np.ascontiguousarray(a, dtype=ex.dtype) for a in train)
        self.val = None
        if val is not None and val[0] is not None and len(val[0]):
            self.val = tuple(np.ascontiguousarray(a, dtype=ex.dtype) for a in val)
        if len(self.X) == 0:
            raise TrainingError("there is no training data")
        self.task = task
        self.collect_stats = collect_stats
        self.stats_bins = stats_bins
        self.stats_min_seconds = stats_min_seconds
        self.callbacks = list(callbacks)
        es = s["early_stopping"]
        if es["enabled"]:
            self.callbacks.append(EarlyStopping(es["monitor"], es["patience"], es["min_delta"],
                                                es["restore_best_weights"]))
        cp = s["checkpoint"]
        if cp["enabled"]:
            if not cp["path"]:
                raise TrainingError("checkpoint is enabled but no path is set (training.checkpoint.path)")
            self.callbacks.append(ModelCheckpoint(cp["path"], cp["monitor"], checkpoint_metadata))
        self.opt = OPTIMIZERS.get(s["optimizer"]["name"])
        oparams = s["optimizer"]["params"]
        self.opt_hp = self.opt.hyper_vector(oparams)
        self.schedule = make_schedule(s["schedule"]["name"], s["schedule"]["params"],
                                      learning_rate=oparams["learning_rate"])
        self.stop_training = False
        self.stop_reason = "completed"
        self.stop_message = ""
        self.history: dict[str, list] = {}
        self._snap = None
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()

    # ---- control from any thread ---------------------------------------------------------------
    def request_stop(self) -> None:
        self._stop.set()
        self._resume.set()
        self.executor.control[0] = 1

    def pause(self) -> None:
        self._resume.clear()
        self.executor.control[0] = 1

    def resume(self) -> None:
        if not self._stop.is_set():
            self.executor.control[0] = 0
        self._resume.set()

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    # ---- the loop ------------------------------------------------------------------------------
    def fit(self) -> TrainEnd:
        """Run to the end and return the final event (headless use)."""
        last = None
        for last in self.run():
            pass
        return last

    def run(self) -> Iterator:
        ex, s = self.executor, self.settings
        bs = s["batch_size"]
        n = len(self.X)
        spe = math.ceil(n / bs)
        epochs = s["epochs"]
        interval = s["stats_interval"]
        if self.opt.name == "adagrad":
            ex.opt_state[0][:] = s["optimizer"]["params"]["initial_accumulator_value"]
        ex.control[0] = 0
        trainable = sum(w.size for w in ex.plan.weights if w.trainable)
        yield TrainBegin(epochs, spe, n, 0 if self.val is None else len(self.val[0]), bs, trainable)
        for cb in self.callbacks:
            cb.on_train_begin(self)

        yield Compiling("Compiling the training kernels (first run only; cached afterwards)…")
        t0 = time.perf_counter()
        self._call(np.arange(n, dtype=np.int64), 0, 0, np.zeros(1), np.zeros(1))   # compiles or loads
        ex.predict(self.X[:1])
        yield Compiled(time.perf_counter() - t0)

        losses = np.zeros(spe)
        lrs = np.zeros(spe)
        shuffle = np.random.default_rng(s["seed"])
        chunk = 4
        every = interval          # effective statistics interval: a multiple of `interval`
        epoch = 0
        for epoch in range(epochs):
            yield EpochBegin(epoch)
            t_epoch = time.perf_counter()
            order = shuffle.permutation(n).astype(np.int64)
            b = 0
            while b < spe:
                step = int(ex.step[0])
                count = min(spe - b, chunk)
                if self.collect_stats:
                    count = min(count, every - step % every)
                self._fill_lrs(lrs[b:b + count], step)
                snap = ex.snapshot(self._snap)
                self._snap = snap
                t = time.perf_counter()
                done, status = self._call(order, b * bs, count, lrs[b:b + count], losses[b:b + count])
                dt = time.perf_counter() - t
                if done:
                    chunk = max(1, min(100_000, int(done * CHUNK_SECONDS / max(dt, 1e-9))))
                    good = done if status != K.STATUS_DIVERGED else done - 1
                    if good > 0:
                        samples = min(n, (b + done) * bs) - b * bs
                        yield BatchesEnd(epoch, b, step, losses[b:b + good].copy(), lrs[b:b + good].copy(),
                                         spe, samples / max(dt, 1e-9))
                if status == K.STATUS_DIVERGED:
                    ex.restore(snap)
                    bad = b + done - 1 if done else b
                    yield self._end("diverged",
                                    f"Training diverged at epoch {epoch + 1}, batch {bad + 1}: the loss or the "
                                    f"weights became NaN or infinite (learning rate {lrs[bad]:.3g}). "
                                    "Stopped; the last good weights are kept. Try a smaller learning rate "
                                    "or gradient clipping.", epoch)
                    return
                b += done
                if self.collect_stats and done and ex.step[0] % every == 0:
                    from .stats import layer_stats
                    last_rows = min(n, b * bs) - (b - 1) * bs
                    yield LayerStats(epoch, int(ex.step[0]), layer_stats(ex, last_rows, self.stats_bins))
                    per_batch = dt / done
                    every = interval * max(1, math.ceil(self.stats_min_seconds / (per_batch * interval)))
                if status == K.STATUS_STOPPED:
                    if self._stop.is_set():
                        yield self._end("stopped", f"Stopped by request during epoch {epoch + 1}.", epoch)
                        return
                    yield Paused(epoch)
                    self._resume.wait()
                    if self._stop.is_set():
                        yield self._end("stopped", f"Stopped by request during epoch {epoch + 1}.", epoch)
                        return
                    ex.control[0] = 0
                    yield Resumed(epoch)
            logs = self._epoch_logs(losses, lrs, spe, bs, n)
            for k, v in logs.items():
                self.history.setdefault(k, []).append(v)
            if isinstance(self.schedule, ReduceOnPlateau):
                self.schedule.on_epoch_end(logs.get("val_loss", logs["loss"]))
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
            yield EpochEnd(epoch, logs, time.perf_counter() - t_epoch)
            if self.stop_training:
                yield self._end(self.stop_reason, self.stop_message, epoch)
                return
        yield self._end("completed", f"Trained {epochs} epochs.", epochs - 1)

    def _fill_lrs(self, out: np.ndarray, step: int) -> None:
        """Learning rate per batch. Constant and plateau schedules change only between epochs, so
        they skip the per-batch Python call (it costs more than a small net's whole step)."""
        if isinstance(self.schedule, (Constant, ReduceOnPlateau)):
            out[:] = self.schedule(step)
        else:
            for i in range(len(out)):
                out[i] = self.schedule(step + i)

    def _end(self, reason: str, message: str, epoch: int) -> TrainEnd:
        if reason != "early_stopping" or not self.stop_message:
            self.stop_message = message
        self.stop_reason = reason
        for cb in self.callbacks:
            cb.on_train_end(self)
        best = next((cb.best_epoch for cb in self.callbacks if isinstance(cb, EarlyStopping)), None)
        return TrainEnd(reason, self.stop_message, epoch + 1, best, self.history)

    def _call(self, order, start, count, lrs, losses):
        s = self.settings
        return self.executor.train_batches(self.X, self.Y, order, start, s["batch_size"], count, lrs, losses,
                                           self.opt.code, self.opt_hp, s["clip_norm"], s["clip_value"])

    # ---- epoch logs ------------------------------------------------------------------------------
    def _epoch_logs(self, losses, lrs, spe, bs, n) -> dict:
        sizes = np.full(spe, bs, np.float64)
        sizes[-1] = n - bs * (spe - 1)
        logs = {"loss": float(np.dot(losses, sizes) / n), "lr": float(lrs[spe - 1])}
        names = self.settings["metrics"]
        if names:
            logs.update(self.evaluate_arrays(self.X, self.Y, names, with_loss=False))
        if self.val is not None:
            v = self.evaluate_arrays(*self.val, names)
            logs.update({f"val_{k}": x for k, x in v.items()})
        return logs

    def evaluate_arrays(self, X, Y, metrics=(), with_loss=True) -> dict:
        """Loss (with regularisation) and metrics of X in inference mode."""
        from .evaluation import evaluate
        return evaluate(self.executor, X, Y, metrics, task=self.task, with_loss=with_loss)
