"""Plain words: numbers, times and labels as people write them, and numbers as people type them.

One home for the phrases that charts, widgets and workshop ballots put in front of
people, so that a number or a date reads the same in a chart's summary, a widget's
table and the facilitator's dashboard:

- :func:`number` — ``1,256``, ``12.5``, ``0.157``; round-off around zero reads ``0``.
- :func:`signed` — a difference: ``+1,216``, ``−0.25``, ``0``.
- :func:`estimate` — a fitted value with its interval: ``0.66 (0.41 to 0.91)``, or that
  the data cannot pin it down.
- :func:`time_value`, :func:`time_label`, :func:`when`, :func:`span` — times:
  ``month 12``, ``2014``, ``April 2014``, ``in week 3``, ``from 2009 to 2019``;
  :func:`moment` — a moment of a run found by a computation (a peak, a lowest point),
  rounded as people say it: ``about week 49``, not ``week 48.75``;
  :func:`stretch` — a stretch of a run found by a computation, its ends rounded the same
  way: ``from the start to about year 2.6``.
- :func:`axis_title` — a label with its units: ``Waiting list (people)``; :func:`units` — the units
  to show beside a number, none for a pure number (``dimensionless``); :func:`quantity` — a number
  with them, time counted as people say it: ``3 years``, ``1 year``; :func:`count` — ``1 page``,
  ``3 pages``.
- :func:`role` — a DPM role as words: ``performance driver``, or ``no role``.
- :func:`scenario`, :func:`scenarios` — a scenario named like code (``no_coproduction``) as
  a chart's legend and a lesson's printed table say it: ``No coproduction``.
- :func:`lower_first` — a label inside a sentence (``waiting list``, but ``NEET``).
- :func:`parse_number` — the one parser for numbers typed into widgets and ballots.

This module imports nothing from the kit but :mod:`dpmkit.errors`, so any part of the
presentation wing may use it.
"""

from __future__ import annotations

import math
import re

from .errors import ModelError

__all__ = [
    "TIME_WORDS",
    "axis_title",
    "both_readings",
    "count",
    "difference",
    "escaped",
    "estimate",
    "is_calendar",
    "lower_first",
    "moment",
    "number",
    "parse_number",
    "quantity",
    "role",
    "scenario",
    "scenarios",
    "signed",
    "span",
    "stretch",
    "time_label",
    "time_value",
    "units",
    "when",
]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_CALENDAR_UNITS = ("year", "years", "yr", "yrs")
#: Units that mean "a pure number": a reader is shown no units for them.
_NO_UNITS = ("", "1", "dimensionless", "dmnl", "unitless")
#: Units of time, said as people count them beside a number (``1 year``, ``3 years``).
TIME_WORDS = frozenset({"year", "quarter", "month", "week", "day"})


# --------------------------------------------------------------------- numbers
def number(value):
    """A number as a reader would write it: about three significant figures, thousands separated.

    Parameters
    ----------
    value : float

    Returns
    -------
    str

    Examples
    --------
    >>> number(1256.4), number(123.4), number(12.25), number(0.15749), number(-3)
    ('1,256', '123', '12.2', '0.157', '-3')
    >>> number(8.3e-20)  # round-off around zero reads as 0
    '0'
    >>> number(0.000012345)
    '1.23e-05'
    """
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    if a < 1e-12:
        return "0"
    text = f"{v:.3g}"
    return text if "e" not in text else f"{v:.2e}"


def signed(value):
    """A difference as a reader writes it, with a sign (a true minus sign for decreases).

    Examples
    --------
    >>> signed(1216.2), signed(-0.25), signed(0)
    ('+1,216', '−0.25', '0')
    """
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + number(abs(value))


def _shown_step(value):
    """The last digit's place of ``number(value)`` (390 -> 1, 12.2 -> 0.1, 0.157 -> 0.001); None
    for a value shown as 0 or not finite."""
    a = abs(float(value))
    if not math.isfinite(a) or a < 1e-12:
        return None
    if a >= 100:
        return 1.0
    if a >= 10:
        return 0.1
    return 10.0 ** (math.floor(math.log10(a)) - 2)


