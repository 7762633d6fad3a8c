"""The concept gallery: experiments from the course, each a set of designs and a claim to check.

``resources/gallery/<slug>/experiment.json`` holds the title and explanation (English and Korean),
the course topic, the variants and the claims::

    {"format": "netdesigner-experiment", "version": 1, "topic": "initializers",
     "title": {"en": ..., "ko": ...}, "explanation": {"en": ..., "ko": ...},
     "variants": [{"name": "he", "label": {"en", "ko"}, "design": "he.json"},
                  {"name": "zeros", "label": {...}, "base": "he",
                   "changes": [{"node": "dense1", "param": "kernel_initializer", "value": "zeros"}]}],
     "claims": [{"a": "he", "quantity": "final:loss", "relation": "<", "b": "zeros", "factor": 0.5,
                 "why": {"en": ..., "ko": ...}}]}

A variant is a design file in the folder or a base variant with changes (core.runs.make_variant),
so variants differ only where they say and train on the same data split from the same seed.
A claim compares a measured quantity of variant ``a`` with variant ``b`` (times ``factor``) or
with a fixed ``value``. Quantities (``measure``):

- ``final:K`` / ``min:K``: the last / smallest value of history key K (loss, val_loss, val_accuracy…)
- ``test:M`` / ``val:M``: metric M (or ``loss``) of the trained net on the test / validation split
- ``gap``: final val_loss − final loss (the train/validation gap)
- ``epochs_run``, ``reason`` (completed, early_stopping, diverged…), ``trainable_params``
- ``grad_ratio``: first weight layer's gradient norm / last's, at the first statistics sample
- ``grad_max``: the largest weight-layer gradient norm at the first statistics sample
- ``weight_norm:N`` / ``sparsity:N``: L2 norm / fraction |w| < 0.01 of node N's kernel
- ``weight_change:N``: max |w_end − w_start| of node N's kernel
- ``batch_roughness``: median |Δ batch loss| / median batch loss (how noisy the steps are)
- ``kfold_std:M`` / ``kfold_mean:M``: spread / mean of metric M over 5 folds
- ``lr_suggested``: the LR range test's suggested learning rate
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .designfile import Design, from_dict, load_design, read_bounded
from .errors import DesignFileError

FORMAT = "netdesigner-experiment"
VERSION = 1
GALLERY_DIR = Path(__file__).resolve().parents[1] / "resources" / "gallery"
TOPICS = ("activations", "initializers", "vanishing and exploding gradients", "normalization", "dropout",
          "L1 and L2", "optimizers", "learning-rate schedules", "LR range test", "early stopping",
          "batch size", "bias and variance", "residual connections", "fine-tuning", "k-fold", "metrics")
RELATIONS = ("<", ">", "==")
_STATS_QUANTITIES = ("grad_ratio", "grad_max")
MAX_EXPERIMENT_BYTES = 1024 * 1024


class ExperimentError(DesignFileError):
    """An experiment folder cannot be read; names the file and JSON path."""


@dataclass
class Variant:
    name: str
    label: dict
    design: Design


@dataclass
class Claim:
    a: str
    quantity: str
    relation: str
    b: str = ""
    value: Any = None
    factor: float = 1.0
    why: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        rhs = f"{self.factor:g} × {self.b}" if self.b and self.factor != 1 else self.b or repr(self.value)
        return f"{self.quantity}({self.a}) {self.relation} " + (f"{self.quantity}({rhs})" if self.b else rhs)


@dataclass
class Experiment:
    slug: str
    folder: Path
    topic: str
    title: dict
    explanation: dict
    variants: list[Variant]
    claims: list[Claim]
    headline: str = "loss"

    def t(self, field_: str, lang: str = "en") -> str:
        d = getattr(self, field_)
        return d.get(lang) or d.get("en", "")

    def variant(self, name: str) -> Variant:
        return next(v for v in self.variants if v.name == name)

    def needs_stats(self) -> bool:
        return any(c.quantity in _STATS_QUANTITIES for c in self.claims)


# ---------------------------------------------------------------------------------- loading

def _text(doc: dict, key: str, file: str, path: str = "") -> dict:
    v = doc.get(key)
    where = f"{path}.{key}" if path else key
    if not isinstance(v, dict) or not isinstance(v.get("en"), str) or not isinstance(v.get("ko"), str) \
            or not v["en"].strip() or not v["ko"].strip() or set(v) - {"en", "ko"}:
        raise ExperimentError("expected {\"en\": text, \"ko\": text}, both non-empty", where, file=file)
    return v


def load_experiment(folder: str | os.PathLike) -> Experiment:
    folder = Path(folder)
    file = str(folder / "experiment.json")
    raw = read_bounded(file, MAX_EXPERIMENT_BYTES, "experiment file")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ExperimentError(f"not valid UTF-8 JSON ({e})", file=file) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExperimentError(f"not an experiment (format must be {FORMAT!r})", "format", file=file)
    if doc.get("version") != VERSION:
        raise ExperimentError(f"unsupported version {doc.get('version')!r} (expected {VERSION})", "version", file=file)
    unknown = set(doc) - {"format", "version", "topic", "title", "explanation", "variants", "claims", "headline"}
    if unknown:
        raise ExperimentError(f"unknown key {sorted(unknown)[0]!r}", sorted(unknown)[0], file=file)
    topic = doc.get("topic")
    if topic not in TOPICS:
        raise ExperimentError(f"unknown topic {topic!r}; known: {', '.join(TOPICS)}", "topic", file=file)
    title, explanation = _text(doc, "title", file), _text(doc, "explanation", file)
    raw_variants = doc.get("variants")
    if not isinstance(raw_variants, list) or len(raw_variants) < 2:
        raise ExperimentError("expected a list of at least two variants", "variants", file=file)
    variants: list[Variant] = []
    for i, rv in enumerate(raw_variants):
        p = f"variants[{i}]"
        if not isinstance(rv, dict) or not isinstance(rv.get("name"), str) or not rv["name"]:
            raise ExperimentError("expected an object with a 'name'", p, file=file)
        if set(rv) - {"name", "label", "design", "base", "changes"}:
            raise ExperimentError(f"unknown key {sorted(set(rv) - {'name', 'label', 'design', 'base', 'changes'})[0]!r}",
                                  p, file=file)
        if any(v.name == rv["name"] for v in variants):
            raise ExperimentError(f"duplicate variant name {rv['name']!r}", f"{p}.name", file=file)
        label = _text(rv, "label", file, p)
        if "design" in rv:
            name = rv["design"]
            if not isinstance(name, str) or os.path.basename(name) != name or not name.endswith(".json"):
                raise ExperimentError(f"expected a design file name in the folder, received {name!r}",
                                      f"{p}.design", file=file)
            design = load_design(folder / name)
        elif "base" in rv:
            base = next((v for v in variants if v.name == rv["base"]), None)
            if base is None:
                raise ExperimentError(f"base {rv['base']!r} is not an earlier variant", f"{p}.base", file=file)
            changes = rv.get("changes")
            if not isinstance(changes, list) or not changes:
                raise ExperimentError("expected a non-empty list of changes", f"{p}.changes", file=file)
            from .runs import make_variant
            design = base.design
            for j, ch in enumerate(changes):
                try:
                    design = make_variant(design, ch)
                except DesignFileError as e:
                    raise ExperimentError(e.reason, f"{p}.changes[{j}]", file=file) from None
                except Exception as e:      # GraphError: the change breaks the graph
                    raise ExperimentError(str(e), f"{p}.changes[{j}]", file=file) from None
        else:
            raise ExperimentError("a variant needs 'design' (a file) or 'base' and 'changes'", p, file=file)
        design.folder = str(folder)
        variants.append(Variant(rv["name"], label, design))
    names = {v.name for v in variants}
    raw_claims = doc.get("claims")
    if not isinstance(raw_claims, list) or not raw_claims:
        raise ExperimentError("expected a non-empty list of claims", "claims", file=file)
    claims = []
    for i, rc in enumerate(raw_claims):
        p = f"claims[{i}]"
        if not isinstance(rc, dict):
            raise ExperimentError("expected an object", p, file=file)
        extra = set(rc) - {"a", "quantity", "relation", "b", "value", "factor", "why"}
        if extra:
            raise ExperimentError(f"unknown key {sorted(extra)[0]!r}", p, file=file)
        if rc.get("a") not in names or ("b" in rc and rc["b"] not in names):
            raise ExperimentError("'a' and 'b' must name variants", p, file=file)
        if ("b" in rc) == ("value" in rc):
            raise ExperimentError("a claim compares with either 'b' (a variant) or 'value'", p, file=file)
        if rc.get("relation") not in RELATIONS:
            raise ExperimentError(f"relation must be one of {', '.join(RELATIONS)}", f"{p}.relation", file=file)
        q = rc.get("quantity")
        if not isinstance(q, str) or q.split(":")[0] not in _QUANTITIES:
            raise ExperimentError(f"unknown quantity {q!r}", f"{p}.quantity", file=file)
        factor = rc.get("factor", 1.0)
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not factor > 0:
            raise ExperimentError("factor must be a positive number", f"{p}.factor", file=file)
        claims.append(Claim(rc["a"], q, rc["relation"], rc.get("b", ""), rc.get("value"), float(factor),
                            _text(rc, "why", file, p)))
    headline = doc.get("headline", "loss")
    if not isinstance(headline, str):
        raise ExperimentError("expected a history key", "headline", file=file)
    return Experiment(folder.name, folder, topic, title, explanation, variants, claims, headline)


def list_experiments(root: str | os.PathLike = GALLERY_DIR) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.iterdir() if (p / "experiment.json").is_file()) if root.is_dir() else []


def load_gallery(root: str | os.PathLike = GALLERY_DIR) -> list[Experiment]:
    return [load_experiment(p) for p in list_experiments(root)]


# ---------------------------------------------------------------------------------- running

@dataclass
class Outcome:
    """One trained variant: the run record, the model (for test metrics) and the events' parts
    the quantities need."""
    variant: str
    record: Any                         # core.runs.RunRecord
    model: Any
    end: Any
    initial_weights: dict
    first_stats: Any = None
    batch_losses: np.ndarray = field(default_factory=lambda: np.zeros(0))
    trainable_params: int = 0
    cache: dict = field(default_factory=dict)


def train_variant(variant: Variant, *, stats: bool = True, on_event=None, trainer_hook=None) -> Outcome:
    """Train one variant headless as its design says; every event goes to ``on_event`` too."""
    from .events import BatchesEnd, LayerStats, TrainBegin, TrainEnd
    from .model import Model
    from .runs import RunRecorder
    model = Model.from_design(variant.design)
    initial = {k: v.copy() for k, v in model.executor.get_weights().items()}
    rec = RunRecorder(variant.design, label=variant.label.get("en", variant.name))
    trainer = model.trainer(collect_stats=stats, stats_budget=math.inf)
    if trainer_hook is not None:
        trainer_hook(trainer)
    first_stats, losses, end, trainable = None, [], None, 0
    for ev in trainer.run():
        rec.handle(ev)
        if on_event is not None:
            on_event(ev)
        kind = type(ev)
        if kind is BatchesEnd:
            losses.append(ev.losses)
        elif kind is LayerStats and first_stats is None:
            first_stats = ev
        elif kind is TrainBegin:
            trainable = ev.trainable_params
        elif kind is TrainEnd:
            end = ev
    model.trained_epochs += end.epochs_run
    extra = {}
    if model.data is not None and model.data.X_test is not None and len(model.data.X_test):
        extra = {f"test_{k}": v for k, v in model.evaluate("test").items()}
    record = rec.record(final_extra=extra)
    return Outcome(variant.name, record, model, end, initial, first_stats,
                   np.concatenate(losses) if losses else np.zeros(0), trainable)


def run_experiment(exp: Experiment, on_event=None) -> dict[str, Outcome]:
    stats = exp.needs_stats()
    return {v.name: train_variant(v, stats=stats, on_event=on_event) for v in exp.variants}


# ---------------------------------------------------------------------------------- measuring

def _kernel(o: Outcome, node: str, weights: dict) -> np.ndarray:
    key = f"{node}/kernel"
    if key not in weights:
        raise KeyError(f"no weights {key!r} in variant {o.variant!r}")
    return np.asarray(weights[key], np.float64)


def _first_last_grad(o: Outcome) -> tuple[float, float, float]:
    if o.first_stats is None:
        raise ValueError(f"variant {o.variant!r} has no statistics sample")
    order = o.model.design.graph.topological_order()
    norms = {s.node_id: s.grad_norm for s in o.first_stats.layers if s.kind == "weights"}
    dense = [n for n in order if n in norms]
    return norms[dense[0]], norms[dense[-1]], max(norms.values())


def _kfold(o: Outcome, metric: str) -> tuple[float, float]:
    if "kfold" not in o.cache:
        from .kfold import kfold
        o.cache["kfold"] = kfold(o.model.design, 5, seed=o.model.design.data["seed"], metrics=[metric])
    res = o.cache["kfold"]
    return res.mean[metric], res.std[metric]


def _lr_suggested(o: Outcome) -> float:
    from .lr_finder import lr_range_test
    from .model import Model
    fresh = Model.from_design(o.model.design)
    return lr_range_test(fresh, 1e-5, 10.0, 200)[2]


def _history(o, key, pick):
    vals = [v for v in o.end.history.get(key, []) if v is not None and math.isfinite(v)]
    if not vals:
        raise KeyError(f"variant {o.variant!r} has no {key!r} history")
    return pick(vals)


_QUANTITIES = {
    "final": lambda o, k: _history(o, k, lambda v: v[-1]),
    "min": lambda o, k: _history(o, k, min),
    "test": lambda o, k: o.model.evaluate("test", [] if k == "loss" else [k])[k],
    "val": lambda o, k: o.model.evaluate("val", [] if k == "loss" else [k])[k],
    "gap": lambda o, _k: _history(o, "val_loss", lambda v: v[-1]) - _history(o, "loss", lambda v: v[-1]),
    "epochs_run": lambda o, _k: o.end.epochs_run,
    "reason": lambda o, _k: o.end.reason,
    "trainable_params": lambda o, _k: o.trainable_params,
    "grad_ratio": lambda o, _k: (lambda f: f[0] / f[1])(_first_last_grad(o)),
    "grad_max": lambda o, _k: _first_last_grad(o)[2],
    "weight_norm": lambda o, k: float(np.linalg.norm(_kernel(o, k, o.model.executor.get_weights()))),
    "sparsity": lambda o, k: float(np.mean(np.abs(_kernel(o, k, o.model.executor.get_weights())) < 0.01)),
    "weight_change": lambda o, k: float(np.max(np.abs(_kernel(o, k, o.model.executor.get_weights())
                                                      - _kernel(o, k, o.initial_weights)))),
    "batch_roughness": lambda o, _k: float(np.median(np.abs(np.diff(o.batch_losses)))
                                           / np.median(o.batch_losses)),
    "kfold_std": lambda o, k: _kfold(o, k)[1],
    "kfold_mean": lambda o, k: _kfold(o, k)[0],
    "lr_suggested": lambda o, _k: _lr_suggested(o),
}


def measure(quantity: str, outcome: Outcome):
    name, _, key = quantity.partition(":")
    memo = outcome.cache.setdefault("measured", {})
    if quantity not in memo:
        memo[quantity] = _QUANTITIES[name](outcome, key)
    return memo[quantity]


@dataclass
class ClaimResult:
    claim: Claim
    a_value: Any
    b_value: Any
    holds: bool

    def describe(self) -> str:
        fmt = (lambda v: f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v))
        c = self.claim
        rhs = f"{c.factor:g} × {fmt(self.b_value)}" if c.b and c.factor != 1 else fmt(self.b_value)
        return (f"{c.quantity}: {c.a} = {fmt(self.a_value)} {c.relation} "
                f"{(c.b + ' → ') if c.b else ''}{rhs}  [{'holds' if self.holds else 'FAILS'}]")


def check_claims(exp: Experiment, outcomes: dict[str, Outcome]) -> list[ClaimResult]:
    out = []
    for c in exp.claims:
        a = measure(c.quantity, outcomes[c.a])
        b = measure(c.quantity, outcomes[c.b]) if c.b else c.value
        if c.relation == "==":
            holds = a == b
        else:
            rhs = b * c.factor if c.b else b
            try:
                holds = bool(a < rhs) if c.relation == "<" else bool(a > rhs)
            except TypeError:
                holds = False
            if isinstance(a, float) and math.isnan(a):
                holds = False
        out.append(ClaimResult(c, a, b, holds))
    return out
