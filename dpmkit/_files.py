"""One atomic file writer for the whole kit: a hidden temporary file in the same folder,
written in full, given its permissions, fsynced, then renamed over the target (and the
folder fsynced where the platform allows it).

A reader (another table's process, the ballot collector, a second kernel) sees either the
old file or the new one, never half of one; a writer that stops half-way leaves at most
its hidden temporary file behind. The engine layer, so that the charts (the offline chart
bundle), the workshop (ballots, room and game state) and the game (exports) share it;
:func:`dpmkit.workshop.store.atomic_write` is its public name in the ballot store.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import ModelError

__all__ = ["atomic_write"]


def _plain_name(name):
    """True for one file name inside a folder: no separator, not '.' or '..', no NUL."""
    if not isinstance(name, str) or not name or name in (".", ".."):
        return False
    return not ("\0" in name or "/" in name or os.sep in name or (os.altsep and os.altsep in name))


def atomic_write(folder, name, data, *, names, what="a file", temp_prefix=".dpmkit-", mode=0o640):
    """Write ``data`` (bytes) into ``folder/name`` atomically; return the target's path.

    Parameters
    ----------
    folder : str or Path
        An existing folder; the file is written there and nowhere else.
    name : str
        The file's name: one name inside ``folder`` (no separator, not ``..``) that
        ``names`` matches in full, else ModelError and nothing is written.
    data : bytes
    names : re.Pattern
        The names this caller may write (for example the ballot store's ``*.json``).
    what : str
        What is being written, for the refusal ("refusing to write a ballot under ...").
    temp_prefix : str
        The hidden temporary file's prefix (the ballot collector recognises ``.ballot-``).
    mode : int
        The file's permissions, set explicitly whatever the umask.
    """
    if not _plain_name(name) or not names.fullmatch(name):
        raise ModelError(f"refusing to write {what} under the unsafe name {name!r}")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ModelError(f"{what} is written from bytes, got {type(data).__name__}")
    folder = Path(folder)
    target = folder / name
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix, suffix=".tmp", dir=folder)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if hasattr(os, "fchmod"):  # not on Windows
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)
    return target


def _fsync_folder(folder):
    # Make the rename itself durable where the platform allows it (POSIX).
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
