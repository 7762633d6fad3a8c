"""Screenshots of the step-through for the README: XOR's first training sample stepped through
forward and backward (the numbers on the canvas) and the update with the numbers filled in.

Run under a real X server, at the default window size of a 1366×768 screen::

    xvfb-run -a -s "-screen 0 1366x768x24" python -m designer.stepthrough.screenshot

Settings and the recovery folder are temporary.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..paths import resource


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--example", default="xor.json")
    p.add_argument("--out", default=str(resource("screenshots")))
    args = p.parse_args(argv)

    from PySide6.QtCore import Qt

    from ..screenshot_common import DefaultWindow, settle, shoot_screen

    session = DefaultWindow("light")
    app, window, tmp = session.app, session.window, session.tmp
    window.setGeometry(app.primaryScreen().availableGeometry())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def screen(name: str) -> None:
        shoot_screen(app, out / name)

    # The course's update rule is plain SGD: the example with SGD (η = 0.1), so the canvas shows
    # "w ← w − η·∂L/∂w" with its numbers.
    doc = json.loads(Path(resource("examples", args.example)).read_text(encoding="utf-8"))
    doc["training"]["optimizer"] = {"name": "sgd", "params": {"learning_rate": 0.1}}
    design_path = Path(tmp.name) / args.example
    design_path.write_text(json.dumps(doc), encoding="utf-8")
    window.open_path(str(design_path))
    settle(300)
    if getattr(window, "banner", None) is not None:
        window.banner.hide()
    if getattr(window, "workspace", None) is not None:
        window.workspace.set_mode("design")
    st = window.stepthrough
    st.action.trigger()
    window.resizeDocks([st.dock], [500], Qt.Horizontal)
    window.docks["problems"].hide()
    settle(200)
    window.docks["palette"].hide()
    for key in ("history", "runs", "diagnosis"):        # the canvas gets the height
        if key in window.docks:
            window.docks[key].hide()

    def fit() -> None:            # the blocks and the numbers under and over them
        settle(100)
        rect = window.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        window.view.fitInView(rect, Qt.KeepAspectRatio)
    for _ in range(len(st.step.nodes)):         # forward, block by block
        st.next()
    st.next()                                   # the loss
    for _ in range(2):                          # backward through the last two blocks
        st.next()
    fit()
    screen("step_forward_backward.png")
    st.go(len(st.stages) - 1)                   # the update
    window.scene.select_nodes(["output"] if "output" in st.step.nodes else [st._last_weight_node()])
    fit()
    screen("step_update.png")

    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
