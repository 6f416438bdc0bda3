"""Widgets driven from code, as a learner's clicks would drive them: controls from Param
metadata, runs on release, errors shown in the widget, reset, base run, scenarios,
predict-then-run gaps and the decision game's year-by-year stepping."""

import html
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dpmkit as dk

W = pytest.importorskip("ipywidgets")
widgets = dk.widgets


@pytest.fixture(scope="module")
def demo():
    return dk.models.load("demo")


def fragile():
    """A model whose run fails (division by zero) when k is set to 1."""
    return dk.Model("fragile", [
        dk.Stock("s", 10, units="people"),
        dk.Flow("out", "s * rate / (k - 1)", out_of="s", units="people/year"),
        dk.Param("k", 0.5, bounds=(0, 2), units="dimensionless", label="Fragility"),
        dk.Param("rate", 0.1, bounds=(0, 1), units="1/year", role="policy_lever", label="Rate"),
    ], stop=5)


def forty():
    """A model with 40 parameters: 8 levers, 12 uncertainties, 20 others."""
    params, terms = [], []
    for i in range(40):
        kw = {}
        if i < 8:
            kw["role"] = "policy_lever"
        elif i < 20:
            kw["uncertainty"] = (0.5, 1.5)
        params.append(dk.Param(f"p{i:02d}", 1.0, bounds=(0, 2), units="1/year", label=f"Parameter {i}", **kw))
        terms.append(f"p{i:02d}")
    return dk.Model("forty", [dk.Stock("s", 100, units="people"),
                              dk.Flow("out", f"s * ({' + '.join(terms)}) / 400", out_of="s", units="people/year"),
                              *params], stop=5, dt=0.25)


def shown(widget):
    """The text a learner reads in an HTML widget."""
    return html.unescape(widget.value)


def current(explorer):
    return explorer.pane.spec["datasets"]["current"]


# --------------------------------------------------------------------------- controls

def test_controls_come_from_param_metadata(demo):
    ex = widgets.explore(demo)
    slider = ex.controls["staff_target"]
    p = demo["staff_target"]
    assert isinstance(slider, W.FloatSlider)
    assert (slider.min, slider.max, slider.value) == (5, 40, 20)
    assert slider.step == widgets.nice_step(5, 40) == 0.5
    assert slider.continuous_update is False
    assert slider.description == "Funded caseworker posts"
    assert p.description in slider.tooltip and "FTE" in slider.tooltip and "assumption" in slider.tooltip
    # the default is said (SDEverywhere users asked to see each slider's default), before the range
    assert "Default 20 FTE. Range 5 to 40 FTE" in slider.tooltip
    # units beside the slider
    row = next(c for c in ex.sections.children[0].children if slider in c.children)
    assert row.children[1].value == "FTE"
    assert ex.controls["base_quit_rate"].readout_format == ".4f"


def test_what_each_slider_means_is_there_to_open_on_a_page_that_cannot_hover():
    # a phone in the room cannot hover over a label: the meanings are in the heading, closed, with
    # each source as the registry cites it (its status), and no widget more to send
    explorer = widgets.explore("surrey", show=["decommissioning_years", "coproduction_effort"])
    heading = explorer.children[0].value
    meanings = heading[heading.index("<details"):]
    assert "<summary>What each slider means</summary>" in meanings and "<details open" not in meanings
    said = html.unescape(re.sub("<[^>]+>", " ", meanings))
    assert "Years to decommission : Years from the change start until the last legacy service closes. Default 3" \
        in said
    assert "Source: Governance International, case study: The transformation of services for young people in " \
           "Surrey County Council [published]" in said
    assert said.count("Default ") == 2


@settings(max_examples=80)
@given(st.floats(-1e6, 1e6), st.floats(1e-6, 1e6))
def test_nice_step_is_one_two_or_five_times_a_power_of_ten(low, span):
    step = widgets.nice_step(low, low + span)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-12)
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))
    assert span / 200 <= step * (1 + 1e-9) and step <= span / 20 * (1 + 1e-9)


def test_values_outside_bounds_cannot_be_entered(demo):
    ex = widgets.explore(demo)
    ex.controls["staff_target"].value = 400  # what typing 400 into the readout does
    assert ex.controls["staff_target"].value == 40
    assert ex.result.params["staff_target"] == 40
    with pytest.raises(dk.ModelError, match="outside its bounds"):
        ex.set(staff_target=400)


