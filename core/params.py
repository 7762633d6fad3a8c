"""Parameter declarations: the single source of defaults, bounds, choices and help text.

The inspector builds its form from these, the design file validates against them and the engine
reads values from the graph model — never from widgets (pyqtgraph's ``uiTemplate`` idea).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


MAX_SHAPE_ELEMENTS = 2 ** 40     # values in one sample: a terabyte of float32 already


@dataclass(frozen=True)
class Param:
    """One hyper-parameter of a block, loss, optimizer or schedule.

    kind is one of: "int", "float", "bool", "choice", "shape" (tuple of positive ints), "str".
    """

    name: str
    kind: str
    default: Any
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    min_exclusive: bool = False
    convention: str = ""  # e.g. "Keras" / "PyTorch" when the two differ (shown by the inspector)

    def validate(self, value: Any) -> Any:
        """Return the value normalised (e.g. list → tuple), or raise ValueError saying why."""
        k = self.kind
        if k == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"expects true or false for `{self.name}`. Received: {value!r}")
            return value
        if k == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"expects an integer `{self.name}`. Received: {self.name}={value!r}")
            self._check_range(value)
            return value
        if k == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"expects a number `{self.name}`. Received: {self.name}={value!r}")
            try:
                value = float(value)
            except OverflowError:
                raise ValueError(f"`{self.name}` is too large. Received: {value!r}") from None
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(f"expects a finite number `{self.name}`. Received: {value!r}")
            self._check_range(value)
            return value
        if k == "choice":
            if value not in self.choices:
                opts = ", ".join(repr(c) for c in self.choices)
                raise ValueError(f"`{self.name}` must be one of {opts}. Received: {value!r}")
            return value
        if k == "shape":
            if isinstance(value, int) and not isinstance(value, bool):
                value = (value,)
            if (not isinstance(value, (list, tuple)) or not value
                    or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value)):
                raise ValueError(f"expects `{self.name}` as a list of positive integers. Received: {value!r}")
            # Bounded so every count derived from it (features, weights, bytes) stays a number
            # that can be printed and compared with memory: 10^3000 x 10^3000 cannot.
            size = 1
            for v in value:
                size *= v
                if size > MAX_SHAPE_ELEMENTS:
                    raise ValueError(f"expects `{self.name}` to hold at most {MAX_SHAPE_ELEMENTS:,} "
                                     f"values per sample. Received a shape of {len(value)} sizes whose "
                                     f"product is larger")
            return tuple(value)
        if k == "str":
            if not isinstance(value, str):
                raise ValueError(f"expects text for `{self.name}`. Received: {value!r}")
            return value
        raise AssertionError(f"unknown parameter kind {k}")

    def _check_range(self, value: float) -> None:
        lo, hi = self.minimum, self.maximum
        if lo is not None and (value < lo or (self.min_exclusive and value == lo)):
            op = ">" if self.min_exclusive else ">="
            raise ValueError(f"expects `{self.name}` {op} {lo}. Received: {self.name}={value!r}")
        if hi is not None and value > hi:
            raise ValueError(f"expects `{self.name}` <= {hi}. Received: {self.name}={value!r}")


@dataclass
class ParamSet:
    """An ordered list of Params with helpers to validate a whole dict of values."""

    params: tuple[Param, ...] = field(default_factory=tuple)

    def __iter__(self):
        return iter(self.params)

    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def get(self, name: str) -> Param:
        cached = self.__dict__.get("_by_name")       # (params it was built from, index)
        if cached is None or cached[0] is not self.params:
            cached = self.__dict__["_by_name"] = (self.params, {p.name: p for p in self.params})
        by_name = cached[1]
        try:
            return by_name[name]
        except KeyError:
            raise KeyError(name) from None

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def resolve(self, values: dict[str, Any], *, strict: bool = True) -> dict[str, Any]:
        """Defaults overlaid with `values`, each validated.

        Raises:
            KeyError(name) for an unknown name when strict; ValueError(name, message) for a bad value.
        """
        out = self.defaults()
        for name, value in values.items():
            try:
                spec = self.get(name)
            except KeyError:
                if strict:
                    raise KeyError(name) from None
                continue
            try:
                out[name] = spec.validate(value)
            except ValueError as e:
                raise ValueError(name, str(e)) from None
        return out
