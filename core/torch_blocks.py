"""The PyTorch code export of the image and sequence blocks (Conv2D, the pools, Reshape, SimpleRNN,
LSTM, GRU): per block type, a function (gen, node id, params) → ``TorchBlock`` (core/torch_templates.py).

core.torch_templates.block_module reads a block's own ``Block.torch_module`` hook first, then this
table. The conventions bridged here:

* Layout. NetDesigner (like Keras) keeps images channels-last, (H, W, C); nn.Conv2d and the pools
  want channels-first. These blocks read and write NCHW, and the generator permutes only where a
  block wanting the other layout follows (a Flatten permutes back first, so the flattened order —
  and the next Dense's kernel — is NetDesigner's).
* 'same' padding is TensorFlow's: the odd padded row/column goes at the bottom/right. Where that
  is symmetric it is nn.Conv2d's / the pools' own ``padding=``; otherwise an explicit
  nn.ZeroPad2d before the convolution, and ``SamePool2d`` for the pools (padding ignored: −inf for
  max, not counted in an average — PyTorch's count_include_pad=False).
* Recurrent layers run batch_first (batch, T, F). Keras keeps one bias per gate where PyTorch
  keeps two (bias_ih + bias_hh): SimpleRNN's and LSTM's bias goes to bias_ih, and bias_hh is
  zero and frozen, so training takes the same steps as NetDesigner (a second trainable bias
  would double the bias' step). GRU (reset_after=True) has two biases in both: the rows map
  one to one. Gate orders: LSTM [i, f, c, o] is torch's [i, f, g, o]; GRU [z, r, h] is torch's
  [r, z, n] (the ``gru_*`` weight transforms swap the first two blocks).

Plain text work, like the rest of the exporter: nothing here imports torch.
"""
from __future__ import annotations

from .torch_templates import NATIVE, NCHW, TorchBlock, TorchExportError


