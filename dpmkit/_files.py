"""The kit's file primitives: one atomic writer and one file lock.

One atomic file writer for the whole kit: a hidden temporary file in the same folder,
written in full, given its permissions, fsynced, then renamed over the target (and the
folder fsynced where the platform allows it).

A reader (another table's process, the ballot collector, a second kernel) sees either the
old file or the new one, never half of one; a writer that stops half-way leaves at most
its hidden temporary file behind. The engine layer, so that the charts (the offline chart
bundle), the workshop (ballots, room and game state) and the game (exports) share it;
:func:`dpmkit.workshop.store.atomic_write` is its public name in the ballot store.

One file lock for the whole kit, :func:`file_lock`: the game folder's lock (decisions shared,
an advance alone) and the compiled-kernel cache's locks (a kernel in use shared, its eviction
alone) are both this.

One user cache folder, :func:`user_cache_dir`, for everything the kit can rebuild (compiled
kernels, the offline chart bundle, pictures drawn before, the room's icon scan), and one test
of whether a folder may be trusted with what is read back from it, :func:`ours_alone`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
import time as _time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

from .errors import ModelError

__all__ = ["atomic_write", "file_lock", "lock_probe", "ours_alone", "user_cache_dir"]

#: How this platform locks a file: ``"flock"`` (POSIX: shared and exclusive locks) or
#: ``"msvcrt"`` (Windows: exclusive only).
LOCKING = "flock" if fcntl is not None else "msvcrt"
#: How often a Windows lock that waits tries again (msvcrt's own waiting mode gives up after 10 s).
_POLL_SECONDS = 0.005


def user_cache_dir():
    """Where the kit keeps files it can rebuild: ``DPMKIT_CACHE_DIR``, else the platform's user
    cache folder (``%LOCALAPPDATA%\\dpmkit\\cache``, ``~/Library/Caches/dpmkit``,
    ``$XDG_CACHE_HOME/dpmkit`` or ``~/.cache/dpmkit``). Not created here."""
    if os.environ.get("DPMKIT_CACHE_DIR"):
        return Path(os.environ["DPMKIT_CACHE_DIR"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "dpmkit" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "dpmkit"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dpmkit"


def ours_alone(folder):
    """True when ``folder`` is this user's alone to write: owned by this user and not writable
    by everyone (on POSIX; Windows' user folders are private by their ACLs). What the kit reads
    back from a cache (machine code, pictures shown in a notebook) comes only from such a folder."""
    st = Path(folder).stat()
    if os.name != "posix":
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o002


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


def _lock_plan(shared, wait, locking=LOCKING):
    """What :func:`file_lock` asks the platform for: ``(kind, how)``.

    ``kind`` is ``"shared"`` or ``"exclusive"``: a shared lock where the platform has one
    (flock), else exclusive (msvcrt has no shared lock, so on Windows every holder is alone).
    ``how`` is ``"block"`` (one call that returns once the lock is held: flock without
    ``LOCK_NB``), ``"try"`` (one call that fails at once if another holds it) or ``"poll"``
    (try again every :data:`_POLL_SECONDS` until held: msvcrt, whose own waiting mode gives up
    after ten tries)."""
    if locking == "flock":
        return ("shared" if shared else "exclusive"), ("block" if wait else "try")
    if locking == "msvcrt":
        return "exclusive", ("poll" if wait else "try")
    raise ValueError(f"unknown locking {locking!r}")


def _acquire(fd, kind, how):
    """Take the lock on the open file ``fd``; False if ``how`` is "try" and another holds it."""
    if LOCKING == "flock":
        op = fcntl.LOCK_SH if kind == "shared" else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, op if how == "block" else op | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    # Windows (untested here: no Windows machine runs the tests): lock the file's first byte.
    while True:  # pragma: no cover - Windows
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            if how != "poll":
                return False
            _time.sleep(_POLL_SECONDS)


@contextlib.contextmanager
def file_lock(path, *, shared=False, wait=True, mode=0o600):
    """Hold the lock of the file ``path`` (created empty if missing) for the ``with`` block.

    ``with file_lock(path) as held:`` -- ``held`` is True once the lock is held; with
    ``wait=False`` it is False at once if another holder excludes this one (and the block
    runs without the lock: the caller checks ``held``). The lock is released when the block
    ends, or by the operating system when the process dies (even by SIGKILL).

    Parameters
    ----------
    path : str or Path
        The lock file. Never followed if it is a link; a lock file that is not a plain file
        is refused (OSError, EINVAL).
    shared : bool
        Shared (many holders at once, none exclusive) rather than exclusive (one holder).
        POSIX ``flock`` has both; Windows ``msvcrt.locking`` has only exclusive, so there a
        shared lock is exclusive (see :func:`_lock_plan`).
    wait : bool
        Wait until the lock can be held (True), or yield False at once if it cannot.
    mode : int
        The permissions of a lock file created now (less the umask).

    The lock belongs to the open file, not the process, so two threads of one process
    exclude each other too. A lock file removed (or replaced) by another holder between
    this process opening it and locking it is opened again, so the lock held is always on
    the file now at ``path``: a holder may therefore delete the lock file as the last thing
    it does while holding it (the compiled-kernel cache's eviction does). OSError if the
    file cannot be opened.
    """
    kind, how = _lock_plan(shared, wait)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    while True:
        fd = os.open(path, flags, mode)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "the lock file is not a plain file", str(path))
            held = _acquire(fd, kind, how)
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same or not held:
            break
        os.close(fd)  # removed or replaced meanwhile: lock the file now at the path
    try:
        yield held
    finally:
        if held and LOCKING != "flock":  # pragma: no cover - Windows: unlock before closing
            with contextlib.suppress(OSError):
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        os.close(fd)  # POSIX: closing the file releases its flock


@contextlib.contextmanager
def lock_probe(path):
    """Whether another process holds the lock of ``path`` (see :func:`file_lock`), asked without
    creating or writing anything: ``with lock_probe(path) as state:``

    ``state`` is ``"absent"`` (no lock file: nobody ever held it there), ``"free"`` (nobody holds
    it; this process then holds it, shared where the platform can, until the block ends, so
    that a holder starting meanwhile waits for the block rather than acting in the middle of
    it), ``"held"`` (another holder has it: on POSIX an exclusive lock, on Windows any lock) or
    ``"unknown"`` (the file cannot be opened from here, e.g. another account's file on a shared
    folder). The file is opened read-only and never through a link.
    """
    # O_NONBLOCK: a named pipe under the lock's name would otherwise hang the open (it is then refused).
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        yield "absent"
        return
    except OSError:  # a link (ELOOP), no permission, a name the platform refuses
        yield "unknown"
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            held = None
        else:
            kind, how = _lock_plan(True, False)
            held = _acquire(fd, kind, how)
    except OSError:
        held = None
    try:
        yield "unknown" if held is None else ("free" if held else "held")
    finally:
        if held and LOCKING != "flock":  # pragma: no cover - Windows: unlock before closing
            with contextlib.suppress(OSError):
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        os.close(fd)
