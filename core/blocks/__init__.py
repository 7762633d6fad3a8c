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


def block_docs(language: str = "en") -> dict[str, dict[str, str]]:
    """Explanations of each block ({type: {"summary", "tip"}}), kept as data for translation."""
    name = f"docs.{language}.json"
    try:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        text = resources.files(__package__).joinpath("docs.en.json").read_text(encoding="utf-8")
    return json.loads(text)


__all__ = ["BLOCKS", "GROUPS", "Block", "WeightSpec", "get_block", "block_docs"]
