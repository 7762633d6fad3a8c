"""Optimizer steps against hand-written NumPy references of the formulas in core/optimizers.py
(PyTorch conventions), gradient clipping, weight penalties, and — with torch installed — against
torch.optim itself.

The problem is tiny and fixed: Input(3) → Dense(2) → Linear, MSE, 4 samples, float64, one full
batch per step, three steps in one ``train_batches`` call with a different learning rate each.
"""
from __future__ import annotations

import numpy as np
import pytest

from core.kernels import opcodes as K
from core.optimizers import OPTIMIZERS

from helpers import make_executor, sequential

X = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7], [-0.4, 0.9, 0.1], [2.2, -0.5, -1.3]])
Y = np.array([[1.0, -0.5], [0.2, 0.8], [-1.1, 0.4], [0.6, 0.0]])
W0 = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.25]])
B0 = np.array([0.05, -0.1])
LRS = np.array([0.1, 0.05, 0.02])
STEPS = len(LRS)


def _executor(l1=0.0, l2=0.0):
    g = sequential((3,), ("Dense", {"units": 2, "l1": l1, "l2": l2}), "Linear")
    ex = make_executor(g, max_batch=4)
    ex.set_weights({"dense1/kernel": W0, "dense1/bias": B0})
    return ex


def _train(ex, name, params, lrs=LRS, clip_norm=0.0, clip_value=0.0):
    """Run len(lrs) full-batch steps; returns the losses (each computed before its update)."""
    spec = OPTIMIZERS.get(name)
    hp = spec.hyper_vector(spec.params.resolve(params))
    n = len(lrs)
    order = np.tile(np.arange(len(X), dtype=np.int64), n)
    losses = np.zeros(n)
    done, status = ex.train_batches(X, Y, order, 0, len(X), n, np.asarray(lrs, np.float64), losses,
                                    spec.code, hp, clip_norm, clip_value)
    assert (done, status) == (n, K.STATUS_DONE)
    return losses


def _loss_and_grads(W, b, l1=0.0, l2=0.0):
    """MSE (mean over samples and outputs) plus the Keras penalty, and its gradients."""
    e = X @ W + b - Y
    loss = (e ** 2).mean() + l1 * np.abs(W).sum() + l2 * (W ** 2).sum()
    g = 2.0 * e / e.size
    return loss, X.T @ g + l1 * np.sign(W) + 2.0 * l2 * W, g.sum(axis=0)


# ---- references: one function per formula of core/optimizers.py --------------------------------

def _sgd(p, g, s, t, lr, momentum=0.0, nesterov=False, **_):
    if momentum:
        s["b"] = g if t == 1 else momentum * s["b"] + g
        g = g + momentum * s["b"] if nesterov else s["b"]
    return p - lr * g


def _adam(p, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=0.0, **_):
    p = p * (1.0 - lr * weight_decay)                    # decoupled decay first (AdamW)
    s["m"] = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
    s["v"] = beta_2 * s.get("v", 0.0) + (1 - beta_2) * g * g
    m_hat = s["m"] / (1 - beta_1 ** t)
    v_hat = s["v"] / (1 - beta_2 ** t)
    return p - lr * m_hat / (np.sqrt(v_hat) + epsilon)


def _rmsprop(p, g, s, t, lr, rho=0.99, epsilon=1e-8, **_):
    s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
    return p - lr * g / (np.sqrt(s["v"]) + epsilon)


def _adagrad(p, g, s, t, lr, initial_accumulator_value=0.0, epsilon=1e-10, **_):
    s["s"] = s.get("s", initial_accumulator_value) + g * g
    return p - lr * g / (np.sqrt(s["s"]) + epsilon)


REFERENCES = {"sgd": _sgd, "adam": _adam, "adamw": _adam, "rmsprop": _rmsprop, "adagrad": _adagrad}


def _reference(name, params, lrs=LRS):
    hp = OPTIMIZERS.get(name).params.resolve(params)
    update = REFERENCES[name]
    W, b = W0.copy(), B0.copy()
    sW, sb, losses = {}, {}, []
    for t, lr in enumerate(lrs, start=1):
        loss, gW, gb = _loss_and_grads(W, b)
        losses.append(loss)
        W, b = update(W, gW, sW, t, lr, **hp), update(b, gb, sb, t, lr, **hp)
    return W, b, np.array(losses)


