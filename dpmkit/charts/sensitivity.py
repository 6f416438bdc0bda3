"""Tornado charts of one-at-a-time sensitivity."""

from __future__ import annotations

import numpy as np

from .. import words
from ..errors import ModelError
from ._style import FONT, PALETTE, WIDTH, _axis, _check_columns, _checked, _legend, _size, _title, _var_meta, alt

TORNADO_COLUMNS = ("output", "param", "param_low", "param_high", "output_low", "output_base", "output_high", "swing")


#: About how wide a character of a 16 px axis label is drawn, in pixels (measured on Chromium's
#: and vl-convert's sans-serif: "Gaming adjustment time (0.1–3 year)", 35 characters, 265 px).
_LABEL_CHAR_PX = 7.8


def tornado(table, output=None, *, model=None, top=12, title=None, width=None, height=None):
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
    width, height : int, optional
        Of the bars' area, in pixels. The default width leaves the whole picture, the
        parameters' names at the left included, as wide as a time series (about 700 px),
        so it fits a notebook beside JupyterLab's file browser.

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
        from ..expressions import suggest

        raise ModelError(f"no output {output!r} in the table" + suggest(str(output), [str(o) for o in outputs])
                         + f"; it has: {', '.join(map(str, outputs))}", variable=str(output))
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ModelError(f"top must be a whole number of at least 1, got {top!r}")
    sub = table[table["output"] == output].sort_values("swing", ascending=False, kind="stable").head(int(top))
    out_label, out_unit = _var_meta(output, model)
    out_title = words.axis_title(out_label, out_unit)
    base_value = float(sub["output_base"].iloc[0])
    rows, order = [], []
    for _, r in sub.iterrows():
        p_label, p_unit = _var_meta(r["param"], model)
        name = (f"{p_label} ({words.number(r['param_low'])}–{words.number(r['param_high'])}"
                f"{' ' + p_unit if p_unit else ''})")
        order.append(name)
        # The end with the smaller output is labelled on the left, the other on the
        # right, so the two labels never sit on top of each other.
        low_is_left = float(r["output_low"]) <= float(r["output_high"])
        for end in ("low", "high"):
            rows.append({"param": name, "end": f"{end} end of its range", "base": base_value,
                         "value": float(r[f"output_{end}"]), "setting": words.number(r[f"param_{end}"]),
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
    if width is None:  # long names take their room from the bars, not from the page
        names_px = _LABEL_CHAR_PX * max(map(len, order)) + 20
        width = int(max(300, min(WIDTH, WIDTH + 70 - names_px)))
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
    text = (f"{out_title} at the end moves most with {words.lower_first(lead_label)} "
            f"(from {words.number(lead['output_low'])} to {words.number(lead['output_high'])} across its range; "
            f"base {words.number(base_value)})")
    if len(sub) > 1:
        others = ", ".join(f"{words.lower_first(_var_meta(p, model)[0])} (swing {words.number(s)})"
                           for p, s in zip(sub["param"].iloc[1:4], sub["swing"].iloc[1:4]))
        text += f", then {others}"
    text += "."
    chart = alt.layer(bars, base_rule, left, right).properties(**size)
    subtitle = f"Each parameter moved alone to the ends of its range; black line: base value {at_text}"
    chart = chart.properties(title=_title(title or f"What moves {words.lower_first(out_label)} most", subtitle),
                             description=text)
    return _checked(chart)
