"""What tests of widgets and pages share, with or without a browser: the widgets under a rendered
root, and a bounded wait for something to become true."""

from __future__ import annotations

import time

__all__ = ["wait_for", "widgets"]


def widgets(root):
    """Every widget under ``root`` (depth first), as ``solara.render`` or an ipywidgets tree holds them."""
    out, stack = [], [root]
    while stack:
        w = stack.pop()
        out.append(w)
        stack.extend(c for c in reversed(list(getattr(w, "children", None) or ())) if hasattr(c, "keys"))
    return out


def wait_for(check, timeout, what):
    """Poll ``check`` until it is true; TimeoutError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
