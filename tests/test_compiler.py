"""Compilation: evaluation order, loops, hoisting, and the safety of generated code."""

import io
import keyword
import tokenize

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit.compiler import _FIXED_NAMES, _HELPER_NAMES, compile_model

# these tests hold the vectorised kernel to single runs with small ensembles (conftest.py)
pytestmark = pytest.mark.usefixtures("vector_ensembles")


def test_auxiliaries_are_computed_after_what_they_need():
    # declared in the "wrong" order on purpose
    m = dk.Model("order", [
        dk.Aux("c", "b * 2"),
        dk.Aux("b", "a + 1"),
        dk.Aux("a", "s / 2"),
        dk.Stock("s", 4),
    ], check_units="off")
    r = dk.simulate(m)
    assert r["a"][0] == 2 and r["b"][0] == 3 and r["c"][0] == 6
    order = [s.name for s in compile_model(m).step_order]
    assert order.index("a") < order.index("b") < order.index("c")


def test_algebraic_loop_names_every_member():
    m = dk.Model("loop", [dk.Aux("a", "b + 1"), dk.Aux("b", "c * 2"), dk.Aux("c", "a + s"), dk.Stock("s", 1)])
    with pytest.raises(dk.ModelError) as info:
        dk.simulate(m)
    msg = str(info.value)
    assert "algebraic loop" in msg
    assert "a -> b -> c -> a" in msg


def test_loop_through_a_stock_is_fine():
    m = dk.Model("ok", [
        dk.Stock("s", 1), dk.Flow("f", "g * s", into="s"), dk.Aux("g", "0.1 + 0 * f"),
    ], check_units="off")
    with pytest.raises(dk.ModelError, match="algebraic loop"):
        dk.simulate(m)  # g needs f and f needs g: still a loop without a stock
    m2 = m.with_variables(dk.Aux("g", "0.1 + 0 * s"))
    assert dk.simulate(m2)["s"][-1] == pytest.approx(1.1 ** 10)


def test_smooth_breaks_an_algebraic_loop():
    m = dk.Model("smooth_loop", [
        dk.Aux("a", "1 + 0.5 * SMTH1(a, 2, 1)"),
        dk.Stock("s", 0), dk.Flow("f", "a", into="s"),
    ], check_units="off")
    r = dk.simulate(m, stop=50, dt=0.25)
    assert r["a"][-1] == pytest.approx(2.0, rel=1e-3)


def test_smooth_whose_initial_value_needs_itself_is_reported_in_plain_words():
    m = dk.Model("smooth_init_loop", [dk.Aux("a", "1 + 0.5 * SMTH1(a, 2)")], check_units="off")
    with pytest.raises(dk.ModelError, match="initial values form a loop") as info:
        dk.simulate(m)
    assert "SMTH1 in 'a'" in str(info.value)
    assert "_smth1" not in str(info.value)


def test_initial_values_that_depend_on_each_other_are_reported():
    m = dk.Model("init_loop", [dk.Stock("a", "b"), dk.Stock("b", "a")])
    with pytest.raises(dk.ModelError, match="initial values form a loop"):
        dk.simulate(m)


def test_stock_initial_values_can_use_auxiliaries_and_other_stocks():
    m = dk.Model("init", [
        dk.Stock("a", 10), dk.Stock("b", "half_a * 3"), dk.Aux("half_a", "a / 2"),
    ], check_units="off")
    r = dk.simulate(m)
    assert r["b"][0] == 15


def test_constant_auxiliaries_are_hoisted_out_of_the_time_loop():
    m = dk.Model("hoist", [
        dk.Param("k", 2, bounds=(0, 10)), dk.Aux("double_k", "k * 2"), dk.Aux("growing", "TIME * k"),
        dk.Stock("s", 0), dk.Flow("f", "double_k", into="s"),
    ], check_units="off")
    c = compile_model(m)
    assert "double_k" in c.static and "growing" not in c.static
    r = dk.simulate(m, {"k": 3})
    assert np.all(r["double_k"] == 6)
    assert r["growing"][-1] == 30


def test_the_compiled_model_is_shared_by_models_that_differ_only_in_defaults():
    base = dk.models.load("demo")
    assert compile_model(base) is compile_model(base.with_params(staff_target=25))


