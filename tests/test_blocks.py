"""Every block through one harness (Keras ``run_layer_test``): output shape, parameter count,
forward against a slow NumPy oracle, one training step, config round trip — then the
behaviours particular to a block (BatchNorm statistics, dropout scaling, Softmax stability).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Callable

import numpy as np
import pytest
from scipy.special import expit, softmax

from core.blocks import BLOCKS
from core.designfile import Design, dumps, loads
from core.graph import Graph
from core.kernels.activations import SELU_ALPHA, SELU_SCALE
from core.optimizers import OPTIMIZERS

from helpers import add, make_executor, randomize_weights, replay_uniforms

N = 8
ALPHA_P = -SELU_ALPHA * SELU_SCALE   # SELU's negative saturation value (AlphaDropout)


# ---- NumPy oracles: oracle(xs, w, p, training, rng_state) -> y --------------------------------
# xs: the block's inputs [n, ...]; w: its weights by short name; p: resolved parameters;
# rng_state: the executor's RNG state before the forward (random blocks replay its draws).

def _elementwise(f):
    return lambda xs, w, p, training, state: f(xs[0], p)


def _dense(xs, w, p, training, state):
    y = xs[0] @ w["kernel"]
    return y + w["bias"] if p["use_bias"] else y


def _prelu(xs, w, p, training, state):
    x = xs[0]
    return np.where(x > 0, x, w["alpha"] * x)


def _rrelu(xs, w, p, training, state):
    x = xs[0]
    lo, hi = p["lower"], p["upper"]
    if training:
        slope = lo + (hi - lo) * replay_uniforms(state, x.size).reshape(x.shape)
    else:
        slope = 0.5 * (lo + hi)
    return np.where(x >= 0, x, slope * x)


def _batchnorm(xs, w, p, training, state):
    x = xs[0]
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0)       # biased variance (Keras)
    else:
        mean, var = w["moving_mean"], w["moving_variance"]
    y = (x - mean) / np.sqrt(var + p["epsilon"])
    if p["scale"]:
        y = y * w["gamma"]
    return y + w["beta"] if p["center"] else y


def _layernorm(xs, w, p, training, state):
    x = xs[0]
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return w["gamma"] * (x - mean) / np.sqrt(var + p["epsilon"]) + w["beta"]


def _dropout(xs, w, p, training, state):
    x, rate = xs[0], p["rate"]
    if not training:
        return x if p["inverted"] else (1.0 - rate) * x
    keep = replay_uniforms(state, x.size).reshape(x.shape) >= rate
    return x * keep / (1.0 - rate) if p["inverted"] else x * keep


def _alpha_dropout(xs, w, p, training, state):
    x, rate = xs[0], p["rate"]
    if not training:
        return x
    keep = replay_uniforms(state, x.size).reshape(x.shape) >= rate
    a = ((1.0 - rate) * (1.0 + rate * ALPHA_P ** 2)) ** -0.5
    b = -a * ALPHA_P * rate
    return a * np.where(keep, x, ALPHA_P) + b


def _elu(x, alpha):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _tf_same(n, k, s):
    """TensorFlow's 'same': out = ceil(n/s), padding max((out−1)·s + k − n, 0), the odd one after."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2


def _pair(v):
    v = tuple(v) if isinstance(v, (list, tuple)) else (v,)
    return (v[0], v[0]) if len(v) == 1 else v


def _windows(x, k, s, padding):
    """For each output position (r, q): the (row, column) index ranges of x's image in its window."""
    (kh, kw), (sh, sw) = k, s
    h, w = x.shape[1], x.shape[2]
    if padding == "same":
        (oh, pt), (ow, pl) = _tf_same(h, kh, sh), _tf_same(w, kw, sw)
    else:
        oh, ow, pt, pl = (h - kh) // sh + 1, (w - kw) // sw + 1, 0, 0
    for r in range(oh):
        for q in range(ow):
            top, left = r * sh - pt, q * sw - pl
            yield r, q, oh, ow, (top, left), (max(top, 0), min(top + kh, h)), (max(left, 0), min(left + kw, w))


