"""Fit to view keeps the blocks' text readable in the default window.

At the default window size (about 1366×768) fitting a whole example used to zoom to 38–61 %,
where a block's 9-pt text is ~6 px high. Whatever the zoom policy, the text a person reads must
stay at least 9 px on screen: the font's pixel size at this screen's dpi times the view's scale.
"""
from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontInfo

from designer.paths import resource

EXAMPLES = sorted(p.stem for p in resource("examples").glob("*.json"))
MIN_PX = 9.0


def on_screen_px(view, point_size: float) -> float:
    """Pixel height of a `point_size` font drawn in the scene, as the view shows it now."""
    font = QFont(view.font())
    font.setPointSizeF(point_size)
    px = font.pointSizeF() * view.logicalDpiY() / 72.0       # what QPainter uses on this screen
    assert abs(px - QFontInfo(font).pixelSize()) <= 1.0     # the same figure Qt itself reports
    return px * view.transform().m11()


@pytest.fixture
def default_window(make_window):
    w = make_window(resize=False)
    w.resize(1366, 768)
    return w


@pytest.mark.parametrize("name", EXAMPLES)
def test_fit_to_view_keeps_block_text_readable(default_window, name):
    w = default_window
    assert w.open_example(str(resource("examples", f"{name}.json")))
    w.actions_.fit.trigger()
    view = w.view
    # the smallest text a block draws (parameters, shape, count: 9 pt) and its title (10 pt)
    assert on_screen_px(view, 9.0) >= MIN_PX, f"{name}: zoom {view.zoom():.2f}"
    assert on_screen_px(view, 10.0) >= MIN_PX
    # and the design opens at its start: the Input block is in sight
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    inputs = [nid for nid, n in w.document.graph.nodes.items() if n.type == "Input"]
    assert inputs and all(visible.contains(w.scene.node_items[n].sceneBoundingRect()) for n in inputs)


def test_a_design_that_fits_is_shown_whole_and_never_enlarged(default_window):
    w = default_window
    w.open_example(str(resource("examples", "xor.json")))
    w.document.graph.remove_node(next(iter(w.document.graph.nodes)))   # smaller still
    w.actions_.fit.trigger()
    view = w.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(w.scene.nodes_rect())
    assert view.zoom() <= 1.0
