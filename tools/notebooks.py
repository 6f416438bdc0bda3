"""Build and check the learner notebooks from their single source.

The single source of each lesson is ``notebooks/solutions/NN_name.ipynb``: it holds the
exercises *with* their solutions, the facilitator notes (in cell metadata) and the
lesson's front matter (in notebook metadata). From it this script generates:

- ``notebooks/NN_name.ipynb``: the learner version. Solution cells are replaced by a
  short prompt, and everything else is kept as it is, except that the first use of each
  :mod:`dpmkit.glossary` term in the lesson's text becomes a link to the term's entry in
  ``workshops/handouts/glossary.md``, its definition the link's title (shown on hover).
  Each lesson links on its own, since a self-study learner may open any lesson first; a
  term added to the glossary is linked everywhere at the next build. The sources stay
  without these links, so authors edit plain text and a changed definition rewrites only
  generated files.
- ``workshops/facilitator-view/NN_name.md``: the facilitator view. It gives the outline,
  timings, the facilitator notes placed beside the section they belong to, and the
  solutions.

It also rewrites each source's first cell (the lesson header) from the metadata, so that
the title, guiding question, objectives, prerequisites and minutes are written only once.

Conventions in a source notebook
--------------------------------
notebook ``metadata["dpmkit"]``
    ``title``, ``guiding_question``, ``objectives`` (3 to 5, each starting with a verb),
    ``prerequisites`` (list), ``teaching_minutes``, ``exercise_minutes``.
cell tags (``metadata["tags"]``)
    ``header``: the generated first cell. ``predict``: a predict-before-you-run prompt.
    ``exercise``: the markdown that sets an exercise; it must end with a paragraph that
    starts ``**What a correct answer looks like:**``, which the learner version folds away
    (a ``<details>`` block, its summary in view) so its numbers are read after the work.
    ``solution``: the exercise's answer, replaced in the learner version.
    ``long-cell``: allows a code cell longer than 25 lines.
    ``nocode``: the exercise's no-code track: ready-made code the learner only runs
    (an explorer to move levers, or a table to read); kept, its source folded away.
    ``check``: a ``dk.widgets.check(...)`` cell where either track checks its answer;
    kept, its source (which holds the answer) folded away.
    ``ready`` (on a code ``solution``): the learner version also gets the whole solution as
    a ready-made ``nocode`` cell, folded away, for the no-code track to run and read.

Two tracks through every exercise, from one source
---------------------------------------------------
Every exercise (from its ``exercise`` cell to the next exercise or ``## `` section) has at
least one ``check`` cell, and a ``nocode`` cell unless all its solutions are written
ones (then the check is a sentence to write); a written exercise whose text asks the
learner to run code (a code span that calls something, `` `print(card)` ``) still needs a
``nocode`` cell that runs it, since the no-code track writes no code. A code solution is the code track: in the
learner version it becomes **starter code with blanks**. Mark a blank by ending the line
with ``# blank: TEXT`` (several: ``# blank: TEXT1 | TEXT2``): TEXT, which must occur on
that line, becomes ``___`` and the marker comment goes. Lines ending ``# hide`` are left
out of the starter. Comment lines are kept: explain there, in a comment that starts
``# Python:`` (continued on the comment lines right after it that quote code in backticks),
each Python idea the first time a lesson needs it, unless the primer
``00a_python_you_need_here`` teaches it (tests/test_python_ideas.py checks each starter,
and the code its blanks stand for, against a fixed table of ideas). The starter never is
a bare ``...``; it is tagged ``nbval-skip``, since its blanks do not run until filled.
cell ``metadata["dpmkit"]["facilitator"]``
    facilitator notes for that point of the lesson: timing, common confusions, debrief
    prompts.

Usage::

    python tools/notebooks.py build [SOURCE ...]   # regenerate learner notebooks and facilitator views
    python tools/notebooks.py record [SOURCE ...]  # run sources; store outputs of NBVAL_CHECK_OUTPUT cells
    python tools/notebooks.py check     # exit 1 if anything is stale or breaks the skeleton

Key deterministic numbers: a code cell with a line that is exactly ``# NBVAL_CHECK_OUTPUT``
(nbval matches the whole comment, so put any explanation on the next line) is checked
against a reference output. Notebooks are committed with *all* outputs stripped; the
references live in ``notebooks/checked_outputs.json`` (lesson -> cell id -> plain-text
outputs), written by ``record``, and the repository's ``conftest.py`` hands them to nbval
at collection time. A checked cell must not be a solution cell.

Uses only the standard library and ``dpmkit.glossary`` (the terms the learner versions link).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "notebooks" / "solutions"
LEARNER = ROOT / "notebooks"
FACILITATOR = ROOT / "workshops" / "facilitator-view"
LESSON = re.compile(r"\d\d[a-z]?_[a-z0-9_]+\.ipynb\Z")
CHECKED = ROOT / "notebooks" / "checked_outputs.json"
CHECK_LINE = "# NBVAL_CHECK_OUTPUT"
MAX_CODE_LINES = 25
BLANK = "___"
BLANK_MARK = re.compile(r"\s*# blank: (.+)$")
HIDE_MARK = re.compile(r"\s*# hide$")
STARTER_NOTE = "# Code track: replace each ___ with your code, then run the cell. (No-code track: skip this cell.)"
TEXT_PROMPT = "*Write your answer here (double-click to edit).*"
END_SECTIONS = ("Key points", "Questions for discussion", "Next")


def lessons(folder=SOURCES):
    """Source notebooks of the lesson sequence, in order."""
    return sorted(p for p in folder.glob("*.ipynb") if LESSON.match(p.name))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dump(nb):
    # the same layout as tools/strip_notebooks.py and Jupyter itself
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _set_source(cell, text):
    lines = text.split("\n")
    cell["source"] = [line + "\n" for line in lines[:-1]] + [lines[-1]]


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def _notes(cell):
    return cell.get("metadata", {}).get("dpmkit", {}).get("facilitator", "")


def header_text(meta):
    """The lesson header, written from the notebook metadata."""
    objectives = "\n".join(f"- {o}" for o in meta["objectives"])
    prereq = "\n".join(f"- {p}" for p in meta["prerequisites"]) or "- None."
    return (
        f"# {meta['title']}\n\n"
        f"**Guiding question:** {meta['guiding_question']}\n\n"
        f"**By the end you will be able to:**\n\n{objectives}\n\n"
        f"**Before you start:**\n\n{prereq}\n\n"
        f"**Time:** about {meta['teaching_minutes']} minutes of teaching and "
        f"{meta['exercise_minutes']} minutes of exercises{_no_code(meta)}.{_timed(meta)}"
    )


def _no_code(meta):
    n = meta.get("exercise_minutes_no_code")
    return f" ({n} on the no-code track)" if n and n != meta["exercise_minutes"] else ""


def _timed(meta):
    t = meta.get("timing")
    return (f" *(Timed on {t['measured']}: {t['how']}; the code cells ran in {t['run_seconds']} s.)*"
            if t else "")


def with_header(nb):
    """A copy of ``nb`` whose first cell is the generated header."""
    nb = copy.deepcopy(nb)
    meta = nb["metadata"]["dpmkit"]
    cells = nb["cells"]
    if cells and "header" in _tags(cells[0]):
        cell = cells[0]
    else:
        cell = {"cell_type": "markdown", "id": "header", "metadata": {"tags": ["header"]}, "source": []}
        cells.insert(0, cell)
    _set_source(cell, header_text(meta))
    return nb


READY_NOTE = ("# No-code track: run this ready-made cell and read what it prints."
              " (Code track: try the starter cell above first.)")
TRACKS_NOTE = ("**Two ways to answer.** *No code:* run the ready-made cells below (their code is folded "
               "away; click the bar on the left to see it), read the numbers, and answer in the *Check your "
               "answer* boxes. *With code:* fill in each `___` in the starter cell, run it, then use the same "
               "boxes.")
CHECK_NOTE = "# Check your answer: run this cell. (The answer is in the code below: try the question first.)"
WRITE_NOTE = ("**To answer:** write in the cell below (double-click it), then compare with the points in "
              "the *Check your answer* box.")
#: A written exercise that asks for something only code shows (a table, a model card) gives both
#: tracks a ready-made cell to run first.
READ_WRITE_NOTE = ("**To answer:** run the ready-made cell below (its code is folded away) and read what it "
                   "shows; then write in the cell after it (double-click it), and compare with the points in "
                   "the *Check your answer* box.")
#: Code an exercise's text asks the learner to run: a code span that calls something.
_CODE_TO_RUN = re.compile(r"`[^`\n]*\w\([^`\n]*\)[^`\n]*`")


#: How an exercise's last paragraph starts: what a correct answer looks like (the source keeps it in view).
ANSWER_LOOKS = "**What a correct answer looks like:**"
#: In the learner version that paragraph is folded: it states the numbers the checks ask for, and
#: a learner who reads them before working has nothing left to find. The summary is what shows.
ANSWER_FOLD = ("<details><summary><b>What a correct answer looks like</b> (what to give, and numbers to "
               "compare yours with: open it once you have your answer)</summary>")


def fold_answer_looks(nb):
    """Fold the "What a correct answer looks like" paragraph of each exercise in ``nb`` (in place)
    into a ``<details>`` block that JupyterLab, nbconvert and GitHub show closed: its summary in
    view, the paragraph, with its glossary links, one click away."""
    for cell in nb["cells"]:
        if "exercise" not in _tags(cell):
            continue
        paragraphs = _source(cell).split("\n\n")
        last = paragraphs[-1]
        if last.startswith(ANSWER_LOOKS):
            body = last[len(ANSWER_LOOKS):].strip()
            body = body[:1].upper() + body[1:]  # it now opens its own paragraph
            paragraphs[-1] = f"{ANSWER_FOLD}\n\n{body}\n\n</details>"
            _set_source(cell, "\n\n".join(paragraphs))
    return nb


def _ready_copy(cell):
    meta = {"tags": ["nocode"], "jupyter": {"source_hidden": True}}
    out = {"cell_type": "code", "execution_count": None, "id": cell["id"] + "-ready", "metadata": meta,
           "outputs": []}
    _set_source(out, READY_NOTE + "\n" + solution_text(_source(cell)))
    return out


def _note(cell_id, text):
    return {"cell_type": "markdown", "id": cell_id, "metadata": {"tags": ["tracks"]}, "source": [text]}


def learner_version(nb):
    """The learner notebook: solutions replaced by prompts, with the two tracks."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb["cells"]:
        cells.append(cell)
        if "exercise" in _tags(cell):
            scope = dict(exercises(nb["cells"])).get(nb["cells"].index(cell), [])
            coded = any(c["cell_type"] == "code" and "solution" in _tags(c) for c in scope)
            ready = any("nocode" in _tags(c) for c in scope)
            cells.append(_note(cell["id"] + "-tracks", TRACKS_NOTE if coded else READ_WRITE_NOTE if ready
                               else WRITE_NOTE))
        if "ready" in _tags(cell) and "solution" in _tags(cell):
            cells.append(_ready_copy(cell))
    nb["cells"] = cells
    for cell in nb["cells"]:
        if "solution" not in _tags(cell):
            continue
        if cell["cell_type"] == "code":
            _set_source(cell, starter(_source(cell)))
        else:
            _set_source(cell, TEXT_PROMPT)
        meta = cell.setdefault("metadata", {})
        meta["tags"] = [t for t in meta.get("tags", []) if t not in ("solution", "ready")] + ["answer"]
        if cell["cell_type"] == "code":
            meta["tags"].append("nbval-skip")
        meta.get("dpmkit", {}).pop("facilitator", None)
    for cell in nb["cells"]:
        if _tags(cell) & {"nocode", "check"}:
            cell.setdefault("metadata", {}).setdefault("jupyter", {})["source_hidden"] = True
        if "check" in _tags(cell) and not _source(cell).startswith(CHECK_NOTE):
            # JupyterLab shows a folded cell's first line: let it be this, not the answer
            _set_source(cell, CHECK_NOTE + "\n" + _source(cell))
    for cell in nb["cells"]:
        cell.get("metadata", {}).get("dpmkit", {}).pop("facilitator", None)
        if "dpmkit" in cell.get("metadata", {}) and not cell["metadata"]["dpmkit"]:
            del cell["metadata"]["dpmkit"]
    return nb


