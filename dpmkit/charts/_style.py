"""The look shared by every chart: palette, dash patterns, fonts, sizes, and the small
builders of axes, legends, titles and inline data (internal to :mod:`dpmkit.charts`)."""

from __future__ import annotations

import math
import textwrap

import numpy as np

from ..errors import ModelError

LAB_EXTRA = 'pip install "dpmkit[lab]"'


#: Packages hidden while jsonschema first loads (imported by Altair), each only for string
#: formats the Vega-Lite schema never asks for (it uses ``uri``, ``uri-reference`` and
#: ``color-hex``; tests/test_charts.py holds that): ``rfc3987_syntax`` checks the ``iri``
#: formats and builds about 40 lark grammars at import (0.7 s, 3 s on a loaded machine);
#: ``isoduration`` checks ``duration``, a format of JSON Schema 2019-09 and later that
#: Altair's draft-7 validator never checks, and imports ``arrow`` (about 0.05 s, 0.1 s
#: loaded). Jupyter installs both. They stay importable for anyone else afterwards.
_HIDDEN_WHILE_JSONSCHEMA_LOADS = ("rfc3987_syntax", "isoduration")


def _import_altair():
    """Import Altair without the format-checking packages it does not need
    (:data:`_HIDDEN_WHILE_JSONSCHEMA_LOADS`)."""
    import sys

    hidden = [] if "jsonschema" in sys.modules else [
        name for name in _HIDDEN_WHILE_JSONSCHEMA_LOADS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes `import name` raise ImportError
    try:
        import altair
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return altair


try:
    alt = _import_altair()
except ModuleNotFoundError as _err:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        f"dpmkit.charts needs Altair (and vl-convert for static charts), which come with the "
        f"lab extra: {LAB_EXTRA}"
    ) from _err


#: Okabe & Ito (2008) colour-blind-safe palette; yellow last, as it is faint on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")


#: Dash patterns paired with the palette, so series never differ by colour alone.
DASHES = ([1, 0], [10, 4], [2, 3], [12, 3, 2, 3], [5, 5], [16, 6], [2, 7], [8, 3, 2, 3, 2, 3])


def _dash(i):
    """The dash of the i-th series: paired with the palette's colour for the first eight, then
    shifted one on in each further round, so no two of many series (lesson 08's eleven
    localities) share both colour and dash."""
    n = len(DASHES)
    return DASHES[(i + i // n) % n]


#: Point shapes paired with the palette, for scatter-type charts.
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right", "wedge")


#: Font sizes (px) chosen to be readable from the back of a room on a projector.
FONT = {"title": 22, "subtitle": 16, "axis_title": 18, "axis_label": 16, "legend": 16, "text": 15}


WIDTH, HEIGHT = 620, 300

#: The longest line of a chart's title, in characters: at the title's 22 px about 600 px, the
#: width of a chart. Vega-Lite does not wrap a title: a longer one widened the whole chart (the
#: attractor game's 2x2 on the debrief became 1,242 px, its title cut off at the page's edge).
TITLE_LINE = 56
#: The same width in the subtitle's smaller font (16 px): about 77 characters.
SUBTITLE_LINE = TITLE_LINE * FONT["title"] // FONT["subtitle"]


def title_lines(text):
    """A chart title as Vega-Lite draws it: a short one as it is, a longer one as a list of lines
    (broken between words) of at most :data:`TITLE_LINE` characters.

    >>> title_lines("Waiting list")
    'Waiting list'
    >>> title_lines("Performance attractor: localities, a shared framework and a learning partnership")
    ['Performance attractor: localities, a shared framework', 'and a learning partnership']
    """
    if not isinstance(text, str) or len(text) <= TITLE_LINE:
        return text
    return textwrap.wrap(text, TITLE_LINE, break_long_words=False, break_on_hyphens=False) or text


#: Series are thinned to at most this many time points: enough to draw any smooth
#: trajectory, and it keeps chart specs (and widget messages) small.
MAX_POINTS = 400


def _axis(title, **kwargs):
    kwargs.setdefault("labelLimit", 260)
    return alt.Axis(
        title=title, titleFontSize=FONT["axis_title"], labelFontSize=FONT["axis_label"],
        titleFontWeight="normal", **kwargs,
    )


def _legend(title, **kwargs):
    kwargs.setdefault("orient", "bottom")
    kwargs.setdefault("direction", "vertical")
    return alt.Legend(
        title=title, titleFontSize=FONT["legend"], labelFontSize=FONT["legend"], symbolStrokeWidth=3,
        symbolSize=240, labelLimit=360, titleLimit=480, **kwargs,
    )


def subtitle_lines(subtitle):
    """A chart's subtitle (a line, or a list of lines) with each line longer than
    :data:`SUBTITLE_LINE` characters broken between words, its later parts indented under it:
    Vega-Lite does not wrap a subtitle, and widens the chart to hold it (lesson 04's calibration
    chart, citing a source, was 887 px wide and cut off in JupyterLab beside the file browser).

    >>> subtitle_lines("Grey lines: base run")
    'Grey lines: base run'
    >>> [len(line) <= SUBTITLE_LINE for line in subtitle_lines("Observed data: " + "a source " * 12)]
    [True, True]
    """
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle or ())
    if all(len(line) <= SUBTITLE_LINE for line in lines):
        return subtitle
    out = []
    for line in lines:
        indent = line[:len(line) - len(line.lstrip())]
        out += textwrap.wrap(line, SUBTITLE_LINE, initial_indent=indent, subsequent_indent=indent + "    ",
                             break_long_words=False, break_on_hyphens=False) or [line]
    return out


def _title(text, subtitle=None):
    kwargs = {"fontSize": FONT["title"], "anchor": "start", "subtitleFontSize": FONT["subtitle"]}
    if subtitle:
        kwargs["subtitle"] = subtitle_lines(subtitle)
    return alt.TitleParams(title_lines(text), **kwargs)


def _series_scales(domain, legend_title, legend=True):
    """Colour and dash encodings over one ordered domain (never colour alone)."""
    n = len(domain)
    colours = [PALETTE[i % len(PALETTE)] for i in range(n)]
    dashes = [_dash(i) for i in range(n)]
    leg = _legend(legend_title) if legend else None
    colour = alt.Color("series:N", scale=alt.Scale(domain=list(domain), range=colours), legend=leg, sort=list(domain))
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=list(domain), range=dashes), legend=leg, sort=list(domain)
    )
    return colour, dash


