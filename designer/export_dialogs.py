"""File → Export Trained Weights… and File → Import Weights….

Export writes the newest weights the window has — the dashboard's trained model, or weights
imported into the design — as ``.npz``, ``.safetensors`` or ``.onnx`` (``core.export``,
``core.onnx_export``). safetensors and onnx are optional packages (the ``export`` extra): the
dialog says so before you press Export, and a ``MissingExtraError`` is shown with its message,
which names the extra to install.

Import reads ``.npz``/``.safetensors`` into a Model built for the open design with
``core.finetune.load_matching_weights`` (names and shapes checked; the rest listed in a report).
The window then keeps:

- ``window.initial_weights_path``: the imported file — what the next training starts from
  (the training engine loads the matching weights of it into its fresh Model);
- ``window.imported_model``: that Model (for Export before any training).

Opening another design forgets them.
"""
from __future__ import annotations

import importlib.util
import os

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout)

from core.errors import NetDesignerError

from .dialogs import show_exception

# The package each format needs to be written (onnxruntime is needed only to run an .onnx file).
NEEDS = {"npz": None, "safetensors": "safetensors", "onnx": "onnx", "pytorch": "safetensors"}
EXTENSIONS = {"npz": ".npz", "safetensors": ".safetensors", "onnx": ".onnx", "pytorch": ".py"}


def tr(text: str) -> str:
    return QCoreApplication.translate("ExportDialogs", text)


def missing_extra(fmt: str) -> str:
    """'' when `fmt` can be written here, else the MissingExtraError message (which extra)."""
    from core.export import MissingExtraError
    package = NEEDS.get(fmt)
    if package is None or importlib.util.find_spec(package) is not None:
        return ""
    purpose = tr("ONNX export") if fmt == "onnx" else tr("Writing .safetensors")
    return str(MissingExtraError(package, purpose))


# ---- which weights the window has ------------------------------------------------------------------
def current_model(window):
    """The newest weights of `window`: the trained model or the imported one (None: neither)."""
    training = getattr(window, "training", None)
    trained = getattr(training, "model", None) if training is not None else None
    imported = getattr(window, "imported_model", None)
    if getattr(window, "weights_source", "") == "imported" and imported is not None:
        return imported
    return trained if trained is not None else imported


