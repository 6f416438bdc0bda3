"""The game in real browsers: the room started with the Surrey game, four table pages and the
facilitator's page, two rounds played.

Each table chooses its table, types a value for its first lever and sends; the page says
"sent" only once the game accepted it. The facilitator sees who has decided, closes the
round, and every table sees its results (the numbers the game computes, checked against
``dk.game.load``) and what the other tables decided; the facilitator sees the scoreboard.
A table page is reloaded mid-game and finds its state again. Headless Debian chromium
through playwright, the room on 127.0.0.1; any request to another address fails the test.
"""

from __future__ import annotations

import sys
import time

import pytest
from browser.lab_session import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, missing_requirements
from room_session import missing_room_requirements, offline, room

import dpmkit as dk
from dpmkit import words

REASON = missing_requirements() or missing_room_requirements()
if REASON:
    print(f"\n*** GAME BROWSER TEST SKIPPED: {REASON} ***\n", file=sys.stderr)
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"GAME BROWSER TEST SKIPPED: {REASON}")

TABLES = ["Red", "Blue", "Green", "Yellow"]
# Roles are handed out in turn: Red holds the council (first lever cut_fraction) and youth justice,
# Blue the commissioners (decommissioning_years), Green the voluntary sector (matching_ratio),
# Yellow the young people (voice_insight). Typed as people type them: a comma is a decimal point.
TYPED = {1: {"Red": ("0,3", 0.3), "Blue": ("2", 2.0), "Green": ("0.8", 0.8), "Yellow": ("0,5", 0.5)},
         2: {"Red": ("0.2", 0.2), "Blue": ("3,5", 3.5), "Green": ("0,4", 0.4), "Yellow": ("0.1", 0.1)}}
# Red predicts its first scored outcome (service quality) at the end of each round, as typed.
PREDICTED = {1: ("0,6", 0.6), 2: ("0.45", 0.45)}
FIRST_LEVER = {"Red": "cut_fraction", "Blue": "decommissioning_years", "Green": "matching_ratio",
               "Yellow": "voice_insight"}


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def text(page, selector):
    loc = page.locator(selector)
    return loc.first.inner_text() if loc.count() else ""