def _source_names(source):
    return {tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string)}


def _all_sources(model):
    plain = compile_model(model)
    scheduled = compile_model(model, {p.name for p in model.params})
    return [c.kernel(method, mode).source for c in (plain, scheduled)
            for method in ("euler", "rk4") for mode in ("scalar", "vector")]


def test_generated_source_contains_no_user_text():
    m = dk.models.load("demo")
    allowed = set(_HELPER_NAMES) | _FIXED_NAMES
    user = set(m.names)
    for source in _all_sources(m):
        names = _source_names(source)
        assert not (names & user - allowed)
        for name in names - allowed:
            assert name[0] in "vkSx_"  # slots v0.., RK4 stages k1_0.., schedules S0.., temporaries x0.., lookups _L0..
        assert "'" not in source and '"' not in source


NASTY_NAMES = ["os", "system", "open", "builtins", "globals", "getattr", "self", "rec", "T", "P", "O", "t", "dt", "n",
               "i"]


@settings(max_examples=150)
@given(
    names=st.lists(st.sampled_from(NASTY_NAMES), min_size=2, max_size=5, unique=True),
    ops=st.lists(st.sampled_from(["+", "*", "-", "/", "^", ".", "(", ")", ",", "'", "__", "[", ";", "=", ":"]),
                 min_size=1, max_size=6),
)
def test_hostile_text_never_reaches_generated_source(names, ops):
    equation = " ".join(x for pair in zip(names, ops) for x in pair) + " " + names[-1]
    try:
        variables = [dk.Stock(names[0], 1)] + [dk.Param(n, 1, bounds=(0, 2)) for n in names[1:]]
        variables.append(dk.Flow("f", equation, into=names[0]))
        m = dk.Model("hostile", variables, check_units="off")
        sources = _all_sources(m)
    except dk.ModelError:
        return
    for source in sources:
        for n in _source_names(source) - set(_HELPER_NAMES):
            assert n in _FIXED_NAMES or n[0] in "vkSx_"
        assert ("'" not in source and '"' not in source
                and "." not in source.replace("0.", "").replace(".0", "").replace("e-", ""))


def test_dependency_map_follows_equations_and_flows():
    deps = dk.models.load("demo").dependencies()
    assert deps["waiting_list"] == {"referrals", "served"}
    assert deps["capacity"] == {"staff", "cases_per_worker", "productivity", "morale"}
    assert deps["staff_target"] == set()


@pytest.mark.parametrize("source, why", [
    ("v1 = 1 # a comment\n", "#"),
    ("v1 = 'text'\n", "'"),
    ('v1 = "text"\n', '"'),
    ("v1 = v2.real\n", "."),
    ("v1 = 1if v2 else v3\n", "1"),
    ("v1 = 1j\n", "1"),
    ("v1 = 0x10\n", "0"),
    ("v1 = 1_000\n", "1"),
    ("v1 = 1.\n", "1."),
    ("v1 = v2 @ v3\n", "@"),
    ("v1 = v2 ** v3\n", "*"),
    ("v1 = v2 // v3\n", "/"),
    ("v1 += v2\n", "+"),
    ("v1 = v2 << v3\n", "<"),
    ("v1 = (v2 := v3)\n", ":"),
    ("def _run(P) -> v1:\n    return P\n", "-"),
    ("v1 = v2; v3 = v1\n", ";"),
    ("v1 = \\\n 2\n", "\\"),
    ("\tv1 = 2\n", "\\t"),
    ("v1 = {v2}\n", "{"),
    ("v1 = os\n", "os"),
    ("v1 = __import__\n", "__import__"),
    ("v1 = _L2\n", "_L2"),
    ("v1 = vv1\n", "vv1"),
    ("v1 = v2x\n", "v2x"),  # a slot's form, then more name characters: not a slot name
    ("v1 = k5_1\n", "k5_1"),
    ("v1 = x1_\n", "x1_"),
    ("v1 = _L1x\n", "_L1x"),
    ("v1 = V1\n", "V1"),
    ("import v1\n", "import"),
    ("v1 = lambda: 2\n", "lambda"),
    ("v1 = match\n", "match"),
    ("while v1:\n    v1 = 0\n", "while"),
    ("v1 = _G0(v2)\n", "_G0"),  # the scalar kernels have no lookup grids
])
def test_the_verifier_refuses_anything_the_generator_does_not_write(source, why):
    from dpmkit.compiler import _verify_source

    with pytest.raises(AssertionError) as info:
        _verify_source(source, 2)
    if why is not None:
        assert why in str(info.value)


