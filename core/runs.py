"""Run history: every training run of a design, kept beside it so runs can be compared.

A run record holds what is needed to compare two runs and to reproduce either one: the design as
it was trained (nodes, parameters, training and data settings, so the seed and the data split
too), its structure hash, the per-epoch curves, the per-batch loss, a summary of the per-layer
statistics (gradient norm and the dead/saturated fractions over time, the last weight histogram)
and the final metrics.

Storage: ``<design file>.runs/`` holds one ``<id>.json`` per run, each written atomically
(core.atomic). Bounded in size: at most ``MAX_RUNS`` runs per design (the oldest go first), curves
thinned to at most ``MAX_EPOCH_POINTS`` / ``MAX_BATCH_POINTS`` / ``MAX_STAT_POINTS`` points.
Loading is strict: a file that is not a run record raises ``RunFileError`` naming the file and the
JSON path; ``RunStore.load_all`` keeps going past a bad file and lists it among its problems.

``diff_designs`` says what differs between two runs' designs (blocks, parameters, connections,
settings), and ``make_variant`` applies one change to a design — "Duplicate as variant"; both live
in core/variants.py and are re-exported here.
"""
from __future__ import annotations

import copy
import json
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from .atomic import atomic_write_text
from .errors import DesignFileError
from .events import BatchesEnd, EpochEnd, Intervention, LayerStats, TrainBegin, TrainEnd
from .variants import Difference, describe_change, diff_designs, make_variant  # noqa: F401  (re-exported)

FORMAT = "netdesigner-run"
VERSION = 1
MAX_RUNS = 30                  # per design; a record is ~20–80 kB, so a folder stays under ~3 MB
MAX_EPOCH_POINTS = 500
MAX_BATCH_POINTS = 1000
MAX_STAT_POINTS = 200
MAX_RUN_FILE_BYTES = 8 * 1024 * 1024
RUNS_SUFFIX = ".runs"


class RunFileError(DesignFileError):
    """A run record cannot be read; names the file and the JSON path."""


# ---------------------------------------------------------------------------------- thinning

class Thinned:
    """At most ``cap`` evenly spaced samples of a stream of unknown length, kept online.

    Every ``stride``-th sample is kept; when 2·cap are held, every other one is dropped and the
    stride doubles. Memory stays O(cap) however long the run, and the kept points stay evenly
    spaced (the last sample is always added by ``values``).
    """

    def __init__(self, cap: int):
        self.cap = max(2, int(cap))
        self.stride = 1
        self.count = 0
        self.xs: list[float] = []
        self.ys: list[float] = []
        self._last: tuple[float, float] | None = None

    def add(self, x: float, y: float) -> None:
        if self.count % self.stride == 0:
            self.xs.append(float(x))
            self.ys.append(float(y))
            if len(self.xs) >= 2 * self.cap:
                self.xs, self.ys = self.xs[::2], self.ys[::2]
                self.stride *= 2
        self._last = (float(x), float(y))
        self.count += 1

    def extend(self, x0: int, ys) -> None:
        """Add ys[i] at x0 + i for consecutive x: only the kept points cost Python work."""
        ys = np.asarray(ys, float).ravel()
        n = len(ys)
        if n == 0:
            return
        i = (-self.count) % self.stride
        while i < n:
            self.xs.append(float(x0 + i))
            self.ys.append(float(ys[i]))
            if len(self.xs) >= 2 * self.cap:
                self.xs, self.ys = self.xs[::2], self.ys[::2]
                self.stride *= 2
            c = self.count + i + 1
            i += 1 + (-c) % self.stride
        self._last = (float(x0 + n - 1), float(ys[-1]))
        self.count += n

    def values(self) -> tuple[list[float], list[float]]:
        xs, ys = list(self.xs), list(self.ys)
        if self._last is not None and (not xs or xs[-1] != self._last[0]):
            xs.append(self._last[0])
            ys.append(self._last[1])
        if len(xs) > self.cap:       # evenly spaced, first and last kept
            idx = np.unique(np.linspace(0, len(xs) - 1, self.cap).round().astype(int))
            xs, ys = [xs[i] for i in idx], [ys[i] for i in idx]
        return xs, ys


