"""Callbacks the trainer calls at epoch ends (Keras semantics), and the lock that keeps two
processes from writing the same output file."""
from __future__ import annotations

import glob
import math
import os
import socket
import threading

import numpy as np

from .errors import NetDesignerError, TrainingError

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
    """Keras' EarlyStopping (keras/src/callbacks/early_stopping.py): every monitored epoch adds one
    to `wait`, an improvement of at least `min_delta` resets it to 0, and training stops at the
    end of the first epoch where `wait >= patience` (patience 2: the best epoch, then two epochs
    without improvement, then stop — 3 epochs when the first is the best). With
    restore_best_weights the best epoch's weights are put back when training ends, whatever
    ended it (Keras restores in on_train_end, not only after an early stop)."""

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
        self.wait += 1
        if self.improved(v):
            self.best, self.best_epoch, self.wait = v, epoch, 0
            if self.restore_best_weights:
                self.best_weights = trainer.executor.params.copy()
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            trainer.stop_training = True
            trainer.stop_reason = "early_stopping"
            unit = "epoch" if self.wait == 1 else "epochs"
            trainer.stop_message = (f"Early stopping: {self.monitor} did not improve for {self.wait} {unit}; "
                                    f"best {self.best:.6g} at epoch {self.best_epoch + 1}")

    def on_train_end(self, trainer):
        if self.restore_best_weights and self.best_weights is not None:
            trainer.executor.params[:] = self.best_weights
            trainer.stop_message += f" (weights restored from epoch {self.best_epoch + 1}, the best)"


class ModelCheckpoint(_Monitor):
    """Write the weights (atomically) whenever the monitored value improves.

    A better checkpoint is never lost, also across runs: the value a checkpoint file was saved
    for is stored in its metadata (``checkpoint: {monitor, value}``), and a new run writing the
    same path starts from that value, so it replaces the file only with something better. A file
    whose value cannot be read (another monitor, an older or foreign file) is kept beside the new
    one as ``<name>.previous<ext>`` before the first write. While a run holds the path, a lock
    file refuses a second writer; temporary files left by an interrupted save are removed.
    """

    def __init__(self, path: str | os.PathLike, monitor="val_loss", metadata: dict | None = None):
        super().__init__(monitor)
        self.path = os.fspath(path)
        self.metadata = dict(metadata or {})
        self.saved_epochs: list[int] = []
        self.previous_best: float | None = None     # the value of the checkpoint found on disk
        self.backup_path: str | None = None
        self._unknown_previous = False
        self._lock: OutputLock | None = None

    def on_train_begin(self, trainer) -> None:
        self._lock = OutputLock(self.path, what="checkpoint")
        self._lock.acquire()
        remove_stale_temp_files(self.path)
        if os.path.exists(self.path):
            v = self._recorded_value(self.path)
            if v is None:
                self._unknown_previous = True
            else:
                self.best = self.previous_best = v

    def _recorded_value(self, path: str) -> float | None:
        from .weights import load_weights
        try:
            _, meta = load_weights(path, only=())       # the metadata alone
        except (NetDesignerError, OSError):
            return None
        rec = meta.get("checkpoint")
        if isinstance(rec, dict) and rec.get("monitor") == self.monitor:
            v = rec.get("value")
        else:
            v = (meta.get("metrics") or {}).get(self.monitor)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None

    def on_epoch_end(self, trainer, epoch, logs):
        v = self.value(logs)
        if v is None or not self.improved(v):
            return
        from .weights import save_weights
        if self._unknown_previous and os.path.exists(self.path):
            root, ext = os.path.splitext(self.path)
            self.backup_path = f"{root}.previous{ext}"
            os.replace(self.path, self.backup_path)
            self._unknown_previous = False
        self.best, self.best_epoch = v, epoch
        meta = {**self.metadata, "epoch": epoch + 1, "metrics": {k: float(x) for k, x in logs.items()},
                "checkpoint": {"monitor": self.monitor, "value": v}}
        save_weights(self.path, trainer.executor.get_weights(), meta)
        self.saved_epochs.append(epoch)

    def on_train_end(self, trainer) -> None:
        if not self.saved_epochs and self.previous_best is not None:
            trainer.stop_message += (f" The checkpoint {self.path} from an earlier run was kept: its "
                                     f"{self.monitor} {self.previous_best:.6g} was not beaten.")
        elif self.backup_path:
            trainer.stop_message += (f" The earlier file at {self.path} was kept as {self.backup_path} "
                                     f"(it records no {self.monitor} to compare with).")
        self.close()

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def remove_stale_temp_files(path: str | os.PathLike) -> list[str]:
    """Remove what an interrupted atomic save of `path` left behind (core.atomic names its temp
    files ``.~<name>….tmp`` beside the target). Call only while holding the path's OutputLock:
    then no other writer can be in the middle of a save."""
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    removed = []
    for tmp in glob.glob(os.path.join(glob.escape(folder), glob.escape(".~" + name) + "*.tmp")):
        try:
            os.unlink(tmp)
            removed.append(tmp)
        except OSError:
            pass
    return removed


_HELD: set[str] = set()          # lock files this process holds
_HELD_GUARD = threading.Lock()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:           # exists, owned by someone else
        return True
    except OSError:
        return True
    return True


class OutputLock:
    """``<path>.lock``, created exclusively and holding "pid host": a second process (or a second
    run in this process) that wants to write the same file is refused with a clear error. A lock
    left by a process that no longer runs (same host) is stale and taken over."""

    def __init__(self, path: str | os.PathLike, what: str = "output"):
        self.target = os.fspath(path)
        self.path = self.target + ".lock"
        self.what = what
        self.held = False

    def acquire(self) -> None:
        key = os.path.abspath(self.path)
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner is not None:
                    raise TrainingError(f"the {self.what} file {self.target} is being written by {owner} "
                                        f"(lock file {self.path}); wait for it to finish or choose another "
                                        "path — delete the lock file only if that process is gone")
                try:
                    os.unlink(self.path)          # stale: its process is gone
                except FileNotFoundError:
                    pass
                continue
            except OSError as e:
                raise TrainingError(f"cannot create the lock file {self.path} for the {self.what} file: "
                                    f"{e.strerror or e}") from None
            with os.fdopen(fd, "w") as f:
                f.write(f"{os.getpid()} {socket.gethostname()}\n")
            with _HELD_GUARD:
                _HELD.add(key)
            self.held = True
            return
        raise TrainingError(f"cannot take the lock file {self.path} for the {self.what} file")

    def _owner(self) -> str | None:
        """Who holds the lock, in words, or None if it is stale."""
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                pid_s, _, host = f.read(200).strip().partition(" ")
            pid = int(pid_s)
        except (OSError, ValueError):
            return "another process (unreadable lock file)"
        if host and host != socket.gethostname():
            return f"process {pid} on {host}"
        if pid == os.getpid():
            with _HELD_GUARD:
                mine = os.path.abspath(self.path) in _HELD
            return "another training run in this process" if mine else None
        return f"process {pid}" if _process_alive(pid) else None

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        with _HELD_GUARD:
            _HELD.discard(os.path.abspath(self.path))
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
