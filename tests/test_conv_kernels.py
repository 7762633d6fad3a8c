"""Conv2D and pooling kernels (core/kernels/conv.py, pool.py) against PyTorch and finite differences.

Layout: the kernels are channels-last (NHWC, flattened per sample), PyTorch is NCHW, so inputs are
transposed at the boundary and the Keras kernel (kh, kw, C_in, F) is permuted to (F, C_in, kh, kw).
Keras/TensorFlow 'same' padding puts the odd pixel at the bottom/right; PyTorch's padding= is
symmetric, so the references pad explicitly with F.pad (zeros for convolution, −inf for max
pooling). A 'same' average pool excludes the padding from its count (TensorFlow); PyTorch can say
that only for symmetric padding (count_include_pad=False), so the general reference is
avg_pool(pad(x)) / avg_pool(pad(ones)) — the sum over image elements over their count, still a
PyTorch computation with PyTorch's autograd for the backward; the symmetric cases are also checked
against count_include_pad=False directly.

float32 parity: max |ours − torch| ≤ 1e-4 · max(1, max |torch|) — gradients summed over a batch of 33
reach magnitudes of ~30, where float32 rounding alone is ~1e-5 relative.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.kernels.conv import (conv2d_backward, conv2d_cols_per_sample, conv2d_fixed_scratch_size,
                               conv2d_forward, conv2d_geometry, conv2d_im2col, conv_output_size)
from core.kernels.dense import PARALLEL_MIN_MACS
from core.kernels.pool import (PARALLEL_MIN_ELEMENTS, avgpool2d_backward, avgpool2d_forward, global_avgpool2d_backward,
                               global_avgpool2d_forward, maxpool2d_backward, maxpool2d_forward)
from core.threads import configure_threading_layer

# The kernels link parallel variants: loaded from numba's cache, they need the threading layer
# started first (the engine does this), as in tests/test_recurrent_kernels.py.
configure_threading_layer()
torch.set_num_threads(1)


def close(ours, ref, tol=1e-4):
    ref = np.asarray(ref)
    assert ours.shape == ref.shape
    err = float(np.max(np.abs(ours - ref))) if ref.size else 0.0
    assert err <= tol * max(1.0, float(np.max(np.abs(ref)))), err


def nhwc(t):
    """A torch NCHW tensor as the kernels' (n, H·W·C) rows."""
    return t.detach().permute(0, 2, 3, 1).reshape(t.shape[0], -1).numpy()


def nchw(a, h, w, c):
    return torch.tensor(a.reshape(-1, h, w, c)).permute(0, 3, 1, 2)


# ----------------------------------------------------------------------------- geometry

@pytest.mark.parametrize("size,k,stride,padding,expected", [
    # hand-derived from TensorFlow's rule: same → ceil(size/stride), pad_total split with the odd one after
    (7, 3, 1, "same", (7, 1, 1)),
    (6, 5, 2, "same", (3, 1, 2)),      # (3−1)·2 + 5 − 6 = 3
    (8, 2, 2, "same", (4, 0, 0)),
    (5, 1, 2, "same", (3, 0, 0)),      # (3−1)·2 + 1 − 5 = 0
    (4, 3, 3, "same", (2, 1, 1)),      # (2−1)·3 + 3 − 4 = 2
    (7, 3, 2, "valid", (3, 0, 0)),
    (8, 2, 2, "valid", (4, 0, 0)),
    (2, 3, 1, "valid", (0, 0, 0)),     # kernel larger than the image: nothing fits
])
def test_conv_output_size_follows_tensorflow(size, k, stride, padding, expected):
    assert conv_output_size(size, k, stride, padding) == expected


def test_conv_output_size_rejects_unknown_padding():
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        conv_output_size(8, 3, 1, "full")


# ----------------------------------------------------------------------------- conv helpers

