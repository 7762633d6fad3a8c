"""Pre-flight: every reason a design would fail to train (or train uselessly), found before Train.

``preflight(design)`` runs the graph's own ``check()`` and then what only Train used to find out:
whether the data loads, whether its features fit the Input nodes and its targets the output node
and the loss, whether the loss fits the output's activation, whether the training settings can run
and how much memory the plan would take. Every problem comes back at once, as a ``GraphError`` (the
type ``graph.check()`` returns) so the designer's Problems panel and the CLI show both alike.

Loading a data set can take a while (a large CSV), so ``data_summary`` caches a small summary of
the prepared data keyed by the data settings and the files' modification times: the designer calls
``preflight`` on every edit with ``data_loader=cached_data_summary`` (never loads) and loads a
missing summary off the GUI thread.

The target checks here are the ones ``Model.shape_targets`` raises during training (it calls
``check_targets``), so the pre-flight cannot drift from Train.
"""
from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from .errors import DataError, GraphError, NetDesignerError

# Blocks that pass their input's values through in inference: look behind them for the activation
# that decides what the output means (Softmax → Dropout is still a softmax output).
_PASS_THROUGH = ("Dropout", "AlphaDropout", "Flatten")
_PROBABILITY = ("Sigmoid", "Softmax")


class PreflightProblem(GraphError):
    """A problem found before training that is not about the graph's structure alone.

    Attributes:
        kind: "data" (the data cannot be loaded), "targets" (data and design disagree), "loss"
            (loss and output activation disagree), "settings" or "memory".
        severity: "error" (Train would fail or cannot learn anything) or "warning" (Train runs,
            but most likely not as meant).
    """

    def __init__(self, reason: str, node_id: str | None = None, label: str | None = None, *,
                 kind: str = "data", severity: str = "error"):
        self.kind = kind
        self.severity = severity
        super().__init__(reason, node_id, label)


def is_error(problem) -> bool:
    """Graph problems are always errors; pre-flight problems say which they are."""
    return getattr(problem, "severity", "error") == "error"


# ---- the data, summarised and cached ------------------------------------------------------------

@dataclass(frozen=True)
class DataSummary:
    """What the checks need to know about a prepared data set (kept instead of the arrays)."""
    name: str
    task: str                 # binary | multiclass | regression
    n_classes: int            # 0 for regression
    n_features: int           # width of one sample of X
    target_columns: int       # columns of y as loaded (1 for class labels)
    n_train: int
    sample_shape: tuple | None = None    # images (H, W, C) / sequences (T, F); None: flat rows


_CACHE_SIZE = 8
_cache: "OrderedDict[str, DataSummary | NetDesignerError]" = OrderedDict()
_cache_lock = threading.Lock()


def _file_stamp(path: str) -> list:
    if not path:
        return [None]
    full = os.path.abspath(path)
    try:
        st = os.stat(full)
        return [full, st.st_mtime_ns, st.st_size]
    except OSError:
        return [full, None]


def design_data_settings(design) -> dict:
    """The design's data settings with a relative file path resolved against the design file's
    folder (``Design.folder``), as Train reads them: what the loaders and the cache get."""
    from .dataio import resolved_data_settings
    return resolved_data_settings(design.data, getattr(design, "folder", "") or None)


def data_key(data_settings: dict) -> str:
    """Cache key: the data settings plus the files they name (path, modification time, size), so
    an edited or replaced file is loaded again while unchanged settings are not."""
    options = data_settings.get("options") or {}
    files = [_file_stamp(data_settings.get("path", "") or "")]
    if options.get("y_path"):
        files.append(_file_stamp(str(options["y_path"])))
    return json.dumps([data_settings, files], sort_keys=True, default=str)


