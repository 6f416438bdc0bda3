"""Session plans and the games guide say only what the kit does.

- every plan's timetable adds up to its stated length, with no gaps or overlaps;
- every game, role, lever, event and context a plan or the games guide names exists in
  ``dk.game`` (or a ready-made model), with the range stated;
- every lever a plan's game section relies on changes an outcome its role sees by at least 5% of
  that outcome's range within the rounds the plan plays, and every figure quoted for a lever is
  what the game gives (re-simulated here);
- every notebook section a plan uses or skips exists, the minutes a plan gives a notebook agree
  with the notebook's facilitator view (or the plan says what it skips);
- every link between workshop documents resolves.

The checkers return lists of problems so that the tests below can also show that each one catches
a broken plan (a lever that does not exist, timings that do not add up, ...).
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import dpmkit as dk
from dpmkit.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
WORKSHOPS = ROOT / "workshops"
PLANS = WORKSHOPS / "session-plans"
GUIDE = WORKSHOPS / "games-guide.md"
VIEWS = WORKSHOPS / "facilitator-view"
SOURCES = ROOT / "notebooks" / "solutions"

EXPECTED_PLANS = {"taster-90min.md", "half-day.md", "full-day-learning-partnership.md",
                  "university-seminar-2h.md", "four-week-module.md"}
#: The plans that play a game in the room, and the game(s) each plays.
GAME_PLANS = {"taster-90min.md": {"surrey"}, "half-day.md": {"surrey"},
              "full-day-learning-partnership.md": {"surrey", "attractor"},
              "university-seminar-2h.md": {"targets_vs_learning"}}
NOTEBOOKS = tuple(sorted(p.stem for p in SOURCES.glob("[0-9][0-9]_*.ipynb")))


def _read(path):
    return Path(path).read_text(encoding="utf-8")


# ------------------------------------------------------------------ timetables
def timetables(text):
    """Each timetable (| Time | Min | Activity | Materials |) as a list of (start, minutes, activity, materials)."""
    tables, current = [], None
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells and cells[:2] == ["Time", "Min"]:
            current = []
            tables.append(current)
        elif cells and current is not None and re.fullmatch(r"\d{1,2}:\d\d", cells[0]):
            current.append((cells[0], int(cells[1]), cells[2], cells[3] if len(cells) > 3 else ""))
        elif not line.startswith("|"):
            current = None
    return tables


def timetable_problems(text, weekly=None):
    """Rows that do not follow each other, or a total that is not the stated duration."""
    problems = []
    tables = timetables(text)
    if not tables:
        return ["no timetable (| Time | Min | Activity | Materials |)"]
    declared = re.search(r"\*\*Duration:\*\*\s*(\d+) minutes", text)
    for rows in tables:
        clock = datetime.strptime(rows[0][0], "%H:%M")
        for start, minutes, activity, _ in rows:
            if datetime.strptime(start, "%H:%M") != clock:
                problems.append(f"{start} ({activity[:30]}) should start at {clock:%H:%M}")
            if not 5 <= minutes <= 60:
                problems.append(f"{start} lasts {minutes} minutes")
            clock = datetime.strptime(start, "%H:%M") + timedelta(minutes=minutes)
        total = sum(m for _, m, _, _ in rows)
        expected = weekly if weekly else (int(declared[1]) if declared else None)
        if expected is None:
            problems.append("no **Duration:** N minutes line")
        elif total != expected:
            problems.append(f"the timetable lasts {total} minutes, not {expected}")
    return problems


# ------------------------------------------------------------------ what the kit knows
@functools.cache
def _game_models():
    return {name: spec.build_model() for name, spec in dk.game.GAMES.items()}


@functools.cache
def known_names():
    """Every name a workshop document may put in backticks as a kit name."""
    names = set(dk.game.available()) | set(NOTEBOOKS)
    for name, spec in dk.game.GAMES.items():
        names |= {r.name for r in spec.roles} | set(spec.owner) | {e.name for e in spec.events}
        names |= set(spec.contexts) | {o.name for o in spec.outcomes}
        names |= {v.name for v in _game_models()[name].variables}
    for model in dk.models.available():
        names |= {v.name for v in dk.models.load(model).variables}
    names |= {source.key for source in dk.evidence.all_sources()}
    return frozenset(names)


def _evidence_key(name):
    try:
        dk.evidence.get(name)
    except (dk.ModelError, KeyError):
        return False
    return True


def name_problems(text):
    """Backticked snake_case names that are neither kit names nor evidence keys."""
    problems = []
    for name in sorted(set(re.findall(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`", text))):
        if name not in known_names() and not _evidence_key(name):
            problems.append(f"`{name}` is not a game, role, lever, event, context, outcome, model variable, "
                            "notebook or evidence key of the kit")
    return problems


def status_problems(text):
    """"`key`, published" (or derived, assumption): the key must be in the evidence registry with that status."""
    problems = []
    for key, status in set(re.findall(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`, (published|derived|assumption)", text)):
        if not _evidence_key(key):
            problems.append(f"`{key}` is cited as {status} but is not in the evidence registry")
        elif dk.evidence.get(key).status != status:
            problems.append(f"`{key}` is cited as {status} but the registry says {dk.evidence.get(key).status}")
    return problems


def _number(text):
    return float(text.replace(",", "").replace("−", "-"))


def range_problems(text):
    """A game lever named with a range, "`lever` (low to high...", must have the game's range;
    with "; value)" after it, that value must be where the game starts."""
    problems = []
    for lever, low, high, start in re.findall(
            r"`([a-z][a-z0-9_]*)` \((-?[\d.,]+) to (-?[\d.,]+)[^;)]*(?:; ([\d.,]+))?\)", text):
        games = [g for g, spec in dk.game.GAMES.items() if lever in spec.owner]
        if not games:
            problems.append(f"`{lever}` is given a range but is no game's lever")
            continue
        for game in games:
            bounds = _game_models()[game].param(lever).bounds
            if (_number(low), _number(high)) != tuple(bounds):
                problems.append(f"`{lever}` ranges {low} to {high} in the text but {bounds[0]:g} to {bounds[1]:g} "
                                f"in the game {game!r}")
            if start and _number(start) != _game_models()[game].param(lever).default:
                problems.append(f"`{lever}` starts at {start} in the text but at "
                                f"{_game_models()[game].param(lever).default:g} in the game {game!r}")
    return problems


# ------------------------------------------------------------------ game sections and lever figures
_GAME_LINE = re.compile(r"^\*\*Game:\*\*\s*`([a-z_]+)`, context `([a-z_]+)`, rounds (\d+) to (\d+)", re.M)
_GAME_HEADING = re.compile(r"^#{2,3} .*\(`([a-z_]+)`\)\s*$", re.M)
_ROW = re.compile(r"^\|\s*`([a-z0-9_]+)`\s*\|\s*`([a-z0-9_]+)`\s*\|\s*(-?[\d.,]+) to (-?[\d.,]+)\s*\|"
                  r"\s*`([a-z0-9_]+)`, end of round (\d+)\s*\|\s*(-?[\d.,]+)\s*\|\s*(-?[\d.,]+)\s*\|\s*$", re.M)


def game_sections(text):
    """[(game, context, first round, last round, section text)]: each "**Game:**" line (plans) or
    heading ending in (`game`) (the guide), up to the next one or the next level-2 heading."""
    marks = []
    for m in _GAME_LINE.finditer(text):
        marks.append((m.start(), m.group(1), m.group(2), int(m.group(3)), int(m.group(4))))
    for m in _GAME_HEADING.finditer(text):
        marks.append((m.start(), m.group(1), None, None, None))
    marks.sort()
    ends = [m.start() for m in re.finditer(r"^## ", text, re.M)] + [len(text)]
    sections = []
    for k, (at, game, context, first, last) in enumerate(marks):
        stop = min([e for e in ends if e > at] + [marks[k + 1][0] if k + 1 < len(marks) else len(text)])
        sections.append((game, context, first, last, text[at:stop]))
    return sections


@functools.cache
def _value(game, context, lever, value, outcome, round_number):
    spec = dk.game.GAMES[game]
    end = spec.rounds[round_number - 1].end
    run = simulate(_game_models()[game], spec.contexts[context], events={spec.rounds[0].start: {lever: value}},
                   stop=end)
    return float(run.at(end, outcome))


def _tolerance(shown):
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return 0.5 * 10 ** -decimals * 1.02


def lever_problems(text, *, plan):
    """Problems with the games and lever rows of a plan (``plan=True``: rounds and context stated,
    every lever must move what its role sees by 5% within the rounds played) or of the guide."""
    problems, used = [], []
    sections = game_sections(text)
    for game, context, first, last, section in sections:
        if game not in dk.game.GAMES:
            problems.append(f"no game {game!r}; the games are {', '.join(dk.game.available())}")
            continue
        spec = dk.game.GAMES[game]
        context = context or spec.default_context
        if context not in spec.contexts:
            problems.append(f"the game {game!r} has no context {context!r}")
            continue
        if plan and not 1 <= first <= last <= len(spec.rounds):
            problems.append(f"{game}: rounds {first} to {last}, but the game has rounds 1 to {len(spec.rounds)}")
            continue
        last = last or len(spec.rounds)
        rows = _ROW.findall(section)
        if plan and not rows:
            problems.append(f"{game}: the plan names no lever with what it changes within the rounds played")
        for role, lever, low, high, outcome, rnd, at_low, at_high in rows:
            used.append((game, lever))
            rnd = int(rnd)
            where = f"{game}, {role}, {lever}"
            if role not in {r.name for r in spec.roles}:
                problems.append(f"{where}: no role {role!r}")
                continue
            if lever not in spec.role(role).levers:
                problems.append(f"{where}: the role {role!r} holds {', '.join(spec.role(role).levers)}, not {lever!r}")
                continue
            bounds = _game_models()[game].param(lever).bounds
            if (_number(low), _number(high)) != tuple(bounds):
                problems.append(f"{where}: range {low} to {high} stated, the game's is {bounds[0]:g} to {bounds[1]:g}")
                continue
            if outcome not in {o.name for o in spec.outcomes}:
                problems.append(f"{where}: {outcome!r} is not an outcome of the game")
                continue
            if not 1 <= rnd <= last:
                problems.append(f"{where}: round {rnd} is not among the rounds played (to {last})")
                continue
            for shown, value in ((at_low, bounds[0]), (at_high, bounds[1])):
                got = _value(game, context, lever, value, outcome, rnd)
                if abs(got - _number(shown)) > _tolerance(shown):
                    problems.append(f"{where}: {outcome} at the end of round {rnd} with the lever at {value:g} is "
                                    f"{got:.4g}, the text says {shown}")
            if plan:
                o = spec.outcome(outcome)
                if outcome not in spec.role(role).sees:
                    problems.append(f"{where}: the role does not see {outcome!r}")
                moved = abs(_number(at_high) - _number(at_low)) / (o.high - o.low)
                if moved < 0.05:
                    problems.append(f"{where}: moves {outcome} by only {moved:.1%} of its range by round {rnd}")
    # every lever of a plan's game named anywhere in the plan must have its row, and a model's
    # policy lever that the game does not offer (e.g. one that changes nothing in the rounds) is no lever
    if plan:
        shown = {lever for _, lever in used}
        for game, *_ in sections:
            if game not in dk.game.GAMES:
                continue
            spec = dk.game.GAMES[game]
            for lever in spec.owner:
                if f"`{lever}`" in text and lever not in shown:
                    problems.append(f"{game}: the plan names `{lever}` but does not show what it changes within "
                                    "the rounds played")
            for p in _game_models()[game].policy_levers:
                if f"`{p.name}`" in text and p.name not in spec.owner:
                    problems.append(f"{game}: `{p.name}` is a lever of the model but not of the game")
    return problems


# ------------------------------------------------------------------ notebook sections
@functools.cache
def notebook_headings(name):
    nb = json.loads(_read(SOURCES / f"{name}.ipynb"))
    out = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            out |= {m.strip() for m in re.findall(r"^#{2,3}\s+(.*)$", "".join(cell["source"]), re.M)}
    return out


def view_minutes(name):
    """(teaching, exercises) minutes from the notebook's facilitator view."""
    m = re.search(r"\*\*Timing:\*\*\s*(\d+) min teaching \+ (\d+) min exercises", _read(VIEWS / f"{name}.md"))
    return (int(m[1]), int(m[2])) if m else None


