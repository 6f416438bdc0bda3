"""Reference behaviour of targets_vs_learning: gaming, the J-curve and parking of the hard to help."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk

MODEL = dk.models.load("targets_vs_learning")
PEOPLE = ("easy_clients", "hard_clients", "parked")


@pytest.fixture(scope="module")
def runs():
    return {name: dk.simulate(MODEL, MODEL.scenario(name)) for name in ("targets", "learning")}


@pytest.fixture(scope="module")
def paired_ensembles():
    # The same sampled uncertainties under both regimes, so runs can be compared pairwise.
    samples = dk.sample_params(MODEL, 200, seed=5)
    return (dk.ensemble(MODEL, samples, params=MODEL.scenario("targets")),
            dk.ensemble(MODEL, samples, params=MODEL.scenario("learning")))


def test_both_regimes_start_from_the_same_state(runs):
    # The regime acts through stocks (routines, pressure, motivation), so the two runs
    # start level and part only as those stocks move.
    for name in [s.name for s in MODEL.stocks] + ["true_performance", "reported_performance", "pressure"]:
        assert runs["targets"].at(0, name) == runs["learning"].at(0, name), name


def test_reported_performance_runs_ahead_of_true_under_targets(runs):
    r = runs["targets"]
    gap = r["reported_performance"] - r["true_performance"]
    assert gap[0] == 0
    assert r.at(1, "reported_performance") - r.at(1, "true_performance") > 0.08
    assert r.at(3, "reported_performance") - r.at(3, "true_performance") > 0.1
    assert gap[-1] > 0.1


def test_reported_and_true_stay_close_under_learning(runs):
    r = runs["learning"]
    assert np.max(r["reported_performance"] - r["true_performance"]) < 0.02


def test_gaming_gap_within_three_years_across_the_uncertainty_ranges(paired_ensembles):
    targets, _ = paired_ensembles
    gap = targets.at(3, "reported_performance") - targets.at(3, "true_performance")
    assert np.all(gap > 0.08)
    assert np.median(gap) > 0.1


def test_target_regime_works_harder_then_erodes(runs):
    r = runs["targets"]
    start = r.at(0, "true_performance")
    assert r.at(0.5, "true_performance") > start + 0.03
    assert r.final("true_performance") < start
    assert r.final("capability") < r.at(0, "capability") - 0.1
    assert r.final("motivation") < 0.3


def test_learning_regime_is_a_j_curve(runs):
    targets, learning = runs["targets"], runs["learning"]
    t = learning.time
    diff = learning["true_performance"] - targets["true_performance"]
    # Slower at first: below the target regime early on...
    assert np.all(diff[(t > 0) & (t <= 1.5)] < 0)
    # ... and below its own starting point (time goes to learning cycles before they pay off) ...
    assert learning.at(0.75, "true_performance") < learning.at(0, "true_performance") - 0.03
    # ... better later: above the target regime from year three on, and above its own start.
    assert np.all(diff[t >= 3] > 0)
    assert np.all(diff[t >= 4] > 0.05)
    assert learning.final("true_performance") > learning.at(0, "true_performance") + 0.05


def test_j_curve_holds_across_the_uncertainty_ranges(paired_ensembles):
    targets, learning = paired_ensembles
    assert np.all(learning.at(0.5, "true_performance") < targets.at(0.5, "true_performance"))
    assert np.all(learning.at(4, "true_performance") > targets.at(4, "true_performance"))
    assert np.all(learning.final("true_performance") > targets.final("true_performance") + 0.05)


def test_hard_to_help_clients_are_parked_under_targets(runs):
    targets, learning = runs["targets"], runs["learning"]
    served = targets["hard_served_share"]
    assert served[0] == 1
    assert targets.at(2, "hard_served_share") < 0.75
    assert targets.final("hard_served_share") < 0.7
    assert targets.final("parked") > 40
    assert learning["hard_served_share"].min() > 0.99
    # Parking is creaming: hard-to-help clients get helped less, not more.
    assert targets.final("hard_helped") < learning.final("hard_helped")


def test_parked_share_never_exceeds_the_ceiling():
    for ceiling in (0.0, 0.3, 0.7):
        r = dk.simulate(MODEL, {"max_parked_share": ceiling, "parking_rate": 6})
        assert r["parked_share"].max() <= ceiling + 1e-3


@settings(max_examples=40)
@given(
    regime=st.floats(0, 1),
    incentive=st.floats(0, 1),
    parking_rate=st.floats(0, 6),
    hard_share=st.floats(0, 1),
    referrals=st.floats(50, 2000),
)
def test_people_stocks_never_go_negative_and_shares_stay_in_range(regime, incentive, parking_rate, hard_share,
                                                                   referrals):
    r = dk.simulate(MODEL, {"learning_regime": regime, "incentive_strength": incentive, "parking_rate": parking_rate,
                            "hard_share": hard_share, "referrals": referrals})
    for name in PEOPLE:
        assert r[name].min() >= 0, name
    for name in ("hard_served_share", "gaming", "motivation", "capability", "knowledge", "client_share"):
        assert r[name].min() >= -1e-9 and r[name].max() <= 1 + 1e-9, name
    assert np.all(r["reported_performance"] >= r["true_performance"] - 1e-12)