def difference(value, base):
    """``value - base`` as a reader writes it beside the two numbers as :func:`number` shows
    them: signed, and no finer than they are shown, so 390 against 390 does not differ by
    −0.122; a difference too small to show at that precision is "about 0".

    Examples
    --------
    >>> difference(587.3, 426.1), difference(390.02, 390.14), difference(12.25, 12.1), difference(5, 5)
    ('+161', 'about 0', '+0.2', '0')
    >>> difference(0.157, 0.15), difference(1320, 0)
    ('+0.007', '+1,320')
    """
    d = float(value) - float(base)
    steps = [s for s in (_shown_step(value), _shown_step(base)) if s is not None]
    if not math.isfinite(d):
        return str(d)
    if d == 0:
        return "0"
    if not steps:  # both shown as 0
        return "about 0"
    step = max(steps)
    shown = round(d / step) * step
    if shown == 0:
        return "about 0"
    return signed(float(f"{shown:.12g}"))


def estimate(value, low, high, lowest=-math.inf, highest=math.inf, *, named=""):
    """A fitted value and its interval as a reader takes them in, for a value that can only lie
    from ``lowest`` to ``highest`` (its search range); ``named`` goes before the interval in its
    brackets (``"95% interval "``).

    The digits follow the interval: two significant figures of its half-width, so a value
    known to ±0.26 reads ``0.66 (0.40 to 0.92)``, not ``0.6612``; a value that rounds to zero
    reads ``0``, never ``-0.00``. An interval that reaches past the range is cut to it and
    says so. An interval that covers the whole range, or none at all (the fit could not
    separate the value from another), means the data cannot pin the value down, and the
    phrase says that instead of printing ``±230.71``.

    Examples
    --------
    >>> estimate(0.6612, 0.4006, 0.9218, 0, 2)
    '0.66 (0.40 to 0.92)'
    >>> estimate(-1e-17, -230.71, 230.71, 0, 1)
    '0: the data cannot pin it down yet (anything from 0 to 1 fits them)'
    >>> estimate(0.7512, 0.0201, 1.482, 0, 1)
    '0.75 (0.02 to 1, the top of its range)'
    >>> estimate(0.6612, 0.4006, 0.9218, 0, 2, named="95% interval ")
    '0.66 (95% interval 0.40 to 0.92)'
    >>> estimate(35.0, 35.0, 35.0), estimate(2.5, float("nan"), float("nan"), 0, 10)
    ('35 (35 to 35)', '2.5: the data cannot pin it down (it moves with another number without changing the fit)')
    """
    value, low, high = float(value), float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{number(value)}: the data cannot pin it down (it moves with another number without changing the fit)"
    if math.isfinite(lowest) and math.isfinite(highest) and low <= lowest and high >= highest:
        return (f"{number(value)}: the data cannot pin it down yet (anything from {number(lowest)} to "
                f"{number(highest)} fits them)")
    half = (high - low) / 2
    if half <= 1e-12 * max(1.0, abs(value)):
        return f"{number(value)} ({named}{number(low)} to {number(high)})"
    places = min(max(1 - math.floor(math.log10(half)), 0), 9)

    def fixed(v):
        return f"{round(v, places) + 0.0:,.{places}f}"
    cut_low, cut_high = low < lowest, high > highest
    low, high = max(low, lowest), min(high, highest)
    a = number(low) if cut_low else fixed(low)
    b = number(high) if cut_high else fixed(high)
    edge = (", the bottom of its range" if cut_low and not cut_high else
            ", the top of its range" if cut_high and not cut_low else "")
    return f"{fixed(value)} ({named}{a} to {b}{edge})"


# --------------------------------------------------------------------- times
def is_calendar(t, time_units):
    """True when ``t`` is a calendar year: the units are years and 1000 <= t <= 3000.

    Examples
    --------
    >>> is_calendar(2014.25, "year"), is_calendar(12, "year"), is_calendar(2014, "month")
    (True, False, False)
    """
    return (str(time_units or "").strip().lower() in _CALENDAR_UNITS
            and math.isfinite(float(t)) and 1000 <= float(t) <= 3000)


def time_value(t):
    """A time as a bare number: whole numbers plainly, otherwise to at most two decimals.

    Examples
    --------
    >>> time_value(12.0), time_value(2012.25), time_value(0.333333)
    ('12', '2012.25', '0.33')
    """
    t = float(t)
    if abs(t - round(t)) < 1e-9:
        return f"{round(t)}"
    return f"{t:.2f}".rstrip("0").rstrip(".")


