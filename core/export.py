"""Trained weights out and back in: ``.npz`` (no pickle) and ``.safetensors``.

ONNX lives in ``core.onnx_export``. The optional packages (safetensors, onnx, onnxruntime) are
imported lazily; when one is missing the error says which extra to install.

Weight names are the plan's ``node_id/weight``. Metadata travels with the weights in every
format (``consumer_metadata``): what a consumer needs to use or rebuild the model — task, class
and feature names, the input scaler (so inference applies the same transform as training), the
training metrics, the kernel layout and the normalization layers' epsilon and momentum
convention — and what binds the weights to their design (design hash and name, dtype, epoch).
In safetensors and ONNX every metadata value is a string (JSON where structured).
"""
from __future__ import annotations

import importlib
import json
import os
from typing import Any

import numpy as np

from .atomic import atomic_write_bytes
from .errors import NetDesignerError, WeightsError
from .fileguard import require_regular_file
from .weights import FORMAT, load_weights, save_weights, validate_metadata

EXTRA_HINT = "pip install 'netdesigner[export]'"
FORMATS = ("npz", "safetensors", "onnx", "pytorch")
EXTENSION_FORMATS = {"npz": "npz", "safetensors": "safetensors", "onnx": "onnx", "py": "pytorch"}


class MissingExtraError(NetDesignerError):
    """An optional package is not installed; the message names it and the extra to install."""

    def __init__(self, package: str, purpose: str, extra: str = "export"):
        self.package = package
        self.extra = extra
        super().__init__(f"{purpose} needs the {package!r} package, which is not installed: "
                         f"pip install 'netdesigner[{extra}]'")


def require(module: str, purpose: str, extra: str = "export"):
    """Import an optional module or raise MissingExtraError naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(module.split(".")[0], purpose, extra) from None


def format_of(path: str | os.PathLike, fmt: str | None = None) -> str:
    """"npz", "safetensors", "onnx" or "pytorch" (.py): `fmt` if given, else from the file extension."""
    if fmt:
        if fmt not in FORMATS:
            raise WeightsError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext in EXTENSION_FORMATS:
        return EXTENSION_FORMATS[ext]
    raise WeightsError(f"cannot tell the format from the extension {ext!r}; use .npz, .safetensors, .onnx or .py "
                       "(or give the format)", file=os.fspath(path))


# ----------------------------------------------------------------------------- what gets written

KERNEL_LAYOUT = "[in, out]"
CONVENTIONS = ("Dense: y = x @ kernel + bias with kernel [in, out] (Keras; PyTorch's nn.Linear.weight is "
               "kernel.T). BatchNorm: y = gamma * (x - mean) / sqrt(var + epsilon) + beta; in training "
               "moving = momentum * moving + (1 - momentum) * batch with the biased batch variance (Keras; "
               "PyTorch's momentum is 1 - this and its running variance is unbiased). LayerNorm over the "
               "last axis with epsilon. Inputs: x_scaled = (x - scaler.offset) / scaler.scale per feature.")

# Keys a weights file carries into an export when the model at hand does not know them (the CLI
# exports through a fresh Model with no data loaded). The design_* keys always describe the design
# the export is built from, never the one the weights came from.
CARRIED_KEYS = ("task", "class_names", "feature_names", "metrics", "epoch", "scaler")


def normalization_layers(graph) -> dict[str, dict[str, Any]]:
    """{node_id: epsilon, momentum and its convention} for every BatchNorm and LayerNorm node."""
    out: dict[str, dict[str, Any]] = {}
    for nid, node in graph.nodes.items():
        if node.type == "BatchNorm":
            out[nid] = {"type": "BatchNorm", "epsilon": float(node.params["epsilon"]),
                        "momentum": float(node.params["momentum"]),
                        "momentum_convention": "keras: moving = momentum*moving + (1-momentum)*batch; "
                                               "torch momentum = 1 - momentum",
                        "moving_variance": "biased"}
        elif node.type == "LayerNorm":
            out[nid] = {"type": "LayerNorm", "epsilon": float(node.params["epsilon"]), "axis": -1}
    return out


def _empty(v) -> bool:
    return v is None or (isinstance(v, (dict, list, str)) and not v)


def consumer_metadata(obj, carried: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything an export records besides the weights, for a Model (or an Executor).

    carried: metadata read from the weights file the model was loaded from; its CARRIED_KEYS fill
    in what the model itself does not know (metrics and class names of a model built without data).
    """
    if hasattr(obj, "executor") and hasattr(obj, "metadata"):          # core.model.Model
        meta = dict(obj.metadata())
        meta["normalization"] = normalization_layers(obj.design.graph) or None
    elif hasattr(obj, "get_weights"):                                  # core.executor.Executor
        meta = {"dtype": obj.dtype.name}
    else:
        raise TypeError(f"expected a Model or an Executor, received {type(obj).__name__}")
    for key in CARRIED_KEYS:
        if _empty(meta.get(key)) and not _empty((carried or {}).get(key)):
            meta[key] = carried[key]
    meta["kernel_layout"] = KERNEL_LAYOUT
    meta["conventions"] = CONVENTIONS
    return meta