class Conv:
    """One Conv2D layer's arrays and geometry, run through the kernels."""

    def __init__(self, n, h, w, c, kh, kw, sh, sw, padding, f, dtype, seed=0):
        rng = np.random.default_rng(seed)
        self.h, self.w, self.c, self.kh, self.kw, self.sh, self.sw, self.f = h, w, c, kh, kw, sh, sw, f
        self.oh, self.ow, self.pt, self.pl = conv2d_geometry(h, w, kh, kw, sh, sw, padding)
        _, _, self.pb = conv_output_size(h, kh, sh, padding)
        _, _, self.pr = conv_output_size(w, kw, sw, padding)
        self.x = rng.uniform(-1, 1, (n, h * w * c)).astype(dtype)
        self.kernel4 = rng.uniform(-1, 1, (kh, kw, c, f)).astype(dtype)
        self.bias = rng.uniform(-1, 1, f).astype(dtype)
        self.dy = rng.uniform(-1, 1, (n, self.oh * self.ow * f)).astype(dtype)
        # scratch arrays start as garbage: the kernels must not read what they did not write
        self.cols = np.full(n * conv2d_cols_per_sample(self.oh, self.ow, kh, kw, c), np.nan, dtype)
        self.scratch = np.full(conv2d_fixed_scratch_size(self.oh, self.ow, kh, kw, c, f), np.nan, dtype)

    @property
    def geometry(self):
        return (self.h, self.w, self.c, self.kh, self.kw, self.sh, self.sw, self.pt, self.pl, self.oh, self.ow)

    def forward(self, use_bias=True, threads=1):
        y = np.zeros((self.x.shape[0], self.oh * self.ow * self.f), self.x.dtype)
        conv2d_forward(self.x, self.kernel4.reshape(-1, self.f), self.bias, use_bias, y, self.cols, self.scratch,
                       *self.geometry, threads)
        return y

    def backward(self, use_bias=True, need_dw=True, need_dx=True, acc=False, dx=None, threads=1):
        dk = np.full((self.kh * self.kw * self.c, self.f), 7.0, self.x.dtype)
        db = np.full(self.f, 7.0, self.x.dtype)
        dx = np.zeros_like(self.x) if dx is None else dx
        conv2d_backward(self.kernel4.reshape(-1, self.f), self.dy, dk, db, use_bias, need_dw, dx, need_dx, acc,
                        self.cols, self.scratch, *self.geometry, threads)
        return dx, dk, db

    def torch_ref(self, use_bias=True):
        xt = nchw(self.x, self.h, self.w, self.c).requires_grad_()
        kt = torch.tensor(self.kernel4).permute(3, 2, 0, 1).contiguous().requires_grad_()
        bt = torch.tensor(self.bias).requires_grad_()
        yt = F.conv2d(F.pad(xt, (self.pl, self.pr, self.pt, self.pb)), kt, bt if use_bias else None,
                      stride=(self.sh, self.sw))
        yt.backward(nchw(self.dy, self.oh, self.ow, self.f))
        dk = kt.grad.permute(2, 3, 1, 0).reshape(-1, self.f).numpy()
        return nhwc(yt), nhwc(xt.grad), dk, (bt.grad.numpy() if use_bias else None)


