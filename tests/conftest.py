import os

# Qt must never try to reach a display in tests (pytest-qt aborts without one).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# BLAS threads fight numba's: keep tests deterministic and fast on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
