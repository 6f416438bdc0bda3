"""The paper fallback (dpmkit.room.paper and `python -m dpmkit.room slips`): printable slips,
slips typed in through the one number parser and the online ballot's checks, and result
charts rendered beforehand. The dashboard's typing form in a real browser is in
test_room_browser.py."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from room_session import ROOT

import dpmkit as dk
from dpmkit.room import Room, RoomError, paper


def test_a_slip_carries_the_round_tables_levers_and_predictions_with_units(tmp_path):
    r = Room(tmp_path, code="TEAL7", tables=["Red", "Blue & Co"])
    page = paper.slip_html(r.model, round="2", tables=r.tables, code="TEAL7", copies=3)
    assert page.count("<section class='slip'>") == 3
    assert "Round 2 · ballot slip" in page and "room TEAL7" in page
    assert "<span class='tick'></span>Red<" in page and "Blue &amp; Co" in page  # escaped, one box each
    lever = r.model["staff_target"]
    assert f"<b>{lever.label}</b>" in page and "between 5 and 40; base case 20" in page
    assert re.search(r"<span class='box'></span><span class='unit'>FTE</span>", page)
    for name, t in dk.workshop.prediction_spec(r.model, None):
        v = r.model[name]
        assert f"<b>{v.label}</b> at {dk.words.time_label(t, r.model.time_units)}" in page
        assert f"<span class='unit'>{v.units}</span>" in page
    assert "Hypothesis" in page and "Decision" in page
    assert "@media print" in page and "break-inside: avoid" in page
    assert not re.search(r"<script|https?://|<img|<link", page)  # self-contained: prints offline
    with pytest.raises(RoomError, match="no tables"):
        paper.slip_html(r.model, round="1", tables=[])


def test_a_surrey_slip_asks_for_neet_at_the_moment_the_plan_and_the_count_name():
    """The half-day plan asks "Predict NEET at the end of March 2014" (the moment the registry's
    count is published for); the slip says so too, not "April 2014", the same moment by the
    kit's month-that-begins rule, which had participants asking which was meant."""
    model = dk.models.load("surrey")
    page = paper.slip_html(model, round="1", tables=["Red"], code="TEAL7")
    assert f"<b>{model['neet'].label}</b> at the end of March 2014<" in page
    assert "April 2014" not in page


def test_a_typed_slip_is_read_by_the_one_parser_and_lands_as_a_ballot(tmp_path):
    r = Room(tmp_path, tables=["Red", "Blue"])
    r.open_round("2")
    ballot = paper.enter_slip(r, table="Red", levers={"staff_target": "26,5"},
                              predictions={("waiting_list", 60.0): "1,080", ("staff", 60.0): ""},
                              participant="Sam", hypothesis="Longer list first", round="1")
    assert ballot.params == {"staff_target": 26.5}
    assert ballot.predictions == {"waiting_list": ((60.0, 1080.0),)}
    assert (ballot.round, ballot.role, ballot.table) == ("1", "paper slip", "Red")
    found = dk.workshop.collect(tmp_path, model="demo")
    assert [b.id for b in found.ballots] == [ballot.id] and found.rejected == []
    assert paper.enter_slip(r, table="Blue").round == "2"  # blank round: the open one; blank lever: base case
    assert sum(len(bs) for bs in r.board("1").values()) == 1


@pytest.mark.parametrize("levers, predictions, table, message", [
    ({"staff_target": "1.080"}, {}, "Red", "1080 or 1.08"),
    ({"staff_target": "lots"}, {}, "Red", "Funded caseworker posts"),
    ({"staff_target": "400"}, {}, "Red", "outside its bounds"),
    ({}, {("waiting_list", 60.0): "12 people"}, "Red", "prediction for Waiting list"),
    ({"not_a_lever": "3"}, {}, "Red", "not a policy lever"),
    ({}, {}, "Green", "no longer one of the room's tables"),
])
def test_a_slip_with_a_mistake_is_refused_as_an_online_ballot_would_be(tmp_path, levers, predictions, table,
                                                                      message):
    r = Room(tmp_path, tables=["Red"])
    with pytest.raises(dk.ModelError, match=re.escape(message)):
        paper.enter_slip(r, table=table, levers=levers, predictions=predictions)
    assert dk.workshop.collect(tmp_path, model="demo").ballots == []


def test_slips_command_writes_slips_and_charts_per_round(tmp_path):
    folder = tmp_path / "room"
    r = Room(folder, tables=["Red", "Blue"])
    paper.enter_slip(r, table="Red", levers={"staff_target": "30"})
    out = subprocess.run([sys.executable, "-m", "dpmkit.room", "slips", "--folder", str(folder), "--rounds", "1,2"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    made = sorted(p.name for p in (folder / "paper").iterdir())
    assert made == sorted(["slip-round-1.html", "slip-round-2.html",
                           "round-1-waiting_list.svg", "round-1-waiting_list.png", "round-1-staff.svg",
                           "round-1-staff.png", "round-2-what-if.svg", "round-2-what-if.png"])
    assert all(f"Wrote {folder / 'paper' / name}" in out.stdout for name in made)
    svg = ET.parse(folder / "paper" / "round-2-what-if.svg").getroot()
    text = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "Funded caseworker posts 5 (low)" in text and "Funded caseworker posts 40 (high)" in text
    assert (folder / "paper" / "round-1-staff.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Round 2 · ballot slip" in (folder / "paper" / "slip-round-2.html").read_text()
    # the round with a slip shows that slip's run; the folder's ballots are untouched
    assert len(dk.workshop.collect(folder, model="demo").ballots) == 1
    bad = subprocess.run([sys.executable, "-m", "dpmkit.room", "slips", "--folder", str(folder), "--tables", "0"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "between 1 and 60 tables" in bad.stderr
