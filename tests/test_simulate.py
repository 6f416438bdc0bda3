"""Running models: results, parameters, errors, ensembles."""

import numpy as np
import pytest

import dpmkit as dk

# these tests hold the vectorised kernel to single runs with small ensembles (conftest.py)
pytestmark = pytest.mark.usefixtures("vector_ensembles")


@pytest.fixture
def demo():
    return dk.models.load("demo")


def decay(k=0.1):
    return dk.Model("decay", [
        dk.Stock("s", 100, units="people"),
        dk.Flow("out", "s * k", out_of="s", units="people/year"),
        dk.Param("k", k, bounds=(0, 1), units="1/year"),
    ], stop=10, dt=0.5)


def test_result_shape_and_frame(demo):
    r = dk.simulate(demo)
    assert r.values.shape == (241, len(r.names))
    frame = r.to_frame()
    assert frame.index.name == "time"
    assert list(frame.columns[: len(r.names)]) == list(r.names)
    assert (frame["staff_target"] == 20).all()
    long = r.to_long(["staff", "morale"])
    assert set(long.columns) == {"time", "variable", "value"} and len(long) == 2 * 241
    assert r.final("waiting_list") == pytest.approx(r["waiting_list"][-1])
    assert r.at(12, "staff") == r["staff"][48]
    with pytest.raises(dk.ModelError, match="outside the simulated span"):
        r.at(100, "staff")
    with pytest.raises(dk.ModelError, match="did you mean 'staff'"):
        r["staf"]
    assert r.label("waiting_list") == "Waiting list (people)"
    assert r.label("morale") == "Staff morale"  # dimensionless: no "(dimensionless)" on axes


def test_euler_matches_the_hand_computation():
    r = dk.simulate(decay())
    n = np.arange(21)
    np.testing.assert_allclose(r["s"], 100 * (1 - 0.05) ** n, rtol=1e-13)
    np.testing.assert_allclose(r["out"], 0.1 * r["s"], rtol=1e-13)


def test_params_override_and_are_checked(demo):
    low = dk.simulate(demo, {"staff_target": 12})
    high = dk.simulate(demo, {"staff_target": 30})
    assert low.final("waiting_list") > high.final("waiting_list")
    with pytest.raises(dk.ModelError, match="outside its bounds 5 to 40 FTE"):
        dk.simulate(demo, {"staff_target": 100})
    r = dk.simulate(demo, {"staff_target": 100}, allow_out_of_bounds=True)
    assert r.params["staff_target"] == 100
    with pytest.raises(dk.ModelError, match="not a parameter"):
        dk.simulate(demo, {"staff": 3})
    with pytest.raises(dk.ModelError, match="no parameter 'nope'"):
        dk.simulate(demo, {"nope": 3})
    with pytest.raises(dk.ModelError, match="must be a number"):
        dk.simulate(demo, {"staff_target": "ten"})
    with pytest.raises(dk.ModelError, match="finite"):
        dk.simulate(demo, {"staff_target": float("nan")})
    with pytest.raises(dk.ModelError, match="mapping"):
        dk.simulate(demo, [("staff_target", 3)])


def test_time_overrides(demo):
    r = dk.simulate(demo, start=0, stop=12, dt=0.5)
    assert r.time[0] == 0 and r.time[-1] == 12 and len(r.time) == 25
    with pytest.raises(dk.ModelError, match="whole number of steps"):
        dk.simulate(demo, dt=0.7)
    with pytest.raises(dk.ModelError, match="method"):
        dk.simulate(demo, method="heun")
    with pytest.raises(dk.ModelError, match="expected a dpmkit Model"):
        dk.simulate("demo")


def test_non_finite_values_are_reported_with_variable_and_time():
    m = dk.Model("blowup", [
        dk.Stock("s", 1), dk.Flow("f", "1 / (TIME - 3)", into="s"),
    ], check_units="off")
    with pytest.raises(dk.ModelError) as info:
        dk.simulate(m)
    err = info.value
    assert err.variable == "f" and err.time == 3.0
    assert "infinite" in str(err) and "SAFEDIV" in str(err)
    nan = m.with_variables(dk.Flow("f", "SQRT(2 - TIME)", into="s"))
    with pytest.raises(dk.ModelError) as info:
        dk.simulate(nan)
    assert info.value.variable == "f" and info.value.time == 3.0
    assert "NaN" in str(info.value)


def test_growth_without_limit_is_blamed_on_the_stock():
    m = dk.Model("explode", [dk.Stock("s", 10), dk.Flow("f", "s ^ 3", into="s")], check_units="off", stop=100)
    with pytest.raises(dk.ModelError) as info:
        dk.simulate(m)
    assert info.value.variable in ("s", "f")
    assert info.value.time is not None and info.value.time < 10