def test_unbounded_params_get_a_number_field():
    m = dk.Model("free", [dk.Stock("s", 1, units="people"),
                          dk.Flow("f", "g", into="s", units="people/year"),
                          dk.Param("g", 2, units="people/year")])
    ex = widgets.explore(m)
    assert isinstance(ex.controls["g"], W.FloatText)
    ex.controls["g"].value = 5
    assert ex.result.final("s") == pytest.approx(1 + 5 * 10)


def test_groups_and_collapsible_sections(demo):
    ex = widgets.explore(demo)
    assert ex.sections.titles == ("Policy levers (1)", "Uncertainties (2)", "Other parameters (4)")
    assert ex.sections.selected_index == 0


def test_forty_parameters_stay_usable():
    ex = widgets.explore(forty())
    assert len(ex.controls) == 40
    assert ex.sections.titles == ("Policy levers (8)", "Uncertainties (12)", "Other parameters (20)")
    assert ex.sections.selected_index == 0  # only the levers are open; the rest are folded away
    sizes = [len(section.children) for section in ex.sections.children]
    assert sizes == [8, 12, 20]
    ex.controls["p30"].value = 2.0
    assert ex.result.params["p30"] == 2.0
    surrey = widgets.explore("surrey", outputs=["neet"])
    assert len(surrey.controls) == 53 and surrey.sections.titles[0] == "Policy levers (5)"


def test_every_control_and_button_is_labelled(demo):
    ex = widgets.explore(demo)
    for c in ex.controls.values():
        assert c.description and c.tooltip
    for b in (ex.reset_button, ex.base_button, ex.save_button, ex.load_button, ex.delete_button):
        assert b.description and b.tooltip


# --------------------------------------------------------------------------- running

def test_release_runs_once_and_keeps_the_result(demo):
    ex = widgets.explore(demo, outputs=["waiting_list", "served"])
    assert ex.runs == 0 and ex.result.final("waiting_list") == pytest.approx(dk.simulate(demo).final("waiting_list"))
    ex.controls["staff_target"].value = 14
    assert ex.runs == 1
    expected = dk.simulate(demo, {"staff_target": 14})
    np.testing.assert_allclose(ex.result["waiting_list"], expected["waiting_list"])
    # the chart was redrawn with the new numbers
    last = [r for r in current(ex) if r["variable"] == "waiting_list"][-1]
    assert last["value"] == pytest.approx(expected.final("waiting_list"))
    assert "rises from 60 to 1,256" in shown(ex.summary)
    assert ex.pane.spec["description"].startswith("Waiting list (people) rises from 60 to 1,256")


def test_a_failed_run_shows_a_readable_message(demo):
    ex = widgets.explore(fragile(), outputs=["s"])
    good = ex.result
    ex.controls["k"].value = 1.0  # divides by zero
    assert ex.result is good
    assert "'out' became infinite at TIME = 0" in ex.error
    assert 'role="alert"' in ex.message.value and "did not work" in ex.message.value
    assert "Traceback" not in ex.message.value
    ex.controls["k"].value = 0.5
    assert ex.error == "" and ex.message.value == ""


def test_reset_returns_to_the_start_with_one_run(demo):
    ex = widgets.explore(demo, params={"referral_rate": 45})
    ex.set(staff_target=30, hiring_delay=2)
    runs = ex.runs
    ex.reset_button.click()
    assert ex.runs == runs + 1
    assert ex.controls["staff_target"].value == 20 and ex.controls["referral_rate"].value == 45
    np.testing.assert_allclose(ex.result["staff"], dk.simulate(demo, {"referral_rate": 45})["staff"])


def test_base_run_comparison(demo):
    ex = widgets.explore(demo, outputs=["waiting_list"])
    default = dk.simulate(demo)
    ex.controls["staff_target"].value = 14
    base_rows = ex.pane.spec["datasets"]["base"]
    assert base_rows[-1]["value"] == pytest.approx(default.final("waiting_list"))
    difference = dk.simulate(demo, {"staff_target": 14}).final("waiting_list") - default.final("waiting_list")
    assert "Base run" in shown(ex.summary) and f"+{dk.words.number(difference)}" in shown(ex.summary)
    ex.base_button.click()
    assert ex.base is ex.result
    ex.controls["staff_target"].value = 26
    assert ex.pane.spec["datasets"]["base"][-1]["value"] == pytest.approx(
        dk.simulate(demo, {"staff_target": 14}).final("waiting_list"))
    ex.show_base.value = False
    assert ex.pane.spec["datasets"]["base"] == []


