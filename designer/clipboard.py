"""Copy and paste of blocks: the selected nodes and the edges between them, as JSON."""
from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

from core.graph import Graph

MIME = "application/x-netdesigner-nodes"
FORMAT = "netdesigner-clip"


def _jsonable(params: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def serialize(graph: Graph, node_ids) -> dict:
    ids = [n for n in graph.nodes if n in set(node_ids)]
    keep = set(ids)
    return {
        "format": FORMAT,
        "nodes": [{"id": n.id, "type": n.type, "params": _jsonable(n.params), "label": n.label,
                   "position": list(n.position)} for n in (graph.nodes[i] for i in ids)],
        "edges": [{"source": e.source, "target": e.target, "port": e.port}
                  for e in graph.edges if e.source in keep and e.target in keep],
    }


def to_text(clip: dict) -> str:
    """The clip as JSON text. Put on the clipboard as plain text: a QMimeData made in Python and
    handed to the clipboard crashes PySide 6.11 at exit on the offscreen platform."""
    return json.dumps(clip, indent=1)


def from_mime(data: QMimeData | None) -> dict | None:
    """The clip in `data`, or None when it holds no blocks (plain text that is a clip also works)."""
    if data is None:
        return None
    if data.hasFormat(MIME):
        raw = bytes(data.data(MIME)).decode("utf-8")
    elif data.hasText():
        raw = data.text()
    else:
        return None
    try:
        clip = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(clip, dict) or clip.get("format") != FORMAT or not clip.get("nodes"):
        return None
    return clip
