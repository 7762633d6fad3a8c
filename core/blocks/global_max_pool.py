"""GlobalMaxPool2D (Keras' GlobalMaxPooling2D): the largest value of each channel over the whole
image, (H, W, C) → (C,), or (1, 1, C) with ``keepdims`` — the block and, below it, everything its
op needs: named fields, CPU kernels and adapters, CUDA kernels and launchers, the ONNX conversion
and the PyTorch export. One module, written with core/ops/deferred.py: the palette imports it at
start-up without loading numba; the op registry materializes it before the engine is built.

Conventions (as MaxPool2D's, core/kernels/pool.py): channels-last; a tie goes to the first
position in row-major order and a NaN wins (PyTorch's nn.AdaptiveMaxPool2d(1) on CPU), so the
whole gradient of a channel goes to one element — its ``argmax``, kept per sample in an aux slot
from the forward to the backward (an index p·C + c inside the sample, exact in float32 while
H·W·C < 2²⁴). Keras' reduce_max and torch.amax split a tie's gradient evenly instead; ties have
probability zero on real-valued activations (a ReLU's zeros have no gradient to split).
"""
from __future__ import annotations

import os

from ..kernels.config import JIT, JIT_INLINE
from ..ops.deferred import cuda_jit, needs, njit
from ..ops.schema import Aux, CudaSupport, OpSchema
from ..params import Param, ParamSet
from .base import Block
from .conv import image_shape, nchw_input

view, io_of, grad_flags = needs("core.ops.common", "view", "io_of", "grad_flags")
prange = needs("numba", "prange")
cuda = needs("numba.cuda")


# ----------------------------------------------------------------------------- the block

class GlobalMaxPool2D(Block):
    """Keeps the strongest response of each channel anywhere in the image: (H, W, C) → (C,)."""
    type_name = "GlobalMaxPool2D"
    group = "Convolution"
    icon = "GlobalAveragePool2D"        # the global-pooling glyph of designer/icons.py
    summary = ("Global max pooling: the largest value of each channel over the whole image, "
               "(H, W, C) → (C,).")
    tip = ("Tells whether each channel's feature appears anywhere in the image, not where: one "
           "strong response is enough. No weights; keepdims gives (1, 1, C), as Keras' keepdims=True.")
    params = ParamSet((
        Param("keepdims", "bool", False,
              doc="Keep height and width as 1: output (1, 1, C) instead of (C,)."),
    ))

    @classmethod
    def output_shape(cls, params, input_shapes):
        c = image_shape(input_shapes[0], cls.type_name)[2]
        return (1, 1, c) if params.get("keepdims", False) else (c,)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        h, w, c = image_shape(input_shapes[0], cls.type_name)
        return emit_max_over_positions(builder, node_id, inputs, h, w, c)   # (C,) and (1, 1, C): the same C values

    @classmethod
    def torch_module(cls, gen, node_id, params):
        """An expression on the NCHW tensor a Conv2D leaves (no permute after it): the max over H
        and W, channels-last again without keepdims, a (N, C, 1, 1) NCHW tensor with it."""
        from ..torch_templates import NATIVE, NCHW, TorchBlock
        if params.get("keepdims", False):
            return TorchBlock(None, call="{x}.amax(dim=(2, 3), keepdim=True)", reads=NCHW, writes=NCHW)
        return TorchBlock(None, call="{x}.amax(dim=(2, 3))", reads=NCHW, writes=NATIVE)


BLOCKS = (GlobalMaxPool2D,)


def emit_max_over_positions(builder, node_id, inputs, h, w, c):
    """The op's step: the max over h·w positions of c channels, the argmax kept per sample.
    GlobalMaxPool1D (core/blocks/sequence_pooling.py) emits it too, a sequence being a T×1 image."""
    out = builder.new_tensor(c, node_id)
    builder.add_op(SCHEMA.name, inputs, out, aux={"argmax": c}, ints={"h_in": h, "w_in": w, "channels": c},
                   node_id=node_id)
    return out


# ----------------------------------------------------------------------------- the op

SCHEMA = OpSchema("global_maxpool2d", 44, aux=(Aux("argmax", per_sample=True),),
                  ints=("h_in", "w_in", "channels"),
                  doc="Max over H·W per channel; argmax: the winner's index p·C + c in its sample (float).")
ARGMAX, H_IN, W_IN, CHANNELS = (SCHEMA.col(f) for f in ("argmax", "h_in", "w_in", "channels"))

# Split the batch over threads only from ~10⁶ element reads: the pass is memory-bound and a
# fork/join costs a few µs idle, tens on shared cores (core/kernels/pool.py's reasoning and value;
# a copy, not an import, so numba's cache of this file never holds a constant from another file).
PARALLEL_MIN_ELEMENTS = 1 << 20


# ----------------------------------------------------------------------------- CPU kernels

@njit(**JIT_INLINE)
def _max_sample(x, y, argmax, s, hw, c):
    for ch in range(c):
        y[s, ch] = x[s, ch]
        argmax[s, ch] = ch
    for p in range(1, hw):
        e = p * c
        for ch in range(c):
            v = x[s, e + ch]
            if v > y[s, ch] or (v != v and y[s, ch] == y[s, ch]):
                y[s, ch] = v
                argmax[s, ch] = e + ch


@njit(**JIT_INLINE)
def _max_back_sample(dy, argmax, dx, acc, s, hw, c):
    if not acc:
        for e in range(hw * c):
            dx[s, e] = 0.0
    for ch in range(c):
        dx[s, int(argmax[s, ch])] += dy[s, ch]


@njit(parallel=True, **JIT)
def _forward_par(x, y, argmax, hw, c, threads):
    n = x.shape[0]
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        for s in range(t * chunk, min(n, (t + 1) * chunk)):
            _max_sample(x, y, argmax, s, hw, c)