# ---- export -----------------------------------------------------------------------------------------
class ExportDialog(QDialog):
    """Format, file name (and ONNX opset); Export writes through core and reports failures."""

    def __init__(self, model, parent=None, directory: str = "", name: str = "weights", title: str = "",
                 warnings: list[str] | None = None):
        super().__init__(parent)
        self.model = model
        self.warnings = list(warnings or [])      # core.binding: trained on another structure
        self.written = ""
        self.setWindowTitle(self.tr("Export Trained Weights"))
        self.setObjectName("exportDialog")
        box = QVBoxLayout(self)
        epochs = getattr(model, "trained_epochs", 0)
        about = QLabel(self.tr("Weights of “{0}”, trained for {1} epoch(s).").format(
            title or model.design.name or name, epochs), self)
        about.setWordWrap(True)
        box.addWidget(about)
        self.stale = QLabel(self)
        self.stale.setObjectName("exportStale")
        self.stale.setWordWrap(True)
        self.stale.setProperty("role", "error")
        self.stale.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.stale.setText("⚠ " + self.tr("Stale weights: they were trained on a different structure than the "
                                          "design has now; the file holds the trained structure's weights.")
                           + "\n" + "\n".join(self.warnings))
        self.stale.setVisible(bool(self.warnings))
        box.addWidget(self.stale)

        form = QFormLayout()
        self.format_combo = QComboBox(self)
        for fmt, text in (("npz", self.tr("NumPy archive (.npz) — weights and metadata")),
                          ("safetensors", self.tr("safetensors (.safetensors) — weights and metadata")),
                          ("onnx", self.tr("ONNX (.onnx) — the inference graph, for other runtimes")),
                          ("pytorch", self.tr("PyTorch module (.py) — the network, load_model() and the "
                                              "training loop; weights in a .safetensors beside it"))):
            self.format_combo.addItem(text, fmt)
        self.format_combo.currentIndexChanged.connect(lambda _i: self._format_changed())
        form.addRow(self.tr("Format"), self.format_combo)
        row = QHBoxLayout()
        self.path_edit = QLineEdit(os.path.join(directory, f"{name}.npz") if directory else f"{name}.npz", self)
        self.path_edit.textChanged.connect(lambda _text: self._update_note() if self.fmt() == "pytorch" else None)
        browse = QPushButton(self.tr("Browse…"), self)
        browse.clicked.connect(self.browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("File"), row)
        self.opset_spin = QSpinBox(self)
        from core.onnx_export import DEFAULT_OPSET, MIN_OPSET
        self.opset_spin.setRange(MIN_OPSET, 30)
        self.opset_spin.setValue(DEFAULT_OPSET)
        self.opset_spin.setToolTip(self.tr("ONNX operator set version (18 runs in onnxruntime ≥ 1.14)"))
        self.opset_label = QLabel(self.tr("ONNX opset"), self)
        form.addRow(self.opset_label, self.opset_spin)
        box.addLayout(form)
        self.note = QLabel(self)
        self.note.setObjectName("exportNote")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextSelectableByMouse)
        box.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel, self)
        self.export_button = buttons.addButton(self.tr("Export"), QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self._format_changed()
        self.resize(560, 0)

    def fmt(self) -> str:
        return self.format_combo.currentData()

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(fmt)))

    def _format_changed(self) -> None:
        fmt = self.fmt()
        path = self.path_edit.text().strip()
        stem, ext = os.path.splitext(path)
        if path and ext.lower() != EXTENSIONS[fmt]:
            self.path_edit.setText(stem + EXTENSIONS[fmt])
        onnx = fmt == "onnx"
        self.opset_spin.setVisible(onnx)
        self.opset_label.setVisible(onnx)
        self._update_note()

    def _update_note(self) -> None:
        """What the chosen format needs or writes (the PyTorch note names the weights file, so it
        follows the file name as it is typed)."""
        fmt = self.fmt()
        missing = missing_extra(fmt)
        self.note.setProperty("role", "error" if missing else "muted")
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        if missing:
            self.note.setText("⚠ " + missing)
        elif fmt == "pytorch":
            self.note.setText(self.tr("Writes the .py module and {0} next to it; the module needs torch and "
                                      "safetensors.").format(os.path.basename(os.path.splitext(
                                          self.path_edit.text().strip() or "model.py")[0] + ".safetensors")))
        else:
            self.note.setText(self.tr("The input scaler is stored with the weights (folded into the graph for ONNX).")
                              if self.model.scaler is not None else "")

    def browse(self) -> None:
        fmt = self.fmt()
        pattern = {"npz": self.tr("NumPy archives (*.npz)"), "safetensors": self.tr("safetensors files (*.safetensors)"),
                   "onnx": self.tr("ONNX models (*.onnx)"), "pytorch": self.tr("Python modules (*.py)")}[fmt]
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export trained weights"), self.path_edit.text(),
                                              pattern)
        if path:
            if not path.lower().endswith(EXTENSIONS[fmt]):
                path += EXTENSIONS[fmt]
            self.path_edit.setText(path)

    def export(self) -> bool:
        """Write the file. A failure (a missing extra included) is shown as a dialog."""
        from core.export import export_weights
        path = self.path_edit.text().strip()
        if not path:
            self.note.setText("⚠ " + self.tr("Choose a file name"))
            return False
        fmt = self.fmt()
        kw = {"opset": self.opset_spin.value()} if fmt == "onnx" else {}
        try:
            export_weights(self.model, path, fmt, **kw)
        except (NetDesignerError, OSError) as e:
            show_exception(self, e, self.tr("Cannot export the weights"))
            return False
        except Exception as e:  # noqa: BLE001 - e.g. onnx's checker: shown, never a crash
            show_exception(self, e, self.tr("Cannot export the weights"))
            return False
        self.written = path
        return True

    def accept(self) -> None:
        if self.export():
            super().accept()


def open_export_dialog(window) -> ExportDialog | None:
    """File → Export Trained Weights… (window-modal, not blocking). None: no weights yet."""
    model = current_model(window)
    if model is None:
        show_exception(window, NetDesignerError(tr("There are no trained weights yet: train the design "
                                                   "or import weights first.")), tr("Export"))
        return None
    doc = window.document
    directory = os.path.dirname(doc.path) if doc.path else ""
    name = os.path.splitext(os.path.basename(doc.path))[0] if doc.path else (doc.design.name or "weights")
    warnings = window.weights_warnings() if hasattr(window, "weights_warnings") else []
    dialog = ExportDialog(model, window, directory, name.replace(" ", "_"), doc.display_name(), warnings)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    written = tr("Weights written to {0}")
    if warnings:
        written += " — " + tr("warning: trained on a different structure")
    dialog.accepted.connect(lambda: window.statusBar().showMessage(written.format(dialog.written), 8000))
    dialog.open()
    return dialog


