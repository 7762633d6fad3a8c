"""Refuse what is not a plain file before opening it.

``open("/dev/zero")`` reads forever, ``open(fifo)`` blocks until a writer appears and a folder
raises ``IsADirectoryError`` deep inside a parser; ``os.stat`` answers all three at once without
opening anything, so the loaders of weights and data ask it first.
"""
from __future__ import annotations

import os
import stat
from typing import Callable

from .errors import NetDesignerError


def require_regular_file(path: str, error: Callable[[str], NetDesignerError]) -> os.stat_result:
    """The file's ``stat`` result, or ``error(reason)`` raised when it is missing or not a plain file.

    Args:
        path: the file (symbolic links are followed, as ``open`` would).
        error: builds the loader's own error from a reason, e.g.
            ``lambda reason: WeightsError(reason, file=path)``.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error("file not found") from None
    except (OSError, ValueError) as e:         # ValueError: a NUL in the path
        raise error(f"cannot read the file ({getattr(e, 'strerror', None) or e})") from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise error("is a folder, not a file")
    if not stat.S_ISREG(mode):
        kind = ("a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
                "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
                "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise error(f"is {kind}, not a regular file; it is not read")
    return st
