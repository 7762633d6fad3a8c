"""The README's screenshot: committed, and the script that takes it works under a real X server."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SHOT = ROOT / "resources" / "screenshots" / "main_window.png"


def test_screenshot_is_committed():
    img = QImage(str(SHOT))
    assert not img.isNull() and img.width() >= 1200 and img.height() >= 800


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs Xvfb (apt-get install xvfb)")
def test_screenshot_script_under_xvfb(tmp_path):
    out = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}   # the real xcb plugin
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable, "-m",
                          "designer.screenshot", "--example", "xor", "--no-dashboard",
                          "--size", "1200x800", "--out", str(out)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "platform xcb" in run.stdout
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1200, 800)
