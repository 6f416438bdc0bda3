"""The pre-flight check: it passes on a machine that can run the kit, says what to do
when something is missing, and the offline install it leads to works with no network."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dpmkit import preflight

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def test_requirements_are_those_of_pyproject():
    project = _pyproject()
    extras = project["optional-dependencies"]
    assert list(preflight.REQUIREMENTS["core"]) == project["dependencies"]
    assert list(preflight.REQUIREMENTS["lab"]) == extras["lab"]
    assert set(preflight.REQUIREMENTS) == {"core", "lab"}


def test_this_machine_passes_and_the_checklist_reads_well(capsys):
    assert preflight.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dpmkit pre-flight check")
    for name in ("Python version", "Core packages", "JupyterLab packages (lab extra)", "JupyterLab and widgets",
                 "Charts render offline (SVG)", "A model runs"):
        assert re.search(rf"^  (✓|\[ok\]) {re.escape(name)}: ", out, re.M), name
    assert "All 6 checks passed" in out


def test_every_ready_made_model_runs():
    check = preflight.check_models()
    assert check.ok, check.detail


def test_command_line_exit_codes(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ok = subprocess.run([sys.executable, "-m", "dpmkit.preflight", "--quick", "--ascii"], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "[ok] A model runs" in ok.stdout and "✓" not in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "dpmkit.preflight", "--quick", "--ascii",
                          "--ballots", str(tmp_path / "missing")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1
    assert "[!!] Ballot folder" in bad.stdout and "does not exist" in bad.stdout and "-> " in bad.stdout
    assert "1 of 7 checks failed" in bad.stdout


def test_missing_old_and_broken_packages_say_what_to_do(monkeypatch):
    monkeypatch.setitem(preflight.REQUIREMENTS, "lab", ("no-such-package-for-dpmkit>=1.0", "numpy>=999",
                                                        "scipy>=1.0"))
    monkeypatch.setitem(preflight._IMPORT, "scipy", "dpmkit_module_that_does_not_exist")
    check = preflight.check_packages("lab")
    assert not check.ok
    assert "no-such-package-for-dpmkit is missing" in check.detail
    assert re.search(r"numpy \S+ is older than 999", check.detail)
    assert "scipy" in check.detail and "does not import" in check.detail
    assert "make lab" in check.fix
    assert '-m pip install --upgrade "no-such-package-for-dpmkit>=1.0" "numpy>=999" "scipy>=1.0"' in check.fix
    text = preflight.report([check])
    assert "✗ JupyterLab packages" in text and "→ In the kit's folder run `make lab`" in text
    assert "1 of 1 checks failed" in text


def test_old_python_and_missing_jupyter(monkeypatch):
    monkeypatch.setattr(preflight, "MIN_PYTHON", (4, 0))
    check = preflight.check_python()
    assert not check.ok and "needs 4.0 or newer" in check.detail and "make lab" in check.fix
    monkeypatch.setattr(preflight, "_script", lambda name: None)
    check = preflight.check_jupyter()
    assert not check.ok and "`jupyter-lab` command was not found" in check.detail


def test_chart_rendering_failure_is_reported(monkeypatch):
    vl_convert = pytest.importorskip("vl_convert")

    def broken(spec, *args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", broken)
    check = preflight.check_charts()
    assert not check.ok and "renderer exploded" in check.detail and "vl-convert-python" in check.fix


def test_a_check_that_crashes_is_reported_not_raised(monkeypatch):
    def boom():
        raise KeyError("surprise")

    monkeypatch.setattr(preflight, "check_model", boom)
    results = preflight.run_checks(models=False)
    assert results[-1].ok is False and "surprise" in results[-1].detail


def test_ballot_folder_checks(tmp_path, monkeypatch):
    import dpmkit as dk

    folder = tmp_path / "ballots"
    folder.mkdir()
    dk.workshop.submit(folder, model="demo", table="Table 1")
    (folder / "notes.txt").write_text("not a ballot")
    check = preflight.check_ballots(folder)
    assert check.ok and "1 ballot in it, 1 file that is not a ballot" in check.detail
    assert sorted(os.listdir(folder))[1:] == ["notes.txt"], "the probe file is removed"
    if os.name == "posix":
        assert "fine for one person" in check.detail
        os.chmod(folder, 0o2770)
        shared = preflight.check_ballots(folder)
        assert shared.ok and "drwxrws---" in shared.detail and "fine for one person" not in shared.detail
        assert "can delete anyone's ballots: add the sticky bit, chmod 3770" in shared.detail
        os.chmod(folder, 0o3770)  # setup.md's folder: each participant deletes only their own files
        sticky = preflight.check_ballots(folder)
        assert sticky.ok and "drwxrws--T" in sticky.detail and "sticky" not in sticky.detail
    assert not preflight.check_ballots(tmp_path / "nope").ok
    (tmp_path / "file").write_text("x")
    assert "is a file" in preflight.check_ballots(tmp_path / "file").detail

    # a drop box (mode 3730): participants may add ballots but not list them (root ignores modes, so
    # the missing read permission is simulated)
    real_access = os.access
    monkeypatch.setattr(preflight.os, "access", lambda p, mode: False if mode == os.R_OK else real_access(p, mode))
    drop_box = preflight.check_ballots(folder)
    assert drop_box.ok and "cannot list it, which is fine" in drop_box.detail
    monkeypatch.setattr(preflight.os, "access", real_access)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(preflight.tempfile, "mkstemp", refuse)
    check = preflight.check_ballots(folder)
    assert not check.ok and "cannot be written (Permission denied)" in check.detail
    assert "code to paste" in check.fix


def test_marks_fall_back_to_ascii_where_the_console_cannot_show_them():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    checks = [preflight.Check("A", True, "fine"), preflight.Check("B", False, "broken", "do this")]
    text = preflight.report(checks, stream=stream)
    assert "[ok] A: fine" in text and "[!!] B: broken" in text and "-> do this" in text


@pytest.mark.parametrize("installed, minimum, ok", [
    ("2.4.6", "1.24", True), ("1.24", "1.24", True), ("1.23.5", "1.24", False), ("2.0.0rc1", "2.0", True),
    ("1.9.0.post1", "1.6", True), ("10.0", "9.9", True), ("0.9", "0.11", False),
])
def test_version_comparison(installed, minimum, ok):
    assert preflight._at_least(installed, minimum) is ok


def _wheel_of_this_checkout(folder, version):
    """Pack dpmkit from this checkout into a wheel by hand (no build backend, no network)."""
    project = _pyproject()
    name = f"dpmkit-{version}"
    meta = ["Metadata-Version: 2.1", "Name: dpmkit", f"Version: {version}",
            f"Requires-Python: {project['requires-python']}"]
    meta += [f"Requires-Dist: {r}" for r in project["dependencies"]]
    for extra, reqs in project["optional-dependencies"].items():
        meta.append(f"Provides-Extra: {extra}")
        meta += [f'Requires-Dist: {r}; extra == "{extra}"' for r in reqs]
    files = {f"{name}.dist-info/METADATA": "\n".join(meta) + "\n",
             f"{name}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: dpmkit-test\nRoot-Is-Purelib: true\n"
                                        "Tag: py3-none-any\n"}
    for path in sorted((ROOT / "dpmkit").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".toml", ".json", ".csv"):
            files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    record = []
    wheel = folder / f"{name}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in files.items():
            data = data.encode() if isinstance(data, str) else data
            z.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{arcname},sha256={digest},{len(data)}")
        record.append(f"{name}.dist-info/RECORD,,")
        z.writestr(f"{name}.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


@pytest.mark.skipif(os.name != "posix" or shutil.which("make") is None, reason="needs make and a POSIX venv")
def test_offline_install_from_a_wheelhouse_with_no_network(tmp_path):
    """`make offline-install` installs dpmkit from a wheelhouse with --no-index.

    A full wheelhouse holds every requirement (hundreds of MB). Here a tiny one holds
    only dpmkit, packed from this checkout; the venv borrows the other packages from
    this Python's environment (a .pth file) and its pip, so the test takes seconds.
    """
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    version = "0.1.0.post999"
    _wheel_of_this_checkout(wheelhouse, version)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # Let the new venv see this environment's packages (and pip). --system-site-packages is
    # not enough: when the tests run inside a venv (as `make test` does) it would expose the
    # base interpreter's site-packages, which on a fresh machine hold none of them.
    import sysconfig

    parent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    site = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_parent_environment.pth").write_text("\n".join(sorted(parent)) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MAKEFLAGS", "MAKELEVEL")}
    # The borrowed packages' console scripts (`jupyter-lab`, which the pre-flight looks for)
    # live beside this environment's interpreter, not in the new venv: a real wheelhouse
    # install would put them in the venv's bin/. Without this the test passed only where
    # `jupyter-lab` happened to be on the machine's PATH (a fresh machine has none).
    env["PATH"] = os.pathsep.join([sysconfig.get_paths()["scripts"], env.get("PATH", "")])
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1",
               # any attempt to reach an index fails fast instead of waiting for a network
               PIP_INDEX_URL="http://127.0.0.1:9/simple", HTTP_PROXY="http://127.0.0.1:9",
               HTTPS_PROXY="http://127.0.0.1:9")
    done = subprocess.run(["make", "--no-print-directory", "offline-install", f"VENV={venv}",
                           f"WHEELHOUSE={wheelhouse}", f"PYTHON={sys.executable}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "--no-index" in done.stdout and "All 6 checks passed" in done.stdout
    for stamp in (".created", ".installed-lab"):
        assert (venv / stamp).exists(), stamp
    assert not (venv / ".installed-test").exists(), "the lab wheelhouse does not carry the test tools"
    probe = ("import dpmkit as dk, importlib.metadata as md; "
             "r = dk.simulate(dk.models.load('demo')); "
             "print(dk.__file__); print(md.version('dpmkit')); print(round(r.final('waiting_list'), 6))")
    ran = subprocess.run([str(venv / "bin" / "python"), "-c", probe], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    where, installed, final = ran.stdout.split()
    assert Path(where).resolve().is_relative_to(venv.resolve()), f"dpmkit came from {where}, not the venv"
    assert installed == version

    import dpmkit as dk

    assert float(final) == pytest.approx(dk.simulate(dk.models.load("demo")).final("waiting_list"), abs=1e-6)

    missing = subprocess.run(["make", "--no-print-directory", "offline-install", f"VENV={venv}",
                              f"WHEELHOUSE={tmp_path / 'nowhere'}"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "no wheelhouse folder" in missing.stderr
