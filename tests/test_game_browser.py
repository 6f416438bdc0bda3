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

import re
import sys
from pathlib import Path

import pytest
from browser.lab_session import ARTIFACTS, missing_requirements
from browser_helpers import offline_browsers, text, wait_for
from room_session import missing_room_requirements, room

import dpmkit as dk
from dpmkit import words
from dpmkit.game import present

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


def test_four_tables_and_the_facilitator_play_two_rounds_of_surrey(tmp_path):
    folder = tmp_path / "room"
    with room(folder, "--code", "GAME7", "--tables", ",".join(TABLES), "--game", "surrey") as running, \
            offline_browsers("game", running) as pages:
        # No code, no game; no secret, no facilitator page.
        page = pages.open("stranger", running.base + "/?code=WRONG&table=Red")
        page.wait_for_selector(".room-join")
        assert page.locator(".game-table, .game-choose").count() == 0
        assert page.goto(running.base + "/facilitator").status == 403

        tables = {name: pages.open(name, running.base + "/?code=game7", viewport=(1200, 1000))
                  for name in TABLES}
        for name, page in tables.items():
            page.wait_for_selector(".game-choose")
            page.locator(".game-table-choice", has_text=name).click()
        for name, page in tables.items():
            page.wait_for_selector(".game-table")
            assert f"table={name}" in page.url  # the address remembers the table
            assert "Round 1 of 5" in text(page, ".game-status")
            assert "Your goals" in text(page, ".game-briefing")

        fac = pages.open("facilitator", running.facilitator, viewport=(1400, 1100))
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
            if number == 2:  # the facilitator closes the round to decisions before showing its results
                fac.locator(".game-close-decisions").click()
                fac.locator(".game-open-decisions").wait_for()
                for name, page in tables.items():
                    wait_for(lambda page=page: "closed this round to decisions" in text(page, ".game-status"), 10,
                             f"{name} to see the round closed to decisions")
                    wait_for(lambda page=page: page.locator(".game-send").is_disabled(), 10,
                             f"{name}'s send button to be disabled")
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
                page.wait_for_selector(f".game-chart [data-closed='{number}'] svg")  # this round's, after the numbers
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

    log = dk.game.load(folder / "game").log()
    for number in (1, 2):
        sent = log[(log["round"] == number)]
        for name in TABLES:
            mine = sent[(sent["table"] == name) & (sent["lever"] == FIRST_LEVER[name])]
            assert list(mine["value"]) == [pytest.approx(TYPED[number][name][1])]


# ---- the other two games, the facilitator's debrief and downloads, a reload mid-round
OTHER_TABLES = ["Red", "Blue", "Green"]
# Values typed by each table for the first lever it holds (roles are handed out in turn), per round;
# in round 2 only Blue decides, then its page is reloaded before the round closes.
OTHER_TYPED = {
    "targets_vs_learning": {1: {"Red": ("0,3", 0.3), "Blue": ("0.1", 0.1), "Green": ("0,7", 0.7)},
                            2: {"Blue": ("0,4", 0.4)}},
    "attractor": {1: {"Red": ("0,6", 0.6), "Blue": ("0.5", 0.5), "Green": ("0,8", 0.8)},
                  2: {"Blue": ("0,2", 0.2)}},
}
SHEET_HEADINGS = ["Tables and roles", "Round by round", "Results", "Scoreboard", "The journey on the 2×2",
                  "The journey on the DPM chart", "What if? Each table's key decision, the other way", "To talk about"]


def first_levers(name, tables):
    """{table: its first lever}, with the roles handed out in turn as the room does."""
    spec = dk.game.GAMES[name]
    first = {}
    for k, role in enumerate(spec.roles):
        first.setdefault(tables[k % len(tables)], role.levers[0])
    return first


def send(page, lever, typed, value, number, timeout=30):
    box = page.locator(f".game-lever-{lever} .game-lever-input input")
    box.fill(typed)
    box.press("Enter")
    wait_for(lambda: words.number(value) in text(page, f".game-lever-{lever} .game-lever-value"), timeout,
             f"the lever {lever} to move to {value}")
    page.locator(".game-send").click()
    wait_for(lambda: f"Sent for round {number}" in text(page, ".room-ok") or text(page, ".room-error"), timeout,
             f"the decision on {lever} to be accepted")
    assert not text(page, ".room-error"), text(page, ".room-error")


