"""Scenarios (dk.compare) and Monte-Carlo uncertainty bands (dk.uncertainty)."""

import numpy as np
import pytest

import dpmkit as dk
import dpmkit.analysis.scenarios as scenarios_module


@pytest.fixture
def demo():
    return dk.models.load("demo")


def decay_model():
    return dk.Model("decay", [
        dk.Stock("waiting", 100, units="people"),
        dk.Flow("served", "waiting * exit_rate", out_of="waiting", units="people/week"),
        dk.Param("exit_rate", 0.1, bounds=(0.01, 0.5), uncertainty=(0.05, 0.2), units="1/week"),
        dk.Param("budget", 1, bounds=(0, 2), uncertainty=(0.5, 1.5), role="policy_lever", units="dimensionless"),
    ], stop=20, dt=0.5, time_units="week")


def series(table, scenario, variable):
    rows = table[(table["scenario"] == scenario) & (table["variable"] == variable)]
    return rows["value"].to_numpy()


def test_compare_includes_base_first_and_matches_single_runs(demo):
    table = dk.compare(demo)
    assert list(table.columns) == ["scenario", "time", "variable", "value"]
    assert list(dict.fromkeys(table["scenario"])) == ["base", "cut_posts", "extra_posts"]
    for name, params in (("base", {}), ("cut_posts", {"staff_target": 14}), ("extra_posts", {"staff_target": 26})):
        run = dk.simulate(demo, params)
        for var in run.names:
            np.testing.assert_allclose(series(table, name, var), run[var], rtol=1e-12, atol=1e-12)
    assert len(table) == 3 * len(demo.time) * len(dk.simulate(demo).names)


def test_compare_runs_one_vectorised_ensemble_without_events(demo, monkeypatch):
    calls = []
    real = scenarios_module.ensemble

    def counting(*args, **kwargs):
        calls.append(kwargs["samples"])
        return real(*args, **kwargs)

    monkeypatch.setattr(scenarios_module, "ensemble", counting)
    monkeypatch.setattr(scenarios_module, "simulate", lambda *a, **k: pytest.fail("a single run was used"))
    scen = {f"s{k}": {"staff_target": 10 + k, "referral_rate": 30 + k} for k in range(8)}
    table = dk.compare(demo, scen, names=["waiting_list"])
    assert len(calls) == 1
    assert len(calls[0]["staff_target"]) == 9
    assert table["scenario"].nunique() == 9


def test_compare_accepts_dicts_events_names_and_shared_params(demo):
    scen = {
        "more": {"staff_target": 30},
        "surge": {"params": {"staff_target": 22}, "events": {12: {"referral_rate": 70}}},
        "cut": "cut_posts",
    }
    table = dk.compare(demo, scen, params={"referral_rate": 45}, names=["waiting_list", "staff"])
    expect = {
        "base": dk.simulate(demo, {"referral_rate": 45}),
        "more": dk.simulate(demo, {"referral_rate": 45, "staff_target": 30}),
        "surge": dk.simulate(demo, {"referral_rate": 45, "staff_target": 22}, events={12: {"referral_rate": 70}}),
        "cut": dk.simulate(demo, {"referral_rate": 45, "staff_target": 14}),
    }
    for name, run in expect.items():
        np.testing.assert_allclose(series(table, name, "waiting_list"), run["waiting_list"], rtol=1e-12)
    assert set(table["variable"]) == {"waiting_list", "staff"}
    named = dk.compare(demo, ["extra_posts"], names="staff")
    assert list(dict.fromkeys(named["scenario"])) == ["base", "extra_posts"]


def test_compare_shared_events_apply_to_base_and_scenarios(demo):
    ev = {10: {"staff_target": 12}}
    table = dk.compare(demo, {"more": {"referral_rate": 50}}, events=ev, names=["staff"])
    np.testing.assert_allclose(series(table, "base", "staff"), dk.simulate(demo, events=ev)["staff"], rtol=1e-12)
    np.testing.assert_allclose(series(table, "more", "staff"),
                               dk.simulate(demo, {"referral_rate": 50}, events=ev)["staff"], rtol=1e-12)


