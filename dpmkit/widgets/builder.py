"""A model built from a sheet, without code: paste a table from Excel (or edit the one shown),
press *Build and run*, and explore the model; save it as a CSV for Excel or as XMILE.

The table's columns are those of :mod:`dpmkit.sheet` (kind, name, equation, units, from, to,
...); the model is read by the kit's own parser, never run as Python.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
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
_STARTER_SETTINGS = {"name": "waiting_list", "start": 0.0, "stop": 52.0, "dt": 1.0, "time_units": "week",
                      "method": "euler"}
#: Files *Open a file* reads as a model (Stella, iThink, Vensim's XMILE export); any other is read as a sheet.
_XMILE_FILES = (".xmile", ".stmx", ".itmx", ".xml")


def _file_bytes(name, data):
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ModelError(f"the content of {name} is {type(data).__name__}, not the bytes of a file")
    return bytes(data)


def _file_text(name, data):
    """The text of a sheet or data file a learner chose, bounded before it is decoded."""
    data = _file_bytes(name, data)
    if len(data) > 4 * sheet.MAX_CHARS:  # UTF-8 takes at most 4 bytes a character
        raise ModelError(f"{name} is {len(data):,} bytes; the kit reads sheets of up to {sheet.MAX_CHARS:,} "
                         "characters")
    return _decoded(data, name)


def _not_opened(name, err):
    said = str(err) if name in str(err) else f"{name}: {err}"
    return _message(f"Not opened: {said}", "error")


def _decoded(data, name):
    """A sheet file's bytes as text, in the encodings Excel saves: "CSV UTF-8" (a byte-order mark),
    "Unicode Text" (UTF-16, tab-separated) and, on Windows, "CSV (Comma delimited)" (Windows-1252)."""
    if data.startswith(b"PK\x03\x04"):
        raise ModelError(f"{name} is an Excel workbook (or another zipped file), not a sheet saved as text: in "
                         "Excel choose File > Save As > CSV UTF-8, or copy the cells and paste them above")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:  # cut short, or half a character pair
            raise ModelError(f"{name} starts as Unicode Text but breaks off at byte {err.start:,}: save the "
                             "sheet from Excel again") from None
    if b"\x00" in data:
        raise ModelError(f"{name} is not a text file: save the sheet from Excel as CSV UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _settings_of(model):
    """The settings a sheet does not hold, as :class:`ModelSheet` shows them."""
    return {"name": model.name, "start": float(model.start), "stop": float(model.stop), "dt": float(model.dt),
            "time_units": model.time_units, "method": model.method}


def _file_stem(name):
    """A model name from a file name ("My service (v2).csv" -> "my_service_v2"), or '' if none is left."""
    stem = re.sub(r"[^0-9a-z]+", "_", name.rsplit(".", 1)[0].lower()).strip("_")
    return stem if stem[:1].isalpha() else ""


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

    def __init__(self, text, *, name, start, stop, dt, time_units, method="euler", outputs=None):
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
        if method not in ("euler", "rk4"):
            raise ModelError(f"method is 'euler' or 'rk4', not {method!r}")
        self.method = W.Dropdown(options=[("Euler", "euler"), ("Runge-Kutta 4", "rk4")], value=method,
                                 description="Method", style=style, layout=W.Layout(width="230px"),
                                 tooltip="How each step is worked out: Euler as most courses teach, or "
                                         "Runge-Kutta 4 (as a Stella model may say)")
        self.build_button = W.Button(description="Build and run", icon="play", button_style="primary",
                                     tooltip="Read the sheet, build the model and run it")
        self.build_button.on_click(lambda _: self.build())
        self.upload = W.FileUpload(accept=",".join((".csv", ".tsv", ".txt") + _XMILE_FILES), multiple=False,
                                   description="Open a file", icon="folder-open", layout=W.Layout(width="auto"),
                                   tooltip="A sheet saved from Excel (CSV or Unicode text), or a model from "
                                           "Stella, iThink or Vensim (XMILE)")
        self.upload.observe(lambda _: self._uploaded(), names="value")
        self.undo_button = W.Button(description="Back to the sheet before", icon="undo", layout=W.Layout(
            width="auto", display="none"), tooltip="Put back the sheet and settings you had before opening the file")
        self.undo_button.on_click(lambda _: self.undo_open())
        self._before_open = None
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
            "cells into Excel and back, or paste your own. Then press <b>Build and run</b>. <b>Open a file</b> "
            "takes a sheet saved from Excel (CSV) or a model from Stella, iThink or Vensim (XMILE).</div>")
        settings = W.HBox([self.name, self.start, self.stop, self.dt, self.time_units, self.method],
                          layout=W.Layout(flex_flow="row wrap"))
        buttons = W.HBox([self.build_button, self.upload, self.undo_button], layout=W.Layout(flex_flow="row wrap"))
        super().__init__([intro, self.text, settings, buttons, self.message, self.links, self.place, self.fitting])
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
                                   time_units=self.time_units.value.strip(), method=self.method.value)
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

    # -- opening a file
    def _uploaded(self):
        if self.upload.value:
            entry = self.upload.value[0]
            self.upload.value = ()  # so that the same file can be opened again after a change in Excel
            self.open_file(entry["name"], entry["content"])

    def open_file(self, name, data):
        """Open a file the learner chose (*Open a file*): a sheet saved from Excel goes into the sheet as it
        is; a Stella, iThink or Vensim model (XMILE) is read and written into the sheet, with its time
        settings. Then the model is built. Returns the Model, or None: a file that cannot be read changes
        nothing; a sheet with a mistake stays in the box to mend, and *Back to the sheet before* puts back
        what was there."""
        name = str(name)
        try:
            if name.lower().endswith(_XMILE_FILES):
                from .. import xmile

                model = xmile.read(_file_bytes(name, data))
                text = sheet.dumps(model)
                settings = _settings_of(model)
            else:
                text = _file_text(name, data)
                settings = {"name": _file_stem(name)} if _file_stem(name) else {}
        except ModelError as err:
            self.message.value = _not_opened(name, err)
            return None
        self._before_open = (self.text.value, self._settings())
        self.text.value = text
        self._set_settings(settings)
        self.undo_button.layout.display = None
        model = self.build()
        if model is not None:
            self.message.value = self.message.value.replace("Built ", f"Opened {html.escape(name)} and built ", 1)
        return model

    def undo_open(self):
        """Put back the sheet and settings from before the last file was opened, and build them."""
        if self._before_open is None:
            return None
        text, settings = self._before_open
        self._before_open = None
        self.undo_button.layout.display = "none"
        self.text.value = text
        self._set_settings(settings)
        return self.build()

    def _settings(self):
        return {"name": self.name.value, "start": self.start.value, "stop": self.stop.value, "dt": self.dt.value,
                "time_units": self.time_units.value, "method": self.method.value}

    def _set_settings(self, settings):
        for key, value in settings.items():
            getattr(self, key).value = value

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
            "and high) and press <b>Fit to the data</b>. <b>Open a data file</b> takes the counts saved from "
            "Excel as CSV.</div>")
        self.data_upload = W.FileUpload(accept=".csv,.tsv,.txt", multiple=False, description="Open a data file",
                                        icon="folder-open", layout=W.Layout(width="auto"),
                                        tooltip="Counts saved from Excel (CSV or Unicode text): time, then one "
                                                "column for each observed variable")
        self.data_upload.observe(lambda _: self._data_uploaded(), names="value")
        box = W.VBox([help_text, self.data, W.HBox([self.data_upload]),
                      W.HBox([self.fit_params, W.VBox([self.fit_button, self.use_button])],
                             layout=W.Layout(flex_flow="row wrap")),
                      self.fit_message, self.fit_picture])
        self.fitting = W.Accordion(children=[box], titles=("Fit the model to your data (optional)",),
                                   selected_index=None, layout=W.Layout(width="100%"))
        self.fitting.add_class("dpmkit-sheet-fit")

    def _data_uploaded(self):
        if self.data_upload.value:
            entry = self.data_upload.value[0]
            self.data_upload.value = ()
            self.open_data_file(entry["name"], entry["content"])

    def open_data_file(self, name, data):
        """Put the counts of a file saved from Excel (CSV, Unicode text) into the data box, checked as
        :func:`dpmkit.sheet.read_data` reads them. Returns True, or False with the reason shown and
        the box as it was."""
        name = str(name)
        try:
            text = _file_text(name, data)
            frame = sheet.read_data(text)
        except ModelError as err:
            self.fit_message.value = _not_opened(name, err)
            return False
        self.data.value = text
        observed = ", ".join(str(c) for c in frame.columns)
        self.fit_message.value = _message(f"Opened {name}: {len(frame)} times, observing {observed}. Pick the "
                                          "numbers to fit and press Fit to the data.", "ok")
        return True

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
            off = (f"{words.number(row['mape'])}%" if math.isfinite(row["mape"])
                   else f"{words.number(row['rmse'])} (the data are all zero)")
            off = f"the fitted run is {off} off the data on average"
            r2 = (f" (R² {round(row['r2'], 2) + 0.0:.2f})" if math.isfinite(row["r2"])  # + 0.0: never -0.00
                  else " (no R²: the data do not vary)")
            lines.append(f"{self.model[name].label}: {off}{r2}.")
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
                    row[at_eq] = sheet.number_cell(f"{fitted[row[at_name].strip()]:.6g}")
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
                time_units=None, method=None):
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
    name, start, stop, dt, time_units, method
        The model's name, time settings and integration method (default: the model's, else the
        starter's).

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
        settings = _settings_of(model)
        text = sheet.dumps(model) if text is None else text
    given = {"name": name, "start": start, "stop": stop, "dt": dt, "time_units": time_units, "method": method}
    settings.update({k: v for k, v in given.items() if v is not None})
    builder = ModelSheet(STARTER if text is None else text, outputs=outputs, **settings)
    builder.build()
    return builder
