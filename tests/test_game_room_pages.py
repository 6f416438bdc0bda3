"""The game's table page in the room (Solara), rendered in this process without a browser: what
an advance changes on it, and that it changes it in place.

The page is rendered with ``solara.render`` (widgets without a browser) on a game in a folder;
the game is played headlessly and the page follows the folder as it does in the room. The
numbers it shows are compared with what the game computes from a fresh ``dk.game.load``.
"""

from __future__ import annotations

import types
import warnings

import pytest
from widget_tree import wait_for, widgets

import dpmkit as dk
from dpmkit import words

solara = pytest.importorskip("solara")

TABLES = ["Red", "Blue", "Green"]


def _html(root, marker):
    found = [w.unsafe_innerHTML for w in widgets(root) if marker in (getattr(w, "unsafe_innerHTML", "") or "")]
    return found[0] if found else ""


@pytest.fixture
def room_pages(tmp_path, monkeypatch):
    from dpmkit.room import game_pages

    game = dk.game.new(tmp_path / "game", "surrey", tables=TABLES)
    for k, role in enumerate(game.roles):
        game.assign(TABLES[k % len(TABLES)], role)
    monkeypatch.setattr(game_pages, "ROOM", types.SimpleNamespace(game=dk.game.load(tmp_path / "game")))
    monkeypatch.setattr(game_pages, "CHART_DELAY", 60.0)  # charts are not what these tests look at
    rendered = []

    def render(table):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box, context = solara.render(game_pages.TablePage(table), handle_error=False)
        rendered.append(context)
        return box

    yield game, render, game_pages
    for context in rendered:
        context.close()


def _end(game, number):
    return words.time_label(game.spec.rounds[number - 1].end, game.model.time_units)


def test_after_each_advance_every_table_page_shows_the_results_the_game_computes(room_pages):
    from dpmkit.game import present

    game, render, game_pages = room_pages
    pages = {table: render(table) for table in TABLES}
    for number in (1, 2):
        for table in TABLES:
            lever = next(lv for r, t in game.assignments().items() if t == table for lv in game.roles[r])
            low, high = game.model.param(lever).bounds
            game.decide(table, {lever: low + (high - low) * number / 3})
        game.advance()
        game_pages._watch_of(game.folder).look()
        for table, page in pages.items():
            wait_for(lambda page=page, number=number: _end(game, number) in _html(page, "game-results"), 30,
                     f"{table} to see round {number}'s results")
        fresh = present.snapshot(dk.game.load(game.folder))  # as another process would read the folder
        for table, page in pages.items():
            assert _html(page, "game-results") == present.results_html(fresh, table)
            view = dk.game.load(game.folder).view(table)
            for outcome in view.columns:
                assert words.number(view[outcome].iloc[-1]) in _html(page, "game-results")
            assert f"Round {number + 1} of 5" in _html(page, "game-status")
            assert _html(page, "game-revealed") == present.revealed_html(fresh)
    # A table whose page is opened again (a reload, a laptop back on the network) finds the latest round.
    again = render("Green")
    wait_for(lambda: _end(game, 2) in _html(again, "game-results"), 30, "the reopened page to show round 2")
    assert "Round 3 of 5" in _html(again, "game-status")


def test_an_advance_updates_the_table_page_in_place(room_pages):
    """The page's widgets stay the same objects through an advance and through the end of the game
    (the send button, the levers, the note): only their values change, so the browsers apply a few
    small updates instead of building the form again."""
    game, render, game_pages = room_pages
    page = render("Red")
    wait_for(lambda: "Round 1 of 5" in _html(page, "game-status"), 30, "the page")
    before = {id(w) for w in widgets(page)}
    send = [w for w in widgets(page) if "game-send" in (getattr(w, "class_", "") or "")]
    assert len(send) == 1 and not send[0].disabled
    for number in range(1, 6):
        game.advance()
        game_pages._watch_of(game.folder).look()
        wait_for(lambda number=number: _end(game, number) in _html(page, "game-results"), 30, f"round {number}")
        wait_for(lambda number=number: (game.over and send[0].disabled)
                 or f"round {number + 1}" in str(send[0].children), 30, "the send button to follow")
        now = {id(w) for w in widgets(page)}
        if number < 5:  # the results' chart comes later; nothing else is built again
            assert before <= now, "an advance built widgets of the table page again"
        else:  # the game is over: the prediction box goes, everything else stays
            assert len(before - now) <= 2  # the prediction box (and its label's widget)
        assert send[0] in widgets(page)
    assert send[0].disabled and "Game over" in str(send[0].children)
    levers = [w for w in widgets(page) if type(w).__name__ == "Slider"]
    assert levers and all(w.disabled for w in levers)


