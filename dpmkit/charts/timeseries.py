"""Time series: one run (with a base run), a live chart for widgets, and scenarios overlaid."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import threading

import numpy as np

from .. import words
from ..errors import ModelError
from ._style import (
    FONT,
    HEIGHT,
    MAX_POINTS,
    WIDTH,
    _axis,
    _check_columns,
    _checked,
    _data,
    _filter_variables,
    _names,
    _series_scales,
    _size,
    _thin_frame,
    _thin_index,
    _time_axis,
    _time_title,
    _title,
    _var_meta,
    alt,
    subtitle_lines,
    title_lines,
)
from .describe import describe


def _calendar_years(model):
    return words.is_calendar(model.start, model.time_units) and words.is_calendar(model.stop, model.time_units)


def _series_records(result, names, idx):
    """Rows ``{time, value, variable, series}`` built straight from arrays (no pandas: this
    runs on every slider release). In calendar years each row also says ``when`` as people
    say it ("July 2010"), which the tooltips show instead of 2010.58."""
    time = result.time[idx].tolist()
    model = result.model
    when = _when_labels(tuple(time), model.time_units) if _calendar_years(model) else None
    rows = []
    for n in names:
        label = model[n].label
        values = np.asarray(result[n], dtype=float)[idx]
        for i, (t, v) in enumerate(zip(time, values.tolist())):
            if math.isfinite(v):
                row = {"time": t, "value": v, "variable": n, "series": label}
                if when is not None:
                    row["when"] = when[i]
                rows.append(row)
    return rows


@functools.lru_cache(maxsize=64)
def _when_labels(times, time_units):
    """"July 2010" for each time: the same few hundred labels on every slider release of a
    widget (and for every page of a room), so they are written once per time grid."""
    return tuple(words.time_label(t, time_units) for t in times)


def _time_tooltip(calendar, title="Time"):
    """Calendar times read as "July 2010" (the rows' ``when``); other times as numbers."""
    if calendar:
        return alt.Tooltip("when:N", title="When" if title == "Time" else title)
    return alt.Tooltip("time:Q", title=title, format=",.4~g")


def _line_panel(data, series_domain, y_title, x_title, legend_title, width, height, legend=True, members=None,
                x_domain=None, times=(), calendar=False):
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
            _time_tooltip(calendar),
            alt.Tooltip("value:Q", title="Value", format=",.4~g"),
        ],
    ).properties(width=width, height=height)


def _panels(model, names, width, height):
    """What both builders of the time-series chart share: its size, calendar, time-axis
    title, colour domain (the labels) and the outputs grouped into one panel per unit."""
    groups = {}
    for n in names:
        groups.setdefault(model[n].units, []).append(n)
    return (_size(width, height), _calendar_years(model), _time_title(model.time_units),
            [model[n].label for n in names], groups)


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
    from ..results import Result

    if not isinstance(result, Result):
        raise ModelError(f"time_series() takes a Result from dk.simulate, not {type(result).__name__}; "
                         "for scenario tables use dk.charts.scenarios, for ensembles dk.charts.fan")
    names = _names(result, names)
    _size(width, height)
    rows = {}
    if base is not None:
        if not isinstance(base, Result) or base.model.name != result.model.name:
            raise ModelError("base must be a Result of the same model")
        for n in names:
            base._index(n)
        rows["base"] = _series_records(base, names, _thin_index(len(base.time), max_points))
    rows["current"] = _series_records(result, names, _thin_index(len(result.time), max_points))
    # one source for the static and the live chart: the live template, with the rows as
    # its named datasets (the same spec a widget draws after its first run)
    # (without the theme's config: Altair adds it when the chart is written, and a chart
    # holding a config cannot go inside ``&``, ``|`` or ``alt.vconcat``)
    spec = _time_series_dict(result.model, names, base is not None, title, width, height, themed=False)
    spec["description"] = describe(result, names)
    return _checked(_chart_of(spec, rows))


