"""The trainer: a generator of events around the executor's fused, chunked training loop.

Python runs once per *chunk* of batches — to the next statistics point, the end of the epoch or
about 0.1 s of work — never per batch. Stop and pause set a control word the jitted loop reads
before every batch, so both take effect within one batch from any thread.

Per-layer statistics run on a training-progress clock, not the wall clock: a run of S planned
steps gets a LayerStats sample every k = max(1, S // stats_samples) steps (counted from the run's
first step), so every run, a 1-second one or a 10-minute one, has between stats_samples and twice
as many samples, evenly spaced over the run. Only if the samples would cost more than
STATS_BUDGET of the run's time and more than STATS_FREE_SECONDS in all (a big net trained for few
steps) is k doubled — the later samples stay on the same grid, at every other point.

With statistics on, each epoch end also brings the dashboard's pictures of image and sequence
layers (core.stats): FeatureMaps of every Conv2D layer for one validation sample (0, or the one
asked for with request_feature_maps — served at the next chunk boundary, or at once while
paused) and TimeGradients of every recurrent layer on the training set's first batch. They share
the statistics' budget: a net of tiny epochs gets those that fit, always the first and the last.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Iterable, Iterator

import numpy as np

from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .errors import TrainingError
from .events import (BatchesEnd, Compiled, Compiling, EpochBegin, EpochEnd, Intervention, LayerStats,
                     Paused, Resumed, TrainBegin, TrainEnd)
from .executor import Executor
from .kernels import opcodes as K
from .optimizers import OPTIMIZERS
from .schedules import Constant, ReduceOnPlateau, make_schedule

CHUNK_SECONDS = 0.1
STATS_SAMPLES = 100     # a run's statistics: between this many and twice this many samples
STATS_BUDGET = 0.03     # share of the run's time the statistics may take before they are thinned
STATS_FREE_SECONDS = 0.05   # ...or 50 ms in all, whichever is more (a short run keeps its history)
_RUNNING, _PAUSED, _STOPPING = "running", "paused", "stopping"


class Trainer:
    """Train `executor` on prepared arrays.

    Args:
        executor: weights already initialised (or loaded).
        settings: validated training settings (core.settings.validate_training).
        train: (X, Y) arrays shaped for the engine; val: the same or None.
        task: "regression" | "binary" | "multiclass" — decides how metrics read the output.
        collect_stats: emit LayerStats on the progress clock (module docstring); may be switched
            on and off while the run goes.
        stats_samples: the fewest statistics samples a run gets (if it has that many steps).
    """

    def __init__(self, executor: Executor, settings: dict, train, val=None, *, task="regression",
                 callbacks: Iterable[Callback] = (), collect_stats: bool = True,
                 checkpoint_metadata: dict | None = None, stats_bins: int = 30,
                 stats_samples: int = STATS_SAMPLES, stats_budget: float = STATS_BUDGET):
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
        self.stats_samples = max(1, int(stats_samples))
        self.stats_budget = stats_budget
        self.stats_every: int | None = None      # the run's statistics spacing in steps (set by run)
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
        # One state for run / pause / stop, changed only under the lock, so no interleaving of
        # request_stop(), pause() and resume() from other threads can lose a stop.
        self._cond = threading.Condition()
        self._state = _RUNNING
        # Live intervention: changes asked for from any thread, applied between chunks.
        self.lr_scale = 1.0
        self._changes: list[tuple[str, str, float]] = []
        # Feature maps: the validation sample shown (0 until one is asked for), requests pending.
        self.feature_sample = 0
        self._sample_requests: list[int] = []
        self._picture_cost = 0.0         # thread time the epoch-end pictures took so far

    # ---- control from any thread ---------------------------------------------------------------
    def request_stop(self) -> None:
        """Stop within one batch; final — nothing undoes it."""
        with self._cond:
            self._state = _STOPPING
            self.executor.control[0] = 1
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            if self._state == _RUNNING:
                self._state = _PAUSED
                self.executor.control[0] = 1

    def resume(self) -> None:
        with self._cond:
            if self._state == _PAUSED:
                self._state = _RUNNING
                self.executor.control[0] = 0
                self._cond.notify_all()

    def set_learning_rate_scale(self, scale: float) -> None:
        """Multiply the schedule's learning rate by `scale` from the next chunk on (any thread)."""
        scale = float(scale)
        if not (math.isfinite(scale) and scale > 0):
            raise TrainingError(f"learning rate scale must be a positive finite number; received {scale!r}")
        with self._cond:
            self._changes.append(("learning_rate_scale", "", scale))

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Freeze (False) or unfreeze (True) a layer's weights from the next chunk on (any
        thread). Running statistics (BatchNorm's moving mean/variance) are never trained."""
        if not self._rows_of(node_id):
            names = sorted({w.node_id for w in self.executor.plan.weights if not w.state})
            raise TrainingError(f"set_trainable: block {node_id!r} has no trainable weights; blocks with "
                                f"weights: {', '.join(names) or 'none'}")
        with self._cond:
            self._changes.append(("trainable", node_id, 1.0 if trainable else 0.0))

    def request_feature_maps(self, index: int) -> None:
        """Send a FeatureMaps event for validation sample `index` at the next chunk boundary, or at
        once while paused (any thread); later epoch ends show that sample. No Conv2D layer or no
        such sample: nothing is sent."""
        with self._cond:
            self._sample_requests.append(int(index))
            self._cond.notify_all()

    def _rows_of(self, node_id: str) -> list[int]:
        return [r for r, w in enumerate(self.executor.plan.weights) if w.node_id == node_id and not w.state]

    def _apply_changes(self, epoch: int, batch: int, spe: int) -> list[Intervention]:
        """Apply the queued changes (called between chunks, on the training thread)."""
        with self._cond:
            changes, self._changes = self._changes, []
        events = []
        step = int(self.executor.step[0])
        for change, node_id, value in changes:
            if change == "learning_rate_scale":
                self.lr_scale = value
            else:
                for r in self._rows_of(node_id):
                    self.executor.segs[r, 2] = int(value)
            events.append(Intervention(epoch, step, epoch + batch / spe, change, value, node_id))
        return events

    @property
    def paused(self) -> bool:
        return self._state == _PAUSED

    @property
    def stop_requested(self) -> bool:
        return self._state == _STOPPING

    # ---- the loop ------------------------------------------------------------------------------
    def fit(self) -> TrainEnd:
        """Run to the end and return the final event (headless use)."""
        last = None
        for last in self.run():
            pass
        return last

    def run(self) -> Iterator:
        try:
            yield from self._run()
        finally:     # also when the consumer abandons the generator: release checkpoint locks
            for cb in self.callbacks:
                close = getattr(cb, "close", None)
                if close is not None:
                    close()

    def _run(self) -> Iterator:
        ex, s = self.executor, self.settings
        bs = s["batch_size"]
        n = len(self.X)
        spe = math.ceil(n / bs)
        epochs = s["epochs"]
        # The optimizer state (Adagrad's accumulator, Adam's moments, momentum) carries over when
        # training continues on the same executor; the kernels start it at step 1 (init_weights).
        with self._cond:      # a stop or pause asked for before the run starts still holds
            ex.control[0] = 0 if self._state == _RUNNING else 1
        trainable = sum(w.size for w in ex.plan.weights if w.trainable)
        yield TrainBegin(epochs, spe, n, 0 if self.val is None else len(self.val[0]), bs, trainable)
        for cb in self.callbacks:
            cb.on_train_begin(self)

        yield Compiling("Compiling the training kernels (first run only; cached afterwards)…")
        t0 = time.perf_counter()
        self._call(np.arange(n, dtype=np.int64), 0, 0, np.zeros(1), np.zeros(1))   # compiles or loads
        ex.predict(self.X[:1])
        if self.collect_stats:
            from .stats import layer_stats, recurrent_layers
            layer_stats(ex, 1, self.stats_bins)          # loads its kernels now, not in the first sample
            if recurrent_layers(ex):                     # the gradients through time' passes too
                ex.loss_and_gradients(self.X[:1], self.Y[:1], training=False)
        yield Compiled(time.perf_counter() - t0)

        losses = np.zeros(spe)
        lrs = np.zeros(spe)
        shuffle = np.random.default_rng(s["seed"])
        chunk = 4
        clock = _StatsClock(epochs * spe, self.stats_samples, self.stats_budget, int(ex.step[0]))
        self.stats_every = clock.every
        epoch = 0
        for epoch in range(epochs):
            yield EpochBegin(epoch)
            t_epoch = time.perf_counter()
            order = shuffle.permutation(n).astype(np.int64)
            b = 0
            while b < spe:
                if self._changes:
                    yield from self._apply_changes(epoch, b, spe)
                if self._sample_requests:
                    yield from self._served_samples()
                step = int(ex.step[0])
                count = min(spe - b, chunk)
                if self.collect_stats:
                    count = min(count, clock.until_next(step))
                self._fill_lrs(lrs[b:b + count], step)
                t = time.perf_counter()
                done, status = self._call(order, b * bs, count, lrs[b:b + count], losses[b:b + count])
                dt = time.perf_counter() - t
                if done:
                    # Every batch reported here was applied: a diverging batch is refused before
                    # its update (kernels.engine.train_chunk), so nothing is ever rolled back.
                    chunk = max(1, min(100_000, int(done * CHUNK_SECONDS / max(dt, 1e-9))))
                    samples = min(n, (b + done) * bs) - b * bs
                    yield BatchesEnd(epoch, b, step, losses[b:b + done].copy(), lrs[b:b + done].copy(),
                                     spe, samples / max(dt, 1e-9))
                if status == K.STATUS_DIVERGED:
                    bad = b + done
                    good = "the weights are those after the last good batch" if int(ex.step[0]) else \
                        "the weights are the initial ones"
                    yield self._end("diverged",
                                    f"Training diverged at epoch {epoch + 1}, batch {bad + 1}: the loss, a "
                                    f"gradient or the update became NaN or infinite (learning rate "
                                    f"{lrs[bad]:.3g}). Stopped before that update: {good}. Try a smaller "
                                    "learning rate or gradient clipping.", epoch)
                    return
                b += done
                if self.collect_stats and done and clock.due(int(ex.step[0])):
                    from .stats import layer_stats
                    t = time.thread_time()
                    last_rows = min(n, b * bs) - (b - 1) * bs
                    ev = LayerStats(epoch, int(ex.step[0]), layer_stats(ex, last_rows, self.stats_bins))
                    clock.spent(time.thread_time() - t, int(ex.step[0]))
                    self.stats_every = clock.every
                    yield ev
                if status == K.STATUS_STOPPED:
                    with self._cond:
                        state = self._state
                    if state == _PAUSED:
                        yield Paused(epoch)
                        while True:      # while paused, requested feature maps are still sent
                            with self._cond:
                                while self._state == _PAUSED and not self._sample_requests:
                                    self._cond.wait()
                                state = self._state
                            yield from self._served_samples()
                            if state != _PAUSED:
                                break
                        if state != _STOPPING:
                            yield Resumed(epoch)
                    if state == _STOPPING:
                        yield self._end("stopped", f"Stopped by request during epoch {epoch + 1}.", epoch)
                        return
            logs = self._epoch_logs(losses, lrs, spe, bs, n)
            for k, v in logs.items():
                self.history.setdefault(k, []).append(v)
            if isinstance(self.schedule, ReduceOnPlateau):
                self.schedule.on_epoch_end(logs.get("val_loss", logs["loss"]))
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
            if self.collect_stats and self._pictures_affordable(epoch, epochs, clock):
                yield from self._epoch_pictures(epoch)
            yield EpochEnd(epoch, logs, time.perf_counter() - t_epoch)
            if self.stop_training:
                yield self._end(self.stop_reason, self.stop_message, epoch)
                return
        yield self._end("completed", f"Trained {epochs} epochs.", epochs - 1)

    # ---- the dashboard's pictures: feature maps and gradients through time ----------------------------
    def _feature_rows(self) -> np.ndarray:
        return self.val[0] if self.val is not None else self.X

    def _pictures_affordable(self, epoch: int, epochs: int, clock: "_StatsClock") -> bool:
        """Every epoch's pictures, unless a net of tiny epochs would spend more than the statistics'
        budget on them (STATS_BUDGET of the run's time, beyond STATS_FREE_SECONDS): then only those
        that fit, and always the first and the last epoch's."""
        if epoch == 0 or epoch == epochs - 1:
            return True
        allowed = max(STATS_FREE_SECONDS, self.stats_budget * (time.thread_time() - clock.t0))
        return self._picture_cost <= allowed

    def _epoch_pictures(self, epoch: int) -> Iterator:
        """At an epoch end: the shown sample's feature maps (Conv2D layers) and the gradient norm
        per time step on the first batch of the training set (recurrent layers) — the same rows
        every epoch, so the pictures compare. Each costs one small pass (core.stats)."""
        from .stats import feature_maps, time_gradients
        t = time.thread_time()
        fm = feature_maps(self.executor, self._feature_rows(), self.feature_sample)
        bs = self.settings["batch_size"]
        tg = time_gradients(self.executor, self.X[:bs], self.Y[:bs], epoch)
        self._picture_cost += time.thread_time() - t
        yield from (ev for ev in (fm, tg) if ev is not None)

    def _served_samples(self) -> Iterator:
        """Feature maps for the samples asked for (request_feature_maps), the last one kept as
        the sample later epoch ends show."""
        with self._cond:
            asked, self._sample_requests = self._sample_requests, []
        from .stats import feature_maps
        for index in dict.fromkeys(asked):         # each sample once, in the order asked
            fm = feature_maps(self.executor, self._feature_rows(), index)
            if fm is not None:
                self.feature_sample = index
                yield fm

    def _fill_lrs(self, out: np.ndarray, step: int) -> None:
        """Learning rate per batch. Constant and plateau schedules change only between epochs, so
        they skip the per-batch Python call (it costs more than a small net's whole step)."""
        if isinstance(self.schedule, (Constant, ReduceOnPlateau)):
            out[:] = self.schedule(step)
        else:
            for i in range(len(out)):
                out[i] = self.schedule(step + i)
        if self.lr_scale != 1.0:
            out *= self.lr_scale

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


class _StatsClock:
    """When per-layer statistics are due, on the training-progress clock (module docstring).

    Samples fall on steps step0 + j·every. `spent` records what a sample cost; if the samples
    still to come would take more than `budget` of the run's projected time, `every` doubles
    (the grid keeps every other point, so spacing stays even from there on). Costs and the run's
    time are this thread's CPU time, so a loaded machine does not thin a run's history.
    """

    def __init__(self, planned_steps: int, samples: int, budget: float, step0: int):
        self.every = max(1, planned_steps // max(1, samples))
        self.planned = max(1, planned_steps)
        self.budget = budget
        self.step0 = step0
        self.t0 = time.thread_time()
        self.cost = 0.0
        self.taken = 0

    def until_next(self, step: int) -> int:
        return self.every - (step - self.step0) % self.every

    def due(self, step: int) -> bool:
        return step > self.step0 and (step - self.step0) % self.every == 0

    def spent(self, seconds: float, step: int) -> None:
        self.taken += 1
        if self.taken == 1:          # the first sample may still load code: not a fair price
            return
        self.cost += seconds
        done = step - self.step0
        if self.taken < 3 or done <= 0:
            return
        run_time = (time.thread_time() - self.t0) * self.planned / done      # projected
        per_sample = self.cost / (self.taken - 1)

        def too_dear() -> bool:
            total = self.planned // self.every * per_sample
            return total > STATS_FREE_SECONDS and total > self.budget * run_time

        while too_dear() and self.every < self.planned:
            self.every *= 2       # multiples of 2k are points of the old grid: spacing stays even
