"""The headless CLI: `python -m core.cli train|summary|evaluate`, in a subprocess and in-process.

Expected failures are one line on stderr and exit status 2, never a traceback.
"""
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from core import cli
from core.designfile import Design, dumps, save_design
from core.graph import Graph
from core.settings import validate_data, validate_training
from core.weights import load_weights, save_weights

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCH_LINE = re.compile(r"^epoch (\d+)/(\d+)  loss \S+  lr \S+  accuracy \S+  val_loss \S+  val_accuracy \S+  \(\S+ s\)$")


def xor_design(epochs=5) -> Design:
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x", label="features")
    g.add_node("Dense", {"units": 4}, node_id="hidden")
    g.add_node("Tanh", node_id="act")
    g.add_node("Dense", {"units": 1}, node_id="out", label="logit")
    for s, t in [("x", "hidden"), ("hidden", "act"), ("act", "out")]:
        g.connect(s, t)
    training = validate_training({"loss": {"name": "binary_crossentropy", "params": {"from_logits": True}},
                                  "optimizer": {"name": "adam", "params": {"learning_rate": 0.05}},
                                  "batch_size": 16, "epochs": epochs, "metrics": ["accuracy"], "seed": 1})
    return Design(g, training, validate_data({"name": "xor", "params": {"n": 80}, "validation_split": 0.25}))


@pytest.fixture
def design_file(tmp_path):
    p = tmp_path / "xor.json"
    save_design(xor_design(), p)
    return p


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "core.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=300)


def assert_one_line_error(rc, err, *needles):
    assert rc == 2
    assert "Traceback" not in err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("netdesigner ")
    for n in needles:
        assert n in lines[0], lines[0]


# ---- train ------------------------------------------------------------------------------------

