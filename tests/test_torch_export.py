"""PyTorch code export (core/torch_export.py): the generated module is imported and checked
against NetDesigner itself.

* Inference: every example design and a synthetic design using every block type, trained a
  little by the engine, give the same outputs in PyTorch (eval mode) to 1e-5, from raw features
  (the input scaling travels with the weights).
* Training: the generated `train()` reproduces the engine's updates — loss, optimizer, schedule,
  clipping, L1/L2, BatchNorm statistics and early stopping — step for step (float64, one batch
  per epoch so the shuffles cannot differ), checked by writing the weights back with the
  module's `save_weights` and reading them with NetDesigner.
* The CLI, the module's own `__main__` and the designer's export dialog write and run it.
"""
import importlib.util
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from core.blocks import BLOCKS
from core.cli import main as cli_main
from core.data import one_hot
from core.designfile import Design, load_design, save_design
from core.export import read_weights_file
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training
from core.torch_export import TorchExportError, export_pytorch, python_names, weights_path_for
from core.trainer import Trainer

TOL = 1e-5
EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
_count = itertools.count()


def import_generated(path):
    """Import a generated module from its file, under a fresh name."""
    spec = importlib.util.spec_from_file_location(f"generated_net_{next(_count)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def torch_outputs(net, module, X) -> np.ndarray:
    with torch.no_grad():
        return net(torch.as_tensor(X, dtype=module.DTYPE)).numpy()


def params_of(net) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


# ----------------------------------------------------------------------------- building designs

class G:
    """G(3).add("Dense", units=4).add("ReLU") …; `src=[…]` connects several ports (merges)."""

    def __init__(self, *shape, node_id=None):
        self.g = Graph()
        self.last = self.g.add_node("Input", {"shape": list(shape)}, node_id=node_id).id

    def add(self, kind, node_id=None, src=None, **params):
        nid = self.g.add_node(kind, params, node_id=node_id).id
        for port, s in enumerate(src if src is not None else [self.last]):
            self.g.connect(s, nid, port)
        self.last = nid
        return self


def design_of(graph, name="test net", data=None, **training) -> Design:
    return Design(graph, validate_training(training), validate_data(data or {}), name=name)


def all_blocks_graph() -> Graph:
    """Every block type at least once: two Inputs (one multi-axis), Flatten, Concat, Dense,
    BatchNorm without β, every activation on branches merged by Add, LayerNorm, both Dropouts,
    AlphaDropout, a fused Softmax head; node ids that are not Python names or clash with it."""
    b = G(2, 3, node_id="in-a")
    b.add("PReLU", node_id="prelu_grid", alpha_init=0.2).add("Flatten", node_id="flat")
    b.g.add_node("Input", {"shape": [2]}, node_id="in.b")
    b.add("Concat", node_id="class", src=["flat", "in.b"])
    b.add("Dense", node_id="x", units=10).add("BatchNorm", node_id="bn", momentum=0.8, center=False)
    acts = [("PReLU", {}), ("RReLU", {"lower": 0.1, "upper": 0.4}), ("LeakyReLU", {"alpha": 0.2}),
            ("ELU", {"alpha": 0.7}), ("SELU", {}), ("Swish", {}), ("Mish", {}), ("Softplus", {}),
            ("Tanh", {}), ("Sigmoid", {}), ("ReLU", {}), ("Linear", {}), ("Step", {"threshold": 0.1})]
    ids = []
    for i, (kind, params) in enumerate(acts):
        b.add(kind, node_id=f"act{i}", src=["bn"], **params)
        ids.append(b.last)
    b.add("Add", node_id="sum1", src=ids[:8], num_inputs=8)
    b.add("Add", node_id="sum2", src=ids[8:], num_inputs=5)
    b.add("Concat", node_id="forward", src=["sum1", "sum2"])
    b.add("LayerNorm", node_id="ln", epsilon=1e-4)
    b.add("Dropout", node_id="drop", rate=0.3).add("Dropout", node_id="drop-classic", rate=0.2, inverted=False)
    b.add("AlphaDropout", node_id="adrop", rate=0.1)
    b.add("Dense", node_id="head", units=3).add("Softmax", node_id="softmax")
    return b.g


# ----------------------------------------------------------------------------- inference

@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_example_matches_netdesigner_and_trains_an_epoch(path, tmp_path):
    design = load_design(path)
    model = Model.from_design(design)
    model.fit(epochs=1, collect_stats=False)
    weights = export_pytorch(model, tmp_path / "net.py")
    assert weights == str(tmp_path / "net.safetensors")
    module = import_generated(tmp_path / "net.py")
    net = module.load_model()                        # the weights next to the module
    assert not net.training
    data = model.data
    X_raw = data.scaler.inverse_transform(data.X_val)
    np.testing.assert_allclose(torch_outputs(net, module, X_raw), model.predict(X_raw), rtol=TOL, atol=TOL)
    assert net.class_names == data.class_names
    if data.scaler.kind != "none":
        np.testing.assert_allclose(net.input_offset.numpy(), data.scaler.offset, rtol=1e-6)

    before = params_of(net)
    X_train = data.scaler.inverse_transform(data.X_train)
    history = module.train(net, X_train, data.y_train, X_val=X_raw, y_val=data.y_val, epochs=1,
                           log=lambda *_: None)
    assert len(history["loss"]) == 1 and math.isfinite(history["loss"][0])
    assert math.isfinite(history["val_loss"][0])
    after = params_of(net)
    changed = [k for k in before if not np.array_equal(before[k], after[k])]
    assert any(k.endswith(".weight") for k in changed)
    assert not any(k.startswith("input_") for k in changed)     # the scaler is not trained


def test_every_block_matches_netdesigner(tmp_path):
    graph = all_blocks_graph()
    # the flat blocks; the image and sequence ones are in test_torch_export_v2.DESIGNS, and
    # test_torch_export_v2.test_every_block_type_is_exported_by_a_test checks the two cover every type
    assert {n.type for n in graph.nodes.values()} <= set(BLOCKS.names())
    design = design_of(graph, name="all blocks", loss={"name": "sparse_categorical_crossentropy"},
                       batch_size=16, data={"name": "blobs", "params": {"dims": 8, "centers": 3}})
    model = Model.from_design(design)
    model.fit(epochs=2, collect_stats=False)         # moves BatchNorm's statistics, PReLU's slopes
    export_pytorch(model, tmp_path / "all_blocks.py")
    source = (tmp_path / "all_blocks.py").read_text()
    module = import_generated(tmp_path / "all_blocks.py")
    net = module.load_model(str(tmp_path / "all_blocks.safetensors"))
    data = model.data
    X_raw = data.scaler.inverse_transform(np.concatenate([data.X_train, data.X_val]))
    got = torch_outputs(net, module, X_raw)
    np.testing.assert_allclose(got, model.predict(X_raw), rtol=TOL, atol=TOL)
    # scaled inputs can go in as they are
    with torch.no_grad():
        again = net(torch.as_tensor(data.X_val, dtype=module.DTYPE), scaled=True).numpy()
    np.testing.assert_allclose(again, model.predict(data.scaler.inverse_transform(data.X_val)), rtol=TOL, atol=TOL)

    # readable: submodules named after the node ids, the odd ones made into Python names
    names = dict(net.named_children())
    assert {"x_", "bn", "prelu_grid", "act1", "ln", "drop_classic", "head", "softmax"} <= set(names)
    assert isinstance(names["act1"], torch.nn.RReLU) and isinstance(names["drop"], torch.nn.Dropout)
    assert isinstance(names["adrop"], torch.nn.AlphaDropout) and isinstance(names["ln"], torch.nn.LayerNorm)
    assert "# (batch, 2, 3) Input 'in-a'" in source and "torch.cat([sum1, sum2], dim=1)" in source
    assert names["bn"].momentum == pytest.approx(0.2)        # Keras 0.8 → PyTorch 0.2
    assert names["bn"].weight is not None and names["bn"].bias is None   # center=False: no β

    # training behaviour of the random blocks, and one epoch of the generated loop
    net.train()
    z = -torch.rand(4000, dtype=torch.float64) - 0.5
    slopes = (names["act1"].double()(z) / z)
    assert 0.1 <= slopes.min() < 0.15 and 0.35 < slopes.max() <= 0.4      # U(lower, upper) per element
    kept = names["drop_classic"].double()(torch.ones(4000, dtype=torch.float64))
    assert set(kept.unique().tolist()) == {0.0, 1.0} and 0.75 < kept.mean() < 0.85   # no rescaling
    net.eval()
    assert torch.allclose(names["drop_classic"](torch.ones(3)), torch.full((3,), 0.8))
    assert torch.allclose(names["act1"](torch.tensor([-1.0])), torch.tensor([-0.25]))   # mean slope
    before = params_of(net)
    history = module.train(net, data.scaler.inverse_transform(data.X_train), data.y_train, epochs=1,
                           log=lambda *_: None)
    assert math.isfinite(history["loss"][0])
    after = params_of(net)
    for key in ("x_.weight", "bn.weight", "bn.running_mean", "bn.running_var", "act0.weight", "ln.bias"):
        assert not np.array_equal(before[key], after[key]), key


@pytest.mark.parametrize("build", [
    lambda: G(2, 3).add("Softmax").g,                                       # softmax over all 6 values
    lambda: G(2, 3).add("PReLU").add("Dropout", rate=0.5).add("Sigmoid").g,   # a multi-axis output
], ids=["softmax", "prelu-output"])
def test_multi_axis_samples_are_treated_flat_as_netdesigner_does(build, tmp_path):
    model = Model(design_of(build(), loss={"name": "categorical_crossentropy"}))
    rng = np.random.default_rng(4)
    for w in model.plan.weights:
        model.executor.view(w.name)[...] = rng.uniform(0.05, 0.5, w.shape)
    export_pytorch(model, tmp_path / "grid.py")
    module = import_generated(tmp_path / "grid.py")
    net = module.load_model()
    X = rng.normal(size=(20, 6))
    got = torch_outputs(net, module, X)
    assert got.shape == (20, 6)
    np.testing.assert_allclose(got, model.predict(X), rtol=TOL, atol=TOL)


# ----------------------------------------------------------------------------- training parity

def _regression(n=40, k=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, np.stack([np.sin(X[:, 0]) + X[:, 1], X[:, 2] * X[:, 0]], axis=1)[:, :k]


def _classes(n=40, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5]) % k).astype(float)


