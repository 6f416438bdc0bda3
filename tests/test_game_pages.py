"""The game's debrief, exports and what its pages show, without a browser.

Numbers are checked against independent runs of the game's model (``dk.simulate`` with the
events written out here), not against the functions under test.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import dpmkit as dk
from dpmkit import words
from dpmkit.game import debrief, present, records

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["Red", "Blue", "Green", "Yellow"]


@pytest.fixture
def played(tmp_path):
    """Two rounds of the Surrey game: four tables, an injected scandal, a prediction."""
    g = dk.game.new(tmp_path / "game", "surrey", tables=TABLES)
    for k, role in enumerate(g.roles):
        g.assign(TABLES[k % 4], role)
    g.decide("Red", {"cut_fraction": 0.4})
    g.decide("Blue", {"coproduction_effort": 1.0, "decommissioning_years": 2.0},
             predictions={"neet": {2010.25: 900.0}})
    g.decide("Blue", {"coproduction_effort": 0.8})  # a change of mind: the later value counts
    g.decide("Yellow", {"voice_insight": 0.5})
    g.advance()
    g.decide("Green", {"matching_ratio": 0.9})
    g.decide("Red", {"yri_diversion": 0.4})
    g.inject("scandal")
    g.advance()
    return g


def _script(decisions, scandal_at=None):
    script = {}
    for when, changes in decisions:
        script.setdefault(when, {}).update(changes)
    if scandal_at is not None:
        script.setdefault(scandal_at, {}).update({"trust_2006": 0.2})
    return script


AS_PLAYED = [(2009.25, {"cut_fraction": 0.4, "coproduction_effort": 0.8, "decommissioning_years": 2.0,
                        "voice_insight": 0.5}),
             (2010.25, {"matching_ratio": 0.9, "yri_diversion": 0.4})]


def _run(g, script, stop=2011.25):
    return dk.simulate(g.model, events=script, stop=stop).to_frame()


def test_counterfactuals_rerun_the_game_with_one_decision_swapped(played):
    g = played
    every = debrief.counterfactuals(g, key_only=False)
    # One row per (round, table, lever): Blue's two coproduction_effort ballots make one decision.
    assert len(every) == 6
    blue = every[(every["table"] == "Blue") & (every["lever"] == "coproduction_effort")].iloc[0]
    assert blue["chosen"] == 0.8 and blue["alternative"] == 0.0  # the far end of its range (0 to 1)
    as_played = _run(g, _script(AS_PLAYED, 2010.25))
    swapped = [(2009.25, {**AS_PLAYED[0][1], "coproduction_effort": 0.0}), AS_PLAYED[1]]
    what_if = _run(g, _script(swapped, 2010.25))
    assert blue["value"] == pytest.approx(as_played[blue["outcome"]].iloc[-1])
    assert blue["what_if_value"] == pytest.approx(what_if[blue["outcome"]].iloc[-1])
    objectives = ["service_quality", "quality_of_life", "governance_conformity"]
    score = sum(g.spec.outcome(o).score(as_played[o].iloc[-1]) for o in objectives) / 3
    other = sum(g.spec.outcome(o).score(what_if[o].iloc[-1]) for o in objectives) / 3
    assert blue["score"] == pytest.approx(score)
    assert blue["what_if_score"] == pytest.approx(other)
    assert abs(other - score) > 0.01  # engagement matters in the Surrey model by April 2011
    # The outcome reported is the one Blue's role sees that the swap moves most (relative to its range).
    sees = g.spec.role("commissioners").sees
    moved = {o: abs(what_if[o].iloc[-1] - as_played[o].iloc[-1]) / (g.spec.outcome(o).high - g.spec.outcome(o).low)
             for o in sees}
    assert blue["outcome"] == max(moved, key=moved.get)
    key = debrief.counterfactuals(g)
    assert sorted(key["table"]) == sorted({"Red", "Blue", "Green", "Yellow"})
    for table, row in key.set_index("table").iterrows():
        mine = every[every["table"] == table]
        assert abs(row["change"]) == pytest.approx(mine["change"].abs().max())


def test_journey_positions_follow_the_levers_in_force(played):
    g = played
    path = debrief.journey(g)
    assert list(path["round"]) == [1, 2]
    assert path.loc[0, "cut_fraction"] == 0.4 and path.loc[1, "cut_fraction"] == 0.4  # levers persist
    assert path.loc[0, "matching_ratio"] == g.model.param("matching_ratio").default
    assert path.loc[1, "matching_ratio"] == 0.9
    # By hand for round 2: each lever's place in its range (two-sided: -1 bottom, +1 top; one-sided:
    # 0 bottom, +1 top) times its lean.
    leans = debrief.REGIME_LEANS["surrey"]
    row = path.loc[1]
    for axis, column in ((0, "imposition"), (1, "plan_rigidity")):
        num = den = 0.0
        for lever, lean in leans.items():
            low, high = g.model.param(lever).bounds
            share = (row[lever] - low) / (high - low)
            num += (lean.imposed, lean.planned)[axis] * (share if lean.one_sided else 2 * share - 1)
            den += abs((lean.imposed, lean.planned)[axis])
        assert row[column] == pytest.approx(0.5 + 0.5 * num / den)
        assert 0 <= row[column] <= 1
    # Green matching less than the default 1 (a less negotiated relationship) moved the regime
    # towards imposed; nothing else that leans on that axis changed in round 2.
    assert g.model.param("matching_ratio").default == 1.0
    assert path.loc[1, "imposition"] > path.loc[0, "imposition"]
    chart = debrief.regime_chart(g)
    assert "negotiated" in chart.description and "April 2009" in chart.description
    diagram = debrief.dpm_chart(g)
    assert "R1 0.4 · R2 0.4" in diagram.svg  # the budget cut, round by round, on its lever box
    owners = {n["name"]: n["owner"] for n in diagram.nodes}
    assert owners["cut_fraction"] == "Red" and owners["coproduction_effort"] == "Blue"


def test_every_lean_names_a_lever_or_what_an_event_of_its_game_sets():
    for name, leans in debrief.REGIME_LEANS.items():
        spec = dk.game.GAMES[name]
        settable = set(spec.owner) | {p for e in spec.events for p in e.changes}
        assert set(leans) <= settable, name
        assert all(isinstance(lean, debrief.Lean) and -1 <= lean.imposed <= 1 and -1 <= lean.planned <= 1
                   for lean in leans.values())
    # what leans and is not a lever is the facilitator's: in the attractor game, the minister's targets
    assert {p for p in debrief.REGIME_LEANS["attractor"] if p not in dk.game.GAMES["attractor"].owner} == \
        {"imposed_targets"}


def _attractor(tmp_path, name="g"):
    g = dk.game.new(tmp_path / name, "attractor", tables=["Partner", "Localities"])
    g.assign("Partner", "learning_partner")
    for role in g.roles:
        if role.startswith("locality_"):
            g.assign("Localities", role)
    return g


def _points(chart):
    """The (x, y) of each point the regime chart marks, from the chart's own data."""
    for layer in chart.to_dict()["layer"]:
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        if mark == "point":
            return [(v["x"], v["y"], v["text"]) for v in layer["data"]["values"]]
    raise AssertionError("the regime chart marks no point")


