"""The room's pages, as Solara components: the join page, the participant's app and the
facilitator's dashboard. Imported only by :func:`dpmkit.room.server.serve`, after
Solara is configured; :data:`ROOM` is set there.

A page's URL decides what it shows, checked here inside the page's kernel (the guard
in :mod:`dpmkit.room.server` checks the facilitator's secret at the door as well):

- ``/`` without the room's code: the join page (a box for the code) and nothing else;
- ``/?code=CODE``: the participant's app: the explorer (levers and chart) and the
  ballot (table chosen from the room's list, predictions, hypothesis, decision);
- ``/facilitator?secret=SECRET``: the live dashboard.
"""

from __future__ import annotations

import re
import secrets
import time
from urllib.parse import parse_qs, quote

from .server import configure_solara

configure_solara()  # before Solara is imported: production mode, no telemetry, even when imported alone
import reacton.core  # noqa: E402 - Solara's own renderer: its render context batches state changes
import solara  # noqa: E402

from .. import words, workshop  # noqa: E402 - after configure_solara, see above
from ..errors import ModelError  # noqa: E402
from ..widgets import explore, predict  # noqa: E402
from ..widgets.predict import usual_times  # noqa: E402
from ..words import escaped as _esc  # noqa: E402
from . import paper, rooms  # noqa: E402
from .frontend import ANSWERED_CLASS  # noqa: E402
from .state import describe_levers  # noqa: E402

#: The :class:`~dpmkit.room.state.Room` being served (set by ``serve``).
ROOM = None

_BIG = "font-size:18px;line-height:1.45"
#: On a phone (up to 600 px wide) the participant's page keeps everything on the screen: the chart
#: shrinks to the screen's width (it was cut at 2016 of a 2006-2022 run), each slider's name goes
#: on its own line above a usable track (the track was 30 px wide beside a 160 px name), and the
#: ballot's questions are shown in full above their boxes (Vuetify cut them with an ellipsis).
PHONE_CSS = """@media (max-width: 600px) {
  .room-explorer .dpmkit-chart svg, .room-explorer .dpmkit-chart canvas { max-width: 100% !important;
    height: auto !important; }
  .room-explorer .widget-hslider { flex-wrap: wrap; height: auto !important; }
  .room-explorer .widget-hslider > .widget-label { width: 100% !important; max-width: 100% !important;
    text-align: left !important; }
  .room-explorer .widget-hslider > .slider-container { flex: 1 1 150px !important; min-width: 150px; }
  .room-ballot .v-text-field__slot { flex-wrap: wrap; }
  .room-ballot .v-text-field__slot > .v-label { position: static !important; transform: none !important;
    white-space: normal; max-width: 100% !important; width: 100%; height: auto; line-height: 1.3;
    margin-bottom: 4px; }
  .room-ballot .room-prediction { margin-bottom: 16px; }
}"""
_POLL_SECONDS = 1.0


def _param(search, name):
    return (parse_qs(search or "").get(name) or [""])[0]



def use_answered():
    """``(value, answered)`` for a participant page: call ``answered()`` once per answer to the page's
    send (sent, or not sent and why), and show ``value`` with :func:`Answered`. The page's script
    (:data:`dpmkit.room.frontend.PRELOAD_TEMPLATE`) takes its "No answer from the room yet" note away
    only when that text changes: other participants' updates, which reach the page while its own send
    waits, do not change it. Blank until the first answer; the page's own token then a count."""
    token = solara.use_memo(lambda: secrets.token_hex(4), [])
    count = solara.use_ref(0)
    value, set_value = solara.use_state("")

    def answered():
        count.current += 1
        set_value(f"{token}-{count.current}")

    return value, answered


def Answered(value):
    """The hidden element :func:`use_answered`'s value is shown in."""
    return solara.HTML(tag="span", classes=[ANSWERED_CLASS], style="display:none", unsafe_innerHTML=_esc(value))


