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
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import ModelError
from .ballot import _line, _short
from .store import MAX_BYTES, _existing_folder, check_folder, write_file

__all__ = ["SESSION_FILE", "Session", "open_round", "read_session"]

#: The session file's name inside the ballot folder.
SESSION_FILE = "dpmkit-session.json"
_SCHEMA = "dpmkit-session"
_MAX_TABLES = 200


@dataclass(frozen=True)
class Session:
    """What the facilitator set for the folder: the open ``round`` and the ``tables`` to choose from."""

    round: str
    tables: tuple = ()
    opened: str = ""

    def to_json(self):
        doc = {"schema": _SCHEMA, "version": 1, "round": self.round, "tables": list(self.tables),
               "opened": self.opened}
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
    if isinstance(round, int) and not isinstance(round, bool):
        round = str(round)
    round = _line(round, "round", "")
    if not round:
        raise ModelError("round must not be blank: give the round to open, e.g. '2'", variable="round")
    tables = _tables(tables)
    if not tables:
        try:
            before = read_session(path)
        except ModelError:  # a damaged file is replaced
            before = None
        tables = before.tables if before is not None else ()
    session = Session(round=round, tables=tables,
                      opened=datetime.now(timezone.utc).isoformat(timespec="seconds"))
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
                       opened=opened if isinstance(opened, str) else "")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ModelError(f"cannot read {what} ({err.strerror or err})") from None
    except (ValueError, KeyError, TypeError, RecursionError):
        # UnicodeDecodeError and JSONDecodeError are ValueErrors; so is ModelError.
        raise ModelError(f"{what} is damaged: the facilitator should open the round again") from None
