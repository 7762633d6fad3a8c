"""The fused training loop around the generated interpreter — a TEMPLATE, never imported.

core/kernels/engine.py writes one module: the imports, ``forward_pass`` and ``backward_pass``
generated from the op registry (core/ops/), then the text of this file below the marker line. So
everything the loop calls is compiled from one file whose name carries a hash of every op and
kernel source: editing any of them makes a new file, and numba's on-disk cache (keyed by the
file) can never hand back a loop compiled against an older op (numba issue #1833).

The plan is data — integer and float tables of steps, tensor offsets into one activation arena,
weight offsets into one parameter arena — so a new design, new layer sizes or a new batch size
never recompile anything (types are fixed; shapes are data). Backward walks the steps in reverse
and writes or accumulates (per the plan's flag) into gradient slots, so a tensor feeding two
blocks receives both contributions.

Names the generated module defines before this text: math, njit, JIT, view, H_OP, H_OUT,
INPUT_OPCODE, INPUT_COLUMN, forward_pass, backward_pass.
"""
# Above the marker: what the generated module defines before the copied text, so that this file
# also imports on its own (tools that import every module); its loop is never compiled from here.
import math  # noqa: F401,E402

from numba import njit

from core.kernels.config import JIT
from core.ops.common import view
from core.ops.input import COLUMN as INPUT_COLUMN, SCHEMA as _INPUT
from core.ops.schema import H_OP, H_OUT

INPUT_OPCODE = _INPUT.opcode
forward_pass = backward_pass = None     # the generated ones, in the generated module

# ---- template: everything below this line is copied into the generated engine ----
from core.kernels.losses import loss_and_grad
from core.kernels.opcodes import (LOSS_SOFTMAX_SPARSE_CCE, LOSS_SPARSE_CCE, LOSS_SPARSE_CCE_LOGITS,
                                  STATUS_BAD_ARGS, STATUS_DIVERGED, STATUS_DONE, STATUS_STOPPED)
from core.kernels.optim import apply_update, apply_update_into, clip_gradients, regularization, update_is_finite


# `training` reaches forward_pass and backward_pass as a runtime bool, never as the constant True
# or False: numba compiles a callee once per argument *type*, and a constant is a type of its own
# (Literal[bool](True)). With constants, train_chunk, predict_chunk and Executor.loss_and_gradients
# (a Python bool) compiled forward_pass three times and backward_pass twice per dtype, the largest
# part of a cold compile (on 2 cores ~100 s for one forward_pass). A comparison numba does not fold
# while typing (`total >= 0`) is a plain bool, so all three share one compiled pass.


@njit(**JIT)
def rows_in_range(order, lo, hi, n_rows):
    """Whether order[lo:hi] are all valid row indices of an n_rows array (checked once per call by
    Executor.train_batches: train_chunk itself gathers rows without bounds checks)."""
    bad = False
    for i in range(lo, min(hi, order.shape[0])):     # no early exit: the loop vectorises
        r = order[i]
        bad |= (r < 0) | (r >= n_rows)
    return not bad


@njit(**JIT)
def arguments_fit(ops, tens, loss_code, out_t, max_rows, X, Y, order, start, batch_size, n_batches, lrs,
                  losses):
    """Whether a train_chunk call stays inside its arrays: the batch fits the arenas (max_rows),
    X has the Input steps' columns, Y the loss's, every row index used is a row of X, and there is
    a rate and a loss slot per batch. Scalar checks and one pass over the indices used: the
    per-batch loops after it need none."""
    if batch_size < 1 or batch_size > max_rows or n_batches < 0 or start < 0:
        return False
    if lrs.shape[0] < n_batches or losses.shape[0] < n_batches or Y.shape[0] != X.shape[0]:
        return False
    sparse = loss_code == LOSS_SPARSE_CCE or loss_code == LOSS_SPARSE_CCE_LOGITS \
        or loss_code == LOSS_SOFTMAX_SPARSE_CCE
    if Y.shape[1] != (1 if sparse else tens[out_t, 1]):
        return False
    features = 0
    for s in range(ops.shape[0]):
        if ops[s, H_OP] == INPUT_OPCODE:
            features = max(features, ops[s, INPUT_COLUMN] + tens[ops[s, H_OUT], 1])
    if features != X.shape[1]:
        return False
    if n_batches == 0:
        return True
    if start + (n_batches - 1) * batch_size >= order.shape[0]:
        return False
    return rows_in_range(order, start, start + n_batches * batch_size, X.shape[0])


@njit(**JIT)
def _copy_segments(src, dst, segs, column, value):
    """dst[seg] = src[seg] for every weight segment whose segs[:, column] == value."""
    for s in range(segs.shape[0]):
        if segs[s, column] == value:
            off, size = segs[s, 0], segs[s, 1]
            for i in range(off, off + size):
                dst[i] = src[i]


@njit(**JIT)
def _copy_running_statistics(params, segs, keep, save):
    """Save (save=True) or put back the running statistics (BatchNorm's moving mean and variance,
    segs[:, 4] != 0), which the forward pass updates before the loss of the batch is known."""
    k = 0
    for s in range(segs.shape[0]):
        if segs[s, 4] == 0:
            continue
        off, size = segs[s, 0], segs[s, 1]
        for i in range(size):
            if save:
                keep[k + i] = params[off + i]
            else:
                params[off + i] = keep[k + i]
        k += size


