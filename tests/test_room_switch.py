"""The facilitator changes the room from the facilitator page ("Change the room"), with the real
room (``python -m dpmkit.room``, a supervisor and the room it runs) and real Chromium.

The room's participants' pages follow by themselves and keep their table; each room keeps its own
ballots or game in its own subfolder, so switching back finds them; a room stopped and started
again with the same command comes back to the room last chosen; Ctrl+C, SIGTERM and even SIGKILL
of the supervisor leave no room process behind (read from the process table, /proc).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from room_session import missing_room_requirements, room

import dpmkit as dk
from dpmkit.room import rooms
from dpmkit.room.state import Room

SURREY_GAME = "Game: Surrey 2009-2014 (epilogue to 2019): commissioning outcomes with young people " \
              "(context: as it happened)"
SURREY_EXPLORER = "Explorer: Surrey Services for Young People"
ARGS = ["--code", "TEAL7", "--tables", "Red,Blue", "--model", "surrey"]


def _needs_room():
    reason = missing_room_requirements()
    if reason:
        pytest.skip(f"ROOM NOT STARTED: {reason}")


def _needs_browser():
    _needs_room()
    from browser.lab_session import missing_requirements

    if missing_requirements():
        pytest.skip(f"ROOM BROWSER TEST SKIPPED: {missing_requirements()}")


def children(pid):
    """The live processes whose parent is ``pid``, from the process table."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, parent = stat.rsplit(")", 1)[1].split()[:2]
            if int(parent) == pid and state != "Z":
                found.append(int(entry.name))
    return found


def alive(pid):
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def the_room_process(running):
    from browser_helpers import wait_for

    wait_for(lambda: len(children(running.proc.pid)) == 1, 20, "the supervisor's one room process")
    return children(running.proc.pid)[0]


def change_room(board, label):
    """What the facilitator does: open "Change the room", choose, confirm."""
    board.get_by_text("Change the room: another model's explorer, or a game").click()
    board.locator(".room-change-choice").click()
    board.locator(".v-menu__content .v-list-item", has_text=label).first.click()
    board.locator(".room-change").click()
    board.locator(".room-change-confirm").click()


# -- the list and the folder, without a browser


def test_a_choice_names_only_the_kits_own_rooms():
    """What reaches the supervisor is looked up in the kit's list: no path, no option, nothing else."""
    for forged in ("../../etc/passwd", "explorer-../x", "game-surrey", "explorer-surrey --code X", "", None, 3,
                   ["explorer-demo"]):
        with pytest.raises(dk.ModelError, match="not one of the kit's rooms"):
            rooms.by_key(forged)
    assert rooms.by_key("game-surrey-fragile").arguments() == ["--game", "surrey", "--context", "fragile"]
    labels = [c.label for c in rooms.choices()]
    assert SURREY_EXPLORER in labels and SURREY_GAME in labels
    assert len(labels) == len(dk.models.available()) + sum(len(g.contexts) for g in dk.game.GAMES.values())


def test_a_choice_file_edited_by_hand_is_not_followed(tmp_path):
    (tmp_path / rooms.CHOICE_FILE).write_text(json.dumps(
        {"schema": "dpmkit-room-choice", "version": 1, "room": "../../etc", "asked": None}))
    assert rooms.read_choice(tmp_path) == (None, None)
    rooms.write_choice(tmp_path, rooms.by_key("game-surrey-fragile"), "explorer-surrey")
    assert rooms.read_choice(tmp_path) == (rooms.by_key("game-surrey-fragile"), "explorer-surrey")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
def test_a_choice_file_another_account_wrote_is_not_followed(tmp_path):
    """On a hub the room's folder is the students' shared ballot folder: a student could leave a
    choice file there to pick the room the hub starts next. Only the room's own account's is read."""
    rooms.write_choice(tmp_path, rooms.by_key("game-surrey-fragile"))
    assert rooms.read_choice(tmp_path)[0] == rooms.by_key("game-surrey-fragile")
    os.chown(tmp_path / rooms.CHOICE_FILE, 54321, -1)  # now a student's file
    assert rooms.read_choice(tmp_path) == (None, None)


def test_each_room_keeps_its_own_data_and_takes_the_code_secret_and_tables(tmp_path):
    first = Room(tmp_path, model="surrey", code="TEAL7", tables=["Red", "Blue"])
    game = rooms.by_key("game-surrey-fragile")
    assert rooms.data_folder(tmp_path, rooms.by_key("explorer-surrey")) == tmp_path  # a folder from before
    assert rooms.data_folder(tmp_path, game) == tmp_path / "rooms" / "game-surrey-fragile"
    rooms.carry_settings(tmp_path, tmp_path / "rooms" / game.key, game)
    other = Room(tmp_path / "rooms" / game.key, model="surrey")
    assert (other.state.code, other.state.secret, other.tables) == (first.state.code, first.state.secret,
                                                                     ["Red", "Blue"])
    # the explorer's ballots beside the other rooms' folder: nothing rejected
    assert dk.workshop.collect(tmp_path, model="surrey").rejected == []


