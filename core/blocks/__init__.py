"""The block catalogue: one registry that the palette, inspector, design files and engine read."""
from __future__ import annotations

import json
from importlib import resources

import importlib
import pkgutil

from ..registry import Registry
from .base import Block, WeightSpec

BLOCKS: Registry[type[Block]] = Registry("block")

# The palette's order: these modules first, as listed; any other module of this package after
# them, by name — a new block module is found without editing this file. A module lists its
# blocks in ``BLOCKS`` (a tuple of classes).
_FIRST = ("io", "dense", "activations", "normalization", "dropout", "merge")
_OTHERS = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _FIRST and m.name != "base")
for _name in (*_FIRST, *_OTHERS):
    for _cls in getattr(importlib.import_module(f"{__name__}.{_name}"), "BLOCKS", ()):
        BLOCKS.register(_cls.type_name, _cls)

GROUPS = ("Input/Output", "Layers", "Activations", "Normalization", "Regularization", "Merge")
GROUPS += tuple(dict.fromkeys(BLOCKS.get(n).group for n in BLOCKS if BLOCKS.get(n).group not in GROUPS))


def get_block(type_name: str) -> type[Block]:
    return BLOCKS.get(type_name)


_docs_language = "en"


def set_docs_language(language: str) -> None:
    """The language ``block_docs()`` answers in by default (the designer sets its UI language)."""
    global _docs_language
    _docs_language = language or "en"


def block_docs(language: str | None = None) -> dict[str, dict[str, str]]:
    """Explanations of each block ({type: {"summary", "tip"}}), kept as data for translation.

    ``language`` defaults to the one set with ``set_docs_language`` (English unless the designer
    chose another); a language without its own file falls back to English.
    """
    name = f"docs.{language or _docs_language}.json"
    try:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        text = resources.files(__package__).joinpath("docs.en.json").read_text(encoding="utf-8")
    return json.loads(text)


__all__ = ["BLOCKS", "GROUPS", "Block", "WeightSpec", "get_block", "block_docs", "set_docs_language"]
