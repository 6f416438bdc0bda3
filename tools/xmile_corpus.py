"""Read every XMILE file under a folder with dk.xmile and say what happened to each.

    python tools/xmile_corpus.py FOLDER [--list]

For each ``.xmile``, ``.stmx`` and ``.itmx`` file: refused (a ModelError, with its
reason), crashed (any other exception: a bug), failed to run, ran, or, when the file's
folder holds a reference output (``output.csv`` or ``output.tab``, as in the SDXorg
test models and simlin's tests), passed or mismatched against it. A column is compared
when its name is a variable's label (``Stock A[Entry 1]``, ``hares.hares``), with the
tolerance of tests/test_xmile_sdx.py: half a unit in the last printed digit, plus 1e-5
of the value and 2e-6 of the column's scale. Prints the counts and the refusal reasons.
"""

from __future__ import annotations

import collections
import csv
import io
import re
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

import dpmkit as dk
from dpmkit.xmile import _key


def half_unit(text):
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def reference(path):
    """{column: (times, values, texts)} of an output.csv / output.tab, or None if unreadable."""
    text = path.read_text(encoding="utf-8", errors="replace")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if path.suffix == ".tab" else ","))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 2:
        return None
    header = [h.strip() for h in rows[0]]
    out = {}
    for k, column in enumerate(header[1:], start=1):
        cells = []
        for r in rows[1:]:
            if k < len(r) and r[k].strip():
                try:
                    cells.append((float(r[0]), float(r[k]), r[k].strip()))
                except ValueError:
                    return None
        if cells:
            t, v, s = zip(*cells)
            out[column] = (np.array(t), np.array(v), list(s))
    return out


def check(path):
    """(outcome, detail) for one file."""
    try:
        model = dk.xmile.read(path)
    except dk.ModelError as err:
        return "refused", str(err).split(": ", 1)[-1].splitlines()[0]
    except Exception:
        return "CRASHED", traceback.format_exc(limit=3).splitlines()[-1]
    try:
        result = dk.simulate(model)
    except dk.ModelError as err:
        return "run failed", str(err).splitlines()[0]
    except Exception:
        return "CRASHED", traceback.format_exc(limit=3).splitlines()[-1]
    ref_path = next((path.parent / n for n in ("output.csv", "output.tab") if (path.parent / n).exists()), None)
    ref = reference(ref_path) if ref_path else None
    if ref is None:
        return "ran", "no readable reference output"
    by_key = {_key(v.label): v.name for v in model.variables}
    compared, bad = 0, []
    for column, (times, values, texts) in ref.items():
        name = by_key.get(_key(column))
        if name is None:
            continue
        index = np.searchsorted(result.time, times - 1e-9)
        if np.any(index >= len(result.time)) or not np.allclose(result.time[index], times, atol=1e-6):
            continue
        ours = result[name][index]
        tolerance = (np.array([half_unit(t) for t in texts]) + 2e-6 * max(1.0, float(np.max(np.abs(values))))
                     + 1e-5 * np.abs(values))
        compared += 1
        wrong = np.abs(ours - values) > tolerance
        if wrong.any():
            i = int(np.argmax(wrong))
            bad.append(f"{column} at {times[i]:g}: {ours[i]:.6g}, reference {texts[i]}")
    if not compared:
        return "ran", "no column of the reference output names a variable"
    if bad:
        return "MISMATCH", f"{len(bad)} of {compared} columns, first {bad[0]}"
    return "passed", f"{compared} columns"


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    root = Path(argv[0])
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".xmile", ".stmx", ".itmx"))
    counts, reasons = collections.Counter(), collections.Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            outcome, detail = check(path)
            counts[outcome] += 1
            if outcome == "refused":
                reasons[re.sub(r"'[^']*'", "'...'", detail)[:100]] += 1
            if "--list" in argv or outcome in ("CRASHED", "MISMATCH", "run failed"):
                print(f"{outcome:10} {path.relative_to(root)}: {detail}")
    print(f"\n{len(files)} files: " + ", ".join(f"{n} {k}" for k, n in counts.most_common()))
    print("\nrefused because:")
    for reason, n in reasons.most_common():
        print(f"  {n:3}  {reason}")
    return 1 if counts["CRASHED"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
