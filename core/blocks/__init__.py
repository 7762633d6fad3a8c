"""The block catalogue: one registry that the palette, inspector, design files and engine read."""
from __future__ import annotations

import json
from importlib import resources

from ..registry import Registry
from . import activations, dense, dropout, io, merge, normalization
from .base import Block, WeightSpec

BLOCKS: Registry[type[Block]] = Registry("block")

for _cls in (io.Input, io.Flatten, dense.Dense, *activations.BLOCKS, *normalization.BLOCKS,
             *dropout.BLOCKS, *merge.BLOCKS):
    BLOCKS.register(_cls.type_name, _cls)

GROUPS = ("Input/Output", "Layers", "Activations", "Normalization", "Regularization", "Merge")


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