def _note(text, kind="info"):
    colours = {"error": ("#8b0000", "#fdecea"), "ok": ("#1b5e20", "#e8f5e9"), "info": ("#0b3d66", "#e8f1f8")}
    fg, bg = colours[kind]
    role = ' role="alert"' if kind == "error" else ' role="status"'
    return (f'<div{role} class="room-{kind}" style="color:{fg};background:{bg};border-left:5px solid {fg};'
            f'padding:8px 12px;{_BIG}">{_esc(text)}</div>')


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's signature for a layout component
    """No navigation and no app bar: nobody should find the other pages by clicking around."""
    solara.Column(children=children, style="padding:0")


def _participant_url(code, build, table="", sent=""):
    # Relative (no leading "/"): Solara's navigator resolves it against the page's root path, so it
    # also works under a prefix such as JupyterHub's /services/dpmkit-room/. A table the address
    # already named (a game's page, /?code=...&table=Red, that followed the room to its explorer)
    # is kept, so that the ballot starts with it chosen.
    # A page whose ballot is in keeps the ballot's id (&sent=…): opened again, it finds what it sent.
    return (f"?code={code.strip().upper()}&v={build}" + (f"&table={quote(table)}" if table else "")
            + (f"&sent={quote(sent)}" if sent else ""))


@solara.component
def Home():
    router = solara.use_router()
    code, build = _param(router.search, "code"), _param(router.search, "v")
    table = _param(router.search, "table")
    sent = _param(router.search, "sent")

    # A page opened on the room's explorer of another model on this same kit (the facilitator
    # changed the room, and the page reloaded itself): nothing typed yet, so it follows at once.
    followed = bool(build) and build != ROOM.build and _same_kit(build)

    def record_build():  # the printed link has no version yet: record the one this page is built on
        if ROOM.code_ok(code) and (not build or followed):
            router.push(_participant_url(code, ROOM.build, table))

    solara.use_effect(record_build, [code, build])
    if not ROOM.code_ok(code):
        Join(wrong=bool(code))
    elif followed:
        solara.HTML(tag="div", unsafe_innerHTML=_note("The room changed: opening it…"))
    elif build and build != ROOM.build:
        Stale(code, build)
    else:
        Participant(table, sent)


def _same_kit(build):
    """Whether a page's ``v=`` names this kit's version (its model may be another: ``VERSION-FINGERPRINT``)."""
    return build.rpartition("-")[0] == ROOM.build.rpartition("-")[0]


@solara.component
def Stale(code, build):
    """A page opened on another kit than the room now runs (the room was restarted on an
    upgraded kit, or an old tab): said at once, before anything is typed or sent."""
    router = solara.use_router()
    with solara.Column(classes=["room-stale"], style="max-width:720px;margin:40px auto"):
        solara.HTML(tag="div", unsafe_innerHTML=_note(
            f"This page was opened on kit version {build}; the room now runs {ROOM.build}. "
            "Nothing from this page was sent. Open the room's current page to continue "
            "(it keeps your table; type your predictions again).", "error"))
        solara.Button("Open the current page",
                      on_click=lambda: router.push(_participant_url(code, ROOM.build, _param(router.search, "table"))),
                      color="primary", classes=["room-reload"])


@solara.component
def FacilitatorOnly(room, page):
    """The facilitator's gate, for every facilitator page of the room (the dashboard here, the
    game's in :mod:`dpmkit.room.game_pages`): the component ``page`` when the URL carries
    ``room``'s facilitator secret, else a refusal and nothing else. The guard in
    :mod:`dpmkit.room.server` refuses a wrong secret at the door as well (403)."""
    router = solara.use_router()
    if room.secret_ok(_param(router.search, "secret")):
        page()
    else:
        solara.HTML(tag="div", unsafe_innerHTML=_note("This page is for the facilitator.", "error"))


@solara.component
def Facilitator():
    FacilitatorOnly(ROOM, Dashboard)


