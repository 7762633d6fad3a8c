"""Small jitted helpers every op adapter uses: views of the arenas and the step's first input.

Inlined into the adapters (``inline="always"``), so the generated interpreter compiles them with
the rest and no cached copy can go stale behind it."""
from numba import njit

from ..kernels.config import JIT_INLINE
from ..kernels.views import view2d
from .schema import H_IN_START, H_OUT, IN_ACC, IN_NEED, IN_TENSOR


@njit(**JIT_INLINE)
def view(arena, off, n, w):
    """arena[off:off + n·w] as an [n, w] array."""
    return view2d(arena, off, n, w)


@njit(**JIT_INLINE)
def flat(arena, off, n, w):
    return arena[off:off + n * w]


@njit(**JIT_INLINE)
def io_of(s, ops, op_in, tens):
    """(input offset, input width, output offset, output width) of step s's first input and output."""
    i0 = op_in[ops[s, H_IN_START], IN_TENSOR]
    ot = ops[s, H_OUT]
    return tens[i0, 0], tens[i0, 1], tens[ot, 0], tens[ot, 1]


@njit(**JIT_INLINE)
def grad_flags(s, ops, op_in):
    """(accumulate, needs gradient) of step s's first input."""
    e0 = ops[s, H_IN_START]
    return op_in[e0, IN_ACC] != 0, op_in[e0, IN_NEED] != 0


@njit(**JIT_INLINE)
def weight_slice(arena, off, size):
    """arena[off:off + size], or an empty slice for an absent weight (offset -1)."""
    o = max(off, 0)
    return arena[o:o + (size if off >= 0 else 0)]
