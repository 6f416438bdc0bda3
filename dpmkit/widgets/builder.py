"""A model built from a sheet, without code: paste a table from Excel (or edit the one shown),
press *Build and run*, and explore the model; save it as a CSV for Excel or as XMILE.

The table's columns are those of :mod:`dpmkit.sheet` (kind, name, equation, units, from, to,
...); the model is read by the kit's own parser, never run as Python.
"""

from __future__ import annotations

import csv
import html
import io
import warnings

from .. import sheet, words
from ..errors import ModelError, UnitsWarning
from ._common import W, _message, _model, _StaticPicture, _svg_of
from .explorer import Explorer
from .numbers import data_link, text_cell

#: The sheet a new builder starts from: a waiting list, as in the README's first model.
STARTER = (
    "kind\tname\tequation\tunits\tfrom\tto\tlabel\tlow\thigh\tnever negative\n"
    "stock\twaiting\t120\tpeople\t\t\tPeople waiting\t\t\tyes\n"
    "flow\treferrals\tdemand\tpeople/week\t\twaiting\tReferrals\n"
    "flow\tserved\tMIN(waiting / DT, capacity)\tpeople/week\twaiting\t\tPeople served\n"
    "lever\tdemand\t30\tpeople/week\t\t\tReferrals a week\t0\t60\n"
    "lever\tcapacity\t28\tpeople/week\t\t\tPlaces a week\t0\t60\n"
)
_STARTER_SETTINGS = {"name": "waiting_list", "start": 0.0, "stop": 52.0, "dt": 1.0, "time_units": "week"}


def sheet_csv(text):
    """A sheet (tab-separated, as :func:`dpmkit.sheet.dumps` writes it) as CSV for Excel: commas,
    quotes where a cell needs them, and an apostrophe before any cell Excel would take for a
    formula (``-0.5 * x``), which :func:`dpmkit.sheet.read` drops again."""
    rows = [[text_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text), delimiter="\t")]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


