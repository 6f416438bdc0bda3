"""Trade-off frontiers: which lever settings are not beaten on every objective at once."""

from __future__ import annotations

import numpy as np

from ..errors import ModelError
from ..simulate import ensemble, sample_params
from ..spec import Param
from ._common import (
    Output,
    check_count,
    check_direction,
    check_model,
    check_param,
    check_time,
    check_variable,
    name_list,
    param_range,
    record_for,
)

__all__ = ["frontier", "FrontierResult", "nondominated"]


def nondominated(values, block=512):
    """Which rows of ``values`` (to be minimised, shape (n, k)) no other row dominates.

    Row ``j`` dominates row ``i`` when it is no worse on every column and strictly
    better on at least one. Identical rows do not dominate each other.

    Examples
    --------
    >>> import numpy as np
    >>> nondominated(np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0]])).tolist()
    [True, True, False]
    """
    F = np.asarray(values, dtype=float)
    if F.ndim != 2:
        raise ModelError(f"values must be a table (runs x objectives), got shape {F.shape}")
    keep = np.ones(len(F), dtype=bool)
    for lo in range(0, len(F), block):
        Fi = F[lo:lo + block, None, :]
        no_worse = np.all(F[None, :, :] <= Fi, axis=2)
        better = np.any(F[None, :, :] < Fi, axis=2)
        keep[lo:lo + block] = ~np.any(no_worse & better, axis=1)
    return keep


class FrontierResult:
    """The outcome of :func:`frontier`.

    Attributes
    ----------
    points : pandas.DataFrame
        Every sampled lever setting (and the current one, ``base=True``) with its
        objective values at each horizon ``at`` and a ``dominated`` flag.
    frontier : pandas.DataFrame
        The non-dominated rows of ``points``, sorted by horizon and first objective.
    levers : list of str
    objectives : dict
        ``{label: "max" or "min"}``.
    """

    def __init__(self, points, levers, objectives, horizons):
        self.points = points
        self.levers = levers
        self.objectives = objectives
        self.horizons = horizons

    @property
    def frontier(self):
        first = next(iter(self.objectives))
        front = self.points[~self.points["dominated"]]
        return front.sort_values(["at", first]).reset_index(drop=True)

    def __repr__(self):
        lines = [f"<FrontierResult: {len(self.levers)} lever(s) {', '.join(self.levers)}; objectives "
                 + ", ".join(f"{k} ({v})" for k, v in self.objectives.items()) + ">"]
        for at in self.horizons:
            sub = self.points[self.points["at"] == at]
            lines.append(f"  at {at:g}: {int((~sub['dominated']).sum())} of {len(sub)} settings are on the frontier")
        return "\n".join(lines)


def _objectives(model, objectives):
    if not hasattr(objectives, "items") or len(objectives) < 1:
        raise ModelError("objectives must be a dict such as {'served': 'max', 'cost': 'min'}")
    outs = []
    for label, spec in objectives.items():
        if isinstance(spec, str):
            direction = check_direction(spec, label)
            outs.append((Output(str(label), variable=check_variable(model, label, "objective", allow_params=True)),
                         direction))
            continue
        try:
            what, direction = spec
        except (TypeError, ValueError):
            raise ModelError(
                f"objective {label!r} must be 'max' or 'min', or a pair (variable or function, 'max' or 'min')"
            ) from None
        direction = check_direction(direction, label)
        if callable(what):
            outs.append((Output(str(label), func=what), direction))
        else:
            outs.append((Output(str(label), variable=check_variable(model, what, "objective", allow_params=True)),
                         direction))
    return outs


def frontier(
    model,
    objectives,
    levers=None,
    *,
    at=None,
    n=500,
    seed=None,
    sampling="lhs",
    params=None,
    events=None,
    integration=None,
):
    """Sample the policy levers and keep the settings no other setting beats on every objective.

    All settings run in one vectorised ensemble. With several horizons ``at``, the
    same runs are judged at each: when effects are delayed, what looks best after one
    year can differ from what is best after ten.

    Parameters
    ----------
    model : Model
    objectives : dict
        ``{variable: "max" or "min"}``, or ``{label: (variable or function, "max" or
        "min")}``; a function receives the :class:`~dpmkit.EnsembleResult` and returns
        one number per run.
    levers : list of str, optional
        Parameters to sample within their bounds (default: the model's policy levers).
    at : float or list of float, optional
        Horizon(s) at which objectives are read (default: the end of the run).
    n : int
        Number of sampled settings (the current setting is added as one more row).
    seed : int, optional
        Seed for :func:`numpy.random.default_rng`.
    sampling : {"lhs", "sobol", "random"}
    params : dict, optional
        Values for the parameters that are not levers.
    events, integration
        As in :func:`dpmkit.simulate`.

    Returns
    -------
    FrontierResult
        ``.points`` (all settings, with ``dominated``) and ``.frontier`` (the rest).

    Examples
    --------
    >>> import dpmkit as dk
    >>> f = dk.frontier(dk.models.load("demo"), {"served": "max", "staff_target": "min"}, n=100, seed=1)
    >>> bool(f.frontier["dominated"].any())
    False
    """
    import pandas as pd

    check_model(model)
    objs = _objectives(model, objectives)
    if levers is None:
        levers = [p.name for p in model.policy_levers]
        if not levers:
            raise ModelError(f"model {model.name!r} declares no policy levers; name the parameters to vary "
                             "with levers=[...]")
    levers = name_list(levers, "levers")
    held = dict(params or {}) if params is None or hasattr(params, "items") else None
    if held is None:
        raise ModelError("params must be a mapping of parameter names to values")
    ranges = []
    for name in levers:
        p = check_param(model, name, "lever")
        if name in held:
            raise ModelError(f"{name!r} is both a lever (sampled) and held fixed in params; choose one",
                             variable=name)
        ranges.append(param_range(p, prefer="bounds"))
    n = check_count(n, "n (the number of settings)")
    horizons = [check_time(model, a) for a in (at if isinstance(at, (list, tuple, np.ndarray)) else [at])]
    if not horizons:
        raise ModelError("at is empty; give at least one horizon")
    # The engine's sampler uses uncertainty ranges first; levers are sampled over their
    # bounds, so it is given stand-ins whose only range is the bounds.
    rng = np.random.default_rng(seed)
    proxy = model.with_variables(*[
        Param(name, lo, bounds=(lo, hi), units=model[name].units) for name, (lo, hi) in zip(levers, ranges)
    ])
    drawn = sample_params(proxy, n, vary=levers, sampling=sampling, seed=rng)
    base = {**model.defaults, **held}
    samples = {name: np.concatenate([[base[name]], drawn[name]]) for name in levers}
    record = record_for(model, [o for o, _ in objs])
    ens = ensemble(model, samples=samples, params=held, events=events, method=integration, record=record)
    frames = []
    for t in horizons:
        cols = {name: samples[name] for name in levers}
        F = []
        for o, direction in objs:
            o.at = t
            y = o(ens)
            if not np.isfinite(y).all():
                raise ModelError(f"objective {o.label!r} is not a finite number in every run")
            cols[o.label] = y
            F.append(-y if direction == "max" else y)
        cols["at"] = t
        cols["base"] = np.arange(len(samples[levers[0]])) == 0
        cols["dominated"] = ~nondominated(np.column_stack(F))
        frames.append(pd.DataFrame(cols))
    points = pd.concat(frames, ignore_index=True)
    return FrontierResult(points, levers, {o.label: d for o, d in objs}, horizons)
