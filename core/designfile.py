"""Design files: JSON with a format name and version, nodes, edges, training and data settings.

Loading is strict — parse → validate every field → build the graph — and the first problem
raises a DesignFileError naming its JSON path (``nodes[2].params.units``). Renamed blocks and
older versions migrate in ``_migrate`` only. The optional ``search`` section lists the block
parameters and training settings a hyper-parameter study varies (core/search_space.py).

A design file may come from anyone, so reading it is bounded before anything is parsed: only a
regular file is opened (a folder, FIFO or device such as ``/dev/zero`` is refused at once, without
blocking), at most ``MAX_FILE_BYTES``, JSON nested at most ``MAX_DEPTH`` levels. Free text is
bounded too: a description longer than ``MAX_DESCRIPTION_CHARS`` (or a name or label longer than
``MAX_LABEL_CHARS``) is *cut* to that length with a note in ``Design.warnings`` (also logged) —
the design still opens, and the GUI never has to lay out megabytes of text.
"""
from __future__ import annotations

import copy
import hashlib
import json
import logging
import math
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

from .atomic import atomic_write_text
from .blocks import BLOCKS
from .errors import DesignFileError, GraphError, ParameterError
from .graph import Edge, Graph, Node
from .search_space import SearchParam, validate_search
from .settings import default_data, default_training, validate_data, validate_training

FORMAT = "netdesigner-design"
VERSION = 1
_TOP_KEYS = {"format", "version", "name", "description", "nodes", "edges", "training", "data", "search"}

MAX_FILE_BYTES = 50 * 1024 * 1024     # the largest example is 5 kB; 10⁵ nodes are ~20 MB
MAX_DEPTH = 64                        # a design is at most ~5 levels deep
MAX_DESCRIPTION_CHARS = 100_000
MAX_LABEL_CHARS = 1_000               # node labels and the design's name

log = logging.getLogger(__name__)


@dataclass
class Design:
    graph: Graph = field(default_factory=Graph)
    training: dict[str, Any] = field(default_factory=default_training)
    data: dict[str, Any] = field(default_factory=default_data)
    name: str = ""
    description: str = ""
    # Searched hyper-parameters (core.search_space); saved as the optional "search" section.
    search: list[SearchParam] = field(default_factory=list)
    # What loading changed to make the file safe to show (text cut to length); not saved.
    warnings: list[str] = field(default_factory=list, compare=False, repr=False)
    # The folder of the file it was loaded from or saved to: a relative data.path resolves
    # against it (core.dataio.load_data_file), not against the working directory. Not saved.
    folder: str = field(default="", compare=False, repr=False)

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
            **({"search": search} if (search := self.search_dicts()) else {}),
        }

    def search_dicts(self) -> list[dict]:
        """The search section as saved: entries whose node or parameter has since been deleted
        (or whose block changed) are left out, so a saved design always loads back."""
        from .search_space import target_param
        out = []
        for sp in self.search:
            try:
                target_param(self.graph, self.training, sp.node, sp.param)
            except ValueError:
                continue
            out.append(sp.to_dict())
        return out

    def structure_hash(self) -> str:
        """Hash of what the weights depend on (nodes, parameters, edges) — not positions or labels."""
        core = {"nodes": [{"id": n.id, "type": n.type, "params": _jsonable(n.params)}
                          for n in self.graph.nodes.values()],
                "edges": [{"source": e.source, "target": e.target, "port": e.port} for e in self.graph.edges]}
        return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:16]