GLOSSARY_HREF = "../workshops/handouts/glossary.md"
#: What the glossary linker leaves alone in markdown: fenced code, code spans, links and images
#: (with reference definitions), autolinks and HTML tags, LaTeX, and heading lines (their text is
#: their anchor in JupyterLab and GitHub).
_PROTECTED = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[^\n]*\n(?:.*\n)*?(?P=fence)[^\n]*$"  # fenced code block
    r"|^ {0,3}#{1,6}(?:[ \t][^\n]*)?$"  # heading line
    r"|^ {0,3}\[[^\]\n]+\]:[^\n]*$"  # link reference definition
    r"|(?P<ticks>`+)[\s\S]*?(?<!`)(?P=ticks)(?!`)"  # code span
    r"|!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^)]*(?:\([^)]*\)[^)]*)*\)"  # link or image
    r"|!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\[[^\]]*\]"  # reference link
    r"|<a\b[^>]*>[\s\S]*?</a\s*>"  # an HTML link, with its text
    r"|<[A-Za-z/!][^>]*>"  # HTML tag or autolink
    r"|\$\$[\s\S]+?\$\$|(?<![\\$\w])\$(?!\s)[^$\n]+?(?<![\s\\])\$(?![\w$])",  # LaTeX
    re.MULTILINE)