def section_problems(text):
    """The "| Notebook | Facilitator view | Use | Skip | Minutes |" table against the notebooks,
    their facilitator views and the plan's timetable."""
    problems = []
    rows = []
    header = False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells and cells[:2] == ["Notebook", "Facilitator view"]:
            header = True
        elif cells and header and not set(cells[0]) <= {"-"}:
            rows.append(cells)
        elif not line.startswith("|"):
            header = False
    tables = timetables(text)
    for cells in rows:
        if len(cells) != 5:
            problems.append(f"the notebook row {cells[0]!r} needs five cells")
            continue
        name = cells[0].strip("`[] ").split("]")[0]
        if name not in NOTEBOOKS:
            problems.append(f"{name!r} is not a notebook of the kit")
            continue
        stated = re.fullmatch(r"(\d+) \+ (\d+) min", cells[1])
        if not stated or (int(stated[1]), int(stated[2])) != view_minutes(name):
            problems.append(f"{name}: the facilitator view says {view_minutes(name)} (teaching, exercises) minutes, "
                            f"the plan says {cells[1]!r}")
            continue
        for column in (cells[2], cells[3]):
            for section in re.findall(r"\"([^\"]+)\"", column):
                if section not in notebook_headings(name):
                    problems.append(f"{name}: no section {section!r} (its sections: "
                                    f"{sorted(notebook_headings(name))})")
        minutes = int(cells[4]) if cells[4].isdigit() else None
        timetabled = sum(m for rows_ in tables for _, m, _, materials in rows_ if name in materials)
        if minutes != timetabled:
            problems.append(f"{name}: {cells[4]} minutes in the notebook table, {timetabled} in the timetable")
        if minutes is not None and minutes < sum(view_minutes(name)) and not re.search(r"\"[^\"]+\"", cells[3]):
            problems.append(f"{name}: {minutes} minutes is less than the facilitator view's "
                            f"{sum(view_minutes(name))}, but the plan skips no section")
    return problems, [c[0].strip("`[] ").split("]")[0] for c in rows]


