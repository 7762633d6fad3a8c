"""Regularisation, gradient clipping and optimizer updates over the flat parameter arena.

All weights live in one array; `segs[s] = (offset, size, trainable, regularised)` and
`segf[s] = (l1, l2)` describe each weight, so one loop updates the whole network without any
per-layer dispatch. Formulas (PyTorch conventions) are in core/optimizers.py.

A diverging update never reaches the weights, in one of two ways (kernels.engine.train_chunk
picks by size; both are exact and leave the weights as the last good batch left them):
- small nets: `apply_update_into` reads the weights and slots of one buffer and writes the
  updated ones into a second buffer, reporting whether every written value is finite; the loop
  adopts the second buffer only then (swapping the two) — the same reads and writes as an
  in-place update while everything sits in cache;
- large nets (where a second buffer would double the memory traffic): `update_is_finite` runs
  the optimizer's arithmetic once without writing (a read-only pass), then `apply_update` writes
  in place. Every `_check_*` mirrors its in-place update line by line — same operations, same
  types, same casts to the weights' dtype — so (IEEE arithmetic without fast-math being
  deterministic) a check that passes means an update that stays finite.

Every finiteness test ORs its comparisons with `|`, never `and`/`or`: a short-circuit is a
branch per weight, which keeps LLVM from vectorising the loop (Adam's check ran 1.4× slower).
"""
import math

import numpy as np
from numba import njit, prange

from .config import JIT

from .opcodes import OPT_ADAM, OPT_RMSPROP, OPT_SGD

# A run of at least this many adjacent weights is updated (and checked) in `threads` chunks at
# once when the training has threads to spare. The update is element-wise, so the chunks give
# the serial result bit for bit. Why 2¹⁶: Adam moves 28 bytes per float32 weight, so a run of
# 65k weights is ~1.8 MB of traffic (~100 µs on one core) against a fork/join of a few µs; every
# run of the playground, digits and W2 nets (≤ 9k weights) stays serial, W3's first kernel (401k)
# goes parallel. Only the in-place path uses it: nets that small enough for two buffers stay serial.
PARALLEL_MIN_WEIGHTS = 1 << 16

HP_MOMENTUM, HP_NESTEROV, HP_BETA1, HP_BETA2, HP_EPS, HP_WD, HP_RHO, HP_INIT_ACC = range(8)
_INF = math.inf


@njit(**JIT)
def regularization(params, grads, segs, segf, add_grad):
    """Penalty Σ l1·|w| + l2·w² (Keras); with add_grad, adds l1·sign(w) + 2·l2·w to the gradients."""
    penalty = 0.0
    for s in range(segs.shape[0]):
        if segs[s, 3] == 0:
            continue
        off, size = segs[s, 0], segs[s, 1]
        l1, l2 = segf[s, 0], segf[s, 1]
        for i in range(off, off + size):
            w = params[i]
            penalty += l1 * abs(w) + l2 * w * w
            if add_grad and segs[s, 2] != 0:
                grads[i] += l1 * (1.0 if w > 0 else (-1.0 if w < 0 else 0.0)) + 2.0 * l2 * w
    return penalty


@njit(**JIT)
def clip_gradients(grads, segs, clip_norm, clip_value):
    """By value to [−v, v]; then by global norm, scaling by c/max(‖g‖, c) (Keras)."""
    if clip_value > 0.0:
        for s in range(segs.shape[0]):
            if segs[s, 2] == 0:
                continue
            for i in range(segs[s, 0], segs[s, 0] + segs[s, 1]):
                grads[i] = min(max(grads[i], -clip_value), clip_value)
    if clip_norm > 0.0:
        sq = 0.0
        for s in range(segs.shape[0]):
            if segs[s, 2] == 0:
                continue
            for i in range(segs[s, 0], segs[s, 0] + segs[s, 1]):
                sq += grads[i] * grads[i]
        norm = math.sqrt(sq)
        if norm > clip_norm:
            f = clip_norm / norm
            for s in range(segs.shape[0]):
                if segs[s, 2] == 0:
                    continue
                for i in range(segs[s, 0], segs[s, 0] + segs[s, 1]):
                    grads[i] *= f


