"""Recurrent kernels alone vs PyTorch at one thread: LSTM and GRU, sequence 50, 8 features,
64 units, batch 32 — forward + backward through time (gradients of the input and all weights),
median of interleaved repeats, printed as a ratio (> 1: the kernels are faster).

Not a test (no timings in tests); the machine may be shared, so the numbers are indicative.
The whole training step (loss, optimizer, the engine's plan) is measured once the kernels are
wired as ops (issue #13's LSTM row in bench/).

    python -m bench.recurrent_kernels [--repeats 30] [--kinds lstm,gru,rnn]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

N, T, F, H = 32, 50, 8, 64


def _ours(kind, rng):
    from core.kernels import recurrent as R
    G = {"lstm": 4, "gru": 3, "rnn": 1}[kind]
    x = rng.normal(size=(N, T * F)).astype(np.float32)
    W = rng.uniform(-0.2, 0.2, (F, G * H)).astype(np.float32)
    U = rng.uniform(-0.2, 0.2, (H, G * H)).astype(np.float32)
    b = np.zeros(2 * G * H if kind == "gru" else G * H, np.float32)
    aux_size, scratch_size = {
        "lstm": (R.lstm_aux_size(T, H), R.lstm_scratch_size(N, H)),
        "gru": (R.gru_aux_size(T, H), R.gru_scratch_size(N, H)),
        "rnn": (R.simple_rnn_aux_size(T, H), R.simple_rnn_scratch_size(N, H)),
    }[kind]
    aux = np.zeros(N * aux_size, np.float32)
    scratch = np.zeros(scratch_size, np.float32)
    y = np.zeros((N, T * H), np.float32)
    dy = rng.normal(size=y.shape).astype(np.float32)
    dx, dW, dU, db = np.zeros_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    gnorm = np.zeros(T)

    if kind == "lstm":
        def step():
            R.lstm_forward(x, W, U, b, True, True, y, aux, scratch, 1)
            R.lstm_backward(x, W, U, True, True, dy, aux, dW, dU, db, True, dx, True, False, scratch, gnorm, 1)
    elif kind == "gru":
        def step():
            R.gru_forward(x, W, U, b, True, True, y, aux, scratch, 1)
            R.gru_backward(x, W, U, True, True, dy, aux, dW, dU, db, True, dx, True, False, scratch, gnorm, 1)
    else:
        def step():
            R.simple_rnn_forward(x, W, U, b, True, R.ACT_TANH, True, y, aux, scratch, 1)
            R.simple_rnn_backward(x, W, U, True, R.ACT_TANH, True, dy, aux, dW, dU, db, True, dx, True, False,
                                  scratch, gnorm, 1)
    return step


def _torch(kind, rng):
    import torch
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
    m = cls(F, H, batch_first=True)
    x = torch.from_numpy(rng.normal(size=(N, T, F)).astype(np.float32)).requires_grad_(True)
    dy = torch.from_numpy(rng.normal(size=(N, T, H)).astype(np.float32))

    def step():
        m.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = m(x)
        out.backward(dy)
    return step


def _time(step, inner):
    t0 = time.perf_counter()
    for _ in range(inner):
        step()
    return (time.perf_counter() - t0) / inner


def measure(kind: str, repeats: int = 30, inner: int = 10) -> dict:
    import torch
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    ours, theirs = _ours(kind, rng), _torch(kind, rng)
    for _ in range(3):          # compile / warm up both
        ours()
        theirs()
    a, b = [], []
    for _ in range(repeats):    # interleaved, so both see the same machine load
        a.append(_time(ours, inner))
        b.append(_time(theirs, inner))
    ta, tb = statistics.median(a), statistics.median(b)
    return {"kind": kind, "ours_ms": ta * 1e3, "torch_ms": tb * 1e3, "speedup": tb / ta}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--kinds", default="lstm,gru")
    args = p.parse_args(argv)
    import numba
    numba.set_num_threads(1)
    print(f"forward+backward, batch {N}, sequence {T}, {F} features, {H} units, 1 thread, float32")
    for kind in args.kinds.split(","):
        r = measure(kind, args.repeats)
        print(f"{kind:5s} ours {r['ours_ms']:7.3f} ms   torch {r['torch_ms']:7.3f} ms   "
              f"torch/ours {r['speedup']:.2f}x")


if __name__ == "__main__":
    main()
