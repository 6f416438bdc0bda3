"""Engine performance against the budgets in DESIGN.md §3, each beside its anchor measured in
the same run.

Run with `make bench` (or `python bench/bench_core.py`; `--quick` skips the size scaling,
`--ensembles` prints the ensemble figures only).
These are measurements, not tests: a noisy machine may print a slower figure, so every
figure is a median of repeated runs, and the compared versions are timed in alternation
(round after round) so that load from other processes falls on all of them alike.

Anchors (bench/anchors/): the reference model written by hand in plain Python floats, in
numpy vectorised over runs, and in C (built here with the system's compiler, loaded with
ctypes; skipped with a line saying so when there is no compiler). Each computes exactly
the numbers dpmkit computes (tests/test_bench_anchors.py).

BPTK-Py cannot be installed on this machine, so it is not run here; issue 15 quotes its
Rust engine at 4.79 ms per run when hand-written pure Python took 2.42 ms in the same
run, i.e. BPTK-Py = 1.98x pure Python. "2x faster than BPTK-Py" is therefore about
"no slower than pure Python", which is the budget printed below.
"""

import gc
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # run from a checkout without installing

import numpy as np  # noqa: E402
from anchors import reference_c, reference_numpy, reference_python  # noqa: E402
from reference_model import build  # noqa: E402

import dpmkit as dk  # noqa: E402

_simulate = importlib.import_module("dpmkit.simulate")  # the module (dk.simulate is the function)

BPTK_OVER_PYTHON = 4.79 / 2.42  # issue 15, one run on a loaded 2-core machine (quoted, not measured here)


def load_average():
    try:
        return "load average {:.2f} {:.2f} {:.2f} (1, 5, 15 min) on {} cores".format(*os.getloadavg(), os.cpu_count())
    except OSError:
        return "load average unknown"


def timed(fn, number=1, clock=time.perf_counter):
    t0 = clock()
    for _ in range(number):
        fn()
    return (clock() - t0) / number


def alternate(fns, rounds, number=1, clock=time.perf_counter):
    """Median seconds per call of each of ``fns`` (a dict), timed in alternation round after round."""
    times = {name: [] for name in fns}
    for r in range(rounds):
        names = list(fns) if r % 2 == 0 else list(fns)[::-1]
        for name in names:
            gc.collect()
            times[name].append(timed(fns[name], number, clock))
    return {name: statistics.median(ts) for name, ts in times.items()}


def line(what, seconds, anchor=None, anchor_name="", budget=None):
    text = f"{what:<46} {seconds * 1e3:10.2f} ms"
    if anchor is not None:
        ratio = seconds / anchor
        text += f"   {ratio:6.2f} x {anchor_name}"
        if budget is not None:
            text += f"  (budget {budget:.2f} x: {'ok' if ratio <= budget else 'OVER BUDGET'})"
    print(text)


def samples(n, seed=0):
    rng = np.random.default_rng(seed)
    return {"base_referrals": rng.uniform(40, 80, n), "support_time": rng.uniform(4, 8, n),
            "relapse_rate": rng.uniform(0.01, 0.04, n)}


def single_runs(model, c_run, c_why):
    print("\n-- a single run of the reference model (warm: compiled once, new parameter values each run)")
    fns = {
        "dpmkit": lambda: dk.simulate(model, {"base_referrals": 70}),
        "python": lambda: reference_python.run(70.0),
        "numpy": lambda: reference_numpy.run([70.0], [6.0], [0.02]),
    }
    if c_run is not None:
        fns["C"] = lambda: c_run([70.0], [6.0], [0.02])
    for fn in fns.values():
        fn()
    med = alternate(fns, rounds=15, number=10)
    line("dpmkit.simulate", med["dpmkit"], med["python"], "pure Python", budget=1.0)
    line("hand-written pure-Python floats", med["python"])
    line("hand-written numpy (n = 1)", med["numpy"], med["python"], "pure Python")
    if c_run is not None:
        line("hand-written C (n = 1)", med["C"], med["python"], "pure Python")
        print(f"{'':<46} dpmkit is {med['dpmkit'] / med['C']:.1f} x C")
    else:
        print(f"hand-written C: skipped, {c_why}")
    print(f"BPTK-Py (Rust engine): not installable here; as quoted in issue 15 it took {BPTK_OVER_PYTHON:.2f} x pure "
          f"Python, so dpmkit here is {med['dpmkit'] / (BPTK_OVER_PYTHON * med['python']):.2f} x that figure "
          f"(budget 0.50 x)")
    line("budget of DESIGN.md (2 ms)", med["dpmkit"], 0.002, "2 ms", budget=1.0)


