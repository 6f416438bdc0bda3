"""A game being played: its state kept as atomic files in one folder.

Files in the game folder (all written with :func:`dpmkit.workshop.store.write_file`, i.e.
a hidden temporary file, fsync, rename):

- ``game.json``: the game's name, the tables, the context; written once by :func:`new`.
- ``game-assign-<role>.json``: which table holds a role (the latest assignment wins).
- ``ballot-<time>-<id>.json``: one per decision, an ordinary workshop ballot (table, role,
  round, ``params``) on the game's model, so ``dk.workshop.collect(folder, model=g.model)``
  reads them too.
- ``game-inject-<id>.json``: an event the facilitator injected in a round.
- ``game-round-NN.json``: round NN closed; it lists exactly which decisions and events
  count for it (a snapshot), so the results never depend on when the folder is read.
  Written once per close: a page watching the folder sees one change per advance.
- ``game-undo-NN-<id>.json``: the facilitator withdrew the closing of round NN.
- ``game-gate-NN.json``: whether the open round NN takes decisions (the facilitator may close
  it to decisions before advancing, and open it again); it holds for as long as round NN has
  been undone as many times as it records, so an undo opens the round to decisions again.
- ``.~lock.game``: an empty lock file (see :func:`_locked`); the ballot collector skips it.

Decisions from many processes cannot be lost or doubled: each is its own file with a
unique name, written while its process holds the game's lock shared, after checking under
that lock that its round is open; closing a round (and undoing one) holds the lock alone
while it lists the decisions and writes the round file. So a decision is either on disk
before the close lists the folder (it counts) or sees the round closed (it is refused, and
nothing is written). The operating system releases the lock of a process that dies (even
by SIGKILL), and the round file appears by one atomic rename: a close cut short leaves the
round open as it was, with nothing to clean up.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .._files import file_lock
from ..errors import ModelError
from ..workshop import collect, make_ballot
from ..workshop.store import MAX_BYTES, write_file
from .games import GAMES

__all__ = ["Game", "available", "load", "new"]

SCHEMA = "dpmkit-game"
VERSION = 1
_MAX_TABLES = 40
#: Recent runs of the games' models, by game spec, context, script and stop (they are deterministic).
_RUNS = {}
#: The game's lock file (a name the ballot collector skips, and no ``.json``: pages do not watch it).
LOCK_NAME = ".~lock.game"


def available():
    """Names of the games shipped with the kit."""
    return sorted(GAMES)


def _spec(name):
    if not isinstance(name, str) or name not in GAMES:
        raise ModelError(f"no game called {name!r}; the games are {', '.join(available())}")
    return GAMES[name]


def _text(value, what):
    from ..workshop import clean_line

    if not isinstance(value, str):
        raise ModelError(f"the {what} must be text, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ModelError(f"the {what} {value!r} is not valid text (it holds a lone surrogate)") from None
    cleaned = clean_line(value, what)
    if not cleaned:
        raise ModelError(f"the {what} must not be empty")
    return cleaned


def _folder(folder):
    if folder is None or isinstance(folder, bool) or not isinstance(folder, (str, os.PathLike)):
        raise ModelError(f"the game folder must be a path, got {type(folder).__name__}")
    return Path(folder).expanduser()


def _read_json(path):
    """A game file's JSON, or None if absent; never follows links, never reads a huge file."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
        raise ModelError(f"{path.name} in the game folder is not a game file (a link, a folder or too large)")
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read(MAX_BYTES + 1))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise ModelError(f"{path.name} in the game folder cannot be read: {err}") from None


def _ballot_listing(folder):
    """``(name, inode, size, modification time)`` of every ballot file in the folder, sorted."""
    try:
        with os.scandir(folder) as entries:
            listing = []
            for entry in entries:
                if entry.name.startswith("ballot-"):
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    listing.append((entry.name, st.st_ino, st.st_size, st.st_mtime_ns))
    except OSError:
        return None
    return tuple(sorted(listing))


