"""Stella builtins read by translation into kit stocks and flows: the pipeline DELAY,
PREVIOUS and one-argument RAMP; checked against runs computed by hand, in PySD, and
for the forms that are refused."""

from __future__ import annotations

import numpy as np
import pytest
from test_xmile import compare_with_pysd, pysd  # noqa: F401  (pysd is a fixture)

import dpmkit as dk
from dpmkit import ModelError

# these tests hold the vectorised kernel to single runs with small ensembles (conftest.py)
pytestmark = pytest.mark.usefixtures("vector_ensembles")

NS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"


def xmile(variables, start=0, stop=6, dt=0.5, method="Euler"):
    return (
        f'<xmile version="1.0" xmlns="{NS}"><sim_specs method="{method}" time_units="month">'
        f"<start>{start}</start><stop>{stop}</stop><dt>{dt}</dt></sim_specs>"
        f"<model><variables>{variables}</variables></model></xmile>"
    )


def aux(name, eqn):
    return f'<aux name="{name}"><eqn>{eqn}</eqn></aux>'


# an input that changes at every step, a stock fed by a delayed flow
PIPELINE = xmile(
    aux("input", "TIME ^ 2 + 1")
    + aux("late", "DELAY(input, 1.5)")
    + aux("late from zero", "DELAY(input * 2, 1, -3)")
    + aux("last step", "PREVIOUS(input, 7)")
    + aux("same", "DELAY(input, 0)")
    + '<stock name="store"><eqn>0</eqn><inflow>arrivals</inflow></stock>'
    + '<flow name="arrivals"><eqn>DELAY(input, 2)</eqn></flow>',
    start=1,
)


def test_the_pipeline_delay_is_the_input_delay_time_ago():
    model = dk.xmile.read(PIPELINE)
    result = dk.simulate(model)
    t = result.time
    x = t ** 2 + 1
    x0 = 2.0  # the input at the start (t = 1)

    def shifted(values, steps, initial):
        return np.concatenate([np.full(steps, initial), values[:-steps]])

    np.testing.assert_allclose(result["late"], shifted(x, 3, x0), rtol=1e-12)
    np.testing.assert_allclose(result["late_from_zero"], shifted(2 * x, 2, -3.0), rtol=1e-12)
    np.testing.assert_allclose(result["last_step"], shifted(x, 1, 7.0), rtol=1e-12)
    np.testing.assert_array_equal(result["same"], x)
    arrivals = shifted(x, 4, x0)
    np.testing.assert_allclose(result["arrivals"], arrivals, rtol=1e-12)
    np.testing.assert_allclose(result["store"], np.concatenate([[0], np.cumsum(arrivals[:-1] * 0.5)]), rtol=1e-12)


def test_the_pipeline_delay_is_made_of_named_stocks_that_say_what_they_are():
    model = dk.xmile.read(PIPELINE)
    stages = [s for s in model.stocks if s.name.startswith("late_delay")]
    assert [s.name for s in stages] == ["late_delay_1", "late_delay_2", "late_delay_3"]
    assert "shift register that computes DELAY(input, ...)" in stages[0].description
    assert model["late"].equation == "late_delay_3"


def test_a_model_with_pipeline_delays_runs_the_same_in_pysd(pysd, tmp_path):  # noqa: F811
    compare_with_pysd(pysd, dk.xmile.read(PIPELINE), tmp_path)


def test_one_argument_ramp_starts_at_the_start_of_the_run():
    model = dk.xmile.read(xmile(aux("r", "RAMP(2)") + aux("r2", "RAMP(2, 3)"), start=1))
    result = dk.simulate(model)
    np.testing.assert_allclose(result["r"], 2 * (result.time - 1))
    np.testing.assert_allclose(result["r2"], 2 * np.maximum(result.time - 3, 0))


