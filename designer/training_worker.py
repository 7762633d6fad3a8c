"""Training off the GUI thread: a QObject, moved to a QThread, that runs the dashboard's loop
(designer/dashboard/engine_loop.py) either in that thread or in a child process it relays.

Why a process by default — measured with bench/gui_latency.py on a 2-core machine: the kernels
release the GIL (``nogil=True``), but PySide6 does *not* release it inside Qt's C++ painting, so
while the dashboard repaints the worker thread cannot run the trainer's Python between chunks.
A small net (epochs of ~1 ms, Python between every one) then trained at 0.72× headless speed in
a thread, and at ≥ 0.9× in a process. A process also keeps a crash in a kernel away from the
window and can be killed when it is stuck compiling. Its cost: ~1 s to start (imports, cached
kernels) and a pickled copy of the trained Model at the end. ``mode="thread"`` remains (no
start-up cost; fine for nets whose chunks are long).

Either way the worker's own thread only relays: events arrive as lists (≤ 20 a second) through
the queued ``events`` signal. Stop, pause and resume act at once from the GUI thread (a queued
slot would never run while ``run()`` is busy).
"""
from __future__ import annotations

import multiprocessing
import threading
import weakref

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from core.threads import blas_thread_cap
from core.designfile import Design

from .dashboard.engine_loop import (Batcher, Control, Preparing, child_main, describe_error,
                                    train)

MODES = ("process", "thread")
DEFAULT_MODE = "process"
_live: "weakref.WeakSet[QThread]" = weakref.WeakSet()


def live_threads() -> list[QThread]:
    """Training threads still running (tests fail on a leaked one)."""
    alive = []
    for t in list(_live):
        try:
            if t.isRunning():
                alive.append(t)
        except RuntimeError:        # its C++ object is already deleted: certainly not running
            pass
    return alive


class TrainingWorker(QObject):
    """Trains a private copy of a design; see `start_worker`.

    Signals:
        events(list): core events and the loop's own (Preparing, RunInfo, Boundary, ...).
        failed(str): a NetDesignerError's message, or "TypeName: message (at file:line)" for a bug.
        model_ready(object): the trained `Model` (also after a stop or a divergence).
        done(): the worker has nothing more to do (the thread can quit).
    """

    events = Signal(object)
    failed = Signal(str)
    model_ready = Signal(object)
    done = Signal()

    def __init__(self, design: Design, *, boundary: bool = True, mode: str = DEFAULT_MODE):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"TrainingWorker expects mode in {MODES}. Received: mode={mode!r}")
        self.design = design
        self.boundary = boundary
        self.mode = mode
        self.initial_weights = ""       # a weights file the run starts from (File → Import Weights…)
        self.control = Control()
        self._lock = threading.Lock()
        self._commands = None          # process mode: the pipe to the child
        self._process = None

    # ---- control: from the GUI thread, acting at once --------------------------------------------
    def request_stop(self) -> None:
        self.control.request_stop()
        self._send("stop")

    def pause(self) -> None:
        self.control.pause()
        self._send("pause")

    def resume(self) -> None:
        self.control.resume()
        self._send("resume")

    def intervene(self, change: str, node_id: str = "", value: float = 1.0) -> None:
        """Live intervention (core.trainer.Trainer.set_learning_rate_scale / set_trainable)."""
        self.control.intervene(change, node_id, value)
        self._send(("intervene", change, node_id, float(value)))

    def request_feature_maps(self, index: int) -> None:
        """The feature maps of validation sample `index`, sent as a FeatureMaps event between two
        chunks (or at once while paused); later epoch ends show that sample."""
        self.control.request_feature_maps(index)
        self._send(("feature_maps", int(index)))

    def kill(self) -> None:
        """Process mode: end the child now (it is stuck, e.g. compiling, and the app is closing)."""
        p = self._process
        if p is not None and p.is_alive():
            p.terminate()

    def _send(self, command: str) -> None:
        with self._lock:
            if self._commands is not None:
                try:
                    self._commands.send(command)
                except (OSError, ValueError):      # the child has already gone
                    pass

    # ---- the thread's body -------------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        if self.mode == "thread":
            self._run_here()
        else:
            self._run_process()
        self.done.emit()

    def _run_here(self) -> None:
        out = Batcher(self.events.emit)
        model = None
        try:
            with blas_thread_cap(1):   # BLAS threads would fight the GUI for the cores
                model = train(self.design, self.control, out, boundary=self.boundary,
                              preparing=self.tr("Loading data and building the network…"),
                              initial_weights=self.initial_weights)
        except Exception as e:      # NetDesignerError or a bug: report it, never crash
            out.flush()
            self.failed.emit(describe_error(e))
        finally:
            out.flush()
        if model is not None:
            self.model_ready.emit(model)

    def _run_process(self) -> None:
        # NOTE: spawn, not fork — numba's OpenMP runtime and Qt are not fork-safe (NOTES.md).
        ctx = multiprocessing.get_context("spawn")
        events_in, events_out = ctx.Pipe(duplex=False)
        commands_in, commands_out = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=child_main, name="netdesigner-training", daemon=True,
                           args=(_design_dict(self.design), events_out, commands_in, self.boundary,
                                 self.tr("Loading data and building the network…"), self.initial_weights))
        self.events.emit([Preparing(self.tr("Starting the training process…"))])
        try:
            proc.start()
        except Exception as e:
            self.failed.emit(describe_error(e))
            return
        events_out.close()
        commands_in.close()
        with self._lock:
            self._process, self._commands = proc, commands_out
        # A stop or pause that came while the process was starting.
        if self.control.stop_requested.is_set():
            self._send("stop")
        elif self.control.pause_requested.is_set():
            self._send("pause")
        with self.control._lock:        # interventions asked for while the process was starting
            early, self.control.pending = self.control.pending, []
        for change, node_id, value in early:
            self._send(("intervene", change, node_id, value))
        if self.control.feature_sample is not None:     # a sample chosen while the process was starting
            self._send(("feature_maps", self.control.feature_sample))
        model, finished, failed = None, False, False
        while not finished:
            if not events_in.poll(0.2):
                if proc.is_alive():
                    continue
                if not events_in.poll(0):
                    break                              # gone without a word: it crashed
            try:
                kind, payload = events_in.recv()
            except (EOFError, OSError):
                break
            if kind == "events":
                self.events.emit(payload)
            elif kind == "failed":
                failed = True
                self.failed.emit(payload)
            elif kind == "model":
                model = payload
                _warm_up(model)
            elif kind == "done":
                finished = True
        proc.join(2.0)
        if proc.is_alive():
            proc.terminate()
            proc.join(2.0)
        with self._lock:
            self._commands = None
            commands_out.close()
        events_in.close()
        if not finished and not failed:
            code = proc.exitcode
            self.failed.emit(self.tr("The training process ended unexpectedly (exit code {0}).").format(code))
        if model is not None:
            self.model_ready.emit(model)


