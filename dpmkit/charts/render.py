"""Showing and saving charts offline: SVG drawn in the kernel by vl-convert, or
``alt.JupyterChart`` with its JavaScript bundled; PNG and SVG files for handouts."""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
import sys
import time
from pathlib import Path

from .._files import atomic_write, user_cache_dir
from ..errors import ModelError
from . import _pictures
from ._drawer import Helper
from ._progress import WIDGET_VIEW, _shell, display_first, output, progress
from ._style import _unchanged_since_built, alt


def offline(mode="svg"):
    """Choose how charts display in this kernel: ``"svg"`` (static) or ``"interactive"``.

    Both work without internet. ``"svg"`` renders with vl-convert in the kernel and
    gives small, identical outputs on every run (good for notebooks under test).
    ``"interactive"`` uses ``alt.JupyterChart`` with its JavaScript bundled from
    vl-convert (about 1.4 s once per kernel, then tooltips and zoom work).

    Examples
    --------
    >>> import dpmkit as dk
    >>> dk.charts.offline("svg")
    """
    if mode == "svg":
        _use_svg_renderer()
    elif mode == "interactive":
        _enable_offline_widgets()
        alt.renderers.enable("jupyter", offline=True)
    else:
        raise ModelError(f"offline mode must be 'svg' or 'interactive', got {mode!r}")


def in_jupyter_kernel():
    """True in a Jupyter kernel (JupyterLab, nbclient, Voila), False in Solara's virtual kernels
    (the room builds pages from widgets directly) and in plain Python."""
    if "ipykernel" not in sys.modules:  # a kernel has imported it long before any cell runs
        return False
    from ipykernel.zmqshell import ZMQInteractiveShell
    from IPython import get_ipython

    return isinstance(get_ipython(), ZMQInteractiveShell)


#: What the learner reads while the first chart of a kernel is drawn.
FIRST_DRAWING = "Drawing the chart… (the first chart of a session takes a moment)"


def _first_drawing(where="here"):
    """A progress note around the first drawing with vl-convert in this process (``"here"``)
    or by this kernel's helper process (``"helper"``), else nothing.

    The first call starts vl-convert's JavaScript engine: about 1 s of CPU (3-6 s on a
    loaded machine), holding Python's GIL all along, so it cannot be hidden on a
    background thread (the kernel would freeze just as long, only earlier). A kernel
    with a core to spare starts the engine in a helper process as the chart tools load
    instead (:mod:`dpmkit.charts._drawer`); what remains of its start is said the same
    way. Later drawings take about 0.1 s and say nothing.
    """
    if where in _first_drawing.done:
        return contextlib.nullcontext()
    _first_drawing.done.add(where)
    return _said_first(FIRST_DRAWING, pause=0.05 if where == "here" else 0)


@contextlib.contextmanager
def _said_first(text, pause):
    """:func:`progress`, pausing ``pause`` seconds once the note is shown: vl-convert holds
    the GIL while its engine starts, and without the pause the kernel's IOPub thread could
    send the note only once the drawing was done (the explorer's note arrived with its
    picture, 1 s late)."""
    with progress(text):
        if pause:
            time.sleep(pause)
        yield


_first_drawing.done = set()


def _svg_renderer_with_note(spec, **metadata):
    """Altair's own ``svg`` renderer, with the progress note on the kernel's first chart.

    Without options (embed options, a locale, VegaFusion), which is how the kit enables it,
    it draws what Altair's would (the same vl-convert call) through :func:`vl_convert_svg`,
    so a kernel's helper process draws it."""
    if metadata or alt.renderers.options.get("embed_options") or alt.data_transformers.active == "vegafusion":
        with _first_drawing("here"):
            return _svg_renderer_with_note.altair(spec, **metadata)
    return {"image/svg+xml": vl_convert_svg(spec)}


def _use_svg_renderer():
    plugin = getattr(alt.renderers, "_plugins", {}).get("svg")
    if plugin is not None and plugin is not _svg_renderer_with_note:
        _svg_renderer_with_note.altair = plugin
        alt.renderers.register("svg", _svg_renderer_with_note)
    alt.renderers.enable("svg")
    if not _first_drawing.done:
        display_first(alt.TopLevelMixin)


# The default renderer fetches vega from a CDN and fails in a room without wifi.
# Respect a renderer the user chose; replace only the default.
if alt.renderers.active == "default":
    offline("svg")


def _mimebundle(chart):
    """IPython's printer of Altair charts in this kernel: what Altair's ``_repr_mimebundle_``
    shows, except that a chart as a kit builder returned it (``_style._checked``: its specs
    are validated against the Vega-Lite schema in the tests) is written with
    ``to_dict(validate=False)``. Altair's own display validates the whole spec first: about
    0.1 s on the first chart of a kernel (0.3-0.5 s on a loaded machine), later ~0.05 s a
    chart. Any other chart, or a kit chart changed since, goes through Altair unchanged."""
    if not _unchanged_since_built(chart):
        return chart._repr_mimebundle_()
    try:
        spec = chart.to_dict(validate=False, context={"pre_transform": False})
    except Exception:
        return chart._repr_mimebundle_()  # Altair says what is wrong, as it would have
    renderer = alt.renderers.get()
    return renderer(spec) if renderer else None


