"""Screenshots of the default main window training each example, for the README and review.

    xvfb-run -a -s "-screen 0 1920x1080x24" python -m designer.dashboard.screenshot
    xvfb-run -a -s "-screen 0 1920x1080x24" python -m designer.dashboard.screenshot --readme

Every picture is the window a new user gets: fresh settings, the default size given, the
example as it ships (its own epochs), Train pressed — which switches to the Train workspace by
itself. Nothing is re-arranged. "during" walks the run to about a third of the way with Pause
and Resume (as a person could), shoots, and resumes; "after" waits for the end and the results.

Files: ``train_<example>_<W>x<H>_during.png`` / ``_after.png`` in resources/screenshots, at
most ``screenshot_common.MAX_BYTES`` each (full colour, or an 8-bit palette where that would be
bigger).
``--readme`` writes the README's dashboard.png (spirals, mid-run) and dashboard_vanishing.png
(vanishing_sigmoid, after) at the default window size instead.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..screenshot_common import DefaultWindow, save_small, settle

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "resources" / "screenshots"
SIZES = ("1366x768", "1920x1080")
DURING = ("spirals_batchnorm", "vanishing_sigmoid", "digits_mlp")   # "during" for these only
RUN_TIMEOUT_MS = 180_000
ATTEMPTS = 3              # runs per picture pair when the 'during' one is missed
STEP_MS = 40              # how long a held run is let go at a time, for a 'during' picture


class Session(DefaultWindow):
    """One default main window (temporary settings) with an example loaded."""

    def __init__(self, example: str, size: tuple[int, int] | None, theme_name: str):
        super().__init__(theme_name, size)
        if not self.has_dashboard:
            raise RuntimeError("the training dashboard could not be installed")
        self.ctl = self.window.training
        self.window.open_example(str(ROOT / "resources" / "examples" / f"{example}.json"))
        settle(300)

    def train(self, during: Path | None, after: Path | None, at: float = 0.35) -> list[Path]:
        """Press Train; shoot at `at` of the run (paused) and after it; the files written."""
        ctl, prog, written = self.ctl, self.ctl.progress, []
        if not ctl.start():
            raise RuntimeError(f"could not start training: {ctl.last_error}")
        waited = 0
        if during is not None:
            # A short run is over before a 20 Hz progress report says "a third": walk it there
            # instead, as a person could with Pause and Resume — held from the first batch,
            # let go for STEP_MS at a time until the run has come `at` of the way.
            ctl.pause()
            while ctl.is_running and not prog.finished and waited < RUN_TIMEOUT_MS:
                if prog.paused_since is None:          # the pause has not landed yet
                    settle(10)
                    waited += 10
                    continue
                if prog.epochs and prog.steps >= at * prog.epochs * prog.spe:
                    break
                ctl.resume()
                settle(STEP_MS)
                waited += STEP_MS
                ctl.pause()
            if ctl.is_running and not prog.finished:
                settle(800)                  # the panels redraw with the latest data
                written += self._shoot(during)
                ctl.resume()
            else:
                print(f"  (the run ended before {at:.0%}: no 'during' picture)")
        while (ctl.is_running or ctl.model is None) and waited < RUN_TIMEOUT_MS:
            if not ctl.is_running and ctl.last_error:
                raise RuntimeError(f"training failed: {ctl.last_error}")
            settle(50)
            waited += 50
        settle(600)
        if after is not None:
            written += self._shoot(after)
        return written

    def _shoot(self, path: Path) -> list[Path]:
        from PySide6.QtWidgets import QApplication
        image = self.window.grab()
        ok = save_small(image, path)
        print(f"  {'wrote' if ok else 'FAILED to write'} {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
              f"({image.width()}×{image.height()}, {path.stat().st_size // 1024 if ok else 0} KB, "
              f"platform {QApplication.platformName()})")
        return [path] if ok else []

    def close(self) -> None:
        self.ctl.shutdown(5000)
        self.window.document.stack.setClean()
        self.window.close()
        self.window.deleteLater()
        settle(50)
        self.tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", default="", help="comma-separated example stems (default: all)")
    p.add_argument("--sizes", default=",".join(SIZES), help="comma-separated window sizes WxH")
    p.add_argument("--during", default=",".join(DURING),
                   help="examples that also get a mid-run picture ('all' for every one)")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    p.add_argument("--out-dir", default=str(SHOTS))
    p.add_argument("--readme", action="store_true",
                   help="write the README's dashboard.png and dashboard_vanishing.png instead")
    args = p.parse_args(argv)
    out = Path(args.out_dir)

    if args.readme:
        # size None: the size the main window gives itself on a first start
        jobs = [("spirals_batchnorm", None, out / "dashboard.png", None),
                ("vanishing_sigmoid", None, None, out / "dashboard_vanishing.png")]
    else:
        names = [s for s in args.examples.split(",") if s] or sorted(
            f.stem for f in (ROOT / "resources" / "examples").glob("*.json"))
        during = set(names if args.during == "all" else [s for s in args.during.split(",") if s])
        jobs = []
        for size_text in [s for s in args.sizes.split(",") if s]:
            size = tuple(int(v) for v in size_text.split("x"))
            for name in names:
                stem = out / f"train_{name}_{size_text}"
                jobs.append((name, size, Path(f"{stem}_during.png") if name in during else None,
                             Path(f"{stem}_after.png")))
    failures = 0
    for name, size, during_path, after_path in jobs:
        print(f"{name} at {'the default size' if size is None else '×'.join(map(str, size))}")
        for attempt in range(ATTEMPTS):       # a run that slipped past its pause is run again
            session = Session(name, size, args.theme)
            try:
                written = session.train(during_path, after_path, at=0.5 if args.readme else 0.35)
            except RuntimeError as e:
                print(f"  {e}")
                failures += 1
                break
            finally:
                session.close()
            if during_path is None or during_path in written:
                break
        else:
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