CONFIGS = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.8, "nesterov": True}),
    ("adam", {}),
    ("adam", {"beta_1": 0.7, "beta_2": 0.95, "epsilon": 1e-3}),
    ("adamw", {}),
    ("adamw", {"weight_decay": 0.5, "epsilon": 1e-4}),
    ("rmsprop", {}),
    ("rmsprop", {"rho": 0.9, "epsilon": 1e-3}),
    ("adagrad", {}),
    ("adagrad", {"initial_accumulator_value": 0.1, "epsilon": 1e-3}),
]


def _config_id(c):
    return c[0] + "".join(f"-{k}={v}" for k, v in c[1].items())


@pytest.mark.parametrize("config", CONFIGS, ids=_config_id)
def test_first_steps_match_formula(config):
    name, params = config
    ex = _executor()
    losses = _train(ex, name, params)
    W, b, ref_losses = _reference(name, params)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-13)
    np.testing.assert_allclose(ex.view("dense1/kernel"), W, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ex.view("dense1/bias"), b, rtol=1e-12, atol=1e-15)
    assert not np.allclose(W, W0)


def test_registry_defaults_follow_pytorch():
    d = {n: OPTIMIZERS.get(n).params.defaults() for n in ("sgd", "adam", "adamw", "rmsprop", "adagrad")}
    assert d["sgd"]["momentum"] == 0.0 and d["sgd"]["nesterov"] is False
    assert (d["adam"]["beta_1"], d["adam"]["beta_2"], d["adam"]["epsilon"]) == (0.9, 0.999, 1e-8)
    assert d["adam"]["weight_decay"] == 0.0 and d["adamw"]["weight_decay"] == 0.01
    assert (d["rmsprop"]["rho"], d["rmsprop"]["epsilon"]) == (0.99, 1e-8)
    assert (d["adagrad"]["initial_accumulator_value"], d["adagrad"]["epsilon"]) == (0.0, 1e-10)


# ---- clipping and penalties ------------------------------------------------------------------

def _one_sgd_step_grads():
    _, gW, gb = _loss_and_grads(W0, B0)
    return gW, gb


def test_clip_by_value():
    gW, gb = _one_sgd_step_grads()
    c = 0.5 * np.abs(np.concatenate([gW.ravel(), gb])).max()
    assert (np.abs(gW) < c).any() and (np.abs(gW) > c).any()
    ex = _executor()
    _train(ex, "sgd", {}, lrs=[0.1], clip_value=c)
    np.testing.assert_allclose(ex.view("dense1/kernel"), W0 - 0.1 * np.clip(gW, -c, c), rtol=1e-13)
    np.testing.assert_allclose(ex.view("dense1/bias"), B0 - 0.1 * np.clip(gb, -c, c), rtol=1e-13)


@pytest.mark.parametrize("ratio", [0.4, 1.0, 2.5])
def test_clip_by_global_norm(ratio):
    """g ← g·c/max(N, c) with N the norm over all trainable gradients together (Keras)."""
    gW, gb = _one_sgd_step_grads()
    norm = np.sqrt((gW ** 2).sum() + (gb ** 2).sum())
    c = ratio * norm
    f = c / max(norm, c)
    ex = _executor()
    _train(ex, "sgd", {}, lrs=[0.1], clip_norm=c)
    np.testing.assert_allclose(ex.view("dense1/kernel"), W0 - 0.1 * f * gW, rtol=1e-13)
    np.testing.assert_allclose(ex.view("dense1/bias"), B0 - 0.1 * f * gb, rtol=1e-13)


def test_clip_by_value_then_norm():
    gW, gb = _one_sgd_step_grads()
    v = 0.5 * np.abs(gW).max()
    cW, cb = np.clip(gW, -v, v), np.clip(gb, -v, v)
    norm = np.sqrt((cW ** 2).sum() + (cb ** 2).sum())
    c = 0.5 * norm
    ex = _executor()
    _train(ex, "sgd", {}, lrs=[0.1], clip_norm=c, clip_value=v)
    np.testing.assert_allclose(ex.view("dense1/kernel"), W0 - 0.1 * (c / norm) * cW, rtol=1e-13)
    np.testing.assert_allclose(ex.view("dense1/bias"), B0 - 0.1 * (c / norm) * cb, rtol=1e-13)


