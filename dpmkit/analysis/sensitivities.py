"""Sensitivity analysis: one-at-a-time (tornado) and global indices through SALib."""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelError
from ..simulate import MAX_BYTES, ensemble
from ._common import check_count, check_model, check_param, name_list, outputs_from, param_range, record_for

__all__ = ["sensitivity"]

_METHODS = ("oat", "sobol", "morris")


def _ranges(model, params, fixed):
    """``[(name, low, high)]`` for the parameters to vary."""
    held = set(fixed or {})
    if params is None:
        chosen = [p.name for p in model.uncertainties if p.name not in held]
        if not chosen:
            chosen = [p.name for p in model.params if p.bounds is not None and p.name not in held]
        if not chosen:
            raise ModelError(f"model {model.name!r} has no parameters with ranges to vary; name them with params=[...]")
        params = chosen
    if hasattr(params, "items"):
        items = list(params.items())
        if not items:
            raise ModelError("params is empty; name at least one parameter to vary")
    else:
        items = [(name, None) for name in name_list(params, "params")]
    ranges = []
    for name, rng in items:
        p = check_param(model, name)
        if name in held:
            raise ModelError(f"{name!r} is both varied (params) and held fixed (fixed); choose one", variable=name)
        if rng is None:
            lo, hi = param_range(p)
        else:
            try:
                lo, hi = (float(v) for v in rng)
            except (TypeError, ValueError):
                raise ModelError(f"the range of {name!r} must be a pair (low, high), got {rng!r}",
                                 variable=name) from None
            if p.bounds is not None and (lo < p.bounds[0] or hi > p.bounds[1]):
                raise ModelError(
                    f"the range {lo:g} to {hi:g} of {name!r} goes beyond its bounds {p.bounds[0]:g} to {p.bounds[1]:g}",
                    variable=name,
                )
        if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
            raise ModelError(f"the range of {name!r} ({lo:g} to {hi:g}) must have low < high", variable=name)
        ranges.append((name, lo, hi))
    return ranges


def _run(model, outputs, samples, fixed, events, integration, max_bytes):
    ens = ensemble(model, samples=samples, params=fixed, events=events, method=integration,
                   record=record_for(model, outputs), max_bytes=max_bytes)
    return ens, {o.label: o(ens) for o in outputs}


