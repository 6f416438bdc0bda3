"""The compiled (numba) backend of dk.ensemble against its anchors, measured in one run.

Prints, for a 10,000-run ensemble of the reference model (bench/reference_model.py, full
trajectories: 481 times x 22 variables x 10,000 runs):

* dk.ensemble with backend="numpy" and backend="numba" (warm: its machine code loaded from
  the disk cache), the hand-written numpy anchor and the hand-written C anchor
  (bench/anchors/reference.c, built here with cc), timed in alternation, medians; the
  budget is "numba <= 2 x C" (issue 15);
* the numba kernel alone (without dk.ensemble's checks of the samples), serial and with
  numba's prange over runs on every core (parallel=True);
* the compile cost, reported separately: cold (an empty cache folder, in a fresh process)
  and warm (the same folder, in another fresh process: numba loads the machine code from
  disk), plus what `import numba` alone costs in a fresh process.

Run with `python bench/bench_compiled.py` (needs the fast extra: pip install "dpmkit[fast]").
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import numpy as np  # noqa: E402
from anchors import reference_c, reference_numpy  # noqa: E402
from bench_core import alternate, line, load_average, samples  # noqa: E402
from reference_model import build  # noqa: E402

import dpmkit as dk  # noqa: E402

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import numba
t_numba = time.perf_counter() - t0
sys.path[:0] = [{bench!r}, {root!r}]
from reference_model import build
from dpmkit import _numba_kernel as nk
from dpmkit.compiler import compile_model
m = build()
c = compile_model(m)
nk._helpers()
t0 = time.perf_counter()
fn = nk.kernel(c, m.method, m.recorded)
total = time.perf_counter() - t0
print(json.dumps({{"import_numba": t_numba, "kernel": total, "numba_compile_or_load": fn.dpmkit_compile_seconds,
                  "hits": sum(fn.stats.cache_hits.values()), "misses": sum(fn.stats.cache_misses.values())}}))
"""


def child(cache):
    env = dict(os.environ, DPMKIT_CACHE_DIR=str(cache))
    code = _CHILD.format(bench=str(HERE), root=str(HERE.parent))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compile_costs(rounds=3):
    print("\n-- compile cost of the reference model's numba kernel (fresh processes; medians of "
          f"{rounds} rounds, each with a new empty cache folder)")
    cold, warm = [], []
    for _ in range(rounds):
        cache = Path(tempfile.mkdtemp(prefix="dpmkit-bench-numba-"))
        c = child(cache)
        w = child(cache)
        assert c["misses"] == 1 and w["hits"] == 1, (c, w)  # compiled, then loaded from disk
        cold.append(c)
        warm.append(w)

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    print(f"{'import numba (fresh process)':<46} {med(cold + warm, 'import_numba') * 1e3:10.0f} ms")
    print(f"{'cold: generate, verify, write, compile':<46} {med(cold, 'kernel') * 1e3:10.0f} ms"
          f"   (numba's compile alone {med(cold, 'numba_compile_or_load') * 1e3:.0f} ms)")
    print(f"{'warm: generate, verify, load from disk':<46} {med(warm, 'kernel') * 1e3:10.0f} ms"
          f"   (numba's load alone {med(warm, 'numba_compile_or_load') * 1e3:.0f} ms)")
    return cache


def main():
    from dpmkit import _numba_kernel as nk

    if not nk.available():
        print('numba is not installed: pip install "dpmkit[fast]"')
        return
    print(load_average())
    cache = compile_costs()
    os.environ["DPMKIT_CACHE_DIR"] = str(cache)  # warm: this process loads the machine code from disk
    model = build()
    c_run, c_why = reference_c.load()
    n = 10_000
    s = samples(n)
    args = (s["base_referrals"], s["support_time"], s["relapse_rate"])
    first = dk.ensemble(model, samples=s, backend="numba")
    assert first.backend == "numba"
    np.testing.assert_allclose(first.values, dk.ensemble(model, samples=s, backend="numpy").values, rtol=1e-12)

    import importlib

    sim = importlib.import_module("dpmkit.simulate")
    from dpmkit.compiler import compile_model

    compiled = compile_model(model)
    P = tuple(s.get(k, model.values()[k]) for k in compiled.param_names)
    start, stop, dt, time = sim._time_grid(model, None, None, None)
    serial = nk.kernel(compiled, model.method, model.recorded)
    nk.PARALLEL = True
    parallel = nk._load(nk.source(compiled, model.method, model.recorded))
    nk.PARALLEL = False
    np.testing.assert_array_equal(nk.run(parallel, compiled, P, time, dt, start, stop, model.recorded, n)[0],
                                  nk.run(serial, compiled, P, time, dt, start, stop, model.recorded, n)[0])

    print(f"\n-- a {n:,}-run ensemble of the reference model, full trajectories (481 x 22 x {n:,} values); "
          "medians of alternating rounds")
    fns = {
        "numba": lambda: dk.ensemble(model, samples=s, backend="numba"),
        "numpy": lambda: dk.ensemble(model, samples=s, backend="numpy"),
        "kernel": lambda: nk.run(serial, compiled, P, time, dt, start, stop, model.recorded, n),
        "kernel_par": lambda: nk.run(parallel, compiled, P, time, dt, start, stop, model.recorded, n),
        "hand_numpy": lambda: reference_numpy.run(*args),
    }
    if c_run is not None:
        fns["C"] = lambda: c_run(*args)
    med = alternate(fns, rounds=7)
    anchor, anchor_name = (med["C"], "C") if c_run is not None else (med["hand_numpy"], "hand numpy")
    line('dk.ensemble(backend="numba"), warm', med["numba"], anchor, anchor_name, budget=2.0)
    line('dk.ensemble(backend="numpy")', med["numpy"], anchor, anchor_name)
    line("numba kernel alone, serial", med["kernel"], anchor, anchor_name)
    line("numba kernel alone, parallel=True (prange)", med["kernel_par"], anchor, anchor_name)
    line("hand-written numpy", med["hand_numpy"], anchor, anchor_name)
    if c_run is not None:
        line(f"hand-written C ({c_run.compiler} {' '.join(reference_c.FLAGS[:3])})", med["C"])
    else:
        print(f"hand-written C: skipped, {c_why}")
    print(f"{'':<46} numba backend = {med['numba'] / med['numpy']:.2f} x numpy backend, "
          f"{med['numba'] / med['hand_numpy']:.2f} x hand-written numpy")
    print(load_average())


if __name__ == "__main__":
    main()