PARITY = {
    "sgd-nesterov/mse/exponential/clip-value": (
        lambda: G(3).add("Dense", units=5).add("Tanh").add("Dense", units=2).g,
        dict(loss={"name": "mse"}, optimizer={"name": "sgd", "params": {"learning_rate": 0.1, "momentum": 0.9,
                                                                         "nesterov": True}},
             schedule={"name": "exponential", "params": {"decay_steps": 2, "decay_rate": 0.5, "staircase": True}},
             clip_value=0.05), "regression"),
    "adamw/bce-logits/cosine-warmup/clip-norm/l1-l2": (
        lambda: G(3).add("Dense", units=6, l1=0.01, l2=0.02).add("ReLU").add("Dense", units=1).g,
        dict(loss={"name": "binary_crossentropy", "params": {"from_logits": True}},
             optimizer={"name": "adamw", "params": {"learning_rate": 0.05, "weight_decay": 0.1}},
             schedule={"name": "cosine", "params": {"decay_steps": 4, "alpha": 0.1, "warmup_steps": 2}},
             clip_norm=0.5), "binary"),
    "rmsprop/huber/step/layernorm/prelu": (
        lambda: G(3).add("Dense", units=6).add("LayerNorm").add("PReLU").add("Dense", units=2).g,
        dict(loss={"name": "huber", "params": {"delta": 0.3}},
             optimizer={"name": "rmsprop", "params": {"learning_rate": 0.01, "rho": 0.9}},
             schedule={"name": "step", "params": {"step_size": 2, "gamma": 0.5}}), "regression"),
    "adagrad/sparse-cce-fused/plateau/batchnorm": (
        lambda: G(3).add("Dense", units=6).add("BatchNorm", momentum=0.8, epsilon=0.01).add("ELU")
        .add("Dense", units=3).add("Softmax").g,
        dict(loss={"name": "sparse_categorical_crossentropy"},
             optimizer={"name": "adagrad", "params": {"learning_rate": 0.1, "initial_accumulator_value": 0.1}},
             schedule={"name": "plateau", "params": {"patience": 1, "min_delta": 10.0, "factor": 0.5}}),
        "multiclass"),
    "adam/cce-onehot-fused/early-stopping-restores": (
        lambda: G(3).add("Dense", units=4).add("Swish").add("Dense", units=3).add("Softmax").g,
        dict(loss={"name": "categorical_crossentropy"}, optimizer={"name": "adam", "params": {"learning_rate": 0.05}},
             early_stopping={"enabled": True, "monitor": "loss", "patience": 1, "min_delta": 100.0,
                             "restore_best_weights": True}), "multiclass"),
    "sgd/mae/mish-softplus-selu-leaky/no-bias/frozen": (
        lambda: G(3).add("Dense", units=5).add("Mish").add("Dense", units=5, use_bias=False).add("Softplus")
        .add("Dense", units=5, trainable=False).add("SELU").add("Dense", units=5).add("LeakyReLU", alpha=0.2)
        .add("Dense", units=2).g,
        dict(loss={"name": "mae"}, optimizer={"name": "sgd", "params": {"learning_rate": 0.05}}), "regression"),
    "adamw/bce-probabilities/step-branch-gets-zero-gradient": (
        lambda: _step_branch(),
        dict(loss={"name": "binary_crossentropy"},
             optimizer={"name": "adamw", "params": {"learning_rate": 0.05, "weight_decay": 0.5}}), "binary"),
    "sgd-momentum/sparse-cce-logits/clip-value-then-norm": (
        lambda: G(3).add("Dense", units=5).add("Sigmoid").add("Dense", units=3).g,
        dict(loss={"name": "sparse_categorical_crossentropy", "params": {"from_logits": True}},
             optimizer={"name": "sgd", "params": {"learning_rate": 0.3, "momentum": 0.5}},
             clip_value=0.3, clip_norm=0.2), "multiclass"),      # SGD: Adam would hide a missing norm clip
}


