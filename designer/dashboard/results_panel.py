"""After training: how the trained network does on one split of the data.

Classification: the confusion matrix, ROC curves with their AUC and precision–recall curves
with average precision (one-vs-rest per class for more than two classes). Regression:
predicted against actual values (the diagonal is perfect) and the residuals.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLabel

from core import metrics as M

from .base import (CategoryAxis, Panel, PlotGrid, compact_combo, key_title, layout_widget, pen, probabilities, series_color,
                   style_plot)

MAX_CURVES = 10
MAX_POINTS = 5000


class ResultsPanel(Panel):
    name = "results"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.split_box = compact_combo(self.tr("Part of the data to evaluate"))
        self.split_box.currentIndexChanged.connect(self._split_changed)
        self.tools.insertWidget(1, self.split_box)
        # The scores get a line of their own under the tool row: beside the combo box they were
        # cut off ("accuracy 0.").
        self.summary_label = QLabel()
        self.summary_label.setObjectName("resultsSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setContentsMargins(6, 0, 6, 0)
        self.body.addWidget(self.summary_label)
        self.set_hint(self.tr("Train a network to see its results here."))
        self.glw = self.plot_area = layout_widget()
        self.body.addWidget(self.glw, 1)
        self.grid = PlotGrid(self.glw, lead=True)
        self.model = None
        self.split = None
        self.plots: list = []
        self.table: list[list] = []
        self.summary: dict = {}

    # ---- protocol: nothing live here ------------------------------------------------------------
    def reset(self, info) -> None:
        super().reset(info)

    def show_results(self, model, split: str | None = None) -> None:
        """Predict `split` ("test", "val" or "train"; default the first that has data) and plot it."""
        self.model = model
        d = model.data
        names = {"test": self.tr("Test split"), "val": self.tr("Validation split"), "train": self.tr("Training split")}
        available = [s for s in ("test", "val", "train") if getattr(d, f"X_{s}") is not None and len(getattr(d, f"X_{s}"))]
        split = split if split in available else available[0]
        self.split_box.blockSignals(True)
        self.split_box.clear()
        for s in available:
            self.split_box.addItem(names[s], s)
        self.split_box.setCurrentIndex(available.index(split))
        self.split_box.blockSignals(False)
        self._compute(split)

    def _split_changed(self, _i) -> None:
        if self.model is not None and self.split_box.currentData():
            self._compute(self.split_box.currentData())

    def _compute(self, split: str) -> None:
        model, d = self.model, self.model.data
        self.split = split
        X, y = getattr(d, f"X_{split}"), getattr(d, f"y_{split}")
        out = np.asarray(model.executor.predict(X), np.float64)
        self.glw.clear()
        self.table = []
        if d.task == "regression":
            self._regression(y.reshape(len(y), -1), out)
        else:
            from core.evaluation import _LOGIT_CODES
            self._classification(y[:, 0].astype(np.int64), probabilities(out, model.plan.loss_code in _LOGIT_CODES),
                                 max(d.n_classes, 2), list(d.class_names or []))
        text = ", ".join(f"{k} {v:.4g}" for k, v in self.summary.items())
        self.set_hint(self.tr("{0} ({1} samples): {2}").format(self.split_box.currentText(), len(X), text))
        self.grid.set_items(self.plots)

    def set_hint(self, text: str) -> None:
        super().set_hint(text)
        self.summary_label.setText(text)

    # ---- classification ----------------------------------------------------------------------------
    def _classification(self, t: np.ndarray, prob: np.ndarray, k: int, names: list[str]) -> None:
        pred = (prob[:, 0] > 0.5).astype(np.int64) if prob.shape[1] == 1 else prob.argmax(axis=1)
        cm = M.confusion_matrix(t, pred, k)
        self.summary = {"accuracy": M.accuracy(t, pred)}
        names = names if len(names) == k else [str(i) for i in range(k)]
        axes = {"bottom": CategoryAxis("bottom"), "left": CategoryAxis("left")}
        p = style_plot(self.glw.addPlot(row=0, col=0, axisItems=axes), self.tr("Confusion matrix"),
                       self.tr("predicted"), self.tr("true"))
        p.setDownsampling(auto=False)
        p.showGrid(x=False, y=False)           # grid lines would cross the cells
        p.invertY(True)
        p.setAspectLocked(True)
        rows = cm.sum(axis=1, keepdims=True)
        share = np.where(rows > 0, cm / np.maximum(rows, 1), 0.0)
        img = pg.ImageItem(share.T, levels=(0, 1))           # [x = predicted, y = true]
        img.setColorMap(pg.ColorMap([0.0, 1.0], [(247, 251, 255), (8, 69, 148)]))   # white → blue
        img.setRect(QRectF(0, 0, k, k))
        p.addItem(img)
        if k <= 20:
            texts = []
            for i in range(k):
                for j in range(k):
                    txt = pg.TextItem(str(cm[i, j]), color="w" if share[i, j] > 0.5 else "k", anchor=(0.5, 0.5))
                    txt.setPos(j + 0.5, i + 0.5)
                    p.addItem(txt)
                    texts.append(txt)
            widest = max(len(str(v)) for v in cm.ravel())
            # Counts only where a cell is big enough for them; else the colours speak (and the CSV).
            p.getViewBox().sigResized.connect(lambda vb, t=texts, k=k, n=widest: _fit_counts(vb, t, k, n))
        for side in ("bottom", "left"):
            p.getAxis(side).set_names(names if k <= 20 else [])
        self.table += [["confusion", names[i], names[j], int(cm[i, j])] for i in range(k) for j in range(k)]

        roc = style_plot(self.glw.addPlot(row=0, col=1), self.tr("ROC"), self.tr("false positive rate"),
                         self.tr("true positive rate"))
        pr = style_plot(self.glw.addPlot(row=0, col=2), self.tr("Precision–recall"), self.tr("recall"),
                        self.tr("precision"))
        self.plots = [p, roc, pr]
        for plot in (roc, pr):
            plot.setXRange(0, 1)
            plot.setYRange(0, 1.02)
        roc.plot([0, 1], [0, 1], pen=pen("#888888", 1, style=Qt.DashLine))
        classes = [1] if k == 2 else list(range(min(k, MAX_CURVES)))
        aucs, aps = [], []
        for c in classes:
            yc = (t == c).astype(np.int64)
            if yc.min() == yc.max():
                continue                       # a class absent from this split has no curve
            score = prob[:, 0] if prob.shape[1] == 1 else prob[:, c]
            fpr, tpr, thr = M.roc_curve(yc, score)
            precision, recall, _ = M.precision_recall_curve(yc, score)
            area, ap = M.auc(fpr, tpr), M.average_precision(yc, score)
            aucs.append(area)
            aps.append(ap)
            color = c if k > 2 else 0
            roc.plot(*_thin(fpr, tpr), pen=pen(color, 2))
            pr.plot(*_thin(recall, precision), pen=pen(color, 2))
            self.table += [[f"roc:{names[c]}", float(a), float(b), ""] for a, b in zip(fpr, tpr)]
            self.table += [[f"pr:{names[c]}", float(a), float(b), ""] for a, b in zip(recall, precision)]
        if aucs:
            self.summary["auc" if k == 2 else "auc (macro)"] = float(np.mean(aucs))
            self.summary["ap" if k == 2 else "ap (macro)"] = float(np.mean(aps))
        # Titles carry the areas; one-vs-rest curves get a colour key of the classes instead of a
        # legend box, which would cover the curves' interesting corner.
        # (a key of more than four classes would not fit over a plot of ~200 px)
        key = [(names[c], series_color(c), False) for c in classes] if 2 < k <= 4 else []
        if k > 2:
            key_title(roc, self.tr("ROC, one vs rest — macro AUC {0:.3f}").format(np.mean(aucs or [np.nan])), key)
            key_title(pr, self.tr("Precision–recall — macro AP {0:.3f}").format(np.mean(aps or [np.nan])), key)
        elif aucs:
            key_title(roc, self.tr("ROC — AUC {0:.3f}").format(aucs[0]), [])
            key_title(pr, self.tr("Precision–recall — AP {0:.3f}").format(aps[0]), [])

    # ---- regression ------------------------------------------------------------------------------
    def _regression(self, y: np.ndarray, out: np.ndarray) -> None:
        t, p = y.ravel(), out.ravel()
        resid = p - t
        self.summary = {"r2": M.r2(y, out), "mae": M.mae(y, out), "rmse": M.rmse(y, out)}
        a = style_plot(self.glw.addPlot(row=0, col=0), self.tr("Predicted vs actual"), self.tr("actual"),
                       self.tr("predicted"))
        b = style_plot(self.glw.addPlot(row=0, col=1), self.tr("Residuals"), self.tr("predicted"),
                       self.tr("predicted − actual"))
        self.plots = [a, b]
        shown = slice(None) if len(t) <= MAX_POINTS else np.random.default_rng(0).choice(len(t), MAX_POINTS, False)
        brush = pg.mkBrush(series_color(0))
        a.addItem(pg.ScatterPlotItem(t[shown], p[shown], size=5, brush=brush, pen=None))
        lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
        a.plot([lo, hi], [lo, hi], pen=pen("#888888", 1, style=Qt.DashLine))
        b.addItem(pg.ScatterPlotItem(p[shown], resid[shown], size=5, brush=brush, pen=None))
        b.addItem(pg.InfiniteLine(0, angle=0, pen=pen("#888888", 1, style=Qt.DashLine)))
        self.table += [["prediction", float(x), float(z), float(z - x)] for x, z in zip(t, p)]

    # ---- export ------------------------------------------------------------------------------------
    def csv_table(self):
        return ["series", "x", "y", "extra"], self.table


def _fit_counts(vb, texts, k: int, digits: int) -> None:
    """Show the confusion matrix's counts only if a cell is wide and high enough for them."""
    cell = min(vb.width(), vb.height()) / max(k, 1)
    show = cell >= 8 * digits + 10 and cell >= 20
    for t in texts:
        t.setVisible(show)


def _thin(x: np.ndarray, y: np.ndarray, n: int = 2000):
    """At most ~n points of a monotone curve (a 100k-sample ROC has 100k distinct thresholds)."""
    if len(x) <= n:
        return x, y
    idx = np.unique(np.r_[np.linspace(0, len(x) - 1, n).astype(int), len(x) - 1])
    return x[idx], y[idx]
