"""Inspector and training-settings panel: edits go through undoable commands into the model,
the canvas follows, undo/redo restore exactly."""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QSpinBox

from designer.canvas.node_item import key_text
from designer.commands import Connect


def add(window, type_name, x=0.0, y=0.0):
    return window.editor.add_block(type_name, QPointF(x, y))


def type_into(qtbot, widget, text):
    """Select all, type, press Enter — as a person edits a field."""
    line = widget.lineEdit() if hasattr(widget, "lineEdit") else widget
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key_Return)


def test_edit_parameter_updates_model_and_node_label_undo_redo_exact(window, qtbot):
    inp = add(window, "Input")
    d = add(window, "Dense", 300, 0)
    window.document.push(Connect(window.document.graph, inp, d))
    window.scene.select_nodes([d])
    before = window.document.design.to_dict()
    form = window.inspector.form
    units = form.widget("units")
    assert isinstance(units, QSpinBox) and units.minimum() == 1 and units.value() == 8
    type_into(qtbot, units, "64")
    graph = window.document.graph
    item = window.scene.node_items[d]
    assert graph.nodes[d].params["units"] == 64
    assert key_text(item.node) == "units 64"
    assert item.shape_text == "(64,)" and item.count_text == "192 params"
    after = window.document.design.to_dict()
    assert "units" in window.document.stack.undoText()
    window.document.stack.undo()
    assert window.document.design.to_dict() == before
    assert units.value() == 8 and item.shape_text == "(8,)" and key_text(item.node) == "units 8"
    window.document.stack.redo()
    assert window.document.design.to_dict() == after
    assert units.value() == 64


def test_invalid_value_is_flagged_as_typed_and_not_applied(window, qtbot):
    d = add(window, "Dense")
    window.scene.select_nodes([d])
    form = window.inspector.form
    units = form.widget("units")
    units.setFocus()
    units.lineEdit().selectAll()
    qtbot.keyClicks(units.lineEdit(), "0")
    assert "expects `units` >= 1" in form.error_text("units")
    assert units.property("invalid") is True
    qtbot.keyClick(units.lineEdit(), Qt.Key_Return)
    assert window.document.graph.nodes[d].params["units"] == 8
    assert window.document.stack.count() == 1          # only the "Add Dense"


def test_float_field_reads_scientific_and_rejects_out_of_range(window, qtbot):
    bn = add(window, "BatchNorm")
    window.scene.select_nodes([bn])
    form = window.inspector.form
    eps = form.widget("epsilon")
    assert eps.text() == "0.001"
    type_into(qtbot, eps, "1e-5")
    assert window.document.graph.nodes[bn].params["epsilon"] == 1e-5
    assert eps.text() == "1e-05"
    eps.lineEdit().selectAll()
    qtbot.keyClicks(eps.lineEdit(), "0")
    assert "epsilon" in form.error_text("epsilon")    # must be > 0 (min_exclusive)


def test_choice_and_bool_widgets(window, qtbot):
    d = add(window, "Dense")
    window.scene.select_nodes([d])
    form = window.inspector.form
    init = form.widget("kernel_initializer")
    bias = form.widget("use_bias")
    assert isinstance(init, QComboBox) and isinstance(bias, QCheckBox)
    init.activated.emit(init.findData("he_uniform"))     # what picking an entry emits
    bias.click()
    node = window.document.graph.nodes[d]
    assert node.params["kernel_initializer"] == "he_uniform" and node.params["use_bias"] is False
    assert "he_uniform" in key_text(node)
    window.document.stack.undo()
    window.document.stack.undo()
    assert node.params["kernel_initializer"] == "glorot_uniform" and node.params["use_bias"] is True
    assert init.currentData() == "glorot_uniform" and bias.isChecked()


def test_multi_selection_of_one_type_is_edited_at_once_in_one_step(window, qtbot):
    a, b = add(window, "Dense"), add(window, "Dense", 0, 200)
    window.document.push(__import__("designer.commands", fromlist=["SetParams"]).SetParams(
        window.document.graph, b, {"units": 3}))
    window.scene.select_nodes([a, b])
    insp = window.inspector
    assert "2 × Dense" in insp.title.text()
    assert insp.form.labels["units"].text().endswith("≠")   # values differ
    type_into(qtbot, insp.form.widget("units"), "32")
    graph = window.document.graph
    assert graph.nodes[a].params["units"] == 32 == graph.nodes[b].params["units"]
    window.document.stack.undo()
    assert graph.nodes[a].params["units"] == 8 and graph.nodes[b].params["units"] == 3