def summarise(d) -> DataSummary:
    """The summary of a ``PreparedData`` (for callers that loaded the data themselves)."""
    X, y = d.X_train, d.y_train
    width = 1
    for s in X.shape[1:]:
        width *= int(s)
    shape = getattr(d, "sample_shape", None)
    return DataSummary(d.name, d.task, int(d.n_classes), width,
                       1 if y.ndim == 1 else int(y.shape[1]), int(len(X)),
                       tuple(int(v) for v in shape) if shape else None)


def _summarise(data_settings: dict) -> DataSummary:
    from .model import load_design_data    # the loader Train uses: same splits, same errors
    return summarise(load_design_data(data_settings))


def data_summary(data_settings: dict) -> DataSummary:
    """The summary of the design's data, loading it only when its settings or files changed.

    Raises:
        NetDesignerError (or OSError): the data cannot be loaded; the error is cached too, so a
            missing file is not looked for again until the settings or the file change.
    """
    key = data_key(data_settings)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
    if hit is None:
        try:
            hit = _summarise(data_settings)
        except NetDesignerError as e:
            hit = e
        except (OSError, ValueError, MemoryError) as e:
            hit = DataError(str(e) or type(e).__name__)
        with _cache_lock:
            _cache[key] = hit
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    if isinstance(hit, BaseException):
        raise hit
    return hit


def cached_data_summary(data_settings: dict) -> DataSummary | None:
    """The cached summary (or raises the cached error); None when it has not been loaded yet."""
    with _cache_lock:
        hit = _cache.get(data_key(data_settings))
    if isinstance(hit, BaseException):
        raise hit
    return hit


def clear_data_cache() -> None:
    with _cache_lock:
        _cache.clear()


# ---- the checks Train makes, as functions both use ----------------------------------------------

def check_targets(loss_name: str, out_width: int, out_node: str, *, task: str, n_classes: int,
                  target_columns: int, data_name: str) -> None:
    """Raise the DataError Train would raise when the targets do not fit the loss and output.

    Args:
        loss_name: canonical loss name.
        out_width: units of the output node; out_node: its id.
        task, n_classes, target_columns, data_name: of the prepared data set.
    """
    from .losses import LOSSES
    loss = LOSSES.get(loss_name)
    if loss.targets in ("labels", "onehot"):
        if task == "regression":
            raise DataError(f"{loss.name} is a classification loss but the data set {data_name!r} is a "
                            "regression task; use mse, mae or huber")
        k = max(n_classes, 2)
        if out_width != k:
            raise DataError(f"The output node {out_node!r} has {out_width} units but the data set "
                            f"{data_name!r} has {k} classes: {loss.name} needs one output unit per class")
        return
    if loss.targets == "binary":
        if task != "binary":
            raise DataError(f"binary_crossentropy needs a two-class data set; {data_name!r} is {task}")
        if out_width != 1:
            raise DataError(f"The output node {out_node!r} has {out_width} units; binary_crossentropy "
                            "needs exactly 1 (a probability or a logit)")
        return
    columns = n_classes if task == "multiclass" else target_columns   # labels become one-hot
    if columns != out_width:
        raise DataError(f"The output node {out_node!r} has {out_width} units but the targets of "
                        f"{data_name!r} have {columns} column{'s' if columns != 1 else ''}")


def check_feature_width(plan, width: int, what: str = "data") -> None:
    """Raise the DataError Train would raise when the data's features do not fit the Input nodes."""
    if width != plan.n_features:
        inputs = ", ".join(f"{nid} ({w})" for nid, _, w in plan.inputs)
        raise DataError(f"The {what} has {width} features but the design's Input nodes take "
                        f"{plan.n_features}: {inputs}")


# ---- pre-flight ---------------------------------------------------------------------------------