def test_compare_wide_form(demo):
    wide = dk.compare(demo, names=["waiting_list", "staff"], form="wide")
    assert wide.index.name == "time" and len(wide) == len(demo.time)
    assert list(wide["waiting_list"].columns) == ["base", "cut_posts", "extra_posts"]
    np.testing.assert_allclose(wide[("staff", "cut_posts")], dk.simulate(demo, {"staff_target": 14})["staff"])


def test_compare_bad_input_is_a_clear_model_error(demo):
    with pytest.raises(dk.ModelError, match="no scenario 'cut'"):
        dk.compare(demo, ["cut"])
    with pytest.raises(dk.ModelError, match=r"scenario 'x'.*no parameter 'staf_target'.*did you mean 'staff_target'"):
        dk.compare(demo, {"x": {"staf_target": 3}})
    with pytest.raises(dk.ModelError, match=r"scenario 'x'.*outside its bounds"):
        dk.compare(demo, {"x": {"staff_target": 1000}})
    with pytest.raises(dk.ModelError, match="'base' is the name of the base case"):
        dk.compare(demo, {"base": {"staff_target": 3}})
    with pytest.raises(dk.ModelError, match="no variable 'waitinglist'"):
        dk.compare(demo, names=["waitinglist"])
    with pytest.raises(dk.ModelError, match="outside the run"):
        dk.compare(demo, {"x": {"params": {}, "events": {100: {"staff_target": 3}}}})
    with pytest.raises(dk.ModelError, match="form"):
        dk.compare(demo, form="tall")
    with pytest.raises(dk.ModelError, match="expected a dpmkit Model"):
        dk.compare("demo")


def test_uncertainty_bands_match_the_closed_form_of_euler_decay():
    # waiting(t_n) = 100 (1 - k dt)^n is decreasing in k, so its q-quantile is the
    # formula at the (1 - q)-quantile of the sampled k. With 1001 runs every quantile
    # used here falls exactly on a run, so the comparison is exact.
    model = decay_model()
    u = dk.uncertainty(model, n=1001, seed=3, names=["waiting"])
    k = u.samples["exit_rate"]
    assert k.min() >= 0.05 and k.max() <= 0.2
    steps = np.arange(len(model.time))
    for label, q in (("q05", 0.05), ("q25", 0.25), ("median", 0.5), ("q75", 0.75), ("q95", 0.95)):
        expect = 100 * (1 - np.quantile(k, 1 - q) * model.dt) ** steps
        np.testing.assert_allclose(u.bands[label].to_numpy(), expect, rtol=1e-10)
    mean = np.mean(100 * (1 - k[None, :] * model.dt) ** steps[:, None], axis=1)
    np.testing.assert_allclose(u.bands["mean"].to_numpy(), mean, rtol=1e-10)


def test_uncertainty_holds_policy_levers_and_refuses_to_vary_them():
    model = decay_model()
    u = dk.uncertainty(model, n=50, seed=1, params={"budget": 1.5})
    assert u.vary == ("exit_rate",) and "budget" not in u.samples
    assert u.ensemble.params["budget"] == 1.5
    with pytest.raises(dk.ModelError, match="'budget' is a policy lever"):
        dk.uncertainty(model, n=50, vary=["budget"])


