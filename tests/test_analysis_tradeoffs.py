"""Clustering test (do outcome families move together?) and trade-off frontiers."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import dpmkit as dk
from dpmkit.analysis import nondominated


def outcomes_model(governance_equation):
    """Two outcome families driven by uncertain parameters: a shared driver and noise."""
    return dk.Model("outcomes", [
        dk.Aux("wellbeing", "driver + 0.3 * noise_a"),
        dk.Aux("employment", "driver + 0.3 * noise_b"),
        dk.Aux("trust", governance_equation),
        dk.Aux("complaints", f"-({governance_equation})"),
        dk.Param("driver", 0.5, bounds=(0, 1), uncertainty=(0, 1)),
        dk.Param("noise_a", 0.5, bounds=(0, 1), uncertainty=(0, 1)),
        dk.Param("noise_b", 0.5, bounds=(0, 1), uncertainty=(0, 1)),
        dk.Param("other", 0.5, bounds=(0, 1), uncertainty=(0, 1)),
        dk.Param("effort", 0.5, bounds=(0, 1), role="policy_lever"),
    ], stop=1)


FAMILIES = {"quality_of_life": ["wellbeing", "employment"], "governance": ["trust"]}


def test_clustering_holds_when_both_families_share_a_driver():
    test = dk.clustering_test(outcomes_model("driver + 0.2 * other"), FAMILIES, n=400, seed=1)
    assert test.holds is True
    assert test.low > 0.3 and test.correlation > 0.8
    assert test.verdict.startswith("Clustering holds in this context")
    assert list(test.scores.columns[:2]) == ["quality_of_life", "governance"]
    assert "driver" in test.scores.columns and "effort" not in test.scores.columns


def test_clustering_does_not_hold_when_the_families_are_independent_or_trade_off():
    independent = dk.clustering_test(outcomes_model("other"), FAMILIES, n=400, seed=2)
    assert independent.holds is False
    assert independent.high < 0.3
    assert "move largely independently" in independent.verdict
    trade_off = dk.clustering_test(outcomes_model("1 - driver"), FAMILIES, n=400, seed=3)
    assert trade_off.holds is False and trade_off.high < 0
    assert "trade off" in trade_off.verdict


def test_clustering_is_inconclusive_with_too_few_runs():
    test = dk.clustering_test(outcomes_model("0.35 * driver + other"), FAMILIES, n=20, seed=4)
    assert test.holds is None
    assert test.low < 0.3 < test.high
    assert test.verdict.startswith("Inconclusive")


def test_lower_is_better_indicators_are_turned_round():
    worse = dk.clustering_test(outcomes_model("driver"), {"quality_of_life": ["wellbeing"],
                                                          "governance": {"complaints": "min"}}, n=300, seed=5)
    better = dk.clustering_test(outcomes_model("driver"), {"quality_of_life": ["wellbeing"],
                                                           "governance": ["trust"]}, n=300, seed=5)
    assert worse.correlation == pytest.approx(better.correlation) and worse.holds is True


def test_fisher_interval_and_bootstrap_interval_agree_roughly():
    model = outcomes_model("driver + other")
    fisher = dk.clustering_test(model, FAMILIES, n=500, seed=6)
    z, half = math.atanh(fisher.correlation), 1.959963984540054 / math.sqrt(500 - 3)
    assert fisher.low == pytest.approx(math.tanh(z - half)) and fisher.high == pytest.approx(math.tanh(z + half))
    boot = dk.clustering_test(model, FAMILIES, n=500, seed=6, interval="bootstrap", n_boot=1000)
    assert boot.correlation == pytest.approx(fisher.correlation)
    assert boot.low == pytest.approx(fisher.low, abs=0.05) and boot.high == pytest.approx(fisher.high, abs=0.05)
    spearman = dk.clustering_test(model, FAMILIES, n=500, seed=6, method="spearman")
    assert spearman.holds is True


def test_more_than_two_families_are_tested_in_pairs():
    families = {"qol": ["wellbeing"], "work": ["employment"], "governance": ["trust"]}
    test = dk.clustering_test(outcomes_model("other"), families, n=400, seed=7)
    assert len(test.pairs) == 3
    assert test.pairs.set_index(["family_a", "family_b"]).loc[("qol", "work"), "holds"]
    assert test.holds is False
    assert "at least one pair" in test.verdict


def test_a_family_that_does_not_vary_is_inconclusive():
    test = dk.clustering_test(outcomes_model("effort"), FAMILIES, n=50, seed=1)
    assert test.holds is None and "does not vary" in test.verdict


def test_clustering_bad_input():
    model = outcomes_model("driver")
    with pytest.raises(dk.ModelError, match="at least two families"):
        dk.clustering_test(model, {"qol": ["wellbeing"]})
    with pytest.raises(dk.ModelError, match=r"no indicator of family 'governance' 'trus'.*did you mean 'trust'"):
        dk.clustering_test(model, {"qol": ["wellbeing"], "governance": ["trus"]})
    with pytest.raises(dk.ModelError, match="'max' or 'min'"):
        dk.clustering_test(model, {"qol": ["wellbeing"], "governance": {"trust": "up"}})
    with pytest.raises(dk.ModelError, match="threshold"):
        dk.clustering_test(model, FAMILIES, threshold=2)
    with pytest.raises(dk.ModelError, match="outside the simulated span"):
        dk.clustering_test(model, FAMILIES, at=5)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 3)), elements=st.integers(0, 5).map(float)))
def test_nondominated_is_exactly_the_set_no_point_beats(F):
    keep = nondominated(F)
    for i in range(len(F)):
        beaten = any(np.all(F[j] <= F[i]) and np.any(F[j] < F[i]) for j in range(len(F)))
        assert keep[i] == (not beaten)


def delayed_model():
    """A quick fix pays off at once; prevention pays more but only after a delay."""
    return dk.Model("prevention", [
        dk.Stock("prevented", 0, units="people"),
        dk.Flow("prevention_effect", "(2 * prevention - prevented) / delay", into="prevented",
                units="people/year"),
        dk.Aux("outcome", "quick_fix + prevented", units="people"),
        dk.Aux("cost", "quick_fix + prevention", units="people"),
        dk.Param("quick_fix", 5, bounds=(0, 10), role="policy_lever", units="people"),
        dk.Param("prevention", 5, bounds=(0, 10), role="policy_lever", units="people"),
        dk.Param("delay", 4, bounds=(1, 10), units="year"),
    ], stop=30, dt=0.25)


def test_frontier_points_are_not_dominated_and_the_base_setting_is_included():
    f = dk.frontier(delayed_model(), {"outcome": "max", "cost": "min"}, n=200, seed=1, at=10)
    pts = f.points
    assert len(pts) == 201 and pts["base"].sum() == 1
    assert pts.loc[pts["base"], ["quick_fix", "prevention"]].to_numpy().tolist() == [[5, 5]]
    front = f.frontier[["outcome", "cost"]].to_numpy()
    everything = pts[["outcome", "cost"]].to_numpy()
    for o, c in front:
        assert not np.any((everything[:, 0] >= o) & (everything[:, 1] <= c)
                          & ((everything[:, 0] > o) | (everything[:, 1] < c)))
    for o, c in pts.loc[pts["dominated"], ["outcome", "cost"]].to_numpy():
        assert np.any((front[:, 0] >= o) & (front[:, 1] <= c) & ((front[:, 0] > o) | (front[:, 1] < c)))
    run = dk.simulate(delayed_model(), {"quick_fix": pts["quick_fix"][7], "prevention": pts["prevention"][7]})
    assert pts["outcome"][7] == pytest.approx(run.at(10, "outcome"))


def test_the_frontier_at_a_short_horizon_differs_from_the_long_one_when_effects_are_delayed():
    f = dk.frontier(delayed_model(), {"outcome": "max", "cost": "min"}, n=300, seed=2, at=[1, 30])
    front = f.frontier
    short, long = front[front["at"] == 1], front[front["at"] == 30]
    # Early on, prevention has not paid off yet: the efficient settings spend on quick fixes.
    assert short["quick_fix"].mean() > 5 > short["prevention"].mean()
    # Thirty years on, prevention gives twice the outcome per unit cost: it is what the frontier holds.
    assert long["prevention"].mean() > 5 > long["quick_fix"].mean()
    short_set = set(map(tuple, short[["quick_fix", "prevention"]].round(9).to_numpy()))
    long_set = set(map(tuple, long[["quick_fix", "prevention"]].round(9).to_numpy()))
    assert len(short_set & long_set) < 0.2 * min(len(short_set), len(long_set))
    assert "at 1:" in repr(f) and "at 30:" in repr(f)


def test_frontier_with_function_objectives_and_explicit_levers():
    f = dk.frontier(delayed_model(), {"cumulative": (lambda ens: ens["outcome"].sum(axis=0), "max"),
                                      "cost": "min"}, levers=["prevention"], n=50, seed=3,
                    params={"quick_fix": 0})
    assert f.levers == ["prevention"] and (f.points["cost"] == f.points["prevention"]).all()


def test_frontier_bad_input():
    model = delayed_model()
    with pytest.raises(dk.ModelError, match="no objective 'outcom'"):
        dk.frontier(model, {"outcom": "max"})
    with pytest.raises(dk.ModelError, match="'max' or 'min'"):
        dk.frontier(model, {"outcome": "more"})
    with pytest.raises(dk.ModelError, match="declares no policy levers"):
        dk.frontier(model.with_variables(dk.Param("quick_fix", 5, bounds=(0, 10), units="people"),
                                         dk.Param("prevention", 5, bounds=(0, 10), units="people")),
                    {"outcome": "max"})
    with pytest.raises(dk.ModelError, match="both a lever"):
        dk.frontier(model, {"outcome": "max"}, params={"prevention": 1})
    with pytest.raises(dk.ModelError, match="outside the simulated span"):
        dk.frontier(model, {"outcome": "max"}, at=[1, 50])
    with pytest.raises(dk.ModelError, match="neither bounds nor an uncertainty range"):
        dk.frontier(model.with_variables(dk.Param("delay", 4, units="year")), {"outcome": "max"}, levers=["delay"])
