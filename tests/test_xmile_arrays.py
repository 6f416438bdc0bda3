"""XMILE arrays: read by flattening each arrayed variable into one kit variable per element.

Checked against hand-computed trajectories, against the same model written out element
by element (a property test over random arrayed models), in both kernels (a single run
and an ensemble), through ``dk.xmile.write`` and PySD, and for the errors a learner meets.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_xmile import compare_with_pysd, pysd  # noqa: F401  (pysd is a fixture)

import dpmkit as dk
from dpmkit import ModelError

# these tests hold the vectorised kernel to single runs with small ensembles (conftest.py)
pytestmark = pytest.mark.usefixtures("vector_ensembles")

NS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"


def xmile(dims, variables, stop=4, dt=1):
    return (
        f'<xmile version="1.0" xmlns="{NS}"><sim_specs method="Euler" time_units="month">'
        f"<start>0</start><stop>{stop}</stop><dt>{dt}</dt></sim_specs>{dims}"
        f"<model><variables>{variables}</variables></model></xmile>"
    )


def dim(name, *elements):
    return f'<dim name="{name}">' + "".join(f'<elem name="{e}"/>' for e in elements) + "</dim>"


def dims_of(*names):
    return "<dimensions>" + "".join(f'<dim name="{n}"/>' for n in names) + "</dimensions>"


DIMS = "<dimensions>" + dim("Region", "North", "South") + dim("Age", "Young", "Middle", "Old") + "</dimensions>"

# Cases per region, referred in at a rate per region (one element given its own
# equation), closed at a fraction; totals and extremes over the regions; a
# two-dimensional table built from a one-dimensional array.
SERVICE = xmile(DIMS, f"""
    <stock name="Cases">{dims_of("Region")}<eqn>"Initial cases"</eqn>
        <inflow>Referrals</inflow><outflow>Closures</outflow><non_negative/></stock>
    <aux name="Initial cases">{dims_of("Region")}<eqn>100, 40</eqn></aux>
    <flow name="Referrals">{dims_of("Region")}
        <element subscript="North"><eqn>10 + TIME</eqn></element>
        <element subscript="South"><eqn>Referral_rate[South] * 2</eqn></element></flow>
    <aux name="Referral rate">{dims_of("Region")}<eqn>3</eqn></aux>
    <flow name="Closures">{dims_of("Region")}<eqn>Cases * closure_fraction</eqn></flow>
    <aux name="closure fraction"><eqn>0.25</eqn></aux>
    <aux name="Total cases"><eqn>SUM(Cases[*])</eqn></aux>
    <aux name="Mean cases"><eqn>MEAN(Cases[*])</eqn></aux>
    <aux name="Fewest"><eqn>MIN(Cases[*])</eqn></aux>
    <aux name="Most"><eqn>MAX(Cases)</eqn></aux>
    <aux name="Regions"><eqn>SIZE(Cases[*])</eqn></aux>
    <aux name="Share">{dims_of("Region")}<eqn>Cases[Region] / Total_cases</eqn></aux>
    <aux name="Weight">{dims_of("Age")}<eqn>1, 2, 3</eqn></aux>
    <aux name="Load">{dims_of("Region", "Age")}<eqn>Cases * Weight[Age]</eqn></aux>
    <aux name="North load"><eqn>SUM(Load[North, *])</eqn></aux>
    <aux name="Oldest South"><eqn>Load[2, Old]</eqn></aux>