def test_the_verifier_accepts_every_number_the_generator_writes():
    from dpmkit.compiler import _num, _verify_source

    values = [0.0, 1.0, 0.1, 1e-05, 1e16, 1.5e300, 5e-324, 123456789.0, 2.5e-7, -3.0, -1e-300]
    _verify_source("".join(f"v{k} = {_num(x)}\n" for k, x in enumerate(values)) + "v0 = _L1(v1)\n", 2)


def test_the_verifier_allows_only_as_many_lookup_grids_as_the_vector_kernel_has():
    from dpmkit.compiler import _verify_source

    _verify_source("x0 = _G1(v1)\nv2 = _L0(x0)\n", 1, 2)
    for source, grids in (("x0 = _G2(v1)\n", 2), ("x0 = _G0(v1)\n", 0), ("x0 = _G0x(v1)\n", 1), ("x0 = G0(v1)\n", 1)):
        with pytest.raises(AssertionError, match="outside the whitelist"):
            _verify_source(source, 1, grids)


def test_the_garbage_collector_runs_again_after_compiling_even_after_an_error():
    import gc

    assert gc.isenabled()
    compile_model(dk.models.load("demo")).kernel("rk4", "vector", ("waiting_list",))
    assert gc.isenabled()
    with pytest.raises(dk.ModelError):
        compile_model(dk.Model("bad", [dk.Aux("a", "b + 1"), dk.Aux("b", "a")], check_units="off"))
    assert gc.isenabled()


def test_the_scalar_kernel_writes_common_builtins_in_place_with_the_helpers_numbers():
    """Lookups, MIN, MAX, ZIDZ, MOD by a number and the non-negative guard are written out
    in the single-run kernel; the numbers are those of the helpers they replace."""
    from dpmkit.builtins import s_max, s_min, s_mod, s_safediv
    from dpmkit.compiler import _scalar_lookup

    xs, ys = [0.0, 1.0, 2.5, 4.0], [3.0, 1.0, 2.0, -1.0]
    m = dk.Model("inline", [
        dk.Lookup("tbl", xs, ys),
        dk.Aux("x", "TIME - 1.5"),
        dk.Aux("look", "tbl(x * 1.5)"),
        dk.Aux("low", "MIN(x, 1.25)"),
        dk.Aux("high", "MAX(x * x, x + 2)"),
        dk.Aux("ratio", "ZIDZ(3, INT(x))"),
        dk.Aux("wrap", "TIME MOD 2.5"),
        dk.Flow("drain", "x - 1", non_negative=True, out_of="s"),
        dk.Stock("s", 10, non_negative=True),
    ], start=0, stop=7, dt=0.25, check_units="off")
    source = compile_model(m).kernel("euler", "scalar").source
    for call in ("_L0(", "_b_min(", "_b_max(", "_b_zidz(", "_mod(", "_nn("):
        assert call not in source
    assert "x0 = " in source  # tbl(x * 1.5): its input computed once, into a temporary
    r = dk.simulate(m)
    lookup = _scalar_lookup(xs, ys)
    stock = 10.0
    for k, t in enumerate(r.time):
        x = t - 1.5
        assert r["look"][k] == lookup(x * 1.5)
        assert r["low"][k] == s_min(x, 1.25) and r["high"][k] == s_max(x * x, x + 2)
        assert r["ratio"][k] == s_safediv(3.0, float(np.floor(x)), 0.0)
        assert r["wrap"][k] == s_mod(t, 2.5)
        assert r["drain"][k] == max(x - 1, 0.0) and r["s"][k] == stock
        stock = max(stock - 0.25 * max(x - 1, 0.0), 0.0)
    assert r["look"].min() == -1.0 and r["look"].max() == 3.0  # both flat ends were met


