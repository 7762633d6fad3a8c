"""Live intervention driven as a person would: while XOR trains, Run ▸ Intervene While Training,
set the learning rate ×0.1 and Apply, freeze a layer; each change is a marker on every epoch
curve, the trainer's learning rate follows, and the run history keeps the changes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 600_000  # hang guard only (a cold numba cache on a loaded machine compiles for minutes)


@pytest.fixture
def long_xor(tmp_path):
    doc = json.loads((ROOT / "resources" / "examples" / "xor.json").read_text(encoding="utf-8"))
    doc["training"]["epochs"] = 100_000          # stopped by the test
    path = tmp_path / "xor.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_change_the_learning_rate_and_freeze_a_layer_while_training(qtbot, make_window, long_xor, mode):
    import pyqtgraph as pg
    win = make_window()
    assert win.open_path(str(long_xor))
    assert win.install_dashboard()
    ctl, hooks = win.training, win.intervention
    ctl.mode = mode
    bar = hooks.bar
    hooks.action.trigger()
    assert hooks.dock.isVisible()
    assert not bar.apply_button.isEnabled()          # nothing to change before a run
    ctl.train_action.trigger()
    assert bar.apply_button.isEnabled()
    assert [bar.layer.itemText(i) for i in range(bar.layer.count())] == ["hidden", "output"]
    # wait until the run has really begun (its first batches arrived), then intervene
    qtbot.waitUntil(lambda: len(ctl.panels["loss"].raw) > 0, timeout=WAIT_MS)
    bar.scale.setValue(0.1)
    with qtbot.waitSignal(hooks.intervened, timeout=WAIT_MS) as got:
        bar.apply_button.click()
    ev = got.args[0]
    assert ev.change == "learning_rate_scale" and ev.value == pytest.approx(0.1)
    lr = ctl.get_design().training["optimizer"]["params"]["learning_rate"]
    # the learning-rate curve shows the scaled rate after the change
    qtbot.waitUntil(lambda: len(ctl.panels["loss"].lr) and ctl.panels["loss"].lr.y[-1] == pytest.approx(lr * 0.1),
                    timeout=WAIT_MS)
    bar.layer.setCurrentIndex(0)
    with qtbot.waitSignal(hooks.intervened, timeout=WAIT_MS) as got:
        bar.freeze_button.click()
    assert (got.args[0].change, got.args[0].node_id, got.args[0].value) == ("trainable", "hidden", 0.0)
    # one marker per change on every epoch curve: loss, metrics, learning rate, gradient heat map...
    plots = list(hooks._plots())
    assert len(plots) >= 6
    for plot in plots:
        lines = [i for i in plot.items if isinstance(i, pg.InfiniteLine) and (plot, i) in hooks.markers]
        assert sorted(round(line.value(), 6) for line in lines) == sorted(
            round(e.position, 6) for e in hooks.interventions)
    with qtbot.waitSignal(win.lab.runsChanged, timeout=WAIT_MS):
        ctl.stop()
    qtbot.waitUntil(lambda: not ctl.is_running, timeout=WAIT_MS)
    run = win.lab.panel.runs[-1]
    assert [(i["change"], i["node_id"], i["value"]) for i in run.interventions] == [
        ("learning_rate_scale", "", pytest.approx(0.1)), ("trainable", "hidden", 0.0)]
    assert not bar.apply_button.isEnabled()
    # a new run starts without the old markers
    ctl.train_action.trigger()
    assert hooks.markers == [] and hooks.interventions == []
    ctl.stop()
    qtbot.waitUntil(lambda: not ctl.is_running, timeout=WAIT_MS)
