"""Compile the engine's float64 kernels into numba's on-disk cache, in a background process that
tests/conftest.py starts with the session.

On a fresh clone every kernel signature compiles once (about a minute and a half each on a
2-core machine). The GUI tests, which run first, compile the float32 training kernel; the engine
tests after them need the float64 one. Compiling it here meanwhile, on the other core, takes
that compile off the suite's critical path: when the engine tests reach it, numba loads it from
the cache. Nothing here is a test; on a warm cache it only loads and exits.
"""
from __future__ import annotations

import numpy as np


def main() -> None:
    from tests.helpers import make_executor, sequential
    g = sequential((3,), ("Dense", {"units": 4}), "Tanh", ("Dense", {"units": 2}))
    ex = make_executor(g, "mse", max_batch=8, dtype=np.float64)
    X, Y = np.ones((8, 3)), np.ones((8, 2))
    ex.train_batches(X, Y, np.arange(8, dtype=np.int64), 0, 8, 1, np.full(1, 0.01), np.zeros(1), 0, np.zeros(8))
    ex.predict(X)


if __name__ == "__main__":
    main()
