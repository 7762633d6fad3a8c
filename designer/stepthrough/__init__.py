"""Step-through: one sample (or a mini-batch) of a small design through forward and backward, on
the canvas.

Run ▸ Step Through… opens a dock beside the canvas. "Next" walks the stages: forward block by
block (each block shows its output numbers on the canvas), the loss, backward block by block in
reverse (each shows ∂L/∂output), then the optimizer's update (each weight block shows
"w ← w − η·∂L/∂w = 0.53 − 0.1·0.21 = 0.509"). The dock shows every number of the selected block
(or the stage's block): its inputs, output and gradient per row, and each weight's value,
gradient and update. The numbers come from core.stepthrough (the engine's own passes; the update
is one real step, taken and undone: the design's weights are not changed).
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import (QDockWidget, QGraphicsRectItem, QGraphicsSimpleTextItem, QHBoxLayout, QLabel,
                               QPushButton, QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from core.errors import NetDesignerError
from core.stepthrough import MAX_STEP_ROWS, Step, step_through

MAX_SHOWN = 3            # numbers per line on the canvas
MAX_DETAIL_COLS = 8      # numbers per row in the panel
MAX_DETAIL_WEIGHTS = 6   # update formulas per weight array in the panel
FORWARD_COLOR, BACKWARD_COLOR, UPDATE_COLOR = "#4e79a7", "#e15759", "#59a14f"


def fmt_row(values, limit: int = MAX_SHOWN) -> str:
    v = np.asarray(values, float).reshape(-1)
    text = ", ".join(f"{x:.3g}" for x in v[:limit])
    return f"[{text}{', …' if v.size > limit else ''}]"


class NumberTag(QGraphicsRectItem):
    """The numbers shown under a block: lines of text on a light plate, child of the NodeItem."""

    def __init__(self, node_item):
        super().__init__(node_item)
        self.setZValue(30)
        self.setBrush(QBrush(QColor(255, 255, 255, 235)))
        self.setPen(QPen(QColor("#999999"), 1))
        self.text = QGraphicsSimpleTextItem(self)
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        font.setPointSizeF(8.5)
        self.text.setFont(font)
        self.node_item = node_item
        self.lines: list[tuple[str, str]] = []

    def set_lines(self, lines: list[tuple[str, str]], above: bool = False) -> None:
        """(text, colour) per line; `above` puts the plate over the block (neighbours alternate,
        so wide plates do not cover each other)."""
        self.lines = lines
        self.text.setText("\n".join(t for t, _ in lines))
        color = lines[-1][1] if lines else "#000000"
        self.text.setBrush(QBrush(QColor(color)))
        br = self.text.boundingRect()
        rect = self.node_item.rect()
        self.setRect(0, 0, br.width() + 8, br.height() + 4)
        self.text.setPos(4, 2)
        self.setPos(rect.left(), rect.top() - br.height() - 10 if above else rect.bottom() + 6)
        self.setVisible(bool(lines))


class StepDock(QDockWidget):
    """A dock that says when it is closed (not merely tabbed behind another)."""

    closed = Signal()

    def closeEvent(self, event):
        super().closeEvent(event)
        self.closed.emit()


class StepThroughPanel(QWidget):
    """The dock's contents: controls, the stage, and the numbers of one block."""

    nextRequested = Signal()
    backRequested = Signal()
    allRequested = Signal()
    computeRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("stepThroughPanel")
        col = QVBoxLayout(self)
        col.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Sample")))
        self.sample = QSpinBox()
        self.sample.setObjectName("stepSample")
        self.sample.setToolTip(self.tr("Row of the training split the step starts at"))
        row.addWidget(self.sample)
        row.addWidget(QLabel(self.tr("Rows")))
        self.rows = QSpinBox()
        self.rows.setObjectName("stepRows")
        self.rows.setRange(1, MAX_STEP_ROWS)
        self.rows.setToolTip(self.tr("1 steps one sample; more steps one mini-batch (gradients are its mean)"))
        row.addWidget(self.rows)
        self.compute_button = QPushButton(self.tr("Start"))
        self.compute_button.setObjectName("stepStart")
        self.compute_button.clicked.connect(self.computeRequested)
        row.addWidget(self.compute_button)
        row.addStretch(1)
        col.addLayout(row)
        row = QHBoxLayout()
        self.back_button = QPushButton(self.tr("◀ Back"))
        self.back_button.clicked.connect(self.backRequested)
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.next_button.setObjectName("stepNext")
        self.next_button.clicked.connect(self.nextRequested)
        self.all_button = QPushButton(self.tr("Show All"))
        self.all_button.clicked.connect(self.allRequested)
        for b in (self.back_button, self.next_button, self.all_button):
            row.addWidget(b)
        row.addStretch(1)
        col.addLayout(row)
        self.stage_label = QLabel(self.tr("Press Start to send the sample through the network."))
        self.stage_label.setObjectName("stepStage")
        self.stage_label.setWordWrap(True)
        col.addWidget(self.stage_label)
        self.detail = QTextBrowser()
        self.detail.setObjectName("stepDetail")
        col.addWidget(self.detail, 1)
        self.set_stepping(False)

    def set_stepping(self, ok: bool) -> None:
        for b in (self.back_button, self.next_button, self.all_button):
            b.setEnabled(ok)


