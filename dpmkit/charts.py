"""Charts of results, built with Altair from the kit's tidy tables.

Every builder takes what the kit already produces — a :class:`~dpmkit.Result`, the
tidy table of scenario comparisons (``scenario, time, variable, value``), an
ensemble summary, an analysis table — and returns an Altair chart whose axes carry
the declared labels and units. Each time-series chart also carries a plain-text
summary of what it shows (``chart.description``, the same text as
:func:`describe`), for screen readers and for learners who would rather read.

Design choices, so that charts work in a workshop room:

- **Offline.** Importing this module switches Altair from its default renderer
  (which loads JavaScript from a CDN and shows "Error loading script" without
  internet) to the static ``svg`` renderer, unless you chose a renderer yourself.
  :func:`show` displays an *interactive* chart through ``alt.JupyterChart`` in
  offline mode; :func:`static` displays SVG; :func:`save` writes PNG or SVG for
  handouts. The ``mimetype`` renderer is never used (with altair 6 and JupyterLab
  4 it shows nothing and breaks ``nbconvert --execute``).
- **Colour-blind safe.** The Okabe–Ito palette, and never colour alone: series
  differ by dash pattern as well, points by shape.
- **Projector legible.** Large fonts and thick lines, set on each axis and legend
  (not as chart-level config, so charts can still be layered and concatenated).

Examples
--------
>>> import dpmkit as dk
>>> result = dk.simulate(dk.models.load("demo"), {"staff_target": 14})
>>> chart = dk.charts.time_series(result, ["waiting_list", "staff"])
>>> chart.description.startswith("Waiting list")
True
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np

from .errors import ModelError

LAB_EXTRA = 'pip install "dpmkit[lab]"'

try:
    import altair as alt
except ModuleNotFoundError as _err:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        f"dpmkit.charts needs Altair (and vl-convert for static charts), which come with the "
        f"lab extra: {LAB_EXTRA}"
    ) from _err

__all__ = [
    "PALETTE",
    "DASHES",
    "SHAPES",
    "REGIME_CELLS",
    "time_series",
    "scenarios",
    "fan",
    "tornado",
    "frontier",
    "calibration",
    "regime_path",
    "describe",
    "show",
    "interactive",
    "static",
    "to_svg",
    "save",
    "offline",
]

#: Okabe & Ito (2008) colour-blind-safe palette; yellow last, as it is faint on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
#: Dash patterns paired with the palette, so series never differ by colour alone.
DASHES = ([1, 0], [10, 4], [2, 3], [12, 3, 2, 3], [5, 5], [16, 6], [2, 7], [8, 3, 2, 3, 2, 3])
#: Point shapes paired with the palette, for scatter-type charts.
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right", "wedge")

#: Font sizes (px) chosen to be readable from the back of a room on a projector.
FONT = {"title": 22, "subtitle": 16, "axis_title": 18, "axis_label": 16, "legend": 16, "text": 15}
WIDTH, HEIGHT = 620, 300
#: Series are thinned to at most this many time points: enough to draw any smooth
#: trajectory, and it keeps chart specs (and widget messages) small.
MAX_POINTS = 400

#: The four cells of the imposed/negotiated x planned/emergent plane. The cell
#: names are the kit's reconstruction (see the research notes, section 4), not a
#: quotation: ask learners to contest them.
REGIME_CELLS = {
    ("imposed", "planned"): "Targets and terror",
    ("imposed", "emergent"): "Crisis-driven adaptation",
    ("negotiated", "planned"): "Agreed outcomes frameworks",
    ("negotiated", "emergent"): "Learning partnerships",
}


# --------------------------------------------------------------------------- offline

def offline(mode="svg"):
    """Choose how charts display in this kernel: ``"svg"`` (static) or ``"interactive"``.

    Both work without internet. ``"svg"`` renders with vl-convert in the kernel and
    gives small, identical outputs on every run (good for notebooks under test).
    ``"interactive"`` uses ``alt.JupyterChart`` with its JavaScript bundled from
    vl-convert (about 1.4 s once per kernel, then tooltips and zoom work).

    Examples
    --------
    >>> import dpmkit as dk
    >>> dk.charts.offline("svg")
    """
    if mode == "svg":
        alt.renderers.enable("svg")
    elif mode == "interactive":
        alt.JupyterChart.enable_offline()
        alt.renderers.enable("jupyter", offline=True)
    else:
        raise ModelError(f"offline mode must be 'svg' or 'interactive', got {mode!r}")


# The default renderer fetches vega from a CDN and fails in a room without wifi.
# Respect a renderer the user chose; replace only the default.
if alt.renderers.active == "default":
    offline("svg")


def interactive(chart, *, embed_options=None):
    """An interactive chart widget (``alt.JupyterChart``) that works offline.

    Offline mode is switched on once per kernel before the first widget is made.
    Update the returned widget's ``.chart`` to redraw it.

    Examples
    --------
    >>> import dpmkit as dk
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> widget = dk.charts.interactive(dk.charts.time_series(r, ["staff"]))
    """
    alt.JupyterChart.enable_offline()
    return alt.JupyterChart(chart, embed_options=embed_options)


def show(chart):
    """Display ``chart`` interactively (tooltips, zoom) without needing internet.

    Examples
    --------
    >>> import dpmkit as dk
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> dk.charts.show(dk.charts.time_series(r, ["staff"]))  # doctest: +SKIP
    """
    from IPython.display import display

    display(interactive(chart))


def _vl_version():
    """The Vega-Lite version Altair writes, in vl-convert's spelling (e.g. 'v6_4')."""
    return "_".join(alt.SCHEMA_VERSION.split(".")[:2])


def _with_description(svg, description):
    """Embed a chart's plain-text summary as the SVG's ``<desc>`` and ``aria-label``."""
    if description and svg.startswith("<svg"):
        end = svg.index(">")
        text = html.escape(description, quote=True)
        svg = f'{svg[:end]} role="img" aria-label="{text}"><desc>{text}</desc>{svg[end + 1:]}'
    return svg


