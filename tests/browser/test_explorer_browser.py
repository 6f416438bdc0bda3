"""The explorer in a real browser: JupyterLab + headless chromium, offline.

Runs a notebook that builds an explorer, moves a slider with the mouse (and then with
the keyboard), and checks that the chart redraws with the new run's numbers: the
drawn line changes, and the chart's summary and readout match what ``dk.simulate``
gives for the value the slider shows. Screenshots go to ``tests/artifacts/``.
"""

import re
import shutil
import sys
from pathlib import Path

import pytest
from lab_session import (
    ARTIFACTS,
    LINES_JS,
    WATCH_JS,
    chromium_page,
    drag_first_slider,
    explorer_notebook,
    jupyter_lab,
    missing_requirements,
    open_and_run,
    redraw_ms,
)

import dpmkit as dk

REASON = missing_requirements()
if REASON:
    # Loud on purpose: a skipped browser test must not pass unnoticed.
    print(f"\n*** BROWSER TEST SKIPPED: {REASON} ***\n", file=sys.stderr)
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"BROWSER TEST SKIPPED: {REASON}")


STATIC_PICTURES_JS = """() => {
    // Outputs of the notebook model holding the static picture, and those drawn visibly.
    const cells = window.jupyterapp.shell.currentWidget.content.widgets;
    let inModel = 0;
    for (const cell of cells) {
        if (cell.model.type !== 'code') continue;
        const outputs = cell.model.outputs;
        for (let i = 0; i < outputs.length; i++) {
            if ('image/svg+xml' in outputs.get(i).data) inModel++;
        }
    }
    const shown = [...document.querySelectorAll('.dpmkit-static')]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height > 0).length;
    return {in_model: inModel, shown: shown};
}"""


def summary_text(page):
    """The explorer's plain-text summary under the chart, as the learner reads it."""
    return page.locator(".dpmkit-explorer p").last.inner_text()


def shoot(page, name):
    """Screenshot the whole explorer (JupyterLab scrolls inside its own panel, not the page)."""
    explorer = page.locator(".dpmkit-explorer").first
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(ARTIFACTS / name))


def y_ticks(page):
    """The numbers on the chart's y-axis, as drawn."""
    texts = page.locator(".dpmkit-chart g[aria-label^='Y-axis'] text").all_text_contents()
    return [float(t.replace(",", "")) for t in texts if re.fullmatch(r"[0-9,.]+", t.strip())]


@pytest.mark.parametrize("render", ["interactive", "svg"])
def test_slider_redraws_the_chart_in_jupyterlab(tmp_path, render):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "lab"
    root.mkdir()
    explorer_notebook(root / "explorer.ipynb", render=render)
    demo = dk.models.load("demo")
    with jupyter_lab(root) as url, chromium_page() as page:
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        open_and_run(page, url, "explorer.ipynb")
        # the live widget wins in JupyterLab: the cell's static picture (kept for exported
        # HTML, websites and print) is in the notebook's outputs but hidden, so the learner
        # sees one chart, the live one
        page.wait_for_timeout(500)
        assert page.evaluate(STATIC_PICTURES_JS) == {"in_model": 1, "shown": 0}
        assert page.locator(".dpmkit-chart").count() == 1
        before_lines = page.evaluate(LINES_JS)
        before_text = summary_text(page)
        before_ticks = y_ticks(page)
        assert before_text == dk.charts.describe(dk.simulate(demo), ["waiting_list"])
        shoot(page, f"explorer_{render}_1_before.png")

        page.evaluate(WATCH_JS)
        value = drag_first_slider(page, 0.15)  # fewer funded posts
        ms = redraw_ms(page)
        page.wait_for_timeout(300)
        shoot(page, f"explorer_{render}_2_after_slider.png")
        after_lines = page.evaluate(LINES_JS)
        assert value < 20
        assert after_lines != before_lines, "the chart's lines did not change"
        expected = dk.simulate(demo, {"staff_target": value})
        # the numbers on the page are the new run's numbers
        assert summary_text(page) == dk.charts.describe(expected, ["waiting_list"])
        assert (f"{dk.words.number(expected.final('waiting_list'))}"
                in page.locator(".dpmkit-explorer table").inner_text())
        # the chart itself announces the new run to screen readers
        if render == "interactive":  # vega-embed puts the spec's description on its container
            announced = page.locator(".dpmkit-chart").first.get_attribute("aria-label")
        else:  # our SVG carries it as <desc>
            announced = page.locator(".dpmkit-chart svg desc").first.text_content()
        assert announced == dk.charts.describe(expected, ["waiting_list"])
        # the y-axis was redrawn for the new range
        after_ticks = y_ticks(page)
        assert max(before_ticks) <= 100 < max(after_ticks)
        assert max(after_ticks) >= expected["waiting_list"].max() / 2

        # keyboard: focus the handle and press the arrow key; the model runs again
        handle = page.locator(".dpmkit-explorer .widget-slider .noUi-handle").first
        handle.focus()
        shown = summary_text(page)
        lines = page.evaluate(LINES_JS)
        page.keyboard.press("ArrowRight")
        for _ in range(100):  # bounded: at most 10 s
            if summary_text(page) != shown and page.evaluate(LINES_JS) != lines:
                break
            page.wait_for_timeout(100)
        stepped = float(page.locator(".dpmkit-explorer .widget-slider .widget-readout").first.inner_text())
        assert stepped == pytest.approx(value + 0.5)
        assert summary_text(page) == dk.charts.describe(dk.simulate(demo, {"staff_target": stepped}),
                                                        ["waiting_list"])
        shoot(page, f"explorer_{render}_3_after_keyboard.png")
        # offline: nothing was fetched from outside this machine
        outside = [u for u in requested if not u.startswith((url, "data:", "blob:"))]
        assert not outside, outside
        print(f"[{render}] release -> redrawn chart: {ms:.0f} ms")
    shutil.rmtree(root, ignore_errors=True)


