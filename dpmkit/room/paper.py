"""The paper fallback: when the wifi or the laptops fail, the room still runs on paper.

- :func:`slip_html` / :func:`write_slips`: a printable ballot slip per round, one
  self-contained HTML file (no script, no web font, no image; print CSS for A4 and
  Letter) with the round, the room's tables as tick boxes, each policy lever with its
  units, range and base case, prediction boxes with their units and times, and lines
  for the hypothesis and the decision;
- :func:`enter_slip`: what the facilitator types from a slip, read the way every
  widget reads numbers (:func:`dpmkit.words.parse_number`) and checked as an online
  ballot is (:meth:`Room.accept <dpmkit.room.state.Room.accept>`), landing in the
  folder as an ordinary ballot file;
- :func:`write_result_charts`: result charts rendered beforehand (SVG and PNG) to
  reveal from a USB stick or on paper when no laptop works: for each round, the
  slips' runs if any were typed in, otherwise what each lever does between its bounds.

``python -m dpmkit.room slips --folder DIR`` writes both into ``DIR/paper/``.
"""

from __future__ import annotations

from .. import words, workshop
from ..errors import ModelError
from ..words import escaped as _e
from .state import RoomError

__all__ = ["PAPER_FOLDER", "enter_slip", "slip_html", "write_result_charts", "write_slips"]

#: Where the slips and charts go inside the ballot folder.
PAPER_FOLDER = "paper"

_CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; font-size: 12pt; color: #000; margin: 0; }
.tools { padding: 8px 12px; background: #e8f1f8; border-bottom: 1px solid #0b3d66; }
.slip { border: 1.5px dashed #444; padding: 6mm 7mm; margin: 6mm 0; break-inside: avoid; page-break-inside: avoid; }
.slip h1 { font-size: 15pt; margin: 0 0 2mm; }
.slip h2 { font-size: 11.5pt; margin: 4mm 0 1.5mm; }
.hint { font-size: 10pt; color: #333; margin: 0 0 2mm; }
.tables { display: flex; flex-wrap: wrap; gap: 2mm 7mm; }
.tick { display: inline-block; width: 5.5mm; height: 5.5mm; border: 1.5px solid #000; vertical-align: middle;
        margin-right: 2mm; }
.row { display: flex; align-items: flex-end; gap: 3mm; margin: 2mm 0; }
.label { flex: 1 1 auto; }
.box { flex: 0 0 38mm; height: 9mm; border: 1.5px solid #000; }
.unit { flex: 0 0 30mm; font-size: 10.5pt; }
.lines { height: 25mm; border-bottom: 1px solid #000;
         background: repeating-linear-gradient(transparent, transparent 7.5mm, #999 7.5mm, #999 8.5mm); }
.name { display: inline-block; width: 70mm; border-bottom: 1px solid #000; height: 7mm; }
@media print { .tools { display: none; } .slip { margin: 0 0 6mm; } }
"""


def slip_html(model, *, round, tables, code="", copies=2):
    """A printable ballot slip for ``round`` as one self-contained HTML page (``copies`` slips).

    Examples
    --------
    >>> import dpmkit as dk
    >>> page = slip_html(dk.models.load("demo"), round="2", tables=["Red", "Blue"])
    >>> "Round 2" in page and "Red" in page and "@media print" in page
    True
    """
    if not tables:
        raise RoomError("the room has no tables to print on the slip: add one first")
    if not (isinstance(copies, int) and 1 <= copies <= 20):
        raise ModelError(f"copies must be a whole number from 1 to 20, got {copies!r}")
    levers = []
    for p in model.policy_levers:
        low, high = p.bounds if p.bounds else (None, None)
        span = (f"between {words.number(low)} and {words.number(high)}; " if low is not None and high is not None
                else "")
        levers.append(
            f"<div class='row lever'><span class='label'><b>{_e(p.label)}</b><br><span class='hint'>{span}"
            f"base case {words.number(p.default)}</span></span><span class='box'></span>"
            f"<span class='unit'>{_e(words.units(p))}</span></div>")
    predictions = []
    for name, t in workshop.prediction_spec(model, None):
        v = model[name]
        predictions.append(
            f"<div class='row prediction'><span class='label'><b>{_e(v.label)}</b> at "
            f"{_e(workshop.moment_words(model, t))}</span><span class='box'></span>"
            f"<span class='unit'>{_e(words.units(v))}</span></div>")
    ticks = "".join(f"<span class='table'><span class='tick'></span>{_e(t)}</span>" for t in tables)
    room_line = f" · room {_e(code)}" if code else ""
    slip = (
        f"<section class='slip'><h1>{_e(model.label)} · Round {_e(round)} · ballot slip</h1>"
        f"<p class='hint'>One slip per table{room_line}. Write numbers as 1080 or 3.5 (3,5 is read as 3.5; "
        "write 1080, not 1.080). Leave a lever blank to keep its base case.</p>"
        f"<h2>Your table (tick one)</h2><div class='tables'>{ticks}</div>"
        "<h2>Your name (optional)</h2><span class='name'></span>"
        f"<h2>Policy levers: what you decide</h2>{''.join(levers) or '<p>(this model has no policy lever)</p>'}"
        f"<h2>Your predictions</h2>{''.join(predictions)}"
        "<h2>Hypothesis: what do you expect, and why?</h2><div class='lines'></div>"
        "<h2>Decision: what would you decide?</h2><div class='lines'></div></section>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Ballot slip · {_e(model.label)} · round {_e(round)}</title><style>{_CSS}</style></head><body>"
        "<div class='tools'>Print this page (Ctrl+P or ⌘P); each sheet holds the slips below. "
        "Type the filled slips in on the facilitator's dashboard (Paper slips).</div>"
        + slip * copies + "</body></html>")


def _rounds(room, rounds):
    if rounds:
        return [workshop.clean_line(str(r), "round") for r in rounds]
    current = room.state.round
    out = [str(k) for k in range(1, 4)]
    if current not in out:
        out.append(current)
    return out


def write_slips(room, rounds=None, *, copies=2):
    """Write ``paper/slip-round-N.html`` for each round (default rounds 1-3 and the open one)."""
    folder = room.folder / PAPER_FOLDER
    folder.mkdir(exist_ok=True)
    paths = []
    for r in _rounds(room, rounds):
        path = folder / f"slip-round-{_safe(r)}.html"
        text = slip_html(room.model, round=r, tables=room.tables, code=room.state.code, copies=copies)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _safe(text):
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(text))


def enter_slip(room, *, table, levers=None, predictions=None, participant="", hypothesis="", decision="",
               round=None):
    """Store one paper slip as an ordinary ballot; return the :class:`~dpmkit.workshop.Ballot`.

    ``levers`` maps a lever's name to the text written on the slip, ``predictions``
    maps ``(variable, time)`` to the text written; blanks are left out (a blank lever is
    the base case). Numbers are read by :func:`dpmkit.words.parse_number` (the one
    parser: "3,5" is 3.5, "1,080" is 1080, "1.080" is refused), then checked as an
    online ballot is. ``round`` is the round printed on the slip (default: the open round).
    """
    params = {}
    for name, text in (levers or {}).items():
        if name not in {p.name for p in room.model.policy_levers}:
            raise RoomError(f"{name!r} is not a policy lever of the room's model")
        value = words.parse_number(text, f"the slip's {room.model[name].label}", blank_ok=True)
        if value is not None:
            params[name] = value
    predicted = {}
    for (name, t), text in (predictions or {}).items():
        label = f"the slip's prediction for {room.model[name].label} at {workshop.moment_words(room.model, t)}"
        value = words.parse_number(text, label, blank_ok=True)
        if value is not None:
            predicted.setdefault(name, {})[t] = value
    return room.accept(table=table, params=params, predictions=predicted, participant=participant,
                       hypothesis=hypothesis, decision=decision, role="paper slip", round=round)


def write_result_charts(room, rounds=None, *, png=True):
    """Render each round's result charts into ``paper/`` as SVG (and PNG); return the paths.

    For a round with ballots (online or typed in from slips): everyone's run of each
    headline variable, with the base case. For a round without: what each policy lever
    does, its low and high bound against the base case, so there is something to reveal
    even if no ballot reached the room.
    """
    import pandas as pd

    from .. import charts
    from ..simulate import simulate

    model = room.model
    folder = room.folder / PAPER_FOLDER
    folder.mkdir(exist_ok=True)
    headline = list(dict.fromkeys(name for name, _ in workshop.prediction_spec(model, None)))
    found = room.collect()
    paths = []
    what_if = None
    for r in _rounds(room, rounds):
        ballots = [b for b in found.ballots if b.round == r and b.table not in room.state.dropped]
        if ballots:
            chosen = workshop.Collection(ballots, [], model=model)
            made = [(f"round-{_safe(r)}-{name}", chosen.chart_runs(name)) for name in headline]
        else:
            if what_if is None:
                frames = [simulate(model).to_long(headline).assign(scenario="base case")]
                for p in model.policy_levers:
                    if p.bounds:
                        for end, value in zip(("low", "high"), p.bounds):
                            frames.append(simulate(model, {p.name: value}).to_long(headline).assign(
                                scenario=f"{p.label} {words.number(value)} ({end})"))
                what_if = charts.scenarios(pd.concat(frames, ignore_index=True), headline, model=model,
                                           title=f"What the levers do · {model.label}")
            made = [(f"round-{_safe(r)}-what-if", what_if)]
        for stem, chart in made:
            paths.append(charts.save(chart, folder / f"{stem}.svg"))
            if png:
                paths.append(charts.save(chart, folder / f"{stem}.png"))
    return paths
