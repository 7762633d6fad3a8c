"""Where the designer finds its resources (style sheets, examples, screenshots)."""
from __future__ import annotations

from pathlib import Path

# resources/ sits beside designer/ in the source tree (and in an editable install).
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


def examples_dir() -> Path:
    return resource("examples")