def _conv2d(xs, w, p, training, state):
    """Direct NHWC convolution, zero padding: y[n,r,q,f] = Σ x[n, top+i, left+j, c]·K[i,j,c,f] (+ b)."""
    x, kernel = xs[0], w["kernel"]
    k, s = _pair(p["kernel_size"]), _pair(p["strides"])
    y = None
    for r, q, oh, ow, (top, left), (h0, h1), (w0, w1) in _windows(x, k, s, p["padding"]):
        if y is None:
            y = np.zeros((x.shape[0], oh, ow, kernel.shape[3]))
        part = kernel[h0 - top:h1 - top, w0 - left:w1 - left]
        y[:, r, q] = np.einsum("nijc,ijcf->nf", x[:, h0:h1, w0:w1], part)
    return y + w["bias"] if p["use_bias"] else y


def _pool2d(reduce):
    def oracle(xs, w, p, training, state):
        x = xs[0]
        k = _pair(p["pool_size"])
        s = k if p["strides"] == 0 else _pair(p["strides"])
        y = None
        for r, q, oh, ow, _, (h0, h1), (w0, w1) in _windows(x, k, s, p["padding"]):
            if y is None:
                y = np.zeros((x.shape[0], oh, ow, x.shape[3]))
            y[:, r, q] = reduce(x[:, h0:h1, w0:w1], axis=(1, 2))   # the image's elements only (TF)
        return y
    return oracle


def _recurrent(kind):
    """Keras SimpleRNN / LSTM (gates i f c o) / GRU (reset_after=True, gates z r h), step by step."""
    def oracle(xs, w, p, training, state):
        x, h = xs[0], p["units"]
        n, T, _ = x.shape
        W, U = w["kernel"], w["recurrent_kernel"]
        G = W.shape[1]
        b = w["bias"].reshape(-1, G) if p["use_bias"] else np.zeros((2, G))
        H, C, outs = np.zeros((n, h)), np.zeros((n, h)), []
        for t in range(T):
            if kind == "GRU":
                xz, hz = x[:, t] @ W + b[0], H @ U + b[-1] if len(b) > 1 else H @ U
                z, r = expit(xz[:, :h] + hz[:, :h]), expit(xz[:, h:2 * h] + hz[:, h:2 * h])
                H = z * H + (1 - z) * np.tanh(xz[:, 2 * h:] + r * hz[:, 2 * h:])
            else:
                a = x[:, t] @ W + H @ U + b[0]
                if kind == "SimpleRNN":
                    H = np.maximum(a, 0.0) if p["activation"] == "relu" else np.tanh(a)
                else:
                    i, f, c, o = expit(a[:, :h]), expit(a[:, h:2 * h]), np.tanh(a[:, 2 * h:3 * h]), expit(a[:, 3 * h:])
                    C = f * C + i * c
                    H = o * np.tanh(C)
            outs.append(H)
        return np.stack(outs, axis=1) if p["return_sequences"] else H
    return oracle


