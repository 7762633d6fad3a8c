"""Output sizes and scratch sizes of the window ops (Conv2D, the pools), in plain Python.

Kept apart from core/kernels/conv.py so that block modules (imported by the palette at start-up)
can infer shapes without loading numba; conv.py re-exports these names.
"""


def conv_output_size(size, k, stride, padding):
    """(out, pad_before, pad_after) of one spatial axis, as Keras/TensorFlow compute it.

    'valid': out = floor((size − k) / stride) + 1, no padding (out may be ≤ 0: the caller
    reports the shape error). 'same': out = ceil(size / stride), pad_total =
    max((out − 1)·stride + k − size, 0), pad_before = pad_total // 2 (the odd one goes after,
    at the bottom/right — PyTorch's padding= is symmetric, so that case needs an explicit pad)."""
    if k < 1 or stride < 1:
        raise ValueError(f"kernel size and stride must be positive, got k={k}, stride={stride}")
    if padding == "valid":
        return (size - k) // stride + 1 if size >= k else 0, 0, 0
    if padding == "same":
        out = -(-size // stride)
        total = max((out - 1) * stride + k - size, 0)
        return out, total // 2, total - total // 2
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def conv2d_cols_per_sample(oh, ow, kh, kw, c_in):
    """Elements of ``cols`` per sample (the op's per-sample aux)."""
    return oh * ow * kh * kw * c_in


def conv2d_fixed_scratch_size(oh, ow, kh, kw, c_in, filters):
    """Elements of ``scratch`` (the op's fixed aux): the gather table and the transposed kernel."""
    return kh * kw * c_in * (oh * ow + filters)
