"""The inference graph of a design as an ONNX model (``onnx.helper``; opset 18 by default).

Layout:
- one graph input ``input`` of shape ["batch", n_features] (the flat features, as the engine
  takes them); the input scaler, when the model has one, is folded in as its first ops
  (``Sub`` offset, ``Div`` scale), then each Input node takes its column range (``Slice``);
- one tensor per node, named by the node id (weights are initializers named ``node_id/weight``);
- one graph output ``output`` of shape ["batch", k].

Op by op (inference semantics of the engine), each conversion in its op's module (core/ops/):
Dense → Gemm (MatMul without bias; kernel [in, out] as Keras); Flatten → nothing (samples are
flat); Linear → Identity; Step → Cast(GreaterOrEqual(x, threshold)); Sigmoid, Tanh, Relu;
LeakyReLU → LeakyRelu(alpha); PReLU → PRelu(slopes); RReLU → LeakyRelu((lower+upper)/2) (its
inference form); ELU → Elu(alpha); SELU → Selu (exact constants); Swish → x·Sigmoid(x); Mish →
Mish (opset ≥ 18; x·Tanh(Softplus(x)) below); Softplus → Softplus (onnxruntime's is the stable
max(x,0)+log1p(e^−|x|)); Softmax → Softmax(axis=−1); BatchNorm → BatchNormalization with the
moving statistics and the Keras epsilon; LayerNorm → LayerNormalization(axis=−1, epsilon);
Dropout → removed (a classic, non-inverted Dropout → Mul by 1−rate); AlphaDropout → removed;
Add → Sum; Concat → Concat(axis=1); Conv2D → Conv, MaxPool2D → MaxPool, AveragePool2D →
AveragePool(count_include_pad=0), TensorFlow 'same' padding as explicit pads, on NCHW: the flat
NHWC tensor is reshaped and transposed in, and back out; an image op reading another's result
takes its NCHW tensor, so inverse transposes fold (the unused flat forms are dropped);
GlobalAveragePool2D → ReduceMean; Reshape → nothing (samples are flat).
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .atomic import atomic_write_bytes
from .export import require
from .ops import OpView

DEFAULT_OPSET = 18
MIN_OPSET = 17          # LayerNormalization


class _Builder:
    def __init__(self, helper, TensorProto, numpy_helper, dtype: np.dtype):
        self.h, self.TP, self.nh = helper, TensorProto, numpy_helper
        self.dtype = np.dtype(dtype)
        self.elem = TensorProto.FLOAT if self.dtype == np.float32 else TensorProto.DOUBLE
        self.nodes: list = []
        self.inits: list = []
        self._names: set[str] = set()

    def init(self, name: str, value, dtype=None) -> str:
        arr = np.asarray(value, dtype=dtype or self.dtype)
        self.inits.append(self.nh.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, name: str | None = None, **attrs) -> str:
        name = name or output
        base, i = name, 1
        while name in self._names:
            i += 1
            name = f"{base}_{i}"
        self._names.add(name)
        self.nodes.append(self.h.make_node(op, inputs, [output], name=name, **attrs))
        return output


def _drop_unused(b: _Builder) -> None:
    """Remove nodes (and initializers) nothing reads. Image ops (core/blocks/conv.py, pooling.py) leave their
    result both as NCHW and, for the engine's flat layout, transposed back and reshaped; when the
    next op is an image op it reads the NCHW tensor, so back-to-back inverse transposes fold by
    the flat form's nodes going unused here."""
    needed = {"output"}
    kept = []
    for node in reversed(b.nodes):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(i for i in node.input if i)
    b.nodes = kept[::-1]
    b.inits = [t for t in b.inits if t.name in needed]


_RESERVED = frozenset({"input", "output", "scaled"})


def _tensor_name(nid: str) -> str:
    """A node's tensor is named by its id (ids never contain '/', internal names always do),
    except the three names the graph itself uses."""
    return f"node:{nid}" if nid in _RESERVED else nid


