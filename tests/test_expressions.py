"""The equation language: parsing, printing back, and the hostile-input corpus."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit.expressions import BinOp, Call, If, Name, Num, UnaryOp, names_in, parse, unparse

# these tests hold the vectorised kernel to single runs with small ensembles (conftest.py)
pytestmark = pytest.mark.usefixtures("vector_ensembles")


def model_with(equation, *extra):
    """A tiny model whose flow 'f' has ``equation``."""
    return dk.Model(
        "t",
        [
            dk.Stock("s", 1),
            dk.Flow("f", equation, into="s"),
            dk.Param("k", 0.5, bounds=(0, 1)),
            dk.Lookup("tab", [0, 1], [0, 2]),
            *extra,
        ],
        check_units="off",
    )


# (equation, fragment the error message must contain)
HOSTILE = [
    ("k +", "ends too early"),
    ("", "empty"),
    ("   ", "empty"),
    ("k ** 2", "use '^'"),
    ("__import__('os').system('ls')", "quotes"),
    ("__import__", "'__'"),
    ("_private", "may not start with '_'"),
    ("k.real", "attribute access"),
    ("s.__class__", "attribute access"),
    ("lambda x: x", ":"),
    ("[x for x in s]", "square brackets"),
    ("{1: 2}", "curly"),
    ("'text'", "quotes"),
    ('"text"', "quotes"),
    ("open", "unknown name 'open'"),
    ("exec(1)", "not a lookup or function"),
    ("eval(1)", "not a lookup or function"),
    ("kk * s", "unknown name 'kk'"),
    ("MIN(k)", "MIN takes 2 to 32 arguments"),
    ("EXP(1, 2)", "EXP takes 1 argument"),
    ("STEP(1)", "STEP takes 2 arguments"),
    ("IF s > 1 THEN 2", "every IF needs an ELSE"),
    ("THEN 2", "THEN without a matching IF"),
    ("foo(1)", "'foo' is not a lookup"),
    ("tab", "call it with an input"),
    ("k(2)", "is a parameter, not a lookup"),
    ("tab(1, 2)", "exactly one input"),
    ("(" * 200 + "1" + ")" * 200, "nested too deeply"),
    ("-" * 200 + "1", "nested too deeply"),
    ("NOT " * 200 + "1", "nested too deeply"),
    ("1" + " + 1" * 2000, "characters long"),
    ("+".join(["k"] * 300), "chain of"),
    ("*".join(["k"] * 100), "chain of"),
    ("2 ^ 99999", "exponent 99999 is too large"),
    ("2 ^ -5000", "too large"),
    ("1e999", "too large"),
    ("s s", "missing operator"),
    ("1 < 2 < 3", "cannot be chained"),
    ("s;k", "one equation per variable"),
    ("s @ k", "'@'"),
    ("s = = k", "expected a number"),
    ("TIME(1)", "TIME is not a function"),
    ("MIN", "MIN is a function"),
    ("DELAYN(s, 2, k)", "order of DELAYN"),
    ("DELAYN(s, 2, 1.5)", "order of DELAYN"),
    ("LOOKUP(1, s)", "first argument of LOOKUP"),
    ("LOOKUP(k, s)", "is a parameter, not a lookup"),
    ("s ! k", "use NOT"),
    ("s & k", "use AND"),
    ("s | k", "use OR"),
    ("50%", "'%'"),
    ("k)", "unmatched closing parenthesis"),
    ("(k", "expected ')'"),
    ("1.2.3", "unexpected '.'"),
    ("3abc", "right after the number"),
    ("k\x00", "unexpected character"),
    ("caf\u00e9", "unexpected character"),
    ("x = 1", "unknown name 'x'"),
    ("f", "algebraic loop"),  # self-reference without a stock
    ("0 * .\u0661", "at position 4"),  # '.' before an Arabic-Indic digit was a bare ValueError from float('.')
    (".\u00b2", "at position 0"),
]


@pytest.mark.parametrize("equation, fragment", HOSTILE)
def test_hostile_equation_is_a_model_error_naming_the_variable(equation, fragment):
    with pytest.raises(dk.ModelError) as info:
        dk.simulate(model_with(equation))
    message = str(info.value)
    assert "'f'" in message or "f -> f" in message
    assert fragment in message
    assert info.value.variable == "f"


def test_longest_accepted_chain_compiles_and_runs():
    from dpmkit.expressions import MAX_TREE_DEPTH

    equation = " + ".join(["k"] * MAX_TREE_DEPTH)
    m = model_with(equation)
    for method in ("euler", "rk4"):
        assert dk.simulate(m, method=method)["f"][0] == pytest.approx(0.5 * MAX_TREE_DEPTH)
        ens = dk.ensemble(m, samples={"k": [0.1, 0.2]}, method=method)
        assert ens["f"][0].tolist() == pytest.approx([0.1 * MAX_TREE_DEPTH, 0.2 * MAX_TREE_DEPTH])
    deep = "IF k > 0 THEN " * 20 + "1" + " ELSE 0" * 20
    assert dk.simulate(model_with(deep))["f"][0] == 1


def test_error_points_at_the_position():
    with pytest.raises(dk.ModelError) as info:
        parse("staff * (1 + k", "capacity")
    err = info.value
    assert err.position == len("staff * (1 + k")
    assert "capacity" in str(err)
    assert "^" in str(err).splitlines()[-1]


def test_non_text_equations_are_refused():
    for bad in (None, [1], {"a": 1}, True):
        with pytest.raises(dk.ModelError):
            dk.Aux("a", bad)
    with pytest.raises(dk.ModelError):
        parse(float("nan"), "a")


def test_precedence_and_associativity():
    tree = parse("a + b * c ^ d ^ e")
    assert tree == BinOp("+", Name("a", 0),
                         BinOp("*", Name("b", 4),
                               BinOp("^", Name("c", 8), BinOp("^", Name("d", 12), Name("e", 16), 14), 10), 6), 2)
    assert parse("-2 ^ 2") == UnaryOp("-", BinOp("^", Num(2.0, 1), Num(2.0, 5), 3), 0)
    assert isinstance(parse("IF a > 1 AND NOT b THEN 1 ELSE 2"), If)
    assert parse("a - b - c").left == BinOp("-", Name("a", 0), Name("b", 4), 2)


def test_keywords_and_functions_are_case_insensitive():
    assert parse("min(a, b)") == parse("MIN(a, b)")
    assert parse("if a then b else c") == parse("IF a THEN b ELSE c")
    assert isinstance(parse("Time"), Name) and parse("Time").id == "TIME"


def test_names_in_finds_variables_and_lookups_not_constants():
    tree = parse("effect(workload) * staff + TIME + MIN(DT, budget)")
    assert names_in(tree) == {"effect", "workload", "staff", "budget"}


def test_lookup_call_is_marked_as_not_builtin():
    tree = parse("effect(x)")
    assert isinstance(tree, Call) and not tree.builtin and tree.func == "effect"


EQUATIONS = [
    "a + b * c",
    "(a + b) * c",
    "a - (b - c)",
    "a / (b * c)",
    "a ^ b ^ c",
    "(a ^ b) ^ c",
    "-a ^ 2",
    "(-2) ^ 2",
    "IF a > b THEN MIN(a, b) ELSE MAX(a, b, 3)",
    "NOT (a = b) OR a <> b AND c <= 1",
    "SMTH1(a, 3, 0) + DELAY3(b, 2) + effect(c)",
    "1 - IF a THEN b ELSE c",
    "a MOD 3 + MODULO(b, 2)",
]


@pytest.mark.parametrize("text", EQUATIONS)
def test_unparse_round_trip(text):
    tree = parse(text)
    again = parse(unparse(tree))
    assert unparse(again) == unparse(tree)
    assert _strip(again) == _strip(tree)


def _strip(node):
    """A tree without positions, to compare structure."""
    if isinstance(node, Num):
        return ("num", node.value)
    if isinstance(node, Name):
        return ("name", node.id)
    if isinstance(node, Call):
        return ("call", node.func, node.builtin, tuple(_strip(a) for a in node.args))
    if isinstance(node, BinOp):
        return ("bin", node.op, _strip(node.left), _strip(node.right))
    if isinstance(node, UnaryOp):
        return ("un", node.op, _strip(node.operand))
    return ("if", _strip(node.cond), _strip(node.then), _strip(node.orelse))


_atoms = st.sampled_from(["a", "b", "c", "2", "0.5", "TIME", "DT"])


@st.composite
def expressions(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        return draw(_atoms)
    kind = draw(st.sampled_from(["bin", "neg", "call", "if", "paren"]))
    sub = lambda: draw(expressions(depth + 1))
    if kind == "bin":
        return f"({sub()} {draw(st.sampled_from(['+', '-', '*', '/', '^', '<', '=', 'AND', 'OR']))} {sub()})"
    if kind == "neg":
        return f"-{sub()}"
    if kind == "call":
        return f"MAX({sub()}, {sub()})"
    if kind == "if":
        return f"IF {sub()} THEN {sub()} ELSE {sub()}"
    return f"({sub()})"


@settings(max_examples=200)
@given(expressions())
def test_unparse_round_trip_property(text):
    tree = parse(text)
    assert _strip(parse(unparse(tree))) == _strip(tree)