def test_safe_division_avoids_the_error():
    m = dk.Model("safe", [
        dk.Stock("s", 1), dk.Flow("f", "SAFEDIV(1, TIME - 3, -1) + XIDZ(1, TIME - 3, 5) + ZIDZ(1, TIME - 3)", into="s"),
    ], check_units="off")
    r = dk.simulate(m)
    assert r["f"][3] == -1 + 5 + 0


def test_non_negative_guards():
    m = dk.Model("drain", [
        dk.Stock("s", 5, non_negative=True), dk.Flow("out", "2", out_of="s"),
        dk.Stock("free", 5), dk.Flow("out2", "2", out_of="free"),
        dk.Flow("back", "TIME - 5", into="free", non_negative=True),
    ], check_units="off")
    r = dk.simulate(m)
    assert r["s"].min() == 0
    assert r["s"][3] == 0  # 5 - 2 - 2 = 1, then guarded at 0 instead of -1
    assert r["back"].min() == 0 and r["back"][-1] == 5


def test_simulate_does_not_change_the_model(demo):
    before = dk.models.load("demo")
    dk.simulate(demo, {"staff_target": 10})
    assert demo == before
    assert dk.simulate(demo).final("waiting_list") == dk.simulate(before).final("waiting_list")


# ------------------------------------------------------------------ ensembles


def test_ensemble_from_declared_uncertainty(demo):
    ens = dk.ensemble(demo, n=64, seed=3)
    assert ens.values.shape == (241, len(ens.names), 64)
    assert set(ens.samples) == {"referral_rate", "base_quit_rate"}
    lo, hi = demo["referral_rate"].uncertainty
    assert ens.samples["referral_rate"].min() >= lo and ens.samples["referral_rate"].max() <= hi
    bands = ens.quantiles("waiting_list", q=(0.1, 0.5, 0.9))
    assert bands.shape == (3, 241)
    assert np.all(bands[0] <= bands[1]) and np.all(bands[1] <= bands[2])
    summary = ens.summary("staff")
    assert {"time", "variable", "mean", "q05", "median", "q95"} <= set(summary.columns)
    assert ens.final("staff").shape == (64,)
    assert ens["referral_rate"].shape == (241, 64)


def test_ensemble_member_equals_single_run(demo):
    ens = dk.ensemble(demo, samples={"staff_target": [10, 20, 30], "cases_per_worker": [2, 2.5, 3]})
    for k in range(3):
        single = dk.simulate(demo, {"staff_target": ens.samples["staff_target"][k],
                                    "cases_per_worker": ens.samples["cases_per_worker"][k]})
        np.testing.assert_allclose(ens.member(k).values, single.values, rtol=1e-12, atol=1e-12)


def test_ensemble_rk4_member_equals_single_run(demo):
    ens = dk.ensemble(demo, samples={"staff_target": [12, 28]}, method="rk4")
    single = dk.simulate(demo, {"staff_target": 28}, method="rk4")
    np.testing.assert_allclose(ens.member(1).values, single.values, rtol=1e-12, atol=1e-12)


def test_ensemble_sampling_methods(demo):
    sobol = dk.ensemble(demo, n=32, sampling="sobol", vary=["staff_target"], seed=1, record=["staff"])
    assert sobol.names == ("staff",) and sobol.values.shape == (241, 1, 32)
    with pytest.raises(dk.ModelError, match="power of two"):
        dk.ensemble(demo, n=30, sampling="sobol", seed=1)
    rnd = dk.ensemble(demo, n=10, sampling="random", seed=1)
    again = dk.ensemble(demo, n=10, sampling="random", seed=1)
    np.testing.assert_array_equal(rnd.values, again.values)
    with pytest.raises(dk.ModelError, match="sampling must be"):
        dk.ensemble(demo, n=10, sampling="grid")


def test_ensemble_bad_input(demo):
    with pytest.raises(dk.ModelError, match="same length"):
        dk.ensemble(demo, samples={"staff_target": [10, 20], "cases_per_worker": [2]})
    with pytest.raises(dk.ModelError, match="sample 1 of 'staff_target' is 200"):
        dk.ensemble(demo, samples={"staff_target": [10, 200]})
    with pytest.raises(dk.ModelError, match="not a finite number"):
        dk.ensemble(demo, samples={"staff_target": [10, np.nan]})
    with pytest.raises(dk.ModelError, match="either samples"):
        dk.ensemble(demo)
    with pytest.raises(dk.ModelError, match="not both"):
        dk.ensemble(demo, samples={"staff_target": [10]}, n=3)
    with pytest.raises(dk.ModelError, match="both sampled and fixed"):
        dk.ensemble(demo, samples={"staff_target": [10]}, params={"staff_target": 12})
    with pytest.raises(dk.ModelError, match="cannot record 'staf'"):
        dk.ensemble(demo, n=4, seed=0, record=["staf"])
    with pytest.raises(dk.ModelError, match="GiB"):
        dk.ensemble(demo, n=10_000_000, seed=0, sampling="random")
    no_ranges = dk.Model("m", [dk.Param("p", 1), dk.Stock("s", "p")])
    with pytest.raises(dk.ModelError, match="declares no uncertainty ranges"):
        dk.ensemble(no_ranges, n=4)
    with pytest.raises(dk.ModelError, match="neither bounds"):
        dk.ensemble(no_ranges, n=4, vary=["p"])
    with pytest.raises(dk.ModelError, match="positive whole number"):
        dk.ensemble(demo, n=0)


