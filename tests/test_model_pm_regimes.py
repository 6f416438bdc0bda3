"""Reference behaviour of the pm_regimes model: journeys through the regime plane and gaming."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit.models.pm_regimes import EVENTS, JOURNEY_PAIRS, contest, journey_score, wins_by_context

MODEL = dk.models.load("pm_regimes")
#: Quadrant codes of the model's ``quadrant`` auxiliary.
NEGOTIATED_EMERGENT, IMPOSED_EMERGENT, IMPOSED_PLANNED, NEGOTIATED_PLANNED = 1, 2, 3, 4


def test_event_scripts_are_documented_and_name_real_parameters():
    assert set(EVENTS) == {"surrey_journey", "national_targets", "negotiate_from_start", "impose_then_negotiate",
                           "plan_then_emerge", "emerge_from_start"}
    params = {p.name for p in MODEL.params}
    card = dk.models.card("pm_regimes")
    for name, script in EVENTS.items():
        assert f'"{name}"' in card
        for when, change in script.items():
            assert MODEL.start <= when <= MODEL.stop
            assert set(change) <= params, (name, when)


def test_quadrant_codes_match_the_axes():
    r = dk.simulate(MODEL, events=EVENTS["surrey_journey"])
    x, y, q = r["negotiation_index"], r["emergence_index"], r["quadrant"]
    expected = np.where(x >= 0, np.where(y >= 0, 1, 4), np.where(y >= 0, 2, 3))
    np.testing.assert_array_equal(q, expected)


@pytest.mark.parametrize(
    "year, quadrant",
    [(2008, IMPOSED_PLANNED), (2012, NEGOTIATED_PLANNED), (2015, NEGOTIATED_EMERGENT), (2022, IMPOSED_EMERGENT)],
)
def test_surrey_journey_passes_through_the_four_cells(year, quadrant):
    r = dk.simulate(MODEL, events=EVENTS["surrey_journey"])
    assert r.at(year, "quadrant") == quadrant


def test_surrey_journey_ends_imposed_emergent_across_the_uncertainty_ranges():
    ens = dk.ensemble(MODEL, n=100, seed=3, events=EVENTS["surrey_journey"])
    assert np.all(ens.final("quadrant") == IMPOSED_EMERGENT)
    assert np.all(ens.at(2015, "quadrant") == NEGOTIATED_EMERGENT)


def test_national_targets_end_imposed_and_planned():
    r = dk.simulate(MODEL, events=EVENTS["national_targets"])
    assert r.final("negotiation_index") < -0.5
    assert r.final("emergence_index") < -0.5
    ens = dk.ensemble(MODEL, n=100, seed=4, events=EVENTS["national_targets"])
    assert np.all(ens.final("quadrant") == IMPOSED_PLANNED)


def test_gaming_widens_the_gap_between_reported_and_true_under_targets():
    r = dk.simulate(MODEL, events=EVENTS["national_targets"])
    gap = r["reporting_gap"]
    assert gap[0] == 0
    assert r.at(2003, "reporting_gap") > 0.05
    assert r.at(2010, "reporting_gap") > 0.1
    assert r.at(2010, "reporting_gap") > r.at(2003, "reporting_gap")
    # The gap is gaming: with no room to game, reported and true performance coincide.
    honest = dk.simulate(MODEL, {"max_gaming_gap": 0}, events=EVENTS["national_targets"])
    np.testing.assert_allclose(honest["reported_performance"], honest["true_performance"])


def test_a_negotiated_emergent_regime_keeps_the_numbers_honest():
    r = dk.simulate(MODEL, MODEL.scenario("negotiated_emergent"))
    assert r["reporting_gap"].max() < 0.03
    targets = dk.simulate(MODEL, MODEL.scenario("imposed_planned"))
    assert targets.final("reporting_gap") > 0.1
    assert r.final("true_performance") > targets.final("true_performance") + 0.3


def test_targets_push_true_performance_up_briefly_then_erode_it():
    r = dk.simulate(MODEL, events=EVENTS["national_targets"])
    early = r["true_performance"][(r.time > 2001) & (r.time <= 2004)]
    assert early.max() > r.at(2001, "true_performance")
    assert r.final("true_performance") < r.at(2000, "true_performance") - 0.1
    assert r.final("learning_capability") < 0.05
    assert r.final("trust") < r.at(2000, "trust") - 0.2


def test_surrey_gap_shrinks_in_the_negotiated_emergent_years():
    r = dk.simulate(MODEL, events=EVENTS["surrey_journey"])
    assert r.at(2008, "reporting_gap") > 0.1
    assert r.at(2015, "reporting_gap") < 0.02


@pytest.mark.parametrize(
    "preset, quadrant",
    [("imposed_planned", IMPOSED_PLANNED), ("negotiated_planned", NEGOTIATED_PLANNED),
     ("negotiated_emergent", NEGOTIATED_EMERGENT), ("imposed_emergent", IMPOSED_EMERGENT)],
)
def test_each_preset_holds_its_cell(preset, quadrant):
    r = dk.simulate(MODEL, MODEL.scenario(preset))
    assert r["quadrant"][r.time >= 2005].tolist() == [quadrant] * int((r.time >= 2005).sum())


@settings(max_examples=40)
@given(pushes=st.tuples(*[st.floats(0, 1)] * 5), start=st.tuples(st.floats(0, 1), st.floats(0, 1)),
       context=st.tuples(st.floats(0, 1), st.floats(0, 1)))
def test_regime_and_performance_stay_in_range(pushes, start, context):
    names = ("external_pressure", "budget_pressure", "engagement", "audit_intensity", "learning_investment")
    params = dict(zip(names, pushes))
    params.update(initial_negotiation=start[0], initial_emergence=start[1], initial_complacency=context[0],
                  fragmentation=context[1])
    r = dk.simulate(MODEL, params)
    for axis in ("negotiation_index", "emergence_index"):
        assert r[axis].min() >= -1 - 1e-9 and r[axis].max() <= 1 + 1e-9
    for name in ("true_performance", "reported_performance", "gaming", "trust", "learning_capability", "complacency",
                 "direction"):
        assert r[name].min() >= -1e-9 and r[name].max() <= 1 + 1e-9, name
    assert r["reporting_gap"].min() >= -1e-12




# Both halves of each proposition (Bovaird & Smith 2015) --------------------------------------

IMPOSE, NEGOTIATE = "impose_then_negotiate", "negotiate_from_start"
PLAN, EMERGE = "plan_then_emerge", "emerge_from_start"


@pytest.fixture(scope="module")
def contests():
    return {first: contest(first, second, n=200, seed=1) for first, second in JOURNEY_PAIRS}


def test_the_journeys_pair_up_and_differ_on_one_axis_only():
    assert JOURNEY_PAIRS == ((IMPOSE, NEGOTIATE), (PLAN, EMERGE))
    who = {"external_pressure", "engagement"}
    how = {"audit_intensity", "learning_investment"}
    # the imposed/negotiated pair agree on how the regime changes; the planned/emergent pair on who sets it
    for first, second, same in ((IMPOSE, NEGOTIATE, how), (PLAN, EMERGE, who)):
        for script in (EVENTS[first], EVENTS[second]):
            for change in script.values():
                assert {k: change[k] for k in same} == {k: EVENTS[second][2000][k] for k in same}
        assert EVENTS[first][max(EVENTS[first])] == EVENTS[second][2000]  # the first ends as the second


def test_the_context_is_part_of_the_declared_uncertainty():
    uncertain = {p.name for p in MODEL.uncertainties}
    assert {"initial_complacency", "fragmentation"} <= uncertain
    for name in ("initial_complacency", "fragmentation"):
        assert MODEL[name].uncertainty == (0, 1)
        assert dk.evidence.status_of(MODEL[name].source) == "assumption"


@pytest.mark.parametrize("first, second", JOURNEY_PAIRS)
def test_each_journey_wins_in_some_contexts_and_loses_in_others(contests, first, second):
    runs = contests[first]
    assert len(runs) == 200 and set(runs.columns) >= {first, second, "winner"}
    share = (runs["winner"] == first).mean()
    assert 0.15 <= share <= 0.85, share
    # it is the same comparison as running the ensembles by hand
    ens = dk.ensemble(MODEL, n=200, seed=1, events=EVENTS[first])
    np.testing.assert_allclose(runs[first], journey_score(ens))


def test_imposing_first_pays_only_where_the_system_is_stuck(contests):
    runs = contests[IMPOSE]
    by_band = wins_by_context(runs, "initial_complacency")
    assert by_band.iloc[-1] > 0.85  # stuck systems: the imposed trigger wins
    assert by_band.iloc[0] < 0.25   # systems ready to improve: negotiating from the start wins
    assert np.corrcoef(runs["initial_complacency"], runs[IMPOSE] - runs[NEGOTIATE])[0, 1] > 0.7
    # and in a fixed context, with everything else at its default
    for complacency, winner in ((0.9, IMPOSE), (0.1, NEGOTIATE)):
        scores = {j: journey_score(dk.simulate(MODEL, {"initial_complacency": complacency}, events=EVENTS[j]))
                  for j in (IMPOSE, NEGOTIATE)}
        assert max(scores, key=scores.get) == winner, (complacency, scores)


def test_planning_first_pays_only_where_the_field_is_fragmented(contests):
    runs = contests[PLAN]
    by_band = wins_by_context(runs, "fragmentation")
    assert by_band.iloc[-1] > 0.85  # fragmented fields: a planned phase gives the direction
    assert by_band.iloc[0] < 0.15   # coherent fields: emerging from the start wins
    assert np.corrcoef(runs["fragmentation"], runs[PLAN] - runs[EMERGE])[0, 1] > 0.7
    for fragmentation, winner in ((0.9, PLAN), (0.1, EMERGE)):
        scores = {j: journey_score(dk.simulate(MODEL, {"fragmentation": fragmentation}, events=EVENTS[j]))
                  for j in (PLAN, EMERGE)}
        assert max(scores, key=scores.get) == winner, (fragmentation, scores)


def test_the_imposed_trigger_starts_improvement_that_negotiation_sustains():
    stuck = {"initial_complacency": 0.9}
    negotiate = dk.simulate(MODEL, stuck, events=EVENTS[NEGOTIATE])
    trigger = dk.simulate(MODEL, stuck, events=EVENTS[IMPOSE])
    keep_imposing = dk.simulate(MODEL, stuck, events={2000: EVENTS[IMPOSE][2000]})
    # negotiation alone barely shifts complacency; the imposed shock does
    assert negotiate.at(2002, "complacency") > 0.6 > 0.3 > trigger.at(2002, "complacency")
    assert trigger.at(2010, "learning_capability") > negotiate.at(2010, "learning_capability") + 0.1
    assert journey_score(trigger) > journey_score(negotiate)
    # imposing for ever is worse than handing over to negotiation: trust and gaming
    assert trigger.final("true_performance") > keep_imposing.final("true_performance") + 0.1
    assert keep_imposing.final("gaming") > trigger.final("gaming")


def test_without_a_plan_a_fragmented_field_loses_direction():
    fragmented = {"fragmentation": 0.9}
    emerge = dk.simulate(MODEL, fragmented, events=EVENTS[EMERGE])
    plan = dk.simulate(MODEL, fragmented, events=EVENTS[PLAN])
    assert emerge.final("direction") < 0.7
    # the plan holds the field together while learning capability forms ...
    assert plan.at(2004, "direction") > emerge.at(2004, "direction") + 0.2
    assert plan.at(2010, "learning_capability") > emerge.at(2010, "learning_capability") + 0.03
    assert journey_score(plan) > journey_score(emerge)
    # ... it is needed at times, not for ever: once emergent, both journeys drift to the same direction
    assert plan.final("direction") == pytest.approx(emerge.final("direction"), abs=0.05)
    # in a coherent field there is no direction to lose
    coherent = dk.simulate(MODEL, events=EVENTS[EMERGE])
    assert coherent["direction"].min() == pytest.approx(1)


def test_early_judgement_favours_negotiating_from_the_start(contests):
    # the trigger costs before it pays: over-hasty evaluation misleads (one of the paper's warnings)
    early = contest(IMPOSE, NEGOTIATE, n=200, seed=1, until=2005)
    assert (early["winner"] == IMPOSE).mean() < (contests[IMPOSE]["winner"] == IMPOSE).mean() - 0.3


def test_contest_and_scores_explain_bad_input():
    with pytest.raises(dk.ModelError, match=r"no journey called 'impose_then_negociate'.*did you mean"):
        contest("impose_then_negociate", NEGOTIATE, n=5)
    with pytest.raises(dk.ModelError, match="two different journeys"):
        contest(PLAN, PLAN, n=5)
    with pytest.raises(dk.ModelError, match="until must lie"):
        journey_score(dk.simulate(MODEL), until=1990)
    fixed = contest(IMPOSE, NEGOTIATE, n=10, seed=2, params={"initial_complacency": 0.8})
    assert "initial_complacency" not in fixed.columns
    with pytest.raises(dk.ModelError, match="'initial_complacency' was not sampled"):
        wins_by_context(fixed, "initial_complacency")
