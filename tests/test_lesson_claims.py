"""What a lesson's prose says about the kit's own numbers is what the kit gives (issue 14's
"small inconsistencies"): the counts notebook 05 says its frontier is out of, the jump
notebook 04's answer describes, and the minutes a lesson's text gives against the measured
minutes in its header (tools/lesson_timing.py)."""

import json
import re
from pathlib import Path

import pytest

import dpmkit as dk

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "notebooks" / "solutions"


def _cells(name):
    return json.loads((SOLUTIONS / name).read_text(encoding="utf-8"))["cells"]


def _cell(name, cell_id):
    return next(c for c in _cells(name) if c.get("id") == cell_id)


def _text(cell):
    return "".join(cell["source"])


def test_notebook_05_says_how_many_splits_its_frontier_counts():
    said = re.search(r"tries (\d+) sampled splits, plus the current split as one more \(so the counts below are "
                     r"out of (\d+)\)", _text(_cell("05_three_objectives.ipynb", "frontier")))
    assert said, "notebook 05 no longer says what its counts are out of"
    code = _text(_cell("05_three_objectives.ipynb", "frontier-counts"))
    assert f"n={said[1]}" in code
    model = dk.models.load("three_objectives")
    front = dk.frontier(model, {"outcomes": "max", "governance": "max"},
                        levers=["effort_quality", "effort_outcomes", "effort_governance"], at=[2, 20],
                        n=int(said[1]), seed=1, params=model.scenario("clustering"))
    for year in (2, 20):
        assert (front.points["at"] == year).sum() == int(said[2])
    # the exercise's answer and its check count out of the same number
    for cell_id in ("exercise-1", "solution-1-text", "exercise-1-check-1"):
        assert re.search(rf"\b{said[2]}\b", _text(_cell("05_three_objectives.ipynb", cell_id))), cell_id
        assert not re.search(r"\bof (the )?300\b", _text(_cell("05_three_objectives.ipynb", cell_id))), cell_id


def test_notebook_04s_answer_says_the_jump_where_the_printed_values_show_it():
    answer = _text(_cell("04_surrey_case.ipynb", "solution-3-text"))
    said = re.search(r"`funding_shortfall` \(performance driver\) jumps from ([\d.]+) to ([\d.]+) in April 2015",
                     answer)
    assert said
    before, after = float(said[1]), float(said[2])
    printed = [float(t) for _, t in re.findall(r"April (\d{4}): \{base\.at\((\1\.25)",
                                            _text(_cell("04_surrey_case.ipynb", "solution-3")))]
    assert printed == [2014.25, 2015.25, 2017.25]
    assert "0 in April 2014, before the cut, and 0.15 in April 2015 and April 2017" in answer
    base = dk.simulate(dk.models.load("surrey"))
    # the first printed value is before the jump and the other two after it, as the answer says
    assert [round(base.at(t, "funding_shortfall"), 2) for t in printed] == [before, after, after]
    assert "base.at(2015.0, \"funding_shortfall\")" in answer
    assert base.at(2015.0, "funding_shortfall") == pytest.approx(before)
    assert dk.words.time_label(2015.25, "year") == "April 2015"


_MINUTES = re.compile(r"(\d+) minutes of teaching and (\d+)(?: minutes)? of exercises(?:, (\d+) on the no-code track)?")


def test_minutes_a_lesson_states_are_the_measured_minutes():
    stated = 0
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        meta = nb["metadata"]["dpmkit"]
        for cell in nb["cells"]:
            text = _text(cell) + " " + json.dumps(cell.get("metadata", {}), ensure_ascii=False)
            for m in _MINUTES.finditer(text):
                stated += 1
                assert (int(m[1]), int(m[2])) == (meta["teaching_minutes"], meta["exercise_minutes"]), (path.name, m[0])
                if m[3]:
                    assert int(m[3]) == meta["exercise_minutes_no_code"], (path.name, m[0])
    assert stated >= 1  # notebook 10's facilitator note


def test_the_minutes_pattern_reads_both_ways_lessons_write_them():
    assert _MINUTES.search("about 40 minutes of teaching and 30 of exercises").groups() == ("40", "30", None)
    assert _MINUTES.search("35 minutes of teaching and 40 minutes of exercises, 25 on the no-code track"
                           ).groups() == ("35", "40", "25")


