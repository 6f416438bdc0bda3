"""A table whose cells are sentences, shown as text is read: left-aligned and in full.

A pandas DataFrame shows its cells right-aligned (JupyterLab's stylesheet sets
``text-align: right`` on every table cell, and ``print`` pads strings on the left), and cuts
any cell longer than ``display.max_colwidth`` (50 characters) with "...". That suits columns
of numbers; a column of sentences ("0.66 (0.40 to 0.92)", "the data cannot pin it down
yet (anything from 0 to 1 fits them)", what a source says) then reads ragged on the left and
loses its end. :class:`TextTable` is a DataFrame in every other way (``.loc``, ``.index``,
selecting columns keeps it a TextTable) that JupyterLab shows as a left-aligned table with
every cell in full, and ``print`` shows as a list of rows, each cell on its own line, wrapped.

This module imports pandas, so the kit imports it only where such a table is made.
"""

from __future__ import annotations

import html
import textwrap

import pandas as pd

_CELL = "text-align:left;vertical-align:top;padding:3px 10px;max-width:46em"
#: A cell with a word longer than this (a link) may break it anywhere; other words stay whole.
_LONG_WORD = 40
#: A row's or a column's name this short stays on one line ("April 2011", not "April" over "2011").
_SHORT_LABEL = 24


def _said(value):
    """A cell as text: blanks (None, NaN) as nothing, and a number as written ("0.25", "3", "2009.25",
    not "3.0")."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        written = repr(float(value))  # as typed: 1250000.0 reads "1250000", not "1.25e+06" as :g has it
        return written.removesuffix(".0")
    return str(value)


class TextTable(pd.DataFrame):
    """A DataFrame of sentences that JupyterLab and ``print`` show left-aligned and in full.

    Examples
    --------
    >>> from dpmkit._text_table import TextTable
    >>> t = TextTable({"Estimate": ["0.66 (0.40 to 0.92)", "1: the data cannot pin it down yet"]},
    ...               index=pd.Index(["April 2011", "April 2012"], name="Data up to"))
    >>> print(t)
    Data up to April 2011
      Estimate: 0.66 (0.40 to 0.92)
    <BLANKLINE>
    Data up to April 2012
      Estimate: 1: the data cannot pin it down yet
    >>> "text-align:left" in t._repr_html_() and type(t[["Estimate"]]).__name__
    'TextTable'
    """

    @property
    def _constructor(self):
        return TextTable

    def _headings(self):
        """``(title, headings, shown columns)``: what heads the rows and which columns are shown.

        A table may say in ``attrs`` how a reader names its rows: ``row_headings`` (the index's
        values to the words shown instead, e.g. a source's key to its citation), ``row_title``
        (what those words are, e.g. "Source") and ``heading_column`` (the column the headings
        come from, not shown a second time). Without them the index heads the rows."""
        names = self.attrs.get("row_headings") or {}
        title = self.attrs.get("row_title") if names else None
        heads = [names.get(label, label) for label in self.index]
        skip = self.attrs.get("heading_column") if names else None
        shown = [i for i, c in enumerate(self.columns) if c != skip]
        return (title if title is not None else self.index.name), heads, shown

    def _repr_html_(self):
        def cell(tag, value, note=""):
            text = _said(value)
            style = _CELL + (";word-break:break-all" if any(len(w) > _LONG_WORD for w in text.split()) else
                             ";white-space:nowrap" if tag == "th" and len(text) <= _SHORT_LABEL else "")
            if note:  # a heading in words (a citation) is narrower than the sentences beside it
                style += ";min-width:12em;max-width:22em;font-weight:normal"
            hover = f" title='{html.escape(note, quote=True)}'" if note else ""
            return f"<{tag} style='{style}'{hover}>{html.escape(text)}</{tag}>"

        title, heads, shown = self._headings()
        corner = title if title is not None else ""
        head = cell("th", corner) + "".join(cell("th", self.columns[i]) for i in shown)
        # a row headed by other words than its label keeps the label on hover (the key a code track types)
        key = f"{self.index.name} " if self.index.name is not None else ""
        rows = "".join("<tr>" + cell("th", heading, "" if heading == label else f"{key}{label}")
                       + "".join(cell("td", values[i]) for i in shown) + "</tr>"
                       for label, heading, values in zip(self.index, heads, self.itertuples(index=False, name=None)))
        return (f"<table class='dpmkit-text-table' style='border-collapse:collapse'>"
                f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")

    def to_text(self, width=100):
        """The table as plain text: each row under its label (after the index's name, if it has
        one) or the heading a reader knows it by (see :meth:`_headings`), each cell on its own
        line after its column's name, wrapped at ``width``."""
        if self.empty:
            return f"(no rows; columns: {', '.join(map(str, self.columns))})"
        named = bool(self.attrs.get("row_headings"))
        _, heads, shown = self._headings()
        blocks = []
        for label, heading, values in zip(self.index, heads, self.itertuples(index=False, name=None)):
            # a row headed as a reader names it (a source by its citation) needs no title before it
            title = _said(heading) if named or self.index.name is None else f"{self.index.name} {_said(label)}"
            lines = [textwrap.fill(title, width=width, break_long_words=False, break_on_hyphens=False)]
            for column, value in ((self.columns[i], values[i]) for i in shown):
                lines.append(textwrap.fill(f"{column}: {_said(value)}", width=width, initial_indent="  ",
                                           subsequent_indent="    ", break_long_words=False,
                                           break_on_hyphens=False))
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def __repr__(self):
        return self.to_text()
