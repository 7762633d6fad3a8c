"""Feeds what the dashboard receives into a core.runs.RunRecorder.

The dashboard's worker folds BatchesEnd/EpochEnd into one ``BatchLog`` per flush
(designer.dashboard.engine_loop.fold); core knows nothing of that, so the unfolding is here."""
from __future__ import annotations


def feed(recorder, ev) -> None:
    if type(ev).__name__ == "BatchLog":
        if len(ev.losses):
            recorder.add_batch_losses(ev.losses)
        for x, logs in zip(ev.epoch_x, ev.epoch_logs):
            recorder.add_epoch(int(round(x)) - 1, logs)
    else:
        recorder.handle(ev)
