"""core/kernels/gemm.py reads the host's vector width from LLVM, which raises RuntimeError on some
platforms: the engine must still import and pick the portable 32-byte tiles."""
import os
import subprocess
import sys

import llvmlite.binding as llvm

from core.kernels import gemm


def _raise(*args, **kwargs):
    raise RuntimeError("LLVM could not read the host CPU's features")


def test_unreadable_cpu_features_mean_no_avx512(monkeypatch):
    monkeypatch.setattr(llvm, "get_host_cpu_features", _raise)
    assert gemm.host_has_avx512() is False


_PROBE = """
import llvmlite.binding as llvm
def _raise(*a, **k):
    raise RuntimeError("LLVM could not read the host CPU's features")
llvm.get_host_cpu_features = _raise
from core.kernels import gemm
print(gemm.VECTOR_BYTES, gemm.MR)
"""


def test_engine_imports_with_portable_tiles_when_features_raise(tmp_path):
    """A fresh process where LLVM raises: the kernels module imports and chooses 32-byte vectors
    and 4-row tiles (nothing is compiled; a private cache folder keeps the real cache clean)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", _PROBE], cwd=root, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["32", "4"]
