"""Reference behaviour of the attractor model: convergence with a shared framework and a learning
partnership, hidden divergence under uniform imposed targets."""

import numpy as np
import pytest

import dpmkit as dk
from dpmkit.models.attractor import LOCALITIES

MODEL = dk.models.load("attractor")
IDS = [f"{k:02d}" for k in range(1, LOCALITIES + 1)]


@pytest.fixture(scope="module")
def runs():
    return {name: dk.simulate(MODEL, MODEL.scenario(name)) for name in MODEL.scenario_names}


def outcomes(result):
    return np.column_stack([result[f"outcome_{k}"] for k in IDS])


def test_eleven_localities_with_their_own_variables():
    assert LOCALITIES == 11
    for k in IDS:
        for prefix in ("outcome", "learning", "gaming", "goal", "reported"):
            assert f"{prefix}_{k}" in MODEL, f"{prefix}_{k}"
    assert f"outcome_{LOCALITIES + 1:02d}" not in MODEL


def test_summaries_are_the_mean_and_standard_deviation_across_localities(runs):
    r = runs["imposed_targets"]
    values = outcomes(r)
    np.testing.assert_allclose(r["outcome_mean"], values.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(r["outcome_spread"], values.std(axis=1), rtol=1e-9, atol=1e-9)
    reported = np.column_stack([r[f"reported_{k}"] for k in IDS])
    np.testing.assert_allclose(r["reported_spread"], reported.std(axis=1), rtol=1e-9, atol=1e-9)


def test_localities_start_apart(runs):
    start = outcomes(runs["no_framework"])[0]
    assert start.min() == pytest.approx(30) and start.max() == pytest.approx(70)
    assert len(set(np.round(start, 6))) == LOCALITIES


def test_attractor_and_partnership_converge_towards_good_performance(runs):
    r = runs["attractor_and_partnership"]
    assert r.final("outcome_spread") < r.at(0, "outcome_spread") / 3
    assert r.final("outcome_mean") > r.at(0, "outcome_mean") + 10
    # The laggards gain most; the leaders may settle back towards the common level.
    values = outcomes(r)
    worst = values[0].argmin()
    assert values[-1, worst] - values[0, worst] == pytest.approx((values[-1] - values[0]).max())
    assert r["gaming_mean"].max() == 0


def test_the_partnership_narrows_the_spread_beyond_the_attractor_alone(runs):
    both, alone = runs["attractor_and_partnership"], runs["attractor_only"]
    assert both.final("outcome_spread") < 0.5 * alone.final("outcome_spread")
    assert alone.final("outcome_mean") > alone.at(0, "outcome_mean") + 5
    # Knowledge flow equalises learning across localities.
    learn_both = np.array([both.final(f"learning_{k}") for k in IDS])
    learn_alone = np.array([alone.final(f"learning_{k}") for k in IDS])
    assert learn_both.std() < 0.5 * learn_alone.std()


def test_uniform_imposed_targets_hide_a_persistent_spread(runs):
    r = runs["imposed_targets"]
    attracted = runs["attractor_and_partnership"]
    assert r.final("gaming_mean") > 0.5
    assert r.final("reported_mean") > r.final("outcome_mean") + 10
    assert r.final("reported_spread") < r.final("outcome_spread")
    assert r.final("outcome_spread") > 0.5 * r.at(0, "outcome_spread")
    assert r.final("outcome_spread") > 3 * attracted.final("outcome_spread")
    assert r.final("outcome_mean") < attracted.final("outcome_mean")
    # Target pressure crowds out learning.
    assert r.final("learning_mean") < attracted.final("learning_mean") - 0.2


def test_without_any_steering_local_systems_drift_down(runs):
    r = runs["no_framework"]
    assert r.final("outcome_mean") < r.at(0, "outcome_mean") - 5
    assert r.final("outcome_spread") > 0.6 * r.at(0, "outcome_spread")


def test_convergence_holds_across_the_uncertainty_ranges():
    preset = MODEL.scenario("attractor_and_partnership")
    ens = dk.ensemble(MODEL, n=100, seed=11, params=preset, record=["outcome_spread", "outcome_mean"])
    assert np.all(ens.final("outcome_spread") < ens.at(0, "outcome_spread") / 2.5)
    assert np.all(ens.final("outcome_mean") > ens.at(0, "outcome_mean") + 5)
    imposed = dk.ensemble(MODEL, n=100, seed=11, params=MODEL.scenario("imposed_targets"),
                          record=["outcome_spread", "reported_spread", "gaming_mean"])
    assert np.all(imposed.final("gaming_mean") > 0.3)
    assert np.all(imposed.final("reported_spread") < imposed.final("outcome_spread"))


def test_scores_stay_on_the_0_to_100_scale(runs):
    for name, r in runs.items():
        values = outcomes(r)
        assert values.min() >= 0 and values.max() <= 100, name
        reported = np.column_stack([r[f"reported_{k}"] for k in IDS])
        assert reported.max() <= 100 + 1e-9, name




def test_the_attractor_drives_collective_learning(runs):
    # French & Mollinger-Sahba (2021): a performance attractor motivates collective learning and
    # adaptation (``mechanisms_attractor_learning``). With the attractor on, network learning rises
    # above the same run with it off, with or without a learning partnership.
    for on, off in (("attractor_only", "no_framework"), ("attractor_and_partnership", "partnership_only")):
        assert runs[on].final("learning_mean") > runs[off].final("learning_mean") + 0.03, (on, off)
        assert np.all(runs[on]["learning_mean"][1:] > runs[off]["learning_mean"][1:]), (on, off)
    # ... and it is the mechanism, not the pull on goals, that does it
    quiet = dk.simulate(MODEL.with_params(attractor_learning=0), MODEL.scenario("attractor_only"))
    assert quiet.final("learning_mean") == pytest.approx(runs["no_framework"].final("learning_mean"))
    # knowledge flows between localities that compare notes against the shared framework
    assert runs["attractor_only"].final("knowledge_sharing") > 0
    assert runs["no_framework"].final("knowledge_sharing") == 0
