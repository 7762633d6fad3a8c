"""Dropout, AlphaDropout and RReLU on the CUDA executor, run on the CUDA simulator (no GPU needed).

Inference is deterministic and must match the CPU engine. In training the device draws from its own
counter-based generator, so its masks cannot match the CPU's bit for bit: the checks there are
structural (the values the CPU formulas allow, backward using forward's mask exactly) and
statistical (keep rates, AlphaDropout's mean and variance, the spread of RReLU's slopes).
NUMBA_ENABLE_CUDASIM must be set before numba is imported, so each check runs in a subprocess.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_HEAD = r"""
import warnings
import numpy as np
from core.graph import Graph
from core.plan import compile_plan
from core.executor import Executor
from core.cuda_backend import CudaExecutor
from core.ops import op, op_by_code
from core.ops.schema import H_IN_START, H_OP, H_OUT

# The simulator runs the uint64 hash on numpy scalars, which warn on its (intended) wrap-around.
warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)

def chain(width, blocks):
    g = Graph()
    last = g.add_node("Input", {"shape": [width]}).id
    for name, params in blocks:
        nid = g.add_node(name, params).id
        g.connect(last, nid)
        last = nid
    return g
"""

_INFERENCE = _HEAD + r"""
from core.optimizers import OPTIMIZERS

blocks = [("Dense", {"units": 8}), ("Dropout", {"rate": 0.3, "inverted": False}), ("SELU", {}),
          ("AlphaDropout", {"rate": 0.2}), ("RReLU", {"lower": 0.1, "upper": 0.3}), ("Dropout", {"rate": 0.5}),
          ("Dense", {"units": 2})]
plan = compile_plan(chain(4, blocks), "mse")
rng = np.random.default_rng(0)
X = rng.normal(size=(10, 4)).astype(np.float32)
Y = rng.normal(size=(10, 2)).astype(np.float32)
cpu, gpu = Executor(plan, 4), CudaExecutor(plan, 4)
cpu.init_weights(3); gpu.init_weights(3)
# Inference: identity dropouts (classic Dropout scales by 1 - rate), RReLU's mean slope.
np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-4, atol=1e-6)

spec = OPTIMIZERS.get("sgd")
hp = spec.hyper_vector(spec.params.resolve({}))
order = np.arange(10, dtype=np.int64)

def train(ex):
    losses = np.zeros(2)
    done, status = ex.train_batches(X, Y, order, 0, 4, 2, np.full(2, 0.1), losses, spec.code, hp)
    assert (done, status) == (2, 0) and np.isfinite(losses).all(), (done, status, losses)
    return losses

losses = train(gpu)
# Reproducible: the same seed draws the same masks, so a second run ends with the same weights.
again = CudaExecutor(plan, 4); again.init_weights(3)
np.testing.assert_array_equal(train(again), losses)
np.testing.assert_array_equal(again.params, gpu.params)
# Inference after training: the trained weights give the CPU's outputs.
cpu.set_weights(gpu.get_weights())
np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-4, atol=1e-5)
print("ok")
"""

_TRAINING = _HEAD + r"""
from numba import cuda

W, N = 64, 32          # 2048 draws per block
RATE, ALPHA_RATE, LO, HI = 0.3, 0.2, 0.1, 0.4
# A learned PReLU at slope 1: the identity, but its weights make the plan propagate gradients.
blocks = [("PReLU", {"alpha_init": 1.0}), ("AlphaDropout", {"rate": ALPHA_RATE}), ("Dropout", {"rate": RATE}),
          ("Dropout", {"rate": RATE}), ("RReLU", {"lower": LO, "upper": HI}),
          ("Dropout", {"rate": 0.5, "inverted": False})]
plan = compile_plan(chain(W, blocks))
gpu = CudaExecutor(plan, N)
gpu.init_weights(7)
rng = np.random.default_rng(1)
d_X = cuda.to_device(rng.normal(size=(N, W)).astype(np.float32))
d_rows = cuda.to_device(np.arange(N, dtype=np.int64))
P = cuda.to_device(gpu.params)

