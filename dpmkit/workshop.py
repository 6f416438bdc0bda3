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
never follows symbolic links and never reads outside the folder. Files whose names
start with a dot are skipped silently: that is where ballots are being written
(a ballot is written to a hidden temporary file and then renamed, so a half-written
ballot is never read).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import numbers
import os
import re
import stat
import tempfile
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from .errors import ModelError
from .expressions import suggest
from .spec import Aux, Flow, Lookup, Model, Param, Stock

__all__ = [
    "Ballot",
    "Collection",
    "Rejected",
    "ballot_widget",
    "collect",
    "example_ballots",
    "fingerprint",
    "make_ballot",
    "read_code",
    "submit",
]

SCHEMA = "dpmkit-ballot"
VERSION = 1
#: Largest ballot accepted, in bytes (files and decoded codes alike).
MAX_BYTES = 64 * 1024
#: Every copy-paste code starts with this (the 1 is the code format's version).
CODE_PREFIX = "DPMK1."
#: Permissions of a ballot file: the writer reads and writes, the folder's group
#: (the facilitator, on a shared hub) reads. Set explicitly, whatever the umask.
FILE_MODE = 0o640

_MAX_LINE = 80  # participant, table, role, round
_MAX_TEXT = 2000  # question, hypothesis, finding, decision
_MAX_POINTS = 200  # predicted points in one ballot
_LINE_FIELDS = ("participant", "table", "role", "round")
_TEXT_FIELDS = ("question", "hypothesis", "finding", "decision")
_ID_RE = re.compile(r"[0-9a-f]{32}\Z")
_FILE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.json\Z")
_CODE_RE = re.compile(r"DPMK1\.([A-Za-z0-9_-]+)\.([0-9a-f]{8})")
_TEMP_RE = re.compile(r"\.(ballot|preflight)-[A-Za-z0-9_-]+\.tmp\Z")
#: Files that operating systems and Jupyter leave in folders; skipped without comment.
_CLUTTER = frozenset({".DS_Store", ".ipynb_checkpoints", "Thumbs.db", "desktop.ini", ".directory"})
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline allowed
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?\Z")


# --------------------------------------------------------------------- fingerprint
def _number(x):
    return repr(float(x))


def _declaration(v):
    """The parts of a declaration that change what a run computes."""
    if isinstance(v, Param):
        return ["param", v.name, v.units, _number(v.default),
                None if v.bounds is None else [_number(b) for b in v.bounds]]
    if isinstance(v, Stock):
        init = v.initial if isinstance(v.initial, str) else _number(v.initial)
        return ["stock", v.name, v.units, init, v.non_negative]
    if isinstance(v, Flow):
        eq = v.equation if isinstance(v.equation, str) else _number(v.equation)
        return ["flow", v.name, v.units, eq, v.into, v.out_of, v.non_negative]
    if isinstance(v, Aux):
        eq = v.equation if isinstance(v.equation, str) else _number(v.equation)
        return ["aux", v.name, v.units, eq]
    if isinstance(v, Lookup):
        return ["lookup", v.name, v.units, v.x_units, [_number(x) for x in v.x], [_number(y) for y in v.y]]
    raise ModelError(f"cannot fingerprint {type(v).__name__}")  # pragma: no cover - Model refuses others


def fingerprint(model):
    """A short digest of what a model computes: its structure, equations, units,
    parameter defaults and bounds, and time settings.

    Labels, descriptions and sources do not count, so rewording a label does not
    invalidate ballots; changing an equation, a default or a bound does.

    Parameters
    ----------
    model : Model

    Returns
    -------
    str
        16 hexadecimal digits.

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.models.load("demo")
    >>> fingerprint(m) == fingerprint(dk.models.load("demo"))
    True
    >>> fingerprint(m) == fingerprint(m.with_params(staff_target=25))
    False
    """
    model = _as_model(model)
    cached = model._cache.get("workshop_fingerprint")
    if cached is None:
        body = {
            "name": model.name,
            "time": [_number(model.start), _number(model.stop), _number(model.dt), model.time_units, model.method],
            "variables": sorted((_declaration(v) for v in model.variables), key=lambda d: d[1]),
        }
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        cached = hashlib.sha256(text.encode("ascii")).hexdigest()[:16]
        model._cache["workshop_fingerprint"] = cached
    return cached


def _as_model(model):
    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        from . import models

        return models.load(model)
    raise ModelError(f"expected a dpmkit Model or the name of a ready-made model, got {type(model).__name__}")


def _recorded(model):
    return {v.name: v for v in model.variables if isinstance(v, (Stock, Flow, Aux))}


def _headline(model, n=2):
    """Up to ``n`` variables worth predicting: end results that are levels or
    indicators first (flows are harder to picture), then flows."""
    recorded = _recorded(model)
    ends = [v for v in model.with_role("end_result") if v.name in recorded]
    ranked = [v.name for v in ends if not isinstance(v, Flow)] + [v.name for v in ends if isinstance(v, Flow)]
    return ranked[:n] or [v.name for v in model.stocks][:1] or list(recorded)[:1]