def preflight(design, *, data_loader: Callable[[dict], DataSummary | None] = data_summary,
              graph_problems: list | None = None) -> list:
    """Every problem that would stop (or spoil) training this design, at once.

    Args:
        design: a ``core.designfile.Design``.
        data_loader: ``data_summary`` (loads, cached) or ``cached_data_summary`` (never loads;
            returns None when the data has not been summarised yet, and the data checks are
            skipped).
        graph_problems: ``design.graph.check()`` when the caller has it already (the designer's
            scene computes it on every edit); checked here otherwise.

    Returns:
        ``graph.check()``'s problems followed by ``PreflightProblem``s; empty when Train can run.
    """
    graph = design.graph
    training = design.training
    problems: list = list(graph.check() if graph_problems is None else graph_problems)
    plan = None
    if not problems:
        from .plan import compile_plan
        try:
            plan = compile_plan(graph, training["loss"]["name"], training["loss"]["params"])
        except GraphError as e:              # e.g. the memory the plan needs (MemoryLimitError)
            problems.append(e)
        except NetDesignerError as e:
            problems.append(_from_error(e, kind="loss"))
        except (KeyError, ValueError) as e:
            problems.append(PreflightProblem(f"the loss cannot be used: {e}", kind="loss"))
    if plan is not None:
        problems += loss_activation_problems(design, plan)
        problems += memory_problems(design, plan)
        problems += device_problems(design, plan)
    problems += settings_problems(design)
    try:
        summary = data_loader(design_data_settings(design))    # relative paths: the design's folder
    except NetDesignerError as e:
        problems.append(_from_error(e, kind="data", prefix="the data cannot be loaded: "))
        summary = None
    except OSError as e:
        problems.append(PreflightProblem(f"the data cannot be loaded: {e}", kind="data"))
        summary = None
    if plan is not None and summary is not None:
        problems += data_fit_problems(design, plan, summary)
    return problems


def _from_error(e: NetDesignerError, *, kind: str, prefix: str = "") -> PreflightProblem:
    node = getattr(e, "node_id", None)
    reason = getattr(e, "reason", None) if node is not None else None
    text = reason or " ".join(str(e).split())
    return PreflightProblem(prefix + text, node, getattr(e, "label", None), kind=kind)


def data_fit_problems(design, plan, summary: DataSummary) -> list:
    """Features against the Input nodes, targets against the output node and the loss."""
    out: list = []
    node = design.graph.nodes.get(plan.output_node)
    label = node.label if node is not None else None
    shape_problem = input_shape_problem(design, plan, summary)
    if shape_problem is not None:
        out.append(shape_problem)
    else:
        try:
            check_feature_width(plan, summary.n_features, f"data set {summary.name!r}")
        except DataError as e:
            out.append(PreflightProblem(str(e), kind="targets"))
    try:
        from .losses import LOSSES
        check_targets(LOSSES.canonical(design.training["loss"]["name"]), plan.output_width,
                      plan.output_node, task=summary.task, n_classes=summary.n_classes,
                      target_columns=summary.target_columns, data_name=summary.name)
    except DataError as e:
        out.append(PreflightProblem(str(e), plan.output_node, label, kind="targets"))
    return out


def input_shape_problem(design, plan, summary: DataSummary) -> PreflightProblem | None:
    """A data set of images or sequences against a design's single Input: their shapes, not only
    their widths, named by the Input node. Another width is an error; the same width read as
    another shape (64 flat values for 8×8×1 images) trains, so it is a warning."""
    shape = summary.sample_shape
    if not shape or len(plan.inputs) != 1:
        return None
    nid = plan.inputs[0][0]
    node = design.graph.nodes.get(nid)
    if node is None:
        return None
    expects = tuple(int(v) for v in node.params.get("shape", ()))
    if expects == tuple(shape):
        return None
    what = {3: "images", 2: "sequences"}.get(len(shape), "samples")
    want = "[" + ", ".join(str(v) for v in shape) + "]"
    same_width = summary.n_features == plan.n_features
    reason = (f"{nid} expects {expects} but the data set {summary.name} gives {what} {tuple(shape)}: set the "
              f"Input's shape to {want}" + (" (or keep it to read each sample as one flat row)" if same_width
                                            else ""))
    return PreflightProblem(reason, nid, node.label, kind="targets",
                            severity="warning" if same_width else "error")


