"""Read ``.npy`` / ``.npz`` files as hostile input: every header is checked before any data is read.

``np.load`` trusts a header: an ``.npy`` header claiming 10¹² floats allocates 8 TB (MemoryError),
and an ``.npz`` entry of a few kilobytes that inflates to gigabytes (a zip bomb) is decompressed in
full before anyone looks at its shape. Here the header of every entry is read from the zip
stream first (``np.lib.format.read_magic`` / ``read_array_header_*``), and the size it claims must
equal what the archive says the entry holds; a compressed entry may not expand beyond a plausible
ratio. Only then is data read, in chunks, into an array of exactly the checked size. Nothing is
ever unpickled, and numpy's hint to retry with ``allow_pickle=True`` is never passed on.

Errors are built by the caller's ``error(reason)`` (a WeightsError or a DataError naming the file).
"""
from __future__ import annotations

import math
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import NetDesignerError
from .fileguard import require_regular_file

Error = Callable[[str], NetDesignerError]

ZIP_BOMB_RATIO = 64                 # trained floats and real data barely compress; 64× is a bomb
ZIP_BOMB_FLOOR = 16 << 20           # ...unless the entry is small anyway (a zero bias compresses well)
_READ_CHUNK = 1 << 20
_NPY_HEADER_LIMIT = 10_000          # numpy's own default for untrusted headers
NPY_MAGIC = b"\x93NUMPY"

# What the zip and npy readers raise on damaged input; each becomes the caller's error.
READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, struct.error,
               NotImplementedError, RuntimeError, OverflowError, KeyError, IndexError, TypeError,
               SyntaxError, MemoryError, RecursionError, UnicodeDecodeError)


@dataclass(frozen=True)
class EntryInfo:
    """One array as its ``.npy`` header declares it (no data read)."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    nbytes: int
    header_len: int
    member: str            # the zip entry's file name (``name + ".npy"``); "" for a plain .npy


def describe(e: BaseException) -> str:
    """An exception's first line, without numpy's advice to load the file with allow_pickle=True."""
    text = str(e)
    if "pickle" in text.lower():
        return "it is not plain numeric data, and pickled data is never loaded"
    return text.strip().splitlines()[0] if text.strip() else type(e).__name__


def read_npy_header(fp) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran_order, dtype, header length) of the ``.npy`` stream at its start."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp, max_header_size=_NPY_HEADER_LIMIT)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp, max_header_size=_NPY_HEADER_LIMIT)
    else:
        raise ValueError(f".npy format version {version[0]}.{version[1]} is not supported")
    return tuple(shape), bool(fortran), dtype, fp.tell()


def _checked(name: str, shape, fortran, dtype, header_len, stored: int, member: str, error: Error,
             what: str) -> EntryInfo:
    if dtype.hasobject:
        raise error(f"{what} holds Python objects (pickled data), which are never loaded; save plain "
                    "numeric arrays")
    if any(not isinstance(s, int) or s < 0 for s in shape):
        raise error(f"{what} declares the impossible shape {shape}")
    nbytes = math.prod(shape) * dtype.itemsize
    if header_len + nbytes != stored:
        raise error(f"{what} claims shape {shape} of {dtype} ({nbytes:,} bytes) but the file stores "
                    f"{max(stored - header_len, 0):,} bytes of data (a truncated or forged file)")
    return EntryInfo(name, shape, dtype, fortran, nbytes, header_len, member)


def npy_info(path: str, error: Error) -> EntryInfo:
    """The header of a plain ``.npy`` file, checked against the file's size."""
    st = require_regular_file(path, error)
    try:
        with open(path, "rb") as f:
            shape, fortran, dtype, header_len = read_npy_header(f)
    except READ_ERRORS as e:
        raise error(f"not a readable .npy file ({describe(e)})") from None
    return _checked(os.path.basename(path), shape, fortran, dtype, header_len, st.st_size, "", error,
                    "the array")


def open_npz(path: str, error: Error) -> tuple[zipfile.ZipFile, dict[str, EntryInfo]]:
    """The open archive and every entry's checked header (no data read). Close the archive."""
    st = require_regular_file(path, error)
    try:
        with open(path, "rb") as f:
            magic = f.read(len(NPY_MAGIC))
    except OSError as e:
        raise error(f"cannot read the file ({e.strerror})") from None
    if magic.startswith(NPY_MAGIC):
        raise error("is a single .npy array, not a .npz archive (rename it to .npy, or save with numpy.savez)")
    if not magic.startswith(b"PK"):
        raise error("not a .npz archive (it is not a zip file)")
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except READ_ERRORS as e:
        raise error(f"not a readable .npz archive ({describe(e)})") from None
    try:
        entries: dict[str, EntryInfo] = {}
        for info in infos:
            entry = _zip_entry(zf, info, st.st_size, error)
            if entry.name in entries:
                raise error(f"the archive holds {entry.name!r} twice")
            entries[entry.name] = entry
    except BaseException:
        zf.close()
        raise
    return zf, entries


def _zip_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive_size: int, error: Error) -> EntryInfo:
    member = info.filename
    if not member.endswith(".npy"):
        raise error(f"the archive holds {member!r}, which is not a .npy array")
    name = member[:-4]
    what = f"entry {name!r}"
    if info.flag_bits & 0x1:
        raise error(f"{what} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise error(f"{what} uses zip compression method {info.compress_type}, which is not read; "
                    "save with numpy.savez or numpy.savez_compressed")
    if info.compress_size > archive_size or (info.compress_type == zipfile.ZIP_STORED
                                             and info.file_size != info.compress_size):
        raise error(f"{what}: the archive's directory gives sizes the file cannot hold (a damaged or "
                    "forged archive)")
    if info.file_size > ZIP_BOMB_FLOOR and info.file_size > ZIP_BOMB_RATIO * max(info.compress_size, 1):
        raise error(f"{what} would expand from {info.compress_size:,} to {info.file_size:,} bytes (over "
                    f"{ZIP_BOMB_RATIO}×): refused as a zip bomb")
    try:
        with zf.open(info) as fp:
            shape, fortran, dtype, header_len = read_npy_header(fp)
    except READ_ERRORS as e:
        raise error(f"{what} is not a readable .npy array ({describe(e)})") from None
    return _checked(name, shape, fortran, dtype, header_len, info.file_size, member, error, what)


def read_npz_entry(zf: zipfile.ZipFile, entry: EntryInfo, error: Error) -> np.ndarray:
    """The entry's array, read in chunks into memory of exactly the declared (checked) size."""
    flat = np.empty(entry.nbytes, np.uint8)
    what = f"entry {entry.name!r}"
    try:
        with zf.open(entry.member) as fp:
            read_npy_header(fp)
            done = 0
            while done < entry.nbytes:
                chunk = fp.read(min(_READ_CHUNK, entry.nbytes - done))
                if not chunk:
                    break
                flat[done:done + len(chunk)] = np.frombuffer(chunk, np.uint8)
                done += len(chunk)
            if done != entry.nbytes or fp.read(1):      # reading to the end also checks the CRC
                raise error(f"{what} is truncated or longer than its header says")
    except READ_ERRORS as e:
        raise error(f"{what} cannot be read ({describe(e)})") from None
    return flat.view(entry.dtype).reshape(entry.shape, order="F" if entry.fortran_order else "C")
