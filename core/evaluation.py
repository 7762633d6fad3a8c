"""Inference-mode loss and metrics of a data set (used for validation, test and the CLI)."""
from __future__ import annotations

import numpy as np

from .executor import Executor
from .kernels import opcodes as K
from .metrics import compute_metrics

_LOGIT_CODES = (K.LOSS_BCE_LOGITS, K.LOSS_CCE_LOGITS, K.LOSS_SPARSE_CCE_LOGITS)


def evaluate(ex: Executor, X, Y, metrics=(), *, task="regression", with_loss=True) -> dict:
    from .kernels.engine import loss_only
    from .kernels.optim import regularization
    plan = ex.plan
    X = np.ascontiguousarray(X, dtype=ex.dtype)
    Y = np.ascontiguousarray(Y, dtype=ex.dtype).reshape(len(Y), -1)
    out, logits = ex.predict(X, return_logits=True)
    logs = {}
    if with_loss:
        g = np.empty_like(out)
        loss = loss_only(plan.loss_code, plan.loss_delta, out, logits, Y, g)
        if ex.has_reg:
            loss += regularization(ex.params, ex.grads, ex.segs, ex.segf, False)
        logs["loss"] = float(loss)
    if metrics:
        logs.update(compute_metrics(list(metrics), labels_of(Y, plan), out.astype(np.float64), task=task,
                                    logits=plan.loss_code in _LOGIT_CODES))
    return logs


def labels_of(Y: np.ndarray, plan) -> np.ndarray:
    """Targets as metrics want them: integer labels for classification, values for regression."""
    if plan.loss_code in (K.LOSS_CCE, K.LOSS_CCE_LOGITS, K.LOSS_SOFTMAX_CCE):
        return np.argmax(Y, axis=1)
    if plan.loss_code in (K.LOSS_SPARSE_CCE, K.LOSS_SPARSE_CCE_LOGITS, K.LOSS_SOFTMAX_SPARSE_CCE,
                          K.LOSS_BCE, K.LOSS_BCE_LOGITS):
        return Y[:, 0].astype(np.int64)
    return Y
