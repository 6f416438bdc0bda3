"""The surrey model tells its story: calibration points, scenarios, evaluation timing,
the 2019 divergence, and sound behaviour across its uncertainty ranges."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit.models import surrey

#: Published calibration points: (evidence key, figure as written in the source, TIME, value).
NEET_2009 = ("surrey_neet_2009", "1,080", 2009.25, 1080)
NEET_2014 = ("surrey_neet_2014", "429", 2014.2, 429)
NEET_AUTUMN_2013 = ("surrey_neet_autumn_2013", "449", 449)
TOLERANCE = 0.15


@pytest.fixture(scope="module")
def model():
    return dk.models.load("surrey")


@pytest.fixture(scope="module")
def base(model):
    return dk.simulate(model, model.scenario("as_it_happened"))


def run(model, scenario):
    return dk.simulate(model, model.scenario(scenario))


def fte_2006_07(result):
    """First-time entrants averaged over the 2006/07 financial year (April 2006 - March 2007)."""
    window = (result.time >= 2006.25 - 1e-9) & (result.time < 2007.25 - 1e-9)
    return float(result["fte"][window].mean())


# Calibration -----------------------------------------------------------------


@pytest.mark.parametrize("point", [NEET_2009, NEET_2014], ids=["april_2009", "march_2014"])
def test_neet_calibration_points(base, point):
    key, written, time, value = point
    assert written in dk.evidence.get(key).says, "the test's target must be the registry's figure"
    assert dk.evidence.get(key).status == "published"
    assert base.at(time, "neet") == pytest.approx(value, rel=TOLERANCE)


def test_neet_passes_near_the_undated_autumn_2013_figure(base):
    key, written, value = NEET_AUTUMN_2013
    assert written in dk.evidence.get(key).says
    # The source is undated ("last month", about autumn 2013): accept any month from July 2013 to January 2014.
    window = (base.time >= 2013.5) & (base.time <= 2014.0)
    assert np.any(np.abs(base["neet"][window] / value - 1) <= TOLERANCE)


def test_neet_was_about_1000_before_the_change(base):
    assert "1,000" in dk.evidence.get("surrey_neet_typical_2003_2012").says
    before = base["neet"][base.time <= 2009.25]
    assert np.all(np.abs(before / 1000 - 1) <= TOLERANCE)


def test_first_time_entrants_fall_about_90_percent_by_2014(base):
    assert "90%" in dk.evidence.get("surrey_fte_fall_evaluation").says
    assert "93%" in dk.evidence.get("surrey_young_offenders_pcc").says
    fall = 1 - base.at(2014.25, "fte") / fte_2006_07(base)
    assert 0.85 <= fall <= 0.95
    # the index the notebooks show says the same
    assert base.at(2014.25, "fte_index") == pytest.approx(100 * (1 - fall), rel=1e-6)


def test_more_than_1000_young_people_a_year_avoid_a_criminal_record_by_2014(base):
    assert "more than 1,000 young people a year" in dk.evidence.get("surrey_young_offenders_pcc").says
    assert base.at(2014.5, "diverted") >= 1000 * (1 - TOLERANCE)


def test_budget_follows_the_published_cut(base):
    before, after = base.at(2009.25, "budget"), base.at(2012.25, "budget")
    assert before == pytest.approx(18.0)
    assert 1 - after / before == pytest.approx(0.25)  # 25% over three years
    assert base.at(2010.75, "budget") == pytest.approx(18 * (1 - 0.25 * 0.5))  # halfway, a linear path
    assert before - base.at(2015.25, "budget") == pytest.approx(4.5 + 2.0)  # and nearly £2m more in 2015/16


def test_legacy_services_are_wholly_decommissioned_by_april_2012(base):
    assert base.at(2009.25, "legacy_services") == pytest.approx(18.0)
    assert base.at(2012.25, "legacy_services") == pytest.approx(0.0, abs=1e-9)


def test_disagreeing_sources_on_the_yri_start_are_both_recorded(model):
    a, b = dk.evidence.get("surrey_yri_start_2009"), dk.evidence.get("surrey_yri_start_2011")
    assert "surrey_yri_start_2011" in a.disagrees_with and "surrey_yri_start_2009" in b.disagrees_with
    lo, hi = model["yri_start"].uncertainty
    assert lo <= 2009.25 and hi >= 2011.0  # Monte-Carlo runs span both claims


def test_calibration_does_not_depend_on_which_yri_start_is_right(model):
    late = dk.simulate(model, {"yri_start": 2011.25})
    assert 1 - late.at(2014.25, "fte") / fte_2006_07(late) >= 0.85


def test_derived_evidence_shows_its_arithmetic():
    for key in ("surrey_budget_baseline", "surrey_cohort", "surrey_funded_hours", "surrey_evaluation_delay"):
        source = dk.evidence.get(key)
        assert source.status == "derived" and source.arithmetic
    assert "4.5" in dk.evidence.get("surrey_budget_baseline").arithmetic
    assert "31" in dk.evidence.get("surrey_funded_hours").arithmetic


def test_political_sources_are_flagged():
    for key in ("surrey_neet_2009", "surrey_neet_autumn_2013", "surrey_post2015_cut", "surrey_budget_libdem"):
        assert "political" in dk.evidence.get(key).notes.lower()


def test_assumptions_are_not_presented_as_evidence(model):
    for p in model.params:
        source = dk.evidence.get(p.source)
        if source.status == "assumption":
            assert "assumption" in source.citation.lower() or "interpretation" in source.citation.lower()


# Reference behaviour -----------------------------------------------------------


def test_no_coproduction_ends_clearly_worse(model, base):
    without = run(model, "no_coproduction")
    assert without.final("neet") >= 1.3 * base.final("neet")
    assert without.at(2014.2, "neet") >= 1.2 * base.at(2014.2, "neet")
    assert without.final("governance_conformity") < base.final("governance_conformity")
    assert without.final("quality_of_life") < base.final("quality_of_life")


def test_worse_before_better(model, base):
    early = surrey.evaluate(base, 1)
    late = surrey.evaluate(base, 4)
    assert early["verdict"] == "worse" and early["neet_change"] > 0.02
    assert late["verdict"] == "better" and late["neet_change"] < -0.3
    assert (early["time"], late["time"]) == (2010.25, 2013.25)
    before, after, judged = early["indicators"]["neet"]
    assert before == pytest.approx(base.at(2009.25, "neet")) and after == pytest.approx(base.at(2010.25, "neet"))
    assert judged == "worse"
    # lower first-time entrants and higher objective scores count as better
    assert early["indicators"]["fte_index"][2] == "better"
    assert late["indicators"]["service_quality"][2] == "better"
    assert set(late["indicators"]) == {"neet", "fte_index", "service_quality", "quality_of_life",
                                       "governance_conformity"}


def test_evaluation_scenarios_set_when_the_evaluator_looks(model):
    assert surrey.EVALUATION_YEARS == (1, 4)
    verdicts = {}
    for years in surrey.EVALUATION_YEARS:
        result = run(model, f"evaluate_after_{years}_year" + ("s" if years > 1 else ""))
        assert result.params["evaluation_after"] == years
        assert result.at(2006.25, "evaluation_time") == pytest.approx(2009.25 + years)
        verdicts[years] = surrey.evaluate(result)["verdict"]
    assert verdicts == {1: "worse", 4: "better"}


def test_evaluate_rejects_bad_input(model, base):
    with pytest.raises(dk.ModelError, match="beyond the end of the run"):
        surrey.evaluate(base, 20)
    with pytest.raises(dk.ModelError, match="positive"):
        surrey.evaluate(base, -1)
    with pytest.raises(dk.ModelError, match="number of years"):
        surrey.evaluate(base, "four")
    with pytest.raises(dk.ModelError, match="surrey"):
        surrey.evaluate(dk.simulate(dk.models.load("demo")), 1)
    with pytest.raises(dk.ModelError, match="surrey"):
        surrey.evaluate(dk.ensemble(model, n=4, seed=1), 1)


def test_post_2015_cuts_fte_stays_excellent_while_capability_erodes(model):
    cuts = run(model, "post_2015_cuts")
    level = run(model, "no_post_2015_cuts")
    # the national indicator still looks excellent in 2019 ...
    assert cuts.at(2019.5, "fte") <= 0.15 * fte_2006_07(cuts)
    assert cuts.at(2019.5, "fte_index") == pytest.approx(level.at(2019.5, "fte_index"), rel=1e-9)
    # ... while capability, service quality and governance erode with a delay and reoffending rises
    assert cuts.at(2019.5, "yos_capability") <= 0.75 * cuts.at(2015.25, "yos_capability")
    assert cuts.at(2016.25, "yos_capability") > cuts.at(2019.5, "yos_capability")  # still falling after a year
    assert cuts.at(2019.5, "reoffending") > cuts.at(2015.25, "reoffending")
    for indicator in ("service_quality", "governance_conformity"):
        assert cuts.at(2019.5, indicator) < cuts.at(2015.25, indicator)
    # and it is the cut that does it
    assert level.at(2019.5, "yos_capability") >= level.at(2015.25, "yos_capability")


def test_as_it_happened_is_the_defaults_and_includes_the_post_2015_cut(model, base):
    assert model.scenario("as_it_happened") == {}
    assert base.params["post2015_cut"] == pytest.approx(2.0)
    np.testing.assert_array_equal(base.values, run(model, "post_2015_cuts").values)


def test_faster_decommissioning_deepens_the_transition(model, base):
    fast = run(model, "faster_decommissioning")
    transition = (base.time >= 2009.25) & (base.time <= 2012.25)
    assert fast["service_gap"][transition].max() > base["service_gap"][transition].max() + 0.2
    assert fast["neet"][transition].max() > base["neet"][transition].max() * 1.05
    assert fast["trust"][transition].min() < base["trust"][transition].min()
    # NEET-years lost during 2009-2015 are not made up by getting it over with sooner
    span = (base.time >= 2009.25) & (base.time <= 2015.25)
    assert fast["neet"][span].sum() > base["neet"][span].sum()


def test_required_scenarios_exist(model):
    required = {"as_it_happened", "no_coproduction", "faster_decommissioning", "evaluate_after_1_year",
                "evaluate_after_4_years", "post_2015_cuts"}
    assert required <= set(model.scenario_names)


def test_time_span_and_step(model):
    assert model.start <= 2007 and model.stop >= 2020
    assert model.dt == pytest.approx(1 / 12)
    assert model.time_units == "year"


def test_levers_and_roles(model):
    levers = {p.name for p in model.policy_levers}
    assert {"cut_fraction", "decommissioning_years", "coproduction_effort", "post2015_cut"} <= levers
    assert model["neet"].units == "people" and model["neet"].non_negative
    # Bianchi's end results are the flows that change the strategic resources; the three objectives
    # are level indicators an evaluator reads, not end results.
    for name in ("becoming_neet", "re_engagement", "commissioning", "trust_change", "capability_change"):
        assert model[name].role == "end_result"
    for name in ("service_quality", "quality_of_life", "governance_conformity", "fte", "neet_share", "budget"):
        assert model[name].role is None
    assert {v.name for v in model.with_role("end_result")} == {
        f.name for f in model.flows if model[f.into or f.out_of].role == "strategic_resource"}
    dk.dpm.check_roles(model)


def test_overrides_are_checked(model):
    assert dk.models.load("surrey", coproduction_effort=0)["coproduction_effort"].default == 0
    with pytest.raises(dk.ModelError, match="coproduction_effort"):
        dk.models.load("surrey", coproduction_effort=2)
    with pytest.raises(dk.ModelError, match="no parameter 'copro"):
        dk.models.load("surrey", coproduction=1)


# Across the uncertainty ranges ----------------------------------------------------


@pytest.fixture(scope="module")
def ensemble(model):
    return dk.ensemble(model, n=256, seed=20240601)


def test_people_stocks_never_negative_across_the_ensemble(model, ensemble):
    assert len(model.uncertainties) >= 10
    people = [s.name for s in model.stocks if s.units == "people"]
    assert people == ["neet"]
    assert ensemble["neet"].min() >= 0
    for name in ("legacy_services", "commissioned_services", "targeted_contracts", "coproduction_hours"):
        assert ensemble[name].min() >= 0, name


def test_shares_and_indicators_stay_between_0_and_1(ensemble):
    for name in ("needs_insight", "trust", "restorative_diversion", "yos_capability", "coverage",
                 "contract_relevance", "service_gap", "reoffending", "service_quality", "quality_of_life",
                 "governance_conformity"):
        values = ensemble[name]
        assert values.min() >= 0 and values.max() <= 1, name


def test_sound_anywhere_within_the_bounds(model):
    # Every parameter drawn at random across its full slider range at once.
    wide = dk.ensemble(model, n=512, vary=[p.name for p in model.params], sampling="random", seed=7)
    for stock in model.stocks:
        assert wide[stock.name].min() >= 0, stock.name
    for name in ("reoffending", "service_quality", "quality_of_life", "governance_conformity", "service_gap"):
        assert wide[name].min() >= 0 and wide[name].max() <= 1, name


def test_stories_hold_across_the_ensemble(model, ensemble):
    # worse before better, in every run
    start = ensemble.at(2009.25, "neet")
    assert np.all(ensemble.at(2010.25, "neet") > start)
    assert np.all(ensemble.at(2013.25, "neet") < start)
    # co-production helps in every run
    without = dk.ensemble(model, ensemble.samples, params={"coproduction_effort": 0.0}, record=["neet"])
    assert np.all(without.final("neet") > 1.2 * ensemble.final("neet"))


@settings(max_examples=25)
@given(st.floats(0, 1), st.floats(0, 1))
def test_more_coproduction_never_means_more_neet_once_the_new_model_is_live(model, a, b):
    # Before go-live co-production only costs money (a slight, early worse-before-better),
    # so the property is claimed from April 2012 on.
    lo, hi = sorted((a, b))
    low = dk.simulate(model, {"coproduction_effort": lo})
    high = dk.simulate(model, {"coproduction_effort": hi})
    live = low.time >= low.at(low.time[0], "go_live")
    assert np.all(high["neet"][live] <= low["neet"][live] + 1e-6)


@settings(max_examples=25)
@given(st.floats(0, 0.5), st.floats(0, 0.5))
def test_a_deeper_cut_never_lowers_neet(model, a, b):
    lo, hi = sorted((a, b))
    assert dk.simulate(model, {"cut_fraction": hi}).final("neet") >= dk.simulate(
        model, {"cut_fraction": lo}).final("neet") - 1e-6


def test_euler_and_rk4_tell_the_same_story(model, base):
    rk4 = dk.simulate(model, method="rk4")
    for time in (2009.25, 2014.2, 2019.5):
        assert rk4.at(time, "neet") == pytest.approx(base.at(time, "neet"), rel=0.03)


def test_observed_points_are_the_registry_figures_and_calibrate():
    data = surrey.observed()
    for time, key in data.attrs["sources"].items():
        value = data.loc[time, "neet"]
        assert f"{value:,.0f}" in dk.evidence.get(key).says
        assert dk.evidence.get(key).status == "published"
    table = dk.evidence.table(list(data.attrs["sources"].values()))
    assert list(table["status"]) == ["published"] * 3
    fit = dk.calibrate(dk.models.load("surrey"), data, params=["neet_spell"])
    model_at = dk.simulate(fit.model).to_frame(["neet"]).reindex(data.index, method="nearest")
    assert (abs(model_at["neet"] / data["neet"] - 1) < 0.15).all()
