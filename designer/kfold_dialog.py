"""Run → Cross-validate…: k-fold cross-validation of the open design, off the GUI thread.

A `KFoldWorker` (moved to a QThread) trains k fresh copies of a private copy of the design with
``core.kfold.fold_models`` — the same folds, scaling and evaluation as ``netdesigner kfold`` —
and reports each fold as it ends; the dialog fills a table row per fold, then mean ± std
(``core.kfold.summarize``: population std, as the CLI). Cancel stops the running fold within
one chunk of batches (``Trainer.request_stop``) and drops it.

"Side by side" > 1 trains that many folds at once in worker processes (``core.kfold.kfold`` with
``jobs``, as ``netdesigner kfold --jobs``), each with its share of the cores; the folds report
as they finish (no per-epoch progress from another process) and Stop terminates the workers.
"""
from __future__ import annotations

import threading
import weakref

from PySide6.QtCore import QEvent, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHeaderView, QLabel, QProgressBar, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from core.threads import blas_thread_cap
from core.errors import NetDesignerError

INFO = ("fold", "n_train", "n_test", "epochs")
_live: "weakref.WeakSet[QThread]" = weakref.WeakSet()


def live_threads() -> list[QThread]:
    """Cross-validation threads still running (tests fail on a leaked one)."""
    return [t for t in list(_live) if t.isRunning()]


class KFoldWorker(QObject):
    """Signals:
        foldStarted(int): fold index (0-based) begins (compiling, on a cold start).
        progress(int, int, int): fold index, epochs done, epochs of the fold.
        foldFinished(int, object): fold index, its row {fold, n_train, n_test, epochs, loss, …}.
        finished(object): {"per_fold", "mean", "std"}, or None when cancelled or failed.
        failed(str): core's one-line message (or "Type: message" for a bug).
        done(): nothing more to do (the thread quits).
    """

    foldStarted = Signal(int)
    progress = Signal(int, int, int)
    foldFinished = Signal(int, object)
    finished = Signal(object)
    failed = Signal(str)
    done = Signal()

    def __init__(self, design, k: int, seed: int, *, epochs: int | None = None,
                 initial_weights: str = "", jobs: int = 1):
        super().__init__()
        self.design, self.k, self.seed, self.epochs, self.jobs = design, k, seed, epochs, jobs
        self.initial_weights = initial_weights
        self._cancel = threading.Event()
        self._trainer = None

    def cancel(self) -> None:
        """From any thread: stop the running fold now and report no result."""
        self._cancel.set()
        trainer = self._trainer
        if trainer is not None:
            trainer.request_stop()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        result = None
        try:
            with blas_thread_cap(1):   # BLAS threads would fight the GUI for the cores
                result = self._folds_in_processes() if self.jobs > 1 else self._folds()
        except Exception as e:  # noqa: BLE001 - every failure reaches the dialog
            self.failed.emit(str(e) if isinstance(e, NetDesignerError) else f"{type(e).__name__}: {e}")
        finally:
            self.finished.emit(result)
            self.done.emit()

    def _folds_in_processes(self) -> dict | None:
        from core.kfold import kfold
        from core.pool import Cancelled
        try:
            res = kfold(self.design, self.k, self.seed, epochs=self.epochs, jobs=self.jobs,
                        initial_weights=self.initial_weights, on_start=self.foldStarted.emit,
                        on_fold=self.foldFinished.emit, cancel=self._cancel)
        except Cancelled:
            return None
        return {"per_fold": res.per_fold, "mean": res.mean, "std": res.std}

    def _folds(self) -> dict | None:
        import time

        from core.events import EpochEnd, TrainBegin, TrainEnd
        from core.kfold import fold_models, summarize
        rows = []
        for i, model, (_tr, te) in fold_models(self.design, self.k, self.seed):
            if self.cancelled:
                return None
            self.foldStarted.emit(i)
            if self.initial_weights:
                from core.finetune import load_matching_weights
                load_matching_weights(model, self.initial_weights)
            names = list(self.design.training["metrics"])
            if not names and model.data.task != "regression":
                names = ["accuracy"]
            trainer = model.trainer(collect_stats=False, epochs=self.epochs)
            self._trainer = trainer
            total = trainer.settings["epochs"]
            end, last = None, 0.0
            for ev in trainer.run():
                if isinstance(ev, TrainBegin) and self.cancelled:
                    trainer.request_stop()      # run() clears the control word: stop again
                elif isinstance(ev, EpochEnd):
                    now = time.perf_counter()
                    if now - last > 0.05 or ev.epoch + 1 == total:     # ≤ 20 updates a second
                        last = now
                        self.progress.emit(i, ev.epoch + 1, total)
                elif isinstance(ev, TrainEnd):
                    end = ev
            self._trainer = None
            if self.cancelled or end is None or end.reason == "stopped":
                return None
            model.trained_epochs += end.epochs_run
            logs = model.evaluate("test", names)
            row = {"fold": i + 1, "n_train": len(model.data.X_train), "n_test": len(te),
                   "epochs": end.epochs_run, **logs}
            rows.append(row)
            self.foldFinished.emit(i, row)
        mean, std = summarize(rows)
        return {"per_fold": rows, "mean": mean, "std": std}