def test_the_attractor_start_is_at_the_centre_and_the_minister_moves_it_to_imposed_and_back(tmp_path):
    """No table can impose in the attractor game: the start (no commitment, no learning, no
    partnership) is neither imposed nor negotiated; the new minister's targets (the facilitator's
    event) move that round towards imposed and planned; lifting them moves the next round back."""
    g = _attractor(tmp_path)
    g.advance()                      # round 1: nothing chosen, nothing imposed
    g.inject("new_minister")
    g.advance()                      # round 2: the minister's uniform targets
    g.inject("targets_lifted")
    g.advance()                      # round 3: lifted
    path = debrief.journey(g)
    assert list(path["imposed_targets"]) == [0.0, 1.0, 0.0]  # the event's value in force, round by round
    start, minister, lifted = (path.loc[k, ["imposition", "plan_rigidity"]].to_numpy(float) for k in range(3))
    assert start == pytest.approx([0.5, 0.5])
    assert minister[0] >= 0.7 and minister[1] >= 0.7  # towards imposed and planned, clearly
    assert lifted == pytest.approx(start)
    guide = " ".join((ROOT / "workshops" / "games-guide.md").read_text(encoding="utf-8").split())
    assert f"(from the start: {minister[0]:.2f} and {minister[1]:.2f})" in guide  # the guide's figures
    # The debrief's chart draws exactly these points, and says the centre is on neither side.
    chart = debrief.regime_chart(g)
    points = _points(chart)
    assert [(round(x, 9), round(y, 9)) for x, y, _ in points] == \
        [(round(x, 9), round(y, 9)) for x, y in zip(path["imposition"], path["plan_rigidity"])]
    assert [text.split(": ")[1] for *_, text in points] == ["round 1", "round 2", "round 3"]
    assert "Round 1 and round 3 sit on the line between imposed and negotiated (0.5), on neither side." \
        in chart.description


