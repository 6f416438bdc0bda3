"""The game's pages for JupyterLab (ipywidgets): a table's page and the facilitator's page.

The same content as the room's pages (:mod:`dpmkit.room.game_pages`), from the same
:mod:`dpmkit.game.present`, for a workshop run on a shared folder with JupyterLab (a hub, a
synced folder) instead of the room. They live in the game package, not in
:mod:`dpmkit.widgets`, because the widgets layer does not import the game (DESIGN §2).

Each widget re-reads the game folder when it changes: a background thread lists the folder
every ``poll`` seconds (``watch=True``, the default; ``.stop()`` ends it), and ``.refresh()``
does it at once.

>>> import dpmkit as dk, tempfile
>>> g = dk.game.new(tempfile.mkdtemp(), "surrey", tables=["Red"])
>>> g.assign("Red", "young_people")
>>> page = table_widget(g, "Red", watch=False)
>>> page.controls["voice_insight"].value = 0.5
>>> page.send()
>>> "Sent for round 1" in page.status.value
True
"""

from __future__ import annotations

import contextlib
import html
import threading

import ipywidgets as W

from .. import words
from ..errors import ModelError
from ..widgets import control_for
from . import debrief, present, records

__all__ = ["FacilitatorWidget", "TableWidget", "facilitator_widget", "table_widget"]


def _note(text, kind):
    colours = {"error": ("#8b0000", "#fdecea"), "ok": ("#1b5e20", "#e8f5e9"), "info": ("#0b3d66", "#e8f1f8")}
    fg, bg = colours[kind]
    return (f"<div class='game-{kind}' style='color:{fg};background:{bg};border-left:5px solid {fg};"
            f"padding:6px 10px;font-size:15px'>{html.escape(text)}</div>")


def _listing(folder):
    try:
        return tuple(sorted((e.name, e.stat().st_mtime_ns) for e in folder.iterdir() if e.name.endswith(".json")))
    except OSError:
        return ()


class _Watched:
    """Re-read the game folder when it changes (a daemon thread), or on ``refresh()``.

    Every read notes the folder's listing first (:meth:`_read`), so the watch redraws only for
    changes the page has not drawn: a page's own action (the facilitator's advance) redraws it
    once, not once for the action and again when the watch sees the files the action wrote. A
    lock keeps the watch from looking between an action's writes and its redraw."""

    def _start(self, watch, poll):
        self._stop = threading.Event()
        self._lock = threading.RLock()
        self._seen = None
        self.refresh()
        if watch:
            threading.Thread(target=self._watch, args=(poll,), daemon=True).start()

    def refresh(self):
        """Read the game folder again and redraw."""
        with self._lock:
            self._draw(self._read())

    def _read(self):
        """The game as the folder holds it now; the listing is taken before the read, so a change
        made while reading is drawn by the next look."""
        self._seen = _listing(self.game.folder)
        return present.snapshot(self.game)

    def _watch(self, poll):
        while not self._stop.wait(poll):
            with self._lock:
                if _listing(self.game.folder) != self._seen:
                    with contextlib.suppress(ModelError):  # a half-written round: the next change redraws
                        self.refresh()

    def stop(self):
        """Stop watching the folder."""
        self._stop.set()


