"""Input and Flatten: where data enters the graph and how a multi-axis sample becomes a vector."""
from __future__ import annotations

from math import prod

from ..params import Param, ParamSet
from .base import Block


class Input(Block):
    """One data input. Several Input nodes take consecutive column ranges of the data, in id order."""

    type_name = "Input"
    group = "Input/Output"
    icon = "Input"
    summary = "Where samples enter the network. Its shape must match the data's features."
    tip = "One Input per data input; several take consecutive feature columns."
    params = ParamSet((Param("shape", "shape", (2,), doc="Shape of one sample, e.g. [64] or [8, 8]."),))
    key_params = ("shape",)

    @classmethod
    def num_inputs(cls, params):
        return 0

    @classmethod
    def output_shape(cls, params, input_shapes):
        return tuple(params["shape"])

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        width = prod(params["shape"])
        out = builder.new_tensor(width, node_id)
        builder.add_input(node_id, out, width)
        return out


class Flatten(Block):
    """Collapse a sample of any shape to one axis. Costs nothing: the engine stores samples flat."""

    type_name = "Flatten"
    group = "Layers"
    icon = "Flatten"
    summary = "Turns a sample of any shape (e.g. an 8×8 image) into one long vector."
    tip = "Put it before a Dense layer when the input has more than one axis."

    @classmethod
    def output_shape(cls, params, input_shapes):
        return (prod(input_shapes[0]),)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        return inputs[0]


BLOCKS = (Input, Flatten)
