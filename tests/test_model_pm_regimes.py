"""Reference behaviour of the pm_regimes model: journeys through the regime plane and gaming."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit.models.pm_regimes import EVENTS

MODEL = dk.models.load("pm_regimes")
#: Quadrant codes of the model's ``quadrant`` auxiliary.
NEGOTIATED_EMERGENT, IMPOSED_EMERGENT, IMPOSED_PLANNED, NEGOTIATED_PLANNED = 1, 2, 3, 4


def test_event_scripts_are_documented_and_name_real_parameters():
    assert set(EVENTS) == {"surrey_journey", "national_targets"}
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


@settings(max_examples=40, deadline=None)
@given(pushes=st.tuples(*[st.floats(0, 1)] * 5), start=st.tuples(st.floats(0, 1), st.floats(0, 1)))
def test_regime_and_performance_stay_in_range(pushes, start):
    names = ("external_pressure", "budget_pressure", "engagement", "audit_intensity", "learning_investment")
    params = dict(zip(names, pushes))
    params.update(initial_negotiation=start[0], initial_emergence=start[1])
    r = dk.simulate(MODEL, params)
    for axis in ("negotiation_index", "emergence_index"):
        assert -1 - 1e-9 <= r[axis].min() and r[axis].max() <= 1 + 1e-9
    for name in ("true_performance", "reported_performance", "gaming", "trust", "learning_capability"):
        assert -1e-9 <= r[name].min() and r[name].max() <= 1 + 1e-9, name
    assert r["reporting_gap"].min() >= -1e-12


