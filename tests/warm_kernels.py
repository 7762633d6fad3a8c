"""Compile the engine into numba's on-disk cache in the background, on the cores the test session
leaves idle, so that no test waits for a cold compile (CI's fresh clone only: tests/conftest.py
starts this with the session, and waits for it before the tests that need it).

On a fresh clone every engine signature compiles once, and the engine is big: on a 2-core
machine one dtype's train_chunk took ~140 s (forward_pass ~40 s and backward_pass ~70 s of it).
(predict_chunk and Executor.loss_and_gradients once compiled both passes again, ~45 s more, while
the loop passed ``training`` as the constants True/False; it is a runtime bool now, so all three
share one compiled pass: core/kernels/loop.py.) The GUI tests, collected first, need the float32 engine at once (the
dashboard's first training); the engine tests after them need the float64 one. Left to the
tests, the main test process waited ~3 minutes for the first training's child process to
compile the float32 engine, and compiled both dtypes' loss_and_gradients passes itself later.

So the work is split into jobs, run two at a time (one per core) in child processes, float32
first: the forward and backward passes that train_chunk calls are compiled in parallel (through
the jitted callers below, with ``training`` a runtime bool as train_chunk gives it), then
train_chunk loads both from the cache; the other jobs wait for the passes whose kernels they
share (JOBS). When every float32 job is done, ``float32.done`` appears
in the folder given by $NETDESIGNER_WARM_DIR (the session then starts its tests), likewise
``float64.done``. Nothing here is a test; on a warm cache every job only loads and exits.

``python -m tests.warm_kernels`` runs the schedule; ``python -m tests.warm_kernels JOB DTYPE``
one job.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# (job, the jobs of its dtype it waits for) in order of priority, float32's before float64's. The
# waits are for the cache: predict_chunk's forward pass calls the op kernels train_chunk's does,
# and loss_and_gradients' passes those of both; run side by side, two jobs compiled the same
# kernels twice (the recurrent backward kernels alone took minutes). The longest job, the backward
# pass, comes first: float64's then takes the first slot that float32's jobs leave free (while they
# wait for float32's passes) instead of running alone at the end. With forward_train first, a CI
# run on 2 cores compiled float64's backward pass alone for ~70 s, the last ~25 s of it with both
# xdist workers waiting for float64.done and one core idle.
JOBS = (("backward_train", ()), ("forward_train", ()), ("predict", ("forward_train",)),
        ("train", ("forward_train", "backward_train")), ("loss_and_gradients", ("forward_train", "backward_train")))
WORKERS = 2


def _executor(dtype):
    from tests.helpers import make_executor, sequential
    g = sequential((3,), ("Dense", {"units": 4}), "Tanh", ("Dense", {"units": 2}))
    return make_executor(g, "mse", max_batch=8, dtype=dtype)


def run_job(job: str, dtype) -> None:
    """Compile (or load) one piece of the engine for `dtype`, with the argument types the
    executor gives it."""
    ex = _executor(dtype)
    X, Y = np.ones((8, 3), dtype), np.ones((8, 2), dtype)
    if job == "train":
        ex.train_batches(X, Y, np.arange(8, dtype=np.int64), 0, 8, 1, np.full(1, 0.01), np.zeros(1), 0,
                         np.zeros(8))
    elif job == "predict":
        ex.predict(X)
    elif job == "loss_and_gradients":
        ex.loss_and_gradients(X, Y)
    elif job in ("forward_train", "backward_train"):
        from numba import njit

        from core.kernels.engine import backward_pass, forward_pass
        p, n, threads = ex.plan, np.int64(8), np.int64(1)
        rows = np.arange(8, dtype=np.int64)
        if job == "forward_train":
            @njit
            def forward_train(ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
                forward_pass(ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads)
            forward_train(ex.ops, p.opf, p.op_in, ex.tens, ex.params, ex.acts, ex.aux, ex.aux_off, X, rows, n,
                          True, ex.rng, threads)
        else:
            @njit
            def backward_train(ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n,
                               training, threads):
                backward_pass(ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
                              threads)
            backward_train(ex.ops, p.opf, p.op_in, ex.tens, ex.params, ex.grads, ex.acts, ex.dacts, ex.aux,
                           ex.aux_off, ex.scratch, n, True, threads)
    else:
        raise ValueError(f"unknown job {job!r}")


def main() -> None:
    """Run every job, WORKERS at a time, each when what it needs is done; mark each dtype done."""
    root = Path(__file__).resolve().parent.parent
    marks = Path(os.environ.get("NETDESIGNER_WARM_DIR") or tempfile.mkdtemp(prefix="netdesigner-warm-"))
    todo = [(dtype, job, deps) for dtype in ("float32", "float64") for job, deps in JOBS]
    done: set[tuple[str, str]] = set()
    running: dict[subprocess.Popen, tuple[str, str]] = {}
    while todo or running:
        for dtype, job, deps in list(todo):
            if len(running) >= WORKERS:
                break
            if all((dtype, d) in done for d in deps):
                todo.remove((dtype, job, deps))
                p = subprocess.Popen([sys.executable, "-m", "tests.warm_kernels", job, dtype], cwd=root)
                running[p] = (dtype, job)
        time.sleep(0.1)
        for p in [p for p in running if p.poll() is not None]:
            done.add(running.pop(p))        # a failed job only means a test compiles it later
            for dtype in ("float32", "float64"):
                if all((dtype, j) in done for j, _ in JOBS):
                    (marks / f"{dtype}.done").touch()


if __name__ == "__main__":
    if len(sys.argv) == 3:
        run_job(sys.argv[1], np.dtype(sys.argv[2]))
    else:
        main()