def test_four_tables_and_the_facilitator_play_two_rounds_of_surrey(tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    folder = tmp_path / "room"
    outside = []
    with room(folder, "--code", "GAME7", "--tables", ",".join(TABLES), "--game", "surrey") as running, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            # No code, no game; no secret, no facilitator page.
            stranger = browser.new_context()
            offline(stranger, outside)
            page = stranger.new_page()
            page.set_default_timeout(60_000)
            page.goto(running.base + "/?code=WRONG&table=Red")
            page.wait_for_selector(".room-join")
            assert page.locator(".game-table, .game-choose").count() == 0
            assert page.goto(running.base + "/facilitator").status == 403

            tables = {}
            for name in TABLES:
                context = browser.new_context(viewport={"width": 1200, "height": 1000})
                offline(context, outside)
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(running.base + "/?code=game7")
                tables[name] = page
            for name, page in tables.items():
                page.wait_for_selector(".game-choose")
                page.locator(".game-table-choice", has_text=name).click()
            for name, page in tables.items():
                page.wait_for_selector(".game-table")
                assert f"table={name}" in page.url  # the address remembers the table
                assert "Round 1 of 5" in text(page, ".game-status")
                assert "Your goals" in text(page, ".game-briefing")

            fac_context = browser.new_context(viewport={"width": 1400, "height": 1100})
            offline(fac_context, outside)
            fac = fac_context.new_page()
            fac.set_default_timeout(60_000)
            fac.goto(running.facilitator)
            fac.wait_for_selector(".game-facilitator")
            assert "0 of 4 tables have decided" in text(fac, ".game-waiting")

            game = dk.game.load(folder / "game")
            for number in (1, 2):
                for name, page in tables.items():
                    typed, value = TYPED[number][name]
                    box = page.locator(f".game-lever-{FIRST_LEVER[name]} .game-lever-input input")
                    box.fill(typed)
                    box.press("Enter")
                    shown = words.number(value)
                    wait_for(lambda page=page, name=name, shown=shown: shown in text(
                        page, f".game-lever-{FIRST_LEVER[name]} .game-lever-value"), 10, f"{name}'s lever to move")
                    if name == "Red":  # a prediction typed on the page goes with the decision
                        guess = tables["Red"].locator(".game-prediction input")
                        guess.fill(PREDICTED[number][0])
                        wait_for(lambda guess=guess, n=number: guess.input_value() == PREDICTED[n][0], 10,
                                 "Red's prediction to be typed")
                    page.locator(".game-send").click()
                for name, page in tables.items():
                    wait_for(lambda page=page, number=number: f"Sent for round {number}" in text(page, ".room-ok")
                             or text(page, ".room-error"), 10, f"{name}'s decision to be accepted")
                    assert not text(page, ".room-error"), text(page, ".room-error")
                wait_for(lambda: "4 of 4 tables have decided" in text(fac, ".game-waiting"), 10,
                         "the facilitator to see every table has decided")
                if number == 1:  # a refusal in plain words: typed outside the range, nothing is sent
                    box = tables["Red"].locator(".game-lever-cut_fraction .game-lever-input input")
                    box.fill("0,9")
                    box.press("Enter")
                    tables["Red"].wait_for_selector(".game-lever-cut_fraction .room-error")
                    assert "outside its range" in text(tables["Red"], ".game-lever-cut_fraction .room-error")
                fac.locator(".game-advance").click()
                end = words.time_label(game.spec.rounds[number - 1].end, "year")
                for name, page in tables.items():
                    wait_for(lambda page=page, end=end: end in text(page, ".game-results"), 10,
                             f"{name} to see the results of round {number}")
                # Red's prediction is held for the debrief, against what the game shows
                from dpmkit.game import debrief

                said = debrief.predictions(game)
                said = said[(said["table"] == "Red") & (said["round"] == number)]
                assert list(said["variable"]) == ["service_quality"]
                assert said["predicted"].iloc[0] == PREDICTED[number][1]
                assert said["time"].iloc[0] == game.spec.rounds[number - 1].end
                assert said["outcome"].iloc[0] == game.results()["service_quality"].iloc[-1]
                # Every table sees the numbers the game computes, for the outcomes its roles see.
                for name, page in tables.items():
                    view = game.view(name)
                    shown = text(page, ".game-results")
                    for outcome in view.columns:
                        assert game.model[outcome].label in shown
                        assert words.number(view[outcome].iloc[-1]) in shown, (name, outcome)
                    revealed = text(page, ".game-revealed")
                    for other in TABLES:  # what every table decided is revealed
                        assert other in revealed
                        assert words.number(TYPED[number][other][1]) in revealed
                    page.wait_for_selector(".game-chart svg")  # drawn after the numbers
                wait_for(lambda number=number: f"close round {number + 1}" in text(fac, ".game-advance").lower(), 10,
                         "the facilitator's page to open the next round")
                board = text(fac, ".game-scoreboard")
                for name in TABLES:
                    assert name in board
                score = game.scoreboard().groupby("table")["score"].mean()
                for name in TABLES:
                    assert f"{score[name]:.2f}" in board

                if number == 1:  # a laptop that drops off and comes back: the page is reloaded
                    page = tables["Green"]
                    page.reload()
                    page.wait_for_selector(".game-table")
                    assert "Round 2 of 5" in text(page, ".game-status")
                    assert words.number(TYPED[1]["Green"][1]) in text(page, ".game-revealed")
                    assert words.number(TYPED[1]["Green"][1]) in text(page, ".game-lever-matching_ratio")

            tables["Red"].screenshot(path=str(ARTIFACTS / "game_table.png"), full_page=True)
            fac.locator(".game-show-debrief").click()
            fac.wait_for_selector(".game-debrief .game-what-if")
            assert fac.locator(".game-debrief svg").count() >= 2  # the 2x2 and the DPM chart
            fac.screenshot(path=str(ARTIFACTS / "game_facilitator.png"), full_page=True)
        except Exception:
            for name, page in locals().get("tables", {}).items():  # what each page showed, for the failure
                page.screenshot(path=str(ARTIFACTS / f"game_failed_{name}.png"), full_page=True)
                print(name, page.url, page.inner_text("body")[:2500], file=sys.stderr)
            print("".join(running.log)[-3000:], file=sys.stderr)
            raise
        finally:
            browser.close()

    assert outside == [], f"the pages asked the internet for {sorted(set(outside))[:5]}"
    log = dk.game.load(folder / "game").log()
    for number in (1, 2):
        sent = log[(log["round"] == number)]
        for name in TABLES:
            mine = sent[(sent["table"] == name) & (sent["lever"] == FIRST_LEVER[name])]
            assert list(mine["value"]) == [pytest.approx(TYPED[number][name][1])]
