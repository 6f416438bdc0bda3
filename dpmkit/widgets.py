"""Widgets for moving levers and watching the system answer, built from the model's declarations.

- :func:`explore` / :class:`Explorer`: sliders for every parameter (label, units,
  bounds and description come from the :class:`~dpmkit.Param`), grouped into policy
  levers, uncertainties and the rest in collapsible sections; the model runs when a
  slider is *released*; the last run stays reachable as ``explorer.result``; a base
  run is overlaid for comparison; settings can be saved as named scenarios.
- :func:`predict` / :class:`Predict`: the learner writes down the expected path of
  one output first, then sees the run and the gap, in numbers.
- :func:`game` / :class:`Game`: a small "management flight simulator": the learner
  sets the levers period by period and sees the consequences unfold.

Charts render offline, either through ``alt.JupyterChart`` with its JavaScript
bundled (``render="interactive"``, the default) or as SVG drawn in the kernel
(``render="svg"``). The interactive one redraws faster in the browser: the kernel
only swaps the chart's data, where SVG must be drawn by vl-convert on every run
(see ``bench/bench_widgets.py``).

Every widget can be driven from code as well as by hand, so the next cell can
analyse what the learner chose::

    import dpmkit as dk
    explorer = dk.widgets.explore("demo")
    explorer            # shows the controls and the chart
    explorer.set(staff_target=14)
    explorer.result.final("waiting_list")
"""

from __future__ import annotations

import html
import math

import numpy as np

from .errors import ModelError

LAB_EXTRA = 'pip install "dpmkit[lab]"'

try:
    import ipywidgets as W
except ModuleNotFoundError as _err:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(f"dpmkit.widgets needs ipywidgets, which comes with the lab extra: {LAB_EXTRA}") from _err

from . import charts as _charts  # raises ImportError naming the extra if Altair is missing

__all__ = ["explore", "Explorer", "predict", "Predict", "game", "Game", "control_for", "nice_step"]

RENDERS = ("interactive", "svg")
# Sized so that controls (440 px) and chart sit side by side in a default JupyterLab notebook.
_PANEL_WIDTH, _PANEL_HEIGHT = 400, 200


# --------------------------------------------------------------------------- helpers

def _model(model):
    from .spec import Model

    if isinstance(model, str):
        from . import models

        return models.load(model)
    if not isinstance(model, Model):
        raise ModelError(f"expected a dpmkit Model or the name of a ready-made model, got {type(model).__name__}")
    return model


def _check_render(render):
    if render not in RENDERS:
        raise ModelError(f"render must be 'interactive' or 'svg', got {render!r}")
    return render


def _recorded(model):
    from .spec import Aux, Flow, Stock

    return [v.name for v in model.variables if isinstance(v, (Stock, Flow, Aux))]


def _outputs(model, outputs, limit=3):
    recorded = _recorded(model)
    if outputs is None:
        chosen = [v.name for v in model.with_role("end_result") if v.name in recorded][:limit]
        return chosen or [s.name for s in model.stocks][:limit] or recorded[:limit]
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    if not outputs:
        raise ModelError("outputs is empty: name at least one variable to chart")
    for name in outputs:
        if name not in recorded:
            from .expressions import suggest

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


def _signed(value):
    """A difference as a reader writes it: '+1,216', '−0.25', '0'."""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + _charts._fmt(abs(value))


# Long parameter labels wrap instead of being cut off with an ellipsis.
_CSS = ("<style>.dpmkit-explorer .widget-label, .dpmkit-game .widget-label, .dpmkit-predict .widget-label"
        "{white-space: normal; line-height: 1.15; height: auto; overflow: visible;}</style>")


def _parse_number(text, what):
    """A number typed by a learner ('1,200', ' 3.5 ') or a ModelError that says what is wrong."""
    cleaned = str(text).strip().replace(",", "").replace("\u2212", "-")
    if not cleaned:
        raise ModelError(f"{what}: type a number")
    try:
        value = float(cleaned)
    except ValueError:
        raise ModelError(f"{what}: {text!r} is not a number; type digits, e.g. 120 or 0.5") from None
    if not math.isfinite(value):
        raise ModelError(f"{what}: {text!r} is not a finite number")
    return value


class _ChartPane:
    """The chart area of a widget: the Vega-Lite spec drawn offline, either way."""

    def __init__(self, render, first_chart):
        self.render = _check_render(render)
        self.spec = None
        self.svg = None
        if render == "interactive":
            # SVG rendering in the browser keeps lines crisp on a projector and puts
            # the drawn paths in the page, where the browser test can read them.
            self.widget = _charts.interactive(first_chart, embed_options={"renderer": "svg", "actions": False})
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
            self.svg = _charts._spec_to_svg(spec)
            self.widget.value = self.svg


def _freeze_initial(model):
    """The model with each stock's initial value replaced by the number it starts at.

    Decisions taken at the start time then act from there on, instead of also
    changing where the stocks start (initial equations may use parameters).
    """
    from dataclasses import replace

    from .simulate import simulate

    first = simulate(model, stop=model.start + model.dt)
    return model.with_variables(*[replace(s, initial=float(first[s.name][0])) for s in model.stocks])


# --------------------------------------------------------------------------- explorer

