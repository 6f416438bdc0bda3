"""Tables of sentences in a real JupyterLab (headless chromium), as a self-study learner sees them.

Lesson 09's refits in words (``story.in_words()``) and the lessons' evidence tables are tables
whose cells are sentences. JupyterLab's stylesheet right-aligns every table cell, so as pandas
tables they read ragged on the left; the kit's tables of sentences must read left-aligned.
"""

import json
import shutil
import sys

import pytest
from lab_session import ARTIFACTS, chromium_page, jupyter_lab, missing_requirements, wait_until

REASON = missing_requirements()
if REASON:
    print(f"\n*** BROWSER TEST SKIPPED: {REASON} ***\n", file=sys.stderr)
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"BROWSER TEST SKIPPED: {REASON}")

from lab_session import ROOT  # noqa: E402

#: Each table cell of the outputs on the page: its text and its alignment as the browser draws it.
CELLS_JS = """() => [...document.querySelectorAll('.jp-OutputArea-output table')].map(t =>
    [...t.querySelectorAll('td, th')].map(c => [c.innerText.trim(), getComputedStyle(c).textAlign]))"""


def test_the_refits_in_words_and_the_evidence_read_left_aligned_in_jupyterlab(tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "lab"
    root.mkdir()
    lesson = json.loads((ROOT / "notebooks" / "09_learning_partnerships_and_cocreation.ipynb").read_text("utf-8"))
    cells = {c["id"]: c for c in lesson["cells"]}
    setup = {"cell_type": "code", "execution_count": None, "id": "setup", "metadata": {}, "outputs": [],
             "source": ["import dpmkit as dk\nimport numpy as np\nimport pandas as pd\n"
                        "surrey = dk.models.load('surrey')"]}
    lesson["cells"] = [setup, cells["synthetic-data"], cells["recalibrate"], cells["published-points"]]
    (root / "words.ipynb").write_text(json.dumps(lesson), encoding="utf-8")
    with jupyter_lab(root) as url, chromium_page() as page:
        page.goto(f"{url}/lab/tree/words.ipynb")
        wait_until(page, """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const s = w && w.sessionContext && w.sessionContext.session;
            return s && s.kernel && s.kernel.status === 'idle'; }""", timeout=120, what="an idle kernel")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        tables = wait_until(page, f"() => {{ const t = ({CELLS_JS})(); return t.length >= 3 && t; }}",
                            timeout=120, what="the refits and the evidence")
        page.screenshot(path=str(ARTIFACTS / "text_tables.png"), full_page=True)
    shutil.rmtree(root, ignore_errors=True)
    refits, evidence = tables[1], tables[2]  # (the first is the counts, a table of numbers)
    cannot = "0: the data cannot pin it down yet (anything from 0 to 1 fits them)"
    assert [cannot, "left"] in refits and ["April 2017", "left"] in refits
    assert all(align == "left" for _, align in refits + evidence), refits + evidence
    said = "NEET in Surrey 'has more than halved, standing at 429 at the end of March 2014'."
    assert [said, "left"] in evidence