def build_onnx(graph, plan, weights: dict[str, np.ndarray], *, scaler=None, opset: int = DEFAULT_OPSET,
               dtype="float32", name: str = "netdesigner", metadata: dict[str, Any] | None = None):
    """An ``onnx.ModelProto`` of the inference graph (checked with ``onnx.checker``, full check).

    Args:
        graph, plan: the design's graph and its compiled plan (node order, Input column ranges).
        weights: ``node_id/weight`` → array (``Executor.get_weights()``).
        scaler: a fitted ``core.data.Scaler`` folded in as the first ops, or None.
        dtype: "float32" (default) or "float64" for the input, output and every initializer.
    """
    onnx = require("onnx", "ONNX export")
    from onnx import TensorProto, helper, numpy_helper
    from .errors import GraphError

    if not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise GraphError(f"ONNX export supports opsets {MIN_OPSET} to {onnx.defs.onnx_opset_version()}; "
                         f"received {opset}")
    b = _Builder(helper, TensorProto, numpy_helper, np.dtype(dtype))
    n_features = plan.n_features
    x = "input"
    if scaler is not None and scaler.offset is not None and scaler.kind != "none":
        if scaler.offset.size != n_features:
            raise GraphError(f"the scaler takes {scaler.offset.size} features but the design's Input "
                             f"nodes take {n_features}")
        off = b.init("scaler/offset", scaler.offset)
        scale = b.init("scaler/scale", scaler.scale)
        c = b.node("Sub", [x, off], "scaler/centered")
        x = b.node("Div", [c, scale], "scaled")

    # Step by step through the plan (topological order), each op converting itself (``to_onnx`` in
    # its module under core/ops/); a tensor is named by the node that made it. Flatten has no step:
    # its node shares its input's tensor.
    tensor: dict[int, str] = {}
    for s in range(len(plan.ops)):
        op = OpView(plan, s, weights)
        if op.entry.onnx is None:
            node = graph.nodes.get(op.node_id)
            raise GraphError(f"ONNX export does not know the block type {plan.node_types.get(op.node_id)!r} "
                             f"(its op {op.entry.name!r} has no ONNX conversion)", op.node_id,
                             node.label if node is not None else None)
        ins = [x] if op.entry.name == "input" else [tensor[t] for t in op.inputs]
        tensor[op.output] = op.entry.onnx(b, op, ins, _tensor_name(op.node_id), opset)

    out_w = plan.output_width
    b.node("Identity", [tensor[plan.out_tensor]], "output", name="output")
    _drop_unused(b)
    g = helper.make_graph(
        b.nodes, name,
        [helper.make_tensor_value_info("input", b.elem, ["batch", n_features])],
        [helper.make_tensor_value_info("output", b.elem, ["batch", out_w])],
        initializer=b.inits,
        doc_string="NetDesigner inference graph: flat features in, the output node's values out.")
    model = helper.make_model_gen_version(g, opset_imports=[helper.make_opsetid("", opset)],
                                          producer_name="NetDesigner")
    meta = {"inputs": json.dumps([{"node": nid, "first_column": c, "width": w} for nid, c, w in plan.inputs]),
            "output_node": plan.output_node,
            "scaler_folded": json.dumps(scaler is not None and scaler.offset is not None
                                        and scaler.kind != "none")}
    for k, v in (metadata or {}).items():
        if v is not None:
            meta[k] = v if isinstance(v, str) else json.dumps(v)
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model, full_check=True)
    return model


def to_onnx(model, *, opset: int = DEFAULT_OPSET, dtype="float32", fold_scaler: bool = True,
            carried: dict[str, Any] | None = None, extra_metadata: dict[str, Any] | None = None):
    """The ONNX model of a ``core.model.Model`` (its graph, current weights and scaler).

    Its ``metadata_props`` hold ``core.export.consumer_metadata`` (class and feature names, task,
    scaler, metrics, kernel layout, normalization epsilons; `carried`: the weights file's metadata
    for what the model does not know; `extra_metadata`: further keys), plus where the inputs go and
    whether the scaler is folded in.
    """
    from .export import consumer_metadata
    design = model.design
    meta = {**consumer_metadata(model, carried), **(extra_metadata or {})}
    meta["netdesigner_dtype"] = meta.pop("dtype", model.dtype.name)
    return build_onnx(design.graph, model.plan, model.executor.get_weights(),
                      scaler=model.scaler if fold_scaler else None, opset=opset, dtype=dtype,
                      name=design.name or "netdesigner", metadata=meta)


def export_onnx(model, path: str | os.PathLike, **kw):
    """Write ``to_onnx(model, **kw)`` to `path` (atomically); returns the ModelProto."""
    m = to_onnx(model, **kw)
    atomic_write_bytes(path, m.SerializeToString())
    return m