# --------------------------------------------------------------------- the ballot
@dataclass(frozen=True)
class Ballot:
    """One participant's or table's ballot, checked against its model.

    Make one with :func:`make_ballot` or :func:`submit`; read one with
    :func:`read_code` or :func:`collect`.

    Attributes
    ----------
    id : str
        32 hexadecimal digits, unique to this ballot.
    created : datetime
        When it was cast (timezone-aware, UTC).
    model, fingerprint : str
        The model's name and :func:`fingerprint`.
    participant, table, role, round : str
        Who cast it, at which table, in which role-play role, in which round.
    params : dict
        Parameter values the participant set (the rest keep their defaults).
    predictions : dict
        ``{variable: ((time, value), ...)}``, sorted by time.
    question, hypothesis, finding, decision : str
        The debrief protocol: the question asked, the hypothesis before the run,
        what was found, and the decision taken.
    source : str
        Where it was read from: a file name, ``"code 2"``, or ``""`` if made here.
    """

    id: str
    created: datetime
    model: str
    fingerprint: str
    params: dict = field(default_factory=dict)
    predictions: dict = field(default_factory=dict)
    participant: str = ""
    table: str = ""
    role: str = ""
    round: str = ""
    question: str = ""
    hypothesis: str = ""
    finding: str = ""
    decision: str = ""
    source: str = field(default="", compare=False)

    @property
    def label(self):
        """Who cast the ballot, for legends: "Table 2 · Asha", or a short id."""
        parts = [p for p in (self.table, self.participant) if p]
        return " · ".join(parts) if parts else f"ballot {self.id[:6]}"

    def to_dict(self):
        """The ballot as the JSON-ready document that is written to disk."""
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "id": self.id,
            "created": self.created.isoformat(),
            "model": self.model,
            "fingerprint": self.fingerprint,
            **{k: getattr(self, k) for k in _LINE_FIELDS},
            "params": dict(self.params),
            "predictions": {k: [list(p) for p in pts] for k, pts in self.predictions.items()},
            **{k: getattr(self, k) for k in _TEXT_FIELDS},
        }

    def to_json(self):
        """The document as compact UTF-8 JSON bytes."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")

    @property
    def code(self):
        """A copy-paste code holding the whole ballot, e.g. ``DPMK1.eJyr….3fa9c2b1``.

        The text is compressed JSON in URL-safe base64, ended by a checksum so that a
        code cut short while copying is recognised as damaged rather than misread.
        """
        payload = base64.urlsafe_b64encode(zlib.compress(self.to_json(), 9)).rstrip(b"=").decode("ascii")
        return f"{CODE_PREFIX}{payload}.{_checksum(payload)}"

    def save(self, folder):
        """Write the ballot into ``folder`` atomically and return the file's path.

        The ballot is written to a hidden temporary file in the same folder, flushed
        to disk, given mode ``0o640`` and then renamed to its final name, so that a
        reader never sees half a ballot. The name comes only from the time and the
        id (never from what a participant typed).
        """
        folder = _existing_folder(folder, "write ballots into")
        name = f"ballot-{self.created.strftime('%Y%m%dT%H%M%S%fZ')}-{self.id}.json"
        return _atomic_write(folder, name, self.to_json())


def _checksum(payload):
    return hashlib.sha256(payload.encode("ascii")).hexdigest()[:8]


def _existing_folder(folder, what):
    if folder is None or isinstance(folder, bool) or not isinstance(folder, (str, os.PathLike)):
        raise ModelError(f"the ballot folder must be a path (text), got {folder!r}")
    path = Path(folder).expanduser()
    if not path.exists():
        raise ModelError(
            f"the ballot folder {str(path)!r} does not exist; ask the facilitator for the shared folder's "
            "path, or create it first"
        )
    if not path.is_dir():
        raise ModelError(f"{str(path)!r} is a file, not a folder; cannot {what} it")
    return path


def _atomic_write(folder, name, data):
    if not _FILE_RE.match(name):
        raise ModelError(f"refusing to write a ballot under the unsafe name {name!r}")
    target = folder / name
    fd, tmp = tempfile.mkstemp(prefix=".ballot-", suffix=".tmp", dir=folder)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if hasattr(os, "fchmod"):  # not on Windows
                os.fchmod(fd, FILE_MODE)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)
    return target


def _fsync_folder(folder):
    # Make the rename itself durable where the platform allows it (POSIX).
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------- checking
def _line(value, name, where):
    if not isinstance(value, str):
        raise ModelError(f"{where}{name} must be text, got {type(value).__name__}", variable=name)
    value = value.strip()
    if len(value) > _MAX_LINE:
        raise ModelError(f"{where}{name} is {len(value)} characters long; at most {_MAX_LINE} are allowed", variable=name)
    if _CONTROL_RE.search(value):
        raise ModelError(f"{where}{name} contains control characters", variable=name)
    return value


def _text(value, name, where):
    if not isinstance(value, str):
        raise ModelError(f"{where}{name} must be text, got {type(value).__name__}", variable=name)
    value = value.strip().replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > _MAX_TEXT:
        raise ModelError(
            f"{where}{name} is {len(value)} characters long; at most {_MAX_TEXT} are allowed — keep it short",
            variable=name,
        )
    if _TEXT_CONTROL_RE.search(value):
        raise ModelError(f"{where}{name} contains control characters", variable=name)
    return value


def _finite(value, what, variable=None):
    # numbers.Real admits numpy scalars from Python callers; JSON gives int or float.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ModelError(f"{what} must be a number, got {_short(value)}", variable=variable)
    try:
        v = float(value)
    except OverflowError:
        raise ModelError(f"{what} is too large a number", variable=variable) from None
    if not math.isfinite(v):
        raise ModelError(f"{what} must be a finite number, got {_short(value)}", variable=variable)
    return v


def _short(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_params(params, model, where):
    if params is None:
        return {}
    if not isinstance(params, dict) and not hasattr(params, "items"):
        raise ModelError(f"{where}params must map parameter names to numbers, e.g. {{'budget': 12}}")
    decl = {p.name: p for p in model.params}
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or name not in decl:
            if isinstance(name, str) and name in model:
                raise ModelError(f"{where}{name!r} is a {model[name].kind} of {model.name!r}, not a parameter", variable=name)
            raise ModelError(
                f"{where}model {model.name!r} has no parameter {_short(name)}" + suggest(str(name), decl),
                variable=name if isinstance(name, str) else None,
            )
        value = _finite(value, f"{where}parameter {name!r}", name)
        p = decl[name]
        if p.bounds is not None and not p.bounds[0] <= value <= p.bounds[1]:
            raise ModelError(
                f"{where}parameter {name!r} = {value:g} is outside its bounds {p.bounds[0]:g} to "
                f"{p.bounds[1]:g}{' ' + p.units if p.units else ''}",
                variable=name,
            )
        out[name] = value
    return dict(sorted(out.items()))


def _points(spec, name, model, where):
    """Normalise one variable's predictions to a sorted tuple of (time, value)."""
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
        items = [(model.stop, spec)]
    elif hasattr(spec, "items"):
        items = list(spec.items())
    elif isinstance(spec, (list, tuple)):
        items = []
        for pair in spec:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise ModelError(
                    f"{where}predictions for {name!r} must be [time, value] pairs, got {_short(pair)}", variable=name
                )
            items.append(tuple(pair))
    else:
        raise ModelError(
            f"{where}predictions for {name!r} must be a number (the value at the end) or "
            f"{{time: value}}, got {_short(spec)}",
            variable=name,
        )
    tol = 1e-9 * max(1.0, abs(model.stop))
    seen = {}
    for t, v in items:
        if isinstance(t, str):  # JSON object keys arrive as text
            try:
                t = float(t)
            except ValueError:
                raise ModelError(f"{where}prediction time {_short(t)} for {name!r} is not a number", variable=name) from None
        t = _finite(t, f"{where}a prediction time for {name!r}", name)
        v = _finite(v, f"{where}the prediction for {name!r} at time {t:g}", name)
        if not model.start - tol <= t <= model.stop + tol:
            raise ModelError(
                f"{where}the prediction for {name!r} at time {t:g} lies outside the run "
                f"({model.start:g} to {model.stop:g} {model.time_units})",
                variable=name,
                time=t,
            )
        if t in seen:
            raise ModelError(f"{where}{name!r} is predicted twice at time {t:g}", variable=name, time=t)
        seen[t] = v
    return tuple(sorted(seen.items()))


def _check_predictions(predictions, model, where):
    if predictions is None:
        return {}
    if not hasattr(predictions, "items"):
        raise ModelError(
            f"{where}predictions must map variable names to a value or to {{time: value}}, "
            "e.g. {'waiting_list': {12: 80, 60: 40}}"
        )
    recorded = _recorded(model)
    out = {}
    total = 0
    for name, spec in predictions.items():
        if not isinstance(name, str) or name not in recorded:
            if isinstance(name, str) and name in model:
                raise ModelError(
                    f"{where}{name!r} is a {model[name].kind}; predict a stock, flow or auxiliary", variable=name
                )
            raise ModelError(
                f"{where}model {model.name!r} has no variable {_short(name)} to predict" + suggest(str(name), recorded),
                variable=name if isinstance(name, str) else None,
            )
        pts = _points(spec, name, model, where)
        total += len(pts)
        if total > _MAX_POINTS:
            raise ModelError(f"{where}a ballot holds at most {_MAX_POINTS} predicted points")
        if pts:
            out[name] = pts
    return dict(sorted(out.items()))