@njit(**JIT)
def train_chunk(ops, opf, op_in, tens, loss_code, loss_delta, out_t, logits_t,
                params, params_next, grads, acts, dacts, aux, aux_off, scratch, ybuf,
                opt_state, opt_state_next, segs, segf, has_reg, opt_code, opt_hp, step, clip_norm, clip_value,
                X, Y, order, start, batch_size, n_batches, lrs, losses, rng, control, keep, max_rows,
                in_place, threads=1):
    """Train n_batches mini-batches of `order[start:]`; returns (batches done, status, swaps).

    A batch whose loss is non-finite, or whose update would make a weight or slot non-finite (a
    non-finite gradient, or an overflow), returns STATUS_DIVERGED with nothing of it adopted: the
    weights, slots, step count and running statistics (saved in `keep` before the forward pass
    updates them) are those after the last good batch, and `done` counts exactly the batches
    applied. Two ways (kernels/optim.py): with in_place False each update reads (params,
    opt_state) and writes (params_next, opt_state_next), and the two swap only if every written
    value is finite — `swaps` is odd when the current buffers are now the *_next ones; with
    in_place True (large nets) a read-only check runs first and the update writes in place.

    control[0] != 0 (set by another thread: stop or pause) makes the loop return before the next
    batch. Arrays that do not fit (arguments_fit) return (0, STATUS_BAD_ARGS, 0) before anything runs.
    """
    if not arguments_fit(ops, tens, loss_code, out_t, max_rows, X, Y, order, start, batch_size, n_batches,
                         lrs, losses):
        return 0, STATUS_BAD_ARGS, 0
    total = order.shape[0]
    training = total >= 0           # True, as a runtime bool (see the note above rows_in_range)
    ow = tens[out_t, 1]
    lw = tens[logits_t, 1]
    ky = Y.shape[1]
    running = keep.shape[0] > 0
    cur, nxt, cur_s, nxt_s = params, params_next, opt_state, opt_state_next
    if not in_place:
        # Frozen weights and running statistics are not written by the update: the other buffer
        # must hold them too (their optimizer slots as well, for a layer unfrozen later).
        _copy_segments(cur, nxt, segs, 2, 0)
        _copy_segments(cur_s[0], nxt_s[0], segs, 2, 0)
        _copy_segments(cur_s[1], nxt_s[1], segs, 2, 0)
    swaps = 0
    for bi in range(n_batches):
        if control[0] != 0:
            return bi, STATUS_STOPPED, swaps
        lo = start + bi * batch_size
        hi = min(lo + batch_size, total)
        n = hi - lo
        rows = order[lo:hi]
        if running:
            _copy_running_statistics(cur, segs, keep, True)
        forward_pass(ops, opf, op_in, tens, cur, acts, aux, aux_off, X, rows, n, training, rng, threads)
        yb = view(ybuf, 0, n, ky)
        for i in range(n):
            r = rows[i]
            for j in range(ky):
                yb[i, j] = Y[r, j]
        out = view(acts, tens[out_t, 0], n, ow)
        logits = view(acts, tens[logits_t, 0], n, lw)
        g = view(dacts, tens[out_t, 0], n, ow)
        loss = loss_and_grad(loss_code, loss_delta, out, logits, yb, g)
        if has_reg:
            loss += regularization(cur, grads, segs, segf, False)
        losses[bi] = loss
        if math.isfinite(loss):
            backward_pass(ops, opf, op_in, tens, cur, grads, acts, dacts, aux, aux_off, scratch, n, training, threads)
            if has_reg:
                regularization(cur, grads, segs, segf, True)
            if clip_norm > 0.0 or clip_value > 0.0:
                clip_gradients(grads, segs, clip_norm, clip_value)
            if in_place:
                if update_is_finite(opt_code, opt_hp, lrs[bi], step[0] + 1, cur, grads, cur_s, segs, threads):
                    step[0] += 1
                    apply_update(opt_code, opt_hp, lrs[bi], step[0], cur, grads, cur_s, segs, threads)
                    continue
            elif apply_update_into(opt_code, opt_hp, lrs[bi], step[0] + 1, cur, grads, cur_s, nxt, nxt_s, segs):
                step[0] += 1
                if running:     # this batch's running statistics go with the new weights
                    _copy_segments(cur, nxt, segs, 4, 1)
                cur, nxt, cur_s, nxt_s = nxt, cur, nxt_s, cur_s
                swaps += 1
                continue
        if running:
            _copy_running_statistics(cur, segs, keep, False)
        return bi, STATUS_DIVERGED, swaps
    return n_batches, STATUS_DONE, swaps


@njit(**JIT)
def predict_chunk(ops, opf, op_in, tens, out_t, logits_t, params, acts, aux, aux_off, X, rows, batch_size,
                  out,
                  logits_out, rng, threads=1):
    """Inference-mode forward over X[rows] in batches; writes the output rows into `out` and the
    output's logits (the fused softmax's input, else the output itself) into `logits_out`."""
    total = rows.shape[0]
    training = total < 0            # False, as a runtime bool (see the note above rows_in_range)
    ow = tens[out_t, 1]
    lw = tens[logits_t, 1]
    for lo in range(0, total, batch_size):
        hi = min(lo + batch_size, total)
        n = hi - lo
        forward_pass(ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows[lo:hi], n, training, rng, threads)
        y = view(acts, tens[out_t, 0], n, ow)
        lg = view(acts, tens[logits_t, 0], n, lw)
        for i in range(n):
            for j in range(ow):
                out[lo + i, j] = y[i, j]
            for j in range(lw):
                logits_out[lo + i, j] = lg[i, j]


@njit(**JIT)
def loss_only(loss_code, loss_delta, out, logits, y, g):
    return loss_and_grad(loss_code, loss_delta, out, logits, y, g)
