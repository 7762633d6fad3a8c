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
- ``scratch`` flat, ≥ conv2d_fixed_scratch_size(...) = kh·kw·C_in·(OH·OW + F) elements (a fixed
  aux, not per sample, free to reuse between calls): [0, OH·OW·K) the gather table (below),
  [OH·OW·K, OH·OW·K + K·F) the kernel transposed for dx. It can be the arena's float dtype: the
  table's entries are integers < H·W·C_in, exact in float32 up to 2²⁴.
- Geometry: h_in, w_in, c_in, kh, kw, sh, sw, pad_top, pad_left, oh, ow, all ints, from
  ``conv_output_size`` (pad_bottom/pad_right follow from them and are not needed).

Why im2col: after it the whole batch is one product (n·OH·OW × kh·kw·C_in) · (kh·kw·C_in × F),
which the micro-kernels run near peak even for the digits net's small layers. im2col itself is a
gather through a table computed once per call (entry e of a sample's block = the index in the
sample of the element it copies, −1 for padding): one branch-free loop per sample, measured 4×
faster than copying window runs for C_in = 1 and 1.3× for C_in = 16 (runs of kw·C_in elements
with three bound checks each). col2im is the same table's scatter-add.

``threads`` > 1 and a layer of at least PARALLEL_MIN_MACS multiply-adds: the batch is split in
``threads`` chunks (prange), each doing im2col and its product on its own rows — no shared
writes. dkernel (a reduction over the batch) goes through the panel-parallel product instead.
"""
from numba import njit, prange

from .config import JIT, JIT_INLINE
from .dense import PARALLEL_MIN_MACS, TRANSPOSE_MAX_WIDTH, gemm_nn_threads
from .gemm import gemm_nn, gemm_nt
from .shapes import conv2d_cols_per_sample, conv2d_fixed_scratch_size, conv_output_size  # noqa: F401


def conv2d_macs(n, oh, ow, kh, kw, c_in, filters):
    """Multiply-adds of one forward product (the parallel threshold's measure)."""
    return n * oh * ow * kh * kw * c_in * filters


# ----------------------------------------------------------------------------- im2col / col2im

# A copy of at least this many elements is split over threads (a fork/join costs a few µs, a
# copy does ~1 element/ns per core): an estimate, not measured on its own — the forward and
# backward split im2col together with their products, on PARALLEL_MIN_MACS.
IM2COL_PARALLEL_MIN = 1 << 18


@njit(**JIT)
def _gather_table(tab, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow):
    """tab[(r·ow + q)·K + (i·kw + j)·c_in + c] = ((r·sh − pt + i)·w_in + q·sw − pl + j)·c_in + c,
    or −1 where the window leaves the image (K = kh·kw·c_in)."""
    p = 0
    for r in range(oh):
        for q in range(ow):
            for i in range(kh):
                h = r * sh - pt + i
                for j in range(kw):
                    w = q * sw - pl + j
                    inside = h >= 0 and h < h_in and w >= 0 and w < w_in
                    base = (h * w_in + w) * c_in
                    for c in range(c_in):
                        tab[p] = base + c if inside else -1
                        p += 1


@njit(**JIT_INLINE)
def _im2col_sample(x, s, tab, m, cols, off):
    """cols[off + e] = x[s, tab[e]] (0 where tab[e] < 0), e < m = OH·OW·K."""
    xs = x[s]
    for e in range(m):
        t = int(tab[e])
        cols[off + e] = xs[t] if t >= 0 else 0.0


@njit(**JIT_INLINE)
def _col2im_sample(dcols, off, tab, m, dx, s, acc):
    """dx[s] (+)= the scatter-add of one sample's ∂L/∂cols back onto the image (im2col's
    adjoint: overlapping windows add up)."""
    ds = dx[s]
    if not acc:
        ds[:] = 0.0
    for e in range(m):
        t = int(tab[e])
        if t >= 0:
            ds[t] += dcols[off + e]


@njit(parallel=True, **JIT)
def _im2col_par(x, cols, tab, m, threads):
    n = x.shape[0]
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        for s in range(t * chunk, min(n, (t + 1) * chunk)):
            _im2col_sample(x, s, tab, m, cols, s * m)


@njit(**JIT)
def conv2d_im2col(x, cols, scratch, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, threads=1):
    """Fill ``cols`` from ``x`` (what the forward does first; for an op that recomputes it
    before the backward instead of keeping it). Uses scratch's table part."""
    m = oh * ow * kh * kw * c_in
    _gather_table(scratch, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow)
    if threads > 1 and x.shape[0] * m >= IM2COL_PARALLEL_MIN:
        _im2col_par(x, cols, scratch, m, threads)
    else:
        for s in range(x.shape[0]):
            _im2col_sample(x, s, scratch, m, cols, s * m)


# ----------------------------------------------------------------------------- forward

@njit(**JIT_INLINE)
def _fill_bias(y, s, bias, npos, f):
    for e in range(npos):
        for j in range(f):
            y[s, e * f + j] = bias[j]


@njit(parallel=True, **JIT)
def _conv2d_forward_par(x, kernel, bias, use_bias, y, cols, tab, npos, k, threads):
    n = x.shape[0]
    f = kernel.shape[1]
    m = npos * k
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        s0 = t * chunk
        s1 = min(n, s0 + chunk)
        if s0 < s1:
            for s in range(s0, s1):
                _im2col_sample(x, s, tab, m, cols, s * m)
                if use_bias:
                    _fill_bias(y, s, bias, npos, f)
            gemm_nn(cols, s0 * m, k, 1, kernel, 0, f, y, s0 * npos * f, f, (s1 - s0) * npos, k, f, use_bias)


@njit(**JIT)
def conv2d_forward(x, kernel, bias, use_bias, y, cols, scratch, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl,
                   oh, ow, threads=1):
    """y[s, r, q, f] = bias[f] + Σ_{i,j,c} x[s, r·sh − pt + i, q·sw − pl + j, c] · kernel[i, j, c, f]
    (zero outside the image). Fills ``cols`` (kept for the backward)."""
    n = x.shape[0]
    f = kernel.shape[1]
    k = kh * kw * c_in
    npos = oh * ow
    m = npos * k
    _gather_table(scratch, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow)
    if threads > 1 and n * m * f >= PARALLEL_MIN_MACS:
        _conv2d_forward_par(x, kernel, bias, use_bias, y, cols, scratch, npos, k, threads)
        return
    for s in range(n):
        _im2col_sample(x, s, scratch, m, cols, s * m)
        if use_bias:
            _fill_bias(y, s, bias, npos, f)
    gemm_nn(cols, 0, k, 1, kernel, 0, f, y, 0, f, n * npos, k, f, use_bias)


# ----------------------------------------------------------------------------- backward

@njit(parallel=True, **JIT)
def _conv2d_dx_par(kernel, dy, dx, acc, cols, scratch, transposed, npos, k, threads):
    n = dy.shape[0]
    f = kernel.shape[1]
    m = npos * k
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        s0 = t * chunk
        s1 = min(n, s0 + chunk)
        if s0 < s1:
            rows = (s1 - s0) * npos
            if transposed:
                gemm_nn(dy, s0 * npos * f, f, 1, scratch, m, k, cols, s0 * m, k, rows, f, k, False)
            else:
                gemm_nt(dy, s0 * npos * f, f, kernel, 0, f, cols, s0 * m, k, rows, f, k, False)
            for s in range(s0, s1):
                _col2im_sample(cols, s * m, scratch, m, dx, s, acc)


@njit(**JIT)
def conv2d_backward(kernel, dy, dkernel, dbias, use_bias, need_dw, dx, need_dx, acc, cols, scratch,
                    h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, threads=1):
    """dkernel = colsᵀ·dy and dbias = Σ dy over batch and positions (when need_dw; overwritten,
    not accumulated); dx (+)= col2im(dy·kernelᵀ) when need_dx (``acc``: add into dx, for a tensor
    feeding two blocks). ``cols`` must hold this batch's forward im2col; it is overwritten with
    ∂L/∂cols when need_dx. dkernel is computed first, so that reuse is safe."""
    n = dy.shape[0]
    f = kernel.shape[1]
    k = kh * kw * c_in
    npos = oh * ow
    m = npos * k
    rows = n * npos
    parallel = threads > 1 and rows * k * f >= PARALLEL_MIN_MACS
    if need_dw:
        gemm_nn_threads(cols, 0, 1, k, dy, 0, f, dkernel, 0, f, k, rows, f, False, threads)
        if use_bias:
            for j in range(f):
                dbias[j] = 0.0
            for s in range(n):
                for e in range(npos):
                    for j in range(f):
                        dbias[j] += dy[s, e * f + j]
    if not need_dx:
        return
    _gather_table(scratch, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow)
    transposed = f <= TRANSPOSE_MAX_WIDTH
    if transposed:        # dx's product sums over f: short dot products waste lanes (dense.py)
        for j in range(f):
            for p in range(k):
                scratch[m + j * k + p] = kernel[p, j]
    if parallel:
        _conv2d_dx_par(kernel, dy, dx, acc, cols, scratch, transposed, npos, k, threads)
        return
    if transposed:
        gemm_nn(dy, 0, f, 1, scratch, m, k, cols, 0, k, rows, f, k, False)
    else:
        gemm_nt(dy, 0, f, kernel, 0, f, cols, 0, k, rows, f, k, False)
    for s in range(n):
        _col2im_sample(cols, s * m, scratch, m, dx, s, acc)


def conv2d_geometry(h_in, w_in, kh, kw, sh, sw, padding):
    """(oh, ow, pad_top, pad_left) for the kernels' geometry arguments (Python side)."""
    oh, pt, _ = conv_output_size(h_in, kh, sh, padding)
    ow, pl, _ = conv_output_size(w_in, kw, sw, padding)
    return oh, ow, pt, pl


__all__ = ["conv_output_size", "conv2d_geometry", "conv2d_cols_per_sample", "conv2d_fixed_scratch_size",
           "conv2d_macs", "conv2d_im2col", "conv2d_forward", "conv2d_backward"]
