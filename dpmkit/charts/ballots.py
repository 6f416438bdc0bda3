"""Charts of a class's ballots: everyone's runs, predictions against results, who pulled which lever.

These builders take the tidy tables a :class:`dpmkit.workshop.Collection` produces
(``runs_frame()``, ``predictions()``, ``levers()``) and the model; the Collection's
``chart_runs``, ``chart_predictions`` and ``chart_levers`` call them. They are
sized and configured for a projector: large fonts and a plain-text summary that
screen readers announce (embedded by :func:`dpmkit.charts.to_svg`).
"""

from __future__ import annotations

import math

import numpy as np

from .. import words
from ..errors import ModelError
from ._style import FONT, PALETTE, alt

__all__ = ["ballot_levers", "ballot_predictions", "ballot_runs", "inline_data", "projector"]


def inline_data(frame):
    """Chart data as inline plain Python values.

    Altair caps DataFrames at 5,000 rows; a class's runs can exceed that, and inline
    values are not capped.
    """
    records = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
               for row in frame.to_dict("records")]
    return alt.Data(values=records)


def projector(chart, description):
    """Fonts legible from the back of a room, and a plain-text summary for screen readers.

    The configuration is chart-level, so the result can no longer be layered or
    concatenated: apply it last.
    """
    return (chart.properties(description=description)
            .configure_axis(labelFontSize=FONT["axis_label"], titleFontSize=FONT["axis_title"])
            .configure_title(fontSize=FONT["title"], subtitleFontSize=FONT["subtitle"])
            .configure_legend(labelFontSize=FONT["legend"], titleFontSize=FONT["legend"]))


def ballot_runs(frame, model, variable, *, width=560, height=300):
    """Everyone's run of ``variable`` overlaid, with the base case drawn thick and dashed.

    Parameters
    ----------
    frame : DataFrame
        ``Collection.runs_frame([variable])``: columns ``time, variable, value, id,
        label, run`` (``run`` is ``"ballot"`` or ``"base case"``).
    model : Model
    variable : str

    Returns
    -------
    altair chart
    """
    n_ballots = frame.loc[frame["run"] == "ballot", "id"].nunique()
    title = words.axis_title(model[variable])
    # black is kept for the base case, and yellow is too faint on white
    colour = alt.Color("label:N", title="Ballot",
                       scale=alt.Scale(range=[c for c in PALETTE if c not in ("#000000", "#F0E442")]),
                       legend=alt.Legend(symbolLimit=40) if n_ballots <= 40 else None)
    tooltip = [alt.Tooltip("label:N", title="Ballot"), alt.Tooltip("when:N", title="When"),
               alt.Tooltip("value:Q", title=title, format=",.3~f")]
    # A smooth line needs no more than ~150 points; thinning keeps the chart quick for a big class.
    times = np.unique(frame["time"].to_numpy())
    keep = times[:: max(1, math.ceil(len(times) / 150))]
    shown = frame[frame["time"].isin(np.append(keep, times[-1]))]
    shown = shown.assign(when=[words.time_label(t, model.time_units) for t in shown["time"]])
    lines = alt.Chart(inline_data(shown[shown["run"] == "ballot"]))
    ballots = lines.mark_line(strokeWidth=1.5, opacity=0.8).encode(
        x=alt.X("time:Q", title=f"Time ({model.time_units})", scale=alt.Scale(zero=False),
                axis=alt.Axis(format="~g")),  # calendar years without a thousands separator
        y=alt.Y("value:Q", title=title),
        color=colour, detail="id:N", tooltip=tooltip,
    )
    base = alt.Chart(inline_data(shown[shown["run"] == "base case"])).mark_line(
        color="black", strokeWidth=3, strokeDash=[8, 4]).encode(x="time:Q", y="value:Q", tooltip=tooltip)
    ends = frame[frame["time"] == frame["time"].max()]
    mine, theirs = ends[ends["run"] == "ballot"]["value"], ends[ends["run"] == "base case"]["value"]
    text = (f"{model[variable].label}: the runs of {n_ballots} ballots, "
            f"{words.span(frame['time'].min(), frame['time'].max(), model.time_units)}. At the end the base case is "
            f"at {words.number(theirs.iloc[0])} and the ballots lie between {words.number(mine.min())} and "
            f"{words.number(mine.max())}.")
    chart = (ballots + base).properties(
        width=width, height=height,
        title=alt.TitleParams(f"{model[variable].label}: everyone's run", subtitle="dashed black: the base case"),
    )
    return projector(chart, text)