def test_svg_rendering_redraws(demo):
    ex = widgets.explore(demo, outputs=["waiting_list"], render="svg")
    before = ex.pane.widget.value
    assert before.startswith("<svg")
    ex.controls["staff_target"].value = 14
    assert ex.pane.widget.value.startswith("<svg") and ex.pane.widget.value != before
    with pytest.raises(dk.ModelError, match="render must be"):
        widgets.explore(demo, render="png")


def test_bad_outputs_and_names(demo):
    with pytest.raises(dk.ModelError, match="did you mean 'waiting_list'"):
        widgets.explore(demo, outputs=["waitinglist"])
    with pytest.raises(dk.ModelError, match="is a parameter"):
        widgets.explore(demo, outputs=["staff_target"])
    with pytest.raises(dk.ModelError, match="no parameter 'staf'"):
        widgets.explore(demo, show=["staf"])
    with pytest.raises(dk.ModelError, match="no ready-made model"):
        widgets.explore("nope")
    ex = widgets.explore(demo, show=["staff_target"])
    assert list(ex.controls) == ["staff_target"]
    with pytest.raises(dk.ModelError, match="no control for 'referral_rate'"):
        ex.set(referral_rate=40)


# --------------------------------------------------------------------------- scenarios

def test_scenario_builder_saves_named_settings(demo):
    ex = widgets.explore(demo, outputs=["waiting_list"])
    ex.set(staff_target=26)
    ex.scenario_name.value = "more staff"
    ex.save_button.click()
    assert ex.scenarios == {"more staff": {"staff_target": 26.0}}
    assert "Saved 'more staff'" in shown(ex.scenario_message) and ex.scenario_name.value == ""
    ex.set(staff_target=14, hiring_delay=8)
    ex.save_scenario("cuts")
    assert ex.scenarios["cuts"] == {"staff_target": 14.0, "hiring_delay": 8.0}
    # refused names explain themselves
    ex.scenario_name.value = "  "
    ex.save_button.click()
    assert "type a name" in shown(ex.scenario_message)
    ex.scenario_name.value = "base"
    ex.save_button.click()
    assert "'base' is the name dk.compare gives the defaults" in shown(ex.scenario_message)
    # loading puts the sliders back and runs
    ex.saved.value = "more staff"
    ex.load_button.click()
    assert ex.controls["staff_target"].value == 26 and ex.controls["hiring_delay"].value == 4
    # the saved settings go straight into dk.compare
    table = dk.compare(demo, ex.scenarios, names=["waiting_list"])
    assert list(dict.fromkeys(table["scenario"])) == ["base", "more staff", "cuts"]
    assert table.equals(ex.compare())
    ex.delete_scenario("cuts")
    assert list(ex.scenarios) == ["more staff"] and ex.saved.options == ("more staff",)


# --------------------------------------------------------------------------- predict, then run

def test_predict_then_run_gives_the_gap_in_numbers(demo):
    p = widgets.predict(demo, "waiting_list", params={"staff_target": 14}, points=5)
    assert p.times == [0.0, 15.0, 30.0, 45.0, 60.0]
    assert p.result is None and p.fields[0].disabled and p.fields[0].value == "60"
    p.set_prediction([100, "1,000", 300, 400])
    gaps = p.reveal()
    run = dk.simulate(demo, {"staff_target": 14})
    simulated = [run.at(t, "waiting_list") for t in p.times]
    np.testing.assert_allclose(gaps["simulated"], simulated)
    np.testing.assert_allclose(gaps["gap"], np.array([60, 100, 1000, 300, 400]) - simulated)
    later = np.abs(gaps["gap"].to_numpy()[1:])
    assert p.score["mean_abs_gap"] == pytest.approx(later.mean())
    assert p.score["largest_gap_time"] == 60.0 and p.score["direction_right"] is True
    assert dk.words.number(later.mean()) in shown(p.message)
    assert "You expected it to rise overall, and it does." in shown(p.message)
    assert all(f.disabled for f in p.fields) and p.reveal_button.disabled
    # the chart now shows the run, with the prediction as the grey line
    assert p.pane.spec["datasets"]["current"][-1]["value"] == pytest.approx(run.final("waiting_list"))
    assert p.pane.spec["datasets"]["base"][-1]["value"] == 400
    p.again_button.click()
    assert p.result is None and not p.fields[1].disabled and p.fields[1].value == "100"