def time_label(t, time_units):
    """A point in time as people say it.

    The rule: in calendar years (see :func:`is_calendar`) a whole year is written
    ``2014``, and any other time names the month it falls in, counting ``t = 2014.0``
    as the start of 1 January 2014 (so ``2014.25``, a quarter of the way through the
    year, is 1 April: ``April 2014``). Every other unit is written ``week 12``; with no
    units, ``time 12``.

    A time is a moment, and a moment on a month's edge both ends one month and begins
    the next: a stock's value at ``2014.25`` is the level when March 2014 ends. The label
    names the month that begins, as runs, rounds and financial years start (Surrey's run
    starts in April 2006, its change in April 2009, a game round from April 2010 to
    April 2011). A count published "at the end of March 2014" is therefore read at
    ``2014.25``, labelled ``April 2014``; the lessons call that moment "the end of March
    2014", never bare "March 2014" (``tests/test_words.py`` holds both to this).

    Examples
    --------
    >>> time_label(2014, "year"), time_label(2014.25, "year"), time_label(2010.58, "years")
    ('2014', 'April 2014', 'July 2010')
    >>> time_label(12, "week"), time_label(2.5, "month"), time_label(3, "")
    ('week 12', 'month 2.5', 'time 3')
    """
    t = float(t)
    if is_calendar(t, time_units):
        year = math.floor(t + 1e-9)
        fraction = t - year
        if fraction < 1e-9:
            return str(year)
        return f"{MONTHS[min(int(fraction * 12 + 1e-9), 11)]} {year}"
    text = time_value(t)
    return f"{time_units} {text}" if time_units else f"time {text}"


def when(t, time_units):
    """``in`` and :func:`time_label`: the phrase for when something happens in a sentence.

    Examples
    --------
    >>> when(30, "month"), when(2011, "year"), when(2010.58, "year")
    ('in month 30', 'in 2011', 'in July 2010')
    """
    return f"in {time_label(t, time_units)}"


def span(t0, t1, time_units):
    """A stretch of time: ``from month 0 to 60``, ``from 2009 to 2019``.

    Examples
    --------
    >>> span(0, 60, "month"), span(2009, 2019, "year"), span(2009.5, 2019, "year")
    ('from month 0 to 60', 'from 2009 to 2019', 'from July 2009 to 2019')
    """
    if is_calendar(t0, time_units):
        return f"from {time_label(t0, time_units)} to {time_label(t1, time_units)}"
    return f"from {time_label(t0, time_units)} to {time_value(t1)}"


def _rounded(t, start, stop):
    """``(about, text)``: ``t`` rounded to a twentieth of the run from ``start`` to ``stop`` or
    finer (a power of ten: a whole week in an 80-week run, a tenth of a year in a ten-year one),
    and ``"about "`` when rounding changed it."""
    length = stop - start
    near = 1e-9 * max(1.0, abs(length))
    step = 10.0 ** math.floor(math.log10(length / 20)) if length > 0 else 1.0
    r = float(f"{round(t / step) * step:.12g}")
    return ("about " if abs(r - t) > near else ""), time_value(r)


def moment(t, time_units, start, stop):
    """A moment of a run from ``start`` to ``stop`` that a computation found (when a list was
    longest, when a count was lowest), worded as a person says it: rounded as :func:`stretch`
    rounds its ends, to a twentieth of the run or finer, with "about" when rounding changed it.
    A run in steps of a quarter week finds its lowest point at ``48.75``; a reader is told
    ``about week 49``. Calendar years name the month, as :func:`time_label` does; a given
    moment (a prediction's week, a round's end) keeps its exact :func:`time_label`.

    Examples
    --------
    >>> moment(48.75, "week", 0, 80), moment(30, "week", 0, 80), moment(2.5625, "year", 0, 10)
    ('about week 49', 'week 30', 'about year 2.6')
    >>> moment(2014.25, "year", 2006, 2022), moment(12.4, "", 0, 60)
    ('April 2014', 'about time 12')
    """
    t, start, stop = float(t), float(start), float(stop)
    if is_calendar(t, time_units):
        return time_label(t, time_units)
    about, v = _rounded(t, start, stop)
    return f"{about}{time_units or 'time'} {v}"