def make_ballot(model, *, params=None, predictions=None, question="", hypothesis="", finding="", decision="",
                participant="", table="", role="", round=""):
    """Check a participant's choices against the model and make a :class:`Ballot`.

    Parameters
    ----------
    model : Model or str
        The model (or the name of a ready-made model) the participant explored.
    params : dict, optional
        The lever settings chosen, ``{parameter: value}``; each must lie within its
        declared bounds. Parameters left out keep their defaults.
    predictions : dict, optional
        What the participant expects, ``{variable: value}`` (the value at the end of
        the run) or ``{variable: {time: value, ...}}``, for stocks, flows and
        auxiliaries. Times must lie within the run.
    question, hypothesis, finding, decision : str
        The debrief protocol, up to 2,000 characters each.
    participant, table, role, round : str
        Who, where, in which role and in which round, up to 80 characters each.

    Returns
    -------
    Ballot

    Raises
    ------
    ModelError
        Naming the parameter, variable, time or field that is not acceptable.

    Examples
    --------
    >>> import dpmkit as dk
    >>> b = make_ballot(dk.models.load("demo"), params={"staff_target": 26},
    ...                 predictions={"waiting_list": 20}, participant="Asha")
    >>> b.predictions
    {'waiting_list': ((60.0, 20.0),)}
    """
    model = _as_model(model)
    where = ""
    lines = {k: _line(v, k, where) for k, v in zip(_LINE_FIELDS, (participant, table, role, round))}
    texts = {k: _text(v, k, where) for k, v in zip(_TEXT_FIELDS, (question, hypothesis, finding, decision))}
    ballot = Ballot(
        id=uuid.uuid4().hex,
        created=datetime.now(timezone.utc),
        model=model.name,
        fingerprint=fingerprint(model),
        params=_check_params(params, model, where),
        predictions=_check_predictions(predictions, model, where),
        **lines,
        **texts,
    )
    size = len(ballot.to_json())
    if size > MAX_BYTES:
        raise ModelError(f"this ballot would be {size:,} bytes; ballots are at most {MAX_BYTES:,} bytes")
    return ballot


def submit(folder, *, model, params=None, predictions=None, question="", hypothesis="", finding="", decision="",
           participant="", table="", role="", round=""):
    """Cast a ballot: write it into a shared folder, or return a copy-paste code.

    Parameters
    ----------
    folder : str, Path or None
        The shared ballot folder (it must exist). ``None`` when there is no shared
        folder: the ballot is returned as a code to copy and paste instead.
    model, params, predictions, question, hypothesis, finding, decision, participant, table, role, round
        As in :func:`make_ballot`.

    Returns
    -------
    Path or str
        The path of the file written, or the code when ``folder`` is None.

    Raises
    ------
    ModelError
        For values the model does not accept (named), or a folder that does not exist.
    OSError
        If the folder cannot be written (for example, no permission).

    Examples
    --------
    >>> import dpmkit as dk
    >>> code = submit(None, model=dk.models.load("demo"), params={"staff_target": 30})
    >>> code.startswith("DPMK1.")
    True
    """
    ballot = make_ballot(model, params=params, predictions=predictions, question=question, hypothesis=hypothesis,
                         finding=finding, decision=decision, participant=participant, table=table, role=role,
                         round=round)
    if folder is None:
        return ballot.code
    return ballot.save(folder)


# --------------------------------------------------------------------- reading
class _Reject(Exception):
    """A ballot that is not acceptable; the message is the reason shown."""


