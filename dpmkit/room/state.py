"""The room's state, kept in the ballot folder so that a restart loses nothing.

Three kinds of file live in the folder ``DIR``:

- the ballots, one file each, written by :mod:`dpmkit.workshop` (atomically: a hidden
  temporary file, fsync, rename). The room never edits or deletes one;
- ``dpmkit-room.json``, the room's own settings, also written atomically: the room
  code, the facilitator's secret, the model and its fingerprint, the list of tables,
  the open round, the renames, merges and drops the facilitator made, and whether a
  rehearsal is running. It is readable only by its owner (mode 0600 where the system
  allows), because it holds the secret;
- ``dpmkit-session.json``, the open round and the tables, which the room keeps for ballot forms
  in notebooks that send into the same folder (a JupyterHub course, :mod:`dpmkit.workshop.session`).
  While the room serves the folder (``python -m dpmkit.room``) the file also says when it started
  and on which port (no secret), and notebooks' dashboards leave the round to the room. A room
  started on a folder whose session file a notebook's dashboard moved on meanwhile takes the later
  round, and says so (:attr:`Room.notes`).

Everything the dashboard shows is derived from those two: start the room again on
the same folder and it shows the same dashboard.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__, words, workshop
from ..errors import ModelError
from ..workshop import store
from ..workshop.session import KEEP, ServingRoom, read_session, room_round

__all__ = ["STATE_FILE", "RoomError", "RoomState", "Room", "describe_levers", "new_code", "table_list"]

#: The room's own settings file inside the ballot folder.
STATE_FILE = "dpmkit-room.json"
_STATE_SCHEMA = "dpmkit-room"
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones


class RoomError(ModelError):
    """Something the room refuses, with a message a participant or facilitator can act on."""


def table_list(spec):
    """The room's tables from ``--tables``: a count (``"6"``) or names (``"Red,Blue,Green"``).

    Examples
    --------
    >>> table_list("3")
    ['Table 1', 'Table 2', 'Table 3']
    >>> table_list(" Red , Blue ")
    ['Red', 'Blue']
    """
    text = str(spec).strip()
    if text.isdecimal():  # not isdigit: "²" is a digit that int() cannot read
        n = int(text)
        if not 1 <= n <= 60:
            raise RoomError(f"--tables {text}: give between 1 and 60 tables")
        return [f"Table {k}" for k in range(1, n + 1)]
    names = [workshop.clean_line(name, "table") for name in text.split(",")]
    names = [n for n in names if n]
    if not names:
        raise RoomError("--tables: give a number of tables (e.g. 6) or their names separated by commas")
    if len(set(names)) != len(names):
        raise RoomError(f"--tables: a table is named twice in {text!r}")
    return names


def new_code(length=5):
    """A room code that is easy to read aloud and type on a phone."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class RoomState:
    """What ``dpmkit-room.json`` holds. Frozen: every change makes a new one, saved at once."""

    code: str
    secret: str
    model: str
    fingerprint: str
    tables: tuple
    round: str = "1"
    aliases: dict = field(default_factory=dict)  # recorded table name -> the table it now counts as
    dropped: tuple = ()  # recorded table names whose ballots are hidden (never deleted)
    rehearsal: bool = False
    created: str = ""
    predict_first: bool = False  # participants predict the run before they see the chart

    def to_json(self):
        doc = {"schema": _STATE_SCHEMA, "version": 1, "code": self.code, "secret": self.secret,
               "model": self.model, "fingerprint": self.fingerprint, "tables": list(self.tables),
               "round": self.round, "aliases": dict(self.aliases), "dropped": list(self.dropped),
               "rehearsal": self.rehearsal, "created": self.created, "predict_first": self.predict_first}
        return json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data):
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("schema") != _STATE_SCHEMA or doc.get("version") != 1:
            raise RoomError(f"{STATE_FILE} is not a dpmkit room file this kit can read")
        try:
            return cls(code=str(doc["code"]), secret=str(doc["secret"]), model=str(doc["model"]),
                       fingerprint=str(doc["fingerprint"]), tables=tuple(str(t) for t in doc["tables"]),
                       round=str(doc.get("round", "1")),
                       aliases={str(k): str(v) for k, v in dict(doc.get("aliases", {})).items()},
                       dropped=tuple(str(t) for t in doc.get("dropped", ())),
                       rehearsal=bool(doc.get("rehearsal", False)), created=str(doc.get("created", "")),
                       predict_first=doc.get("predict_first", False) is True)
        except (KeyError, TypeError, ValueError) as err:
            raise RoomError(f"{STATE_FILE} is damaged ({err}); move it away to start a new room") from None


