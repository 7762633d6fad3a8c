"""Dropout and AlphaDropout: regularisation that is active in training only."""
from __future__ import annotations

from ..params import Param, ParamSet
from .base import Block


class Dropout(Block):
    """Zeroes each unit with probability `rate` during training.

    inverted=True (Keras, PyTorch) scales the kept units by 1/(1−rate) in training so inference is
    the identity; inverted=False (the original paper) scales by (1−rate) in inference instead.
    """

    type_name = "Dropout"
    group = "Regularization"
    icon = "Dropout"
    summary = "Randomly zeroes a fraction of units during training."
    tip = "Fights overfitting; it is switched off at inference."
    params = ParamSet((
        Param("rate", "float", 0.2, minimum=0.0, maximum=0.99, doc="Fraction of units dropped."),
        Param("inverted", "bool", True, doc="Scale during training (modern) rather than at inference."),
    ))
    key_params = ("rate",)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        n = builder.tensor_width(inputs[0])
        out = builder.new_tensor(n, node_id)
        builder.add_op("dropout", inputs, out, aux={"mask": n}, floats={"rate": params["rate"]},
                       ints={"inverted": params["inverted"]}, node_id=node_id)
        return out


class AlphaDropout(Block):
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation value and an
    affine correction keeps mean and variance (Klambauer et al. 2017)."""

    type_name = "AlphaDropout"
    group = "Regularization"
    icon = "AlphaDropout"
    summary = "Dropout that keeps the mean and variance of SELU activations."
    tip = "Use instead of Dropout in SELU networks."
    params = ParamSet((Param("rate", "float", 0.1, minimum=0.0, maximum=0.99, doc="Fraction of units dropped."),))
    key_params = ("rate",)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        n = builder.tensor_width(inputs[0])
        out = builder.new_tensor(n, node_id)
        builder.add_op("alpha_dropout", inputs, out, aux={"dydx": n}, floats={"rate": params["rate"]},
                       node_id=node_id)
        return out


BLOCKS = (Dropout, AlphaDropout)
