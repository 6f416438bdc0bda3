"""The room: "Change the room" on the facilitator page -> a participant's open page shows the new room.

No budget in DESIGN §3; the anchor, measured in the same run, is what the button replaces: the
facilitator stops the room (Ctrl+C) and starts it again with the other room's command (typing
time not counted), and the same open page follows.

The room (``python -m dpmkit.room``, the Surrey explorer, tables Red and Blue, on 127.0.0.1) has
one participant page (the explorer, table Red chosen) and the facilitator's page open in headless
Chromium (offline). Each cycle times, from the confirmation click, until the participant's page
shows Red's page of the Surrey game, and then, switching back, until it shows the explorer's
ballot with Red chosen; then the same two changes by Ctrl+C and the command, from the signal.

Run: ``python bench/bench_room_switch.py [--cycles 3]`` (wrap it in ``flock /tmp/dpmkit-bench.lock``).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

GAME = "Game: Surrey 2009-2014 (epilogue to 2019): commissioning outcomes with young people (context: as it happened)"
EXPLORER = "Explorer: Surrey Services for Young People"
ARGS = ["--code", "TEAL7", "--tables", "Red,Blue"]


def change(board, label):
    board.get_by_text("Change the room: another model's explorer, or a game").click()
    board.locator(".room-change-choice").click()
    board.locator(".v-menu__content .v-list-item", has_text=label).first.click()
    board.locator(".room-change").click()
    start = time.monotonic()
    board.locator(".room-change-confirm").click()
    return start


def on_explorer(page):
    page.wait_for_selector(".room-ballot", timeout=120_000)
    deadline = time.monotonic() + 60
    while not page.locator(".room-table").inner_text().strip().endswith("Red"):
        if time.monotonic() > deadline:
            raise TimeoutError("the explorer's ballot did not keep the table")
        time.sleep(0.05)


def on_game(page):
    page.wait_for_selector(".game-table", timeout=120_000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=3)
    opts = ap.parse_args()
    from browser_helpers import offline_browsers
    from room_session import room

    folder = Path(tempfile.mkdtemp()) / "room"
    button = {"to game": [], "to explorer": []}
    restart = {"to game": [], "to explorer": []}
    with room(folder, *ARGS, "--model", "surrey") as running, offline_browsers("bench_switch", running) as browsers:
        port = running.port
        page = browsers.open("participant", f"{running.base}/?code=TEAL7&table=Red", timeout=120_000)
        on_explorer(page)
        board = browsers.open("facilitator", running.facilitator, timeout=120_000)
        board.wait_for_selector(".room-count")
        for _ in range(opts.cycles):
            start = change(board, GAME)
            on_game(page)
            button["to game"].append(time.monotonic() - start)
            board.wait_for_selector(".game-facilitator", timeout=120_000)
            start = change(board, EXPLORER)
            on_explorer(page)
            button["to explorer"].append(time.monotonic() - start)
            board.wait_for_selector(".room-count", timeout=120_000)
        running.proc.send_signal(signal.SIGINT)
        running.proc.wait(timeout=60)
        # the anchor: Ctrl+C and the other room's command (the folder comes back to its last room
        # only for the same command; these name the room each time)
        for _ in range(opts.cycles):
            for name, args, ready in (("to game", ["--game", "surrey"], on_game),
                                      ("to explorer", ["--model", "surrey"], on_explorer)):
                start = time.monotonic()
                with room(folder, *ARGS, *args, port=port) as again:
                    ready(page)
                    restart[name].append(time.monotonic() - start)
                    again.proc.send_signal(signal.SIGINT)
                    again.proc.wait(timeout=60)
    for name in button:
        b, r = statistics.median(button[name]), statistics.median(restart[name])
        print(f"change the room {name}, click -> the open page shows it: median {b:.2f} s (worst "
              f"{max(button[name]):.2f} s over {len(button[name])}); Ctrl+C and the command: median {r:.2f} s; "
              f"ratio {b / r:.2f}", flush=True)
    print(f"(machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