class Room:
    """One workshop room: its folder, its model and its state.

    Every participant page and the dashboard share this object (they run in one
    process); a lock keeps changes to the state file in order.

    Parameters
    ----------
    folder : str or Path
        The ballot folder; created if missing.
    model : str, optional
        A ready-made model (``dk.models.available()``); by default the one saved in the folder,
        else ``"demo"``, so that a room started again on its folder explores what it explored.
    code : str, optional
        The room code; by default the one saved in the folder, else a new one.
    tables : list of str, optional
        The tables participants choose from; by default the saved list, else six.
    reading : bool
        Read a folder that holds a room without writing to it (the paper slips, printed perhaps while
        the room runs: writing its settings back could undo a round the room opened meanwhile).
        A folder without a room is set up as usual.
    """

    def __init__(self, folder, *, model=None, code=None, tables=None, reading=False):
        from .. import models

        self.folder = Path(folder).expanduser().resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / STATE_FILE
        saved = RoomState.from_json(path.read_bytes()) if path.exists() else None
        if model is None:
            model = saved.model if saved is not None else "demo"
        if model not in models.available():
            raise RoomError(f"no ready-made model {model!r}; choose one of {', '.join(models.available())}")
        self.model = models.load(model)
        self.fingerprint = workshop.fingerprint(self.model)
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        #: Bumped on every accepted ballot and every change of state: the pages redraw on it.
        self.revision = 0
        #: The game played in the room (``--game``; see :func:`dpmkit.room.cli.start_game`), or None.
        self.game = None
        #: The :class:`~dpmkit.room.rooms.Choice` served, and the call that changes it (given a
        #: choice's key) when the room runs under ``python -m dpmkit.room``; the choice it changes to.
        self.choice = None
        self.switcher = None
        self.switching = None
        #: What a participant's page was built on: the kit's version and the model's fingerprint.
        #: A page carries it in its address (``v=``), so a page opened before the room was
        #: restarted on another kit says so at once instead of sending a ballot the room refuses.
        self.build = f"{__version__}-{self.fingerprint[:8]}"
        if saved is not None and saved.model != model:
            raise RoomError(f"the folder {str(self.folder)!r} holds a room for model {saved.model!r}, not "
                            f"{model!r}: pass --model {saved.model} or choose another folder")
        #: Set when the kit's model changed since the folder's ballots were cast.
        self.version_changed = saved is not None and saved.fingerprint != self.fingerprint
        if code is not None:
            code = str(code).strip()
            if not (3 <= len(code) <= 32) or not all(c.isalnum() or c in "-_" for c in code):
                raise RoomError("--code: use 3 to 32 letters, digits, '-' or '_'")
        #: What the facilitator should read when the room starts (printed under its links).
        self.notes = []
        #: The room's description in the session file while it serves the folder (:meth:`announce`).
        self.serving = None
        #: The room folder (``FOLDER``) when this room keeps its data in ``FOLDER/rooms/KEY``
        #: (:mod:`dpmkit.room.rooms`), else None: see :meth:`describe_home`.
        self.home = None
        session = self._folder_session()
        if saved is None:
            state = RoomState(code=code or new_code(), secret=secrets.token_urlsafe(18), model=model,
                              fingerprint=self.fingerprint, tables=tuple(tables or table_list("6")),
                              created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        else:
            state = replace(saved, code=code or saved.code, fingerprint=self.fingerprint,
                            tables=tuple(tables) if tables else saved.tables)
        if session is not None:
            state = self._take_from(session, state, fresh=saved is None, tables_given=bool(tables))
        self.state = state
        if not (reading and saved is not None):
            self._save(state)

    def _folder_session(self):
        try:
            return read_session(self.folder)
        except ModelError:  # damaged: the room writes it again
            return None

    def _take_from(self, session, state, *, fresh, tables_given):
        """The room's state once it has read the folder's session file, which a notebook's dashboard
        may have moved on while no room ran (the room rewrites the file at every change it makes,
        so any difference is the notebook's). The room never goes back a round: a later round in
        the file is taken, an earlier one is left, and either is said in :attr:`notes`."""
        where = "the folder's session file (a notebook's dashboard wrote it while no room ran)"
        if session.round != state.round:
            if _later(session.round, state.round):
                self.notes.append(f"Round {session.round} is open in {where}: the room carries on with round "
                                  f"{session.round}, not round {state.round}.")
                state = replace(state, round=session.round)
            else:
                self.notes.append(f"Round {session.round} is open in {where}, before the room's round "
                                  f"{state.round}: the room keeps round {state.round} (a room never goes back "
                                  f"a round); notebooks' ballot forms now send round {state.round} too.")
        if session.tables and session.tables != state.tables and not tables_given:
            listed = ", ".join(session.tables)
            if fresh:
                self.notes.append(f"The room's tables are those listed in {where}: {listed}.")
                state = replace(state, tables=session.tables)
            else:
                self.notes.append(f"{where[0].upper()}{where[1:]} lists the tables {listed}; the room keeps its "
                                  f"own: {', '.join(state.tables)}. Add or rename tables on the facilitator page.")
        return state

    # -- state
    def _save(self, state):
        store.write_file(self.folder, STATE_FILE, state.to_json())
        with contextlib.suppress(OSError):  # e.g. some network shares have no modes
            os.chmod(self.folder / STATE_FILE, 0o600)
        self.state = state
        if getattr(self, "_shared", None) != (state.round, state.tables):
            self._share_session(state)
            self._shared = (state.round, state.tables)
        self._bump()

    def _share_session(self, state):
        """Write the room's round and tables into the folder's session file (``dpmkit-session.json``,
        :mod:`dpmkit.workshop.session`), which the ballot form in a notebook reads.

        On a hub the room's folder is also the shared folder students send ballots into from their
        own JupyterLab (``workshops/jupyterhub_config.py``). Their form cannot read the room's own
        file (it holds the secret), so without this it offered no table list (a typed "Tabel 3"
        became another table) and sent no round: the dashboard, which shows the open round, never
        showed those ballots."""
        try:
            room_round(self.folder, state.round, tables=list(state.tables),
                       room=self.serving if self.serving is not None else KEEP)
        except (ModelError, OSError) as err:  # the room runs on; its own pages know the round
            print(f"note: the room could not share its round and tables with notebooks' ballot forms "
                  f"({err})", flush=True)

    def announce(self, port):
        """Say in the folder's session file that this room serves the folder from now on (when it
        started, on which port; no secret), so that notebooks' dashboards leave its round alone.
        Only the process holding the folder's lock (:func:`dpmkit.room.cli.hold_folder`) calls it."""
        self.serving = ServingRoom(started=datetime.now(timezone.utc).isoformat(timespec="seconds"), port=int(port))
        with self._lock:
            self._share_session(self.state)
        self.describe_home()

    def withdraw(self):
        """Take the room's description out of the session file as the room stops: the notebook
        route carries on with the room's last round and tables."""
        self.serving = None
        # the lock going is what counts; the description is only words
        with self._lock, contextlib.suppress(ModelError, OSError):
            room_round(self.folder, self.state.round, tables=list(self.state.tables), room=None)
        self.describe_home()

    def open_round_words(self):
        """The round open in this room, as the room folder's session file says it: the game's round
        for a game ("3", or "over" once it is), else the explorer's."""
        if self.game is not None:
            return "over" if self.game.over else str(self.game.round)
        return self.state.round

    def describe_home(self):
        """Say in the room folder's own session file (:attr:`home`) which room is open, while this
        room serves it from ``rooms/KEY``: what it is (:attr:`choice`), its model, its round and
        the subfolder, beside the folder's own round and tables, which stay as they were (notebooks'
        ballot forms on the folder keep sending them). Without it a notebook's dashboard on the
        folder saw the room's lock and said only that "the room" served it, with the round of the
        folder's own room as the round open. Takes the words away when the room stops
        (:attr:`serving` None). Does nothing for the folder's own room."""
        if self.home is None:
            return
        try:
            before = read_session(self.home)
        except ModelError:  # damaged: written again
            before = None
        if before is not None:
            round, tables = before.round, list(before.tables)
        else:
            try:
                saved = RoomState.from_json((self.home / STATE_FILE).read_bytes())
                round, tables = saved.round, list(saved.tables)
            except (OSError, ValueError):
                round, tables = "1", list(self.state.tables)
        room = None
        if self.serving is not None and self.choice is not None:
            room = replace(self.serving, open=self.choice.label, model=self.model.name,
                           round=self.open_round_words(), kept=self.folder.relative_to(self.home).as_posix())
        try:
            room_round(self.home, round, tables=tables, room=room)
        except (ModelError, OSError) as err:
            print(f"note: the room could not say in {str(self.home)!r} which room is open ({err})", flush=True)

    def _bump(self):
        with self._changed:
            self.revision += 1
            self._changed.notify_all()

    def wait_for_change(self, revision, timeout):
        """Block until the room's revision differs from ``revision`` (or ``timeout`` seconds); return it.

        Every open page waits here in its own thread, so 30 pages cost 30 sleeping threads,
        not 30 polls a second.
        """
        with self._changed:
            self._changed.wait_for(lambda: self.revision != revision, timeout=timeout)
            return self.revision

    def _change(self, **changes):
        with self._lock:
            self._save(replace(self.state, **changes))

    def change_room(self, key):
        """Stop this room and have ``python -m dpmkit.room`` start the room ``key`` (a key of
        :func:`dpmkit.room.rooms.choices`) on the same port, code, secret and tables. Only the
        facilitator's page offers it."""
        if self.switcher is None:
            raise RoomError("this room cannot change by itself: start it with python -m dpmkit.room")
        self.switcher(key)

    def code_ok(self, code):
        return isinstance(code, str) and secrets.compare_digest(code.strip().upper().encode(),
                                                                self.state.code.upper().encode())

    def secret_ok(self, secret):
        return isinstance(secret, str) and secrets.compare_digest(secret.encode(), self.state.secret.encode())

    @property
    def tables(self):
        """The tables participants choose from, in order."""
        return list(self.state.tables)

    @property
    def next_round(self):
        """The round :meth:`open_round` opens next: ``"3"`` after ``"2"``; after a named round,
        ``"pilot (2)"`` (and after ``"²"``, a digit ``int()`` cannot read, ``"² (2)"``)."""
        current = self.state.round
        return str(int(current) + 1) if current.isdecimal() else f"{current} (2)"

    def open_round(self, name=None):
        """Open the next round (or the round ``name``); ballots sent from now on carry it."""
        if name is None:
            name = self.next_round
        self._change(round=workshop.clean_line(str(name), "round") or "1")

    def rename_table(self, old, new):
        """Show table ``old`` as ``new`` everywhere (its ballots keep what they recorded)."""
        new = workshop.clean_line(new, "table")
        if old not in self.state.tables:
            raise RoomError(f"there is no table {old!r}")
        if not new or new in self.state.tables:
            raise RoomError(f"choose a new name that is not already a table: {new!r}")
        tables = tuple(new if t == old else t for t in self.state.tables)
        aliases = {k: (new if v == old else v) for k, v in self.state.aliases.items()}
        aliases[old] = new
        self._change(tables=tables, aliases=aliases)

    def merge_tables(self, duplicate, into):
        """Count table ``duplicate``'s ballots as ``into``'s and take it off the list."""
        if duplicate == into or duplicate not in self.state.tables or into not in self.state.tables:
            raise RoomError(f"cannot merge {duplicate!r} into {into!r}: choose two different tables of the room")
        aliases = {k: (into if v == duplicate else v) for k, v in self.state.aliases.items()}
        aliases[duplicate] = into
        self._change(tables=tuple(t for t in self.state.tables if t != duplicate), aliases=aliases)

    def drop_table(self, name):
        """Hide table ``name`` and its ballots from the dashboard; the files stay in the folder."""
        if name not in self.state.tables:
            raise RoomError(f"there is no table {name!r}")
        recorded = {name} | {k for k, v in self.state.aliases.items() if v == name}
        self._change(tables=tuple(t for t in self.state.tables if t != name),
                     dropped=tuple(sorted(set(self.state.dropped) | recorded)))

    def add_table(self, name):
        name = workshop.clean_line(name, "table")
        if not name or name in self.state.tables:
            raise RoomError(f"choose a table name that is not already on the list: {name!r}")
        self._change(tables=self.state.tables + (name,), dropped=tuple(t for t in self.state.dropped if t != name))

    def set_rehearsal(self, on):
        """Start or stop a rehearsal: invented ballots shown under a banner, never written to the folder."""
        self._change(rehearsal=bool(on))

    def set_predict_first(self, on):
        """Predict, then run: every participant's page hides the chart and the levers until its
        participant has written what they expect the model to do and pressed "Run the model"."""
        self._change(predict_first=bool(on))

    # -- ballots
    def table_of(self, recorded):
        """The table a ballot counts for now, after renames and merges."""
        seen = set()
        while recorded in self.state.aliases and recorded not in seen:
            seen.add(recorded)
            recorded = self.state.aliases[recorded]
        return recorded

    def accept(self, *, table, params, predictions=None, participant="", hypothesis="", decision="",
               fingerprint=None, role="", round=None):
        """Check and store one participant's ballot; return it once it is safely on disk.

        Raises RoomError (a ModelError) saying what to fix: a table not on the room's
        list, a page built on another version of the model, or any check the ballot
        format makes. The round is the room's, never the participant's: only the
        facilitator, typing in a paper slip, passes the ``round`` printed on it.
        """
        if fingerprint is not None and fingerprint != self.fingerprint:
            raise RoomError("this page was built for another version of the model than the room now runs: "
                            "reload the page (your ballot was not sent)")
        if table not in self.state.tables:
            raise RoomError("choose your table from the list" if not table else
                            f"{table!r} is no longer one of the room's tables: choose your table again")
        ballot = workshop.make_ballot(self.model, params=params, predictions=predictions or {},
                                      participant=participant, table=table, role=role,
                                      round=self.state.round if round is None else str(round),
                                      hypothesis=hypothesis, decision=decision)
        path = ballot.save(self.folder)
        self._check_stored(path, ballot)
        self._bump()
        return ballot

    def _check_stored(self, path, ballot):
        """Read the file back exactly as the dashboard's collection will, before anyone is told
        their ballot is in: the same bytes, and accepted by the same checks (format, model,
        fingerprint, bounds)."""
        data = path.read_bytes()
        if data != ballot.to_json():  # pragma: no cover - a disk that lies
            raise RoomError("the ballot could not be stored safely; please send it again")
        try:
            workshop.read_ballot(data, model=self.model, source=path.name)
        except ModelError as err:  # pragma: no cover - make_ballot and collect disagree
            raise RoomError(f"the room could not accept this ballot ({err}); tell the facilitator") from None

    def follow(self, table):
        """Where a participant who chose ``table`` now belongs: ``(table, note)``.

        After a rename or a merge the table they chose has another name (the note says
        which); after a drop it is gone (``""``, and the note asks them to choose again).
        """
        if not table or table in self.state.tables:
            return table, ""
        now = self.table_of(table)
        if now in self.state.tables:
            return now, f"Your table {table!r} is now {now!r}."
        return "", f"The table {table!r} was taken off the list: choose your table again."

    def collect(self):
        """Every ballot in the folder (``dk.workshop.collect``, which skips the room's own file)."""
        return workshop.collect(self.folder, model=self.model)

    def board(self, round=None):
        """What the dashboard shows for a round: ``{table: [Ballot, ...]}`` in the room's table order.

        Ballots of dropped tables are left out; renamed and merged tables are counted
        under their current name; tables not on the list (from an older list) come last.
        During a rehearsal the invented ballots are shown instead, never mixed with real ones.
        """
        round = self.state.round if round is None else str(round)
        if self.state.rehearsal:
            ballots = workshop.example_ballots(self.model, max(2 * len(self.state.tables), 2), seed=7,
                                               tables=len(self.state.tables), round=round)
            ballots = [replace(b, table=self.state.tables[(int(b.table.split()[-1]) - 1) % len(self.state.tables)])
                       for b in ballots]
        else:
            ballots = [b for b in self.collect().ballots if b.round == round]
        board = {t: [] for t in self.state.tables}
        for b in ballots:
            if b.table in self.state.dropped:
                continue
            board.setdefault(self.table_of(b.table), []).append(b)
        return board


def _later(round, than):
    """True when ``round`` comes after ``than``: by number when both are numbers, else True (a
    named round in the session file is the facilitator's latest choice)."""
    if round.isdecimal() and than.isdecimal():  # not isdigit: "²" is a digit int() cannot read
        return int(round) > int(than)
    return True


def describe_levers(model, params):
    """"Funded caseworker posts 26 FTE; …" for a ballot's levers moved from the base case, in plain words.

    A ballot from a notebook's form records every lever, moved or not; the dashboard names only
    the moved ones, as it does for a room page's ballot, so that "all levers at the base case" means
    the same whichever route a ballot came by."""
    parts = []
    for name, value in params.items():
        p = model[name]
        if value == p.default:
            continue
        parts.append(f"{p.label} {words.quantity(value, p)}")
    return "; ".join(parts) or "all levers at the base case"
