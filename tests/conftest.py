import os

# Qt must never try to reach a display in tests (pytest-qt aborts without one).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# BLAS threads fight numba's: keep tests deterministic and fast on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# ---- a background compile of the float64 kernels (tests/warm_kernels.py says why) ----------------
_warm = None


def pytest_sessionstart(session):
    global _warm
    import subprocess
    import sys
    if not os.environ.get("CI"):          # CI's fresh clone only: a local run has a warm cache
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    _warm = subprocess.Popen([sys.executable, "-m", "tests.warm_kernels"], cwd=root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pytest_sessionfinish(session, exitstatus):
    if _warm is not None and _warm.poll() is None:
        _warm.kill()
        _warm.wait()
