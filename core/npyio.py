"""NPY/NPZ data files: ``X``/``y`` arrays, loaded with ``allow_pickle=False`` always; ``.npy``
files are memory-mapped so a large float64 X is never read into memory whole by the loader.
Errors are ``DataError``s naming the file (and array) — see core.dataio for CSV."""
from __future__ import annotations

import logging
import os

import numpy as np

from .csvcheck import _numeric_target, _resolve_task, _text_target
from .data import Dataset
from .dataio import F32_MAX, MISSING_CHOICES
from .errors import DataError
from .fileguard import require_regular_file
from .npyheader import npy_info, open_npz, read_npz_entry

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- NPY / NPZ

def _error(path: str):
    return lambda reason: DataError(f"{path}: {reason}")


def _np_load(path: str, mmap: bool):
    """A plain .npy array (memory-mapped with `mmap`); its header is checked against the file's
    size first (``core.npyheader``), so a header claiming 10¹² floats allocates nothing."""
    info = npy_info(path, _error(path))
    if info.dtype.kind not in "fiubU":
        raise DataError(f"{path}: holds {info.dtype} values; expected numbers (or text labels)")
    try:
        return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except ValueError as e:
        if "pickle" in str(e).lower() or "object" in str(e).lower():
            raise DataError(f"{path}: holds Python objects (pickled data), which are never loaded; "
                            "save plain numeric arrays") from None
        raise DataError(f"{path}: not a readable NumPy file ({e})") from None
    except (OSError, EOFError) as e:
        raise DataError(f"{path}: not a readable NumPy file ({e})") from None


def _npz_arrays(path: str, keys: tuple[str, str]) -> list[np.ndarray]:
    """The arrays `keys` of an .npz, each header checked (sizes, zip-bomb ratio, no objects)
    before its data is read; other entries are never read."""
    zf, entries = open_npz(path, _error(path))
    with zf:
        out = []
        for key in keys:
            if key not in entries:
                raise DataError(f"{path}: no array {key!r}; the file holds {', '.join(entries) or 'nothing'} "
                                f"(expected {keys[0]!r} for the features and {keys[1]!r} for the targets)")
            if entries[key].dtype.kind not in "fiubU":
                raise DataError(f"{path}: array {key!r} holds {entries[key].dtype} values; expected numbers "
                                "(or text labels)")
            out.append(read_npz_entry(zf, entries[key], _error(path)))
        return out


def _sibling_y(path: str) -> str | None:
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    for i in range(len(stem) - 1, -1, -1):
        if stem[i] in "Xx":
            for y in ("y", "Y"):
                cand = os.path.join(folder, stem[:i] + y + stem[i + 1:] + ext)
                if os.path.exists(cand):
                    return cand
            break
    return None


