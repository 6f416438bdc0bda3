"""The room in real browsers: eight participants join at once, move a lever, send a ballot,
and the facilitator's dashboard shows all eight within a few seconds; then the room is
killed (SIGKILL) and started again on the same folder, and the dashboard shows the same.

Headless Debian chromium through playwright, the room on 127.0.0.1; any request to
another address is blocked and makes the test fail (the room must work offline).
Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import signal
import sys
import time

import pytest
from browser.lab_session import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, drag_first_slider, missing_requirements
from room_session import missing_room_requirements, offline, room

import dpmkit as dk

REASON = missing_requirements() or missing_room_requirements()
if REASON:
    print(f"\n*** ROOM BROWSER TEST SKIPPED: {REASON} ***\n", file=sys.stderr)
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"ROOM BROWSER TEST SKIPPED: {REASON}")

PARTICIPANTS = 8
TABLES = ["Red", "Blue", "Green", "Yellow"]


def join(page, code):
    page.locator(".room-code input").fill(code.lower())  # codes are not case-sensitive
    page.locator(".room-join-button").click()


def send_ballot(page, table, name):
    page.locator(".room-table").click()
    page.locator(".v-menu__content .v-list-item", has_text=table).first.click()
    page.locator(".room-name input").fill(name)
    page.locator(".room-prediction input").first.fill("1,080")  # read by words.parse_number: 1080
    page.locator(".room-hypothesis textarea").fill(f"{name}: more posts shorten the wait, after a delay.")
    page.locator(".room-send").click()


def dashboard_count(page):
    text = page.locator(".room-count").inner_text() if page.locator(".room-count").count() else ""
    return int(text.split()[0]) if text[:1].isdigit() else -1


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def test_eight_participants_send_ballots_and_the_dashboard_shows_them(tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    folder = tmp_path / "ballots"
    outside = []
    with room(folder, "--code", "TEAL7", "--tables", ",".join(TABLES)) as running, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            # Someone without the code: the join page and nothing else; a wrong code gets no app.
            stranger = browser.new_context()
            offline(stranger, outside)
            page = stranger.new_page()
            page.set_default_timeout(60_000)
            page.goto(running.base + "/?code=WRONG")
            page.wait_for_selector(".room-join")
            join(page, "nope")
            page.wait_for_selector(".room-error")
            assert page.locator(".dpmkit-explorer, .room-ballot, .room-dashboard").count() == 0
            assert page.goto(running.base + "/facilitator").status == 403

            pages = []
            for _ in range(PARTICIPANTS):  # every participant in their own browser context (own cookies)
                context = browser.new_context(viewport={"width": 1200, "height": 900})
                offline(context, outside)
                page = context.new_page()
                page.set_default_timeout(90_000)
                page.goto(running.base + "/", wait_until="commit")
                pages.append(page)
            for page in pages:
                page.wait_for_selector(".room-join")
                join(page, "TEAL7")
            levers = []
            for k, page in enumerate(pages):
                page.wait_for_selector(".dpmkit-chart g.mark-line path")
                levers.append(drag_first_slider(page, 0.15 + 0.08 * k))
            for k, page in enumerate(pages):
                send_ballot(page, TABLES[k % len(TABLES)], f"P{k}")
            for page in pages:
                page.wait_for_selector(".room-ok, .room-error")
                assert "Your ballot is in" in page.locator(".room-ok").inner_text()
            sent = time.monotonic()
            pages[0].screenshot(path=str(ARTIFACTS / "room_participant.png"), full_page=True)

            dash = browser.new_context(viewport={"width": 1400, "height": 1000})
            offline(dash, outside)
            board = dash.new_page()
            board.set_default_timeout(60_000)
            board.goto(running.facilitator)
            board.wait_for_selector(".room-dashboard")
            wait_for(lambda: dashboard_count(board) == PARTICIPANTS, 10, "all eight ballots on the dashboard")
            shown_after = time.monotonic() - sent
            board.screenshot(path=str(ARTIFACTS / "room_dashboard.png"), full_page=True)
            status = board.locator(".room-status").inner_text()
            for k in range(PARTICIPANTS):
                assert f"P{k}" in status
            assert "more posts shorten the wait" in board.locator(".room-table-card").first.inner_text()

            # A ninth ballot while the dashboard is open: it appears by itself.
            send_ballot(pages[0], "Red", "P0 again")
            wait_for(lambda: dashboard_count(board) == PARTICIPANTS + 1, 10, "the dashboard to update by itself")
        finally:
            browser.close()
        found = dk.workshop.collect(folder, model="demo")
        assert len(found.ballots) == PARTICIPANTS + 1
        first = {b.participant: b for b in found.ballots}
        for k, value in enumerate(levers):
            ballot = first[f"P{k}"]
            assert ballot.params.get("staff_target", 20.0) == pytest.approx(value)
            assert ballot.predictions["waiting_list"] == ((60.0, 1080.0),)  # the first headline variable
            assert ballot.round == "1" and ballot.table == TABLES[k % len(TABLES)]
        port, facilitator = running.port, running.facilitator
        running.kill(signal.SIGKILL)

    assert outside == [], f"the pages asked the internet for {sorted(set(outside))[:5]}"
    assert shown_after < 5, f"the dashboard took {shown_after:.1f} s to show all ballots"

    with room(folder, port=port) as again, sync_playwright() as p:
        assert again.facilitator == facilitator
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            board = browser.new_page()
            board.set_default_timeout(60_000)
            board.goto(again.facilitator)
            board.wait_for_selector(".room-dashboard")
            wait_for(lambda: dashboard_count(board) == PARTICIPANTS + 1, 20, "the same ballots after a restart")
        finally:
            browser.close()