def _warm_up(model) -> None:
    """Load the cached inference kernels in this (relay) thread, not on the GUI thread's first
    Evaluate or results plot (~0.5 s of numba typing in a fresh process)."""
    try:
        from core.evaluation import evaluate
        d = model.data
        evaluate(model.executor, d.X_train[:2], model.shape_targets(d.y_train[:2]), task=d.task)
    except Exception:       # only an optimisation: the real call will report any problem
        pass


def _design_dict(design: Design) -> dict:
    """The design for the child process, its relative data path resolved against the design's
    folder (the child's working directory says nothing about where the design lives)."""
    from core.dataio import resolved_data_settings
    return {**design.to_dict(), "data": resolved_data_settings(design.data, design.folder)}


def start_worker(design: Design, *, boundary: bool = True, mode: str = DEFAULT_MODE,
                 parent: QObject | None = None, initial_weights: str = "") -> tuple[QThread, TrainingWorker]:
    """A worker moved to a new (not yet started) QThread that quits when the worker is done.

    Connect to the worker's signals, then ``thread.start()``. When the thread has finished,
    ``thread.wait()`` and drop the worker on the GUI thread (see the note below).
    """
    thread = QThread(parent)
    thread.setObjectName("netdesigner-training")
    worker = TrainingWorker(design, boundary=boundary, mode=mode)
    worker.initial_weights = initial_weights
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    # Direct: QThread.quit is thread-safe, and a queued call would wait for the GUI thread —
    # which, in shutdown(), is blocked waiting for this thread.
    worker.done.connect(thread.quit, Qt.DirectConnection)
    # NOTE: no `thread.finished → worker.deleteLater`. That deletes the worker in its own thread,
    # where PySide's destructor waits for the GIL while holding Qt's connection lock — and a GUI
    # thread that connects a signal meanwhile holds the GIL and waits for that lock: a deadlock
    # (seen in bench/gui_latency.py). The owner drops the worker on the GUI thread after wait().
    _live.add(thread)
    return thread, worker