def test_predict_validates_and_explains(demo):
    p = widgets.predict(demo, "staff", points=3, limits=(0, 100))
    p.fields[1].value = "twelve"
    p.fields[2].value = "18"
    p.reveal_button.click()
    assert p.result is None
    assert "month 30: 'twelve' is not a number" in shown(p.message)
    p.fields[1].value = "250"
    p.reveal_button.click()
    assert "250 is outside the range 0 to 100 FTE" in shown(p.message) and p.result is None
    p.fields[1].value = "19"
    p.reveal_button.click()
    assert p.result is not None
    assert "you expected it to fall overall" in shown(p.message).lower()
    with pytest.raises(dk.ModelError, match="give 2 values"):
        widgets.predict(demo, "staff", points=3).set_prediction([1])
    with pytest.raises(dk.ModelError, match="outside the run"):
        widgets.predict(demo, "staff", times=[0, 100])
    with pytest.raises(dk.ModelError, match="points"):
        widgets.predict(demo, "staff", points=1)


# --------------------------------------------------------------------------- decision game

def test_game_steps_year_by_year_like_a_scripted_run(demo):
    g = widgets.game(demo, ["staff_target"], interval=12, outputs=["waiting_list", "staff"])
    assert g.time == 0 and not g.finished
    g.step(staff_target=30)  # decided at month 0
    g.controls["staff_target"].value = 14
    g.step_button.click()  # decided at month 12 with the slider
    g.step(staff_target=22)
    assert g.time == 36
    assert g.decisions == [(0.0, {"staff_target": 30.0}), (12.0, {"staff_target": 14.0}),
                           (24.0, {"staff_target": 22.0})]
    # the first decision does not move where the stocks start ...
    assert g.result["staff"][0] == 20
    # ... and what the game shows is exactly the scripted run of the same decisions
    scripted = dk.simulate(g._model, events={0: {"staff_target": 30}, 12: {"staff_target": 14},
                                             24: {"staff_target": 22}}, stop=36)
    np.testing.assert_allclose(g.result["waiting_list"], scripted["waiting_list"])
    full = dk.simulate(g._model, events={0: {"staff_target": 30}, 12: {"staff_target": 14},
                                         24: {"staff_target": 22}})
    np.testing.assert_allclose(g.result["staff"], full["staff"][: len(g.result.time)])
    hist = g.history()
    assert hist["decided_at"].tolist() == [0, 12, 24] and hist["period_end"].tolist() == [12, 24, 36]
    assert hist["waiting_list"].iloc[-1] == pytest.approx(scripted.final("waiting_list"))
    # the chart shows only the past, on an axis that spans the whole game
    rows = g.pane.spec["datasets"]["current"]
    assert max(r["time"] for r in rows) == 36
    assert g.pane.spec["vconcat"][0]["layer"][-1]["encoding"]["x"]["scale"]["domain"] == [0, 60]
    g.undo()
    assert g.time == 24 and len(g.decisions) == 2 and g.controls["staff_target"].value == 22
    g.step()
    g.step()
    g.step()
    assert g.finished and g.time == 60 and g.step_button.disabled
    assert g.baseline is not None and "Had you changed nothing" in shown(g.status)
    np.testing.assert_allclose(g.baseline["waiting_list"], dk.simulate(demo)["waiting_list"])
    with pytest.raises(dk.ModelError, match="the game is over"):
        g.step()
    g.restart()
    assert g.time == 0 and g.decisions == [] and not g.finished


def test_game_refuses_bad_decisions(demo):
    g = widgets.game(demo, ["staff_target"], interval=12)
    with pytest.raises(dk.ModelError, match="outside its bounds"):
        g.step(staff_target=100)
    with pytest.raises(dk.ModelError, match="'referral_rate' is not a lever of this game"):
        g.step(referral_rate=30)
    assert g.time == 0 and g.decisions == []
    with pytest.raises(dk.ModelError, match="whole number of time steps"):
        widgets.game(demo, ["staff_target"], interval=0.3)
    with pytest.raises(dk.ModelError, match="declares no policy levers"):
        widgets.game(fragile().without("rate").with_variables(dk.Param("rate", 0.1, units="1/year")))


