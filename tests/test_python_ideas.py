"""Each Python idea the code track needs is explained before a learner meets it (issue 14, item 1).

Every code-track starter cell of the generated learner notebooks is parsed with ``ast``, together
with the code its blanks stand for (the learner has to write that); the Python ideas it uses are
read from the fixed table ``IDEAS`` below. Each idea must be explained either in the primer
(``00a_python_you_need_here``: its text, or a ``# Python`` comment in one of its cells) or in a
``# Python`` comment of that starter cell or of an earlier code cell the learner can see in the
same notebook. A ``# Python`` comment is a line that starts ``# Python`` and the comment lines
right after it that quote code in backticks. An idea counts as explained when the explanation
matches the idea's keyword pattern: mostly the idea's own code in backticks, as the primer
quotes it (``break`` is explained by a text that quotes `` `break` ``).

What the table leaves out on purpose: what reads as it would in a spreadsheet or in English
(``print``, ``round``, arithmetic, ``<`` and ``>``, quoted text, ``name = value``), the kit's and
the libraries' own functions (each lesson's text introduces those), and what ``ast`` cannot tell
reliably (whether ``a < b`` compares two numbers or two arrays; whether ``x[3]`` is a position or a
dictionary key, so only the small positions 0 to 9 and ``[-1]`` count as positions).
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("nbtools", ROOT / "tools" / "notebooks.py")
nbtools = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbtools)

PRIMER = "00a_python_you_need_here.ipynb"


@dataclass(frozen=True)
class Idea:
    """A Python idea, how ``ast`` shows it, and what an explanation of it says.

    ``code`` is a regex for one code span (the text between two backticks) of an explanation,
    ``words`` one for its prose (case matters unless it says ``(?i)``); an explanation that matches
    either explains the idea.
    """

    name: str
    found: Callable[[ast.AST, list], bool]  # (node, its ancestors, nearest last) -> uses the idea
    code: str | None = None
    words: str | None = None


def _call_to(name):
    return lambda n, up: isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name


def _method(name):
    return lambda n, up: isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == name


def _inside(kinds, up):
    return any(isinstance(a, kinds) for a in up)


def _loop_in_loop(n, up):
    return isinstance(n, ast.For) and _inside(ast.For, up)


def _unpacking(n, up):
    return isinstance(n, ast.Tuple) and isinstance(n.ctx, ast.Store)


def _tuple(n, up):
    # round brackets holding values; a tuple that is a subscript (x[a, b]) is not one a learner writes
    return (isinstance(n, ast.Tuple) and isinstance(n.ctx, ast.Load)
            and not (up and isinstance(up[-1], ast.Subscript) and up[-1].slice is n))


def _list(n, up):
    columns = bool(up) and isinstance(up[-1], ast.Subscript) and up[-1].slice is n
    return isinstance(n, ast.List) and isinstance(n.ctx, ast.Load) and not columns


def _column_list(n, up):
    return isinstance(n, ast.Subscript) and isinstance(n.slice, ast.List)


def _mask(n, up):
    """``x[condition]``: a subscript whose index is a comparison, a ``&``/``|`` of them or a ``~``."""
    if not isinstance(n, ast.Subscript):
        return False
    index = n.slice
    return (isinstance(index, ast.Compare)
            or (isinstance(index, ast.BinOp) and isinstance(index.op, (ast.BitAnd, ast.BitOr)))
            or (isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.Invert)))


def _position(n, up):
    index = n.slice if isinstance(n, ast.Subscript) else None
    return (isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load) and isinstance(index, ast.Constant)
            and type(index.value) is int and 0 <= index.value <= 9)


def _from_the_end(n, up):
    index = n.slice if isinstance(n, ast.Subscript) else None
    return (isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub)
            and isinstance(index.operand, ast.Constant))


def _set_entry(n, up):
    targets = n.targets if isinstance(n, ast.Assign) else []
    return any(isinstance(t, ast.Subscript) for t in targets)


def _compare(*ops):
    return lambda n, up: isinstance(n, ast.Compare) and any(isinstance(op, ops) for op in n.ops)


def _bool_op(op):
    return lambda n, up: isinstance(n, ast.BoolOp) and isinstance(n.op, op)


def _binary(op):
    return lambda n, up: isinstance(n, ast.BinOp) and isinstance(n.op, op)


def _kind(*kinds):
    return lambda n, up: isinstance(n, kinds)


def _constant(*values):
    return lambda n, up: isinstance(n, ast.Constant) and any(n.value is v for v in values)


def _keyword(n, up):
    return isinstance(n, ast.keyword) and n.arg is not None and n.arg != "key"


#: The Python ideas the code track may use: (name, how ast shows it, what an explanation says).
#: Most patterns ask for the idea's own code in backticks, as the primer and `# Python` lines quote it.
IDEAS = [
    Idea("function call with keyword arguments", _keyword, words=r"(?i)keyword argument"),
    Idea("list", _list, words=r"(?i)square brackets"),
    Idea("tuple", _tuple, words=r"(?i)round brackets"),
    Idea("dictionary", lambda n, up: isinstance(n, ast.Dict) and None not in n.keys, words=r"(?i)dictionar(?:y|ies)"),
    Idea("dictionary merge {**a, **b}", lambda n, up: isinstance(n, ast.Dict) and None in n.keys, code=r"^\{\*\*"),
    Idea("setting a dictionary entry d[key] = value", _set_entry, code=r"^[\w.]+\[[^\]]+\] = "),
    Idea("for loop", _kind(ast.For), code=r"^for \w+(?:, \w+)* in "),
    Idea("loop inside a loop", _loop_in_loop, words=r"(?i)inner loop|loop inside (?:a|another) loop"),
    Idea("unpacking a, b = ...", _unpacking, code=r"\b\w+, \(?\w+\)? (?:=|in)\b"),
    Idea("if", _kind(ast.If), code=r"^if \w"),
    Idea("one-line if ... else", _kind(ast.IfExp), code=r" if .+ else "),
    Idea("break", _kind(ast.Break), code=r"^break$"),
    Idea("continue", _kind(ast.Continue), code=r"^continue$"),
    Idea("while loop", _kind(ast.While), code=r"^while "),
    Idea("== (is equal to)", _compare(ast.Eq, ast.NotEq), code=r"^(?:==|!=)$"),
    Idea("in / not in", _compare(ast.In, ast.NotIn), code=r"^(?:not )?in$"),
    Idea("is / is not", _compare(ast.Is, ast.IsNot), code=r"^is(?: not)?$"),
    Idea("or", _bool_op(ast.Or), code=r"(?:^|\s)or(?:\s|$)"),
    Idea("and", _bool_op(ast.And), code=r"(?:^|\s)and(?:\s|$)"),
    Idea("not", lambda n, up: isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not), code=r"^not\b"),
    Idea("None", _constant(None), code=r"^None$"),
    Idea("True and False", _constant(True, False), words=r"\bTrue\b[\s\S]*\bFalse\b|\bFalse\b[\s\S]*\bTrue\b"),
    Idea("mask x[condition]", _mask, words=r"(?i)\bmasks?\b"),
    Idea("& between masks", _binary(ast.BitAnd), code=r"^&$"),
    Idea("| between masks", _binary(ast.BitOr), code=r"^\|$"),
    Idea("~ flips a mask", lambda n, up: isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Invert), code=r"^~"),
    Idea("position x[0]", _position, code=r"\[[0-9]\]$"),
    Idea("from the end x[-1]", _from_the_end, code=r"\[-1\]$"),
    Idea("slice x[a:b]", _kind(ast.Slice), code=r"\[-?\w*:-?\w*\]$"),
    Idea("columns by a list t[[...]]", _column_list, code=r"\w\[\["),
    Idea("comprehension", _kind(ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp),
         code=r"^[\[{(].* for \w+(?:, \w+)* in .*[\]})]$"),
    Idea("f-string", _kind(ast.JoinedStr), code=r'^f"'),
    Idea("format in an f-string {x:.1f}", lambda n, up: isinstance(n, ast.FormattedValue) and n.format_spec,
         code=r'^f".*\{[^}]*:[^}]+\}|^:[<>+]?\d*(?:\.\d+)?[fs%]?$'),
    Idea("def", _kind(ast.FunctionDef), code=r"^def "),
    Idea("return", _kind(ast.Return), code=r"^return\b"),
    Idea("lambda", _kind(ast.Lambda), code=r"^lambda\b"),
    Idea("with", _kind(ast.With), code=r"^with "),
    Idea("try / except", _kind(ast.Try), code=r"^(?:try|except)\b"),
    Idea("import", _kind(ast.Import, ast.ImportFrom), code=r"^(?:import |from \w+ import )"),
    Idea("+= and friends", _kind(ast.AugAssign), code=r"\w [-+*/]= "),
    Idea("*args in a call", _kind(ast.Starred), code=r"\(\*\w|^\*\w"),
    Idea("key= (max, min, sorted by a value)", lambda n, up: isinstance(n, ast.keyword) and n.arg == "key",
         code=r"\bkey="),
    *[Idea(f"{name}(...)", _call_to(name), code=rf"(?<![\w.]){name}\(")
      for name in ("range", "len", "dict", "list", "enumerate", "zip", "sorted", "sum", "min", "max", "abs",
                   "any", "all", "isinstance", "str", "int", "float")],
    *[Idea(f".{name}(...)", _method(name), code=rf"\.{name}\(")
      for name in ("argmin", "argmax", "items", "keys", "values", "get", "join", "sum", "append", "copy")],
]


def ideas_in(code):
    """The ideas ``code`` uses: {idea name: line of first use}."""
    found = {}

    def visit(node, up):
        for idea in IDEAS:
            if idea.name not in found and idea.found(node, up):
                found[idea.name] = getattr(node, "lineno", None) or next(
                    (a.lineno for a in reversed(up) if hasattr(a, "lineno")), 0)
        for child in ast.iter_child_nodes(node):
            visit(child, [*up, node])

    visit(ast.parse(code), [])
    return found


_BY_NAME = {idea.name: idea for idea in IDEAS}
_LINK = re.compile(r'\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)')


def python_comments(code):
    """The ``# Python`` explanations in a code cell: each such line and the comment lines right
    after it that quote code in backticks."""
    found, block = [], None
    for line in code.split("\n"):
        text = line.strip()
        if re.match(r"# Python\b", text):
            block = [text]
            found.append(block)
        elif block is not None and text.startswith("#") and "`" in text:
            block.append(text)
        else:
            block = None
    return ["\n".join(b) for b in found]


def explains(text, idea_name):
    """Whether ``text`` (an explanation, Markdown or comments) explains the idea."""
    idea = _BY_NAME[idea_name]
    spans = re.findall(r"`([^`\n]+)`", text)
    return ((idea.code is not None and any(re.search(idea.code, span) for span in spans))
            or (idea.words is not None and re.search(idea.words, text) is not None))


def _visible_code(cell):
    return cell["cell_type"] == "code" and not cell.get("metadata", {}).get("jupyter", {}).get("source_hidden")


def primer_text(nb):
    """What the primer explains: its text (links read as their words) and its ``# Python`` comments."""
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append(_LINK.sub(r"\1", nbtools._source(cell)))
        elif _visible_code(cell):
            parts += python_comments(nbtools._source(cell))
    return "\n\n".join(parts)


