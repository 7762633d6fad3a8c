"""Digits, end to end: load_digits, 80/20 stratified split (random_state 0), standardised on the
training part, 64-64 ReLU, Adam lr 1e-3, batch 32, 30 epochs; training time (compile excluded:
NetDesigner runs once first to warm up) and test accuracy for NetDesigner, PyTorch and
scikit-learn's MLPClassifier."""
from __future__ import annotations

import time
import warnings

import numpy as np

from .netdesigner_runner import NetDesignerRunner, train_epochs
from .workloads import Workload

EPOCHS = 30
WL = Workload("digits", (64, 64, 64, 10), batch=32, lr=1e-3, note="load_digits 64-64 ReLU, Adam, CE")


def load(seed: int = 0):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd[sd == 0] = 1.0
    f = np.float32
    Xtr, Xte = ((Xtr - mu) / sd).astype(f), ((Xte - mu) / sd).astype(f)
    return np.ascontiguousarray(Xtr), np.ascontiguousarray(Xte), ytr, yte


def run_netdesigner(Xtr, Xte, ytr, yte, seed: int = 0) -> dict:
    Y = np.ascontiguousarray(ytr.reshape(-1, 1), np.float32)
    order = np.arange(len(Xtr) // WL.batch * WL.batch, dtype=np.int64)
    warm = NetDesignerRunner(WL, Xtr, Y, order, seed=seed)
    train_epochs(warm, Xtr, Y, 1, seed)                      # compiles / loads the kernels
    r = NetDesignerRunner(WL, Xtr, Y, order, seed=seed)
    t = time.perf_counter()
    train_epochs(r, Xtr, Y, EPOCHS, seed)
    dt = time.perf_counter() - t
    return {"train_s": dt, "test_accuracy": r.accuracy(Xte, yte)}


def run_torch(Xtr, Xte, ytr, yte, seed: int = 0, weights: dict | None = None) -> dict:
    import torch

    from .ref_torch import TorchRunner
    Y = ytr.reshape(-1, 1).astype(np.float32)
    order = np.arange(len(Xtr) // WL.batch * WL.batch, dtype=np.int64)
    r = TorchRunner(WL, Xtr, Y, order, weights, seed)
    n, rng = len(Xtr), np.random.default_rng(seed)
    t = time.perf_counter()
    for _ in range(EPOCHS):
        perm = torch.from_numpy(rng.permutation(n))
        for lo in range(0, n, WL.batch):
            r.step(perm[lo:lo + WL.batch])
    dt = time.perf_counter() - t
    return {"train_s": dt, "test_accuracy": r.accuracy(Xte, yte)}


def run_sklearn(Xtr, Xte, ytr, yte, seed: int = 0) -> dict:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=(64, 64), solver="adam", batch_size=32, max_iter=EPOCHS,
                        learning_rate_init=1e-3, random_state=seed)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(Xtr, ytr)
    dt = time.perf_counter() - t
    return {"train_s": dt, "test_accuracy": float(clf.score(Xte, yte))}


def _metered(fn, *args, **kw) -> dict:
    from .measure import BusyMeter
    m = BusyMeter().start()
    out = fn(*args, **kw)
    out["others_busy_cores"] = m.stop()
    return out


def run_all(seed: int = 0, use_torch: bool = True) -> dict:
    Xtr, Xte, ytr, yte = load(seed)
    out = {"setup": f"{len(Xtr)} train / {len(Xte)} test, {EPOCHS} epochs, batch {WL.batch}",
           "NetDesigner": _metered(run_netdesigner, Xtr, Xte, ytr, yte, seed)}
    if use_torch:
        from .ref_torch import available
        if available():
            Y = np.ascontiguousarray(ytr.reshape(-1, 1), np.float32)
            w0 = NetDesignerRunner(WL, Xtr, Y, np.arange(WL.batch, dtype=np.int64), seed=seed).get_weights()
            out["PyTorch"] = _metered(run_torch, Xtr, Xte, ytr, yte, seed, w0)
    out["scikit-learn"] = _metered(run_sklearn, Xtr, Xte, ytr, yte, seed)
    return out