def _no_duplicate_keys(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _Reject(f"the key {_short(k)} appears twice")
        out[k] = v
    return out


def _no_constants(name):
    raise _Reject(f"{name} is not a number a ballot may hold")


def _parse(data):
    """Bytes -> JSON document, or _Reject with a reason."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _Reject(f"not UTF-8 text (bad byte at position {err.start})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise _Reject("empty file")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as err:
        cut = err.pos >= len(text.rstrip()) - 1 or err.msg.startswith("Unterminated string")
        end = " (it looks cut short: was it still being copied?)" if cut else ""
        raise _Reject(f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}{end}") from None
    except RecursionError:
        raise _Reject("not a ballot: the JSON is nested too deeply") from None
    except ValueError as err:  # e.g. an integer with thousands of digits
        raise _Reject(f"not valid JSON: {err}") from None


def _check_document(doc, model, source):
    """A parsed document -> Ballot, or _Reject with a reason."""
    if not isinstance(doc, dict):
        raise _Reject(f"not a dpmkit ballot (the JSON is a {type(doc).__name__}, not an object)")
    if doc.get("schema") != SCHEMA:
        raise _Reject(f'not a dpmkit ballot (no "schema": "{SCHEMA}")')
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Reject(f"ballot format version {_short(version)} is not a whole number")
    if version > VERSION:
        raise _Reject(
            f"made by a newer dpmkit (ballot format {version}; this kit reads format {VERSION}): update the kit"
        )
    if version != VERSION:
        raise _Reject(f"ballot format {version} is not supported (this kit reads format {VERSION})")
    ballot_id = doc.get("id")
    if not isinstance(ballot_id, str) or not _ID_RE.match(ballot_id):
        raise _Reject(f"its id {_short(ballot_id)} is not 32 hexadecimal digits")
    created = doc.get("created")
    try:
        if not isinstance(created, str) or len(created) > 40:
            raise ValueError
        when = datetime.fromisoformat(created)
        if when.tzinfo is None:
            raise ValueError
    except ValueError:
        raise _Reject(f"its time stamp {_short(created)} is not an ISO 8601 time with a time zone") from None
    name = doc.get("model")
    if not isinstance(name, str):
        raise _Reject("it does not name its model")
    if model is None:
        raise _Reject(f"it is for model {_short(name)}, which is not a ready-made model: pass model= to collect")
    if name != model.name:
        raise _Reject(f"it is for model {_short(name)}, not {model.name!r}")
    if doc.get("fingerprint") != fingerprint(model):
        raise _Reject(
            f"it was cast on another version or setting of model {model.name!r} (its structure, defaults or "
            "bounds differ): check that everyone loads the same model, with the same kit version"
        )
    try:
        lines = {k: _line(doc.get(k, ""), k, "") for k in _LINE_FIELDS}
        texts = {k: _text(doc.get(k, ""), k, "") for k in _TEXT_FIELDS}
        params = _check_params(doc.get("params", {}), model, "")
        predictions = doc.get("predictions", {})
        if not isinstance(predictions, dict):
            raise ModelError("predictions must be an object")
        predictions = _check_predictions(predictions, model, "")
    except ModelError as err:
        raise _Reject(str(err)) from None
    return Ballot(id=ballot_id, created=when.astimezone(timezone.utc), model=name, fingerprint=doc["fingerprint"],
                  params=params, predictions=predictions, source=source, **lines, **texts)


def _decode_code(payload, check):
    if len(payload) > (MAX_BYTES * 4) // 3 + 4:
        raise _Reject("the code is too long to be a ballot")
    if _checksum(payload) != check:
        raise _Reject("the code is damaged or incomplete (its checksum does not match): copy it again in full")
    try:
        packed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        raise _Reject("the code is damaged (not base64)") from None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(packed, MAX_BYTES + 1)
    except zlib.error:
        raise _Reject("the code is damaged (cannot be decompressed)") from None
    if len(data) > MAX_BYTES or inflater.unconsumed_tail:
        raise _Reject(f"the code unpacks to more than {MAX_BYTES // 1024} KB: too large to be a ballot")
    if not inflater.eof:
        raise _Reject("the code is incomplete (the compressed data stops early)")
    return data


def _find_codes(text):
    """Every code in pasted text; whitespace inside codes (line wraps) is ignored."""
    squeezed = re.sub(r"\s+", "", text)
    return [(m.group(1), m.group(2)) for m in _CODE_RE.finditer(squeezed)]


def read_code(code, *, model=None):
    """Read one copy-paste code back into a :class:`Ballot`.

    Parameters
    ----------
    code : str
        A code made by :func:`submit` (line breaks and spaces inside it are ignored).
    model : Model or str, optional
        The model to check it against; by default the ready-made model it names.

    Raises
    ------
    ModelError
        Saying why the code is not acceptable (damaged, another model, out of bounds…).

    Examples
    --------
    >>> import dpmkit as dk
    >>> code = submit(None, model="demo", params={"staff_target": 30}, table="Table 3")
    >>> read_code(code).table
    'Table 3'
    """
    if not isinstance(code, str):
        raise ModelError(f"a ballot code is text, got {type(code).__name__}")
    found = _find_codes(code)
    if len(found) != 1:
        raise ModelError("no ballot code found in that text" if not found else
                         f"that text holds {len(found)} ballot codes; use collect(codes=...) for several")
    model = None if model is None else _as_model(model)
    try:
        data = _decode_code(*found[0])
        doc = _parse(data)
        return _check_document(doc, model or _registry_model(doc), "code")
    except _Reject as err:
        raise ModelError(f"ballot code rejected: {err}") from None


def _registry_model(doc, cache=None):
    name = doc.get("model") if isinstance(doc, dict) else None
    if not isinstance(name, str):
        return None
    cache = {} if cache is None else cache
    if name not in cache:
        from . import models

        cache[name] = models.load(name) if name in models.available() else None
    return cache[name]


def _read_entry(entry):
    """Bytes of a directory entry that looks like a ballot file, or _Reject."""
    name = entry.name
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError as err:
        raise _Reject(f"cannot be examined ({err.strerror or err})") from None
    if stat.S_ISLNK(st.st_mode):
        raise _Reject("is a symbolic link; links are never followed")
    if stat.S_ISDIR(st.st_mode):
        raise _Reject("is a folder, not a ballot")
    if not stat.S_ISREG(st.st_mode):
        raise _Reject("is not a regular file")
    if not _FILE_RE.match(name):
        raise _Reject(
            "its name is not a ballot file name (letters, digits, '.', '_' and '-' only, ending in .json)"
        )
    if st.st_size > MAX_BYTES:
        raise _Reject(f"too large ({st.st_size:,} bytes; a ballot is at most {MAX_BYTES:,} bytes)")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(entry.path, flags)
    except FileNotFoundError:
        raise _Reject("disappeared while being read") from None
    except OSError as err:
        raise _Reject(f"cannot be opened ({err.strerror or err})") from None
    try:
        st = os.fstat(fd)
        # The entry may have been swapped between the check above and the open.
        if not stat.S_ISREG(st.st_mode):
            raise _Reject("is not a regular file")
        if st.st_size > MAX_BYTES:
            raise _Reject(f"too large ({st.st_size:,} bytes; a ballot is at most {MAX_BYTES:,} bytes)")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:
            raise _Reject(f"too large (more than {MAX_BYTES:,} bytes)")
        return b"".join(chunks)
    except OSError as err:
        raise _Reject(f"cannot be read ({err.strerror or err})") from None
    finally:
        os.close(fd)


class Rejected(NamedTuple):
    """A file or code that :func:`collect` did not accept, and why."""

    source: str
    reason: str


def collect(folder=None, *, model=None, codes=None, round=None):
    """Gather the ballots in a folder (and/or pasted codes), checking every one.

    Parameters
    ----------
    folder : str or Path, optional
        The shared ballot folder. Only the files directly inside it are read;
        sub-folders are not searched. Ballots still being written (hidden
        temporary files) are counted in ``.in_progress`` and skipped, as are the
        files operating systems leave behind (``.DS_Store``, ``Thumbs.db``…).
    model : Model or str, optional
        The model the ballots must have been cast on. By default each ballot is
        checked against the ready-made model it names.
    codes : str or list of str, optional
        Copy-paste codes, e.g. everything pasted from a chat: the codes are found
        in the text, so names and line breaks around them do no harm.
    round : str, optional
        Keep only ballots of this round.

    Returns
    -------
    Collection
        ``.table`` (one row per accepted ballot), ``.ballots`` and ``.rejected``
        (each file or code not accepted, with the reason).

    Raises
    ------
    ModelError
        Only for the facilitator's own mistakes: a folder that does not exist, or
        neither a folder nor codes given. Bad ballots are never raised; they are
        listed in ``.rejected``.

    Examples
    --------
    >>> import dpmkit as dk, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = dk.workshop.submit(folder, model="demo", params={"staff_target": 26}, table="Table 1")
    >>> found = dk.workshop.collect(folder)
    >>> len(found), found.rejected
    (1, [])
    """
    if folder is None and codes is None:
        raise ModelError("give a ballot folder, codes=..., or both")
    model = None if model is None else _as_model(model)
    cache = {}
    accepted, rejected, seen = [], [], {}
    in_progress = 0

    def take(source, data):
        try:
            doc = _parse(data)
            checked = model if model is not None else _registry_model(doc, cache)
            ballot = _check_document(doc, checked, source)
        except _Reject as err:
            rejected.append(Rejected(source, str(err)))
            return
        if ballot.id in seen:
            rejected.append(Rejected(source, f"duplicate of ballot {ballot.id[:8]}… already collected from {seen[ballot.id]}"))
            return
        seen[ballot.id] = source
        accepted.append(ballot)

    if folder is not None:
        path = _existing_folder(folder, "collect ballots from")
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            raise ModelError(f"cannot list the ballot folder {str(path)!r}: {err.strerror or err}") from None
        for entry in entries:
            if _TEMP_RE.match(entry.name):
                in_progress += 1
                continue
            if entry.name in _CLUTTER or entry.name.startswith(("._", ".~lock.")):
                continue
            shown = _safe_display(entry.name)
            try:
                data = _read_entry(entry)
            except _Reject as err:
                rejected.append(Rejected(shown, str(err)))
                continue
            take(shown, data)
    if codes is not None:
        if isinstance(codes, str):
            codes = [codes]
        number = 0
        for k, text in enumerate(codes, 1):
            if not isinstance(text, str):
                rejected.append(Rejected(f"pasted item {k}", f"not text ({type(text).__name__})"))
                continue
            found = _find_codes(text)
            if not found and text.strip():
                rejected.append(Rejected(f"pasted item {k}", "no ballot code found in it"))
            for payload, check in found:
                number += 1
                source = f"code {number}"
                try:
                    data = _decode_code(payload, check)
                except _Reject as err:
                    rejected.append(Rejected(source, str(err)))
                    continue
                take(source, data)
    if round is not None:
        accepted = [b for b in accepted if b.round == str(round)]
    accepted.sort(key=lambda b: (b.created, b.id))
    found = Collection(accepted, rejected, model)
    found.in_progress = in_progress
    return found


def _safe_display(name):
    """A file name made safe to print: control characters shown as escapes, length capped."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return shown if len(shown) <= 120 else shown[:119] + "…"


# --------------------------------------------------------------------- the collection
_META = ("id", "created", "participant", "table", "role", "round", "label", "model",
         "question", "hypothesis", "finding", "decision", "source")


class Collection:
    """The ballots :func:`collect` accepted, the ones it rejected, and ways to compare them.

    Attributes
    ----------
    ballots : list of Ballot
        Accepted ballots, oldest first.
    rejected : list of Rejected
        ``(source, reason)`` for every file or code not accepted.
    model : Model or None
        The model all accepted ballots were cast on (None if they name several).
    table : pandas.DataFrame
        One row per accepted ballot: who, the debrief texts, and one column per
        parameter with the value used (the default where the participant set none).
    in_progress : int
        Ballots that were still being written when the folder was read; collect
        again in a moment to include them.
    """

    def __init__(self, ballots, rejected, model=None):
        self.ballots = list(ballots)
        self.rejected = list(rejected)
        self.in_progress = 0
        # Legends and rows need one label per ballot: add a short id where two coincide.
        counts = {}
        for b in self.ballots:
            counts[b.label] = counts.get(b.label, 0) + 1
        self._labels = {b.id: b.label if counts[b.label] == 1 else f"{b.label} ({b.id[:4]})" for b in self.ballots}
        if model is None:
            names = {b.model for b in self.ballots}
            if len(names) == 1:
                model = _as_model(names.pop())
        self.model = model
        self._table = None

    def __len__(self):
        return len(self.ballots)

    def __repr__(self):
        about = f" for model {self.model.name!r}" if self.model is not None else ""
        return f"<Collection{about}: {len(self.ballots)} ballots accepted, {len(self.rejected)} rejected>"

    @property
    def table(self):
        import pandas as pd

        if self._table is None:
            rows = []
            defaults = self.model.defaults if self.model is not None else {}
            params = list(defaults) + sorted({k for b in self.ballots for k in b.params} - set(defaults))
            for b in self.ballots:
                row = {k: getattr(b, k) for k in _META}
                row["label"] = self._labels[b.id]
                values = dict(defaults)
                values.update(b.params)
                for name, value in values.items():
                    row[name if name not in _META else f"{name}_param"] = value
                rows.append(row)
            columns = list(_META) + [p if p not in _META else f"{p}_param" for p in params]
            frame = pd.DataFrame(rows, columns=columns)
            frame["created"] = pd.to_datetime(frame["created"], utc=True)
            self._table = frame
        return self._table

    def rejected_table(self):
        """The rejected files and codes as a DataFrame (``source, reason``)."""
        import pandas as pd

        return pd.DataFrame(self.rejected, columns=["source", "reason"])

    def latest(self):
        """A Collection keeping only the latest ballot of each (table, participant).

        Ballots with neither a table nor a participant are all kept.
        """
        keep = {}
        anonymous = []
        for b in self.ballots:
            if b.table or b.participant:
                keep[(b.table, b.participant)] = b
            else:
                anonymous.append(b)
        chosen = sorted(list(keep.values()) + anonymous, key=lambda b: (b.created, b.id))
        return Collection(chosen, self.rejected, self.model)

    def _need_model(self):
        if self.model is None:
            if not self.ballots:
                raise ModelError("no ballots were accepted, so there is nothing to compare yet")
            raise ModelError(
                "these ballots were cast on several models "
                f"({', '.join(sorted({b.model for b in self.ballots}))}); collect with model=... to compare them"
            )
        if not self.ballots:
            raise ModelError("no ballots were accepted, so there is nothing to compare yet")
        return self.model

    def _values(self):
        model = self._need_model()
        defaults = model.defaults
        return [{**defaults, **b.params} for b in self.ballots]

    # ---- levers
    def levers(self, names=None):
        """Who pulled which lever: a tidy DataFrame, one row per ballot and parameter.

        Columns: ``id, label, table, participant, role, lever, lever_label, units,
        value, default, change, pulled, direction`` (``"up"``, ``"down"`` or
        ``"unchanged"``). By default the model's policy levers and every parameter
        a ballot set are included.
        """
        import pandas as pd

        model = self._need_model()
        decl = {p.name: p for p in model.params}
        if names is None:
            chosen = {p.name for p in model.policy_levers} | {k for b in self.ballots for k in b.params}
            names = [p for p in decl if p in chosen]
        else:
            names = [names] if isinstance(names, str) else list(names)
            for n in names:
                if n not in decl:
                    raise ModelError(f"model {model.name!r} has no parameter {n!r}" + suggest(n, decl), variable=n)
        rows = []
        for b, values in zip(self.ballots, self._values()):
            for n in names:
                p = decl[n]
                change = values[n] - p.default
                span = (p.bounds[1] - p.bounds[0]) if p.bounds else max(abs(p.default), 1.0)
                pulled = abs(change) > 1e-9 * max(span, 1e-12)
                rows.append({
                    "id": b.id, "label": self._labels[b.id], "table": b.table, "participant": b.participant, "role": b.role,
                    "lever": n, "lever_label": p.label, "units": p.units, "value": values[n], "default": p.default,
                    "change": change, "pulled": pulled,
                    "direction": ("up" if change > 0 else "down") if pulled else "unchanged",
                })
        return pd.DataFrame(rows, columns=["id", "label", "table", "participant", "role", "lever", "lever_label",
                                           "units", "value", "default", "change", "pulled", "direction"])

    def lever_summary(self, names=None):
        """Per lever: how many ballots pulled it up or down, and the spread of values.

        Columns: ``lever, lever_label, units, default, pulled, up, down, min, median, max``.
        """
        tidy = self.levers(names)
        groups = tidy.groupby("lever", sort=False)
        out = groups.agg(lever_label=("lever_label", "first"), units=("units", "first"),
                         default=("default", "first"), pulled=("pulled", "sum"),
                         up=("direction", lambda d: int((d == "up").sum())),
                         down=("direction", lambda d: int((d == "down").sum())),
                         min=("value", "min"), median=("value", "median"), max=("value", "max"))
        out["pulled"] = out["pulled"].astype(int)
        return out.reset_index()

    # ---- runs
    def runs(self, record=None):
        """Simulate every ballot's settings in one vectorised :func:`dpmkit.ensemble` call.

        Run ``k`` of the result is ``self.ballots[k]``.

        Parameters
        ----------
        record : list of str, optional
            Variables to keep (default: all).

        Returns
        -------
        EnsembleResult
        """
        from .simulate import ensemble

        model = self._need_model()
        values = self._values()
        samples = {p.name: [v[p.name] for v in values] for p in model.params}
        try:
            return ensemble(model, samples=samples, record=record)
        except ModelError as err:
            raise ModelError(f"the ballots' runs failed: {err}") from err

    def runs_frame(self, variables=None, *, base=True):
        """Everyone's runs as a tidy DataFrame, with the base case.

        Columns: ``time, variable, value, id, label, table, participant, run``
        (``run`` is ``"ballot"`` or ``"base case"``; the base case has empty id).
        """
        import pandas as pd

        from .simulate import simulate

        model = self._need_model()
        recorded = _recorded(model)
        variables = self._variables(variables, recorded)
        ens = self.runs(record=variables)
        frames = []
        for k, b in enumerate(self.ballots):
            for v in variables:
                frames.append(pd.DataFrame({"time": ens.time, "variable": v, "value": ens[v][:, k], "id": b.id,
                                            "label": self._labels[b.id], "table": b.table, "participant": b.participant,
                                            "run": "ballot"}))
        if base:
            result = simulate(model)
            for v in variables:
                frames.append(pd.DataFrame({"time": result.time, "variable": v, "value": result[v], "id": "",
                                            "label": "base case", "table": "", "participant": "",
                                            "run": "base case"}))
        return pd.concat(frames, ignore_index=True)

    def _variables(self, variables, recorded):
        model = self.model
        if variables is None:
            variables = sorted({v for b in self.ballots for v in b.predictions}) or _headline(model, 3)
        variables = [variables] if isinstance(variables, str) else list(variables)
        for v in variables:
            if v not in recorded:
                raise ModelError(
                    f"{v!r} is not a stock, flow or auxiliary of model {model.name!r}" + suggest(v, recorded),
                    variable=v,
                )
        return variables

    # ---- predictions
    def predictions(self):
        """Every prediction beside what the ballot's own settings produce and the base case.

        Columns: ``id, label, table, participant, variable, time, predicted, simulated,
        base, gap`` where ``gap = predicted - simulated``.
        """
        import numpy as np
        import pandas as pd

        from .simulate import simulate

        model = self._need_model()
        columns = ["id", "label", "table", "participant", "variable", "time", "predicted", "simulated", "base", "gap"]
        variables = sorted({v for b in self.ballots for v in b.predictions})
        if not variables:
            return pd.DataFrame(columns=columns)
        ens = self.runs(record=variables)
        base = simulate(model)
        rows = []
        for k, b in enumerate(self.ballots):
            for v, pts in b.predictions.items():
                for t, predicted in pts:
                    i = int(np.argmin(np.abs(ens.time - t)))
                    simulated = float(ens[v][i, k])
                    rows.append({"id": b.id, "label": self._labels[b.id], "table": b.table, "participant": b.participant,
                                 "variable": v, "time": float(ens.time[i]), "predicted": predicted,
                                 "simulated": simulated, "base": float(base[v][i]), "gap": predicted - simulated})
        return pd.DataFrame(rows, columns=columns)

    # ---- charts
    def chart_runs(self, variable, *, width=560, height=300):
        """Everyone's run of ``variable`` overlaid, with the base case drawn thick and dashed.

        Returns an Altair chart. Display it with an offline renderer (see
        ``workshops/README.md``), or save it: ``chart.save("runs.svg")``.
        """
        import altair as alt
        import numpy as np

        model = self._need_model()
        frame = self.runs_frame([variable])
        title = _axis_title(model, variable)
        from .charts import PALETTE

        # black is kept for the base case, and yellow is too faint on white
        colour = alt.Color("label:N", title="Ballot",
                           scale=alt.Scale(range=[c for c in PALETTE if c not in ("#000000", "#F0E442")]),
                           legend=alt.Legend(symbolLimit=40) if len(self.ballots) <= 40 else None)
        tooltip = [alt.Tooltip("label:N", title="Ballot"), alt.Tooltip("time:Q", title=f"Time ({model.time_units})"),
                   alt.Tooltip("value:Q", title=title, format=",.3~f")]
        # A smooth line needs no more than ~150 points; thinning keeps the chart quick for a big class.
        times = np.unique(frame["time"].to_numpy())
        keep = times[:: max(1, math.ceil(len(times) / 150))]
        shown = frame[frame["time"].isin(np.append(keep, times[-1]))]
        lines = alt.Chart(_inline(shown[shown["run"] == "ballot"]))
        ballots = lines.mark_line(strokeWidth=1.5, opacity=0.8).encode(
            x=alt.X("time:Q", title=f"Time ({model.time_units})", scale=alt.Scale(zero=False),
                    axis=alt.Axis(format="~g")),  # calendar years without a thousands separator
            y=alt.Y("value:Q", title=title),
            color=colour, detail="id:N", tooltip=tooltip,
        )
        base = alt.Chart(_inline(shown[shown["run"] == "base case"])).mark_line(
            color="black", strokeWidth=3, strokeDash=[8, 4]).encode(x="time:Q", y="value:Q", tooltip=tooltip)
        ends = frame[frame["time"] == frame["time"].max()]
        mine, theirs = ends[ends["run"] == "ballot"]["value"], ends[ends["run"] == "base case"]["value"]
        text = (f"{model[variable].label}: the runs of {len(self.ballots)} ballots, "
                f"{_span(frame['time'].min(), frame['time'].max(), model.time_units)}. At the end the base case is at "
                f"{float(theirs.iloc[0]):,.4g} and the ballots lie between {mine.min():,.4g} and {mine.max():,.4g}.")
        chart = (ballots + base).properties(
            width=width, height=height,
            title=alt.TitleParams(f"{model[variable].label}: everyone's run", subtitle="dashed black: the base case"),
        )
        return _projector(chart, text)

    def chart_predictions(self, variable, *, width=560, height=220):
        """Predictions of ``variable`` against what each ballot's settings produce.

        One row per predicted time: hollow circles are the predictions, filled
        squares the simulated results of the same settings, and a black tick the
        base case. Shape, not only colour, tells them apart.
        """
        import altair as alt

        from .charts import PALETTE

        model = self._need_model()
        frame = self.predictions()
        frame = frame[frame["variable"] == variable]
        if frame.empty:
            raise ModelError(f"no ballot predicts {variable!r}", variable=variable)
        long = frame.melt(id_vars=["label", "time"], value_vars=["predicted", "simulated"], var_name="kind",
                          value_name="value")
        long["kind"] = long["kind"].map({"predicted": "prediction", "simulated": "simulated with their levers"})
        base = frame.groupby("time", as_index=False)["base"].first()
        title = _axis_title(model, variable)
        row = alt.Y("time:O", title=f"At time ({model.time_units})", axis=alt.Axis(format="~g"))
        points = alt.Chart(_inline(long)).mark_point(size=90, filled=False, strokeWidth=2).encode(
            x=alt.X("value:Q", title=title, scale=alt.Scale(zero=False)), y=row,
            shape=alt.Shape("kind:N", title="", scale=alt.Scale(domain=["prediction", "simulated with their levers"],
                                                              range=["circle", "square"])),
            color=alt.Color("kind:N", title="", scale=alt.Scale(domain=["prediction", "simulated with their levers"],
                                                              range=[PALETTE[0], PALETTE[3]]),
                            legend=alt.Legend(labelLimit=320)),
            yOffset=alt.YOffset("kind:N"),
            tooltip=[alt.Tooltip("label:N", title="Ballot"), alt.Tooltip("kind:N", title=""),
                     alt.Tooltip("value:Q", title=title, format=",.3~f")],
        )
        ticks = alt.Chart(_inline(base)).mark_tick(color="black", thickness=3, size=40).encode(
            x="base:Q", y=row, tooltip=[alt.Tooltip("base:Q", title="Base case", format=",.3~f")])
        parts = []
        for t, group in frame.groupby("time"):
            parts.append(f"{_when(t, model.time_units)}, {len(group)} predictions from {group['predicted'].min():,.4g} "
                         f"to {group['predicted'].max():,.4g}; their settings give {group['simulated'].min():,.4g} to "
                         f"{group['simulated'].max():,.4g}; the base case gives {group['base'].iloc[0]:,.4g}")
        text = f"{model[variable].label}: " + "; ".join(parts) + "."
        chart = (points + ticks).properties(
            width=width, height=height,
            title=alt.TitleParams(f"{model[variable].label}: predictions and results",
                                  subtitle="circles: predictions, squares: simulated, black tick: the base case"),
        )
        return _projector(chart, text)

    def chart_levers(self, names=None, *, width=None, height=None):
        """Who pulled which lever: one row per ballot, one column per lever.

        Each cell shows the value chosen with an arrow (↑ above the default, ↓ below,
        · unchanged); the colour repeats the direction for a quick overview.
        """
        import altair as alt

        from .charts import PALETTE

        tidy = self.levers(names)
        arrows = tidy["direction"].map({"up": "↑", "down": "↓", "unchanged": "·"})
        tidy = tidy.assign(text=[f"{a} {v:.3g}" for a, v in zip(arrows, tidy["value"])])
        n_rows = tidy["id"].nunique()
        n_cols = tidy["lever"].nunique()
        base = alt.Chart(_inline(tidy)).encode(
            x=alt.X("lever_label:N", title=None, axis=alt.Axis(orient="top", labelAngle=0, labelLimit=160)),
            y=alt.Y("label:N", title=None, sort=None),
            tooltip=[alt.Tooltip("label:N", title="Ballot"), alt.Tooltip("lever_label:N", title="Lever"),
                     alt.Tooltip("value:Q", title="Chosen", format=",.4~g"),
                     alt.Tooltip("default:Q", title="Default", format=",.4~g")],
        )
        cells = base.mark_rect(stroke="white").encode(
            color=alt.Color("direction:N", title="Compared with the default",
                            scale=alt.Scale(domain=["up", "down", "unchanged"],
                                            range=[PALETTE[1], PALETTE[5], "#EEEEEE"])))
        labels = base.mark_text(fontSize=15).encode(text="text:N")
        counts = tidy.groupby("lever_label", sort=False)["direction"].value_counts().unstack(fill_value=0)
        summary = "; ".join(f"{lever}: {int(row.get('up', 0))} up, {int(row.get('down', 0))} down, "
                            f"{int(row.get('unchanged', 0))} unchanged" for lever, row in counts.iterrows())
        chart = (cells + labels).properties(
            width=width or max(150 * n_cols, 240), height=height or max(30 * n_rows, 60),
            title=alt.TitleParams("Who pulled which lever",
                                  subtitle="↑ above the default, ↓ below it, · unchanged"),
        )
        return _projector(chart, f"Who pulled which lever, across {n_rows} ballots. {summary}.")


def _inline(frame):
    """Inline chart data as plain Python values. Altair caps DataFrames at 5,000 rows;
    a class's runs can exceed that, and inline values are not capped."""
    import altair as alt

    records = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
               for row in frame.to_dict("records")]
    return alt.Data(values=records)