@contextlib.contextmanager
def _locked(folder, *, shared):
    """Hold the game folder's lock: ``shared`` for a decision or an event (many at once),
    alone for closing or undoing a round. Released when the block ends or the process dies.

    The kit's one file lock (:func:`dpmkit._files.file_lock`) on :data:`LOCK_NAME`: POSIX
    ``flock`` (per open file, so threads of one process exclude each other too); on Windows
    ``msvcrt.locking`` has no shared lock, so every holder is alone (decisions then wait for
    each other a few milliseconds)."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(file_lock(Path(folder) / LOCK_NAME, shared=shared, mode=0o660))
        except OSError as err:  # only taking the lock: an error in the block is the block's own
            hint = ("; every table's account must be able to write in the game's folder: ask whoever "
                    "created the game to run `chmod -R g+w` on it, or to create it again with dk.game.new inside a "
                    "group-writable shared folder" if isinstance(err, PermissionError) else "")
            raise ModelError(f"cannot lock the game's lock file {LOCK_NAME!r} in {str(folder)!r}: "
                             f"{err.strerror or err}{hint}") from None
        yield


#: The longest role line a ballot holds (``dpmkit.workshop.ballot``: one line of at most 80 characters).
_ROLE_LINE = 80


def _roles_line(roles):
    """The ballot's role line: the roles a decision concerns, or how many where their names do not
    fit one ballot line (a table holding every Surrey role: 89 characters). Nothing reads the
    game's roles back from it: :meth:`Game.log` names each lever's own role."""
    line = ",".join(roles)
    return line if len(line) <= _ROLE_LINE else f"{len(roles)} roles"


def _write_json(folder, name, doc):
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=True)
    return write_file(folder, name, data.encode("utf-8"))


def new(folder, name, tables, *, context=None):
    """Start a game in ``folder`` (created if missing; it must hold no game yet).

    Parameters
    ----------
    folder : str or Path
        The shared game folder.
    name : str
        One of :func:`available`.
    tables : list of str
        The tables' names (one line of text each, all different).
    context : str, optional
        One of the game's contexts (``GAMES[name].contexts``); the first by default.
    """
    spec = _spec(name)
    path = _folder(folder)
    if isinstance(tables, (str, bytes)) or not hasattr(tables, "__iter__"):
        raise ModelError("tables must be a list of table names")
    tables = [_text(t, "table name") for t in tables]
    if not tables or len(tables) > _MAX_TABLES:
        raise ModelError(f"a game needs between 1 and {_MAX_TABLES} tables, got {len(tables)}")
    if len(set(tables)) != len(tables):
        raise ModelError("two tables have the same name")
    context = spec.default_context if context is None else context
    if not isinstance(context, str) or context not in spec.contexts:
        raise ModelError(f"the game {name!r} has no context {context!r}; its contexts are "
                         f"{', '.join(spec.contexts)}")
    path.mkdir(parents=True, exist_ok=True)
    if (path / "game.json").exists():
        raise ModelError(f"{str(path)!r} already holds a game; use dk.game.load to resume it")
    shared = _share_like_parent(path)
    with _locked(path, shared=False):  # creates the lock file, so a game's files are all there from the start
        if shared:
            with contextlib.suppress(OSError):
                os.chmod(path / LOCK_NAME, 0o660)
        _write_json(path, "game.json", {"schema": SCHEMA, "version": VERSION, "game": name, "tables": tables,
                                        "context": context, "id": uuid.uuid4().hex})
    return Game(path)


def _share_like_parent(path):
    """Give the game folder ``path`` the group's access its parent folder gives, and say whether
    the group may write there.

    On a hub every table's notebook runs under its own account, so a game made in a shared folder
    (group-writable, setgid: ``workshops/setup.md``) must be writable by that group too: the
    tables write their decisions and take the folder's lock. ``mkdir`` under the usual umask 022
    makes it ``drwxr-sr-x``, and the second account's first decision failed with "Permission
    denied". The sticky bit goes too (``chmod 3770``: every account adds files, none deletes
    another's). A folder outside a group-writable parent is left as the umask made it."""
    if os.name != "posix":
        return False
    try:
        parent = path.resolve().parent.stat().st_mode
        mode = stat.S_IMODE(path.stat().st_mode)
        if not parent & stat.S_IWGRP:
            return bool(mode & stat.S_IWGRP)
        wanted = mode | (parent & (stat.S_IRWXG | stat.S_ISGID | stat.S_ISVTX))  # sticky: nobody deletes another's file
        if wanted != mode:
            os.chmod(path, wanted)
    except OSError:  # not ours to change (made by someone else), or a share without modes
        return False
    return True


