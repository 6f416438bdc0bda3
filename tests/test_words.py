"""Plain words: one way to write numbers and times, and one parser for typed numbers."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit import words

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text,value", [
    ("3,5", 3.5), ("0,25", 0.25), ("0,080", 0.08), ("1,080", 1080), ("12,345,678", 12345678), ("1,080.5", 1080.5),
    ("1 080", 1080), ("1\u00a0080", 1080), ("1\u202f080,", None), ("-2.5", -2.5), ("\u22122.5", -2.5),
    ("+4", 4), ("2.5e3", 2500), ("1.08", 1.08), ("0.080", 0.08), ("1.0805", 1.0805), (" 45 ", 45), (".5", 0.5),
])
def test_typed_numbers(text, value):
    if value is None:
        with pytest.raises(dk.ModelError):
            words.parse_number(text, "f")
    else:
        assert words.parse_number(text, "f") == pytest.approx(value)


@pytest.mark.parametrize("text,message", [
    ("1.080", "could mean 1080 or 1.08; write 1080 or 1.08"),
    ("12.500", "write 12500 or 12.5"),
    ("1.080.000", "write 1080000"),
    ("", "type a number"),
    ("   ", "type a number"),
    ("about forty", "is not a number"),
    ("nan", "is not a number"), ("inf", "is not a number"), ("-Infinity", "is not a number"),
    ("1e400", "too large"), ("1_000", "is not a number"), ("\u0661\u0662", "is not a number"),
    ("3,5,5", "at most one comma"), ("1.080,5", "is not a number"), ("1 2", "is not a number"),
    ("\ud800", "is not a number"),
])
def test_what_is_refused_names_the_field(text, message):
    with pytest.raises(dk.ModelError, match=re.escape(message)) as err:
        words.parse_number(text, "your prediction for month 12")
    assert str(err.value).startswith("your prediction for month 12: ")


def test_blank_may_mean_nothing_and_text_is_required():
    assert words.parse_number(" ", "f", blank_ok=True) is None
    with pytest.raises(dk.ModelError, match="expected typed text, got int"):
        words.parse_number(12, "f")


@given(st.integers(-10**15, 10**15))
def test_numbers_written_with_thousands_separators_read_back(n):
    assert words.parse_number(f"{n:,}", "f") == n
    assert words.parse_number(f"{n:,}".replace(",", " "), "f") == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_python_writes_read_back_unless_ambiguous(x):
    text = repr(x)
    if re.fullmatch(r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}", text):
        with pytest.raises(dk.ModelError, match="could mean"):
            words.parse_number(text, "f")
    else:
        assert words.parse_number(text, "f") == x


@given(st.floats(-1e12, 1e12, allow_nan=False))
def test_people_numbers_are_short_and_read_back_closely(x):
    text = words.number(x)
    assert len(text) <= 18
    if abs(x) >= 1 and not re.fullmatch(r"-?[1-9][0-9]{0,2}\.[0-9]{3}", text):
        assert words.parse_number(text, "f") == pytest.approx(x, rel=0.01, abs=0.5)


@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(-1e6, 1e6, allow_nan=False))
def test_a_difference_is_shown_no_finer_than_the_two_numbers_beside_it(value, base):
    # an explorer row "390 | 390 | −0.122" made a learner look for a change the numbers do not show
    shown = words.difference(value, base)
    if value == base:
        assert shown == "0"
        return
    if shown == "about 0":
        steps = [s for s in (words._shown_step(value), words._shown_step(base)) if s is not None]
        assert abs(value - base) <= (max(steps) / 2 if steps else 2e-12) + 1e-9
        return
    assert shown[0] == ("+" if value > base else "−")
    number = words.parse_number(shown[1:], "difference")
    assert number > 0
    if min(abs(value), abs(base)) >= 100:  # two whole numbers beside it: a whole difference
        assert number == abs(round(value - base))


@given(st.floats(-1e9, 1e9, allow_nan=False))
def test_the_difference_step_is_the_last_digit_number_shows(x):
    # words.difference rounds to _shown_step, which restates number()'s rule: held together here
    text = words.number(x)
    step = words._shown_step(x)
    if step is None or "e" in text:
        return
    shown = float(text.replace(",", ""))
    assert abs(shown / step - round(shown / step)) < 1e-6  # number() shows no digit finer than the step
    assert abs(shown - x) <= step / 2 + 1e-9 * max(1.0, abs(x))  # and rounds to it


def test_a_difference_examples():
    assert words.difference(392.2, 390.4) == "+2"
    assert words.difference(390.02, 390.14) == "about 0"
    assert words.difference(0.157, 0.15) == "+0.007"
    assert words.difference(float("nan"), 1) == "nan"


@pytest.mark.parametrize("t,units,label", [
    (2014, "year", "2014"), (2014.25, "year", "April 2014"), (2010.58, "years", "July 2010"),
    (2014.999, "year", "December 2014"), (12, "week", "week 12"), (2.5, "month", "month 2.5"), (5, "year", "year 5"),
    (3, "", "time 3"), (2014.25, "month", "month 2014.25"),
])
def test_times_read_as_people_say_them(t, units, label):
    assert words.time_label(t, units) == label
    assert words.when(t, units) == f"in {label}"


@pytest.mark.parametrize("t,units,start,stop,said", [
    (48.75, "week", 0, 80, "about week 49"), (28.5, "week", 0, 80, "about week 28"), (59, "week", 0, 80, "week 59"),
    (2.5625, "year", 0, 10, "about year 2.6"), (30.25, "month", 0, 60, "about month 30"),
    (2014.25, "year", 2006, 2022, "April 2014"), (12.4, "", 0, 60, "about time 12"),
])
def test_a_moment_a_run_found_reads_as_people_say_it(t, units, start, stop, said):
    """Lesson 02 printed the week its waiting list was lowest as "(week 48.75)": a moment a search
    over a quarter-week run finds is said to the nearest week, with "about", as a reader says it."""
    assert words.moment(t, units, start, stop) == said


def test_spans_and_labels():
    assert words.span(2006.25, 2022, "year") == "from April 2006 to 2022"
    assert words.span(0, 60, "month") == "from month 0 to 60"
    assert words.axis_title("Waiting list", "people") == "Waiting list (people)"
    assert words.axis_title("Trust", "dimensionless") == "Trust"
    assert words.signed(-1216.4) == "−1,216"


OLD_HELPERS = {"_fmt", "_time_text", "_time_label", "_when", "_span", "_calendar", "_axis_title", "_label",
               "_lower_first", "_signed", "_parse_number", "_THOUSANDS_RE"}


def test_there_is_one_home_for_plain_words():
    # The presentation wing; the engine's machine formats (e.g. numbers written into XMILE) are another matter.
    wing = [p for name in ("charts", "widgets", "workshop") for p in sorted((ROOT / "dpmkit" / name).rglob("*.py"))]
    assert wing
    for path in wing:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        defined |= {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
                    if isinstance(t, ast.Name)}
        assert not defined & OLD_HELPERS, f"{path.name} defines its own {defined & OLD_HELPERS}: use dpmkit.words"


# ------------------------------------------------------------- the lessons' dates
_MONTH = "(" + "|".join(words.MONTHS) + r") (\d{4})"
_QUOTED = [  # how a lesson pairs a date in words with the model time it reads
    re.compile(r"(end of )?" + _MONTH + r" \(`(\d{4}\.\d+)`"),  # April 2012 (`2012.25`)
    re.compile(r"(\d{4}\.\d+) means (?:the moment )?(end of )?" + _MONTH),  # 2009.25 means April 2009
    re.compile(r"(\d{4}\.\d+) the moment " + _MONTH + " (ends)"),  # 2014.25 the moment March 2014 ends
    re.compile(r"(\d{4}\.\d+)\b[^#\n]*# (?:the )?(end of )?" + _MONTH),  # x = 2014.25  # the end of March 2014
    re.compile(r"(end of )?" + _MONTH + r"[^{\n]*\{[^}\n]*\.at\((\d{4}\.\d+)"),  # "April 2009 {run.at(2009.25, ..."
]


def _lesson_dates():
    """(lesson, time, month, year, ends): every date a lesson source names beside the model time it reads."""
    found = []
    for path in sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            for pattern in _QUOTED:
                for m in pattern.finditer(text):
                    g = m.groups()
                    t = next(float(x) for x in g if x and re.fullmatch(r"\d{4}\.\d+", x))
                    month, year = next((g[i], int(g[i + 1])) for i in range(len(g) - 1) if g[i] in words.MONTHS)
                    ends = any(x in ("end of ", "ends") for x in g)
                    found.append((path.stem, t, month, year, ends))
    return found


def test_the_lessons_name_model_times_as_the_words_do():
    """The kit's convention pinned on the dates the lessons quote: a model time on a month's edge
    is labelled with the month it begins (2009.25: April 2009); where a lesson names the month
    that ends there, it says so ("the end of March 2014" for 2014.25, the published 429)."""
    dates = _lesson_dates()
    assert {(t, m, y, e) for _, t, m, y, e in dates} >= {(2009.25, "April", 2009, False),
                                                         (2014.25, "March", 2014, True),
                                                         (2012.25, "April", 2012, False)}
    for lesson, t, month, year, ends in dates:
        label = words.time_label(t, "year")
        if ends:  # the month that ends at t: t must be exactly its last moment
            nxt = words.MONTHS.index(month) + 1
            assert abs((year + nxt / 12) - t) < 1e-9, (lesson, t, month, year)
            assert label == f"{words.MONTHS[nxt % 12]} {year + nxt // 12}", (lesson, t, label)
        else:
            assert label == f"{month} {year}", (lesson, t, label)
    assert words.time_label(2014.25, "year") == "April 2014" and words.time_label(2009.25, "year") == "April 2009"


def _bare_march_2014(name, text):
    text = re.sub(r"\s+", " ", text)
    return [(name, text[max(0, m.start() - 40):m.end()]) for m in re.finditer(r"March 2014", text)
            if not re.search(r"(end of|moment) $", text[:m.start()], re.IGNORECASE)]


def test_the_lessons_never_call_the_end_of_march_2014_bare_march_2014():
    """The published 429 is dated 'the end of March 2014' (surrey_neet_2014) and read at 2014.25, which
    the charts label April 2014: bare "March 2014" in a lesson's text would read as a third date.
    Cells and their facilitator notes (which the facilitator view prints) alike."""
    bare = []
    for path in sorted((ROOT / "notebooks").glob("**/*.ipynb")):
        for k, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            text = "".join(cell["source"]) + " " + json.dumps(cell.get("metadata", {}), ensure_ascii=False)
            bare += [(k, *hit) for hit in _bare_march_2014(path.name, text)]
    assert not bare, bare


# Everywhere else a learner or facilitator meets the date: the workshop material (session plans,
# games guide, facilitator view, handouts), the model catalogue, and the surrey model's own words
# (its description, evidence notes and the explorer's moment labels, MOMENTS).
_DATED_ELSEWHERE = ["workshops/**/*.md", "workshops/handouts/*.html", "docs/models.md",
                    "dpmkit/models/surrey.py", "dpmkit/evidence/surrey.py"]


def test_the_workshops_docs_and_the_model_never_say_bare_march_2014_either():
    files = sorted({p for pattern in _DATED_ELSEWHERE for p in ROOT.glob(pattern)})
    names = {p.relative_to(ROOT).as_posix() for p in files}
    assert {"workshops/session-plans/half-day.md", "workshops/games-guide.md", "docs/models.md",
            "workshops/handouts/predict-then-run-surrey.md"} <= names
    said = [p for p in files if "March 2014" in p.read_text(encoding="utf-8")]
    assert len(said) >= 6, said  # the date is there to check, in the plans, guide, catalogue and model
    bare = [hit for p in files for hit in _bare_march_2014(p.relative_to(ROOT).as_posix(),
                                                           p.read_text(encoding="utf-8"))]
    assert not bare, bare
    # the explorer's summary says it the lessons' way
    from dpmkit.models import surrey
    assert surrey.MOMENTS == {"April 2009": 2009.25, "End of March 2014": 2014.25}


def test_the_bare_march_2014_check_catches_what_it_should():
    assert _bare_march_2014("x", "NEET in March 2014 as it happened")
    assert _bare_march_2014("x", "429 (March 2014)")
    assert not _bare_march_2014("x", "NEET at the end of\n   March 2014")
    assert not _bare_march_2014("x", "the count for the **end of March 2014** comes from")


def test_a_scenario_named_like_code_reads_as_words():
    """The one rule a chart's legend and a lesson's printed table name scenarios by."""
    assert words.scenario("attractor_and_partnership") == "Attractor and partnership"
    assert words.scenario("evaluate_after_1_year") == "Evaluate after 1 year"
    assert [words.scenario(n) for n in ("base", "cut posts", "targets")] == ["base", "cut posts", "targets"]
    assert words.scenarios(["base", "no_coproduction"]) == {"base": "base", "no_coproduction": "No coproduction"}
    # two that would read alike keep their own names, so a legend never shows two lines under one name
    assert words.scenarios(["cut_posts", "Cut posts"]) == {"cut_posts": "cut_posts", "Cut posts": "Cut posts"}


def test_a_role_reads_as_words():
    """Lesson 04's no-code dashboard printed roles as code (``performance_driver``)."""
    assert [words.role(r) for r in ("performance_driver", "strategic_resource", None)] == [
        "performance driver", "strategic resource", "no role"]


