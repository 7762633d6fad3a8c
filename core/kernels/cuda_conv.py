"""numba.cuda kernels for Conv2D and the pools, NHWC, on flat float32 arenas plus offsets (the CUDA
executor's convention, cuda_kernels.py), with host-side launchers that mirror the CPU kernels of
conv.py / pool.py argument for argument where they can.

Arenas, as the executor holds them: A activations, D their gradients, P parameters, G parameter
gradients, X the op's aux arena. Offsets are in elements. A tensor is (n, H·W·C) row-major from
its offset; the kernel is (kh·kw·C_in, F) row-major from its offset, bias (F,).

Convolution is im2col into X (the same per-sample `cols` block as on the CPU: n·OH·OW·kh·kw·C_in
elements, kept from the forward for dkernel, overwritten with ∂L/∂cols by the backward when
need_dx) + the executor's tiled ``gemm`` for the three products, ``add_bias``/``column_sums`` for
the bias. col2im and every pooling backward are gathers — one thread per dx element walks the
windows that contain it — so nothing is written by two threads and no atomics are needed (results
are deterministic). MaxPool's argmax aux (n·OH·OW·C, float32) holds, as on the CPU, the winner's
index inside its sample.
"""
import math
import os

from numba import cuda

from .cuda_kernels import TILE, add_bias, column_sums, gemm

THREADS = 32 if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" else 128


def _grid(count):
    return (max(1, math.ceil(count / THREADS)),), (THREADS,)


def _gemm_grid(rows, cols):
    return (max(1, math.ceil(cols / TILE)), max(1, math.ceil(rows / TILE))), (TILE, TILE)


# ----------------------------------------------------------------------------- device kernels

@cuda.jit
def im2col(A, xo, X, co, n, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow):
    """X[co + (s·OH·OW + r·OW + q)·K + (i·kw + j)·C + c] = x[s, r·sh − pt + i, q·sw − pl + j, c] or 0."""
    t = cuda.grid(1)
    k = kh * kw * c_in
    if t >= n * oh * ow * k:
        return
    row, col = t // k, t % k
    s, pos = row // (oh * ow), row % (oh * ow)
    r, q = pos // ow, pos % ow
    i, rest = col // (kw * c_in), col % (kw * c_in)
    j, c = rest // c_in, rest % c_in
    h, w = r * sh - pt + i, q * sw - pl + j
    if h >= 0 and h < h_in and w >= 0 and w < w_in:
        X[co + t] = A[xo + s * h_in * w_in * c_in + (h * w_in + w) * c_in + c]
    else:
        X[co + t] = 0.0


