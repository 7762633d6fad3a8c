"""core/ops/deferred.py: a block module holds its own op (jitted adapters, kernels it needs) and
still imports without numba — the palette imports every block module at start-up and start-up
never loads numba. The op registry turns the records into numba objects before the engine is built.
"""
import importlib
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_importing_every_block_module_leaves_numba_unloaded():
    code = ("import importlib, pkgutil, sys, core.blocks\n"
            "for m in pkgutil.iter_modules(core.blocks.__path__):\n"
            "    importlib.import_module('core.blocks.' + m.name)\n"
            "import core.blocks.conv, core.blocks.pooling, core.blocks.recurrent\n"
            "print(sorted(n for n in sys.modules if n == 'numba' or n.startswith('numba.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_registry_materializes_the_block_modules_and_points_at_their_adapters():
    from numba.core.registry import CPUDispatcher

    import core.blocks.conv as conv
    import core.blocks.pooling as pooling
    import core.blocks.recurrent as recurrent
    from core.kernels import cuda_conv, pool
    from core.kernels import recurrent as recurrent_kernels
    from core.ops import common, registry

    registry.ops()
    expected = {"conv2d": (conv, "forward", "backward"),
                "maxpool2d": (pooling, "max_forward", "max_backward"),
                "avgpool2d": (pooling, "avg_forward", "avg_backward"),
                "global_avgpool2d": (pooling, "gap_forward", "gap_backward"),
                "simple_rnn": (recurrent, "_rnn_forward", "_rnn_backward"),
                "lstm": (recurrent, "_lstm_forward", "_lstm_backward"),
                "gru": (recurrent, "_gru_forward", "_gru_backward")}
    for name, (module, fwd, bwd) in expected.items():
        entry = registry.op(name)
        assert entry.module == module.__name__
        for attr, adapter in ((fwd, entry.forward), (bwd, entry.backward)):
            assert isinstance(getattr(module, attr), CPUDispatcher), (name, attr)
            assert adapter is getattr(module, attr), (name, attr)
    # the needs() placeholders became the real objects
    assert conv.view is common.view and conv.io_of is common.io_of and conv.cuda_conv is cuda_conv
    assert pooling.maxpool2d_forward is pool.maxpool2d_forward
    assert recurrent.lstm_backward is recurrent_kernels.lstm_backward


_THROWAWAY = '''
from core.ops.deferred import needs, njit

flat = needs("core.ops.common", "flat")
kernels = needs("core.kernels.recurrent")


@njit
def _inc(x):
    return x + 1


@njit
def twice_plus_two(a):
    """2·(a[0] + 1): calls a deferred function of this module and a needed one of another."""
    return 2 * _inc(flat(a, 0, 1, 1)[0])


def lstm_aux(T, h):          # plain Python, as a CUDA launcher: reads a needed module at call time
    return kernels.lstm_aux_size(T, h)
'''


@pytest.fixture
def throwaway(tmp_path, monkeypatch):
    """A fresh module written with core/ops/deferred.py, importable by name from tmp_path."""
    made = []

    def make(name):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(_THROWAWAY), encoding="utf-8")
        monkeypatch.syspath_prepend(str(tmp_path))
        made.append(name)
        return importlib.import_module(name)

    yield make
    for name in made:
        sys.modules.pop(name, None)


def test_a_needed_name_used_before_materialize_says_which_module_needs_what(throwaway):
    import numpy as np

    from core.ops.deferred import materialize

    mod = throwaway("deferred_probe_early_use")
    with pytest.raises(RuntimeError, match=r"deferred_probe_early_use uses core\.ops\.common\.flat"):
        mod.flat(np.zeros(1), 0, 1, 1)
    with pytest.raises(RuntimeError, match=r"deferred_probe_early_use uses core\.kernels\.recurrent .*"
                                           r"materialize\(deferred_probe_early_use\)"):
        mod.lstm_aux(3, 2)
    materialize(mod)
    assert mod.lstm_aux(3, 2) == 7 * 3 * 2        # LSTM keeps 7 values per step and unit
    from core.kernels import recurrent
    assert mod.kernels is recurrent


def test_a_deferred_function_called_from_python_materializes_its_module(throwaway):
    import numpy as np
    from numba.core.registry import CPUDispatcher

    from core.ops import common
    from core.ops.deferred import Deferred, Needed

    def has_deferred(module):
        return any(isinstance(v, (Deferred, Needed)) for v in vars(module).values())

    mod = throwaway("deferred_probe_call")
    assert isinstance(vars(mod)["twice_plus_two"], Deferred) and has_deferred(mod)
    assert mod.twice_plus_two(np.array([4.0])) == 10.0
    assert not has_deferred(mod)
    assert isinstance(mod.twice_plus_two, CPUDispatcher) and isinstance(mod._inc, CPUDispatcher)
    assert mod.flat is common.flat
    assert mod.twice_plus_two(np.array([0.5])) == 3.0      # now the compiled function itself
