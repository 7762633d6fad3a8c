"""Weights files: ``.npz`` with one array per ``node_id/weight`` plus a JSON metadata entry.

Loaded with ``allow_pickle=False`` always; a file that does not fit a design is refused with the
mismatching names and shapes (Executor.set_weights).
"""
from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np

from .atomic import atomic_write_bytes
from .errors import WeightsError

META_KEY = "__metadata__"
FORMAT = "netdesigner-weights"


def save_weights(path: str | os.PathLike, weights: dict[str, np.ndarray], metadata: dict | None = None) -> None:
    """metadata: JSON-able; conventionally design_hash, dtype, epoch, metrics, scaler."""
    meta = {"format": FORMAT, "version": 1, **(metadata or {})}
    buf = io.BytesIO()
    arrays = {k: np.ascontiguousarray(v) for k, v in weights.items()}
    if META_KEY in arrays:
        raise WeightsError(f"{META_KEY!r} is reserved")
    arrays[META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(buf, **arrays)   # into memory: np.savez on a path would append ".npz" to a temp name
    atomic_write_bytes(path, buf.getvalue())


def load_weights(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise WeightsError("file not found", file=path) from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise WeightsError(f"not a readable .npz weights file ({e})", file=path) from None
    raw = arrays.pop(META_KEY, None)
    meta: dict = {}
    if raw is not None:
        try:
            meta = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise WeightsError("the metadata entry is not valid JSON", file=path) from None
        if not isinstance(meta, dict):
            raise WeightsError("the metadata entry is not a JSON object", file=path)
    for name, a in arrays.items():
        if a.dtype.kind != "f":
            raise WeightsError(f"{name} holds {a.dtype} values, expected floating point", file=path)
    return arrays, meta
