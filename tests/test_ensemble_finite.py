"""The ensemble's finiteness check by numpy's IEEE flags (issue 15).

``dk.ensemble`` runs the "watched" vector kernel (no sum of each recorded row) under
``np.errstate`` "raise" and trusts that, when no flag was raised, every value is finite;
on a flag it reruns the checked kernel (which sums each row), whose values and errors are
those of the code before. These tests hold each link of that argument:

* every way of making a value that is not finite is caught, with the very error the
  checked kernel gives (variable, run, time): if the watched kernel missed one, the
  ensemble would return without an error and the test would fail;
* a flag whose value is then dropped (IF, MIN) gives the checked kernel's values and
  marks the kernel noisy, so the next ensemble goes straight to the checked kernel;
* numpy raises the flags the argument relies on, on this machine, at every array size;
* no vector helper makes a value that is not finite from finite ones without a flag;
* non-finite inputs are refused before any kernel runs.
"""

from __future__ import annotations

import importlib
import itertools
import math

import numpy as np
import pytest

import dpmkit as dk
from dpmkit import compiler
from dpmkit.builtins import BUILTINS, OPERATORS
from dpmkit.compiler import compile_model

sim = importlib.import_module("dpmkit.simulate")  # dk.simulate is the function

TIMES = dict(start=0.0, stop=4.0, dt=0.25)
N = 12  # runs; p takes 1.0 ... in each, with special values placed per case


def _model(name, equations, lookups=(), fixed=(), **times):
    """p (sampled) and k = 1e200 (fixed) parameters, a stock, and the auxiliaries given."""
    variables = [dk.Param("p", 1.0), dk.Param("k", 1e200), dk.Stock("s", 1.0),
                 dk.Flow("f", "0.01 * s", into="s")]
    variables += [dk.Param(n, v) for n, v in fixed]
    variables += [dk.Lookup(n, xs, ys) for n, xs, ys in lookups]
    variables += [dk.Aux(n, eq) for n, eq in equations]
    return dk.Model(name, variables, check_units="off", **{**TIMES, **times})


def _watched(model, method="euler", record=None):
    compiled = compile_model(model)
    return compiled.kernel(method, "watched", tuple(record or model.recorded))


def _samples(special=None, n=N):
    p = np.linspace(1.0, 2.0, n)
    for run, value in (special or {}).items():
        p[run] = value
    return {"p": p}


def _checked_error(model, samples, monkeypatch, **kw):
    """The error of the code before: the checked kernel only."""
    with monkeypatch.context() as m:
        m.setattr(sim, "_run_vector_watched", sim._run_vector_total)
        with pytest.raises(dk.ModelError) as err:
            dk.ensemble(model, samples=samples, backend="numpy", **kw)
    return err.value