def forward():
    gpu._forward(d_X, d_rows, 0, N, P, gpu.d_acts)
    return gpu.d_acts.copy_to_host(), gpu.d_aux.copy_to_host()

def part(arena, off):
    return arena[off:off + N * W]

def step(s, acts, aux, dacts=None):
    # (x, y, aux slot) of plan step s, or (dx, dy, aux slot) given the gradients.
    row = gpu.ops[s]
    arena = acts if dacts is None else dacts
    xo, yo = gpu.tens[plan.op_in[row[H_IN_START], 0], 0], gpu.tens[row[H_OUT], 0]
    sc = op_by_code(row[H_OP]).schema
    return part(arena, xo), part(arena, yo), part(aux, gpu.aux_off[row[sc.aux_cols[0]]])

acts, aux = forward()
codes = list(gpu.ops[:, H_OP])
OPCODE = {name: op(name).schema.opcode for name in ("alpha_dropout", "dropout", "rrelu")}
s_alpha, s_d1 = codes.index(OPCODE["alpha_dropout"]), codes.index(OPCODE["dropout"])
s_d2 = s_d1 + 1
s_rrelu, s_classic = codes.index(OPCODE["rrelu"]), len(codes) - 1

def keep_rate_ok(kept, rate):
    sigma = np.sqrt(rate * (1 - rate) / kept.size)
    assert abs(kept.mean() - (1 - rate)) < 4 * sigma, (kept.mean(), rate)

# Inverted Dropout: each unit 0 or x/(1-rate) (the CPU scales in float64), about 1-rate kept.
for s in (s_d1, s_d2):
    x, y, m = step(s, acts, aux)
    kept = m != 0
    assert set(np.unique(m)) == {np.float32(0), np.float32(1 / (1 - RATE))}
    keep_rate_ok(kept, RATE)
    np.testing.assert_array_equal(y[kept], (x[kept].astype(np.float64) / (1 - RATE)).astype(np.float32))
    assert (y[~kept] == 0).all()
m1, m2 = step(s_d1, acts, aux)[2], step(s_d2, acts, aux)[2]
assert 0.3 < np.mean((m1 != 0) == (m2 != 0)) < 0.8   # two blocks draw independently (0.58 expected)
# Classic Dropout: mask 0/1, no scaling in training.
x, y, m = step(s_classic, acts, aux)
assert set(np.unique(m)) == {0, 1}
keep_rate_ok(m != 0, 0.5)
np.testing.assert_array_equal(y, x * m)

