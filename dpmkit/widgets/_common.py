"""What every widget shares: controls built from Param declarations, messages, the chart
pane that draws offline (internal to :mod:`dpmkit.widgets`)."""

from __future__ import annotations

import html
import math

from .. import charts
from ..errors import ModelError

LAB_EXTRA = 'pip install "dpmkit[lab]"'

try:
    import ipywidgets as W
except ModuleNotFoundError as _err:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(f"dpmkit.widgets needs ipywidgets, which comes with the lab extra: {LAB_EXTRA}") from _err


RENDERS = ("interactive", "svg")


_PANEL_WIDTH, _PANEL_HEIGHT = 400, 200


def _model(model):
    from ..models import as_model

    return as_model(model)


def _check_render(render):
    if render not in RENDERS:
        raise ModelError(f"render must be 'interactive' or 'svg', got {render!r}")
    return render


def _recorded(model):
    return list(model.recorded)


def _outputs(model, outputs, limit=3):
    recorded = _recorded(model)
    if outputs is None:
        from ..roles import headline

        return headline(model, limit)
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    if not outputs:
        raise ModelError("outputs is empty: name at least one variable to chart")
    for name in outputs:
        if name not in recorded:
            from ..expressions import suggest

            if name in model:
                raise ModelError(f"{name!r} is a {model[name].kind}; chart a stock, flow or auxiliary", variable=name)
            raise ModelError(f"model {model.name!r} has no variable {name!r}" + suggest(str(name), recorded),
                             variable=str(name))
    return outputs


def nice_step(low, high, divisions=100):
    """A slider step of 1, 2 or 5 times a power of ten, about ``(high - low) / divisions``.

    Examples
    --------
    >>> nice_step(5, 40)
    0.5
    >>> nice_step(0.005, 0.05)
    0.0005
    """
    span = float(high) - float(low)
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / divisions
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power * (1 + 1e-9):
            return float(f"{m * power:.12g}")
    return float(f"{10 * power:.12g}")  # pragma: no cover - the loop always returns


def _decimals(step):
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 2


def _tooltip(p):
    parts = [p.label]
    if p.description:
        parts.append(p.description)
    if p.bounds is not None:
        parts.append(f"Range {p.bounds[0]:g} to {p.bounds[1]:g}{' ' + p.units if p.units else ''}")
    if p.uncertainty is not None:
        parts.append(f"Uncertain: plausibly {p.uncertainty[0]:g} to {p.uncertainty[1]:g}")
    if p.source:
        parts.append(f"Source: {p.source}")
    return ". ".join(parts)


def control_for(param, value=None):
    """The widget for one :class:`~dpmkit.Param`: a slider within its bounds, else a number field.

    The slider runs from the lower to the upper bound, so values outside cannot be
    entered; it reports a change only when released (``continuous_update=False``).
    Its label is the parameter's label, its tooltip the description, range and
    source; the units are shown beside it.

    Examples
    --------
    >>> import dpmkit as dk
    >>> slider = control_for(dk.models.load("demo")["staff_target"])
    >>> (slider.min, slider.max, slider.step)
    (5.0, 40.0, 0.5)
    """
    value = param.default if value is None else float(value)
    common = dict(description=param.label, tooltip=_tooltip(param), continuous_update=False,
                  style={"description_width": "160px"}, layout=W.Layout(width="auto", flex="1 1 auto"))
    if param.bounds is not None and param.bounds[1] > param.bounds[0]:
        lo, hi = param.bounds
        step = nice_step(lo, hi)
        return W.FloatSlider(value=value, min=lo, max=hi, step=step, readout_format=f".{_decimals(step)}f", **common)
    if param.bounds is not None:  # a fixed value (low == high)
        return W.BoundedFloatText(value=value, min=param.bounds[0], max=param.bounds[1], disabled=True, **common)
    return W.FloatText(value=value, **common)


def _with_units(control, units):
    label = W.Label("" if units == "dimensionless" else units or "", layout=W.Layout(min_width="64px"))
    return W.HBox([control, label], layout=W.Layout(width="100%", align_items="center"))


def _message(text, kind="info"):
    """HTML for a message box; ``kind`` is 'info', 'error' or 'ok'."""
    if not text:
        return ""
    colours = {"error": ("#8b0000", "#fdecea"), "ok": ("#1b5e20", "#e8f5e9"), "info": ("#0b3d66", "#e8f1f8")}
    fg, bg = colours[kind]
    role = ' role="alert"' if kind == "error" else ""
    return (f'<div{role} style="color:{fg};background:{bg};border-left:4px solid {fg};padding:6px 10px;'
            f'font-size:14px;line-height:1.4;white-space:pre-wrap">{html.escape(str(text))}</div>')


_CSS = ("<style>.dpmkit-explorer .widget-label, .dpmkit-game .widget-label, .dpmkit-predict .widget-label"
        "{white-space: normal; line-height: 1.15; height: auto; overflow: visible;}</style>")


class _ChartPane:
    """The chart area of a widget: the Vega-Lite spec drawn offline, either way."""

    def __init__(self, render, first_chart):
        self.render = _check_render(render)
        self.spec = None
        self.svg = None
        if render == "interactive":
            # SVG rendering in the browser keeps lines crisp on a projector and puts
            # the drawn paths in the page, where the browser test can read them.
            self.widget = charts.interactive(first_chart, embed_options={"renderer": "svg", "actions": False})
        else:
            self.widget = W.HTML(layout=W.Layout(min_height="120px"))
        self.widget.add_class("dpmkit-chart")

    def update(self, spec):
        self.spec = spec
        if self.render == "interactive":
            # Setting the synced spec directly skips Altair's re-validation of the
            # whole chart (~100 ms); the spec was validated once when it was built.
            self.widget.spec = spec
        else:
            self.svg = charts.spec_to_svg(spec)
            self.widget.value = self.svg


def _freeze_initial(model):
    """The model with each stock's initial value replaced by the number it starts at.

    Decisions taken at the start time then act from there on, instead of also
    changing where the stocks start (initial equations may use parameters).
    """
    from dataclasses import replace

    from ..simulate import simulate

    first = simulate(model, stop=model.start + model.dt)
    return model.with_variables(*[replace(s, initial=float(first[s.name][0])) for s in model.stocks])
