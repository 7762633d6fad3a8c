"""Search spaces: which block parameters and training settings a hyper-parameter study varies.

A design may mark any block parameter (``{"node": "hidden", "param": "units"}``) or training
setting (``{"setting": "optimizer.params.learning_rate"}``) as *searched*: an integer or float
range (optionally on a log scale) or a list of choices. The list is stored in the design file's
optional ``search`` section and validated as strictly as the rest of the file — every bound and
every choice must itself be a valid value of the parameter it searches, so a trial can never build
an invalid design, and errors name the JSON path (``search[1].low``).

Each searched parameter has a *name* used by the study (Optuna's parameter name):
``hidden.units`` for a block parameter, ``training.optimizer.params.learning_rate`` for a setting.

Grid search needs a finite list per parameter: choices as they are; integer ranges every
``step`` value when there are at most ``GRID_POINTS_MAX`` of them, else ``GRID_POINTS`` values
spread evenly (geometrically on a log scale); float ranges ``GRID_POINTS`` values the same way.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from .errors import DesignFileError

MAX_SEARCH_PARAMS = 64       # a study over more parameters is not a teaching tool any more
MAX_CHOICES = 64
MAX_CHOICE_TEXT = 200
GRID_POINTS = 5              # points of a float range (or a long int range) in a grid search
GRID_POINTS_MAX = 12         # an int range with at most this many steps is searched in full

KINDS = ("int", "float", "choice")
_KEYS = {"node", "param", "setting", "kind", "low", "high", "step", "log", "choices"}
# Settings whose change would invalidate other settings (a new optimizer has other parameters)
# or that are not hyper-parameters (where files go, which device).
_UNSEARCHABLE_SETTINGS = {"device", "stats_interval"}
_SETTING_SECTIONS = ("optimizer", "loss", "schedule")


@dataclass(frozen=True)
class SearchParam:
    """One searched parameter. `node` is None for a training setting, whose dotted path within
    ``training`` is `param`. Bounds are ints for kind "int", floats for "float"; `choices` holds
    the values of kind "choice"."""

    node: str | None
    param: str
    kind: str
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None
    log: bool = False
    choices: tuple = ()

    @property
    def name(self) -> str:
        return f"training.{self.param}" if self.node is None else f"{self.node}.{self.param}"

    @property
    def target(self) -> tuple:
        """("node", id, param) or ("training", key, key, …) — where a value goes."""
        return ("node", self.node, self.param) if self.node is not None else \
            ("training", *self.param.split("."))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"node": self.node, "param": self.param} if self.node is not None \
            else {"setting": self.param}
        out["kind"] = self.kind
        if self.kind == "choice":
            out["choices"] = list(self.choices)
        else:
            out.update(low=self.low, high=self.high, log=self.log)
            if self.step is not None:
                out["step"] = self.step
        return out

    def describe(self) -> str:
        """Short text for tool tips and tables: ``2 … 16 (log)`` or ``{8, 16, 32}``."""
        if self.kind == "choice":
            return "{" + ", ".join(_short(c) for c in self.choices) + "}"
        text = f"{_short(self.low)} … {_short(self.high)}"
        if self.step is not None and not (self.kind == "int" and self.step == 1):
            text += f" step {_short(self.step)}"
        return text + (" (log)" if self.log else "")

    # ---- sampling ------------------------------------------------------------------------------
    def suggest(self, trial) -> Any:
        """The value an Optuna trial suggests for this parameter."""
        if self.kind == "int":
            return trial.suggest_int(self.name, self.low, self.high, step=self.step or 1, log=self.log)
        if self.kind == "float":
            return trial.suggest_float(self.name, self.low, self.high, step=self.step, log=self.log)
        return trial.suggest_categorical(self.name, list(self.choices))

    def grid(self) -> list:
        """The finite list of values grid search tries (module docstring)."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "int":
            step = self.step or 1
            every = list(range(self.low, self.high + 1, step))
            if len(every) <= GRID_POINTS_MAX:
                return every
            spread = _spread(self.low, self.high, GRID_POINTS, self.log)
            return sorted({min(every, key=lambda v: abs(v - x)) for x in spread})
        if self.step is not None:
            n = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
            if n <= GRID_POINTS_MAX:
                return [self.low + i * self.step for i in range(n)]
        return _spread(self.low, self.high, GRID_POINTS, self.log)


def _spread(low: float, high: float, n: int, log: bool) -> list[float]:
    """n values from low to high (the ends exact, the rest to 12 significant digits)."""
    if log:
        a, b = math.log(low), math.log(high)
        inner = [math.exp(a + (b - a) * i / (n - 1)) for i in range(1, n - 1)]
    else:
        inner = [low + (high - low) * i / (n - 1) for i in range(1, n - 1)]
    return [float(low)] + [float(f"{v:.12g}") for v in inner] + [float(high)]


