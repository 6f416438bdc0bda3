"""What every widget shares: controls built from Param declarations, messages, the chart
pane that draws offline (internal to :mod:`dpmkit.widgets`)."""

from __future__ import annotations

import html
import math

from .. import charts, words
from ..charts.render import in_jupyter_kernel
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
    return ". ".join([p.label, _about(p)])


def _about(p):
    """What a parameter's label does not say: its description, default, range, uncertainty and
    source (the tooltip after the label, and the explorer's *What each slider means*)."""
    parts = []
    if p.description:
        parts.append(p.description)
    units = f" {words.units(p)}" if words.units(p) else ""
    parts.append(f"Default {p.default:g}{units}")  # what Reset and the grey base run start from
    if p.bounds is not None:
        parts.append(f"Range {p.bounds[0]:g} to {p.bounds[1]:g}{units}")
    if p.uncertainty is not None:
        parts.append(f"Uncertain: plausibly {p.uncertainty[0]:g} to {p.uncertainty[1]:g}")
    if p.source:
        parts.append(f"Source: {_cited(p.source)}")
    return ". ".join(parts)


def _cited(source):
    """A parameter's source as the evidence registry cites it, with its status ("... [published]");
    a source the registry does not hold (a learner's own words in a sheet) as written."""
    from .. import evidence

    try:
        return evidence.cite(source)
    except ModelError:
        return source


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
    return _control(param, value)


class _Shared:
    """Layout and style widgets that the rows of one widget share (all equal, so one each).

    Every ipywidget is a model synced with the browser: about 0.5 ms of CPU to make and
    open, and the room makes an explorer per participant page. Sharing the identical
    layouts and styles of its rows roughly halves the widgets an explorer makes (tested
    in tests/test_widgets.py). Outside such a widget, each control gets its own.
    """

    def __init__(self):
        self._made = {}

    def get(self, key, make):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]


def _control(param, value=None, shared=None):
    shared = shared or _Shared()
    value = param.default if value is None else float(value)
    common = dict(description=param.label, tooltip=_tooltip(param), continuous_update=False,
                  layout=shared.get("control", lambda: W.Layout(width="auto", flex="1 1 auto")))
    if param.bounds is not None and param.bounds[1] > param.bounds[0]:
        lo, hi = param.bounds
        step = nice_step(lo, hi)
        return W.FloatSlider(value=value, min=lo, max=hi, step=step, readout_format=f".{_decimals(step)}f",
                             style=shared.get("slider", lambda: W.SliderStyle(description_width="160px")), **common)
    style = {"description_width": "160px"}  # number fields are rare: each keeps its own style
    if param.bounds is not None:  # a fixed value (low == high)
        return W.BoundedFloatText(value=value, min=param.bounds[0], max=param.bounds[1], disabled=True, style=style,
                                  **common)
    return W.FloatText(value=value, style=style, **common)


def _label_style():
    from ipywidgets.widgets.widget_string import LabelStyle  # not exported at the top of ipywidgets 8

    return LabelStyle()


def _with_units(control, units, shared=None, *, column=True):
    """``control`` with its units beside it, in a column 64 px wide. Without ``column`` (no
    control of the widget has units) the empty label takes no room, and the slider's track
    has it: lesson 08's three levers, 0 to 1, had tracks 80 px long."""
    shared = shared or _Shared()
    label = W.Label(words.units(units),
                    layout=shared.get("units" if column else "no units",
                                      lambda: W.Layout(min_width="64px" if column else "0px")),
                    style=shared.get("label", _label_style))
    return W.HBox([control, label], layout=shared.get("row", lambda: W.Layout(width="100%", align_items="center")))


def _message(text, kind="info"):
    """HTML for a message box; ``kind`` is 'info', 'error' or 'ok'."""
    if not text:
        return ""
    colours = {"error": ("#8b0000", "#fdecea"), "ok": ("#1b5e20", "#e8f5e9"), "info": ("#0b3d66", "#e8f1f8")}
    fg, bg = colours[kind]
    role = ' role="alert"' if kind == "error" else ""
    return (f'<div{role} style="color:{fg};background:{bg};border-left:4px solid {fg};padding:6px 10px;'
            f'font-size:14px;line-height:1.4;white-space:pre-wrap">{html.escape(str(text))}</div>')


#: Labels wrap; a chart narrower than its picture (lesson 08's explorer beside JupyterLab's file
#: browser: a 505 px picture in 428 px, cut at year 9) is scaled down to fit, not cut.
_CSS = ("<style>.dpmkit-explorer .widget-label, .dpmkit-game .widget-label, .dpmkit-predict .widget-label"
        "{white-space: normal; line-height: 1.15; height: auto; overflow: visible;}"
        ".dpmkit-explorer .dpmkit-chart svg{max-width: 100%; height: auto;}</style>")


class _ChartPane:
    """The chart area of a widget: the Vega-Lite spec drawn offline, either way.

    ``first_spec`` is a ready Vega-Lite dict (from a :class:`~dpmkit.charts.LiveTimeSeries`
    template): no Altair chart is built or validated on the way to the first picture.
    """

    def __init__(self, render, first_spec):
        from ..charts.render import interactive_spec

        self.render = _check_render(render)
        self.spec = first_spec
        self.svg = None
        if render == "interactive":
            # SVG rendering in the browser keeps lines crisp on a projector and puts
            # the drawn paths in the page, where the browser test can read them.
            self.widget = interactive_spec(first_spec, embed_options={"renderer": "svg", "actions": False})
        else:
            self.widget = W.HTML(layout=W.Layout(min_height="120px"))
            self.update(first_spec)
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


