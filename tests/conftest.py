import os

# Qt must never try to reach a display in tests (pytest-qt aborts without one).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# BLAS threads fight numba's: keep tests deterministic and fast on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# ---- a background compile of the engine (tests/warm_kernels.py says why) -------------------------
_warm = None
_warm_dir = None
_waited: set[str] = set()
# A hang guard, per wait: the whole warm-up took ~10 min on a 2-core machine shared with another
# busy process.
WARM_TIMEOUT_S = 1200


def pytest_sessionstart(session):
    global _warm, _warm_dir
    import subprocess
    import sys
    import tempfile
    if not os.environ.get("CI"):          # CI's fresh clone only: a local run has a warm cache
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    _warm_dir = tempfile.mkdtemp(prefix="netdesigner-warm-")
    _warm = subprocess.Popen([sys.executable, "-m", "tests.warm_kernels"], cwd=root,
                             env={**os.environ, "NETDESIGNER_WARM_DIR": _warm_dir}, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_warm(dtype: str) -> None:
    """Until the warm-up has compiled the `dtype` engine (or has ended, or the guard expires):
    a test that trained now would compile the same functions again beside it, on the same cores."""
    import time
    if _warm is None or dtype in _waited:
        return
    deadline = time.monotonic() + WARM_TIMEOUT_S
    marker = os.path.join(_warm_dir, f"{dtype}.done")
    while not os.path.exists(marker) and _warm.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    _waited.add(dtype)


def pytest_runtest_setup(item):
    # The GUI tests run first and train in float32 at once (the dashboard's first test); the
    # engine tests after them use float64, which the warm-up compiles meanwhile.
    _wait_for_warm("float32")
    if item.path.parent.name != "gui":
        _wait_for_warm("float64")


def pytest_sessionfinish(session, exitstatus):
    import shutil
    import signal
    if _warm is not None:
        if _warm.poll() is None:
            os.killpg(_warm.pid, signal.SIGKILL)     # the warm-up and its job processes
        _warm.wait()
        shutil.rmtree(_warm_dir, ignore_errors=True)
