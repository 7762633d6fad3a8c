"""Loss functions: names, parameters and how each maps onto the engine's fused loss kernel.

Conventions (Keras): losses are means over the batch; MSE/MAE/Huber also average over outputs;
binary cross-entropy averages over outputs; categorical cross-entropy sums over classes.
From probabilities, probabilities are clipped to [1e-7, 1−1e-7] (zero gradient where clipped).
A Softmax output followed by (sparse) categorical cross-entropy is fused into the numerically
stable ``softmax − onehot`` gradient.
"""
from __future__ import annotations

from dataclasses import dataclass

from .kernels import opcodes as K
from .params import Param, ParamSet
from .registry import Registry

_FROM_LOGITS = Param("from_logits", "bool", False,
                     doc="Tick when the output is a raw score (no sigmoid/softmax at the end).")


@dataclass(frozen=True)
class LossSpec:
    name: str
    params: ParamSet
    task: str          # "regression" | "binary" | "multiclass"
    targets: str       # "values" | "binary" | "onehot" | "labels"
    doc: str

    def code(self, params: dict, fused_softmax: bool) -> int:
        n, logits = self.name, params.get("from_logits", False)
        if n == "mse":
            return K.LOSS_MSE
        if n == "mae":
            return K.LOSS_MAE
        if n == "huber":
            return K.LOSS_HUBER
        if n == "binary_crossentropy":
            return K.LOSS_BCE_LOGITS if logits else K.LOSS_BCE
        if n == "categorical_crossentropy":
            if fused_softmax and not logits:
                return K.LOSS_SOFTMAX_CCE
            return K.LOSS_CCE_LOGITS if logits else K.LOSS_CCE
        if n == "sparse_categorical_crossentropy":
            if fused_softmax and not logits:
                return K.LOSS_SOFTMAX_SPARSE_CCE
            return K.LOSS_SPARSE_CCE_LOGITS if logits else K.LOSS_SPARSE_CCE
        raise KeyError(n)


LOSSES: Registry[LossSpec] = Registry("loss")
for _spec in (
    LossSpec("mse", ParamSet(()), "regression", "values", "Mean squared error: mean((y − ŷ)²)."),
    LossSpec("mae", ParamSet(()), "regression", "values", "Mean absolute error: mean(|y − ŷ|); robust to outliers."),
    LossSpec("huber", ParamSet((Param("delta", "float", 1.0, minimum=0.0, min_exclusive=True,
                                      doc="Where the loss turns from quadratic to linear."),)),
             "regression", "values", "Quadratic for small errors, linear for large ones."),
    LossSpec("binary_crossentropy", ParamSet((_FROM_LOGITS,)), "binary", "binary",
             "For one sigmoid output (or a raw score with from_logits) and 0/1 targets."),
    LossSpec("categorical_crossentropy", ParamSet((_FROM_LOGITS,)), "multiclass", "onehot",
             "For a softmax output and one-hot targets."),
    LossSpec("sparse_categorical_crossentropy", ParamSet((_FROM_LOGITS,)), "multiclass", "labels",
             "For a softmax output and integer class labels."),
):
    LOSSES.register(_spec.name, _spec)
LOSSES_ALIASES = {"bce": "binary_crossentropy", "cce": "categorical_crossentropy",
                  "sparse_cce": "sparse_categorical_crossentropy"}
for _alias, _name in LOSSES_ALIASES.items():
    LOSSES._aliases[_alias] = _name
