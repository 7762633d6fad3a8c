"""Trained weights stay bound to their design, and exports carry what a consumer needs.

- Weights trained on one structure and loaded into another (same shapes: Tanh edited to ReLU)
  still load — fine-tuning stays possible — but every CLI path that loads them warns, naming
  both designs (core.binding.check_binding).
- An export holds the task, the class and feature names, the input scaler, the training metrics,
  the kernel layout and the normalization epsilons, read back by the real consumers
  (onnxruntime's model metadata, safetensors' safe_open) and checked against independent
  references: scikit-learn's own iris names, and a PyTorch model rebuilt from the safetensors
  file and its metadata alone, which must agree with onnxruntime.
"""
import json

import numpy as np
import onnxruntime as ort
import pytest
from safetensors import safe_open

from core import cli
from core.binding import check_binding, design_metadata
from core.designfile import Design, load_design, save_design
from core.graph import Graph
from core.settings import validate_data, validate_training
from core.weights import load_weights


def xor_design(activation="Tanh", name="XOR tanh") -> Design:
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("Dense", {"units": 4}, node_id="hidden")
    g.add_node(activation, node_id="act")
    g.add_node("Dense", {"units": 1}, node_id="out")
    for s, t in [("x", "hidden"), ("hidden", "act"), ("act", "out")]:
        g.connect(s, t)
    training = validate_training({"loss": {"name": "binary_crossentropy", "params": {"from_logits": True}},
                                  "optimizer": {"name": "adam", "params": {"learning_rate": 0.05}},
                                  "batch_size": 16, "epochs": 2, "metrics": ["accuracy"], "seed": 1})
    data = validate_data({"name": "xor", "params": {"n": 80}, "validation_split": 0.25})
    return Design(g, training, data, name=name)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """XOR trained with Tanh (tanh.json → w.npz) and the same design edited to ReLU (relu.json)."""
    d = tmp_path_factory.mktemp("binding")
    save_design(xor_design("Tanh", "XOR tanh"), d / "tanh.json")
    save_design(xor_design("ReLU", "XOR relu"), d / "relu.json")
    assert cli.main(["train", str(d / "tanh.json"), "--out", str(d / "w.npz"), "--quiet"]) == 0
    return d


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "warning" in line.lower()]