def filled(source_cell):
    """A starter cell as the learner completes it: the solution without markers and hidden lines,
    under the starter's first line, so that its lines are the starter's."""
    lines = nbtools._source(source_cell).split("\n")
    return "\n".join([nbtools.STARTER_NOTE] + [nbtools.blanks(line)[1] for line in lines
                                               if not nbtools.HIDE_MARK.search(line)])


def unexplained(learner, source, primer):
    """Ideas the code track of a learner notebook uses before anything explains them.

    ``learner`` and ``source`` are the learner notebook and its source (for the code the blanks
    stand for), ``primer`` the primer's explanations. Returns ``[(cell id, idea, line)]``.
    """
    solutions = {c.get("id"): c for c in source["cells"]}
    problems, said = [], []
    for cell in learner["cells"]:
        if _visible_code(cell):
            said += python_comments(nbtools._source(cell))
        if not ("answer" in nbtools._tags(cell) and cell["cell_type"] == "code"):
            continue
        starter = nbtools._source(cell)
        used = ideas_in(starter)
        for name, line in ideas_in(filled(solutions[cell["id"]])).items():
            used.setdefault(name, line)
        known = primer + "\n\n" + "\n\n".join(said)
        problems += [(cell["id"], name, line) for name, line in sorted(used.items(), key=lambda kv: kv[1])
                     if not explains(known, name)]
    return problems