def test_builtins_inside_a_branch_are_called_not_hoisted():
    """A temporary would compute an argument Python skips (the other branch of IF, the
    right of AND/OR); there the helper is called as before."""
    m = dk.Model("branch", [
        dk.Lookup("tbl", [0, 1], [0, 10]),
        dk.Param("p", 1.0, bounds=(0, 2)),
        dk.Aux("y", "IF p > 0 THEN tbl(p * 0.5) ELSE MIN(p * 2, 1 / p)"),
        dk.Aux("z", "p > 0 AND tbl(p / 2) > 1"),
    ], stop=1, check_units="off")
    source = compile_model(m).kernel("euler", "scalar").source
    assert "_L0((v0 * 0.5))" in source and "_b_min(" in source and "x0" not in source
    r = dk.simulate(m, {"p": 1.0})
    assert r["y"][0] == 5.0 and r["z"][0] == 1.0
    r = dk.simulate(m, {"p": 0.0})  # 1 / p in the untaken branch is never computed
    assert r["y"][0] == 0.0 and r["z"][0] == 0.0


def test_the_vector_kernel_computes_a_repeated_lookup_once_per_step():
    m = dk.Model("shared", [
        dk.Lookup("effect", [0, 10], [1, 3]),
        dk.Param("p", 2.0, bounds=(0, 10)),
        dk.Stock("s", 1.0), dk.Flow("f", "s * effect(s / p)", into="s"),
        dk.Aux("a", "effect(s / p) * 2"), dk.Aux("b", "effect(a)"),
    ], stop=3, check_units="off")
    source = compile_model(m).kernel("euler", "vector", m.recorded).source
    step = source[source.index("for i in range(n)"):]
    assert step.count("_L0(") == 2  # effect(s / p) once, effect(a) once
    e = dk.ensemble(m, samples={"p": [1.0, 2.0, 8.0]})
    for run, p in enumerate([1.0, 2.0, 8.0]):
        r = dk.simulate(m, {"p": p})
        for name in ("s", "f", "a", "b"):
            np.testing.assert_array_equal(e[name][:, run], r[name])


def test_tables_on_one_grid_read_at_one_input_share_its_segment_and_keep_the_scalar_numbers():
    # "quality" and "quits" have the same breakpoints and read the same input: the vector
    # kernel finds the input's segment once (a grid _G) and reads both tables there;
    # "morale" has other breakpoints and "long" more than the counted ones (np.interp)
    xs = [0, 1, 2, 4]
    m = dk.Model("grids", [
        dk.Lookup("quality", xs, [1.1, 1, 0.8, 0.5]), dk.Lookup("quits", xs, [0.8, 1, 1.6, 3]),
        dk.Lookup("morale", [0, 0.5, 1], [0.6, 0.9, 1.1]),
        dk.Lookup("long", list(range(20)), [((k * 7) % 5) / 4 for k in range(20)]),
        dk.Param("p", 1.0, bounds=(0, 10)), dk.Param("q", 0.1, bounds=(-1, 1)),
        dk.Stock("s", 1.0), dk.Aux("load", "s * p - 1 + q * TIME"),
        dk.Flow("f", "quality(load) - quits(load) + morale(load / 3) + long(load * 4)", into="s"),
        dk.Aux("a", "quits(load) * 2"),
    ], stop=6, dt=0.5, check_units="off")
    source = compile_model(m).kernel("euler", "vector", m.recorded).source
    step = source[source.index("for i in range(n)"):]
    assert step.count("_G0(") == 1 and step.count("_G1(") == 1 and "_G2" not in step
    assert step.count("_L0(") == step.count("_L1(") == step.count("_L2(") == step.count("_L3(") == 1
    runs = 2048 + 5  # as many runs as take the counting path
    rng = np.random.default_rng(3)
    p, q = rng.uniform(0, 10, runs), rng.uniform(-1, 1, runs)
    p[:3], q[:3] = [0.0, 2.0, 4.0], [0.0, 0.5, -0.25]  # inputs on the breakpoints exactly, and beyond the ends
    e = dk.ensemble(m, samples={"p": p, "q": q})
    for run in (0, 1, 2, 1000, runs - 1):
        r = dk.simulate(m, {"p": p[run], "q": q[run]})
        for name in ("s", "f", "a", "load"):
            np.testing.assert_array_equal(e[name][:, run], r[name])


