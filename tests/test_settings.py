"""Training and data settings: defaults, normalisation and errors that name their JSON path."""
import copy

import pytest

from core.errors import DesignFileError
from core.optimizers import OPTIMIZERS
from core.settings import (CHECKPOINT_PARAMS, DATA_PARAMS, EARLY_STOPPING_PARAMS, TRAINING_PARAMS,
                           default_data, default_training, validate_data, validate_training)


# ---- defaults ----------------------------------------------------------------------------------

def test_training_defaults():
    t = validate_training(None)
    assert t == validate_training({}) == default_training()
    assert (t["batch_size"], t["epochs"], t["seed"], t["dtype"], t["device"]) == (32, 20, 0, "float32", "cpu")
    assert (t["clip_norm"], t["clip_value"], t["stats_interval"]) == (0.0, 0.0, 50)
    assert t["loss"] == {"name": "mse", "params": {}}
    assert t["optimizer"] == {"name": "adam", "params": OPTIMIZERS.get("adam").params.defaults()}
    assert t["optimizer"]["params"]["learning_rate"] == 0.001
    assert t["schedule"] == {"name": "constant", "params": {}}
    assert t["metrics"] == []
    assert t["early_stopping"] == EARLY_STOPPING_PARAMS.defaults() and t["early_stopping"]["enabled"] is False
    assert t["checkpoint"] == CHECKPOINT_PARAMS.defaults() and t["checkpoint"]["enabled"] is False
    assert set(t) == set(TRAINING_PARAMS.names()) | {"loss", "optimizer", "schedule", "metrics",
                                                      "early_stopping", "checkpoint"}


def test_data_defaults():
    d = validate_data(None)
    assert d == validate_data({}) == default_data()
    assert (d["source"], d["name"], d["path"]) == ("builtin", "xor", "")
    assert (d["validation_split"], d["test_split"], d["scaling"], d["seed"]) == (0.2, 0.0, "standard", 0)
    assert d["params"] == {"n": 200, "noise": 0.1}    # the data set's own parameters, resolved
    assert d["options"] == {}
    assert set(d) == set(DATA_PARAMS.names()) | {"params", "options"}


def test_defaults_are_fresh_copies():
    a, b = default_training(), default_training()
    a["optimizer"]["params"]["learning_rate"] = 5.0
    a["metrics"].append("accuracy")
    assert b["optimizer"]["params"]["learning_rate"] == 0.001 and b["metrics"] == []
    c, d = default_data(), default_data()
    c["params"]["n"] = 1
    assert d["params"]["n"] == 200


def test_partial_sections_fill_in_defaults():
    t = validate_training({"epochs": 3, "optimizer": {"name": "sgd"}, "early_stopping": {"enabled": True}})
    assert t["epochs"] == 3 and t["batch_size"] == 32
    assert t["optimizer"] == {"name": "sgd", "params": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}}
    assert t["early_stopping"] == {**EARLY_STOPPING_PARAMS.defaults(), "enabled": True}
    d = validate_data({"name": "moons", "params": {"noise": 0.3}})
    assert d["params"] == {"n": 200, "noise": 0.3}


def test_values_are_normalised():
    t = validate_training({"clip_norm": 1, "optimizer": {"name": "sgd", "params": {"learning_rate": 1}}})
    assert type(t["clip_norm"]) is float and type(t["optimizer"]["params"]["learning_rate"]) is float


def test_validation_does_not_touch_its_input():
    raw = {"epochs": 3, "optimizer": {"name": "sgd", "params": {"learning_rate": 0.1}}, "metrics": ["accuracy"]}
    before = copy.deepcopy(raw)
    out = validate_training(raw)
    assert raw == before
    out["metrics"].append("auc")
    out["optimizer"]["params"]["momentum"] = 0.5
    assert raw == before


def test_schedule_takes_its_initial_rate_from_the_optimizer():
    t = validate_training({"schedule": {"name": "exponential", "params": {"decay_steps": 10}}})
    assert t["schedule"] == {"name": "exponential", "params": {"decay_steps": 10, "decay_rate": 0.96,
                                                                "staircase": False}}
    with pytest.raises(DesignFileError) as err:
        validate_training({"schedule": {"name": "exponential", "params": {"initial_learning_rate": 0.1}}})
    assert err.value.path == "training.schedule.params.initial_learning_rate"


def test_csv_source_keeps_free_form_params():
    d = validate_data({"source": "csv", "path": "data.csv", "name": "anything",
                       "options": {"target": "label", "delimiter": ";"}})
    assert d["options"] == {"target": "label", "delimiter": ";"}
    assert d["name"] == "anything"


# ---- errors name their path ----------------------------------------------------------------------

