"""What a table's page and the facilitator's page show, as HTML pieces.

Shared by the room's pages (:mod:`dpmkit.room.game_pages`, Solara) and the JupyterLab
widgets (:mod:`dpmkit.game.lab`), so both show the same thing. Everything is read from
the game folder: a page that is reloaded, or a laptop that comes back, finds the state as
it was. Dates are written as people say them (:mod:`dpmkit.words`).
"""

from __future__ import annotations

from .. import words
from ..words import escaped as _esc

__all__ = ["Snapshot", "briefing_html", "predicted", "prediction", "facilitator_status_html", "lever_info",
           "lever_value", "results_html",
           "revealed_html", "scoreboard_html", "snapshot", "status_html", "waiting_html", "pending", "in_force",
           "results_chart_svg", "warm_charts"]

_BIG = "font-size:17px;line-height:1.45"



class Snapshot:
    """One read of the game folder, for one page: the open round, who holds what, the results
    so far, and the log. Build it with :func:`snapshot`."""

    def __init__(self, game):
        self.game = game
        undone = game._undone()
        closed = game._closed(undone)
        #: The closed rounds (each round file lists exactly the decisions and events that count):
        #: the results, the scoreboard and the charts change only when this does.
        self.results_key = tuple(doc.get("id") for doc in closed)
        #: Changes with every close and every undo: a table's decision form starts again from the
        #: levers in force.
        self.stage = (self.results_key, frozenset(undone))
        found = game._ballots()  # the folder's ballots, read once for everything below
        voided = game._voided()
        counted = self.counted = game._counted(closed, found)
        self.round = len(closed) + 1
        self.over = self.round > len(game.spec.rounds)
        self.taking = not self.over and game._taking(self.round)  # the open round takes decisions
        self.assignments = game.assignments()
        self.log = game.log(counted)
        self.script = game._script(counted[1], counted[2])
        self.results = game.results(counted) if self.round > 1 else None
        self.waiting = game.waiting(current=self.round, found=found, voided=voided) if not self.over else {}
        #: The events the facilitator injected into the open round, in order: every table's page says
        #: them as news (the facilitator announces them too, but a table that missed it, or joined
        #: late, would not otherwise know). Those of the closed rounds are in ``counted[2]``.
        self.news = [game.spec.event(d["event"]) for d in sorted(game._injections(), key=lambda d: d.get("created", ""))
                     if d.get("round") == self.round and d.get("id") not in voided] if not self.over else []
        self._sent = {}  # {table: {lever: value}} sent for the open round, latest last
        for b in found:
            if b.round == str(self.round) and b.id not in voided:
                self._sent.setdefault(b.table, {}).update(b.params)
        self._board = None
        self._made = {}

    def made(self, key, build):
        """``build()``, made once for this read of the folder and shared by every page showing
        it (six pages of six tables after an advance ask for the same pieces)."""
        try:
            return self._made[key]
        except KeyError:
            return self._made.setdefault(key, build())

    def roles_of(self, table):
        return [self.game.spec.role(r) for r, t in self.assignments.items() if t == table]

    def sent(self, table):
        """``{lever: value}`` the table has sent for the open round, the latest value of each of
        its levers (whichever page at the table sent it), in the order of its levers."""
        mine = self._sent.get(table, {})
        return {lv: mine[lv] for r in self.roles_of(table) for lv in r.levers if lv in mine}

    def in_force(self, table):
        """As :func:`in_force`, from this read of the folder."""
        from .debrief import _in_force

        game = self.game
        current = min(self.round, len(game.spec.rounds))
        values = _in_force(game, self.script, game.spec.rounds[current - 1].start)
        mine = {lv: values[lv] for r in self.roles_of(table) for lv in r.levers}
        mine.update({k: v for k, v in self._sent.get(table, {}).items() if k in mine})
        return mine

    def scoreboard(self):
        """The game's scoreboard (:meth:`dpmkit.game.Game.scoreboard`), from this read."""
        if self._board is None:
            self._board = self.game.scoreboard(results=self.results, assignments=self.assignments)
        return self._board


def snapshot(game):
    """Read the game folder once (see :class:`Snapshot`)."""
    return Snapshot(game)


def lever_info(game, lever):
    """``(label, low, high, units)`` of a lever, from the game model's ``Param``."""
    p = game.model[lever]
    low, high = p.bounds
    return p.label, float(low), float(high), words.units(p)


