"""The lesson notebooks keep one skeleton, and learner versions are generated from the
single source with solutions (tools/notebooks.py)."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("nbtools", ROOT / "tools" / "notebooks.py")
nbtools = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbtools)

SOURCES = nbtools.lessons()


def test_there_are_lessons():
    assert SOURCES, "no lesson sources in notebooks/solutions/"
    assert SOURCES[0].name == "00_start_here.ipynb"


def test_generated_notebooks_and_facilitator_views_are_current():
    stale = [str(p.relative_to(ROOT)) for p in nbtools.stale()]
    assert not stale, f"regenerate with `python tools/notebooks.py build`: {stale}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_lesson_skeleton(source):
    assert nbtools.structure_problems(nbtools.load(source), source.name) == []


def test_every_lesson_notebook_has_a_source():
    learner = {p.name for p in nbtools.lessons(nbtools.LEARNER)}
    assert learner == {p.name for p in SOURCES}


def _nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_learner_version_hides_solutions_but_keeps_the_question():
    solution = {"cell_type": "code", "metadata": {"tags": ["solution"], "dpmkit": {"facilitator": "psst"}},
                "source": ["# Find the smallest number of posts.\n", "answer = 17  # blank: 17\n", "print(answer)"],
                "outputs": [], "execution_count": None}
    written = {"cell_type": "markdown", "metadata": {"tags": ["solution"]}, "source": ["Because of the loop."]}
    other = {"cell_type": "markdown", "metadata": {"dpmkit": {"facilitator": "note"}}, "source": ["Text"]}
    out = nbtools.learner_version(_nb(solution, written, other))
    code, text, kept = out["cells"]
    assert "answer = 17" not in "".join(code["source"])
    assert "\n# Find the smallest number of posts.\nanswer = ___\n" in "".join(code["source"])
    assert "___" in "".join(code["source"]) and "..." not in "".join(code["source"])
    assert "Because" not in "".join(text["source"])
    assert "answer" in code["metadata"]["tags"] and "solution" not in code["metadata"]["tags"]
    assert "dpmkit" not in kept["metadata"]  # facilitator notes stay in the source only


def test_structure_check_catches_a_broken_lesson():
    nb = nbtools.with_header(nbtools.load(SOURCES[0]))
    nb["metadata"]["dpmkit"]["objectives"] = ["Understanding things"]
    nb["cells"] = [c for c in nb["cells"] if "predict" not in c["metadata"].get("tags", [])]
    problems = nbtools.structure_problems(nb, "x.ipynb")
    assert any("1 learning objectives" in p for p in problems)
    assert any("start with a verb" in p for p in problems)
    assert any("predict" in p for p in problems)


def test_every_checked_cell_has_a_recorded_reference():
    assert nbtools.checked_problems() == []
    assert sum(len(cells) for cells in nbtools.load_checked().values()) >= len(SOURCES)


def test_checked_outputs_name_a_whole_week_month_or_year_without_a_trailing_point_zero():
    """Lesson 02's bath-run printed 'longest in week 30.0' and its delay-run '(week 59.0)': a learner
    reads week 30. The recorded outputs (what a learner's run prints) say it as the kit does."""
    import re

    said = json.dumps(nbtools.load_checked())
    assert not re.findall(r"\b(?:week|month|year|day) \d+\.0\b", said)
    bath = "".join(o["text"] for o in nbtools.load_checked()["02_stocks_flows_feedback"]["bath-run"])
    assert bath.endswith("longest in week 30\n")
    delay = "".join(o["text"] for o in nbtools.load_checked()["02_stocks_flows_feedback"]["delay-run"])
    assert "longest 180 (week 30), lowest after the surge  67 (week 59)" in delay


def _run_checked(tmp_path, refs):
    """Run lesson 00 under nbval with the given reference outputs; return the exit code."""
    import shutil
    import subprocess
    import sys

    (tmp_path / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    shutil.copy(ROOT / "notebooks" / "00_start_here.ipynb", tmp_path / "notebooks" / "00_start_here.ipynb")
    (tmp_path / "notebooks" / "checked_outputs.json").write_text(json.dumps(refs))
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval-lax", "--nbval-current-env",
                           "notebooks/00_start_here.ipynb"], cwd=tmp_path, capture_output=True, text=True)
    return done.returncode, done.stdout