""")


def run(text):
    model = dk.xmile.read(text)
    return model, dk.simulate(model)


def by_hand():
    """The SERVICE model by hand: Euler with dt = 1, stocks kept at or above 0."""
    cases = np.array([100.0, 40.0])
    rows = []
    for t in range(5):
        referrals = np.array([10.0 + t, 3.0 * 2])
        closures = cases * 0.25
        rows.append((cases.copy(), referrals, closures))
        cases = np.maximum(cases + referrals - closures, 0.0)
    return rows


def test_an_arrayed_model_is_read_as_one_variable_per_element():
    model, _ = run(SERVICE)
    assert [n for n in model.names if n.startswith("cases")] == ["cases_north", "cases_south"]
    assert model["cases_north"].label == "Cases[North]"
    assert model["load_south_old"].label == "Load[South,Old]"
    assert model["cases_south"].non_negative
    assert [f.name for f in model.inflows("cases_south")] == ["referrals_south"]
    assert [f.name for f in model.outflows("cases_north")] == ["closures_north"]
    # constants of an array are parameters, one per element, as scalar constants are
    assert isinstance(model["initial_cases_south"], dk.Param) and model["initial_cases_south"].default == 40
    assert isinstance(model["weight_old"], dk.Param) and model["weight_old"].default == 3


def test_an_arrayed_model_follows_the_hand_computed_trajectory():
    _, result = run(SERVICE)
    for t, (cases, referrals, closures) in enumerate(by_hand()):
        np.testing.assert_allclose([result["cases_north"][t], result["cases_south"][t]], cases, rtol=1e-12)
        np.testing.assert_allclose([result["referrals_north"][t], result["referrals_south"][t]], referrals)
        np.testing.assert_allclose([result["closures_north"][t], result["closures_south"][t]], closures,
                                   rtol=1e-12)
        total = cases.sum()
        assert result["total_cases"][t] == pytest.approx(total, rel=1e-12)
        assert result["mean_cases"][t] == pytest.approx(total / 2, rel=1e-12)
        assert result["fewest"][t] == pytest.approx(cases.min(), rel=1e-12)
        assert result["most"][t] == pytest.approx(cases.max(), rel=1e-12)
        assert result["regions"][t] == 2
        assert result["share_south"][t] == pytest.approx(cases[1] / total, rel=1e-12)
        assert result["load_north_middle"][t] == pytest.approx(cases[0] * 2, rel=1e-12)
        assert result["north_load"][t] == pytest.approx(cases[0] * 6, rel=1e-12)
        assert result["oldest_south"][t] == pytest.approx(cases[1] * 3, rel=1e-12)


def test_an_arrayed_model_runs_in_an_ensemble_as_in_single_runs():
    model, _ = run(SERVICE)
    values = np.array([80.0, 100.0, 120.0])
    ens = dk.ensemble(model, samples={"initial_cases_north": values})
    for k, value in enumerate(values):
        single = dk.simulate(model, params={"initial_cases_north": value})
        for name in ("cases_north", "total_cases", "north_load", "fewest"):
            np.testing.assert_allclose(ens[name][:, k], single[name], rtol=1e-12, err_msg=name)
    assert not np.allclose(ens["total_cases"][:, 0], ens["total_cases"][:, 2])


def test_an_arrayed_model_survives_writing_and_reading_back():
    model, result = run(SERVICE)
    text = dk.xmile.dumps(model)
    # elements are written as scalar variables named by their identifiers, not "Cases[North]"
    assert 'name="cases_north"' in text and 'name="Cases[North]"' not in text
    again = dk.xmile.read(text)
    assert again.names == model.names
    assert [v.label for v in again.variables] == [v.label for v in model.variables]
    result_again = dk.simulate(again)
    for name in result.names:
        np.testing.assert_allclose(result_again[name], result[name], rtol=1e-12, err_msg=name)


def test_an_arrayed_model_written_by_the_kit_runs_the_same_in_pysd(pysd, tmp_path):  # noqa: F811
    model, _ = run(SERVICE)
    compare_with_pysd(pysd, model, tmp_path)


def test_array_functions_of_expressions_over_arrays_match_by_dimension():
    text = xmile(DIMS, f"""
        <aux name="sales">{dims_of("Region", "Age")}<eqn>Weight * (TIME + 1)</eqn></aux>
        <aux name="Weight">{dims_of("Age")}<eqn>1, 2, 4</eqn></aux>
        <aux name="price">{dims_of("Age")}<eqn>10, 20, 30</eqn></aux>
        <aux name="bonus">{dims_of("Region")}<eqn>5, 7</eqn></aux>
        <aux name="revenue"><eqn>SUM(sales[*, *] * price[*])</eqn></aux>
        <aux name="mean gap"><eqn>MEAN(price[*] - Weight[*] + 1)</eqn></aux>
        <aux name="spread"><eqn>MAX(sales[*, *] + bonus[*]) - MIN(sales[*, *] + bonus[*])</eqn></aux>
        <aux name="listed mean"><eqn>MEAN(1, 2, TIME)</eqn></aux>
        <aux name="north revenue">{dims_of("Region")}<eqn>SUM(sales[Region, *] * price[*])</eqn></aux>""")
    _, result = run(text)
    weight, price, bonus = np.array([1.0, 2, 4]), np.array([10.0, 20, 30]), np.array([5.0, 7])
    for k, t in enumerate(result.time):
        sales = np.outer([1.0, 1.0], weight) * (t + 1)
        assert result["revenue"][k] == pytest.approx((sales * price).sum(), rel=1e-12)
        assert result["mean_gap"][k] == pytest.approx((price - weight + 1).mean(), rel=1e-12)
        both = sales + bonus[:, None]
        assert result["spread"][k] == pytest.approx(both.max() - both.min(), rel=1e-12)
        assert result["listed_mean"][k] == pytest.approx((1 + 2 + t) / 3, rel=1e-12)
        assert result["north_revenue_south"][k] == pytest.approx((sales[1] * price).sum(), rel=1e-12)


def test_dimensions_given_by_size_are_numbered_from_1():
    text = xmile('<dimensions><dim name="d" size="3"/></dimensions>', f"""
        <aux name="x">{dims_of("d")}<eqn>10, 20, 30</eqn></aux>
        <aux name="second"><eqn>x[2]</eqn></aux>
        <aux name="y">{dims_of("d")}<eqn>x[d] + 1</eqn></aux>""")
    model, result = run(text)
    assert model["x_2"].label == "x[2]"
    assert result["second"][0] == 20 and result["y_3"][0] == 31


@pytest.mark.parametrize(("variables", "message", "variable"), [
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y"><eqn>x</eqn></aux>',
     r"'x' stands for 2 array elements here; use it inside SUM, MEAN", "y"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y"><eqn>x[North, Young]</eqn></aux>',
     r"'x' has 1 dimension \(Region\) but is given 2 subscripts", "y"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y"><eqn>x[East]</eqn></aux>',
     r"'East' is neither an element of 'Region' nor a dimension", "y"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y"><eqn>x[3]</eqn></aux>',
     r"the subscript 3 of 'x' is past the 2 elements of 'Region'", "y"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y"><eqn>x[North + 1]</eqn></aux>',
     r"expected ',' or '\]' in the subscripts of 'x'", "y"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y">{dims_of("Age")}<eqn>x[Age]</eqn></aux>',
     r"'Age' does not map onto 'Region', the dimension of 'x' at this place \(dimension mappings are not supported",
     "y[Young]"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y"><eqn>SUM(x[*], 2)</eqn></aux>',
     r"SUM of an array takes one argument, an array such as x\[\*\] or an expression over arrays", "y"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y"><eqn>SUM(3)</eqn></aux>',
     r"SUM of an array takes an array such as x\[\*\] \(or an expression over arrays\), not a single value", "y"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1</eqn></aux><aux name="y"><eqn>x(1)</eqn></aux>',
     r"'x' is an array, not a function", "y"),
    (f'<aux name="x">{dims_of("Planet")}<eqn>1</eqn></aux>',
     r"the dimension 'Planet' is not defined in the file's <dimensions>", "x"),
    (f'<aux name="x">{dims_of("Region")}<eqn>1, 2, 3</eqn></aux>',
     r"the list of 3 numbers does not match its 2 elements", "x"),
    (f'<aux name="x">{dims_of("Region")}<element subscript="North"><eqn>1</eqn></element></aux>',
     r"aux 'x' has no equation for the element \[South\]", "x"),
    (f'<aux name="x">{dims_of("Region")}<element subscript="East"><eqn>1</eqn></element><eqn>0</eqn></aux>',
     r"<element subscript='East'> is not an element of its dimensions \(Region\)", "x"),
    (f'<stock name="s">{dims_of("Region")}<eqn>0</eqn><inflow>f</inflow></stock><flow name="f"><eqn>1</eqn></flow>',
     r"stock 's' lists the inflow 'f', but the two do not have the same dimensions", "s[North]"),
    (f'<aux name="x">{dims_of("Region")}<eqn> ??? </eqn></aux>',
     r"'x\[North\]' is '\?\?\?': the converter that wrote the file \(xmutil, from Vensim\) could not translate it",
     "x[North]"),
])
def test_array_mistakes_are_refused_by_name(variables, message, variable):
    with pytest.raises(ModelError, match=message) as err:
        dk.xmile.read(xmile(DIMS, variables))
    assert err.value.variable == variable


def test_an_array_of_many_large_dimensions_is_refused_before_its_elements_are_listed():
    dims = "".join(f'<dim name="d{k}" size="10000"/>' for k in range(6))  # 10^24 elements
    text = xmile(f"<dimensions>{dims}</dimensions>",
                 f'<aux name="x">{dims_of(*(f"d{k}" for k in range(6)))}<eqn>1</eqn></aux>')
    with pytest.raises(ModelError, match=r"more than 50000 elements together"):
        dk.xmile.read(text)


def test_too_many_array_elements_are_refused_before_anything_is_built():
    big = '<dimensions><dim name="a" size="10000"/><dim name="b" size="10"/></dimensions>'
    with pytest.raises(ModelError, match=r"more than 50000 elements together"):
        dk.xmile.read(xmile(big, f'<aux name="x">{dims_of("a", "b")}<eqn>1</eqn></aux>'))


# ------------------------------------------------- the property: arrays = elements written out

@st.composite
def arrayed_models(draw):
    """A random arrayed model, and the same model written out element by element by hand."""
    n_dims = draw(st.integers(1, 2))
    sizes = [draw(st.integers(1, 3)) for _ in range(n_dims)]
    dnames = [f"D{k}" for k in range(n_dims)]
    elems = [[f"e{k}{j}" for j in range(size)] for k, size in enumerate(sizes)]
    dims_xml = "<dimensions>" + "".join(dim(d, *e) for d, e in zip(dnames, elems)) + "</dimensions>"
    combos = [()]
    for e in elems:
        combos = [c + (x,) for c in combos for x in e]
    values = [draw(st.floats(0.1, 10, allow_nan=False)) for _ in combos]
    rate = draw(st.floats(0.01, 0.5))
    growth_form = draw(st.sampled_from(["a2a", "per_element"]))
    use_first = draw(st.booleans())
    arrayed, flat = [], []
    # constants: a list of numbers
    arrayed.append(f'<aux name="k">{dims_of(*dnames)}<eqn>{", ".join(map(repr, values))}</eqn></aux>')
    flat += [f'<aux name="k {" ".join(c)}"><eqn>{v!r}</eqn></aux>' for c, v in zip(combos, values)]
    # a stock per element, filled by a flow that uses the stock, the constants and a scalar
    arrayed.append(f'<stock name="s">{dims_of(*dnames)}<eqn>k</eqn><inflow>g</inflow></stock>')
    flat += [f'<stock name="s {" ".join(c)}"><eqn>k_{"_".join(c)}</eqn><inflow>g_{"_".join(c)}</inflow></stock>'
             for c in combos]
    first = combos[0]
    extra = f' + s[{", ".join(first)}] / 10' if use_first else ""
    flat_extra = f' + s_{"_".join(first)} / 10' if use_first else ""
    if growth_form == "a2a":
        arrayed.append(f'<flow name="g">{dims_of(*dnames)}<eqn>s * r - k[{", ".join(dnames)}] / 4{extra}</eqn></flow>')
    else:
        arrayed.append(f'<flow name="g">{dims_of(*dnames)}' + "".join(
            f'<element subscript="{", ".join(c)}"><eqn>s[{", ".join(c)}] * r - k[{", ".join(c)}] / 4{extra}</eqn>'
            "</element>" for c in combos) + "</flow>")
    flat += [f'<flow name="g {" ".join(c)}"><eqn>s_{"_".join(c)} * r - k_{"_".join(c)} / 4{flat_extra}</eqn></flow>'
             for c in combos]
    arrayed.append(f'<aux name="r"><eqn>{rate!r}</eqn></aux>')
    flat.append(f'<aux name="r"><eqn>{rate!r}</eqn></aux>')
    # array functions over everything
    every = [f's_{"_".join(c)}' for c in combos]
    for fn, flat_eqn in [
        ("SUM", " + ".join(every)),
        ("MEAN", f'({" + ".join(every)}) / {len(every)}'),
        ("MIN", every[0] if len(every) == 1 else "MIN(" + ", ".join(every) + ")"),
        ("MAX", every[0] if len(every) == 1 else "MAX(" + ", ".join(every) + ")"),
    ]:
        arrayed.append(f'<aux name="{fn.lower()} of s"><eqn>{fn}(s[{", ".join("*" * 1 for _ in dnames)}])</eqn></aux>')
        flat.append(f'<aux name="{fn.lower()} of s"><eqn>{flat_eqn}</eqn></aux>')
    return xmile(dims_xml, "".join(arrayed), stop=6, dt=0.5), xmile("", "".join(flat), stop=6, dt=0.5)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(arrayed_models())
def test_an_arrayed_model_equals_the_same_model_written_out_element_by_element(texts):
    arrayed_text, flat_text = texts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dk.UnitsWarning)
        arrayed, flat = dk.xmile.read(arrayed_text), dk.xmile.read(flat_text)
    assert arrayed.names == flat.names
    assert [type(v) for v in arrayed.variables] == [type(v) for v in flat.variables]
    a, b = dk.simulate(arrayed), dk.simulate(flat)
    for name in a.names:
        # sums are added in another order (a balanced tree): equal to rounding
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-12, err_msg=name)


def test_functions_of_large_arrays_are_computed_in_parts():
    big = '<dimensions><dim name="a" size="3000"/></dimensions>'
    model, result = run(xmile(big, f'<aux name="x">{dims_of("a")}<eqn>TIME + 1</eqn></aux>'
                                   '<aux name="total"><eqn>SUM(x[*])</eqn></aux>'
                                   '<aux name="most"><eqn>MAX(x[*] * 2)</eqn></aux>'
                                   '<aux name="average"><eqn>MEAN(x[*])</eqn></aux>'))
    assert "total_sum_1" in model.names and "Part of the SUM of 3000 array elements" in model["total_sum_1"].description
    np.testing.assert_allclose(result["total"], 3000 * (result.time + 1), rtol=1e-12)
    np.testing.assert_allclose(result["most"], 2 * (result.time + 1), rtol=1e-12)
    np.testing.assert_allclose(result["average"], result.time + 1, rtol=1e-12)


def test_whole_arrays_summed_in_every_element_of_a_large_array_are_refused_not_expanded():
    # 1,000 elements each summing 1,000 others would be a million references
    big = '<dimensions><dim name="a" size="1000"/></dimensions>'
    with pytest.raises(ModelError, match=r"refer to more than 250000 array elements in all"):
        dk.xmile.read(xmile(big, f'<aux name="x">{dims_of("a")}<eqn>1</eqn></aux>'
                                 f'<aux name="y">{dims_of("a")}<eqn>SUM(x[*]) - x</eqn></aux>'))


def test_an_expression_over_arrays_of_unrelated_large_dimensions_is_refused_before_it_is_expanded():
    dims = '<dimensions><dim name="a" size="1000"/><dim name="b" size="1000"/></dimensions>'
    text = xmile(dims, f'<aux name="x">{dims_of("a")}<eqn>1</eqn></aux><aux name="y">{dims_of("b")}<eqn>1</eqn></aux>'
                       '<aux name="z"><eqn>SUM(x[*] * y[*])</eqn></aux>')  # a million products
    with pytest.raises(ModelError, match=r"the expression over arrays has too many elements"):
        dk.xmile.read(text)