def _calendar(t, units):
    return units.lower().startswith("year") and abs(t) >= 1000


def _when(t, units):
    """'in 2014.25' for calendar years, 'at month 12' otherwise."""
    return f"in {t:g}" if _calendar(t, units) else f"at {units} {t:g}"


def _span(t0, t1, units):
    return f"from {t0:g} to {t1:g}" if _calendar(t0, units) else f"from {units} {t0:g} to {t1:g}"


def _projector(chart, description):
    """Fonts legible from the back of a room (as dk.charts), and a plain-text summary
    that screen readers announce (embedded by ``dk.charts.to_svg``)."""
    from .charts import FONT

    return (chart.properties(description=description)
            .configure_axis(labelFontSize=FONT["axis_label"], titleFontSize=FONT["axis_title"])
            .configure_title(fontSize=FONT["title"], subtitleFontSize=FONT["subtitle"])
            .configure_legend(labelFontSize=FONT["legend"], titleFontSize=FONT["legend"]))


def _axis_title(model, name):
    v = model[name]
    return f"{v.label} ({v.units})" if v.units and v.units != "dimensionless" else v.label


# --------------------------------------------------------------------- rehearsal data
_HYPOTHESES = (
    "If we protect front-line capacity, the outcome improves within a year.",
    "Cutting faster saves money now but the outcome gets worse later.",
    "Investing in relationships pays off, but only after a delay.",
    "Nothing much changes: the system absorbs what we do.",
    "Results get worse before they get better.",
)
_DECISIONS = (
    "Phase the change over three years and review after two.",
    "Keep the lever where it is and invest in learning instead.",
    "Push the main lever hard now, and accept a dip in year one.",
    "Ask the providers and young people before deciding.",
)


