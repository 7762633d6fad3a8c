"""Help ▸ Gallery: the course's experiments (core.gallery), grouped by topic. Pick one, read what to
watch, press "Run Comparison": its variants train in the background and open as a ready A/B
comparison with the experiment's claims checked."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QMenu, QPushButton, QSplitter, QTextBrowser,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from core.errors import NetDesignerError
from core.gallery import Experiment, load_gallery


class GalleryDialog(QDialog):
    """Signals: runRequested(Experiment), openRequested(Experiment, variant name)."""

    runRequested = Signal(object)
    openRequested = Signal(object, str)

    def __init__(self, parent=None, experiments: list[Experiment] | None = None):
        super().__init__(parent)
        self.setObjectName("GalleryDialog")
        self.setWindowTitle(self.tr("Gallery of Experiments"))
        from ..i18n import current_language
        self.lang = current_language()
        self.load_error = ""
        if experiments is None:
            try:
                experiments = load_gallery()
            except NetDesignerError as e:         # a broken folder: say which, show none
                experiments, self.load_error = [], str(e)
        self.experiments = experiments
        col = QVBoxLayout(self)
        intro = QLabel(self.tr("Each experiment trains two or more designs that differ in one idea of the "
                               "course, then compares them and checks what the course claims."))
        intro.setWordWrap(True)
        col.addWidget(intro)
        split = QSplitter(Qt.Horizontal)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        topics: dict[str, QTreeWidgetItem] = {}
        for e in experiments:
            top = topics.get(e.topic)
            if top is None:
                top = topics[e.topic] = QTreeWidgetItem([self._topic_name(e.topic)])
                top.setFlags(top.flags() & ~Qt.ItemIsSelectable)
                self.tree.addTopLevelItem(top)
            item = QTreeWidgetItem([e.t("title", self.lang)])
            item.setData(0, Qt.UserRole, e.slug)
            item.setToolTip(0, e.t("title", self.lang))
            top.addChild(item)
        self.tree.expandAll()
        self.tree.itemSelectionChanged.connect(self._show_selected)
        split.addWidget(self.tree)
        right = QWidget()
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(0, 0, 0, 0)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        rcol.addWidget(self.text, 1)
        split.addWidget(right)
        split.setSizes([330, 560])
        col.addWidget(split, 1)
        row = QHBoxLayout()
        self.status = QLabel(self.load_error)
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        self.run_button = QPushButton(self.tr("Run Comparison"))
        self.run_button.setToolTip(self.tr("Train every variant of this experiment and compare them"))
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self._run)
        self.open_button = QPushButton(self.tr("Open in Editor"))
        self.open_button.setToolTip(self.tr("Open one of the experiment's designs on the canvas, to change "
                                            "and train it yourself"))
        self.open_menu = QMenu(self.open_button)
        self.open_button.setMenu(self.open_menu)
        row.addWidget(self.open_button)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        row.addWidget(self.run_button)
        row.addWidget(close)
        col.addLayout(row)
        self.resize(960, 620)
        first = self.tree.topLevelItem(0)
        if first is not None and first.childCount():
            self.tree.setCurrentItem(first.child(0))
        self._show_selected()

    def _topic_name(self, topic: str) -> str:
        names = {
            "activations": self.tr("Activation functions"), "initializers": self.tr("Initialization"),
            "vanishing and exploding gradients": self.tr("Vanishing and exploding gradients"),
            "normalization": self.tr("BatchNorm and LayerNorm"), "dropout": self.tr("Dropout"),
            "L1 and L2": self.tr("L1 and L2 regularization"), "optimizers": self.tr("Optimizers"),
            "learning-rate schedules": self.tr("Learning-rate schedules"), "LR range test": self.tr("LR range test"),
            "early stopping": self.tr("Early stopping and checkpoints"),
            "batch size": self.tr("Batch, mini-batch and stochastic gradient descent"),
            "bias and variance": self.tr("Bias, variance and learning curves"),
            "residual connections": self.tr("Residual connections"),
            "fine-tuning": self.tr("Fine-tuning with frozen layers"), "k-fold": self.tr("k-fold cross-validation"),
            "metrics": self.tr("Metrics")}
        return names.get(topic, topic)

    def current(self) -> Experiment | None:
        sel = self.tree.selectedItems()
        slug = sel[0].data(0, Qt.UserRole) if sel else None
        return next((e for e in self.experiments if e.slug == slug), None)

    def select(self, slug: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, Qt.UserRole) == slug:
                    self.tree.setCurrentItem(top.child(j))
                    return
        raise KeyError(slug)

    def _show_selected(self) -> None:
        e = self.current()
        self.run_button.setEnabled(e is not None)
        self.open_button.setEnabled(e is not None)
        self.open_menu.clear()
        for v in (e.variants if e is not None else []):
            act = self.open_menu.addAction(v.label.get(self.lang) or v.label["en"])
            act.setData(v.name)
            act.triggered.connect(lambda _c=False, exp=e, name=v.name: self.openRequested.emit(exp, name))
        if e is None:
            self.text.setHtml("")
            return
        lang = self.lang
        variants_head, claims_head = self.tr("Variants"), self.tr("What should happen")
        variants = "".join(f"<li>{_esc(v.label.get(lang) or v.label['en'])}</li>" for v in e.variants)
        claims = "".join(f"<li>{_esc(c.why.get(lang) or c.why['en'])}</li>" for c in e.claims)
        self.text.setHtml(
            f"<h3>{_esc(e.t('title', lang))}</h3><p>{_esc(e.t('explanation', lang))}</p>"
            f"<p><b>{_esc(variants_head)}</b></p><ul>{variants}</ul>"
            f"<p><b>{_esc(claims_head)}</b></p><ul>{claims}</ul>")

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.run_button.setEnabled(not busy and self.current() is not None)
        self.status.setText(text)

    def _run(self) -> None:
        e = self.current()
        if e is not None:
            self.runRequested.emit(e)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
