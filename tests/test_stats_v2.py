"""The trainer's image and sequence pictures for the dashboard (core/stats.py, core/trainer.py):
FeatureMaps of every Conv2D layer at each epoch end and on request, TimeGradients of every
recurrent layer once per epoch on the same batch. Expected values are derived independently: the
convolution written out in NumPy, the gradients through time by a step-by-step PyTorch loop."""
from __future__ import annotations

import pickle

import numpy as np
import torch

from core.designfile import Design
from core.events import EpochEnd, FeatureMaps, TimeGradients
from core.kernels.recurrent import keras_to_torch_lstm
from core.model import Model
from core.settings import validate_data, validate_training
from tests.helpers import sequential


def conv_model(epochs=2):
    g = sequential((8, 8, 1), ("Conv2D", {"filters": 3, "kernel_size": 3}), "ReLU", "Flatten",
                   ("Dense", {"units": 10}), "Softmax")
    t = validate_training({"epochs": epochs, "batch_size": 64,
                           "loss": {"name": "sparse_categorical_crossentropy", "params": {}}})
    return Model.from_design(Design(g, t, validate_data({"name": "digits_images", "params": {}})))


def numpy_conv_valid(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Keras Conv2D, padding 'valid', stride 1: out[y, x, f] = Σ k[dy, dx, c, f]·x[y+dy, x+dx, c] + b[f]."""
    kh, kw, _, f = kernel.shape
    oh, ow = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    out = np.zeros((oh, ow, f))
    for y in range(oh):
        for xx in range(ow):
            out[y, xx] = np.einsum("ijc,ijcf->f", x[y:y + kh, xx:xx + kw].astype(np.float64), kernel) + bias
    return out


def test_feature_maps_each_epoch_are_the_validation_sample_through_the_layer_and_its_kernel():
    m = conv_model()
    w0 = m.executor.get_weights()["conv2d1/kernel"].copy()
    events = list(m.trainer().run())
    maps = [ev for ev in events if isinstance(ev, FeatureMaps)]
    ends = [i for i, ev in enumerate(events) if isinstance(ev, EpochEnd)]
    assert len(maps) == 2 and all(events[i - 1] is maps[k] for k, i in enumerate(ends))    # just before EpochEnd
    last = maps[-1]
    assert last.layer_ids == ["conv2d1"] and last.sample_index == 0
    w = m.executor.get_weights()
    kernel, bias = w["conv2d1/kernel"], w["conv2d1/bias"]
    assert last.filters["conv2d1"].shape == (3, 3, 1, 3)
    np.testing.assert_array_equal(last.filters["conv2d1"], kernel)
    assert not np.allclose(maps[0].filters["conv2d1"], w0)     # a copy of the weights of that epoch
    x = m.data.X_val[0].reshape(8, 8, 1)
    want = numpy_conv_valid(x, kernel.astype(np.float64), bias.astype(np.float64))
    assert last.activations["conv2d1"].shape == (6, 6, 3)
    np.testing.assert_allclose(last.activations["conv2d1"], want, rtol=1e-5, atol=1e-5)
    back = pickle.loads(pickle.dumps(last))          # process mode pickles events across the pipe
    np.testing.assert_array_equal(back.activations["conv2d1"], last.activations["conv2d1"])


def test_a_requested_sample_comes_at_once_and_later_epoch_ends_show_it():
    m = conv_model()
    w = m.executor.get_weights()
    kernel, bias = w["conv2d1/kernel"].copy(), w["conv2d1/bias"].copy()
    trainer = m.trainer()
    trainer.request_feature_maps(3)
    trainer.request_feature_maps(10**6)          # no such sample: nothing sent, nothing broken
    events = list(trainer.run())
    maps = [(i, ev) for i, ev in enumerate(events) if isinstance(ev, FeatureMaps)]
    first_end = next(i for i, ev in enumerate(events) if isinstance(ev, EpochEnd))
    assert [ev.sample_index for _, ev in maps] == [3, 3, 3]
    i0, served = maps[0]
    assert i0 < first_end - 1                    # before the first batch, not with the epoch end
    want = numpy_conv_valid(m.data.X_val[3].reshape(8, 8, 1), kernel.astype(np.float64), bias.astype(np.float64))
    np.testing.assert_allclose(served.activations["conv2d1"], want, rtol=1e-5, atol=1e-5)


def test_no_pictures_without_statistics_or_without_such_layers():
    events = list(conv_model(epochs=1).trainer(collect_stats=False).run())
    assert not [ev for ev in events if isinstance(ev, (FeatureMaps, TimeGradients))]
    g = sequential((2,), ("Dense", {"units": 4}), "Tanh", ("Dense", {"units": 1}))
    mlp = Model.from_design(Design(g, validate_training({"epochs": 1}), validate_data({})))
    assert not [ev for ev in mlp.trainer().run() if isinstance(ev, (FeatureMaps, TimeGradients))]


def test_time_gradients_each_epoch_equal_a_torch_loop_on_the_first_batch():
    T, F, h, bs = 9, 4, 5, 16
    g = sequential((T, F), ("LSTM", {"units": h}), ("Dense", {"units": 3}))
    t = validate_training({"epochs": 2, "batch_size": bs, "loss": {"name": "mse", "params": {}}})
    d = validate_data({"name": "recall_first", "params": {"n": 80, "length": T, "symbols": 3}})
    m = Model.from_design(Design(g, t, d))
    events = list(m.trainer().run())
    tgs = [ev for ev in events if isinstance(ev, TimeGradients)]
    assert [ev.epoch for ev in tgs] == [0, 1] and list(tgs[-1].per_layer) == ["lstm1"]
    got = tgs[-1].per_layer["lstm1"]
    assert got.shape == (T,)

    w = {k: v.astype(np.float64) for k, v in m.executor.get_weights().items()}
    cell = torch.nn.LSTMCell(F, h).double()
    with torch.no_grad():
        for p, v in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh),
                        keras_to_torch_lstm(w["lstm1/kernel"], w["lstm1/recurrent_kernel"], w["lstm1/bias"])):
            p.copy_(torch.from_numpy(np.ascontiguousarray(v)))
    X = torch.from_numpy(m.data.X_train[:bs].astype(np.float64)).reshape(bs, T, F)
    Y = torch.from_numpy(np.eye(3)[m.data.y_train[:bs].reshape(-1).astype(int)])
    state, c, hs = torch.zeros(bs, h, dtype=torch.float64), torch.zeros(bs, h, dtype=torch.float64), []
    for step in range(T):
        state, c = cell(X[:, step], (state, c))
        state.retain_grad()
        hs.append(state)
    out = hs[-1] @ torch.from_numpy(w["dense1/kernel"]) + torch.from_numpy(w["dense1/bias"])
    torch.nn.functional.mse_loss(out, Y).backward()
    want = np.array([hs[s].grad.norm(dim=1).mean().item() for s in range(T)])
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=1e-7)
    assert got[0] < got[-1]                      # the signal fades towards the first step


def test_pictures_over_the_statistics_budget_keep_the_first_and_last_epoch(monkeypatch):
    import core.trainer as trainer_module
    monkeypatch.setattr(trainer_module, "STATS_FREE_SECONDS", 0.0)
    m = conv_model(epochs=4)
    events = list(m.trainer(stats_budget=0.0).run())      # no budget: any cost is too much
    ends = [ev.epoch for ev in events if isinstance(ev, EpochEnd)]
    shown = [events[i + 1].epoch for i, ev in enumerate(events) if isinstance(ev, FeatureMaps)]
    assert ends == [0, 1, 2, 3] and shown == [0, 3]
    # No limit: a picture every epoch. (The default budget is a share of measured CPU time, so how
    # many epochs it keeps depends on the machine: CI's cold, loaded run kept 3 of 4.)
    everything = list(conv_model(epochs=4).trainer(stats_budget=float("inf")).run())
    assert len([ev for ev in everything if isinstance(ev, FeatureMaps)]) == 4
