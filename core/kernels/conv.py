"""Conv2D forward/backward, channels-last (NHWC, like Keras), as im2col + the register-tiled
products of ``gemm.py``. The pooling kernels are in ``pool.py``; both take their geometry from
``conv_output_size``.

Array contract (what the op adapter passes; every array C-contiguous, one float dtype):
- ``x``  (n, H·W·C_in)   a batch of images, each (H, W, C_in) row-major — an arena view.
- ``y``  (n, OH·OW·F)    the output images (OH, OW, F) row-major; ``dy``/``dx`` like y/x.
- ``kernel`` (kh·kw·C_in, F): Keras' (kh, kw, C_in, F) kernel, reshaped (same memory order).
  ``dkernel`` has the same shape; ``bias``/``dbias`` are (F,) (ignored when not use_bias).
- ``cols`` flat, ≥ n · conv2d_cols_per_sample(...) elements: the im2col matrix, one
  (OH·OW, kh·kw·C_in) row-major block per sample, sample s at s·OH·OW·kh·kw·C_in. The forward
  fills it and the backward READS it for dkernel, so it must persist, untouched, from a batch's
  forward to its backward (an aux slot sized per sample). The backward then overwrites it with
  ∂L/∂cols when need_dx. An op that would rather not keep it calls ``conv2d_im2col`` first.
- ``wt`` flat, ≥ conv2d_fixed_scratch_size(...) elements (kernel transposed for dx; fixed aux).
- Geometry: h_in, w_in, c_in, kh, kw, sh, sw, pad_top, pad_left, oh, ow, all ints, from
  ``conv_output_size`` (pad_bottom/pad_right follow from them and are not needed).

Why im2col rather than direct loops: after im2col the whole batch is one product
(n·OH·OW × kh·kw·C_in) · (kh·kw·C_in × F), which the micro-kernels run near peak even for the
digits net's small layers; direct loops measured several times slower (bench/conv_kernels.py).

``threads`` > 1 and a layer of at least PARALLEL_MIN_MACS multiply-adds: the batch is split in
``threads`` chunks (prange), each doing im2col and its product on its own rows — no shared
writes. dkernel (a reduction over the batch) goes through the panel-parallel product instead.
"""
from numba import njit, prange

from .config import JIT, JIT_INLINE
from .dense import PARALLEL_MIN_MACS, TRANSPOSE_MAX_WIDTH
from .gemm import gemm_nn, gemm_nn_par, gemm_nt


