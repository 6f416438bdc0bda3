"""A note in the running notebook cell while something slow happens (internal to
:mod:`dpmkit.charts`; imports neither Altair nor vl-convert, so it can speak while they load).

A finished note must not leave an empty output in the saved notebook (an exported or
printed notebook would show a blank box where the note was). Outputs cannot be removed
one by one in Jupyter's protocol, only replaced in place through their display id. So a
cleared note keeps its place open (the cell's *slot*), and the next thing shown in the
same cell goes there instead of into a new output: the next note, the kit's own outputs
(:func:`output`), or anything else displayed (a chart or widget as the cell's last line,
through a temporary IPython display printer). The slot closes when the cell ends.
"""

from __future__ import annotations

import contextlib
import html
import sys
from typing import ClassVar

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: What a cleared note shows: an empty widget view is ipywidgets' mark for "nothing to
#: show", so JupyterLab hides the note instead of leaving an empty line.
EMPTY = {"text/plain": "", WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": ""}}


def _shell():
    """The kernel's IPython shell, or None outside a Jupyter kernel (scripts, tests, Solara)."""
    if "IPython" not in sys.modules:  # not a kernel: a kernel imports IPython before any cell
        return None
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except Exception:
        return None
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def _notebook_kernel(shell):
    """True for a Jupyter kernel's shell (where cells run and end), False for Solara's virtual
    kernels (the room builds pages from widgets: no cells, no slots)."""
    try:
        from ipykernel.zmqshell import ZMQInteractiveShell
    except ImportError:
        return False
    return isinstance(shell, ZMQInteractiveShell)


def _cell_id(shell):
    """The id of the request being handled (a cell's execute_request, or a widget message)."""
    try:
        kernel = shell.kernel
        parent = kernel.get_parent("shell") if hasattr(kernel, "get_parent") else kernel._parent_header
        return (parent or {}).get("header", {}).get("msg_id")
    except Exception:
        return None


class _Slot:
    """The place of this cell's cleared note, open for the next output of the same cell."""

    handle = cell = shell = formatter = previous = None
    hooked = False
    streams: ClassVar[list] = []  # (stream, its own write before) while the slot is open

    @classmethod
    def take(cls):
        """The open slot's display handle if it belongs to the running cell (closing it), else None."""
        handle, cell, shell = cls.handle, cls.cell, cls.shell
        cls.close()
        if handle is None or shell is None or _cell_id(shell) != cell:
            return None
        return handle

    @classmethod
    def open(cls, handle, shell):
        cls.close()
        cls.handle, cls.cell, cls.shell = handle, _cell_id(shell), shell
        try:
            formatter = shell.display_formatter.ipython_display_formatter
            # Only while the slot is open: whatever the cell displays next fills it.
            cls.previous = formatter.for_type(object, _fill)
            cls.formatter = formatter
            if not cls.hooked:
                shell.events.register("post_run_cell", _cell_ended)
                shell.display_pub.register_hook(_other_output)
                cls.hooked = True
        except Exception:  # an unusual shell: only the kit's own outputs use the slot
            cls.formatter = None
        # Printed text after the note comes after it: the slot closes, so nothing shown
        # later jumps ahead of the text into the note's place.
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "pub_thread"):  # ipykernel's streams
                try:
                    cls.streams.append((stream, vars(stream).get("write")))
                    stream.write = _Printed(stream.write)
                except Exception:
                    continue

    @classmethod
    def unhook(cls):
        """Remove the display printer (the slot stays open for the kit's own outputs)."""
        formatter, previous = cls.formatter, cls.previous
        cls.formatter = cls.previous = None
        if formatter is not None:
            try:
                if previous is None:
                    formatter.type_printers.pop(object, None)
                else:
                    formatter.for_type(object, previous)
            except Exception:
                pass

    @classmethod
    def close(cls):
        cls.unhook()
        cls.handle = cls.cell = None
        while cls.streams:
            stream, saved = cls.streams.pop()
            with contextlib.suppress(Exception):
                if isinstance(vars(stream).get("write"), _Printed):  # else someone replaced it since
                    if saved is None:
                        del stream.write
                    else:
                        stream.write = saved


