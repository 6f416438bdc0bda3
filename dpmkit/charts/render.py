"""Showing and saving charts offline: SVG drawn in the kernel by vl-convert, or
``alt.JupyterChart`` with its JavaScript bundled; PNG and SVG files for handouts."""

from __future__ import annotations

import html
from pathlib import Path

from ..errors import ModelError
from ._style import alt


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
        alt.renderers.enable("svg")
    elif mode == "interactive":
        alt.JupyterChart.enable_offline()
        alt.renderers.enable("jupyter", offline=True)
    else:
        raise ModelError(f"offline mode must be 'svg' or 'interactive', got {mode!r}")


# The default renderer fetches vega from a CDN and fails in a room without wifi.
# Respect a renderer the user chose; replace only the default.
if alt.renderers.active == "default":
    offline("svg")


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
    alt.JupyterChart.enable_offline()
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

    display(interactive(chart))


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
    """SVG text from a Vega-Lite dict, rendered offline by vl-convert."""
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
