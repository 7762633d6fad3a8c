"""The fused training loop: one jitted call runs a chunk of batches over a compiled plan.

The plan is data — integer and float tables of steps, tensor offsets into one activation arena,
weight offsets into one parameter arena — so a new design, new layer sizes or a new batch size
never recompile anything (types are fixed; shapes are data). Backward walks the steps in reverse
and writes or accumulates (per the plan's flag) into gradient slots, so a tensor feeding two
blocks receives both contributions.
"""
import math

from numba import njit

from .config import JIT, JIT_INLINE

from .activations import (PARALLEL_MIN_ELEMENTS, act_backward, act_backward_par, act_forward, act_forward_par,
                          prelu_backward, prelu_forward, rrelu_backward, rrelu_forward, softmax_backward,
                          softmax_forward)
from .dense import dense_backward, dense_forward
from .dropout import alpha_dropout_forward, dropout_forward, mask_backward
from .losses import loss_and_grad
from .norm import batchnorm_backward, batchnorm_forward, layernorm_backward, layernorm_forward
from .opcodes import (C_ACT, C_AUX, C_B, C_BLAS, C_IN_COUNT, C_IN_START, C_OP, C_OUT, C_SKIP_BWD,
                      C_TRAIN_W, C_W, C_W2, C_W3, F_A, F_B, OP_ACT, OP_ADD, OP_ALPHADROPOUT,
                      OP_BATCHNORM, OP_CONCAT, OP_DENSE, OP_DROPOUT, OP_INPUT, OP_LAYERNORM,
                      OP_PRELU, OP_RRELU, OP_SOFTMAX, STATUS_BAD_ARGS, STATUS_DIVERGED, STATUS_DONE,
                      STATUS_STOPPED, LOSS_SPARSE_CCE, LOSS_SPARSE_CCE_LOGITS, LOSS_SOFTMAX_SPARSE_CCE)
from .optim import apply_update, apply_update_into, clip_gradients, regularization, update_is_finite
from .views import view2d


@njit(**JIT_INLINE)
def _view(arena, off, n, w):
    return view2d(arena, off, n, w)


@njit(**JIT_INLINE)
def _flat(arena, off, n, w):
    return arena[off:off + n * w]


@njit(**JIT)
def forward_pass(ops, opf, op_in, tens, params, acts, aux, X, rows, n, training, rng, threads=1):
    """Run every step forward for the n samples X[rows[:n]]."""
    for s in range(ops.shape[0]):
        code = ops[s, C_OP]
        i0 = op_in[ops[s, C_IN_START], 0]
        ot = ops[s, C_OUT]
        ow = tens[ot, 1]
        yo = tens[ot, 0]
        if code == OP_INPUT:
            c0 = ops[s, C_W]
            for i in range(n):
                r = rows[i]
                yr = yo + i * ow
                for j in range(ow):
                    acts[yr + j] = X[r, c0 + j]
            continue
        iw = tens[i0, 1]
        xo = tens[i0, 0]
        if code == OP_ACT:   # the commonest op first, on flat slices (no 2-D views)
            if threads > 1 and n * iw >= PARALLEL_MIN_ELEMENTS:
                act_forward_par(ops[s, C_ACT], opf[s, F_A], _flat(acts, xo, n, iw), _flat(acts, yo, n, ow),
                                threads)
            else:
                act_forward(ops[s, C_ACT], opf[s, F_A], _flat(acts, xo, n, iw), _flat(acts, yo, n, ow))
            continue
        x = _view(acts, xo, n, iw)
        y = _view(acts, yo, n, ow)
        if code == OP_DENSE:
            w = ops[s, C_W]
            b = ops[s, C_B]
            W = _view(params, w, iw, ow)
            dense_forward(x, W, params[max(b, 0):max(b, 0) + ow], b >= 0, y, ops[s, C_BLAS] != 0, threads)
        elif code == OP_PRELU:
            prelu_forward(x, params[ops[s, C_W]:ops[s, C_W] + iw], y)
        elif code == OP_RRELU:
            a = ops[s, C_AUX]
            rrelu_forward(_flat(acts, xo, n, iw), _flat(acts, yo, n, ow), aux[a:a + n * iw], opf[s, F_A],
                          opf[s, F_B], training, rng)
        elif code == OP_SOFTMAX:
            softmax_forward(x, y)
        elif code == OP_BATCHNORM:
            a = ops[s, C_AUX]
            g, b = ops[s, C_W], ops[s, C_B]
            st = a + ops[s, C_ACT]   # statistics follow x̂, whose slot is sized for the largest batch
            batchnorm_forward(x, y, params[max(g, 0):max(g, 0) + iw], params[max(b, 0):max(b, 0) + iw],
                              params[ops[s, C_W2]:ops[s, C_W2] + iw], params[ops[s, C_W3]:ops[s, C_W3] + iw],
                              _view(aux, a, n, iw), aux[st:st + iw], aux[st + iw:st + 2 * iw],
                              g >= 0, b >= 0, opf[s, F_A], opf[s, F_B],
                              training and ops[s, C_TRAIN_W] != 0)   # frozen BN runs in inference mode (Keras)
        elif code == OP_LAYERNORM:
            a = ops[s, C_AUX]
            st = a + ops[s, C_ACT]
            layernorm_forward(x, y, params[ops[s, C_W]:ops[s, C_W] + iw], params[ops[s, C_B]:ops[s, C_B] + iw],
                              _view(aux, a, n, iw), aux[st:st + n], opf[s, F_A])
        elif code == OP_DROPOUT:
            a = ops[s, C_AUX]
            dropout_forward(_flat(acts, xo, n, iw), _flat(acts, yo, n, ow), aux[a:a + n * iw], opf[s, F_A],
                            ops[s, C_ACT] != 0, training, rng)
        elif code == OP_ALPHADROPOUT:
            a = ops[s, C_AUX]
            alpha_dropout_forward(_flat(acts, xo, n, iw), _flat(acts, yo, n, ow), aux[a:a + n * iw], opf[s, F_A],
                                  training, rng)
        elif code == OP_ADD:
            yf = _flat(acts, yo, n, ow)
            yf[:] = _flat(acts, xo, n, iw)
            for k in range(1, ops[s, C_IN_COUNT]):
                t = op_in[ops[s, C_IN_START] + k, 0]
                xk = acts[tens[t, 0]:tens[t, 0] + n * iw]
                for i in range(n * iw):
                    yf[i] += xk[i]
        elif code == OP_CONCAT:
            col = 0
            for k in range(ops[s, C_IN_COUNT]):
                t = op_in[ops[s, C_IN_START] + k, 0]
                wk = tens[t, 1]
                xk = _view(acts, tens[t, 0], n, wk)
                for i in range(n):
                    for j in range(wk):
                        y[i, col + j] = xk[i, j]
                col += wk