def _data(frame):
    """Inline data from a DataFrame, without NaN (not valid JSON) and without the row cap."""
    frame = frame.replace([np.inf, -np.inf], np.nan).dropna()
    records = []
    for row in frame.to_dict("records"):
        records.append({k: (float(v) if isinstance(v, (np.floating, np.integer)) else v) for k, v in row.items()})
    return alt.Data(values=records)


def _thin_index(n, max_points):
    """Indices of at most ``max_points`` evenly spread samples of n, always with both ends."""
    if max_points is None or n <= max_points:
        return np.arange(n)
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 2:
        raise ModelError(f"max_points must be a whole number of at least 2, got {max_points!r}")
    step = math.ceil((n - 1) / (max_points - 1))
    idx = np.arange(0, n, step)
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return idx


def _thin_frame(frame, max_points, by=()):
    """Keep at most ``max_points`` distinct times (the same ones for every series)."""
    times = np.unique(frame["time"].to_numpy(dtype=float))
    keep = times[_thin_index(len(times), max_points)]
    if len(keep) == len(times):
        return frame
    return frame[frame["time"].isin(keep)]


def _time_axis(title, times):
    """The time axis; calendar years are written 2012, not 2,012, and other times 1, 2, 3, not
    1.0, 2.0, 3.0 (Vega writes every tick with the decimals of the finest one, and a narrow
    chart of ten years got a tick each half year); a run of several time units has whole ticks."""
    times = np.asarray(list(times), dtype=float)
    calendar = times.size and np.nanmin(times) >= 1000 and np.nanmax(times) <= 3000
    if calendar:
        return _axis(title, format="d")
    whole = {"tickMinStep": 1} if times.size and np.nanmax(times) - np.nanmin(times) >= 4 else {}
    return _axis(title, format=",.6~g", **whole)  # with a precision, Vega does not set one from the ticks


def _time_title(time_units):
    return f"Time ({time_units})" if time_units else "Time"


def _size(width, height):
    for what, v in (("width", width), ("height", height)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 50 <= v <= 4000:
            raise ModelError(f"{what} must be a number of pixels between 50 and 4000, got {v!r}")
    return {"width": width, "height": height}


def _pandas():
    import pandas as pd

    return pd


def _as_list(names):
    return [names] if isinstance(names, str) else list(names)


def _names(result, names):
    if names is None:
        names = [s.name for s in result.model.stocks if s.name in result.names] or list(result.names)[:4]
    names = _as_list(names)
    if not names:
        raise ModelError("give at least one variable name to chart")
    for n in names:
        result._index(n)  # raises ModelError naming the variable (with a suggestion)
    return names


def _filter_variables(frame, names):
    names = _as_list(names)
    known = list(dict.fromkeys(frame["variable"]))
    for n in names:
        if n not in known:
            from ..expressions import suggest

            raise ModelError(
                f"no variable {n!r} in the table" + suggest(str(n), [str(k) for k in known])
                + f"; it has: {', '.join(map(str, known))}",
                variable=str(n),
            )
    return frame[frame["variable"].isin(names)]


def _check_columns(frame, columns, what):
    pd = _pandas()
    if not isinstance(frame, pd.DataFrame):
        raise ModelError(f"{what} takes a pandas DataFrame with columns {', '.join(columns)}, "
                         f"not {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ModelError(
            f"{what} needs a table with columns {', '.join(columns)}; "
            f"missing {', '.join(missing)} (it has {', '.join(map(str, frame.columns))})"
        )


def _var_meta(name, model=None, labels=None, units=None):
    label = (labels or {}).get(name)
    unit = (units or {}).get(name)
    if model is not None and name in model:
        v = model[name]
        label = label or v.label
        unit = v.units if unit is None else unit
    unit = "" if unit == "dimensionless" else unit
    return label or str(name).replace("_", " ").capitalize(), unit or ""


def _checked(chart):
    """Mark ``chart`` as built by one of the kit's builders, whose specs the tests validate
    against the Vega-Lite schema (tests/test_charts.py): a notebook displays it without
    Altair's schema check of the whole spec, about 0.1 s of the first chart of a kernel
    (0.3-0.5 s on a loaded machine). The mark holds the chart's top-level values as built,
    so a chart changed afterwards (``chart.title = ...``) is checked as usual; any Altair
    method (``.properties``, ``&``, ``alt.vconcat``) makes a new chart, without the mark."""
    object.__setattr__(chart, "_dpmkit_checked", tuple(chart._kwds.items()))
    return chart


def _unchanged_since_built(chart):
    """True for a chart as a kit builder returned it (see :func:`_checked`)."""
    mark = vars(chart).get("_dpmkit_checked")
    kwds = vars(chart).get("_kwds")
    if mark is None or kwds is None or len(mark) != len(kwds):
        return False
    return all(key in kwds and kwds[key] is value for key, value in mark)
