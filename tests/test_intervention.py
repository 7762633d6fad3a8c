"""Live intervention in the trainer: a learning-rate scale and freezing/unfreezing a layer, asked
for between chunks, take effect at the next chunk and are reported as Intervention events."""
import numpy as np
import pytest

from core.designfile import load_design
from core.errors import TrainingError
from core.events import BatchesEnd, EpochEnd, Intervention
from core.model import Model


def xor_model(epochs=4):
    design = load_design("resources/examples/xor.json")
    design.training["epochs"] = epochs
    design.training["optimizer"] = {"name": "sgd", "params": {"learning_rate": 0.1}}
    return Model.from_design(design)


def test_learning_rate_scale_applies_from_the_next_chunk():
    model = xor_model()
    trainer = model.trainer(collect_stats=False)
    lrs_after, seen = [], []
    changed = False
    for ev in trainer.run():
        if isinstance(ev, EpochEnd) and ev.epoch == 0:
            trainer.set_learning_rate_scale(0.25)
            changed = True
        elif isinstance(ev, Intervention):
            seen.append(ev)
        elif isinstance(ev, BatchesEnd):
            (lrs_after if changed else []).extend(ev.lrs.tolist())
            if not changed:
                assert np.all(ev.lrs == pytest.approx(0.1))
    assert len(seen) == 1
    ev = seen[0]
    assert ev.change == "learning_rate_scale" and ev.value == 0.25
    assert ev.epoch == 1 and ev.position == pytest.approx(1.0)
    assert lrs_after and np.all(np.array(lrs_after) == pytest.approx(0.025))
    assert trainer.history["lr"][0] == pytest.approx(0.1)
    assert trainer.history["lr"][-1] == pytest.approx(0.025)


def test_freeze_and_unfreeze_a_layer_while_training():
    model = xor_model(epochs=3)
    ex = model.executor
    trainer = model.trainer(collect_stats=False)
    frozen_at = after_frozen = None
    events = []
    for ev in trainer.run():
        if isinstance(ev, Intervention):
            events.append(ev)
        if isinstance(ev, EpochEnd):
            if ev.epoch == 0:
                trainer.set_trainable("hidden", False)
            elif ev.epoch == 1:
                after_frozen = ex.get_weights()
                trainer.set_trainable("hidden", True)
        if isinstance(ev, Intervention) and ev.value == 0.0:
            frozen_at = ex.get_weights()
    assert [(e.change, e.node_id, e.value) for e in events] == [("trainable", "hidden", 0.0),
                                                                ("trainable", "hidden", 1.0)]
    # Frozen through epoch 1: the hidden layer's weights did not move, the output layer's did.
    np.testing.assert_array_equal(after_frozen["hidden/kernel"], frozen_at["hidden/kernel"])
    assert not np.array_equal(after_frozen["output/kernel"], frozen_at["output/kernel"])
    # Unfrozen for epoch 2: it trains again.
    assert not np.array_equal(ex.get_weights()["hidden/kernel"], after_frozen["hidden/kernel"])


def test_bad_interventions_are_refused_in_one_line():
    trainer = xor_model().trainer(collect_stats=False)
    with pytest.raises(TrainingError, match="positive finite"):
        trainer.set_learning_rate_scale(0)
    with pytest.raises(TrainingError, match="'tanh' has no trainable weights; blocks with weights: hidden, output"):
        trainer.set_trainable("tanh", False)


def test_interventions_are_kept_in_the_run_history(tmp_path):
    import json

    from core.runs import RunFileError, RunRecorder, dumps_run, load_run
    model = xor_model(epochs=2)
    trainer = model.trainer(collect_stats=False)
    trainer.set_learning_rate_scale(2.0)
    rec = RunRecorder(model.design)
    for ev in trainer.run():
        rec.handle(ev)
    run = rec.record()
    assert run.interventions == [{"position": 0.0, "step": 0, "change": "learning_rate_scale",
                                  "node_id": "", "value": 2.0}]
    path = tmp_path / "r.json"
    path.write_text(dumps_run(run))
    assert load_run(path).interventions == run.interventions
    doc = json.loads(path.read_text())
    doc["interventions"][0]["step"] = "x"
    path.write_text(json.dumps(doc))
    with pytest.raises(RunFileError, match=r"interventions\[0\]\.step"):
        load_run(path)