ORACLES: dict[str, Callable] = {
    "Input": _elementwise(lambda x, p: x),
    "Flatten": _elementwise(lambda x, p: x.reshape(len(x), -1)),
    "Dense": _dense,
    "Linear": _elementwise(lambda x, p: x),
    "Step": _elementwise(lambda x, p: (x >= p["threshold"]).astype(float)),
    "Sigmoid": _elementwise(lambda x, p: expit(x)),
    "Tanh": _elementwise(lambda x, p: np.tanh(x)),
    "ReLU": _elementwise(lambda x, p: np.maximum(x, 0.0)),
    "LeakyReLU": _elementwise(lambda x, p: np.where(x > 0, x, p["alpha"] * x)),
    "PReLU": _prelu,
    "RReLU": _rrelu,
    "ELU": _elementwise(lambda x, p: _elu(x, p["alpha"])),
    "SELU": _elementwise(lambda x, p: SELU_SCALE * _elu(x, SELU_ALPHA)),
    "Swish": _elementwise(lambda x, p: x * expit(x)),
    "Mish": _elementwise(lambda x, p: x * np.tanh(np.logaddexp(0.0, x))),
    "Softplus": _elementwise(lambda x, p: np.logaddexp(0.0, x)),
    "Softmax": _elementwise(lambda x, p: softmax(x, axis=1)),
    "BatchNorm": _batchnorm,
    "LayerNorm": _layernorm,
    "Dropout": _dropout,
    "AlphaDropout": _alpha_dropout,
    "Add": lambda xs, w, p, training, state: sum(xs),
    "Concat": lambda xs, w, p, training, state: np.concatenate(xs, axis=1),
    "Conv2D": _conv2d,
    "MaxPool2D": _pool2d(np.max),
    "AveragePool2D": _pool2d(np.mean),
    "GlobalAveragePool2D": lambda xs, w, p, training, state: xs[0].mean(axis=(1, 2)),
    "GlobalMaxPool2D": lambda xs, w, p, training, state: xs[0].max(axis=(1, 2), keepdims=p["keepdims"]),
    "Reshape": lambda xs, w, p, training, state: xs[0].reshape(len(xs[0]), -1),
    "SimpleRNN": _recurrent("SimpleRNN"),
    "LSTM": _recurrent("LSTM"),
    "GRU": _recurrent("GRU"),
}


@dataclass(frozen=True)
class Case:
    type: str
    params: dict = field(default_factory=dict)
    in_shapes: tuple[tuple[int, ...], ...] = ((5,),)

    @property
    def id(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.type}({extra})" if extra else self.type


CASES = [
    Case("Input", {"shape": (3,)}, ()),
    Case("Flatten", {}, ((2, 3),)),
    Case("Dense", {"units": 4}),
    Case("Dense", {"units": 3, "use_bias": False}),
    Case("Linear"),
    Case("Step", {"threshold": 0.2}),
    Case("Sigmoid"),
    Case("Tanh"),
    Case("ReLU"),
    Case("LeakyReLU", {"alpha": 0.2}),
    Case("PReLU"),
    Case("RReLU", {"lower": 0.1, "upper": 0.3}),
    Case("ELU", {"alpha": 0.7}),
    Case("SELU"),
    Case("Swish"),
    Case("Mish"),
    Case("Softplus"),
    Case("Softmax"),
    Case("BatchNorm", {"momentum": 0.9}),
    Case("BatchNorm", {"center": False, "scale": False, "epsilon": 0.01}),
    Case("LayerNorm", {"epsilon": 1e-5}),
    Case("Dropout", {"rate": 0.3}),
    Case("Dropout", {"rate": 0.3, "inverted": False}),
    Case("AlphaDropout", {"rate": 0.2}),
    Case("Add", {}, ((5,), (5,))),
    Case("Add", {"num_inputs": 3}, ((4,), (4,), (4,))),
    Case("Concat", {"num_inputs": 3}, ((2,), (3,), (1,))),
    Case("Conv2D", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, ((5, 6, 2),)),
    Case("Conv2D", {"filters": 2, "kernel_size": (2, 3), "padding": "valid", "use_bias": False}, ((4, 5, 3),)),
    Case("MaxPool2D", {"padding": "same"}, ((5, 7, 2),)),
    Case("AveragePool2D", {"pool_size": 3, "strides": 2, "padding": "same"}, ((6, 5, 2),)),
    Case("AveragePool2D", {}, ((4, 6, 1),)),
    Case("GlobalAveragePool2D", {}, ((3, 4, 2),)),
    Case("GlobalMaxPool2D", {}, ((3, 4, 2),)),
    Case("GlobalMaxPool2D", {"keepdims": True}, ((5, 3, 2),)),
    Case("Reshape", {"target_shape": "3, -1"}, ((2, 6),)),
    Case("Dense", {"units": 3}, ((4, 2),)),                # on the last axis of a sequence (Keras)
    Case("SimpleRNN", {"units": 3, "return_sequences": True}, ((4, 2),)),
    Case("SimpleRNN", {"units": 2, "activation": "relu", "use_bias": False}, ((3, 3),)),
    Case("LSTM", {"units": 3}, ((4, 2),)),
    Case("LSTM", {"units": 2, "return_sequences": True, "use_bias": False}, ((2, 3),)),
    Case("GRU", {"units": 3, "return_sequences": True}, ((4, 2),)),
    Case("GRU", {"units": 2, "use_bias": False}, ((5, 1),)),
]
FROZEN = [c for c in CASES if "trainable" in BLOCKS.get(c.type).params.names()]
cases = pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)


