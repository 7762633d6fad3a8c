"""MaxPool2D, AveragePool2D and GlobalAveragePool2D forward/backward, channels-last (NHWC).

Array contract (C-contiguous, one float dtype; geometry from conv.conv_output_size with the
pool size as k, strides defaulting to the pool size — the block module's business):
- ``x``/``dx`` (n, H·W·C), ``y``/``dy`` (n, OH·OW·C); global pooling's ``y``/``dy`` are (n, C).
- MaxPool's ``argmax`` (n, OH·OW·C), any numeric dtype (a float aux slot of the arena works:
  it holds the index h·W·C + w·C + c of the winning element inside its sample, an integer
  exact in float32 while H·W·C < 2²⁴). The forward writes it, the backward scatters through
  it, so it must persist from a batch's forward to its backward (an aux slot sized per sample:
  OH·OW·C elements). Average and global pooling need no aux.

Padding follows TensorFlow/Keras: a 'same' max pool ignores the padded positions (as if −inf),
a 'same' average pool divides by the number of image elements in the window, not by the pool
area (PyTorch's avg_pool2d default, count_include_pad=True, differs). Every window holds at least
one image element, because pad_before ≤ pad_total < pool size.

Ties in a max pool go to the first element in window order (row-major, as PyTorch's CPU
kernel); NaN wins, so a NaN propagates forward and its gradient goes to it.

``threads`` > 1 and at least PARALLEL_MIN_ELEMENTS window reads: the batch is split in
``threads`` chunks (prange); each sample's rows of y and dx belong to one thread only.
"""
from numba import njit, prange

from .config import JIT, JIT_INLINE

# Pooling is memory-bound (~1 element/ns per core) and a fork/join costs a few µs on an idle
# machine, tens when the cores are shared: split only from ~10⁶ reads (an estimate; the digits
# net's pools, 32·8·8·16 = 3·10⁴, stay serial).
PARALLEL_MIN_ELEMENTS = 1 << 20


# ----------------------------------------------------------------------------- max pool