def test_notebook_10s_reading_of_the_clustering_verdicts_is_what_the_run_printed():
    """The verdict before and after calibration narrowed the ranges (issue 14, item 5): the prose
    gives the correlations and the runs each needed; the printed verdicts are recorded references
    (nbval fails the notebook if they move), and the prose must say what they say."""
    recorded = json.loads((ROOT / "notebooks" / "checked_outputs.json").read_text(encoding="utf-8"))
    printed = "".join(o["text"] for o in recorded["10_build_your_own"]["clustering"])
    verdicts = dict(re.findall(r"^(before|after) calibration [^:]*: (holds, r = [\d.]+ .*? [\d,]+ runs)$",
                               printed, flags=re.M))
    assert set(verdicts) == {"before", "after"}, printed

    def parts(line):
        m = re.fullmatch(r"holds, r = ([\d.]+) \(([\d.]+) to ([\d.]+)\), ([\d,]+) runs", line)
        return float(m[1]), m[4]

    (r_before, runs_before), (r_after, runs_after) = parts(verdicts["before"]), parts(verdicts["after"])
    prose = re.sub(r"\s+", " ", _text(_cell("10_build_your_own.ipynb", "clustering-read")))
    assert "Clustering **holds** both times" in prose
    said_before = re.search(r"the correlation is moderate \(about ([\d.]+)\), and the test needs ([\d,]+) runs", prose)
    said_after = re.search(r"the correlation is about ([\d.]+) with ([\d,]+) runs", prose)
    assert said_before and said_after, prose
    assert float(said_before[1]) == round(r_before, 1) and said_before[2] == runs_before
    assert float(said_after[1]) == r_after and said_after[2] == runs_after
    # the narrowed ranges decide sooner and correlate more: the point the lesson makes
    assert r_after > r_before and int(runs_after.replace(",", "")) < int(runs_before.replace(",", ""))


def test_the_lessons_give_the_same_base_run_for_the_end_of_march_2014():
    """The issue found 426 in notebook 00 and 432 in notebook 09 for the same moment of the same
    run; the lessons now quote the base run's value at 2014.25 (notebook 00 rounds it to 10)."""
    base = dk.simulate(dk.models.load("surrey")).at(2014.25, "neet")
    said_09 = re.search(r"At the end of March 2014, .*? compared with the model's (\d+) with it",
                        re.sub(r"\s+", " ", _text(_cell("09_learning_partnerships_and_cocreation.ipynb",
                                                        "predict-coproduction"))))
    said_00 = re.search(r"run as it happened, gives about (\d+) young people NEET at the end of March 2014",
                        _text(_cell("00_start_here.ipynb", "predict")))
    assert said_09 and said_00
    assert int(said_09[1]) == round(base)
    assert int(said_00[1]) == round(base, -1)


def test_notebook_09s_refits_read_in_words_and_say_when_the_data_cannot_pin_a_value_down():
    """Lesson 09 showed ``story.params.round(2)``: ``-0.00`` for co-production effort in April
    2011 and an interval of ±230.71 (±68 here) printed bare. The lesson shows the refits in words,
    and its prose says what the table says."""
    import numpy as np
    import pandas as pd

    name = "09_learning_partnerships_and_cocreation.ipynb"
    code = _text(_cell(name, "recalibrate"))
    assert code.rstrip().endswith("story.in_words()") and ".round(" not in code
    surrey = dk.models.load("surrey")
    # the lesson's own made-up world and counts (cell synthetic-data)
    setup = _text(_cell(name, "synthetic-data"))
    assert "np.random.default_rng(2017)" in setup and '"coproduction_effort": 0.5, "neet_spell": 0.65' in setup
    made_up_world = dk.simulate(surrey, {"coproduction_effort": 0.5, "neet_spell": 0.65})
    aprils = np.arange(2009.25, 2018, 1.0)
    counting_error = 1 + 0.03 * np.random.default_rng(2017).standard_normal(len(aprils))
    counts = np.array([made_up_world.at(t, "neet") for t in aprils]) * counting_error
    yearly = pd.DataFrame({"neet": counts.round().astype(int)}, index=pd.Index(aprils, name="time"))
    story = dk.recalibrate(surrey, yearly, params=["coproduction_effort", "neet_spell"], every=1, starts=1)
    table = story.in_words()
    effort, spell = surrey["coproduction_effort"].label, surrey["neet_spell"].label
    assert list(table.index) == [f"April {y}" for y in range(2011, 2018)]
    for year in ("April 2011", "April 2012"):
        assert table.loc[year, effort].endswith(": the data cannot pin it down yet (anything from 0 to 1 fits them)")
    assert table.loc["April 2011", effort].startswith("0:")
    assert not any(re.search(r"-0\b|-0\.0|±", cell) for cell in table.to_numpy().ravel())
    assert table.loc["April 2013", effort].startswith("0.75 (") and table.loc["April 2013", effort].endswith(
        "to 1, the top of its range)")
    assert table.loc["April 2015", effort] == "0.53 (0.21 to 0.85)"
    assert table.loc["April 2011", spell] == "0.66 (0.40 to 0.92)"
    prose = re.sub(r"\s+", " ", _text(_cell(name, "recalibration-read")))
    assert ("for April 2011 and 2012 the table says the data cannot pin it down yet (anything from 0 to 1 fits "
            "them)") in prose
    assert "0.75, then 0.62, and 0.53 by 2015" in prose