@njit(**JIT)
def apply_update(code, hp, lr, t, params, grads, state, segs, threads=1):
    """One optimizer step (t = 1-based step number). Returns False if a weight became non-finite.

    The optimizer branch sits outside the per-weight loops so each loop is straight-line code
    LLVM can vectorise; the non-finite check is an integer OR (a float sum would block that).
    """
    bad = False
    k = _adam_constants(hp, lr, t, params) if code == OPT_ADAM else params[:0]
    s = 0
    n_segs = segs.shape[0]
    while s < n_segs:
        if segs[s, 2] == 0:
            s += 1
            continue
        # One loop over each run of adjacent trainable weights (a playground net's six small
        # weights become one run: short loops spend their time in vector prologues and tails).
        lo, hi = segs[s, 0], segs[s, 0] + segs[s, 1]
        s += 1
        while s < n_segs and segs[s, 2] != 0 and segs[s, 0] == hi:
            hi += segs[s, 1]
            s += 1
        if threads > 1 and hi - lo >= PARALLEL_MIN_WEIGHTS:
            bad |= _run_par(code, hp, lr, t, k, params[lo:hi], grads[lo:hi], state[0][lo:hi], state[1][lo:hi],
                            threads, False)
        elif code == OPT_ADAM:
            bad |= _adam(k, params[lo:hi], grads[lo:hi], state[0][lo:hi], state[1][lo:hi])
        elif code == OPT_SGD:
            bad |= _sgd(hp, lr, t, params[lo:hi], grads[lo:hi], state[0][lo:hi])
        elif code == OPT_RMSPROP:
            bad |= _rmsprop(hp, lr, params[lo:hi], grads[lo:hi], state[0][lo:hi])
        else:
            bad |= _adagrad(hp, lr, t, params[lo:hi], grads[lo:hi], state[0][lo:hi])
    return not bad


@njit(**JIT)
def _sgd(hp, lr, t, p, g, b):
    momentum, nesterov = hp[HP_MOMENTUM], hp[HP_NESTEROV] != 0.0
    bad = False
    if momentum == 0.0:
        rate = p.dtype.type(lr)   # in the weights' dtype, so a float32 loop stays float32
        for i in range(p.size):
            p[i] -= rate * g[i]
            bad |= not abs(p[i]) < _INF
        return bad
    first = t <= 1
    for i in range(p.size):
        bi = g[i] if first else momentum * b[i] + g[i]
        b[i] = bi
        step = g[i] + momentum * bi if nesterov else bi
        p[i] -= lr * step
        bad |= not abs(p[i]) < _INF
    return bad


@njit(**JIT)
def _adam_constants(hp, lr, t, like):
    """Adam's per-step scalars in the weights' dtype.

    NOTE: they go through an array of that dtype so that, for float32 weights, the update loop
    stays in float32 (a float64 scalar would promote every operation and halve the vector width).
    """
    b1, b2, eps, wd = hp[HP_BETA1], hp[HP_BETA2], hp[HP_EPS], hp[HP_WD]
    k = np.empty(8, like.dtype)
    k[0], k[1], k[2], k[3] = b1, b2, 1.0 - b1, 1.0 - b2
    k[4] = lr / (1.0 - b1 ** t)                     # step size with bias correction 1
    k[5] = 1.0 / math.sqrt(1.0 - b2 ** t)           # bias correction 2
    k[6] = 1.0 - lr * wd                            # decoupled weight decay (AdamW)
    k[7] = eps
    return k