# -- the real room


def test_a_killed_supervisor_leaves_no_room_behind(tmp_path):
    """`python -m dpmkit.room` runs the room as its child; killed outright (SIGKILL, nothing to pass
    on), its child sees its standard input close and stops: nobody is left holding the port."""
    _needs_room()
    from browser_helpers import wait_for

    from dpmkit.room.cli import port_problem

    with room(tmp_path / "room", "--code", "TEAL7") as running:
        child = the_room_process(running)
        os.kill(running.proc.pid, signal.SIGKILL)
        running.proc.wait(timeout=10)
        wait_for(lambda: not alive(child), 30, "the room process to stop with its supervisor")
        wait_for(lambda: port_problem("127.0.0.1", running.port) is None, 10, "the port to be free")


@pytest.mark.skipif(sys.platform != "linux", reason="reads the process table in /proc")
def test_the_facilitator_changes_the_room_to_a_game_and_back_and_every_page_follows(tmp_path):
    """The full-day plan without Ctrl+C: the Surrey explorer, then the Surrey game, then the explorer
    again, each from the facilitator page. A participant's page follows by itself each time, keeps
    its table, and the ballot it sent before is on the explorer's dashboard again at the end. A
    participant's page has no such control; the supervisor is the same process throughout."""
    _needs_browser()
    from browser.lab_session import ARTIFACTS
    from browser_helpers import offline_browsers, wait_for
    from test_room_browser import dashboard_count, send_ballot

    folder = tmp_path / "room"
    with room(folder, *ARGS) as running, offline_browsers("room_switch", running) as browsers:
        page = browsers.open("participant", f"{running.base}/?code=TEAL7", timeout=90_000)
        page.wait_for_selector(".room-ballot")
        send_ballot(page, "Red", "P0")
        page.wait_for_selector(".room-ok")
        assert page.get_by_text("Change the room").count() == 0  # nothing of it on a participant's page
        wrong = browsers.open("wrong", running.facilitator.replace("secret=", "secret=x"))
        assert "This page is for the facilitator" in wrong.inner_text("body")
        board = browsers.open("facilitator", running.facilitator, timeout=90_000)
        board.wait_for_selector(".room-count")
        first_room = the_room_process(running)

        change_room(board, SURREY_GAME)
        page.wait_for_selector(".game-table", timeout=90_000)  # followed by itself, to its table's page
        assert page.locator(".game-table h2").first.inner_text().startswith("Red")
        board.wait_for_selector(".game-facilitator", timeout=90_000)
        assert running.proc.poll() is None and not alive(first_room)
        assert any(line.startswith("Changing the room to Game: Surrey") for line in running.lines)
        page.locator(".game-send").click()
        wait_for(lambda: "Sent for round 1" in page.locator(".room-ok").inner_text()
                 if page.locator(".room-ok").count() else False, 20, "the decision to be sent")

        change_room(board, SURREY_EXPLORER)
        page.wait_for_selector(".room-ballot", timeout=90_000)
        wait_for(lambda: page.locator(".room-table").inner_text().strip().endswith("Red"), 30,
                 "the ballot's table to be the page's")
        board.wait_for_selector(".room-count", timeout=90_000)
        wait_for(lambda: dashboard_count(board) == 1, 20, "the ballot sent before the game")
        assert "P0" in board.locator(".room-status").inner_text()
        page.screenshot(path=str(ARTIFACTS / "room_switch_back.png"), full_page=True)
        # the same links throughout: one Participants line, printed again with each room
        assert len({line for line in running.lines if line.startswith(("Participants:", "Facilitator:"))}) == 2
    game = folder / "rooms" / "game-surrey-as_it_happened" / "game"
    assert dk.game.load(game).waiting() == {"Red": 1, "Blue": 0}  # Red's decision, in the game's own folder


