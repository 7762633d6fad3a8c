"""Folds side by side: k-fold in worker processes gives exactly the per-fold numbers of the
sequential run; each worker holds its share of the threads; --jobs/--threads parse and apply."""
import os

import numpy as np
import pytest

from core.cli import main as cli_main
from core.designfile import save_design
from core.kfold import kfold
from core.pool import run_in_processes, share
from tests.test_kfold import iris_design


def report_threads(tag):
    """Runs in a worker: what its pools hold."""
    import numba
    return (tag, numba.get_num_threads(), int(numba.config.NUMBA_NUM_THREADS), os.environ["OMP_NUM_THREADS"],
            os.environ["OPENBLAS_NUM_THREADS"], os.getpid())


def fail_in_worker(x):
    raise ValueError(f"bad fold {x}")


def test_kfold_jobs_equal_sequential_exactly():
    design = iris_design(validation_split=0.1, epochs=4)
    seq = kfold(design, k=3, seed=2)
    seen = []
    par = kfold(design, k=3, seed=2, jobs=2, on_fold=lambda i, row: seen.append(i))
    assert par.per_fold == seq.per_fold          # every fold's loss and metrics, bit for bit
    assert par.mean == seq.mean and par.std == seq.std
    assert sorted(seen) == [0, 1, 2]
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(par.folds, seq.folds))


def test_workers_hold_their_share_of_the_threads_in_order():
    out = run_in_processes(report_threads, [("a",), ("b",), ("c",)], jobs=2, cores=4)
    assert [o[0] for o in out] == ["a", "b", "c"]               # results in submission order
    for _, numba_threads, pool, omp, blas, pid in out:
        assert (numba_threads, pool, omp, blas) == (2, 2, "2", "2")
        assert pid != os.getpid()
    assert share(3, 8) == 2 and share(16, 8) == 1


def test_a_worker_error_reaches_the_caller():
    with pytest.raises(ValueError, match=r"^bad fold [12]$"):    # whichever worker fails first
        run_in_processes(fail_in_worker, [(1,), (2,)], jobs=2, cores=2)


def test_cli_kfold_jobs_and_threads(tmp_path, capsys):
    path = tmp_path / "iris.json"
    save_design(iris_design(epochs=2), path)
    assert cli_main(["kfold", str(path), "--k", "3", "--jobs", "2", "--threads", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("fold ") == 3 and "mean ± std  loss" in out
    for bad in (["--jobs", "0"], ["--threads", "-1"], ["--jobs", "x"]):
        with pytest.raises(SystemExit) as e:
            cli_main(["kfold", str(path), *bad])
        assert e.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_cli_train_threads_applies_to_the_engine(tmp_path, monkeypatch):
    import numba

    from core import executor
    path = tmp_path / "iris.json"
    save_design(iris_design(epochs=1), path)
    seen = []
    original = executor.Executor._engine_threads

    def spy(self):
        n = original(self)
        seen.append((self.threads, n, numba.get_num_threads()))
        return n
    monkeypatch.setattr(executor.Executor, "_engine_threads", spy)
    assert cli_main(["train", str(path), "--threads", "1", "--quiet"]) == 0
    assert seen and all(s == (1, 1, 1) for s in seen)
    with pytest.raises(SystemExit) as e:
        cli_main(["train", str(path), "--threads", "-2"])
    assert e.value.code == 2