@pytest.mark.parametrize(("equation", "method", "message"), [
    ("DELAY(TIME, 1)", "RK4", r"reproduced with Euler steps only; the file asks for RK4"),
    ("DELAY(TIME, y)", "Euler", r"the delay time must be a number or a constant \(a delay time that changes"),
    ("DELAY(TIME, 0.7)", "Euler", r"the delay time 0.7 is not a whole number of time steps \(dt = 0.5\)"),
    ("DELAY(TIME, -1)", "Euler", r"the delay time -1 is not a whole number of time steps"),
    ("DELAY(TIME)", "Euler", r"DELAY takes 2 or 3 arguments but was given 1"),
    ("PREVIOUS(TIME)", "Euler", r"PREVIOUS takes 2 arguments here, PREVIOUS\(input, initial value\)"),
])
def test_pipeline_delays_the_kit_cannot_reproduce_exactly_are_refused(equation, method, message):
    with pytest.raises(ModelError, match=message) as err:
        dk.xmile.read(xmile(aux("x", equation) + aux("y", "2 + STEP(1, 3)"), method=method))
    assert err.value.variable == "x"


# ------------------------------------------------------------------ modules

def with_models(main, *models, stop=4, dt=1):
    subs = "".join(f'<model name="{name}"><variables>{body}</variables></model>' for name, body in models)
    return (
        f'<xmile version="1.0" xmlns="{NS}"><sim_specs method="Euler"><start>0</start><stop>{stop}</stop>'
        f"<dt>{dt}</dt></sim_specs><model><variables>{main}</variables></model>{subs}</xmile>"
    )


# a service module used inside a region module: the inner input comes from the main
# model through the region; the main model reads the inner stock back
WAITING = ("waiting", '<stock name="queue"><eqn>10</eqn><inflow>arrivals</inflow><outflow>served</outflow></stock>'
           '<flow name="arrivals"><eqn>demand</eqn></flow>'
           '<flow name="served"><eqn>queue / wait</eqn></flow>'
           '<aux name="wait"><eqn>2</eqn></aux>'
           '<aux name="demand" access="input"><eqn>{not connected}0</eqn></aux>')
REGION = ("region", '<module name="waiting"><connect to="waiting.demand" from=".local demand"/></module>'
          '<aux name="local demand" access="input"><eqn>0</eqn></aux>')
NESTED = with_models(
    '<module name="region"><connect to="region.local_demand" from=".demand"/></module>'
    '<aux name="demand"><eqn>3 + TIME</eqn></aux>'
    '<aux name="seen"><eqn>queue_copy * 2</eqn></aux>'
    '<aux name="queue copy"><eqn>0</eqn></aux>'
    '<module name="reader_stub"><connect to="reader_stub.x" from="region.waiting.queue"/></module>',
    WAITING, REGION, ("reader_stub", '<aux name="x" access="input"><eqn>0</eqn></aux>'),
)


def test_nested_modules_are_flattened_with_namespaced_names_and_match_a_hand_run():
    model = dk.xmile.read(NESTED)
    assert model["region_waiting_queue"].label == "region.waiting.queue"
    assert model["region_waiting_demand"].equation == "region_local_demand"
    assert model["region_local_demand"].equation == "demand"
    assert model["reader_stub_x"].equation == "region_waiting_queue"
    result = dk.simulate(model)
    queue = 10.0
    for t in range(5):
        assert result["region_waiting_queue"][t] == pytest.approx(queue, rel=1e-12)
        assert result["reader_stub_x"][t] == pytest.approx(queue, rel=1e-12)
        queue += (3 + t) - queue / 2


def test_a_model_no_module_uses_is_noted_not_simulated():
    ignored = []
    text = with_models('<aux name="a"><eqn>1</eqn></aux>', ("spare", '<aux name="b"><eqn>2</eqn></aux>'))
    model = dk.xmile.read(text, ignored=ignored)
    assert model.names == ("a",)
    assert ignored == ["<model name='spare'>: no module uses it, so it is not part of the simulation"]


