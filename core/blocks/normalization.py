"""BatchNorm and LayerNorm.

BatchNorm follows Keras' conventions: ``moving = momentum·moving + (1−momentum)·batch`` with the
biased batch variance, momentum 0.99, epsilon 1e-3 (PyTorch: momentum 0.1 meaning the other
way round, unbiased variance for the running estimate, eps 1e-5). Batch statistics are used in
training, moving statistics in inference.
"""
from __future__ import annotations

from ..params import Param, ParamSet
from .base import Block, WeightSpec, flat_features


class BatchNorm(Block):
    type_name = "BatchNorm"
    group = "Normalization"
    has_weights = True
    params = ParamSet((
        Param("momentum", "float", 0.99, minimum=0.0, maximum=1.0,
              doc="How much of the old moving statistics each batch keeps.",
              convention="Keras: moving = m·moving + (1−m)·batch (PyTorch's 0.1 ≈ Keras 0.9)"),
        Param("epsilon", "float", 1e-3, minimum=0.0, min_exclusive=True,
              doc="Added to the variance to avoid dividing by zero.", convention="Keras 1e-3 (PyTorch 1e-5)"),
        Param("center", "bool", True, doc="Learn a shift β."),
        Param("scale", "bool", True, doc="Learn a scale γ."),
        Param("trainable", "bool", True, doc="Untick to freeze γ and β."),
    ))
    key_params = ("momentum",)
    icon = "BatchNorm"
    summary = "Normalises each feature over the batch, then scales and shifts it."
    tip = "Speeds up and stabilises training; uses moving statistics at inference. Needs batches > 1."

    @classmethod
    def output_shape(cls, params, input_shapes):
        flat_features(input_shapes[0], "BatchNorm")
        return input_shapes[0]

    @classmethod
    def weight_specs(cls, params, input_shapes):
        n = flat_features(input_shapes[0], "BatchNorm")
        t = params["trainable"]
        specs = []
        if params["scale"]:
            specs.append(WeightSpec("gamma", (n,), "ones", {}, trainable=t))
        if params["center"]:
            specs.append(WeightSpec("beta", (n,), "zeros", {}, trainable=t))
        specs.append(WeightSpec("moving_mean", (n,), "zeros", {}, trainable=False, state=True))
        specs.append(WeightSpec("moving_variance", (n,), "ones", {}, trainable=False, state=True))
        return specs

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        n = builder.tensor_width(inputs[0])
        out = builder.new_tensor(n, node_id)
        w = builder.weight_offsets(node_id)
        builder.add_op("batchnorm", inputs, out, weights=w,
                       aux={"xhat": n, "stats": 4 * n},   # x̂ per sample; mean, 1/σ, Σdy, Σdy·x̂
                       floats={"epsilon": params["epsilon"], "momentum": params["momentum"]},
                       train_w=params["trainable"], node_id=node_id)
        return out


class LayerNorm(Block):
    """Normalises each sample over its features, then applies a learned γ and β per feature.
    Unlike BatchNorm it behaves the same in training and inference and for any batch size."""

    type_name = "LayerNorm"
    group = "Normalization"
    icon = "LayerNorm"
    summary = "Normalises each sample over its features, then scales and shifts it."
    tip = "Independent of batch size; behaves the same in training and inference."
    has_weights = True
    params = ParamSet((
        Param("epsilon", "float", 1e-3, minimum=0.0, min_exclusive=True,
              doc="Added to the variance to avoid dividing by zero.", convention="Keras 1e-3 (PyTorch 1e-5)"),
        Param("trainable", "bool", True, doc="Untick to freeze γ and β."),
    ))

    @classmethod
    def output_shape(cls, params, input_shapes):
        flat_features(input_shapes[0], "LayerNorm")
        return input_shapes[0]

    @classmethod
    def weight_specs(cls, params, input_shapes):
        n = flat_features(input_shapes[0], "LayerNorm")
        t = params["trainable"]
        return [WeightSpec("gamma", (n,), "ones", {}, trainable=t),
                WeightSpec("beta", (n,), "zeros", {}, trainable=t)]

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        n = builder.tensor_width(inputs[0])
        out = builder.new_tensor(n, node_id)
        w = builder.weight_offsets(node_id)
        builder.add_op("layernorm", inputs, out, weights=w, aux={"xhat": n, "invstd": 1},
                       floats={"epsilon": params["epsilon"]}, train_w=params["trainable"], node_id=node_id)
        return out


BLOCKS = (BatchNorm, LayerNorm)