# (case, equations, lookups, the runs' special values of p, variable the error names)
FAILING = [
    ("array overflow", [("y", "p * 1e300 * 1e10")], (), {}, "y"),
    ("array overflow in one run", [("y", "EXP(p * 100)")], (), {7: 9.0}, "y"),
    # Python floats before: TIME, dt and fixed parameters, and what only they make
    ("time-only overflow", [("y", "1e200 * TIME * 1e200")], (), {}, "y"),
    ("fixed-parameter overflow", [("y", "k * k")], (), {}, "y"),
    ("fixed parameter and time", [("y", "k * TIME * k")], (), {}, "y"),
    ("time only, then read", [("a", "1e300 * TIME"), ("y", "a * 1e10 + p")], (), {}, "y"),
    ("stock with a literal start, squared", [("y", "s2 * s2 + p")], (), {}, "y"),
    # CPython folds constant arithmetic while compiling: inf with no flag
    ("folded constants in a step", [("y", "TIME + 1e200 * 1e200")], (), {}, "y"),
    ("folded constants, static", [("y", "1e200 * 1e200")], (), {}, "y"),
    ("comparison then overflow", [("y", "(2 < 3) * 1e308 * 10 + TIME")], (), {}, "y"),
    ("division by zero", [("y", "p / (TIME - 2)")], (), {}, "y"),
    ("division by zero in one run", [("y", "1 / (p - 3)")], (), {5: 3.0}, "y"),
    ("LN(0)", [("y", "LN(TIME - 1) + p")], (), {}, "y"),
    ("LN of a negative only in some runs", [("y", "LN(p - 1.5)")], (), {}, "y"),
    ("SQRT(-1)", [("y", "SQRT(1 - TIME) * p")], (), {}, "y"),
    ("0 * inf", [("a", "EXP(TIME * 1000)"), ("y", "0 * a * p")], (), {}, "a"),
    ("power overflow", [("y", "p ^ 1000")], (), {3: 10.0}, "y"),
    ("MOD by zero", [("y", "MODULO(p, TIME - 1)")], (), {}, "y"),
    ("ZIDZ overflow", [("y", "ZIDZ(1e300, p * 1e-10)")], (), {}, "y"),
    ("PULSE overflow (was silenced in the helper)", [("y", "PULSE(p * 1e308, 1)")], (), {}, "y"),
    ("RAMP overflow (was silenced in the helper)", [("y", "RAMP(p * 1e308, 1) * 1")], (), {}, "y"),
    ("STEP of an overflow", [("y", "STEP(p * 1e308 * 10, 1)")], (), {}, "y"),
    ("lookup of NaN", [("y", "tbl(SQRT(2 - TIME)) * p")], [("tbl", [0, 1, 2], [0, 5, 1])], {}, "y"),
    ("lookup of NaN in one run", [("y", "tbl(LN(p - 1.4))")], [("tbl", [0, 1, 2], [0, 5, 1])], {}, "y"),
    ("large lookup of NaN", [("y", "big(SQRT(2 - TIME)) * p")],
     [("big", list(range(20)), [v % 3 for v in range(20)])], {}, "y"),
    ("masked in run 0, real in run 6", [("y", "MIN(1 / (p - 1), 5) + 1 / (p - 2)")], (), {0: 1.0, 6: 2.0}, "y"),
    ("IF-masked in run 0, real in run 4", [("y", "(IF p > 1 THEN 1 / (p - 1) ELSE 0) + 1 / (p - 1.5)")], (),
     {0: 1.0, 4: 1.5}, "y"),
]


def _stock_model(name, equations, lookups):
    model = _model(name, equations, lookups)
    return model.with_variables(dk.Stock("s2", 1e200))


@pytest.mark.parametrize("n", [N, 2100], ids=["interp", "segments"])
@pytest.mark.parametrize("method", ["euler", "rk4"])
@pytest.mark.parametrize("case, equations, lookups, special, variable", FAILING, ids=[c[0] for c in FAILING])
def test_every_way_to_a_non_finite_value_gives_the_checked_kernels_error(
        case, equations, lookups, special, variable, method, n, monkeypatch):
    model = _stock_model(f"m{FAILING.index((case, equations, lookups, special, variable))}", equations, lookups)
    samples = _samples(special, n)
    kernel = _watched(model, method)
    assert not kernel.noisy
    assert compile_model(model).lookups_bounded
    expected = _checked_error(model, samples, monkeypatch, method=method)
    with pytest.raises(dk.ModelError) as err:
        dk.ensemble(model, samples=samples, method=method, backend="numpy")
    assert str(err.value) == str(expected)
    assert (err.value.variable, err.value.time) == (expected.variable, expected.time)
    assert err.value.variable == variable
    assert not kernel.noisy  # an error is not noise


def test_the_watched_kernel_itself_stops_at_each_flag():
    """Beneath the ensemble: the watched kernel raises FloatingPointError for every
    failing case (so the ensemble's error comes from a flag, not from a later check)."""
    for k, (_, equations, lookups, special, _) in enumerate(FAILING):
        model = _stock_model(f"direct{k}", equations, lookups)
        compiled = compile_model(model)
        kernel = _watched(model)
        P = tuple(_samples(special)["p"] if name == "p" else model.values()[name] for name in compiled.param_names)
        out = np.empty((len(model.time), len(kernel.record_dyn), N))
        with pytest.raises(FloatingPointError), np.errstate(**sim._WATCH):
            kernel(P, list(model.time), model.dt, model.start, model.stop, None, out, ())