# ----------------------------------------------------------------------------- moments
def _moments(model, moments):
    """``moments`` as a list of ``(label, time)``: None means the model's declared moments;
    a list of times is labelled as people say them; a dict gives the lesson's own labels.
    Every time must lie within the run."""
    if moments is None:
        from ..workshop import declared_moments

        moments = declared_moments(model)
    if isinstance(moments, (int, float)) and not isinstance(moments, bool):
        moments = [moments]
    items = list(moments.items()) if hasattr(moments, "items") else [(None, t) for t in moments]
    out = []
    tol = 1e-9 * max(1.0, abs(model.stop))
    for label, t in items:
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
            raise ModelError(f"moments must be times (numbers) within the run, got {t!r}")
        if not model.start - tol <= t <= model.stop + tol:
            raise ModelError(f"moment {words.time_label(t, model.time_units)} (time {t:g}) is outside the run "
                             f"({words.span(model.start, model.stop, model.time_units)})", time=float(t))
        out.append((str(label) if label is not None else words.time_label(t, model.time_units), float(t)))
    return out


# ----------------------------------------------------------------------------- static pictures


def _svg_of(spec):
    """SVG text for a Vega-Lite dict; the first one in a process starts vl-convert's
    JavaScript engine (about 1 s, 3-6 s on a loaded machine), which
    :func:`dpmkit.charts.vl_convert_svg` says in the cell while it works."""
    return charts.spec_to_svg(spec)




class Snapshot:
    """A static picture of a widget: its chart as SVG and a plain-text summary.

    Displayed in a notebook it offers ``text/html`` (the picture with the summary as
    its caption), ``image/svg+xml`` and ``text/plain``, so exported HTML, notebooks
    rendered on a website without a kernel, and printouts all show it.

    Attributes
    ----------
    svg : str
        The chart (empty when the widget has no chart, e.g. a ballot before sending).
    text : str
        The summary in plain words.
    title : str
    """

    def __init__(self, svg, text, title=""):
        self.svg = svg or ""
        self.text = text or ""
        self.title = title or ""

    def bundle(self):
        """The mime bundle: ``text/html``, ``image/svg+xml`` (when there is a chart) and ``text/plain``."""
        from ..charts.render import WIDGET_VIEW as view
        from ..charts.render import static_beside_widget

        data = static_beside_widget(self.svg, self.text, self.title)
        del data[view]
        return data

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.bundle()

    def __repr__(self):
        return self.bundle()["text/plain"]


def _parent_is_a_cell():
    """True while a notebook cell runs (an ``execute_request``); False while the kernel
    handles a widget message from the browser (a learner moved a slider)."""
    try:
        from IPython import get_ipython

        kernel = get_ipython().kernel
        parent = kernel.get_parent("shell") if hasattr(kernel, "get_parent") else kernel._parent_header
        return (parent or {}).get("header", {}).get("msg_type", "execute_request") == "execute_request"
    except Exception:
        return True


class _StaticPicture:
    """What the widgets add to a cell's output: beside the live widget, a static picture.

    JupyterLab shows the live widget: its view mime type ranks first there. The picture
    goes into a second output whose bundle also carries the widget view mime type with
    an empty ``model_id``, ipywidgets' own mark of "nothing to show here", so a live
    JupyterLab hides it; nbconvert (which skips widget views without saved state),
    GitHub-style renderers and printouts show its ``text/html``, ``image/svg+xml`` or
    ``text/plain`` instead.

    When code in a later cell changes the widget (``explorer.set(...)``), the picture is
    updated through its display handle (a headless run keeps the last state). JupyterLab
    only applies display updates within the cell that made the output, so after a
    learner moved sliders by hand, ``widget.snapshot()`` in a new cell records the
    current picture.
    """

    _static_handles = ()
    _static_stale = False

    def _static_title(self):
        return ""

    def _static_svg(self):
        pane = getattr(self, "pane", None)
        if pane is not None and pane.render == "svg" and pane.svg:
            return pane.svg  # already drawn for the widget itself
        spec = getattr(pane, "spec", None)
        return _svg_of(spec) if spec else ""

    def _static_text(self):  # pragma: no cover - every widget overrides it
        return ""

    def snapshot(self):
        """A static picture of the widget as it is now (:class:`Snapshot`): SVG chart and summary.

        A cell ending in ``explorer.snapshot()`` leaves the picture in the notebook, for
        exported HTML, websites and print.
        """
        return Snapshot(self._static_svg(), self._static_text(), self._static_title())

    def _static_changed(self):
        """Called after every redraw: refresh the picture when a cell made the change."""
        if not self._static_handles:
            return
        if not _parent_is_a_cell():
            self._static_stale = True  # JupyterLab would drop the update; see the class notes
            return
        bundle = self._static_bundle()
        for handle in self._static_handles:
            handle.update(bundle, raw=True)
        self._static_stale = False

    def _static_bundle(self):
        from ..charts.render import static_beside_widget

        snap = self.snapshot()
        return static_beside_widget(snap.svg, snap.text, snap.title)

    def _ipython_display_(self, **kwargs):
        from IPython.display import display

        from ..charts._progress import output

        data = W.DOMWidget._repr_mimebundle_(self)
        if not in_jupyter_kernel():  # e.g. Solara: the live widget only, as ipywidgets would
            display(data, raw=True)
            return
        title = self._static_title()
        data["text/plain"] = f"{title or type(self).__name__} (a live widget: run the notebook to use it)"
        # each in the place of a progress note of this cell, if one was shown (no empty outputs)
        output(data)
        handle = output(self._static_bundle(), display_id=True)
        self._static_handles = (*self._static_handles, handle)