def _short(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


# ----------------------------------------------------------------------------- which Param

def target_param(graph, training: dict, node: str | None, param: str):
    """The core.params.Param a search entry varies, or a ValueError saying why there is none."""
    if node is not None:
        if node not in graph.nodes:
            raise ValueError(f"no node {node!r} in the design")
        n = graph.nodes[node]
        try:
            return n.block.params.get(param)
        except KeyError:
            raise ValueError(f"block {n.type} has no parameter {param!r}") from None
    from .settings import EARLY_STOPPING_PARAMS, TRAINING_PARAMS
    keys = param.split(".")
    if len(keys) == 1 and keys[0] in TRAINING_PARAMS.names() and keys[0] not in _UNSEARCHABLE_SETTINGS:
        return TRAINING_PARAMS.get(keys[0])
    if len(keys) == 2 and keys[0] == "early_stopping" and keys[1] in ("patience", "min_delta"):
        return EARLY_STOPPING_PARAMS.get(keys[1])
    if len(keys) == 3 and keys[0] in _SETTING_SECTIONS and keys[1] == "params":
        from .losses import LOSSES
        from .optimizers import OPTIMIZERS
        from .schedules import SCHEDULES
        from .settings import _ScheduleView
        registry = {"optimizer": OPTIMIZERS, "loss": LOSSES, "schedule": _ScheduleView(SCHEDULES)}[keys[0]]
        section = training.get(keys[0], {})
        try:
            return registry.get(section["name"]).params.get(keys[2])
        except KeyError:
            raise ValueError(f"the {keys[0]} {section.get('name')!r} has no parameter {keys[2]!r}") from None
    raise ValueError(f"{param!r} is not a searchable training setting (a top-level setting such as "
                     "batch_size or epochs, early_stopping.patience, or optimizer/loss/schedule.params.NAME)")


def searchable(p) -> tuple[str, ...]:
    """The search kinds a parameter allows: ranges for numbers, choices for every scalar."""
    return {"int": ("int", "choice"), "float": ("float", "choice"),
            "bool": ("choice",), "choice": ("choice",), "str": ("choice",)}.get(p.kind, ())


# ----------------------------------------------------------------------------- validation

def validate_search(raw: Any, graph, training: dict, path: str = "search") -> list[SearchParam]:
    """The design file's ``search`` section as SearchParams; a DesignFileError naming the JSON
    path of the first problem. `training` is the design's validated training settings."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DesignFileError(f"expected a list of searched parameters, received {type(raw).__name__}", path)
    if len(raw) > MAX_SEARCH_PARAMS:
        raise DesignFileError(f"at most {MAX_SEARCH_PARAMS} parameters can be searched; the file lists "
                              f"{len(raw):,}", path)
    out, names = [], {}
    for i, entry in enumerate(raw):
        sp = parse_entry(entry, graph, training, f"{path}[{i}]")
        if sp.name in names:
            raise DesignFileError(f"{sp.name} is already searched by {path}[{names[sp.name]}]", f"{path}[{i}]")
        names[sp.name] = i
        out.append(sp)
    return out


def parse_entry(entry: Any, graph, training: dict, p: str) -> SearchParam:
    if not isinstance(entry, dict):
        raise DesignFileError("expected an object with node and param (or setting), kind and its range", p)
    unknown = sorted(str(k) for k in set(entry) - _KEYS)
    if unknown:
        raise DesignFileError(f"unknown key {unknown[0]!r}", f"{p}.{unknown[0]}")
    node, setting = entry.get("node"), entry.get("setting")
    if (node is None) == (setting is None):
        raise DesignFileError("expected either node and param (a block parameter) or setting "
                              "(a training setting)", p)
    if node is not None:
        if not isinstance(node, str):
            raise DesignFileError(f"expected a node id, received {node!r}", f"{p}.node")
        param = entry.get("param")
        if not isinstance(param, str):
            raise DesignFileError(f"expected a parameter name, received {param!r}", f"{p}.param")
        where = f"{p}.param"
    else:
        if not isinstance(setting, str) or "param" in entry:
            raise DesignFileError(f"expected a setting path such as 'optimizer.params.learning_rate', "
                                  f"received {setting!r}", f"{p}.setting")
        param, where = setting, f"{p}.setting"
    try:
        spec = target_param(graph, training, node, param)
    except ValueError as e:
        raise DesignFileError(str(e), f"{p}.node" if node is not None and node not in graph.nodes else where) \
            from None
    kind = entry.get("kind")
    if kind not in KINDS:
        raise DesignFileError(f"expected kind 'int', 'float' or 'choice', received {kind!r}", f"{p}.kind")
    allowed = searchable(spec)
    if kind not in allowed:
        raise DesignFileError(f"{spec.name} is a {spec.kind} parameter: it can be searched as "
                              f"{' or '.join(allowed) or 'nothing'}, not {kind}", f"{p}.kind")
    if kind == "choice":
        for key in ("low", "high", "step", "log"):
            if key in entry:
                raise DesignFileError(f"{key!r} belongs to int and float ranges, not to choices", f"{p}.{key}")
        return SearchParam(node, param, kind, choices=_choices(entry.get("choices"), spec, f"{p}.choices"))
    if "choices" in entry:
        raise DesignFileError("'choices' belongs to kind 'choice', not to a range", f"{p}.choices")
    return _range(node, param, kind, entry, spec, p)


def _choices(raw: Any, spec, p: str) -> tuple:
    if not isinstance(raw, list) or not raw:
        raise DesignFileError("expected a non-empty list of values", p)
    if len(raw) > MAX_CHOICES:
        raise DesignFileError(f"at most {MAX_CHOICES} choices; the list has {len(raw):,}", p)
    out = []
    for j, v in enumerate(raw):
        if isinstance(v, str) and len(v) > MAX_CHOICE_TEXT:
            raise DesignFileError(f"a choice is at most {MAX_CHOICE_TEXT} characters", f"{p}[{j}]")
        if not isinstance(v, (bool, int, float, str)):
            raise DesignFileError(f"expected a number, true/false or text, received {type(v).__name__}", f"{p}[{j}]")
        try:
            v = spec.validate(v)
        except (ValueError, OverflowError) as e:
            raise DesignFileError(str(e), f"{p}[{j}]") from None
        if any(type(v) is type(o) and v == o for o in out):
            raise DesignFileError(f"{v!r} is listed twice", f"{p}[{j}]")
        out.append(v)
    return tuple(out)


def _number(entry: dict, key: str, kind: str, p: str, required: bool = True):
    v = entry.get(key)
    if v is None:
        if required:
            raise DesignFileError(f"a {kind} range needs {key!r}", f"{p}.{key}")
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise DesignFileError(f"expected a number, received {v!r}", f"{p}.{key}")
    if kind == "int":
        if not isinstance(v, int):
            raise DesignFileError(f"expected an integer, received {v!r}", f"{p}.{key}")
        if abs(v) > 2**53:
            raise DesignFileError(f"expected an integer of at most 2^53, received {v!r}", f"{p}.{key}")
        return v
    try:
        v = float(v)
    except OverflowError:
        raise DesignFileError(f"{v!r} is too large", f"{p}.{key}") from None
    if not math.isfinite(v):
        raise DesignFileError(f"expected a finite number, received {v!r}", f"{p}.{key}")
    return v


def _range(node, param, kind, entry, spec, p) -> SearchParam:
    low = _number(entry, "low", kind, p)
    high = _number(entry, "high", kind, p)
    step = _number(entry, "step", kind, p, required=False)
    log = entry.get("log", False)
    if not isinstance(log, bool):
        raise DesignFileError(f"expected true or false, received {log!r}", f"{p}.log")
    if high < low or (kind == "float" and high == low):
        raise DesignFileError(f"high ({high!r}) must be above low ({low!r})", f"{p}.high")
    for key, v in (("low", low), ("high", high)):
        try:
            spec.validate(v)
        except (ValueError, OverflowError) as e:
            raise DesignFileError(f"{e} (every value of the range must be a valid {spec.name})", f"{p}.{key}") \
                from None
    if step is not None and step <= 0:
        raise DesignFileError(f"expected a step above 0, received {step!r}", f"{p}.step")
    if log:
        if low <= 0:
            raise DesignFileError(f"a log scale needs low above 0, received {low!r}", f"{p}.low")
        if step is not None and not (kind == "int" and step == 1):
            raise DesignFileError("a log-scale range takes no step", f"{p}.step")
        step = None if kind == "float" else step
    return SearchParam(node, param, kind, low, high, step, log)


# ----------------------------------------------------------------------------- values

def current_value(design, sp: SearchParam) -> Any:
    if sp.node is not None:
        return design.graph.nodes[sp.node].params[sp.param]
    value = design.training
    for key in sp.param.split("."):
        value = value[key]
    return value


def split_values(params: list[SearchParam], values: dict[str, Any]):
    """{name: value} of a trial as ({node: {param: value}}, [(training key path, value)])."""
    nodes: dict[str, dict] = {}
    settings: list[tuple[tuple, Any]] = []
    for sp in params:
        if sp.name not in values:
            continue
        if sp.node is not None:
            nodes.setdefault(sp.node, {})[sp.param] = values[sp.name]
        else:
            settings.append((tuple(sp.param.split(".")), values[sp.name]))
    return nodes, settings


def apply_values(design, values: dict[str, Any]):
    """A copy of `design` with a trial's values (by search name) set; the search stays as it is.
    Values are checked as the design file checks them (ParameterError / DesignFileError)."""
    from .settings import validate_training
    out = copy.deepcopy(design)
    nodes, settings = split_values(list(design.search), values)
    for nid, changes in nodes.items():
        out.graph.set_params(nid, changes)
    if settings:
        training = copy.deepcopy(out.training)
        for keys, value in settings:
            container = training
            for key in keys[:-1]:
                container = container[key]
            container[keys[-1]] = value
        out.training = validate_training(training, "training")
    return out