def _use_kit_printer():
    """Register :func:`_mimebundle` for Altair charts in this IPython shell (if any)."""
    shell = _shell()
    if shell is None:
        return
    with contextlib.suppress(Exception):  # an unusual shell: Altair displays its charts itself
        shell.display_formatter.mimebundle_formatter.for_type(alt.TopLevelMixin, _mimebundle)


_use_kit_printer()


def cache_dir():
    """Where the kit keeps files it can rebuild (the offline chart bundle, pictures drawn before):
    ``DPMKIT_CACHE_DIR``, else the platform's user cache folder (``%LOCALAPPDATA%\\dpmkit\\cache``,
    ``~/Library/Caches/dpmkit``, ``$XDG_CACHE_HOME/dpmkit`` or ``~/.cache/dpmkit``)."""
    return user_cache_dir()


def _bundle_path():
    """The cache file for vl-convert's offline JavaScript bundle of ``alt.JupyterChart``,
    named by a hash of the Altair and vl-convert versions and the widget's source."""
    import vl_convert
    from altair.jupyter.jupyter_chart import load_js_src

    key = f"{alt.__version__}|{vl_convert.__version__}|{_vl_version()}|{load_js_src()}"
    return cache_dir() / f"jupyterchart-{hashlib.sha256(key.encode()).hexdigest()[:20]}.js"


def _enable_offline_widgets():
    """``alt.JupyterChart.enable_offline()``, with its bundle kept on disk.

    vl-convert bundles Vega for the chart widget in about 1.4 s (4 s on a loaded
    machine) in every new kernel; the bundle depends only on the versions installed,
    so the first kernel writes it to :func:`cache_dir` and later kernels read it.
    """
    cls = alt.JupyterChart
    if cls._is_offline:
        return
    try:
        path = _bundle_path()
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        path, text = None, ""
    if text:
        cls._esm = text
        cls._is_offline = True
        return
    with progress("Preparing interactive charts to work offline (once per computer, a few seconds)…"):
        cls.enable_offline()
    if path is not None:
        with contextlib.suppress(OSError):  # a read-only home: bundle again in the next kernel
            _save_bundle(path.parent, path.name, cls._esm)


#: The only names the chart cache writes (see :func:`_bundle_path`).
_BUNDLE_NAMES = re.compile(r"jupyterchart-[0-9a-f]{20}\.js")


def _save_bundle(folder, name, text):
    """Keep the offline bundle as ``folder/name`` (the :func:`cache_dir`), written atomically by
    the kit's one writer, so a second kernel starting meanwhile reads all of it or none of it."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return atomic_write(folder, name, text.encode("utf-8"), names=_BUNDLE_NAMES,
                        what="the offline chart bundle", temp_prefix=".jupyterchart-", mode=0o644)


def interactive_spec(spec, *, embed_options=None):
    """An interactive chart widget (``alt.JupyterChart``) for a ready Vega-Lite dict.

    Skips building and validating an Altair chart (the widgets' specs come from
    templates validated once); set the widget's ``.spec`` to redraw.
    """
    _enable_offline_widgets()
    widget = alt.JupyterChart(None, embed_options=embed_options)
    widget.spec = spec
    return widget


def interactive(chart, *, embed_options=None):
    """An interactive chart widget (``alt.JupyterChart``) that works offline.

    Offline mode is switched on once per kernel before the first widget is made.
    Update the returned widget's ``.chart`` to redraw it.

    Examples
    --------
    >>> import dpmkit as dk
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> widget = dk.charts.interactive(dk.charts.time_series(r, ["staff"]))
    """
    _enable_offline_widgets()
    return alt.JupyterChart(chart, embed_options=embed_options)


def show(chart):
    """Display ``chart`` interactively (tooltips, zoom) without needing internet.

    Examples
    --------
    >>> import dpmkit as dk
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> dk.charts.show(dk.charts.time_series(r, ["staff"]))  # doctest: +SKIP
    """
    from IPython.display import display

    widget = interactive(chart)
    display(widget)
    if in_jupyter_kernel():
        # The interactive chart is a widget: without a kernel (exported HTML, a website,
        # print) it shows nothing, so the cell also keeps the chart as a picture,
        # which a live JupyterLab hides (see static_beside_widget).
        output(static_beside_widget(to_svg(chart), _description_of(chart)))


def static_beside_widget(svg, text="", title=""):
    """The mime bundle of a static picture shown beside a live widget.

    ``text/html`` (the SVG with the text as its caption), ``image/svg+xml`` and
    ``text/plain``, plus the widget view mime type with an empty ``model_id``:
    ipywidgets' own mark of "nothing to show here". A live JupyterLab ranks the
    widget view first and hides this output (the widget beside it is the live view);
    nbconvert skips widget views without saved state and GitHub-style renderers do not
    know them, so they show the picture; printouts too.
    """
    heading = f"<div style='font-weight:bold;font-size:14px'>{html.escape(title)}</div>" if title else ""
    caption = "".join(f"<p style='font-size:14px;max-width:640px;margin:4px 0'>{html.escape(line)}</p>"
                      for line in str(text or "").split("\n") if line.strip())
    data = {"text/html": f"<figure class='dpmkit-static' style='margin:4px 0'>{heading}{svg or ''}"
                         f"<figcaption>{caption}</figcaption></figure>",
            "text/plain": "\n".join(part for part in (title, text) if part) or "(a chart)"}
    if svg:
        data["image/svg+xml"] = svg
    data[WIDGET_VIEW] = {"version_major": 2, "version_minor": 0, "model_id": ""}
    return data


def _vl_version():
    """The Vega-Lite version Altair writes, in vl-convert's spelling (e.g. 'v6_4')."""
    return "_".join(alt.SCHEMA_VERSION.split(".")[:2])


