"""GlobalAveragePool1D and GlobalMaxPool1D (Keras' GlobalAveragePooling1D / GlobalMaxPooling1D):
the mean or the largest value of each feature over all time steps of a sequence, (T, F) → (F,),
channels-last — the usual bridge from an LSTM with ``return_sequences`` to a Dense classifier.

No op of their own: a sequence (T, F) laid out flat is exactly an image (T, 1, F) of the same
values, so they lower to the image ops ``global_avgpool2d`` (hw = T, channels = F; core/blocks/
pooling.py) and ``global_maxpool2d`` (h_in = T, w_in = 1, channels = F, argmax aux of F per sample;
core/blocks/global_max_pool.py). CPU and CUDA kernels, the ONNX conversion and the max pool's
tie/NaN convention (the first maximum in time takes the whole gradient; a NaN wins) come from
those ops, unchanged; the ops' modules emit the steps (numba-free at import, as every block module).

Group: "Recurrent", beside SimpleRNN, LSTM and GRU, because that is where a learner building a
sequence model looks for them and what they follow; the "Convolution" group is about images, and
these blocks refuse images.
"""
from __future__ import annotations

from .base import Block
from .global_max_pool import emit_max_over_positions
from .pooling import emit_mean_over_positions
from .recurrent import sequence_shape


class GlobalAveragePool1D(Block):
    """Averages each feature over the time steps: (T, F) → (F,)."""
    type_name = "GlobalAveragePool1D"
    group = "Recurrent"
    icon = "GlobalAveragePool2D"        # the global-pooling glyph of designer/icons.py
    summary = ("Global average pooling over time: the mean of each feature over all the time "
               "steps of a sequence, (T, F) → (F,).")
    tip = ("Put it after a recurrent layer with return_sequences to classify a whole sequence "
           "from every step, not only the last one. No weights; the output does not depend on "
           "the sequence length.")

    @classmethod
    def output_shape(cls, params, input_shapes):
        return (sequence_shape(input_shapes[0], cls.type_name)[1],)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        t, f = sequence_shape(input_shapes[0], cls.type_name)
        return emit_mean_over_positions(builder, node_id, inputs, t, f)

    @classmethod
    def torch_module(cls, gen, node_id, params):
        """The mean over the time axis of the (N, T, F) tensor a recurrent layer returns."""
        from ..torch_templates import NATIVE, TorchBlock
        return TorchBlock(None, call="{x}.mean(dim=1)", reads=NATIVE, writes=NATIVE)


class GlobalMaxPool1D(Block):
    """Keeps the largest value of each feature over the time steps: (T, F) → (F,)."""
    type_name = "GlobalMaxPool1D"
    group = "Recurrent"
    icon = "GlobalAveragePool2D"        # the global-pooling glyph of designer/icons.py
    summary = ("Global max pooling over time: the largest value of each feature over all the "
               "time steps of a sequence, (T, F) → (F,).")
    tip = ("Tells whether each feature fired at some step of the sequence, not when: one strong "
           "step is enough. Put it after a recurrent layer with return_sequences. No weights.")

    @classmethod
    def output_shape(cls, params, input_shapes):
        return (sequence_shape(input_shapes[0], cls.type_name)[1],)

    @classmethod
    def emit(cls, builder, node_id, params, inputs, input_shapes):
        t, f = sequence_shape(input_shapes[0], cls.type_name)
        return emit_max_over_positions(builder, node_id, inputs, t, 1, f)

    @classmethod
    def torch_module(cls, gen, node_id, params):
        """The max over the time axis of the (N, T, F) tensor a recurrent layer returns."""
        from ..torch_templates import NATIVE, TorchBlock
        return TorchBlock(None, call="{x}.amax(dim=1)", reads=NATIVE, writes=NATIVE)


BLOCKS = (GlobalAveragePool1D, GlobalMaxPool1D)
