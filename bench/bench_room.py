"""The room with 30 participants: memory, time to the first page, slider release -> redraw,
ballots lost. The room's server (Solara: one process, one virtual kernel per page)
beside Voila (one Python kernel per page), on this machine.

Budgets (DESIGN §3): 30 participants in at most 4 GB, first page within 5 s (median),
slider release -> chart redrawn within 250 ms (median), no ballot lost.

How it is measured, all on 127.0.0.1 with headless Debian chromium (any request to
another address is blocked and counted):

- **first page**: 30 browser contexts (30 participants, own cookies) open the app at
  once; for each, the seconds from its request to its chart being drawn. For the room
  the page is the participant link (the QR code's, with the room code); for Voila, a
  notebook showing the same explorer.
- **memory**: resident memory of the server and every process it started (Voila's
  kernels), once all 30 pages are up, minus what it held before the first page; per
  participant is that difference over 30.
- **redraw**: in a burst, the first slider of every one of the 30 pages is dragged and
  released one after the other (as when a facilitator says "now try fewer posts"); each
  page times from its own pointer release to the first frame in which its chart's lines
  differ. Two bursts; the median over all releases.
- **ballots lost** (the room only): every participant then sends a ballot; the number
  that the folder does not hold afterwards.

Browsers and server share this machine's two cores (and other work on it): a real room
has one device per participant, so the time figures here are pessimistic and noisy.

- **one page's load, profiled** (``--profile-page N``): one participant page opened alone N
  times, each in a fresh browser context (a first visit: nothing cached), with Chrome's CPU
  profiler on: when the HTML is answered, each file's fetch (start, end, size), the kernel
  connection (created, open, kernel_info, the app asked to run), the widget messages (first,
  last, the chart's spec, how many), when the levers, the ballot and the drawn chart appear,
  and what the page's main thread ran until then, by file (Solara's front end, the widget
  front ends, the chart module), plus its idle time. ``--again``: a second visit instead (the
  same browser context opened the page once before). ``--before DIR`` profiles a room running
  the kit checked out in DIR beside it (e.g. ``git archive main | tar -x -C DIR``): both
  rooms at once, their pages alternating, so they share the load. It also prints the bytes each
  page fetched in all (fonts come after the chart). ``--throttle KBIT,MS``: each profiled page
  downloads through Chrome's network emulation at KBIT kbit/s with MS ms of latency (a
  participant's share of a room's wifi; the kernel connection is not throttled).

Run: ``python bench/bench_room.py [--participants 30] [--servers room,voila]``;
``python bench/bench_room.py --participants 0 --profile-page 6 --before DIR`` for the page alone;
``python bench/bench_room.py --participants 0 --compare-redraw 12`` for the redraw with the data
only against drawing anew, in one room.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from lab_session import CHROMIUM, CHROMIUM_ARGS, WATCH_JS, drag_first_slider, explorer_notebook, missing_requirements  # noqa: E402
from room_session import free_port, missing_room_requirements, offline, room  # noqa: E402

#: Where the room's thread stacks go when some pages never drew their chart.
STACKS = Path(tempfile.gettempdir()) / "bench_room_stacks.txt"
BUDGET_GB = 4.0
BUDGET_FIRST_S = 5.0
BUDGET_REDRAW_MS = 250.0
PAGES_PER_BROWSER = 5
# Many pages in one headless browser: without these, chromium slows the pages it treats as hidden.
BROWSER_ARGS = CHROMIUM_ARGS + ["--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                                "--disable-backgrounding-occluded-windows"]
CHART_JS = "() => document.querySelectorAll('.dpmkit-chart g.mark-line path').length > 0"


def tree_cpu(pid):
    """CPU seconds (user + system) used so far by a process and all its descendants."""
    import psutil

    total = 0.0
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def tree_rss(pid):
    """Resident memory (bytes) of a process and all its descendants."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def watch_sockets(page, note):
    """Count, for one page, its kernel websockets and the frames each way (to tell a stalled
    page that never connected from one whose messages stopped)."""
    def opened(ws):
        note["sockets"] += 1
        ws.on("framesent", lambda _: note.__setitem__("sent", note["sent"] + 1))
        ws.on("framereceived", lambda _: note.__setitem__("received", note["received"] + 1))
        ws.on("close", lambda _: note.__setitem__("closed", note["closed"] + 1))

    page.on("websocket", opened)
    page.on("pageerror", lambda err: note["errors"].append(str(err)[:160]))
    page.on("console", lambda m: note["errors"].append(m.text[:160]) if m.type == "error" else None)


def open_all(browsers, url, n, outside, timeout=180, contexts="own", stagger=0.0):
    """Open ``n`` pages at once (or ``stagger`` seconds apart); return them, each one's seconds
    to a drawn chart (None: none within ``timeout``) and what each page's websocket did.

    ``contexts``: "own" gives every page its own browser context (own cookies, as on separate
    devices); "shared" opens all of a browser's pages in one context (one cookie jar, so one
    Solara session for all of them).
    """
    pages, started, notes, shared = [], [], [], {}
    for k in range(n):
        browser = browsers[k % len(browsers)]
        if contexts == "shared":
            if id(browser) not in shared:
                shared[id(browser)] = browser.new_context(viewport={"width": 1200, "height": 900})
                offline(shared[id(browser)], outside)
            context = shared[id(browser)]
        else:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            offline(context, outside)
        page = context.new_page()
        page.set_default_timeout(timeout * 1000)
        note = {"sockets": 0, "sent": 0, "received": 0, "closed": 0, "errors": []}
        watch_sockets(page, note)
        notes.append(note)
        started.append(time.monotonic())
        page.goto(url, wait_until="commit")
        pages.append(page)
        if stagger:
            time.sleep(stagger)
    ready = [None] * n
    deadline = time.monotonic() + timeout
    while any(r is None for r in ready) and time.monotonic() < deadline:
        for k, page in enumerate(pages):
            if ready[k] is None and page.evaluate(CHART_JS):
                ready[k] = time.monotonic() - started[k]
        time.sleep(0.05)
    for k, page in enumerate(pages):
        notes[k]["charts"] = page.evaluate(
            "() => [document.querySelectorAll('.dpmkit-chart').length, "
            "document.querySelectorAll('.dpmkit-chart svg, .dpmkit-chart canvas').length]")
        notes[k]["shows"] = page.evaluate(
            "() => ['room-participant','room-join','room-stale'].filter(c => document.querySelector('.' + c))"
            ".join(',') || (document.body.innerText.slice(0, 60))")
    return pages, ready, notes