def _step_branch():
    b = G(3, node_id="in")
    b.add("Dense", node_id="gate", units=4).add("Step", threshold=0.0)
    step = b.last
    b.add("Dense", node_id="direct", units=4, src=["in"]).add("Tanh")
    b.add("Concat", src=[step, b.last]).add("Dense", units=1).add("Sigmoid")
    return b.g


@pytest.mark.parametrize("case", PARITY, ids=list(PARITY))
def test_generated_training_loop_takes_the_engines_steps(case, tmp_path):
    build, training, task = PARITY[case]
    epochs = 5
    X, y = _regression() if task == "regression" else _classes(k=3 if task == "multiclass" else 2)
    design = design_of(build(), dtype="float64", batch_size=len(X), epochs=epochs, seed=3, **training)
    model = Model(design)
    export_pytorch(model, tmp_path / "net.py")           # the initial weights
    loss = design.training["loss"]["name"]
    Y = one_hot(y, 3) if loss == "categorical_crossentropy" else y.reshape(len(y), -1)
    trainer = Trainer(model.executor, design.training, (X, Y), None, task=task, collect_stats=False)
    end = trainer.fit()
    module = import_generated(tmp_path / "net.py")
    net = module.load_model()
    history = module.train(net, X, y, log=lambda *_: None)
    assert len(history["loss"]) == end.epochs_run
    np.testing.assert_allclose(history["loss"], trainer.history["loss"], rtol=1e-7, atol=1e-10)
    module.save_weights(net, str(tmp_path / "trained.safetensors"))
    got, meta = read_weights_file(tmp_path / "trained.safetensors")
    want = model.executor.get_weights()
    assert set(got) == set(want)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-7, atol=1e-10, err_msg=name)
    if "early" in case:
        assert end.epochs_run == 2 and len(history["loss"]) == 2     # stopped, best epoch restored


