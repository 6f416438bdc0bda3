"""Inputs that used to break the engine, each as a hostile or unlucky user would type it.

Each must give a correct run or a ModelError naming the variable, the setting or the
time, in bounded time and memory. No timed assertions: a watchdog only turns a hang
(the old behaviour of some of these) into a failure instead of a stuck test run.
"""

import importlib
import math
import re
import signal
from contextlib import contextmanager
from fractions import Fraction
from typing import ClassVar

import numpy as np
import pytest

import dpmkit as dk
from dpmkit.compiler import compile_model
from dpmkit.units import MAX_POWER, parse_units

simulate_module = importlib.import_module("dpmkit.simulate")  # dk.simulate is the function


@contextmanager
def watchdog(seconds=60):
    """Fail (rather than hang the suite) if the body runs for minutes; not a timing check."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def hung(signum, frame):
        raise AssertionError(f"still running after {seconds} s: this input hangs the engine")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def one_stock(units, check_units="warn", time_units="year"):
    return dk.Model("u", [
        dk.Stock("s", 1, units=units),
        dk.Flow("f", "0.1", into="s", units="1/year"),
    ], check_units=check_units, time_units=time_units)


# ------------------------------------------------------------------ 1. units


@pytest.mark.parametrize("units", ["1e999999999", "x^1e99999999", "x^-1e99999999",
                                   "x^1_0000000000000000000000000000000000000"])
@pytest.mark.parametrize("check", ["warn", "error"])
def test_absurd_numbers_in_units_are_refused_naming_variable_and_text(units, check):
    with watchdog(), pytest.raises(dk.ModelError) as err:
        dk.simulate(one_stock(units, check))
    assert err.value.variable == "s"
    assert "units of 's'" in str(err.value) and units[:10] in str(err.value)


@pytest.mark.parametrize("units", ["x^101", "(x^10)^11", "x^-101"])
def test_powers_beyond_the_limit_are_refused(units):
    with pytest.raises(dk.ModelError, match=re.escape(f"beyond {MAX_POWER}")) as err:
        dk.simulate(one_stock(units))
    assert err.value.variable == "s"


def test_deep_brackets_in_units_are_refused_not_a_recursion_error():
    deep = "(" * 5000 + "people" + ")" * 5000
    with watchdog(), pytest.raises(dk.ModelError, match="nest parentheses") as err:
        dk.simulate(one_stock(deep))
    assert err.value.variable == "s"
    with pytest.raises(dk.ModelError, match="nest parentheses"):
        parse_units(deep)
    assert parse_units("((((people))))/((year))") == {"people": 1, "year": -1}


def test_absurd_time_units_and_lookup_input_units_are_refused():
    with pytest.raises(dk.ModelError, match="time units of model 'u'"):
        dk.simulate(one_stock("people", time_units="year^1e999999999"))
    m = dk.Model("lk", [
        dk.Lookup("effect", [0, 1], [0, 1], x_units="x^1e999999"),
        dk.Aux("a", "effect(0.5)"),
    ])
    with pytest.raises(dk.ModelError, match="lookup 'effect'") as err:
        dk.simulate(m)
    assert err.value.variable == "effect"


def test_ordinary_units_still_read():
    assert parse_units("people/year") == {"people": 1, "year": -1}
    assert parse_units("staff*hour^-1") == {"staff": 1, "hour": -1}
    assert parse_units("x^0.5") == {"x": Fraction(1, 2)}
    assert parse_units("x^1e2") == {"x": 100}
    assert parse_units("x^100") == {"x": 100}
    assert parse_units("1/month") == {"month": -1}
    assert parse_units("1e30 people") == {"1e30 people": 1}  # a name, as before
    with pytest.raises(ValueError):
        parse_units("people/(year")


def test_a_tiny_xmile_file_with_absurd_units_is_refused():
    text = ('<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><sim_specs><start>0</start>'
            '<stop>1</stop></sim_specs><model><variables><aux name="a"><eqn>1</eqn>'
            '<units>x^1e99999999</units></aux></variables></model></xmile>')
    with watchdog(), pytest.raises(dk.ModelError, match="units of 'a'"):
        dk.simulate(dk.xmile.read(text))


# -------------------------------------------------------- 2. stocks with many flows


def many_flows(n_in, n_out=0, name="many"):
    variables = [dk.Stock("s", 0.0), dk.Param("p", 1.0, bounds=(0, 10))]
    variables += [dk.Flow(f"i{k}", "p", into="s") for k in range(n_in)]
    variables += [dk.Flow(f"o{k}", "0.5", out_of="s") for k in range(n_out)]
    return dk.Model(name, variables, stop=4, check_units="off")


def nesting(source):
    depth = deepest = 0
    for ch in source:
        depth += ch == "("
        depth -= ch == ")"
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("n_in, n_out", [(250, 0), (1000, 0), (5000, 0), (0, 1000), (700, 300)])
def test_a_stock_with_thousands_of_flows_runs_in_both_kernels(n_in, n_out):
    m = many_flows(n_in, n_out, name=f"many_{n_in}_{n_out}")
    rate = n_in * 1.0 - n_out * 0.5
    expected = rate * np.arange(5)
    for method in ("euler", "rk4"):
        r = dk.simulate(m, method=method)
        np.testing.assert_allclose(r["s"], expected, rtol=1e-12, atol=1e-9)
    ens = dk.ensemble(m, samples={"p": [1.0, 2.0]})
    np.testing.assert_allclose(ens["s"][:, 0], expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(ens["s"][-1, 1], 4 * (2.0 * n_in - 0.5 * n_out), rtol=1e-12)
    c = compile_model(m)
    for method in ("euler", "rk4"):
        for mode in ("scalar", "vector"):
            assert nesting(c.kernel(method, mode).source) < 40


def test_short_sums_of_flows_keep_their_order_of_addition():
    # fewer flows than one chunk: the generated text is the familiar nested sum
    m = many_flows(3, 2, name="few")
    source = compile_model(m).kernel("euler", "scalar").source
    assert re.search(r"\(\(\(\(v\d+ \+ v\d+\) \+ v\d+\) - v\d+\) - v\d+\)", source)


# -------------------------------------------------------- 3. compile is linear


class CountingFlow(dk.Flow):
    """A flow that counts how often the engine asks which stocks it connects."""

    reads: ClassVar[list[int]] = [0]

    def __getattribute__(self, name):
        if name in ("into", "out_of"):
            CountingFlow.reads[0] += 1
        return super().__getattribute__(name)


def ring(n_stocks, flow=dk.Flow):
    variables = []
    for i in range(n_stocks):
        variables.append(dk.Stock(f"s{i}", 1.0))
        variables.append(flow(f"f{i}", f"s{i} * 0.01", out_of=f"s{i}", into=f"s{(i + 1) % n_stocks}"))
    return dk.Model(f"ring_{n_stocks}", variables, stop=2, check_units="warn")


def test_compiling_reads_each_flows_ends_a_bounded_number_of_times():
    per_flow = []
    for n in (200, 2000):
        CountingFlow.reads[0] = 0
        model = ring(n, CountingFlow)
        compile_model(model).kernel("euler", "scalar")
        dk.check_units(model)
        model.dependencies()
        per_flow.append(CountingFlow.reads[0] / n)
    # linear: the same handful of reads per flow, whatever the size (quadratic was ~n per flow)
    assert per_flow[1] <= per_flow[0] + 1, per_flow
    assert per_flow[1] < 20, per_flow


def test_a_ten_thousand_variable_model_compiles_and_runs():
    model = ring(5000)
    with watchdog(120):
        r = dk.simulate(model)
    assert r.values.shape == (3, 10_000)
    assert r["s0"][0] == 1.0 and np.isfinite(r.values).all()


def test_model_lookups_use_an_index():
    model = ring(3)
    assert model["f1"].into == "s2"
    assert "s0" in model and "nope" not in model and ["unhashable"] not in model
    assert [f.name for f in model.inflows("s0")] == ["f2"]
    assert [f.name for f in model.outflows("s0")] == ["f0"]
    assert model.inflows("missing") == ()
    with pytest.raises(KeyError, match="did you mean"):
        model["s00"]
    with pytest.raises(KeyError, match="no variable"):
        model[["s0"]]
    assert model.without("f0", "f1").names == ("s0", "s1", "s2", "f2")


# ------------------------------------------------- 4. cache and model identity


def blows_up(name):
    return dk.Model(name, [dk.Stock("s", 1.0), dk.Flow("f", "1 / (s - 1)", into="s")], check_units="off")


def test_models_sharing_a_cached_kernel_are_each_named_in_their_errors():
    for name in ("first_model", "second_model", "bad\x00name", "third"):
        with pytest.raises(dk.ModelError) as err:
            dk.simulate(blows_up(name))
        assert repr(name) in str(err.value) and err.value.variable == "f"
        assert all(other not in str(err.value) for other in ("first_model", "second_model") if other != name)
    assert compile_model(blows_up("x")) is compile_model(blows_up("y"))


def test_a_nul_in_a_model_name_is_harmless():
    m = dk.Model("bad\x00name", [dk.Stock("s", 1.0), dk.Flow("f", "0.5", into="s")], check_units="off")
    assert dk.simulate(m)["s"][-1] == 6.0
    other = dk.Model("fine", m.variables, check_units="off")
    assert dk.simulate(other)["s"][-1] == 6.0


def test_no_user_text_reaches_compile():
    m = dk.Model("'); import os #\x00", [dk.Stock("s", 1.0), dk.Flow("f", "0.5", into="s")], check_units="off")
    compiled = compile_model(m)
    for method in ("euler", "rk4"):
        for mode in ("scalar", "vector"):
            assert compiled.kernel(method, mode).__code__.co_filename == "<dpmkit-kernel>"
    assert not hasattr(compiled, "model")  # shared by every model of this structure


# --------------------------------------------------------------- 5. time settings


@pytest.mark.parametrize("kwargs, setting", [
    (dict(dt=5e-324), "dt"),
    (dict(dt=1e-300), "dt"),
    (dict(start=-1e308, stop=1e308), "span"),
    (dict(stop=1e308), "steps"),
    (dict(stop=1_000_000.5, dt=1), "whole number of steps"),
    (dict(stop=10.5, dt=1), "whole number of steps"),
    (dict(dt="1"), "dt must be a finite number"),
    (dict(dt=True), "dt must be a finite number"),
    (dict(stop="10"), "stop must be a finite number"),
    (dict(start=False), "start must be a finite number"),
    (dict(dt=math.nan), "dt must be a finite number"),
    (dict(stop=10**400), "stop must be a finite number"),
    (dict(dt=-1), "dt must be positive"),
    (dict(start=1e16, stop=1e16 + 64, dt=2), "too small beside times"),
])
def test_bad_time_settings_are_model_errors_naming_the_setting(kwargs, setting):
    model = dk.Model("t", [dk.Stock("s", 1.0), dk.Flow("f", "1", into="s")], check_units="off")
    with watchdog(), pytest.raises(dk.ModelError, match=re.escape(setting)):
        dk.simulate(model, **kwargs)
    with watchdog(), pytest.raises(dk.ModelError, match=re.escape(setting)):
        dk.Model("t", model.variables, **kwargs)


def test_whole_number_tolerance_does_not_grow_with_the_number_of_steps():
    model = dk.Model("t", [dk.Stock("s", 0.0), dk.Flow("f", "1", into="s")], check_units="off")
    r = dk.simulate(model, stop=1_000_000, dt=1)
    assert r.time[-1] == 1_000_000 and r["s"][-1] == 1_000_000
    with pytest.raises(dk.ModelError, match="whole number of steps"):
        dk.simulate(model, stop=1_000_000 + 1e-3, dt=1)
    # decimal steps that floats cannot hold exactly are still whole numbers of steps
    for start, stop, dt in [(2006.25, 2022, 1 / 12), (2000, 2030, 0.1), (-3.5, -3.5 + 150 * 0.1, 0.1),
                            (0, 1000, 0.001), (0, 3, 0.0001)]:
        r = dk.simulate(model, start=start, stop=stop, dt=dt)
        assert len(r.time) == round((stop - start) / dt) + 1
        assert r.time[-1] == pytest.approx(stop, abs=1e-9 * max(1, abs(stop)))


def test_numpy_and_fraction_time_settings_are_accepted():
    model = dk.Model("t", [dk.Stock("s", 0.0), dk.Flow("f", "1", into="s")], start=np.int64(0),
                     stop=np.float32(2), dt=Fraction(1, 4), check_units="off")
    assert dk.simulate(model)["s"][-1] == 2
    assert dk.simulate(model, dt=np.float64(0.5))["s"][-1] == 2


def test_huge_numbers_elsewhere_in_declarations_are_model_errors():
    with pytest.raises(dk.ModelError, match="finite"):
        dk.Param("p", 10**400)
    with pytest.raises(dk.ModelError, match="bounds"):
        dk.Param("p", 1, bounds=(0, 10**400))
    with pytest.raises(dk.ModelError, match="finite"):
        dk.Param("p", 1).check(10**400)
    with pytest.raises(dk.ModelError, match="lookup 'l'"):
        dk.Lookup("l", [0, 10**400], [0, 1])


def test_whole_numbers_too_long_to_print_are_model_errors_naming_the_variable():
    # beyond 4300 digits Python refuses to print an int (ValueError) and beyond ~309 to make
    # it a float (OverflowError); both used to escape instead of a ModelError
    huge = 10**5000
    cases = [
        (lambda: dk.Param("p", huge), "p", "default must be a finite number"),
        (lambda: dk.Param("p", 1, bounds=(0, huge)), "p", "bounds must be a pair"),
        (lambda: dk.simulate(dk.Model("t", [dk.Stock("s", 10**400)], check_units="off")), "s", "finite number"),
        (lambda: dk.simulate(dk.Model("t", [dk.Aux("a", huge)], check_units="off")), "a", "finite number"),
        (lambda: dk.simulate(wide(1), params={"p": huge}), "p", "value must be finite"),
        (lambda: dk.ensemble(wide(1), samples={"p": [1.0, huge]}), "p", "must be finite numbers"),
    ]
    for make, variable, words in cases:
        with pytest.raises(dk.ModelError, match=words) as err:
            make()
        assert err.value.variable == variable
        assert len(str(err.value)) < 400  # described, not printed digit by digit
    with pytest.raises(dk.ModelError, match="about 5,001 digits"):
        dk.Model("t", [dk.Stock("s", 1)], stop=huge)
    with pytest.raises(dk.ModelError, match="variables must be a list"):
        dk.Model("t", None)


# ---------------------------------------------------------------- 6. memory


def wide(n_aux=30, **time):
    variables = [dk.Stock("s", 0.0), dk.Flow("f", "p", into="s"),
                 dk.Param("p", 1.0, bounds=(0, 2), uncertainty=(0.5, 1.5))]
    variables += [dk.Aux(f"a{k}", f"s * {k}") for k in range(n_aux)]
    return dk.Model("wide", variables, check_units="off", **time)


def test_simulate_refuses_a_run_too_large_before_running_it():
    model = wide(30, stop=10_000_000, dt=1)  # 10 million steps x 32 variables x 8 bytes = 2.4 GiB
    with watchdog(), pytest.raises(dk.ModelError) as err:
        dk.simulate(model)
    text = str(err.value)
    assert "2.4 GiB" in text and "10,000,001 times" in text and "32 variables" in text
    assert "larger dt" in text and "max_bytes" in text
    with pytest.raises(dk.ModelError, match="larger dt"):
        dk.simulate(wide(2), max_bytes=100)
    with pytest.raises(dk.ModelError, match="max_bytes must be"):
        dk.simulate(wide(2), max_bytes=0)


def test_ensemble_refuses_before_sampling_or_allocating():
    model = wide(2)
    with watchdog(), pytest.raises(dk.ModelError) as err:
        dk.ensemble(model, n=10**12, seed=1)
    text = str(err.value)
    assert "1,000,000,000,000 runs" in text and "GiB" in text
    assert "fewer runs" in text and "record=" in text and "larger dt" in text
    with watchdog(), pytest.raises(dk.ModelError, match="fewer runs"):
        dk.ensemble(model, n=10**12, vary=["p"], sampling="random")
    with pytest.raises(dk.ModelError, match="draw fewer runs"):
        dk.sample_params(model, 10**12)
    # recording fewer variables is the way through
    ens = dk.ensemble(model, n=50, seed=1, record=["s"], max_bytes=11 * 50 * 8)
    assert ens["s"].shape == (11, 50)
    with pytest.raises(dk.ModelError, match="cannot record 'nope'"):
        dk.ensemble(model, n=5, record=["nope"])


def test_a_failing_run_is_named_when_only_some_variables_are_recorded():
    m = dk.Model("div", [dk.Param("p", 1.0, bounds=(-1, 2)), dk.Stock("s", 0.0), dk.Flow("f", "1 / p", into="s"),
                         dk.Aux("shown", "s * 2")], check_units="off")
    with pytest.raises(dk.ModelError, match=r"'f' became infinite at TIME = 0 in run 2 \(p=0\) of model 'div'"):
        dk.ensemble(m, samples={"p": [1.0, 0.5, 0.0, 2.0]}, record=["shown"])


def test_compact_recording_of_large_runs_gives_the_same_numbers(monkeypatch):
    from dpmkit.models import load

    model = load("demo")
    plain = dk.simulate(model)
    monkeypatch.setattr(simulate_module, "_COMPACT_BYTES", 0)
    compact = dk.simulate(model)
    np.testing.assert_array_equal(plain.values, compact.values)
    assert compact.values.flags.writeable


def test_a_lookup_segment_too_steep_for_a_float_runs_as_in_the_ensemble():
    # a slope of 1e10 / 1e-300 is beyond a float: the single run used to stop with "the number
    # inf is not finite", naming neither the table nor the variable; it reads the table as the
    # ensemble does
    table = dk.Lookup("steep", [0, 1e-300, 1], [0, 1e10, 1])
    model = dk.Model("steep_table", [dk.Param("p", 0.5, bounds=(0.2, 1)), table,
                                     dk.Aux("a", "steep(TIME / 100 * p)")], stop=4)
    run = dk.simulate(model)
    expected = [float(np.interp(t / 100 * 0.5, table.x, table.y)) for t in run.time]
    np.testing.assert_allclose(run["a"], expected, rtol=1e-12)
    assert run["a"][0] == 0.0 and run["a"][1] > 9e9
    ens = dk.ensemble(model, n=3, vary={"p": (0.2, 1)}, seed=3)
    for k, p in enumerate(ens.samples["p"]):
        single = dk.simulate(model, params={"p": float(p)})
        np.testing.assert_allclose(ens.values[:, ens.names.index("a"), k], single["a"], rtol=1e-12)
