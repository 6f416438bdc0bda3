"""Check my answer: feedback on a number, a choice or a sentence, for learners who do not code.

Every exercise of the lessons ends with one or more of these. The learner types a
number (read with the same rules as every other field of the kit,
:func:`dpmkit.words.parse_number`: ``1,080``, ``1 080`` and ``0,15`` all work; and, as
people write answers, ``2.2%``, ``about 1,320``, ``23 posts``, ``850 volunteers``, a count
out of its whole, ``3 of 4``, and a change with the word that says which way it goes,
``up 19%``, ``a fall of 19%``, ``19% lower``, which counts only when that way is right),
picks one of a few answers, or writes a sentence, and presses *Check*:

- a **number** is right when it is within the tolerance of the answer; otherwise the
  feedback says whether it is too high or too low, never the answer itself, until
  the learner asks for it (*Show the answer*);
- a **choice** is right or not, with the explanation once it is right (or shown);
- a **sentence** cannot be marked by a machine: once something is written, the
  widget lists the points a full answer makes, for the learner to compare.

An unanswered check does nothing and raises nothing, so a notebook runs headless.
The judgement itself is :func:`judge`, a plain function; the widget only shows it::

    import dpmkit as dk
    dk.widgets.check("How many young people were NEET in April 2014?", 430, tolerance=0.05)
"""

from __future__ import annotations

import html
import math
import numbers
import re
import textwrap

from .. import words
from ..errors import ModelError
from ._common import W, _message, _StaticPicture

KINDS = ("number", "choice", "sentence")

#: Units (singular) that make a number answer a moment: "in which year?" is answered "year 2".


def _kind(answer, choices, points):
    if choices is not None:
        return "choice"
    if answer is None:
        return "sentence"
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(float(answer)):
        raise ModelError(f"the answer to a number question must be a finite number, got {answer!r}; "
                         "give choices=[...] for a question with named answers")
    return "number"


#: Words people put before a number they are not sure of; read past, as a person would.
_ABOUT = re.compile(r"^(?:about|around|approx(?:\.|imately)?|roughly|nearly|almost|circa|c\.|~|≈)\s*", re.I)
_THOUSANDS = re.compile(r"([+-]?[\d.,]*\d)\s*[kK]")
_PERCENT = re.compile(r"\s*(?:%|per\s*cent|percent)$", re.I)


_COUNTED = re.compile(r"(?P<number>.*\d\s*(?:%|[kK])?)\s+(?P<word>[A-Za-z][A-Za-z'-]*)")
#: Words after a number that say which way it goes: never read past as a unit ("19% down" is no +19;
#: :func:`_framing` reads them).
_DIRECTIONS = frozenset({"up", "down", "higher", "lower", "more", "less", "fewer", "rise", "rises", "rose", "risen",
                         "fall", "falls", "fell", "fallen", "drop", "drops", "dropped", "increase", "increased",
                         "decrease", "decreased", "decline", "declined", "growth", "reduction", "cut", "better",
                         "worse", "gain", "loss"})
#: Units of time as people write them, by their singular.
_TIME_WORDS = {"year": "year", "yr": "year", "month": "month", "mth": "month", "week": "week", "wk": "week",
               "day": "day", "quarter": "quarter", "qtr": "quarter", "hour": "hour", "hr": "hour"}