def burst(pages, fraction, missed):
    """Drag every page's first slider in turn; return each page's release -> redraw (ms).

    A page whose chart has not redrawn 60 s after the burst counts in ``missed``.
    """
    for page in pages:
        page.evaluate(WATCH_JS)
        drag_first_slider(page, fraction)
    times = []
    deadline = time.monotonic() + 60
    for page in pages:
        while True:
            t = page.evaluate("() => window.__dpmkit")
            if t and t["redrawn"] is not None:
                times.append(t["redrawn"] - t["release"])
                break
            if time.monotonic() > deadline:
                missed.append(1)
                break
            time.sleep(0.02)
    return times


def send_ballots(pages, tables):
    """Every page sends a ballot; return how many pages were told "your ballot is in"."""
    for k, page in enumerate(pages):
        page.locator(".room-table").click()
        page.locator(".v-menu__content.menuable__content__active .v-list-item",
                     has_text=tables[k % len(tables)]).first.click()
        page.locator(".room-name input").fill(f"P{k}")
        page.locator(".room-send").click()
    told = 0
    for page in pages:
        page.wait_for_selector(".room-ok, .room-error", timeout=120_000)
        told += page.locator(".room-ok").count()
    return told


def read_trace(path):
    """The room's trace (``DPMKIT_ROOM_TRACE``): per page (kernel connection), its events in order."""
    pages, html = {}, []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return pages, html
    for line in lines:
        event = json.loads(line)
        if event["event"] == "html":
            html.append(event)
        else:
            pages.setdefault(event["ws"], []).append(event)
    return pages, html


def server_side(path, since, until):
    """From the trace, for the pages that asked to run between ``since`` and ``until``
    (``time.monotonic()``, the same clock in every process here):

    - ``build``: seconds from the page's request to run the app to Solara having sent the
      page's widgets (``finished``), plus the median time to answer the page's HTML request;
    - ``burst``: to the last message of the page's initial burst instead (it includes the
      page's own answers, so browser time);
    - ``redraw``: ms from each lever change arriving to the new chart spec leaving.
    """
    pages, html = read_trace(path)
    html_s = [e["t"] - e["start"] for e in html if since <= e["start"] <= until]
    html_median = statistics.median(html_s) if html_s else 0.0
    build, burst, redraw = [], [], []
    for events in pages.values():
        run = next((e["t"] for e in events if e["event"] == "run"), None)
        if run is None or not since <= run <= until:
            continue
        done = next((e["t"] for e in events if e["event"] == "finished"), None)
        if done is not None:
            build.append(done - run + html_median)
        sent = [e["t"] for e in events if e["event"] == "sent"]
        if sent:
            burst.append(sent[-1] - run + html_median)
        waiting = None
        for e in events:
            if e["event"] == "value":
                waiting = e["t"] if waiting is None else waiting
            elif e["event"] == "spec" and waiting is not None:
                redraw.append(1000 * (e["t"] - waiting))
                waiting = None
    return {"build": build, "burst": burst, "redraw": redraw, "html": html_s}


def alone(url, trace, repeats=3):
    """One participant at a time, nothing else running: each page's seconds from its request to
    its drawn chart, and its release -> redraw (ms), with the server's part of each from the trace."""
    from playwright.sync_api import sync_playwright

    outside, first, redraw = [], [], []
    since = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        try:
            for k in range(repeats):
                context = browser.new_context(viewport={"width": 1200, "height": 900})
                offline(context, outside)
                page = context.new_page()
                page.set_default_timeout(120_000)
                start = time.monotonic()
                page.goto(url, wait_until="commit")
                page.wait_for_function(CHART_JS, polling=50)
                first.append(time.monotonic() - start)
                time.sleep(2)
                missed = []
                redraw += burst([page], 0.25 + 0.2 * k, missed) + burst([page], 0.6 + 0.1 * k, missed)
                context.close()
        finally:
            browser.close()
    server = server_side(trace, since, time.monotonic()) if trace else {"build": [], "redraw": []}
    return {"first": first, "redraw": redraw, "server": server}


# ----------------------------------------------------------------------------- one page's load, profiled
#: Injected before the page's own scripts: times every kernel-connection message and the moments
#: the page shows its levers, its ballot and its chart (``performance.now()``, ms from navigation).
PROFILE_INIT_JS = r"""
(() => {
  const log = window.__dpmkitLoad = {ws: [], marks: {}};
  const Socket = window.WebSocket;
  function Traced(url, protocols) {
    const ws = protocols === undefined ? new Socket(url) : new Socket(url, protocols);
    log.ws.push({t: performance.now(), dir: 'create'});
    ws.addEventListener('open', () => log.ws.push({t: performance.now(), dir: 'open'}));
    ws.addEventListener('message', (e) => {
      const text = typeof e.data === 'string' ? e.data : '';
      const type = text.match(/"msg_type":\s*"(\w+)"/);
      log.ws.push({t: performance.now(), dir: 'in', size: text.length || e.data.byteLength || e.data.size || 0,
                   type: type ? type[1] : 'binary', spec: text.includes('"spec"')});
    });
    const send = ws.send.bind(ws);
    ws.send = (data) => {
      const text = typeof data === 'string' ? data : '';
      const type = text.match(/"msg_type":\s*"(\w+)"/);
      const method = text.match(/"method":\s*"(\w+)"/);
      log.ws.push({t: performance.now(), dir: 'out', type: type ? type[1] : 'binary',
                   method: method ? method[1] : ''});
      return send(data);
    };
    return ws;
  }
  Traced.prototype = Socket.prototype;
  Object.assign(Traced, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Traced;
  const marks = {levers: '.dpmkit-explorer .widget-slider', ballot: '.room-send',
                 chart: '.dpmkit-chart g.mark-line path'};
  new MutationObserver(() => {
    for (const [name, selector] of Object.entries(marks)) {
      if (log.marks[name] === undefined && document.querySelector(selector)) log.marks[name] = performance.now();
    }
  }).observe(document, {subtree: true, childList: true});
})();
"""

#: What each file the page loads is, for the breakdown (first match wins).
_KINDS = (("stylesheets", ".css"), ("fonts", ".woff"),
          ("solara front end (Vue, Vuetify, widget manager)", "solara-vuetify-app"), ("requirejs", "require.js"),
          ("widget front ends (jupyter-vue, jupyter-vuetify)", "/jupyter/nbextensions/jupyter-vu"),
          ("anywidget", "/jupyter/nbextensions/anywidget/"), ("chart module (Vega, Vega-Lite, embed)", "/_dpmkit/"),
          ("other", ""))


def _kind(url):
    return next(name for name, part in _KINDS if part in url)


