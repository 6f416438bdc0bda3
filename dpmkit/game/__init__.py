"""The game: a live, multi-round role-play in which tables steer one shared public service.

A game is data over a ready-made model (:mod:`dpmkit.game.games`): roles, the levers each
controls, private briefings and goals, rounds, events the facilitator can inject, and the
outcomes each role sees and is scored on. The whole game is one simulation run of the model,
re-run from the start with every decision so far as ``events=`` (fast and exact). Its state
lives in a shared folder as atomic files (:mod:`dpmkit.game.session`), so any process can
resume it with :func:`load`.

>>> import dpmkit as dk, tempfile
>>> g = dk.game.new(tempfile.mkdtemp(), "surrey", tables=["Table 1", "Table 2"])
>>> g.assign("Table 1", "commissioners")
>>> _ = g.decide("Table 1", {"coproduction_effort": 1.0})
>>> _ = g.advance()
>>> list(g.log()["lever"])
['coproduction_effort']
"""

from __future__ import annotations

from .games import GAMES
from .session import Game, available, load, new
from .spec import Event, GameSpec, Outcome, Role, Round

__all__ = ["GAMES", "Event", "Game", "GameSpec", "Outcome", "Role", "Round", "available", "load", "new"]
