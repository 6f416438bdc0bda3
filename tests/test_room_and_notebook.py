"""A room and a notebook dashboard on one ballot folder.

Both write the folder's session file (``dpmkit-session.json``): the room
(``python -m dpmkit.room``) at every change of its round or tables, the notebook route's
dashboard (``workshops/facilitator_dashboard.ipynb``) when it opens a round. While a room runs
it is the folder's authority: a notebook's dashboard shows its round and tables read-only and
``open_round`` refuses, naming the room. A room killed (its files left behind) blocks nothing,
and a room started on a folder a notebook moved on takes the later round and says so.

The rooms here are real processes (tests/room_session.py); the notebook's side runs in the
test process, as it would in a facilitator's JupyterLab beside the room.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from room_session import ROOT, missing_room_requirements, room

import dpmkit as dk
from dpmkit import workshop
from dpmkit.room import STATE_FILE, Room

REASON = missing_room_requirements()
needs_server = pytest.mark.skipif(REASON is not None, reason=f"ROOM SERVER MISSING: {REASON}")


def session_doc(folder):
    return json.loads((folder / workshop.SESSION_FILE).read_text(encoding="utf-8"))


def room_round(folder):
    return json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))["round"]


@needs_server
def test_while_a_room_runs_the_notebook_dashboard_shows_its_round_and_opens_none(tmp_path):
    """The co-facilitator runs the notebook dashboard with ROUND = "2" while the room has round 3
    open: nothing is opened, the room's round and tables are shown with a note naming the room,
    and a notebook ballot form sends the room's round, so the room's dashboard counts it."""
    pytest.importorskip("ipywidgets")
    folder = tmp_path / "ballots"
    before = Room(folder, code="TEAL7", tables=["Red", "Blue"])
    before.open_round()
    before.open_round()  # round 3
    with room(folder) as running:
        found = workshop.dashboard(folder, model="demo", round="2", tables=["Table 1", "Table 2"])
        assert not any("now open" in n for n in found.notes), found.notes
        assert workshop.read_session(folder).round == "3"
        doc = session_doc(folder)
        assert doc["room"]["port"] == running.port and "secret" not in json.dumps(doc)
        started = datetime.fromisoformat(doc["room"]["started"]).astimezone().strftime("%H:%M")
        note = found.notes[0]
        assert f"is served by the room started at {started} on port {running.port}" in note, note
        assert "open rounds and change tables on the room's facilitator page" in note
        assert "It has round 3 open, with the tables Red, Blue: shown here, read-only" in note
        assert "round 2 was not opened" in note
        assert found.round == "3" and found.room.port == running.port
        assert workshop.read_session(folder).tables == ("Red", "Blue")

        with pytest.raises(dk.ModelError, match=rf"served by the room started at {started} on port "
                                                rf"{running.port}: open rounds .* Round 2 was not opened"):
            workshop.open_round(folder, "2", tables=["Table 1"])
        assert session_doc(folder) == doc, "a refused round changes nothing in the folder"

        form = dk.widgets.ballot_widget("demo", str(folder), round="2")
        assert list(form.tables) == ["Red", "Blue"]
        form.table_field.value = "Blue"
        form.participant_field.value = "Asha"
        form.submit()
        assert form.ok and form.ballot.round == "3"
        assert room_round(folder) == "3"
    assert [b.participant for b in Room(folder).board()["Blue"]] == ["Asha"], "the room's dashboard counts it"


@needs_server
def test_a_killed_room_leaves_its_files_but_no_longer_blocks_the_notebook_route(tmp_path):
    folder = tmp_path / "ballots"
    Room(folder, tables=["Red", "Blue"]).open_round()  # round 2
    with room(folder) as running:
        with pytest.raises(dk.ModelError, match="served by the room"):
            workshop.open_round(folder, "3")
        running.kill(signal.SIGKILL)  # no clean-up: its lock file and its description stay
        assert (folder / "dpmkit-room.lock").exists() and session_doc(folder)["room"]["port"] == running.port
        assert workshop.serving_room(folder) is None
        found = workshop.dashboard(folder, model="demo", round="3")
        assert found.notes[0].startswith("Round 3 is now open") and found.room is None
        assert workshop.read_session(folder).round == "3"
        assert "room" not in session_doc(folder), "the notebook's round replaces the dead room's description"


@needs_server
def test_a_room_stopped_normally_hands_the_folder_back_with_its_round_and_tables(tmp_path):
    """Ctrl+C (here SIGTERM, as a hub stops its service): the room takes its description out of the
    session file, keeping its round and tables for the notebook route, the documented fallback."""
    folder = tmp_path / "ballots"
    with room(folder, "--tables", "Red,Blue") as running:
        assert session_doc(folder)["room"]["port"] == running.port
        # printing the paper slips meanwhile reads the folder as a room does, and leaves the room's note
        out = subprocess.run([sys.executable, "-m", "dpmkit.room", "slips", "--folder", str(folder), "--no-charts"],
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert out.returncode == 0, out.stderr
        assert session_doc(folder)["room"]["port"] == running.port
        running.kill(signal.SIGTERM)
        assert running.proc.returncode == 0
    doc = session_doc(folder)
    assert "room" not in doc and doc["round"] == "1" and doc["tables"] == ["Red", "Blue"]
    assert workshop.open_round(folder, "2").tables == ("Red", "Blue")


@needs_server
def test_a_room_started_on_a_folder_a_notebook_moved_on_takes_the_later_round_and_says_so(tmp_path):
    folder = tmp_path / "ballots"
    Room(folder, code="TEAL7", tables=["Red", "Blue"]).open_round()  # the room stopped at round 2
    workshop.open_round(folder, "4")  # then the notebook dashboard carried on to round 4
    with room(folder) as running:
        said = "".join(running.log)
        assert ("Note: Round 4 is open in the folder's session file (a notebook's dashboard wrote it while no room "
                "ran): the room carries on with round 4, not round 2.") in said, said
        assert room_round(folder) == "4" and workshop.read_session(folder).round == "4"
    workshop.open_round(folder, "1")  # a notebook went back to round 1 while no room ran
    with room(folder) as running:
        said = "".join(running.log)
        assert "Round 1 is open in the folder's session file" in said and "the room keeps round 4" in said, said
        assert room_round(folder) == "4" and workshop.read_session(folder).round == "4"


def test_a_new_room_on_a_notebooks_folder_takes_its_tables_an_older_room_keeps_its_own(tmp_path):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    workshop.open_round(fresh, "2", tables=["Red", "Blue"])
    r = Room(fresh)
    assert r.tables == ["Red", "Blue"] and r.state.round == "2"
    assert r.notes == ["Round 2 is open in the folder's session file (a notebook's dashboard wrote it while no "
                       "room ran): the room carries on with round 2, not round 1.",
                       "The room's tables are those listed in the folder's session file (a notebook's dashboard "
                       "wrote it while no room ran): Red, Blue."]
    workshop.open_round(fresh, "2", tables=["Red", "Green"])
    again = Room(fresh)
    assert again.tables == ["Red", "Blue"] and workshop.read_session(fresh).tables == ("Red", "Blue")
    assert again.notes == ["The folder's session file (a notebook's dashboard wrote it while no room ran) lists the "
                           "tables Red, Green; the room keeps its own: Red, Blue. Add or rename tables on the "
                           "facilitator page."]
    assert Room(fresh, tables=["North", "South"]).notes == [], "tables given on the command line are not a surprise"
    assert Room(fresh).notes == [], "a room that wrote the file itself has nothing to say"


def test_a_room_starting_while_a_notebook_writes_the_session_file_waits_for_it(tmp_path):
    """A notebook asking whether a room runs holds the folder's lock (shared) while it writes the
    session file; a room starting that moment waits for it instead of saying another room runs."""
    from dpmkit._files import file_lock
    from dpmkit.room.cli import hold_folder

    lock = tmp_path / "dpmkit-room.lock"
    taken = threading.Event()

    def notebook():
        with file_lock(lock, shared=True):
            taken.set()
            time.sleep(0.3)

    writer = threading.Thread(target=notebook)
    writer.start()
    taken.wait(10)
    with hold_folder(tmp_path):
        pass
    writer.join()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes as POSIX makes them")
def test_a_room_that_cannot_be_checked_from_here_is_believed_and_says_so(tmp_path):
    """On a shared hub folder the room runs under another account; when its lock cannot be asked,
    the room's description in the session file is believed, with what to do if it was killed."""
    os.mkfifo(tmp_path / "dpmkit-room.lock")  # a lock this account cannot ask (and opening never hangs)
    workshop.open_round(tmp_path, "2", tables=["Red"])
    assert workshop.serving_room(tmp_path) is None, "without the room's description nothing blocks"
    started = datetime.now(timezone.utc) - timedelta(days=1)
    served = workshop.Session("3", ("Red",), room=workshop.ServingRoom(started.isoformat(timespec="seconds"), 8866))
    (tmp_path / workshop.SESSION_FILE).write_bytes(served.to_json())
    found = workshop.serving_room(tmp_path)
    assert found.port == 8866 and found.checked is False
    local = started.astimezone()
    assert str(found) == f"the room started on {local.day} {local:%B %Y} at {local:%H:%M} on port 8866"
    with pytest.raises(dk.ModelError, match=re.escape("cannot check from this account whether that room still "
                                                      "runs")):
        workshop.open_round(tmp_path, "4")
    assert workshop.read_session(tmp_path).round == "3"


