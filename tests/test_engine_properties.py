"""Property tests for the simulation engine (Hypothesis).

Random small stock-and-flow models and random parameter values check what must hold
for every model: stocks change by net flow times dt, runs do not leak state into each
other, ensembles are reproducible from their seed and every member is an ordinary
run, Latin hypercube samples are stratified, and the time grid is what was asked for.
"""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk

# hypothesis holds the vectorised kernel to single runs with small ensembles (conftest.py)
pytestmark = [pytest.mark.filterwarnings("error"), pytest.mark.usefixtures("vector_ensembles")]

PARAM_BOUNDS = {
    "a_in": (0.0, 10.0),
    "g": (-0.5, 0.5),
    "k": (0.0, 1.0),
    "d": (0.0, 1.0),
    "cap": (0.0, 10.0),
    "threshold": (0.0, 50.0),
    "e": (0.0, 1.0),
}
INFLOWS_A = (
    "a_in",
    "a_in + g * stock_a",
    "a_in * EXP(-stock_a / 50)",
    "MAX(0, a_in - g * stock_a)",
)
TRANSFERS = (
    "k * stock_a",
    "k * stock_a * stock_b / (1 + ABS(stock_a) + ABS(stock_b))",
    "k * SQRT(ABS(stock_a))",
    "MIN(k * stock_a, cap)",
    "k * pressure",
)
OUTFLOWS_B = (
    "d * stock_b",
    "d * stock_b ^ 2 / (1 + ABS(stock_b))",
    "IF stock_b > threshold THEN d * stock_b ELSE 0",
    "d * SMTH1(stock_b, 2)",
)
LEAKS = (None, "e * stock_a", "e * DELAY1(stock_a, 3)")
DTS = (0.0625, 0.1, 0.125, 0.2, 0.25, 0.5, 1.0)


def network_model(structure=(0, 0, 0, 0), x0=(50.0, 20.0), *, start=0.0, stop=10.0, dt=0.25, method="euler"):
    """Two stocks, an inflow, a transfer, an outflow and maybe a leak; equations chosen by index."""
    inflow, transfer, outflow, leak = structure
    variables = [
        dk.Stock("stock_a", x0[0]),
        dk.Stock("stock_b", x0[1]),
        dk.Flow("inflow_a", INFLOWS_A[inflow], into="stock_a"),
        dk.Flow("transfer", TRANSFERS[transfer], out_of="stock_a", into="stock_b"),
        dk.Flow("outflow_b", OUTFLOWS_B[outflow], out_of="stock_b"),
        dk.Aux("pressure", "stock_a / (1 + ABS(stock_b))"),
    ]
    if LEAKS[leak] is not None:
        variables.append(dk.Flow("leak_a", LEAKS[leak], out_of="stock_a"))
    variables += [dk.Param(name, (lo + hi) / 2, bounds=(lo, hi)) for name, (lo, hi) in PARAM_BOUNDS.items()]
    return dk.Model("network", variables, start=start, stop=stop, dt=dt, method=method)


def stateful_model(height_uncertainty=None):
    """A model full of built-ins that keep state between steps (delays, smoothing, INIT, PULSE),
    plus a lookup and logic, so single runs and vectorised ensembles exercise the same features."""
    return dk.Model(
        "stateful",
        [
            dk.Stock("level", 10),
            dk.Flow("filling", "PULSE(5, 2, 3) + STEP(height, 4) + RAMP(0.1, 6, 9)", into="level"),
            dk.Flow("draining", "DELAY3(level * rate, 2)", out_of="level"),
            dk.Flow(
                "overflow",
                "IF level > 12 AND NOT (rate > 0.9) THEN pressure * MAX(level - 12, 0) "
                "ELSE ZIDZ(level, 100 + 100 * height)",
                out_of="level",
            ),
            dk.Aux("pressure", "crowding(level / 10)"),
            dk.Lookup("crowding", x=[0.9, 1.1, 1.3], y=[0.1, 0.5, 1.0]),
            dk.Aux("smoothed", "SMTH1(level, 3)"),
            dk.Aux("relative", "level / INIT(level)"),
            dk.Aux("shipped", "DELAYN(draining, 1.5, 2)"),
            dk.Param("height", 1.0, bounds=(0, 5), uncertainty=height_uncertainty),
            dk.Param("rate", 0.2, bounds=(0, 1)),
        ],
        stop=12.0,
        dt=0.25,
    )