def test_the_numbers_behind_the_chart_open_as_a_table_and_download_as_a_csv_excel_reads(tmp_path):
    """A learner at home in Excel presses "Numbers": a table of the run (one row a month for the
    demo) appears under the chart with the numbers the summary uses, the link saves a CSV file of
    every step whose numbers are the run's, and moving a slider redraws the table for the new run."""
    import csv
    import io

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "lab"
    root.mkdir()
    explorer_notebook(root / "explorer.ipynb")
    demo = dk.models.load("demo")
    with jupyter_lab(root) as url, chromium_page() as page:
        open_and_run(page, url, "explorer.ipynb")
        assert page.locator(".dpmkit-numbers").count() == 0  # nothing sent until asked
        page.locator(".dpmkit-explorer").get_by_role("button", name="Numbers").click()
        table = page.locator(".dpmkit-numbers table")
        table.wait_for(timeout=20_000)
        run = dk.simulate(demo)
        rows = [r.split("\t") for r in table.inner_text().splitlines()]
        assert rows[0] == ["When", "Waiting list (people)", "Waiting list (people), base run"]
        assert len(rows) == 1 + 61 and rows[1][0] == "month 0" and rows[-1][0] == "month 60"
        assert rows[-1][1] == dk.words.number(run.final("waiting_list"))
        page.locator(".dpmkit-numbers").scroll_into_view_if_needed()
        shoot(page, "explorer_numbers.png")

        with page.expect_download() as event:
            page.locator(".dpmkit-numbers-download").click()
        download = event.value
        assert download.suggested_filename == "demo-run.csv"
        raw = Path(download.path()).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel reads the text as UTF-8
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert lines[0] == ["time", "when", "Waiting list (people)", "Waiting list (people), base run"]
        assert len(lines) == 1 + len(run.time)
        assert [float(r[0]) for r in lines[1:]] == pytest.approx(list(run.time))
        assert [float(r[2]) for r in lines[1:]] == pytest.approx(list(run["waiting_list"]), rel=1e-9)

        value = drag_first_slider(page, 0.15)  # fewer funded posts: the table follows the new run
        moved = dk.simulate(demo, {"staff_target": value})
        wanted = dk.words.number(moved.final("waiting_list"))
        for _ in range(100):  # bounded: at most 10 s
            if table.inner_text().splitlines()[-1].split("\t")[1] == wanted:
                break
            page.wait_for_timeout(100)
        last = table.inner_text().splitlines()[-1].split("\t")
        assert last[1] == wanted and last[2] == dk.words.number(run.final("waiting_list"))
    shutil.rmtree(root, ignore_errors=True)


