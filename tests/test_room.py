"""The room (python -m dpmkit.room): its state in the ballot folder, the ballots it accepts,
its command line and what it prints. The security checks are in test_room_security.py,
the real-browser test with eight participants in test_room_browser.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pytest
from room_session import ROOT, missing_room_requirements, room

import dpmkit as dk
from dpmkit.room import STATE_FILE, Room, RoomError, table_list
from dpmkit.room.cli import parser

REASON = missing_room_requirements()
needs_server = pytest.mark.skipif(REASON is not None, reason=f"ROOM SERVER MISSING: {REASON}")


def test_tables_from_a_count_or_names():
    assert table_list("2") == ["Table 1", "Table 2"]
    assert table_list("Red, Blue") == ["Red", "Blue"]
    for bad in ("0", "Red,Red", " , "):
        with pytest.raises(RoomError):
            table_list(bad)


def test_a_round_or_a_table_count_in_digits_int_cannot_read_is_a_name_not_a_crash(tmp_path):
    """"²" is a digit to Python's isdigit() but not a number int() reads: a round named so (typed in
    a notebook's ROUND, which the room now takes from the session file) crashed "Open round" and the
    facilitator's page; --tables ² crashed the room's start with a ValueError."""
    assert table_list("²") == ["²"]
    r = Room(tmp_path, tables=["Red"])
    r.open_round("²")
    assert r.next_round == "² (2)"  # what the facilitator's button says it opens
    r.open_round()
    assert r.state.round == "² (2)"
    r.open_round("١٢")  # Arabic-Indic digits are decimal: int() reads them
    r.open_round()
    assert r.state.round == "13"


def test_state_survives_a_new_room_object(tmp_path):
    first = Room(tmp_path, code="teal7", tables=["Red", "Blue"])
    first.open_round()
    again = Room(tmp_path)
    assert (again.state.code, again.state.secret, again.state.round, again.tables) == \
           ("teal7", first.state.secret, "2", ["Red", "Blue"])
    assert again.code_ok("TEAL7") and not again.code_ok("teal8") and not again.code_ok("")
    assert again.secret_ok(first.state.secret) and not again.secret_ok(first.state.code)
    if sys.platform != "win32":
        assert (tmp_path / STATE_FILE).stat().st_mode & 0o077 == 0  # the secret is not readable by others


def test_a_folder_of_another_model_is_refused(tmp_path):
    Room(tmp_path, model="demo")
    other = next(m for m in dk.models.available() if m != "demo")
    with pytest.raises(RoomError, match="--model demo"):
        Room(tmp_path, model=other)


def test_printing_paper_slips_reads_the_room_and_writes_none_of_its_settings(tmp_path):
    """The slips may be printed while the room runs (the wifi failed): the command used to write the
    room's settings and session file back as it read them, so a round the room opened in between was
    undone, and --tables for the slips changed the room's own tables."""
    from dpmkit.room.cli import main
    from dpmkit.workshop import SESSION_FILE

    running = Room(tmp_path, tables=["Red", "Blue"])
    files = [tmp_path / STATE_FILE, tmp_path / SESSION_FILE]
    before = [(p.stat().st_ino, p.read_bytes()) for p in files]
    assert main(["slips", "--folder", str(tmp_path), "--no-charts", "--tables", "Red,Blue,Green"]) == 0
    assert "Green" in (tmp_path / "paper" / "slip-round-1.html").read_text(encoding="utf-8")  # the slips' own
    assert [(p.stat().st_ino, p.read_bytes()) for p in files] == before  # the room's files untouched
    running.open_round()
    assert Room(tmp_path).state.round == "2" and Room(tmp_path).tables == ["Red", "Blue"]


def test_started_again_without_model_the_room_explores_the_folders_model(tmp_path, capsys):
    """room.md: "Start it again with the same folder ... and everything is as it was". A room first
    started with --model surrey (the half-day plan's command) and started again, or asked for its
    paper slips, without --model explores Surrey again; it used to stop with "holds a room for
    model 'surrey', not 'demo'"."""
    from dpmkit.room.cli import main

    first = Room(tmp_path, model="surrey", tables=["Red", "Blue"])
    again = Room(tmp_path)
    assert again.model.name == first.model.name and again.state.code == first.state.code
    assert main(["slips", "--folder", str(tmp_path), "--no-charts"]) == 0
    slip = (tmp_path / "paper" / "slip-round-1.html").read_text(encoding="utf-8")
    assert "Years to decommission" in slip  # a Surrey lever, not the demo model's
    assert "holds a room" not in capsys.readouterr().err
    assert Room(tmp_path / "new").model.name == dk.models.load("demo").name  # a new folder: demo


