"""Feature maps: what a convolutional layer sees in one validation sample, and what it looks for.

For the chosen sample (spin box) and Conv2D layer (combo) the panel draws the layer's output
activations as a grid of small images, one per channel (sequential colour map, one scale shared
by all channels so they compare), and the layer's filters, one small image per filter (diverging
colour map centred on zero: blue negative, red positive). A filter's kernel is
(kh, kw, C_in); the tile shows the mean over its input channels by default, or one input channel
chosen in the tool row.

Data: ``core.feature_maps.FeatureMaps`` events (one sample each). Choosing a sample the panel
has no payload for emits ``sampleRequested(index)``: whoever feeds the panel sends that sample's
maps next. ``mount_feature_map_panel`` adds the panel to an installed dashboard.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QSpinBox, QStackedWidget, QVBoxLayout, QWidget

from core.events import TrainBegin
from core.feature_maps import FeatureMaps

from .base import Panel, compact_combo, layout_widget, shrinkable, theme_colors

# block types whose feature maps the panel shows
CONV_TYPES = ("Conv2D",)
ACTIVATION_CMAP = "viridis"      # sequential: dark = low, bright = high
FILTER_CMAP = "CET-D1"           # diverging: blue < 0 < red, white at zero
MEAN_INPUTS = -1                 # the filter-input combo's "mean over input channels"
KEEP_SAMPLES = 8                 # payloads kept, most recent samples


def _tile_font() -> QFont:
    font = QFont()
    font.setPointSizeF(7.0)
    return font


def tile_columns(n: int, width: float, height: float, aspect: float = 1.0, label: float = 14.0) -> int:
    """How many columns make `n` tiles of image aspect `aspect` (w/h) largest in the area,
    each tile carrying a `label`-px title above its image."""
    best, best_side = 1, -1.0
    for cols in range(1, max(n, 1) + 1):
        rows = math.ceil(n / cols)
        side = min(width / cols / aspect, height / rows - label)   # the image's height in px
        if side > best_side + 1e-9:
            best, best_side = cols, side
    return best


class TileGrid:
    """A titled grid of small images with one colour bar, inside a GraphicsLayoutWidget.

    Tiles are built once per count and re-used: a new payload is only setImage calls.
    """

    def __init__(self, glw: pg.GraphicsLayoutWidget, cmap: str):
        self.glw = glw
        self.cmap = pg.colormap.get(cmap)
        _, fg = theme_colors()
        self.title = glw.ci.addLabel("", row=0, col=0, colspan=2, size="9pt", color=fg.name())
        shrinkable(self.title)
        self.tiles_layout = glw.ci.addLayout(row=1, col=0)
        self.tiles_layout.setContentsMargins(0, 0, 0, 0)
        self.tiles_layout.setSpacing(2)
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, width=10, interactive=False)
        glw.ci.addItem(self.bar, row=1, col=1)
        self.images: list[pg.ImageItem] = []
        self.labels: list[pg.LabelItem] = []
        self.views: list[pg.ViewBox] = []
        self.texts: list[str] = []          # the tiles' full titles ("channel 3")
        self.shown_texts: list[str] = []    # what they show (the number alone where that does not fit)
        self.aspect = 1.0
        self.cols = 0

    def show(self, maps: list[np.ndarray], texts: list[str], levels: tuple[float, float]) -> None:
        """One tile per 2-D array in `maps`, titled by `texts`, all on the colour scale `levels`."""
        aspect = maps[0].shape[1] / maps[0].shape[0] if maps else 1.0
        if len(maps) != len(self.images) or aspect != self.aspect:
            self._build(len(maps), aspect)
        if texts != self.texts:
            self.texts = list(texts)
            self.shown_texts = []
            self._label()
        for img, m in zip(self.images, maps):
            img.setImage(np.asarray(m, np.float64), autoLevels=False, levels=levels)
        self.bar.setLevels(levels)

    def _label(self) -> None:
        """Title the tiles "channel 3" where that fits the tile's width, else "3"."""
        if not self.texts:
            return
        width = (self.glw.width() - 60) / max(self.cols, 1)
        metrics = QFontMetrics(_tile_font())
        fits = max(metrics.horizontalAdvance(t) for t in self.texts) + 6 <= width
        texts = self.texts if fits else [t.rsplit(" ", 1)[-1] for t in self.texts]
        if texts != self.shown_texts:
            fg = theme_colors()[1].name()
            for label, text in zip(self.labels, texts):
                label.setText(text, size="7pt", color=fg)
            self.shown_texts = texts

    def _build(self, n: int, aspect: float) -> None:
        self.tiles_layout.clear()
        self.images, self.labels, self.views, self.texts = [], [], [], []
        self.shown_texts = []
        self.aspect = aspect
        self.cols = 0
        for _ in range(n):
            img = pg.ImageItem(axisOrder="row-major")     # image[y, x]: row 0 at the top (invertY)
            vb = pg.ViewBox(lockAspect=True, enableMouse=False, invertY=True, defaultPadding=0.0)
            vb.setMenuEnabled(False)
            vb.addItem(img)
            label = pg.LabelItem("", size="7pt")
            shrinkable(label)        # a title must not widen its tile: 8 tiles abreast fit 430 px
            self.images.append(img)
            self.views.append(vb)
            self.labels.append(label)
        self.bar.setImageItem(self.images)
        self.arrange()

    def arrange(self) -> None:
        """Place the tiles in as many columns as make them largest in the current size."""
        n = len(self.images)
        if not n:
            return
        size = self.glw.size()
        cols = tile_columns(n, max(size.width() - 60, 1), max(size.height() - 24, 1), self.aspect)
        if cols == self.cols:
            self._label()           # the same columns, perhaps wider or narrower ones
            return
        self.cols = cols
        lay = self.tiles_layout
        for item in list(lay.items):
            lay.removeItem(item)
        for i, (label, vb) in enumerate(zip(self.labels, self.views)):
            r, c = divmod(i, cols)
            lay.addItem(label, row=2 * r, col=c)
            lay.addItem(vb, row=2 * r + 1, col=c)
            vb.setMinimumSize(8, 8)
        for r in range(math.ceil(n / cols)):
            lay.layout.setRowStretchFactor(2 * r, 0)
            lay.layout.setRowStretchFactor(2 * r + 1, 1)
        for c in range(cols):
            lay.layout.setColumnStretchFactor(c, 1)
        self._label()

    def clear(self) -> None:
        self.tiles_layout.clear()
        self.images, self.labels, self.views, self.texts = [], [], [], []
        self.shown_texts = []
        self.cols = 0
        self.title.setText("")


