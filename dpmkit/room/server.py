"""Serving the room: Solara's own ASGI app behind a small guard, run by uvicorn.

Solara (one process, one light "virtual kernel" per browser page) serves the pages
built in :mod:`dpmkit.room.pages`. Solara's kernels only take widget messages
(``comm_open``, ``comm_msg``, ``comm_close``, ``kernel_info_request``,
``comm_info_request``); an ``execute_request`` is logged as unsupported and never
run (``tests/test_room_security.py`` sends one and checks). The guard in front of it
adds what a room needs:

- only the routes the pages use are served: the pages, their static files, the
  page's own kernel connection and its close call;
- a new page (a new kernel) is let in only within the room's page limits, per device, in all
  and per minute (:class:`dpmkit.room.limits.PageLimits`), closing a device's longest
  disconnected pages first to make room; everything else, including
  Solara's kernel-information route and any Jupyter-server API path
  (contents, kernels, sessions, terminals), answers 404;
- ``/facilitator`` answers 403 without the facilitator's secret (the page checks it
  again inside its kernel);
- no request leaves the laptop: Solara's CDN proxy is served only from the files
  installed by ``solara-assets`` (offline), and its telemetry is switched off;
- the icon fonts and their style sheets are served with only the icons the pages can show,
  and Solara's style sheet without KaTeX's math fonts (see :mod:`dpmkit.room.fonts`);
- anywidget's front end is served with one bound lengthened, so a chart whose module is
  slow to load in a busy browser is drawn late instead of never, compressed once and, asked
  by its own version, kept by the browser for good (see :mod:`dpmkit.room.frontend`);
- a participant page asks for its widget front ends and the chart's module as soon as its own
  scripts have run, while the room builds the page, rather than one after another as its
  widgets arrive (:func:`dpmkit.room.frontend.load_front_ends_early`; not for the game's pages).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qs

from . import fonts, frontend
from .limits import PageLimits, device_of

__all__ = ["configure_solara", "guarded_app", "missing_assets", "send_asset", "serve", "warm_up"]

_ALLOWED = re.compile(
    r"/\Z|/facilitator\Z|/static/|/_solara/cdn/|/jupyter/nbextensions/|/readyz\Z"
    r"|/_solara/api/close/[A-Za-z0-9-]+\Z|/favicon\.ico\Z")
_KERNEL_WS = re.compile(r"/jupyter/api/kernels/[A-Za-z0-9-]+/channels\Z")
# The Vue 2 front end whose files solara-assets ships (the Vue 3 one it does not have yet).
_FRONT_END = "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js"


#: Set to a file path: the room appends one JSON line per page event there (see :class:`Trace`).
TRACE_ENV = "DPMKIT_ROOM_TRACE"
#: Set to a file path: the room runs under cProfile and writes its statistics there when stopped.
PROFILE_ENV = "DPMKIT_ROOM_PROFILE"
_RUN = re.compile(r'"method":\s*"run"')
_FINISHED = re.compile(r'"method":\s*"finished"')
_UPDATE = re.compile(r'"method":\s*"update"')


class Trace:
    """Server-side timings of each page, for ``bench/bench_room.py`` (off unless
    ``DPMKIT_ROOM_TRACE`` names a file). One JSON line per event, ``t`` from ``time.monotonic()``:

    - ``html``: the page's HTML request answered (``start``, ``t``);
    - ``run``: the page's kernel connection asked Solara to run the app;
    - ``finished``: Solara sent the page's widgets (the page is built on the server);
    - ``sent``: the last message of the page's initial burst (every message sent until the
      first lever change; the bench takes the last one before it reads);
    - ``value``: a lever change arrived; ``spec``: a new chart spec was sent (a redraw).
    """

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.ids = itertools.count(1)

    def write(self, **event):
        line = json.dumps(event) + "\n"
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(line)

    def websocket(self, app):
        async def traced(scope, receive, send):
            ws = next(self.ids)
            state = {"changed": False}

            async def receive_traced():
                message = await receive()
                text = message.get("text") or ""
                if text:
                    if _RUN.search(text):
                        self.write(ws=ws, event="run", t=time.monotonic())
                    elif _UPDATE.search(text) and '"value"' in text:
                        state["changed"] = True
                        self.write(ws=ws, event="value", t=time.monotonic())
                return message

            async def send_traced(message):
                await send(message)
                text = message.get("text") or ""
                if not text and isinstance(message.get("bytes"), (bytes, bytearray)):
                    text = message["bytes"][:200_000].decode("utf-8", "replace")
                if text:
                    now = time.monotonic()
                    if _FINISHED.search(text):
                        self.write(ws=ws, event="finished", t=now)
                    if state["changed"]:
                        if _UPDATE.search(text) and '"spec"' in text:
                            self.write(ws=ws, event="spec", t=now)
                    else:
                        self.write(ws=ws, event="sent", t=now, size=len(text))

            return await app(scope, receive_traced, send_traced)

        return traced


def configure_solara(app_module="dpmkit.room.pages"):
    """Set Solara's settings through its environment variables; call before importing Solara."""
    os.environ["SOLARA_APP"] = app_module
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"  # no phoning home from the room
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "2h")