def shows_the_game(page, game, name, number):
    """The table page shows the results the game computes after ``number`` rounds, for the outcomes
    its roles see, and what every table decided."""
    view = game.view(name)
    shown = text(page, ".game-results")
    assert words.time_label(game.spec.rounds[number - 1].end, game.model.time_units) in shown
    for outcome in view.columns:
        assert game.model[outcome].label in shown
        assert words.number(view[outcome].iloc[-1]) in shown, (name, outcome)


@pytest.mark.parametrize("name", ["targets_vs_learning", "attractor"])
def test_the_other_games_debrief_downloads_and_a_reload_mid_round(tmp_path, name):
    import csv
    import html
    import io
    import json

    folder = tmp_path / "room"
    typed = OTHER_TYPED[name]
    lever = first_levers(name, OTHER_TABLES)
    downloads = {}
    with room(folder, "--code", "PLAY3", "--tables", ",".join(OTHER_TABLES), "--game", name) as running, \
            offline_browsers(f"game_{name}", running) as pages:
        tables = {table: pages.open(table, f"{running.base}/?code=play3&table={table}", viewport=(1200, 1000),
                                    timeout=90_000) for table in OTHER_TABLES}
        fac = pages.open("facilitator", running.facilitator, viewport=(1400, 1100), downloads=True,
                         timeout=90_000)
        fac.wait_for_selector(".game-facilitator")
        game = dk.game.load(folder / "game")
        rounds = len(game.spec.rounds)
        for page in tables.values():
            page.wait_for_selector(".game-table")
            assert f"Round 1 of {rounds}" in text(page, ".game-status")
            assert "Your goals" in text(page, ".game-briefing")
            assert "No results yet" in text(page, ".game-results")

        # Round 1: every table decides from its page; the facilitator closes the round.
        for table, page in tables.items():
            send(page, lever[table], *typed[1][table], 1)
        wait_for(lambda: "3 of 3 tables have decided" in text(fac, ".game-waiting"), 30,
                 "the facilitator to see every table has decided")
        fac.locator(".game-advance").click()
        end = words.time_label(game.spec.rounds[0].end, game.model.time_units)
        for table, page in tables.items():
            wait_for(lambda page=page: end in text(page, ".game-results"), 30, f"{table} to see round 1's results")
        for table, page in tables.items():
            shows_the_game(page, game, table, 1)
            wait_for(lambda page=page: "What the tables decided" in text(page, ".game-revealed"), 30,
                     f"{table}'s reveal")
            revealed = text(page, ".game-revealed")
            for other in OTHER_TABLES:
                assert other in revealed and words.number(typed[1][other][1]) in revealed
            assert f"Round 2 of {rounds}" in text(page, ".game-status")
        wait_for(lambda: "close round 2" in text(fac, ".game-advance").lower(), 30, "round 2 to open")
        board = text(fac, ".game-scoreboard")
        score = game.scoreboard().groupby("table")["score"].mean()
        for table in OTHER_TABLES:
            assert table in board and f"{score[table]:.2f}" in board

        # Round 2: Blue decides, then its page is reloaded (a laptop that drops off and comes back)
        # before the round closes: it finds the round, its decision sent, its lever where it left it.
        blue = tables["Blue"]
        send(blue, lever["Blue"], *typed[2]["Blue"], 2)
        wait_for(lambda: "1 of 3 tables have decided" in text(fac, ".game-waiting"), 30, "Blue's decision")
        blue.reload()
        blue.wait_for_selector(".game-table")
        wait_for(lambda: "sent a decision this round" in text(blue, ".game-status"), 30, "Blue's state")
        assert f"Round 2 of {rounds}" in text(blue, ".game-status")
        assert words.number(typed[2]["Blue"][1]) in text(blue, f".game-lever-{lever['Blue']} .game-lever-value")
        shows_the_game(blue, game, "Blue", 1)
        assert words.number(typed[1]["Blue"][1]) in text(blue, ".game-revealed")
        fac.locator(".game-advance").click()
        end = words.time_label(game.spec.rounds[1].end, game.model.time_units)
        for table, page in tables.items():  # the reloaded page follows the game as the others do
            wait_for(lambda page=page: end in text(page, ".game-results"), 30, f"{table} to see round 2's results")
            shows_the_game(page, game, table, 2)
        for table, page in tables.items():  # each part of a page arrives as its own message: wait for it
            wait_for(lambda page=page: "Round 2 of" in text(page, ".game-revealed"), 30, f"{table}'s reveal")
            assert f"Blue: {game.model[lever['Blue']].label} {words.number(typed[2]['Blue'][1])}" in \
                text(page, ".game-revealed")

        # The debrief: the 2x2 and the DPM chart drawn, each table's key decision turned round.
        fac.locator(".game-show-debrief").click()
        fac.wait_for_selector(".game-debrief .game-what-if")
        assert fac.locator(".game-debrief svg").count() >= 2
        if name == "attractor":  # its eleven localities fold: the chart fits the projector's screen
            chart = fac.locator(".game-debrief svg", has_text="who holds which lever")
            box = chart.bounding_box()
            assert box["width"] <= 1400 and box["height"] <= 1100, box
            assert chart.locator("text", has_text=re.compile(r"^×11$")).count() == 11  # a badge on each box
        what_if = text(fac, ".game-debrief")
        from dpmkit.game import debrief

        turned = debrief.counterfactuals(game)
        assert set(turned["table"]) == set(OTHER_TABLES)
        for row in turned.itertuples():
            assert f"{row.table}, round {row.round}: {game.model[row.lever].label}" in what_if
            assert f"{row.what_if_score:.2f} instead of {row.score:.2f}" in what_if

        # The exports, downloaded through the facilitator's buttons in the browser.
        fac.locator(".game-export").click()
        for file in ("game-log.csv", "game-results.csv", "game-log.json", "debrief.html"):
            button = fac.get_by_role("button", name=f"Download {file}")
            button.wait_for()
            with fac.expect_download() as info:
                button.click()
            assert info.value.suggested_filename == file
            downloads[file] = Path(info.value.path()).read_bytes()
        fac.screenshot(path=str(ARTIFACTS / f"game_{name}_facilitator.png"), full_page=True)
        # The debrief sheet prints (to PDF, A4) from the browser, offline: any fetch it made would be caught.
        sheet_page = pages.open("debrief sheet", context=fac.context)
        sheet_page.set_content(downloads["debrief.html"].decode("utf-8"))
        pdf = sheet_page.pdf(format="A4")
        (ARTIFACTS / f"game_{name}_debrief.pdf").write_bytes(pdf)
        assert pdf[:5] == b"%PDF-" and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3  # its page breaks

    game = dk.game.load(folder / "game")
    log = game.log()
    # Every decision sent from a page counts once, with the value typed.
    second = log[log["round"] == 2]  # one decision (one id, a row per lever Blue holds), from Blue
    assert second["id"].nunique() == 1 and set(second["table"]) == {"Blue"}
    for number, sent in typed.items():
        for table, (_, value) in sent.items():
            mine = log[(log["round"] == number) & (log["table"] == table) & (log["lever"] == lever[table])]
            assert list(mine["value"]) == [pytest.approx(value)]
    # The log as CSV: one row for every decision that counts, as the game holds it.
    rows = list(csv.DictReader(io.StringIO(downloads["game-log.csv"].decode("utf-8"))))
    decisions = [r for r in rows if r["kind"] == "decision"]
    assert [r["id"] for r in decisions] == list(log["id"])
    assert [(int(r["round"]), r["table"], r["role"], r["lever"]) for r in decisions] == \
        list(zip(log["round"], log["table"], log["role"], log["lever"]))
    assert [float(r["value"]) for r in decisions] == pytest.approx(list(log["value"]))
    # The results as CSV reach the end of round 2 and hold the numbers the game computes.
    results = game.results()
    lines = list(csv.DictReader(io.StringIO(downloads["game-results.csv"].decode("utf-8"))))
    assert float(lines[-1]["time"]) == pytest.approx(game.spec.rounds[1].end)
    for outcome in results.columns:
        assert float(lines[-1][outcome]) == pytest.approx(results[outcome].iloc[-1])
    # The JSON: valid, the same game, every decision, the two rounds closed.
    doc = json.loads(downloads["game-log.json"].decode("utf-8"))
    assert doc["schema"] == "dpmkit-game-log" and doc["game"] == name and doc["tables"] == OTHER_TABLES
    assert [r["id"] for r in doc["log"] if r["kind"] == "decision"] == list(log["id"])
    assert [r["closed"] for r in doc["rounds"]] == [True, True] + [False] * (len(doc["rounds"]) - 2)
    assert doc["results"]["time"][-1] == pytest.approx(game.spec.rounds[1].end)
    assert {r["table"] for r in doc["scoreboard"]} == set(OTHER_TABLES)
    # The printable sheet: its headings, each round played, nothing fetched.
    sheet = downloads["debrief.html"].decode("utf-8")
    assert sheet.startswith("<!DOCTYPE html>") and f"<h1>{html.escape(game.spec.label)}: debrief</h1>" in sheet
    for heading in SHEET_HEADINGS:
        assert f"<h2>{heading}" in sheet, heading
    for number in (1, 2):
        assert f"<h3>Round {number}: " in sheet
    assert "<script" not in sheet.lower() and "src=" not in sheet