def checked(fn):
    """``fn`` run with the ensemble's checked kernel only (the sum of each recorded row,
    as before issue 15's IEEE flags): the "before" of the flags, timed in the same rounds."""

    def run():
        watched = _simulate._run_vector_watched
        _simulate._run_vector_watched = _simulate._run_vector_total
        try:
            return fn()
        finally:
            _simulate._run_vector_watched = watched

    return run


def ensembles(model, c_run, c_why, n=10_000):
    print(f"\n-- a {n:,}-run ensemble of the reference model, full trajectories (481 x 22 x {n:,} values)")
    s = samples(n)
    args = (s["base_referrals"], s["support_time"], s["relapse_rate"])
    few = {k: v[:10] for k, v in s.items()}
    dk.ensemble(model, samples=few, backend="numpy")  # compile once (the watched kernel)
    checked(lambda: dk.ensemble(model, samples=few, backend="numpy"))()  # and the checked one
    fns = {"dpmkit": lambda: dk.ensemble(model, samples=s, backend="numpy"),
           "numpy": lambda: reference_numpy.run(*args)}
    fns["checked"] = checked(fns["dpmkit"])
    if c_run is not None:
        fns["C"] = lambda: c_run(*args)
    med = alternate(fns, rounds=5)
    line("dpmkit.ensemble", med["dpmkit"], med["numpy"], "numpy", budget=0.92)
    line("  checked kernel only (before the IEEE flags)", med["checked"], med["numpy"], "numpy")
    line("hand-written numpy", med["numpy"])
    # the same in CPU time, which other processes on a shared machine disturb less
    cpu = alternate({k: fns[k] for k in ("dpmkit", "checked", "numpy")}, rounds=7, clock=time.process_time)
    line("dpmkit.ensemble (CPU time)", cpu["dpmkit"], cpu["numpy"], "numpy", budget=0.92)
    line("  checked kernel only (CPU time)", cpu["checked"], cpu["numpy"], "numpy")
    line("hand-written numpy (CPU time)", cpu["numpy"])
    if c_run is not None:
        line("hand-written C", med["C"], med["numpy"], "numpy")
        print(f"{'':<46} dpmkit is {med['dpmkit'] / med['C']:.1f} x C (budget for a compiled backend: 2 x)")
    else:
        print(f"hand-written C: skipped, {c_why}")
    line("budget of DESIGN.md (0.5 s)", med["dpmkit"], 0.5, "0.5 s", budget=1.0)


def ensemble_scaling(model, clock=time.perf_counter):
    print("\n-- ensemble size: time per run (dpmkit beside hand-written numpy, and dpmkit's checked kernel "
          f"only, as before the IEEE flags; {'CPU' if clock is time.process_time else 'wall'} time)")
    for n in (1, 10, 100, 1_000, 10_000):
        s = samples(n)
        args = (s["base_referrals"], s["support_time"], s["relapse_rate"])
        run = lambda s=s: dk.ensemble(model, samples=s, backend="numpy")
        med = alternate({"dpmkit": run, "checked": checked(run), "numpy": lambda args=args: reference_numpy.run(*args)},
                        rounds=7 if n <= 1_000 else 5, number=5 if n <= 100 else 1, clock=clock)
        print(f"{n:>7,} runs: dpmkit {med['dpmkit'] * 1e3:9.1f} ms ({med['dpmkit'] / n * 1e6:8.1f} us/run)   "
              f"checked {med['checked'] * 1e3:9.1f} ms   numpy {med['numpy'] * 1e3:9.1f} ms   "
              f"ratio {med['dpmkit'] / med['numpy']:5.2f} x (checked {med['checked'] / med['numpy']:5.2f} x; "
              f"after / before {med['dpmkit'] / med['checked']:5.3f})")


