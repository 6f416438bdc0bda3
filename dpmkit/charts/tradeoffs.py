"""The trade-off between objectives, with the frontier highlighted."""

from __future__ import annotations

import numpy as np

from .. import words
from ..errors import ModelError
from ._style import (
    FONT,
    PALETTE,
    _as_list,
    _axis,
    _check_columns,
    _checked,
    _data,
    _legend,
    _pandas,
    _size,
    _title,
    _var_meta,
    alt,
)


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
            raise ModelError(f"no horizon at={at!r} in the result; it has "
                             f"{', '.join(words.number(h) for h in horizons)}",
                             time=float(at))
        frame = frame[np.isclose(frame["at"].astype(float), float(at))]
    size = _size(width, height)
    meta = {o: _var_meta(o, model) for o in objectives}
    titles = {o: words.axis_title(*meta[o])
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
                                       legend=_legend(titles[objectives[2]], orient="bottom", direction="horizontal"))
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
            text += (f" Along the frontier, more {words.lower_first(meta[objectives[0]][0])} comes with less "
                     f"{words.lower_first(meta[objectives[1]][0])}: a trade-off.")
        elif rho > 0.3:
            text += (f" Along the frontier, {words.lower_first(meta[objectives[0]][0])} and "
                     f"{words.lower_first(meta[objectives[1]][0])} rise together.")
    if len(front_pts):
        ranges = [f"{words.lower_first(meta[o][0])} from {words.number(front_pts[f'o{i}'].min())} "
                  f"to {words.number(front_pts[f'o{i}'].max())}"
                  for i, o in enumerate(objectives)]
        text += " On the frontier, " + ", ".join(ranges) + "."
    subtitle = "Filled: on the frontier; hollow grey: beaten on every objective by another setting"
    if at is not None and "at" in points.columns:
        subtitle += f"; judged at time {words.number(at)}"
    chart = alt.layer(*layers).properties(**size)
    chart = chart.properties(title=_title(title or "Trade-offs between objectives", subtitle), description=text)
    return _checked(chart)
