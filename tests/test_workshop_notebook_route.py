"""The notebook route's facilitator stuck points (issue 12): a Windows path typed as "D:\\ballots",
typed table names, a round typed by each participant, texts cut short, invented ballots by default.

The notebooks themselves are run in tests/test_workshop.py; here are the parts they call."""

from __future__ import annotations

import json
import os

import pytest

import dpmkit as dk
from dpmkit import preflight, workshop

POSIX = os.name == "posix"
TABLES = ["Table 1", "Table 2", "Table 3"]


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "ballots"
    path.mkdir()
    return path


# ------------------------------------------------------------------ "D:\ballots"
def test_a_windows_path_typed_without_r_is_named_with_the_fix():
    typed = "D:\ballots"  # what Python makes of it: \b is a backspace
    assert typed == "D:\x08allots"
    with pytest.raises(dk.ModelError) as err:
        workshop.check_folder(typed)
    message = str(err.value)
    assert message.startswith("the ballot folder 'D:\\x08allots' holds a control character (\\x08, a backspace)")
    assert 'r"D:\\ballots" (an r before the quotes)' in message and '"D:/ballots"' in message
    assert workshop.check_folder(r"D:\ballots").name == r"D:\ballots" or os.name == "nt"


def test_every_escape_a_windows_path_can_hold_is_mapped_back():
    with pytest.raises(dk.ModelError, match=r"\\n, a line break.*r\"C:\\Users\\new\\tables\"") as err:
        workshop.check_folder("C:\\Users\new\tables")
    assert '"C:/Users/new/tables"' in str(err.value)
    with pytest.raises(dk.ModelError, match=r"\\x01\): if it is a Windows path, write it as a raw string"):
        workshop.check_folder("shared\x01")


def test_every_route_into_the_folder_refuses_the_mistyped_path(tmp_path):
    typed = "D:\x08allots"
    for call in (lambda: workshop.collect(typed), lambda: workshop.submit(typed, model="demo"),
                 lambda: workshop.open_round(typed, "1"), lambda: workshop.read_session(typed),
                 lambda: workshop.make_ballot("demo").save(typed)):
        with pytest.raises(dk.ModelError, match=r"r\"D:\\ballots\""):
            call()
    check = preflight.check_ballots(typed)
    assert not check.ok and check.name == "Ballot folder 'D:\\x08allots'" and 'r"D:\\ballots"' in check.fix
    found = workshop.dashboard(typed, model="demo")
    assert len(found) == 0 and found.notes[0].startswith("Nothing to show from the folder: the ballot folder")
    assert 'r"D:\\ballots"' in found.notes[0]
    assert 'r&quot;D:\\ballots&quot;' in str(found.status_html())


def test_the_ballot_form_names_the_mistyped_path_and_hands_out_a_code():
    pytest.importorskip("ipywidgets")
    w = workshop.ballot_widget("demo", "D:\x08allots", table="Table 1")
    header = w.children[0].value
    assert "holds a control character (\\x08, a backspace)" in header and "r&quot;D:\\ballots&quot;" in header
    assert w.folder is None
    w.submit_button.click()
    assert w.ok and workshop.read_code(w.code_box.value).table == "Table 1"