class ModelSheet(_StaticPicture, W.VBox):
    """The sheet, the model's time settings, *Build and run*, and the built model's explorer.
    Build it with :func:`model_sheet`.

    Attributes
    ----------
    text : ipywidgets.Textarea
        The sheet as typed or pasted.
    model : Model or None
        The last model built (None until the first build works).
    explorer : Explorer or None
        Its explorer.
    error : str
        The message of the last failed build ('' when it worked).
    """

    def __init__(self, text, *, name, start, stop, dt, time_units, outputs=None):
        self.outputs = outputs
        self.text = W.Textarea(value=text, placeholder="Paste your sheet here (copy the cells in Excel, then paste)",
                               layout=W.Layout(width="100%", height="240px"))
        self.text.add_class("dpmkit-sheet-text")
        narrow = W.Layout(width="150px")
        style = {"description_width": "70px"}
        self.name = W.Text(value=name, description="Name", style=style, layout=W.Layout(width="230px"))
        self.start = W.FloatText(value=start, description="Start", style=style, layout=narrow)
        self.stop = W.FloatText(value=stop, description="Stop", style=style, layout=narrow)
        self.dt = W.FloatText(value=dt, description="Step (DT)", style=style, layout=narrow,
                              tooltip="The time step: smaller is more exact and slower")
        self.time_units = W.Text(value=time_units, description="Time in", style=style, layout=narrow,
                                 placeholder="week, month, year")
        self.build_button = W.Button(description="Build and run", icon="play", button_style="primary",
                                     tooltip="Read the sheet, build the model and run it")
        self.build_button.on_click(lambda _: self.build())
        self.message = W.HTML()
        self.links = W.HTML()
        self.links.add_class("dpmkit-sheet-links")
        self.place = W.VBox()
        self.model = self.explorer = self.fit = None
        self.error = ""
        self._fit_box()
        intro = W.HTML(
            # the sheet's columns line up as in a spreadsheet, and a long equation scrolls, not wraps
            "<style>.dpmkit-sheet-text textarea,.dpmkit-sheet-data textarea{font-family:monospace;tab-size:18;"
            "white-space:pre;"
            "overflow-x:auto}</style>"
            "<div style='font-size:14px;max-width:760px'>One row a variable: <b>kind</b> (stock, flow, auxiliary, "
            "parameter, lever, lookup), <b>name</b>, <b>equation</b> (a number, or an equation of other names), "
            "<b>units</b>, and for a flow the stock it drains (<b>from</b>) and fills (<b>to</b>). Copy the "
            "cells into Excel and back, or paste your own. Then press <b>Build and run</b>.</div>")
        settings = W.HBox([self.name, self.start, self.stop, self.dt, self.time_units],
                          layout=W.Layout(flex_flow="row wrap"))
        super().__init__([intro, self.text, settings, W.HBox([self.build_button]), self.message, self.links,
                          self.place, self.fitting])
        self.add_class("dpmkit-sheet")

    def build(self):
        """Read the sheet, build the model, show its explorer and the links to save it. Returns the
        Model, or None when the sheet has a mistake (shown, with its line, and kept in ``.error``;
        the last model that worked stays on show)."""
        try:
            with warnings.catch_warnings(record=True) as caught:  # units that disagree: said here, not below
                warnings.simplefilter("always", UnitsWarning)
                model = sheet.read(self.text.value, name=self.name.value.strip() or "my_model",
                                   start=self.start.value, stop=self.stop.value, dt=self.dt.value,
                                   time_units=self.time_units.value.strip())
            outputs = [n for n in (self.outputs or []) if n in model.recorded] or None
            explorer = Explorer(model, outputs, scenario_box="on request")
        except ModelError as err:
            self.error = str(err)
            kept = " The model below is the last one that worked." if self.model is not None else ""
            self.message.value = _message(f"Not built: {err}{kept}", "error")
            return None
        self.error = ""
        if self.explorer is not None:
            _close(self.explorer)  # the kernel forgets the replaced explorer's widgets
        self.model, self.explorer = model, explorer
        self.place.children = (explorer,)
        counts = {}
        for v in model.variables:
            counts[v.kind] = counts.get(v.kind, 0) + 1
        made = ", ".join(f"{counts[kind]} {plural if counts[kind] > 1 else kind}"
                         for kind, plural in _PLURAL.items() if kind in counts)
        units = [str(w.message) for w in caught if issubclass(w.category, UnitsWarning)]
        if units:
            self.message.value = _message(f"Built {model.name!r}: {made}. It runs, but check the units:\n- "
                                          + "\n- ".join(units), "info")
        else:
            self.message.value = _message(f"Built {model.name!r}: {made}. Move the sliders below.", "ok")
        self.links.value = self._links(model)
        fittable = [(f"{p.label} ({p.name})", p.name) for p in model.params if p.bounds is not None]
        names = {name for _, name in fittable}
        chosen = [n for n in self.fit_params.value if n in names]
        self.fit_params.options = fittable
        self.fit_params.value = tuple(chosen)
        self._static_changed()
        return model

    # -- fitting to data
    def _fit_box(self):
        self.data = W.Textarea(placeholder="time\twaiting\n0\t120\n4\t131\n8\t140   (copy the cells in Excel, "
                                           "then paste)", layout=W.Layout(width="100%", height="120px"))
        self.data.add_class("dpmkit-sheet-data")
        self.fit_params = W.SelectMultiple(options=[], rows=5, description="Fit",
                                           style={"description_width": "40px"}, layout=W.Layout(width="420px"),
                                           tooltip="The numbers to fit (parameters with a low and a high); "
                                                   "hold Ctrl or Cmd to pick several")
        self.fit_button = W.Button(description="Fit to the data", icon="line-chart", layout=W.Layout(width="auto"),
                                   tooltip="Find the values of the chosen numbers that fit the data best")
        self.use_button = W.Button(description="Put the fitted values in the sheet", icon="check", disabled=True,
                                   layout=W.Layout(width="auto"))
        self.fit_button.on_click(lambda _: self.fit_data())
        self.use_button.on_click(lambda _: self.use_fit())
        self.fit_message = W.HTML()
        self.fit_picture = W.HTML()
        help_text = W.HTML(
            "<div style='font-size:14px;max-width:760px'>Paste what was observed: a first column <b>time</b> (in the "
            "model's time units), then one column for each observed variable, headed with its name in the sheet; "
            "leave a cell empty where there is no count. Pick the numbers to fit (each searched between its low "
            "and high) and press <b>Fit to the data</b>.</div>")
        box = W.VBox([help_text, self.data, W.HBox([self.fit_params, W.VBox([self.fit_button, self.use_button])],
                                                   layout=W.Layout(flex_flow="row wrap")),
                      self.fit_message, self.fit_picture])
        self.fitting = W.Accordion(children=[box], titles=("Fit the model to your data (optional)",),
                                   selected_index=None, layout=W.Layout(width="100%"))
        self.fitting.add_class("dpmkit-sheet-fit")

    def fit_data(self):
        """Fit the chosen parameters of the built model to the pasted data (:func:`dpmkit.calibrate`);
        show the estimates, how well it fits and a chart. Returns the Calibration, or None (the
        reason is shown)."""
        from ..analysis import calibrate

        self.use_button.disabled = True
        try:
            if self.model is None:
                raise ModelError("build the model first (Build and run)")
            if not self.fit_params.value:
                raise ModelError("pick at least one number to fit from the list (only parameters with a low and a "
                                 "high can be fitted)")
            data = sheet.read_data(self.data.value)
            fit = calibrate(self.model, data, list(self.fit_params.value))
        except ModelError as err:
            self.fit_message.value = _message(f"Not fitted: {err}", "error")
            self.fit_picture.value = ""
            return None
        self.fit = fit
        lines = []
        for name, row in fit.table.iterrows():
            label = self.model[name].label
            # the kit's words for an estimate: digits the interval allows, and "the data cannot pin
            # it down yet" where the interval covers the whole range (not an interval of ±230 bare)
            said = words.estimate(row["estimate"], row["low"], row["high"], row["lower_bound"], row["upper_bound"],
                                  named="95% interval ")
            bound = "; it sits at the edge of its range, so widen the range" if row["at_bound"] else ""
            lines.append(f"{label}: {said}{bound}.")
        for name, row in fit.fit.iterrows():
            lines.append(f"{self.model[name].label}: the fitted run is {words.number(row['mape'])}% off the data on "
                         f"average (R² {row['r2']:.2f}).")
        self.fit_message.value = _message("\n".join(lines), "ok" if fit.success else "info")
        from .. import charts

        self.fit_picture.value = _svg_of(charts.calibration(fit).to_dict())
        self.use_button.disabled = False
        return fit

    def use_fit(self):
        """Write the fitted values into the sheet (as the parameters' values) and build again."""
        if self.fit is None:
            return None
        fitted = self.fit.params
        rows = list(csv.reader(io.StringIO(self.text.value), delimiter="\t"))
        header = [c.strip().lower() for c in rows[0]] if rows else []
        if "name" in header and "equation" in header and "\t" in self.text.value:
            at_name, at_eq = header.index("name"), header.index("equation")
            for row in rows[1:]:
                if len(row) > max(at_name, at_eq) and row[at_name].strip() in fitted:
                    row[at_eq] = f"{fitted[row[at_name].strip()]:.6g}"
            out = io.StringIO()
            csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
            self.text.value = out.getvalue()
        else:  # a CSV or an unusual sheet: written afresh from the fitted model
            self.text.value = sheet.dumps(self.fit.model)
        lines = ", ".join(f"{self.model[k].label} {words.number(v)}" for k, v in fitted.items())
        model = self.build()
        if model is not None:
            self.fit_message.value = _message(f"The sheet now holds the fitted values: {lines}.", "ok")
        return model

    # the picture left in the cell for exported HTML and print: the built model's chart and words
    def _static_title(self):
        return self.model.label if self.model is not None else "Model sheet"

    def _static_svg(self):
        return self.explorer._static_svg() if self.explorer is not None else ""

    def _static_text(self):
        if self.model is None:
            return f"A model sheet that does not build yet: {self.error}"
        rows = len(self.model.variables)
        return f"A model built from a sheet of {rows} rows.\n" + self.explorer.summary_text()

    def _links(self, model):
        stem = html.escape(model.name)
        parts = [data_link(sheet_csv(sheet.dumps(model)).encode("utf-8-sig"), f"{model.name}-sheet.csv", "text/csv",
                           f"Save the sheet ({stem}-sheet.csv, opens in Excel)")]
        try:
            from .. import xmile

            parts.append(data_link(xmile.dumps(model).encode("utf-8"), f"{model.name}.xmile", "application/xml",
                                   f"Save as XMILE ({stem}.xmile, opens in Stella and PySD)"))
        except ModelError as err:  # a model XMILE cannot hold: say so, keep the sheet
            parts.append(html.escape(f"(no XMILE file: {err})"))
        return "<div style='font-size:14px'>" + " · ".join(parts) + "</div>"


