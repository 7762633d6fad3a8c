"""The time-gradient panel: one curve per recurrent layer whose data are the payload's norms per
time step on a log axis, the latest epoch drawn over the first one (faded), empty states, Korean,
and its room in the default window."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pyqtgraph")

from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.time_gradients import TimeGradients  # noqa: E402
from designer import i18n  # noqa: E402
from designer.dashboard.engine_loop import RunInfo  # noqa: E402
from designer.dashboard.time_gradients import TimeGradientPanel, mount_time_gradient_panel  # noqa: E402
from designer.paths import resource  # noqa: E402

T = 37
STEPS = np.arange(T, dtype=np.float64)


def run_info(*layers) -> RunInfo:
    return RunInfo(weight_layers=[(nid, typ, 10, True) for nid, typ in layers], activation_layers=[],
                   task="binary", n_classes=2, class_names=[], feature_names=[], n_features=8,
                   metrics=[], logits=True)


def epoch(e: int, rnn_decay: float = 0.7) -> TimeGradients:
    """A SimpleRNN whose gradient shrinks ×`rnn_decay` per step back in time, an LSTM's nearly flat."""
    return TimeGradients(e, {"rnn": 0.1 * rnn_decay ** (T - 1 - STEPS), "lstm": 0.05 * 0.99 ** (T - 1 - STEPS)})


@pytest.fixture
def panel(qtbot):
    p = TimeGradientPanel()
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


def test_one_curve_per_layer_whose_data_are_the_payloads_norms_on_a_log_axis(panel):
    tg = epoch(0)
    panel.handle(tg)
    panel.refresh()
    assert panel.empty_text() is None
    assert list(panel.curves) == ["rnn", "lstm"]
    for lid, curve in panel.curves.items():
        np.testing.assert_array_equal(curve.xData, STEPS)              # x = t, 0 = the first step
        np.testing.assert_array_equal(curve.yData, tg.per_layer[lid])
        x, y = curve.getData()                                          # what is drawn: log10 of it
        np.testing.assert_allclose(y, np.log10(tg.per_layer[lid]))
    assert panel.plot.getAxis("left").logMode and not panel.plot.getAxis("bottom").logMode
    assert panel.plot.getAxis("bottom").labelText == "time step t (0 = first)"
    # The SimpleRNN's curve spans ten decades (vanishing through time), the LSTM's under one.
    spans = {lid: np.ptp(c.getData()[1]) for lid, c in panel.curves.items()}
    assert spans["rnn"] > 5 and spans["lstm"] < 1
    assert "epoch 1" in panel.plot.titleLabel.text


def test_each_epoch_replaces_the_curves_and_the_first_stays_faded(panel):
    first, later = epoch(0, 0.9), epoch(4, 0.6)
    panel.handle(first)
    panel.refresh()
    assert not panel.first_curves["rnn"].isVisible()     # one epoch: nothing to compare with yet
    panel.handle(later)
    panel.refresh()
    np.testing.assert_array_equal(panel.curves["rnn"].yData, later.per_layer["rnn"])
    faded = panel.first_curves["rnn"]
    assert faded.isVisible()
    np.testing.assert_array_equal(faded.yData, first.per_layer["rnn"])
    assert faded.opts["pen"].color().alpha() < panel.curves["rnn"].opts["pen"].color().alpha()
    assert "epoch 5" in panel.plot.titleLabel.text and "epoch 1" in panel.plot.titleLabel.text
    panel.first_box.setChecked(False)
    assert not faded.isVisible() and "epoch 1" not in panel.plot.titleLabel.text
    header, rows = panel.csv_table()
    assert header == ["epoch", "layer", "time_step", "grad_norm"] and len(rows) == 2 * 2 * T
    assert rows[-1] == [4, "lstm", T - 1, repr(float(later.per_layer["lstm"][-1]))]


def test_a_zero_norm_is_a_gap_not_minus_infinity(panel):
    norms = np.r_[0.0, np.geomspace(1e-6, 1e-1, 9)]
    panel.handle(TimeGradients(0, {"rnn": norms}))
    panel.refresh()
    y = panel.curves["rnn"].yData
    assert np.isnan(y[0]) and np.array_equal(y[1:], norms[1:])


