"""What the notebook route's facilitator dashboard (``workshops/facilitator_dashboard.ipynb``) shows.

:func:`dashboard` collects the folder's ballots (and pasted codes) for the open round, opens
that round in the folder so that every ballot form sends it (unless a room serves the folder:
then it shows the room's round and tables, read-only, and says so), and says plainly what is
wrong when there is nothing to show: a folder that does not exist, a path mistyped, no
ballots yet, ballots from tables that are not on the list. It never shows invented ballots
unless asked for a rehearsal, and then under a banner no one can miss.
"""

from __future__ import annotations

import re
from difflib import get_close_matches

from ..errors import ModelError
from .ballot import _as_model, _short
from .collect import Collection, collect
from .rehearsal import example_ballots
from .session import SESSION_FILE, _served_words, open_round, read_session, serving_room
from .store import _existing_folder, _where

__all__ = ["dashboard", "near_table"]


def near_table(name, tables):
    """The table on the list a typed ``name`` most likely meant, or None.

    Matches differences of case and spacing ("table 3"), a name followed by a
    participant ("Table 1 · Sam") and small typos ("Tabel 3").

    Examples
    --------
    >>> near_table("Tabel 3", ["Table 1", "Table 2", "Table 3"])
    'Table 3'
    >>> near_table("table 1 · Sam", ["Table 1", "Table 2"]), near_table("Kitchen", ["Table 1"])
    ('Table 1', None)
    """
    def key(text):
        return " ".join(str(text).casefold().split())

    keys = {key(t): t for t in tables}
    typed = key(name)
    if not typed:
        return None
    if typed in keys:
        return keys[typed]
    # "Table 1 · Sam", "Table 1 - Sam", "Table 1 (Sam)": the longest table name it starts with.
    starts = [k for k in keys if typed.startswith(k) and not typed[len(k):len(k) + 1].isalnum()]
    if starts:
        return keys[max(starts, key=len)]
    # A typo in the words, never in the number: "Table 12" is not "Table 2".
    same_number = [k for k in keys if re.findall(r"\d+", k) == re.findall(r"\d+", typed)]
    close = get_close_matches(typed, same_number, n=1, cutoff=0.8)
    return keys[close[0]] if close else None