#: Small counts as people write them in words ("four loops", "Twelve."): read as their digits.
_NUMBER_WORDS = {w: str(n) for n, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"))}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)


def _time_word(word):
    """The unit of time ``word`` names (``yrs`` is ``year``), or None."""
    low = (word or "").strip().lower()
    return _TIME_WORDS.get(low, _TIME_WORDS.get(low[:-1]) if low.endswith("s") else None)


def _other_time(word, units):
    """Whether ``word`` is a unit of time other than the answer's (``months`` for an answer in years)."""
    said, answer = _time_word(word), _time_word(units)
    return said is not None and answer is not None and said != answer


def _unit_words(units):
    """The unit as it may be typed beside a number: ``posts``/``post``, ``year``/``years``."""
    unit = (units or "").strip().lower()
    if not unit or unit == "%":
        return []
    forms = {unit, unit[:-1] if unit.endswith("s") else unit + "s"}
    return sorted(forms, key=len, reverse=True)


def _number_part(text, units=""):
    """``(digits, percent, shown)``: the number in what a learner typed, whether a per cent
    sign follows it, and the text to echo back, read past what people add around a number
    (``about 1,320``, ``23 posts``, ``year 2``, a full stop at the end)."""
    core = text.strip()
    if core.endswith(".") and not core.endswith(".."):
        core = core[:-1].rstrip()
    core = _ABOUT.sub("", core)
    core = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m[1].lower()], core)  # "four loops" is "4 loops"
    for word in _unit_words(units):
        low = core.lower()
        if low.endswith(word) and (len(core) == len(word) or not core[-len(word) - 1].isalpha()):
            core = core[: -len(word)].strip()
            break
        if low.startswith(word) and (len(core) == len(word) or not core[len(word)].isalpha()):
            core = core[len(word):].strip()
            break
    else:
        # what is counted, named after the number: "850 volunteers", "4 loops"; not another unit
        # of time than the answer's ("2.25 months" for years stays unread)
        named = _COUNTED.fullmatch(core)
        if (named and not _PERCENT.search(core) and not _other_time(named["word"], units)
                and named["word"].lower() not in _DIRECTIONS):
            core = named["number"]
    percent = _PERCENT.search(core)
    digits = core[: percent.start()] if percent else core
    return digits.strip(), bool(percent), core


#: The longest answer read as a number ("a fall of about 1,080 people" is 28 characters).
_MAX_ANSWER = 200
#: Which way a change goes, as people write it before or after the number ("up 19%", "a fall of 19%",
#: "19% lower"): +1 a rise, -1 a fall.
_WAYS = {**dict.fromkeys(("up", "higher", "more", "rise", "rises", "rose", "risen", "increase", "increases",
                          "increased", "growth", "gain", "grew", "grown"), 1),
         **dict.fromkeys(("down", "lower", "less", "fewer", "fall", "falls", "fell", "fallen", "drop", "drops",
                          "dropped", "decrease", "decreases", "decreased", "decline", "declines", "declined", "cut",
                          "reduction", "loss", "shrank", "shrunk"), -1)}
_WAY_WORDS = "|".join(sorted(_WAYS, key=len, reverse=True))
_WAY_FIRST = re.compile(rf"^(?:(?:a|an|it|by)\s+)?(?P<way>{_WAY_WORDS})(?:\s+(?:of|by))?\s+(?P<rest>.*\d.*)$", re.I)
_WAY_AFTER = re.compile(rf"^(?P<rest>.*\d\s*%?)\s+(?P<way>{_WAY_WORDS})$", re.I)
#: A count out of a whole, as people answer "how many of the four?": "3 of 4", "three out of four".
_OUT_OF = re.compile(r"^(?P<part>[+-]?[\d.,]*\d)\s+(?:out\s+)?of\s+(?:the\s+)?(?P<whole>[\d.,]*\d)\b.*$", re.I)
#: A question about a fall ("by how much did it fall?"): its positive answer is the size of the fall.
#: Only verbs: "fewer than 100", "lower", "a budget cut" in a question do not make it one.
_ASKS_FALL = re.compile(r"\b(?:fall|falls|fell|fallen|drop|drops|dropped|decrease|decreased|decline|declined|"
                        r"reduce|reduced|shrink|shrank|shrunk)\b", re.I)


def _framing(text):
    """``(way, core, whole)``: a direction word a learner put before or after the number (+1 a
    rise, -1 a fall, 0 none), the text left to read as a number, and the whole of a count
    out of a whole (``3 of 4``: 4), or None."""
    core = text.strip()
    if core.endswith(".") and not core.endswith(".."):
        core = core[:-1].rstrip()
    core = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m[1].lower()], core)
    way = 0
    for pattern in (_WAY_FIRST, _WAY_AFTER):
        said = pattern.fullmatch(core)
        if said:
            way, core = _WAYS[said["way"].lower()], said["rest"].strip()
            break
    out_of = _OUT_OF.fullmatch(core)
    if out_of:
        return way, out_of["part"], out_of["whole"]
    return way, core, None


