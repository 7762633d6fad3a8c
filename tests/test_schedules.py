"""core.schedules: Keras formulas by hand, plateau step by step, registry, LR range test."""
import inspect
import math

import numpy as np
import pytest

from core import schedules as S
from core.errors import TrainingError


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize("step", [0, 1, 99, 100, 101, 250, 1000])
def test_exponential_decay_keras_formula(step, staircase):
    sched = S.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=staircase)
    p = step // 100 if staircase else step / 100
    assert sched(step) == pytest.approx(0.1 * 0.5 ** p, rel=1e-12)


def test_exponential_decay_values():
    sched = S.ExponentialDecay(1.0, 10, 0.1)
    assert [sched(s) for s in (0, 5, 10, 20)] == pytest.approx([1.0, 10 ** -0.5, 0.1, 0.01])
    assert S.ExponentialDecay(1.0, 10, 0.1, staircase=True)(19) == pytest.approx(0.1)


def _keras_cosine(step, lr, decay_steps, alpha):
    s = min(step, decay_steps)
    return lr * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
@pytest.mark.parametrize("step", [0, 1, 50, 99, 100, 150])
def test_cosine_decay_keras_formula(step, alpha):
    sched = S.CosineDecay(0.2, decay_steps=100, alpha=alpha)
    assert sched(step) == pytest.approx(_keras_cosine(step, 0.2, 100, alpha), rel=1e-12)
    assert S.CosineDecay(0.2, 100, alpha)(50) == pytest.approx(0.2 * (0.5 * (1 - alpha) + alpha))


def test_cosine_decay_warmup():
    sched = S.CosineDecay(0.2, decay_steps=100, warmup_steps=10)
    # Keras CosineDecay(initial_learning_rate=0, warmup_target=0.2, warmup_steps=10)
    assert [sched(s) for s in (0, 5, 10)] == pytest.approx([0.0, 0.1, 0.2])
    assert sched(60) == pytest.approx(_keras_cosine(50, 0.2, 100, 0.0))
    assert sched(10_000) == pytest.approx(0.0)