def vl_convert_svg(spec):
    """SVG text from a Vega-Lite dict, rendered offline by vl-convert."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=_vl_version())


def _spec_to_svg(spec):
    """SVG from a ready Vega-Lite dict (skips Altair's validation: for widgets)."""
    return _with_description(vl_convert_svg(spec), spec.get("description"))


def to_svg(chart):
    """The chart as SVG text, rendered offline by vl-convert.

    The chart's description (its plain-text summary) is embedded as the SVG's
    ``<desc>`` and ``aria-label`` so that screen readers announce it.

    Examples
    --------
    >>> import dpmkit as dk
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> dk.charts.to_svg(dk.charts.time_series(r, ["staff"])).startswith("<svg")
    True
    """
    # Altair's own save() validates the whole spec against the Vega-Lite schema first,
    # which costs about 0.3 s a chart; the kit's builders are validated in the tests, so
    # render the dict directly (nbval runs every notebook chart through here).
    spec = chart.to_dict(validate=False)
    svg = vl_convert_svg(spec)
    return _with_description(svg, _description_of(chart))


def static(chart):
    """Display ``chart`` as a static SVG image (no JavaScript, works offline).

    Returns an ``IPython.display.SVG`` object, so a cell ending with
    ``dk.charts.static(chart)`` shows the picture.
    """
    from IPython.display import SVG

    return SVG(data=to_svg(chart))


def save(chart, path, *, scale=2):
    """Save ``chart`` as a PNG or SVG file for handouts (rendered offline).

    Parameters
    ----------
    chart : altair chart
    path : str or Path
        Ending in ``.png`` or ``.svg``.
    scale : float
        PNG resolution multiplier (2 prints crisply on A4).

    Returns
    -------
    Path

    Examples
    --------
    >>> import dpmkit as dk, tempfile, pathlib
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "staff.png"
    >>> dk.charts.save(dk.charts.time_series(r, ["staff"]), out).exists()
    True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(to_svg(chart), encoding="utf-8")
    elif suffix == ".png":
        if not (isinstance(scale, (int, float)) and not isinstance(scale, bool) and 0 < scale <= 10):
            raise ModelError(f"scale must be a number between 0 and 10, got {scale!r}")
        chart.save(str(path), format="png", scale_factor=float(scale))
    else:
        raise ModelError(f"save charts as .png or .svg, not {path.name!r}")
    return path


def _description_of(chart):
    value = getattr(chart, "description", alt.Undefined)
    return "" if value is alt.Undefined or value is None else str(value)


# --------------------------------------------------------------------------- styling

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


def _title(text, subtitle=None):
    kwargs = {"fontSize": FONT["title"], "anchor": "start", "subtitleFontSize": FONT["subtitle"]}
    if subtitle:
        kwargs["subtitle"] = subtitle
    return alt.TitleParams(text, **kwargs)


def _series_scales(domain, legend_title, legend=True):
    """Colour and dash encodings over one ordered domain (never colour alone)."""
    n = len(domain)
    colours = [PALETTE[i % len(PALETTE)] for i in range(n)]
    dashes = [DASHES[i % len(DASHES)] for i in range(n)]
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
    """The time axis; calendar years are written 2012, not 2,012."""
    times = np.asarray(list(times), dtype=float)
    calendar = times.size and np.nanmin(times) >= 1000 and np.nanmax(times) <= 3000
    return _axis(title, format="d") if calendar else _axis(title)


def _time_title(time_units):
    return f"Time ({time_units})" if time_units else "Time"


def _size(width, height):
    for what, v in (("width", width), ("height", height)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 50 <= v <= 4000:
            raise ModelError(f"{what} must be a number of pixels between 50 and 4000, got {v!r}")
    return {"width": width, "height": height}


# --------------------------------------------------------------------------- describe

def _fmt(v):
    """A number as a reader would write it: 3 significant figures, thousands separated."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    if a < 1e-12:  # round-off around zero (e.g. 8.3e-20) reads as 0
        return "0"
    text = f"{v:.3g}"
    return text if "e" not in text else f"{v:.2e}"


def _time_text(t):
    """A time as text: whole numbers plainly, otherwise to at most two decimals."""
    t = float(t)
    if abs(t - round(t)) < 1e-9:
        return f"{round(t)}"
    return f"{t:.2f}".rstrip("0").rstrip(".")


def _time_label(t, time_units):
    """'month 12', or just '2012.25' for calendar years."""
    t_text = _time_text(t)
    if time_units in ("year", "years") and 1000 <= float(t) <= 3000:
        return t_text
    return f"{time_units} {t_text}" if time_units else f"time {t_text}"


def _when(t, time_units):
    return f"in {_time_label(t, time_units)}"


def _lower_first(text):
    """Lower-case a label's first letter for use inside a sentence, sparing acronyms (NEET, FTE)."""
    text = str(text)
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _label(model, name):
    """A variable's label with its units, leaving out 'dimensionless'."""
    v = model[name]
    return f"{v.label} ({v.units})" if v.units and v.units != "dimensionless" else v.label


def _describe_series(label, time, values, time_units):
    """One sentence: what rises, what falls, when it peaks."""
    y = np.asarray(values, dtype=float)
    t = np.asarray(time, dtype=float)
    ok = np.isfinite(y)
    if not ok.any():
        return f"{label} has no finite values."
    y, t = y[ok], t[ok]
    start, end = y[0], y[-1]
    lo, hi = float(y.min()), float(y.max())
    span = hi - lo
    scale = max(abs(lo), abs(hi))
    if span <= 0.01 * scale or span == 0:
        return f"{label} stays level at about {_fmt(np.mean(y))}."
    imax, imin = int(np.argmax(y)), int(np.argmin(y))
    # A turning point counts only if it stands out from both ends by 5% of the range.
    peak = 0 < imax < len(y) - 1 and hi - max(start, end) > 0.05 * span
    trough = 0 < imin < len(y) - 1 and min(start, end) - lo > 0.05 * span
    if peak and trough:
        first, second = sorted([(imax, "peak", hi), (imin, "low", lo)])
        return (
            f"{label} starts at {_fmt(start)}, reaches a {first[1]} of {_fmt(first[2])} "
            f"{_when(t[first[0]], time_units)} and a {second[1]} of {_fmt(second[2])} "
            f"{_when(t[second[0]], time_units)}, and ends at {_fmt(end)}."
        )
    if peak:
        return (
            f"{label} rises from {_fmt(start)} to a peak of {_fmt(hi)} {_when(t[imax], time_units)}, "
            f"then falls to {_fmt(end)}."
        )
    if trough:
        return (
            f"{label} falls from {_fmt(start)} to a low of {_fmt(lo)} {_when(t[imin], time_units)}, "
            f"then recovers to {_fmt(end)}."
        )
    verb = "rises" if end > start else "falls"
    change = ""
    if start != 0 and np.sign(start) == np.sign(end):
        change = f" ({(end - start) / abs(start):+,.0%})"
    return f"{label} {verb} from {_fmt(start)} to {_fmt(end)}{change}."


def describe(data, names=None, *, time_units=None, labels=None):
    """A plain-text summary of trajectories: what rises, what falls, when it peaks.

    Parameters
    ----------
    data : Result, EnsembleResult or DataFrame
        A run; an ensemble (its median is described); a tidy frame with columns
        ``time, variable, value`` (and optionally ``scenario``); an ensemble summary
        (``time, variable, median, ...``); or a wide frame indexed by time.
    names : list of str, optional
        Variables to describe (default: all in ``data``, or the stocks of a run).
    time_units : str, optional
        E.g. ``"month"``; taken from the model when ``data`` is a result.
    labels : dict, optional
        Readable names for variables in a frame.

    Returns
    -------
    str
        One sentence per variable (and per scenario).

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.Model("grow", [dk.Stock("users", 100, units="people"),
    ...     dk.Flow("joining", "users * growth", into="users", units="people/year"),
    ...     dk.Param("growth", 0.1, units="1/year")], stop=5)
    >>> dk.charts.describe(dk.simulate(model), ["users"], time_units="year")
    'Users (people) rises from 100 to 161 (+61%).'
    """
    from .results import EnsembleResult, Result

    labels = dict(labels or {})
    if isinstance(data, Result):
        names = _names(data, names)
        tu = time_units if time_units is not None else data.model.time_units
        return " ".join(_describe_series(_label(data.model, n), data.time, data[n], tu) for n in names)
    if isinstance(data, EnsembleResult):
        names = _names(data, names)
        tu = time_units if time_units is not None else data.model.time_units
        return " ".join(
            _describe_series(f"The median of {_label(data.model, n)}", data.time, np.median(data[n], axis=1), tu)
            for n in names
        )
    pd = _pandas()
    if not isinstance(data, pd.DataFrame):
        raise ModelError(
            f"describe() takes a Result, an EnsembleResult or a DataFrame, not {type(data).__name__}"
        )
    cols = set(data.columns)
    if {"time", "variable"} <= cols and ("value" in cols or "median" in cols):
        column = "value" if "value" in cols else "median"
        prefix = "" if column == "value" else "The median of "
        frame = data if names is None else _filter_variables(data, names)
        sentences = []
        groups = [(None, frame)] if "scenario" not in cols else list(frame.groupby("scenario", sort=False))
        for scen, sub in groups:
            for var, part in sub.groupby("variable", sort=False):
                part = part.sort_values("time")
                label = prefix + labels.get(var, str(var))
                if scen is not None:
                    label = f"In scenario {scen!r}, {label[:1].lower() + label[1:] if prefix else label}"
                sentences.append(_describe_series(label, part["time"], part[column], time_units))
        return " ".join(sentences)
    names = list(data.columns) if names is None else _as_list(names)
    missing = [n for n in names if n not in cols]
    if missing:
        raise ModelError(f"no column {missing[0]!r} in the table; it has: {', '.join(map(str, data.columns))}",
                         variable=str(missing[0]))
    time = data.index.to_numpy(dtype=float)
    return " ".join(_describe_series(labels.get(n, str(n)), time, data[n], time_units) for n in names)


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
            from .expressions import suggest

            raise ModelError(
                f"no variable {n!r} in the table" + suggest(str(n), [str(k) for k in known])
                + f"; it has: {', '.join(map(str, known))}",
                variable=str(n),
            )
    return frame[frame["variable"].isin(names)]


# --------------------------------------------------------------------------- time series

def _series_records(result, names, idx):
    """Rows ``{time, value, variable, series}`` built straight from arrays (no pandas: this
    runs on every slider release)."""
    time = result.time[idx].tolist()
    rows = []
    for n in names:
        label = result.model[n].label
        values = np.asarray(result[n], dtype=float)[idx]
        for t, v in zip(time, values.tolist()):
            if math.isfinite(v):
                rows.append({"time": t, "value": v, "variable": n, "series": label})
    return rows


def _line_panel(data, series_domain, y_title, x_title, legend_title, width, height, legend=True, members=None,
                x_domain=None, times=()):
    colour, dash = _series_scales(series_domain, legend_title, legend)
    chart = alt.Chart(data)
    if members is not None:
        chart = chart.transform_filter(alt.FieldOneOfPredicate(field="variable", oneOf=list(members)))
    x_scale = alt.Scale(nice=False) if x_domain is None else alt.Scale(nice=False, domain=list(x_domain))
    return chart.mark_line(strokeWidth=3).encode(
        x=alt.X("time:Q", axis=_time_axis(x_title, times), scale=x_scale),
        y=alt.Y("value:Q", axis=_axis(y_title), scale=alt.Scale(zero=False)),
        color=colour,
        strokeDash=dash,
        tooltip=[
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("time:Q", title="Time", format=",.4~g"),
            alt.Tooltip("value:Q", title="Value", format=",.4~g"),
        ],
    ).properties(width=width, height=height)


def _time_series_chart(model, names, current, base, title, width, height, x_domain=None, base_note=None):
    """Panels by units; ``current``/``base`` are Altair data (inline values or named)."""
    size = _size(width, height)
    x_title = _time_title(model.time_units)
    domain = [model[n].label for n in names]
    groups = {}
    for n in names:
        groups.setdefault(model[n].units, []).append(n)
    panels = []
    for units, members in groups.items():
        y_title = _label(model, members[0]) if len(members) == 1 else (units or "value")
        layers = []
        if base is not None:
            layers.append(
                alt.Chart(base).transform_filter(alt.FieldOneOfPredicate(field="variable", oneOf=members))
                .mark_line(strokeWidth=2, color="#777777", opacity=0.8).encode(
                    x=alt.X("time:Q"), y=alt.Y("value:Q"), detail="series:N",
                    tooltip=[alt.Tooltip("series:N", title="Base run"), alt.Tooltip("time:Q", format=",.4~g"),
                             alt.Tooltip("value:Q", format=",.4~g")],
                )
            )
        layers.append(_line_panel(current, domain, y_title, x_title, "Variable", members=members,
                                  x_domain=x_domain, times=(model.start, model.stop), **size))
        panels.append(alt.layer(*layers).properties(**size))
    subtitle = (base_note or "Grey lines: base run") if base is not None else None
    chart = alt.vconcat(*panels, spacing=24).resolve_scale(color="shared", strokeDash="shared")
    return chart.properties(title=_title(title or model.label, subtitle))


def time_series(result, names=None, *, title=None, base=None, width=WIDTH, height=HEIGHT, max_points=MAX_POINTS):
    """Line chart of variables over time, labelled with their declared names and units.

    Variables with different units get separate panels (one y-axis each), stacked
    and sharing the time axis, so that no axis mixes units.

    Parameters
    ----------
    result : Result
    names : str or list of str, optional
        Variables to plot (default: the model's stocks).
    title : str, optional
        Chart title (default: the model's label).
    base : Result, optional
        A base run of the same model, drawn as thin grey lines for comparison.
    width, height : int
        Size of each panel in pixels.
    max_points : int
        Longest series drawn; longer runs are thinned evenly (ends kept).

    Returns
    -------
    altair chart
        Its ``description`` is the plain-text summary from :func:`describe`.

    Examples
    --------
    >>> import dpmkit as dk
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> chart = dk.charts.time_series(r, ["waiting_list", "served"])
    >>> chart.to_dict()["vconcat"][0]["layer"][0]["mark"]["type"]
    'line'
    """
    from .results import Result

    if not isinstance(result, Result):
        raise ModelError(f"time_series() takes a Result from dk.simulate, not {type(result).__name__}; "
                         "for scenario tables use dk.charts.scenarios, for ensembles dk.charts.fan")
    names = _names(result, names)
    _size(width, height)
    base_data = None
    if base is not None:
        if not isinstance(base, Result) or base.model.name != result.model.name:
            raise ModelError("base must be a Result of the same model")
        for n in names:
            base._index(n)
        base_data = alt.Data(values=_series_records(base, names, _thin_index(len(base.time), max_points)))
    current = alt.Data(values=_series_records(result, names, _thin_index(len(result.time), max_points)))
    chart = _time_series_chart(result.model, names, current, base_data, title, width, height)
    return chart.properties(description=describe(result, names))


class _LiveTimeSeries:
    """A time-series spec made (and validated) once, whose data is swapped on each run.

    Building and validating an Altair chart costs ~100 ms; swapping two named
    datasets in a ready dict costs ~1 ms, which is what keeps widgets responsive.
    """

    def __init__(self, model, names, *, with_base=True, title=None, width=WIDTH, height=HEIGHT, max_points=200,
                 x_domain=None, base_note=None):
        self.model = model
        self.names = list(names)
        self.max_points = max_points
        self.with_base = with_base
        chart = _time_series_chart(model, self.names, alt.Data(name="current"),
                                   alt.Data(name="base") if with_base else None, title, width, height,
                                   x_domain=x_domain, base_note=base_note)
        self.template = chart.to_dict()

    def spec(self, result, base=None):
        """The Vega-Lite dict for ``result`` (and the base run), with its description."""
        spec = dict(self.template)
        idx = _thin_index(len(result.time), self.max_points)
        datasets = {"current": _series_records(result, self.names, idx)}
        if self.with_base:
            datasets["base"] = [] if base is None else _series_records(
                base, self.names, _thin_index(len(base.time), self.max_points))
        spec["datasets"] = datasets
        spec["description"] = describe(result, self.names)
        return spec


# --------------------------------------------------------------------------- scenarios

SCENARIO_COLUMNS = ("scenario", "time", "variable", "value")


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


def scenarios(frame, names=None, *, model=None, labels=None, units=None, title=None, time_units=None,
              width=WIDTH, height=HEIGHT, max_points=MAX_POINTS):
    """Overlay of scenarios: one panel per variable, one line style per scenario.

    Parameters
    ----------
    frame : DataFrame
        Tidy comparison table with columns ``scenario, time, variable, value``
        (what ``dk.compare`` returns).
    names : list of str, optional
        Variables to show (default: all in the table, in order of appearance).
    model : Model, optional
        Gives readable labels, units and the time unit. Without it, ``labels`` and
        ``units`` (dicts by variable name) are used if given.
    title, time_units : str, optional
    width, height, max_points
        As in :func:`time_series`.

    Returns
    -------
    altair chart
        With a plain-text ``description`` comparing the scenarios.

    Examples
    --------
    >>> import dpmkit as dk, pandas as pd
    >>> m = dk.models.load("demo")
    >>> runs = {"base": {}, "cut posts": {"staff_target": 14}}
    >>> frame = pd.concat([dk.simulate(m, p).to_long(["waiting_list"]).assign(scenario=s)
    ...                    for s, p in runs.items()])
    >>> chart = dk.charts.scenarios(frame, model=m)
    """
    _check_columns(frame, SCENARIO_COLUMNS, "scenarios()")
    if frame.empty:
        raise ModelError("scenarios() got an empty table: run at least one scenario")
    model = model if model is not None else frame.attrs.get("model")
    if model is not None and time_units is None:
        time_units = model.time_units
    size = _size(width, height)
    frame = frame if names is None else _filter_variables(frame, names)
    frame = frame[list(SCENARIO_COLUMNS)].copy()
    frame["scenario"] = frame["scenario"].astype(str)
    frame["value"] = frame["value"].astype(float)
    frame["time"] = frame["time"].astype(float)
    domain = list(dict.fromkeys(frame["scenario"]))
    variables = list(dict.fromkeys(frame["variable"]))
    frame = _thin_frame(frame, max_points)
    frame = frame.rename(columns={"scenario": "series"})
    panels = []
    label_map = {}
    for var in variables:
        label, unit = _var_meta(var, model, labels, units)
        label_map[var] = f"{label} ({unit})" if unit else label
        sub = frame[frame["variable"] == var]
        panel = _line_panel(_data(sub), domain, unit or label, _time_title(time_units), "Scenario",
                            times=(frame["time"].min(), frame["time"].max()), **size)
        panels.append(panel.properties(title=alt.TitleParams(label, fontSize=FONT["axis_title"], anchor="start")))
    text = describe(frame.rename(columns={"series": "scenario"}), time_units=time_units, labels=label_map)
    chart = alt.vconcat(*panels, spacing=24).resolve_scale(color="shared", strokeDash="shared")
    return chart.properties(title=_title(title or "Scenarios compared"), description=text)


# --------------------------------------------------------------------------- fan

FAN_COLUMNS = ("time", "variable", "q05", "q25", "median", "q75", "q95")
_BANDS = ("90% of runs (5th–95th percentile)", "50% of runs (25th–75th percentile)", "Median")


def fan(ensemble_or_summary, name=None, *, base=None, model=None, title=None, time_units=None,
        width=WIDTH, height=HEIGHT, max_points=MAX_POINTS):
    """Monte-Carlo fan chart: the median and the 50% and 90% bands over time.

    Parameters
    ----------
    ensemble_or_summary : EnsembleResult or DataFrame
        An ensemble, or its ``summary()`` (columns ``time, variable, mean, q05,
        q25, median, q75, q95``).
    name : str
        The variable to show (optional when the summary holds only one).
    base : Result, optional
        A single run (e.g. with the defaults) drawn as a black dashed line.
    model : Model, optional
        Labels and units for a summary table (an ensemble carries its own).

    Returns
    -------
    altair chart
        Its ``description`` says how wide the spread is at the end.

    Examples
    --------
    >>> import dpmkit as dk
    >>> ens = dk.ensemble(dk.models.load("demo"), n=100, seed=1)
    >>> chart = dk.charts.fan(ens, "waiting_list")
    >>> "90% of runs" in chart.description
    True
    """
    from .results import EnsembleResult, Result

    n_runs = None
    if not isinstance(ensemble_or_summary, EnsembleResult) and isinstance(
            getattr(ensemble_or_summary, "ensemble", None), EnsembleResult):
        ensemble_or_summary = ensemble_or_summary.ensemble  # dk.uncertainty's result
    if isinstance(ensemble_or_summary, EnsembleResult):
        ens = ensemble_or_summary
        if name is None:
            raise ModelError(f"say which variable to show, e.g. name={ens.names[0]!r}")
        ens._index(name)
        summary = ens.summary([name])
        model = ens.model
        n_runs = ens.n_runs
    else:
        summary = ensemble_or_summary
        _check_columns(summary, FAN_COLUMNS, "fan()")
        variables = list(dict.fromkeys(summary["variable"]))
        if name is None:
            if len(variables) != 1:
                raise ModelError(f"the summary holds several variables; say which, e.g. name={variables[0]!r}")
            name = variables[0]
        summary = _filter_variables(summary, [name])
    if model is not None and time_units is None:
        time_units = model.time_units
    size = _size(width, height)
    label, unit = _var_meta(name, model)
    cols = [c for c in FAN_COLUMNS if c != "variable"]
    data = summary[cols].astype(float).sort_values("time")
    data = _thin_frame(data, max_points)
    colour = alt.Color(
        "band:N", scale=alt.Scale(domain=list(_BANDS), range=["#b9d7ee", "#5ba3d6", "#0b3d66"]),
        legend=_legend("Spread across runs"), sort=list(_BANDS),
    )
    x = alt.X("time:Q", axis=_time_axis(_time_title(time_units), summary["time"]), scale=alt.Scale(nice=False))
    y_title = f"{label} ({unit})" if unit else label
    base_chart = alt.Chart(_data(data))
    layers = [
        base_chart.mark_area(opacity=0.9).encode(
            x=x, y=alt.Y("q05:Q", axis=_axis(y_title), scale=alt.Scale(zero=False)), y2="q95:Q", color=colour,
            tooltip=[alt.Tooltip("time:Q", format=",.4~g"), alt.Tooltip("q05:Q", title="5th percentile",
                     format=",.4~g"), alt.Tooltip("q95:Q", title="95th percentile", format=",.4~g")],
        ).transform_calculate(band=f"'{_BANDS[0]}'"),
        base_chart.mark_area(opacity=0.9).encode(x=x, y="q25:Q", y2="q75:Q", color=colour)
        .transform_calculate(band=f"'{_BANDS[1]}'"),
        base_chart.mark_line(strokeWidth=3).encode(
            x=x, y="median:Q", color=colour,
            tooltip=[alt.Tooltip("time:Q", format=",.4~g"), alt.Tooltip("median:Q", format=",.4~g")],
        ).transform_calculate(band=f"'{_BANDS[2]}'"),
    ]
    subtitle = None
    if base is not None:
        if not isinstance(base, Result):
            raise ModelError("base must be a Result from dk.simulate")
        base._index(name)
        bdata = alt.Data(values=_series_records(base, [name], _thin_index(len(base.time), max_points)))
        layers.append(alt.Chart(bdata).mark_line(strokeWidth=2, strokeDash=[6, 4], color="black").encode(
            x="time:Q", y="value:Q"))
        subtitle = "Dashed black line: single run with the given parameters"
    final = data.iloc[-1]
    spread = (f"{'Across ' + format(n_runs, ',') + ' runs, b' if n_runs else 'B'}y the end "
              f"({_when(final['time'], time_units)[3:] if time_units else 'time ' + _fmt(final['time'])}) "
              f"90% of runs lie between {_fmt(final['q05'])} and {_fmt(final['q95'])}, "
              f"half between {_fmt(final['q25'])} and {_fmt(final['q75'])}.")
    text = _describe_series(f"The median of {y_title}", data["time"], data["median"], time_units) + " " + spread
    chart = alt.layer(*layers).properties(**size)
    return chart.properties(title=_title(title or f"{label}: range of outcomes", subtitle), description=text)


# --------------------------------------------------------------------------- regime plane

#: Default axis pairs recognised by :func:`regime_path`: (x, y, x_high, y_high).
_REGIME_AXES = (
    ("imposition", "plan_rigidity", "imposed", "planned"),
    ("negotiation", "emergence", "negotiated", "emergent"),
)


def _sides(values, mid, margin, high, low):
    """Side of the midline for each value, with hysteresis so a path hugging the line
    does not flicker between cells."""
    side = None
    for v in values:
        if abs(v - mid) >= margin:
            side = high if v > mid else low
            break
    side = side or (high if values[0] >= mid else low)
    out = []
    for v in values:
        if abs(v - mid) >= margin:
            side = high if v > mid else low
        out.append(side)
    return out


def regime_path(data, x=None, y=None, *, x_high="imposed", y_high="planned", title=None, time_units=None,
                marks=5, domain=(0.0, 1.0), width=520, height=520, max_points=MAX_POINTS):
    """A trajectory through the imposed/negotiated x planned/emergent plane.

    The plane is always drawn the same way round: *negotiated* on the left,
    *imposed* on the right (who sets the performance regime); *emergent* at the
    bottom, *planned* at the top (how the regime evolves). The four cells carry the
    kit's names for them (:data:`REGIME_CELLS`).

    Parameters
    ----------
    data : Result or DataFrame
        A run that records ``x`` and ``y``; or a table with columns ``time``, ``x``,
        ``y`` and optionally ``scenario`` (several paths) and ``label`` (a note shown
        at that point, e.g. for a hand-placed journey like Surrey 2009–2019).
    x, y : str, optional
        The two variables. Default: ``imposition`` and ``plan_rigidity`` if present,
        else ``negotiation`` and ``emergence`` (as in the ``pm_regimes`` model).
    x_high : {"imposed", "negotiated"}
        What a high value of ``x`` means (the axis is flipped for "negotiated").
    y_high : {"planned", "emergent"}
        What a high value of ``y`` means.
    marks : int
        How many time points to mark and label along each path (start and end always).
    domain : (float, float)
        The range of both variables; values outside raise ModelError.

    Returns
    -------
    altair chart
        Its ``description`` lists the cells the path passes through, and when.

    Examples
    --------
    >>> import dpmkit as dk, pandas as pd
    >>> journey = pd.DataFrame({"time": [2009, 2011, 2013, 2017], "imposition": [0.8, 0.4, 0.2, 0.8],
    ...                         "plan_rigidity": [0.8, 0.7, 0.3, 0.3]})
    >>> chart = dk.charts.regime_path(journey, time_units="year")
    >>> chart.description.split(",")[0]
    'The path starts in the imposed–planned cell (Targets and terror) in 2009'
    """
    from .results import Result

    pd = _pandas()
    if x_high not in ("imposed", "negotiated"):
        raise ModelError(f"x_high must be 'imposed' or 'negotiated', got {x_high!r}")
    if y_high not in ("planned", "emergent"):
        raise ModelError(f"y_high must be 'planned' or 'emergent', got {y_high!r}")
    try:
        lo, hi = (float(v) for v in domain)
    except (TypeError, ValueError):
        raise ModelError(f"domain must be a pair (low, high), got {domain!r}") from None
    if not lo < hi:
        raise ModelError(f"domain must be (low, high) with low < high, got {domain!r}")
    available = data.names if isinstance(data, Result) else getattr(data, "columns", ())
    if x is None and y is None:
        for ax, ay, hx, hy in _REGIME_AXES:
            if ax in available and ay in available:
                x, y, x_high, y_high = ax, ay, hx, hy
                break
        else:
            raise ModelError("say which variables span the plane, e.g. x='imposition', y='plan_rigidity'")
    elif x is None or y is None:
        raise ModelError("give both x and y (the two variables that span the plane)")
    if isinstance(data, Result):
        for n in (x, y):
            data._index(n)
        time_units = data.model.time_units if time_units is None else time_units
        idx = _thin_index(len(data.time), max_points)
        frame = pd.DataFrame({"time": data.time[idx], "x": data[x][idx], "y": data[y][idx], "scenario": ""})
        axis_names = (data.model[x].label, data.model[y].label)
    else:
        _check_columns(data, ("time", x, y), "regime_path()")
        frame = pd.DataFrame({"time": data["time"].astype(float).to_numpy(), "x": data[x].astype(float).to_numpy(),
                              "y": data[y].astype(float).to_numpy(),
                              "scenario": data["scenario"].astype(str).to_numpy() if "scenario" in data else ""})
        if "label" in data:
            frame["label"] = data["label"].fillna("").astype(str).to_numpy()
        axis_names = (x.replace("_", " ").capitalize(), y.replace("_", " ").capitalize())
    if frame.empty:
        raise ModelError("regime_path() needs at least one point")
    for col, var in (("x", x), ("y", y)):
        values = frame[col].to_numpy()
        bad = np.flatnonzero(~np.isfinite(values) | (values < lo - 1e-9) | (values > hi + 1e-9))
        if bad.size:
            k = bad[0]
            raise ModelError(
                f"{var!r} is {values[k]:g} at time {frame['time'].iloc[k]:g}, outside the plane's range "
                f"{lo:g} to {hi:g}; pass domain=(low, high) if the model uses another scale",
                variable=var, time=float(frame["time"].iloc[k]),
            )
    size = _size(width, height)
    mid, span = (lo + hi) / 2, hi - lo
    flip_x, flip_y = x_high != "imposed", y_high != "planned"

    def to_x(u):  # visual position 0 (negotiated) .. 1 (imposed) -> data value
        return hi - u * span if flip_x else lo + u * span

    def to_y(v):  # visual position 0 (emergent) .. 1 (planned) -> data value
        return hi - v * span if flip_y else lo + v * span

    xs = alt.Scale(domain=[lo, hi], nice=False, reverse=flip_x)
    ys = alt.Scale(domain=[lo, hi], nice=False, reverse=flip_y)
    x_title = f"Negotiated  ←  {axis_names[0]}  →  Imposed"
    y_title = f"Emergent  ←  {axis_names[1]}  →  Planned"
    tints = {("imposed", "planned"): "#f4e3cf", ("imposed", "emergent"): "#f6d9d0",
             ("negotiated", "planned"): "#dce9f3", ("negotiated", "emergent"): "#d9efe6"}
    layers = []
    labels = []
    for (who, how), name in REGIME_CELLS.items():
        u0, u1 = (0.5, 1.0) if who == "imposed" else (0.0, 0.5)
        v0, v1 = (0.5, 1.0) if how == "planned" else (0.0, 0.5)
        rect = {"x0": to_x(u0), "x1": to_x(u1), "y0": to_y(v0), "y1": to_y(v1)}
        axis_x = _axis(x_title, values=[lo, mid, hi]) if not layers else alt.Undefined
        axis_y = _axis(y_title, values=[lo, mid, hi]) if not layers else alt.Undefined
        layers.append(alt.Chart(alt.Data(values=[rect])).mark_rect(color=tints[(who, how)]).encode(
            x=alt.X("x0:Q", scale=xs, axis=axis_x), x2="x1:Q",
            y=alt.Y("y0:Q", scale=ys, axis=axis_y), y2="y1:Q"))
        labels.append({"tx": to_x(u0 + 0.02), "ty": to_y(v1 - 0.02), "head": f"{who.capitalize()} – {how}",
                       "name": name})
    label_data = alt.Data(values=labels)
    layers.append(alt.Chart(label_data).mark_text(
        align="left", baseline="top", fontSize=FONT["text"], fontWeight="bold", color="#333333").encode(
        x=alt.X("tx:Q", scale=xs), y=alt.Y("ty:Q", scale=ys), text="head:N"))
    layers.append(alt.Chart(label_data).mark_text(
        align="left", baseline="top", dy=20, fontSize=FONT["text"], fontStyle="italic", color="#333333").encode(
        x=alt.X("tx:Q", scale=xs), y=alt.Y("ty:Q", scale=ys), text="name:N"))
    paths = list(dict.fromkeys(frame["scenario"]))
    frame = frame.sort_values(["scenario", "time"], kind="stable").reset_index(drop=True)
    frame["order"] = np.arange(len(frame))
    frame["series"] = frame["scenario"].replace("", "path")
    series = [p or "path" for p in paths]
    marked = []
    for scen in paths:
        part = frame[frame["scenario"] == scen]
        first, last = part.index[0], part.index[-1]
        if "label" in part:
            chosen = part.index[(part["label"] != "") | (part.index == first) | (part.index == last)]
        else:
            chosen = part.index[_thin_index(len(part), max(2, int(marks)))]
        for i in chosen:
            row = frame.loc[i]
            text = _time_text(row["time"])
            if "label" in frame and row["label"]:
                text = f"{text}: {row['label']}"
            marked.append({"x": float(row["x"]), "y": float(row["y"]), "time": float(row["time"]), "text": text,
                           "series": row["series"],
                           "point": "end" if i == last else ("start" if i == first else "on the way")})
    point_kinds = ["start", "on the way", "end"]
    shape = alt.Shape("point:N", scale=alt.Scale(domain=point_kinds, range=["circle", "diamond", "triangle-up"]),
                      legend=_legend("Point", orient="right"), sort=point_kinds)
    tooltip = [alt.Tooltip("time:Q", format=",.4~g"), alt.Tooltip("x:Q", title=axis_names[0], format=".2f"),
               alt.Tooltip("y:Q", title=axis_names[1], format=".2f")]
    line_data = _data(frame[["x", "y", "time", "order", "series"]])
    if len(paths) > 1:
        colour, dash = _series_scales(series, "Path")
        line = alt.Chart(line_data).mark_line(strokeWidth=3).encode(
            x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), order="order:Q", color=colour, strokeDash=dash,
            tooltip=tooltip)
        point_colour = alt.Color("series:N", scale=alt.Scale(domain=series, range=list(PALETTE[:len(series)])),
                                 legend=None)
    else:
        line = alt.Chart(line_data).mark_line(strokeWidth=3, color="#0b3d66").encode(
            x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), order="order:Q", tooltip=tooltip)
        point_colour = alt.value("#0b3d66")
    layers.append(line)
    layers.append(alt.Chart(alt.Data(values=marked)).mark_point(size=180, filled=True, opacity=1).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), shape=shape, color=point_colour, tooltip=tooltip))
    layers.append(alt.Chart(alt.Data(values=marked)).mark_text(
        align="left", dx=10, dy=-10, fontSize=FONT["text"]).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), text="text:N"))
    margin = 0.02 * span
    low_x = "negotiated" if x_high == "imposed" else "imposed"
    low_y = "emergent" if y_high == "planned" else "planned"
    sentences = []
    for scen in paths:
        part = frame[frame["scenario"] == scen]
        who_side = _sides(part["x"].to_numpy(), mid, margin, x_high, low_x)
        how_side = _sides(part["y"].to_numpy(), mid, margin, y_high, low_y)
        visits = []
        for cell, t in zip(zip(who_side, how_side), part["time"]):
            if not visits or visits[-1][0] != cell:
                visits.append((cell, t))
        who = f"In {scen!r}, the" if scen else "The"
        cell, t = visits[0]
        parts = [f"{who} path starts in the {cell[0]}–{cell[1]} cell ({REGIME_CELLS[cell]}) {_when(t, time_units)}"]
        for cell, t in visits[1:]:
            parts.append(f"moves into the {cell[0]}–{cell[1]} cell ({REGIME_CELLS[cell]}) {_when(t, time_units)}")
        if len(visits) == 1:
            parts.append("stays there")
        end = part.iloc[-1]
        sentences.append(", ".join(parts) + f", and ends at {_lower_first(axis_names[0])} {_fmt(end['x'])}, "
                         f"{_lower_first(axis_names[1])} {_fmt(end['y'])} {_when(end['time'], time_units)}.")
    chart = alt.layer(*layers).properties(**size)
    return chart.properties(title=_title(title or "Performance-management regime over time"),
                            description=" ".join(sentences))


