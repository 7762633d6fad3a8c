"""Every ```bash block of the README(s) runs as written, in order, from a fresh folder.

The folder holds links to the repository's top-level entries (a copy without copying), so
relative paths such as ``resources/examples/digits_mlp.json`` resolve and outputs such as
``digits.npz`` land in the temporary folder. Three kinds of command cannot run literally here
and are checked instead:

- ``pip install -e .`` / ``pip install -e ".[extra]"``: the package is installed already (the
  tests run in it); the command's text is checked (an editable install of this folder, extras
  that pyproject.toml declares) and it is not run.
- ``[sudo] apt-get install …``: not run; the package names are checked for form, and the Qt line
  of README.md is checked against what Qt really loads (``test_apt_line_covers_what_qt_loads``).
- ``python -m pytest``: runs with ``--collect-only`` on this file (the whole suite would run
  inside itself); that still proves the test extra and conftest load from the README's folder.

The bare ``netdesigner`` (the GUI) runs with ``QT_QPA_PLATFORM=offscreen`` and
``NETDESIGNER_QUIT_AFTER_SHOW=1``: it builds and shows the main window, installs the dashboard,
then exits (status 1 if the dashboard could not be installed).
"""
from __future__ import annotations

import glob
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READMES = sorted(ROOT.glob("README*.md"))
BLOCK = re.compile(r"^```bash[ \t]*\n(.*?)^```", re.S | re.M)
APT_NAME = re.compile(r"^[a-z0-9][a-z0-9+.\-]+$")
_PASSED: set[str] = set()       # scripts that ran and passed in this session


def bash_commands(readme: Path) -> list[str]:
    """The logical command lines of every ```bash block, in order (continuations joined)."""
    commands = []
    for block in BLOCK.findall(readme.read_text(encoding="utf-8")):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.strip().startswith("#"):
                commands.append(line.strip())
    return commands


def _extras() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(data["project"].get("optional-dependencies", {}))


def rewrite(segment: str) -> str:
    """One `&&`-separated part of a command, as it runs in the test (module docstring)."""
    words = shlex.split(segment, comments=True)
    if words[:2] == ["pip", "install"]:
        assert words[2:3] == ["-e"] and len(words) == 4, f"not an editable install of this folder: {segment}"
        spec = re.fullmatch(r"\.(?:\[([a-z0-9_,-]+)\])?", words[3])
        assert spec, f"pip should install this folder ('.' or '.[extra]'): {segment}"
        unknown = set((spec.group(1) or "").split(",")) - {""} - _extras()
        assert not unknown, f"pyproject.toml declares no extra {sorted(unknown)}: {segment}"
        return "true"
    if words[:1] == ["sudo"]:
        words = words[1:]
    if words[:2] == ["apt-get", "install"]:
        names = [w for w in words[2:] if not w.startswith("-")]
        assert names and all(APT_NAME.match(n) for n in names), f"not Debian package names: {segment}"
        return "true"
    if words[:3] == [sys.executable, "-m", "pytest"] or words[:3] == ["python", "-m", "pytest"]:
        return f"{segment} --collect-only -q -p no:cacheprovider tests/test_readme_commands.py"
    return segment


