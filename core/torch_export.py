"""PyTorch code export: a design becomes a readable, runnable Python module.

``netdesigner export DESIGN WEIGHTS --format pytorch -o model.py`` writes ``model.py`` and, next to
it, ``model.safetensors`` (the weights in NetDesigner's own layout, ``core.export``). The module
holds:

* an ``nn.Module`` equal to the design: one submodule per block, named after the node id, and a
  ``forward`` written out in topological order with each tensor's shape in a comment;
* ``load_model(path)``: the module with the exported weights loaded (kernels ``[in, out]`` in the
  file, transposed for ``nn.Linear``), the input scaling as buffers applied by ``preprocess`` at
  the start of ``forward``, and the class names;
* ``train(model, X, y, ...)``: the design's loss, optimizer, learning-rate schedule, gradient
  clipping and early stopping, with NetDesigner's conventions (``core/optimizers.py``,
  ``core/schedules.py``, ``core/callbacks.py``) written out, and a ``__main__`` that trains on an
  ``.npz`` of raw features — the path to ``torchrun`` and DistributedDataParallel.

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

from .errors import GraphError

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

_TEXT_METADATA = ("design_name", "design_file", "task")


class TorchExportError(GraphError):
    """The design cannot be written as PyTorch code (names the node where one is at fault)."""


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


def _text(s: Any, limit: int = 120) -> str:
    """User text (a design name, a label, a file name) made safe inside a comment or docstring:
    printable characters only, on one line, no quotes that could end the docstring."""
    s = "".join(ch if ch.isprintable() else " " for ch in str(s))
    s = " ".join(s.split()).replace("\\", "/").replace('"', "'")
    return s if len(s) <= limit else s[:limit - 1] + "…"


def _settings_literal(settings: dict) -> str:
    """A dict literal, one key per line (nested dicts on one line)."""
    return "{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in settings.items()) + "}"


def _f(v: float) -> str:
    """A float literal that reads back exactly."""
    return repr(float(v))


# ----------------------------------------------------------------------------- helper classes

_HELPERS = {
    "Step": '''
class Step(nn.Module):
    """1 where x >= threshold, else 0. Its derivative is 0 wherever it exists, so nothing upstream
    learns by gradient descent (NetDesigner shows exactly that); train() gives such weights a zero
    gradient, as the engine does, instead of skipping them."""

    def __init__(self, threshold: float = 0.0):
        super().__init__()
        self.threshold = threshold

    def forward(self, x):
        return (x >= self.threshold).to(x.dtype)

    def extra_repr(self):
        return f"threshold={self.threshold}"
''',
    "BatchNorm": '''
class KerasBatchNorm1d(nn.BatchNorm1d):
    """BatchNorm with NetDesigner's (Keras') conventions, stored the PyTorch way.

    NetDesigner: moving = m·moving + (1−m)·batch with the *biased* batch variance, eps 1e-3.
    PyTorch's nn.BatchNorm1d: running = (1−momentum)·running + momentum·batch with the
    *unbiased* variance (n/(n−1) larger). So `momentum` here is already 1 − m (PyTorch's
    meaning), and in training the running variance is updated with the biased variance, which
    keeps the running statistics identical to NetDesigner's. Inference is nn.BatchNorm1d's own.
    Normalisation uses the biased batch variance in training, as both frameworks do; a batch of
    one sample is allowed (its variance is 0), as in the engine.
    `scale` / `center`: whether γ / β exist (Keras); without them γ = 1, β = 0.
    NOTE: torch.nn.SyncBatchNorm.convert_sync_batchnorm does not convert this subclass; with
    DistributedDataParallel each process keeps its own batch statistics (as plain DDP does).
    """

    def __init__(self, num_features, eps, momentum, scale=True, center=True):
        super().__init__(num_features, eps=eps, momentum=momentum, affine=False)
        self.weight = nn.Parameter(torch.ones(num_features)) if scale else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if center else None

    def forward(self, x):
        if not self.training:
            return super().forward(x)          # moving statistics
        mean = x.mean(dim=0)
        var = x.var(dim=0, unbiased=False)
        with torch.no_grad():
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(var, self.momentum)     # biased, as NetDesigner (not PyTorch)
            self.num_batches_tracked += 1
        y = (x - mean) * torch.rsqrt(var + self.eps)
        if self.weight is not None:
            y = y * self.weight
        if self.bias is not None:
            y = y + self.bias
        return y
''',
    "ClassicDropout": '''
class ClassicDropout(nn.Module):
    """Dropout as in the original paper (NetDesigner's `inverted = false`): in training each unit
    is kept with probability 1 − rate and *not* rescaled; in inference y = (1 − rate)·x.
    (nn.Dropout is the inverted kind: kept units ×1/(1 − rate) in training, identity after.)"""

    def __init__(self, rate: float):
        super().__init__()
        self.rate = rate

    def forward(self, x):
        if not self.training:
            return x * (1.0 - self.rate)
        keep = torch.rand_like(x) >= self.rate
        return x * keep.to(x.dtype)

    def extra_repr(self):
        return f"rate={self.rate}"
''',
}


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
        self.weights: list[tuple[str, str, bool]] = []     # (file name, module attribute, transpose)
        self.logits_var: str | None = None
        self.n_features = sum(prod(self.shapes[i]) for i in inputs)

    def shape_in(self, nid, port=0):
        e = self.graph.input_edges(nid)[port]
        return self.shapes[e.source]

    def src(self, nid) -> list[str]:
        return [self.names[e.source] for e in self.graph.input_edges(nid)]

    def build(self) -> None:
        col = 0
        for nid in self.order:
            node = self.graph.nodes[nid]
            v = self.names[nid]
            shape = self.shapes[nid]
            comment = f"# {_shape_comment(shape)}"
            t = node.type
            p = node.params
            label = f" “{_text(node.label, 60)}”" if node.label and node.label != nid else ""
            head = f"{t} {nid!r}{label}"
            if t == "Input":
                width = prod(shape)
                cols = f"x[:, {col}:{col + width}]"
                expr = cols if len(shape) == 1 else f"{cols}.reshape(-1, {', '.join(map(str, shape))})"
                self.fwd.append(f"{v} = {expr}  {comment} {head}: feature columns {col}..{col + width - 1}")
                col += width
                continue
            args = self.src(nid)
            if t == "Flatten":
                self.fwd.append(f"{v} = {args[0]}.flatten(1)  {comment} {head}")
                continue
            if t == "Add":
                self.fwd.append(f"{v} = {' + '.join(args)}  {comment} {head}")
                continue
            if t == "Concat":
                self.fwd.append(f"{v} = torch.cat([{', '.join(args)}], dim=1)  {comment} {head}")
                continue
            module, extra = self.module_for(nid, t, p)
            self.init.append(f"# {head}{extra}")
            self.init.append(f"self.{v} = {module}")
            if t in ("Dense", "BatchNorm", "LayerNorm", "PReLU") and not p.get("trainable", True):
                self.init.append(f"self.{v}.requires_grad_(False)  # frozen in the design (buffers still update)")
            call = f"self.{v}({args[0]})"
            multi_axis = len(self.shape_in(nid)) > 1
            if t == "Softmax" and nid == self.output:
                self.logits_var = args[0]
                self.fwd.append("if return_logits:  # the scores the fused softmax + cross-entropy loss reads")
                self.fwd.append(f"    return {args[0]}" + (".flatten(1)" if multi_axis else ""))
            if t in ("PReLU", "Softmax") and multi_axis:
                # NetDesigner stores a sample flat: one slope per element, a softmax over all of them
                self.fwd.append(f"{comment} {head}, over the sample's {prod(shape)} values")
                self.fwd.append(f"{v} = self.{v}({args[0]}.flatten(1)).view_as({args[0]})")
                continue
            self.fwd.append(f"{v} = {call}  {comment} {head}")

    def module_for(self, nid, t, p) -> tuple[str, str]:
        """(constructor expression, comment suffix); records the weight mapping."""
        if t == "Dense":
            n_in = self.shape_in(nid)[0]
            self.weights.append((f"{nid}/kernel", f"{self.names[nid]}.weight", True))
            if p["use_bias"]:
                self.weights.append((f"{nid}/bias", f"{self.names[nid]}.bias", False))
            bias = "" if p["use_bias"] else ", bias=False"
            reg = ""
            if p["l1"] or p["l2"]:
                reg = f"; kernel penalty l1={p['l1']:g}, l2={p['l2']:g} (see REGULARIZED)"
            return f"nn.Linear({n_in}, {p['units']}{bias})", f": {n_in} → {p['units']}{reg}"
        if t == "Linear":
            return "nn.Identity()", " (the identity)"
        if t == "Step":
            self.helpers.add("Step")
            return f"Step(threshold={_f(p['threshold'])})", ""
        simple = {"Sigmoid": "nn.Sigmoid()", "Tanh": "nn.Tanh()", "ReLU": "nn.ReLU()", "SELU": "nn.SELU()",
                  "Swish": "nn.SiLU()", "Mish": "nn.Mish()"}
        if t in simple:
            return simple[t], " (Swish = SiLU)" if t == "Swish" else ""
        if t == "Softplus":
            return "nn.Softplus()", " (PyTorch returns x itself above x = 20; the difference is < 3e-9)"
        if t == "LeakyReLU":
            return f"nn.LeakyReLU(negative_slope={_f(p['alpha'])})", ""
        if t == "ELU":
            return f"nn.ELU(alpha={_f(p['alpha'])})", ""
        if t == "PReLU":
            n = prod(self.shape_in(nid))
            self.weights.append((f"{nid}/alpha", f"{self.names[nid]}.weight", False))
            return f"nn.PReLU(num_parameters={n}, init={_f(p['alpha_init'])})", ": one learned slope per unit"
        if t == "RReLU":
            return (f"nn.RReLU(lower={_f(p['lower'])}, upper={_f(p['upper'])})",
                    ": random slope per element in training, (lower + upper)/2 in inference")
        if t == "Softmax":
            return "nn.Softmax(dim=1)", ""
        if t == "BatchNorm":
            self.helpers.add("BatchNorm")
            n = self.shape_in(nid)[0]
            v = self.names[nid]
            if p["scale"]:
                self.weights.append((f"{nid}/gamma", f"{v}.weight", False))
            if p["center"]:
                self.weights.append((f"{nid}/beta", f"{v}.bias", False))
            self.weights.append((f"{nid}/moving_mean", f"{v}.running_mean", False))
            self.weights.append((f"{nid}/moving_variance", f"{v}.running_var", False))
            m = float(p["momentum"])
            return (f"KerasBatchNorm1d({n}, eps={_f(p['epsilon'])}, momentum=1 - {_f(m)}, "
                    f"scale={p['scale']}, center={p['center']})",
                    f": NetDesigner's momentum {_f(m)} is Keras' (keeps that much of the old statistics);"
                    f" PyTorch's is the share of the new batch, 1 − {_f(m)}")
        if t == "LayerNorm":
            n = self.shape_in(nid)[0]
            v = self.names[nid]
            self.weights.append((f"{nid}/gamma", f"{v}.weight", False))
            self.weights.append((f"{nid}/beta", f"{v}.bias", False))
            return f"nn.LayerNorm({n}, eps={_f(p['epsilon'])})", ""
        if t == "Dropout":
            if p["inverted"]:
                return f"nn.Dropout(p={_f(p['rate'])})", ": inverted (kept units ×1/(1 − rate) in training)"
            self.helpers.add("ClassicDropout")
            return f"ClassicDropout(rate={_f(p['rate'])})", ": classic (×(1 − rate) in inference)"
        if t == "AlphaDropout":
            return (f"nn.AlphaDropout(p={_f(p['rate'])})",
                    ": the same affine correction as NetDesigner's (Keras') AlphaDropout")
        raise TorchExportError(f"block type {t!r} has no PyTorch translation", nid)


# ----------------------------------------------------------------------------- training settings

def _schedule_source(t: dict) -> list[str]:
    """`learning_rate(step)` (step = optimizer updates done, 0-based) or the plateau class."""
    from .schedules import make_schedule
    s = t["schedule"]
    sched = make_schedule(s["name"], s["params"], learning_rate=t["optimizer"]["params"]["learning_rate"])
    c = sched.get_config()
    name = s["name"]
    lines = ["def learning_rate(step: int) -> float:",
             f'    """NetDesigner\'s {type(sched).__name__} schedule (core/schedules.py); step = optimizer '
             'updates done, from 0."""']
    if name == "constant":
        lines.append(f"    return {_f(c['learning_rate'])}")
    elif name == "exponential":
        lines += [f"    p = step / {c['decay_steps']}",
                  *(["    p = math.floor(p)  # staircase"] if c["staircase"] else []),
                  f"    return {_f(c['initial_learning_rate'])} * {_f(c['decay_rate'])} ** p"]
    elif name == "step":
        lines.append(f"    return {_f(c['initial_learning_rate'])} * {_f(c['gamma'])} ** (step // {c['step_size']})"
                     "  # torch.optim.lr_scheduler.StepLR, counted in updates")
    elif name == "cosine":
        lr0, w, d, a = _f(c["initial_learning_rate"]), c["warmup_steps"], c["decay_steps"], _f(c["alpha"])
        if w:
            lines += [f"    if step < {w}:  # linear warm-up from 0", f"        return {lr0} * step / {w}"]
        lines += [f"    s = min(step - {w}, {d})",
                  f"    cosine = 0.5 * (1.0 + math.cos(math.pi * s / {d}))",
                  f"    return {lr0} * ((1.0 - {a}) * cosine + {a})"]
    elif name == "plateau":
        lines = [
            "class ReduceOnPlateau:",
            '    """NetDesigner\'s (Keras\') ReduceLROnPlateau, per epoch on val_loss (loss without validation data).',
            "    PyTorch's ReduceLROnPlateau counts patience differently (it reduces after patience + 1 bad",
            '    epochs), so the Keras rule is written out here."""',
            "",
            f"    def __init__(self, lr={_f(c['initial_learning_rate'])}, factor={_f(c['factor'])}, "
            f"patience={c['patience']}, min_delta={_f(c['min_delta'])},",
            f"                 cooldown={c['cooldown']}, min_lr={_f(c['min_lr'])}, mode={c['mode']!r}):",
            "        self.lr, self.factor, self.patience, self.min_delta = lr, factor, patience, min_delta",
            "        self.cooldown, self.min_lr, self.mode = cooldown, min_lr, mode",
            "        self.best = math.inf if mode == 'min' else -math.inf",
            "        self.wait = self.cooldown_counter = 0",
            "",
            "    def __call__(self, step: int) -> float:",
            "        return self.lr",
            "",
            "    def on_epoch_end(self, value: float) -> None:",
            "        if self.cooldown_counter > 0:",
            "            self.cooldown_counter -= 1",
            "            self.wait = 0",
            "        better = value < self.best - self.min_delta if self.mode == 'min' else value > self.best + self.min_delta",
            "        if better:",
            "            self.best, self.wait = value, 0",
            "        elif self.cooldown_counter == 0:",
            "            self.wait += 1",
            "            if self.wait >= self.patience and self.lr > self.min_lr:",
            "                self.lr = max(self.lr * self.factor, self.min_lr)",
            "                self.cooldown_counter, self.wait = self.cooldown, 0",
        ]
    else:
        raise TorchExportError(f"schedule {name!r} has no PyTorch translation")
    return lines


