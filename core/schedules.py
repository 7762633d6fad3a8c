"""Learning-rate schedules: ``schedule(step) -> lr`` where step counts optimizer updates done (0-based).

Each schedule declares its parameters once (`params`, a tuple of `Param`) — the source of
defaults, bounds and help text for the inspector — and round-trips through
``get_config()`` / ``from_config(config)`` (Keras ``learning_rate_schedule.py``).
`ReduceOnPlateau` is the one stateful schedule: the trainer calls ``on_epoch_end(value)``.

The module also holds the learning-rate range test helpers `lr_range_schedule` and `suggest_lr`.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import TrainingError
from .params import Param, ParamSet

_INITIAL_ALIASES = ("lr", "learning_rate", "initial_learning_rate", "initial", "initial_lr")


def _lr_param(name: str, default: float = 0.001) -> Param:
    return Param(name, "float", default, minimum=0.0, min_exclusive=True, maximum=100.0,
                 doc="Learning rate at step 0 (normally the optimizer's).")


class Schedule:
    """Base: validates the constructor's values against `params` and stores them as attributes."""

    name = ""
    initial_param = "initial_learning_rate"   # the parameter the optimizer's learning rate fills
    params: tuple[Param, ...] = ()

    def _store(self, **values: Any) -> None:
        try:
            resolved = ParamSet(self.params).resolve(values)
        except ValueError as e:
            _, message = e.args
            raise TrainingError(f"{type(self).__name__} {message}") from None
        for key, value in resolved.items():
            setattr(self, key, value)

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {p.name: getattr(self, p.name) for p in self.params}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Schedule":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """lr(step) = learning_rate."""

    name, initial_param = "constant", "learning_rate"
    params = (_lr_param("learning_rate"),)

    def __init__(self, learning_rate: float = 0.001):
        self._store(learning_rate=learning_rate)

    def __call__(self, step: int) -> float:
        return self.learning_rate


class ExponentialDecay(Schedule):
    """lr(step) = initial_learning_rate · decay_rate^(step / decay_steps) (Keras ``ExponentialDecay``).

    With `staircase` the exponent is floor(step / decay_steps): the rate drops in steps.
    """

    name = "exponential"
    params = (
        _lr_param("initial_learning_rate"),
        Param("decay_steps", "int", 1000, minimum=1, doc="Updates over which the rate is multiplied by decay_rate."),
        Param("decay_rate", "float", 0.96, minimum=0.0, min_exclusive=True, maximum=1.0,
              doc="Factor per decay_steps updates."),
        Param("staircase", "bool", False, doc="Drop in steps instead of continuously."),
    )

    def __init__(self, initial_learning_rate: float = 0.001, decay_steps: int = 1000,
                 decay_rate: float = 0.96, staircase: bool = False):
        self._store(initial_learning_rate=initial_learning_rate, decay_steps=decay_steps,
                    decay_rate=decay_rate, staircase=staircase)

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p


class StepDecay(Schedule):
    """lr(step) = initial_learning_rate · gamma^floor(step / step_size) (PyTorch ``StepLR``, in updates)."""

    name = "step"
    params = (
        _lr_param("initial_learning_rate"),
        Param("step_size", "int", 1000, minimum=1, doc="Updates between two drops."),
        Param("gamma", "float", 0.1, minimum=0.0, min_exclusive=True, maximum=1.0, doc="Factor of each drop."),
    )

    def __init__(self, initial_learning_rate: float = 0.001, step_size: int = 1000, gamma: float = 0.1):
        self._store(initial_learning_rate=initial_learning_rate, step_size=step_size, gamma=gamma)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.gamma ** (step // self.step_size)


class CosineDecay(Schedule):
    """Linear warm-up, then half a cosine from initial_learning_rate down to alpha · initial_learning_rate.

    For step < warmup_steps:  lr = initial_learning_rate · step / warmup_steps.
    After, with s = min(step − warmup_steps, decay_steps) (Keras ``CosineDecay``):
        lr = initial_learning_rate · ((1 − alpha) · ½(1 + cos(π · s / decay_steps)) + alpha)
    The warm-up is Keras' with initial_learning_rate=0 and warmup_target=initial_learning_rate, so
    the first update (step 0) uses lr 0.
    """

    name = "cosine"
    params = (
        _lr_param("initial_learning_rate"),
        Param("decay_steps", "int", 1000, minimum=1, doc="Updates over which the rate falls (after warm-up)."),
        Param("alpha", "float", 0.0, minimum=0.0, maximum=1.0, doc="Final rate as a fraction of the initial one."),
        Param("warmup_steps", "int", 0, minimum=0, doc="Updates of linear warm-up from 0 (0 = none)."),
    )

    def __init__(self, initial_learning_rate: float = 0.001, decay_steps: int = 1000, alpha: float = 0.0,
                 warmup_steps: int = 0):
        self._store(initial_learning_rate=initial_learning_rate, decay_steps=decay_steps, alpha=alpha,
                    warmup_steps=warmup_steps)

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.initial_learning_rate * step / self.warmup_steps
        s = min(step - self.warmup_steps, self.decay_steps)
        cosine = 0.5 * (1.0 + math.cos(math.pi * s / self.decay_steps))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)


class ReduceOnPlateau(Schedule):
    """Multiply the rate by `factor` when a monitored value stops improving (Keras ``ReduceLROnPlateau``).

    Per epoch, ``on_epoch_end(value)``: during cooldown the counter runs down and `wait` stays 0;
    an improvement (value < best − min_delta in "min" mode, value > best + min_delta in "max")
    becomes the new best and resets `wait`; otherwise, out of cooldown, `wait` grows, and on
    reaching `patience` the rate becomes max(lr · factor, min_lr) (if above min_lr) and cooldown starts.
    NOTE: as in Keras, the cooldown is counted down before `wait` counts, so cooldown=c skips
    counting for c − 1 epochs (cooldown=1 acts like 0).
    """

    name = "plateau"
    params = (
        _lr_param("initial_learning_rate"),
        Param("factor", "float", 0.1, minimum=0.0, min_exclusive=True, maximum=0.999,
              doc="Factor of each reduction (< 1)."),
        Param("patience", "int", 10, minimum=0, doc="Epochs without improvement before reducing."),
        Param("min_delta", "float", 1e-4, minimum=0.0, doc="Smallest change that counts as improvement."),
        Param("cooldown", "int", 0, minimum=0, doc="Epochs to wait after a reduction before counting again."),
        Param("min_lr", "float", 0.0, minimum=0.0, doc="The rate never goes below this."),
        Param("mode", "choice", "min", choices=("min", "max"),
              doc="min: lower is better (a loss); max: higher is better (accuracy)."),
    )

    def __init__(self, initial_learning_rate: float = 0.001, factor: float = 0.1, patience: int = 10,
                 min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0, mode: str = "min"):
        self._store(initial_learning_rate=initial_learning_rate, factor=factor, patience=patience,
                    min_delta=min_delta, cooldown=cooldown, min_lr=min_lr, mode=mode)
        self.reset()

    def reset(self) -> None:
        """Back to the initial rate with no history."""
        self.lr = self.initial_learning_rate
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0
        self.cooldown_counter = 0

    def __call__(self, step: int) -> float:
        return self.lr

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, metric_value: float) -> bool:
        """Record one epoch's monitored value; True when the rate was reduced.

        A NaN value never counts as an improvement.
        """
        value = float(metric_value)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(value):
            self.best = value
            self.wait = 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            # NOTE: Keras compares with float32(min_lr); in float64 the plain comparison is right.
            if self.wait >= self.patience and self.lr > self.min_lr:
                self.lr = max(self.lr * self.factor, self.min_lr)
                self.cooldown_counter = self.cooldown
                self.wait = 0
                return True
        return False


class _ScheduleRegistry(dict):
    """name → schedule class; an unknown name raises Keras' "Could not interpret ..." KeyError."""

    def __missing__(self, name):
        raise KeyError(f"Could not interpret schedule identifier: {name!r}. Known: {', '.join(self)}")


