"""Weights out and back in: NPZ, safetensors and ONNX, each read back by its real consumer.

ONNX: every block type has a parity test — the exported graph passes ``onnx.checker`` (full
check), runs in onnxruntime on random inputs and matches NetDesigner's own inference within
1e-5 (float32).
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import safetensors.numpy
from safetensors import safe_open

from core.blocks import BLOCKS
from core.cli import main as cli_main
from core.data import Scaler
from core.designfile import Design, save_design
from core.errors import WeightsError
from core.export import (MissingExtraError, export_npz, export_safetensors, export_weights, import_weights,
                         read_weights_file)
from core.graph import Graph
from core.model import Model
from core.onnx_export import export_onnx, to_onnx
from core.settings import validate_data, validate_training
from core.weights import load_weights

TOL = 1e-5


# ----------------------------------------------------------------------------- building designs

class G:
    """A tiny graph builder: G(6).add("Dense", units=4).add("ReLU") …; `node(…, src=[…])` for merges."""

    def __init__(self, *input_shape, node_id=None):
        self.g = Graph()
        self.last = self.g.add_node("Input", {"shape": list(input_shape)}, node_id=node_id).id

    def add(self, kind, node_id=None, src=None, **params):
        nid = self.g.add_node(kind, params, node_id=node_id).id
        for port, s in enumerate(src if src is not None else [self.last]):
            self.g.connect(s, nid, port)
        self.last = nid
        return self


def make_model(graph, *, dtype="float32", seed=0, scaler=None) -> Model:
    design = Design(graph, validate_training({"dtype": dtype, "seed": seed}), validate_data({}))
    m = Model(design)
    rng = np.random.default_rng(seed + 1)
    for w in m.plan.weights:
        v = m.executor.view(w.name)
        if w.weight == "moving_variance":
            v[...] = rng.uniform(0.3, 2.0, w.shape)
        elif w.weight == "gamma":
            v[...] = rng.uniform(0.5, 1.5, w.shape)
        elif w.weight == "alpha":
            v[...] = rng.uniform(0.05, 0.5, w.shape)
        else:
            v[...] = rng.normal(0, 0.6, w.shape)
    m.scaler = scaler
    return m


def run_onnx(path, X):
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return sess.run(["output"], {"input": np.asarray(X, np.float32)})[0]


def onnx_parity(tmp_path, model, X, name="m.onnx", **kw):
    path = tmp_path / name
    export_onnx(model, path, **kw)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    got = run_onnx(path, X)
    want = model.predict(X)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
    return proto, got


def dense_sandwich(kind, **params):
    """Input(6) → Dense(5) → block → Dense(3)."""
    return G(6).add("Dense", units=5).add(kind, **params).add("Dense", units=3).g


CASES = {
    "Dense": lambda: G(6).add("Dense", units=4).g,
    "Dense-no-bias": lambda: G(6).add("Dense", units=4, use_bias=False).g,
    "Linear": lambda: dense_sandwich("Linear"),
    "Step": lambda: G(6).add("Step", threshold=0.1).add("Dense", units=3).g,
    "Sigmoid": lambda: dense_sandwich("Sigmoid"),
    "Tanh": lambda: dense_sandwich("Tanh"),
    "ReLU": lambda: dense_sandwich("ReLU"),
    "LeakyReLU": lambda: dense_sandwich("LeakyReLU", alpha=0.2),
    "PReLU": lambda: dense_sandwich("PReLU"),
    "RReLU": lambda: dense_sandwich("RReLU", lower=0.1, upper=0.3),
    "ELU": lambda: dense_sandwich("ELU", alpha=0.7),
    "SELU": lambda: dense_sandwich("SELU"),
    "Swish": lambda: dense_sandwich("Swish"),
    "Mish": lambda: dense_sandwich("Mish"),
    "Softplus": lambda: dense_sandwich("Softplus"),
    "Softmax": lambda: G(6).add("Dense", units=5).add("Softmax").g,
    "BatchNorm": lambda: dense_sandwich("BatchNorm", epsilon=0.01),
    "BatchNorm-no-affine": lambda: dense_sandwich("BatchNorm", center=False, scale=False),
    "LayerNorm": lambda: dense_sandwich("LayerNorm", epsilon=1e-5),
    "Dropout": lambda: dense_sandwich("Dropout", rate=0.4),
    "Dropout-classic": lambda: dense_sandwich("Dropout", rate=0.4, inverted=False),
    "AlphaDropout": lambda: dense_sandwich("AlphaDropout", rate=0.2),
    "Flatten": lambda: G(2, 3).add("Flatten").add("Dense", units=3).g,
    "Add": lambda: _residual(),
    "Concat": lambda: _two_branches("Concat"),
    "Input-two-nodes": lambda: _two_inputs(),
    "Dropout-as-output": lambda: G(6).add("Dense", units=3).add("Dropout", rate=0.5).g,
    "reserved-ids": lambda: G(6, node_id="input").add("Dense", node_id="output", units=3).g,
    "Conv2D-pools": lambda: G(7, 9, 2).add("Conv2D", filters=3, strides=2, padding="same").add("MaxPool2D")
    .add("AveragePool2D", pool_size=1).add("GlobalAveragePool2D").add("Dense", units=3).g,
    "GlobalMaxPool2D": lambda: G(5, 7, 3).add("Conv2D", filters=2, kernel_size=3).add("GlobalMaxPool2D", keepdims=True)
    .add("Conv2D", filters=3, kernel_size=1).add("GlobalMaxPool2D").add("Dense", units=3).g,
    "Reshape": lambda: G(12).add("Reshape", target_shape="3, 4, 1").add("Conv2D", filters=2, kernel_size=2)
    .add("Flatten").add("Dense", units=3).g,
    "SimpleRNN-LSTM-GRU": lambda: G(5, 3).add("LSTM", units=4, return_sequences=True).add("Dense", units=3)
    .add("GRU", units=3, return_sequences=True).add("SimpleRNN", units=4).add("Dense", units=2).g,
}


def _residual():
    b = G(6).add("Dense", units=6)
    first = b.last
    b.add("Tanh").add("Dense", units=6)
    b.add("Add", src=[first, b.last]).add("Dense", units=2)
    return b.g


def _two_branches(kind):
    b = G(6)
    x = b.last
    a = b.add("Dense", units=4, src=[x]).add("ReLU").last
    c = b.add("Dense", units=3, src=[x]).last
    return b.add(kind, src=[a, c]).add("Dense", units=2).g


def _two_inputs():
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="a")
    g.add_node("Input", {"shape": [2, 2]}, node_id="b")
    g.add_node("Flatten", node_id="fb")
    g.add_node("Concat", node_id="cat")
    g.add_node("Dense", {"units": 3}, node_id="out")
    g.connect("b", "fb")
    g.connect("a", "cat", 0)
    g.connect("fb", "cat", 1)
    g.connect("cat", "out")
    return g


def test_parity_cases_name_only_registered_blocks():
    """Every block's ONNX export is checked on its own by tests/test_catalogue_contract.py; these
    cases add combinations and parameter variants, and must not go stale."""
    covered = set()
    for build in CASES.values():
        covered |= {n.type for n in build().nodes.values()}
    assert covered <= set(BLOCKS.names()), sorted(covered - set(BLOCKS.names()))


@pytest.mark.parametrize("case", list(CASES))
def test_onnx_parity_per_block_type(tmp_path, case):
    model = make_model(CASES[case]())
    X = np.random.default_rng(7).normal(0, 1.5, (64, model.plan.n_features)).astype(np.float32)
    proto, _ = onnx_parity(tmp_path, model, X)
    assert proto.opset_import[0].version == 18
    out = proto.graph.output[0].type.tensor_type.shape.dim
    assert out[0].dim_param == "batch" and out[1].dim_value == model.plan.output_width
    ops = {n.op_type for n in proto.graph.node}
    if case.startswith("Dropout") and case != "Dropout-classic":
        assert "Dropout" not in ops and "Mul" not in ops
    if case == "Dropout-classic":
        assert "Mul" in ops
    if case == "BatchNorm":
        assert "BatchNormalization" in ops


ELEMENTWISE = {"Linear": {}, "Step": {"threshold": -0.5}, "Sigmoid": {}, "Tanh": {}, "ReLU": {},
               "LeakyReLU": {"alpha": 0.3}, "PReLU": {}, "RReLU": {}, "ELU": {"alpha": 1.3}, "SELU": {},
               "Swish": {}, "Mish": {}, "Softplus": {}, "Softmax": {}}


@pytest.mark.parametrize("kind", list(ELEMENTWISE))
def test_activation_formulas_match_over_a_wide_range(tmp_path, kind):
    """Input straight into the activation, values from −60 to 60 (overflow-prone for exp)."""
    model = make_model(G(8).add(kind, **ELEMENTWISE[kind]).g)
    X = np.linspace(-60, 60, 8 * 41, dtype=np.float32).reshape(41, 8)
    X[0] = [-1e-3, 0.0, 1e-3, -0.5, 0.5, -1, 1, 2]
    onnx_parity(tmp_path, model, X)


def test_mish_composite_for_opset_17(tmp_path):
    model = make_model(dense_sandwich("Mish"))
    X = np.random.default_rng(0).normal(0, 2, (32, 6)).astype(np.float32)
    proto, _ = onnx_parity(tmp_path, model, X, opset=17)
    ops = [n.op_type for n in proto.graph.node]
    assert "Mish" not in ops and "Softplus" in ops and proto.opset_import[0].version == 17


@pytest.mark.parametrize("kind", ["standard", "minmax"])
def test_input_scaling_is_folded_in_as_the_first_ops(tmp_path, kind):
    rng = np.random.default_rng(3)
    X_raw = rng.normal(5.0, 3.0, (100, 6)).astype(np.float32)
    model = make_model(dense_sandwich("Tanh"), scaler=Scaler(kind).fit(X_raw))
    proto, got = onnx_parity(tmp_path, model, X_raw)
    assert [n.op_type for n in proto.graph.node[:2]] == ["Sub", "Div"]
    meta = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(meta["scaler"])["kind"] == kind and meta["design_hash"] == model.design.structure_hash()
    # Without the scaler folded in, the graph takes already-scaled features.
    export_onnx(model, tmp_path / "raw.onnx", fold_scaler=False)
    scaled = model.scaler.transform(X_raw).astype(np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "raw.onnx", scaled), got, rtol=TOL, atol=TOL)


def test_float64_model_exports_float32_graph(tmp_path):
    model = make_model(dense_sandwich("ELU"), dtype="float64")
    X = np.random.default_rng(0).normal(size=(16, 6)).astype(np.float32)
    onnx_parity(tmp_path, model, X)


# ----------------------------------------------------------------------------- NPZ and safetensors

def _trained_like_model():
    rng = np.random.default_rng(0)
    return make_model(dense_sandwich("BatchNorm"), scaler=Scaler("standard").fit(rng.normal(2, 3, (50, 6))))


def test_npz_export_is_read_by_numpy_without_pickle(tmp_path):
    model = _trained_like_model()
    export_npz(model, tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz", allow_pickle=False) as z:
        for name, arr in model.executor.get_weights().items():
            np.testing.assert_array_equal(z[name], arr)
    weights, meta = load_weights(tmp_path / "w.npz")
    assert meta["design_hash"] == model.design.structure_hash() and meta["scaler"]["kind"] == "standard"


def test_safetensors_export_is_read_by_its_loader_and_imports_back(tmp_path):
    model = _trained_like_model()
    path = tmp_path / "w.safetensors"
    export_safetensors(model, path)
    loaded = safetensors.numpy.load_file(str(path))
    assert set(loaded) == {w.name for w in model.plan.weights}
    for name, arr in model.executor.get_weights().items():
        np.testing.assert_array_equal(loaded[name], arr)
        assert loaded[name].dtype == np.float32
    with safe_open(str(path), framework="np") as f:
        meta = f.metadata()
    assert meta["design_hash"] == model.design.structure_hash() and meta["dtype"] == "float32"
    assert json.loads(meta["scaler"])["offset"] == pytest.approx(model.scaler.offset.tolist())

    fresh = make_model(dense_sandwich("BatchNorm"), seed=5)
    X = np.random.default_rng(1).normal(size=(10, 6))
    assert not np.allclose(fresh.predict(X), model.predict(X))
    import_weights(fresh, path)
    np.testing.assert_array_equal(fresh.predict(X), model.predict(X))     # weights and scaler restored
    np.testing.assert_array_equal(fresh.scaler.scale, model.scaler.scale)


@pytest.mark.parametrize("fmt", ["npz", "safetensors"])
def test_import_lists_every_mismatch(tmp_path, fmt):
    src = make_model(G(6).add("Dense", units=5).add("Dense", units=3).g)
    path = tmp_path / f"w.{fmt}"
    export_weights(src, path)
    other = G(6).add("Dense", units=4).add("Dense", units=3)
    other.add("Dense", node_id="extra", units=2)
    target = make_model(other.g)
    with pytest.raises(WeightsError) as err:
        import_weights(target, path)
    text = str(err.value)
    assert str(path) in text
    assert "dense1/kernel: file has shape (6, 5), design needs (6, 4)" in text
    assert "dense2/kernel: file has shape (5, 3), design needs (4, 3)" in text
    assert "missing extra/kernel (3, 2)" in text
    assert len(err.value.mismatches) == 5          # dense1 kernel+bias, dense2 kernel, extra kernel+bias


def test_unreadable_weights_files(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(WeightsError, match="not a readable .safetensors file"):
        read_weights_file(bad)
    with pytest.raises(WeightsError, match="file not found"):
        read_weights_file(tmp_path / "none.safetensors")
    with pytest.raises(WeightsError, match="export format only"):
        read_weights_file(tmp_path / "m.onnx")


@pytest.mark.parametrize("module, call", [
    ("onnx", lambda m, p: export_onnx(m, p / "x.onnx")),
    ("safetensors", lambda m, p: export_safetensors(m, p / "x.safetensors")),
])
def test_missing_extra_says_what_to_install(tmp_path, monkeypatch, module, call):
    model = make_model(G(2).add("Dense", units=1).g)
    for name in list(sys.modules):
        if name == module or name.startswith(module + "."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, module, None)       # `import module` now raises ImportError
    with pytest.raises(MissingExtraError, match=r"pip install 'netdesigner\[export\]'"):
        call(model, tmp_path)


# ----------------------------------------------------------------------------- CLI

def _iris_design(tmp_path):
    b = G(4).add("Dense", units=8).add("ReLU").add("Dense", units=3).add("Softmax")
    d = Design(b.g, validate_training({"loss": {"name": "sparse_categorical_crossentropy", "params": {}}}),
               validate_data({"name": "iris", "validation_split": 0.2}))
    path = tmp_path / "iris.json"
    save_design(d, path)
    return d, path


@pytest.mark.parametrize("fmt", ["onnx", "npz", "safetensors"])
def test_cli_export(tmp_path, capsys, fmt):
    design, dpath = _iris_design(tmp_path)
    model = Model.from_design(design)
    model.save_weights(tmp_path / "w.npz")
    out = tmp_path / f"out.{fmt}"
    assert cli_main(["export", str(dpath), str(tmp_path / "w.npz"), "--format", fmt, "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    X_raw = np.random.default_rng(0).normal([5.8, 3.0, 3.7, 1.2], 0.8, (20, 4)).astype(np.float32)
    if fmt == "onnx":
        np.testing.assert_allclose(run_onnx(out, X_raw), model.predict(X_raw), rtol=TOL, atol=TOL)
    else:
        weights, meta = read_weights_file(out)
        for name, arr in model.executor.get_weights().items():
            np.testing.assert_array_equal(weights[name], arr)
        assert meta["scaler"]["kind"] == "standard"


def test_cli_export_errors_are_one_line(tmp_path, capsys):
    _, dpath = _iris_design(tmp_path)
    other = make_model(G(4).add("Dense", units=2).g)
    export_npz(other, tmp_path / "other.npz")
    code = cli_main(["export", str(dpath), str(tmp_path / "other.npz"), "-o", str(tmp_path / "x.onnx")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("netdesigner export: ") and "do not fit this design" in err
    assert "Traceback" not in err
    code = cli_main(["export", str(dpath), str(tmp_path / "other.npz"), "-o", str(tmp_path / "x.bin")])
    assert code == 2 and "cannot tell the format" in capsys.readouterr().err


def test_to_onnx_returns_a_checked_model_with_names_from_node_ids():
    model = make_model(G(3).add("Dense", node_id="hidden", units=4).add("Tanh", node_id="act").g)
    proto = to_onnx(model)
    outputs = {o for n in proto.graph.node for o in n.output}
    assert {"hidden", "act", "output"} <= outputs
    assert {i.name for i in proto.graph.initializer} == {"hidden/kernel", "hidden/bias"}
    assert proto.graph.input[0].name == "input"