class StepThrough(QObject):
    """The stepping logic between core.stepthrough, the canvas overlay and the panel."""

    stageChanged = Signal(int)

    def __init__(self, window, panel: StepThroughPanel):
        super().__init__(window)
        self.window = window
        self.panel = panel
        self.step: Step | None = None
        self.stages: list[tuple[str, str]] = []
        self.index = -1
        self.tags: dict[str, NumberTag] = {}
        panel.computeRequested.connect(self.compute)
        panel.nextRequested.connect(self.next)
        panel.backRequested.connect(self.back)
        panel.allRequested.connect(lambda: self.go(len(self.stages) - 1))
        scene = getattr(window, "scene", None)
        if scene is not None:
            scene.selectionChanged.connect(self._selection_changed)

    # ---- computing ----------------------------------------------------------------------------------
    def compute(self) -> Step | None:
        """Build the current design (its data, weights as initialised) and step the chosen rows."""
        from core.designfile import from_dict
        from core.model import Model
        self.clear()
        try:
            design = from_dict(self.window.document.design.to_dict())
            design.folder = getattr(self.window.document.design, "folder", "")
            model = Model.from_design(design)
            n_train = len(model.data.X_train)
            self.panel.sample.setMaximum(max(0, n_train - 1))
            first = min(self.panel.sample.value(), n_train - 1)
            rows = list(range(first, min(n_train, first + self.panel.rows.value())))
            self.step = step_through(model, rows)
        except NetDesignerError as e:
            self.panel.stage_label.setText(str(e))
            self.panel.set_stepping(False)
            return None
        nodes = list(self.step.nodes)
        # The data get no gradient: backward stops at the blocks after the Input blocks.
        self.stages = ([("forward", n) for n in nodes] + [("loss", "")]
                       + [("backward", n) for n in reversed(nodes) if self.step.nodes[n].type != "Input"]
                       + [("update", "")])
        self.panel.set_stepping(True)
        self.go(0)
        return self.step

    # ---- stepping ------------------------------------------------------------------------------------
    def next(self) -> None:
        self.go(min(self.index + 1, len(self.stages) - 1))

    def back(self) -> None:
        self.go(max(self.index - 1, 0))

    def go(self, index: int) -> None:
        if self.step is None or not self.stages:
            return
        self.index = index
        self._draw()
        kind, nid = self.stages[index]
        s = self.step
        if kind == "forward":
            text = self.tr("Forward {0}/{1}: {2} computes its output from its input.").format(
                index + 1, len(s.nodes), nid)
        elif kind == "loss":
            text = self.tr("Loss: L = {0}, from the output and the target {1}.").format(f"{s.loss:.6g}",
                                                                                       fmt_row(s.y[0]))
        elif kind == "backward":
            text = self.tr("Backward: ∂L/∂output of {0}, by the chain rule from the blocks after it.").format(nid)
        else:
            text = self.tr("Update with {0}, η = {1}: every weight moves against its gradient.").format(
                s.optimizer, f"{s.learning_rate:g}")
        self.panel.stage_label.setText(text)
        selected = self._selected_node()
        self.show_detail(selected or nid or self._last_weight_node())
        self.stageChanged.emit(index)

    def _last_weight_node(self) -> str:
        return self.step.weights[-1].node_id if self.step and self.step.weights else ""

    def canvas_lines(self, nid: str) -> list[tuple[str, str]]:
        """What the canvas shows under block `nid` at the current stage (first row only)."""
        if self.step is None or self.index < 0:
            return []
        done = self.stages[:self.index + 1]
        ns = self.step.nodes[nid]
        lines = []
        if ("forward", nid) in done:
            if ns.inputs and ns.type != "Input":
                lines.append((f"in  {fmt_row(ns.inputs[0][0])}", FORWARD_COLOR))
            lines.append((f"out {fmt_row(ns.output[0])}", FORWARD_COLOR))
        if ("backward", nid) in done:
            lines.append((f"∂L/∂out {fmt_row(ns.grad[0])}", BACKWARD_COLOR))
        if done[-1][0] == "update":
            for w in self.step.weights_of(nid):
                lines.append((self.step.short_formula(w, 0), UPDATE_COLOR))
        return lines

    def _draw(self) -> None:
        scene = getattr(self.window, "scene", None)
        if scene is None or self.step is None:
            return
        for k, nid in enumerate(self.step.nodes):
            item = scene.node_items.get(nid)
            if item is None:
                continue
            tag = self.tags.get(nid)
            if tag is None:
                tag = self.tags[nid] = NumberTag(item)
            tag.set_lines(self.canvas_lines(nid), above=bool(k % 2))

    def clear(self) -> None:
        for tag in self.tags.values():
            if tag.scene() is not None:
                tag.scene().removeItem(tag)
        self.tags = {}
        self.step = None
        self.stages = []
        self.index = -1
        self.panel.set_stepping(False)
        self.panel.detail.clear()

    # ---- the detail panel -------------------------------------------------------------------------
    def _selected_node(self) -> str:
        scene = getattr(self.window, "scene", None)
        try:
            ids = scene.selected_node_ids() if scene is not None else []
        except RuntimeError:        # the scene is being deleted (the window closes)
            return ""
        return ids[0] if ids and self.step is not None and ids[0] in self.step.nodes else ""

    def _selection_changed(self) -> None:
        nid = self._selected_node()
        if nid:
            self.show_detail(nid)
            dock = getattr(self, "dock", None)
            if dock is not None and not dock.isHidden():
                dock.raise_()        # over the Block inspector the window raised for the selection

    def show_detail(self, nid: str) -> None:
        s = self.step
        if s is None or nid not in s.nodes:
            return
        done = self.stages[:self.index + 1]
        ns = s.nodes[nid]
        parts = [f"<h3>{html.escape(nid)} <small>({html.escape(ns.type)})</small></h3>"]

        def table(title: str, arr: np.ndarray, color: str) -> str:
            a = np.asarray(arr, float).reshape(len(arr), -1)
            rows = "".join(
                "<tr><td><i>{0}</i></td>{1}</tr>".format(
                    int(s.rows[r]) if r < len(s.rows) else r,
                    "".join(f"<td align='right'>{x:.4g}</td>" for x in a[r, :MAX_DETAIL_COLS])
                    + ("<td>…</td>" if a.shape[1] > MAX_DETAIL_COLS else ""))
                for r in range(a.shape[0]))
            return (f"<p style='color:{color}'><b>{html.escape(title)}</b> {a.shape[0]}×{a.shape[1]}</p>"
                    f"<table cellspacing='4'>{rows}</table>")

        if ("forward", nid) in done:
            for i, x in enumerate(ns.inputs):
                parts.append(table(self.tr("Input {0}").format(i + 1) if len(ns.inputs) > 1 else self.tr("Input"),
                                   x, FORWARD_COLOR))
            parts.append(table(self.tr("Output"), ns.output, FORWARD_COLOR))
        if ("backward", nid) in done:
            parts.append(table(self.tr("Gradient ∂L/∂output"), ns.grad, BACKWARD_COLOR))
        weights = s.weights_of(nid)
        if weights and ("backward", nid) in done:
            for w in weights:
                parts.append(f"<p><b>{html.escape(w.name)}</b> {html.escape(str(tuple(w.value.shape)))}</p>")
                if done[-1][0] == "update":
                    lines = [html.escape(s.formula(w, i)) for i in range(min(w.value.size, MAX_DETAIL_WEIGHTS))]
                    more = w.value.size - MAX_DETAIL_WEIGHTS
                    if more > 0:
                        lines.append(html.escape(self.tr("… and {0} more").format(more)))
                    parts.append(f"<p style='color:{UPDATE_COLOR}'>" + "<br>".join(lines) + "</p>")
                else:
                    parts.append(table(self.tr("∂L/∂{0}").format(w.weight), w.grad.reshape(1, -1), BACKWARD_COLOR))
        if len(parts) == 1:
            parts.append(f"<p>{html.escape(self.tr('Not reached yet: press Next.'))}</p>")
        self.panel.detail.setHtml("".join(parts))


def install_stepthrough(window, menu=None) -> StepThrough:
    """A Step Through dock (hidden until asked for) and its menu entry (Run menu, else Help)."""
    from PySide6.QtGui import QAction
    panel = StepThroughPanel()
    dock = StepDock(panel.tr("Step Through"), window)
    dock.setObjectName("dock_stepthrough")
    dock.setWidget(panel)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    inspector = getattr(window, "docks", {}).get("inspector")
    if inspector is not None:            # a tab beside the Block inspector: the full height
        window.tabifyDockWidget(inspector, dock)
        inspector.raise_()
    dock.hide()
    stepper = StepThrough(window, panel)
    stepper.dock = dock
    dock.closed.connect(stepper.clear)
    action = QAction(panel.tr("Step &Through Backpropagation…"), window)
    action.setObjectName("stepThroughAction")
    action.setStatusTip(panel.tr("Send one sample through forward and backward and see every number, "
                                 "and the update"))

    def open_it():
        dock.show()
        dock.raise_()
        if stepper.step is None:
            stepper.compute()
    action.triggered.connect(open_it)
    target = menu if menu is not None else getattr(window, "help_menu", None)
    if target is not None:
        target.addAction(action)
    stepper.action = action
    return stepper
