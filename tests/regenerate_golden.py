"""Write the golden (reference) trajectories of the ready-made models, deliberately.

``tests/test_models_common.py`` compares every registered model's stocks, run with its
defaults and Euler, against ``tests/golden/<model>.csv``. When a change to a model (or to
the engine) is meant to change its numbers, regenerate the golden file and commit it
with the change, so the diff shows what moved::

    python tests/regenerate_golden.py            # every registered model
    python tests/regenerate_golden.py surrey     # just these

The files hold the stocks at yearly points (coarser for long runs), with the end time,
rounded to 7 significant figures.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

import dpmkit as dk

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
#: Time units per year, to pick yearly sample points; other units get about 20 points.
_PER_YEAR = {"year": 1, "quarter": 4, "month": 12, "week": 52, "day": 365}
_MAX_ROWS = 40
SIGNIFICANT = 7
#: Tolerances the comparison uses: loose enough for rounding and platform noise,
#: tight enough that any deliberate change to a model shows.
RTOL = 1e-5
ATOL_SCALE = 1e-7


def sample_indices(model):
    """Indices into ``model.time`` at which the golden trajectories are kept."""
    n = len(model.time)
    per_year = _PER_YEAR.get(model.time_units.strip().lower().rstrip("s"))
    if per_year is not None:
        stride = max(1, round(per_year / model.dt))
    else:
        stride = max(1, n // 20)
    while (n - 1) // stride + 1 > _MAX_ROWS:
        stride *= 2
    idx = list(range(0, n, stride))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    return idx


def golden_table(model):
    """``(names, times, values)`` of the model's stocks at the golden sample points."""
    result = dk.simulate(model, method="euler")
    idx = sample_indices(model)
    names = [s.name for s in model.stocks]
    values = np.column_stack([result[name][idx] for name in names])
    return names, result.time[idx], values


def _fmt(x):
    if x == 0 or not math.isfinite(x):
        return repr(float(x))
    return f"{x:.{SIGNIFICANT}g}"


def write(name):
    """Write ``golden/<name>.csv`` for the registered model ``name``; return the path."""
    model = dk.models.load(name)
    names, times, values = golden_table(model)
    GOLDEN_DIR.mkdir(exist_ok=True)
    path = GOLDEN_DIR / f"{name}.csv"
    lines = [",".join(["time"] + names)]
    for t, row in zip(times, values):
        lines.append(",".join([_fmt(round(float(t), 9))] + [_fmt(float(v)) for v in row]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read(name):
    """``(names, times, values)`` from ``golden/<name>.csv``, or None if it does not exist."""
    path = GOLDEN_DIR / f"{name}.csv"
    if not path.exists():
        return None
    rows = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    header, body = rows[0], rows[1:]
    data = np.array([[float(x) for x in row] for row in body], dtype=float)
    return header[1:], data[:, 0], data[:, 1:]


def main(argv):
    names = argv or dk.models.available()
    unknown = [n for n in names if n not in dk.models.available()]
    if unknown:
        print(f"unknown model(s): {', '.join(unknown)}; available: {', '.join(dk.models.available())}")
        return 2
    for name in names:
        print(f"wrote {write(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