def test_the_facilitators_page_says_what_the_room_took_from_a_notebooks_session(tmp_path, monkeypatch):
    """On a hub the room's console is the hub's log, which the facilitator never reads: the
    facilitator's page says it too, above the round's count."""
    solara = pytest.importorskip("solara")
    import warnings

    from widget_tree import widgets

    from dpmkit.room import pages

    workshop.open_round(tmp_path, "3", tables=["Red", "Blue"])
    monkeypatch.setattr(pages, "ROOM", Room(tmp_path, model="demo"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page, context = solara.render(pages.Dashboard(), handle_error=False)
    try:
        texts = [str(getattr(w, "unsafe_innerHTML", "") or "") for w in widgets(page)]
        heading = next(k for k, t in enumerate(texts) if t.endswith("· round 3"))
        said = [k for k, t in enumerate(texts) if "the room carries on with round 3, not round 1." in t]
        tables = [k for k, t in enumerate(texts) if "The room&#x27;s tables are those listed" in t
                  and t.endswith("no room ran): Red, Blue.</div>")]
        count = next(k for k, t in enumerate(texts) if "this round" in t)
        assert len(said) == 1 and len(tables) == 1 and heading < said[0] < count and tables[0] < count, texts
    finally:
        context.close()


@needs_server
def test_a_notebook_on_the_folder_names_the_room_open_in_a_subfolder_and_where_ballots_go(tmp_path):
    """The folder's own room is demo's explorer (round 2); the room open now is the Surrey game,
    kept in rooms/game-surrey-as_it_happened (as after "Change the room"). A notebook's dashboard on
    the folder names the game and its round (which follows the game), says that the folder's own
    ballots stay at round 2 and where the game's are, and opens no round; stopped, the room takes
    its words away and the folder is the notebook's again, at round 2."""
    folder = tmp_path / "ballots"
    home = Room(folder, model="demo", code="TEAL7", tables=["Red", "Blue"])
    home.open_round()  # the folder's own room stopped at round 2
    with room(folder, "--game", "surrey") as running:
        kept = "rooms/game-surrey-as_it_happened"
        said = session_doc(folder)["room"]
        assert said["port"] == running.port and said["kept"] == kept and said["round"] == "1", said
        assert said["open"].startswith("Game: Surrey") and "(context: as it happened)" in said["open"]
        found = workshop.dashboard(folder, model="demo", round="3")
        text = found.notes[0]
        assert f"on port {running.port}, which has Game: Surrey" in text, text
        assert "(context: as it happened) open (round 1)" in text, text
        assert "in the subfolder rooms/game-surrey-as_it_happened" in text, text
        assert "This folder's own ballots stay at round 2, with the tables Red, Blue" in text, text
        assert "(model surrey)" in text and "round 3 was not opened" in text, text
        assert workshop.read_session(folder).round == "2"  # nothing opened from the notebook
        form = dk.widgets.ballot_widget("demo", str(folder))  # a notebook's form on the folder
        form.table_field.value = "Blue"
        form.submit()
        assert form.ok and form.ballot.round == "2" and form.last.parent == folder
        assert "the room open now is Game: Surrey" in form.status.value, form.status.value
        assert "kept in this folder for" in form.status.value and "round 2" in form.status.value

        game = dk.game.load(folder / kept / "game")  # the facilitator plays round 1 out
        game.advance()
        deadline = time.monotonic() + 15
        while session_doc(folder)["room"].get("round") != "2" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert session_doc(folder)["room"]["round"] == "2"
        assert "open (round 2)" in workshop.dashboard(folder, model="demo").notes[0]
        running.kill(signal.SIGTERM)
        assert running.proc.returncode == 0
    doc = session_doc(folder)
    assert "room" not in doc and doc["round"] == "2" and doc["tables"] == ["Red", "Blue"], doc
    assert "room" not in session_doc(folder / "rooms" / "game-surrey-as_it_happened")
    assert workshop.dashboard(folder, model="demo", round="3").notes[0].startswith("Round 3 is now open")


def test_a_rooms_description_is_words_of_the_shape_the_room_writes_never_a_path_to_follow():
    """The session file can be written by any account on a shared folder: what it says of the room
    open elsewhere is shown only when it has the shape the room writes, and is never followed."""
    said = workshop.ServingRoom.from_doc({"started": "", "port": 8866, "open": "Game: Surrey\n<b>x</b>\x07",
                                          "model": "../../etc", "round": "2" * 41, "kept": "rooms/../../home"})
    assert (said.open, said.model, said.round, said.kept) == ("", "", "", "")
    fine = workshop.ServingRoom.from_doc({"port": 8866, "open": "Game: Surrey (context: fragile)", "model": "surrey",
                                          "round": "3", "kept": "rooms/game-surrey-fragile"})
    assert (fine.open, fine.model, fine.round, fine.kept) == ("Game: Surrey (context: fragile)", "surrey", "3",
                                                             "rooms/game-surrey-fragile")
    assert workshop.ServingRoom.from_doc(fine.to_doc()) == fine
    assert workshop.ServingRoom(port=8866).to_doc() == {"started": "", "port": 8866}  # the folder's own room: as before
