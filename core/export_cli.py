"""`netdesigner export DESIGN WEIGHTS --format onnx|npz|safetensors|pytorch -o FILE`."""
from __future__ import annotations

import os
import sys

from .errors import NetDesignerError
from .export import FORMATS


def add_subcommand(sub) -> None:
    p = sub.add_parser("export", help="write trained weights as ONNX, .npz, .safetensors or PyTorch code",
                       description="Convert trained weights (.npz or .safetensors) of a design to ONNX "
                                   "(the inference graph, input scaling included), .npz or .safetensors, "
                                   "or write a PyTorch module (-o model.py; its weights go to model.safetensors "
                                   "next to it) with the network, load_model() and the design's training loop.")
    p.add_argument("design")
    p.add_argument("weights", help="trained weights (.npz or .safetensors)")
    p.add_argument("--format", choices=FORMATS, help="default: from the extension of -o")
    p.add_argument("-o", "--output", required=True, help="file to write")
    p.add_argument("--opset", type=int, default=18, help="ONNX opset (17 or newer; default 18)")
    p.add_argument("--no-scaler", action="store_true",
                   help="ONNX: leave the input scaling out (the graph then takes scaled features)")
    p.set_defaults(handler=cmd_export)


def cmd_export(args) -> int:
    from .binding import check_binding, design_metadata
    from .designfile import load_design
    from .export import export_npz, export_safetensors, format_of, import_weights
    from .model import Model, load_design_data

    fmt = format_of(args.output, args.format)
    if fmt == "pytorch":
        from .torch_export import check_module_path
        check_module_path(args.output)       # before any work
    design = load_design(args.design)
    model = Model(design)
    carried = import_weights(model, args.weights)
    for warning in check_binding(design, carried, design_path=args.design, weights_path=args.weights):
        print(warning, file=sys.stderr)
    needs_scaler = fmt in ("onnx", "pytorch") and not args.no_scaler and model.scaler is None and design.data["scaling"] != "none"
    if needs_scaler or "task" not in carried:
        # Older weights files carry no scaler or names: take them from the design's data, prepared
        # exactly as training did (seeded split). Only the scaler is worth failing for.
        try:
            data = load_design_data(design.data, design.folder)
        except (NetDesignerError, OSError):
            if needs_scaler:
                raise
            data = None
        if data is not None:
            carried = {**design_metadata(design, data), **carried}
        if needs_scaler:
            print("note: the weights file holds no input scaler; refitting it from the design's data",
                  file=sys.stderr)
            model.scaler = data.scaler
    extra = {"design_file": os.path.basename(args.design)}
    if fmt == "npz":
        export_npz(model, args.output, carried=carried, **extra)
    elif fmt == "safetensors":
        export_safetensors(model, args.output, carried=carried, **extra)
    elif fmt == "pytorch":
        from .torch_export import export_pytorch
        weights = export_pytorch(model, args.output, carried=carried, **extra)
        print(f"wrote {weights} (the weights load_model() reads)")
    else:
        from .onnx_export import export_onnx
        export_onnx(model, args.output, opset=args.opset, fold_scaler=not args.no_scaler,
                    carried=carried, extra_metadata=extra)
    n = sum(w.size for w in model.plan.weights)
    print(f"wrote {args.output} ({fmt}, {len(model.plan.weights)} weights, {n:,} parameters)")
    return 0