class KFoldDialog(QDialog):
    """k, seed (and an epoch override); Run fills the table fold by fold, then mean ± std."""

    def __init__(self, document, parent=None, initial_weights: str = ""):
        super().__init__(parent)
        self.document = document
        self.initial_weights = initial_weights
        self.result: dict | None = None
        self.rows: list[dict] = []
        self.error = ""
        self._thread: QThread | None = None
        self._worker: KFoldWorker | None = None
        self.setWindowTitle(self.tr("Cross-validate"))
        self.setObjectName("kfoldDialog")
        box = QVBoxLayout(self)
        intro = QLabel(self.tr("Train k fresh copies of the design, each tested on the fold of the data it "
                               "did not see; folds are stratified for classification."), self)
        intro.setWordWrap(True)
        box.addWidget(intro)
        form = QFormLayout()
        self.k_spin = QSpinBox(self)
        self.k_spin.setRange(2, 100)
        self.k_spin.setValue(5)
        self.k_spin.setToolTip(self.tr("Number of folds"))
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip(self.tr("Seed of the fold assignment (weights start from the training seed)"))
        self.epochs_spin = QSpinBox(self)
        self.epochs_spin.setRange(0, 1_000_000)
        self.epochs_spin.setSpecialValueText(self.tr("as in the design ({0})").format(
            document.design.training["epochs"]))
        self.epochs_spin.setToolTip(self.tr("Epochs per fold"))
        form.addRow(self.tr("Folds (k)"), self.k_spin)
        form.addRow(self.tr("Seed"), self.seed_spin)
        form.addRow(self.tr("Epochs"), self.epochs_spin)
        from core.threads import physical_cores
        self.jobs_spin = QSpinBox(self)
        self.jobs_spin.setObjectName("kfoldJobs")
        self.jobs_spin.setRange(1, max(1, physical_cores()))
        self.jobs_spin.setValue(1)
        self.jobs_spin.setToolTip(self.tr("Folds trained at once, each in its own process with its share of "
                                          "the CPU cores (1: one after another, with per-epoch progress)"))
        form.addRow(self.tr("Side by side"), self.jobs_spin)
        self.imported_check = QCheckBox(self.tr("Start each fold from the imported weights"), self)
        self.imported_check.setChecked(bool(initial_weights))
        self.imported_check.setVisible(bool(initial_weights))
        form.addRow("", self.imported_check)
        box.addLayout(form)

        self.table = QTableWidget(0, 0, self)
        self.table.setObjectName("kfoldTable")
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.columns: list[str] = []
        self._set_columns(["loss"])
        box.addWidget(self.table, 1)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        box.addWidget(self.progress_bar)
        box.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        self.run_button = self.buttons.addButton(self.tr("Run"), QDialogButtonBox.ActionRole)
        self.cancel_button = self.buttons.addButton(self.tr("Stop"), QDialogButtonBox.ActionRole)
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        self.resize(640, 460)
        if parent is not None:     # the window closing stops the folds (a running QThread must not die)
            parent.installEventFilter(self)

    # ---- table ----------------------------------------------------------------------------------
    def _set_columns(self, metrics: list[str]) -> None:
        self.columns = ["fold", "train_test", "epochs", *metrics]
        heads = [self.tr("Fold"), self.tr("Train / test"), self.tr("Epochs"), *metrics]
        self.table.setColumnCount(len(heads))
        self.table.setHorizontalHeaderLabels(heads)

    def _cell(self, row: int, col: int, text: str, align=Qt.AlignRight | Qt.AlignVCenter) -> None:
        item = QTableWidgetItem(text)
        item.setTextAlignment(align)
        self.table.setItem(row, col, item)

    def _fold_started(self, i: int) -> None:
        k = self.k_spin.value()
        self.table.setRowCount(i + 1)
        self._cell(i, 0, self.tr("fold {0}").format(i + 1), Qt.AlignLeft | Qt.AlignVCenter)
        self._cell(i, 1, "…")
        self.progress_bar.setRange(0, 0)           # busy until the first epoch (compiling)
        self.status.setText(self.tr("Fold {0} of {1}: preparing…").format(i + 1, k))

    def _progress(self, i: int, epoch: int, total: int) -> None:
        k = self.k_spin.value()
        self.progress_bar.setRange(0, k * total)
        self.progress_bar.setValue(i * total + epoch)
        self.status.setText(self.tr("Fold {0} of {1}: epoch {2} of {3}").format(i + 1, k, epoch, total))

    def _fold_finished(self, i: int, row: dict) -> None:
        self.rows.append(row)
        metrics = [key for key in row if key not in INFO]
        if self.columns[3:] != metrics:
            self._set_columns(metrics)
        self.table.setRowCount(max(self.table.rowCount(), i + 1))
        self._cell(i, 0, self.tr("fold {0}").format(row["fold"]), Qt.AlignLeft | Qt.AlignVCenter)
        self._cell(i, 1, f"{row['n_train']} / {row['n_test']}")
        self._cell(i, 2, str(row["epochs"]))
        for j, key in enumerate(metrics):
            self._cell(i, 3 + j, f"{row[key]:.4g}")

    def _finished(self, result) -> None:
        self.result = result
        if result is None:
            if not self.error:
                self.status.setText(self.tr("Stopped: {0} of {1} folds done, no summary.").format(
                    len(self.rows), self.k_spin.value()))
                self.table.setRowCount(len(self.rows))       # drop the interrupted fold's row
            return
        r = self.table.rowCount()
        self.table.setRowCount(r + 1)
        self._cell(r, 0, self.tr("mean ± std"), Qt.AlignLeft | Qt.AlignVCenter)
        for j, key in enumerate(self.columns[3:]):
            self._cell(r, 3 + j, f"{result['mean'][key]:.4g} ± {result['std'][key]:.2g}")
        font = self.table.item(r, 0).font()
        font.setBold(True)
        for j in range(self.table.columnCount()):
            if self.table.item(r, j) is not None:
                self.table.item(r, j).setFont(font)
        text = ", ".join(f"{key} {result['mean'][key]:.4g} ± {result['std'][key]:.2g}" for key in result["mean"])
        self.status.setText(self.tr("{0}-fold cross-validation: {1}").format(len(result["per_fold"]), text))
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)

    def _failed(self, message: str) -> None:
        from .dialogs import error
        self.error = message
        self.status.setText("⚠ " + message)
        error(self, self.tr("Cross-validation failed"), message)

    # ---- running --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> bool:
        """Start the folds in a worker thread. False if already running (or the design has no copy)."""
        if self.running:
            return False
        from core.designfile import from_dict
        try:
            design = from_dict(self.document.design.to_dict())    # later edits never reach the worker
            design.folder = self.document.design.folder           # a relative data path: its folder
        except NetDesignerError as e:
            self._failed(str(e))
            return False
        design.training["checkpoint"]["enabled"] = False          # k folds must not overwrite it
        self.rows, self.result, self.error = [], None, ""
        self.table.setRowCount(0)
        self._set_columns(["loss"])
        epochs = self.epochs_spin.value() or None
        weights = self.initial_weights if self.imported_check.isChecked() else ""
        thread = QThread(self)
        thread.setObjectName("netdesigner-kfold")
        worker = KFoldWorker(design, self.k_spin.value(), self.seed_spin.value(), epochs=epochs,
                             initial_weights=weights, jobs=self.jobs_spin.value())
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.foldStarted.connect(self._fold_started)
        worker.progress.connect(self._progress)
        worker.foldFinished.connect(self._fold_finished)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._finished)
        # Direct: QThread.quit is thread-safe; a queued call would wait for a GUI thread that may
        # be blocked in wait() (closing the dialog).
        worker.done.connect(thread.quit, Qt.DirectConnection)
        # No `thread.finished → worker.deleteLater`: the worker is owned by Python, so deleting it
        # in its own thread raced the GUI thread dropping the last reference — a double delete
        # that crashed the process (the side-by-side folds' segfault). It is dropped on the GUI
        # thread after wait(), as designer/training_worker.py does.
        thread.finished.connect(self._thread_finished)
        self._thread, self._worker = thread, worker
        _live.add(thread)
        for w in (self.k_spin, self.seed_spin, self.epochs_spin, self.jobs_spin, self.imported_check,
                  self.run_button):
            w.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Loading the data…"))
        self.progress_bar.setRange(0, 0)
        thread.start()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Stopping…"))

    def _thread_finished(self) -> None:
        thread = self._thread
        if thread is not None:
            thread.wait()                  # finished: returns at once; the worker is idle now
        self._thread = self._worker = None
        if thread is not None:
            thread.deleteLater()
        for w in (self.k_spin, self.seed_spin, self.epochs_spin, self.jobs_spin, self.imported_check,
                  self.run_button):
            w.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if self.result is None and self.progress_bar.maximum() == 0:
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(0)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and wait for the worker (closing). True if it has ended."""
        thread, worker = self._thread, self._worker
        if thread is None:
            return True
        worker.cancel()
        return bool(thread.wait(timeout_ms))

    def reject(self) -> None:
        self.shutdown()
        super().reject()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.parent() and event.type() == QEvent.Close:
            self.shutdown()
        return False


def open_kfold_dialog(window) -> KFoldDialog:
    """Run → Cross-validate… (not modal: the design stays visible; the dialog keeps its results)."""
    dialog = KFoldDialog(window.document, window, getattr(window, "initial_weights_path", ""))
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    window.kfold_dialog = dialog
    return dialog