TRAINING_ERRORS = [
    ({"batch_size": 0}, "training.batch_size"),
    ({"batch_size": "32"}, "training.batch_size"),
    ({"epochs": 2.5}, "training.epochs"),
    ({"dtype": "float16"}, "training.dtype"),
    ({"clip_norm": -1.0}, "training.clip_norm"),
    ({"clip_value": float("nan")}, "training.clip_value"),
    ({"device": "tpu"}, "training.device"),
    ({"warmup": 1}, "training.warmup"),
    ({"loss": "mse"}, "training.loss"),
    ({"loss": {"name": "hinge"}}, "training.loss.name"),
    ({"loss": {"name": 3}}, "training.loss.name"),
    ({"loss": {"name": "huber", "params": {"delta": 0}}}, "training.loss.params.delta"),
    ({"loss": {"name": "mse", "params": {"delta": 1.0}}}, "training.loss.params.delta"),
    ({"loss": {"name": "mse", "extra": 1}}, "training.loss.extra"),
    ({"optimizer": {"name": "lion"}}, "training.optimizer.name"),
    ({"optimizer": {"name": ["adam"]}}, "training.optimizer.name"),
    ({"optimizer": {"name": "adam", "params": {"learning_rate": -1}}}, "training.optimizer.params.learning_rate"),
    ({"optimizer": {"name": "adam", "params": {"learning_rate": 0}}}, "training.optimizer.params.learning_rate"),
    ({"optimizer": {"name": "adam", "params": {"momentum": 0.9}}}, "training.optimizer.params.momentum"),
    ({"optimizer": {"name": "sgd", "params": []}}, "training.optimizer.params"),
    ({"schedule": {"name": "warmup"}}, "training.schedule.name"),
    ({"schedule": {"name": "step", "params": {"gamma": 2.0}}}, "training.schedule.params.gamma"),
    ({"metrics": "accuracy"}, "training.metrics"),
    ({"metrics": ["accuracy", "top5"]}, "training.metrics[1]"),
    ({"metrics": [["accuracy"]]}, "training.metrics[0]"),
    ({"early_stopping": {"patience": -1}}, "training.early_stopping.patience"),
    ({"early_stopping": {"enabled": "yes"}}, "training.early_stopping.enabled"),
    ({"early_stopping": []}, "training.early_stopping"),
    ({"checkpoint": {"path": 3}}, "training.checkpoint.path"),
    ({"checkpoint": {"every": 3}}, "training.checkpoint.every"),
]


@pytest.mark.parametrize("raw, path", TRAINING_ERRORS)
def test_training_errors_name_their_path(raw, path):
    with pytest.raises(DesignFileError) as err:
        validate_training(raw)
    assert err.value.path == path, str(err.value)


@pytest.mark.parametrize("raw", [[], "adam", 0, False])
def test_training_section_must_be_an_object(raw):
    with pytest.raises(DesignFileError) as err:
        validate_training(raw)
    assert err.value.path == "training"


def test_error_paths_use_the_given_prefix():
    with pytest.raises(DesignFileError) as err:
        validate_training({"batch_size": 0}, "runs[2].training")
    assert err.value.path == "runs[2].training.batch_size"
    with pytest.raises(DesignFileError) as err:
        validate_data({"name": "nope"}, "runs[2].data")
    assert err.value.path == "runs[2].data.name"


def test_messages_say_what_was_expected_and_received():
    with pytest.raises(DesignFileError) as err:
        validate_training({"optimizer": {"name": "adam", "params": {"learning_rate": -1}}})
    assert "learning_rate" in str(err.value) and "-1" in str(err.value) and "> 0" in str(err.value)
    with pytest.raises(DesignFileError) as err:
        validate_training({"metrics": ["top5"]})
    assert "top5" in str(err.value) and "accuracy" in str(err.value)   # lists the known names
    with pytest.raises(DesignFileError) as err:
        validate_data({"name": "imagenet"})
    assert "imagenet" in str(err.value) and "xor" in str(err.value)


DATA_ERRORS = [
    ({"source": "s3"}, "data.source"),
    ({"name": "imagenet"}, "data.name"),
    ({"name": 7}, "data.name"),
    ({"validation_split": 0.95}, "data.validation_split"),
    ({"validation_split": -0.1}, "data.validation_split"),
    ({"validation_split": 0.5, "test_split": 0.5}, "data.test_split"),
    ({"scaling": "robust"}, "data.scaling"),
    ({"seed": -1}, "data.seed"),
    ({"params": {"radius": 1}}, "data.params.radius"),
    ({"params": {"n": 0}}, "data.params.n"),
    ({"params": []}, "data.params"),
    ({"options": "x"}, "data.options"),
    ({"labels": "y"}, "data.labels"),
]


@pytest.mark.parametrize("raw, path", DATA_ERRORS)
def test_data_errors_name_their_path(raw, path):
    with pytest.raises(DesignFileError) as err:
        validate_data(raw)
    assert err.value.path == path, str(err.value)


@pytest.mark.parametrize("raw", [[], "xor", 1, False])
def test_data_section_must_be_an_object(raw):
    with pytest.raises(DesignFileError) as err:
        validate_data(raw)
    assert err.value.path == "data"
