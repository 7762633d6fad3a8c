"""PyTorch code export: a design becomes a readable, runnable Python module.

``netdesigner export DESIGN WEIGHTS --format pytorch -o model.py`` writes ``model.py`` and, next to
it, ``model.safetensors`` (the weights in NetDesigner's own layout, ``core.export``). The module
holds:

* an ``nn.Module`` equal to the design: one submodule per block, named after the node id, and a
  ``forward`` written out in topological order with each tensor's shape in a comment;
* ``load_model(path)``: the module with the exported weights loaded — the file keeps NetDesigner's
  (Keras') layouts, converted by the named ``TRANSFORMS`` the generated file carries (Dense
  kernels transposed for ``nn.Linear``, conv kernels permuted, GRU gates reordered; applied back
  by ``save_weights``, exactly) — the input scaling as buffers applied by ``preprocess`` at the
  start of ``forward``, and the class names;
* ``train(model, X, y, ...)``: the design's loss, optimizer, learning-rate schedule, gradient
  clipping and early stopping, with NetDesigner's conventions (``core/optimizers.py``,
  ``core/schedules.py``, ``core/callbacks.py``) written out, and a ``__main__`` that trains on an
  ``.npz`` of raw features — the path to ``torchrun`` and DistributedDataParallel.

Shaped samples: the data comes flat, each Input reshapes its columns to its sample shape; images
stay channels-last (NetDesigner's layout) except between layers that want channels-first
(nn.Conv2d, the pools), with a permute only where the layout changes (torch_templates.TorchBlock).

The generator is plain text work: core never imports torch; only the generated file does.
Where NetDesigner's block has no exact ``torch.nn`` twin (Step, BatchNorm's Keras momentum and
biased moving variance, the classic non-inverted Dropout, PReLU on a multi-axis sample) the
file defines a small module of its own and says why.
"""
from __future__ import annotations

import keyword
import os
import re
from math import prod
from typing import Any

from .torch_templates import (
    ANY, HELPER_CLASSES, NATIVE, NCHW, PERMUTE, WEIGHT_TRANSFORMS, TorchExportError, block_module,
    clip_gradients_source, comment_text, loss_source, main_source, optimizer_source,
    regularization_source, schedule_source, transforms_source, weights_io_source,
)

# Names a submodule or local variable may not take: Python's, the module's own helpers, and the
# attributes every nn.Module already has.
_RESERVED = {
    "x", "self", "torch", "nn", "F", "math", "json", "os", "argparse", "np", "logits", "return_logits",
    "scaled", "preprocess", "forward", "training", "train", "eval", "to", "cuda", "cpu", "float",
    "double", "half", "apply", "modules", "children", "parameters", "buffers", "state_dict",
    "load_state_dict", "zero_grad", "register_buffer", "register_parameter", "add_module",
    "get_submodule", "get_parameter", "get_buffer", "named_modules", "named_parameters",
    "named_buffers", "requires_grad_", "type", "input_offset", "input_scale", "class_names",
    "feature_names", "task", "metadata", "dump_patches", "call_super_init", "T_destination",
    "input", "sum", "len", "range", "list", "dict", "min", "max", "abs", "print", "super", "id",
    "bfloat16", "compile", "extra_repr", "get_extra_state", "ipu", "mtia", "named_children",
    "register_backward_hook", "register_forward_hook", "register_forward_pre_hook",
    "register_full_backward_hook", "register_full_backward_pre_hook",
    "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook", "register_module",
    "register_state_dict_post_hook", "register_state_dict_pre_hook", "set_extra_state",
    "set_submodule", "share_memory", "to_empty", "xpu", "copy", "DTYPE", "WEIGHTS", "TRAINING",
}


# ----------------------------------------------------------------------------- names

