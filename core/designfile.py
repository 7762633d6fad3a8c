"""Design files: JSON with a format name and version, nodes, edges, training and data settings.

Loading is strict — parse → validate every field → build the graph — and the first problem
raises a DesignFileError naming its JSON path (``nodes[2].params.units``). Renamed blocks and
older versions migrate in ``_migrate`` only.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

from .atomic import atomic_write_text
from .blocks import BLOCKS
from .errors import DesignFileError, GraphError, ParameterError
from .graph import Graph, Node
from .settings import default_data, default_training, validate_data, validate_training

FORMAT = "netdesigner-design"
VERSION = 1
_TOP_KEYS = {"format", "version", "name", "description", "nodes", "edges", "training", "data"}


@dataclass
class Design:
    graph: Graph = field(default_factory=Graph)
    training: dict[str, Any] = field(default_factory=default_training)
    data: dict[str, Any] = field(default_factory=default_data)
    name: str = ""
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "description": self.description,
            "nodes": [{"id": n.id, "type": n.type, "params": _jsonable(n.params), "label": n.label,
                       "position": [n.position[0], n.position[1]]} for n in self.graph.nodes.values()],
            "edges": [{"source": e.source, "target": e.target, "port": e.port} for e in self.graph.edges],
            "training": copy.deepcopy(self.training),
            "data": copy.deepcopy(self.data),
        }

    def structure_hash(self) -> str:
        """Hash of what the weights depend on (nodes, parameters, edges) — not positions or labels."""
        d = self.to_dict()
        core = {"nodes": [{k: n[k] for k in ("id", "type", "params")} for n in d["nodes"]],
                "edges": d["edges"]}
        return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:16]


def _jsonable(params: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def dumps(design: Design) -> str:
    return json.dumps(design.to_dict(), indent=2, ensure_ascii=False) + "\n"


def save_design(design: Design, path: str | os.PathLike) -> None:
    atomic_write_text(path, dumps(design))


def load_design(path: str | os.PathLike) -> Design:
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise DesignFileError(f"cannot read the file ({e.strerror})", file=path) from None
    try:
        return loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DesignFileError("not a text file (expected UTF-8 JSON)", file=path) from None
    except DesignFileError as e:
        raise DesignFileError(e.reason, e.path, file=path) from None


def loads(text: str) -> Design:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise DesignFileError(f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except (ValueError, RecursionError) as e:   # a 5,000-digit number; nesting deeper than the stack
        raise DesignFileError(f"not valid JSON: {e}") from None
    try:
        return from_dict(doc)
    except RecursionError:
        raise DesignFileError("the document is nested too deeply") from None


def from_dict(doc: Any) -> Design:
    if not isinstance(doc, dict):
        raise DesignFileError("a design file holds a JSON object", "$")
    if doc.get("format") != FORMAT:
        raise DesignFileError(f"not a NetDesigner design (format is {doc.get('format')!r}, "
                              f"expected {FORMAT!r})", "format")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DesignFileError(f"expected a positive integer version, received {version!r}", "version")
    if version > VERSION:
        raise DesignFileError(f"this design was saved by a newer NetDesigner (format version {version}; "
                              f"this one reads up to {VERSION})", "version")
    doc = _migrate(doc, version)
    for key in doc:
        if key not in _TOP_KEYS:
            raise DesignFileError(f"unknown key {key!r}", key)
    for key in ("name", "description"):
        if not isinstance(doc.get(key, ""), str):
            raise DesignFileError("expected text", key)

    graph = Graph()
    nodes = _list(doc, "nodes")
    for i, raw in enumerate(nodes):
        graph.insert_node(_node(raw, f"nodes[{i}]", graph))
    seen = set()
    for i, raw in enumerate(_list(doc, "edges")):
        p = f"edges[{i}]"
        if not isinstance(raw, dict) or set(raw) - {"source", "target", "port"}:
            raise DesignFileError("expected an object with source, target and port", p)
        src, dst, port = raw.get("source"), raw.get("target"), raw.get("port", 0)
        for key, value in (("source", src), ("target", dst)):
            if not isinstance(value, str):
                raise DesignFileError(f"expected a node id, received {value!r}", f"{p}.{key}")
            if value not in graph.nodes:
                raise DesignFileError(f"dangling edge: no node {value!r}", f"{p}.{key}")
        if not isinstance(port, int) or isinstance(port, bool):
            raise DesignFileError(f"expected an integer port, received {port!r}", f"{p}.port")
        tnode = graph.nodes[dst]
        n_in = tnode.block.num_inputs(tnode.params)
        if not 0 <= port < n_in:
            raise DesignFileError(f"node {dst!r} has no input port {port} (it has {n_in})", f"{p}.port")
        if (dst, port) in seen:
            raise DesignFileError(f"input port {port} of {dst!r} is connected twice", p)
        seen.add((dst, port))
        # Shapes are not checked here: a design with a shape problem still opens (shown inline).
        from .graph import Edge
        graph.edges.append(Edge(src, dst, port))
    try:
        graph.topological_order()
    except GraphError as e:
        raise DesignFileError(f"the edges form a cycle through node {e.node_id!r}", "edges") from None

    return Design(graph=graph,
                  training=validate_training(doc.get("training"), "training"),
                  data=validate_data(doc.get("data"), "data"),
                  name=doc.get("name", ""), description=doc.get("description", ""))


def _list(doc: dict, key: str) -> list:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise DesignFileError(f"expected a list, received {type(value).__name__}", key)
    return value


def _node(raw: Any, p: str, graph: Graph) -> Node:
    if not isinstance(raw, dict):
        raise DesignFileError("expected a node object", p)
    unknown = set(raw) - {"id", "type", "params", "label", "position"}
    if unknown:
        k = sorted(unknown)[0]
        raise DesignFileError(f"unknown key {k!r}", f"{p}.{k}")
    nid, typ = raw.get("id"), raw.get("type")
    if not isinstance(nid, str) or not nid:
        raise DesignFileError(f"expected a node id, received {nid!r}", f"{p}.id")
    if nid in graph.nodes:
        raise DesignFileError(f"duplicate node id {nid!r}", f"{p}.id")
    if not isinstance(typ, str) or typ not in BLOCKS:
        raise DesignFileError(f"unknown block type {typ!r}", f"{p}.type")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise DesignFileError("expected an object of parameters", f"{p}.params")
    block = BLOCKS.get(typ)
    for name in block.params.names():
        if name not in params:
            raise DesignFileError(f"missing parameter {name!r} of {typ}", f"{p}.params.{name}")
    label = raw.get("label", "")
    if not isinstance(label, str):
        raise DesignFileError("expected text", f"{p}.label")
    pos = raw.get("position", [0, 0])
    if not isinstance(pos, list) or len(pos) != 2 or not all(_finite(v) for v in pos):
        raise DesignFileError(f"expected [x, y] of finite numbers, received {pos!r}", f"{p}.position")
    try:
        return graph.make_node(typ, params, node_id=nid, label=label, position=pos)
    except ParameterError as e:
        raise DesignFileError(e.reason, f"{p}.params.{e.param}" if e.param else f"{p}.params") from None
    except GraphError as e:
        raise DesignFileError(e.reason, f"{p}.id") from None


def _finite(v: Any) -> bool:
    """A JSON number that is a finite float (NaN, Infinity and 10**400 are not)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _migrate(doc: dict, version: int) -> dict:
    """Bring an older document up to VERSION (nothing to do yet: version 1 is the first)."""
    return doc
