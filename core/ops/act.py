"""Element-wise activations (Linear, Step, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, SELU, Swish, Mish,
Softplus): one op with the function's code (core/kernels/opcodes.py ACT_*) and its alpha."""
from numba import njit

from ..kernels import opcodes as K
from ..kernels.activations import (PARALLEL_MIN_ELEMENTS, SELU_ALPHA, SELU_SCALE, act_backward, act_backward_par,
                                   act_forward, act_forward_par)
from ..kernels.config import JIT_INLINE
from .common import flat, grad_flags, io_of
from .schema import CudaSupport, OpSchema

SCHEMA = OpSchema("act", 2, ints=("function",), floats=("alpha",),
                  doc="y = f(x) element-wise; function = ACT_* code; alpha = slope / α / threshold.")
FUNCTION, ALPHA = SCHEMA.col("function"), SCHEMA.fcol("alpha")


@njit(**JIT_INLINE)
def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    if threads > 1 and n * iw >= PARALLEL_MIN_ELEMENTS:
        act_forward_par(ops[s, FUNCTION], opf[s, ALPHA], flat(acts, xo, n, iw), flat(acts, yo, n, ow), threads)
    else:
        act_forward(ops[s, FUNCTION], opf[s, ALPHA], flat(acts, xo, n, iw), flat(acts, yo, n, ow))


@njit(**JIT_INLINE)
def backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training, threads):
    acc, need_dx = grad_flags(s, ops, op_in)
    if not need_dx:
        return
    xo, iw, yo, ow = io_of(s, ops, op_in, tens)
    if threads > 1 and n * iw >= PARALLEL_MIN_ELEMENTS:
        act_backward_par(ops[s, FUNCTION], opf[s, ALPHA], flat(acts, xo, n, iw), flat(acts, yo, n, ow),
                         flat(dacts, yo, n, ow), flat(dacts, xo, n, iw), acc, threads)
    else:
        act_backward(ops[s, FUNCTION], opf[s, ALPHA], flat(acts, xo, n, iw), flat(acts, yo, n, ow),
                     flat(dacts, yo, n, ow), flat(dacts, xo, n, iw), acc)


def _cuda_forward(ex, s, row, n, P, A, d_X, d_rows, start):
    (io, iw), (oo, ow) = ex.io(s)
    g, b = ex.grid(n * ow)
    ex.ck.act_forward[g, b](row[FUNCTION], ex.plan.opf[s, ALPHA], A, io, oo, n * ow)


def _cuda_backward(ex, s, row, n, P, G, A, D):
    acc, need_dx = ex.grad_flags(s)
    if need_dx:
        (io, iw), (oo, ow) = ex.io(s)
        g, b = ex.grid(n * ow)
        ex.ck.act_backward[g, b](row[FUNCTION], ex.plan.opf[s, ALPHA], A, D, io, oo, acc, n * ow)


CUDA = CudaSupport(_cuda_forward, _cuda_backward)

_PLAIN = {K.ACT_LINEAR: "Identity", K.ACT_SIGMOID: "Sigmoid", K.ACT_TANH: "Tanh", K.ACT_RELU: "Relu",
          K.ACT_SOFTPLUS: "Softplus"}


def to_onnx(b, op, ins, out, opset):
    """Step → Cast(GreaterOrEqual(x, threshold)); Swish → x·Sigmoid(x); Mish → Mish (opset ≥ 18,
    else x·Tanh(Softplus(x))); SELU with its exact constants; the rest one ONNX op each."""
    code, alpha = op.int("function"), op.float("alpha")
    if code in _PLAIN:
        return b.node(_PLAIN[code], ins, out)
    if code == K.ACT_LEAKY_RELU:
        return b.node("LeakyRelu", ins, out, alpha=alpha)
    if code == K.ACT_ELU:
        return b.node("Elu", ins, out, alpha=alpha)
    if code == K.ACT_SELU:
        return b.node("Selu", ins, out, alpha=SELU_ALPHA, gamma=SELU_SCALE)
    if code == K.ACT_STEP:
        thr = b.init(f"{out}/threshold", alpha)
        ge = b.node("GreaterOrEqual", [ins[0], thr], f"{out}/ge")
        return b.node("Cast", [ge], out, to=b.elem)
    if code == K.ACT_SWISH:
        sig = b.node("Sigmoid", ins, f"{out}/sigmoid")
        return b.node("Mul", [ins[0], sig], out)
    if code == K.ACT_MISH:
        if opset >= 18:
            return b.node("Mish", ins, out)
        sp = b.node("Softplus", ins, f"{out}/softplus")
        t = b.node("Tanh", [sp], f"{out}/tanh")
        return b.node("Mul", [ins[0], t], out)
    raise ValueError(f"activation code {code} has no ONNX form")
