"""Trained weights are bound to the design they were trained on.

A weights file records the structure hash of its design (``Design.structure_hash``: node ids,
types, parameters and edges) and the design's name. Loading weights whose shapes fit but whose
structure differs is allowed — fine-tuning an edited design is a real use — but the outputs are
no longer what training measured (Tanh weights run through ReLU give other numbers), so every
path that loads weights (``netdesigner export``/``evaluate``/``train --weights``, the designer's
Import, Evaluate and Export) asks ``check_binding`` and shows its warnings.
"""
from __future__ import annotations

import os
from typing import Any


def design_metadata(design, data=None, design_file: str | os.PathLike | None = None) -> dict[str, Any]:
    """What a weights file records about its design and data, besides the weights themselves.

    design_file is stored by its base name only (weights travel between machines; a full path
    would be both useless there and a leak of the trainer's folders).
    """
    meta: dict[str, Any] = {"design_hash": design.structure_hash(), "design_name": design.name or None}
    if design_file:
        meta["design_file"] = os.path.basename(os.fspath(design_file))
    if data is not None:
        meta["task"] = data.task
        meta["feature_names"] = [str(n) for n in data.feature_names] if data.feature_names else None
        meta["class_names"] = [str(n) for n in data.class_names] if data.class_names else None
    return meta


def _describe(name: Any, file: Any, fallback: str) -> str:
    name = name if isinstance(name, str) and name.strip() else None
    file = os.path.basename(os.fspath(file)) if isinstance(file, (str, os.PathLike)) and str(file) else None
    if name and file:
        return f"{name!r} ({file})"
    if name or file:
        return repr(name or file)
    return fallback


def check_binding(design, metadata: dict | None, *, design_path: str | os.PathLike | None = None,
                  weights_path: str | os.PathLike | None = None) -> list[str]:
    """Warnings (one line each, starting with "warning:") when `metadata` — read from a weights
    file — says the weights were trained on a design whose structure differs from `design`.

    Returns [] when the hashes agree or the file records none (older files cannot be checked).
    Both designs are named: the weights' by the name and file recorded at training time, the
    current one by its name and `design_path`.
    """
    if not isinstance(metadata, dict):
        return []
    recorded = metadata.get("design_hash")
    if not isinstance(recorded, str) or not recorded:
        return []
    current = design.structure_hash()
    if recorded == current:
        return []
    trained_on = _describe(metadata.get("design_name"), metadata.get("design_file"), "another design")
    this = _describe(design.name, design_path, "this design")
    source = f"the weights in {os.path.basename(os.fspath(weights_path))}" if weights_path else "these weights"
    return [f"warning: {source} were trained on design {trained_on} (structure {recorded}), but design "
            f"{this} has a different structure ({current}): blocks, parameters or connections changed, "
            f"so outputs will differ from what training measured (loaded anyway: the shapes match)"]