def test_units_to_show_leave_out_a_pure_numbers_dimensionless():
    """Parameter tables, sliders and the room's pages showed "dimensionless" as units (or each
    tested ``!= "dimensionless"`` by hand). The one rule: a pure number shows no units."""
    import dpmkit as dk

    assert [words.units(u) for u in ("people/week", "dimensionless", "", None, "1", " Dmnl ")] == [
        "people/week", "", "", "", "", ""]
    model = dk.models.load("surrey")
    assert words.units(model["cut_fraction"]) == "" and words.units(model["post2015_cut"]) == "£m/year"
    assert words.axis_title("Trust", "1") == "Trust"


def test_a_scenario_keeps_the_hyphen_the_glossary_writes():
    """Lesson 05 printed its preset ``trade_off``; as words it is "Trade-off", as the glossary says."""
    assert words.scenario("trade_off") == "Trade-off"
    assert words.scenario("no_co_production") == "No co-production"
    assert words.scenario("offset_trade") == "Offset trade"  # only whole words join


def test_a_time_beside_a_number_is_counted_as_people_say_it():
    """The game's pages said "3 year" and "from 1 to 5 year"; the room's console "1 pages open".
    One rule: a unit of time is singular for exactly one, other units stay as declared."""
    assert [words.quantity(v, "year") for v in (1, 3, 0.5, -1)] == ["1 year", "3 years", "0.5 years", "-1 year"]
    assert words.quantity(1, "Years") == "1 year" and words.quantity(2, "month") == "2 months"
    assert words.quantity(1200, "people") == "1,200 people" and words.quantity(2, "£m/year") == "2 £m/year"
    assert words.quantity(0.25, "dimensionless") == "0.25"
    assert [words.count(n, "page") for n in (0, 1, 2)] == ["0 pages", "1 page", "2 pages"]
