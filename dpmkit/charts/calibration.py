"""Fitted trajectories against observed points, with the fit and the sources."""

from __future__ import annotations

import numpy as np

from .. import words
from ..errors import ModelError
from ._style import (
    DASHES,
    FONT,
    HEIGHT,
    MAX_POINTS,
    PALETTE,
    WIDTH,
    _as_list,
    _axis,
    _checked,
    _data,
    _legend,
    _pandas,
    _size,
    _thin_frame,
    _thin_index,
    _time_axis,
    _time_title,
    _title,
    _var_meta,
    alt,
)


def _cite(key):
    from .. import evidence

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
        y_title = words.axis_title(label, unit)
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
            stats = f"RMSE {words.number(row['rmse'])}, R² {row['r2']:.2f}"
            panels.append(alt.layer(line, points).properties(
                **size, title=alt.TitleParams(f"{label}: fitted line, observed points ({stats})",
                                              fontSize=FONT["axis_title"], anchor="start")))
            res = fit.fitted[fit.fitted["variable"] == var]
            worst = res.iloc[int(np.argmax(np.abs(res["residual"].to_numpy())))]
            sentences.append(
                f"{y_title}: the fitted run follows {len(res)} observed points with RMSE {words.number(row['rmse'])} "
                f"and R² {row['r2']:.2f}; the largest miss is {words.number(worst['residual'])} "
                f"{words.when(worst['time'], time_units)}."
            )
        else:
            fc = forecasts[forecasts["variable"] == var][["fitted_until", "time", "value"]].astype(float)
            fc = _thin_frame(fc, max_points)
            cutoffs = sorted(fc["fitted_until"].unique())
            fc = fc.assign(series=fc["fitted_until"].map(lambda c: f"data to {words.time_label(c, time_units)}"))
            domain = [f"data to {words.time_label(c, time_units)}" for c in cutoffs]
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
                f"{y_title}: {len(cutoffs)} refits; the forecast for "
                f"{words.when(first['time'].iloc[-1], time_units)[3:] if time_units else 'the end'} "
                f"moved from {words.number(first['value'].iloc[-1])} (data to {words.time_value(cutoffs[0])}) to "
                f"{words.number(last['value'].iloc[-1])} (data to {words.time_value(cutoffs[-1])})."
            )
    if hasattr(fit, "table") and forecasts is None:
        est = "; ".join(f"{words.lower_first(_var_meta(name, model)[0])} = {words.number(r['estimate'])}"
                        for name, r in fit.table.iterrows())
        sentences.append(f"Fitted values: {est}.")
    if notes:
        sentences.append("Observed data: " + "; ".join(notes) + ".")
    chart = alt.vconcat(*panels, spacing=28).resolve_scale(color="independent", strokeDash="independent")
    subtitle = ["Observed data: " + notes[0]] + ["    " + n for n in notes[1:]] if notes else None
    chart = chart.properties(title=_title(title or "Model against data", subtitle), description=" ".join(sentences))
    return _checked(chart)