def _chart_of(spec, datasets):
    """The Altair chart of a time-series dict, holding the dict's panels as they are.

    ``VConcatChart.from_dict`` finds the class of every nested part by validating it
    against the schema's alternatives (0.13-0.15 s, more than the rest of the chart, in a
    new kernel); here only the panels become schema objects (``LayerSpec``: so ``&``,
    ``alt.vconcat`` and ``.properties`` work as on any concatenated chart) and their
    contents stay the dicts they are. The spec is validated when written (``to_dict``,
    when a notebook shows the chart) and in the tests.
    """
    top = {key: value for key, value in spec.items() if key not in ("$schema", "vconcat")}
    with alt.utils.schemapi.debug_mode(False):  # no validation of each panel as it is made
        panels = [alt.LayerSpec(**panel) for panel in spec["vconcat"]]
    return _TimeSeriesChart(vconcat=panels, datasets=datasets, **top)


class _TimeSeriesChart(alt.VConcatChart):
    """The chart :func:`time_series` returns: Altair's ``VConcatChart`` whose rows are named
    datasets ("current", "base", as in the widgets' live template). Vega-Lite allows
    ``datasets`` only at the top of a spec, so inside another chart (``chart & other``,
    ``alt.vconcat(chart, other)``, ``chart | other``) its datasets move up to the top; a
    name already taken there by other rows (two runs' "current") is replaced by one made
    from the rows, as Altair names inline data. On its own the chart is written exactly
    as built."""

    def to_dict(self, validate=True, *, format="vega-lite", ignore=None, context=None):
        if context is None or context.get("top_level", True):
            # its own rows hold their names against the rows of charts inside it (``chart & other``)
            own = self._kwds.get("datasets")
            context = dict(context or {})
            context["datasets"] = {**context.get("datasets", {}), **(own if isinstance(own, dict) else {})}
            return super().to_dict(validate, format=format, ignore=ignore, context=context)
        spec = super().to_dict(validate, format=format, ignore=ignore, context=context)
        if "datasets" not in context:
            return spec
        taken, names = context["datasets"], {}
        for name, rows in spec.pop("datasets", {}).items():
            if name in taken and taken[name] != rows:
                name_of_rows = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
                names[name] = f"data-{name_of_rows[:32]}"
            taken.setdefault(names.get(name, name), rows)
        return _renamed_data(spec, names) if names else spec


def _renamed_data(spec, names):
    """``spec`` with each ``"data": {"name": old}`` naming ``names[old]`` instead."""
    if isinstance(spec, list):
        return [_renamed_data(part, names) for part in spec]
    if not isinstance(spec, dict):
        return spec
    out = {}
    for key, value in spec.items():
        if key == "data" and isinstance(value, dict) and set(value) == {"name"} and value["name"] in names:
            out[key] = {"name": names[value["name"]]}
        else:
            out[key] = _renamed_data(value, names)
    return out


# ----------------------------------------------------------------------------- live charts as plain dicts
# The time-series chart is written directly as a Vega-Lite dict with named datasets: the
# widgets' chart (LiveTimeSeries) swaps the datasets on each run, and time_series() puts
# the rows in and hands the dict to Altair. Building it through Altair objects cost about
# 0.3 s of objects, deep copies and schema validation (1-2 s on a loaded machine) in each
# new kernel, before the first explorer appears. tests/test_charts.py validates the
# specs against the Vega-Lite schema.

def _axis_dict(title, **kwargs):
    kwargs.setdefault("labelLimit", 260)
    return {"title": title, "titleFontSize": FONT["axis_title"], "labelFontSize": FONT["axis_label"],
            "titleFontWeight": "normal", **kwargs}


def _legend_dict(title):
    return {"title": title, "titleFontSize": FONT["legend"], "labelFontSize": FONT["legend"], "symbolStrokeWidth": 3,
            "symbolSize": 240, "labelLimit": 360, "titleLimit": 480, "orient": "bottom", "direction": "vertical"}


def _title_dict(text, subtitle=None):
    title = {"text": title_lines(text), "fontSize": FONT["title"], "anchor": "start",
             "subtitleFontSize": FONT["subtitle"]}
    if subtitle:
        title["subtitle"] = subtitle_lines(subtitle)
    return title


def _time_tooltip_dict(calendar, title="Time"):
    if calendar:
        return {"field": "when", "type": "nominal", "title": "When" if title == "Time" else title}
    return {"field": "time", "type": "quantitative", "title": title, "format": ",.4~g"}


