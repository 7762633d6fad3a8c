"""A design made runnable: its data prepared, its graph compiled, its weights in an executor.

This is what the CLI, the designer's training worker and the exporters use; it holds no GUI state.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .data import PreparedData, Scaler, load_dataset, one_hot, prepare
from .designfile import Design
from .errors import DataError, WeightsError
from .evaluation import evaluate
from .executor import Executor
from .losses import LOSSES
from .plan import Plan, compile_plan
from .preflight import check_feature_width, check_targets
from .trainer import Trainer
from .weights import save_weights


def load_design_data(data_settings: dict, base_dir: str | None = None) -> PreparedData:
    """The design's data set, split and scaled as its data settings say; a relative data path is
    read relative to `base_dir` (the design file's folder, ``Design.folder``)."""
    d = data_settings
    if d["source"] == "builtin":
        dataset = load_dataset(d["name"], seed=d["seed"], **d["params"])
    else:
        from .dataio import load_data_file
        dataset = load_data_file(d, base_dir)
    return prepare(dataset, val=d["validation_split"], test=d["test_split"], scaling=d["scaling"], seed=d["seed"])


@dataclass
class Targets:
    """How the loss wants y: shaped arrays per split."""
    train: np.ndarray
    val: np.ndarray | None
    test: np.ndarray | None


class Model:
    def __init__(self, design: Design, data: PreparedData | None = None, *, max_batch: int | None = None):
        self.design = design
        t = design.training
        arena_batch = max_batch or max(t["batch_size"], 256)
        # The plan refuses a design whose executor would not fit in memory at this arena size.
        self.plan: Plan = compile_plan(design.graph, t["loss"]["name"], t["loss"]["params"],
                                       batch_size=arena_batch, dtype=t["dtype"])
        self.dtype = np.dtype(t["dtype"])
        self.data = data
        self.scaler: Scaler | None = data.scaler if data is not None else None
        executor_cls = Executor
        if t["device"] == "cuda":
            from .cuda_backend import CudaExecutor, require_cuda
            require_cuda()
            executor_cls = CudaExecutor
        self.executor = executor_cls(self.plan, arena_batch, self.dtype,
                                     blas_threads="auto")
        self.executor.threads = t.get("threads", 0)     # CPU kernels' threads (0: physical cores)
        self.executor.init_weights(t["seed"])
        self.trained_epochs = 0
        self.last_logs: dict = {}

    @classmethod
    def from_design(cls, design: Design) -> "Model":
        return cls(design, load_design_data(design.data, design.folder))

    # ---- data ----------------------------------------------------------------------------------
    def targets(self) -> Targets:
        d = self._require_data()
        return Targets(*(None if y is None else self.shape_targets(y) for y in (d.y_train, d.y_val, d.y_test)))

    def shape_targets(self, y: np.ndarray) -> np.ndarray:
        """Targets as the loss expects them; a clear DataError when data and design disagree."""
        d = self._require_data()
        loss = LOSSES.get(self.design.training["loss"]["name"])
        y = np.asarray(y, np.float64).reshape(len(y), -1)
        # The same check the pre-flight makes before Train (core.preflight).
        check_targets(loss.name, self.plan.output_width, self.plan.output_node, task=d.task,
                      n_classes=d.n_classes, target_columns=y.shape[1], data_name=d.name)
        if loss.targets == "onehot":
            return one_hot(y[:, 0].astype(int), max(d.n_classes, 2))
        if loss.targets == "values" and d.task == "multiclass":
            return one_hot(y[:, 0].astype(int), d.n_classes)
        return y

    def check_features(self, X: np.ndarray, what: str = "data") -> None:
        check_feature_width(self.plan, int(np.prod(X.shape[1:])) if X.ndim > 1 else 1, what)

    def _require_data(self) -> PreparedData:
        if self.data is None:
            raise DataError("no data set is loaded for this design")
        return self.data

    # ---- training ------------------------------------------------------------------------------
    def trainer(self, *, collect_stats: bool = True, callbacks=(), epochs: int | None = None,
                **options) -> Trainer:
        """options: further Trainer keywords (stats_bins, stats_min_seconds)."""
        d = self._require_data()
        self.check_features(d.X_train, f"data set {d.name!r}")
        y = self.targets()
        settings = dict(self.design.training)
        if epochs is not None:
            settings["epochs"] = epochs
        return Trainer(self.executor, settings, (d.X_train, y.train),
                       None if d.X_val is None else (d.X_val, y.val), task=d.task, callbacks=callbacks,
                       collect_stats=collect_stats, checkpoint_metadata=self.metadata(), **options)

    def fit(self, **kw):
        end = self.trainer(**kw).fit()
        self.trained_epochs += end.epochs_run
        return end

    def evaluate(self, split: str = "test", metrics=None) -> dict:
        d = self._require_data()
        X, y = getattr(d, f"X_{split}"), getattr(d, f"y_{split}")
        if X is None or len(X) == 0:
            raise DataError(f"the data has no {split} part (set data.{split}_split above 0)")
        metrics = self.design.training["metrics"] if metrics is None else metrics
        return evaluate(self.executor, X, self.shape_targets(y), metrics, task=d.task)

    def predict(self, X_raw: np.ndarray) -> np.ndarray:
        """Outputs for unscaled features (the training scaler is applied first)."""
        X = np.asarray(X_raw, np.float64)
        self.check_features(X)
        if self.scaler is not None:
            X = self.scaler.transform(X.reshape(len(X), -1))
        return self.executor.predict(X)

    # ---- weights -------------------------------------------------------------------------------
    def metadata(self) -> dict:
        from .binding import design_metadata     # design hash and name, task, feature and class names
        return {**design_metadata(self.design, self.data), "dtype": self.dtype.name,
                "epoch": self.trained_epochs, "metrics": self.last_logs,
                "scaler": self.scaler.to_dict() if self.scaler is not None else None}

    def save_weights(self, path: str | os.PathLike, **extra) -> None:
        save_weights(path, self.executor.get_weights(), {**self.metadata(), **extra})

    def load_weights(self, path: str | os.PathLike) -> dict:
        from .export import read_weights_file   # .npz or .safetensors
        # expected: an .npz that does not fit is refused from its headers, before its data is read
        weights, meta = read_weights_file(path, expected={w.name: w.shape for w in self.plan.weights})
        try:
            self.executor.set_weights(weights)
        except WeightsError as e:
            raise WeightsError(e.args[0].split("\n")[0], e.mismatches, file=os.fspath(path)) from None
        if meta.get("scaler"):
            self.scaler = Scaler.from_dict(meta["scaler"])
        self.trained_epochs = int(meta.get("epoch", 0) or 0)
        return meta
