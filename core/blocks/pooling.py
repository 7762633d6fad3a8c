"""MaxPool2D, AveragePool2D and GlobalAveragePool2D: downsampling of images (H, W, C),
channels-last, TensorFlow/Keras conventions (strides default to the pool size; a 'same' max pool
ignores the padding, a 'same' average divides by the image elements in the window only).

Their three ops are in core/ops/pool2d.py (kernels: core/kernels/pool.py, cuda_conv.py).
"""
from __future__ import annotations

from ..params import Param, ParamSet
from .base import Block
from .conv import image_shape, pair, window_geometry


# ----------------------------------------------------------------------------- the blocks

class _Pool2D(Block):
    group = "Convolution"
    op_name = ""
    params = ParamSet((
        Param("pool_size", "shape", (2, 2), doc="Window height and width: one size, or [height, width]."),
        Param("strides", "int", 0, minimum=0, maximum=10_000,
              doc="Step of the window; 0 = the pool size (Keras' default: windows that do not overlap)."),
        Param("padding", "choice", "valid", choices=("valid", "same"),
              doc="'valid': windows inside the image only; 'same': out = ceil(in / stride).",
              convention="TensorFlow 'same': padded positions are ignored, not counted as zeros"),
    ))
    key_params = ("pool_size",)

    @classmethod
    def geometry(cls, params, input_shapes) -> dict[str, int]:
        name = cls.type_name
        hwc = image_shape(input_shapes[0], name)
        k = pair(params["pool_size"], "pool_size", name)
        stride = k if params["strides"] == 0 else pair(params["strides"], "strides", name)
        return window_geometry(name, hwc, k, stride, params["padding"], what="pool size")

    @classmethod
    def output_shape(cls, params, input_shapes):
        g = cls.geometry(params, input_shapes)
        return (g["oh"], g["ow"], g["c_in"])

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        g = cls.geometry(params, input_shapes)
        width = g["oh"] * g["ow"] * g["c_in"]
        out = builder.new_tensor(width, node_id)
        aux = {"argmax": width} if cls.op_name == "maxpool2d" else None
        builder.add_op(cls.op_name, inputs, out, aux=aux, ints=g, node_id=node_id)
        return out


class MaxPool2D(_Pool2D):
    """Keeps the largest value of each window, per channel: smaller maps that keep strong responses."""
    type_name, icon, op_name = "MaxPool2D", "MaxPool2D", "maxpool2d"
    summary = ("Max pooling: keeps the largest value of each window, channel by channel, so "
               "the image gets smaller and strong responses survive.")
    tip = ("The usual 2×2 window halves height and width and has no weights. With 'same' "
           "padding the padded positions are ignored, as in TensorFlow.")


class AveragePool2D(_Pool2D):
    """Averages each window, per channel."""
    type_name, icon, op_name = "AveragePool2D", "AveragePool2D", "avgpool2d"
    summary = "Average pooling: replaces each window by its mean, channel by channel."
    tip = ("Smoother than max pooling. With 'same' padding it divides by the image values in "
           "the window only (TensorFlow's rule; PyTorch counts the zeros unless "
           "count_include_pad=False).")


class GlobalAveragePool2D(Block):
    """Averages each channel over the whole image: (H, W, C) → (C,)."""
    type_name = "GlobalAveragePool2D"
    group = "Convolution"
    icon = "GlobalAveragePool2D"
    summary = ("Global average pooling: the mean of each channel over the whole image, (H, W, "
               "C) → (C,).")
    tip = ("A light alternative to Flatten before the last Dense layer: no weights, and the "
           "output does not depend on the image size.")

    @classmethod
    def output_shape(cls, params, input_shapes):
        return (image_shape(input_shapes[0], cls.type_name)[2],)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        h, w, c = image_shape(input_shapes[0], cls.type_name)
        out = builder.new_tensor(c, node_id)
        builder.add_op("global_avgpool2d", inputs, out, ints={"hw": h * w, "channels": c}, node_id=node_id)
        return out


BLOCKS = (MaxPool2D, AveragePool2D, GlobalAveragePool2D)