def _parts(obj, carried: dict[str, Any] | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(weights, metadata) of a Model or an Executor."""
    meta = consumer_metadata(obj, carried)
    weights = obj.executor.get_weights() if hasattr(obj, "executor") else obj.get_weights()
    return weights, meta


def export_npz(obj, path: str | os.PathLike, *, carried: dict[str, Any] | None = None,
               **extra_metadata) -> None:
    """Write the weights of a Model or Executor as ``.npz`` (same layout as ``Model.save_weights``)."""
    weights, meta = _parts(obj, carried)
    save_weights(path, weights, {**meta, **extra_metadata})


def _st_metadata(meta: dict[str, Any]) -> dict[str, str]:
    out = {"format": FORMAT, "version": "1"}
    for k, v in meta.items():
        if v is None:
            continue
        out[k] = v if isinstance(v, str) else json.dumps(v)
    return out


def export_safetensors(obj, path: str | os.PathLike, *, carried: dict[str, Any] | None = None,
                       **extra_metadata) -> None:
    """Write the weights of a Model or Executor as ``.safetensors`` with string metadata
    (``consumer_metadata``; structured values as JSON)."""
    st = require("safetensors.numpy", "Writing .safetensors")
    weights, meta = _parts(obj, carried)
    arrays = {k: np.ascontiguousarray(v) for k, v in weights.items()}
    data = st.save(arrays, metadata=_st_metadata({**meta, **extra_metadata}))
    atomic_write_bytes(path, data)


def export_weights(obj, path: str | os.PathLike, fmt: str | None = None, **kw) -> None:
    """Dispatch on the format (or the extension): npz, safetensors, onnx or pytorch (a .py module
    and its .safetensors weights, core.torch_export)."""
    fmt = format_of(path, fmt)
    if fmt == "npz":
        export_npz(obj, path, **kw)
    elif fmt == "pytorch":
        from .torch_export import export_pytorch
        export_pytorch(obj, path, **kw)
    elif fmt == "safetensors":
        export_safetensors(obj, path, **kw)
    else:
        from .onnx_export import export_onnx
        export_onnx(obj, path, **kw)


# ----------------------------------------------------------------------------- reading back

# Metadata that is text, never JSON: a design named "2024" or "null" must come back as that text.
_TEXT_KEYS = ("format", "design_hash", "design_name", "design_file", "dtype", "task", "kernel_layout",
              "conventions", "output_node")


def _decode_st_metadata(raw: dict[str, str] | None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for k, v in (raw or {}).items():
        if k in _TEXT_KEYS:
            meta[k] = v
            continue
        try:
            meta[k] = json.loads(v)
        except (TypeError, json.JSONDecodeError):
            meta[k] = v
    return meta


def load_safetensors(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    path = os.fspath(path)
    require("safetensors", "Reading .safetensors")
    from safetensors import safe_open
    if not os.path.exists(path):
        raise WeightsError("file not found", file=path)
    try:
        with safe_open(path, framework="np") as f:
            raw = f.metadata()
            arrays = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:   # the loader raises its own SafetensorError / OSError / ValueError
        raise WeightsError(f"not a readable .safetensors file ({e})", file=path) from None
    for name, a in arrays.items():
        if a.dtype.kind != "f":
            raise WeightsError(f"{name} holds {a.dtype} values, expected floating point", file=path)
    # the fields NetDesigner reads back (epoch, scaler, names) checked as for .npz
    return arrays, validate_metadata(_decode_st_metadata(raw), path, foreign_ok=True)


def read_weights_file(path: str | os.PathLike, **npz_options) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(weights, metadata) from an ``.npz`` or ``.safetensors`` file (by extension, else by content).
    npz_options (``expected``, ``only``) go to ``core.weights.load_weights``."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext != ".onnx":
        require_regular_file(path, lambda reason: WeightsError(reason, file=path))   # never open a FIFO
    if ext == ".safetensors":
        return load_safetensors(path)
    if ext == ".npz":
        return load_weights(path, **npz_options)
    if ext == ".onnx":
        raise WeightsError("ONNX files are an export format only; import .npz or .safetensors weights",
                           file=path)
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise WeightsError(f"cannot read the file ({e.strerror})", file=path) from None
    return load_weights(path, **npz_options) if magic.startswith(b"PK") else load_safetensors(path)


def import_weights(model, path: str | os.PathLike) -> dict[str, Any]:
    """Load every weight of `model` from ``.npz``/``.safetensors``; names and shapes must match.

    Raises WeightsError listing every missing, unexpected and mis-shaped weight. The scaler stored
    with the weights replaces the model's (inference then applies the training transform).
    Returns the metadata.
    """
    from .data import Scaler
    path = os.fspath(path)
    # expected: an .npz that does not fit is refused from its headers, before its data is read
    weights, meta = read_weights_file(path, expected={w.name: w.shape for w in model.executor.plan.weights})
    try:
        model.executor.set_weights(weights)
    except WeightsError as e:
        raise WeightsError("the weights do not fit this design", e.mismatches, file=path) from None
    if meta.get("scaler"):
        model.scaler = Scaler.from_dict(meta["scaler"])
    try:
        model.trained_epochs = int(meta.get("epoch", 0) or 0)
    except (TypeError, ValueError):
        pass
    metrics = meta.get("metrics")
    if isinstance(metrics, dict) and not getattr(model, "last_logs", None):
        model.last_logs = dict(metrics)       # re-exporting keeps the metrics training measured
    return meta
