"""core.sequence_data: digits as images, the sine forecasting windows and the recall-first task,
their sample shapes, and how they go through `prepare` (per-channel scaling)."""
import numpy as np
import pytest

from core import data as D
from core.errors import DataError

SHAPED = ["digits_images", "sine_forecast", "recall_first"]


def test_registered_with_their_parameters():
    for name in SHAPED:
        assert name in D.DATASETS and name in D.DATASET_PARAMS
    assert [p.name for p in D.DATASET_PARAMS["recall_first"]] == ["n", "length", "symbols", "noise"]
    assert [p.name for p in D.DATASET_PARAMS["sine_forecast"]] == ["n", "length", "noise"]
    assert D.DATASET_PARAMS["digits_images"] == []


@pytest.mark.parametrize("name,params,shape,task", [
    ("digits_images", {}, (8, 8, 1), "multiclass"),
    ("sine_forecast", {"n": 30, "length": 7}, (7, 1), "regression"),
    ("recall_first", {"n": 30, "length": 9, "symbols": 3}, (9, 4), "multiclass"),
])
def test_shapes_and_feature_names(name, params, shape, task):
    ds = D.load_dataset(name, **params)
    width = int(np.prod(shape))
    assert ds.sample_shape == shape and ds.input_shape == shape and ds.task == task and ds.name == name
    assert ds.X.ndim == 2 and ds.X.shape[1] == width and ds.X.dtype == np.float64
    assert len(ds.feature_names) == width
    if name == "digits_images":
        assert ds.feature_names[:2] == ["pixel 0,0", "pixel 0,1"] and ds.feature_names[-1] == "pixel 7,7"
    else:   # time-major: all features of step 0 first
        T, F = shape
        assert ds.feature_names[F] == "t1 f0" and ds.feature_names[-1] == f"t{T - 1} f{F - 1}"


def test_flat_data_sets_have_no_sample_shape():
    ds = D.load_dataset("xor", n=8)
    assert ds.sample_shape is None and ds.input_shape == (2,)


def test_sample_shape_must_match_the_row_width():
    with pytest.raises(DataError, match=r"'mine'.*sample_shape.*6 features"):
        D.Dataset(np.zeros((3, 6)), np.zeros(3), "multiclass", list("abcdef"), name="mine", sample_shape=(4, 2))
    with pytest.raises(DataError, match="sample_shape"):
        D.Dataset(np.zeros((3, 6)), np.zeros(3), "multiclass", list("abcdef"), name="mine", sample_shape=(6, 0))
    ok = D.Dataset(np.zeros((3, 6)), np.zeros(3), "multiclass", list("abcdef"), name="mine", sample_shape=[3, 2])
    assert ok.sample_shape == (3, 2)


def test_digits_images_are_sklearns_digits():
    from sklearn.datasets import load_digits
    ref = load_digits()
    ds = D.load_dataset("digits_images", seed=5)
    np.testing.assert_array_equal(ds.X.reshape(-1, 8, 8, 1)[..., 0], ref.images)   # row-major, channels-last
    np.testing.assert_array_equal(ds.y, ref.target)
    np.testing.assert_array_equal(ds.X, D.load_dataset("digits").X)                # same pixels as the flat set
    assert ds.class_names == [str(c) for c in range(10)]