def _builder_notebook(path):
    """A notebook whose one cell shows a model sheet (dk.widgets.model_sheet), as lesson 10 does."""
    import json

    nb = json.loads(explorer_notebook(path).read_text(encoding="utf-8"))
    nb["cells"][1]["source"] = ["import dpmkit as dk\n", "dk.widgets.model_sheet()"]
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_a_learner_builds_a_model_from_a_pasted_sheet_and_saves_it_as_xmile(tmp_path):
    """No code: the learner replaces the sheet with one of their own (as pasted from Excel: tabs),
    presses Build and run, reads the mistake with its line, mends it, sees the new model's chart
    and sliders, and saves it as an XMILE file that reads back as the same model."""
    from dpmkit import sheet

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "lab"
    root.mkdir()
    _builder_notebook(root / "builder.ipynb")
    own = ("kind\tname\tequation\tunits\tfrom\tto\tlow\thigh\n"
           "stock\tcaseload\t300\tcases\n"
           "flow\tnew_cases\tarrivals\tcases/month\t\tcaseload\n"
           "flow\tclosed\tcaseload / case_length\tcases/month\tcaseload\n"
           "lever\tarrivals\t40\tcases/month\t\t\t0\t100\n"
           "parameter\tcase_length\t6\tmonth\t\t\t1\t24\n")
    with jupyter_lab(root) as url, chromium_page() as page:
        open_and_run(page, url, "builder.ipynb")
        box = page.locator(".dpmkit-sheet")
        box.locator(".dpmkit-sheet-text textarea").fill(own.replace("caseload / case_length", "caseload / case_lenght"))
        box.locator("input").nth(1).fill("0")  # Start: the FloatText boxes in order: start, stop, dt
        box.locator("input").nth(2).fill("36")
        box.locator("input").nth(4).fill("month")
        box.get_by_role("button", name="Build and run").click()
        alert = box.locator("[role=alert]")
        alert.wait_for(timeout=20_000)
        assert "line 4 (closed)" in alert.inner_text() and "case_lenght" in alert.inner_text()
        box.locator(".dpmkit-sheet-text textarea").fill(own)
        box.get_by_role("button", name="Build and run").click()
        page.wait_for_function("() => document.querySelector('.dpmkit-sheet').innerText.includes('Built')",
                               timeout=20_000)
        box.locator(".dpmkit-explorer .dpmkit-chart").wait_for(timeout=30_000)
        model = sheet.read(own, name="waiting_list", stop=36, time_units="month")
        expected = dk.charts.describe(dk.simulate(model), ["caseload"])
        page.wait_for_function(f"() => document.querySelector('.dpmkit-sheet').innerText.includes({expected!r})",
                               timeout=20_000)
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(ARTIFACTS / "model_sheet_built.png"))
        with page.expect_download() as event:
            box.locator(".dpmkit-sheet-links a", has_text="XMILE").click()
        download = event.value
        assert download.suggested_filename == "waiting_list.xmile"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        reopened = dk.xmile.read(saved)
        assert reopened["caseload"].initial == 300
        assert dk.simulate(reopened).final("caseload") == pytest.approx(dk.simulate(model).final("caseload"))

        # the counts they have, pasted as from Excel, fit the arrivals; the fitted value goes into the sheet
        counted = dk.simulate(model, {"arrivals": 46})
        data = "time\tcaseload\n" + "".join(f"{t}\t{counted.at(t, 'caseload'):.0f}\n" for t in range(0, 37, 3))
        box.get_by_text("Fit the model to your data (optional)").click()
        box.locator(".dpmkit-sheet-fit textarea").fill(data)
        box.locator(".dpmkit-sheet-fit select").select_option(label="Arrivals (arrivals)")
        box.get_by_role("button", name="Fit to the data").click()
        page.wait_for_function("() => document.querySelector('.dpmkit-sheet-fit').innerText.includes('95% interval')",
                               timeout=30_000)
        # the estimate at the precision its interval allows (words.estimate): 46.0x, the truth 46 within it
        said = re.search(r"Arrivals: ([\d.]+) \(95% interval ([\d.]+) to ([\d.]+)\)",
                         box.locator(".dpmkit-sheet-fit").inner_text())
        assert said and abs(float(said[1]) - 46) < 0.1 and float(said[2]) <= 46.1 and float(said[3]) >= 45.9, said
        box.get_by_role("button", name="Put the fitted values in the sheet").click()
        page.wait_for_function("() => document.querySelector('.dpmkit-sheet-text textarea').value.includes('lever\\t"
                               "arrivals\\t46')", timeout=20_000)
        box.screenshot(path=str(ARTIFACTS / "model_sheet_fitted.png"))
    shutil.rmtree(root, ignore_errors=True)


