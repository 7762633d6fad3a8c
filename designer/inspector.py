"""The block inspector: edits the selected block's parameters — or those of several selected
blocks of one type at once (one undo step) — with a form built from the block's Params."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout,
                               QWidget)

from core.blocks import block_docs, get_block
from core.errors import GraphError

from . import icons
from .commands import SetLabel, SetParams
from .canvas.node_item import format_shape
from .param_form import ParamForm
from .i18n.messages import translate_reason


def tr(text: str) -> str:
    return QCoreApplication.translate("Inspector", text)


class Inspector(QScrollArea):
    def __init__(self, document, scene, parent=None):
        super().__init__(parent)
        self.document, self.scene = document, scene
        self.node_ids: list[str] = []
        self.form: ParamForm | None = None
        self.form_type: str | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        body = QWidget(self)
        self.setWidget(body)
        self.box = QVBoxLayout(body)
        self.box.setContentsMargins(12, 12, 12, 12)
        self.box.setSpacing(8)

        head = QHBoxLayout()
        self.icon = QLabel(body)
        self.icon.setFixedSize(32, 32)
        self.title = QLabel(body)
        self.title.setProperty("role", "heading")
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        head.addWidget(self.icon)
        head.addWidget(self.title, 1)
        self.box.addLayout(head)
        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        self.tip = QLabel(body)
        self.tip.setWordWrap(True)
        self.tip.setProperty("role", "muted")
        self.info = QLabel(body)
        self.info.setProperty("role", "muted")
        self.info.setWordWrap(True)
        self.problem = QLabel(body)
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.label_edit = QLineEdit(body)
        self.label_edit.setPlaceholderText(tr("Label (optional)"))
        self.label_edit.setToolTip(tr("A name shown on the canvas instead of the id"))
        self.label_edit.editingFinished.connect(self._label_edited)
        self.apply_error = QLabel(body)
        self.apply_error.setProperty("role", "error")
        self.apply_error.setWordWrap(True)
        for w in (self.summary, self.tip, self.info, self.problem, self.label_edit, self.apply_error):
            self.box.addWidget(w)
        self.form_slot = QVBoxLayout()
        self.box.addLayout(self.form_slot)
        self.empty = QLabel(tr("Select a block on the canvas to edit its parameters.\n\n"
                               "Select several blocks of one type to edit them together."), body)
        self.empty.setProperty("role", "empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignCenter)
        self.box.addWidget(self.empty)
        self.box.addStretch(1)

        scene.selectionChanged.connect(self.show_selection)
        document.settingsChanged.connect(lambda section: section == "search" and self.refresh())
        scene.annotationsChanged.connect(self.refresh)
        self.show_selection()

    # ---- what is shown --------------------------------------------------------------------------
    def show_selection(self) -> None:
        try:
            self.node_ids = self.scene.selected_node_ids()
        except RuntimeError:      # the scene is being torn down
            return
        self.apply_error.hide()
        self.refresh()

    def _types(self) -> set[str]:
        graph = self.document.graph
        return {graph.nodes[n].type for n in self.node_ids if n in graph.nodes}

    def refresh(self) -> None:
        graph = self.document.graph
        self.node_ids = [n for n in self.node_ids if n in graph.nodes]
        types = self._types()
        has_form = len(types) == 1
        details = (self.summary, self.tip, self.info, self.label_edit)
        self.empty.setVisible(not self.node_ids)
        self.icon.setVisible(bool(self.node_ids))
        self.title.setVisible(bool(self.node_ids))
        for w in details:
            w.setVisible(has_form)
        if not self.node_ids:
            self._set_form(None)
            self.problem.hide()
            return
        if not has_form:
            self.title.setText(tr("{0} blocks").format(len(self.node_ids)))
            self.icon.clear()
            self.problem.setText(tr("These blocks are of different types. Select blocks of one "
                                    "type to edit their parameters together."))
            self.problem.setProperty("role", "muted")
            self.problem.show()
            self._set_form(None)
            return
        type_name = types.pop()
        nodes = [graph.nodes[n] for n in self.node_ids]
        first = nodes[0]
        self.icon.setPixmap(icons.block_icon(type_name).pixmap(32, 32))
        doc = block_docs().get(type_name, {})
        self.summary.setText(doc.get("summary", ""))
        self.tip.setText(doc.get("tip", ""))
        if len(nodes) == 1:
            self.title.setText(f"{first.title}  <span style='font-weight:normal'>· {type_name}</span>")
            self.label_edit.setEnabled(True)
            if not self.label_edit.hasFocus():
                self.label_edit.setText(first.label)
            shape = self.scene.shapes.get(first.id)
            count = self.scene.counts.get(first.id)
            bits = [tr("id {0}").format(first.id)]
            if shape is not None:
                bits.append(tr("output {0}").format(format_shape(shape)))
            if count is not None and first.block.has_weights:
                bits.append(tr("{0} parameters").format(f"{sum(count):,}"))
            self.info.setText("  ·  ".join(bits))
        else:
            self.title.setText(tr("{0} × {1}").format(len(nodes), type_name))
            self.label_edit.setEnabled(False)
            self.label_edit.setText("")
            self.info.setText(tr("Edits apply to all {0} selected blocks").format(len(nodes)))
        reasons = [p.reason if len(nodes) == 1 else str(p) for p in self.scene.problems
                   if p.node_id in self.node_ids]
        self.problem.setProperty("role", "error")
        self.problem.setText("\n".join("⚠ " + r for r in reasons))
        self.problem.setVisible(bool(reasons))
        self.problem.style().unpolish(self.problem)
        self.problem.style().polish(self.problem)
        if self.form_type != type_name:
            self._set_form(type_name)
        if self.form is not None:
            mixed = {p for p in first.params if any(n.params[p] != first.params[p] for n in nodes[1:])}
            self.form.set_values(first.params, mixed)
            from .tune.search_editor import node_marks
            self.form.set_marks(node_marks(self.document.design, first.id) if len(nodes) == 1 else {})

    def _set_form(self, type_name: str | None) -> None:
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
            self.form = None
        self.form_type = type_name
        if type_name is None:
            return
        params = list(get_block(type_name).params)
        if not params:
            self.form = None
            return
        self.form = ParamForm(params, self.widget())
        self.form.edited.connect(self._param_edited)
        self.form.context_actions = self._search_actions
        self.form_slot.addWidget(self.form)

    # ---- edits ----------------------------------------------------------------------------------
    def _param_edited(self, name: str, value) -> None:
        graph = self.document.graph
        targets = [n for n in self.node_ids if n in graph.nodes and graph.nodes[n].params.get(name) != value]
        if not targets:
            return
        try:
            for nid in targets:   # validate all first: nothing changes unless every node accepts it
                node = graph.nodes[nid]
                try:
                    node.block.params.resolve({**node.params, name: value})
                except ValueError as e:
                    raise GraphError(f"{node.type} {e.args[-1]}", nid, node.label) from None
            if len(targets) == 1:
                self.document.push(SetParams(graph, targets[0], {name: value}))
            else:
                with self.document.macro(tr("Change {0} of {1} blocks").format(name, len(targets))):
                    for nid in targets:
                        self.document.push(SetParams(graph, nid, {name: value}))
        except GraphError as e:
            self.apply_error.setText(translate_reason(e.reason))
            self.apply_error.show()
            self.refresh()
            return
        self.apply_error.hide()

    def _search_actions(self, name: str) -> list:
        """"Search This…" on a parameter's label (one selected block): designer/tune."""
        if len(self.node_ids) != 1:
            return []
        from .tune.search_editor import search_actions
        return search_actions(self.document, self.node_ids[0], name, self)

    def _label_edited(self) -> None:
        if len(self.node_ids) != 1:
            return
        graph = self.document.graph
        nid = self.node_ids[0]
        text = self.label_edit.text().strip()
        if nid in graph.nodes and graph.nodes[nid].label != text:
            self.document.push(SetLabel(graph, nid, text))
