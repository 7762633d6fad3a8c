"""PyTorch code export of image and sequence designs (Conv2D, the pools, Reshape, SimpleRNN, LSTM,
GRU, Dense on a sequence's last axis): the generated module is imported and checked against
NetDesigner, as tests/test_torch_export.py does for the flat blocks.

* Inference from random weights equals NetDesigner's predict (float64 and float32): the data
  comes flat, the module reshapes it, permutes images to channels-first around nn.Conv2d and the
  pools (TensorFlow's 'same' padding, asymmetric where it is), flattens in NetDesigner's
  channels-last order, runs the recurrent layers batch_first.
* The weights' layout transforms are exact both ways: load_model + save_weights gives the file's
  arrays back bit for bit, NetDesigner imports them, and the recurrent ones agree with the
  independent NumPy conversions of core/kernels/recurrent.py.
* The generated train() takes the engine's steps (float64, one batch per epoch): losses per
  epoch and the weights after training, written back with save_weights.
"""
import numpy as np
import pytest
import torch

from core.blocks import BLOCKS
from core.export import read_weights_file
from core.kernels import recurrent as ref
from core.model import Model
from core.torch_export import export_pytorch, generate_module
from core.trainer import Trainer
from test_torch_export import G, all_blocks_graph, design_of, import_generated, torch_outputs


# ----------------------------------------------------------------------------- designs

def cnn():
    """The brief's CNN: 'same' conv (symmetric pads), max pool, 'valid' conv stride 2, 'same'
    average pool whose padding is asymmetric (bottom/right only) and must not be counted."""
    b = G(8, 8, 1)
    b.add("Conv2D", filters=3, kernel_size=[3, 3], padding="same").add("ReLU")
    b.add("MaxPool2D", pool_size=[2, 2])
    b.add("Conv2D", filters=4, kernel_size=[2, 2], strides=[2, 2], padding="valid").add("Tanh")
    b.add("AveragePool2D", pool_size=[2, 2], strides=1, padding="same")
    b.add("Flatten").add("Dense", units=3)
    return b.g


def cnn_odd():
    """Flat input → Reshape to an image; 'same' conv k3 stride 2 on 8 (TensorFlow pads 0 top, 1
    bottom: nn.ZeroPad2d), L2 on its kernel; 'same' max pool 3 stride 2 (asymmetric: SamePool2d);
    a branch that wants NetDesigner's layout (PReLU: a slope per element) added to one that stays
    channels-first; Dense on the image's last axis (channels); global average pool; a fused
    softmax head."""
    b = G(64, node_id="pixels")
    b.add("Reshape", node_id="image", target_shape="8, 8, 1")
    b.add("Conv2D", node_id="conv", filters=3, kernel_size=[3, 3], strides=[2, 2], padding="same", l2=0.01)
    b.add("MaxPool2D", node_id="pool", pool_size=[3, 3], strides=2, padding="same")
    b.add("PReLU", node_id="slopes", alpha_init=0.1)
    b.add("Conv2D", node_id="mix", src=["pool"], filters=3, kernel_size=[1, 1], use_bias=False)
    b.add("Add", node_id="sum", src=["slopes", "mix"])
    b.add("Dense", node_id="per_pixel", units=2)
    b.add("GlobalAveragePool2D", node_id="gap").add("Dense", units=3).add("Softmax")
    return b.g


def lstm_gru():
    """LSTM (every step) → Dense on the last axis → GRU (last step) → Dense."""
    b = G(7, 3)
    b.add("LSTM", units=5, return_sequences=True).add("Dense", units=4)
    b.add("GRU", units=6).add("Dense", units=2)
    return b.g


def simple_rnn_relu():
    """SimpleRNN relu (every step) → SimpleRNN without bias (every step) → Dense per step: the
    output is a sequence (6, 1), returned flat."""
    b = G(6, 2)
    b.add("SimpleRNN", units=4, activation="relu", return_sequences=True)
    b.add("SimpleRNN", units=3, use_bias=False, return_sequences=True).add("Dense", units=1)
    return b.g