def _term_pattern(terms):
    """One regex for every form of every term, longest first, as whole words (a hyphen joins words)."""
    forms = sorted(((f, t) for t in terms for f in t.forms), key=lambda ft: -len(ft[0]))
    by_form = {}
    for form, term in forms:
        by_form.setdefault(_form_of(form), term)
    alternatives = []
    for form in by_form:
        words = [re.escape(w).replace("'", "['\u2019]") for w in re.split(r"[ -]+", form)]
        alternatives.append(r"[-\s]+".join(words))
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.IGNORECASE)
    return pattern, by_form


def _form_of(text):
    return " ".join(re.split(r"[-\s]+", text.lower().replace("\u2019", "'")))


def glossary_title(term):
    """A term's definition as a Markdown link title (in double quotes)."""
    return term.definition.replace("\\", "\\\\").replace('"', '\\"')


def glossary_link(text, term, href=GLOSSARY_HREF):
    """``text`` as a Markdown link to ``term``'s glossary entry, its definition on hover."""
    return f'[{text}]({href}#{term.anchor} "{glossary_title(term)}")'


def _glossary_terms():
    if str(ROOT) not in sys.path:  # run from a checkout without installing dpmkit
        sys.path.insert(0, str(ROOT))
    from dpmkit import glossary

    return glossary.TERMS