def stretch(t0, t1, time_units, start, stop):
    """A stretch of a run from ``start`` to ``stop`` whose ends a computation found (when a loop
    dominates, when a regime holds), worded as a person says it: the run's own ends are "the
    start" and "the end", and any other end is rounded to a twentieth of the run or finer (a
    tenth of a year in a ten-year run, a whole month in a five-year one), with "about" when
    rounding changed it; so ``0.625`` reads ``about year 0.6``, not ``year 0.62``. Calendar
    years name the month, as :func:`time_label` does.

    Examples
    --------
    >>> stretch(0, 0.625, "year", 0, 10), stretch(2.5625, 3.5625, "year", 0, 10)
    ('from the start to about year 0.6', 'from about year 2.6 to 3.6')
    >>> stretch(5.1875, 10, "year", 0, 10), stretch(12, 24, "month", 0, 60)
    ('from about year 5.2 to the end (year 10)', 'from month 12 to 24')
    >>> stretch(0, 60, "month", 0, 60), stretch(2015.25, 2022, "year", 2006, 2022)
    ('throughout the run (month 0 to 60)', 'from April 2015 to the end (2022)')
    """
    t0, t1, start, stop = float(t0), float(t1), float(start), float(stop)
    length = stop - start
    near = 1e-9 * max(1.0, abs(length))
    first, last = abs(t0 - start) < near, abs(t1 - stop) < near
    if first and last:
        return f"throughout the run ({time_label(start, time_units)} to {time_value(stop)})"
    if is_calendar(t0, time_units):
        a = "the start" if first else time_label(t0, time_units)
        b = f"the end ({time_label(stop, time_units)})" if last else time_label(t1, time_units)
        return f"from {a} to {b}"
    unit = f"{time_units} " if time_units else "time "
    if first:
        about, v = _rounded(t1, start, stop)
        return f"from the start to {about}{unit}{v}"
    about, v = _rounded(t0, start, stop)
    if last:
        return f"from {about}{unit}{v} to the end ({unit}{time_value(stop)})"
    about1, v1 = _rounded(t1, start, stop)
    return f"from {about or about1}{unit}{v} to {v1}"


# --------------------------------------------------------------------- labels
def units(value, *, amount=None):
    """The units to show a reader beside a number: the declared units, or ``""`` for a pure number
    (``dimensionless``, ``1``, ``dmnl``, no units), since "0.25 dimensionless" says nothing a reader
    needs. ``value`` is the units' text, or a declaration (a Stock, Flow, Aux or Param) whose units
    are used. The one rule for every table, slider, chart and page of the kit.

    ``amount``: the number the units stand beside. A unit of time is then said as people count it:
    ``1 year``, ``3 years``, ``0.5 years`` (other units are kept as declared).

    Examples
    --------
    >>> units("people/week"), units("dimensionless"), units(None), units(" 1 ")
    ('people/week', '', '', '')
    >>> units("year", amount=3), units("years", amount=1), units("people", amount=3)
    ('years', 'year', 'people')
    >>> import dpmkit as dk
    >>> units(dk.models.load("surrey")["cut_fraction"]), units(dk.models.load("surrey")["post2015_cut"])
    ('', '£m/year')
    """
    if value is not None and not isinstance(value, str) and hasattr(value, "units"):
        value = value.units
    text = "" if value is None else str(value).strip()
    if text.lower() in _NO_UNITS:
        return ""
    one = text.lower().removesuffix("s")
    if amount is None or one not in TIME_WORDS:
        return text
    return one if abs(float(amount)) == 1 else f"{one}s"


def quantity(value, unit=None):
    """A number with the units a reader sees beside it: ``3 years``, ``1 year``, ``120 people/week``,
    ``0.25`` (a pure number). ``unit`` as for :func:`units` (text or a declaration).

    >>> quantity(3, "year"), quantity(1, "year"), quantity(0.25, "dimensionless"), quantity(1200, "people")
    ('3 years', '1 year', '0.25', '1,200 people')
    """
    shown = units(unit, amount=value)
    return f"{number(value)} {shown}" if shown else number(value)


