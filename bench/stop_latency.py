"""How long Stop takes, and how many batches still train after it is asked for.

    python -m bench.stop_latency [--reps 5] [--modes headless,thread,process] [--example digits_mlp]

The tests check stop in batches (tests/gui/test_dashboard.py: at most the batch in flight
finishes), never in seconds — a loaded machine makes any time limit flaky (1.0 s failed at
1.22 s on the 2-core CI machine). The seconds are measured here instead:

  * headless: `Trainer.run()` iterated in a thread, `request_stop()` from the main thread once
    the run is past its first epoch; time until `run()` yields TrainEnd;
  * thread / process: the dashboard (QMainWindow + install_dashboard, offscreen) — Stop pressed
    mid-run; "end event" = the GUI receives TrainEnd, "model" = the trained model reaches the
    window (process mode: pickled back from the child, inference kernels loaded in the GUI
    process), "idle" = runningChanged(False) (the worker joined, the results panels drawn).

"batches after" counts optimizer steps trained after the request: exact for headless and thread
(the executor's step counter read right after asking); for process, where the child's counter
cannot be read live, the steps the GUI had been told about at the request — an upper bound that
includes the event lag (events leave at most every 50 ms).

Prints one table (median and max over the repetitions); numbers are this machine's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


def load(example: str, epochs: int = 100_000):
    from core.designfile import load_design
    d = load_design(ROOT / "resources" / "examples" / f"{example}.json")
    d.training["epochs"] = epochs          # never ends on its own: only Stop ends it
    return d


def headless_once(design) -> dict:
    from core.events import TrainEnd
    from core.model import Model
    model = Model.from_design(design)
    trainer = model.trainer(collect_stats=False)
    ex = model.executor
    end: dict = {}

    def run():
        for ev in trainer.run():
            if isinstance(ev, TrainEnd):
                end["t"] = time.perf_counter()
                end["reason"] = ev.reason

    spe = -(-len(model.data.X_train) // design.training["batch_size"])
    th = threading.Thread(target=run, name="bench-train")
    th.start()
    while int(ex.step[0]) <= spe:          # past the first epoch (compiling included)
        time.sleep(0.005)
    t0 = time.perf_counter()
    trainer.request_stop()
    at_request = int(ex.step[0])
    th.join()
    assert end.get("reason") == "stopped", end
    done = end["t"] - t0
    return {"end_s": done, "model_s": done, "idle_s": done, "after": int(ex.step[0]) - at_request}


def gui_once(app, design, mode: str) -> dict:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QLabel, QMainWindow

    from designer.dashboard import install_dashboard
    win = QMainWindow()
    win.setCentralWidget(QLabel("canvas"))
    win.resize(1400, 900)
    ctl = install_dashboard(win, lambda: design, lambda _locked: None)
    ctl.mode = mode
    win.show()
    app.processEvents()
    marks: dict = {}
    ctl.trainingFinished.connect(lambda _end: marks.setdefault("end", time.perf_counter()))
    ctl.modelTrained.connect(lambda _model: marks.setdefault("model", time.perf_counter()))

    def wait_until(condition, what: str, timeout_s: float = 300.0) -> None:
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(2)
        poll.timeout.connect(lambda: loop.quit() if condition() else None)
        poll.start()
        deadline = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > deadline:
                raise SystemExit(f"{mode}: timed out waiting for {what}")
            loop.exec()
        poll.stop()

    ctl.start()
    prog = ctl.progress
    wait_until(lambda: prog.t_start is not None and prog.steps > prog.spe, "the run to pass its first epoch")
    ex = None
    if mode == "thread":
        ex = ctl._worker.control.trainer.executor
    t0 = time.perf_counter()
    ctl.stop()
    at_request = int(ex.step[0]) if ex is not None else prog.steps
    wait_until(lambda: not ctl.is_running, "the run to end")
    idle = time.perf_counter() - t0
    if ctl.last_error or ctl.last_end is None or ctl.last_end.reason != "stopped":
        raise SystemExit(f"{mode}: the run did not stop cleanly ({ctl.last_error or ctl.last_end})")
    final = int(ctl.model.executor.step[0])
    win.close()
    win.deleteLater()
    app.processEvents()
    return {"end_s": marks["end"] - t0, "model_s": marks["model"] - t0, "idle_s": idle, "after": final - at_request}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--modes", default="headless,thread,process")
    ap.add_argument("--example", default="digits_mlp")
    args = ap.parse_args(argv)
    modes = args.modes.split(",")
    app = None
    if any(m != "headless" for m in modes):
        from PySide6.QtWidgets import QApplication
        app = QApplication.instance() or QApplication(sys.argv)
    design = load(args.example)
    print(f"cores {os.cpu_count()}, example {args.example}, batch {design.training['batch_size']}, "
          f"{args.reps} repetitions per mode", flush=True)
    headless_once(load(args.example))                 # warm the numba cache outside the timings
    print(f"{'mode':<10}{'end event ms (p50/max)':>24}{'model ms (p50/max)':>21}{'idle ms (p50/max)':>20}"
          f"{'batches after (max)':>21}")
    for mode in modes:
        runs = [headless_once(design) if mode == "headless" else gui_once(app, design, mode)
                for _ in range(args.reps)]
        end = [1000 * r["end_s"] for r in runs]
        model = [1000 * r["model_s"] for r in runs]
        idle = [1000 * r["idle_s"] for r in runs]
        after = [r["after"] for r in runs]
        bound = "≤" if mode == "process" else ""
        print(f"{mode:<10}{statistics.median(end):>14.1f} / {max(end):<7.1f}"
              f"{statistics.median(model):>11.1f} / {max(model):<7.1f}"
              f"{statistics.median(idle):>11.1f} / {max(idle):<7.1f}{bound:>14}{max(after):>5}", flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
