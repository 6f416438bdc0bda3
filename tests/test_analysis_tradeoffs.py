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
    assert test.holds is True and test.decision == "holds"
    assert test.low > 0.3 and test.correlation > 0.8
    assert test.verdict.startswith("Clustering holds in this context")
    assert list(test.scores.columns[:2]) == ["quality_of_life", "governance"]
    assert "driver" in test.scores.columns and "effort" not in test.scores.columns


def test_clustering_does_not_hold_when_the_families_are_independent_or_trade_off():
    independent = dk.clustering_test(outcomes_model("other"), FAMILIES, n=400, seed=2)
    assert independent.holds is False and independent.decision == "does not hold"
    assert independent.high < 0.3
    assert "move largely independently" in independent.verdict
    trade_off = dk.clustering_test(outcomes_model("1 - driver"), FAMILIES, n=400, seed=3)
    assert trade_off.holds is False and trade_off.high < 0
    assert "trade off" in trade_off.verdict


def test_clustering_is_inconclusive_with_too_few_runs():
    test = dk.clustering_test(outcomes_model("0.35 * driver + other"), FAMILIES, n=20, seed=4)
    assert test.holds is None and test.decision == "inconclusive"
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


@settings(max_examples=60)
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


# --------------------------------------------------------------------------- sequential clustering test

def true_correlation(share):
    """The family scores' correlation for governance = share * driver + other, from a million draws
    made here with numpy (the families' scores as the test defines them)."""
    rng = np.random.default_rng(99)
    driver, na, nb, other = rng.random((4, 1_000_000))

    def z(x):
        return (x - x.mean()) / x.std()
    qol = (z(driver + 0.3 * na) + z(driver + 0.3 * nb)) / 2
    return float(np.corrcoef(qol, share * driver + other)[0, 1])


def test_sequential_test_adds_runs_until_decided_and_says_how_many():
    truth = true_correlation(0.8)
    assert truth > 0.5  # a clear case: clustering holds
    fixed = dk.clustering_test(outcomes_model("0.8 * driver + other"), FAMILIES, n=10, seed=4)
    assert fixed.holds is None and fixed.runs_to_decide > 10
    seq = dk.clustering_test(outcomes_model("0.8 * driver + other"), FAMILIES, n=10, max_runs=5120, seed=4)
    assert seq.holds is True and seq.decided and seq.runs_to_decide is None
    assert seq.n_runs in [10 * 2 ** k for k in range(10)] and seq.n_runs > 10
    assert len(seq.scores) == seq.n_runs
    assert f"Decided after {seq.n_runs:,} runs" in seq.verdict
    # Each look is recorded; only the last is decided.
    assert list(seq.looks["runs"]) == [10 * 2 ** k for k in range(len(seq.looks))]
    assert seq.looks["holds"].iloc[-1] is True and all(h is None for h in seq.looks["holds"].iloc[:-1])
    # Ten possible looks (10 ... 5120): each uses a 99.5% interval, Fisher's at the runs used.
    assert seq.look_confidence == pytest.approx(1 - 0.05 / 10)
    z, half = math.atanh(seq.correlation), 2.807033768343811 / math.sqrt(seq.n_runs - 3)
    assert seq.low == pytest.approx(math.tanh(z - half)) and seq.high == pytest.approx(math.tanh(z + half))
    assert abs(seq.correlation - truth) < 0.15


def test_the_verdict_is_stable_when_the_runs_double():
    model = dk.models.load("three_objectives")
    families = {"quality of life": ["outcomes"], "governance": ["governance"]}
    # Notebook 05's default context after two years: 300 runs alone are inconclusive.
    assert dk.clustering_test(model, families, n=300, seed=1, at=2).holds is None
    first = dk.clustering_test(model, families, n=300, max_runs=4800, seed=1, at=2)
    doubled = dk.clustering_test(model, families, n=600, max_runs=9600, seed=1, at=2)
    assert first.decided and doubled.decided
    assert first.holds is doubled.holds is False
    # And a fixed test with twice the runs the sequential test needed, at the same level, agrees.
    twice = dk.clustering_test(model, families, n=2 * first.n_runs, seed=2, at=2,
                               confidence=first.look_confidence)
    assert twice.holds is first.holds


def test_undecided_at_the_cap_says_how_many_runs_would_decide_it():
    share = 0.45
    test = dk.clustering_test(outcomes_model(f"{share} * driver + other"), FAMILIES, n=20, max_runs=40, seed=4)
    assert test.holds is None and not test.decided and test.n_runs == 40
    need = test.runs_to_decide
    assert need % 100 == 0 and need > 40
    assert f"about {need:,} runs would decide it" in test.verdict
    # At that many runs a Fisher interval around the same correlation clears the threshold; 100 fewer would not
    # (the estimate is rounded up to a hundred).
    from scipy.stats import norm

    zc = norm.ppf(0.5 + test.look_confidence / 2)

    def clears(n):
        z = math.atanh(test.correlation)
        lo, hi = math.tanh(z - zc / math.sqrt(n - 3)), math.tanh(z + zc / math.sqrt(n - 3))
        return lo > 0.3 or hi < 0.3
    assert clears(need) and not clears(need - 100)
    fixed = dk.clustering_test(outcomes_model(f"{share} * driver + other"), FAMILIES, n=20, seed=4)
    assert fixed.holds is None and "runs would decide it" in fixed.verdict


def test_ranges_replace_the_sampled_uncertainty():
    model = outcomes_model("driver + 0.2 * other")
    test = dk.clustering_test(model, FAMILIES, n=200, seed=1, ranges={"driver": (0.4, 0.5)})
    assert test.scores["driver"].between(0.4, 0.5).all()
    assert test.scores["other"].between(0, 1).all() and test.scores["other"].max() > 0.9
    # Narrowing the shared driver leaves mostly noise: the verdict changes.
    assert dk.clustering_test(model, FAMILIES, n=200, seed=1).holds is True
    assert test.holds is not True
    import pandas as pd

    table = pd.DataFrame({"low": [0.4], "high": [0.5]}, index=["driver"])
    same = dk.clustering_test(model, FAMILIES, n=200, seed=1, ranges=table)
    assert same.correlation == pytest.approx(test.correlation)


@pytest.mark.parametrize("kwargs, words", [
    ({"n": 100, "max_runs": 50}, "max_runs"),
    ({"ranges": {"drivr": (0, 1)}}, "did you mean 'driver'"),
    ({"ranges": {"driver": (0.5, 0.4)}}, "low < high"),
    ({"ranges": {"driver": "wide"}}, "pair of numbers"),
    ({"ranges": [("driver", 0, 1)]}, "ranges must be"),
])
def test_sequential_bad_input(kwargs, words):
    with pytest.raises(dk.ModelError, match=words):
        dk.clustering_test(outcomes_model("driver"), FAMILIES, **kwargs)
