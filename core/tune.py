"""Hyper-parameter studies with Optuna: grid, random and TPE search over a design's search space.

A *study* lives in an Optuna storage. Every worker — a process started here by ``--jobs``, or a
``netdesigner tune`` on another machine given the same ``--storage`` and ``--study`` — loads the
study, asks it for a trial, trains the design with that trial's values and reports the per-epoch
validation metric, so the median pruner can stop a trial that is doing worse than the others at
the same epoch (``trial.should_prune()`` → ``Trainer.request_stop()``). A worker starts a trial
while the study's finished (complete or pruned) and running trials are fewer than ``trials``,
so several workers may overshoot by a trial or two (each decides on its own, as Optuna's
MaxTrialsCallback does).

Storages (``--storage``):
  * none: one process keeps the study in memory; several (``--jobs``) share a journal file in a
    temporary folder;
  * ``sqlite:///study.db`` (one machine), ``postgresql+psycopg://user@host/db`` (many): Optuna's
    RDB storage with a heartbeat, so a trial whose worker died (killed, machine lost) is marked
    failed after the grace period and retried with the same values (RetryFailedTrialCallback);
    a worker that has nothing left to start waits for running trials to finish or go stale;
  * ``journal:///path/study.log``: Optuna's journal file (no server; a dead worker's trial stays
    running there, as the journal has no heartbeat).

Creating an SQLite study from several processes at once races (tables, the study row): the study
is created once by whoever starts the workers, and storage opening and creation are retried.

Worker processes come from core/pool.py, which k-fold's parallel folds use too: spawned (a fork
of a process holding Numba or BLAS threads is unsafe), each with its share of the cores
(``NUMBA_NUM_THREADS`` and friends before Numba loads, ``core.threads.blas_thread_cap``).
"""
from __future__ import annotations

import math
import os
import random
import socket
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

from .errors import NetDesignerError

METHODS = ("grid", "random", "tpe")
HISTORY_ATTR = "history"          # per-epoch logs of a trial (user attribute), for its curves
DEFAULT_HEARTBEAT_S = 10
MAX_JOBS = 256
_MAXIMIZE = {"accuracy", "precision", "recall", "f1", "precision_macro", "recall_macro", "f1_macro",
             "f1_weighted", "auc", "r2", "cosine"}


class TuneError(NetDesignerError):
    """A study cannot run: bad storage URL, unreachable database, nothing to search, bad metric."""


@dataclass
class TuneConfig:
    """Everything a worker needs (picklable: it travels to spawned processes)."""

    design: dict                       # Design.to_dict(), search section included
    folder: str = ""                   # the design file's folder (relative data paths)
    trials: int = 10                   # finished trials the study should hold
    method: str = "tpe"
    study: str = "netdesigner"
    storage: str | None = None         # URL (module docstring); None: in memory
    metric: str = ""                   # "" → val_loss when there is a validation split, else loss
    epochs: int | None = None          # override the design's epochs for every trial
    kfold: int = 0                     # > 1: each trial is a k-fold cross-validation
    seed: int | None = None
    heartbeat: int = DEFAULT_HEARTBEAT_S
    prune: bool = True
    quiet: bool = False
    temporary_folder: str = ""         # set by prepare() when it made the storage's folder


def remove_temporary(cfg: TuneConfig) -> None:
    """Delete the journal folder prepare() made for a study without a storage (after reading it)."""
    if cfg.temporary_folder:
        import shutil
        shutil.rmtree(cfg.temporary_folder, ignore_errors=True)
        cfg.temporary_folder = ""


# ----------------------------------------------------------------------------- metric

def default_metric(design, kfold: int = 0) -> str:
    return "val_loss" if kfold > 1 or design.data["validation_split"] > 0 else "loss"


def direction_for(metric: str) -> str:
    base = metric[4:] if metric.startswith("val_") else metric
    return "maximize" if base in _MAXIMIZE else "minimize"


