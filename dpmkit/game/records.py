"""A game's record for later: the log as CSV and JSON, and a printable debrief sheet.

:func:`export` writes into ``<game folder>/export/`` (a sub-folder, so the ballot
collector never mistakes them for ballots):

- ``game-log.csv``: one row per decision that counts (``g.log()``) and one per injected
  event (lever column empty, ``event`` filled);
- ``game-results.csv``: time x the game's outcomes up to the end of the last closed round;
- ``game-log.json``: the game, its tables, roles and rounds, every decision and event, the
  results, the scoreboard, the journey and the counterfactuals, for a learning partnership
  to analyse later;
- ``debrief.html``: a self-contained printable sheet (inline SVG charts, print CSS, no
  script and nothing fetched).

Files are written atomically (temporary file, fsync, rename) by the ballot store's
:func:`~dpmkit.workshop.store.atomic_write`.
"""

from __future__ import annotations

import html
import json
import math
import re
from datetime import datetime, timezone
from pathlib import Path

from .. import words
from ..errors import ModelError
from ..workshop.store import FILE_MODE, atomic_write
from . import debrief

__all__ = ["EXPORT_FOLDER", "debrief_html", "export", "log_json", "log_table"]

#: The sub-folder of the game folder the exports go into.
EXPORT_FOLDER = "export"


