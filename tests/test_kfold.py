"""k-fold cross-validation: fold assignment, and results equal to a hand-run of the same folds."""
import numpy as np
import pytest

from core.cli import main as cli_main
from core.data import PreparedData, Scaler, load_dataset
from core.designfile import Design, save_design
from core.errors import DataError
from core.graph import Graph
from core.kfold import fold_data, kfold, kfold_indices
from core.model import Model
from core.settings import validate_data, validate_training


@pytest.mark.parametrize("stratify", [False, True])
@pytest.mark.parametrize("n, k", [(10, 2), (23, 5), (150, 3)])
def test_folds_partition_the_samples(n, k, stratify):
    y = np.arange(n) % 3
    folds = kfold_indices(y, k, seed=1, stratify=stratify)
    assert len(folds) == k
    tests = np.concatenate([te for _, te in folds])
    assert sorted(tests.tolist()) == list(range(n))                       # each sample tested once
    for tr, te in folds:
        assert np.intersect1d(tr, te).size == 0 and len(tr) + len(te) == n
    sizes = [len(te) for _, te in folds]
    assert max(sizes) - min(sizes) <= 1


def test_stratified_folds_keep_class_proportions_and_are_seeded():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    folds = kfold_indices(y, 5, seed=0, stratify=True)
    for _, te in folds:
        assert np.bincount(y[te], minlength=3).tolist() == [10, 6, 4]
    again = kfold_indices(y, 5, seed=0, stratify=True)
    other = kfold_indices(y, 5, seed=1, stratify=True)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(folds, other))


def test_bad_k():
    with pytest.raises(DataError, match="k >= 2"):
        kfold_indices(np.zeros(10), 1)
    with pytest.raises(DataError, match="needs at least 20 samples; the data has 10"):
        kfold_indices(np.zeros(10), 20)


def iris_design(validation_split=0.0, epochs=8):
    g = Graph()
    g.add_node("Input", {"shape": [4]}, node_id="x")
    g.add_node("Dense", {"units": 8}, node_id="h")
    g.add_node("Tanh", node_id="t")
    g.add_node("Dense", {"units": 3}, node_id="out")
    g.add_node("Softmax", node_id="p")
    for a, b in (("x", "h"), ("h", "t"), ("t", "out"), ("out", "p")):
        g.connect(a, b)
    training = validate_training({"loss": {"name": "sparse_categorical_crossentropy", "params": {}},
                                  "optimizer": {"name": "adam", "params": {"learning_rate": 0.05}},
                                  "batch_size": 16, "epochs": epochs, "metrics": ["accuracy"], "seed": 3})
    return Design(g, training, validate_data({"name": "iris", "validation_split": validation_split}))


def test_kfold_equals_a_hand_run_of_the_same_folds():
    design = iris_design()
    res = kfold(design, k=3, seed=4)

    ds = load_dataset("iris")
    hand = []
    for tr, te in kfold_indices(ds.y, 3, seed=4, stratify=True):
        scaler = Scaler("standard").fit(ds.X[tr])
        data = PreparedData(scaler.transform(ds.X[tr]), ds.y[tr].reshape(-1, 1).astype(float), None, None,
                            scaler.transform(ds.X[te]), ds.y[te].reshape(-1, 1).astype(float),
                            scaler=scaler, task="multiclass", n_classes=3, name="iris")
        m = Model(design, data)
        m.fit(collect_stats=False)
        hand.append(m.evaluate("test", ["accuracy"]))

    assert len(res.per_fold) == 3
    for row, logs in zip(res.per_fold, hand):
        assert {k: row[k] for k in logs} == logs                        # exactly equal
        assert row["n_train"] + row["n_test"] == 150 and row["epochs"] == 8
    for key in ("loss", "accuracy"):
        vals = [h[key] for h in hand]
        assert res.mean[key] == np.mean(vals) and res.std[key] == np.std(vals)
    assert res.mean["accuracy"] > 0.8
    assert "mean ± std" in res.table()


def test_validation_part_comes_out_of_the_training_folds_and_scaler_fits_on_train_only():
    ds = load_dataset("iris")
    tr, te = kfold_indices(ds.y, 5, seed=0, stratify=True)[0]
    data = fold_data(ds, tr, te, scaling="minmax", val=0.2, seed=0)
    assert len(data.X_train) + len(data.X_val) == len(tr) and len(data.X_test) == len(te)
    assert data.X_train.min() == 0.0 and data.X_train.max() == 1.0        # fitted on this part only
    assert np.bincount(data.y_val[:, 0].astype(int)).tolist() == [8, 8, 8]


def test_cli_kfold(tmp_path, capsys):
    path = tmp_path / "iris.json"
    save_design(iris_design(validation_split=0.1, epochs=2), path)
    assert cli_main(["kfold", str(path), "--k", "3", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("fold ") == 3 and "fold 3/3" in out
    assert "mean ± std  loss" in out and "accuracy" in out