def link_glossary(nb, terms=None, href=GLOSSARY_HREF):
    """A copy of ``nb`` whose markdown links each glossary term at its first use to its entry.

    A term's first use (as written, or as a simple plural, any case, a whole word) in the
    notebook's markdown becomes ``[stocks](../workshops/handouts/glossary.md#stock "definition")``:
    the definition shows on hover, offline, in JupyterLab, exported HTML and GitHub. Code, links,
    HTML, LaTeX and headings are left alone (see ``_PROTECTED``); where one term is written
    inside a longer one ("system stewardship"), the longer one is the use. A link to the
    glossary already in the text counts as the term's use, so linking twice changes nothing.
    """
    nb = copy.deepcopy(nb)
    terms = _glossary_terms() if terms is None else terms
    pattern, by_form = _term_pattern(terms)
    by_anchor = {t.anchor: t for t in terms}
    linked = re.compile(r"\]\(" + re.escape(href) + r"#([\w-]+)")
    done = set()  # terms used so far; a link already there counts (so linking twice changes nothing)

    def link(found):
        term = by_form.get(_form_of(found.group(0)))
        if term is None or term.term in done:
            return found.group(0)
        done.add(term.term)
        return glossary_link(found.group(0), term, href)

    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text, out, at = _source(cell), [], 0
        for protected in _PROTECTED.finditer(text):
            out += [pattern.sub(link, text[at:protected.start()]), protected.group(0)]
            done.update(by_anchor[a].term for a in linked.findall(protected.group(0)) if a in by_anchor)
            at = protected.end()
        out.append(pattern.sub(link, text[at:]))
        if "".join(out) != text:
            _set_source(cell, "".join(out))
    return nb


def blanks(line):
    """The texts a solution line marks as blanks, and the line without its marker."""
    found = BLANK_MARK.search(line)
    if not found:
        return [], line
    return [t.strip() for t in found.group(1).split(" | ") if t.strip()], line[:found.start()]


