"""Analysis performance against the budgets of issue 4.

Run with `make bench` (or `python bench/bench_analysis.py`). Prints medians beside
budgets. These are measurements, not tests: a noisy machine may print a slower figure.

- a 10,000-run Monte-Carlo ensemble of the `surrey` model with percentile bands of every
  variable (dk.uncertainty) under 2 s;
- a calibration of 3 parameters of `surrey` to two noisy series (dk.calibrate) under 5 s;
- the lessons' small ensembles (lesson 04's dk.compare of three scenarios and its calibrations
  to the published figures) as shipped, where a few runs are run as single runs one after
  another, beside the vectorised kernel on the same calls (``AUTO_SINGLE_RUNS`` set to 0), in
  alternating rounds of the same run.

Falls back to the `demo` model (and says so) where `surrey` is not available.
"""

import importlib
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]  # run from a checkout without installing

import numpy as np  # noqa: E402

import dpmkit as dk  # noqa: E402


def median_seconds(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def report(what, seconds, budget):
    verdict = "ok" if seconds <= budget else "OVER BUDGET"
    print(f"{what:<60} {seconds * 1e3:9.1f} ms   budget {budget * 1e3:7.0f} ms   {verdict}")


def synthetic_data(model, truth, names, every, seed):
    """Observations of ``names`` from a run at ``truth``, every ``every`` steps, 2% noise."""
    frame = dk.simulate(model, truth).to_frame(names).iloc[::every].copy()
    rng = np.random.default_rng(seed)
    for col in frame:
        frame[col] = frame[col] * (1 + 0.02 * rng.standard_normal(len(frame)))
    return frame


def main():
    name = "surrey" if "surrey" in dk.models.available() else "demo"
    if name != "surrey":
        print("NOTE: the surrey model is not available; measuring the demo model instead")
    model = dk.models.load(name)
    print(f"{name}: {len(model.stocks)} stocks, {len(model.flows)} flows, {len(model.auxes)} auxiliaries, "
          f"{len(model.time) - 1} steps; {len(model.uncertainties)} uncertain parameters")

    n = 10_000
    dk.uncertainty(model, n=50, seed=0)  # compile once
    report(f"uncertainty: {n:,} runs, bands of all {len(dk.simulate(model).names)} variables",
           median_seconds(lambda: dk.uncertainty(model, n=n, seed=1), repeat=5), 2.0)

    output = "neet" if "neet" in model else model.stocks[0].name
    second = "fte" if "fte" in model else model.stocks[-1].name
    candidates = [p.name for p in model.uncertainties if p.role != "policy_lever"]
    tornado = dk.sensitivity(model, output, candidates)
    params = list(tornado["param"][:3])
    truth = {}
    for p in params:
        decl = model[p]
        _lo, hi = decl.uncertainty or decl.bounds
        truth[p] = decl.default + 0.4 * (hi - decl.default)
    data = synthetic_data(model, truth, [output, second], every=4, seed=1)
    fit = dk.calibrate(model, data, params)
    seconds = median_seconds(lambda: dk.calibrate(model, data, params), repeat=5)
    report(f"calibrate: {len(params)} parameters to {data.size} observations", seconds, 5.0)
    print("  fitted (truth):", ", ".join(f"{p} {fit.params[p]:.4g} ({truth[p]:.4g})" for p in params))
    print(f"  R² {output} {fit.fit.loc[output, 'r2']:.4f}, {second} {fit.fit.loc[second, 'r2']:.4f}; "
          f"{fit.nfev} objective runs")


def small_ensembles(rounds=5):
    """Lesson 04's compare and calibrations, as shipped and with every ensemble vectorised."""
    if "surrey" not in dk.models.available():
        return
    sim = importlib.import_module("dpmkit.simulate")  # the module (dk.simulate is the function)
    from dpmkit.models import surrey

    model, data = dk.models.load("surrey"), surrey.observed()
    tasks = {
        "compare: 3 scenarios (lesson 04)": lambda: dk.compare(
            model, ["no_coproduction", "faster_decommissioning", "no_post_2015_cuts"], names=["neet", "trust"]),
        "calibrate: 1 parameter to the published figures": lambda: dk.calibrate(model, data, params=["neet_spell"]),
        "calibrate: 2 parameters to the published figures": lambda: dk.calibrate(
            model, data, params=["at_risk", "neet_hazard"]),
    }
    shipped = sim.AUTO_SINGLE_RUNS
    for task in tasks.values():
        task()  # compiled once
    times = {k: {"single runs": [], "vectorised": []} for k in tasks}
    try:
        for r in range(rounds):
            for how in (("single runs", "vectorised") if r % 2 == 0 else ("vectorised", "single runs")):
                sim.AUTO_SINGLE_RUNS = shipped if how == "single runs" else 0
                for k, task in tasks.items():
                    t0 = time.perf_counter()
                    task()
                    times[k][how].append(time.perf_counter() - t0)
    finally:
        sim.AUTO_SINGLE_RUNS = shipped
    print(f"\n-- small ensembles (up to {shipped} runs are single runs), medians of {rounds} alternating rounds")
    for k, t in times.items():
        single, vector = statistics.median(t["single runs"]), statistics.median(t["vectorised"])
        print(f"{k:<52} {single * 1e3:8.1f} ms   vectorised {vector * 1e3:8.1f} ms   "
              f"{single / vector:5.2f} x")


if __name__ == "__main__":
    main()
    small_ensembles()
