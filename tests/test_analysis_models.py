"""Every analysis function works on every registered model.

Other helpers keep adding models, so nothing here names a model: outputs and
parameters are picked from each model's own declarations (its first stock, its
uncertain parameters, its policy levers, its scenarios).
"""

import numpy as np
import pytest

import dpmkit as dk
from dpmkit.analysis import nondominated

MODELS = dk.models.available()


def varied(model, k=4):
    """Uncertain parameters that are not levers; else bounded non-levers."""
    names = [p.name for p in model.uncertainties if p.role != "policy_lever"]
    names = names or [p.name for p in model.params if p.bounds and p.role != "policy_lever"]
    return names[:k]


def responsive_stock(model):
    """The first stock that a parameter moves (uncertain ones first), with that parameter."""
    bounded = [p.name for p in model.params if p.bounds and p.role != "policy_lever"]
    for params in (varied(model, 8), bounded):
        for stock in model.stocks:
            table = dk.sensitivity(model, stock.name, params)
            if table["swing"].iloc[0] > 1e-9 * max(1.0, abs(table["output_base"].iloc[0])):
                return stock.name, table["param"].iloc[0]
    pytest.fail(f"no stock of {model.name} responds to any parameter")


@pytest.mark.parametrize("name", MODELS)
def test_compare_matches_single_runs(name):
    model = dk.models.load(name)
    stock = model.stocks[0].name
    scenarios = list(model.scenario_names) or None
    if scenarios is None:
        p = varied(model, 1)[0]
        _lo, hi = model[p].bounds
        scenarios = {"tweak": {p: (model[p].default + hi) / 2}}
    table = dk.compare(model, scenarios, names=[stock])
    names = list(dict.fromkeys(table["scenario"]))
    assert names[0] == "base"
    for scen in names:
        if scen == "base":
            params = {}
        elif isinstance(scenarios, dict):
            params = scenarios[scen]
        else:
            params = model.scenario(scen)
        got = table[table["scenario"] == scen]["value"].to_numpy()
        np.testing.assert_allclose(got, dk.simulate(model, params)[stock], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", MODELS)
def test_uncertainty_bands_are_ordered(name):
    model = dk.models.load(name)
    u = dk.uncertainty(model, n=64, seed=0, vary=varied(model, 6), names=[model.stocks[0].name])
    b = u.bands
    assert len(b) == len(model.time)
    assert (b["q05"] <= b["median"] + 1e-12).all() and (b["median"] <= b["q95"] + 1e-12).all()
    levers = {p.name for p in model.policy_levers}
    assert not levers & set(u.samples)


@pytest.mark.parametrize("name", MODELS)
def test_sensitivity_oat_and_sobol(name):
    model = dk.models.load(name)
    stock = model.stocks[0].name
    params = varied(model)
    oat = dk.sensitivity(model, stock, params)
    assert len(oat) == len(params) and (oat["swing"] >= 0).all()
    assert oat["output_base"].iloc[0] == pytest.approx(dk.simulate(model).final(stock))
    sobol = dk.sensitivity(model, stock, params[:3], method="sobol", n=32, seed=0)
    assert len(sobol) == len(params[:3])
    assert set(sobol.columns) >= {"S1", "ST"}


@pytest.mark.parametrize("name", MODELS)
def test_calibration_recovers_a_parameter_from_the_models_own_trajectory(name):
    model = dk.models.load(name)
    stock, param = responsive_stock(model)
    decl = model[param]
    _lo, hi = decl.uncertainty or decl.bounds
    truth = decl.default + 0.3 * (hi - decl.default)
    data = dk.simulate(model, {param: truth}).to_frame([stock]).iloc[::5]
    fit = dk.calibrate(model, data, [param])
    assert fit.fit.loc[stock, "rmse"] <= 1e-4 * max(1.0, float(data[stock].abs().max()))
    assert fit.model[param].default == fit.params[param]


@pytest.mark.parametrize("name", MODELS)
def test_clustering_test_gives_a_verdict(name):
    model = dk.models.load(name)
    stocks = [s.name for s in model.stocks]
    families = {"first": stocks[:1], "others": stocks[1:3] or [dk.simulate(model).names[-1]]}
    test = dk.clustering_test(model, families, n=60, seed=0, vary=varied(model, 6))
    assert test.holds in (True, False, None)
    assert test.verdict and len(test.scores) == 60


@pytest.mark.parametrize("name", MODELS)
def test_frontier_is_non_dominated(name):
    model = dk.models.load(name)
    levers = [p.name for p in model.policy_levers] or varied(model, 2)
    stock = model.stocks[0].name
    f = dk.frontier(model, {stock: "max", levers[0]: "min"}, levers=levers, n=40, seed=0)
    front = f.frontier[[stock, levers[0]]].to_numpy() * np.array([-1, 1])
    assert len(front) >= 1 and nondominated(front).all()


@pytest.mark.parametrize("name", MODELS)
def test_loops_knockout_and_dominance(name):
    model = dk.models.load(name)
    found = dk.loops(model)
    deps = model.dependencies()
    for lp in found:
        assert lp.polarity in ("reinforcing", "balancing", "undetermined")
        for a, b, sign in lp.links:
            assert a in deps[b] and sign in "+-?"
    if not found:
        return
    ko = dk.loop_knockout(model, found[0])
    assert set(ko.frame["scenario"]) == {"base", "knocked_out"}
    d = dk.loop_dominance(model)
    assert (d.scores["relative"].abs() <= 1 + 1e-12).all()
    assert isinstance(d.story(), str)