def test_train_subprocess_writes_weights_and_prints_each_epoch(design_file, tmp_path):
    out = tmp_path / "trained.npz"
    r = run_cli("train", design_file, "--epochs", "3", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    epoch_lines = [line for line in r.stdout.splitlines() if line.startswith("epoch ")]
    assert [EPOCH_LINE.match(line).groups() for line in epoch_lines] == [("1", "3"), ("2", "3"), ("3", "3")]
    assert "Trained 3 epochs." in r.stdout
    assert f"weights written to {out}" in r.stdout
    weights, meta = load_weights(out)
    assert sorted(weights) == ["hidden/bias", "hidden/kernel", "out/bias", "out/kernel"]
    assert meta["epoch"] == 3
    assert meta["design_hash"] == xor_design().structure_hash()
    assert set(meta["metrics"]) >= {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_train_in_process_uses_the_design_epochs(design_file, tmp_path, capsys):
    out = tmp_path / "w.npz"
    assert cli.main(["train", str(design_file), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    epochs = [EPOCH_LINE.match(line) for line in captured.out.splitlines() if line.startswith("epoch ")]
    assert [m.group(1, 2) for m in epochs] == [(str(i), "5") for i in range(1, 6)]
    assert load_weights(out)[1]["epoch"] == 5


def test_train_quiet_prints_only_the_end(design_file, capsys):
    assert cli.main(["train", str(design_file), "--epochs", "2", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines() == ["Trained 2 epochs."]
    assert captured.err == ""


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal(design_file, monkeypatch, capsys):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert cli.main(["train", str(design_file), "--epochs", "2"]) == 0
    err = term.getvalue()
    assert re.search(r"\repoch 1/2  batch \d+/4  loss \S+", err)
    assert re.search(r"\repoch 2/2  batch 4/4  loss \S+", err)
    assert len(re.findall(r"\r {20,}\r", err)) == 2     # the bar is wiped before each epoch line
    assert "Traceback" not in err


def test_no_progress_bar_when_stderr_is_not_a_terminal(design_file, capsys):
    assert cli.main(["train", str(design_file), "--epochs", "1"]) == 0
    assert "batch" not in capsys.readouterr().err


def test_fine_tune_from_weights_then_evaluate(design_file, tmp_path, capsys):
    first = tmp_path / "first.npz"
    second = tmp_path / "second.npz"
    assert cli.main(["train", str(design_file), "--epochs", "2", "--out", str(first), "--quiet"]) == 0
    assert cli.main(["train", str(design_file), "--epochs", "1", "--weights", str(first), "--out", str(second),
                     "--quiet"]) == 0
    assert load_weights(second)[1]["epoch"] == 3      # 2 loaded + 1 trained
    w1, w2 = load_weights(first)[0], load_weights(second)[0]
    assert not np.array_equal(w1["hidden/kernel"], w2["hidden/kernel"])
    capsys.readouterr()
    assert cli.main(["evaluate", str(design_file), str(second), "--split", "val"]) == 0
    assert re.fullmatch(r"loss \S+  accuracy \S+\n", capsys.readouterr().out)


# ---- summary ------------------------------------------------------------------------------------

def test_summary_subprocess_prints_the_table(design_file):
    r = run_cli("summary", design_file)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for row in ("features (Input)", "hidden (Dense)", "act (Tanh)", "logit (Dense)"):
        assert row in out
    assert "Total params: 17" in out and "Trainable params: 17" in out and "Non-trainable params: 0" in out
    assert "problem" not in out
    assert r.stderr == ""


def test_summary_lists_problems(tmp_path, capsys):
    d = xor_design()
    d.graph.add_node("Add", node_id="merge")
    d.graph.connect("out", "merge", 0)
    p = tmp_path / "d.json"
    save_design(d, p)
    assert cli.main(["summary", str(p)]) == 0
    out = capsys.readouterr().out
    assert "merge (Add)" in out
    assert [line for line in out.splitlines() if line.startswith("problem:")] == \
        ["problem: Node 'merge': input port 1 is not connected"]


# ---- one-line errors ----------------------------------------------------------------------------

def _misfit_weights(tmp_path):
    p = tmp_path / "misfit.npz"
    save_weights(p, {"hidden/kernel": np.zeros((3, 4), np.float32), "hidden/bias": np.zeros(4, np.float32),
                     "out/kernel": np.zeros((4, 1), np.float32), "ghost/w": np.zeros(2, np.float32)})
    return p


def _bad_designs(tmp_path):
    missing = tmp_path / "missing.json"
    not_json = tmp_path / "not.json"
    not_json.write_text("{ nope")
    newer = tmp_path / "newer.json"
    doc = json.loads(dumps(xor_design()))
    doc["version"] = 99
    newer.write_text(json.dumps(doc))
    unknown = tmp_path / "unknown.json"
    doc = json.loads(dumps(xor_design()))
    doc["nodes"][1]["type"] = "Conv3D"   # not a block (Conv2D is one now)
    unknown.write_text(json.dumps(doc))
    return {"missing": (missing, "missing.json"), "not json": (not_json, "not valid JSON"),
            "newer": (newer, "version"), "unknown block": (unknown, "nodes[1].type")}


@pytest.mark.parametrize("case", ["missing", "not json", "newer", "unknown block"])
@pytest.mark.parametrize("command", ["train", "summary"])
def test_bad_design_is_one_line_in_process(tmp_path, capsys, case, command):
    path, needle = _bad_designs(tmp_path)[case]
    rc = cli.main([command, str(path)])
    captured = capsys.readouterr()
    assert_one_line_error(rc, captured.err, f"netdesigner {command}:", needle)
    assert captured.out == ""


@pytest.mark.parametrize("case", ["missing", "newer"])
def test_bad_design_is_one_line_in_a_subprocess(tmp_path, case):
    path, needle = _bad_designs(tmp_path)[case]
    r = run_cli("train", path)
    assert_one_line_error(r.returncode, r.stderr, needle)


def test_weights_that_do_not_fit_are_one_line(design_file, tmp_path, capsys):
    w = _misfit_weights(tmp_path)
    rc = cli.main(["train", str(design_file), "--weights", str(w), "--epochs", "1"])
    captured = capsys.readouterr()
    assert_one_line_error(rc, captured.err, "misfit.npz", "hidden/kernel", "(3, 4)", "(2, 4)",
                          "out/bias", "ghost/w")
    assert "epoch" not in captured.out   # refused before training
    r = run_cli("evaluate", design_file, w)
    assert_one_line_error(r.returncode, r.stderr, "hidden/kernel", "ghost/w")


def test_pickled_weights_are_one_line(design_file, tmp_path, capsys):
    w = tmp_path / "w.npz"
    np.savez(w, **{"hidden/kernel": np.array([object()], dtype=object)})
    rc = cli.main(["evaluate", str(design_file), str(w)])
    assert_one_line_error(rc, capsys.readouterr().err, "w.npz")


def test_design_that_cannot_compile_is_one_line(tmp_path, capsys):
    d = xor_design()
    d.graph.add_node("Add", node_id="merge")
    d.graph.connect("out", "merge", 0)
    p = tmp_path / "d.json"
    save_design(d, p)
    rc = cli.main(["train", str(p), "--epochs", "1"])
    assert_one_line_error(rc, capsys.readouterr().err, "merge", "port 1")


def test_loss_that_does_not_fit_the_data_is_one_line(tmp_path, capsys):
    d = xor_design()
    d.training["loss"] = {"name": "sparse_categorical_crossentropy", "params": {"from_logits": True}}
    p = tmp_path / "d.json"
    save_design(d, p)
    rc = cli.main(["train", str(p), "--epochs", "1"])
    assert_one_line_error(rc, capsys.readouterr().err, "'out'", "2 classes")


def test_unwritable_out_is_one_line_and_fails_before_training(design_file, tmp_path, capsys):
    out = tmp_path / "no such folder" / "w.npz"
    rc = cli.main(["train", str(design_file), "--epochs", "1", "--out", str(out)])
    captured = capsys.readouterr()
    assert_one_line_error(rc, captured.err, "no such folder")
    assert "epoch" not in captured.out
    assert not out.parent.exists()


def test_unknown_command_is_a_usage_error():
    r = run_cli("fly")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "usage:" in r.stderr


def test_failure_to_write_weights_after_training_is_one_line(design_file, tmp_path, capsys):
    folder = tmp_path / "w.npz"
    folder.mkdir()                       # a folder where the weights file should go
    rc = cli.main(["train", str(design_file), "--epochs", "1", "--quiet", "--out", str(folder)])
    captured = capsys.readouterr()
    assert_one_line_error(rc, captured.err, "w.npz")
    assert os.listdir(folder) == []


def test_train_refuses_an_output_another_live_process_is_writing(design_file, tmp_path, capsys):
    """Two runs saving to one weights file would overwrite each other's work; the second is refused
    before training, naming the process that holds the file."""
    import subprocess
    import sys as _sys
    out = tmp_path / "shared.npz"
    holder = subprocess.Popen([_sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "shared.npz.lock").write_text(f"{holder.pid} {__import__('socket').gethostname()}\n")
        assert cli.main(["train", str(design_file), "--epochs", "1", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"process {holder.pid}" in err and "shared.npz" in err and "Traceback" not in err
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone: its lock is stale, taken over, and released after the save
    assert cli.main(["train", str(design_file), "--epochs", "1", "--out", str(out), "--quiet"]) == 0
    assert out.exists() and not (tmp_path / "shared.npz.lock").exists()
