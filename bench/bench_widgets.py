"""Slider release -> redrawn chart in JupyterLab, measured in a real (headless) browser.

Budget (DESIGN §3): 150 ms median. For each way the explorer can draw its chart
(``render="interactive"``: alt.JupyterChart offline, the kernel swaps the chart's data;
``render="svg"``: vl-convert draws SVG in the kernel), this opens the explorer notebook
in JupyterLab + Debian chromium, drags the slider back and forth with the mouse, and
times in the page from the pointer's release to the first frame whose drawn lines
differ (a MutationObserver on the chart). It prints the median beside the budget.

It also times building an explorer in one process, as the room builds one per
participant page (Solara, many virtual kernels in one process): the first explorer
builds the chart template, later ones reuse it (``dk.charts.LiveTimeSeries`` keeps
templates by model, outputs, title and size); the same builds with the template cache
emptied each time show what the reuse saves. ``--build-only`` runs just this part.

Run: ``python bench/bench_widgets.py [--repeats 15] [--build-only]`` (the browser part
needs /usr/bin/chromium and playwright; see tests/browser/lab_session.py).
"""

from __future__ import annotations

import argparse
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


def explorer_builds(repeats):
    """Seconds per explorer built in one process: reusing the chart template, and not."""
    import time

    import dpmkit as dk
    from dpmkit.charts import timeseries

    model = dk.models.load("surrey")

    def build():
        start = time.perf_counter()
        dk.widgets.explore(model, outputs=["neet", "trust"])
        return time.perf_counter() - start

    first = build()
    explorer = dk.widgets.explore(model, outputs=["neet", "trust"])
    start = time.perf_counter()
    explorer.snapshot()
    cold_picture = time.perf_counter() - start
    pictures = []
    for k in range(repeats):
        explorer.set(decommissioning_years=1 + k % 5)
        start = time.perf_counter()
        explorer.snapshot()
        pictures.append(time.perf_counter() - start)
    print(f"static picture (vl-convert SVG of the explorer's chart): "
          f"first in the process {cold_picture * 1000:.0f} ms, "
          f"then median {statistics.median(pictures) * 1000:.0f} ms")
    reused = [build() for _ in range(repeats)]
    fresh = []
    for _ in range(repeats):
        timeseries._TEMPLATES.clear()
        fresh.append(build())
    return first, reused, fresh


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--build-only", action="store_true", help="only time building explorers in one process")
    args = parser.parse_args(argv)
    first, reused, fresh = explorer_builds(args.repeats)
    r, f = statistics.median(reused), statistics.median(fresh)
    print(f"explorer built in one process (as the room does per page), {args.repeats} each: "
          f"first {first * 1000:.0f} ms; "
          f"then median {r * 1000:.0f} ms reusing the chart template, {f * 1000:.0f} ms building it each time "
          f"(reuse saves {f - r:+.3f} s a page, {100 * (f - r) / f:.0f}%)")
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
