"""What the room changes in the browser files it serves: one line of anywidget's front end,
how the chart's files are served, and a redraw with new data only (:data:`DATA_ONLY_REDRAW_JS`).

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

Because the room's file differs from the installed one, it has a version of its own
(:func:`anywidget_version`), which the pages ask for it by (:func:`serve_anywidget_by_version`):
it is compressed once and kept by each browser, so a second page on the same device (a reload,
a second tab) does not fetch it again. The chart's own module comes by URL, by content hash
(:func:`serve_chart_module_by_url`).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

__all__ = ["ANSWERED_CLASS", "ANYWIDGET_PATH", "IMMUTABLE", "READY_SECONDS", "anywidget_file", "anywidget_js",
           "anywidget_patch_missing", "anywidget_version", "asset", "chart_module", "load_front_ends_early",
           "PRELOAD_TEMPLATE", "RECONNECT_MS", "UNANSWERED_MS", "UNANSWERED_TEXT", "serve_anywidget_by_version",
           "serve_chart_module_by_url"]

#: Cache-Control for a file whose URL names its content (a hash or a version): kept for good.
IMMUTABLE = b"public, max-age=31536000, immutable"
_JS = b"application/javascript; charset=utf-8"


def asset(body, content_type, cache, etag=None):
    """A file the room answers itself, as ``dpmkit.room.server`` sends it: {"body", "gzip" (the body
    compressed once, now), "type", "cache" (Cache-Control), "etag" (or None)}. The room's three kinds
    (the trimmed fonts and sheets, the chart module, anywidget's front end) all take this shape."""
    return {"body": body, "gzip": gzip.compress(body, 9, mtime=0), "type": content_type, "cache": cache,
            "etag": etag}

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


@functools.lru_cache(maxsize=1)
def _anywidget_asset():
    body = anywidget_js()
    return None if body is None else asset(body, _JS, b"no-cache")


@functools.lru_cache(maxsize=1)
def anywidget_version():
    """The version the room's pages ask anywidget's files by (``index.js?<version>``), or None when
    the room serves anywidget as installed: an md5 over Solara's own hash of the installed folder
    (every file in it: ``extension.js`` too) and the bytes the room serves for ``index.js``. A new
    anywidget or a new :data:`READY_SECONDS` gives a new URL, so a browser may keep the file for good."""
    body = anywidget_js()
    if body is None:
        return None
    from solara.server import server

    if not all(hasattr(server, f) for f in ("nbextension_hash", "get_nbextension_names")):
        return None  # a Solara without per-extension hashes: anywidget's file is served no-cache, as before
    original = getattr(server, "_dpmkit_original_nbextension_hash", server.nbextension_hash)
    name = _anywidget_extension()
    if name is None:
        return None
    return hashlib.md5(original(name).encode("ascii") + b"\0" + body, usedforsecurity=False).hexdigest()


def _anywidget_extension():
    from solara.server import server

    return next((name for name in server.get_nbextension_names() if name.split("/")[0] == "anywidget"), None)


def serve_anywidget_by_version():
    """Make the pages ask for anywidget's files by :func:`anywidget_version` instead of the installed
    folder's hash (Solara puts it in each page's ``nbextensionHashes``; requirejs appends it to the
    URL), so the room's changed ``index.js`` has a URL of its own and can be served for keeps, like
    every other file of the page. Solara's own ``extension.js`` answer checks the URL's version against
    the same function, so it stays immutable too. Call in the room's process only; returns the
    version, or None when anywidget is served as installed (then nothing changes)."""
    version = anywidget_version()
    if version is None:
        return None
    from solara.server import server

    if not hasattr(server, "_dpmkit_original_nbextension_hash"):
        original = server._dpmkit_original_nbextension_hash = server.nbextension_hash
        name = _anywidget_extension()

        def nbextension_hash(extension):
            return version if extension == name else original(extension)

        server.nbextension_hash = nbextension_hash
    return version


def anywidget_file(query=""):
    """The :func:`asset` the room answers :data:`ANYWIDGET_PATH` with, or None to let Solara serve the
    installed file. Compressed once; kept for good (``immutable``) when asked by
    :func:`anywidget_version`; ``no-cache`` when asked with no version and ``no-store`` when asked by
    another one, as Solara answers for its own versioned files."""
    served = _anywidget_asset()
    if served is None:
        return None
    version = anywidget_version()
    if not query or version is None:
        return served
    if query == version:
        return dict(served, cache=IMMUTABLE)
    return dict(served, cache=b"no-store")  # another version (a page from before the room was upgraded)


def anywidget_patch_missing():
    """Why the room cannot lengthen anywidget's 2 s bound, or None when it does."""
    return _patched()[1]


# ----------------------------------------------------------------------------- the chart's module, by URL
#: Served at ``/_dpmkit/<name>``: the chart widget's JavaScript (Vega, offline), by content hash.
CHART_PREFIX = "/_dpmkit/"
_CHART = {}


#: The chart's module, around Altair's ``render``: a new spec that differs from the one drawn only in
#: its named datasets (and its description), as each run of the explorer's chart does
#: (``dpmkit.charts.LiveTimeSeries``), goes to the drawn view as data, through Altair's own
#: data-update handler (``_py_to_js_updates``, namespace "data": Vega recomputes the scales and
#: axes from the data), instead of compiling Vega-Lite, parsing Vega and drawing a new view; the
#: spec Altair draws says ``autosize.resize`` (unless it says otherwise), so the layout follows
#: the new axis labels as a new drawing's would (a test compares the two drawings). Any
#: other change, or any error on the way, draws the chart anew as Altair does. A page where
#: ``window.__dpmkitFullRedraw`` is true always draws anew (for tests and the bench to compare).
DATA_ONLY_REDRAW_JS = r"""
const others = (spec) => JSON.stringify(Object.assign({}, spec, {datasets: null, description: null}));
// Vega lays a view out once unless its autosize says resize: new data may need wider axis labels.
const resizing = (spec) => {
  if (!spec || typeof spec !== 'object') return spec;
  const autosize = typeof spec.autosize === 'string' ? {type: spec.autosize} : (spec.autosize || {type: 'pad'});
  return Object.assign({}, spec, {autosize: Object.assign({resize: true}, autosize)});
};
function render({model, el}) {
  const handlers = {};
  let shown = null;  // the spec drawn last
  const watched = new Proxy(model, {get(target, key) {
    if (key === 'on') {
      return (event, callback) => {
        (handlers[event] = handlers[event] || []).push(callback);
        if (event !== 'change:spec') target.on(event, callback);
      };
    }
    if (key === 'get') return (name) => name === 'spec' ? resizing(target.get('spec')) : target.get(name);
    const value = target[key];
    return typeof value === 'function' ? value.bind(target) : value;
  }});
  const anew = async () => {
    shown = model.get('spec');
    for (const callback of handlers['change:spec'] || []) await callback();
  };
  model.on('change:spec', async () => {
    const spec = model.get('spec');
    const update = (handlers['change:_py_to_js_updates'] || []).slice(-1)[0];  // the last drawn view's
    if (!window.__dpmkitFullRedraw && update && shown && spec && spec.datasets && shown.datasets
        && others(spec) === others(shown)
        && Object.keys(spec.datasets).join() === Object.keys(shown.datasets).join()) {
      try {
        await update(Object.entries(spec.datasets).map(([name, value]) => (
          {namespace: 'data', name, scope: [], value: structuredClone(value)})));
        shown = spec;
        if (spec.description !== undefined) {
          const svg = el.querySelector('svg[aria-label], svg');
          if (svg && svg.hasAttribute('aria-label')) svg.setAttribute('aria-label', spec.description);
        }
        return;
      } catch (error) {
        console.warn('dpmkit: drawing the chart anew', error);
      }
    }
    await anew();
  });
  shown = model.get('spec');
  return mod.default.render({model: watched, el});
}
export default {render};
"""


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
    data = bundle.encode("utf-8")
    name = f"jupyterchart-{hashlib.sha256(data).hexdigest()[:16]}.js"
    # Solara puts its root path in <body data-base-url="ROOT/jupyter/">: the room may run under a prefix.
    stub = ("const base = ((document.body && document.body.dataset.baseUrl) || '/jupyter/')"
            ".replace(/jupyter\\/?$/, '');\n"
            f"const mod = await import(new URL(base + '_dpmkit/{name}', window.location.href).href);\n"
            + DATA_ONLY_REDRAW_JS)
    _CHART.update(path=CHART_PREFIX + name, asset=asset(data, _JS, IMMUTABLE), stub=stub)
    alt.JupyterChart._esm = stub
    return _CHART["path"]


def chart_module(path):
    """The :func:`asset` for the chart module's URL path, or None for any other path."""
    if not _CHART or path != _CHART["path"]:
        return None
    return _CHART["asset"]


# ----------------------------------------------------------------------------- the page's front ends, early
#: Solara's page (``index.html.j2``, which extends ``solara.html.j2``) with one script more, for a
#: participant page: once the page's own scripts have run (DOMContentLoaded) and its main thread is
#: first idle (it then waits for the room to build the page on the server), it asks requirejs for the
#: widget front ends the page's widgets will need (jupyter-vuetify, which loads jupyter-vue, and
#: anywidget, after anywidget's extension maps its name) and imports the chart's module by the URL
#: the chart's own module imports it by. Without it, Solara's widget manager asks for each front end
#: only when the first widget needing it arrives, one after another (vuetify, then vue, then anywidget,
#: then the chart module), and the 300 KB chart module is compiled only after all of them. requirejs
#: and the browser's module map load each file once, so the widgets then find them loaded. A failure
#: here changes nothing: the widgets load what they need as before.
PRELOAD_TEMPLATE = r"""{% extends "solara.html.j2" %}
{% block after_pre_rendered_html %}{{ super() }}
{%- if dpmkit_chart_module %}
<script>/* dpmkit room: the page's front ends, loaded while the room builds the page */
addEventListener('DOMContentLoaded', function () {
  if (!new URLSearchParams(location.search).has('code') || /facilitator\/?$/.test(location.pathname)) return;
  var early = function () {
    try {
      var base = ((document.body && document.body.dataset.baseUrl) || '/jupyter/').replace(/jupyter\/?$/, '');
      import(new URL(base + {{ dpmkit_chart_module | tojson }}, window.location.href).href).catch(function () {});
      requirejs(['jupyter-vuetify'], function () {}, function () {});
      requirejs([{{ (jupyter_root_path + '/nbextensions/anywidget/extension.js') | tojson }}], function () {
        requirejs(['anywidget'], function () {}, function () {});
      }, function () {});
    } catch (error) { console.warn('dpmkit: no early load', error); }
  };
  (window.requestIdleCallback || setTimeout)(early);
});
</script>
{%- endif %}
<script>/* dpmkit room: a page whose room was stopped and started again reloads itself */
(function () {
  // a note across the page's top or bottom edge, in words (the page's own notes below use it too)
  var banner = window.dpmkitBanner = function (name, text, edge) {
    var el = document.createElement('div');
    el.className = name;
    el.setAttribute('role', 'alert');
    el.style.cssText = 'position:fixed;left:0;right:0;' + edge + ':0;z-index:100000;padding:12px 16px;' +
      'background:#fff3cd;color:#4d3900;border-' + (edge === 'top' ? 'bottom' : 'top') + ':3px solid #b38600;' +
      'font:17px/1.4 Roboto,Arial,sans-serif';
    el.textContent = text;
    document.body.appendChild(el);
    return el;
  };
  var Native = window.WebSocket;
  if (!Native || !window.fetch) return;
  var lost = null, timer = null;
  var watch = function () {
    if (timer) return;
    timer = setInterval(function () {
      if (lost === null) { clearInterval(timer); timer = null; return; }  // connected again by itself
      fetch(location.href, {cache: 'no-store'}).then(function (answer) {
        if (answer.ok && lost !== null && Date.now() - lost > {{ dpmkit_reconnect_ms }}) location.reload();
      }, function () {});
    }, 2000);
  };
  var refused = null;
  var sayRefused = function () {  // the room answers its page but not this page's connection: its page limits
    fetch(location.href, {cache: 'no-store'}).then(function (answer) {
      if (!answer.ok || refused || !document.body) return;
      refused = banner('dpmkit-refused', {{ dpmkit_refused_text | tojson }}, 'top');
    }, function () {});
  };
  var Watched = function (url, protocols) {
    var socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (/\/channels(\?|$)/.test(String(url))) {
      var opened = false;  // a connection the room refused never opened: no reload for it, but words
      socket.addEventListener('open', function () {
        opened = true; lost = null;
        if (refused) { refused.remove(); refused = null; }
      });
      socket.addEventListener('close', function () {
        if (opened && lost === null) { lost = Date.now(); watch(); }
        if (!opened) sayRefused();
      });
    }
    return socket;
  };
  Watched.prototype = Native.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { Watched[k] = Native[k]; });
  window.WebSocket = Watched;
})();
</script>
<script>/* dpmkit room: a send the room has not answered says so (the wifi or the laptop is down) */
(function () {
  var pressed = 0, before = '', note = null, timer = null;
  // The page's answer to its own sends: the hidden element(s) of class ANSWERED_CLASS, whose text
  // the room changes with every answer (sent, or not sent and why). Other participants' updates,
  // which keep arriving while this page's send waits, leave it as it is.
  var answer = function () {
    var found = '';
    document.querySelectorAll({{ ('.' + dpmkit_answered_class) | tojson }}).forEach(function (el) {
      found += (el.textContent || '') + ' ';
    });
    return found.trim();
  };
  var answered = function () { var now = answer(); return now !== '' && now !== before; };
  var stale = function () { return document.querySelectorAll('.game-decision .room-ok, .room-ballot .room-ok'); };
  var clear = function () {
    if (timer) { clearInterval(timer); timer = null; }
    if (note) { note.remove(); note = null; stale().forEach(function (old) { old.style.display = ''; }); }
  };
  var show = function () {
    if (note || !document.body) return;
    note = window.dpmkitBanner('dpmkit-unanswered', {{ dpmkit_unanswered_text | tojson }}, 'bottom');
    stale().forEach(function (old) { old.style.display = 'none'; });  // the last send's "sent", not this one's
    timer = setInterval(function () { if (answered()) clear(); }, 250);
  };
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!target || !target.closest || !target.closest('.game-send, .room-send')) return;
    var at = pressed = Date.now();
    if (!note) before = answer();  // a second press while the note shows waits for the same answer
    setTimeout(function () { if (pressed === at && !answered()) show(); }, {{ dpmkit_unanswered_ms }});
  }, true);
})();
</script>
{% endblock %}
"""

#: How long a page waits for the room to answer a press of its send button before it says that the
#: room has not answered (a send is answered in well under a second on a working network).
UNANSWERED_MS = 5000

#: The class of the hidden element a participant page keeps (``dpmkit.room.pages.use_answered``), whose
#: text the room changes with every answer to the page's send: the unanswered note goes only when it
#: changes, not on other participants' updates, which keep arriving while this page's send waits.
ANSWERED_CLASS = "dpmkit-answered"

#: What the page says then, until the room answers. A wifi that drops for a while, or a laptop that
#: sleeps, keeps the page's connection open: what was pressed reaches the room when it is back.
UNANSWERED_TEXT = ("No answer from the room yet: your wifi or the facilitator's laptop may be down. Keep this page "
                   "open: this note goes when the room answers. Then check that the page shows your decision or "
                   "ballot as sent (\u2713), and send again if it does not.")

#: What a page says when the room refused its connection (the page itself was served, so the room is
#: up): the room's page limits (``dpmkit.room.limits``) were reached, in all or for this device. The
#: room's console says which; a student reaching the room through a hub cannot see it.
REFUSED_TEXT = ("This page could not join the room: the room already has as many pages open as it allows. Close "
                "any other page of the room you have open, wait a minute and reload this page. If it still cannot "
                "join, tell the facilitator: the room's limit of open pages may be too low for this class.")

#: How long a page whose connection dropped waits, once the room answers again, for Solara to
#: connect it again by itself before it reloads (a room started again: Solara's page stays on
#: "Server disconnected" for good; the page reloaded finds everything in the room's folder).
RECONNECT_MS = 4000


def load_front_ends_early(chart=True):
    """Serve Solara's page with :data:`PRELOAD_TEMPLATE`: participant pages load their widget front
    ends and the chart's module while the room builds the page (``chart``: the explorer's pages; the
    game's have no live chart), and every page whose room was stopped and started again reloads
    itself (:data:`RECONNECT_MS`). Call in the room's process only, after
    :func:`serve_chart_module_by_url`; returns the chart module's path named in the page, or None
    when there is none (no chart module by URL, or ``chart`` false)."""
    from solara.server import server

    if not hasattr(server, "get_jinja_env"):
        return None
    module = _CHART["path"].removeprefix("/") if chart and _CHART else None
    if getattr(server.get_jinja_env, "_dpmkit_chart_module", "") == module:
        return module
    import jinja2

    original = getattr(server.get_jinja_env, "_dpmkit_original", server.get_jinja_env)

    def get_jinja_env(app_name):
        env = original(app_name=app_name)  # Solara's, made once per app
        if "dpmkit_chart_module" not in env.globals:
            env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({"index.html.j2": PRELOAD_TEMPLATE}), env.loader])
        env.globals["dpmkit_chart_module"] = module
        env.globals["dpmkit_reconnect_ms"] = RECONNECT_MS
        env.globals["dpmkit_unanswered_ms"] = UNANSWERED_MS
        env.globals["dpmkit_unanswered_text"] = UNANSWERED_TEXT
        env.globals["dpmkit_refused_text"] = REFUSED_TEXT
        env.globals["dpmkit_answered_class"] = ANSWERED_CLASS
        return env

    get_jinja_env._dpmkit_original = original
    get_jinja_env._dpmkit_chart_module = module
    server.get_jinja_env = get_jinja_env
    return module
