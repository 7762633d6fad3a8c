"""TrainingController: owns the training worker, the Run actions, the progress widget and the
panels' redraw timer; keeps the trained Model for Evaluate and saving.

Train first runs the pre-flight (core.preflight, what the Problems panel shows): a design with
errors is refused before any thread or process starts, and the problems are shown. A run is over
for the user when its TrainEnd arrives — Train is enabled and the end shown at once — while the
trained model still travels back in the background (in process mode it is pickled and its
inference kernels load, ~2–3 s); Evaluate and Save Trained Weights enable when it has arrived.

Data flow: training process (or thread) → worker thread → ``events(list)`` (queued, ≤ 20 lists
a second) → ``_on_events`` queues data in the panels' buffers → ``_tick`` (QTimer, 20 Hz) redraws
one changed, visible panel per tick. Nothing is drawn per event. Stop and pause act at once.
"""
from __future__ import annotations

import os
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from core import preflight as pf
from core.designfile import Design, from_dict
from core.errors import NetDesignerError
from core.events import LayerStats, TrainEnd

from ..dialogs import explain as dialogs_explain
from ..training_worker import DEFAULT_MODE, start_worker
from .canvas_tint import apply_tint
from .engine_loop import RunInfo, RunTiming, WeightMagnitudes
from .progress import ProgressWidget, run_icon

REDRAW_MS = 50          # ≤ 20 Hz
# The pre-flight loads a data set nobody has summarised yet (the Problems panel does it off the
# GUI thread as soon as a design is opened) only when that is quick: a built-in set or a small file.
QUICK_DATA_BYTES = 8 * 1024 * 1024