# ---- a table on a phone
PHONE = (390, 844)
CUT_OFF_JS = """() => {
  const W = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('.game-table *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || el.closest('.game-results')) continue;  // the results table scrolls in its box
    if (r.left < -1 || r.right > W + 1) out.push((el.className || el.tagName).toString().slice(0, 40));
  }
  const results = document.querySelector('.game-results');
  if (results && results.getBoundingClientRect().right > W + 1) out.push('game-results');
  return {page: document.documentElement.scrollWidth, width: W, outside: out.slice(0, 8)};
}"""


def test_a_table_on_a_phone_sees_its_whole_decision_and_results(tmp_path):
    """At 390 x 844 (a phone) the table page is one column: no part of the decision card, the
    send button, the prediction's question or the results lies outside the screen, after five
    rounds of results too. It used to keep two columns, the decision card 130 px wide: the
    levers' words, "Send our decision" and the results table were cut off at the screen's edges."""
    folder = tmp_path / "room"
    with room(folder, "--code", "PHONE", "--tables", "Red,Blue", "--game", "surrey") as running, \
            offline_browsers("game_phone", running) as pages:
        phone = pages.open("Red phone", f"{running.base}/?code=PHONE&table=Red", viewport=PHONE, timeout=90_000)
        phone.wait_for_selector(".game-table")
        game = dk.game.load(folder / "game")
        question = text(phone, ".game-prediction-question")
        assert game.model["service_quality"].label in question and "April 2010" in question
        for number in range(1, 6):
            layout = phone.evaluate(CUT_OFF_JS)
            assert layout["page"] <= layout["width"] and not layout["outside"], (number, layout)
            send = phone.locator(".game-send")
            assert send.evaluate("b => b.scrollWidth <= b.clientWidth"), "the send button's words are cut"
            assert phone.locator(".game-decision").bounding_box()["width"] >= 300
            if number < 5:
                game.advance()
                end = words.time_label(game.spec.rounds[number - 1].end, "year")
                wait_for(lambda end=end: end in text(phone, ".game-results"), 30, f"round {number}'s results")
            phone.screenshot(path=str(ARTIFACTS / f"game_phone_round{number}.png"), full_page=True)
        # five rounds of results are wider than the phone: they scroll, the outcomes' names stay in view
        box = phone.locator(".game-results")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "five rounds should not fit 390 px"
        box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
        name = box.locator("tbody tr td").first
        left = box.bounding_box()["x"]
        wait_for(lambda: abs(name.bounding_box()["x"] - left) < 2, 5, "the outcome's name kept at the left")
        assert name.inner_text().strip() and name.bounding_box()["x"] + name.bounding_box()["width"] <= 390


