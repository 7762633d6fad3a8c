"""Reshape: the same values seen with another sample shape (Keras' Reshape; the batch axis is
not part of it). Free, like Flatten: the engine stores every sample flat and row-major, so no step
is added and the ONNX graph, flat between ops, needs nothing either."""
from __future__ import annotations

from math import prod

from ..params import Param, ParamSet
from .base import Block


def resolve_target(target, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The target shape with its one -1 (if any) worked out; a ValueError when the element
    counts cannot match."""
    target = tuple(int(v) for v in target)
    size = prod(input_shape)
    if any(v == 0 or v < -1 for v in target) or target.count(-1) > 1:
        raise ValueError(f"Reshape expects positive sizes and at most one -1. Received target_shape {list(target)}")
    known = prod(v for v in target if v != -1)
    if -1 in target:
        if size % known:
            raise ValueError(f"Reshape cannot fit {size} values (input shape {tuple(input_shape)}) into "
                             f"target_shape {list(target)}: {size} is not a multiple of {known}")
        return tuple(size // known if v == -1 else v for v in target)
    if known != size:
        raise ValueError(f"Reshape needs as many values as its input: target_shape {list(target)} holds "
                         f"{known}, the input shape {tuple(input_shape)} holds {size}")
    return target


class Reshape(Block):
    """Gives a sample another shape with the same number of values (e.g. 64 features → (8, 8, 1))."""

    type_name = "Reshape"
    group = "Layers"
    icon = "Reshape"
    summary = ("Gives each sample another shape with the same number of values, e.g. 64 features → (8, 8, "
               "1) for a Conv2D.")
    tip = ("One size may be -1 and is worked out from the others, as in Keras. Values keep their "
           "row-major order (the last axis changes fastest); it costs nothing.")
    params = ParamSet((Param("target_shape", "str", "8, 8, 1",
                             doc="Shape of one output sample, sizes separated by commas; one may be -1 "
                                 "(worked out from the others, as in Keras)."),))
    key_params = ("target_shape",)

    @staticmethod
    def parse(text) -> tuple[int, ...]:
        """'8, 8, 1' (or a list) → (8, 8, 1); a ValueError naming the text otherwise."""
        if isinstance(text, (list, tuple)):
            parts = list(text)
        else:
            parts = [p for p in str(text).replace("(", " ").replace(")", " ").replace("[", " ")
                     .replace("]", " ").replace(",", " ").split()]
        try:
            values = tuple(int(p) for p in parts)
        except (TypeError, ValueError):
            raise ValueError(f"Reshape expects target_shape as whole numbers separated by commas, "
                             f"e.g. '8, 8, 1'. Received {text!r}") from None
        if not values:
            raise ValueError("Reshape expects a target_shape, e.g. '8, 8, 1'")
        return values

    @classmethod
    def output_shape(cls, params, input_shapes):
        return resolve_target(cls.parse(params["target_shape"]), input_shapes[0])

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        return inputs[0]

    @classmethod
    def torch_module(cls, gen, node_id, params):
        """A reshape of NetDesigner's own (channels-last) layout, the batch axis kept."""
        from ..torch_templates import NATIVE, TorchBlock
        shape = ", ".join(str(s) for s in gen.shapes[node_id])
        return TorchBlock(None, call=f"{{x}}.reshape(len({{x}}), {shape})", reads=NATIVE)


BLOCKS = (Reshape,)
