"""Dense (fully connected): y = x·W + b with W of shape [in, out] (Keras layout).

On a sample of rank > 1 it works on the last axis, as Keras' Dense does: (T, F) → (T, units) with
one kernel (F, units) shared by every time step (TimeDistributed(Dense) in older Keras). The op
sees n·T rows of F features (its ``rows_per_sample`` field)."""
from __future__ import annotations

from ..params import Param, ParamSet
from math import prod

from .base import Block, WeightSpec, initializer_params


def _last_axis(shape: tuple[int, ...]) -> tuple[int, int]:
    """(rows per sample, features): Dense runs on the last axis of any sample shape."""
    if len(shape) == 0:
        raise ValueError(f"Dense expects an input with at least one axis. Received shape {shape}.")
    return int(prod(shape[:-1])), int(shape[-1])


class Dense(Block):
    type_name = "Dense"
    group = "Layers"
    has_weights = True
    params = ParamSet((
        Param("units", "int", 8, minimum=1, maximum=1_000_000, doc="Number of output units."),
        Param("use_bias", "bool", True, doc="Add a learned bias to each unit."),
        *initializer_params("kernel", "glorot_uniform"),
        *initializer_params("bias", "zeros"),
        Param("l1", "float", 0.0, minimum=0.0, doc="L1 penalty l1·Σ|w| on the kernel (Keras)."),
        Param("l2", "float", 0.0, minimum=0.0, doc="L2 penalty l2·Σw² on the kernel (Keras)."),
        Param("trainable", "bool", True, doc="Untick to freeze: the weights get no updates."),
    ))
    key_params = ("units",)
    icon = "Dense"
    summary = ("Every input connects to every output unit: y = x·W + b. On a sequence (time steps, "
               "features) it works on the last axis, as in Keras: (time steps, units), one kernel shared "
               "by every step.")
    tip = "The workhorse layer. Pair He initialisation with ReLU, Glorot with tanh/sigmoid."

    @classmethod
    def output_shape(cls, params, input_shapes):
        return (*input_shapes[0][:-1], params["units"]) if input_shapes[0] else (params["units"],)

    @classmethod
    def weight_specs(cls, params, input_shapes):
        fan_in = _last_axis(input_shapes[0])[1]
        t = params["trainable"]
        specs = [WeightSpec("kernel", (fan_in, params["units"]), params["kernel_initializer"], {},
                            trainable=t, l1=params["l1"], l2=params["l2"])]
        if params["use_bias"]:
            specs.append(WeightSpec("bias", (params["units"],), params["bias_initializer"], {}, trainable=t))
        return specs

    @classmethod
    def param_count(cls, params, input_shapes):
        """What summing ``weight_specs`` gives, without building them: counting a 10⁵-node
        design's parameters must not allocate two WeightSpecs per Dense."""
        units = params["units"]
        n = _last_axis(input_shapes[0])[1] * units + (units if params["use_bias"] else 0)
        return (n, 0) if params["trainable"] else (0, n)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        rows, _ = _last_axis(input_shapes[0])
        out = builder.new_tensor(rows * params["units"], node_id)
        w = builder.weight_offsets(node_id)
        builder.add_op("dense", inputs, out, weights=w, ints={"rows_per_sample": rows}, train_w=params["trainable"],
                       node_id=node_id)
        return out


BLOCKS = (Dense,)
