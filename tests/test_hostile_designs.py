"""Hostile and unusual design files and graphs (issue 11): one clear error, never a traceback,
a hang or an allocation that takes the machine down.

- a folder, a FIFO or /dev/zero given as a design is refused before anything is read;
- a file over MAX_FILE_BYTES is refused from its size; JSON nested too deeply names its path;
- an overlong description or label is cut (with a warning), not laid out in full;
- labels with bidi overrides and control characters are shown escaped in the summary table, in
  error messages and on the canvas;
- a design too big for the machine's memory is refused by check() / compile_plan() with the
  number of bytes, before any arena is allocated — and the estimate matches what the executor
  really allocates;
- a working directory holding folders named like the sub-commands does not confuse the CLI.
"""
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from core import designfile
from core.designfile import Design, dumps, load_design, loads, save_design
from core.errors import DesignFileError, MemoryLimitError, NetDesignerError
from core.graph import Graph
from core.memory import design_memory_problem, estimate_memory, memory_problem
from core.plan import compile_plan
from core.settings import validate_training
from core.textsafe import printable_label

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XOR = os.path.join(ROOT, "resources", "examples", "xor.json")


def load_in_thread(path):
    """load_design(path) in a daemon thread: a loader that blocks (a FIFO without a writer) leaves
    the thread alive instead of hanging the test run."""
    result = {}

    def run():
        try:
            result["value"] = load_design(path)
        except BaseException as e:   # noqa: BLE001 - the test inspects whatever came out
            result["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(60)   # a hang detector, not a latency limit: a correct loader returns at once
    assert not t.is_alive(), f"load_design({path!r}) blocked"
    return result


# ---- files that are not design files -------------------------------------------------------

def test_folder_is_refused_by_name(tmp_path):
    folder = tmp_path / "design.json"
    folder.mkdir()
    out = load_in_thread(str(folder))
    assert isinstance(out.get("error"), DesignFileError)
    assert "folder" in str(out["error"]) and str(folder) in str(out["error"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "design.json"
    os.mkfifo(fifo)
    out = load_in_thread(str(fifo))
    assert isinstance(out.get("error"), DesignFileError)
    assert "FIFO" in str(out["error"]) and str(fifo) in str(out["error"])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading():
    out = load_in_thread("/dev/zero")
    assert isinstance(out.get("error"), DesignFileError)
    assert "device" in str(out["error"]) and "/dev/zero" in str(out["error"])


def test_oversized_file_is_refused_from_its_size(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:           # sparse: no disk space, no time
        f.truncate(designfile.MAX_FILE_BYTES + 1)
    with pytest.raises(DesignFileError, match=r"at most 50\.0 MB") as err:
        load_design(big)
    assert str(big) in str(err.value)


def test_oversized_text_is_refused_by_loads():
    with pytest.raises(DesignFileError, match="at most"):
        loads(" " * (designfile.MAX_FILE_BYTES + 1))


# ---- nesting ---------------------------------------------------------------------------------

def test_settings_nested_too_deeply_name_their_path():
    doc = json.loads(dumps(Design()))
    deep = 1
    for _ in range(200):
        deep = [deep]
    doc["data"]["options"] = {"columns": deep}
    with pytest.raises(DesignFileError, match="nested more than 64 levels") as err:
        loads(json.dumps(doc))
    assert err.value.path.startswith("data.options.columns[0]")


@pytest.mark.parametrize("where", ["top", "node", "edge", "options"])
def test_nesting_deeper_than_the_stack_is_a_clear_error(where):
    deep = "[" * 100_000 + "]" * 100_000
    doc = dumps(Design())
    text = {"top": deep,
            "node": doc.replace('"nodes": []', f'"nodes": [{{"id": "x", "type": "Input", "position": {deep}}}]'),
            "edge": doc.replace('"edges": []', f'"edges": [{deep}]'),
            "options": doc.replace('"options": {}', f'"options": {{"a": {deep}}}')}[where]
    assert text != doc
    with pytest.raises(DesignFileError, match="nested too deeply"):
        loads(text)


# ---- text that is too long or not printable --------------------------------------------------

def test_huge_description_is_cut_with_a_warning(tmp_path, caplog):
    d = json.loads(open(XOR, encoding="utf-8").read())
    d["description"] = "x" * (5 * designfile.MAX_DESCRIPTION_CHARS)
    d["nodes"][1]["label"] = "L" * (3 * designfile.MAX_LABEL_CHARS)
    path = tmp_path / "long.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    design = load_design(path)
    assert len(design.description) == designfile.MAX_DESCRIPTION_CHARS + 1   # + "…"
    assert len(design.graph.nodes["hidden"].label) == designfile.MAX_LABEL_CHARS + 1
    assert any("description" in w and "500,000" in w for w in design.warnings)
    assert any("nodes[1]" in w for w in design.warnings)
    assert "500,000 characters" in caplog.text


def test_summary_escapes_bidi_and_control_characters_and_keeps_its_columns():
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x", label="in\u202eevil\u2066")
    g.add_node("Dense", {"units": 3}, node_id="d", label="two\nlines\x1b[31m\ttab")
    g.add_node("Tanh", node_id="t", label="zero\u200bwidth")
    g.connect("x", "d")
    g.connect("d", "t")
    table = g.summary()
    for raw in ("\u202e", "\u2066", "\x1b", "\t", "\u200b"):
        assert raw not in table
    assert "in\\u202eevil\\u2066 (Input)" in table
    assert "two\\nlines\\x1b[31m\\ttab (Dense)" in table
    assert "zero\\u200bwidth (Tanh)" in table
    rows = table.splitlines()
    assert len(rows) == 3 + 3 + 5      # rules and header, one row per node, totals
    body = rows[3:6]
    # every row's second column starts at the same place: control characters broke that
    starts = {r.index("(None,") for r in body}
    assert len(starts) == 1, body


def test_error_messages_show_labels_escaped():
    g = Graph()
    g.add_node("Dense", {"units": 3}, node_id="d", label="\u202elabel")
    problems = [str(p) for p in g.check()]
    assert problems and all("\u202e" not in p for p in problems)
    assert any("(\\u202elabel)" in p for p in problems)


def test_printable_label_keeps_ordinary_text():
    assert printable_label("Hidden layer ✓ 한국어 עברית 👩‍💻") == "Hidden layer ✓ 한국어 עברית 👩‍💻"
    assert printable_label("a\u202eb\u200fc\u2028d\x00") == "a\\u202eb\\u200fc\\u2028d\\x00"
    assert printable_label("x" * 1000, max_chars=10) == "x" * 9 + "…"
    assert printable_label(printable_label("y" * 1000, 10), 10) == "y" * 9 + "…"


def test_canvas_node_title_is_drawn_escaped(qapp):
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    from designer.canvas.node_item import NodeItem

    class RecordingPainter(QPainter):
        def __init__(self, device):
            super().__init__(device)
            self.texts = []

        def drawText(self, *args):
            self.texts.append(next(a for a in args if isinstance(a, str)))
            return super().drawText(*args)

    g = Graph()
    node = g.add_node("Dense", {"units": 3}, node_id="d", label="abc\u202edef\x07")
    item = NodeItem(node)
    image = QImage(600, 400, QImage.Format_ARGB32)
    painter = RecordingPainter(image)
    try:
        item.paint(painter, QStyleOptionGraphicsItem(), None)
    finally:
        painter.end()
    drawn = "".join(painter.texts)
    assert "\u202e" not in drawn and "\x07" not in drawn
    assert any(t.startswith("abc\\u202e") for t in painter.texts), painter.texts
    item._update_tooltip()
    assert "\u202e" not in item.toolTip() and "abc\\u202edef\\x07" in item.toolTip()


# ---- memory ---------------------------------------------------------------------------------

def huge_design() -> Graph:
    """10⁶ inputs → Dense(10⁶): 10¹² weights, 16 TB with gradients and optimizer state."""
    g = Graph()
    g.add_node("Input", {"shape": [1_000_000]}, node_id="x")
    g.add_node("Dense", {"units": 1_000_000}, node_id="wide", label="too wide")
    g.add_node("Dense", {"units": 1}, node_id="out")
    g.connect("x", "wide")
    g.connect("wide", "out")
    return g


def test_check_refuses_a_design_whose_weights_cannot_fit(monkeypatch):
    monkeypatch.setenv("NETDESIGNER_MEMORY_LIMIT", str(64 << 30))
    g = huge_design()
    problems = [p for p in g.check() if isinstance(p, MemoryLimitError)]
    assert len(problems) == 1
    p = problems[0]
    n = 1_000_000 * 1_000_000 + 1_000_000 + 1_000_000 + 1
    assert p.node_id == "wide" and p.needed == 4 * 4 * n and p.limit == 64 << 30
    assert f"{n:,} parameters" in str(p) and "14.6 TB" in str(p) and "64.0 GB" in str(p)
    with pytest.raises(MemoryLimitError):
        compile_plan(g)        # before any array is allocated


def test_activations_at_the_design_batch_size_count(monkeypatch):
    """Dense(10⁶) on 2 inputs has only 4·10⁶ weights, but its activations at batch 4096 are
    2·10⁶·4096 floats: fine at a small batch, refused (with the batch named) at a large one."""
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("Dense", {"units": 1_000_000}, node_id="wide")
    g.add_node("Dense", {"units": 1}, node_id="out")
    g.connect("x", "wide")
    g.connect("wide", "out")
    limit = 8 << 30
    assert g.check() == []
    assert memory_problem(g, 256, limit=limit) is None
    problem = memory_problem(g, 4096, limit=limit)
    assert isinstance(problem, MemoryLimitError) and "batch 4,096" in str(problem)
    # (2 + 10⁶ + 1) floats per row, twice (values and gradients), plus the widest row as scratch
    assert problem.needed >= (2 * (2 + 1_000_000 + 1) + 1_000_000) * 4096 * 4
    training = validate_training({"batch_size": 4096})
    assert design_memory_problem(Design(graph=g, training=training), limit=limit) is not None
    assert design_memory_problem(Design(graph=g), limit=limit) is None
    with pytest.raises(MemoryLimitError, match="batch 4,096"):
        monkeypatch.setenv("NETDESIGNER_MEMORY_LIMIT", str(limit))
        compile_plan(g, batch_size=4096)


def test_estimate_matches_what_the_executor_allocates():
    """The estimate is a promise about the executor: compare with its real arrays (the reference)."""
    from core.executor import Executor
    g = Graph()
    g.add_node("Input", {"shape": [30]}, node_id="x")
    g.add_node("Dense", {"units": 40}, node_id="d1")
    g.add_node("BatchNorm", node_id="bn")
    g.add_node("ReLU", node_id="r")
    g.add_node("Dropout", {"rate": 0.2}, node_id="drop")
    g.add_node("LayerNorm", node_id="ln")
    g.add_node("Dense", {"units": 5}, node_id="out")
    for s, t in [("x", "d1"), ("d1", "bn"), ("bn", "r"), ("r", "drop"), ("drop", "ln"), ("ln", "out")]:
        g.connect(s, t)
    plan = compile_plan(g)
    for batch, dtype in ((7, np.float32), (64, np.float64)):
        ex = Executor(plan, batch, dtype)
        allocated = sum(a.nbytes for a in (ex.acts, ex.dacts, ex.aux, ex.scratch, ex.params, ex.grads,
                                           ex.opt_state))
        est = estimate_memory(plan, batch, dtype)
        assert allocated - np.dtype(dtype).itemsize <= est.total <= allocated, (est, allocated)
        assert est.weights == ex.params.nbytes and est.optimizer == ex.opt_state.nbytes


def test_cli_refuses_a_design_too_big_for_memory_in_one_line(tmp_path):
    path = tmp_path / "huge.json"
    save_design(Design(graph=huge_design()), path)
    env = {**os.environ, "NETDESIGNER_MEMORY_LIMIT": str(64 << 30)}
    r = subprocess.run([sys.executable, "-m", "core.cli", "train", str(path)], capture_output=True,
                       text=True, env=env, cwd=tmp_path, timeout=600)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "14.6 TB" in r.stderr and "'wide'" in r.stderr


# ---- the command line and folders named like its sub-commands -------------------------------

def test_subcommands_work_beside_folders_of_the_same_name(tmp_path):
    for name in ("train", "summary", "evaluate", "export", "kfold"):
        (tmp_path / name).mkdir()
    design = tmp_path / "x.json"
    design.write_text(open(XOR, encoding="utf-8").read(), encoding="utf-8")
    launcher = "import sys; from designer.launch import main; sys.exit(main())"
    r = subprocess.run([sys.executable, "-c", launcher, "summary", "x.json"], capture_output=True,
                       text=True, cwd=tmp_path, timeout=600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr
    assert "Total params" in r.stdout
    from designer.launch import is_subcommand
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for name in ("train", "summary", "evaluate", "export", "kfold", "lr-find"):
            assert is_subcommand([name, "x.json"]), name
        assert not is_subcommand(["x.json"])
    finally:
        os.chdir(cwd)


def test_plan_estimate_memory_is_the_checked_preflight_hook():
    """core.plan.estimate_memory (what core/preflight.py calls) raises over the limit, with the
    design's batch (at least the arena's 256 rows) and dtype."""
    from core import plan as plan_module
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("Dense", {"units": 1_000_000}, node_id="wide")
    g.connect("x", "wide")
    plan = compile_plan(g)
    est = plan_module.estimate_memory(plan, 32, "float32", limit=64 << 30)
    assert est.batch_size == 256 and est.total == estimate_memory(plan, 256).total
    with pytest.raises(MemoryLimitError, match="batch 4,096") as err:
        plan_module.estimate_memory(plan, 4096, "float64", limit=8 << 30)
    assert err.value.node_id == "wide" and err.value.limit == 8 << 30


def test_hostile_values_in_errors_are_cut_and_escaped():
    """A 1 MB key or a bidi override in a bad value must not make a megabyte-long or reversed
    error line."""
    doc = json.loads(dumps(Design()))
    doc["k" * 1_000_000 + "\u202e"] = 1
    with pytest.raises(DesignFileError) as err:
        loads(json.dumps(doc))
    assert len(str(err.value)) < 1000 and "\u202e" not in str(err.value)
    doc = json.loads(open(XOR, encoding="utf-8").read())
    doc["edges"][0]["source"] = ["x" * 1_000_000, "\u202e"]
    with pytest.raises(DesignFileError) as err:
        loads(json.dumps(doc))
    assert len(str(err.value)) < 1000 and "\u202e" not in str(err.value)
    assert err.value.path == "edges[0].source"


def test_one_overlong_cell_does_not_pad_every_summary_row():
    g = Graph()
    g.add_node("Input", {"shape": [1] * 20_000}, node_id="x")     # a 60,000-character shape
    g.add_node("Flatten", node_id="f")
    g.connect("x", "f")
    prev = "f"
    for i in range(200):
        g.add_node("ReLU", node_id=f"r{i}")
        g.connect(prev, f"r{i}")
        prev = f"r{i}"
    table = g.summary()
    assert len(table) < 3 * 60_000 + 200 * 400       # padded to every row it was 12 MB
    assert "(None, 1, 1, 1" in table


def test_overlong_node_id_is_refused_naming_the_field():
    doc = json.loads(open(XOR, encoding="utf-8").read())
    doc["nodes"][0]["id"] = "n" * 10_000
    with pytest.raises(DesignFileError, match="at most 128 characters") as err:
        loads(json.dumps(doc))
    assert err.value.path == "nodes[0].id"


def test_astronomical_input_shapes_are_refused_where_they_are_written():
    """10³⁰⁰⁰ × 10³⁰⁰⁰ values per sample made check() overflow a float and summary() exceed
    Python's integer-to-text limit; the shape is refused at its parameter instead."""
    doc = json.loads(open(XOR, encoding="utf-8").read())
    doc["nodes"][0]["params"]["shape"] = [10 ** 3000, 10 ** 3000]
    with pytest.raises(DesignFileError, match="at most 1,099,511,627,776 values") as err:
        loads(json.dumps(doc))
    assert err.value.path == "nodes[0].params.shape"
    g = Graph()
    with pytest.raises(NetDesignerError):
        g.add_node("Input", {"shape": [2 ** 20, 2 ** 20, 2]}, node_id="x")
    g.add_node("Input", {"shape": [2 ** 20, 2 ** 20]}, node_id="x")     # the largest allowed
    g.add_node("Flatten", node_id="f")
    g.add_node("Dense", {"units": 1_000_000}, node_id="d")
    g.connect("x", "f")
    g.connect("f", "d")
    assert any(isinstance(p, MemoryLimitError) and p.node_id == "d" for p in g.check())
    # (2⁴⁰ inputs + 1 bias) × 10⁶ units
    assert "Total params: 1,099,511,627,777,000,000" in g.summary()
