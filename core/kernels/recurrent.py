"""SimpleRNN, LSTM and GRU forward/backward through time, with Keras' weight conventions.

Layout (ENGINE_V2 convention, channels-last): a sequence sample is (T, F) row-major, so a batch is
a C-contiguous (n, T·F) array; the output is (n, T·h) with return_sequences, else (n, h) (the last
step). The initial state is zero.

Weights (Keras): kernel W (F, G·h), recurrent_kernel U (h, G·h), bias (G·h) — G = 1 (SimpleRNN),
4 (LSTM), 3 (GRU). Gate order along the G·h axis:
- LSTM, Keras [i, f, c, o] = PyTorch [i, f, g, o]: the same order. PyTorch keeps two biases
  (bias_ih, bias_hh) whose sum is Keras' single bias, so torch counts 4h more parameters.
- GRU, Keras [z, r, h] vs PyTorch [r, z, n]: the first two blocks swap. Only reset_after=True is
  supported here — Keras' default since TF 2 and the formula PyTorch uses,
      n = tanh(x·W_n + b_in_n + r ⊙ (h·U_n + b_rec_n)),
  with two biases, Keras' bias of shape (2, 3h): row 0 the input bias, row 1 the recurrent bias
  (torch's bias_ih and bias_hh). Here it is passed flat (6h, row 0 then row 1). reset_after=False
  (Cho et al. 2014: n = tanh(x·W_n + (r ⊙ h)·U_n + b), one bias) is NOT implemented.
- h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n (Keras and PyTorch agree).
Activations: SimpleRNN tanh or relu (ACT_TANH / ACT_RELU codes); LSTM/GRU tanh with a sigmoid
recurrent activation (Keras' default "sigmoid", not hard_sigmoid). float32 uses the vectorisable
rational tanh of activations.py (max error 3.2e-7); float64 uses math.tanh (exact gradient checks).

Speed: the input projection of ALL time steps is one GEMM (n·T rows) before the loop; per step only
the h·U product runs (fused gates: one product for all gates), and the weight gradients are one
GEMM each after the loop over all n·T rows. Nothing is allocated inside the kernels: the per-sample
`aux` (saved by forward for backward) and the fixed `scratch` are passed in, sized by the
`*_aux_size` / `*_scratch_size` functions below.

aux layout (flat, n·aux_size(T, h) elements, each region sample-major (n, T, width)):
- SimpleRNN: [H: h_t (n,T,h)] [P: h_{t−1} (n,T,h), P[:,0] = 0]
- LSTM: [Z: gates i,f,g,o after activation (n,T,4h)] [P: h_{t−1}] [C: c_{t−1}, C[:,0] = 0]
        [TC: tanh(c_t)]
- GRU:  [Z: gates z,r,n after activation (n,T,3h)] [RN: h_{t−1}·U_n + b_rec_n (n,T,h)] [P: h_{t−1}]
NOTE: backward overwrites the gate regions with the pre-activation gradients (so the weight
gradients are one GEMM over all steps without more memory): one backward per forward.

Arrays: x, y, dy, dx, W, U, dW, dU are C-contiguous 2-D (the engine's arena views); b, db, aux,
scratch and gnorm (length T, any float dtype) are 1-D; everything else one float dtype. `threads`
> 1 sends the GEMMs over all n·T rows to the parallel panels above dense.PARALLEL_MIN_MACS (the
per-step products are far below it). Because they link those parallel panels, a process that
loads these kernels from numba's cache must start the threading layer first
(core.threads.configure_threading_layer(), as the engine does) — else the call crashes.
"""
import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from .activations import _tanh32
from .config import JIT
from .dense import gemm_nn_threads, gemm_nt_threads
from .gemm import gemm_nn
from .opcodes import ACT_RELU, ACT_TANH

