"""The graph's edges: ``Edge`` (one connection) and ``EdgeList``, the edge list that keeps each
node's incoming and outgoing edges indexed.

Kept apart from core/graph.py because the index is a data structure of its own — a list subclass
whose every mutation keeps the per-node adjacency in step — with no knowledge of blocks, shapes
or events. core.graph re-exports both names, so ``from core.graph import Edge`` keeps working.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Edge:
    """From the (single) output of `source` to input `port` of `target`."""

    source: str
    target: str
    port: int = 0


class EdgeList(list):
    """The graph's edges in their order, with per-node adjacency kept up to date by every change.

    A plain list to its users (the designer, undo commands and tests append, insert and remove
    edges directly), so the index cannot drift from the list: each mutation updates it. Appends
    and removals cost O(1) per edge; anything that reorders the list (an insert before the end,
    slice assignment, sort) rebuilds the index in O(E), which is what the list operation costs
    anyway. Per node, edges are kept in list order, so algorithms that walk a node's edges visit
    them in the same order as a scan of the whole list would (copies of one identical edge, which
    only direct list edits can make and check() reports, are listed together).
    """

    def __init__(self, edges: Iterable[Edge] = ()):
        super().__init__(edges)
        self._rebuild()

    def __reduce__(self):   # pickle/deepcopy: rebuild the index from the items
        return (EdgeList, (list(self),))

    # ---- the index -------------------------------------------------------------------------
    # Per node, a dict used as an ordered multiset: edge → how many times the list holds it
    # (an identical edge twice only happens through direct list edits, and check() reports it).
    def _rebuild(self) -> None:
        self._into: dict[str, dict[Edge, int]] = {}
        self._out_of: dict[str, dict[Edge, int]] = {}
        self._repeats = 0     # entries beyond the first of identical edges
        for e in list.__iter__(self):
            self._index(e)

    def _index(self, e: Edge) -> None:
        bucket = self._into.get(e.target)
        if bucket is None:
            self._into[e.target] = {e: 1}
        elif e in bucket:
            bucket[e] += 1
            self._repeats += 1
        else:
            bucket[e] = 1
        bucket = self._out_of.get(e.source)
        if bucket is None:
            self._out_of[e.source] = {e: 1}
        elif e in bucket:
            bucket[e] += 1
        else:
            bucket[e] = 1

    def _unindex(self, e: Edge) -> None:
        if self._repeats and self._into[e.target][e] > 1:
            self._rebuild()   # which copy went decides the order: rare (direct edits only), O(E)
            return
        for table, key in ((self._into, e.target), (self._out_of, e.source)):
            bucket = table[key]
            del bucket[e]
            if not bucket:
                del table[key]

    def _expand(self, bucket: dict[Edge, int] | None) -> list[Edge]:
        if not bucket:
            return []
        if not self._repeats:
            return list(bucket)
        return [e for e, k in bucket.items() for _ in range(k)]

    def into(self, node_id: str) -> list[Edge]:
        """Edges whose target is node_id, in list order (O(in-degree))."""
        return self._expand(self._into.get(node_id))

    def out_of(self, node_id: str) -> list[Edge]:
        """Edges whose source is node_id, in list order (O(out-degree))."""
        return self._expand(self._out_of.get(node_id))

    def has_repeats(self) -> bool:
        return self._repeats > 0

    def has_consumers(self, node_id: str) -> bool:
        return node_id in self._out_of

    # ---- list mutations --------------------------------------------------------------------
    def append(self, e: Edge) -> None:
        super().append(e)
        self._index(e)

    def extend(self, edges: Iterable[Edge]) -> None:
        for e in edges:
            self.append(e)

    def __iadd__(self, edges):
        self.extend(edges)
        return self

    def insert(self, index: int, e: Edge) -> None:
        at_end = index >= len(self)
        super().insert(index, e)
        if at_end:
            self._index(e)
        else:
            self._rebuild()   # keep per-node order equal to list order

    def pop(self, index: int = -1) -> Edge:
        e = super().pop(index)
        self._unindex(e)
        return e

    def remove(self, e: Edge) -> None:
        super().remove(e)
        self._unindex(e)

    def __delitem__(self, index) -> None:
        if isinstance(index, slice):
            super().__delitem__(index)
            self._rebuild()
        else:
            e = self[index]
            super().__delitem__(index)
            self._unindex(e)

    def __setitem__(self, index, value) -> None:
        super().__setitem__(index, value)
        self._rebuild()

    def clear(self) -> None:
        super().clear()
        self._rebuild()

    def sort(self, *args, **kw) -> None:
        super().sort(*args, **kw)
        self._rebuild()

    def reverse(self) -> None:
        super().reverse()
        self._rebuild()

    def __imul__(self, n):
        super().__imul__(n)
        self._rebuild()
        return self
