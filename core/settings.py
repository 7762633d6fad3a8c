"""Training and data settings stored in a design, validated with JSON-path errors.

Each section is declared with Params so the inspector can build its form from the same
declaration the file loader validates against. Keys may be omitted in a file (defaults apply);
unknown keys and ill-typed values are errors naming their path.
"""
from __future__ import annotations

import copy
from typing import Any

from .errors import DesignFileError
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .params import Param, ParamSet

TRAINING_PARAMS = ParamSet((
    Param("batch_size", "int", 32, minimum=1, maximum=1_000_000, doc="Samples per gradient step."),
    Param("epochs", "int", 20, minimum=1, maximum=1_000_000, doc="Passes over the training data."),
    Param("seed", "int", 0, minimum=0, maximum=2**31 - 1, doc="Same seed → identical run."),
    Param("dtype", "choice", "float32", choices=("float32", "float64"), doc="Floating-point precision."),
    Param("clip_norm", "float", 0.0, minimum=0.0,
          doc="Rescale gradients whose global L2 norm exceeds this (0 = off).",
          convention="Keras: g·c/max(‖g‖, c)"),
    Param("clip_value", "float", 0.0, minimum=0.0, doc="Clip each gradient to [−v, v] (0 = off)."),
    Param("stats_interval", "int", 50, minimum=1, maximum=1_000_000,
          doc="Batches between per-layer statistics (gradient flow, histograms)."),
    Param("device", "choice", "cpu", choices=("cpu", "cuda"), doc="Where training runs."),
    Param("threads", "int", 0, minimum=0, maximum=4096,
          doc="CPU threads for training (0 = the physical cores)."),
))

EARLY_STOPPING_PARAMS = ParamSet((
    Param("enabled", "bool", False, doc="Stop when the monitored value stops improving."),
    Param("monitor", "str", "val_loss", doc="What to watch, e.g. val_loss, loss, val_accuracy."),
    Param("patience", "int", 5, minimum=0, doc="Epochs without improvement before stopping."),
    Param("min_delta", "float", 0.0, minimum=0.0, doc="Smallest change that counts as improvement."),
    Param("restore_best_weights", "bool", True,
          doc="Go back to the best epoch's weights when training ends (Keras: also without an early stop)."),
))

CHECKPOINT_PARAMS = ParamSet((
    Param("enabled", "bool", False, doc="Save the best weights while training."),
    Param("path", "str", "", doc="Weights file (.npz) to write; empty: next to the design."),
    Param("monitor", "str", "val_loss", doc="Value that decides which epoch is best."),
))

DATA_PARAMS = ParamSet((
    Param("source", "choice", "builtin", choices=("builtin", "csv", "npz"), doc="Where the data comes from."),
    Param("name", "str", "xor", doc="Built-in data set name."),
    Param("path", "str", "", doc="CSV or NPZ file (for those sources)."),
    Param("validation_split", "float", 0.2, minimum=0.0, maximum=0.9, doc="Fraction held out for validation."),
    Param("test_split", "float", 0.0, minimum=0.0, maximum=0.9, doc="Fraction held out for the final test."),
    Param("scaling", "choice", "standard", choices=("none", "standard", "minmax"),
          doc="Feature scaling, fitted on the training part only."),
    Param("seed", "int", 0, minimum=0, maximum=2**31 - 1, doc="Seed of the split (and generated data)."),
))


def default_training() -> dict[str, Any]:
    t = TRAINING_PARAMS.defaults()
    t.update(loss={"name": "mse", "params": {}},
             optimizer={"name": "adam", "params": OPTIMIZERS.get("adam").params.defaults()},
             schedule={"name": "constant", "params": {}},
             metrics=[],
             early_stopping=EARLY_STOPPING_PARAMS.defaults(),
             checkpoint=CHECKPOINT_PARAMS.defaults())
    return t


def default_data() -> dict[str, Any]:
    from .data import DATASET_PARAMS
    d = DATA_PARAMS.defaults()
    # Resolved as validate_data resolves them, so a default Design saves and loads back unchanged.
    d["params"] = ParamSet(tuple(DATASET_PARAMS[d["name"]])).defaults()
    d["options"] = {}
    return d


