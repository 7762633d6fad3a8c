"""Regularisation, gradient clipping and optimizer updates over the flat parameter arena.

All weights live in one array; `segs[s] = (offset, size, trainable, regularised)` and
`segf[s] = (l1, l2)` describe each weight, so one loop updates the whole network without any
per-layer dispatch. Formulas (PyTorch conventions) are in core/optimizers.py.
"""
import math

from numba import njit

from .opcodes import OPT_ADAGRAD, OPT_ADAM, OPT_RMSPROP, OPT_SGD

HP_MOMENTUM, HP_NESTEROV, HP_BETA1, HP_BETA2, HP_EPS, HP_WD, HP_RHO, HP_INIT_ACC = range(8)


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def apply_update(code, hp, lr, t, params, grads, state, segs):
    """One optimizer step (t = 1-based step number). Returns False if a weight became non-finite."""
    ok = True
    momentum, nesterov = hp[HP_MOMENTUM], hp[HP_NESTEROV] != 0.0
    b1, b2, eps, wd, rho = hp[HP_BETA1], hp[HP_BETA2], hp[HP_EPS], hp[HP_WD], hp[HP_RHO]
    bc1 = 1.0 - b1 ** t
    bc2_sqrt = math.sqrt(1.0 - b2 ** t)
    step_size = lr / bc1
    decay = 1.0 - lr * wd
    m = state[0]
    v = state[1]
    for s in range(segs.shape[0]):
        if segs[s, 2] == 0:
            continue
        for i in range(segs[s, 0], segs[s, 0] + segs[s, 1]):
            g = grads[i]
            p = params[i]
            if code == OPT_SGD:
                if momentum != 0.0:
                    b = momentum * m[i] + g if t > 1 else g
                    m[i] = b
                    g = g + momentum * b if nesterov else b
                p -= lr * g
            elif code == OPT_ADAM:
                if wd != 0.0:
                    p *= decay
                mi = b1 * m[i] + (1.0 - b1) * g
                vi = b2 * v[i] + (1.0 - b2) * g * g
                m[i] = mi
                v[i] = vi
                p -= step_size * mi / (math.sqrt(vi) / bc2_sqrt + eps)
            elif code == OPT_RMSPROP:
                vi = rho * m[i] + (1.0 - rho) * g * g
                m[i] = vi
                p -= lr * g / (math.sqrt(vi) + eps)
            else:  # OPT_ADAGRAD: the sum starts at initial_accumulator_value (the slot starts at 0)
                si = (m[i] if t > 1 else hp[HP_INIT_ACC]) + g * g
                m[i] = si
                p -= lr * g / (math.sqrt(si) + eps)
            if not math.isfinite(p):
                ok = False
            params[i] = p
    return ok