# --------------------------------------------------------------------------- tornado

TORNADO_COLUMNS = ("output", "param", "param_low", "param_high", "output_low", "output_base", "output_high", "swing")


def tornado(table, output=None, *, model=None, top=12, title=None, width=WIDTH, height=None):
    """Tornado chart of one-at-a-time sensitivity: which parameters move an output most.

    Parameters
    ----------
    table : DataFrame
        What ``dk.sensitivity(model, ..., method="oat")`` returns (columns ``output,
        param, param_low, param_base, param_high, output_low, output_base,
        output_high, swing``).
    output : str, optional
        Which output to show (optional when the table holds only one).
    model : Model, optional
        Gives readable labels and units of parameters and the output.
    top : int
        Show the ``top`` parameters with the largest swing.

    Returns
    -------
    altair chart
        Bars from the base value to the output with each parameter at the low end
        and at the high end of its range; labels at the bar ends give the parameter
        values (so the two ends are told apart by text as well as colour).

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.models.load("demo")
    >>> chart = dk.charts.tornado(dk.sensitivity(m, outputs="waiting_list"), model=m)
    >>> chart.description.split(" moves")[0]
    'Waiting list (people) at the end'
    """
    _check_columns(table, TORNADO_COLUMNS, "tornado()")
    if table.empty:
        raise ModelError("tornado() got an empty table")
    outputs = list(dict.fromkeys(table["output"]))
    if output is None:
        if len(outputs) != 1:
            raise ModelError(f"the table holds several outputs; say which, e.g. output={outputs[0]!r}")
        output = outputs[0]
    if output not in outputs:
        from .expressions import suggest

        raise ModelError(f"no output {output!r} in the table" + suggest(str(output), [str(o) for o in outputs])
                         + f"; it has: {', '.join(map(str, outputs))}", variable=str(output))
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ModelError(f"top must be a whole number of at least 1, got {top!r}")
    sub = table[table["output"] == output].sort_values("swing", ascending=False, kind="stable").head(int(top))
    out_label, out_unit = _var_meta(output, model)
    out_title = f"{out_label} ({out_unit})" if out_unit else out_label
    base_value = float(sub["output_base"].iloc[0])
    rows, order = [], []
    for _, r in sub.iterrows():
        p_label, p_unit = _var_meta(r["param"], model)
        name = f"{p_label} ({_fmt(r['param_low'])}–{_fmt(r['param_high'])}{' ' + p_unit if p_unit else ''})"
        order.append(name)
        # The end with the smaller output is labelled on the left, the other on the
        # right, so the two labels never sit on top of each other.
        low_is_left = float(r["output_low"]) <= float(r["output_high"])
        for end in ("low", "high"):
            rows.append({"param": name, "end": f"{end} end of its range", "base": base_value,
                         "value": float(r[f"output_{end}"]), "setting": _fmt(r[f"param_{end}"]),
                         "align": "right" if (end == "low") == low_is_left else "left"})
    values = [row["value"] for row in rows] + [base_value]
    lo_v, hi_v = min(values), max(values)
    pad = 0.12 * (hi_v - lo_v) or max(abs(hi_v), 1.0) * 0.1
    x_scale = alt.Scale(zero=False, nice=False, domain=[lo_v - pad, hi_v + pad])
    ends = ["low end of its range", "high end of its range"]
    colour = alt.Color("end:N", scale=alt.Scale(domain=ends, range=[PALETTE[0], PALETTE[1]]),
                       legend=_legend("Parameter at the"), sort=ends)
    y = alt.Y("param:N", sort=order, axis=_axis(None, labelLimit=420))
    data = alt.Data(values=rows)
    height = height or max(120, 44 * len(order))
    size = _size(width, height)
    bars = alt.Chart(data).mark_bar(size=26, opacity=0.9).encode(
        y=y, x=alt.X("base:Q", axis=_axis(out_title), scale=x_scale), x2="value:Q", color=colour,
        tooltip=[alt.Tooltip("param:N", title="Parameter"), alt.Tooltip("end:N", title="Set to"),
                 alt.Tooltip("setting:N", title="Value"), alt.Tooltip("value:Q", title="Output", format=",.4~g")],
    )
    base_rule = alt.Chart(alt.Data(values=[{"base": base_value}])).mark_rule(color="black", strokeWidth=2).encode(
        x="base:Q")
    left = alt.Chart(data).transform_filter("datum.align == 'right'").mark_text(
        align="right", dx=-6, fontSize=FONT["text"]).encode(y=y, x="value:Q", text="setting:N")
    right = alt.Chart(data).transform_filter("datum.align == 'left'").mark_text(
        align="left", dx=6, fontSize=FONT["text"]).encode(y=y, x="value:Q", text="setting:N")
    at_text = "at the end of the run"
    lead = sub.iloc[0]
    lead_label = _var_meta(lead["param"], model)[0]
    text = (f"{out_title} at the end moves most with {_lower_first(lead_label)} "
            f"(from {_fmt(lead['output_low'])} to {_fmt(lead['output_high'])} across its range; "
            f"base {_fmt(base_value)})")
    if len(sub) > 1:
        others = ", ".join(f"{_lower_first(_var_meta(p, model)[0])} (swing {_fmt(s)})"
                           for p, s in zip(sub["param"].iloc[1:4], sub["swing"].iloc[1:4]))
        text += f", then {others}"
    text += "."
    chart = alt.layer(bars, base_rule, left, right).properties(**size)
    subtitle = f"Each parameter moved alone to the ends of its range; black line: base value {at_text}"
    return chart.properties(title=_title(title or f"What moves {_lower_first(out_label)} most", subtitle),
                            description=text)


