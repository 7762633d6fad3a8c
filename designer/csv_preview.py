"""The CSV preview table of the data dialog: the first rows as ``sniff_csv`` read them, each
column's header showing the role (feature / target / ignore) the user gave it."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from . import theme

class PreviewModel(QAbstractTableModel):
    """The first rows of a CSV as ``sniff_csv`` read them; each column's header shows its role."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns: list[str] = []
        self.kinds: list[str] = []
        self.rows: list[list[str]] = []
        self.roles: list[str] = []
        self.first_line = 1            # file line number of the first previewed row

    def set_preview(self, info, roles: list[str]) -> None:
        self.beginResetModel()
        if info is None:
            self.columns, self.kinds, self.rows, self.roles = [], [], [], []
        else:
            self.columns, self.kinds = list(info.columns), list(info.kinds)
            self.rows = [list(r) for r in info.preview]
            self.roles = list(roles)
            self.first_line = 2 if info.has_header else 1
        self.endResetModel()

    def set_roles(self, roles: list[str]) -> None:
        self.roles = list(roles)
        if self.columns:
            self.headerDataChanged.emit(Qt.Horizontal, 0, len(self.columns) - 1)
            if self.rows:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(self.rows) - 1, len(self.columns) - 1))

    def role_text(self, role: str) -> str:
        return {"feature": self.tr("feature"), "target": self.tr("target"),
                "ignore": self.tr("ignored")}.get(role, role)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.DisplayRole:
            row = self.rows[r]
            return row[c] if c < len(row) else ""
        column_role = self.roles[c] if c < len(self.roles) else "feature"
        if role == Qt.ForegroundRole and column_role == "ignore":
            return theme.current().color("muted")
        if role == Qt.BackgroundRole and column_role == "target":
            return theme.current().color("accent_soft")
        if role == Qt.TextAlignmentRole and c < len(self.kinds) and self.kinds[c] == "numeric":
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.DisplayRole:
                r = self.roles[section] if section < len(self.roles) else "feature"
                return f"{self.columns[section]}\n[{self.role_text(r)}]"
            if role == Qt.ToolTipRole:
                return self.tr("{0}: {1} values").format(self.columns[section], self.kinds[section])
        elif orientation == Qt.Vertical and role == Qt.DisplayRole:
            return str(self.first_line + section)          # the line number a text editor shows
        return None
