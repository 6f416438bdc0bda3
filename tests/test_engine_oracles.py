"""Analytic oracles for the simulation engine.

Each test builds a tiny model whose answer is known in closed form (or from
``scipy.integrate.solve_ivp`` with tight tolerances) and checks the engine against
it with an explicit tolerance. Euler is checked against its exact discrete solution,
so these tests fail if the update order (record, then step) or the time grid changes.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import dpmkit as dk

pytestmark = pytest.mark.filterwarnings("error")


def decay_model(x0=100.0, k=0.3, *, stop=20.0, dt=0.25, method="euler"):
    return dk.Model(
        "decay",
        [
            dk.Stock("x", x0),
            dk.Flow("outflow", "k * x", out_of="x"),
            dk.Param("k", k, bounds=(0, 2)),
        ],
        stop=stop,
        dt=dt,
        method=method,
    )


def logistic_model(x0=5.0, r=0.8, capacity=100.0, *, stop=20.0, dt=0.05, method="rk4"):
    return dk.Model(
        "logistic",
        [
            dk.Stock("x", x0),
            dk.Flow("growth", "r * x * (1 - x / capacity)", into="x"),
            dk.Param("r", r, bounds=(0, 5)),
            dk.Param("capacity", capacity, bounds=(1, 1000)),
        ],
        stop=stop,
        dt=dt,
        method=method,
    )


def predator_prey_model(*, stop=10.0, dt=0.1, method="euler"):
    return dk.Model(
        "predator_prey",
        [
            dk.Stock("prey", 40),
            dk.Stock("predators", 9),
            dk.Flow("prey_births", "a * prey", into="prey"),
            dk.Flow("prey_eaten", "b * prey * predators", out_of="prey"),
            dk.Flow("predator_births", "c * prey * predators", into="predators"),
            dk.Flow("predator_deaths", "d * predators", out_of="predators"),
            dk.Param("a", 1.0),
            dk.Param("b", 0.1),
            dk.Param("c", 0.02),
            dk.Param("d", 0.5),
        ],
        stop=stop,
        dt=dt,
        method=method,
    )


def predator_prey_rhs(t, y, a=1.0, b=0.1, c=0.02, d=0.5):
    prey, predators = y
    return [a * prey - b * prey * predators, c * prey * predators - d * predators]


def aux_model(equations, *, stop=10.0, dt=0.5, extra=()):
    """A model with no stocks: one Aux per equation, recorded over time (Euler).

    Units checking is off: these probes feed TIME (in years) to EXP and LN on purpose.
    """
    variables = [dk.Aux(name, eq) for name, eq in equations.items()]
    return dk.Model("probe", variables + list(extra), stop=stop, dt=dt, check_units="off")


def reference(rhs, y0, time):
    sol = solve_ivp(rhs, (time[0], time[-1]), y0, t_eval=time, method="DOP853", rtol=1e-10, atol=1e-12)
    assert sol.success
    return sol.y


# Exponential decay


def test_euler_decay_equals_discrete_power_law():
    x0, k, dt = 100.0, 0.3, 0.25
    res = dk.simulate(decay_model(x0, k, dt=dt, method="euler"))
    n = np.arange(len(res.time))
    np.testing.assert_allclose(res["x"], x0 * (1 - k * dt) ** n, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res["outflow"], k * res["x"], rtol=1e-12, atol=1e-12)


def test_rk4_decay_equals_rk4_amplification_factor_and_exponential():
    x0, k, dt = 100.0, 0.3, 0.125
    res = dk.simulate(decay_model(x0, k, dt=dt, method="rk4"))
    z = -k * dt
    factor = 1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24
    n = np.arange(len(res.time))
    np.testing.assert_allclose(res["x"], x0 * factor**n, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res["x"], x0 * np.exp(-k * res.time), rtol=1e-6, atol=0)


def test_decay_against_solve_ivp_for_both_methods():
    x0, k, dt = 100.0, 0.3, 0.125
    model = decay_model(x0, k, dt=dt)
    rk4 = dk.simulate(model, method="rk4")
    euler = dk.simulate(model, method="euler")
    exact = reference(lambda t, y: -k * y, [x0], rk4.time)[0]
    np.testing.assert_allclose(rk4["x"], exact, rtol=1e-6, atol=1e-9)
    # Euler's global error for decay is at most n * x0 * (k dt)^2 / 2 after n steps,
    # and it is really first order, not accidentally exact.
    n = np.arange(len(euler.time))
    bound = n * x0 * (k * dt) ** 2 / 2 + 1e-9
    err = np.abs(euler["x"] - exact)
    assert np.all(err <= bound)
    assert err.max() > 1e-3


def test_simulate_overrides_method_and_time_settings():
    model = decay_model(100.0, 0.3, stop=20.0, dt=0.25, method="euler")
    res = dk.simulate(model, method="rk4", start=0.0, stop=5.0, dt=0.5)
    np.testing.assert_allclose(res.time, np.arange(11) * 0.5, rtol=0, atol=1e-12)
    z = -0.3 * 0.5
    factor = 1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24
    np.testing.assert_allclose(res["x"], 100.0 * factor ** np.arange(11), rtol=1e-12)


def test_time_dependent_inflow_euler_left_sums_rk4_simpson():
    # dx/dt = t^3: Euler is the left Riemann sum; RK4 is Simpson's rule, exact for cubics.
    dt = 0.25
    model = dk.Model("cubic", [dk.Stock("x", 0), dk.Flow("f", "TIME ^ 3", into="x")], stop=4.0, dt=dt)
    n = np.arange(17)
    euler = dk.simulate(model, method="euler")
    np.testing.assert_allclose(euler["x"], dt**4 * (n * (n - 1) / 2) ** 2, rtol=1e-12, atol=1e-12)
    rk4 = dk.simulate(model, method="rk4")
    np.testing.assert_allclose(rk4["x"], rk4.time**4 / 4, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rk4["f"], rk4.time**3, rtol=1e-12, atol=1e-12)


def test_stock_initial_value_from_an_equation():
    model = dk.Model(
        "initial",
        [dk.Stock("x", "2 * k + INIT(TIME)"), dk.Flow("f", "k", into="x"), dk.Param("k", 3.0)],
        start=1.0,
        stop=4.0,
    )
    np.testing.assert_allclose(dk.simulate(model)["x"], [7.0, 10.0, 13.0, 16.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(dk.simulate(model, params={"k": 4.0})["x"], [9.0, 13.0, 17.0, 21.0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_non_negative_stock_and_flow(method):
    model = dk.Model(
        "guards",
        [
            dk.Stock("draining", 1.0, non_negative=True),
            dk.Flow("outflow", "3", out_of="draining"),
            dk.Stock("filling", 5.0),
            dk.Flow("backflow", "2 - TIME", into="filling", non_negative=True),
        ],
        stop=4.0,
        method=method,
    )
    res = dk.simulate(model)
    np.testing.assert_array_equal(res["draining"], [1.0, 0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(res["backflow"], [2.0, 1.0, 0.0, 0.0, 0.0])
    # Euler: left sums of max(2 - t, 0); RK4 (Simpson per step): its exact integral.
    expected = [5.0, 7.0, 8.0, 8.0, 8.0] if method == "euler" else [5.0, 6.5, 7.0, 7.0, 7.0]
    np.testing.assert_allclose(res["filling"], expected, rtol=0, atol=1e-12)


# Constant inflow and logistic growth


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_constant_inflow_grows_linearly(method):
    model = dk.Model(
        "filling",
        [
            dk.Stock("tank", 7.0),
            dk.Flow("filling", "rate", into="tank"),
            dk.Param("rate", 2.5),
        ],
        start=3.0,
        stop=13.0,
        dt=0.25,
        method=method,
    )
    res = dk.simulate(model)
    np.testing.assert_allclose(res.time, 3.0 + 0.25 * np.arange(41), rtol=0, atol=1e-12)
    np.testing.assert_allclose(res["tank"], 7.0 + 2.5 * (res.time - 3.0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res["filling"], np.full(41, 2.5), rtol=0, atol=0)


def test_rk4_logistic_matches_closed_form():
    x0, r, cap = 5.0, 0.8, 100.0
    res = dk.simulate(logistic_model(x0, r, cap, dt=0.05, method="rk4"))
    t = res.time
    exact = cap / (1 + (cap - x0) / x0 * np.exp(-r * t))
    np.testing.assert_allclose(res["x"], exact, rtol=1e-6, atol=0)
    np.testing.assert_allclose(res["growth"], r * res["x"] * (1 - res["x"] / cap), rtol=1e-12)


# Delays and smoothing


def delay_models(method, dt):
    builtin = dk.Model(
        "builtin_delay",
        [dk.Aux("delayed", "DELAY1(STEP(10, 1), 2)")],
        stop=20.0,
        dt=dt,
        method=method,
    )
    explicit = dk.Model(
        "explicit_delay",
        [
            dk.Stock("in_transit", 0),
            dk.Flow("arriving", "STEP(10, 1)", into="in_transit"),
            dk.Flow("delayed", "in_transit / 2", out_of="in_transit"),
        ],
        stop=20.0,
        dt=dt,
        method=method,
    )
    return dk.simulate(builtin), dk.simulate(explicit)


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_delay1_equals_explicit_stock_and_flow(method):
    builtin, explicit = delay_models(method, dt=0.125)
    np.testing.assert_allclose(builtin.time, explicit.time, rtol=0, atol=0)
    np.testing.assert_allclose(builtin["delayed"], explicit["delayed"], rtol=1e-12, atol=1e-12)


def test_euler_delay1_step_response_is_discrete_exponential():
    dt = 0.125
    builtin, _ = delay_models("euler", dt)
    t = builtin.time
    m = np.round((t - 1) / dt)
    expected = np.where(t < 1, 0.0, 10 * (1 - (1 - dt / 2) ** np.maximum(m, 0)))
    np.testing.assert_allclose(builtin["delayed"], expected, rtol=1e-12, atol=1e-12)


def test_rk4_delay1_step_response_near_exponential():
    dt = 1 / 32
    builtin, _ = delay_models("rk4", dt)
    t = builtin.time
    after = t >= 1
    exact = 10 * (1 - np.exp(-(t[after] - 1) / 2))
    # The step sits on the grid, so at most one step's worth of input (10 * dt) can
    # be placed differently; the output is that material / 2.
    np.testing.assert_allclose(builtin["delayed"][after], exact, rtol=0, atol=10 * dt / 2)
    np.testing.assert_allclose(builtin["delayed"][t < 1 - dt], 0.0, rtol=0, atol=1e-12)
    assert builtin["delayed"][-1] == pytest.approx(10 * (1 - np.exp(-19 / 2)), abs=1e-3)


def test_delay1_with_initial_value_drains_its_initial_material():
    dt = 0.25
    model = dk.Model(
        "draining",
        [
            dk.Aux("delayed", "DELAY1(0, 2, 5)"),
            dk.Stock("received", 0),
            dk.Flow("receiving", "delayed", into="received"),
        ],
        stop=60.0,
        dt=dt,
    )
    res = dk.simulate(model)
    n = np.arange(len(res.time))
    # initial stock = init * delay = 10, output = stock / 2
    np.testing.assert_allclose(res["delayed"], 5 * (1 - dt / 2) ** n, rtol=1e-12, atol=1e-12)
    assert res["received"][-1] == pytest.approx(10.0, abs=1e-9)


def test_smth1_step_response_euler_exact_and_rk4_close():
    dt = 0.125
    model = dk.Model("smoothing", [dk.Aux("smoothed", "SMTH1(STEP(10, 1), 2)")], stop=20.0, dt=dt)
    euler = dk.simulate(model, method="euler")
    t = euler.time
    m = np.maximum(np.round((t - 1) / dt), 0)
    expected = np.where(t < 1, 0.0, 10 * (1 - (1 - dt / 2) ** m))
    np.testing.assert_allclose(euler["smoothed"], expected, rtol=1e-12, atol=1e-12)

    fine = 1 / 32
    rk4 = dk.simulate(model, method="rk4", dt=fine)
    t = rk4.time
    after = t >= 1
    exact = 10 * (1 - np.exp(-(t[after] - 1) / 2))
    np.testing.assert_allclose(rk4["smoothed"][after], exact, rtol=0, atol=10 * fine / 2)


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_smoothing_and_delays_of_a_constant_start_in_equilibrium(method):
    equations = {
        "smoothed_1": "SMTH1(level, 2)",
        "smoothed_3": "SMTH3(level, 2)",
        "delayed_1": "DELAY1(level, 2)",
        "delayed_3": "DELAY3(level, 2)",
        "delayed_4": "DELAYN(level, 2, 4)",
    }
    model = dk.Model(
        "equilibrium",
        [dk.Param("level", 5.0)] + [dk.Aux(name, eq) for name, eq in equations.items()],
        stop=10.0,
        dt=0.25,
        method=method,
    )
    res = dk.simulate(model)
    for name in equations:
        np.testing.assert_allclose(res[name], np.full(41, 5.0), rtol=1e-12, atol=0, err_msg=name)


def test_smth1_initial_value_argument():
    model = dk.Model("smoothing", [dk.Aux("smoothed", "SMTH1(10, 4, 2)")], stop=10.0, dt=0.5)
    res = dk.simulate(model)
    n = np.arange(len(res.time))
    np.testing.assert_allclose(res["smoothed"], 10 - 8 * (1 - 0.5 / 4) ** n, rtol=1e-12, atol=1e-12)


def test_smth3_step_response():
    model = dk.Model(
        "smoothing3",
        [
            dk.Aux("smoothed", "SMTH3(STEP(10, 1), 2)"),
            dk.Aux("smoothed1", "SMTH1(STEP(10, 1), 2)"),
        ],
        stop=40.0,
        dt=1 / 32,
        method="rk4",
    )
    res = dk.simulate(model)
    s3 = res["smoothed"]
    assert s3[res.time < 1 - 1e-9] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(s3) >= -1e-12)
    assert s3[-1] == pytest.approx(10.0, abs=1e-6)
    # Three first-order stages of 2/3 each: an S-shaped (Erlang-3) response that
    # starts slower than SMTH1.
    tau = res.time - 1
    a = 3 / 2
    after = tau >= 0
    exact = 10 * (1 - np.exp(-a * tau[after]) * (1 + a * tau[after] + (a * tau[after]) ** 2 / 2))
    np.testing.assert_allclose(s3[after], exact, rtol=0, atol=10 * model.dt / 2)
    early = (tau > 0.2) & (tau < 1.0)
    assert np.all(s3[early] < res["smoothed1"][early])


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_delay3_conserves_material(method):
    model = dk.Model(
        "pipeline",
        [
            dk.Aux("sending", "IF TIME >= 1 AND TIME < 5 THEN 3 ELSE 0"),
            dk.Aux("delayed", "DELAY3(sending, 4)"),
            dk.Stock("sent", 0),
            dk.Stock("received", 0),
            dk.Flow("send", "sending", into="sent"),
            dk.Flow("receive", "delayed", into="received"),
        ],
        stop=100.0,
        dt=0.25,
        method=method,
    )
    res = dk.simulate(model)
    assert res["sent"][-1] == pytest.approx(12.0, abs=1e-9)
    assert res["received"][-1] == pytest.approx(res["sent"][-1], abs=1e-9)
    assert np.all(res["delayed"] >= -1e-12)
    # Material arrives later than it is sent, never earlier.
    assert np.all(res["received"] <= res["sent"] + 1e-12)
    # Mean transit time of a third-order delay is the delay time: the centres of mass
    # of input and output are 4 apart (to O(dt)).
    t = res.time
    centre_in = np.sum(t * res["sending"]) / np.sum(res["sending"])
    centre_out = np.sum(t * res["delayed"]) / np.sum(res["delayed"])
    assert centre_out - centre_in == pytest.approx(4.0, abs=0.1)


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_delayn_of_order_one_and_three_equals_delay1_and_delay3(method):
    model = dk.Model(
        "delays",
        [
            dk.Aux("signal", "STEP(10, 1) - STEP(4, 6) + RAMP(1, 8, 12)"),
            dk.Aux("d1", "DELAY1(signal, 2)"),
            dk.Aux("dn1", "DELAYN(signal, 2, 1)"),
            dk.Aux("d3", "DELAY3(signal, 3)"),
            dk.Aux("dn3", "DELAYN(signal, 3, 3)"),
        ],
        stop=20.0,
        dt=0.25,
        method=method,
    )
    res = dk.simulate(model)
    np.testing.assert_allclose(res["dn1"], res["d1"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res["dn3"], res["d3"], rtol=1e-12, atol=1e-12)
    assert not np.allclose(res["d1"], res["d3"])


# Convergence order


def convergence_order(method, dts):
    stop = 10.0
    grid = np.arange(0, stop + 0.5, 1.0)
    exact = reference(predator_prey_rhs, [40.0, 9.0], grid)
    errors = []
    for dt in dts:
        res = dk.simulate(predator_prey_model(stop=stop, dt=dt, method=method))
        idx = np.round(grid / dt).astype(int)
        np.testing.assert_allclose(res.time[idx], grid, rtol=0, atol=1e-9)
        got = np.vstack([res["prey"][idx], res["predators"][idx]])
        errors.append(np.max(np.abs(got - exact)))
    errors = np.array(errors)
    pairwise = np.log2(errors[:-1] / errors[1:])
    fitted = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    return errors, pairwise, fitted


def test_euler_is_first_order():
    errors, pairwise, fitted = convergence_order("euler", (0.02, 0.01, 0.005))
    assert 0.8 <= fitted <= 1.2, errors
    assert np.all((pairwise >= 0.8) & (pairwise <= 1.2)), errors


def test_rk4_is_fourth_order():
    errors, pairwise, fitted = convergence_order("rk4", (0.2, 0.1, 0.05))
    assert 3.5 <= fitted <= 4.5, errors
    assert np.all((pairwise >= 3.5) & (pairwise <= 4.5)), errors


# Built-in functions in tiny models (Euler)


def test_time_and_dt():
    res = dk.simulate(aux_model({"now": "TIME", "step_size": "DT"}, stop=4.0, dt=0.5))
    np.testing.assert_allclose(res["now"], np.arange(9) * 0.5, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res["step_size"], np.full(9, 0.5), rtol=0, atol=0)
    assert res.names == ("now", "step_size")


def test_pulse_single_and_repeated():
    dt = 0.5
    model = dk.Model(
        "pulses",
        [
            dk.Stock("once", 0),
            dk.Flow("pulse_once", "PULSE(10, 2)", into="once"),
            dk.Stock("often", 0),
            dk.Flow("pulse_often", "PULSE(10, 2, 3)", into="often"),
        ],
        stop=10.0,
        dt=dt,
    )
    res = dk.simulate(model)
    t = res.time
    np.testing.assert_allclose(res["pulse_once"], np.where(np.isclose(t, 2), 10 / dt, 0.0), rtol=0, atol=1e-12)
    at_pulse = np.isclose(t, 2) | np.isclose(t, 5) | np.isclose(t, 8)
    np.testing.assert_allclose(res["pulse_often"], np.where(at_pulse, 10 / dt, 0.0), rtol=0, atol=1e-12)
    # Each pulse moves exactly `magnitude` into the stock, one step after it fires.
    np.testing.assert_allclose(res["once"], np.where(t > 2, 10.0, 0.0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(res["often"], 10.0 * ((t > 2).astype(float) + (t > 5) + (t > 8)), rtol=0, atol=1e-12)


def test_pulse_moves_its_magnitude_for_any_dt():
    for dt in (1.0, 0.25, 0.1):
        model = dk.Model(
            "pulse",
            [dk.Stock("s", 0), dk.Flow("f", "PULSE(7, 2)", into="s")],
            stop=5.0,
            dt=dt,
        )
        res = dk.simulate(model)
        assert res["s"][-1] == pytest.approx(7.0, abs=1e-9), dt
        assert np.count_nonzero(res["f"]) == 1, dt
        assert res["f"].max() == pytest.approx(7.0 / dt, rel=1e-12), dt


def test_step_and_ramp():
    res = dk.simulate(
        aux_model(
            {
                "stepped": "STEP(5, 3)",
                "ramped": "RAMP(2, 1)",
                "capped_ramp": "RAMP(2, 1, 4)",
            },
            stop=8.0,
            dt=0.5,
        )
    )
    t = res.time
    np.testing.assert_allclose(res["stepped"], np.where(t >= 3, 5.0, 0.0), rtol=0, atol=0)
    np.testing.assert_allclose(res["ramped"], 2 * np.maximum(t - 1, 0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(res["capped_ramp"], 2 * np.clip(t - 1, 0, 3), rtol=0, atol=1e-12)


def test_init_keeps_the_initial_value():
    model = dk.Model(
        "growing",
        [
            dk.Stock("x", 3.0),
            dk.Flow("growth", "0.1 * x", into="x"),
            dk.Aux("start_value", "INIT(x)"),
            dk.Aux("relative", "x / INIT(x)"),
        ],
        stop=5.0,
        dt=0.5,
    )
    res = dk.simulate(model)
    np.testing.assert_allclose(res["start_value"], np.full(11, 3.0), rtol=0, atol=0)
    np.testing.assert_allclose(res["relative"], 1.05 ** np.arange(11), rtol=1e-12)


def test_safediv_xidz_zidz():
    res = dk.simulate(
        aux_model(
            {
                "safe": "SAFEDIV(6, TIME - 2)",
                "safe_default": "SAFEDIV(6, TIME - 2, 7)",
                "x_idz": "XIDZ(6, TIME - 2, -1)",
                "z_idz": "ZIDZ(6, TIME - 2)",
            },
            stop=4.0,
            dt=1.0,
        )
    )
    ordinary = np.array([-3.0, -6.0, np.nan, 6.0, 3.0])
    at_zero = np.arange(5) == 2
    for name, fallback in (("safe", 0.0), ("safe_default", 7.0), ("x_idz", -1.0), ("z_idz", 0.0)):
        expected = np.where(at_zero, fallback, ordinary)
        np.testing.assert_allclose(res[name], expected, rtol=1e-12, atol=0, err_msg=name)


def test_if_then_else_with_logic_and_comparisons():
    res = dk.simulate(
        aux_model(
            {
                "window": "IF TIME >= 3 AND TIME < 6 THEN 1 ELSE -1",
                "either": "IF TIME < 1 OR TIME > 8 THEN 10 ELSE 20",
                "negated": "IF NOT (TIME = 4) THEN 0 ELSE 4",
                "unequal": "IF TIME <> 5 THEN 1 ELSE 0",
                "at_most": "IF TIME <= 2 THEN 1 ELSE 0",
                "nested": "IF TIME < 2 THEN 0 ELSE IF TIME < 4 THEN 1 ELSE 2",
            },
            stop=10.0,
            dt=1.0,
        )
    )
    t = res.time
    np.testing.assert_array_equal(res["window"], np.where((t >= 3) & (t < 6), 1.0, -1.0))
    np.testing.assert_array_equal(res["either"], np.where((t < 1) | (t > 8), 10.0, 20.0))
    np.testing.assert_array_equal(res["negated"], np.where(t == 4, 4.0, 0.0))
    np.testing.assert_array_equal(res["unequal"], np.where(t != 5, 1.0, 0.0))
    np.testing.assert_array_equal(res["at_most"], np.where(t <= 2, 1.0, 0.0))
    np.testing.assert_array_equal(res["nested"], np.select([t < 2, t < 4], [0.0, 1.0], 2.0))


def test_arithmetic_precedence_and_math_functions():
    res = dk.simulate(
        aux_model(
            {
                "precedence": "1 + 2 * 3 - 4 / 2",
                "power": "2 * 3 ^ 2",
                "grouped": "(1 + 2) * (3 - 1) / 4",
                "negative": "-TIME + 1",
                "smallest": "MIN(TIME, 2)",
                "largest": "MAX(TIME, 3)",
                "absolute": "ABS(2 - TIME)",
                "exponential": "EXP(TIME / 4)",
                "natural_log": "LN(TIME + 1)",
                "log_ten": "LOG10(10 ^ TIME)",
                "root": "SQRT(TIME)",
                "integer": "INT(TIME / 3)",
            },
            stop=5.0,
            dt=0.5,
        )
    )
    t = res.time
    expected = {
        "precedence": np.full_like(t, 5.0),
        "power": np.full_like(t, 18.0),
        "grouped": np.full_like(t, 1.5),
        "negative": 1 - t,
        "smallest": np.minimum(t, 2),
        "largest": np.maximum(t, 3),
        "absolute": np.abs(2 - t),
        "exponential": np.exp(t / 4),
        "natural_log": np.log(t + 1),
        "log_ten": t,
        "root": np.sqrt(t),
        "integer": np.floor(t / 3),
    }
    for name, want in expected.items():
        np.testing.assert_allclose(res[name], want, rtol=1e-12, atol=1e-12, err_msg=name)


def test_lookup_interpolates_and_clamps():
    effect = dk.Lookup("effect", x=[0, 1, 2], y=[2, 10, 15])
    res = dk.simulate(aux_model({"value": "effect(TIME - 1)"}, stop=5.0, dt=0.5, extra=[effect]))
    t = res.time
    np.testing.assert_allclose(res["value"], np.interp(t - 1, [0, 1, 2], [2, 10, 15]), rtol=1e-12, atol=1e-12)
    # explicit points: clamped below, on a point, between points, clamped above
    by_time = dict(zip(np.round(t, 6), res["value"]))
    assert by_time[0.0] == pytest.approx(2.0, abs=1e-12)
    assert by_time[1.0] == pytest.approx(2.0, abs=1e-12)
    assert by_time[1.5] == pytest.approx(6.0, abs=1e-12)
    assert by_time[2.5] == pytest.approx(12.5, abs=1e-12)
    assert by_time[5.0] == pytest.approx(15.0, abs=1e-12)
    assert "effect" not in res.names


def test_lookup_drives_a_flow():
    effect = dk.Lookup("effect_of_crowding", x=[0, 50, 100], y=[1, 1, 0])
    model = dk.Model(
        "crowding",
        [
            dk.Stock("people", 10),
            dk.Flow("arrivals", "5 * effect_of_crowding(people)", into="people"),
            effect,
        ],
        stop=40.0,
        dt=1.0,
    )
    res = dk.simulate(model)
    p = res["people"]
    np.testing.assert_allclose(res["arrivals"], 5 * np.interp(p, [0, 50, 100], [1, 1, 0]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.diff(p), res["arrivals"][:-1], rtol=1e-12, atol=1e-12)
    assert p[8] == pytest.approx(50.0, abs=1e-12)
    assert p[-1] < 100.0