def test_no_lesson_prints_a_fraction_of_a_week_or_a_month():
    """Lesson 02 printed the week its waiting list was lowest as "(week 48.75)", a quarter-week step
    of the run, and lesson 04 its verdicts "in 2010.25" and its inspection numbers for "2019.5". The
    kit's checked outputs of every lesson say such a moment to the nearest whole week or month
    ("about week 49") or name the month ("April 2010", "July 2019"), as a reader would."""
    recorded = json.loads((ROOT / "notebooks" / "checked_outputs.json").read_text(encoding="utf-8"))
    printed = [(lesson, cell, out.get("text") or out.get("data", {}).get("text/plain", ""))
               for lesson, cells in recorded.items() for cell, outs in cells.items() for out in outs]
    assert any("about week 49" in text for lesson, _, text in printed if lesson.startswith("02_"))
    for lesson, cell, text in printed:
        assert not re.search(r"\b(?:week|month|day)s? \d+\.\d", text, re.IGNORECASE), (lesson, cell, text)
        assert not re.search(r"\b(?:19|20)\d\d\.\d", text), (lesson, cell, text)


def test_lesson_08s_parameter_table_shows_each_numbers_status_beside_it():
    """Lesson 08 says that apart from the number of localities and the largest gaming gap all the
    attractor model's numbers are teaching assumptions; its parameter table showed only registry
    keys ('attractor_model_ranges', 'gaming_ae_gap'), not their status. The table shows the status."""
    code = _text(_cell("08_human_learning_systems.ipynb", "model"))
    assert '"source", "status"]' in code
    table = dk.models.load("attractor").parameter_table()
    shown = ["attractor_weight", "learning_partnership", "imposed_targets", "diffusion_rate", "max_gaming_gap"]
    assert [table.loc[n, "status"] for n in shown] == ["assumption"] * 4 + ["derived"]
    assert table.loc["diffusion_rate", "source"] == dk.evidence.get("attractor_model_ranges").citation
    prose = re.sub(r"\s+", " ", _text(_cell("08_human_learning_systems.ipynb", "model-intro")))
    assert "Apart from the number of localities and the largest gaming gap, all its numbers are teaching" in prose


def test_lesson_08s_first_exercise_names_the_sliders_a_no_code_learner_moves():
    """Lesson 08's exercise 1 says "use the sliders" but named only `attractor_weight` and
    `learning_partnership`, words the explorer's sliders never show. It names each slider by the
    label the explorer shows, and its check asks in the same words."""
    model = dk.models.load("attractor")
    text = re.sub(r"\s+", " ", _text(_cell("08_human_learning_systems.ipynb", "exercise-weight")))
    for name in ("learning_partnership", "attractor_weight"):
        assert f"`{name}`" in text and f"the slider *{model[name].label}*" in text, name
    check = _text(_cell("08_human_learning_systems.ipynb", "exercise-weight-check-1"))
    assert model["attractor_weight"].label.lower() in check.lower()


