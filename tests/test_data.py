"""core.data: generators, registry, splits, scaling and preparation for the engine."""
import json

import numpy as np
import pytest

from core import data as D
from core.errors import DataError
from core.params import Param

GENERATED = ["xor", "circles", "moons", "spirals", "blobs", "sine"]
CLASSIFIERS = ["xor", "circles", "moons", "spirals", "blobs"]


@pytest.mark.parametrize("name", GENERATED)
def test_generators_are_deterministic_per_seed(name):
    a, b, c = (D.load_dataset(name, seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    assert a.X.dtype == np.float64 and a.X.shape == (200, len(a.feature_names))


@pytest.mark.parametrize("n", [4, 7, 101, 202])
@pytest.mark.parametrize("name", CLASSIFIERS)
def test_generated_classes_are_balanced(name, n):
    ds = D.load_dataset(name, n=n)
    counts = np.bincount(ds.y, minlength=ds.n_classes)
    assert ds.y.shape == (n,) and ds.y.dtype == np.int64
    assert counts.sum() == n and counts.max() - counts.min() <= 1
    assert len(ds.class_names) == ds.n_classes


def test_xor_labels_follow_quadrants_without_noise():
    ds = D.xor(n=100, noise=0.0, seed=1)
    np.testing.assert_array_equal(ds.y, ((ds.X[:, 0] > 0) ^ (ds.X[:, 1] > 0)).astype(int))
    assert ds.task == "binary"


def test_circles_radii_and_moons_shape():
    ds = D.circles(n=50, noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.linalg.norm(ds.X, axis=1), np.where(ds.y == 0, 1.0, 0.3))
    assert D.moons(n=50, noise=0.0).X.shape == (50, 2)


def test_spirals_interleave():
    ds = D.spirals(n=400, noise=0.0)
    r = np.linalg.norm(ds.X, axis=1)
    for label in (0, 1):  # both spirals cover the same radii
        assert r[ds.y == label].max() > 0.99 and r[ds.y == label].min() == 0.0


def test_blobs_and_sine_shapes():
    b = D.blobs(n=90, centers=4, dims=5, std=0.5, seed=2)
    assert b.X.shape == (90, 5) and b.task == "multiclass" and b.n_classes == 4
    s = D.sine(n=64, noise=0.0)
    assert s.X.shape == (64, 1) and s.y.shape == (64, 1) and s.task == "regression" and s.n_classes == 0
    assert np.all(np.abs(s.X) <= 3) and np.allclose(s.y, np.sin(s.X))


@pytest.mark.parametrize("name,shape,task,k", [("digits", (1797, 64), "multiclass", 10), ("iris", (150, 4), "multiclass", 3),
                                               ("wine", (178, 13), "multiclass", 3),
                                               ("breast_cancer", (569, 30), "binary", 2)])
def test_bundled(name, shape, task, k):
    ds = D.load_dataset(name)
    assert ds.X.shape == shape and ds.task == task and ds.n_classes == k and ds.name == name
    assert len(ds.feature_names) == shape[1] and all(isinstance(c, str) for c in ds.class_names)


def test_registry_and_params():
    assert set(D.DATASETS) == set(D.DATASET_PARAMS)
    for name, params in D.DATASET_PARAMS.items():
        assert all(isinstance(p, Param) for p in params)
        assert "seed" not in [p.name for p in params]   # the seed is the data settings' own
        defaults = {p.name: p.default for p in params}
        ds = D.load_dataset(name, **defaults)
        assert isinstance(ds, D.Dataset) and ds.name == name


def test_registry_errors_name_data_set_and_parameter():
    with pytest.raises(DataError, match="Unknown data set 'mnist'"):
        D.load_dataset("mnist")
    with pytest.raises(DataError, match="'xor'.*no parameter 'nosie'"):
        D.load_dataset("xor", nosie=0.1)
    with pytest.raises(DataError, match="'circles'.*`factor`"):
        D.load_dataset("circles", factor=1.5)
    with pytest.raises(DataError, match="'moons'.*`n`"):
        D.load_dataset("moons", n="many")
    with pytest.raises(DataError, match="'blobs'.*`n` >= centers"):
        D.load_dataset("blobs", n=5, centers=6)
    with pytest.raises(DataError, match="seed"):
        D.load_dataset("xor", seed=-1)


@pytest.mark.parametrize("val,test", [(0.2, 0.0), (0.25, 0.15), (0.0, 0.3)])
def test_split_sizes_disjoint_deterministic(val, test):
    X = np.arange(100.0).reshape(50, 2)
    y = np.arange(50)
    parts = D.train_val_test_split(X, y, val=val, test=test, seed=5)
    again = D.train_val_test_split(X, y, val=val, test=test, seed=5)
    sizes = {k: 0 if p is None else len(p[0]) for k, p in parts.items()}
    assert sizes == {"val": round(val * 50), "test": round(test * 50), "train": 50 - round(val * 50) - round(test * 50)}
    seen = np.concatenate([p[1] for p in parts.values() if p is not None])
    assert sorted(seen) == list(range(50))
    for k in parts:
        if parts[k] is None:
            assert again[k] is None
        else:
            np.testing.assert_array_equal(parts[k][0], again[k][0])
            np.testing.assert_array_equal(parts[k][0][:, 0] / 2, parts[k][1])  # rows stay with their targets


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.c_[y, np.arange(100)].astype(float)
    parts = D.train_val_test_split(X, y, val=0.2, test=0.1, stratify=True, seed=0)
    np.testing.assert_array_equal(np.bincount(parts["val"][1]), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(parts["test"][1]), [6, 3, 1])
    np.testing.assert_array_equal(np.bincount(parts["train"][1]), [42, 21, 7])
    assert not np.all(np.diff(parts["train"][1]) >= 0)   # shuffled, not grouped by class


def test_stratified_split_rounding_keeps_exact_sizes():
    y = np.repeat([0, 1, 2], [7, 7, 7])
    parts = D.train_val_test_split(np.zeros((21, 1)), y, val=0.2, stratify=True, seed=1)
    counts = np.bincount(parts["val"][1], minlength=3)
    assert counts.sum() == round(0.2 * 21) and counts.max() - counts.min() <= 1


def test_split_errors():
    with pytest.raises(DataError, match="no training data"):
        D.train_val_test_split(np.zeros((10, 1)), np.zeros(10), val=0.5, test=0.5)
    with pytest.raises(DataError, match="as many targets"):
        D.train_val_test_split(np.zeros((10, 1)), np.zeros(9))


@pytest.mark.parametrize("kind", ["standard", "minmax", "none"])
def test_scaler_constant_column_and_round_trip(kind):
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(5, 3, 40), np.full(40, 0.1), np.full(40, 1234.567)]
    sc = D.Scaler(kind).fit(X)
    Z = sc.transform(X)
    assert np.all(np.isfinite(Z))
    if kind == "standard":
        np.testing.assert_allclose(Z[:, 0].mean(), 0, atol=1e-12)
        np.testing.assert_allclose(Z[:, 0].std(), 1)
        np.testing.assert_allclose(Z[:, 1:], 0, atol=1e-9)
    if kind == "minmax":
        assert Z[:, 0].min() == 0 and Z[:, 0].max() == 1
    np.testing.assert_allclose(sc.inverse_transform(Z), X)
    restored = D.Scaler.from_dict(json.loads(json.dumps(sc.to_dict())))
    np.testing.assert_allclose(restored.transform(X), Z)


def test_scaler_errors():
    with pytest.raises(DataError, match="kind"):
        D.Scaler("robust")
    with pytest.raises(RuntimeError, match="before fit"):
        D.Scaler("standard").transform(np.zeros((2, 2)))
    with pytest.raises(DataError, match="2 features"):
        D.Scaler("standard").fit(np.zeros((3, 2))).transform(np.zeros((3, 3)))


def test_prepare_fits_scaler_on_train_only():
    ds = D.load_dataset("wine")
    p = D.prepare(ds, val=0.3, test=0.0, scaling="standard", seed=0)
    np.testing.assert_allclose(p.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(p.X_train.std(axis=0), 1)
    assert not np.allclose(p.X_val.mean(axis=0), 0, atol=1e-3)   # val statistics differ
    full = D.Scaler("standard").fit(ds.X)
    assert not np.allclose(full.offset, p.scaler.offset)
    assert p.X_test is None and p.y_test is None


@pytest.mark.parametrize("name,task,k", [("xor", "binary", 2), ("blobs", "multiclass", 3), ("sine", "regression", 0)])
def test_prepare_target_shapes(name, task, k):
    p = D.prepare(D.load_dataset(name), val=0.2, test=0.1, scaling="minmax", seed=1)
    assert p.task == task and p.n_classes == k
    for X, y in ((p.X_train, p.y_train), (p.X_val, p.y_val), (p.X_test, p.y_test)):
        assert X.dtype == np.float64 and y.dtype == np.float64 and y.shape == (len(X), 1)
    assert len(p.X_train) + len(p.X_val) + len(p.X_test) == 200
    if task != "regression":
        assert set(np.unique(p.y_train)) == set(range(k))
        oh = D.one_hot(p.y_train, k)
        assert oh.shape == (len(p.y_train), k) and np.all(oh.sum(axis=1) == 1)
        np.testing.assert_array_equal(oh.argmax(axis=1), p.y_train[:, 0])


def test_one_hot_and_dataset_validation():
    np.testing.assert_array_equal(D.one_hot([0, 2], 3), [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(DataError, match="below k=2"):
        D.one_hot([0, 2], 2)
    with pytest.raises(DataError, match="class labels"):
        D.Dataset(np.zeros((2, 1)), np.array([0.5, 1.0]), "binary", ["x"])
    with pytest.raises(DataError, match="2 rows but y has 3"):
        D.Dataset(np.zeros((2, 1)), np.zeros(3), "regression", ["x"])
    with pytest.raises(DataError, match="binary"):
        D.prepare(D.Dataset(np.zeros((4, 1)), np.array([0, 1, 2, 1]), "binary", ["x"]), val=0.0)