__all__ = [
    "simple_rnn_forward", "simple_rnn_backward", "lstm_forward", "lstm_backward", "gru_forward",
    "gru_backward", "simple_rnn_aux_size", "lstm_aux_size", "gru_aux_size", "simple_rnn_scratch_size",
    "lstm_scratch_size", "gru_scratch_size", "keras_to_torch_simple_rnn", "torch_to_keras_simple_rnn",
    "keras_to_torch_lstm", "torch_to_keras_lstm", "keras_to_torch_gru", "torch_to_keras_gru",
    "ACT_TANH", "ACT_RELU",
]


# ----------------------------------------------------------------------------- sizes
def simple_rnn_aux_size(T: int, h: int) -> int:
    """Elements of aux per sample: h_t and h_{t−1} for every step."""
    return 2 * T * h


def lstm_aux_size(T: int, h: int) -> int:
    """Elements of aux per sample: 4 gates, h_{t−1}, c_{t−1}, tanh(c_t) for every step."""
    return 7 * T * h


def gru_aux_size(T: int, h: int) -> int:
    """Elements of aux per sample: 3 gates, h_{t−1}·U_n + b_rec_n, h_{t−1} for every step."""
    return 5 * T * h


def simple_rnn_scratch_size(n: int, h: int) -> int:
    """Fixed scratch for forward and backward: ∂L/∂h (n·h) and Uᵀ (h·h)."""
    return n * h + h * h


def lstm_scratch_size(n: int, h: int) -> int:
    """Fixed scratch: backward ∂L/∂h, ∂L/∂c (n·h each) and Uᵀ (4h·h); forward leaves the final
    cell state c_T in scratch[:n·h]."""
    return 2 * n * h + 4 * h * h


def gru_scratch_size(n: int, h: int) -> int:
    """Fixed scratch: forward h·U + b_rec (n·3h); backward ∂L/∂h (n·h), the recurrent
    pre-activation gradients (n·3h) and Uᵀ (3h·h)."""
    return 4 * n * h + 3 * h * h


# ----------------------------------------------------------------------------- scalar helpers
def _tanh(v):
    return math.tanh(v)


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


@overload(_tanh, inline="always")
def _tanh_impl(v):
    if v == types.float32:
        return lambda v: _tanh32(v)
    return lambda v: math.tanh(v)


@overload(_sigmoid, inline="always")
def _sigmoid_impl(v):
    if v == types.float32:
        # σ(x) = ½ + ½·tanh(x/2): the rational tanh keeps the gate loop vectorisable.
        return lambda v: np.float32(0.5) + np.float32(0.5) * _tanh32(np.float32(0.5) * v)
    return lambda v: 1.0 / (1.0 + math.exp(-v))


@njit(**JIT)
def _transpose_into(U, rows, cols, out):
    """out[c·rows + r] = U[r·cols + c]: Uᵀ row-major, so ∂L/∂h_{t−1} = dz·Uᵀ is a gemm_nn."""
    for r in range(rows):
        for c in range(cols):
            out[c * rows + r] = U[r * cols + c]


@njit(**JIT)
def _input_projection(xf, Wf, b, use_bias, zf, nT, F, G, ldz, threads):
    """z[(i,t), :G] = b + x[(i,t)]·W for all n·T rows at once (row stride ldz in zf)."""
    if use_bias:
        for q in range(nT):
            row = zf[q * ldz:q * ldz + G]
            for k in range(G):
                row[k] = b[k]
    gemm_nn_threads(xf, 0, F, 1, Wf, 0, G, zf, 0, ldz, nT, F, G, use_bias, threads)


@njit(**JIT)
def _add_step_grad(D, dyf, n, T, h, t, return_sequences):
    """D += ∂L/∂y_t (only the last step has an upstream gradient without return_sequences)."""
    if return_sequences:
        for i in range(n):
            d, g = D[i * h:i * h + h], dyf[(i * T + t) * h:(i * T + t + 1) * h]
            for j in range(h):
                d[j] += g[j]
    elif t == T - 1:
        for k in range(n * h):
            D[k] += dyf[k]


@njit(**JIT)
def _step_norm(D, n, h):
    """Mean over the batch of ‖∂L/∂h_t‖₂ per sample."""
    total = 0.0
    for i in range(n):
        d = D[i * h:i * h + h]
        s = 0.0
        for j in range(h):
            s += d[j] * d[j]
        total += math.sqrt(s)
    return total / n