def test_lessons_print_scenarios_in_the_words_their_charts_use():
    """Lessons 01, 04, 06, 08 and 09 printed tables that named scenarios as code
    (``attractor_and_partnership``, ``as_it_happened``, ``all_on``, ``imposed_planned``) while their
    charts' legends said "Attractor and partnership". What those lessons print (their checked
    outputs) names each scenario as the legend does (``dk.words.scenario``), and no longer as code;
    lesson 06's table heads its columns with the variables' labels too."""
    recorded = json.loads((ROOT / "notebooks" / "checked_outputs.json").read_text(encoding="utf-8"))
    cells = {"01_wicked_issues": ("table", "wicked"), "04_surrey_case": ("compare-numbers", "surrey"),
             "08_human_learning_systems": ("run-attractor", "attractor"),
             "09_learning_partnerships_and_cocreation": ("run-coproduction", "surrey")}
    for lesson, (cell, model_name) in cells.items():
        text = "".join(out.get("text") or out.get("data", {}).get("text/plain", "")
                       for out in recorded[lesson][cell])
        coded = [n for n in dk.models.load(model_name).scenario_names if "_" in n]
        shown = [n for n in coded if re.search(rf"^{re.escape(dk.words.scenario(n))}  ", text, re.MULTILINE)]
        assert shown, (lesson, text)
        assert not [n for n in coded if re.search(rf"\b{n}\b", text)], (lesson, text)
    regimes = "".join(out["text"] for out in recorded["06_imposed_negotiated_planned_emergent"]["cells-numbers"])
    assert "True performance" in regimes and "true_performance" not in regimes
    legend = dk.charts.scenarios(dk.compare(dk.models.load("attractor"), ["attractor_and_partnership"],
                                            names=["outcome_mean"]))
    assert "Attractor and partnership" in json.dumps(legend.to_dict())


def test_lesson_00s_lever_table_shows_each_numbers_status_and_says_how_many_are_assumptions():
    """Lesson 00's table of the Surrey levers showed registry keys but not their status, so a
    newcomer could not tell from the first lesson which numbers are evidence and which are
    teaching assumptions. The table shows the status (the column ``Model.parameter_table()``
    gives), the text says what each status means, and the counts it gives are the model's."""
    code = _text(_cell("00_start_here.ipynb", "load"))
    assert '"source", "status"]' in code
    prose = re.sub(r"\s+", " ", _text(_cell("00_start_here.ipynb", "levers")))
    for status in ("*published*", "*derived*", "*assumption*"):
        assert status in prose
    table = dk.models.load("surrey").parameter_table()
    levers = re.search(r"levers = (\[.*?\])", code)[1]
    assert set(table.loc[json.loads(levers), "status"]) == {"published"}
    said = re.search(r"of its (\d+) parameters, (\d+) are published, (\d+) derived and (\d+) teaching assumptions",
                     _text(_cell("00_start_here.ipynb", "levers-status")))
    counts = table["status"].value_counts()
    assert said and [int(n) for n in said.groups()] == [len(table), counts["published"], counts["derived"],
                                                        counts["assumption"]]


def _learner_cell(lesson, predicate):
    nb = json.loads((ROOT / "notebooks" / lesson).read_text(encoding="utf-8"))
    return next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code" and predicate(c))


def test_no_code_tracks_ready_cells_print_months_and_roles_in_words(tmp_path):
    """Walking the lessons as a no-code learner in JupyterLab: the ready-made cell of lesson 04's
    exercise 3 printed ``funding_shortfall  performance_driver  2014.25: 0.00``, and lesson 05's
    exercise 3 printed its verdicts under ``2012.25`` and ``2019.5``. Run in a real kernel as the
    learner runs them, they print months ("April 2015") and roles in words ("performance driver")."""
    from kernel_session import kernel

    def ready(lesson, word):
        return _learner_cell(lesson, lambda c: "nocode" in c["metadata"].get("tags", [])
                             and word in "".join(c["source"]))

    def printed(messages):
        return "".join(m["content"].get("text", "") for m in messages if m["header"]["msg_type"] == "stream")

    with kernel(tmp_path) as k:
        k.run("import dpmkit as dk\nmodel = dk.models.load('surrey')\nbase = dk.simulate(model)")
        dashboard = printed(k.run(ready("04_surrey_case.ipynb", "watch = [")))
        verdicts = printed(k.run(ready("05_three_objectives.ipynb", "surrey_families")))
    rows = dashboard.splitlines()
    assert rows[0].split() == ["Funding", "shortfall", "performance", "driver", "April", "2014:", "0.00", "April",
                               "2015:", "0.15", "April", "2017:", "0.15"]
    assert re.search(r"^Reoffending +no role", dashboard, re.MULTILINE) and "strategic resource" in dashboard
    assert [line.split(":")[0] for line in verdicts.splitlines()[:3]] == ["April 2012", "April 2014", "July 2019"]
    for text in (dashboard, verdicts):
        assert not re.search(r"\b(?:19|20)\d\d\.\d", text), text
        assert not re.search(r"\b(?:performance_driver|strategic_resource|end_result)\b", text), text
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", dashboard), dashboard  # variables by label, not by name