def _output_activation(graph, out_node: str) -> tuple[str, str]:
    """(node id, type) of the block that decides what the output values mean."""
    nid = out_node
    seen = set()
    while graph.nodes[nid].type in _PASS_THROUGH and nid not in seen:
        seen.add(nid)
        edges = graph.input_edges(nid)
        if len(edges) != 1 or edges[0] is None:
            break
        nid = edges[0].source
    return nid, graph.nodes[nid].type


def loss_activation_problems(design, plan) -> list:
    """The loss against the output's activation: the mismatches that train, but uselessly."""
    from .losses import LOSSES
    graph = design.graph
    loss_cfg = design.training["loss"]
    loss = LOSSES.get(LOSSES.canonical(loss_cfg["name"]))
    logits = bool(loss_cfg.get("params", {}).get("from_logits", False))
    act_id, act = _output_activation(graph, plan.output_node)
    node = graph.nodes[act_id]
    width = plan.output_width
    out: list = []

    def add(reason, severity="warning"):
        out.append(PreflightProblem(reason, act_id, node.label, kind="loss", severity=severity))

    if act == "Softmax" and width == 1:
        add("a Softmax over 1 unit always outputs 1.0, so nothing can be learned; use Sigmoid for "
            "one unit (binary_crossentropy) or give the layer before it one unit per class",
            severity="error")
        return out
    if loss.name == "binary_crossentropy" and act == "Softmax":
        add("binary_crossentropy expects one Sigmoid unit (or a raw score with from_logits); this "
            "output is a Softmax")
    elif loss.targets in ("labels", "onehot") and act == "Sigmoid":
        add(f"{loss.name} expects a Softmax output (class probabilities that sum to 1); this output "
            "is a Sigmoid")
    if loss.task in ("binary", "multiclass"):
        if logits and act in _PROBABILITY:
            add(f"from_logits is ticked but the output already goes through {act}: the loss applies "
                f"{'a sigmoid' if loss.task == 'binary' else 'a softmax'} again; untick from_logits "
                f"or remove the {act} block")
        elif not logits and act not in _PROBABILITY:
            add(f"{loss.name} reads the output as probabilities but it is a raw score ({act}): "
                "values outside [0, 1] are clipped and stop learning; tick from_logits or add "
                f"{'a Sigmoid' if loss.task == 'binary' else 'a Softmax'} block")
    return out


def settings_problems(design) -> list:
    """Training settings that the trainer refuses when it starts."""
    t = design.training
    out: list = []
    cp = t.get("checkpoint") or {}
    if cp.get("enabled") and not cp.get("path"):
        out.append(PreflightProblem("checkpoint is enabled but no path is set (training.checkpoint.path)",
                                    kind="settings"))
    if t.get("device") == "cuda":
        from .cuda_backend import cuda_available
        if not cuda_available():
            out.append(PreflightProblem("device 'cuda' was asked for but no CUDA GPU is available here; "
                                        "use the CPU", kind="settings"))
    return out


def device_problems(design, plan) -> list:
    """On the CUDA device, one problem per block whose op is not on CUDA yet (its module under
    core/ops/ says ``CUDA = None``), naming the block — before training, not in the middle of it."""
    if design.training.get("device") != "cuda":
        return []
    from .cuda_backend import cuda_missing
    return [PreflightProblem(f"{block} is not available on the CUDA device yet; train this design on the CPU",
                             node, getattr(design.graph.nodes.get(node), "label", None), kind="settings")
            for node, block in cuda_missing(plan)]


def memory_problems(design, plan) -> list:
    """The memory the plan would allocate at the design's batch size, against the machine's limit
    (core.plan.estimate_memory: a MemoryLimitError naming the largest layer and the bytes)."""
    from .plan import estimate_memory
    t = design.training
    try:
        estimate_memory(plan, t["batch_size"], t["dtype"])
    except GraphError as e:
        return [e]
    except NetDesignerError as e:
        return [_from_error(e, kind="memory")]
    return []