@njit(**JIT)
def _column_sums(src, off, ld, rows, cols, out, o_off):
    """out[o_off + k] = Σ_q src[off + q·ld + k]."""
    acc = out[o_off:o_off + cols]
    acc[:] = 0.0
    for q in range(rows):
        row = src[off + q * ld:off + q * ld + cols]
        for k in range(cols):
            acc[k] += row[k]


@njit(**JIT)
def _emit(v_src, v_off, P, p_off, yf, y_off, h, t, T, return_sequences):
    """Copy h_t (at v_src[v_off:]) into P[:, t+1] (next step's h_{t−1}) and into y."""
    if t + 1 < T:
        for j in range(h):
            P[p_off + h + j] = v_src[v_off + j]
    if return_sequences or t == T - 1:
        for j in range(h):
            yf[y_off + j] = v_src[v_off + j]


# Element-wise passes over one (sample, step) row. NOTE: each works on slices indexed from 0:
# numba wraps negative indices, and with `a[off + j]` LLVM cannot prove the index non-negative,
# so the wrap test stays in the loop and the loop stays scalar (measured: 10× slower). Each loop
# stores into one or two places, so LLVM's runtime alias checks stay few enough to vectorise.
# `one` is typed like the data: a bare `1 - v` would promote float32 to float64.
@njit(**JIT)
def _sigmoid_span(a, off, m):
    v = a[off:off + m]
    for k in range(m):
        v[k] = _sigmoid(v[k])


@njit(**JIT)
def _tanh_span(a, off, m):
    v = a[off:off + m]
    for k in range(m):
        v[k] = _tanh(v[k])


@njit(**JIT)
def _lstm_cell_forward(a, z, h, cp, cdst, co, tcs, hdst, ho):
    """c_t = f⊙c_{t−1} + i⊙g → cdst; tanh(c_t) → a[tcs:]; h_t = o⊙tanh(c_t) → hdst."""
    ig, fg, gg, og = a[z:z + h], a[z + h:z + 2 * h], a[z + 2 * h:z + 3 * h], a[z + 3 * h:z + 4 * h]
    cprev, c, tc, hv = a[cp:cp + h], cdst[co:co + h], a[tcs:tcs + h], hdst[ho:ho + h]
    for j in range(h):
        c[j] = fg[j] * cprev[j] + ig[j] * gg[j]
    for j in range(h):
        tc[j] = _tanh(c[j])
    for j in range(h):
        hv[j] = og[j] * tc[j]


@njit(**JIT)
def _lstm_cell_backward(a, z, h, cs, tcs, D, DC, d):
    """Gate pre-activation gradients into a[z:z+4h]; DC[d:] becomes ∂L/∂c_{t−1}."""
    one = a.dtype.type(1.0)
    ig, fg, gg, og = a[z:z + h], a[z + h:z + 2 * h], a[z + 2 * h:z + 3 * h], a[z + 3 * h:z + 4 * h]
    cprev, tc, dh, dc = a[cs:cs + h], a[tcs:tcs + h], D[d:d + h], DC[d:d + h]
    for j in range(h):
        dc[j] += dh[j] * og[j] * (one - tc[j] * tc[j])
    for j in range(h):
        o = og[j]
        og[j] = dh[j] * tc[j] * o * (one - o)
    for j in range(h):
        i = ig[j]
        g = gg[j]
        ig[j] = dc[j] * g * i * (one - i)
        gg[j] = dc[j] * i * (one - g * g)
    for j in range(h):
        f = fg[j]
        fg[j] = dc[j] * cprev[j] * f * (one - f)
        dc[j] = dc[j] * f


