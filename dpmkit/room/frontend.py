"""What the room changes in the browser files it serves: one line of anywidget's front end.

The stalled pages (issue 12): with many participants joining at once, some pages showed
the levers but never drew the chart, although the room had sent everything. The cause is
in anywidget's front end (0.11, ``nbextensions/anywidget/index.js``), which the explorer's
chart (``alt.JupyterChart``) runs on. When a chart's model is created in the page, anywidget
starts importing the chart's JavaScript module (Vega, about 0.9 MB, offline) and gives it
**2 seconds**: if the import has not finished by then, the model's ``ready`` promise is
rejected for good, and every later message to that model is dropped (its handler awaits
``ready``). The chart's spec and its ``dpmkit-chart`` class arrive as such messages right
after the model is created, so the page keeps an empty chart, and later redraws are lost
too. On an idle laptop the import takes a fraction of a second; on a busy page, a slow
phone, or with thirty browsers sharing two cores it takes longer. Confirmed in a real
browser: pages whose ``AbortSignal.timeout(2000)`` was lengthened never stalled (0 of 12
against 1-5 of 12-16 in the same conditions); one page slowed 20x (CPU throttling) stalls
every time without the change and draws with it (``tests/test_room_browser.py``).

The room serves that one file with the 2 s bound raised to :data:`READY_SECONDS`: the
messages wait for the module instead of being dropped. A genuinely broken module is still
reported by anywidget's own error path. If an upgraded anywidget no longer has that line,
the file is served as installed and :func:`anywidget_patch_missing` says why (the room
prints it at start, and ``tests/test_room.py`` fails on it).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

__all__ = ["ANYWIDGET_PATH", "PRELOAD_ENV", "READY_SECONDS", "anywidget_js", "anywidget_patch_missing",
           "chart_module", "early_hints", "serve_chart_module_by_url", "with_early_hints"]

#: The URL path (under the room's root) of anywidget's front end, as Solara serves it.
ANYWIDGET_PATH = "/jupyter/nbextensions/anywidget/index.js"
#: How long a chart's messages wait for its JavaScript module in the browser (anywidget: 2 s).
READY_SECONDS = 600
_BOUND = "AbortSignal.timeout(2e3)"


def _installed_file():
    """anywidget's front end as Solara would serve it (the first nbextensions folder holding it)."""
    from solara.server import server

    for directory in server.nbextensions_directories:
        path = Path(directory) / "anywidget" / "index.js"
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=1)
def _patched():
    path = _installed_file()
    if path is None:
        return None, "anywidget's front end (nbextensions/anywidget/index.js) is not installed"
    text = path.read_text(encoding="utf-8")
    if text.count(_BOUND) != 1:
        return None, (f"{path} has no single {_BOUND!r} (anywidget was upgraded?): served as installed, so "
                      "charts may stay empty on slow or busy browsers")
    return text.replace(_BOUND, f"AbortSignal.timeout({READY_SECONDS * 1000})").encode("utf-8"), None


def anywidget_js():
    """The bytes the room serves for :data:`ANYWIDGET_PATH`, or None to serve the installed file."""
    return _patched()[0]


def anywidget_patch_missing():
    """Why the room cannot lengthen anywidget's 2 s bound, or None when it does."""
    return _patched()[1]


# ----------------------------------------------------------------------------- the chart's module, by URL
#: Served at ``/_dpmkit/<name>``: the chart widget's JavaScript (Vega, offline), by content hash.
CHART_PREFIX = "/_dpmkit/"
_CHART = {}


