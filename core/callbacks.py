"""Callbacks the trainer calls at epoch ends (Keras semantics)."""
from __future__ import annotations

import math
import os

import numpy as np

_MAX_BETTER = ("acc", "accuracy", "auc", "precision", "recall", "f1", "r2", "cosine")


def monitor_mode(monitor: str) -> str:
    """'max' for metrics where bigger is better (accuracy, auc, f1, r2...), else 'min'."""
    base = monitor[4:] if monitor.startswith("val_") else monitor
    return "max" if base.startswith(_MAX_BETTER) else "min"


class Callback:
    def on_train_begin(self, trainer) -> None: ...
    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None: ...
    def on_train_end(self, trainer) -> None: ...


class _Monitor(Callback):
    def __init__(self, monitor: str, min_delta: float = 0.0):
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.mode = monitor_mode(monitor)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None

    def value(self, logs: dict) -> float | None:
        v = logs.get(self.monitor)
        if v is None and self.monitor.startswith("val_"):
            v = logs.get(self.monitor[4:])   # no validation data: fall back to the training value
        return None if v is None or not np.isfinite(v) else float(v)

    def improved(self, v: float) -> bool:
        if self.mode == "min":
            return v < self.best - self.min_delta
        return v > self.best + self.min_delta


class EarlyStopping(_Monitor):
    """Stop after `patience` epochs without an improvement of at least `min_delta`; optionally go
    back to the best epoch's weights."""

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, restore_best_weights=True):
        super().__init__(monitor, min_delta)
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.wait = 0
        self.best_weights: np.ndarray | None = None
        self.stopped_epoch: int | None = None

    def on_epoch_end(self, trainer, epoch, logs):
        v = self.value(logs)
        if v is None:
            return
        if self.improved(v):
            self.best, self.best_epoch, self.wait = v, epoch, 0
            if self.restore_best_weights:
                self.best_weights = trainer.executor.params.copy()
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            trainer.stop_training = True
            trainer.stop_reason = "early_stopping"
            trainer.stop_message = (f"Early stopping: {self.monitor} did not improve for {self.patience} "
                                    f"epochs; best {self.best:.6g} at epoch {self.best_epoch + 1}")

    def on_train_end(self, trainer):
        if self.stopped_epoch is not None and self.restore_best_weights and self.best_weights is not None:
            trainer.executor.params[:] = self.best_weights
            trainer.stop_message += " (weights restored)"


class ModelCheckpoint(_Monitor):
    """Write the weights (atomically) whenever the monitored value improves."""

    def __init__(self, path: str | os.PathLike, monitor="val_loss", metadata: dict | None = None):
        super().__init__(monitor)
        self.path = os.fspath(path)
        self.metadata = dict(metadata or {})
        self.saved_epochs: list[int] = []

    def on_epoch_end(self, trainer, epoch, logs):
        v = self.value(logs)
        if v is None or not self.improved(v):
            return
        from .weights import save_weights
        self.best, self.best_epoch = v, epoch
        meta = {**self.metadata, "epoch": epoch + 1, "metrics": {k: float(x) for k, x in logs.items()}}
        save_weights(self.path, trainer.executor.get_weights(), meta)
        self.saved_epochs.append(epoch)
