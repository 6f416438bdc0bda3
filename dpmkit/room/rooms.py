"""The rooms one room folder can serve, one at a time, and where each keeps its data.

A room folder ``FOLDER`` serves either the explorer of one ready-made model or one of the kit's
games in one of its contexts: a :class:`Choice`. The facilitator changes it on the facilitator
page ("Change the room"); :func:`dpmkit.room.cli.main` (the supervisor) then starts the room
again on the same port with the new choice. Every choice comes from :func:`choices` (the kit's
own lists), and is looked up by its key there again wherever it is read back: nothing a browser
sends becomes a path or a command line.

Where each room keeps its data:

- the room the folder was first started as (today's layout, so nothing moves for a folder
  from before): in ``FOLDER`` itself, its ballots beside ``dpmkit-room.json``, a game in
  ``FOLDER/game``;
- every other room: in ``FOLDER/rooms/KEY/``, laid out the same way (``KEY`` is the
  choice's key, e.g. ``game-surrey-as_it_happened``).

So switching back to a game resumes it, and the explorer's ballots stay where they were. The
room code, the facilitator's secret and the tables go with the facilitator from room to room
(:func:`carry_settings`). ``FOLDER/dpmkit-room-choice.json`` records the room last chosen, so
that the same command started again comes back to it.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .state import STATE_FILE, Room, RoomError, RoomState

__all__ = ["CHOICE_FILE", "ROOMS_FOLDER", "Choice", "by_key", "carry_settings", "choices", "data_folder",
           "from_arguments", "home_key", "make_data_folder", "read_choice", "write_choice"]

#: The room last chosen, in the room folder (no secret in it).
CHOICE_FILE = "dpmkit-room-choice.json"
#: The subfolder of the room folder that holds every room but the folder's first.
ROOMS_FOLDER = "rooms"
_SCHEMA = "dpmkit-room-choice"


@dataclass(frozen=True)
class Choice:
    """One room the folder can serve: ``kind`` "explorer" (``name`` a ready-made model) or "game"
    (``name`` a game, ``context`` one of its contexts)."""

    kind: str
    name: str
    context: str = ""

    @property
    def key(self):
        """``explorer-surrey``, ``game-surrey-fragile``: the choice's name in files and forms."""
        return f"{self.kind}-{self.name}" + (f"-{self.context}" if self.context else "")

    @property
    def model(self):
        """The ready-made model the room's state file records."""
        if self.kind == "game":
            from ..game import GAMES

            return GAMES[self.name].model
        return self.name

    @property
    def label(self):
        """What the facilitator reads in the list: "Game: Surrey 2009-2014 … (context: fragile)"."""
        if self.kind == "game":
            from ..game import GAMES

            spec = GAMES[self.name]
            return f"Game: {spec.label} (context: {self.context.replace('_', ' ')})"
        from .. import models

        return f"Explorer: {models.load(self.name).label}"

    def arguments(self):
        """The room's command-line options for this choice."""
        if self.kind == "game":
            return ["--game", self.name, "--context", self.context]
        return ["--model", self.name]


def choices():
    """Every room the kit can serve: the explorer of each ready-made model, then each game in
    each of its contexts."""
    from .. import models
    from ..game import GAMES

    found = [Choice("explorer", name) for name in models.available()]
    for name in sorted(GAMES):
        found += [Choice("game", name, context) for context in GAMES[name].contexts]
    return found


def by_key(key):
    """The :class:`Choice` whose key is ``key``, from the kit's own list; :class:`RoomError` for
    anything else (never a path, never a name the kit does not have)."""
    if isinstance(key, str):
        for choice in choices():
            if choice.key == key:
                return choice
    shown = repr(key)[:80]
    raise RoomError(f"{shown} is not one of the kit's rooms; choose an explorer or a game from the list")