# --------------------------------------------------------------------------- frontier

def frontier(result, objectives=None, *, model=None, at=None, title=None, width=560, height=420):
    """The trade-off between (up to) three objectives, with the frontier highlighted.

    The first objective runs along the x-axis, the second up the y-axis; the third
    is shown by colour *and* point size (a colour-blind-safe sequential scale).
    Settings on the frontier (no other setting is at least as good on every
    objective and better on one) are filled; dominated ones are small hollow
    circles; the current setting is a labelled cross.

    Parameters
    ----------
    result : FrontierResult or DataFrame
        What ``dk.frontier`` returns, or its ``points`` table (objective columns,
        ``dominated``, optionally ``base`` and ``at``).
    objectives : list of str, optional
        Which objective columns to plot, in order (default: the result's own).
    model : Model, optional
        Gives readable labels and units.
    at : float, optional
        Which horizon to show when the result has several (default: the last).

    Returns
    -------
    altair chart

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.models.load("three_objectives")
    >>> f = dk.frontier(m, {"service_quality": "max", "outcomes": "max", "governance": "max"}, n=60, seed=1)
    >>> chart = dk.charts.frontier(f, model=m)
    """
    directions = {}
    if hasattr(result, "points") and hasattr(result, "objectives"):
        points = result.points
        directions = dict(result.objectives)
        objectives = list(directions) if objectives is None else _as_list(objectives)
        levers = list(getattr(result, "levers", []))
    else:
        points = result
        _check_columns(points, ("dominated",), "frontier()")
        if objectives is None:
            raise ModelError("with a points table, say which columns are the objectives, e.g. objectives=['a', 'b']")
        objectives = _as_list(objectives)
        levers = []
    if not 2 <= len(objectives) <= 3:
        raise ModelError(f"frontier() shows two or three objectives, got {len(objectives)}: {objectives}")
    _check_columns(points, tuple(objectives) + ("dominated",), "frontier()")
    frame = points
    if "at" in frame.columns:
        horizons = sorted(frame["at"].unique())
        if at is None:
            at = horizons[-1]
        if not any(abs(h - float(at)) < 1e-9 * max(1.0, abs(h)) for h in horizons):
            raise ModelError(f"no horizon at={at!r} in the result; it has {', '.join(_fmt(h) for h in horizons)}",
                             time=float(at))
        frame = frame[np.isclose(frame["at"].astype(float), float(at))]
    size = _size(width, height)
    meta = {o: _var_meta(o, model) for o in objectives}
    titles = {o: (f"{meta[o][0]} ({meta[o][1]})" if meta[o][1] else meta[o][0])
              + (f" — {'higher' if directions[o] == 'max' else 'lower'} is better" if o in directions else "")
              for o in objectives}
    pd = _pandas()
    cols = {f"o{i}": frame[o].astype(float).to_numpy() for i, o in enumerate(objectives)}
    plot = pd.DataFrame(cols)
    plot["status"] = np.where(frame["dominated"].to_numpy(dtype=bool), "dominated", "on the frontier")
    plot["current"] = frame["base"].to_numpy(dtype=bool) if "base" in frame.columns else False
    for lever in levers:
        plot[lever] = frame[lever].astype(float).to_numpy()
    tooltip = [alt.Tooltip(f"o{i}:Q", title=meta[o][0], format=",.3~g") for i, o in enumerate(objectives)]
    tooltip += [alt.Tooltip(f"{lv}:Q", title=_var_meta(lv, model)[0], format=",.3~g") for lv in levers]
    x = alt.X("o0:Q", axis=_axis(titles[objectives[0]]), scale=alt.Scale(zero=False))
    y = alt.Y("o1:Q", axis=_axis(titles[objectives[1]]), scale=alt.Scale(zero=False))
    data = _data(plot)
    dominated = alt.Chart(data).transform_filter("datum.status == 'dominated'").mark_point(
        size=40, filled=False, color="#9a9a9a", opacity=0.7).encode(x=x, y=y, tooltip=tooltip)
    front_enc = {"x": x, "y": y, "tooltip": tooltip}
    if len(objectives) == 3:
        front_enc["color"] = alt.Color("o2:Q", scale=alt.Scale(scheme="viridis"),
                                       legend=_legend(titles[objectives[2]], orient="right", direction="vertical"))
        front_enc["size"] = alt.Size("o2:Q", scale=alt.Scale(range=[60, 420]), legend=None)
    else:
        front_enc["color"] = alt.value(PALETTE[0])
        front_enc["size"] = alt.value(160)
    front = alt.Chart(data).transform_filter("datum.status != 'dominated'").mark_point(
        filled=True, opacity=0.95, stroke="black", strokeWidth=0.5).encode(**front_enc)
    layers = [dominated, front]
    current = plot[plot["current"]]
    if len(current):
        cur = alt.Chart(data).transform_filter("datum.current").mark_point(
            shape="cross", size=420, filled=True, color="black").encode(x=x, y=y, tooltip=tooltip)
        cur_text = alt.Chart(data).transform_filter("datum.current").mark_text(
            text="current setting", align="left", dx=14, dy=-12, fontSize=FONT["text"], fontWeight="bold").encode(
            x=x, y=y)
        layers += [cur, cur_text]
    n_front = int((plot["status"] == "on the frontier").sum())
    text = f"{n_front} of {len(plot)} settings are on the frontier"
    if len(current):
        if current["status"].iloc[0] == "dominated":
            text += "; the current setting is not: another setting does at least as well on every objective"
        else:
            text += ", including the current setting"
    text += "."
    front_pts = plot[plot["status"] == "on the frontier"]
    if len(front_pts) >= 3 and front_pts["o0"].nunique() > 1 and front_pts["o1"].nunique() > 1:
        rho = float(front_pts[["o0", "o1"]].rank().corr().iloc[0, 1])
        if rho < -0.3:
            text += (f" Along the frontier, more {_lower_first(meta[objectives[0]][0])} comes with less "
                     f"{_lower_first(meta[objectives[1]][0])}: a trade-off.")
        elif rho > 0.3:
            text += (f" Along the frontier, {_lower_first(meta[objectives[0]][0])} and "
                     f"{_lower_first(meta[objectives[1]][0])} rise together.")
    if len(front_pts):
        ranges = [f"{_lower_first(meta[o][0])} from {_fmt(front_pts[f'o{i}'].min())} to {_fmt(front_pts[f'o{i}'].max())}"
                  for i, o in enumerate(objectives)]
        text += " On the frontier, " + ", ".join(ranges) + "."
    subtitle = "Filled: on the frontier; hollow grey: beaten on every objective by another setting"
    if at is not None and "at" in points.columns:
        subtitle += f"; judged at time {_fmt(at)}"
    chart = alt.layer(*layers).properties(**size)
    return chart.properties(title=_title(title or "Trade-offs between objectives", subtitle), description=text)


