"""The thread policy: the own (parallel) kernels keep every product on any machine and BLAS is
pinned to one thread while training; a layer routed to BLAS explicitly still trains exactly as
on the own kernels."""
import numpy as np

from core import threads
from core.ops import op
from core.ops.schema import H_OP
from core.plan import compile_plan
from tests.helpers import make_executor, sequential


def _mlp(width: int):
    return sequential((width,), ("Dense", {"units": width}), "ReLU", ("Dense", {"units": 3}))


def _dense_steps(plan):
    return [s for s, row in enumerate(plan.ops) if row[H_OP] == op("dense").schema.opcode]


def test_policy_keeps_own_kernels_on_any_machine_and_blas_on_one_thread():
    plan = compile_plan(_mlp(1024), "mse")
    for cores in (2, 8, 64):       # the own kernels split large products across the cores themselves
        assert threads.blas_layers(plan, 512, cores=cores) == []
        assert threads.blas_threads_for(plan, 512, cores=cores) == 1


def test_training_pins_blas_to_one_thread_and_numba_to_the_setting():
    import numba
    from threadpoolctl import threadpool_info
    from tests.helpers import make_executor
    ex = make_executor(_mlp(12), max_batch=16)
    ex.blas_threads = "auto"
    ex.threads = 1
    threads.apply_blas_threads(2)
    X, Y = np.ones((16, 12)), np.ones((16, 3))
    ex.train_batches(X, Y, np.arange(16, dtype=np.int64), 0, 16, 1, np.full(1, 0.01), np.zeros(1), 0,
                     np.zeros(8))
    assert numba.get_num_threads() == 1
    assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")


def test_a_layer_on_blas_trains_like_the_own_kernels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 12))
    Y = rng.normal(size=(64, 3))
    order = np.arange(64, dtype=np.int64)
    losses = []
    for on_blas in (False, True):
        ex = make_executor(_mlp(12), max_batch=16)
        ex.use_blas_for(_dense_steps(ex.plan) if on_blas else [])
        blas = op("dense").schema.col("blas")
        assert [int(ex.ops[s, blas]) for s in _dense_steps(ex.plan)] == [int(on_blas)] * 2
        lrs, out = np.full(4, 0.05), np.zeros(4)
        ex.train_batches(X, Y, order, 0, 16, 4, lrs, out, 0, np.zeros(8))
        losses.append((out.copy(), ex.params.copy()))
    np.testing.assert_allclose(losses[1][0], losses[0][0], rtol=1e-12)
    np.testing.assert_allclose(losses[1][1], losses[0][1], rtol=1e-10, atol=1e-12)