# ------------------------------------------------------------------ links
def _slug(heading):
    text = re.sub(r"[^\w\s-]", "", heading.strip().lower())
    return re.sub(r"\s", "-", text)


def link_problems(path, root=ROOT):
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", _read(path)):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path.resolve()
        try:
            resolved.relative_to(root)
        except ValueError:
            problems.append(f"{path.name}: {target} leaves the kit")
            continue
        if not resolved.exists():
            problems.append(f"{path.name}: {target} does not exist")
            continue
        if anchor and resolved.suffix == ".md":
            headings = re.findall(r"^#+\s+(.*)$", _read(resolved), re.M)
            if anchor not in {_slug(h) for h in headings}:
                problems.append(f"{path.name}: no heading for #{anchor} in {resolved.name}")
    return problems


# ================================================================== the tests
def test_the_session_plans_are_all_there():
    assert {p.name for p in PLANS.glob("*.md")} - {"README.md"} == EXPECTED_PLANS


@pytest.mark.parametrize("plan", sorted(EXPECTED_PLANS))
def test_timetables_add_up_to_the_stated_length(plan):
    text = _read(PLANS / plan)
    weekly = 120 if plan == "four-week-module.md" else None
    assert not timetable_problems(text, weekly), timetable_problems(text, weekly)
    if plan != "four-week-module.md":
        assert "*can shrink*" in text.lower(), f"{plan}: mark what to cut when running late"


