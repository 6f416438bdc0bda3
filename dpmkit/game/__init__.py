"""The game: a live, multi-round role-play in which tables steer one shared public service.

A game is data over a ready-made model (:mod:`dpmkit.game.games`): roles, the levers each
controls, private briefings and goals, rounds, events the facilitator can inject, and the
outcomes each role sees and is scored on. The whole game is one simulation run of the model,
re-run from the start with every decision so far as ``events=`` (fast and exact). Its state
lives in a shared folder as atomic files (:mod:`dpmkit.game.session`), so any process can
resume it with :func:`load`.

Pages: :mod:`dpmkit.room.game_pages` (the room) and :mod:`dpmkit.game.lab` (JupyterLab) show
what :mod:`dpmkit.game.present` reads from the folder; :mod:`dpmkit.game.debrief` replays the
journey and the "what ifs"; :func:`export` writes the log (CSV, JSON) and a printable sheet.

>>> import dpmkit as dk, tempfile
>>> g = dk.game.new(tempfile.mkdtemp(), "surrey", tables=["Table 1", "Table 2"])
>>> g.assign("Table 1", "commissioners")
>>> _ = g.decide("Table 1", {"coproduction_effort": 1.0})
>>> _ = g.advance()
>>> list(g.log()["lever"])
['coproduction_effort']
"""

from __future__ import annotations

from . import debrief
from .games import GAMES
from .records import export
from .session import Game, available, load, new
from .spec import Event, GameSpec, Outcome, Role, Round

__all__ = ["GAMES", "Event", "Game", "GameSpec", "Outcome", "Role", "Round", "available", "debrief", "export", "load",
           "new"]
