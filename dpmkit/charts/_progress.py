"""A note in the running notebook cell while something slow happens (internal to
:mod:`dpmkit.charts`; imports neither Altair nor vl-convert, so it can speak while they load)."""

from __future__ import annotations

import contextlib
import html
import sys

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@contextlib.contextmanager
def progress(text):
    """Show ``text`` in the running notebook cell while something slow happens, then clear it.

    Outside a Jupyter kernel (scripts, tests) nothing is shown (and IPython is not imported).
    """
    handle = None
    try:
        if "IPython" not in sys.modules:  # not a kernel: a kernel imports IPython before any cell
            raise LookupError
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None and getattr(shell, "kernel", None) is not None:
            from IPython.display import display

            bundle = {"text/plain": text, "text/html": f"<div style='font-size:14px;color:#0b3d66'>"
                                                       f"{html.escape(text)}</div>"}
            handle = display(bundle, raw=True, display_id=True)
    except Exception:
        handle = None
    try:
        yield
    finally:
        if handle is not None:
            # An empty widget view is ipywidgets' mark for "nothing to show": JupyterLab
            # hides the finished note instead of leaving an empty line.
            handle.update({"text/plain": "", WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": ""}},
                          raw=True)
