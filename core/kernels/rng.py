"""A tiny counter-based RNG (SplitMix64) whose state is an explicit uint64 array.

Passing the state in (rather than numba's global np.random) makes dropout masks reproducible from
the run's seed and independent of threads (pynndescent ``tau_rand_int`` idea).
"""
import numpy as np
from numba import njit

from .config import JIT

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0


@njit(**JIT)
def next_u64(state):
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(**JIT)
def uniform(state):
    """A float in [0, 1) with 53 random bits."""
    return float(next_u64(state) >> _S11) * _INV53


@njit(**JIT)
def uniform_at(s0, k):
    """The k-th (k ≥ 1) value `uniform` returns from a state holding s0: SplitMix64 is a counter,
    so any draw is computed without the ones before it. A loop of these has no carried state, so
    it vectorises and splits over threads, and draws the same numbers as k calls of `uniform`."""
    z = s0 + np.uint64(k) * _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * _INV53


@njit(**JIT)
def advance(state, count):
    """The state after `count` draws (what `count` calls of `uniform` leave)."""
    state[0] = state[0] + np.uint64(count) * _GOLDEN


def make_state(seed: int) -> np.ndarray:
    # Python ints wrap explicitly; np.uint64 scalar arithmetic warns on the (intended) overflow.
    return np.array([(int(seed) * 0x2545F4914F6CDD1D + 1) % 2**64], dtype=np.uint64)
