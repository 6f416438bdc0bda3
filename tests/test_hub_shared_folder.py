"""The four-week module's course-hub route (workshops/session-plans/four-week-module.md, "A course on
JupyterHub"): the facilitator creates a game in a subfolder of the shared folder with ``dk.game.new``,
and each table's notebook, running under the student's own account, loads it and decides.

On a hub each student is another Unix account in the shared folder's group, with the usual umask 022.
The second test runs the tables' decisions under other user ids for real (it needs root to change
ids, and skips without it); the first checks the modes that make that work, as any user."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

import dpmkit as dk

posix_only = pytest.mark.skipif(os.name != "posix", reason="Unix accounts and modes")


def shared_folder(tmp_path, gid=None, mode=0o3770):
    """A shared folder as setup.md makes it: group-writable, setgid, sticky (``chmod 3770``)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    if gid is not None:
        os.chown(folder, -1, gid)
    os.chmod(folder, mode)
    return folder


@pytest.fixture
def hub_root():
    """A folder every account can reach (pytest's own temporary folders are private to their owner)."""
    hub = Path(tempfile.mkdtemp(prefix="dpmkit-hub-"))
    os.chmod(hub, 0o755)
    yield hub
    shutil.rmtree(hub, ignore_errors=True)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@posix_only
def test_a_game_made_in_the_shared_folder_is_writable_by_the_group(tmp_path, umask_022):
    g = dk.game.new(shared_folder(tmp_path) / "group1", "targets_vs_learning", tables=["A", "B"])
    folder = stat.S_IMODE(g.folder.stat().st_mode)
    assert folder & 0o070 == 0o070 and folder & stat.S_ISGID  # the tables' accounts may add files
    assert stat.S_IMODE((g.folder / ".~lock.game").stat().st_mode) == 0o660  # and take the lock


@posix_only
def test_a_game_outside_a_shared_folder_keeps_the_umask(tmp_path, umask_022):
    g = dk.game.new(tmp_path / "mine", "targets_vs_learning", tables=["A", "B"])
    assert stat.S_IMODE(g.folder.stat().st_mode) & 0o020 == 0


def _as_another_account(uid, gid, action):
    """Run ``action()`` in a child process under ``uid`` (in group ``gid``, umask 022), as a student's
    server on a hub runs; return the child's exit status and what it printed on failure."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        status = 0
        try:
            os.setgroups([gid])
            os.setgid(uid)
            os.setuid(uid)
            os.umask(0o022)
            action()
        except BaseException as err:  # reported to the parent
            os.write(write, f"{type(err).__name__}: {err}".encode()[:4000])
            status = 1
        os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        said = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), said


@posix_only
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing user ids needs root")
@pytest.mark.parametrize("mode", [0o3770, 0o2770])
def test_every_tables_account_decides_and_the_facilitator_advances(tmp_path, hub_root, umask_022, mode):
    gid, facilitator, first, second = 4242, 5001, 5002, 5003
    folder = shared_folder(hub_root, gid, mode) / "group1"
    # everything the children import is imported here first (the interpreter may sit in a folder
    # the other accounts cannot read); the fork keeps it
    game = {}

    def create():
        game["g"] = dk.game.new(folder, "targets_vs_learning", tables=["Funders", "Inspectors"])
        game["g"].assign("Funders", "funder")
        game["g"].assign("Inspectors", "inspectorate")

    def decide(table, lever, value):
        return lambda: dk.game.load(folder).decide(table, {lever: value})

    rehearsal = dk.game.new(tmp_path / "rehearsal", "targets_vs_learning", tables=["Funders"])
    rehearsal.assign("Funders", "funder")
    rehearsal.decide("Funders", {"incentive_strength": 0.5})
    rehearsal.advance()
    rehearsal.log(), rehearsal.results()
    assert _as_another_account(facilitator, gid, create) == (0, "")
    assert _as_another_account(first, gid, decide("Funders", "incentive_strength", 0.8)) == (0, "")
    # the second student's account: before the fix, "cannot lock the game's lock file ... Permission denied"
    assert _as_another_account(second, gid, decide("Inspectors", "reporting_burden", 0.1)) == (0, "")
    assert _as_another_account(facilitator, gid, lambda: dk.game.load(folder).advance()) == (0, "")
    log = dk.game.load(folder).log()
    assert sorted(zip(log["table"], log["lever"], log["value"])) == [
        ("Funders", "incentive_strength", 0.8), ("Inspectors", "reporting_burden", 0.1)]
    assert dk.game.load(folder).round == 2
    assert stat.S_IMODE(folder.stat().st_mode) & stat.S_ISVTX == mode & stat.S_ISVTX  # as its parent


@posix_only
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing user ids needs root")
def test_in_the_recommended_shared_folder_no_student_deletes_anothers_ballot(hub_root, umask_022):
    """setup.md's ``chmod 3770``: every account adds ballots, the preflight check's own test file
    included, and none can delete another's (with 2770 any student could empty the folder)."""
    gid, first, second = 4242, 5002, 5003
    folder = shared_folder(hub_root, gid)
    dk.workshop.collect(folder)  # imported before the fork
    assert _as_another_account(first, gid, lambda: dk.workshop.submit(
        folder, model="demo", params={}, participant="Asha", table="Table 1")) == (0, "")
    (ballot,) = folder.glob("ballot-*.json")
    status, said = _as_another_account(second, gid, ballot.unlink)
    assert status == 1 and "PermissionError" in said
    assert [b.participant for b in dk.workshop.collect(folder, model="demo").ballots] == ["Asha"]


MODULE = Path(__file__).resolve().parents[1] / "workshops" / "session-plans" / "four-week-module.md"


def _module_code():
    """The four-week module's Python recipes, in order."""
    return re.findall(r"```python\n(.*?)```", MODULE.read_text(encoding="utf-8"), flags=re.S)


@posix_only
def test_the_modules_hub_recipes_run_as_written(tmp_path, umask_022, monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.chdir(tmp_path)
    shared = shared_folder(tmp_path)
    export, game = _module_code()
    # the section's game: created, one role per table, and a table's page sends a decision
    where = {}
    exec(game.replace("/srv/dpmkit/ballots", str(shared)), where)  # the kit's own document, not user text
    g = where["g"]
    assert g.assignments() == {"funder": "Funder", "inspectorate": "Inspectorate",
                               "service_manager": "Service manager", "frontline": "Frontline",
                               "service_users": "Service users"}
    assert type(where["facilitator_widget"](g, watch=False)).__name__ == "FacilitatorWidget"
    page = where["table_widget"](dk.game.load(where["folder"]), "Frontline", watch=False)
    page.controls["work_harder"].value = 1
    page.send()
    assert "Sent for round 1" in page.status.value
    g.advance()
    assert list(dk.game.load(where["folder"]).log()["table"]) == ["Frontline", "Frontline"]  # its two levers
    assert stat.S_IMODE(g.folder.stat().st_mode) & 0o020  # writable by the students' group
    # the week's export: every ballot of every round, one row each
    dk.workshop.submit(shared, model="surrey", params={}, participant="Asha", table="Table 1", round="1")
    dk.workshop.submit(shared, model="surrey", params={}, participant="Asha", table="Table 1", round="2")
    exec(export.replace("/srv/dpmkit/ballots", str(shared)), {})  # the kit's own document, not user text
    rows = (tmp_path / "week1.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 3 and "Asha" in rows[1] and "Asha" in rows[2]
