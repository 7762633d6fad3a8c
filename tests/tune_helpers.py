"""Shared by the tuning tests: a tiny searched design and `netdesigner tune` worker processes."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
XOR = ROOT / "resources" / "examples" / "xor.json"
STARTED = re.compile(r"^trial (\d+) started by ")
COMPLETE = re.compile(r"^trial (\d+) complete: ")


def searched_xor(folder: Path, search=None, epochs: int = 3) -> Path:
    """xor.json with hidden.units and the learning rate searched, `epochs` epochs."""
    d = json.loads(XOR.read_text())
    d["training"]["epochs"] = epochs
    d["search"] = search or [
        {"node": "hidden", "param": "units", "kind": "int", "low": 2, "high": 12},
        {"setting": "optimizer.params.learning_rate", "kind": "float", "low": 0.005, "high": 0.2, "log": True},
    ]
    path = folder / "xor_search.json"
    path.write_text(json.dumps(d))
    return path


def worker(design: Path, storage: str, *extra: str, trials: int = 4, study: str = "s") -> subprocess.Popen:
    """One `netdesigner tune` worker process (its stdout piped, line by line)."""
    cmd = [sys.executable, "-m", "core.cli", "tune", str(design), "--trials", str(trials), "--sampler",
           "random", "--storage", storage, "--study", study, "--heartbeat", "1", *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def started(lines: list[str]) -> list[int]:
    return [int(m.group(1)) for line in lines if (m := STARTED.match(line))]


def wait_started(proc: subprocess.Popen, seen: list[str]) -> int:
    """Read the worker's output (into `seen`) until it starts a trial; that trial's number."""
    for line in proc.stdout:
        seen.append(line)
        m = STARTED.match(line)
        if m:
            return int(m.group(1))
    raise AssertionError(f"the worker ended before starting a trial: {proc.stderr.read()}")


def finish(proc: subprocess.Popen, seen: list[str] | None = None) -> list[str]:
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    return [line.rstrip("\n") for line in (seen or [])] + out.splitlines()


def check_two_workers_one_killed(design: Path, storage: str, trials: int = 4) -> None:
    """Two workers share one study; one is killed mid-trial. The other finishes the study: its
    stale trial is failed by the heartbeat and retried with the same values, the study holds
    `trials` complete trials, and every trial was started by one of the two workers."""
    import optuna
    from optuna.trial import TrialState

    from core.tune import open_storage, retried_from
    # A's trials are endless (its own --epochs), so it is surely mid-trial when killed — after B
    # has started a trial too, so both workers ran against the study at the same time.
    a = worker(design, storage, "--epochs", "1000000", trials=trials)
    killed = wait_started(a, [])
    b = worker(design, storage, trials=trials)
    seen_b: list[str] = []
    wait_started(b, seen_b)
    a.kill()
    a.wait()
    lines_b = finish(b, seen_b)
    study = optuna.load_study(study_name="s", storage=open_storage(storage, 1))
    trials_ = study.get_trials()
    by_number = {t.number: t for t in trials_}
    assert by_number[killed].state == TrialState.FAIL             # stale: its worker died mid-trial
    complete = [t for t in trials_ if t.state == TrialState.COMPLETE]
    assert len(complete) == trials
    retries = [t for t in trials_ if retried_from(t) == killed]
    assert len(retries) == 1 and retries[0].state == TrialState.COMPLETE
    assert retries[0].params == by_number[killed].params          # retried with the same values
    # The trials add up: every trial in the study was started by A (the killed one) or by B.
    ran_b = started(lines_b)
    assert sorted(ran_b + [killed]) == sorted(by_number)
    assert len(set(ran_b)) == len(ran_b)
    for t in complete:                                              # per-epoch history for the curves
        assert len(t.user_attrs["history"]) == 3
        assert t.user_attrs["history"][-1]["val_loss"] == t.value