def test_ensemble_blowup_names_the_run():
    m = dk.Model("blowup", [
        dk.Stock("s", 1), dk.Flow("f", "1 / (TIME - c)", into="s"), dk.Param("c", 3.5, bounds=(0, 10)),
    ], check_units="off")
    with pytest.raises(dk.ModelError) as info:
        dk.ensemble(m, samples={"c": [3.5, 4.0, 5.5]})
    assert info.value.variable == "f" and info.value.time == 4.0
    assert "run 1 (c=4)" in str(info.value)


# ------------------------------------------------------------------ events


def test_events_change_parameters_during_the_run(demo):
    r = dk.simulate(demo, events={12: {"staff_target": 12}, 36: {"staff_target": 30}})
    base = dk.simulate(demo)
    np.testing.assert_array_equal(r["staff"][:49], base["staff"][:49])  # identical until month 12
    assert r["staff_target"][0] == 20  # the frame shows the starting value
    assert r["staff"][48 + 40] < base["staff"][48 + 40]  # fewer staff after the cut
    assert r["recruitment"][36 * 4 + 4] > base["recruitment"][36 * 4 + 4]  # hiring after the restoration


def test_events_list_form_and_static_dependants_are_recomputed():
    m = dk.Model("ev", [
        dk.Param("k", 1, bounds=(0, 10)), dk.Aux("double_k", "2 * k"),
        dk.Stock("s", 0), dk.Flow("f", "double_k", into="s"),
    ], check_units="off")
    r = dk.simulate(m, events=[(5, {"k": 3})])
    assert list(r["double_k"][[0, 4, 5, 10]]) == [2, 2, 6, 6]
    assert r["s"][-1] == 5 * 2 + 5 * 6
    rk = dk.simulate(m, events=[(5, {"k": 3})], method="rk4")
    assert rk["s"][-1] == pytest.approx(40)
    # the plain model is unaffected by the scheduled variant
    assert dk.simulate(m)["s"][-1] == 20


def test_events_in_ensembles(demo):
    ens = dk.ensemble(demo, samples={"staff_target": [10, 30]}, events={24: {"staff_target": 20}})
    for k, start in enumerate([10, 30]):
        single = dk.simulate(demo, {"staff_target": start}, events={24: {"staff_target": 20}})
        np.testing.assert_allclose(ens.member(k).values, single.values, rtol=1e-12, atol=1e-12)


def test_bad_events(demo):
    with pytest.raises(dk.ModelError, match="outside the run"):
        dk.simulate(demo, events={100: {"staff_target": 10}})
    with pytest.raises(dk.ModelError, match="no parameter 'staf'"):
        dk.simulate(demo, events={10: {"staf": 10}})
    with pytest.raises(dk.ModelError, match="outside its bounds"):
        dk.simulate(demo, events={10: {"staff_target": 1000}})
    with pytest.raises(dk.ModelError, match="must map parameter names"):
        dk.simulate(demo, events={10: 5})
    with pytest.raises(dk.ModelError, match="events must be"):
        dk.simulate(demo, events=[1, 2, 3])


@pytest.mark.parametrize("record", [None, ["b", "a"], ["drain", "c"], ["fixed", "a", "ratio"]])
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_ensemble_runs_equal_single_runs_whichever_variables_are_recorded(record, method):
    """The vector kernel computes recorded equations and stocks straight into the output
    (and the rest into arrays of their own); every run must still be the single run."""
    m = dk.Model("into", [
        dk.Param("k", 0.3, bounds=(0, 1)),
        dk.Stock("a", 5, non_negative=True), dk.Stock("b", 1), dk.Stock("c", 2), dk.Stock("fixed", 7),
        dk.Flow("drain", "k * a + 1", out_of="a", into="b"),
        dk.Flow("grow", "MIN(b, 4) * k", into="c"),
        dk.Aux("ratio", "ZIDZ(b, a)"),
        dk.Aux("level", "SMTH1(c, 2)"),
    ], stop=10, dt=0.5, check_units="off")
    ks = [0.0, 0.3, 0.9]
    e = dk.ensemble(m, samples={"k": ks}, record=record, method=method)
    for run, k in enumerate(ks):
        r = dk.simulate(m, {"k": k}, method=method)
        for name in e.names:
            np.testing.assert_array_equal(e[name][:, run], r[name])
    assert e["a" if record is None or "a" in record else e.names[0]].shape == (21, 3)
    if record is None or "a" in record:
        assert e["a"].min() == 0.0  # the non-negative guard held, in place
