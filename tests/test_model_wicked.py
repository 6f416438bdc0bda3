"""Reference behaviour of the wicked sandbox: each complexity switch shows its signature."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit.models.wicked import SWITCHES

MODEL = dk.models.load("wicked")
GOAL = MODEL["need_goal"].default
START = MODEL["need"].initial


def run(**switches):
    return dk.simulate(MODEL, {**MODEL.scenario("all_off"), **switches})


def half_gap_time(result):
    """First time the list has closed half the gap between its start and the goal."""
    need = result["need"]
    return float(result.time[np.argmax(need <= GOAL + (START - GOAL) / 2)])


def turning_points(series):
    steps = np.diff(series)
    steps = steps[np.abs(steps) > 1e-6]
    return int(np.sum(np.sign(steps[1:]) != np.sign(steps[:-1])))


def test_switches_are_structure_switches_not_policy_levers():
    assert set(SWITCHES) == {"compositional", "experiential", "dynamic", "governance"}
    for name in SWITCHES:
        p = MODEL[name]
        assert p.default == 0 and p.bounds == (0, 1) and p.role is None
        assert "Structure switch" in p.description
    assert MODEL.scenario("all_off") == dict.fromkeys(SWITCHES, 0)


def test_all_off_is_a_simple_goal_seeking_service():
    r = dk.simulate(MODEL)
    need = r["need"]
    assert np.all(np.diff(need) <= 1e-9)          # never rises
    assert need.min() >= GOAL - 1e-6               # never overshoots
    assert r.final("need") == pytest.approx(GOAL, rel=0.01)
    np.testing.assert_array_equal(r["actual_need"], need)
    assert r["hidden_need"].max() == 0


def test_dynamic_complexity_overshoots_and_oscillates():
    r = run(dynamic=1)
    before_shock = r.time < MODEL["shock_time"].default
    assert r["need"][before_shock].min() < 0.6 * GOAL
    assert turning_points(r["need"]) >= 2
    assert turning_points(r["capacity"]) >= 2
    # The pipeline alone, without the demand shock, gives a damped oscillation around the goal.
    calm = dk.simulate(MODEL, {**MODEL.scenario("dynamic"), "shock_size": 0}, stop=25)
    trough = int(calm["need"].argmin())
    assert calm["need"][trough:].max() > 1.05 * GOAL
    assert turning_points(calm["need"]) >= 3
    # Without the pipeline delay the same shock is absorbed smoothly.
    smooth = run(dynamic=1, acquisition_delay=0.25)
    assert smooth["need"][before_shock].min() > 0.9 * GOAL


def test_experiential_complexity_splits_what_is_seen_from_what_is_lived():
    r = run(experiential=1)
    assert r.final("need") == pytest.approx(GOAL, rel=0.1)
    assert r.final("actual_need") > 1.8 * r.final("need")
    assert r.final("hidden_share") > 0.4
    # The service sees success: the list it manages is at its goal.
    assert r.final("perceived_need") == pytest.approx(r.final("need"), rel=0.05)


def _need_reduction_per_extra_closure(compositional, horizon=5):
    low, high = (dk.simulate(MODEL, {"compositional": compositional, "need_goal": 0, "capacity_limit": cap})
                 for cap in (600, 800))
    k = low._time_index(horizon)
    extra_closures = float(np.sum(high["closures"][:k] - low["closures"][:k]) * MODEL.dt)
    reduction = low["actual_need"][k] - high["actual_need"][k]
    return reduction / extra_closures


def test_compositional_complexity_reduces_what_a_single_service_achieves():
    alone = _need_reduction_per_extra_closure(0)
    entangled = _need_reduction_per_extra_closure(1)
    assert alone == pytest.approx(1.0, abs=0.01)
    assert entangled < 0.65
    # The service still reaches its goal when its budget allows, but it must close many more cases.
    r, simple = run(compositional=1), run()
    assert r.final("need") == pytest.approx(GOAL, rel=0.15)
    assert r.final("closures") > 1.5 * simple.final("closures")


def test_governance_complexity_makes_adjustment_slower_and_negotiated():
    simple, shared = run(), run(governance=1)
    assert half_gap_time(shared) > 2.5 * half_gap_time(simple)
    assert shared["need"].min() >= GOAL - 1e-6      # slow, but no overshoot
    assert np.all(np.diff(shared["need"]) <= 1e-9)
    more = run(governance=1, agencies=6)
    assert half_gap_time(more) > half_gap_time(shared)


def test_all_on_overwhelms_the_simple_service():
    r = dk.simulate(MODEL, MODEL.scenario("all_on"))
    assert r.final("actual_need") > 2 * START
    assert r.final("need") > r.at(0, "need")


@settings(max_examples=30)
@given(switches=st.tuples(*[st.sampled_from([0.0, 0.5, 1.0])] * 3))
def test_hidden_need_appears_only_with_experiential_complexity(switches):
    others = dict(zip(("compositional", "dynamic", "governance"), switches))
    r = dk.simulate(MODEL, {**others, "experiential": 0})
    assert r["hidden_need"].max() == 0
    assert r["need"].min() >= 0 and r["capacity"].min() >= 0