# ------------------------------------------------------------- flags that do not matter

MASKED = [
    ("IF masks a division by zero", "IF p > 1 THEN 1 / (p - 1) ELSE 0"),
    ("MIN masks an infinity", "MIN(1 / (p - 1), 5)"),
    ("a NaN compared away", "IF SQRT(p - 1.5) > 0 THEN 1 ELSE 2"),
]


@pytest.mark.parametrize("case, equation", MASKED, ids=[c[0] for c in MASKED])
def test_a_flag_that_does_not_matter_gives_the_checked_values_and_marks_the_kernel_noisy(
        case, equation, monkeypatch):
    model = _model(f"masked{MASKED.index((case, equation))}", [("y", equation)])
    samples = _samples({0: 1.0})
    kernel = _watched(model)
    assert not kernel.noisy
    with monkeypatch.context() as m:
        m.setattr(sim, "_run_vector_watched", sim._run_vector_total)
        before = dk.ensemble(model, samples=samples, backend="numpy")
    calls = []

    def counted(*args, **kw):
        calls.append(1)
        return total(*args, **kw)

    total = sim._run_vector_total
    monkeypatch.setattr(sim, "_run_vector_total", counted)
    first = dk.ensemble(model, samples=samples, backend="numpy")
    assert np.array_equal(first.values, before.values)
    assert np.isfinite(first.values).all()
    assert kernel.noisy and len(calls) == 1  # the watched kernel flagged, the checked one reran
    second = dk.ensemble(model, samples=samples, backend="numpy")
    assert np.array_equal(second.values, before.values)
    assert len(calls) == 2  # straight to the checked kernel: one run, not two


def test_noise_is_remembered_per_kernel_not_per_model():
    """Another record list is another kernel: it has its own (clean) record."""
    model = _model("noise_per_kernel", [("y", "IF p > 1 THEN 1 / (p - 1) ELSE 0")])
    dk.ensemble(model, samples=_samples({0: 1.0}), backend="numpy")
    assert _watched(model).noisy
    other = _watched(model, record=("y",))
    assert not other.noisy


def test_clean_ensembles_are_bit_identical_to_the_checked_kernel(monkeypatch):
    """Numpy scalars in place of Python floats change no bit: IEEE arithmetic is the same."""
    model = _model("clean", [
        ("a", "p * TIME + k * 1e-200"), ("b", "2 * 3 + TIME * 0.5"), ("c", "PULSE(p, 1, 1) + RAMP(p, 1, 3)"),
        ("d", "tbl(a) + big(TIME)"), ("e", "IF TIME > 2 THEN ZIDZ(p, a) ELSE MODULO(TIME, 0.75) ^ 2"),
        ("g", "5"), ("h", "(1 < 2) * PI + s * s"),
    ], lookups=[("tbl", [0, 1, 2], [0, 5, 1]), ("big", list(range(20)), [v % 3 for v in range(20)])])
    events = {2.0: {"k": 3.0}}
    for method, record, n in itertools.product(["euler", "rk4"], [None, ("h", "s", "g", "a")], [N, 2100]):
        samples = _samples(n=n)
        with monkeypatch.context() as m:
            m.setattr(sim, "_run_vector_watched", sim._run_vector_total)
            before = dk.ensemble(model, samples=samples, method=method, record=record, events=events,
                                 backend="numpy")
        after = dk.ensemble(model, samples=samples, method=method, record=record, events=events, backend="numpy")
        assert np.array_equal(after.values, before.values), (method, record, n)
        assert not compile_model(model, {"k"}).kernel(method, "watched", tuple(record or model.recorded)).noisy


