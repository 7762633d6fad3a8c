"""The pre-flight knows what Train knows: problems found before anything is compiled or trained,
every one at once, each naming its node or file; the CLI's `train` refuses with all of them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import preflight as pf
from core.designfile import Design, load_design, save_design
from core.errors import DataError
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"


@pytest.fixture(autouse=True)
def fresh_cache():
    pf.clear_data_cache()
    yield
    pf.clear_data_cache()


def chain(*blocks, loss="mse", loss_params=None, data=None, **training) -> Design:
    """Input(2) → blocks..., each (type, params)."""
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    prev = "x"
    for i, (typ, params) in enumerate(blocks):
        nid = f"{typ.lower()}{i}"
        g.add_node(typ, params, node_id=nid)
        g.connect(prev, nid)
        prev = nid
    t = validate_training({"loss": {"name": loss, "params": loss_params or {}}, **training})
    return Design(g, t, validate_data(data or {"name": "xor"}))


def errors(problems):
    return [p for p in problems if pf.is_error(p)]


# ---- targets against the output, as Train would find them -----------------------------------------

def test_sixteen_outputs_on_xor_are_reported_before_train():
    d = chain(("Dense", {"units": 16}))
    assert d.graph.check() == []               # nothing wrong with the graph alone...
    problems = pf.preflight(d)
    assert len(problems) == 1                  # ...but the data has one target column
    p = problems[0]
    assert p.node_id == "dense0" and "16 units" in p.reason and "1 column" in p.reason
    # The same words Train stops with: one check, used by both.
    with pytest.raises(DataError) as train_error:
        Model.from_design(d).trainer()
    assert str(train_error.value) == p.reason


def test_classes_against_output_units_and_a_regression_loss_on_classes():
    d = chain(("Dense", {"units": 3}), ("Softmax", {}), loss="sparse_categorical_crossentropy",
              data={"name": "xor"})
    assert any("3 units" in p.reason and "2 classes" in p.reason for p in errors(pf.preflight(d)))
    sine = chain(("Dense", {"units": 2}), ("Softmax", {}), loss="sparse_categorical_crossentropy",
                 data={"name": "sine"})
    assert any("regression task" in p.reason for p in pf.preflight(sine))


def test_features_against_the_input_width():
    d = chain(("Dense", {"units": 1}), data={"name": "digits"})     # 64 pixels into Input(2)
    problems = pf.preflight(d)
    assert any("64 features" in p.reason and "x (2)" in p.reason for p in problems)


# ---- the loss against the output's activation ----------------------------------------------------

def test_softmax_over_one_unit_with_binary_crossentropy_is_an_error_on_the_softmax():
    d = chain(("Dense", {"units": 1}), ("Softmax", {}), loss="binary_crossentropy")
    problems = errors(pf.preflight(d))
    assert [p.node_id for p in problems] == ["softmax1"]
    assert "always outputs 1" in problems[0].reason


def test_sigmoid_with_categorical_crossentropy_is_a_warning():
    d = chain(("Dense", {"units": 2}), ("Sigmoid", {}), loss="sparse_categorical_crossentropy")
    problems = pf.preflight(d)
    assert not errors(problems)
    assert [(p.node_id, p.severity) for p in problems] == [("sigmoid1", "warning")]
    assert "Softmax" in problems[0].reason


@pytest.mark.parametrize("blocks, logits, words", [
    ([("Dense", {"units": 1}), ("Sigmoid", {})], True, "from_logits is ticked"),
    ([("Dense", {"units": 1})], False, "tick from_logits"),
])
def test_logits_flag_against_the_activation(blocks, logits, words):
    d = chain(*blocks, loss="binary_crossentropy", loss_params={"from_logits": logits})
    problems = pf.preflight(d)
    assert [p.severity for p in problems] == ["warning"] and words in problems[0].reason


def test_the_matching_pairs_pass():
    assert pf.preflight(chain(("Dense", {"units": 1}), ("Sigmoid", {}), loss="binary_crossentropy")) == []
    assert pf.preflight(chain(("Dense", {"units": 1}), loss="binary_crossentropy",
                              loss_params={"from_logits": True})) == []
    assert pf.preflight(chain(("Dense", {"units": 2}), ("Softmax", {}), ("Dropout", {"rate": 0.1}),
                              loss="sparse_categorical_crossentropy")) == []


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_is_ready(path):
    assert pf.preflight(load_design(path)) == []


# ---- data that does not load, settings Train refuses -------------------------------------------------

def test_a_missing_file_and_a_bad_csv_are_problems_naming_the_file(tmp_path):
    missing = chain(("Dense", {"units": 1}),
                    data={"source": "csv", "path": str(tmp_path / "nowhere.csv")})
    (p,) = pf.preflight(missing)
    assert p.kind == "data" and "nowhere.csv" in p.reason

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,2,0\n3,oops,1\n")
    design = chain(("Dense", {"units": 1}), data={"source": "csv", "path": str(bad)})
    with pytest.raises(DataError) as loading:
        Model.from_design(design)
    (p,) = pf.preflight(design)
    assert p.kind == "data" and str(loading.value) in p.reason


def test_every_problem_at_once():
    d = chain(("Dense", {"units": 16}), checkpoint={"enabled": True, "path": ""})
    d.graph.add_node("Dense", {"units": 1}, node_id="stray")       # a second output
    kinds = {type(p).__name__ for p in pf.preflight(d)}
    assert "DanglingPortError" in kinds and "PreflightProblem" in kinds
    d.graph.remove_node("stray")
    reasons = " | ".join(p.reason for p in pf.preflight(d))
    assert "16 units" in reasons and "checkpoint is enabled" in reasons


# ---- the data cache --------------------------------------------------------------------------------

def test_data_is_loaded_once_per_settings_and_file_version(tmp_path, monkeypatch):
    import core.model
    calls = []
    real = core.model.load_design_data
    monkeypatch.setattr(core.model, "load_design_data", lambda s: calls.append(1) or real(s))
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)))
    d = chain(("Dense", {"units": 1}), ("Sigmoid", {}), loss="binary_crossentropy",
              data={"source": "csv", "path": str(csv)})
    assert pf.cached_data_summary(d.data) is None          # the designer's check never loads
    assert pf.preflight(d) == []
    assert pf.preflight(d) == [] and len(calls) == 1       # edits re-check from the cache
    assert pf.cached_data_summary(d.data).n_train == 16
    stat = os.stat(csv)
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))   # the file changed
    pf.preflight(d)
    assert len(calls) == 2
    d.data["validation_split"] = 0.5                       # the settings changed
    pf.preflight(d)
    assert len(calls) == 3


# ---- the CLI refuses with every problem, before compiling anything -----------------------------------

def test_cli_train_prints_every_problem_and_exits_2(tmp_path):
    d = chain(("Dense", {"units": 16}), checkpoint={"enabled": True, "path": ""})
    path = tmp_path / "bad.json"
    save_design(d, path)
    r = subprocess.run([sys.executable, "-m", "core.cli", "train", str(path), "--epochs", "1"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "epoch" not in r.stdout
    assert "2 problems" in r.stderr
    assert "16 units" in r.stderr and "checkpoint is enabled" in r.stderr


def test_cli_train_prints_warnings_and_trains(tmp_path, capsys):
    from core import cli
    d = chain(("Dense", {"units": 1}), loss="binary_crossentropy", epochs=1)
    path = tmp_path / "w.json"
    save_design(d, path)
    assert cli.main(["train", str(path), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "tick from_logits" in err


def test_memory_the_plan_would_need_is_checked_before_anything_is_allocated(monkeypatch):
    # 20,001 weights pass the graph's own check; the activations of 5,000 units at the arena's
    # 256 rows (2 × 5,003 × 256 × 4 bytes ≈ 10 MB) do not fit a 1 MB limit.
    monkeypatch.setenv("NETDESIGNER_MEMORY_LIMIT", "1000000")
    d = chain(("Dense", {"units": 5000}), ("Dense", {"units": 1}))
    assert d.graph.check() == []
    (p,) = pf.preflight(d)
    assert p.kind == "memory" and p.node_id == "dense0" and "limit" in p.reason


# ---- images and sequences: the Input's shape against the data's sample shape ---------------------
def _shaped(input_shape, data_name, data_params=None):
    from tests.helpers import sequential
    g = sequential(input_shape, "Flatten", ("Dense", {"units": 10}), "Softmax")
    return Design(g, validate_training({"loss": {"name": "sparse_categorical_crossentropy", "params": {}}}),
                  validate_data({"name": data_name, "params": data_params or {}}))


def _shape_problems(design):
    return [p for p in pf.preflight(design) if "expects" in str(p) and "gives" in str(p)]


def test_an_input_whose_shape_differs_from_the_images_is_named_with_the_shape_to_set():
    flat = _shape_problems(_shaped((64,), "digits_images"))
    # Same width (64 = 8·8·1): it trains reading each image as a flat row — a warning.
    assert [(p.node_id, p.severity) for p in flat] == [("input1", "warning")]
    assert ("input1 expects (64,) but the data set digits_images gives images (8, 8, 1): "
            "set the Input's shape to [8, 8, 1]") in str(flat[0])
    wrong = _shape_problems(_shaped((8, 4, 2), "digits_images"))
    assert [(p.node_id, p.severity) for p in wrong] == [("input1", "warning")]
    narrow = [p for p in pf.preflight(_shaped((32,), "digits_images")) if pf.is_error(p)]
    # Another width: one error, by node, with the shape (not the bare width message as well).
    assert [p.node_id for p in narrow] == ["input1"]
    assert "gives images (8, 8, 1): set the Input's shape to [8, 8, 1]" in str(narrow[0])
    assert "features but" not in str(narrow[0])
    assert _shape_problems(_shaped((8, 8, 1), "digits_images")) == []


def test_sequences_are_named_as_sequences_and_flat_data_keeps_the_width_check():
    seq = _shape_problems(_shaped((36,), "recall_first", {"n": 40, "length": 9, "symbols": 3}))
    assert len(seq) == 1 and "gives sequences (9, 4): set the Input's shape to [9, 4]" in str(seq[0])
    assert _shape_problems(_shaped((9, 4), "recall_first", {"n": 40, "length": 9, "symbols": 3})) == []
    flat = [str(p) for p in pf.preflight(_shaped((3,), "xor")) if "features" in str(p)]   # no sample shape
    assert len(flat) == 1 and "has 2 features but the design's Input nodes take 3" in flat[0]