def sensitivity(
    model,
    outputs=None,
    params=None,
    method="oat",
    *,
    at=None,
    n=None,
    seed=None,
    fixed=None,
    events=None,
    num_levels=4,
    conf_level=0.95,
    num_resamples=100,
    integration=None,
    max_bytes=MAX_BYTES,
):
    """How much each parameter moves each output.

    All model runs of one analysis are done in a single vectorised ensemble.

    Parameters
    ----------
    model : Model
    outputs : str, list of str or dict, optional
        Variables whose value at time ``at`` is studied; or ``{label: function}`` where
        the function receives the :class:`~dpmkit.EnsembleResult` and returns one number
        per run (e.g. ``lambda ens: ens["waiting_list"].max(axis=0)`` for the peak).
        Default: the model's end results, else its stocks.
    params : list of str or dict, optional
        Parameters to vary, each over its uncertainty range (or its bounds if it has
        none); a dict ``{name: (low, high)}`` sets the ranges. Default: the parameters
        with uncertainty ranges, else all parameters with bounds.
    method : {"oat", "sobol", "morris"}
        ``"oat"``: one at a time, each parameter to the ends of its range with the
        others at their values (tornado data). ``"sobol"``: variance-based first-order
        and total indices (Saltelli sampling, SALib). ``"morris"``: elementary effects
        screening (SALib).
    at : float, optional
        Time at which outputs are read (default: the end of the run).
    n : int, optional
        Sobol: base sample size, a power of two (default 512; runs = n·(k+2) for k
        parameters). Morris: number of trajectories (default 50; runs = n·(k+1)).
    seed : int, optional
        Seed for :func:`numpy.random.default_rng`, passed to SALib's samplers.
    fixed : dict, optional
        Values for parameters that are not varied (default: their defaults).
    events : mapping or list, optional
        Parameter changes during every run, as in :func:`dpmkit.simulate`.
    num_levels : int
        Morris grid levels.
    conf_level, num_resamples
        Bootstrap confidence intervals of the Sobol and Morris indices.
    integration : {"euler", "rk4"}, optional
        Integration method (default: the model's).

    Returns
    -------
    pandas.DataFrame
        ``"oat"``: ``output, param, param_low, param_base, param_high, output_low,
        output_base, output_high, swing`` (``swing = |output_high - output_low|``),
        largest swing first for each output.
        ``"sobol"``: ``output, param, S1, S1_conf, ST, ST_conf``. An output that does
        not vary at all has indices NaN (there is no variance to share out).
        ``"morris"``: ``output, param, mu, mu_star, sigma, mu_star_conf``, in output
        units per whole range of the parameter.

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("demo")
    >>> tornado = dk.sensitivity(model, outputs="waiting_list", params=["referral_rate", "staff_target"])
    >>> list(tornado["param"])  # largest swing first
    ['staff_target', 'referral_rate']
    """
    import pandas as pd

    check_model(model)
    if method not in _METHODS:
        raise ModelError(f"method must be one of {', '.join(map(repr, _METHODS))}, got {method!r}")
    outs = outputs_from(model, outputs, at)
    if fixed is not None and not hasattr(fixed, "items"):
        raise ModelError("fixed must be a mapping of parameter names to values, e.g. {'staff_target': 20}")
    fixed = dict(fixed or {})
    for k, v in fixed.items():
        check_param(model, k).check(v)
    ranges = _ranges(model, params, fixed)
    names = [r[0] for r in ranges]
    base = {**model.defaults, **fixed}
    held = dict(fixed.items())

    if method == "oat":
        if n is not None:
            raise ModelError("n is not used by the one-at-a-time method; it always runs 1 + 2 runs per parameter")
        k = len(ranges)
        samples = {name: np.full(1 + 2 * k, base[name]) for name in names}
        for j, (name, lo, hi) in enumerate(ranges):
            samples[name][1 + 2 * j] = lo
            samples[name][2 + 2 * j] = hi
        _, values = _run(model, outs, samples, held, events, integration, max_bytes)
        rows = []
        for o in outs:
            y = values[o.label]
            block = []
            for j, (name, lo, hi) in enumerate(ranges):
                y_lo, y_hi = float(y[1 + 2 * j]), float(y[2 + 2 * j])
                block.append({
                    "output": o.label, "param": name, "param_low": lo, "param_base": base[name], "param_high": hi,
                    "output_low": y_lo, "output_base": float(y[0]), "output_high": y_hi, "swing": abs(y_hi - y_lo),
                })
            block.sort(key=lambda r: -r["swing"])  # stable: ties keep the order given
            rows.extend(block)
        return pd.DataFrame(rows)

    problem = {"num_vars": len(ranges), "names": names, "bounds": [[lo, hi] for _, lo, hi in ranges]}
    rng = np.random.default_rng(seed)
    if method == "sobol":
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample

        n = 512 if n is None else check_count(n, "n (the Sobol base sample size)", 2)
        m = round(math.log2(n))
        if 2**m != n:
            raise ModelError(
                f"Sobol analysis needs n to be a power of two (e.g. {2**m} or {2**(m + 1)}), got {n}"
            )
        X = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=rng)
    else:
        from SALib.analyze import morris as morris_analyze
        from SALib.sample import morris as morris_sample

        n = 50 if n is None else check_count(n, "n (the number of Morris trajectories)", 2)
        num_levels = check_count(num_levels, "num_levels", 2)
        X = morris_sample.sample(problem, n, num_levels=num_levels, seed=rng)
    # SALib's samples lie inside the ranges; clip away rounding at the ends.
    samples = {name: np.clip(X[:, j], lo, hi) for j, (name, lo, hi) in enumerate(ranges)}
    _, values = _run(model, outs, samples, held, events, integration, max_bytes)
    rows = []
    for o in outs:
        y = np.asarray(values[o.label], dtype=float)
        constant = not np.ptp(y) > 1e-12 * max(1.0, float(np.max(np.abs(y))))
        if method == "sobol":
            if constant:
                S = {key: np.full(len(names), np.nan) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            else:
                S = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples,
                                          conf_level=conf_level, print_to_console=False, seed=rng)
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            S = morris_analyze.analyze(problem, X, y, num_resamples=num_resamples, conf_level=conf_level,
                                       print_to_console=False, num_levels=num_levels, seed=rng)
            keys = ("mu", "mu_star", "sigma", "mu_star_conf")
        for j, name in enumerate(names):
            row = {"output": o.label, "param": name}
            row.update({key: float(np.asarray(S[key], dtype=float)[j]) for key in keys})
            rows.append(row)
    return pd.DataFrame(rows)
