r"""A model written as a sheet: one row a variable, as in a spreadsheet.

For learners at home in Excel: write a model as a table (or copy the kit's template from
:func:`dumps`, change it in Excel, and paste it back), and :func:`read` makes it a
:class:`~dpmkit.Model`. Nothing in it is run as Python: equations go through the kit's own
parser, as typed into ``dk.Aux``.

The columns (a header row names them, in any order; the names are not case-sensitive):

- ``kind``: ``stock``, ``flow``, ``auxiliary`` (or ``aux``), ``parameter`` (or ``param``),
  ``lever`` (a parameter that is a policy lever), or ``lookup`` (a graphical function, called in
  equations by name: ``effect(workload)``);
- ``name``: letters, digits and ``_``, starting with a letter (``waiting_list``);
- ``equation``: a stock's starting value, a parameter's value, a flow's or auxiliary's
  equation (``MIN(waiting / DT, capacity)``), or a lookup's points as ``(x, y)`` pairs
  (``(0, 1) (5, 0.8) (10, 0.5)``, with a point for the decimal mark);
- optional: ``units``, ``from`` and ``to`` (the stocks a flow drains and fills), ``label``,
  ``description``, ``role`` (``strategic resource``, ``performance driver``, ``end result``,
  ``policy lever``), ``low`` and ``high`` (a parameter's range, for its slider), ``never negative``
  (``yes`` for a stock that cannot fall below zero, or a flow that cannot run backwards), ``x units``
  (the units of a lookup's input), ``uncertain low`` and ``uncertain high`` (the range a parameter
  plausibly lies in when its value is not known, within ``low`` and ``high``: what
  :func:`dpmkit.ensemble` and the clustering test sample), ``source`` (where a parameter's or a
  lookup's number comes from: a key of the evidence registry, ``assumption``, or your own words).

Cells are separated by tabs (as Excel copies them), or by commas or semicolons (a CSV file;
quote a cell that holds the separator, as Excel does when it saves one). Numbers are read as
every widget and ballot of the kit reads them (:func:`dpmkit.words.parse_number`): ``1,080`` is
1080, ``0,5`` is 0.5 (as Excel saves CSV with semicolons where the comma is the decimal mark).
Blank rows and rows starting with ``#`` are skipped, and so is the apostrophe a spreadsheet puts
before a cell it must keep as text (``'-0.5 * x``).

>>> import dpmkit as dk
>>> text = '''kind\tname\tequation\tunits\tfrom\tto
... stock\twaiting\t120\tpeople
... flow\treferrals\tdemand\tpeople/week\t\twaiting
... flow\tserved\tMIN(waiting / DT, capacity)\tpeople/week\twaiting
... lever\tdemand\t30\tpeople/week
... parameter\tcapacity\t28\tpeople/week'''
>>> model = read(text, name="waiting_list", stop=52, time_units="week")
>>> round(dk.simulate(model).final("waiting"))  # 2 more a week than are served, for 52 weeks
224
"""

from __future__ import annotations

import csv
import io
import math
import re

from . import words
from .errors import ModelError
from .expressions import suggest
from .spec import ROLES, Aux, Flow, Lookup, Model, Param, Stock

__all__ = ["read", "read_data", "dumps", "number_cell", "COLUMNS", "MAX_CHARS", "MAX_ROWS"]

#: The columns :func:`dumps` writes, in order (:func:`read` takes any order, and fewer).
COLUMNS = ("kind", "name", "equation", "units", "from", "to", "label", "description", "role", "low", "high",
           "never negative", "x units", "uncertain low", "uncertain high", "source")
#: A sheet longer than this many characters, or with more rows, is refused before it is read.
MAX_CHARS = 1_000_000
MAX_ROWS = 5_000

_HEADINGS = {
    "kind": "kind", "type": "kind",
    "name": "name", "variable": "name",
    "equation": "equation", "value": "equation", "value or equation": "equation", "formula": "equation",
    "initial value": "equation",
    "units": "units", "unit": "units",
    "from": "from", "out of": "from", "out_of": "from",
    "to": "to", "into": "to",
    "label": "label", "description": "description", "role": "role",
    "low": "low", "min": "low", "lower": "low", "high": "high", "max": "high", "upper": "high",
    "never negative": "never negative", "non negative": "never negative", "non-negative": "never negative",
    "x units": "x units",
    "uncertain low": "uncertain low", "uncertainty low": "uncertain low", "unsure low": "uncertain low",
    "plausible low": "uncertain low",
    "uncertain high": "uncertain high", "uncertainty high": "uncertain high", "unsure high": "uncertain high",
    "plausible high": "uncertain high",
    "source": "source", "evidence": "source",
}
_YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False,
        "": False}