@solara.component
def Join(wrong=False):
    """The only thing a visitor without the room's code sees."""
    router = solara.use_router()
    typed, set_typed = solara.use_state("")
    message, set_message = solara.use_state("That is not this room's code." if wrong else "")

    def join():
        if ROOM.code_ok(typed):
            router.push(_participant_url(typed, ROOM.build))
        else:
            set_message("That is not this room's code: check the code on the screen and try again.")

    with solara.Column(classes=["room-join"], style="max-width:520px;margin:40px auto"):
        solara.HTML(tag="h2", unsafe_innerHTML="Join the workshop room")
        solara.HTML(tag="p", unsafe_innerHTML="Type the room code shown on the screen.", style=_BIG)
        solara.InputText("Room code", value=typed, on_value=set_typed, continuous_update=True,
                         classes=["room-code"])
        solara.Button("Join", on_click=join, color="primary", classes=["room-join-button"])
        if message:
            solara.HTML(tag="div", unsafe_innerHTML=_note(message, "error"))


def _levers(model):
    return [p.name for p in model.policy_levers] or None


def _predictor(model, spec):
    """The "predict, then run" widget for the variable the ballot asks about first, at its usual
    five times and the times the ballot asks about it (the end of the run, or the moment the model
    is watched at: Surrey's end of March 2014), so the prediction can fill the ballot."""
    if not spec:
        return None
    name = next(iter(spec))[0]
    asked = [t for variable, t in spec if variable == name]
    return predict(model, name, times=sorted({*usual_times(model), *asked}))


def _prediction_fields(model):
    fields = {}
    for name, t in workshop.prediction_spec(model, None):
        fields[(name, t)] = f"{words.axis_title(model[name])} at {workshop.moment_words(model, t)}"
    return fields


def _sent_ballot(room, ident, table):
    """The ballot a page sent before it was opened again (a reload, the room started again), found
    by the id its address kept (``&sent=…``) among this round's ballots of ``table``; None when
    there is none. The id is only compared with the ids of the folder's ballots: nothing in the
    address becomes a file name."""
    if not ident or not table or not re.fullmatch(r"[0-9a-f]{32}", ident):
        return None
    for ballot in room.collect().ballots:
        if ballot.id == ident and ballot.round == room.state.round and room.table_of(ballot.table) == table:
            return ballot
    return None


def _in_note(ballot, again=False):
    when = ballot.created.astimezone().strftime("%H:%M:%S")
    return (f"✓ Your ballot is in (round {ballot.round}, {when}, reference {ballot.id[:6]}). "
            + ("This page was opened again: what you sent is shown below and in the levers. "
               if again else "")
            + "You may change your choices and send again.")


