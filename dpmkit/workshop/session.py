"""The notebook route's session file: the round the facilitator has open and the tables to choose from.

Without the room, participants send ballots from ``workshops/ballot.ipynb`` into a shared
folder. Two things must then come from the facilitator, not from what each participant
types: the **round** (a table that forgot to type ``ROUND = "2"`` would otherwise replace
its round-1 ballot) and the **tables** (typed names become extra tables: "Tabel 3",
"table 1 · Sam", a blank). The facilitator's dashboard writes both into the folder as
``dpmkit-session.json`` (atomically, readable by the folder's group); the ballot form reads
it: the table is chosen from the list, and the round is read again at every submit, so a
form opened before the facilitator opened round 2 still sends round 2.

The file holds no secret (unlike the room's ``dpmkit-room.json``). Collecting skips it,
like every ``dpmkit-*.json`` the kit keeps beside the ballots.

The room (``python -m dpmkit.room``) writes the same file whenever its round or tables change,
so that notebooks' ballot forms on a hub send the room's round. While it runs it is the
folder's authority: it says so in the file (``"room": {"started": ..., "port": ...}``, no
secret) and holds the folder's lock (``dpmkit-room.lock``) for as long as its process lives.
:func:`serving_room` tells whether a room serves the folder now (the lock is asked, so a room
that crashed or was killed blocks nothing), and :func:`open_round` then refuses, naming the
room, instead of sending notebook forms a round the room's dashboard does not show.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from .._files import lock_probe
from ..errors import ModelError
from .ballot import _line, _short
from .store import MAX_BYTES, ROOM_LOCK, _existing_folder, check_folder, write_file

__all__ = ["SESSION_FILE", "KEEP", "ServingRoom", "Session", "open_round", "read_session", "room_round",
           "serving_room"]

#: The session file's name inside the ballot folder.
SESSION_FILE = "dpmkit-session.json"
_SCHEMA = "dpmkit-session"
_MAX_TABLES = 200


#: What a room open in a subfolder of the folder says of itself (see :class:`ServingRoom`), and the
#: shape each must have to be shown: one printable line, a model's name, a round, ``rooms/KEY``.
_ELSEWHERE = {"open": r"[^\x00-\x1f\x7f]{1,200}", "model": r"[a-z][a-z0-9_]{0,60}",
              "round": r"[^\x00-\x1f\x7f]{1,40}", "kept": r"rooms/[a-z0-9_-]{1,100}"}


@dataclass(frozen=True)
class ServingRoom:
    """The room (``python -m dpmkit.room``) serving a ballot folder, as it described itself there.

    ``started`` is when it started (ISO 8601, UTC; blank if it did not say), ``port`` the port it
    listens on. ``checked`` is False when the kit could not ask the room's lock from here (the
    room runs under another account on a shared folder) and goes by the description alone.

    When the room open is not the folder's own (the facilitator changed it on the facilitator
    page, "Change the room", and it keeps its ballots or game in a subfolder), ``open`` names it
    ("Game: ... (context: fragile)"), ``model`` is the ready-made model its ballots are for,
    ``round`` its open round, and ``kept`` the subfolder (``rooms/KEY``) it keeps them in; all
    blank for the folder's own room, whose round and tables are the session file's.
    """

    started: str = ""
    port: int | None = None
    checked: bool = True
    open: str = ""
    model: str = ""
    round: str = ""
    kept: str = ""

    def __str__(self):
        """``the room started at 14:02 on port 8866``, the time in this computer's time zone."""
        words = "the room"
        try:
            started = datetime.fromisoformat(self.started).astimezone()
        except (TypeError, ValueError):
            started = None
        if started is not None:
            day = "" if started.date() == datetime.now().astimezone().date() else \
                f" on {started.day} {started:%B %Y}"
            words += f" started{day} at {started:%H:%M}"
        if self.port:
            words += f" on port {self.port}"
        return words

    def to_doc(self):
        doc = {"started": self.started, "port": self.port}
        doc.update({k: getattr(self, k) for k in _ELSEWHERE if getattr(self, k)})
        return doc

    @classmethod
    def from_doc(cls, doc):
        """The room's description from the session file; None if there is none or it is not one
        (a damaged description is ignored: the room's lock, not the file, says whether it runs)."""
        if not isinstance(doc, dict):
            return None
        started, port = doc.get("started", ""), doc.get("port")
        if not isinstance(started, str) or len(started) > 40:
            started = ""
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            port = None
        # words to show, never a path to follow: each is checked for what the room writes there
        found = {k: doc.get(k) if isinstance(doc.get(k), str) and re.fullmatch(pattern, doc.get(k)) else ""
                 for k, pattern in _ELSEWHERE.items()}
        return cls(started=started, port=port, **found)


