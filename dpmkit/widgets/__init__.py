"""Widgets for moving levers and watching the system answer, built from the model's declarations.

- :func:`explore` / :class:`Explorer`: sliders for every parameter (label, units,
  bounds and description come from the :class:`~dpmkit.Param`), grouped into policy
  levers, uncertainties and the rest in collapsible sections; the model runs when a
  slider is *released*; the last run stays reachable as ``explorer.result``; a base
  run is overlaid for comparison; settings can be saved as named scenarios; its *Numbers*
  button shows the run as a table to copy into a spreadsheet and a CSV file of every step
  (:mod:`dpmkit.widgets.numbers`).
- :func:`predict` / :class:`Predict`: the learner writes down the expected path of
  one output first, then sees the run and the gap, in numbers.
- :func:`game` / :class:`Game`: a small "management flight simulator": the learner
  sets the levers period by period and sees the consequences unfold.
- :func:`model_sheet` / :class:`ModelSheet`: a model built without code from a sheet (one row a
  variable, pasted from Excel; :mod:`dpmkit.sheet`), explored at once and saved as CSV or XMILE.
- :func:`check` / :class:`Check`: *check my answer* for an exercise: a number (with a
  tolerance), a choice or a sentence, so a learner can answer without writing code.
- :func:`story` / :func:`focus`: a model's DPM chart told step by step, or focused on the
  variable, lever or loop picked from a list (:func:`dpmkit.dpm.chart`'s focus mode).
- :func:`ballot_widget` / :class:`BallotWidget`: the form a workshop participant
  fills in to cast a ballot (:mod:`dpmkit.workshop`).

Charts render offline, either through ``alt.JupyterChart`` with its JavaScript
bundled (``render="interactive"``, the default) or as SVG drawn in the kernel
(``render="svg"``). The interactive one redraws faster in the browser: the kernel
only swaps the chart's data, where SVG must be drawn by vl-convert on every run
(see ``bench/bench_widgets.py``).

Every widget also leaves a static picture in its cell (an SVG of its chart and a
summary in words, as ``text/html``, ``image/svg+xml`` and ``text/plain``), so a notebook
exported to HTML, rendered on a website without a kernel, or printed shows the chart.
A live JupyterLab shows the widget and hides the picture. Cells that change a widget
from code bring its picture up to date; after moving sliders by hand, end a cell with
``explorer.snapshot()`` to keep a picture of your settings. Dates read as people say
them ("April 2014"), and the explorer's summary compares the runs at the moments the
lesson asks about (``moments=``, by default those the model declares), not only at the
end.

Every widget can be driven from code as well as by hand, so the next cell can
analyse what the learner chose::

    import dpmkit as dk
    explorer = dk.widgets.explore("demo")
    explorer            # shows the controls and the chart
    explorer.set(staff_target=14)
    explorer.result.final("waiting_list")
"""

from __future__ import annotations

from ._common import LAB_EXTRA, RENDERS, control_for, nice_step  # ImportError naming the extra without ipywidgets
from .ballot import BallotWidget, ballot_widget
from .builder import ModelSheet, model_sheet
from .check import Check, check, judge
from .explorer import Explorer, explore
from .game import Game, game
from .predict import Predict, predict
from .story import FocusWidget, StoryWidget, focus, story

__all__ = ["explore", "Explorer", "predict", "Predict", "game", "Game", "model_sheet", "ModelSheet",
           "ballot_widget", "BallotWidget", "check", "Check", "judge", "story", "StoryWidget", "focus", "FocusWidget",
           "control_for", "nice_step",
    # seams the other packages of the wing use
    "LAB_EXTRA", "RENDERS",
]
