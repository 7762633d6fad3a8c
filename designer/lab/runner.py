"""Trains designs for the lab in a background thread: a variant run ("Duplicate as variant") or every
variant of a gallery experiment. Headless core training (core.gallery.train_variant), so the
window stays responsive; results come back as run records through queued signals."""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.errors import NetDesignerError


class _Worker(QObject):
    progress = Signal(str)
    done = Signal(object)           # (records, claim results or None)
    failed = Signal(str)

    def __init__(self, jobs, experiment=None):
        super().__init__()
        self.jobs = jobs            # [(core.gallery.Variant, parent id, change text)]
        self.experiment = experiment
        self.stop = threading.Event()
        self._trainer = None

    def request_stop(self) -> None:
        self.stop.set()
        trainer = self._trainer
        if trainer is not None:
            trainer.request_stop()

    @Slot()
    def run(self) -> None:
        from core.gallery import check_claims, train_variant
        try:
            outcomes, records = {}, []
            for i, (variant, parent, change) in enumerate(self.jobs):
                if self.stop.is_set():
                    break
                self.progress.emit(f"{i + 1}/{len(self.jobs)} {variant.label.get('en', variant.name)}")

                def hook(trainer):
                    self._trainer = trainer
                    if self.stop.is_set():
                        trainer.request_stop()
                # statistics always: the compare window shows every run's gradient flow
                o = train_variant(variant, stats=True, trainer_hook=hook)
                o.record.parent, o.record.change = parent, change
                outcomes[variant.name] = o
                records.append(o.record)
            claims = None
            if self.experiment is not None and not self.stop.is_set():
                claims = check_claims(self.experiment, outcomes)
            self.done.emit((records, claims))
        except NetDesignerError as e:
            self.failed.emit(str(e))
        except Exception as e:        # noqa: BLE001 - a bug must reach the user, not kill the thread
            self.failed.emit(f"{type(e).__name__}: {e}")


class LabRunner(QObject):
    """One job at a time. Signals: progress(str), finished(records, claim results or None),
    failed(str)."""

    progress = Signal(str)
    finished = Signal(object, object)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start(self, jobs, experiment=None) -> bool:
        if self.busy:
            return False
        self._thread = QThread(self)
        self._worker = _Worker(jobs, experiment)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.done.connect(self._done)
        self._worker.failed.connect(self._failed)
        self._thread.start()
        return True

    def stop(self, wait_ms: int = 10000) -> None:
        if self._worker is not None:
            self._worker.request_stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(wait_ms)

    def _finish(self) -> None:
        thread, self._thread, worker, self._worker = self._thread, None, self._worker, None
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        if worker is not None:
            worker.deleteLater()

    @Slot(object)
    def _done(self, result) -> None:
        self._finish()
        records, claims = result
        self.finished.emit(records, claims)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._finish()
        self.failed.emit(message)