class TrainingController(QObject):
    """Signals:
        runningChanged(bool): a run started / ended (the thread has finished).
        lockedChanged(bool): structural edits must be locked (True while a run is going).
        layerStats(dict): node id → {"grad_norm", "weight_abs_mean"}, ≤ 20 Hz, for canvas tinting.
        tintModeChanged(object): "grad_norm", "weight_abs_mean" or None.
        modelTrained(object): the trained core Model (also after a stop or a divergence).
        trainingFinished(object): the TrainEnd event, or None when the run failed.
        statusMessage(str): one line for a status bar.
        runRecorded(object): a core.runs.RunRecord of the run that just ended (run history).
        trainingRefused(object): the pre-flight's errors that kept Train from starting (a list).
    """

    runningChanged = Signal(bool)
    lockedChanged = Signal(bool)
    layerStats = Signal(object)
    tintModeChanged = Signal(object)
    modelTrained = Signal(object)
    trainingFinished = Signal(object)
    statusMessage = Signal(str)
    runRecorded = Signal(object)
    trainingRefused = Signal(object)

    def __init__(self, window: QMainWindow, get_design: Callable[[], Design],
                 set_locked: Callable[[bool], None] | None = None, panels: dict | None = None):
        super().__init__(window)
        self.window = window
        self.get_design = get_design
        self.set_locked = set_locked or (lambda _locked: None)
        self.panels = dict(panels or {})          # name → Panel
        self.progress = ProgressWidget()
        self.model = None                         # the last trained core.model.Model
        self.info: RunInfo | None = None
        self.last_end: TrainEnd | None = None
        self.last_error = ""
        self.last_message = ""
        self.refused: list = []                   # the pre-flight errors of the last refused Train
        self.timing: RunTiming | None = None
        self.message_box: QMessageBox | None = None
        self.tint_mode: str | None = None
        self.mode = DEFAULT_MODE                  # "process" or "thread" (see training_worker)
        self._thread = self._worker = None
        self._paused = False
        self._ended = False             # the run's TrainEnd (or failure) has arrived: over for the user
        self._awaiting_model = False    # the run's trained model has not arrived yet
        self._locked = False
        self._restart_pending = False
        self._discard_run = False       # the document was replaced mid-run: drop what it sends
        self._tint: dict[str, dict] = {}
        self._tint_dirty = False
        self._scene = None
        self._ticks = self._next = 0
        self._routes: dict[type, list] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._tick)
        self._make_actions()
        self._update_actions()
        window.installEventFilter(self)

    # ---- actions ------------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        def act(icon, text, tip, slot, shortcut=None):
            a = QAction(run_icon(icon), text, self)
            a.setToolTip(tip)
            a.setStatusTip(tip)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            return a
        self.train_action = act("train", self.tr("&Train"), self.tr("Train the design with its training settings (F5)"),
                                self.start, "F5")
        self.pause_action = act("pause", self.tr("&Pause"), self.tr("Pause training (F6)"), self.pause, "F6")
        self.resume_action = act("resume", self.tr("&Resume"), self.tr("Resume training (F6)"), self.resume, "F6")
        self.stop_action = act("stop", self.tr("&Stop"), self.tr("Stop training; the weights so far are kept (Shift+F5)"),
                               self.stop, "Shift+F5")
        self.evaluate_action = act("evaluate", self.tr("&Evaluate"), self.tr("Evaluate the trained network on the test split"),
                                   self.evaluate, "F7")
        self.save_weights_action = QAction(self.tr("Save Trained &Weights…"), self)
        self.save_weights_action.triggered.connect(self.save_weights)
        self.tint_group = QActionGroup(self)
        self.tint_actions = {}
        for mode, text in ((None, self.tr("No Tint")), ("grad_norm", self.tr("Tint by Gradient Norm")),
                           ("weight_abs_mean", self.tr("Tint by Weight Magnitude"))):
            a = QAction(text, self, checkable=True)
            a.setChecked(mode is None)
            a.triggered.connect(lambda _=False, m=mode: self.set_tint_mode(m))
            self.tint_group.addAction(a)
            self.tint_actions[mode] = a

    def actions(self) -> list[QAction]:
        return [self.train_action, self.pause_action, self.resume_action, self.stop_action, self.evaluate_action]

    def _update_actions(self) -> None:
        active = self.run_active
        paused = active and self._paused
        self.train_action.setEnabled(not active and not self._restart_pending)
        self.pause_action.setEnabled(active and not paused)
        self.pause_action.setVisible(not paused)
        self.resume_action.setEnabled(paused)
        self.resume_action.setVisible(paused)
        self.stop_action.setEnabled(active)
        ready = self.model is not None and not active and not self._awaiting_model
        self.evaluate_action.setEnabled(ready)
        self.save_weights_action.setEnabled(ready)

    # ---- running ------------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        """The worker thread is alive: from Train until the trained model is back (or the run
        failed). See `run_active` for whether the run itself still goes on."""
        return self._thread is not None

    @property
    def run_active(self) -> bool:
        """A run is going on for the user: started, and its TrainEnd has not arrived yet."""
        return self._thread is not None and not self._ended

    def start(self) -> bool:
        """Train a copy of the current design in a worker thread. False if it could not start
        (already running, the design cannot be copied, or the pre-flight found errors)."""
        if self.run_active or self._restart_pending:
            return False
        try:
            # A private copy through the file format: the worker never sees later edits, and the
            # copy carries none of the live graph's Qt listeners.
            source = self.get_design()
            design = from_dict(source.to_dict())
            design.folder = getattr(source, "folder", "")   # a relative data path stays the file's
        except NetDesignerError as e:
            self._fail(str(e))
            return False
        if not self._preflight_passes(design):
            return False
        if self.is_running:
            # The last run has ended and its model is still on its way back: start the next one
            # as soon as it has arrived (one run at a time), the pre-flight passed already.
            self._restart_pending = True
            self.progress.set_status(self.tr("Starting…"))
            self._update_actions()
            return True
        self.last_end, self.last_error, self.timing, self.info = None, "", None, None
        self.refused = []
        self._paused = False
        self._ended = False
        self._awaiting_model = True
        self._discard_run = False
        # File → Import Weights… sets the window's initial_weights_path: every run starts from it.
        initial = getattr(self.window, "initial_weights_path", "") or ""
        from core.runs import RunRecorder           # run history (designer.lab): bounded, cheap per event
        self._recorder = RunRecorder(design)
        self._thread, self._worker = start_worker(design, mode=self.mode, parent=self, initial_weights=initial)
        self._worker.events.connect(self._on_events)
        self._worker.failed.connect(self._fail)
        self._worker.model_ready.connect(self._on_model)
        self._thread.finished.connect(self._on_thread_finished)
        self.progress.begin()
        self._set_locked(True)
        self._thread.start()
        self.timer.start()
        self._update_actions()
        self.runningChanged.emit(True)
        self.statusMessage.emit(self.tr("Training started"))
        return True

    # ---- the pre-flight gate -------------------------------------------------------------------------
    def _preflight_passes(self, design: Design) -> bool:
        """Run core.preflight on the copy about to train. Errors refuse Train (nothing starts) and
        are shown; warnings do not block (the Problems panel lists them)."""
        try:
            problems = pf.preflight(design, data_loader=_quick_data_loader)
        except NetDesignerError as e:                 # a check that could not run: Train will say
            problems = [e]
        errors = [p for p in problems if pf.is_error(p)]
        if not errors:
            return True
        self.refused = errors
        first = describe_problem(errors[0])
        if len(errors) == 1:
            message = self.tr("Cannot train: {0}").format(first)
        else:
            message = self.tr("Cannot train: {0} problems; the first: {1}").format(len(errors), first)
        self.progress.set_status(self.tr("Cannot train"))
        self.progress.status.setToolTip(message)
        self.statusMessage.emit(message)
        if not self._focus_problems_panel():
            self._show(QMessageBox.Warning, self.tr("Cannot train"), message)
        self.last_message = message
        self.trainingRefused.emit(errors)
        return False

    def _focus_problems_panel(self) -> bool:
        """Bring the window's Problems panel (designer.problems_panel) forward, its first error
        selected and focused. False when the host window has none."""
        panel = getattr(self.window, "problems", None)
        dock = getattr(self.window, "docks", {}).get("problems") if hasattr(self.window, "docks") else None
        listing = getattr(panel, "list", None)
        if dock is None or listing is None:
            return False
        if hasattr(panel, "recheck"):
            panel.recheck()                   # what Train saw, not an older check
        dock.show()
        dock.raise_()
        if listing.count():
            listing.setCurrentRow(0)
        listing.setFocus()
        return True

    def pause(self) -> None:
        if self._worker is not None and not self._paused and not self._ended:
            self._worker.pause()
            self._paused = True
            self.progress.set_status(self.tr("Pausing…"))
            self._update_actions()

    def resume(self) -> None:
        if self._worker is not None and self._paused and not self._ended:
            self._worker.resume()
            self._paused = False
            self._update_actions()

    def stop(self) -> None:
        """Ask the run to stop; it ends within one batch (after compiling, if it is compiling)."""
        self._restart_pending = False
        if self._worker is not None:
            self._worker.request_stop()
            if not self._ended:           # an ended run keeps showing how it ended
                self.progress.set_status(self.tr("Stopping…"))
            self.stop_action.setEnabled(False)
        self._update_actions()

    def restart(self) -> None:
        """Stop the run and start a new one with the design as it is when the old one has ended."""
        if self.is_running:
            self.stop()
            self._restart_pending = True
            self._update_actions()
        else:
            self.start()

    def confirm_restart(self) -> bool:
        """For parameter edits while training: True to go on with the edit (a restart follows)."""
        if not self.run_active:
            return True
        answer = QMessageBox.question(self.window, self.tr("Training is running"),
                                      self.tr("Changing this parameter restarts training. Stop the current run "
                                              "and restart with the change?"))
        if answer == QMessageBox.Yes:
            self.restart()
            return True
        return False

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop and wait for the run (closing the window, quitting). True if it has ended.

        A run stuck where it cannot stop (a first JIT compile takes ~20 s) is killed after
        half the timeout — possible in process mode only; a thread is waited for.
        """
        self._restart_pending = False
        thread, worker = self._thread, self._worker
        if thread is None:
            return True
        worker.request_stop()
        if thread.wait(timeout_ms // 2):
            return True
        worker.kill()
        return bool(thread.wait(timeout_ms - timeout_ms // 2))

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Close:
            self.shutdown()
        return False

    # ---- from the worker ----------------------------------------------------------------------------
    @Slot(object)
    def _on_events(self, batch: list) -> None:
        if self._discard_run:
            return
        recorder = getattr(self, "_recorder", None)
        from ..lab.recording import feed
        for ev in batch:
            self.progress.handle(ev)
            if recorder is not None:
                feed(recorder, ev)
            kind = type(ev)
            if kind is RunInfo:
                self.info = ev
                for p in self.panels.values():
                    p.reset(ev)
                continue
            if kind is LayerStats:
                for s in ev.layers:
                    if s.kind == "weights":
                        self._tint.setdefault(s.node_id, {})["grad_norm"] = s.grad_norm
                self._tint_dirty = True
            elif kind is WeightMagnitudes:
                for nid, v in ev.values.items():
                    self._tint.setdefault(nid, {})["weight_abs_mean"] = v
            elif kind is RunTiming:
                self.timing = ev
            elif kind is TrainEnd:
                self._on_end(ev)
            handlers = self._routes.get(kind)
            if handlers is None:         # which panels take this type, worked out once
                handlers = self._routes[kind] = [p.handle for p in self.panels.values() if issubclass(kind, p.accepts)]
            for h in handlers:
                h(ev)

    def _on_end(self, end: TrainEnd) -> None:
        """The run is over for the user: Train enabled, how it ended shown (a pause asked for just
        before the end is forgotten), edits unlocked — the model follows in the background."""
        self.last_end = end
        self._ended = True
        self._paused = False
        for p in self.panels.values():
            p.finish(end)
        from ..i18n.messages import translate_reason
        message = translate_reason(end.message)        # core's words in the UI's language
        self.progress.end(message)
        self.statusMessage.emit(message)
        if end.reason == "diverged":
            self._show(QMessageBox.Warning, self.tr("Training diverged"), message)
        self._set_locked(False)
        self._update_actions()
        recorder, self._recorder = getattr(self, "_recorder", None), None
        if recorder is not None:
            self.runRecorded.emit(recorder.record())
        self.trainingFinished.emit(end)

    @Slot(object)
    def _on_model(self, model) -> None:
        self._awaiting_model = False
        if self._discard_run:           # trained on a design the window no longer holds
            return
        self.model = model
        results = self.panels.get("results")
        if results is not None and model.data is not None:
            try:
                results.show_results(model)
            except Exception as e:     # a plot must never lose the trained model
                self.statusMessage.emit(self.tr("Could not plot the results: {0}").format(e))
        self._update_actions()
        self.modelTrained.emit(model)

    @Slot(str)
    def _fail(self, message: str) -> None:
        from ..i18n.messages import translate_reason
        message = translate_reason(message)            # core's words in the UI's language
        self.last_error = message
        self._ended = True
        self._paused = False
        self.progress.end(self.tr("Training failed"))
        self.statusMessage.emit(message)
        self._show(QMessageBox.Critical, self.tr("Training failed"), message)
        self._set_locked(False)
        self._update_actions()
        if self._thread is None:
            self.trainingFinished.emit(None)

    def _set_locked(self, locked: bool) -> None:
        """Lock structural edits while a copy trains; unlock once (at the end or when it failed)."""
        if locked == self._locked:
            return
        self._locked = locked
        self.set_locked(locked)
        self.lockedChanged.emit(locked)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self._thread
        if thread is not None:
            thread.wait()                 # finished() comes just before the thread really ends
            thread.deleteLater()
        # The worker is deleted here, on the GUI thread, as its last reference goes (see
        # training_worker.start_worker on why not in its own thread).
        self._thread = self._worker = None
        self._paused = False
        self._ended = True
        self._awaiting_model = False
        self._tick(everything=True)
        self.timer.stop()
        self._set_locked(False)
        if self.last_end is None and self.last_error:
            self.trainingFinished.emit(None)
        self._update_actions()
        self.runningChanged.emit(False)
        if self._restart_pending:
            self._restart_pending = False
            QTimer.singleShot(0, self.start)

    def _tick(self, everything: bool = False) -> None:
        """Redraw what changed. One panel per tick (the loss panel every other tick): a repaint
        of every plot at once would hold the event loop for one long stretch."""
        self.progress.refresh()
        panels = list(self.panels.values())
        if everything:
            for p in panels:
                if p.dirty:
                    p.refresh()
        else:
            self._ticks += 1
            loss = self.panels.get("loss")
            due = [p for p in panels if p.dirty and p.isVisible()]
            if loss in due and (self._ticks % 2 == 0 or len(due) == 1):
                loss.refresh()
            elif due:
                others = [p for p in panels if p is not loss]
                order = others[self._next:] + others[:self._next]
                pick = next((p for p in order if p in due), None)
                if pick is not None:
                    pick.refresh()
                    self._next = (others.index(pick) + 1) % len(others)
        if self._tint_dirty:
            self._tint_dirty = False
            self.layerStats.emit({k: dict(v) for k, v in self._tint.items()})

    # ---- after training -----------------------------------------------------------------------------
    def evaluate(self) -> dict | None:
        """Loss and metrics of the trained network on the test split (shown, and returned)."""
        if self.model is None or self.run_active or self._awaiting_model:
            return None
        try:
            logs = self.model.evaluate("test")
        except NetDesignerError as e:
            self._show(QMessageBox.Warning, self.tr("Cannot evaluate"), dialogs_explain(e))
            return None
        results = self.panels.get("results")
        if results is not None:
            results.show_results(self.model, "test")
        text = ", ".join(f"{k} {v:.4g}" for k, v in logs.items())
        self.statusMessage.emit(self.tr("Test split: {0}").format(text))
        self._show(QMessageBox.Information, self.tr("Evaluation"), self.tr("Test split: {0}").format(text))
        return logs

    def save_weights(self, path: str | None = None) -> bool:
        if self.model is None:
            return False
        if not path:
            path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Save trained weights"), "weights.npz",
                                                  self.tr("Weights (*.npz)"))
        if not path:
            return False
        try:
            self.model.save_weights(path)
        except (NetDesignerError, OSError) as e:
            self._show(QMessageBox.Critical, self.tr("Cannot save the weights"), dialogs_explain(e))
            return False
        self.statusMessage.emit(self.tr("Weights written to {0}").format(path))
        return True

    def forget_run(self) -> None:
        """The window's document was replaced (New, Open, an example, a recovered file): the
        trained model, the curves and the "Trained N epochs" status belonged to the design that
        went away, and go with it — Evaluate, Save Trained Weights and Export must never write
        one design's weights under another's name. A run still going is stopped and whatever it
        still sends is dropped (New and Open are locked while training: a safety net)."""
        if self.is_running:
            self._discard_run = True
            self._restart_pending = False
            self.stop()
        self.model = None
        self.info = self.last_end = self.timing = None
        self.last_error = ""
        self._tint.clear()
        self._tint_dirty = False
        if self._scene is not None and self.tint_mode:
            apply_tint(self._scene, {}, self.tint_mode)
        self._blank_panels()
        self.progress.set_status(self.tr("Ready"))
        self.progress.bar.hide()
        self.progress.details.hide()
        self._update_actions()

    def _blank_panels(self) -> None:
        """Every panel back to what it shows before a first run: reset to a run of nothing, then
        the notes such a run would add ("this one has 0 inputs") and the last results taken away."""
        blank = RunInfo(weight_layers=[], activation_layers=[], task="", n_classes=0, class_names=[],
                        feature_names=[], n_features=0, metrics=[], logits=False)
        for panel in self.panels.values():
            panel.reset(blank)
            panel.refresh()
            panel.dirty = False
        boundary, activations = self.panels.get("boundary"), self.panels.get("activations")
        if boundary is not None:
            boundary.message.hide()
            boundary.glw.show()
        if activations is not None:
            activations.empty.hide()
        results = self.panels.get("results")
        if results is not None and results.model is not None:
            results.model = None
            results.glw.clear()
            results.split_box.clear()
            for name in ("plots", "table"):
                if hasattr(results, name):
                    setattr(results, name, [])
            if hasattr(results, "grid"):
                results.grid.set_items([])
            results.set_hint(results.tr("Train a network to see its results here."))

    def model_matches(self, design: Design) -> bool:
        """Whether the trained weights still fit `design` (same nodes, parameters and edges)."""
        return self.model is not None and self.model.design.structure_hash() == design.structure_hash()

    # ---- canvas tint ----------------------------------------------------------------------------------
    def set_tint_mode(self, mode: str | None) -> None:
        self.tint_mode = mode
        self.tint_actions[mode].setChecked(True)
        self.tintModeChanged.emit(mode)
        self._tint_dirty = bool(self._tint)
        if self._scene is not None:
            apply_tint(self._scene, self._tint, mode)

    def attach_scene(self, scene) -> None:
        """Tint `scene`'s node items live (see canvas_tint.apply_tint for what it needs)."""
        self._scene = scene
        self.layerStats.connect(lambda stats: apply_tint(scene, stats, self.tint_mode) if self.tint_mode else None)

    # ---- messages ------------------------------------------------------------------------------------
    def _show(self, icon, title: str, text: str) -> None:
        """A non-blocking message box (training events must keep flowing behind it)."""
        self.last_message = text
        if self.message_box is not None:      # one at a time: a newer message replaces the last
            self.message_box.deleteLater()
        box = QMessageBox(icon, title, text, QMessageBox.Ok, self.window)
        box.setObjectName("trainingMessage")
        self.message_box = box
        box.open()


# ---- the pre-flight's helpers ---------------------------------------------------------------------------
def _quick_data_loader(settings: dict):
    """The data summary for the pre-flight at Train: from the cache, or loaded now when that is
    quick (a built-in data set or a small file). None (the data checks skipped: the worker's own
    checks still stop the run, with the same words) for a large file nobody has summarised yet."""
    hit = pf.cached_data_summary(settings)
    if hit is not None:
        return hit
    if settings.get("source") != "builtin":
        try:
            size = os.stat(settings.get("path") or "").st_size
        except OSError:
            size = 0                  # missing: loading fails at once, naming the file
        if size > QUICK_DATA_BYTES:
            return None
    return pf.data_summary(settings)


def describe_problem(problem) -> str:
    """One problem as the Problems panel words it: "label (id): reason", in the UI's language."""
    from ..i18n.messages import translate_reason
    reason = getattr(problem, "reason", None) or str(problem)
    reason = translate_reason(reason)
    node_id = getattr(problem, "node_id", None)
    if node_id is None:
        return reason
    from core.textsafe import printable_label     # a label's bidi controls must not reverse the line
    label = getattr(problem, "label", None)
    name = node_id if not label or label == node_id else f"{printable_label(label)} ({node_id})"
    return f"{name}: {reason}"
