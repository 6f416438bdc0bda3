"""Monte-Carlo fan charts: the median and the 50% and 90% bands over time."""

from __future__ import annotations

from .. import words
from ..errors import ModelError
from ._style import (
    HEIGHT,
    MAX_POINTS,
    WIDTH,
    _axis,
    _check_columns,
    _checked,
    _data,
    _filter_variables,
    _legend,
    _size,
    _thin_frame,
    _thin_index,
    _time_axis,
    _time_title,
    _title,
    _var_meta,
    alt,
)
from .describe import _describe_series
from .timeseries import _series_records

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
    from ..results import EnsembleResult, Result

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
    y_title = words.axis_title(label, unit)
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
              f"({words.when(final['time'], time_units)[3:] if time_units else 'time ' + words.number(final['time'])}) "
              f"90% of runs lie between {words.number(final['q05'])} and {words.number(final['q95'])}, "
              f"half between {words.number(final['q25'])} and {words.number(final['q75'])}.")
    text = _describe_series(f"The median of {y_title}", data["time"], data["median"], time_units) + " " + spread
    chart = alt.layer(*layers).properties(**size)
    return _checked(chart.properties(title=_title(title or f"{label}: range of outcomes", subtitle), description=text))