def _watch_outside(context, outside):
    """Note every request of ``context`` that is not for this machine, without routing: Playwright
    turns the browser's cache off in a routed context, and a second visit needs it."""
    context.on("request", lambda r: None if r.url.startswith(
        ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")) else outside.append(r.url))


def _profile_once(browser, url, outside, again=False, throttle=None):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    if again:  # a second visit on the same device: a first page loads (its files cached), then the profiled one
        _watch_outside(context, outside)
        first = context.new_page()
        first.set_default_timeout(120_000)
        first.goto(url, wait_until="commit")
        first.wait_for_function(CHART_JS, polling=50)
        first.close()
    else:
        offline(context, outside)
    context.add_init_script(PROFILE_INIT_JS)
    page = context.new_page()
    page.set_default_timeout(120_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 1000})
    cdp.send("Profiler.start")
    cdp.send("Performance.enable")
    if throttle:  # a participant on poor wifi: the page's downloads share throttle[0] kbit/s, each waits throttle[1] ms
        kbits, latency = throttle
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency,
                                                      "downloadThroughput": kbits * 1000 / 8,
                                                      "uploadThroughput": kbits * 1000 / 8})
    page.goto(url, wait_until="commit")
    try:
        page.wait_for_function("() => window.__dpmkitLoad && window.__dpmkitLoad.marks.chart !== undefined",
                               polling=50, timeout=90_000)
    except Exception:  # a page that never drew is counted, not fatal
        shows = page.evaluate("() => document.body.innerText.slice(0, 80)")
        shows += f" | blocked so far: {sorted(set(outside))[:2]}"
        context.close()
        return {"failed": shows}
    cpu = cdp.send("Profiler.stop")["profile"]
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    load = page.evaluate("() => window.__dpmkitLoad")
    nav = page.evaluate("() => performance.getEntriesByType('navigation')[0].toJSON()")
    files = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.toJSON())")
    with contextlib.suppress(Exception):  # then every byte the page fetches (fonts come after the chart)
        page.wait_for_load_state("networkidle", timeout=30_000)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        page.wait_for_load_state("networkidle", timeout=30_000)
    every = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.toJSON())")
    context.close()
    out = summarize_load(load, nav, files, cpu, metrics)
    out["KB every file"] = (nav["transferSize"] + sum(f["transferSize"] for f in every)) / 1024
    out["KB fonts"] = sum(f["transferSize"] for f in every if _kind(f["name"]) in ("fonts", "stylesheets")) / 1024
    return out


def summarize_load(load, nav, files, cpu, metrics):
    """One page's load, from its performance entries, its kernel-connection log and a CPU profile:
    a flat dict of figures (ms from the navigation's start unless named otherwise)."""
    chart = load["marks"]["chart"]
    out = {"html": nav["responseEnd"], "dom_ready": nav["domContentLoadedEventEnd"], "chart": chart,
           "levers": load["marks"].get("levers", float("nan")), "ballot": load["marks"].get("ballot", float("nan"))}
    # JavaScript run per file (self time of the CPU profile's samples, by the file of the running function)
    nodes = {n["id"]: n["callFrame"] for n in cpu["nodes"]}
    run, idle = {}, 0.0
    for sample, delta in zip(cpu["samples"], cpu["timeDeltas"]):
        frame = nodes[sample]
        if frame["functionName"] == "(idle)":
            idle += delta / 1000
            continue
        name = _kind(frame["url"]) if frame["url"] else (
            "garbage collection" if frame["functionName"] == "(garbage collector)" else
            "browser work outside scripts (parse, compile, style, layout)")
        run[name] = run.get(name, 0.0) + delta / 1000
    for name in {_kind(f["name"]) for f in files}:
        mine = [f for f in files if _kind(f["name"]) == name and f["startTime"] < chart]
        if mine:
            out[f"fetch {name}"] = (min(f["startTime"] for f in mine), max(f["responseEnd"] for f in mine),
                                    sum(f["transferSize"] for f in mine) / 1024, len(mine))
    for name, ms in run.items():
        out[f"cpu {name}"] = ms
    out["main thread idle"] = idle
    ws = [e for e in load["ws"] if e["t"] <= chart]
    first = {}
    for e in ws:
        key = e["dir"] if e["dir"] in ("create", "open") else f"{e['dir']} {e.get('method') or e['type']}"
        first.setdefault(key, e["t"])
    out["socket created"] = first.get("create", float("nan"))
    out["socket open"] = first.get("open", float("nan"))
    out["kernel_info reply"] = first.get("in kernel_info_reply", float("nan"))
    out["run sent"] = first.get("out run", float("nan"))
    out["first widget in"] = first.get("in comm_open", float("nan"))
    opens = [e["t"] for e in ws if e["dir"] == "in" and e["type"] == "comm_open"]
    out["last widget in"] = opens[-1] if opens else float("nan")
    specs = [e["t"] for e in ws if e["dir"] == "in" and e.get("spec")]
    out["chart spec in"] = specs[0] if specs else float("nan")
    out["messages in"] = sum(e["dir"] == "in" for e in ws)
    out["messages out"] = sum(e["dir"] == "out" for e in ws)
    out["widgets created"] = len(opens)
    out["KB in"] = sum(e.get("size", 0) for e in ws if e["dir"] == "in") / 1024
    out["script ms (CDP)"] = 1000 * metrics.get("ScriptDuration", float("nan"))
    out["style+layout ms (CDP)"] = 1000 * (metrics.get("RecalcStyleDuration", 0) + metrics.get("LayoutDuration", 0))
    return out


def profile_pages(urls, repeats=3, again=False, throttle=None):
    """Open each participant page of ``urls`` ``repeats`` times, alone, alternating between them, each
    in a fresh browser context (a first visit: nothing cached; with ``again``, a second visit in a
    context that opened the page once before); return, per URL, each load's
    :func:`summarize_load`."""
    from playwright.sync_api import sync_playwright

    outside, runs = {url: [] for url in urls}, {url: [] for url in urls}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        try:
            for _ in range(repeats):
                for url in urls:
                    runs[url].append(_profile_once(browser, url, outside[url], again, throttle))
        finally:
            browser.close()
    return {url: {"runs": r, "outside": sorted(set(outside[url]))} for url, r in runs.items()}


def measure_page(tmp, repeats, before=None, again=False, throttle=None):
    """Start the room (and, with ``before``, a room running the kit checked out in that folder, at
    the same time so that both share the machine's load) and profile one participant page's load
    in each, alternating."""
    variants = {"as served": None}
    if before is not None:
        variants[f"before: the kit in {before}"] = before
    with contextlib.ExitStack() as stack:
        urls = {}
        for k, (name, code_root) in enumerate(variants.items()):
            running = stack.enter_context(room(Path(tmp) / f"page{k}", "--tables", "6", startup_timeout=120,
                                               hard_limit=900, code_root=code_root))
            urls[name] = running.participants
        profiled = profile_pages(list(urls.values()), repeats, again, throttle)
    return {name: profiled[url] for name, url in urls.items()}


