"""The ballot format: what a ballot holds, how it is checked against its model, and
the model's fingerprint. See :mod:`dpmkit.workshop` for the format itself."""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType

from ..errors import ModelError, shown
from ..expressions import suggest
from ..spec import Aux, Flow, Lookup, Param, Stock
from . import store
from .store import MAX_BYTES, _decode_code, _existing_folder, _find_codes, _Reject

SCHEMA = "dpmkit-ballot"


VERSION = 1


_MAX_LINE = 80  # participant, table, role, round


_MAX_TEXT = 2000  # question, hypothesis, finding, decision


_MAX_POINTS = 200  # predicted points in one ballot


_LINE_FIELDS = ("participant", "table", "role", "round")


_TEXT_FIELDS = ("question", "hypothesis", "finding", "decision")


_ID_RE = re.compile(r"[0-9a-f]{32}\Z")


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_TEXT_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline allowed


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
    from ..models import as_model

    return as_model(model)


def _recorded(model):
    """The model's recorded variables by name, read-only, built once per (frozen) model:
    every ballot read checks its predictions against it, and a game re-reads all its
    ballots when it is loaded."""
    found = model._cache.get("workshop_recorded")
    if found is None:
        found = model._cache["workshop_recorded"] = MappingProxyType(
            {name: model[name] for name in model.recorded})
    return found


def _headline(model, n=2):
    """Up to ``n`` variables worth predicting (:func:`dpmkit.roles.headline`)."""
    from ..roles import headline

    return headline(model, n)


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
        return store.encode_code(self.to_json())

    def save(self, folder):
        """Write the ballot into ``folder`` atomically and return the file's path.

        The ballot is written to a hidden temporary file in the same folder, flushed
        to disk, given mode ``0o640`` and then renamed to its final name, so that a
        reader never sees half a ballot. The name comes only from the time and the
        id (never from what a participant typed).
        """
        folder = _existing_folder(folder, "write ballots into")
        name = f"ballot-{self.created.strftime('%Y%m%dT%H%M%S%fZ')}-{self.id}.json"
        return store.write_file(folder, name, self.to_json())


def _unicode(value, name, where):
    # A lone surrogate (half of a UTF-16 pair, e.g. "\ud800") is a str in Python and
    # can arrive through JSON escapes, but cannot be written as UTF-8.
    if _SURROGATE_RE.search(value):
        raise ModelError(f"{where}{name} contains a broken character (half of a UTF-16 surrogate pair); "
                         "retype it, or copy it again from where it came", variable=name)


def _line(value, name, where):
    if not isinstance(value, str):
        raise ModelError(f"{where}{name} must be text, got {type(value).__name__}", variable=name)
    _unicode(value, name, where)
    value = value.strip()
    if len(value) > _MAX_LINE:
        raise ModelError(f"{where}{name} is {len(value)} characters long; at most {_MAX_LINE} are allowed",
                         variable=name)
    if _CONTROL_RE.search(value):
        raise ModelError(f"{where}{name} contains control characters", variable=name)
    return value


def _text(value, name, where):
    if not isinstance(value, str):
        raise ModelError(f"{where}{name} must be text, got {type(value).__name__}", variable=name)
    _unicode(value, name, where)
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
    """A participant's value in a ballot's message, cut short (:func:`dpmkit.errors.shown`)."""
    return shown(value, limit)


def _suggest(name, candidates):
    """'did you mean ...?' for a name typed as text; nothing for anything else."""
    return suggest(name, candidates) if isinstance(name, str) else ""


