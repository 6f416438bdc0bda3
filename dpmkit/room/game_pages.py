"""The game's pages in the room (Solara): a table's page and the facilitator's game page.

Served instead of :mod:`dpmkit.room.pages` when the room was started with ``--game NAME``
(:func:`dpmkit.room.server.serve` picks this module). The same two paths as the room's
other pages, so the guard in :mod:`dpmkit.room.server` needs nothing new:

- ``/?code=CODE``: the join page without the code; with it, the table chooses its table from
  the game's list, and the page's address becomes ``/?code=CODE&table=NAME``, so a reload or
  a laptop that comes back finds the table again. Everything shown is read from the game
  folder (:mod:`dpmkit.game.present`); nothing lives in the page.
- ``/facilitator?secret=SECRET``: roles, closing the open round to decisions (and opening it
  again), advancing (the results, and the next round opens), undo, events, the live scoreboard,
  who has decided, the debrief and the exports.

Each page watches the game folder (a listing every :data:`POLL_SECONDS`) and redraws when
it changes: a table sees its results as soon as the facilitator closes a round.
"""

from __future__ import annotations

import math
import os
import threading
import time
from urllib.parse import quote

from .server import configure_solara

configure_solara("dpmkit.room.game_pages")
import pandas  # noqa: E402, F401 - imported once here: pages importing it at once in threads race
import reacton.core  # noqa: E402 - Solara's own renderer: its render context batches state changes
import solara  # noqa: E402

from .. import words  # noqa: E402
from ..errors import ModelError  # noqa: E402
from ..game import debrief, present, records  # noqa: E402
from ..words import escaped as _esc  # noqa: E402
from .pages import Answered, ChangeRoom, FacilitatorOnly, Join, Layout, _note, _param, use_answered  # noqa: E402

configure_solara("dpmkit.room.game_pages")  # importing pages set it back to the room's other pages

#: The :class:`~dpmkit.room.state.Room` being served (set by ``serve``); its ``game`` is the game.
ROOM = None
POLL_SECONDS = 0.1
#: Seconds a page waits before drawing its chart, so that the results' numbers reach every
#: table before six charts compete for the processor (bench/bench_game.py, same load: advance ->
#: six pages show the numbers, median 1.08 s with 0.4 s here, 0.62 s with 1 s).
CHART_DELAY = 1.0
#: A table page's controls change state without CSS transitions: when a round closes (or the game
#: ends and every control is disabled at once), Vuetify's transitions kept each of six browsers
#: drawing about fifteen more frames, competing with the numbers reaching the other tables.
STILL_CSS = ".game-table *, .game-table *::before, .game-table *::after { transition: none !important; }"
#: On a phone the table's page is one column (the decision, then the results); the results table
#: scrolls inside its box and the chart shrinks to the screen, so nothing widens the page.
#: The results' first column (the outcomes' names) stays in place while the rounds scroll under it,
#: so a table wider than a phone shows that it scrolls and what each row is.
PHONE_CSS = (".game-results { overflow-x: auto; } .game-chart svg { max-width: 100%; height: auto; } "
             ".game-results th:first-child, .game-results td:first-child { position: sticky; left: 0; "
             "background: #fff; box-shadow: 3px 0 3px -2px rgba(0, 0, 0, 0.25); } "
             ".game-prediction-question { font-size: 15px; color: #333; margin-top: 6px; }")


def warm_up():
    """Pay the one-off costs (imports, a first read, the chart renderer's start of about 4 s)
    before the first table arrives."""
    from .. import charts
    from ..simulate import simulate

    game = ROOM.game
    snap = present.snapshot(game)
    present.briefing_html(snap, game.tables[0])
    present.warm_charts(snap)
    debrief.journey(game)
    first = game.spec.outcomes[0].name
    charts.to_svg(charts.time_series(simulate(game.model, stop=game.model.start + 2 * game.model.dt), [first]))


_SNAPSHOTS = {}
_SNAPSHOT_LOCK = threading.Lock()


