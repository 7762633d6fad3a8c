"""The runtime functions every generated PyTorch module carries unchanged but for a name or two:
weights I/O (read, load_model, save_weights), the L1/L2 penalty, gradient clipping and the command
line. Split from core/torch_templates.py, which holds what varies per block and per training
setting; this is the fixed text around it. Plain text work: nothing here imports torch.
"""
from __future__ import annotations

from string import Template

# ----------------------------------------------------------------------------- fixed runtime functions
# The same in every generated file but for a name or two (string.Template's ${...}); written out
# as the text the file gets.

_WEIGHTS_IO = Template('''\
# ---------------------------------------------------------------------------- weights

def _read_weights(path):
    """(tensors, metadata) of a NetDesigner .safetensors (or .npz) weights file."""
    if str(path).endswith(".npz"):
        import numpy as np
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: torch.from_numpy(z[k].copy()) for k in z.files if k != "__metadata__"}
            meta = json.loads(bytes(z["__metadata__"]).decode("utf-8")) if "__metadata__" in z.files else {}
        return arrays, meta
    from safetensors import safe_open     # pip install safetensors
    with safe_open(path, framework="pt") as f:
        arrays = {k: f.get_tensor(k) for k in f.keys()}
        raw = f.metadata() or {}
    meta = {}
    for k, v in raw.items():   # structured values are JSON text; names stay text
        if k in ${text_metadata}:
            meta[k] = v
            continue
        try:
            meta[k] = json.loads(v)
        except ValueError:
            meta[k] = v
    return arrays, meta


def load_model(path: str = WEIGHTS_FILE, *, device: str | torch.device = "cpu") -> ${cls}:
    """The network with the weights of `path` loaded, in eval mode.

    Sets the input scaling from the file's scaler (so the model takes raw features), and
    `model.class_names`, `model.feature_names` and `model.metadata` from its metadata.
    """
    model = ${cls}().to(DTYPE)
    arrays, meta = _read_weights(path)
    missing = sorted(set(WEIGHTS) - set(arrays))
    if missing:
        raise ValueError(f"{path}: weights missing for this design: {', '.join(missing)}")
    targets = dict(model.named_parameters()) | dict(model.named_buffers())
    with torch.no_grad():
        for name, (attr, transform) in WEIGHTS.items():
            to_torch, to_file = TRANSFORMS[transform]
            own = tuple(targets[a] for a in attr) if isinstance(attr, tuple) else targets[attr]
            needed = tuple(to_file(own).shape)        # this design's shape in NetDesigner's layout
            if tuple(arrays[name].shape) != needed:
                raise ValueError(f"{path}: {name} has shape {tuple(arrays[name].shape)}, "
                                 f"this design needs {needed}")
            value = to_torch(arrays[name])
            for target, v in zip(own, value) if isinstance(attr, tuple) else [(own, value)]:
                target.copy_(v)
        scaler = meta.get("scaler")
        if isinstance(scaler, dict) and scaler.get("offset") is not None:
            model.input_offset.copy_(torch.tensor(scaler["offset"], dtype=torch.float64))
            model.input_scale.copy_(torch.tensor(scaler["scale"], dtype=torch.float64))
    model.class_names = meta.get("class_names")
    model.feature_names = meta.get("feature_names")
    model.metadata = meta
    return model.to(device).eval()


def save_weights(model, path: str) -> None:
    """Write the weights back in NetDesigner's layout (.safetensors), so NetDesigner can import,
    evaluate or fine-tune them (File → Import Weights…, `netdesigner evaluate DESIGN FILE`)."""
    from safetensors.torch import save_file
    model = getattr(model, "module", model)    # unwrap DistributedDataParallel
    targets = dict(model.named_parameters()) | dict(model.named_buffers())
    tensors = {}
    for name, (attr, transform) in WEIGHTS.items():
        to_file = TRANSFORMS[transform][1]
        value = tuple(targets[a].detach().cpu() for a in attr) if isinstance(attr, tuple) \
            else targets[attr].detach().cpu()
        tensors[name] = to_file(value).contiguous()
    meta = dict(getattr(model, "metadata", {}) or {})
    meta.setdefault("format", "netdesigner-weights")
    meta.setdefault("version", 1)
    meta["scaler"] = {"kind": (meta.get("scaler") or {}).get("kind", "standard"),
                      "offset": model.input_offset.tolist(), "scale": model.input_scale.tolist()}
    text = {k: v if isinstance(v, str) else json.dumps(v) for k, v in meta.items() if v is not None}
    save_file(tensors, path, metadata=text)''')