@dataclass(frozen=True)
class Session:
    """What the facilitator set for the folder: the open ``round`` and the ``tables`` to choose from.

    ``room`` is the room that wrote it while serving the folder (:class:`ServingRoom`), else None.
    """

    round: str
    tables: tuple = ()
    opened: str = ""
    room: ServingRoom | None = None

    def to_json(self):
        doc = {"schema": _SCHEMA, "version": 1, "round": self.round, "tables": list(self.tables),
               "opened": self.opened}
        if self.room is not None:
            doc["room"] = self.room.to_doc()
        return json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")


def _tables(tables):
    if tables is None:
        return ()
    if isinstance(tables, str) or not hasattr(tables, "__iter__"):
        raise ModelError(f"tables must be a list of names, e.g. ['Table 1', 'Table 2'], got {_short(tables)}")
    names, seen = [], set()
    for k, name in enumerate(tables, 1):
        if k > _MAX_TABLES:  # before reading the rest: a list from a file may be huge
            raise ModelError(f"at most {_MAX_TABLES} tables, got more")
        name = _line(name, f"table {k}", "")
        if not name:
            raise ModelError(f"table {k} of the list is blank: give every table a name")
        if name.casefold() in seen:
            raise ModelError(f"the table {name!r} is on the list twice")
        names.append(name)
        seen.add(name.casefold())
    return tuple(names)


def open_round(folder, round, *, tables=None):
    """Open ``round`` in the ballot folder: every ballot form sends it from now on.

    Refused while a room (``python -m dpmkit.room``) serves the folder: the room keeps the
    folder's round and tables while it runs, and open rounds there (its facilitator page).
    Once the room is stopped, even killed, the folder is the notebook's again.

    Parameters
    ----------
    folder : str or Path
        The shared ballot folder (it must exist).
    round : str
        The round now open, e.g. ``"2"``.
    tables : list of str, optional
        The tables participants choose from; by default the list already in the folder.

    Returns
    -------
    Session
        What the folder now holds.

    Raises
    ------
    ModelError
        A blank round, a bad table list, a missing folder, or a room serving the folder (the
        message names it: when it started and on which port).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> open_round(folder, "1", tables=["Red", "Blue"]).tables
    ('Red', 'Blue')
    >>> open_round(folder, "2").tables, read_session(folder).round
    (('Red', 'Blue'), '2')
    """
    path = _existing_folder(folder, "open a round in")
    round, tables = _round(round), _tables(tables)
    # The lock is held (shared) while the file is written: a room starting meanwhile waits for it.
    with lock_probe(path / ROOM_LOCK) as lock:
        room = _serving(path, lock)
        if room is not None:
            raise ModelError(_served_words(room, path) + f" Round {round} was not opened.", variable="round")
        return _write(path, round, tables, room=None)


#: :func:`room_round`'s ``room`` that keeps the room's description the file holds.
KEEP = object()


def room_round(folder, round, *, tables, room=KEEP):
    """The room's own writer of the session file (``python -m dpmkit.room``, which holds the
    folder's lock, so :func:`open_round` would refuse it).

    ``room`` is the :class:`ServingRoom` to describe (the room serving the folder), None to
    take the description away (the room stops) or :data:`KEEP` to leave the file's as it is
    (a room object that serves nothing, e.g. one printing paper slips)."""
    path = _existing_folder(folder, "open a round in")
    round, tables = _round(round), _tables(tables)
    if room is KEEP:
        try:
            before = read_session(path)
        except ModelError:
            before = None
        room = before.room if before is not None else None
    return _write(path, round, tables, room=room)


