"""The dashboard's training loop, free of Qt: it runs in a worker thread or in a child process.

It builds the model, iterates ``Trainer.run()`` and hands events to a `Batcher`, adding its own:
the run's layout (RunInfo), decision-boundary grids (Boundary), mean |w| per node
(WeightMagnitudes) and the wall time of the loop (RunTiming). Decision-boundary predictions use
the executor's arenas, which training also uses, so they run here, between two chunks.

Events leave batched: one list at most every FLUSH_SECONDS, at once for the ones a person waits
on (compiling, paused, the end) — a tiny net finishing a thousand epochs a second never floods
the GUI.
"""
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.threads import blas_thread_cap
from core.errors import NetDesignerError
from core.events import (BatchesEnd, Compiled, Compiling, EpochBegin, EpochEnd, FeatureMaps, LayerStats, Paused,
                         Resumed, TrainBegin, TrainEnd)

FLUSH_SECONDS = 0.05        # ≤ 20 event lists a second
BOUNDARY_SECONDS = 0.2      # decision-boundary grid at most 5 times a second
GRID = 80                   # boundary grid resolution (GRID × GRID predictions)

_URGENT = (Compiling, Compiled, Paused, Resumed, TrainEnd)


# ---- events the loop adds to the trainer's -----------------------------------------------------
@dataclass(frozen=True)
class Preparing:
    message: str


@dataclass(frozen=True)
class RunInfo:
    """What the panels need to lay themselves out, sent once the model is built."""
    weight_layers: list          # [(node_id, block type, parameter count, trainable)] in plan order
    activation_layers: list      # [(node_id, block type)] whose activations are measured
    task: str                    # binary | multiclass | regression
    n_classes: int
    class_names: list
    feature_names: list
    n_features: int
    metrics: list
    logits: bool                         # the output is raw scores (sigmoid/softmax in the loss)
    points: np.ndarray | None = None     # raw training features (n, 1 or 2) for the boundary plot
    labels: np.ndarray | None = None     # their targets (n,)
    bounds: tuple | None = None          # raw (x0, x1, y0, y1) of the boundary grid


@dataclass(frozen=True)
class Boundary:
    """Model output on the boundary grid: values (GRID, GRID, k) (1-D input: (GRID, k))."""
    step: int
    values: np.ndarray


@dataclass(frozen=True)
class BatchLog:
    """The BatchesEnd and EpochEnd events of one flush folded into one.

    A small net ends an epoch every millisecond; sent one by one its events cost the GUI more
    than drawing them (measured: ~9,000 events a second, 20 % of a core to receive).
    """
    x: np.ndarray               # each batch's position in epochs: epoch + (batch + 1) / batches
    losses: np.ndarray
    lrs: np.ndarray
    epoch_x: np.ndarray         # epoch + 1 of each EpochEnd
    epoch_logs: list            # their logs (loss, val_loss, metrics, lr)
    epoch: int                  # the last batch's epoch, batch (1-based count) and epoch length
    batch: int
    batches_in_epoch: int
    samples_per_second: float


def fold(batch: list) -> list:
    """Replace the BatchesEnd/EpochEnd events of `batch` by one BatchLog (where the last was);
    EpochBegin is dropped (a BatchLog carries the epoch). Other events keep their order."""
    runs = [ev for ev in batch if isinstance(ev, BatchesEnd)]
    ends = [ev for ev in batch if isinstance(ev, EpochEnd)]
    if not runs and not ends:
        return [ev for ev in batch if not isinstance(ev, EpochBegin)]
    empty = np.zeros(0)
    x = np.concatenate([ev.epoch + (ev.first_batch + 1 + np.arange(len(ev.losses))) / ev.batches_in_epoch
                        for ev in runs]) if runs else empty
    last = runs[-1] if runs else None
    log = BatchLog(x, np.concatenate([ev.losses for ev in runs]) if runs else empty,
                   np.concatenate([ev.lrs for ev in runs]) if runs else empty,
                   np.array([ev.epoch + 1.0 for ev in ends]), [ev.logs for ev in ends],
                   last.epoch if last else ends[-1].epoch,
                   last.first_batch + len(last.losses) if last else 0,
                   last.batches_in_epoch if last else 0, last.samples_per_second if last else 0.0)
    where = max(i for i, ev in enumerate(batch) if isinstance(ev, (BatchesEnd, EpochEnd)))
    out = [ev for ev in batch[:where] if not isinstance(ev, (BatchesEnd, EpochEnd, EpochBegin))]
    return out + [log] + [ev for ev in batch[where + 1:] if not isinstance(ev, EpochBegin)]