def test_the_checked_sum_never_reads_the_static_columns_before_they_are_filled(monkeypatch):
    """Static recorded columns after the dynamic ones are filled after the kernel; its sum
    of each row read them while they were still np.empty's leftovers (here NaN), which made
    the total not finite at random and, after a harmless flag, kept the kernel from being
    marked noisy."""
    model = _model("statics_last", [("y", "IF p > 1 THEN 1 / (p - 1) ELSE 0"), ("z", "2 * p")])
    compiled = compile_model(model)
    assert compiled.recorded[-2:] == ("y", "z") and set(compiled.static_recorded) == {"y", "z"}
    empty = np.empty
    monkeypatch.setattr(np, "empty", lambda shape, *a, **k: np.full(shape, np.nan))
    P = (_samples()["p"], 1e200)
    values, total = sim._run_vector_total(compiled, "euler", P, model.time, model.dt, model.start, model.stop,
                                          compiled.recorded, N)
    monkeypatch.setattr(np, "empty", empty)
    assert np.isfinite(values).all() and np.isfinite(total)


def test_lookups_that_could_overflow_run_checked(monkeypatch):
    """np.interp raises no flag: a table whose slope overflowed when it was read in, or
    whose values are near the largest float, is run by the checked kernel."""
    steep = _model("steep", [("y", "tbl(p * 1e-301)")], lookups=[("tbl", [0, 1e-300], [0, 1e300])])
    assert not compile_model(steep).lookups_bounded
    huge = _model("huge", [("y", "tbl(p)")], lookups=[("tbl", [0, 3], [0, 1.7e308])])
    assert not compile_model(huge).lookups_bounded
    for n in (N, 2100):
        expected = _checked_error(steep, _samples(n=n), monkeypatch)
        with pytest.raises(dk.ModelError) as err:
            dk.ensemble(steep, samples=_samples(n=n), backend="numpy")
        assert str(err.value) == str(expected)
    assert compile_model(_model("tame", [("y", "tbl(p)")], lookups=[("tbl", [0, 3], [0, 1e300])])).lookups_bounded


# ------------------------------------------------------------- numpy's flags, here

