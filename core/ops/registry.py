"""The op registry: every op module under core/ops/ (and any block module under core/blocks/ that
declares its own op), found by walking the packages — adding an op edits no list.

An op module declares ``SCHEMA`` (an OpSchema), ``forward`` and ``backward`` (njit adapters with
the uniform signatures below), ``CUDA`` (a CudaSupport, or None: not on CUDA yet) and ``to_onnx``
(a conversion, or None). A module with several ops lists them in ``OPS`` as
(schema, forward, backward, cuda, to_onnx) tuples.

    forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads)
    backward(s, ops, opf, op_in, tens, params, grads, acts, dacts, aux, aux_off, scratch, n, training,
             threads)
"""
from __future__ import annotations

import importlib
import pkgutil
import threading

from .deferred import materialize, resolve
from .schema import N_HEADER, OpEntry

_INFRASTRUCTURE = {"schema", "registry", "common", "codegen", "deferred"}
_lock = threading.RLock()
_ops: dict[str, OpEntry] | None = None
_by_code: dict[int, OpEntry] = {}


def _entries_of(module) -> list[OpEntry]:
    """The module's ops. A module written with core/ops/deferred.py (a block module holding its own
    op, numba-free at import) is materialized first: its adapters become numba dispatchers."""
    name = module.__name__
    if not (hasattr(module, "OPS") or hasattr(module, "SCHEMA")):
        return []
    materialize(module)
    if hasattr(module, "OPS"):
        return [OpEntry(sc, resolve(f), resolve(b), c, o, name) for sc, f, b, c, o in module.OPS]
    return [OpEntry(module.SCHEMA, module.forward, module.backward, getattr(module, "CUDA", None),
                    getattr(module, "to_onnx", None), name)]


def _discover() -> dict[str, OpEntry]:
    found: dict[str, OpEntry] = {}
    codes: dict[int, str] = {}
    for package in ("core.ops", "core.blocks"):
        pkg = importlib.import_module(package)
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            if info.name in _INFRASTRUCTURE or info.ispkg:
                continue
            module = importlib.import_module(f"{package}.{info.name}")
            for e in _entries_of(module):
                sc = e.schema
                if sc.name in found:
                    raise ValueError(f"op {sc.name!r} is declared twice ({found[sc.name].module}, {e.module})")
                if sc.opcode in codes:
                    raise ValueError(f"ops {codes[sc.opcode]!r} and {sc.name!r} share opcode {sc.opcode}")
                found[sc.name], codes[sc.opcode] = e, sc.name
    return dict(sorted(found.items(), key=lambda kv: kv[1].schema.opcode))


def ops() -> dict[str, OpEntry]:
    """Every registered op by name, in opcode order."""
    global _ops
    if _ops is None:
        with _lock:
            if _ops is None:
                found = _discover()
                _by_code.update({e.schema.opcode: e for e in found.values()})
                _ops = found
    return _ops


def op(name: str) -> OpEntry:
    try:
        return ops()[name]
    except KeyError:
        raise KeyError(f"no op named {name!r}; known: {', '.join(ops())}") from None


def op_by_code(code: int) -> OpEntry:
    ops()
    return _by_code[int(code)]


def n_int_cols() -> int:
    """Width of a plan's int table: the header and the most fields any op has."""
    return _widths()[0]


def n_float_cols() -> int:
    """Width of a plan's float table (at least 1)."""
    return _widths()[1]


_table_widths: tuple[int, int] | None = None


def _widths() -> tuple[int, int]:
    global _table_widths
    if _table_widths is None:
        entries = ops().values()
        _table_widths = (N_HEADER + max((e.schema.n_int_fields for e in entries), default=0),
                         max([1] + [len(e.schema.floats) for e in entries]))
    return _table_widths
