"""Analysis: scenarios, uncertainty, sensitivity, calibration, clustering, trade-offs, loops.

Each function takes a :class:`~dpmkit.Model` and returns tidy tables (or a small
result object holding them) ready for charts. Ensembles always run through the
vectorised kernel. pandas, scipy and SALib are imported only when a function runs, so
``import dpmkit`` stays fast.

- :func:`compare` — named scenarios side by side, with the base case.
- :func:`uncertainty` — Monte-Carlo bands from the declared uncertainty ranges.
- :func:`sensitivity` — one-at-a-time (tornado), Sobol and Morris indices (SALib).
- :func:`calibrate`, :func:`recalibrate` — fit parameters to data; refit as data arrive.
- :func:`clustering_test` — do families of outcomes move together in this context? With
  ``max_runs`` it adds runs until the verdict is decided, and says how many it needed.
- :func:`frontier` — lever settings not beaten on every objective at once.
- :func:`loops`, :func:`loop_knockout`, :func:`loop_dominance` — feedback loops.
"""

from __future__ import annotations

from .calibration import Calibration, Recalibration, calibrate, recalibrate
from .clustering import ClusteringTest, clustering_test
from .feedback import Loop, LoopSet, elementary_cycles, loop_dominance, loop_knockout, loops
from .montecarlo import UncertaintyResult, uncertainty
from .scenarios import compare
from .sensitivities import sensitivity
from .tradeoffs import FrontierResult, frontier, nondominated

__all__ = [
    "Calibration",
    "ClusteringTest",
    "FrontierResult",
    "Loop",
    "LoopSet",
    "Recalibration",
    "UncertaintyResult",
    "calibrate",
    "clustering_test",
    "compare",
    "elementary_cycles",
    "frontier",
    "loop_dominance",
    "loop_knockout",
    "loops",
    "nondominated",
    "recalibrate",
    "sensitivity",
    "uncertainty",
]
