"""Weights files: ``.npz`` with one array per ``node_id/weight`` plus a JSON metadata entry.

Reading treats the file as hostile (``core.npyheader``): it must be a regular file and a zip of
``.npy`` arrays whose headers are read and checked — sizes, zip-bomb ratio, floating point, and
with ``expected`` shapes every name and shape — before one byte of array data is read. Nothing is
ever unpickled, and numpy's hint to retry with ``allow_pickle=True`` is never shown. The metadata
entry is JSON, validated field by field (``validate_metadata``); every error names the file and
the entry or field.
"""
from __future__ import annotations

import io
import json
import math
import os
import zipfile
from typing import Any, Iterable, Mapping

import numpy as np

from .atomic import atomic_write_bytes
from .data import SCALINGS as _SCALINGS, TASKS as _TASKS
from .errors import WeightsError
from .npyheader import EntryInfo, open_npz, read_npz_entry

META_KEY = "__metadata__"
FORMAT = "netdesigner-weights"
VERSION = 1

MAX_METADATA_BYTES = 16 << 20        # JSON metadata larger than this is not ours
MAX_EPOCH = 2**63 - 1


def save_weights(path: str | os.PathLike, weights: dict[str, np.ndarray], metadata: dict | None = None) -> None:
    """metadata: JSON-able; conventionally design_hash, dtype, epoch, metrics, scaler."""
    meta = {"format": FORMAT, "version": VERSION, **(metadata or {})}
    buf = io.BytesIO()
    arrays = {k: np.ascontiguousarray(v) for k, v in weights.items()}
    if META_KEY in arrays:
        raise WeightsError(f"{META_KEY!r} is reserved")
    arrays[META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(buf, **arrays)   # into memory: np.savez on a path would append ".npz" to a temp name
    atomic_write_bytes(path, buf.getvalue())


# ----------------------------------------------------------------------------- headers first

def _error(path: str):
    return lambda reason: WeightsError(reason, file=path)


def read_weights_index(path: str | os.PathLike) -> dict[str, EntryInfo]:
    """Every array's name, shape and dtype from the archive's headers; no array data is read.

    Raises:
        WeightsError: naming the file and the entry, for anything but a clean weights archive.
    """
    path = os.fspath(path)
    zf, index = _open(path)
    zf.close()
    return index


def _open(path: str) -> tuple[zipfile.ZipFile, dict[str, EntryInfo]]:
    zf, index = open_npz(path, _error(path))
    try:
        for name, e in index.items():
            if name == META_KEY:
                if e.dtype != np.uint8 or len(e.shape) != 1:
                    raise WeightsError(f"the metadata entry must be bytes (uint8, 1-D); found {e.dtype} "
                                       f"of shape {e.shape}", file=path)
                if e.nbytes > MAX_METADATA_BYTES:
                    raise WeightsError(f"the metadata entry is {e.nbytes:,} bytes; at most "
                                       f"{MAX_METADATA_BYTES:,} are read", file=path)
            elif e.dtype.kind != "f":
                raise WeightsError(f"{name} holds {e.dtype} values, expected floating point", file=path)
    except BaseException:
        zf.close()
        raise
    return zf, index


def _fit_problems(index: Mapping[str, EntryInfo], expected: Mapping[str, tuple[int, ...]]) -> list[str]:
    """Mismatches between the archive's arrays and the design's, worded as Executor.set_weights does."""
    problems = []
    for name, shape in expected.items():
        shape = tuple(shape)
        if name not in index:
            problems.append(f"missing {name} {shape}")
        elif index[name].shape != shape:
            problems.append(f"{name}: file has shape {index[name].shape}, design needs {shape}")
    problems += [f"unexpected {n} {e.shape}" for n, e in index.items() if n != META_KEY and n not in expected]
    return problems


def load_weights(path: str | os.PathLike, *, expected: Mapping[str, tuple[int, ...]] | None = None,
                 only: Iterable[str] | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """(weights, metadata) of a ``.npz`` weights file, every header checked before any data is read.

    Args:
        expected: the design's ``{name: shape}``; when given, a file whose names or shapes differ is
            refused (all mismatches listed) before any array is decompressed.
        only: read just these arrays (others are left unread), e.g. the matching subset a
            fine-tune takes; names not in the file are ignored.

    Raises:
        WeightsError: naming the file (and the entry or metadata field).
    """
    path = os.fspath(path)
    zf, index = _open(path)
    with zf:
        if expected is not None:
            problems = _fit_problems(index, expected)
            if problems:
                raise WeightsError("the weights do not fit this design", problems, file=path)
        wanted = set(index) if only is None else set(only) | {META_KEY}
        arrays = {name: read_npz_entry(zf, e, _error(path)) for name, e in index.items() if name in wanted}
    raw = arrays.pop(META_KEY, None)
    meta = {} if raw is None else parse_metadata(raw.tobytes(), path)
    return arrays, meta


# ----------------------------------------------------------------------------- metadata

def parse_metadata(raw: bytes, path: str = "") -> dict[str, Any]:
    """The metadata entry's JSON, parsed and validated (``validate_metadata``)."""
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WeightsError("the metadata entry is not valid JSON", file=path or None) from None
    except RecursionError:
        raise WeightsError("the metadata entry is nested too deeply", file=path or None) from None
    except ValueError as e:                      # a number of more than 4,300 digits
        raise WeightsError(f"the metadata entry is not valid JSON ({e})", file=path or None) from None
    return validate_metadata(meta, path)


def _meta_error(path: str, field: str, reason: str) -> WeightsError:
    return WeightsError(f"metadata field {field!r}: {reason}", file=path or None)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _finite_list(v: Any, path: str, field: str) -> list[float]:
    if not isinstance(v, list) or not all(_is_number(x) for x in v):
        raise _meta_error(path, field, f"expected a list of numbers, received {_short(v)}")
    try:
        ok = all(math.isfinite(x) for x in v)
    except OverflowError:                        # an integer beyond float range
        ok = False
    if not ok:
        raise _meta_error(path, field, "every value must be a finite number")
    return v


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _validate_scaler(s: Any, path: str) -> None:
    if s is None:
        return
    if not isinstance(s, dict):
        raise _meta_error(path, "scaler", f"expected an object with kind, offset and scale, received {_short(s)}")
    for key in ("kind", "offset", "scale"):
        if key not in s:
            raise _meta_error(path, f"scaler.{key}", "missing")
    if s["kind"] not in _SCALINGS:
        raise _meta_error(path, "scaler.kind", f"expected one of {', '.join(_SCALINGS)}, received {_short(s['kind'])}")
    offset = _finite_list(s["offset"], path, "scaler.offset")
    scale = _finite_list(s["scale"], path, "scaler.scale")
    if len(offset) != len(scale):
        raise _meta_error(path, "scaler.scale", f"has {len(scale)} values but scaler.offset has {len(offset)}")
    if any(x == 0 for x in scale):
        raise _meta_error(path, "scaler.scale", "a scale of 0 would divide by zero")


def validate_metadata(meta: Any, path: str = "", *, foreign_ok: bool = False) -> dict[str, Any]:
    """Check the fields NetDesigner reads back; other fields pass through untouched.

    Required: ``format`` (``netdesigner-weights``) and ``version`` (1). Optional: ``design_hash``,
    ``design_name``, ``design_file`` (text), ``dtype`` (float32/float64), ``epoch`` (integer ≥ 0),
    ``metrics`` (name → number), ``task``, ``feature_names``/``class_names`` (lists of text) and
    ``scaler`` ({kind, offset, scale} with finite numbers, or null). With `foreign_ok` (a
    .safetensors file, which other tools write with their own ``format``), format and version are
    checked only when the file says it is NetDesigner's; the other fields always are.

    Raises:
        WeightsError: "FILE: metadata field 'epoch': expected ..." for the first bad field.
    """
    if not isinstance(meta, dict):
        raise WeightsError("the metadata entry is not a JSON object", file=path or None)
    if not (foreign_ok and meta.get("format") != FORMAT):
        _validate_header(meta, path)
    _validate_fields(meta, path)
    return meta


def _validate_header(meta: dict, path: str) -> None:
    for key in ("format", "version"):
        if key not in meta:
            raise _meta_error(path, key, "missing (not a NetDesigner weights file?)")
    if meta["format"] != FORMAT:
        raise _meta_error(path, "format", f"expected {FORMAT!r}, received {_short(meta['format'])}")
    version = meta["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _meta_error(path, "version", f"expected a positive integer, received {_short(version)}")
    if version > VERSION:
        raise _meta_error(path, "version", f"the file was written by a newer NetDesigner (version {version}; "
                                           f"this one reads up to {VERSION})")


def _validate_fields(meta: dict, path: str) -> None:
    for key in ("design_hash", "dtype"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise _meta_error(path, key, f"expected text, received {_short(meta[key])}")
    if meta.get("dtype") is not None and meta["dtype"] not in ("float32", "float64"):
        raise _meta_error(path, "dtype", f"expected float32 or float64, received {_short(meta['dtype'])}")
    epoch = meta.get("epoch")
    if epoch is not None and (not isinstance(epoch, int) or isinstance(epoch, bool) or not 0 <= epoch <= MAX_EPOCH):
        raise _meta_error(path, "epoch", f"expected a whole number of epochs ≥ 0, received {_short(epoch)}")
    metrics = meta.get("metrics")
    if metrics is not None:
        if not isinstance(metrics, dict):
            raise _meta_error(path, "metrics", f"expected an object of name: number, received {_short(metrics)}")
        for k, v in metrics.items():
            if v is not None and not _is_number(v):
                raise _meta_error(path, f"metrics.{k}", f"expected a number, received {_short(v)}")
    for key in ("design_name", "design_file"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise _meta_error(path, key, f"expected text, received {_short(meta[key])}")
    if meta.get("task") is not None and meta["task"] not in _TASKS:
        raise _meta_error(path, "task", f"expected one of {', '.join(_TASKS)}, received {_short(meta['task'])}")
    for key in ("feature_names", "class_names"):
        names = meta.get(key)
        if names is not None and (not isinstance(names, list) or not all(isinstance(x, str) for x in names)):
            raise _meta_error(path, key, f"expected a list of names (text), received {_short(names)}")
    _validate_scaler(meta.get("scaler"), path)