def test_game_failed_period_is_rolled_back():
    g = widgets.game(fragile(), ["k"], interval=1)
    with pytest.raises(dk.ModelError, match="became infinite"):
        g.step(k=1.0)
    assert g.decisions == [] and g.time == 0 and "could not run" in shown(g.message)


def test_surrey_game_runs_to_the_end():
    surrey = dk.models.load("surrey")
    g = widgets.game(surrey, ["coproduction_effort", "post2015_cut"], interval=1, start=2009.25,
                     outputs=["neet", "fte"])
    assert g.time == 2009.25
    steps = 0
    while not g.finished:
        g.step(coproduction_effort=0.2 if g.time < 2015 else 1.0)
        steps += 1
    assert steps == 13 and g.time == 2022
    # the history before the player took control ran on the defaults
    default = dk.simulate(surrey)
    k = round((2009.25 - surrey.start) / surrey.dt)
    np.testing.assert_allclose(g.result["neet"][: k + 1], default["neet"][: k + 1])
    # less co-production early on leaves more young people NEET than the baseline
    assert g.result.at(2014, "neet") > g.baseline.at(2014, "neet")
    np.testing.assert_allclose(g.baseline["neet"], default["neet"])


def test_predict_reads_typed_numbers_as_the_ballot_does(demo):
    p = widgets.predict(demo, "waiting_list", points=5)
    for field, text in zip(p.fields[1:], ["3,5", "1,080", "1 080", "−2.5"]):
        field.value = text
    assert list(p.read().values())[1:] == [3.5, 1080.0, 1080.0, -2.5], "'3,5' was once read as 35"
    p.fields[1].value = "1.080"
    p.reveal_button.click()
    assert p.result is None and "write 1080 or 1.08" in shown(p.message)
    for text in ("", "nan", "inf", "1e999"):
        p.fields[1].value = text
        with pytest.raises(dk.ModelError, match="month 15"):
            p.read()


# --------------------------------------------------------------------------- moments the lesson asks about

@pytest.fixture(scope="module")
def surrey():
    return dk.models.load("surrey")


def test_explorer_compares_the_models_declared_moments_not_only_the_end(surrey):
    explorer = widgets.explore(surrey, outputs=["neet"])
    assert explorer.moments == [("April 2009", 2009.25), ("End of March 2014", 2014.25)]
    explorer.set(decommissioning_years=5)
    base, five = dk.simulate(surrey), dk.simulate(surrey, {"decommissioning_years": 5})
    rows = {r["when"]: r for r in explorer.comparison()}
    assert list(rows) == ["April 2009", "End of March 2014", "End of the run (2022)"]
    march = rows["End of March 2014"]
    assert march["value"] == pytest.approx(five.at(2014.25, "neet"))
    assert march["base"] == pytest.approx(base.at(2014.25, "neet"))
    # the issue's example: the end hides what the end of March 2014 shows
    assert round(march["value"]) == 587 and round(march["base"]) == 426
    assert rows["End of the run (2022)"]["difference"] == pytest.approx(five.final("neet") - base.final("neet"))
    assert f"{dk.words.signed(rows['End of the run (2022)']['difference'])}" == "+1.81"
    # shown no finer than the two numbers beside it: 392 against 390 is +2, not +1.81
    assert "End of the run (2022): 392 (base run 390, difference +2)." in explorer.summary_text()
    explorer.set(decommissioning_years=1)  # the walk-through's case: 390 against 390 read "−0.122"
    end = {r["when"]: r for r in explorer.comparison()}["End of the run (2022)"]
    assert abs(end["difference"]) < 0.5 and round(end["value"]) == round(end["base"])
    assert f"(base run {dk.words.number(end['base'])}, difference about 0)." in explorer.summary_text()
    assert "about 0" in explorer.summary.value
    explorer.set(decommissioning_years=5)
    text = explorer.summary_text()
    assert "; End of March 2014: 587 (base run 426, difference +161);" in text
    assert "Settings: Years to decommission 5 (default 3)." in text
    table = explorer.summary.value
    assert "End of March 2014" in table and "587" in table and "426" in table and "+161" in table


