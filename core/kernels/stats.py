"""Per-layer statistics in one or two passes over the arenas, no temporaries (what keeps the
dashboard's observers cheap enough to leave on: NumPy's histogram and concatenation cost 20-80%
of a W3 run's throughput)."""
import math

from numba import njit

from .config import JIT


@njit(**JIT)
def abs_mean_and_norm(a, segs, rows):
    """Mean |a| and L2 norm over the concatenation of a[off:off+size] for the given seg rows."""
    s1 = 0.0
    s2 = 0.0
    count = 0
    for r in rows:
        off, size = segs[r, 0], segs[r, 1]
        for i in range(off, off + size):
            v = a[i]
            s1 += abs(v)
            s2 += v * v
        count += size
    return (s1 / count if count else math.nan), math.sqrt(s2)


@njit(**JIT)
def histogram(a, segs, rows, counts, edges):
    """Equal-width histogram of the given segments over [min, max] (a unit range if constant);
    writes len(counts) counts and len(counts)+1 edges."""
    lo = math.inf
    hi = -math.inf
    for r in rows:
        for i in range(segs[r, 0], segs[r, 0] + segs[r, 1]):
            lo = min(lo, a[i])
            hi = max(hi, a[i])
    if not lo < hi:
        lo -= 0.5
        hi += 0.5
    bins = counts.size
    width = (hi - lo) / bins
    for b in range(bins + 1):
        edges[b] = lo + b * width
    counts[:] = 0
    scale = bins / (hi - lo)
    for r in rows:
        for i in range(segs[r, 0], segs[r, 0] + segs[r, 1]):
            b = int((a[i] - lo) * scale)
            counts[min(max(b, 0), bins - 1)] += 1


@njit(**JIT)
def fraction_at_most(a, threshold):
    n = 0
    for i in range(a.size):
        n += a[i] <= threshold
    return n / a.size if a.size else math.nan


@njit(**JIT)
def fraction_saturated(a, sigmoid):
    """Share of units whose local derivative is below 10% of its maximum:
    σ' = y(1−y) < 0.025, tanh' = 1 − y² < 0.1."""
    n = 0
    for i in range(a.size):
        y = a[i]
        n += (y * (1.0 - y) < 0.025) if sigmoid else (1.0 - y * y < 0.1)
    return n / a.size if a.size else math.nan


@njit(**JIT)
def weight_groups(params, grads, segs, rows, starts, trows, tstarts, counts, edges, gmean, gnorm):
    """Every layer's statistics in one call: layer g owns seg rows rows[starts[g]:starts[g+1]]
    (histogram of the weights) and trainable rows trows[tstarts[g]:tstarts[g+1]] (gradient mean
    |g| and norm; NaN when it has none)."""
    for g in range(starts.shape[0] - 1):
        tr = trows[tstarts[g]:tstarts[g + 1]]
        if tr.shape[0]:
            gmean[g], gnorm[g] = abs_mean_and_norm(grads, segs, tr)
        else:
            gmean[g], gnorm[g] = math.nan, math.nan
        histogram(params, segs, rows[starts[g]:starts[g + 1]], counts[g], edges[g])


@njit(**JIT)
def activation_fractions(acts, offsets, widths, kinds, n_rows, out):
    """Per measured activation tensor (acts[offset : offset + n_rows·width]): kind 0 — share of
    outputs ≤ 0 (ReLU family); 1 — sigmoid saturation; 2 — tanh saturation."""
    for k in range(offsets.shape[0]):
        y = acts[offsets[k]:offsets[k] + n_rows * widths[k]]
        if kinds[k] == 0:
            out[k] = fraction_at_most(y, 0.0)
        else:
            out[k] = fraction_saturated(y, kinds[k] == 1)
