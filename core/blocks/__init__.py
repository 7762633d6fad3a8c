"""The block catalogue: one registry that the palette, inspector, design files and engine read."""
from __future__ import annotations

import importlib
import json
import pkgutil
from functools import lru_cache
from importlib import resources

from ..registry import Registry
from .base import Block, WeightSpec

BLOCKS: Registry[type[Block]] = Registry("block")

# The palette's order: these modules first, as listed; any other module of this package after
# them, by name — a new block module is found without editing this file, and its blocks come after
# the catalogue's own in their palette group. A module lists its blocks in ``BLOCKS`` (a tuple).
_FIRST = ("io", "dense", "activations", "normalization", "dropout", "merge", "reshape", "conv", "pooling", "recurrent")
_OTHERS = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _FIRST and m.name != "base")
for _name in (*_FIRST, *_OTHERS):
    for _cls in getattr(importlib.import_module(f"{__name__}.{_name}"), "BLOCKS", ()):
        BLOCKS.register(_cls.type_name, _cls)

GROUPS = ("Input/Output", "Layers", "Activations", "Normalization", "Regularization", "Merge")
GROUPS += tuple(dict.fromkeys(BLOCKS.get(n).group for n in BLOCKS if BLOCKS.get(n).group not in GROUPS))


def get_block(type_name: str) -> type[Block]:
    return BLOCKS.get(type_name)


_docs_language = "en"
DOC_FIELDS = ("summary", "tip")


def set_docs_language(language: str) -> None:
    """The language ``block_docs()`` answers in by default (the designer sets its UI language)."""
    global _docs_language
    _docs_language = language or "en"


@lru_cache(maxsize=None)
def _translations(language: str) -> dict[str, dict]:
    """core/blocks/docs.<language>.json as it is ({type: {"summary", "tip", "texts"}}); empty for
    English (the classes hold it) and for a language without a file. Read once per language."""
    if language == "en":
        return {}
    name = f"docs.{language}.json"
    try:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ValueError(f"core/blocks/{name}: not valid JSON ({e})") from None
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def docs_data(language: str) -> dict[str, dict]:
    """The translators' file for ``language`` (docs.<language>.json) without any fallback —
    what is really translated; empty for English."""
    return _translations(language)


def block_docs(language: str | None = None) -> dict[str, dict[str, str]]:
    """Explanations of each block ({type: {"summary", "tip"}}).

    English is the block classes' ``summary`` and ``tip`` (the module that defines a block explains
    it); another language comes from core/blocks/docs.<language>.json, field by field falling
    back to English where a translation is missing. ``language`` defaults to the one set with
    ``set_docs_language`` (English unless the designer chose another).
    """
    local = _translations(language or _docs_language)
    out = {}
    for name, cls in BLOCKS.items():
        entry = local.get(name) or {}
        out[name] = {f: (entry.get(f) if isinstance(entry.get(f), str) and entry.get(f)
                         else getattr(cls, f, "")) for f in DOC_FIELDS}
    return out


def block_texts(language: str) -> dict[str, str]:
    """{English text: translation} of the blocks' parameter texts (labels, docs, conventions,
    choice docs) that docs.<language>.json translates under each block's ``"texts"`` — for the
    texts of a block that the designer's .ts does not know. Empty for English."""
    out: dict[str, str] = {}
    for entry in _translations(language).values():
        texts = entry.get("texts")
        if isinstance(texts, dict):
            out.update({k: v for k, v in texts.items() if isinstance(v, str) and v.strip()})
    return out


__all__ = ["BLOCKS", "GROUPS", "Block", "WeightSpec", "get_block", "block_docs", "block_texts", "docs_data",
           "set_docs_language"]
