"""Ballots: gathering what each participant or table decided, without a server.

In a workshop every participant (or table) casts a **ballot**: the lever settings
they chose, what they predict will happen, and a short question, hypothesis and
decision. A ballot is a small JSON document. It is written into a shared folder
(a JupyterHub shared directory, a synced folder, a USB stick passed round) or, when
there is no shared folder, turned into a **code** the participant copies and pastes
into a chat or a shared document. The facilitator then collects every
ballot and looks at them side by side: everyone's runs overlaid, the spread of
predictions against the simulated result, and who pulled which lever.

>>> import dpmkit as dk
>>> model = dk.models.load("demo")
>>> code = dk.workshop.submit(None, model=model, params={"staff_target": 26},
...                           predictions={"waiting_list": {60: 20}},
...                           hypothesis="More posts shorten the list", table="Table 1")
>>> found = dk.workshop.collect(codes=code, model=model)
>>> float(found.table.loc[0, "staff_target"])
26.0

The ballot format
-----------------
A ballot (format version 1) is a JSON object::

    {"schema": "dpmkit-ballot", "version": 1,
     "id": "<32 hex digits>", "created": "2025-05-14T10:42:07.123456+00:00",
     "model": "demo", "fingerprint": "<16 hex digits>",
     "participant": "Asha", "table": "Table 2", "role": "commissioner", "round": "1",
     "params": {"staff_target": 26.0},
     "predictions": {"waiting_list": [[60.0, 20.0]]},
     "question": "...", "hypothesis": "...", "finding": "...", "decision": "..."}

``params`` holds only the values the participant set; every other parameter keeps
the model's default. ``predictions`` maps a variable (a stock, flow or auxiliary) to
``[time, value]`` pairs. The ``fingerprint`` is a digest of the model's structure,
bounds and defaults (:func:`fingerprint`): a ballot cast on another model, or on
another version or setting of the same model, is rejected rather than silently
simulated with different assumptions.

Safety
------
Ballots are untrusted input. :func:`collect` never crashes on a bad file: each one
is rejected with a reason (malformed or truncated JSON, larger than 64 KB, another
model or version, values outside bounds, a duplicate, an odd file name, a symbolic
link, anything that is not a ballot). It checks a file's size before reading it,
never follows symbolic links or files with several hard links, and never reads outside
the folder. Files whose names start with a dot are skipped silently: that is where
ballots are being written (a ballot is written to a hidden temporary file and then
renamed, so a half-written ballot is never read). A temporary file older than a minute
was left by a writer that stopped: it is reported as abandoned, not as pending.

The package's modules: ``ballot`` (the format, its checks and the model's
fingerprint), ``store`` (atomic files in a shared folder, copy-paste codes),
``collect`` (:func:`collect` and the :class:`Collection` with its tables and charts),
``session`` (the round the facilitator opened and the tables to choose from, kept in the
folder: :func:`open_round`, :func:`read_session`; while a room serves the folder it keeps them,
:func:`serving_room`), ``dashboard`` (:func:`dashboard`, what the
notebook route's facilitator dashboard shows) and ``rehearsal`` (:func:`example_ballots`).
The form participants fill in is :func:`dpmkit.widgets.ballot_widget`; the charts are in
:mod:`dpmkit.charts`.
"""

from __future__ import annotations

from .ballot import (
    SCHEMA,
    VERSION,
    Ballot,
    clean_line,
    declared_moments,
    fingerprint,
    make_ballot,
    moment_words,
    prediction_spec,
    read_ballot,
    read_code,
    submit,
)
from .collect import Collection, Rejected, collect
from .dashboard import dashboard, near_table
from .rehearsal import example_ballots
from .session import SESSION_FILE, ServingRoom, Session, open_round, read_session, serving_room
from .store import CODE_PREFIX, FILE_MODE, MAX_BYTES, STALE_SECONDS, check_folder

__all__ = [
    "Ballot",
    "Collection",
    "Rejected",
    "ballot_widget",
    "collect",
    "dashboard",
    "example_ballots",
    "fingerprint",
    "make_ballot",
    "open_round",
    "read_ballot",
    "read_code",
    "read_session",
    "serving_room",
    "ServingRoom",
    "Session",
    "submit",
    # seams the other packages of the wing use
    "SCHEMA", "VERSION", "CODE_PREFIX", "FILE_MODE", "MAX_BYTES", "STALE_SECONDS", "clean_line", "prediction_spec",
    "SESSION_FILE", "check_folder", "declared_moments", "moment_words", "near_table",
]


def ballot_widget(model, folder=None, *, levers=None, predict=None, participant="", table="", role="", round="",
                  roles=None, tables=None):
    """The ballot form; kept here for old notebooks: it now lives in :func:`dpmkit.widgets.ballot_widget`.

    The one place where the workshop reaches up into the widgets, on call only, so that
    ``import dpmkit.workshop`` needs neither ipywidgets nor Altair (``tests/test_layering.py``
    allows exactly this import).
    """
    from ..widgets.ballot import ballot_widget as make

    return make(model, folder, levers=levers, predict=predict, participant=participant, table=table, role=role,
                round=round, roles=roles, tables=tables)
