"""Collecting a class's ballots from a folder and from pasted codes, and comparing them:
tables of levers, runs and predictions, and charts for the projector."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from ..errors import ModelError
from ..words import escaped as _escape
from .ballot import _as_model, _check_document, _headline, _parse, _recorded, _registry_model, _short, _suggest
from .store import (
    _CLUTTER,
    _TEMP_RE,
    ROOM_FILES,
    STALE_SECONDS,
    STATE_FILE_RE,
    _decode_code,
    _existing_folder,
    _find_codes,
    _read_entry,
    _Reject,
    _temp_age,
    safe_display,
)


class HTML(str):
    """Text that Jupyter shows as HTML (``_repr_html_``); ``str()`` gives the markup."""

    def _repr_html_(self):
        return str(self)



def _ago(seconds):
    minutes = round(seconds / 60)
    return "a minute ago" if minutes <= 1 else f"{minutes:,} minutes ago"


#: Sub-folders the kit itself makes beside ballots (a room's game, a game's exports): skipped quietly.
_KIT_FOLDERS = frozenset({"game", "export", "rooms"})  # rooms: a room folder's other rooms


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
        files operating systems leave behind (``.DS_Store``, ``Thumbs.db``…). A
        temporary file untouched for more than a minute was left by a writer that
        stopped: it is counted in ``.abandoned``, listed in ``.rejected`` and ignored.
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
    in_progress = abandoned = 0
    if round is not None and not isinstance(round, str):
        try:
            round = str(round)
        except ValueError:  # an int too long to write out
            raise ModelError(f"round must be text such as '2', got {_short(round)}") from None

    def take(source, data):
        try:
            doc = _parse(data)
            checked = model if model is not None else _registry_model(doc, cache)
            ballot = _check_document(doc, checked, source)
        except _Reject as err:
            rejected.append(Rejected(source, str(err)))
            return
        if ballot.id in seen:
            rejected.append(Rejected(source, f"duplicate of ballot {ballot.id[:8]}… "
                                             f"already collected from {seen[ballot.id]}"))
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
                age = _temp_age(entry)
                if age is not None and age > STALE_SECONDS:
                    abandoned += 1
                    rejected.append(Rejected(safe_display(entry.name), (
                        f"abandoned: an unfinished ballot last written {_ago(age)} by a writer that stopped "
                        "(a crash or a closed laptop); it is ignored. Whoever was submitting then should submit "
                        "again; the file may be deleted")))
                elif age is not None:
                    in_progress += 1
                continue
            if (entry.name in _CLUTTER or entry.name in ROOM_FILES or entry.name.startswith(("._", ".~lock."))
                    or STATE_FILE_RE.match(entry.name)
                    or (entry.name in _KIT_FOLDERS and entry.is_dir(follow_symlinks=False))):
                continue
            shown = safe_display(entry.name)
            try:
                data = _read_entry(entry)
            except _Reject as err:
                rejected.append(Rejected(shown, str(err)))
                continue
            take(shown, data)
    if codes is not None:
        if isinstance(codes, str):
            codes = [codes]
        elif isinstance(codes, (bytes, bytearray)) or not hasattr(codes, "__iter__"):
            raise ModelError(f"codes must be text, or a list of texts, got {type(codes).__name__}")
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
    if model is None and folder is not None and rejected and (Path(folder).expanduser() / "game.json").is_file():
        # A game's decisions are ballots on the game's own model (its levers' ranges narrowed).
        hint = ("; this folder holds a dpmkit game: collect its decisions with "
                "model=dk.game.load(folder).model")
        rejected = [Rejected(r.source, r.reason + hint) if "another version or setting" in r.reason else r
                    for r in rejected]
    if round is not None:
        accepted = [b for b in accepted if b.round == round]
    accepted.sort(key=lambda b: (b.created, b.id))
    found = Collection(accepted, rejected, model)
    found.round = round
    found.in_progress = in_progress
    found.abandoned = abandoned
    return found


def _round_words(round):
    """"round 2" for a round numbered "2", else the round's own name ("warm-up")."""
    return f"round {round}" if round.isdigit() else round


def _labels(ballots):
    """One label per ballot for legends and rows, ``{id: label}``: the ballot's own ("Table 3"),
    then, where two share it, the round ("Table 3, round 2", or the round's own name), and only
    where they share that too, a short id ("Table 3, round 2 (9b41)")."""
    rounds = {}
    for b in ballots:
        rounds.setdefault(b.label, []).append(b.round)
    labels = {}
    for b in ballots:
        shared = rounds[b.label]
        label = b.label
        if len(shared) > 1 and len(set(shared)) > 1 and b.round:
            label = f"{label}, {_round_words(b.round)}"
        labels[b.id] = label
    counts = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    return {k: label if counts[label] == 1 else f"{label} ({k[:4]})" for k, label in labels.items()}


