"""One small error hierarchy for everything a user can get wrong.

Every error names *where* the problem is — a node (id and label), a JSON path in a design file,
a file name, a weight name — so the designer can point at it and the CLI can print one line.
"""
from __future__ import annotations


class NetDesignerError(Exception):
    """Base of every error NetDesigner raises on purpose (never a bug)."""


class GraphError(NetDesignerError):
    """A problem with one node or edge of the graph.

    Attributes:
        node_id: id of the node the problem belongs to (None for graph-wide problems).
        label: the node's label, if it has one.
        reason: what is wrong, in words, without the node prefix.
    """

    kind = "graph"

    def __init__(self, reason: str, node_id: str | None = None, label: str | None = None):
        self.node_id = node_id
        self.label = label
        self.reason = reason
        super().__init__(self._format())

    def _format(self) -> str:
        if self.node_id is None:
            return self.reason
        from .textsafe import printable_label   # a label with bidi controls must not reverse the line
        name = f"'{self.node_id}'" + (f" ({printable_label(self.label)})"
                                      if self.label and self.label != self.node_id else "")
        return f"Node {name}: {self.reason}"


class CycleError(GraphError):
    kind = "cycle"


class DanglingPortError(GraphError):
    kind = "dangling"


class PortInUseError(GraphError):
    kind = "port_in_use"


class ShapeMismatchError(GraphError):
    kind = "shape"


class MemoryLimitError(GraphError):
    """Training the design would need more memory than the machine allows (core/memory.py).
    `needed` and `limit` are in bytes; `node_id` is the largest layer."""

    kind = "memory"

    def __init__(self, reason: str, node_id: str | None = None, label: str | None = None, *,
                 needed: int = 0, limit: int = 0):
        self.needed = needed
        self.limit = limit
        super().__init__(reason, node_id, label)


class ParameterError(GraphError):
    """A block parameter is missing, of the wrong type or out of range."""

    kind = "parameter"

    def __init__(self, reason: str, node_id: str | None = None, label: str | None = None,
                 param: str | None = None):
        self.param = param
        super().__init__(reason, node_id, label)


class DesignFileError(NetDesignerError):
    """A design file cannot be read. `path` is the JSON path, e.g. ``nodes[2].params.units``."""

    def __init__(self, reason: str, path: str = "", file: str | None = None):
        # What a hostile file puts in a message (a 40 MB key, a bidi override, a newline) is
        # shown escaped and cut, so the error stays one readable line.
        from .textsafe import printable_label
        self.reason = printable_label(reason, 400)
        self.path = printable_label(path, 200)
        self.file = file if file is None else printable_label(file, 400)
        reason, path, file = self.reason, self.path, self.file
        where = ", ".join(p for p in (file and f"file {file}", path and f"at {path}") if p)
        super().__init__(f"{where}: {reason}" if where else reason)


class WeightsError(NetDesignerError):
    """A weights file does not fit a design, or cannot be read."""

    def __init__(self, reason: str, mismatches: list[str] | None = None, file: str | None = None):
        self.mismatches = list(mismatches or [])
        self.file = file
        text = (f"{file}: " if file else "") + reason
        if self.mismatches:
            text += "\n  " + "\n  ".join(self.mismatches)
        super().__init__(text)


class DataError(NetDesignerError):
    """A data set cannot be loaded or does not fit the design."""


class TrainingError(NetDesignerError):
    """Training settings are invalid (unknown loss, bad learning rate, ...)."""