_KINDS = {"stock": "stock", "flow": "flow", "aux": "auxiliary", "auxiliary": "auxiliary",
          "converter": "auxiliary", "param": "parameter", "parameter": "parameter", "constant": "parameter",
          "lever": "lever", "policy lever": "lever", "lookup": "lookup", "graphical function": "lookup",
          "table": "lookup"}
_PAIR = re.compile(r"\(\s*([^,;()\s]+)\s*[,;]\s*([^,;()\s]+)\s*\)")


def _cells(text):
    """The sheet's rows as lists of cells, with their line numbers (1 = the first line); the
    separator (a tab, a comma or a semicolon) is read from the first row."""
    if not isinstance(text, str):
        raise ModelError(f"a sheet is text (copied from a spreadsheet or read from a CSV file), "
                         f"not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ModelError(f"the sheet is {len(text):,} characters long; the kit reads sheets of up to {MAX_CHARS:,}")
    text = text.lstrip("\ufeff")  # Excel's byte-order mark
    try:  # a lone surrogate (half a UTF-16 pair, possible from a browser) could not be saved to a file later
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        line = text.count("\n", 0, err.start) + 1
        cell = re.split(r"[\t,;]", text[text.rfind("\n", 0, err.start) + 1:err.start])[-1]  # the cell's text before it
        raise ModelError(f"line {line}: the sheet holds a broken character (half of a UTF-16 surrogate pair) after "
                         f"{cell[-20:]!r}; type or copy that cell again") from None
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise ModelError(f"the sheet has {len(lines):,} lines; the kit reads sheets of up to {MAX_ROWS:,} rows")
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    separator = "\t" if "\t" in first else (";" if first.count(";") > first.count(",") else ",")
    rows = []
    try:
        reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=separator, strict=True)
        for number, row in enumerate(reader, start=1):
            # a leading apostrophe is a spreadsheet's mark for "text, not a formula": not part of it
            cells = [cell.strip().removeprefix("'").strip() for cell in row]
            if any(cells) and not cells[0].startswith("#"):
                rows.append((number, cells))
    except csv.Error as err:
        if "field limit" in str(err):  # the csv module's own bound on one cell
            raise ModelError(f"line {reader.line_num}: a cell is longer than {csv.field_size_limit():,} characters; "
                             "the kit reads cells up to that length (a long lookup can be split into fewer points)"
                             ) from None
        raise ModelError(f"the sheet could not be read as a table: {err} (line {reader.line_num})") from None
    return rows


def _heading_row(rows):
    number, cells = rows[0]
    names = [_HEADINGS.get(re.sub(r"\s+", " ", c.lower().replace("_", " ")).strip()) for c in cells]
    names = [_HEADINGS.get(c.lower()) if n is None else n for n, c in zip(names, cells)]
    if "kind" not in names or "name" not in names:
        raise ModelError("the sheet's first row must name its columns, at least 'kind' and 'name' "
                         f"(and usually 'equation', 'units', 'from', 'to'); line {number} reads "
                         f"{' | '.join(cells)[:120]!r}")
    for k, (name, cell) in enumerate(zip(names, cells)):
        if name is None and cell:
            raise ModelError(f"line {number}, column {k + 1}: no column called {cell!r}; the columns are "
                             + ", ".join(COLUMNS) + suggest(cell.lower(), _HEADINGS))
        if name is not None and names.index(name) != k:
            raise ModelError(f"line {number}: two columns are called {name!r} (columns {names.index(name) + 1} "
                             f"and {k + 1})")
    return names


def _number(text, where):
    """``text`` as a number, read as every widget and ballot reads one (:func:`dpmkit.words.parse_number`:
    ``1,080`` is 1080, ``0,5`` is 0.5, ``1.080`` is refused as ambiguous), or a ModelError that names
    ``where`` and says what to write."""
    try:
        return words.parse_number(text, where)
    except ModelError as err:
        advice = str(err).rpartition("; ")[2] if "; " in str(err) else "write a finite number"
        raise ModelError(f"{where} must be a number, not {text[:40]!r}; {advice}") from None


