"""Screenshot of the training dashboard mid-training, for the README.

    xvfb-run -a -s "-screen 0 1400x900x24" python -m designer.dashboard.screenshot

Uses the real main window when it is importable (canvas tinted by gradient norm), else a bare
QMainWindow host. The dashboard's docks are laid out side by side — the main window keeps them
in one tab group — so that every panel shows. Settings are temporary.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settle(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _real_window(args, tmp: str):
    """(window, controller) from designer.main_window, or None if it cannot be built."""
    try:
        from PySide6.QtCore import QSettings

        from designer import theme
        from designer.app import create_app
        from designer.main_window import MainWindow
        QSettings.setDefaultFormat(QSettings.IniFormat)
        QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp)
        app = create_app()
        theme.apply(args.theme, app)
        window = MainWindow(settings=QSettings(str(Path(tmp) / "s.ini"), QSettings.IniFormat),
                            recovery_dir=str(Path(tmp) / "recovery"))
        window.resize(*args.size)
        window.show()
        if not window.install_dashboard():
            return None
        window.open_example(str(ROOT / "resources" / "examples" / f"{args.example}.json"))
        window.document.design.training["epochs"] = args.epochs
        for name in ("inspector", "training", "problems", "history", "palette"):
            dock = getattr(window, "docks", {}).get(name)
            if dock is not None and (name != "palette" or args.no_palette):
                dock.hide()
        return window, window.training
    except Exception as exc:        # noqa: BLE001 - the bare host below still shows the dashboard
        print(f"main window not available ({type(exc).__name__}: {exc}); using a bare host")
        return None


def _bare_window(args):
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from core.designfile import load_design
    from designer.dashboard import install_dashboard
    QApplication.instance() or QApplication(sys.argv[:1])
    design = load_design(ROOT / "resources" / "examples" / f"{args.example}.json")
    design.training["epochs"] = args.epochs
    window = QMainWindow()
    window.setCentralWidget(QLabel("canvas"))
    window.resize(*args.size)
    window.show()
    return window, install_dashboard(window, lambda: design, lambda _locked: None)


def _arrange(window, ctl) -> None:
    from PySide6.QtCore import Qt
    d = ctl.docks
    for dock in d.values():
        dock.show()
    window.addDockWidget(Qt.BottomDockWidgetArea, d["loss"])
    for left, right in (("loss", "gradients"), ("gradients", "weights"), ("weights", "activations")):
        window.splitDockWidget(d[left], d[right], Qt.Horizontal)
    window.addDockWidget(Qt.RightDockWidgetArea, d["boundary"])
    window.tabifyDockWidget(d["boundary"], d["results"])
    d["boundary"].raise_()
    w, h = window.width(), window.height()
    window.resizeDocks([d["boundary"]], [int(w * 0.30)], Qt.Horizontal)
    window.resizeDocks([d["loss"]], [int(h * 0.50)], Qt.Vertical)
    quarter = int(w * 0.25)
    window.resizeDocks([d["loss"], d["gradients"], d["weights"], d["activations"]],
                       [quarter + 60, quarter, quarter - 30, quarter - 30], Qt.Horizontal)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--example", default="spirals_batchnorm", help="example file stem")
    p.add_argument("--epochs", type=int, default=4000, help="long enough to catch it mid-run")
    p.add_argument("--at", type=float, default=0.3, help="fraction of the run at which to shoot")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    p.add_argument("--size", default="1400x900", help="window size WxH")
    p.add_argument("--tint", default="grad_norm", choices=("grad_norm", "weight_abs_mean", "none"))
    p.add_argument("--out", default=str(ROOT / "resources" / "screenshots" / "dashboard.png"))
    p.add_argument("--bare", action="store_true", help="skip the real main window")
    p.add_argument("--no-palette", action="store_true", help="hide the block palette (more room)")
    args = p.parse_args(argv)
    args.size = tuple(int(v) for v in args.size.split("x"))

    from PySide6.QtWidgets import QApplication
    tmp = tempfile.TemporaryDirectory()
    built = None if args.bare else _real_window(args, tmp.name)
    window, ctl = built or _bare_window(args)
    _arrange(window, ctl)
    ctl.set_tint_mode(None if args.tint == "none" else args.tint)
    _settle(300)
    if not ctl.start():
        print(f"could not start training: {ctl.last_error}")
        return 1
    prog = ctl.progress
    deadline = 120_000
    waited = 0
    while waited < deadline and not (prog.t_start is not None and prog.epochs and
                                     prog.steps >= args.at * prog.epochs * prog.spe):
        if not ctl.is_running:
            break
        _settle(50)
        waited += 50
    _settle(400)                    # a few redraws with the latest data
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    image = window.grab()
    ok = image.save(str(out))
    print(f"{'wrote' if ok else 'FAILED to write'} {out} ({image.width()}×{image.height()}, "
          f"platform {QApplication.platformName()}, epoch {prog.epoch + 1}/{prog.epochs})")
    ctl.shutdown(5000)
    doc = getattr(window, "document", None)
    if doc is not None:
        doc.stack.setClean()
    window.close()
    tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