def test_each_equation_is_parsed_once_for_units_check_compiler_and_dependencies(monkeypatch):
    import dpmkit.spec
    from dpmkit.compiler import _CACHE, _UNITS_CHECKED, dependency_map

    parsed = []
    real = dpmkit.spec.parse

    def counting(text, where=None):
        parsed.append(where)
        return real(text, where)

    monkeypatch.setattr(dpmkit.spec, "parse", counting)
    _CACHE.clear()
    _UNITS_CHECKED.clear()
    m = dk.Model("once", [dk.Stock("s", "2 * k", units="people"), dk.Param("k", 3, units="people"),
                          dk.Flow("f", "s / k", out_of="s", units="people/year"), dk.Aux("a", "f + 1")])
    with pytest.warns(dk.UnitsWarning):  # "f + 1" is fine; "s / k" is dimensionless, declared people/year
        r = dk.simulate(m)
    dependency_map(m)
    assert sorted(parsed) == ["a", "f", "s"]
    assert r["s"][0] == 6 and r["f"][0] == 2


def test_a_parse_error_is_raised_again_on_every_compile_not_remembered():
    m = dk.Model("bad", [dk.Aux("a", "1 +* 2")])
    messages = []
    for _ in range(2):
        with pytest.raises(dk.ModelError) as info:
            dk.simulate(m)
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "'a'" in messages[0]


def test_exec_only_ever_runs_source_that_passed_the_verifier(monkeypatch):
    """The compiler's ``exec`` runs the code compiled from exactly the source the verifier
    passed; a generator that wrote anything else never reaches ``compile`` or ``exec``."""
    from dpmkit import compiler

    verified, compiled_sources, executed = [], [], []
    real_verify, real_compile, real_exec = compiler._verify_source, compile, exec

    def verify(source, *counts):
        real_verify(source, *counts)
        verified.append(source)

    def spy_compile(source, filename, mode):
        compiled_sources.append(source)
        return real_compile(source, filename, mode)

    def spy_exec(code, namespace):
        executed.append(code.co_filename)
        return real_exec(code, namespace)

    monkeypatch.setattr(compiler, "_verify_source", verify)
    monkeypatch.setattr(compiler, "compile", spy_compile, raising=False)
    monkeypatch.setattr(compiler, "exec", spy_exec, raising=False)
    for name in dk.models.available():
        model = dk.models.load(name)
        c = compile_model(model, {p.name for p in model.params})
        for method in ("euler", "rk4"):
            for mode in ("scalar", "ieee", "vector", "watched"):
                c.kernel(method, mode)
    assert executed and compiled_sources == verified and len(executed) == len(verified)
    assert set(executed) == {"<dpmkit-kernel>"}

    # a generator gone wrong: its text is refused before compile() or exec() sees it
    monkeypatch.setattr(compiler._Gen, "source", lambda self, method: "v0 = __import__\n")
    before = (len(compiled_sources), len(executed))
    with pytest.raises(AssertionError, match="__import__"):
        compile_model(dk.Model("fresh_structure", [dk.Stock("s", 1.0), dk.Flow("g", "s * 0.25", into="s")],
                               check_units="off")).kernel("euler", "scalar")
    assert (len(compiled_sources), len(executed)) == before