def gru_lstm_no_bias():
    """GRU without bias (every step) → LSTM without bias (last step) → Dense."""
    b = G(5, 2)
    b.add("GRU", units=3, use_bias=False, return_sequences=True).add("LSTM", units=4, use_bias=False)
    b.add("Dense", units=2)
    return b.g


def cnn_global_max():
    """'same' conv → global max pool keeping a 1×1 image (channels-first throughout) → 1×1 conv →
    global max pool to (C,) → Dense."""
    b = G(5, 7, 3)
    b.add("Conv2D", filters=3, kernel_size=[3, 3], padding="same").add("GlobalMaxPool2D", keepdims=True)
    b.add("Conv2D", filters=4, kernel_size=[1, 1]).add("GlobalMaxPool2D").add("Dense", units=2)
    return b.g


DESIGNS = {"cnn": cnn, "cnn-odd": cnn_odd, "lstm-gru": lstm_gru, "simple-rnn-relu": simple_rnn_relu,
           "gru-lstm-no-bias": gru_lstm_no_bias, "cnn-global-max": cnn_global_max}
V2_TYPES = {"Conv2D", "MaxPool2D", "AveragePool2D", "GlobalAveragePool2D", "Reshape", "SimpleRNN", "LSTM", "GRU"}


def _random_model(build, dtype="float64", seed=0, **training):
    """A model of `build()` whose weights are random (biases and slopes too, so none is left at
    a value a wrong mapping would also give)."""
    model = Model(design_of(build(), dtype=dtype, **training))
    rng = np.random.default_rng(seed)
    for w in model.plan.weights:
        model.executor.view(w.name)[...] = rng.normal(0.0, 0.5, w.shape)
    return model


def _n_features(model):
    return int(sum(np.prod(model.design.graph.infer_shapes()[i]) for i in model.design.graph.input_nodes()))


# ----------------------------------------------------------------------------- inference, weights

@pytest.mark.parametrize("name", DESIGNS)
def test_predictions_equal_netdesigners_and_weights_round_trip_exactly(name, tmp_path):
    loss = {"name": "sparse_categorical_crossentropy"} if name == "cnn-odd" else {"name": "mse"}
    model = _random_model(DESIGNS[name], loss=loss)
    export_pytorch(model, tmp_path / "net.py")
    module = import_generated(tmp_path / "net.py")
    net = module.load_model()
    X = np.random.default_rng(1).normal(size=(9, _n_features(model)))
    want = model.predict(X)
    got = torch_outputs(net, module, X)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)

    # save_weights: the file's arrays back bit for bit, and NetDesigner imports them
    module.save_weights(net, str(tmp_path / "back.safetensors"))
    back, _ = read_weights_file(tmp_path / "back.safetensors")
    engine = model.executor.get_weights()
    assert set(back) == set(engine)
    for key, value in engine.items():
        assert back[key].shape == value.shape and np.array_equal(back[key], value), key
    again = Model(model.design)
    again.load_weights(tmp_path / "back.safetensors")
    np.testing.assert_array_equal(again.predict(X), want)


def test_float32_cnn_matches_to_1e5(tmp_path):
    model = _random_model(cnn, dtype="float32", seed=2)
    export_pytorch(model, tmp_path / "net32.py")
    module = import_generated(tmp_path / "net32.py")
    assert module.DTYPE == torch.float32
    X = np.random.default_rng(3).normal(size=(17, 64))
    np.testing.assert_allclose(torch_outputs(module.load_model(), module, X), model.predict(X), rtol=1e-5, atol=1e-5)