def starter(code):
    """The code track's starter code for a solution: blanks as ``___``, marked lines left out."""
    out = [STARTER_NOTE]
    for line in code.split("\n"):
        if HIDE_MARK.search(line):
            continue
        texts, line = blanks(line)
        for text in texts:
            line = line.replace(text, BLANK, 1)
        out.append(line)
    return "\n".join(out)


def solution_text(code):
    """A solution's code as the facilitator reads it: without the blank markers."""
    return "\n".join(blanks(line)[1] if not HIDE_MARK.search(line) else HIDE_MARK.sub("", line)
                     for line in code.split("\n"))


def exercises(cells):
    """Each exercise's cells: ``[(index of the exercise cell, [cells up to the next one])]``."""
    found = []
    for i, cell in enumerate(cells):
        tags = _tags(cell)
        if "exercise" in tags:
            found.append((i, []))
        elif found and found[-1][0] is not None:
            if cell["cell_type"] == "markdown" and any(line.startswith("## ") for line in _source(cell).split("\n")):
                found.append((None, []))
            else:
                found[-1][1].append(cell)
    return [(i, scope) for i, scope in found if i is not None]


def track_problems(cells, name):
    """What breaks the two tracks: an exercise without a check or no-code path, a bad blank."""
    problems = []
    for i, scope in exercises(cells):
        kinds = [(_tags(c), c["cell_type"]) for c in scope]
        if not any("check" in t for t, _ in kinds):
            problems.append(f"{name}: exercise in cell {i} has no 'check' cell (dk.widgets.check)")
        written_only = all(kind == "markdown" for t, kind in kinds if "solution" in t)
        if not written_only and not any("nocode" in t or "ready" in t for t, _ in kinds):
            problems.append(f"{name}: exercise in cell {i} has no 'nocode' cell (the no-code track)")
        to_run = _CODE_TO_RUN.findall(_source(cells[i]))
        if written_only and to_run and not any("nocode" in t for t, _ in kinds):
            problems.append(f"{name}: exercise in cell {i} asks the learner to run {to_run[0]} but has no "
                            "'nocode' cell that runs it for the no-code track")
    for i, cell in enumerate(cells):
        tags, text = _tags(cell), _source(cell)
        if "check" in tags and (cell["cell_type"] != "code" or "dk.widgets.check(" not in text):
            problems.append(f"{name}: cell {i} is tagged 'check' but does not call dk.widgets.check(...)")
        if "nocode" in tags and cell["cell_type"] != "code":
            problems.append(f"{name}: cell {i} is tagged 'nocode' but is not a code cell")
        if "solution" in tags and cell["cell_type"] == "code":
            marked = 0
            for n, line in enumerate(text.split("\n")):
                texts, rest = blanks(line)
                marked += len(texts)
                for t in texts:
                    if t not in rest:
                        problems.append(f"{name}: cell {i} line {n + 1}: blank {t!r} is not on the line")
            if not marked:
                problems.append(f"{name}: code solution in cell {i} marks no blank (end a line with '# blank: TEXT')")
    return problems


