"""The numbers behind an explorer's chart, for a reader who works in a spreadsheet: a short
table on the page (one row a year, or a week, ...) to read or to copy into Excel, and a CSV
file of every step to download.

>>> import dpmkit as dk
>>> m = dk.models.load("demo")
>>> frame = table(m, dk.simulate(m), ["waiting_list"])
>>> list(frame.columns)
['time', 'when', 'Waiting list (people)']
>>> len(frame) == len(dk.simulate(m).time), len(shown_rows(frame["time"]))
(True, 61)
"""

from __future__ import annotations

import base64
import html
import math
import re

from .. import words

#: The table on the page shows at most this many rows (whole time units, thinned evenly).
MAX_SHOWN = 61
#: The CSV keeps every step up to this many rows, then every k-th (a data link is sent to the
#: browser whole; 20,000 rows of a few columns is about 1 MB).
MAX_CSV_ROWS = 20_000
#: Text a spreadsheet would read as a formula if a cell began with it (a label from a model file
#: is the user's text): such a cell is written with a leading apostrophe, as Excel itself does.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _heading(model, name, suffix=""):
    return f"{words.axis_title(model[name])}{suffix}"


def table(model, result, outputs, base=None):
    """Every step of ``result`` (and of ``base``, when given) for ``outputs``, as a DataFrame:
    ``time`` (a number, for a spreadsheet's charts), ``when`` (as people say it) and one column
    per output headed with its label and units ("Waiting list (people)"); the base run's columns
    end in ", base run"."""
    import pandas as pd

    time = [float(t) for t in result.time]
    data = {"time": time, "when": [words.time_label(t, model.time_units) for t in time]}
    for name in outputs:
        data[_heading(model, name)] = [float(x) for x in result[name]]
        if base is not None:
            data[_heading(model, name, ", base run")] = [float(x) for x in base[name]]
    return pd.DataFrame(data)


def shown_rows(time):
    """Positions of the rows the page shows: the start and every whole time unit after it (one
    row a year for a run in years), thinned evenly to at most :data:`MAX_SHOWN`; the last step
    is always shown. A run shorter than two time units shows its steps (thinned the same way)."""
    time = [float(t) for t in time]
    if not time:
        return []
    start, step = time[0], 1.0
    whole = [k for k, t in enumerate(time) if abs((t - start) / step - round((t - start) / step)) < 1e-6]
    rows = whole if len(whole) >= 3 else list(range(len(time)))
    if len(rows) > MAX_SHOWN:
        every = math.ceil((len(rows) - 1) / (MAX_SHOWN - 1))
        rows = rows[::every]
    if rows[-1] != len(time) - 1:
        rows.append(len(time) - 1)
    return rows


def text_cell(value):
    """``value`` as a spreadsheet will keep it: text it would run as a formula (starting ``=``, ``+``,
    ``-``, ``@``) gets a leading apostrophe, Excel's own mark for text; a plain number (``-1``)
    and anything that is not text stay as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def csv_text(frame):
    """``frame`` as CSV text for a spreadsheet: numbers to ten significant digits, and any text
    a spreadsheet would run as a formula (a heading or label starting with ``=``, ``+``, ``-``,
    ``@``) written with a leading apostrophe. A frame longer than :data:`MAX_CSV_ROWS` keeps every
    k-th row and its last."""
    if len(frame) > MAX_CSV_ROWS:
        every = math.ceil(len(frame) / MAX_CSV_ROWS)
        keep = list(range(0, len(frame), every))
        if keep[-1] != len(frame) - 1:
            keep.append(len(frame) - 1)
        frame = frame.iloc[keep]
    frame = frame.rename(columns={c: text_cell(str(c)) for c in frame.columns})
    frame = frame.apply(lambda column: column.map(text_cell) if column.dtype == object else column)
    return frame.to_csv(index=False, float_format="%.10g", lineterminator="\r\n")


def file_name(model):
    """``<model>-run.csv``, with anything but letters, digits, ``-`` and ``_`` in the model's name
    made ``_`` (the name may come from a model file)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", str(model.name)).strip("_")[:60] or "model"
    return f"{stem}-run.csv"


def data_link(data, filename, mime, text, css_class="dpmkit-download"):
    """An HTML link that saves ``data`` (bytes) as a file called ``filename``, from the page itself:
    no server, works offline, in JupyterLab and in the room's pages alike. ``filename`` is cut to
    letters, digits, ``.``, ``-`` and ``_``; ``text`` is the link's words (HTML)."""
    encoded = base64.b64encode(data).decode("ascii")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", str(filename)).strip("._")[:80] or "download"
    return (f"<a class='{css_class}' download='{safe}' href='data:{mime};base64,{encoded}' "
            f"style='color:#0b62a4;text-decoration:underline'>{text}</a>")


def download_link(model, frame):
    """An HTML link that saves ``frame`` as a CSV file (UTF-8 with the byte-order mark Excel needs
    to read "£" and "–" right)."""
    name = file_name(model)
    return data_link(csv_text(frame).encode("utf-8-sig"), name, "text/csv",
                     f"Download every step as a CSV file ({html.escape(name)}, opens in Excel)",
                     "dpmkit-numbers-download")


def numbers_html(model, result, outputs, base=None):
    """The table the page shows (rows from :func:`shown_rows`, numbers as :func:`dpmkit.words.number`
    writes them) and the link to every step as CSV."""
    frame = table(model, result, outputs, base)
    rows = shown_rows(frame["time"])
    head = ["When"] + [str(c) for c in frame.columns[2:]]
    body = []
    for k in rows:
        row = frame.iloc[k]
        cells = [html.escape(row["when"])] + [words.number(row[c]) for c in frame.columns[2:]]
        body.append("<tr>" + "".join(f"<td style='padding:1px 8px;text-align:{'left' if i == 0 else 'right'}'>{c}</td>"
                                     for i, c in enumerate(cells)) + "</tr>")
    every = "every step" if len(rows) == len(frame) else f"{len(rows)} of its {len(frame):,} steps"
    return (f"<div class='dpmkit-numbers' style='font-size:14px'>"
            f"<p style='margin:4px 0'>The numbers behind the chart ({every}). Select the table and copy "
            f"it into a spreadsheet, or: {download_link(model, frame)}.</p>"
            "<div style='max-height:320px;overflow:auto'><table style='border-collapse:collapse'><thead><tr>"
            + "".join(f"<th style='text-align:{'left' if i == 0 else 'right'};padding:1px 8px;position:sticky;"
                      f"top:0;background:white'>{html.escape(h)}</th>" for i, h in enumerate(head))
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table></div></div>")