CONV_CASES = [
    # n, h, w, c, kh, kw, sh, sw, padding, filters
    (1, 7, 5, 1, 3, 3, 1, 1, "same", 4),
    (33, 6, 9, 3, 5, 5, 2, 2, "same", 5),     # H: pad 1 top, 2 bottom (uneven)
    (33, 9, 7, 3, 3, 3, 2, 2, "valid", 6),
    (1, 8, 11, 1, 5, 5, 1, 1, "valid", 3),
    (2, 7, 8, 3, 3, 3, 2, 2, "same", 70),     # > 64 filters: dx through the dot-product kernel
    (3, 6, 7, 2, 3, 5, 1, 2, "same", 4),      # kh ≠ kw, sh ≠ sw
    (2, 5, 6, 3, 5, 3, 2, 1, "valid", 2),
    (2, 3, 2, 2, 5, 5, 1, 1, "same", 3),      # kernel larger than the image: windows mostly padding
    (3, 5, 4, 3, 1, 1, 2, 2, "valid", 4),     # 1×1 kernel, stride 2
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_pytorch_float32(case):
    n, h, w, c, kh, kw, sh, sw, padding, f = case
    layer = Conv(n, h, w, c, kh, kw, sh, sw, padding, f, np.float32)
    y = layer.forward()
    dx, dk, db = layer.backward()
    ry, rdx, rdk, rdb = layer.torch_ref()
    close(y, ry)
    close(dx, rdx)
    close(dk, rdk)
    close(db, rdb)


def test_conv2d_without_bias_matches_pytorch():
    layer = Conv(4, 6, 5, 3, 3, 3, 1, 1, "same", 3, np.float32, seed=3)
    layer.bias[:] = 100.0                      # must be ignored
    y = layer.forward(use_bias=False)
    dx, dk, db = layer.backward(use_bias=False)
    ry, rdx, rdk, _ = layer.torch_ref(use_bias=False)
    close(y, ry)
    close(dx, rdx)
    close(dk, rdk)
    assert np.all(db == 7.0)                   # dbias untouched


def test_conv2d_backward_flags_and_accumulation():
    layer = Conv(3, 6, 7, 2, 3, 3, 2, 2, "same", 4, np.float32, seed=5)
    layer.forward()
    _, rdx, rdk, rdb = layer.torch_ref()
    dx, dk, db = layer.backward(need_dx=False, dx=np.full_like(layer.x, 3.0))
    assert np.all(dx == 3.0)                   # need_dx off: dx untouched
    close(dk, rdk)
    close(db, rdb)
    layer.forward()                            # (need_dx was off, so cols still hold the im2col)
    dx, dk, db = layer.backward(need_dw=False, acc=True, dx=np.full_like(layer.x, 3.0))
    assert np.all(dk == 7.0) and np.all(db == 7.0)
    close(dx, rdx + 3.0)                       # acc: added into what was there


def test_conv2d_im2col_alone_refills_what_backward_overwrote():
    layer = Conv(2, 5, 6, 3, 3, 3, 1, 1, "same", 4, np.float32, seed=7)
    layer.forward()
    saved = layer.cols.copy()
    layer.backward()                           # need_dx: cols now hold ∂L/∂cols
    assert not np.array_equal(layer.cols, saved)
    conv2d_im2col(layer.x, layer.cols, layer.scratch, *layer.geometry, 1)
    assert np.array_equal(layer.cols, saved)


def test_conv2d_parallel_path_equals_serial_bitwise():
    layer = Conv(33, 16, 12, 8, 3, 3, 1, 1, "same", 64, np.float32, seed=11)
    assert 33 * 16 * 12 * 9 * 8 * 64 >= PARALLEL_MIN_MACS   # really takes the parallel branch
    y1 = layer.forward(threads=1)
    g1 = layer.backward(threads=1)
    y2 = layer.forward(threads=2)
    g2 = layer.backward(threads=2)
    assert np.array_equal(y1, y2)
    for a, b in zip(g1, g2):
        assert np.array_equal(a, b)
    close(y1, layer.torch_ref()[0])


def numeric_grad(f, arr, eps=1e-6):
    g = np.zeros_like(arr)
    flat, gf = arr.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gf[i] = (up - down) / (2 * eps)
    return g


@pytest.mark.parametrize("case", [(2, 6, 5, 2, 3, 3, 2, 2, "same", 3), (2, 5, 6, 2, 3, 5, 1, 2, "valid", 2)])
def test_conv2d_finite_differences_float64(case):
    n, h, w, c, kh, kw, sh, sw, padding, f = case
    layer = Conv(n, h, w, c, kh, kw, sh, sw, padding, f, np.float64, seed=2)

    def loss():
        return float(np.sum(layer.forward() * layer.dy))

    layer.forward()
    dx, dk, db = layer.backward()
    np.testing.assert_allclose(dx, numeric_grad(loss, layer.x), atol=1e-7)
    np.testing.assert_allclose(dk, numeric_grad(loss, layer.kernel4).reshape(-1, f), atol=1e-7)
    np.testing.assert_allclose(db, numeric_grad(loss, layer.bias), atol=1e-7)


# ----------------------------------------------------------------------------- pooling

class Pool:
    def __init__(self, n, h, w, c, ph, pw, sh, sw, padding, dtype, seed=0):
        rng = np.random.default_rng(seed)
        self.h, self.w, self.c, self.ph, self.pw, self.sh, self.sw = h, w, c, ph, pw, sh, sw
        self.oh, self.pt, self.pb = conv_output_size(h, ph, sh, padding)
        self.ow, self.pl, self.pr = conv_output_size(w, pw, sw, padding)
        self.x = rng.uniform(-1, 1, (n, h * w * c)).astype(dtype)
        self.dy = rng.uniform(-1, 1, (n, self.oh * self.ow * c)).astype(dtype)
        self.arg = np.zeros((n, self.oh * self.ow * c), dtype)   # a float aux slot, as in the arena

    @property
    def window(self):
        return (self.h, self.w, self.c, self.ph, self.pw, self.sh, self.sw, self.pt, self.pl, self.oh, self.ow)

    def max_fwd(self):
        y = np.zeros_like(self.dy)
        maxpool2d_forward(self.x, y, self.arg, *self.window, 1)
        return y

    def max_bwd(self, acc=False, dx=None):
        dx = np.zeros_like(self.x) if dx is None else dx
        maxpool2d_backward(self.dy, self.arg, dx, acc, self.h, self.w, self.c, self.oh, self.ow, 1)
        return dx

    def avg_fwd(self):
        y = np.zeros_like(self.dy)
        avgpool2d_forward(self.x, y, *self.window, 1)
        return y

    def avg_bwd(self, acc=False, dx=None):
        dx = np.zeros_like(self.x) if dx is None else dx
        avgpool2d_backward(self.dy, dx, acc, *self.window, 1)
        return dx

    def torch_ref(self, kind):
        xt = nchw(self.x, self.h, self.w, self.c).requires_grad_()
        pad = (self.pl, self.pr, self.pt, self.pb)
        kw = dict(kernel_size=(self.ph, self.pw), stride=(self.sh, self.sw))
        if kind == "max":
            yt = F.max_pool2d(F.pad(xt, pad, value=-float("inf")), **kw)
        else:
            ones = torch.ones_like(xt)
            yt = F.avg_pool2d(F.pad(xt, pad), **kw) / F.avg_pool2d(F.pad(ones, pad), **kw)
        yt.backward(nchw(self.dy, self.oh, self.ow, self.c))
        return nhwc(yt), nhwc(xt.grad)


POOL_CASES = [
    # n, h, w, c, ph, pw, sh, sw, padding
    (33, 8, 6, 3, 2, 2, 2, 2, "valid"),
    (1, 7, 9, 1, 2, 2, 2, 2, "same"),         # odd sizes: one padded row/column after
    (2, 7, 6, 3, 3, 3, 2, 2, "same"),         # overlapping windows
    (33, 5, 7, 2, 3, 3, 1, 1, "same"),        # stride 1: every element in up to nine windows
    (3, 9, 8, 2, 3, 2, 3, 1, "valid"),
    (3, 1, 3, 2, 2, 2, 2, 2, "same"),         # one-row image: the window's lower row is padding
]


@pytest.mark.parametrize("case", POOL_CASES)
def test_maxpool2d_matches_pytorch_float32(case):
    p = Pool(*case, np.float32)
    ry, rdx = p.torch_ref("max")
    close(p.max_fwd(), ry)
    close(p.max_bwd(), rdx)


@pytest.mark.parametrize("case", POOL_CASES)
def test_avgpool2d_matches_pytorch_float32(case):
    p = Pool(*case, np.float32)
    ry, rdx = p.torch_ref("avg")
    close(p.avg_fwd(), ry)
    close(p.avg_bwd(), rdx)


def test_avgpool2d_same_excludes_padding_like_count_include_pad_false():
    p = Pool(2, 7, 7, 3, 3, 3, 1, 1, "same", np.float32, seed=4)   # symmetric pad 1: torch can say it
    xt = nchw(p.x, 7, 7, 3).requires_grad_()
    yt = F.avg_pool2d(xt, 3, stride=1, padding=1, count_include_pad=False)
    yt.backward(nchw(p.dy, 7, 7, 3))
    close(p.avg_fwd(), nhwc(yt))
    close(p.avg_bwd(), nhwc(xt.grad))
    corner = p.avg_fwd()[0, :3]               # a corner window holds 4 image elements, not 9
    x = p.x[0].reshape(7, 7, 3)
    np.testing.assert_allclose(corner, x[:2, :2].mean(axis=(0, 1)), rtol=1e-6)


def test_maxpool2d_argmax_is_the_winners_index_and_ties_go_first():
    x = np.array([[1.0, 5.0, 5.0, 2.0]], np.float32)          # one 2×2×1 image, tie at (0,1)/(1,0)
    y, arg = np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32)
    maxpool2d_forward(x, y, arg, 2, 2, 1, 2, 2, 2, 2, 0, 0, 1, 1, 1)
    assert y[0, 0] == 5.0 and arg[0, 0] == 1.0
    dx = np.zeros_like(x)
    maxpool2d_backward(np.array([[2.0]], np.float32), arg, dx, False, 2, 2, 1, 1, 1, 1)
    assert dx.tolist() == [[0.0, 2.0, 0.0, 0.0]]


