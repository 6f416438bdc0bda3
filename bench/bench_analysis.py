"""Analysis performance against the budgets of issue 4.

Run with `make bench` (or `python bench/bench_analysis.py`). Prints medians beside
budgets. These are measurements, not tests: a noisy machine may print a slower figure.

- a 10,000-run Monte-Carlo ensemble of the `surrey` model with percentile bands of every
  variable (dk.uncertainty) under 2 s;
- a calibration of 3 parameters of `surrey` to two noisy series (dk.calibrate) under 5 s.

Falls back to the `demo` model (and says so) where `surrey` is not available.
"""

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


if __name__ == "__main__":
    main()
