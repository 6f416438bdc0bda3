"""Checks and helpers shared by the analysis functions.

Everything a learner passes in (variable names, parameter names, times, data) is
checked here first, so that a mistake is reported as a :class:`~dpmkit.ModelError`
naming what is wrong, before any numpy or scipy code sees it.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from ..errors import ModelError
from ..expressions import suggest
from ..spec import Model, Param

#: Keep the memory that one analysis may hold for trajectories below this.
MAX_BYTES = 2 * 1024**3


def check_model(model):
    if not isinstance(model, Model):
        raise ModelError(f"expected a dpmkit Model, got {type(model).__name__}; load one with dk.models.load(name)")


def recorded_names(model):
    """Variables a run records: stocks, flows and auxiliaries, in declaration order."""
    return model.recorded


def check_variable(model, name, what="variable", allow_params=False):
    """Return ``name`` if it is a recorded variable of ``model`` (or a parameter if allowed)."""
    if not isinstance(name, str):
        raise ModelError(f"{what} must be a variable name (text), got {name!r}")
    known = recorded_names(model)
    if name in known:
        return name
    if allow_params and name in model and isinstance(model[name], Param):
        return name
    if name in model:
        raise ModelError(
            f"{what} {name!r} is a {model[name].kind} of model {model.name!r}; "
            "choose a stock, flow or auxiliary" + ("" if not allow_params else " or a parameter"),
            variable=name,
        )
    candidates = list(known) + ([p.name for p in model.params] if allow_params else [])
    raise ModelError(f"model {model.name!r} has no {what} {name!r}" + suggest(name, candidates), variable=name)


def check_param(model, name, what="parameter"):
    """Return the :class:`Param` called ``name``, or raise a ModelError that names it."""
    if not isinstance(name, str):
        raise ModelError(f"{what} must be a parameter name (text), got {name!r}")
    return model.param(name)


def name_list(names, what):
    """Accept one name or a sequence of names; refuse empties and repeats."""
    if isinstance(names, str):
        names = [names]
    try:
        names = list(names)
    except TypeError:
        raise ModelError(f"{what} must be a name or a list of names, got {names!r}") from None
    if not names:
        raise ModelError(f"{what} is empty; name at least one")
    seen = set()
    for n in names:
        if n in seen:
            raise ModelError(f"{what} names {n!r} twice", variable=n if isinstance(n, str) else None)
        seen.add(n)
    return names


def param_range(p, prefer="uncertainty"):
    """The range a parameter is sampled in: its uncertainty range, else its bounds."""
    rng = (p.uncertainty or p.bounds) if prefer == "uncertainty" else (p.bounds or p.uncertainty)
    if rng is None:
        raise ModelError(
            f"parameter {p.name!r} has neither bounds nor an uncertainty range, so there is no range to "
            "vary it in; declare bounds=(low, high) on the Param",
            variable=p.name,
        )
    return float(rng[0]), float(rng[1])


def check_time(model, at, what="at"):
    """Return ``at`` as a float inside the model's span (default: the stop time)."""
    if at is None:
        return float(model.stop)
    if isinstance(at, bool) or not isinstance(at, (int, float, np.integer, np.floating)) or not math.isfinite(at):
        raise ModelError(f"{what} must be a time (a number), got {at!r}")
    at = float(at)
    tol = 1e-9 * max(1.0, abs(at))
    if not model.start - tol <= at <= model.stop + tol:
        raise ModelError(
            f"{what}={at:g} lies outside the simulated span {model.start:g} to {model.stop:g} {model.time_units}",
            time=at,
        )
    return at


def check_count(n, what="n", minimum=1):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ModelError(f"{what} must be a whole number of at least {minimum}, got {n!r}")
    return int(n)


def check_direction(direction, name):
    if direction not in ("max", "min"):
        raise ModelError(f"the direction of {name!r} must be 'max' or 'min', got {direction!r}", variable=name)
    return direction