def python_names(ids: list[str]) -> dict[str, str]:
    """A distinct Python identifier per node id: invalid characters become '_', and names that
    clash with Python, the module's helpers or nn.Module's attributes get a suffix."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for nid in ids:
        base = re.sub(r"\W", "_", nid, flags=re.ASCII) or "node"
        if base[0].isdigit() or base[0] == "_":      # nn.Module keeps its state in _-names
            base = "n_" + base.lstrip("_")
        if keyword.iskeyword(base) or base in _RESERVED:
            base = base + "_"
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        out[nid] = name
    return out


def class_name_for(design_name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", design_name or "")
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Network"
    if name[0].isdigit():
        name = "Net" + name
    return name if name not in ("Network", "Module") or words else "Network"


def _shape_comment(shape: tuple[int, ...]) -> str:
    return "(batch, " + ", ".join(str(s) for s in shape) + ")"


def _settings_literal(settings: dict) -> str:
    """A dict literal, one key per line (nested dicts on one line)."""
    return "{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in settings.items()) + "}"


# ----------------------------------------------------------------------------- the network

class _Gen:
    """Turns a validated graph into the text of __init__ and forward."""

    def __init__(self, design):
        graph = design.graph
        problems = graph.check()
        if problems:
            raise TorchExportError(f"the design has problems; fix them before exporting: {problems[0]}")
        self.graph = graph
        self.design = design
        self.shapes = graph.infer_shapes()
        inputs = graph.input_nodes()
        order = [n for n in graph.topological_order() if n not in set(inputs)]
        self.inputs = inputs
        self.order = inputs + order                 # as core.plan lays it out
        self.output = graph.output_node()
        self.names = python_names(self.order)
        self.helpers: set[str] = set()
        self.init: list[str] = []
        self.fwd: list[str] = []
        # (file name, module attribute or a tuple of them, transform name or None)
        self.weights: list[tuple[str, str | tuple[str, ...], str | None]] = []
        self.layout: dict[str, str] = {}        # node id → NATIVE or NCHW (torch_templates)
        self.logits_var: str | None = None
        self.n_features = sum(prod(self.shapes[i]) for i in inputs)

    def shape_in(self, nid, port=0):
        e = self.graph.input_edges(nid)[port]
        return self.shapes[e.source]

    def src(self, nid) -> list[str]:
        return [self.names[e.source] for e in self.graph.input_edges(nid)]

    def weight(self, file_name: str, attr: str | tuple[str, ...], transform: str | None = None) -> None:
        """NetDesigner's weight `file_name` is the module's `attr` (a tuple: split over several)
        once `transform` (a name in torch_templates.WEIGHT_TRANSFORMS; None: as it is) is applied."""
        if transform is not None and transform not in WEIGHT_TRANSFORMS:
            raise TorchExportError(f"unknown weight transform {transform!r} for {file_name}")
        self.weights.append((file_name, attr, transform))

    def arg(self, source: str, want: str) -> str:
        """The variable of node `source` in layout `want` (a permute where it has the other one)."""
        have = self.layout[source]
        v = self.names[source]
        return v if want in (ANY, have) else v + PERMUTE[(have, want)]

    def comment(self, nid: str) -> str:
        """The shape the tensor of `nid` has in the generated forward."""
        shape = self.shapes[nid]
        if self.layout.get(nid) == NCHW:
            h, w_, c = shape
            return f"# (batch, {c}, {h}, {w_}) channels-first"
        return f"# {_shape_comment(shape)}"

    def regularized(self) -> dict[str, tuple[float, float]]:
        """Module attribute → (l1, l2) of every weight the design penalises (its WeightSpecs)."""
        from .blocks import BLOCKS
        attrs = {f: (a if isinstance(a, tuple) else (a,)) for f, a, _ in self.weights}
        out = {}
        for nid, node in self.graph.nodes.items():
            block = BLOCKS.get(node.type)
            if not block.has_weights:
                continue
            shapes = [self.shapes[e.source] for e in self.graph.input_edges(nid)]
            for spec in block.weight_specs(node.params, shapes):
                if spec.l1 or spec.l2:
                    for a in attrs[f"{nid}/{spec.name}"]:
                        out[a] = (float(spec.l1), float(spec.l2))
        return out

    def build(self) -> None:
        from .blocks import BLOCKS
        col = 0
        for nid in self.order:
            node = self.graph.nodes[nid]
            v = self.names[nid]
            shape = self.shapes[nid]
            self.layout[nid] = NATIVE
            comment = self.comment(nid)
            t = node.type
            p = node.params
            label = f" “{comment_text(node.label, 60)}”" if node.label and node.label != nid else ""
            head = f"{t} {nid!r}{label}"
            if t == "Input":
                width = prod(shape)
                cols = f"x[:, {col}:{col + width}]"
                expr = cols if len(shape) == 1 else f"{cols}.reshape(-1, {', '.join(map(str, shape))})"
                self.fwd.append(f"{v} = {expr}  {comment} {head}: feature columns {col}..{col + width - 1}")
                col += width
                continue
            sources = [e.source for e in self.graph.input_edges(nid)]
            if t == "Flatten":        # in NetDesigner's (channels-last) order, as the next Dense expects
                self.fwd.append(f"{v} = {self.arg(sources[0], NATIVE)}.flatten(1)  {comment} {head}")
                continue
            if t == "Add":            # a layout all inputs share is kept, else NetDesigner's
                layouts = {self.layout[s] for s in sources}
                self.layout[nid] = layouts.pop() if len(layouts) == 1 else NATIVE
                comment = self.comment(nid)
                terms = " + ".join(self.arg(s, self.layout[nid]) for s in sources)
                self.fwd.append(f"{v} = {terms}  {comment} {head}")
                continue
            if t == "Concat":
                args = ", ".join(self.arg(s, NATIVE) for s in sources)
                self.fwd.append(f"{v} = torch.cat([{args}], dim=1)  {comment} {head}")
                continue
            tb = block_module(self, nid, t, p)
            if tb.module is not None:
                self.init.append(f"# {head}{tb.comment}")
                self.init.append(f"self.{v} = {tb.module}")
                self.init.extend(line.format(m=f"self.{v}") for line in tb.init)
                if BLOCKS.get(t).has_weights and not p.get("trainable", True):
                    self.init.append(f"self.{v}.requires_grad_(False)  # frozen in the design (buffers still update)")
            x = self.arg(sources[0], tb.reads)
            self.layout[nid] = tb.writes or (self.layout[sources[0]] if tb.reads == ANY else tb.reads)
            comment = self.comment(nid)
            multi_axis = len(self.shape_in(nid)) > 1
            if t == "Softmax" and nid == self.output:
                self.logits_var = x
                self.fwd.append("if return_logits:  # the scores the fused softmax + cross-entropy loss reads")
                self.fwd.append(f"    return {x}" + (".flatten(1)" if multi_axis else ""))
            if t in ("PReLU", "Softmax") and multi_axis:
                # NetDesigner stores a sample flat: one slope per element, a softmax over all of them
                self.fwd.append(f"{comment} {head}, over the sample's {prod(shape)} values")
                self.fwd.append(f"{v} = self.{v}({x}.flatten(1)).view_as({x})")
                continue
            call = tb.call.format(m=f"self.{v}", x=x)
            self.fwd.append(f"{v} = {call}  {comment} {head}")

# ----------------------------------------------------------------------------- the whole file

def generate_module(design, *, weights_file: str = "", metadata: dict[str, Any] | None = None,
                    design_file: str = "", module_file: str = "model.py") -> str:
    """The text of a Python module that rebuilds and trains `design` in PyTorch.

    weights_file: the safetensors file `load_model()` reads by default (a name next to the module).
    metadata: the weights' metadata (task, class names) for the docstring and the defaults.
    """
    meta = dict(metadata or {})
    g = _Gen(design)
    g.build()
    t = design.training
    cls = class_name_for(design.name)
    out_shape = g.shapes[g.output]
    out_width = prod(out_shape)
    fused = g.logits_var is not None and t["loss"]["name"] in (
        "categorical_crossentropy", "sparse_categorical_crossentropy", "cce", "sparse_cce") \
        and not t["loss"]["params"].get("from_logits")
    from .losses import LOSSES
    loss_name = LOSSES.canonical(t["loss"]["name"])
    task = meta.get("task") or LOSSES.get(loss_name).task
    logit_out = bool(t["loss"]["params"].get("from_logits"))
    regularized = g.regularized()
    es = t["early_stopping"]
    dtype = "torch.float64" if t["dtype"] == "float64" else "torch.float32"
    title = comment_text(design.name or "Untitled design")
    src = f" from {comment_text(design_file)}" if design_file else ""
    wfile = weights_file or "weights.safetensors"
    monitors = ["loss"] + (["accuracy"] if task in ("binary", "multiclass") else ["mae", "mse"])

    out: list[str] = []
    w = out.append
    w(f'"""{title} — a PyTorch module generated by NetDesigner{src}.')
    w("")
    w("Inference:")
    w("")
    w(f"    model = load_model({wfile!r})       # eval mode, weights and input scaling loaded")
    w("    output = model(torch.as_tensor(X_raw, dtype=DTYPE))   # raw (unscaled) features, as NetDesigner's predict")
    w("")
    w("Training (the design's loss, optimizer, schedule, clipping and early stopping):")
    w("")
    w(f"    python {comment_text(module_file)} --data data.npz    # X (n, features) raw, y: labels or values")
    w("")
    w("Conventions: NetDesigner's files keep Keras' layouts (Dense kernels [in, out], nn.Linear.weight is")
    w("the transpose; TRANSFORMS lists every conversion); BatchNorm keeps NetDesigner's statistics exactly")
    w("(see KerasBatchNorm1d); inputs are scaled inside the module by `preprocess` (x − offset) / scale")
    w("with the scaler fitted at training. Several Input blocks take consecutive feature columns, in the")
    w("order of their ids. Images are channels-last (batch, H, W, C) as in NetDesigner and Keras, and")
    w("permuted to channels-first only around the layers that need it (nn.Conv2d, the pools).")
    w('"""')
    w("from __future__ import annotations")
    w("")
    w("import argparse")
    w("import copy")
    w("import json")
    w("import math")
    w("import os")
    w("")
    w("import torch")
    w("import torch.nn.functional as F")
    w("from torch import nn")
    w("")
    w(f"DESIGN_NAME = {design.name!r}")
    w(f"N_FEATURES = {g.n_features}  # columns of X: every Input block's features, side by side")
    w(f"OUTPUT_WIDTH = {out_width}")
    w(f"TASK = {task!r}")
    w(f"DTYPE = {dtype}")
    w(f"WEIGHTS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), {wfile!r})")
    w("")
    w("# The design's training settings, as NetDesigner stored them (read by train() below).")
    settings = {k: t[k] for k in ("batch_size", "epochs", "seed", "clip_norm", "clip_value")}
    settings["validation_split"] = design.data.get("validation_split", 0.2)
    settings["early_stopping"] = dict(es)
    w("TRAINING = " + _settings_literal(settings))
    w("# Kernels with an L1/L2 penalty (Keras: l1·Σ|w| + l2·Σw², added to the loss), by parameter name.")
    w("REGULARIZED = " + _settings_literal({k: {"l1": a, "l2": b} for k, (a, b) in regularized.items()}))
    w("# NetDesigner weight name → (attribute(s) of the module, layout transform: see TRANSFORMS)")
    w("WEIGHTS = {")
    for fname, attr, tr in g.weights:
        w(f"    {fname!r}: ({attr!r}, {tr!r}),")
    w("}")
    w("")
    out.extend(transforms_source({tr for _, _, tr in g.weights}))
    for h in ("Step", "BatchNorm", "ClassicDropout", "SamePool2d"):
        if h in g.helpers:
            w("")
            out.extend(HELPER_CLASSES[h].rstrip().split("\n"))
    w("")
    w("")
    w(f"class {cls}(nn.Module):")
    w(f'    """The design “{title}”: one submodule per block, named after its node id."""')
    w("")
    w("    def __init__(self):")
    w("        super().__init__()")
    w("        # Input scaling (x − offset) / scale, fitted on the training data; load_model() sets it.")
    w("        self.register_buffer(\"input_offset\", torch.zeros(N_FEATURES))")
    w("        self.register_buffer(\"input_scale\", torch.ones(N_FEATURES))")
    for line in g.init:
        w("        " + line)
    w("        self.class_names: list[str] | None = None    # set by load_model() from the weights' metadata")
    w("        self.feature_names: list[str] | None = None")
    w("        self.metadata: dict = {}")
    w("")
    w("    def preprocess(self, x: torch.Tensor) -> torch.Tensor:")
    w('        """Raw features → the scaled features the network was trained on."""')
    w("        return (x - self.input_offset) / self.input_scale")
    w("")
    sig = ", return_logits: bool = False" if g.logits_var else ""
    w(f"    def forward(self, x: torch.Tensor, *, scaled: bool = False{sig}) -> torch.Tensor:")
    w(f'        """x: (batch, {g.n_features}) raw features (scaled=True: already scaled). Returns the output of '
      f'{g.output!r}."""')
    w("        x = x.reshape(len(x), -1)")
    w("        if not scaled:")
    w("            x = self.preprocess(x)")
    for line in g.fwd:
        w("        " + line)
    w(f"        return {g.arg(g.output, NATIVE)}"
      + (".flatten(1)  # NetDesigner's outputs are flat" if len(out_shape) > 1 else ""))
    w("")
    w("")
    out.extend(weights_io_source(cls))
    w("")
    w("")
    w("# ---------------------------------------------------------------------------- training")
    w("")
    out.extend(loss_source(t, fused, task, out_width))
    w("")
    w("")
    out.extend(regularization_source())
    w("")
    w("")
    out.extend(optimizer_source(t))
    w("")
    w("")
    out.extend(schedule_source(t))
    w("")
    w("")
    out.extend(clip_gradients_source())
    w("")
    w("")
    w("@torch.no_grad()")
    w("def evaluate(model, X, y) -> dict:")
    w(f'    """Loss (with the penalty) and {", ".join(monitors[1:])} in eval mode."""')
    w("    model = getattr(model, \"module\", model)    # unwrap DistributedDataParallel")
    w("    model.eval()")
    w("    X = torch.as_tensor(X, dtype=DTYPE, device=_device(model))")
    w("    target = prepare_targets(y).to(X.device)")
    if g.logits_var:
        w("    out = model(X, return_logits=True)")
        w("    scores = model.get_submodule(%r)(out)" % g.names[g.output])
        w("    logs = {\"loss\": float(loss_fn(%s, target) + regularization(model))}" % ("out" if fused else "scores"))
    else:
        w("    scores = model(X)")
        w("    logs = {\"loss\": float(loss_fn(scores, target) + regularization(model))}")
    if task in ("binary", "multiclass"):
        threshold = "0.0" if logit_out else "0.5"
        w("    labels = torch.as_tensor(y).reshape(len(X), -1).to(X.device)")
        w("    labels = labels.argmax(dim=1) if labels.shape[1] > 1 else labels[:, 0].long()")
        w("    if scores.shape[1] == 1:")
        w(f"        predicted = (scores[:, 0] > {threshold}).long()")
        w("    else:")
        w("        predicted = scores.argmax(dim=1)")
        w("    logs[\"accuracy\"] = float((predicted == labels).double().mean())")
    else:
        w("    err = scores - prepare_targets(y).to(X.device).reshape(scores.shape)")
        w("    logs[\"mae\"] = float(err.abs().mean())")
        w("    logs[\"mse\"] = float((err * err).mean())")
    w("    return logs")
    w("")
    w("")
    w("def _device(model):")
    w("    return next(model.buffers()).device")
    w("")
    w("")
    w("def train(model, X, y, *, X_val=None, y_val=None, epochs: int = TRAINING[\"epochs\"],")
    w("          batch_size: int = TRAINING[\"batch_size\"], seed: int = TRAINING[\"seed\"], log=print) -> dict:")
    w('    """Train `model` on raw features X and targets y with the design\'s settings; returns the')
    w("    history {name: [per epoch]}. Mini-batches are reshuffled each epoch; the learning rate is set")
    w("    before every update; a non-finite loss stops training before that update.")
    w("")
    w(f"    Multi-GPU: start one process per GPU with `torchrun --nproc_per_node=N {comment_text(module_file)} --data …`,")
    w("    call torch.distributed.init_process_group(\"nccl\"), move the model to the process's GPU and wrap")
    w("    it in torch.nn.parallel.DistributedDataParallel, and give each process its own shard of the")
    w("    batches (torch.utils.data.DistributedSampler); the loop below is otherwise unchanged.")
    w('    """')
    w("    device = _device(model)")
    w("    X = torch.as_tensor(X, dtype=DTYPE).to(device)")
    w("    Y = prepare_targets(y).to(device)")
    w("    has_val = X_val is not None and len(X_val) > 0")
    w("    trainable = [p for p in model.parameters() if p.requires_grad]")
    w("    optimizer = make_optimizer(trainable)")
    sched_expr = "ReduceOnPlateau()" if t["schedule"]["name"] == "plateau" else "learning_rate"
    w(f"    schedule = {sched_expr}")
    w("    es = TRAINING[\"early_stopping\"]")
    w("    monitor = es[\"monitor\"] if es[\"monitor\"].removeprefix(\"val_\") in %r else \"val_loss\"" % (monitors,))
    w("    if es[\"enabled\"] and monitor != es[\"monitor\"]:")
    w("        log(f\"early stopping watches {monitor}: this file does not compute {es['monitor']}\")")
    w("    higher_is_better = monitor.removeprefix(\"val_\") == \"accuracy\"")
    w("    best, best_state, wait = (-math.inf if higher_is_better else math.inf), None, 0")
    w("    generator = torch.Generator().manual_seed(seed)")
    w("    history: dict[str, list] = {}")
    w("    step = 0  # optimizer updates done: the schedule's clock")
    w("    n = len(X)")
    w("    for epoch in range(epochs):")
    w("        model.train()")
    w("        order = torch.randperm(n, generator=generator).to(device)")
    w("        total, lr = 0.0, 0.0")
    w("        for start in range(0, n, batch_size):")
    w("            rows = order[start:start + batch_size]")
    w("            lr = schedule(step)")
    w("            for group in optimizer.param_groups:")
    w("                group[\"lr\"] = lr")
    w("            optimizer.zero_grad(set_to_none=False)")
    if fused:
        w("            loss = loss_fn(model(X[rows], return_logits=True), Y[rows]) + regularization(model)")
    else:
        w("            loss = loss_fn(model(X[rows]), Y[rows]) + regularization(model)")
    w("            if not torch.isfinite(loss):")
    w("                log(f\"training diverged at epoch {epoch + 1}: the loss is {float(loss.detach())}; stopped before \"")
    w("                    \"that update. Try a smaller learning rate or gradient clipping.\")")
    w("                return history")
    w("            loss.backward()")
    w("            for p in trainable:   # weights the loss does not reach get a zero gradient, as in NetDesigner")
    w("                if p.grad is None:")
    w("                    p.grad = torch.zeros_like(p)")
    w("            clip_gradients(trainable, TRAINING[\"clip_norm\"], TRAINING[\"clip_value\"])")
    w("            optimizer.step()")
    w("            step += 1")
    w("            total += float(loss.detach()) * len(rows)")
    w("        logs = {\"loss\": total / n, \"lr\": lr}")
    w("        if has_val:")
    w("            logs.update({f\"val_{k}\": v for k, v in evaluate(model, X_val, y_val).items()})")
    w("        for k, v in logs.items():")
    w("            history.setdefault(k, []).append(v)")
    w("        log(f\"epoch {epoch + 1}/{epochs}: \" + \", \".join(f\"{k} {v:.4g}\" for k, v in logs.items()))")
    if t["schedule"]["name"] == "plateau":
        w("        schedule.on_epoch_end(logs.get(\"val_loss\", logs[\"loss\"]))")
    w("        if es[\"enabled\"]:   # Keras' EarlyStopping, as NetDesigner (core/callbacks.py)")
    w("            value = logs.get(monitor, logs.get(monitor.removeprefix(\"val_\")))")
    w("            if value is None or not math.isfinite(value):")
    w("                continue")
    w("            wait += 1")
    w("            improved = value > best + es[\"min_delta\"] if higher_is_better else value < best - es[\"min_delta\"]")
    w("            if improved:")
    w("                best, wait = value, 0")
    w("                if es[\"restore_best_weights\"]:")
    w("                    best_state = copy.deepcopy(model.state_dict())")
    w("            elif wait >= es[\"patience\"] and epoch > 0:")
    w("                log(f\"early stopping: {monitor} did not improve for {wait} epoch(s)\")")
    w("                break")
    w("    if best_state is not None:   # Keras restores the best epoch whatever ended training")
    w("        model.load_state_dict(best_state)")
    w("    model.eval()")
    w("    return history")
    w("")
    w("")
    out.extend(main_source(module_file))
    return "\n".join(out) + "\n"