def example_ballots(model, n=12, *, seed=None, tables=4, round="1", predict=None):
    """Plausible ballots for rehearsing a session or trying the dashboard.

    Each ballot moves some policy levers away from their defaults and predicts some
    variables (near, but not exactly at, what its settings produce). Randomness only from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    model : Model or str
    n : int
        Number of ballots.
    seed : int, optional
    tables : int
        Ballots are spread over this many tables.
    round : str
    predict : str, list or dict, optional
        What the ballots predict, as in :func:`ballot_widget` (default: up to two
        end results, at the end of the run).

    Returns
    -------
    list of Ballot

    Examples
    --------
    >>> import dpmkit as dk
    >>> ballots = example_ballots("demo", 6, seed=1)
    >>> len(ballots), ballots[0].model
    (6, 'demo')
    """
    import numpy as np

    from .simulate import simulate

    model = _as_model(model)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ModelError(f"n must be a positive whole number, got {n!r}")
    rng = np.random.default_rng(seed)
    levers = [p for p in model.policy_levers if p.bounds] or [p for p in model.params if p.bounds][:3]
    spec = _prediction_spec(model, predict)
    names = ("Asha", "Ben", "Chloé", "Dev", "Eilidh", "Femi", "Gosia", "Hamid", "Iris", "Jon", "Kemi", "Luca")
    roles = ("commissioner", "provider", "young people's representatives", "inspectorate")
    out = []
    for k in range(n):
        params = {}
        for p in levers:
            if rng.random() < 0.7:
                lo, hi = p.bounds
                value = float(np.clip(p.default + rng.normal(0, 0.25) * (hi - lo), lo, hi))
                params[p.name] = float(f"{value:.3g}")
                params[p.name] = min(max(params[p.name], lo), hi)
        result = simulate(model, params)
        predictions = {}
        for v, t in spec:
            actual = result.at(t, v)
            scale = max(abs(actual), abs(float(np.mean(result[v]))), 1e-9)
            predictions.setdefault(v, {})[t] = float(f"{actual + rng.normal(0, 0.3) * scale:.3g}")
        table = k % max(int(tables), 1) + 1
        out.append(make_ballot(
            model, params=params, predictions=predictions,
            hypothesis=_HYPOTHESES[int(rng.integers(len(_HYPOTHESES)))],
            decision=_DECISIONS[int(rng.integers(len(_DECISIONS)))],
            participant=names[k % len(names)] + ("" if k < len(names) else f" {k // len(names) + 1}"),
            table=f"Table {table}", role=roles[(table - 1) % len(roles)], round=str(round),
        ))
    return out


