"""A notebook's first chart and first explorer: seconds from running the first cell in a warm kernel.

Budget (issue 14): both appear within 2 s of a warm kernel start on this machine.
Each measurement starts a fresh Jupyter kernel (jupyter_client, as JupyterLab does),
waits until it is ready, sends the notebook's first cell and times, as a front end
sees the messages, from the request to

- first chart: the ``image/svg+xml`` output of a cell ending in a chart of the Surrey
  run (the lessons show charts through Altair's SVG renderer, drawn in the kernel);
- first explorer: the live widget's output (the explorer appears in JupyterLab), and
  then its static picture (the SVG the cell keeps for exported HTML and print), for
  ``dk.widgets.explore(model, outputs=["neet"], show=levers)`` as in notebook 00.

A "first ever" run uses an empty cache folder (the first kernel on a machine bundles
the offline chart JavaScript once, then keeps it, and Python writes its bytecode); the
others use the warm caches. Bytecode goes to the bench's temporary folder
(``PYTHONPYCACHEPREFIX``), so a shell with ``PYTHONDONTWRITEBYTECODE`` does not make
every kernel compile the kit again, and no checkout is written to.
Each kernel also times a fixed pure-Python loop (the anchor) before the cell: on a
loaded machine the anchor is slow too, and the ratio to it compares between runs.
Also reported: when the note "Drawing the chart…" arrives, and the CPU seconds of the
cell in the kernel (all its threads) and in the kernel plus its chart helper process
(``dpmkit.charts._drawer``: vl-convert's engine started in another process when a core
is spare; all of the helper's life counts). ``--helper on|off|both`` forces the helper
on or off in this checkout and in the ``--compare`` one (``both``: the two in turn, same run).

``--pictures new|drawn|both``: a chart never drawn on this machine (the kit's folder of pictures
drawn before, ``<cache>/pictures``, emptied before each kernel: vl-convert's engine starts), or
one drawn before with the same numbers (a lesson opened again, or restarted and run again: the
picture is read back and no engine starts), or both in turn (the default). The budget is
judged on new pictures; the drawn-before figures show what a learner's second opening costs.

``--busy N`` keeps N busy loops (one Python process each) running for the whole measurement,
e.g. ``--busy 2`` on a 2-core machine: a learner's computer with both cores busy, on which the
helper stays off by its own rule (the load is never one below the cores).

Run: ``python bench/bench_first_chart.py [--repeats 5] [--compare /work/main] [--helper both] [--busy 2]``
(``--compare`` also times another checkout of the kit in the same run, e.g. before a change).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 2.0
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

ANCHOR = """
import time as _t
_a = _t.perf_counter()
_s = 0
for _i in range(2_000_000):
    _s += _i * _i
