"""Design files: exact round trips, strict loading with JSON-path errors, atomic saves, fuzzing."""
import copy
import json
import os
import stat

import pytest

from core.designfile import FORMAT, VERSION, Design, dumps, load_design, loads, save_design
from core.errors import DesignFileError
from core.graph import Graph
from core.settings import validate_data, validate_training

DATA = os.path.join(os.path.dirname(__file__), "data")


def residual_design() -> Design:
    """Input → Dense → (Tanh, skip) → Add → Dense, with labels, positions and non-default settings."""
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x", label="features", position=(-120.5, 40))
    g.add_node("Dense", {"units": 8, "kernel_initializer": "he_uniform", "l2": 1e-4}, node_id="hidden",
               label="Hidden layer ✓", position=(0, 40))
    g.add_node("Tanh", node_id="act", position=(80, 0))
    g.add_node("Add", node_id="res", label="", position=(160, 40.25))
    g.add_node("Dense", {"units": 1}, node_id="out", label="logit", position=(240, 40))
    for s, t, p in [("x", "hidden", 0), ("hidden", "act", 0), ("act", "res", 0), ("hidden", "res", 1),
                    ("res", "out", 0)]:
        g.connect(s, t, p)
    training = validate_training({
        "loss": {"name": "binary_crossentropy", "params": {"from_logits": True}},
        "optimizer": {"name": "sgd", "params": {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}},
        "schedule": {"name": "cosine", "params": {"decay_steps": 50, "warmup_steps": 5}},
        "metrics": ["accuracy", "auc"], "batch_size": 16, "epochs": 7, "seed": 3,
        "early_stopping": {"enabled": True, "patience": 2},
        "checkpoint": {"enabled": True, "path": "best.npz", "monitor": "val_accuracy"},
    })
    data = validate_data({"name": "moons", "params": {"n": 120, "noise": 0.2}, "validation_split": 0.25,
                          "scaling": "minmax", "seed": 5})
    return Design(g, training, data, name="Residual moons", description="A skip connection.\nTwo lines.")


def valid_doc() -> dict:
    """A small valid document: nodes[1] is the Dense whose parameters the malformed cases break."""
    return json.loads(dumps(residual_design()))


# ---- round trip -------------------------------------------------------------------------------

def test_round_trip_is_exact():
    d = residual_design()
    text = dumps(d)
    again = loads(text)
    assert dumps(again) == text
    assert list(again.graph.nodes) == list(d.graph.nodes)
    assert again.graph.edges == d.graph.edges
    for nid, node in d.graph.nodes.items():
        other = again.graph.nodes[nid]
        assert (other.type, other.params, other.label, other.position) == \
               (node.type, node.params, node.label, node.position)
    assert again.training == d.training and again.data == d.data
    assert (again.name, again.description) == (d.name, d.description)
    assert again.structure_hash() == d.structure_hash()


def test_default_design_round_trips():
    text = dumps(Design())
    assert dumps(loads(text)) == text


def test_file_round_trip_and_fixture(tmp_path):
    d = residual_design()
    p = tmp_path / "design.json"
    save_design(d, p)
    assert p.read_text(encoding="utf-8") == dumps(d)
    assert dumps(load_design(p)) == dumps(d)
    # a file written by an earlier build still loads to the same design
    assert dumps(load_design(os.path.join(DATA, "residual_design.json"))) == dumps(d)


def test_file_carries_format_and_version():
    doc = valid_doc()
    assert doc["format"] == FORMAT == "netdesigner-design"
    assert doc["version"] == VERSION == 1
    assert set(doc) == {"format", "version", "name", "description", "nodes", "edges", "training", "data"}
    assert doc["nodes"][0] == {"id": "x", "type": "Input", "params": {"shape": [2]}, "label": "features",
                               "position": [-120.5, 40.0]}


def test_positions_and_labels_do_not_change_the_structure_hash():
    d = residual_design()
    h = d.structure_hash()
    d.graph.set_position("hidden", (999, 999))
    d.graph.set_label("hidden", "renamed")
    assert d.structure_hash() == h
    d.graph.set_params("hidden", {"units": 9})
    assert d.structure_hash() != h