@pytest.mark.parametrize("plan", sorted(GAME_PLANS))
def test_the_games_and_levers_a_plan_names_exist_and_act_within_the_rounds_played(plan):
    text = _read(PLANS / plan)
    played = {game for game, *_ in game_sections(text)}
    assert played == GAME_PLANS[plan], f"{plan} plays {played}"
    problems = lever_problems(text, plan=True) + name_problems(text) + range_problems(text)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", [f"session-plans/{p}" for p in sorted(EXPECTED_PLANS) + ["README.md"]]
                         + ["README.md", "setup.md", "games-guide.md"])
def test_every_workshop_page_names_only_what_the_kit_has(page):
    text = _read(WORKSHOPS / page)
    problems = name_problems(text) + range_problems(text) + status_problems(text)
    assert not problems, f"{page}:\n" + "\n".join(problems)


def test_the_games_guide_figures_are_what_the_games_give():
    text = _read(GUIDE)
    sections = game_sections(text)
    assert {game for game, *_ in sections} == set(dk.game.available()), "the guide covers every game"
    rows = _ROW.findall(text)
    # every lever of every game has at least one figure in the guide
    for name, spec in dk.game.GAMES.items():
        shown = {lever for _, lever, *_ in _ROW.findall(next(s for g, *_, s in sections if g == name))}
        missing = [lev for lev in spec.owner if lev not in shown and not lev.startswith("local_learning_0")]
        assert not missing, f"the guide shows no figure for {name}'s levers {missing}"
        for event in spec.events:
            assert f"`{event.name}`" in text, f"the guide does not explain the event {event.name!r}"
        for context in spec.contexts:
            assert f"`{context}`" in text, f"the guide does not explain the context {context!r}"
    assert len(rows) >= 20
    problems = lever_problems(text, plan=False) + name_problems(text) + range_problems(text)
    assert not problems, "\n".join(problems)


