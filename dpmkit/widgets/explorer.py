"""The explorer: sliders for a model's parameters beside a chart of its outputs."""

from __future__ import annotations

import html
import math

from .. import charts, words
from ..errors import ModelError
from . import numbers
from ._common import (
    _CSS,
    _PANEL_HEIGHT,
    _PANEL_WIDTH,
    W,
    _about,
    _ChartPane,
    _control,
    _message,
    _model,
    _moments,
    _outputs,
    _Shared,
    _StaticPicture,
    _with_units,
)


def _groups(params):
    levers = [p for p in params if p.role == "policy_lever"]
    uncertain = [p for p in params if p.role != "policy_lever" and p.is_uncertain]
    other = [p for p in params if p.role != "policy_lever" and not p.is_uncertain]
    return [("Policy levers", levers), ("Uncertainties", uncertain), ("Other parameters", other)]


def _meanings(params):
    """What each slider means, for a page that cannot hover (a phone, a tablet): a closed
    ``<details>`` in the heading's own HTML, so it adds no widget to send."""
    if not params:
        return ""
    items = "".join(f"<li><b>{html.escape(p.label)}</b>: {html.escape(_about(p))}</li>" for p in params)
    return ("<details class='dpmkit-meanings' style='font-size:14px;margin:2px 0'><summary>What each slider "
            f"means</summary><ul style='margin:4px 0;padding-left:20px'>{items}</ul></details>")