def test_generated_forward_permutes_only_at_layout_boundaries(tmp_path):
    """Readable and lean: channels-first from the first Conv2D to the Flatten (one permute each
    way), the asymmetric 'same' padding written out, the recurrent layers batch_first."""
    text = generate_module(design_of(cnn()))
    forward = text[text.index("    def forward"):text.index("def _read_weights")]
    assert forward.count(".permute(0, 3, 1, 2)") == 1 and forward.count(".permute(0, 2, 3, 1)") == 1
    assert "averagepool2d1.permute(0, 2, 3, 1).flatten(1)" in forward
    assert "SamePool2d('avg', (2, 2), (1, 1), (0, 1, 0, 1))" in text          # left, right, top, bottom
    odd = generate_module(design_of(cnn_odd(), loss={"name": "sparse_categorical_crossentropy"}))
    assert "nn.ZeroPad2d((0, 1, 0, 1))" in odd and "SamePool2d('max', (3, 3), (2, 2), (0, 1, 0, 1))" in odd
    assert "'conv.1.weight': {'l1': 0.0, 'l2': 0.01}" in odd                 # REGULARIZED follows the module
    seq = generate_module(design_of(lstm_gru()))
    assert "nn.LSTM(3, 5, batch_first=True)" in seq and "nn.GRU(4, 6, batch_first=True)" in seq
    assert "self.gru1(dense1)[0][:, -1]" in seq and "self.lstm1(input1)[0]  #" in seq
    assert "nonlinearity='relu'" in generate_module(design_of(simple_rnn_relu()))