def test_pool_backward_accumulates_when_asked():
    p = Pool(2, 6, 6, 2, 2, 2, 2, 2, "valid", np.float32, seed=9)
    p.max_fwd()
    base = np.full_like(p.x, 3.0)
    close(p.max_bwd(acc=True, dx=base.copy()), p.max_bwd() + 3.0)
    close(p.avg_bwd(acc=True, dx=base.copy()), p.avg_bwd() + 3.0)
    dy = p.dy[:, :2].copy()
    once, twice = np.zeros_like(p.x), np.full_like(p.x, 3.0)
    global_avgpool2d_backward(dy, once, False, 36, 2, 1)
    global_avgpool2d_backward(dy, twice, True, 36, 2, 1)
    close(twice, once + 3.0)


def test_pool_parallel_paths_equal_serial_bitwise():
    p = Pool(64, 32, 32, 16, 2, 2, 2, 2, "valid", np.float32, seed=12)
    assert 64 * 16 * 16 * 16 * 4 >= PARALLEL_MIN_ELEMENTS        # really takes the parallel branches
    out = {}
    for threads in (1, 2):
        y, arg, dx = np.zeros_like(p.dy), np.zeros_like(p.dy), np.zeros_like(p.x)
        maxpool2d_forward(p.x, y, arg, *p.window, threads)
        maxpool2d_backward(p.dy, arg, dx, False, p.h, p.w, p.c, p.oh, p.ow, threads)
        ya, dxa = np.zeros_like(p.dy), np.zeros_like(p.x)
        avgpool2d_forward(p.x, ya, *p.window, threads)
        avgpool2d_backward(p.dy, dxa, False, *p.window, threads)
        out[threads] = (y, arg, dx, ya, dxa)
    for a, b in zip(out[1], out[2]):
        assert np.array_equal(a, b)
    close(out[2][0], p.torch_ref("max")[0])