def missing_assets():
    """Why the front end cannot be served offline, or None when it can."""
    from solara.server import settings

    path = settings.assets.proxy_cache_dir / _FRONT_END
    if path.exists():
        return None
    return (f"Solara's browser files are not installed ({path} is missing). Install the room extra: "
            'pip install "dpmkit[room]" (it brings solara-assets, with ipyvue and ipyvuetify below 2).')


def _query(scope):
    return parse_qs(scope.get("query_string", b"").decode("latin-1"))


async def send_asset(scope, send, served):
    """Answer a GET with one of the files the room serves itself (a :func:`dpmkit.room.frontend.asset`:
    the trimmed fonts and sheets, the chart module, anywidget's front end): 304 when the browser's
    ``If-None-Match`` is the file's ETag, else the body, gzipped when the browser accepts gzip."""
    headers = {k.lower(): v for k, v in scope.get("headers", [])}
    etag = served.get("etag")
    common = [(b"cache-control", served["cache"]), (b"vary", b"Accept-Encoding")]
    if etag is not None:
        common.append((b"etag", etag))
        if headers.get(b"if-none-match", b"").strip() == etag:
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
    zipped = b"gzip" in headers.get(b"accept-encoding", b"")
    body = served["gzip"] if zipped else served["body"]
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", served["type"]), (b"content-length", str(len(body)).encode()),
                            *common, *([(b"content-encoding", b"gzip")] if zipped else [])]})
    await send({"type": "http.response.body", "body": body})


def _installed_cdn_file(rel):
    """Whether Solara's CDN proxy has ``rel`` among the files ``solara-assets`` installed. Solara
    fetches any other from the internet (jsdelivr) and stores it, from the facilitator's laptop:
    in the room the guard answers 404 instead, so no participant can make the laptop go online."""
    from solara.server import settings

    base = Path(settings.assets.proxy_cache_dir).resolve()
    stored = rel if "/" in rel.replace("\\", "/") else f"{rel}/__main.js"  # Solara's own layout
    try:
        target = (base / stored).resolve()
    except (OSError, ValueError, RuntimeError):
        return False
    return target.is_relative_to(base) and target.is_file()


def _close_kernels(kernel_ids):
    """Close Solara's kernels ``kernel_ids`` (pages the limits chose to make room), each in a thread
    as Solara closes its own: a close takes the kernel's lock and tears its widgets down."""
    from solara.server import kernel_context

    for kernel_id in kernel_ids:
        context = kernel_context.contexts.get(kernel_id)
        if context is not None:
            threading.Thread(target=context.close, kwargs={"reason": "evicted"}, daemon=True,
                             name="dpmkit-room-close-page").start()


def _live_kernels():
    from solara.server import kernel_context

    return kernel_context.contexts.copy().keys()  # dict.copy is one step under the GIL


