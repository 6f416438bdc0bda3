"""Packaging checks: the environments agree, the core stays light, notebooks are
committed clean, and CI runs what the README tells people to run."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# In environment.yml but not a Python package requirement of dpmkit.
CONDA_ONLY = {"python", "pip"}


def _load_toml(path):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip(
            "tomli", reason="reading pyproject.toml needs tomllib (Python 3.11+) or tomli"
        )
    with open(path, "rb") as f:
        return tomllib.load(f)


def _normalise(name):
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _specifiers(spec):
    from packaging.specifiers import SpecifierSet

    return frozenset(str(s) for s in SpecifierSet(spec))


def _pyproject_requirements():
    from packaging.requirements import Requirement

    project = _load_toml(ROOT / "pyproject.toml")["project"]
    lines = list(project["dependencies"])
    extras = project["optional-dependencies"]
    lines += extras["lab"] + extras["room"] + extras["fast"] + extras["test"]
    found = {}
    for line in lines:
        req = Requirement(line)
        name = _normalise(req.name)
        if name == _normalise(project["name"]):
            continue  # the self-reference dpmkit[lab] inside `test`
        assert req.marker is None and not req.extras, (
            f"{line!r}: environment.yml cannot express markers or extras; "
            "list the packages it stands for instead"
        )
        assert name not in found, f"{name} is listed twice in pyproject.toml"
        found[name] = _specifiers(req.specifier)
    return found


def _environment_requirements():
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with JupyterLab (jupyter_events)")
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["name"] == "dpmkit"
    assert env["channels"] == ["conda-forge"]
    found = {}
    for item in env["dependencies"]:
        assert isinstance(item, str), (
            f"environment.yml: {item!r}: list every package literally as a conda-forge "
            "dependency (no pip: section, no -r requirements.txt)"
        )
        match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*", item)
        assert match, f"environment.yml: cannot read {item!r}"
        name, spec = _normalise(match[1]), match[2]
        assert name not in found, f"{name} is listed twice in environment.yml"
        found[name] = spec
    return found


def test_environment_yml_matches_pyproject():
    expected = _pyproject_requirements()
    listed = _environment_requirements()
    assert listed.keys() >= CONDA_ONLY, "environment.yml must list python and pip"
    assert listed["python"] == ">=3.10"
    listed = {name: _specifiers(spec) for name, spec in listed.items() if name not in CONDA_ONLY}
    missing = sorted(expected.keys() - listed.keys())
    extra = sorted(listed.keys() - expected.keys())
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    differ = {
        name: (sorted(expected[name]), sorted(listed[name]))
        for name in expected
        if expected[name] != listed[name]
    }
    assert not differ, f"version specifiers differ (pyproject, environment.yml): {differ}"


def test_requires_python_matches_environment_yml():
    project = _load_toml(ROOT / "pyproject.toml")["project"]
    assert _environment_requirements()["python"] == project["requires-python"]


def test_test_extra_includes_lab_extra():
    # `make test` runs the notebooks, so the test environment must hold the lab one.
    project = _load_toml(ROOT / "pyproject.toml")["project"]
    assert "dpmkit[lab]" in project["optional-dependencies"]["test"]


def test_test_extra_includes_room_extra():
    # `make test` runs the room's tests (tests/test_room*.py), so it needs the room's server.
    project = _load_toml(ROOT / "pyproject.toml")["project"]
    assert "dpmkit[room]" in project["optional-dependencies"]["test"]
    assert "dpmkit[lab]" in project["optional-dependencies"]["room"]


def test_test_extra_includes_fast_extra():
    # `make test` (and CI) tests the compiled backend itself (tests/test_numba_backend.py),
    # so the test environment holds numba.
    project = _load_toml(ROOT / "pyproject.toml")["project"]
    assert "dpmkit[fast]" in project["optional-dependencies"]["test"]
    assert any(req.startswith("numba") for req in project["optional-dependencies"]["fast"])


# Lab-only packages: the engine must never import them (DESIGN §2).
BLOCKED = ("ipywidgets", "altair", "anywidget", "vl_convert")
# Installed with the core but heavy: the engine imports them only when needed.
LAZY = ("pandas", "scipy")

_IMPORT_PROBE = """
import importlib.abc, json, sys

BLOCKED = {blocked!r}
LAZY = {lazy!r}
attempts = []

class Block(importlib.abc.MetaPathFinder):
    # Behaves as if the lab extra were not installed, and records who asked.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            attempts.append(name)
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked by the packaging test)", name=name)
        return None

