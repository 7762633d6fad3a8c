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


def _entry(template: str, optional: tuple[str, ...] = (), **groups: str) -> tuple[str, str]:
    """(pattern, template) for a message whose pattern is the template's own text: each ``{name}``
    a named group matching ``.+`` unless `groups` gives its pattern, a name in `optional` may be
    absent. Writing the text once keeps the pattern and the translated template from drifting."""
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(re.sub(r"([.()\[\]{}?*+|^$\\])", r"\\\1", part) if i % 2 == 0 else
                      f"(?P<{part}>{groups.get(part, '.+')})" + ("?" if part in optional else "")
                      for i, part in enumerate(parts))
    return pattern, template


def _compiled(entries) -> tuple[tuple[re.Pattern, str], ...]:
    """Each (pattern, template), the pattern compiled to match a whole reason."""
    return tuple((re.compile(p + r"\Z"), t) for p, t in entries)


# (pattern matched against the whole reason, template with the pattern's named groups): an
# _entry where the template's text is the pattern, a literal pair where they differ.
PATTERNS: tuple[tuple[re.Pattern, str], ...] = _compiled((
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the design has no Input node")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "input port {port} is not connected"), port=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "input port {port} is connected twice to {source}"), port=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "input port {port} is already connected to {source}"), port=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "output is not connected to anything (the design needs exactly one "
                                             "output)")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the design needs exactly one output (a node feeding nothing); found "
                                             "{count}: {nodes}"), count=r"\d+", nodes=".*"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "has no input port {port} (it has {count})"), port=r"\d+", count=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "connecting from {source} would create a cycle")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "a node with this id already exists")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "unknown block type {type}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block} expects a flat input (features,). Received shape {shape}; "
                                             "insert a Flatten block before it."), block=r"\w+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "Add expects inputs of one shape. Received {first} on port 0 and "
                                             "{other} on port {port}"), port=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "RReLU expects lower <= upper. Received lower={lower}, upper={upper}")),
    # Param.validate (core/params.py); a block's errors are prefixed with its type
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block}expects an integer `{name}`. Received: {value}"),
           block=r"\w+ ", name=r"\w+", optional=("block",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block}expects a number `{name}`. Received: {value}"),
           block=r"\w+ ", name=r"\w+", optional=("block",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block}expects a finite number `{name}`. Received: {value}"),
           block=r"\w+ ", name=r"\w+", optional=("block",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block}expects true or false for `{name}`. Received: {value}"),
           block=r"\w+ ", name=r"\w+", optional=("block",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block}expects `{name}` {op} {bound}. Received: {value}"),
           block=r"\w+ ", name=r"\w+", op=">=|>", bound=r"\S+", optional=("block",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block}expects `{name}` <= {bound}. Received: {value}"),
           block=r"\w+ ", name=r"\w+", bound=r"\S+", optional=("block",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block}`{name}` must be one of {options}. Received: {value}"),
           block=r"\w+ ", name=r"\w+", optional=("block",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{block}expects `{name}` as a list of positive integers. Received: "
                                             "{value}"), block=r"\w+ ", name=r"\w+", optional=("block",)),
    # how a training run ended (core/trainer.py, core/callbacks.py), shown by the dashboard
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "Trained {epochs} epochs."), epochs=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "Stopped by request during epoch {epoch}."), epoch=r"\d+"),
    (r"Early stopping: (?P<monitor>\S+) did not improve for (?P<wait>\d+) epochs?; best (?P<best>\S+) "
     r"at epoch (?P<epoch>\d+) \(weights restored from epoch (?P<restored>\d+), the best\)",
     QT_TRANSLATE_NOOP("CoreMessages", "Early stopping: {monitor} did not improve for {wait} epoch(s); "
                                       "best {best} at epoch {epoch} (weights restored from epoch {restored}, the best)")),
    (r"Early stopping: (?P<monitor>\S+) did not improve for (?P<wait>\d+) epochs?; best (?P<best>\S+) "
     r"at epoch (?P<epoch>\d+)",
     QT_TRANSLATE_NOOP("CoreMessages", "Early stopping: {monitor} did not improve for {wait} epoch(s); "
                                       "best {best} at epoch {epoch}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "Training diverged at epoch {epoch}, batch {batch}: the loss, a "
                                             "gradient or the update became NaN or infinite (learning rate {lr}). "
                                             "Stopped before that update: the weights are those after the last good "
                                             "batch. Try a smaller learning rate or gradient clipping."),
           epoch=r"\d+", batch=r"\d+", lr=r"\S+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "Training diverged at epoch {epoch}, batch {batch}: the loss, a "
                                             "gradient or the update became NaN or infinite (learning rate {lr}). "
                                             "Stopped before that update: the weights are the initial ones. Try a "
                                             "smaller learning rate or gradient clipping."),
           epoch=r"\d+", batch=r"\d+", lr=r"\S+"),
))

