"""Engine performance against the budgets in DESIGN.md §3.

Run with `make bench` (or `python bench/bench_core.py`). Prints medians beside budgets.
These are measurements, not tests: a noisy machine may print a slower figure.
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # run from a checkout without installing

import numpy as np  # noqa: E402
from reference_model import build  # noqa: E402

import dpmkit as dk  # noqa: E402


def median_seconds(fn, repeat, number=1):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def report(what, seconds, budget):
    verdict = "ok" if seconds <= budget else "OVER BUDGET"
    print(f"{what:<52} {seconds * 1e3:9.2f} ms   budget {budget * 1e3:7.1f} ms   {verdict}")


def main():
    model = build()
    steps = len(model.time) - 1
    print(f"reference model: {len(model.stocks)} stocks, {len(model.flows)} flows, "
          f"{len(model.lookups)} lookups, {steps} Euler steps")
    dk.simulate(model)  # compile once

    report("single run (warm, new parameter values)",
           median_seconds(lambda: dk.simulate(model, {"base_referrals": 70}), repeat=15, number=20), 0.002)

    n = 10_000
    rng = np.random.default_rng(0)
    samples = {"base_referrals": rng.uniform(40, 80, n), "support_time": rng.uniform(4, 8, n),
               "relapse_rate": rng.uniform(0.01, 0.04, n)}
    dk.ensemble(model, samples={k: v[:10] for k, v in samples.items()})
    report(f"{n:,}-run ensemble, full trajectories",
           median_seconds(lambda: dk.ensemble(model, samples=samples), repeat=5), 0.5)

    code = "import dpmkit"
    base = [_wall([sys.executable, "-c", "pass"]) for _ in range(7)]
    full = [_wall([sys.executable, "-c", code]) for _ in range(7)]
    report("import dpmkit (fresh interpreter, minus bare start)",
           statistics.median(full) - statistics.median(base), 0.150)


def _wall(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
