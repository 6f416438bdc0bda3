"""Drive a real JupyterLab in headless Debian chromium: shared by the browser test and
``bench/bench_widgets.py``.

Recipe (research notes, stack-notes §3): JupyterLab on 127.0.0.1 with ``--allow-root``
when root, no token, ``window.jupyterapp`` exposed; chromium is Debian's
``/usr/bin/chromium`` driven by Python playwright (``playwright install`` cannot
download browsers here). Every wait is bounded, and the server's whole process group
(kernels included) is killed on the way out.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
ARTIFACTS = ROOT / "tests" / "artifacts"

#: Paths of the drawn lines of the explorer's chart, in both render modes.
LINES_JS = """() => [...document.querySelectorAll('.dpmkit-chart g.mark-line path')].map(p => p.getAttribute('d'))"""


def missing_requirements():
    """A reason the browser test cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return (f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; "
                ".ci/run does this in CI)")
    try:
        import playwright.sync_api  # noqa: F401
    except ModuleNotFoundError:
        return "the Python package playwright is missing: pip install -e '.[test]'"
    if shutil.which("jupyter-lab") is None and not (Path(sys.executable).parent / "jupyter-lab").exists():
        try:
            import jupyterlab  # noqa: F401
        except ModuleNotFoundError:
            return "JupyterLab is missing: pip install -e '.[lab]'"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def explorer_notebook(path, render="interactive", outputs=("waiting_list",)):
    """Write the small notebook the browser runs: build an explorer and show it."""
    source = (
        "import dpmkit as dk\n"
        f"explorer = dk.widgets.explore('demo', outputs={list(outputs)!r}, render={render!r})\n"
        "explorer"
    )
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# Explorer in a real browser"]},
            {"cell_type": "code", "execution_count": None, "id": "explore", "metadata": {}, "outputs": [],
             "source": [source]},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    Path(path).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return Path(path)


def _kill_group(proc):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextmanager
def jupyter_lab(root_dir, *, startup_timeout=60, hard_limit=300):
    """Start JupyterLab serving ``root_dir``; yield its base URL; always stop it.

    The server gets its own process group (it and its kernels are stopped together),
    private settings and workspaces (so nothing from this machine's JupyterLab leaks
    in), and a watchdog that stops it after ``hard_limit`` seconds whatever happens.
    """
    root_dir = Path(root_dir)
    port = free_port()
    private = root_dir.parent / f".jupyter-{port}"
    for sub in ("config", "runtime", "settings", "workspaces"):
        (private / sub).mkdir(parents=True, exist_ok=True)
    # No "would you like news?" toast over the page.
    news = private / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}', encoding="utf-8")
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "JUPYTER_CONFIG_DIR": str(private / "config"),
        "JUPYTER_RUNTIME_DIR": str(private / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(private / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(private / "workspaces"),
    })
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--IdentityProvider.token=", "--ServerApp.password=", "--LabApp.expose_app_in_browser=True",
           f"--ServerApp.root_dir={root_dir}", "--ServerApp.port_retries=0",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(private / "server.log", "wb")  # noqa: SIM115 - handed to the server subprocess, must stay open
    proc = subprocess.Popen(cmd, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    watchdog = threading.Timer(hard_limit, _kill_group, args=(proc,))
    watchdog.daemon = True
    watchdog.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {proc.returncode}:\n"
                                   + (private / "server.log").read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"JupyterLab did not answer within {startup_timeout} s")
            time.sleep(0.2)
        yield url
    finally:
        watchdog.cancel()
        _kill_group(proc)
        log.close()


@contextmanager
def chromium_page(*, timeout_ms=30_000, width=1400, height=1000):
    """A headless Debian-chromium page (playwright), closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(timeout_ms)
            yield page
        finally:
            browser.close()


def wait_until(page, js, *, timeout=60, every=0.2, what="condition"):
    """Poll ``js`` (a function expression) in the page until it returns a truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(js)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


KERNEL_STATUS_JS = """() => {
    const app = window.jupyterapp;
    if (!app) return null;
    const w = app.shell.currentWidget;
    const s = w && w.sessionContext && w.sessionContext.session;
    return s && s.kernel ? s.kernel.status : null;
}"""


def open_and_run(page, url, notebook, *, timeout=120):
    """Open ``notebook`` in JupyterLab, wait for an idle kernel, run all cells, wait for the chart."""
    page.goto(f"{url}/lab/tree/{notebook}")
    wait_until(page, KERNEL_STATUS_JS.replace("return s && s.kernel ? s.kernel.status : null;",
                                              "return s && s.kernel && s.kernel.status === 'idle';"),
               timeout=timeout, what="an idle kernel")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wait_until(page, f"() => ({LINES_JS})().length >= 1", timeout=timeout, what="the explorer's chart")
    wait_until(page, KERNEL_STATUS_JS.replace("return s && s.kernel ? s.kernel.status : null;",
                                              "return s && s.kernel && s.kernel.status === 'idle';"),
               timeout=timeout, what="the kernel to finish")


WATCH_JS = """() => {
    // Time from the pointer's release to the first frame in which the chart's lines differ.
    const lines = () => JSON.stringify([...document.querySelectorAll('.dpmkit-chart g.mark-line path')]
        .map(p => p.getAttribute('d')));
    const count = () => document.querySelectorAll('.dpmkit-chart g.mark-line path').length;
    const before = lines();
    const n = count();
    window.__dpmkit = {release: null, redrawn: null};
    document.addEventListener('pointerup', () => { window.__dpmkit.release = performance.now(); },
                              {capture: true, once: true});
    const target = document.querySelector('.dpmkit-chart');
    const observer = new MutationObserver(() => {
        if (window.__dpmkit.release !== null && count() >= n && lines() !== before) {
            window.__dpmkit.redrawn = performance.now();
            observer.disconnect();
        }
    });
    observer.observe(target, {subtree: true, childList: true, attributes: true, characterData: true});
    return n;
}"""


def drag_first_slider(page, fraction):
    """Drag the first slider's handle to ``fraction`` of its track with the mouse and release it.

    Returns the number the slider's readout shows afterwards.
    """
    handle = page.locator(".dpmkit-explorer .widget-slider .noUi-handle").first
    track = page.locator(".dpmkit-explorer .widget-slider .noUi-target").first
    hb, tb = handle.bounding_box(), track.bounding_box()
    page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    x = tb["x"] + fraction * tb["width"]
    page.mouse.move(x, hb["y"] + hb["height"] / 2, steps=8)
    page.mouse.up()
    return float(page.locator(".dpmkit-explorer .widget-slider .widget-readout").first.inner_text())


def redraw_ms(page, timeout=20):
    """Milliseconds from the release recorded by :data:`WATCH_JS` to the redrawn chart."""
    t = wait_until(page, "() => window.__dpmkit && window.__dpmkit.redrawn !== null && window.__dpmkit",
                   timeout=timeout, every=0.02, what="the chart to redraw")
    return t["redrawn"] - t["release"]