@pytest.mark.parametrize(("text", "message"), [
    (with_models('<module name="nowhere"/>'), r"module 'nowhere': the file has no <model name='nowhere'>"),
    (with_models('<module name="m"><connect to="m.nothing" from=".a"/></module><aux name="a"><eqn>1</eqn></aux>',
                 ("m", '<aux name="x"><eqn>1</eqn></aux>')),
     r"<connect to='m.nothing'> names no variable of the file \(looked for 'm.nothing'\)"),
    (with_models('<module name="m"/>', ("m", '<module name="m"/>')), r"a model that contains itself"),
    (with_models('<module name="m"/>', ("m", '<aux name="x" access="input"><eqn>{Enter equation}</eqn></aux>')),
     r"'m.x' is an input of its module \(access=\"input\"\), but no <connect> of the module feeds it"),
    (with_models('<module name="m" resource="other.stmx"/>'), r"refers to another file \('other.stmx'\)"),
    (with_models('<module name="m"><wire/></module>', ("m", "")), r"module 'm': the element <wire> is not supported"),
    (with_models('<aux name="a"><eqn>m.x</eqn></aux>'), r"module references \(names with a '.'\) are not supported"),
])
def test_module_mistakes_are_refused_by_name(text, message):
    with pytest.raises(ModelError, match=message):
        dk.xmile.read(text)


def test_a_model_with_modules_runs_the_same_in_pysd(pysd, tmp_path):  # noqa: F811
    compare_with_pysd(pysd, dk.xmile.read(NESTED), tmp_path)


def test_modules_that_multiply_into_too_many_variables_are_refused():
    # ten instances of a model of ten instances of ten of a model of 200 variables: 200,000
    levels = [(f"m{k}", "".join(f'<module name="i{j}" model="m{k + 1}"/>' for j in range(10))) for k in range(3)]
    levels.append(("m3", "".join(f'<aux name="x{j}"><eqn>1</eqn></aux>' for j in range(200))))
    with pytest.raises(ModelError, match=r"the modules of the file make more than 50000 variables together"):
        dk.xmile.read(with_models('<module name="top" model="m0"/>', *levels))


def test_a_small_file_cannot_make_more_module_variables_than_arrays_may():
    # 10 x 10 x 10 instances of 60 variables: 60,000 from 4 kB, which took 7 s to read (the cap was
    # 100,000); the cap is now the arrays' 50,000, and the refusal comes before any equation is read
    levels = [(f"m{k}", "".join(f'<module name="i{j}" model="m{k + 1}"/>' for j in range(10))) for k in range(2)]
    levels.append(("m2", "".join(f'<aux name="x{j}"><eqn>TIME * {j}</eqn></aux>' for j in range(60))))
    text = with_models("".join(f'<module name="top{j}" model="m0"/>' for j in range(10)), *levels)
    assert len(text) < 6000
    with pytest.raises(ModelError, match=r"the modules of the file make more than 50000 variables together"):
        dk.xmile.read(text)


def test_pipeline_delays_that_need_too_many_stocks_are_refused():
    delays = "".join(aux(f"d{k}", "DELAY(TIME, 3000)") for k in range(4))
    with pytest.raises(ModelError, match=r"need more than 10000 steps of delay together"):
        dk.xmile.read(xmile(delays, stop=10, dt=1))


def test_a_macro_nothing_uses_is_noted_and_one_that_is_used_is_refused():
    macro = '<macro name="Double"><eqn>2 * x</eqn><parm>x</parm></macro>'
    text = xmile(aux("a", "1")).replace("<model>", macro + "<model>")
    ignored = []
    assert dk.xmile.read(text, ignored=ignored).names == ("a",)
    assert ignored == ["<macro name='Double'>: macros are not supported; no equation may use it"]
    with pytest.raises(ModelError, match=r"macros are not supported \(the macro 'Double' is used here\)"):
        dk.xmile.read(text.replace("<eqn>1</eqn>", "<eqn>DOUBLE(1)</eqn>"))


