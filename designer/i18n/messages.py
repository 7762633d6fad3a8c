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

# core's errors about files: a design file (core/designfile.py), a data file (core/dataio.py,
# core/npyio.py), a weights file (core/weights.py, core/export.py, core/npyheader.py) and the guard
# they share (core/fileguard.py). Each is "<where>: <reason>"; the reason is matched here, the
# place is kept as core wrote it (a file name must never be changed). A group named `inner` is
# itself a core message and is translated in turn.
FILE_PATTERNS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p + r"\Z"), t) for p, t in (
    # core/fileguard.py, core/designfile.py read_bounded
    (r"file not found",
     QT_TRANSLATE_NOOP("CoreMessages", "file not found")),
    (r"is a folder, not a file",
     QT_TRANSLATE_NOOP("CoreMessages", "is a folder, not a file")),
    (r"is a folder, not a design file",
     QT_TRANSLATE_NOOP("CoreMessages", "is a folder, not a design file")),
    (r"is (?P<kind>.+), not a regular file; it is not read",
     QT_TRANSLATE_NOOP("CoreMessages", "is {kind}, not a regular file; it is not read")),
    (r"is (?P<kind>a FIFO \(named pipe\)|a device|a socket|not a regular file), not a design file",
     QT_TRANSLATE_NOOP("CoreMessages", "is {kind}, not a design file")),
    (r"cannot read the file \(No such file or directory\)",
     QT_TRANSLATE_NOOP("CoreMessages", "cannot read the file (No such file or directory)")),
    (r"cannot read the file \(Permission denied\)",
     QT_TRANSLATE_NOOP("CoreMessages", "cannot read the file (Permission denied)")),
    (r"cannot read the file \((?P<detail>.+)\)",
     QT_TRANSLATE_NOOP("CoreMessages", "cannot read the file ({detail})")),
    (r"is (?P<size>\S+ \S+); a design file may be at most (?P<limit>\S+ \S+)",
     QT_TRANSLATE_NOOP("CoreMessages", "is {size}; a design file may be at most {limit}")),
    (r"is larger than (?P<limit>\S+ \S+), the most a design file may be",
     QT_TRANSLATE_NOOP("CoreMessages", "is larger than {limit}, the most a design file may be")),
    # core/designfile.py: the document
    (r"not a text file \(expected UTF-8 JSON\)",
     QT_TRANSLATE_NOOP("CoreMessages", "not a text file (expected UTF-8 JSON)")),
    (r"not valid JSON: (?P<detail>.+) \(line (?P<line>\d+), column (?P<column>\d+)\)",
     QT_TRANSLATE_NOOP("CoreMessages", "not valid JSON: {detail} (line {line}, column {column})")),
    (r"not a NetDesigner design \(format is (?P<found>.+), expected (?P<expected>.+)\)",
     QT_TRANSLATE_NOOP("CoreMessages", "not a NetDesigner design (format is {found}, expected {expected})")),
    (r"expected a positive integer version, received (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "expected a positive integer version, received {value}")),
    (r"this design was saved by a newer NetDesigner \(format version (?P<version>\d+); "
     r"this one reads up to (?P<latest>\d+)\)",
     QT_TRANSLATE_NOOP("CoreMessages", "this design was saved by a newer NetDesigner (format version "
                                       "{version}; this one reads up to {latest})")),
    (r"unknown key (?P<key>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "unknown key {key}")),
    (r"expected text",
     QT_TRANSLATE_NOOP("CoreMessages", "expected text")),
    (r"expected a list, received (?P<type>\w+)",
     QT_TRANSLATE_NOOP("CoreMessages", "expected a list, received {type}")),
    (r"expected an object, received (?P<value>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "expected an object, received {value}")),
    (r"missing parameter (?P<name>.+) of (?P<type>\w+)",
     QT_TRANSLATE_NOOP("CoreMessages", "missing parameter {name} of {type}")),
    (r"duplicate node id (?P<id>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "duplicate node id {id}")),
    (r"dangling edge: no node (?P<id>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "dangling edge: no node {id}")),
    # core/dataio.py: a CSV file
    (r"the file is empty",
     QT_TRANSLATE_NOOP("CoreMessages", "the file is empty")),
    (r"holds NUL bytes; not a text \(CSV\) file",
     QT_TRANSLATE_NOOP("CoreMessages", "holds NUL bytes; not a text (CSV) file")),
    (r"not a (?P<encoding>.+) text file; choose its encoding in the data options \(e\.g\. cp1252 for "
     r"Windows files\)",
     QT_TRANSLATE_NOOP("CoreMessages", "not a {encoding} text file; choose its encoding in the data options "
                                       "(e.g. cp1252 for Windows files)")),
    (r"not a (?P<encoding>.+) text file; choose the file's encoding in the data options",
     QT_TRANSLATE_NOOP("CoreMessages", "not a {encoding} text file; choose the file's encoding in the data "
                                       "options")),
    (r"unknown encoding (?P<encoding>.+); e\.g\. utf-8, cp1252, latin-1, utf-16",
     QT_TRANSLATE_NOOP("CoreMessages", "unknown encoding {encoding}; e.g. utf-8, cp1252, latin-1, utf-16")),
    (r"(?P<value>(?:(?!: ).)+) is not a number \(only the ASCII digits 0-9 are read as numbers\)",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (only the ASCII digits 0-9 are read as numbers)")),
    (r"(?P<value>(?:(?!: ).)+) is not a number \(digit separators such as '_' are not read; write 1000, not 1_000\)",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (digit separators such as '_' are not read; "
                                       "write 1000, not 1_000)")),
    (r"(?P<value>(?:(?!: ).)+) is not a number \(the decimal mark is set to ','; a '\.' is not read, not even as a "
     r"thousands separator\)",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (the decimal mark is set to ','; a '.' is not "
                                       "read, not even as a thousands separator)")),
    (r"(?P<value>(?:(?!: ).)+) is not a number \(a decimal comma\? choose decimal ',' in the data options\)",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (a decimal comma? choose decimal ',' in the "
                                       "data options)")),
    (r"(?P<value>(?:(?!: ).)+) is not a number \(a feature must be numeric; leave this column out of the features or "
     r"make it the target\)",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (a feature must be numeric; leave this column "
                                       "out of the features or make it the target)")),
    (r"(?P<value>(?:(?!: ).)+) is not a finite number",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a finite number")),
    (r"(?P<value>(?:(?!: ).)+) is beyond float32's range \(±(?P<limit>\S+)\); training would overflow\. Rescale the "
     r"column \(e\.g\. log or smaller units\) before loading",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is beyond float32's range (±{limit}); training would overflow. "
                                       "Rescale the column (e.g. log or smaller units) before loading")),
    (r"missing value; choose missing='drop' to leave such rows out or missing='mean' to fill in the "
     r"column mean",
     QT_TRANSLATE_NOOP("CoreMessages", "missing value; choose missing='drop' to leave such rows out or "
                                       "missing='mean' to fill in the column mean")),
    (r"the target is missing; choose missing='drop' to leave such rows out",
     QT_TRANSLATE_NOOP("CoreMessages", "the target is missing; choose missing='drop' to leave such rows out")),
    (r"the target is missing \(a target is never imputed; use missing='drop'\)",
     QT_TRANSLATE_NOOP("CoreMessages", "the target is missing (a target is never imputed; use missing='drop')")),
    (r"every value is missing; there is no mean to fill in",
     QT_TRANSLATE_NOOP("CoreMessages", "every value is missing; there is no mean to fill in")),
    (r"(?P<count>\d+) fields where the header has (?P<expected>\d+) \(delimiter (?P<delimiter>.+)\) "
     r"— a ragged row",
     QT_TRANSLATE_NOOP("CoreMessages", "{count} fields where the header has {expected} (delimiter "
                                       "{delimiter}) — a ragged row")),
    (r"(?P<count>\d+) fields where the first row has (?P<expected>\d+) \(delimiter (?P<delimiter>.+)\) "
     r"— a ragged row",
     QT_TRANSLATE_NOOP("CoreMessages", "{count} fields where the first row has {expected} (delimiter "
                                       "{delimiter}) — a ragged row")),
    (r"no column named (?P<name>.+) for the target; columns: (?P<columns>.*)",
     QT_TRANSLATE_NOOP("CoreMessages", "no column named {name} for the target; columns: {columns}")),
    (r"no column named (?P<name>.+) for the feature; columns: (?P<columns>.*)",
     QT_TRANSLATE_NOOP("CoreMessages", "no column named {name} for the feature; columns: {columns}")),
    (r"no data rows",
     QT_TRANSLATE_NOOP("CoreMessages", "no data rows")),
    (r"no data rows \((?P<count>\d+) rows dropped for missing values\)",
     QT_TRANSLATE_NOOP("CoreMessages", "no data rows ({count} rows dropped for missing values)")),
    (r"no target column chosen",
     QT_TRANSLATE_NOOP("CoreMessages", "no target column chosen")),
    (r"no feature columns \(the file has (?P<count>\d+) column\(s\)\)",
     QT_TRANSLATE_NOOP("CoreMessages", "no feature columns (the file has {count} column(s))")),
    # core/npyio.py: a NumPy file
    (r"holds Python objects \(pickled data\), which are never loaded; save plain numeric arrays",
     QT_TRANSLATE_NOOP("CoreMessages", "holds Python objects (pickled data), which are never loaded; save "
                                       "plain numeric arrays")),
    (r"not a readable NumPy file \((?P<detail>.+)\)",
     QT_TRANSLATE_NOOP("CoreMessages", "not a readable NumPy file ({detail})")),
    (r"no samples",
     QT_TRANSLATE_NOOP("CoreMessages", "no samples")),
    # weights: core/weights.py, core/export.py, core/npyheader.py
    (r"the weights do not fit this design",
     QT_TRANSLATE_NOOP("CoreMessages", "the weights do not fit this design")),
    (r"missing (?P<name>\S+) (?P<shape>\(.*\))",
     QT_TRANSLATE_NOOP("CoreMessages", "missing {name} {shape}")),
    (r"(?P<name>\S+): file has shape (?P<found>\(.*\)), design needs (?P<needed>\(.*\))",
     QT_TRANSLATE_NOOP("CoreMessages", "{name}: file has shape {found}, design needs {needed}")),
    (r"unexpected (?P<name>\S+) (?P<shape>\(.*\))",
     QT_TRANSLATE_NOOP("CoreMessages", "unexpected {name} {shape}")),
    (r"is a single \.npy array, not a \.npz archive \(rename it to \.npy, or save with numpy\.savez\)",
     QT_TRANSLATE_NOOP("CoreMessages", "is a single .npy array, not a .npz archive (rename it to .npy, or "
                                       "save with numpy.savez)")),
    (r"not a \.npz archive \(it is not a zip file\)",
     QT_TRANSLATE_NOOP("CoreMessages", "not a .npz archive (it is not a zip file)")),
    (r"not a readable \.npz archive \((?P<detail>.+)\)",
     QT_TRANSLATE_NOOP("CoreMessages", "not a readable .npz archive ({detail})")),
    (r"entry (?P<name>.+) would expand from (?P<packed>[\d,]+) to (?P<size>[\d,]+) bytes "
     r"\(over (?P<ratio>\d+)×\): refused as a zip bomb",
     QT_TRANSLATE_NOOP("CoreMessages", "entry {name} would expand from {packed} to {size} bytes (over "
                                       "{ratio}×): refused as a zip bomb")),
    (r"(?P<name>(?:(?!: ).)+) holds (?P<dtype>\w+) values, expected floating point",
     QT_TRANSLATE_NOOP("CoreMessages", "{name} holds {dtype} values, expected floating point")),
    (r"the metadata entry is not valid JSON",
     QT_TRANSLATE_NOOP("CoreMessages", "the metadata entry is not valid JSON")),
    (r"the metadata entry is not a JSON object",
     QT_TRANSLATE_NOOP("CoreMessages", "the metadata entry is not a JSON object")),
    (r"metadata field (?P<field>'.*?'): (?P<inner>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "metadata field {field}: {inner}")),
    (r"ONNX files are an export format only; import \.npz or \.safetensors weights",
     QT_TRANSLATE_NOOP("CoreMessages", "ONNX files are an export format only; import .npz or .safetensors "
                                       "weights")),
    (r"cannot tell the format from the extension (?P<ext>.+); use \.npz, \.safetensors, \.onnx or \.py "
     r"\(or give the format\)",
     QT_TRANSLATE_NOOP("CoreMessages", "cannot tell the format from the extension {ext}; use .npz, "
                                       ".safetensors, .onnx or .py (or give the format)")),
    # core/preflight.py wraps a load error
    (r"the data cannot be loaded: (?P<inner>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "the data cannot be loaded: {inner}")),
))

# Where a file error happened, as core/errors.py (DesignFileError) and core/dataio.py (_where) write it.
LOCATIONS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p + r"\Z"), t) for p, t in (
    (r"file (?P<file>.+), at (?P<path>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "file {file}, at {path}")),
    (r"file (?P<file>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "file {file}")),
    (r"at (?P<path>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "at {path}")),
    (r"(?P<file>.+), row (?P<row>\d+), column (?P<column>'.*?')(?P<index> \(X\[\d+, \d+\]\))?",
     QT_TRANSLATE_NOOP("CoreMessages", "{file}, row {row}, column {column}{index}")),
    (r"(?P<file>.+), row (?P<row>\d+)(?P<index> \(y\[\d+\]\))?",
     QT_TRANSLATE_NOOP("CoreMessages", "{file}, row {row}{index}")),
    (r"(?P<file>.+), column (?P<column>'.*?')",
     QT_TRANSLATE_NOOP("CoreMessages", "{file}, column {column}")),
))
NODE_PREFIX = QT_TRANSLATE_NOOP("CoreMessages", "Node {name}: {reason}")


def translate_reason(reason: str) -> str:
    """One of core's English messages in the UI's language (itself where no pattern fits).

    A whole reason is matched first; else a file error's "<where>: <reason>" (the place may be a
    bare file name, so every ": " is tried from the left); a multi-line message (a weights file's
    list of mismatches) line by line."""
    if current_language() == "en" or not reason:
        return reason
    if "\n" in reason:
        return "\n".join(_indented(line) for line in reason.split("\n"))
    whole = _translate_whole(reason, PATTERNS + FILE_PATTERNS)
    if whole is not None:
        return whole
    start = 0
    while (cut := reason.find(": ", start)) > 0:
        local = _translate_whole(reason[cut + 2:], PATTERNS + FILE_PATTERNS)
        if local is not None:
            where = _translate_whole(reason[:cut], LOCATIONS) or reason[:cut]
            return f"{where}: {local}"
        start = cut + 1
    return reason


def _indented(line: str) -> str:
    body = line.lstrip(" ")
    return line[:len(line) - len(body)] + translate_reason(body)


def _translate_whole(text: str, patterns) -> str | None:
    for pattern, template in patterns:
        m = pattern.match(text)
        if m:
            values = {k: (v or "") for k, v in m.groupdict().items()}
            if "inner" in values:
                values["inner"] = translate_reason(values["inner"])
            local = QCoreApplication.translate(CONTEXT, template)
            try:
                return local.format(**values)
            except (KeyError, IndexError, ValueError):   # a translation that lost a placeholder
                return None
    return None


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
