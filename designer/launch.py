"""``netdesigner``: the designer window, or a core sub-command (train, summary, …).

``netdesigner``                  opens the designer
``netdesigner design.json``      opens the designer with that design
``netdesigner train design.json`` (any first word that is not a file or an option) runs
core's command line — without importing Qt, so it works on a machine with no display.
"""
from __future__ import annotations

import argparse
import os
import sys


def is_subcommand(argv: list[str]) -> bool:
    """A sub-command's name always means the sub-command — even where the working directory
    holds a file or folder of that name (``netdesigner train x.json`` beside a ``train`` folder
    used to open the designer, which refused "x.json" as an unrecognized argument). Any other
    first word is a design to open if it exists or ends in .json, else core's parser explains."""
    if not argv:
        return False
    first = argv[0]
    if first.startswith("-"):
        return False
    from core.cli import command_names     # core.cli loads no Qt
    if first in command_names():
        return True
    return not (os.path.exists(first) or first.lower().endswith(".json"))


def gui_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="netdesigner",
        description="Design, train and understand neural networks. "
                    "Sub-commands (train, summary, …) run without a window: netdesigner train -h.")
    p.add_argument("design", nargs="?", help="design file (.json) to open")
    p.add_argument("--theme", choices=("light", "dark"), help="colour theme (remembered)")
    p.add_argument("--lang", choices=("ko", "en", "system"),
                   help="language of the window: ko (한국어), en, or system (the locale's); remembered")
    p.add_argument("--version", action="version", version=_version())
    return p


def _version() -> str:
    try:
        from importlib.metadata import version
        return f"netdesigner {version('netdesigner')}"
    except Exception:  # noqa: BLE001 - not installed (source tree)
        return "netdesigner (source tree)"


def _language(choice: str | None) -> str | None:
    """--lang value → what create_app stores: None (keep), "" (follow the system) or a code."""
    if choice is None:
        return None
    return "" if choice == "system" else choice


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if is_subcommand(argv):
        from core import cli       # lazily: the command line never loads Qt
        return cli.main(argv)
    args = gui_parser().parse_args(argv)
    from .app import run
    return run(args.design, args.theme, _language(args.lang))


if __name__ == "__main__":
    sys.exit(main())
