"""Story mode: the DPM chart revealed step by step, with captions and loop dominance (issue 14, item 4)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import dpmkit as dk
from dpmkit.charts.story import fit_to_width
from dpmkit.errors import ModelError
from dpmkit.words import number

SVG = "{http://www.w3.org/2000/svg}"
ORDER = ["strategic_resource", "end_result", "performance_driver", "policy_lever"]


def box_titles(svg):
    """The tooltip of every titled box group drawn in an SVG."""
    root = ET.fromstring(svg)
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")
            if g.find(f"{SVG}title") is not None and g.find(f"{SVG}rect") is not None]


@pytest.fixture(scope="module", params=["demo", "surrey", "targets_vs_learning"])
def told(request):
    return dk.models.load(request.param), dk.charts.story(request.param)


def test_steps_follow_the_roles_then_the_loops(told):
    model, story = told
    assert [s.title for s in story] == [t for _, t in dk.charts.STORY_STEPS]
    roles = dk.dpm.structure(model)["roles"]
    for k, step in enumerate(story.steps[:5]):
        shown = set(ORDER[: k + 1])
        want = sorted(n for n, r in roles.items() if r in shown and r != "policy_lever")
        got = sorted(n["name"] for n in step.diagram.nodes if n["name"] != "policy_levers")
        assert got == want, step.title
        # What the SVG itself draws: one titled box per variable (the levers' bar is one box).
        bar = any(r == "policy_lever" for r in roles.values()) and "policy_lever" in shown
        assert len(box_titles(step.svg)) == len(want) + bar


def test_boxes_keep_their_place_from_step_to_step(told):
    _, story = told
    final = {n["name"]: (n["x"], n["y"]) for n in story[4].diagram.nodes}
    for step in story.steps[:4]:
        for n in step.diagram.nodes:
            assert (n["x"], n["y"]) == final[n["name"]]


def test_arrows_appear_with_their_step(told):
    model, story = told
    kinds = [{e["kind"] for e in s.diagram.edges} for s in story.steps[:5]]
    assert kinds[0] == set()
    # Step 2: only an end result filling or draining its own resource.
    for e in story[1].diagram.edges:
        v = model[e["source"]]
        assert e["kind"] == "feedback" and e["target"] in (v.into, v.out_of)
    assert "drives" in kinds[2] and "drives" not in kinds[1]
    assert len(story[4].diagram.edges) >= len(story[3].diagram.edges) >= len(story[2].diagram.edges)
    # Lever numbers appear on the boxes only once the levers are revealed.
    assert ">L1" not in story[2].svg
    if dk.dpm.structure(model)["levers"]:
        assert ">L1" in story[3].svg


def test_captions_carry_the_run_and_the_levers(told):
    model, story = told
    run = dk.simulate(model)
    roles = dk.dpm.structure(model)["roles"]
    resources = [n for n in model.names if roles.get(n) == "strategic_resource"][:6]
    for name in resources:
        assert f"{model[name].label} {number(run[name][0])} → {number(run[name][-1])}" in story[0].caption
    for lever in dk.dpm.structure(model)["levers"][:6]:
        assert f"{model[lever].label} = {number(run.params[lever])}" in story[3].caption
    for f in [n for n in model.names if roles.get(n) == "end_result"][:8]:
        assert model[f].label in story[1].caption


def test_dominance_steps_tell_what_loop_dominance_finds(told):
    model, story = told
    dom = dk.loop_dominance(model)
    assert story.dominance is not None
    # The story follows the loops of three or more variables (a stock and its own flow alone
    # says only that the stock fills or drains at its own pace).
    led = dom.periods_among([lp.id for lp in dom.loops if len(lp.members) > 2])
    assert not led.empty
    periods = list(led.itertuples())
    caption = story[5].caption
    # The loops appear in the caption in the order they dominate.
    at = 0
    for p in periods:
        at = caption.index(f"{p.loop} (", at) + 1
    root = ET.fromstring(story[5].svg)
    bands = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text.split(":")[0] for b in bands] == [p.loop for p in periods]
    widths = [float(b.get("width")) for b in bands]
    lengths = [p.end - p.start for p in periods]
    # Band widths are proportional to the periods' lengths.
    for w, d in zip(widths, lengths):
        assert w == pytest.approx(d / (model.stop - model.start) * (900 - 120), abs=1.01)
    total = led.assign(d=led.end - led.start).groupby("loop")["d"].sum()
    longest = total.idxmax()
    assert story[6].caption.startswith(f"{longest}, a ")
    assert f"{total[longest] / (model.stop - model.start):.0%} of the run" in story[6].caption


def test_the_dominance_caption_counts_the_unscored_loops_in_words():
    """Lesson 07's story (focus knowledge_gain), step 6: 'Not scored: loops B15, B16, ..., R62 pass
    through a SMTH or DELAY inside an equation and are not scored', 77 loop ids and two
    function names a learner has not met, in a caption of 130 words."""
    import re

    story = dk.charts.story("targets_vs_learning", focus="knowledge_gain", steps=2)
    caption = story[5].caption
    unscored = caption[caption.index(" 77 loops ("):]
    assert len(re.findall(r"\b[BR]\d+\b", unscored)) <= 5
    assert re.search(r"\band \d+ more\b", unscored)
    assert "smoothing or delay" in unscored
    assert len(caption.split()) < 160  # the loops that lead, and why not a stock draining itself
    dom = dk.loop_dominance(dk.models.load("targets_vs_learning"))
    assert any("SMTH" in note for note in dom.notes)  # the function names stay, for a modeller


def test_lesson_07s_story_names_a_loop_that_teaches_not_a_stock_draining_itself():
    """Lesson 07's story, steps 6 and 7, named B12 (Gaming → Gaming change → Gaming), a stock
    draining itself, as the loop that dominates longest, and read 'From year 0 to 0.62; from
    year 0.62 to 1.81'. The loops that lead are now ones of three or more variables, the
    stocks' own loops are said to score highest and why that says little, and the times read
    as people say them."""
    import re

    story = dk.charts.story("targets_vs_learning", focus="knowledge_gain", steps=2)
    when, longest = story[5].caption, story[6].caption
    assert "Throughout the run a stock and its own flow alone scores highest (B12, B1, B10)" in when
    assert "says only that a stock fills or drains at its own pace" in when
    led = when[when.index("these lead: "):]
    assert "B12" not in led and "B1 " not in led and "B10" not in led
    assert led.startswith("these lead: R1 (reinforcing, through Easy-to-help clients) from the start to about "
                          "year 2.6; B14 (balancing, through Parked clients) from about year 2.6 to 3.6;")
    assert "from about year 5.2 to the end (year 10)." in led
    assert not re.search(r"\d\.\d\d", when + longest)  # no 0.62, 1.81, 4.19
    assert longest.startswith("R3, a reinforcing loop (Hard-to-help clients (served) → Parking → Parked clients"
                              " → Unparking → Hard-to-help clients (served)), dominates longest of the loops of "
                              "three or more variables: 55% of the run.")
    # The chart of steps 6 and 7 shows those loops, not B12.
    assert "B12" not in story[5].svg and ">R1<" in story[5].svg
    assert "Gaming change" not in story[6].svg


def test_a_story_says_plainly_when_only_a_stock_and_its_own_flow_could_be_scored():
    model = dk.Model("drain", [
        dk.Stock("backlog", 100, units="cases", role="strategic_resource"),
        dk.Flow("cleared", "backlog / time_to_clear", out_of="backlog", units="cases/week", role="end_result"),
        dk.Param("time_to_clear", 4, units="weeks"),
    ], stop=20, dt=0.25, time_units="week")
    story = dk.charts.story(model)
    assert ("Only loops of a stock and its own flow alone could be scored, which say only that a stock fills or "
            "drains at its own pace. This leads: B1 (balancing, through Backlog) throughout the run "
            "(week 0 to 20).") in story[5].caption
    assert story[6].caption.startswith("B1, a balancing loop (Backlog → Cleared → Backlog), dominates longest: "
                                       "100% of the run. It is a stock and its own flow alone, the only kind")


def test_a_story_tells_the_stretch_where_no_loop_of_three_or_more_variables_scores_first():
    """Lesson 04's story (Surrey, focus becoming_neet): the caption said which loop leads from April
    2015, and only after it that none had a score before then."""
    caption = dk.charts.story("surrey", focus="becoming_neet", steps=2)[5].caption
    assert ("Among loops of three or more variables, none has a score from the start to April 2015; then this "
            "leads: B10 (balancing, through Well-targeted contracts) from April 2015 to the end (2022).") in caption


def test_the_feedback_caption_names_each_loop_it_lists_by_its_variables():
    """Lesson 07's story, step 5, read 'B16 through  ...; plus 12 two-variable loops': B16 has no
    stock of its own (it runs through a SMTH in an equation), so it was said to run through nothing."""
    caption = dk.charts.story("targets_vs_learning", focus="knowledge_gain", steps=2)[4].caption
    assert "through  " not in caption and " ...;" not in caption
    assert "B16 through Easy clients helped, Clients helped, Reported performance and 5 more" in caption
    assert "; and 75 other loops; plus 12 two-variable loops" in caption


def test_a_focused_story_stays_small():
    story = dk.charts.story("surrey", focus="becoming_neet", steps=2)
    for step in story.steps[:5]:
        assert len(box_titles(step.svg)) <= 12
    assert "in the whole model" in story[5].caption
    assert "No policy lever acts on this part" in story[3].caption or "=" in story[3].caption


def test_static_sequence_displays_and_saves_every_step(tmp_path):
    story = dk.charts.story("demo")
    page = story._repr_html_()
    assert page.count("<svg") == len(story) and page.count("Step ") >= len(story)
    paths = story.save(tmp_path / "story")
    assert [p.name for p in paths] == [f"step_{k:02d}.svg" for k in range(1, len(story) + 1)] + ["story.txt"]
    assert paths[0].read_text(encoding="utf-8") == story[0].svg
    assert paths[-1].read_text(encoding="utf-8").count("Step ") == len(story)


def test_a_wide_story_is_scaled_to_the_notebook_not_hidden_in_a_scrolling_box():
    # the Surrey story's last step is its whole DPM chart, 1,191 px wide: in a scrolling box beside
    # JupyterLab's file browser (about 970 px) its end results were out of sight
    surrey = dk.charts.story("surrey")
    last = surrey[len(surrey) - 1].svg
    assert 'viewBox="0 0 ' in last and float(last.split('width="', 1)[1].split('"', 1)[0]) > 1000
    fitted = fit_to_width(last)
    scaled = '<svg style="max-width:100%;height:auto"'
    assert fitted.startswith(scaled + " ") and fitted[len(scaled):] == last[4:]
    page = surrey._repr_html_()
    assert "overflow-x" not in page and page.count('style="max-width:100%;height:auto"') == len(surrey)
    w = dk.widgets.story(surrey.model)
    w.go(-1)
    assert w._picture.value == fitted
    assert fit_to_width("<svg><g/></svg>") == "<svg><g/></svg>"  # no viewBox: it cannot scale, left alone
    assert fit_to_width("not a picture") == "not a picture"


def test_the_widget_steps_back_and_forth_and_leaves_a_static_picture():
    w = dk.widgets.story("demo")
    n = len(w.story)
    assert w.step == 0 and w._back.disabled and not w._next.disabled
    assert "Step 1 of" in w._where.value and w._picture.value == fit_to_width(w.story[0].svg)
    w._next.click()
    assert w.step == 1 and w.caption == w.story[1].caption and not w._back.disabled
    w.go(-1)
    assert w.step == n - 1 and w._next.disabled
    w.next()
    assert w.step == n - 1
    w._back.click()
    assert w.step == n - 2
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"].count("<svg") == n
    assert data["image/svg+xml"] == w.story[n - 2].svg
    with pytest.raises(ModelError, match="step must be"):
        w.go(n)


def test_story_errors():
    bare = dk.Model("bare", [dk.Stock("s", 1)])
    with pytest.raises(ModelError, match="declares no DPM roles"):
        dk.charts.story(bare)
    with pytest.raises(ModelError, match="dominance must be"):
        dk.charts.story("demo", dominance="yes")
    assert len(dk.charts.story("demo", dominance=False)) == 5


def test_roles_leave_variables_out_of_every_step():
    model = dk.models.load("surrey")
    core = ["trust", "neet", "visible_results", "becoming_neet", "trust_change", "coproduction_effort"]
    left_out = {v.name: None for v in model.variables if v.role and v.name not in core}
    story = dk.charts.story(model, roles=left_out, dominance=False)
    names = {n["name"] for n in story[4].diagram.nodes} | {
        m for n in story[4].diagram.nodes for m in n.get("members", ())}
    assert names - {"policy_levers"} == set(core)


def test_a_notebook_run_headless_keeps_the_whole_story_in_its_outputs_and_html_export(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"import sys; sys.path.insert(0, {str(root)!r})\nimport dpmkit as dk"),
                nbformat.v4.new_code_cell('dk.widgets.story("demo")')]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[1].outputs
    assert not [o for c in nb.cells for o in c.outputs if o["output_type"] == "error"]
    # the first chart of a kernel takes the place of its cleared progress notes (tests/test_charts.py)
    data = next(o for o in outputs if "image/svg+xml" in o.get("data", {}))["data"]
    steps = len(dk.charts.story("demo"))
    assert data["text/html"].count("<svg") == steps
    assert data["image/svg+xml"].startswith("<svg")
    # Saved as JupyterLab saves by default (without widget state) and exported to HTML: every step's picture
    # and caption is there, with no kernel and no JavaScript.
    nb.metadata.pop("widgets", None)
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    assert html.count('class="dpmkit-story-step"') == steps
    assert "Which loop dominates when" in html


@pytest.mark.parametrize("lesson", ["03_dynamic_performance_management", "04_surrey_case",
                                    "07_targets_gaming_learning"])
def test_story_mode_runs_in_lessons_03_04_and_07_under_nbval(lesson):
    # issue 14: "story mode runs in notebooks 03, 04 and 07 under nbval"; nbval (make test) runs
    # every learner cell not tagged to skip, so the story cell must be one it runs
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / f"{lesson}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code" and "dk.widgets.story(" in "".join(c["source"])]
    assert cells, f"{lesson} has no story cell"
    for c in cells:
        tags = c["metadata"].get("tags", [])
        assert not {"nbval-skip", "answer", "raises-exception"} & set(tags), (lesson, tags)
        assert not any(line.strip() in ("# NBVAL_SKIP",) for line in c["source"])


def test_the_focus_widget_lets_a_learner_try_other_focuses_without_code():
    """Lesson 04 asked for 'other focuses in a new cell: dk.dpm.chart(model, focus="trust")'. The
    ready-made cell picks from a list: what it draws is dk.dpm.chart's focus mode, text and all."""
    model = dk.models.load("surrey")
    w = dk.widgets.focus(model, "trust")
    labels = {f: label for label, f in w.pick.options}
    assert labels["trust"] == "Trust (strategic resource)"
    assert labels["coproduction_effort"] == "Co-production effort (policy lever)"
    assert labels["R1"].startswith("R1: a reinforcing loop through ")
    assert not any(len(lp.members) <= 2 and lp.id in labels for lp in dk.loops(model))  # no stock-and-own-flow loop
    for pick, steps in (("trust", 1), ("coproduction_effort", 2), ("R1", 1)):
        w.pick.value, w.steps.value = pick, steps
        want = dk.dpm.chart(model, focus=pick, steps=steps)
        assert w.description == want.description and w.diagram.svg == want.svg
        assert "Focus on" in w._text.value and w._picture.value.startswith('<svg style="max-width:100%')
    # a lever linked to nothing in the chart is not offered (dk.dpm.chart says why, for code)
    assert "evaluation_after" not in labels
    with pytest.raises(ModelError, match="evaluation_after"):
        dk.dpm.chart(model, focus="evaluation_after")
    # the static picture, for an exported lesson
    w.pick.value = "trust"
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["image/svg+xml"].startswith("<svg") and "Focus on &#x27;Trust&#x27;" in data["text/html"]
    with pytest.raises(ModelError, match="start must be a variable with a role or a loop id"):
        dk.widgets.focus(model, "no_such_thing")
    with pytest.raises(ModelError, match="steps must be 1, 2 or 3"):
        dk.widgets.focus(model, steps=5)
    with pytest.raises(ModelError, match="declares no DPM roles"):
        dk.widgets.focus(dk.Model("bare", [dk.Stock("s", 1)]))