def _time_series_dict(model, names, with_base, title, width, height, x_domain=None, base_note=None, themed=True):
    """The time-series chart as the Vega-Lite dict Altair writes (``to_dict()``), with named
    datasets "current" (and "base" when ``with_base``), without building Altair objects:
    one panel per unit, a coloured and dashed line per variable, grey base-run lines.
    ``themed=False`` leaves out the active theme (its ``config``), which Altair adds itself
    when it writes a chart."""
    size, calendar, x_title, domain, groups = _panels(model, names, width, height)
    from ._style import PALETTE, _dash

    colours = [PALETTE[i % len(PALETTE)] for i in range(len(domain))]
    dashes = [list(_dash(i)) for i in range(len(domain))]
    x_axis = _time_axis_dict(x_title, (model.start, model.stop))
    x_scale = {"nice": False} if x_domain is None else {"nice": False, "domain": [float(x) for x in x_domain]}
    panels = []
    for units, members in groups.items():
        y_title = words.axis_title(model[members[0]]) if len(members) == 1 else (units or "value")
        keep = [{"filter": {"field": "variable", "oneOf": list(members)}}]
        layers = []
        if with_base:
            layers.append({
                "data": {"name": "base"},
                "mark": {"type": "line", "color": "#777777", "opacity": 0.8, "strokeWidth": 2},
                "encoding": {
                    "detail": {"field": "series", "type": "nominal"},
                    "tooltip": [{"field": "series", "type": "nominal", "title": "Base run"},
                                _time_tooltip_dict(calendar),
                                {"field": "value", "type": "quantitative", "title": "Value", "format": ",.4~g"}],
                    "x": {"field": "time", "type": "quantitative"},
                    "y": {"field": "value", "type": "quantitative"},
                },
                "transform": [dict(t) for t in keep],
            })
        legend = _legend_dict("Variable")
        layers.append({
            "data": {"name": "current"},
            "mark": {"type": "line", "strokeWidth": 3},
            "encoding": {
                "color": {"field": "series", "type": "nominal", "legend": dict(legend),
                          "scale": {"domain": list(domain), "range": list(colours)}, "sort": list(domain)},
                "strokeDash": {"field": "series", "type": "nominal", "legend": dict(legend),
                               "scale": {"domain": list(domain), "range": [list(d) for d in dashes]},
                               "sort": list(domain)},
                "tooltip": [{"field": "series", "type": "nominal", "title": "Series"}, _time_tooltip_dict(calendar),
                            {"field": "value", "type": "quantitative", "title": "Value", "format": ",.4~g"}],
                "x": {"field": "time", "type": "quantitative", "axis": dict(x_axis), "scale": dict(x_scale)},
                "y": {"field": "value", "type": "quantitative", "axis": _axis_dict(y_title),
                      "scale": {"zero": False}},
            },
            "transform": keep,
        })
        panels.append({"layer": layers, **size})
    subtitle = (base_note or "Grey lines: base run") if with_base else None
    spec = {}
    if not with_base:  # every layer draws the same data: Altair moves it up to the top
        for panel in panels:
            for layer in panel["layer"]:
                del layer["data"]
        spec["data"] = {"name": "current"}
    spec |= {"vconcat": panels, "spacing": 24, "resolve": {"scale": {"color": "shared", "strokeDash": "shared"}},
            "title": _title_dict(title or model.label, subtitle), "$schema": alt.SCHEMA_URL}
    theme = alt.theme.get() if themed else None
    return alt.utils.update_nested(theme(), spec, copy=True) if theme else spec


def _time_axis_dict(title, times):
    """As :func:`dpmkit.charts._style._time_axis`: 2012, not 2,012; 1, 2, 3, not 1.0, 2.0, 3.0."""
    times = np.asarray(list(times), dtype=float)
    calendar = times.size and np.nanmin(times) >= 1000 and np.nanmax(times) <= 3000
    if calendar:
        return _axis_dict(title, format="d")
    whole = {"tickMinStep": 1} if times.size and np.nanmax(times) - np.nanmin(times) >= 4 else {}
    return _axis_dict(title, format=",.6~g", **whole)


#: Templates of live charts already built in this process, by everything they depend on
#: (a room serves the same explorer to 30 participants: the first page builds it, the
#: others reuse it). Bounded: the oldest is dropped beyond _TEMPLATE_LIMIT.
_TEMPLATES = {}
_TEMPLATE_LIMIT = 64
_TEMPLATE_LOCK = threading.Lock()


