"""A units-consistency check.

Units are written as text, e.g. ``"people/year"``, ``"£m/year"``, ``"1/month"``,
``"staff*hour^-1"``, ``"dimensionless"`` (or ``"1"``). Names may contain spaces
(``"young people"``). An empty string means "not declared" and switches the check
off for that variable. Numbers written in equations adapt to whatever units they
meet (the system-dynamics convention), so ``0.5 * staff`` has the units of staff.

The check reports mismatches; it never changes a model. By default the kit turns
each finding into a :class:`~dpmkit.UnitsWarning` when a model is first compiled
(``Model(check_units="warn")``); ``"error"`` raises, ``"off"`` skips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .builtins import BUILTINS
from .errors import ModelError
from .expressions import BinOp, Call, If, Name, Num, UnaryOp
from .spec import Aux, Flow, Lookup, Stock

__all__ = ["UnitIssue", "check_units", "parse_units", "format_units"]

_DIMENSIONLESS = ("", "1", "dimensionless", "dmnl", "unitless", "fraction", "ratio", "index", "score",
                  "percent_as_fraction")
_TIME_WORDS = {"year", "month", "week", "day", "quarter", "hour", "minute", "second"}
_SYNONYMS = {
    "years": "year", "yr": "year", "yrs": "year", "months": "month", "weeks": "week", "wk": "week",
    "days": "day", "quarters": "quarter", "hours": "hour", "hr": "hour", "persons": "person",
}

_NO_UNITS = {}  # dimensionless, shared: never changed
WILD = "wild"  # a bare number: adapts to any units
UNKNOWN = None  # undeclared units somewhere: no check


@dataclass(frozen=True)
class UnitIssue:
    """One units finding: which variable, and what is wrong."""

    variable: str
    message: str

    def __str__(self):
        return f"units of {self.variable!r}: {self.message}"


#: Largest power a unit may carry (``x^12`` is fine, ``x^1e99`` is refused).
MAX_POWER = 100
#: Deepest nesting of parentheses in units text.
MAX_DEPTH = 20
#: Most digits in a number written in units text (before and after the point).
_MAX_DIGITS = 30
# What fractions.Fraction would read as a number (its grammar, loosely): checked
# before Fraction sees it, which would build 10**999999999 for "1e999999999".
_NUMBER_RE = re.compile(r"\s*[-+]?(?P<mant>(?=\d|\.\d)[\d_]*(\.[\d_]*)?)(e(?P<exp>[-+]?[\d_]+))?\s*\Z", re.IGNORECASE)


class _UnitsSyntax(ValueError):
    pass


class _UnitsRefused(ModelError):
    """Units text that is not merely unreadable but absurd (a huge power, deep nesting)."""


def _number(part, text):
    """``part`` as a Fraction, None if it is not a number; refuses absurd numbers."""
    m = _NUMBER_RE.match(part)
    if m is None:
        return None
    mant, exp = m.group("mant"), m.group("exp")
    digits = sum(ch.isdigit() for ch in mant)
    if digits > _MAX_DIGITS or len(exp or "") > 6 or abs(int(exp or 0)) > _MAX_DIGITS:
        raise _UnitsRefused(f"the number {part.strip()[:40]!r} in units {_shown(text)} is absurdly large or long")
    try:
        return Fraction(part)
    except ValueError:
        return None


def _shown(text):
    return repr(text if len(text) <= 60 else text[:57] + "...")


def parse_units(text):
    """Units text -> dict {base unit: power}; ``{}`` means dimensionless.

    Raises ValueError if the text cannot be read, and :class:`~dpmkit.ModelError` (a
    ValueError) for absurd text: a number longer than 30 digits or beyond 1e30, a power
    beyond :data:`MAX_POWER`, or parentheses nested deeper than :data:`MAX_DEPTH`.
    Reading takes time in proportion to the length of the text.
    """
    text = text.strip()
    if text.lower() in _DIMENSIONLESS:
        return {}
    tokens = []
    for part in re.split(r"([*/^()])", text):
        part = " ".join(part.split())
        if not part:
            continue
        if part in "*/^()":
            tokens.append(("op", part))
            continue
        number = _number(part, text)
        if number is not None:
            tokens.append(("num", number))
        else:
            word = _SYNONYMS.get(part.lower(), part)
            if word.lower() in _TIME_WORDS:  # "Month" and "month" are the same time unit
                word = word.lower()
            tokens.append(("name", word))
    tokens.append(("end", None))
    i = 0

    def peek():
        return tokens[i]

    def take():
        nonlocal i
        i += 1
        return tokens[i - 1]

    depth = 0

    def product():
        out = factor()
        while peek() in (("op", "*"), ("op", "/")):
            op = take()[1]
            rhs = factor()
            out = _mul(out, rhs, 1 if op == "*" else -1)
        return out

    def factor():
        kind, val = take()
        if kind == "name":
            base = {val: Fraction(1)}
        elif kind == "num" and val == 1:
            base = {}
        elif (kind, val) == ("op", "("):
            nonlocal depth
            depth += 1
            if depth > MAX_DEPTH:
                raise _UnitsRefused(
                    f"units {_shown(text)} nest parentheses more than {MAX_DEPTH} deep; write them more simply"
                )
            base = product()
            depth -= 1
            if take() != ("op", ")"):
                raise _UnitsSyntax(f"unbalanced parentheses in units {text!r}")
        else:
            raise _UnitsSyntax(f"cannot read units {text!r}")
        if peek() == ("op", "^"):
            take()
            kind, power = take()
            if kind != "num":
                raise _UnitsSyntax(f"the power in units {text!r} must be a number")
            base = {k: v * power for k, v in base.items()}
            if any(abs(v) > MAX_POWER for v in base.values()):
                raise _UnitsRefused(
                    f"units {_shown(text)} raise a unit to a power beyond {MAX_POWER} (or below -{MAX_POWER})"
                )
        return base

    result = product()
    if peek()[0] != "end":
        raise _UnitsSyntax(f"cannot read units {text!r}")
    if any(abs(v) > MAX_POWER for v in result.values()):
        raise _UnitsRefused(f"units {_shown(text)} raise a unit to a power beyond {MAX_POWER} (or below -{MAX_POWER})")
    return {k: v for k, v in result.items() if v != 0}


def _mul(a, b, sign=1):
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, Fraction(0)) + sign * v
        if out[k] == 0:
            del out[k]
    return out


def format_units(units):
    """Dict of powers -> readable text, e.g. ``people/year``."""
    if units is WILD or units is UNKNOWN:
        return "?"
    if not units:
        return "dimensionless"
    num = [k if v == 1 else f"{k}^{v}" for k, v in sorted(units.items()) if v > 0]
    den = [k if v == -1 else f"{k}^{-v}" for k, v in sorted(units.items()) if v < 0]
    text = "*".join(num) or "1"
    if den:
        text += "/" + ("/".join(den))
    return text


class _Checker:
    WILD = WILD  # read by the units rules in dpmkit.builtins
    UNKNOWN = UNKNOWN

    def __init__(self, model):
        self.model = model
        self.issues = []
        self.declared = {}
        self._read = {}  # units text -> its powers (or why it cannot be read): each text read once
        self._products = {}  # (id(a), id(b), sign) -> (a, b, a * b^sign): each product computed once
        self.time = None
        try:
            self.time = parse_units(model.time_units) if model.time_units else UNKNOWN
        except _UnitsRefused as err:
            raise ModelError(f"time units of model {model.name!r}: {err}") from None
        except ValueError:
            self.time = UNKNOWN
        for v in model.variables:
            if not v.units.strip():
                self.declared[v.name] = UNKNOWN
                continue
            try:
                self.declared[v.name] = self.read(v.units)
            except _UnitsRefused as err:
                raise ModelError(f"units of {v.name!r}: {err}", variable=v.name) from None
            except ValueError as err:
                self.issues.append(UnitIssue(v.name, str(err)))
                self.declared[v.name] = UNKNOWN
        self.lookup_x = {}
        for lk in model.lookups:
            try:
                self.lookup_x[lk.name] = parse_units(lk.x_units) if lk.x_units.strip() else UNKNOWN
            except _UnitsRefused as err:
                raise ModelError(f"input units (x_units) of lookup {lk.name!r}: {err}", variable=lk.name) from None
            except ValueError as err:
                self.issues.append(UnitIssue(lk.name, str(err)))
                self.lookup_x[lk.name] = UNKNOWN

    def read(self, text):
        """``parse_units(text)``, remembered: a large model repeats a few units many times.

        The powers are shared between variables; nothing in the check changes them.
        """
        found = self._read.get(text)
        if found is None:
            try:
                found = parse_units(text)
            except _UnitsRefused:
                raise
            except ValueError as err:
                found = str(err)
            self._read[text] = found
        if isinstance(found, str):
            raise _UnitsSyntax(found)
        return found

    def report(self, owner, message):
        self.issues.append(UnitIssue(owner, message))

    def match(self, owner, a, b, what):
        """Units that must agree (sums, comparisons, branches); returns the combined units."""
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        if a is WILD:
            return b
        if b is WILD:
            return a
        if a != b:
            self.report(owner, f"{what}: {format_units(a)} vs {format_units(b)}")
            return UNKNOWN
        return a

    def times(self, a, b, sign=1):
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        a = _NO_UNITS if a is WILD else a
        b = _NO_UNITS if b is WILD else b
        # Units met once are met again (people * 1/year in every flow): the same two
        # objects give the same (shared, never changed) product. The entry keeps a and
        # b alive, so their ids are not reused while the check runs.
        key = (id(a), id(b), sign)
        found = self._products.get(key)
        if found is None:
            found = self._products[key] = (a, b, _mul(a, b, sign))
        return found[2]

    def dimensionless(self, owner, a, func):
        if a not in (UNKNOWN, WILD) and a != {}:
            self.report(owner, f"the input of {func} should be dimensionless, but it is {format_units(a)}")

    def is_time(self, owner, a, what):
        if self.time is UNKNOWN:
            return
        self.match(owner, a, self.time, what)

    def infer(self, node, owner):
        if isinstance(node, Num):
            return WILD
        if isinstance(node, Name):
            if node.id in ("TIME", "DT", "STARTTIME", "STOPTIME"):
                return self.time
            if node.id == "PI":
                return WILD
            return self.declared.get(node.id, UNKNOWN)
        if isinstance(node, UnaryOp):
            inner = self.infer(node.operand, owner)
            return inner if node.op == "-" else {}
        if isinstance(node, BinOp):
            a, b = self.infer(node.left, owner), self.infer(node.right, owner)
            op = node.op
            if op in ("+", "-"):
                return self.match(owner, a, b, f"'{op}' adds or subtracts different units")
            if op == "*":
                return self.times(a, b)
            if op == "/":
                return self.times(a, b, -1)
            if op == "MOD":
                return self.match(owner, a, b, "MOD needs equal units")
            if op == "^":
                if isinstance(node.right, Num):
                    if a in (UNKNOWN, WILD):
                        return a
                    power = Fraction(node.right.value).limit_denominator(1000)
                    return {k: v * power for k, v in a.items()}
                if a in (UNKNOWN, WILD) or a == {}:
                    return a
                return UNKNOWN
            if op in ("=", "<>", "<", "<=", ">", ">="):
                self.match(owner, a, b, "a comparison between different units")
                return {}
            return {}  # AND / OR
        if isinstance(node, If):
            self.infer(node.cond, owner)
            return self.match(owner, self.infer(node.then, owner), self.infer(node.orelse, owner),
                              "the THEN and ELSE values have different units")
        if isinstance(node, Call):
            args = [self.infer(a, owner) for a in node.args]
            f = node.func
            if not node.builtin:
                decl = self.model[f] if f in self.model else None  # noqa: SIM401 - a Model has no .get()
                if isinstance(decl, Lookup):
                    xu = self.lookup_x.get(f, UNKNOWN)
                    if xu is not UNKNOWN:
                        self.match(owner, args[0], xu, f"the input of lookup {f!r} has the wrong units")
                    return self.declared.get(f, UNKNOWN)
                return UNKNOWN
            if f == "LOOKUP":
                return self.infer(Call(node.args[0].id, node.args[1:], node.pos, False), owner)
            builtin = BUILTINS.get(f)
            if builtin is not None:  # each builtin's units rule is in the one table
                return builtin.units(self, owner, f, args)
            return UNKNOWN
        return UNKNOWN

    def run(self):
        m = self.model
        for v in m.variables:
            declared = self.declared.get(v.name, UNKNOWN)
            if isinstance(v, (Aux, Flow)):
                got = self.infer(m._tree(v), v.name)
                self.compare(v.name, declared, got, "its equation gives")
            elif isinstance(v, Stock):
                got = self.infer(m._tree(v), v.name)
                self.compare(v.name, declared, got, "its initial value has")
                if declared is not UNKNOWN and self.time is not UNKNOWN:
                    rate = self.times(declared, self.time, -1)
                    for f in m.inflows(v.name) + m.outflows(v.name):
                        fu = self.declared.get(f.name, UNKNOWN)
                        if fu is not UNKNOWN and fu != rate:
                            self.report(
                                f.name,
                                f"flow of stock {v.name!r} ({format_units(declared)}) should be in "
                                f"{format_units(rate)} but is declared {format_units(fu)}",
                            )
        return self.issues

    def compare(self, name, declared, got, what):
        if declared is UNKNOWN or got in (UNKNOWN, WILD):
            return
        if declared != got:
            self.report(name, f"declared {format_units(declared)} but {what} {format_units(got)}")


def check_units(model):
    """Check that a model's units agree.

    Returns
    -------
    list of UnitIssue
        Empty when nothing is wrong (or nothing is declared).

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.Model("m", [dk.Stock("s", 1, units="people"),
    ...                    dk.Flow("f", "s", into="s", units="people")], check_units="off")
    >>> [str(i) for i in dk.check_units(m)]
    ["units of 'f': flow of stock 's' (people) should be in people/year but is declared people"]
    """
    return _Checker(model).run()