@njit(**JIT)
def _gru_cell_forward(a, z, h, R, r0, rn, p, hdst, ho):
    """Gates z, r, n into a[z:z+3h], h·U_n + b_rec_n into a[rn:], h_t into hdst."""
    one = a.dtype.type(1.0)
    zr, rec, ng = a[z:z + 2 * h], R[r0:r0 + 3 * h], a[z + 2 * h:z + 3 * h]
    zg, rg = a[z:z + h], a[z + h:z + 2 * h]
    recn, hprev, hv = a[rn:rn + h], a[p:p + h], hdst[ho:ho + h]
    for k in range(2 * h):
        zr[k] = _sigmoid(zr[k] + rec[k])
    for j in range(h):
        recn[j] = rec[2 * h + j]
    for j in range(h):
        ng[j] = _tanh(ng[j] + rg[j] * recn[j])
    for j in range(h):
        hv[j] = zg[j] * hprev[j] + (one - zg[j]) * ng[j]


@njit(**JIT)
def _gru_cell_backward(a, z, h, rn, p, D, d, DR, r0):
    """Input-side pre-activation gradients into a[z:z+3h], recurrent-side ones into DR[r0:r0+3h]
    and (n block) a[rn:]; D[d:] becomes the direct part dh⊙z of ∂L/∂h_{t−1}."""
    one = a.dtype.type(1.0)
    zg, rg, ng = a[z:z + h], a[z + h:z + 2 * h], a[z + 2 * h:z + 3 * h]
    recn, hprev, dh, dr = a[rn:rn + h], a[p:p + h], D[d:d + h], DR[r0:r0 + 3 * h]
    for j in range(h):
        zj = zg[j]
        nj = ng[j]
        ng[j] = dh[j] * (one - zj) * (one - nj * nj)
        dr[j] = dh[j] * (hprev[j] - nj) * zj * (one - zj)
    for j in range(h):
        dh[j] = dh[j] * zg[j]
    for j in range(h):
        rj = rg[j]
        dr[h + j] = ng[j] * recn[j] * rj * (one - rj)
        dr[2 * h + j] = ng[j] * rj
    zr = a[z:z + 2 * h]
    for k in range(2 * h):
        zr[k] = dr[k]
    for j in range(h):
        recn[j] = dr[2 * h + j]


# ----------------------------------------------------------------------------- SimpleRNN
@njit(**JIT)
def simple_rnn_forward(x, W, U, b, use_bias, act, return_sequences, y, aux, scratch, threads=1):
    """h_t = act(x_t·W + h_{t−1}·U + b), act = ACT_TANH or ACT_RELU; h_{−1} = 0.

    Args: x (n, T·F); W (F, h); U (h, h); b (h); y (n, T·h) or (n, h); aux flat
    ≥ n·simple_rnn_aux_size(T, h); scratch unused by forward (same signature as the others).
    """
    n = x.shape[0]
    F, h = W.shape[0], W.shape[1]
    T = x.shape[1] // F
    Th = T * h
    xf, Wf, Uf, yf = x.reshape(x.size), W.reshape(W.size), U.reshape(U.size), y.reshape(y.size)
    oP = n * Th                          # region P after region H
    zero = aux.dtype.type(0.0)
    _input_projection(xf, Wf, b, use_bias, aux, n * T, F, h, h, threads)
    for i in range(n):
        for j in range(h):
            aux[oP + i * Th + j] = 0.0
    for t in range(T):
        if t > 0:   # H[:, t] += P[:, t]·U (rows of the batch are T·h apart)
            gemm_nn(aux, oP + t * h, Th, 1, Uf, 0, h, aux, t * h, Th, n, h, h, True)
        for i in range(n):
            o = i * Th + t * h
            if act == ACT_RELU:
                v = aux[o:o + h]
                for j in range(h):
                    v[j] = v[j] if v[j] > zero else zero
            else:
                _tanh_span(aux, o, h)
            _emit(aux, o, aux, oP + o, yf, o if return_sequences else i * h, h, t, T, return_sequences)