# --------------------------------------------------------------------- the widget
def _parse_number(text):
    """A number typed by a person: '45', '3.5', '1,080', ' 12 '. None if empty."""
    text = text.strip().replace(" ", "").replace("_", "").replace("\u00a0", "")
    if not text:
        return None
    if _THOUSANDS_RE.match(text):
        text = text.replace(",", "")
    if "," in text:
        raise ValueError("use a point for decimals, for example 3.5")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("enter an ordinary number")
    return value


def _prediction_spec(model, predict):
    recorded = _recorded(model)
    if predict is None:
        predict = {n: [model.stop] for n in _headline(model)}
    elif isinstance(predict, str):
        predict = {predict: [model.stop]}
    elif not hasattr(predict, "items"):
        predict = {n: [model.stop] for n in predict}
    spec = []
    for name, times in predict.items():
        if name not in recorded:
            raise ModelError(f"cannot predict {name!r}: it is not a stock, flow or auxiliary of {model.name!r}"
                             + suggest(str(name), recorded), variable=name)
        times = [times] if isinstance(times, (int, float)) else list(times)
        for t in times:
            t = _finite(t, f"a prediction time for {name!r}", name)
            if not model.start <= t <= model.stop:
                raise ModelError(f"time {t:g} for {name!r} is outside the run ({model.start:g} to {model.stop:g})",
                                 variable=name, time=t)
            spec.append((name, t))
    return spec


def ballot_widget(model, folder=None, *, levers=None, predict=None, participant="", table="", role="", round="",
                  roles=None):
    """A form for casting a ballot: lever sliders, predictions, hypothesis, decision, submit.

    Sliders are built from each parameter's declaration (label, units, bounds, and
    the description as a tooltip); they start at the defaults. Predictions are typed
    as numbers (a blank field means "no prediction"). On *Submit* the ballot is
    checked; the widget says clearly whether it was saved, or shows a code to copy
    when there is no shared folder (or the folder cannot be written), or says what
    to fix.

    Parameters
    ----------
    model : Model or str
    folder : str or Path, optional
        The shared ballot folder; None to hand out copy-paste codes.
    levers : list of str, optional
        Parameters to offer as sliders (default: the model's policy levers).
    predict : str, list or dict, optional
        Variables to predict: names (predicted at the end of the run) or
        ``{name: [times]}``. Default: up to two of the model's end results.
    participant, table, role, round : str
        Initial values of the name fields; ``round`` is fixed by the facilitator.
    roles : list of str, optional
        If given, the role is chosen from this list (e.g. the role-play roles).

    Returns
    -------
    BallotWidget
        An ipywidgets ``VBox``; ``.submit()`` casts the ballot, ``.last`` holds the
        path or code of the last ballot cast, ``.ballot`` the Ballot itself.

    Examples
    --------
    >>> import dpmkit as dk, tempfile
    >>> w = dk.workshop.ballot_widget("demo", tempfile.mkdtemp(), table="Table 1")
    >>> w.controls["staff_target"].value = 26
    >>> w.submit_button.click()
    >>> w.ok
    True
    """
    return _ballot_widget_class()(model, folder, levers=levers, predict=predict, participant=participant,
                                  table=table, role=role, round=round, roles=roles)


def _widget_class():
    try:
        import ipywidgets as widgets
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "the ballot widget needs ipywidgets, part of the kit's 'lab' extra: pip install 'dpmkit[lab]' "
            "(or run `make lab`)", name="ipywidgets") from None
    return widgets