@pytest.mark.parametrize("name", ["surrey", "pm_regimes", "targets_vs_learning", "attractor"])
def test_every_choice_the_focus_list_offers_draws_a_chart(name):
    # the list offered "Evaluate after (policy lever)", a lever linked to nothing in the chart, and
    # long loops (pm_regimes' R9, targets_vs_learning's R47) that needed more than a dozen boxes:
    # each answered "Not drawn"
    widget = dk.widgets.focus(name)
    offered = [focus for _, focus in widget.pick.options]
    assert "evaluation_after" not in offered
    for focus in offered:
        widget.pick.value = focus
        assert widget.diagram is not None, (focus, widget._text.value)


def test_the_focus_widget_offers_the_whole_model_folded_where_it_repeats_itself():
    """The focus widget offered one variable or loop at a time, never the whole model: for the
    attractor model a learner saw 'Outcome, locality 01' and its neighbours, never the folded whole
    chart (eleven localities as one box "Outcome, each locality" ×11). The list's first choice is
    the whole model, folded where it repeats itself; the attractor model opens on it."""
    model = dk.models.load("attractor")
    w = dk.widgets.focus(model)
    label, first = w.pick.options[0]
    assert first == w.pick.value == "whole model"
    assert label == "The whole model (15 boxes, each repeated part drawn once: ×11)"
    want = dk.dpm.chart(model, fold=True)
    assert w.diagram.svg == want.svg and w.description == want.description
    assert "Outcome, each locality" in [n["label"] for n in w.diagram.nodes] and len(w.diagram.nodes) == 15
    assert "Folded: 11 boxes" in w._text.value and w.steps.disabled  # no "links out" from the whole model
    w.pick.value = "outcome_01"
    assert not w.steps.disabled and w.description.startswith(dk.dpm.chart(model, focus="outcome_01").description[:40])
    # a model that does not repeat itself offers its whole chart too, and opens as before
    surrey = dk.widgets.focus("surrey")
    assert surrey.pick.options[0] == ("The whole model (31 boxes)", "whole model")
    assert surrey.pick.value == "legacy_services"
    surrey.pick.value = "whole model"
    assert len(surrey.diagram.nodes) == 31 and "Folded" not in surrey.description
    assert dk.widgets.focus("surrey", "whole model").diagram.svg == surrey.diagram.svg


def test_the_focus_list_offers_each_repeated_part_once():
    """The attractor model's focus list had 192 entries: "Outcome, locality 01" to "Outcome,
    locality 11", the same for every variable, and eleven copies of every loop, one per locality.
    It offers each repeated part once, in the folded chart's words, and one loop for each eleven
    alike; a model that does not repeat itself keeps its list as it was."""
    model = dk.models.load("attractor")
    w = dk.widgets.focus(model)
    labels = [label for label, _ in w.pick.options]
    assert len(labels) <= 25, labels
    assert "Outcome, each locality (strategic resource; drawn for locality 01)" in labels
    assert not [label for label in labels if "locality 02" in label or "locality 11" in label]
    folded = {n["label"] for n in dk.dpm.chart(model, fold=True).nodes}
    loops = [label for label in labels if re.match(r"[RBU]\d+: ", label)]
    families = [label for label in labels if "; drawn for locality 01)" in label]
    assert len(families) == 11 and all(label.split(" (")[0] in folded for label in families), families
    assert loops and all("(one of 11 like it, one in each place)" in label for label in loops), loops
    surrey = dk.widgets.focus("surrey")
    assert len(surrey.pick.options) == 38 and not any("like it" in label for label, _ in surrey.pick.options)
