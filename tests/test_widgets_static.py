"""Every widget leaves a static picture: run headless in a real kernel (nbclient), exported
to HTML (nbconvert), the cell of each widget holds an SVG and a plain-text summary; a live
JupyterLab still shows the widget (tests/browser/test_explorer_browser.py)."""

from __future__ import annotations

import os
import re

import pytest
from kernel_session import displays, empty_outputs, kernel

import dpmkit as dk

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
nbconvert = pytest.importorskip("nbconvert")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

CELLS = {
    "explore": ("import dpmkit as dk\n"
                "explorer = dk.widgets.explore('surrey', outputs=['neet'])\n"
                "explorer"),
    "predict": "p = dk.widgets.predict('demo', 'waiting_list', params={'staff_target': 14}, points=3)\np",
    "ballot": "b = dk.widgets.ballot_widget('surrey')\nb",
    "game": "g = dk.widgets.game('surrey', ['coproduction_effort'], interval=1)\ng",
    "show": "dk.charts.show(dk.charts.time_series(dk.simulate(dk.models.load('demo')), ['waiting_list']))",
    "later": ("explorer.set(decommissioning_years=5)\n"
              "p.set_prediction([200, 400]); _ = p.reveal()\n"
              "b.controls['cut_fraction'].value = 0.1\n"
              "g.step(coproduction_effort=0.5)"),
}


def run_notebook(tmp_path, cells, *, store_widget_state=True):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source, id=name) for name, source in cells.items()]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}},
                                     store_widget_state=store_widget_state)
    client.execute(env={**os.environ, "DPMKIT_CACHE_DIR": str(tmp_path / "cache")})
    return nb


def static_outputs(cell):
    """The static pictures of a cell: outputs with an SVG whose widget view is empty."""
    return [o for o in cell.outputs if "image/svg+xml" in o.get("data", {})
            and o["data"].get(WIDGET_VIEW, {}).get("model_id", "") == ""]


def live_outputs(cell):
    return [o for o in cell.outputs if o.get("data", {}).get(WIDGET_VIEW, {}).get("model_id")]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    return run_notebook(tmp_path_factory.mktemp("static"), CELLS)


def test_every_widget_cell_holds_the_live_widget_and_a_static_picture(executed):
    for cell in executed.cells[:5]:
        live, static = live_outputs(cell), static_outputs(cell)
        assert len(live) == 1, (cell.id, [o.get("data", {}).keys() for o in cell.outputs])
        assert len(static) == 1, cell.id
        data = static[0]["data"]
        assert data["image/svg+xml"].lstrip().startswith("<svg")
        assert "<svg" in data["text/html"] and "<figcaption>" in data["text/html"]
        assert data["text/plain"].strip()
        if cell.id != "show":  # dk.charts.show's widget is Altair's JupyterChart
            assert live[0]["data"]["text/plain"].endswith("(a live widget: run the notebook to use it)")
    show = static_outputs(executed.cells[4])[0]["data"]
    demo = dk.models.load("demo")
    assert show["text/plain"] == dk.charts.describe(dk.simulate(demo), ["waiting_list"])


def test_later_cells_bring_the_static_pictures_up_to_date(executed):
    m = dk.models.load("surrey")
    base = dk.simulate(m)
    five = dk.simulate(m, {"decommissioning_years": 5})
    text = {cell.id: static_outputs(cell)[0]["data"]["text/plain"] for cell in executed.cells[:4]}
    # the explorer's caption compares the runs at the end of March 2014 and at the end, with the new setting
    expected = (f"End of March 2014: {dk.words.number(five.at(2014.25, 'neet'))} (base run "
                f"{dk.words.number(base.at(2014.25, 'neet'))}, difference "
                f"{dk.words.difference(five.at(2014.25, 'neet'), base.at(2014.25, 'neet'))})")
    assert expected in text["explore"]
    assert "Years to decommission 5" in text["explore"]
    # predict: revealed, with the gap in words
    assert "you expected 400, the model gives" in text["predict"]
    # ballot: the lever as moved in the later cell (not sent)
    assert "Budget cut 0.1 (base case 0.25)" in text["ballot"] and "Not sent yet." in text["ballot"]
    # game: one decision taken
    assert "Co-production effort 0.5" in text["game"]
    # and the SVG itself changed with the explorer's state: the caption is embedded in it
    svg = static_outputs(executed.cells[0])[0]["data"]["image/svg+xml"]
    assert "<desc>" in svg


@pytest.mark.parametrize("store_widget_state", [True, False])
def test_exported_html_shows_a_picture_for_every_widget_cell(tmp_path, store_widget_state):
    nb = run_notebook(tmp_path, {k: v for k, v in CELLS.items() if k != "later"},
                      store_widget_state=store_widget_state)
    assert ("widgets" in nb.metadata) == store_widget_state
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    # one picture per widget cell, inside the cell's output area (not only in the page's icons)
    figures = re.findall(r"<figure class=[\"']dpmkit-static[\"'].*?</figure>", body, flags=re.S)
    assert len(figures) == 5
    assert all("<svg" in f and re.search(r"<figcaption><p[^>]*>[^<]+</p>", f) for f in figures)
    # the explorer's caption (summary of the moments) is printed under its picture
    assert "End of March 2014: 426 (base run 426, difference 0)" in figures[0]
    # without saved widget state, nbconvert falls back from the widget to its plain text
    if not store_widget_state:
        assert body.count("(a live widget: run the notebook to use it)") == 4