structures = st.tuples(
    st.integers(0, len(INFLOWS_A) - 1),
    st.integers(0, len(TRANSFERS) - 1),
    st.integers(0, len(OUTFLOWS_B) - 1),
    st.integers(0, len(LEAKS) - 1),
)
param_values = st.fixed_dictionaries(
    {name: st.floats(lo, hi, allow_nan=False) for name, (lo, hi) in PARAM_BOUNDS.items()}
)
initials = st.tuples(st.floats(0, 100), st.floats(0, 100))
stateful_params = st.fixed_dictionaries({"height": st.floats(0, 5), "rate": st.floats(0, 1)})


def flows_of(model, stock):
    inflows = [v.name for v in model.variables if isinstance(v, dk.Flow) and v.into == stock]
    outflows = [v.name for v in model.variables if isinstance(v, dk.Flow) and v.out_of == stock]
    return inflows, outflows


def in_bins(samples, lo, hi):
    n = len(samples)
    bins = np.floor((np.asarray(samples) - lo) / (hi - lo) * n).astype(int)
    return np.sort(np.clip(bins, 0, n - 1))


@settings(max_examples=40)
@given(structure=structures, params=param_values, x0=initials, dt=st.sampled_from(DTS),
       stop=st.sampled_from([5.0, 10.0, 20.0]))
def test_euler_stock_change_equals_net_flow_times_dt(structure, params, x0, dt, stop):
    model = network_model(structure, x0, stop=stop, dt=dt, method="euler")
    res = dk.simulate(model, params=params)
    for stock in ("stock_a", "stock_b"):
        inflows, outflows = flows_of(model, stock)
        net = sum(res[f] for f in inflows) - sum(res[f] for f in outflows)
        level = res[stock]
        scale = 1 + np.max(np.abs(level)) + dt * max(np.max(np.abs(res[f])) for f in inflows + outflows)
        np.testing.assert_allclose(np.diff(level), dt * net[:-1], rtol=1e-9, atol=1e-12 * scale)
        assert level[0] == pytest.approx(x0[0] if stock == "stock_a" else x0[1], abs=1e-12)


@settings(max_examples=40)
@given(
    structure=structures,
    params=param_values,
    start=st.sampled_from([0.0, 1.0, -3.5, 2000.0]),
    dt=st.sampled_from(DTS),
    steps=st.integers(1, 150),
    method=st.sampled_from(["euler", "rk4"]),
)
def test_results_are_finite_on_the_requested_grid(structure, params, start, dt, steps, method):
    stop = start + steps * dt
    model = network_model(structure, start=start, stop=stop, dt=dt, method=method)
    res = dk.simulate(model, params=params)
    n_points = round((stop - start) / dt) + 1
    tol = 1e-9 * max(1.0, abs(stop))
    assert res.time.shape == (n_points,)
    assert res.values.shape == (n_points, len(res.names))
    assert np.all(np.isfinite(res.values))
    np.testing.assert_allclose(res.time, start + dt * np.arange(n_points), rtol=0, atol=tol)
    assert res.time[0] == pytest.approx(start, abs=tol)
    assert res.time[-1] == pytest.approx(stop, abs=tol)
    # The same grid when the span is given to simulate instead of the model.
    base = network_model(structure, method=method)
    again = dk.simulate(base, params=params, start=start, stop=stop, dt=dt)
    np.testing.assert_allclose(again.time, res.time, rtol=0, atol=tol)
    np.testing.assert_allclose(again.values, res.values, rtol=1e-12, atol=1e-12)


def test_recorded_names_are_stocks_flows_and_auxes_not_params():
    model = network_model((0, 4, 3, 2))
    res = dk.simulate(model)
    assert set(res.names) == {"stock_a", "stock_b", "inflow_a", "transfer", "outflow_b", "pressure", "leak_a"}
    assert len(res.names) == len(set(res.names))
    for i, name in enumerate(res.names):
        np.testing.assert_array_equal(res.values[:, i], res[name])


