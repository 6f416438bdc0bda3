"""The kit's modules import in one direction only (DESIGN.md §2), and the wing's packages
meet at public names.

Layers, lowest first; a module may import its own layer and the layers below:

0. the engine: spec, expressions, compiler, simulate, results, units, errors, xmile,
   models, evidence, glossary, and anything not named below;
1. analysis (and dpm, whose DPM chart finds feedback loops with ``analysis.loops``);
2. charts;
3. workshop: the ballot format, the store and the collection. It draws its charts with
   ``charts`` but never imports ``widgets``; sheet, a model or data as people type them in a
   spreadsheet (its numbers read by ``words``, as a ballot's are);
4. widgets (the ballot form uses the workshop's ballot format);
5. what serves or checks the whole kit: room, game, preflight.

``words`` (plain words) imports nothing from the kit but ``errors``, and only charts,
workshop, sheet, widgets and layer 5 import it. No module imports a ``_private`` name from
another package of the wing (charts, widgets, workshop, words), whether as
``from x import _name`` or as ``module._name``.

Imports are read from the syntax tree, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dpmkit"

LAYERS = {"analysis": 1, "dpm": 1, "charts": 2, "workshop": 3, "sheet": 3, "widgets": 4, "room": 5, "game": 5,
          "preflight": 5}
ENGINE = 0
WING = {"charts", "widgets", "workshop", "words"}
WORDS_USERS = {"charts", "workshop", "sheet", "widgets", "room", "game", "preflight"}
# (importer's package, imported module) -> why the edge is allowed. Each must still be needed.
ALLOWED = {
    ("workshop", "dpmkit.widgets.ballot"): "dk.workshop.ballot_widget, kept for old notebooks, forwards to "
                                           "dk.widgets.ballot_widget on call",
    ("analysis", "dpmkit.words"): "the analyses' own sentences (Recalibration.in_words, Dominance.story) say "
                                  "estimates and stretches of time in the one home of those words, on call",
    ("dpm", "dpmkit.words"): "a DPM chart's and a loop diagram's hover text give a box's units by the one rule "
                             "(none for a pure number)",
    ("results", "dpmkit.words"): "Result.label gives a variable's units by the one rule for them, on call",
    ("evidence", "dpmkit.words"): "an evidence table names a parameter its notes refer to by the parameter's label "
                                  "inside a sentence (lower_first keeps 'NEET'), on call",
    ("spec", "dpmkit.words"): "Model.parameter_table shows units and roles as a reader takes them in (no "
                              "'dimensionless', 'policy lever') by the one rule for them, on call",
}


def _part(module):
    """The top-level part of the kit a dotted module name belongs to ('' for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(part):
    return LAYERS.get(part, ENGINE)


def _module_name(path, root):
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(module, is_package, level, target):
    """The absolute name of ``from <level dots><target> import ...`` inside ``module``."""
    if level == 0:
        return target
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports(path, root):
    """``[(line, imported module, [names])]`` of one file, with relative imports made absolute.

    ``from pkg import sub`` is reported as an import of ``pkg.sub`` when ``sub`` is a module
    of the kit. Attribute reads ``alias._name`` on a module of the kit imported as ``alias``
    are reported as imports of ``_name`` from that module.
    """
    module = _module_name(path, root)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found, aliases = [], {}
    top = root.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                found.append((node.lineno, a.name, []))
                if a.name.startswith(top):
                    aliases[a.asname or a.name] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node.level, node.module or "")
            plain = []
            for a in node.names:
                sub = f"{target}.{a.name}"
                rel = Path(*sub.split(".")[1:]) if "." in sub else Path()
                if target.startswith(top) and ((root / rel).is_dir() or (root / rel).with_suffix(".py").exists()):
                    found.append((node.lineno, sub, []))
                    aliases[a.asname or a.name] = sub
                else:
                    plain.append(a.name)
            if plain or not node.names:
                found.append((node.lineno, target, plain))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append((node.lineno, aliases[node.value.id], [node.attr]))
    return module, found