LESSONS = nbtools.lessons()


@pytest.fixture(scope="module")
def primer():
    return primer_text(nbtools.load(nbtools.LEARNER / PRIMER))


def known_before(source, primer):
    """What a lesson may take as explained: the primer, for the primer and the lessons after it
    (``00_start_here`` comes first, so it explains the Python it uses itself)."""
    names = [p.name for p in LESSONS]
    return primer if names.index(source.name) >= names.index(PRIMER) else ""


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_every_python_idea_of_the_code_track_is_explained_before_it_is_needed(source, primer):
    learner = nbtools.load(nbtools.LEARNER / source.name)
    problems = unexplained(learner, nbtools.load(source), known_before(source, primer))
    assert not problems, (
        f"{source.stem}: starter cells use Python that neither the primer nor a `# Python:` comment in that "
        "or an earlier cell explains (cell id, idea, line of the starter):\n"
        + "\n".join(f"  {cid}: {name} (line {line})" for cid, name, line in problems))


def test_the_code_track_has_starter_cells_to_check():
    starters = [c for p in LESSONS for c in nbtools.load(nbtools.LEARNER / p.name)["cells"]
                if "answer" in nbtools._tags(c) and c["cell_type"] == "code"]
    assert len(starters) >= 26
    assert all(ideas_in(nbtools._source(c)) for c in starters)


