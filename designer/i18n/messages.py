"""core's error messages in the UI's language.

core writes its errors in English (the command line prints them, and core never imports Qt).
The ones a learner meets in the window — a design's problems, a refused connection, a parameter
out of range — are matched here against patterns and re-worded through Qt's translator
(context ``CoreMessages``), so they are translated and checked in the same ``.ts`` as the rest.
A message that matches no pattern is shown as core wrote it.
"""
from __future__ import annotations

import copy
import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from . import current_language

CONTEXT = "CoreMessages"

# (pattern matched against the whole reason, template with the pattern's named groups)
PATTERNS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p + r"\Z"), t) for p, t in (
    (r"the design has no Input node",
     QT_TRANSLATE_NOOP("CoreMessages", "the design has no Input node")),
    (r"input port (?P<port>\d+) is not connected",
     QT_TRANSLATE_NOOP("CoreMessages", "input port {port} is not connected")),
    (r"input port (?P<port>\d+) is connected twice to (?P<source>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "input port {port} is connected twice to {source}")),
    (r"input port (?P<port>\d+) is already connected to (?P<source>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "input port {port} is already connected to {source}")),
    (r"output is not connected to anything \(the design needs exactly one output\)",
     QT_TRANSLATE_NOOP("CoreMessages",
                       "output is not connected to anything (the design needs exactly one output)")),
    (r"the design needs exactly one output \(a node feeding nothing\); found (?P<count>\d+): (?P<nodes>.*)",
     QT_TRANSLATE_NOOP("CoreMessages",
                       "the design needs exactly one output (a node feeding nothing); found {count}: {nodes}")),
    (r"has no input port (?P<port>\d+) \(it has (?P<count>\d+)\)",
     QT_TRANSLATE_NOOP("CoreMessages", "has no input port {port} (it has {count})")),
    (r"connecting from (?P<source>.+) would create a cycle",
     QT_TRANSLATE_NOOP("CoreMessages", "connecting from {source} would create a cycle")),
    (r"a node with this id already exists",
     QT_TRANSLATE_NOOP("CoreMessages", "a node with this id already exists")),
    (r"unknown block type (?P<type>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "unknown block type {type}")),
    (r"(?P<block>\w+) expects a flat input \(features,\)\. Received shape (?P<shape>.+); "
     r"insert a Flatten block before it\.",
     QT_TRANSLATE_NOOP("CoreMessages", "{block} expects a flat input (features,). Received shape "
                                       "{shape}; insert a Flatten block before it.")),
    (r"Add expects inputs of one shape\. Received (?P<first>.+) on port 0 and (?P<other>.+) on port (?P<port>\d+)",
     QT_TRANSLATE_NOOP("CoreMessages", "Add expects inputs of one shape. Received {first} on port 0 "
                                       "and {other} on port {port}")),
    (r"RReLU expects lower <= upper\. Received lower=(?P<lower>.+), upper=(?P<upper>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "RReLU expects lower <= upper. Received lower={lower}, upper={upper}")),
    # Param.validate (core/params.py); a block's errors are prefixed with its type
    (r"(?P<block>\w+ )?expects an integer `(?P<name>\w+)`\. Received: (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{block}expects an integer `{name}`. Received: {value}")),
    (r"(?P<block>\w+ )?expects a number `(?P<name>\w+)`\. Received: (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{block}expects a number `{name}`. Received: {value}")),
    (r"(?P<block>\w+ )?expects a finite number `(?P<name>\w+)`\. Received: (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{block}expects a finite number `{name}`. Received: {value}")),
    (r"(?P<block>\w+ )?expects true or false for `(?P<name>\w+)`\. Received: (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{block}expects true or false for `{name}`. Received: {value}")),
    (r"(?P<block>\w+ )?expects `(?P<name>\w+)` (?P<op>>=|>) (?P<bound>\S+)\. Received: (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{block}expects `{name}` {op} {bound}. Received: {value}")),
    (r"(?P<block>\w+ )?expects `(?P<name>\w+)` <= (?P<bound>\S+)\. Received: (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{block}expects `{name}` <= {bound}. Received: {value}")),
    (r"(?P<block>\w+ )?`(?P<name>\w+)` must be one of (?P<options>.+)\. Received: (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{block}`{name}` must be one of {options}. Received: {value}")),
    (r"(?P<block>\w+ )?expects `(?P<name>\w+)` as a list of positive integers\. Received: (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{block}expects `{name}` as a list of positive integers. Received: {value}")),
    # how a training run ended (core/trainer.py, core/callbacks.py), shown by the dashboard
    (r"Trained (?P<epochs>\d+) epochs\.",
     QT_TRANSLATE_NOOP("CoreMessages", "Trained {epochs} epochs.")),
    (r"Stopped by request during epoch (?P<epoch>\d+)\.",
     QT_TRANSLATE_NOOP("CoreMessages", "Stopped by request during epoch {epoch}.")),
    (r"Early stopping: (?P<monitor>\S+) did not improve for (?P<wait>\d+) epochs?; best (?P<best>\S+) "
     r"at epoch (?P<epoch>\d+) \(weights restored from epoch (?P<restored>\d+), the best\)",
     QT_TRANSLATE_NOOP("CoreMessages", "Early stopping: {monitor} did not improve for {wait} epoch(s); "
                                       "best {best} at epoch {epoch} (weights restored from epoch {restored}, the best)")),
    (r"Early stopping: (?P<monitor>\S+) did not improve for (?P<wait>\d+) epochs?; best (?P<best>\S+) "
     r"at epoch (?P<epoch>\d+)",
     QT_TRANSLATE_NOOP("CoreMessages", "Early stopping: {monitor} did not improve for {wait} epoch(s); "
                                       "best {best} at epoch {epoch}")),
    (r"Training diverged at epoch (?P<epoch>\d+), batch (?P<batch>\d+): the loss, a gradient or the update "
     r"became NaN or infinite \(learning rate (?P<lr>\S+)\)\. Stopped before that update: the weights are "
     r"those after the last good batch\. Try a smaller learning rate or gradient clipping\.",
     QT_TRANSLATE_NOOP("CoreMessages", "Training diverged at epoch {epoch}, batch {batch}: the loss, a gradient or "
                                       "the update became NaN or infinite (learning rate {lr}). Stopped before that "
                                       "update: the weights are those after the last good batch. Try a smaller "
                                       "learning rate or gradient clipping.")),
    (r"Training diverged at epoch (?P<epoch>\d+), batch (?P<batch>\d+): the loss, a gradient or the update "
     r"became NaN or infinite \(learning rate (?P<lr>\S+)\)\. Stopped before that update: the weights are "
     r"the initial ones\. Try a smaller learning rate or gradient clipping\.",
     QT_TRANSLATE_NOOP("CoreMessages", "Training diverged at epoch {epoch}, batch {batch}: the loss, a gradient or "
                                       "the update became NaN or infinite (learning rate {lr}). Stopped before that "
                                       "update: the weights are the initial ones. Try a smaller learning rate or "
                                       "gradient clipping.")),
))
NODE_PREFIX = QT_TRANSLATE_NOOP("CoreMessages", "Node {name}: {reason}")


def translate_reason(reason: str) -> str:
    """One of core's English reasons in the UI's language (itself where no pattern fits)."""
    if current_language() == "en" or not reason:
        return reason
    for pattern, template in PATTERNS:
        m = pattern.match(reason)
        if m:
            values = {k: (v or "") for k, v in m.groupdict().items()}
            text = QCoreApplication.translate(CONTEXT, template)
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):   # a translation that lost a placeholder
                return reason
    return reason


def localize_error(err):
    """A copy of a core GraphError whose reason and message are in the UI's language."""
    reason = getattr(err, "reason", None)
    if current_language() == "en" or not isinstance(reason, str):
        return err
    local = translate_reason(reason)
    if local == reason:
        return err
    out = copy.copy(err)
    out.reason = local
    node_id = getattr(err, "node_id", None)
    if node_id is None:
        out.args = (local,)
    else:
        label = getattr(err, "label", None)
        name = f"'{node_id}'" + (f" ({label})" if label and label != node_id else "")
        out.args = (QCoreApplication.translate(CONTEXT, NODE_PREFIX).format(name=name, reason=local),)
    return out