#: A cell that holds only what a number is written with: read as a number (and refused as one when
#: it is not a good one), never as an equation.
_NUMBER_LIKE = re.compile(r"\s*[+\-\u2212]?(?=\.?\d)[\d.][\d.,\s\u00a0\u202f]*([eE][+-]?\d+)?\s*\Z")


def _equation(text, where):
    """A number where the cell holds one (so ``1,080`` is 1080), else the equation's text."""
    if not text:
        raise ModelError(f"{where} is empty: write a number or an equation")
    return _number(text, where) if _NUMBER_LIKE.match(text) else text


def _role(text, where):
    if not text:
        return None
    role = re.sub(r"[\s_-]+", "_", text.strip().lower())
    if role not in ROLES:
        raise ModelError(f"{where}: {text!r} is not a role; the roles are "
                         + ", ".join(r.replace("_", " ") for r in ROLES) + suggest(role, ROLES))
    return role


def _declaration(kind, cell, where):
    """One row as a declaration of the kit (``cell(column)`` gives the row's text in a column)."""
    name = cell("name")
    common = {"units": cell("units"), "label": cell("label"), "description": cell("description"),
              "role": _role(cell("role"), where)}
    never = _YES.get(cell("never negative").lower())
    if never is None:
        raise ModelError(f"{where}: 'never negative' is yes or no, not {cell('never negative')[:20]!r}")
    if cell("x units") and kind != "lookup":
        raise ModelError(f"{where}: only a lookup has 'x units' (the units of its input)")
    if never and kind not in ("stock", "flow"):
        raise ModelError(f"{where}: only a stock or a flow can be 'never negative'")
    for column in ("low", "high", "uncertain low", "uncertain high"):
        if cell(column) and kind not in ("parameter", "lever"):
            raise ModelError(f"{where}: only a parameter or a lever has {column!r} (a {kind} is worked out, "
                             "not chosen)")
    if cell("source") and kind not in ("parameter", "lever", "lookup"):
        raise ModelError(f"{where}: only a parameter, a lever or a lookup has a 'source' (a {kind}'s numbers come "
                         "from its equation)")
    if cell("source"):
        common["source"] = cell("source")
    if kind == "lookup":
        return _lookup(name, cell, where, common)
    if kind == "stock":
        return Stock(name, _equation(cell("equation"), f"{where}: the starting value"), non_negative=never,
                     **common)
    if kind in ("flow", "auxiliary"):
        equation = _equation(cell("equation"), f"{where}: the equation")
        if kind == "auxiliary":
            if cell("from") or cell("to"):
                raise ModelError(f"{where}: an auxiliary fills or drains no stock; make it a flow, or "
                                 "empty its 'from' and 'to'")
            return Aux(name, equation, **common)
        return Flow(name, equation, out_of=cell("from") or None, into=cell("to") or None, non_negative=never,
                    **common)
    value = _number(cell("equation"), f"{where}: the value")
    bounds = _range(cell, "low", "high", where)
    uncertainty = _range(cell, "uncertain low", "uncertain high", where)
    if uncertainty and bounds and not bounds[0] <= uncertainty[0] <= uncertainty[1] <= bounds[1]:
        raise ModelError(f"{where}: the uncertain range {uncertainty[0]:g} to {uncertainty[1]:g} must lie within "
                         f"'low' and 'high' ({bounds[0]:g} to {bounds[1]:g})")
    if kind == "lever":
        common["role"] = common["role"] or "policy_lever"
    return Param(name, value, bounds=bounds, uncertainty=uncertainty, **common)


def _range(cell, low_column, high_column, where):
    """A (low, high) pair from two columns, both filled or neither."""
    low, high = cell(low_column), cell(high_column)
    if not (low or high):
        return None
    if not (low and high):
        raise ModelError(f"{where}: give both {low_column!r} and {high_column!r} for a range, or neither")
    pair = (_number(low, f"{where}: {low_column!r}"), _number(high, f"{where}: {high_column!r}"))
    if pair[0] > pair[1]:
        raise ModelError(f"{where}: {low_column!r} ({pair[0]:g}) is above {high_column!r} ({pair[1]:g})")
    return pair


