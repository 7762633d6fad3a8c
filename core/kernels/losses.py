"""Loss value and its gradient with respect to the network output, in one pass.

`out` is the output tensor [n, k] (probabilities, or raw scores for *_LOGITS); for the fused
softmax codes `logits` is the softmax's input and the gradient written to `g` is ∂L/∂logits.
Targets `y` are [n, k] values / one-hot rows, or [n, 1] integer labels for the sparse codes.
"""
import math

from numba import njit

from .config import JIT

from .opcodes import (LOSS_BCE, LOSS_BCE_LOGITS, LOSS_CCE, LOSS_CCE_LOGITS, LOSS_HUBER, LOSS_MAE,
                      LOSS_MSE, LOSS_SOFTMAX_CCE, LOSS_SOFTMAX_SPARSE_CCE, LOSS_SPARSE_CCE,
                      LOSS_SPARSE_CCE_LOGITS)

PROB_EPS = 1e-7   # Keras' clipping of probabilities


@njit(**JIT)
def loss_and_grad(code, delta, out, logits, y, g):
    """Returns the mean loss; writes ∂L/∂out (∂L/∂logits for fused softmax) into g."""
    n, k = out.shape
    total = 0.0
    if code == LOSS_MSE or code == LOSS_MAE or code == LOSS_HUBER or code == LOSS_BCE \
            or code == LOSS_BCE_LOGITS:
        scale = 1.0 / (n * k)
        for i in range(n):
            for j in range(k):
                p = out[i, j]
                t = y[i, j]
                if code == LOSS_MSE:
                    e = p - t
                    total += e * e
                    g[i, j] = 2.0 * e * scale
                elif code == LOSS_MAE:
                    e = p - t
                    total += abs(e)
                    g[i, j] = (1.0 if e > 0 else (-1.0 if e < 0 else 0.0)) * scale
                elif code == LOSS_HUBER:
                    e = p - t
                    a = abs(e)
                    if a <= delta:
                        total += 0.5 * e * e
                        g[i, j] = e * scale
                    else:
                        total += delta * (a - 0.5 * delta)
                        g[i, j] = (delta if e > 0 else -delta) * scale
                elif code == LOSS_BCE:
                    if p < PROB_EPS or p > 1.0 - PROB_EPS:
                        pc = min(max(p, PROB_EPS), 1.0 - PROB_EPS)
                        g[i, j] = 0.0   # clipped: zero gradient (as Keras)
                    else:
                        pc = p
                        g[i, j] = (pc - t) / (pc * (1.0 - pc)) * scale
                    total -= t * math.log(pc) + (1.0 - t) * math.log(1.0 - pc)
                else:  # LOSS_BCE_LOGITS: max(z,0) − z·t + log(1 + e^−|z|)
                    z = p
                    total += max(z, 0.0) - z * t + math.log1p(math.exp(-abs(z)))
                    s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
                    g[i, j] = (s - t) * scale
        return total * scale
    inv_n = 1.0 / n
    sparse = code == LOSS_SPARSE_CCE or code == LOSS_SPARSE_CCE_LOGITS or code == LOSS_SOFTMAX_SPARSE_CCE
    from_logits = code == LOSS_CCE_LOGITS or code == LOSS_SPARSE_CCE_LOGITS \
        or code == LOSS_SOFTMAX_CCE or code == LOSS_SOFTMAX_SPARSE_CCE
    if code == LOSS_SOFTMAX_CCE or code == LOSS_SOFTMAX_SPARSE_CCE:
        return _fused_softmax_cce(out, logits, y, g, sparse) * inv_n
    for i in range(n):
        label = int(y[i, 0]) if sparse else -1
        if from_logits:
            src = logits if (code == LOSS_SOFTMAX_CCE or code == LOSS_SOFTMAX_SPARSE_CCE) else out
            m = src[i, 0]
            for j in range(1, k):
                m = max(m, src[i, j])
            s = 0.0
            for j in range(k):
                s += math.exp(src[i, j] - m)
            lse = m + math.log(s)
            ysum = 1.0 if sparse else 0.0
            if not sparse:
                for j in range(k):
                    ysum += y[i, j]
            for j in range(k):
                t = (1.0 if j == label else 0.0) if sparse else y[i, j]
                total -= t * (src[i, j] - lse)
                g[i, j] = (math.exp(src[i, j] - lse) * ysum - t) * inv_n
        else:
            for j in range(k):
                t = (1.0 if j == label else 0.0) if sparse else y[i, j]
                p = out[i, j]
                pc = min(max(p, PROB_EPS), 1.0 - PROB_EPS)
                if t != 0.0:
                    total -= t * math.log(pc)
                g[i, j] = -t / pc * inv_n if pc == p else 0.0
    return total * inv_n


@njit(**JIT)
def _fused_softmax_cce(p, z, y, g, sparse):
    """Σ cross-entropy over rows, and g = (p·Σt − t)/n, from the softmax output p the forward pass
    already computed: no exponential. log p_j = z_j − lse and, as p at the row's largest logit is
    e⁰/Σe^(z−max), lse = max z − log(max p): one log per row."""
    n, k = p.shape
    inv_n = 1.0 / n
    total = 0.0
    for i in range(n):
        zmax = z[i, 0]
        pmax = p[i, 0]
        for j in range(1, k):
            zmax = max(zmax, z[i, j])
            pmax = max(pmax, p[i, j])
        lse = zmax - math.log(pmax)
        if sparse:
            label = int(y[i, 0])
            for j in range(k):
                g[i, j] = p[i, j] * inv_n
            if 0 <= label < k:
                total -= z[i, label] - lse
                g[i, label] -= inv_n
        else:
            ysum = 0.0
            for j in range(k):
                ysum += y[i, j]
            for j in range(k):
                t = y[i, j]
                total -= t * (z[i, j] - lse)
                g[i, j] = (p[i, j] * ysum - t) * inv_n
    return total