def _optimizer_source(t: dict) -> list[str]:
    o = t["optimizer"]
    n, p = o["name"], o["params"]
    lr = _f(p["learning_rate"])
    lines = ["def make_optimizer(params):",
             f'    """The design\'s optimizer ({n}). NetDesigner follows PyTorch\'s update rules '
             '(core/optimizers.py), so the\n    hyper-parameters carry over unchanged; the learning rate is '
             'set before every step by train()."""']
    if n == "sgd":
        lines.append(f"    return torch.optim.SGD(params, lr={lr}, momentum={_f(p['momentum'])}, "
                     f"nesterov={bool(p['nesterov'])})  # b = m·b + g; p −= lr·b")
    elif n in ("adam", "adamw"):
        wd = float(p["weight_decay"])
        cls = "AdamW" if wd else "Adam"
        note = ("  # decoupled decay p −= lr·wd·p, as NetDesigner" if wd else
                "  # ε after the bias correction (PyTorch's convention, also NetDesigner's)")
        lines.append(f"    return torch.optim.{cls}(params, lr={lr}, betas=({_f(p['beta_1'])}, {_f(p['beta_2'])}), "
                     f"eps={_f(p['epsilon'])}" + (f", weight_decay={_f(wd)}" if wd else "") + f"){note}")
    elif n == "rmsprop":
        lines.append(f"    return torch.optim.RMSprop(params, lr={lr}, alpha={_f(p['rho'])}, eps={_f(p['epsilon'])})"
                     "  # NetDesigner's rho is PyTorch's alpha")
    elif n == "adagrad":
        lines.append(f"    return torch.optim.Adagrad(params, lr={lr}, "
                     f"initial_accumulator_value={_f(p['initial_accumulator_value'])}, eps={_f(p['epsilon'])})")
    else:
        raise TorchExportError(f"optimizer {n!r} has no PyTorch translation")
    return lines