def test_cases_and_oracles_match_and_name_only_registered_blocks():
    """A NumPy oracle per block listed here; a block that is not (a block added later) has its
    reference values in its own test file, and its gradients, ONNX and PyTorch exports are checked
    by tests/test_catalogue_contract.py with no table to extend."""
    assert {c.type for c in CASES} == set(ORACLES)
    assert set(ORACLES) <= set(BLOCKS), sorted(set(ORACLES) - set(BLOCKS))


def _block_graph(case: Case):
    """Input nodes (one per input shape) → the block. Returns (graph, block id)."""
    g = Graph()
    if case.type == "Input":
        return g, g.add_node("Input", case.params).id
    sources = [g.add_node("Input", {"shape": s}).id for s in case.in_shapes]
    return g, add(g, case.type, case.params, *sources)


def _setup(case: Case, dtype=np.float64, seed=0, n=N):
    """Executor for the block alone, random weights (moving statistics included) and inputs."""
    g, nid = _block_graph(case)
    ex = make_executor(g, max_batch=max(n, 16), dtype=dtype, seed=seed)
    rng = np.random.default_rng(seed)
    randomize_weights(ex, rng)
    for w in ex.plan.weights:
        if w.weight == "moving_mean":
            ex.view(w.name)[...] = rng.standard_normal(w.shape)
        elif w.weight == "moving_variance":
            ex.view(w.name)[...] = rng.uniform(0.5, 2.0, w.shape)
    shapes = (tuple(case.params["shape"]),) if case.type == "Input" else case.in_shapes
    xs = [2.0 * rng.standard_normal((n, *s)) for s in shapes]
    X = np.concatenate([x.reshape(n, -1) for x in xs], axis=1)
    weights = {w.weight: ex.view(w.name).astype(np.float64) for w in ex.plan.weights if w.node_id == nid}
    return g, nid, ex, xs, X, weights


# ---- the harness -----------------------------------------------------------------------------

@cases
def test_output_shape_matches_executor_width(case):
    g, nid, ex, xs, X, _ = _setup(case)
    shape = g.infer_shapes()[nid]
    assert ex.plan.output_width == prod(shape)
    assert ex.predict(X).shape == (N, prod(shape))


@cases
def test_param_count_matches_weight_sizes(case):
    g, nid, ex, *_ = _setup(case)
    mine = [w for w in ex.plan.weights if w.node_id == nid]
    expected = (sum(w.size for w in mine if w.trainable), sum(w.size for w in mine if not w.trainable))
    assert g.param_counts()[nid] == expected
    assert sum(w.size for w in ex.plan.weights) == ex.plan.n_params == ex.params.size


@cases
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_inference_forward_matches_oracle(case, dtype):
    g, nid, ex, xs, X, weights = _setup(case, dtype)
    params = g.nodes[nid].params
    expected = ORACLES[case.type]([x.astype(np.float64) for x in xs], weights, params, False, None)
    tol = 1e-12 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(ex.predict(X), expected.reshape(N, -1), rtol=tol, atol=tol)


@cases
def test_training_forward_matches_oracle(case):
    """Training mode: batch statistics for BatchNorm; random blocks replay the engine's RNG."""
    g, nid, ex, xs, X, weights = _setup(case)
    params = g.nodes[nid].params
    state = ex.rng.copy()
    expected = ORACLES[case.type](xs, weights, params, True, state)
    ex.loss_and_gradients(X, np.zeros((N, ex.plan.output_width)), training=True)
    np.testing.assert_allclose(ex.output_view(N), expected.reshape(N, -1), rtol=1e-12, atol=1e-12)