def test_a_send_the_room_does_not_answer_says_so_until_it_does(tmp_path):
    """Poor wifi, or the facilitator's laptop asleep: the page's connection stays open, but nothing
    comes back, and a table that pressed Send saw nothing at all (it pressed again, or thought its
    decision was in). The room is frozen here (SIGSTOP, as a sleeping laptop): the phone page says
    within seconds that the room has not answered; when the room wakes, the note goes and the
    decision sent meanwhile is in."""
    import os
    import signal
    import time

    from dpmkit.room.frontend import UNANSWERED_MS

    folder = tmp_path / "room"
    with room(folder, "--code", "WIFI1", "--tables", "Red,Blue", "--game", "surrey") as running, \
            offline_browsers("game_unanswered", running) as pages:
        red = pages.open("Red", running.base + "/?code=WIFI1&table=Red", viewport=(390, 844))
        red.wait_for_selector(".game-table")
        box = red.locator(".game-lever-cut_fraction .game-lever-input input")
        box.fill("0,3")
        box.press("Enter")
        wait_for(lambda: "0.3" in text(red, ".game-lever-cut_fraction .game-lever-value"), 10, "the lever to move")
        red.locator(".game-send").click()  # answered at once: no note
        red.locator(".room-ok", has_text="Sent for round 1").wait_for()
        first = re.search(r"reference (\w+)", text(red, ".room-ok"))[1]
        time.sleep(UNANSWERED_MS / 1000 + 1)
        assert red.locator(".dpmkit-unanswered").count() == 0

        os.killpg(running.proc.pid, signal.SIGSTOP)
        try:
            red.locator(".game-send").click()
            started = time.monotonic()
            red.locator(".dpmkit-unanswered").wait_for(timeout=UNANSWERED_MS + 5000)
            waited = time.monotonic() - started
            said = text(red, ".dpmkit-unanswered")
            assert not red.locator(".room-ok", has_text=first).is_visible()  # the last send's "sent" is not this one's
            red.screenshot(path=str(ARTIFACTS / "game_unanswered_phone.png"))
        finally:
            os.killpg(running.proc.pid, signal.SIGCONT)
        assert "No answer from the room yet" in said and "Keep this page open" in said
        assert UNANSWERED_MS / 1000 - 0.5 < waited < UNANSWERED_MS / 1000 + 4, waited
        red.locator(".dpmkit-unanswered").wait_for(state="detached", timeout=20_000)
        said_sent = {}

        def answered():  # read once: the note is redrawn while the page catches up
            said_sent["text"] = text(red, ".room-ok")
            found = re.search(r"Sent for round 1.*reference (\w+)", said_sent["text"], re.S)
            return found is not None and found[1] != first

        wait_for(answered, 20, "the send made while the room slept to be answered")
        second = re.search(r"Sent for round 1.*reference (\w+)", said_sent["text"], re.S)[1]
        game = dk.game.load(folder / "game")
        ids = {b.id[:6] for b in dk.workshop.collect(game.folder, model=game.model).ballots}
        assert {first, second} <= ids, (first, second, ids)


