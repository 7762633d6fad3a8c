"""Dense (fully connected): y = x·W + b with W of shape [in, out] (Keras layout)."""
from __future__ import annotations

from ..params import Param, ParamSet
from .base import Block, WeightSpec, flat_features, initializer_params


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

    @classmethod
    def output_shape(cls, params, input_shapes):
        flat_features(input_shapes[0], "Dense")
        return (params["units"],)

    @classmethod
    def weight_specs(cls, params, input_shapes):
        fan_in = flat_features(input_shapes[0], "Dense")
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
        n = flat_features(input_shapes[0], "Dense") * units + (units if params["use_bias"] else 0)
        return (n, 0) if params["trainable"] else (0, n)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        out = builder.new_tensor(params["units"], node_id)
        w = builder.weight_offsets(node_id)
        builder.add_op("dense", inputs, out, weights=w, train_w=params["trainable"], node_id=node_id)
        return out


BLOCKS = (Dense,)