def given_away(source):
    """The blanks of a lesson's solutions whose whole code a ``# Python`` explanation the learner
    sees first (in an earlier code cell, or the blank's own) quotes: ``[(cell id, blank)]``.

    A blank that is one word, name or number (``break``, ``max``, ``100``) is left out: explaining
    that idea names it. An expression is not: an explanation shows the idea on other code."""
    said, found = [], []
    for cell in source["cells"]:
        if not _visible_code(cell):
            continue
        code = nbtools._source(cell)
        said += python_comments(code)
        spans = [" ".join(span.split()) for span in re.findall(r"`([^`\n]+)`", "\n".join(said))]
        for line in code.split("\n"):
            for text in nbtools.blanks(line)[0]:
                text = " ".join(text.split())
                if not re.fullmatch(r"[\w.]+", text) and any(text in span for span in spans):
                    found.append((cell.get("id"), text))
    return found


def test_no_explanation_gives_a_blank_away():
    found = {(p.stem, cid, text) for p in LESSONS for cid, text in given_away(nbtools.load(p))}
    assert found == set(), "an explanation quotes the code a blank asks for: show the idea on other code"
    lesson = _lesson({"cell_type": "code", "id": "a", "metadata": {}, "source": [
        "# Python: `max(s, key=s.get)` is the name with the highest value.\n",
        "best = max(s, key=s.get)  # blank: max(s, key=s.get) | best\n"]})
    assert given_away(lesson) == [("a", "max(s, key=s.get)")]


#: One use of each idea of the table, each line using that idea (and perhaps others).
EXAMPLES = {
    "function call with keyword arguments": "f(x, stop=20)",
    "list": "x = [1, 3, 5]",
    "tuple": "x = (1, 5)",
    "dictionary": 'x = {"a": 1}',
    "dictionary merge {**a, **b}": "x = {**a, **b}",
    "setting a dictionary entry d[key] = value": "d[2015] = 1",
    "for loop": "for x in y: pass",
    "loop inside a loop": "for x in y:\n    for z in x: pass",
    "unpacking a, b = ...": "a, b = c",
    "if": "if x: pass",
    "one-line if ... else": "y = 1 if x else 2",
    "break": "for x in y: break",
    "continue": "for x in y: continue",
    "while loop": "while x: pass",
    "== (is equal to)": "x == 1",
    "in / not in": "x not in y",
    "is / is not": "x is None",
    "or": "x or y",
    "and": "x and y",
    "not": "not x",
    "None": "x = None",
    "True and False": "x = True",
    "mask x[condition]": "t[t > 5]",
    "& between masks": "(a > 1) & (b < 2)",
    "| between masks": "(a > 1) | (b < 2)",
    "~ flips a mask": "~m",
    "position x[0]": "x[0]",
    "from the end x[-1]": "x[-1]",
    "slice x[a:b]": "x[:1]",
    "columns by a list t[[...]]": 't[["a", "b"]]',
    "comprehension": "[x for x in y]",
    "f-string": 'f"{x}"',
    "format in an f-string {x:.1f}": 'f"{x:.1f}"',
    "def": "def f(): pass",
    "return": "def f(): return 1",
    "lambda": "lambda x: x",
    "with": "with x: pass",
    "try / except": "try: pass\nexcept E: pass",
    "import": "import x",
    "+= and friends": "x += 1",
    "*args in a call": "f(*a)",
    "key= (max, min, sorted by a value)": "max(s, key=s.get)",
}


@pytest.mark.parametrize("idea", IDEAS, ids=lambda i: i.name)
def test_each_idea_of_the_table_is_found_in_code_that_uses_it(idea):
    code = EXAMPLES.get(idea.name)
    if code is None:  # the builtins and methods: a call of each
        name = idea.name.removesuffix("(...)")
        code = f"x{name}(y)" if name.startswith(".") else f"{name}(y)"
    assert idea.name in ideas_in(code), (idea.name, code)


def test_what_the_table_leaves_alone_is_not_flagged():
    plain = 'run = dk.simulate(model)\nprint(round(run.final("x")), a + b * 2, a < b)\nrun["x"]\nevents[2001]'
    assert set(ideas_in(plain)) == set()
    # a dictionary key 2001 is not a position; a list of columns is not a list a learner loops over
    assert set(ideas_in('t[["a", "b"]]')) == {"columns by a list t[[...]]"}
    assert set(ideas_in("x[a, b]")) == set()


