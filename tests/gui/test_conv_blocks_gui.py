"""The image blocks in the designer: palette group, drops from the palette, the shapes on the
nodes and their parameter counts (Keras' formulas worked out by hand below)."""
from __future__ import annotations

from PySide6.QtCore import QPoint

from core.blocks import BLOCKS
from designer.commands import Connect, SetParams


def test_palette_drop_input_conv_pool_flatten_dense_shows_shapes_and_counts(window, act):
    palette = window.palette
    conv_group = palette.group_items["Convolution"]
    for name in ("Conv2D", "MaxPool2D", "AveragePool2D", "GlobalAveragePool2D", "GlobalMaxPool2D"):
        assert palette.block_items[name].parent() is conv_group, name
    assert conv_group.childCount() == sum(BLOCKS.get(n).group == "Convolution" for n in BLOCKS)
    assert palette.block_items["Reshape"].parent() is palette.group_items["Layers"]

    mimes = []
    for k, name in enumerate(("Input", "Conv2D", "MaxPool2D", "Flatten", "Dense")):
        mimes.append(act.drop_block(window.view, palette, name, QPoint(120 + 150 * k, 200)))
    doc, graph = window.document, window.document.graph
    ids = list(graph.nodes)
    assert [graph.nodes[n].type for n in ids] == ["Input", "Conv2D", "MaxPool2D", "Flatten", "Dense"]
    inp, conv, pool, flat, dense = ids
    doc.push(SetParams(graph, inp, {"shape": (8, 8, 1)}))
    doc.push(SetParams(graph, conv, {"filters": 4, "kernel_size": (3, 3), "padding": "valid"}))
    for a, b in zip(ids, ids[1:]):
        doc.push(Connect(graph, a, b))
    items = window.scene.node_items
    # Conv2D valid 3×3 on 8×8×1: 6×6×4, (3·3·1 + 1)·4 = 40 weights; MaxPool2D 2×2: 3×3×4;
    # Flatten: 36; Dense(8) on 36: 36·8 + 8 = 296.
    assert items[conv].shape_text == "(6, 6, 4)" and items[conv].count_text == "40 params"
    assert items[pool].shape_text == "(3, 3, 4)"
    assert items[flat].shape_text == "(36,)"
    assert items[dense].shape_text == "(8,)" and items[dense].count_text == "296 params"
    # 'same' padding and stride 2 update the whole chain: ceil(8/2) = 4 → pool 2 → 2×2×4 = 16.
    doc.push(SetParams(graph, conv, {"padding": "same", "strides": (2, 2)}))
    assert items[conv].shape_text == "(4, 4, 4)" and items[conv].count_text == "40 params"
    assert items[flat].shape_text == "(16,)" and items[dense].count_text == "136 params"
    del mimes
