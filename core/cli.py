"""`netdesigner` sub-commands that need no GUI: train, evaluate, summary, lr-find.

Every expected failure (bad file, bad data, misfit weights) is one clear line on stderr and exit
status 2 — never a traceback.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

from .errors import NetDesignerError
from .threads import cli_job_count, cli_thread_count  # noqa: F401  (cheap: no numba at import)

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="netdesigner", description="Design, train and understand neural networks.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a design headless")
    t.add_argument("design")
    t.add_argument("--epochs", type=int, help="override the design's epoch count")
    t.add_argument("--out", help="write the trained weights (.npz) here")
    t.add_argument("--weights", help="start from these weights (fine-tuning)")
    t.add_argument("--device", choices=("cpu", "cuda"), help="override the design's device")
    t.add_argument("--threads", type=cli_thread_count,
                   help="CPU threads (override the design's setting; 0 = the physical cores)")
    t.add_argument("--quiet", action="store_true", help="only the final line")
    s = sub.add_parser("summary", help="print the layer table of a design")
    s.add_argument("design")
    e = sub.add_parser("evaluate", help="evaluate trained weights on the design's test (or validation) split")
    e.add_argument("design")
    e.add_argument("weights")
    e.add_argument("--split", choices=("test", "val", "train"), default="test")
    e.add_argument("--threads", type=cli_thread_count,
                   help="CPU threads (override the design's setting; 0 = the physical cores)")
    f = sub.add_parser("lr-find", help="LR range test: suggest a learning rate")
    f.add_argument("design")
    f.add_argument("--min-lr", type=float, default=1e-6)
    f.add_argument("--max-lr", type=float, default=1.0)
    f.add_argument("--steps", type=int, default=200)
    _add_plugins(sub)
    return p


def command_names() -> list[str]:
    """Every sub-command, plug-ins included (the launcher tells them from design files)."""
    for action in _parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return list(COMMANDS)


def _add_plugins(sub) -> None:
    """Sub-commands living in other core modules (export, k-fold) register themselves here."""
    for module in ("export_cli", "kfold", "tune"):
        try:
            mod = __import__(f"core.{module}", fromlist=["add_subcommand"])
        except ImportError:
            continue
        if hasattr(mod, "add_subcommand"):
            mod.add_subcommand(sub)


def _fmt(logs: dict) -> str:
    return "  ".join(f"{k} {v:.4g}" for k, v in logs.items())


def _warn_if_unbound(design, metadata, design_path, weights_path) -> None:
    """Weights trained on another structure still load when the shapes fit: say so (core.binding)."""
    from .binding import check_binding
    for warning in check_binding(design, metadata, design_path=design_path, weights_path=weights_path):
        print(warning, file=sys.stderr)


def cmd_summary(args) -> int:
    from .designfile import load_design
    design = load_design(args.design)
    print(design.graph.summary())
    for problem in design.graph.check():
        print(f"problem: {problem}")
    return 0


def cmd_train(args) -> int:
    from .designfile import load_design
    design = load_design(args.design)
    if args.out and not os.path.isdir(os.path.dirname(os.path.abspath(args.out))):
        # Fail now, not after training: the weights could not be written.
        raise NetDesignerError(f"cannot write {args.out}: its folder does not exist")
    if args.device:
        design.training["device"] = args.device
    if args.threads is not None:
        design.training["threads"] = args.threads
    data = _preflight(design, args.design)
    out_lock = None
    if args.out:
        # Two runs writing the same weights file would interleave their saves: refuse the second
        # now, before training, with who holds it (core.callbacks.OutputLock).
        from .callbacks import OutputLock
        out_lock = OutputLock(args.out, "weights")
        out_lock.acquire()
    try:
        return _train_and_save(args, design, data)
    finally:
        if out_lock is not None:
            out_lock.release()


def _train_and_save(args, design, data) -> int:
    from .events import BatchesEnd, Compiled, Compiling, EpochEnd, TrainEnd
    from .model import Model
    model = Model(design, data)
    if args.weights:
        _warn_if_unbound(design, model.load_weights(args.weights), args.design, args.weights)
    trainer = model.trainer(collect_stats=False, epochs=args.epochs)
    epochs = trainer.settings["epochs"]
    end = None
    progress = None
    for ev in trainer.run():
        if isinstance(ev, Compiling) and not args.quiet:
            print(ev.message, file=sys.stderr, flush=True)
        elif isinstance(ev, Compiled) and not args.quiet:
            print(f"ready in {ev.seconds:.1f} s", file=sys.stderr, flush=True)
        elif isinstance(ev, BatchesEnd) and not args.quiet and sys.stderr.isatty():
            done = ev.first_batch + len(ev.losses)
            progress = f"\repoch {ev.epoch + 1}/{epochs}  batch {done}/{ev.batches_in_epoch}  loss {ev.losses[-1]:.4g}"
            print(progress, end="", file=sys.stderr, flush=True)
        elif isinstance(ev, EpochEnd):
            model.last_logs = ev.logs
            if not args.quiet:
                if progress:
                    print("\r" + " " * len(progress) + "\r", end="", file=sys.stderr)
                print(f"epoch {ev.epoch + 1}/{epochs}  {_fmt(ev.logs)}  ({ev.seconds:.2f} s)", flush=True)
        elif isinstance(ev, TrainEnd):
            end = ev
    model.trained_epochs += end.epochs_run
    print(end.message)
    if args.out:
        model.save_weights(args.out, design_file=os.path.basename(args.design))
        print(f"weights written to {args.out}")
    return 0 if end.reason != "diverged" else 1


class PreflightFailed(NetDesignerError):
    """The design cannot train; the message lists every problem, one per line."""


def _preflight(design, path: str):
    """Every problem Train would meet, all at once (exit 2), before anything is compiled; warnings
    are printed and training goes on. Returns the loaded data for the model."""
    from .model import load_design_data
    from .preflight import is_error, preflight, summarise
    data, load_error = None, None
    try:
        data = load_design_data(design.data, design.folder)
    except (NetDesignerError, OSError) as e:
        load_error = e

    def loader(_settings):
        if load_error is not None:
            raise load_error
        return summarise(data)

    problems = preflight(design, data_loader=loader)
    errors = [p for p in problems if is_error(p)]
    for p in problems:
        if not is_error(p):
            print(f"warning: {p}", file=sys.stderr)
    if len(errors) == 1:
        raise PreflightFailed(f"{path} cannot train: {errors[0]}")     # one problem, one line
    if errors:
        raise PreflightFailed(f"{path} cannot train: {len(errors)} problems\n"
                              + "\n".join(f"  {p}" for p in errors))
    return data


def cmd_evaluate(args) -> int:
    from .designfile import load_design
    from .model import Model
    design = load_design(args.design)
    if args.threads is not None:
        design.training["threads"] = args.threads
    model = Model.from_design(design)
    _warn_if_unbound(model.design, model.load_weights(args.weights), args.design, args.weights)
    print(_fmt(model.evaluate(args.split)))
    return 0


def cmd_lr_find(args) -> int:
    from .designfile import load_design
    from .lr_finder import lr_range_test
    from .model import Model
    model = Model.from_design(load_design(args.design))
    lrs, losses, best = lr_range_test(model, args.min_lr, args.max_lr, args.steps)
    for lr, loss in zip(lrs[:: max(1, len(lrs) // 20)], losses[:: max(1, len(lrs) // 20)]):
        print(f"lr {lr:.3g}  loss {loss:.4g}")
    print(f"suggested learning rate: {best:.3g}")
    return 0


COMMANDS = {"train": cmd_train, "summary": cmd_summary, "evaluate": cmd_evaluate, "lr-find": cmd_lr_find}


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = _parser().parse_args(argv)
    handler = COMMANDS.get(args.command) or getattr(args, "handler", None)
    try:
        return handler(args)
    except PreflightFailed as e:
        print(f"netdesigner {args.command}: {e}", file=sys.stderr)   # every problem, one per line
        return 2
    except (NetDesignerError, OSError) as e:
        # One line: a WeightsError lists its mismatches on lines of their own; join them.
        first, *rest = str(e).splitlines() or [""]
        detail = "; ".join(line.strip() for line in rest if line.strip())
        print(f"netdesigner {args.command}: {first}" + (f": {detail}" if detail else ""), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
