"""The block catalogue and the op registry: every block has every piece, or this test names it.

Per block: the op(s) it lowers to have a schema, CPU forward/backward adapters, CUDA launchers or
an explicit ``CUDA = None``, an ONNX conversion; the block has a PyTorch-export translation, an
icon, English and Korean docs, and a test file that mentions it. Plus: the engine's dispatch is
generated from the registry (a new op needs no engine edit), the plan table is never patched, and
the pre-flight refuses a CUDA run of a block whose op is not on CUDA, naming the block.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from core.blocks import BLOCKS, Block, block_docs, docs_data
from core.designfile import Design
from core.graph import Graph
from core.ops import op, ops, registry
from core.ops.schema import H_OP, N_HEADER, OpSchema
from core.plan import compile_plan
from core.settings import validate_data, validate_training
from helpers import tiny_graph

TESTS = Path(__file__).resolve().parent


def _tests_text() -> str:
    me = Path(__file__).resolve()
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(TESTS.rglob("test_*.py")) if p.resolve() != me)




def ops_of(block: type[Block]) -> list[str]:
    g, node = tiny_graph(block)
    plan = compile_plan(g, "mse")
    return [registry.op_by_code(int(plan.ops[s, H_OP])).name for s in range(len(plan.ops))
            if plan.step_nodes[s] == node]


def torch_translation_missing(block: type[Block]) -> str | None:
    from core.torch_export import TorchExportError, generate_module
    g, _ = tiny_graph(block)
    design = Design(g, validate_training({}), validate_data({}), name="registry probe")
    try:
        generate_module(design)
    except TorchExportError as e:
        return str(e)
    return None


def missing_pieces(block: type[Block], *, glyphs, docs_en, docs_ko, tests_text) -> list[str]:
    """What `block` lacks, each piece named (empty when it is complete)."""
    missing = []
    try:
        names = ops_of(block)
    except Exception as e:      # noqa: BLE001 — the point is to name it, whatever it is
        return [f"op schema (its emit fails: {e})"]
    for name in names:
        e = op(name)
        module = sys.modules[e.module]
        if not (hasattr(e.forward, "py_func") and hasattr(e.backward, "py_func")):
            missing.append(f"CPU forward/backward (njit) of op {name!r}")
        if not (hasattr(module, "CUDA") or hasattr(module, "OPS")):
            missing.append(f"CUDA launchers or an explicit CUDA = None in {e.module}")
        if e.onnx is None:
            missing.append(f"ONNX conversion (to_onnx) of op {name!r}")
    problem = torch_translation_missing(block)
    if problem:
        missing.append(f"PyTorch-export translation (core/torch_export.py): {problem}")
    if not block.icon or block.icon not in glyphs:
        missing.append(f"icon (Block.icon {block.icon!r} is not a glyph in designer/icons.py)")
    for lang, docs in (("English", docs_en), ("Korean", docs_ko)):
        entry = docs.get(block.type_name) or {}
        if not (entry.get("summary") and entry.get("tip")):
            missing.append(f"{lang} docs (summary and tip " + ("on the block class)" if lang == "English"
                                                              else "in core/blocks/docs.ko.json)"))
    if f'"{block.type_name}"' not in tests_text and f"'{block.type_name}'" not in tests_text:
        missing.append("a test file that mentions it")
    return missing


@pytest.fixture(scope="module")
def catalogue_context():
    from designer.icons import GLYPHS
    return dict(glyphs=GLYPHS, docs_en=block_docs("en"), docs_ko=docs_data("ko"), tests_text=_tests_text())


def test_every_block_has_every_piece(catalogue_context):
    report = {name: missing_pieces(BLOCKS.get(name), **catalogue_context) for name in BLOCKS.names()}
    report = {name: m for name, m in report.items() if m}
    assert not report, "blocks with missing pieces:\n" + "\n".join(
        f"  {name}: " + "; ".join(m) for name, m in report.items())


def test_a_block_without_its_pieces_gets_each_one_named(catalogue_context):
    class Bare(Block):
        type_name = "BareProbe"
        group = "Layers"

        @classmethod
        def emit(cls, builder, node_id, params, inputs, input_shapes):
            out = builder.new_tensor(builder.tensor_width(inputs[0]), node_id)
            builder.add_op("softmax", inputs, out, node_id=node_id)
            return out

    BLOCKS._items["BareProbe"] = Bare
    try:
        missing = missing_pieces(Bare, **catalogue_context)
    finally:
        del BLOCKS._items["BareProbe"]
    text = "\n".join(missing)
    for piece in ("PyTorch-export translation", "icon", "English docs", "Korean docs", "a test file"):
        assert piece in text, (piece, missing)


def test_every_op_is_complete_and_its_fields_have_one_meaning():
    codes = set()
    for name, e in ops().items():
        sc = e.schema
        assert sc.opcode not in codes
        codes.add(sc.opcode)
        cols = [sc.col(f) for f in (*sc.weights, *(a.name for a in sc.aux), *sc.ints)]
        assert len(cols) == len(set(cols)) and all(c >= N_HEADER for c in cols), name
        assert [sc.fcol(f) for f in sc.floats] == list(range(len(sc.floats))), name
        assert hasattr(e.forward, "py_func") and hasattr(e.backward, "py_func"), name
    with pytest.raises(ValueError, match="declared twice"):
        OpSchema("twice", 99, weights=("w",), ints=("w",))


def test_an_unknown_field_is_refused_by_name():
    from core.plan import PlanBuilder
    b = PlanBuilder()
    t = b.new_tensor(3, "x")
    with pytest.raises(ValueError, match="no int field"):
        b.add_op("dropout", [t], b.new_tensor(3, "d"), aux={"mask": 3}, ints={"inverted_typo": 1})
    with pytest.raises(ValueError, match="need a size"):
        b.add_op("dropout", [t], b.new_tensor(3, "d"))


def test_the_engine_dispatch_is_generated_from_the_registry():
    from core.kernels import engine
    entries = list(ops().values())
    fake = dataclasses.replace(entries[-1], schema=OpSchema("probe_op", 4242), module="core.ops.softmax")
    text = engine.generate_source(entries + [fake])
    assert "elif code == 4242:   # probe_op" in text
    assert "_forward_probe_op(s, ops, opf" in text and "_backward_probe_op(s, ops, opf" in text
    # The loaded engine is the file generated for the registry as it is, named by its sources' hash.
    generated = Path(engine.GENERATED_FILE)
    assert generated.read_text(encoding="utf-8") == engine.generate_source(entries)
    assert generated.parent == engine.engine_dir() and generated.name.startswith("netdesigner_engine_")
    for e in entries:
        assert f"# {e.name}\n" in generated.read_text(encoding="utf-8")


def test_the_executor_resolves_aux_entries_without_patching_the_plan():
    from core.executor import Executor
    g = Graph()
    i = g.add_node("Input", {"shape": [3]}).id
    d = g.add_node("Dense", {"units": 5}).id
    bn = g.add_node("BatchNorm", {}).id
    dr = g.add_node("Dropout", {}).id
    o = g.add_node("Dense", {"units": 1}).id
    for a, b in [(i, d), (d, bn), (bn, dr), (dr, o)]:
        g.connect(a, b)
    plan = compile_plan(g, "mse")
    before = plan.ops.copy()
    ex = Executor(plan, 7)
    np.testing.assert_array_equal(plan.ops, before)
    np.testing.assert_array_equal(ex.ops, before)       # the executor's copy too (no BLAS routing asked)
    bn_sc, dr_sc = op("batchnorm").schema, op("dropout").schema
    s_bn = plan.step_nodes.index(bn)
    s_dr = plan.step_nodes.index(dr)
    xhat, stats, mask = (int(plan.ops[s_bn, bn_sc.col("xhat")]), int(plan.ops[s_bn, bn_sc.col("stats")]),
                         int(plan.ops[s_dr, dr_sc.col("mask")]))
    assert plan.aux_entries[xhat] == (5, True) and plan.aux_entries[stats] == (20, False)
    # x̂ holds 7 rows of 5, the statistics follow it, then the mask (7 × 5): laid out from the batch.
    assert (ex.aux_off[xhat], ex.aux_off[stats], ex.aux_off[mask]) == (0, 35, 55)


def _cuda_design(monkeypatch, without_cuda: str):
    ops_now = registry.ops()
    patched = dataclasses.replace(ops_now[without_cuda], cuda=None)
    monkeypatch.setitem(ops_now, without_cuda, patched)
    monkeypatch.setitem(registry._by_code, patched.schema.opcode, patched)
    g = Graph()
    i = g.add_node("Input", {"shape": [3]}).id
    ln = g.add_node("LayerNorm", {}).id
    o = g.add_node("Dense", {"units": 1}).id
    g.connect(i, ln)
    g.connect(ln, o)
    return Design(g, validate_training({"device": "cuda"}), validate_data({}), name="cuda probe"), ln


def test_preflight_refuses_a_cuda_run_of_a_block_not_on_cuda_naming_it(monkeypatch):
    from core.preflight import device_problems
    design, ln = _cuda_design(monkeypatch, "layernorm")
    plan = compile_plan(design.graph, "mse")
    problems = device_problems(design, plan)
    assert len(problems) == 1
    assert problems[0].node_id == ln and "LayerNorm is not available on the CUDA device" in str(problems[0])
    cpu = Design(design.graph, validate_training({"device": "cpu"}), validate_data({}), name="cpu")
    assert device_problems(cpu, plan) == []


def test_preflight_runs_the_device_check(monkeypatch):
    from core import preflight
    design, ln = _cuda_design(monkeypatch, "layernorm")
    problems = preflight.preflight(design, data_loader=lambda settings: None)
    assert any(getattr(p, "node_id", None) == ln and "LayerNorm is not available on the CUDA device" in str(p)
               for p in problems), problems


def test_the_generated_engine_goes_to_the_first_writable_cache_folder(tmp_path, monkeypatch):
    from core.kernels import engine
    monkeypatch.setenv("NETDESIGNER_ENGINE_DIR", str(tmp_path / "engine"))
    assert engine.engine_dir() == tmp_path / "engine"
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NETDESIGNER_ENGINE_DIR", str(blocker / "engine"))   # cannot be made
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    assert engine.engine_dir() == tmp_path / "numba" / "netdesigner_engine"
    # Written once per content: an unchanged file keeps its time stamp (numba's cache checks it).
    target = tmp_path / "numba" / "netdesigner_engine" / "probe.py"
    engine._write_once(target, "x = 1\n")
    stamp = target.stat().st_mtime_ns
    engine._write_once(target, "x = 1\n")
    assert target.stat().st_mtime_ns == stamp
    engine._write_once(target, "x = 2\n")
    assert target.read_text() == "x = 2\n"