def test_a_python_comment_is_its_line_and_the_quoted_code_right_after_it():
    code = ("# Code track: fill the blanks.\n"
            "# Python: `break` stops the loop;\n"
            "# `x[-1]` is the last value.\n"
            "# Run each setting and stop at the first that works.\n"
            "# Python: `~m` flips a mask.\n")
    assert python_comments(code) == ["# Python: `break` stops the loop;\n# `x[-1]` is the last value.",
                                     "# Python: `~m` flips a mask."]
    # a comment line that quotes code continues the explanation; one that does not, or code, ends it
    code = "# Python: a loop stops at the first that works.\n# Use `break` here.\n"
    assert python_comments(code) == ["# Python: a loop stops at the first that works.\n# Use `break` here."]
    code = "# Python: something.\n# Try each weight with a full partnership.\nx = 1  # `break`\n"
    assert python_comments(code) == ["# Python: something."]


def test_an_explanation_quotes_the_idea_in_one_code_span():
    assert explains("`break` stops the loop", "break")
    assert not explains("we break for lunch", "break")
    # the prose between two code spans is not code: "`x` and `y`" does not explain `and`
    assert not explains("`x` and `y` are names", "and")
    assert explains("`a < 1 and b > 2` needs both", "and")
    assert explains("`kept[2015] = {...}` sets an entry", "setting a dictionary entry d[key] = value")
    assert not explains("the claim is true, not false", "True and False")
    assert explains("True where it holds, False elsewhere", "True and False")
    assert not explains("`{\"a\": 1}` is a dictionary", "format in an f-string {x:.1f}")
    assert explains('`f"{w:.0f}"` shows no decimals', "format in an f-string {x:.1f}")
    assert not explains("`waiting.min()` is the lowest", "min(...)")


def test_the_lesson_before_the_primer_explains_its_python_itself():
    names = [p.name for p in LESSONS]
    assert names.index("00_start_here.ipynb") < names.index(PRIMER)
    assert known_before(LESSONS[0], "primer text") == ""
    assert known_before(nbtools.SOURCES / PRIMER, "primer text") == "primer text"
    assert known_before(LESSONS[-1], "primer text") == "primer text"


def _lesson(*cells):
    return {"cells": list(cells), "metadata": {}}


def _cell(cid, code, tags=(), hidden=False):
    meta = {"tags": list(tags)}
    if hidden:
        meta["jupyter"] = {"source_hidden": True}
    return {"cell_type": "code", "id": cid, "metadata": meta, "source": code, "outputs": [], "execution_count": None}


def test_an_idea_counts_as_explained_only_by_the_primer_or_an_earlier_visible_python_comment():
    solution = _cell("s", "for x in range(3):  # blank: range(3)\n    if x == 1:  # blank: 1\n        break",
                     ["solution"])
    source = _lesson(solution)
    starter = _cell("s", nbtools.starter(nbtools._source(solution)), ["answer", "nbval-skip"])
    primer = "`for x in [1, 2]:` runs the lines; `if x:` runs them when x holds."
    # `range(` is only in the blank: the learner writes it, so it needs explaining too
    assert [(c, i) for c, i, _ in unexplained(_lesson(starter), source, primer)] == [
        ("s", "range(...)"), ("s", "== (is equal to)"), ("s", "break")]
    before = _cell("t", "# Python: `range(3)` counts 0, 1, 2; `==` asks whether two values are equal.\nx = 1")
    later = _cell("u", "# Python: `break` stops the loop.\nx = 1")
    assert [i for _, i, _ in unexplained(_lesson(before, starter, later), source, primer)] == ["break"]
    folded = _cell("f", "# Python: `break` stops the loop.\nx = 1", ["nocode"], hidden=True)
    assert [i for _, i, _ in unexplained(_lesson(before, folded, starter), source, primer)] == ["break"]
    assert unexplained(_lesson(before, starter), source, primer + " `break` stops the loop.") == []


def test_the_primer_is_read_as_a_learner_reads_it():
    nb = _lesson({"cell_type": "markdown", "id": "m", "metadata": {},
                  "source": 'A [dictionary](glossary.md#d "pairs names with values") like `{"a": 1}`.'},
                 _cell("c", "# Python: `x[-1]` is the last value.\nx = 1"),
                 _cell("h", "# Python: `lambda` ...\nx = 1", ["nocode"], hidden=True))
    text = primer_text(nb)
    assert explains(text, "dictionary") and explains(text, "from the end x[-1]")
    assert not explains(text, "lambda")