COMMANDS = {
    "export": lambda d, design: ["export", str(d / design), str(d / "w.npz"), "-o", str(d / "out.onnx")],
    "evaluate": lambda d, design: ["evaluate", str(d / design), str(d / "w.npz"), "--split", "val"],
    "train --weights": lambda d, design: ["train", str(d / design), "--weights", str(d / "w.npz"),
                                          "--epochs", "1", "--quiet"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_weights_of_another_structure_warn_naming_both_designs_and_still_load(trained, capsys, command):
    capsys.readouterr()
    assert cli.main(COMMANDS[command](trained, "relu.json")) == 0        # shapes match: fine-tuning works
    warnings = _warnings(capsys.readouterr().err)
    assert len(warnings) == 1, warnings
    line = warnings[0]
    assert line.startswith("warning:")
    for needle in ("XOR tanh", "tanh.json", "XOR relu", "relu.json", "w.npz"):
        assert needle in line, (needle, line)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_weights_of_the_same_structure_load_without_a_warning(trained, capsys, command):
    capsys.readouterr()
    assert cli.main(COMMANDS[command](trained, "tanh.json")) == 0
    assert _warnings(capsys.readouterr().err) == []


def test_weights_record_the_design_they_were_trained_on(trained):
    meta = load_weights(trained / "w.npz")[1]
    assert meta["design_hash"] == load_design(trained / "tanh.json").structure_hash()
    assert meta["design_name"] == "XOR tanh"
    assert meta["design_file"] == "tanh.json"        # the base name only: no local folders leak


def test_check_binding_ignores_moved_layouts_and_files_that_predate_the_hash():
    design = xor_design()
    meta = design_metadata(design)
    moved = xor_design()
    moved.graph.nodes["act"].position = (500.0, 20.0)           # layout and labels are not structure
    moved.graph.nodes["act"].label = "squash"
    assert check_binding(moved, meta) == []
    assert check_binding(design, {"epoch": 3}) == []             # older files: nothing to compare
    assert check_binding(design, None) == []
    edited = xor_design()
    edited.graph.set_params("hidden", {"units": 4, "use_bias": False})
    (line,) = check_binding(edited, meta, weights_path="/somewhere/w.npz")
    assert line.startswith("warning:") and "w.npz" in line and "/somewhere" not in line


def test_unnamed_designs_are_still_told_apart():
    meta = {"design_hash": "0123456789abcdef"}
    (line,) = check_binding(Design(xor_design().graph), meta)
    assert "another design" in line and "this design" in line


# ---- what an export carries ---------------------------------------------------------------------

def iris_design() -> Design:
    g = Graph()
    g.add_node("Input", {"shape": [4]}, node_id="x")
    g.add_node("Dense", {"units": 8}, node_id="hidden")
    g.add_node("BatchNorm", {"epsilon": 0.01, "momentum": 0.9}, node_id="bn")
    g.add_node("ReLU", node_id="relu")
    g.add_node("Dense", {"units": 3}, node_id="logits")
    for s, t in [("x", "hidden"), ("hidden", "bn"), ("bn", "relu"), ("relu", "logits")]:
        g.connect(s, t)
    training = validate_training({"loss": {"name": "sparse_categorical_crossentropy",
                                           "params": {"from_logits": True}},
                                  "optimizer": {"name": "adam", "params": {"learning_rate": 0.02}},
                                  "batch_size": 16, "epochs": 3, "metrics": ["accuracy"], "seed": 3})
    data = validate_data({"name": "iris", "validation_split": 0.2, "scaling": "standard"})
    return Design(g, training, data, name="Iris BN")


@pytest.fixture(scope="module")
def iris_exports(tmp_path_factory):
    d = tmp_path_factory.mktemp("iris")
    save_design(iris_design(), d / "iris.json")
    assert cli.main(["train", str(d / "iris.json"), "--out", str(d / "w.npz"), "--quiet"]) == 0
    for ext in ("onnx", "safetensors", "npz"):
        assert cli.main(["export", str(d / "iris.json"), str(d / "w.npz"), "-o", str(d / f"iris.{ext}")]) == 0
    return d


def _decoded(raw: dict[str, str]) -> dict:
    """String metadata as a consumer reads it: JSON where it parses, else the text itself."""
    out = {}
    for k, v in raw.items():
        try:
            out[k] = json.loads(v)
        except json.JSONDecodeError:
            out[k] = v
    return out


def _onnx_meta(path) -> dict:
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return _decoded(sess.get_modelmeta().custom_metadata_map)


def _st_meta(path) -> dict:
    with safe_open(str(path), framework="np") as f:
        return _decoded(f.metadata())


def _reader(fmt):
    return {"onnx": _onnx_meta, "safetensors": _st_meta, "npz": lambda p: load_weights(p)[1]}[fmt]


@pytest.mark.parametrize("fmt", ["onnx", "safetensors", "npz"])
def test_exports_carry_names_task_scaler_metrics_and_conventions(iris_exports, fmt):
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    iris = sklearn_datasets.load_iris()
    meta = _reader(fmt)(iris_exports / f"iris.{fmt}")
    trained = load_weights(iris_exports / "w.npz")[1]
    assert meta["class_names"] == list(iris.target_names)          # scikit-learn's names, not ours
    assert meta["feature_names"] == list(iris.feature_names)
    assert meta["task"] == "multiclass"
    metrics = {k: float(v) for k, v in meta["metrics"].items()}
    assert set(metrics) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert metrics == pytest.approx({k: float(v) for k, v in trained["metrics"].items()})
    assert meta["scaler"]["kind"] == "standard"
    np.testing.assert_allclose(meta["scaler"]["offset"], trained["scaler"]["offset"])
    assert meta["kernel_layout"] == "[in, out]"
    bn = meta["normalization"]["bn"]
    assert bn["type"] == "BatchNorm" and float(bn["epsilon"]) == 0.01 and float(bn["momentum"]) == 0.9
    assert "1 - momentum" in bn["momentum_convention"]
    assert meta["design_name"] == "Iris BN" and meta["design_file"] == "iris.json"
    assert int(meta["epoch"]) == 3


def test_the_training_run_stores_names_and_final_metrics_in_the_weights(iris_exports):
    meta = load_weights(iris_exports / "w.npz")[1]
    assert meta["class_names"] == ["setosa", "versicolor", "virginica"]
    assert meta["task"] == "multiclass"
    assert len(meta["feature_names"]) == 4
    assert 0.0 <= meta["metrics"]["val_accuracy"] <= 1.0


def test_a_pytorch_user_rebuilds_the_model_from_safetensors_and_its_metadata(iris_exports):
    """Everything needed comes from the file: kernel layout, BatchNorm epsilon, scaler. The
    rebuilt PyTorch model must agree with the ONNX export run by onnxruntime on raw features."""
    torch = pytest.importorskip("torch")
    path = iris_exports / "iris.safetensors"
    meta = _st_meta(path)
    with safe_open(str(path), framework="np") as f:
        w = {k: f.get_tensor(k) for k in f.keys()}
    assert meta["kernel_layout"] == "[in, out]" and w["hidden/kernel"].shape == (4, 8)
    eps = float(meta["normalization"]["bn"]["epsilon"])
    hidden, logits = torch.nn.Linear(4, 8), torch.nn.Linear(8, 3)
    bn = torch.nn.BatchNorm1d(8, eps=eps)
    with torch.no_grad():
        hidden.weight.copy_(torch.from_numpy(w["hidden/kernel"].T.copy()))     # [in, out] → [out, in]
        hidden.bias.copy_(torch.from_numpy(w["hidden/bias"]))
        logits.weight.copy_(torch.from_numpy(w["logits/kernel"].T.copy()))
        logits.bias.copy_(torch.from_numpy(w["logits/bias"]))
        bn.weight.copy_(torch.from_numpy(w["bn/gamma"]))
        bn.bias.copy_(torch.from_numpy(w["bn/beta"]))
        bn.running_mean.copy_(torch.from_numpy(w["bn/moving_mean"]))
        bn.running_var.copy_(torch.from_numpy(w["bn/moving_variance"]))
    net = torch.nn.Sequential(hidden, bn, torch.nn.ReLU(), logits).eval()
    rng = np.random.default_rng(0)
    raw = rng.uniform([4.3, 2.0, 1.0, 0.1], [7.9, 4.4, 6.9, 2.5], size=(32, 4))
    offset, scale = np.array(meta["scaler"]["offset"]), np.array(meta["scaler"]["scale"])
    with torch.no_grad():
        want = net(torch.from_numpy(((raw - offset) / scale).astype(np.float32))).numpy()
    sess = ort.InferenceSession(str(iris_exports / "iris.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run(["output"], {"input": raw.astype(np.float32)})[0]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_text_metadata_stays_text_through_safetensors(tmp_path):
    """safetensors metadata is all strings; a design named "2024" must not come back as a number
    (nor "null" as None), or the binding warning would name the wrong design."""
    from core.export import export_safetensors, import_weights
    from core.model import Model
    design = xor_design(name="2024")
    model = Model(design)
    export_safetensors(model, tmp_path / "w.safetensors")
    meta = import_weights(Model(xor_design(name="null")), tmp_path / "w.safetensors")
    assert meta["design_name"] == "2024" and meta["kernel_layout"] == "[in, out]"
    (line,) = check_binding(xor_design("ReLU", name="null"), meta)
    assert "'2024'" in line and "'null'" in line


@pytest.mark.parametrize("fmt", ["onnx", "safetensors", "npz"])
def test_the_designers_export_of_a_model_with_data_carries_the_same(tmp_path, fmt):
    """File → Export exports the window's Model (data loaded) through core.export.export_weights."""
    from core.export import export_weights
    from core.model import Model
    model = Model.from_design(iris_design())
    model.last_logs = {"loss": 0.5, "accuracy": 0.75}
    export_weights(model, tmp_path / f"m.{fmt}")
    meta = _reader(fmt)(tmp_path / f"m.{fmt}")
    assert meta["class_names"] == ["setosa", "versicolor", "virginica"] and meta["task"] == "multiclass"
    assert meta["metrics"] == {"loss": 0.5, "accuracy": 0.75}
    assert meta["kernel_layout"] == "[in, out]" and float(meta["normalization"]["bn"]["epsilon"]) == 0.01
    assert meta["design_name"] == "Iris BN" and meta["design_hash"] == iris_design().structure_hash()