_BALLOT_WIDGET = None


def _ballot_widget_class():
    # Built on first use so that importing dpmkit.workshop never needs ipywidgets.
    global _BALLOT_WIDGET
    if _BALLOT_WIDGET is None:
        widgets = _widget_class()

        class BallotWidget(_BallotWidgetMixin, widgets.VBox):
            """A ballot form; see :func:`ballot_widget`."""

        _BALLOT_WIDGET = BallotWidget
    return _BALLOT_WIDGET


class _BallotWidgetMixin:
    def __init__(self, model, folder=None, *, levers=None, predict=None, participant="", table="", role="",
                 round="", roles=None):
        widgets = _widget_class()
        model = _as_model(model)
        reachable = True
        if folder is not None:
            if isinstance(folder, bool) or not isinstance(folder, (str, os.PathLike)):
                raise ModelError(f"the ballot folder must be a path (text), got {folder!r}")
            folder = Path(folder).expanduser()
            # Not fatal: a ballot that cannot be saved is handed out as a code instead.
            reachable = folder.is_dir()
        self.model = model
        self.folder = folder
        self.round = _line(round, "round", "")
        self.last = None
        self.ballot = None
        self.ok = None
        decl = {p.name: p for p in model.params}
        if levers is None:
            levers = [p.name for p in model.policy_levers] or [p.name for p in model.params if p.bounds][:6]
        levers = [levers] if isinstance(levers, str) else list(levers)
        self.controls, rows = {}, {}
        for name in levers:
            if name not in decl:
                raise ModelError(f"model {model.name!r} has no parameter {name!r}" + suggest(str(name), decl),
                                 variable=name)
            self.controls[name], rows[name] = self._control(widgets, decl[name])
        self.prediction_fields = {}
        for name, t in _prediction_spec(model, predict):
            v = model[name]
            units = f" ({v.units})" if v.units and v.units != "dimensionless" else ""
            self.prediction_fields[(name, t)] = widgets.Text(
                value="", placeholder="your prediction, e.g. 45",
                description=f"{v.label}{units} at {t:g} {model.time_units}:",
                tooltip=v.description or v.label,
                style={"description_width": "initial"}, layout=widgets.Layout(width="95%"),
            )
        line = {"style": {"description_width": "8em"}, "layout": widgets.Layout(width="60%")}
        self.participant_field = widgets.Text(value=participant, description="Your name:", placeholder="optional",
                                              **line)
        self.table_field = widgets.Text(value=table, description="Table:", placeholder="e.g. Table 2", **line)
        if roles:
            options = [""] + [str(r) for r in roles]
            self.role_field = widgets.Dropdown(options=options, value=role if role in options else "",
                                               description="Role:", **line)
        else:
            self.role_field = widgets.Text(value=role, description="Role:", placeholder="optional", **line)
        area = {"layout": widgets.Layout(width="95%", height="4.5em")}
        self.hypothesis_field = widgets.Textarea(
            description="Hypothesis:", placeholder="What do you expect to happen, and why?",
            style={"description_width": "8em"}, **area)
        self.decision_field = widgets.Textarea(
            description="Decision:", placeholder="What would you decide, given what you expect?",
            style={"description_width": "8em"}, **area)
        self.submit_button = widgets.Button(
            description="Submit ballot", button_style="primary", icon="check",
            tooltip="Send your levers, predictions, hypothesis and decision to the facilitator")
        self.status = widgets.HTML(value="")
        self.code_box = widgets.Textarea(value="", description="Your code:", disabled=False,
                                         layout=widgets.Layout(width="95%", height="6em", display="none"),
                                         style={"description_width": "8em"})
        self.submit_button.on_click(lambda _button: self.submit())
        if folder is None:
            where = "There is no shared folder: you will get a code to copy and paste where the facilitator asks."
        elif reachable:
            where = "Your ballot will be saved in the shared folder."
        else:
            where = (f"<span style='color:#b00020'>⚠ The shared folder {_html(folder)} cannot be reached from "
                     "here</span>: when you submit you will get a code to copy and paste instead. Tell the "
                     "facilitator.")
        sections = [widgets.HTML(f"<b>Your ballot</b> on <i>{_html(model.label)}</i>. {where}"),
                    self.participant_field, self.table_field, self.role_field]
        if self.controls:
            sections.append(widgets.HTML("<b>Your lever settings</b> (they start at the base case)"))
            sections.extend(rows.values())
        if self.prediction_fields:
            sections.append(widgets.HTML("<b>Your predictions</b> (before you run the model; leave blank to skip)"))
            sections.extend(self.prediction_fields.values())
        sections += [self.hypothesis_field, self.decision_field, self.submit_button, self.status, self.code_box]
        super().__init__(children=sections)

    @staticmethod
    def _control(widgets, p):
        # The explorer's control (dpmkit.widgets): label, bounds, step and tooltip from the
        # Param declaration, reporting only on release; the units are shown beside it.
        from .widgets import control_for

        control = control_for(p)
        units = "" if p.units in ("", "dimensionless") else p.units
        row = widgets.HBox([control, widgets.Label(units, layout=widgets.Layout(min_width="64px"))],
                           layout=widgets.Layout(width="100%", align_items="center"))
        return control, row

    def values(self):
        """The ballot fields as they stand in the form (predictions parsed).

        Raises ModelError naming the field whose text is not a number.
        """
        predictions = {}
        for (name, t), box in self.prediction_fields.items():
            try:
                value = _parse_number(box.value)
            except ValueError as err:
                raise ModelError(f"your prediction for {box.description.rstrip(':')} is not a number: {err}",
                                 variable=name, time=t) from None
            if value is not None:
                predictions.setdefault(name, {})[t] = value
        return {
            "params": {name: float(control.value) for name, control in self.controls.items()},
            "predictions": predictions,
            "participant": self.participant_field.value, "table": self.table_field.value,
            "role": self.role_field.value or "", "round": self.round,
            "hypothesis": self.hypothesis_field.value, "decision": self.decision_field.value,
        }

    def submit(self):
        """Check and cast the ballot; show the outcome in the widget. Returns the Ballot or None."""
        self.code_box.layout.display = "none"
        try:
            ballot = make_ballot(self.model, **self.values())
        except ModelError as err:
            return self._fail(f"Not sent yet: {err}. Please correct it and press Submit again.")
        self.ballot = ballot
        who = f", {_html(ballot.participant)}" if ballot.participant else ""
        if self.folder is not None:
            try:
                path = ballot.save(self.folder)
            except (OSError, ModelError) as err:
                reason = getattr(err, "strerror", None) or str(err)
                self._show_code(ballot, f"Could not save to the shared folder ({_html(reason)}). Nothing is lost: "
                                        "copy this code and paste it where the facilitator asks.")
                return ballot
            self.last = path
            self.ok = True
            self.status.value = (
                f"<span style='color:#1a7f37'>✓ Thank you{who}: your ballot is in "
                f"(saved at {ballot.created.astimezone().strftime('%H:%M:%S')}, reference {ballot.id[:6]}).</span> "
                "You may change your choices and submit again; the facilitator sees every ballot you send.")
            return ballot
        self._show_code(ballot, f"✓ Thank you{who}. Copy this code (all of it) and paste it where the "
                                "facilitator asks:")
        return ballot

    def _show_code(self, ballot, message):
        self.last = ballot.code
        self.ok = True
        self.code_box.value = ballot.code
        self.code_box.layout.display = None
        self.status.value = f"<span style='color:#1a7f37'>{message}</span>"

    def _fail(self, message):
        self.ok = False
        self.status.value = f"<span style='color:#b00020'>✗ {_html(message)}</span>"
        return None


def _html(text):
    import html

    return html.escape(str(text), quote=True)
