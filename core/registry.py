"""A named registry with aliases; a duplicate name raises (Keras' identifier lookup)."""
from __future__ import annotations

from typing import Generic, Iterator, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, family: str):
        self.family = family
        self._items: dict[str, T] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, item: T, aliases: tuple[str, ...] = ()) -> T:
        for n in (name, *aliases):
            if n in self._items or n in self._aliases:
                raise ValueError(f"{self.family} '{n}' is registered twice")
        self._items[name] = item
        for a in aliases:
            self._aliases[a] = name
        return item

    def canonical(self, name: str) -> str:
        name = self._aliases.get(name, name)
        if name not in self._items:
            known = ", ".join(sorted(self._items))
            raise KeyError(f"Could not interpret {self.family} identifier: {name!r}. Known: {known}")
        return name

    def get(self, name: str) -> T:
        item = self._items.get(name)     # fast path: a canonical name (every graph node's type)
        return item if item is not None else self._items[self.canonical(name)]

    def __contains__(self, name: str) -> bool:
        return name in self._items or name in self._aliases

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def items(self):
        return self._items.items()

    def names(self) -> list[str]:
        return list(self._items)