def test_a_send_changes_only_the_note_and_the_status_on_the_table_page(room_pages):
    """Each change of a widget's state is a message to the browser. A send used to disable the whole
    form and enable it again around a write of a few milliseconds, and show "Sending…" before the
    note: about 20 messages (14 KB) on a room's wifi for one click, measured with Chromium. Now the
    note and the page's new status arrive in one pass, and the form is left as it is."""
    import traitlets

    game, render, _ = room_pages
    page = render("Red")
    wait_for(lambda: "Round 1 of 5" in _html(page, "game-status"), 30, "the page")
    changes = []
    for w in widgets(page):
        w.observe(lambda change, w=w: changes.append((type(w).__name__, change["name"], change["new"])),
                  names=traitlets.All)
    send = next(w for w in widgets(page) if "game-send" in (getattr(w, "class_", "") or ""))
    send.click()
    wait_for(lambda: "room-ok" in _html(page, "✓ Sent for round 1"), 30, "the note")
    wait_for(lambda: "sent a decision this round" in _html(page, "game-status"), 30, "the status")
    notes = [new for _, name, new in changes if name == "unsafe_innerHTML" and "role=\"status\"" in str(new)]
    assert len(notes) == 1 and "✓ Sent for round 1" in notes[0], notes
    assert not [c for c in changes if c[1] == "disabled"], "a send disabled and enabled the form again"
    assert dk.game.load(game.folder).waiting()["Red"] == 1  # and the decision is in the game, once


def test_an_advance_redraws_the_facilitators_page_once(room_pages, monkeypatch):
    """The facilitator's page draws an advance in one pass, its message and the new round together;
    the page's folder watch, which sees the files the advance wrote, does not draw it again."""
    from dpmkit.game import present

    game, _, game_pages = room_pages
    draws, waits, looks = [], [], []
    status, wait, listing = present.facilitator_status_html, game_pages._Watch.wait, game_pages._listing
    monkeypatch.setattr(present, "facilitator_status_html", lambda snap: draws.append(snap.round) or status(snap))
    monkeypatch.setattr(game_pages, "_listing", lambda folder: looks.append(folder) or listing(folder))

    def counted_wait(watch, last, timeout):  # the page's watch thread, each time it waits for a change
        waits.append(last)
        return wait(watch, last, timeout)

    monkeypatch.setattr(game_pages._Watch, "wait", counted_wait)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page, context = solara.render(game_pages.GameDashboard(), handle_error=False)
    try:
        watch = game_pages._watch_of(game.folder)
        wait_for(lambda: watch.listing in waits, 30, "the page's watch to wait for a change")
        advance = next(w for w in widgets(page) if "game-advance" in (getattr(w, "class_", "") or ""))
        for number in (1, 2):
            before = len(draws)
            advance.click()
            # The page's watch has taken the listing the advance left (it waits for the next change
            # with it), and the shared watch has looked at the folder five more times since.
            wait_for(lambda: waits[-1] == watch.listing, 30, "the page's watch to see the advance")
            seen = len(looks)
            wait_for(lambda seen=seen: len(looks) >= seen + 5, 30, "five more looks at the folder")
            assert draws[before:] == [number + 1], "an advance drew the facilitator's page more than once"
            assert f"Round {number} closed: every table now sees its results." in _html(page, "room-ok")
            assert f"Close round {number + 1} and show the results" in str(advance.children)
    finally:
        context.close()