def serving_room(folder):
    """The room serving ``folder`` now (a :class:`ServingRoom`), or None.

    A room serves the folder while its process holds the folder's lock (``dpmkit-room.lock``):
    the operating system drops the lock when the process ends, however it ends, so a room that
    crashed or was killed serves nothing and blocks nothing. When the lock cannot be asked from
    this account (the room runs under another one on a shared folder), the room's description in
    the session file is believed (``checked`` is then False); a room that stops normally takes
    its description away.
    """
    path = _existing_folder(folder, "look at")
    with lock_probe(path / ROOM_LOCK) as lock:
        return _serving(path, lock)


def _serving(path, lock):
    if lock in ("absent", "free"):
        return None
    try:
        session = read_session(path)
    except ModelError:
        session = None
    described = session.room if session is not None else None
    if lock == "held":
        return described or ServingRoom()
    return replace(described, checked=False) if described is not None else None


def _served_words(room, path):
    """"This folder is served by the room started at 14:02 on port 8866: ..." for a facilitator."""
    text = f"The folder {str(path)!r} is served by {room}"
    if room.kept:
        text += (f", which has {room.open} open (round {room.round or '?'}); that room keeps its ballots "
                 f"and game in the subfolder {room.kept}, not beside this folder's own")
    text += (": open rounds and change tables on the room's facilitator page (the Facilitator link the room "
             "printed).")
    if not room.checked:
        text += (" (The kit cannot check from this account whether that room still runs. A room that stops "
                 "normally says so in the folder; if it was killed, start it again and stop it with Ctrl+C.)")
    return text


def _round(round):
    if isinstance(round, int) and not isinstance(round, bool):
        round = str(round)
    round = _line(round, "round", "")
    if not round:
        raise ModelError("round must not be blank: give the round to open, e.g. '2'", variable="round")
    return round


def _write(path, round, tables, *, room):
    if not tables:
        try:
            before = read_session(path)
        except ModelError:  # a damaged file is replaced
            before = None
        tables = before.tables if before is not None else ()
    session = Session(round=round, tables=tables, opened=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      room=room)
    write_file(path, SESSION_FILE, session.to_json())
    return session


def read_session(folder):
    """The folder's :class:`Session`, or None when the facilitator has opened no round there.

    Raises ModelError when the path is mistyped (see :func:`~dpmkit.workshop.store.check_folder`)
    or the file is not one the kit wrote (too large, not a regular file, damaged).
    """
    path = check_folder(folder) / SESSION_FILE
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ModelError(f"cannot read {SESSION_FILE} in the ballot folder ({err.strerror or err})") from None
    what = f"{SESSION_FILE} in the ballot folder"
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
        raise ModelError(f"{what} is not a file the kit wrote: the facilitator should open the round again")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ValueError("too large")
        doc = json.loads(data.decode("utf-8-sig"))  # a BOM, left by an editor, is read past as in a ballot
        if not isinstance(doc, dict) or doc.get("schema") != _SCHEMA or doc.get("version") != 1:
            raise ValueError("not a session file")
        round = _line(doc["round"], "round", "")
        if not round:
            raise ValueError("blank round")
        opened = doc.get("opened", "")
        return Session(round=round, tables=_tables(doc.get("tables", [])),
                       opened=opened if isinstance(opened, str) else "", room=ServingRoom.from_doc(doc.get("room")))
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ModelError(f"cannot read {what} ({err.strerror or err})") from None
    except (ValueError, KeyError, TypeError, RecursionError):
        # UnicodeDecodeError and JSONDecodeError are ValueErrors; so is ModelError.
        raise ModelError(f"{what} is damaged: the facilitator should open the round again") from None