@pytest.mark.parametrize("l1,l2", [(0.0, 0.05), (0.02, 0.0), (0.02, 0.05)])
def test_penalty_adds_to_gradient_and_loss(l1, l2):
    """L2 adds 2·l2·w and L1 adds l1·sign(w) to the kernel's gradient (not the bias'), and the
    reported loss includes l1·Σ|w| + l2·Σw²."""
    ex = _executor(l1=l1, l2=l2)
    losses = _train(ex, "sgd", {}, lrs=[0.1])
    loss, gW, gb = _loss_and_grads(W0, B0, l1, l2)
    plain_gW = _one_sgd_step_grads()[0]
    np.testing.assert_allclose(gW - plain_gW, l1 * np.sign(W0) + 2 * l2 * W0, rtol=1e-13)
    assert losses[0] == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(ex.view("dense1/kernel"), W0 - 0.1 * gW, rtol=1e-13)
    np.testing.assert_allclose(ex.view("dense1/bias"), B0 - 0.1 * gb, rtol=1e-13)


def test_frozen_weights_are_neither_updated_nor_clipped_into_the_norm():
    """A frozen Dense in front: its weights stay, and its (unused) gradient slots do not enter the
    global norm — the trainable layer's update equals the one-layer reference."""
    g = sequential((3,), ("Dense", {"units": 3, "trainable": False}), ("Dense", {"units": 2}))
    ex = make_executor(g, max_batch=4)
    ex.set_weights({"dense1/kernel": np.eye(3), "dense1/bias": np.zeros(3),
                    "dense2/kernel": W0, "dense2/bias": B0})
    ex.view("dense1/kernel", ex.grads)[...] = 1e3    # garbage that must not count
    gW, gb = _one_sgd_step_grads()
    norm = np.sqrt((gW ** 2).sum() + (gb ** 2).sum())
    _train(ex, "sgd", {"momentum": 0.9}, lrs=[0.1], clip_norm=0.5 * norm)
    np.testing.assert_array_equal(ex.view("dense1/kernel"), np.eye(3))
    np.testing.assert_array_equal(ex.view("dense1/bias"), np.zeros(3))
    np.testing.assert_allclose(ex.view("dense2/kernel"), W0 - 0.1 * 0.5 * gW, rtol=1e-12)
    np.testing.assert_allclose(ex.view("dense2/bias"), B0 - 0.1 * 0.5 * gb, rtol=1e-12)


# ---- against PyTorch -------------------------------------------------------------------------

TORCH_CONFIGS = [
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "nesterov": True}),
    ("adam", {}),
    ("adamw", {"weight_decay": 0.1}),
    ("rmsprop", {}),
    ("adagrad", {"initial_accumulator_value": 0.1}),
]


def _torch_optimizer(torch, name, params, model):
    p = OPTIMIZERS.get(name).params.resolve(params)
    ps = model.parameters()
    if name == "sgd":
        return torch.optim.SGD(ps, lr=1.0, momentum=p["momentum"], nesterov=p["nesterov"])
    if name in ("adam", "adamw"):
        cls = torch.optim.AdamW if name == "adamw" else torch.optim.Adam
        return cls(ps, lr=1.0, betas=(p["beta_1"], p["beta_2"]), eps=p["epsilon"],
                   weight_decay=p["weight_decay"])
    if name == "rmsprop":
        return torch.optim.RMSprop(ps, lr=1.0, alpha=p["rho"], eps=p["epsilon"])
    return torch.optim.Adagrad(ps, lr=1.0, eps=p["epsilon"],
                               initial_accumulator_value=p["initial_accumulator_value"])


@pytest.mark.parametrize("config", TORCH_CONFIGS, ids=_config_id)
def test_first_steps_match_torch(config):
    torch = pytest.importorskip("torch", reason="torch is not installed: the PyTorch cross-check is skipped")
    name, params = config
    model = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(W0.T))
        model.bias.copy_(torch.from_numpy(B0))
    opt = _torch_optimizer(torch, name, params, model)
    xt, yt = torch.from_numpy(X), torch.from_numpy(Y)
    torch_losses = []
    for lr in LRS:
        for group in opt.param_groups:
            group["lr"] = float(lr)
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xt), yt)
        loss.backward()
        opt.step()
        torch_losses.append(loss.item())
    ex = _executor()
    losses = _train(ex, name, params)
    np.testing.assert_allclose(losses, torch_losses, rtol=1e-12)
    np.testing.assert_allclose(ex.view("dense1/kernel"), model.weight.detach().numpy().T, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ex.view("dense1/bias"), model.bias.detach().numpy(), rtol=1e-10, atol=1e-14)
