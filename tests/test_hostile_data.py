"""Hostile and unusual data files: strict numbers, values beyond float32, decimal commas and
other encodings, non-regular files, forged .npy/.npz headers, relative paths, and the warnings a
user needs (rows dropped, an ID column used as a feature)."""
import logging
import os
import zipfile

import numpy as np
import pytest

from core.dataio import load_csv, load_data_file, sniff_csv
from core.designfile import Design, load_design, save_design
from core.errors import DataError
from core.model import Model, load_design_data
from core.npyio import load_npz
from core.settings import validate_data, validate_training
from hostile_helpers import MiB, fifo_with_writers, npy_header, peak_mib

def write(tmp_path, text, name="d.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return str(p)


def _rows(n=20, first="a,b,y"):
    rng = np.random.default_rng(0)
    return first + "\n" + "".join(f"{rng.normal():.4f},{rng.normal():.4f},{i % 2}\n" for i in range(n))


# ---- strict numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize("cell, hint", [("١٢٣", "ASCII digits"), ("１２", "ASCII digits"),
                                        ("1_000", "digit separators"), ("٣.٥", "ASCII digits")])
def test_non_ascii_digits_and_separators_are_refused_with_row_and_column(tmp_path, cell, hint):
    text = _rows(30).splitlines()
    text[17] = f"0.5,{cell},1"                     # file line 18
    p = write(tmp_path, "\n".join(text) + "\n")
    with pytest.raises(DataError) as err:
        load_csv(p)
    msg = str(err.value)
    assert "row 18" in msg and "column 'b'" in msg and p in msg and hint in msg


def test_non_ascii_digits_in_the_first_chunk_row_are_refused(tmp_path):
    """The fast path (numpy converting a whole chunk) would read them: it must not be taken."""
    p = write(tmp_path, "a,b,y\n١,2,0\n3,4,1\n5,6,0\n")
    with pytest.raises(DataError, match="row 2.*column 'a'"):
        load_csv(p)


def test_sniff_does_not_call_non_ascii_digits_numeric(tmp_path):
    p = write(tmp_path, "a,b,y\n١,2,0\n٢,4,1\n")
    info = sniff_csv(p)
    assert info.kinds[0] == "categorical" and info.kinds[1] == "numeric"


# ---- magnitudes ---------------------------------------------------------------------------------

def test_feature_beyond_float32_is_refused_naming_the_column(tmp_path):
    text = _rows(30).splitlines()
    text[5] = "1e300,0.5,1"
    p = write(tmp_path, "\n".join(text) + "\n")
    with pytest.raises(DataError) as err:
        load_csv(p)
    assert "row 6" in str(err.value) and "column 'a'" in str(err.value) and "float32" in str(err.value)


def test_regression_target_beyond_float32_is_refused(tmp_path):
    rng = np.random.default_rng(1)
    lines = ["a,y"] + [f"{rng.normal():.3f},{rng.normal():.3f}" for _ in range(30)]
    lines[9] = "0.1,-4e39"
    with pytest.raises(DataError, match=r"row 10, column 'y'.*float32"):
        load_csv(write(tmp_path, "\n".join(lines) + "\n"), task="regression")


def test_npz_feature_beyond_float32_is_refused(tmp_path):
    X = np.ones((10, 3))
    X[4, 2] = -1e300
    p = tmp_path / "d.npz"
    np.savez(p, X=X, y=np.arange(10) % 2)
    with pytest.raises(DataError, match=r"row 5, column 'x2'.*float32"):
        load_npz(p)


def test_large_but_representable_values_still_load(tmp_path):
    p = write(tmp_path, "a,y\n" + "".join(f"{v}e37,{i % 2}\n" for i, v in enumerate(range(1, 12))))
    ds = load_csv(p)
    assert ds.X.max() == pytest.approx(11e37)


# ---- decimal comma and encodings ----------------------------------------------------------------

def test_decimal_comma_with_semicolons(tmp_path):
    p = write(tmp_path, "a;b;y\n1,5;-2,25;0\n3;4,0;1\n0,125;1e-3;0\n")
    ds = load_csv(p, decimal=",")
    np.testing.assert_array_equal(ds.X, [[1.5, -2.25], [3.0, 4.0], [0.125, 0.001]])
    assert sniff_csv(p, decimal=",").delimiter == ";"


def test_decimal_comma_refuses_a_point_and_comma_delimiter(tmp_path):
    p = write(tmp_path, "a;y\n1,5;0\n1.000,5;1\n")
    with pytest.raises(DataError, match=r"row 3, column 'a'.*decimal mark"):
        load_csv(p, decimal=",")
    with pytest.raises(DataError, match="delimiter cannot also be ','"):
        load_csv(p, decimal=",", delimiter=",")
    with pytest.raises(DataError, match="decimal must be"):
        load_csv(p, decimal=";")


