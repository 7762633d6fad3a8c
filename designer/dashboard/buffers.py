"""Bounded series for live plots: memory stays flat however long a run goes.

A `Series` keeps at most `capacity` points. When it fills, neighbouring pairs are merged (x and
y averaged) and every later point is itself the mean of `stride` raw points — so a 1,000-epoch
run of 10⁶ batches still holds ≤ capacity points, evenly spread over the whole run. Plots then
decimate further on screen (pyqtgraph's peak downsampling and clip-to-view).
"""
from __future__ import annotations

import numpy as np


class Series:
    """Growable (x, y) float64 arrays with halving decimation past `capacity` points."""

    def __init__(self, capacity: int = 20_000):
        if capacity < 4 or capacity % 2:
            raise ValueError(f"Series expects an even capacity >= 4. Received: capacity={capacity}")
        self.capacity = capacity
        self._x = np.empty(capacity, np.float64)
        self._y = np.empty(capacity, np.float64)
        self._n = 0
        self.stride = 1                 # raw points per stored point
        self._acc_x = self._acc_y = 0.0
        self._acc_n = 0

    def __len__(self) -> int:
        return self._n

    def clear(self) -> None:
        self._n, self.stride, self._acc_n = 0, 1, 0
        self._acc_x = self._acc_y = 0.0

    def append(self, x, y) -> None:
        """Append one value or arrays of values (NaN y values are kept: they break the line)."""
        xs = np.atleast_1d(np.asarray(x, np.float64))
        ys = np.atleast_1d(np.asarray(y, np.float64))
        while len(xs):
            s = self.stride
            if self._acc_n:                       # complete the pending group first
                k = min(s - self._acc_n, len(xs))
                self._acc_x += float(xs[:k].sum())
                self._acc_y += float(ys[:k].sum())
                self._acc_n += k
                xs, ys = xs[k:], ys[k:]
                if self._acc_n < s:
                    break
                if self._n == self.capacity:      # stride doubles: the group is half full again
                    self._halve()
                    continue
                self._x[self._n], self._y[self._n] = self._acc_x / s, self._acc_y / s
                self._n += 1
                self._acc_x = self._acc_y = 0.0
                self._acc_n = 0
                continue
            if self._n == self.capacity:
                self._halve()
                continue
            k = min(self.capacity - self._n, len(xs) // s)
            if k == 0:                            # fewer than one group left: keep it pending
                self._acc_x, self._acc_y, self._acc_n = float(xs.sum()), float(ys.sum()), len(xs)
                break
            self._x[self._n:self._n + k] = xs[:k * s].reshape(k, s).mean(axis=1)
            self._y[self._n:self._n + k] = ys[:k * s].reshape(k, s).mean(axis=1)
            self._n += k
            xs, ys = xs[k * s:], ys[k * s:]

    def _halve(self) -> None:
        half = self.capacity // 2
        self._x[:half] = 0.5 * (self._x[0::2] + self._x[1::2])
        self._y[:half] = 0.5 * (self._y[0::2] + self._y[1::2])
        self._n = half
        self.stride *= 2

    @property
    def x(self) -> np.ndarray:
        return self._x[:self._n]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self._n]

    def last(self) -> float:
        return float(self._y[self._n - 1]) if self._n else float("nan")


class Frames:
    """Bounded history of equal-shaped rows (one per time point), e.g. per-layer values over time.

    Past `capacity` rows every other row is dropped (rows are snapshots, not sums: keeping one
    of two is honest, averaging would invent a state that never existed).
    """

    def __init__(self, width: int, capacity: int = 512):
        self.width = width
        self.capacity = capacity
        self._t = np.empty(capacity, np.float64)
        self._rows = np.full((capacity, max(width, 1)), np.nan)
        self._n = 0
        self._skip = 1
        self._seen = 0

    def __len__(self) -> int:
        return self._n

    def append(self, t: float, row) -> None:
        self._seen += 1
        if (self._seen - 1) % self._skip:
            return
        if self._n == self.capacity:
            half = self.capacity // 2
            self._t[:half] = self._t[0::2]
            self._rows[:half] = self._rows[0::2]
            self._n = half
            self._skip *= 2
        self._t[self._n] = t
        self._rows[self._n, :self.width] = row
        self._n += 1

    @property
    def t(self) -> np.ndarray:
        return self._t[:self._n]

    @property
    def rows(self) -> np.ndarray:
        return self._rows[:self._n, :self.width]


def ema(values: np.ndarray, state: tuple[float, int], alpha: float = 0.98) -> tuple[np.ndarray, tuple[float, int]]:
    """TensorBoard-style debiased exponential moving average, continued from `state`.

    s_k = α·s_{k−1} + (1 − α)·v_k, reported as s_k / (1 − αᵏ). Non-finite values are skipped
    (NaN in the output). Returns the smoothed values and the state to continue from.

    Vectorised per block of B values: s_k = αᵏ·(s_0 + (1 − α)·Σ_{i≤k} α⁻ⁱ·v_i); B = 256 keeps
    α⁻ᴮ (≈ 180 for α = 0.98) far from overflow and the sum accurate.
    """
    s, t = state
    v = np.asarray(values, np.float64)
    ok = np.isfinite(v)
    good = v[ok]
    smoothed = np.empty(len(good))
    block = 256
    k = np.arange(1, block + 1, dtype=np.float64)
    up, down = alpha ** k, alpha ** -k
    for start in range(0, len(good), block):
        blk = good[start:start + block]
        n = len(blk)
        seq = up[:n] * (s + (1 - alpha) * np.cumsum(down[:n] * blk))
        smoothed[start:start + n] = seq / (1 - alpha ** (t + k[:n]))
        s, t = float(seq[-1]), t + n
    out = np.full(len(v), np.nan)
    out[ok] = smoothed
    return out, (s, t)