def _loss_source(t: dict, fused: bool, task: str | None, n_out: int) -> list[str]:
    """`prepare_targets(y)` and `loss_fn(output, target)` — NetDesigner's definitions (core/losses.py)."""
    name = t["loss"]["name"]
    from .losses import LOSSES
    name = LOSSES.canonical(name)
    lp = t["loss"]["params"]
    logits = bool(lp.get("from_logits"))
    L = ["PROB_EPS = 1e-7  # probabilities are clipped to [1e-7, 1 − 1e-7]; no gradient where clipped (Keras)",
         "", "",
         "def prepare_targets(y) -> torch.Tensor:",
         '    """Targets as the loss wants them (NetDesigner\'s Model.shape_targets)."""',
         "    y = torch.as_tensor(y)",
         "    y = y.reshape(len(y), -1)"]
    if name == "sparse_categorical_crossentropy":
        L.append("    return y[:, 0].long()  # integer class labels")
    elif name == "categorical_crossentropy":
        L += ["    if y.shape[1] == 1:  # labels: one-hot rows",
              f"        return F.one_hot(y[:, 0].long(), max(OUTPUT_WIDTH, 2)).to(DTYPE)",
              "    return y.to(DTYPE)"]
    elif task == "multiclass" and name in ("mse", "mae", "huber"):
        L += ["    if y.shape[1] == 1 and OUTPUT_WIDTH > 1:  # class labels against a value loss: one-hot",
              "        return F.one_hot(y[:, 0].long(), OUTPUT_WIDTH).to(DTYPE)",
              "    return y.to(DTYPE)"]
    else:
        L.append("    return y.to(DTYPE)")
    L += ["", "", "def loss_fn(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:"]
    doc = {
        "mse": "Mean squared error over batch and outputs.",
        "mae": "Mean absolute error over batch and outputs.",
        "huber": "Huber loss, mean over batch and outputs.",
        "binary_crossentropy": "Binary cross-entropy, mean over batch and outputs.",
        "categorical_crossentropy": "Categorical cross-entropy: sum over classes, mean over the batch.",
        "sparse_categorical_crossentropy": "Cross-entropy of integer labels, mean over the batch.",
    }[name]
    if fused:
        doc += ("\n\n    The design ends in Softmax, so NetDesigner fuses softmax and cross-entropy: `output`\n"
                "    here is the Softmax's input (model(x, return_logits=True)), which is exact where the\n"
                "    clipped probabilities would not be.\n    ")
    L.append(f'    """{doc}"""')
    if name == "mse":
        L.append("    return F.mse_loss(output, target)")
    elif name == "mae":
        L.append("    return F.l1_loss(output, target)")
    elif name == "huber":
        L.append(f"    return F.huber_loss(output, target, delta={_f(lp['delta'])})")
    elif name == "binary_crossentropy":
        if logits:
            L.append("    return F.binary_cross_entropy_with_logits(output, target)")
        else:
            L += ["    p = output.clamp(PROB_EPS, 1.0 - PROB_EPS)",
                  "    return -(target * torch.log(p) + (1.0 - target) * torch.log(1.0 - p)).mean()"]
    elif name == "categorical_crossentropy":
        if logits or fused:
            L.append("    return F.cross_entropy(output, target)  # probability targets: −Σ t·log_softmax")
        else:
            L.append("    return -(target * torch.log(output.clamp(PROB_EPS, 1.0 - PROB_EPS))).sum(dim=1).mean()")
    else:
        if logits or fused:
            L.append("    return F.cross_entropy(output, target)")
        else:
            L += ["    p = output.gather(1, target[:, None]).clamp(PROB_EPS, 1.0 - PROB_EPS)",
                  "    return -torch.log(p).mean()"]
    return L


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
    regularized = {g.names[n]: (float(nd.params["l1"]), float(nd.params["l2"]))
                   for n, nd in g.graph.nodes.items() if nd.type == "Dense" and (nd.params["l1"] or nd.params["l2"])}
    es = t["early_stopping"]
    dtype = "torch.float64" if t["dtype"] == "float64" else "torch.float32"
    title = _text(design.name or "Untitled design")
    src = f" from {_text(design_file)}" if design_file else ""
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
    w(f"    python {_text(module_file)} --data data.npz    # X (n, features) raw, y: labels or values")
    w("")
    w("Conventions: Dense kernels are stored [in, out] in NetDesigner's files (nn.Linear.weight is the")
    w("transpose); BatchNorm keeps NetDesigner's statistics exactly (see KerasBatchNorm1d); inputs are")
    w("scaled inside the module by `preprocess` (x − offset) / scale with the scaler fitted at training.")
    w("Several Input blocks take consecutive feature columns, in the order of their ids.")
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
    w("# Dense kernels with an L1/L2 penalty (Keras: l1·Σ|w| + l2·Σw², added to the loss).")
    w("REGULARIZED = " + _settings_literal({k: {"l1": a, "l2": b} for k, (a, b) in regularized.items()}))
    w("# NetDesigner weight name → (attribute of the module, transposed?)")
    w("WEIGHTS = {")
    for fname, attr, tr in g.weights:
        w(f"    {fname!r}: ({attr!r}, {tr}),")
    w("}")
    for h in ("Step", "BatchNorm", "ClassicDropout"):
        if h in g.helpers:
            w("")
            out.extend(_HELPERS[h].rstrip().split("\n"))
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
    w(f"        return {g.names[g.output]}" + (".flatten(1)  # NetDesigner's outputs are flat" if len(out_shape) > 1 else ""))
    w("")
    w("")
    w("# ---------------------------------------------------------------------------- weights")
    w("")
    w("def _read_weights(path):")
    w('    """(tensors, metadata) of a NetDesigner .safetensors (or .npz) weights file."""')
    w("    if str(path).endswith(\".npz\"):")
    w("        import numpy as np")
    w("        with np.load(path, allow_pickle=False) as z:")
    w("            arrays = {k: torch.from_numpy(z[k].copy()) for k in z.files if k != \"__metadata__\"}")
    w("            meta = json.loads(bytes(z[\"__metadata__\"]).decode(\"utf-8\")) if \"__metadata__\" in z.files else {}")
    w("        return arrays, meta")
    w("    from safetensors import safe_open     # pip install safetensors")
    w("    with safe_open(path, framework=\"pt\") as f:")
    w("        arrays = {k: f.get_tensor(k) for k in f.keys()}")
    w("        raw = f.metadata() or {}")
    w("    meta = {}")
    w("    for k, v in raw.items():   # structured values are JSON text; names stay text")
    w(f"        if k in {_TEXT_METADATA!r}:")
    w("            meta[k] = v")
    w("            continue")
    w("        try:")
    w("            meta[k] = json.loads(v)")
    w("        except ValueError:")
    w("            meta[k] = v")
    w("    return arrays, meta")
    w("")
    w("")
    w(f"def load_model(path: str = WEIGHTS_FILE, *, device: str | torch.device = \"cpu\") -> {cls}:")
    w('    """The network with the weights of `path` loaded, in eval mode.')
    w("")
    w("    Sets the input scaling from the file's scaler (so the model takes raw features), and")
    w("    `model.class_names`, `model.feature_names` and `model.metadata` from its metadata.")
    w('    """')
    w(f"    model = {cls}().to(DTYPE)")
    w("    arrays, meta = _read_weights(path)")
    w("    missing = sorted(set(WEIGHTS) - set(arrays))")
    w("    if missing:")
    w("        raise ValueError(f\"{path}: weights missing for this design: {', '.join(missing)}\")")
    w("    targets = dict(model.named_parameters()) | dict(model.named_buffers())")
    w("    with torch.no_grad():")
    w("        for name, (attr, transpose) in WEIGHTS.items():")
    w("            value = arrays[name].T if transpose else arrays[name]   # kernel [in, out] → [out, in]")
    w("            if tuple(value.shape) != tuple(targets[attr].shape):")
    w("                raise ValueError(f\"{path}: {name} has shape {tuple(arrays[name].shape)}, \"")
    w("                                 f\"this design needs {tuple(targets[attr].shape)}\")")
    w("            targets[attr].copy_(value)")
    w("        scaler = meta.get(\"scaler\")")
    w("        if isinstance(scaler, dict) and scaler.get(\"offset\") is not None:")
    w("            model.input_offset.copy_(torch.tensor(scaler[\"offset\"], dtype=torch.float64))")
    w("            model.input_scale.copy_(torch.tensor(scaler[\"scale\"], dtype=torch.float64))")
    w("    model.class_names = meta.get(\"class_names\")")
    w("    model.feature_names = meta.get(\"feature_names\")")
    w("    model.metadata = meta")
    w("    return model.to(device).eval()")
    w("")
    w("")
    w("def save_weights(model, path: str) -> None:")
    w('    """Write the weights back in NetDesigner\'s layout (.safetensors), so NetDesigner can import,')
    w('    evaluate or fine-tune them (File → Import Weights…, `netdesigner evaluate DESIGN FILE`)."""')
    w("    from safetensors.torch import save_file")
    w("    model = getattr(model, \"module\", model)    # unwrap DistributedDataParallel")
    w("    targets = dict(model.named_parameters()) | dict(model.named_buffers())")
    w("    tensors = {}")
    w("    for name, (attr, transpose) in WEIGHTS.items():")
    w("        value = targets[attr].detach().cpu()")
    w("        tensors[name] = (value.T if transpose else value).contiguous()")
    w("    meta = dict(getattr(model, \"metadata\", {}) or {})")
    w("    meta.setdefault(\"format\", \"netdesigner-weights\")")
    w("    meta.setdefault(\"version\", 1)")
    w("    meta[\"scaler\"] = {\"kind\": (meta.get(\"scaler\") or {}).get(\"kind\", \"standard\"),")
    w("                      \"offset\": model.input_offset.tolist(), \"scale\": model.input_scale.tolist()}")
    w("    text = {k: v if isinstance(v, str) else json.dumps(v) for k, v in meta.items() if v is not None}")
    w("    save_file(tensors, path, metadata=text)")
    w("")
    w("")
    w("# ---------------------------------------------------------------------------- training")
    w("")
    out.extend(_loss_source(t, fused, task, out_width))
    w("")
    w("")
    w("def regularization(model) -> torch.Tensor | float:")
    w('    """Σ l1·|W| + l2·W² over the penalised Dense kernels (Keras; added to the loss)."""')
    w("    total = 0.0")
    w("    for name, c in REGULARIZED.items():")
    w("        kernel = getattr(model, name).weight")
    w("        total = total + c[\"l1\"] * kernel.abs().sum() + c[\"l2\"] * (kernel * kernel).sum()")
    w("    return total")
    w("")
    w("")
    out.extend(_optimizer_source(t))
    w("")
    w("")
    out.extend(_schedule_source(t))
    w("")
    w("")
    w("def clip_gradients(params, clip_norm: float, clip_value: float) -> None:")
    w('    """NetDesigner\'s order: each gradient to [−v, v] first, then the global L2 norm scaled by')
    w("    c / max(‖g‖, c) (Keras; torch.nn.utils.clip_grad_norm_ adds 1e-6 to the norm, so it is written")
    w('    out here)."""')
    w("    grads = [p.grad for p in params if p.grad is not None]")
    w("    if clip_value > 0:")
    w("        for g in grads:")
    w("            g.clamp_(-clip_value, clip_value)")
    w("    if clip_norm > 0 and grads:")
    w("        norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))")
    w("        if norm > clip_norm:")
    w("            for g in grads:")
    w("                g.mul_(clip_norm / norm)")
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
    w(f"    Multi-GPU: start one process per GPU with `torchrun --nproc_per_node=N {_text(module_file)} --data …`,")
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
    w("def main(argv=None) -> None:")
    w(f'    """python {_text(module_file)} --data data.npz [--weights W] [--epochs N] [--out trained.safetensors]"""')
    w("    parser = argparse.ArgumentParser(description=f\"Train {DESIGN_NAME!r} with PyTorch\")")
    w("    parser.add_argument(\"--data\", required=True, help=\".npz with X (raw features) and y\")")
    w("    parser.add_argument(\"--weights\", default=WEIGHTS_FILE, help=\"start from these weights (and their scaler)\")")
    w("    parser.add_argument(\"--epochs\", type=int, default=TRAINING[\"epochs\"])")
    w("    parser.add_argument(\"--device\", default=\"cuda\" if torch.cuda.is_available() else \"cpu\")")
    w("    parser.add_argument(\"--out\", default=\"trained.safetensors\", help=\"trained weights, NetDesigner's layout\")")
    w("    args = parser.parse_args(argv)")
    w("    import numpy as np")
    w("    with np.load(args.data, allow_pickle=False) as z:")
    w("        X, y = z[\"X\"].reshape(len(z[\"X\"]), -1), z[\"y\"]")
    w("    model = load_model(args.weights, device=args.device)")
    w("    # a seeded random validation split (NetDesigner's own split is stratified: the rows differ)")
    w("    split = torch.randperm(len(X), generator=torch.Generator().manual_seed(TRAINING[\"seed\"])).numpy()")
    w("    n_val = int(round(len(X) * TRAINING[\"validation_split\"]))")
    w("    val, tr = split[:n_val], split[n_val:]")
    w("    history = train(model, X[tr], y[tr], X_val=X[val], y_val=y[val], epochs=args.epochs)")
    w("    # what NetDesigner shows for the weights: epochs trained in all and the last epoch's numbers")
    w("    model.metadata[\"epoch\"] = int(model.metadata.get(\"epoch\") or 0) + len(history.get(\"loss\", []))")
    w("    model.metadata[\"metrics\"] = {k: v[-1] for k, v in history.items()}")
    w("    save_weights(model, args.out)")
    w("    print(f\"wrote {args.out}\")")
    w("")
    w("")
    w("if __name__ == \"__main__\":")
    w("    main()")
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
