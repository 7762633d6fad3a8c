"""Comparing and varying designs: ``diff_designs`` says what differs between two designs (blocks,
parameters, connections, settings) and ``make_variant`` applies one change to a design —
"Duplicate as variant", the gallery's variants and the diagnosis's fixes.

Kept apart from core/runs.py (the run records and their store) because these work on designs,
not on runs: the run history uses them to label its comparisons, and so do the gallery and the
diagnosis. core.runs re-exports the names, so ``from core.runs import make_variant`` keeps working.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from .errors import DesignFileError


# ---------------------------------------------------------------------------------- differences

@dataclass(frozen=True)
class Difference:
    """kind: "block" (added/removed/type changed), "parameter", "connection", "setting"."""
    kind: str
    where: str
    a: str
    b: str


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    return str(v)


def _flatten(d: Any, prefix: str) -> dict[str, Any]:
    out = {}
    if isinstance(d, dict) and d:
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = d
    return out


def diff_designs(a: dict, b: dict) -> list[Difference]:
    """What differs between two designs (``Design.to_dict()`` form): blocks, their parameters,
    connections and training/data settings. Positions, labels and names are not differences."""
    out: list[Difference] = []
    na = {n["id"]: n for n in a.get("nodes", [])}
    nb = {n["id"]: n for n in b.get("nodes", [])}
    for nid in list(na) + [n for n in nb if n not in na]:
        x, y = na.get(nid), nb.get(nid)
        if x is None or y is None or x["type"] != y["type"]:
            out.append(Difference("block", nid, x["type"] if x else "—", y["type"] if y else "—"))
            continue
        for k in list(x["params"]) + [k for k in y["params"] if k not in x["params"]]:
            if x["params"].get(k) != y["params"].get(k):
                out.append(Difference("parameter", f"{nid}.{k}", _fmt(x["params"].get(k)), _fmt(y["params"].get(k))))
    ea = {(e["source"], e["target"], e.get("port", 0)) for e in a.get("edges", [])}
    eb = {(e["source"], e["target"], e.get("port", 0)) for e in b.get("edges", [])}
    for s, t, p in sorted(ea - eb):
        out.append(Difference("connection", f"{s} → {t}" + (f" (port {p})" if p else ""), "yes", "—"))
    for s, t, p in sorted(eb - ea):
        out.append(Difference("connection", f"{s} → {t}" + (f" (port {p})" if p else ""), "—", "yes"))
    for section in ("training", "data"):
        fa, fb = _flatten(a.get(section, {}), section), _flatten(b.get(section, {}), section)
        for k in list(fa) + [k for k in fb if k not in fa]:
            if fa.get(k) != fb.get(k):
                out.append(Difference("setting", k, _fmt(fa.get(k)), _fmt(fb.get(k))))
    return out


# ---------------------------------------------------------------------------------- variants

def make_variant(design, change: dict):
    """A copy of `design` with one change, validated as a file would be:

    ``{"node": id, "param": name, "value": v}`` sets a block parameter;
    ``{"setting": "training.optimizer.params.learning_rate", "value": v}`` sets a training or data
    setting (a dotted path into those sections). Everything else — seeds, data split — is kept,
    so the variant trains on the same data from the same start as the original.
    Raises DesignFileError / GraphError naming what is wrong.
    """
    from .designfile import from_dict
    doc = design.to_dict() if hasattr(design, "to_dict") else copy.deepcopy(design)
    if not isinstance(change, dict) or "value" not in change:
        raise DesignFileError("a change needs 'value' and either 'node' + 'param' or 'setting'", "change")
    if "node" in change:
        nodes = {n["id"]: n for n in doc["nodes"]}
        node = nodes.get(change["node"])
        if node is None:
            raise DesignFileError(f"no block with id {change['node']!r}", "change.node")
        if change.get("param") not in node["params"]:
            raise DesignFileError(f"block {change['node']!r} ({node['type']}) has no parameter "
                                  f"{change.get('param')!r}; it has {', '.join(node['params']) or 'none'}",
                                  "change.param")
        node["params"][change["param"]] = change["value"]
    elif "setting" in change:
        path = str(change["setting"]).split(".")
        if path[0] not in ("training", "data") or len(path) < 2:
            raise DesignFileError(f"a setting path starts with 'training.' or 'data.'; received "
                                  f"{change['setting']!r}", "change.setting")
        target = doc
        for i, key in enumerate(path[:-1]):
            if not isinstance(target, dict) or key not in target:
                raise DesignFileError(f"no setting {'.'.join(path[:i + 1])!r}", "change.setting")
            target = target[key]
        if not isinstance(target, dict) or (path[-1] not in target and path[-2] != "params"):
            raise DesignFileError(f"no setting {change['setting']!r}", "change.setting")
        target[path[-1]] = change["value"]
        if path == ["training", "optimizer", "name"]:
            # The new optimizer's own defaults, keeping the old settings it also has (the rate).
            from .optimizers import OPTIMIZERS
            try:
                names = set(OPTIMIZERS.get(change["value"]).params.names())
            except KeyError:
                names = set()
            old = doc["training"]["optimizer"].get("params", {})
            doc["training"]["optimizer"]["params"] = {k: v for k, v in old.items() if k in names}
    else:
        raise DesignFileError("a change needs 'node' + 'param' or 'setting'", "change")
    try:
        variant = from_dict(doc)
    except DesignFileError as e:
        raise DesignFileError(e.reason, e.path, file=e.file) from None
    variant.folder = getattr(design, "folder", "")
    problems = variant.graph.check()
    if problems:
        raise problems[0]
    return variant


def describe_change(change: dict) -> str:
    if "node" in change:
        return f"{change['node']}.{change.get('param')} = {_fmt(change.get('value'))}"
    where = str(change.get("setting", "")).removeprefix("training.").replace(".params.", ".")
    return f"{where} = {_fmt(change.get('value'))}"
