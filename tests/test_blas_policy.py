"""The thread policy's BLAS fallback: only very large products on many-core machines leave the
own kernels, and a layer on BLAS trains exactly as on the own kernels."""
import numpy as np

from core import threads
from core.kernels import opcodes as K
from core.plan import compile_plan
from tests.helpers import make_executor, sequential


def _mlp(width: int):
    return sequential((width,), ("Dense", {"units": width}), "ReLU", ("Dense", {"units": 3}))


def _dense_steps(plan):
    return [s for s, row in enumerate(plan.ops) if row[K.C_OP] == K.OP_DENSE]


def test_policy_keeps_own_kernels_on_few_cores_and_for_small_products():
    plan = compile_plan(_mlp(1024), "mse")
    big = _dense_steps(plan)[0]
    assert threads.blas_layers(plan, 512, cores=2) == []          # measured: one core of own kernels wins
    assert threads.blas_layers(plan, 512, cores=8) == [big]       # 2·512·1024·1024 ≈ 1.1e9 FLOP
    assert threads.blas_layers(plan, 16, cores=8) == []           # 3.4e7 FLOP: below the threshold
    assert threads.blas_threads_for(plan, 512, cores=8) == 8
    assert threads.blas_threads_for(plan, 512, cores=2) == 1


def test_a_layer_on_blas_trains_like_the_own_kernels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 12))
    Y = rng.normal(size=(64, 3))
    order = np.arange(64, dtype=np.int64)
    losses = []
    for on_blas in (False, True):
        ex = make_executor(_mlp(12), max_batch=16)
        ex.use_blas_for(_dense_steps(ex.plan) if on_blas else [])
        assert [int(ex.ops[s, K.C_BLAS]) for s in _dense_steps(ex.plan)] == [int(on_blas)] * 2
        lrs, out = np.full(4, 0.05), np.zeros(4)
        ex.train_batches(X, Y, order, 0, 16, 4, lrs, out, 0, np.zeros(8))
        losses.append((out.copy(), ex.params.copy()))
    np.testing.assert_allclose(losses[1][0], losses[0][0], rtol=1e-12)
    np.testing.assert_allclose(losses[1][1], losses[0][1], rtol=1e-10, atol=1e-12)