def _check_params(params, model, where):
    if params is None:
        return {}
    if not isinstance(params, dict) and not hasattr(params, "items"):
        raise ModelError(f"{where}params must map parameter names to numbers, e.g. {{'budget': 12}}")
    decl = model.params_by_name
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or name not in decl:
            if isinstance(name, str) and name in model:
                raise ModelError(f"{where}{name!r} is a {model[name].kind} of {model.name!r}, not a parameter",
                                 variable=name)
            raise ModelError(
                f"{where}model {model.name!r} has no parameter {_short(name)}" + _suggest(name, decl),
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
                raise ModelError(f"{where}prediction time {_short(t)} for {name!r} is not a number",
                                 variable=name) from None
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
                f"{where}model {model.name!r} has no variable {_short(name)} to predict" + _suggest(name, recorded),
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
        raise _Reject(f"its time stamp (created) {_short(created)} is not an ISO 8601 time with a time zone") from None
    try:
        when = when.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # e.g. 0001-01-01T00:00:00+23:59 is before year 1 in UTC
        raise _Reject(f"its time stamp (created) {_short(created)} is out of range") from None
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
    return Ballot(id=ballot_id, created=when, model=name, fingerprint=doc["fingerprint"],
                  params=params, predictions=predictions, source=source, **lines, **texts)


def read_ballot(data, *, model, source="the ballot"):
    """Read one ballot file's bytes back exactly as :func:`~dpmkit.workshop.collect` reads it.

    Returns the :class:`Ballot`, or raises ModelError with the reason ``collect`` would
    list it as rejected. The room reads each ballot it stores back through this before
    telling a participant their ballot is in.

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.models.load("demo")
    >>> b = dk.workshop.make_ballot(m, params={"staff_target": 24})
    >>> dk.workshop.read_ballot(b.to_json(), model=m).id == b.id
    True
    """
    try:
        return _check_document(_parse(data), _as_model(model), source)
    except _Reject as err:
        raise ModelError(f"{source} would be rejected: {err}") from None


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
        from .. import models

        cache[name] = models.load(name) if name in models.available() else None
    return cache[name]


def clean_line(value, name):
    """A one-line field (participant, table, role, round) checked as a ballot checks it.

    Returns the text stripped; raises ModelError naming the field.

    Examples
    --------
    >>> clean_line("  Table 2 ", "table")
    'Table 2'
    """
    return _line(value, name, "")


def declared_moments(model):
    """The moments a ready-made model declares worth comparing (its module's ``MOMENTS``): a dict
    label -> time, or ``{}``; a bare list of times is labelled as :func:`dpmkit.words.time_label`
    says them. The one reader of ``MOMENTS``, for the explorer's summary and the room's questions."""
    from .. import words
    from ..models import moments

    declared = moments(model)
    if not hasattr(declared, "items"):
        declared = {words.time_label(t, model.time_units): t for t in declared}
    return dict(declared)


def moment_words(model, t):
    """The moment ``t`` of ``model`` as a ballot's question or a paper slip says it after "at": the
    name the ready-made model gives that moment in its module's ``MOMENTS`` where it has one
    (Surrey's 2014.25 is "the end of March 2014", the moment its NEET count is published for and
    the half-day plan's question), else :func:`dpmkit.words.time_label` ("April 2014": the same
    moment by the kit's month-that-begins rule, see there).

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.models.load("surrey")
    >>> moment_words(m, 2014.25), moment_words(m, 2009.25), moment_words(m, 2012.25)
    ('the end of March 2014', 'April 2009', 'April 2012')
    """
    from .. import words

    t = float(t)
    for label, when in declared_moments(model).items():
        if isinstance(label, str) and abs(float(when) - t) <= 1e-9 * max(1.0, abs(t)):
            return f"the {words.lower_first(label)}" if label.lower().startswith(_EDGES) else label
    return words.time_label(t, model.time_units)


#: A declared moment named by a period's edge reads "at the end of March 2014", not "at End of ...".
_EDGES = ("end of ", "start of ", "beginning of ", "middle of ")


def prediction_spec(model, predict):
    """``[(variable, time), ...]`` to predict, from names, ``{name: [times]}`` or None (what a
    ready-made model is watched for, :func:`dpmkit.models.watched`, else the headline variables at
    the end of the run); ModelError for a variable or time the model does not have.

    Examples
    --------
    >>> import dpmkit as dk
    >>> prediction_spec(dk.models.load("demo"), {"waiting_list": [12, 60]})
    [('waiting_list', 12.0), ('waiting_list', 60.0)]
    """
    recorded = _recorded(model)
    if predict is None:
        from ..models import watched

        predict = watched(model) or {n: [model.stop] for n in _headline(model)}
    elif isinstance(predict, str):
        predict = {predict: [model.stop]}
    elif not hasattr(predict, "items"):
        predict = {n: [model.stop] for n in predict}
    spec = []
    for name, times in predict.items():
        if name not in recorded:
            raise ModelError(f"cannot predict {_short(name)}: it is not a stock, flow or auxiliary of {model.name!r}"
                             + _suggest(name, recorded), variable=name)
        times = [times] if isinstance(times, (int, float)) else list(times)
        for t in times:
            t = _finite(t, f"a prediction time for {name!r}", name)
            if not model.start <= t <= model.stop:
                raise ModelError(f"time {t:g} for {name!r} is outside the run ({model.start:g} to {model.stop:g})",
                                 variable=name, time=t)
            spec.append((name, t))
    return spec