def test_connections_as_newer_stella_writes_them():
    # <connect2> repeats each <connect>; a connection between two modules is listed on
    # both; ".total" brings a module's output out into the main model; names may be quoted
    text = with_models(
        '<module name="a"><connect to="b.input" from="a.&quot;out/put&quot;"/>'
        '<connect2 to="b.input" from="a.&quot;out/put&quot;"/>'
        '<connect to=".total" from="b.doubled"/></module>'
        '<module name="b"><connect to="b.input" from="a.&quot;out/put&quot;"/></module>'
        '<aux name="total" access="input"><eqn>0</eqn></aux>',
        ("a", '<aux name="out/put" access="output"><eqn>TIME + 1</eqn></aux>'),
        ("b", '<aux name="input" access="input"><eqn>0</eqn></aux><aux name="doubled"><eqn>2 * input</eqn></aux>'),
    )
    model = dk.xmile.read(text)
    assert model["b_input"].equation == "a_out_put" and model["total"].equation == "b_doubled"
    np.testing.assert_allclose(dk.simulate(model)["total"], 2 * (np.arange(5) + 1))


def test_trend_equals_the_structure_stella_documents_for_it():
    # the explicit structure beside TREND, as in a Stella model that shows both
    text = xmile(
        aux("input", "IF TIME > 3 THEN 10 ELSE 5 + TIME")
        + aux("delay time", "5")
        + '<stock name="Average Input"><eqn>input / (1 + 0.1 * delay_time)</eqn><inflow>change</inflow></stock>'
        + '<flow name="change"><eqn>(input - Average_Input) / delay_time</eqn></flow>'
        + aux("by hand", "(input - Average_Input) / (Average_Input * delay_time)")
        + aux("trend output", "TREND(input, delay_time, 0.1)")
        + aux("trend from zero", "TREND(input, delay_time)"),
        start=1, stop=13, dt=0.25)
    model = dk.xmile.read(text)
    result = dk.simulate(model)
    np.testing.assert_allclose(result["trend_output"], result["by_hand"], rtol=1e-12, atol=1e-15)
    assert result["trend_from_zero"][0] == 0  # the average starts at the input: no trend
    assert result["trend_output"][0] == pytest.approx((6 - 6 / 1.5) / (6 / 1.5 * 5))
    rk4 = dk.simulate(model, method="rk4")  # a smooth, not a shift: RK4 keeps its meaning
    np.testing.assert_allclose(rk4["trend_output"], rk4["by_hand"], rtol=1e-12, atol=1e-15)


def test_a_non_negative_stock_rations_its_outflow_as_stella_does_and_a_free_stock_does_not():
    # isee's help, "Flow prioritization": outflow = MIN(stock/DT + inflows, outflow asked for)
    text = xmile('<stock name="tank"><eqn>3</eqn><outflow>drain</outflow><non_negative/></stock>'
                 '<flow name="drain"><eqn>2</eqn></flow>'
                 '<stock name="free"><eqn>3</eqn><outflow>leak</outflow></stock><flow name="leak"><eqn>2</eqn></flow>',
                 stop=4, dt=1)
    ignored = []
    result = dk.simulate(dk.xmile.read(text, ignored=ignored))
    assert ignored == []
    np.testing.assert_array_equal(result["tank"], [3, 1, 0, 0, 0])
    np.testing.assert_array_equal(result["drain"], [2, 1, 0, 0, 0])  # cut back to what the tank holds
    np.testing.assert_array_equal(result["free"], [3, 1, -1, -3, -5])
    np.testing.assert_array_equal(result["leak"], [2, 2, 2, 2, 2])


