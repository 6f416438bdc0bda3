"""Serving the room: Solara's own ASGI app behind a small guard, run by uvicorn.

Solara (one process, one light "virtual kernel" per browser page) serves the pages
built in :mod:`dpmkit.room.pages`. Solara's kernels only take widget messages
(``comm_open``, ``comm_msg``, ``comm_close``, ``kernel_info_request``,
``comm_info_request``); an ``execute_request`` is logged as unsupported and never
run (``tests/test_room_security.py`` sends one and checks). The guard in front of it
adds what a room needs:

- only the routes the pages use are served: the pages, their static files, the
  page's own kernel connection and its close call; everything else, including
  Solara's kernel-information route and any Jupyter-server API path
  (contents, kernels, sessions, terminals), answers 404;
- ``/facilitator`` answers 403 without the facilitator's secret (the page checks it
  again inside its kernel);
- no request leaves the laptop: Solara's CDN proxy is served only from the files
  installed by ``solara-assets`` (offline), and its telemetry is switched off.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs

__all__ = ["configure_solara", "guarded_app", "missing_assets", "serve", "warm_up"]

_ALLOWED = re.compile(
    r"/\Z|/facilitator\Z|/static/|/_solara/cdn/|/jupyter/nbextensions/|/readyz\Z"
    r"|/_solara/api/close/[A-Za-z0-9-]+\Z|/favicon\.ico\Z")
_KERNEL_WS = re.compile(r"/jupyter/api/kernels/[A-Za-z0-9-]+/channels\Z")
# The Vue 2 front end whose files solara-assets ships (the Vue 3 one it does not have yet).
_FRONT_END = "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js"


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


def guarded_app(app, room, base_url=""):
    """Wrap Solara's ASGI ``app`` so only the room's routes answer (see the module's docstring).

    ``base_url`` (e.g. ``/services/dpmkit-room/``) serves the room under that path, as behind
    JupyterHub's proxy, which passes the full path on: it is taken off before the checks and
    handed to Solara as the root path, so its pages link to their files under it.
    """
    prefix = "/" + base_url.strip("/") if base_url.strip("/") else ""

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
                return await app(scope, receive, send)
            await send({"type": "websocket.close", "code": 1008})
            return None
        if not _ALLOWED.match(path):
            return await send_plain(send, 404, "<h1>Not found</h1>")
        if path == "/facilitator" and not room.secret_ok((_query(scope).get("secret") or [""])[0]):
            return await send_plain(send, 403, "<h1>This page is for the facilitator</h1>"
                                               "<p>Open the Facilitator link printed when the room started.</p>")
        return await app(scope, receive, send)

    return guard


def warm_up(model):
    """Pay the one-off costs before the first participant arrives: Altair's schema, the offline
    chart bundle (about 1.4 s), a first run."""
    import altair as alt

    from .. import charts
    from ..simulate import simulate

    alt.JupyterChart.enable_offline()
    charts.time_series(simulate(model)).to_dict()


def serve(room, *, host, port, ready=None, base_url=""):
    """Run the room until interrupted (Ctrl+C); ``base_url`` as in :func:`guarded_app`."""
    configure_solara()
    from . import pages

    warm_up(room.model)

    pages.ROOM = room
    # -- the game (issue 13): a room started with --game serves the game's pages instead
    if getattr(room, "game", None) is not None:
        from . import game_pages

        game_pages.ROOM = room
        game_pages.warm_up()
        configure_solara("dpmkit.room.game_pages")
    # -- end of the game's part
    import uvicorn
    from solara.server.starlette import app

    config = uvicorn.Config(guarded_app(app, room, base_url), host=host, port=port, log_level="warning",
                            ws_max_size=4 * 1024 * 1024, lifespan="on")
    server = uvicorn.Server(config)
    if ready is not None:
        original = server.startup

        async def startup(*args, **kwargs):
            await original(*args, **kwargs)
            ready()

        server.startup = startup
    server.run()
