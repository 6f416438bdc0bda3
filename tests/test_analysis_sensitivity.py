"""Sensitivity: one-at-a-time (tornado), Sobol and Morris on models with known answers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk
import dpmkit.analysis.sensitivities as sensitivity_module


def linear_model(a=3.0, b=1.0, range1=(0.0, 1.0), range2=(0.0, 1.0)):
    """Y = a X1 + b X2 (an auxiliary), X1 and X2 uncertain and uniform on their ranges."""
    return dk.Model("linear", [
        dk.Aux("y", "a * x1 + b * x2"),
        dk.Param("x1", (range1[0] + range1[1]) / 2, bounds=range1, uncertainty=range1),
        dk.Param("x2", (range2[0] + range2[1]) / 2, bounds=range2, uncertainty=range2),
        dk.Param("a", a),
        dk.Param("b", b),
    ], stop=1)


def test_sobol_indices_of_a_linear_model_match_the_analytic_values():
    # First-order index of X1: a² Var(X1) / (a² Var(X1) + b² Var(X2)) = 9 / 10 here.
    table = dk.sensitivity(linear_model(), "y", method="sobol", n=1024, seed=2).set_index("param")
    assert table.loc["x1", "S1"] == pytest.approx(0.9, abs=0.04)
    assert table.loc["x2", "S1"] == pytest.approx(0.1, abs=0.04)
    # additive model: total = first order
    assert table.loc["x1", "ST"] == pytest.approx(0.9, abs=0.04)
    assert table.loc["x2", "ST"] == pytest.approx(0.1, abs=0.04)
    assert (table["S1_conf"] > 0).all()


def test_sobol_uses_the_given_ranges():
    # X2 on [0, 3] with b = 1 has the same variance share as X1 on [0, 1] with a = 3.
    table = dk.sensitivity(linear_model(), "y", params={"x1": (0, 1), "x2": (0, 1)}, method="sobol", n=512,
                           seed=1, fixed={}).set_index("param")
    assert table.loc["x1", "S1"] == pytest.approx(0.9, abs=0.05)
    wide = linear_model(range2=(0.0, 3.0))
    table = dk.sensitivity(wide, "y", method="sobol", n=1024, seed=4).set_index("param")
    assert table.loc["x1", "S1"] == pytest.approx(0.5, abs=0.05)
    assert table.loc["x2", "S1"] == pytest.approx(0.5, abs=0.05)


def test_morris_elementary_effects_of_a_linear_model_are_exact():
    table = dk.sensitivity(linear_model(a=3, b=-2), "y", method="morris", n=20, seed=3).set_index("param")
    # effect of moving across the whole range: a (hi - lo), with no interaction (sigma 0)
    assert table.loc["x1", "mu"] == pytest.approx(3.0)
    assert table.loc["x2", "mu"] == pytest.approx(-2.0)
    assert table.loc["x2", "mu_star"] == pytest.approx(2.0)
    assert np.allclose(table["sigma"], 0, atol=1e-9)


@settings(max_examples=40)
@given(a=st.floats(-10, 10), b=st.floats(-10, 10), lo=st.floats(-5, 5), width=st.floats(0.1, 10))
def test_oat_swing_of_a_linear_model_is_slope_times_range(a, b, lo, width):
    model = linear_model(a, b, range1=(lo, lo + width))
    table = dk.sensitivity(model, "y", params=["x1", "x2"])
    row = table.set_index("param").loc["x1"]
    assert row["swing"] == pytest.approx(abs(a) * width, rel=1e-9, abs=1e-9)
    assert row["output_high"] - row["output_low"] == pytest.approx(a * width, rel=1e-9, abs=1e-9)
    assert row["output_base"] == pytest.approx(a * (lo + width / 2) + b * 0.5, rel=1e-9, abs=1e-9)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)


def test_oat_matches_single_runs_and_sorts_by_swing():
    demo = dk.models.load("demo")
    table = dk.sensitivity(demo, outputs="waiting_list", params=["referral_rate", "staff_target", "hiring_delay"])
    assert list(table.columns) == ["output", "param", "param_low", "param_base", "param_high", "output_low",
                                   "output_base", "output_high", "swing"]
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    for row in table.itertuples():
        assert row.output_low == pytest.approx(dk.simulate(demo, {row.param: row.param_low}).final("waiting_list"))
        assert row.output_high == pytest.approx(dk.simulate(demo, {row.param: row.param_high}).final("waiting_list"))
        assert row.output_base == pytest.approx(dk.simulate(demo).final("waiting_list"))
    ref = table.set_index("param").loc["referral_rate"]
    assert (ref["param_low"], ref["param_high"]) == (30, 50)  # its uncertainty range
    staff = table.set_index("param").loc["staff_target"]
    assert (staff["param_low"], staff["param_high"]) == (5, 40)  # no uncertainty range: its bounds


def test_outputs_at_a_time_and_as_functions():
    demo = dk.models.load("demo")
    table = dk.sensitivity(demo, outputs={"peak": lambda ens: ens["waiting_list"].max(axis=0), "early": "staff"},
                           params=["referral_rate"], at=12)
    peak = table[table["output"] == "peak"].iloc[0]
    assert peak["output_high"] == pytest.approx(dk.simulate(demo, {"referral_rate": 50})["waiting_list"].max())
    early = table[table["output"] == "early"].iloc[0]
    assert early["output_low"] == pytest.approx(dk.simulate(demo, {"referral_rate": 30}).at(12, "staff"))


def test_all_runs_of_one_analysis_are_one_ensemble(monkeypatch):
    calls = []
    real = sensitivity_module.ensemble
    monkeypatch.setattr(sensitivity_module, "ensemble", lambda *a, **k: calls.append(1) or real(*a, **k))
    demo = dk.models.load("demo")
    dk.sensitivity(demo, ["waiting_list", "staff"], method="sobol", n=64, seed=1)
    dk.sensitivity(demo, ["waiting_list", "staff"], method="morris", n=10, seed=1)
    dk.sensitivity(demo, ["waiting_list", "staff"])
    assert len(calls) == 3


def test_an_output_that_does_not_vary_has_undefined_sobol_indices():
    model = dk.Model("flat", [dk.Aux("y", "c"), dk.Aux("z", "x"), dk.Param("c", 1),
                              dk.Param("x", 0.5, bounds=(0, 1), uncertainty=(0, 1))], stop=1)
    table = dk.sensitivity(model, ["y", "z"], method="sobol", n=64, seed=1).set_index("output")
    assert np.isnan(table.loc["y", "S1"]) and table.loc["z", "S1"] == pytest.approx(1, abs=0.05)


def test_sensitivity_is_reproducible_with_a_seed():
    model = linear_model()
    a = dk.sensitivity(model, "y", method="sobol", n=128, seed=5)
    b = dk.sensitivity(model, "y", method="sobol", n=128, seed=5)
    assert a.equals(b)


def test_sensitivity_bad_input():
    demo = dk.models.load("demo")
    with pytest.raises(dk.ModelError, match=r"no output 'waitinglist'.*did you mean 'waiting_list'"):
        dk.sensitivity(demo, "waitinglist")
    with pytest.raises(dk.ModelError, match="no parameter 'referal_rate'"):
        dk.sensitivity(demo, "waiting_list", ["referal_rate"])
    with pytest.raises(dk.ModelError, match="power of two"):
        dk.sensitivity(demo, "waiting_list", method="sobol", n=100)
    with pytest.raises(dk.ModelError, match="method must be one of"):
        dk.sensitivity(demo, "waiting_list", method="fast")
    with pytest.raises(dk.ModelError, match="outside the simulated span"):
        dk.sensitivity(demo, "waiting_list", at=100)
    with pytest.raises(dk.ModelError, match="both varied"):
        dk.sensitivity(demo, "waiting_list", ["referral_rate"], fixed={"referral_rate": 40})
    with pytest.raises(dk.ModelError, match="beyond its bounds"):
        dk.sensitivity(demo, "waiting_list", {"referral_rate": (0, 40)})
    with pytest.raises(dk.ModelError, match="one number per run"):
        dk.sensitivity(demo, {"bad": lambda ens: ens["waiting_list"]})
    with pytest.raises(dk.ModelError, match="the function for output 'broken' failed: ZeroDivisionError"):
        dk.sensitivity(demo, {"broken": lambda ens: 1 / 0})
    with pytest.raises(dk.ModelError, match="no variable 'nonsense'"):
        dk.sensitivity(demo, {"typo": lambda ens: ens["nonsense"][-1]})
    with pytest.raises(dk.ModelError, match="neither bounds nor an uncertainty range"):
        dk.sensitivity(linear_model(), "y", ["a"])


def test_default_outputs_are_the_end_results():
    demo = dk.models.load("demo")
    table = dk.sensitivity(demo, params=["referral_rate"])
    # since issue 11, end results are the flows that change the strategic resources
    assert list(table["output"]) == [v.name for v in demo.with_role("end_result")]
    assert "served" in list(table["output"])