def test_explorer_moments_given_as_times_or_labels(surrey):
    explorer = widgets.explore(surrey, outputs=["neet"], moments=[2010.5, 2014.25])
    assert explorer.moments == [("July 2010", 2010.5), ("April 2014", 2014.25)]
    labelled = widgets.explore(surrey, outputs=["neet"], moments={"the worst point": 2010.75})
    assert labelled.moments == [("the worst point", 2010.75)]
    assert "the worst point: " in labelled.summary_text()
    end_only = widgets.explore(surrey, outputs=["neet"], moments=[])
    assert [r["when"] for r in end_only.comparison()] == ["End of the run (2022)"]
    # a model that declares nothing compares the end only
    assert [r["when"] for r in widgets.explore("demo", outputs=["waiting_list"]).comparison()] == [
        "End of the run (month 60)"]


@pytest.mark.parametrize("bad, match", [
    ([2030], r"moment 2030 \(time 2030\) is outside the run \(from April 2006 to 2022\)"),
    (["March 2014"], r"moments must be times \(numbers\)"),
    ([float("nan")], r"moments must be times"),
    ([True], r"moments must be times"),
])
def test_explorer_refuses_moments_outside_the_run(surrey, bad, match):
    with pytest.raises(dk.ModelError, match=match):
        widgets.explore(surrey, outputs=["neet"], moments=bad)


def test_summaries_and_messages_say_dates_as_people_do(surrey):
    game = widgets.game(surrey, ["coproduction_effort"], interval=1)
    game.step(coproduction_effort=0.5)
    assert "Now: April 2007." in game.snapshot().text
    assert "2006.25" not in game.snapshot().text and "2007.25" not in game.snapshot().text
    with pytest.raises(dk.ModelError, match=r"start 2030 \(2030\) is outside the model's run \(from April 2006"):
        widgets.game(surrey, ["coproduction_effort"], start=2030)
    p = widgets.predict(surrey, "neet", times=[2006.25, 2010.5, 2014.25])
    assert p.snapshot().text.startswith("Your prediction so far: April 2006: ")
    with pytest.raises(dk.ModelError, match=r"the times are 2010\.5 \(July 2010\), 2014\.25 \(April 2014\)"):
        p.set_prediction({2012: 500})
    ballot = widgets.ballot_widget(surrey, predict={"neet": [2014.25]})
    assert any(f.description.endswith("in April 2014:") for f in ballot.prediction_fields.values())


# --------------------------------------------------------------------------- static pictures

def test_every_widget_gives_a_snapshot_with_a_picture_and_a_summary(surrey):
    explorer = widgets.explore(surrey, outputs=["neet"])
    predict = widgets.predict("demo", "waiting_list", points=3)
    game = widgets.game(surrey, ["coproduction_effort"], interval=1)
    ballot = widgets.ballot_widget(surrey)
    for widget in (explorer, predict, game, ballot):
        snap = widget.snapshot()
        assert snap.svg.startswith("<svg") and "</svg>" in snap.svg, type(widget).__name__
        assert snap.text.strip() and snap.title
        bundle = snap.bundle()
        assert bundle["image/svg+xml"] == snap.svg and snap.svg in bundle["text/html"]
        assert bundle["text/plain"].startswith(snap.title)
    # the ballot's picture shows the chosen lever against the base case, and says so in words
    ballot.controls["cut_fraction"].value = 0.1
    snap = ballot.snapshot()
    assert "Budget cut 0.1 (base case 0.25)" in snap.text
    assert ">0.1<" in snap.svg  # the label beside the chosen point


def test_an_svg_explorer_shows_the_same_picture_it_saves(surrey):
    explorer = widgets.explore(surrey, outputs=["neet"], render="svg")
    explorer.set(cut_fraction=0.4)
    assert explorer.pane.svg.startswith("<svg")
    assert explorer.snapshot().svg == explorer.pane.svg


