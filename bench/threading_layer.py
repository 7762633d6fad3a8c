"""Threading layer, measured: `omp` against `tbb` for the engine's parallel products, one
training alone and two at once from two Python threads (the designer's thread mode beside a
cross-validation). Run once per layer (the layer is fixed at numba's first parallel launch):

    python -m bench.threading_layer                                   # omp (the default)
    LD_LIBRARY_PATH=<prefix>/lib NUMBA_THREADING_LAYER=tbb python -m bench.threading_layer

(TBB from pip installs libtbb.so.12 under <prefix>/lib, outside the loader path: hence the
variable; core/threads.py explains why the app uses omp.)
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time

import numba
import numpy as np

from core import threads
from core.kernels.dense import dense_backward, dense_forward

SHAPES = {"W3 b512 784x512": (512, 784, 512), "W3 b128 784x512": (128, 784, 512),
          "W5 b256 2048x2048": (256, 2048, 2048)}


def _step(x, W, b, y, dy, dW, db, dx, scratch, t):
    dense_forward(x, W, b, True, y, False, t)
    dense_backward(x, W, dy, dW, db, True, True, dx, True, False, scratch, False, t)


def _case(n, k, m):
    rng = np.random.default_rng(0)
    f = np.float32
    x, W = rng.standard_normal((n, k)).astype(f), rng.standard_normal((k, m)).astype(f)
    return (x, W, np.zeros(m, f), np.zeros((n, m), f), rng.standard_normal((n, m)).astype(f),
            np.zeros_like(W), np.zeros(m, f), np.zeros_like(x), np.zeros(k * m, f))


def rate(shape, t, reps, concurrent=1) -> float:
    """Layer steps (forward + backward) per second, summed over `concurrent` Python threads."""
    cases = [_case(*shape) for _ in range(concurrent)]
    for c in cases:
        _step(*c, t)
    barrier = threading.Barrier(concurrent)
    times = [0.0] * concurrent

    def run(i):
        numba.set_num_threads(t)
        barrier.wait()
        t0 = time.perf_counter()
        for _ in range(reps):
            _step(*cases[i], t)
        times[i] = time.perf_counter() - t0

    ws = [threading.Thread(target=run, args=(i,)) for i in range(concurrent)]
    for w in ws:
        w.start()
    for w in ws:
        w.join()
    return concurrent * reps / max(times)


def main(argv=None) -> int:
    threads.configure_threading_layer()
    reps = int((argv or sys.argv[1:] or ["5"])[0])
    cores = threads.physical_cores()
    _step(*_case(8, 8, 8), 2)
    layer = numba.threading_layer()
    out = {"layer": layer, "cores": cores, "load": os.getloadavg()[0], "rows": []}
    for name, shape in SHAPES.items():
        row = {"shape": name, "alone_1": rate(shape, 1, reps), "alone_all": rate(shape, cores, reps),
               "two_at_once_half_each": rate(shape, max(1, cores // 2), reps, concurrent=2)}
        out["rows"].append(row)
        print(f"{layer:4s} {name:20s} 1 thread {row['alone_1']:8.1f}/s  {cores} threads "
              f"{row['alone_all']:8.1f}/s  two trainings × {max(1, cores // 2)} "
              f"{row['two_at_once_half_each']:8.1f}/s", flush=True)
    os.makedirs(os.path.join(os.path.dirname(__file__), "results"), exist_ok=True)
    with open(os.path.join(os.path.dirname(__file__), "results", f"threading_layer_{layer}.json"), "w") as f:
        json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