def _wall(code, env):
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - t0


def imports(rounds=11):
    print("\n-- import in a fresh interpreter (minus a bare interpreter's start), medians of alternating runs")
    # As an installed package is imported: from cached bytecode (numpy's is in site-packages;
    # dpmkit's goes to a scratch folder, written by a first import that is not timed), even
    # where the environment sets PYTHONDONTWRITEBYTECODE.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(HERE.parent)
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="dpmkit-bench-pycache-")
    _wall("import dpmkit as dk; dk.models.available()", env)
    codes = {"bare": "pass", "numpy": "import numpy", "dpmkit": "import dpmkit",
             "first cell": "import dpmkit as dk; dk.models.available()"}
    times = {k: [] for k in codes}
    for r in range(rounds):
        for k in (codes if r % 2 == 0 else list(codes)[::-1]):
            times[k].append(_wall(codes[k], env))
    med = {k: statistics.median(v) for k, v in times.items()}
    numpy_s = med["numpy"] - med["bare"]
    line("import numpy", numpy_s)
    line("import dpmkit", med["dpmkit"] - med["bare"], numpy_s, "import numpy", budget=1.3)
    line("import dpmkit; dk.models.available()", med["first cell"] - med["bare"], numpy_s, "import numpy")
    line("budget of DESIGN.md (150 ms)", med["dpmkit"] - med["bare"], 0.150, "150 ms", budget=1.0)
    # The same from Python's own import timer (-X importtime): the import work alone,
    # without the process start that a loaded machine makes noisy.
    cumulative = {"numpy": [], "dpmkit": []}
    for r in range(rounds):
        for name in (cumulative if r % 2 == 0 else list(cumulative)[::-1]):
            done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {name}"], env=env,
                                  capture_output=True, text=True, check=True)
            last = [ln for ln in done.stderr.splitlines() if ln.rstrip().endswith(f"| {name}")][-1]
            cumulative[name].append(int(last.split("|")[1]) / 1e6)
    numpy_s, dpmkit_s = (statistics.median(cumulative[k]) for k in ("numpy", "dpmkit"))
    line("import numpy (-X importtime, cumulative)", numpy_s)
    line("import dpmkit (-X importtime, cumulative)", dpmkit_s, numpy_s, "import numpy", budget=1.3)


def main():
    quick = "--quick" in sys.argv
    print(load_average())
    if "--ensembles" in sys.argv:  # the ensemble figures only (issue 15's IEEE flags), CPU time
        model = build()
        c_run, c_why = reference_c.load()
        ensembles(model, c_run, c_why)
        ensemble_scaling(model, clock=time.process_time)
        print(load_average())
        return
    model = build()
    steps = len(model.time) - 1
    print(f"reference model: {len(model.stocks)} stocks, {len(model.flows)} flows, "
          f"{len(model.lookups)} lookups, {steps} Euler steps")
    dk.simulate(model)  # compile once
    c_run, c_why = reference_c.load()
    if c_run is not None:
        print(f"C anchor built with {c_run.compiler} {' '.join(reference_c.FLAGS[:3])}")
    imports()
    single_runs(model, c_run, c_why)
    ensembles(model, c_run, c_why)
    ensemble_scaling(model)
    if not quick:
        from bench_compile_scaling import compile_ratio, linear_anchor, scaling_table

        print("\n-- model size (a ring, half stocks and half flows): compile and warm run time")
        scaling_table()
        ratio, lo, hi = compile_ratio(rounds=5, clock=time.process_time)
        print(f"compile time ratio, 10k / 1k variables (CPU time, median of 5 paired rounds): {ratio:.2f} x "
              f"(range {lo:.2f}-{hi:.2f}; budget 10 x: {'ok' if ratio < 10 else 'OVER BUDGET'})")
        ratio, lo, hi = linear_anchor(rounds=5, clock=time.process_time)
        print(f"  anchor: ten 1k compiles / one (CPU time, exactly 10x the work, same rounds): {ratio:.2f} x "
              f"(range {lo:.2f}-{hi:.2f})")
    print()
    print(load_average())


if __name__ == "__main__":
    main()