def conv_output_size(size, k, stride, padding):
    """(out, pad_before, pad_after) of one spatial axis, as Keras/TensorFlow compute it.

    'valid': out = floor((size − k) / stride) + 1, no padding (out may be ≤ 0: the caller
    reports the shape error). 'same': out = ceil(size / stride), pad_total =
    max((out − 1)·stride + k − size, 0), pad_before = pad_total // 2 (the odd one goes after,
    at the bottom/right — PyTorch's padding= is symmetric, so that case needs an explicit pad)."""
    if k < 1 or stride < 1:
        raise ValueError(f"kernel size and stride must be positive, got k={k}, stride={stride}")
    if padding == "valid":
        return (size - k) // stride + 1 if size >= k else 0, 0, 0
    if padding == "same":
        out = -(-size // stride)
        total = max((out - 1) * stride + k - size, 0)
        return out, total // 2, total - total // 2
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def conv2d_cols_per_sample(oh, ow, kh, kw, c_in):
    """Elements of ``cols`` per sample (the op's per-sample aux)."""
    return oh * ow * kh * kw * c_in


def conv2d_fixed_scratch_size(kh, kw, c_in, filters):
    """Elements of ``wt`` (the op's fixed aux): the kernel transposed, for dx."""
    return kh * kw * c_in * filters


def conv2d_macs(n, oh, ow, kh, kw, c_in, filters):
    """Multiply-adds of one forward product (the parallel threshold's measure)."""
    return n * oh * ow * kh * kw * c_in * filters


# ----------------------------------------------------------------------------- im2col / col2im

# A copy of at least this many elements is split over threads (a fork/join costs a few µs, a
# copy does ~1 element/ns per core): an estimate, not measured on its own — the forward and
# backward split im2col together with their products, on PARALLEL_MIN_MACS.
IM2COL_PARALLEL_MIN = 1 << 18

# im2col copies a run of at least this many elements as a slice (numba emits a memcpy: 2-3×
# faster than an element loop for C_in = 16), shorter ones (C_in = 1: runs of 3) with a loop,
# where the slice's set-up cost dominated (measured, bench/conv_kernels.py shapes).
SLICE_MIN = 32

@njit(**JIT_INLINE)
def _im2col_sample(x, s, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, cols, off):
    """cols[off + (r·ow + q)·K + (i·kw + j)·c_in + c] = x[s, ((r·sh − pt + i)·w_in + q·sw − pl + j)·c_in + c],
    zero where the window leaves the image. For a fixed (r, q, i) the valid j form one run that
    is contiguous in x, so it is copied as one span of (j1 − j0)·c_in elements."""
    span = kw * c_in
    xs = x[s]
    p = off
    for r in range(oh):
        h0 = r * sh - pt
        for q in range(ow):
            w0 = q * sw - pl
            j0 = max(0, -w0)
            j1 = min(kw, w_in - w0)
            for i in range(kh):
                h = h0 + i
                if h < 0 or h >= h_in or j1 <= j0:
                    for e in range(p, p + span):
                        cols[e] = 0.0
                else:
                    a, b = p + j0 * c_in, p + j1 * c_in
                    for e in range(p, a):
                        cols[e] = 0.0
                    src = (h * w_in + w0 + j0) * c_in
                    if b - a >= SLICE_MIN:
                        cols[a:b] = xs[src:src + b - a]
                    else:
                        d = src - a
                        for e in range(a, b):
                            cols[e] = xs[d + e]
                    for e in range(b, p + span):
                        cols[e] = 0.0
                p += span


@njit(**JIT_INLINE)
def _col2im_sample(dcols, off, dx, s, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, acc):
    """dx[s] (+)= the scatter-add of one sample's ∂L/∂cols back onto the image (im2col's
    adjoint): overlapping windows add up."""
    ds = dx[s]
    if not acc:
        ds[:] = 0.0
    span = kw * c_in
    p = off
    for r in range(oh):
        h0 = r * sh - pt
        for q in range(ow):
            w0 = q * sw - pl
            j0 = max(0, -w0)
            j1 = min(kw, w_in - w0)
            for i in range(kh):
                h = h0 + i
                if h >= 0 and h < h_in and j1 > j0:
                    dst = (h * w_in + w0 + j0) * c_in
                    src = p + j0 * c_in
                    for e in range((j1 - j0) * c_in):
                        ds[dst + e] += dcols[src + e]
                p += span


@njit(**JIT)
def _im2col_serial(x, cols, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow):
    per = oh * ow * kh * kw * c_in
    for s in range(x.shape[0]):
        _im2col_sample(x, s, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, cols, s * per)


@njit(parallel=True, **JIT)
def _im2col_par(x, cols, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, threads):
    n = x.shape[0]
    per = oh * ow * kh * kw * c_in
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        for s in range(t * chunk, min(n, (t + 1) * chunk)):
            _im2col_sample(x, s, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, cols, s * per)


@njit(**JIT)
def conv2d_im2col(x, cols, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, threads=1):
    """Fill ``cols`` from ``x`` (what the forward does first; for an op that recomputes it
    before the backward instead of keeping it)."""
    if threads > 1 and x.shape[0] * oh * ow * kh * kw * c_in >= IM2COL_PARALLEL_MIN:
        _im2col_par(x, cols, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, threads)
    else:
        _im2col_serial(x, cols, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow)


# ----------------------------------------------------------------------------- forward

@njit(parallel=True, **JIT)
def _conv2d_forward_par(x, kernel, bias, use_bias, y, cols, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl,
                        oh, ow, threads):
    n = x.shape[0]
    f = kernel.shape[1]
    k = kh * kw * c_in
    npos = oh * ow
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        s0 = t * chunk
        s1 = min(n, s0 + chunk)
        if s0 < s1:
            for s in range(s0, s1):
                _im2col_sample(x, s, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, cols, s * npos * k)
                if use_bias:
                    for e in range(npos):
                        for j in range(f):
                            y[s, e * f + j] = bias[j]
            gemm_nn(cols, s0 * npos * k, k, 1, kernel, 0, f, y, s0 * npos * f, f, (s1 - s0) * npos, k, f,
                    use_bias)


@njit(**JIT)
def conv2d_forward(x, kernel, bias, use_bias, y, cols, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow,
                   threads=1):
    """y[s, r, q, f] = bias[f] + Σ_{i,j,c} x[s, r·sh − pt + i, q·sw − pl + j, c] · kernel[i, j, c, f]
    (zero outside the image). Fills ``cols`` (kept for the backward)."""
    n = x.shape[0]
    f = kernel.shape[1]
    k = kh * kw * c_in
    npos = oh * ow
    if threads > 1 and n * npos * k * f >= PARALLEL_MIN_MACS:
        _conv2d_forward_par(x, kernel, bias, use_bias, y, cols, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl,
                            oh, ow, threads)
        return
    for s in range(n):
        _im2col_sample(x, s, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, cols, s * npos * k)
    if use_bias:
        for s in range(n):
            for e in range(npos):
                for j in range(f):
                    y[s, e * f + j] = bias[j]
    gemm_nn(cols, 0, k, 1, kernel, 0, f, y, 0, f, n * npos, k, f, use_bias)


# ----------------------------------------------------------------------------- backward

@njit(parallel=True, **JIT)
def _conv2d_dx_par(kernel, dy, dx, acc, cols, wt, transposed, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl,
                   oh, ow, threads):
    n = dy.shape[0]
    f = kernel.shape[1]
    k = kh * kw * c_in
    npos = oh * ow
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        s0 = t * chunk
        s1 = min(n, s0 + chunk)
        if s0 < s1:
            rows = (s1 - s0) * npos
            if transposed:
                gemm_nn(dy, s0 * npos * f, f, 1, wt, 0, k, cols, s0 * npos * k, k, rows, f, k, False)
            else:
                gemm_nt(dy, s0 * npos * f, f, kernel, 0, f, cols, s0 * npos * k, k, rows, f, k, False)
            for s in range(s0, s1):
                _col2im_sample(cols, s * npos * k, dx, s, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, acc)


@njit(**JIT)
def conv2d_backward(kernel, dy, dkernel, dbias, use_bias, need_dw, dx, need_dx, acc, cols, wt,
                    h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, threads=1):
    """dkernel = colsᵀ·dy and dbias = Σ dy over batch and positions (when need_dw; overwritten,
    not accumulated); dx (+)= col2im(dy·kernelᵀ) when need_dx (``acc``: add into dx, for a tensor
    feeding two blocks). ``cols`` must hold this batch's forward im2col; it is overwritten with
    ∂L/∂cols when need_dx. dkernel is computed first, so that reuse is safe."""
    n = dy.shape[0]
    f = kernel.shape[1]
    k = kh * kw * c_in
    npos = oh * ow
    rows = n * npos
    parallel = threads > 1 and rows * k * f >= PARALLEL_MIN_MACS
    if need_dw:
        if parallel:
            gemm_nn_par(cols, 0, 1, k, dy, 0, f, dkernel, 0, f, k, rows, f, False, threads)
        else:
            gemm_nn(cols, 0, 1, k, dy, 0, f, dkernel, 0, f, k, rows, f, False)
        if use_bias:
            for j in range(f):
                dbias[j] = 0.0
            for s in range(n):
                for e in range(npos):
                    for j in range(f):
                        dbias[j] += dy[s, e * f + j]
    if not need_dx:
        return
    transposed = f <= TRANSPOSE_MAX_WIDTH
    if transposed:        # dx's product sums over f: short dot products waste lanes (dense.py)
        for j in range(f):
            for p in range(k):
                wt[j * k + p] = kernel[p, j]
    if parallel:
        _conv2d_dx_par(kernel, dy, dx, acc, cols, wt, transposed, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl,
                       oh, ow, threads)
        return
    if transposed:
        gemm_nn(dy, 0, f, 1, wt, 0, k, cols, 0, k, rows, f, k, False)
    else:
        gemm_nt(dy, 0, f, kernel, 0, f, cols, 0, k, rows, f, k, False)
    for s in range(n):
        _col2im_sample(cols, s * npos * k, dx, s, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, acc)


def conv2d_geometry(h_in, w_in, kh, kw, sh, sw, padding):
    """(oh, ow, pad_top, pad_left) for the kernels' geometry arguments (Python side)."""
    oh, pt, _ = conv_output_size(h_in, kh, sh, padding)
    ow, pl, _ = conv_output_size(w_in, kw, sw, padding)
    return oh, ow, pt, pl


__all__ = ["conv_output_size", "conv2d_geometry", "conv2d_cols_per_sample", "conv2d_fixed_scratch_size",
           "conv2d_macs", "conv2d_im2col", "conv2d_forward", "conv2d_backward"]