def check_metric(design, metric: str, kfold: int = 0) -> None:
    from .metrics import METRIC_NAMES
    base = metric[4:] if metric.startswith("val_") else metric
    if base != "loss" and base not in METRIC_NAMES:
        raise TuneError(f"unknown metric {metric!r}; use loss, val_loss or (val_)NAME with NAME one of "
                        f"{', '.join(METRIC_NAMES)}")
    if base != "loss" and base not in design.training["metrics"]:
        raise TuneError(f"the design does not compute {base!r}: add it to training.metrics")
    if metric.startswith("val_") and not kfold and design.data["validation_split"] <= 0:
        raise TuneError(f"{metric} needs a validation split (data.validation_split is 0)")


# ----------------------------------------------------------------------------- storage

def _hide_password(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:      # not parseable: show it cut, it is the user's own text
        return url[:200]


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    for cut in (" (Background on this error", " [SQL:"):
        text = text.split(cut)[0]
    return text[:300] or type(e).__name__


def _require_optuna():
    try:
        import optuna
    except ImportError:
        raise TuneError("hyper-parameter search needs Optuna: pip install -e \".[tune]\"") from None
    return optuna


def quiet_optuna() -> None:
    """For entry points (the CLI, worker processes): our own one line per trial replaces Optuna's
    INFO lines, and the heartbeat's "experimental" warnings are not news to a user."""
    optuna = _require_optuna()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def open_storage(url: str | None, heartbeat: int = DEFAULT_HEARTBEAT_S):
    """An Optuna storage for `url` (module docstring), or a TuneError in one line."""
    optuna = _require_optuna()
    if url is None:
        return optuna.storages.InMemoryStorage()
    if not isinstance(url, str) or not url.strip():
        raise TuneError("empty storage URL")
    if url.startswith("journal:"):
        path = url[len("journal:"):]
        path = path[2:] if path.startswith("//") else path
        if not path:
            raise TuneError(f"storage {url!r} names no file (journal:///path/to/study.log)")
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise TuneError(f"storage {url}: the folder {folder} does not exist")
        from optuna.storages.journal import JournalFileBackend, JournalStorage
        try:
            return JournalStorage(JournalFileBackend(path))
        except Exception as e:
            raise TuneError(f"storage {url}: {_one_line(e)}") from None
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme not in ("sqlite", "postgresql", "mysql") or "://" not in url:
        raise TuneError(f"unsupported storage URL {url[:200]!r}: use sqlite:///FILE.db, "
                        "postgresql+psycopg://USER@HOST/DB or journal:///FILE.log")
    from optuna.storages import RDBStorage
    kwargs = {"connect_args": {"timeout": 60}} if scheme == "sqlite" else {"pool_pre_ping": True}
    heartbeat = max(1, int(heartbeat))
    last: BaseException | None = None
    for attempt in range(12):
        try:
            with warnings.catch_warnings():   # the heartbeat is "experimental" since Optuna 2.9
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return RDBStorage(url, engine_kwargs=kwargs, heartbeat_interval=heartbeat,
                                  grace_period=2 * heartbeat, **_retry_callback())
        except Exception as e:    # sqlalchemy and driver errors have no common base worth naming
            last = e
            if not _is_race(e):
                break
            time.sleep(0.05 * (attempt + 1) + random.random() * 0.05)
    raise TuneError(f"storage {_hide_password(url)}: {_one_line(last)}") from None


def _retry_callback() -> dict:
    """A stale trial comes back as a WAITING copy with the same values (at most 3 times):
    RetryHeartbeatStaleTrialCallback from Optuna 4.9, RetryFailedTrialCallback before."""
    from optuna import storages
    if hasattr(storages, "RetryHeartbeatStaleTrialCallback"):
        return {"heartbeat_stale_trial_callback": storages.RetryHeartbeatStaleTrialCallback(max_retry=3)}
    return {"failed_trial_callback": storages.RetryFailedTrialCallback(max_retry=3)}


def retried_from(trial) -> int | None:
    """The number of the stale trial `trial` retries, or None."""
    return trial.system_attrs.get("failed_trial")


def _is_race(e: BaseException) -> bool:
    """Errors two processes creating the same tables or study at once run into (retry them)."""
    text = str(e).lower()
    return any(s in text for s in ("already exists", "database is locked", "unique constraint",
                                   "duplicate key", "uniqueviolation", "integrityerror"))


def ensure_study(storage, name: str, direction: str, sampler=None, pruner=None):
    """Create the study or join it (load_if_exists), retrying the creation race."""
    optuna = _require_optuna()
    last: BaseException | None = None
    for attempt in range(12):
        try:
            study = optuna.create_study(storage=storage, study_name=name, direction=direction,
                                        sampler=sampler, pruner=pruner, load_if_exists=True)
        except Exception as e:
            last = e
            if not _is_race(e):
                raise TuneError(f"study {name!r}: {_one_line(e)}") from None
            time.sleep(0.05 * (attempt + 1) + random.random() * 0.05)
            continue
        if study.direction.name.lower() != direction:
            raise TuneError(f"study {name!r} already exists and it {study.direction.name.lower()}s; "
                            f"this run would {direction} (use another --study name)")
        return study
    raise TuneError(f"study {name!r}: {_one_line(last)}")


def has_heartbeat(storage) -> bool:
    from optuna.storages._heartbeat import is_heartbeat_enabled
    return is_heartbeat_enabled(storage)


# ----------------------------------------------------------------------------- samplers

def make_sampler(method: str, search, seed: int | None = None):
    optuna = _require_optuna()
    if method == "grid":
        return optuna.samplers.GridSampler({sp.name: sp.grid() for sp in search}, seed=seed)
    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if method == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    raise TuneError(f"unknown search method {method!r}; use {', '.join(METHODS)}")


def grid_size(search) -> int:
    return math.prod(len(sp.grid()) for sp in search)


def make_pruner(prune: bool = True):
    optuna = _require_optuna()
    if not prune:
        return optuna.pruners.NopPruner()
    # Compared from the second epoch on, once five trials have finished.
    return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)