@njit(parallel=True, **JIT)
def _backward_par(dy, argmax, dx, acc, hw, c, threads):
    n = dy.shape[0]
    chunk = (n + threads - 1) // threads
    for t in prange(threads):
        for s in range(t * chunk, min(n, (t + 1) * chunk)):
            _max_back_sample(dy, argmax, dx, acc, s, hw, c)


@njit(**JIT)
def global_maxpool2d_forward(x, y, argmax, hw, c, threads=1):
    """y[s, ch] = max over the hw = H·W positions of x[s, ·, ·, ch] (x (n, H·W·C), y and argmax
    (n, C)); argmax[s, ch] = the winner's index p·C + ch inside sample s."""
    n = x.shape[0]
    if threads > 1 and n * hw * c >= PARALLEL_MIN_ELEMENTS:
        _forward_par(x, y, argmax, hw, c, threads)
        return
    for s in range(n):
        _max_sample(x, y, argmax, s, hw, c)


@njit(**JIT)
def global_maxpool2d_backward(dy, argmax, dx, acc, hw, c, threads=1):
    """dx (+)= dy[s, ch] at each channel's winner, 0 elsewhere."""
    n = dy.shape[0]
    if threads > 1 and n * hw * c >= PARALLEL_MIN_ELEMENTS:
        _backward_par(dy, argmax, dx, acc, hw, c, threads)
        return
    for s in range(n):
        _max_back_sample(dy, argmax, dx, acc, s, hw, c)


# ----------------------------------------------------------------------------- CPU adapters

@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    a = aux_off[ops[s, ARGMAX]]
    global_maxpool2d_forward(view(acts, xo, n, iw), view(acts, yo, n, ow), view(aux, a, n, ow),
                             ops[s, H_IN] * ops[s, W_IN], ops[s, CHANNELS], threads)


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
             threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if need_dx:
        xo, iw, yo, ow = io_of(s, ops, op_in, tens)
        a = aux_off[ops[s, ARGMAX]]
        global_maxpool2d_backward(view(dacts, yo, n, ow), view(aux, a, n, ow), view(dacts, xo, n, iw), acc,
                                  ops[s, H_IN] * ops[s, W_IN], ops[s, CHANNELS], threads)


# ----------------------------------------------------------------------------- CUDA
# Flat float32 arenas plus offsets, as core/kernels/cuda_conv.py's global average pool: one thread
# per (sample, channel) forward; the backward is a gather, one thread per dx element (nothing is
# written by two threads, no atomics, deterministic).

THREADS = 32 if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" else 128


@cuda_jit
def _cuda_forward_kernel(A, xo, yo, X, ao, n, hw, c):
    t = cuda.grid(1)
    if t >= n * c:
        return
    s, ch = t // c, t % c
    base = xo + s * hw * c
    best, best_i = A[base + ch], ch
    for p in range(1, hw):
        v = A[base + p * c + ch]
        if v > best or (v != v and best == best):
            best, best_i = v, p * c + ch
    A[yo + t] = best
    X[ao + t] = best_i


@cuda_jit
def _cuda_backward_kernel(D, yo, xo, X, ao, acc, n, hw, c):
    t = cuda.grid(1)
    if t >= n * hw * c:
        return
    s, e = t // (hw * c), t % (hw * c)
    o = s * c + e % c
    g = D[yo + o] if int(X[ao + o]) == e else 0.0
    if acc:
        D[xo + t] += g
    else:
        D[xo + t] = g


def _grid(count):
    return (max(1, -(-count // THREADS)),), (THREADS,)


def cuda_global_maxpool2d_forward(A, xo, yo, X, ao, n, hw, c):
    g, b = _grid(n * c)
    _cuda_forward_kernel[g, b](A, xo, yo, X, ao, n, hw, c)


def cuda_global_maxpool2d_backward(D, yo, xo, X, ao, acc, n, hw, c):
    g, b = _grid(n * hw * c)
    _cuda_backward_kernel[g, b](D, yo, xo, X, ao, acc, n, hw, c)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, _), (oo, _) = ex.io(s)
    cuda_global_maxpool2d_forward(A, io, oo, ex.d_aux, int(ex.aux_off[row[ARGMAX]]), n,
                                  int(row[H_IN]) * int(row[W_IN]), int(row[CHANNELS]))


def _cuda_backward(ex, s, row, n, P, G, A, D):
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, _), (oo, _) = ex.io(s)
        cuda_global_maxpool2d_backward(D, oo, io, ex.d_aux, int(ex.aux_off[row[ARGMAX]]), acc, n,
                                       int(row[H_IN]) * int(row[W_IN]), int(row[CHANNELS]))


CUDA = CudaSupport(_cuda_forward, _cuda_backward)


# ----------------------------------------------------------------------------- ONNX

def to_onnx(b, op, ins, out, opset):
    """GlobalMaxPool on NCHW (the NCHW tensor a previous image op left, else the flat input
    reshaped and transposed in), then Reshape (N, C, 1, 1) → (N, C): with 1×1 left no transpose
    back is needed, and (N, C) is the engine's flat form with and without keepdims. The NCHW
    result is remembered for a following image op (after keepdims: a 1×1 image)."""
    c = op.int("channels")
    x = nchw_input(b, op, ins[0], (op.int("h_in"), op.int("w_in"), c))
    y = b.node("GlobalMaxPool", [x], f"{op.node_id}/nchw")
    b.node("Reshape", [y, b.init(f"{op.node_id}/flat_shape", [-1, c], "int64")], out)
    if not hasattr(b, "nchw"):
        b.nchw = {}
    b.nchw[out] = (y, (1, 1, c))
    return out
