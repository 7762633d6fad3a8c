"""Weights files: npz + JSON metadata, no pickle ever, misfits refused with names and shapes,
and predictions that survive a save/load (and a checkpoint) bit for bit."""
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from core.callbacks import Callback
from core.designfile import Design
from core.errors import WeightsError
from core.executor import Executor
from core.graph import Graph
from core.model import Model
from core.plan import compile_plan
from core.settings import validate_data, validate_training
from core.weights import META_KEY, load_weights, save_weights


def small_design(*, epochs=3, **training) -> Design:
    """Input(2) → Dense(6) → BatchNorm → Tanh → Dense(1) on XOR: BatchNorm makes sure the
    non-trainable moving statistics travel with the weights too."""
    g = Graph()
    g.add_node("Input", {"shape": [2]}, node_id="x")
    g.add_node("Dense", {"units": 6}, node_id="hidden")
    g.add_node("BatchNorm", {"momentum": 0.5}, node_id="bn")
    g.add_node("Tanh", node_id="act")
    g.add_node("Dense", {"units": 1}, node_id="out")
    for s, t in [("x", "hidden"), ("hidden", "bn"), ("bn", "act"), ("act", "out")]:
        g.connect(s, t)
    t = dict(loss={"name": "binary_crossentropy", "params": {"from_logits": True}},
             optimizer={"name": "adam", "params": {"learning_rate": 0.05}},
             batch_size=16, epochs=epochs, seed=2, metrics=["accuracy"])
    t.update(training)
    return Design(g, validate_training(t),
                  validate_data({"name": "xor", "params": {"n": 96, "noise": 0.3}, "validation_split": 0.25}))


RAW = np.array([[0.5, 0.5], [-0.7, 0.4], [0.2, -0.9], [-0.3, -0.3], [1.5, -2.0]])


# ---- the file format ----------------------------------------------------------------------------

def test_round_trip_with_metadata(tmp_path):
    rng = np.random.default_rng(0)
    weights = {"dense1/kernel": rng.standard_normal((3, 4)).astype(np.float32),
               "dense1/bias": rng.standard_normal(4).astype(np.float32),
               "bn/moving_mean": rng.standard_normal(4)}           # float64 stays float64
    meta = {"design_hash": "abc123", "dtype": "float32", "epoch": 7,
            "metrics": {"loss": 0.25, "val_accuracy": 0.875}, "note": "ünïcode"}
    p = tmp_path / "w.npz"
    save_weights(p, weights, meta)
    loaded, loaded_meta = load_weights(p)
    assert sorted(loaded) == sorted(weights)
    for k, v in weights.items():
        assert loaded[k].dtype == v.dtype and loaded[k].shape == v.shape
        np.testing.assert_array_equal(loaded[k], v)
    assert loaded_meta == {"format": "netdesigner-weights", "version": 1, **meta}


def test_file_is_a_plain_npz(tmp_path):
    p = tmp_path / "w.npz"
    save_weights(p, {"d/kernel": np.ones((2, 3), np.float32)}, {"epoch": 1})
    assert zipfile.is_zipfile(p)
    assert sorted(zipfile.ZipFile(p).namelist()) == sorted(["d/kernel.npy", f"{META_KEY}.npy"])
    with np.load(p, allow_pickle=False) as z:
        assert sorted(z.files) == sorted(["d/kernel", META_KEY])
        np.testing.assert_array_equal(z["d/kernel"], np.ones((2, 3)))
        assert z[META_KEY].dtype == np.uint8
        assert json.loads(z[META_KEY].tobytes())["epoch"] == 1
    assert sorted(os.listdir(tmp_path)) == ["w.npz"]   # written in place: no "w.npz.npz", no temp file


def test_metadata_key_is_reserved(tmp_path):
    with pytest.raises(WeightsError):
        save_weights(tmp_path / "w.npz", {META_KEY: np.zeros(1)})
    assert not (tmp_path / "w.npz").exists()