# ----------------------------------------------------------------------------- one trial

def _design(cfg: TuneConfig):
    from .designfile import from_dict
    design = from_dict(cfg.design)
    design.folder = cfg.folder
    if not design.search:
        raise TuneError("the design searches no parameter: mark one as searched (a \"search\" section)")
    return design


def objective(trial, design, cfg: TuneConfig) -> float:
    """Train `design` with the trial's values; report the metric every epoch (pruning), store the
    per-epoch logs as the trial's history, return the final (or early-stopping best) value."""
    return train_trial(trial, design, suggest_values(trial, design), cfg)


def suggest_values(trial, design) -> dict[str, Any]:
    return {sp.name: sp.suggest(trial) for sp in design.search}


def train_trial(trial, design, values: dict[str, Any], cfg: TuneConfig) -> float:
    import optuna

    from .search_space import apply_values
    trial_design = apply_values(design, values)
    if cfg.kfold > 1:
        return _kfold_objective(trial, trial_design, cfg)
    from .events import EpochEnd, TrainEnd
    from .model import Model
    model = Model.from_design(trial_design)
    trainer = model.trainer(collect_stats=False, epochs=cfg.epochs)
    history: list[dict] = []
    pruned, end = False, None
    for event in trainer.run():
        if isinstance(event, EpochEnd):
            logs = {k: float(v) for k, v in event.logs.items()}
            history.append(logs)
            if cfg.metric not in logs:
                trainer.request_stop()
                raise TuneError(f"training logs no {cfg.metric!r} (it logs {', '.join(logs)})")
            trial.report(logs[cfg.metric], event.epoch)
            if not pruned and trial.should_prune():
                pruned = True
                trainer.request_stop()
        elif isinstance(event, TrainEnd):
            end = event
    trial.set_user_attr(HISTORY_ATTR, history)
    if pruned:
        raise optuna.TrialPruned(f"pruned after epoch {len(history)}")
    if end is not None and end.reason == "diverged":
        trial.set_user_attr("stopped", end.message)
        raise optuna.TrialPruned(end.message)
    if not history:
        raise TuneError("the trial trained no epoch")
    es = trial_design.training["early_stopping"]
    if end is not None and end.best_epoch is not None and es["restore_best_weights"]:
        return history[end.best_epoch][cfg.metric]
    return history[-1][cfg.metric]