# AlphaDropout (input ~ N(0, 1)): y = a·x + b where kept, a·α' + b where dropped; mean 0, variance 1.
alpha_p = -1.6732632423543772 * 1.0507009873554805
a = ((1 - ALPHA_RATE) * (1 + ALPHA_RATE * alpha_p ** 2)) ** -0.5
b = -a * alpha_p * ALPHA_RATE
x, y, m = step(s_alpha, acts, aux)
kept = m != 0
np.testing.assert_allclose(m[kept], a, rtol=1e-6)
keep_rate_ok(kept, ALPHA_RATE)
np.testing.assert_allclose(y[kept], a * x[kept] + b, rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(y[~kept], a * alpha_p + b, rtol=1e-5)
assert abs(y.mean() - x.mean()) < 0.1 and abs(y.var() / x.var() - 1) < 0.15, (x.mean(), y.mean(), x.var(), y.var())

# RReLU: slopes uniform in [lower, upper], y = x where x >= 0, slope·x elsewhere.
x, y, sl = step(s_rrelu, acts, aux)
assert sl.min() >= np.float32(LO) and sl.max() <= np.float32(HI)
assert abs(sl.mean() - (LO + HI) / 2) < 0.01 and abs(sl.std() - (HI - LO) / 12 ** 0.5) < 0.01
neg = x < 0
assert 0.2 < neg.mean() < 0.8
np.testing.assert_array_equal(y[~neg], x[~neg])
np.testing.assert_allclose(y[neg], sl[neg] * x[neg], rtol=1e-6)

# Backward uses forward's masks and slopes, exactly.
dacts = np.zeros_like(gpu.dacts)
out = gpu.tens[plan.out_tensor, 0]
dacts[out:out + N * W] = rng.normal(size=N * W)
gpu.d_dacts.copy_to_device(dacts)
gpu._backward(N, P, gpu.d_grads, gpu.d_acts, gpu.d_dacts)
dacts = gpu.d_dacts.copy_to_host()
for s in (s_alpha, s_d1, s_d2, s_classic):
    dx, dy, m = step(s, acts, aux, dacts)
    np.testing.assert_array_equal(dx, dy * m)
x = step(s_rrelu, acts, aux)[0]
dx, dy, sl = step(s_rrelu, acts, aux, dacts)
np.testing.assert_array_equal(dx, np.where(x >= 0, dy, dy * sl))

# Deterministic per (seed, optimizer step, plan step): the same step redraws the same numbers,
# the next step draws new ones, and so does another seed at the same step.
assert np.array_equal(forward()[1], aux)
gpu.step[0] += 1
assert not np.array_equal(step(s_d1, *forward())[2], m1)
gpu.init_weights(8)   # step 0 again; P on the device keeps the weights
assert gpu.step[0] == 0 and not np.array_equal(step(s_d1, *forward())[2], m1)
print("ok")
"""

# The simulator runs kernels as Python and checks no CUDA typing (uint64 hashing, say): compile the
# kernels this backend's random and PReLU steps use to PTX for sm_80 with the toolkit's NVVM, which
# needs no GPU. The dispatcher asks the (absent) device for its compute capability when it compiles
# a device function, so the check tells it sm_80.
_PTX = r"""
import types
import numba.cuda.dispatcher as dispatcher
from numba import cuda
try:
    cuda.compile_ptx(lambda a: None, "void(float32[:])", cc=(8, 0))
except Exception as e:   # the CUDA toolkit's NVVM is not installed: nothing can compile PTX here
    print("skip: no NVVM to compile PTX with (CUDA toolkit not installed):", type(e).__name__,
          str(e).splitlines()[0] if str(e) else "")
    raise SystemExit
dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=(8, 0))
from core.kernels import cuda_kernels as ck, cuda_random as cr
F, I, B, R = "float32[:]", "int64", "boolean", "float64"
SIGS = {
    "prelu_forward": [F, I, I, F, I, I, I],
    "prelu_backward": [F, F, I, I, F, I, I, B, I],
    "prelu_alpha_grads": [F, F, I, I, F, I, I, I],
    "rrelu_forward": [F, I, I, F, I, R, R, B, "uint64", I],
    "rrelu_backward": [F, F, I, I, F, I, B, I],
    "dropout_forward": [F, I, I, F, I, R, B, B, "uint64", I],
    "alpha_dropout_forward": [F, I, I, F, I, R, B, "uint64", I],
    "mask_backward": [F, I, I, F, I, B, I],
    "batchnorm_backward": [F, I, I, F, I, I, F, F, I, I, I, I, B, B, B, B],
    "layernorm_param_grads": [F, I, F, I, F, I, I, I, I],
}
for name, args in SIGS.items():
    cuda.compile_ptx(getattr(cr if hasattr(cr, name) else ck, name).py_func, f"void({', '.join(args)})", cc=(8, 0))
print("ok")
"""


def _run(code, simulator=True):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    if simulator:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    if r.stdout.startswith("skip:"):
        pytest.skip(r.stdout.strip())
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]


def test_random_blocks_match_cpu_in_inference_and_train_reproducibly():
    _run(_INFERENCE)


def test_random_blocks_training_masks_on_simulator():
    _run(_TRAINING)


def test_random_and_prelu_kernels_compile_for_a_gpu():
    _run(_PTX, simulator=False)