@cuda.jit
def col2im(X, co, D, xo, acc, n, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow):
    """D[xo + dx element] (+)= Σ over the windows containing it of ∂L/∂cols (a gather)."""
    t = cuda.grid(1)
    size = h_in * w_in * c_in
    if t >= n * size:
        return
    s, e = t // size, t % size
    h, rest = e // (w_in * c_in), e % (w_in * c_in)
    w, c = rest // c_in, rest % c_in
    k = kh * kw * c_in
    total = 0.0
    for i in range(kh):
        a = h + pt - i
        if a >= 0 and a % sh == 0 and a // sh < oh:
            r = a // sh
            for j in range(kw):
                b = w + pl - j
                if b >= 0 and b % sw == 0 and b // sw < ow:
                    total += X[co + (s * oh * ow + r * ow + b // sw) * k + (i * kw + j) * c_in + c]
    if acc:
        D[xo + t] += total
    else:
        D[xo + t] = total


@cuda.jit
def maxpool_forward(A, xo, yo, X, ao, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    t = cuda.grid(1)
    size = oh * ow * c
    if t >= n * size:
        return
    s, o = t // size, t % size
    r, rest = o // (ow * c), o % (ow * c)
    q, ch = rest // c, rest % c
    h0, w0 = r * sh - pt, q * sw - pl
    base = xo + s * h_in * w_in * c
    best_i = -1
    best = 0.0
    for h in range(max(0, h0), min(h_in, h0 + ph)):
        for w in range(max(0, w0), min(w_in, w0 + pw)):
            e = (h * w_in + w) * c + ch
            v = A[base + e]
            if best_i < 0 or v > best or (v != v and best == best):
                best, best_i = v, e
    A[yo + t] = best
    X[ao + t] = best_i


@cuda.jit
def maxpool_backward(D, yo, xo, X, ao, acc, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    """dx element (+)= Σ dy over the windows whose argmax is this element (a gather)."""
    t = cuda.grid(1)
    size = h_in * w_in * c
    if t >= n * size:
        return
    s, e = t // size, t % size
    h, rest = e // (w_in * c), e % (w_in * c)
    w, ch = rest // c, rest % c
    total = 0.0
    for i in range(ph):
        a = h + pt - i
        if a >= 0 and a % sh == 0 and a // sh < oh:
            for j in range(pw):
                b = w + pl - j
                if b >= 0 and b % sw == 0 and b // sw < ow:
                    o = s * oh * ow * c + ((a // sh) * ow + b // sw) * c + ch
                    if int(X[ao + o]) == e:
                        total += D[yo + o]
    if acc:
        D[xo + t] += total
    else:
        D[xo + t] = total


@cuda.jit
def avgpool_forward(A, xo, yo, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    t = cuda.grid(1)
    size = oh * ow * c
    if t >= n * size:
        return
    s, o = t // size, t % size
    r, rest = o // (ow * c), o % (ow * c)
    q, ch = rest // c, rest % c
    h0, w0 = r * sh - pt, q * sw - pl
    i0, i1, j0, j1 = max(0, h0), min(h_in, h0 + ph), max(0, w0), min(w_in, w0 + pw)
    base = xo + s * h_in * w_in * c
    total = 0.0
    for h in range(i0, i1):
        for w in range(j0, j1):
            total += A[base + (h * w_in + w) * c + ch]
    A[yo + t] = total / ((i1 - i0) * (j1 - j0))


@cuda.jit
def avgpool_backward(D, yo, xo, acc, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    t = cuda.grid(1)
    size = h_in * w_in * c
    if t >= n * size:
        return
    s, e = t // size, t % size
    h, rest = e // (w_in * c), e % (w_in * c)
    w, ch = rest // c, rest % c
    total = 0.0
    for i in range(ph):
        a = h + pt - i
        if a >= 0 and a % sh == 0 and a // sh < oh:
            r = a // sh
            h0 = r * sh - pt
            rows = min(h_in, h0 + ph) - max(0, h0)
            for j in range(pw):
                b = w + pl - j
                if b >= 0 and b % sw == 0 and b // sw < ow:
                    q = b // sw
                    w0 = q * sw - pl
                    count = rows * (min(w_in, w0 + pw) - max(0, w0))
                    total += D[yo + s * oh * ow * c + (r * ow + q) * c + ch] / count
    if acc:
        D[xo + t] += total
    else:
        D[xo + t] = total


@cuda.jit
def global_avgpool_forward(A, xo, yo, n, hw, c):
    t = cuda.grid(1)
    if t >= n * c:
        return
    s, ch = t // c, t % c
    total = 0.0
    for p in range(hw):
        total += A[xo + (s * hw + p) * c + ch]
    A[yo + t] = total / hw


@cuda.jit
def global_avgpool_backward(D, yo, xo, acc, n, hw, c):
    t = cuda.grid(1)
    if t >= n * hw * c:
        return
    s, ch = t // (hw * c), t % c
    g = D[yo + s * c + ch] / hw
    if acc:
        D[xo + t] += g
    else:
        D[xo + t] = g


# ----------------------------------------------------------------------------- launchers

def conv2d_forward(A, xo, yo, P, wo, bo, use_bias, X, co, n, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow,
                   filters):
    """y = conv(x) (+ bias): A[yo:] from A[xo:], kernel P[wo:], bias P[bo:]; fills X[co:] (cols)."""
    k, rows = kh * kw * c_in, n * oh * ow
    g, b = _grid(rows * k)
    im2col[g, b](A, xo, X, co, n, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow)
    g, b = _gemm_grid(rows, filters)
    gemm[g, b](X, co, P, wo, A, yo, rows, k, filters, False, False, False)
    if use_bias:
        add_bias[(max(1, math.ceil(rows / TILE)), max(1, math.ceil(filters / TILE))), (TILE, TILE)](
            A, yo, P, bo, rows, filters)


def conv2d_backward(D, yo, xo, P, wo, G, gwo, gbo, use_bias, need_dw, need_dx, acc, X, co,
                    n, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow, filters):
    """G[gwo:] = colsᵀ·dy, G[gbo:] = Σ dy (need_dw); D[xo:] (+)= col2im(dy·kernelᵀ) (need_dx),
    with dy = D[yo:] and cols = X[co:] from the forward (overwritten when need_dx)."""
    k, rows = kh * kw * c_in, n * oh * ow
    if need_dw:
        g, b = _gemm_grid(k, filters)
        gemm[g, b](X, co, D, yo, G, gwo, k, rows, filters, True, False, False)
        if use_bias:
            g, b = _grid(filters)
            column_sums[g, b](D, yo, G, gbo, rows, filters)
    if need_dx:
        g, b = _gemm_grid(rows, k)
        gemm[g, b](D, yo, P, wo, X, co, rows, filters, k, False, True, False)
        g, b = _grid(n * h_in * w_in * c_in)
        col2im[g, b](X, co, D, xo, acc, n, h_in, w_in, c_in, kh, kw, sh, sw, pt, pl, oh, ow)


def maxpool2d_forward(A, xo, yo, X, ao, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    g, b = _grid(n * oh * ow * c)
    maxpool_forward[g, b](A, xo, yo, X, ao, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


def maxpool2d_backward(D, yo, xo, X, ao, acc, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    g, b = _grid(n * h_in * w_in * c)
    maxpool_backward[g, b](D, yo, xo, X, ao, acc, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


def avgpool2d_forward(A, xo, yo, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    g, b = _grid(n * oh * ow * c)
    avgpool_forward[g, b](A, xo, yo, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


def avgpool2d_backward(D, yo, xo, acc, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    g, b = _grid(n * h_in * w_in * c)
    avgpool_backward[g, b](D, yo, xo, acc, n, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


def global_avgpool2d_forward(A, xo, yo, n, hw, c):
    g, b = _grid(n * c)
    global_avgpool_forward[g, b](A, xo, yo, n, hw, c)


def global_avgpool2d_backward(D, yo, xo, acc, n, hw, c):
    g, b = _grid(n * hw * c)
    global_avgpool_backward[g, b](D, yo, xo, acc, n, hw, c)
