"""The training progress widget (epoch, batch, samples/s, ETA) and the Run actions' icons."""
from __future__ import annotations

import time

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QProgressBar, QWidget

from core.events import Compiled, Compiling, EpochBegin, Paused, Resumed, TrainBegin, TrainEnd

from .engine_loop import BatchLog, Preparing


def _fmt_duration(seconds: float) -> str:
    seconds = int(round(max(seconds, 0)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressWidget(QWidget):
    """Status text, a progress bar over all batches of the run, and a details line."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 0, 6, 0)
        self.status = QLabel(self.tr("Ready"))
        self.status.setObjectName("trainingStatus")
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.details = QLabel()
        self.details.setObjectName("trainingDetails")
        self.details.setMinimumWidth(300)
        lay.addWidget(self.status)
        lay.addWidget(self.bar)
        lay.addWidget(self.details)
        self.bar.hide()                     # until the first run
        self.details.hide()
        self._reset()

    def _reset(self) -> None:
        self.epochs = self.spe = self.epoch = self.batch = 0
        self.samples_per_second = 0.0
        self.t_start = None                 # training proper (after compiling), GUI clock
        self.steps_at_start = 0
        self.steps = 0                      # batches done in this run
        self.paused_since = None
        self.paused_total = 0.0
        self.finished = False

    def begin(self) -> None:
        self._reset()
        self.bar.show()
        self.details.show()
        self.status.setText(self.tr("Starting…"))
        self.bar.setRange(0, 0)             # busy until we know how many batches
        self.details.setText("")

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    # ---- events (cheap; drawn by refresh) -----------------------------------------------------------
    def handle(self, ev) -> None:
        if isinstance(ev, Preparing):
            self.status.setText(ev.message)
        elif isinstance(ev, TrainBegin):
            self.epochs, self.spe = ev.epochs, max(ev.steps_per_epoch, 1)
        elif isinstance(ev, Compiling):
            self.status.setText(self.tr("Compiling… (first run only)"))
            self.status.setToolTip(ev.message)
        elif isinstance(ev, Compiled):
            self.status.setText(self.tr("Training"))
            self.t_start = time.monotonic()
            self.bar.setRange(0, max(self.epochs * self.spe, 1))
        elif isinstance(ev, EpochBegin):
            self.epoch = ev.epoch
        elif isinstance(ev, BatchLog):
            if ev.batches_in_epoch:
                self.epoch, self.batch = ev.epoch, ev.batch
                self.steps = ev.epoch * self.spe + self.batch
            if ev.samples_per_second:
                self.samples_per_second = ev.samples_per_second
        elif isinstance(ev, Paused):
            self.paused_since = time.monotonic()
            self.status.setText(self.tr("Paused"))
        elif isinstance(ev, Resumed):
            if self.paused_since is not None:
                self.paused_total += time.monotonic() - self.paused_since
            self.paused_since = None
            self.status.setText(self.tr("Training"))
        elif isinstance(ev, TrainEnd):
            self.finished = True

    def eta_seconds(self) -> float | None:
        if self.t_start is None or self.steps <= 0:
            return None
        now = self.paused_since or time.monotonic()
        rate = self.steps / max(now - self.t_start - self.paused_total, 1e-6)
        return (self.epochs * self.spe - self.steps) / rate

    def refresh(self) -> None:
        if not self.epochs:
            return
        if self.t_start is not None:
            self.bar.setValue(min(self.steps, self.bar.maximum()))
        eta = self.eta_seconds()
        parts = [self.tr("Epoch {0}/{1}").format(min(self.epoch + 1, self.epochs), self.epochs),
                 self.tr("batch {0}/{1}").format(self.batch, self.spe),
                 self.tr("{0:,.0f} samples/s").format(self.samples_per_second)]
        if eta is not None and not self.finished:
            parts.append(self.tr("ETA {0}").format(_fmt_duration(eta)))
        self.details.setText(" · ".join(parts))

    def end(self, text: str) -> None:
        self.finished = True
        self.refresh()
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
        self.status.setText(text)


# ---- icons: drawn, in the palette's text colour, so they follow the theme ------------------------
def _icon(draw) -> QIcon:
    color = QApplication.palette().color(QPalette.WindowText)
    icon = QIcon()
    for size in (16, 20, 24, 32, 48):
        pm = QPixmap(size, size)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        p.scale(size, size)
        p.setPen(Qt.NoPen)
        p.setBrush(color)
        draw(p, color)
        p.end()
        icon.addPixmap(pm)
    return icon


def _triangle(p: QPainter, x0: float = 0.28) -> None:
    p.drawPolygon(QPolygonF([QPointF(x0, 0.2), QPointF(x0 + 0.52, 0.5), QPointF(x0, 0.8)]))


def run_icon(name: str) -> QIcon:
    """"train", "pause", "resume", "stop" or "evaluate"."""
    def train(p, c):
        _triangle(p)

    def pause(p, c):
        p.drawRect(QRectF(0.24, 0.2, 0.17, 0.6))
        p.drawRect(QRectF(0.59, 0.2, 0.17, 0.6))

    def resume(p, c):
        p.drawRect(QRectF(0.18, 0.2, 0.14, 0.6))
        _triangle(p, 0.4)

    def stop(p, c):
        p.setBrush(QColor("#d04040"))
        p.drawRoundedRect(QRectF(0.22, 0.22, 0.56, 0.56), 0.06, 0.06)

    def evaluate(p, c):
        from PySide6.QtGui import QPen
        pen = QPen(c, 0.11)
        pen.setCapStyle(Qt.RoundCap)
        pen.setJoinStyle(Qt.RoundJoin)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
        path = QPainterPath(QPointF(0.2, 0.52))
        path.lineTo(0.42, 0.74)
        path.lineTo(0.8, 0.28)
        p.drawPath(path)

    return _icon({"train": train, "pause": pause, "resume": resume, "stop": stop, "evaluate": evaluate}[name])
