"""dpmkit: a Jupyter-native kit for learning to manage the performance of public
services in complexity, with Dynamic Performance Management and system dynamics.

The core is a small stock-and-flow engine. A model is frozen data::

    import dpmkit as dk

    model = dk.Model("waiting_list", [
        dk.Stock("waiting", 120, units="people"),
        dk.Flow("referrals", "demand", into="waiting", units="people/week"),
        dk.Flow("served", "MIN(waiting / DT, capacity)", out_of="waiting", units="people/week"),
        dk.Param("demand", 30, bounds=(0, 100), units="people/week"),
        dk.Param("capacity", 28, bounds=(0, 100), units="people/week"),
    ], stop=52, time_units="week")
    result = dk.simulate(model, {"capacity": 32})
    result.to_frame()

Ready-made models: ``dk.models.available()`` and ``dk.models.load(name)``.
"""

from __future__ import annotations

import importlib

from .analysis import (
    calibrate,
    clustering_test,
    compare,
    frontier,
    loop_dominance,
    loop_knockout,
    loops,
    recalibrate,
    sensitivity,
    uncertainty,
)
from .errors import ModelError, UnitsWarning
from .expressions import parse
from .results import EnsembleResult, Result
from .simulate import ensemble, sample_params, simulate
from .spec import ROLES, Aux, Flow, Lookup, Model, Param, Stock

__version__ = "0.1.0"


def check_units(model):
    """Check that a model's units agree; returns a list of findings (see :mod:`dpmkit.units`)."""
    from .units import check_units as _check

    return _check(model)

__all__ = [
    "Aux",
    "EnsembleResult",
    "Flow",
    "Lookup",
    "Model",
    "ModelError",
    "Param",
    "ROLES",
    "Result",
    "Stock",
    "UnitsWarning",
    "calibrate",
    "check_units",
    "clustering_test",
    "compare",
    "ensemble",
    "frontier",
    "loop_dominance",
    "loop_knockout",
    "loops",
    "models",
    "parse",
    "recalibrate",
    "sample_params",
    "sensitivity",
    "simulate",
    "uncertainty",
]

# Submodules loaded on first use, so `import dpmkit` stays fast and needs neither
# pandas, scipy, altair nor ipywidgets.
_LAZY = {"models", "evidence", "xmile", "charts", "widgets", "dpm", "roles", "workshop", "glossary", "words",
         "game"}


def __getattr__(name):
    if name in _LAZY:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as err:
            if err.name and err.name.startswith("dpmkit"):
                raise AttributeError(f"module 'dpmkit' has no attribute {name!r}") from None
            raise
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dpmkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
