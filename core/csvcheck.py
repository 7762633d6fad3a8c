"""What a cell of a data file may hold, and what a target column says: the checks shared by the
CSV loader (core/dataio.py) and the NumPy loader (core/npyio.py).

* The number grammar: ASCII digits, one decimal mark, a sign and an exponent. Python's float()
  is laxer (Arabic-Indic and full-width digits, "1_000"), so a cell is checked here before it is
  read, and a refused cell gets a hint that says why.
* Missing-value tokens (empty, NA, NaN, N/A, null, none, ?).
* Targets: whether a column is class labels or regression values (``task`` auto, classification,
  binary, multiclass, regression), its class names, and the range checks on the class count.

Kept apart from the loaders so that the rules a value must follow are read in one place, not
between the file handling. The names keep their leading underscore: they are this package's
internals, imported by the two loaders only.
"""
from __future__ import annotations

import itertools

import numpy as np

from .data import TASKS
from .errors import DataError

MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "null", "none", "?"})
TASK_CHOICES = (None, "auto", "classification", *TASKS)
AUTO_MAX_CLASSES = 20            # a numeric target with few integer values is read as class labels
MAX_CLASSES = 10_000             # more distinct text values than this: not a classification target


# ----------------------------------------------------------------------------- numbers

def _is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING_TOKENS


def _number(cell: str, decimal: str = ".") -> float:
    """The cell as a number, by a strict grammar: ASCII digits, one decimal mark (`decimal`), an
    optional sign and exponent (and inf). Python's float() would also read "١٢٣" (Arabic-Indic
    digits), "１２" (full-width) and "1_000" (digit separators): those raise ValueError here."""
    if not cell.isascii() or "_" in cell:
        raise ValueError(cell)
    if decimal == ",":
        if "." in cell:
            raise ValueError(cell)
        cell = cell.replace(",", ".")
    return float(cell)


def _is_number(cell: str, decimal: str = ".") -> bool:
    try:
        _number(cell, decimal)
    except ValueError:
        return False
    return True


def _strict_ascii(rows: list[list[str]], decimal: str) -> bool:
    """True when every cell is in the strict grammar's alphabet, so numpy's (laxer) conversion of
    the whole chunk reads exactly what ``_number`` would. C-level joins, no Python loop per cell."""
    text = "".join(itertools.chain.from_iterable(rows))
    return text.isascii() and "_" not in text and (decimal == "." or "." not in text)


def _not_a_number_hint(cell: str, decimal: str, delim: str) -> str:
    c = cell.strip()
    if not c.isascii() and any(ch.isdigit() for ch in c):
        return " (only the ASCII digits 0-9 are read as numbers)"
    if "_" in c and _is_number(c.replace("_", ""), decimal):
        return " (digit separators such as '_' are not read; write 1000, not 1_000)"
    if decimal == "," and "." in c:
        return " (the decimal mark is set to ','; a '.' is not read, not even as a thousands separator)"
    if decimal == "." and "," in c and delim != "," and _is_number(c.replace(",", ".", 1)):
        return " (a decimal comma? choose decimal ',' in the data options)"
    return " (a feature must be numeric; leave this column out of the features or make it the target)"


# ----------------------------------------------------------------------------- targets

def _resolve_task(task: str | None, where: str) -> str | None:
    if task not in TASK_CHOICES:
        raise DataError(f"{where}: task must be one of auto, classification, {', '.join(TASKS)}. "
                        f"Received: {task!r}")
    return None if task in (None, "auto") else task


def _class_task(n_classes: int, task: str | None, where: str, column: str, single: str) -> str:
    if n_classes < 2:
        raise DataError(f"{where}: the target column {column!r} has only one class ({single!r}); a "
                        "classifier needs at least two (is the right column chosen as the target?)")
    if task == "binary" and n_classes != 2:
        raise DataError(f"{where}: task 'binary' needs two classes; the target column {column!r} "
                        f"has {n_classes}")
    if task == "multiclass":
        return "multiclass"
    return "binary" if n_classes == 2 else "multiclass"


def _format_class(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _numeric_target(y: np.ndarray, task: str | None, where: str, column: str):
    """(labels or values, task, class names) for numeric targets y of shape (n,) or (n, k)."""
    if task == "regression" or (y.ndim == 2 and y.shape[1] > 1):
        if task not in (None, "regression"):
            raise DataError(f"{where}: a {task} target must be one column; {y.shape[1]} were chosen")
        return y.reshape(len(y), -1).astype(np.float64), "regression", None
    v = y.reshape(-1)
    uniq = np.unique(v)
    integer = bool(np.all(v == np.rint(v)))
    if task is None:
        if not (integer and len(uniq) <= AUTO_MAX_CLASSES and (len(uniq) < len(v) or len(v) <= 2)):
            return v.reshape(-1, 1).astype(np.float64), "regression", None
    if len(uniq) > MAX_CLASSES:
        raise DataError(f"{where}: the target column {column!r} has {len(uniq)} distinct values, too many "
                        "for classes (use task 'regression')")
    names = [_format_class(u) for u in uniq]
    task = _class_task(len(uniq), task, where, column, names[0] if names else "")
    return np.searchsorted(uniq, v).astype(np.int64), task, names


def _text_target(values: np.ndarray, task: str | None, where: str, column: str):
    """Class labels from text values (sorted class names)."""
    if task == "regression":
        bad = next(str(v) for v in values if not _is_number(str(v)))
        raise DataError(f"{where}: the target column {column!r} holds text ({bad!r}); a regression "
                        "target must be numeric")
    uniq, labels = np.unique(values, return_inverse=True)
    names = [str(u) for u in uniq]
    task = _class_task(len(names), task, where, column, names[0] if names else "")
    return labels.astype(np.int64), task, names