def _check_features(X: np.ndarray, path: str, missing: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(X, mask of kept rows or None). NaN is a missing value; ±inf is an error. Checked in row
    blocks so a memory-mapped X gets no n×d temporary; X is copied only to drop or fill rows."""
    if X.dtype.kind not in "fiub":
        raise DataError(f"{path}: X holds {X.dtype} values; features must be numeric")
    if X.dtype.kind != "f":
        return X, None
    step = max(1, (1 << 22) // max(X.shape[1], 1))
    bad_rows = []
    for s in range(0, len(X), step):
        block = np.asarray(X[s:s + step])
        fin = np.isfinite(block)
        if fin.all():
            big = np.argwhere(np.abs(block) > F32_MAX)
            if len(big):
                i, j = big[0]
                raise DataError(f"{path}, row {s + i + 1}, column 'x{j}' (X[{s + i}, {j}]): {block[i, j]:g} "
                                f"is beyond float32's range (±{F32_MAX:.3g}); training would overflow. "
                                "Rescale it")
            continue
        nan = np.isnan(block)
        infs = np.argwhere(~fin & ~nan)
        if len(infs):
            i, j = infs[0]
            raise DataError(f"{path}, row {s + i + 1}, column 'x{j}' (X[{s + i}, {j}]): "
                            f"{block[i, j]} is not a finite number")
        huge = np.argwhere(np.abs(block) > F32_MAX)
        if len(huge):
            i, j = huge[0]
            raise DataError(f"{path}, row {s + i + 1}, column 'x{j}' (X[{s + i}, {j}]): {block[i, j]:g} is "
                            f"beyond float32's range (±{F32_MAX:.3g}); training would overflow. Rescale it")
        if missing == "error":
            i, j = np.argwhere(nan)[0]
            raise DataError(f"{path}, row {s + i + 1}, column 'x{j}' (X[{s + i}, {j}]): missing value (NaN); "
                            "choose missing='drop' to leave such rows out or missing='mean' to fill in "
                            "the column mean")
        bad_rows.append(s + np.flatnonzero(nan.any(axis=1)))
    if not bad_rows:
        return X, None
    bad = np.concatenate(bad_rows)
    if missing == "drop":
        keep = np.ones(len(X), bool)
        keep[bad] = False
        return np.asarray(X[keep], dtype=np.float64), keep
    X = np.array(X, dtype=np.float64)                  # "mean": one writable copy
    tot, cnt = np.zeros(X.shape[1]), np.zeros(X.shape[1])
    for s in range(0, len(X), step):
        block = X[s:s + step]
        tot += np.nansum(block, axis=0)
        cnt += (~np.isnan(block)).sum(axis=0)
    if np.any(cnt == 0):
        j = int(np.flatnonzero(cnt == 0)[0])
        raise DataError(f"{path}, column 'x{j}': every value is missing; there is no mean to fill in")
    means = tot / cnt
    rows = X[bad]
    r, c = np.nonzero(np.isnan(rows))
    rows[r, c] = means[c]
    X[bad] = rows
    return X, None


def load_npz(path: str | os.PathLike, *, x_key: str = "X", y_key: str = "y", y_path: str | None = None,
             target: int | None = None, missing: str = "error", task: str | None = None) -> Dataset:
    """A Dataset from NumPy files; never unpickles (``allow_pickle=False``).

    - ``.npz``: arrays `x_key` ("X") and `y_key` ("y").
    - ``.npy``: X memory-mapped (``mmap_mode="r"``); y from `y_path`, else the sibling file whose
      name has y for the last X (``X.npy`` → ``y.npy``, ``train_X.npy`` → ``train_y.npy``), else
      column `target` (default the last) of the single 2-D array.
    - a folder holding ``X.npy`` and ``y.npy``.

    X of shape (n, ...) is flattened to (n, features) (a view). A float64 ``.npy`` X stays
    memory-mapped inside the Dataset. Targets: as ``load_csv`` (text arrays are class names; few
    integer values → classification unless `task` says otherwise). Rows are "row i+1" (X[i]).
    """
    path = os.fspath(path)
    if missing not in MISSING_CHOICES:
        raise DataError(f"{path}: missing must be one of {', '.join(MISSING_CHOICES)}. Received: {missing!r}")
    task = _resolve_task(task, path)
    if os.path.isdir(path):
        xp = os.path.join(path, "X.npy")
        if not os.path.exists(xp):
            raise DataError(f"{path}: the folder has no X.npy (expected X.npy and y.npy)")
        return load_npz(xp, y_path=y_path or os.path.join(path, "y.npy"), missing=missing, task=task)
    require_regular_file(path, _error(path))
    ypath = path
    if path.lower().endswith(".npz"):
        X, y = _npz_arrays(path, (x_key, y_key))
    else:
        arr = _np_load(path, mmap=True)
        if hasattr(arr, "files"):
            arr.close()
            raise DataError(f"{path}: is an .npz archive; give it the .npz extension")
        sib = y_path or _sibling_y(path)
        if sib is not None:
            X, ypath = arr, sib
            y = _np_load(sib, mmap=False)
            if hasattr(y, "files"):
                y.close()
                raise DataError(f"{sib}: expected a .npy array of targets, found an .npz archive")
        else:
            if arr.ndim != 2 or arr.shape[1] < 2:
                raise DataError(f"{path}: a single .npy needs shape (n, features + 1) with the target in "
                                f"a column, or a sibling y.npy; found shape {arr.shape}")
            j = arr.shape[1] - 1 if target is None else int(target) % arr.shape[1]
            if j == arr.shape[1] - 1:
                X, y = arr[:, :-1], arr[:, -1]          # views of the map
            elif j == 0:
                X, y = arr[:, 1:], arr[:, 0]
            else:
                X, y = np.delete(arr, j, axis=1), arr[:, j]
    if X.ndim < 2:
        raise DataError(f"{path}: X must have shape (n, features); found {X.shape}")
    if X.ndim > 2:
        X = X.reshape(len(X), -1)
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(X):
        raise DataError(f"{path}: X has {len(X)} rows but y ({os.path.basename(ypath)}) has "
                        f"{'no' if y.ndim == 0 else len(y)} rows")
    if len(X) == 0:
        raise DataError(f"{path}: no samples")
    n_read = len(X)
    if y.dtype.kind not in "fiubU":
        raise DataError(f"{ypath}: y holds {y.dtype} values; expected numbers or text labels")
    if y.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(y.reshape(len(y), -1)).all(axis=1))
        if len(bad):
            if missing != "drop":
                raise DataError(f"{ypath}, row {bad[0] + 1} (y[{bad[0]}]): the target is missing or not "
                                "finite" + ("; choose missing='drop' to leave such rows out"
                                            if missing == "error" else " (a target is never imputed)"))
            keep = np.ones(len(y), bool)
            keep[bad] = False
            X, y = np.asarray(X[keep]), y[keep]
    X, keep = _check_features(X, path, missing)
    if keep is not None:
        y = y[keep]
    if len(X) == 0:
        raise DataError(f"{path}: no samples left after dropping rows with missing values")
    y2 = y.reshape(len(y), -1)
    if y.dtype.kind == "U":
        if y2.shape[1] > 1:
            raise DataError(f"{ypath}: text targets must be one column; found shape {y.shape}")
        yv, task, names = _text_target(y2[:, 0], task, ypath, y_key)
    else:
        yv, task, names = _numeric_target(y2.astype(np.float64), task, ypath, y_key)
        huge = np.argwhere(np.abs(yv) > F32_MAX) if task == "regression" else ()
        if len(huge):
            i = int(huge[0][0])
            raise DataError(f"{ypath}, row {i + 1}: the target {float(yv.reshape(len(yv), -1)[i, 0]):g} is beyond "
                            f"float32's range (±{F32_MAX:.3g}); the loss would overflow. Rescale it")
    warnings = []
    if len(X) < n_read:
        warnings.append(f"{os.path.basename(path)}: missing='drop' left out {n_read - len(X)} of {n_read} "
                        "rows (rows with a missing value)")
    for w in warnings:
        log.warning("%s", w)
    return Dataset(X, yv, task, [f"x{j}" for j in range(X.shape[1])], names, os.path.basename(path),
                   warnings)