_META = ("id", "created", "participant", "table", "role", "round", "label", "model",
         "question", "hypothesis", "finding", "decision", "source")


def _text_cell(text):
    """A participant's text as a spreadsheet shows it without running it (a leading ``=``, ``+``,
    ``-``, ``@``, tab or return would make it a formula in Excel or LibreOffice)."""
    text = str(text or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _number(value):
    """A lever's value or a prediction as a spreadsheet cell: ``3``, not ``3.0``."""
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else value


def _number_cell(text):
    """A round (``"2"``) as a number a spreadsheet sorts, or as text when it is not one."""
    text = str(text or "")
    return int(text) if text.isdigit() and len(text) < 10 else _text_cell(text)


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
    abandoned : int
        Unfinished ballot files left by writers that stopped (older than
        ``STALE_SECONDS``); they are also listed in ``rejected``.
    """

    def __init__(self, ballots, rejected, model=None):
        self.ballots = list(ballots)
        self.rejected = list(rejected)
        self.in_progress = 0
        self.abandoned = 0
        #: True for a rehearsal's invented ballots (:func:`dpmkit.workshop.dashboard`): shown under a banner.
        self.rehearsal = False
        #: Plain sentences the dashboard shows first (a folder that does not exist, no ballots yet…).
        self.notes = []
        self.folder = None
        self.round = None
        #: The room serving the folder (:class:`dpmkit.workshop.session.ServingRoom`), or None.
        self.room = None
        self._labels = _labels(self.ballots)
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
        if self.rehearsal:
            about = " (REHEARSAL: invented ballots)" + about
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

    def spreadsheet(self, table_of=None):
        """Every ballot as a spreadsheet to keep after the session: CSV bytes that Excel, Numbers
        and LibreOffice open as they are (UTF-8 with a byte-order mark, so "£" and accents survive
        a double-click on Windows).

        One row per ballot, oldest first, with headings in words: round, table, name, when it was
        sent, the hypothesis, decision and finding, each lever by its label with units (the value
        the run used: the base case where the participant moved nothing), then each prediction by
        what it predicts and when, and the ballot's reference. ``table_of`` maps a recorded table
        to the one it counts for now (a room's renames and merges).

        Participants' text is written so that a spreadsheet shows it and never runs it: a cell that
        starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a return) starts with an
        apostrophe. Numbers stay numbers.

        >>> import dpmkit as dk
        >>> c = Collection([dk.workshop.make_ballot("demo", params={"referral_rate": 45}, participant="=1+1",
        ...                                          table="Red", round="1")], [])
        >>> print(c.spreadsheet().decode("utf-8-sig").splitlines()[1][:12])
        1,Red,'=1+1,
        """
        import csv
        import io

        from .. import words
        from .ballot import moment_words

        model = self._need_model()
        sent = {k for b in self.ballots for k in b.params}
        levers = [p for p in model.params if p.name in sent]  # the levers the ballots carry, in the model's order
        predicted = sorted({(v, t) for b in self.ballots for v, pts in b.predictions.items() for t, _ in pts},
                           key=lambda vt: (model.names.index(vt[0]) if vt[0] in model.names else 0, vt[1]))
        headings = (["Round", "Table", "Name", "Sent", "Hypothesis", "Decision", "Finding"]
                    + [words.axis_title(p) for p in levers]
                    + [f"Prediction: {words.axis_title(model[v])} at {moment_words(model, t)}" for v, t in predicted]
                    + ["Reference"])
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headings)
        for b in self.ballots:
            table = table_of(b.table) if table_of else b.table
            values = {**model.defaults, **b.params}
            said = {(v, t): x for v, pts in b.predictions.items() for t, x in pts}
            writer.writerow(
                [_number_cell(b.round), _text_cell(table), _text_cell(b.participant),
                 b.created.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                 _text_cell(b.hypothesis), _text_cell(b.decision), _text_cell(b.finding)]
                + [_number(values.get(p.name, "")) for p in levers]
                + [_number(said.get(vt, "")) for vt in predicted]
                + [b.id[:6]])
        return out.getvalue().encode("utf-8-sig")

    def rejected_table(self):
        """The rejected files and codes as a DataFrame (``source, reason``)."""
        import pandas as pd

        return pd.DataFrame(self.rejected, columns=["source", "reason"])

    def latest(self):
        """A Collection keeping only the latest ballot of each (round, table, participant).

        A ballot replaces only an earlier one of the same round: a table's round-2 ballot
        never hides its round-1 ballot. Ballots with neither a table nor a participant are
        all kept.
        """
        keep = {}
        anonymous = []
        for b in self.ballots:
            if b.table or b.participant:
                keep[(b.round, b.table, b.participant)] = b
            else:
                anonymous.append(b)
        chosen = sorted(list(keep.values()) + anonymous, key=lambda b: (b.created, b.id))
        return self._like(chosen)

    def _like(self, ballots):
        """A Collection of ``ballots`` carrying this one's rejections, counts and notes."""
        other = Collection(ballots, self.rejected, self.model)
        other.in_progress, other.abandoned = self.in_progress, self.abandoned
        other.rehearsal, other.notes, other.folder, other.round = self.rehearsal, self.notes, self.folder, self.round
        other.room = self.room
        return other

    # ---- what the dashboard shows as text
    def status_html(self):
        """What a facilitator must see first, as HTML: a rehearsal's banner (big and red), any
        problem with the folder, how many ballots were accepted and rejected (with the reasons)."""
        parts = []
        if self.rehearsal:
            parts.append(
                f"<div class='dpmkit-rehearsal-banner' role='alert' style='background:#b00020;color:#fff;"
                f"font-size:28px;font-weight:bold;line-height:1.3;padding:18px 22px;border-radius:6px;"
                f"margin:0 0 10px 0'>REHEARSAL: these {len(self.ballots)} ballots are invented by the kit, "
                f"not sent by anyone.<div style='font-size:18px;font-weight:normal;margin-top:6px'>Set "
                f"REHEARSAL = False in the first cell before the session.</div></div>")
        for note in self.notes:
            parts.append(f"<div class='dpmkit-dashboard-problem' role='alert' style='border:3px solid #b35900;"
                         f"background:#fff4e5;color:#3d2000;font-size:20px;padding:12px 16px;border-radius:6px;"
                         f"margin:0 0 8px 0'>{_escape(note)}</div>")
        line = (f"{len(self.ballots)} ballots accepted, {len(self.rejected)} rejected"
                + (f" (round {_escape(self.round)})" if self.round is not None else ""))
        if self.in_progress:
            line += f"; {self.in_progress} still being written: collect again in a moment"
        parts.append(f"<p style='font-size:18px'>{line}.</p>")
        if self.rejected:
            rows = "".join(f"<tr><td>{_escape(r.source)}</td><td>{_escape(r.reason)}</td></tr>"
                           for r in self.rejected)
            parts.append("<table class='dpmkit-rejected' style='font-size:16px'><thead><tr><th>Not accepted</th>"
                         f"<th>Why</th></tr></thead><tbody>{rows}</tbody></table>")
        return HTML("\n".join(parts))

    def _repr_html_(self):
        return str(self.status_html())

    def texts_html(self, fields=("hypothesis", "decision")):
        """Every ballot's texts in full, wrapped, in type large enough for a projector.

        One row per ballot: who (table, participant, role, round) and each of ``fields``
        (any of question, hypothesis, finding, decision), never cut short.
        """
        fields = [fields] if isinstance(fields, str) else list(fields)
        for f in fields:
            if f not in ("question", "hypothesis", "finding", "decision"):
                raise ModelError(f"texts_html shows question, hypothesis, finding or decision, not {_short(f)}")
        head = "".join(f"<th style='text-align:left'>{f.capitalize()}</th>" for f in fields)
        rows = []
        for b in self.ballots:
            label = self._labels[b.id]
            named = bool(b.round) and label.startswith(f"{b.label}, {_round_words(b.round)}")  # said once
            round_line = f"round {b.round}" if b.round and not named else ""
            who = _escape(label) + "".join(f"<br><small>{_escape(x)}</small>" for x in (b.role, round_line) if x)
            cells = "".join(f"<td style='white-space:pre-wrap;overflow-wrap:anywhere;vertical-align:top;"
                            f"text-align:left'>{_escape(getattr(b, f)) or '<i>(blank)</i>'}</td>" for f in fields)
            rows.append(f"<tr><td style='vertical-align:top;text-align:left;min-width:9em'>{who}</td>{cells}</tr>")
        if not rows:
            return HTML("<p style='font-size:18px'>No ballots to show yet.</p>")
        banner = "<p style='color:#b00020;font-weight:bold'>REHEARSAL: invented ballots</p>" if self.rehearsal else ""
        return HTML(f"{banner}<table class='dpmkit-texts' style='font-size:20px;line-height:1.35;width:100%;"
                    f"table-layout:auto'><thead><tr><th style='text-align:left'>Who</th>{head}</tr></thead>"
                    f"<tbody>{''.join(rows)}</tbody></table>")

    def _mark(self, chart):
        """A rehearsal's charts say so in their title, in red, wherever they are scrolled to."""
        if not self.rehearsal:
            return chart
        title = chart.title
        text = getattr(title, "text", title)
        text = " ".join(text) if isinstance(text, list) else text  # a long title comes in lines
        subtitle = getattr(title, "subtitle", None)
        import altair as alt

        from ..charts._style import title_lines

        marked = alt.TitleParams(title_lines(f"REHEARSAL (invented ballots): {text}"), color="#b00020",
                                 **({"subtitle": subtitle} if isinstance(subtitle, str) else {}))
        return chart.properties(title=marked)

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
        decl = model.params_by_name
        if names is None:
            chosen = {p.name for p in model.policy_levers} | {k for b in self.ballots for k in b.params}
            names = [p for p in decl if p in chosen]
        else:
            names = [names] if isinstance(names, str) or not hasattr(names, "__iter__") else list(names)
            for n in names:
                if n not in decl:
                    raise ModelError(f"model {model.name!r} has no parameter {_short(n)}" + _suggest(n, decl),
                                     variable=n if isinstance(n, str) else None)
        rows = []
        for b, values in zip(self.ballots, self._values()):
            for n in names:
                p = decl[n]
                change = values[n] - p.default
                span = (p.bounds[1] - p.bounds[0]) if p.bounds else max(abs(p.default), 1.0)
                pulled = abs(change) > 1e-9 * max(span, 1e-12)
                rows.append({
                    "id": b.id, "label": self._labels[b.id], "table": b.table, "participant": b.participant,
                    "role": b.role,
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
        from ..simulate import ensemble

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

        from ..simulate import simulate

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
        variables = [variables] if isinstance(variables, str) or not hasattr(variables, "__iter__") else list(variables)
        for v in variables:
            if v not in recorded:
                raise ModelError(
                    f"{_short(v)} is not a stock, flow or auxiliary of model {model.name!r}" + _suggest(v, recorded),
                    variable=v if isinstance(v, str) else None,
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

        from ..simulate import simulate

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
                    rows.append({"id": b.id, "label": self._labels[b.id], "table": b.table,
                                 "participant": b.participant,
                                 "variable": v, "time": float(ens.time[i]), "predicted": predicted,
                                 "simulated": simulated, "base": float(base[v][i]), "gap": predicted - simulated})
        return pd.DataFrame(rows, columns=columns)

    # ---- charts
    def chart_runs(self, variable, *, width=560, height=300):
        """Everyone's run of ``variable`` overlaid, with the base case drawn thick and dashed.

        Returns an Altair chart (:func:`dpmkit.charts.ballot_runs`). Display it with an
        offline renderer (see ``workshops/README.md``), or save it: ``chart.save("runs.svg")``.
        """
        from ..charts import ballot_runs

        model = self._need_model()
        return self._mark(ballot_runs(self.runs_frame([variable]), model, variable, width=width, height=height))

    def chart_predictions(self, variable, *, width=560, height=220):
        """Predictions of ``variable`` against what each ballot's settings produce.

        One row per predicted time: hollow circles are the predictions, filled
        squares the simulated results of the same settings, and a black tick the
        base case (:func:`dpmkit.charts.ballot_predictions`).
        """
        from .. import words
        from ..charts import ballot_predictions
        from .ballot import moment_words

        model = self._need_model()
        frame = self.predictions()
        # a moment the participants were asked about in its own words is shown in them
        said = {float(t): moment_words(model, t) for t in set(frame["time"])}
        moments = {t: w for t, w in said.items() if w != words.time_label(t, model.time_units)}
        return self._mark(ballot_predictions(frame, model, variable, width=width, height=height, moments=moments))

    def chart_levers(self, names=None, *, width=None, height=None):
        """Who pulled which lever: one row per ballot, one column per lever.

        Each cell shows the value chosen with an arrow (↑ above the default, ↓ below,
        · unchanged); the colour repeats the direction (:func:`dpmkit.charts.ballot_levers`).
        """
        from ..charts import ballot_levers

        return self._mark(ballot_levers(self.levers(names), width=width, height=height))