def _lookup(name, cell, where, common):
    text = cell("equation")
    pairs = _PAIR.findall(text)
    if not pairs or _PAIR.sub("", text).strip():
        raise ModelError(f"{where}: a lookup's points are (x, y) pairs, e.g. (0, 1) (5, 0.8) (10, 0.5); "
                         f"this reads {text[:60]!r}")
    xs = [_number(x, f"{where}: point {k + 1}'s x") for k, (x, _) in enumerate(pairs)]
    ys = [_number(y, f"{where}: point {k + 1}'s y") for k, (_, y) in enumerate(pairs)]
    return Lookup(name, xs, ys, x_units=cell("x units"), **common)


def read(text, *, name="my_model", start=0.0, stop=10.0, dt=1.0, time_units="year", label="", method="euler"):
    """The model a sheet describes (see the module's help for the columns).

    Parameters
    ----------
    text : str
        The sheet: tab-separated (copied from a spreadsheet) or CSV.
    name, start, stop, dt, time_units, label, method
        As for :class:`~dpmkit.Model`.

    Returns
    -------
    Model

    Raises
    ------
    ModelError
        Naming the line and the variable: a kind, number, role or column the kit does not
        know, a flow from a stock that is not there (with the nearest name), two rows with
        one name, and every error the model itself finds.
    """
    rows = _cells(text)
    if not rows:
        raise ModelError("the sheet is empty: its first row names the columns (kind, name, equation, ...), "
                         "then one row a variable")
    columns = _heading_row(rows)
    declarations, lines = [], {}
    for number, cells in rows[1:]:
        def cell(column, cells=cells):
            k = columns.index(column) if column in columns else None
            return cells[k] if k is not None and k < len(cells) else ""

        where = f"line {number}"
        kind_text, var = cell("kind"), cell("name")
        if var:
            where += f" ({var})"
        kind = _KINDS.get(re.sub(r"\s+", " ", kind_text.lower()))
        if kind is None:
            raise ModelError(f"{where}: kind {kind_text!r} is not one of stock, flow, auxiliary, parameter, lever"
                             + suggest(kind_text.lower(), _KINDS), variable=var or None)
        if not var:
            raise ModelError(f"{where}: the {kind} has no name")
        if var in lines:
            raise ModelError(f"{where}: {var!r} is already declared on line {lines[var]}", variable=var)
        if len(cells) > len(columns) and any(cells[len(columns):]):
            raise ModelError(f"{where}: {len(cells)} cells but {len(columns)} named columns; is a cell holding "
                             "the separator without quotes?", variable=var)
        try:
            declarations.append(_declaration(kind, cell, where))
        except ModelError as err:
            raise _at_line(err, where, var) from None
        lines[var] = number
    try:
        model = Model(name, declarations, start=start, stop=stop, dt=dt, time_units=time_units,
                      label=label or name.replace("_", " ").capitalize(), method=method)
        # every equation read now, so that a mistake names its line (and the run later is quicker)
        from .compiler import compile_model

        compile_model(model)
    except ModelError as err:
        var = getattr(err, "variable", None)
        raise _at_line(err, f"line {lines[var]} ({var})" if var in lines else "", var) from None
    return model