def _template_key(model, names, with_base, title, width, height, x_domain, base_note):
    return (title or model.label, tuple((n, model[n].label, model[n].units) for n in names), model.time_units,
            float(model.start), float(model.stop), bool(with_base), width, height,
            None if x_domain is None else tuple(float(x) for x in x_domain), base_note)


class LiveTimeSeries:
    """A time-series spec made once, whose data is swapped on each run.

    The template is the Vega-Lite dict of :func:`time_series` with named datasets,
    written directly as a dict (the same spec Altair writes, checked and validated
    against the Vega-Lite schema in the tests): building it through Altair cost about
    0.3 s in each new kernel (1-2 s on a loaded machine). Swapping two named datasets in
    a ready dict costs about 1 ms, which keeps widgets responsive. The template is made
    once per process for the same model variables, title and size, and shared
    (read-only) by every later widget.
    """

    def __init__(self, model, names, *, with_base=True, title=None, width=WIDTH, height=HEIGHT, max_points=200,
                 x_domain=None, base_note=None):
        self.model = model
        self.names = list(names)
        self.max_points = max_points
        self.with_base = with_base
        key = _template_key(model, self.names, with_base, title, width, height, x_domain, base_note)
        template = _TEMPLATES.get(key)
        if template is None:
            template = _time_series_dict(model, self.names, with_base, title, width, height,
                                         x_domain=x_domain, base_note=base_note)
            with _TEMPLATE_LOCK:  # the room's pages build widgets on several threads
                while len(_TEMPLATES) >= _TEMPLATE_LIMIT:
                    _TEMPLATES.pop(next(iter(_TEMPLATES)))
                template = _TEMPLATES.setdefault(key, template)
        self.template = template
        self._base_rows = None  # (base Result, its rows) of the last spec

    def spec(self, result, base=None):
        """The Vega-Lite dict for ``result`` (and the base run), with its description."""
        spec = dict(self.template)
        idx = _thin_index(len(result.time), self.max_points)
        datasets = {"current": _series_records(result, self.names, idx)}
        if self.with_base:
            if base is None:
                datasets["base"] = []
            else:
                # the base run stays the same over many slider releases: its rows are kept
                if self._base_rows is None or self._base_rows[0] is not base:
                    self._base_rows = (base, _series_records(base, self.names,
                                                             _thin_index(len(base.time), self.max_points)))
                datasets["base"] = self._base_rows[1]
        spec["datasets"] = datasets
        spec["description"] = describe(result, self.names)
        return spec


SCENARIO_COLUMNS = ("scenario", "time", "variable", "value")


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
    frame["scenario"] = frame["scenario"].map(words.scenarios(frame["scenario"]))
    frame["value"] = frame["value"].astype(float)
    frame["time"] = frame["time"].astype(float)
    domain = list(dict.fromkeys(frame["scenario"]))
    variables = list(dict.fromkeys(frame["variable"]))
    frame = _thin_frame(frame, max_points)
    frame = frame.rename(columns={"scenario": "series"})
    calendar = bool(len(frame)) and words.is_calendar(frame["time"].min(), time_units) and words.is_calendar(
        frame["time"].max(), time_units)
    if calendar:
        frame["when"] = [words.time_label(t, time_units) for t in frame["time"]]
    panels = []
    label_map = {}
    for var in variables:
        label, unit = _var_meta(var, model, labels, units)
        label_map[var] = words.axis_title(label, unit)
        sub = frame[frame["variable"] == var]
        panel = _line_panel(_data(sub), domain, unit or label, _time_title(time_units), "Scenario",
                            times=(frame["time"].min(), frame["time"].max()), calendar=calendar, **size)
        panels.append(panel.properties(title=alt.TitleParams(label, fontSize=FONT["axis_title"], anchor="start")))
    text = describe(frame.rename(columns={"series": "scenario"}), time_units=time_units, labels=label_map)
    chart = alt.vconcat(*panels, spacing=24).resolve_scale(color="shared", strokeDash="shared")
    return _checked(chart.properties(title=_title(title or "Scenarios compared"), description=text))