class TableWidget(W.VBox, _Watched):
    """A table's page: status, its decision (levers within the game model's ranges), briefing,
    results, and what the other tables decided. Build it with :func:`table_widget`."""

    def __init__(self, game, table, *, watch=True, poll=1.0):
        game._table(table)  # a ModelError naming the tables for an unknown one
        self.game, self.table = game, table
        self.header = W.HTML()
        self.status = W.HTML()
        self.levers = W.VBox()
        self.controls = {}
        self.prediction = W.Text(placeholder="optional", layout=W.Layout(width="auto"),
                                 style={"description_width": "initial"})
        self.send_button = W.Button(description="Send our decision", button_style="primary", icon="paper-plane")
        self.send_button.on_click(lambda _: self.send())
        self.briefing = W.HTML()
        self.results = W.HTML()
        self.chart = W.HTML()
        self.revealed = W.HTML()
        self._round = None
        super().__init__([self.header, W.HBox([
            W.VBox([self.levers, self.prediction, self.send_button, self.status, W.Accordion([self.briefing],
                                                                             titles=("Your briefing and goals",))],
                   layout=W.Layout(width="48%", min_width="320px")),
            W.VBox([self.results, self.chart, self.revealed], layout=W.Layout(flex="1 1 420px"))],
            layout=W.Layout(flex_flow="row wrap"))])
        self.add_class("dpmkit-game-table")
        self._start(watch, poll)

    def _draw(self, snap):
        game, table = self.game, self.table
        self.header.value = (f"<h3 style='margin:4px 0'>{html.escape(table)} · {html.escape(game.spec.label)}</h3>"
                             + present.status_html(snap, table))
        held = [lv for r in snap.roles_of(table) for lv in r.levers]
        if snap.round != self._round or list(self.controls) != held:
            self._round = snap.round
            values = present.in_force(game, table)
            self.controls = {lv: control_for(game.model[lv], values[lv]) for lv in held}
            self.levers.children = list(self.controls.values())
            self.status.value = ""
            self.prediction.value = ""
        target = present.predicted(snap, table)
        self.prediction.layout.display = "none" if target is None else ""
        if target is not None:
            self.prediction.description = (f"Your prediction: {game.model[target[0]].label} at "
                                           f"{words.time_label(target[1], game.model.time_units)}")
        self._snap = snap
        self.send_button.disabled = not snap.taking or not held
        self.send_button.description = f"Send our decision for round {snap.round}" if not snap.over else "Game over"
        self.briefing.value = present.briefing_html(snap, table)
        self.results.value = present.results_html(snap, table)
        self.chart.value = present.results_chart_svg(snap, table)
        self.revealed.value = present.revealed_html(snap)

    def send(self):
        """Send the levers as set; "sent" is shown only once the game accepted it."""
        decision = {lv: float(c.value) for lv, c in self.controls.items()}
        number = self.game.round
        try:
            predictions = present.prediction(self._snap, self.table, self.prediction.value)
            ident = self.game.decide(self.table, decision, round=number, predictions=predictions)
        except ModelError as err:
            self.status.value = _note(f"Not sent: {err}", "error")
            return
        described = "; ".join(f"{self.game.model[lv].label} {words.number(v)}" for lv, v in decision.items())
        for outcome, points in predictions.items():
            described += "; your prediction: " + "; ".join(f"{self.game.model[outcome].label} {words.number(v)}"
                                                          for v in points.values())
        self.status.value = _note(f"✓ Sent for round {number}: {described} (reference {ident[:6]}).", "ok")