# core's errors about files: a design file (core/designfile.py), a data file (core/dataio.py,
# core/npyio.py), a weights file (core/weights.py, core/export.py, core/npyheader.py) and the guard
# they share (core/fileguard.py). Each is "<where>: <reason>"; the reason is matched here, the
# place is kept as core wrote it (a file name must never be changed). A group named `inner` is
# itself a core message and is translated in turn.
FILE_PATTERNS: tuple[tuple[re.Pattern, str], ...] = _compiled((
    # core/fileguard.py, core/designfile.py read_bounded
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "file not found")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "is a folder, not a file")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "is a folder, not a design file")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "is {kind}, not a regular file; it is not read")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "is {kind}, not a design file"),
           kind=r"a FIFO \(named pipe\)|a device|a socket|not a regular file"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "cannot read the file (No such file or directory)")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "cannot read the file (Permission denied)")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "cannot read the file ({detail})")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "is {size}; a design file may be at most {limit}"),
           size=r"\S+ \S+", limit=r"\S+ \S+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "is larger than {limit}, the most a design file may be"),
           limit=r"\S+ \S+"),
    # core/designfile.py: the document
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "not a text file (expected UTF-8 JSON)")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "not valid JSON: {detail} (line {line}, column {column})"),
           line=r"\d+", column=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "not a NetDesigner design (format is {found}, expected {expected})")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "expected a positive integer version, received {value}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "this design was saved by a newer NetDesigner (format version "
                                             "{version}; this one reads up to {latest})"),
           version=r"\d+", latest=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "unknown key {key}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "expected text")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "expected a list, received {type}"), type=r"\w+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "expected an object, received {value}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "missing parameter {name} of {type}"), type=r"\w+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "duplicate node id {id}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "dangling edge: no node {id}")),
    # core/dataio.py: a CSV file
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the file is empty")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "holds NUL bytes; not a text (CSV) file")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "not a {encoding} text file; choose its encoding in the data options "
                                             "(e.g. cp1252 for Windows files)")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "not a {encoding} text file; choose the file's encoding in the data "
                                             "options")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "unknown encoding {encoding}; e.g. utf-8, cp1252, latin-1, utf-16")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (only the ASCII digits 0-9 are read as "
                                             "numbers)"), value="(?:(?!: ).)+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (digit separators such as '_' are not read; "
                                             "write 1000, not 1_000)"), value="(?:(?!: ).)+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (the decimal mark is set to ','; a '.' is not "
                                             "read, not even as a thousands separator)"), value="(?:(?!: ).)+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (a decimal comma? choose decimal ',' in the "
                                             "data options)"), value="(?:(?!: ).)+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a number (a feature must be numeric; leave this column "
                                             "out of the features or make it the target)"), value="(?:(?!: ).)+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{value} is not a finite number"), value="(?:(?!: ).)+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{value} is beyond float32's range (±{limit}); training would "
                                             "overflow. Rescale the column (e.g. log or smaller units) before "
                                             "loading"), value="(?:(?!: ).)+", limit=r"\S+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "missing value; choose missing='drop' to leave such rows out or "
                                             "missing='mean' to fill in the column mean")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the target is missing; choose missing='drop' to leave such rows out")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the target is missing (a target is never imputed; use missing='drop')"),
           ),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "every value is missing; there is no mean to fill in")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{count} fields where the header has {expected} (delimiter "
                                             "{delimiter}) — a ragged row"), count=r"\d+", expected=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{count} fields where the first row has {expected} (delimiter "
                                             "{delimiter}) — a ragged row"), count=r"\d+", expected=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "no column named {name} for the target; columns: {columns}"),
           columns=".*"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "no column named {name} for the feature; columns: {columns}"),
           columns=".*"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "no data rows")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "no data rows ({count} rows dropped for missing values)"), count=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "no target column chosen")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "no feature columns (the file has {count} column(s))"), count=r"\d+"),
    # core/npyio.py: a NumPy file
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "holds Python objects (pickled data), which are never loaded; save "
                                             "plain numeric arrays")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "not a readable NumPy file ({detail})")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "no samples")),
    # weights: core/weights.py, core/export.py, core/npyheader.py
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the weights do not fit this design")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "missing {name} {shape}"), name=r"\S+", shape=r"\(.*\)"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{name}: file has shape {found}, design needs {needed}"),
           name=r"\S+", found=r"\(.*\)", needed=r"\(.*\)"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "unexpected {name} {shape}"), name=r"\S+", shape=r"\(.*\)"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "is a single .npy array, not a .npz archive (rename it to .npy, or "
                                             "save with numpy.savez)")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "not a .npz archive (it is not a zip file)")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "not a readable .npz archive ({detail})")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "entry {name} would expand from {packed} to {size} bytes (over "
                                             "{ratio}×): refused as a zip bomb"),
           packed=r"[\d,]+", size=r"[\d,]+", ratio=r"\d+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{name} holds {dtype} values, expected floating point"),
           name="(?:(?!: ).)+", dtype=r"\w+"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the metadata entry is not valid JSON")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the metadata entry is not a JSON object")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "metadata field {field}: {inner}"), field="'.*?'"),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "ONNX files are an export format only; import .npz or .safetensors "
                                             "weights")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "cannot tell the format from the extension {ext}; use .npz, "
                                             ".safetensors, .onnx or .py (or give the format)")),
    # core/preflight.py wraps a load error
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "the data cannot be loaded: {inner}")),
))

# Where a file error happened, as core/errors.py (DesignFileError) and core/dataio.py (_where) write it.
LOCATIONS: tuple[tuple[re.Pattern, str], ...] = _compiled((
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "file {file}, at {path}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "file {file}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "at {path}")),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{file}, row {row}, column {column}{index}"),
           row=r"\d+", column="'.*?'", index=r" \(X\[\d+, \d+\]\)", optional=("index",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{file}, row {row}{index}"),
           row=r"\d+", index=r" \(y\[\d+\]\)", optional=("index",)),
    _entry(QT_TRANSLATE_NOOP("CoreMessages", "{file}, column {column}"), column="'.*?'"),
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