@pytest.mark.parametrize("points", [2, 3, 4, 7, 16, 17, 40])
def test_the_vector_lookup_gives_the_scalar_lookups_numbers_to_the_bit(points):
    # up to 16 points the vector kernel counts segments on the table's grid and gathers their
    # constants; above, np.interp (as CompiledModel._build_kernel chooses)
    from dpmkit.compiler import _INLINE_POINTS, _scalar_lookup, _vector_grid, _vector_lookup, _vector_table

    def kernel_lookup(xs, ys):
        if len(xs) > _INLINE_POINTS:
            return _vector_lookup(xs, ys)
        segment, table = _vector_grid(xs), _vector_table(xs, ys)
        return lambda x: table(segment(x))

    rng = np.random.default_rng(points)
    for _ in range(20):
        xs = np.cumsum(rng.uniform(0.01, 3, points)) - rng.uniform(0, 5)
        ys = rng.normal(0, 10, points) * 10.0 ** rng.integers(-3, 4)
        x = np.concatenate([rng.uniform(xs[0] - 1, xs[-1] + 1, 300), xs, np.nextafter(xs, np.inf),
                            np.nextafter(xs, -np.inf), [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e308, -1e308]])
        x = np.tile(x, 2048 // len(x) + 1)  # as many runs as take the counting path
        given = x.copy()
        vector = kernel_lookup(xs, ys)(given)
        np.testing.assert_array_equal(given, x)  # the input row is not changed in place
        scalar = _scalar_lookup(xs, ys)
        expected = [scalar(float(v)) for v in x]
        np.testing.assert_array_equal(vector, expected)
        np.testing.assert_array_equal(kernel_lookup(xs, ys)(x[:100]), expected[:100])  # few runs: np.interp
        assert kernel_lookup(xs, ys)(float(x[0])) == scalar(float(x[0]))
    # the end values are held exactly, and NaN in gives NaN out
    lookup = kernel_lookup([0.0, 1.0, 3.0], [0.1, 0.7, 0.3])
    ends = np.array([-np.inf, -5.0, 0.0, 3.0, 7.0, np.inf])
    np.testing.assert_array_equal(lookup(np.tile(ends, 400))[:6], [0.1, 0.1, 0.1, 0.3, 0.3, 0.3])
    assert np.isnan(lookup(np.array([np.nan, 1.0]))[0])


def test_an_ensemble_finds_a_value_that_is_not_finite_in_every_kind_of_recorded_variable():
    # The vector kernel sums each time's recorded row as it goes; a value that is not
    # finite, in a recorded stock, flow, auxiliary or a constant auxiliary, is reported.
    m = dk.Model("bad", [
        dk.Param("p", 1.0, bounds=(0, 10)),
        dk.Stock("s", 1.0), dk.Flow("f", "s * p", into="s"),
        dk.Aux("late", "1 / (3 - TIME)"),  # dynamic: infinite at TIME = 3
        dk.Aux("const", "LN(p - 1)"),  # constant (hoisted): -inf where p = 1
    ], stop=5, check_units="off")
    with pytest.raises(dk.ModelError, match=r"'late' became infinite at TIME = 3 in run 0"):
        dk.ensemble(m, samples={"p": [2.0, 3.0]})
    with pytest.raises(dk.ModelError, match=r"'const' became infinite at TIME = 0 in run 1 \(p=1\)"):
        dk.ensemble(m, samples={"p": [2.0, 1.0]}, record=["s", "const"])
    ok = dk.ensemble(m, samples={"p": [2.0, 1.0]}, record=["s", "f"])  # the bad ones are not recorded
    dt = ok.time[1] - ok.time[0]
    np.testing.assert_allclose(ok["s"], (1 + np.array([2.0, 1.0]) * dt) ** (np.arange(len(ok.time))[:, None]),
                               rtol=1e-12)


def test_before_the_first_step_only_initial_values_constants_and_what_they_need_are_computed():
    m = dk.Model("init", [
        dk.Param("p", 2.0, bounds=(0, 10)),
        dk.Aux("k", "p * 3"),  # a constant: computed once, before the loop
        dk.Aux("seed", "k + TIME + 1"),  # a stock's initial value needs it at the start
        dk.Stock("s", "seed * 2"), dk.Flow("f", "s * 0.1 + k", into="s"),
        dk.Aux("unused", "s * TIME"),  # dynamic and needed by no initial value
    ], stop=2, check_units="off")
    c = compile_model(m)
    for mode in ("scalar", "vector"):
        source = c.kernel("euler", mode, m.recorded if mode == "vector" else None).source
        head, step = source.split("for i in range(n)")
        for name, before, inside in (("k", 1, 0), ("seed", 1, 1), ("f", 0, 1), ("unused", 0, 1)):
            target = f"v{c.slots[name].index} = "
            assert (head.count(target), step.count(target)) == (before, inside), (mode, name)
    r = dk.simulate(m)
    assert r["s"][0] == 14.0 and r["f"][0] == 7.4 and r["unused"][0] == 0.0
    e = dk.ensemble(m, samples={"p": [2.0, 1.0]})
    np.testing.assert_array_equal(e["s"][:, 0], r["s"])
    np.testing.assert_array_equal(e["unused"][:, 0], r["unused"])


def test_an_assignment_writes_no_parentheses_around_its_whole_expression():
    m = dk.Model("bare", [
        dk.Param("p", 2.0, bounds=(0, 10)), dk.Stock("s", 1.0, non_negative=True),
        dk.Flow("f", "(s + p) * (s - 1)", into="s"), dk.Aux("a", "s / (p - s)"), dk.Aux("b", "-(s - p) - p"),
    ], stop=3, check_units="off")
    c = compile_model(m)
    step = c.kernel("euler", "scalar").source.split("for i in range(n)")[1]
    lines = {name: next(ln.strip() for ln in step.splitlines() if ln.strip().startswith(f"v{c.slots[name].index} = "))
             for name in ("f", "a", "b")}
    v = {name: f"v{c.slots[name].index}" for name in ("p", "s")}
    assert lines["f"].endswith(f"= ({v['s']} + {v['p']}) * ({v['s']} - 1.0)")
    assert lines["a"].endswith(f"= {v['s']} / ({v['p']} - {v['s']})")
    assert lines["b"].endswith(f"= (-({v['s']} - {v['p']})) - {v['p']}")
    r = dk.simulate(m)
    s = r["s"]
    np.testing.assert_array_equal(r["f"], (s + 2.0) * (s - 1.0))
    np.testing.assert_array_equal(r["a"], s / (2.0 - s))
    np.testing.assert_array_equal(r["b"], -(s - 2.0) - 2.0)


def test_every_exec_eval_and_compile_in_dpmkit_is_one_of_the_two_verified_kernel_loaders():
    """User text must never reach exec/eval/compile: the only calls in the package are the
    kernel loaders, each tested above (and in tests/test_numba_backend.py) to run only verified
    source built from the parsed equations. A new call anywhere else fails here until it is
    reviewed and tested the same way."""
    import ast
    from pathlib import Path

    from dpmkit import compiler

    root = Path(compiler.__file__).parent
    builtins_ = {"exec", "eval", "compile", "__import__"}  # as bare names (re.compile is not one)
    found = set()
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scopes = [(tree, "<module>")]
        while scopes:
            node, scope = scopes.pop()
            for child in ast.iter_child_nodes(node):
                inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else scope
                if isinstance(child, ast.Call):
                    f = child.func
                    name = (f.id if isinstance(f, ast.Name) and f.id in builtins_ else
                            f.attr if isinstance(f, ast.Attribute) and f.attr in ("exec_module", "run_code") else None)
                    if name is not None:
                        found.add((path.relative_to(root).as_posix(), inner, name))
                scopes.append((child, inner))
    assert found == {
        ("compiler.py", "_build_kernel", "compile"),
        ("compiler.py", "_build_kernel", "exec"),
        ("_numba_kernel.py", "_load", "compile"),
        ("_numba_kernel.py", "_load", "exec"),
    }


def test_one_walk_finds_the_names_an_equation_reads_and_whether_it_reads_the_time():
    """The compiler walks each tree once (compiler._reads) for what names_in and a walk
    for TIME or a time builtin found separately: the same answers on every equation of
    every registered model and on equations that read the time in each way."""
    from dpmkit import compiler
    from dpmkit.expressions import Call, Name, names_in, parse, walk

    def reads_time(tree):
        return any((isinstance(n, Name) and n.id == "TIME") or (isinstance(n, Call) and n.func in compiler._TIME_FUNCS)
                   for n in walk(tree))

    trees = [parse(text) for text in ("TIME", "a * 2", "IF TIME > 3 THEN a ELSE b", "STEP(5, 2) + a",
                                      "PULSE(1, 2, 3)", "DT * STOPTIME + PI", "tbl(a) + MIN(b, -c)", "NOT (a = b)")]
    for name in dk.models.available():
        model = dk.models.load(name)
        trees += [model._tree(v) for v in model.variables if isinstance(v, (dk.Stock, dk.Aux, dk.Flow))]
    timed = 0
    for tree in trees:
        found, time_read = compiler._reads(tree)
        assert found == names_in(tree)
        assert time_read == reads_time(tree)
        timed += time_read
    assert 0 < timed < len(trees)  # both answers occur