@pytest.mark.parametrize("n,h,w,c", [(1, 5, 7, 3), (33, 4, 3, 2)])
def test_global_avgpool2d_matches_pytorch_float32(n, h, w, c):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (n, h * w * c)).astype(np.float32)
    dy = rng.uniform(-1, 1, (n, c)).astype(np.float32)
    y, dx = np.zeros((n, c), np.float32), np.zeros_like(x)
    global_avgpool2d_forward(x, y, h * w, c, 1)
    global_avgpool2d_backward(dy, dx, False, h * w, c, 1)
    xt = nchw(x, h, w, c).requires_grad_()
    yt = xt.mean(dim=(2, 3))
    yt.backward(torch.tensor(dy))
    close(y, yt.detach().numpy())
    close(dx, nhwc(xt.grad))


@pytest.mark.parametrize("case", [(2, 5, 7, 2, 2, 2, 2, 2, "same"), (2, 6, 5, 2, 3, 3, 1, 1, "same"),
                                  (1, 7, 6, 2, 3, 2, 2, 3, "valid")])
def test_pools_finite_differences_float64(case):
    p = Pool(*case, np.float64, seed=6)
    rng = np.random.default_rng(0)
    p.x[:] = rng.permutation(p.x.size).reshape(p.x.shape) / p.x.size   # distinct values: no ties
    p.max_fwd()
    np.testing.assert_allclose(p.max_bwd(), numeric_grad(lambda: float(np.sum(p.max_fwd() * p.dy)), p.x),
                               atol=1e-7)
    np.testing.assert_allclose(p.avg_bwd(), numeric_grad(lambda: float(np.sum(p.avg_fwd() * p.dy)), p.x),
                               atol=1e-7)
    hw, c = p.h * p.w, p.c
    dy = p.dy[:, :c].copy()

    def global_loss():
        y = np.zeros((p.x.shape[0], c))
        global_avgpool2d_forward(p.x, y, hw, c, 1)
        return float(np.sum(y * dy))

    dx = np.zeros_like(p.x)
    global_avgpool2d_backward(dy, dx, False, hw, c, 1)
    np.testing.assert_allclose(dx, numeric_grad(global_loss, p.x), atol=1e-7)