def _kfold_objective(trial, design, cfg: TuneConfig) -> float:
    """The mean over k folds of the metric on each held-out fold; reported after every fold."""
    import optuna

    from .kfold import fold_models
    key = cfg.metric[4:] if cfg.metric.startswith("val_") else cfg.metric
    names = [m for m in design.training["metrics"]]
    scores: list[float] = []
    for i, model, _ in fold_models(design, cfg.kfold, seed=cfg.seed or 0):
        model.fit(collect_stats=False, epochs=cfg.epochs)
        scores.append(float(model.evaluate("test", names)[key]))
        trial.report(sum(scores) / len(scores), i)
        if trial.should_prune():
            trial.set_user_attr("folds", scores)
            raise optuna.TrialPruned(f"pruned after fold {i + 1}")
    trial.set_user_attr("folds", scores)
    trial.set_user_attr(HISTORY_ATTR, [{cfg.metric: s} for s in scores])
    return sum(scores) / len(scores)


# ----------------------------------------------------------------------------- a worker

def counts(study) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in study.get_trials(deepcopy=False):
        out[t.state.name] = out.get(t.state.name, 0) + 1
    return out


def work(cfg: TuneConfig, *, worker: int = 0, study=None,
         on_trial: Callable[[str], None] | None = None) -> list[int]:
    """Run trials of the study until it holds cfg.trials finished ones; return this worker's
    trial numbers. Safe to run in any number of processes on any number of machines. `study`:
    the one prepare() made (required for an in-memory study), else opened from cfg.storage."""
    optuna = _require_optuna()
    design = _design(cfg)
    if study is None:
        storage = open_storage(cfg.storage, cfg.heartbeat)
        seed = None if cfg.seed is None else cfg.seed + worker
        study = ensure_study(storage, cfg.study, direction_for(cfg.metric),
                             make_sampler(cfg.method, design.search, seed), make_pruner(cfg.prune))
    heartbeat = has_heartbeat(study._storage)
    say = on_trial or (lambda text: None if cfg.quiet else print(text, flush=True))
    mine: list[int] = []
    host = f"{socket.gethostname()}:{os.getpid()}"

    def run_one(trial):
        mine.append(trial.number)
        trial.set_user_attr("worker", host)
        values = suggest_values(trial, design)
        say(f"trial {trial.number} started by {host}: {_params_text(trial)}")
        t0 = time.perf_counter()
        try:
            value = train_trial(trial, design, values, cfg)
        except NetDesignerError as e:     # these values cannot train: this trial fails, in one line
            trial.set_user_attr("error", str(e)[:1000])
            say(f"trial {trial.number} failed: {e}")
            return float("nan")           # Optuna marks the trial FAIL
        say(f"trial {trial.number} complete: {cfg.metric} {value:.6g}  ({time.perf_counter() - t0:.1f} s)")
        return value

    while True:
        c = counts(study)
        done = c.get("COMPLETE", 0) + c.get("PRUNED", 0)
        running, waiting, failed = c.get("RUNNING", 0), c.get("WAITING", 0), c.get("FAIL", 0)
        if failed >= cfg.trials + 3 and not waiting:    # every trial failing must not loop forever
            say(f"stopping: {failed} trials failed")
            break
        if waiting or done + running < cfg.trials:
            study.optimize(run_one, n_trials=1)
            continue
        if running and heartbeat:     # a dead worker's trial goes stale and comes back as WAITING
            optuna.storages.fail_stale_trials(study)
            time.sleep(max(0.2, cfg.heartbeat / 4))
            continue
        break
    return mine