def test_the_attractor_under_full_commitment_and_partnership_reads_negotiated_and_emergent(tmp_path):
    g = _attractor(tmp_path)
    g.decide("Partner", {"learning_partnership": 1.0})
    g.decide("Localities", {f"framework_commitment_{k:02d}": 1.0 for k in range(1, 7)})
    g.advance()                      # committed and partnered, no local learning yet
    g.decide("Localities", {f"local_learning_{k:02d}": 1.0 for k in range(1, 7)})
    g.advance()                      # and learning
    g.inject("new_minister")
    g.advance()                      # the minister's targets over a committed, learning partnership
    path = debrief.journey(g)
    x, y = path["imposition"].to_numpy(), path["plan_rigidity"].to_numpy()
    assert x[0] < 0.4 and y[0] < 0.5          # negotiated, a little emergent (the framework gives direction)
    assert x[1] < x[0] and y[1] < y[0] < 0.5  # learning cycles: more negotiated, more emergent
    assert x[1] < 0.3 and y[1] < 0.35         # the learning-partnerships cell, clearly
    assert x[2] > x[1] and y[2] > y[1]        # the minister pulls back towards imposed and planned
    assert x[2] == pytest.approx(0.5)         # by design: as strong as everything the tables do together
    guide = (ROOT / "workshops" / "games-guide.md").read_text(encoding="utf-8")
    assert f"imposition {x[1]:.2f}, plan rigidity {y[1]:.2f}" in " ".join(guide.split())  # the guide's figures
    # One locality committing alone moves the room less than all six together.
    h = _attractor(tmp_path, "one")
    h.decide("Localities", {"framework_commitment_01": 1.0})
    h.advance()
    alone = debrief.journey(h).loc[0, "imposition"]
    assert x[0] < alone < 0.5
    points = _points(debrief.regime_chart(g))
    assert [c for p in points for c in p[:2]] == pytest.approx([c for xy in zip(x, y) for c in xy])


def test_not_doing_something_is_not_doing_its_opposite_in_surrey_and_targets(tmp_path):
    """A one-sided lever is neutral at the bottom of its range: the smallest cut, no further cut and
    the lowest inspection standard do not read as negotiated, and partners and young people who hold
    back do not read as imposed. Two-sided levers (set halfway here) keep their opposite ends."""
    g = dk.game.new(tmp_path / "s", "surrey", tables=["A"])
    for role in g.roles:
        g.assign("A", role)
    g.decide("A", {"cut_fraction": 0.1, "post2015_cut": 0.0, "yri_capability": 0.6, "matching_ratio": 0.0,
                   "voice_insight": 0.0, "decommissioning_years": 3.0, "contract_adaptation_time": 1.75,
                   "coproduction_effort": 0.5, "yri_diversion": 0.625})
    g.advance()
    g.decide("A", {"coproduction_effort": 0.0})  # the commissioners deciding alone: imposed, to plan
    g.advance()
    path = debrief.journey(g)
    assert path.loc[0, ["imposition", "plan_rigidity"]].to_numpy(float) == pytest.approx([0.5, 0.5])
    assert path.loc[1, "imposition"] > 0.55 and path.loc[1, "plan_rigidity"] > 0.5
    t = dk.game.new(tmp_path / "t", "targets_vs_learning", tables=["A"])
    for role in t.roles:
        t.assign("A", role)
    t.decide("A", {"incentive_strength": 0.0, "outcome_target": 0.3, "reporting_burden": 0.0,
                   "learning_regime": 0.5, "user_voice": 0.0})
    t.advance()
    t.decide("A", {"learning_regime": 0.0})  # the scale's bottom is running on targets: the opposite way
    t.advance()
    t.decide("A", {"learning_regime": 1.0, "user_voice": 1.0})
    t.advance()
    path = debrief.journey(t)
    assert path.loc[0, ["imposition", "plan_rigidity"]].to_numpy(float) == pytest.approx([0.5, 0.5])
    assert path.loc[1, "imposition"] > 0.6 and path.loc[1, "plan_rigidity"] > 0.6
    assert path.loc[2, "imposition"] < 0.3 and path.loc[2, "plan_rigidity"] < 0.35