_RAISING = [
    ("multiply", lambda x: np.multiply(x, 1e300), 1e10),
    ("add", lambda x: np.add(x, 1.7e308), 1.7e308),
    ("subtract", lambda x: np.subtract(x, 1.7e308), -1.7e308),
    ("divide by 0", lambda x: np.divide(1.0, x), 0.0),
    ("divide overflow", lambda x: np.divide(x, 1e-10), 1e300),
    ("0/0", lambda x: np.divide(x, x), 0.0),
    ("power overflow", lambda x: np.power(x, 2.0), 1e200),
    ("power of 0 to -1", lambda x: np.power(x, -1.0), 0.0),
    ("power of -1 to 0.5", lambda x: np.power(x, 0.5), -1.0),
    ("power 3", lambda x: np.power(x, 3.0), 1e200),
    ("exp", np.exp, 1000.0),
    ("log 0", np.log, 0.0),
    ("log -1", np.log, -1.0),
    ("log10 0", np.log10, 0.0),
    ("sqrt -1", np.sqrt, -1.0),
    ("arcsin 2", np.arcsin, 2.0),
    ("arccos 2", np.arccos, 2.0),
    ("mod by 0", lambda x: np.mod(1.0, x), 0.0),
    ("floor + 0.5 overflow", lambda x: np.add(x, 0.5e308) * 2, 1.5e308),
    ("scalar multiply", lambda x: np.float64(x[0]) * 1e300 if len(x) == 1 else np.multiply(x, 1e300), 1e10),
]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 16, 17, 33, 1000, 4099])
@pytest.mark.parametrize("name, fn, bad", _RAISING, ids=[r[0] for r in _RAISING])
def test_numpy_raises_the_flags_at_every_size_and_position(name, fn, bad, size):
    """The watched kernel relies on numpy raising these flags, in its SIMD loops too."""
    for where in {0, size // 2, size - 1}:
        x = np.full(size, 0.5)
        x[where] = bad
        with pytest.raises(FloatingPointError), np.errstate(**sim._WATCH):
            fn(x)
        y = np.empty((size, 2))[:, 0]  # into a strided output as well
        x2 = x.copy()
        with pytest.raises(FloatingPointError), np.errstate(**sim._WATCH):
            np.multiply(x2, 1e300 if bad not in (0.0, -1.0) else 1.0, out=y)
            fn(x2)


FINITE = (0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e308, -1e308, 5e-324, 1e-300)


def _never_silently_non_finite(fn, arity, time=False, defaults=()):
    combos = itertools.product(FINITE, repeat=arity)
    for combo in combos:
        args = [np.array([v]) for v in combo] + [np.float64(d) for d in defaults]
        if time:
            args = [np.float64(1.0), np.float64(0.25)] + args
        try:
            with np.errstate(**sim._WATCH):
                out = fn(*args)
        except FloatingPointError:
            continue
        assert np.isfinite(out).all(), (fn, combo, out)


@pytest.mark.parametrize("name", [n for n, b in BUILTINS.items() if b.vector is not None])
def test_no_vector_builtin_makes_a_non_finite_value_without_a_flag(name):
    """The audit of dpmkit.builtins: for finite arguments each vector builtin raises a
    flag or gives finite values (an np.errstate "ignore" inside would break this)."""
    b = BUILTINS[name]
    # every argument given (the kernels write omitted ones' defaults); MIN and MAX: 3
    arity = min(b.max_args, 3)
    defaults = b.defaults[arity - b.min_args:]
    assert all(isinstance(d, float) for d in defaults)
    _never_silently_non_finite(b.vector, arity, time=b.time, defaults=defaults)


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_no_vector_operator_makes_a_non_finite_value_without_a_flag(op):
    _never_silently_non_finite(OPERATORS[op][1], 2)


def test_lookups_give_finite_values_for_finite_inputs():
    xs, ys = [0.0, 1.0, 2.5, 4.0], [1e307, -1e307, 3.0, 1e300]
    grid, table, lookup = compiler._vector_grid(xs), compiler._vector_table(xs, ys), compiler._vector_lookup(xs, ys)
    for n in (5, compiler._INTERP_RUNS):
        x = np.resize(np.array(FINITE), n)
        with np.errstate(**sim._WATCH):
            assert np.isfinite(table(grid(x))).all()
            assert np.isfinite(lookup(x)).all()


# ------------------------------------------------------------------ inputs


def test_non_finite_inputs_are_refused_before_any_kernel_runs():
    model = _model("inputs", [("y", "p + tbl(p)")], lookups=[("tbl", [0, 1], [0, 1])])
    for bad in (math.inf, -math.inf, math.nan):
        with pytest.raises(dk.ModelError, match="'p'"):
            dk.ensemble(model, samples={"p": [1.0, bad]})
        with pytest.raises(dk.ModelError, match="'k'"):
            dk.ensemble(model, samples={"p": [1.0, 2.0]}, params={"k": bad})
        with pytest.raises(dk.ModelError, match="'k'"):
            dk.ensemble(model, samples={"p": [1.0, 2.0]}, events={1.0: {"k": bad}})
        with pytest.raises(dk.ModelError, match="'tbl'"):
            dk.Lookup("tbl", [0, 1], [0, bad])
        with pytest.raises(dk.ModelError, match="'tbl'"):
            dk.Lookup("tbl", [0, bad], [0, 1])
        with pytest.raises(dk.ModelError):
            dk.ensemble(model, samples={"p": [1.0, 2.0]}, dt=bad)
    with pytest.raises(dk.ModelError, match="too large"):  # a number in an equation (an initial value)
        dk.ensemble(model.with_variables(dk.Stock("s", "1e999")), samples={"p": [1.0, 2.0]})