class _Printed:
    """``write`` of sys.stdout/stderr while a slot is open: text printed closes it."""

    def __init__(self, write):
        self.write = write

    def __call__(self, text, *args, **kwargs):
        _Slot.close()
        return self.write(text, *args, **kwargs)


def _other_output(msg):
    """ipykernel's display hook: a new output shown by other code closes the slot."""
    if _Slot.handle is not None and msg.get("header", {}).get("msg_type") == "display_data":
        _Slot.close()
    return msg


def _cell_ended(*_):
    _Slot.close()


def _fill(obj):
    """IPython display printer while a slot is open: show ``obj`` in the slot when the
    display happens in the note's cell, else as IPython would have."""
    shell = _Slot.shell
    _Slot.unhook()  # no recursion; a note while obj is formatted still reuses the slot
    data, metadata = shell.display_formatter.format(obj)
    if not data:  # obj displayed itself (_ipython_display_), through output() if it is the kit's
        return
    handle = _Slot.take()
    if handle is not None:
        _place(handle, data, metadata)
    else:
        from IPython.display import publish_display_data

        publish_display_data(data, metadata=metadata)


def output(bundle, *, metadata=None, display_id=False):
    """Display the mime ``bundle`` in the running cell, in the place of a cleared note of
    that cell if there is one. Returns the display handle when ``display_id`` is true (or
    when the bundle took a note's place, whose handle then serves for later updates)."""
    from IPython.display import display

    handle = _Slot.take() if _shell() is not None else None
    if handle is None:
        return display(bundle, raw=True, metadata=metadata, display_id=display_id)
    _place(handle, bundle, metadata)
    return handle


def _place(handle, bundle, metadata=None):
    """Put ``bundle`` in the place of a cleared note (:data:`EMPTY`)."""
    if (bundle.get(WIDGET_VIEW) or {}).get("model_id"):
        # JupyterLab re-renders an updated output with the same renderer when its preferred
        # mime type stays the same, and ipywidgets' renderer, once hidden for the cleared
        # note's empty widget view, never shows itself again: pass through plain text first,
        # so that the live widget gets a new renderer.
        handle.update({"text/plain": ""}, raw=True)
    handle.update(bundle, metadata=metadata, raw=True)


def display_first(kind):
    """Until the first ``kind`` object is displayed in this kernel, display it through
    :func:`output`: a note its own drawing shows (while IPython formats it, too late for
    the printer of an open slot) then leaves no empty output."""
    shell = _shell()
    if shell is None:
        return
    try:
        formatter = shell.display_formatter.ipython_display_formatter
    except Exception:
        return
    previous = formatter.type_printers.get(kind)

    def first(obj):
        if previous is None:
            formatter.type_printers.pop(kind, None)
        else:
            formatter.for_type(kind, previous)
        data, metadata = shell.display_formatter.format(obj)
        if data:
            output(data, metadata=metadata or None)

    formatter.for_type(kind, first)


@contextlib.contextmanager
def progress(text):
    """Show ``text`` in the running notebook cell while something slow happens, then clear it.

    Outside a Jupyter kernel (scripts, tests) nothing is shown (and IPython is not imported).
    """
    handle = shell = None
    try:
        shell = _shell()
        if shell is not None:
            bundle = {"text/plain": text, "text/html": f"<div style='font-size:14px;color:#0b3d66'>"
                                                       f"{html.escape(text)}</div>"}
            handle = output(bundle, display_id=True)
    except Exception:
        handle = None
    try:
        yield
    finally:
        if handle is not None:
            handle.update(EMPTY, raw=True)
            if _notebook_kernel(shell):
                _Slot.open(handle, shell)