def _read_number(text, units=""):
    """What a learner typed, as ``(value, shown)``: the number and the text to echo back.

    ``2.2%`` is 0.022, or 2.2 when the answer's units are ``%``; ``1.3k`` is 1,300; the number
    itself follows :func:`dpmkit.words.parse_number`.
    """
    digits, percent, shown = _number_part(text, units)
    thousands = _THOUSANDS.fullmatch(digits)
    if thousands:  # 1.3k, as people write a rounded count
        return words.parse_number(thousands[1], "your answer") * 1000, shown
    value = words.parse_number(digits if digits else text, "your answer")
    if percent and (units or "").strip() != "%":
        value /= 100
    return value, shown


def judge(given, answer=None, *, tolerance=0.05, absolute=None, choices=None, points=None, units="", question=""):
    """Judge one answer; return ``(verdict, message)``.

    ``verdict`` is ``"right"``, ``"wrong"``, ``"blank"`` (nothing given yet) or
    ``"compare"`` (a sentence: compare with ``points``). ``message`` is what the
    learner reads.

    Parameters
    ----------
    given : str, number or None
        What the learner typed or picked.
    answer : number, str or None
        The correct number, the correct choice, or None for a sentence.
    tolerance : float
        For numbers: the largest relative difference still counted right (0.05 is 5%).
    absolute : float, optional
        For numbers: the largest absolute difference still counted right; used
        instead of ``tolerance`` when given (for answers near zero).
    choices : list of str, optional
        The answers to pick from; ``answer`` must be one of them.
    points : list of str, optional
        For a sentence: what a full answer says.
    units : str
        For numbers: the answer's units. Typed beside the number (``23 posts``) they are
        read past; ``%`` makes ``19%`` mean 19 (otherwise ``19%`` is 0.19), and then a
        share typed as a fraction (``0.19``) counts too.
    question : str
        The question, read only for whether it asks about a fall: then a positive answer is
        the size of the fall, and ``down 19%`` gives it.

    A change may be typed with the word that says which way it goes, as people write it
    (``up 19%``, ``down 2.2%``, ``a fall of 19%``, ``19% lower``): it counts when both the
    number and the direction are right, and a direction the wrong way round is told so. A
    count may be typed out of its whole (``3 of 4``, ``three out of four``).

    Examples
    --------
    >>> judge("1,080", 1057, tolerance=0.05)[0]
    'right'
    >>> judge("1500", 1057)[1]
    'Not yet: 1500 is too high. Look again, or press Show the answer.'
    >>> judge("2.2%", 0.022, absolute=0.002)[0], judge("about 1,320", 1320)[0], judge("23 posts", 23, units="posts")[0]
    ('right', 'right', 'right')
    >>> judge("worse", "worse", choices=["better", "worse"])[0]
    'right'
    >>> judge("up 19%", 19, absolute=2, units="%")[0], judge("3 of 4", 3, absolute=0)[0]
    ('right', 'right')
    >>> judge("down 19%", 19, absolute=2, units="%")[1]
    'Not yet: down 19% goes the wrong way. The size is right: did it go up or down?'
    """
    kind = _kind(answer, choices, points)
    if kind == "choice":
        choices = [str(c) for c in choices]
        if str(answer) not in choices:
            raise ModelError(f"the answer {answer!r} is not one of the choices {choices}")
        if given is None or str(given) == "":
            return "blank", "Pick an answer, then press Check."
        if str(given) not in choices:
            raise ModelError(f"{given!r} is not one of the choices {choices}")
        if str(given) == str(answer):
            return "right", f"Right: {given}."
        return "wrong", f"Not {given}. Think again, or press Show the answer."
    if kind == "sentence":
        if given is None or not str(given).strip():
            return "blank", "Write your answer first, then press Check."
        listed = "\n".join(f"- {p}" for p in (points or []))
        return "compare", ("Compare your answer with what a full answer says:\n" + listed if listed else
                           "Compare your answer with 'What a correct answer looks like' above.")
    if absolute is None and not 0 <= float(tolerance) < 1:
        raise ModelError(f"tolerance must be a fraction from 0 to 1 (0.05 is 5%), got {tolerance!r}")
    if given is None or (isinstance(given, str) and not given.strip()):
        return "blank", "Type a number, then press Check."
    answer = float(answer)

    def close(value):
        # the margin itself counts: 0.6 is within 0.02 of 0.58, though 0.6 - 0.58 is 0.020000000000000018
        slack = 1e-9 * max(abs(value), abs(answer), 1.0)
        if absolute is not None:
            return abs(value - answer) <= float(absolute) + slack
        return abs(value - answer) <= float(tolerance) * abs(answer) + slack

    way, whole = 0, None
    if isinstance(given, str):
        # runs of spaces read as one space, as a person means them; and no pattern below ever meets a
        # run (a pasted run of 20,000 spaces took 85 s), nor an answer longer than any answer is
        given = " ".join(given.split())
        if len(given) > _MAX_ANSWER:
            return "wrong", (f"Not yet: that is {len(given):,} characters long; an answer here is a number, "
                             "for example 19 or 19%.")
        named = _COUNTED.fullmatch(given.strip().rstrip(".").strip())
        if named and _other_time(named["word"], units):
            return "wrong", (f"Not yet: the answer is in {_time_word(units)}s, and you typed {named['word']}. "
                             f"Give it in {_time_word(units)}s.")
        way, core, whole = _framing(given)
        try:
            value, shown = _read_number(core, units)
        except ModelError as err:
            # '2.125' or '1.080': a decimal point to one reader, thousands to another. The
            # answer is known here, so a reading that is right counts; otherwise ask which.
            readings = _ambiguous_readings(core, units)
            if not any(close(r) for r in readings):
                return "wrong", str(err).replace(repr(core), repr(given.strip())) if core != given.strip() else str(err)
            value = next(r for r in readings if close(r))
            shown = _number_part(core, units)[2]
        if way or whole is not None:
            shown = given.strip().rstrip(".").strip()
        if way:
            if value < 0:
                return "wrong", (f"Not yet: {shown} says the way twice, with a word and a minus sign. Type it once: "
                                 "up 19%, down 19% or −19%.")
            # the size of a fall is a positive answer to a question about a fall
            value = value * way * (-1 if answer >= 0 and _ASKS_FALL.search(question or "") else 1)
        if whole is not None and not close(value):
            try:
                total = words.parse_number(whole, "your answer")
            except ModelError:
                total = 0
            if total and close(value / total):  # '3 of 4' for a share of 0.75
                value = value / total
    else:
        value = float(given)
        shown = f"{value:g}"
    # Echo the number as typed: rounded, 23.04 would read "23 is too high" when 23 is the answer
    # (a very long paste is echoed as the kit writes the number instead).
    if len(shown) > 40:
        shown = words.number(value)
    if close(value):
        return "right", f"Right: {shown}."
    if (units or "").strip() == "%" and "%" not in shown and 0 < abs(value) <= 1 and close(value * 100):
        return "right", f"Right: {shown}, that is {words.number(value * 100)}%."
    # the learner said which way with a word, or with a minus sign on the right size
    signed = bool(way) or (value < 0 and close(-value))
    if value and answer and signed and (value > 0) != (answer > 0):
        return "wrong", (f"Not yet: {shown} goes the wrong way."
                         + (" The size is right: did it go up or down?" if close(-value) else
                            " Did it go up or down?"))
    if value and close(-value) and not close(value):
        return "wrong", (f"Not yet: {shown} is the right size, but which way did it go? Type the direction too: a "
                         "minus sign, or a word such as up or down.")
    side = "too high" if value > answer else "too low"
    if isinstance(given, str) and "%" not in shown and (units or "").strip() != "%" and close(value / 100):
        # the answer is a share and the learner wrote per cent without the sign
        return "wrong", f"Not yet: {shown} is {side}. If you mean {shown}%, type the per cent sign: {shown}%."
    return "wrong", f"Not yet: {shown} is {side}. Look again, or press Show the answer."