def serve_chart_module_by_url():
    """Send each page a small module that imports the chart's JavaScript from the room by URL,
    instead of the whole bundle (about 0.9 MB) inside every page's first message.

    ``alt.JupyterChart`` offline carries Vega in its ``_esm`` trait, so Solara sends (and
    compresses, per page) 0.9 MB to every participant, and every page compiles it again. With
    this, a device fetches the bundle once over HTTP and keeps it (the URL carries its hash and
    is served as immutable); the room compresses it once. Call in the room's process only,
    after the offline bundle is loaded; returns the URL path.
    """
    import altair as alt

    bundle = alt.JupyterChart._esm
    if _CHART and bundle == _CHART["stub"]:
        return _CHART["path"]
    import gzip
    import hashlib

    data = bundle.encode("utf-8")
    name = f"jupyterchart-{hashlib.sha256(data).hexdigest()[:16]}.js"
    # Solara puts its root path in <body data-base-url="ROOT/jupyter/">: the room may run under a prefix.
    stub = ("const base = ((document.body && document.body.dataset.baseUrl) || '/jupyter/')"
            ".replace(/jupyter\\/?$/, '');\n"
            f"const mod = await import(new URL(base + '_dpmkit/{name}', window.location.href).href);\n"
            "export default mod.default;\n")
    _CHART.update(path=CHART_PREFIX + name, body=data, gzip=gzip.compress(data, 9), stub=stub)
    alt.JupyterChart._esm = stub
    return _CHART["path"]


def chart_module(path, accept_encoding=""):
    """(body, gzipped) for the chart module's URL path, or None for any other path."""
    if not _CHART or path != _CHART["path"]:
        return None
    if "gzip" in accept_encoding:
        return _CHART["gzip"], True
    return _CHART["body"], False


# ----------------------------------------------------------------------------- early-load hints
#: Set to ``1`` (all hints) or ``scripts`` (the widget front ends only): the room adds
#: :func:`early_hints` to its participant pages. Off by default: on this 2-core machine, shared and
#: loaded, the hints cut the page's idle time (1.4 s -> 0.85 s) but not clearly its time to the
#: chart (median change -1.4, -1.2, 0.0 and +0.5 s in four alternating runs), and one hinted page
#: in about thirty drew no chart (anywidget's module failed to load), unexplained; see the bench's
#: ``--profile-page --compare``.
PRELOAD_ENV = "DPMKIT_ROOM_PRELOAD"
_HASHES = re.compile(r"nbextensionHashes\s*=\s*(\{[^}]*\})")
# The widget front ends a participant page loads through requirejs only once the page's widgets
# arrive (jupyter-vuetify, then jupyter-vue it depends on, then anywidget for the chart): each
# folder's files carry that folder's extension hash (Solara's requirejs urlArgs).
_LATE_FILES = (("jupyter-vuetify", "nodeps.js"), ("jupyter-vue", "nodeps.js"), ("anywidget", "index.js"))


def early_hints(html, root="", chart=True):
    """``<link>`` tags that start fetching, while the page's own scripts still run, the files a
    participant page otherwise asks for one after another only once its widgets arrive: the
    widget front ends (requirejs) and the chart's module (compiled off the main thread). Only
    files the room serves itself, by the exact URLs the page will use; low priority, so they do
    not slow the page's own scripts and styles. ``b""`` if the page names no extension hashes."""
    found = _HASHES.search(html.decode("utf-8", "replace"))
    if found is None:
        return b""
    try:
        hashes = json.loads(found.group(1))
    except ValueError:
        return b""
    tags = []
    for folder, name in _LATE_FILES:
        digest = next((v for k, v in hashes.items() if k.split("/")[0] == folder), None)
        if isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{8,64}", digest):
            tags.append(f'<link rel="preload" as="script" fetchpriority="low" '
                        f'href="{root}/jupyter/nbextensions/{folder}/{name}?{digest}">')
    if chart and _CHART:
        tags.append(f'<link rel="modulepreload" fetchpriority="low" href="{root}{_CHART["path"]}">')
    return "\n".join(tags).encode("utf-8")


def with_early_hints(html, root="", chart=True):
    """The page's HTML with :func:`early_hints` placed before ``</head>`` (unchanged without one)."""
    tags = early_hints(html, root, chart)
    at = html.find(b"</head>")
    if not tags or at < 0:
        return html
    return html[:at] + tags + b"\n" + html[at:]
