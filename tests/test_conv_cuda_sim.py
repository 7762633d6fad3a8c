"""CUDA conv/pool kernels (core/kernels/cuda_conv.py) equal the CPU kernels (conv.py, pool.py, which
tests/test_conv_kernels.py holds to PyTorch), on the CUDA simulator — tiny shapes, it is slow.

NUMBA_ENABLE_CUDASIM must be set before numba is imported, so the check runs in a subprocess.
Tensors sit at non-zero offsets inside shared arenas, as in the executor, so offset mistakes show.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_PARITY = r"""
import numpy as np
from numba import cuda
from core.kernels import conv, pool, cuda_conv as cc
from core.threads import configure_threading_layer
configure_threading_layer()   # the CPU kernels link parallel variants (see test_conv_kernels.py)

rng = np.random.default_rng(0)
f32 = np.float32

def close(a, b, what):
    err = float(np.max(np.abs(a - b)))
    assert err <= 1e-5 * max(1.0, float(np.max(np.abs(b)))), (what, err)

class Arena:
    # flat float32 arena; place() puts an array at a fresh offset after some padding
    def __init__(self):
        self.parts, self.size = [], 3
    def place(self, arr):
        off = self.size
        self.parts.append((off, np.asarray(arr, f32).ravel()))
        self.size += arr.size + 5
        return off
    def device(self):
        host = np.full(self.size, 99.0, f32)
        for off, a in self.parts:
            host[off:off + a.size] = a
        return cuda.to_device(host)

def check_conv(n, h, w, c, kh, kw, sh, sw, padding, f, use_bias, acc):
    oh, ow, pt, pl = conv.conv2d_geometry(h, w, kh, kw, sh, sw, padding)
    geo = (h, w, c, kh, kw, sh, sw, pt, pl, oh, ow)
    x = rng.uniform(-1, 1, (n, h * w * c)).astype(f32)
    kern = rng.uniform(-1, 1, (kh * kw * c, f)).astype(f32)
    bias = rng.uniform(-1, 1, f).astype(f32)
    dy = rng.uniform(-1, 1, (n, oh * ow * f)).astype(f32)
    dx0 = rng.uniform(-1, 1, x.shape).astype(f32)
    # CPU
    y = np.zeros((n, oh * ow * f), f32)
    cols = np.zeros(n * conv.conv2d_cols_per_sample(oh, ow, kh, kw, c), f32)
    wt = np.zeros(conv.conv2d_fixed_scratch_size(oh, ow, kh, kw, c, f), f32)
    conv.conv2d_forward(x, kern, bias, use_bias, y, cols, wt, *geo, 1)
    dk, db, dx = np.zeros_like(kern), np.zeros_like(bias), dx0.copy()
    conv.conv2d_backward(kern, dy, dk, db, use_bias, True, dx, True, acc, cols, wt, *geo, 1)
    # CUDA
    A, D, P, G, X = Arena(), Arena(), Arena(), Arena(), Arena()
    xo, yo = A.place(x), A.place(np.zeros_like(y))
    dxo, dyo = D.place(dx0), D.place(dy)
    wo, bo = P.place(kern), P.place(bias)
    gwo, gbo = G.place(np.zeros_like(kern)), G.place(np.zeros_like(bias))
    co = X.place(np.zeros_like(cols))
    dA, dD, dP, dG, dX = A.device(), D.device(), P.device(), G.device(), X.device()
    assert dxo == xo and dyo == yo
    cc.conv2d_forward(dA, xo, yo, dP, wo, bo, use_bias, dX, co, n, *geo, f)
    cc.conv2d_backward(dD, yo, xo, dP, wo, dG, gwo, gbo, use_bias, True, True, acc, dX, co, n, *geo, f)
    hA, hD, hG = dA.copy_to_host(), dD.copy_to_host(), dG.copy_to_host()
    close(hA[yo:yo + y.size].reshape(y.shape), y, "conv y")
    close(hD[xo:xo + x.size].reshape(x.shape), dx, "conv dx")
    close(hG[gwo:gwo + kern.size].reshape(kern.shape), dk, "conv dkernel")
    if use_bias:
        close(hG[gbo:gbo + f], db, "conv dbias")
    assert hA[yo + y.size] == 99.0 and hD[xo + x.size] == 99.0   # nothing written past the tensors