def load(folder):
    """Resume the game kept in ``folder`` (in this or any other process)."""
    return Game(_folder(folder))


class Game:
    """A game kept in a folder. Every method reads the folder afresh, so several processes
    (the tables, the facilitator) can share one game."""

    def __init__(self, folder):
        self.folder = Path(folder)
        doc = _read_json(self.folder / "game.json") if self.folder.is_dir() else None
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or doc.get("version") != VERSION:
            inner = self.folder / "game"  # a room's folder keeps its game in game/ (dpmkit.room --game)
            hint = (f": a room keeps its game in its game/ folder, so load {str(inner)!r}"
                    if (inner / "game.json").is_file() else "")
            raise ModelError(f"{str(self.folder)!r} holds no dpmkit game (no readable game.json){hint}")
        self.spec = _spec(doc.get("game"))
        self.tables = tuple(doc["tables"])
        self.context = doc["context"]
        self.model = self.spec.build_model()
        self._ballot_cache = None  # (listing of the ballot files, their ballots): see _ballots

    def __repr__(self):
        return f"<dpmkit game {self.spec.name!r}: {len(self.tables)} tables, round {self.round} in {self.folder}>"

    # ---- what the game offers
    @property
    def roles(self):
        """``{role: [lever, ...]}``."""
        return {r.name: list(r.levers) for r in self.spec.roles}

    @property
    def rounds(self):
        return self.spec.rounds

    def briefing(self, role):
        """A role's private briefing and goals, as text."""
        r = self.spec.role(role)
        return f"{r.label}\n\n{r.briefing}\n\nGoals: {r.goals}"

    # ---- state read from the folder
    def _table(self, table):
        if not isinstance(table, str):
            raise ModelError(f"unknown table {table!r}: a table is named by text; the tables are "
                             f"{', '.join(self.tables)}")
        if table not in self.tables:
            raise ModelError(f"unknown table {table!r}; the tables are {', '.join(self.tables)}")
        return table

    def assignments(self):
        """``{role: table}`` for the roles assigned so far."""
        out = {}
        for r in self.spec.roles:
            doc = _read_json(self.folder / f"game-assign-{r.name}.json")
            if isinstance(doc, dict) and doc.get("table") in self.tables:
                out[r.name] = doc["table"]
        return out

    def _undone(self):
        ids = set()
        for entry in os.scandir(self.folder):
            if entry.name.startswith("game-undo-") and entry.name.endswith(".json"):
                doc = _read_json(Path(entry.path))
                if isinstance(doc, dict):
                    ids.add(doc.get("undoes"))
        return ids

    def _closed(self, undone=None):
        """``[round document, ...]`` of the closed rounds, in order (round 1 first)."""
        undone = self._undone() if undone is None else undone
        closed = []
        for number in range(1, len(self.spec.rounds) + 1):
            doc = self._round_doc(number, undone)
            if doc is None or doc.get("status") != "closed":
                break
            closed.append(doc)
        return closed

    def _round_doc(self, number, undone):
        """Round ``number``'s file, or None if absent or undone. (A file saying ``"closing"``,
        left by an older kit whose close stopped half-way, is not closed: the next ``advance``
        closes the round.)"""
        doc = _read_json(self.folder / f"game-round-{number:02d}.json")
        if not isinstance(doc, dict) or doc.get("id") in undone:
            return None
        return doc

    def _undo_count(self, number):
        prefix = f"game-undo-{number:02d}-"
        with os.scandir(self.folder) as entries:
            return sum(1 for e in entries if e.name.startswith(prefix) and e.name.endswith(".json"))

    def _taking(self, number):
        """Whether round ``number`` (the open one) takes decisions: yes unless the facilitator
        closed it to decisions (and has not opened it again, nor undone its close since)."""
        doc = _read_json(self.folder / f"game-gate-{number:02d}.json")
        if not isinstance(doc, dict) or doc.get("undos") != self._undo_count(number):
            return True
        return doc.get("open") is not False

    @property
    def taking_decisions(self):
        """Whether the open round takes decisions now (False once the game is over)."""
        current = self.round
        return current <= len(self.spec.rounds) and self._taking(current)

    @property
    def round(self):
        """The open round's number (1 first); ``len(rounds) + 1`` once the game is over."""
        return len(self._closed()) + 1

    @property
    def over(self):
        return self.round > len(self.spec.rounds)

    def _voided(self):
        voided = set()
        for entry in os.scandir(self.folder):
            if entry.name.startswith("game-undo-") and entry.name.endswith(".json"):
                doc = _read_json(Path(entry.path))
                if isinstance(doc, dict):
                    voided.update(doc.get("voided", ()))
        return voided

    def _ballots(self):
        """The folder's decisions (ballots), read with :func:`dpmkit.workshop.collect`.

        Kept for as long as the folder's ballot files stay the same (names, inodes, sizes and
        modification times, listed before and after the read): closing a round, undoing one or
        injecting an event adds no ballot, so every page's read after it reuses the last one."""
        before = _ballot_listing(self.folder)
        cached = self._ballot_cache
        if cached is not None and cached[0] == before:
            return list(cached[1])
        found = collect(self.folder, model=self.model)
        after = _ballot_listing(self.folder)
        names = {entry[0] for entry in after}
        ballots = [b for b in found.ballots if b.source.startswith("ballot-") and b.source in names]
        if after is not None and after == before:  # nothing came or went meanwhile: the read is this listing
            self._ballot_cache = (after, tuple(ballots))
        return ballots

    def _injections(self):
        out = []
        for entry in os.scandir(self.folder):
            if entry.name.startswith("game-inject-") and entry.name.endswith(".json"):
                doc = _read_json(Path(entry.path))
                if isinstance(doc, dict):
                    out.append(doc)
        return out

    # ---- the tables' and facilitator's actions
    def assign(self, table, role):
        """Give ``role`` to ``table`` (a table may hold several roles; a role has one table)."""
        table = self._table(table)
        if not isinstance(role, str) or role not in self.roles:
            raise ModelError(f"unknown role {role!r}; the roles are {', '.join(self.roles)}")
        _write_json(self.folder, f"game-assign-{role}.json", {"role": role, "table": table})

    def decide(self, table, decisions, *, round=None, predictions=None):
        """Record a table's lever settings for the open round.

        Refused (ModelError naming table, role, lever and reason), with nothing recorded, for
        an unknown table, a lever the table's roles do not hold, an unknown lever, a value
        that is not a finite number within the lever's range, or a round that is not open.
        ``predictions`` (optional, ``{outcome: {time: value}}``) is kept with the decision, as a
        ballot keeps it, for the debrief's predictions against outcomes.
        Returns the decision's id.
        """
        owner = self.spec.owner
        try:
            table = self._table(table)
        except ModelError as err:  # name the levers (and their roles) the refused decision was about
            about = [f"lever {lv!r} (role {owner[lv]!r})" for lv in (decisions if hasattr(decisions, "items") else ())
                     if isinstance(lv, str) and lv in owner]
            raise ModelError(f"{err}{'; the decision on ' + ', '.join(about) if about else ''}"
                             "; nothing was recorded") from None
        held = [r for r, t in self.assignments().items() if t == table]
        if not hasattr(decisions, "items") or not decisions:
            raise ModelError(f"table {table!r}: a decision is a mapping {{lever: value}} with at least one lever")
        clean = {}
        for lever, value in decisions.items():
            if not isinstance(lever, str) or lever not in owner:
                shown = lever if isinstance(lever, str) and len(lever) < 60 else type(lever).__name__
                raise ModelError(f"table {table!r} (roles {', '.join(held) or 'none'}), lever {shown!r}: "
                                 f"unknown lever; the game's levers are {', '.join(owner)}")
            role = owner[lever]
            if role not in held:
                raise ModelError(f"table {table!r}, role {role!r}, lever {lever!r}: the lever belongs to the "
                                 f"role {role!r}, which this table does not hold "
                                 f"(it holds {', '.join(held) or 'no role'})")
            low, high = self.model.param(lever).bounds
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not math.isfinite(float(value))):
                raise ModelError(f"table {table!r}, role {role!r}, lever {lever!r}: the value must be a finite "
                                 f"number, got {type(value).__name__}")
            slack = 1e-9 * max(1.0, abs(low), abs(high))  # a slider's arithmetic may land a hair outside
            if not low - slack <= float(value) <= high + slack:
                raise ModelError(f"table {table!r}, role {role!r}, lever {lever!r}: {float(value):g} is out of "
                                 f"range ({low:g} to {high:g})")
            clean[lever] = min(high, max(low, float(value)))
        roles = sorted({owner[lever] for lever in clean})
        what = f"table {table!r}, role{'s' if len(roles) > 1 else ''} {', '.join(roles)}, " \
               f"lever{'s' if len(clean) > 1 else ''} {', '.join(clean)}"
        with _locked(self.folder, shared=True):  # no round closes between this check and the file landing
            current = len(self._closed()) + 1
            if current > len(self.spec.rounds):
                raise ModelError(f"{what}: the game is over; no round is open; nothing was recorded")
            if round is not None and round != current:
                raise ModelError(f"{what}: round {round!r} is closed or not yet open "
                                 f"(round {current} is open); nothing was recorded")
            if not self._taking(current):
                raise ModelError(f"{what}: round {current} is closed to decisions (the facilitator will show "
                                 "its results, or open it again); nothing was recorded")
            ballot = make_ballot(self.model, params=clean, predictions=predictions or {}, table=table,
                                 role=_roles_line(roles), round=str(current))
            ballot.save(self.folder)
        return ballot.id

    def inject(self, event_name):
        """Inject one of the game's events into the open round (it acts from the round's start)."""
        event = self.spec.event(event_name)
        with _locked(self.folder, shared=True):  # as a decision: counted by the close, or refused
            current = self.round
            if current > len(self.spec.rounds):
                raise ModelError("the game is over; no round is open to inject an event into")
            ident = uuid.uuid4().hex
            _write_json(self.folder, f"game-inject-{ident}.json",
                        {"id": ident, "event": event.name, "round": current,
                         "created": datetime.now(timezone.utc).isoformat()})
        return ident

    def close_decisions(self):
        """Close the open round to decisions (no results yet: :meth:`advance` shows them); a
        decision sent meanwhile is refused. :meth:`open_decisions` opens it again."""
        self._gate(False)

    def open_decisions(self):
        """Open the open round to decisions again, after :meth:`close_decisions`."""
        self._gate(True)

    def _gate(self, open_):
        with _locked(self.folder, shared=False):  # no decision lands between the check and the gate
            current = self.round
            if current > len(self.spec.rounds):
                raise ModelError("the game is over; no round is open")
            _write_json(self.folder, f"game-gate-{current:02d}.json",
                        {"round": current, "open": open_, "undos": self._undo_count(current),
                         "written": datetime.now(timezone.utc).isoformat()})

    def advance(self):
        """Close the open round: snapshot its decisions and events; the results now reach its end.

        One write: the round file, listing the decisions and events that count, appears by an
        atomic rename while the game's lock is held alone (no decision lands meanwhile)."""
        with _locked(self.folder, shared=False):
            current = self.round
            if current > len(self.spec.rounds):
                raise ModelError("the game is over; there is no round to close")
            voided = self._voided()
            found = self._ballots()
            decisions = sorted(b.id for b in found if b.round == str(current) and b.id not in voided)
            events = sorted(d["id"] for d in self._injections()
                            if d.get("round") == current and d["id"] not in voided)
            _write_json(self.folder, f"game-round-{current:02d}.json",
                        {"id": uuid.uuid4().hex, "round": current, "status": "closed", "decisions": decisions,
                         "events": events, "closed": datetime.now(timezone.utc).isoformat()})
        return self.results(self._counted(found=found))

    def undo(self):
        """Withdraw the last closing: that round is open again (its decisions stand and can be
        revised); decisions and events already sent for the round after it are voided."""
        with _locked(self.folder, shared=False):  # no decision for the next round lands unvoided meanwhile
            closed = self._closed()
            if not closed:
                raise ModelError("no round has been closed yet; nothing to undo")
            last = closed[-1]
            nxt = str(last["round"] + 1)
            voided = sorted({b.id for b in self._ballots() if b.round == nxt}
                            | {d["id"] for d in self._injections() if d.get("round") == last["round"] + 1})
            _write_json(self.folder, f"game-undo-{last['round']:02d}-{uuid.uuid4().hex}.json",
                        {"undoes": last["id"], "round": last["round"], "voided": voided})

    # ---- what everyone sees
    def _counted(self, closed=None, found=None):
        """``(closed rounds, [(round, ballot)], [(round, injection)])`` that count, in order
        (``closed`` and ``found``, the folder's ballots, may be passed when already read)."""
        closed = self._closed() if closed is None else closed
        found = self._ballots() if found is None else found
        ids = {i: doc["round"] for doc in closed for i in doc.get("decisions", ())}
        eids = {i: doc["round"] for doc in closed for i in doc.get("events", ())}
        ballots = sorted(((ids[b.id], b) for b in found if b.id in ids),
                         key=lambda rb: (rb[0], rb[1].created, rb[1].id))
        injected = sorted(((eids[d["id"]], d) for d in self._injections() if d.get("id") in eids),
                          key=lambda rd: (rd[0], rd[1].get("created", ""), rd[1]["id"]))
        return closed, ballots, injected

    def log(self, counted=None):
        """Every decision that counts: round, table, role, lever, value, time sent."""
        import pandas as pd

        _, ballots, _ = self._counted() if counted is None else counted
        owner = self.spec.owner
        rows = [{"round": r, "table": b.table, "role": owner[lever], "lever": lever, "value": value,
                 "sent": b.created, "id": b.id}
                for r, b in ballots for lever, value in sorted(b.params.items())]
        return pd.DataFrame(rows, columns=["round", "table", "role", "lever", "value", "sent", "id"])

    def _script(self, ballots, injected, upto=None):
        """``{time: {parameter: value}}`` from the decisions and events of the rounds up to
        ``upto`` (all of them by default), each acting from its round's start."""
        script = {}
        for r, doc in injected:
            if upto is not None and r > upto:
                continue
            when = self.spec.rounds[r - 1].start
            event = self.spec.event(doc["event"])
            script.setdefault(when, {}).update(
                {p: (when if v == "now" else v) for p, v in event.changes.items()})
        for r, b in ballots:
            if upto is not None and r > upto:
                continue
            script.setdefault(self.spec.rounds[r - 1].start, {}).update(b.params)
        return script

    def events(self):
        """``{time: {parameter: value}}``: everyone's decisions' and the events' (the context's
        parameters are set from the start, see :attr:`context`)."""
        _, ballots, injected = self._counted()
        return self._script(ballots, injected)

    def _run(self, script, stop):
        key = (id(self.spec), self.context, repr(sorted(script.items())), float(stop))
        spec, hit = _RUNS.get(key, (None, None))
        if spec is not self.spec:  # the spec is kept with the run, so its id cannot be reused meanwhile
            from ..simulate import simulate

            hit = simulate(self.model, dict(self.spec.contexts[self.context]), events=script or None, stop=stop)
            if len(_RUNS) >= 64:
                _RUNS.pop(next(iter(_RUNS)))
            _RUNS[key] = (self.spec, hit)
        return hit

    def _simulate(self, stop=None, counted=None):
        """The game's run to ``stop`` (the end of the last closed round by default), as shown.

        One run with every counted decision and event, except at each round's start: that
        instant closed the round before it (or is the game's starting point), so its values are
        those of the run that closed that round, with no later decision or event in force. A
        decision acts from its round's start, so without this the values a table was shown at
        the close of a round would change once the next round's decisions count."""
        from ..results import Result

        closed, ballots, injected = self._counted() if counted is None else counted
        if stop is None:
            stop = self.spec.rounds[len(closed) - 1].end if closed else self.spec.rounds[0].start
        first = float(self.model.start)
        ahead = max(stop, first + float(self.model.dt))  # a run must take at least one step
        full = self._run(self._script(ballots, injected), ahead)
        keep = int(np.searchsorted(full.time, stop + 1e-9 * max(1.0, abs(stop)), side="right"))
        values = None
        for number in range(1, len(closed) + 1):
            start = self.spec.rounds[number - 1].start
            if start > stop + 1e-9:
                break
            earlier = self._script(ballots, injected, upto=number - 1)
            if earlier == self._script(ballots, injected, upto=number):
                continue  # nothing new took effect at this start: the full run already agrees
            row = full._time_index(start)
            if abs(full.time[row] - start) > 1e-9 * max(1.0, abs(start)):
                continue  # the start is not a saved time
            before = self._run(earlier, max(start, first + float(self.model.dt)))
            values = full.values.copy() if values is None else values
            values[row, :] = before.values[before._time_index(start), :]
        if values is None and keep == len(full.time):
            return full
        values = full.values if values is None else values
        return Result(full.model, full.time[:keep], full.names, values[:keep], full.params, full.method)

    def results(self, counted=None):
        """Time x visible outcomes, from the model's start to the end of the last closed round.

        What a table was shown at the close of a round never changes afterwards: the values at a
        round's start are those of the run that closed the round before it (see :meth:`_simulate`)."""
        return self._simulate(counted=counted).to_frame([o.name for o in self.spec.outcomes])

    def view(self, table):
        """What ``table`` sees: the results so far, limited to the outcomes its roles see."""
        table = self._table(table)
        held = [r for r in self.spec.roles if self.assignments().get(r.name) == table]
        seen = {name for r in held for name in r.sees}
        frame = self.results()
        return frame[[o.name for o in self.spec.outcomes if o.name in seen]]

    def waiting(self, *, current=None, found=None, voided=None):
        """``{table: number of decisions it has sent}`` for the open round (the facilitator's
        "who are we waiting for?")."""
        current = self.round if current is None else current
        voided = self._voided() if voided is None else voided
        counts = dict.fromkeys(self.tables, 0)
        for b in (self._ballots() if found is None else found):
            if b.round == str(current) and b.id not in voided and b.table in counts:
                counts[b.table] += 1
        return counts

    def scoreboard(self, *, results=None, assignments=None):
        """Per table and role: each scored outcome at the end of the last closed round, its score
        (0 worst to 1 best over the outcome's range) and the role's mean score."""
        import pandas as pd

        frame = self.results() if results is None else results
        last = frame.iloc[-1]
        rows = []
        assignments = self.assignments() if assignments is None else assignments
        for role, table in sorted(assignments.items(), key=lambda rt: (rt[1], rt[0])):
            r = self.spec.role(role)
            for name in r.scores:
                outcome = self.spec.outcome(name)
                rows.append({"table": table, "role": role, "outcome": name, "value": float(last[name]),
                             "score": outcome.score(float(last[name]))})
        board = pd.DataFrame(rows, columns=["table", "role", "outcome", "value", "score"])
        return board

    def revealed(self):
        """What has been revealed to every table so far (one text per closed round)."""
        return [self.spec.rounds[doc["round"] - 1].reveal for doc in self._closed()]