class FeatureMapPanel(Panel):
    name = "feature_maps"
    accepts = (FeatureMaps, TrainBegin)
    # the user chose a sample the panel has no feature maps for (a validation-set index)
    sampleRequested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sample_label = QLabel()
        self.sample_box = QSpinBox()
        self.sample_box.setRange(0, 0)
        self.sample_box.valueChanged.connect(self._sample_changed)
        self.layer_box = compact_combo()
        self.layer_box.currentIndexChanged.connect(self._layer_changed)
        self.input_box = compact_combo()
        self.input_box.currentIndexChanged.connect(self._mark)
        for i, w in enumerate((self.sample_label, self.sample_box, self.layer_box, self.input_box)):
            self.tools.insertWidget(1 + i, w)
        self.stack = QStackedWidget()
        self.empty = QLabel()
        self.empty.setObjectName("dashboardEmpty")
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.stack.addWidget(self.empty)
        self.content = QWidget()
        col = QVBoxLayout(self.content)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        self.act_glw, self.filt_glw = layout_widget(), layout_widget()
        col.addWidget(self.act_glw, 3)
        col.addWidget(self.filt_glw, 2)
        self.stack.addWidget(self.content)
        self.body.addWidget(self.stack)
        self.plot_area = self.stack
        self.activation_grid = TileGrid(self.act_glw, ACTIVATION_CMAP)
        self.filter_grid = TileGrid(self.filt_glw, FILTER_CMAP)
        for glw in (self.act_glw, self.filt_glw):
            glw.installEventFilter(self)
        self.maps: dict[int, FeatureMaps] = {}      # sample index → its latest payload
        self.conv_layers: list[str] | None = None   # from the run's info; None before any run
        self.n_val = 0
        self.user_chose = False     # the user picked a sample: wait for it rather than follow the payloads
        self._retranslate()
        self._show_state()

    # ---- texts --------------------------------------------------------------------------------------
    def _retranslate(self) -> None:
        self.set_hint(self.tr("A validation sample's activation maps and the filters of a Conv2D layer"))
        self.sample_label.setText(self.tr("Sample"))
        self.sample_box.setToolTip(self.tr("Which validation sample's activations to show"))
        self.layer_box.setToolTip(self.tr("Conv2D layer to show"))
        self.input_box.setToolTip(self.tr("What a filter tile shows of its kernel's input channels"))
        self._fill_inputs()
        self.dirty = True
        self._show_state()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Resize:
            (self.activation_grid if obj is self.act_glw else self.filter_grid).arrange()
        return False

    # ---- what is chosen ---------------------------------------------------------------------------------
    def selected_layer(self) -> str | None:
        return self.layer_box.currentData()

    def current(self) -> FeatureMaps | None:
        """The payload of the chosen sample, if it has arrived."""
        return self.maps.get(self.sample_box.value())

    def _set_layers(self, layer_ids: list[str]) -> None:
        have = [self.layer_box.itemData(i) for i in range(self.layer_box.count())]
        if have == list(layer_ids):
            return
        keep = self.selected_layer()
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        for lid in layer_ids:
            self.layer_box.addItem(lid, lid)
        i = self.layer_box.findData(keep)
        self.layer_box.setCurrentIndex(i if i >= 0 else 0)
        self.layer_box.blockSignals(False)
        self._fill_inputs()

    def _fill_inputs(self) -> None:
        """The filter-input combo: the mean, or one of the chosen layer's input channels."""
        fm, lid = self.current(), self.selected_layer()
        c_in = fm.filters[lid].shape[2] if fm is not None and lid in fm.filters else 0
        keep = self.input_box.currentData()
        self.input_box.blockSignals(True)
        self.input_box.clear()
        self.input_box.addItem(self.tr("mean over input channels"), MEAN_INPUTS)
        for c in range(c_in):
            self.input_box.addItem(self.tr("input channel {0}").format(c), c)
        i = self.input_box.findData(keep)
        self.input_box.setCurrentIndex(i if i >= 0 else 0)
        self.input_box.blockSignals(False)
        self.input_box.setVisible(c_in > 1)       # one input channel: the mean is that channel

    def _sample_changed(self, index: int) -> None:
        self.user_chose = True
        if index not in self.maps:
            self.sampleRequested.emit(index)
        self._layer_changed()

    def _layer_changed(self, *_):
        self._fill_inputs()
        self._mark()

    def _mark(self, *_):
        self.dirty = True
        self.refresh()

    # ---- the protocol ------------------------------------------------------------------------------------
    def reset(self, info) -> None:
        super().reset(info)
        self.maps = {}
        self.user_chose = False
        self.conv_layers = [nid for nid, typ, _count, _tr in info.weight_layers if typ in CONV_TYPES]
        self._set_layers(self.conv_layers)
        self.activation_grid.clear()
        self.filter_grid.clear()
        self._show_state()

    def handle(self, ev) -> None:
        if isinstance(ev, TrainBegin):
            self.n_val = ev.n_val
            self.sample_box.setRange(0, max(ev.n_val - 1, 0))
        elif isinstance(ev, FeatureMaps):
            self.maps.pop(ev.sample_index, None)
            self.maps[ev.sample_index] = ev
            while len(self.maps) > KEEP_SAMPLES:
                self.maps.pop(next(iter(self.maps)))
            if ev.sample_index > self.sample_box.maximum() and not self.n_val:
                self.sample_box.setMaximum(ev.sample_index)      # fed without a TrainBegin
            if self.current() is None and not self.user_chose:
                # Nothing asked for yet: show the sample the engine chose (no request goes out).
                self.sample_box.blockSignals(True)
                self.sample_box.setValue(ev.sample_index)
                self.sample_box.blockSignals(False)
            if ev.sample_index == self.sample_box.value():
                self._set_layers(ev.layer_ids)
            self.dirty = True

    def refresh(self) -> None:
        self.dirty = False
        fm, lid = self.current(), self.selected_layer()
        if fm is not None:
            self._set_layers(fm.layer_ids)
            lid = self.selected_layer()
        if not self._show_state() or fm is None or lid not in fm.activations:
            return
        acts = np.asarray(fm.activations[lid])
        h, w, c = acts.shape
        lo, hi = _span(acts)
        self.activation_grid.title.setText(
            self.tr("Activation maps of sample {0}: {1}×{2}, {3} channels").format(fm.sample_index, h, w, c))
        self.activation_grid.show([acts[:, :, k] for k in range(c)],
                                  [self.tr("channel {0}").format(k) for k in range(c)], (lo, hi))
        kernel = np.asarray(fm.filters[lid])
        kh, kw, c_in, n_f = kernel.shape
        which = self.input_box.currentData()
        if c_in == 1:
            shown = kernel[:, :, 0, :]
            title = self.tr("Filters {0}×{1}").format(kh, kw)
        elif which is None or which == MEAN_INPUTS or which >= c_in:
            shown = kernel.mean(axis=2)
            title = self.tr("Filters {0}×{1}, mean over {2} input channels").format(kh, kw, c_in)
        else:
            shown = kernel[:, :, which, :]
            title = self.tr("Filters {0}×{1}, input channel {2}").format(kh, kw, which)
        self.filter_grid.title.setText(title)
        m = float(np.nanmax(np.abs(shown))) if shown.size else 0.0
        m = m if m > 0 and math.isfinite(m) else 1.0
        self.filter_grid.show([shown[:, :, f] for f in range(n_f)],
                              [self.tr("filter {0}").format(f) for f in range(n_f)], (-m, m))

    def _show_state(self) -> bool:
        """Show the tiles, or the text that says why there are none; True when tiles show."""
        fm = self.current()
        if fm is not None and fm.layer_ids:
            self.stack.setCurrentWidget(self.content)
            return True
        if fm is not None or self.conv_layers == []:
            text = self.tr("Add a Conv2D block to see its feature maps")
        elif self.conv_layers is None and not self.maps:
            text = self.tr("Train a design with a Conv2D block to see its feature maps")
        else:
            text = self.tr("Waiting for the feature maps of sample {0}…").format(self.sample_box.value())
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)
        return False

    def empty_text(self) -> str | None:
        """The text shown instead of the tiles, or None when tiles show."""
        return None if self.stack.currentWidget() is self.content else self.empty.text()

    def apply_theme(self) -> None:
        super().apply_theme()
        fg = theme_colors()[1].name()
        for grid in (self.activation_grid, self.filter_grid):
            grid.title.setText(grid.title.text, color=fg)
            grid.shown_texts = []           # re-coloured by the next _label
            grid._label()
        self.dirty = True

    def csv_table(self):
        rows = []
        for sample, fm in self.maps.items():
            for lid in fm.layer_ids:
                a, k = fm.activations[lid], fm.filters[lid]
                for (y, x, c), v in np.ndenumerate(a):
                    rows.append([sample, lid, "activation", c, "", y, x, repr(float(v))])
                for (y, x, ci, f), v in np.ndenumerate(k):
                    rows.append([sample, lid, "filter", f, ci, y, x, repr(float(v))])
        return ["sample", "layer", "kind", "channel_or_filter", "input_channel", "row", "col", "value"], rows


def _span(a: np.ndarray) -> tuple[float, float]:
    finite = a[np.isfinite(a)]
    if not finite.size:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def mount_feature_map_panel(controller, window=None, beside: str = "activations"):
    """Add a FeatureMapPanel to an installed dashboard (see ``_install.install_dashboard``).

    The panel joins ``controller.panels`` (so it is reset per run and receives FeatureMaps and
    TrainBegin events) and ``controller.docks`` as "feature_maps", as a dock tabbed behind the
    dock named `beside`, with the dashboard's title bar and an entry in Run ▸ Dashboard Panels.
    Returns (panel, dock).
    """
    from .mounting import mount_panel
    return mount_panel(controller, window, "feature_maps", FeatureMapPanel(),
                       QCoreApplication.translate("Dashboard", "Feature Maps"), beside)
