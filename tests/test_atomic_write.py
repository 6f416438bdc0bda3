"""The kit's one atomic writer (``dpmkit/_files.py``, public in the ballot store as
``dk.workshop.store.atomic_write``) and its three callers: the ballot store's ``write_file``
(ballots, the room's and the game's state), the game's exports (``records._write``) and the
offline chart bundle (``charts.render._save_bundle``).

Each caller writes through a hidden temporary file in the same folder that holds all of the new
bytes before it is renamed over the target (a reader sees the old file or the new one, never part
of one); a failed rename leaves the old file and no temporary file; each refuses names outside
its folder and names outside its own list, writing nothing anywhere.
"""

from __future__ import annotations

import os
import re
import stat
from types import SimpleNamespace

import pytest

import dpmkit as dk
from dpmkit import _files
from dpmkit.charts import render
from dpmkit.game import records
from dpmkit.workshop import store

BUNDLE = "jupyterchart-0123456789abcdef0123.js"


def ballot_writer(folder, name, data):
    return store.write_file(folder, name, data)


def export_writer(folder, name, data):
    return records._write(folder, name, data.decode("utf-8"))


def bundle_writer(folder, name, data):
    return render._save_bundle(folder, name, data.decode("utf-8"))


# (writer, a name it writes, its hidden temporary files' prefix, permissions)
WRITERS = {
    "ballot store": (ballot_writer, "ballot-2026-x.json", ".ballot-", store.FILE_MODE),
    "game export": (export_writer, "game-log.csv", ".export-", store.FILE_MODE),
    "chart bundle": (bundle_writer, BUNDLE, ".jupyterchart-", 0o644),
}