@dataclass(frozen=True)
class WeightMagnitudes:
    """Mean |w| per node with weights, read with a LayerStats event (for tinting the canvas)."""
    step: int
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunTiming:
    """Wall time of the training loop proper (compile excluded), the samples it processed and
    the CPU time its thread got meanwhile (cpu < wall: it waited for a core or the GIL)."""
    seconds: float
    samples: int
    cpu_seconds: float = float("nan")


# ---- control and batching -------------------------------------------------------------------------
class Control:
    """Stop / pause / resume from any thread, before or during the run (thread-safe)."""

    def __init__(self):
        self.stop_requested = threading.Event()
        self.pause_requested = threading.Event()
        self.trainer = None
        self._lock = threading.Lock()
        self.pending: list[tuple[str, str, float]] = []   # interventions asked for before the trainer exists
        self.feature_sample: int | None = None      # the feature-map sample asked for last

    def intervene(self, change: str, node_id: str = "", value: float = 1.0) -> None:
        """Live intervention (designer.dashboard.intervention): handed to the trainer, which applies
        it at its next chunk; kept until the trainer exists."""
        with self._lock:
            trainer = self.trainer
            if trainer is None:
                self.pending.append((change, node_id, value))
                return
        _apply_intervention(trainer, change, node_id, value)

    def request_feature_maps(self, index: int) -> None:
        """The feature-map panel asked for validation sample `index` (Trainer.request_feature_maps);
        remembered until the trainer exists."""
        with self._lock:
            self.feature_sample = int(index)
            trainer = self.trainer
        if trainer is not None:
            trainer.request_feature_maps(int(index))

    def attach(self, trainer) -> None:
        with self._lock:
            self.trainer = trainer
            pending, self.pending = self.pending, []
            sample = self.feature_sample
        for p in pending:
            _apply_intervention(trainer, *p)
        if sample is not None:
            trainer.feature_sample = sample

    def request_stop(self) -> None:
        self.stop_requested.set()
        if self.trainer is not None:
            self.trainer.request_stop()

    def pause(self) -> None:
        self.pause_requested.set()
        if self.trainer is not None:
            self.trainer.pause()

    def resume(self) -> None:
        self.pause_requested.clear()
        if self.trainer is not None:
            self.trainer.resume()


def _apply_intervention(trainer, change: str, node_id: str, value: float) -> None:
    try:
        if change == "learning_rate_scale":
            trainer.set_learning_rate_scale(value)
        elif change == "trainable":
            trainer.set_trainable(node_id, bool(value))
    except NetDesignerError:       # the GUI offers only valid changes; a stale one is dropped
        pass


class Batcher:
    """Collects events; calls ``send(list)`` — `fold`ed — at most every FLUSH_SECONDS (at once
    if urgent)."""

    def __init__(self, send: Callable[[list], None]):
        self.send = send
        self.buf: list = []
        self.last = 0.0

    def emit(self, ev, urgent: bool = False) -> None:
        self.buf.append(ev)
        self.flush(force=urgent)

    def flush(self, force: bool = True) -> None:
        now = time.perf_counter()
        if self.buf and (force or now - self.last >= FLUSH_SECONDS):
            batch, self.buf = self.buf, []
            self.last = now
            self.send(fold(batch))


