"""The JupyterHub route (workshops/jupyterhub_config.py): the config loads with JupyterHub's
own loader and starts the room as a hub service; where configurable-http-proxy is available
(node), a real hub is started on 127.0.0.1 and a participant joins the room through the hub's
proxy in Chromium and sends a ballot that lands in the shared folder.

jupyterhub is in the ``hub`` extra, not in ``test``: without it, or without
configurable-http-proxy, these tests skip and say so loudly."""

from __future__ import annotations

import io
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from room_session import ROOT, free_port, missing_room_requirements, offline

import dpmkit as dk

CONFIG = ROOT / "workshops" / "jupyterhub_config.py"
try:
    import jupyterhub  # noqa: F401

    NO_HUB = None
except ModuleNotFoundError:
    NO_HUB = 'jupyterhub is not installed (`make hub-check` adds it and runs this file)'
NO_HUB = NO_HUB or missing_room_requirements()
if NO_HUB:
    print(f"\n*** JUPYTERHUB ROUTE NOT CHECKED: {NO_HUB} ***\n", file=sys.stderr)
needs_hub = pytest.mark.skipif(NO_HUB is not None, reason=f"JUPYTERHUB ROUTE NOT CHECKED: {NO_HUB}")


def proxy_command():
    """configurable-http-proxy (node): on PATH, or where DPMKIT_TEST_CHP points."""
    found = os.environ.get("DPMKIT_TEST_CHP") or shutil.which("configurable-http-proxy")
    return found if found and Path(found).exists() else None