@njit(**JIT)
def _adam(k, p, g, m, v):
    fb1, fb2, c1, c2, step_size, inv_bc2, decay, feps = k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]
    bad = False
    for i in range(p.size):
        gi = g[i]
        mi = fb1 * m[i] + c1 * gi
        vi = fb2 * v[i] + c2 * gi * gi
        m[i] = mi
        v[i] = vi
        p[i] = p[i] * decay - step_size * mi / (np.sqrt(vi) * inv_bc2 + feps)
        bad |= not abs(p[i]) < _INF
    return bad


@njit(**JIT)
def _rmsprop(hp, lr, p, g, v):
    rho, eps = hp[HP_RHO], hp[HP_EPS]
    bad = False
    for i in range(p.size):
        vi = rho * v[i] + (1.0 - rho) * g[i] * g[i]
        v[i] = vi
        p[i] -= lr * g[i] / (math.sqrt(vi) + eps)
        bad |= not abs(p[i]) < _INF
    return bad


@njit(**JIT)
def _adagrad(hp, lr, t, p, g, s):
    eps = hp[HP_EPS]
    init = hp[HP_INIT_ACC]
    bad = False
    for i in range(p.size):
        si = (s[i] if t > 1 else init) + g[i] * g[i]
        s[i] = si
        p[i] -= lr * g[i] / (math.sqrt(si) + eps)
        bad |= not abs(p[i]) < _INF
    return bad


# ---- into a second buffer (small nets) -------------------------------------------------------------
@njit(**JIT)
def apply_update_into(code, hp, lr, t, params, grads, state, params_out, state_out, segs):
    """One optimizer step from (params, state) into separate (params_out, state_out), trainable
    segments only. Returns False if a written weight or slot is non-finite.

    The optimizer branch sits outside the per-weight loops so each loop is straight-line code
    LLVM can vectorise; the non-finite check is an integer OR (a float sum would block that).
    """
    bad = False
    k = _adam_constants(hp, lr, t, params) if code == OPT_ADAM else params[:0]
    plain = hp[HP_MOMENTUM] == 0.0
    rate = params.dtype.type(lr)   # in the weights' dtype, so a float32 loop stays float32
    s = 0
    n_segs = segs.shape[0]
    while s < n_segs:
        if segs[s, 2] == 0:
            s += 1
            continue
        # One loop over each run of adjacent trainable weights (a playground net's six small
        # weights become one run: short loops spend their time in vector prologues and tails).
        lo, hi = segs[s, 0], segs[s, 0] + segs[s, 1]
        s += 1
        while s < n_segs and segs[s, 2] != 0 and segs[s, 0] == hi:
            hi += segs[s, 1]
            s += 1
        p, g, po = params[lo:hi], grads[lo:hi], params_out[lo:hi]
        if code == OPT_ADAM:
            bad |= _adam_into(k, p, g, state[0][lo:hi], state[1][lo:hi], po, state_out[0][lo:hi], state_out[1][lo:hi])
        elif code == OPT_SGD and plain:       # no momentum: no slot to slice (a playground's hot path)
            bad |= _sgd_plain_into(rate, p, g, po)
        elif code == OPT_SGD:
            bad |= _sgd_into(hp, lr, t, p, g, state[0][lo:hi], po, state_out[0][lo:hi])
        elif code == OPT_RMSPROP:
            bad |= _rmsprop_into(hp, lr, p, g, state[0][lo:hi], po, state_out[0][lo:hi])
        else:
            bad |= _adagrad_into(hp, lr, t, p, g, state[0][lo:hi], po, state_out[0][lo:hi])
    return not bad


@njit(**JIT)
def _sgd_plain_into(rate, p, g, po):
    bad = False
    for i in range(p.size):
        pi = p[i] - rate * g[i]
        po[i] = pi
        bad |= not abs(pi) < _INF
    return bad