def _everything(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("which", list(WRITERS))
def test_each_caller_writes_through_a_full_temporary_file_renamed_into_place(tmp_path, monkeypatch, which):
    write, name, prefix, mode = WRITERS[which]
    folder = tmp_path / "folder"
    folder.mkdir()
    old, new = "first version ✓\n".encode() * 3, "second version, longer ✓\n".encode() * 5000
    assert write(folder, name, old) == folder / name
    assert (folder / name).read_bytes() == old
    if hasattr(os, "fchmod"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == mode

    seen = []
    real_replace = os.replace

    def watched_replace(src, dst):
        src, dst = os.fspath(src), os.fspath(dst)
        # At the moment of the rename the target still holds the old bytes, and the hidden
        # temporary file beside it already holds all of the new ones.
        with open(src, "rb") as handle:
            complete = handle.read() == new
        seen.append((os.path.dirname(src), os.path.basename(src), dst, complete, (folder / name).read_bytes() == old))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watched_replace)
    write(folder, name, new)
    assert len(seen) == 1
    where, temp, dst, complete, untouched = seen[0]
    assert where == str(folder) and temp.startswith(prefix) and temp.endswith(".tmp")
    assert dst == str(folder / name) and complete and untouched
    assert (folder / name).read_bytes() == new
    assert os.listdir(folder) == [name]  # the temporary file became the target

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        write(folder, name, old)
    assert (folder / name).read_bytes() == new  # the old file stands, whole
    assert os.listdir(folder) == [name]  # and no temporary file is left behind


OUTSIDE = ["../escape.json", "../game-log.csv", f"../{BUNDLE}", "sub/ballot.json", "/tmp/ballot.json", "..", ".",
           "", "ballot.json\0", f"..{os.sep}{BUNDLE}"]
NOT_THEIRS = {
    "ballot store": [".hidden.json", "notes.txt", "ballot.json.tmp", "-x.json", "a" * 152 + ".json", "bad name.json",
                     "ballot.JSON", "ballot.json\n"],
    "game export": ["game-log.txt", "debrief.htm", "evil.html", "game-log.csv.bak", "ballot-x.json", ".game-log.csv"],
    "chart bundle": ["jupyterchart-xyz.js", "evil.js", BUNDLE + ".map", "jupyterchart-0123456789ABCDEF0123.js"],
}


@pytest.mark.parametrize("which", list(WRITERS))
def test_each_caller_refuses_names_outside_its_folder_and_outside_its_list(tmp_path, which):
    write = WRITERS[which][0]
    folder = tmp_path / "inner" / "folder"
    folder.mkdir(parents=True)
    before = _everything(tmp_path)
    for name in OUTSIDE + NOT_THEIRS[which]:
        with pytest.raises(dk.ModelError, match=r"refusing to write .* under the unsafe name"):
            write(folder, name, b"data")
        assert _everything(tmp_path) == before, name  # nothing written, inside or out
    for other in WRITERS:  # a name another caller may write is not this one's
        name = WRITERS[other][1]
        if other != which:
            with pytest.raises(dk.ModelError, match="unsafe name"):
                write(folder, name, b"data")
    assert _everything(tmp_path) == before


# The ballot store's own rule, exactly as strict as before it shared the writer.
_BALLOT_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.json\Z")


@pytest.mark.parametrize("name", ["a.json", "ballot-2026-01-01T10-00-00-abc.json", "game.json", "dpmkit-room.json",
                                  "A" * 151 + ".json", "A" * 152 + ".json", "x..json", "x.json.json",
                                  ".json", "_x.json", "x.jso", "x json.json", "é.json", "x.json/", "x/../y.json"])
def test_the_ballot_store_accepts_exactly_the_names_it_always_did(tmp_path, name):
    allowed = bool(_BALLOT_RULE.match(name))
    if allowed:
        assert store.write_file(tmp_path, name, b"{}") == tmp_path / name
        assert (tmp_path / name).read_bytes() == b"{}"
    else:
        with pytest.raises(dk.ModelError, match="refusing to write a ballot under the unsafe name"):
            store.write_file(tmp_path, name, b"{}")
        assert os.listdir(tmp_path) == []


def test_the_store_offers_the_one_writer_and_it_takes_bytes_only(tmp_path):
    assert store.atomic_write is _files.atomic_write
    assert "atomic_write" in store.__all__
    with pytest.raises(dk.ModelError, match="from bytes, got str"):
        store.atomic_write(tmp_path, "a.txt", "text", names=re.compile(r"a\.txt"))
    assert os.listdir(tmp_path) == []
    path = store.atomic_write(tmp_path, "a.txt", b"x", names=re.compile(r"a\.txt"), mode=0o600)
    assert path.read_bytes() == b"x"
    if hasattr(os, "fchmod"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_one_user_cache_folder_for_everything_the_kit_can_rebuild(monkeypatch, tmp_path):
    # compiled kernels, the offline chart bundle and pictures drawn before live under one folder,
    # the same on every platform (the compiled kernels once went elsewhere on a Mac)
    from dpmkit import _numba_kernel

    monkeypatch.setenv("DPMKIT_CACHE_DIR", str(tmp_path / "mine"))
    assert render.cache_dir() == _files.user_cache_dir() == tmp_path / "mine"
    assert _numba_kernel.cache_dir() == tmp_path / "mine" / "numba"
    monkeypatch.delenv("DPMKIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(_files, "sys", SimpleNamespace(platform="linux"))  # this module only
    assert _numba_kernel.cache_dir() == tmp_path / "xdg" / "dpmkit" / "numba"
    monkeypatch.setattr(_files, "sys", SimpleNamespace(platform="darwin"))  # this module only
    assert _numba_kernel.cache_dir() == tmp_path / "home" / "Library" / "Caches" / "dpmkit" / "numba"
    assert render.cache_dir() == tmp_path / "home" / "Library" / "Caches" / "dpmkit"
    monkeypatch.setattr(_files, "sys", SimpleNamespace(platform="win32"))  # this module only
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert render.cache_dir() == tmp_path / "local" / "dpmkit" / "cache"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_cache_folder_anyone_can_write_is_not_ours_alone(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    assert _files.ours_alone(mine)
    mine.chmod(0o777)
    assert not _files.ours_alone(mine)