@njit(**JIT)
def simple_rnn_backward(x, W, U, use_bias, act, return_sequences, dy, aux, dW, dU, db, need_dw,
                        dx, need_dx, acc_dx, scratch, gnorm, threads=1):
    """Backward through time from the aux of the matching forward (which it overwrites).

    dW = Σ_t x_tᵀ·dz_t, dU = Σ_t h_{t−1}ᵀ·dz_t, db = Σ dz, dx (+)= dz·Wᵀ, with
    dz_t = act'(·) ⊙ (∂L/∂y_t + dz_{t+1}·Uᵀ). gnorm[t] = mean over the batch of ‖∂L/∂h_t‖
    (the total derivative: through y_t and all later steps). scratch ≥ simple_rnn_scratch_size.
    """
    n = x.shape[0]
    F, h = W.shape[0], W.shape[1]
    T = x.shape[1] // F
    Th = T * h
    xf, Wf, dyf = x.reshape(x.size), W.reshape(W.size), dy.reshape(dy.size)
    oP = n * Th
    zero, one = aux.dtype.type(0.0), aux.dtype.type(1.0)
    D = scratch[:n * h]
    UT = scratch[n * h:n * h + h * h]
    _transpose_into(U.reshape(U.size), h, h, UT)
    D[:] = 0.0
    for t in range(T - 1, -1, -1):
        _add_step_grad(D, dyf, n, T, h, t, return_sequences)
        gnorm[t] = _step_norm(D, n, h)
        for i in range(n):
            o = i * Th + t * h
            v, dh = aux[o:o + h], D[i * h:i * h + h]     # h_t, overwritten by dz_t
            if act == ACT_RELU:
                for j in range(h):
                    v[j] = dh[j] if v[j] > zero else zero
            else:
                for j in range(h):
                    v[j] = dh[j] * (one - v[j] * v[j])
        if t > 0:
            gemm_nn(aux, t * h, Th, 1, UT, 0, h, D, 0, h, n, h, h, False)
    _weight_grads(xf, aux, 0, h, aux, oP, n * T, F, h, h, dW, dU, db, use_bias, need_dw, threads)
    if need_dx:
        gemm_nt_threads(aux, 0, h, Wf, 0, h, dx.reshape(dx.size), 0, F, n * T, h, F, acc_dx, threads)


@njit(**JIT)
def _weight_grads(xf, dz, dz_off, ldz, P, p_off, nT, F, h, G, dW, dU, db, use_bias, need_dw, threads):
    """dW = Xᵀ·dZ, dU = Pᵀ·dZ, db = Σ dZ over all n·T rows (one GEMM each)."""
    if not need_dw:
        return
    gemm_nn_threads(xf, 0, 1, F, dz, dz_off, ldz, dW.reshape(dW.size), 0, G, F, nT, G, False, threads)
    gemm_nn_threads(P, p_off, 1, h, dz, dz_off, ldz, dU.reshape(dU.size), 0, G, h, nT, G, False, threads)
    if use_bias:
        _column_sums(dz, dz_off, ldz, nT, G, db, 0)


# ----------------------------------------------------------------------------- LSTM
@njit(**JIT)
def lstm_forward(x, W, U, b, use_bias, return_sequences, y, aux, scratch, threads=1):
    """[i f g o] = [σ σ tanh σ](x_t·W + h_{t−1}·U + b); c_t = f⊙c_{t−1} + i⊙g; h_t = o⊙tanh(c_t).

    Args: x (n, T·F); W (F, 4h); U (h, 4h); b (4h); y (n, T·h) or (n, h); aux flat
    ≥ n·lstm_aux_size(T, h); scratch ≥ lstm_scratch_size(n, h) — receives c_T in [:n·h].
    """
    n = x.shape[0]
    F, G = W.shape[0], W.shape[1]
    h = G // 4
    T = x.shape[1] // F
    Th, TG = T * h, T * G
    xf, Wf, Uf, yf = x.reshape(x.size), W.reshape(W.size), U.reshape(U.size), y.reshape(y.size)
    oP = n * TG
    oC = oP + n * Th
    oTC = oC + n * Th
    _input_projection(xf, Wf, b, use_bias, aux, n * T, F, G, G, threads)
    for i in range(n):
        for j in range(h):
            aux[oP + i * Th + j] = 0.0
            aux[oC + i * Th + j] = 0.0
    for t in range(T):
        if t > 0:
            gemm_nn(aux, oP + t * h, Th, 1, Uf, 0, G, aux, t * G, TG, n, h, G, True)
        for i in range(n):
            z = i * TG + t * G
            s = i * Th + t * h
            # c_t and h_t go to C[:, t+1] and P[:, t+1] (the next step's c_{t−1}, h_{t−1}); the
            # last step's to scratch (the final cell state) and y.
            last = t + 1 == T
            cdst = scratch if last else aux
            co = i * h if last else oC + s + h
            hdst = yf if last else aux
            ho = ((i * T + t) * h if return_sequences else i * h) if last else oP + s + h
            _sigmoid_span(aux, z, 2 * h)
            _tanh_span(aux, z + 2 * h, h)
            _sigmoid_span(aux, z + 3 * h, h)
            _lstm_cell_forward(aux, z, h, oC + s, cdst, co, oTC + s, hdst, ho)
            if return_sequences and not last:
                for j in range(h):
                    yf[(i * T + t) * h + j] = aux[oP + s + h + j]


