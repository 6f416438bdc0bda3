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

from .. import sheet
from ..errors import ModelError, UnitsWarning
from ._common import W, _message, _model, _StaticPicture
from .explorer import Explorer
from .numbers import data_link

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
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    for row in rows:
        for k, cell in enumerate(row):
            if cell.startswith(("=", "+", "-", "@")) and not _plain_number(cell):
                row[k] = "'" + cell
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _plain_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


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
        self.model = self.explorer = None
        self.error = ""
        intro = W.HTML(
            # the sheet's columns line up as in a spreadsheet, and a long equation scrolls, not wraps
            "<style>.dpmkit-sheet-text textarea{font-family:monospace;tab-size:18;white-space:pre;"
            "overflow-x:auto}</style>"
            "<div style='font-size:14px;max-width:760px'>One row a variable: <b>kind</b> (stock, flow, auxiliary, "
            "parameter, lever, lookup), <b>name</b>, <b>equation</b> (a number, or an equation of other names), "
            "<b>units</b>, and for a flow the stock it drains (<b>from</b>) and fills (<b>to</b>). Copy the "
            "cells into Excel and back, or paste your own. Then press <b>Build and run</b>.</div>")
        settings = W.HBox([self.name, self.start, self.stop, self.dt, self.time_units],
                          layout=W.Layout(flex_flow="row wrap"))
        super().__init__([intro, self.text, settings, W.HBox([self.build_button]), self.message, self.links,
                          self.place])
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
        self._static_changed()
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
    settings, *Build and run*, then the model's explorer and links to save it (CSV, XMILE).

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
