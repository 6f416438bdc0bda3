"""The room: one facilitator laptop serves the kit's apps to every participant's browser, offline.

Start it with one command (``make room`` runs it)::

    python -m dpmkit.room --folder room --tables 6

It prints a ``Participants:`` link to share (and writes a QR code of it into the
folder) and a ``Facilitator:`` link to the live dashboard, which carries a secret.
Participants install nothing and see no code: each browser page gets the explorer
and a ballot form, served by Solara (one process, one light virtual kernel per page).
Every ballot lands in the folder as a :mod:`dpmkit.workshop` ballot file, written
atomically; the room's own settings live beside them in ``dpmkit-room.json``, so
stopping and starting the room on the same folder loses nothing.

Modules: ``state`` (the room, its settings file, accepting ballots, the dashboard's
board), ``server`` (Solara behind a guard that serves only the room's routes),
``pages`` (the join page, the participant's app and the dashboard, as Solara
components), ``cli`` (the command line). Only ``state`` and ``cli`` import without the
``room`` extra installed.
"""

from __future__ import annotations

from .state import STATE_FILE, Room, RoomError, table_list

__all__ = ["Room", "RoomError", "STATE_FILE", "table_list"]