@settings(max_examples=25)
@given(params_a=stateful_params, params_b=param_values, structure=structures)
def test_runs_do_not_leak_state(params_a, params_b, structure):
    model_a = stateful_model()
    model_b = network_model(structure)
    snapshot_a, snapshot_b = copy.deepcopy(model_a), copy.deepcopy(model_b)
    default_first = dk.simulate(model_a)
    first = dk.simulate(model_a, params=params_a)
    dk.simulate(model_b, params=params_b)
    dk.simulate(model_a, params={"height": 5.0, "rate": 1.0}, method="rk4")
    dk.ensemble(model_a, n=3, vary=["height", "rate"], seed=1)
    default_again = dk.simulate(model_a)
    again = dk.simulate(model_a, params=params_a)
    assert again.names == first.names
    np.testing.assert_array_equal(again.time, first.time)
    np.testing.assert_array_equal(again.values, first.values)
    np.testing.assert_array_equal(default_again.values, default_first.values)
    assert model_a == snapshot_a
    assert model_b == snapshot_b


@settings(max_examples=25)
@given(params=stateful_params)
def test_with_params_makes_a_new_model_and_leaves_the_old_one(params):
    model = stateful_model()
    snapshot = copy.deepcopy(model)
    changed = model.with_params(**params)
    assert model == snapshot
    assert {p.name: p.default for p in model.variables if isinstance(p, dk.Param)} == {"height": 1.0, "rate": 0.2}
    via_model = dk.simulate(changed)
    via_params = dk.simulate(model, params=params)
    np.testing.assert_allclose(via_model.values, via_params.values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(via_model["height"], np.full(len(via_model.time), params["height"]), rtol=0, atol=0)


def test_param_outside_bounds_is_rejected_unless_allowed():
    model = stateful_model()
    with pytest.raises(dk.ModelError) as info:
        dk.simulate(model, params={"rate": 1.5})
    assert isinstance(info.value, ValueError)
    assert info.value.variable == "rate"
    inside = dk.simulate(model, params={"rate": 1.0})
    outside = dk.simulate(model, params={"rate": 1.5}, allow_out_of_bounds=True)
    assert np.all(np.isfinite(outside.values))
    assert not np.allclose(outside["level"], inside["level"])


def test_errors_name_the_variable_and_the_position_or_time():
    with pytest.raises(dk.ModelError) as info:
        dk.simulate(dk.Model("broken", [dk.Aux("y", "2 * (TIME + ")], stop=4.0))
    assert info.value.variable == "y"
    assert info.value.position is not None and 0 <= info.value.position <= len("2 * (TIME + ")
    with pytest.raises(dk.ModelError) as info:
        dk.simulate(dk.Model("blows_up", [dk.Aux("y", "1 / (TIME - 2)")], stop=4.0))
    assert info.value.variable == "y"
    assert info.value.time == pytest.approx(2.0)


def test_result_frame_matches_arrays_and_includes_params():
    model = stateful_model()
    res = dk.simulate(model, params={"height": 2.5})
    frame = res.to_frame()
    np.testing.assert_array_equal(frame.index.to_numpy(), res.time)
    for name in res.names:
        np.testing.assert_array_equal(frame[name].to_numpy(), res[name])
    np.testing.assert_array_equal(frame["height"].to_numpy(), np.full(len(res.time), 2.5))
    np.testing.assert_array_equal(frame["rate"].to_numpy(), np.full(len(res.time), 0.2))
    np.testing.assert_array_equal(res["rate"], np.full(len(res.time), 0.2))


@settings(max_examples=20)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 12),
    sampling=st.sampled_from(["lhs", "random"]),
)
def test_ensemble_is_reproducible_from_its_seed(seed, n, sampling):
    model = stateful_model()
    vary = ["height", "rate"]
    one = dk.ensemble(model, n=n, vary=vary, seed=seed, sampling=sampling)
    np.random.seed(seed % 1000)  # global numpy state must not matter
    two = dk.ensemble(model, n=n, vary=vary, seed=seed, sampling=sampling)
    other = dk.ensemble(model, n=n, vary=vary, seed=seed + 1, sampling=sampling)
    assert one.values.shape == (len(one.time), len(one.names), n)
    np.testing.assert_array_equal(one.values, two.values)
    for name in vary:
        assert one.samples[name].shape == (n,)
        np.testing.assert_array_equal(one.samples[name], two.samples[name])
    assert any(not np.array_equal(one.samples[name], other.samples[name]) for name in vary)
    assert not np.array_equal(one.values, other.values)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31), n=st.sampled_from([2, 4, 8, 16]))
def test_sobol_ensemble_is_reproducible_and_within_bounds(seed, n):
    model = stateful_model()
    one = dk.ensemble(model, n=n, vary=["height", "rate"], seed=seed, sampling="sobol")
    two = dk.ensemble(model, n=n, vary=["height", "rate"], seed=seed, sampling="sobol")
    np.testing.assert_array_equal(one.values, two.values)
    for name, (lo, hi) in (("height", (0, 5)), ("rate", (0, 1))):
        np.testing.assert_array_equal(one.samples[name], two.samples[name])
        assert np.all((one.samples[name] >= lo) & (one.samples[name] <= hi))