def check_pools(n, h, w, c, ph, pw, sh, sw, padding, acc):
    oh, pt, _ = conv.conv_output_size(h, ph, sh, padding)
    ow, pl, _ = conv.conv_output_size(w, pw, sw, padding)
    win = (h, w, c, ph, pw, sh, sw, pt, pl, oh, ow)
    x = rng.permutation(n * h * w * c).reshape(n, h * w * c).astype(f32) / (n * h * w * c)
    dy = rng.uniform(-1, 1, (n, oh * ow * c)).astype(f32)
    dx0 = rng.uniform(-1, 1, x.shape).astype(f32)
    ymax, arg, yavg = (np.zeros_like(dy) for _ in range(3))
    pool.maxpool2d_forward(x, ymax, arg, *win, 1)
    pool.avgpool2d_forward(x, yavg, *win, 1)
    dmax, davg = dx0.copy(), dx0.copy()
    pool.maxpool2d_backward(dy, arg, dmax, acc, h, w, c, oh, ow, 1)
    pool.avgpool2d_backward(dy, davg, acc, *win, 1)
    gy, gdx = np.zeros((n, c), f32), dx0.copy()
    pool.global_avgpool2d_forward(x, gy, h * w, c, 1)
    pool.global_avgpool2d_backward(dy[:, :c].copy(), gdx, acc, h * w, c, 1)

    A, D, X = Arena(), Arena(), Arena()
    xo, yo = A.place(x), A.place(dy)
    D.place(dx0); D.place(dy)
    ao = X.place(np.zeros_like(dy))
    dA, dD, dX = A.device(), D.device(), X.device()
    cc.maxpool2d_forward(dA, xo, yo, dX, ao, n, *win)
    cc.maxpool2d_backward(dD, yo, xo, dX, ao, acc, n, *win)
    close(dA.copy_to_host()[yo:yo + dy.size].reshape(dy.shape), ymax, "maxpool y")
    assert np.array_equal(dX.copy_to_host()[ao:ao + dy.size].reshape(dy.shape), arg), "maxpool argmax"
    close(dD.copy_to_host()[xo:xo + x.size].reshape(x.shape), dmax, "maxpool dx")
    dA, dD = A.device(), D.device()
    cc.avgpool2d_forward(dA, xo, yo, n, *win)
    cc.avgpool2d_backward(dD, yo, xo, acc, n, *win)
    close(dA.copy_to_host()[yo:yo + dy.size].reshape(dy.shape), yavg, "avgpool y")
    close(dD.copy_to_host()[xo:xo + x.size].reshape(x.shape), davg, "avgpool dx")
    A2, D2 = Arena(), Arena()
    xo2, yo2 = A2.place(x), A2.place(gy)
    D2.place(dx0); D2.place(dy[:, :c])
    dA, dD = A2.device(), D2.device()
    cc.global_avgpool2d_forward(dA, xo2, yo2, n, h * w, c)
    cc.global_avgpool2d_backward(dD, yo2, xo2, acc, n, h * w, c)
    close(dA.copy_to_host()[yo2:yo2 + gy.size].reshape(gy.shape), gy, "global y")
    close(dD.copy_to_host()[xo2:xo2 + x.size].reshape(x.shape), gdx, "global dx")

check_conv(2, 5, 4, 2, 3, 3, 2, 2, "same", 3, True, False)     # uneven padding, stride 2
check_conv(1, 5, 6, 1, 3, 5, 1, 2, "valid", 2, False, True)    # kh != kw, sh != sw, accumulate
check_pools(2, 5, 4, 2, 2, 2, 2, 2, "same", False)
check_pools(1, 5, 5, 1, 3, 3, 1, 1, "same", True)              # overlapping windows, accumulate
check_pools(1, 6, 5, 2, 3, 2, 2, 1, "valid", False)
print("ok")
"""


def test_cuda_conv_and_pool_kernels_match_cpu_on_simulator():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    r = subprocess.run([sys.executable, "-c", _PARITY], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]