def test_object_array_is_refused_not_unpickled(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    p = tmp_path / "evil.npz"
    np.savez(p, **{"d/kernel": np.array([Payload()], dtype=object)})
    with pytest.raises(WeightsError) as err:
        load_weights(p)
    assert err.value.file == str(p)
    assert not marker.exists()


def test_a_pickle_renamed_to_npz_is_refused_not_unpickled(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    p = tmp_path / "evil.npz"
    p.write_bytes(pickle.dumps({"d/kernel": Payload()}))
    with pytest.raises(WeightsError):
        load_weights(p)
    assert not marker.exists()


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04 truncated"])
def test_unreadable_files(tmp_path, content):
    p = tmp_path / "w.npz"
    p.write_bytes(content)
    with pytest.raises(WeightsError) as err:
        load_weights(p)
    assert err.value.file == str(p)


def test_missing_file(tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        load_weights(tmp_path / "none.npz")


def _raw_npz(path, arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())


def test_integer_arrays_are_refused(tmp_path):
    p = tmp_path / "w.npz"
    _raw_npz(p, {"d/kernel": np.ones((2, 2), np.int64)})
    with pytest.raises(WeightsError, match="d/kernel"):
        load_weights(p)


@pytest.mark.parametrize("meta", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_bad_metadata_is_refused(tmp_path, meta):
    p = tmp_path / "w.npz"
    _raw_npz(p, {"d/kernel": np.ones(2), META_KEY: np.frombuffer(meta, np.uint8)})
    with pytest.raises(WeightsError, match="metadata"):
        load_weights(p)


def test_file_without_metadata_loads(tmp_path):
    p = tmp_path / "w.npz"
    _raw_npz(p, {"d/kernel": np.ones(2)})
    weights, meta = load_weights(p)
    assert list(weights) == ["d/kernel"] and meta == {}


# ---- fitting a design ---------------------------------------------------------------------------

def _executor():
    g = Graph()
    g.add_node("Input", {"shape": [4]}, node_id="x")
    g.add_node("Dense", {"units": 3}, node_id="d")
    g.add_node("BatchNorm", node_id="bn")
    g.connect("x", "d")
    g.connect("d", "bn")
    ex = Executor(compile_plan(g), 8, np.float64)
    ex.init_weights(0)
    return ex


def test_set_weights_lists_every_mismatch_with_names_and_shapes():
    ex = _executor()
    good = ex.get_weights()
    assert sorted(good) == ["bn/beta", "bn/gamma", "bn/moving_mean", "bn/moving_variance", "d/bias", "d/kernel"]
    bad = dict(good)
    del bad["d/bias"]
    bad["d/kernel"] = np.zeros((5, 3))
    bad["bn/moving_mean"] = np.zeros((3, 1))
    bad["ghost/kernel"] = np.zeros((2, 2))
    before = ex.params.copy()
    with pytest.raises(WeightsError) as err:
        ex.set_weights(bad)
    m = err.value.mismatches
    assert len(m) == 4, m
    assert any("d/bias" in s and "missing" in s and "(3,)" in s for s in m)
    assert any("d/kernel" in s and "(5, 3)" in s and "(4, 3)" in s for s in m)
    assert any("bn/moving_mean" in s and "(3, 1)" in s and "(3,)" in s for s in m)
    assert any("ghost/kernel" in s and "unexpected" in s and "(2, 2)" in s for s in m)
    for s in m:
        assert s in str(err.value)
    np.testing.assert_array_equal(ex.params, before)   # nothing copied from a refused file


def test_set_weights_copies_and_casts():
    ex = _executor()
    new = {k: np.full(v.shape, 0.5, np.float32) for k, v in ex.get_weights().items()}
    ex.set_weights(new)
    for k, v in ex.get_weights().items():
        assert v.dtype == np.float64
        np.testing.assert_array_equal(v, 0.5)


def test_set_weights_non_strict_allows_a_subset_but_not_wrong_shapes():
    ex = _executor()
    ex.set_weights({"d/bias": np.array([1.0, 2.0, 3.0]), "other/w": np.zeros(9)}, strict=False)
    np.testing.assert_array_equal(ex.view("d/bias"), [1.0, 2.0, 3.0])
    with pytest.raises(WeightsError, match="d/bias"):
        ex.set_weights({"d/bias": np.zeros(4)}, strict=False)


# ---- models ---------------------------------------------------------------------------------------

def test_model_save_load_gives_identical_predictions(tmp_path):
    trained = Model.from_design(small_design())
    trained.fit(collect_stats=False)
    expected = trained.predict(RAW)
    p = tmp_path / "w.npz"
    trained.save_weights(p)

    fresh = Model.from_design(small_design())
    assert not np.array_equal(fresh.predict(RAW), expected)   # the load below is what makes them equal
    meta = fresh.load_weights(p)
    np.testing.assert_array_equal(fresh.predict(RAW), expected)
    assert meta["design_hash"] == trained.design.structure_hash()
    assert meta["dtype"] == "float32" and meta["epoch"] == 3 == fresh.trained_epochs
    # the moving statistics came back too, not just the trainable weights
    np.testing.assert_array_equal(fresh.executor.view("bn/moving_variance"),
                                  trained.executor.view("bn/moving_variance"))


def test_scaler_travels_with_the_weights(tmp_path):
    trained = Model.from_design(small_design(epochs=1))
    trained.fit(collect_stats=False)
    p = tmp_path / "w.npz"
    trained.save_weights(p)
    bare = Model(small_design(epochs=1))     # no data loaded: the scaler must come from the file
    assert bare.scaler is None
    bare.load_weights(p)
    np.testing.assert_array_equal(bare.predict(RAW), trained.predict(RAW))


def test_model_refuses_weights_of_another_design(tmp_path):
    p = tmp_path / "w.npz"
    Model.from_design(small_design()).save_weights(p)
    other = small_design()
    other.graph.set_params("hidden", {"units": 5})
    m = Model.from_design(other)
    with pytest.raises(WeightsError) as err:
        m.load_weights(p)
    assert err.value.file == str(p)
    text = "\n".join(err.value.mismatches)
    assert "hidden/kernel" in text and "(2, 6)" in text and "(2, 5)" in text
    assert "bn/gamma" in text


class _Recorder(Callback):
    """Predictions on fixed inputs and the monitored value after every epoch."""

    def __init__(self, X):
        self.X = X
        self.predictions = []
        self.val_loss = []

    def on_epoch_end(self, trainer, epoch, logs):
        self.predictions.append(trainer.executor.predict(self.X).copy())
        self.val_loss.append(logs["val_loss"])


def test_checkpoint_holds_the_best_epoch(tmp_path):
    path = tmp_path / "best.npz"
    # a large SGD step makes val_loss go up and down, so the best epoch is not simply the last
    design = small_design(epochs=9, optimizer={"name": "sgd", "params": {"learning_rate": 1.5}},
                          checkpoint={"enabled": True, "path": str(path), "monitor": "val_loss"})
    model = Model.from_design(design)
    rec = _Recorder(model.data.X_val)
    end = model.fit(collect_stats=False, callbacks=[rec])
    assert end.epochs_run == 9 and len(rec.val_loss) == 9
    best = int(np.argmin(rec.val_loss))
    assert best < 8, rec.val_loss    # premise: the checkpoint is not just the final weights
    assert path.exists()

    fresh = Model.from_design(design)
    meta = fresh.load_weights(path)
    assert meta["epoch"] == best + 1
    assert meta["metrics"]["val_loss"] == rec.val_loss[best]
    np.testing.assert_array_equal(fresh.executor.predict(model.data.X_val), rec.predictions[best])
    assert not np.array_equal(fresh.executor.predict(model.data.X_val), model.executor.predict(model.data.X_val))
