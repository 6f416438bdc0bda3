"""Executing any notebook headless leaves an image output for every widget cell (issue 14).

Runs every notebook under ``notebooks/`` once, in a real kernel (nbclient, as
``jupyter nbconvert --execute`` does), and fails on any cell whose output holds a live
widget but no SVG picture: such a cell would show nothing in exported HTML, on a website
that renders notebooks, or on paper. This executes all the lessons (a few minutes on a
quiet machine), so it is one test over all notebooks. The same run also fails on an
output that shows nothing (what a cleared progress note would leave: a blank box in
exported HTML, on a website, in print), and on a number check that the no-code track cannot
answer from what the ready-made cells print.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from kernel_session import empty_outputs

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_cells_without_picture(nb):
    """(cell id, widget count) for each cell with a live widget; and the cells lacking a picture."""
    widget_cells, missing = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        live = [o for o in cell.outputs if o.get("data", {}).get(WIDGET_VIEW, {}).get("model_id")]
        if not live:
            continue
        widget_cells.append(cell.get("id"))
        pictures = [o for o in cell.outputs if "<svg" in o.get("data", {}).get("image/svg+xml", "")]
        if len(pictures) < len(live):
            missing.append(cell.get("id"))
    return widget_cells, missing


#: Number checks answered by counting lines of a printout rather than reading a number off it.
COUNTED = {("07_targets_gaming_learning.ipynb", "How many of the four comparisons favour the target regime?")}
_PRINTED_NUMBER = re.compile(r"[+\-−]?\d[\d,]*(?:\.\d+)?%?")


def number_checks_the_no_code_track_cannot_answer(name, nb):
    """The number checks of an executed learner notebook for which no number printed by the
    ready-made (``nocode``) cell before them, copied as printed, is judged right: the no-code
    track reads its answers off those cells ('+19%' once was 'not a number')."""
    from dpmkit.widgets import judge

    printed, found = "", []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code":
            continue
        if "nocode" in tags:
            printed = "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        if "check" not in tags:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if not (isinstance(node, ast.Call) and ast.unparse(node.func) == "dk.widgets.check"):
                continue
            args = [ast.literal_eval(a) for a in node.args]
            rules = {k.arg: ast.literal_eval(k.value) for k in node.keywords
                     if k.arg in ("tolerance", "absolute", "choices", "units")}
            if len(args) < 2 or args[1] is None or "choices" in rules or (name, args[0]) in COUNTED:
                continue
            if not any(judge(n, args[1], **rules)[0] == "right" for n in _PRINTED_NUMBER.findall(printed)):
                found.append((name, args[0]))
    return found


def test_every_widget_cell_of_every_notebook_leaves_a_picture(tmp_path):
    work = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", work, ignore=shutil.ignore_patterns("solutions", ".ipynb_checkpoints"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DPMKIT_CACHE_DIR": str(tmp_path / "cache")}
    found, problems, took, empty = {}, {}, {}, {}
    unreadable = []
    for path in sorted(work.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        # starter cells of the code track hold ``___`` blanks and do not run until a learner
        # fills them; nbval skips them by their tag, and so does this run
        nb.cells = [c for c in nb.cells if "nbval-skip" not in c.get("metadata", {}).get("tags", [])]
        start = time.perf_counter()
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(work)}}).execute(env=env)
        took[path.name] = time.perf_counter() - start
        cells, missing = widget_cells_without_picture(nb)
        if cells:
            found[path.name] = cells
        if missing:
            problems[path.name] = missing
        if empty_outputs(nb):
            empty[path.name] = empty_outputs(nb)
        unreadable.extend(number_checks_the_no_code_track_cannot_answer(path.name, nb))
    print("seconds per notebook:", {k: round(v) for k, v in took.items()})
    assert not problems, f"widget cells with no SVG picture: {problems}"
    assert not empty, f"cells with an output that shows nothing (a cleared progress note?): {empty}"
    assert not unreadable, f"number checks whose answer no ready-made cell prints in a form they accept: {unreadable}"
    # not vacuous: the lessons do show widgets (notebook 00's explorer, the gallery's four)
    assert "00_start_here.ipynb" in found and len(found.get("gallery_charts_and_widgets.ipynb", [])) >= 3, found