def count(n, noun):
    """A whole count and its noun, singular for exactly one: ``1 page``, ``3 pages``, ``0 ballots``
    (a noun whose plural adds an ``s``).

    >>> count(1, "page"), count(3, "table"), count(0, "ballot")
    ('1 page', '3 tables', '0 ballots')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def axis_title(label, units=None):
    """A label with its units in brackets, leaving out ``dimensionless`` and empty units
    (see :func:`units`).

    ``label`` may be text, or a declaration with ``.label`` and ``.units`` (a Stock,
    Flow, Aux or Param), whose own units are used unless ``units`` is given.

    Examples
    --------
    >>> axis_title("Waiting list", "people"), axis_title("Trust", "dimensionless")
    ('Waiting list (people)', 'Trust')
    >>> import dpmkit as dk
    >>> axis_title(dk.models.load("demo")["waiting_list"])
    'Waiting list (people)'
    """
    if hasattr(label, "label") and hasattr(label, "units"):
        units = label.units if units is None else units
        label = label.label
    shown = _units_shown(units)
    return f"{label} ({shown})" if shown else str(label)


_units_shown = units  # axis_title's argument ``units`` hides the function of that name inside it


def role(name):
    """A variable's DPM role as words, for a printed line or a list: ``performance_driver`` reads
    "performance driver", and a variable without a role (``None``) "no role".

    Examples
    --------
    >>> role("strategic_resource"), role("end_result"), role(None)
    ('strategic resource', 'end result', 'no role')
    """
    return "no role" if not name else str(name).replace("_", " ")


def scenario(name):
    """A scenario's name as people read it: a name written like code (``attractor_and_partnership``)
    reads "Attractor and partnership"; a name with spaces, or of one word (``base``, ``cut posts``),
    stays as it is. The code track keeps the name as the key (``model.scenario(name)``); what a
    chart's legend or a printed table shows is this.

    Examples
    --------
    >>> scenario("attractor_and_partnership"), scenario("base"), scenario("cut posts")
    ('Attractor and partnership', 'base', 'cut posts')

    A word the kit's glossary writes with a hyphen keeps it: ``trade_off`` reads "Trade-off".

    >>> scenario("trade_off"), scenario("no_co_production")
    ('Trade-off', 'No co-production')
    """
    name = str(name)
    if "_" not in name or " " in name:
        return name
    words = f" {name.replace('_', ' ').strip()} "
    for spaced, hyphened in _HYPHENED.items():
        words = words.replace(f" {spaced} ", f" {hyphened} ")
    return words.strip().capitalize()


#: Words that a name written like code splits at its hyphen (``trade_off``), as the glossary spells them.
_HYPHENED = {"trade off": "trade-off", "co production": "co-production", "co produced": "co-produced",
             "well being": "well-being"}


def scenarios(names):
    """``{name: words}`` for several scenarios shown together (a legend, a table's rows): each as
    :func:`scenario` says it, unless two would then read alike, when every name stays as it is.

    Examples
    --------
    >>> scenarios(["base", "no_coproduction"])
    {'base': 'base', 'no_coproduction': 'No coproduction'}
    >>> scenarios(["cut_posts", "Cut posts"])
    {'cut_posts': 'cut_posts', 'Cut posts': 'Cut posts'}
    """
    unique = list(dict.fromkeys(str(n) for n in names))
    said = {n: scenario(n) for n in unique}
    return said if len(set(said.values())) == len(said) else {n: n for n in unique}


def lower_first(text):
    """Lower-case a label's first letter for use inside a sentence, sparing acronyms.

    Examples
    --------
    >>> lower_first("Waiting list"), lower_first("NEET young people")
    ('waiting list', 'NEET young people')
    """
    text = str(text)
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def escaped(text):
    """``text`` (anything, as ``str``) made safe to put inside HTML, quotes included: the one
    escape every page, slip and dashboard of the kit writes its words through.

    Examples
    --------
    >>> escaped('Table "A" <b>')
    'Table &quot;A&quot; &lt;b&gt;'
    """
    import html  # here, not at import: `import dpmkit` stays light

    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------- parsing
_SPACES = "\u00a0\u202f\u2009 "
_PLAIN_RE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
_COMMA_THOUSANDS_RE = re.compile(r"[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?\Z")
_SPACE_THOUSANDS_RE = re.compile(r"[+-]?[1-9][0-9]{0,2}( [0-9]{3})+(\.[0-9]*)?\Z")
_DECIMAL_COMMA_RE = re.compile(r"[+-]?[0-9]*,[0-9]+\Z")
_DOT_THOUSANDS_RE = re.compile(r"[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+\Z")


def both_readings(text):
    """The two numbers a text like ``2.125`` can mean (2.125 with a decimal point, 2125 with a
    point between thousands), or ``()`` when it has one reading (or none).

    Examples
    --------
    >>> both_readings("2.125"), both_readings("1.080.500"), both_readings("2.5")
    ((2.125, 2125.0), (), ())
    """
    cleaned = str(text).strip().replace("\u2212", "-")
    if not _DOT_THOUSANDS_RE.match(cleaned) or cleaned.count(".") != 1:
        return ()
    return float(cleaned), float(cleaned.replace(".", ""))


def parse_number(text, what="the number", *, blank_ok=False):
    """A number typed by a person, or a :class:`~dpmkit.ModelError` that says what to type.

    The rules, the same in every widget and on every ballot:

    - a comma followed by exactly three digits (after a first group of one to three
      digits, not starting with 0) separates thousands: ``1,080`` is 1080 and
      ``12,345.5`` is 12345.5; so do spaces: ``1 080``;
    - any other single comma is a decimal comma: ``3,5`` is 3.5, ``0,080`` is 0.08;
    - a point is a decimal point, except where it could as well separate thousands:
      ``1.080`` (a non-zero whole part, then exactly three digits) is 1080 to a
      European reader and 1.08 to an English one, so it is refused and the message
      asks for ``1080`` or ``1.08``;
    - a leading ``+``, ``-`` or ``−`` (minus sign) and an exponent (``2.5e3``) are
      allowed; ``inf``, ``nan`` and anything too large to hold are refused.

    Parameters
    ----------
    text : str
        What was typed.
    what : str
        The field, named at the start of every error message.
    blank_ok : bool
        Return None for an empty field instead of refusing it.

    Returns
    -------
    float or None

    Raises
    ------
    ModelError
        Naming the field and saying what to type instead.

    Examples
    --------
    >>> parse_number("3,5"), parse_number("1,080"), parse_number(" 1 080 "), parse_number("1,080.5")
    (3.5, 1080.0, 1080.0, 1080.5)
    >>> parse_number("-2.5"), parse_number("2.5e3"), parse_number("1.08"), parse_number("0.080")
    (-2.5, 2500.0, 1.08, 0.08)
    >>> parse_number("1.080", "your prediction")
    Traceback (most recent call last):
    ...
    dpmkit.errors.ModelError: your prediction: '1.080' could mean 1080 or 1.08; write 1080 or 1.08
    >>> parse_number("", "month 12")
    Traceback (most recent call last):
    ...
    dpmkit.errors.ModelError: month 12: type a number
    >>> parse_number("  ", blank_ok=True) is None
    True
    """
    if not isinstance(text, str):
        raise ModelError(f"{what}: expected typed text, got {type(text).__name__}")
    shown = text.strip()
    if len(shown) > 60:
        shown = shown[:59] + "…"
    cleaned = text.strip().replace("\u2212", "-")
    for space in _SPACES[:-1]:
        cleaned = cleaned.replace(space, " ")
    if not cleaned:
        if blank_ok:
            return None
        raise ModelError(f"{what}: type a number")
    if _SPACE_THOUSANDS_RE.match(cleaned):
        cleaned = cleaned.replace(" ", "")
    if _COMMA_THOUSANDS_RE.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif _DECIMAL_COMMA_RE.match(cleaned):
        cleaned = cleaned.replace(",", ".")
    elif _DOT_THOUSANDS_RE.match(cleaned):
        digits = cleaned.replace(".", "")
        if cleaned.count(".") == 1:
            english = f"{float(cleaned):g}"
            raise ModelError(f"{what}: {shown!r} could mean {digits.lstrip('+')} or {english}; "
                             f"write {digits.lstrip('+')} or {english}")
        raise ModelError(f"{what}: {shown!r} uses points to separate thousands; write {digits.lstrip('+')}")
    if "," in cleaned:
        raise ModelError(f"{what}: {shown!r} is not a number: use at most one comma for decimals (3,5) or "
                         "commas between groups of three digits (1,080)")
    if not _PLAIN_RE.match(cleaned):
        raise ModelError(f"{what}: {shown!r} is not a number; type digits, e.g. 120 or 0.5")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ModelError(f"{what}: {shown!r} is too large a number")
    return value