sys.meta_path.insert(0, Block())
import dpmkit
print(json.dumps({{
    "file": getattr(dpmkit, "__file__", None),
    "attempted": sorted(set(attempts)),
    "loaded": sorted(m for m in BLOCKED + LAZY if m in sys.modules),
}}))
"""


def test_import_dpmkit_without_lab_extra_and_lazily():
    code = _IMPORT_PROBE.format(blocked=BLOCKED, lazy=LAZY)
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"import dpmkit failed without the lab extra:\n{proc.stderr}"
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["file"] is not None, "dpmkit has no __init__.py (namespace package?)"
    assert not report["attempted"], (
        f"import dpmkit tried to import lab-only packages: {report['attempted']}"
    )
    assert not report["loaded"], (
        f"import dpmkit loaded {report['loaded']} eagerly; import them inside the "
        "functions that need them"
    )


def _strip_tool():
    spec = importlib.util.spec_from_file_location(
        "strip_notebooks", ROOT / "tools" / "strip_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebooks_are_committed_without_outputs():
    tool = _strip_tool()
    notebooks = tool.find_notebooks([ROOT / d for d in tool.DEFAULT_PATHS])
    assert ROOT / "notebooks" / "00_start_here.ipynb" in notebooks
    dirty = {}
    for path in notebooks:
        found = tool.problems(json.loads(path.read_text(encoding="utf-8")))
        if found:
            dirty[str(path.relative_to(ROOT))] = found
    assert not dirty, f"notebooks carry outputs; run `make strip`: {dirty}"


def test_strip_tool_strips_and_keeps_cell_metadata(tmp_path):
    tool = _strip_tool()
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 3,
                "id": "a",
                "metadata": {
                    "tags": ["nbval-ignore-output"],
                    "execution": {"iopub.status.idle": "2026-11-24T05:58:11.720396Z"},
                },
                "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}],
                "source": ["print(1)"],
            },
            {"cell_type": "markdown", "id": "b", "metadata": {}, "source": ["# Title"]},
        ],
        "metadata": {"kernelspec": {"name": "python3"}, "widgets": {"state": {}}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert tool.main(["--check", str(tmp_path)]) == 1
    assert tool.main([str(tmp_path)]) == 0
    assert tool.main(["--check", str(tmp_path)]) == 0
    cleaned = json.loads(path.read_text(encoding="utf-8"))
    code, markdown = cleaned["cells"]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert code["metadata"] == {"tags": ["nbval-ignore-output"]}
    assert code["source"] == ["print(1)"] and markdown == nb["cells"][1]
    assert cleaned["metadata"] == {"kernelspec": {"name": "python3"}}


def _commands(lines):
    """Shell command lines with comments, blank lines and prompts removed."""
    commands = []
    for line in lines:
        line = re.sub(r"^\s*\$\s+", "", line)
        words = shlex.split(line, comments=True)
        if words:
            commands.append(" ".join(words))
    return commands


def _quick_start_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"#+\s.*quick start", line, re.I)]
    assert starts, "README.md has no heading containing 'Quick start'"
    level = len(lines[starts[0]]) - len(lines[starts[0]].lstrip("#"))
    block, fence = None, None
    for line in lines[starts[0] + 1 :]:
        if fence is None:
            heading = re.match(r"(#+)\s", line)
            if heading and len(heading[1]) <= level:
                break  # the Quick start section ended before any code block
            opening = re.match(r"\s*(```+|~~~+)", line)
            if opening:
                fence, block = opening[1], []
        elif line.strip().startswith(fence):
            break
        else:
            block.append(line)
    assert block is not None, "the README's Quick start section has no fenced code block"
    return _commands(block)


def test_readme_quick_start_is_two_commands():
    commands = _quick_start_commands()
    assert commands == ["make lab", "make test"], commands


def test_ci_runs_the_readme_test_command():
    test_commands = [c for c in _quick_start_commands() if "test" in c.split()]
    assert len(test_commands) == 1, test_commands
    command = test_commands[0]
    ci = ROOT / ".ci" / "run"
    text = ci.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in _commands(text.splitlines())
    ran = [re.sub(r"^exec ", "", c) for c in _commands(text.splitlines())]
    assert command in ran, f".ci/run does not run the README's test command {command!r}"


def test_ci_and_postbuild_are_executable():
    for name in (".ci/run", "postBuild"):
        path = ROOT / name
        assert path.stat().st_mode & 0o111, f"{name} is not executable (chmod +x)"


def _imported_top_modules(folder):
    """{top-level module: first file importing it} for every absolute import in ``folder``."""
    import ast

    found = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path.relative_to(ROOT).as_posix())
    return found


def _undeclared(imported, declared, distributions):
    """The imported modules that are neither the standard library's, the kit's own, nor provided
    by a declared project (``distributions``: module -> projects installing it, as
    :func:`importlib.metadata.packages_distributions` gives), nor a declared project's namesake."""
    missing = {}
    for module, where in imported.items():
        if module in sys.stdlib_module_names or module in ("dpmkit", "__future__"):
            continue
        # the module's own name too: the `solara` project installs its module through solara-ui
        projects = {_normalise(p) for p in distributions.get(module, [])} | {_normalise(module)}
        if not projects & declared:
            missing[module] = where
    return missing


def test_every_library_the_kit_imports_is_declared():
    """A library the kit imports directly is in pyproject.toml (any extra), not only reached
    through another package's requirements: an upgrade of that package may drop it (reacton came
    only through Solara until the game's page imported it)."""
    from importlib.metadata import packages_distributions

    from packaging.requirements import Requirement

    project = _load_toml(ROOT / "pyproject.toml")["project"]
    lines = list(project["dependencies"]) + [line for extra in project["optional-dependencies"].values()
                                             for line in extra]
    declared = {_normalise(Requirement(line).name) for line in lines}
    imported = _imported_top_modules(ROOT / "dpmkit")
    assert {"numpy", "altair", "solara"} <= imported.keys()  # the scan sees the kit's imports
    assert _undeclared(imported, declared, packages_distributions()) == {}
    # and it can fail: a library reached only through another's requirements is found
    assert _undeclared({"reacton": "dpmkit/room/game_pages.py"}, declared - {"reacton"},
                       {"reacton": ["reacton"]}) == {"reacton": "dpmkit/room/game_pages.py"}
