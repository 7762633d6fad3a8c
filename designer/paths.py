"""Where the designer finds its resources (style sheets, examples, screenshots)."""
from __future__ import annotations

import importlib.resources
from pathlib import Path


def _find_resources() -> Path:
    """resources/ is a top-level package beside designer/ in the source tree, an editable install
    and an installed wheel alike; importlib finds it when the two are installed apart."""
    sibling = Path(__file__).resolve().parent.parent / "resources"
    if (sibling / "examples").is_dir():
        return sibling
    try:
        found = Path(str(importlib.resources.files("resources")))
    except (ImportError, TypeError):
        return sibling
    return found if (found / "examples").is_dir() else sibling


RESOURCES = _find_resources()


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


def examples_dir() -> Path:
    return resource("examples")