def ballot_predictions(frame, model, variable, *, width=560, height=220, moments=None):
    """Predictions of ``variable`` against what each ballot's settings produce.

    One row per predicted time: hollow circles are the predictions, filled squares
    the simulated results of the same settings, and a black tick the base case.
    Shape, not only colour, tells them apart.

    Parameters
    ----------
    frame : DataFrame
        ``Collection.predictions()``: columns ``label, variable, time, predicted,
        simulated, base``.
    model : Model
    variable : str
    moments : dict, optional
        ``{time: words}`` for the times the participants were asked about in words of their own
        (``{2014.25: "the end of March 2014"}``, as :func:`dpmkit.workshop.moment_words` gives):
        the rows and the summary say those words; other times read as
        :func:`dpmkit.words.time_label` says them.

    Returns
    -------
    altair chart
    """
    moments = dict(moments or {})

    def row_label(t):
        said = moments.get(float(t))
        return said[:1].upper() + said[1:] if said else words.time_label(t, model.time_units)

    def said_when(t):
        said = moments.get(float(t))
        return f"at {said}" if said else words.when(t, model.time_units)

    frame = frame[frame["variable"] == variable]
    if frame.empty:
        raise ModelError(f"no ballot predicts {variable!r}", variable=variable)
    kinds = ["prediction", "simulated with their levers"]
    long = frame.melt(id_vars=["label", "time"], value_vars=["predicted", "simulated"], var_name="kind",
                      value_name="value")
    long["kind"] = long["kind"].map({"predicted": kinds[0], "simulated": kinds[1]})
    long["when"] = [row_label(t) for t in long["time"]]
    base = frame.groupby("time", as_index=False)["base"].first()
    base["when"] = [row_label(t) for t in base["time"]]
    title = words.axis_title(model[variable])
    order = [row_label(t) for t in sorted(base["time"])]
    row = alt.Y("when:O", title="When", sort=order)
    points = alt.Chart(inline_data(long)).mark_point(size=90, filled=False, strokeWidth=2).encode(
        x=alt.X("value:Q", title=title, scale=alt.Scale(zero=False)), y=row,
        shape=alt.Shape("kind:N", title="", scale=alt.Scale(domain=kinds, range=["circle", "square"])),
        color=alt.Color("kind:N", title="", scale=alt.Scale(domain=kinds, range=[PALETTE[0], PALETTE[3]]),
                        legend=alt.Legend(labelLimit=320)),
        yOffset=alt.YOffset("kind:N"),
        tooltip=[alt.Tooltip("label:N", title="Ballot"), alt.Tooltip("kind:N", title=""),
                 alt.Tooltip("value:Q", title=title, format=",.3~f")],
    )
    ticks = alt.Chart(inline_data(base)).mark_tick(color="black", thickness=3, size=40).encode(
        x="base:Q", y=row, tooltip=[alt.Tooltip("base:Q", title="Base case", format=",.3~f")])
    parts = []
    for t, group in frame.groupby("time"):
        parts.append(f"{said_when(t)}, {len(group)} predictions from "
                     f"{words.number(group['predicted'].min())} to {words.number(group['predicted'].max())}; their "
                     f"settings give {words.number(group['simulated'].min())} to "
                     f"{words.number(group['simulated'].max())}; the base case gives "
                     f"{words.number(group['base'].iloc[0])}")
    text = f"{model[variable].label}: " + "; ".join(parts) + "."
    chart = (points + ticks).properties(
        width=width, height=height,
        title=alt.TitleParams(f"{model[variable].label}: predictions and results",
                              subtitle="circles: predictions, squares: simulated, black tick: the base case"),
    )
    return projector(chart, text)


def ballot_levers(tidy, *, width=None, height=None):
    """Who pulled which lever: one row per ballot, one column per lever.

    Each cell shows the value chosen with an arrow (↑ above the default, ↓ below,
    · unchanged); the colour repeats the direction for a quick overview.

    Parameters
    ----------
    tidy : DataFrame
        ``Collection.levers()``: columns ``id, label, lever_label, value, default,
        direction``.

    Returns
    -------
    altair chart
    """
    arrows = tidy["direction"].map({"up": "↑", "down": "↓", "unchanged": "·"})
    tidy = tidy.assign(text=[f"{a} {v:.3g}" for a, v in zip(arrows, tidy["value"])])
    n_rows = tidy["id"].nunique()
    n_cols = tidy["lever"].nunique()
    base = alt.Chart(inline_data(tidy)).encode(
        x=alt.X("lever_label:N", title=None, axis=alt.Axis(orient="top", labelAngle=0, labelLimit=160)),
        y=alt.Y("label:N", title=None, sort=None),
        tooltip=[alt.Tooltip("label:N", title="Ballot"), alt.Tooltip("lever_label:N", title="Lever"),
                 alt.Tooltip("value:Q", title="Chosen", format=",.4~g"),
                 alt.Tooltip("default:Q", title="Default", format=",.4~g")],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("direction:N", title="Compared with the default",
                        scale=alt.Scale(domain=["up", "down", "unchanged"],
                                        range=[PALETTE[1], PALETTE[5], "#EEEEEE"])))
    labels = base.mark_text(fontSize=15).encode(text="text:N")
    counts = tidy.groupby("lever_label", sort=False)["direction"].value_counts().unstack(fill_value=0)
    summary = "; ".join(f"{lever}: {int(row.get('up', 0))} up, {int(row.get('down', 0))} down, "
                        f"{int(row.get('unchanged', 0))} unchanged" for lever, row in counts.iterrows())
    chart = (cells + labels).properties(
        width=width or max(150 * n_cols, 240), height=height or max(30 * n_rows, 60),
        title=alt.TitleParams("Who pulled which lever", subtitle="↑ above the default, ↓ below it, · unchanged"),
    )
    return projector(chart, f"Who pulled which lever, across {n_rows} ballots. {summary}.")
