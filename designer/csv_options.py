"""The CSV reading options of Design → Data…: delimiter, header row, decimal mark and encoding.

One row of combo boxes that reads and writes the ``options`` entries ``core.dataio.load_csv``
takes (``load`` / ``options``) and the arguments of ``core.dataio.sniff_csv``
(``sniff_arguments``); ``changed`` fires when the user picks another value, and the dialog then
reads the file's first rows again. Kept apart from designer/data_dialog.py, which holds the
dialog's flow (source, preview, column roles, Check), so each file reads as one concern.

The texts keep the translation context "DataDialog", where they were first translated (they
were built in that dialog), so the Korean ``.ts`` needs no change: each is a literal
``QCoreApplication.translate("DataDialog", …)`` call, the form lupdate reads.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

DELIMITERS = (None, ",", ";", "\t", "|", " ")
HEADERS = (None, True, False)
DECIMALS = (".", ",")
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")     # the combo is editable: any codec name


def select_data(combo: QComboBox, value) -> None:
    """Make the item whose data is `value` current (nothing changes when there is none)."""
    for i in range(combo.count()):
        if combo.itemData(i) == value:
            combo.setCurrentIndex(i)
            return


class CsvOptionsBar(QWidget):
    """Delimiter, header, decimal mark and encoding of a CSV file, as one row of combo boxes."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.delimiter_combo = QComboBox(self)
        for value, text in zip(DELIMITERS, (QCoreApplication.translate("DataDialog", "Detect"),
                                            QCoreApplication.translate("DataDialog", "Comma ,"),
                                            QCoreApplication.translate("DataDialog", "Semicolon ;"),
                                            QCoreApplication.translate("DataDialog", "Tab"),
                                            QCoreApplication.translate("DataDialog", "Pipe |"),
                                            QCoreApplication.translate("DataDialog", "Space"))):
            self.delimiter_combo.addItem(text, value)
        self.header_combo = QComboBox(self)
        for value, text in zip(HEADERS, (QCoreApplication.translate("DataDialog", "Detect"),
                                         QCoreApplication.translate("DataDialog", "First row holds names"),
                                         QCoreApplication.translate("DataDialog", "No header row"))):
            self.header_combo.addItem(text, value)
        self.decimal_combo = QComboBox(self)
        self.decimal_combo.setObjectName("dataDecimal")
        for value, text in zip(DECIMALS, (QCoreApplication.translate("DataDialog", "Point 1.5"),
                                          QCoreApplication.translate("DataDialog", "Comma 1,5"))):
            self.decimal_combo.addItem(text, value)
        self.decimal_combo.setToolTip(QCoreApplication.translate(
            "DataDialog", "The decimal mark of the numbers; with a comma, the delimiter is a semicolon or a tab"))
        self.encoding_combo = QComboBox(self)
        self.encoding_combo.setObjectName("dataEncoding")
        self.encoding_combo.setEditable(True)
        for value in ENCODINGS:
            self.encoding_combo.addItem(value, value)
        self.encoding_combo.setToolTip(QCoreApplication.translate(
            "DataDialog", "The file's text encoding, e.g. cp1252 for many Windows exports (any Python codec "
                          "name can be typed)"))
        for combo in (self.delimiter_combo, self.header_combo, self.decimal_combo, self.encoding_combo):
            combo.activated.connect(lambda _i: self.changed.emit())
        self.encoding_combo.lineEdit().editingFinished.connect(self.changed.emit)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        labels = (QCoreApplication.translate("DataDialog", "Delimiter"),
                  QCoreApplication.translate("DataDialog", "Header"),
                  QCoreApplication.translate("DataDialog", "Decimal mark"),
                  QCoreApplication.translate("DataDialog", "Encoding"))
        combos = (self.delimiter_combo, self.header_combo, self.decimal_combo, self.encoding_combo)
        for i, (label, combo) in enumerate(zip(labels, combos)):
            if i:
                row.addSpacing(12)
            row.addWidget(QLabel(label, self))
            row.addWidget(combo)
        row.addStretch(1)

    def encoding(self) -> str:
        return self.encoding_combo.currentText().strip() or "utf-8"

    def sniff_arguments(self) -> dict:
        """The keyword arguments of ``core.dataio.sniff_csv`` the bar shows (None: detect)."""
        return {"delimiter": self.delimiter_combo.currentData(), "header": self.header_combo.currentData(),
                "decimal": self.decimal_combo.currentData(), "encoding": self.encoding()}

    def load(self, options: dict) -> None:
        """Show the reading options of a design's ``data.options`` (absent: detect / defaults)."""
        select_data(self.delimiter_combo, options.get("delimiter"))
        select_data(self.header_combo, options.get("header"))
        select_data(self.decimal_combo, options.get("decimal", "."))
        self.encoding_combo.setEditText(str(options.get("encoding", "utf-8")))

    def options(self) -> dict:
        """The reading options that differ from load_csv's defaults, as ``data.options`` holds them."""
        out: dict = {}
        if self.delimiter_combo.currentData() is not None:
            out["delimiter"] = self.delimiter_combo.currentData()
        if self.header_combo.currentData() is not None:
            out["header"] = self.header_combo.currentData()
        if self.decimal_combo.currentData() != ".":
            out["decimal"] = self.decimal_combo.currentData()
        if self.encoding().lower() not in ("utf-8", "utf8"):
            out["encoding"] = self.encoding()
        return out
