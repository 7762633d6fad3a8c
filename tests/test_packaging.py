"""A wheel of NetDesigner ships its data, and a plain (non-editable) install finds it.

The wheel is built from a copy of the tracked files (what a release builds from) with the
setuptools already installed (``--no-build-isolation``: no download), then installed into a fresh
virtual environment that borrows this one's dependencies. Every tracked file under resources/
and designer/i18n/, and core's block docs, must be in the wheel; the installed designer must
find the examples and style sheets inside that environment, not in this source tree.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = ("resources/", "designer/i18n/")


def tracked_files() -> list[str]:
    """Files git tracks (the release's contents); outside a git checkout, the files on disk."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60)
        names = [n for n in out.stdout.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    return [n for n in names if "__pycache__" not in n and (ROOT / n).is_file()]


def shipped_data(names: list[str]) -> list[str]:
    return sorted(n for n in names if n.startswith(DATA_DIRS)
                  or (n.startswith("core/blocks/docs.") and n.endswith(".json")))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in tracked_files():
        if name.startswith("tests/"):
            continue
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                        "--no-index", "-q", "-w", str(tmp / "dist")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    (whl,) = (tmp / "dist").glob("netdesigner-*.whl")
    return whl


def test_the_wheel_holds_every_tracked_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = shipped_data(tracked_files())
    # the kinds of data the app cannot start or teach without
    assert any(n.startswith("resources/examples/") and n.endswith(".json") for n in expected)
    assert "resources/style/app.qss" in expected and "core/blocks/docs.ko.json" in expected
    missing = [n for n in expected if n not in names]
    assert missing == [], f"not in {wheel.name}: {missing}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_a_plain_install_finds_the_examples_and_styles(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    # system site packages: the dependencies (numpy, PySide6, ...) come from this environment
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    target = Path(subprocess.run([str(env_dir / "bin" / "python"), "-c",
                                  "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                        "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    probe = (
        "import json, designer, designer.paths as p\n"
        "from designer.examples import examples\n"
        "print(json.dumps({'designer': designer.__file__, 'resources': str(p.RESOURCES),\n"
        "  'examples': sorted(e.path.name for e in examples()),\n"
        "  'qss': len(p.resource('style', 'app.qss').read_text(encoding='utf-8')),\n"
        "  'themes': sorted(json.loads(p.resource('style', 'themes.json').read_text(encoding='utf-8')))}))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    r = subprocess.run([str(env_dir / "bin" / "python"), "-c", probe], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    found = json.loads(r.stdout.strip().splitlines()[-1])
    assert Path(found["designer"]).is_relative_to(target)             # the installed copy, not this tree
    assert Path(found["resources"]).is_relative_to(target)
    tracked_examples = sorted(Path(n).name for n in tracked_files()
                              if n.startswith("resources/examples/") and n.endswith(".json"))
    assert found["examples"] == tracked_examples
    assert found["qss"] > 0 and found["themes"]