RATIONED = xmile(
    '<stock name="tank"><eqn>3</eqn><inflow>fill</inflow><outflow>drain</outflow><outflow>spill</outflow>'
    '<non_negative/></stock><stock name="sink"><eqn>0</eqn><inflow>spill</inflow></stock>'
    '<aux name="fill rate"><eqn>0.5</eqn></aux><flow name="fill"><eqn>fill_rate</eqn></flow>'
    '<flow name="drain"><eqn>2 + TIME / 4</eqn></flow>'
    '<flow name="spill"><eqn>1</eqn><non_negative/></flow>', stop=4, dt=0.5)


def by_hand_rationing(dt=0.5, stop=4):
    """Stella's rule step by step: the first outflow first, the second gets what is left."""
    tank, sink, rows = 3.0, 0.0, []
    for i in range(int(stop / dt) + 1):
        t = i * dt
        room = tank / dt + 0.5
        drain = min(2 + t / 4, max(0.0, room))
        spill = min(1.0, max(0.0, room - drain))
        rows.append((tank, sink, drain, spill))
        tank, sink = tank + dt * (0.5 - drain - spill), sink + dt * spill
    return np.array(rows).T


def test_outflows_share_what_the_stock_holds_plus_its_inflows_in_the_order_the_stock_lists_them():
    model = dk.xmile.read(RATIONED)
    result = dk.simulate(model)
    tank, sink, drain, spill = by_hand_rationing()
    np.testing.assert_allclose(result["tank"], tank, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["drain"], drain, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["spill"], spill, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["sink"], sink, rtol=0, atol=1e-12)  # the stock it fills receives the cut value
    assert spill[0] == 1 and spill[-1] == 0 and 0 < drain[-1] < 2 + 4 / 4  # both cut back once the tank runs dry
    assert result["tank"].min() >= 0
    assert "Rationed as Stella does" in model["spill"].description
    # the order is the stock's, not the file's: listed the other way round, spill comes first
    swapped = RATIONED.replace("<outflow>drain</outflow><outflow>spill</outflow>",
                               "<outflow>spill</outflow><outflow>drain</outflow>")
    first = dk.simulate(dk.xmile.read(swapped))
    assert (first["spill"] >= result["spill"]).all() and (first["drain"] <= result["drain"]).all()
    np.testing.assert_array_equal(first["spill"], [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])  # all the fill, once dry
    np.testing.assert_allclose(first["tank"], result["tank"], rtol=0, atol=1e-12)  # the total is the same


def test_rationing_runs_the_same_in_an_ensemble_in_a_file_written_back_and_in_pysd(pysd, tmp_path):  # noqa: F811
    model = dk.xmile.read(RATIONED)
    result = dk.simulate(model)
    runs = dk.ensemble(model, samples={"fill_rate": np.array([0.5, 1.0, 0.5])})
    more = dk.simulate(model, {"fill_rate": 1.0})
    assert more["spill"].sum() > result["spill"].sum()  # a tank filled faster spills for longer
    for row, expected in enumerate((result, more, result)):
        for name in ("tank", "drain", "spill"):
            np.testing.assert_allclose(runs[name][:, row], expected[name], rtol=0, atol=1e-12, err_msg=name)
    again = dk.xmile.read(dk.xmile.write(model, tmp_path / "rationed.xmile"))
    assert again["spill"].equation == model["spill"].equation  # read back, not rationed twice
    assert again["spill"].description.count("Rationed as Stella does") == 1
    np.testing.assert_array_equal(dk.simulate(again)["tank"], result["tank"])
    compare_with_pysd(pysd, model, tmp_path)


