"""Conv2D: a 2-D convolution over images (height, width, channels), channels-last as Keras.

The kernel is Keras' (kh, kw, C_in, filters); the engine runs it as im2col + a product
(core/kernels/conv.py), reading it as the (kh·kw·C_in, filters) matrix of the same memory.
'same' padding is TensorFlow's: out = ceil(size / stride), the odd padded row/column at the
bottom/right. Parameters: (kh·kw·C_in + 1)·filters, as Keras' model.summary() counts them.
"""
from __future__ import annotations

from ..kernels.shapes import conv2d_cols_per_sample, conv2d_fixed_scratch_size, conv_output_size
from ..params import Param, ParamSet
from .base import Block, WeightSpec, initializer_params


# ----------------------------------------------------------------------------- shape helpers

def image_shape(shape: tuple[int, ...], block: str) -> tuple[int, int, int]:
    """(H, W, C) of an image sample, else a ValueError that says what to insert."""
    if len(shape) != 3:
        raise ValueError(f"{block} expects images (height, width, channels). Received shape {tuple(shape)}; "
                         "insert a Reshape block before it (e.g. to (8, 8, 1)).")
    return int(shape[0]), int(shape[1]), int(shape[2])


def pair(value, name: str, block: str) -> tuple[int, int]:
    """An int or [a, b] parameter as (a, b) (Keras accepts both)."""
    v = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    if len(v) == 1:
        return int(v[0]), int(v[0])
    if len(v) == 2:
        return int(v[0]), int(v[1])
    raise ValueError(f"{block} expects `{name}` as one size or [height, width]. Received {list(v)}")


def window_geometry(block: str, hwc, k, stride, padding, what: str = "kernel") -> dict[str, int]:
    """The kernels' geometry fields of a window op (Conv2D, the pools) on an (H, W, C) input,
    refusing a 'valid' window larger than the image."""
    h, w, c = hwc
    (kh, kw), (sh, sw) = k, stride
    oh, pt, _ = conv_output_size(h, kh, sh, padding)
    ow, pl, _ = conv_output_size(w, kw, sw, padding)
    if oh < 1 or ow < 1:
        raise ValueError(f"{block}'s {what} ({kh}, {kw}) is larger than its input image ({h}, {w}) with "
                         "padding 'valid'; use a smaller size or padding 'same'")
    return dict(h_in=h, w_in=w, c_in=c, kh=kh, kw=kw, sh=sh, sw=sw, pad_top=pt, pad_left=pl, oh=oh, ow=ow)


# ----------------------------------------------------------------------------- the block

class Conv2D(Block):
    """2-D convolution: `filters` learned kernels slide over the image; each output channel is one
    kernel's response at every position."""

    type_name = "Conv2D"
    group = "Convolution"
    icon = "Conv2D"
    summary = ("Convolution: slides `filters` small learned kernels over an image (height, "
               "width, channels); each filter gives one output channel. Weights (kh, kw, C_in, "
               "filters) plus one bias per filter, as Keras counts them.")
    tip = ("Start with 3×3 kernels and 'same' padding; stack Conv2D → ReLU → MaxPool2D and let "
           "the filters grow as the image shrinks. A stride of 2 halves the image. It needs an "
           "(H, W, C) input: put a Reshape after flat data.")
    has_weights = True
    params = ParamSet((
        Param("filters", "int", 8, minimum=1, maximum=100_000, doc="Number of kernels (output channels)."),
        Param("kernel_size", "shape", (3, 3), doc="Kernel height and width: one size, or [height, width]."),
        Param("strides", "shape", (1, 1), doc="Step of the kernel: one size, or [vertical, horizontal]."),
        Param("padding", "choice", "valid", choices=("valid", "same"),
              doc="'valid': no padding (the image shrinks); 'same': zero padding so out = ceil(in / stride).",
              convention="TensorFlow 'same': an odd padding puts the extra row/column at the bottom/right"),
        Param("use_bias", "bool", True, doc="Add a learned bias to each output channel."),
        *initializer_params("kernel", "glorot_uniform"),
        *initializer_params("bias", "zeros"),
        Param("l1", "float", 0.0, minimum=0.0, doc="L1 penalty l1·Σ|w| on the kernel (Keras)."),
        Param("l2", "float", 0.0, minimum=0.0, doc="L2 penalty l2·Σw² on the kernel (Keras)."),
        Param("trainable", "bool", True, doc="Untick to freeze: the weights get no updates."),
    ))
    key_params = ("filters", "kernel_size")

    @classmethod
    def geometry(cls, params, input_shapes) -> dict[str, int]:
        hwc = image_shape(input_shapes[0], "Conv2D")
        return window_geometry("Conv2D", hwc, pair(params["kernel_size"], "kernel_size", "Conv2D"),
                               pair(params["strides"], "strides", "Conv2D"), params["padding"])

    @classmethod
    def output_shape(cls, params, input_shapes):
        g = cls.geometry(params, input_shapes)
        return (g["oh"], g["ow"], params["filters"])

    @classmethod
    def weight_specs(cls, params, input_shapes):
        g = cls.geometry(params, input_shapes)
        t, f = params["trainable"], params["filters"]
        specs = [WeightSpec("kernel", (g["kh"], g["kw"], g["c_in"], f), params["kernel_initializer"], {},
                            trainable=t, l1=params["l1"], l2=params["l2"])]
        if params["use_bias"]:
            specs.append(WeightSpec("bias", (f,), params["bias_initializer"], {}, trainable=t))
        return specs

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        g = cls.geometry(params, input_shapes)
        f = params["filters"]
        out = builder.new_tensor(g["oh"] * g["ow"] * f, node_id)
        cols = conv2d_cols_per_sample(g["oh"], g["ow"], g["kh"], g["kw"], g["c_in"])
        scratch = conv2d_fixed_scratch_size(g["oh"], g["ow"], g["kh"], g["kw"], g["c_in"], f)
        builder.add_op("conv2d", inputs, out, weights=builder.weight_offsets(node_id),
                       aux={"cols": cols, "scratch": scratch}, ints={**g, "filters": f},
                       train_w=params["trainable"], node_id=node_id)
        return out


BLOCKS = (Conv2D,)