def _flat(section: dict, spec: ParamSet, path: str, extra: tuple[str, ...] = ()) -> dict:
    if not isinstance(section, dict):
        raise DesignFileError(f"expected an object, received {type(section).__name__}", path)
    scalars = {k: v for k, v in section.items() if k not in extra}
    try:
        return spec.resolve(scalars)
    except KeyError as e:
        raise DesignFileError(f"unknown setting {e.args[0]!r}", f"{path}.{e.args[0]}") from None
    except ValueError as e:
        name, msg = e.args
        raise DesignFileError(msg, f"{path}.{name}") from None


def _named(section: Any, registry, path: str, default: str) -> dict:
    """{"name": ..., "params": {...}} validated against the registry entry's Params."""
    if section is None:
        section = {"name": default}
    if not isinstance(section, dict):
        raise DesignFileError(f"expected an object with 'name' and 'params', received {section!r}", path)
    unknown = set(section) - {"name", "params"}
    if unknown:
        raise DesignFileError(f"unknown key {sorted(unknown)[0]!r}", f"{path}.{sorted(unknown)[0]}")
    name = section.get("name", default)
    if not isinstance(name, str):
        raise DesignFileError(f"expected a name, received {name!r}", f"{path}.name")
    try:
        entry = registry.get(name) if not isinstance(registry, dict) else registry[name]
    except KeyError as e:
        raise DesignFileError(str(e.args[0]) if e.args else f"unknown name {name!r}", f"{path}.name") from None
    spec = entry.params if isinstance(entry.params, ParamSet) else ParamSet(tuple(entry.params))
    raw_params = section.get("params")
    params = _flat({} if raw_params is None else raw_params, spec, f"{path}.params")
    return {"name": name, "params": params}


def validate_training(raw: dict | None, path: str = "training") -> dict[str, Any]:
    from .metrics import METRIC_NAMES
    from .schedules import SCHEDULES

    raw = copy.deepcopy({} if raw is None else raw)   # omitted: defaults; false, [], "": an error
    nested = ("loss", "optimizer", "schedule", "metrics", "early_stopping", "checkpoint")
    out = _flat(raw, TRAINING_PARAMS, path, extra=nested)
    out["loss"] = _named(raw.get("loss"), LOSSES, f"{path}.loss", "mse")
    out["optimizer"] = _named(raw.get("optimizer"), OPTIMIZERS, f"{path}.optimizer", "adam")
    out["schedule"] = _named(raw.get("schedule"), _ScheduleView(SCHEDULES), f"{path}.schedule", "constant")
    metrics = raw.get("metrics", [])
    if not isinstance(metrics, list):
        raise DesignFileError(f"expected a list of metric names, received {metrics!r}", f"{path}.metrics")
    for i, m in enumerate(metrics):
        if m not in METRIC_NAMES:
            raise DesignFileError(f"unknown metric {m!r}; known: {', '.join(METRIC_NAMES)}", f"{path}.metrics[{i}]")
    out["metrics"] = list(metrics)
    out["early_stopping"] = _flat(raw.get("early_stopping", {}), EARLY_STOPPING_PARAMS, f"{path}.early_stopping")
    out["checkpoint"] = _flat(raw.get("checkpoint", {}), CHECKPOINT_PARAMS, f"{path}.checkpoint")
    return out


def validate_data(raw: dict | None, path: str = "data") -> dict[str, Any]:
    raw = copy.deepcopy({} if raw is None else raw)
    out = _flat(raw, DATA_PARAMS, path, extra=("params", "options"))
    for key in ("params", "options"):
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise DesignFileError(f"expected an object, received {value!r}", f"{path}.{key}")
        out[key] = value
    if out["source"] == "builtin":
        from .data import DATASET_PARAMS
        if out["name"] not in DATASET_PARAMS:
            raise DesignFileError(f"unknown data set {out['name']!r}; known: {', '.join(DATASET_PARAMS)}",
                                  f"{path}.name")
        out["params"] = _flat(out["params"], ParamSet(tuple(DATASET_PARAMS[out["name"]])), f"{path}.params")
    if out["validation_split"] + out["test_split"] >= 0.95:
        raise DesignFileError("validation_split + test_split must leave data to train on", f"{path}.test_split")
    return out


class _ScheduleView:
    """Schedules take their initial learning rate from the optimizer; hide that parameter."""

    INITIAL = ("lr", "learning_rate", "initial_learning_rate", "initial", "initial_lr")

    def __init__(self, schedules):
        self._s = schedules

    def __getitem__(self, name):
        cls = self._s[name]

        class _View:
            params = ParamSet(tuple(p for p in cls.params if p.name not in _ScheduleView.INITIAL))
        return _View

    get = __getitem__