def thin_list(values: list, cap: int) -> list:
    if len(values) <= cap:
        return list(values)
    idx = np.unique(np.linspace(0, len(values) - 1, cap).round().astype(int))
    return [values[i] for i in idx]


def _num(v) -> float | None:
    """JSON has no NaN or infinity: they are stored as null."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


# ---------------------------------------------------------------------------------- the record

@dataclass
class RunRecord:
    id: str
    label: str
    created: float                      # seconds since the epoch
    design: dict                        # Design.to_dict() as trained
    design_hash: str
    reason: str = ""                    # TrainEnd.reason
    message: str = ""
    epochs_run: int = 0
    best_epoch: int | None = None
    history: dict = field(default_factory=dict)       # key → per-epoch values (None = NaN)
    epochs: list = field(default_factory=list)        # epoch index of each history value
    batch_steps: list = field(default_factory=list)
    batch_losses: list = field(default_factory=list)
    layers: dict = field(default_factory=dict)        # node id → statistics summary
    final: dict = field(default_factory=dict)         # last epoch's logs (+ test_ metrics)
    parent: str = ""                    # the run this one is a variant of
    change: str = ""                    # in words: what the variant changed
    interventions: list = field(default_factory=list)   # live changes: {position, step, change, node_id, value}

    # -- views
    @property
    def training(self) -> dict:
        return self.design.get("training", {})

    @property
    def data(self) -> dict:
        return self.design.get("data", {})

    def curve(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of a history key, NaN where a value was not finite."""
        ys = self.history.get(key, [])
        xs = self.epochs[:len(ys)] if len(self.epochs) >= len(ys) else list(range(len(ys)))
        return (np.asarray(xs, float), np.array([np.nan if v is None else v for v in ys], float))

    def grad_flow(self, when: str = "median") -> dict[str, float]:
        """node id → gradient norm of each weight layer: at the first statistics sample
        (``"first"``, the initialisation's effect), the ``"last"`` one, or the run's ``"median"``."""
        out = {}
        for nid, s in self.layers.items():
            if s.get("kind") == "weights":
                vals = [v for v in s.get("grad_norm", []) if v is not None]
                if not vals:
                    out[nid] = float("nan")
                else:
                    out[nid] = float(vals[0] if when == "first" else vals[-1] if when == "last" else np.median(vals))
        return out

    def to_dict(self) -> dict:
        return {"format": FORMAT, "version": VERSION, "id": self.id, "label": self.label,
                "created": self.created, "design_hash": self.design_hash, "reason": self.reason,
                "message": self.message, "epochs_run": self.epochs_run, "best_epoch": self.best_epoch,
                "parent": self.parent, "change": self.change, "final": self.final,
                "epochs": self.epochs, "history": self.history, "batch_steps": self.batch_steps,
                "batch_losses": self.batch_losses, "layers": self.layers, "design": self.design,
                "interventions": self.interventions}


def new_run_id(now: float | None = None) -> str:
    now = time.time() if now is None else now
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    return f"{stamp}-{int((now % 1) * 1e6):06d}-{os.getpid() % 10000:04d}"