def test_static_picture_without_a_kernel_is_a_snapshot():
    explorer = dk.widgets.explore("surrey", outputs=["neet"], moments=[2014.25])
    explorer.set(decommissioning_years=5)
    snap = explorer.snapshot()
    bundle = snap.bundle()
    assert set(bundle) == {"text/html", "image/svg+xml", "text/plain"}
    assert bundle["image/svg+xml"].startswith("<svg")
    assert "April 2014: 587 (base run 426, difference +161)" in snap.text
    assert snap.text.splitlines()[-1].endswith("End of the run (2022): 392 (base run 390, difference +2).")
    # a plain Python session (no kernel) displays nothing extra: the widget is just a widget
    assert repr(snap) == bundle["text/plain"]


def test_a_slider_moved_in_the_browser_marks_the_picture_stale_and_snapshot_records_it(tmp_path):
    # A learner's slider release arrives as a comm message, not a cell: JupyterLab would
    # drop a display update sent then, so none is sent (no wasted SVG); snapshot() records it.
    with kernel(tmp_path) as session:
        run, client = session.run, session.client
        run("import dpmkit as dk\nexplorer = dk.widgets.explore('surrey', outputs=['neet'])\nexplorer")
        out = run("print(explorer.controls['decommissioning_years'].comm.comm_id)")
        comm_id = next(m["content"]["text"] for m in out if m["header"]["msg_type"] == "stream").strip()
        # what the browser's widget manager sends when the learner releases the slider
        msg = client.session.msg("comm_msg", {"comm_id": comm_id, "data": {
            "method": "update", "state": {"value": 5.0}, "buffer_paths": []}})
        client.shell_channel.send(msg)
        updates = [m["header"]["msg_type"] for m in session.messages_of(msg["header"]["msg_id"], timeout=60)]
        assert "update_display_data" not in updates
        out = run("print(explorer.runs, explorer._static_stale, round(explorer.result.at(2014.25, 'neet')))")
        assert next(m["content"]["text"] for m in out if m["header"]["msg_type"] == "stream").split() == [
            "1", "True", "587"]
        out = run("explorer.snapshot()")
        result = next(m for m in out if m["header"]["msg_type"] == "execute_result")["content"]["data"]
        assert result["image/svg+xml"].startswith("<svg")
        assert "End of March 2014: 587 (base run 426, difference +161)" in result["text/plain"]


def test_the_first_explorer_shows_the_live_widget_before_drawing_its_picture(tmp_path):
    # The live explorer appears before vl-convert's engine starts (about 1 s, more on a
    # loaded machine) for its static picture; the cell says what it is doing meanwhile.
    from dpmkit.charts import _LOADING
    from dpmkit.charts.render import FIRST_DRAWING

    with kernel(tmp_path) as session:
        seen = []
        for kind, content in displays(session.run(
                "import dpmkit as dk\nexplorer = dk.widgets.explore('surrey', outputs=['neet'])\nexplorer"),
                kinds=("display_data", "update_display_data")):
            data = content["data"]
            label = ("live" if data.get(WIDGET_VIEW, {}).get("model_id") else
                     "picture" if "<svg" in data.get("image/svg+xml", "") else data.get("text/plain", ""))
            seen.append((kind, label))
        # an empty cache folder: the first kernel on a machine also bundles the chart JavaScript once
        bundling = [("update_display_data", "Preparing interactive charts to work offline (once per computer, a few "
                                            "seconds)…"), ("update_display_data", "")]
        # each output takes the place of the cleared note before it: no empty output is left (the live
        # widget passes through plain text, so that JupyterLab gives it a new, visible renderer)
        assert seen == [("display_data", _LOADING), ("update_display_data", ""), *bundling,
                        ("update_display_data", ""), ("update_display_data", "live"), ("display_data", FIRST_DRAWING),
                        ("update_display_data", ""), ("update_display_data", "picture")]


@pytest.mark.parametrize("lesson", ["03_dynamic_performance_management"])
def test_a_lesson_run_headless_keeps_no_empty_output(tmp_path, lesson):
    # The progress notes of a kernel's first chart ("Loading the chart tools…", "Drawing the
    # chart…") are cleared in place, and what the cell shows next takes their place. The source
    # of 03 (with its solutions) draws a story and an Altair chart first; every learner notebook
    # is checked the same way in tests/test_notebooks_static.py.
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    path = root / "notebooks" / "solutions" / f"{lesson}.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute(env={**os.environ, "DPMKIT_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(root)})
    assert empty_outputs(nb) == []
    # the lesson did draw: its widget cells hold their pictures (the check cannot pass on an empty run)
    assert sum(len(static_outputs(cell)) for cell in nb.cells if cell.cell_type == "code") >= 1


def test_text_printed_after_a_note_stays_before_what_the_cell_shows_next(tmp_path):
    # The place of a cleared note is reused only while nothing else was output after it:
    # printed text after the note keeps the order in which the cell produced it.
    cells = {"a": ("print('before')\nimport dpmkit as dk\nexplorer = dk.widgets.explore('surrey', outputs=['neet'])\n"
                   "print('after')\nexplorer"),
             "b": "dk.charts.time_series(dk.simulate(dk.models.load('demo')), ['waiting_list'])"}
    nb = run_notebook(tmp_path, cells)
    one = nbformat.from_dict
    kinds = [o.get("text") or ("live" if live_outputs(one({"outputs": [o]})) else
                                "picture" if static_outputs(one({"outputs": [o]})) else "empty")
             for o in nb.cells[0].outputs]
    assert kinds == ["before\n", "empty", "after\n", "live", "picture"]
    # a later cell's chart is just the chart
    assert [sorted(o["data"]) for o in nb.cells[1].outputs] == [["image/svg+xml", "text/plain"]]
