"""CUDA executor parity with the CPU engine, run on the CUDA simulator (no GPU needed).

NUMBA_ENABLE_CUDASIM must be set before numba is imported, so each check runs in a subprocess.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_PARITY = r"""
import numpy as np
from core.graph import Graph
from core.plan import compile_plan
from core.executor import Executor
from core.cuda_backend import CudaExecutor
from core.optimizers import OPTIMIZERS

def net(kind):
    g = Graph()
    i = g.add_node("Input", {"shape": [3]}).id
    d = g.add_node("Dense", {"units": 5, "l2": 0.01}).id
    a = g.add_node(ACT).id
    g.connect(i, d); g.connect(d, a)
    last = a
    if kind == "residual":
        d2 = g.add_node("Dense", {"units": 5}).id
        t = g.add_node("Tanh").id
        add = g.add_node("Add").id
        g.connect(a, d2); g.connect(d2, t); g.connect(a, add, 0); g.connect(t, add, 1)
        last = add
    if kind == "concat":
        d2 = g.add_node("Dense", {"units": 2, "use_bias": False}).id
        c = g.add_node("Concat").id
        g.connect(a, d2); g.connect(a, c, 0); g.connect(d2, c, 1)
        last = c
    if kind == "norm":
        bn = g.add_node("BatchNorm", {"momentum": 0.9}).id
        d2 = g.add_node("Dense", {"units": 4}).id
        ln = g.add_node("LayerNorm").id
        g.connect(a, bn); g.connect(bn, d2); g.connect(d2, ln)
        last = ln
    if kind == "frozen_norm":
        bn = g.add_node("BatchNorm", {"trainable": False, "center": False}).id
        g.connect(a, bn)
        last = bn
    if kind == "prelu":   # a learned PReLU (ACT) feeding a frozen one
        pr = g.add_node("PReLU", {"alpha_init": 0.1, "trainable": False}).id
        g.connect(a, pr)
        last = pr
    o = g.add_node("Dense", {"units": OUT}).id
    g.connect(last, o)
    if LOSS.startswith(("sparse", "categorical")) and not LOSS_PARAMS.get("from_logits"):
        s = g.add_node("Softmax").id
        g.connect(o, s)
    return g

rng = np.random.default_rng(0)
X = rng.normal(size=(10, 3)).astype(np.float32)
if LOSS == "sparse_categorical_crossentropy":
    Y = rng.integers(0, OUT, (10, 1)).astype(np.float32)
elif LOSS == "categorical_crossentropy":     # one-hot rows
    Y = np.eye(OUT, dtype=np.float32)[rng.integers(0, OUT, 10)]
elif LOSS == "binary_crossentropy":
    Y = rng.integers(0, 2, (10, 1)).astype(np.float32)
else:
    Y = rng.normal(size=(10, OUT)).astype(np.float32)
plan = compile_plan(net(KIND), LOSS, LOSS_PARAMS)
from core.kernels import opcodes as K
print("loss_code", next(n for n in dir(K) if n.startswith("LOSS_") and getattr(K, n) == plan.loss_code))
cpu, gpu = Executor(plan, 4), CudaExecutor(plan, 4)
cpu.init_weights(1); gpu.init_weights(1)
spec = OPTIMIZERS.get(OPT)
hp = spec.hyper_vector(spec.params.resolve(OPT_PARAMS))
order = np.arange(10, dtype=np.int64)
for ex in (cpu, gpu):
    lrs = np.full(3, 0.1); losses = np.zeros(3)
    done, status = ex.train_batches(X, Y, order, 0, 4, 3, lrs, losses, spec.code, hp, CLIP, 0.0)
    assert (done, status) == (3, 0), (done, status)
    ex.losses = losses
