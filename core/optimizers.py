"""Optimizers: their parameters and the packing of hyper-parameters for the engine's update kernel.

The update maths follow PyTorch (documented per optimizer) so that the benchmark can check
NetDesigner's steps against PyTorch's; where Keras differs it is noted for learners:

* SGD:     b = m·b + g;  p −= lr·(g + m·b if nesterov else b)   (Keras: v = m·v − lr·g; p += v)
* Adam:    m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ);  p −= lr·m̂/(√v̂ + ε)  (Keras adds ε before bias correction)
* AdamW:   Adam plus decoupled decay p −= lr·wd·p, applied first (as both frameworks do)
* RMSprop: v = ρ·v + (1−ρ)·g²;  p −= lr·g/(√v + ε)              (Keras: lr·g/√(v+ε))
* Adagrad: s += g²;  p −= lr·g/(√s + ε)                           (Keras starts s at 0.1)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kernels import opcodes as K
from .params import Param, ParamSet
from .registry import Registry

# Layout of the hyper-parameter vector handed to the update kernel.
HP_MOMENTUM, HP_NESTEROV, HP_BETA1, HP_BETA2, HP_EPS, HP_WD, HP_RHO, HP_INIT_ACC = range(8)
N_HP = 8

_LR = Param("learning_rate", "float", 0.01, minimum=0.0, min_exclusive=True, maximum=100.0,
            doc="Step size of each update.")


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    code: int
    params: ParamSet
    slots: int          # state arrays per parameter (momentum, m and v, ...)
    doc: str

    def hyper_vector(self, params: dict) -> np.ndarray:
        hp = np.zeros(N_HP, np.float64)
        hp[HP_MOMENTUM] = params.get("momentum", 0.0)
        hp[HP_NESTEROV] = 1.0 if params.get("nesterov", False) else 0.0
        hp[HP_BETA1] = params.get("beta_1", 0.9)
        hp[HP_BETA2] = params.get("beta_2", 0.999)
        hp[HP_EPS] = params.get("epsilon", 1e-8)
        hp[HP_WD] = params.get("weight_decay", 0.0)
        hp[HP_RHO] = params.get("rho", 0.99)
        hp[HP_INIT_ACC] = params.get("initial_accumulator_value", 0.0)
        return hp


def _adam_params(lr: float, wd: float) -> ParamSet:
    return ParamSet((
        Param("learning_rate", "float", lr, minimum=0.0, min_exclusive=True, maximum=100.0,
              doc="Step size of each update."),
        Param("beta_1", "float", 0.9, minimum=0.0, maximum=0.999999, doc="Decay of the mean of gradients."),
        Param("beta_2", "float", 0.999, minimum=0.0, maximum=0.99999999, doc="Decay of the mean of squared gradients."),
        Param("epsilon", "float", 1e-8, minimum=0.0, min_exclusive=True,
              doc="Added to √v̂ for stability.", convention="PyTorch: after bias correction, 1e-8 (Keras 1e-7, before)"),
        Param("weight_decay", "float", wd, minimum=0.0, doc="Decoupled weight decay (AdamW)."),
    ))


OPTIMIZERS: Registry[OptimizerSpec] = Registry("optimizer")
for _spec in (
    OptimizerSpec("sgd", K.OPT_SGD, ParamSet((
        _LR,
        Param("momentum", "float", 0.0, minimum=0.0, maximum=0.9999, doc="Fraction of the previous step kept.",
              convention="PyTorch: b = m·b + g; p −= lr·b"),
        Param("nesterov", "bool", False, doc="Look ahead along the momentum before taking the gradient."),
    )), 1, "Stochastic gradient descent, optionally with (Nesterov) momentum."),
    OptimizerSpec("adam", K.OPT_ADAM, _adam_params(0.001, 0.0), 2,
                  "Adaptive moments (Kingma & Ba 2015): a good default."),
    OptimizerSpec("adamw", K.OPT_ADAM, _adam_params(0.001, 0.01), 2,
                  "Adam with decoupled weight decay (Loshchilov & Hutter 2019)."),
    OptimizerSpec("rmsprop", K.OPT_RMSPROP, ParamSet((
        _LR,
        Param("rho", "float", 0.99, minimum=0.0, maximum=0.999999, doc="Decay of the mean of squared gradients.",
              convention="PyTorch alpha 0.99 (Keras rho 0.9)"),
        Param("epsilon", "float", 1e-8, minimum=0.0, min_exclusive=True, doc="Added to √v for stability."),
    )), 1, "Divides each step by a running RMS of recent gradients (Hinton's lecture 6e)."),
    OptimizerSpec("adagrad", K.OPT_ADAGRAD, ParamSet((
        _LR,
        Param("initial_accumulator_value", "float", 0.0, minimum=0.0, doc="Starting sum of squared gradients.",
              convention="PyTorch 0 (Keras 0.1)"),
        Param("epsilon", "float", 1e-10, minimum=0.0, min_exclusive=True, doc="Added to √s for stability."),
    )), 1, "Per-weight step sizes that shrink with the sum of past squared gradients."),
):
    OPTIMIZERS.register(_spec.name, _spec)
