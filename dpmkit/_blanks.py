"""A code-track starter cell run with its blanks still in: a plain note, not a traceback.

The lessons' starter cells (built by ``tools/notebooks.py``) are solution code with ``___``
for each blank, under a first line that says so. In IPython ``___`` is not a free name: it
holds the third-last output, so a starter run as it is fails with whatever that output
makes of the line (``TypeError: unhashable type: 'DataFrame'`` in lesson 00), and *Run All*
stops at it, so a learner on the no-code track never reaches the ready-made cells below.

``import dpmkit`` inside IPython adds :func:`transform` to the shell's input transformers:
a starter cell (recognised by its first line) that still has a blank in its code is not
run; it prints :func:`note` instead, which names the lines to fill in. Nothing else is
touched: every other cell, and a starter whose blanks are all filled, runs as written.
"""

from __future__ import annotations

import io
import re
import tokenize

#: The first line of every starter cell (tools/notebooks.py, STARTER_NOTE), up to the first bracket.
STARTER = "# Code track: replace each ___ with your code"
BLANK = "___"
_IN_STRING = re.compile(r"(?<![\w])___(?![\w])")


def blank_lines(source):
    """Line numbers (from 1) of the code, not the comments, that still hold a ``___`` blank
    (as a name, or as a word in a string: ``"capacity + ___"``)."""
    found = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NAME and tok.string == BLANK:
                found.add(tok.start[0])
            elif tok.type == tokenize.STRING and _IN_STRING.search(tok.string):
                found.add(tok.start[0])  # a blank in an equation's text, or in an f-string's braces
    except (tokenize.TokenError, SyntaxError):
        return []  # let Python report the learner's own syntax error, with its position
    return sorted(found)


def note(lines):
    """What a starter cell with blanks on ``lines`` prints instead of running."""
    where = (f"line {lines[0]}" if len(lines) == 1 else
             "lines " + ", ".join(str(n) for n in lines[:-1]) + f" and {lines[-1]}")
    return (f"Not run: this code-track starter cell still has blanks (___) on {where}. "
            "Code track: replace each ___ with your code, then run the cell again. "
            "No-code track: nothing to do here; run the ready-made cell below it.")


def transform(lines):
    """IPython input transformer: a starter cell with blanks becomes a print of :func:`note`."""
    if not lines or not lines[0].startswith(STARTER):
        return lines
    found = blank_lines("".join(lines))
    if not found:
        return lines
    return [f"print({note(found)!r})\n"]  # a fixed sentence and line numbers: none of the cell's text


def install(shell=None):
    """Add :func:`transform` to the running IPython shell (once); do nothing outside IPython."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    if transform not in shell.input_transformers_post:
        shell.input_transformers_post.append(transform)
    return True