def from_arguments(model=None, game=None, context=None):
    """The :class:`Choice` a command line names (``--model``, ``--game``, ``--context``), or None when
    it names neither; :class:`RoomError` for a game or context the kit does not have."""
    from ..game import GAMES

    if game is not None:
        if game not in GAMES:
            raise RoomError(f"--game {game}: no such game; the games are {', '.join(sorted(GAMES))}")
        spec = GAMES[game]
        context = spec.default_context if context is None else context
        if context not in spec.contexts:
            raise RoomError(f"--context {context}: the game {game} has the contexts {', '.join(spec.contexts)}")
        return Choice("game", game, context)
    if model is not None:
        from .. import models

        if model not in models.available():
            raise RoomError(f"no ready-made model {model!r}; choose one of {', '.join(models.available())}")
        return by_key(f"explorer-{model}")
    return None


def home_key(folder):
    """The key of the room whose data is in ``folder`` itself (the folder's first room), or None
    when the folder holds no room yet. Read from the files, not trusted further than that: a key
    the kit does not have is None (the folder's first room is then never served again)."""
    folder = Path(folder)
    try:
        game = json.loads((folder / "game" / "game.json").read_bytes())
        key = f"game-{game['game']}-{game['context']}"
    except (OSError, ValueError, TypeError, KeyError):
        try:
            key = f"explorer-{RoomState.from_json((folder / STATE_FILE).read_bytes()).model}"
        except (OSError, ValueError):
            return None
    try:
        return by_key(key).key
    except RoomError:
        return None


def data_folder(folder, choice):
    """Where ``choice`` keeps its data in the room folder ``folder`` (see the module's docstring)."""
    folder = Path(folder)
    home = home_key(folder)
    if home is None or home == choice.key:
        return folder
    return folder / ROOMS_FOLDER / choice.key


def make_data_folder(data):
    """Create a room's data folder (``FOLDER/rooms/KEY``) and ``FOLDER/rooms`` if missing, each with
    the access ``FOLDER`` gives its group: on a hub's shared ballot folder (group-writable, setgid,
    sticky: workshops/setup.md) a game there stays writable by the students' notebooks."""
    data = Path(data)
    missing = []
    probe = data
    while not probe.exists() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    data.mkdir(parents=True, exist_ok=True)
    if os.name == "posix" and missing:
        mode = probe.stat().st_mode & 0o7770
        for path in missing:
            with contextlib.suppress(OSError):  # e.g. a share without modes: the umask's then
                os.chmod(path, mode | 0o700)


def read_choice(folder):
    """``(choice, asked)``: the room last chosen in ``folder`` and the key the command line named
    when it was chosen (None when it named none), or ``(None, None)`` without a readable choice.
    The choice is looked up in the kit's list again: a file edited by hand names nothing else. On
    a shared folder (a hub's, where students' notebooks write ballots) a choice file some other
    account wrote is not followed: only the room's own account chooses which room starts."""
    try:
        path = Path(folder) / CHOICE_FILE
        if hasattr(os, "geteuid") and path.lstat().st_uid != os.geteuid():
            return None, None
        doc = json.loads(path.read_bytes())
        if not isinstance(doc, dict) or doc.get("schema") != _SCHEMA:
            return None, None
        choice = by_key(doc.get("room"))
    except (OSError, ValueError):  # RoomError is a ValueError
        return None, None
    asked = doc.get("asked")
    return choice, asked if isinstance(asked, str) else None


def write_choice(folder, choice, asked=None):
    """Record ``choice`` (a :class:`Choice` of the kit's list) as the room last chosen in ``folder``."""
    from ..workshop.store import write_file

    choice = by_key(getattr(choice, "key", None))
    doc = {"schema": _SCHEMA, "version": 1, "room": choice.key, "asked": asked}
    return write_file(Path(folder), CHOICE_FILE, json.dumps(doc, indent=1).encode("utf-8"))


def carry_settings(source, target, choice):
    """Give the room ``choice`` in the data folder ``target`` the room code, the facilitator's
    secret and the tables of the room in the data folder ``source`` (the room being left), so
    that participants' links, the QR code and the facilitator's link stay the same. Its own round,
    ballots, renames and game stay its own. Creates ``target`` when it is new."""
    source, target = Path(source), Path(target)
    if source == target:
        return
    left = RoomState.from_json((source / STATE_FILE).read_bytes())
    make_data_folder(target)
    room = Room(target, model=choice.model, code=left.code, tables=list(left.tables))
    if room.state.secret != left.secret:
        room._change(secret=left.secret)