@solara.component
def Participant(table_named="", sent=""):
    """A participant's page: the explorer and the ballot. ``table_named``: the table the page's
    address names (``&table=Red``), chosen at the start when the room has it. ``sent``: the id
    of the ballot this page sent before it was opened again (``&sent=…``): the page shows it."""
    room = ROOM
    model = room.model
    router = solara.use_router()
    # Only the policy levers: what the ballot sends, fewer controls on a phone, and a lighter page
    # to build for each of thirty participants; the scenario box (27 of the explorer's 69 widgets)
    # only when a participant asks for it.
    explorer = solara.use_memo(lambda: explore(model, show=_levers(model), scenario_box="on request"), [])
    fingerprint = solara.use_memo(lambda: room.fingerprint, [])
    spec = solara.use_memo(lambda: _prediction_fields(model), [])
    table, set_table = solara.use_state(table_named if table_named in room.tables else "")
    # A participant who reloads (or whose page the room reloaded after a restart) sees the ballot
    # they sent, its ✓ and what they wrote, instead of an empty form that looks as if it was lost.
    earlier = solara.use_memo(lambda: _sent_ballot(room, sent, table), [])
    name, set_name = solara.use_state(earlier.participant if earlier else "")
    typed, set_typed = solara.use_state({
        f"{var}@{t}": words.number(x) for var, points in (earlier.predictions if earlier else {}).items()
        for t, x in points if (var, t) in spec})
    hypothesis, set_hypothesis = solara.use_state(earlier.hypothesis if earlier else "")
    decision, set_decision = solara.use_state(earlier.decision if earlier else "")
    status, set_status = solara.use_state((_in_note(earlier, again=True), "ok") if earlier else ("", "info"))

    def levers_as_sent():
        if earlier and earlier.params:
            explorer.set(**{k: v for k, v in earlier.params.items() if k in explorer.controls})

    solara.use_effect(levers_as_sent, [])
    answer, answered = use_answered()
    batch = reacton.core.get_render_context()  # state set inside `with batch:` is drawn in one pass
    tables, set_tables = solara.use_state(tuple(room.tables))
    moved, set_moved = solara.use_state("")
    chosen = solara.use_ref("")
    chosen.current = table
    predict_first, set_predict_first = solara.use_state(room.state.predict_first)
    revealed, set_revealed = solara.use_state(False)
    # Predict, then run (the facilitator's "Predict first"): built only when asked for.
    predictor = solara.use_memo(lambda: _predictor(model, spec) if predict_first else None, [predict_first])

    def on_revealed():
        set_revealed(False)  # a new "Predict first" (say, for the next round) starts unrevealed
        if predictor is None:
            return

        def revealed_now(widget):  # the participant's prediction fills their ballot's empty boxes
            found = {f"{widget.output}@{t}": words.number(value) for t, value in widget.prediction.items()
                     if (widget.output, t) in spec}
            set_typed(lambda old: {**found, **{k: v for k, v in old.items() if v.strip()}})
            set_revealed(True)

        predictor.on_reveal(revealed_now)

    solara.use_effect(on_revealed, [predictor])

    def watch(cancel):
        # The table list follows the facilitator's adds, renames, merges and drops by itself.
        revision = room.revision
        while not cancel.is_set():
            revision = room.wait_for_change(revision, _POLL_SECONDS)
            now = tuple(room.tables)
            set_tables(now)
            set_predict_first(room.state.predict_first)
            where, note = room.follow(chosen.current)
            if note:
                chosen.current = where
                set_table(where)
                set_moved(note)

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)

    def choose(value):
        set_table(value or "")
        set_moved("")
        # the page's address keeps the table (&table=Red): a reload, or the facilitator's next room
        # (a game finds the table's page at once), starts with it
        code = _param(router.search, "code")
        if room.code_ok(code):
            router.push(_participant_url(code, room.build, value or ""))

    def send():
        # One redraw for a send, its note (the button is not disabled and enabled again around a
        # write of a few milliseconds). A second click meanwhile waits its turn and sends again,
        # which a round allows: the latest ballot counts.
        with batch:
            _send()
            answered()  # sent or not sent: this page's send has its answer

    def _send():
        try:
            predictions = {}
            for (var, t), label in spec.items():
                value = words.parse_number(typed.get(f"{var}@{t}", ""), f"your prediction for {label}",
                                           blank_ok=True)
                if value is not None:
                    predictions.setdefault(var, {})[t] = value
            params = {k: v for k, v in explorer.changed().items() if k in explorer.controls}
            ballot = room.accept(table=table, params=params, predictions=predictions, participant=name,
                                 hypothesis=hypothesis, decision=decision, fingerprint=fingerprint)
        except ModelError as err:
            set_status((f"Not sent: {err}", "error"))
        else:
            set_status((_in_note(ballot), "ok"))
            code = _param(router.search, "code")
            if room.code_ok(code):  # a reload, or the room started again, finds this ballot
                router.push(_participant_url(code, room.build, table, sent=ballot.id))

    with solara.Column(classes=["room-participant"], style="max-width:1100px;margin:0 auto"):
        solara.Style(PHONE_CSS)
        solara.HTML(tag="h2", unsafe_innerHTML=f"{_esc(model.label)} · round {_esc(room.state.round)}")
        if room.version_changed:
            solara.HTML(tag="div", unsafe_innerHTML=_note(
                "The model changed since this room's first ballots: tell the facilitator.", "error"))
        if predictor is not None:
            if not revealed:
                solara.HTML(tag="p", style=_BIG, classes=["room-predict-first"], unsafe_innerHTML=(
                    "Predict first: write what you expect, then press <b>Run the model</b>. "
                    "The levers and the chart come after."))
            solara.Column(children=[predictor], classes=["room-predict"], style="padding:0")
        if predictor is None or revealed:
            solara.Column(children=[explorer], classes=["room-explorer"], style="padding:0")
        # With 30 browsers joining at once on one overloaded machine a few pages never drew the chart:
        # anywidget dropped its messages (dpmkit.room.frontend, fixed there). The hint stays as a net.
        solara.HTML(tag="p", classes=["room-chart-hint"], style="font-size:14px;color:#555", unsafe_innerHTML=(
            "No chart above after half a minute? Reload this page: nothing you sent is lost."))
        with solara.Card("Your ballot", classes=["room-ballot"]):
            solara.HTML(tag="p", style=_BIG, unsafe_innerHTML=(
                "Your ballot sends the policy levers as you set them above, with what you predict "
                "and why."))
            solara.Select("Your table", value=table or None, values=list(tables), on_value=choose,
                          classes=["room-table"])
            if moved:
                solara.HTML(tag="div", classes=["room-moved"], unsafe_innerHTML=_note(moved, "info"))
            solara.InputText("Your name (optional)", value=name, on_value=set_name, continuous_update=True,
                             classes=["room-name"])
            for (var, t), label in spec.items():
                key = f"{var}@{t}"
                solara.InputText(f"Your prediction: {label}", value=typed.get(key, ""),
                                 on_value=lambda v, key=key: set_typed(lambda old: {**old, key: v}),
                                 continuous_update=True, classes=["room-prediction"])
            with solara.Column(classes=["room-hypothesis"]):
                solara.InputTextArea("Hypothesis: what do you expect, and why?", value=hypothesis,
                                     on_value=set_hypothesis, continuous_update=True, rows=3)
            with solara.Column(classes=["room-decision"]):
                solara.InputTextArea("Decision: what would you decide?", value=decision, on_value=set_decision,
                                     continuous_update=True, rows=3)
            solara.Button("Send my ballot", on_click=send, color="primary",
                          classes=["room-send"])
            Answered(answer)
            if status[0]:
                solara.HTML(tag="div", unsafe_innerHTML=_note(*status))


