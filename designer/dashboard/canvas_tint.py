"""Tint the canvas's nodes by a per-layer quantity while training (gradient norm or mean |w|).

Interface the canvas provides (designer/canvas/node_item.py): node items carry ``node_id``; if
they also have ``set_tint(QColor | None)`` it is used (the item paints the tint its own way).
Until then a ``QGraphicsColorizeEffect`` on the item stands in, so this works on any scene.

Colours: log10 of the value, normalised over the layers shown, on a blue (small) → yellow →
red (large) ramp — vanishing gradients read blue at the input end, exploding ones red.
"""
from __future__ import annotations

import math

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsColorizeEffect, QGraphicsScene

MODES = ("grad_norm", "weight_abs_mean")
_RAMP = ((0.0, (49, 104, 196)), (0.5, (240, 200, 60)), (1.0, (214, 60, 50)))


def ramp(t: float) -> QColor:
    """Colour at t in [0, 1] on the blue → yellow → red ramp."""
    t = min(max(t, 0.0), 1.0)
    for (a, ca), (b, cb) in zip(_RAMP, _RAMP[1:]):
        if t <= b:
            u = (t - a) / (b - a)
            return QColor(*(round(x + (y - x) * u) for x, y in zip(ca, cb)))
    return QColor(*_RAMP[-1][1])


def tint_colors(values: dict[str, float]) -> dict[str, QColor]:
    """node id → colour for the finite, positive values (log scale, min..max of those given)."""
    logs = {k: math.log10(v) for k, v in values.items() if v is not None and math.isfinite(v) and v > 0}
    if not logs:
        return {}
    lo, hi = min(logs.values()), max(logs.values())
    span = hi - lo if hi - lo > 1e-9 else 1.0
    return {k: ramp((v - lo) / span if hi - lo > 1e-9 else 0.5) for k, v in logs.items()}


def node_items(scene: QGraphicsScene) -> list:
    """Top-level items with a ``node_id`` (ports carry one too, but are children of their node)."""
    return [it for it in scene.items() if hasattr(it, "node_id") and it.parentItem() is None]


def apply_tint(scene: QGraphicsScene, stats: dict | None, mode: str | None = "grad_norm") -> int:
    """Tint nodes by ``stats[node_id][mode]``; untinted nodes (and all, for mode None) are cleared.

    Args:
        scene: the canvas scene.
        stats: node id → {"grad_norm": float, "weight_abs_mean": float} (the controller's
            ``layerStats`` signal), or None to clear.
        mode: one of MODES, or None for no tint.

    Returns:
        How many nodes got a colour.
    """
    if mode is not None and mode not in MODES:
        raise ValueError(f"apply_tint expects mode in {MODES} or None. Received: mode={mode!r}")
    colors = tint_colors({k: v.get(mode) for k, v in (stats or {}).items()}) if mode else {}
    for item in node_items(scene):
        _set(item, colors.get(item.node_id))
    return len(colors)


def _set(item, color: QColor | None) -> None:
    if hasattr(item, "set_tint"):
        item.set_tint(color)
        return
    effect = item.graphicsEffect()
    if color is None:
        if isinstance(effect, QGraphicsColorizeEffect):
            item.setGraphicsEffect(None)
        return
    if not isinstance(effect, QGraphicsColorizeEffect):
        effect = QGraphicsColorizeEffect()
        effect.setStrength(0.55)
        item.setGraphicsEffect(effect)
    effect.setColor(color)