@pytest.mark.skipif(sys.platform != "linux", reason="reads the process table in /proc")
def test_a_room_started_again_comes_back_to_the_room_last_chosen_and_stops_whole(tmp_path):
    """After "Change the room" to the game, the room is stopped (SIGTERM to the supervisor alone, as
    a hub stops its service) and started again with the very same command: it is the game again,
    same code and secret, and Ctrl+C then stops the supervisor and its room, leaving no process."""
    _needs_browser()
    from browser_helpers import offline_browsers, wait_for

    folder = tmp_path / "room"
    with room(folder, *ARGS) as running, offline_browsers("room_switch_restart", running) as browsers:
        board = browsers.open("facilitator", running.facilitator, timeout=90_000)
        board.wait_for_selector(".room-count")
        change_room(board, SURREY_GAME)
        board.wait_for_selector(".game-facilitator", timeout=90_000)
        child = the_room_process(running)
        facilitator, port = running.facilitator, running.port
        os.kill(running.proc.pid, signal.SIGTERM)
        assert running.proc.wait(timeout=30) == 0
        wait_for(lambda: not alive(child), 10, "the room process to stop with its supervisor")
    with room(folder, *ARGS, port=port) as again, offline_browsers("room_switch_again", again) as browsers:
        assert again.facilitator == facilitator
        assert any(line.startswith(f"This room: {SURREY_GAME}") for line in again.lines)
        page = browsers.open("participant", f"{again.base}/?code=TEAL7&table=Blue", timeout=90_000)
        page.wait_for_selector(".game-table")
        child = the_room_process(again)
        os.killpg(again.proc.pid, signal.SIGINT)  # Ctrl+C in the facilitator's terminal
        assert again.proc.wait(timeout=30) == 0
        wait_for(lambda: not alive(child), 10, "the room process to stop on Ctrl+C")


@pytest.mark.skipif(sys.platform != "linux", reason="reads the process table in /proc")
def test_the_supervisor_stops_its_room_cleanly_without_a_signal(tmp_path):
    """On Windows a signal to the room would end it abruptly (no clean-up), so the supervisor asks
    its room to stop by closing the room's standard input, on every platform. Here the room can
    receive no SIGTERM at all (blocked, as on a platform without POSIX signals): Ctrl+C to the
    supervisor alone still stops the room cleanly: it takes its description out of the folder's
    session file and lets go of the folder, and exits with 0."""
    _needs_room()
    folder = tmp_path / "room"
    with room(folder, "--tables", "Red,Blue", blocked=(signal.SIGTERM,)) as running:
        child = the_room_process(running)
        doc = json.loads((folder / "dpmkit-session.json").read_text())
        assert doc["room"]["port"] == running.port
        os.kill(running.proc.pid, signal.SIGINT)  # to the supervisor only: the room hears no signal
        assert running.proc.wait(timeout=60) == 0
        assert not alive(child)
    doc = json.loads((folder / "dpmkit-session.json").read_text())
    assert "room" not in doc and doc["tables"] == ["Red", "Blue"], doc
    assert dk.workshop.serving_room(folder) is None
    assert dk.workshop.open_round(folder, "2").round == "2"  # the notebook route has the folder back


def test_a_room_that_does_not_stop_when_asked_is_ended_after_the_patience(tmp_path):
    """The fallback: a room that ignores the closed pipe (here a process that only sleeps) is ended
    with terminate once the patience is over, not waited for for ever."""
    import subprocess
    import time

    from dpmkit.room import cli

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], stdin=subprocess.PIPE)
    began = time.monotonic()
    code = cli.stop_room(proc, patience=1.0)
    took = time.monotonic() - began
    assert code != 0 and proc.poll() is not None
    assert 0.9 < took < 10, took


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_another_rooms_folder_has_the_access_the_shared_folder_gives_its_group(tmp_path):
    """On a hub the ballot folder is group-writable, setgid and sticky (chmod 3770, setup.md), so
    that students' notebooks write there; a game kept in ``rooms/KEY/game`` must stay writable by
    them as the folder's own ``game/`` is."""
    shared = tmp_path / "ballots"
    shared.mkdir()
    os.chmod(shared, 0o3770)
    Room(shared, model="surrey", tables=["Red", "Blue"])
    game = rooms.by_key("game-surrey-fragile")
    target = rooms.data_folder(shared, game)
    rooms.carry_settings(shared, target, game)
    for path in (shared / "rooms", target):
        assert path.stat().st_mode & 0o7777 == 0o3770, oct(path.stat().st_mode)


def test_a_folder_that_refuses_the_choice_file_costs_its_memory_not_the_room(tmp_path, capsys):
    """Where the choice file cannot be written (on a shared folder, a file of that name another
    account left, which the room may not replace), the supervisor says so and the room runs."""
    from dpmkit.room import cli

    (tmp_path / rooms.CHOICE_FILE).mkdir()  # stands in for a file the room may not replace
    cli._record(tmp_path, rooms.by_key("explorer-demo"), None)
    assert "could not record which room is open" in capsys.readouterr().out
