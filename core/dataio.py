"""Data files: CSV (delimiter and header sniffing, column choice, categorical targets) and NPY/NPZ.

Every problem is a ``DataError`` that names the file, the row (1-based line number, as a text
editor shows it) and the column, e.g. ``data.csv, row 12, column 'petal_width': 'abc' is not a
number``.

Memory: a CSV is parsed in chunks straight into one preallocated float64 array (the file is not
held as text, and no second copy of the numbers is made); a ``.npy`` file is memory-mapped, so a
float64 X is never read into memory as a whole by the loader.
"""
from __future__ import annotations

import codecs
import csv
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .csvcheck import (  # the value checks (the number grammar, targets), shared with core/npyio.py
    AUTO_MAX_CLASSES, MAX_CLASSES, MISSING_TOKENS, _class_task, _is_missing, _is_number, _not_a_number_hint,
    _number, _numeric_target, _resolve_task, _strict_ascii,
)
from .data import F32_MAX, Dataset
from .errors import DataError
from .fileguard import require_regular_file

log = logging.getLogger(__name__)

MISSING_CHOICES = ("error", "drop", "mean")
_SNIFF_BYTES = 64 * 1024
_CHUNK_CELLS = 16_384            # cells parsed per chunk (bounds the temporary Python objects)
_DELIMITERS = ",;\t| "

CSV_OPTIONS = ("features", "target", "delimiter", "header", "missing", "task", "decimal", "encoding")
DECIMALS = (".", ",")
_ID_NAMES = frozenset({"id", "index", "idx", "row", "rowid", "row_id", "unnamed: 0"})
_ID_MIN_ROWS = 10                # fewer rows than this: increasing integers are no evidence of an index
NPZ_OPTIONS = ("x_key", "y_key", "y_path", "target", "missing", "task")


# ----------------------------------------------------------------------------- small helpers