def test_the_games_guide_cites_the_evidence_registry_with_status():
    text = _read(GUIDE)
    keys = set(re.findall(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`, (published|derived|assumption)", text))
    assert len(keys) >= 10
    for key, status in keys:
        assert dk.evidence.get(key).status == status, f"{key} is {dk.evidence.get(key).status}, not {status}"
    for seed in ("Bovaird and Smith", "French and Mollinger-Sahba", "Human Learning Systems"):
        assert seed in text, seed


@pytest.mark.parametrize("plan", sorted(EXPECTED_PLANS - {"four-week-module.md"}))
def test_notebook_sections_exist_and_timings_agree_with_the_facilitator_views(plan):
    text = _read(PLANS / plan)
    problems, listed = section_problems(text)
    assert not problems, "\n".join(problems)
    used = {n for rows in timetables(text) for *_, materials in rows
            for n in re.findall(r"\d\d_[a-z_]+[a-z]", materials)}
    assert used, f"{plan} uses no notebook"
    assert used <= set(listed), f"{plan}: the timetable uses {sorted(used - set(listed))} without saying which sections"


def test_the_plans_open_with_what_notebook_00_does():
    for plan in ("taster-90min.md", "half-day.md", "full-day-learning-partnership.md"):
        text = _read(PLANS / plan)
        first = timetables(text)[0][:3]
        assert any("00_start_here" in materials for *_, materials in first), f"{plan} does not open with 00"
        assert "`coproduction_effort`" in text and "Predict before you run" in text, plan
    # what the plans say the 00 run gives is what it gives
    model = dk.models.load("surrey")
    march_2014 = dk.models.surrey.observed()["neet"].index[-1]
    base = dk.simulate(model).at(march_2014, "neet")
    without = dk.simulate(model, {"coproduction_effort": 0}).at(march_2014, "neet")
    for plan in ("taster-90min.md", "half-day.md"):
        text = _read(PLANS / plan)
        said = r"about ([\d,]+) young people NEET at the end of March 2014 as it happened, about ([\d,]+) without"
        figures = re.search(said.replace(" ", r"\s+"), text)
        assert figures, f"{plan} does not say what the 00 run gives"
        assert abs(_number(figures[1]) - base) <= 10 and abs(_number(figures[2]) - without) <= 10, (base, without)


def test_plans_with_a_game_say_how_to_run_it_and_the_fallbacks():
    for plan, games in GAME_PLANS.items():
        text = _read(PLANS / plan)
        for needed in ("make room", "../games-guide.md", "../room.md", "../handouts/role-cards.html", "paper",
                       "QR"):
            assert needed in text, f"{plan} does not mention {needed}"
        for game in games:
            for role in dk.game.GAMES[game].roles:
                if not role.name.startswith("locality_"):
                    assert f"`{role.name}`" in text, f"{plan} does not give the {role.name} role to a table"


def test_the_four_week_module_names_the_hub_route_and_the_games():
    text = _read(PLANS / "four-week-module.md")
    assert "JupyterHub" in text and "../setup.md" in text
    for game in dk.game.available():
        assert f"`{game}`" in text, game


def test_the_targets_game_says_which_of_its_numbers_are_evidence():
    """The game's description (on its room pages, the role cards and the lab's pages) names the
    numbers that are not teaching assumptions: exactly those the registry does not label assumption.
    It said the parking ceiling was one of them; the registry labels it an assumption."""
    spec = dk.game.GAMES["targets_vs_learning"]
    model = spec.build_model()
    keys = {p.source for p in model.params if _evidence_key(p.source or "")}
    evidence = {key for key in keys if dk.evidence.get(key).status != "assumption"}
    assert evidence == {"gaming_ae_gap"} and "gaming_parking_ceiling" in keys
    text = " ".join(spec.description.split())
    assert "except the gaming gap, derived from published A&E figures" in text
    assert "the parking ceiling takes a published figure as an upper bound and is an assumption too" in text


def test_the_modules_marking_guide_quotes_what_notebook_07_prints():
    """The strong critique the marking guide describes quotes notebook 07's J-curve and sensitivity
    cells (the same calls, re-run here); markers check scripts against these figures."""
    text = " ".join(_read(PLANS / "four-week-module.md").split())
    model = dk.models.load("targets_vs_learning")
    targets = simulate(model, model.scenario("targets"))
    learning = simulate(model, model.scenario("learning"))
    said = (f"at year 5 the target regime reports {targets.at(5, 'reported_performance'):.2f} while true "
            f"performance is {targets.at(5, 'true_performance'):.2f}")
    assert said in text
    assert f"the learning regime reports what it achieves, {learning.at(5, 'true_performance'):.2f}" in text
    assert abs(learning.at(5, "reported_performance") - learning.at(5, "true_performance")) < 1e-9

    def gap(runs):
        return runs.at(5, "reported_performance") - runs.at(5, "true_performance")

    # the notebook's own sensitivity call
    swings = dk.sensitivity(model, outputs={"gap": gap}, params=[
        "max_gaming_gap", "gaming_time", "parking_rate", "max_parked_share", "incentive_strength",
        "outcome_target", "reporting_burden", "crowding_out"])
    assert f"a gap of {swings['output_base'].iloc[0]:.3f}" in text
    assert list(swings["param"][:2]) == ["incentive_strength", "outcome_target"]  # the two widest: levers
    assert all(model[p].role == "policy_lever" for p in swings["param"][:2])
    top = swings.iloc[0]
    assert f"(gap {top['output_low']:.3f} at 0, {top['output_high']:.3f} at 1)" in text
    uncertain = swings[[model[p].role != "policy_lever" for p in swings["param"]]]
    ends = uncertain[["output_low", "output_high"]]
    low, high = ends.min().min(), ends.max().max()
    assert f"keeps the gap between {low:.3f} and {high:.3f}" in text
    assert list(uncertain["param"][:2]) == ["reporting_burden", "max_gaming_gap"]  # "the widest of them"
    for name, key in (("reporting_burden", "hls_model_ranges"), ("max_gaming_gap", "gaming_ae_gap")):
        assert model[name].source == key and f"`{key}`, {dk.evidence.get(key).status}" in text


@pytest.mark.parametrize("path", sorted(p.relative_to(WORKSHOPS).as_posix() for p in WORKSHOPS.rglob("*.md")
                                        if p.parent.name not in ("handouts", "facilitator-view")))
def test_every_link_between_workshop_documents_resolves(path):
    problems = link_problems(WORKSHOPS / path)
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ the checkers catch what they must
_BROKEN_TIMETABLE = """**Duration:** 90 minutes.

| Time | Min | Activity | Materials |
|---|---|---|---|
| 14:00 | 30 | Welcome | |
| 14:30 | 30 | Game | |
| 15:10 | 20 | Debrief | |
"""


def test_the_timetable_check_catches_gaps_and_wrong_totals():
    problems = timetable_problems(_BROKEN_TIMETABLE)
    assert any("should start at 15:00" in p for p in problems)
    assert any("lasts 80 minutes, not 90" in p for p in problems)
    fixed = _BROKEN_TIMETABLE.replace("15:10 | 20", "15:00 | 30")
    assert timetable_problems(fixed) == []


def _game_plan(rows, rounds="1 to 4"):
    return (f"## The game\n\n**Game:** `surrey`, context `as_it_happened`, rounds {rounds}.\n\n"
            "| role | lever | range | outcome, when | at the bottom | at the top |\n|---|---|---|---|---|---|\n"
            + "\n".join(rows) + "\n")


GOOD_ROW = "| `commissioners` | `decommissioning_years` | 1 to 5 | `neet`, end of round 1 | 1,261 | 1,097 |"


def test_the_lever_check_accepts_a_true_row():
    assert lever_problems(_game_plan([GOOD_ROW]), plan=True) == []


@pytest.mark.parametrize("row, rounds, words", [
    (GOOD_ROW.replace("decommissioning_years", "decommissioning_speed"), "1 to 4", "holds"),
    (GOOD_ROW.replace("1 to 5", "1 to 10"), "1 to 4", "range 1 to 10 stated"),
    (GOOD_ROW.replace("1,261", "1,400"), "1 to 4", "the text says 1,400"),
    (GOOD_ROW.replace("`commissioners`", "`ombudsman`"), "1 to 4", "no role"),
    ("| `voluntary_sector` | `matching_ratio` | 0 to 1 | `coproduction_hours`, end of round 3 | 0 | 0 |", "1 to 3",
     "moves coproduction_hours by only 0.0%"),
    ("| `voluntary_sector` | `matching_ratio` | 0 to 1 | `coproduction_hours`, end of round 4 | 0 | 297 |", "1 to 3",
     "not among the rounds played"),
    (GOOD_ROW, "1 to 9", "the game has rounds 1 to 5"),
])
def test_the_lever_check_catches_levers_that_do_not_exist_or_do_not_act(row, rounds, words):
    problems = lever_problems(_game_plan([row], rounds), plan=True)
    assert any(words in p for p in problems), problems


def test_the_lever_check_catches_a_lever_named_without_its_effect():
    text = _game_plan([GOOD_ROW]) + "\nThe council table moves `post2015_cut` in round 2.\n"
    assert any("names `post2015_cut`" in p for p in lever_problems(text, plan=True))
    text = _game_plan([GOOD_ROW]) + "\nThe commissioners also choose `evaluation_after`.\n"
    assert any("`evaluation_after` is a lever of the model but not of the game" in p
               for p in lever_problems(text, plan=True))


def test_the_status_check_catches_a_wrong_status_or_an_unknown_key():
    assert status_problems("NEET fell to 429 (`surrey_neet_2014`, published)") == []
    assert status_problems("NEET fell to 429 (`surrey_neet_2014`, assumption)") != []
    assert status_problems("(`surrey_neet_2015`, published)") != []


def test_the_name_and_range_checks_catch_unknown_names_and_wrong_ranges():
    assert name_problems("move `coproduction_efort` to 0") != []
    assert name_problems("move `coproduction_effort` to 0; see `surrey_neet_2014`") == []
    assert range_problems("`coproduction_effort` (0 to 2)") != []
    assert range_problems("`voice_insight` (0 to 0.6; 0.4)") == []
    assert range_problems("`voice_insight` (0 to 0.6; 0.5)") != []


def test_the_section_check_catches_missing_sections_and_unexplained_cuts():
    teach, exercise = view_minutes("00_start_here")
    table = ("| Notebook | Facilitator view | Use | Skip | Minutes |\n|---|---|---|---|---|\n"
             f"| `00_start_here` | {teach} + {exercise} min | {{use}} | {{skip}} | 15 |\n\n"
             "| Time | Min | Activity | Materials |\n|---|---|---|---|\n| 14:00 | 15 | Lever | 00_start_here |\n")
    ok = table.format(use='"Predict before you run"', skip='"Your turn: move the levers"')
    assert section_problems(ok)[0] == []
    assert any("no section" in p for p in section_problems(table.format(use='"Predict first"', skip='"Key points"'))[0])
    assert any("skips no section" in p
               for p in section_problems(table.format(use='"Predict before you run"', skip="nothing"))[0])
    wrong_view = ok.replace(f"{teach} + {exercise} min", f"{teach + 5} + {exercise} min")
    assert any("facilitator view says" in p for p in section_problems(wrong_view)[0])


def test_the_link_check_catches_a_broken_link(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "guide.md").write_text("# Guide\n\n## How every game works\n", encoding="utf-8")
    page = tmp_path / "plans" / "plan.md"
    page.write_text("[gone](../no-such-file.md) [ok](../guide.md#how-every-game-works) "
                    "[anchor](../guide.md#no-such-heading) [out](../../elsewhere.md)\n", encoding="utf-8")
    problems = link_problems(page, root=tmp_path)
    assert len(problems) == 3, problems
    assert "no-such-file.md does not exist" in problems[0] and "#no-such-heading" in problems[1]
    assert "leaves the kit" in problems[2]


def test_the_guides_what_if_recipe_replays_a_game_exactly(tmp_path):
    # the same steps as the recipe in the games guide's debrief section
    text = _read(GUIDE)
    for line in ('what_if = dk.game.new("game-day1-what-if", g.spec.name, tables=list(g.tables), context=g.context)',
                 "for number in range(1, g.round):", 'decision = dict(zip(rows["lever"], rows["value"]))'):
        assert line in text, line
    g = dk.game.new(tmp_path / "played", "surrey", tables=["Red", "Blue"], context="fragile")
    g.assign("Red", "commissioners")
    g.assign("Blue", "young_people")
    g.decide("Red", {"decommissioning_years": 1.0})
    g.decide("Red", {"decommissioning_years": 2.0, "coproduction_effort": 0.5})  # the latest counts
    g.advance()
    g.decide("Blue", {"voice_insight": 0.6})
    g.advance()
    g.advance()  # a round in which nobody decided
    what_if = dk.game.new(tmp_path / "what-if", g.spec.name, tables=list(g.tables), context=g.context)
    for role, table in g.assignments().items():
        what_if.assign(table, role)
    log = g.log()
    for number in range(1, g.round):
        for table, rows in log[log["round"] == number].groupby("table"):
            what_if.decide(table, dict(zip(rows["lever"], rows["value"])))
        what_if.advance()
    assert what_if.round == g.round
    assert what_if.results().equals(g.results())


@pytest.mark.parametrize(("plan", "name", "tables"), [
    ("full-day-learning-partnership.md", "attractor", ("Red", "Blue", "Green", "Yellow", "Purple", "Orange")),
    ("full-day-learning-partnership.md", "attractor", ("Red", "Blue", "Green", "Yellow")),
    ("taster-90min.md", "surrey", ("Red", "Blue", "Green", "Yellow")),
    ("taster-90min.md", "surrey", ("Red", "Blue", "Green")),
])
def test_a_plan_says_which_table_the_room_gives_each_role(tmp_path, plan, name, tables):
    """The room hands a game's roles out in turn (dpmkit.room.cli.start_game), and a facilitator
    cannot hold one. The full day said the attractor's locality 6 ran on its own, though with six
    tables Red plays it; the taster said that with three tables you hold the council yourself. Each
    plan names what the room does."""
    from types import SimpleNamespace

    pytest.importorskip("solara")
    from dpmkit.room.cli import start_game

    game = start_game(SimpleNamespace(folder=tmp_path, tables=list(tables)), name)
    held = {}
    for role, table in game.assignments().items():
        held.setdefault(table, []).append(role)
    said = "; ".join(f"{t}: " + ", ".join(f"`{r}`" for r in held[t]) for t in tables)
    text = " ".join(_read(PLANS / plan).split())
    assert said in text, f"{plan} should say: {said}"


@pytest.mark.parametrize("plan", ["taster-90min.md", "full-day-learning-partnership.md"])
def test_a_plans_sources_cite_the_registry_with_their_status(plan):
    """A facilitator reads the plan aloud: each published work it names carries its evidence key and
    status, as the games guide does, and each key's status is the registry's. The full day named
    Hesselgreaves et al., Bovaird and Smith and French and Mollinger-Sahba with no key."""
    text = " ".join(_read(PLANS / plan).split())
    cited = re.findall(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`, (published|derived|assumption)", text)
    assert cited, f"{plan} cites no evidence key"
    for key, status in cited:
        assert dk.evidence.get(key).status == status, f"{key} is {dk.evidence.get(key).status}, not {status}"
    named = re.findall(r"([A-Z][a-z]+(?: and [A-Z][a-z-]+)?) \((?:19|20)\d\d"
                       r"|([A-Z][a-z]+ et al\.), (?:19|20)\d\d", text)
    for author in (a or b for a, b in named):
        at = text.index(author)
        assert re.search(r"`[a-z0-9_]+`, (published|derived|assumption)", text[at:at + 260]), (
            f"{plan}: {author} is cited without its evidence key and status")


_COUNTS = {"three": 3, "four": 4, "five": 5, "six": 6}


def stated_holdings(text):
    """``{n: {table: [role, ...]}}`` from a plan's "with four tables: Red: `a`, `b`; Blue: `c`." and
    "With five: Red: `a`, `f`; Blue: `b`." sentences."""
    found = {}
    for count, body in re.findall(r"[Ww]ith (three|four|five|six)(?: tables)?: ((?:\w+: `\w+`(?:, `\w+`)*[;.] ?)+)",
                                  " ".join(text.split())):
        found[_COUNTS[count]] = {table: re.findall(r"`(\w+)`", roles)
                                 for table, roles in re.findall(r"(\w+): ((?:`\w+`(?:, )?)+)", body)}
    return found


@pytest.mark.parametrize("plan", ["taster-90min.md", "half-day.md"])
def test_a_plan_says_which_roles_its_own_tables_hold_as_the_room_hands_them_out(plan, tmp_path):
    """A newcomer types the plan's command with its table names and reads, in the plan, which
    roles each table will hold in the Surrey game. The room hands the roles out in turn
    (``dpmkit.room.cli.start_game``); the plan states that hand-out for the number of tables its
    own command names, and every hand-out it states is the room's. (The half-day plan's command
    named five tables and described only four: with four tables in the room, its fifth table held
    youth justice with nobody sitting at it.)"""
    import types

    from dpmkit.room.cli import start_game

    text = _read(PLANS / plan)
    holdings = stated_holdings(text)
    commands = re.findall(r'ROOM_TABLES="([^"]+)"[^`]*?ROOM_ARGS="--game surrey"', " ".join(text.split()))
    assert commands, f"{plan}: no command starting the Surrey game with named tables"
    for names in commands:
        assert len(names.split(",")) in holdings, (
            f"{plan}: its command names {len(names.split(','))} tables but says nothing of which roles they hold")
    for count, stated in holdings.items():
        tables = list(stated)
        assert len(tables) == count, (plan, count, tables)
        game = start_game(types.SimpleNamespace(folder=tmp_path / f"{plan}-{count}", tables=tables), "surrey")
        room = {t: [r for r, held in game.assignments().items() if held == t] for t in tables}
        assert {t: sorted(r) for t, r in stated.items()} == {t: sorted(r) for t, r in room.items()}, (plan, count)