def test_accepted_ballots_carry_the_room_round_and_land_as_workshop_ballots(tmp_path):
    r = Room(tmp_path, tables=["Red", "Blue"])
    r.open_round("3")
    ballot = r.accept(table="Red", params={"staff_target": 26}, predictions={"waiting_list": {60: 40}},
                      participant="Asha", hypothesis="More staff, shorter list")
    assert ballot.round == "3"
    found = dk.workshop.collect(tmp_path, model="demo")
    assert [b.id for b in found.ballots] == [ballot.id]
    assert found.rejected == []  # the room's own file is skipped: it is not a ballot
    assert r.collect().rejected == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_students_notebook_ballot_on_the_hub_reaches_the_rooms_dashboard(tmp_path):
    """On a hub the room's folder is the shared folder students' notebooks send into
    (workshops/jupyterhub_config.py, DPMKIT_BALLOTS): their form offers the room's tables and sends
    the room's open round, so the dashboard shows their ballot beside the room's own."""
    pytest.importorskip("ipywidgets")
    r = Room(tmp_path, model="surrey", tables=["Red", "Blue"])
    r.open_round("2")
    form = dk.widgets.ballot_widget("surrey", str(tmp_path), predict={"neet": [2014.25]})
    assert list(form.tables) == ["Red", "Blue"]  # chosen from the room's list, not typed
    form.table_field.value = "Blue"
    form.participant_field.value = "Asha"
    form.submit()
    assert form.ballot.round == "2"
    assert [b.participant for b in r.board()["Blue"]] == ["Asha"]
    r.rename_table("Blue", "Navy")  # the list the form offers follows the dashboard
    r.open_round()
    assert dk.workshop.read_session(tmp_path).tables == ("Red", "Navy")
    assert dk.workshop.read_session(tmp_path).round == "3"
    assert dk.workshop.collect(tmp_path, model="surrey").rejected == []  # the session file is not a ballot


def test_the_dashboard_names_only_the_levers_moved_from_the_base_case():
    """A notebook's form records every lever; a room page's only the moved ones. The dashboard's
    "Levers:" line reads the same for both (found on a hub: three notebook ballots at the base case
    each listed all five Surrey levers)."""
    from dpmkit.room.state import describe_levers

    model = dk.models.load("surrey")
    every = {p.name: p.default for p in model.params if p.bounds}
    assert describe_levers(model, every) == "all levers at the base case"
    assert describe_levers(model, {**every, "decommissioning_years": 1}) == "Years to decommission 1 year"


def test_participant_mistakes_are_refused_with_what_to_do(tmp_path):
    r = Room(tmp_path, tables=["Red", "Blue"])
    with pytest.raises(RoomError, match="choose your table"):
        r.accept(table="", params={})
    with pytest.raises(RoomError, match="no longer one of the room's tables"):
        r.accept(table="Green", params={})
    with pytest.raises(RoomError, match="another version of the model"):
        r.accept(table="Red", params={}, fingerprint="0" * 16)
    with pytest.raises(dk.ModelError, match="outside its bounds"):
        r.accept(table="Red", params={"staff_target": 1e6})
    assert dk.workshop.collect(tmp_path, model="demo").ballots == []