def test_predictions_against_outcomes(played):
    g = played
    frame = debrief.predictions(g)
    assert len(frame) == 1
    row = frame.iloc[0]
    truth = _run(g, _script(AS_PLAYED, 2010.25))
    k = int(abs(truth.index.to_numpy() - 2010.25).argmin())
    assert row["table"] == "Blue" and row["predicted"] == 900.0
    assert row["outcome"] == pytest.approx(truth["neet"].iloc[k])
    assert row["error"] == pytest.approx(900.0 - truth["neet"].iloc[k])


def test_a_new_game_has_no_debrief_yet(tmp_path):
    g = dk.game.new(tmp_path / "g", "attractor", tables=["A"])
    assert debrief.journey(g).empty and debrief.counterfactuals(g).empty and debrief.predictions(g).empty
    with pytest.raises(dk.ModelError, match="no round has been closed yet"):
        debrief.regime_chart(g)
    paths = dk.game.export(g)
    assert "debrief_html" not in paths
    assert pd.read_csv(paths["log_csv"]).empty
    assert pd.read_csv(paths["results_csv"]).empty


def test_export_holds_the_log_and_results(played):
    g = played
    paths = dk.game.export(g)
    assert {p.parent for p in paths.values()} == {g.folder / "export"}
    log = pd.read_csv(paths["log_csv"])
    decisions = log[log["kind"] == "decision"]
    expected = g.log()
    assert len(decisions) == len(expected) == 7
    assert list(decisions["lever"]) == list(expected["lever"])
    assert list(decisions["value"]) == pytest.approx(list(expected["value"]))
    events = log[log["kind"] == "event"]
    assert list(events["event"]) == ["scandal"] and list(events["round"]) == [2]
    results = pd.read_csv(paths["results_csv"], index_col="time")
    truth = _run(g, _script(AS_PLAYED, 2010.25))
    for o in ("neet", "trust", "service_quality"):
        assert results[o].iloc[-1] == pytest.approx(truth[o].iloc[-1])
    assert results.index[-1] == pytest.approx(2011.25)
    doc = json.loads(paths["log_json"].read_text(encoding="utf-8"))
    assert doc["game"] == "surrey" and doc["tables"] == TABLES
    assert [r["closed"] for r in doc["rounds"]] == [True, True, False, False, False]
    assert len(doc["log"]) == 8
    assert doc["results"]["neet"][-1] == pytest.approx(truth["neet"].iloc[-1])
    assert len(doc["counterfactuals"]) == 4 and len(doc["predictions"]) == 1
    assert {r["table"] for r in doc["scoreboard"]} == set(TABLES)
    # The exports are not ballots: collecting the game folder is unaffected.
    assert not dk.workshop.collect(g.folder, model=g.model).rejected


def test_debrief_sheet_is_self_contained_and_printable(played):
    sheet = records.debrief_html(played)
    assert sheet.startswith("<!DOCTYPE html>")
    assert "@media print" in sheet and "@page" in sheet
    assert sheet.count("<svg") >= 3  # results, the 2x2, the DPM chart
    assert "<script" not in sheet.lower()
    assert "src=" not in sheet and "href=" not in sheet and "@import" not in sheet  # nothing to fetch
    assert "Round 2: 2010/11: consulting young people" in sheet
    assert "Event:</b> Scandal" in sheet
    assert "from April 2009 to April 2011" in sheet  # dates as people say them


