"""Check-my-answer in a real browser: JupyterLab + headless chromium, as a learner uses it.

Opens a notebook made of a learner notebook's own check cells (as built by
tools/notebooks.py: their source folded away, since it holds the answer), runs it, types
numbers the way people type them, picks a choice, and reads the feedback on the page.
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

IDLE_JS = """() => {
    const app = window.jupyterapp;
    const w = app && app.shell.currentWidget;
    const s = w && w.sessionContext && w.sessionContext.session;
    return s && s.kernel && s.kernel.status === 'idle';
}"""


def _learner_checks(path):
    """The learner notebook at ``path`` cut down to its import cell and its first two check cells."""
    nb = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8"))
    checks = [c for c in nb["cells"] if "check" in c["metadata"].get("tags", [])]
    first = {"cell_type": "code", "execution_count": None, "id": "import", "metadata": {}, "outputs": [],
             "source": ["import dpmkit as dk"]}
    nb["cells"] = [first, checks[1], checks[2]]  # a number (the end of March 2014, 5 years) and a choice
    path.write_text(json.dumps(nb), encoding="utf-8")
    return checks[1], checks[2]


def test_a_learner_checks_a_number_and_a_choice(tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "lab"
    root.mkdir()
    number_cell, _ = _learner_checks(root / "checks.ipynb")
    assert number_cell["metadata"]["jupyter"]["source_hidden"]
    with jupyter_lab(root) as url, chromium_page() as page:
        page.goto(f"{url}/lab/tree/checks.ipynb")
        wait_until(page, IDLE_JS, timeout=120, what="an idle kernel")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        wait_until(page, "() => document.querySelectorAll('.dpmkit-check').length >= 2", timeout=120,
                   what="the check widgets")
        page.screenshot(path=str(ARTIFACTS / "check_notebook.png"))
        # the answer is in the folded source, not on the screen (a folded cell shows its first line)
        assert "587" not in page.locator(".jp-Notebook").inner_text()
        assert "Check your answer: run this cell" in page.locator(".jp-Notebook").inner_text()
        box = page.locator(".dpmkit-check").first
        field = box.locator("input[type=text]")
        button = box.get_by_role("button", name="Check")

        button.click()  # nothing typed yet: a prompt, no error
        wait_until(page, "() => document.querySelector('.dpmkit-check').innerText.includes('Type a number')",
                   timeout=20, what="the blank prompt")
        field.fill("1,500")
        button.click()
        wait_until(page, "() => document.querySelector('.dpmkit-check').innerText.includes('too high')",
                   timeout=20, what="feedback on 1,500")
        assert "587" not in box.inner_text()
        field.fill("590")
        button.click()
        wait_until(page, "() => document.querySelector('.dpmkit-check').innerText.includes('Right: 590')",
                   timeout=20, what="feedback on 590")
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(ARTIFACTS / "check_number_right.png"))

        choice = page.locator(".dpmkit-check").nth(1)
        choice.get_by_text("5 years", exact=True).click()
        choice.get_by_role("button", name="Check").click()
        wait_until(page, "() => document.querySelectorAll('.dpmkit-check')[1].innerText.includes('Not 5 years')",
                   timeout=20, what="feedback on a wrong choice")
        choice.get_by_role("button", name="Show the answer").click()
        shown = "() => document.querySelectorAll('.dpmkit-check')[1].innerText.includes('The answer: 3 years')"
        wait_until(page, shown, timeout=20, what="the answer shown")
        choice.screenshot(path=str(ARTIFACTS / "check_choice_shown.png"))
    shutil.rmtree(root, ignore_errors=True)


def test_what_a_correct_answer_looks_like_opens_only_when_asked(tmp_path):
    # The learner version folds each exercise's "What a correct answer looks like" (it states the
    # numbers the checks ask for): JupyterLab's sanitizer must keep <details>, closed, with its
    # summary in view and the paragraph, rendered as markdown, one click away.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "lab"
    root.mkdir()
    nb = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8"))
    exercise = next(c for c in nb["cells"] if "exercise" in c["metadata"].get("tags", []))
    nb["cells"] = [exercise]
    (root / "exercise.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    with jupyter_lab(root) as url, chromium_page() as page:
        page.goto(f"{url}/lab/tree/exercise.ipynb")
        summary = page.locator(".jp-RenderedMarkdown details > summary")
        summary.wait_for(timeout=60_000)
        details = page.locator(".jp-RenderedMarkdown details")
        assert details.count() == 1 and details.get_attribute("open") is None
        assert "What a correct answer looks like" in summary.inner_text()
        rendered = page.locator(".jp-RenderedMarkdown")
        assert not rendered.get_by_text("above 1,300").is_visible()
        summary.click()
        wait_until(page, "() => document.querySelector('.jp-RenderedMarkdown details').open", timeout=20,
                   what="the fold to open")
        shown = rendered.get_by_text("above 1,300")
        assert shown.is_visible()
        assert shown.evaluate("e => e.closest('p') !== null")  # its paragraph is markdown, not raw text
        page.screenshot(path=str(ARTIFACTS / "answer_fold.png"))
