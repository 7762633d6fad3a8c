"""The block protocol: what every entry of the catalogue declares.

A block *type* is a stateless class; the values of its parameters live in the graph node. The
lifecycle follows Keras layers, one method per concern: parameters → ``output_shape`` →
``weight_specs`` → ``emit`` (adds the block's forward/backward step to a compiled plan).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any, ClassVar

from ..params import Param, ParamSet


@dataclass(frozen=True)
class WeightSpec:
    """One weight array of a block.

    Running statistics (BatchNorm's moving mean/variance) are weights with ``trainable=False`` and
    ``state=True``: the optimizer never touches them, the weights file keeps them.
    """

    name: str
    shape: tuple[int, ...]
    initializer: str
    init_params: dict
    trainable: bool = True
    state: bool = False
    l1: float = 0.0
    l2: float = 0.0

    @property
    def size(self) -> int:
        return int(prod(self.shape))


class Block:
    """Base of every block type. Subclasses set the class attributes and override what differs."""

    type_name: ClassVar[str] = ""
    group: ClassVar[str] = ""           # palette group
    params: ClassVar[ParamSet] = ParamSet(())
    key_params: ClassVar[tuple[str, ...]] = ()  # shown on the canvas node
    has_weights: ClassVar[bool] = False
    icon: ClassVar[str] = ""            # glyph name in designer/icons.py GLYPHS ("" = the generic one)
    # The block's explanation in English (palette tooltip, inspector, canvas): the block's module
    # owns it, beside its parameters, so adding a block needs no separate docs file. Other
    # languages are data (core/blocks/docs.<lang>.json) that translators edit; block_docs() merges.
    summary: ClassVar[str] = ""         # what it computes, in a sentence or two
    tip: ClassVar[str] = ""             # when and how to use it

    @classmethod
    def num_inputs(cls, params: dict[str, Any]) -> int:
        return 1

    @classmethod
    def output_shape(cls, params: dict[str, Any], input_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
        """Shape of one sample of the output (batch axis excluded). Raise ValueError(reason)."""
        return input_shapes[0]

    @classmethod
    def weight_specs(cls, params: dict[str, Any], input_shapes: list[tuple[int, ...]]) -> list[WeightSpec]:
        return []

    @classmethod
    def emit(cls, builder, node_id: str, params: dict[str, Any], inputs: list[int],
             input_shapes: list[tuple[int, ...]]) -> int:
        """Add this block's step(s) to ``builder`` (core.plan.PlanBuilder) by op name —
        ``builder.add_op("dense", inputs, out, weights={...}, ints={...}, floats={...},
        aux={...})``, fields as the op's schema (core/ops/) names them — and return the output
        tensor."""
        raise NotImplementedError(cls.type_name)

    @classmethod
    def torch_module(cls, gen, node_id: str, params: dict[str, Any]):
        """This block in the PyTorch code export: a core.torch_templates.TorchBlock (None: not
        provided here; core/torch_templates.py's tables translate it)."""
        return None

    @classmethod
    def param_count(cls, params, input_shapes) -> tuple[int, int]:
        """(trainable, non-trainable) parameter counts."""
        t = n = 0
        for w in cls.weight_specs(params, input_shapes):
            if w.trainable:
                t += w.size
            else:
                n += w.size
        return t, n


def flat_features(shape: tuple[int, ...], block: str) -> int:
    """Feature count of a rank-1 sample shape, else a ValueError saying to insert Flatten."""
    if len(shape) != 1:
        raise ValueError(f"{block} expects a flat input (features,). Received shape {shape}; "
                         "insert a Flatten block before it.")
    return shape[0]


def initializer_params(prefix: str, default: str) -> tuple[Param, ...]:
    from ..initializers import INITIALIZER_NAMES
    return (
        Param(f"{prefix}_initializer", "choice", default, choices=tuple(INITIALIZER_NAMES),
              doc=f"How the {prefix} weights start. Glorot suits tanh/sigmoid, He suits ReLU."),
    )