@njit(**JIT)
def _sgd_into(hp, lr, t, p, g, b, po, bo):
    """With momentum (PyTorch): b = m·b + g (b = g at the first step); p -= lr·b, or
    p -= lr·(g + m·b) with Nesterov."""
    momentum, nesterov = hp[HP_MOMENTUM], hp[HP_NESTEROV] != 0.0
    bad = False
    first = t <= 1
    for i in range(p.size):
        bi = g[i] if first else momentum * b[i] + g[i]
        bo[i] = bi
        step = g[i] + momentum * bi if nesterov else bi
        po[i] = p[i] - lr * step
        bad |= (not abs(po[i]) < _INF) | (not abs(bo[i]) < _INF)
    return bad


@njit(**JIT)
def _adam_into(k, p, g, m, v, po, mo, vo):
    fb1, fb2, c1, c2, step_size, inv_bc2, decay, feps = k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]
    bad = False
    for i in range(p.size):
        gi = g[i]
        mi = fb1 * m[i] + c1 * gi
        vi = fb2 * v[i] + c2 * gi * gi
        mo[i] = mi
        vo[i] = vi
        pi = p[i] * decay - step_size * mi / (np.sqrt(vi) * inv_bc2 + feps)
        po[i] = pi
        bad |= (not abs(pi) < _INF) | (not abs(vi) < _INF) | (not abs(mi) < _INF)
    return bad


@njit(**JIT)
def _rmsprop_into(hp, lr, p, g, v, po, vo):
    rho, eps = hp[HP_RHO], hp[HP_EPS]
    bad = False
    for i in range(p.size):
        vi = rho * v[i] + (1.0 - rho) * g[i] * g[i]
        vo[i] = vi
        po[i] = p[i] - lr * g[i] / (math.sqrt(vi) + eps)
        bad |= (not abs(po[i]) < _INF) | (not abs(vo[i]) < _INF)
    return bad


@njit(**JIT)
def _adagrad_into(hp, lr, t, p, g, s, po, so):
    eps = hp[HP_EPS]
    init = hp[HP_INIT_ACC]
    bad = False
    for i in range(p.size):
        si = (s[i] if t > 1 else init) + g[i] * g[i]
        so[i] = si
        po[i] = p[i] - lr * g[i] / (math.sqrt(si) + eps)
        bad |= (not abs(po[i]) < _INF) | (not abs(so[i]) < _INF)
    return bad


# ---- the read-only check (large nets): each mirrors its in-place update above ----------------------
@njit(**JIT)
def update_is_finite(code, hp, lr, t, params, grads, state, segs, threads=1):
    """Whether `apply_update(code, hp, lr, t, ...)` would leave every trainable weight and
    optimizer slot finite. Reads only; the same runs and arithmetic as apply_update."""
    bad = False
    k = _adam_constants(hp, lr, t, params) if code == OPT_ADAM else params[:0]
    s = 0
    n_segs = segs.shape[0]
    while s < n_segs:
        if segs[s, 2] == 0:
            s += 1
            continue
        lo, hi = segs[s, 0], segs[s, 0] + segs[s, 1]
        s += 1
        while s < n_segs and segs[s, 2] != 0 and segs[s, 0] == hi:
            hi += segs[s, 1]
            s += 1
        if threads > 1 and hi - lo >= PARALLEL_MIN_WEIGHTS:
            bad |= _run_par(code, hp, lr, t, k, params[lo:hi], grads[lo:hi], state[0][lo:hi], state[1][lo:hi],
                            threads, True)
        elif code == OPT_ADAM:
            bad |= _check_adam(k, params[lo:hi], grads[lo:hi], state[0][lo:hi], state[1][lo:hi])
        elif code == OPT_SGD:
            bad |= _check_sgd(hp, lr, t, params[lo:hi], grads[lo:hi], state[0][lo:hi])
        elif code == OPT_RMSPROP:
            bad |= _check_rmsprop(hp, lr, params[lo:hi], grads[lo:hi], state[0][lo:hi])
        else:
            bad |= _check_adagrad(hp, lr, t, params[lo:hi], grads[lo:hi], state[0][lo:hi])
    return not bad


