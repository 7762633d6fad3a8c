"""Layering: core/ is the engine and never imports Qt or pyqtgraph, directly or indirectly."""
import os
import pkgutil
import subprocess
import sys

import core

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_importing_every_core_module_loads_no_qt():
    modules = [m.name for m in pkgutil.walk_packages(core.__path__, "core.")
               if not m.name.endswith(("cuda_kernels", "cuda_random"))]   # needs numba.cuda; covered by test_cuda_sim
    code = ("import importlib, sys\n"
            f"for m in {modules!r}:\n    importlib.import_module(m)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')]\n"
            "print(bad)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", r.stdout


def test_no_qt_import_statement_in_core():
    offenders = []
    for folder, _, files in os.walk(os.path.join(ROOT, "core")):
        for f in files:
            if f.endswith(".py"):
                text = open(os.path.join(folder, f), encoding="utf-8").read()
                if any(w in text for w in ("import PySide6", "from PySide6", "import pyqtgraph", "from pyqtgraph")):
                    offenders.append(f)
    assert offenders == []