def test_default_decimal_point_hints_at_the_option(tmp_path):
    p = write(tmp_path, "a;y\n1,5;0\n2,5;1\n")
    with pytest.raises(DataError, match="decimal ','"):
        load_csv(p)


def test_cp1252_file(tmp_path):
    text = "température;catégorie\n1,5;été\n2,5;hiver\n3,0;été\n"
    p = write(tmp_path, text, encoding="cp1252")
    with pytest.raises(DataError, match="not a UTF-8 text file.*cp1252"):
        load_csv(p, decimal=",")
    ds = load_csv(p, decimal=",", encoding="cp1252")
    assert ds.feature_names == ["température"] and ds.class_names == ["hiver", "été"]
    np.testing.assert_array_equal(ds.X[:, 0], [1.5, 2.5, 3.0])


def test_unknown_encoding_is_named(tmp_path):
    with pytest.raises(DataError, match="unknown encoding 'klingon'"):
        load_csv(write(tmp_path, _rows()), encoding="klingon")


def test_options_reach_the_loader_through_the_data_settings(tmp_path):
    p = write(tmp_path, "a;y\n1,5;0\n2,5;1\n3,5;0\n4,5;1\n", encoding="cp1252")
    d = validate_data({"source": "csv", "path": p, "options": {"decimal": ",", "encoding": "cp1252"}})
    np.testing.assert_array_equal(load_data_file(d).X[:, 0], [1.5, 2.5, 3.5, 4.5])


# ---- files that are not files -------------------------------------------------------------------

@pytest.mark.parametrize("loader", [load_csv, sniff_csv, load_npz])
def test_folder_and_device_are_refused(tmp_path, loader):
    folder = tmp_path / "data.csv"
    folder.mkdir()
    if loader is not load_npz:                           # a folder of X.npy/y.npy is an npz source
        with pytest.raises(DataError, match="folder"):
            loader(str(folder))
    if os.path.exists("/dev/zero"):
        with pytest.raises(DataError, match="device"):
            loader("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_fifo_is_refused(tmp_path):
    with fifo_with_writers(tmp_path / "d.csv") as fifo:
        with pytest.raises(DataError, match="FIFO"):
            load_csv(str(fifo))
        with pytest.raises(DataError, match="FIFO"):
            load_npz(str(fifo))


def test_npy_header_claiming_a_terabyte_is_refused_before_allocating(tmp_path):
    X = tmp_path / "X.npy"
    X.write_bytes(npy_header((10**6, 2)) + b"\0" * 64)
    y = tmp_path / "y.npy"
    y.write_bytes(npy_header((10**12,)) + b"\0" * 64)

    def load():
        with pytest.raises(DataError, match="claims shape"):
            load_npz(y, y_path=str(X))
        with pytest.raises(DataError, match="claims shape"):
            load_npz(tmp_path / "X.npy")
    assert peak_mib(load) < 8


def test_npz_zip_bomb_is_refused_without_inflating(tmp_path):
    p = tmp_path / "d.npz"
    with zipfile.ZipFile(p, "w") as zf:
        info = zipfile.ZipInfo("X.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as f:
            f.write(npy_header((6 * MiB, 1)))
            for _ in range(48):
                f.write(bytes(MiB))
        zf.writestr("y.npy", npy_header((6 * MiB,)) + bytes(48 * MiB))

    def load():
        with pytest.raises(DataError, match="zip bomb"):
            load_npz(p)
    assert peak_mib(load) < 8


def test_npy_renamed_npz_data_is_named(tmp_path):
    p = tmp_path / "d.npz"
    np.save(tmp_path / "d.npy", np.ones((4, 3)))
    os.replace(tmp_path / "d.npy", p)
    with pytest.raises(DataError, match="single .npy array"):
        load_npz(p)


# ---- warnings: rows dropped, ID-like columns ----------------------------------------------------

def test_dropped_rows_are_reported(tmp_path, caplog):
    text = _rows(40).splitlines()
    for i in (3, 9, 27):
        text[i] = "NA,0.5,1"
    p = write(tmp_path, "\n".join(text) + "\n")
    with caplog.at_level(logging.WARNING):
        ds = load_csv(p, missing="drop")
    assert len(ds.X) == 37
    assert any("left out 3 of 40 rows" in w for w in ds.warnings)
    assert any("left out 3 of 40 rows" in r.getMessage() for r in caplog.records)


def test_dropped_rows_reach_the_prepared_data(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 2))
    X[[2, 5], 1] = np.nan
    p = tmp_path / "d.npz"
    np.savez(p, X=X, y=np.arange(30) % 2)
    d = validate_data({"source": "npz", "path": str(p), "options": {"missing": "drop"}})
    prepared = load_design_data(d)
    assert any("left out 2 of 30 rows" in w for w in prepared.warnings)


@pytest.mark.parametrize("header, column, reason", [
    (",a,y", "col0", "unnamed first column"),
    ("ID,a,y", "ID", "named 'ID'"),
    ("index,a,y", "index", "named 'index'"),
    ("n,a,y", "n", "strictly increasing"),
])
def test_id_like_feature_columns_are_warned_about(tmp_path, header, column, reason):
    rng = np.random.default_rng(0)
    start = 1 if column == "n" else 0
    lines = [header] + [f"{i + start},{rng.normal():.3f},{i % 2}" for i in range(25)]
    ds = load_csv(write(tmp_path, "\n".join(lines) + "\n"))
    hits = [w for w in ds.warnings if repr(column) in w]
    assert hits and reason in hits[0] and "row index or ID" in hits[0]


def test_ordinary_features_give_no_warning(tmp_path):
    ds = load_csv(write(tmp_path, _rows(40)))
    assert ds.warnings == []


def test_id_column_left_out_gives_no_warning(tmp_path):
    lines = ["id,a,y"] + [f"{i},{(i * 7) % 5},{i % 2}" for i in range(25)]
    ds = load_csv(write(tmp_path, "\n".join(lines) + "\n"), features=["a"])
    assert ds.warnings == []


# ---- a relative data path belongs to the design's folder ----------------------------------------

def _csv_design(path: str) -> Design:
    from core.graph import Graph
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("Dense", {"units": 1}, node_id="d")
    g.connect("x", "d")
    return Design(g, validate_training({"loss": {"name": "mse", "params": {}}}),
                  validate_data({"source": "csv", "path": path}))


def test_relative_data_path_resolves_against_the_design_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "train.csv").write_text(_rows(20))
    save_design(_csv_design(os.path.join("data", "train.csv")), project / "net.json")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    design = load_design(project / "net.json")
    assert design.data["path"] == os.path.join("data", "train.csv")    # saved as written
    model = Model.from_design(design)
    assert model.data.X_train.shape[1] == 2