def test_a_learner_opens_a_sheet_saved_from_excel_with_the_open_button(tmp_path):
    """No copying and pasting: the learner saved their sheet in Excel on Windows (CSV, Windows-1252,
    with a pound sign), chooses it with *Open a file*, and the model it holds is built and explored,
    named after the file."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "lab"
    root.mkdir()
    _builder_notebook(root / "builder.ipynb")
    own = ("kind,name,equation,units,from,to,label,low,high\n"
           "stock,caseload,300,cases,,,Caseload (£ budget)\n"
           "flow,new_cases,arrivals,cases/week,,caseload\n"
           "flow,closed,caseload / case_length,cases/week,caseload\n"
           "lever,arrivals,40,cases/week,,,Arrivals,0,100\n"
           "parameter,case_length,6,week,,,Weeks a case lasts,1,24\n")
    saved = tmp_path / "Our caseload.csv"
    saved.write_bytes(own.encode("cp1252"))
    with jupyter_lab(root) as url, chromium_page() as page:
        open_and_run(page, url, "builder.ipynb")
        box = page.locator(".dpmkit-sheet")
        with page.expect_file_chooser() as chooser:  # the button opens the system's file dialog
            box.locator(".widget-upload", has_text="Open a file").click()
        chooser.value.set_files(str(saved))
        page.wait_for_function("() => document.querySelector('.dpmkit-sheet').innerText.includes('Opened Our "
                               "caseload.csv and built')", timeout=30_000)
        assert "Caseload (£ budget)" in box.locator(".dpmkit-sheet-text textarea").input_value()
        from dpmkit import sheet

        model = sheet.read(own, name="our_caseload", stop=52, time_units="week")  # the starter's settings
        expected = dk.charts.describe(dk.simulate(model), ["caseload"])
        page.wait_for_function(f"() => document.querySelector('.dpmkit-sheet').innerText.includes({expected!r})",
                               timeout=20_000)
        assert box.get_by_role("button", name="Back to the sheet before").is_visible()
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(ARTIFACTS / "model_sheet_opened.png"))
    shutil.rmtree(root, ignore_errors=True)


FIT_JS = """() => {
    const chart = document.querySelector('.dpmkit-explorer .dpmkit-chart');
    const svg = chart.querySelector('svg');
    const tracks = [...document.querySelectorAll('.dpmkit-explorer .widget-slider .noUi-target')];
    return {chart_right: chart.getBoundingClientRect().right, svg_right: svg.getBoundingClientRect().right,
            tracks: tracks.map(t => t.getBoundingClientRect().width)};
}"""


def test_the_explorer_fits_beside_jupyterlabs_file_browser(tmp_path):
    """Lesson 08's explorer (three levers from 0 to 1) in JupyterLab 1,300 px wide, its file browser
    open as it opens: the chart's picture (505 px) was cut to its 428 px column, at year 9 and in
    the middle of its title, and each slider's track was 80 px long for a hundred steps."""
    import json

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "lab"
    root.mkdir()
    source = ("import dpmkit as dk\n"
              "explorer = dk.widgets.explore('attractor',\n"
              "                              outputs=['outcome_mean', 'outcome_spread', 'reported_mean'],\n"
              "                              show=['attractor_weight', 'learning_partnership', 'imposed_targets'])\n"
              "explorer")
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "explore", "metadata": {}, "outputs": [],
                     "source": [source]}],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                       "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (root / "attractor.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    with jupyter_lab(root) as url, chromium_page(width=1300, height=900) as page:
        open_and_run(page, url, "attractor.ipynb")
        page.wait_for_timeout(500)
        sizes = page.evaluate(FIT_JS)
        shoot(page, "explorer_beside_file_browser.png")
        assert sizes["svg_right"] <= sizes["chart_right"] + 1, sizes
        assert len(sizes["tracks"]) == 3 and min(sizes["tracks"]) >= 140, sizes