def describe_error(e: BaseException) -> str:
    """NetDesignerError → its message; anything else (a bug) → "Type: message" and the place."""
    if isinstance(e, NetDesignerError):
        return str(e)
    where = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
    at = f" (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return f"{type(e).__name__}: {e}{at}"


# ---- the loop ----------------------------------------------------------------------------------------
def train(design, control: Control, out: Batcher, *, boundary: bool = True,
          preparing: str = "Loading data and building the network…", initial_weights: str = ""):
    """Build and train `design`; returns the Model (trained weights, also after stop/divergence).
    initial_weights: a .npz/.safetensors file whose matching weights training starts from."""
    from core.model import Model
    out.emit(Preparing(preparing), urgent=True)
    model = Model.from_design(design)
    if initial_weights:
        from core.finetune import load_matching_weights
        load_matching_weights(model, initial_weights)   # WeightsError if nothing matches
    if control.stop_requested.is_set():
        out.emit(TrainEnd("stopped", "Stopped before training started.", 0, None, {}), urgent=True)
        return model
    trainer = model.trainer(collect_stats=True)
    info = run_info(model)
    out.emit(info)
    control.attach(trainer)
    grid = _grid(model, info) if boundary and info.bounds is not None else None
    ex = model.executor
    last_boundary = 0.0
    t_start = None
    cpu_start = 0.0
    samples = n_train = bs = 0
    for ev in trainer.run():
        now = time.perf_counter()
        if isinstance(ev, TrainBegin):
            n_train, bs = ev.n_train, ev.batch_size
            # run() clears the control word: re-apply a stop or pause that came earlier.
            if control.stop_requested.is_set():
                trainer.request_stop()
            elif control.pause_requested.is_set():
                trainer.pause()
        elif isinstance(ev, Compiled):
            t_start, cpu_start = now, time.thread_time()
        elif isinstance(ev, LayerStats):
            out.emit(WeightMagnitudes(ev.step, _weight_magnitudes(ex)))
            # No wall-clock throttle here: the trainer samples on its training-progress clock
            # within its own cost budget, and a 1-second run would otherwise keep ~4 samples.
        elif isinstance(ev, BatchesEnd):
            b0 = ev.first_batch
            samples += min(n_train, (b0 + len(ev.losses)) * bs) - b0 * bs
        elif isinstance(ev, TrainEnd):
            model.trained_epochs += ev.epochs_run
            if trainer.history:
                model.last_logs = {k: v[-1] for k, v in trainer.history.items()}
            if grid is not None:
                out.emit(Boundary(int(ex.step[0]), _predict_grid(ex, grid)))
            if t_start is not None:
                out.emit(RunTiming(now - t_start, samples, time.thread_time() - cpu_start))
        # A sample's feature maps asked for while paused: nothing else would flush them.
        out.emit(ev, urgent=isinstance(ev, _URGENT) or (isinstance(ev, FeatureMaps) and trainer.paused))
        if (grid is not None and t_start is not None and not isinstance(ev, TrainEnd)
                and now - last_boundary >= BOUNDARY_SECONDS):
            last_boundary = now
            out.emit(Boundary(int(ex.step[0]), _predict_grid(ex, grid)))
    return model