# --------------------------------------------------------------------------- calibration

def _cite(key):
    from . import evidence

    src = evidence.get(key)  # ModelError naming an unknown key
    return f"{src.citation} [{src.status}]"


def _point_sources(sources, observed, variables):
    """``(notes, by_point)``: the distinct citations, and the citation of each observed point.

    ``sources`` maps variables to evidence keys (all of a series' points share them), or
    times to keys (as ``surrey.observed().attrs["sources"]`` does).
    """
    if not sources:
        return [], {}
    if not hasattr(sources, "items"):
        raise ModelError("sources must be a dict {variable: evidence key} or {time: evidence key}")
    by_point = {}
    keys = list(sources)
    if all(isinstance(k, (int, float, np.integer, np.floating)) and not isinstance(k, bool) for k in keys):
        for t, key in sources.items():
            rows = observed[np.isclose(observed["time"].astype(float), float(t), rtol=0, atol=1e-6)]
            if rows.empty:
                raise ModelError(f"sources gives a source for time {float(t):g}, but nothing was observed then",
                                 time=float(t))
            for var in rows["variable"]:
                by_point.setdefault((var, round(float(t), 6)), []).append(_cite(key))
    else:
        for var, key_or_keys in sources.items():
            if var not in variables:
                raise ModelError(f"sources names {var!r}, which is not shown; shown: {', '.join(variables)}",
                                 variable=str(var))
            cites = [_cite(k) for k in _as_list(key_or_keys)]
            for t in observed.loc[observed["variable"] == var, "time"]:
                by_point.setdefault((var, round(float(t), 6)), []).extend(cites)
    notes = list(dict.fromkeys(c for cites in by_point.values() for c in cites))
    return notes, {k: "; ".join(dict.fromkeys(v)) for k, v in by_point.items()}


