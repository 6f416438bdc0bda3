"""tools/wheelhouse.py (make wheelhouse) against a local folder of wheels, no network:
one pip download per platform x Python, a failing pair reported with the requirement pip
could not satisfy and why, the host's wheels always kept, exit 0 only if the host is served."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
packaging_tags = pytest.importorskip("packaging.tags")
HOST_TAG = next(iter(packaging_tags.sys_tags()))  # the most specific tag pip accepts on this machine


def fake_wheel(folder, name, version, tag, requires=(), extras=()):
    """A minimal valid wheel: enough metadata for pip to resolve it."""
    dist = f"{name}-{version}.dist-info"
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Provides-Extra: {e}" for e in extras] + [f"Requires-Dist: {r}" for r in requires]
    path = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{dist}/METADATA", "\n".join(meta) + "\n")
        z.writestr(f"{dist}/WHEEL", f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: {tag}\n")
        z.writestr(f"{dist}/RECORD", "")
    return path


def index(tmp_path, host=True):
    folder = tmp_path / "index"
    folder.mkdir()
    fake_wheel(folder, "pip", "99.0", "py3-none-any")
    fake_wheel(folder, "plotlib", "1.0", "py3-none-any")
    if host:
        fake_wheel(folder, "natlib", "2.0", str(HOST_TAG))
    fake_wheel(folder, "natlib", "2.0", "cp311-cp311-win_amd64")
    fake_wheel(folder, "natlib", "2.0", "cp311-cp311-macosx_12_0_arm64")  # like scipy 1.15: macOS 12+ only
    fake_wheel(folder, "natlib", "1.0", "cp311-cp311-macosx_11_0_arm64")
    kit = fake_wheel(tmp_path, "kitdemo", "1.0", "py3-none-any",
                     requires=["natlib>=2", 'plotlib; extra == "lab"'], extras=["lab"])
    return folder, kit


def wheelhouse(tmp_path, folder, kit, platforms, pythons):
    dest = tmp_path / "wheelhouse"
    cmd = [sys.executable, str(ROOT / "tools" / "wheelhouse.py"), "--dest", str(dest), "--wheel", str(kit),
           "--extra", "lab", "--platforms", platforms, "--pythons", pythons,
           "--pip-option=--no-index", f"--pip-option=--find-links={folder}"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return done, dest


def test_each_pair_is_tried_and_a_failing_pair_is_named_with_its_reason(tmp_path):
    folder, kit = index(tmp_path)
    done, dest = wheelhouse(tmp_path, folder, kit, "win_amd64 macosx_11_0_arm64", "3.11 3.12")
    assert done.returncode == 0, done.stdout + done.stderr
    report = (dest / "wheelhouse-report.txt").read_text()
    rows = {tuple(line.split()[:2]): line for line in report.splitlines()}
    assert " ok" in rows[("this", "machine")]
    assert rows[("win_amd64", "3.11")].endswith("ok")
    assert "FAILED: no wheel of natlib>=2 for macosx_11_0_arm64, Python 3.11" in rows[("macosx_11_0_arm64", "3.11")]
    assert "macosx_12_0_arm64" in rows[("macosx_11_0_arm64", "3.11")]  # the hint that fixes it
    assert "FAILED: no wheel of natlib>=2 for win_amd64, Python 3.12" in rows[("win_amd64", "3.12")]
    names = sorted(p.name for p in dest.glob("*.whl"))
    assert f"natlib-2.0-{HOST_TAG}.whl" in names and "natlib-2.0-cp311-cp311-win_amd64.whl" in names
    assert "plotlib-1.0-py3-none-any.whl" in names  # the extra's requirements came too
    assert "natlib-2.0-cp311-cp311-macosx_12_0_arm64.whl" not in names
    assert "== wheelhouse summary" in done.stdout and "1 of 4 other platform/Python pairs" in done.stdout


def test_without_the_host_wheels_it_fails_loudly(tmp_path):
    folder, kit = index(tmp_path, host=False)
    done, dest = wheelhouse(tmp_path, folder, kit, "win_amd64", "3.11")
    assert done.returncode == 1
    assert "the wheels for this machine are incomplete" in done.stderr
    assert "no wheel of natlib>=2 for this machine" in done.stderr
    assert "win_amd64" in (dest / "wheelhouse-report.txt").read_text()  # the other pairs were still tried


def test_the_documented_wheelhouse_commands_name_only_platforms_scipy_serves():
    # The issue's own example asked for macosx_11_0_arm64, which scipy >= 1.15 (the kit's floor)
    # never serves: the commands a facilitator copies must not repeat it.
    import re

    assert re.search(r'"scipy>=1\.(1[5-9]|[2-9]\d)', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    examples = []
    for name in ("workshops/setup.md", "Makefile"):
        text = (ROOT / name).read_text(encoding="utf-8")
        examples += re.findall(r'WHEELHOUSE_PLATFORMS="([^"]+)"', text)
    platforms = {p for example in examples for p in example.split()}
    assert "win_amd64" in platforms and any(p.endswith("arm64") for p in platforms)
    for platform in platforms:
        found = re.fullmatch(r"macosx_(\d+)_(\d+)_arm64", platform)
        assert found is None or int(found[1]) >= 12, platform
