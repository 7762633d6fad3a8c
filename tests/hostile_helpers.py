"""Hostile-file helpers shared by tests/test_hostile_data.py and tests/test_hostile_weights.py:
a FIFO that cannot hang a loader, a forged .npy header, and the peak memory of a call.

Both test files refuse the same kinds of forged file (a FIFO, a header that claims a terabyte, a
zip bomb); the helpers that make those files and measure the loader were written out in each.
"""
from __future__ import annotations

import contextlib
import io
import os
import threading
import tracemalloc

import numpy as np

MiB = 1 << 20


@contextlib.contextmanager
def fifo_with_writers(path):
    """A FIFO whose every opening for reading meets a writer that closes at once, so a loader that
    wrongly opens it reads EOF instead of blocking forever (the test then fails, not hangs)."""
    os.mkfifo(path)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:              # ENXIO: no reader yet
                stop.wait(0.005)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        stop.set()
        thread.join()


def npy_header(shape, descr="<f8") -> bytes:
    """A valid .npy header (format 1.0) that claims `shape`, with no data after it."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def peak_mib(fn) -> float:
    """The peak memory traced while `fn()` runs, in MiB (numpy reports its allocations to
    tracemalloc, so an array allocated from a forged header shows here)."""
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / MiB