def test_empty_states(panel):
    assert panel.empty_text() == "Train a design with a recurrent layer to see its gradients through time"
    panel.reset(run_info(("dense", "Dense")))
    assert panel.empty_text() == "Add a SimpleRNN, LSTM or GRU block to see its gradients through time"
    panel.reset(run_info(("lstm", "LSTM"), ("out", "Dense")))
    assert panel.empty_text() == "The gradients through time are measured at the end of each epoch…"
    panel.handle(epoch(0))
    panel.refresh()
    assert panel.empty_text() is None
    panel.handle(TimeGradients(1, {}))
    panel.refresh()
    assert panel.empty_text() == "Add a SimpleRNN, LSTM or GRU block to see its gradients through time"
    assert not panel.curves


def test_the_payload_contract_is_checked_with_the_layer_named():
    with pytest.raises(ValueError, match=r"per_layer\['gru'\] must be a non-empty \(T,\) array"):
        TimeGradients(0, {"gru": np.ones((3, 2))})
    with pytest.raises(ValueError, match=r"per_layer\['gru'\] holds negative values"):
        TimeGradients(0, {"gru": np.array([0.1, -0.2])})
    with pytest.raises(ValueError, match=r"epoch must be >= 0"):
        TimeGradients(-1, {})


def test_korean(qapp, korean, qtbot):
    p = TimeGradientPanel()
    qtbot.addWidget(p)
    p.reset(run_info(("dense", "Dense")))
    assert p.empty_text() == "SimpleRNN, LSTM 또는 GRU 블록을 추가하면 시간에 따른 기울기를 볼 수 있습니다"
    p.handle(epoch(0))
    p.handle(epoch(2))
    p.refresh()
    assert p.plot.getAxis("bottom").labelText == "시간 단계 t (0 = 처음)"
    assert "시간 단계별 기울기 노름, 에포크 3" in p.plot.titleLabel.text and "에포크 1" in p.plot.titleLabel.text
    assert p.first_box.text() == "첫 에포크"


def test_a_panel_built_in_english_follows_a_switch_to_korean(qapp, qtbot):
    p = TimeGradientPanel()
    qtbot.addWidget(p)
    p.handle(epoch(0))
    p.refresh()
    locale = QLocale()
    try:
        i18n.install(qapp, "ko")
        QApplication.processEvents()
        assert p.plot.getAxis("bottom").labelText == "시간 단계 t (0 = 처음)"
        assert "에포크 1" in p.plot.titleLabel.text
    finally:
        i18n.install(qapp, "en")
        QLocale.setDefault(locale)
        QApplication.processEvents()
    assert p.plot.getAxis("bottom").labelText == "time step t (0 = first)"


def test_mounted_in_the_default_window_at_1366x768_it_has_room(make_window, qtbot):
    w = make_window(resize=False)
    w.resize(1366, 768)
    assert w.install_dashboard()
    w.open_example(str(resource("examples", "spirals_batchnorm.json")))
    with pytest.raises(ValueError):          # mounted by default (install_dashboard): once only
        mount_time_gradient_panel(w.training, w)
    panel, dock = w.training.panels["time_gradients"], w.training.docks["time_gradients"]
    assert w.training.panels["time_gradients"] is panel and w.training.docks["time_gradients"] is dock
    w.workspace.set_mode("train")
    w.training._on_events([epoch(0)])         # routed by the controller, as the engine's events will be
    panel.refresh()
    assert panel.empty_text() is None
    # Tabbed behind the gradient flow's column: the three columns keep their room.
    assert dock in w.tabifiedDockWidgets(w.training.docks["gradients"])
    heads = [w.training.docks[name].widget().glw for name in ("loss", "gradients", "boundary")]
    qtbot.waitUntil(lambda: all(g.width() >= 400 and g.height() >= 480 for g in heads), timeout=5000)
    dock.raise_()
    # The plot itself (title and axes included), as tests/gui/test_workspace.py asks of every plot.
    qtbot.waitUntil(lambda: panel.plot.size().width() >= 380 and panel.plot.size().height() >= 450, timeout=5000)
    vb = panel.plot.getViewBox().size()
    assert vb.width() > 300 and vb.height() > 350, vb
    assert (w.width(), w.height()) == (1366, 768)
    assert dock.isVisible() and not dock.isFloating()
