"""Plain words: one way to write numbers and times, and one parser for typed numbers."""

from __future__ import annotations

import ast
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


@pytest.mark.parametrize("t,units,label", [
    (2014, "year", "2014"), (2014.25, "year", "April 2014"), (2010.58, "years", "July 2010"),
    (2014.999, "year", "December 2014"), (12, "week", "week 12"), (2.5, "month", "month 2.5"), (5, "year", "year 5"),
    (3, "", "time 3"), (2014.25, "month", "month 2014.25"),
])
def test_times_read_as_people_say_them(t, units, label):
    assert words.time_label(t, units) == label
    assert words.when(t, units) == f"in {label}"


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