SCHEDULES: dict[str, type[Schedule]] = _ScheduleRegistry(
    (cls.name, cls) for cls in (Constant, ExponentialDecay, StepDecay, CosineDecay, ReduceOnPlateau))


def make_schedule(name: str, params: dict[str, Any] | None = None, *,
                  learning_rate: float | None = None) -> Schedule:
    """Build a schedule from its registry name and parameter values.

    Args:
        name: a key of `SCHEDULES`.
        params: values by parameter name (missing ones take their defaults). The initial rate may
            also be given as lr / learning_rate / initial_learning_rate / initial / initial_lr.
        learning_rate: the optimizer's rate; when given it sets the schedule's initial rate.

    Raises:
        TrainingError: unknown name, unknown parameter or a bad value, naming it.
    """
    try:
        cls = SCHEDULES[name]
    except KeyError as e:
        raise TrainingError(e.args[0]) from None
    values = {}
    for key, value in dict(params or {}).items():
        key = cls.initial_param if key in _INITIAL_ALIASES else key
        if key not in ParamSet(cls.params).names():
            known = ", ".join(p.name for p in cls.params)
            raise TrainingError(f"{cls.__name__} has no parameter {key!r}. Known: {known}")
        values[key] = value
    if learning_rate is not None:
        values[cls.initial_param] = learning_rate
    return cls(**values)