def test_a_changed_key_number_fails_the_notebook_run(tmp_path):
    refs = {"00_start_here": nbtools.load_checked()["00_start_here"]}
    code, out = _run_checked(tmp_path / "same", refs)
    assert code == 0, out
    changed = json.loads(json.dumps(refs))
    for outputs in changed["00_start_here"].values():
        for o in outputs:
            o["text"] = o["text"].replace("4", "5")  # every recorded number with a 4 in it changes
    assert changed != refs
    code, out = _run_checked(tmp_path / "changed", changed)
    assert code == 1 and "Cell outputs differ" in out, out


LEARNER_NOTEBOOKS = [nbtools.LEARNER / p.name for p in SOURCES]


@pytest.mark.parametrize("notebook", LEARNER_NOTEBOOKS, ids=lambda p: p.name)
def test_no_answer_cell_is_a_bare_ellipsis(notebook):
    nb = nbtools.load(notebook)
    assert nbtools.bare_answers(nb) == [], f"{notebook.name}: cells that are only '...'"
    for cell in nb["cells"]:
        if "answer" in nbtools._tags(cell) and cell["cell_type"] == "code":
            code = "".join(cell["source"])
            compile(code, notebook.name, "exec")  # the starter is Python, blanks and all
            assert nbtools.BLANK in code and "nbval-skip" in nbtools._tags(cell)


