"""Conv/pool kernels vs torch.nn.functional at one thread, on the digits CNN's layer shapes.

    python -m bench.conv_kernels [--repeats 7] [--iters 300]

Batch 32: 8×8×1 → Conv 3×3×16 same → MaxPool 2 → 4×4×16 → Conv 3×3×32 same → MaxPool 2 → 2×2×32.
Each row times one layer's forward + backward (the first conv computes no dx, as in a network,
where its input is data; PyTorch's input then has requires_grad=False too). PyTorch runs NCHW
through autograd (what a model's training step does); ours runs NHWC on preallocated arrays.
The median of `repeats` runs of `iters` calls is printed (ours and torch interleaved); the
machine may be shared, so the ratios are indicative.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench.measure import thread_policy
from core.kernels.conv import (conv2d_backward, conv2d_cols_per_sample, conv2d_fixed_scratch_size, conv2d_forward,
                               conv2d_geometry)
from core.kernels.pool import maxpool2d_backward, maxpool2d_forward

N = 32


def timed_pair(ours, theirs, iters, repeats):
    """Medians of `repeats` runs of `iters` calls each, ours and theirs interleaved run by run so
    that a burst of load on the shared machine hits both."""
    ours()
    theirs()
    runs = ([], [])
    for _ in range(repeats):
        for fn, out in zip((ours, theirs), runs):
            t0 = time.perf_counter()
            for _ in range(iters):
                fn()
            out.append((time.perf_counter() - t0) / iters)
    return statistics.median(runs[0]), statistics.median(runs[1])


def conv_pair(h, w, c, f, need_dx, rng):
    import torch
    import torch.nn.functional as F
    oh, ow, pt, pl = conv2d_geometry(h, w, 3, 3, 1, 1, "same")
    x = rng.uniform(-1, 1, (N, h * w * c)).astype(np.float32)
    kern = rng.uniform(-1, 1, (9 * c, f)).astype(np.float32)
    bias = np.zeros(f, np.float32)
    y = np.zeros((N, oh * ow * f), np.float32)
    dy = rng.uniform(-1, 1, y.shape).astype(np.float32)
    dk, db, dx = np.zeros_like(kern), np.zeros_like(bias), np.zeros_like(x)
    cols = np.zeros(N * conv2d_cols_per_sample(oh, ow, 3, 3, c), np.float32)
    wt = np.zeros(conv2d_fixed_scratch_size(oh, ow, 3, 3, c, f), np.float32)
    geo = (h, w, c, 3, 3, 1, 1, pt, pl, oh, ow)

    def ours():
        conv2d_forward(x, kern, bias, True, y, cols, wt, *geo, 1)
        conv2d_backward(kern, dy, dk, db, True, True, dx, need_dx, False, cols, wt, *geo, 1)

    xt = torch.tensor(x.reshape(N, h, w, c)).permute(0, 3, 1, 2).contiguous().requires_grad_(need_dx)
    kt = torch.tensor(kern.reshape(3, 3, c, f)).permute(3, 2, 0, 1).contiguous().requires_grad_()
    bt = torch.zeros(f, requires_grad=True)
    dyt = torch.tensor(dy.reshape(N, oh, ow, f)).permute(0, 3, 1, 2).contiguous()

    def theirs():
        kt.grad = bt.grad = xt.grad = None
        F.conv2d(xt, kt, bt, padding=1).backward(dyt)

    return ours, theirs


def pool_pair(h, w, c, rng):
    import torch
    import torch.nn.functional as F
    oh, ow = h // 2, w // 2
    x = rng.uniform(-1, 1, (N, h * w * c)).astype(np.float32)
    y = np.zeros((N, oh * ow * c), np.float32)
    arg = np.zeros_like(y)
    dy = rng.uniform(-1, 1, y.shape).astype(np.float32)
    dx = np.zeros_like(x)

    def ours():
        maxpool2d_forward(x, y, arg, h, w, c, 2, 2, 2, 2, 0, 0, oh, ow, 1)
        maxpool2d_backward(dy, arg, dx, False, h, w, c, oh, ow, 1)

    xt = torch.tensor(x.reshape(N, h, w, c)).permute(0, 3, 1, 2).contiguous().requires_grad_()
    dyt = torch.tensor(dy.reshape(N, oh, ow, c)).permute(0, 3, 1, 2).contiguous()

    def theirs():
        xt.grad = None
        F.max_pool2d(xt, 2).backward(dyt)

    return ours, theirs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--iters", type=int, default=300)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = [("conv1 8x8x1 -> 3x3x16 same (no dx)", conv_pair(8, 8, 1, 16, False, rng)),
            ("maxpool1 8x8x16 -> 4x4x16", pool_pair(8, 8, 16, rng)),
            ("conv2 4x4x16 -> 3x3x32 same", conv_pair(4, 4, 16, 32, True, rng)),
            ("maxpool2 4x4x32 -> 2x2x32", pool_pair(4, 4, 32, rng))]
    with thread_policy(1):
        print(f"batch {N}, one thread, forward+backward per layer, median of {args.repeats}×{args.iters}")
        print(f"{'layer':38s} {'ours µs':>9s} {'torch µs':>9s} {'torch/ours':>10s}")
        tot_o = tot_t = 0.0
        for name, (ours, theirs) in rows:
            to, tt = timed_pair(ours, theirs, args.iters, args.repeats)
            tot_o += to
            tot_t += tt
            print(f"{name:38s} {to * 1e6:9.1f} {tt * 1e6:9.1f} {tt / to:10.2f}")
        print(f"{'total':38s} {tot_o * 1e6:9.1f} {tot_t * 1e6:9.1f} {tot_t / tot_o:10.2f}")


if __name__ == "__main__":
    main()
