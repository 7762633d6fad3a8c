"""core.dataio: CSV and NPY/NPZ loading, sniffing, targets, and every error naming file/row/column."""
import mmap
import tracemalloc

import numpy as np
import pytest

from core.data import Dataset
from core.dataio import load_csv, load_data_file, sniff_csv
from core.npyio import load_npz
from core.designfile import Design
from core.errors import DataError
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training


def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


IRIS_LIKE = """sepal_length,sepal_width,species
5.1,3.5,setosa
4.9,3.0,setosa
7.0,3.2,versicolor
6.4,3.2,versicolor
6.3,3.3,virginica
5.8,2.7,virginica
"""


# ----------------------------------------------------------------------------- sniffing

@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_sniff_finds_delimiter_header_names_and_kinds(tmp_path, delim):
    path = write(tmp_path, IRIS_LIKE.replace(",", delim))
    info = sniff_csv(path)
    assert info.delimiter == delim
    assert info.has_header
    assert info.columns == ["sepal_length", "sepal_width", "species"]
    assert info.kinds == ["numeric", "numeric", "categorical"]
    assert info.preview[0] == ["5.1", "3.5", "setosa"] and len(info.preview) == 6
    assert info.target == "species" and info.task == "multiclass"


def test_sniff_without_header_names_columns_by_index(tmp_path):
    path = write(tmp_path, "1.0,2.0,0\n3.0,4.0,1\n5.0,6.0,1\n2.0,1.0,0\n")
    info = sniff_csv(path)
    assert not info.has_header
    assert info.columns == ["col0", "col1", "col2"]
    assert info.kinds == ["numeric"] * 3 and info.task == "binary"


def test_sniff_reports_ragged_row_in_preview(tmp_path):
    info = sniff_csv(write(tmp_path, "a,b,c\n1,2,3\n4,5\n"))
    assert info.notes and "row 3" in info.notes[0]


# ----------------------------------------------------------------------------- CSV targets

def test_categorical_target_becomes_labels_with_sorted_class_names(tmp_path):
    ds = load_csv(write(tmp_path, IRIS_LIKE), target="species")
    assert isinstance(ds, Dataset)
    assert ds.task == "multiclass" and ds.class_names == ["setosa", "versicolor", "virginica"]
    np.testing.assert_array_equal(ds.y, [0, 0, 1, 1, 2, 2])
    assert ds.X.shape == (6, 2) and ds.X.dtype == np.float64
    assert ds.X[2, 0] == 7.0 and ds.feature_names == ["sepal_length", "sepal_width"]
    assert ds.name == "data.csv"


def test_target_defaults_to_last_column_and_features_by_name_or_index(tmp_path):
    path = write(tmp_path, IRIS_LIKE)
    a = load_csv(path)
    b = load_csv(path, features=["sepal_width"], target=2)
    c = load_csv(path, features=[1], target=-1)
    assert a.task == "multiclass" and a.X.shape == (6, 2)
    np.testing.assert_array_equal(b.X[:, 0], a.X[:, 1])
    np.testing.assert_array_equal(c.X, b.X)
    assert b.feature_names == ["sepal_width"]


def test_integer_target_with_few_values_is_classification_else_regression(tmp_path):
    cls = load_csv(write(tmp_path, "x,y\n0.1,2\n0.2,5\n0.3,2\n0.4,5\n", "c.csv"))
    assert cls.task == "binary" and cls.class_names == ["2", "5"]
    np.testing.assert_array_equal(cls.y, [0, 1, 0, 1])
    reg = load_csv(write(tmp_path, "x,y\n0.1,2.5\n0.2,5.25\n0.3,1.0\n", "r.csv"))
    assert reg.task == "regression" and reg.y.shape == (3, 1) and reg.y[1, 0] == 5.25
    forced = load_csv(write(tmp_path, "x,y\n0.1,2\n0.2,5\n0.3,2\n0.4,5\n", "f.csv"), task="regression")
    assert forced.task == "regression" and forced.class_names is None


def test_multi_column_regression_target(tmp_path):
    ds = load_csv(write(tmp_path, "a,b,t1,t2\n1,2,0.5,1.5\n3,4,2.5,3.5\n"), target=["t1", "t2"])
    assert ds.task == "regression" and ds.y.shape == (2, 2) and ds.X.shape == (2, 2)