@pytest.mark.parametrize("notebook", LEARNER_NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_has_a_no_code_path_and_a_check(notebook):
    cells = nbtools.load(notebook)["cells"]
    found = nbtools.exercises(cells)
    assert found, notebook.name
    for index, scope in found:
        tags = [nbtools._tags(c) for c in scope]
        checks = [c for c in scope if "check" in nbtools._tags(c)]
        assert checks, f"{notebook.name}: exercise in cell {index} has no check"
        for c in checks:
            assert "dk.widgets.check(" in "".join(c["source"]) and c["metadata"]["jupyter"]["source_hidden"]
            # folded, JupyterLab still shows the first line: it must not give the answer away
            assert c["source"][0].startswith("# Check your answer: run this cell.")
        coded = any("answer" in t for t, c in zip(tags, scope) if c["cell_type"] == "code")
        if coded:  # a code answer: the no-code track runs a ready-made cell instead
            assert any("nocode" in t for t in tags), f"{notebook.name}: exercise in cell {index} has no no-code path"
        assert any("tracks" in t for t in tags), f"{notebook.name}: exercise in cell {index} says not how to answer"


@pytest.mark.parametrize("notebook", LEARNER_NOTEBOOKS, ids=lambda p: p.name)
def test_what_a_correct_answer_looks_like_is_read_after_the_work(notebook):
    # The walk-through: "What a correct answer looks like" stated the checks' numbers before the
    # exercise was done. The learner version folds that paragraph, closed until opened.
    cells = nbtools.load(notebook)["cells"]
    for index, _ in nbtools.exercises(cells):
        text = "".join(cells[index]["source"])
        assert nbtools.ANSWER_LOOKS not in text and text.count(nbtools.ANSWER_FOLD) == 1
        shown, folded = text.split(nbtools.ANSWER_FOLD)
        assert "<details open" not in text and "\n\n" + nbtools.ANSWER_FOLD in "\n\n" + text
        assert folded.endswith("\n\n</details>") and folded.removesuffix("</details>").strip()
    if notebook.name.startswith("00_"):  # the case found: 1,320 and 587 are what its checks ask for
        text = "".join(cells[nbtools.exercises(cells)[0][0]]["source"])
        shown, folded = text.split(nbtools.ANSWER_FOLD)
        assert "above 1,300" in folded and "about 600" in folded
        assert "1,300" not in shown and "600" not in shown


@pytest.mark.parametrize("notebook", LEARNER_NOTEBOOKS, ids=lambda p: p.name)
def test_every_starter_is_recognised_with_the_lines_of_its_blanks(notebook):
    from dpmkit import _blanks

    for cell in nbtools.load(notebook)["cells"]:
        if "answer" in nbtools._tags(cell) and cell["cell_type"] == "code":
            code = "".join(cell["source"])
            assert code.startswith(_blanks.STARTER) and nbtools.STARTER_NOTE.startswith(_blanks.STARTER)
            expected = [n for n, line in enumerate(code.split("\n"), 1) if nbtools.BLANK in line.split("#")[0]]
            assert _blanks.blank_lines(code) == expected, f"{notebook.name}: {cell['id']}"


def test_a_starter_run_with_its_blanks_says_so_and_run_all_goes_on(tmp_path):
    """Lesson 00 run cell by cell, as a no-code learner does it (Shift+Enter on each, or
    Run All): its starter cell ran into IPython's ``___`` (the third-last output) and showed
    ``TypeError: unhashable type: 'DataFrame'``, and Run All stopped there."""
    from kernel_session import kernel

    cells = nbtools.load(nbtools.LEARNER / "00_start_here.ipynb")["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    starter = next(i for i, c in enumerate(code) if "answer" in nbtools._tags(c))
    env = {"PYTHONPATH": str(ROOT)}
    with kernel(tmp_path, cwd=nbtools.LEARNER, **env) as k:
        for cell in code[:starter]:
            k.run("".join(cell["source"]))
        messages = k.run("".join(code[starter]["source"]))  # fails the test on a traceback
        printed = "".join(m["content"].get("text", "") for m in messages if m["header"]["msg_type"] == "stream")
        assert printed.startswith("Not run: this code-track starter cell still has blanks (___) on lines 9, 10 and 11.")
        assert "No-code track: nothing to do here; run the ready-made cell below it." in printed
        # the ready-made cell right below runs and prints the exercise's numbers
        messages = k.run("".join(code[starter + 1]["source"]))
        printed = "".join(m["content"].get("text", "") for m in messages if m["header"]["msg_type"] == "stream")
        assert "1 year(s): highest 1320" in printed
        # the starter filled in by a code-track learner runs as written
        filled = ("".join(code[starter]["source"]).replace("in ___", "in [1, 5]", 1)
                  .replace("{___:", '{"decommissioning_years":', 1).replace(".___()", ".max()", 1))
        messages = k.run(filled)
        printed = "".join(m["content"].get("text", "") for m in messages if m["header"]["msg_type"] == "stream")
        assert "5 year(s): highest 1120" in printed and "Not run" not in printed
        # one blank left: named by its line
        messages = k.run(filled.replace(".max()", ".___()"))
        printed = "".join(m["content"].get("text", "") for m in messages if m["header"]["msg_type"] == "stream")
        assert printed.startswith("Not run: this code-track starter cell still has blanks (___) on line 11.")



@pytest.mark.parametrize("notebook", LEARNER_NOTEBOOKS, ids=lambda p: p.name)
def test_a_coded_exercise_checked_in_words_says_what_the_no_code_track_writes_about(notebook):
    """'Extend the template with one thing your service has' cannot be done without code, and
    its check asks for a written answer, not a number the ready-made cell prints: the
    exercise has to say what a learner on the no-code track does instead (lesson 10's
    exercise 4 and lesson 06's 'your own journey' did not)."""
    cells = nbtools.load(notebook)["cells"]
    for index, scope in nbtools.exercises(cells):
        coded = any("answer" in nbtools._tags(c) and c["cell_type"] == "code" for c in scope)
        checks = ["".join(c["source"]) for c in scope if "check" in nbtools._tags(c)]
        if coded and checks and all("points=" in c for c in checks):
            assert "no-code track" in "".join(cells[index]["source"]), f"{notebook.name}: exercise in cell {index}"


@pytest.mark.parametrize("notebook", LEARNER_NOTEBOOKS, ids=lambda p: p.name)
def test_a_written_exercise_that_asks_to_run_code_gives_the_no_code_track_a_ready_made_cell(notebook):
    """Lesson 09's exercise 1 ('run `dk.evidence.table([...])` ... `surrey.describe()` lists the
    model's variables') and lesson 08's exercise 3 ('read the model card
    (`print(dk.models.card("attractor"))`)') are answered in writing, so they had no ready-made
    cell: a learner on the no-code track had to type code to see what to write about."""
    cells = nbtools.load(notebook)["cells"]
    for index, scope in nbtools.exercises(cells):
        coded = any("answer" in nbtools._tags(c) and c["cell_type"] == "code" for c in scope)
        if coded or not nbtools._CODE_TO_RUN.search("".join(cells[index]["source"])):
            continue
        where = f"{notebook.name}: exercise in cell {index}"
        tags = [nbtools._tags(c) for c in scope]
        ready = [k for k, t in enumerate(tags) if "nocode" in t]
        answer = next(k for k, t in enumerate(tags) if "answer" in t)
        assert ready and ready[0] < answer, f"{where} has no ready-made cell before the answer"
        assert "".join(scope[0]["source"]) == nbtools.READ_WRITE_NOTE, f"{where} does not say to run it"
        assert scope[ready[0]]["metadata"]["jupyter"]["source_hidden"]


def test_the_ready_made_cells_of_written_exercises_show_what_the_exercise_asks_about(capsys):
    import dpmkit as dk

    def ready_cell(name, word):
        cells = nbtools.load(nbtools.LEARNER / name)["cells"]
        return next("".join(c["source"]) for c in cells if "nocode" in nbtools._tags(c)
                    and word in "".join(c["source"]))

    surrey = dk.models.load("surrey")
    code = ready_cell("09_learning_partnerships_and_cocreation.ipynb", "surrey_coproduction_channels")
    namespace = {"dk": dk, "surrey": surrey}
    *body, last = code.rstrip().split("\n")
    exec(compile("\n".join(body), "lesson 09, exercise 1", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    channels = [line for line in printed if line.startswith("- ")]
    assert len(channels) == 5 and channels[0].startswith("- consultation with about 8,000 young people")
    assert channels[-1] == "- local committees with youth-agreed budgets."
    table = eval(compile(last, "lesson 09, exercise 1", "eval"), namespace)  # the table the cell shows
    assert {"coproduction_hours", "needs_insight", "targeted_contracts", "restorative_diversion",
            "youth_voice"} <= set(table.index)
    assert len(table) <= 60  # pandas shows every row, none cut to '...'

    code = ready_cell("08_human_learning_systems.ipynb", "card")
    card = eval(compile(code.rstrip().split("\n")[-1], "lesson 08, exercise 3", "eval"), {"dk": dk})
    assert card == dk.models.card("attractor") and "Reference behaviour" in card._repr_markdown_()


def test_lesson_04s_ready_made_dashboard_shows_which_variable_warns_first(capsys):
    """Lesson 04's exercise 3 checks 'Which of these gives the earliest warning?' with the answer
    funding_shortfall ('it rises the moment the cut takes effect'), but its no-code cell printed
    April 2015 and April 2017 only, where funding_shortfall reads 0.15 both times while capability
    falls from 0.83 to 0.60: the printout pointed to the wrong answer. It now shows April 2014,
    before the cut, too."""
    import dpmkit as dk

    cells = nbtools.load(nbtools.LEARNER / "04_surrey_case.ipynb")["cells"]
    ready = next(c for c in cells if "nocode" in nbtools._tags(c) and "funding_shortfall" in "".join(c["source"]))
    model = dk.models.load("surrey")
    exec(compile("".join(ready["source"]), "lesson 04, exercise 3", "exec"),
         {"dk": dk, "model": model, "base": dk.simulate(model)})
    rows = {}
    for line in capsys.readouterr().out.splitlines():
        label = re.match(r"(.+?) {2,}", line)[1]  # each variable by its label, then its role, then the months
        rest = line[len(label):].split()
        rows[label] = {rest[k].rstrip(":"): float(rest[k + 1]) for k in range(len(rest) - 1) if rest[k].endswith(":")}
    moved = {name: abs(row["2015"] - row["2014"]) for name, row in rows.items()}  # April of each year
    # among the check's choices that the cell prints, the answer is the one that moved by April 2015
    assert (moved["Funding shortfall"] > 0.1 and moved["Youth offending service capability"] < 0.02
            and moved["Reoffending"] < 0.02)
    assert rows["Funding shortfall"]["2014"] == 0
    check = next(c for c in cells if "Which of these gives the earliest warning?" in "".join(c["source"]))
    assert '"Funding shortfall",' in "".join(check["source"])  # the check's answer in the words printed


def test_lesson_04s_one_year_indicators_read_as_labels_and_plain_numbers():
    """Lesson 04's table of what the one-year evaluator could have looked at showed
    'neet 1057.41 1117.05': young people to two decimals, under the variables' code names."""
    import pandas as pd

    import dpmkit as dk
    from dpmkit.models import surrey

    cells = nbtools.load(nbtools.LEARNER / "04_surrey_case.ipynb")["cells"]
    code = next("".join(c["source"]) for c in cells if c.get("id") == "indicators")
    model = dk.models.load("surrey")
    namespace = {"dk": dk, "pd": pd, "surrey": surrey, "model": model, "base": dk.simulate(model)}
    head = code[: code.index("pd.DataFrame(")]  # the rest is the cell's last expression, the table shown
    exec(compile(head, "lesson 04, indicators", "exec"), namespace)
    table = eval(compile(code[len(head):], "lesson 04, indicators", "eval"), namespace)
    rows = dict(table.iterrows())
    assert table.index.name == "indicator"  # no row numbers 0 to 4 beside the labels
    neet = rows["Young people NEET"]
    assert (neet["April 2009"], neet["April 2010"], neet["judgement"]) == ("1,057", "1,117", "worse")
    assert rows["First-time entrants (2006/07 = 100)"]["April 2010"] == "52.3"
    assert not any(name in table.to_string() for name in ("fte_index", "1057.41"))


def test_lesson_05s_ready_made_clustering_table_says_inconclusive_in_words(capsys):
    """The no-code table of lesson 05's exercise 2 printed 'holds None' where the check asks
    whether the test says holds, inconclusive or does not hold: None is Python's word."""
    import dpmkit as dk

    cells = nbtools.load(nbtools.LEARNER / "05_three_objectives.ipynb")["cells"]
    ready = next(c for c in cells if "nocode" in nbtools._tags(c)
                 and "governance_to_outcomes" in "".join(c["source"]))
    model = dk.models.load("three_objectives")
    families = {"quality of life": ["outcomes"], "governance": ["governance"]}
    exec(compile("".join(ready["source"]), "lesson 05, exercise 2", "exec"),  # the lesson's own code
         {"dk": dk, "model": model, "families": families})
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 11 and not any("None" in line or "True" in line for line in printed)
    assert printed[3].startswith("0.3: inconclusive,") and printed[4].startswith("0.4: holds,")
    assert printed[0].startswith("0.0: does not hold,")


def test_lesson_02s_ready_made_backlog_week_is_a_whole_week(capsys):
    """Lesson 02's exercise 1 asks in which week the list is back to 100; its no-code cell printed
    'back to 100 in week 64.0'."""
    import dpmkit as dk

    cells = nbtools.load(nbtools.LEARNER / "02_stocks_flows_feedback.ipynb")["cells"]
    bath = next("".join(c["source"]) for c in cells if c.get("id") == "bath")
    ready = next("".join(c["source"]) for c in cells
                 if "nocode" in nbtools._tags(c) and "STEP(5, 40)" in "".join(c["source"]))
    namespace = {"dk": dk}
    exec(compile(bath, "lesson 02, the bath", "exec"), namespace)
    exec(compile(ready, "lesson 02, exercise 1", "exec"), namespace)
    assert capsys.readouterr().out.strip() == "back to 100 in week 64"


def test_lesson_02s_ready_made_volunteer_count_says_which_month_each_number_is(capsys):
    """The no-code cell of lesson 02's exercise 2 printed a bare Python list,
    '[10, 97, 506, 795, 830, 833, 833]', for a check that asks for the volunteers at month 36:
    which month each number belonged to was in the folded code only."""
    import dpmkit as dk

    cells = nbtools.load(nbtools.LEARNER / "02_stocks_flows_feedback.ipynb")["cells"]
    ready = next(c for c in cells if "nocode" in nbtools._tags(c) and "volunteers" in "".join(c["source"]))
    exec(compile("".join(ready["source"]), "lesson 02, exercise 2", "exec"), {"dk": dk})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "month  0:   10 volunteers"
    assert printed[-1] == "month 36:  833 volunteers" and len(printed) == 7
    assert not any("[" in line for line in printed)

def test_a_missing_check_or_blank_is_reported():
    exercise = {"cell_type": "markdown", "id": "e", "metadata": {"tags": ["exercise"]},
                "source": ["A correct answer looks like 3."]}
    solution = {"cell_type": "code", "id": "s", "metadata": {"tags": ["solution"]}, "source": ["x = 3"],
                "outputs": [], "execution_count": None}
    problems = nbtools.track_problems([exercise, solution], "x.ipynb")
    assert any("no 'check' cell" in p for p in problems)
    assert any("no 'nocode' cell" in p for p in problems)
    assert any("marks no blank" in p for p in problems)
    solution["source"] = ["x = 3  # blank: 4"]
    assert any("blank '4' is not on the line" in p for p in nbtools.track_problems([exercise, solution], "x"))
    solution["source"] = ["x = 3  # blank: 3"]
    solution["metadata"]["tags"].append("ready")
    check = {"cell_type": "code", "id": "c", "metadata": {"tags": ["check"]}, "outputs": [], "execution_count": None,
             "source": ["dk.widgets.check('x?', 3)"]}
    assert nbtools.track_problems([exercise, solution, check], "x") == []
    learner = nbtools.learner_version(_nb(exercise, solution, check))["cells"]
    assert [c["id"] for c in learner] == ["e", "e-tracks", "s", "s-ready", "c"]
    assert "".join(learner[2]["source"]).endswith("x = ___")
    assert "".join(learner[3]["source"]).endswith("x = 3")
    assert nbtools.bare_answers(_nb({"cell_type": "code", "metadata": {}, "source": ["# hi\n", "..."]})) == [0]


def test_the_primer_covers_the_python_the_code_track_uses():
    primer = "".join("".join(c["source"]) for c in nbtools.load(SOURCES[1])["cells"])
    assert SOURCES[1].name == "00a_python_you_need_here.ipynb"
    starters = "".join("".join(c["source"]) for nb in LEARNER_NOTEBOOKS for c in nbtools.load(nb)["cells"]
                       if "answer" in nbtools._tags(c) and c["cell_type"] == "code")
    for idea in ("break", "{**", ".argmin()", "=", "def "):
        assert idea in primer, idea
    for idea in ("break", "{**", "argmin", "argmax", " & "):
        if idea in starters:
            assert idea in primer, f"the code track uses {idea!r}, which the primer does not teach"


#: Words a learner meets without being told: (text that uses it, glossary term).
FIRST_USES = [("dk.Aux", "Auxiliary"), ("ZIDZ", "ZIDZ"), ("RMSE", "RMSE"), ("MAPE", "MAPE"),
              ("standard error", "Standard error")]


@pytest.mark.parametrize("used, term", FIRST_USES, ids=[t for _, t in FIRST_USES])
def test_a_term_is_explained_from_the_glossary_at_its_first_use(used, term):
    from dpmkit import glossary

    glossary.get(term)  # the term is in the glossary
    for notebook in LEARNER_NOTEBOOKS:
        cells = nbtools.load(notebook)["cells"]
        for i, cell in enumerate(cells):
            if used.lower() in "".join(cell["source"]).lower():
                # the definitions, from the glossary, in this cell or the next (text, then definitions)
                shown = ["".join(c["source"]) for c in cells[i:i + 2]]
                assert any("glossary.markdown([" in t and f'"{term}"' in t for t in shown), (
                    f"{notebook.name} uses {used!r} (cell {cell.get('id')}) without showing the glossary's {term!r}")
                return
    pytest.fail(f"no notebook uses {used!r}")


# ------------------------------------------------------------------ glossary links at first use
GLOSSARY_MD = ROOT / "workshops" / "handouts" / "glossary.md"
GLOSSARY_HTML = ROOT / "workshops" / "handouts" / "glossary.html"
_SKIPPED = {"code", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}


def _handout_entries():
    """The generated glossary handout's anchors: {anchor: (term, definition)}, from its Markdown rows."""
    import re

    rows = re.findall(r'^\| <a id="([^"]+)"></a>\*\*([^*]+)\*\* \| (.*?)(?: \[\d+\])? \|$',
                      GLOSSARY_MD.read_text(encoding="utf-8"), re.MULTILINE)
    return {anchor: (term, meaning.replace("\\|", "|")) for anchor, term, meaning in rows}


def _segments(element, context=None):
    """The rendered text of an element in reading order: [(text, skipped?, enclosing <a> or None)]."""
    skipped, link = context or (False, None)
    if element.tag in _SKIPPED:
        skipped = True
    if element.tag == "a":
        link = element
    out = [(element.text, skipped, link)] if element.text else []
    for child in element:
        out += _segments(child, (skipped, link))
        if child.tail:
            out.append((child.tail, skipped, link))
    return out


def _uses(terms):
    """A whole-word pattern for every form of the terms, longest first; form -> term."""
    import re

    by_form = {}
    for form, term in sorted(((f, t) for t in terms for f in t.forms), key=lambda ft: -len(ft[0])):
        by_form.setdefault(_form(form), term)
    words = ["[-\\s]+".join(re.escape(w).replace("'", "['\u2019]") for w in re.split(r"[ -]+", f)) for f in by_form]
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.IGNORECASE), by_form


def _form(text):
    import re

    return " ".join(re.split(r"[-\s]+", text.lower().replace("\u2019", "'")))


def test_the_glossary_handouts_give_every_term_an_anchor():
    from lxml import html as lxml_html

    from dpmkit import glossary

    entries = _handout_entries()
    assert len(entries) == len(glossary.TERMS)
    for t in glossary.TERMS:
        assert entries[t.anchor] == (t.term, t.definition), t.term
    page = lxml_html.fromstring(GLOSSARY_HTML.read_bytes())
    rows = {tr.get("id"): tr.text_content() for tr in page.iter("tr") if tr.get("id")}
    assert set(rows) == set(entries)
    for anchor, (term, _) in entries.items():
        assert rows[anchor].startswith(term), anchor


@pytest.mark.parametrize("notebook", LEARNER_NOTEBOOKS, ids=lambda p: p.name)
def test_every_glossary_term_is_linked_at_its_first_use(notebook):
    """Rendered as CommonMark (another parser than the build's), the first use of every glossary
    term in the lesson's text is a link to its anchor in the handout, its definition the title."""
    from lxml import html as lxml_html
    from markdown_it import MarkdownIt

    from dpmkit import glossary

    entries = _handout_entries()
    pattern, by_form = _uses(glossary.TERMS)
    md = MarkdownIt("commonmark").enable("table")
    seen = {}
    for cell in nbtools.load(notebook)["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        root = lxml_html.fragment_fromstring(md.render("".join(cell["source"])), create_parent="div")
        for text, skipped, link in _segments(root):
            where = f"{notebook.name}, cell {cell.get('id')}"
            assert "glossary.md" not in text, f"{where}: a glossary link left as text: {text!r}"
            href = link.get("href", "") if link is not None else ""
            if href.startswith(nbtools.GLOSSARY_HREF + "#"):
                anchor = href.split("#", 1)[1]
                assert anchor in entries, f"{where}: link to {anchor!r}, not an anchor of the glossary handout"
                term, definition = entries[anchor]
                assert term not in seen, f"{where}: {term!r} linked again (first linked in {seen.get(term)})"
                assert _form(text) in map(_form, glossary.get(term).forms), f"{where}: {text!r} linked to {term!r}"
                assert link.get("title") == definition, f"{where}: the title of {term!r} is not its definition"
                seen[term] = where
            elif not skipped and link is None:
                for found in pattern.finditer(text):
                    term = by_form[_form(found.group(0))].term
                    assert term in seen, f"{where}: first use of {term!r} ({found.group(0)!r}) is not linked"
    assert seen, f"{notebook.name} links no glossary term"


#: Glossary terms that no learner notebook links, each with the reason it stays unlinked. Keep it
#: short: a term the lessons teach under other words gets those words in ``Term.written``, and an
#: idea a lesson teaches without naming it gets its name in the lesson's text.
UNLINKED_TERMS: dict[str, str] = {}


def test_every_glossary_term_is_linked_from_some_learner_notebook():
    import re

    from dpmkit import glossary

    linked = set()
    for notebook in LEARNER_NOTEBOOKS:
        for cell in nbtools.load(notebook)["cells"]:
            if cell["cell_type"] == "markdown":
                linked.update(re.findall(re.escape(nbtools.GLOSSARY_HREF) + r"#([\w-]+)", "".join(cell["source"])))
    for term, reason in UNLINKED_TERMS.items():
        assert glossary.get(term).anchor not in linked, f"{term!r} is linked now: take it off the exceptions"
        assert len(reason.split()) >= 5, f"{term!r}: say why it stays unlinked"
    missing = [t.term for t in glossary.TERMS if t.anchor not in linked and t.term not in UNLINKED_TERMS]
    assert not missing, f"glossary terms no learner notebook links (write them as lessons do, or explain): {missing}"


def test_solutions_stay_clean_of_glossary_links():
    for source in SOURCES:
        text = json.dumps(nbtools.load(source))
        assert "glossary.md#" not in text, source.name


def _md(*texts):
    return _nb(*({"cell_type": "markdown", "id": f"m{i}", "metadata": {}, "source": [t]} for i, t in enumerate(texts)))


def test_the_glossary_linker_links_words_not_code_links_headings_or_latex():
    from dpmkit import glossary

    nb = _md("## Stocks and flows\n\nRun `dk.Stock` or ```stocks```; see [a stock](https://x.org) and "
             "<a href='y'>stocks</a>; $stock_t$ and $$flows$$. A stockpile and a stock-and-flow map.\n\n"
             "```python\nflows = 1\n```",
             "Two **Stocks**, then more stocks; one FLOW. System stewardship beats stewardship.")
    out = nbtools.link_glossary(nb)
    first, second = ("".join(c["source"]) for c in out["cells"])
    assert first == "".join(nb["cells"][0]["source"])  # nothing in the first cell is a use
    stock, flow = glossary.get("stock"), glossary.get("flow")
    assert second.startswith("Two **" + nbtools.glossary_link("Stocks", stock) + "**, then more stocks; one "
                             + nbtools.glossary_link("FLOW", flow) + ". ")
    assert second.endswith(nbtools.glossary_link("System stewardship", glossary.get("System stewardship"))
                           + " beats " + nbtools.glossary_link("stewardship", glossary.get("Stewardship")) + ".")
    assert nbtools.glossary_link("Stocks", stock) == (
        '[Stocks](../workshops/handouts/glossary.md#stock "' + stock.definition + '")')
    assert nbtools.link_glossary(out) == out  # linking twice changes nothing
    # a definition with double quotes survives as a CommonMark title
    from markdown_it import MarkdownIt

    zidz = glossary.get("ZIDZ")
    assert '"' in zidz.definition
    rendered = MarkdownIt("commonmark").render(nbtools.glossary_link("ZIDZ", zidz))
    from lxml import html as lxml_html

    assert lxml_html.fragment_fromstring(rendered).find(".//a").get("title") == zidz.definition


def test_a_glossary_link_survives_html_export_and_jupyterlabs_sanitizer():
    """nbconvert's HTML export (mistune) keeps the link and its title; so does a sanitizer with the
    allow-list of the JupyterLab installed here (read from its bundle), applied to CommonMark output."""
    import re
    import sys

    import bleach
    import nbformat
    from lxml import html as lxml_html
    from markdown_it import MarkdownIt
    from nbconvert import HTMLExporter

    from dpmkit import glossary

    nb = nbformat.read(nbtools.LEARNER / "00_start_here.ipynb", as_version=4)
    body, _ = HTMLExporter(template_name="basic").from_notebook_node(nb)
    page = lxml_html.fromstring(body)
    links = {a.get("href"): a.get("title") for a in page.iter("a") if "glossary.md#" in a.get("href", "")}
    model = glossary.get("model")
    assert links[f"{nbtools.GLOSSARY_HREF}#{model.anchor}"] == model.definition
    assert len(links) >= 20
    bundles = sorted((Path(sys.prefix) / "share" / "jupyter" / "lab" / "static").glob("jlab_core.*.js"))
    if not bundles:
        pytest.skip("JupyterLab's bundle is not installed here")
    found = re.search(r'allowedAttributes:\{"\*":\[([^\]]*)\],a:\[([^\]]*)\]', bundles[0].read_text(encoding="utf-8"))
    assert found, "JupyterLab's sanitizer allow-list not found in its bundle"
    everywhere, on_a = ([a for a in re.findall(r'"([\w-]+)"', group) if a != "style"] for group in found.groups())
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "#model" in c.source)
    html = MarkdownIt("commonmark").enable("table").render(cell.source)
    clean = bleach.clean(html, tags=bleach.ALLOWED_TAGS | {"p", "li", "ul", "ol", "table", "tr", "td", "th"},
                         attributes={"*": everywhere, "a": everywhere + on_a})
    kept = {a.get("href"): a.get("title") for a in lxml_html.fragment_fromstring(clean, create_parent="div").iter("a")}
    assert kept[f"{nbtools.GLOSSARY_HREF}#{model.anchor}"] == model.definition


def test_the_headline_number_of_notebook_00_is_flagged_as_political():
    from dpmkit import evidence

    assert "Party-political" in evidence.get("surrey_neet_2009").notes
    text = "".join("".join(c["source"]) for c in nbtools.load(nbtools.LEARNER / "00_start_here.ipynb")["cells"]
                   if c["cell_type"] == "markdown")
    first = text.index("1,080")
    assert "party-political" in text[first:first + 400] and "surrey_neet_2009" in text[first:first + 400]


#: A lesson's text asking the learner to run code: "run `dk.dpm.chart(model, ...)`", "in a new cell".
_INVITES_CODE = re.compile(r"\b(?:run|try|type)\b[^.]*?`[^`\n]*\w\([^`\n]*\)[^`\n]*`|\bin a new cell\b", re.I)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_invitation_to_run_code_outside_an_exercise_has_a_ready_made_cell(source):
    """Lesson 04's 'Try other focuses in a new cell: `dk.dpm.chart(model, focus="trust")`' and
    lesson 05's 'run `dk.dpm.chart(model, "objective")` in a new cell' and 'run
    `dk.charts.frontier(fronts["trade_off"], ...)` to see it' asked a learner on the no-code track
    to write code. Each invitation now follows a ready-made cell and is marked optional ('If you
    write code, ...'), or a no-code way follows it ('**Without code, ...')."""
    cells = nbtools.load(source)["cells"]
    inside = {id(c) for _, scope in nbtools.exercises(cells) for c in scope}
    for k, cell in enumerate(cells):
        if cell["cell_type"] != "markdown" or id(cell) in inside or nbtools._tags(cell):
            continue
        for paragraph in "".join(cell["source"]).split("\n\n"):
            if not _INVITES_CODE.search(paragraph):
                continue
            optional = paragraph.startswith("If you write code") and cells[k - 1]["cell_type"] == "code"
            without = k + 1 < len(cells) and "".join(cells[k + 1]["source"]).startswith("**Without code")
            assert optional or without, f"{source.name}, cell {cell.get('id')}: {paragraph[:120]!r}"