def shared_snapshot(game, listing):
    """One read of the game folder per change of the folder, shared by every page (what the
    tables see is the same game; only what each shows of it differs)."""
    key = (str(game.folder), listing)
    with _SNAPSHOT_LOCK:
        found = _SNAPSHOTS.get(key)
        if found is None:
            found = present.snapshot(game)
            if len(_SNAPSHOTS) > 16:
                _SNAPSHOTS.clear()
            _SNAPSHOTS[key] = found
    return found


def _listing(folder):
    try:
        with os.scandir(folder) as entries:
            return tuple(sorted((e.name, e.stat().st_mtime_ns) for e in entries if e.name.endswith(".json")))
    except OSError:
        return ()


class _Watch:
    """One listing of a game folder every :data:`POLL_SECONDS`, shared by every page watching
    it (seven pages listing the folder ten times a second each cost the server a sixth of a
    core); the pages wake together when it changes."""

    def __init__(self, folder):
        self.folder = folder
        self.listing = _listing(folder)
        self._changed = threading.Condition()
        threading.Thread(target=self._run, name="dpmkit-game-watch", daemon=True).start()

    def _run(self):
        while True:
            time.sleep(POLL_SECONDS)
            self.look()

    def look(self):
        """List the folder now and wake the pages if it changed: called by the poll, and at once
        by a page of this server that has just changed the game (so its own change does not
        wait for the next poll)."""
        with self._changed:  # one listing at a time, so an older one never replaces a newer one
            now = _listing(self.folder)
            if now != self.listing:
                self.listing = now
                self._changed.notify_all()

    def wait(self, last, timeout):
        """The listing once it differs from ``last``, or after ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.listing != last, timeout)
            return self.listing


_WATCHES = {}
_WATCHES_LOCK = threading.Lock()


def _watch_of(folder):
    with _WATCHES_LOCK:
        found = _WATCHES.get(str(folder))
        if found is None:
            found = _WATCHES[str(folder)] = _Watch(folder)
        return found


def use_game_revision(game):
    """The game folder's listing (names and modification times), which changes whenever the
    game does (a decision, a closed round…): the page redraws on it. Also returns ``seen()``,
    which a page calls after changing the game itself: every page looks at the folder now, and
    this one takes the new listing in the same pass as its own message (see
    :func:`GameDashboard`), instead of redrawing once for the message and again for the files."""
    watch_ = _watch_of(game.folder)
    revision, set_revision = solara.use_state(lambda: watch_.listing)

    def watch(cancel):
        last = watch_.listing
        set_revision(last)
        while not cancel.is_set():
            now = watch_.wait(last, 0.5)
            if now != last and not cancel.is_set():
                last = now
                set_revision(now)

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)

    def seen():
        watch_.look()
        set_revision(watch_.listing)

    return revision, seen


@solara.component
def Home():
    router = solara.use_router()
    code = _param(router.search, "code")
    if not ROOM.code_ok(code):
        Join(wrong=bool(code))
        return
    table = _param(router.search, "table")
    if table in ROOM.game.tables:
        TablePage(table)
    else:
        ChooseTable(code)


@solara.component
def ChooseTable(code):
    router = solara.use_router()
    game = ROOM.game
    with solara.Column(classes=["game-choose"], style="max-width:640px;margin:30px auto"):
        solara.HTML(tag="h2", unsafe_innerHTML=_esc(game.spec.label))
        solara.HTML(tag="p", style="font-size:18px", unsafe_innerHTML="Which table are you? Choose it once; "
                    "this page remembers it (bookmark it, or reload it at any time).")
        for table in game.tables:
            solara.Button(table, classes=["game-table-choice"], color="primary", outlined=True,
                          on_click=lambda table=table: router.push(f"/?code={quote(code.strip().upper())}"
                                                                  f"&table={quote(table)}"))


@solara.component
def Lever(name, value, on_value, disabled):
    game = ROOM.game
    label, low, high, units = present.lever_info(game, name)
    typed, set_typed = solara.use_state("")
    problem, set_problem = solara.use_state("")

    def take_typed(text):
        set_typed(text)
        if not text.strip():
            set_problem("")
            return
        try:
            number = words.parse_number(text, label)
        except ModelError as err:
            set_problem(str(err))
            return
        if not low <= number <= high:
            set_problem(f"{label}: {words.number(number)} is outside its range, {words.number(low)} to "
                        f"{words.number(high)}")
            return
        set_problem("")
        on_value(number)

    step = 10.0 ** math.floor(math.log10((high - low) / 100))  # a round step, so typed values stay on the grid
    with solara.Column(classes=["game-lever", f"game-lever-{name}"], style="margin:4px 0"):
        solara.HTML(tag="div", style="font-size:17px", unsafe_innerHTML=(
            f"<b>{_esc(label)}</b>: <span class='game-lever-value'>{words.number(value)}</span>"
            f"{_esc(' ' + words.units(units, amount=value) if units else '')} <span style='color:#555'>(from "
            f"{words.number(low)} to {words.number(high)})</span>"))
        solara.SliderFloat("", value=value, min=low, max=high, step=step, on_value=on_value, disabled=disabled,
                           thumb_label=False)
        solara.InputText("or type a value", value=typed, on_value=take_typed, continuous_update=True,
                         disabled=disabled, classes=["game-lever-input"])
        if problem:
            solara.HTML(tag="div", unsafe_innerHTML=_note(problem, "error"))


def use_staged(stage, empty):
    """State that belongs to one stage of the game (``stage``: anything compared with ``==``):
    ``(value, set_value)`` where the value reads as ``empty`` once the stage has moved on (a close,
    an undo, a change of roles), with no effect to reset it (which would render the page a second
    time). ``set_value`` takes a value or a function of the stage's value and files it under the
    stage of the render that made it (a lever moved on a form of a round that has since closed is
    dropped), or with ``latest=True`` under the stage the page rendered last (a send that ends
    after an advance files its note there)."""
    kept, set_kept = solara.use_state((None, empty))
    current = solara.use_ref(stage)
    current.current = stage

    def set_value(new, latest=False):
        def update(old):
            now = current.current if latest else stage
            value = old[1] if old[0] == now else empty
            return now, (new(value) if callable(new) else new)

        set_kept(update)

    return (kept[1] if kept[0] == stage else empty), set_value


@solara.component
def TablePage(table):
    """A table's page. After an advance it changes in one render pass, and only what changed: the
    headline, the numbers, the decision form (started again from the levers in force) and what
    the tables decided; its widgets are kept and updated in place (keyed, so that a piece that
    goes away, such as the prediction box when the game ends, does not make the pieces after it
    be built again); the chart comes :data:`CHART_DELAY` later, in its own component."""
    game = ROOM.game
    revision, seen = use_game_revision(game)
    snap = solara.use_memo(lambda: shared_snapshot(game, revision), [revision])
    batch = reacton.core.get_render_context()  # state set inside `with batch:` is drawn in one pass
    held = tuple(lv for r in snap.roles_of(table) for lv in r.levers)
    # A close, an undo or a change of roles starts the form again from the levers in force. The
    # table's moves, prediction and note are kept with the stage they belong to (not reset by an
    # effect, which would render the page a second time after every advance).
    stage = (snap.stage, held)
    # What another page at the table sends shows on this one too: its levers follow the table's
    # decision (a lever this page moved and has not sent keeps this page's value).
    sent = tuple(snap.sent(table).items())
    start = solara.use_memo(lambda: snap.in_force(table), [stage, sent])
    moved, set_moved = use_staged(stage, {})  # {lever: value} the table moved
    chosen = {**start, **moved}
    note, set_note = use_staged(stage, ("", "info"))  # (text, kind): the last send's note
    guess, set_guess = use_staged(stage, "")  # the table's prediction, as typed
    answer, answered = use_answered()  # kept across stages: an answer after an advance still counts
    target = present.predicted(snap, table)

    def move(lever, value):
        set_moved(lambda old: {**old, lever: float(value)})

    def send():
        # One redraw for a send: its note and the folder's new listing together (the form is not
        # disabled and enabled again around a write of a few milliseconds: 16 messages to the page).
        # A second click meanwhile waits its turn and sends again, which the round allows.
        with batch:
            _send()
            answered()  # sent or not sent: this page's send has its answer

    def _send():
        try:
            decision = {lv: float(chosen.get(lv, start[lv])) for lv in held}
            number = game.round
            predictions = present.prediction(snap, table, guess)
            ident = game.decide(table, decision, round=number, predictions=predictions)
        except ModelError as err:
            set_note((f"Not sent: {err}", "error"), latest=True)
        else:
            set_moved({})  # sent: the levers now show the table's decision, and follow its next one
            seen()  # every page sees the decision now; this one in the same pass as its note
            described = "; ".join(present.lever_value(game, lv, v) for lv, v in decision.items())
            if predictions:
                (outcome, points), = predictions.items()
                described += f"; your prediction: {game.model[outcome].label} {words.number(points[target[1]])}"
            set_note((f"✓ Sent for round {number}: {described} (reference {ident[:6]}). You may "
                      "change it and send again until the facilitator closes the round.", "ok"), latest=True)

    def piece(name, build):  # made once per read of the folder for every page of this table
        return snap.made((name, table), build)

    with solara.Column(classes=["game-table"], style="max-width:1100px;margin:0 auto;padding:8px"):
        solara.Style(STILL_CSS + PHONE_CSS)
        solara.HTML(tag="h2", unsafe_innerHTML=f"{_esc(table)} · {_esc(game.spec.label)}")
        solara.HTML(tag="div", unsafe_innerHTML=piece("status", lambda: present.status_html(snap, table)))
        # two columns from 960 px (a laptop), one on a phone or a tablet held upright
        with solara.ColumnsResponsive(12, medium=6, gutters_dense=True):
            with solara.Column():
                if held:  # kept on the page when the game ends (disabled), so an undo does not rebuild it
                    closed = not snap.taking
                    with solara.Card("Your decision this round", classes=["game-decision"]):
                        for lv in held:
                            Lever(lv, float(chosen.get(lv, 0.0)), lambda v, lv=lv: move(lv, v), closed).key(lv)
                        if target is not None:  # the question in full above the box: a label is cut short
                            solara.HTML(tag="div", classes=["game-prediction-question"], unsafe_innerHTML=_esc(
                                f"Your prediction (optional): {game.model[target[0]].label} at "
                                f"{words.time_label(target[1], game.model.time_units)}?")).key("question")
                            solara.InputText(
                                "Your prediction",
                                value=guess, on_value=set_guess,
                                continuous_update=True, disabled=closed,
                                classes=["game-prediction"]).key("prediction")
                        solara.Button(f"Send our decision for round {snap.round}" if not snap.over else "Game over",
                                      on_click=send, color="primary", disabled=closed,
                                      classes=["game-send"]).key("send")
                        # always there (empty without a note): a send does not build a widget
                        solara.HTML(tag="div", unsafe_innerHTML=_note(*note) if note[0] else "").key("note")
                        Answered(answer).key("answered")
                with solara.Details("Your briefing and goals", expand=snap.round == 1):
                    solara.HTML(tag="div",
                                unsafe_innerHTML=piece("briefing", lambda: present.briefing_html(snap, table)))
            with solara.Column():
                solara.HTML(tag="div", unsafe_innerHTML=piece("results", lambda: present.results_html(snap, table)))
                TableChart(table, snap)
                solara.HTML(tag="div", unsafe_innerHTML=present.revealed_html(snap))


@solara.component
def TableChart(table, snap):
    """The table's chart, drawn :data:`CHART_DELAY` after the results change (a decision sent
    meanwhile changes nothing here), so that the numbers reach every table first. Until the new
    one is drawn the last one stays, faded, under a line saying it is being drawn: the page's
    layout does not jump twice, and the browser does not lay out the page again for a note."""
    key = snap.results_key

    def draw(cancel):
        if snap.results is None or cancel.wait(CHART_DELAY):  # let the numbers reach every table first
            return None
        # marked with the rounds it shows, so a page (and bench/bench_game.py) can tell a new chart
        return key, f"<div data-closed='{snap.round - 1}'>{present.results_chart_svg(snap, table)}</div>"

    drawn = solara.use_thread(draw, dependencies=[key, table], intrusive_cancel=False)
    last = solara.use_ref(None)  # (results key, chart) last drawn
    if drawn.state == solara.ResultState.FINISHED and drawn.value is not None:
        last.current = drawn.value
    fresh = last.current is not None and last.current[0] == key
    with solara.Column(gap="0px", classes=["game-chart-box"]):
        if snap.results is not None:
            solara.HTML(tag="div", classes=["game-chart-note"], style="color:#555;min-height:1.5em",
                        unsafe_innerHTML="" if fresh else "Drawing the chart…")
            if last.current is not None:
                solara.HTML(tag="div", classes=["game-chart"], style="" if fresh else "opacity:0.35",
                            unsafe_innerHTML=last.current[1])


@solara.component
def Facilitator():
    FacilitatorOnly(ROOM, GameDashboard)


@solara.component
def GameDashboard():
    game = ROOM.game
    revision, seen = use_game_revision(game)
    snap = solara.use_memo(lambda: shared_snapshot(game, revision), [revision])
    batch = reacton.core.get_render_context()  # state set inside `with batch:` is drawn in one pass
    message, set_message = solara.use_state(("", "info"))
    event, set_event = solara.use_state("")
    role_choice, set_role_choice = solara.use_state("")
    table_choice, set_table_choice = solara.use_state("")
    shown, set_shown = solara.use_state(None)  # the debrief, computed on demand
    files, set_files = solara.use_state({})

    def act(fn, done):
        # One redraw for an action: its message and the files it wrote, together. The watch's own
        # update for those files waits for the batch, then finds the listing already drawn.
        with batch:
            try:
                fn()
            except ModelError as err:
                set_message((str(err), "error"))
            else:
                seen()  # every page sees the change now, not at the next poll
                set_message((done() if callable(done) else done, "ok"))

    def advance():
        number = game.round
        act(game.advance, lambda: f"Round {number} closed: every table now sees its results."
            + ("" if game.over else f" Round {number + 1} is open."))

    def show_debrief():
        from .. import charts

        try:
            regime = debrief.regime_chart(game)
            set_shown({"regime": charts.to_svg(regime), "regime_text": regime.description,
                       "dpm": debrief.dpm_chart(game).svg,
                       "what_if": _what_if_html(game), "predictions": _predictions_html(game)})
        except ModelError as err:
            set_message((str(err), "error"))

    def do_export():
        try:
            paths = records.export(game)
        except ModelError as err:
            set_message((str(err), "error"))
            return
        set_files({p.name: p.read_bytes() for p in paths.values()})
        set_message((f"Written into {paths['log_csv'].parent}: " + ", ".join(p.name for p in paths.values()), "ok"))

    with solara.Column(classes=["game-facilitator"], style="padding:12px"):
        solara.HTML(tag="div", unsafe_innerHTML=present.facilitator_status_html(snap))
        with solara.Row():
            solara.Button(f"Close round {snap.round} and show the results" if not snap.over else "All rounds played",
                          on_click=advance, color="primary", disabled=snap.over, classes=["game-advance"])
            solara.Button("Undo the last round", on_click=lambda: act(game.undo, "The last round is open again."),
                          disabled=snap.round == 1, classes=["game-undo"])
            if snap.taking:
                solara.Button(f"Close round {snap.round} to decisions", classes=["game-close-decisions"],
                              on_click=lambda: act(game.close_decisions, f"Round {snap.round} is closed to decisions: "
                                                   "no table can send or change a decision until you open it again."))
            elif not snap.over:
                solara.Button(f"Open round {snap.round} to decisions again", classes=["game-open-decisions"],
                              on_click=lambda: act(game.open_decisions, f"Round {snap.round} takes decisions again."))
        with solara.Row():
            solara.Select("Inject an event into this round", value=event or None,
                          values=[e.name for e in game.spec.events], on_value=lambda v: set_event(v or ""))
            solara.Button("Inject", disabled=not event or snap.over, classes=["game-inject"], on_click=lambda: act(
                lambda: game.inject(event), f"Injected: {game.spec.event(event).label}" if event else ""))
        if event:
            solara.HTML(tag="div", style="font-size:15px", unsafe_innerHTML=_esc(
                f"{game.spec.event(event).label}. {game.spec.event(event).note}"))
        if message[0]:
            solara.HTML(tag="div", unsafe_innerHTML=_note(*message))
        with solara.Columns([1, 1]):
            solara.HTML(tag="div", unsafe_innerHTML=present.waiting_html(snap))
            solara.HTML(tag="div", unsafe_innerHTML=present.scoreboard_html(snap))
        with solara.Details("Roles: who holds what"):
            rows = "".join(f"<li>{_esc(game.spec.role(r).label)}: <b>{_esc(snap.assignments.get(r, 'nobody'))}"
                           "</b></li>" for r in game.roles)
            solara.HTML(tag="ul", style="font-size:16px", unsafe_innerHTML=rows)
            with solara.Row():
                solara.Select("Role", value=role_choice or None, values=list(game.roles),
                              on_value=lambda v: set_role_choice(v or ""))
                solara.Select("Table", value=table_choice or None, values=list(game.tables),
                              on_value=lambda v: set_table_choice(v or ""))
                solara.Button("Give the role to the table", on_click=lambda: act(
                    lambda: game.assign(table_choice, role_choice), f"{role_choice} → {table_choice}"))
        solara.HTML(tag="div", unsafe_innerHTML=present.revealed_html(snap))
        with solara.Card("Debrief and export", classes=["game-debrief-card"]):
            with solara.Row():
                solara.Button("Show the debrief", on_click=show_debrief, disabled=snap.round == 1,
                              classes=["game-show-debrief"])
                solara.Button("Export the log (CSV, JSON) and the printable sheet", on_click=do_export,
                              classes=["game-export"])
            for name, data in files.items():
                solara.FileDownload(data, filename=name, label=f"Download {name}")
            if shown:
                with solara.Column(classes=["game-debrief"]):
                    solara.HTML(tag="h3", unsafe_innerHTML="The journey on the 2×2")
                    solara.HTML(tag="div", unsafe_innerHTML=shown["regime"])
                    solara.HTML(tag="p", unsafe_innerHTML=_esc(shown["regime_text"]))
                    solara.HTML(tag="h3", unsafe_innerHTML="What if? Each table's key decision, the other way")
                    solara.HTML(tag="div", unsafe_innerHTML=shown["what_if"])
                    if shown["predictions"]:
                        solara.HTML(tag="h3", unsafe_innerHTML="Predictions against outcomes")
                        solara.HTML(tag="div", unsafe_innerHTML=shown["predictions"])
                    solara.HTML(tag="h3", unsafe_innerHTML="The journey on the DPM chart")
                    solara.HTML(tag="div", unsafe_innerHTML=shown["dpm"])
        ChangeRoom(ROOM)


def _what_if_html(game):
    frame = debrief.counterfactuals(game)
    if frame.empty:
        return "<p>No decisions yet.</p>"
    items = []
    for r in frame.itertuples():
        label = game.model[r.lever].label
        items.append(
            f"<li class='game-what-if'><b>{_esc(r.table)}</b>, round {r.round}: {_esc(label)} "
            f"{words.number(r.chosen)}. Had it been {words.number(r.alternative)}, the table's score would be "
            f"{r.what_if_score:.2f} instead of {r.score:.2f}; {_esc(game.model[r.outcome].label)} "
            f"{words.number(r.what_if_value)} instead of {words.number(r.value)}.</li>")
    return f"<ul style='font-size:16px'>{''.join(items)}</ul>"


def _predictions_html(game):
    frame = debrief.predictions(game)
    if frame.empty:
        return ""
    tu = game.model.time_units
    items = "".join(f"<li>{_esc(r.table)} predicted {_esc(game.model[r.variable].label)} "
                    f"{words.number(r.predicted)} {words.when(r.time, tu)}; the game shows "
                    f"{words.number(r.outcome)}.</li>" for r in frame.itertuples())
    return f"<ul style='font-size:16px'>{items}</ul>"


routes = [solara.Route(path="/", component=Home, label="Game", layout=Layout),
          solara.Route(path="facilitator", component=Facilitator, label="Facilitator", layout=Layout)]

__all__ = ["Facilitator", "GameDashboard", "Home", "ROOM", "TableChart", "TablePage", "routes"]