def report_profile(profiled, label=""):
    """Print the median of each figure of :func:`profile_page` as the page's load, in order."""
    failed = [r["failed"] for r in profiled["runs"] if "failed" in r]
    runs = [r for r in profiled["runs"] if "failed" not in r]
    if failed:
        print(f"  {len(failed)} page(s){label} drew no chart within 90 s; showing {failed[0]!r}")
    if not runs:
        return

    def med(key, part=None):
        values = [r[key] if part is None else r[key][part] for r in runs if key in r]
        return statistics.median(values) if values else float("nan")

    print(f"  one participant page's load{label}, alone (median of {len(runs)}, fresh browser context each; "
          f"ms from the request):")
    print(f"    HTML answered {med('html'):6.0f}   scripts run, DOMContentLoaded {med('dom_ready'):6.0f}")
    for name, _ in _KINDS:
        key = f"fetch {name}"
        if any(key in r for r in runs):
            print(f"    fetch {name:52s} {med(key, 0):6.0f} -> {med(key, 1):6.0f}  "
                  f"{med(key, 2):6.0f} KB in {med(key, 3):.0f} file(s)")
    print(f"    kernel connection: created {med('socket created'):6.0f}, open {med('socket open'):6.0f}, "
          f"kernel_info reply {med('kernel_info reply'):6.0f}, run sent {med('run sent'):6.0f}")
    print(f"    widgets: first in {med('first widget in'):6.0f}, last in {med('last widget in'):6.0f}, chart spec in "
          f"{med('chart spec in'):6.0f}; {med('widgets created'):.0f} widgets, {med('messages in'):.0f} messages in "
          f"({med('KB in'):.0f} KB), {med('messages out'):.0f} out before the chart")
    print(f"    shown: levers {med('levers'):6.0f}, ballot {med('ballot'):6.0f}, chart drawn {med('chart'):6.0f}")
    print(f"    bytes fetched: {med('KB every file'):6.0f} KB in all (page, files, fonts; once the network is idle), "
          f"of which style sheets and fonts {med('KB fonts'):5.0f} KB")
    print("    main thread until the chart, by what ran (CPU profile, ms):")
    names = sorted({k[4:] for r in runs for k in r if k.startswith("cpu ")}, key=lambda n: -med("cpu " + n))
    for name in names:
        print(f"      {med('cpu ' + name):6.0f}  {name}")
    print(f"      {med('main thread idle'):6.0f}  idle (waiting for the network or the room)")
    print(f"    Chrome's own counters until the chart: script {med('script ms (CDP)'):6.0f} ms, style and layout "
          f"{med('style+layout ms (CDP)'):6.0f} ms")
    if profiled["outside"]:
        print(f"    blocked requests to the internet: {', '.join(profiled['outside'][:3])}")


def report_pairs(now, before):
    """The page's times to its chart, ballot and levers, each load beside the "before" load profiled
    right after it: both medians and the median of the paired differences (now - before)."""
    pairs = [(a, b) for a, b in zip(now, before) if "failed" not in a and "failed" not in b]
    if not pairs:
        return
    print(f"  now against before, {len(pairs)} pairs (ms from the request; median now, median before, "
          "median of the paired differences):")
    for key in ("chart", "ballot", "levers", "dom_ready", "chart spec in", "KB every file"):
        values = [(a[key], b[key]) for a, b in pairs
                  if key in a and key in b and a[key] == a[key] and b[key] == b[key]]  # not NaN
        if values:
            now_ms, before_ms = statistics.median([a for a, _ in values]), statistics.median([b for _, b in values])
            change = statistics.median([a - b for a, b in values])
            print(f"    {key:14s} {now_ms:6.0f}  {before_ms:6.0f}  {change:+6.0f}"
                  f"   (now faster in {sum(a < b for a, b in values)} of {len(values)})")


def compare_redraw(tmp, releases):
    """One room, two participant pages at once: one redraws with the new data only (as served), one
    draws anew on each release (``window.__dpmkitFullRedraw``); the same releases, alternating between
    the pages, so both share the load. Returns each page's release -> redrawn (ms)."""
    from playwright.sync_api import sync_playwright

    times, outside = {"data only": [], "anew": []}, []
    fractions = [0.3, 0.8, 0.55, 0.15, 0.65]
    with room(Path(tmp) / "redraw", "--tables", "6", startup_timeout=120, hard_limit=900) as running, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        try:
            pages = {}
            for mode in times:
                context = browser.new_context(viewport={"width": 1200, "height": 900})
                offline(context, outside)
                if mode == "anew":
                    context.add_init_script("window.__dpmkitFullRedraw = true")
                page = pages[mode] = context.new_page()
                page.set_default_timeout(90_000)
                page.goto(running.participants, wait_until="commit")
            for page in pages.values():
                page.wait_for_function(CHART_JS, polling=50)
            time.sleep(2)
            for k in range(releases):
                for mode in (list(times) if k % 2 == 0 else list(times)[::-1]):
                    missed = []
                    times[mode] += burst([pages[mode]], fractions[k % len(fractions)], missed)
                    time.sleep(0.3)
        finally:
            browser.close()
    return times


def report_redraw(times):
    pairs = list(zip(times["data only"], times["anew"]))
    print(f"  slider release -> redraw, one page alone, {len(pairs)} releases each, alternating (ms):")
    for mode, values in times.items():
        print(f"    {mode:10s} median {statistics.median(values):5.0f}  (min {min(values):.0f}, max {max(values):.0f})")
    print(f"    paired difference (data only - anew) median {statistics.median(a - b for a, b in pairs):+5.0f}"
          f"   (data only faster in {sum(a < b for a, b in pairs)} of {len(pairs)})")


def server_threads(pid):
    import psutil

    with contextlib.suppress(psutil.NoSuchProcess):
        return psutil.Process(pid).num_threads()
    return 0


