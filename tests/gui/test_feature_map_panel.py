"""The feature-map panel: one tile per channel of the chosen sample's activations and one per
filter of the chosen Conv2D layer, showing exactly the payload's slices; the sample and layer
choosers change what is shown; empty states; Korean; and its room in the default window."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pyqtgraph")

from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.events import TrainBegin  # noqa: E402
from core.feature_maps import FeatureMaps  # noqa: E402
from designer import i18n  # noqa: E402
from designer.dashboard.engine_loop import RunInfo  # noqa: E402
from designer.dashboard.feature_maps import FeatureMapPanel, mount_feature_map_panel, tile_columns  # noqa: E402
from designer.paths import resource  # noqa: E402


def run_info(*layers) -> RunInfo:
    """A run whose weight layers are `layers` = [(node id, block type)]."""
    return RunInfo(weight_layers=[(nid, typ, 10, True) for nid, typ in layers], activation_layers=[],
                   task="multiclass", n_classes=10, class_names=[], feature_names=[], n_features=64,
                   metrics=[], logits=True)


def payload(sample: int = 0, seed: int = 0) -> FeatureMaps:
    """Two conv layers of different shapes: 6×6×4 (1 input channel) and 4×5×8 (4 inputs)."""
    rng = np.random.default_rng(seed)
    return FeatureMaps(layer_ids=["conv1", "conv2"],
                       activations={"conv1": rng.random((6, 6, 4)), "conv2": rng.random((4, 5, 8)) * 3.0},
                       filters={"conv1": rng.normal(size=(3, 3, 1, 4)), "conv2": rng.normal(size=(3, 3, 4, 8))},
                       sample_index=sample)


@pytest.fixture
def panel(qtbot):
    p = FeatureMapPanel()
    qtbot.addWidget(p)
    p.resize(430, 520)
    p.show()
    return p


@pytest.fixture
def korean(qapp):
    locale = QLocale()
    i18n.install(qapp, "ko")
    yield
    i18n.install(qapp, "en")
    QLocale.setDefault(locale)


def shown(grid) -> list[np.ndarray]:
    return [img.image for img in grid.images]


def test_one_tile_per_channel_and_per_filter_showing_the_payloads_slices(panel):
    fm = payload()
    panel.handle(fm)
    panel.refresh()
    assert panel.empty_text() is None
    assert panel.selected_layer() == "conv1"
    acts, kernel = fm.activations["conv1"], fm.filters["conv1"]
    assert len(panel.activation_grid.images) == 4 and len(panel.filter_grid.images) == 4
    for c, image in enumerate(shown(panel.activation_grid)):
        np.testing.assert_array_equal(image, acts[:, :, c])          # (H, W): row 0 is the top row
    for f, image in enumerate(shown(panel.filter_grid)):
        np.testing.assert_array_equal(image, kernel[:, :, 0, f])
    assert panel.activation_grid.shown_texts == [f"channel {c}" for c in range(4)]
    assert panel.filter_grid.shown_texts == [f"filter {f}" for f in range(4)]
    # Activations: one sequential scale shared by the layer's channels; filters: a diverging one
    # centred on zero, so a weight's sign is its colour.
    assert panel.activation_grid.cmap.name == "viridis" and panel.filter_grid.cmap.name == "CET-D1"
    lo, hi = panel.activation_grid.images[0].levels
    assert (lo, hi) == pytest.approx((acts.min(), acts.max()))
    assert all(tuple(img.levels) == (lo, hi) for img in panel.activation_grid.images)
    m = np.abs(kernel).max()
    assert tuple(panel.filter_grid.images[0].levels) == pytest.approx((-m, m))
    assert tuple(panel.filter_grid.bar.levels()) == pytest.approx((-m, m))
    assert "6×6, 4 channels" in panel.activation_grid.title.text


def test_layer_and_input_channel_choosers_change_the_tiles(panel, qtbot):
    fm = payload()
    panel.handle(fm)
    panel.refresh()
    assert not panel.input_box.isVisibleTo(panel)              # conv1 has one input channel
    panel.layer_box.setCurrentIndex(panel.layer_box.findData("conv2"))
    acts, kernel = fm.activations["conv2"], fm.filters["conv2"]
    assert len(panel.activation_grid.images) == 8 and len(panel.filter_grid.images) == 8
    for c, image in enumerate(shown(panel.activation_grid)):
        np.testing.assert_array_equal(image, acts[:, :, c])
    # Four input channels: the filter tiles show their mean over them by default ...
    assert panel.input_box.isVisibleTo(panel) and panel.input_box.count() == 5
    for f, image in enumerate(shown(panel.filter_grid)):
        np.testing.assert_allclose(image, kernel[:, :, :, f].mean(axis=2))
    assert "mean over 4 input channels" in panel.filter_grid.title.text
    # ... or the one chosen.
    panel.input_box.setCurrentIndex(panel.input_box.findData(2))
    for f, image in enumerate(shown(panel.filter_grid)):
        np.testing.assert_array_equal(image, kernel[:, :, 2, f])
    m = np.abs(kernel[:, :, 2, :]).max()
    assert tuple(panel.filter_grid.images[0].levels) == pytest.approx((-m, m))
    panel.layer_box.setCurrentIndex(panel.layer_box.findData("conv1"))
    np.testing.assert_array_equal(panel.activation_grid.images[3].image, fm.activations["conv1"][:, :, 3])


def test_the_sample_chooser_shows_that_samples_maps_or_asks_for_them(panel, qtbot):
    panel.reset(run_info(("conv1", "Conv2D"), ("conv2", "Conv2D"), ("dense", "Dense")))
    panel.handle(TrainBegin(epochs=3, steps_per_epoch=5, n_train=100, n_val=20, batch_size=32, trainable_params=10))
    assert panel.sample_box.maximum() == 19
    assert [panel.layer_box.itemData(i) for i in range(panel.layer_box.count())] == ["conv1", "conv2"]
    panel.refresh()
    assert panel.empty_text() == "Waiting for the feature maps of sample 0…"
    first, other = payload(0, seed=1), payload(3, seed=2)
    panel.handle(first)
    panel.handle(other)
    panel.refresh()
    np.testing.assert_array_equal(panel.activation_grid.images[1].image, first.activations["conv1"][:, :, 1])
    panel.sample_box.setValue(3)
    np.testing.assert_array_equal(panel.activation_grid.images[1].image, other.activations["conv1"][:, :, 1])
    assert "sample 3" in panel.activation_grid.title.text
    with qtbot.waitSignal(panel.sampleRequested) as asked:
        panel.sample_box.setValue(7)
    assert asked.args == [7]
    assert panel.empty_text() == "Waiting for the feature maps of sample 7…"
    panel.handle(payload(2, seed=3))          # not the one asked for: the panel keeps waiting
    panel.refresh()
    assert panel.sample_box.value() == 7 and panel.empty_text() == "Waiting for the feature maps of sample 7…"


def test_before_the_user_chooses_a_sample_the_panel_shows_the_one_sent(panel, qtbot):
    fm = payload(5)
    with qtbot.assertNotEmitted(panel.sampleRequested):
        panel.handle(fm)
        panel.refresh()
    assert panel.sample_box.value() == 5 and panel.empty_text() is None
    np.testing.assert_array_equal(panel.activation_grid.images[0].image, fm.activations["conv1"][:, :, 0])


def test_empty_states(panel):
    assert panel.empty_text() == "Train a design with a Conv2D block to see its feature maps"
    panel.reset(run_info(("dense", "Dense")))
    assert panel.empty_text() == "Add a Conv2D block to see its feature maps"
    assert panel.layer_box.count() == 0
    panel.handle(FeatureMaps([], {}, {}, 0))
    panel.refresh()
    assert panel.empty_text() == "Add a Conv2D block to see its feature maps"
    panel.reset(run_info(("conv", "Conv2D")))
    panel.handle(payload())
    panel.refresh()
    assert panel.empty_text() is None
    panel.reset(run_info(("dense", "Dense")))          # the next run's design has none
    assert panel.empty_text() == "Add a Conv2D block to see its feature maps"


def test_csv_holds_every_value_of_the_payload(panel):
    fm = payload()
    panel.handle(fm)
    header, rows = panel.csv_table()
    assert header[:3] == ["sample", "layer", "kind"]
    assert len(rows) == sum(fm.activations[k].size + fm.filters[k].size for k in fm.layer_ids)
    row = next(r for r in rows if r[1:4] == ["conv2", "filter", 5] and r[4:7] == [3, 2, 1])
    assert float(row[7]) == fm.filters["conv2"][2, 1, 3, 5]


def test_the_payload_contract_is_checked_with_the_layer_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"activations\['c1'\] must be a non-empty \(H, W, C\)"):
        FeatureMaps(["c1"], {"c1": rng.random((6, 6))}, {"c1": rng.random((3, 3, 1, 4))}, 0)
    with pytest.raises(ValueError, match=r"layer 'c1' has 5 activation channels but 4 filters"):
        FeatureMaps(["c1"], {"c1": rng.random((6, 6, 5))}, {"c1": rng.random((3, 3, 1, 4))}, 0)
    with pytest.raises(ValueError, match=r"filters has no entry for layer 'c1'"):
        FeatureMaps(["c1"], {"c1": rng.random((6, 6, 4))}, {}, 0)


def test_crowded_tiles_are_titled_by_their_number_alone(panel, qtbot):
    rng = np.random.default_rng(0)
    panel.handle(FeatureMaps(["c"], {"c": rng.random((4, 4, 32))}, {"c": rng.normal(size=(3, 3, 1, 32))}, 0))
    panel.refresh()
    assert panel.activation_grid.shown_texts == [str(c) for c in range(32)]     # 8 abreast in 430 px
    assert panel.activation_grid.texts[31] == "channel 31"
    panel.resize(1500, 900)
    qtbot.waitUntil(lambda: panel.activation_grid.shown_texts[:1] == ["channel 0"], timeout=3000)


def test_tile_columns_make_the_tiles_largest():
    assert tile_columns(16, 400, 400) == 4
    assert tile_columns(16, 800, 200, label=0) == 8
    assert tile_columns(1, 300, 300) == 1


def test_korean(qapp, korean, qtbot):
    p = FeatureMapPanel()
    qtbot.addWidget(p)
    assert p.empty_text() == "Conv2D 블록이 있는 설계를 학습시키면 그 특성 맵을 볼 수 있습니다"
    p.reset(run_info(("dense", "Dense")))
    assert p.empty_text() == "Conv2D 블록을 추가하면 그 특성 맵을 볼 수 있습니다"
    p.handle(payload())
    p.refresh()
    assert p.activation_grid.texts[2] == "채널 2" and p.filter_grid.texts[1] == "필터 1"
    assert p.sample_label.text() == "샘플"
    assert p.activation_grid.title.text.startswith("샘플 0의 활성화 맵")


def test_a_panel_built_in_english_follows_a_switch_to_korean(qapp, qtbot):
    p = FeatureMapPanel()
    qtbot.addWidget(p)
    p.reset(run_info(("dense", "Dense")))
    assert p.empty_text() == "Add a Conv2D block to see its feature maps"
    locale = QLocale()
    try:
        i18n.install(qapp, "ko")
        QApplication.processEvents()
        assert p.empty_text() == "Conv2D 블록을 추가하면 그 특성 맵을 볼 수 있습니다"
        assert p.hint.text() == "검증 샘플 하나의 활성화 맵과 Conv2D 층의 필터"
    finally:
        i18n.install(qapp, "en")
        QLocale.setDefault(locale)
        QApplication.processEvents()
    assert p.empty_text() == "Add a Conv2D block to see its feature maps"


def test_mounted_in_the_default_window_at_1366x768_it_has_room(make_window, qtbot):
    w = make_window(resize=False)
    w.resize(1366, 768)
    assert w.install_dashboard()
    w.open_example(str(resource("examples", "spirals_batchnorm.json")))
    with pytest.raises(ValueError):          # mounted by default (install_dashboard): once only
        mount_feature_map_panel(w.training, w)
    panel, dock = w.training.panels["feature_maps"], w.training.docks["feature_maps"]
    assert w.training.panels["feature_maps"] is panel and w.training.docks["feature_maps"] is dock
    loss_toggle = w.training.docks["loss"].toggleViewAction()
    panels_menu = next(a.menu() for a in w.training.menu.actions()
                       if a.menu() is not None and loss_toggle in a.menu().actions())
    assert dock.toggleViewAction() in panels_menu.actions()            # Run ▸ Dashboard Panels
    w.workspace.set_mode("train")
    rng = np.random.default_rng(0)
    fm = FeatureMaps(["conv1"], {"conv1": rng.random((6, 6, 16))}, {"conv1": rng.normal(size=(3, 3, 1, 16))}, 0)
    w.training._on_events([fm])           # routed by the controller, as the engine's events will be
    panel.refresh()
    # Tabbed behind the decision boundary's column: the three columns keep their room.
    assert dock in w.tabifiedDockWidgets(w.training.docks["boundary"])
    heads = [w.training.docks[name].widget().glw for name in ("loss", "gradients", "boundary")]
    qtbot.waitUntil(lambda: all(g.width() >= 400 and g.height() >= 480 for g in heads), timeout=5000)
    dock.raise_()
    qtbot.waitUntil(lambda: panel.stack.width() >= 400 and panel.stack.height() >= 480, timeout=5000)
    assert (w.width(), w.height()) == (1366, 768)
    assert dock.isVisible() and not dock.isFloating()
    # 16 + 16 tiles, each readable: every pixel of a 6×6 map or a 3×3 filter at least 6 px.
    tiles = [(vb, 6) for vb in panel.activation_grid.views] + [(vb, 3) for vb in panel.filter_grid.views]
    qtbot.waitUntil(lambda: all(min(vb.width(), vb.height()) >= 6 * n for vb, n in tiles), timeout=5000)
    assert min(min(vb.width(), vb.height()) / n for vb, n in tiles) >= 6


def test_a_theme_switch_recolours_the_titles_and_the_background(panel, restore_style):
    from designer import theme
    from designer.dashboard.base import theme_colors
    panel.handle(payload())
    panel.refresh()
    theme.apply("dark")
    panel.apply_theme()
    bg, fg = theme_colors()
    assert fg.lightness() > 128                                # the dark theme's light ink
    assert panel.act_glw.backgroundBrush().color() == bg
    for grid in (panel.activation_grid, panel.filter_grid):
        assert f"color: {fg.name()}" in grid.title.item.toHtml().replace("color:#", "color: #")
        assert fg.name() in grid.labels[0].item.toHtml()
