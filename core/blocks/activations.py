"""Activation blocks, one type per function so each has its own palette entry and tooltip.

The element-wise ones share one op (core/ops/act.py) with the function's code; PReLU (learned slopes),
RReLU (random slopes) and Softmax (a row operation) have steps of their own.
"""
from __future__ import annotations

from ..kernels import opcodes as K
from ..params import Param, ParamSet
from .base import Block, WeightSpec


class _Activation(Block):
    group = "Activations"
    act_code: int = K.ACT_LINEAR
    alpha_param: str | None = None   # name of the parameter that goes into the float column

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        width = builder.tensor_width(inputs[0])
        out = builder.new_tensor(width, node_id)
        alpha = params[cls.alpha_param] if cls.alpha_param else 0.0
        builder.add_op("act", inputs, out, ints={"function": cls.act_code}, floats={"alpha": alpha},
                       node_id=node_id)
        return out


def _simple(name, code, alpha: Param | None = None, *, summary: str, tip: str):
    attrs = {"type_name": name, "act_code": code,
             "params": ParamSet((alpha,) if alpha else ()),
             "alpha_param": alpha.name if alpha else None,
             "key_params": (alpha.name,) if alpha else (), "icon": name,
             "summary": summary, "tip": tip}
    return type(name, (_Activation,), attrs)


Linear = _simple("Linear", K.ACT_LINEAR,
                 summary="Passes values through unchanged (the identity).",
                 tip="Use as the output of a regression network.")
# Step's derivative is zero almost everywhere, so nothing upstream of it learns by gradient
# descent: the engine passes a zero gradient on purpose. It is here to show exactly that.
Step = _simple("Step", K.ACT_STEP,
               Param("threshold", "float", 0.0, doc="Output 1 where x ≥ threshold, else 0."),
               summary="Outputs 1 where x ≥ threshold, else 0 — the original perceptron.",
               tip=("Its gradient is zero everywhere, so layers before it cannot learn: try it and watch "
                    "the gradient flow go flat."))
Sigmoid = _simple("Sigmoid", K.ACT_SIGMOID,
                  summary="Squashes values into (0, 1).",
                  tip="Good for a binary output; in deep hidden stacks it saturates and gradients vanish.")
Tanh = _simple("Tanh", K.ACT_TANH,
               summary="Squashes values into (−1, 1), centred on zero.",
               tip="Better than sigmoid for hidden layers, but still saturates in deep networks.")
ReLU = _simple("ReLU", K.ACT_RELU,
               summary="max(0, x): passes positives, zeroes negatives.",
               tip="The default for hidden layers. Use He initialisation; watch for dead units.")
LeakyReLU = _simple("LeakyReLU", K.ACT_LEAKY_RELU,
                    Param("alpha", "float", 0.01, minimum=0.0, doc="Slope for x < 0.",
                          convention="PyTorch default 0.01 (the Keras layer defaults to 0.3)"),
                    summary="Like ReLU but with a small slope α for negative inputs.",
                    tip="Keeps units from dying when many ReLUs go dead.")
ELU = _simple("ELU", K.ACT_ELU, Param("alpha", "float", 1.0, minimum=0.0, doc="α·(eˣ−1) for x < 0."),
              summary="x for x > 0, α·(eˣ−1) below: smooth, with negative outputs.",
              tip="Pushes mean activations towards zero; a smooth ReLU alternative.")
SELU = _simple("SELU", K.ACT_SELU,
               summary="Scaled ELU that keeps activations normalised by itself.",
               tip="Use with LeCun-normal initialisation and AlphaDropout, without BatchNorm.")
Swish = _simple("Swish", K.ACT_SWISH,
                summary="x·sigmoid(x): smooth and non-monotonic.",
                tip="Often a little better than ReLU in deep networks.")
Mish = _simple("Mish", K.ACT_MISH,
               summary="x·tanh(softplus(x)): smooth, like Swish.",
               tip="A smooth ReLU alternative used in some vision models.")
Softplus = _simple("Softplus", K.ACT_SOFTPLUS,
                   summary="log(1+eˣ): a smooth version of ReLU that is always positive.",
                   tip="Useful when an output must be positive.")


class PReLU(Block):
    """Leaky ReLU whose negative slope is learned, one slope per unit."""

    type_name = "PReLU"
    group = "Activations"
    icon = "PReLU"
    summary = "Leaky ReLU whose negative slope is learned, one per unit."
    tip = "Lets the network decide how leaky each unit should be."
    has_weights = True
    params = ParamSet((
        Param("alpha_init", "float", 0.25, doc="Initial slope for x < 0.",
              convention="PyTorch init 0.25 (Keras initialises to 0)"),
        Param("trainable", "bool", True, doc="Untick to freeze the slopes."),
    ))

    @classmethod
    def weight_specs(cls, params, input_shapes):
        from math import prod
        return [WeightSpec("alpha", (prod(input_shapes[0]),), "constant",
                           {"value": params["alpha_init"]}, trainable=params["trainable"])]

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        out = builder.new_tensor(builder.tensor_width(inputs[0]), node_id)
        w = builder.weight_offsets(node_id)
        builder.add_op("prelu", inputs, out, weights=w, train_w=params["trainable"], node_id=node_id)
        return out


class RReLU(Block):
    """Randomised leaky ReLU: slope drawn from U(lower, upper) per element in training,
    the mean slope (lower+upper)/2 in inference (Xu et al. 2015; PyTorch's defaults)."""

    type_name = "RReLU"
    group = "Activations"
    icon = "RReLU"
    summary = "Leaky ReLU with a random slope during training and the mean slope at inference."
    tip = "The randomness acts as a mild regulariser."
    params = ParamSet((
        Param("lower", "float", 1.0 / 8.0, minimum=0.0, maximum=1.0, doc="Smallest random slope."),
        Param("upper", "float", 1.0 / 3.0, minimum=0.0, maximum=1.0, doc="Largest random slope."),
    ))
    key_params = ("lower", "upper")

    @classmethod
    def output_shape(cls, params, input_shapes):
        if params["lower"] > params["upper"]:
            raise ValueError(f"RReLU expects lower <= upper. Received lower={params['lower']}, "
                             f"upper={params['upper']}")
        return input_shapes[0]

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        width = builder.tensor_width(inputs[0])
        out = builder.new_tensor(width, node_id)
        builder.add_op("rrelu", inputs, out, aux={"slopes": width},
                       floats={"lower": params["lower"], "upper": params["upper"]}, node_id=node_id)
        return out


class Softmax(Block):
    """exp(x_i) / Σ_j exp(x_j) over the features; fused with cross-entropy by the engine."""

    type_name = "Softmax"
    group = "Activations"
    icon = "Softmax"
    summary = "Turns scores into probabilities that sum to 1."
    tip = "The output of a multi-class classifier; combined with cross-entropy it is fused for stability."

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        out = builder.new_tensor(builder.tensor_width(inputs[0]), node_id)
        builder.add_op("softmax", inputs, out, node_id=node_id)
        return out


BLOCKS = (Linear, Step, Sigmoid, Tanh, ReLU, LeakyReLU, PReLU, RReLU, ELU, SELU, Swish, Mish,
          Softplus, Softmax)
