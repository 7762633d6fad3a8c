"""Add and Concat: merges for skip and residual connections."""
from __future__ import annotations

from ..params import Param, ParamSet
from .base import Block, flat_features

_NUM_INPUTS = Param("num_inputs", "int", 2, minimum=2, maximum=8, doc="Number of input ports.")


class Add(Block):
    """Element-wise sum of its inputs, which must all have the same shape (residual connections)."""

    type_name = "Add"
    group = "Merge"
    icon = "Add"
    summary = "Adds its inputs element by element."
    tip = "Builds residual (skip) connections: out = x + f(x)."
    params = ParamSet((_NUM_INPUTS,))

    @classmethod
    def num_inputs(cls, params):
        return params["num_inputs"]

    @classmethod
    def output_shape(cls, params, input_shapes):
        first = input_shapes[0]
        for i, s in enumerate(input_shapes[1:], start=1):
            if s != first:
                raise ValueError(f"Add expects inputs of one shape. Received {first} on port 0 "
                                 f"and {s} on port {i}")
        return first

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        out = builder.new_tensor(builder.tensor_width(inputs[0]), node_id)
        builder.add_op("add", inputs, out, node_id=node_id)
        return out


class Concat(Block):
    """Joins its inputs' features side by side, port 0 first (DenseNet-style skips)."""

    type_name = "Concat"
    group = "Merge"
    icon = "Concat"
    summary = "Joins its inputs' features side by side."
    tip = "Combines features from different paths (DenseNet-style skips)."
    params = ParamSet((_NUM_INPUTS,))

    @classmethod
    def num_inputs(cls, params):
        return params["num_inputs"]

    @classmethod
    def output_shape(cls, params, input_shapes):
        return (sum(flat_features(s, "Concat") for s in input_shapes),)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        width = sum(builder.tensor_width(t) for t in inputs)
        out = builder.new_tensor(width, node_id)
        builder.add_op("concat", inputs, out, node_id=node_id)
        return out


BLOCKS = (Add, Concat)