def test_uncertainty_is_reproducible_chunked_and_reports_progress(demo):
    seen = []
    a = dk.uncertainty(demo, n=300, seed=7, chunk=64, progress=lambda done, total: seen.append((done, total)))
    b = dk.uncertainty(demo, n=300, seed=7)
    assert seen == [(64, 300), (128, 300), (192, 300), (256, 300), (300, 300)]
    np.testing.assert_array_equal(a.ensemble.values, b.ensemble.values)
    assert a.bands.equals(b.bands)
    summary = a.ensemble.summary()  # np.quantile: the reference implementation
    np.testing.assert_allclose(a.bands.drop(columns="variable").to_numpy(),
                               summary.drop(columns="variable").to_numpy(), rtol=1e-12, atol=1e-12)
    c = dk.uncertainty(demo, n=300, seed=8)
    assert not np.array_equal(a.ensemble.values, c.ensemble.values)
    at = a.at(30)
    assert list(at.index) == list(a.ensemble.names)
    assert (at["q05"] <= at["median"]).all() and (at["median"] <= at["q95"]).all()
    assert "300 runs" in repr(a)


def test_uncertainty_is_silent_outside_notebooks(demo, capsys):
    from dpmkit.analysis._common import in_notebook

    assert not in_notebook()
    dk.uncertainty(demo, n=20, seed=1, chunk=5)
    assert capsys.readouterr() == ("", "")


def test_uncertainty_shows_a_bar_in_a_notebook(demo, monkeypatch):
    import sys
    import types

    import dpmkit.analysis._common as common

    shown = []

    class IntProgress:
        def __init__(self, value, min, max, description):
            self.value, self.max, self.bar_style, self.values = value, max, "", []

        def __setattr__(self, key, val):
            object.__setattr__(self, key, val)
            if key == "value" and hasattr(self, "values"):
                self.values.append(val)

    monkeypatch.setitem(sys.modules, "ipywidgets", types.SimpleNamespace(IntProgress=IntProgress))
    monkeypatch.setitem(sys.modules, "IPython.display", types.SimpleNamespace(display=shown.append))
    monkeypatch.setattr(common, "in_notebook", lambda: True)
    dk.uncertainty(demo, n=100, seed=1, chunk=40)
    (bar,) = shown
    assert bar.max == 100 and bar.values == [40, 80, 100] and bar.bar_style == "success"
    shown.clear()
    dk.uncertainty(demo, n=100, seed=1, chunk=40, progress=False)
    dk.uncertainty(demo, n=30, seed=1, chunk=40)  # one chunk: too quick for a bar
    assert shown == []
    dk.uncertainty(demo, n=30, seed=1, chunk=40, progress=True)
    assert len(shown) == 1


def test_uncertainty_bad_input(demo):
    plain = dk.Model("plain", [dk.Stock("s", 1, units="people"), dk.Param("p", 1, bounds=(0, 2))], stop=2)
    with pytest.raises(dk.ModelError, match="declares no uncertain parameters"):
        dk.uncertainty(plain, n=10)
    with pytest.raises(dk.ModelError, match="no parameter 'referal_rate'"):
        dk.uncertainty(demo, n=10, vary=["referal_rate"])
    with pytest.raises(dk.ModelError, match="no variable 'queue'"):
        dk.uncertainty(demo, n=10, names=["queue"])
    with pytest.raises(dk.ModelError, match="GiB"):
        dk.uncertainty(demo, n=10_000, max_bytes=1_000_000)
    with pytest.raises(dk.ModelError, match="whole number"):
        dk.uncertainty(demo, n=0)
    with pytest.raises(dk.ModelError, match="quantiles between 0 and 1"):
        dk.uncertainty(demo, n=10, q=[0.5, 2])
    with pytest.raises(dk.ModelError, match="progress must be"):
        dk.uncertainty(demo, n=10, progress="yes")


def test_compare_on_a_model_without_parameters_still_has_the_base_case():
    model = dk.Model("fixed", [dk.Stock("s", 1, units="people"),
                               dk.Flow("inflow", 2, into="s", units="people/year")], stop=3)
    table = dk.compare(model)
    assert set(table["scenario"]) == {"base"}
    np.testing.assert_allclose(series(table, "base", "s"), [1, 3, 5, 7])