def test_optional_keys_take_defaults():
    doc = {"format": FORMAT, "version": 1,
           "nodes": [{"id": "x", "type": "Input", "params": {"shape": [2]}}]}
    d = loads(json.dumps(doc))
    assert d.graph.nodes["x"].label == "" and d.graph.nodes["x"].position == (0.0, 0.0)
    assert d.training == validate_training(None) and d.data == validate_data(None)
    assert d.graph.edges == []


# ---- strict loading: one error naming the JSON path -------------------------------------------

def _set(path):
    """A mutation setting doc[path...] = value (path: list of keys/indices)."""
    def mutate(value):
        def apply(doc):
            target = doc
            for k in path[:-1]:
                target = target[k]
            target[path[-1]] = value
        return apply
    return mutate


def _del(*path):
    def apply(doc):
        target = doc
        for k in path[:-1]:
            target = target[k]
        del target[path[-1]]
    return apply


def _cycle(doc):
    # x→hidden replaced by out→hidden: hidden → act → res → out → hidden
    doc["edges"][0] = {"source": "out", "target": "hidden", "port": 0}


MALFORMED = {
    "wrong format": (_set(["format"])("keras-model"), "format"),
    "missing format": (_del("format"), "format"),
    "newer version": (_set(["version"])(99), "version"),
    "version as text": (_set(["version"])("1"), "version"),
    "unknown top-level key": (_set(["layers"])([]), "layers"),
    "nodes not a list": (_set(["nodes"])({}), "nodes"),
    "unknown block type": (_set(["nodes", 1, "type"])("Convolution2D"), "nodes[1].type"),
    "unknown node key": (_set(["nodes", 1, "colour"])("red"), "nodes[1].colour"),
    "missing parameter": (_del("nodes", 1, "params", "units"), "nodes[1].params.units"),
    "ill-typed parameter": (_set(["nodes", 1, "params", "units"])("8"), "nodes[1].params.units"),
    "float for int parameter": (_set(["nodes", 1, "params", "units"])(8.0), "nodes[1].params.units"),
    "out-of-range parameter": (_set(["nodes", 1, "params", "units"])(0), "nodes[1].params.units"),
    "bad choice parameter": (_set(["nodes", 1, "params", "kernel_initializer"])("magic"),
                             "nodes[1].params.kernel_initializer"),
    "unknown parameter": (_set(["nodes", 1, "params", "filters"])(3), "nodes[1].params.filters"),
    "bad Input shape": (_set(["nodes", 0, "params", "shape"])([2, 0]), "nodes[0].params.shape"),
    "bad id": (_set(["nodes", 1, "id"])("has space"), "nodes[1].id"),
    "duplicate node id": (_set(["nodes", 2, "id"])("hidden"), "nodes[2].id"),
    "bad label": (_set(["nodes", 1, "label"])(7), "nodes[1].label"),
    "bad position": (_set(["nodes", 1, "position"])([1, 2, 3]), "nodes[1].position"),
    "non-finite position": (_set(["nodes", 1, "position"])([float("nan"), 0]), "nodes[1].position"),
    "huge position": (_set(["nodes", 1, "position"])([10 ** 400, 0]), "nodes[1].position"),
    "dangling edge target": (_set(["edges", 0, "target"])("ghost"), "edges[0].target"),
    "dangling edge source": (_set(["edges", 2, "source"])("ghost"), "edges[2].source"),
    "bad port": (_set(["edges", 1, "port"])(1), "edges[1].port"),
    "negative port": (_set(["edges", 3, "port"])(-1), "edges[3].port"),
    "port connected twice": (_set(["edges", 3, "port"])(0), "edges[3]"),
    "unknown edge key": (_set(["edges", 0, "weight"])(1), "edges[0]"),
    "cycle": (_cycle, "edges"),
    "bad learning rate": (_set(["training", "optimizer", "params", "learning_rate"])(-1),
                          "training.optimizer.params.learning_rate"),
    "unknown optimizer": (_set(["training", "optimizer", "name"])("lion"), "training.optimizer.name"),
    "unknown loss": (_set(["training", "loss", "name"])("hinge"), "training.loss.name"),
    "loss name not text": (_set(["training", "loss", "name"])(["mse"]), "training.loss.name"),
    "schedule name not text": (_set(["training", "schedule", "name"])({}), "training.schedule.name"),
    "unknown metric": (_set(["training", "metrics", 0])("top5"), "training.metrics[0]"),
    "unknown training key": (_set(["training", "warmup"])(True), "training.warmup"),
    "bad batch size": (_set(["training", "batch_size"])(0), "training.batch_size"),
    "training not an object": (_set(["training"])([]), "training"),
    "unknown data set": (_set(["data", "name"])("imagenet"), "data.name"),
    "unknown data param": (_set(["data", "params", "radius"])(1.0), "data.params.radius"),
    "bad split": (_set(["data", "validation_split"])(1.5), "data.validation_split"),
    "data not an object": (_set(["data"])(False), "data"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_design_names_the_json_path(case):
    mutate, path = MALFORMED[case]
    doc = valid_doc()
    mutate(doc)
    with pytest.raises(DesignFileError) as err:
        loads(json.dumps(doc))
    assert err.value.path == path, str(err.value)
    assert f"at {path}" in str(err.value)


def test_malformed_messages_say_what_was_wrong():
    doc = valid_doc()
    doc["nodes"][1]["params"]["units"] = "8"
    with pytest.raises(DesignFileError, match=r"Received: units='8'"):
        loads(json.dumps(doc))
    doc = valid_doc()
    doc["version"] = 99
    with pytest.raises(DesignFileError, match="newer"):
        loads(json.dumps(doc))
    doc = valid_doc()
    doc["edges"][0]["target"] = "ghost"
    with pytest.raises(DesignFileError, match="ghost"):
        loads(json.dumps(doc))


def test_cycle_error_names_a_node_on_the_cycle():
    doc = valid_doc()
    _cycle(doc)
    with pytest.raises(DesignFileError) as err:
        loads(json.dumps(doc))
    assert any(f"'{n}'" in str(err.value) for n in ("hidden", "act", "res", "out"))


@pytest.mark.parametrize("text", [
    "", "{", "{'format': 1}", '{"format": "netdesigner-design",}',
    pytest.param("[" * 100_000, id="deep-nesting"), pytest.param("1" * 5000, id="5000-digits"),
])
def test_invalid_json(text):
    with pytest.raises(DesignFileError) as err:
        loads(text)
    assert err.value.path in ("", "$")


def test_deeply_nested_free_form_options():
    doc = valid_doc()
    nested = 0
    for _ in range(900):   # parses, but deeper than copying it can go
        nested = [nested]
    doc["data"]["options"] = {"deep": nested}
    with pytest.raises(DesignFileError):
        loads(json.dumps(doc))


@pytest.mark.parametrize("value", [[], "design", 3, None])
def test_top_level_must_be_an_object(value):
    with pytest.raises(DesignFileError) as err:
        loads(json.dumps(value))
    assert err.value.path == "$"


def test_load_design_names_the_file(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(DesignFileError) as err:
        load_design(missing)
    assert err.value.file == str(missing) and "nope.json" in str(err.value)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DesignFileError) as err:
        load_design(binary)
    assert err.value.file == str(binary)
    bad = tmp_path / "bad.json"
    doc = valid_doc()
    doc["version"] = 99
    bad.write_text(json.dumps(doc))
    with pytest.raises(DesignFileError) as err:
        load_design(bad)
    assert err.value.file == str(bad) and err.value.path == "version"


def test_shape_problems_still_open():
    """A design with a shape mismatch loads (the canvas shows it inline); only structure is strict."""
    doc = valid_doc()
    doc["edges"][3]["source"] = "x"      # Add of the 2 inputs and the 8 hidden units
    d = loads(json.dumps(doc))
    assert [p.node_id for p in d.graph.check()] == ["res"]


# ---- atomic saves ------------------------------------------------------------------------------

def test_save_is_atomic_when_the_rename_fails(tmp_path, monkeypatch):
    p = tmp_path / "design.json"
    save_design(residual_design(), p)
    old = p.read_bytes()
    changed = residual_design()
    changed.name = "changed"

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_design(changed, p)
    assert p.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["design.json"]   # no temp file left behind


def test_save_is_atomic_when_the_write_fails(tmp_path, monkeypatch):
    p = tmp_path / "design.json"
    save_design(residual_design(), p)
    old = p.read_bytes()

    def boom(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        save_design(Design(), p)
    assert p.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["design.json"]


def test_saved_file_is_0644(tmp_path):
    p = tmp_path / "design.json"
    old_umask = os.umask(0o077)   # even a strict umask gives a file others can read, as editors do
    try:
        save_design(residual_design(), p)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o644


def test_save_into_missing_folder_raises_and_leaves_nothing(tmp_path):
    with pytest.raises(OSError):
        save_design(Design(), tmp_path / "no" / "design.json")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("where", [["nodes", 1, "params", "l2"], ["training", "clip_norm"]])
def test_huge_integer_in_a_float_parameter(where):
    doc = valid_doc()
    _set(where)(10 ** 400)(doc)
    with pytest.raises(DesignFileError):
        loads(json.dumps(doc))


# ---- fuzzing: loads raises DesignFileError or succeeds, nothing else ---------------------------

from hypothesis import HealthCheck, given, settings   # noqa: E402  (in the `test` extra)
from hypothesis import strategies as st   # noqa: E402

_BASE = valid_doc()
_WORDS = ["x", "hidden", "act", "res", "out", "ghost", "Dense", "Add", "Input", "Concat", "ReLU", "units",
          "shape", "port", "source", "target", "params", "name", "mse", "adam", "xor", "constant", "accuracy",
          "learning_rate", "num_inputs", "netdesigner-design", ""]
# NOTE: integers are bounded here; 10**400 in a float parameter has its own test above.
_SCALARS = (st.none() | st.booleans() | st.integers(-2**64, 2**64) | st.floats(allow_nan=True)
            | st.sampled_from(_WORDS) | st.text(max_size=8))
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.sampled_from(_WORDS) | st.text(max_size=5), inner, max_size=3),
                     max_leaves=6)


def _locations(doc, prefix=()):
    """Every (container path, key) in doc."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        out.append((prefix, k))
        out += _locations(v, prefix + (k,))
    return out


_LOCATIONS = _locations(_BASE)


def _container(doc, path):
    for k in path:
        doc = doc[k]
    return doc


@st.composite
def mutated_docs(draw):
    doc = copy.deepcopy(_BASE)
    for _ in range(draw(st.integers(1, 3))):
        path, key = draw(st.sampled_from(_LOCATIONS))
        try:
            parent = _container(doc, path)
            parent[key]
        except (KeyError, IndexError, TypeError):
            continue   # an earlier mutation removed or replaced this location
        action = draw(st.sampled_from(["replace", "delete", "insert", "duplicate"]))
        if action == "replace":
            parent[key] = draw(_JSON)
        elif action == "delete":
            del parent[key]
        elif action == "insert" and isinstance(parent, dict):
            parent[draw(st.sampled_from(_WORDS) | st.text(max_size=5))] = draw(_JSON)
        elif action == "insert":
            parent.insert(key, draw(_JSON))
        elif isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
    return doc


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_docs())
def test_fuzz_mutated_documents(doc):
    text = json.dumps(doc)
    try:
        d = loads(text)
    except DesignFileError:
        return
    # whatever loads must save and load back to the same text
    assert dumps(loads(dumps(d))) == dumps(d)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fuzz_mutated_text(data):
    text = dumps(residual_design())
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 20)))
    insert = data.draw(st.text(alphabet='{}[]",:0123456789.-eE truefalsn\\', max_size=6))
    try:
        loads(text[:start] + insert + text[end:])
    except DesignFileError:
        pass