def lever_value(game, lever, value):
    """``"Years to decommission 1 year"``: a lever and its value, as the table pages say them (the status,
    the note of a send, the decisions revealed)."""
    return f"{game.model[lever].label} {words.quantity(value, game.model[lever])}"


def _round_words(game, number):
    r = game.spec.rounds[number - 1]
    return f"Round {number} of {len(game.spec.rounds)}: {r.label} ({words.span(r.start, r.end, game.model.time_units)})"


def status_html(snap, table):
    """The table's headline: which round is open, and whether it has sent a decision."""
    game = snap.game
    if snap.over:
        return f"<div class='game-status' style='{_BIG};font-weight:600'>The game is over: see the results below.</div>"
    sent = snap.waiting.get(table, 0)
    if not snap.taking:
        note = ("The facilitator has closed this round to decisions: the results come when it is advanced."
                + (" Your table's decision is in." if sent else " Levers you did not send stay as they were."))
    elif sent:
        # Every page at the table says what the table sent: two people at one table may each send,
        # and the latest value of each lever counts, whichever page sent it.
        decided = "; ".join(lever_value(game, lv, v) for lv, v in snap.sent(table).items())
        note = (f"✓ Your table has sent a decision this round: {decided}. The latest a page at your table sends "
                "counts; you may change it until the round closes.")
    else:
        note = "Waiting for your table's decision this round (levers you do not send stay as they were)."
    return (f"<div class='game-status' style='{_BIG}'><b>{_esc(_round_words(game, snap.round))}</b><br>"
            + _news_html(snap.news, "News this round")
            + f"<span class='game-sent-state'>{_esc(note)}</span></div>")


def _news_html(events, heading):
    """The events injected into a round, as news (an empty string when there are none)."""
    if not events:
        return ""
    return ("<div class='game-news' style='margin:4px 0;padding:4px 8px;border-left:4px solid #b38600;"
            f"background:#fff8e1'><b>{_esc(heading)}:</b> " + " ".join(_esc(e.label + ".") for e in events)
            + "</div>")


def briefing_html(snap, table):
    """The table's roles: their private briefing, goals and levers with their ranges."""
    game = snap.game
    roles = snap.roles_of(table)
    if not roles:
        return (f"<div class='game-briefing' style='{_BIG}'>Your table has no role yet: the facilitator "
                "will give you one. This page updates by itself.</div>")
    parts = []
    for r in roles:
        levers = "".join(
            f"<li>{_esc(label)}: from {words.number(low)} to {_esc(words.quantity(high, units))}</li>"
            for label, low, high, units in (lever_info(game, lv) for lv in r.levers))
        sees = ", ".join(_esc(game.model[o].label) for o in r.sees)
        parts.append(f"<h3 style='margin:8px 0 2px'>{_esc(r.label)}</h3>"
                     f"<p style='white-space:pre-wrap'>{_esc(r.briefing)}</p>"
                     f"<p><b>Your goals:</b> {_esc(r.goals)}</p>"
                     f"<p><b>Your levers:</b></p><ul>{levers}</ul><p><b>You see:</b> {sees}</p>")
    return f"<div class='game-briefing' style='{_BIG}'>{''.join(parts)}</div>"