def _ballot_html(ballot, model):
    who = _esc(ballot.participant or "(no name)")
    when = ballot.created.astimezone().strftime("%H:%M")
    preds = "; ".join(f"{_esc(model[v].label)} {words.number(x)} at {_esc(workshop.moment_words(model, t))}"
                      for v, pts in ballot.predictions.items() for t, x in pts)
    rows = [f"<div style='{_BIG};font-weight:600'>{who} · {when}</div>",
            f"<div style='{_BIG}'><b>Levers:</b> {_esc(describe_levers(model, ballot.params))}</div>"]
    if preds:
        rows.append(f"<div style='{_BIG}'><b>Predicts:</b> {preds}</div>")
    for key, title in (("hypothesis", "Hypothesis"), ("decision", "Decision")):
        text = getattr(ballot, key)
        if text:
            rows.append(f"<div style='{_BIG};white-space:pre-wrap'><b>{title}:</b> {_esc(text)}</div>")
    return f"<div class='room-ballot-card' style='border-top:1px solid #ccc;padding:6px 0'>{''.join(rows)}</div>"


@solara.component
def Dashboard():
    room = ROOM
    model = room.model
    revision, set_revision = solara.use_state(room.revision)
    listing, set_listing = solara.use_state(())
    message, set_message = solara.use_state(("", "info"))
    chosen, set_chosen = solara.use_state("")
    other, set_other = solara.use_state("")
    new_name, set_new_name = solara.use_state("")

    def watch(cancel):
        # Redraw when the room accepts a ballot or changes state, and when files appear in
        # the folder some other way (a ballot copied in from a USB stick).
        last = (room.revision, _listing(room))
        while not cancel.wait(_POLL_SECONDS):
            now = (room.revision, _listing(room))
            if now != last:
                last = now
                set_revision(now[0])
                set_listing(now[1])

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)
    board = solara.use_memo(lambda: room.board(), [revision, listing])

    def act(fn, done):
        try:
            fn()
        except ModelError as err:
            set_message((str(err), "error"))
        else:
            set_message((done, "ok"))
            set_revision(room.revision)

    state = room.state
    with solara.Column(classes=["room-dashboard"], style="padding:12px"):
        if state.rehearsal:
            solara.HTML(tag="div", classes=["room-rehearsal-banner"], unsafe_innerHTML=(
                "<div role='alert' style='background:#b00020;color:white;font-size:28px;font-weight:700;"
                "padding:14px;text-align:center'>REHEARSAL: these ballots are invented, not your "
                "participants'.</div>"))
        solara.HTML(tag="h1", unsafe_innerHTML=f"{_esc(model.label)} · round {_esc(state.round)}")
        if room.version_changed:
            solara.HTML(tag="div", unsafe_innerHTML=_note(
                "This kit's model differs from the one the folder's earlier ballots were cast on; "
                "those ballots are listed as rejected.", "error"))
        for note in room.notes:  # what the room found in the folder at start (a notebook moved it on)
            solara.HTML(tag="div", classes=["room-start-note"], unsafe_innerHTML=_note(note))
        sent = {t: bs for t, bs in board.items() if bs}
        count = sum(len(b) for b in board.values())
        solara.HTML(tag="p", style=_BIG, classes=["room-count"], unsafe_innerHTML=(
            f"{words.count(count, 'ballot')} from {len(sent)} of {words.count(len(state.tables), 'table')} "
            "this round."))
        rows = "".join(
            f"<tr><td style='padding:4px 12px'>{_esc(t)}</td><td style='padding:4px 12px'>"
            + (f"✓ {words.count(len(bs), 'ballot')}: "
               + _esc(", ".join(b.participant or '(no name)' for b in bs)) if bs else "— waiting")
            + "</td></tr>" for t, bs in board.items())
        # The facilitator's buttons and what they answer come before the list of tables, which is
        # one line per table: with 40 tables the list filled the first screens and pushed "Open
        # round 2" (and the message it gives) out of sight.
        with solara.Row():
            solara.Button(f"Open round {room.next_round}",
                          on_click=lambda: act(room.open_round, "New round open."), classes=["room-open-round"])
            if state.predict_first:
                solara.Button("Show the chart at once", classes=["room-predict-first-off"], on_click=lambda: act(
                    lambda: room.set_predict_first(False), "Participants see the chart and levers at once."))
            else:
                solara.Button("Predict first", classes=["room-predict-first-on"], on_click=lambda: act(
                    lambda: room.set_predict_first(True),
                    "Predict first: each participant's chart and levers stay hidden until they have "
                    "written what they expect and pressed Run the model."))
            if state.rehearsal:
                solara.Button("Stop rehearsal", color="error",
                              on_click=lambda: act(lambda: room.set_rehearsal(False), "Rehearsal stopped."))
            else:
                solara.Button("Start rehearsal (invented ballots)",
                              on_click=lambda: act(lambda: room.set_rehearsal(True), "Rehearsal started."),
                              classes=["room-rehearsal"])
        with solara.Details("Tables: rename, merge a duplicate, drop, add"):
            solara.Select("Table", value=chosen or None, values=list(state.tables),
                          on_value=lambda v: set_chosen(v or ""), classes=["room-manage-table"])
            with solara.Row():
                solara.InputText("New name", value=new_name, on_value=set_new_name, continuous_update=True,
                                 classes=["room-new-name"])
                solara.Button("Rename", on_click=lambda: act(lambda: room.rename_table(chosen, new_name),
                                                             f"Renamed {chosen!r} to {new_name!r}."),
                              classes=["room-rename"])
                solara.Button("Add as new table", on_click=lambda: act(lambda: room.add_table(new_name),
                                                                       f"Added {new_name!r}."),
                              classes=["room-add-table"])
            with solara.Row():
                solara.Select("Merge it into", value=other or None,
                              values=[t for t in state.tables if t != chosen], on_value=lambda v: set_other(v or ""))
                solara.Button("Merge", on_click=lambda: act(lambda: room.merge_tables(chosen, other),
                                                            f"{chosen!r} now counts as {other!r}."))
                solara.Button("Drop table", color="error", on_click=lambda: act(
                    lambda: room.drop_table(chosen), f"Dropped {chosen!r}; its ballots stay in the folder."))
        with solara.Details("Paper slips: print, type in, charts to reveal"):
            PaperSlips(on_added=lambda: set_revision(room.revision))
        # After the session (or at any time): every ballot so far, all rounds, for the facilitator's
        # records and the write-up, opened in a spreadsheet rather than a notebook.
        with solara.Column(classes=["room-ballots-download"]):
            solara.FileDownload(lambda: room.collect().spreadsheet(table_of=room.table_of),
                                filename=f"ballots-{time.strftime('%Y-%m-%d')}.csv", mime_type="text/csv",
                                label="Every ballot so far, as a spreadsheet (CSV)")
        ChangeRoom(room)
        if message[0]:
            solara.HTML(tag="div", unsafe_innerHTML=_note(*message))
        solara.HTML(tag="table", classes=["room-status"], style=_BIG, unsafe_innerHTML=rows)
        for t, bs in sent.items():
            solara.HTML(tag="div", classes=["room-table-card"], unsafe_innerHTML=(
                f"<h2 style='margin:16px 0 4px'>{_esc(t)}</h2>" + "".join(_ballot_html(b, model) for b in bs)))


