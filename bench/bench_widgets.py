"""Slider release -> redrawn chart in JupyterLab, measured in a real (headless) browser.

Budget (DESIGN §3): 150 ms median. For each way the explorer can draw its chart
(``render="interactive"``: alt.JupyterChart offline, the kernel swaps the chart's data;
``render="svg"``: vl-convert draws SVG in the kernel), this opens the explorer notebook
in JupyterLab + Debian chromium, drags the slider back and forth with the mouse, and
times in the page from the pointer's release to the first frame whose drawn lines
differ (a MutationObserver on the chart). It prints the median beside the budget.

It also times an explorer's cost per instance in a warm process, as the room builds one
per participant page (Solara, many virtual kernels in one process): construct, a slider
redraw (``explorer.set``), the static picture, wall and CPU seconds, with all of surrey's
sliders (a notebook) and with its levers only (the room's page); and the construct with
the chart template cache emptied each time. ``--compare /work/main`` times another
checkout in the same run (child processes alternate). ``--build-only`` runs just this part.

Run: ``python bench/bench_widgets.py [--repeats 15] [--build-only] [--compare PATH]`` (the browser part
needs /usr/bin/chromium and playwright; see tests/browser/lab_session.py).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from lab_session import (  # noqa: E402
    WATCH_JS,
    chromium_page,
    drag_first_slider,
    explorer_notebook,
    jupyter_lab,
    missing_requirements,
    open_and_run,
    redraw_ms,
)

BUDGET_MS = 150.0


def measure(render, repeats):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lab"
        root.mkdir()
        explorer_notebook(root / "explorer.ipynb", render=render)
        with jupyter_lab(root, hard_limit=120 + 10 * repeats) as url, chromium_page() as page:
            open_and_run(page, url, "explorer.ipynb")
            times = []
            for k in range(repeats + 2):
                page.evaluate(WATCH_JS)
                drag_first_slider(page, 0.15 if k % 2 == 0 else 0.75)  # always a new value
                ms = redraw_ms(page)
                page.wait_for_timeout(250)  # let the kernel settle before the next drag
                if k >= 2:  # the first releases warm up caches in kernel and browser
                    times.append(ms)
            return times


#: Per-instance cost in a warm process, measured in a child process per checkout (``--compare``).
CHILD = r"""
import json, os, statistics, sys, time, warnings
warnings.simplefilter("ignore")
import dpmkit as dk
from dpmkit.charts import timeseries
repeats = int(sys.argv[1])
model = dk.models.load("surrey")
configs = {"notebook (all %d sliders)" % len(model.params): None,
           "room (%d levers)" % len(model.policy_levers): [p.name for p in model.policy_levers]}
out = {}

def cpu_wall(f):
    c, w = time.process_time(), time.perf_counter()
    value = f()
    return value, time.process_time() - c, time.perf_counter() - w

first, first_cpu, first_wall = cpu_wall(lambda: dk.widgets.explore(model, outputs=["neet", "trust"]))
_, pic_cpu, pic_wall = cpu_wall(first.snapshot)
out["first explorer in the process: construct"] = [first_wall]
out["first explorer in the process: static picture"] = [pic_wall]
for label, show in configs.items():
    for k in range(repeats):
        explorer, c1, w1 = cpu_wall(lambda: dk.widgets.explore(model, outputs=["neet", "trust"], show=show))
        _, c2, w2 = cpu_wall(lambda: explorer.set(decommissioning_years=1 + k % 5))
        _, c3, w3 = cpu_wall(explorer.snapshot)
        for part, c, w in (("construct", c1, w1), ("slider redraw", c2, w2), ("static picture", c3, w3),
                           ("construct + redraw", c1 + c2, w1 + w2)):
            out.setdefault(f"{label}: {part} (cpu)", []).append(c)
            out.setdefault(f"{label}: {part}", []).append(w)
    for k in range(max(3, repeats // 3)):
        timeseries._TEMPLATES.clear()
        _, c, w = cpu_wall(lambda: dk.widgets.explore(model, outputs=["neet", "trust"], show=show))
        out.setdefault(f"{label}: construct, chart template made each time", []).append(w)
print(json.dumps(out))
"""


def explorer_builds(repeats, roots, rounds=3):
    """Per-instance seconds of an explorer in a warm process (as the room builds one per
    participant page): construct, a slider redraw, the static picture; for each checkout,
    in child processes that alternate between checkouts."""
    import json
    import os
    import subprocess

    samples = {}
    for _ in range(rounds):
        for label, root in roots:
            env = {**os.environ, "PYTHONPATH": str(root)}
            proc = subprocess.run([sys.executable, "-c", CHILD, str(repeats)], env=env, cwd=str(root),
                                  capture_output=True, text=True, timeout=1800)
            if proc.returncode:
                raise SystemExit(proc.stderr[-3000:])
            for key, values in json.loads(proc.stdout.strip().splitlines()[-1]).items():
                samples.setdefault((key, label), []).extend(values)
    return samples


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--build-only", action="store_true", help="only time building explorers in one process")
    parser.add_argument("--compare", type=Path, default=None, help="another checkout to time in the same run")
    args = parser.parse_args(argv)
    roots = [("this checkout", ROOT)] + ([(str(args.compare), args.compare.resolve())] if args.compare else [])
    with open("/proc/loadavg") if Path("/proc/loadavg").exists() else contextlib.nullcontext() as f:
        load = f.read().split()[:3] if f else "?"
    samples = explorer_builds(args.repeats, roots)
    print(f"explorer of surrey (outputs neet, trust) in a warm process, median ms over 3 child processes x "
          f"{args.repeats} (load at start {' '.join(load)}):")
    keys = list(dict.fromkeys(key for key, _ in samples))
    for key in keys:
        cells = []
        for label, _ in roots:
            values = samples.get((key, label))
            if values:
                cells.append(f"{label}: {statistics.median(values) * 1000:7.1f}")
        print(f"  {key:<66} " + "   ".join(cells))
    if args.build_only:
        return 0
    reason = missing_requirements()
    if reason:
        print(f"SKIPPED: {reason}")
        return 0
    print(f"slider release -> chart redrawn in JupyterLab (headless chromium), {args.repeats} releases each")
    for render in ("interactive", "svg"):
        times = measure(render, args.repeats)
        median = statistics.median(times)
        verdict = "within" if median <= BUDGET_MS else "OVER"
        print(f"  render={render:<12} median {median:6.1f} ms  (min {min(times):.0f}, max {max(times):.0f})"
              f"   budget {BUDGET_MS:.0f} ms  -> {verdict} budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