@njit(**JIT)
def lstm_backward(x, W, U, use_bias, return_sequences, dy, aux, dW, dU, db, need_dw,
                  dx, need_dx, acc_dx, scratch, gnorm, threads=1):
    """Backward through time from the aux of the matching forward (which it overwrites).

    Per step (dh = ∂L/∂h_t, dc from step t+1): dc += dh⊙o⊙(1 − tanh²c_t); dz_i = dc⊙g⊙i(1−i),
    dz_f = dc⊙c_{t−1}⊙f(1−f), dz_g = dc⊙i⊙(1−g²), dz_o = dh⊙tanh(c_t)⊙o(1−o); then
    dc_{t−1} = dc⊙f, dh_{t−1} = dz·Uᵀ (+ ∂L/∂y_{t−1}). Weight gradients and dx as in
    simple_rnn_backward; gnorm[t] = mean over the batch of ‖∂L/∂h_t‖ (total derivative).
    """
    n = x.shape[0]
    F, G = W.shape[0], W.shape[1]
    h = G // 4
    T = x.shape[1] // F
    Th, TG = T * h, T * G
    xf, Wf, dyf = x.reshape(x.size), W.reshape(W.size), dy.reshape(dy.size)
    oP = n * TG
    oC = oP + n * Th
    oTC = oC + n * Th
    D = scratch[:n * h]
    DC = scratch[n * h:2 * n * h]
    UT = scratch[2 * n * h:2 * n * h + G * h]
    _transpose_into(U.reshape(U.size), h, G, UT)
    D[:] = 0.0
    DC[:] = 0.0
    for t in range(T - 1, -1, -1):
        _add_step_grad(D, dyf, n, T, h, t, return_sequences)
        gnorm[t] = _step_norm(D, n, h)
        for i in range(n):
            z = i * TG + t * G
            s = i * Th + t * h
            _lstm_cell_backward(aux, z, h, oC + s, oTC + s, D, DC, i * h)
        if t > 0:
            gemm_nn(aux, t * G, TG, 1, UT, 0, h, D, 0, h, n, G, h, False)
    _weight_grads(xf, aux, 0, G, aux, oP, n * T, F, h, G, dW, dU, db, use_bias, need_dw, threads)
    if need_dx:
        gemm_nt_threads(aux, 0, G, Wf, 0, G, dx.reshape(dx.size), 0, F, n * T, G, F, acc_dx, threads)


