"""numba.cuda kernels for the CUDA executor. Arrays are flat arenas plus offsets, as on the CPU.

Tile size is 16 on a GPU and 4 under NUMBA_ENABLE_CUDASIM (the simulator runs every thread in
Python, so tests use tiny tiles and tiny nets).

The kernels that draw random numbers (Dropout, AlphaDropout, RReLU) are in cuda_random.py.
"""
import math
import os

from numba import cuda, float32

from .opcodes import (ACT_ELU, ACT_LEAKY_RELU, ACT_LINEAR, ACT_MISH, ACT_RELU, ACT_SELU,
                      ACT_SIGMOID, ACT_STEP, ACT_SWISH, ACT_TANH, LOSS_BCE,
                      LOSS_BCE_LOGITS, LOSS_CCE_LOGITS, LOSS_HUBER, LOSS_MAE, LOSS_MSE,
                      LOSS_SOFTMAX_CCE, LOSS_SOFTMAX_SPARSE_CCE, LOSS_SPARSE_CCE,
                      LOSS_SPARSE_CCE_LOGITS, OPT_ADAM, OPT_RMSPROP, OPT_SGD)

TILE = 4 if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" else 16
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


@cuda.jit
def gemm(A, ao, B, bo, C, co, n, k, m, ta, tb, acc):
    """C[n, m] (+)= op(A)[n, k] · op(B)[k, m]; op transposes the stored matrix when ta/tb.

    Stored layouts: A is [n, k] (or [k, n] when ta), B is [k, m] (or [m, k] when tb), row-major.
    Classic shared-memory tiling: each block computes a TILE×TILE tile of C.
    """
    sA = cuda.shared.array((TILE, TILE), float32)
    sB = cuda.shared.array((TILE, TILE), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    row = cuda.blockIdx.y * TILE + ty
    col = cuda.blockIdx.x * TILE + tx
    s = 0.0
    for t in range((k + TILE - 1) // TILE):
        kk = t * TILE + tx
        if row < n and kk < k:
            sA[ty, tx] = A[ao + (kk * n + row if ta else row * k + kk)]
        else:
            sA[ty, tx] = 0.0
        kk = t * TILE + ty
        if col < m and kk < k:
            sB[ty, tx] = B[bo + (col * k + kk if tb else kk * m + col)]
        else:
            sB[ty, tx] = 0.0
        cuda.syncthreads()
        for j in range(TILE):
            s += sA[ty, j] * sB[j, tx]
        cuda.syncthreads()
    if row < n and col < m:
        if acc:
            C[co + row * m + col] += s
        else:
            C[co + row * m + col] = s


@cuda.jit
def gather_rows(X, rows, start, c0, out, oo, n, w):
    i, j = cuda.grid(2)
    if i < n and j < w:
        out[oo + i * w + j] = X[rows[start + i], c0 + j]


@cuda.jit
def gather_targets(Y, rows, start, out, n, k):
    i, j = cuda.grid(2)
    if i < n and j < k:
        out[i * k + j] = Y[rows[start + i], j]


@cuda.jit
def add_bias(Y, yo, b, bo, n, m):
    i, j = cuda.grid(2)
    if i < n and j < m:
        Y[yo + i * m + j] += b[bo + j]


@cuda.jit
def column_sums(D, do, out, oo, n, m):
    j = cuda.grid(1)
    if j < m:
        s = 0.0
        for i in range(n):
            s += D[do + i * m + j]
        out[oo + j] = s


@cuda.jit(device=True)
def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@cuda.jit(device=True)
def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@cuda.jit
def act_forward(code, alpha, A, xo, yo, count):
    i = cuda.grid(1)
    if i >= count:
        return
    v = A[xo + i]
    if code == ACT_LINEAR:
        r = v
    elif code == ACT_STEP:
        r = 1.0 if v >= alpha else 0.0
    elif code == ACT_SIGMOID:
        r = _sigmoid(v)
    elif code == ACT_TANH:
        r = math.tanh(v)
    elif code == ACT_RELU:
        r = v if v > 0 else 0.0
    elif code == ACT_LEAKY_RELU:
        r = v if v > 0 else alpha * v
    elif code == ACT_ELU:
        r = v if v > 0 else alpha * math.expm1(v)
    elif code == ACT_SELU:
        r = SELU_SCALE * v if v > 0 else SELU_SCALE * SELU_ALPHA * math.expm1(v)
    elif code == ACT_SWISH:
        r = v * _sigmoid(v)
    elif code == ACT_MISH:
        r = v * math.tanh(_softplus(v))
    else:
        r = _softplus(v)
    A[yo + i] = r


@cuda.jit
def act_backward(code, alpha, A, D, xo, yo, acc, count):
    """D[xo+i] (+)= f'(x)·D[yo+i] with x = A[xo+i], y = A[yo+i]."""
    i = cuda.grid(1)
    if i >= count:
        return
    v = A[xo + i]
    y = A[yo + i]
    if code == ACT_LINEAR:
        d = 1.0
    elif code == ACT_STEP:
        d = 0.0
    elif code == ACT_SIGMOID:
        d = y * (1.0 - y)
    elif code == ACT_TANH:
        d = 1.0 - y * y
    elif code == ACT_RELU:
        d = 1.0 if v > 0 else 0.0
    elif code == ACT_LEAKY_RELU:
        d = 1.0 if v > 0 else alpha
    elif code == ACT_ELU:
        d = 1.0 if v > 0 else alpha * math.exp(v)
    elif code == ACT_SELU:
        d = SELU_SCALE if v > 0 else SELU_SCALE * SELU_ALPHA * math.exp(v)
    elif code == ACT_SWISH:
        s = _sigmoid(v)
        d = s * (1.0 + v * (1.0 - s))
    elif code == ACT_MISH:
        t = math.tanh(_softplus(v))
        d = t + v * (1.0 - t * t) * _sigmoid(v)
    else:
        d = _sigmoid(v)
    g = d * D[yo + i]
    if acc:
        D[xo + i] += g
    else:
        D[xo + i] = g


@cuda.jit
def prelu_forward(A, xo, yo, P, a, w, count):
    """y = x where x > 0, α_j·x elsewhere (one learned slope per feature j = i mod w)."""
    i = cuda.grid(1)
    if i < count:
        v = A[xo + i]
        A[yo + i] = v if v > 0 else P[a + i % w] * v


@cuda.jit
def prelu_backward(A, D, xo, yo, P, a, w, acc, count):
    """dx (+)= dy where x > 0, α_j·dy elsewhere; ∂α is prelu_alpha_grads (a column sum)."""
    i = cuda.grid(1)
    if i >= count:
        return
    d = D[yo + i] if A[xo + i] > 0 else P[a + i % w] * D[yo + i]
    if acc:
        D[xo + i] += d
    else:
        D[xo + i] = d



@cuda.jit
def softmax_rows(A, xo, yo, n, w):
    i = cuda.grid(1)
    if i >= n:
        return
    m = A[xo + i * w]
    for j in range(1, w):
        m = max(m, A[xo + i * w + j])
    s = 0.0
    for j in range(w):
        e = math.exp(A[xo + i * w + j] - m)
        A[yo + i * w + j] = e
        s += e
    for j in range(w):
        A[yo + i * w + j] /= s


@cuda.jit
def softmax_backward(A, D, xo, yo, n, w, fused, acc):
    """Fused with cross-entropy the output gradient already is ∂L/∂logits: pass it through."""
    i = cuda.grid(1)
    if i >= n:
        return
    s = 0.0
    if not fused:
        for j in range(w):
            s += D[yo + i * w + j] * A[yo + i * w + j]
    for j in range(w):
        g = D[yo + i * w + j] if fused else A[yo + i * w + j] * (D[yo + i * w + j] - s)
        if acc:
            D[xo + i * w + j] += g
        else:
            D[xo + i * w + j] = g


@cuda.jit
def copy_add(src, so, dst, do, count, acc):
    i = cuda.grid(1)
    if i < count:
        if acc:
            dst[do + i] += src[so + i]
        else:
            dst[do + i] = src[so + i]


@cuda.jit
def copy_columns(src, so, sw, sc, dst, do, dw, dc, n, w, acc):
    """dst[:, dc:dc+w] (+)= src[:, sc:sc+w] for row-major [n, sw] / [n, dw] blocks (Concat)."""
    i, j = cuda.grid(2)
    if i < n and j < w:
        v = src[so + i * sw + sc + j]
        if acc:
            dst[do + i * dw + dc + j] += v
        else:
            dst[do + i * dw + dc + j] = v


@cuda.jit
def loss_rows(code, delta, A, oo, lo, Yb, D, n, k, losses, b):
    """One thread per sample: its loss (atomically summed into losses[b], already averaged)
    and ∂L/∂out (∂L/∂logits for the fused softmax codes) written into D[oo:]."""
    i = cuda.grid(1)
    if i >= n:
        return
    total = 0.0
    if code <= LOSS_BCE_LOGITS:
        sc = 1.0 / (n * k)
        for j in range(k):
            p = A[oo + i * k + j]
            t = Yb[i * k + j]
            e = p - t
            if code == LOSS_MSE:
                total += e * e
                g = 2.0 * e
            elif code == LOSS_MAE:
                total += abs(e)
                g = 1.0 if e > 0 else (-1.0 if e < 0 else 0.0)
            elif code == LOSS_HUBER:
                if abs(e) <= delta:
                    total += 0.5 * e * e
                    g = e
                else:
                    total += delta * (abs(e) - 0.5 * delta)
                    g = delta if e > 0 else -delta
            elif code == LOSS_BCE:
                pc = min(max(p, 1e-7), 1.0 - 1e-7)
                total -= t * math.log(pc) + (1.0 - t) * math.log(1.0 - pc)
                g = 0.0 if pc != p else (pc - t) / (pc * (1.0 - pc))
            else:
                total += max(p, 0.0) - p * t + math.log1p(math.exp(-abs(p)))
                g = _sigmoid(p) - t
            D[oo + i * k + j] = g * sc
        cuda.atomic.add(losses, b, total * sc)
        return
    sparse = code == LOSS_SPARSE_CCE or code == LOSS_SPARSE_CCE_LOGITS or code == LOSS_SOFTMAX_SPARSE_CCE
    logits = code == LOSS_CCE_LOGITS or code == LOSS_SPARSE_CCE_LOGITS or code == LOSS_SOFTMAX_CCE \
        or code == LOSS_SOFTMAX_SPARSE_CCE
    src = lo if (code == LOSS_SOFTMAX_CCE or code == LOSS_SOFTMAX_SPARSE_CCE) else oo
    label = int(Yb[i]) if sparse else -1
    if logits:
        m = A[src + i * k]
        for j in range(1, k):
            m = max(m, A[src + i * k + j])
        s = 0.0
        for j in range(k):
            s += math.exp(A[src + i * k + j] - m)
        lse = m + math.log(s)
        ysum = 1.0
        if not sparse:
            ysum = 0.0
            for j in range(k):
                ysum += Yb[i * k + j]
        for j in range(k):
            t = (1.0 if j == label else 0.0) if sparse else Yb[i * k + j]
            total -= t * (A[src + i * k + j] - lse)
            D[oo + i * k + j] = (math.exp(A[src + i * k + j] - lse) * ysum - t) / n
    else:
        for j in range(k):
            t = (1.0 if j == label else 0.0) if sparse else Yb[i * k + j]
            p = A[oo + i * k + j]
            pc = min(max(p, 1e-7), 1.0 - 1e-7)
            total -= t * math.log(pc)
            D[oo + i * k + j] = -t / pc / n if pc == p else 0.0
    cuda.atomic.add(losses, b, total / n)


@cuda.jit(device=True)
def _effective_grad(i, P, G, l1, l2, clip_value):
    """Gradient plus L1/L2 terms, clipped by value: what the norm and the update both see."""
    p = P[i]
    g = G[i] + l1[i] * (1.0 if p > 0 else (-1.0 if p < 0 else 0.0)) + 2.0 * l2[i] * p
    if clip_value > 0:
        g = min(max(g, -clip_value), clip_value)
    return g


@cuda.jit
def sum_squares(P, G, mask, l1, l2, clip_value, out):
    i = cuda.grid(1)
    if i < G.size and mask[i] != 0:
        g = _effective_grad(i, P, G, l1, l2, clip_value)
        cuda.atomic.add(out, 0, g * g)


@cuda.jit
def update(code, hp, lr, t, P, G, M, V, mask, l1, l2, clip_value, clip_norm, sq):
    """Regularisation, clipping and one optimizer step per weight (formulas: core/optimizers.py)."""
    i = cuda.grid(1)
    if i >= P.size or mask[i] == 0:
        return
    p = P[i]
    g = _effective_grad(i, P, G, l1, l2, clip_value)
    if clip_norm > 0:
        norm = math.sqrt(sq[0])
        if norm > clip_norm:
            g *= clip_norm / norm
    if code == OPT_SGD:
        mom = hp[0]
        if mom != 0:
            b = mom * M[i] + g if t > 1 else g
            M[i] = b
            g = g + mom * b if hp[1] != 0 else b
        p -= lr * g
    elif code == OPT_ADAM:
        b1, b2, eps, wd = hp[2], hp[3], hp[4], hp[5]
        if wd != 0:
            p *= 1.0 - lr * wd
        mi = b1 * M[i] + (1.0 - b1) * g
        vi = b2 * V[i] + (1.0 - b2) * g * g
        M[i] = mi
        V[i] = vi
        p -= lr / (1.0 - b1 ** t) * mi / (math.sqrt(vi) / math.sqrt(1.0 - b2 ** t) + eps)
    elif code == OPT_RMSPROP:
        vi = hp[6] * M[i] + (1.0 - hp[6]) * g * g
        M[i] = vi
        p -= lr * g / (math.sqrt(vi) + hp[4])
    else:  # Adagrad: the sum starts at initial_accumulator_value (hp[7]; the slot starts at 0)
        si = (M[i] if t > 1 else hp[7]) + g * g
        M[i] = si
        p -= lr * g / (math.sqrt(si) + hp[4])
    P[i] = p


@cuda.jit
def penalty(P, l1, l2, losses, b):
    i = cuda.grid(1)
    if i < P.size and (l1[i] != 0 or l2[i] != 0):
        p = P[i]
        cuda.atomic.add(losses, b, l1[i] * abs(p) + l2[i] * p * p)


@cuda.jit
def batchnorm_forward(A, xo, yo, X, xh, st, P, g, b, mm, mv, n, w, eps, momentum, training):
    """One thread per feature: batch (training) or moving statistics, x̂ into X[xh:], y = γx̂ + β.
    X[st:st+w] = mean, X[st+w:st+2w] = 1/σ (the CPU layout of the aux arena)."""
    j = cuda.grid(1)
    if j >= w:
        return
    if training:
        m = 0.0
        for i in range(n):
            m += A[xo + i * w + j]
        m /= n
        v = 0.0
        for i in range(n):
            d = A[xo + i * w + j] - m
            v += d * d
        v /= n
        P[mm + j] = momentum * P[mm + j] + (1.0 - momentum) * m
        P[mv + j] = momentum * P[mv + j] + (1.0 - momentum) * v
    else:
        m = P[mm + j]
        v = P[mv + j]
    r = 1.0 / math.sqrt(v + eps)
    X[st + j] = m
    X[st + w + j] = r
    gam = P[g + j] if g >= 0 else 1.0
    bet = P[b + j] if b >= 0 else 0.0
    for i in range(n):
        h = (A[xo + i * w + j] - m) * r
        X[xh + i * w + j] = h
        A[yo + i * w + j] = gam * h + bet


@cuda.jit(device=True)
def _column_sums(D, yo, X, xh, n, w, j, negative_only):
    """Σ_i dy[i, j] and Σ_i dy[i, j]·x[i, j], the latter over x ≤ 0 only when negative_only:
    ∂β and ∂γ of both normalisations (x = x̂), ∂α of PReLU (x = its input)."""
    s1 = 0.0
    s2 = 0.0
    for i in range(n):
        dy = D[yo + i * w + j]
        x = X[xh + i * w + j]
        s1 += dy
        if not (negative_only and x > 0):
            s2 += dy * x
    return s1, s2


@cuda.jit
def batchnorm_backward(D, xo, yo, X, xh, st, P, G, g, b, n, w, need_dw, need_dx, acc, training):
    j = cuda.grid(1)
    if j >= w:
        return
    s1, s2 = _column_sums(D, yo, X, xh, n, w, j, False)
    if need_dw:
        if g >= 0:
            G[g + j] = s2
        if b >= 0:
            G[b + j] = s1
    if need_dx:
        gam = P[g + j] if g >= 0 else 1.0
        r = X[st + w + j]
        for i in range(n):
            dy = D[yo + i * w + j]
            if training:
                d = gam * r / n * (n * dy - s1 - X[xh + i * w + j] * s2)
            else:
                d = gam * r * dy
            if acc:
                D[xo + i * w + j] += d
            else:
                D[xo + i * w + j] = d


@cuda.jit
def layernorm_forward(A, xo, yo, X, xh, st, P, g, b, n, w, eps):
    """One thread per sample: x̂ over its features into X[xh:], 1/σ into X[st + i]."""
    i = cuda.grid(1)
    if i >= n:
        return
    m = 0.0
    for j in range(w):
        m += A[xo + i * w + j]
    m /= w
    v = 0.0
    for j in range(w):
        d = A[xo + i * w + j] - m
        v += d * d
    r = 1.0 / math.sqrt(v / w + eps)
    X[st + i] = r
    for j in range(w):
        h = (A[xo + i * w + j] - m) * r
        X[xh + i * w + j] = h
        A[yo + i * w + j] = P[g + j] * h + P[b + j]


@cuda.jit
def layernorm_param_grads(D, yo, X, xh, G, g, b, n, w):
    j = cuda.grid(1)
    if j >= w:
        return
    s1, s2 = _column_sums(D, yo, X, xh, n, w, j, False)
    G[g + j] = s2
    G[b + j] = s1


@cuda.jit
def layernorm_input_grads(D, xo, yo, X, xh, st, P, g, n, w, acc):
    i = cuda.grid(1)
    if i >= n:
        return
    s1 = 0.0
    s2 = 0.0
    for j in range(w):
        t = D[yo + i * w + j] * P[g + j]
        s1 += t
        s2 += t * X[xh + i * w + j]
    r = X[st + i] / w
    for j in range(w):
        d = r * (w * D[yo + i * w + j] * P[g + j] - s1 - X[xh + i * w + j] * s2)
        if acc:
            D[xo + i * w + j] += d
        else:
            D[xo + i * w + j] = d


@cuda.jit
def prelu_alpha_grads(A, D, xo, yo, G, a, n, w):
    """One thread per feature: ∂α_j = Σ_i dy·x over the samples with x ≤ 0."""
    j = cuda.grid(1)
    if j < w:
        G[a + j] = _column_sums(D, yo, A, xo, n, w, j, True)[1]