def test_the_step_case_really_has_a_zero_gradient_weight(tmp_path):
    """The parity case above is only meaningful if the gate's weights move by decay alone."""
    design = design_of(_step_branch(), dtype="float64", batch_size=40, epochs=2,
                       loss={"name": "binary_crossentropy"},
                       optimizer={"name": "adamw", "params": {"learning_rate": 0.05, "weight_decay": 0.5}})
    model = Model(design)
    before = model.executor.get_weights()["gate/kernel"].copy()
    X, y = _classes(k=2)
    Trainer(model.executor, design.training, (X, y.reshape(-1, 1)), None, task="binary", collect_stats=False).fit()
    np.testing.assert_allclose(model.executor.get_weights()["gate/kernel"], before * (1 - 0.05 * 0.5) ** 2)


def test_probabilities_are_clipped_as_keras_does(tmp_path):
    """From probabilities, p is clipped to [1e-7, 1 − 1e-7] with no gradient where clipped
    (core/losses.py): a saturated sigmoid gives −log(1e-7), not PyTorch's −100 floor or inf."""
    export_pytorch(Model(load_design(EXAMPLES / "xor.json")), tmp_path / "xor.py")
    module = import_generated(tmp_path / "xor.py")
    p = torch.tensor([[1.0], [0.0], [0.3]], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([[0.0], [1.0], [1.0]], dtype=torch.float64)
    loss = module.loss_fn(p, t)
    assert float(loss.detach()) == pytest.approx((2 * -math.log(1e-7) - math.log(0.3)) / 3, rel=1e-9)
    loss.backward()
    assert p.grad[0, 0] == 0 and p.grad[1, 0] == 0 and p.grad[2, 0] == pytest.approx(-1 / (0.3 * 3))


# ----------------------------------------------------------------------------- CLI, __main__, dialog

def test_cli_writes_a_module_whose_main_trains_and_round_trips(tmp_path, capsys):
    design_path = EXAMPLES / "xor.json"
    model = Model.from_design(load_design(design_path))
    model.fit(epochs=2, collect_stats=False)
    model.save_weights(tmp_path / "xor.npz")
    rc = cli_main(["export", str(design_path), str(tmp_path / "xor.npz"), "--format", "pytorch",
                   "-o", str(tmp_path / "xor_net.py")])
    out = capsys.readouterr().out
    assert rc == 0 and "xor_net.safetensors" in out
    module = import_generated(tmp_path / "xor_net.py")
    net = module.load_model()
    X_raw = model.scaler.inverse_transform(model.data.X_val)
    np.testing.assert_allclose(torch_outputs(net, module, X_raw), model.predict(X_raw), rtol=TOL, atol=TOL)
    assert net.class_names == ["same signs", "opposite signs"]

    # python xor_net.py --data … : trains and writes weights NetDesigner reads back
    X_all = model.scaler.inverse_transform(np.concatenate([model.data.X_train, model.data.X_val]))
    y_all = np.concatenate([model.data.y_train, model.data.y_val])[:, 0].astype(np.int64)
    np.savez(tmp_path / "data.npz", X=X_all, y=y_all)
    module.main(["--data", str(tmp_path / "data.npz"), "--epochs", "2", "--device", "cpu",
                 "--out", str(tmp_path / "trained.safetensors")])
    assert "epoch 2/2" in capsys.readouterr().out
    trained = module.load_model(str(tmp_path / "trained.safetensors"))
    back = Model(load_design(design_path))
    meta = back.load_weights(tmp_path / "trained.safetensors")
    assert meta["epoch"] == 4 and set(meta["metrics"]) >= {"loss", "val_loss", "val_accuracy"}
    np.testing.assert_allclose(back.predict(X_raw), torch_outputs(trained, module, X_raw), rtol=TOL, atol=TOL)
    assert not np.allclose(back.predict(X_raw), model.predict(X_raw))        # it did train


def test_bad_output_name_is_one_line(tmp_path, capsys):
    design_path = EXAMPLES / "xor.json"
    Model(load_design(design_path)).save_weights(tmp_path / "w.npz")
    rc = cli_main(["export", str(design_path), str(tmp_path / "w.npz"), "--format", "pytorch",
                   "-o", str(tmp_path / "model.txt")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "*.py" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "model.txt").exists() and not (tmp_path / "model.safetensors").exists()
    with pytest.raises(TorchExportError):
        export_pytorch(Model(load_design(design_path)), tmp_path / "model")


def test_python_names_are_distinct_identifiers():
    ids = ["dense-1", "dense_1", "1st", "class", "x", "forward", "a.b", "training", "__init__", "_modules",
           "_version", "_", "register_module", "n_1st"]
    names = python_names(ids)
    assert len(set(names.values())) == len(ids)
    for nid, name in names.items():
        assert name.isidentifier() and not __import__("keyword").iskeyword(name), nid
        assert not hasattr(torch.nn.Module, name) and not name.startswith("_"), nid
    assert weights_path_for("a/model.py") == "a/model.safetensors"


def test_design_text_cannot_break_the_generated_file(tmp_path):
    g = G(2).add("Dense", units=1).g
    g.set_label(g.input_nodes()[0], 'evil """\nimport os; os.remove("x")  # \x00')
    design = design_of(g, name='""" + __import__("os").getcwd() + """\n')
    export_pytorch(Model(design), tmp_path / "odd.py")
    module = import_generated(tmp_path / "odd.py")       # parses and imports
    assert module.DESIGN_NAME == '""" + __import__("os").getcwd() + """\n'
    text = (tmp_path / "odd.py").read_text()
    assert "os.remove" in text and not any(line.lstrip().startswith("import os;") for line in text.splitlines())


def test_export_dialog_offers_pytorch(qtbot, tmp_path):
    from designer.export_dialogs import ExportDialog
    model = Model.from_design(load_design(EXAMPLES / "residual_mlp.json"))
    model.fit(epochs=1, collect_stats=False)
    dialog = ExportDialog(model, None, str(tmp_path), "residual")
    qtbot.addWidget(dialog)
    dialog.set_format("pytorch")
    assert dialog.fmt() == "pytorch" and dialog.path_edit.text().endswith("residual.py")
    assert "residual.safetensors" in dialog.note.text()
    dialog.path_edit.setText(str(tmp_path / "other.py"))
    assert "other.safetensors" in dialog.note.text()            # the note follows the file name
    dialog.path_edit.setText(str(tmp_path / "residual.py"))
    assert dialog.export()
    module = import_generated(tmp_path / "residual.py")
    net = module.load_model()
    X_raw = model.scaler.inverse_transform(model.data.X_val)
    np.testing.assert_allclose(torch_outputs(net, module, X_raw), model.predict(X_raw), rtol=TOL, atol=TOL)


def test_a_design_file_round_trip_exports_the_same_module(tmp_path):
    """Exporting is deterministic: the same design and weights give the same text."""
    design = load_design(EXAMPLES / "spirals_batchnorm.json")
    save_design(design, tmp_path / "d.json")
    a, b = Model(design), Model(load_design(tmp_path / "d.json"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    export_pytorch(a, tmp_path / "a" / "net.py")
    export_pytorch(b, tmp_path / "b" / "net.py")
    assert (tmp_path / "a" / "net.py").read_text() == (tmp_path / "b" / "net.py").read_text()