@pytest.mark.parametrize("name,params", [("sine_forecast", {"n": 40}), ("recall_first", {"n": 40})])
def test_deterministic_per_seed(name, params):
    a, b, c = (D.load_dataset(name, seed=s, **params) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("n,symbols", [(4, 2), (7, 3), (101, 4), (250, 8)])
def test_recall_classes_are_balanced(n, symbols):
    ds = D.load_dataset("recall_first", n=n, symbols=symbols, length=3)
    counts = np.bincount(ds.y, minlength=symbols)
    assert ds.y.shape == (n,) and ds.n_classes == symbols and len(ds.class_names) == symbols
    assert counts.sum() == n and counts.max() - counts.min() <= 1


def test_recall_label_is_the_first_steps_symbol():
    T, K, n = 12, 5, 300
    ds = D.load_dataset("recall_first", n=n, length=T, symbols=K, noise=0.7, seed=2)
    seq = ds.X.reshape(n, T, K + 1)
    first = seq[:, 0, :K]
    # step 0 is a clean one-hot of the label, flagged by the cue channel
    np.testing.assert_array_equal(first, np.eye(K)[ds.y])
    np.testing.assert_array_equal(seq[:, :, K], np.tile(np.r_[1.0, np.zeros(T - 1)], (n, 1)))
    # later steps: noise of the given std that says nothing about the label
    later = seq[:, 1:, :K]
    assert abs(later.std() - 0.7) < 0.03 and abs(later.mean()) < 0.03
    assert np.mean(later[:, -1].argmax(axis=1) == ds.y) < 0.35          # the last step is no shortcut


def test_sine_forecast_target_is_the_next_value_of_the_two_sines():
    """Independent of the phases: s(t) = sin(2πt/12 + φ₁) + ½ sin(2πt/31 + φ₂) satisfies the linear
    recurrence whose characteristic roots are e^{±iω₁}, e^{±iω₂}; the target continues it."""
    T = 10
    ds = D.load_dataset("sine_forecast", n=50, length=T, noise=0.0, seed=1)
    a = np.real(np.poly(np.exp(1j * np.array([1, -1, 1, -1]) * 2 * np.pi / np.array([12, 12, 31, 31]))))
    window, target = ds.X, ds.y[:, 0]
    predicted = -(a[1] * window[:, -1] + a[2] * window[:, -2] + a[3] * window[:, -3] + a[4] * window[:, -4])
    np.testing.assert_allclose(target, predicted, atol=1e-9)
    assert ds.y.shape == (50, 1) and np.abs(window).max() <= 1.5
    noisy = D.load_dataset("sine_forecast", n=50, length=T, noise=0.2, seed=1)
    np.testing.assert_array_equal(noisy.y, ds.y)                     # the target stays noise-free
    assert abs((noisy.X - ds.X).std() - 0.2) < 0.03


@pytest.mark.parametrize("name,params,param", [
    ("recall_first", {"length": 0}, "length"),
    ("recall_first", {"symbols": 1}, "symbols"),
    ("recall_first", {"noise": -1.0}, "noise"),
    ("recall_first", {"n": 2.5}, "n"),
    ("sine_forecast", {"length": 5000}, "length"),
    ("sine_forecast", {"noise": "high"}, "noise"),
    ("recall_first", {"steps": 4}, "steps"),
])
def test_parameter_errors_name_the_data_set_and_the_parameter(name, params, param):
    with pytest.raises(DataError) as e:
        D.load_dataset(name, **params)
    assert repr(name) in str(e.value) and param in str(e.value)


def test_too_many_values_are_refused_before_allocating():
    with pytest.raises(DataError, match=r"'recall_first'.*n=1000000.*length=1000"):
        D.load_dataset("recall_first", n=1_000_000, length=1000)


@pytest.mark.parametrize("name,params", [("digits_images", {}), ("sine_forecast", {"n": 100}),
                                         ("recall_first", {"n": 100, "length": 6, "symbols": 3})])
def test_prepare_splits_and_scales_per_channel(name, params):
    ds = D.load_dataset(name, seed=1, **params)
    p = D.prepare(ds, val=0.2, test=0.2, scaling="standard", seed=1)
    n = len(ds.X)
    assert len(p.X_train) + len(p.X_val) + len(p.X_test) == n and len(p.X_test) == round(0.2 * n)
    assert p.sample_shape == ds.sample_shape and p.X_train.shape[1] == ds.X.shape[1]
    C = ds.sample_shape[-1]
    positions = p.X_train.reshape(-1, C)                  # every position of every training sample
    np.testing.assert_allclose(positions.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(positions.std(axis=0), 1.0, atol=1e-9)
    # one offset and one scale per channel, repeated over the positions
    np.testing.assert_array_equal(p.scaler.offset.reshape(-1, C), np.tile(p.scaler.offset[:C], (ds.X.shape[1] // C, 1)))
    assert p.task == ds.task and np.all(np.isfinite(p.X_test))


def test_per_channel_scaling_keeps_the_recall_cue():
    """Column by column, the cue at step 0 (always 1) would be a constant column and scale to 0;
    per channel it stays the one step that stands out."""
    ds = D.load_dataset("recall_first", n=200, length=8, symbols=4, seed=0)
    p = D.prepare(ds, val=0.0, test=0.2, seed=0)
    cue = p.X_train.reshape(len(p.X_train), 8, 5)[:, :, 4]
    assert np.all(cue[:, 0] > 2.0) and np.all(cue[:, 1:] < 0.0)
    column_wise = D.Scaler("standard").fit(ds.X).transform(ds.X).reshape(-1, 8, 5)[:, 0, 4]
    np.testing.assert_array_equal(column_wise, 0.0)


def test_per_channel_minmax_and_round_trip():
    X = np.arange(24, dtype=float).reshape(2, 12)          # 2 samples of (3, 2, 2)
    s = D.Scaler("minmax").fit(X, (3, 2, 2))
    channel0 = X.reshape(-1, 2)[:, 0]
    np.testing.assert_allclose(s.offset[::2], channel0.min())
    np.testing.assert_allclose(s.scale[::2], channel0.max() - channel0.min())
    back = D.Scaler.from_dict(s.to_dict())
    np.testing.assert_allclose(back.transform(X), s.transform(X))
    with pytest.raises(DataError, match="shape"):
        D.Scaler().fit(np.zeros((2, 5)), (2, 2))


def test_kfold_folds_scale_per_channel_too():
    from core.kfold import fold_data
    ds = D.load_dataset("recall_first", n=100, length=6, symbols=3, seed=0)
    fold = fold_data(ds, np.arange(80), np.arange(80, 100))
    assert fold.sample_shape == (6, 4)
    cue = fold.X_train.reshape(80, 6, 4)[:, :, 3]
    assert np.all(cue[:, 0] > 1.5) and np.all(cue[:, 1:] < 0.0)
