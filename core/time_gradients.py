"""The per-time-step gradient payload: what the engine sends the dashboard's time-gradient panel.

Plain data (no Qt, nothing computed here). Once per epoch, for every recurrent layer (SimpleRNN,
LSTM, GRU), the norm of the loss' gradient with respect to the layer's hidden state at each time
step, ‖∂L/∂h_t‖₂ for t = 0 … T−1 (0 = the first step of the sequence), measured over one batch
of the epoch (the same batch each epoch, so curves compare). Vanishing gradients through time
show as a curve that falls by orders of magnitude towards t = 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TimeGradients:
    epoch: int                              # 0-based epoch the norms were measured in
    per_layer: dict[str, np.ndarray]        # layer id → (T,) norms, t = 0 first

    def __post_init__(self):
        check_time_gradients(self)


def check_time_gradients(tg: TimeGradients) -> None:
    """Raise ValueError naming the layer when a payload breaks the contract."""
    if int(tg.epoch) < 0:
        raise ValueError(f"TimeGradients.epoch must be >= 0, got {tg.epoch}")
    for lid, norms in tg.per_layer.items():
        if not isinstance(norms, np.ndarray) or norms.ndim != 1 or norms.size == 0:
            shape = getattr(norms, "shape", type(norms).__name__)
            raise ValueError(f"TimeGradients.per_layer['{lid}'] must be a non-empty (T,) array, got {shape}")
        if np.any(norms[np.isfinite(norms)] < 0):
            raise ValueError(f"TimeGradients.per_layer['{lid}'] holds negative values; norms are >= 0")
