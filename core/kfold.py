"""k-fold cross-validation: k fresh copies of a design, each tested on the fold it did not see.

Folds are seeded and, for classification, stratified (each class spread evenly over the folds).
For fold i the model is trained on the other k−1 folds — less the design's validation fraction
when it has one (split off the same way as in normal training) — with the scaler fitted on its
training part only, and evaluated on fold i. Every fold starts from the same fresh weights (the
design's training seed). The report gives each fold's loss and metrics and their mean ± std
(population std, ddof=0, as NumPy and scikit-learn's ``cross_val_score(...).std()``).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from .data import Dataset, PreparedData, Scaler, load_dataset, train_val_test_split
from .errors import DataError


def kfold_indices(y, k: int, seed: int = 0, stratify: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(train indices, test indices)] for k folds over len(y) samples (sorted index arrays).

    Stratified: each class's samples are shuffled and dealt round-robin over the folds, the
    classes one after another, so fold sizes differ by at most one and each class's counts per
    fold differ by at most one. Otherwise a seeded shuffle is cut into k near-equal parts.
    """
    y = np.asarray(y)
    n = len(y)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise DataError(f"k-fold expects an integer k >= 2. Received: k={k!r}")
    if k > n:
        raise DataError(f"k-fold with k={k} needs at least {k} samples; the data has {n}")
    rng = np.random.default_rng(seed)
    fold = np.empty(n, np.int64)
    if stratify:
        labels = y.reshape(n, -1)[:, 0].astype(np.int64)
        order = np.concatenate([rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)])
        fold[order] = np.arange(n) % k
    else:
        order = rng.permutation(n)
        fold[order] = np.repeat(np.arange(k), np.full(k, n // k) + (np.arange(k) < n % k))
    return [(np.flatnonzero(fold != i), np.flatnonzero(fold == i)) for i in range(k)]


def design_dataset(design) -> Dataset:
    """The design's whole data set, before any split."""
    d = design.data
    if d["source"] == "builtin":
        return load_dataset(d["name"], seed=d["seed"], **d["params"])
    from .dataio import load_data_file
    return load_data_file(d, design.folder)


def fold_data(dataset: Dataset, train_idx, test_idx, *, scaling: str = "standard", val: float = 0.0,
              seed: int = 0) -> PreparedData:
    """Prepared data of one fold: train (less a `val` fraction, stratified for classification),
    the held-out fold as the test part, all scaled by a scaler fitted on the train part only."""
    classify = dataset.task != "regression"
    X_fit, y_fit = dataset.X[train_idx], dataset.y[train_idx]
    X_val = y_val = None
    if val > 0:
        parts = train_val_test_split(X_fit, y_fit, val=val, stratify=classify, seed=seed)
        (X_fit, y_fit), v = parts["train"], parts["val"]
        if v is not None:
            X_val, y_val = v
    scaler = Scaler(scaling).fit(X_fit, dataset.sample_shape)   # per channel for images/sequences, as prepare
    col = (lambda y: None if y is None else np.asarray(y, np.float64).reshape(len(y), -1))
    X_test, y_test = dataset.X[test_idx], dataset.y[test_idx]
    return PreparedData(scaler.transform(X_fit), col(y_fit),
                        None if X_val is None else scaler.transform(X_val), col(y_val),
                        scaler.transform(X_test), col(y_test), scaler=scaler, task=dataset.task,
                        n_classes=dataset.n_classes, feature_names=list(dataset.feature_names),
                        class_names=dataset.class_names, name=dataset.name, sample_shape=dataset.sample_shape)


@dataclass
class KFoldResult:
    """per_fold: one dict per fold (fold, n_train, n_test, epochs, loss, metrics…); mean and std
    over the folds of every metric (loss included)."""

    k: int
    per_fold: list[dict]
    mean: dict
    std: dict
    folds: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, repr=False)

    def table(self) -> str:
        keys = list(self.mean)
        rows = [[f"fold {r['fold']}", f"{r['n_train']}/{r['n_test']}"] + [f"{r[k]:.4g}" for k in keys]
                for r in self.per_fold]
        rows.append(["mean ± std", ""] + [f"{self.mean[k]:.4g} ± {self.std[k]:.2g}" for k in keys])
        head = ["", "train/test"] + keys
        widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
        fmt = (lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
        return "\n".join([fmt(head)] + [fmt(r) for r in rows])


_INFO = ("fold", "n_train", "n_test", "epochs")


def fold_models(design, k: int = 5, seed: int = 0, dataset: Dataset | None = None
                ) -> Iterator[tuple[int, "object", tuple[np.ndarray, np.ndarray]]]:
    """(fold index, fresh untrained Model, (train idx, test idx)) per fold — for a GUI worker that
    drives each Model's trainer itself."""
    from .model import Model
    ds = design_dataset(design) if dataset is None else dataset
    d = design.data
    folds = kfold_indices(ds.y, k, seed, stratify=ds.task != "regression")
    for i, (tr, te) in enumerate(folds):
        data = fold_data(ds, tr, te, scaling=d["scaling"], val=d["validation_split"], seed=d["seed"])
        yield i, Model(design, data), (tr, te)


def summarize(per_fold: list[dict]) -> tuple[dict, dict]:
    keys = [k for k in per_fold[0] if k not in _INFO]
    mean = {k: float(np.mean([r[k] for r in per_fold])) for k in keys}
    std = {k: float(np.std([r[k] for r in per_fold])) for k in keys}
    return mean, std


def _fold_names(design, metrics, task) -> list[str]:
    names = list(design.training["metrics"]) if metrics is None else list(metrics)
    if not names and task != "regression":
        names = ["accuracy"]
    return names


def run_fold(design, dataset: Dataset, i: int, tr, te, metrics, epochs, initial_weights: str = "",
             callbacks=()) -> dict:
    """Train and test fold i (train indices tr, test indices te); its results row. The same
    function runs a fold in this process and in a k-fold worker process, so both give the same
    numbers (the engine's results do not depend on the thread count)."""
    from .model import Model
    d = design.data
    data = fold_data(dataset, tr, te, scaling=d["scaling"], val=d["validation_split"], seed=d["seed"])
    model = Model(design, data)
    if initial_weights:
        from .finetune import load_matching_weights
        load_matching_weights(model, initial_weights)
    names = _fold_names(design, metrics, data.task)
    end = model.fit(collect_stats=False, epochs=epochs, callbacks=callbacks)
    logs = model.evaluate("test", names)
    return {"fold": i + 1, "n_train": len(model.data.X_train), "n_test": len(te),
            "epochs": end.epochs_run, **logs}


def kfold(design, k: int = 5, seed: int = 0, *, epochs: int | None = None, metrics: list[str] | None = None,
          dataset: Dataset | None = None, on_fold: Callable[[int, dict], None] | None = None,
          callbacks=(), jobs: int = 1, cores: int | None = None, initial_weights: str = "",
          on_start: Callable[[int], None] | None = None, cancel=None) -> KFoldResult:
    """Train k fresh copies of `design` and test each on its held-out fold.

    Args:
        seed: seed of the fold assignment (the weights start from the design's training seed).
        epochs: override the design's epoch count.
        metrics: metrics to report (default: the design's; accuracy for classification when the
            design lists none). The loss is always reported.
        on_fold: called with (fold index, that fold's results) as each fold ends (with jobs > 1
            in the order the folds finish).
        jobs: folds trained side by side in that many spawned processes (core/pool.py), each with
            `cores // jobs` threads (cores: default the physical cores); 1 trains them here, one
            after another. Callbacks cannot travel to other processes: jobs > 1 refuses them.
        initial_weights: a weights file every fold starts from (fine-tuning), "" for fresh weights.
        on_start, cancel: with jobs > 1, see core.pool.run_in_processes (the GUI's dialog).
    """
    ds = design_dataset(design) if dataset is None else dataset
    folds = kfold_indices(ds.y, k, seed, stratify=ds.task != "regression")
    if jobs > 1 and callbacks:
        raise ValueError("k-fold callbacks run in this process only: use jobs=1 with callbacks")
    if jobs > 1:
        from .pool import run_in_processes
        per_fold = run_in_processes(run_fold, [(design, ds, i, tr, te, metrics, epochs, initial_weights)
                                               for i, (tr, te) in enumerate(folds)],
                                    jobs, cores, on_result=on_fold, on_start=on_start, cancel=cancel)
    else:
        per_fold = []
        for i, (tr, te) in enumerate(folds):
            per_fold.append(run_fold(design, ds, i, tr, te, metrics, epochs, initial_weights, callbacks))
            if on_fold is not None:
                on_fold(i, per_fold[-1])
    mean, std = summarize(per_fold)
    return KFoldResult(k, per_fold, mean, std, list(folds))


# ----------------------------------------------------------------------------- CLI

def add_subcommand(sub) -> None:
    from .threads import cli_job_count, cli_thread_count
    p = sub.add_parser("kfold", help="k-fold cross-validation of a design",
                       description="Train k fresh copies of the design, each tested on the fold it did "
                                   "not see; prints every fold and mean ± std.")
    p.add_argument("design")
    p.add_argument("--k", type=int, default=5, help="number of folds (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the fold assignment (default 0)")
    p.add_argument("--epochs", type=int, help="override the design's epoch count")
    p.add_argument("--metrics", help="comma-separated metrics (default: the design's)")
    p.add_argument("--jobs", type=cli_job_count, default=1,
                   help="folds trained side by side in this many processes, each with its share of "
                        "the threads (default 1)")
    p.add_argument("--threads", type=cli_thread_count, default=None,
                   help="threads in all (default: the design's setting; 0 = the physical cores); "
                        "split evenly over the --jobs processes")
    p.set_defaults(handler=cmd_kfold)


def cmd_kfold(args) -> int:
    from .designfile import load_design
    design = load_design(args.design)
    threads = design.training.get("threads", 0) if args.threads is None else args.threads
    cores = None if not threads else threads
    if args.jobs == 1 and threads:
        design.training["threads"] = threads
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None

    def report(i, row):
        vals = "  ".join(f"{k} {v:.4g}" for k, v in row.items() if k not in _INFO)
        print(f"fold {i + 1}/{args.k}  ({row['n_train']} train, {row['n_test']} test, "
              f"{row['epochs']} epochs)  {vals}", flush=True)

    print(f"{args.k}-fold cross-validation of {args.design} (compiling on the first fold…)", file=sys.stderr)
    res = kfold(design, args.k, args.seed, epochs=args.epochs, metrics=metrics, on_fold=report,
                jobs=args.jobs, cores=cores)
    print("mean ± std  " + "  ".join(f"{k} {res.mean[k]:.4g} ± {res.std[k]:.2g}" for k in res.mean))
    return 0
