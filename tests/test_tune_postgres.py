"""Two `netdesigner tune` workers share one study on a real PostgreSQL server, one killed mid-trial.

The test starts a throwaway cluster in a temporary folder (Debian's ``postgresql`` package, which
.ci/run installs) and talks to it over a Unix socket only. Missing server binaries are a failure,
not a skip: the many-machine path must be tested on every CI run.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile

import pytest

import optuna  # noqa: F401,E402  (the test extra has both: missing, the test fails)
import psycopg  # noqa: F401,E402

from tests.tune_helpers import check_two_workers_one_killed, searched_xor  # noqa: E402


def _bin_dir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin/initdb): "
                    "install Debian's postgresql package (.ci/run does)")
    return os.path.dirname(found[-1])


@pytest.fixture
def postgres_url(tmp_path):
    """A running throwaway cluster; yields its socket URL and stops it afterwards."""
    bin_dir = _bin_dir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:                     # the server refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root needs the 'postgres' user (made by Debian's postgresql package)")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    folder = tempfile.mkdtemp(prefix="nd-pg-")
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    data = os.path.join(folder, "db")
    port = "54329"
    run = (lambda *cmd: subprocess.run(as_postgres + list(cmd), check=True, capture_output=True, text=True))
    run(os.path.join(bin_dir, "initdb"), "-D", data, "-A", "trust", "-U", "nd")
    run(os.path.join(bin_dir, "pg_ctl"), "-D", data, "-l", os.path.join(folder, "log"),
        "-o", f"-k {folder} -p {port} -c listen_addresses=''", "-w", "start")
    try:
        yield f"postgresql+psycopg://nd@/postgres?host={folder}&port={port}"
    finally:
        subprocess.run(as_postgres + [os.path.join(bin_dir, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_two_workers_on_postgresql_one_killed_mid_trial(tmp_path, postgres_url):
    check_two_workers_one_killed(searched_xor(tmp_path), postgres_url)