def _pads(g: dict[str, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of a window op's geometry (core/blocks/conv.py window_geometry)."""
    bottom = max((g["oh"] - 1) * g["sh"] + g["kh"] - g["h_in"], 0) - g["pad_top"]
    right = max((g["ow"] - 1) * g["sw"] + g["kw"] - g["w_in"], 0) - g["pad_left"]
    return g["pad_top"], bottom, g["pad_left"], right


def _geometry(gen, nid: str, block_type: str, params: dict) -> dict[str, int]:
    from .blocks import BLOCKS
    return BLOCKS.get(block_type).geometry(params, [gen.shape_in(nid)])


def _padding_note(top, bottom, left, right) -> str:
    return f"TensorFlow 'same' pads top {top}, bottom {bottom}, left {left}, right {right}"


def conv2d(gen, nid: str, p: dict) -> TorchBlock:
    g = _geometry(gen, nid, "Conv2D", p)
    v = gen.names[nid]
    top, bottom, left, right = _pads(g)
    f = p["filters"]
    bias = "" if p["use_bias"] else ", bias=False"
    geometry = f"kernel_size=({g['kh']}, {g['kw']}), stride=({g['sh']}, {g['sw']})"
    comment = f": {g['c_in']} → {f} channels, NHWC in NetDesigner, NCHW here"
    if p["l1"] or p["l2"]:
        comment += f"; kernel penalty l1={p['l1']:g}, l2={p['l2']:g} (see REGULARIZED)"
    if top == bottom and left == right:
        conv = f"nn.Conv2d({g['c_in']}, {f}, {geometry}, padding=({top}, {left}){bias})"
        attr = v
    else:      # the odd row/column at the bottom/right: PyTorch's padding= is symmetric
        conv = (f"nn.Sequential(nn.ZeroPad2d(({left}, {right}, {top}, {bottom})), "
                f"nn.Conv2d({g['c_in']}, {f}, {geometry}{bias}))")
        attr = f"{v}.1"
        comment += "; " + _padding_note(top, bottom, left, right)
    gen.weight(f"{nid}/kernel", f"{attr}.weight", "conv2d")
    if p["use_bias"]:
        gen.weight(f"{nid}/bias", f"{attr}.bias")
    return TorchBlock(conv, comment, reads=NCHW)


def _pool(kind: str, block_type: str):
    def translate(gen, nid: str, p: dict) -> TorchBlock:
        g = _geometry(gen, nid, block_type, p)
        top, bottom, left, right = _pads(g)
        k, s = f"({g['kh']}, {g['kw']})", f"({g['sh']}, {g['sw']})"
        if top == bottom and left == right:
            if kind == "max":        # PyTorch pads a max pool with −inf: ignored, as in TensorFlow
                return TorchBlock(f"nn.MaxPool2d({k}, stride={s}, padding=({top}, {left}))", reads=NCHW)
            return TorchBlock(f"nn.AvgPool2d({k}, stride={s}, padding=({top}, {left}), count_include_pad=False)",
                              ": padded positions are not counted (TensorFlow's 'same')" if top or left else "",
                              reads=NCHW)
        gen.helpers.add("SamePool2d")
        return TorchBlock(f"SamePool2d({kind!r}, {k}, {s}, ({left}, {right}, {top}, {bottom}))",
                          ": " + _padding_note(top, bottom, left, right), reads=NCHW)
    return translate


def global_average_pool2d(gen, nid: str, p: dict) -> TorchBlock:
    return TorchBlock(None, call="{x}.mean(dim=(2, 3))", reads=NCHW, writes=NATIVE)


def reshape(gen, nid: str, p: dict) -> TorchBlock:
    shape = ", ".join(str(s) for s in gen.shapes[nid])
    return TorchBlock(None, call=f"{{x}}.reshape(len({{x}}), {shape})", reads=NATIVE)


_RNN = {"SimpleRNN": "nn.RNN", "LSTM": "nn.LSTM", "GRU": "nn.GRU"}


def _recurrent(block_type: str):
    def translate(gen, nid: str, p: dict) -> TorchBlock:
        shape = gen.shape_in(nid)
        if len(shape) != 2:
            raise TorchExportError(f"{block_type} expects sequences (time steps, features); received {shape}", nid)
        features, h = shape[1], p["units"]
        v = gen.names[nid]
        args = f"{features}, {h}, batch_first=True"
        if block_type == "SimpleRNN" and p.get("activation", "tanh") != "tanh":
            args += f", nonlinearity={p['activation']!r}"
        if not p["use_bias"]:
            args += ", bias=False"
        layout = "gru_kernel" if block_type == "GRU" else "transpose"
        gen.weight(f"{nid}/kernel", f"{v}.weight_ih_l0", layout)
        gen.weight(f"{nid}/recurrent_kernel", f"{v}.weight_hh_l0", layout)
        init: tuple[str, ...] = ()
        comment = (f": {features} features → {h} units per step; forward takes [0], the outputs of every step"
                   + ("" if p["return_sequences"] else ", and of those the last, [:, -1] (return_sequences off)"))
        if block_type == "GRU":
            comment += "; Keras' gates [z, r, h] are PyTorch's [r, z, n] (reset_after=True in both)"
            if p["use_bias"]:
                gen.weight(f"{nid}/bias", (f"{v}.bias_ih_l0", f"{v}.bias_hh_l0"), "gru_bias")
        elif p["use_bias"]:
            gen.weight(f"{nid}/bias", f"{v}.bias_ih_l0")
            init = ("nn.init.zeros_({m}.bias_hh_l0)  # Keras' one bias is bias_ih; PyTorch's second stays 0",
                    "{m}.bias_hh_l0.requires_grad_(False)")
        if p["l1"] or p["l2"]:
            comment += f"; kernel penalty l1={p['l1']:g}, l2={p['l2']:g} (see REGULARIZED)"
        call = "{m}({x})[0]"      # the outputs of every step, (batch, T, units)
        if not p["return_sequences"]:
            call += "[:, -1]"     # the last step's, as Keras' return_sequences=False
        return TorchBlock(f"{_RNN[block_type]}({args})", comment, call=call, reads=NATIVE, init=init)
    return translate


TRANSLATIONS = {
    "Conv2D": conv2d,
    "MaxPool2D": _pool("max", "MaxPool2D"),
    "AveragePool2D": _pool("avg", "AveragePool2D"),
    "GlobalAveragePool2D": global_average_pool2d,
    "Reshape": reshape,
    "SimpleRNN": _recurrent("SimpleRNN"),
    "LSTM": _recurrent("LSTM"),
    "GRU": _recurrent("GRU"),
}