def violations(root=PACKAGE, allowed=None):
    """Every import in ``root`` that breaks the layering; empty when all is well.

    Returns ``(problems, used)``: readable problems, and the allowed edges that were met.
    """
    allowed = ALLOWED if allowed is None else allowed
    top = root.name
    problems, used = [], set()
    for path in sorted(root.rglob("*.py")):
        module, found = imports(path, root)
        part = _part(module)
        if not part:
            continue  # the package's own __init__: the lazy façade over everything
        where = f"{path.relative_to(root.parent)}"
        for line, target, names in found:
            if not (target == top or target.startswith(top + ".")):
                continue
            other = _part(target)
            if not other or other == part:
                continue
            if (part, target) in allowed:
                used.add((part, target))
                continue
            if part == "words" and other != "errors":
                problems.append(f"{where}:{line}: words imports {target}; it may import only {top}.errors")
            elif other == "words" and part not in WORDS_USERS:
                problems.append(f"{where}:{line}: {part} imports {target}; only charts, workshop and widgets "
                                "use words")
            elif other != "words" and part != "words" and _layer(other) > _layer(part):
                problems.append(f"{where}:{line}: {part} (layer {_layer(part)}) imports {target} "
                                f"(layer {_layer(other)}): an import against the flow")
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and other in WING:
                problems.append(f"{where}:{line}: {part} imports private {', '.join(private)} from {target}; "
                                f"make {'it' if len(private) == 1 else 'them'} public in {other}")
    return problems, used


def test_the_kit_imports_in_one_direction():
    problems, used = violations()
    assert not problems, "\n".join(problems)
    assert used == set(ALLOWED), f"allowed imports no longer needed, remove them: {set(ALLOWED) - used}"


def test_the_wing_is_packages():
    for name in ("charts", "widgets", "workshop"):
        assert (PACKAGE / name / "__init__.py").exists() and not (PACKAGE / f"{name}.py").exists()


def _tree(tmp_path, files):
    root = tmp_path / "dpmkit"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for pkg in {p.parent for p in root.rglob("*.py")}:
        (pkg / "__init__.py").touch()
    return root


@pytest.mark.parametrize("files,expected", [
    ({"simulate.py": "def f():\n    from .charts import time_series\n", "charts/__init__.py": ""},
     "simulate.py:2: simulate (layer 0) imports dpmkit.charts"),
    ({"charts/x.py": "from ..widgets import explore\n", "widgets/__init__.py": ""},
     "charts (layer 2) imports dpmkit.widgets"),
    ({"workshop/x.py": "import dpmkit.widgets\n", "widgets/__init__.py": ""}, "workshop (layer 3) imports"),
    ({"analysis/x.py": "from .. import workshop\n", "workshop/__init__.py": ""}, "analysis (layer 1) imports"),
    ({"words.py": "from .spec import Model\n", "spec.py": ""}, "words imports dpmkit.spec"),
    ({"spec.py": "from .words import number\n", "words.py": ""}, "spec imports dpmkit.words"),
    ({"widgets/x.py": "from ..charts._style import _axis\n", "charts/_style.py": ""}, "private _axis"),
    ({"widgets/x.py": "from .. import charts as c\nc._fmt(1)\n", "charts/__init__.py": ""}, "private _fmt"),
    ({"workshop/x.py": "from ..words import _SPACES\n", "words.py": ""}, "private _SPACES"),
])
def test_the_checker_catches_each_kind_of_violation(tmp_path, files, expected):
    problems, _ = violations(_tree(tmp_path, files), allowed={})
    assert any(expected in p for p in problems), problems


def test_the_checker_passes_a_tidy_tree(tmp_path):
    root = _tree(tmp_path, {
        "errors.py": "", "spec.py": "from .errors import ModelError\n",
        "words.py": "from .errors import ModelError\n",
        "charts/__init__.py": "from .ts import plot\n",
        "charts/ts.py": "from ._style import _axis\nfrom .. import words\n",
        "charts/_style.py": "", "workshop/__init__.py": "def f():\n    from ..charts import plot\n",
        "widgets/__init__.py": "from .. import charts, workshop, words\n",
    })
    assert violations(root, allowed={}) == ([], set())
