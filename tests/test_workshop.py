"""Ballots: the round trip, copy-paste codes, hostile input, concurrency, aggregation, widget."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import multiprocessing
import os
import shutil
import stat
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dpmkit as dk
from dpmkit import workshop

POSIX = os.name == "posix"


@pytest.fixture(scope="module")
def demo():
    return dk.models.load("demo")


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "ballots"
    path.mkdir()
    return path


def _doc(of, /, **changes):
    """A valid ballot document, with fields changed or removed (value None)."""
    doc = workshop.make_ballot(of, params={"staff_target": 26}, predictions={"waiting_list": {60: 20}},
                               table="Table 1").to_dict()
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def _write(folder, name, content):
    path = folder / name
    if isinstance(content, (dict, list)):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _reasons(found):
    return {r.source: r.reason for r in found.rejected}


# ------------------------------------------------------------------ round trips
def test_folder_round_trip(demo, folder):
    path = workshop.submit(folder, model=demo, params={"staff_target": 26},
                           predictions={"waiting_list": {12: 50, 60: 20}, "waiting_time": 0.8},
                           question="Will more posts shorten the list?", hypothesis="Yes, within a year",
                           decision="Fund 26 posts", participant="Asha", table="Table 1", role="commissioner",
                           round="1")
    assert path.parent == folder and path.suffix == ".json"
    assert sorted(os.listdir(folder)) == [path.name], "no temporary file may be left behind"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema"] == "dpmkit-ballot" and doc["version"] == 1
    assert doc["model"] == "demo" and doc["fingerprint"] == workshop.fingerprint(demo)
    assert doc["params"] == {"staff_target": 26.0}
    assert doc["predictions"] == {"waiting_list": [[12.0, 50.0], [60.0, 20.0]], "waiting_time": [[60.0, 0.8]]}
    if POSIX:
        assert stat.S_IMODE(path.stat().st_mode) == 0o640

    found = workshop.collect(folder)
    assert found.rejected == [] and len(found) == 1
    row = found.table.iloc[0]
    assert row["participant"] == "Asha" and row["table"] == "Table 1" and row["role"] == "commissioner"
    assert row["hypothesis"] == "Yes, within a year" and row["decision"] == "Fund 26 posts"
    assert row["staff_target"] == 26.0
    # parameters nobody set keep the model's default in the table
    assert row["referral_rate"] == demo["referral_rate"].default
    ballot = found.ballots[0]
    assert ballot.predictions["waiting_list"] == ((12.0, 50.0), (60.0, 20.0))
    assert ballot.source == path.name and ballot.id == doc["id"]


def test_mode_ignores_a_strict_umask(demo, folder):
    if not POSIX:
        pytest.skip("file modes are POSIX")
    old = os.umask(0o077)
    try:
        path = workshop.submit(folder, model=demo, params={"staff_target": 20})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640, "the facilitator's group must be able to read ballots"


def test_code_round_trip_survives_chat_noise_and_line_wraps(demo):
    code = workshop.submit(None, model=demo, params={"staff_target": 30}, predictions={"waiting_list": 15},
                           hypothesis="Ça ira — more staff, shorter list", participant="Chloé", table="Table 3")
    assert code.startswith("DPMK1.") and len(code) < 600, "a code must stay short enough to paste"
    ballot = workshop.read_code(code)
    assert ballot.params == {"staff_target": 30.0} and ballot.participant == "Chloé"
    assert ballot.hypothesis == "Ça ira — more staff, shorter list"
    wrapped = "\n".join(code[i:i + 50] for i in range(0, len(code), 50))
    second = workshop.submit(None, model=demo, params={"staff_target": 10}, table="Table 4")
    pasted = f"[10:42] Chloé: {wrapped}\n[10:43] Dev:   {second}  thanks!"
    found = workshop.collect(codes=pasted, model=demo)
    assert found.rejected == []
    assert sorted(found.table["staff_target"]) == [10.0, 30.0]


def test_codes_and_files_merge_and_duplicates_count_once(demo, folder):
    ballot = workshop.make_ballot(demo, params={"staff_target": 22}, table="Table 2")
    path = ballot.save(folder)
    shutil.copy(path, folder / "copy-of-ballot.json")
    found = workshop.collect(folder, codes=[ballot.code, ballot.code])
    assert len(found) == 1
    reasons = _reasons(found)
    assert set(reasons) == {"copy-of-ballot.json", "code 1", "code 2"}
    assert all("duplicate" in r for r in reasons.values())


def test_submit_refuses_bad_choices_naming_them(demo, folder):
    cases = [
        ({"params": {"staff_targt": 20}}, "did you mean 'staff_target'"),
        ({"params": {"staff_target": 1000}}, "'staff_target' = 1000 is outside its bounds 5 to 40 FTE"),
        ({"params": {"staff_target": "many"}}, "'staff_target' must be a number"),
        ({"params": {"staff_target": float("nan")}}, "must be a finite number"),
        ({"params": {"staff_target": True}}, "must be a number"),
        ({"params": {"waiting_list": 3}}, "'waiting_list' is a stock of 'demo', not a parameter"),
        ({"predictions": {"waiting_lst": 3}}, "did you mean 'waiting_list'"),
        ({"predictions": {"staff_target": 3}}, "'staff_target' is a parameter; predict a stock"),
        ({"predictions": {"waiting_list": {90: 3}}}, "at time 90 lies outside the run (0 to 60 month)"),
        ({"predictions": {"waiting_list": {"soon": 3}}}, "prediction time 'soon'"),
        ({"predictions": {"waiting_list": [[1, 2, 3]]}}, "must be [time, value] pairs"),
        ({"predictions": {"waiting_list": {10: float("inf")}}}, "must be a finite number"),
        ({"predictions": [1, 2]}, "predictions must map variable names"),
        ({"hypothesis": "x" * 2001}, "hypothesis is 2001 characters long"),
        ({"participant": "a\x00b"}, "participant contains control characters"),
        ({"table": 3}, "table must be text"),
    ]
    for kwargs, message in cases:
        with pytest.raises(dk.ModelError) as err:
            workshop.submit(folder, model=demo, **kwargs)
        assert message in str(err.value), (kwargs, str(err.value))
    assert os.listdir(folder) == [], "a refused ballot writes nothing"
    with pytest.raises(dk.ModelError, match="does not exist"):
        workshop.submit(folder / "missing", model=demo)
    with pytest.raises(dk.ModelError, match="no ready-made model called 'dem'"):
        workshop.submit(None, model="dem")


def test_what_participants_type_never_shapes_the_file_name(demo, folder):
    for who in ("../../escape", "/etc/passwd", "C:\\Windows\\x", "a/b", "..", "Zoë 🙂"):
        path = workshop.submit(folder, model=demo, participant=who, table=who if len(who) < 40 else "")
        assert path.parent == folder
        assert path.name.startswith("ballot-") and who not in path.name
    found = workshop.collect(folder)
    assert len(found) == 6 and found.rejected == []
    assert "../../escape" in set(found.table["participant"])
    assert not (folder.parent.parent / "escape").exists()


def test_fingerprint_tracks_what_a_run_computes(demo):
    fp = workshop.fingerprint(demo)
    assert fp == workshop.fingerprint(dk.models.load("demo")) and len(fp) == 16
    reworded = dataclasses.replace(demo["staff"], label="Renamed", description="Reworded")
    assert fp == workshop.fingerprint(demo.with_variables(reworded)), "wording does not change a run"
    changed = [
        demo.with_params(staff_target=25),
        demo.with_variables(dk.Aux("workload", "ZIDZ(waiting_list, staff * cases_per_worker * 2)", units="month")),
        demo.with_variables(dk.Param("hiring_delay", 4, bounds=(1, 24), units="month")),
        demo.replace(stop=48),
        demo.replace(name="demo2"),
    ]
    for other in changed:
        assert workshop.fingerprint(other) != fp


# ------------------------------------------------------------------ hostile input
def test_each_hostile_file_is_rejected_with_a_reason_and_the_good_ones_survive(demo, folder, tmp_path):
    good = workshop.make_ballot(demo, params={"staff_target": 26}, table="Table 1")
    good_path = good.save(folder)
    valid = json.dumps(_doc(demo), separators=(",", ":"))
    other_model = dk.models.load("three_objectives")
    hostile = {
        "broken.json": "{not json",
        "truncated.json": valid[: len(valid) // 2],
        "empty.json": "",
        "latin1.json": "{\"participant\": \"Zo\xeb\"}".encode("latin-1"),
        "array.json": [1, 2, 3],
        "notes.json": {"shopping": ["milk"]},
        "newer.json": _doc(demo, version=2),
        "version-text.json": _doc(demo, version="1"),
        "other-model.json": _doc(demo, model="three_objectives"),
        "other-version.json": _doc(demo, fingerprint=workshop.fingerprint(demo.with_params(staff_target=25))),
        "out-of-bounds.json": _doc(demo, params={"staff_target": 400}),
        "unknown-param.json": _doc(demo, params={"budget": 4}),
        "param-not-number.json": _doc(demo, params={"staff_target": "26"}),
        "bad-id.json": _doc(demo, id="../../etc/passwd"),
        "no-id.json": _doc(demo, id=None),
        "bad-time.json": _doc(demo, created="yesterday"),
        "naive-time.json": _doc(demo, created="2025-05-14T10:00:00"),
        "bad-prediction.json": _doc(demo, predictions={"waiting_list": [[999, 1]]}),
        "predictions-list.json": _doc(demo, predictions=[1, 2]),
        "long-text.json": _doc(demo, hypothesis="y" * 5000),
        "dup-keys.json": valid[:-1] + ', "params": {"staff_target": 400}}',
        "nan.json": valid.replace('"params":{"staff_target":26.0}', '"params":{"staff_target":NaN}'),
        "deep.json": "[" * 30_000 + "]" * 30_000,
        "huge-int.json": valid.replace("26.0", "9" * 5000),
        "inf.json": valid.replace("26.0", "1e999"),
    }
    assert '"params":{"staff_target":26.0}' in valid
    for name, content in hostile.items():
        _write(folder, name, content)
    # another model's ballot in the folder: fine when collecting per ballot model, refused for demo
    workshop.make_ballot(other_model, table="Table 9").save(folder)
    found = workshop.collect(folder, model=demo)
    reasons = _reasons(found)
    assert [b.id for b in found.ballots] == [good.id]
    assert set(hostile) <= set(reasons), set(hostile) - set(reasons)
    expected = {
        "broken.json": "not valid JSON",
        "truncated.json": "cut short",
        "empty.json": "empty file",
        "latin1.json": "not UTF-8",
        "array.json": "not an object",
        "notes.json": "not a dpmkit ballot",
        "newer.json": "newer dpmkit",
        "version-text.json": "not a whole number",
        "other-model.json": "for model 'three_objectives', not 'demo'",
        "other-version.json": "another version or setting of model 'demo'",
        "out-of-bounds.json": "outside its bounds",
        "unknown-param.json": "has no parameter 'budget'",
        "param-not-number.json": "must be a number",
        "bad-id.json": "not 32 hexadecimal digits",
        "no-id.json": "not 32 hexadecimal digits",
        "bad-time.json": "time stamp",
        "naive-time.json": "time zone",
        "bad-prediction.json": "outside the run",
        "predictions-list.json": "predictions must be an object",
        "long-text.json": "at most 2000",
        "dup-keys.json": "appears twice",
        "nan.json": "NaN is not a number",
        "deep.json": "nested too deeply",
        "huge-int.json": "not valid JSON",
        "inf.json": "finite",
    }
    for name, fragment in expected.items():
        assert fragment in reasons[name], (name, reasons[name])
    assert good_path.exists(), "collect never deletes or moves anything"


def test_names_links_and_special_files_are_never_followed(demo, folder, tmp_path):
    if not POSIX:
        pytest.skip("symbolic links and FIFOs as on POSIX")
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = workshop.make_ballot(demo, params={"staff_target": 5}, table="outside").save(outside)
    inside = workshop.make_ballot(demo, params={"staff_target": 26}, table="inside").save(folder)
    (folder / "link-out.json").symlink_to(secret)
    (folder / "link-in.json").symlink_to(inside)
    (folder / "passwd.json").symlink_to("/etc/passwd")
    (folder / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    (folder / "subfolder.json").mkdir()
    workshop.make_ballot(demo, table="nested").save(folder / "subfolder.json")
    os.mkfifo(folder / "pipe.json")
    odd = ["my ballot.json", "bállot.json", "new\nline.json", "..\\..\\x.json", "-rf.json", "ballot.JSON.exe",
           "README", "notes.txt", "x" * 200 + ".json"]
    for name in odd:
        shutil.copy(inside, folder / name)
    Path(folder / ".ballot-abc123.tmp").write_text("{half a ballot")
    Path(folder / ".DS_Store").write_bytes(b"\x00\x01")
    Path(folder / "join-qr.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # the room's own files
    Path(folder / "dpmkit-room.lock").write_text(" 8866\n")
    Path(folder / ".ipynb_checkpoints").mkdir()
    Path(folder / ".hidden.json").write_text("{}")

    started = time.monotonic()
    found = workshop.collect(folder)
    assert time.monotonic() - started < 10, "a FIFO must not block collect"
    assert [b.table for b in found.ballots] == ["inside"]
    reasons = _reasons(found)
    for name in ("link-out.json", "link-in.json", "passwd.json", "dangling.json"):
        assert "symbolic link" in reasons[name]
    assert "folder" in reasons["subfolder.json"]
    assert "not a regular file" in reasons["pipe.json"]
    shown_odd = {workshop.store.safe_display(n) for n in odd}
    for name in shown_odd:
        assert "not a ballot file name" in reasons[name], name
    assert "new\\nline.json" in reasons, "control characters in names are shown escaped"
    assert "not a ballot file name" in reasons[".hidden.json"]
    assert found.in_progress == 1, "a ballot being written is counted, not read"
    assert len(found.rejected) == 4 + 2 + len(odd) + 1, "clutter such as .DS_Store and the room's QR code are skipped"


def test_oversized_files_are_refused_before_reading(demo, folder):
    big = folder / "huge.json"
    with open(big, "wb") as f:
        f.truncate(8 * 1024**3)  # sparse: 8 GB that would take minutes (and memory) to read
    just_over = folder / "just-over.json"
    doc = _doc(demo, hypothesis="")
    padding = workshop.MAX_BYTES - len(json.dumps(doc)) + 10
    doc["decision"] = "z" * padding
    just_over.write_text(json.dumps(doc))
    assert just_over.stat().st_size > workshop.MAX_BYTES
    started = time.monotonic()
    found = workshop.collect(folder)
    assert time.monotonic() - started < 5
    reasons = _reasons(found)
    assert "too large (8,589,934,592 bytes" in reasons["huge.json"]
    assert "too large" in reasons["just-over.json"]


def test_reasons_never_echo_what_is_not_a_ballot(demo, folder):
    # e.g. a hard link to a private file dropped into the folder
    _write(folder, "secret.json", "password=hunter2")
    _write(folder, "secret2.json", '{"password": "hunter2"')
    _write(folder, "secret3.json", {"password": "hunter2"})
    _write(folder, "secret4.json", {"hunter2": 1})
    found = workshop.collect(folder, model=demo)
    assert len(found.rejected) == 4
    for r in found.rejected:
        assert "hunter2" not in r.reason, r


def test_damaged_codes_are_rejected_with_reasons(demo):
    code = workshop.submit(None, model=demo, params={"staff_target": 30})
    payload = code[len("DPMK1."):-9]
    flipped = code[:20] + ("A" if code[20] != "A" else "B") + code[21:]
    bomb_payload = base64.urlsafe_b64encode(zlib.compress(b" " * (4 * workshop.MAX_BYTES), 9)).rstrip(b"=").decode()
    bomb = f"DPMK1.{bomb_payload}.{hashlib.sha256(bomb_payload.encode()).hexdigest()[:8]}"
    junk_payload = base64.urlsafe_b64encode(b"not zlib at all").rstrip(b"=").decode()
    junk = f"DPMK1.{junk_payload}.{hashlib.sha256(junk_payload.encode()).hexdigest()[:8]}"
    other = workshop.submit(None, model=dk.models.load("three_objectives"))
    cases = {
        code[:-3]: "no ballot code found",
        code[: len(code) // 2] + code[-9:]: "damaged or incomplete",
        flipped: "damaged or incomplete",
        bomb: "more than 64 KB",
        junk: "cannot be decompressed",
        "hello": "no ballot code found",
        code + " " + code: "holds 2 ballot codes",
    }
    for text, fragment in cases.items():
        with pytest.raises(dk.ModelError) as err:
            workshop.read_code(text, model=demo)
        assert fragment in str(err.value), (fragment, str(err.value))
    with pytest.raises(dk.ModelError, match="for model 'three_objectives', not 'demo'"):
        workshop.read_code(other, model=demo)
    assert workshop.read_code(other).model == "three_objectives"
    assert payload  # the code has a body
    found = workshop.collect(codes=["garbage", code, bomb, 42], model=demo)
    assert len(found) == 1
    assert _reasons(found) == {
        "pasted item 1": "no ballot code found in it",
        "code 2": f"the code unpacks to more than {workshop.MAX_BYTES // 1024} KB: too large to be a ballot",
        "pasted item 4": "not text (int)",
    }


def test_ballots_of_an_unregistered_model_need_model(folder):
    model = dk.Model("my_service", [
        dk.Stock("queue", 10, units="people"),
        dk.Flow("arrivals", "demand", into="queue", units="people/week"),
        dk.Param("demand", 3, bounds=(0, 10), units="people/week", role="policy_lever"),
    ], stop=10, time_units="week")
    workshop.submit(folder, model=model, params={"demand": 4})
    found = workshop.collect(folder)
    assert len(found) == 0 and "not a ready-made model: pass model=" in found.rejected[0].reason
    found = workshop.collect(folder, model=model)
    assert len(found) == 1 and found.table.loc[0, "demand"] == 4.0


def test_collect_refuses_the_facilitators_own_mistakes(folder):
    with pytest.raises(dk.ModelError, match="does not exist"):
        workshop.collect(folder / "nope")
    with pytest.raises(dk.ModelError, match="give a ballot folder"):
        workshop.collect()
    (folder / "file").write_text("x")
    with pytest.raises(dk.ModelError, match="is a file, not a folder"):
        workshop.collect(folder / "file")

    # each of these used to escape as another exception type
    code = workshop.submit(None, model="demo", params={"staff_target": 26})
    with pytest.raises(dk.ModelError, match="codes must be text, or a list of texts, got int"):
        workshop.collect(codes=5)  # TypeError: 'int' object is not iterable
    with pytest.raises(dk.ModelError, match="got bytes"):
        workshop.collect(codes=code.encode())
    assert len(workshop.collect(codes=(c for c in [code]))) == 1  # any iterable of texts still does
    too_long = str(folder / ("a" * 5000))
    for call in (lambda: workshop.collect(too_long), lambda: workshop.submit(too_long, model="demo"),
                 lambda: workshop.open_round(too_long, "1")):
        with pytest.raises(dk.ModelError, match=r"cannot look at the ballot folder .*File name too long"):
            call()  # OSError (ENAMETOOLONG) from Path.exists
    with pytest.raises(dk.ModelError, match=r"seed must be a whole number .* got 'x'"):
        workshop.example_ballots("demo", 2, seed="x")  # TypeError from numpy


def test_a_session_file_saved_with_a_bom_is_read(folder):
    # ballots are read past a BOM (an editor such as Notepad adds one); the session file was "damaged"
    workshop.open_round(folder, "2", tables=["Red", "Blue"])
    path = folder / workshop.SESSION_FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    session = workshop.read_session(folder)
    assert (session.round, session.tables) == ("2", ("Red", "Blue"))
    path.write_bytes(b"\xef\xbb\xbf" * 2 + b"{}")
    with pytest.raises(dk.ModelError, match="is damaged"):
        workshop.read_session(folder)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000))
def test_any_bytes_in_a_file_are_accepted_or_rejected_never_a_crash(demo, tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("fuzz")
    _write(folder, "x.json", content)
    found = workshop.collect(folder, model=demo)
    assert len(found) + len(found.rejected) == 1
    assert all(r.reason for r in found.rejected)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["schema", "version", "id", "created", "model", "fingerprint", "participant",
                              "table", "role", "round", "params", "predictions", "question", "hypothesis",
                              "finding", "decision"]),
       value=_json)
def test_a_ballot_with_any_field_replaced_is_checked_never_a_crash(demo, field, value):
    doc = _doc(demo)
    doc[field] = value
    code = workshop.Ballot.code.fget(_Raw(doc))
    found = workshop.collect(codes=code, model=demo)
    assert len(found) + len(found.rejected) == 1
    if len(found):
        ballot = found.ballots[0]
        assert 5 <= ballot.params.get("staff_target", 20) <= 40
        assert all(isinstance(v, str) for v in (ballot.participant, ballot.hypothesis))


class _Raw:
    """Something that encodes an arbitrary document the way Ballot.code does."""

    def __init__(self, doc):
        self._doc = doc

    def to_json(self):
        return json.dumps(self._doc).encode("utf-8")


@settings(max_examples=100)
@given(text=st.text(max_size=400))
def test_any_pasted_text_never_crashes(text):
    found = workshop.collect(codes=text, model="demo")
    assert len(found) == 0
    assert all(r.reason for r in found.rejected)


# ------------------------------------------------------------------ concurrency
def _cast_many(folder, worker, count, ready):
    """Run in another process: cast ``count`` ballots as fast as possible."""
    model = dk.models.load("demo")
    ready.wait()
    ids = []
    for k in range(count):
        ballot = workshop.make_ballot(model, params={"staff_target": 5 + (worker * count + k) % 36},
                                      participant=f"p{worker}", table=f"Table {worker}",
                                      hypothesis="h" * (k * 37 % 1500))
        ballot.save(folder)
        ids.append(ballot.id)
        time.sleep(0.002)  # spread the writes so that collect surely runs in between
    return ids


def test_many_processes_submitting_at_once_lose_nothing(folder):
    workers, each = 4, 50
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        ready = manager.Event()
        with ctx.Pool(workers) as pool:
            pending = [pool.apply_async(_cast_many, (str(folder), w, each, ready)) for w in range(workers)]
            workshop.collect(folder, model="demo")  # warm up imports, so collecting starts at once
            time.sleep(0.5)
            ready.set()
            seen_while_writing = []
            while not all(p.ready() for p in pending):
                found = workshop.collect(folder, model="demo")
                assert found.rejected == [], f"collect read a half-written ballot: {found.rejected[:3]}"
                seen_while_writing.append(len(found))
            cast = [i for p in pending for i in p.get(timeout=120)]
    found = workshop.collect(folder)
    assert found.rejected == []
    assert len(cast) == workers * each == len(set(cast))
    collected = [b.id for b in found.ballots]
    assert sorted(collected) == sorted(cast), "every ballot is collected exactly once"
    assert not [n for n in os.listdir(folder) if n.startswith(".")], "no temporary files are left"
    assert seen_while_writing == sorted(seen_while_writing), "ballots never disappear between collections"
    assert any(0 < n < workers * each for n in seen_while_writing), "collect did run while ballots were written"


# ------------------------------------------------------------------ aggregation
@pytest.fixture(scope="module")
def cast(tmp_path_factory):
    model = dk.models.load("demo")
    folder = tmp_path_factory.mktemp("cast")
    choices = [
        ("Asha", "Table 1", {"staff_target": 30}, {"waiting_list": {12: 40, 60: 10}}),
        ("Ben", "Table 1", {"staff_target": 12}, {"waiting_list": {60: 150}}),
        ("Chloé", "Table 2", {"staff_target": 20, "referral_rate": 45}, {"waiting_time": 2.0}),
        ("Dev", "Table 2", {}, {}),
    ]
    for who, table, params, predictions in choices:
        workshop.submit(folder, model=model, params=params, predictions=predictions, participant=who,
                        table=table, round="1")
        time.sleep(0.002)  # distinct time stamps keep the order obvious
    return workshop.collect(folder), model


def test_runs_are_each_ballots_own_simulation(cast):
    found, model = cast
    ens = found.runs()
    assert ens.n_runs == 4
    for k, ballot in enumerate(found.ballots):
        alone = dk.simulate(model, ballot.params)
        np.testing.assert_allclose(ens["waiting_list"][:, k], alone["waiting_list"], rtol=1e-12)
    frame = found.runs_frame(["waiting_list"])
    assert set(frame["run"]) == {"ballot", "base case"}
    base = frame[frame["run"] == "base case"]
    np.testing.assert_allclose(base["value"], dk.simulate(model)["waiting_list"])
    assert len(frame) == 5 * len(model.time)


def test_who_pulled_which_lever(cast):
    found, _ = cast
    tidy = found.levers()
    assert set(tidy["lever"]) == {"staff_target", "referral_rate"}
    got = {(r.participant, r.lever): (r.direction, r.pulled, r.value) for r in tidy.itertuples()}
    assert got[("Asha", "staff_target")] == ("up", True, 30.0)
    assert got[("Ben", "staff_target")] == ("down", True, 12.0)
    assert got[("Chloé", "staff_target")] == ("unchanged", False, 20.0)
    assert got[("Chloé", "referral_rate")] == ("up", True, 45.0)
    assert got[("Dev", "referral_rate")] == ("unchanged", False, 40.0)
    summary = found.lever_summary().set_index("lever")
    assert summary.loc["staff_target", ["pulled", "up", "down"]].tolist() == [2, 1, 1]
    assert summary.loc["staff_target", ["min", "median", "max"]].tolist() == [12.0, 20.0, 30.0]
    assert summary.loc["referral_rate", "pulled"] == 1


def test_predictions_against_simulated_results(cast):
    found, model = cast
    table = found.predictions()
    assert len(table) == 4
    for row in table.itertuples():
        ballot = next(b for b in found.ballots if b.id == row.id)
        run = dk.simulate(model, ballot.params)
        assert row.simulated == pytest.approx(run.at(row.time, row.variable), rel=1e-12)
        assert row.base == pytest.approx(dk.simulate(model).at(row.time, row.variable), rel=1e-12)
        assert row.gap == pytest.approx(row.predicted - row.simulated)
    ben = table[table["participant"] == "Ben"].iloc[0]
    assert ben.predicted == 150 and ben.simulated > ben.base, "fewer posts: a longer list than the base case"


def test_charts_are_valid_vega_lite_and_render_offline(cast):
    pytest.importorskip("altair")
    vlc = pytest.importorskip("vl_convert")
    found, _ = cast
    for chart in (found.chart_runs("waiting_list"), found.chart_predictions("waiting_list"), found.chart_levers()):
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert "layer" in spec
        svg = vlc.vegalite_to_svg(spec)
        assert svg.lstrip().startswith("<svg")
    runs = found.chart_runs("waiting_list").to_dict()
    assert runs["layer"][1]["mark"]["strokeDash"] == [8, 4], "the base case is told apart by its dashes"
    with pytest.raises(dk.ModelError, match="no ballot predicts 'served'"):
        found.chart_predictions("served")


def test_a_big_class_still_gets_its_charts(folder):
    pytest.importorskip("altair")
    surrey = dk.models.load("surrey")
    for ballot in workshop.example_ballots(surrey, 60, seed=3, predict={"neet": [2011, 2014.25]}):
        ballot.save(folder)
    found = workshop.collect(folder)
    assert len(found) == 60
    spec = found.chart_runs("neet").to_dict()  # more rows than Altair's 5,000-row default cap
    rows = len(spec["layer"][0]["data"]["values"])
    assert len(surrey.time) * 60 > 5000 and rows <= 151 * 60
    assert spec["description"].startswith("Young people NEET: the runs of 60 ballots, from April 2006 to 2022.")
    levers = found.chart_levers().to_dict()
    values = (levers.get("data") or levers["layer"][0]["data"])["values"]  # Altair may hoist shared data
    assert len(values) == 60 * 5
    predictions = found.chart_predictions("neet").to_dict()
    assert predictions["description"].count("predictions from") == 2
    # the moment the participants were asked about reads in the words they were asked in (the
    # room's ballot and the slip say "at the end of March 2014"); other times as the kit says them
    assert "in 2011, 60 predictions" in predictions["description"]
    assert "at the end of March 2014, 60 predictions" in predictions["description"]
    rows = {r["when"] for layer in predictions["layer"] for r in
            (layer.get("data") or predictions.get("data") or {}).get("values", []) if "when" in r}
    assert rows == {"2011", "The end of March 2014"}


def test_latest_and_round(demo, folder):
    workshop.submit(folder, model=demo, params={"staff_target": 10}, participant="Asha", table="T1", round="1")
    time.sleep(0.002)
    workshop.submit(folder, model=demo, params={"staff_target": 35}, participant="Asha", table="T1", round="2")
    workshop.submit(folder, model=demo, params={"staff_target": 25}, participant="Ben", table="T1", round="2")
    workshop.submit(folder, model=demo, params={"staff_target": 26}, round="2")
    workshop.submit(folder, model=demo, params={"staff_target": 27}, round="2")
    found = workshop.collect(folder)
    assert len(found) == 5
    latest = found.latest()
    # A ballot replaces only one of its own round: Asha's round-2 ballot leaves her round-1 ballot shown.
    assert len(latest) == 5
    assert sorted(zip(latest.table["participant"], latest.table["round"], latest.table["staff_target"]))[:3] == [
        ("", "2", 26.0), ("", "2", 27.0), ("Asha", "1", 10.0)]
    time.sleep(0.002)
    workshop.submit(folder, model=demo, params={"staff_target": 30}, participant="Asha", table="T1", round="2")
    second = workshop.collect(folder, round="2").latest()
    assert second.table.set_index("participant").loc["Asha", "staff_target"] == 30.0, "the later of the round wins"
    assert len(workshop.collect(folder, round="1").latest()) == 1
    assert len(workshop.collect(folder, round="1")) == 1
    assert len(workshop.collect(folder, round=2)) == 5


def test_ballots_of_several_models_need_a_choice(folder):
    workshop.submit(folder, model="demo")
    workshop.submit(folder, model="three_objectives")
    found = workshop.collect(folder)
    assert len(found) == 2 and found.model is None
    with pytest.raises(dk.ModelError, match="several models"):
        found.runs()
    only_demo = workshop.collect(folder, model="demo")
    assert len(only_demo) == 1 and len(only_demo.rejected) == 1
    empty = workshop.collect(folder, round="nope")
    with pytest.raises(dk.ModelError, match="nothing to compare"):
        empty.levers()


def test_invented_ballots_predict_no_negative_amount_of_what_cannot_go_below_zero():
    """A rehearsal in a Surrey room showed "Predicts: Legacy in-house services -0.762 at 2022" (£m a
    year): noise around the run's 0, read aloud by a facilitator practising. A variable whose run
    never goes below zero gets no negative invented prediction; one that does may."""
    surrey = dk.models.load("surrey")
    guesses = [x for ballot in workshop.example_ballots(surrey, 12, seed=2)
               for points in ballot.predictions.values() for _, x in points]
    assert guesses and min(guesses) >= 0


def test_example_ballots_are_reproducible_and_valid(demo, folder):
    a = workshop.example_ballots(demo, 8, seed=4)
    b = workshop.example_ballots(demo, 8, seed=4)
    c = workshop.example_ballots(demo, 8, seed=5)
    assert [x.params for x in a] == [x.params for x in b]
    assert [x.params for x in a] != [x.params for x in c]
    for ballot in a:
        ballot.save(folder)
    found = workshop.collect(folder)
    assert len(found) == 8 and found.rejected == []
    assert set(found.table["table"]) == {"Table 1", "Table 2", "Table 3", "Table 4"}


# ------------------------------------------------------------------ the widget
def test_widget_sliders_come_from_param_declarations(demo, folder):
    pytest.importorskip("ipywidgets")
    w = workshop.ballot_widget(demo, folder, levers=["staff_target", "referral_rate"])
    slider = w.controls["staff_target"]
    p = demo["staff_target"]
    assert (slider.min, slider.max, slider.value) == (5, 40, 20)
    assert slider.description == p.label and p.description in slider.tooltip
    assert slider.continuous_update is False, "runs on release, not on every pixel of a drag"
    rows = [c for c in w.children if slider in getattr(c, "children", ())]
    assert len(rows) == 1 and rows[0].children[1].value == "FTE", "the units are shown beside the slider"
    # the first two strategic resources (dk.roles.headline): levels a participant can picture
    assert set(w.prediction_fields) == {("waiting_list", 60.0), ("staff", 60.0)}


def test_widget_submits_to_a_folder_and_confirms(demo, folder):
    pytest.importorskip("ipywidgets")
    w = workshop.ballot_widget(demo, folder, predict={"waiting_list": [12, 60]}, table="Table 5",
                               roles=["commissioner", "provider"])
    w.controls["staff_target"].value = 26
    w.prediction_fields[("waiting_list", 12.0)].value = " 1,080 "
    w.prediction_fields[("waiting_list", 60.0)].value = ""
    w.participant_field.value = "Femi"
    w.role_field.value = "provider"
    w.hypothesis_field.value = "More posts, shorter list"
    w.submit_button.click()
    assert w.ok is True and "✓" in w.status.value and "Femi" in w.status.value
    assert isinstance(w.last, Path) and w.last.parent == folder
    found = workshop.collect(folder)
    ballot = found.ballots[0]
    assert ballot.params == {"staff_target": 26.0} and ballot.role == "provider"
    assert ballot.predictions == {"waiting_list": ((12.0, 1080.0),)}, "a blank field is no prediction"
    assert ballot.hypothesis == "More posts, shorter list"


def test_widget_explains_mistakes_and_sends_nothing(demo, folder):
    pytest.importorskip("ipywidgets")
    w = workshop.ballot_widget(demo, folder, predict="waiting_list")
    w.prediction_fields[("waiting_list", 60.0)].value = "about forty"
    w.submit_button.click()
    assert w.ok is False and "✗" in w.status.value and "not a number" in w.status.value
    w.prediction_fields[("waiting_list", 60.0)].value = "1.080"
    w.submit_button.click()
    assert w.ok is False and "write 1080 or 1.08" in w.status.value, "1.080 is 1080 to some, 1.08 to others"
    w.prediction_fields[("waiting_list", 60.0)].value = "3.5"
    w.participant_field.value = "x" * 100
    w.submit_button.click()
    assert w.ok is False and "participant is 100 characters long" in w.status.value
    assert os.listdir(folder) == []
    w.participant_field.value = "<script>alert(1)</script>"
    w.submit_button.click()
    assert w.ok is True and "<script>" not in w.status.value and "&lt;script&gt;" in w.status.value
    with pytest.raises(dk.ModelError, match="did you mean 'staff_target'"):
        workshop.ballot_widget(demo, folder, levers=["staff_targt"])
    with pytest.raises(dk.ModelError, match="outside the run"):
        workshop.ballot_widget(demo, folder, predict={"waiting_list": [99]})


def test_widget_without_a_folder_hands_out_a_code(demo):
    pytest.importorskip("ipywidgets")
    w = workshop.ballot_widget(demo, table="Table 2", round="2")
    w.controls["staff_target"].value = 33
    w.submit_button.click()
    assert w.ok and w.code_box.layout.display is None and w.code_box.value == w.last
    ballot = workshop.read_code(w.code_box.value)
    assert ballot.params == {"staff_target": 33.0} and ballot.round == "2" and ballot.table == "Table 2"


def test_widget_with_an_unreachable_folder_says_so_and_hands_out_codes(demo, tmp_path):
    pytest.importorskip("ipywidgets")
    w = workshop.ballot_widget(demo, tmp_path / "typo-in-the-path")
    assert "cannot be reached" in w.children[0].value
    w.submit_button.click()
    assert w.ok and workshop.read_code(w.code_box.value).id == w.ballot.id
    with pytest.raises(dk.ModelError, match="must be a path"):
        workshop.ballot_widget(demo, 42)


def test_widget_falls_back_to_a_code_when_the_folder_fails(demo, folder):
    pytest.importorskip("ipywidgets")
    w = workshop.ballot_widget(demo, folder)
    shutil.rmtree(folder)  # the shared drive went away mid-session
    w.submit_button.click()
    assert w.ok and "Nothing is lost" in w.status.value
    assert workshop.read_code(w.code_box.value).id == w.ballot.id


def test_importing_workshop_needs_no_lab_packages():
    code = ("import sys, dpmkit.workshop as w; "
            "print(sorted(m for m in ('ipywidgets', 'altair', 'pandas') if m in sys.modules))")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------ the workshop notebooks
def _run_notebook(path, tmp_path, replace=None):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for old, new in (replace or {}).items():
            cell.source = cell.source.replace(old, new)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
    errors = [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    assert not errors, errors[:3]
    return nb, outputs


def _html_of(outputs):
    return "".join(o.get("data", {}).get("text/html", "") for o in outputs)


def test_the_dashboard_notebook_as_shipped_invents_nothing_and_says_the_folder_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("DPMKIT_BALLOTS", raising=False)  # as shipped, off a hub
    root = Path(__file__).resolve().parents[1]
    path = root / "workshops" / "facilitator_dashboard.ipynb"
    assert "REHEARSAL = False" in path.read_text(encoding="utf-8")
    nb, outputs = _run_notebook(path, tmp_path)
    assert not [o for o in outputs if "image/svg+xml" in o.get("data", {})], "no charts of invented ballots"
    html = _html_of(outputs)
    assert "REHEARSAL" not in html and "dpmkit-rehearsal-banner" not in html
    first = next(c for c in nb.cells if "dk.workshop.dashboard(" in c.source).outputs[0]["data"]["text/html"]
    assert first.startswith("<div class='dpmkit-dashboard-problem'")
    assert "the ballot folder &#x27;ballots&#x27; does not exist" in first and "0 ballots accepted" in first
    assert f"(that is &#x27;{tmp_path / 'ballots'}&#x27;)" in first
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "nothing is written anywhere"


def test_the_dashboard_notebook_with_an_empty_folder_says_it_has_no_ballots(tmp_path):
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "ballots").mkdir()
    nb, outputs = _run_notebook(root / "workshops" / "facilitator_dashboard.ipynb", tmp_path)
    assert not [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    first = next(c for c in nb.cells if "dk.workshop.dashboard(" in c.source).outputs[0]["data"]["text/html"]
    where = f"&#x27;ballots&#x27; (that is &#x27;{tmp_path / 'ballots'}&#x27;)"
    assert f"No ballots yet for round 1 in the folder {where}" in first
    assert "Round 1 is now open" in first
    session = workshop.read_session(tmp_path / "ballots")
    assert session.round == "1" and session.tables == tuple(f"Table {k}" for k in range(1, 7))
    assert [p.name for p in (tmp_path / "ballots").iterdir()] == ["dpmkit-session.json"]


def test_a_rehearsal_in_the_dashboard_notebook_shows_a_banner_first(tmp_path, monkeypatch):
    monkeypatch.delenv("DPMKIT_BALLOTS", raising=False)  # as shipped, off a hub
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "ballots").mkdir()
    workshop.submit(tmp_path / "ballots", model="surrey", table="Table 1", round="1", hypothesis="a real one")
    nb, outputs = _run_notebook(root / "workshops" / "facilitator_dashboard.ipynb", tmp_path, replace={
        "REHEARSAL = False": "REHEARSAL = True"})
    first = next(c for c in nb.cells if "dk.workshop.dashboard(" in c.source).outputs[0]["data"]
    html = first["text/html"]
    assert html.startswith("<div class='dpmkit-rehearsal-banner' role='alert' style='background:#b00020;color:#fff;"
                           "font-size:28px;font-weight:bold;")
    assert "REHEARSAL: these 12 ballots are invented by the kit, not sent by anyone." in html
    assert "REHEARSAL" in first["text/plain"]
    assert "a real one" not in _html_of(outputs), "real ballots are never mixed with invented ones"
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 3, "who pulled which lever, everyone's runs, predictions of neet: drawn offline as SVG"
    assert all("REHEARSAL (invented ballots)" in svg for svg in svgs), "each chart says it is a rehearsal"
    texts = next(c for c in nb.cells if c.source.startswith("found.texts_html()")).outputs[0]["data"]["text/html"]
    assert "REHEARSAL: invented ballots" in texts
    assert len(list((tmp_path / "ballots").glob("ballot-*.json"))) == 1, "a rehearsal writes no ballot"


def test_the_dashboard_notebook_reads_a_real_folder_and_codes(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[1]
    folder = tmp_path / "hub-ballots"
    folder.mkdir()
    for ballot in workshop.example_ballots("surrey", 3, seed=7, predict={"neet": [2014.25]}):
        ballot.save(folder)
    long = ("We expect NEET to rise first, because closing the old services opens a gap before the new "
            "contracts reach young people; then to fall below the base case as trust and co-production "
            "build up over years.")
    assert len(long) == 200
    (folder / "junk.json").write_text("{broken")
    code = workshop.make_ballot("surrey", params={"decommissioning_years": 1}, table="Remote", round="1",
                                predictions={"neet": {2014.25: 500}}, hypothesis=long).code
    # the folder as a course hub names it (workshops/jupyterhub_config.py): nothing to edit in the notebook
    monkeypatch.setenv("DPMKIT_BALLOTS", str(folder))
    nb, outputs = _run_notebook(root / "workshops" / "facilitator_dashboard.ipynb", tmp_path, replace={
        'CODES = """\n"""': f'CODES = """\nRemote table: {code}\n"""',
    })
    html = _html_of(outputs)
    assert "4 ballots accepted, 1 rejected (round 1)" in html
    assert "junk.json" in html and "not valid JSON" in html
    texts = next(c for c in nb.cells if c.source.startswith("found.texts_html()")).outputs[0]["data"]["text/html"]
    assert long in texts, "the 200-character hypothesis is shown in full"
    assert "white-space:pre-wrap" in texts and "font-size:20px" in texts
    assert "Remote" in html and "not on the list" in html, "a table off the list is pointed out"
    assert len([o for o in outputs if "image/svg+xml" in o.get("data", {})]) == 3


def test_the_ballot_notebook_builds_the_form(tmp_path, monkeypatch):
    monkeypatch.delenv("DPMKIT_BALLOTS", raising=False)  # as shipped, off a hub
    root = Path(__file__).resolve().parents[1]
    _nb, outputs = _run_notebook(root / "workshops" / "ballot.ipynb", tmp_path)
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, "the ballot form is displayed"
    text = "".join(o.get("text", "") for o in outputs)
    assert "Submit your ballot first" in text


def test_the_examples_in_the_docstrings_run():
    import doctest

    from dpmkit import glossary, preflight

    for module in (workshop, glossary, preflight):
        failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert tried > 0 and failed == 0, module.__name__


def test_a_participant_submits_and_reveals_in_the_ballot_notebook(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[1]
    folder = tmp_path / "ballots"
    folder.mkdir()
    act = ("\nballot.controls['decommissioning_years'].value = 1\n"
           "ballot.prediction_fields[('neet', 2014.25)].value = '500'\n"
           "ballot.table_field.value = 'Table 3'\n"
           "ballot.submit_button.click()\n"
           "ballot")
    # a student's server on a course hub names the shared folder (workshops/jupyterhub_config.py)
    monkeypatch.setenv("DPMKIT_BALLOTS", str(folder))
    _nb, outputs = _run_notebook(root / "workshops" / "ballot.ipynb", tmp_path, replace={"\nballot": act})
    pictures = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    # the ballot widget's own static picture (for exported HTML and print), up to date
    mine = [o for o in pictures if o["data"]["text/plain"].startswith("Ballot: ")]
    assert len(mine) == 1
    assert "Years to decommission 1 (base case 3)" in mine[0]["data"]["text/plain"]
    assert "Sent (reference " in mine[0]["data"]["text/plain"]
    svgs = [o for o in pictures if o not in mine]
    assert len(svgs) == 2, "the participant's run and prediction against the base case"
    found = workshop.collect(folder)
    assert len(found) == 1 and found.rejected == []
    ballot = found.ballots[0]
    assert ballot.params["decommissioning_years"] == 1.0 and ballot.table == "Table 3" and ballot.round == "1"
    assert ballot.predictions == {"neet": ((2014.25, 500.0),)}


# ------------------------------------------------------------------ a hostile participant
def _code_of(doc):
    return workshop.store.encode_code(json.dumps(doc).encode("utf-8"))


@pytest.mark.parametrize("created", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"])
def test_a_time_stamp_out_of_range_is_one_rejected_ballot_not_a_crash(demo, folder, created):
    good = workshop.submit(folder, model=demo, params={"staff_target": 30}, table="Table 2")
    _write(folder, "odd-time.json", _doc(demo, created=created))
    found = workshop.collect(folder)
    assert [b.table for b in found.ballots] == ["Table 2"] and found.ballots[0].source == good.name
    assert "time stamp (created)" in _reasons(found)["odd-time.json"]
    assert len(found.table) == 1
    code = _code_of(_doc(demo, created=created))
    with pytest.raises(dk.ModelError, match=r"time stamp \(created\).*out of range"):
        workshop.read_code(code)
    by_code = workshop.collect(codes=[code, workshop.submit(None, model=demo)])
    assert len(by_code) == 1 and "created" in by_code.rejected[0].reason


def test_an_abandoned_temporary_file_is_reported_not_pending_forever(demo, folder):
    fresh = folder / ".ballot-fresh.tmp"
    stale = folder / ".ballot-crashed.tmp"
    fresh.write_text("{half a ballot")
    stale.write_text("{half a ballot")
    old = time.time() - workshop.STALE_SECONDS - 5
    os.utime(stale, (old, old))
    workshop.submit(folder, model=demo, table="Table 1")
    found = workshop.collect(folder)
    assert len(found) == 1
    assert found.in_progress == 1, "only the fresh temporary file may still be being written"
    assert found.abandoned == 1 and "abandoned" in _reasons(found)[".ballot-crashed.tmp"]
    latest = found.latest()
    assert (latest.in_progress, latest.abandoned) == (1, 1), "latest() keeps what is pending and abandoned"


@pytest.mark.skipif(not POSIX, reason="hard links as POSIX makes them")
def test_a_hard_link_to_a_file_outside_the_folder_is_refused(demo, folder, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secret = workshop.submit(outside, model=demo, table="Not in this room")
    os.link(secret, folder / "linked.json")
    workshop.submit(folder, model=demo, table="Table 1")
    found = workshop.collect(folder)
    assert [b.table for b in found.ballots] == ["Table 1"]
    assert "hard link" in _reasons(found)["linked.json"]


@pytest.mark.parametrize("field", ["participant", "table", "role", "round", "question", "hypothesis", "finding",
                                   "decision"])
def test_lone_surrogates_are_refused_naming_the_field(demo, folder, field):
    with pytest.raises(dk.ModelError, match=f"{field} contains a broken character"):
        workshop.make_ballot(demo, **{field: "a\ud800b"})
    for where in (folder, None):
        with pytest.raises(dk.ModelError, match=field):
            workshop.submit(where, model=demo, **{field: "\udfff"})
    assert os.listdir(folder) == [], "nothing half-written"
    doc = _doc(demo, **{field: "x\ud800"})
    _write(folder, "broken.json", json.dumps(doc))  # JSON escapes the surrogate: valid JSON, broken text
    workshop.submit(folder, model=demo, table="Table 9")
    found = workshop.collect(folder)
    assert [b.table for b in found.ballots] == ["Table 9"]
    assert f"{field} contains a broken character" in _reasons(found)["broken.json"]
    with pytest.raises(dk.ModelError, match=field):
        workshop.read_code(_code_of(doc))
    assert f"{field} contains" in workshop.collect(codes=_code_of(doc)).rejected[0].reason


HUGE = 10**400
ENORMOUS = 10**5000  # too many digits for Python to write out as text


@pytest.mark.parametrize("changes,match", [
    ({"params": {"staff_target": HUGE}}, "parameter 'staff_target' is too large"),
    ({"params": {"staff_target": ENORMOUS}}, "parameter 'staff_target' is too large"),
    ({"params": {1: 5}}, "no parameter 1"),
    ({"params": {None: 5}}, "no parameter None"),
    ({"params": {ENORMOUS: 5}}, "no parameter <a whole number of about 5,001 digits>"),
    ({"predictions": {"waiting_list": HUGE}}, "prediction for 'waiting_list' at time 60 is too large"),
    ({"predictions": {"waiting_list": {HUGE: 5}}}, "prediction time for 'waiting_list' is too large"),
    ({"predictions": {"waiting_list": [[60, ENORMOUS]]}}, "is too large"),
    ({"predictions": {2: 5}}, "no variable 2"),
    ({"predictions": {ENORMOUS: 5}}, "no variable <a whole number of about 5,001 digits>"),
])
def test_odd_numbers_and_keys_are_model_errors_across_the_api(demo, folder, changes, match):
    for call in (lambda: workshop.make_ballot(demo, **changes), lambda: workshop.submit(folder, model=demo, **changes),
                 lambda: workshop.submit(None, model=demo, **changes)):
        with pytest.raises(dk.ModelError, match=match):
            call()
    assert os.listdir(folder) == []


@pytest.mark.parametrize("changes", [
    {"params": {"staff_target": HUGE}}, {"predictions": {"waiting_list": [[HUGE, 5]]}},
    {"predictions": {"waiting_list": [[60, HUGE]]}}, {"params": {"\ud800": 5}},
])
def test_odd_numbers_in_a_ballot_file_or_code_are_rejected(demo, folder, changes):
    doc = _doc(demo, **changes)
    _write(folder, "odd.json", json.dumps(doc))
    workshop.submit(folder, model=demo, table="Table 3")
    found = workshop.collect(folder)
    assert [b.table for b in found.ballots] == ["Table 3"] and list(_reasons(found)) == ["odd.json"]
    with pytest.raises(dk.ModelError, match="ballot code rejected"):
        workshop.read_code(_code_of(doc))
    assert len(workshop.collect(codes=_code_of(doc)).rejected) == 1


def test_odd_names_given_to_a_collection_are_model_errors(demo):
    found = workshop.collect(codes=[b.code for b in workshop.example_ballots(demo, 3, seed=1)])
    for bad in (1, ENORMOUS):
        with pytest.raises(dk.ModelError, match="no parameter"):
            found.levers([bad])
        with pytest.raises(dk.ModelError, match="not a stock, flow or auxiliary"):
            found.runs_frame([bad])
    with pytest.raises(dk.ModelError, match="round must be text"):
        workshop.collect(codes=found.ballots[0].code, round=ENORMOUS)
    assert len(workshop.collect(codes=found.ballots[0].code, round=1)) == 1
    with pytest.raises(dk.ModelError, match="from 1 to 10,000"):
        workshop.example_ballots(demo, ENORMOUS)


def test_the_ballot_form_reads_numbers_as_the_predict_widget_does(demo, folder):
    pytest.importorskip("ipywidgets")
    w = dk.widgets.ballot_widget(demo, folder, predict={"waiting_list": [12, 24, 60]})
    for (name, t), text in zip(w.prediction_fields, ["3,5", "1,080", "1 080.5"]):
        w.prediction_fields[(name, t)].value = text
    w.submit_button.click()
    assert w.ok, w.status.value
    assert w.ballot.predictions == {"waiting_list": ((12.0, 3.5), (24.0, 1080.0), (60.0, 1080.5))}
    w.participant_field.value = "\ud800"
    w.submit_button.click()
    assert w.ok is False and "participant contains a broken character" in w.status.value
    with pytest.raises(dk.ModelError, match="levers must be parameter names"):
        dk.widgets.ballot_widget(demo, levers=[ENORMOUS])
    assert dk.workshop.ballot_widget is not dk.widgets.ballot_widget  # the old name forwards to the new home
    assert isinstance(dk.workshop.ballot_widget(demo), dk.widgets.BallotWidget)


def test_the_ballot_form_without_the_lab_extra_names_it():
    code = ("import importlib.abc, sys\n"
            "class Block(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'ipywidgets':\n"
            "            raise ModuleNotFoundError(name, name=name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "import dpmkit as dk\n"
            "print(len(dk.workshop.collect(codes=dk.workshop.submit(None, model='demo'))))\n"
            "try:\n"
            "    dk.workshop.ballot_widget('demo')\n"
            "except ImportError as err:\n"
            "    print('ImportError:', err)\n")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.startswith("1\n"), "ballots work without the lab extra"
    assert "ImportError:" in out and 'pip install "dpmkit[lab]"' in out


def test_collect_skips_the_rooms_and_games_own_files_but_rejects_other_strays(demo, folder):
    workshop.submit(folder, model=demo, params={"staff_target": 26}, table="Table 1")
    for name in ("dpmkit-room.json", "game.json", "game-round-01.json", "game-assign-council.json"):
        _write(folder, name, {"schema": "not a ballot"})
    _write(folder, "gamey.json", {"schema": "not a ballot"})  # not the kit's: read, and rejected
    _write(folder, "dpmkit-room.json.bak", b"{}")
    found = workshop.collect(folder, model=demo)
    assert len(found.ballots) == 1
    assert sorted(r.source for r in found.rejected) == ["dpmkit-room.json.bak", "gamey.json"]


def test_ballot_checks_share_one_read_only_map_of_the_models_recorded_variables():
    """Every ballot read checks its predictions against the model's recorded variables; a
    game re-reads all its ballots when loaded, so the map is built once per frozen model
    and no reader can change it for the next."""
    import pytest

    from dpmkit.workshop.ballot import _recorded

    model = dk.models.load("demo")
    first = _recorded(model)
    assert _recorded(model) is first
    assert set(first) == set(model.recorded)
    with pytest.raises(TypeError):
        first["not_a_variable"] = None
    # a wrong name is still refused by name after the map is shared
    with pytest.raises(dk.ModelError, match="waiting_lst"):
        dk.workshop.make_ballot(model, predictions={"waiting_lst": {12: 80}})


def test_a_ready_made_model_says_what_it_is_watched_for():
    # Surrey is watched for NEET at the end of March 2014 (the half-day plan); without that the
    # defaults were its first strategic resources, in £m a year, at the end of the run
    surrey = dk.models.load("surrey")
    assert dk.models.watched(surrey) == {"neet": [2014.25]}
    assert dk.roles.headline(surrey) == ["neet"]
    assert workshop.prediction_spec(surrey, None) == [("neet", 2014.25)]
    pytest.importorskip("ipywidgets")
    assert dk.widgets.explore(surrey).outputs == ["neet"]
    # a model that declares nothing keeps the roles' choice; a user's own model is never matched
    demo = dk.models.load("demo")
    assert dk.models.watched(demo) == {} and dk.roles.headline(demo, 2) == ["waiting_list", "staff"]
    mine = dk.Model("mine", [dk.Stock("neet", 1), dk.Param("p", 1)])
    assert dk.models.watched(mine) == {}


def test_a_spreadsheet_of_ballots_keeps_hostile_text_as_text_and_numbers_as_numbers(tmp_path):
    """Any text a participant types may be hostile. In the facilitator's spreadsheet a cell that
    starts like a formula (=, +, -, @, a tab, a return) is written with an apostrophe first, so
    Excel and LibreOffice show it and never run it; a round, a lever and a prediction stay numbers
    (3, not 3.0); accents and "£" survive (UTF-8 with a byte-order mark); each ballot is one row
    however many lines its texts have; ``table_of`` gives a renamed table its current name."""
    import csv
    import io

    hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)"]  # (a leading tab is stripped on entry)
    ballots = [dk.workshop.make_ballot("surrey", params={"cut_fraction": 0.3}, participant=text, table="Blue",
                                       round="2", hypothesis=text, decision="line one\nline two; £5 café",
                                       predictions={"neet": 500})
               for text in hostile]
    sheet = dk.workshop.Collection(ballots, []).spreadsheet(table_of=lambda t: {"Blue": "Blue team"}.get(t, t))
    assert sheet.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(sheet.decode("utf-8-sig"), newline="")))
    head, body = rows[0], rows[1:]
    assert len(body) == len(hostile)
    for text, row in zip(hostile, body):
        cells = dict(zip(head, row))
        assert cells["Name"] == "'" + text and cells["Hypothesis"] == "'" + text
        assert cells["Decision"] == "line one\nline two; £5 café"
        assert cells["Round"] == "2" and cells["Table"] == "Blue team"
        assert cells["Budget cut"] == "0.3"  # the one lever these ballots carry, as a number
    assert [h for h in head if h in {dk.words.axis_title(p) for p in dk.models.load("surrey").params}] == [
        "Budget cut"]
    assert [h for h in head if h.startswith("Prediction: ")] == ["Prediction: Young people NEET (people) at 2022"]
    assert body[0][head.index("Prediction: Young people NEET (people) at 2022")] == "500"
    # an ordinary text is left as it is
    plain = dk.workshop.Collection([dk.workshop.make_ballot("demo", participant="Ann", table="Red")], [])
    assert "\r\n,Red,Ann," in plain.spreadsheet().decode("utf-8-sig")
