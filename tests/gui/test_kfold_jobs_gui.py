"""Cross-validate… with folds side by side: worker processes give the very numbers of the
sequential core.kfold, and Stop terminates the workers."""
from __future__ import annotations

import multiprocessing

import pytest

from core.kfold import kfold
from designer.kfold_dialog import live_threads
from tests.gui.test_kfold_gui import WAIT_MS, tiny_design


def test_folds_side_by_side_equal_sequential(window, qtbot):
    window.document.replace(tiny_design())
    dialog = window.cross_validate_dialog()
    dialog.k_spin.setValue(2)
    dialog.seed_spin.setValue(3)
    dialog.jobs_spin.setMaximum(2)          # a one-core machine still runs two workers here
    dialog.jobs_spin.setValue(2)
    assert dialog.start()
    assert not dialog.jobs_spin.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running, timeout=3 * WAIT_MS)
    assert not dialog.error
    ref = kfold(tiny_design(), 2, 3)
    assert dialog.result["per_fold"] == ref.per_fold               # exactly
    assert dialog.result["mean"] == ref.mean and dialog.result["std"] == ref.std
    assert [dialog.table.item(r, 0).text() for r in range(3)] == ["fold 1", "fold 2", "mean ± std"]
    qtbot.waitUntil(lambda: not live_threads(), timeout=10_000)
    dialog.close()


def test_stop_terminates_the_fold_processes(window, qtbot):
    window.document.replace(tiny_design(epochs=1_000_000))
    dialog = window.cross_validate_dialog()
    dialog.k_spin.setValue(2)
    dialog.jobs_spin.setMaximum(2)
    dialog.jobs_spin.setValue(2)
    started = []
    dialog.start()
    dialog._worker.foldStarted.connect(lambda i: started.append(i))
    qtbot.waitUntil(lambda: len(multiprocessing.active_children()) >= 2, timeout=WAIT_MS)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert dialog.result is None and dialog.status.text().startswith("Stopped")
    qtbot.waitUntil(lambda: not multiprocessing.active_children(), timeout=10_000)
    assert dialog.run_button.isEnabled() and dialog.jobs_spin.isEnabled()
    dialog.close()


def test_threads_field_in_training_settings(window, qtbot):
    """Training settings → Threads writes design.training["threads"] (0 = the physical cores),
    and the model built from the design hands it to its executor."""
    from core.model import Model
    from tests.gui.test_inspector import type_into
    panel = window.settings_panel
    field = panel.training_form.widget("threads")
    assert window.document.design.training["threads"] == 0
    type_into(qtbot, field, "1")
    assert window.document.design.training["threads"] == 1
    window.document.replace(tiny_design())
    window.document.design.training["threads"] = 1
    assert Model(window.document.design).executor.threads == 1