def test_outside_a_kernel_a_widget_displays_as_a_plain_widget(surrey, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from dpmkit.widgets._common import in_jupyter_kernel

    shell = InteractiveShell.instance()
    assert not in_jupyter_kernel()
    explorer = widgets.explore("demo", outputs=["waiting_list"])
    published = []
    original = shell.display_pub.publish
    shell.display_pub.publish = lambda data, metadata=None, **kw: published.append(data)
    try:
        from IPython.display import display

        display(explorer)
    finally:
        shell.display_pub.publish = original
    assert len(published) == 1 and "image/svg+xml" not in published[0]
    assert published[0]["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.model_id
    assert not explorer._static_handles


def test_an_explorer_shares_its_rows_layouts_and_styles():
    # every ipywidget is a synced model (about 0.5 ms to make, per row, per page in the room):
    # the rows of one explorer share their identical layout and style widgets
    from ipywidgets.widgets.widget import _instances  # every open widget, by model id

    surrey = dk.models.load("surrey")
    before = set(_instances)
    explorer = dk.widgets.explore(surrey, outputs=["neet"])
    after = set(_instances)
    sliders = list(explorer.controls.values())
    assert len(sliders) == len(surrey.params) > 40
    assert len({id(s.layout) for s in sliders}) == 1 and len({id(s.style) for s in sliders}) == 1
    assert sliders[0].style.description_width == "160px" and sliders[0].layout.flex == "1 1 auto"
    # about 4 widgets a row (slider, label, row box, and the accordion's share), not 8
    assert len(after - before) < 5 * len(sliders)
    # two explorers never share (each page of the room has its own), nor do lone controls
    other = dk.widgets.explore(surrey, outputs=["neet"])
    assert next(iter(other.controls.values())).layout is not sliders[0].layout
    a, b = (dk.widgets.control_for(surrey[name]) for name in ("cut_fraction", "post2015_cut"))
    assert a.layout is not b.layout and a.style is not b.style


def test_game_and_predict_rows_share_their_layouts_and_styles_like_the_explorer():
    surrey = dk.models.load("surrey")
    levers = ["coproduction_effort", "cut_fraction", "decommissioning_years"]
    game = dk.widgets.game(surrey, levers, interval=1, render="svg")
    sliders = [game.controls[n] for n in levers]
    assert len({id(s.layout) for s in sliders}) == 1 and len({id(s.style) for s in sliders}) == 1
    assert sliders[0].style.description_width == "160px" and sliders[0].layout.flex == "1 1 auto"
    # the sliders still keep their own bounds and values
    assert [s.max for s in sliders] == [surrey[n].bounds[1] for n in levers]
    assert [s.value for s in sliders] == [surrey[n].default for n in levers]
    assert game.controls["cut_fraction"].layout is not dk.widgets.game(surrey, levers, render="svg").controls[
        "cut_fraction"].layout  # two games never share
    p = dk.widgets.predict("demo", "waiting_list", points=4, render="svg")
    assert len(p.fields) == 4
    assert len({id(f.layout) for f in p.fields}) == 1 and len({id(f.style) for f in p.fields}) == 1
    assert p.fields[1].style.description_width == "110px" and p.fields[1].layout.width == "260px"
    assert p.fields[0].disabled and not p.fields[1].disabled  # the known start stays locked, the rest open


def test_scenario_box_on_request_is_built_when_asked(demo):
    """The room's explorer starts without the scenario box (27 fewer widgets for each page that
    opens) and builds it, in the button's place, when the button is pressed."""
    ex = dk.widgets.explore(demo, show=["staff_target"], scenario_box="on request")
    assert ex.children[-1] is ex.scenarios_button and not hasattr(ex, "save_button")
    ex.scenarios_button.click()
    box = ex.children[-1]
    assert box is not ex.scenarios_button and "dpmkit-scenarios" in box._dom_classes
    assert ex.save_button in box.children[1].children
    ex.controls["staff_target"].value = 26
    ex.scenario_name.value = "more staff"
    ex.save_button.click()
    assert ex.scenarios == {"more staff": {"staff_target": 26.0}} and ex.saved.options == ("more staff",)
    ex.scenarios_button.click()  # pressed again (a second click in flight): the same box, once
    assert ex.children[-1] is box and len(ex.children) == 3


def test_scenario_box_on_request_saved_from_code_shows_the_box(demo):
    ex = dk.widgets.explore(demo, show=["staff_target"], scenario_box="on request")
    ex.save_scenario("as is")
    assert ex.children[-1] is ex._scenario_box and ex.saved.options == ("as is",)
    with pytest.raises(dk.ModelError, match="scenario_box"):
        dk.widgets.explore(demo, scenario_box="later")