def _jsonable(params: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def dumps(design: Design) -> str:
    return json.dumps(design.to_dict(), indent=2, ensure_ascii=False) + "\n"


def save_design(design: Design, path: str | os.PathLike) -> None:
    atomic_write_text(path, dumps(design))
    design.folder = os.path.dirname(os.path.abspath(path))


def read_bounded(path: str | os.PathLike, limit: int, what: str = "design file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else a DesignFileError naming it.

    Opened non-blocking and checked with fstat on the open descriptor, so a FIFO cannot block,
    a device cannot stream forever and nothing can be swapped in between the check and the read.
    """
    path = os.fspath(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise DesignFileError(f"is a folder, not a {what}", file=path) from None
    except OSError as e:
        raise DesignFileError(f"cannot read the file ({e.strerror})", file=path) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise DesignFileError(f"is a folder, not a {what}", file=path)
        if not stat.S_ISREG(st.st_mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else
                    "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                    "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
            raise DesignFileError(f"is {kind}, not a {what}", file=path)
        if st.st_size > limit:
            raise DesignFileError(f"is {_size(st.st_size)}; a {what} may be at most {_size(limit)}",
                                  file=path)
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            data = f.read(limit + 1)     # the file may have grown since fstat
        if len(data) > limit:
            raise DesignFileError(f"is larger than {_size(limit)}, the most a {what} may be", file=path)
        return data
    except OSError as e:
        raise DesignFileError(f"cannot read the file ({e.strerror})", file=path) from None
    finally:
        if fd >= 0:
            os.close(fd)


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def load_design(path: str | os.PathLike) -> Design:
    path = os.fspath(path)
    raw = read_bounded(path, MAX_FILE_BYTES)
    try:
        design = loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DesignFileError("not a text file (expected UTF-8 JSON)", file=path) from None
    except DesignFileError as e:
        raise DesignFileError(e.reason, e.path, file=path) from None
    for w in design.warnings:
        log.warning("%s: %s", path, w)
    design.folder = os.path.dirname(os.path.abspath(path))
    return design


def loads(text: str | bytes) -> Design:
    """A design from the text of a design file (what load_design reads; also for tests/fuzzing)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise DesignFileError("not a text file (expected UTF-8 JSON)") from None
    else:
        try:
            text.encode("utf-8")          # a str with lone surrogates could never be saved
        except UnicodeEncodeError as e:
            raise DesignFileError(f"not valid Unicode text (a lone surrogate at character {e.start})") from None
    if len(text) > MAX_FILE_BYTES:
        raise DesignFileError(f"the document has {len(text):,} characters; a design file may be at "
                              f"most {_size(MAX_FILE_BYTES)}")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise DesignFileError(f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise DesignFileError(f"the document is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError as e:   # a 5,000-digit number
        raise DesignFileError(f"not valid JSON: {e}") from None
    # Nodes and edges are checked field by field against a fixed schema, so nesting there is
    # refused as a wrong type; the settings sections hold free-form objects (data options).
    _check_depth({k: v for k, v in doc.items() if k not in ("nodes", "edges")}
                 if isinstance(doc, dict) else doc)
    if _SURROGATE_ESCAPE.search(text):
        _check_encodable(doc)
    try:
        return from_dict(doc)
    except RecursionError:
        raise DesignFileError("the document is nested too deeply") from None


# A JSON escape of a UTF-16 surrogate (\ud800-\udfff): legal JSON, but alone (not in a pair)
# it decodes to a str no UTF-8 file can hold, and saving the design would fail.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_encodable(doc: Any) -> None:
    """Refuse text with a lone surrogate (from an escape), naming its JSON path."""
    stack = [(doc, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise DesignFileError("text with a lone UTF-16 surrogate (\\ud800-\\udfff) cannot be "
                                      "saved as UTF-8", path) from None
        elif isinstance(value, dict):
            for k, v in value.items():
                sub = str(k) if path == "$" else f"{path}.{k}"
                stack.append((k, sub))
                stack.append((v, sub))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))


def _check_depth(doc: Any) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH, naming the path where it gets too deep.

    Level by level, iteratively (the check itself must not recurse), touching each value once
    without building paths: 10⁵ nodes are checked in a fraction of a second."""
    level = [doc] if isinstance(doc, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise DesignFileError(f"nested more than {MAX_DEPTH} levels deep", _deep_path(doc))
        below = []
        for value in level:
            below.extend(c for c in (value.values() if isinstance(value, dict) else value)
                         if isinstance(c, (dict, list)))
        level = below


def _deep_path(doc: Any) -> str:
    """The JSON path of one container MAX_DEPTH levels down (only called when there is one)."""
    stack = [(doc, "$", 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, child in items:
            if isinstance(child, (dict, list)):
                sub = (f"{path}[{k}]" if isinstance(value, list) else
                       str(k) if path == "$" else f"{path}.{k}")
                stack.append((child, sub, depth + 1))
    return "$"


def _bounded_text(text: str, limit: int, what: str, warnings: list[str]) -> str:
    if len(text) <= limit:
        return text
    warnings.append(f"{what} has {len(text):,} characters; only the first {limit:,} were kept")
    return text[:limit] + "…"


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
    warnings: list[str] = []

    graph = Graph()
    nodes = _list(doc, "nodes")
    for i, raw in enumerate(nodes):
        graph.insert_node(_node(raw, f"nodes[{i}]", graph, warnings))
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
        graph.edges.append(Edge(src, dst, port))
    try:
        graph.topological_order()
    except GraphError as e:
        raise DesignFileError(f"the edges form a cycle through node {e.node_id!r}", "edges") from None

    training = validate_training(doc.get("training"), "training")
    return Design(graph=graph,
                  training=training,
                  data=validate_data(doc.get("data"), "data"),
                  search=validate_search(doc.get("search"), graph, training, "search"),
                  name=_bounded_text(doc.get("name", ""), MAX_LABEL_CHARS, "the name", warnings),
                  description=_bounded_text(doc.get("description", ""), MAX_DESCRIPTION_CHARS,
                                            "the description", warnings),
                  warnings=warnings)


def _list(doc: dict, key: str) -> list:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise DesignFileError(f"expected a list, received {type(value).__name__}", key)
    return value


def _node(raw: Any, p: str, graph: Graph, warnings: list[str]) -> Node:
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
    label = _bounded_text(label, MAX_LABEL_CHARS, f"the label of {p} ({nid})", warnings)
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