print(_t.perf_counter() - _a)
"""

# CPU time of the cell: the kernel process (all its threads), and the chart helper process
# (vl-convert's engine; all of its life, so its start and warm-up count), where there is one.
CPU_START = "import time as _t; _c0 = _t.process_time()"
CPU_END = """
import os as _os, sys as _sys
def _cpu_of(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _os.sysconf("SC_CLK_TCK")
_h = getattr(_sys.modules.get("dpmkit.charts._drawer"), "Helper", None)
_p = getattr(_h, "proc", None)
print(_t.process_time() - _c0, _cpu_of(_p.pid) if _p is not None and _os.path.exists(f"/proc/{_p.pid}") else 0.0)
"""

FIRST_CHART = """import dpmkit as dk
model = dk.models.load("surrey")
dk.charts.time_series(dk.simulate(model), ["neet"])
"""

FIRST_EXPLORER = """import dpmkit as dk
model = dk.models.load("surrey")
levers = ["coproduction_effort", "decommissioning_years", "cut_fraction", "post2015_cut"]
explorer = dk.widgets.explore(model, outputs=["neet"], show=levers)
explorer
"""


def _run_cell(client, code, timeout=600):
    """Send ``code``; return (seconds to each output kind, stdout text)."""
    t0 = time.perf_counter()
    msg_id = client.execute(code)
    seen, out = {}, ""
    deadline = t0 + timeout
    while time.perf_counter() < deadline:
        msg = client.get_iopub_msg(timeout=deadline - time.perf_counter())
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["header"]["msg_type"], msg["content"]
        now = time.perf_counter() - t0
        if kind == "error":
            raise SystemExit("\n".join(content["traceback"])[-3000:])
        if kind == "stream":
            out += content["text"]
        if kind in ("display_data", "execute_result", "update_display_data"):
            data = content["data"]
            if kind != "update_display_data":
                seen.setdefault("first word in the cell", now)  # a progress note, or the chart itself
            if str(data.get("text/plain", "")).startswith("Drawing"):
                seen.setdefault("drawing note", now)  # the note while vl-convert starts
            if data.get(WIDGET_VIEW, {}).get("model_id"):
                seen.setdefault("live widget", now)
            if "<svg" in data.get("image/svg+xml", ""):
                seen.setdefault("picture", now)
        if kind == "status" and content["execution_state"] == "idle":
            return seen, out
    raise SystemExit(f"the cell did not finish within {timeout} s")


def measure(code, cache, root=ROOT, helper=None, new_pictures=True):
    from jupyter_client.manager import start_new_kernel

    if new_pictures:
        shutil.rmtree(cache / "pictures", ignore_errors=True)
    env = {**os.environ, "DPMKIT_CACHE_DIR": str(cache), "PYTHONPATH": str(root),
           **({} if helper is None else {"DPMKIT_CHART_HELPER": helper}),
           # bytecode kept as on a learner's machine (pip writes it; later kernels read it), but in
           # the bench's own folder, never in the checkouts: without this, a shell that sets
           # PYTHONDONTWRITEBYTECODE makes every kernel compile the kit's source again
           "PYTHONPYCACHEPREFIX": str(cache.parent / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(root), startup_timeout=120)
    try:
        _, out = _run_cell(client, ANCHOR)
        _run_cell(client, CPU_START)
        seen, _ = _run_cell(client, code)
        _, cpu = _run_cell(client, CPU_END)
        seen["anchor"] = float(out.strip())
        kernel_cpu, helper_cpu = (float(x) for x in cpu.split())
        seen["CPU s: kernel"] = kernel_cpu
        seen["CPU s: kernel + chart helper"] = kernel_cpu + helper_cpu
        return seen
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--compare", type=Path, default=None, help="another checkout to time in the same run")
    parser.add_argument("--helper", choices=("auto", "on", "off", "both"), default="auto",
                        help="this checkout's chart helper process: as the kit decides (a core to spare), forced on "
                             "or off, or both in turn")
    parser.add_argument("--pictures", choices=("new", "drawn", "both"), default="both",
                        help="charts never drawn on this machine, drawn before with the same numbers, or both in turn")
    parser.add_argument("--busy", type=int, default=0,
                        help="busy loops (one process each) kept running during the measurement, e.g. one per core")
    args = parser.parse_args(argv)
    modes = {"auto": [("", None)], "on": [("[helper on] ", "1")], "off": [("[helper off] ", "0")],
             "both": [("[helper on] ", "1"), ("[helper off] ", "0")]}[args.helper]
    roots = [(label, ROOT, helper) for label, helper in modes]
    # the other checkout with the same helper setting (forced on or off), so the two compare like for like
    roots += [(f"[{args.compare}] {label}", args.compare.resolve(), helper) for label, helper in modes] \
        if args.compare else []
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        return _measure_all(args, roots, busy)
    finally:
        for proc in busy:  # only the loops this run started
            proc.kill()
            proc.wait()


def _measure_all(args, roots, busy):
    if busy:
        time.sleep(1.0)  # the loops are running before the first kernel starts
    load_start = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else "?"
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cold = measure(FIRST_EXPLORER, cache)  # fills the cache, as the first kernel on a machine does
        print(f"first kernel ever on this machine (empty caches): explorer appears {cold['live widget']:.2f} s, "
              f"its static picture {cold.get('picture', float('nan')):.2f} s (anchor {cold['anchor']:.3f} s)")
        if args.compare:
            measure(FIRST_EXPLORER, cache, args.compare.resolve())  # the other checkout's bytecode, once
        samples = {}
        pictures = {"new": [("", True)], "drawn": [("[drawn before] ", False)],
                    "both": [("", True), ("[drawn before] ", False)]}[args.pictures]
        cells = (("first chart", FIRST_CHART), ("first explorer", FIRST_EXPLORER))
        for _ in range(args.repeats):
            # each cell new, then drawn before: a new cell's kernel empties the folder of pictures
            for (label, root, helper), (name, code), (seen_before, new) in itertools.product(roots, cells, pictures):
                seen = measure(code, cache, root, helper, new_pictures=new)
                samples.setdefault("anchor", []).append(seen.pop("anchor"))
                for kind, value in seen.items():
                    samples.setdefault(f"{seen_before}{label}{name}: {kind}", []).append(value)
    anchor = statistics.median(samples.pop("anchor"))
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else "?"
    print(f"load at the start {' '.join(load_start)}; {os.cpu_count()} cores; {len(busy)} busy loops running")
    print(f"warm kernel, median of {args.repeats} fresh kernels each (anchor loop {anchor:.3f} s; "
          f"load at the end {' '.join(load)}):")
    for key, values in samples.items():
        median = statistics.median(values)
        if "CPU s" in key:
            print(f"  {key:<44} median {median:5.2f} s  (min {min(values):.2f}, max {max(values):.2f})")
            continue
        verdict = "within" if median <= BUDGET_S else "OVER"
        print(f"  {key:<44} median {median:5.2f} s  (min {min(values):.2f}, max {max(values):.2f})  "
              f"= {median / anchor:5.1f} anchors   budget {BUDGET_S:.0f} s -> {verdict} budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