def bare_answers(nb):
    """Code cells of a learner notebook whose code (comments aside) is only ``...``."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        code = [line.strip() for line in _source(cell).split("\n") if line.strip() and not line.strip().startswith("#")]
        if cell["cell_type"] == "code" and (code == ["..."] or (not code and "answer" in _tags(cell))):
            found.append(i)
    return found


def facilitator_view(nb, name):
    """Markdown for facilitators: outline, timings, notes and solutions."""
    meta = nb["metadata"]["dpmkit"]
    out = [
        f"# Facilitator view: {meta['title']}",
        "",
        f"Notebook: `notebooks/{name}` (source with solutions: `notebooks/solutions/{name}`).",
        "This file is generated by `python tools/notebooks.py build`; edit the source notebook instead.",
        "",
        f"**Guiding question:** {meta['guiding_question']}",
        "",
        f"**Timing:** {meta['teaching_minutes']} min teaching + {meta['exercise_minutes']} min exercises"
        f"{_no_code(meta)}.{_timed(meta)}",
        "",
        "**Objectives:**",
        "",
        *[f"- {o}" for o in meta["objectives"]],
        "",
    ]
    section = None
    for cell in nb["cells"][1:]:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            heading = next((line for line in text.split("\n") if line.startswith("## ")), None)
            if heading:
                section = heading[3:].strip()
                out += [f"## {section}", ""]
        tags = _tags(cell)
        if "predict" in tags:
            out += ["*Learners predict here.* " + text.strip().split("\n")[0].lstrip("#* "), ""]
        if "exercise" in tags:
            out += ["**Exercise.** " + " ".join(text.strip().split("\n")), ""]
        if "solution" in tags:
            fence = "python" if cell["cell_type"] == "code" else ""
            shown = solution_text(text) if cell["cell_type"] == "code" else text
            out += ["Solution:", "", f"```{fence}", shown.strip(), "```", ""]
        if "nocode" in tags or "ready" in tags:
            out += ["*No-code track: " + ("learners run this solution as a ready-made cell."
                                          if "ready" in tags else "a ready-made cell the learner runs.") + "*", ""]
        if "check" in tags:
            out += ["*Check-my-answer:* `" + " ".join(text.strip().split()) + "`", ""]
        notes = _notes(cell)
        if notes:
            out += ["> **Facilitator:** " + notes.strip().replace("\n", "\n> "), ""]
    return "\n".join(out).rstrip() + "\n"


def structure_problems(nb, name):
    """What breaks the lesson skeleton (see STYLE.md point 7); empty when it is fine."""
    problems = []
    meta = nb.get("metadata", {}).get("dpmkit")
    if not isinstance(meta, dict):
        return [f"{name}: notebook metadata has no 'dpmkit' front matter"]
    for key, kind in (("title", str), ("guiding_question", str), ("objectives", list), ("prerequisites", list),
                      ("teaching_minutes", int), ("exercise_minutes", int)):
        if not isinstance(meta.get(key), kind):
            problems.append(f"{name}: metadata dpmkit.{key} missing or not a {kind.__name__}")
    if problems:
        return problems
    if not 3 <= len(meta["objectives"]) <= 5:
        problems.append(f"{name}: {len(meta['objectives'])} learning objectives (want 3 to 5)")
    for o in meta["objectives"]:
        if not o[:1].isupper() or o.split()[0].lower().endswith("ing"):
            problems.append(f"{name}: objective should start with a verb: {o!r}")
    if meta["teaching_minutes"] <= 0:
        problems.append(f"{name}: teaching_minutes must be positive")
    cells = nb.get("cells", [])
    if not cells or "header" not in _tags(cells[0]):
        problems.append(f"{name}: the first cell is not the generated header")
    ids = [c.get("id") for c in cells]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        problems.append(f"{name}: cell ids used twice: {repeated}")
    all_tags = [t for c in cells for t in _tags(c)]
    if "predict" not in all_tags:
        problems.append(f"{name}: no cell tagged 'predict' (ask learners to predict before they run)")
    if "exercise" not in all_tags:
        problems.append(f"{name}: no exercise (a markdown cell tagged 'exercise')")
    if "solution" not in all_tags:
        problems.append(f"{name}: no solution cell (tagged 'solution')")
    for i, cell in enumerate(cells):
        if "exercise" in _tags(cell) and not _source(cell).split("\n\n")[-1].startswith(ANSWER_LOOKS):
            problems.append(f"{name}: exercise in cell {i} does not end with a paragraph starting "
                            f"{ANSWER_LOOKS!r} (what a correct answer looks like)")
        if cell["cell_type"] == "code" and "long-cell" not in _tags(cell):
            n = len(_source(cell).strip().split("\n"))
            if n > MAX_CODE_LINES:
                problems.append(f"{name}: code cell {i} has {n} lines (max {MAX_CODE_LINES}, or tag it 'long-cell')")
        checked = "NBVAL_CHECK_OUTPUT" in _source(cell)
        if checked and not is_checked(cell):
            problems.append(f"{name}: cell {i}: the marker line must be exactly '{CHECK_LINE}'")
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"{name}: cell {i} carries outputs; run `make strip`")
        if checked and "solution" in _tags(cell):
            problems.append(f"{name}: cell {i} is both a checked cell and a solution")
    problems += track_problems(cells, name)
    if not any(_notes(c) for c in cells):
        problems.append(f"{name}: no facilitator notes (cell metadata dpmkit.facilitator)")
    headings = [line[3:].strip() for c in cells if c["cell_type"] == "markdown"
                for line in _source(c).split("\n") if line.startswith("## ")]
    tail = headings[-len(END_SECTIONS):]
    if tuple(tail) != END_SECTIONS:
        problems.append(f"{name}: should end with the sections {', '.join(END_SECTIONS)} (found {tail})")
    return problems


def is_checked(cell):
    """A code cell whose output nbval compares with its recorded reference."""
    return cell.get("cell_type") == "code" and CHECK_LINE in _source(cell).split("\n")


def text_outputs(outputs):
    """Only the plain-text part of outputs: stream text and text/plain results."""
    kept = []
    for out in outputs:
        text = out.get("text", "") if out.get("output_type") == "stream" else out.get("data", {}).get("text/plain")
        if text is None:
            continue
        text = "".join(text) if isinstance(text, list) else text
        if out.get("output_type") == "stream":
            kept.append({"name": out.get("name", "stdout"), "output_type": "stream", "text": text})
        else:
            kept.append({"data": {"text/plain": text}, "metadata": {}, "output_type": out["output_type"],
                         **({"execution_count": 1} if out["output_type"] == "execute_result" else {})})
    return kept


def load_checked():
    """The recorded reference outputs: {lesson: {cell id: outputs}}."""
    return json.loads(CHECKED.read_text(encoding="utf-8")) if CHECKED.exists() else {}


def checked_problems():
    """Checked cells without a reference, and references without a checked cell."""
    problems, refs = [], load_checked()
    found = {}
    for src in lessons():
        found[src.stem] = {c["id"] for c in load(src)["cells"] if is_checked(c)}
    for lesson, ids in found.items():
        for cell_id in sorted(ids - set(refs.get(lesson, {}))):
            problems.append(f"{lesson}: checked cell {cell_id!r} has no reference; run "
                            f"`python tools/notebooks.py record notebooks/solutions/{lesson}.ipynb`")
    for lesson, cells in refs.items():
        for cell_id in sorted(set(cells) - found.get(lesson, set())):
            problems.append(f"{lesson}: reference for cell {cell_id!r}, which is not a checked cell")
        if not all(cells.values()):
            problems.append(f"{lesson}: a checked cell printed nothing; a check needs output to compare")
    return problems


def outputs(sources=None):
    """Generated files of ``sources`` (default: every lesson): path -> expected text."""
    files = {}
    for src in sources or lessons():
        nb = with_header(load(src))
        files[src] = dump(nb)
        files[LEARNER / src.name] = dump(fold_answer_looks(link_glossary(learner_version(nb))))
        files[FACILITATOR / (src.stem + ".md")] = facilitator_view(nb, src.name)
    return files


def stale():
    """Generated files that are missing or differ from what the sources give."""
    return [p for p, text in outputs().items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def record(paths=None):
    """Run source notebooks and store the text output of their checked cells as references.

    The notebooks themselves stay stripped. Returns the sources it recorded, so the caller
    rebuilds only those lessons.
    """
    import nbclient
    import nbformat

    refs = load_checked()
    for src in paths or lessons():
        nb = nbformat.read(src, as_version=4)
        nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(src.parent)}}).execute()
        refs[src.stem] = {cell.id: text_outputs([dict(o) for o in cell.get("outputs", [])])
                          for cell in nb.cells if is_checked(cell)}
        if not refs[src.stem]:
            del refs[src.stem]
        print(f"recorded {src.relative_to(ROOT)}")
    CHECKED.write_text(json.dumps(refs, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return list(paths or lessons())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("build", "record", "check"))
    parser.add_argument("notebooks", nargs="*",
                        help="source notebooks to record or build (default: all lessons)")
    args = parser.parse_args(argv)
    chosen = [Path(p).resolve() for p in args.notebooks] or None
    if args.command == "record":
        chosen = record(chosen)
        args.command = "build"
    if args.command == "build":
        FACILITATOR.mkdir(parents=True, exist_ok=True)
        for path, text in outputs(chosen).items():
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
        return 0
    problems = [f"stale: {p.relative_to(ROOT)} (run `python tools/notebooks.py build`)" for p in stale()]
    for src in lessons():
        problems += structure_problems(with_header(load(src)), src.name)
    problems += checked_problems()
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