def _groups(params):
    levers = [p for p in params if p.role == "policy_lever"]
    uncertain = [p for p in params if p.role != "policy_lever" and p.is_uncertain]
    other = [p for p in params if p.role != "policy_lever" and not p.is_uncertain]
    return [("Policy levers", levers), ("Uncertainties", uncertain), ("Other parameters", other)]


class Explorer(W.VBox):
    """Sliders for a model's parameters beside a chart of its outputs.

    Build it with :func:`explore`. Attributes worth knowing:

    Attributes
    ----------
    model : Model
    outputs : list of str
    controls : dict
        Parameter name -> its widget (a slider within the bounds).
    result : Result or None
        The last successful run (None only if the very first run failed).
    base : Result or None
        The run drawn in grey for comparison.
    error : str
        The message of the last failed run ('' when the last run succeeded).
    scenarios : dict
        Saved settings, name -> {parameter: value} (only values that differ from the
        model's defaults): pass it to ``dk.compare(model, explorer.scenarios)``.
    runs : int
        How many times the model has run (one per slider release).
    """

    def __init__(self, model, outputs=None, *, params=None, show=None, base=True, render="interactive",
                 title=None):
        model = _model(model)
        from .simulate import _resolve_params

        self.model = model
        self.outputs = _outputs(model, outputs)
        self._start = _resolve_params(model, params, False)
        decl = {p.name: p for p in model.params}
        if show is None:
            shown = list(model.params)
        else:
            shown = []
            for name in ([show] if isinstance(show, str) else list(show)):
                if name not in decl:
                    from .simulate import _unknown_param

                    raise _unknown_param(model, name)
                shown.append(decl[name])
        self.controls = {p.name: control_for(p, self._start[p.name]) for p in shown}
        self.result = None
        self.base = None
        self.error = ""
        self.scenarios = {}
        self.runs = 0
        self._hold = 0

        sections, titles = [], []
        for heading, members in _groups(shown):
            if members:
                rows = [_with_units(self.controls[p.name], p.units) for p in members]
                sections.append(W.VBox(rows, layout=W.Layout(width="100%")))
                titles.append(f"{heading} ({len(members)})")
        self.sections = W.Accordion(children=sections, titles=tuple(titles), selected_index=0 if sections else None,
                                    layout=W.Layout(width="100%"))
        for name, control in self.controls.items():
            control.observe(self._changed, names="value")

        self.reset_button = W.Button(description="Reset", icon="undo", tooltip="Put every slider back where it started")
        self.base_button = W.Button(description="Keep as base", icon="thumb-tack",
                                    tooltip="Keep this run as the grey base line to compare against")
        self.show_base = W.Checkbox(value=bool(base), description="Show base run", indent=False,
                                    tooltip="Draw the base run in grey")
        self.reset_button.on_click(lambda _: self.reset())
        self.base_button.on_click(lambda _: self.keep_as_base())
        self.show_base.observe(lambda _: self._redraw(), names="value")

        self.scenario_name = W.Text(placeholder="e.g. more staff", description="Name",
                                    tooltip="A name for the current settings", style={"description_width": "50px"},
                                    layout=W.Layout(width="230px"))
        self.save_button = W.Button(description="Save settings", icon="save",
                                    tooltip="Save the current slider settings under this name")
        self.saved = W.Dropdown(options=[], description="Saved", style={"description_width": "50px"},
                                layout=W.Layout(width="230px"), tooltip="Saved settings")
        self.load_button = W.Button(description="Load", icon="folder-open", tooltip="Put the sliders at these settings")
        self.delete_button = W.Button(description="Delete", icon="trash", tooltip="Forget these settings")
        self.scenario_message = W.HTML()
        self.save_button.on_click(lambda _: self._save_clicked())
        self.load_button.on_click(lambda _: self._load_clicked())
        self.delete_button.on_click(lambda _: self._delete_clicked())

        self.message = W.HTML()
        self.summary = W.HTML(layout=W.Layout(width="100%"))
        first = self._simulate(self._start)
        if first is None:
            raise ModelError(f"model {model.name!r} does not run with its starting values: {self.error}")
        self.result = first
        if base:
            self.base = first
        self._live = _charts._LiveTimeSeries(model, self.outputs, with_base=True, title=title or model.label,
                                             width=_PANEL_WIDTH, height=_PANEL_HEIGHT)
        first_chart = _charts.time_series(first, self.outputs, width=_PANEL_WIDTH, height=_PANEL_HEIGHT,
                                          max_points=self._live.max_points)
        self.pane = _ChartPane(render, first_chart)
        self._redraw()

        heading = W.HTML(f"{_CSS}<h3 style='margin:4px 0'>{html.escape(title or model.label)}</h3>"
                         "<div style='font-size:14px'>Move a slider and release it: the model runs again. "
                         "Hover over a label to see what it means and where the number comes from.</div>")
        buttons = W.HBox([self.reset_button, self.base_button, self.show_base],
                         layout=W.Layout(flex_flow="row wrap", align_items="center"))
        scenario_box = W.VBox([
            W.HTML("<b>Scenarios</b>"),
            W.HBox([self.scenario_name, self.save_button], layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.saved, self.load_button, self.delete_button], layout=W.Layout(flex_flow="row wrap")),
            self.scenario_message,
        ])
        left = W.VBox([self.sections, buttons], layout=W.Layout(width="440px", min_width="320px"))
        right = W.VBox([self.message, self.pane.widget, self.summary],
                       layout=W.Layout(flex="1 1 420px", min_width="320px"))
        super().__init__([heading, W.HBox([left, right], layout=W.Layout(flex_flow="row wrap",
                                                                          align_items="flex-start")),
                          scenario_box])
        self.add_class("dpmkit-explorer")

    # -- state
    @property
    def values(self):
        """Current parameter values (shown controls plus the fixed starting values)."""
        values = dict(self._start)
        values.update({name: float(c.value) for name, c in self.controls.items()})
        return values

    def changed(self):
        """Parameters whose current value differs from the model's default."""
        defaults = self.model.defaults
        return {k: v for k, v in self.values.items() if not math.isclose(v, defaults[k], rel_tol=1e-12, abs_tol=0)}

    # -- running
    def _simulate(self, values):
        from .simulate import simulate

        try:
            result = simulate(self.model, values)
        except ModelError as err:
            self.error = str(err)
            return None
        self.error = ""
        return result

    def _changed(self, change):
        if not self._hold:
            self.run()

    def run(self):
        """Run the model with the current settings and redraw. Returns the Result, or None
        if the run failed (the message is shown in the widget and kept in ``.error``)."""
        result = self._simulate(self.values)
        self.runs += 1
        if result is None:
            self.message.value = _message("This run did not work, so the chart still shows the last one that did.\n"
                                          + self.error, "error")
            return None
        self.result = result
        self.message.value = ""
        self._redraw()
        return result

    def set(self, **values):
        """Move several controls at once, then run once. Unknown names raise ModelError."""
        for name in values:
            if name not in self.controls:
                from .expressions import suggest

                raise ModelError(f"the explorer has no control for {name!r}" + suggest(name, self.controls),
                                 variable=name)
        self._hold += 1
        try:
            for name, value in values.items():
                self.controls[name].value = self.model[name].check(value)
        finally:
            self._hold -= 1
        return self.run()

    def reset(self):
        """Put every control back at its starting value and run once."""
        return self.set(**{name: self._start[name] for name in self.controls})

    def keep_as_base(self):
        """Keep the current run as the base run drawn in grey."""
        self.base = self.result
        self.show_base.value = True
        self._redraw()

    def _redraw(self):
        if self.result is None:
            return
        show_base = self.show_base.value if hasattr(self, "show_base") else True
        base = self.base if show_base else None
        self.pane.update(self._live.spec(self.result, base))
        self.summary.value = self._summary_html(base)

    def _summary_html(self, base):
        rows = []
        tu = self.model.time_units
        for name in self.outputs:
            v = self.model[name]
            now = self.result.final(name)
            cells = [html.escape(v.label), f"{_charts._fmt(now)} {html.escape(v.units if v.units != 'dimensionless' else '')}"]
            if base is not None:
                b = base.final(name)
                cells += [_charts._fmt(b), _signed(now - b)]
            rows.append("<tr>" + "".join(f"<td style='padding:2px 8px'>{c}</td>" for c in cells) + "</tr>")
        head = ["Output", f"At the end ({_charts._time_label(self.result.time[-1], tu)})"]
        if base is not None:
            head += ["Base run", "Difference"]
        table = ("<table style='font-size:14px;border-collapse:collapse'><thead><tr>"
                 + "".join(f"<th style='text-align:left;padding:2px 8px'>{h}</th>" for h in head)
                 + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        text = html.escape(_charts.describe(self.result, self.outputs))
        return f"{table}<p style='font-size:14px;max-width:640px'>{text}</p>"

    # -- scenarios
    def save_scenario(self, name):
        """Save the current settings under ``name`` (replacing settings of that name)."""
        name = str(name).strip()
        if not name:
            raise ModelError("type a name for these settings first, e.g. 'more staff'")
        if name == "base":
            raise ModelError("'base' is the name dk.compare gives the defaults; choose another name")
        replaced = name in self.scenarios
        self.scenarios[name] = self.changed()
        self.saved.options = list(self.scenarios)
        self.saved.value = name
        return replaced

    def load_scenario(self, name):
        """Put the controls at the saved settings ``name`` (others at the defaults) and run."""
        if name not in self.scenarios:
            raise ModelError(f"no saved settings called {name!r}; saved: {', '.join(self.scenarios) or 'none yet'}")
        defaults = self.model.defaults
        values = {k: self.scenarios[name].get(k, defaults[k]) for k in self.controls}
        return self.set(**values)

    def delete_scenario(self, name):
        """Forget the saved settings ``name``."""
        if name not in self.scenarios:
            raise ModelError(f"no saved settings called {name!r}")
        del self.scenarios[name]
        self.saved.options = list(self.scenarios)

    def compare(self, names=None):
        """Run every saved scenario with the base case: the tidy table of ``dk.compare``."""
        from .analysis.scenarios import compare

        if not self.scenarios:
            raise ModelError("no scenarios saved yet: set the sliders, type a name and press 'Save settings'")
        return compare(self.model, dict(self.scenarios), names=names or self.outputs)

    def _save_clicked(self):
        try:
            replaced = self.save_scenario(self.scenario_name.value)
        except ModelError as err:
            self.scenario_message.value = _message(str(err), "error")
            return
        name = self.scenario_name.value.strip()
        changed = self.scenarios[name]
        what = ", ".join(f"{self.model[k].label} = {v:g}" for k, v in changed.items()) or "all at their defaults"
        verb = "Replaced" if replaced else "Saved"
        self.scenario_message.value = _message(f"{verb} {name!r}: {what}.", "ok")
        self.scenario_name.value = ""

    def _load_clicked(self):
        if self.saved.value is None:
            self.scenario_message.value = _message("Nothing saved yet.", "info")
            return
        self.load_scenario(self.saved.value)
        self.scenario_message.value = _message(f"Loaded {self.saved.value!r}.", "ok")

    def _delete_clicked(self):
        if self.saved.value is None:
            return
        name = self.saved.value
        self.delete_scenario(name)
        self.scenario_message.value = _message(f"Deleted {name!r}.", "info")


def explore(model, outputs=None, *, params=None, show=None, base=True, render="interactive", title=None):
    """An explorer: sliders for the model's parameters and a chart of its outputs.

    Parameters
    ----------
    model : Model or str
        A model, or the name of a ready-made one (``"demo"``).
    outputs : list of str, optional
        Variables to chart (default: up to three end results, else stocks).
    params : dict, optional
        Starting values (default: the model's defaults). Reset returns here.
    show : list of str, optional
        Parameters to give controls (default: all, grouped into policy levers,
        uncertainties and other parameters, in collapsible sections).
    base : bool
        Draw the starting run in grey as a base for comparison.
    render : {"interactive", "svg"}
        How the chart is drawn; both work offline.
    title : str, optional

    Returns
    -------
    Explorer

    Examples
    --------
    >>> import dpmkit as dk
    >>> explorer = dk.widgets.explore("demo", outputs=["waiting_list"])
    >>> explorer.controls["staff_target"].value = 14   # as if a learner released the slider
    >>> round(explorer.result.final("waiting_list"))
    1256
    """
    return Explorer(model, outputs, params=params, show=show, base=base, render=render, title=title)


# --------------------------------------------------------------------------- predict, then run

class Predict(W.VBox):
    """Write down what you expect, then run the model and see the gap.

    Build it with :func:`predict`.

    Attributes
    ----------
    times : list of float
        The times at which the learner predicts.
    prediction : dict or None
        Time -> predicted value, once revealed.
    result : Result or None
        The run, once revealed (None before).
    gaps : DataFrame or None
        ``time, predicted, simulated, gap`` (gap = predicted - simulated), once revealed.
    score : dict or None
        ``mean_abs_gap``, ``mean_abs_gap_pct`` (relative to the run's typical size),
        ``largest_gap_time``, ``direction_right`` (did you expect it to rise/fall as it did?).
    """

    def __init__(self, model, output, *, params=None, times=None, points=5, limits=None, render="interactive",
                 question=None):
        from .simulate import _resolve_params

        model = _model(model)
        self.model = model
        self.output = _outputs(model, [output])[0]
        self.params = _resolve_params(model, params, False)
        grid = model.time
        if times is None:
            if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or not 2 <= points <= 25:
                raise ModelError(f"points must be a whole number from 2 to 25, got {points!r}")
            idx = np.unique(np.round(np.linspace(0, len(grid) - 1, int(points))).astype(int))
            times = [float(grid[i]) for i in idx]
        else:
            times = sorted(float(t) for t in times)
            if len(times) < 2:
                raise ModelError("give at least two times: the start and one later time")
            tol = 1e-9 * max(1.0, abs(grid[-1]))
            for t in times:
                if not grid[0] - tol <= t <= grid[-1] + tol:
                    raise ModelError(f"time {t:g} is outside the run ({grid[0]:g} to {grid[-1]:g})", time=t)
            if abs(times[0] - grid[0]) > tol:
                times = [float(grid[0])] + times
        self.times = times
        if limits is not None:
            try:
                lo, hi = (float(v) for v in limits)
            except (TypeError, ValueError):
                raise ModelError(f"limits must be a pair (low, high), got {limits!r}") from None
            if not lo < hi:
                raise ModelError(f"limits must have low < high, got {limits!r}")
            limits = (lo, hi)
        self.limits = limits
        self.result = None
        self.prediction = None
        self.gaps = None
        self.score = None
        # The starting value is the present, not a prediction: the learner sees it.
        from .simulate import simulate

        self.start_value = float(simulate(model, self.params, stop=model.start + model.dt)[self.output][0])
        v = model[self.output]
        tu = model.time_units
        self.unit_text = "" if v.units in ("", "dimensionless") else v.units
        self.fields = []
        for k, t in enumerate(times):
            field = W.Text(description=f"{_charts._time_label(t, tu)}", placeholder="your guess",
                           tooltip=f"What do you expect {_charts._lower_first(v.label)} to be in {_charts._time_label(t, tu)}?",
                           style={"description_width": "110px"}, layout=W.Layout(width="260px"))
            if k == 0:
                field.value = _charts._fmt(self.start_value).replace(",", "")
                field.disabled = True
                field.tooltip = "Where it starts: this is known"
            else:
                field.observe(self._sketch, names="value")
            self.fields.append(field)
        self.reveal_button = W.Button(description="Run the model", icon="play", button_style="primary",
                                      tooltip="Lock in your prediction and see what the model does")
        self.again_button = W.Button(description="Try again", icon="undo", tooltip="Clear the run and predict again")
        self.again_button.layout.display = "none"
        self.reveal_button.on_click(lambda _: self._reveal_clicked())
        self.again_button.on_click(lambda _: self.try_again())
        self.message = W.HTML()
        self.table = W.HTML()
        question = question or (f"What will {_charts._lower_first(v.label)} do between {_charts._time_label(times[0], tu)} "
                                f"and {_charts._time_label(times[-1], tu)}? Write your expectation "
                                f"{'(' + self.unit_text + ') ' if self.unit_text else ''}for each time, then run.")
        self._live = _charts._LiveTimeSeries(
            model, [self.output], with_base=True, title=f"Your prediction and the model: {v.label}",
            width=_PANEL_WIDTH, height=_PANEL_HEIGHT, x_domain=(times[0], times[-1]),
            base_note="Grey line: your prediction")
        sketch = self._prediction_result({times[0]: self.start_value})
        self.pane = _ChartPane(render, _charts.time_series(sketch, [self.output], width=_PANEL_WIDTH,
                                                           height=_PANEL_HEIGHT))
        self._sketch()
        unit = f" ({html.escape(self.unit_text)})" if self.unit_text else ""
        super().__init__([
            W.HTML(f"{_CSS}<h3 style='margin:4px 0'>Predict, then run</h3><div style='font-size:15px'>"
                   f"{html.escape(question)}</div>"),
            W.HBox([W.VBox([W.HTML(f"<b>{html.escape(v.label)}{unit}</b>")] + self.fields
                           + [W.HBox([self.reveal_button, self.again_button])],
                           layout=W.Layout(width="290px")),
                    W.VBox([self.message, self.pane.widget, self.table], layout=W.Layout(flex="1 1 420px"))],
                   layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
        ])
        self.add_class("dpmkit-predict")

    def _prediction_result(self, points):
        """A Result-shaped object holding the prediction, interpolated on the model's grid."""
        from .results import Result

        ts = sorted(points)
        grid = self.model.time
        mask = (grid >= ts[0] - 1e-12) & (grid <= ts[-1] + 1e-12)
        values = np.interp(grid[mask], ts, [points[t] for t in ts]) if len(ts) > 1 else np.full(mask.sum(), points[ts[0]])
        return Result(self.model, grid[mask], (self.output,), values[:, None], dict(self.params), "prediction")

    def read(self, strict=True):
        """The prediction typed so far, time -> value. With ``strict``, every field must hold
        a valid number (else ModelError saying which field and why)."""
        v = self.model[self.output]
        values = {}
        for t, field in zip(self.times, self.fields):
            if field.disabled and t == self.times[0]:
                values[t] = self.start_value
                continue
            what = f"{_charts._time_label(t, self.model.time_units)}"
            try:
                value = _parse_number(field.value, what)
            except ModelError:
                if strict:
                    raise
                continue
            if self.limits is not None and not self.limits[0] <= value <= self.limits[1]:
                if strict:
                    raise ModelError(f"{what}: {value:g} is outside the range {self.limits[0]:g} to "
                                     f"{self.limits[1]:g} {self.unit_text} that this exercise allows", time=t,
                                     variable=v.name)
                continue
            values[t] = value
        return values

    def set_prediction(self, values):
        """Fill in the fields from code: a list (one per time after the start) or a dict time -> value."""
        later = self.times[1:]
        if hasattr(values, "items"):
            for t, value in values.items():
                matches = [k for k, tt in enumerate(self.times) if math.isclose(tt, float(t), abs_tol=1e-9)]
                if not matches or matches[0] == 0:
                    raise ModelError(f"no prediction field at time {t!r}; the times are "
                                     f"{', '.join(_charts._time_text(x) for x in later)}")
                self.fields[matches[0]].value = str(value)
        else:
            values = list(values)
            if len(values) != len(later):
                raise ModelError(f"give {len(later)} values, one for each time: "
                                 f"{', '.join(_charts._time_text(x) for x in later)}")
            for field, value in zip(self.fields[1:], values):
                field.value = str(value)

    def _sketch(self, change=None):
        if self.result is not None:
            return
        points = self.read(strict=False)
        sketch = self._prediction_result(points)
        spec = self._live.spec(sketch, sketch)
        spec["description"] = "Your prediction so far: " + ", ".join(
            f"{_charts._time_text(t)}: {_charts._fmt(v)}" for t, v in sorted(points.items()))
        self.pane.update(spec)

    def reveal(self):
        """Lock the prediction, run the model and compute the gaps. Returns the gaps table."""
        import pandas as pd

        from .simulate import simulate

        points = self.read(strict=True)
        result = simulate(self.model, self.params)
        simulated = np.array([result.at(t, self.output) for t in self.times])
        predicted = np.array([points[t] for t in self.times])
        gap = predicted - simulated
        self.prediction = points
        self.result = result
        self.gaps = pd.DataFrame({"time": self.times, "predicted": predicted, "simulated": simulated, "gap": gap})
        later = slice(1, None)
        typical = float(np.mean(np.abs(result[self.output]))) or 1.0
        k = int(np.argmax(np.abs(gap[later]))) + 1
        sim_dir = np.sign(round(simulated[-1] - simulated[0], 12))
        pred_dir = np.sign(round(predicted[-1] - predicted[0], 12))
        self.score = {
            "mean_abs_gap": float(np.mean(np.abs(gap[later]))),
            "mean_abs_gap_pct": float(100 * np.mean(np.abs(gap[later])) / typical),
            "largest_gap": float(gap[k]),
            "largest_gap_time": float(self.times[k]),
            "direction_right": bool(sim_dir == pred_dir),
        }
        for field in self.fields:
            field.disabled = True
        self.reveal_button.disabled = True
        self.again_button.layout.display = None
        spec = self._live.spec(result, self._prediction_result(points))
        self.pane.update(spec)
        self._show_gaps()
        return self.gaps

    def _show_gaps(self):
        s, g = self.score, self.gaps
        tu = self.model.time_units
        unit = f" {self.unit_text}" if self.unit_text else ""
        expect = {1: "rise", -1: "fall", 0: "stay level"}
        does = {1: "rises", -1: "falls", 0: "stays level"}
        sim_dir = int(np.sign(round(g["simulated"].iloc[-1] - g["simulated"].iloc[0], 12)))
        pred_dir = int(np.sign(round(g["predicted"].iloc[-1] - g["predicted"].iloc[0], 12)))
        direction = (f"You expected it to {expect[pred_dir]} overall, and it does." if s["direction_right"] else
                     f"You expected it to {expect[pred_dir]} overall, but in the model it {does[sim_dir]}.")
        k = int(np.argmin(np.abs(g["time"] - s["largest_gap_time"])))
        text = (f"On average your prediction was {_charts._fmt(s['mean_abs_gap'])}{unit} away from the model "
                f"({s['mean_abs_gap_pct']:.0f}% of its typical size). The largest gap was in "
                f"{_charts._time_label(s['largest_gap_time'], tu)}: you expected {_charts._fmt(g['predicted'].iloc[k])}, "
                f"the model gives {_charts._fmt(g['simulated'].iloc[k])}. {direction} "
                "What in the structure of the model explains the difference?")
        self.message.value = _message(text, "info")
        rows = "".join(
            f"<tr><td style='padding:2px 8px'>{_charts._time_label(r.time, tu)}</td>"
            f"<td style='padding:2px 8px'>{_charts._fmt(r.predicted)}</td>"
            f"<td style='padding:2px 8px'>{_charts._fmt(r.simulated)}</td>"
            f"<td style='padding:2px 8px'>{_signed(r.gap)}</td></tr>" for r in g.itertuples())
        self.table.value = ("<table style='font-size:14px;border-collapse:collapse'><thead><tr>"
                            "<th style='padding:2px 8px;text-align:left'>Time</th>"
                            "<th style='padding:2px 8px;text-align:left'>You expected</th>"
                            "<th style='padding:2px 8px;text-align:left'>Model</th>"
                            "<th style='padding:2px 8px;text-align:left'>Gap</th></tr></thead>"
                            f"<tbody>{rows}</tbody></table>")

    def _reveal_clicked(self):
        try:
            self.reveal()
        except ModelError as err:
            self.message.value = _message(str(err), "error")

    def try_again(self):
        """Clear the run and unlock the fields (the previous guesses stay as a start)."""
        self.result = self.prediction = self.gaps = self.score = None
        for field in self.fields[1:]:
            field.disabled = False
        self.reveal_button.disabled = False
        self.again_button.layout.display = "none"
        self.message.value = ""
        self.table.value = ""
        self._sketch()


def predict(model, output, *, params=None, times=None, points=5, limits=None, render="interactive", question=None):
    """A predict-then-run exercise for one output of a model.

    The learner types the value they expect at a few times (the start is given),
    watches their sketch take shape, then presses *Run the model*: the run appears
    beside the prediction, with the gap at each time and in summary.

    Parameters
    ----------
    model : Model or str
    output : str
        The variable to predict.
    params : dict, optional
        Parameter values for the run (the scenario the learner predicts).
    times : list of float, optional
        When to predict (default: ``points`` evenly spaced times over the run).
    points : int
        Number of times including the start, when ``times`` is not given.
    limits : (float, float), optional
        Allowed range of predictions; values outside are refused with a message.
    render : {"interactive", "svg"}
    question : str, optional
        The question put to the learner.

    Returns
    -------
    Predict

    Examples
    --------
    >>> import dpmkit as dk
    >>> p = dk.widgets.predict("demo", "waiting_list", params={"staff_target": 14}, points=3)
    >>> p.set_prediction([200, 400])
    >>> gaps = p.reveal()
    >>> round(float(gaps["gap"].iloc[-1]))
    -856
    """
    return Predict(model, output, params=params, times=times, points=points, limits=limits, render=render,
                   question=question)


# --------------------------------------------------------------------------- decision game

class Game(W.VBox):
    """A management flight simulator: set the levers, run one period, see, decide again.

    Build it with :func:`game`. Each period re-runs the model from the beginning
    with every decision so far as parameter events (``dk.simulate(events=...)``),
    so what the learner sees is exactly what the model says those decisions do.

    Attributes
    ----------
    time : float
        The current time (where the next decision takes effect).
    decisions : list of (float, dict)
        Each decision: its time and the lever values chosen.
    result : Result
        The run from the start to now.
    finished : bool
    """

    def __init__(self, model, levers=None, *, interval=None, outputs=None, start=None, stop=None,
                 render="interactive", title=None):
        model = _model(model)
        decl = {p.name: p for p in model.params}
        if levers is None:
            levers = [p.name for p in model.policy_levers]
            if not levers:
                raise ModelError(f"model {model.name!r} declares no policy levers; say which parameters the "
                                 "player steers, e.g. levers=['budget']")
        levers = [levers] if isinstance(levers, str) else list(levers)
        for name in levers:
            if name not in decl:
                from .simulate import _unknown_param

                raise _unknown_param(model, name)
            if decl[name].bounds is None:
                raise ModelError(f"lever {name!r} needs bounds so the player's choices stay sensible", variable=name)
        self.levers = levers
        self.model = model
        self._model = _freeze_initial(model)
        dt = model.dt
        interval = float(interval) if interval is not None else (1.0 if model.stop - model.start >= 4 else dt)
        steps = interval / dt
        if not interval > 0 or abs(steps - round(steps)) > 1e-6 * max(1.0, steps):
            raise ModelError(f"interval must be a positive whole number of time steps (dt = {dt:g} "
                             f"{model.time_units}), got {interval:g}")
        self.interval = interval
        self.start = model.start if start is None else float(start)
        self.stop = model.stop if stop is None else float(stop)
        grid = model.time
        tol = 1e-9 * max(1.0, abs(grid[-1]))
        for what, t in (("start", self.start), ("stop", self.stop)):
            if not grid[0] - tol <= t <= grid[-1] + tol:
                raise ModelError(f"{what} {t:g} is outside the model's run ({grid[0]:g} to {grid[-1]:g})", time=t)
            k = (t - model.start) / dt
            if abs(k - round(k)) > 1e-6 * max(1.0, k):
                raise ModelError(f"{what} {t:g} does not fall on the model's time grid (dt = {dt:g})", time=t)
        if not self.stop > self.start:
            raise ModelError(f"stop ({self.stop:g}) must be after start ({self.start:g})")
        self.outputs = _outputs(model, outputs)
        self.controls = {name: control_for(decl[name]) for name in levers}
        self.decisions = []
        self.time = self.start
        self.result = self._run(self.start)
        self.baseline = None
        tu = model.time_units
        self._live = _charts._LiveTimeSeries(self._model, self.outputs, with_base=True,
                                             title=title or f"{model.label}: your decisions",
                                             width=_PANEL_WIDTH, height=_PANEL_HEIGHT,
                                             x_domain=(model.start, self.stop),
                                             base_note="Grey lines: had the levers stayed where they started")
        self.pane = _ChartPane(render, _charts.time_series(self.result, self.outputs, width=_PANEL_WIDTH,
                                                           height=_PANEL_HEIGHT))
        period = f"{_charts._time_text(interval)} {tu}" if interval != 1 else f"{tu}"
        self.step_button = W.Button(description=f"Run the next {period}", icon="play", button_style="primary",
                                    tooltip="Apply these lever settings and run one period",
                                    layout=W.Layout(width="auto"))
        self.undo_button = W.Button(description="Undo", icon="undo", tooltip="Take back the last decision")
        self.restart_button = W.Button(description="Restart", icon="refresh", tooltip="Start the game again")
        self.step_button.on_click(lambda _: self._step_clicked())
        self.undo_button.on_click(lambda _: self.undo())
        self.restart_button.on_click(lambda _: self.restart())
        self.clock = W.HTML()
        self.message = W.HTML()
        self.decision_log = W.HTML()
        self.status = W.HTML()
        rows = [_with_units(self.controls[n], decl[n].units) for n in levers]
        intro = (f"You steer {html.escape(model.label)} from {_charts._time_label(self.start, tu)} to "
                 f"{_charts._time_text(self.stop)}. Set the levers, run one {html.escape(period)}, look at what "
                 "happened, and decide again. You cannot see the future: only what has happened so far.")
        super().__init__([
            W.HTML(f"{_CSS}<h3 style='margin:4px 0'>{html.escape(title or 'Management flight simulator')}</h3>"
                   f"<div style='font-size:14px;max-width:900px'>{intro}</div>"),
            W.HBox([W.VBox([self.clock] + rows + [W.HBox([self.step_button, self.undo_button, self.restart_button],
                                                         layout=W.Layout(flex_flow="row wrap")),
                                                  self.message, self.decision_log],
                           layout=W.Layout(width="440px", min_width="320px")),
                    W.VBox([self.pane.widget, self.status], layout=W.Layout(flex="1 1 420px"))],
                   layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
        ])
        self.add_class("dpmkit-game")
        self._refresh()

    @property
    def finished(self):
        return self.time >= self.stop - 1e-9 * max(1.0, abs(self.stop))

    def _events(self):
        return [(t, dict(d)) for t, d in self.decisions]

    def _run(self, until):
        from .simulate import simulate

        stop = max(until, self.model.start + self.model.dt)
        return simulate(self._model, events=self._events() or None, stop=stop)

    def step(self, **levers):
        """Decide (lever values; unset levers keep their slider value) and run one period.

        Returns the Result from the start to the new current time. Raises
        ModelError for unknown levers, values outside bounds, or a finished game.
        """
        if self.finished:
            raise ModelError("the game is over: press Restart (or call .restart()) to play again")
        for name in levers:
            if name not in self.controls:
                from .expressions import suggest

                raise ModelError(f"{name!r} is not a lever of this game" + suggest(name, self.controls)
                                 + f"; the levers are {', '.join(self.controls)}", variable=name)
        choice = {name: float(c.value) for name, c in self.controls.items()}
        for name, value in levers.items():
            choice[name] = self.model[name].check(value)
            self.controls[name].value = choice[name]
        new_time = min(self.time + self.interval, self.stop)
        decisions = self.decisions + [(self.time, choice)]
        previous = self.decisions
        self.decisions = decisions
        try:
            result = self._run(new_time)
        except ModelError as err:
            self.decisions = previous
            self.message.value = _message("The model could not run with these settings: " + str(err), "error")
            raise
        self.result = result
        self.time = new_time
        self.message.value = ""
        if self.finished:
            from .simulate import simulate

            self.baseline = simulate(self._model, stop=self.stop)
        self._refresh()
        return result

    def undo(self):
        """Take back the last decision (and the period it ran)."""
        if not self.decisions:
            return self.result
        t, choice = self.decisions.pop()
        self.time = t
        self.baseline = None
        for name, value in choice.items():
            self.controls[name].value = value
        self.result = self._run(self.time)
        self._refresh()
        return self.result

    def restart(self):
        """Start again from the beginning with the levers at their defaults."""
        self.decisions = []
        self.time = self.start
        self.baseline = None
        for name, control in self.controls.items():
            control.value = self.model[name].default
        self.result = self._run(self.start)
        self.message.value = ""
        self._refresh()
        return self.result

    def history(self):
        """A table with one row per decision: when, the lever values, and the outputs at the end of its period."""
        import pandas as pd

        rows = []
        times = [t for t, _ in self.decisions] + [self.time]
        for (t, choice), end in zip(self.decisions, times[1:]):
            row = {"decided_at": t, **choice, "period_end": end}
            row.update({name: self.result.at(end, name) for name in self.outputs})
            rows.append(row)
        return pd.DataFrame(rows, columns=["decided_at", *self.levers, "period_end", *self.outputs])

    def _step_clicked(self):
        try:
            self.step()
        except ModelError:
            pass  # the message is already in the widget

    def _refresh(self):
        tu = self.model.time_units
        done = self.finished
        self.step_button.disabled = done
        self.undo_button.disabled = not self.decisions
        for c in self.controls.values():
            c.disabled = done
        spec = self._live.spec(self.result, self.baseline)
        self.pane.update(spec)
        self.clock.value = (f"<div style='font-size:18px;font-weight:bold'>Now: "
                            f"{_charts._time_label(self.time, tu)}</div>" if not done else
                            "<div style='font-size:18px;font-weight:bold'>The end</div>")
        lines = []
        for t, choice in self.decisions:
            what = ", ".join(f"{self.model[k].label} {v:g}" for k, v in choice.items())
            lines.append(f"<li>{_charts._time_label(t, tu)}: {html.escape(what)}</li>")
        self.decision_log.value = ("<b>Your decisions</b><ol style='font-size:14px;margin:2px 0'>" + "".join(lines) + "</ol>"
                          if lines else "")
        rows = []
        for name in self.outputs:
            v = self.model[name]
            now = self.result.at(self.time, name)
            begun = self.result.at(self.start, name)
            cells = [html.escape(v.label), _charts._fmt(now), _signed(now - begun)]
            if done and self.baseline is not None:
                b = self.baseline.final(name)
                cells.append(f"{_charts._fmt(b)} ({_signed(now - b)})")
            rows.append("<tr>" + "".join(f"<td style='padding:2px 8px'>{c}</td>" for c in cells) + "</tr>")
        head = ["Output", "Now", f"Change since {_charts._time_label(self.start, tu)}"]
        if done and self.baseline is not None:
            head.append("Had you changed nothing")
        table = ("<table style='font-size:14px;border-collapse:collapse'><thead><tr>"
                 + "".join(f"<th style='text-align:left;padding:2px 8px'>{h}</th>" for h in head)
                 + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        closing = ("<p style='font-size:14px'>The grey lines show what would have happened had you left the levers "
                   "where they started. Which of your decisions mattered most, and when did their effects show?</p>"
                   if done else "")
        self.status.value = table + closing


def game(model="surrey", levers=None, *, interval=None, outputs=None, start=None, stop=None, render="interactive",
         title=None):
    """A decision game: steer a model period by period (a "management flight simulator").

    Parameters
    ----------
    model : Model or str
        Default: the ``surrey`` model.
    levers : list of str, optional
        Parameters the player sets (default: the model's policy levers).
    interval : float, optional
        Time between decisions (default: 1 time unit; a whole number of steps).
    outputs : list of str, optional
        Variables charted (default: up to three end results).
    start, stop : float, optional
        When the player takes control, and when the game ends (default: the model's run).
        Before ``start`` the model runs with the levers at their defaults.

    Returns
    -------
    Game

    Examples
    --------
    >>> import dpmkit as dk
    >>> g = dk.widgets.game("demo", ["staff_target"], interval=12, outputs=["waiting_list"])
    >>> _ = g.step(staff_target=14)
    >>> g.time
    12.0
    """
    return Game(model, levers, interval=interval, outputs=outputs, start=start, stop=stop, render=render, title=title)