def _params_text(trial) -> str:
    return "  ".join(f"{k}={_fmt(v)}" for k, v in trial.params.items())


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _worker_process(cfg: TuneConfig, index: int) -> None:
    try:
        quiet_optuna()
        work(cfg, worker=index)
    except NetDesignerError as e:
        print(f"netdesigner tune (worker {index}): {e}", file=sys.stderr, flush=True)
        sys.exit(2)


def prepare(cfg: TuneConfig, jobs: int = 1):
    """Check the design, metric and storage and create the study once (before any worker
    starts: SQLite's creation race). A local multi-process study without a storage gets a
    journal file in a temporary folder. Returns (design, study)."""
    design = _design(cfg)
    if cfg.method not in METHODS:
        raise TuneError(f"unknown search method {cfg.method!r}; use {', '.join(METHODS)}")
    if cfg.trials < 1:
        raise TuneError(f"--trials must be at least 1, received {cfg.trials}")
    if cfg.kfold and cfg.kfold < 2:
        raise TuneError(f"--kfold must be at least 2, received {cfg.kfold}")
    cfg.metric = cfg.metric or default_metric(design, cfg.kfold)
    check_metric(design, cfg.metric, cfg.kfold)
    from .model import load_design_data
    load_design_data(design.data, design.folder)     # a data problem: one line now, not per trial
    if cfg.method == "grid":
        cfg.trials = min(cfg.trials, grid_size(design.search))
    if cfg.storage is None and jobs > 1:
        folder = cfg.temporary_folder = tempfile.mkdtemp(prefix="netdesigner-tune-")
        cfg.storage = f"journal://{os.path.join(folder, 'study.log')}"
    storage = open_storage(cfg.storage, cfg.heartbeat)
    study = ensure_study(storage, cfg.study, direction_for(cfg.metric),
                         make_sampler(cfg.method, design.search, cfg.seed), make_pruner(cfg.prune))
    return design, study


def start(cfg: TuneConfig, jobs: int) -> list:
    """Start `jobs` worker processes on this machine (after prepare); returns them."""
    from .pool import spawn_workers
    return spawn_workers(_worker_process, [(cfg, i) for i in range(jobs)])


# ----------------------------------------------------------------------------- results