class RunRecorder:
    """Builds a RunRecord from the trainer's events (feed every event to ``handle``).

    Memory is bounded whatever the run's length (``Thinned``); unknown events are ignored, so the
    dashboard can feed it everything it receives.
    """

    def __init__(self, design, label: str = "", parent: str = "", change: str = ""):
        self.design = design.to_dict() if hasattr(design, "to_dict") else copy.deepcopy(design)
        self.design_hash = design.structure_hash() if hasattr(design, "structure_hash") else ""
        self.label, self.parent, self.change = label, parent, change
        self.created = time.time()
        self.begin: TrainBegin | None = None
        self._batches = Thinned(MAX_BATCH_POINTS)
        self._history: dict[str, list] = {}
        self._epochs: list[int] = []
        self._stats: dict[str, dict[str, Any]] = {}
        self._stat_points: dict[str, dict[str, Thinned]] = {}
        self.end: TrainEnd | None = None
        self.last_logs: dict = {}
        self.interventions: list[dict] = []

    def handle(self, ev) -> None:
        kind = type(ev)
        if kind is BatchesEnd:
            self.add_batch_losses(ev.losses, ev.first_step)
        elif kind is EpochEnd:
            self.add_epoch(ev.epoch, ev.logs)
        elif kind is LayerStats:
            self._add_stats(ev)
        elif kind is TrainBegin:
            self.begin = ev
        elif kind is TrainEnd:
            self.end = ev
        elif kind is Intervention:
            self.interventions.append({"position": float(ev.position), "step": int(ev.step),
                                       "change": ev.change, "node_id": ev.node_id, "value": float(ev.value)})

    def add_batch_losses(self, losses, first_step: int | None = None) -> None:
        """Per-batch losses of consecutive steps (from the step after the last ones by default)."""
        first = self._batches.count if first_step is None else int(first_step)
        self._batches.extend(first, losses)

    def add_epoch(self, epoch: int, logs: dict) -> None:
        self._epochs.append(int(epoch))
        for k, v in logs.items():
            if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
                self._history.setdefault(k, []).append(_num(v))
        self.last_logs = dict(logs)

    def _add_stats(self, ev: LayerStats) -> None:
        for s in ev.layers:
            summary = self._stats.setdefault(s.node_id, {"kind": s.kind, "weight_count": int(s.weight_count)})
            series = self._stat_points.setdefault(s.node_id, {})
            for name in ("grad_norm", "grad_mean_abs", "zero_fraction", "saturated_fraction"):
                v = getattr(s, name)
                if v is not None and not (isinstance(v, float) and math.isnan(v)):
                    series.setdefault(name, Thinned(MAX_STAT_POINTS)).add(ev.step, v)
            if s.hist_counts is not None and s.hist_edges is not None:
                summary["hist_counts"] = [int(c) for c in np.asarray(s.hist_counts).ravel()]
                summary["hist_edges"] = [_num(e) for e in np.asarray(s.hist_edges).ravel()]
                summary["hist_step"] = int(ev.step)

    def record(self, *, final_extra: dict | None = None, run_id: str | None = None) -> RunRecord:
        """The finished record; ``final_extra`` adds metrics measured afterwards (test_ metrics)."""
        end = self.end
        layers = {}
        for nid, summary in self._stats.items():
            entry = dict(summary)
            for name, t in self._stat_points[nid].items():
                xs, ys = t.values()
                entry["steps"] = [int(x) for x in xs]
                entry[name] = [_num(y) for y in ys]
            layers[nid] = entry
        epochs = thin_list(self._epochs, MAX_EPOCH_POINTS)
        keep = set(epochs)
        idx = [i for i, e in enumerate(self._epochs) if e in keep]
        history = {k: [v[i] for i in idx if i < len(v)] for k, v in self._history.items()}
        steps, losses = self._batches.values()
        final = {k: _num(v) for k, v in self.last_logs.items() if _num(v) is not None}
        for k, v in (final_extra or {}).items():
            if _num(v) is not None:
                final[k] = _num(v)
        return RunRecord(id=run_id or new_run_id(self.created), label=self.label, created=self.created,
                         design=self.design, design_hash=self.design_hash,
                         reason=end.reason if end else "failed", message=end.message if end else "",
                         epochs_run=int(end.epochs_run) if end else len(self._epochs),
                         best_epoch=None if end is None or end.best_epoch is None else int(end.best_epoch),
                         history=history, epochs=epochs, batch_steps=[int(s) for s in steps],
                         batch_losses=[_num(v) for v in losses], layers=layers, final=final,
                         parent=self.parent, change=self.change, interventions=list(self.interventions))


def record_events(design, events: Iterable, **kw) -> RunRecord:
    rec = RunRecorder(design, **{k: kw.pop(k) for k in ("label", "parent", "change") if k in kw})
    for ev in events:
        rec.handle(ev)
    return rec.record(**kw)


# ---------------------------------------------------------------------------------- strict loading

def _expect(doc: dict, key: str, types, path: str, file: str, *, optional_none: bool = False):
    if key not in doc:
        raise RunFileError(f"missing key {key!r}", f"{path}{key}" if not path else f"{path}.{key}", file=file)
    v = doc[key]
    if v is None and optional_none:
        return v
    if isinstance(v, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise RunFileError(f"expected {_tname(types)}, received {v!r}", f"{path}{key}", file=file)
    if not isinstance(v, types):
        shown = repr(v) if len(repr(v)) < 60 else type(v).__name__
        raise RunFileError(f"expected {_tname(types)}, received {shown}", f"{path}{key}", file=file)
    return v


def _tname(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    names = {str: "a string", int: "an integer", float: "a number", dict: "an object", list: "a list"}
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))