_REGULARIZATION = '''\
def regularization(model) -> torch.Tensor | float:
    """Σ l1·|W| + l2·W² over the penalised kernels (Keras; added to the loss). A layout change
    (transpose, permutation) leaves the sums as they are."""
    model = getattr(model, "module", model)    # unwrap DistributedDataParallel
    total = 0.0
    for name, c in REGULARIZED.items():
        kernel = model.get_parameter(name)
        total = total + c["l1"] * kernel.abs().sum() + c["l2"] * (kernel * kernel).sum()
    return total'''

_CLIP_GRADIENTS = '''\
def clip_gradients(params, clip_norm: float, clip_value: float) -> None:
    """NetDesigner's order: each gradient to [−v, v] first, then the global L2 norm scaled by
    c / max(‖g‖, c) (Keras; torch.nn.utils.clip_grad_norm_ adds 1e-6 to the norm, so it is written
    out here)."""
    grads = [p.grad for p in params if p.grad is not None]
    if clip_value > 0:
        for g in grads:
            g.clamp_(-clip_value, clip_value)
    if clip_norm > 0 and grads:
        norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
        if norm > clip_norm:
            for g in grads:
                g.mul_(clip_norm / norm)'''

_MAIN = Template('''\
def main(argv=None) -> None:
    """python ${module_file} --data data.npz [--weights W] [--epochs N] [--out trained.safetensors]"""
    parser = argparse.ArgumentParser(description=f"Train {DESIGN_NAME!r} with PyTorch")
    parser.add_argument("--data", required=True, help=".npz with X (raw features) and y")
    parser.add_argument("--weights", default=WEIGHTS_FILE, help="start from these weights (and their scaler)")
    parser.add_argument("--epochs", type=int, default=TRAINING["epochs"])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", default="trained.safetensors", help="trained weights, NetDesigner's layout")
    args = parser.parse_args(argv)
    import numpy as np
    with np.load(args.data, allow_pickle=False) as z:
        X, y = z["X"].reshape(len(z["X"]), -1), z["y"]
    model = load_model(args.weights, device=args.device)
    # a seeded random validation split (NetDesigner's own split is stratified: the rows differ)
    split = torch.randperm(len(X), generator=torch.Generator().manual_seed(TRAINING["seed"])).numpy()
    n_val = int(round(len(X) * TRAINING["validation_split"]))
    val, tr = split[:n_val], split[n_val:]
    history = train(model, X[tr], y[tr], X_val=X[val], y_val=y[val], epochs=args.epochs)
    # what NetDesigner shows for the weights: epochs trained in all and the last epoch's numbers
    model.metadata["epoch"] = int(model.metadata.get("epoch") or 0) + len(history.get("loss", []))
    model.metadata["metrics"] = {k: v[-1] for k, v in history.items()}
    save_weights(model, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()''')


def weights_io_source(cls: str) -> list[str]:
    """`_read_weights`, `load_model` and `save_weights` of the generated module."""
    from .torch_templates import TEXT_METADATA     # here: torch_templates re-exports this module
    return _WEIGHTS_IO.substitute(cls=cls, text_metadata=repr(TEXT_METADATA)).split("\n")


def regularization_source() -> list[str]:
    """`regularization(model)`: the L1/L2 penalty of the kernels in REGULARIZED."""
    return _REGULARIZATION.split("\n")


def clip_gradients_source() -> list[str]:
    """`clip_gradients(params, clip_norm, clip_value)` in NetDesigner's order."""
    return _CLIP_GRADIENTS.split("\n")


def main_source(module_file: str) -> list[str]:
    """`main(argv)`: the module's command line (train on an .npz, write the weights)."""
    from .torch_templates import comment_text
    return _MAIN.substitute(module_file=comment_text(module_file)).split("\n")
