"""Screenshot of the real main window with an example loaded, for the README.

Run under a real X server (Xvfb is enough)::

    xvfb-run -a -s "-screen 0 1920x1080x24" python -m designer.screenshot

Settings and the recovery folder are temporary, so the picture never depends on (or changes)
the user's own settings.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .paths import resource


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--example", default="residual_mlp", help="example file stem")
    p.add_argument("--select", default="b1_dense2", help="node to select (shown in the inspector)")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    p.add_argument("--panel", choices=("inspector", "training"), default="inspector",
                   help="which right-hand panel is in front")
    p.add_argument("--size", default="", help="window size WxH (default: the size a first start gives)")
    p.add_argument("--out", default=str(resource("screenshots", "main_window.png")))
    p.add_argument("--no-dashboard", action="store_true", help="leave the training dashboard out")
    args = p.parse_args(argv)

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from . import theme
    from .app import create_app
    from .main_window import MainWindow

    tmp = tempfile.TemporaryDirectory()
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp.name)
    app = create_app()
    theme.apply(args.theme, app)
    window = MainWindow(settings=QSettings(str(Path(tmp.name) / "s.ini"), QSettings.IniFormat),
                        recovery_dir=str(Path(tmp.name) / "recovery"))
    if args.size:
        w, h = (int(v) for v in args.size.split("x"))
        window.resize(w, h)
    window.show()
    if not args.no_dashboard:
        window.install_dashboard()
    window.open_example(str(resource("examples", f"{args.example}.json")))

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    settle(300)
    window.view.fit_all()
    if args.select in window.scene.node_items:
        window.scene.select_nodes([args.select])
    window.docks[args.panel].raise_()
    settle(500)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    image = window.grab()
    from .dashboard.screenshot import save_small     # a PNG of at most a few hundred KB
    ok = save_small(image, out)
    print(f"{'wrote' if ok else 'FAILED to write'} {out} ({image.width()}×{image.height()}, "
          f"platform {QApplication.platformName()})")
    window.document.stack.setClean()
    window.close()
    tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