def assert_members_are_single_runs(ens, model, n, fixed=None, method=None):
    for k in range(n):
        params = {name: float(values[k]) for name, values in ens.samples.items()}
        params.update(fixed or {})
        single = dk.simulate(model, params=params, method=method)
        member = ens.member(k)
        assert member.names == single.names
        np.testing.assert_allclose(member.time, single.time, rtol=0, atol=0)
        np.testing.assert_allclose(member.values, single.values, rtol=1e-12, atol=1e-12)
        for name in single.names:
            np.testing.assert_allclose(ens[name][:, k], single[name], rtol=1e-12, atol=1e-12)


@settings(max_examples=20)
@given(data=st.data())
def test_explicit_sample_members_equal_single_runs(data):
    model = stateful_model()
    n = data.draw(st.integers(1, 6))
    heights = np.array(data.draw(st.lists(st.floats(0, 5), min_size=n, max_size=n)))
    rates = np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    ens = dk.ensemble(model, {"height": heights, "rate": rates})
    assert ens.values.shape == (len(ens.time), len(ens.names), n)
    np.testing.assert_array_equal(ens.samples["height"], heights)
    np.testing.assert_array_equal(ens.samples["rate"], rates)
    assert_members_are_single_runs(ens, model, n)

    fixed_rate = data.draw(st.floats(0, 1))
    partial = dk.ensemble(model, samples={"height": heights}, params={"rate": fixed_rate}, method="rk4")
    assert set(partial.samples) == {"height"}
    assert_members_are_single_runs(partial, model, n, fixed={"rate": fixed_rate}, method="rk4")


@settings(max_examples=15)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 10), method=st.sampled_from(["euler", "rk4"]))
def test_lhs_sample_members_equal_single_runs(seed, n, method):
    model = stateful_model()
    ens = dk.ensemble(model, n=n, vary=["height", "rate"], seed=seed, method=method)
    assert set(ens.samples) == {"height", "rate"}
    assert_members_are_single_runs(ens, model, n, method=method)


@settings(max_examples=30)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 40))
def test_lhs_samples_are_stratified_within_their_ranges(seed, n):
    # height declares an uncertainty range inside its bounds; rate only bounds.
    model = stateful_model(height_uncertainty=(0.5, 2.0))
    ens = dk.ensemble(model, n=n, vary=["height", "rate"], seed=seed, sampling="lhs")
    for name, (lo, hi) in (("height", (0.5, 2.0)), ("rate", (0.0, 1.0))):
        samples = ens.samples[name]
        assert samples.shape == (n,)
        assert np.all((samples >= lo) & (samples <= hi)), (name, samples)
        np.testing.assert_array_equal(in_bins(samples, lo, hi), np.arange(n), err_msg=name)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 20))
def test_random_samples_lie_within_uncertainty_range(seed, n):
    model = stateful_model(height_uncertainty=(0.5, 2.0))
    ens = dk.ensemble(model, n=n, vary=["height"], seed=seed, sampling="random")
    assert set(ens.samples) == {"height"}
    assert np.all((ens.samples["height"] >= 0.5) & (ens.samples["height"] <= 2.0))
    assert_members_are_single_runs(ens, model, n)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 15))
def test_ensemble_summaries_agree_with_the_runs(seed, n):
    model = stateful_model()
    ens = dk.ensemble(model, n=n, vary=["height", "rate"], seed=seed)
    runs = ens["level"]
    assert runs.shape == (len(ens.time), n)
    np.testing.assert_array_equal(ens.final("level"), runs[-1])
    q = (0.05, 0.5, 0.95)
    np.testing.assert_allclose(ens.quantiles("level", q=q), np.quantile(runs, q, axis=1), rtol=1e-12, atol=1e-12)
    q = (0.1, 0.25, 0.9)
    np.testing.assert_allclose(ens.quantiles("level", q=q), np.quantile(runs, q, axis=1), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(ens.time, dk.simulate(model).time)

    recorded = dk.ensemble(model, samples=ens.samples, record=["level"])
    assert recorded.names == ("level",)
    np.testing.assert_allclose(recorded["level"], runs, rtol=1e-12, atol=1e-12)
