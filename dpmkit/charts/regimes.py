"""A trajectory through the imposed/negotiated x planned/emergent plane."""

from __future__ import annotations

import itertools

import numpy as np

from .. import words
from ..errors import ModelError
from ._style import (
    FONT,
    MAX_POINTS,
    PALETTE,
    _axis,
    _check_columns,
    _checked,
    _data,
    _legend,
    _pandas,
    _series_scales,
    _size,
    _thin_index,
    _title,
    alt,
)

#: The four cells of the imposed/negotiated x planned/emergent plane. The cell
#: names are the kit's reconstruction (see the research notes, section 4), not a
#: quotation: ask learners to contest them.
REGIME_CELLS = {
    ("imposed", "planned"): "Targets and terror",
    ("imposed", "emergent"): "Crisis-driven adaptation",
    ("negotiated", "planned"): "Agreed outcomes frameworks",
    ("negotiated", "emergent"): "Learning partnerships",
}


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
        ``y`` and optionally ``scenario`` (several paths), ``label`` (a note shown
        at that point, e.g. for a hand-placed journey like Surrey 2009–2019) and ``until``
        (where a point stands for a stretch, such as a game's round: when the stretch ends,
        so that the description says how long the path's last place held).
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
    from ..results import Result

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
        if "until" in data:
            frame["until"] = data["until"].astype(float).to_numpy()
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
        # Each cell's name in its outer corner: the middle of the plane, where a game starts and
        # paths cross, stays clear for the path's own labels.
        top = v1 == 1.0
        labels.append({"tx": to_x(u0 + 0.02), "ty": to_y(v1 - 0.02 if top else v0 + 0.02), "top": top,
                       "head": f"{who.capitalize()} – {how}", "name": name})
    for top in (True, False):
        label_data = alt.Data(values=[cell for cell in labels if cell["top"] == top])
        layers.append(alt.Chart(label_data).mark_text(
            align="left", baseline="top" if top else "bottom", dy=0 if top else -20, fontSize=FONT["text"],
            fontWeight="bold", color="#333333").encode(
            x=alt.X("tx:Q", scale=xs), y=alt.Y("ty:Q", scale=ys), text="head:N"))
        layers.append(alt.Chart(label_data).mark_text(
            align="left", baseline="top" if top else "bottom", dy=20 if top else 0, fontSize=FONT["text"],
            fontStyle="italic", color="#333333").encode(
            x=alt.X("tx:Q", scale=xs), y=alt.Y("ty:Q", scale=ys), text="name:N"))
    paths = list(dict.fromkeys(frame["scenario"]))
    frame = frame.sort_values(["scenario", "time"], kind="stable").reset_index(drop=True)
    frame["order"] = np.arange(len(frame))
    frame["series"] = frame["scenario"].replace("", "path")
    frame["when"] = [words.time_label(t, time_units) if time_units else words.time_value(t) for t in frame["time"]]
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
            text = words.time_label(row["time"], time_units) if time_units else words.time_value(row["time"])
            if "label" in frame and row["label"]:
                text = f"{text}: {row['label']}"
            marked.append({"x": float(row["x"]), "y": float(row["y"]), "time": float(row["time"]), "text": text,
                           "when": row["when"],
                           "series": row["series"],
                           "point": "end" if i == last else ("start" if i == first else "on the way")})
    # Points of one path at (nearly) one place share one label: "year 0, round 1 · year 2, round 2",
    # not two labels drawn over each other (a game round that changed nothing leaves the room where
    # it was). Near: within 3% of the plane both ways, about a line of text.
    near = 0.03 * span
    labelled = []
    for point in marked:
        twin = next((p for p in labelled if p["series"] == point["series"] and abs(p["x"] - point["x"]) <= near
                     and abs(p["y"] - point["y"]) <= near), None)
        if twin is None:
            labelled.append(dict(point))
        else:
            twin["text"] += f" · {point['text']}"
    point_kinds = ["start", "on the way", "end"]
    shape = alt.Shape("point:N", scale=alt.Scale(domain=point_kinds, range=["circle", "diamond", "triangle-up"]),
                      legend=_legend("Point", orient="right"), sort=point_kinds)
    tooltip = [alt.Tooltip("when:N", title="When"), alt.Tooltip("x:Q", title=axis_names[0], format=".2f"),
               alt.Tooltip("y:Q", title=axis_names[1], format=".2f")]
    line_data = _data(frame[["x", "y", "time", "when", "order", "series"]])
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
    # A label goes to the right of its point unless it would run off the plane (and under the
    # legend): then it ends at its point. Characters are taken at 0.6 of the font size, wide enough.
    def ends_at_point(row):
        u = (row["x"] - lo) / span
        return (1 - u if flip_x else u) * size["width"] + 10 + 0.6 * FONT["text"] * len(row["text"]) > size["width"]

    # A label goes under its point near the plane's top, where above it would run into the upper
    # cells' names, and no lower than their height above the lower cells' names at the bottom.
    def height_of(row):
        v = (row["y"] - lo) / span
        return 1 - v if flip_y else v

    def under(row):
        return height_of(row) >= 0.86

    for row in labelled:
        row["ly"] = to_y(max(height_of(row), 0.13)) if not under(row) else row["y"]

    for (align, dx, side), below in itertools.product((("left", 10, False), ("right", -10, True)), (False, True)):
        rows = [row for row in labelled if ends_at_point(row) == side and under(row) == below]
        if rows:
            layers.append(alt.Chart(alt.Data(values=rows)).mark_text(
                align=align, dx=dx, dy=14 if below else -10, baseline="top" if below else "alphabetic",
                fontSize=FONT["text"]).encode(x=alt.X("x:Q", scale=xs), y=alt.Y("ly:Q", scale=ys), text="text:N"))
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
        parts = [f"{who} path starts in the {cell[0]}–{cell[1]} cell ({REGIME_CELLS[cell]}) "
                 f"{words.when(t, time_units)}"]
        for cell, t in visits[1:]:
            parts.append(f"moves into the {cell[0]}–{cell[1]} cell ({REGIME_CELLS[cell]}) {words.when(t, time_units)}")
        if len(visits) == 1:
            parts.append("stays there")
        end = part.iloc[-1]
        # a point that stands for a stretch (a game's round) holds until the stretch ends
        held = end.get("until", np.nan)
        ended = (words.span(end["time"], held, time_units) if np.isfinite(held) and held > end["time"]
                 else words.when(end["time"], time_units))
        sentences.append(", ".join(parts) + f", and ends at {words.lower_first(axis_names[0])} "
                         f"{words.number(round(end['x'], 2))}, "  # a place on the plane, 0.11 not 0.106
                         f"{words.lower_first(axis_names[1])} {words.number(round(end['y'], 2))} "
                         f"{ended}.")
    chart = alt.layer(*layers).properties(**size)
    chart = chart.properties(title=_title(title or "Performance-management regime over time"),
                             description=" ".join(sentences))
    return _checked(chart)