def _train_step_graph(case: Case, block_params: dict):
    """Every 1-D input through a trainable bias-free Dense, then the block, then a frozen Dense.
    (No bias before the block: a bias right before BatchNorm has a zero gradient by design.)"""
    g = Graph()
    sources = []
    for s in case.in_shapes or ((3,),):
        i = g.add_node("Input", {"shape": (4,) if len(s) == 1 else s}).id
        sources.append(add(g, "Dense", {"units": s[0], "use_bias": False}, i) if len(s) == 1 else i)
    if case.type == "Input":
        body = sources[0]
    else:
        body = add(g, case.type, block_params, *sources)
    if len(g.infer_shapes()[body]) > 1:
        body = add(g, "Flatten", {}, body)
    if case.type == "Flatten":
        body = add(g, "Dense", {"units": 3}, body)   # something trainable after the Flatten
    add(g, "Dense", {"units": 2, "trainable": False, "kernel_initializer": "glorot_normal",
                     "bias_initializer": "ones"}, body, node_id="frozen_head")
    return g


def _one_sgd_step(g, seed=0):
    ex = make_executor(g, dtype=np.float32, seed=seed)
    rng = np.random.default_rng(seed)
    randomize_weights(ex, rng)
    X = rng.standard_normal((N, ex.plan.n_features)).astype(np.float32)
    Y = rng.standard_normal((N, 2)).astype(np.float32)
    before = ex.get_weights()
    spec = OPTIMIZERS.get("sgd")
    done, status = ex.train_batches(X, Y, np.arange(N, dtype=np.int64), 0, N, 1, np.array([0.1]),
                                    np.zeros(1), spec.code, spec.hyper_vector({"momentum": 0.0}))
    assert (done, status) == (1, 0)
    return ex, before, ex.get_weights()


def _assert_step(ex, before, after, frozen_node=None, dead=()):
    for w in ex.plan.weights:
        if w.state:
            continue   # running statistics follow the data, not the optimizer
        same = np.array_equal(before[w.name], after[w.name])
        if w.trainable and w.node_id != frozen_node and w.node_id not in dead:
            assert not same, f"{w.name} is trainable but did not change"
        else:
            assert same, f"{w.name} is frozen but changed"


@cases
def test_one_training_step_changes_trainable_weights_only(case):
    g = _train_step_graph(case, case.params)
    ex, before, after = _one_sgd_step(g)
    # Step passes an exactly-zero gradient: nothing upstream of it learns (documented behaviour).
    dead = {e.source for e in g.edges if g.nodes[e.target].type == "Step"}
    _assert_step(ex, before, after, dead=dead)


@pytest.mark.parametrize("case", FROZEN, ids=lambda c: c.id)
def test_frozen_block_keeps_its_weights(case):
    g = _train_step_graph(case, {**case.params, "trainable": False})
    nid = _frozen_node(g, case.type)
    counts = g.param_counts()[nid]
    assert counts[0] == 0 and counts[1] > 0
    ex, before, after = _one_sgd_step(g)
    _assert_step(ex, before, after, frozen_node=nid)


def _frozen_node(g, kind):
    return next(n for n, node in g.nodes.items()
                if node.type == kind and n != "frozen_head" and node.params.get("trainable") is False)


@cases
def test_config_round_trip(case):
    g, nid = _block_graph(case)
    g.set_label(nid, "the block")
    g.set_position(nid, (12.5, -3.0))
    text = dumps(Design(graph=g, name="round trip"))
    back = loads(text).graph
    assert dumps(Design(graph=back, name="round trip")) == text
    assert list(back.nodes) == list(g.nodes)
    for k, node in g.nodes.items():
        other = back.nodes[k]
        assert (other.type, other.params, other.label, other.position) == \
               (node.type, node.params, node.label, node.position)
    assert back.edges == g.edges
    # The reloaded design computes the same function with the same weights.
    _, _, ex, _, X, _ = _setup(case)
    ex2 = make_executor(back)
    ex2.set_weights(ex.get_weights())
    np.testing.assert_array_equal(ex2.predict(X), ex.predict(X))