def calibration(fit, names=None, *, sources=None, title=None, width=WIDTH, height=HEIGHT,
                max_points=MAX_POINTS):
    """Fitted trajectories against the observed points, with the fit and the sources.

    Parameters
    ----------
    fit : Calibration or Recalibration
        What ``dk.calibrate`` returns (one fitted run), or ``dk.recalibrate`` (one
        forecast per refit, showing how the forecast moved as data arrived).
    names : list of str, optional
        Observed variables to show (default: all of them).
    sources : dict, optional
        Where the observations come from: ``{variable: evidence key or list of
        keys}``, or ``{time: evidence key}`` (as in ``surrey.observed().attrs["sources"]``).
        Each citation is shown with its status (published, derived, assumption) under
        the title and in the tooltip of its points.

    Returns
    -------
    altair chart

    Examples
    --------
    >>> import dpmkit as dk
    >>> m = dk.models.load("demo")
    >>> obs = dk.simulate(m, {"referral_rate": 45}).to_frame(["waiting_list"]).iloc[::24]
    >>> chart = dk.charts.calibration(dk.calibrate(m, obs, ["referral_rate"]))
    >>> "RMSE" in chart.description
    True
    """
    pd = _pandas()
    if hasattr(fit, "fitted") and hasattr(fit, "result"):
        model = fit.model
        observed = fit.fitted.rename(columns={"observed": "value"})[["time", "variable", "value"]]
        variables = list(dict.fromkeys(observed["variable"]))
        forecasts = None
    elif hasattr(fit, "forecasts") and hasattr(fit, "observed"):
        model = fit.fits[0].model if getattr(fit, "fits", None) else None
        observed = fit.observed
        variables = list(dict.fromkeys(observed["variable"]))
        forecasts = fit.forecasts
    else:
        raise ModelError(f"calibration() takes the result of dk.calibrate or dk.recalibrate, not {type(fit).__name__}")
    if names is not None:
        names = _as_list(names)
        for n in names:
            if n not in variables:
                raise ModelError(f"{n!r} was not observed in this calibration; observed: {', '.join(variables)}",
                                 variable=n)
        variables = names
    notes, point_source = _point_sources(sources, observed, variables)
    size = _size(width, height)
    time_units = model.time_units if model is not None else None
    x_title = _time_title(time_units)
    panels, sentences = [], []
    for var in variables:
        label, unit = _var_meta(var, model)
        y_title = f"{label} ({unit})" if unit else label
        obs = observed[observed["variable"] == var][["time", "value"]].astype(float)
        obs = obs.assign(kind="observed", source=[point_source.get((var, round(float(t), 6)), "not given")
                                                  for t in obs["time"]])
        y = alt.Y("value:Q", axis=_axis(y_title), scale=alt.Scale(zero=False))
        x = alt.X("time:Q", axis=_time_axis(x_title, observed["time"]), scale=alt.Scale(nice=False))
        points = alt.Chart(_data(obs)).mark_point(size=110, filled=True, color="black", shape="circle").encode(
            x=x, y=y, tooltip=[alt.Tooltip("time:Q", format=",.4~g"),
                               alt.Tooltip("value:Q", title="Observed", format=",.4~g"),
                               alt.Tooltip("source:N", title="Source")])
        if forecasts is None:
            r = fit.result
            idx = _thin_index(len(r.time), max_points)
            line_frame = pd.DataFrame({"time": r.time[idx], "value": np.asarray(r[var])[idx]})
            line = alt.Chart(_data(line_frame)).mark_line(strokeWidth=3, color=PALETTE[0]).encode(
                x=x, y=y, tooltip=[alt.Tooltip("time:Q", format=",.4~g"),
                                   alt.Tooltip("value:Q", title="Fitted", format=",.4~g")])
            row = fit.fit.loc[var]
            stats = f"RMSE {_fmt(row['rmse'])}, R² {row['r2']:.2f}"
            panels.append(alt.layer(line, points).properties(
                **size, title=alt.TitleParams(f"{label}: fitted line, observed points ({stats})",
                                              fontSize=FONT["axis_title"], anchor="start")))
            res = fit.fitted[fit.fitted["variable"] == var]
            worst = res.iloc[int(np.argmax(np.abs(res["residual"].to_numpy())))]
            sentences.append(
                f"{y_title}: the fitted run follows {len(res)} observed points with RMSE {_fmt(row['rmse'])} "
                f"and R² {row['r2']:.2f}; the largest miss is {_fmt(worst['residual'])} "
                f"{_when(worst['time'], time_units)}."
            )
        else:
            fc = forecasts[forecasts["variable"] == var][["fitted_until", "time", "value"]].astype(float)
            fc = _thin_frame(fc, max_points)
            cutoffs = sorted(fc["fitted_until"].unique())
            fc = fc.assign(series=fc["fitted_until"].map(lambda c: f"data to {_time_text(c)}"))
            domain = [f"data to {_time_text(c)}" for c in cutoffs]
            colour = alt.Color("series:N", scale=alt.Scale(scheme="viridis", domain=domain),
                               legend=_legend("Forecast using"), sort=domain)
            dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=domain,
                                  range=[DASHES[i % len(DASHES)] for i in range(len(domain))]),
                                  legend=_legend("Forecast using"), sort=domain)
            lines = alt.Chart(_data(fc)).mark_line(strokeWidth=2.5).encode(
                x=x, y=y, color=colour, strokeDash=dash, detail="series:N",
                tooltip=[alt.Tooltip("series:N", title="Forecast"), alt.Tooltip("time:Q", format=",.4~g"),
                         alt.Tooltip("value:Q", format=",.4~g")])
            cut_rules = alt.Chart(alt.Data(values=[{"time": float(c)} for c in cutoffs])).mark_rule(
                color="#bbbbbb", strokeDash=[2, 2]).encode(x=x)  # share the time scale (not from zero)
            panels.append(alt.layer(cut_rules, lines, points).properties(
                **size, title=alt.TitleParams(f"{label}: forecasts as data arrived; points observed",
                                              fontSize=FONT["axis_title"], anchor="start")))
            last = fc[fc["fitted_until"] == cutoffs[-1]]
            first = fc[fc["fitted_until"] == cutoffs[0]]
            sentences.append(
                f"{y_title}: {len(cutoffs)} refits; the forecast for {_when(first['time'].iloc[-1], time_units)[3:] if time_units else 'the end'} "
                f"moved from {_fmt(first['value'].iloc[-1])} (data to {_time_text(cutoffs[0])}) to "
                f"{_fmt(last['value'].iloc[-1])} (data to {_time_text(cutoffs[-1])})."
            )
    if hasattr(fit, "table") and forecasts is None:
        est = "; ".join(f"{_lower_first(_var_meta(name, model)[0])} = {_fmt(r['estimate'])}"
                        for name, r in fit.table.iterrows())
        sentences.append(f"Fitted values: {est}.")
    if notes:
        sentences.append("Observed data: " + "; ".join(notes) + ".")
    chart = alt.vconcat(*panels, spacing=28).resolve_scale(color="independent", strokeDash="independent")
    subtitle = ["Observed data: " + notes[0]] + ["    " + n for n in notes[1:]] if notes else None
    return chart.properties(title=_title(title or "Model against data", subtitle), description=" ".join(sentences))