#: Cells whose printout is code on purpose, with the reason: what they print is what the code track
#: types or reads (an equation, a calibration summary of names it passed, a file's path).
_PRINTS_CODE = {
    ("03_dynamic_performance_management", "solution-1"): "prints an equation, to read which resource it uses",
    ("04_surrey_case", "solution-1"): "the calibration summary names the parameters the learner passed to it",
    ("05_three_objectives", "solution-3"): "prints the two indicators' equations, to find the stock they share",
    ("10_build_your_own", "name-error"): "shows the error a mistyped column name gives",
    ("10_build_your_own", "calibrate"): "the calibration summary of the learner's own model, by its names",
    ("10_build_your_own", "calibrate-check"): "the same estimates, by the names the learner gave them",
    ("10_build_your_own", "export"): "the path of the saved file",
    ("10_build_your_own", "solution-own"): "the units check's list of problems, for the code track",
}


def test_a_no_code_learner_reads_no_code_names_or_decimal_years(tmp_path):
    """Walking the lessons as a no-code learner (the twelfth increment): lesson 03 printed
    ``strategic_resource (9)`` and "overtakes in year never", lesson 06 ``impose_then_negotiate``
    and ``initial_complacency``, lesson 07 ``reported_performance`` and ``learning_regime 0``,
    lesson 05 ``trade_off``, lesson 10 ``strategic_resource / policy_lever``, lesson 01
    "(year 8.0)" and lesson 04 ``2009.25``. Run as the learner runs them (the learner version,
    every cell but the code track's starters, in a real kernel), what these lessons print names
    variables, roles and scenarios in words and says times as a reader does ("year 8",
    "April 2009"), apart from the few cells that print code on purpose (``_PRINTS_CODE``)."""
    import os
    import shutil

    import nbclient
    import nbformat

    work = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", work, ignore=shutil.ignore_patterns("solutions", ".ipynb_checkpoints"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DPMKIT_CACHE_DIR": str(tmp_path / "cache")}
    printed = {}
    for lesson in ("01_wicked_issues", "03_dynamic_performance_management", "04_surrey_case",
                   "05_three_objectives", "06_imposed_negotiated_planned_emergent", "07_targets_gaming_learning",
                   "10_build_your_own"):
        nb = nbformat.read(work / f"{lesson}.ipynb", as_version=4)
        nb.cells = [c for c in nb.cells if "nbval-skip" not in c.get("metadata", {}).get("tags", [])]
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(work)}}).execute(env=env)
        for cell in nb.cells:
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            # a solution's ready-made copy for the no-code track (``solution-1-ready``) prints what it does
            solution = cell.get("id").removesuffix("-ready")
            if cell.cell_type == "code" and text and (lesson, solution) not in _PRINTS_CODE:
                printed[(lesson, cell.get("id"))] = text
    everything = "\n".join(printed.values())
    # not vacuous: the lines that printed code now print words
    for words in ("Strategic resource (9)", "never overtakes", "Impose then negotiate beats negotiate from start",
                  "Reported performance ", "Learning regime 0 ", "trade-off  year", "(year 8)", "April 2009: published",
                  "Roles kept: strategic resource / policy lever", "July 2019: negotiated-emergent"):
        assert words in everything, words
    for (lesson, cell), text in printed.items():
        assert not re.search(r"\b[a-z]+_[a-z0-9_]*[a-z0-9]\b", text), (lesson, cell, text)
        assert not re.search(r"\b(?:19|20)\d\d\.\d|\b(?:year|month|week)s? \d+\.\d", text, re.IGNORECASE), \
            (lesson, cell, text)
        assert "year never" not in text, (lesson, cell, text)
