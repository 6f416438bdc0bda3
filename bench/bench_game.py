"""Game: "advance" -> every table sees its results, with 6 tables.

Budget (DESIGN §3): 1 s median. A Surrey game with 6 tables (every role held, several
decisions per table per round, an injected event) is played to the end; in each round
the time is taken from the facilitator's ``advance()`` until each of the 6 tables, as a
fresh ``dk.game.load(folder)`` (as a table's own process would), has its view of the results
(``view(table)``) and the scoreboard. Tables are served one after another, so the figure is an upper bound for tables
reading in parallel. It prints the median and the worst round beside the budget.

Run: ``python bench/bench_game.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dpmkit as dk  # noqa: E402

BUDGET_S = 1.0
TABLES = [f"Table {i}" for i in range(1, 7)]


def play(folder):
    game = dk.game.new(folder, "surrey", tables=TABLES)
    for i, role in enumerate(game.roles):
        game.assign(TABLES[i % len(TABLES)], role)
    held = game.assignments()
    times = []
    for number in range(1, len(game.rounds) + 1):
        for role, table in held.items():
            for step in range(3):  # tables change their minds: three decisions each
                decision = {}
                for lever in game.roles[role]:
                    low, high = game.model.param(lever).bounds
                    decision[lever] = low + ((number + step) % 4) / 3 * (high - low)
                game.decide(table, decision)
        if number == 2:
            game.inject("scandal")
        start = time.perf_counter()
        game.advance()
        for table in TABLES:
            table_view = dk.game.load(folder)
            table_view.view(table)
            table_view.scoreboard()
        times.append(time.perf_counter() - start)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    times = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            times.extend(play(Path(tmp) / "game"))
    median = statistics.median(times)
    verdict = "within" if median <= BUDGET_S else "OVER"
    print(f"game advance -> 6 tables' results: median {median:.3f} s (worst {max(times):.3f} s over "
          f"{len(times)} rounds)   budget {BUDGET_S:.1f} s  -> {verdict} budget")
    return 0 if median <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
