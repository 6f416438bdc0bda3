"""Charts of results, built with Altair from the kit's tidy tables.

Every builder takes what the kit already produces — a :class:`~dpmkit.Result`, the
tidy table of scenario comparisons (``scenario, time, variable, value``), an
ensemble summary, an analysis table — and returns an Altair chart whose axes carry
the declared labels and units. Each time-series chart also carries a plain-text
summary of what it shows (``chart.description``, the same text as
:func:`describe`), for screen readers and for learners who would rather read.

Design choices, so that charts work in a workshop room:

- **Offline.** Importing this module switches Altair from its default renderer
  (which loads JavaScript from a CDN and shows "Error loading script" without
  internet) to the static ``svg`` renderer, unless you chose a renderer yourself.
  :func:`show` displays an *interactive* chart through ``alt.JupyterChart`` in
  offline mode; :func:`static` displays SVG; :func:`save` writes PNG or SVG for
  handouts. The ``mimetype`` renderer is never used (with altair 6 and JupyterLab
  4 it shows nothing and breaks ``nbconvert --execute``). In a Jupyter kernel on a
  computer with a core to spare, vl-convert runs in a helper process started as this
  module loads, so that its engine starts while Altair loads (``_drawer``).
- **Colour-blind safe.** The Okabe–Ito palette, and never colour alone: series
  differ by dash pattern as well, points by shape.
- **Projector legible.** Large fonts and thick lines, set on each axis and legend
  (not as chart-level config, so charts can still be layered and concatenated).

The package's modules, by responsibility: ``render`` (showing and saving offline),
``describe`` (plain-text summaries), ``timeseries`` (runs, scenarios, the live chart
of the widgets), ``ensemble`` (fan charts), ``regimes`` (the regime plane),
``sensitivity`` (tornado), ``tradeoffs`` (frontier), ``calibration``, ``ballots``
(a workshop's ballots); ``_style`` holds the shared look (palette, fonts, axes).
Numbers, times and labels are written by :mod:`dpmkit.words`.

Examples
--------
>>> import dpmkit as dk
>>> result = dk.simulate(dk.models.load("demo"), {"staff_target": 14})
>>> chart = dk.charts.time_series(result, ["waiting_list", "staff"])
>>> chart.description.startswith("Waiting list")
True
"""

from __future__ import annotations

from ._drawer import start_in_kernel as _start_drawer
from ._progress import progress as _progress

#: What the learner reads while the chart tools load, once per session.
_LOADING = "Loading the chart tools… (once per session)"

# In a kernel with a core to spare, vl-convert's engine starts in a helper process now, on
# the other core, while Altair loads (see _drawer).
_start_drawer()

# Altair takes about 0.7 s to import (2-4 s on a loaded machine): say so in the cell.
with _progress(_LOADING):
    from ._style import (  # ImportError without Altair
        DASHES,
        FONT,
        HEIGHT,
        LAB_EXTRA,
        MAX_POINTS,
        PALETTE,
        SHAPES,
        WIDTH,
    )
    from .ballots import ballot_levers, ballot_predictions, ballot_runs, inline_data, projector
    from .calibration import calibration
    from .describe import describe
    from .ensemble import FAN_COLUMNS, fan
    from .regimes import REGIME_CELLS, regime_path
    from .render import interactive, offline, save, show, spec_to_svg, static, to_svg, vl_convert_svg
    from .sensitivity import TORNADO_COLUMNS, tornado
    from .story import STORY_STEPS, Story, StoryStep, story
    from .timeseries import SCENARIO_COLUMNS, LiveTimeSeries, scenarios, time_series
    from .tradeoffs import frontier

__all__ = [
    "PALETTE",
    "DASHES",
    "SHAPES",
    "REGIME_CELLS",
    "time_series",
    "scenarios",
    "fan",
    "tornado",
    "frontier",
    "calibration",
    "regime_path",
    "describe",
    "story",
    "Story",
    "StoryStep",
    "STORY_STEPS",
    "show",
    "interactive",
    "static",
    "to_svg",
    "save",
    "offline",
    "ballot_runs",
    "ballot_predictions",
    "ballot_levers",
    "LiveTimeSeries",
    "spec_to_svg",
    # seams the other packages of the wing use
    "FONT", "HEIGHT", "WIDTH", "MAX_POINTS", "LAB_EXTRA", "FAN_COLUMNS", "TORNADO_COLUMNS", "SCENARIO_COLUMNS",
    "inline_data", "projector", "vl_convert_svg",
]
