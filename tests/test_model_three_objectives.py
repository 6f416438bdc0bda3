"""Reference behaviour of the three-objectives model: clustering vs trade-off, and delayed synergy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk

MODEL = dk.models.load("three_objectives")
OBJECTIVES = ("service_quality", "outcomes", "governance")


def _final_correlation(preset, n=300, seed=1):
    ens = dk.ensemble(MODEL, n=n, seed=seed, params=MODEL.scenario(preset))
    outcomes, governance = ens.final("outcomes"), ens.final("governance")
    changes = np.corrcoef(outcomes - ens["outcomes"][0], governance - ens["governance"][0])[0, 1]
    return np.corrcoef(outcomes, governance)[0, 1], changes


def test_presets_set_only_structure_not_uncertain_parameters():
    # An ensemble that samples the uncertainty ranges can take a preset as params= only if
    # the two do not overlap; the engine refuses overlaps.
    uncertain = {p.name for p in MODEL.uncertainties}
    assert uncertain
    for name in MODEL.scenario_names:
        assert not set(MODEL.scenario(name)) & uncertain, name


@pytest.mark.parametrize("seed", [1, 7])
def test_clustering_makes_outcomes_and_governance_move_together(seed):
    levels, changes = _final_correlation("clustering", seed=seed)
    assert levels > 0.5
    assert changes > 0.5


@pytest.mark.parametrize("seed", [1, 7])
def test_trade_off_pulls_outcomes_and_governance_apart(seed):
    levels, changes = _final_correlation("trade_off", seed=seed)
    clustered, _ = _final_correlation("clustering", seed=seed)
    assert levels <= 0
    assert changes <= 0
    assert clustered - levels > 0.8


def test_governance_investment_is_worse_before_better_under_clustering():
    base = MODEL.scenario("clustering")
    balanced = dk.simulate(MODEL, base)
    shifted = dk.simulate(MODEL, {**base, **MODEL.scenario("governance_first")})
    diff = shifted["outcomes"] - balanced["outcomes"]
    # Short run: outcome work lost its share at once, co-production has not built up yet.
    assert shifted.at(2, "outcomes") < balanced.at(2, "outcomes") - 3
    # Long run: the delayed synergy through co-production more than pays it back.
    assert shifted.final("outcomes") > balanced.final("outcomes") + 3
    crossing = balanced.time[np.argmax((diff > 0) & (balanced.time > 0.5))]
    assert 4 <= crossing <= 10
    # And the co-production that carries the synergy did build up.
    assert shifted.final("coproduction") > balanced.final("coproduction") + 10


def test_under_trade_off_governance_first_costs_outcomes_for_good():
    base = MODEL.scenario("trade_off")
    balanced = dk.simulate(MODEL, base)
    shifted = dk.simulate(MODEL, {**base, **MODEL.scenario("governance_first")})
    assert shifted.at(2, "outcomes") < balanced.at(2, "outcomes")
    assert shifted.final("outcomes") < balanced.final("outcomes") - 10
    assert shifted.final("governance") > balanced.final("governance") + 10


def test_outcomes_first_trades_governance_for_outcomes_under_trade_off():
    base = MODEL.scenario("trade_off")
    balanced = dk.simulate(MODEL, base)
    chased = dk.simulate(MODEL, {**base, **MODEL.scenario("outcomes_first")})
    assert chased.final("outcomes") > balanced.final("outcomes")
    assert chased.final("governance") < balanced.final("governance")


def test_effort_shares_are_normalised():
    r = dk.simulate(MODEL, {"effort_quality": 0.2, "effort_outcomes": 0.6, "effort_governance": 1.0})
    total = r["share_quality"] + r["share_outcomes"] + r["share_governance"]
    np.testing.assert_allclose(total, 1.0)
    np.testing.assert_allclose(r["share_governance"], 1.0 / 1.8)


def test_no_effort_at_all_is_a_valid_run():
    r = dk.simulate(MODEL, {"effort_quality": 0, "effort_outcomes": 0, "effort_governance": 0})
    assert np.isfinite(r.values).all()
    assert r.final("average_objective") < dk.simulate(MODEL).final("average_objective")


@settings(max_examples=40)
@given(
    efforts=st.tuples(*[st.floats(0, 1)] * 3),
    cross=st.tuples(*[st.floats(-1, 1)] * 4),
    resources=st.floats(0.25, 2),
)
def test_objectives_stay_on_their_0_to_100_scale(efforts, cross, resources):
    params = dict(zip(("effort_quality", "effort_outcomes", "effort_governance"), efforts))
    params.update(zip(("governance_to_outcomes", "outcomes_to_governance", "quality_to_outcomes",
                       "governance_to_quality"), cross))
    params["resources"] = resources
    r = dk.simulate(MODEL, params)
    for name in OBJECTIVES + ("coproduction",):
        assert r[name].min() >= -1e-9 and r[name].max() <= 100 + 1e-9, name
    assert np.all(r["weakest_objective"] <= r["average_objective"] + 1e-9)


