import os

# Qt must never try to reach a display in tests (pytest-qt aborts without one).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# BLAS threads fight numba's: keep tests deterministic and fast on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# ---- a background compile of the engine (tests/warm_kernels.py says why) -------------------------
# The tests run in pytest-xdist workers (pyproject.toml's addopts). The session's one warm-up is
# started by the process that does not run tests (xdist's controller; without xdist, `-n 0`, the
# one pytest process), which names its marker folder in WARM_DIR_VAR before the workers start:
# they inherit it and each waits for the markers. ``ended`` appears there when the warm-up process
# has exited, however it ended (a worker cannot poll a process that is not its child).
WARM_DIR_VAR = "NETDESIGNER_WARM_DIR"
_warm = None            # the warm-up process, in the process that started it
_warm_reaper = None     # the thread that waits for it and then marks it ``ended``
_warm_dir = None        # the marker folder, in every process that waits
_waited: set[str] = set()
# A hang guard, per wait: the whole warm-up took ~10 min on a 2-core machine shared with another
# busy process.
WARM_TIMEOUT_S = 1200


def pytest_sessionstart(session):
    global _warm, _warm_dir, _warm_reaper
    import subprocess
    import sys
    import tempfile
    import threading
    if not os.environ.get("CI"):          # CI's fresh clone only: a local run has a warm cache
        return
    if hasattr(session.config, "workerinput") or os.environ.get(WARM_DIR_VAR):
        # an xdist worker, or a session started inside one (the README's `python -m pytest`):
        # the warm-up is the outer session's
        _warm_dir = os.environ.get(WARM_DIR_VAR)
        return
    if session.config.option.collectonly:   # runs no test: nothing to compile for
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    _warm_dir = tempfile.mkdtemp(prefix="netdesigner-warm-")
    _warm = subprocess.Popen([sys.executable, "-m", "tests.warm_kernels"], cwd=root,
                             env={**os.environ, WARM_DIR_VAR: _warm_dir}, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Before xdist starts its workers (its sessionstart runs last), so that they inherit it.
    os.environ[WARM_DIR_VAR] = _warm_dir

    def reap(proc=_warm, ended=os.path.join(_warm_dir, "ended")):
        proc.wait()
        open(ended, "w").close()
    _warm_reaper = threading.Thread(target=reap, name="warm-up reaper", daemon=True)
    _warm_reaper.start()


def _wait_for_warm(dtype: str) -> None:
    """Until the warm-up has compiled the `dtype` engine (or has ended, or the guard expires):
    a test that trained now would compile the same functions again beside it, on the same cores."""
    import time
    if _warm_dir is None or dtype in _waited:
        return
    deadline = time.monotonic() + WARM_TIMEOUT_S
    marker, ended = os.path.join(_warm_dir, f"{dtype}.done"), os.path.join(_warm_dir, "ended")
    while not os.path.exists(marker) and not os.path.exists(ended) and time.monotonic() < deadline:
        time.sleep(0.2)
    _waited.add(dtype)


def pytest_runtest_setup(item):
    # The GUI tests are collected first (xdist hands out whole files in collection order) and
    # train in float32 at once (the dashboard's first test); the engine tests after them use
    # float64, which the warm-up compiles meanwhile.
    _wait_for_warm("float32")
    if item.path.parent.name != "gui":
        _wait_for_warm("float64")


def pytest_sessionfinish(session, exitstatus):
    import shutil
    import signal
    if _warm is not None:
        if _warm_reaper.is_alive():                  # not yet reaped: its pid is still its own
            try:
                os.killpg(_warm.pid, signal.SIGKILL)     # the warm-up and its job processes
            except ProcessLookupError:                   # reaped just now
                pass
        _warm_reaper.join()
        shutil.rmtree(_warm_dir, ignore_errors=True)
