"""core's file errors (design, data and weights files) reach a Korean window in Korean.

Each error is raised for real by core on a broken file, then passed through the designer's
translation (designer/i18n/messages.py) as the dialogs show it: the result must contain Hangul,
keep the file's name, and carry the values core named (a row, a column, a shape).
"""
from __future__ import annotations

import zipfile

import numpy as np
import pytest
from PySide6.QtCore import QLocale

from core.dataio import load_csv
from core.designfile import load_design
from core.errors import NetDesignerError
from core.weights import load_weights, save_weights
from designer import i18n
from designer.dialogs import explain
from designer.i18n.messages import translate_reason

from .i18n_walk import HANGUL


@pytest.fixture
def korean(qapp):
    locale = QLocale()
    i18n.install(qapp, "ko")
    yield
    i18n.install(qapp, "en")
    QLocale.setDefault(locale)


def _error(fn, *args, **kwargs) -> NetDesignerError:
    with pytest.raises(NetDesignerError) as info:
        fn(*args, **kwargs)
    return info.value


def _korean(exc: NetDesignerError, *kept: str) -> str:
    """The text a dialog shows for `exc`; Korean, with every string of `kept` still in it."""
    english = str(exc)
    text = explain(exc)
    assert text != english, english
    assert HANGUL.search(text), text
    for part in kept:
        assert part in text, (part, text)
    return text


def test_design_file_errors_are_korean_and_name_the_file(korean, tmp_path):
    folder = tmp_path / "my_design_folder.json"
    folder.mkdir()
    _korean(_error(load_design, folder), "my_design_folder.json")

    bad = tmp_path / "broken_design.json"
    bad.write_text('{"format": "netdesigner",\n  "version": }', encoding="utf-8")
    text = _korean(_error(load_design, bad), "broken_design.json", "2")      # line 2
    assert "JSON" in text

    newer = tmp_path / "from_the_future.json"
    newer.write_text('{"format": "netdesigner-design", "version": 999}', encoding="utf-8")
    exc = _error(load_design, newer)
    _korean(exc, "from_the_future.json")

    missing = tmp_path / "nowhere.json"
    text = _korean(_error(load_design, missing), "nowhere.json")
    assert "No such file" not in text, text          # the OS's English words are worded too


def test_csv_errors_are_korean_and_keep_file_row_and_column(korean, tmp_path):
    csv = tmp_path / "grades.csv"
    csv.write_text("hours,score,passed\n1,50,0\n2,abc,1\n3,70,1\n", encoding="utf-8")
    text = _korean(_error(load_csv, csv), "grades.csv", "3", "'score'", "'abc'")
    assert "is not a number" not in text

    arabic = tmp_path / "digits.csv"
    arabic.write_text("a,b,y\n1,2,0\n\u0661\u0662,3,1\n4,5,1\n", encoding="utf-8")
    _korean(_error(load_csv, arabic), "digits.csv", "ASCII")

    huge = tmp_path / "huge.csv"
    huge.write_text("a,y\n1,0\n1e39,1\n2,1\n", encoding="utf-8")
    _korean(_error(load_csv, huge), "huge.csv", "float32", "1e39")

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    _korean(_error(load_csv, empty), "empty.csv")

    holes = tmp_path / "holes.csv"
    holes.write_text("a,b,y\n1,2,0\n,3,1\n4,5,1\n", encoding="utf-8")
    _korean(_error(load_csv, holes), "holes.csv", "missing='drop'")

    _korean(_error(load_csv, csv, target="grade"), "grades.csv", "'grade'")

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,y\n1,2,0\n1,2,3,4\n4,5,1\n", encoding="utf-8")
    _korean(_error(load_csv, ragged), "ragged.csv", "4")


def test_weights_errors_are_korean_and_keep_every_mismatch(korean, tmp_path):
    path = tmp_path / "trained_weights.npz"
    save_weights(path, {"dense/kernel": np.zeros((3, 4), np.float32), "dense/bias": np.zeros(4, np.float32)})
    exc = _error(load_weights, path, expected={"dense/kernel": (2, 4), "dense/bias": (4,),
                                               "out/kernel": (4, 1)})
    text = _korean(exc, "trained_weights.npz", "dense/kernel", "(3, 4)", "(2, 4)", "out/kernel")
    lines = text.split("\n")
    assert len(lines) == len(str(exc).split("\n")) == 3
    assert all(HANGUL.search(line) for line in lines), lines      # each mismatch translated

    not_zip = tmp_path / "notes.npz"
    not_zip.write_text("just text", encoding="utf-8")
    _korean(_error(load_weights, not_zip), "notes.npz")

    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("w.npy", b"\0" * (200 << 20))
    _korean(_error(load_weights, bomb), "bomb.npz", "'w'")


def test_a_preflight_data_error_is_korean_in_the_problems_wording(korean, tmp_path):
    from core.errors import DataError
    from designer.dashboard.controller import describe_problem
    from core.preflight import PreflightProblem
    inner = _error(load_csv, tmp_path / "absent.csv")
    assert isinstance(inner, DataError)
    problem = PreflightProblem(f"the data cannot be loaded: {inner}", kind="data")
    text = describe_problem(problem)
    assert HANGUL.search(text) and "absent.csv" in text, text
    assert "cannot be loaded" not in text and "file not found" not in text, text


def test_english_mode_leaves_core_messages_untouched(qapp, tmp_path):
    i18n.install(qapp, "en")
    exc = _error(load_design, tmp_path / "nowhere.json")
    assert explain(exc) == str(exc)
    assert translate_reason("grades.csv: the file is empty") == "grades.csv: the file is empty"
