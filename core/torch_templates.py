"""The text templates of the PyTorch export: what each piece of a design becomes in the module.

core/torch_export.py walks the graph and lays the generated file out; this module holds the
pieces it lays out, so that adding a block or a training setting touches this table and not the
exporter's layout:

* per block, its translation (``block_module`` → a ``TorchBlock``: the ``torch.nn`` constructor, the
  forward expression, the tensor layout it reads and writes). A block module may carry its own
  (``Block.torch_module``, read first: the image and sequence blocks' are there, in core/blocks/);
  where torch.nn has no exact twin, a small class of our own (``HELPER_CLASSES``: Step, Keras-style
  BatchNorm, classic Dropout, TensorFlow-'same' pooling);
* per weight, how its layout differs between NetDesigner's file and the torch module
  (``WEIGHT_TRANSFORMS``: named, applied both ways by the generated load_model/save_weights);
* per training setting, the loss, optimizer and learning-rate schedule source;
* the runtime functions every generated file carries unchanged (weights I/O, the L1/L2 penalty,
  gradient clipping, the command line) are in core/torch_runtime.py, re-exported here.

Like the exporter it is plain text work: nothing here imports torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

from .errors import GraphError

# metadata keys that stay text in a weights file (the rest are JSON values)
TEXT_METADATA = ("design_name", "design_file", "task")


class TorchExportError(GraphError):
    """The design cannot be written as PyTorch code (names the node where one is at fault)."""


def comment_text(s: Any, limit: int = 120) -> str:
    """User text (a design name, a label, a file name) made safe inside a comment or docstring:
    printable characters only, on one line, no quotes that could end the docstring."""
    s = "".join(ch if ch.isprintable() else " " for ch in str(s))
    s = " ".join(s.split()).replace("\\", "/").replace('"', "'")
    return s if len(s) <= limit else s[:limit - 1] + "…"


def _f(v: float) -> str:
    """A float literal that reads back exactly."""
    return repr(float(v))


# ----------------------------------------------------------------------------- a block's translation

# Layouts of a tensor in the generated forward. "native": NetDesigner's own, (batch, *sample shape)
# — images (batch, H, W, C), sequences (batch, T, F); "nchw": an image channels-first, as nn.Conv2d
# and the pools want it. A block that reads "any" (element-wise) keeps its input's layout, so a
# Conv2D → ReLU → MaxPool2D chain stays channels-first with no permute in between.
NATIVE, NCHW, ANY = "native", "nchw", "any"
PERMUTE = {(NATIVE, NCHW): ".permute(0, 3, 1, 2)", (NCHW, NATIVE): ".permute(0, 2, 3, 1)"}


@dataclass(frozen=True)
class TorchBlock:
    """What one block becomes in the generated module.

    module: the ``torch.nn`` constructor of its submodule (``self.<name> = …``), or None when the
      block is only an expression (a reshape, a mean) and has no submodule.
    comment: appended to the block's heading comment in ``__init__``.
    call: the forward expression; ``{m}`` is the submodule (``self.<name>``), ``{x}`` the input
      (port 0) already in the layout `reads` asks for.
    reads: the layout it wants its input in (NATIVE, NCHW, or ANY: whatever the input has).
    writes: the layout of its output (None: the same as what it read).
    init: more ``__init__`` lines after the constructor (``{m}`` as in call).
    Weights are recorded on the generator: ``gen.weight(file_name, attribute(s), transform)``.
    """

    module: str | None
    comment: str = ""
    call: str = "{m}({x})"
    reads: str = NATIVE
    writes: str | None = None
    init: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- weight layouts
# NetDesigner's files keep Keras' layouts; the torch modules want theirs. Each transform is written
# into the generated file as (to PyTorch, back to NetDesigner), only moves values (no arithmetic),
# and the two are inverses, so load_model + save_weights gives the file's numbers back exactly.
# A transform may split one file array over several module attributes (GRU's two bias rows).

SWAP_GATES = '''
def _swap_first_two_gates(w):
    """Keras' GRU gate blocks [z, r, h] ↔ PyTorch's [r, z, n] along the first axis (its own inverse)."""
    z, r, n = w.chunk(3, dim=0)
    return torch.cat([r, z, n])
'''

WEIGHT_TRANSFORMS: dict[str, tuple[str, str, str]] = {
    # name: (to PyTorch, back to NetDesigner, what it is)
    "transpose": ("lambda w: w.T", "lambda w: w.T",
                  "Dense / recurrent kernel [in, out] ↔ nn.Linear / weight_ih [out, in]"),
    "conv2d": ("lambda w: w.permute(3, 2, 0, 1)", "lambda w: w.permute(2, 3, 1, 0)",
               "Conv2D kernel (kh, kw, C_in, F) ↔ nn.Conv2d (F, C_in, kh, kw)"),
    "gru_kernel": ("lambda w: _swap_first_two_gates(w.T)", "lambda w: _swap_first_two_gates(w).T",
                   "GRU (in, 3h) gates [z r h] ↔ (3h, in) gates [r z n]"),
    "gru_bias": ("lambda b: (_swap_first_two_gates(b[0]), _swap_first_two_gates(b[1]))",
                 "lambda b: torch.stack([_swap_first_two_gates(v) for v in b])",
                 "GRU bias (2, 3h): input row → bias_ih, recurrent row → bias_hh"),
}


def transforms_source(used: set[str]) -> list[str]:
    """`TRANSFORMS` of the generated module: the identity and every transform its weights use."""
    lines = []
    if used & {"gru_kernel", "gru_bias"}:
        lines += SWAP_GATES.strip().split("\n") + ["", ""]
    lines += ["# NetDesigner's (Keras') layout ↔ PyTorch's: name → (to PyTorch, back to NetDesigner). Each only",
              "# moves values, so loading and saving again gives the file's numbers exactly.",
              "TRANSFORMS = {",
              "    None: (lambda w: w, lambda w: w),"]
    for name in sorted(used - {None}):
        to_torch, to_file, what = WEIGHT_TRANSFORMS[name]
        lines.append(f"    {name!r}: ({to_torch}, {to_file}),  # {what}")
    lines.append("}")
    return lines


# ----------------------------------------------------------------------------- helper classes

HELPER_CLASSES = {
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
    "SamePool2d": '''
class SamePool2d(nn.Module):
    """Max or average pooling with TensorFlow's (Keras') 'same' padding where PyTorch's symmetric
    padding= cannot say it: the odd padded row/column goes at the bottom/right, padded positions
    are ignored (−inf for max; an average divides by the image elements in the window only)."""

    def __init__(self, kind: str, kernel_size, stride, pads):
        super().__init__()
        self.kind, self.kernel_size, self.stride = kind, tuple(kernel_size), tuple(stride)
        self.pads = tuple(pads)          # (left, right, top, bottom), as F.pad takes them

    def forward(self, x):
        if self.kind == "max":
            return F.max_pool2d(F.pad(x, self.pads, value=-math.inf), self.kernel_size, self.stride)
        total = F.avg_pool2d(F.pad(x, self.pads), self.kernel_size, self.stride, divisor_override=1)
        inside = F.pad(torch.ones_like(x[:1, :1]), self.pads)
        count = F.avg_pool2d(inside, self.kernel_size, self.stride, divisor_override=1)
        return total / count

    def extra_repr(self):
        return f"{self.kind}, kernel_size={self.kernel_size}, stride={self.stride}, pads={self.pads}"
''',
}


# ----------------------------------------------------------------------------- blocks

# Element-wise blocks: they read any layout and keep it (an activation after a Conv2D stays
# channels-first).
ELEMENT_WISE = ("Linear", "Step", "Sigmoid", "Tanh", "ReLU", "SELU", "Swish", "Mish", "Softplus",
                "LeakyReLU", "ELU", "RReLU", "Dropout", "AlphaDropout")


def block_module(gen, nid: str, t: str, p: dict) -> TorchBlock:
    """The translation of block `nid` (type t, params p): the block's own ``torch_module`` hook
    first (core/blocks/: the image and sequence blocks, and any new block), then the catalogue's
    first blocks below. Weights and helper classes it needs are recorded on `gen`
    (core.torch_export's generator)."""
    from .blocks import BLOCKS
    hook = BLOCKS.get(t).torch_module(gen, nid, p) if t in BLOCKS else None
    if hook is not None:
        return hook if isinstance(hook, TorchBlock) else TorchBlock(*hook)
    module, comment = _first_blocks(gen, nid, t, p)
    return TorchBlock(module, comment, reads=ANY if t in ELEMENT_WISE else NATIVE)


def _first_blocks(gen, nid: str, t: str, p: dict) -> tuple[str, str]:
    """(constructor expression, comment suffix) of the catalogue's first (flat) blocks."""
    if t == "Dense":
        n_in = gen.shape_in(nid)[-1]             # nn.Linear, like Keras' Dense, acts on the last axis
        gen.weight(f"{nid}/kernel", f"{gen.names[nid]}.weight", "transpose")
        if p["use_bias"]:
            gen.weight(f"{nid}/bias", f"{gen.names[nid]}.bias")
        bias = "" if p["use_bias"] else ", bias=False"
        reg = ""
        if p["l1"] or p["l2"]:
            reg = f"; kernel penalty l1={p['l1']:g}, l2={p['l2']:g} (see REGULARIZED)"
        return f"nn.Linear({n_in}, {p['units']}{bias})", f": {n_in} → {p['units']}{reg}"
    if t == "Linear":
        return "nn.Identity()", " (the identity)"
    if t == "Step":
        gen.helpers.add("Step")
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
        n = prod(gen.shape_in(nid))
        gen.weight(f"{nid}/alpha", f"{gen.names[nid]}.weight")
        return f"nn.PReLU(num_parameters={n}, init={_f(p['alpha_init'])})", ": one learned slope per unit"
    if t == "RReLU":
        return (f"nn.RReLU(lower={_f(p['lower'])}, upper={_f(p['upper'])})",
                ": random slope per element in training, (lower + upper)/2 in inference")
    if t == "Softmax":
        return "nn.Softmax(dim=1)", ""
    if t == "BatchNorm":
        gen.helpers.add("BatchNorm")
        n = gen.shape_in(nid)[0]
        v = gen.names[nid]
        if p["scale"]:
            gen.weight(f"{nid}/gamma", f"{v}.weight")
        if p["center"]:
            gen.weight(f"{nid}/beta", f"{v}.bias")
        gen.weight(f"{nid}/moving_mean", f"{v}.running_mean")
        gen.weight(f"{nid}/moving_variance", f"{v}.running_var")
        m = float(p["momentum"])
        return (f"KerasBatchNorm1d({n}, eps={_f(p['epsilon'])}, momentum=1 - {_f(m)}, "
                f"scale={p['scale']}, center={p['center']})",
                f": NetDesigner's momentum {_f(m)} is Keras' (keeps that much of the old statistics);"
                f" PyTorch's is the share of the new batch, 1 − {_f(m)}")
    if t == "LayerNorm":
        n = gen.shape_in(nid)[0]
        v = gen.names[nid]
        gen.weight(f"{nid}/gamma", f"{v}.weight")
        gen.weight(f"{nid}/beta", f"{v}.bias")
        return f"nn.LayerNorm({n}, eps={_f(p['epsilon'])})", ""
    if t == "Dropout":
        if p["inverted"]:
            return f"nn.Dropout(p={_f(p['rate'])})", ": inverted (kept units ×1/(1 − rate) in training)"
        gen.helpers.add("ClassicDropout")
        return f"ClassicDropout(rate={_f(p['rate'])})", ": classic (×(1 − rate) in inference)"
    if t == "AlphaDropout":
        return (f"nn.AlphaDropout(p={_f(p['rate'])})",
                ": the same affine correction as NetDesigner's (Keras') AlphaDropout")
    raise TorchExportError(f"block type {t!r} has no PyTorch translation", nid)


# ----------------------------------------------------------------------------- training settings


def schedule_source(t: dict) -> list[str]:
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


def optimizer_source(t: dict) -> list[str]:
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


def loss_source(t: dict, fused: bool, task: str | None, n_out: int) -> list[str]:
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


from .torch_runtime import (  # noqa: E402,F401 (re-exported: core/torch_export.py imports them here)
    clip_gradients_source, main_source, regularization_source, weights_io_source)