@njit(**JIT)
def backward_pass(ops, opf, op_in, tens, params, grads, acts, dacts, aux, scratch, n, training, threads=1):
    """Walk the steps in reverse; each writes (first contribution) or adds into its inputs' grads."""
    for s in range(ops.shape[0] - 1, -1, -1):
        code = ops[s, C_OP]
        if code == OP_INPUT:
            continue
        e0 = ops[s, C_IN_START]
        i0, acc, need_dx = op_in[e0, 0], op_in[e0, 1] != 0, op_in[e0, 2] != 0
        ot = ops[s, C_OUT]
        ow = tens[ot, 1]
        iw = tens[i0, 1]
        yo, xo = tens[ot, 0], tens[i0, 0]
        if code == OP_ACT:   # the commonest op first, on flat slices (no 2-D views)
            if need_dx and threads > 1 and n * iw >= PARALLEL_MIN_ELEMENTS:
                act_backward_par(ops[s, C_ACT], opf[s, F_A], _flat(acts, xo, n, iw), _flat(acts, yo, n, ow),
                                 _flat(dacts, yo, n, ow), _flat(dacts, xo, n, iw), acc, threads)
            elif need_dx:
                act_backward(ops[s, C_ACT], opf[s, F_A], _flat(acts, xo, n, iw), _flat(acts, yo, n, ow),
                             _flat(dacts, yo, n, ow), _flat(dacts, xo, n, iw), acc)
            continue
        if code == OP_DROPOUT or code == OP_ALPHADROPOUT:   # aux holds the mask, or ∂y/∂x
            if need_dx:
                a = ops[s, C_AUX]
                mask_backward(_flat(dacts, yo, n, ow), aux[a:a + n * iw], 1.0, _flat(dacts, xo, n, iw), acc)
            continue
        dy = _view(dacts, yo, n, ow)
        x = _view(acts, xo, n, iw)
        dx = _view(dacts, xo, n, iw)
        need_dw = ops[s, C_TRAIN_W] != 0
        if code == OP_DENSE:
            w, b = ops[s, C_W], ops[s, C_B]
            bb = max(b, 0)
            dense_backward(x, _view(params, w, iw, ow), dy, _view(grads, w, iw, ow), grads[bb:bb + ow],
                           b >= 0, need_dw, dx, need_dx, acc, scratch, ops[s, C_BLAS] != 0, threads)
        elif not need_dx and code != OP_PRELU and code != OP_BATCHNORM and code != OP_LAYERNORM \
                and code != OP_ADD and code != OP_CONCAT:
            continue
        elif code == OP_PRELU:
            w = ops[s, C_W]
            prelu_backward(x, params[w:w + iw], dy, grads[w:w + iw], need_dw, dx, need_dx, acc)
        elif code == OP_RRELU:
            a = ops[s, C_AUX]
            rrelu_backward(_flat(acts, xo, n, iw), aux[a:a + n * iw], _flat(dacts, yo, n, ow),
                           _flat(dacts, xo, n, iw), acc)
        elif code == OP_SOFTMAX:
            if ops[s, C_SKIP_BWD] != 0:
                # Fused with cross-entropy: dy already holds ∂L/∂logits.
                dxf, dyf = _flat(dacts, xo, n, iw), _flat(dacts, yo, n, ow)
                for i in range(n * iw):
                    dxf[i] = dxf[i] + dyf[i] if acc else dyf[i]
            else:
                softmax_backward(_view(acts, tens[ot, 0], n, ow), dy, dx, acc)
        elif code == OP_BATCHNORM:
            a = ops[s, C_AUX]
            st = a + ops[s, C_ACT]
            g, b = ops[s, C_W], ops[s, C_B]
            batchnorm_backward(dy, _view(aux, a, n, iw), params[max(g, 0):max(g, 0) + iw],
                               aux[st + iw:st + 2 * iw], aux[st + 2 * iw:st + 3 * iw], aux[st + 3 * iw:st + 4 * iw],
                               grads[max(g, 0):max(g, 0) + iw], grads[max(b, 0):max(b, 0) + iw],
                               g >= 0, b >= 0, need_dw, dx, need_dx, acc, training and need_dw)
        elif code == OP_LAYERNORM:
            a = ops[s, C_AUX]
            st = a + ops[s, C_ACT]
            g, b = ops[s, C_W], ops[s, C_B]
            layernorm_backward(dy, _view(aux, a, n, iw), params[g:g + iw], aux[st:st + n],
                               grads[g:g + iw], grads[b:b + iw], need_dw, dx, need_dx, acc)
        elif code == OP_ADD or code == OP_CONCAT:
            col = 0
            for k in range(ops[s, C_IN_COUNT]):
                e = ops[s, C_IN_START] + k
                t, acc_k, need_k = op_in[e, 0], op_in[e, 1] != 0, op_in[e, 2] != 0
                wk = tens[t, 1]
                if need_k:
                    dxk = _view(dacts, tens[t, 0], n, wk)
                    for i in range(n):
                        for j in range(wk):
                            d = dy[i, col + j]
                            dxk[i, j] = dxk[i, j] + d if acc_k else d
                if code == OP_CONCAT:
                    col += wk


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
        if ops[s, C_OP] == OP_INPUT:
            features = max(features, ops[s, C_W] + tens[ops[s, C_OUT], 1])
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
                params, params_next, grads, acts, dacts, aux, scratch, ybuf,
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
        forward_pass(ops, opf, op_in, tens, cur, acts, aux, X, rows, n, True, rng, threads)
        yb = _view(ybuf, 0, n, ky)
        for i in range(n):
            r = rows[i]
            for j in range(ky):
                yb[i, j] = Y[r, j]
        out = _view(acts, tens[out_t, 0], n, ow)
        logits = _view(acts, tens[logits_t, 0], n, lw)
        g = _view(dacts, tens[out_t, 0], n, ow)
        loss = loss_and_grad(loss_code, loss_delta, out, logits, yb, g)
        if has_reg:
            loss += regularization(cur, grads, segs, segf, False)
        losses[bi] = loss
        if math.isfinite(loss):
            backward_pass(ops, opf, op_in, tens, cur, grads, acts, dacts, aux, scratch, n, True, threads)
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
def predict_chunk(ops, opf, op_in, tens, out_t, logits_t, params, acts, aux, X, rows, batch_size, out,
                  logits_out, rng, threads=1):
    """Inference-mode forward over X[rows] in batches; writes the output rows into `out` and the
    output's logits (the fused softmax's input, else the output itself) into `logits_out`."""
    total = rows.shape[0]
    ow = tens[out_t, 1]
    lw = tens[logits_t, 1]
    for lo in range(0, total, batch_size):
        hi = min(lo + batch_size, total)
        n = hi - lo
        forward_pass(ops, opf, op_in, tens, params, acts, aux, X, rows[lo:hi], n, False, rng, threads)
        y = _view(acts, tens[out_t, 0], n, ow)
        lg = _view(acts, tens[logits_t, 0], n, lw)
        for i in range(n):
            for j in range(ow):
                out[lo + i, j] = y[i, j]
            for j in range(lw):
                logits_out[lo + i, j] = lg[i, j]


@njit(**JIT)
def loss_only(loss_code, loss_delta, out, logits, y, g):
    return loss_and_grad(loss_code, loss_delta, out, logits, y, g)