def run_info(model) -> RunInfo:
    from core.evaluation import _LOGIT_CODES     # the one list of logit losses, kept in core
    from core.stats import RELU_FAMILY, SATURATING
    plan, d = model.plan, model.data
    weight_layers, seen = [], {}
    for w in plan.weights:
        if w.state:
            continue
        if w.node_id not in seen:
            seen[w.node_id] = len(weight_layers)
            weight_layers.append([w.node_id, plan.node_types.get(w.node_id, ""), 0, False])
        row = weight_layers[seen[w.node_id]]
        row[2] += w.size
        row[3] = row[3] or w.trainable
    acts = [(nid, typ) for nid, typ in plan.node_types.items()
            if (typ in RELU_FAMILY or typ in SATURATING) and nid in plan.node_tensor]
    points = labels = bounds = None
    if plan.n_features in (1, 2):
        raw = d.scaler.inverse_transform(d.X_train.reshape(len(d.X_train), -1))
        points = raw
        labels = d.y_train[:, 0] if d.y_train.shape[1] == 1 else d.y_train.argmax(axis=1)
        lo, hi = raw.min(axis=0), raw.max(axis=0)
        pad = 0.1 * np.where(hi > lo, hi - lo, 1.0)
        lo, hi = lo - pad, hi + pad
        bounds = (lo[0], hi[0], lo[-1], hi[-1]) if plan.n_features == 2 else (lo[0], hi[0], 0.0, 0.0)
    return RunInfo([tuple(r) for r in weight_layers], acts, d.task, d.n_classes, list(d.class_names or []),
                   list(d.feature_names), plan.n_features, list(model.design.training["metrics"]),
                   plan.loss_code in _LOGIT_CODES, points, labels, bounds)


def _grid(model, info: RunInfo) -> np.ndarray:
    """Grid points in the *scaled* space the network sees (raw grid → the training scaler)."""
    x0, x1, y0, y1 = info.bounds
    xs = np.linspace(x0, x1, GRID)
    if info.n_features == 1:
        raw = xs[:, None]
    else:
        gx, gy = np.meshgrid(xs, np.linspace(y0, y1, GRID))      # rows follow y
        raw = np.c_[gx.ravel(), gy.ravel()]
    return np.ascontiguousarray(model.scaler.transform(raw) if model.scaler is not None else raw)


def _predict_grid(ex, grid: np.ndarray) -> np.ndarray:
    out = np.asarray(ex.predict(grid), np.float64)
    return out.reshape(GRID, GRID, -1) if len(grid) == GRID * GRID else out


def _weight_magnitudes(ex) -> dict:
    sums: dict[str, list] = {}
    for w in ex.plan.weights:
        if w.state:
            continue
        acc = sums.setdefault(w.node_id, [0.0, 0])
        acc[0] += float(np.abs(ex.params[w.offset:w.offset + w.size]).sum())
        acc[1] += w.size
    return {nid: s / max(n, 1) for nid, (s, n) in sums.items()}


# ---- the child process -------------------------------------------------------------------------------
def child_main(design_doc: dict, events, commands, boundary: bool, preparing: str,
               initial_weights: str = "") -> None:
    """Entry point of a training process (spawned). Messages on `events`:
    ("events", list) | ("model", Model) | ("failed", str) | ("done", None).
    Commands on `commands`: "stop", "pause", "resume", ("intervene", change, node_id, value),
    ("feature_maps", sample index)."""
    from core.designfile import from_dict
    control = Control()

    def listen():
        try:
            while True:
                cmd = commands.recv()
                if isinstance(cmd, tuple) and cmd[0] == "intervene":
                    control.intervene(*cmd[1:])
                    continue
                if isinstance(cmd, tuple) and cmd[0] == "feature_maps":
                    control.request_feature_maps(cmd[1])
                    continue
                {"stop": control.request_stop, "pause": control.pause, "resume": control.resume}[cmd]()
                if cmd == "stop":
                    return
        except (EOFError, OSError):       # the GUI went away: stop training
            control.request_stop()

    threading.Thread(target=listen, name="training-commands", daemon=True).start()
    out = Batcher(lambda batch: events.send(("events", batch)))
    model = None
    try:
        with blas_thread_cap(1):   # BLAS threads would fight the GUI for the cores
            model = train(from_dict(design_doc), control, out, boundary=boundary, preparing=preparing,
                          initial_weights=initial_weights)
    except Exception as e:
        out.flush()
        events.send(("failed", describe_error(e)))
    finally:
        out.flush()
        if model is not None:
            events.send(("model", model))
        events.send(("done", None))
        events.close()