class Output:
    """One number per run, computed from an ensemble: a variable at a time, or a callable."""

    def __init__(self, label, variable=None, func=None, at=None):
        self.label = label
        self.variable = variable
        self.func = func
        self.at = at

    def __call__(self, ens):
        if self.func is None:
            return ens.at(self.at, self.variable)
        try:
            values = np.asarray(self.func(ens), dtype=float)
        except ModelError:
            raise
        except Exception as err:  # a learner's function failed: say which output it was
            raise ModelError(f"the function for output {self.label!r} failed: {type(err).__name__}: {err}") from err
        if values.shape != (ens.n_runs,):
            raise ModelError(
                f"the function for output {self.label!r} must return one number per run "
                f"(shape ({ens.n_runs},)), got shape {values.shape}"
            )
        return values


def outputs_from(model, outputs, at, default="end_results"):
    """Normalise an outputs specification to a list of :class:`Output`.

    ``outputs`` is a variable name, a list of names, or a dict ``{label: name or callable}``.
    A callable receives the :class:`~dpmkit.EnsembleResult` and returns one value per run.
    """
    at = check_time(model, at)
    if outputs is None:
        names = [v.name for v in model.with_role("end_result") if v.name in recorded_names(model)]
        if not names:
            names = [s.name for s in model.stocks]
        if not names:
            raise ModelError(f"model {model.name!r} has no stocks or end results; name the outputs to study")
        outputs = names
    if isinstance(outputs, str) or callable(outputs):
        outputs = [outputs]
    if hasattr(outputs, "items"):
        items = list(outputs.items())
    else:
        items = []
        for o in name_list(outputs, "outputs"):
            if callable(o):
                raise ModelError("give functions as outputs in a dict with a label, e.g. {'peak': my_function}")
            items.append((o, o))
    if not items:
        raise ModelError("outputs is empty; name at least one variable")
    result = []
    for label, spec in items:
        if callable(spec):
            result.append(Output(str(label), func=spec, at=at))
        else:
            result.append(Output(str(label), variable=check_variable(model, spec, "output", allow_params=True), at=at))
    return result


def record_for(model, outputs):
    """What an ensemble must record to compute ``outputs`` (None: everything).

    Recording only what is needed keeps very large ensembles small in memory.
    """
    if any(o.func is not None for o in outputs):
        return None
    recorded = set(recorded_names(model))
    names = [o.variable for o in outputs if o.variable in recorded]
    if not names:  # only parameters asked for: record something small
        names = list(recorded_names(model))[:1]
    return list(dict.fromkeys(names)) or None


def in_notebook():
    """True when running inside a Jupyter kernel (where a progress bar can be shown)."""
    ip = sys.modules.get("IPython")
    if ip is None:
        return False
    try:
        shell = ip.get_ipython()
    except Exception:  # IPython half-imported or stubbed
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class Progress:
    """Report progress per chunk: a widget bar in notebooks, a callable, or nothing.

    ``progress`` is None (a bar in a Jupyter notebook when ipywidgets is installed and
    the work takes more than one chunk; silent elsewhere), True (a bar in a notebook
    even for one chunk), False (silent) or a callable ``f(done, total)``.
    """

    def __init__(self, progress, total, description="runs", chunks=1):
        self.total = total
        self.callback = None
        self.bar = None
        if callable(progress):
            self.callback = progress
        elif progress is True or (progress is None and chunks > 1):
            if in_notebook():
                try:
                    import ipywidgets
                    from IPython.display import display
                except ImportError:
                    return
                self.bar = ipywidgets.IntProgress(value=0, min=0, max=total, description=description)
                display(self.bar)
        elif progress is not None and progress is not False:
            raise ModelError(f"progress must be None, True, False or a function f(done, total), got {progress!r}")

    def update(self, done):
        if self.callback is not None:
            self.callback(done, self.total)
        if self.bar is not None:
            self.bar.value = done

    def close(self):
        if self.bar is not None:
            self.bar.bar_style = "success"