def test_rename_merge_and_drop_change_the_board_never_the_files(tmp_path):
    r = Room(tmp_path, tables=["Red", "Blue", "Red 2", "Spare"])
    for table in ("Red", "Blue", "Red 2", "Spare"):
        r.accept(table=table, params={}, participant=table)
    files = sorted(p.name for p in tmp_path.iterdir())
    r.merge_tables("Red 2", "Red")
    r.rename_table("Red", "Crimson")
    r.drop_table("Spare")
    board = r.board()
    assert list(board) == ["Crimson", "Blue"]
    assert sorted(b.participant for b in board["Crimson"]) == ["Red", "Red 2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == files
    assert Room(tmp_path).board().keys() == board.keys()  # and a restart shows the same
    with pytest.raises(RoomError):
        r.merge_tables("Blue", "Blue")


def test_a_participant_follows_their_table_through_renames_merges_and_drops(tmp_path):
    r = Room(tmp_path, tables=["Red", "Blue", "Red 2", "Spare"])
    assert r.follow("Blue") == ("Blue", "") and r.follow("") == ("", "")
    r.rename_table("Blue", "Navy")
    assert r.follow("Blue") == ("Navy", "Your table 'Blue' is now 'Navy'.")
    r.merge_tables("Red 2", "Red")
    assert r.follow("Red 2")[0] == "Red"
    r.drop_table("Spare")
    where, note = r.follow("Spare")
    assert where == "" and "choose your table again" in note


def test_pages_wake_when_the_room_changes_not_before(tmp_path):
    r = Room(tmp_path, tables=["Red"])
    seen = r.revision
    assert r.wait_for_change(seen, timeout=0.05) == seen  # nothing happened: back after the timeout
    woke = []
    waiter = threading.Thread(target=lambda: woke.append(r.wait_for_change(seen, timeout=30)))
    waiter.start()
    r.add_table("Blue")
    waiter.join(timeout=10)
    assert woke == [r.revision] and r.revision > seen
    before = r.revision
    r.accept(table="Blue", params={})
    assert r.wait_for_change(before, timeout=0) > before  # an accepted ballot wakes the pages too


def test_the_build_a_page_carries_names_the_kit_and_the_model(tmp_path):
    r = Room(tmp_path)
    assert r.build == f"{dk.__version__}-{dk.workshop.fingerprint(r.model)[:8]}"


def test_your_ballot_is_in_means_the_dashboard_will_count_it(tmp_path):
    # accept() returns only after the file reads back through the same checks collect() makes,
    # so a participant is never told "your ballot is in" for a ballot the dashboard rejects.
    r = Room(tmp_path, tables=["Red"])
    ballot = r.accept(table="Red", params={"staff_target": 24}, predictions={"waiting_list": {60: 1080}})
    found = dk.workshop.collect(tmp_path, model="demo")
    assert [b.id for b in found.ballots] == [ballot.id] and found.rejected == []
    assert found.ballots[0].predictions["waiting_list"] == ((60.0, 1080.0),)
    # and a ballot from a page built on another version is refused before anything is written
    with pytest.raises(RoomError, match="your ballot was not sent"):
        r.accept(table="Red", params={}, fingerprint="f" * 16)
    assert len(dk.workshop.collect(tmp_path, model="demo").ballots) == 1
    # the read-back the room does is collect's own check: a file collect rejects is refused by it too
    tampered = (tmp_path / next(p.name for p in tmp_path.iterdir() if p.name.startswith("ballot-"))).read_bytes()
    tampered = tampered.replace(ballot.fingerprint.encode(), b"0" * len(ballot.fingerprint))
    with pytest.raises(dk.ModelError, match="would be rejected: it was cast on another version"):
        dk.workshop.read_ballot(tampered, model=r.model)


def test_a_rehearsal_shows_invented_ballots_but_writes_none(tmp_path):
    r = Room(tmp_path, tables=["Red", "Blue"])
    r.accept(table="Red", params={}, participant="real")
    r.set_rehearsal(True)
    shown = [b for bs in r.board().values() for b in bs]
    assert shown and "real" not in {b.participant for b in shown}
    assert len(dk.workshop.collect(tmp_path, model="demo").ballots) == 1
    r.set_rehearsal(False)
    assert [b.participant for bs in r.board().values() for b in bs] == ["real"]


def test_thirty_participants_sending_at_once_lose_nothing(tmp_path):
    r = Room(tmp_path, tables=table_list("6"))
    errors = []

    def send(k):
        try:
            for _ in range(3):
                r.accept(table=f"Table {k % 6 + 1}", params={"staff_target": 10 + k / 2}, participant=f"P{k}")
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=send, args=(k,)) for k in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(r.collect().ballots) == 90
    assert sum(len(bs) for bs in r.board().values()) == 90