# ----------------------------------------------------------------------------- GRU (reset_after)
@njit(**JIT)
def gru_forward(x, W, U, b, use_bias, return_sequences, y, aux, scratch, threads=1):
    """Keras GRU with reset_after=True (= PyTorch nn.GRU), gates [z r n]:
    z = σ(x·W_z + b_in_z + h·U_z + b_rec_z), r likewise, n = tanh(x·W_n + b_in_n + r⊙(h·U_n + b_rec_n)),
    h_t = z⊙h_{t−1} + (1 − z)⊙n.

    Args: x (n, T·F); W (F, 3h); U (h, 3h); b (6h) = Keras' (2, 3h) bias flattened (input row,
    then recurrent row); y (n, T·h) or (n, h); aux flat ≥ n·gru_aux_size(T, h); scratch
    ≥ gru_scratch_size(n, h).
    """
    n = x.shape[0]
    F, G = W.shape[0], W.shape[1]
    h = G // 3
    T = x.shape[1] // F
    Th, TG = T * h, T * G
    xf, Wf, Uf, yf = x.reshape(x.size), W.reshape(W.size), U.reshape(U.size), y.reshape(y.size)
    oRN = n * TG
    oP = oRN + n * Th
    R = scratch[:n * G]
    _input_projection(xf, Wf, b, use_bias, aux, n * T, F, G, G, threads)
    for i in range(n):
        for j in range(h):
            aux[oP + i * Th + j] = 0.0
    for t in range(T):
        for i in range(n):       # R = b_rec + h_{t−1}·U
            row = R[i * G:i * G + G]
            if use_bias:
                for k in range(G):
                    row[k] = b[G + k]
            else:
                row[:] = 0.0
        if t > 0:
            gemm_nn(aux, oP + t * h, Th, 1, Uf, 0, G, R, 0, G, n, h, G, True)
        for i in range(n):
            z = i * TG + t * G
            s = i * Th + t * h
            r0 = i * G
            last = t + 1 == T
            hdst = yf if last else aux
            ho = ((i * T + t) * h if return_sequences else i * h) if last else oP + s + h
            _gru_cell_forward(aux, z, h, R, r0, oRN + s, oP + s, hdst, ho)
            if return_sequences and not last:
                for j in range(h):
                    yf[(i * T + t) * h + j] = aux[oP + s + h + j]


@njit(**JIT)
def gru_backward(x, W, U, use_bias, return_sequences, dy, aux, dW, dU, db, need_dw,
                 dx, need_dx, acc_dx, scratch, gnorm, threads=1):
    """Backward through time from the aux of the matching forward (which it overwrites).

    Per step (dh = ∂L/∂h_t): dn = dh⊙(1−z)⊙(1−n²) (n's pre-activation),
    dz = dh⊙(h_{t−1} − n)⊙z(1−z), dr = dn⊙(h·U_n + b_rec_n)⊙r(1−r); the recurrent pre-activation gradients are [dz, dr, dn⊙r];
    dh_{t−1} = dh⊙z + [dz, dr, dn⊙r]·Uᵀ. db is (6h): input-bias row then recurrent-bias row.
    gnorm[t] = mean over the batch of ‖∂L/∂h_t‖ (total derivative).
    """
    n = x.shape[0]
    F, G = W.shape[0], W.shape[1]
    h = G // 3
    T = x.shape[1] // F
    Th, TG = T * h, T * G
    xf, Wf, dyf = x.reshape(x.size), W.reshape(W.size), dy.reshape(dy.size)
    oRN = n * TG
    oP = oRN + n * Th
    D = scratch[:n * h]
    DR = scratch[n * h:n * h + n * G]
    UT = scratch[n * h + n * G:n * h + n * G + G * h]
    _transpose_into(U.reshape(U.size), h, G, UT)
    D[:] = 0.0
    for t in range(T - 1, -1, -1):
        _add_step_grad(D, dyf, n, T, h, t, return_sequences)
        gnorm[t] = _step_norm(D, n, h)
        for i in range(n):
            z = i * TG + t * G
            s = i * Th + t * h
            r0 = i * G
            _gru_cell_backward(aux, z, h, oRN + s, oP + s, D, i * h, DR, r0)
        if t > 0:
            gemm_nn(DR, 0, G, 1, UT, 0, h, D, 0, h, n, G, h, True)
    if need_dw:
        nT = n * T
        dWf, dUf = dW.reshape(dW.size), dU.reshape(dU.size)
        gemm_nn_threads(xf, 0, 1, F, aux, 0, G, dWf, 0, G, F, nT, G, False, threads)
        # dU's z and r columns from the gate region, its n columns from the RN region (dn⊙r).
        gemm_nn_threads(aux, oP, 1, h, aux, 0, G, dUf, 0, G, h, nT, 2 * h, False, threads)
        gemm_nn_threads(aux, oP, 1, h, aux, oRN, h, dUf, 2 * h, G, h, nT, h, False, threads)
        if use_bias:
            _column_sums(aux, 0, G, nT, G, db, 0)
            _column_sums(aux, 0, G, nT, 2 * h, db, G)
            _column_sums(aux, oRN, h, nT, h, db, G + 2 * h)
    if need_dx:
        gemm_nt_threads(aux, 0, G, Wf, 0, G, dx.reshape(dx.size), 0, F, n * T, G, F, acc_dx, threads)