_PLURAL = {"stock": "stocks", "flow": "flows", "auxiliary": "auxiliaries", "parameter": "parameters",
           "lookup": "lookups"}


def _close(widget):
    """Close ``widget`` and every widget inside it."""
    for child in getattr(widget, "children", ()):
        _close(child)
    widget.close()


def model_sheet(model=None, *, text=None, outputs=None, name=None, start=None, stop=None, dt=None,
                time_units=None):
    """Build a model from a sheet, without code: a table to paste from Excel or edit, the time
    settings, *Build and run*, then the model's explorer and links to save it (CSV, XMILE), and a
    section that fits chosen numbers to counts pasted from Excel and writes the fitted values
    into the sheet.

    Parameters
    ----------
    model : Model or str, optional
        A model to start from (its sheet is shown and built), or the name of a ready-made one.
        Default: a small waiting-list model.
    text : str, optional
        A sheet to start from instead (see :mod:`dpmkit.sheet` for its columns).
    outputs : list of str, optional
        What the explorer charts (default: as :func:`explore` chooses).
    name, start, stop, dt, time_units
        The model's name and time settings (default: the model's, else the starter's).

    Returns
    -------
    ModelSheet

    Examples
    --------
    >>> import dpmkit as dk
    >>> builder = dk.widgets.model_sheet()
    >>> builder.text.value = builder.text.value.replace("\\t28\\t", "\\t32\\t")  # more places a week
    >>> round(builder.build().defaults["capacity"])
    32
    >>> round(builder.explorer.result.final("waiting"))  # down to one week's referrals
    30
    """
    settings = dict(_STARTER_SETTINGS)
    if model is not None:
        model = _model(model)
        settings = {"name": model.name, "start": float(model.start), "stop": float(model.stop), "dt": float(model.dt),
                    "time_units": model.time_units}
        text = sheet.dumps(model) if text is None else text
    given = {"name": name, "start": start, "stop": stop, "dt": dt, "time_units": time_units}
    settings.update({k: v for k, v in given.items() if v is not None})
    builder = ModelSheet(STARTER if text is None else text, outputs=outputs, **settings)
    builder.build()
    return builder