def test_recurrent_transforms_agree_with_the_kernels_numpy_conversions(tmp_path):
    """The generated TRANSFORMS against core/kernels/recurrent.py's keras_to_torch_* /
    torch_to_keras_* (written independently, in NumPy)."""
    model = _random_model(lstm_gru)
    export_pytorch(model, tmp_path / "seq.py")
    module = import_generated(tmp_path / "seq.py")
    net = module.load_model()
    w = model.executor.get_weights()
    state = {k: v.numpy() for k, v in net.state_dict().items()}
    for nid, convert in (("lstm1", ref.keras_to_torch_lstm), ("gru1", ref.keras_to_torch_gru)):
        want = convert(w[f"{nid}/kernel"], w[f"{nid}/recurrent_kernel"], w[f"{nid}/bias"])
        got = [state[f"{nid}.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)
    to_torch, to_file = module.TRANSFORMS["gru_bias"]
    bias = torch.as_tensor(w["gru1/bias"])
    assert torch.equal(to_file(to_torch(bias)), bias)
    kernel, recurrent, bias = ref.torch_to_keras_gru(*(state[f"gru1.{k}_l0"] for k in
                                                       ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
    np.testing.assert_array_equal(bias, w["gru1/bias"])
    # PyTorch's second LSTM bias is zero and frozen: Keras has one bias per gate
    assert not net.lstm1.bias_hh_l0.requires_grad and not net.lstm1.bias_hh_l0.any()


def test_a_blocks_own_torch_module_hook_is_read_first(tmp_path):
    """A block module can carry its PyTorch translation (Block.torch_module); it wins over the
    tables, and the weights it records load and save like any other's."""
    from core.blocks.dense import Dense
    from core.torch_templates import TorchBlock

    class HookedDense(Dense):
        type_name = "HookedDense"

        @classmethod
        def torch_module(cls, gen, node_id, params):
            v = gen.names[node_id]
            gen.weight(f"{node_id}/kernel", f"{v}.0.weight", "transpose")
            gen.weight(f"{node_id}/bias", f"{v}.0.bias")
            n_in = gen.shape_in(node_id)[-1]
            return TorchBlock(f"nn.Sequential(nn.Linear({n_in}, {params['units']}))", " (from its own hook)")

    assert Dense.torch_module(None, "d", {}) is None              # the default: not provided
    BLOCKS._items["HookedDense"] = HookedDense
    try:
        model = _random_model(lambda: G(3).add("HookedDense", units=2).add("Tanh").g, seed=4)
        export_pytorch(model, tmp_path / "hooked.py")
    finally:
        del BLOCKS._items["HookedDense"]
    assert "(from its own hook)" in (tmp_path / "hooked.py").read_text()
    module = import_generated(tmp_path / "hooked.py")
    net = module.load_model()
    X = np.random.default_rng(6).normal(size=(5, 3))
    np.testing.assert_allclose(torch_outputs(net, module, X), model.predict(X), rtol=1e-12, atol=1e-12)
    module.save_weights(net, str(tmp_path / "back.safetensors"))
    back, _ = read_weights_file(tmp_path / "back.safetensors")
    for key, value in model.executor.get_weights().items():
        np.testing.assert_array_equal(back[key], value)


def test_designs_name_only_registered_blocks():
    """The flat blocks are in test_torch_export.all_blocks_graph; the image and sequence ones in
    DESIGNS here (layout boundaries, weight transforms). Every block is also exported on its own by
    tests/test_catalogue_contract.py, so a new block needs no entry here."""
    covered = {n.type for n in all_blocks_graph().nodes.values()}
    for build in DESIGNS.values():
        covered |= {n.type for n in build().nodes.values()}
    assert covered <= set(BLOCKS.names()), sorted(covered - set(BLOCKS.names()))
    assert V2_TYPES <= covered


# ----------------------------------------------------------------------------- training parity

PARITY = {
    "cnn/adam/mse": (cnn, dict(loss={"name": "mse"}, optimizer={"name": "adam", "params": {"learning_rate": 0.02}})),
    "cnn-odd/sgd-momentum/sparse-cce-fused/l2": (
        cnn_odd, dict(loss={"name": "sparse_categorical_crossentropy"},
                      optimizer={"name": "sgd", "params": {"learning_rate": 0.2, "momentum": 0.9}})),
    "lstm-gru/sgd-momentum/mse": (
        lstm_gru, dict(loss={"name": "mse"}, optimizer={"name": "sgd", "params": {"learning_rate": 0.3, "momentum": 0.5}})),
    "simple-rnn-relu/rmsprop/mse-per-step": (
        simple_rnn_relu, dict(loss={"name": "mse"}, optimizer={"name": "rmsprop", "params": {"learning_rate": 0.01}})),
}


@pytest.mark.parametrize("case", PARITY, ids=list(PARITY))
def test_generated_training_loop_takes_the_engines_steps(case, tmp_path):
    build, training = PARITY[case]
    epochs, n = 4, 24
    model = Model(design_of(build(), dtype="float64", batch_size=n, epochs=epochs, seed=3, **training))
    export_pytorch(model, tmp_path / "net.py")           # the initial weights
    rng = np.random.default_rng(5)
    X = rng.normal(size=(n, _n_features(model)))
    out_width = int(np.prod(model.design.graph.infer_shapes()[model.design.graph.output_node()]))
    if training["loss"]["name"] == "mse":
        y = np.tanh(X[:, :out_width] + X[:, -out_width:])            # a smooth target per output
        task = "regression"
    else:
        y = (X[:, :3].argmax(axis=1)).astype(float).reshape(-1, 1)   # 3 classes
        task = "multiclass"
    trainer = Trainer(model.executor, model.design.training, (X, y), None, task=task, collect_stats=False)
    end = trainer.fit()
    module = import_generated(tmp_path / "net.py")
    net = module.load_model()
    history = module.train(net, X, y, log=lambda *_: None)
    assert len(history["loss"]) == end.epochs_run == epochs
    np.testing.assert_allclose(history["loss"], trainer.history["loss"], rtol=1e-7, atol=1e-10)
    assert history["loss"][-1] < history["loss"][0]                  # it did learn something
    module.save_weights(net, str(tmp_path / "trained.safetensors"))
    got, _ = read_weights_file(tmp_path / "trained.safetensors")
    want = model.executor.get_weights()
    assert set(got) == set(want)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-7, atol=1e-10, err_msg=name)