def _with_description(svg, description):
    """Embed a chart's plain-text summary as the SVG's ``<desc>`` and ``aria-label``."""
    if description and svg.startswith("<svg"):
        end = svg.index(">")
        text = html.escape(description, quote=True)
        svg = f'{svg[:end]} role="img" aria-label="{text}"><desc>{text}</desc>{svg[end + 1:]}'
    return svg


def vl_convert_svg(spec):
    """SVG text from a Vega-Lite dict, rendered offline by vl-convert (by the kernel's helper
    process when one runs: see :mod:`dpmkit.charts._drawer`).

    In a Jupyter kernel, a chart drawn before on this computer (the same dict, data included,
    and the same vl-convert) is read back from the user cache folder instead, byte for byte,
    without starting vl-convert's engine: see :mod:`dpmkit.charts._pictures`."""
    if not in_jupyter_kernel():
        return _draw(spec)
    folder = cache_dir() / "pictures"
    if not _pictures.usable(folder):
        return _draw(spec)
    name = _pictures.name_for(spec, _vl_version())
    svg = _pictures.read(folder, name)
    if svg is None:
        svg = _draw(spec)
        _pictures.keep(folder, name, svg)
    return svg


def _draw(spec):
    if Helper.proc is not None:
        with _first_drawing("helper"):
            svg = Helper.draw(spec, _vl_version())
        if svg is not None:
            return svg
    # no helper (or it failed): the engine in this process, with its own note the first time
    with _first_drawing("here"):
        import vl_convert

        return vl_convert.vegalite_to_svg(spec, vl_version=_vl_version())


def spec_to_svg(spec):
    """SVG from a ready Vega-Lite dict (skips Altair's validation: for widgets)."""
    return _with_description(vl_convert_svg(spec), spec.get("description"))


def to_svg(chart):
    """The chart as SVG text, rendered offline by vl-convert.

    The chart's description (its plain-text summary) is embedded as the SVG's
    ``<desc>`` and ``aria-label`` so that screen readers announce it.

    Examples
    --------
    >>> import dpmkit as dk
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> dk.charts.to_svg(dk.charts.time_series(r, ["staff"])).startswith("<svg")
    True
    """
    # Altair's own save() validates the whole spec against the Vega-Lite schema first,
    # which costs about 0.3 s a chart; the kit's builders are validated in the tests, so
    # render the dict directly (nbval runs every notebook chart through here).
    spec = chart.to_dict(validate=False)
    svg = vl_convert_svg(spec)
    return _with_description(svg, _description_of(chart))


def static(chart):
    """Display ``chart`` as a static SVG image (no JavaScript, works offline).

    Returns an ``IPython.display.SVG`` object, so a cell ending with
    ``dk.charts.static(chart)`` shows the picture.
    """
    from IPython.display import SVG

    return SVG(data=to_svg(chart))


def save(chart, path, *, scale=2):
    """Save ``chart`` as a PNG or SVG file for handouts (rendered offline).

    Parameters
    ----------
    chart : altair chart
    path : str or Path
        Ending in ``.png`` or ``.svg``.
    scale : float
        PNG resolution multiplier (2 prints crisply on A4).

    Returns
    -------
    Path

    Examples
    --------
    >>> import dpmkit as dk, tempfile, pathlib
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "staff.png"
    >>> dk.charts.save(dk.charts.time_series(r, ["staff"]), out).exists()
    True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(to_svg(chart), encoding="utf-8")
    elif suffix == ".png":
        if not (isinstance(scale, (int, float)) and not isinstance(scale, bool) and 0 < scale <= 10):
            raise ModelError(f"scale must be a number between 0 and 10, got {scale!r}")
        chart.save(str(path), format="png", scale_factor=float(scale))
    else:
        raise ModelError(f"save charts as .png or .svg, not {path.name!r}")
    return path


def _description_of(chart):
    value = getattr(chart, "description", alt.Undefined)
    return "" if value is alt.Undefined or value is None else str(value)