@solara.component
def PaperSlips(on_added):
    """The paper fallback on the dashboard: the printable slip for this round, and a form to
    type a filled slip in (read and checked as an online ballot; it lands as a ballot file)."""
    room = ROOM
    model = room.model
    spec = solara.use_memo(lambda: _prediction_fields(model), [])
    levers = list(model.policy_levers)
    blank = {"table": "", "name": "", "round": "", "hypothesis": "", "decision": ""}
    form, set_form = solara.use_state(blank)
    typed, set_typed = solara.use_state({})
    status, set_status = solara.use_state(("", "info"))

    def field(key):
        return lambda v: set_form(lambda old: {**old, key: v or ""})

    def add():
        try:
            ballot = paper.enter_slip(
                room, table=form["table"], participant=form["name"], hypothesis=form["hypothesis"],
                decision=form["decision"], round=form["round"].strip() or None,
                levers={p.name: typed.get(p.name, "") for p in levers},
                predictions={key: typed.get(f"{key[0]}@{key[1]}", "") for key in spec})
        except ModelError as err:
            set_status((f"Not added: {err}", "error"))
        else:
            set_status((f"✓ Slip added: {ballot.table}, round {ballot.round}, reference {ballot.id[:6]}.", "ok"))
            set_form(blank)
            set_typed({})
            on_added()

    def put(key):
        return lambda v: set_typed(lambda old: {**old, key: v})

    current = room.state.round
    with solara.Column(classes=["room-paper"]):
        with solara.Column(classes=["room-slip-download"]):
            solara.FileDownload(lambda: paper.slip_html(model, round=current, tables=room.tables,
                                                        code=room.state.code).encode("utf-8"),
                                filename=f"slip-round-{current}.html", label=f"Printable slip for round {current}",
                                mime_type="text/html")
        solara.HTML(tag="p", style=_BIG, unsafe_innerHTML=(
            "Type a filled slip in: numbers as written (3,5 and 1,080 are fine). Result charts to reveal "
            "without a laptop: <code>python -m dpmkit.room slips --folder …</code> writes them into "
            "the folder's <code>paper</code> subfolder."))
        solara.Select("Table ticked on the slip", value=form["table"] or None, values=room.tables,
                      on_value=field("table"), classes=["room-slip-table"])
        solara.InputText("Round on the slip (blank: the open round)", value=form["round"], on_value=field("round"),
                         continuous_update=True, classes=["room-slip-round"])
        solara.InputText("Name (optional)", value=form["name"], on_value=field("name"), continuous_update=True,
                         classes=["room-slip-name"])
        for p in levers:
            solara.InputText(f"{words.axis_title(p)} (blank: base case)", value=typed.get(p.name, ""),
                             on_value=put(p.name), continuous_update=True, classes=["room-slip-lever"])
        for (var, t), label in spec.items():
            key = f"{var}@{t}"
            solara.InputText(f"Prediction: {label}", value=typed.get(key, ""), on_value=put(key),
                             continuous_update=True, classes=["room-slip-prediction"])
        solara.InputTextArea("Hypothesis", value=form["hypothesis"], on_value=field("hypothesis"),
                             continuous_update=True, rows=2)
        solara.InputTextArea("Decision", value=form["decision"], on_value=field("decision"),
                             continuous_update=True, rows=2)
        solara.Button("Add this slip", on_click=add, color="primary", classes=["room-slip-add"])
        if status[0]:
            solara.HTML(tag="div", classes=["room-slip-status"], unsafe_innerHTML=_note(*status))