def test_two_pages_at_one_table_each_see_what_the_other_sent(tmp_path):
    """Two people at the Blue table each have the table's page open (the half-day plan: tables of
    four or five, a laptop per pair). Cat types a one-year close and sends. Dan's page, which he
    has not touched, shows the table's decision (the lever at 1, and the status saying what Blue
    sent), so that Dan, pressing Send to add his prediction, sends the table's decision and does
    not put back the three years his page opened with. Before, Dan's page kept showing 3, said
    only "Your table has sent a decision", and his send silently undid Cat's."""
    folder = tmp_path / "room"
    with room(folder, "--code", "PAIR", "--tables", "Red,Blue", "--game", "surrey") as running, \
            offline_browsers("game_pair", running) as pages:
        cat = pages.open("Cat", running.base + "/?code=PAIR&table=Blue")
        dan = pages.open("Dan", running.base + "/?code=PAIR&table=Blue")
        for page in (cat, dan):
            page.wait_for_selector(".game-table")
        assert text(dan, ".game-lever-decommissioning_years .game-lever-value") == "3"
        send(cat, "decommissioning_years", "1", 1.0, 1)
        wait_for(lambda: "Years to decommission 1 year" in text(dan, ".game-status"), 30,
                 "Dan's page to say what the table sent")
        assert "sent a decision this round" in text(dan, ".game-status")
        wait_for(lambda: text(dan, ".game-lever-decommissioning_years .game-lever-value") == "1", 30,
                 "Dan's lever to show the table's decision")
        dan.locator(".game-send").click()
        wait_for(lambda: "Sent for round 1" in text(dan, ".room-ok"), 30, "Dan's send")
        assert "Years to decommission 1 year;" in text(dan, ".room-ok")
        game = dk.game.load(folder / "game")
        assert present.in_force(game, "Blue")["decommissioning_years"] == 1.0
        # and Cat's page, which sent, follows Dan's next change in turn
        send(dan, "decommissioning_years", "2", 2.0, 1)
        wait_for(lambda: text(cat, ".game-lever-decommissioning_years .game-lever-value") == "2", 30,
                 "Cat's lever to follow Dan's send")