def guarded_app(app, room, base_url="", limits=None, behind_proxy=False):
    """Wrap Solara's ASGI ``app`` so only the room's routes answer (see the module's docstring).

    ``limits``: the :class:`~dpmkit.room.limits.PageLimits` new pages must fit in (default: its
    defaults). ``behind_proxy``: tell devices by the address a proxy on this machine adds
    (:func:`~dpmkit.room.limits.device_of`).

    ``base_url`` (e.g. ``/services/dpmkit-room/``) serves the room under that path, as behind
    JupyterHub's proxy, which passes the full path on: it is taken off before the checks and
    handed to Solara as the root path, so its pages link to their files under it.
    """
    prefix = "/" + base_url.strip("/") if base_url.strip("/") else ""
    trace = Trace(os.environ[TRACE_ENV]) if os.environ.get(TRACE_ENV) else None
    kernel_app = trace.websocket(app) if trace else app
    limits = limits if limits is not None else PageLimits()

    async def kernel_connection(scope, receive, send, path):
        kernel_id = path.rsplit("/", 2)[-2]
        device = device_of(scope, behind_proxy)
        admission = limits.admit(kernel_id, device, _live_kernels())
        if not admission.allowed:
            if limits.should_warn(admission.kind):
                print(f"warning: refused a new page: {admission.reason}. Each device may keep "
                      f"{limits.per_device} pages and the room {limits.total} "
                      "(--max-pages-per-device, --max-pages).", flush=True)
            await send({"type": "websocket.close", "code": 1008})
            return None
        _close_kernels(admission.to_close)
        limits.opened(kernel_id, device)
        try:
            return await kernel_app(scope, receive, send)
        finally:
            limits.closed(kernel_id)

    async def send_plain(send, status, text):
        body = text.encode("utf-8")
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})

    async def guard(scope, receive, send):
        kind = scope["type"]
        if kind == "lifespan":
            return await app(scope, receive, send)
        path = scope.get("path", "")
        # -- room behind a prefix (issue 12, JupyterHub route) --
        if prefix:
            if path != prefix and not path.startswith(prefix + "/"):
                if kind == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return None
                return await send_plain(send, 404, "<h1>Not found</h1>")
            # Starlette wants the full path and the prefix as root_path; the checks below see the rest.
            scope = dict(scope, root_path=prefix)
            path = path[len(prefix):] or "/"
        # -- end: room behind a prefix --
        if kind == "websocket":
            if _KERNEL_WS.match(path):
                return await kernel_connection(scope, receive, send, path)
            await send({"type": "websocket.close", "code": 1008})
            return None
        if path.startswith(frontend.CHART_PREFIX) and scope.get("method") == "GET":
            served = frontend.chart_module(path)
            if served is not None:
                return await send_asset(scope, send, served)
        if not _ALLOWED.match(path):
            return await send_plain(send, 404, "<h1>Not found</h1>")
        if path.startswith(fonts.CDN) and scope.get("method") == "GET":
            served = fonts.files().get(path)
            if served is not None:
                return await send_asset(scope, send, served)
        if path.startswith(fonts.CDN) and not _installed_cdn_file(path[len(fonts.CDN):]):
            return await send_plain(send, 404, "<h1>Not found</h1>")
        if path == frontend.ANYWIDGET_PATH and scope.get("method") == "GET":
            served = frontend.anywidget_file(scope.get("query_string", b"").decode("latin-1"))
            if served is not None:
                return await send_asset(scope, send, served)
        if path == "/facilitator" and not room.secret_ok((_query(scope).get("secret") or [""])[0]):
            return await send_plain(send, 403, "<h1>This page is for the facilitator</h1>"
                                               "<p>Open the Facilitator link printed when the room started.</p>")
        if path == "/" and scope.get("method") == "GET" and "code" in _query(scope):
            start = time.monotonic()
            result = await app(scope, receive, send)
            if trace is not None:
                trace.write(event="html", start=start, t=time.monotonic())
            return result
        return await app(scope, receive, send)

    return guard


def warm_up(model):
    """Pay the one-off costs before the first participant arrives: Altair's schema, the offline
    chart bundle (about 1.4 s), a first run."""
    from .. import charts
    from ..simulate import simulate

    problem = fonts.build()  # the icon fonts cut down to the pages' icons (about 0.3 s)
    if problem:
        print(f"warning: {problem}", flush=True)
    charts.offline("interactive")  # the chart widget's offline bundle, from the kit's cache when it has it
    frontend.serve_chart_module_by_url()
    frontend.serve_anywidget_by_version()
    frontend.anywidget_file()  # compressed once, now
    charts.time_series(simulate(model)).to_dict()


