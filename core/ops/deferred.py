"""Jitted code inside a numba-free module, so a block's module can hold its own op.

The palette imports every block module at start-up and start-up never loads numba
(tests/gui/test_app.py). Decorating with this module's ``njit`` / ``cuda_jit`` only *records* the
function, and ``needs("core.ops.common", "view", "io_of")`` records names another module will
provide. ``materialize(module)`` imports numba and replaces every record in the module's globals
with the real object: numba reads a function's globals when it compiles it, so an adapter's body
then sees real dispatchers, exactly as if the module had said ``from numba import njit``. Caching
is unchanged (numba caches by the function's source file and qualified name).

Who calls ``materialize``: the op registry, for every module it finds an op in (before the engine
is generated), and any deferred function called from Python (a test calling a kernel directly).

    from core.ops.deferred import njit, needs
    from core.kernels.config import JIT_INLINE
    view, io_of = needs("core.ops.common", "view", "io_of")

    @njit(**JIT_INLINE)
    def forward(s, ops, opf, op_in, tens, params, acts, aux, aux_off, X, rows, n, training, rng, threads):
        xo, iw, yo, ow = io_of(s, ops, op_in, tens)
        ...
"""
from __future__ import annotations

import functools
import importlib
import sys
import threading
from types import ModuleType
from typing import Any, Callable

_lock = threading.RLock()
_DONE = "__deferred_materialized__"


class Deferred:
    """A function to be compiled by numba (``njit`` or ``cuda.jit``) when its module is materialized."""

    def __init__(self, fn: Callable, options: dict, kind: str):
        self.py_func, self.options, self.kind = fn, dict(options), kind
        self.compiled: Any = None
        functools.update_wrapper(self, fn)

    def compile(self):
        if self.compiled is None:
            if self.kind == "cuda":
                from numba import cuda
                self.compiled = cuda.jit(**self.options)(self.py_func)
            else:
                import numba
                self.compiled = numba.njit(**self.options)(self.py_func)
        return self.compiled

    def __call__(self, *args, **kwargs):
        materialize(sys.modules[self.py_func.__module__])
        return self.compile()(*args, **kwargs)

    def __getitem__(self, launch_config):          # kernel[blocks, threads](...) for cuda_jit
        materialize(sys.modules[self.py_func.__module__])
        return self.compile()[launch_config]

    def __repr__(self) -> str:
        state = "compiled" if self.compiled is not None else "not compiled yet"
        return f"<deferred {self.kind} {self.py_func.__module__}.{self.py_func.__qualname__} ({state})>"


class Needed:
    """A name (or a whole module) that ``materialize`` fetches from another module."""

    def __init__(self, module: str, name: str | None, owner: str | None = None):
        self.module, self.name, self.owner = module, name, owner    # owner: the module that needs it

    def resolve(self):
        if self.name is None:
            return importlib.import_module(self.module)
        mod = importlib.import_module(self.module)
        try:
            return getattr(mod, self.name)
        except AttributeError:
            return importlib.import_module(f"{self.module}.{self.name}")

    def _unresolved(self, *args, **kwargs):
        what = self.module if self.name is None else f"{self.module}.{self.name}"
        owner = self.owner or "<the module that needs it>"
        raise RuntimeError(f"{owner} uses {what} before it is loaded: the op registry provides it when the "
                           f"engine is built; else call core.ops.deferred.materialize({owner}) first")

    __call__ = _unresolved

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._unresolved()

    def __repr__(self) -> str:
        return f"<needed {self.module}{'' if self.name is None else '.' + self.name}>"


def njit(*args, **options):
    """``numba.njit``, compiled when the module is materialized. ``@njit`` or ``@njit(**options)``."""
    if args and callable(args[0]) and not options:
        return Deferred(args[0], {}, "njit")
    return lambda fn: Deferred(fn, options, "njit")


def cuda_jit(*args, **options):
    """``numba.cuda.jit``, compiled when the module is materialized (device functions:
    ``cuda_jit(device=True)``)."""
    if args and callable(args[0]) and not options:
        return Deferred(args[0], {}, "cuda")
    return lambda fn: Deferred(fn, options, "cuda")


def needs(module: str, *names: str):
    """Placeholders for ``from module import names`` (or the module itself with no names), filled
    in by ``materialize``. One name gives one placeholder, several a tuple."""
    owner = sys._getframe(1).f_globals.get("__name__")      # named in the error of a too-early use
    if not names:
        return Needed(module, None, owner)
    found = tuple(Needed(module, n, owner) for n in names)
    return found[0] if len(found) == 1 else found


def resolve(value):
    """The compiled function for a Deferred (its module materialized), else the value itself."""
    if isinstance(value, Deferred):
        materialize(sys.modules[value.py_func.__module__])
        return value.compile()
    return value


def materialize(module: ModuleType) -> ModuleType:
    """Replace the module's placeholders and deferred functions by the real objects (once)."""
    g = vars(module)
    if g.get(_DONE):
        return module
    with _lock:
        if g.get(_DONE):
            return module
        items = list(g.items())
        for key, value in items:
            if isinstance(value, Needed):
                g[key] = value.resolve()
        for key, value in items:
            if isinstance(value, Deferred):
                g[key] = value.compile()
        g[_DONE] = True
    return module


__all__ = ["Deferred", "Needed", "njit", "cuda_jit", "needs", "resolve", "materialize"]
