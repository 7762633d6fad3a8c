"""Plain-words diagnosis while training, from the statistics the trainer already collects.

Rules over LayerStats (vanishing or exploding gradients, dead ReLUs, saturated sigmoid/tanh) and
over the epoch logs (a loss that diverges or plateaus, a train/validation gap that says
overfitting). Each finding is a `Diagnosis` bound to a block of the design, with a short message
and the fix to try, both in English and Korean (core/diagnosis_texts.json), and the fix as data:
a list of changes in the format of core.runs.make_variant ({"node", "param", "value"} or
{"setting", "value"}; `apply_fix`), so a one-click variant run can apply it.

Thresholds are deliberately coarse — a message should only appear when a learner would see the
problem in the curves too:

* vanishing: a weight layer's mean |∂L/∂w| is below 1/1000 of the last layer's (a sigmoid's
  slope is at most 1/4, so ten sigmoids shrink it by up to 4¹⁰ ≈ 10⁶);
* exploding: a layer's gradient norm above 1000 (or not finite);
* dead ReLU: ≥ 90% of a ReLU-family block's outputs in the flat x ≤ 0 region;
* saturated: ≥ 80% of a sigmoid/tanh block's outputs where its slope is < 10% of its maximum;
  the layer rules fire when two consecutive statistics samples show them (one bad batch is not
  a diagnosis); at initialisation (core.init_check) one sample is enough;
* diverging: the loss is not finite, or grew for two epochs to 1.5× above its lowest value and
  above where it started;
* plateau: after 10 epochs, the last 5 epoch losses lie within 1% of each other while the loss
  is still more than half its first value (and never rose above it);
* overfitting: the validation loss rose 10% above its best (and by a tenth of its first value),
  ≥ 3 epochs after that best, while the training loss kept falling.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field

from .events import EpochEnd, LayerStats, TrainEnd

VANISH_RATIO = 1e-3
EXPLODE_NORM = 1e3
DEAD_FRACTION = 0.9
SATURATED_FRACTION = 0.8
DIVERGE_FACTOR = 1.5
PLATEAU_EPOCHS = 10
PLATEAU_WINDOW = 5
PLATEAU_SPREAD = 0.01
PLATEAU_SHARE = 0.5
OVERFIT_RISE = 1.1
OVERFIT_PATIENCE = 3
OVERFIT_SCALE = 0.1       # ...and by at least a tenth of the first validation loss (tiny losses wobble)

_LAYER_RULES = ("vanishing_gradients", "exploding_gradients", "dead_relu", "saturated")
RULES = ("vanishing_gradients", "exploding_gradients", "dead_relu", "saturated", "diverging",
         "plateau", "overfitting")
_TEXTS_PATH = os.path.join(os.path.dirname(__file__), "diagnosis_texts.json")
_texts: dict | None = None


def texts() -> dict:
    global _texts
    if _texts is None:
        with open(_TEXTS_PATH, encoding="utf-8") as f:
            _texts = json.load(f)
    return _texts


@dataclass(frozen=True)
class Diagnosis:
    rule: str                       # one of RULES
    node_id: str                    # the block the message belongs on
    values: dict = field(default_factory=dict)    # the numbers the message quotes (as text)
    fix: list | None = None         # core.runs.make_variant changes, applied together (apply_fix)
    epoch: int = 0
    step: int = 0

    def message(self, lang: str = "en") -> str:
        return _fill(texts()[self.rule]["message"], lang, self.values, self.node_id)

    def fix_text(self, lang: str = "en") -> str:
        return _fill(texts()[self.rule]["fix"], lang, self.values, self.node_id)


def _fill(entry: dict, lang: str, values: dict, node_id: str) -> str:
    text = entry.get(lang) or entry["en"]
    return text.format(node=node_id, **values)


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "NaN" if math.isnan(x) else "∞"
    return f"{x:.3g}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


class Diagnoser:
    """Feed it every training event (``handle``); it returns the diagnoses each event raises.

    ``current`` holds one Diagnosis per (rule, block), the latest values of each; a rule that
    stops holding is kept (the learner should still see that it happened).
    """

    def __init__(self, design, *, persistence: int = 2):
        self.design = design
        graph = design.graph
        self.types = {nid: n.type for nid, n in graph.nodes.items()}
        self.params = {nid: n.params for nid, n in graph.nodes.items()}
        self.sources = {nid: [e.source for e in graph.input_edges(nid)] for nid in graph.nodes}
        consumers = {e.source for e in graph.edges}
        outs = [nid for nid in graph.nodes if nid not in consumers]
        self.output_node = outs[-1] if outs else ""
        t = design.training
        self.lr = float(t["optimizer"]["params"].get("learning_rate", 0.01))
        self.optimizer = t["optimizer"]["name"]
        self.persistence = max(1, int(persistence))
        self._streak: dict[tuple[str, str], int] = {}
        self.losses: list[float] = []
        self.val_losses: list[float] = []
        self.current: dict[tuple[str, str], Diagnosis] = {}

    # ---- feeding ---------------------------------------------------------------------------------
    def handle(self, ev) -> list[Diagnosis]:
        kind = type(ev)
        if kind is LayerStats:
            found = self.check_layers(ev)
            for key in self._streak:          # a sample without a finding ends its streak
                if key not in {(d.rule, d.node_id) for d in found}:
                    self._streak[key] = 0
            return self._raise(found, ev.epoch, ev.step)
        if kind is EpochEnd:
            self.losses.append(float(ev.logs.get("loss", math.nan)))
            if "val_loss" in ev.logs:
                self.val_losses.append(float(ev.logs["val_loss"]))
            return self._raise(self.check_losses(), ev.epoch, 0)
        if kind is TrainEnd and ev.reason == "diverged":
            first = self.losses[0] if self.losses else math.nan
            d = Diagnosis("diverging", self.output_node, {"first": _num(first), "value": "NaN",
                                                          "lr": _num(self.lr / 10)}, self._lr_fix(self.lr / 10))
            return self._raise([d], max(0, ev.epochs_run - 1), 0, persistent=False)
        return []

    def _raise(self, found: list[Diagnosis], epoch: int, step: int, persistent: bool = True) -> list[Diagnosis]:
        """Record `found`; layer rules need `persistence` consecutive samples (a streak that a
        sample without the finding resets)."""
        new = []
        for d in found:
            key = (d.rule, d.node_id)
            if d.rule in _LAYER_RULES:
                self._streak[key] = self._streak.get(key, 0) + 1
                if persistent and self._streak[key] < self.persistence:
                    continue
            d = Diagnosis(d.rule, d.node_id, d.values, d.fix, epoch, step)
            if key not in self.current:
                new.append(d)
            self.current[key] = d
        return new

    # ---- the rules -----------------------------------------------------------------------------
    def check_layers(self, ev: LayerStats) -> list[Diagnosis]:
        """The layer rules on one statistics sample (stateless)."""
        out: list[Diagnosis] = []
        weights = [s for s in ev.layers if s.kind == "weights"]
        if weights:
            last = weights[-1]
            worst = max(weights, key=lambda s: s.grad_norm if math.isfinite(s.grad_norm) else math.inf)
            if not math.isfinite(worst.grad_norm) or worst.grad_norm > EXPLODE_NORM:
                out.append(Diagnosis("exploding_gradients", worst.node_id, {"value": _num(worst.grad_norm)},
                                     [{"setting": "training.clip_norm", "value": 1.0}]))
            elif last.grad_mean_abs > 0 and math.isfinite(last.grad_mean_abs):
                for s in weights[:-1]:
                    if 0 < s.grad_mean_abs < VANISH_RATIO * last.grad_mean_abs:
                        ratio = last.grad_mean_abs / s.grad_mean_abs
                        fix = None if self.optimizer in ("adam", "adamw") else \
                            [{"setting": "training.optimizer.name", "value": "adam"}]
                        out.append(Diagnosis("vanishing_gradients", s.node_id,
                                             {"ratio": f"{ratio:,.0f}", "last": last.node_id}, fix))
                        break
        for s in ev.layers:
            # The output's own sigmoid/softmax saturating is a confident prediction, not a problem.
            if s.kind != "activation" or s.node_id == self.output_node:
                continue
            source = self._weight_source(s.node_id)
            if s.zero_fraction >= DEAD_FRACTION:
                init = str(self.params.get(source, {}).get("kernel_initializer", "")) if source else ""
                # Every ReLU layer not yet on He: one dead layer's fix alone cannot revive the others
                # (zeros in all of them is the usual cause).
                fix = [{"node": src, "param": "kernel_initializer", "value": "he_normal"}
                       for src in self._relu_sources() if not self._init(src).startswith("he_")] \
                    if source and init and not init.startswith("he_") else self._lr_fix(self.lr / 10)
                out.append(Diagnosis("dead_relu", s.node_id, {"fraction": _pct(s.zero_fraction),
                                                              "source": source or s.node_id}, fix))
            elif s.saturated_fraction >= SATURATED_FRACTION:
                init = str(self.params.get(source, {}).get("kernel_initializer", "")) if source else ""
                fix = [{"node": source, "param": "kernel_initializer", "value": "glorot_uniform"}] \
                    if source and init and not init.startswith("glorot_") else self._lr_fix(self.lr / 10)
                out.append(Diagnosis("saturated", s.node_id, {"fraction": _pct(s.saturated_fraction),
                                                              "source": source or s.node_id}, fix))
        return out

    def check_losses(self) -> list[Diagnosis]:
        """The loss rules on the epoch losses so far (stateless)."""
        out: list[Diagnosis] = []
        losses = self.losses
        if not losses:
            return out
        last, first = losses[-1], losses[0]
        finite = [x for x in losses if math.isfinite(x)]
        if not math.isfinite(last) or (len(losses) >= 3 and losses[-1] > losses[-2] > losses[-3]
                                       and last > DIVERGE_FACTOR * min(finite) and last > first):
            out.append(Diagnosis("diverging", self.output_node,
                                 {"first": _num(first), "value": _num(last), "lr": _num(self.lr / 10)},
                                 self._lr_fix(self.lr / 10)))
            return out
        if len(losses) >= PLATEAU_EPOCHS:
            window = losses[-PLATEAU_WINDOW:]
            mean = sum(window) / len(window)
            # (a loss that once rose above its start is diverging or oscillating, not on a plateau)
            if (mean > 0 and (max(window) - min(window)) / mean < PLATEAU_SPREAD and last > PLATEAU_SHARE * first
                    and max(finite) <= first):
                lr = min(100.0, self.lr * 3)
                out.append(Diagnosis("plateau", self.output_node,
                                     {"value": _num(last), "epochs": str(PLATEAU_WINDOW),
                                      "share": _pct(last / first), "lr": _num(lr)}, self._lr_fix(lr)))
        val = self.val_losses
        if len(val) >= OVERFIT_PATIENCE + 2 and len(val) == len(losses):
            best = min(range(len(val)), key=lambda i: val[i])
            if (len(val) - 1 - best >= OVERFIT_PATIENCE and val[-1] > OVERFIT_RISE * val[best]
                    and val[-1] - val[best] > OVERFIT_SCALE * val[0] and losses[-1] < losses[best]):
                out.append(Diagnosis("overfitting", self.output_node,
                                     {"loss": _num(losses[-1]), "best": _num(val[best]), "val_loss": _num(val[-1])},
                                     [{"setting": "training.early_stopping.enabled", "value": True}]))
        return out

    # ---- helpers -------------------------------------------------------------------------------
    def _weight_source(self, node_id: str) -> str:
        """The block with a kernel that feeds this activation (through shape-only blocks)."""
        seen = set()
        nid = node_id
        while nid not in seen:
            seen.add(nid)
            srcs = self.sources.get(nid, [])
            if len(srcs) != 1:
                return ""
            nid = srcs[0]
            if "kernel_initializer" in self.params.get(nid, {}):
                return nid
            if self.types.get(nid) not in ("Dropout", "Flatten", "Reshape", "BatchNormalization",
                                           "LayerNormalization"):
                return ""
        return ""

    def _init(self, node_id: str) -> str:
        return str(self.params.get(node_id, {}).get("kernel_initializer", ""))

    def _relu_sources(self) -> list[str]:
        """The blocks with kernels that feed a ReLU-family block, in design order."""
        from .stats import RELU_FAMILY
        out = []
        for nid, typ in self.types.items():
            if typ in RELU_FAMILY:
                src = self._weight_source(nid)
                if src and src not in out:
                    out.append(src)
        return out

    @staticmethod
    def _lr_fix(lr: float) -> list:
        return [{"setting": "training.optimizer.params.learning_rate", "value": float(f"{lr:.3g}")}]


def apply_fix(design, fix: list):
    """`design` with every change of a diagnosis's fix (core.runs.make_variant, one after another)."""
    from .runs import make_variant
    for change in fix:
        design = make_variant(design, change)
    return design


def describe_fix(fix: list) -> str:
    from .runs import describe_change
    return "; ".join(describe_change(c) for c in fix)


def diagnose_events(design, events, **kw) -> list[Diagnosis]:
    """All diagnoses of a finished run's events (headless use, tests)."""
    d = Diagnoser(design, **kw)
    for ev in events:
        d.handle(ev)
    return list(d.current.values())