class FacilitatorWidget(W.VBox, _Watched):
    """The facilitator's page: close a round, undo, inject an event, who has decided, the
    scoreboard, the debrief and the export. Build it with :func:`facilitator_widget`."""

    def __init__(self, game, *, watch=True, poll=1.0):
        self.game = game
        self.header = W.HTML()
        self.advance_button = W.Button(button_style="primary", icon="forward", layout=W.Layout(width="auto"))
        self.undo_button = W.Button(description="Undo the last round", icon="undo", layout=W.Layout(width="auto"))
        self.gate_button = W.Button(icon="hand-paper-o", layout=W.Layout(width="auto"))
        self.event_choice = W.Dropdown(options=[(e.label, e.name) for e in game.spec.events],
                                       description="Event", layout=W.Layout(width="auto"))
        self.inject_button = W.Button(description="Inject", icon="bolt")
        self.debrief_button = W.Button(description="Show the debrief", icon="eye", layout=W.Layout(width="auto"))
        self.export_button = W.Button(description="Export log and printable sheet", icon="download",
                                      layout=W.Layout(width="auto"))
        self.message = W.HTML()
        self.waiting = W.HTML()
        self.scoreboard = W.HTML()
        self.revealed = W.HTML()
        self.debrief = W.HTML()
        self.advance_button.on_click(lambda _: self.advance())
        self.undo_button.on_click(lambda _: self._act(game.undo, "The last round is open again."))
        self.gate_button.on_click(lambda _: self.toggle_decisions())
        self.inject_button.on_click(lambda _: self._act(lambda: game.inject(self.event_choice.value),
                                                        "Event injected into this round."))
        self.debrief_button.on_click(lambda _: self.show_debrief())
        self.export_button.on_click(lambda _: self.export())
        super().__init__([self.header,
                          W.HBox([self.advance_button, self.gate_button, self.undo_button],
                                 layout=W.Layout(flex_flow="row wrap")),
                          W.HBox([self.event_choice, self.inject_button]), self.message,
                          W.HBox([self.waiting, self.scoreboard], layout=W.Layout(flex_flow="row wrap")),
                          self.revealed, W.HBox([self.debrief_button, self.export_button]), self.debrief])
        self.add_class("dpmkit-game-facilitator")
        self._start(watch, poll)

    def _draw(self, snap):
        self.header.value = present.facilitator_status_html(snap)
        self.advance_button.description = (f"Close round {snap.round} and show the results" if not snap.over
                                           else "All rounds played")
        self.advance_button.disabled = snap.over
        self.undo_button.disabled = snap.round == 1
        self._taking = snap.taking
        self.gate_button.description = (f"Close round {snap.round} to decisions" if snap.taking or snap.over
                                        else f"Open round {snap.round} to decisions again")
        self.gate_button.disabled = snap.over
        self.inject_button.disabled = snap.over
        self.waiting.value = present.waiting_html(snap)
        self.scoreboard.value = present.scoreboard_html(snap)
        self.revealed.value = present.revealed_html(snap)

    def _act(self, fn, done):
        with self._lock:  # the watch waits: the files fn writes are drawn once, by this refresh
            try:
                fn()
            except ModelError as err:
                self.message.value = _note(str(err), "error")
            else:
                self.message.value = _note(done, "ok")
            self.refresh()

    def toggle_decisions(self):
        """Close the open round to decisions, or open it again (as the button says)."""
        number = self.game.round
        if self._taking:
            self._act(self.game.close_decisions, f"Round {number} is closed to decisions.")
        else:
            self._act(self.game.open_decisions, f"Round {number} takes decisions again.")

    def advance(self):
        number = self.game.round
        self._act(self.game.advance, f"Round {number} closed: every table now sees its results.")

    def show_debrief(self):
        from .. import charts

        try:
            regime = debrief.regime_chart(self.game)
        except ModelError as err:
            self.message.value = _note(str(err), "error")
            return
        what_if = debrief.counterfactuals(self.game)
        items = "".join(
            f"<li><b>{html.escape(r.table)}</b>, round {r.round}: {html.escape(self.game.model[r.lever].label)} "
            f"{words.number(r.chosen)}; had it been {words.number(r.alternative)}, score {r.what_if_score:.2f} "
            f"instead of {r.score:.2f}</li>" for r in what_if.itertuples())
        self.debrief.value = (f"<h3>The journey on the 2×2</h3>{charts.to_svg(regime)}"
                              f"<p>{html.escape(regime.description)}</p><h3>What if?</h3><ul>{items}</ul>"
                              f"<h3>The journey on the DPM chart</h3>{debrief.dpm_chart(self.game).svg}")

    def export(self):
        paths = records.export(self.game)
        self.message.value = _note("Written: " + ", ".join(str(p) for p in paths.values()), "ok")
        return paths


def table_widget(game, table, *, watch=True, poll=1.0):
    """A table's page in JupyterLab: ``display(table_widget(g, "Red"))``."""
    return TableWidget(game, table, watch=watch, poll=poll)


def facilitator_widget(game, *, watch=True, poll=1.0):
    """The facilitator's page in JupyterLab: ``display(facilitator_widget(g))``."""
    return FacilitatorWidget(game, watch=watch, poll=poll)
