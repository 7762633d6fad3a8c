"""Events the trainer yields, named after Keras' callback hooks. Small, frozen, plain data:
the dashboard turns them into plots, the CLI into a progress bar, tests into assertions."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class TrainBegin:
    epochs: int
    steps_per_epoch: int
    n_train: int
    n_val: int
    batch_size: int
    trainable_params: int


@dataclass(frozen=True)
class Compiling:
    """The engine is about to JIT-compile (first use) or load its kernels from the cache."""
    message: str


@dataclass(frozen=True)
class Compiled:
    seconds: float


@dataclass(frozen=True)
class EpochBegin:
    epoch: int


@dataclass(frozen=True)
class BatchesEnd:
    """Per-batch training loss and learning rate of a run of consecutive batches.

    Delivered per chunk, not per batch: a small net trains hundreds of thousands of batches a
    second and a Python event each would cost more than the training.
    """
    epoch: int
    first_batch: int            # index within the epoch
    first_step: int             # global optimizer step of the first batch (0-based)
    losses: np.ndarray
    lrs: np.ndarray
    batches_in_epoch: int
    samples_per_second: float


@dataclass(frozen=True)
class LayerStat:
    node_id: str
    kind: str                       # "weights" or "activation"
    grad_mean_abs: float = float("nan")
    grad_norm: float = float("nan")
    weight_count: int = 0
    hist_counts: np.ndarray | None = None
    hist_edges: np.ndarray | None = None
    zero_fraction: float = float("nan")        # ReLU family: outputs in the flat (x ≤ 0) region
    saturated_fraction: float = float("nan")   # sigmoid/tanh: derivative < 10% of its maximum


@dataclass(frozen=True)
class LayerStats:
    epoch: int
    step: int
    layers: list[LayerStat] = field(default_factory=list)


@dataclass(frozen=True)
class EpochEnd:
    epoch: int
    logs: dict                  # loss, val_loss, metrics (and val_ metrics), lr
    seconds: float


@dataclass(frozen=True)
class Paused:
    epoch: int


@dataclass(frozen=True)
class Resumed:
    epoch: int


@dataclass(frozen=True)
class TrainEnd:
    """reason: completed | early_stopping | stopped | diverged."""
    reason: str
    message: str
    epochs_run: int
    best_epoch: int | None
    history: dict


@dataclass(frozen=True)
class Intervention:
    """A change made while the run goes (Trainer.set_learning_rate_scale / set_trainable),
    applied at the next chunk boundary, before the batch at `step`.

    change: "learning_rate_scale" (value: the new factor on the schedule's rate) or "trainable"
    (node_id: the layer, value: 1.0 unfrozen, 0.0 frozen). position: where the change falls in
    epochs (epoch + batches done / batches per epoch), for a marker on epoch axes.
    """
    epoch: int
    step: int
    position: float
    change: str
    value: float
    node_id: str = ""


# The dashboard's image and sequence payloads, emitted by the trainer like the events above (their
# contracts live beside them): FeatureMaps at each epoch end and on request, TimeGradients per epoch.
from .feature_maps import FeatureMaps  # noqa: E402,F401
from .time_gradients import TimeGradients  # noqa: E402,F401