def get(identifier: Any) -> Schedule:
    """A schedule from a float (constant rate), a schedule, a name or {"name": ..., "params": {...}}."""
    if isinstance(identifier, Schedule):
        return identifier
    if isinstance(identifier, (int, float)) and not isinstance(identifier, bool):
        return Constant(float(identifier))
    if isinstance(identifier, str):
        return make_schedule(identifier)
    if isinstance(identifier, dict) and "name" in identifier:
        return make_schedule(identifier["name"], identifier.get("params"))
    raise TrainingError(f"Could not interpret schedule identifier: {identifier!r}")


# ----------------------------------------------------------------------------- LR range test

def lr_range_schedule(min_lr: float, max_lr: float, num_steps: int) -> np.ndarray:
    """Exponentially rising rates for the range test (Smith 2017): lrᵢ = min_lr · (max_lr/min_lr)^(i/(num_steps−1))."""
    if not (0 < min_lr < max_lr) or not math.isfinite(max_lr):
        raise TrainingError(f"lr_range_schedule expects 0 < min_lr < max_lr. Received: min_lr={min_lr}, max_lr={max_lr}")
    if isinstance(num_steps, bool) or not isinstance(num_steps, (int, np.integer)) or num_steps < 2:
        raise TrainingError(f"lr_range_schedule expects an integer num_steps >= 2. Received: num_steps={num_steps!r}")
    return np.geomspace(min_lr, max_lr, int(num_steps))


def suggest_lr(lrs, losses, beta: float = 0.98, diverge: float = 4.0, skip_start: int = 10) -> float:
    """The rate where the smoothed loss falls fastest against log(lr) (fastai's "steepest" rule).

    1. Smooth: aᵢ = β·aᵢ₋₁ + (1 − β)·lossᵢ, a₋₁ = 0, and correct the start-up bias: sᵢ = aᵢ / (1 − βⁱ⁺¹).
    2. Cut at divergence: drop every point from the first where sᵢ > `diverge` · min(s₀..sᵢ), or
       where the loss is not finite.
    3. Return lrs[argmin(ds / d log lr)] over what is left (np.gradient, central differences),
       skipping the first `skip_start` points (fastai v1's default 10): right after the bias
       correction the average is over only a few losses, and their noise looks like a steep slope.

    The smoothing lags by about β/(1−β) points, so the suggestion sits slightly right of the raw
    steepest point; use a few hundred steps.

    Raises:
        TrainingError: fewer than 3 usable points, or arrays of different lengths.
    """
    lrs, losses = np.asarray(lrs, float).reshape(-1), np.asarray(losses, float).reshape(-1)
    if lrs.shape != losses.shape:
        raise TrainingError(f"suggest_lr expects as many losses as rates. Received: {losses.size} and {lrs.size}")
    smoothed = np.empty_like(losses)
    avg, best, end = 0.0, math.inf, losses.size
    for i, loss in enumerate(losses):
        if not math.isfinite(loss):
            end = i
            break
        avg = beta * avg + (1.0 - beta) * loss
        smoothed[i] = avg / (1.0 - beta ** (i + 1))
        best = min(best, smoothed[i])
        if smoothed[i] > diverge * best:
            end = i
            break
    start = min(skip_start, max(end - 3, 0))
    if end - start < 3:
        raise TrainingError(f"suggest_lr needs at least 3 points before the loss diverges. Received: {end}")
    slope = np.gradient(smoothed[start:end], np.log(lrs[start:end]))
    return float(lrs[start + int(np.argmin(slope))])