def test_mixed_types_show_no_form(window):
    a, b = add(window, "Dense"), add(window, "ReLU", 0, 200)
    window.scene.select_nodes([a, b])
    assert window.inspector.form is None
    assert "different types" in window.inspector.problem.text()


def test_fewer_merge_ports_drop_edges_and_undo_restores_them(window, qtbot):
    graph = window.document.graph
    ids = [add(window, "Input", 0, y) for y in (0, 150, 300)]
    m = add(window, "Add", 300, 150)
    window.scene.select_nodes([m])
    type_into(qtbot, window.inspector.form.widget("num_inputs"), "3")
    for port, src in enumerate(ids):
        window.document.push(Connect(graph, src, m, port))
    assert len(window.scene.node_items[m].inputs) == 3
    before = window.document.design.to_dict()
    window.scene.select_nodes([m])
    type_into(qtbot, window.inspector.form.widget("num_inputs"), "2")
    assert len(graph.edges) == 2 and len(window.scene.node_items[m].inputs) == 2
    window.document.stack.undo()
    assert window.document.design.to_dict() == before
    assert set(window.scene.edge_items) == set(graph.edges)


def test_label_edit_renames_the_node(window, qtbot):
    d = add(window, "Dense")
    window.scene.select_nodes([d])
    edit = window.inspector.label_edit
    edit.setFocus()
    qtbot.keyClicks(edit, "encoder")
    qtbot.keyClick(edit, Qt.Key_Return)
    assert window.document.graph.nodes[d].title == "encoder"
    window.document.stack.undo()
    assert window.document.graph.nodes[d].title == d


def test_training_settings_are_undoable_commands(window, qtbot):
    panel = window.settings_panel
    t = window.document.design.training
    opt = panel.optimizer.combo
    opt.activated.emit(opt.findData("sgd"))
    t = window.document.design.training
    assert t["optimizer"]["name"] == "sgd"
    assert t["optimizer"]["params"]["learning_rate"] == 0.001     # the chosen rate is kept
    assert panel.optimizer.form.widget("momentum") is not None
    type_into(qtbot, panel.optimizer.form.widget("momentum"), "0.9")
    assert window.document.design.training["optimizer"]["params"]["momentum"] == 0.9
    type_into(qtbot, panel.training_form.widget("epochs"), "7")
    panel.metric_boxes["accuracy"].click()
    t = window.document.design.training
    assert t["epochs"] == 7 and t["metrics"] == ["accuracy"]
    assert window.isWindowModified()
    for _ in range(4):
        window.document.stack.undo()
    t = window.document.design.training
    assert t["optimizer"]["name"] == "adam" and t["epochs"] == 20 and t["metrics"] == []
    assert opt.currentData() == "adam"


def test_data_set_choice_and_core_validation_message(window, qtbot):
    panel = window.settings_panel
    name = panel.data_form.widget("name")
    name.activated.emit(name.findData("spirals"))
    d = window.document.design.data
    assert d["name"] == "spirals" and d["params"]["turns"] == 1.75
    assert panel.dataset_form is not None
    type_into(qtbot, panel.data_form.widget("validation_split"), "0.5")
    type_into(qtbot, panel.data_form.widget("test_split"), "0.5")
    assert "validation_split + test_split" in panel.error.text()
    assert window.document.design.data["test_split"] == 0.0


def test_schedule_early_stopping_checkpoint_and_data_file(window, qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog
    panel = window.settings_panel
    sched = panel.schedule.combo
    sched.activated.emit(sched.findData("step"))
    form = panel.schedule.form
    assert "initial_learning_rate" not in form.fields          # it is the optimizer's rate
    type_into(qtbot, form.widget("step_size"), "250")
    es = panel.sub_forms["early_stopping"]
    es.widget("enabled").click()
    type_into(qtbot, es.widget("patience"), "3")
    t = window.document.design.training
    assert t["schedule"] == {"name": "step", "params": {"step_size": 250, "gamma": 0.1}}
    assert t["early_stopping"]["enabled"] is True and t["early_stopping"]["patience"] == 3
    source = panel.data_form.widget("source")
    source.activated.emit(source.findData("csv"))
    assert panel.browse.isVisibleTo(panel) and not panel.data_form.widget("name").isVisibleTo(panel)
    data_file = tmp_path / "points.csv"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(data_file), "")))
    panel.browse.click()
    assert window.document.design.data["source"] == "csv"
    assert window.document.design.data["path"] == str(data_file)
    window.document.stack.undo()
    assert window.document.design.data["path"] == ""
