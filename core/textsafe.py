"""Text from a design file shown to a person: control and bidi characters made visible.

A label is free text from a file anyone may have written. Shown raw, a right-to-left override
(U+202E) reverses the text after it on the canvas and in a terminal, and a newline or an escape
sequence breaks the summary table's columns. ``printable_label`` replaces every such character by
its visible escape (``\\u202e``, ``\\n``) — the label itself is kept as it is in the design.
"""
from __future__ import annotations

import unicodedata

# Unicode categories that are invisible or change how the text around them is laid out:
# Cc control, Cf format (bidi embeddings/overrides/isolates, zero-width spaces, BOM),
# Zl/Zp line and paragraph separators, Cs lone surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# Joins emoji sequences (👩‍💻) and changes no direction: shown as is.
_KEEP = frozenset({"\u200d"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_char(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def is_hidden(ch: str) -> bool:
    return ch not in _KEEP and unicodedata.category(ch) in _HIDDEN_CATEGORIES


def printable_label(text: str, max_chars: int | None = 200) -> str:
    """``text`` with control, format (bidi) and separator characters shown as escapes, cut to
    ``max_chars`` characters (the last one "…") so one long label cannot swamp a table or a node.
    Applying it twice changes nothing more."""
    text = str(text)
    if max_chars is not None and len(text) > max_chars:
        text = text[:max(0, max_chars - 1)] + "…"
    if text.isprintable():   # fast path: isprintable() is False for every hidden category
        return text
    return "".join(escape_char(ch) if is_hidden(ch) else ch for ch in text)