def test_help_lists_every_option():
    out = subprocess.run([sys.executable, "-m", "dpmkit.room", "--help"], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0
    for action in parser()._actions:
        for flag in action.option_strings:
            assert flag in out.stdout


@needs_server
def test_the_room_prints_its_links_and_writes_the_qr_code(tmp_path):
    import segno

    folder = tmp_path / "ballots"
    with room(folder, "--code", "TEAL7", "--tables", "3") as running:
        assert running.participants.startswith("http://127.0.0.1:") and running.participants.endswith("/?code=TEAL7")
        secret = json.loads((folder / STATE_FILE).read_text())["secret"]
        assert running.facilitator == f"{running.base}/facilitator?secret={secret}"
        qr = folder / "join-qr.png"
        expected = tmp_path / "expected.png"
        segno.make(running.participants, error="m").save(str(expected), scale=10, border=3)
        assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert qr.read_bytes() == expected.read_bytes()


@needs_server
def test_the_facilitators_console_shows_the_links_and_nothing_to_worry_about(tmp_path):
    """What a facilitator reads after `make room` and the first pages: the links and where the
    ballots are, not Solara's 13 lines about https cookies and iframes (the room is plain http
    on the room's own network, on purpose) nor any other warning."""
    import urllib.request

    folder = tmp_path / "ballots"
    with room(folder, "--code", "TEAL7") as running:
        for url in (running.participants, running.base + "/", running.facilitator):
            with urllib.request.urlopen(url, timeout=30) as answer:  # each sets the session cookie
                assert answer.status == 200
    said = [line for line in "".join(running.log).splitlines() if line.strip()]
    expected = ("Participants: ", "  (room code TEAL7; QR code", "Facilitator: ", "  This room: Explorer: Caseworker",
                "  Ballots are kept in ")
    assert len(said) == len(expected), "\n".join(said)
    for line, start in zip(said, expected):
        assert line.startswith(start), "\n".join(said)


@needs_server
def test_one_room_per_folder_and_a_killed_room_leaves_it_free(tmp_path):
    """A second room on a folder a running room serves (another port: the first check does not
    catch it) is refused, saying so, and changes nothing there: not its code,
    not its QR code. Once the first room is killed, a room starts on the folder at once."""
    from room_session import free_port

    folder = tmp_path / "ballots"
    with room(folder, "--code", "TEAL7") as first:
        state, qr = (folder / STATE_FILE).read_bytes(), (folder / "join-qr.png").read_bytes()
        out = subprocess.run([sys.executable, "-m", "dpmkit.room", "--folder", str(folder), "--port", str(free_port()),
                              "--host", "127.0.0.1", "--no-browser", "--code", "OTHER"],
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert out.returncode == 2, out.stderr
        assert f"a room is already running on the folder {str(folder.resolve())!r}" in out.stderr
        assert "another --folder" in out.stderr and "Traceback" not in out.stderr
        assert (folder / STATE_FILE).read_bytes() == state and (folder / "join-qr.png").read_bytes() == qr
        first.kill(signal.SIGKILL)  # no clean-up: the operating system drops the lock
    with room(folder) as again:
        assert again.participants.endswith("/?code=TEAL7")
    assert dk.workshop.collect(folder, model="demo").rejected == []  # the QR code and the lock are not ballots


def test_the_room_follows_no_link_in_its_folder(tmp_path):
    """A shared ballot folder may hold links named like the room's files to the facilitator's own
    files: a symbolic link as the lock is refused; the QR code replaces a link, never writes
    through it; a hard link as the lock is only locked, never written. The files stay as they were."""
    from dpmkit.room.cli import hold_folder, write_qr

    precious = tmp_path / "precious.txt"
    precious.write_text("the facilitator's notes\n")
    linked = tmp_path / "symbolic"
    linked.mkdir()
    os.symlink(precious, linked / "dpmkit-room.lock")
    with pytest.raises(RoomError, match="is a link or not a plain file; the room follows no links"):
        hold_folder(linked)
    os.symlink(precious, linked / "join-qr.png")
    write_qr("http://192.0.2.7:8866/?code=TEAL7", linked / "join-qr.png")
    qr = linked / "join-qr.png"
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and not qr.is_symlink()
    hard = tmp_path / "hard"
    hard.mkdir()
    os.link(precious, hard / "dpmkit-room.lock")
    with hold_folder(hard), pytest.raises(RoomError, match="a room is already running on the folder"):
        hold_folder(hard)  # the lock is held (a second holder, even in this process, is refused)
    assert precious.read_text() == "the facilitator's notes\n"


def test_a_port_in_use_is_said_at_once_with_what_to_do(tmp_path):
    """A second `make room` on the port of one already running (or any program listening there):
    refused in a facilitator's words before the room warms up, with another port to use, and the
    first listener is left alone."""
    import socket
    import time

    from room_session import free_port

    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        start = time.monotonic()
        out = subprocess.run([sys.executable, "-m", "dpmkit.room", "--folder", str(tmp_path / "room"),
                              "--port", str(port), "--host", "127.0.0.1", "--no-browser"],
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
        took = time.monotonic() - start
        assert out.returncode == 2, out.stderr
        assert f"port {port} is already in use" in out.stderr and f"--port {port + 1}" in out.stderr
        assert f"ROOM_PORT={port + 1}" in out.stderr and "Errno" not in out.stderr
        assert "Participants:" not in out.stdout
        assert took < 60, took  # a bound, not a timing: it stops before the room's warm-up and pages
        busy.settimeout(1)  # the first listener still listens
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


def test_port_problems_in_a_facilitators_words():
    from room_session import free_port

    from dpmkit.room.cli import port_problem

    assert port_problem("127.0.0.1", free_port()) is None
    for port in (0, 70000, -1):
        assert "from 1 to 65535" in port_problem("127.0.0.1", port)
    assert "not an address of this laptop" in port_problem("192.0.2.1", free_port())  # TEST-NET-1


@needs_server
def test_a_room_killed_mid_round_comes_back_with_everything(tmp_path):
    folder = tmp_path / "ballots"
    r = Room(folder, code="TEAL7", tables=["Red", "Blue"])
    r.open_round()
    sent = [r.accept(table=t, params={"staff_target": 20 + k}, participant=f"P{k}").id
            for k, t in enumerate(["Red", "Blue", "Red"])]
    r.rename_table("Blue", "Navy")
    with room(folder) as running:
        before = (running.participants, running.facilitator)
        running.kill(signal.SIGKILL)
    with room(folder, port=int(before[0].split(":")[2].split("/")[0])) as running:
        assert (running.participants, running.facilitator) == before
    again = Room(folder)
    assert again.state.round == "2" and again.tables == ["Red", "Navy"]
    assert sorted(b.id for bs in again.board().values() for b in bs) == sorted(sent)


def test_the_room_serves_anywidget_with_the_chart_module_bound_lengthened():
    """The installed anywidget still has the one 2 s bound the room lengthens (an upgrade that
    changes it must be looked at again: see dpmkit.room.frontend)."""
    pytest.importorskip("solara")
    from dpmkit.room import frontend

    assert frontend.anywidget_patch_missing() is None
    served = frontend.anywidget_js().decode("utf-8")
    installed = frontend._installed_file().read_text(encoding="utf-8")
    assert installed.count("AbortSignal.timeout(2e3)") == 1
    assert "AbortSignal.timeout(2e3)" not in served
    assert served == installed.replace("AbortSignal.timeout(2e3)", "AbortSignal.timeout(600000)")


def test_the_room_serves_the_chart_module_by_url_once_compressed():
    pytest.importorskip("solara")
    import gzip

    import altair as alt

    from dpmkit.room import frontend

    dk.charts.offline("interactive")
    bundle = alt.JupyterChart._esm
    saved = dict(frontend._CHART)
    try:
        path = frontend.serve_chart_module_by_url()
        assert path.startswith("/_dpmkit/jupyterchart-") and path.endswith(".js")
        stub = alt.JupyterChart._esm
        assert len(stub) < 4_000 and path.rsplit("/", 1)[1] in stub and "export default" in stub
        assert "mod.default.render" in stub  # around Altair's render: a redraw with new data only
        assert frontend.serve_chart_module_by_url() == path  # twice: the same, the bundle kept
        served = frontend.chart_module(path)
        assert served["body"] == bundle.encode("utf-8") and gzip.decompress(served["gzip"]).decode("utf-8") == bundle
        assert served["cache"] == b"public, max-age=31536000, immutable" and served["type"].startswith(
            b"application/javascript")
        assert frontend.chart_module(path) is served  # compressed once, not per request
        assert frontend.chart_module("/_dpmkit/other.js") is None
    finally:
        alt.JupyterChart._esm = bundle
        frontend._CHART.clear()
        frontend._CHART.update(saved)


def test_one_helper_sends_every_file_the_room_serves_itself():
    """The fonts and sheets, the chart module and anywidget's front end go through one helper:
    gzipped only when the browser accepts it, the right length, 304 for a matching ETag."""
    pytest.importorskip("solara")
    import asyncio
    import gzip

    from dpmkit.room import frontend
    from dpmkit.room.server import send_asset

    def answer(served, **headers):
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET",
                 "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]}
        asyncio.run(send_asset(scope, send, served))
        start, body = sent
        return start["status"], dict(start["headers"]), body["body"]

    body = b"body { color: red }\n" * 50
    sheet = frontend.asset(body, b"text/css; charset=utf-8", b"no-cache", etag=b'W/"dpmkit-1"')
    status, headers, sent = answer(sheet, accept_encoding="gzip, deflate")
    assert status == 200 and headers[b"content-encoding"] == b"gzip" and gzip.decompress(sent) == body
    assert headers[b"content-length"] == str(len(sent)).encode() and len(sent) < len(body) / 4
    assert headers[b"etag"] == b'W/"dpmkit-1"' and headers[b"cache-control"] == b"no-cache"
    assert headers[b"vary"] == b"Accept-Encoding" and headers[b"content-type"] == b"text/css; charset=utf-8"
    status, headers, sent = answer(sheet)
    assert status == 200 and b"content-encoding" not in headers and sent == body
    assert headers[b"content-length"] == str(len(body)).encode()
    status, headers, sent = answer(sheet, accept_encoding="gzip", if_none_match='W/"dpmkit-1"')
    assert status == 304 and sent == b"" and headers[b"etag"] == b'W/"dpmkit-1"'
    assert answer(sheet, if_none_match='W/"dpmkit-2"')[0] == 200
    # no ETag (the hashed files): never 304, kept for good
    font = frontend.asset(b"wOFF" + bytes(200), b"font/woff", frontend.IMMUTABLE)
    status, headers, sent = answer(font, accept_encoding="identity", if_none_match="anything")
    assert status == 200 and sent == font["body"] and b"etag" not in headers
    assert headers[b"cache-control"] == b"public, max-age=31536000, immutable"
    # anywidget's front end: the same file, the cache by the version asked for
    served = frontend.anywidget_file("")
    assert served is not None and gzip.decompress(served["gzip"]) == frontend.anywidget_js()
    assert served["cache"] == b"no-cache" and frontend.anywidget_file("0123")["cache"] == b"no-store"
    assert frontend.anywidget_file("0123")["gzip"] is served["gzip"]  # compressed once


def test_the_dashboard_keeps_its_buttons_above_a_long_list_of_tables(tmp_path, monkeypatch):
    """A course room with 40 tables: the count reads as a sentence ("1 ballot", not "1 ballots"),
    and "Open round 2" and the message it gives come before the 40-line list of tables, on the
    first screen, not after it."""
    solara = pytest.importorskip("solara")
    import warnings

    from widget_tree import widgets

    from dpmkit.room import pages

    room = Room(tmp_path, model="demo", tables=[f"Table {k}" for k in range(1, 41)])
    room.accept(table="Table 3", params={}, participant="Asha")
    monkeypatch.setattr(pages, "ROOM", room)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page, context = solara.render(pages.Dashboard(), handle_error=False)
    try:
        tree = widgets(page)
        texts = [str(getattr(w, "unsafe_innerHTML", "") or "") for w in tree]
        count = next(t for t in texts if "this round" in t)
        assert count == "1 ballot from 1 of 40 tables this round."
        def where(name):  # a Vuetify widget's class_, or an HTML widget's class attribute
            return next(i for i, w in enumerate(tree) if name in (getattr(w, "class_", "") or "")
                        + str((getattr(w, "attributes", None) or {}).get("class", "")))

        status, button = where("room-status"), where("room-open-round")
        assert button < status
        assert texts[status].count("<tr>") == 40
    finally:
        context.close()
