"""Measure how long each lesson takes a learner, and write the minutes into the lesson headers.

How a lesson is timed (run as a learner would, on this machine):

1. **Run it.** The learner notebook is executed headless, cell by cell, as a learner runs it
   from the top (the code track's starter cells, whose blanks do not run until filled, are
   left out); each cell's execution time is recorded.
2. **Read it.** Every markdown cell is read at ``WORDS_PER_MINUTE`` (120, a careful reading
   pace for instructional text with new ideas: an assumption, not a measurement); each code
   cell outside the exercises costs ``CODE_CELL_SECONDS`` to look at and run, and one that
   draws a chart, a diagram or a widget ``FIGURE_MINUTES`` more to read it.
3. **Think and answer.** Each predict-before-you-run prompt costs ``PREDICT_MINUTES``; in
   an exercise, each number or choice to check costs ``CHECK_MINUTES``, each sentence to
   write ``SENTENCE_MINUTES``; the code track adds ``STARTER_MINUTES`` per starter cell
   to fill in (assumptions, set from watching one reader per track; see the report).

Teaching minutes are everything outside the exercises; exercise minutes are the exercises,
for the no-code track and for the code track. Each is rounded up to 5 minutes.

Usage::

    python tools/lesson_timing.py                 # measure every lesson and print the table
    python tools/lesson_timing.py --write         # ... and write the minutes into the sources
    python tools/lesson_timing.py notebooks/04_surrey_case.ipynb

Then run ``python tools/notebooks.py build`` to regenerate headers and facilitator views.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import importlib.util
import json
import math
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("nbtools", ROOT / "tools" / "notebooks.py")
nbtools = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbtools)

WORDS_PER_MINUTE = 120
CODE_CELL_SECONDS = 20
FIGURE_MINUTES = 1.0
FIGURES = ("dk.charts.", "dk.dpm.chart", "dk.widgets.explore", "dk.widgets.predict", "dk.widgets.game")
PREDICT_MINUTES = 2.0
CHECK_MINUTES = 1.5
SENTENCE_MINUTES = 4.0
STARTER_MINUTES = 6.0


#: A Markdown link, ``[shown](target "title")``: a learner reads only the shown words (the
#: glossary links the build adds carry a whole definition in the title, read on hover).
_LINK = re.compile(r'\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)')


def _words(text):
    return len(re.findall(r"[A-Za-z0-9£%'’\-]+", _LINK.sub(r"\1", text)))


def _round5(minutes):
    return max(5, math.ceil(minutes / 5.0 - 1e-9) * 5)


def estimate(nb, seconds):
    """Minutes for a learner notebook, given ``seconds``: cell id -> measured execution time.

    Returns ``{"teaching": m, "no_code": m, "code": m, "run_seconds": s}`` (unrounded minutes).
    """
    cells = nb["cells"]
    in_exercise = set()
    for index, scope in nbtools.exercises(cells):
        in_exercise.add(id(cells[index]))
        in_exercise.update(id(c) for c in scope)
    teaching = no_code = code = 0.0
    for cell in cells:
        tags = nbtools._tags(cell)
        text = nbtools._source(cell)
        run = seconds.get(cell.get("id"), 0.0) / 60
        exercise = id(cell) in in_exercise
        if cell["cell_type"] == "markdown":
            reading = _words(text) / WORDS_PER_MINUTE + (PREDICT_MINUTES if "predict" in tags else 0)
            if not exercise:
                teaching += reading
            elif "answer" not in tags:
                no_code += reading
                code += reading
            continue
        if not exercise:
            teaching += CODE_CELL_SECONDS / 60 + run + (FIGURE_MINUTES if any(f in text for f in FIGURES) else 0)
        elif "check" in tags:
            answer = SENTENCE_MINUTES if "points=" in text else CHECK_MINUTES
            no_code += answer * max(1, text.count("dk.widgets.check("))
            code += answer * max(1, text.count("dk.widgets.check("))
        elif "nocode" in tags:
            no_code += CODE_CELL_SECONDS / 60 + run
            code += run  # the code track runs its own version, about as long
        elif "answer" in tags:
            code += STARTER_MINUTES
        else:
            no_code += CODE_CELL_SECONDS / 60 + run
            code += CODE_CELL_SECONDS / 60 + run
    return {"teaching": teaching, "no_code": no_code, "code": code,
            "run_seconds": sum(seconds.values())}


def runnable(nb):
    """The notebook as a learner runs it from the top: starter cells (blanks) left out."""
    nb = copy.deepcopy(nb)
    nb["cells"] = [c for c in nb["cells"] if "nbval-skip" not in nbtools._tags(c)]
    return nb


def measure(path):
    """Execute a learner notebook headless; return cell id -> seconds."""
    import nbclient
    import nbformat

    nb = nbformat.reads(json.dumps(runnable(nbtools.load(path))), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    seconds = {}
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            start = time.perf_counter()
            client.execute_cell(cell, index)
            seconds[cell.id] = time.perf_counter() - start
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="learner notebooks (default: every lesson)")
    parser.add_argument("--write", action="store_true", help="write the minutes into the source notebooks")
    args = parser.parse_args(argv)
    chosen = [Path(p).resolve() for p in args.notebooks] or nbtools.lessons(nbtools.LEARNER)
    print(f"{'lesson':<46} {'run s':>6} {'teach':>6} {'no-code':>8} {'code':>5}   (minutes; was teach+exercise)")
    for path in chosen:
        seconds = measure(path)
        m = estimate(nbtools.load(path), seconds)
        source = nbtools.SOURCES / path.name
        nb = nbtools.load(source)
        meta = nb["metadata"]["dpmkit"]
        was = f"{meta['teaching_minutes']}+{meta['exercise_minutes']}"
        new = (_round5(m["teaching"]), _round5(m["no_code"]), _round5(m["code"]))
        print(f"{path.stem:<46} {m['run_seconds']:6.0f} {new[0]:6d} {new[1]:8d} {new[2]:5d}   (was {was})")
        if args.write:
            meta["teaching_minutes"], meta["exercise_minutes_no_code"], meta["exercise_minutes"] = new
            meta["timing"] = {"measured": dt.date.today().isoformat(), "run_seconds": round(m["run_seconds"]),
                              "how": "tools/lesson_timing.py: headless run of the learner notebook plus reading "
                                     "and answering time per cell"}
            source.write_text(nbtools.dump(nb), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