def test_step_decay_and_constant():
    sched = S.StepDecay(1.0, step_size=3, gamma=0.5)
    assert [sched(s) for s in range(7)] == pytest.approx([1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    assert S.Constant(0.3)(12345) == 0.3


def test_plateau_step_by_step():
    sched = S.ReduceOnPlateau(1.0, factor=0.5, patience=2, min_delta=0.0, cooldown=2, min_lr=0.2)
    trace = []
    for value in [1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]:
        reduced = sched.on_epoch_end(value)
        trace.append((reduced, sched(0), sched.wait, sched.cooldown_counter))
    # (reduced, lr, wait, cooldown_counter) after each epoch, traced by hand through Keras' code
    expected = [
        (False, 1.0, 0, 0), (False, 1.0, 0, 0),   # improvements
        (False, 1.0, 1, 0), (True, 0.5, 0, 2),    # 2 epochs without improvement → halve, cooldown 2
        (False, 0.5, 0, 1),                       # in cooldown: wait is not counted
        (False, 0.5, 1, 0),                       # cooldown ends and counting resumes the same epoch
        (True, 0.25, 0, 2),                       # equal is no improvement (min_delta=0)
        (False, 0.25, 0, 1),                      # improvement during cooldown sets best
        (False, 0.25, 1, 0), (True, 0.2, 0, 2),   # 0.125 clipped at min_lr
        (False, 0.2, 0, 1), (False, 0.2, 1, 0),
        (False, 0.2, 2, 0), (False, 0.2, 3, 0), (False, 0.2, 4, 0),  # at min_lr: no more reductions
    ]
    assert trace == [(r, pytest.approx(lr), w, c) for r, lr, w, c in expected]


def test_plateau_cooldown_one_is_keras_quirk():
    # Keras decrements the cooldown before counting, so cooldown=1 skips no epoch at all.
    a = S.ReduceOnPlateau(1.0, factor=0.5, patience=1, cooldown=1)
    b = S.ReduceOnPlateau(1.0, factor=0.5, patience=1, cooldown=0)
    assert [a.on_epoch_end(v) for v in (1, 1, 1, 1)] == [b.on_epoch_end(v) for v in (1, 1, 1, 1)]


def test_plateau_max_mode_min_delta_and_reset():
    sched = S.ReduceOnPlateau(0.1, factor=0.1, patience=1, min_delta=0.05, mode="max")
    assert not sched.on_epoch_end(0.5)
    assert sched.on_epoch_end(0.52)         # +0.02 < min_delta: not an improvement
    assert sched(7) == pytest.approx(0.01)
    assert not sched.on_epoch_end(0.6)      # +0.08: improvement
    assert sched.on_epoch_end(float("nan"))  # NaN never improves
    sched.reset()
    assert sched(0) == 0.1 and sched.wait == 0 and sched.best == -math.inf


@pytest.mark.parametrize("name", list(S.SCHEDULES))
def test_registry_defaults_config_round_trip(name):
    cls = S.SCHEDULES[name]
    defaults = {p.name: p.default for p in cls.params}
    sig = {k: v.default for k, v in inspect.signature(cls.__init__).parameters.items() if k != "self"}
    assert sig == defaults   # the Params are the one source of defaults
    sched = S.make_schedule(name, {})
    assert sched.get_config() == defaults
    clone = cls.from_config(sched.get_config())
    assert [clone(s) for s in (0, 10, 5000)] == [sched(s) for s in (0, 10, 5000)]
    assert S.make_schedule(name, {}, learning_rate=0.5)(0) == 0.5
    assert S.make_schedule(name, {"lr": 0.25})(0) == 0.25


def test_make_schedule_errors_name_the_parameter():
    with pytest.raises(TrainingError, match="decay_steps"):
        S.make_schedule("exponential", {"decay_steps": 0})
    with pytest.raises(TrainingError, match="no parameter 'gama'"):
        S.make_schedule("step", {"gama": 0.5})
    with pytest.raises(TrainingError, match="Could not interpret schedule identifier: 'linear'"):
        S.make_schedule("linear", {})
    with pytest.raises(TrainingError, match="mode"):
        S.ReduceOnPlateau(mode="auto")
    with pytest.raises(KeyError, match="Could not interpret"):
        S.SCHEDULES["nope"]


def test_get_identifier():
    assert isinstance(S.get(0.1), S.Constant) and S.get(0.1)(3) == 0.1
    sched = S.get({"name": "step", "params": {"step_size": 2}})
    assert S.get(sched) is sched and sched.step_size == 2
    with pytest.raises(TrainingError):
        S.get([1, 2])


def test_lr_range_schedule():
    lrs = S.lr_range_schedule(1e-5, 1.0, 6)
    np.testing.assert_allclose(lrs, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    with pytest.raises(TrainingError):
        S.lr_range_schedule(1.0, 0.1, 10)
    with pytest.raises(TrainingError):
        S.lr_range_schedule(1e-3, 1.0, 1)


def test_suggest_lr_on_u_shaped_curve():
    lrs = S.lr_range_schedule(1e-6, 10.0, 1000)
    x = np.log10(lrs)
    loss = 2.0 - 1.5 / (1 + ((x + 2.0) / 1.5) ** 2)   # U in log(lr) with flat shoulders, minimum at 1e-2
    loss = loss + np.random.default_rng(0).normal(0, 0.01, lrs.size)
    lr = S.suggest_lr(lrs, loss)
    # raw steepest descent at log10 lr = -2 - 1.5/sqrt(3) = -2.87; smoothing lags ~49 points (0.34 decade)
    assert 1e-4 < lr < 1e-2   # on the descending side, well away from both ends


def test_suggest_lr_finder_shape_ignores_divergence():
    lrs = S.lr_range_schedule(1e-7, 10.0, 800)
    x = np.log10(lrs)
    loss = 2.0 - 1.5 / (1 + np.exp(-3 * (x + 3)))  # plateau, drop around 1e-3, plateau
    loss = np.where(x > -1, 0.5 * 10 ** (2 * (x + 1)), loss)  # explodes above 0.1
    lr = S.suggest_lr(lrs, loss)
    assert 1e-4 < lr < 1e-2
    loss[-50:] = np.nan
    assert S.suggest_lr(lrs, loss) == lr
    with pytest.raises(TrainingError):
        S.suggest_lr(lrs[:2], loss[:2])