def test_a_shared_outflow_or_a_loop_through_the_rationing_keeps_the_floor_with_a_note():
    shared = xmile('<stock name="a"><eqn>2</eqn><outflow>out</outflow><non_negative/></stock>'
                   '<stock name="b"><eqn>9</eqn><outflow>out</outflow></stock><flow name="out"><eqn>1</eqn></flow>',
                   stop=4, dt=1)
    ignored = []
    result = dk.simulate(dk.xmile.read(shared, ignored=ignored))
    assert len(ignored) == 1 and ignored[0].startswith("non-negative stocks whose outflows are not rationed ('a')")
    np.testing.assert_array_equal(result["a"], [2, 1, 0, 0, 0])  # the floor
    np.testing.assert_array_equal(result["b"], [9, 8, 7, 6, 5])  # the outflow keeps its value, as SDXorg's outputs
    looped = xmile('<stock name="tank"><eqn>3</eqn><inflow>fill</inflow><outflow>drain</outflow><non_negative/></stock>'
                   '<flow name="fill"><eqn>drain / 2</eqn></flow><flow name="drain"><eqn>2</eqn></flow>', stop=4, dt=1)
    ignored = []
    model = dk.xmile.read(looped, ignored=ignored)
    assert len(ignored) == 1 and "('tank')" in ignored[0] and "loop of flows" in ignored[0]
    assert model["drain"].equation == 2
    np.testing.assert_array_equal(dk.simulate(model)["tank"], [3, 2, 1, 0, 0])
    # a smooth holds its own stock, so a fill that smooths the drain is no loop: rationed
    smoothed = looped.replace("<eqn>drain / 2</eqn>", "<eqn>SMTH1(drain, 2) / 2</eqn>")
    ignored = []
    assert dk.xmile.read(smoothed, ignored=ignored)["drain"].equation.startswith("MIN(2, MAX(0, tank / DT + fill))")
    assert ignored == []
    # 64 flows at one stock are rationed; more keep the floor with the note (each outflow's equation
    # would name all those before it)
    def crowded(n):
        return xmile('<stock name="tank"><eqn>3</eqn>' + "".join(f"<outflow>out{i}</outflow>" for i in range(n))
                     + "<non_negative/></stock>"
                     + "".join(f'<flow name="out{i}"><eqn>0.1</eqn></flow>' for i in range(n)), stop=4, dt=1)
    ignored = []
    result = dk.simulate(dk.xmile.read(crowded(64), ignored=ignored))
    assert ignored == []
    assert result["out0"][0] == 0.1 and result["out63"][0] < 1e-12  # the first 30 get theirs, the rest what is left
    assert abs(result["tank"][1]) < 1e-12
    result = dk.simulate(dk.xmile.read(crowded(65), ignored=ignored))
    assert "more than 64 flows" in ignored[0] and "('tank')" in ignored[0]
    np.testing.assert_array_equal(result["out64"], 0.1)
    np.testing.assert_array_equal(result["tank"], [3, 0, 0, 0, 0])