def test_cli_prints_data_warnings(tmp_path, capsys, monkeypatch):
    from core.cli import main
    text = _rows(30).splitlines()
    text[4] = ",0.1,1"
    (tmp_path / "d.csv").write_text("\n".join(text) + "\n")
    d = _csv_design("d.csv")
    d.data["options"] = {"missing": "drop"}
    d.training["epochs"] = 1
    save_design(d, tmp_path / "net.json")
    monkeypatch.chdir(tmp_path.parent)
    monkeypatch.setattr(logging.getLogger(), "handlers", [])   # the CLI's basicConfig installs its own
    assert main(["train", str(tmp_path / "net.json"), "--quiet"]) == 0
    assert "left out 1 of 30 rows" in capsys.readouterr().err


# ---- after scaling ------------------------------------------------------------------------------

def test_value_pushed_beyond_float32_by_minmax_scaling_is_refused():
    """Training values span 1e-14, a validation value is 1e30 (both fine for float32): min-max
    scaling makes it 1e44."""
    from core.data import Dataset, prepare, train_val_test_split
    n = 20
    rows = np.arange(n, dtype=float)[:, None]
    val_rows = train_val_test_split(rows, np.zeros(n), val=0.25, seed=3)["val"][0][:, 0].astype(int)
    X = np.zeros((n, 2))
    X[::2, 0] = 1e-14
    X[val_rows, 0] = 1e30
    X[:, 1] = np.arange(n) % 3
    ds = Dataset(X, np.linspace(0, 1, n), "regression", ["tiny", "b"], name="t")
    with pytest.raises(DataError, match=r"column 'tiny'.*after minmax scaling a val value"):
        prepare(ds, val=0.25, scaling="minmax", seed=3)
    with pytest.raises(DataError, match="after standard scaling"):     # std of the train part: tiny too
        prepare(ds, val=0.25, scaling="standard", seed=3)
    assert prepare(ds, val=0.25, scaling="none", seed=3).X_val.shape == (5, 2)


def test_large_unscaled_features_are_warned_about():
    from core.data import Dataset, prepare
    X = np.c_[np.linspace(0, 5e7, 40), np.linspace(-1, 1, 40)]
    ds = Dataset(X, np.arange(40) % 2, "binary", ["income", "z"], name="t")
    assert any("'income'" in w and "standard scaling" in w for w in prepare(ds, scaling="none").warnings)
    assert prepare(ds, scaling="standard").warnings == []