def test_a_missing_folder_is_named_in_one_wording_on_every_route(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    messages = []
    for call in (lambda: workshop.collect("typo"), lambda: workshop.submit("typo", model="demo"),
                 lambda: workshop.open_round("typo", "1"), lambda: workshop.make_ballot("demo").save("typo")):
        with pytest.raises(dk.ModelError) as err:
            call()
        messages.append(str(err.value))
    assert len(set(messages)) == 1, messages
    assert messages[0].startswith(f"the ballot folder 'typo' does not exist (that is {str(tmp_path / 'typo')!r}). "
                                  "Check BALLOTS in the first cell")
    found = workshop.dashboard("typo", model="demo")
    assert found.notes[0] == f"Nothing to show from the folder: {messages[0]}."
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "nothing is created"


# ------------------------------------------------------------------ the folder's session
def test_a_round_opened_in_the_folder_is_read_back(folder):
    assert workshop.read_session(folder) is None
    opened = workshop.open_round(folder, "1", tables=[" Red ", "Blue"])
    assert opened.tables == ("Red", "Blue") and workshop.read_session(folder) == opened
    assert workshop.open_round(folder, 2).tables == ("Red", "Blue"), "the list stays unless a new one is given"
    assert workshop.read_session(folder).round == "2"
    doc = json.loads((folder / workshop.SESSION_FILE).read_text(encoding="utf-8"))
    assert doc["schema"] == "dpmkit-session" and "secret" not in doc
    assert workshop.collect(folder).rejected == [], "collecting skips the session file"
    with pytest.raises(dk.ModelError, match="round must not be blank"):
        workshop.open_round(folder, " ")
    with pytest.raises(dk.ModelError, match="'table 1' is on the list twice"):
        workshop.open_round(folder, "3", tables=["Table 1", "table 1"])
    with pytest.raises(dk.ModelError, match="table 2 of the list is blank"):
        workshop.open_round(folder, "3", tables=["Table 1", ""])
    with pytest.raises(dk.ModelError, match="does not exist"):
        workshop.open_round(folder / "missing", "1")
    assert workshop.read_session(folder).round == "2", "a refused round leaves the open one"


@pytest.mark.parametrize("content", [b"{broken", b'{"schema": "dpmkit-session", "version": 1}', b"[]",
                                     b'{"schema": "dpmkit-session", "version": 1, "round": "1\\u0007"}',
                                     b"x" * (workshop.MAX_BYTES + 1),
                                     # thousands of tables: refused at the 201st, not compared each to each
                                     json.dumps({"schema": "dpmkit-session", "version": 1, "round": "1",
                                                 "tables": [f"t{k}" for k in range(6000)]}).encode()])
def test_a_damaged_session_file_is_refused_with_what_to_do(folder, content):
    (folder / workshop.SESSION_FILE).write_bytes(content)
    with pytest.raises(dk.ModelError, match="the facilitator should open the round again"):
        workshop.read_session(folder)
    assert workshop.open_round(folder, "4").round == "4", "opening the round again replaces it"


@pytest.mark.skipif(not POSIX, reason="symbolic links as POSIX makes them")
def test_a_session_file_that_is_a_link_is_not_followed(folder, tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(workshop.Session("9", ("X",)).to_json())
    (folder / workshop.SESSION_FILE).symlink_to(elsewhere)
    with pytest.raises(dk.ModelError, match="not a file the kit wrote"):
        workshop.read_session(folder)


# ------------------------------------------------------------------ the round comes from the facilitator
def test_a_table_that_forgot_the_round_no_longer_replaces_its_round_one_ballot(folder):
    pytest.importorskip("ipywidgets")
    workshop.open_round(folder, "1", tables=TABLES)
    form = workshop.ballot_widget("demo", folder, round="1")  # ROUND = "1" in the notebook, never changed
    form.table_field.value = "Table 2"
    form.controls["staff_target"].value = 20
    form.submit_button.click()
    assert form.ok and form.ballot.round == "1"
    workshop.open_round(folder, "2")  # the facilitator opens round 2; the form is not run again
    form.controls["staff_target"].value = 32
    form.submit_button.click()
    assert form.ok and form.ballot.round == "2" and "for round 2" in form.status.value
    first = workshop.dashboard(folder, model="demo", round="1")
    second = workshop.dashboard(folder, model="demo", round="2")
    assert [b.params["staff_target"] for b in first.ballots] == [20.0], "round 1's ballot is still shown"
    assert [b.params["staff_target"] for b in second.ballots] == [32.0]
    everything = workshop.collect(folder).latest()
    assert sorted((b.round, b.params["staff_target"]) for b in everything.ballots) == [("1", 20.0), ("2", 32.0)]


def test_without_a_session_the_form_sends_the_round_it_was_given(folder):
    pytest.importorskip("ipywidgets")
    form = workshop.ballot_widget("demo", folder, round="3", table="Table 1")
    form.submit_button.click()
    assert form.ballot.round == "3" and isinstance(form.table_field, type(form.participant_field))


def test_the_dashboard_opens_its_round_only_when_the_folder_exists_and_a_round_is_given(folder, tmp_path):
    workshop.dashboard(folder, model="demo")  # round None: every round, nothing opened
    assert workshop.read_session(folder) is None
    found = workshop.dashboard(folder, model="demo", round="2", tables=TABLES)
    assert workshop.read_session(folder).round == "2" and "Round 2 is now open" in found.notes[0]
    again = workshop.dashboard(folder, model="demo", round="2")
    assert not any("now open" in n for n in again.notes), "refreshing says nothing new"
    assert workshop.read_session(folder).tables == tuple(TABLES)
    workshop.dashboard(tmp_path / "typo", model="demo", round="3")
    assert not (tmp_path / "typo").exists(), "a missing folder is never created"


# ------------------------------------------------------------------ tables chosen, not typed
def test_the_form_offers_the_folders_tables_and_refuses_none(folder):
    pytest.importorskip("ipywidgets")
    workshop.open_round(folder, "1", tables=["Red", "Blue"])
    form = workshop.ballot_widget("demo", folder, tables=["Table 1"])
    assert list(form.table_field.options) == ["", "Red", "Blue"], "the folder's list comes first"
    form.submit_button.click()
    assert form.ok is False and "choose your table from the list" in form.status.value
    assert list(folder.glob("ballot-*.json")) == []
    with pytest.raises(Exception):  # noqa: B017 - a dropdown takes only its options (a traitlets error)
        form.table_field.value = "Tabel 3"
    form.table_field.value = "Blue"
    form.submit_button.click()
    assert form.ok and workshop.collect(folder).ballots[0].table == "Blue"


def test_the_form_offers_the_notebooks_tables_without_a_folder():
    pytest.importorskip("ipywidgets")
    form = workshop.ballot_widget("demo", tables=TABLES)
    assert list(form.table_field.options) == ["", *TABLES]
    form.table_field.value = "Table 3"
    form.submit_button.click()
    assert workshop.read_code(form.code_box.value).table == "Table 3"


@pytest.mark.parametrize(("typed", "meant"), [("Tabel 3", "Table 3"), ("table 1 · Sam", "Table 1"),
                                              ("  TABLE   2 ", "Table 2"), ("Table 1 (Sam)", "Table 1"),
                                              ("", None), ("Kitchen", None), ("Table 12", None)])
def test_a_near_miss_table_name_is_matched(typed, meant):
    assert workshop.near_table(typed, TABLES) == meant


def test_the_dashboard_points_out_tables_not_on_the_list(folder):
    workshop.open_round(folder, "1", tables=TABLES)
    for table in ("Table 1", "Tabel 3", "table 1 · Sam", "", "Kitchen"):
        workshop.submit(folder, model="demo", table=table, round="1", participant="x" if not table else "")
    found = workshop.dashboard(folder, model="demo", round="1")
    notes = "\n".join(found.notes)
    assert "the table 'Tabel 3', which is not on the list: probably 'Table 3'" in notes
    assert "the table 'table 1 · Sam', which is not on the list: probably 'Table 1'" in notes
    assert "a blank table, which is not on the list: not near any name" in notes
    assert "the table 'Kitchen', which is not on the list: not near any name on the list" in notes
    assert "'Table 1'," not in notes.replace("probably 'Table 1'", ""), "a table on the list is not pointed out"
    assert len(found) == 5


# ------------------------------------------------------------------ the dashboard's texts
def test_full_texts_are_shown_wrapped_and_escaped():
    long = "Closing the old services fast opens a gap: " + "NEET rises before it falls, " * 6
    long = long[:200]
    assert len(long) == 200
    ballots = [workshop.make_ballot("demo", table="Table 1", round="1", hypothesis=long,
                                    decision="Fund <b>26</b> posts\nand review in a year")]
    html = str(workshop.Collection(ballots, []).texts_html())
    assert long in html and "…" not in html and "..." not in html
    assert "Fund &lt;b&gt;26&lt;/b&gt; posts\nand review" in html and "white-space:pre-wrap" in html
    assert "<table class='dpmkit-texts' style='font-size:20px" in html
    assert workshop.Collection(ballots, []).texts_html()._repr_html_() == html
    assert "No ballots to show yet" in str(workshop.Collection([], []).texts_html())
    with pytest.raises(dk.ModelError, match="not 'params'"):
        workshop.Collection(ballots, []).texts_html(["params"])


def test_a_rehearsal_is_never_the_default_and_says_so_everywhere(folder):
    workshop.submit(folder, model="demo", table="Table 1", round="1")
    real = workshop.dashboard(folder, model="demo", round="1")
    assert not real.rehearsal and len(real) == 1 and "REHEARSAL" not in str(real.status_html())
    fake = workshop.dashboard(folder, model="demo", round="1", rehearsal=True, tables=["Red", "Blue"])
    assert fake.rehearsal and len(fake) == 12 and {b.table for b in fake.ballots} == {"Red", "Blue"}
    assert str(fake.status_html()).startswith("<div class='dpmkit-rehearsal-banner'")
    assert repr(fake).startswith("<Collection (REHEARSAL: invented ballots)")
    assert fake.latest().rehearsal, "latest() keeps the mark"
    pytest.importorskip("altair")
    marked = fake.chart_runs("waiting_list").to_dict()["title"]["text"]  # a long title comes in lines
    assert " ".join(marked) == "REHEARSAL (invented ballots): Waiting list: everyone's run"
    assert real.chart_runs("waiting_list").to_dict()["title"]["text"] == "Waiting list: everyone's run"
    assert len(list(folder.glob("ballot-*.json"))) == 1, "a rehearsal writes nothing"


def test_the_status_escapes_what_a_file_name_or_reason_holds(folder):
    (folder / "a<b>.json").write_text("{}")
    html = str(workshop.dashboard(folder, model="demo").status_html())
    assert "<b>" not in html and "a&lt;b&gt;.json" in html


def test_with_every_round_shown_a_tables_ballots_are_named_by_their_round(folder):
    workshop.open_round(folder, "1", tables=TABLES)
    for table, round, staff in [("Table 3", "1", 20), ("Table 1", "1", 22), ("Table 3", "2", 30),
                                ("Table 3", "warm-up", 25)]:
        workshop.submit(folder, model="demo", table=table, round=round, params={"staff_target": staff})
    found = workshop.dashboard(folder, model="demo")  # ROUND = None in the notebook: every round
    labels = dict(zip(found.table["label"], found.table["staff_target"]))
    assert labels == {"Table 3, round 1": 20.0, "Table 1": 22.0, "Table 3, round 2": 30.0,
                      "Table 3, warm-up": 25.0}, "a table with one ballot keeps its own name"
    assert set(found.levers("staff_target")["label"]) == set(labels)
    texts = str(found.texts_html())
    assert "Table 3, round 2<br><small>" not in texts and "<small>round 1</small>" in texts, \
        "the round is said once, in the label when it is there"
    pytest.importorskip("altair")
    layers = found.chart_runs("staff").to_dict()["layer"]
    legend = {row["label"] for layer in layers for row in layer["data"]["values"]}
    assert legend == set(labels) | {"base case"}
    # Two ballots of the same table and round (every ballot kept): the short id tells them apart.
    workshop.submit(folder, model="demo", table="Table 3", round="2", params={"staff_target": 31})
    every = workshop.dashboard(folder, model="demo", latest=False)
    twice = sorted(label for label in every.table["label"] if label.startswith("Table 3, round 2"))
    assert len(twice) == 2 and all(len(label) == len("Table 3, round 2 (abcd)") for label in twice)