def test_a_delay_time_or_delayn_order_that_is_a_constant_of_the_file_is_used_and_kept_fixed():
    text = xmile(aux("input", "TIME") + aux("shipping time", "1.5") + aux("late", "DELAY(input, shipping_time, -1)")
                 + aux("order", "3") + aux("smooth late", "DELAYN(input, 2, order, 0)")
                 + aux("same by number", "DELAYN(input, 2, 3, 0)"))
    model = dk.xmile.read(text)
    assert isinstance(model["shipping_time"], dk.Aux) and isinstance(model["order"], dk.Aux)
    assert "Kept fixed: it sets the structure of DELAY in 'late'" in model["shipping_time"].description
    assert model.params == ()
    result = dk.simulate(model)
    t = result.time
    np.testing.assert_allclose(result["late"], np.where(t >= 1.5, t - 1.5, -1.0), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(result["smooth_late"], result["same_by_number"])


def test_init_of_expressions_stocks_and_flows_and_in_initial_values():
    text = xmile(aux("a", "TIME * 2 + 1")
                 + '<stock name="s"><eqn>INIT(a) + 1</eqn><inflow>f</inflow></stock><flow name="f"><eqn>a</eqn></flow>'
                 + aux("of expression", "INIT(a + TIME)") + aux("of stock", "INIT(s) + s") + aux("of flow", "INIT(f)"),
                 start=1)
    result = dk.simulate(dk.xmile.read(text))
    np.testing.assert_array_equal(result["of_expression"], 4.0)  # a + TIME at the start, t = 1
    np.testing.assert_array_equal(result["of_flow"], 3.0)
    assert result["s"][0] == 4.0
    np.testing.assert_array_equal(result["of_stock"], 4.0 + result["s"])


def test_a_model_with_trend_runs_the_same_in_pysd(pysd, tmp_path):  # noqa: F811
    text = xmile(aux("input", "5 + TIME ^ 2") + aux("trend output", "TREND(input, 4, 0.1)"), start=0, stop=8, dt=0.25)
    compare_with_pysd(pysd, dk.xmile.read(text), tmp_path)


def test_a_model_of_modules_runs_in_an_ensemble_as_in_single_runs():
    model = dk.xmile.read(NESTED)
    assert "region_waiting_wait" in [p.name for p in model.params]  # a module's constant is a parameter
    waits = np.array([1.5, 2.0, 4.0])
    ens = dk.ensemble(model, samples={"region_waiting_wait": waits})
    for k, wait in enumerate(waits):
        single = dk.simulate(model, params={"region_waiting_wait": wait})
        np.testing.assert_allclose(ens["region_waiting_queue"][:, k], single["region_waiting_queue"], rtol=1e-12)


def test_arrays_inside_a_module_refer_to_the_modules_own_variables():
    dims = '<dimensions><dim name="d"><elem name="x"/><elem name="y"/></dim></dimensions>'
    text = with_models(
        '<module name="m"/><aux name="k"><eqn>100</eqn></aux>',
        ("m", '<aux name="k"><dimensions><dim name="d"/></dimensions><eqn>1, 2</eqn></aux>'
              '<aux name="twice"><dimensions><dim name="d"/></dimensions><eqn>2 * k</eqn></aux>'
              '<aux name="total"><eqn>SUM(twice[*])</eqn></aux>'),
    ).replace("<model>", dims + "<model>", 1)
    result = dk.simulate(dk.xmile.read(text))
    np.testing.assert_array_equal(result["m_twice_y"], 4.0)
    np.testing.assert_array_equal(result["m_total"], 6.0)
    np.testing.assert_array_equal(result["k"], 100.0)


def test_modules_that_multiply_into_too_many_empty_instances_are_refused():
    levels = [(f"m{k}", "".join(f'<module name="i{j}" model="m{k + 1}"/>' for j in range(10))) for k in range(15)]
    levels.append(("m15", ""))  # 10^15 instances of nothing
    with pytest.raises(ModelError, match=r"more than 10000 module instances"):
        dk.xmile.read(with_models('<module name="top" model="m0"/>', *levels))


def test_smthn_is_n_first_order_smooths_in_a_row_and_smth3_for_n_3():
    text = xmile(aux("input", "STEP(10, 2) + TIME") + aux("n", "3")
                 + aux("third", "SMTHN(input, 6, n)") + aux("smth3", "SMTH3(input, 6)")
                 + aux("second", "SMTHN(input, 4, 2, 1)") + aux("by hand", "SMTH1(SMTH1(input, 2, 1), 2, 1)"),
                 stop=20, dt=0.25)
    model = dk.xmile.read(text)
    result = dk.simulate(model)
    np.testing.assert_allclose(result["third"], result["smth3_var"], rtol=1e-12)
    np.testing.assert_allclose(result["second"], result["by_hand"], rtol=1e-12)
    assert isinstance(model["n"], dk.Aux)  # it sets the structure, so it is kept fixed
    with pytest.raises(ModelError, match=r"SMTHN: the order n must be a whole number from 1 to 100"):
        dk.xmile.read(xmile(aux("x", "SMTHN(TIME, 2, 2.5)")))