np.testing.assert_allclose(gpu.losses, cpu.losses, rtol=1e-4, atol=1e-6)
np.testing.assert_allclose(gpu.params, cpu.params, rtol=1e-4, atol=1e-5)
for w in plan.weights:   # the last batch's raw gradients (the CPU adds penalties and clips in place)
    if w.l1 == 0 and w.l2 == 0 and CLIP == 0:
        np.testing.assert_allclose(gpu.view(w.name, gpu.grads), cpu.view(w.name, cpu.grads), rtol=1e-4,
                                   atol=1e-5, err_msg=w.name)
np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-4, atol=1e-5)
print("ok")
"""

CASES = [
    ("plain", "Tanh", "mse", {}, 2, "sgd", {"momentum": 0.9}, 0.0),
    ("residual", "ReLU", "sparse_categorical_crossentropy", {}, 3, "adam", {}, 0.0),
    ("concat", "Sigmoid", "binary_crossentropy", {"from_logits": True}, 1, "rmsprop", {}, 0.5),
    ("plain", "Mish", "huber", {}, 2, "adagrad", {}, 0.0),
    ("plain", "ELU", "categorical_crossentropy", {"from_logits": True}, 3, "adamw", {}, 0.0),
    ("plain", "Tanh", "categorical_crossentropy", {}, 3, "sgd", {"momentum": 0.9}, 0.0),
    ("norm", "ReLU", "sparse_categorical_crossentropy", {}, 3, "adam", {}, 0.0),
    ("frozen_norm", "Tanh", "mse", {}, 2, "sgd", {"momentum": 0.5}, 0.0),
    ("prelu", "PReLU", "sparse_categorical_crossentropy", {}, 3, "adam", {}, 0.0),
    ("residual", "PReLU", "mse", {}, 2, "sgd", {"momentum": 0.9}, 0.0),
]


@pytest.mark.parametrize("kind,act,loss,loss_params,out,opt,opt_params,clip", CASES)
def test_cuda_executor_matches_cpu_on_simulator(kind, act, loss, loss_params, out, opt, opt_params, clip):
    head = (f"KIND={kind!r}; ACT={act!r}; LOSS={loss!r}; LOSS_PARAMS={loss_params!r}; OUT={out}; "
            f"OPT={opt!r}; OPT_PARAMS={opt_params!r}; CLIP={clip}\n")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    r = subprocess.run([sys.executable, "-c", head + _PARITY], env=env, cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]
    # The case runs the loss it is labelled with (one-hot targets for categorical cross-entropy).
    (code,) = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("loss_code ")]
    expected = {"mse": "LOSS_MSE", "huber": "LOSS_HUBER", "binary_crossentropy": "LOSS_BCE_LOGITS",
                "sparse_categorical_crossentropy": "LOSS_SOFTMAX_SPARSE_CCE",
                "categorical_crossentropy": "LOSS_CCE_LOGITS" if loss_params.get("from_logits")
                else "LOSS_SOFTMAX_CCE"}[loss]
    assert code == expected, (loss, loss_params, code)


def test_unsupported_block_names_the_node():
    # Every block runs on the device today; take Dropout's CUDA support away (as an op module
    # saying CUDA = None does) to check the guard for the next one.
    code = ("import dataclasses\nfrom core.graph import Graph\nfrom core.plan import compile_plan\n"
            "from core.cuda_backend import CudaExecutor\nfrom core.ops import registry\n"
            "from core.errors import TrainingError\nops = registry.ops()\n"
            "ops['dropout'] = dataclasses.replace(ops['dropout'], cuda=None)\n"
            "registry._by_code[ops['dropout'].schema.opcode] = ops['dropout']\n"
            "g = Graph(); i = g.add_node('Input', {'shape': [3]}).id; b = g.add_node('Dropout').id\n"
            "g.connect(i, b)\ntry:\n    CudaExecutor(compile_plan(g), 4)\nexcept TrainingError as e:\n    print(e)\n")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Dropout (node 'dropout1') is not available on the CUDA device" in r.stdout, r.stderr[-2000:]