# The widget front ends a participant's page loads through requirejs (not named in its HTML).
_WIDGET_FILES = ("jupyter/nbextensions/jupyter-vuetify/nodeps.js", "jupyter/nbextensions/jupyter-vue/nodeps.js",
                 "jupyter/nbextensions/anywidget/extension.js")
_ASSET = re.compile(r'(?:src|href)="([^"]+\.(?:js|css)(?:\?[^"]*)?)"')


def prewarm_files(base, code):
    """Ask the room for its own participant page and the files that page loads, as a browser
    would (gzip accepted), so Solara compresses each file once before the first participant
    arrives rather than while thirty are waiting. Returns how many files it fetched."""
    import gzip
    import urllib.parse
    import urllib.request

    def get(url):
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            body = answer.read()
            return gzip.decompress(body) if answer.headers.get("Content-Encoding") == "gzip" else body

    page = get(f"{base}/?code={urllib.parse.quote(code)}").decode("utf-8", "replace")
    fetched = 0
    for link in [*dict.fromkeys(_ASSET.findall(page)), *_WIDGET_FILES]:
        if link.startswith(("http://", "https://", "//")):
            continue
        try:
            get(urllib.parse.urljoin(base + "/", link))
            fetched += 1
        except OSError:
            pass
    return fetched


def serve(room, *, host, port, ready=None, base_url="", limits=None, behind_proxy=False, on_server=None):
    """Run the room until interrupted (Ctrl+C); ``base_url``, ``limits`` and ``behind_proxy`` as in
    :func:`guarded_app`. ``on_server`` is called with the uvicorn server before it starts (to stop
    it from a page: the facilitator's "Change the room")."""
    playing = getattr(room, "game", None) is not None  # the game (issue 13) serves its own pages
    from . import pages

    if playing:
        from . import game_pages
    # Solara's server reads SOLARA_APP once, when it is first imported (the anywidget check
    # below imports it), and importing the page modules sets it: so choose the app here.
    configure_solara("dpmkit.room.game_pages" if playing else "dpmkit.room.pages")
    warm_up(room.model)
    problem = frontend.anywidget_patch_missing()
    if problem:
        print(f"warning: {problem}", flush=True)

    frontend.load_front_ends_early(chart=not playing)  # the game's pages have no live chart
    pages.ROOM = room
    if playing:
        game_pages.ROOM = room
        game_pages.warm_up()
    import uvicorn
    from solara.server.starlette import app

    # The room is served over plain http on the room's own network, on purpose, and its pages
    # are never shown inside another site's frame: the "lax" session cookie Solara falls back
    # to is exactly the one the room wants. Solara warns about that fallback in 13 lines about
    # https and iframes, the first thing a facilitator would read on starting the room.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https",
                            category=UserWarning, module=r"solara\.server\.starlette")

    config = uvicorn.Config(guarded_app(app, room, base_url, limits, behind_proxy), host=host, port=port,
                            log_level="warning", ws_max_size=4 * 1024 * 1024, lifespan="on")
    server = uvicorn.Server(config)
    original = server.startup
    local = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    base = f"http://{'[' + local + ']' if ':' in local else local}:{port}" + (
        "/" + base_url.strip("/") if base_url.strip("/") else "")

    def warm_then_ready():
        try:
            prewarm_files(base, room.state.code)
        except Exception as err:  # a failed warm-up only makes the first pages slower
            print(f"warning: could not pre-load the participants' page files ({err})", flush=True)
        if ready is not None:
            ready()

    async def startup(*args, **kwargs):
        await original(*args, **kwargs)
        threading.Thread(target=warm_then_ready, name="dpmkit-room-prewarm", daemon=True).start()

    server.startup = startup
    if on_server is not None:
        on_server(server)
    sampler = None
    if os.environ.get(PROFILE_ENV):
        from .profiling import Sampler

        sampler = Sampler(os.environ[PROFILE_ENV]).start()
    try:
        server.run()
    finally:
        if sampler is not None:
            sampler.write()
