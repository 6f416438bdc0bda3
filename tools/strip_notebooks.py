"""Strip outputs from Jupyter notebooks before they are committed.

(The reference outputs of cells marked ``# NBVAL_CHECK_OUTPUT`` live outside the
notebooks, in ``notebooks/checked_outputs.json``; see ``tools/notebooks.py``.)

Removes cell outputs, execution counts, the timestamps that nbconvert and
JupyterLab record in a cell's ``metadata.execution``, and the notebook-level widget
state (``metadata.widgets``, which holds several MB of JavaScript once a notebook
with charts or sliders has run). All other cell metadata, such as tags, is kept. Uses only the
standard library, so it runs without the project's virtual environment.

Usage::

    python tools/strip_notebooks.py [--check] [PATH ...]

Each PATH is a notebook or a folder searched recursively; the default is
``notebooks workshops``. With ``--check`` nothing is written: the script lists the
notebooks that would change and exits 1 if there are any.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_PATHS = ("notebooks", "workshops")


def problems(nb: dict) -> list[str]:
    """Say what, in a notebook's JSON, should not be committed.

    Parameters
    ----------
    nb : dict
        The notebook, as loaded by :func:`json.load`.

    Returns
    -------
    list of str
        One entry per offending cell or field; empty when the notebook is clean.
    """
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("outputs"):
            found.append(f"cell {index}: outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {index}: execution_count")
        if "execution" in cell.get("metadata", {}):
            found.append(f"cell {index}: metadata.execution")
    if "widgets" in nb.get("metadata", {}):
        found.append("metadata.widgets")
    return found


def strip(nb: dict) -> dict:
    """Remove outputs, execution counts and timings, and widget state, in place.

    Parameters
    ----------
    nb : dict
        The notebook, as loaded by :func:`json.load`.

    Returns
    -------
    dict
        The same notebook object.
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        # Timestamps of the last run: they change on every run and say nothing to a reader.
        cell.get("metadata", {}).pop("execution", None)
    nb.get("metadata", {}).pop("widgets", None)
    return nb


def find_notebooks(paths) -> list[Path]:
    """List the notebooks in ``paths``, skipping Jupyter's checkpoint copies."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            candidates = sorted(path.rglob("*.ipynb"))
        elif path.suffix == ".ipynb" and path.exists():
            candidates = [path]
        else:
            candidates = []
        found.extend(p for p in candidates if ".ipynb_checkpoints" not in p.parts)
    return found


def _dump(nb: dict) -> str:
    # The layout Jupyter itself writes (nbformat.writes), so stripping a notebook saved
    # by JupyterLab gives a small diff.
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS),
                        help="notebooks or folders (default: notebooks workshops)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list notebooks with outputs and exit 1 if any")
    args = parser.parse_args(argv)

    dirty = []
    for path in find_notebooks(args.paths):
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        found = problems(nb)
        if args.check:
            if found:
                dirty.append(path)
                print(f"{path}: {', '.join(found)}")
            continue
        if found:
            path.write_text(_dump(strip(nb)), encoding="utf-8")
            print(f"stripped {path}")
    if dirty:
        print(f"{len(dirty)} notebook(s) carry outputs; run `make strip`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