# ---- import -----------------------------------------------------------------------------------------
def model_for_import(design):
    """A CPU Model of a private copy of `design`, without data (nothing is loaded or trained)."""
    from core.designfile import from_dict
    from core.model import Model
    copy = from_dict(design.to_dict())
    copy.training["device"] = "cpu"
    return Model(copy)


def import_weights(window, path: str | None = None):
    """File → Import Weights…: load the matching weights of a file into the open design.

    Returns the LoadReport (also shown in a dialog), or None (cancelled, or failed: shown).
    """
    if not path:
        start = os.path.dirname(window.document.path) if window.document.path else ""
        path, _ = QFileDialog.getOpenFileName(window, tr("Import weights"), start,
                                              tr("Weights (*.npz *.safetensors)") + ";;" + tr("All files (*)"))
    if not path:
        return None
    from core.data import Scaler
    from core.finetune import load_matching_weights
    try:
        model = model_for_import(window.document.design)
        report = load_matching_weights(model, path)
        scaler = report.metadata.get("scaler")
        if scaler:          # exporting before any training: keep the transform the weights expect
            model.scaler = Scaler.from_dict(scaler)
        epoch = report.metadata.get("epoch", 0)
        model.trained_epochs = int(epoch) if isinstance(epoch, (int, float)) else 0
    except (NetDesignerError, OSError, ValueError, KeyError, TypeError) as e:
        show_exception(window, e if isinstance(e, (NetDesignerError, OSError)) else
                       NetDesignerError(f"{path}: {e}"), tr("Cannot import the weights"))
        return None
    window.imported_model = model
    window.initial_weights_path = os.path.abspath(path)
    window.weights_source = "imported"
    dialog = ImportReportDialog(report, window)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
    window.import_report_dialog = dialog
    window.statusBar().showMessage(tr("Imported {0} weight(s) from {1}; training starts from them").format(
        len(report.loaded), os.path.basename(path)), 8000)
    return report


def forget_imported(window) -> None:
    """Training starts from fresh weights again."""
    window.imported_model = None
    window.initial_weights_path = ""
    if getattr(window, "weights_source", "") == "imported":
        window.weights_source = "trained"


class ImportReportDialog(QDialog):
    """What an import did: loaded, kept as initialised (missing / other shape), ignored."""

    def __init__(self, report, parent=None):
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(self.tr("Imported Weights"))
        self.setObjectName("importReport")
        box = QVBoxLayout(self)
        total = len(report.loaded) + len(report.missing) + len(report.mismatched)
        head = QLabel(self.tr("Loaded {0} of the design's {1} weights from “{2}”.").format(
            len(report.loaded), total, os.path.basename(report.file)), self)
        head.setWordWrap(True)
        box.addWidget(head)
        if report.skipped:
            hint = self.tr("The others keep their initial values. Names are node_id/weight: rename the "
                           "nodes, or make the shapes match, to load them too.")
        else:
            hint = self.tr("Every weight of the design was loaded.")
        hint += " " + self.tr("The next training starts from these weights.")
        note = QLabel(hint, self)
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        box.addWidget(note)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("importReportTree")
        self.tree.setHeaderHidden(True)
        self.sections: dict[str, QTreeWidgetItem] = {}
        for key, title, items in (
                ("loaded", self.tr("Loaded"), report.loaded),
                ("mismatched", self.tr("Shape differs — kept as initialised"), report.mismatched),
                ("missing", self.tr("Not in the file — kept as initialised"), report.missing),
                ("unexpected", self.tr("In the file, not in the design — ignored"), report.unexpected)):
            head_item = QTreeWidgetItem(self.tree, [f"{title} ({len(items)})"])
            for text in items:
                QTreeWidgetItem(head_item, [text])
            head_item.setExpanded(key != "loaded" or len(items) <= 12)
            self.sections[key] = head_item
        box.addWidget(self.tree, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        box.addWidget(buttons)
        self.resize(560, 420)

    def items(self, key: str) -> list[str]:
        head = self.sections[key]
        return [head.child(i).text(0) for i in range(head.childCount())]
