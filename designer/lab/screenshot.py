"""Screenshots of the learning lab for the README: the gallery, a gallery comparison (curves,
gradient flow side by side, claims) and a "Duplicate as Variant" comparison with its history.

Run under a real X server, at the default window size of a 1366×768 screen::

    xvfb-run -a -s "-screen 0 1366x768x24" python -m designer.lab.screenshot

Settings and the recovery folder are temporary; the variant's design is a temporary copy of the
xor example, so its run history is written there, not beside the shipped example.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from ..paths import resource


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--experiment", default="03_vanishing_gradients_sigmoid")
    p.add_argument("--out", default=str(resource("screenshots")))
    args = p.parse_args(argv)

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    from ..screenshot_common import DefaultWindow, settle, shoot_screen, wait_for

    session = DefaultWindow("light")
    app, window, tmp = session.app, session.window, session.tmp
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def screen(name: str) -> None:
        shoot_screen(app, out / name)

    # 1. the gallery over the main window
    xor = Path(tmp.name) / "xor.json"
    doc = json.loads(Path(resource("examples", "xor.json")).read_text(encoding="utf-8"))
    doc["training"]["epochs"] = 60
    xor.write_text(json.dumps(doc), encoding="utf-8")
    window.open_path(str(xor))
    settle(300)
    window.view.fit_all()
    gallery = window.lab.open_gallery()
    gallery.select(args.experiment)
    geo = app.primaryScreen().availableGeometry()
    gallery.move(geo.x() + (geo.width() - gallery.width()) // 2, geo.y() + 60)
    screen("gallery_dialog.png")

    # 2. Run Comparison: curves, gradient flow side by side, claims
    gallery.run_button.click()
    compare = wait_for(window.lab.compareOpened)[0]
    gallery.hide()
    compare.resize(min(1300, geo.width() - 40), min(720, geo.height() - 30))
    compare.move(geo.x() + 20, geo.y() + 10)
    compare.curve_choice.setCurrentIndex(compare.curve_choice.findData("val_loss"))
    compare.tabs.setCurrentIndex(0)
    screen("compare_gallery_curves.png")
    compare.tabs.setCurrentIndex(1)
    screen("compare_gallery_gradient_flow.png")
    compare.tabs.setCurrentIndex(3)
    screen("compare_gallery_claims.png")
    compare.close()

    # 3. Train (F5), then Duplicate as Variant with a smaller learning rate
    window.training.mode = "thread"
    window.training.train_action.trigger()
    wait_for(window.lab.runsChanged)
    while window.training.is_running:
        settle(100)
    panel = window.lab.panel
    run_a = panel.runs[-1].id

    def fill(dialog):
        dialog.select("training.optimizer.params.learning_rate")
        dialog.value.setText("0.01")
        dialog.accept()
        assert dialog.result() == QDialog.Accepted, dialog.error.text()

    window.lab.duplicate_as_variant(run_a, dialog_hook=fill)
    compare = wait_for(window.lab.compareOpened)[0]
    if getattr(window, "workspace", None) is not None:
        window.workspace.set_mode("design")
    window.lab.history_action.trigger()
    window.resizeDocks([window.lab.history_dock], [260], Qt.Vertical)
    compare.resize(860, 470)
    compare.move(geo.x() + geo.width() - 880, geo.y() + 70)
    compare.curve_choice.setCurrentIndex(compare.curve_choice.findData("loss"))
    screen("compare_variant_curves.png")
    compare.tabs.setCurrentIndex(2)
    screen("compare_variant_differences.png")
    compare.close()

    shutil.rmtree(str(xor) + ".runs", ignore_errors=True)
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