def test_pages_show_what_the_game_computes(played):
    g = played
    snap = present.snapshot(g)
    shown = present.results_html(snap, "Blue")
    view = g.view("Blue")
    for o in view.columns:
        assert g.model[o].label in shown and words.number(view[o].iloc[-1]) in shown
    assert "April 2011" in shown and "April 2009" in shown
    assert g.model["budget"].label not in shown  # the council's budget is not the commissioners' to see
    revealed = present.revealed_html(snap)
    assert "Co-production effort 0.8" in revealed and "Co-production effort 1<" not in revealed
    assert "Matched hours per funded hour 0.9" in revealed
    assert "Round 3 of 5" in present.status_html(snap, "Red")
    assert "0 of 4 tables have decided" in present.waiting_html(snap)
    board = present.scoreboard_html(snap)
    score = g.scoreboard().groupby("table")["score"].mean()
    for table in TABLES:
        assert f"{score[table]:.2f}" in board
    assert "Budget cut: from 0.1 to 0.4" in present.briefing_html(snap, "Red")


def test_a_lever_in_years_is_counted_as_people_say_it(played):
    """A new facilitator's walk: the Surrey game's pages said "Years to decommission: from 1 to 5
    year" and revealed Blue's "Years to decommission 2 year". A time beside a number is counted."""
    snap = present.snapshot(played)
    assert "Years to decommission 2 years" in present.revealed_html(snap)
    assert "Years to decommission: from 1 to 5 years" in present.briefing_html(snap, "Blue")
    played.decide("Blue", {"decommissioning_years": 1.0})
    status = present.status_html(present.snapshot(played), "Blue")
    assert "Years to decommission 1 year;" in status or "Years to decommission 1 year." in status, status


