"""Per-layer statistics on a training-progress clock (issue 12): every run, short or long, gets
about 100-200 LayerStats samples evenly spread over its steps — a run of a second or less
included (the wall-clock rate limit gave the spirals example 2 samples and vanishing_sigmoid 1)."""
from pathlib import Path

import numpy as np
import pytest

import core.trainer as trainer_mod
from core.designfile import Design, load_design
from core.events import LayerStats, TrainBegin
from core.graph import Graph
from core.model import Model
from core.settings import validate_data, validate_training

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"


def _xor(epochs):
    g = Graph()
    prev = g.add_node("Input", {"shape": [2]}).id
    for node, params in (("Dense", {"units": 4}), ("Tanh", {}), ("Dense", {"units": 1})):
        nid = g.add_node(node, params).id
        g.connect(prev, nid)
        prev = nid
    t = validate_training(dict(loss={"name": "binary_crossentropy", "params": {"from_logits": True}},
                               optimizer={"name": "adam", "params": {"learning_rate": 0.05}},
                               batch_size=8, epochs=epochs, seed=1))
    return Design(g, t, validate_data({"name": "xor", "validation_split": 0.0, "params": {"n": 200}}))


def _samples(model):
    evs = list(model.trainer().run())
    begin = next(ev for ev in evs if isinstance(ev, TrainBegin))
    return [ev.step for ev in evs if isinstance(ev, LayerStats)], begin.epochs * begin.steps_per_epoch, evs


def _assert_spread(steps, planned, step0=0):
    """At least 50 samples (at most 200), on one evenly spaced grid that covers the whole run."""
    assert 50 <= len(steps) <= 200, (len(steps), planned)
    gaps = np.diff([step0] + steps)
    assert gaps.min() > 0 and gaps.max() <= 2 * gaps.min()     # even (a budget doubling at most)
    assert steps[0] - step0 <= 0.05 * planned and steps[-1] - step0 >= 0.95 * planned


def test_a_short_run_gets_a_full_history():
    """XOR, 200 epochs of 25 batches: a run of well under a second on the engine."""
    steps, planned, _ = _samples(Model.from_design(_xor(200)))
    assert planned == 5000
    _assert_spread(steps, planned)
    assert steps == list(range(50, 5001, 50))      # every planned/100 steps: 100 samples


@pytest.mark.parametrize("name", ["spirals_batchnorm", "vanishing_sigmoid"])
def test_the_examples_show_their_history_at_default_settings(name):
    model = Model.from_design(load_design(EXAMPLES / f"{name}.json"))
    steps, planned, evs = _samples(model)
    assert evs[-1].reason == "completed"
    _assert_spread(steps, planned)
    last = next(ev for ev in reversed(evs) if isinstance(ev, LayerStats))
    dense = [s for s in last.layers if s.kind == "weights"]
    assert dense and all(np.isfinite(s.grad_norm) for s in dense)


def test_continued_training_counts_from_its_own_start():
    model = Model.from_design(_xor(4))
    model.fit(collect_stats=False)
    step0 = int(model.executor.step[0])
    steps, planned, _ = _samples(model)
    assert step0 == planned == 100
    _assert_spread(steps, planned, step0)
    assert steps == list(range(step0 + 1, step0 + 101))


def test_statistics_too_dear_for_the_run_are_thinned_on_the_same_grid(monkeypatch):
    """The clock doubles its spacing when the samples would cost more than the budget of the
    run's projected time and 50 ms in all (a fake clock: each step 'takes' 1 ms, each sample 10 ms)."""
    now = [0.0]
    monkeypatch.setattr(trainer_mod.time, "thread_time", lambda: now[0])
    clock = trainer_mod._StatsClock(planned_steps=1000, samples=100, budget=0.03, step0=0)
    assert clock.every == 10
    taken = []
    step = 0
    while step < 1000:
        step += clock.until_next(step)
        now[0] += 0.001 * (step - (taken[-1] if taken else 0))
        if clock.due(step):
            taken.append(step)
            clock.spent(0.010, step)
    assert all(s % 10 == 0 for s in taken)                 # every sample on the original grid
    assert clock.every > 10 and 1000 // clock.every * 0.010 <= max(0.03 * 1.0, 0.05) + 1e-9
    assert len(taken) < 100


def test_cheap_statistics_are_never_thinned(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(trainer_mod.time, "thread_time", lambda: now[0])
    clock = trainer_mod._StatsClock(planned_steps=1000, samples=100, budget=0.03, step0=0)
    for step in range(10, 1001, 10):
        now[0] += 0.0001
        assert clock.due(step) and clock.until_next(step - 1) == 1
        clock.spent(0.0004, step)        # 0.4 ms each: 40 ms in all, 40% of the run but under 50 ms
    assert clock.every == 10