def dashboard(folder=None, *, model, codes=None, round=None, tables=None, latest=True, rehearsal=False,
              predict=None, examples=12, seed=2):
    """The ballots the facilitator dashboard shows, with what the facilitator must know first.

    Parameters
    ----------
    folder : str or Path, optional
        The shared ballot folder.
    model : Model or str
        The model the ballots were cast on.
    codes : str, optional
        Copy-paste codes (blank text counts as none).
    round : str, optional
        The round open now. When the folder exists, it is opened there (written to
        ``dpmkit-session.json``) so that every ballot form sends it, and only its ballots are
        shown. None shows every round and opens none. While a room serves the folder
        (``python -m dpmkit.room``), nothing is opened: the room's round and tables are shown
        instead, with a note naming the room (``found.room``).
    tables : list of str, optional
        The tables participants choose from (saved with the round). By default the folder's
        list. Ballots from tables not on the list are pointed out, with the likely table.
    latest : bool
        Keep only the latest ballot of each table and participant (per round).
    rehearsal : bool
        Show ``examples`` invented ballots instead of the folder's, under a banner that
        cannot be missed. Nothing is written to the folder and real ballots are not mixed in.
    predict : dict, optional
        What the invented ballots predict (as in :func:`dpmkit.workshop.example_ballots`).

    Returns
    -------
    Collection
        Its HTML (the first thing the notebook shows) puts the rehearsal banner, then any
        problem, then the counts and the rejected files with their reasons.

    Examples
    --------
    >>> import tempfile
    >>> found = dashboard(tempfile.mkdtemp() + "/typo", model="demo")
    >>> len(found), "does not exist" in found.notes[0]
    (0, True)
    """
    model = _as_model(model)
    if round is not None and not isinstance(round, str):
        round = str(round)
    tables = list(tables) if tables is not None and not isinstance(tables, str) else tables
    if rehearsal:
        names = list(tables) if tables else None
        ballots = example_ballots(model, examples, seed=seed, tables=len(names) if names else 4,
                                  round=round or "1", predict=predict)
        if names:
            from dataclasses import replace

            ballots = [replace(b, table=names[int(b.table.split()[-1]) - 1]) for b in ballots]
        found = Collection(ballots, [], model)
        found.rehearsal, found.round = True, round
        return found.latest() if latest else found

    notes = []
    path = None
    if folder is not None:
        try:
            path = _existing_folder(folder, "collect ballots from")
        except ModelError as err:
            notes.append(f"Nothing to show from the folder: {err}.")
    if isinstance(codes, str) and not codes.strip():
        codes = None
    if folder is None and codes is None:
        notes.append("No ballot folder and no codes: set BALLOTS to the shared folder, or paste participants' "
                     "codes into CODES, in the first cell.")
    session = room = None
    if path is not None:
        try:
            room = serving_room(path)
        except (ModelError, OSError):
            room = None
    if room is not None:
        # The room is the folder's authority while it runs: its round and tables are shown,
        # never replaced from here (the room's own dashboard would not show the ballots).
        try:
            session = read_session(path)
        except (ModelError, OSError):
            session = None
        asked = round
        if round is not None and session is not None:
            round = session.round
        text = _served_words(room, path)
        if session is not None and room.kept:
            listed = ", ".join(session.tables) or "none listed"
            text += (f" This folder's own ballots stay at round {session.round}, with the tables {listed}: shown "
                     f"here, read-only. Notebooks' ballot forms on this folder send round {session.round} into it, "
                     f"not into {room.open}; the room shows them again when the facilitator changes back to "
                     f"this folder's room. {room.open}'s ballots" + (f" (model {room.model})" if room.model else "")
                     + f" are collected from the subfolder: dk.workshop.collect(FOLDER / {room.kept!r}).")
            if asked is not None and asked != session.round:
                text += f" ROUND in the first cell is not used while it runs (round {asked} was not opened)."
        elif session is not None:
            listed = ", ".join(session.tables) or "none listed"
            text += f" It has round {session.round} open, with the tables {listed}"
            if asked is None:
                text += " (every round's ballots are shown here)."
            else:
                text += ": shown here, read-only" + (
                    f"; ROUND and TABLES in the first cell are not used while it runs (round {asked} was not "
                    "opened)." if asked != session.round else ".")
        notes.append(text)
        tables = None
    elif path is not None:
        try:
            if round is not None:
                before = read_session(path)
                chosen = tuple(tables) if tables else (before.tables if before else ())
                if before is None or before.round != round or before.tables != chosen:
                    session = open_round(path, round, tables=chosen or None)
                    notes.append(f"Round {round} is now open in {str(path)!r}: every ballot form sends round {round} "
                                 "from now on." + ("" if before is None else f" (It was round {before.round}.)"))
                else:
                    session = before
            else:
                session = read_session(path)
        except (ModelError, OSError) as err:
            notes.append(f"Could not open round {round} in the folder ({getattr(err, 'strerror', None) or err}): "
                         f"participants' forms send the round they were given. Check that you may write to it.")
    if path is None and codes is None:
        found = Collection([], [], model)
        found.round = round
    else:
        found = collect(path, model=model, codes=codes, round=round)
    if latest:
        found = found.latest()
    found.folder, found.room = path, room
    if path is not None and not found.ballots:
        which = f" for round {round}" if round is not None else ""
        notes.append(f"No ballots yet{which} in the folder {str(path)!r}{_where(path)}"
                     + (f" ({len(found.rejected)} files there are not accepted: see below)" if found.rejected else "")
                     + ". Participants send theirs from ballot.ipynb with the same folder; collect again in a "
                       "moment.")
    listed = list(tables) if tables else list(session.tables if session else ())
    if listed:
        for name in sorted({b.table for b in found.ballots} - set(listed)):
            near = near_table(name, listed)
            what = f"the table {_short(name, 60)}" if name else "a blank table"
            fix = f"probably {near!r}" if near else "not near any name on the list"
            notes.append(f"Ballots from {what}, which is not on the list: {fix}. Their forms let them type the "
                         f"table; ask them to run the form again (it offers the list from {SESSION_FILE}).")
    found.notes = notes
    return found