@pytest.fixture
def readme_folder(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name.endswith(".egg-info"):
            continue
        (work / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NETDESIGNER_QUIT_AFTER_SHOW="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONDONTWRITEBYTECODE="1")
    # `python` in a README means the interpreter these tests run in.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env["PATH"] = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env.get("PATH", "")])
    return work, env


def test_the_readme_has_the_commands_it_promises():
    commands = bash_commands(ROOT / "README.md")
    assert any(c.split("&&")[-1].strip() == "netdesigner" for c in commands)       # the GUI
    assert any(c.startswith("netdesigner train ") for c in commands)
    assert any(c.startswith("netdesigner evaluate ") for c in commands)
    assert any(re.match(r"(sudo )?apt-get install", c) for c in commands)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_every_bash_block_runs_as_written(readme, readme_folder):
    work, env = readme_folder
    commands = bash_commands(readme)
    assert commands, f"{readme.name} has no bash blocks"
    for command in commands:
        script = " && ".join(rewrite(part.strip()) for part in command.split("&&"))
        if script in _PASSED:       # the same command in another README (translations) ran already
            continue
        r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=work, env=env,
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{readme.name}: `{command}` exited {r.returncode}:\n{r.stderr[-2000:]}"
        assert "Traceback" not in r.stderr, f"{readme.name}: `{command}`:\n{r.stderr[-2000:]}"
        _PASSED.add(script)


def _debian_packages_qt_loads() -> set[str]:
    """Debian packages of every shared library that Qt's libraries and its xcb platform plugin
    load (from ldd; libraries shipped inside the PySide6 wheel excluded)."""
    import PySide6
    qt = os.path.dirname(PySide6.__file__)
    files = [f"{qt}/Qt/plugins/platforms/libqxcb.so"]
    files += [f"{qt}/Qt/lib/libQt6{m}.so.6" for m in ("Core", "Gui", "Widgets", "DBus", "XcbQpa")]
    files += glob.glob(f"{qt}/Qt/plugins/xcbglintegrations/*.so")
    missing, libs = [], set()
    for f in files:
        for line in subprocess.run(["ldd", f], capture_output=True, text=True).stdout.splitlines():
            if "not found" in line:
                missing.append(f"{os.path.basename(f)} needs {line.split()[0]}")
            m = re.match(r"\s*\S+ => (/\S+) \(0x", line)
            if m and not m.group(1).startswith(qt):
                libs.add(m.group(1))
    assert not missing, "Qt cannot start here: " + "; ".join(missing)
    # One dpkg call for all (each call reads the whole package database). A library may be
    # registered under /lib or /usr/lib (merged /usr), by its link name or its real name.
    candidates = {}
    for lib in libs:
        real = os.path.realpath(lib)
        for path in {lib, real, real.replace("/usr/lib/", "/lib/", 1), lib.replace("/usr/lib/", "/lib/", 1)}:
            candidates[path] = lib
    out = subprocess.run(["dpkg", "-S", *sorted(candidates)], capture_output=True, text=True).stdout
    packages, owned = set(), set()
    for line in out.splitlines():
        names, _, path = line.partition(": ")
        if path.strip() in candidates:
            packages.update(n.strip().split(":")[0] for n in names.split(","))
            owned.add(candidates[path.strip()])
    assert owned == libs, f"no Debian package owns {sorted(libs - owned)}"
    return packages


def _depends(packages: set[str]) -> dict[str, set[str]]:
    """package → the packages it depends on (any alternative), for installed packages."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Depends}, ${Pre-Depends}\n",
                          *sorted(packages)], capture_output=True, text=True).stdout
    deps = {}
    for line in out.splitlines():
        name, _, rest = line.partition("\t")
        deps[name] = {p.strip().split(" ")[0].split(":")[0] for p in re.split(r"[,|]", rest) if p.strip()}
    return deps


@pytest.mark.skipif(not sys.platform.startswith("linux") or not Path("/usr/bin/dpkg").exists(),
                    reason="the apt line is for Debian and Ubuntu")
def test_apt_line_covers_what_qt_loads():
    """README.md's apt-get line names only packages Qt loads, and with their dependencies covers
    every package Qt loads (base packages of every system — priority required — aside)."""
    lines = [c for c in bash_commands(ROOT / "README.md") if re.match(r"(sudo )?apt-get install", c)]
    assert len(lines) == 1, "one apt-get line for Qt's libraries"
    words = shlex.split(lines[0])
    words = words[1:] if words[0] == "sudo" else words
    named = {w for w in words[2:] if not w.startswith("-")}
    needed = _debian_packages_qt_loads()
    assert named <= needed, f"not loaded by Qt: {sorted(named - needed)}"
    covered, frontier = set(), set(named)
    while frontier:                       # the dependency closure, one dpkg-query per level
        covered |= frontier
        frontier = set().union(*_depends(frontier).values()) - covered
    rest = needed - covered
    priorities = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Priority}\n", *sorted(rest)],
                                capture_output=True, text=True).stdout if rest else ""
    left = {line.split("\t")[0] for line in priorities.splitlines() if not line.endswith("\trequired")}
    assert not left, f"Qt loads these and the README's apt line does not install them: {sorted(left)}"