class Explorer(_StaticPicture, W.VBox):
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
    moments : list of (str, float)
        The moments the summary compares, as (label, time); the end of the run is
        always added.
    """

    def __init__(self, model, outputs=None, *, params=None, show=None, base=True, render="interactive",
                 title=None, moments=None, scenario_box="now"):
        if scenario_box not in ("now", "on request"):
            raise ModelError(f"scenario_box must be 'now' or 'on request', not {scenario_box!r}")
        model = _model(model)
        self.model = model
        self.outputs = _outputs(model, outputs)
        self.moments = _moments(model, moments)
        self.title = title or model.label
        self._start = model.values(params)
        if show is None:
            shown = list(model.params)
        else:
            shown = [model.param(name) for name in ([show] if isinstance(show, str) else list(show))]
        shared = _Shared()  # the rows' identical layouts and styles: one each, not one per row
        self.controls = {p.name: _control(p, self._start[p.name], shared) for p in shown}
        self.result = None
        self.base = None
        self.error = ""
        self.scenarios = {}
        self.runs = 0
        self._hold = 0

        sections, titles = [], []
        column = any(words.units(p) for p in shown)  # a units column, if any has units
        for heading, members in _groups(shown):
            if members:
                rows = [_with_units(self.controls[p.name], p.units, shared, column=column) for p in members]
                sections.append(W.VBox(rows, layout=W.Layout(width="100%")))
                titles.append(f"{heading} ({len(members)})")
        self.sections = W.Accordion(children=sections, titles=tuple(titles), selected_index=0 if sections else None,
                                    layout=W.Layout(width="100%"))
        for _name, control in self.controls.items():
            control.observe(self._changed, names="value")

        self.reset_button = W.Button(description="Reset", icon="undo", tooltip="Put every slider back where it started")
        self.base_button = W.Button(description="Keep as base", icon="thumb-tack",
                                    tooltip="Keep this run as the grey base line to compare against")
        self.show_base = W.Checkbox(value=bool(base), description="Show base run", indent=False,
                                    tooltip="Draw the base run in grey")
        self.numbers_button = W.ToggleButton(value=False, description="Numbers", icon="table",
                                             tooltip="The numbers behind the chart: a table to read or to copy "
                                                     "into a spreadsheet, and every step as a CSV file")
        self.numbers = W.HTML(layout=W.Layout(width="100%"))
        self.numbers_button.observe(lambda _: self._show_numbers(), names="value")
        self.reset_button.on_click(lambda _: self.reset())
        self.base_button.on_click(lambda _: self.keep_as_base())
        self.show_base.observe(lambda _: self._redraw(), names="value")

        self.message = W.HTML()
        self.summary = W.HTML(layout=W.Layout(width="100%"))
        first = self._simulate(self._start)
        if first is None:
            raise ModelError(f"model {model.name!r} does not run with its starting values: {self.error}")
        self.result = first
        if base:
            self.base = first
        self._live = charts.LiveTimeSeries(model, self.outputs, with_base=True, title=title or model.label,
                                             width=_PANEL_WIDTH, height=_PANEL_HEIGHT)
        self.pane = _ChartPane(render, self._live.spec(first, self.base))
        self._redraw()

        heading = W.HTML(f"{_CSS}<h3 style='margin:4px 0'>{html.escape(title or model.label)}</h3>"
                         "<div style='font-size:14px'>Move a slider and release it: the model runs again. "
                         "Hover over a label, or open <i>What each slider means</i>, to see what it means and "
                         "where the number comes from.</div>" + _meanings(shown))
        buttons = W.HBox([self.reset_button, self.base_button, self.show_base, self.numbers_button],
                         layout=W.Layout(flex_flow="row wrap", align_items="center"))
        left = W.VBox([self.sections, buttons], layout=W.Layout(width="440px", min_width="320px"))
        right = W.VBox([self.message, self.pane.widget, self.summary, self.numbers],
                       layout=W.Layout(flex="1 1 420px", min_width="320px"))
        self._scenario_box = self.scenarios_button = None
        if scenario_box == "now":
            last = self._scenario_widgets()
        else:
            # Built when asked for: a page that many open at once (the room) starts with 27 fewer widgets.
            last = self.scenarios_button = W.Button(description="Scenarios…", icon="save",
                                                    tooltip="Save, load and compare named settings")
            last.add_class("dpmkit-scenarios-open")
            self.scenarios_button.on_click(lambda _: self._scenario_widgets())
        super().__init__([heading, W.HBox([left, right], layout=W.Layout(flex_flow="row wrap",
                                                                          align_items="flex-start")),
                          last])
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
        from ..simulate import simulate

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
                from ..expressions import suggest

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
        base = self._shown_base()
        self.pane.update(self._live.spec(self.result, base))
        self.summary.value = self._summary_html(base)
        self._show_numbers()
        self._static_changed()

    def _show_numbers(self):
        """The numbers behind the chart under it while "Numbers" is pressed (built only then: a
        page that never asks sends none of them)."""
        if self.numbers_button.value and self.result is not None:
            self.numbers.value = numbers.numbers_html(self.model, self.result, self.outputs, self._shown_base())
        else:
            self.numbers.value = ""

    def _shown_base(self):
        show_base = self.show_base.value if hasattr(self, "show_base") else True
        return self.base if show_base else None

    def _compared_moments(self):
        """The moments compared, then the end of the run: (label, time)."""
        end = float(self.result.time[-1])
        tu = self.model.time_units
        moments = [(label, t) for label, t in self.moments if abs(t - end) > 1e-9 * max(1.0, abs(end))]
        return moments + [(f"End of the run ({words.time_label(end, tu)})", end)]

    def comparison(self):
        """The summary's numbers: one row per output and moment (the declared or given
        moments, then the end of the run), as a list of dicts with ``variable``, ``when``
        (as people say it), ``time``, ``value`` and, when a base run is shown, ``base``
        and ``difference``."""
        base = self._shown_base()
        rows = []
        for name in self.outputs:
            for label, t in self._compared_moments():
                row = {"variable": name, "when": label, "time": t, "value": self.result.at(t, name)}
                if base is not None:
                    row["base"] = base.at(t, name)
                    row["difference"] = row["value"] - row["base"]
                rows.append(row)
        return rows

    def _summary_html(self, base):
        rows = []
        for row in self.comparison():
            v = self.model[row["variable"]]
            units = words.units(v)
            cells = [html.escape(v.label), html.escape(row["when"]),
                     f"{words.number(row['value'])} {html.escape(units)}"]
            if "base" in row:
                cells += [words.number(row["base"]), words.difference(row["value"], row["base"])]
            rows.append("<tr>" + "".join(f"<td style='padding:2px 8px'>{c}</td>" for c in cells) + "</tr>")
        head = ["Output", "When", "This run"]
        if base is not None:
            head += ["Base run", "Difference"]
        table = ("<table style='font-size:14px;border-collapse:collapse'><thead><tr>"
                 + "".join(f"<th style='text-align:left;padding:2px 8px'>{h}</th>" for h in head)
                 + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        text = html.escape(charts.describe(self.result, self.outputs))
        return f"{table}<p style='font-size:14px;max-width:640px'>{text}</p>"

    def summary_text(self):
        """The summary in plain words: what the chart shows, then this run against the base
        run at each moment compared."""
        lines = [charts.describe(self.result, self.outputs)]
        changed = self.changed()
        defaults = self.model.defaults
        lines.append("Settings: " + (", ".join(f"{self.model[k].label} {words.number(v)} (default "
                                               f"{words.number(defaults[k])})" for k, v in changed.items())
                                     or "the model's defaults") + ".")
        for name in self.outputs:
            parts = []
            for row in (r for r in self.comparison() if r["variable"] == name):
                text = f"{row['when']}: {words.number(row['value'])}"
                if "base" in row:
                    text += (f" (base run {words.number(row['base'])}, "
                             f"difference {words.difference(row['value'], row['base'])})")
                parts.append(text)
            lines.append(f"{self.model[name].label} — " + "; ".join(parts) + ".")
        return "\n".join(lines)

    def _static_title(self):
        return self.title

    def _static_text(self):
        return self.summary_text()

    # -- scenarios
    def _scenario_widgets(self):
        """The scenario box (name, save, saved list, load, delete), built on first use and put at
        the bottom of the explorer in place of its "Scenarios…" button (``scenario_box="on request"``)."""
        if self._scenario_box is None:
            self._build_scenario_box()
        if self.scenarios_button is not None and self.children and self.children[-1] is self.scenarios_button:
            self.children = (*self.children[:-1], self._scenario_box)
        return self._scenario_box

    def _build_scenario_box(self):
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
        self._scenario_box = W.VBox([
            W.HTML("<b>Scenarios</b>"),
            W.HBox([self.scenario_name, self.save_button], layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.saved, self.load_button, self.delete_button], layout=W.Layout(flex_flow="row wrap")),
            self.scenario_message,
        ])
        self._scenario_box.add_class("dpmkit-scenarios")
        self.saved.options = list(self.scenarios)

    def save_scenario(self, name):
        """Save the current settings under ``name`` (replacing settings of that name)."""
        name = str(name).strip()
        if not name:
            raise ModelError("type a name for these settings first, e.g. 'more staff'")
        if name == "base":
            raise ModelError("'base' is the name dk.compare gives the defaults; choose another name")
        replaced = name in self.scenarios
        self.scenarios[name] = self.changed()
        self._scenario_widgets()
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
        self._scenario_widgets()
        self.saved.options = list(self.scenarios)

    def compare(self, names=None):
        """Run every saved scenario with the base case: the tidy table of ``dk.compare``."""
        from ..analysis.scenarios import compare

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


def explore(model, outputs=None, *, params=None, show=None, base=True, render="interactive", title=None,
            moments=None, scenario_box="now"):
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
    moments : list of float, or dict label -> time, optional
        The moments the lesson asks about: the summary (and the static picture's
        caption) compares this run with the base run at each of them, then at the
        end. Default: the moments the model declares (``MOMENTS`` of a ready-made
        model's module), else the end only. Times are labelled as people say them
        ("April 2014"); a dict gives your own labels (``{"End of March 2014": 2014.25}``).
    scenario_box : {"now", "on request"}
        The box to save, load and delete named settings: built with the explorer ("now"), or
        behind a "Scenarios…" button that builds it when pressed ("on request": 27 fewer widgets
        to send and draw when the page opens, as in the room where thirty pages open at once).

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
    return Explorer(model, outputs, params=params, show=show, base=base, render=render, title=title,
                    moments=moments, scenario_box=scenario_box)