def test_a_table_that_comes_back_finds_its_levers_as_it_left_them(played):
    g = played
    g.decide("Red", {"cut_fraction": 0.15})
    # Another process (a reloaded page in a restarted room) reads the same folder.
    code = ("import dpmkit as dk, json, sys; from dpmkit.game import present; "
            "g = dk.game.load(sys.argv[1]); print(json.dumps(present.in_force(g, 'Red')))")
    done = subprocess.run([sys.executable, "-c", code, str(g.folder)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    levers = json.loads(done.stdout)
    assert levers == {"cut_fraction": 0.15, "post2015_cut": g.model.param("post2015_cut").default,
                      "yri_diversion": 0.4}
    assert present.pending(g, "Red") == {"cut_fraction": 0.15}
    assert present.pending(g, "Blue") == {}


def test_collect_without_the_game_model_says_how(played):
    found = dk.workshop.collect(played.folder)
    assert len(found.ballots) == 0 and found.rejected
    assert all("dk.game.load" in r.reason for r in found.rejected)
    assert len(dk.workshop.collect(played.folder, model=played.model).ballots) == 6  # seven levers set


def test_cli_starts_and_resumes_the_game(tmp_path):
    from dpmkit.room import Room
    from dpmkit.room.cli import start_game

    room = Room(tmp_path / "room", model="surrey", tables=["A", "B"])
    g = start_game(room, "surrey")
    assert g.assignments() == {"council_leadership": "A", "commissioners": "B", "voluntary_sector": "A",
                               "young_people": "B", "youth_justice": "A", "inspectorate": "B"}
    g.assign("B", "youth_justice")
    again = start_game(room, "surrey")
    assert again.assignments()["youth_justice"] == "B"  # resumed, not started afresh
    with pytest.raises(dk.ModelError, match="holds the game 'surrey'"):
        start_game(room, "attractor")


def test_non_finite_values_never_reach_the_json(played):
    doc = records.log_json(played)
    text = json.dumps(doc, allow_nan=False)
    assert "NaN" not in text
    assert all(r["value"] is None or math.isfinite(r["value"]) for r in doc["log"])


def test_jupyterlab_pages_send_refuse_and_follow_the_game(played):
    from dpmkit.game import lab

    g = played
    red = lab.table_widget(g, "Red", watch=False)
    fac = lab.facilitator_widget(g, watch=False)
    assert set(red.controls) == {"cut_fraction", "post2015_cut", "yri_diversion"}
    assert (red.controls["cut_fraction"].min, red.controls["cut_fraction"].max) == (0.1, 0.4)  # the game's range
    assert red.controls["yri_diversion"].value == 0.4  # what is in force after round 2
    red.controls["cut_fraction"].value = 0.2
    red.prediction.value = "0.6 or so"  # not a number: refused, nothing sent
    red.send_button.click()
    assert "Not sent" in red.status.value and "prediction of &#x27;service_quality&#x27;" in red.status.value
    assert "Service quality" in red.prediction.description
    red.prediction.value = "0,6"
    red.send_button.click()
    assert "Sent for round 3" in red.status.value and "your prediction: Service quality 0.6" in red.status.value
    fac.refresh()
    assert "1 of 4 tables have decided" in fac.waiting.value
    g.assign("Blue", "council_leadership")  # Red loses the council's levers: its next send is refused
    before = sorted(p.name for p in g.folder.glob("ballot-*.json"))
    red.send_button.click()
    assert "Not sent" in red.status.value and "cut_fraction" in red.status.value
    assert sorted(p.name for p in g.folder.glob("ballot-*.json")) == before  # nothing half-recorded
    fac.advance_button.click()
    assert "Round 3 closed" in fac.message.value
    said = debrief.predictions(g)
    assert list(said.loc[said["round"] == 3, "predicted"]) == [0.6]
    red.refresh()
    assert "April 2012" in red.results.value and "<svg" in red.chart.value
    assert "Round 4 of 5" in red.header.value
    fac.debrief_button.click()
    assert fac.debrief.value.count("<svg") == 2 and "What if?" in fac.debrief.value
    paths = fac.export()
    assert paths["debrief_html"].exists()
    with pytest.raises(dk.ModelError, match="unknown table"):
        lab.table_widget(g, "Purple", watch=False)


def test_a_round_closed_to_decisions_shows_on_every_page_and_sends_nothing(played):
    from dpmkit.game import lab

    g = played
    red = lab.table_widget(g, "Red", watch=False)
    fac = lab.facilitator_widget(g, watch=False)
    assert fac.gate_button.description == "Close round 3 to decisions" and not red.send_button.disabled
    fac.gate_button.click()
    assert "Round 3 is closed to decisions" in fac.message.value
    assert "closed to decisions; advance to show its results" in fac.header.value
    assert fac.gate_button.description == "Open round 3 to decisions again"
    red.refresh()
    assert red.send_button.disabled and "closed this round to decisions" in red.header.value
    snap = present.snapshot(g)
    assert not snap.taking and "closed this round to decisions" in present.status_html(snap, "Blue")
    before = sorted(p.name for p in g.folder.glob("ballot-*.json"))
    red.send()  # a page that had not redrawn yet: refused in plain words, nothing written
    assert "Not sent" in red.status.value and "closed to decisions" in red.status.value
    assert sorted(p.name for p in g.folder.glob("ballot-*.json")) == before
    fac.gate_button.click()
    red.refresh()
    assert not red.send_button.disabled and "Round 3 takes decisions again" in fac.message.value
    red.send()
    assert "Sent for round 3" in red.status.value


def test_jupyterlab_page_redraws_when_the_folder_changes(played):
    import time

    from dpmkit.game import lab

    page = lab.table_widget(played, "Green", watch=True, poll=0.05)
    try:
        assert "Round 3 of 5" in page.header.value
        played.advance()  # the facilitator, elsewhere
        deadline = time.monotonic() + 10
        while "Round 4 of 5" not in page.header.value and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Round 4 of 5" in page.header.value
    finally:
        page.stop()


def test_an_advance_redraws_the_facilitators_page_once(played, monkeypatch):
    """The page's own advance redraws it, and the watch does not redraw it again for the files
    the advance wrote; a change made elsewhere is still drawn, once."""
    from widget_tree import wait_for

    from dpmkit.game import lab

    draws, looks = [], []
    status, listing = present.facilitator_status_html, lab._listing
    monkeypatch.setattr(present, "facilitator_status_html", lambda snap: draws.append(snap.round) or status(snap))
    monkeypatch.setattr(lab, "_listing", lambda folder: looks.append(folder) or listing(folder))

    def watch_looks(times):
        start = len(looks)
        wait_for(lambda: len(looks) >= start + times, 30, f"the watch to look at the folder {times} more times")

    fac = lab.facilitator_widget(played, watch=True, poll=0.02)
    try:
        watch_looks(3)
        assert draws == [3]
        fac.advance_button.click()
        assert draws == [3, 4] and "Round 3 closed" in fac.message.value
        assert fac.advance_button.description == "Close round 4 and show the results"
        watch_looks(5)
        assert draws == [3, 4], "the watch redrew the page for the files its own advance wrote"
        dk.game.load(played.folder).decide("Green", {"matching_ratio": 0.5})  # another process, the same folder
        wait_for(lambda: len(draws) > 2, 30, "the watch to draw a decision sent elsewhere")
        watch_looks(5)
        assert draws == [3, 4, 4] and "1 of 4 tables have decided" in fac.waiting.value
    finally:
        fac.stop()


def test_a_typed_prediction_becomes_the_decisions_predictions(tmp_path):
    g = dk.game.new(tmp_path, "surrey", tables=["Red", "Blue"])
    g.assign("Red", "youth_justice")
    snap = present.snapshot(g)
    end = g.spec.rounds[0].end
    assert present.predicted(snap, "Red") == ("service_quality", end)
    assert present.predicted(snap, "Blue") is None  # no role, nothing to predict
    assert present.prediction(snap, "Red", "  ") == {}
    assert present.prediction(snap, "Red", "0,55") == {"service_quality": {end: 0.55}}
    with pytest.raises(dk.ModelError, match=r"table 'Red', prediction of 'service_quality'"):
        present.prediction(snap, "Red", "about half")
    g.decide("Red", {"yri_diversion": 0.9}, predictions=present.prediction(snap, "Red", "0,55"))
    g.advance()
    said = debrief.predictions(g)
    assert list(said["table"]) == ["Red"] and said["predicted"].iloc[0] == 0.55
    assert said["outcome"].iloc[0] == g.results()["service_quality"].iloc[-1]


def test_a_tables_chart_is_the_time_series_of_what_it_sees(played):
    """The table's chart, drawn from a template, is the very picture ``dk.charts.time_series``
    draws of the outcomes the table sees, up to the end of the last closed round."""
    from dpmkit import charts

    g = played
    snap = present.snapshot(g)
    for table in ("Red", "Blue"):
        seen = [o.name for o in g.spec.outcomes if any(o.name in r.sees for r in snap.roles_of(table))][:4]
        result = g._simulate(g.spec.rounds[snap.round - 2].end)
        assert result.time[-1] == pytest.approx(2011.25)
        expected = charts.to_svg(charts.time_series(result, seen, title="Your outcomes so far", width=520,
                                                    height=200))
        assert present.results_chart_svg(snap, table) == expected
        for name in seen:
            assert g.model[name].label in expected


def test_the_facilitators_undo_button_opens_the_last_round_again_on_every_page(played):
    from dpmkit.game import lab

    g = played  # two rounds closed, round 3 open
    fac = lab.facilitator_widget(g, watch=False)
    red = lab.table_widget(g, "Red", watch=False)
    assert "Round 3 of 5" in red.header.value and "April 2011" in red.results.value
    before = g.results()
    g.decide("Blue", {"coproduction_effort": 0.1})  # sent for round 3: voided by the undo
    assert not fac.undo_button.disabled
    fac.undo_button.click()
    assert "The last round is open again" in fac.message.value
    assert g.round == 2
    red.refresh()
    fac.refresh()
    assert "Round 2 of 5" in red.header.value
    assert "April 2011" not in red.results.value and "April 2010" in red.results.value  # round 2's results withdrawn
    assert g.results().index[-1] == pytest.approx(2010.25)
    assert red.controls["yri_diversion"].value == 0.4  # round 2's decisions stand, and show, to be revised
    assert set(g.log()["round"]) == {1}  # counted so far: round 1; round 2's stand uncounted until it closes again
    fac.advance_button.click()  # closing round 2 again, unchanged, shows exactly what it showed before
    assert g.round == 3
    pd.testing.assert_frame_equal(g.results(), before)
    assert 0.1 not in list(g.log()["value"])  # the decision sent for round 3 before the undo never counts


def test_every_table_page_says_the_news_the_facilitator_injected(played):
    """The full-day plan injects the new minister in the attractor's round 3 "as news"; the tables'
    pages said nothing of it, so a table that missed the announcement, or joined late, played on
    without it. The open round's status says it, and the rounds closed keep it with their decisions."""
    g = played  # the scandal was injected in round 2, now closed
    scandal = g.spec.event("scandal").label
    snap = present.snapshot(g)
    assert scandal not in present.status_html(snap, "Red")  # round 3 has no news yet
    assert f"News:</b> {scandal}." in present.revealed_html(snap)
    assert present.revealed_html(snap).count("class='game-news'") == 1  # round 1 had none
    g.inject("inspection")
    snap = present.snapshot(g)
    inspection = g.spec.event("inspection").label
    for table in TABLES:
        assert f"News this round:</b> {inspection}." in present.status_html(snap, table)
    g.advance()
    g.undo()  # round 3 open again: its news still stands; an undo of round 3 voids nothing of its own
    assert inspection in present.status_html(present.snapshot(g), "Blue")


def test_the_attractor_debrief_chart_fits_a_projector_and_gives_each_locality_its_table(tmp_path):
    """Unfolded, the attractor game's debrief chart was 136 boxes on 2,784 x 6,847 px: on a projector,
    a strip of unreadable boxes. Folded, it is one box per kind of variable; a locality lever's box
    gives each round's range across the tables, and the description every table's values."""
    from defusedxml import ElementTree

    tables = ["Red", "Blue", "Green", "Yellow", "Purple", "Orange"]
    g = dk.game.new(tmp_path / "g", "attractor", tables=[*tables, "Partner"])
    g.assign("Partner", "learning_partner")
    for k, table in enumerate(tables, 1):
        g.assign(table, f"locality_{k:02d}")
    for extra in (0.0, 0.2):
        for k, table in enumerate(tables, 1):
            g.decide(table, {f"framework_commitment_{k:02d}": 0.1 * k + extra, f"local_learning_{k:02d}": 0.5})
        g.advance()
    diagram = debrief.dpm_chart(g)
    root = ElementTree.fromstring(diagram.svg)
    assert float(root.get("width")) < 1200 and float(root.get("height")) < 1100
    assert len(diagram.nodes) == 16
    boxes = {n["name"]: n for n in diagram.nodes}
    commitment = boxes["framework_commitment_*"]
    assert commitment["owners"] == tables and len(commitment["members"]) == 6
    assert boxes["learning_partnership"]["owner"] == "Partner"
    notes = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "dpmkit-journey"]
    assert "R1 0.1–0.6 · R2 0.3–0.8" in notes and "R1 0.5 · R2 0.5" in notes and "R1 0 · R2 0" in notes
    assert ("Commitment to the shared framework, locality 03 (Green): round 1 0.3, round 2 0.5"
            in diagram.description)


def test_the_debriefs_regime_path_says_until_when_its_last_place_held(tmp_path):
    """A new facilitator's walk: after all five rounds of the Surrey game (2009 to 2019) the debrief's
    2x2 said the path "ends ... in April 2014", the start of round 5, as if the game had stopped
    there. Each point is the regime in force during its round, so the last holds to the round's end."""
    g = dk.game.new(tmp_path / "g", "surrey", tables=["Red", "Blue"])
    for k, role in enumerate(g.roles):
        g.assign(("Red", "Blue")[k % 2], role)
    for _ in g.spec.rounds:
        g.advance()
    last = g.spec.rounds[-1]
    said = debrief.regime_chart(g).description
    assert f"{words.span(last.start, last.end, g.model.time_units)}." in said, said
    assert "from April 2014 to April 2019." in said