def _ambiguous_readings(text, units):
    """Both readings of a number like ``2.125`` (2.125 or 2125), or none if it is not one."""
    digits, percent, _ = _number_part(text, units)
    scale = 100 if percent and (units or "").strip() != "%" else 1
    return [reading / scale for reading in words.both_readings(digits)]


class Check(_StaticPicture, W.VBox):
    """One question with a field, a *Check* button and a *Show the answer* button.

    Build it with :func:`check`. Drive it from code with :meth:`answer_with`.

    Attributes
    ----------
    kind : str
        ``"number"``, ``"choice"`` or ``"sentence"``.
    verdict : str or None
        The last verdict of :func:`judge` (None before the first check).
    """

    def __init__(self, question, answer=None, *, tolerance=0.05, absolute=None, choices=None, units="",
                 explain="", points=None):
        if not isinstance(question, str) or not question.strip():
            raise ModelError("a check needs its question as text")
        self.kind = _kind(answer, choices, points)
        self.question = question
        self.answer = answer
        self.rules = dict(tolerance=tolerance, absolute=absolute, choices=choices, points=points, units=units,
                          question=question)
        judge(None, answer, **self.rules)  # refuses bad set-ups (answer not a choice, bad tolerance) now
        self.units = units
        self.explain = explain
        self.verdict = None
        if self.kind == "choice":
            self.field = W.RadioButtons(options=[str(c) for c in choices], value=None,
                                        layout=W.Layout(width="auto"))
        elif self.kind == "sentence":
            self.field = W.Textarea(placeholder="Write your answer here", layout=W.Layout(width="100%", height="70px"))
        else:
            self.field = W.Text(placeholder="a number", layout=W.Layout(width="160px"))
        self.check_button = W.Button(description="Check", button_style="primary",
                                     tooltip="Check my answer")
        self.show_button = W.Button(description="Show the answer", tooltip="Show the answer and why")
        self.feedback = W.HTML()
        self.check_button.on_click(lambda _: self._check())
        self.show_button.on_click(lambda _: self._show())
        buttons = [self.check_button] + ([self.show_button] if self.kind != "sentence" else [])
        unit_label = [W.Label(units)] if units and self.kind == "number" else []
        row = W.HBox([self.field, *unit_label, *buttons], layout=W.Layout(align_items="center",
                                                                         flex_flow="row wrap"))
        title = W.HTML(f"<b>Check your answer.</b> {html.escape(question)}")
        super().__init__([title, row, self.feedback], layout=W.Layout(border="1px solid #ccc", padding="6px"))
        self.add_class("dpmkit-check")

    def answer_with(self, value):
        """Put ``value`` in the field and check it, as if typed or picked; return the verdict."""
        if self.kind == "number" and not isinstance(value, str):
            value = str(value)
        self.field.value = value
        return self._check()

    def _check(self):
        self.verdict, message = judge(self.field.value, self.answer, **self.rules)
        if self.verdict == "right" and self.explain:
            message += " " + self.explain
        kind = {"right": "ok", "wrong": "error"}.get(self.verdict, "info")
        self.feedback.value = _message(message, kind)
        return self.verdict

    def answer_text(self):
        """The answer as the learner would read it, with the margin that counts as right in the
        answer's own units: ``week 64 (anything within 1 week counts)``, ``19% (anything within 2
        percentage points counts)``, and no margin for an exact count."""
        if self.kind != "number":
            return str(self.answer)
        units = str(self.units or "").strip()
        moment = units.lower()
        absolute, tolerance = self.rules["absolute"], self.rules["tolerance"]
        if absolute is not None:
            size = float(absolute)  # 1 week, 0.5 years, 2 percentage points
            within = (f"{words.number(size)} percentage point{'' if size == 1 else 's'}" if units == "%"
                      else words.quantity(size, units))
            margin = f" (anything within {within} counts)" if size else ""
        else:
            margin = f" (anything within {float(tolerance):.0%} counts)" if tolerance else ""
        if moment in words.TIME_WORDS:  # a moment, "in which year": year 2, not "2 year"
            return f"{words.time_label(float(self.answer), moment)}{margin}"
        if units == "%":
            return f"{words.number(float(self.answer))}%{margin}"
        unit = f" {units}" if units else ""
        return f"{words.number(float(self.answer))}{unit}{margin}"

    def _show(self):
        text = f"The answer: {self.answer_text()}." + (f" {self.explain}" if self.explain else "")
        self.feedback.value = _message(text, "info")

    # -- the static picture (exported HTML, a notebook viewer, print): the question and a place
    #    to write the answer, so a printed lesson is a worksheet; the answer itself never shows
    def _static_title(self):
        return "Check your answer"

    def _static_text(self):
        return f"Check your answer: {self.question} (open the notebook in Jupyter to check it)"

    def _static_svg(self):
        width, line = 640, 20
        lines = textwrap.wrap(self.question, 86) or [""]
        rows = [f"<text x='12' y='{26 + k * line}' font-weight='{'bold' if k == 0 else 'normal'}'>"
                f"{html.escape(text)}</text>" for k, text in enumerate(lines)]
        y = 26 + len(lines) * line + 8
        if self.kind == "choice":
            for choice in self.rules["choices"]:
                rows.append(f"<rect x='14' y='{y - 12}' width='13' height='13' fill='none' stroke='#444'/>"
                            f"<text x='36' y='{y}'>{html.escape(str(choice))}</text>")
                y += line
        else:
            blanks = 3 if self.kind == "sentence" else 1
            for _ in range(blanks):
                end = width - 24 if self.kind == "sentence" else 220
                rows.append(f"<line x1='14' y1='{y + 4}' x2='{end}' y2='{y + 4}' stroke='#444'/>")
                y += line + 6
            if self.kind == "number" and self.units:
                rows.append(f"<text x='228' y='{y - line - 2}'>{html.escape(self.units)}</text>")
        height = y + 6
        return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
                f"viewBox='0 0 {width} {height}' font-family='sans-serif' font-size='14'>"
                f"<rect x='1' y='1' width='{width - 2}' height='{height - 2}' fill='white' stroke='#ccc'/>"
                + "".join(rows) + "</svg>")

    def _repr_mimebundle_(self, **kwargs):
        # Without a live kernel (exported HTML, a notebook viewer, print) the question still shows.
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle or {})
        bundle["text/plain"] = f"Check your answer: {self.question} (open the notebook in Jupyter to answer)"
        bundle["text/html"] = (f"<div class='dpmkit-check'><b>Check your answer.</b> {html.escape(self.question)}"
                               f"<br><i>(open the notebook in Jupyter to answer)</i></div>")
        return bundle


def check(question, answer=None, *, tolerance=0.05, absolute=None, choices=None, units="", explain="",
          points=None):
    """A *check my answer* widget for one question.

    Parameters
    ----------
    question : str
        What the learner answers.
    answer : number, str or None
        A number (the learner types one), one of ``choices`` (the learner picks one),
        or None for a sentence (the learner writes one and compares it with ``points``).
    tolerance : float
        Numbers: the relative margin counted right, 0.05 (5%) by default.
    absolute : float, optional
        Numbers: an absolute margin instead, e.g. ``absolute=0.25`` for a date in years.
    choices : list of str, optional
        The answers to pick from.
    units : str
        Shown beside a number field and with the answer.
    explain : str
        Why the answer is right: shown once the learner gets it right or asks for it.
    points : list of str, optional
        Sentences only: what a full answer says.

    Returns
    -------
    Check

    Examples
    --------
    >>> c = check("After one year, is NEET better or worse?", "worse", choices=["better", "worse"])
    >>> c.answer_with("better")
    'wrong'
    >>> c.answer_with("worse")
    'right'
    """
    return Check(question, answer, tolerance=tolerance, absolute=absolute, choices=choices, units=units,
                 explain=explain, points=points)