@njit(**JIT_INLINE)
def _maxpool_sample(x, y, argmax, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    for r in range(oh):
        h0 = r * sh - pt
        i0, i1 = max(0, h0), min(h_in, h0 + ph)
        for q in range(ow):
            w0 = q * sw - pl
            j0, j1 = max(0, w0), min(w_in, w0 + pw)
            o = (r * ow + q) * c
            first = (i0 * w_in + j0) * c
            for ch in range(c):
                y[s, o + ch] = x[s, first + ch]
                argmax[s, o + ch] = first + ch
            for h in range(i0, i1):
                for w in range(j0, j1):
                    e = (h * w_in + w) * c
                    if e == first:
                        continue
                    for ch in range(c):
                        v = x[s, e + ch]
                        if v > y[s, o + ch] or (v != v and y[s, o + ch] == y[s, o + ch]):
                            y[s, o + ch] = v
                            argmax[s, o + ch] = e + ch


@njit(**JIT_INLINE)
def _maxpool_back_sample(dy, argmax, dx, acc, s, size_in, size_out):
    if not acc:
        for e in range(size_in):
            dx[s, e] = 0.0
    for o in range(size_out):
        dx[s, int(argmax[s, o])] += dy[s, o]


@njit(parallel=True, **JIT)
def _maxpool_forward_par(x, y, argmax, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads):
    n = x.shape[0]
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        for s in range(t * chunk, min(n, (t + 1) * chunk)):
            _maxpool_sample(x, y, argmax, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


@njit(parallel=True, **JIT)
def _maxpool_backward_par(dy, argmax, dx, acc, size_in, size_out, threads):
    n = dy.shape[0]
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        for s in range(t * chunk, min(n, (t + 1) * chunk)):
            _maxpool_back_sample(dy, argmax, dx, acc, s, size_in, size_out)


@njit(**JIT)
def maxpool2d_forward(x, y, argmax, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads=1):
    """y[s, r, q, ch] = max over the window's image elements of x[s, h, w, ch]; argmax[s, r, q, ch]
    = the winner's index h·W·C + w·C + ch inside sample s."""
    n = x.shape[0]
    if threads > 1 and n * oh * ow * c * ph * pw >= PARALLEL_MIN_ELEMENTS:
        _maxpool_forward_par(x, y, argmax, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads)
        return
    for s in range(n):
        _maxpool_sample(x, y, argmax, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


@njit(**JIT)
def maxpool2d_backward(dy, argmax, dx, acc, h_in, w_in, c, oh, ow, threads=1):
    """dx (+)= dy scattered to the forward's winners (a sum where windows overlap and share one)."""
    n = dy.shape[0]
    size_in, size_out = h_in * w_in * c, oh * ow * c
    if threads > 1 and n * (size_in + size_out) >= PARALLEL_MIN_ELEMENTS:
        _maxpool_backward_par(dy, argmax, dx, acc, size_in, size_out, threads)
        return
    for s in range(n):
        _maxpool_back_sample(dy, argmax, dx, acc, s, size_in, size_out)


# ----------------------------------------------------------------------------- average pool

@njit(**JIT_INLINE)
def _avgpool_sample(x, y, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    for r in range(oh):
        h0 = r * sh - pt
        i0, i1 = max(0, h0), min(h_in, h0 + ph)
        for q in range(ow):
            w0 = q * sw - pl
            j0, j1 = max(0, w0), min(w_in, w0 + pw)
            o = (r * ow + q) * c
            for ch in range(c):
                y[s, o + ch] = 0.0
            for h in range(i0, i1):
                for w in range(j0, j1):
                    e = (h * w_in + w) * c
                    for ch in range(c):
                        y[s, o + ch] += x[s, e + ch]
            inv = 1.0 / ((i1 - i0) * (j1 - j0))
            for ch in range(c):
                y[s, o + ch] *= inv


@njit(**JIT_INLINE)
def _avgpool_back_sample(dy, dx, acc, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow):
    if not acc:
        for e in range(h_in * w_in * c):
            dx[s, e] = 0.0
    for r in range(oh):
        h0 = r * sh - pt
        i0, i1 = max(0, h0), min(h_in, h0 + ph)
        for q in range(ow):
            w0 = q * sw - pl
            j0, j1 = max(0, w0), min(w_in, w0 + pw)
            o = (r * ow + q) * c
            inv = 1.0 / ((i1 - i0) * (j1 - j0))
            for h in range(i0, i1):
                for w in range(j0, j1):
                    e = (h * w_in + w) * c
                    for ch in range(c):
                        dx[s, e + ch] += dy[s, o + ch] * inv


@njit(parallel=True, **JIT)
def _avgpool_forward_par(x, y, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads):
    n = x.shape[0]
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        for s in range(t * chunk, min(n, (t + 1) * chunk)):
            _avgpool_sample(x, y, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


@njit(parallel=True, **JIT)
def _avgpool_backward_par(dy, dx, acc, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads):
    n = dy.shape[0]
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        for s in range(t * chunk, min(n, (t + 1) * chunk)):
            _avgpool_back_sample(dy, dx, acc, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


@njit(**JIT)
def avgpool2d_forward(x, y, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads=1):
    """y[s, r, q, ch] = mean of x[s, h, w, ch] over the window's image elements (padding not
    counted: TensorFlow's 'same')."""
    n = x.shape[0]
    if threads > 1 and n * oh * ow * c * ph * pw >= PARALLEL_MIN_ELEMENTS:
        _avgpool_forward_par(x, y, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads)
        return
    for s in range(n):
        _avgpool_sample(x, y, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


@njit(**JIT)
def avgpool2d_backward(dy, dx, acc, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads=1):
    """dx (+)= each window's dy / (its image-element count), spread over that window."""
    n = dy.shape[0]
    if threads > 1 and n * oh * ow * c * ph * pw >= PARALLEL_MIN_ELEMENTS:
        _avgpool_backward_par(dy, dx, acc, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow, threads)
        return
    for s in range(n):
        _avgpool_back_sample(dy, dx, acc, s, h_in, w_in, c, ph, pw, sh, sw, pt, pl, oh, ow)


# ----------------------------------------------------------------------------- global average

@njit(**JIT)
def global_avgpool2d_forward(x, y, hw, c, threads=1):
    """y[s, ch] = mean over the hw = H·W positions of x[s, ·, ·, ch]. Serial whatever `threads`:
    one pass over x, memory-bound, cheaper than a fork/join at any size a teaching net has."""
    n = x.shape[0]
    inv = 1.0 / hw
    for s in range(n):
        for ch in range(c):
            y[s, ch] = 0.0
        for p in range(hw):
            for ch in range(c):
                y[s, ch] += x[s, p * c + ch]
        for ch in range(c):
            y[s, ch] *= inv


@njit(**JIT)
def global_avgpool2d_backward(dy, dx, acc, hw, c, threads=1):
    """dx[s, h, w, ch] (+)= dy[s, ch] / (H·W)."""
    n = dy.shape[0]
    inv = 1.0 / hw
    for s in range(n):
        for p in range(hw):
            for ch in range(c):
                g = dy[s, ch] * inv
                if acc:
                    dx[s, p * c + ch] += g
                else:
                    dx[s, p * c + ch] = g


__all__ = ["PARALLEL_MIN_ELEMENTS", "maxpool2d_forward", "maxpool2d_backward", "avgpool2d_forward",
           "avgpool2d_backward", "global_avgpool2d_forward", "global_avgpool2d_backward"]