def results_html(snap, table):
    """The outcomes the table's roles see, at the start and at the end of each closed round."""
    game = snap.game
    if snap.results is None:
        return ("<div class='game-results' style='font-size:16px'>No results yet: they appear here when the "
                "facilitator closes the first round.</div>")
    seen = [o.name for o in game.spec.outcomes
            if any(o.name in r.sees for r in snap.roles_of(table))] or [o.name for o in game.spec.outcomes]
    frame = snap.results
    tu = game.model.time_units
    times = [game.spec.rounds[0].start] + [game.spec.rounds[k].end for k in range(min(snap.round - 1,
                                                                                       len(game.spec.rounds)))]
    head = "".join(f"<th style='padding:3px 8px;text-align:left'>{_esc(words.time_label(t, tu))}</th>" for t in times)
    rows = []
    index = frame.index.to_numpy()
    at = [int(abs(index - t).argmin()) for t in times]
    for name in seen:
        column = frame[name].to_numpy()
        cells = [f"<td style='padding:3px 8px;text-align:right'>{words.number(column[k])}</td>" for k in at]
        rows.append(f"<tr><td style='padding:3px 8px'>{_esc(words.axis_title(game.model[name]))}</td>"
                    f"{''.join(cells)}</tr>")
    return (f"<div class='game-results' style='font-size:16px'><b>Your results so far</b>"
            f"<table style='border-collapse:collapse'><thead><tr><th></th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def revealed_html(snap):
    """After each closed round: what was revealed and what every table decided (the same for
    every table: made once per read of the folder)."""
    return snap.made("revealed", lambda: _revealed_html(snap))


def _revealed_html(snap):
    game = snap.game
    closed = min(snap.round - 1, len(game.spec.rounds))
    if not closed:
        return ""
    last = {}  # {round: {(table, lever): row}}: each table's last value of each lever
    for row in snap.log.itertuples():
        last.setdefault(int(row.round), {})[(row.table, row.lever)] = row
    news = {}  # {round: [event, ...]}: the events that count, by the round they were injected in
    for number, doc in snap.counted[2]:
        news.setdefault(int(number), []).append(game.spec.event(doc["event"]))
    parts = []
    for number in range(closed, 0, -1):
        r = game.spec.rounds[number - 1]
        by_table = {}
        for row in sorted(last.get(number, {}).values(), key=lambda row: row.Index):
            by_table.setdefault(row.table, []).append(lever_value(game, row.lever, row.value))
        items = "".join(f"<li><b>{_esc(t)}</b>: {_esc('; '.join(d))}</li>" for t, d in by_table.items())
        parts.append(f"<div style='margin:6px 0'><b>{_esc(_round_words(game, number))}</b>"
                     + (f"<div style='font-style:italic'>{_esc(r.reveal)}</div>" if r.reveal else "")
                     + _news_html(news.get(number), "News")
                     + f"<ul style='margin:2px 0'>{items or '<li>No table changed a lever.</li>'}</ul></div>")
    return f"<div class='game-revealed' style='font-size:16px'><b>What the tables decided</b>{''.join(parts)}</div>"


def waiting_html(snap):
    """Who has decided this round (the facilitator's view)."""
    if snap.over:
        return "<div class='game-waiting' style='font-size:18px'>The game is over.</div>"
    holders = {}
    for role, table in snap.assignments.items():
        holders.setdefault(table, []).append(snap.game.spec.role(role).label)
    rows = "".join(
        f"<tr><td style='padding:4px 12px'>{_esc(t)}</td><td style='padding:4px 12px'>"
        f"{_esc(', '.join(holders.get(t, [])) or 'no role')}</td><td style='padding:4px 12px'>"
        + (f"✓ decided ({n})" if n else "— waiting") + "</td></tr>"
        for t, n in snap.waiting.items())
    done = sum(1 for n in snap.waiting.values() if n)
    return (f"<div class='game-waiting' style='font-size:18px'><b>{done} of {len(snap.waiting)} tables have "
            f"decided this round.</b><table>{rows}</table></div>")


def scoreboard_html(snap):
    """The live scoreboard: each table's score (0 worst to 1 best), and its scored outcomes."""
    game = snap.game
    if snap.results is None:
        return "<div class='game-scoreboard' style='font-size:18px'>The scoreboard fills in when round 1 closes.</div>"
    board = snap.scoreboard()
    if board.empty:
        return "<div class='game-scoreboard' style='font-size:18px'>No role has been given to a table yet.</div>"
    by_table = {}  # {table: ([score, ...], {outcome: value})}, in the board's order
    for table, outcome, value, score in zip(board["table"], board["outcome"], board["value"], board["score"]):
        scores, values = by_table.setdefault(table, ([], {}))
        scores.append(float(score))
        values.setdefault(outcome, value)
    rows = []
    for table, (scores, values) in by_table.items():
        detail = "; ".join(f"{game.model[o].label} {words.number(v)}" for o, v in values.items())
        rows.append((sum(scores) / len(scores), table, detail))
    rows.sort(key=lambda r: -r[0])
    body = "".join(f"<tr><td style='padding:4px 12px'>{_esc(t)}</td><td style='padding:4px 12px;text-align:right'>"
                   f"{s:.2f}</td><td style='padding:4px 12px'>{_esc(d)}</td></tr>" for s, t, d in rows)
    return (f"<div class='game-scoreboard' style='font-size:18px'><b>Scoreboard</b> (0 worst, 1 best over each "
            f"scored outcome's range)<table><thead><tr><th>Table</th><th>Score</th><th>Scored outcomes</th></tr>"
            f"</thead><tbody>{body}</tbody></table></div>")


def facilitator_status_html(snap):
    game = snap.game
    if snap.over:
        return f"<h2 class='game-round'>{_esc(game.spec.label)}: all {len(game.spec.rounds)} rounds played</h2>"
    state = "is open" if snap.taking else "is closed to decisions; advance to show its results"
    return (f"<h2 class='game-round'>{_esc(game.spec.label)}</h2>"
            f"<div style='{_BIG}'>{_esc(_round_words(game, snap.round))} {state}.</div>")


def pending(game, table):
    """``{lever: value}`` the table has sent for the open round (its latest value of each lever)."""
    current = str(game.round)
    voided = game._voided()
    sent = {}
    for b in game._ballots():  # in the order they were sent
        if b.table == table and b.round == current and b.id not in voided:
            sent.update(b.params)
    return sent


def in_force(game, table):
    """``{lever: value}`` for the table's levers: what it sent this round, else what is in force."""
    from .debrief import _in_force

    current = min(game.round, len(game.spec.rounds))
    values = _in_force(game, game.events(), game.spec.rounds[current - 1].start)
    held = [lv for r, t in game.assignments().items() if t == table for lv in game.roles[r]]
    mine = {lv: values[lv] for lv in held}
    mine.update({k: v for k, v in pending(game, table).items() if k in mine})
    return mine


_CHARTS = {}


def results_chart_svg(snap, table, *, width=520, height=200):
    """The outcomes the table sees, as an SVG chart (cached: every table seeing the same
    outcomes after the same round gets the same picture)."""
    from .. import charts

    game = snap.game
    if snap.results is None:
        return ""
    seen = _chart_outcomes(snap, table)
    key = (str(game.folder), snap.round, tuple(snap.log["id"]), repr(sorted(snap.script.items())), seen)
    if key not in _CHARTS:
        if len(_CHARTS) > 64:
            _CHARTS.clear()
        closed = min(snap.round - 1, len(game.spec.rounds))
        result = game._simulate(game.spec.rounds[closed - 1].end, counted=snap.counted)  # this read, not a new one
        # The same picture as charts.time_series, from a template built once per outcome set and
        # size (0.1 s a chart instead of 0.5 s at load 10: six tables' charts after every close).
        _CHARTS[key] = charts.spec_to_svg(_live_chart(game, seen, width, height).spec(result))
    return _CHARTS[key]


def _chart_outcomes(snap, table):
    game = snap.game
    seen = tuple(o.name for o in game.spec.outcomes if any(o.name in r.sees for r in snap.roles_of(table)))
    return seen[:4] or tuple(o.name for o in game.spec.outcomes[:3])


def _live_chart(game, seen, width, height):
    from .. import charts

    return charts.LiveTimeSeries(game.model, list(seen), with_base=False, title="Your outcomes so far",
                                 width=width, height=height)


def warm_charts(snap, *, width=520, height=200):
    """Build the chart templates of every table's outcomes now (about 0.3 s each), so that the
    first round's charts do not pay for them."""
    for table in snap.game.tables:
        _live_chart(snap.game, _chart_outcomes(snap, table), width, height)


def predicted(snap, table):
    """``(outcome, time)`` a table may predict this round: the first outcome its roles are scored
    on, at the end of the open round; None when it holds no role or the game is over."""
    roles = snap.roles_of(table)
    if snap.over or not roles:
        return None
    return roles[0].scores[0], float(snap.game.spec.rounds[snap.round - 1].end)


def prediction(snap, table, text):
    """The ``predictions=`` of :meth:`dpmkit.game.Game.decide` for a value a table typed (its
    :func:`predicted` outcome at the end of the open round); ``{}`` for nothing typed.

    Raises ModelError naming the table and the outcome for text that is not a number."""
    from ..errors import ModelError

    target = predicted(snap, table)
    if target is None or not str(text or "").strip():
        return {}
    outcome, when = target
    label = snap.game.model[outcome].label
    try:
        value = words.parse_number(text, f"the prediction of {label}")
    except ModelError as err:
        raise ModelError(f"table {table!r}, prediction of {outcome!r}: {err}") from None
    return {outcome: {when: value}}
