"""The ready designs in resources/examples/, in teaching order."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .i18n import example_text
from .paths import examples_dir

ORDER = ("xor", "spirals_batchnorm", "digits_mlp", "vanishing_sigmoid", "relu_he_twin",
         "residual_mlp", "sine_regression")


@dataclass(frozen=True)
class Example:
    path: Path
    name: str
    description: str


def examples() -> list[Example]:
    """Every example file with its name and description (read without building the graph)."""
    files = sorted(examples_dir().glob("*.json"),
                   key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.stem))
    out = []
    for f in files:
        try:
            raw = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        # in the UI's language where resources/i18n/examples.<lang>.json has it
        out.append(Example(f, example_text(f.stem, "name", raw.get("name") or f.stem),
                           example_text(f.stem, "description", raw.get("description", ""))))
    return out