def test_quoted_fields_and_blank_lines(tmp_path):
    path = write(tmp_path, 'x,city\n1.0,"New York, NY"\n\n2.0,Paris\n3.0,"New York, NY"\n')
    ds = load_csv(path)
    assert ds.class_names == ["New York, NY", "Paris"]
    np.testing.assert_array_equal(ds.y, [0, 1, 0])


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_any_line_ending(tmp_path, eol):
    p = tmp_path / "e.csv"
    p.write_bytes(eol.join(["a,b,t", "1,2,x", "3,4,y", ""]).encode())
    ds = load_csv(str(p))
    assert ds.X.tolist() == [[1, 2], [3, 4]] and ds.class_names == ["x", "y"]


def test_semicolon_file_without_header(tmp_path):
    ds = load_csv(write(tmp_path, "1;2;a\n3;4;b\n5;6;a\n"), header=None)
    assert ds.feature_names == ["col0", "col1"] and ds.class_names == ["a", "b"]


def test_explicit_delimiter_and_header(tmp_path):
    ds = load_csv(write(tmp_path, "1|2|0\n3|4|1\n"), delimiter="|", header=False, task="binary")
    assert ds.X.tolist() == [[1, 2], [3, 4]] and ds.task == "binary"


# ----------------------------------------------------------------------------- CSV errors

