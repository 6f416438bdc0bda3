"""Give nbval the reference outputs of the lessons' checked cells.

Lesson notebooks are committed with every output stripped. nbval compares a cell marked
``# NBVAL_CHECK_OUTPUT`` only with a stored output, so on a stripped notebook that check
could never fail. The reference outputs live in ``notebooks/checked_outputs.json``
(written by ``python tools/notebooks.py record``); this hook puts them into the collected
cells before they run, so a changed number fails the run. See ``tools/notebooks.py``.
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent

try:  # property tests check results, never speed: a loaded CI machine must not fail them on time
    from hypothesis import settings

    settings.register_profile("dpmkit", deadline=None)
    settings.load_profile("dpmkit")
except ImportError:  # hypothesis comes with the test extra; without it, the property tests skip
    pass
CHECKED = ROOT / "notebooks" / "checked_outputs.json"

# A JupyterHub config file is run by the hub (it calls the hub's get_config()); importing it for
# doctests would fail. tests/test_room_hub.py loads it with JupyterHub's own config loader.
collect_ignore = ["workshops/jupyterhub_config.py"]


def pytest_collection_modifyitems(items):
    cells = [item for item in items if hasattr(item, "cell") and getattr(item, "options", {}).get("check")]
    if not cells:
        return
    import nbformat

    refs = json.loads(CHECKED.read_text(encoding="utf-8")) if CHECKED.exists() else {}
    for item in cells:
        lesson = Path(str(item.path)).stem
        outputs = refs.get(lesson, {}).get(item.cell.get("id"))
        if outputs is None:
            continue  # not a lesson cell with a reference: tests/test_notebooks_structure.py reports those
        item.cell.outputs = [nbformat.from_dict(o) for o in outputs]
        item.cell.execution_count = 1  # nbval compares only cells that look run