def log_table(game):
    """Every decision and injected event that counts, in order: round, kind, table, role, lever,
    value, event, sent, id."""
    import pandas as pd

    columns = ["round", "kind", "table", "role", "lever", "value", "event", "sent", "id"]
    log = game.log()
    rows = [{"round": int(r.round), "kind": "decision", "table": r.table, "role": r.role, "lever": r.lever,
             "value": float(r.value), "event": "", "sent": r.sent.isoformat(), "id": r.id}
            for r in log.itertuples()]
    _, _, injected = game._counted()
    rows += [{"round": int(number), "kind": "event", "table": "", "role": "", "lever": "", "value": math.nan,
              "event": doc["event"], "sent": doc.get("created", ""), "id": doc["id"]} for number, doc in injected]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["round", "sent", "id"], kind="stable").reset_index(drop=True)


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _records(frame):
    return [{k: _finite(v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def _results(game):
    """Time x outcomes up to the end of the last closed round (no rows before the first closes)."""
    import pandas as pd

    if not game._closed():
        return pd.DataFrame(columns=[o.name for o in game.spec.outcomes], index=pd.Index([], name="time"))
    return game.results()


def log_json(game):
    """The whole game record as a JSON-ready dict."""
    results = _results(game)
    closed = game._closed()
    return {
        "schema": "dpmkit-game-log", "version": 1,
        "game": game.spec.name, "label": game.spec.label, "context": game.context,
        "exported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "time_units": game.model.time_units,
        "tables": list(game.tables), "assignments": game.assignments(), "roles": game.roles,
        "rounds": [{"round": k, "label": r.label, "start": r.start, "end": r.end,
                    "closed": k <= len(closed), "revealed": r.reveal if k <= len(closed) else ""}
                   for k, r in enumerate(game.spec.rounds, 1)],
        "log": _records(log_table(game)),
        "results": {"time": [float(t) for t in results.index],
                    **{c: [float(v) for v in results[c]] for c in results.columns}},
        "scoreboard": _records(game.scoreboard()) if closed else [],
        "journey": _records(debrief.journey(game)),
        "counterfactuals": _records(debrief.counterfactuals(game)),
        "predictions": _records(debrief.predictions(game)),
    }


#: The names :func:`export` writes (nothing else, and only inside the export folder).
_EXPORT_NAMES = re.compile(r"(game-log|game-results)\.csv|game-log\.json|debrief\.html")


def _write(folder, name, text):
    """Write ``text`` (UTF-8) into ``folder/name`` atomically with the ballot store's writer."""
    folder.mkdir(parents=True, exist_ok=True)
    return atomic_write(folder, name, text.encode("utf-8"), names=_EXPORT_NAMES, what="a game export",
                        temp_prefix=".export-", mode=FILE_MODE)


_PRINT_CSS = """
body{font-family:"Liberation Sans",Arial,Helvetica,sans-serif;color:#111;max-width:1000px;margin:20px auto;
     font-size:14px;line-height:1.4}
h1{font-size:24px;margin:0 0 4px} h2{font-size:18px;margin:22px 0 6px;border-bottom:2px solid #0b3d66}
table{border-collapse:collapse;margin:6px 0} th,td{border:1px solid #bbb;padding:3px 7px;text-align:left;
     vertical-align:top} th{background:#e8f1f8}
td.num{text-align:right} .note{color:#444;font-style:italic} svg{max-width:100%;height:auto}
section,figure,table{page-break-inside:avoid;break-inside:avoid}
@page{size:A4;margin:14mm}
@media print{body{margin:0;max-width:none;font-size:11pt} h2{page-break-after:avoid;break-after:avoid}
     .pagebreak{page-break-before:always;break-before:page}}
"""


def _table(frame, columns, heads, numeric=()):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for c in columns:
            v = getattr(row, c)
            if c in numeric:
                cells.append(f"<td class='num'>{words.number(v) if v == v else ''}</td>")
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def debrief_html(game):
    """The printable debrief sheet as one self-contained HTML text (inline SVG, print CSS)."""
    from .. import charts

    closed = game._closed()
    if not closed:
        raise ModelError("no round has been closed yet: the debrief sheet needs at least one round played")
    tu = game.model.time_units
    esc = html.escape
    label = game.model
    result = game._simulate(game.spec.rounds[len(closed) - 1].end)
    outcomes = [o.name for o in game.spec.outcomes]
    headline = list(game.spec.headline) or outcomes[:3]
    parts = [f"<h1>{esc(game.spec.label)}: debrief</h1>",
             f"<p>{len(closed)} of {len(game.spec.rounds)} rounds played, "
             f"{esc(words.span(game.spec.rounds[0].start, game.spec.rounds[len(closed) - 1].end, tu))}; "
             f"context: {esc(game.context.replace('_', ' '))}. Printed "
             f"{datetime.now().strftime('%d %B %Y %H:%M')}.</p>",
             f"<p>{esc(game.spec.description)}</p>"]
    assigned = game.assignments()
    rows = "".join(f"<tr><td>{esc(t)}</td><td>{esc(game.spec.role(r).label)}</td>"
                   f"<td>{esc(', '.join(label[lv].label for lv in game.roles[r]))}</td></tr>"
                   for r, t in sorted(assigned.items(), key=lambda rt: (rt[1], rt[0])))
    parts.append("<section><h2>Tables and roles</h2><table><thead><tr><th>Table</th><th>Role</th>"
                 f"<th>Levers</th></tr></thead><tbody>{rows}</tbody></table></section>")
    log = log_table(game)
    parts.append("<section><h2>Round by round</h2>")
    for doc in closed:
        r = game.spec.rounds[doc["round"] - 1]
        mine = log[log["round"] == doc["round"]]
        items = []
        for row in mine.itertuples():
            if row.kind == "event":
                items.append(f"<li><b>Event:</b> {esc(game.spec.event(row.event).label)}</li>")
            else:
                items.append(f"<li>{esc(row.table)} ({esc(game.spec.role(row.role).label)}): "
                             f"{esc(label[row.lever].label)} {words.number(row.value)}</li>")
        parts.append(f"<h3>Round {doc['round']}: {esc(r.label)} "
                     f"({esc(words.span(r.start, r.end, tu))})</h3>"
                     f"<ul>{''.join(items) or '<li>No decisions: every lever stayed where it was.</li>'}</ul>"
                     + (f"<p class='note'>Revealed: {esc(r.reveal)}</p>" if r.reveal else ""))
    parts.append("</section>")
    chart = charts.time_series(result, headline, title="How the outcomes unfolded")
    parts.append(f"<section class='pagebreak'><h2>Results</h2><figure>{charts.to_svg(chart)}</figure>"
                 f"<p class='note'>{esc(chart.description)}</p></section>")
    board = game.scoreboard()
    if not board.empty:
        board = board.assign(role=[game.spec.role(r).label for r in board["role"]],
                             outcome=[label[o].label for o in board["outcome"]])
        parts.append("<section><h2>Scoreboard (0 worst, 1 best over each outcome's range)</h2>"
                     + _table(board, ["table", "role", "outcome", "value", "score"],
                              ["Table", "Role", "Outcome", "Value", "Score"], numeric=("value", "score"))
                     + "</section>")
    regime = debrief.regime_chart(game)
    parts.append("<section class='pagebreak'><h2>The journey on the 2×2</h2>"
                 f"<figure>{charts.to_svg(regime)}</figure><p class='note'>{esc(regime.description)}</p></section>")
    diagram = debrief.dpm_chart(game)
    parts.append("<section class='pagebreak'><h2>The journey on the DPM chart</h2>"
                 f"<figure>{diagram.svg}</figure></section>")
    what_if = debrief.counterfactuals(game)
    if not what_if.empty:
        what_if = what_if.assign(lever=[label[lv].label for lv in what_if["lever"]],
                                 outcome=[label[o].label for o in what_if["outcome"]])
        parts.append("<section><h2>What if? Each table's key decision, the other way</h2>"
                     "<p>The game re-run with only that decision at the other end of its range.</p>"
                     + _table(what_if, ["table", "round", "lever", "chosen", "alternative", "score", "what_if_score",
                                        "outcome", "value", "what_if_value"],
                              ["Table", "Round", "Lever", "Chosen", "Instead", "Score", "Score if instead",
                               "Outcome moved most", "As played", "If instead"],
                              numeric=("chosen", "alternative", "score", "what_if_score", "value", "what_if_value"))
                     + "</section>")
    guesses = debrief.predictions(game)
    if not guesses.empty:
        guesses = guesses.assign(variable=[label[v].label for v in guesses["variable"]],
                                 time=[words.time_label(t, tu) for t in guesses["time"]])
        parts.append("<section><h2>Predictions against outcomes</h2>"
                     + _table(guesses, ["table", "round", "variable", "time", "predicted", "outcome", "error"],
                              ["Table", "Round", "Outcome", "When", "Predicted", "Simulated", "Predicted − simulated"],
                              numeric=("predicted", "outcome", "error")) + "</section>")
    parts.append("<section><h2>To talk about</h2><ul><li>Which decision mattered most, and when did its effect "
                 "show?</li><li>Where did the regime travel on the 2×2, and who moved it?</li><li>What would you "
                 "decide differently, knowing what you know now?</li></ul></section>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{esc(game.spec.label)}: debrief</title><style>{_PRINT_CSS}</style></head><body>"
            + "".join(parts) + "</body></html>")


def export(game, folder=None):
    """Write the game's log (CSV, JSON), results (CSV) and the printable debrief sheet.

    Parameters
    ----------
    game : Game
    folder : str or Path, optional
        Where to write; by default ``<game folder>/export``.

    Returns
    -------
    dict
        ``{"log_csv", "results_csv", "log_json", "debrief_html": Path}`` (no debrief sheet before
        the first round is closed).
    """
    target = Path(folder) if folder is not None else game.folder / EXPORT_FOLDER
    paths = {"log_csv": _write(target, "game-log.csv", log_table(game).to_csv(index=False))}
    results = _results(game)
    paths["results_csv"] = _write(target, "game-results.csv", results.to_csv(index_label="time"))
    doc = log_json(game)
    paths["log_json"] = _write(target, "game-log.json",
                               json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False))
    if game._closed():
        paths["debrief_html"] = _write(target, "debrief.html", debrief_html(game))
    return paths