def test_ragged_row_names_file_and_row(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,x\n3,4\n5,6,y\n")
    with pytest.raises(DataError, match=r"data\.csv, row 3: 2 fields where the header has 3"):
        load_csv(path)


def test_non_numeric_feature_names_row_and_column(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n3,oops,y\n5,6,x\n")
    with pytest.raises(DataError, match=r"data\.csv, row 3, column 'b': 'oops' is not a number"):
        load_csv(path)


def test_row_numbers_count_blank_lines_like_an_editor(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n\n\n3,oops,y\n")
    with pytest.raises(DataError, match=r"row 5, column 'b'"):
        load_csv(path)


def test_missing_value_error_offers_drop_and_mean(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n3,,y\n5,NA,x\n7,8,y\n")
    with pytest.raises(DataError, match=r"row 3, column 'b': missing value; choose missing='drop'.*'mean'"):
        load_csv(path)
    dropped = load_csv(path, missing="drop")
    assert dropped.X.tolist() == [[1, 2], [7, 8]]
    np.testing.assert_array_equal(dropped.y, [0, 1])
    filled = load_csv(path, missing="mean")
    assert filled.X.tolist() == [[1, 2], [3, 5], [5, 5], [7, 8]]


def test_missing_target_is_never_imputed(tmp_path):
    path = write(tmp_path, "a,label\n1,x\n2,\n3,y\n4,x\n")
    with pytest.raises(DataError, match=r"row 3, column 'label': the target is missing"):
        load_csv(path)
    with pytest.raises(DataError, match="never imputed"):
        load_csv(path, missing="mean")
    assert len(load_csv(path, missing="drop").y) == 3


def test_target_with_one_class(tmp_path):
    path = write(tmp_path, "a,label\n1,x\n2,x\n3,x\n")
    with pytest.raises(DataError, match=r"data\.csv: the target column 'label' has only one class \('x'\)"):
        load_csv(path)


def test_text_in_a_regression_target_names_its_row(tmp_path):
    path = write(tmp_path, "a,t\n1,0.5\n2,abc\n3,1.5\n")
    with pytest.raises(DataError, match=r"row 3, column 't': 'abc' is not a number"):
        load_csv(path, task="regression")


def test_infinite_target_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"row 3, column 't': the target 'inf' is not a finite number"):
        load_csv(write(tmp_path, "a,t\n1,0.5\n2,inf\n"))


def test_decimal_comma_gets_a_hint(tmp_path):
    with pytest.raises(DataError, match=r"row 2, column 'a': '1,5' is not a number \(a decimal comma\?"):
        load_csv(write(tmp_path, "a;b;t\n1,5;2;x\n3;4;y\n"))


def test_header_after_leading_blank_lines(tmp_path):
    ds = load_csv(write(tmp_path, "\n\nx,label\n1,a\n2,b\n"))
    assert ds.feature_names == ["x"] and ds.X.ravel().tolist() == [1, 2]


def test_infinite_feature_is_an_error(tmp_path):
    with pytest.raises(DataError, match=r"row 2, column 'a': 'inf' is not a finite number"):
        load_csv(write(tmp_path, "a,t\ninf,0\n1,1\n"))


@pytest.mark.parametrize("kwargs, pattern", [
    ({"target": "nope"}, r"no column named 'nope' for the target; columns: sepal_length, sepal_width, species"),
    ({"target": 7}, r"target column index 7 is out of range \(the file has 3 columns\)"),
    ({"features": ["species"], "target": "species"}, r"'species' is both a feature and the target"),
    ({"missing": "zero"}, r"missing must be one of error, drop, mean"),
    ({"task": "ranking"}, r"task must be one of"),
])
def test_bad_column_choices(tmp_path, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        load_csv(write(tmp_path, IRIS_LIKE), **kwargs)


def test_missing_empty_and_binary_files(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv: file not found"):
        load_csv(str(tmp_path / "nope.csv"))
    with pytest.raises(DataError, match="the file is empty"):
        load_csv(write(tmp_path, "\n\n", "empty.csv"))
    p = tmp_path / "bin.csv"
    p.write_bytes(b"\xff\xfe\x00\x01garbage\x00\xff")
    with pytest.raises(DataError, match="not a UTF-8 text file"):
        load_csv(str(p))
    with pytest.raises(DataError, match="no data rows"):
        load_csv(write(tmp_path, "a,b\n", "header_only.csv"), header=True)


def test_large_csv_is_parsed_without_a_second_copy(tmp_path):
    """Peak memory while loading stays well under two copies of the float64 features."""
    rng = np.random.default_rng(0)
    n, d = 20_000, 40
    X = rng.normal(size=(n, d)).round(5)
    y = rng.integers(0, 3, n)
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write(",".join(f"f{j}" for j in range(d)) + ",label\n")
        for i in range(n):
            f.write(",".join(map(repr, X[i].tolist())) + f",{y[i]}\n")
    tracemalloc.start()
    try:
        ds = load_csv(str(path), target="label")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    assert peak < 1.5 * X.nbytes, f"peak {peak / 1e6:.1f} MB for {X.nbytes / 1e6:.1f} MB of features"


# ----------------------------------------------------------------------------- NPY / NPZ

def _mapped(a) -> bool:
    while a is not None:
        if isinstance(a, (np.memmap, mmap.mmap)):
            return True
        a = getattr(a, "base", None)
    return False


def test_npz_with_X_and_y(tmp_path):
    p = tmp_path / "d.npz"
    X = np.arange(12.0).reshape(6, 2)
    np.savez(p, X=X, y=np.array([0, 1, 2, 0, 1, 2]))
    ds = load_npz(str(p))
    np.testing.assert_array_equal(ds.X, X)
    assert ds.task == "multiclass" and ds.class_names == ["0", "1", "2"] and ds.feature_names == ["x0", "x1"]


def test_npz_text_labels_become_classes(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, X=np.ones((4, 3)), y=np.array(["cat", "dog", "cat", "dog"]))
    ds = load_npz(str(p))
    assert ds.class_names == ["cat", "dog"] and ds.task == "binary"


def test_npz_missing_key_and_pickled_objects_and_lengths(tmp_path):
    p = tmp_path / "a.npz"
    np.savez(p, features=np.ones((3, 2)), y=np.zeros(3))
    with pytest.raises(DataError, match=r"no array 'X'; the file holds features, y"):
        load_npz(str(p))
    q = tmp_path / "b.npz"
    np.savez(q, X=np.array([{"a": 1}, None], dtype=object), y=np.zeros(2))
    with pytest.raises(DataError, match="Python objects"):
        load_npz(str(q))
    r = tmp_path / "c.npz"
    np.savez(r, X=np.ones((3, 2)), y=np.arange(4))
    with pytest.raises(DataError, match="X has 3 rows but y .* has 4"):
        load_npz(str(r))


def test_npz_one_class_and_nan_features(tmp_path):
    p = tmp_path / "a.npz"
    np.savez(p, X=np.ones((3, 2)), y=np.array([1, 1, 1]))
    with pytest.raises(DataError, match="only one class"):
        load_npz(str(p))
    X = np.arange(8.0).reshape(4, 2)
    X[2, 1] = np.nan
    q = tmp_path / "b.npz"
    np.savez(q, X=X, y=np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match=r"row 3, column 'x1' \(X\[2, 1\]\): missing value"):
        load_npz(str(q))
    dropped = load_npz(str(q), missing="drop")
    assert dropped.X.shape == (3, 2)
    np.testing.assert_array_equal(dropped.y, [0, 1, 1])
    filled = load_npz(str(q), missing="mean")
    assert filled.X[2, 1] == pytest.approx((1 + 3 + 7) / 3)


@pytest.mark.parametrize("xname, yname", [("X.npy", "y.npy"), ("train_X.npy", "train_y.npy")])
def test_npy_pair_is_memory_mapped(tmp_path, xname, yname):
    X = np.random.default_rng(0).normal(size=(50, 4))
    np.save(tmp_path / xname, X)
    np.save(tmp_path / yname, np.arange(50) % 2)
    ds = load_npz(str(tmp_path / xname))
    assert _mapped(ds.X), "X should stay memory-mapped"
    np.testing.assert_array_equal(ds.X, X)
    assert ds.task == "binary"
    folder = load_npz(str(tmp_path)) if xname == "X.npy" else None
    assert folder is None or folder.X.shape == (50, 4)


def test_single_npy_with_target_column_and_images_flattened(tmp_path):
    arr = np.c_[np.arange(20.0).reshape(10, 2), np.arange(10) % 2]
    np.save(tmp_path / "all.npy", arr)
    ds = load_npz(str(tmp_path / "all.npy"))
    assert ds.X.shape == (10, 2) and _mapped(ds.X)
    np.testing.assert_array_equal(ds.y, np.arange(10) % 2)
    np.save(tmp_path / "imgs_X.npy", np.zeros((6, 8, 8)))
    np.save(tmp_path / "imgs_y.npy", np.array([0, 1, 2, 0, 1, 2]))
    assert load_npz(str(tmp_path / "imgs_X.npy")).X.shape == (6, 64)


def test_npy_pickled_object_array_is_refused(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([[1, "a"], [2, None]], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="Python objects"):
        load_npz(str(tmp_path / "obj.npy"))


# ----------------------------------------------------------------------------- dispatch and the model

def test_load_data_file_dispatches_with_options(tmp_path):
    path = write(tmp_path, IRIS_LIKE)
    ds = load_data_file({"source": "csv", "path": path, "options": {"target": "species", "features": [0]}})
    assert ds.X.shape == (6, 1)
    with pytest.raises(DataError, match=r"data\.options\.sheet: unknown option"):
        load_data_file({"source": "csv", "path": path, "options": {"sheet": 1}})
    with pytest.raises(DataError, match="data.path is empty"):
        load_data_file({"source": "npz", "path": "", "options": {}})


def _csv_design(path, input_width, loss="sparse_categorical_crossentropy", units=3):
    g = Graph()
    g.add_node("Input", {"shape": [input_width]}, node_id="x")
    g.add_node("Dense", {"units": units}, node_id="out")
    g.add_node("Softmax", node_id="p")
    g.connect("x", "out")
    g.connect("out", "p")
    data = validate_data({"source": "csv", "path": path, "validation_split": 0.0,
                          "options": {"target": "species"}})
    return Design(g, validate_training({"loss": {"name": loss, "params": {}}}), data)


def test_model_from_csv_design_scales_and_one_hots(tmp_path):
    path = write(tmp_path, IRIS_LIKE)
    m = Model.from_design(_csv_design(path, 2, "categorical_crossentropy"))
    assert m.data.class_names == ["setosa", "versicolor", "virginica"]
    y = m.targets().train
    assert y.shape == (6, 3) and np.all(y.sum(axis=1) == 1)
    np.testing.assert_allclose(m.data.X_train.mean(axis=0), 0, atol=1e-12)   # scaler fitted on train


def test_feature_count_that_does_not_match_the_input_shape(tmp_path):
    path = write(tmp_path, IRIS_LIKE)
    m = Model.from_design(_csv_design(path, 5))
    with pytest.raises(DataError, match=r"has 2 features but the design's Input nodes take 5: x \(5\)"):
        m.trainer()
