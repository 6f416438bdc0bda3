"""Where ballots are kept: files written atomically into a shared folder and read back
defensively, and copy-paste codes (compressed JSON with a checksum)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
import time
import zlib
from pathlib import Path

from .._files import atomic_write
from ..errors import ModelError, shown

__all__ = ["CODE_PREFIX", "FILE_MODE", "MAX_BYTES", "STALE_SECONDS", "atomic_write", "check_folder", "decode_code",
           "encode_code", "safe_display", "write_file"]


#: Largest ballot accepted, in bytes (files and decoded codes alike).
MAX_BYTES = 64 * 1024


#: Every copy-paste code starts with this (the 1 is the code format's version).
CODE_PREFIX = "DPMK1."


#: A hidden temporary file untouched for this many seconds was left by a writer that
#: stopped (a crash, a closed laptop): it is reported as abandoned, not as being written.
STALE_SECONDS = 60
#: Permissions of a ballot file: the writer reads and writes, the folder's group
#: (the facilitator, on a shared hub) reads. Set explicitly, whatever the umask.
FILE_MODE = 0o640


_FILE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.json\Z")


_CODE_RE = re.compile(r"DPMK1\.([A-Za-z0-9_-]+)\.([0-9a-f]{8})")


_TEMP_RE = re.compile(r"\.(ballot|preflight)-[A-Za-z0-9_-]+\.tmp\Z")


#: Files the kit itself keeps beside the ballots (the room's settings ``dpmkit-room.json``, a
#: game's ``game.json`` and ``game-*.json``): never ballots, so collecting skips them without
#: comment. Every other name in the folder is read as a ballot or rejected with a reason.
STATE_FILE_RE = re.compile(r"(dpmkit-[A-Za-z0-9_.-]+|game(-[A-Za-z0-9_.-]+)?)\.json\Z")

#: The room's other files beside the ballots: the QR code for the projector and the lock that
#: keeps a second room off the folder (``python -m dpmkit.room``). Skipped without comment too.
QR_FILE = "join-qr.png"
ROOM_LOCK = "dpmkit-room.lock"
ROOM_FILES = frozenset({QR_FILE, ROOM_LOCK})

#: Files that operating systems and Jupyter leave in folders; skipped without comment.
_CLUTTER = frozenset({".DS_Store", ".ipynb_checkpoints", "Thumbs.db", "desktop.ini", ".directory"})


class _Reject(Exception):
    """A ballot that is not acceptable; the message is the reason shown."""


def _checksum(payload):
    return hashlib.sha256(payload.encode("ascii")).hexdigest()[:8]


#: What Python makes of a backslash followed by a letter in an ordinary string: a Windows path
#: typed as "D:\ballots" arrives as 'D:\x08allots'. Mapped back to show the path that was meant.
_ESCAPED = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v", "\0": "\\0"}


def check_folder(folder):
    r"""The ballot folder as a Path, or ModelError saying what is wrong with how it was written.

    A path holding a control character almost always was a Windows path typed in an ordinary
    Python string: ``"D:\ballots"`` is read as ``'D:\x08allots'`` (``\b`` is a backspace). The
    error names the character and gives the path to write instead. Whether the folder exists
    is not checked here.

    Examples
    --------
    >>> check_folder("D:\ballots")
    Traceback (most recent call last):
    ...
    dpmkit.errors.ModelError: the ballot folder 'D:\x08allots' holds a control character (\x08, a backspace): ...
    """
    if folder is None or isinstance(folder, bool) or not isinstance(folder, (str, os.PathLike)):
        got = "None" if folder is None else type(folder).__name__
        raise ModelError(f"the ballot folder must be a path (text), got {got}")
    text = os.fspath(folder)
    if isinstance(text, bytes):
        raise ModelError("the ballot folder must be a path written as text, not bytes")
    bad = [c for c in text if ord(c) < 32 or ord(c) == 127]
    if bad:
        names = {"\a": "a bell", "\b": "a backspace", "\f": "a form feed", "\n": "a line break",
                 "\r": "a carriage return", "\t": "a tab", "\v": "a vertical tab", "\0": "a null"}
        first = bad[0]
        what = f"{first!r}"[1:-1] + (f", {names[first]}" if first in names else "")
        meant = "".join(_ESCAPED.get(c, c) for c in text)
        if all(c in _ESCAPED for c in bad):
            fix = (f"Python read a backslash and the letter after it as one character. Write the path as a raw "
                   f"string, r\"{meant}\" (an r before the quotes), or with forward slashes, "
                   f"\"{meant.replace(chr(92), '/')}\"")
        else:
            fix = ("if it is a Windows path, write it as a raw string, r\"D:\\ballots\" (an r before the quotes), "
                   "or with forward slashes, \"D:/ballots\"")
        raise ModelError(f"the ballot folder {text!r} holds a control character ({what}): {fix}")
    return Path(text).expanduser()


def _where(path):
    """" (that is '/full/path')" for a relative ``path``, so that whoever reads a message sees where
    the folder was looked for (a notebook's working folder is not always the one they think)."""
    try:
        return "" if path.is_absolute() else f" (that is {str(path.resolve())!r})"
    except (OSError, RuntimeError):
        return ""


def _existing_folder(folder, what):
    """``folder`` as a Path to a folder that exists, or ModelError in the one wording every route
    shares (a participant's form, :func:`collect`, :func:`open_round`, the facilitator's dashboard)."""
    path = check_folder(folder)
    try:
        path.is_dir()  # exists() and is_dir() pass on only some errors, e.g. a name too long (ENAMETOOLONG)
    except OSError as err:
        raise ModelError(f"cannot look at the ballot folder {shown(str(path))}: {err.strerror or err}") from None
    if not path.exists():
        raise ModelError(
            f"the ballot folder {str(path)!r} does not exist{_where(path)}. Check BALLOTS in the first cell: "
            "the shared folder's path, the same on the facilitator's dashboard and every ballot form (the "
            "facilitator creates it: 'A shared ballot folder' in workshops/setup.md)"
        )
    if not path.is_dir():
        raise ModelError(f"{str(path)!r} is a file, not a folder; cannot {what} it")
    return path


def encode_code(data):
    """A copy-paste code for a ballot's bytes: ``DPMK1.<compressed, URL-safe base64>.<checksum>``.

    Examples
    --------
    >>> code = encode_code(b'{"schema": "dpmkit-ballot"}')
    >>> code.startswith(CODE_PREFIX), decode_code(code)
    (True, b'{"schema": "dpmkit-ballot"}')
    """
    payload = base64.urlsafe_b64encode(zlib.compress(data, 9)).rstrip(b"=").decode("ascii")
    return f"{CODE_PREFIX}{payload}.{_checksum(payload)}"


def decode_code(code):
    """The bytes held by the one code in ``code``, or ModelError saying why it cannot be read."""
    found = _find_codes(code)
    if len(found) != 1:
        raise ModelError("no ballot code found in that text" if not found else
                         f"that text holds {len(found)} ballot codes")
    try:
        return _decode_code(*found[0])
    except _Reject as err:
        raise ModelError(f"ballot code rejected: {err}") from None


def write_file(folder, name, data):
    """Write a ballot's (or the room's or a game's state file's) ``data`` into ``folder/name``
    atomically (temporary file, fsync, rename); return the path. Only ``*.json`` names of
    letters, digits, '.', '_' and '-' (starting with a letter or digit) are written."""
    return atomic_write(folder, name, data, names=_FILE_RE, what="a ballot", temp_prefix=".ballot-",
                        mode=FILE_MODE)


def _decode_code(payload, check):
    if len(payload) > (MAX_BYTES * 4) // 3 + 4:
        raise _Reject("the code is too long to be a ballot")
    if _checksum(payload) != check:
        raise _Reject("the code is damaged or incomplete (its checksum does not match): copy it again in full")
    try:
        packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        raise _Reject("the code is damaged (not base64)") from None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(packed, MAX_BYTES + 1)
    except zlib.error:
        raise _Reject("the code is damaged (cannot be decompressed)") from None
    if len(data) > MAX_BYTES or inflater.unconsumed_tail:
        raise _Reject(f"the code unpacks to more than {MAX_BYTES // 1024} KB: too large to be a ballot")
    if not inflater.eof:
        raise _Reject("the code is incomplete (the compressed data stops early)")
    return data


def _find_codes(text):
    """Every code in pasted text; whitespace inside codes (line wraps) is ignored."""
    squeezed = re.sub(r"\s+", "", text)
    return [(m.group(1), m.group(2)) for m in _CODE_RE.finditer(squeezed)]


_HARD_LINK = ("is a hard link ({n} names for one file): it may point at a file outside the folder, so it is "
              "never read; a ballot saved by the kit has exactly one name")


def _temp_age(entry):
    """Seconds since a temporary file was last written, or None if it has gone (renamed into place)."""
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    return max(0.0, time.time() - st.st_mtime)


def _read_entry(entry):
    """Bytes of a directory entry that looks like a ballot file, or _Reject."""
    name = entry.name
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError as err:
        raise _Reject(f"cannot be examined ({err.strerror or err})") from None
    if stat.S_ISLNK(st.st_mode):
        raise _Reject("is a symbolic link; links are never followed")
    if stat.S_ISDIR(st.st_mode):
        raise _Reject("is a folder, not a ballot")
    if not stat.S_ISREG(st.st_mode):
        raise _Reject("is not a regular file")
    if st.st_nlink > 1:
        raise _Reject(_HARD_LINK.format(n=st.st_nlink))
    if not _FILE_RE.match(name):
        raise _Reject(
            "its name is not a ballot file name (letters, digits, '.', '_' and '-' only, ending in .json)"
        )
    if st.st_size > MAX_BYTES:
        raise _Reject(f"too large ({st.st_size:,} bytes; a ballot is at most {MAX_BYTES:,} bytes)")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(entry.path, flags)
    except FileNotFoundError:
        raise _Reject("disappeared while being read") from None
    except OSError as err:
        raise _Reject(f"cannot be opened ({err.strerror or err})") from None
    try:
        st = os.fstat(fd)
        # The entry may have been swapped between the check above and the open.
        if not stat.S_ISREG(st.st_mode):
            raise _Reject("is not a regular file")
        if st.st_nlink > 1:
            raise _Reject(_HARD_LINK.format(n=st.st_nlink))
        if st.st_size > MAX_BYTES:
            raise _Reject(f"too large ({st.st_size:,} bytes; a ballot is at most {MAX_BYTES:,} bytes)")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:
            raise _Reject(f"too large (more than {MAX_BYTES:,} bytes)")
        return b"".join(chunks)
    except OSError as err:
        raise _Reject(f"cannot be read ({err.strerror or err})") from None
    finally:
        os.close(fd)


def safe_display(name):
    """A file name made safe to print: control characters shown as escapes, length capped."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return shown if len(shown) <= 120 else shown[:119] + "…"
