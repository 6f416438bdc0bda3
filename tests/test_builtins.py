"""The one table of builtins (dpmkit.builtins), and every interpreter agreeing on it.

The kit evaluates equations in three places: the scalar kernel (Python floats, single
runs), the vector kernel (numpy, ensembles) and the loop analysis's interpreter. The
tests below iterate over the table itself, so a builtin added to it is checked
automatically: for each, over a grid of argument values that includes 0, negatives,
huge values, infinities and NaN, the three give the same result (NaN where NaN), with
numpy's IEEE answers (overflow -> inf, x/0 -> ±inf, 0/0 -> NaN, NaN propagates).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import dpmkit as dk
from dpmkit.analysis._evaluate import Evaluator
from dpmkit.builtins import BUILTINS, FUNCTIONS, OPERATORS, SIGNATURES, STATEFUL, TIME_DEPENDENT
from dpmkit.compiler import compile_model
from dpmkit.expressions import parse
from dpmkit.simulate import _run_vector

# these tests hold the vectorised kernel to single runs with small ensembles (conftest.py)
pytestmark = pytest.mark.usefixtures("vector_ensembles")

INF, NAN = math.inf, math.nan
#: Values every argument meets: zeros, negatives, fractions, huge, tiny, infinities, NaN.
GRID = (0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e308, -1e308, 5e-324, INF, -INF, NAN)
DOMAINS = {
    "any": GRID,
    "time": GRID,
    # a delay keeps input * delay_time in its stock, which overflows for huge inputs and
    # underflows for the tiniest
    "moderate": tuple(v for v in GRID if not (math.isfinite(v) and (abs(v) > 1e300 or 0 < abs(v) < 1e-300))),
    "positive": (0.5, 2.0, 7.5),
}
TIMES = dict(start=0.0, stop=3.0, dt=0.5)


def _model(equation, nargs):
    params = [dk.Param(f"p{k}", 1.0) for k in range(nargs)]
    return dk.Model(
        "agree", params + [dk.Lookup("tbl", [0, 1, 2], [0, 2, 1]), dk.Aux("y", equation)],
        check_units="off", **TIMES,
    )


def _scalar(compiled, P, time):
    """y over time from the scalar kernel, as dk.simulate runs it (IEEE rerun on x/0)."""
    rows = []
    args = (P, time.tolist(), TIMES["dt"], TIMES["start"], TIMES["stop"], rows.append, None, ())
    try:
        statics = compiled.kernel("euler", "scalar")(*args)
    except ZeroDivisionError:
        rows.clear()
        statics = compiled.kernel("euler", "ieee")(*args)
    if "y" in compiled.static_recorded:
        return np.full(len(time), float(statics[compiled.static_recorded.index("y")]))
    return np.array([float(r[compiled.dynamic_recorded.index("y")]) for r in rows])


def _agree(equation, combos, first_only=False):
    nargs = len(combos[0])
    model = _model(equation, nargs)
    compiled = compile_model(model)
    time = np.arange(TIMES["start"], TIMES["stop"] + 1e-9, TIMES["dt"])
    columns = [np.array([c[k] for c in combos], dtype=float) for k in range(nargs)]
    vector = _run_vector(compiled, "euler", tuple(columns), time, TIMES["dt"], TIMES["start"], TIMES["stop"],
                         compiled.recorded, len(combos))[:, compiled.recorded.index("y"), :]
    env = {f"p{k}": columns[k][None, :] for k in range(nargs)}
    tree = parse(equation, "y")
    probe = Evaluator(model, env, time[:, None])(tree) * np.ones((len(time), len(combos)))
    rows = slice(0, 1) if first_only else slice(None)
    for j, combo in enumerate(combos):
        scalar = _scalar(compiled, tuple(combo), time)
        where = f"{equation} with {dict(zip([f'p{k}' for k in range(nargs)], combo))}"
        np.testing.assert_allclose(scalar[rows], vector[rows, j], rtol=1e-12, atol=0, equal_nan=True,
                                   err_msg=f"scalar vs vector kernel: {where}")
        np.testing.assert_allclose(probe[rows, j], vector[rows, j], rtol=1e-12, atol=0, equal_nan=True,
                                   err_msg=f"loop analysis vs vector kernel: {where}")


def _cases():
    """(builtin, number of arguments) for every builtin of the table."""
    for name, b in BUILTINS.items():
        counts = sorted({b.min_args, min(b.max_args, b.min_args + 1)})
        for n in counts:
            yield pytest.param(name, n, id=f"{name}/{n}")


@pytest.mark.parametrize("name, nargs", list(_cases()))
def test_every_interpreter_agrees_on_every_builtin(name, nargs):
    b = BUILTINS[name]
    domain = list(b.domain[:nargs])
    texts, params = [], 0
    for kind in domain:
        if kind == "lookup":
            texts.append("tbl")
        elif kind == "order":  # DELAYN's order is written as a number
            texts.append("{order}")
        else:
            texts.append(f"p{params}")
            params += 1
    # a state-creating builtin is read by the loop analysis as its long-run gain (1): the
    # kernels agree with it at the start of a run, before the state has moved
    first_only = b.state is not None
    if b.state == "delay":  # input and initial value are multiplied by the delay time
        domain = ["moderate" if kind == "any" else kind for kind in domain]
    if b.state in ("smooth", "delay") and nargs > b.min_args:
        pytest.skip("the loop analysis ignores a smooth's or delay's own initial value (read as gain 1)")
    grids = [DOMAINS[kind] for kind in domain if kind not in ("lookup", "order")]
    combos = list(itertools.product(*grids))
    orders = (1, 3) if "order" in domain else (None,)
    for order in orders:
        equation = f"{name}({', '.join(texts)})".replace("{order}", str(order))
        _agree(equation, combos, first_only=first_only)


@pytest.mark.parametrize("equation", [
    "p0 / p1", "p0 ^ p1", "p0 ^ 0.5", "p0 ^ 2", "p0 ^ -1", "(-p0) ^ 0.5",  # numpy's fast paths too
    "p0 MOD p1", "p0 * p1", "p0 - p1", "-p0", "p0 < p1", "p0 = p1", "p0 <> p1",
    "NOT p0", "p0 AND p1", "p0 OR p1", "IF p0 THEN p1 ELSE 7", "tbl(p0)",
])
def test_every_interpreter_agrees_on_every_operator(equation):
    nargs = 1 if "p1" not in equation else 2
    _agree(equation, list(itertools.product(*[GRID] * nargs)))


def test_the_table_is_what_every_part_reads():
    from dpmkit import compiler, expressions, xmile
    from dpmkit.analysis import _evaluate

    assert expressions.FUNCTIONS is FUNCTIONS and expressions.SIGNATURES is SIGNATURES
    assert set(FUNCTIONS) == set(BUILTINS) and set(OPERATORS) == {"/", "^", "MOD"}
    assert compiler._STATEFUL == STATEFUL == {"SMTH1", "SMTH3", "DELAY1", "DELAY3", "DELAYN", "INIT"}
    assert compiler._TIME_FUNCS == TIME_DEPENDENT == {"STEP", "PULSE", "RAMP"}
    assert STATEFUL - {"INIT"} == _evaluate._PASS_THROUGH
    for name, b in BUILTINS.items():
        assert b.signature.startswith(name + "(") and b.description
        assert b.min_args <= b.max_args and len(b.domain) >= b.max_args
        assert callable(b.units) and callable(b.xmile_write) and name in b.xmile_names
        if b.state is None and name != "LOOKUP":
            assert compiler._SCALAR_HELPERS[b.helper] is b.scalar
            assert compiler._VECTOR_HELPERS[b.helper] is b.vector
            assert b.helper in compiler._HELPER_NAMES
        assert xmile.XMILE_NAMES[name] is b


def test_a_builtin_added_to_the_table_works_everywhere(monkeypatch):
    """One entry makes a builtin parse, compile, run in both kernels, probe and write to
    XMILE. The lookups derived from the table at import (FUNCTIONS, the kernels' helper
    tables, ...) are extended here by hand, as a new entry in the source would be."""
    import dataclasses

    from dpmkit import builtins, compiler, expressions, xmile

    cube = dataclasses.replace(BUILTINS["ABS"], name="CUBE", signature="CUBE(x)", description="x^3.",
                               scalar=lambda x: x * x * x, vector=lambda x: np.multiply(np.multiply(x, x), x),
                               xmile_names=("CUBE",))
    monkeypatch.setitem(builtins.BUILTINS, "CUBE", cube)
    monkeypatch.setitem(builtins.FUNCTIONS, "CUBE", cube.arity)
    monkeypatch.setitem(builtins.SIGNATURES, "CUBE", cube.signature)
    monkeypatch.setitem(builtins.XMILE_NAMES, "CUBE", cube)
    monkeypatch.setattr(expressions, "RESERVED", expressions.RESERVED | {"CUBE"})
    monkeypatch.setitem(compiler._SCALAR_HELPERS, cube.helper, cube.scalar)
    monkeypatch.setitem(compiler._VECTOR_HELPERS, cube.helper, cube.vector)
    monkeypatch.setattr(compiler, "_HELPER_NAMES", compiler._HELPER_NAMES + (cube.helper,))
    _agree("CUBE(p0)", [(v,) for v in GRID])
    model = dk.Model("m", [dk.Param("a", 2.0), dk.Aux("y", "CUBE(a)")], stop=1)
    assert dk.simulate(model).final("y") == 8.0
    assert "CUBE(A)" in xmile.dumps(model) or "CUBE(a)" in xmile.dumps(model)


def test_units_rules_come_from_the_table():
    m = dk.Model("m", [
        dk.Param("money", 2.0, units="GBP"), dk.Param("people", 3.0, units="person"),
        dk.Aux("bad", "MIN(money, people)", units="GBP"),
        dk.Aux("root", "SQRT(money * money)", units="GBP"),
        dk.Aux("ratio", "ZIDZ(money, people)", units="GBP/person"),
        dk.Aux("growth", "EXP(money)", units="dimensionless"),
    ], time_units="year", check_units="off")
    issues = [str(i) for i in dk.check_units(m)]
    assert any("the arguments of MIN have different units" in i for i in issues)
    assert any("the input of EXP should be dimensionless" in i for i in issues)
    assert not any("'root'" in i or "'ratio'" in i for i in issues)


# ------------------------------------------------------- IEEE in dk.simulate


def _run_both(model):
    single = dk.simulate(model)
    ens = dk.ensemble(model, samples={model.params[0].name: np.array([model.params[0].default] * 2)})
    return single, ens


def test_exp_overflow_in_a_switch_runs_in_simulate_as_in_ensemble():
    model = dk.Model("switch", [
        dk.Param("steep", 200.0, bounds=(0, 1000)),
        dk.Aux("switch", "1 / (1 + EXP(-steep * (TIME - 5)))"),
    ], stop=10, check_units="off")
    single, ens = _run_both(model)
    np.testing.assert_array_equal(single["switch"], ens["switch"][:, 0])
    assert single["switch"][0] == 0.0 and single["switch"][-1] == 1.0


def test_division_by_zero_inside_min_runs_in_simulate_as_in_ensemble():
    model = dk.Model("m", [dk.Param("k", 5.0, bounds=(0, 10)), dk.Aux("x", "MIN(1, k / TIME)")],
                     stop=10, check_units="off")
    single, ens = _run_both(model)
    assert single["x"][0] == 1.0  # 5 / 0 is inf, MIN(1, inf) is 1
    np.testing.assert_array_equal(single["x"], ens["x"][:, 0])


def test_nan_propagates_through_min_and_is_reported_with_variable_and_time():
    model = dk.Model("m", [
        dk.Param("k", 0.0, bounds=(-1, 1)),
        dk.Aux("ratio", "k / (TIME - 2)"),
        dk.Aux("capped", "MIN(1, SQRT(-1 + k) + ratio)"),
    ], stop=4, check_units="off")
    with pytest.raises(dk.ModelError, match=r"'capped' became not a number \(NaN\) at TIME = 0") as err:
        dk.simulate(model)
    assert err.value.variable == "capped" and err.value.time == 0
    with pytest.raises(dk.ModelError, match=r"'capped' became not a number \(NaN\) at TIME = 0"):
        dk.ensemble(model, samples={"k": np.zeros(3)})


def test_a_recorded_infinity_is_still_reported_by_name_and_time():
    model = dk.Model("m", [dk.Param("k", 1.0, bounds=(0, 2)), dk.Aux("x", "k / (TIME - 2)")],
                     stop=4, check_units="off")
    with pytest.raises(dk.ModelError,
                       match=r"'x' became infinite at TIME = 2 of model 'm'\. Its equation is: k / \(TIME - 2\)"):
        dk.simulate(model)


def test_the_fast_scalar_kernel_divides_natively_and_the_ieee_one_through_a_helper():
    model = dk.Model("m", [dk.Param("k", 1.0), dk.Aux("x", "k / (TIME + 1)")], stop=2, check_units="off")
    compiled = compile_model(model)
    assert "_div(" not in compiled.kernel("euler", "scalar").source
    assert "_div(" in compiled.kernel("euler", "ieee").source


# ------------------------------------------------------- one grammar


@pytest.mark.parametrize("equation, expected", [
    # XMILE 1.0, section 3.3.1 (operator precedence): the unary operators + - NOT bind
    # tighter than * / MOD, + -, the relational and the equality operators
    ("NOT a = b", 0.0),  # (NOT 2) = 1
    ("NOT (a = b)", 1.0),
    ("NOT a + b", 1.0),  # (NOT 2) + 1
    ("-a ^ 2", -4.0),  # ^ binds tighter than unary minus
    ("a < b = 0", 1.0),  # < binds tighter than =
    ("NOT a < b", 1.0),  # (NOT 2) < 1
])
def test_one_grammar_typed_and_read_from_xmile(equation, expected):
    typed = dk.Model("g", [dk.Param("a", 2.0), dk.Param("b", 1.0), dk.Aux("x", equation)], stop=1,
                     check_units="off")
    assert dk.simulate(typed).final("x") == expected
    esc = equation.replace("<", "&lt;").replace(">", "&gt;")
    text = (
        '<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><sim_specs><start>0</start>'
        '<stop>1</stop><dt>1</dt></sim_specs><model><variables>'
        '<aux name="a"><eqn>2</eqn></aux><aux name="b"><eqn>1</eqn></aux>'
        f'<aux name="x"><eqn>{esc}</eqn></aux></variables></model></xmile>'
    )
    read = dk.xmile.read(text)
    assert dk.simulate(read).final("x") == expected
    # and the kit's own file says the same thing to the kit
    assert dk.simulate(dk.xmile.read(dk.xmile.dumps(typed))).final("x") == expected


def test_there_is_one_parser():
    from dpmkit import xmile
    from dpmkit.expressions import _Parser

    assert issubclass(xmile._XmileParser, _Parser)
    for method in ("expression", "or_expr", "and_expr", "equality", "relational", "comparison", "additive",
                   "multiplicative", "unary", "power", "atom", "call"):
        assert method not in vars(xmile._XmileParser), method