def _where(path: str, line: int | None = None, column: str | None = None) -> str:
    parts = [os.fspath(path)]
    if line is not None:
        parts.append(f"row {line}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


def _codec(encoding: str, path: str) -> str:
    """The Python codec for `encoding` ("utf-8" skips a BOM), or a DataError naming it."""
    if not isinstance(encoding, str) or not encoding.strip():
        raise DataError(f"{path}: encoding must be a name such as utf-8 or cp1252. Received: {encoding!r}")
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise DataError(f"{path}: unknown encoding {encoding!r}; e.g. utf-8, cp1252, latin-1, utf-16") from None
    return "utf-8-sig" if name == "utf-8" else name


def _check_decimal(decimal: str, delimiter: str | None, path: str) -> None:
    if decimal not in DECIMALS:
        raise DataError(f"{path}: decimal must be '.' or ','. Received: {decimal!r}")
    if decimal == "," and delimiter == ",":
        raise DataError(f"{path}: with decimal ',' the delimiter cannot also be ','; choose ';' or a tab")


def _regular(path: str) -> None:
    require_regular_file(path, lambda reason: DataError(f"{path}: {reason}"))


def _open_text(path: str, encoding: str = "utf-8"):
    """The file as text (UTF-8 by default, a BOM is skipped), or a DataError that says why not."""
    _regular(path)
    try:
        return open(path, "r", encoding=_codec(encoding, path), newline="")
    except OSError as e:
        raise DataError(f"{path}: cannot read the file ({e.strerror})") from None


def _decode_error(path: str, encoding: str, line: int | None = None) -> DataError:
    hint = "; choose its encoding in the data options (e.g. cp1252 for Windows files)" \
        if _codec(encoding, path) == "utf-8-sig" else "; choose the file's encoding in the data options"
    label = "UTF-8" if _codec(encoding, path) == "utf-8-sig" else encoding
    return DataError(f"{_where(path, line)}: not a {label} text file{hint}")


def _count_lines(path: str) -> int:
    """Upper bound on the number of records: line ends + 1 (a streaming pass in binary; old Mac
    files end lines with a bare CR)."""
    lf = cr = 0
    with open(path, "rb") as f:
        while True:
            buf = f.read(1 << 20)
            if not buf:
                return max(lf, cr) + 1
            lf += buf.count(b"\n")
            cr += buf.count(b"\r")


# ----------------------------------------------------------------------------- sniffing

@dataclass
class CsvInfo:
    """What ``sniff_csv`` found out about a CSV file (for the import dialog's preview).

    kinds[j] is "numeric", "categorical" or "empty" from the previewed rows; ``target`` is the
    suggested target column (the last one) and ``task`` the task it suggests.
    """

    path: str
    delimiter: str
    has_header: bool
    columns: list[str]
    preview: list[list[str]]
    kinds: list[str]
    target: str = ""
    task: str = "regression"
    n_columns: int = 0
    notes: list[str] = field(default_factory=list)
    unnamed: list[int] = field(default_factory=list)   # columns whose header cell is empty


def _read_sample(path: str, encoding: str = "utf-8") -> str:
    with _open_text(path, encoding) as f:
        try:
            text = f.read(_SNIFF_BYTES)
        except UnicodeError:             # UTF-16 without a BOM raises the parent class
            raise _decode_error(path, encoding) from None
    if "\0" in text:
        raise DataError(f"{path}: holds NUL bytes; not a text (CSV) file")
    if len(text) == _SNIFF_BYTES and "\n" in text:   # drop a possibly cut last line
        text = text[:text.rindex("\n") + 1]
    if not text.strip():
        raise DataError(f"{path}: the file is empty")
    return text


def _sniff_delimiter(lines: list[str], decimal: str = ".") -> str:
    sample = "\n".join(lines[:50])
    candidates = _DELIMITERS.replace(",", "") if decimal == "," else _DELIMITERS
    try:
        d = csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
        counts = {len(r) for r in csv.reader(lines[:50], delimiter=d) if r}
        if len(counts) == 1 and counts.pop() > 1:
            return d
    except csv.Error:
        pass
    # Fallback: the candidate that splits every line into the same number (> 1) of fields.
    best, best_n = candidates[0], 1
    for d in candidates:
        counts = {len(r) for r in csv.reader(lines[:50], delimiter=d) if r}
        if len(counts) == 1:
            n = counts.pop()
            if n > best_n:
                best, best_n = d, n
    return best


def _detect_header(rows: list[list[str]], sample: str, decimal: str = ".") -> bool:
    if not rows:
        return False
    first, rest = rows[0], rows[1:]
    if all(_is_number(c, decimal) or _is_missing(c) for c in first):
        return False
    for j, cell in enumerate(first):
        if _is_number(cell, decimal) or _is_missing(cell):
            continue
        col = [r[j] for r in rest if j < len(r) and not _is_missing(r[j])]
        if col and all(_is_number(c, decimal) for c in col):
            return True     # text above a numeric column: a name
    if not rest:
        return True
    try:
        return csv.Sniffer().has_header(sample)
    except csv.Error:
        return False


def _column_names(header_row: list[str] | None, n: int) -> list[str]:
    if header_row is None:
        return [f"col{j}" for j in range(n)]
    return [(header_row[j].strip() if j < len(header_row) else "") or f"col{j}" for j in range(n)]


def _kind(values: list[str], decimal: str = ".") -> str:
    vals = [v for v in values if not _is_missing(v)]
    if not vals:
        return "empty"
    return "numeric" if all(_is_number(v, decimal) for v in vals) else "categorical"


def sniff_csv(path: str | os.PathLike, *, preview_rows: int = 20, delimiter: str | None = None,
              header: bool | None = None, decimal: str = ".", encoding: str = "utf-8") -> CsvInfo:
    """Delimiter, header, column names, the first rows and a per-column kind guess.

    Reads only the first 64 KiB. `delimiter`/`header` override the guesses; `decimal` is the
    decimal mark ("." or ","; with "," the delimiter is never ","), `encoding` the file's text
    encoding (default UTF-8, a BOM is skipped; e.g. "cp1252" for many Windows exports).
    """
    path = os.fspath(path)
    _check_decimal(decimal, delimiter, path)
    sample = _read_sample(path, encoding)
    lines = [ln for ln in sample.splitlines() if ln.strip()]
    delim = delimiter or _sniff_delimiter(lines, decimal)
    try:
        rows = [r for r in csv.reader(lines, delimiter=delim) if r]
    except (csv.Error, TypeError) as e:
        raise DataError(f"{path}: cannot split the rows with delimiter {delim!r} ({e})") from None
    has_header = _detect_header(rows, sample, decimal) if header is None else bool(header)
    data_rows = rows[1:] if has_header else rows
    n = len(rows[0]) if rows else 0
    columns = _column_names(rows[0] if has_header else None, n)
    unnamed = [j for j in range(n) if has_header and (j >= len(rows[0]) or not rows[0][j].strip())]
    kinds = [_kind([r[j] for r in data_rows if j < len(r)], decimal) for j in range(n)]
    notes = []
    ragged = [i for i, r in enumerate(data_rows) if len(r) != n]
    if ragged:
        notes.append(f"row {ragged[0] + 1 + int(has_header)} has {len(data_rows[ragged[0]])} fields, "
                     f"expected {n}")
    task = "regression"
    if n:
        tvals = [r[-1].strip() for r in data_rows if len(r) == n and not _is_missing(r[-1])]
        if kinds[-1] == "categorical":
            task = "binary" if len(set(tvals)) == 2 else "multiclass"
        elif tvals:
            v = np.array([_number(t, decimal) for t in tvals])
            u = np.unique(v)
            if np.all(v == np.rint(v)) and len(u) <= AUTO_MAX_CLASSES and len(u) < len(v):
                task = "binary" if len(u) == 2 else "multiclass"
    return CsvInfo(path, delim, has_header, columns, data_rows[:preview_rows], kinds,
                   columns[-1] if columns else "", task, n, notes, unnamed)


# ----------------------------------------------------------------------------- CSV

def _column_index(spec: str | int, columns: list[str], path: str, what: str) -> int:
    n = len(columns)
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        j = int(spec)
        if not -n <= j < n:
            raise DataError(f"{path}: {what} column index {j} is out of range (the file has {n} columns)")
        return j % n
    if isinstance(spec, str):
        hits = [j for j, c in enumerate(columns) if c == spec]
        if not hits:
            raise DataError(f"{path}: no column named {spec!r} for the {what}; columns: {', '.join(columns)}")
        if len(hits) > 1:
            raise DataError(f"{path}: the column name {spec!r} appears {len(hits)} times (columns "
                            f"{', '.join(str(h) for h in hits)}); choose it by index")
        return hits[0]
    raise DataError(f"{path}: a {what} column is a name or an index. Received: {spec!r}")


def load_csv(path: str | os.PathLike, *, features: Sequence[str | int] | None = None,
             target: str | int | Sequence[str | int] | None = None, delimiter: str | None = None,
             header: bool | None = None, missing: str = "error", task: str | None = None,
             decimal: str = ".", encoding: str = "utf-8") -> Dataset:
    """A Dataset from a CSV file.

    Args:
        features: feature columns (names or 0-based indices); None = every column but the target.
        target: the target column (name or index; default the last column); a list of numeric
            columns gives a multi-output regression.
        delimiter, header: None = detected (``sniff_csv``).
        missing: "error" (default), "drop" (rows with a missing value are left out) or "mean"
            (a missing feature is the column's mean over the rows that have one). Missing means an
            empty field or NA, NaN, N/A, null, none, ?. A missing target is never imputed.
        task: None/"auto" (text or few integer values → classification, else regression),
            "classification", "binary", "multiclass" or "regression".
        decimal: the decimal mark, "." (default) or "," (then the delimiter is not ",").
        encoding: the text encoding, default "utf-8" (a BOM is skipped); e.g. "cp1252".

    Numbers follow a strict grammar: ASCII digits, the decimal mark, a sign and an exponent; a
    value beyond float32's range (±3.4e38) is refused, since training would overflow. Class names
    are kept (sorted text values, or the numbers as text); labels are 0..k−1.

    The Dataset's ``warnings`` (also logged) say how many rows ``missing="drop"`` left out and
    which features look like a row index or ID column.
    """
    path = os.fspath(path)
    if missing not in MISSING_CHOICES:
        raise DataError(f"{path}: missing must be one of {', '.join(MISSING_CHOICES)}. Received: {missing!r}")
    task = _resolve_task(task, path)
    info = sniff_csv(path, preview_rows=0, delimiter=delimiter, header=header, decimal=decimal,
                     encoding=encoding)
    columns, ncols, delim = info.columns, info.n_columns, info.delimiter
    targets = [target] if target is None or isinstance(target, (str, int, np.integer)) else list(target)
    tidx = [ncols - 1 if t is None else _column_index(t, columns, path, "target") for t in targets]
    if not tidx:
        raise DataError(f"{path}: no target column chosen")
    if features is None:
        fidx = [j for j in range(ncols) if j not in tidx]
    else:
        fidx = [_column_index(f, columns, path, "feature") for f in features]
        both = [columns[j] for j in fidx if j in tidx]
        if both:
            raise DataError(f"{path}: column {both[0]!r} is both a feature and the target")
        dup = [columns[j] for j in fidx if fidx.count(j) > 1]
        if dup:
            raise DataError(f"{path}: feature column {dup[0]!r} is chosen twice")
    if not fidx:
        raise DataError(f"{path}: no feature columns (the file has {ncols} column(s))")
    fnames = [columns[j] for j in fidx]
    tnames = [columns[j] for j in tidx]
    d, t = len(fidx), len(tidx)

    cap = _count_lines(path)
    X = np.empty((cap, d), np.float64)
    row_line = np.empty(cap, np.int64)       # the file line of each kept row, for later messages
    y_num = np.empty((cap, t), np.float64)
    y_code = np.empty(cap, np.int64) if t == 1 else None
    codes: dict[str, int] = {}
    numeric_y, first_text = True, None       # first_text: (line, value) of a non-numeric target
    miss_rows: list[int] = []                # with missing="mean": positions to fill
    miss_cols: list[int] = []
    col_sum = np.zeros(d)
    col_cnt = np.zeros(d, np.int64)
    n = 0
    dropped = 0

    def bad_value(line, j, cell):
        hint = _not_a_number_hint(cell, decimal, delim)
        return DataError(f"{_where(path, line, columns[j])}: {cell.strip()!r} is not a number{hint}")

    def flush(chunk: list[tuple[int, list[str]]]) -> None:
        nonlocal n, numeric_y, first_text, dropped
        keep = []
        for line, row in chunk:       # targets first: a missing target drops or fails the row
            cells = [row[j].strip() for j in tidx]
            if any(c.lower() in MISSING_TOKENS for c in cells):
                if missing == "drop":
                    dropped += 1
                    continue
                j = next(j for j, c in zip(tidx, cells) if c.lower() in MISSING_TOKENS)
                raise DataError(f"{_where(path, line, columns[j])}: the target is missing"
                                + (" (a target is never imputed; use missing='drop')" if missing == "mean"
                                   else "; choose missing='drop' to leave such rows out"))
            keep.append((line, row, cells))
        if not keep:
            return
        cells = [[row[j] for j in fidx] for _, row, _ in keep]
        fast = _strict_ascii(cells, decimal)          # else numpy would read "١٢٣", "１２", "1_000"
        if fast:
            if decimal == ",":
                cells = [[c.replace(",", ".") for c in r] for r in cells]
            try:
                arr = np.array(cells, dtype=np.float64)
                fast = not np.isnan(arr).any()
            except ValueError:
                fast = False
        if not fast:
            arr = np.empty((len(keep), d))
            rows_ok = np.ones(len(keep), bool)
            for i, (line, row, _) in enumerate(keep):
                for k, j in enumerate(fidx):
                    cell = row[j]
                    if _is_missing(cell):
                        if missing == "error":
                            raise DataError(f"{_where(path, line, columns[j])}: missing value; choose "
                                            "missing='drop' to leave such rows out or missing='mean' to "
                                            "fill in the column mean")
                        if missing == "drop":
                            rows_ok[i] = False
                            break
                        arr[i, k] = np.nan
                        continue
                    try:
                        arr[i, k] = _number(cell, decimal)
                    except ValueError:
                        raise bad_value(line, j, cell) from None
            if not rows_ok.all():
                dropped += int((~rows_ok).sum())
                arr = arr[rows_ok]
                keep = [k for k, ok in zip(keep, rows_ok) if ok]
        if not np.isfinite(arr).all():
            nan = np.isnan(arr)
            bad = np.argwhere(~np.isfinite(arr) & ~nan)
            if len(bad):
                i, k = bad[0]
                raise DataError(f"{_where(path, keep[i][0], fnames[k])}: {keep[i][1][fidx[k]].strip()!r} "
                                "is not a finite number")
            r, c = np.nonzero(nan)
            miss_rows.extend((r + n).tolist())
            miss_cols.extend(c.tolist())
        huge = np.abs(arr) > F32_MAX
        if huge.any():
            i, k = np.argwhere(huge)[0]
            raise DataError(f"{_where(path, keep[i][0], fnames[k])}: {keep[i][1][fidx[k]].strip()!r} is "
                            f"beyond float32's range (±{F32_MAX:.3g}); training would overflow. Rescale "
                            "the column (e.g. log or smaller units) before loading")
        col_sum[:] += np.nansum(arr, axis=0)
        col_cnt[:] += len(arr) - np.isnan(arr).sum(axis=0)
        m = len(arr)
        X[n:n + m] = arr
        row_line[n:n + m] = [line for line, _, _ in keep]
        for i, (line, _, cells) in enumerate(keep):
            for k, c in enumerate(cells):
                if numeric_y:
                    try:
                        v = _number(c, decimal)
                    except ValueError:
                        numeric_y = False
                        first_text = (line, c, tnames[k])
                    else:
                        if not np.isfinite(v):
                            raise DataError(f"{_where(path, line, tnames[k])}: the target {c!r} is not a "
                                            "finite number")
                        y_num[n + i, k] = v
                if y_code is not None and len(codes) <= MAX_CLASSES:
                    y_code[n + i] = codes.setdefault(c, len(codes))
            if not numeric_y and (y_code is None or len(codes) > MAX_CLASSES):
                line, c, name = first_text
                raise DataError(f"{_where(path, line, name)}: {c!r} is not a number"
                                + (" (a text target must be a single column)" if y_code is None else
                                   f"; read as classes the column has more than {MAX_CLASSES} distinct "
                                   "values"))
        n += m

    rows_per_chunk = max(64, _CHUNK_CELLS // max(ncols, 1))
    with _open_text(path, encoding) as f:
        reader = csv.reader(f, delimiter=delim)
        chunk: list[tuple[int, list[str]]] = []
        prev_line = 0
        header_pending = info.has_header
        try:
            for row in reader:
                line = prev_line + 1
                prev_line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip() and ncols > 1):
                    continue                                   # blank line
                if header_pending:                             # the first non-blank row
                    header_pending = False
                    continue
                if len(row) != ncols:
                    raise DataError(f"{_where(path, line)}: {len(row)} fields where the "
                                    f"{'header' if info.has_header else 'first row'} has {ncols} "
                                    f"(delimiter {delim!r}) — a ragged row")
                chunk.append((line, row))
                if len(chunk) >= rows_per_chunk:
                    flush(chunk)
                    chunk = []
            flush(chunk)
        except UnicodeError:             # UTF-16 without a BOM raises the parent class
            raise _decode_error(path, encoding, prev_line + 1) from None
        except csv.Error as e:
            raise DataError(f"{_where(path, reader.line_num)}: {e}") from None

    if n == 0:
        raise DataError(f"{path}: no data rows" + (f" ({dropped} rows dropped for missing values)"
                                                  if dropped else ""))
    X = X[:n]
    if miss_rows:
        empty = [fnames[k] for k in range(d) if col_cnt[k] == 0]
        if empty:
            raise DataError(f"{_where(path, None, empty[0])}: every value is missing; there is no mean to fill in")
        means = col_sum / np.maximum(col_cnt, 1)
        X[miss_rows, miss_cols] = means[miss_cols]
    where = os.path.basename(path)
    where_dropped = path + (f" (after dropping {dropped} rows with missing values)" if dropped else "")
    if numeric_y:
        y, task, names = _numeric_target(y_num[:n], task, where_dropped, tnames[0])
        if task == "regression":
            huge = np.argwhere(np.abs(y) > F32_MAX)
            if len(huge):
                i, k = huge[0]
                raise DataError(f"{_where(path, int(row_line[i]), tnames[k])}: the target {y[i, k]:g} is "
                                f"beyond float32's range (±{F32_MAX:.3g}); the loss would overflow. "
                                "Rescale the target before loading")
    else:
        line, value, name = first_text
        if task == "regression":
            raise DataError(f"{_where(path, line, name)}: {value!r} is not a number; a regression target "
                            "must be numeric")
        names = sorted(codes)
        rank = np.empty(len(codes), np.int64)
        for r, name_ in enumerate(names):
            rank[codes[name_]] = r
        task = _class_task(len(names), task, where_dropped, tnames[0], names[0])
        y = rank[y_code[:n]]
    warnings = []
    if dropped:
        warnings.append(f"{where}: missing='drop' left out {dropped} of {n + dropped} rows (rows with a "
                        "missing value)")
    warnings += _id_like_columns(X, fnames, [fidx[k] in info.unnamed for k in range(d)], fidx, where)
    for w in warnings:
        log.warning("%s", w)
    return Dataset(X, y, task, fnames, names, where, warnings)


def _id_like_columns(X: np.ndarray, names: list[str], unnamed: list[bool], fidx: list[int],
                     where: str) -> list[str]:
    """Warnings for features that look like a row index or an ID: an unnamed first column (what
    pandas' to_csv writes), a column named id/index/..., or strictly increasing integers."""
    out = []
    for k, name in enumerate(names):
        reason = None
        if unnamed[k] and fidx[k] == 0:
            reason = "an unnamed first column, as pandas writes its index"
        elif name.strip().lower() in _ID_NAMES:
            reason = f"named {name!r}"
        elif len(X) >= _ID_MIN_ROWS:
            col = X[:, k]
            steps = np.diff(col)
            if np.all(steps > 0) and np.all(col == np.rint(col)):
                reason = "strictly increasing whole numbers"
        if reason:
            out.append(f"{where}: feature column {name!r} looks like a row index or ID ({reason}); a "
                       "model learns nothing real from it — leave it out of the features")
    return out

# ----------------------------------------------------------------------------- dispatch

def resolve_data_path(path: str, base_dir: str | os.PathLike | None) -> str:
    """`path` as given when absolute (or no `base_dir`), else relative to `base_dir` — the folder
    of the design file, so a design and its data can move together."""
    path = os.path.expanduser(path)
    if not base_dir or os.path.isabs(path):
        return path
    return os.path.join(os.fspath(base_dir), path)


def resolved_data_settings(data_settings: dict[str, Any], base_dir: str | os.PathLike | None) -> dict[str, Any]:
    """A copy of the data settings with `path` (and npz `y_path`) resolved against `base_dir`."""
    d = dict(data_settings)
    if isinstance(d.get("path"), str) and d["path"]:
        d["path"] = resolve_data_path(d["path"], base_dir)
    options = d.get("options")
    if isinstance(options, dict) and isinstance(options.get("y_path"), str) and options["y_path"]:
        d["options"] = {**options, "y_path": resolve_data_path(options["y_path"], base_dir)}
    return d


def load_data_file(data_settings: dict[str, Any], base_dir: str | os.PathLike | None = None) -> Dataset:
    """The Dataset named by a design's data settings: source "csv" or "npz" with `path` and the
    source's `options` (csv: features, target, delimiter, header, missing, task, decimal,
    encoding; npz: x_key, y_key, y_path, target, missing, task). A relative `path` (and npz
    `y_path`) is read relative to `base_dir`, the design file's folder (``Design.folder``)."""
    d = resolved_data_settings(data_settings, base_dir)
    source, path = d.get("source", "builtin"), d.get("path", "")
    options = dict(d.get("options") or {})
    if source == "builtin":
        from .data import load_dataset
        return load_dataset(d["name"], seed=d.get("seed", 0), **d.get("params", {}))
    allowed = {"csv": CSV_OPTIONS, "npz": NPZ_OPTIONS}.get(source)
    if allowed is None:
        raise DataError(f"unknown data source {source!r}; known: builtin, csv, npz")
    if not path:
        raise DataError(f"data.source is {source!r} but data.path is empty: choose a file")
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise DataError(f"data.options.{unknown[0]}: unknown option for a {source} file; known: "
                        f"{', '.join(allowed)}")
    if source == "npz":
        from .npyio import load_npz
        return load_npz(path, **options)
    loader = load_csv
    return loader(path, **options)