def read_data(text):
    r"""Observations written as a sheet, for :func:`dpmkit.calibrate`: a header row naming
    ``time`` first and then the observed variables (their names in the model), one row a
    moment, blank cells for gaps. Tabs (as Excel copies), commas or semicolons, as for :func:`read`.

    Returns a pandas DataFrame indexed by ``time``, one float column per variable (NaN for a
    gap). Raises ModelError naming the line and the column of a cell that is not a number, a time
    given twice or out of order, or a column without a name.

    >>> frame = read_data("time\twaiting\n0\t120\n4\t\n8\t1,080\n")
    >>> frame["waiting"].tolist()
    [120.0, nan, 1080.0]
    """
    import pandas as pd

    rows = _cells(text)
    if len(rows) < 2:
        raise ModelError("the data need a header row (time, then the names of the observed variables) and at "
                         "least one row of numbers")
    number, header = rows[0]
    if not header or header[0].lower() not in ("time", "t", "date", "year", "month", "week"):
        raise ModelError(f"line {number}: the first column must be the time, headed 'time'; it reads "
                         f"{(header[0] if header else '')[:40]!r}")
    names = header[1:]
    while names and not names[-1]:
        names.pop()
    seen = {}
    for k, name in enumerate(names):
        if not name:
            raise ModelError(f"line {number}, column {k + 2}: a column of data needs a name (a variable of the model)")
        if name in seen:
            raise ModelError(f"line {number}: two columns are called {name!r} (columns {seen[name] + 2} and {k + 2})")
        seen[name] = k
    if not names:
        raise ModelError(f"line {number}: no observed variables after 'time'")
    times, values = [], []
    for line, cells in rows[1:]:
        t = _number(cells[0], f"line {line}, the time")
        if times and t <= times[-1]:
            raise ModelError(f"line {line}: the time {t:g} comes after {times[-1]:g}; times must increase")
        if any(cells[len(names) + 1:]):
            raise ModelError(f"line {line}: more cells than named columns")
        row = []
        for k, name in enumerate(names):
            cell = cells[k + 1] if k + 1 < len(cells) else ""
            row.append(math.nan if cell == "" else _number(cell, f"line {line}, column {name!r}"))
        times.append(t)
        values.append(row)
    return pd.DataFrame(values, columns=names, index=pd.Index(times, name="time"), dtype=float)


def _at_line(err, where, variable):
    text = str(err)
    if where and not text.startswith(where.split(" (")[0]):
        text = f"{where}: {text}"
    return ModelError(text, variable=variable or getattr(err, "variable", None))


def _kind_of(v):
    if isinstance(v, Param):
        return "lever" if v.role == "policy_lever" else "parameter"
    return v.kind


#: A number written as 92.057 reads as 92057 to someone who groups thousands with a point, so
#: :func:`dpmkit.words.parse_number` refuses it as ambiguous; :func:`dumps` adds a zero (92.0570).
_AMBIGUOUS = re.compile(r"-?[1-9]\d{0,2}\.\d{3}\Z")


def number_cell(value):
    """``value`` written as a sheet's cell so that :func:`read` gives back the same float: ``92.057``
    as ``92.0570`` (typed, it would be refused as ambiguous), a whole number without ``.0``, -0.0
    with its sign.

    >>> number_cell(92.057), number_cell(120.0), number_cell(0.25)
    ('92.0570', '120', '0.25')
    """
    return _text(float(value))


def _text(value):
    if isinstance(value, str):
        return value
    value = float(value)
    if value.is_integer() and abs(value) < 1e15 and math.copysign(1, value) > 0:  # -0.0 keeps its sign
        return str(int(value))
    text = repr(value)
    return text + "0" if _AMBIGUOUS.match(text) else text


def dumps(model):
    r"""The model as a sheet, tab-separated with a header row (paste it into Excel, change it, copy
    it back). Every declaration has a column; what a sheet does not hold is the model's scenarios
    and its time settings (:func:`read` takes those as arguments).

    >>> import dpmkit as dk
    >>> dumps(dk.models.load("demo")).splitlines()[0].split("\t")[:6]
    ['kind', 'name', 'equation', 'units', 'from', 'to']
    """
    rows = [list(COLUMNS)]
    for v in model.variables:
        row = dict.fromkeys(COLUMNS, "")
        row.update({"kind": _kind_of(v), "name": v.name, "units": v.units, "label": v.label,
                    "description": v.description, "role": (v.role or "").replace("_", " ")})
        if isinstance(v, Lookup):
            row["equation"] = " ".join(f"({_text(x)}, {_text(y)})" for x, y in zip(v.x, v.y))
            row.update({"x units": v.x_units, "source": v.source or ""})
        elif isinstance(v, Param):
            row.update({"equation": _text(v.default), "source": v.source or ""})
            if v.role == "policy_lever":
                row["role"] = ""  # the kind says it
            ranges = {("low", "high"): v.bounds, ("uncertain low", "uncertain high"): v.uncertainty}
            for (low, high), pair in ranges.items():
                if pair is not None:
                    row.update({low: _text(pair[0]), high: _text(pair[1])})
        else:
            row["equation"] = _text(v.initial if v.kind == "stock" else v.equation)
            row.update({"from": getattr(v, "out_of", None) or "", "to": getattr(v, "into", None) or "",
                        "never negative": "yes" if getattr(v, "non_negative", False) else ""})
        rows.append([row[c] for c in COLUMNS])
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    return out.getvalue()