def check_module_path(path: str | os.PathLike) -> None:
    """A PyTorch export is a Python module: refuse any other name before doing any work."""
    if not os.fspath(path).endswith(".py"):
        raise TorchExportError(f"a PyTorch export is a Python module; name it *.py (received {os.fspath(path)!r})")


def weights_path_for(module_path: str | os.PathLike) -> str:
    """The safetensors file written next to a generated module: model.py → model.safetensors."""
    return os.path.splitext(os.fspath(module_path))[0] + ".safetensors"


def export_pytorch(model, path: str | os.PathLike, *, carried: dict[str, Any] | None = None,
                   **extra_metadata) -> str:
    """Write the generated module to `path` and the weights next to it (``.safetensors``).

    model: a core.model.Model holding the weights; carried and extra_metadata as for
    ``core.export.export_safetensors`` (``design_file`` is also named in the module's docstring).
    Returns the weights file's path.
    """
    design_file = str(extra_metadata.get("design_file") or "")
    from .atomic import atomic_write_bytes
    from .export import consumer_metadata, export_safetensors
    path = os.fspath(path)
    check_module_path(path)
    if not hasattr(model, "design"):
        raise TypeError(f"a PyTorch export needs a Model (its design), received {type(model).__name__}")
    weights = weights_path_for(path)
    meta = consumer_metadata(model, carried)
    text = generate_module(model.design, weights_file=os.path.basename(weights), metadata=meta,
                           design_file=design_file, module_file=os.path.basename(path))
    compile(text, path, "exec")        # a generator bug must not leave a broken file behind
    export_safetensors(model, weights, carried=carried, **extra_metadata)
    atomic_write_bytes(path, text.encode("utf-8"))
    return weights