def run_pages(url, pid, n, *, ballots=None, pages_per_browser=PAGES_PER_BROWSER, contexts="own", stagger=0.0,
              on_stall=None):
    from playwright.sync_api import sync_playwright

    outside = []
    with sync_playwright() as p:
        # One browser for every few participants, as in a room every device has its own.
        browsers = [p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
                    for _ in range(-(-n // pages_per_browser))]
        try:
            before, cpu0, threads0 = tree_rss(pid), tree_cpu(pid), server_threads(pid)
            since = time.monotonic()
            all_pages, first, notes = open_all(browsers, url, n, outside, contexts=contexts, stagger=stagger)
            cpu = tree_cpu(pid) - cpu0
            threads = server_threads(pid)
            if on_stall is not None and any(t is None for t in first):
                on_stall()
            # A stalled page, reloaded once the others are up (what a participant would do): does it draw?
            recovered = 0
            for page, t in zip(all_pages, first):
                if t is None:
                    page.reload(wait_until="commit")
                    with contextlib.suppress(Exception):
                        page.wait_for_function(CHART_JS, timeout=60_000)
                        recovered += 1
            pages = [page for page, t in zip(all_pages, first) if t is not None]
            time.sleep(2)
            after = tree_rss(pid)
            missed = []
            redraw = burst(pages, 0.2, missed) + burst(pages, 0.7, missed)
            sent = 0
            if ballots is not None:
                sent = send_ballots(pages, ballots)
        finally:
            for browser in browsers:
                browser.close()
    stalled = [notes[k] for k, t in enumerate(first) if t is None]
    return {"window": (since, time.monotonic()), "recovered": recovered, "before": before, "after": after,
            "first": [t for t in first if t is not None] or [float("nan")],
            "stalled": stalled, "notes": notes, "redraw": redraw or [float("nan")], "no_redraw": len(missed),
            "outside": sorted(set(outside)), "server_cpu_per_page": cpu / n, "sent": sent,
            "threads": (threads0, threads), "browsers": len(browsers), "contexts": contexts}


def measure_room(n, tmp, **options):
    folder = Path(tmp) / "room"
    tables = [f"Table {k}" for k in range(1, 7)]
    trace, profile = Path(tmp) / "trace.jsonl", Path(tmp) / "profile.txt"
    os.environ["DPMKIT_ROOM_TRACE"] = str(trace)  # read by the room (dpmkit.room.server.Trace)
    if options.pop("profile", False):
        os.environ["DPMKIT_ROOM_PROFILE"] = str(profile)
    with room(folder, "--tables", "6", startup_timeout=120, hard_limit=1800) as running:
        def dump_stacks():  # where the room's threads are while some pages have no chart (the room's SIGUSR1)
            import signal

            os.kill(running.proc.pid, signal.SIGUSR1)
            time.sleep(3)
            STACKS.write_text("".join(running.log), encoding="utf-8")

        single = alone(running.participants, trace)
        figures = run_pages(running.participants, running.proc.pid, n, ballots=tables, on_stall=dump_stacks,
                            **options)
        figures["alone"] = single
        figures["server"] = server_side(trace, *figures["window"])
    os.environ.pop("DPMKIT_ROOM_TRACE", None)
    if os.environ.pop("DPMKIT_ROOM_PROFILE", None) and profile.exists():
        figures["profile"] = profile.read_text(encoding="utf-8")
    import dpmkit as dk

    # lost: a participant told "your ballot is in" whose ballot the folder does not hold
    figures["lost"] = figures["sent"] - len(dk.workshop.collect(folder, model="demo").ballots)
    return figures


def measure_voila(n, tmp, **options):
    root = Path(tmp) / "voila"
    root.mkdir()
    explorer_notebook(root / "explorer.ipynb")
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "voila", "explorer.ipynb", "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--ServerApp.port_retries=0"]
    log = open(root / "voila.log", "wb")  # noqa: SIM115 - handed to the server process, closed when it stops
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while True:
            try:  # any answer means it is up (GET / would start a kernel, so ask for something else)
                with urllib.request.urlopen(url + "api/status", timeout=2):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("voila did not start:\n" + (root / "voila.log").read_text()[-2000:]) from None
                time.sleep(0.3)
        return run_pages(url, proc.pid, n, **options)
    finally:
        import signal

        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()


# ----------------------------------------------------------------------------- a lecture arriving
def _our_browsers_rss(room_pid):
    """Proportional memory (PSS, bytes: shared pages split among the processes sharing them, so not
    counted once per process as RSS would) of every process this script started except the room's:
    the browsers."""
    import psutil

    mine = psutil.Process(os.getpid())
    total = 0
    room_tree = set()
    with contextlib.suppress(psutil.NoSuchProcess):
        room = psutil.Process(room_pid)
        room_tree = {room.pid, *(c.pid for c in room.children(recursive=True))}
    for child in mine.children(recursive=True):
        if child.pid in room_tree:
            continue
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += child.memory_full_info().pss
    return total


#: Injected into every lecture page: each kernel connection's close code (1006: dropped; 1011: the
#: server's keepalive ping went unanswered), kept across the page's own reloads in sessionStorage.
CLOSES_INIT_JS = r"""
(() => {
  const Native = window.WebSocket;
  const note = (what) => {
    const old = JSON.parse(sessionStorage.getItem('dpmkitCloses') || '[]');
    old.push(what);
    sessionStorage.setItem('dpmkitCloses', JSON.stringify(old));
  };
  function Noted(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    let opened = false;
    ws.addEventListener('open', () => { opened = true; });
    ws.addEventListener('close', (e) => note({code: e.code, opened, t: Math.round(performance.now())}));
    return ws;
  }
  Noted.prototype = Native.prototype;
  Object.assign(Noted, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Noted;
})();
"""


def run_lecture(url, pid, n, *, arrive_over, tables, pages_per_browser=10, close_after_ballot=False,
                timeout=420, seed=1, nice_browsers=True):
    """A lecture arriving: ``n`` participants join at random moments over ``arrive_over`` seconds (as
    students come in and scan the QR code), each in their own browser context; each page, once its
    chart is drawn, sends a ballot through its form (a table, a name, Send). With
    ``close_after_ballot`` a page closes once told its ballot is in (to spare this machine's memory;
    its kernel stays on the server, disconnected, as a student's closed laptop). Returns per page:
    its arrival, seconds to a drawn chart (None: none within ``timeout``), whether it was told "your
    ballot is in", and what its kernel connection did (a refused page's websocket closes unanswered, and the
    page says so).

    ``nice_browsers``: the browsers run at the lowest priority (nice 19), so that the room's one
    process gets the CPU it asks for first, as if the browsers were on the students' own devices;
    they still take every cycle the room leaves."""
    import asyncio
    import random
    import threading

    from playwright.async_api import async_playwright

    rng = random.Random(seed)
    arrivals = sorted(rng.uniform(0, arrive_over) for _ in range(n))
    outside, pages = [], [None] * n
    samples = []  # (t, server rss, browsers' rss)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append((time.monotonic(), tree_rss(pid), _our_browsers_rss(pid)))
            stop.wait(5.0)

    async def offline_async(context):
        async def route(r):
            if r.request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
                await r.continue_()
            else:
                outside.append(r.request.url)
                await r.abort()
        await context.route("**/*", route)

    async def participant(k, browser, t0):
        await asyncio.sleep(max(0.0, t0 + arrivals[k] - time.monotonic()))
        note = {"k": k, "arrived": time.monotonic() - t0, "drawn": None, "told": False, "sockets": 0,
                "received": 0, "closed": 0, "refused": False, "shows": "", "loads": 0, "closes": []}
        pages[k] = note
        context = await browser.new_context(viewport={"width": 1200, "height": 900})
        await offline_async(context)
        await context.add_init_script(CLOSES_INIT_JS)
        page = await context.new_page()
        page.on("load", lambda _: note.__setitem__("loads", note["loads"] + 1))
        page.set_default_timeout(timeout * 1000)

        def opened(ws):
            note["sockets"] += 1
            ws.on("framereceived", lambda _: note.__setitem__("received", note["received"] + 1))
            ws.on("close", lambda _: note.__setitem__("closed", note["closed"] + 1))

        page.on("websocket", opened)
        start = time.monotonic()
        try:
            await page.goto(url, wait_until="commit")
            await page.wait_for_function(CHART_JS, polling=200, timeout=timeout * 1000)
            note["drawn"] = time.monotonic() - start
            await page.locator(".room-table").click()
            await page.locator(".v-menu__content.menuable__content__active .v-list-item",
                               has_text=tables[k % len(tables)]).first.click()
            await page.locator(".room-name input").fill(f"Student {k}")
            await page.locator(".room-send").click()
            await page.wait_for_selector(".room-ok, .room-error", timeout=120_000)
            note["told"] = await page.locator(".room-ok").count() > 0
        except Exception as err:  # a page that never drew (or never heard back) is counted, not fatal
            note["error"] = str(err).splitlines()[0][:120]
            with contextlib.suppress(Exception):
                note["shows"] = (await page.evaluate("() => document.body.innerText.slice(0, 80)")).strip()
        with contextlib.suppress(Exception):
            note["closes"] = await page.evaluate("() => JSON.parse(sessionStorage.getItem('dpmkitCloses') || '[]')")
            # refused by the page limits: the page says so (dpmkit.room.frontend.REFUSED_TEXT)
            note["refused"] = await page.locator(".dpmkit-refused").count() > 0
        if close_after_ballot:
            await context.close()
        return context

    async def main():
        async with async_playwright() as p:
            browsers = [await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
                        for _ in range(-(-n // pages_per_browser))]
            try:
                t0 = time.monotonic() + 1.0
                await asyncio.gather(*(participant(k, browsers[k % len(browsers)], t0) for k in range(n)))
            finally:
                for browser in browsers:
                    await browser.close()

    before, cpu0 = tree_rss(pid), tree_cpu(pid)
    if nice_browsers:  # this process, and so the browsers it starts from now on; the room is already running
        os.nice(19)
    sampler = threading.Thread(target=sample, daemon=True)
    since = time.monotonic()
    sampler.start()
    try:
        asyncio.run(main())
    finally:
        stop.set()
        sampler.join(timeout=10)
    return {"window": (since, time.monotonic()), "before": before, "pages": pages, "samples": samples,
            "server_cpu": tree_cpu(pid) - cpu0, "nice_browsers": nice_browsers,
            "outside": sorted(set(outside)), "arrive_over": arrive_over, "close_after_ballot": close_after_ballot,
            "pages_per_browser": pages_per_browser}


def measure_lecture(n, tmp, arrive_over, close_after_ballot=False, pages_per_browser=10, room_args=()):
    """The room (its defaults unless ``room_args``: --max-pages 200, 8 per device) with a lecture of
    ``n`` arriving over ``arrive_over`` seconds; the alone figures first, as :func:`measure_room`."""
    folder = Path(tmp) / "room"
    tables = [f"Table {k}" for k in range(1, 7)]
    trace = Path(tmp) / "trace.jsonl"
    os.environ["DPMKIT_ROOM_TRACE"] = str(trace)
    try:
        with room(folder, "--tables", "6", *room_args, startup_timeout=120, hard_limit=3600) as running:
            single = alone(running.participants, trace)
            figures = run_lecture(running.participants, running.proc.pid, n, arrive_over=arrive_over,
                                  tables=tables, close_after_ballot=close_after_ballot,
                                  pages_per_browser=pages_per_browser)
            time.sleep(2)
            figures["after"] = tree_rss(running.proc.pid)
            figures["refusal_lines"] = [line for line in running.lines if "refused a new page" in line]
        figures["alone"] = single
        figures["server"] = server_side(trace, *figures["window"])
    finally:
        os.environ.pop("DPMKIT_ROOM_TRACE", None)
    import dpmkit as dk

    figures["held_names"] = sorted(b.participant for b in dk.workshop.collect(folder, model="demo").ballots)
    figures["held"] = len(figures["held_names"])
    return figures


def report_lecture(f, n):
    pages = [p for p in f["pages"] if p is not None]
    drawn = [p["drawn"] for p in pages if p["drawn"] is not None]
    told = sum(p["told"] for p in pages)
    refused = [p for p in pages if p["refused"]]
    server_peak = max((s[1] for s in f["samples"]), default=f["before"])
    browsers_peak = max((s[2] for s in f["samples"]), default=0)
    per = (f["after"] - f["before"]) / n / 2**20
    arrived = sorted(p["arrived"] for p in pages)
    print(f"a lecture of {n} arriving over {f['arrive_over']:.0f} s (first {arrived[0]:.0f} s, last "
          f"{arrived[-1]:.0f} s; {f['pages_per_browser']} pages per headless browser"
          + ("; each page closed once told its ballot is in):" if f["close_after_ballot"] else
             "; every page kept open):"))
    print(f"  server memory              {f['after'] / 2**30:5.2f} GB with every page joined (peak "
          f"{server_peak / 2**30:.2f} GB), {per:5.1f} MB per page   (budget {BUDGET_GB:.0f} GB)  "
          f"{'ok' if server_peak / 2**30 <= BUDGET_GB else 'OVER'}")
    print(f"  browsers' memory (this machine only, PSS) peak {browsers_peak / 2**30:.1f} GB"
          + ("; browsers at nice 19, the room at normal priority" if f.get("nice_browsers") else ""))
    print(f"  server CPU per page        {f['server_cpu'] / n:5.2f} s (the room's process, {f['server_cpu']:.0f} s "
          f"in all over {f['window'][1] - f['window'][0]:.0f} s)")
    loads = sum(p["loads"] for p in pages)
    dropped = [c for p in pages for c in p["closes"] if c["opened"]]
    codes = {}
    for c in dropped:
        codes[c["code"]] = codes.get(c["code"], 0) + 1
    print(f"  page loads {loads} for {n} pages (a page reloads itself when its connection drops); connections "
          f"dropped after opening {len(dropped)} (close codes {codes})")
    first_line = f": {f['refusal_lines'][0]}" if f["refusal_lines"] else ""
    print(f"  pages that drew their chart {len(drawn)} of {n}; refused by the page limit {len(refused)} "
          f"(console: {len(f['refusal_lines'])} refusal line(s){first_line})")
    if drawn:
        print(f"  first page, end to end (browsers on this machine): median {statistics.median(drawn):5.1f} s, "
              f"90th percentile {sorted(drawn)[int(0.9 * (len(drawn) - 1))]:.1f} s, max {max(drawn):.1f} s   "
              f"(budget {BUDGET_FIRST_S:.0f} s)")
    est = None
    if f["server"]["build"] and f["alone"]["server"]["build"]:
        a, b, _ = _first_page_parts(f)
        est = a + b
        print(f"  first page, decomposed: (a) server side while the lecture arrived: median {a:5.2f} s (max "
              f"{max(f['server']['build']):.2f}, {len(f['server']['build'])} pages); (b) one page alone, browser "
              f"side {b:5.2f} s")
        print(f"  first page, estimated for one device per student = (a) + (b) = {est:5.2f} s   "
              f"(budget {BUDGET_FIRST_S:.0f} s)  {'ok' if est <= BUDGET_FIRST_S else 'OVER'}")
    held = set(f["held_names"])
    lost = sum(1 for p in pages if p["told"] and f"Student {p['k']}" not in held)
    print(f"  ballots: {told} pages told \"your ballot is in\", {f['held']} ballots in the folder; lost (told, not "
          f"in the folder) {lost}   (budget 0)  {'ok' if lost == 0 else 'OVER'}")
    for p in [p for p in pages if p["drawn"] is None][:5]:
        print(f"    no chart: page {p['k']} arrived at {p['arrived']:.0f} s, {p['sockets']} websocket(s), "
              f"{p['received']} frames received, {p['closed']} closed; shows {p['shows']!r}; {p.get('error', '')}")
    if f["outside"]:
        print(f"  blocked requests to the internet: {', '.join(f['outside'][:3])}")
    return {"n": n, "arrive_over_s": f["arrive_over"], "server_gb": f["after"] / 2**30,
            "server_peak_gb": server_peak / 2**30, "per_page_mb": per, "browsers_peak_gb": browsers_peak / 2**30,
            "drawn": len(drawn), "refused": len(refused), "refusal_lines": f["refusal_lines"], "told": told,
            "server_cpu_s": f["server_cpu"], "page_loads": loads, "dropped": len(dropped), "close_codes": codes,
            "held": f["held"], "lost": lost, "first_page_s": drawn, "first_page_estimated_s": est,
            "server_side": f["server"], "alone": f["alone"], "pages": pages, "outside": f["outside"]}



def _first_page_parts(f):
    """``(a, b, alone)`` for a room where every participant has their own device: (a) the median
    server side of a page while the others arrived (from the room's trace), (b) one page's browser
    side measured alone (its request-to-chart time, ``alone``, minus its own server side)."""
    a = statistics.median(f["server"]["build"])
    alone = statistics.median(f["alone"]["first"])
    return a, max(alone - statistics.median(f["alone"]["server"]["build"]), 0.0), alone

def report(name, f, n):
    gb = f["after"] / 2**30
    per = (f["after"] - f["before"]) / n / 2**20
    first, redraw = statistics.median(f["first"]), statistics.median(f["redraw"])
    print(f"{name}:")
    print(f"  memory, {n} participants   {gb:6.2f} GB total, {per:5.0f} MB per participant   "
          f"(budget {BUDGET_GB:.0f} GB)  {'ok' if gb <= BUDGET_GB else 'OVER'}")
    print(f"  first page, {n} at once, browsers on this machine: median {first:5.1f} s "
          f"(max {max(f['first']):.1f})    (budget {BUDGET_FIRST_S:.0f} s)  "
          f"{'ok' if first <= BUDGET_FIRST_S else 'OVER'}")
    print(f"  slider release -> redraw  median {redraw:5.0f} ms (max {max(f['redraw']):.0f}, "
          f"{len(f['redraw'])} releases, {f['no_redraw']} not redrawn within 60 s)  "
          f"(budget {BUDGET_REDRAW_MS:.0f} ms)  {'ok' if redraw <= BUDGET_REDRAW_MS else 'OVER'}")
    # The browsers above ran on this machine's two cores beside the server; in a room each runs on
    # its participant's own device. So, beside the end-to-end figures: the server's part of each page
    # with all n joining at once (from the room's trace), plus one page's browser part measured alone.
    per_page = f["server_cpu_per_page"]
    print(f"  server CPU per page        {per_page:5.2f} s (server process, while the {n} pages were opening)")
    est = None
    if "alone" in f and f["server"]["build"] and f["alone"]["server"]["build"]:
        a, b, alone_first = _first_page_parts(f)
        a_burst = statistics.median(f["server"]["burst"]) if f["server"]["burst"] else float("nan")
        est = a + b
        print(f"  first page, decomposed: (a) server side with {n} joining at once: median {a:5.2f} s (max "
              f"{max(f['server']['build']):.2f}; HTML answered + run -> page's widgets sent; to the end of the "
              f"page's first burst {a_burst:.2f} s)")
        print(f"                          (b) one page alone, browser side: {b:5.2f} s (request -> chart drawn "
              f"{alone_first:.2f} s, minus its server side {alone_first - b:.2f} s)")
        print(f"  first page, estimated for one device per participant = (a) + (b) = {est:5.2f} s   "
              f"(budget {BUDGET_FIRST_S:.0f} s)  {'ok' if est <= BUDGET_FIRST_S else 'OVER'}   "
              f"[end-to-end, all {n} browsers on this machine: {first:.1f} s]")
    redraw_est = None
    if "alone" in f and f["server"]["redraw"] and f["alone"]["server"]["redraw"] and f["alone"]["redraw"]:
        ra = statistics.median(f["server"]["redraw"])
        alone_redraw = statistics.median(f["alone"]["redraw"])
        rb = max(alone_redraw - statistics.median(f["alone"]["server"]["redraw"]), 0.0)
        redraw_est = ra + rb
        print(f"  redraw, decomposed: (a) server side under {n}: median {ra:5.0f} ms (lever change in -> spec out, "
              f"{len(f['server']['redraw'])} releases); (b) one page alone, browser side {rb:5.0f} ms "
              f"(release -> redrawn {alone_redraw:.0f} ms)")
        print(f"  redraw, estimated for one device per participant = (a) + (b) = {redraw_est:5.0f} ms   "
              f"(budget {BUDGET_REDRAW_MS:.0f} ms)  {'ok' if redraw_est <= BUDGET_REDRAW_MS else 'OVER'}   "
              f"[end-to-end, all {n} browsers on this machine: {redraw:.0f} ms]")
    if f.get("profile"):
        print("  where the server's busy time went (sampled, inclusive; DPMKIT_ROOM_PROFILE):")
        for line in f["profile"].splitlines()[:50]:
            print(f"    {line}")
    stalled = f["stalled"]
    print(f"  pages with no chart after 180 s: {len(stalled)} of {n}  ({f['browsers']} browsers, contexts "
          f"{f['contexts']}; server threads {f['threads'][0]} before, {f['threads'][1]} with every page open)")
    if stalled:
        print(f"    reloaded once the others were up, {f['recovered']} of {len(stalled)} stalled pages drew "
              f"within 60 s; the room's thread stacks at the stall: {STACKS}")
    for note in stalled[:5]:
        print(f"    stalled page: {note['sockets']} websocket(s), {note['sent']} frames sent, "
              f"{note['received']} received, {note['closed']} closed; shows {note['shows']!r}; chart boxes/drawings "
              f"{note['charts']}; errors {note['errors'][:3]}")
    drawn = [note for note in f["notes"] if note not in stalled]
    if stalled and drawn:
        print(f"    a page that drew: {drawn[0]['sent']} frames sent, {drawn[0]['received']} received")
    if "lost" in f:
        print(f"  ballots lost              {f['lost']} of {f['sent']} told \"your ballot is in\"   (budget 0)  "
              f"{'ok' if f['lost'] == 0 else 'OVER'}")
    if f["outside"]:
        print(f"  blocked requests to the internet: {', '.join(f['outside'][:3])}")
    return {"server_cpu_per_page_s": per_page, "first_page_estimated_s": est, "redraw_estimated_ms": redraw_est,
            "server_side": f.get("server"), "alone": f.get("alone"), "memory_gb": gb,
            "per_participant_mb": per, "first_page_s": f["first"], "redraw_ms": f["redraw"], "lost": f.get("lost"),
            "stalled": f["stalled"], "threads": f["threads"], "outside": f["outside"]}


def _loadavg():
    try:
        return Path("/proc/loadavg").read_text().split(" ")[:3]
    except OSError:
        return "unknown"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--servers", default="room,voila", help="comma-separated: room (Solara), voila")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--pages-per-browser", type=int, default=PAGES_PER_BROWSER,
                        help=f"participants' pages per headless browser process (default {PAGES_PER_BROWSER})")
    parser.add_argument("--contexts", choices=["own", "shared"], default="own",
                        help="own: a browser context per page (own cookies, as on separate devices); shared: one "
                             "context per browser")
    parser.add_argument("--stagger", type=float, default=0.0, help="seconds between two participants joining")
    parser.add_argument("--profile", action="store_true",
                        help="sample where the room's server spends its time (DPMKIT_ROOM_PROFILE) and print it")
    parser.add_argument("--profile-page", type=int, default=0, metavar="N",
                        help="profile one participant page's load in the browser N times (alone, nothing cached) "
                             "and print where its time goes; with --participants 0, only that")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="with --profile-page: also profile a room running the kit checked out in DIR (e.g. "
                             "git archive main | tar -x -C DIR), alternating, same load")
    parser.add_argument("--throttle", metavar="KBIT,MS",
                        help="with --profile-page: each profiled page's downloads limited to KBIT kbit/s with MS ms "
                             "of latency (Chrome's network emulation; the kernel connection is not throttled), e.g. "
                             "2000,40 for a participant's share of a busy room's wifi")
    parser.add_argument("--compare-redraw", type=int, default=0, metavar="N",
                        help="N slider releases on a page that redraws with the data only and on one that draws "
                             "anew (window.__dpmkitFullRedraw), alternating, in one room; with --participants 0, "
                             "only that")
    parser.add_argument("--again", action="store_true",
                        help="with --profile-page: profile a second visit instead (the same browser context opened "
                             "the page once before, so its cache holds what the room lets it keep)")
    parser.add_argument("--arrive-over", type=float, default=0.0, metavar="SECONDS",
                        help="a lecture instead: the participants join at random moments over SECONDS (each in its "
                             "own browser context), and each page sends a ballot once its chart is drawn; prints "
                             "memory, pages drawn, refused by the page limit, ballots lost, first page")
    parser.add_argument("--close-after-ballot", action="store_true",
                        help="with --arrive-over: close each page once told its ballot is in (spares this machine's "
                             "memory; the page's kernel stays on the server, disconnected)")
    parser.add_argument("--room-args", default="", help="with --arrive-over: more options for the room, e.g. "
                        "'--max-pages 300'")
    args = parser.parse_args(argv)
    reason = missing_requirements() or missing_room_requirements()
    if reason:
        print(f"SKIPPED: {reason}")
        return 0
    n = args.participants
    out = {}
    if args.compare_redraw:
        print(f"load {_loadavg()}")
        with tempfile.TemporaryDirectory() as tmp:
            times = compare_redraw(tmp, args.compare_redraw)
        report_redraw(times)
        out["redraw (data only, anew)"] = times
        print(f"load {_loadavg()}")
        if n == 0 and not args.profile_page:
            if args.json:
                args.json.write_text(json.dumps(out, indent=1))
            return 0
    if args.profile_page:
        print(f"load {_loadavg()}")
        with tempfile.TemporaryDirectory() as tmp:
            throttle = tuple(int(x) for x in args.throttle.split(",")) if args.throttle else None
            measured = measure_page(tmp, args.profile_page, args.before, args.again, throttle)
            for name, profiled in measured.items():
                report_profile(profiled, f" ({name}{', second visit' if args.again else ''})")
                out[f"page ({name})"] = profiled["runs"]
        if len(measured) == 2:
            report_pairs(*(profiled["runs"] for profiled in measured.values()))
        print(f"load {_loadavg()}")
        if n == 0:
            if args.json:
                args.json.write_text(json.dumps(out, indent=1))
            return 0
    if args.arrive_over:
        print(f"load {_loadavg()}")
        with tempfile.TemporaryDirectory() as tmp:
            figures = measure_lecture(n, tmp, args.arrive_over, args.close_after_ballot,
                                      pages_per_browser=args.pages_per_browser, room_args=args.room_args.split())
            out["lecture"] = report_lecture(figures, n)
        print(f"load {_loadavg()}")
        if args.json:
            args.json.write_text(json.dumps(out, indent=1, default=str))
        return 0
    print(f"the room with {n} participants (headless chromium on this 2-core machine; browsers share the "
          "cores with the server, so times are pessimistic and noisy)")
    options = {"pages_per_browser": args.pages_per_browser, "contexts": args.contexts, "stagger": args.stagger}
    for name in args.servers.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if name == "room":
                out["room (Solara)"] = report("room (Solara, chosen)",
                                              measure_room(n, tmp, profile=args.profile, **options), n)
            elif name == "voila":
                out["voila"] = report("Voila (one kernel per participant)", measure_voila(n, tmp, **options), n)
            else:
                parser.error(f"unknown server {name!r}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