@njit(**JIT)
def _check_sgd(hp, lr, t, p, g, b):
    momentum, nesterov = hp[HP_MOMENTUM], hp[HP_NESTEROV] != 0.0
    bad = False
    cast = p.dtype.type
    if momentum == 0.0:
        rate = cast(lr)
        for i in range(p.size):
            bad |= not abs(p[i] - rate * g[i]) < _INF
        return bad
    first = t <= 1
    for i in range(p.size):
        bi = g[i] if first else momentum * b[i] + g[i]
        step = g[i] + momentum * bi if nesterov else bi
        bad |= (not abs(cast(bi)) < _INF) | (not abs(cast(p[i] - lr * step)) < _INF)
    return bad


@njit(**JIT)
def _check_adam(k, p, g, m, v):
    fb1, fb2, c1, c2, step_size, inv_bc2, decay, feps = k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]
    bad = False
    for i in range(p.size):
        gi = g[i]
        mi = fb1 * m[i] + c1 * gi
        vi = fb2 * v[i] + c2 * gi * gi
        pi = p[i] * decay - step_size * mi / (np.sqrt(vi) * inv_bc2 + feps)
        bad |= (not abs(mi) < _INF) | (not abs(vi) < _INF) | (not abs(pi) < _INF)
    return bad


@njit(**JIT)
def _check_rmsprop(hp, lr, p, g, v):
    rho, eps = hp[HP_RHO], hp[HP_EPS]
    cast = p.dtype.type
    bad = False
    for i in range(p.size):
        vi = rho * v[i] + (1.0 - rho) * g[i] * g[i]
        bad |= (not abs(cast(vi)) < _INF) | (not abs(cast(p[i] - lr * g[i] / (math.sqrt(vi) + eps))) < _INF)
    return bad


@njit(**JIT)
def _check_adagrad(hp, lr, t, p, g, s):
    eps = hp[HP_EPS]
    init = hp[HP_INIT_ACC]
    cast = p.dtype.type
    bad = False
    for i in range(p.size):
        si = (s[i] if t > 1 else init) + g[i] * g[i]
        bad |= (not abs(cast(si)) < _INF) | (not abs(cast(p[i] - lr * g[i] / (math.sqrt(si) + eps))) < _INF)
    return bad


@njit(parallel=True, **JIT)
def _run_par(code, hp, lr, t, k, p, g, s0, s1, chunks, check_only):
    """One run of weights in `chunks` pieces at once: the update (or, with check_only, its
    finiteness check) of each piece is the serial function on that slice."""
    n = p.size
    per = (n + chunks - 1) // chunks
    nbad = 0
    for c in prange(chunks):
        lo = c * per
        hi = min(n, lo + per)
        if lo >= hi:
            continue
        if code == OPT_ADAM:
            bad = _check_adam(k, p[lo:hi], g[lo:hi], s0[lo:hi], s1[lo:hi]) if check_only else \
                _adam(k, p[lo:hi], g[lo:hi], s0[lo:hi], s1[lo:hi])
        elif code == OPT_SGD:
            bad = _check_sgd(hp, lr, t, p[lo:hi], g[lo:hi], s0[lo:hi]) if check_only else \
                _sgd(hp, lr, t, p[lo:hi], g[lo:hi], s0[lo:hi])
        elif code == OPT_RMSPROP:
            bad = _check_rmsprop(hp, lr, p[lo:hi], g[lo:hi], s0[lo:hi]) if check_only else \
                _rmsprop(hp, lr, p[lo:hi], g[lo:hi], s0[lo:hi])
        else:
            bad = _check_adagrad(hp, lr, t, p[lo:hi], g[lo:hi], s0[lo:hi]) if check_only else \
                _adagrad(hp, lr, t, p[lo:hi], g[lo:hi], s0[lo:hi])
        nbad += 1 if bad else 0
    return nbad > 0