@solara.component
def ChangeRoom(room):
    """The facilitator's "Change the room": another model's explorer or a game, from the kit's own
    list (:func:`dpmkit.room.rooms.choices`; the page sends a label from the list the server made,
    looked up there, never a name or a path), after a confirmation, since it interrupts every table.
    The room stops and ``python -m dpmkit.room`` starts the chosen one on the same port, code,
    secret and tables; every open page reloads into it by itself, keeping its table."""
    current = getattr(room, "choice", None)  # None: a room object not served by python -m dpmkit.room
    listed = solara.use_memo(lambda: [c for c in rooms.choices() if c != current], [])
    labels = solara.use_memo(lambda: {c.label: c.key for c in listed}, [])
    picked, set_picked = solara.use_state("")
    asking, set_asking = solara.use_state(False)
    message, set_message = solara.use_state(("", "info"))

    def confirm():
        key = labels.get(picked)
        try:
            if key is None:
                raise ModelError("choose a room from the list")
            room.change_room(key)
        except ModelError as err:
            set_message((f"Not changed: {err}", "error"))
            set_asking(False)
        else:
            set_message((f"Changing the room to {picked}. Every page reloads into it by itself in a few "
                         "seconds; this page too.", "ok"))

    def choose(value):
        set_picked(value or "")
        set_asking(False)

    now = current.label if current is not None else getattr(getattr(room, "model", None), "label", "this room")
    with solara.Details("Change the room: another model's explorer, or a game"), \
            solara.Column(classes=["room-change-box"]):
            solara.HTML(tag="p", style=_BIG, unsafe_innerHTML=(
                f"Now: <b>{_esc(now)}</b>. The room code, the tables and both links stay the same; each room "
                "keeps its own ballots or game, so you can come back to this one later."))
            solara.Select("Change to", value=picked or None, values=list(labels), on_value=choose,
                          classes=["room-change-choice"])
            if not asking:
                solara.Button("Change the room…", disabled=not picked, on_click=lambda: set_asking(True),
                              classes=["room-change"])
            else:
                solara.HTML(tag="div", unsafe_innerHTML=_note(
                    f"Change to {picked}? Every table's page stops and reloads into it (in about ten seconds); "
                    "anything typed but not sent is lost, everything sent is kept.", "error"))
                with solara.Row():
                    solara.Button("Yes, change the room now", color="error", on_click=confirm,
                                  classes=["room-change-confirm"])
                    solara.Button("Cancel", on_click=lambda: set_asking(False), classes=["room-change-cancel"])
            if message[0]:
                solara.HTML(tag="div", classes=["room-change-message"], unsafe_innerHTML=_note(*message))


def _listing(room):
    try:
        return tuple(sorted((e.name, e.stat().st_mtime_ns) for e in room.folder.iterdir()
                            if e.name.endswith(".json")))
    except OSError:
        return ()


routes = [solara.Route(path="/", component=Home, label="Room", layout=Layout),
          solara.Route(path="facilitator", component=Facilitator, label="Facilitator", layout=Layout)]
