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
import sys
import types

from .errors import ModelError, UnitsWarning
from .expressions import parse
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

# Submodules loaded on first use, so `import dpmkit` stays fast (close to `import numpy`
# alone) and needs neither pandas, scipy, altair nor ipywidgets.
_LAZY = {"models", "evidence", "xmile", "sheet", "charts", "widgets", "dpm", "roles", "workshop", "glossary",
         "words", "game", "analysis"}
#: Public names loaded from their module on first use: name -> submodule.
_LAZY_NAMES = {
    "simulate": "simulate", "ensemble": "simulate", "sample_params": "simulate",
    "Result": "results", "EnsembleResult": "results",
    **dict.fromkeys((
        "calibrate", "clustering_test", "compare", "frontier", "loop_dominance", "loop_knockout", "loops",
        "recalibrate", "sensitivity", "uncertainty"), "analysis"),
}


def __getattr__(name):
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
        globals()[name] = value
        return value
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
    return sorted(set(globals()) | _LAZY | set(_LAZY_NAMES))


class _Package(types.ModuleType):
    """The dpmkit package: ``dk.simulate`` stays the function.

    Importing the submodule :mod:`dpmkit.simulate` (done lazily, by whichever code
    needs it first) makes Python set the package's attribute ``simulate`` to that
    module; here it is set to the module's function of the same name instead.
    """

    def __setattr__(self, name, value):
        if name == "simulate" and isinstance(value, types.ModuleType):
            value = value.simulate
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

if "IPython" in sys.modules:  # in a notebook: a code-track starter run with its ___ blanks says so (_blanks.py)
    from ._blanks import install as _install_blanks

    _install_blanks()
