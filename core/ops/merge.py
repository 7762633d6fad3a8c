"""Add and Concat: the merges of skip and residual connections (two ops, one module: they share
their backward, which routes column ranges of dy back to each input)."""
from numba import njit

from ..kernels.config import JIT_INLINE
from .common import flat, view
from .schema import H_IN_COUNT, H_IN_START, H_OUT, IN_ACC, IN_NEED, IN_TENSOR, CudaSupport, OpSchema

SCHEMA_ADD = OpSchema("add", 10, doc="Element-wise sum of every input.")
SCHEMA_CONCAT = OpSchema("concat", 11, doc="Inputs side by side along the features, port 0 first.")


@njit(**JIT_INLINE)
def add_forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    e0 = ops[s, H_IN_START]
    t0 = op_in[e0, IN_TENSOR]
    w = tens[t0, 1]
    yf = flat(acts, tens[ops[s, H_OUT], 0], n, w)
    yf[:] = flat(acts, tens[t0, 0], n, w)
    for k in range(1, ops[s, H_IN_COUNT]):
        xk = flat(acts, tens[op_in[e0 + k, IN_TENSOR], 0], n, w)
        for i in range(n * w):
            yf[i] += xk[i]


@njit(**JIT_INLINE)
def concat_forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    ot = ops[s, H_OUT]
    y = view(acts, tens[ot, 0], n, tens[ot, 1])
    col = 0
    for k in range(ops[s, H_IN_COUNT]):
        t = op_in[ops[s, H_IN_START] + k, IN_TENSOR]
        wk = tens[t, 1]
        xk = view(acts, tens[t, 0], n, wk)
        for i in range(n):
            for j in range(wk):
                y[i, col + j] = xk[i, j]
        col += wk


@njit(**JIT_INLINE)
def _route_back(s, ops, op_in, tens, dacts, n, shift):
    """dx_k = dy[:, col_k:col_k + w_k] (col_k = 0 for Add, the running offset for Concat)."""
    ot = ops[s, H_OUT]
    dy = view(dacts, tens[ot, 0], n, tens[ot, 1])
    col = 0
    for k in range(ops[s, H_IN_COUNT]):
        e = ops[s, H_IN_START] + k
        t, acc_k, need_k = op_in[e, IN_TENSOR], op_in[e, IN_ACC] != 0, op_in[e, IN_NEED] != 0
        wk = tens[t, 1]
        if need_k:
            dxk = view(dacts, tens[t, 0], n, wk)
            for i in range(n):
                for j in range(wk):
                    d = dy[i, col + j]
                    dxk[i, j] = dxk[i, j] + d if acc_k else d
        if shift:
            col += wk


@njit(**JIT_INLINE)
def add_backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    _route_back(s, ops, op_in, tens, dacts, n, False)


@njit(**JIT_INLINE)
def concat_backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
                    threads):
    _route_back(s, ops, op_in, tens, dacts, n, True)


def _cuda_add_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    oo, ow = ex.tens[row[H_OUT]]
    g, b = ex.grid(n * ow)
    for k, ti in enumerate(ex.inputs(s)):
        ex.ck.copy_add[g, b](A, ex.tens[ti, 0], A, oo, n * ow, k > 0)


def _cuda_concat_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    oo, ow = ex.tens[row[H_OUT]]
    col = 0
    for ti in ex.inputs(s):
        to, tw = ex.tens[ti]
        g, b = ex.grid2(n, tw)
        ex.ck.copy_columns[g, b](A, to, tw, 0, A, oo, ow, col, n, tw, False)
        col += tw


def _cuda_route_back(shift):
    def launch(ex, s, row, n, P, G, A, D):
        oo, ow = ex.tens[row[H_OUT]]
        col = 0
        e0 = row[H_IN_START]
        for k in range(row[H_IN_COUNT]):
            ti, acc_k, need_k = ex.plan.op_in[e0 + k]
            to, tw = ex.tens[ti]
            if need_k:
                g, b = ex.grid2(n, tw)
                ex.ck.copy_columns[g, b](D, oo, ow, col, D, to, tw, 0, n, tw, bool(acc_k))
            if shift:
                col += tw
    return launch


CUDA_ADD = CudaSupport(_cuda_add_forward, _cuda_route_back(False))
CUDA_CONCAT = CudaSupport(_cuda_concat_forward, _cuda_route_back(True))


def add_to_onnx(b, op, ins, out, opset):
    return b.node("Sum", ins, out)


def concat_to_onnx(b, op, ins, out, opset):
    return b.node("Concat", ins, out, axis=1)


# Two ops in one module: listed for the registry (a module with one op names them SCHEMA,
# forward, backward, CUDA, to_onnx).
OPS = ((SCHEMA_ADD, add_forward, add_backward, CUDA_ADD, add_to_onnx),
       (SCHEMA_CONCAT, concat_forward, concat_backward, CUDA_CONCAT, concat_to_onnx))