# ----------------------------------------------------------------------------- conversions (NumPy)
def keras_to_torch_simple_rnn(kernel, recurrent_kernel, bias):
    """Keras SimpleRNN (F,h), (h,h), (h) → torch nn.RNN (weight_ih (h,F), weight_hh (h,h),
    bias_ih (h), bias_hh (h) = 0): torch's two biases are summed in Keras' one."""
    return _plain_to_torch(kernel, recurrent_kernel, bias)


def torch_to_keras_simple_rnn(weight_ih, weight_hh, bias_ih, bias_hh):
    """torch nn.RNN layer-0 weights → Keras (kernel, recurrent_kernel, bias = bias_ih + bias_hh)."""
    return _plain_to_keras(weight_ih, weight_hh, bias_ih, bias_hh)


def keras_to_torch_lstm(kernel, recurrent_kernel, bias):
    """Keras LSTM (F,4h), (h,4h), (4h) → torch nn.LSTM (weight_ih (4h,F), weight_hh (4h,h), bias_ih,
    bias_hh = 0). Gate order [i f c o] = torch's [i f g o]: transposes only."""
    return _plain_to_torch(kernel, recurrent_kernel, bias)


def torch_to_keras_lstm(weight_ih, weight_hh, bias_ih, bias_hh):
    """torch nn.LSTM layer-0 weights → Keras (kernel, recurrent_kernel, bias = bias_ih + bias_hh)."""
    return _plain_to_keras(weight_ih, weight_hh, bias_ih, bias_hh)


def keras_to_torch_gru(kernel, recurrent_kernel, bias):
    """Keras GRU (reset_after=True) (F,3h), (h,3h), bias (2,3h) or (6h) → torch nn.GRU (weight_ih
    (3h,F), weight_hh (3h,h), bias_ih (3h), bias_hh (3h)), gate blocks [z r h] → [r z n]."""
    bias = np.asarray(bias).reshape(2, -1)
    return (_swap_zr(np.asarray(kernel)).T.copy(), _swap_zr(np.asarray(recurrent_kernel)).T.copy(),
            _swap_zr(bias[0]).copy(), _swap_zr(bias[1]).copy())


def torch_to_keras_gru(weight_ih, weight_hh, bias_ih, bias_hh):
    """torch nn.GRU layer-0 weights → Keras GRU reset_after=True (kernel, recurrent_kernel,
    bias (2, 3h)), gate blocks [r z n] → [z r h]."""
    return (_swap_zr(np.asarray(weight_ih).T).copy(), _swap_zr(np.asarray(weight_hh).T).copy(),
            np.stack([_swap_zr(np.asarray(bias_ih)), _swap_zr(np.asarray(bias_hh))]))


def _swap_zr(a):
    """Swap the first two of three gate blocks along the last axis ([z r h] ↔ [r z n])."""
    h = a.shape[-1] // 3
    return np.concatenate([a[..., h:2 * h], a[..., :h], a[..., 2 * h:]], axis=-1)


def _plain_to_torch(kernel, recurrent_kernel, bias):
    bias = np.asarray(bias)
    return (np.asarray(kernel).T.copy(), np.asarray(recurrent_kernel).T.copy(), bias.copy(),
            np.zeros_like(bias))


def _plain_to_keras(weight_ih, weight_hh, bias_ih, bias_hh):
    return (np.asarray(weight_ih).T.copy(), np.asarray(weight_hh).T.copy(),
            np.asarray(bias_ih) + np.asarray(bias_hh))
