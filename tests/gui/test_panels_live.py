"""The feature-map and time-gradient panels fed by a real training run (the trainer's
FeatureMaps / TimeGradients events through the worker), and a sample chosen in the panel reaching
the trainer while it runs and while it is paused."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

from PySide6.QtWidgets import QLabel, QMainWindow  # noqa: E402

from core.designfile import Design  # noqa: E402
from core.model import load_design_data  # noqa: E402
from core.settings import validate_data, validate_training  # noqa: E402
from designer.dashboard import install_dashboard  # noqa: E402
from designer.training_worker import live_threads  # noqa: E402
from tests.helpers import sequential  # noqa: E402

FIRST_RUN_MS = 600_000       # a hang guard (a cold numba cache compiles), not a latency check


@pytest.fixture
def host(qtbot):
    win = QMainWindow()
    win.setCentralWidget(QLabel("canvas"))
    win.resize(1366, 768)
    state = {"design": None}
    ctl = install_dashboard(win, lambda: state["design"])
    qtbot.addWidget(win)
    win.show()
    ctl.state = state
    yield ctl
    ctl.shutdown(5000)
    qtbot.waitUntil(lambda: not live_threads(), timeout=5000)


def conv_design(epochs: int) -> Design:
    g = sequential((8, 8, 1), ("Conv2D", {"filters": 4, "kernel_size": 3, "use_bias": False}), "ReLU",
                   "Flatten", ("Dense", {"units": 10}), "Softmax")
    return Design(g, validate_training({"epochs": epochs, "batch_size": 32,
                                        "loss": {"name": "sparse_categorical_crossentropy", "params": {}}}),
                  validate_data({"name": "digits_images", "params": {}}))


def numpy_conv_valid(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Keras Conv2D without bias, 'valid', stride 1, written out."""
    kh, kw, _, f = kernel.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1, f))
    for y in range(out.shape[0]):
        for xx in range(out.shape[1]):
            out[y, xx] = np.einsum("ijc,ijcf->f", x[y:y + kh, xx:xx + kw], kernel)
    return out


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_a_conv_run_fills_the_feature_maps_and_a_chosen_sample_comes(qtbot, host, mode):
    design = conv_design(epochs=5000)
    host.state["design"] = design
    host.mode = mode
    panel = host.panels["feature_maps"]
    X_val = load_design_data(design.data).X_val          # the split the worker trains with
    assert host.start()
    qtbot.waitUntil(lambda: 0 in panel.maps, timeout=FIRST_RUN_MS)     # the first epoch end
    assert panel.conv_layers == ["conv2d1"]
    panel.sample_box.setValue(3)                          # the user picks a sample: sampleRequested(3)
    qtbot.waitUntil(lambda: 3 in panel.maps, timeout=FIRST_RUN_MS)
    fm = panel.maps[3]
    np.testing.assert_allclose(fm.activations["conv2d1"],
                               numpy_conv_valid(X_val[3].reshape(8, 8, 1).astype(np.float64),
                                                fm.filters["conv2d1"].astype(np.float64)), rtol=1e-4, atol=1e-5)
    panel.refresh()
    assert panel.empty_text() is None and len(panel.activation_grid.images) == 4
    assert "sample 3" in panel.activation_grid.title.text

    host.pause()
    qtbot.waitUntil(lambda: host.progress.paused_since is not None, timeout=FIRST_RUN_MS)
    panel.sample_box.setValue(5)                          # while paused: still answered
    qtbot.waitUntil(lambda: 5 in panel.maps, timeout=FIRST_RUN_MS)
    assert host.progress.paused_since is not None
    np.testing.assert_allclose(panel.maps[5].activations["conv2d1"],
                               numpy_conv_valid(X_val[5].reshape(8, 8, 1).astype(np.float64),
                                                panel.maps[5].filters["conv2d1"].astype(np.float64)),
                               rtol=1e-4, atol=1e-5)
    with qtbot.waitSignal(host.runningChanged, timeout=FIRST_RUN_MS, check_params_cb=lambda r: not r):
        host.stop()
    # After the run the trained model answers, here and at once, with its final kernel.
    assert host.model is not None and 7 not in panel.maps
    panel.sample_box.setValue(7)
    kernel = host.model.executor.get_weights()["conv2d1/kernel"].astype(np.float64)
    np.testing.assert_array_equal(panel.maps[7].filters["conv2d1"], kernel)
    np.testing.assert_allclose(panel.maps[7].activations["conv2d1"],
                               numpy_conv_valid(X_val[7].reshape(8, 8, 1).astype(np.float64), kernel),
                               rtol=1e-4, atol=1e-5)
    assert "sample 7" in panel.activation_grid.title.text
    tg = host.panels["time_gradients"]
    tg.refresh()
    assert tg.empty_text() == "Add a SimpleRNN, LSTM or GRU block to see its gradients through time"


def test_a_simple_rnn_run_fills_the_gradients_through_time(qtbot, host):
    T = 7
    g = sequential((T, 4), ("SimpleRNN", {"units": 6}), ("Dense", {"units": 3}), "Softmax")
    host.state["design"] = Design(g, validate_training({"epochs": 3, "batch_size": 16,
                                                        "loss": {"name": "sparse_categorical_crossentropy",
                                                                 "params": {}}}),
                                  validate_data({"name": "recall_first", "params": {"n": 60, "length": T,
                                                                                    "symbols": 3}}))
    host.mode = "thread"
    with qtbot.waitSignal(host.runningChanged, timeout=FIRST_RUN_MS, check_params_cb=lambda r: not r):
        assert host.start()
    assert host.last_error == "" and host.last_end.reason == "completed"
    panel = host.panels["time_gradients"]
    assert panel.recurrent_layers == ["simplernn1"]
    # The first and last epochs always get their picture; the ones between only when they fit the
    # statistics budget (a share of measured CPU time, so a slow machine may drop epoch 1).
    assert {0, 2} <= set(panel.history) <= {0, 1, 2}
    norms = panel.history[2].per_layer["simplernn1"]
    assert norms.shape == (T,) and np.all(np.isfinite(norms)) and norms[-1] > 0
    panel.refresh()
    assert panel.empty_text() is None
    xs, ys = panel.curves["simplernn1"].getData()
    assert len(xs) == T
    fm = host.panels["feature_maps"]
    fm.refresh()
    assert fm.empty_text() == "Add a Conv2D block to see its feature maps"
