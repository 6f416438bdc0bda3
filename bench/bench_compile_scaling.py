"""Compile time against model size: the budget in DESIGN.md §3 is "linear in model size
(10k variables < 10x 1k)".

Run with `make bench` (or `python bench/bench_compile_scaling.py`). Prints medians beside
the budget. These are measurements, not tests: a noisy machine may print a slower figure.

The model is a ring of stocks, half the variables stocks and half flows, each flow
draining one stock into the next, with units declared (so the units check does its
work too). "Compile" is what the first run of a new model pays before stepping: the
units check, parsing, ordering, and generating, verifying and compiling the scalar
Euler kernel. The compiler's caches are emptied before each measurement.
"""

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # run from a checkout without installing

import dpmkit as dk  # noqa: E402
from dpmkit import compiler  # noqa: E402

SIZES = (1_000, 2_000, 5_000, 10_000, 20_000)
BUDGET_RATIO = 10.0  # 10k variables compile in under 10x the time of 1k


def build(n_variables):
    """A ring of n/2 stocks and n/2 flows (each flow out of one stock into the next), one parameter."""
    k = n_variables // 2
    variables = [dk.Param("rate", 0.01, units="1/year")]
    for i in range(k):
        variables.append(dk.Stock(f"s{i}", 1 + i % 7, units="people"))
        variables.append(dk.Flow(f"f{i}", f"s{i} * rate", out_of=f"s{i}", into=f"s{(i + 1) % k}",
                                 units="people/year"))
    return dk.Model(f"ring_{n_variables}", variables, stop=2)


def compile_seconds(n_variables):
    compiler._CACHE.clear()
    compiler._UNITS_CHECKED.clear()
    model = build(n_variables)  # a new model object: nothing cached on it
    t0 = time.perf_counter()
    compiler.compile_model(model).kernel("euler", "scalar")
    return time.perf_counter() - t0


def main():
    medians = {}
    for n in SIZES:
        repeat = 7 if n <= 2_000 else 5 if n <= 10_000 else 3
        medians[n] = statistics.median(compile_seconds(n) for _ in range(repeat))
        per = medians[n] / n * 1e6
        print(f"compile, {n:>6,} variables (half stocks, half flows) {medians[n] * 1e3:9.1f} ms   "
              f"{per:6.1f} us per variable")
    ratio = medians[10_000] / medians[1_000]
    verdict = "ok" if ratio < BUDGET_RATIO else "OVER BUDGET"
    print(f"{'compile time ratio, 10k / 1k variables':<52} {ratio:9.2f} x    budget {BUDGET_RATIO:7.1f} x    {verdict}")
    model = build(10_000)
    compiler._CACHE.clear()
    compiler._UNITS_CHECKED.clear()
    t0 = time.perf_counter()
    dk.simulate(model)
    print(f"{'first simulate of the 10k-variable model (compile + run)':<52} "
          f"{(time.perf_counter() - t0) * 1e3:9.1f} ms")


if __name__ == "__main__":
    main()