def trial_rows(study, search_names: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of every trial: number, state, value, seconds, then each parameter."""
    trials = study.get_trials(deepcopy=False)
    names = search_names or sorted({k for t in trials for k in t.params})
    head = ["trial", "state", "value", "seconds"] + names
    rows = []
    for t in trials:
        secs = t.duration.total_seconds() if t.duration is not None else None
        rows.append([str(t.number), t.state.name, "" if t.value is None else f"{t.value:.6g}",
                     "" if secs is None else f"{secs:.2f}"] + [_fmt(t.params[n]) if n in t.params else ""
                                                              for n in names])
    return head, rows


def format_table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    line = (lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join([line(head)] + [line(r) for r in rows])


def best_trial(study):
    """The best complete trial, or None when no trial completed."""
    from optuna.trial import TrialState
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return None
    return study.best_trial


def apply_best(design, study):
    """A copy of `design` with the best trial's values (the search section kept)."""
    from .search_space import apply_values
    best = best_trial(study)
    if best is None:
        raise TuneError("no trial completed: there is no best trial to apply")
    return apply_values(design, best.params)


# ----------------------------------------------------------------------------- CLI

def add_subcommand(sub) -> None:
    p = sub.add_parser("tune", help="hyper-parameter search over the design's searched parameters",
                       description="Run an Optuna study over the parameters the design marks as searched. "
                                   "Workers on any number of machines join one study through --storage.")
    p.add_argument("design")
    p.add_argument("--trials", type=int, default=10, help="finished trials the study should hold (default 10)")
    p.add_argument("--sampler", choices=METHODS, default="tpe", help="search method (default tpe)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes on this machine (default 1)")
    p.add_argument("--storage", help="sqlite:///FILE.db, postgresql+psycopg://USER@HOST/DB or journal:///FILE.log")
    p.add_argument("--study", default="netdesigner", help="study name (default netdesigner)")
    p.add_argument("--kfold", type=int, default=0, help="k-fold cross-validate every trial (k >= 2)")
    p.add_argument("--epochs", type=int, help="override the design's epoch count in every trial")
    p.add_argument("--metric", default="", help="what to optimise (default val_loss, or loss without "
                                                "a validation split); accuracy-like metrics are maximised")
    p.add_argument("--seed", type=int, help="seed of the sampler (worker i uses seed + i)")
    p.add_argument("--no-prune", action="store_true", help="do not prune with the median rule")
    p.add_argument("--heartbeat", type=int, default=DEFAULT_HEARTBEAT_S,
                   help="seconds between heartbeats on SQL storages; a trial silent for twice this "
                        "is failed and retried (default 10)")
    p.add_argument("--apply-best", metavar="OUT.json", help="write the design with the best trial's values")
    p.add_argument("--quiet", action="store_true", help="only the results")
    p.set_defaults(handler=cmd_tune)


def cmd_tune(args) -> int:
    from .designfile import load_design, save_design
    quiet_optuna()
    design = load_design(args.design)
    if not 1 <= args.jobs <= MAX_JOBS:
        raise TuneError(f"--jobs must be between 1 and {MAX_JOBS}, received {args.jobs}")
    if args.epochs is not None and args.epochs < 1:
        raise TuneError(f"--epochs must be at least 1, received {args.epochs}")
    if args.heartbeat < 1:
        raise TuneError(f"--heartbeat must be at least 1 second, received {args.heartbeat}")
    if args.apply_best and not os.path.isdir(os.path.dirname(os.path.abspath(args.apply_best))):
        raise TuneError(f"cannot write {args.apply_best}: its folder does not exist")
    cfg = TuneConfig(design.to_dict(), design.folder, trials=args.trials, method=args.sampler,
                     study=args.study, storage=args.storage, metric=args.metric, epochs=args.epochs,
                     kfold=args.kfold, seed=args.seed, heartbeat=args.heartbeat,
                     prune=not args.no_prune, quiet=args.quiet)
    design, study = prepare(cfg, args.jobs)
    if not args.quiet:
        print(f"study {cfg.study!r}: {cfg.method} search of {', '.join(sp.name for sp in design.search)} "
              f"— {cfg.trials} trials, {args.jobs} worker(s), {direction_for(cfg.metric)} {cfg.metric}",
              file=sys.stderr, flush=True)
    try:
        if args.jobs == 1:
            work(cfg, study=study)
        else:
            procs = start(cfg, args.jobs)
            for p in procs:
                p.join()
            bad = [p.exitcode for p in procs if p.exitcode]
            if bad:
                print(f"netdesigner tune: {len(bad)} of {len(procs)} workers failed (exit {bad[0]})", file=sys.stderr)
        head, rows = trial_rows(study, [sp.name for sp in design.search])
        print(format_table(head, rows))
        best = best_trial(study)
        if best is None:
            print("no trial completed")
            return 1
        print(f"best: trial {best.number}, {cfg.metric} {best.value:.6g}: {_params_text(best)}")
        if args.apply_best:
            save_design(apply_best(design, study), args.apply_best)
            print(f"wrote {args.apply_best}")
        return 0
    finally:
        remove_temporary(cfg)