def _numbers(v, path: str, file: str) -> list:
    if not isinstance(v, list):
        raise RunFileError(f"expected a list of numbers, received {type(v).__name__}", path, file=file)
    for i, x in enumerate(v):
        if x is not None and (isinstance(x, bool) or not isinstance(x, (int, float))):
            raise RunFileError(f"expected a number or null, received {x!r}"[:120], f"{path}[{i}]", file=file)
    return v


def run_from_dict(doc: Any, file: str = "") -> RunRecord:
    """A RunRecord from parsed JSON, every field checked; RunFileError names the path."""
    if not isinstance(doc, dict):
        raise RunFileError(f"expected a run record (a JSON object), received {type(doc).__name__}", file=file)
    if doc.get("format") != FORMAT:
        raise RunFileError(f"not a run record (format is {doc.get('format')!r}, expected {FORMAT!r})",
                           "format", file=file)
    version = _expect(doc, "version", int, "", file)
    if version > VERSION:
        raise RunFileError(f"written by a newer NetDesigner (run format version {version}, this one "
                           f"reads up to {VERSION})", "version", file=file)
    known = {"format", "version", "id", "label", "created", "design_hash", "reason", "message", "epochs_run",
             "best_epoch", "parent", "change", "final", "epochs", "history", "batch_steps", "batch_losses",
             "layers", "design", "interventions"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise RunFileError(f"unknown key {unknown[0]!r}", unknown[0], file=file)
    rid = _expect(doc, "id", str, "", file)
    if not rid or any(c in rid for c in "/\\\0") or rid.startswith("."):
        raise RunFileError(f"not a valid run id: {rid!r}", "id", file=file)
    history = _expect(doc, "history", dict, "", file)
    for k, v in history.items():
        _numbers(v, f"history.{k}", file)
    layers = _expect(doc, "layers", dict, "", file)
    for nid, s in layers.items():
        if not isinstance(s, dict):
            raise RunFileError("expected an object", f"layers.{nid}", file=file)
        for k, v in s.items():
            if isinstance(v, list):
                _numbers(v, f"layers.{nid}.{k}", file)
    final = _expect(doc, "final", dict, "", file)
    for k, v in final.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise RunFileError(f"expected a number, received {v!r}"[:120], f"final.{k}", file=file)
    design = _expect(doc, "design", dict, "", file)
    from .designfile import from_dict
    try:
        from_dict(copy.deepcopy(design))       # the design must load: it is what a rerun trains
    except DesignFileError as e:
        raise RunFileError(e.reason, f"design.{e.path}" if e.path else "design", file=file) from None
    best = _expect(doc, "best_epoch", int, "", file, optional_none=True)
    return RunRecord(
        id=rid, label=_expect(doc, "label", str, "", file),
        created=float(_expect(doc, "created", (int, float), "", file)),
        design=design, design_hash=_expect(doc, "design_hash", str, "", file),
        reason=_expect(doc, "reason", str, "", file), message=_expect(doc, "message", str, "", file),
        epochs_run=_expect(doc, "epochs_run", int, "", file), best_epoch=best,
        history=history, epochs=_numbers(_expect(doc, "epochs", list, "", file), "epochs", file),
        batch_steps=_numbers(_expect(doc, "batch_steps", list, "", file), "batch_steps", file),
        batch_losses=_numbers(_expect(doc, "batch_losses", list, "", file), "batch_losses", file),
        layers=layers, final=final, parent=_expect(doc, "parent", str, "", file),
        change=_expect(doc, "change", str, "", file), interventions=_interventions(doc, file))


def _interventions(doc: dict, file: str) -> list:
    """The optional list of live changes (core.events.Intervention), each field checked."""
    items = doc.get("interventions", [])
    if not isinstance(items, list):
        raise RunFileError("expected a list", "interventions", file=file)
    for i, it in enumerate(items):
        path = f"interventions[{i}]"
        if not isinstance(it, dict) or set(it) != {"position", "step", "change", "node_id", "value"}:
            raise RunFileError("expected an object with position, step, change, node_id and value", path, file=file)
        _numbers([it["position"], it["value"]], path, file)
        _expect(it, "step", int, path + ".", file)
        _expect(it, "change", str, path + ".", file)
        _expect(it, "node_id", str, path + ".", file)
    return items


def load_run(path: str | os.PathLike) -> RunRecord:
    from .designfile import read_bounded
    path = os.fspath(path)
    try:
        raw = read_bounded(path, MAX_RUN_FILE_BYTES, "run record")
    except DesignFileError as e:
        raise RunFileError(e.reason, file=path) from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise RunFileError("not a text file (expected UTF-8 JSON)", file=path) from None
    except json.JSONDecodeError as e:
        raise RunFileError(f"not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})", file=path) from None
    except RecursionError:
        raise RunFileError("JSON nested too deeply", file=path) from None
    return run_from_dict(doc, path)


def dumps_run(run: RunRecord) -> str:
    return json.dumps(run.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


# ---------------------------------------------------------------------------------- the store

def runs_folder(design_path: str | os.PathLike) -> str:
    return os.fspath(design_path) + RUNS_SUFFIX


class RunStore:
    """The runs of one design: in ``<design>.runs/`` when the design has a file, else in memory
    (an unsaved design; ``attach`` writes them out once it is saved)."""

    def __init__(self, design_path: str | os.PathLike | None = None, max_runs: int = MAX_RUNS):
        self.folder = runs_folder(design_path) if design_path else ""
        self.max_runs = max_runs
        self._memory: dict[str, RunRecord] = {}
        self.problems: list[str] = []

    def attach(self, design_path: str | os.PathLike) -> None:
        pending = list(self._memory.values())
        self.folder, self._memory = runs_folder(design_path), {}
        for run in pending:
            self.add(run)

    def add(self, run: RunRecord) -> RunRecord:
        if not self.folder:
            self._memory[run.id] = run
            self._prune_memory()
            return run
        text = dumps_run(run)
        if len(text.encode("utf-8")) > MAX_RUN_FILE_BYTES:
            raise RunFileError(f"the run record would be {len(text) / 2**20:.1f} MB, more than the "
                               f"{MAX_RUN_FILE_BYTES // 2**20} MB a run may take; it is not kept",
                               file=os.path.join(self.folder, f"{run.id}.json"))
        os.makedirs(self.folder, exist_ok=True)
        atomic_write_text(os.path.join(self.folder, f"{run.id}.json"), text)
        self._prune_files()
        return run

    def remove(self, run_id: str) -> None:
        if not self.folder:
            self._memory.pop(run_id, None)
            return
        try:
            os.unlink(os.path.join(self.folder, f"{os.path.basename(run_id)}.json"))
        except FileNotFoundError:
            pass

    def load_all(self) -> list[RunRecord]:
        """Every run, oldest first; a file that fails to load is skipped and described in
        ``self.problems`` (one line each, naming the file)."""
        self.problems = []
        if not self.folder:
            return sorted(self._memory.values(), key=lambda r: (r.created, r.id))
        runs = []
        for name in self._files():
            try:
                runs.append(load_run(os.path.join(self.folder, name)))
            except RunFileError as e:
                self.problems.append(str(e))
        return sorted(runs, key=lambda r: (r.created, r.id))

    def get(self, run_id: str) -> RunRecord:
        if not self.folder:
            return self._memory[run_id]
        return load_run(os.path.join(self.folder, f"{os.path.basename(run_id)}.json"))

    def _files(self) -> list[str]:
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if n.endswith(".json") and not n.startswith("."))

    def _prune_files(self) -> None:
        names = self._files()       # ids start with a UTC time stamp: name order is age order
        for name in names[:max(0, len(names) - self.max_runs)]:
            try:
                os.unlink(os.path.join(self.folder, name))
            except FileNotFoundError:
                pass

    def _prune_memory(self) -> None:
        ordered = sorted(self._memory.values(), key=lambda r: (r.created, r.id))
        for run in ordered[:max(0, len(ordered) - self.max_runs)]:
            del self._memory[run.id]