def hub_env(tmp_path, **extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update({"DPMKIT_HUB_BALLOTS": str(tmp_path / "ballots"), "DPMKIT_HUB_ROOM_CODE": "TEAL7", **extra})
    return env


@contextmanager
def running_hub(tmp_path, hub_port, public_url, *args, context=None):
    """A real JupyterHub on 127.0.0.1:``hub_port`` with ``workshops/jupyterhub_config.py`` (and
    ``args`` on its command line), its proxy node's configurable-http-proxy; yields once the room's
    participant page answers through it (``context``: the ssl context to ask with), then stops it."""
    room_port, api_port, hub_api = free_port(), free_port(), free_port()
    env = hub_env(tmp_path, DPMKIT_HUB_PORT=str(hub_port), DPMKIT_HUB_ROOM_PORT=str(room_port),
                  DPMKIT_HUB_PUBLIC_URL=public_url)
    run = tmp_path / "hub"
    run.mkdir()
    cmd = [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG), "--ip=127.0.0.1",
           f"--JupyterHub.hub_port={hub_api}", f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}",
           f"--ConfigurableHTTPProxy.command={proxy_command()}", "--JupyterHub.db_url=sqlite:///hub.sqlite",
           "--JupyterHub.cookie_secret_file=cookie_secret", *args]
    log = open(run / "hub.log", "wb")  # noqa: SIM115 - closed below
    hub = subprocess.Popen(cmd, cwd=run, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        participant = f"{public_url}/services/dpmkit-room/?code=TEAL7"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(participant, timeout=5, context=context) as answer:
                    if answer.status == 200:
                        break
            except (OSError, urllib.error.HTTPError):
                pass
            if hub.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the hub did not serve the room:\n" + (run / "hub.log").read_text()[-4000:])
            time.sleep(1)
        yield env, run
    finally:
        try:
            os.killpg(hub.pid, signal.SIGTERM)
            hub.wait(timeout=30)
        except ProcessLookupError:  # it had stopped: the log above says why
            hub.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
            hub.wait(timeout=30)
        log.close()


@needs_hub
def test_the_config_loads_with_jupyterhubs_loader_and_runs_the_room_as_a_service(tmp_path, monkeypatch):
    from jupyterhub.app import JupyterHub

    for key, value in hub_env(tmp_path, DPMKIT_HUB_ROOM_PORT="8871",
                              DPMKIT_HUB_PUBLIC_URL="https://hub.example.ac.uk").items():
        monkeypatch.setenv(key, value)
    app = JupyterHub()
    app.load_config_file(str(CONFIG))
    (service,) = app.services
    assert service["name"] == "dpmkit-room" and service["url"] == "http://127.0.0.1:8871"
    command = service["command"]
    assert command[:3] == [sys.executable, "-m", "dpmkit.room"]
    assert command[command.index("--folder") + 1] == str(tmp_path / "ballots")
    assert command[command.index("--base-url") + 1] == "/services/dpmkit-room/"
    assert "--behind-proxy" in command  # each student's device told by the address the proxy adds
    assert app.config.Spawner.environment == {"DPMKIT_BALLOTS": str(tmp_path / "ballots")}
    # the service's command is a command line the room accepts
    out = subprocess.run([*command, "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env=hub_env(tmp_path))
    assert out.returncode == 0 and "--base-url" in out.stdout


@needs_hub
def test_the_config_sets_the_rooms_tables_game_and_page_limit_from_the_environment(tmp_path, monkeypatch):
    """The two-hour seminar on a hub plays targets_vs_learning with eight groups; a course of 200
    needs more than the room's 200 pages; on TLJH the room runs with the users' Python."""
    from jupyterhub.app import JupyterHub

    for key, value in hub_env(tmp_path, DPMKIT_HUB_TABLES="8", DPMKIT_HUB_GAME="targets_vs_learning",
                              DPMKIT_HUB_CONTEXT="routine_work", DPMKIT_HUB_MAX_PAGES="300",
                              DPMKIT_HUB_PYTHON="/opt/tljh/user/bin/python").items():
        monkeypatch.setenv(key, value)
    app = JupyterHub()
    app.load_config_file(str(CONFIG))
    command = app.services[0]["command"]
    # The Littlest JupyterHub: the kit is in the users' environment, not in the hub's own Python
    assert command[:3] == ["/opt/tljh/user/bin/python", "-m", "dpmkit.room"]
    for option, value in (("--tables", "8"), ("--game", "targets_vs_learning"), ("--context", "routine_work"),
                          ("--max-pages", "300")):
        assert command[command.index(option) + 1] == value
    from dpmkit.room.cli import parser

    args = parser().parse_args(command[3:])  # a command line the room accepts
    assert (args.game, args.context, args.max_pages) == ("targets_vs_learning", "routine_work", 300)


@needs_hub
def test_setup_mds_tljh_file_loads_with_jupyterhubs_loader_and_runs_the_room_with_the_users_python(tmp_path):
    """workshops/setup.md's file for TLJH's jupyterhub_config.d: JupyterHub loads it, and its service is
    a command line the room accepts, run by TLJH's users' Python (the hub's own lacks the kit)."""
    from jupyterhub.app import JupyterHub

    from dpmkit.room.cli import parser

    text = (ROOT / "workshops" / "setup.md").read_text(encoding="utf-8")
    start = text.index("# /opt/tljh/config/jupyterhub_config.d/dpmkit.py")
    snippet = text[start:text.index("```", start)]
    (tmp_path / "dpmkit.py").write_text("c = get_config()  # noqa\n" + snippet, encoding="utf-8")
    app = JupyterHub()
    app.load_config_file(str(tmp_path / "dpmkit.py"))
    (service,) = app.services
    assert service["name"] == "dpmkit-room" and service["url"] == "http://127.0.0.1:8866"
    command = service["command"]
    assert command[:3] == ["/opt/tljh/user/bin/python", "-m", "dpmkit.room"]
    args = parser().parse_args(command[3:])
    assert (args.port, args.base_url, args.behind_proxy, args.public_url, args.max_pages) == (
        8866, "/services/dpmkit-room/", True, "https://hub.example.ac.uk", 300)
    # added to what TLJH's own configuration gives every user's server
    assert app.config.Spawner.environment.get_value({"TLJH": "1"}) == {
        "TLJH": "1", "DPMKIT_BALLOTS": "/srv/workshop/ballots"}


@needs_hub
@pytest.mark.skipif(proxy_command() is None, reason="JUPYTERHUB NOT STARTED: configurable-http-proxy (node) not "
                    "found; `make hub-check` installs it and runs this file (or npm install configurable-http-proxy "
                    "and put it on PATH or in DPMKIT_TEST_CHP)")
def test_a_real_hub_serves_the_room_and_the_ballot_lands_in_the_shared_folder(tmp_path):
    from browser.lab_session import CHROMIUM, CHROMIUM_ARGS, missing_requirements
    from playwright.sync_api import sync_playwright

    if missing_requirements():
        pytest.skip(f"JUPYTERHUB BROWSER CHECK SKIPPED: {missing_requirements()}")
    hub_port = free_port()
    base = f"http://127.0.0.1:{hub_port}"
    with running_hub(tmp_path, hub_port, base) as (env, run):
        participant = f"{base}/services/dpmkit-room/?code=TEAL7"
        text = (run / "hub.log").read_text()
        assert f"Participants: {participant}" in text  # the room printed the hub's address
        facilitator = next(line.split("Facilitator: ", 1)[1].strip() for line in text.splitlines()
                           if "Facilitator: " in line)
        assert facilitator.startswith(f"{base}/services/dpmkit-room/facilitator?secret=")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/services/dpmkit-room/facilitator", timeout=10)
        assert refused.value.code == 403
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/services/dpmkit-room/jupyter/api/contents", timeout=10)
        assert missing.value.code == 404

        outside = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                ctx = browser.new_context(viewport={"width": 1200, "height": 900})
                offline(ctx, outside)
                page = ctx.new_page()
                page.set_default_timeout(90_000)
                page.goto(f"{base}/services/dpmkit-room/")
                page.locator(".room-code input").fill("teal7")
                page.locator(".room-join-button").click()
                page.wait_for_selector(".dpmkit-chart g.mark-line path")
                assert page.url.startswith(f"{base}/services/dpmkit-room?code=TEAL7&v=")  # still under the hub
                page.locator(".room-table").click()
                page.locator(".v-menu__content .v-list-item", has_text="Table 2").first.click()
                page.locator(".room-name input").fill("Hub student")
                page.locator(".room-send").click()
                page.wait_for_selector(".room-ok")
                page.reload()  # the address the page shows is one the hub serves
                page.wait_for_selector(".room-ballot")
                # a student in their own JupyterLab on the hub: the form in the shared folder that
                # DPMKIT_BALLOTS names offers the room's tables and sends the room's round
                form = dk.widgets.ballot_widget("demo", env["DPMKIT_HUB_BALLOTS"])
                assert list(form.tables) == [f"Table {k}" for k in range(1, 7)]
                form.table_field.value = "Table 5"
                form.participant_field.value = "Notebook student"
                form.submit()
                dashboard = ctx.new_page()
                dashboard.set_default_timeout(90_000)
                dashboard.goto(facilitator)
                dashboard.wait_for_function(
                    "document.querySelector('.room-count')?.innerText.startsWith('2 ballots from 2 of 6')")
                assert "Notebook student" in dashboard.locator(".room-status").inner_text()
            finally:
                browser.close()
        assert outside == []
    found = dk.workshop.collect(tmp_path / "ballots", model="demo")
    assert sorted((b.participant, b.table, b.round) for b in found.ballots) == [
        ("Hub student", "Table 2", "1"), ("Notebook student", "Table 5", "1")]


def self_signed_certificate(folder):
    """A certificate for 127.0.0.1 and its key, made with openssl in ``folder`` (valid one day)."""
    cert, key = folder / "hub.crt", folder / "hub.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@needs_hub
@pytest.mark.skipif(proxy_command() is None or shutil.which("openssl") is None,
                    reason="HTTPS NOT CHECKED: configurable-http-proxy (node) or openssl not found; `make hub-check` "
                    "installs the proxy and runs this file")
def test_over_https_the_hub_prints_https_links_and_a_student_joins_draws_and_votes_over_wss(tmp_path):
    """A university's hub terminates HTTPS (JupyterHub's ssl_cert/ssl_key, here a self-signed
    certificate made for the test): the room's printed link and QR code are https://, and a student
    who opens that link in Chromium gets the page, its chart and the ballot form with every
    connection encrypted (the kernel's websocket wss://, nothing fetched over plain http), and their
    ballot lands in the shared folder."""
    import segno
    from browser.lab_session import CHROMIUM, CHROMIUM_ARGS, missing_requirements
    from playwright.sync_api import sync_playwright

    from dpmkit.workshop.store import QR_FILE

    if missing_requirements():
        pytest.skip(f"HTTPS BROWSER CHECK SKIPPED: {missing_requirements()}")
    cert, key = self_signed_certificate(tmp_path)
    hub_port = free_port()
    base = f"https://127.0.0.1:{hub_port}"
    trusted = ssl.create_default_context(cafile=str(cert))
    with running_hub(tmp_path, hub_port, base, f"--JupyterHub.ssl_cert={cert}", f"--JupyterHub.ssl_key={key}",
                     context=trusted):
        participant = f"{base}/services/dpmkit-room/?code=TEAL7"
        text = (tmp_path / "hub" / "hub.log").read_text()
        assert f"Participants: {participant}" in text
        assert f"Facilitator: {base}/services/dpmkit-room/facilitator?secret=" in text
        # the QR code for the projector is the https link (the same picture segno draws for it)
        qr = (tmp_path / "ballots" / QR_FILE).read_bytes()
        expected = io.BytesIO()
        segno.make(participant, error="m").save(expected, kind="png", scale=10, border=3)
        assert qr == expected.getvalue()
        with pytest.raises(OSError):  # plain http on the hub's port is not served
            urllib.request.urlopen(participant.replace("https://", "http://"), timeout=10)

        outside, sockets, insecure = [], [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                ctx = browser.new_context(viewport={"width": 1200, "height": 900}, ignore_https_errors=True)
                offline(ctx, outside)
                ctx.on("request", lambda r: insecure.append(r.url) if r.url.startswith(("http:", "ws:")) else None)
                page = ctx.new_page()
                page.set_default_timeout(90_000)
                page.on("websocket", lambda ws: sockets.append(ws.url))
                page.on("console", lambda m: insecure.append(m.text) if "Mixed Content" in m.text else None)
                page.goto(participant)
                page.wait_for_selector(".dpmkit-chart g.mark-line path")
                assert page.url.startswith(f"{base}/services/dpmkit-room")
                page.locator(".room-table").click()
                page.locator(".v-menu__content .v-list-item", has_text="Table 3").first.click()
                page.locator(".room-name input").fill("Secure student")
                page.locator(".room-send").click()
                page.wait_for_selector(".room-ok")
            finally:
                browser.close()
        assert outside == [] and insecure == []
        assert sockets and all(url.startswith(f"wss://127.0.0.1:{hub_port}/services/dpmkit-room/")
                               for url in sockets), sockets
    found = dk.workshop.collect(tmp_path / "ballots", model="demo")
    assert [(b.participant, b.table) for b in found.ballots] == [("Secure student", "Table 3")]


@pytest.mark.skipif(proxy_command() is None or missing_room_requirements() is not None,
                    reason="PROXY NOT CHECKED: configurable-http-proxy (node) not found, or the room cannot start; "
                    "`make hub-check` installs it and runs this file")
def test_through_the_hubs_own_proxy_each_student_is_held_to_the_per_device_limit(tmp_path):
    """JupyterHub's proxy (configurable-http-proxy, real, node) in front of a room started as the
    hub config starts it (--behind-proxy): pages from one student's address are held to the
    per-device limit, another student still joins, and a page that bypasses the proxy (a process
    on the hub machine reaching the room's port) is not taken for the laptop."""
    from room_session import room
    from test_room_limits import Page
    from widget_tree import wait_for

    proxy_port, api_port = free_port(), free_port()
    with room(tmp_path / "ballots", "--code", "PROXY", "--max-pages-per-device", "2", "--behind-proxy") as running:
        env = dict(os.environ, CONFIGPROXY_AUTH_TOKEN="test-token")
        proxy = subprocess.Popen([proxy_command(), "--ip", "127.0.0.1", "--port", str(proxy_port), "--api-ip",
                                  "127.0.0.1", "--api-port", str(api_port), "--default-target",
                                  f"http://127.0.0.1:{running.port}"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        try:
            through = type("Through", (), {"port": proxy_port})()  # pages reach the room through the proxy

            def proxy_up():
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{proxy_port}/?code=PROXY", timeout=5) as answer:
                        return answer.status == 200
                except OSError:
                    return False

            wait_for(proxy_up, 60, "the proxy to pass the room's page on")
            first, second = Page(through, "127.0.0.2"), Page(through, "127.0.0.2")
            assert first.connect() == "kernel" and second.connect() == "kernel"
            assert Page(through, "127.0.0.2").connect() == "refused"  # a third page of that student, all open
            wait_for(lambda: any("refused a new page: 127.0.0.2 already has 2 pages open" in line
                                 for line in running.lines), 30, "the refusal, naming the student's address")
            other = Page(through, "127.0.0.3")
            assert other.connect() == "kernel"  # another student is not held back
            # straight to the room's port from the hub machine: one device, not the exempt laptop
            direct = [Page(running, "127.0.0.1") for _ in range(3)]
            assert [page.connect() for page in direct[:2]] == ["kernel", "kernel"]
            assert direct[2].connect() == "refused"
            for page in (first, second, other, *direct[:2]):
                page.leave()
        finally:
            os.killpg(proxy.pid, signal.SIGTERM)
            proxy.wait(timeout=30)