# ---- behaviours of particular blocks ---------------------------------------------------------

def test_softmax_rows_sum_to_one_and_survive_extreme_inputs():
    g, nid, ex, *_ = _setup(Case("Softmax", {}, ((4,),)))
    X = np.array([[1000.0, -1000.0, 0.0, 999.0],
                  [-1000.0, -1000.0, -1000.0, -1000.0],
                  [1000.0, 1000.0, 1000.0, 1000.0],
                  [3.0, 1.0, -2.0, 0.5]])
    y = ex.predict(X)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(y, softmax(X, axis=1), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(y[0], [1 / (1 + np.exp(-1)), 0.0, 0.0, 1 / (1 + np.e)], rtol=1e-12)
    np.testing.assert_allclose(y[1:3], 0.25)


def test_batchnorm_moving_statistics_follow_keras_momentum():
    """moving = m·moving + (1−m)·batch, with the biased batch variance, once per training forward;
    inference forwards leave them alone."""
    case = Case("BatchNorm", {"momentum": 0.8})
    g, nid, ex, xs, X, w = _setup(case)
    mm0, mv0 = w["moving_mean"].copy(), w["moving_variance"].copy()
    ex.predict(X)
    np.testing.assert_array_equal(ex.view(f"{nid}/moving_mean"), mm0)
    ex.loss_and_gradients(X, np.zeros((N, 5)), training=True)
    x = xs[0]
    np.testing.assert_allclose(ex.view(f"{nid}/moving_mean"), 0.8 * mm0 + 0.2 * x.mean(0), rtol=1e-13)
    np.testing.assert_allclose(ex.view(f"{nid}/moving_variance"), 0.8 * mv0 + 0.2 * x.var(0), rtol=1e-13)


def test_dropout_training_statistics():
    """Inverted dropout drops ≈ rate of the units and scales the rest by 1/(1−rate), so the mean
    is kept; classic dropout leaves kept units unscaled."""
    n = 2000
    for inverted in (True, False):
        g, nid, ex, xs, X, _ = _setup(Case("Dropout", {"rate": 0.25, "inverted": inverted}, ((50,),)), n=n)
        X = np.ones((n, 50))
        ex.loss_and_gradients(X, np.zeros((n, 50)), training=True)
        y = ex.output_view(n)
        kept = y != 0
        assert abs(1 - kept.mean() - 0.25) < 0.01
        np.testing.assert_array_equal(y[kept], 1 / 0.75 if inverted else 1.0)
        if inverted:
            assert abs(y.mean() - 1.0) < 0.015


def test_alpha_dropout_keeps_selu_self_normalisation():
    """Standard-normal inputs (SELU's fixed point) keep mean ≈ 0 and variance ≈ 1."""
    n, width = 8000, 125            # one million values
    g, nid, ex, *_ = _setup(Case("AlphaDropout", {"rate": 0.2}, ((width,),)), n=n)
    X = np.random.default_rng(3).standard_normal((n, width))
    ex.loss_and_gradients(X, np.zeros((n, width)), training=True)
    y = ex.output_view(n)
    assert abs(y.mean()) < 0.005
    assert abs(y.var() - 1.0) < 0.01
    a = (0.8 * (1.0 + 0.2 * ALPHA_P ** 2)) ** -0.5
    dropped = y == a * ALPHA_P - a * ALPHA_P * 0.2    # a·α′ + b
    assert abs(dropped.mean() - 0.2) < 0.005


def test_rrelu_slopes():
    """Training slopes lie in [lower, upper] with mean (lower+upper)/2; inference uses that mean."""
    n, width = 2000, 50
    g, nid, ex, *_ = _setup(Case("RReLU", {"lower": 0.1, "upper": 0.3}, ((width,),)), n=n)
    X = -np.ones((n, width))
    ex.loss_and_gradients(X, np.zeros((n, width)), training=True)
    slopes = -ex.output_view(n)
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.002
    np.testing.assert_allclose(ex.predict(X), -0.2, rtol=1e-15)
