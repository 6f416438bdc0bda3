"""Calibration: fit chosen parameters to observed series; and rolling recalibration."""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelError
from ..simulate import ensemble, simulate
from ._common import check_count, check_model, check_param, check_variable, name_list

__all__ = ["calibrate", "recalibrate", "Calibration", "Recalibration"]

#: Observations larger than this in size are refused: squares of residuals must stay finite.
_MAX_OBSERVED = 1e150
_PENALTY = 1e6  # residual returned for a trial point at which the model fails


def _observations(model, data, what="data"):
    """Check ``data`` and return (times, {variable: (times, values)}) with NaN gaps dropped."""
    import pandas as pd

    if isinstance(data, pd.Series):
        if data.name is None:
            raise ModelError(f"{what}: a Series needs a name: the model variable it observes")
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise ModelError(
            f"{what} must be a pandas DataFrame indexed by time with one column per observed model variable, "
            f"got {type(data).__name__}"
        )
    if data.shape[0] == 0 or data.shape[1] == 0:
        raise ModelError(f"{what} is empty: it needs at least one row (a time) and one column (a variable)")
    try:
        times = np.asarray(data.index, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(
            f"the index of {what} must be times as numbers in {model.time_units} (e.g. 2012, 2013), "
            f"got {data.index.dtype}"
        ) from None
    if not np.isfinite(times).all():
        raise ModelError(f"the index of {what} contains a time that is not a finite number")
    if len(np.unique(times)) != len(times):
        dup = pd.Index(times)[pd.Index(times).duplicated()][0]
        raise ModelError(f"{what} has the time {dup:g} twice", time=float(dup))
    series = {}
    for col in data.columns:
        name = check_variable(model, col, f"column of {what}") if isinstance(col, str) else check_variable(
            model, str(col), f"column of {what}")
        try:
            values = np.asarray(pd.to_numeric(data[col]), dtype=float)
        except (TypeError, ValueError):
            raise ModelError(f"column {col!r} of {what} must hold numbers (NaN for gaps)", variable=name) from None
        keep = np.isfinite(values)
        if not keep.any():
            continue
        t = times[keep]
        huge = np.abs(values[keep]) > _MAX_OBSERVED
        if huge.any():
            raise ModelError(
                f"column {col!r} of {what} has {values[keep][huge][0]:g} at time {t[huge][0]:g}: too large to fit (its "
                f"square would overflow; the kit fits values up to {_MAX_OBSERVED:g}). Is it a typing slip, or "
                "could the model count in larger units?", variable=name, time=float(t[huge][0]))
        tol = 1e-9 * max(1.0, abs(model.stop), abs(model.start))
        outside = t[(t < model.start - tol) | (t > model.stop + tol)]
        if outside.size:
            raise ModelError(
                f"column {col!r} of {what} has an observation at time {outside[0]:g}, outside the simulated span "
                f"{model.start:g} to {model.stop:g} {model.time_units}; drop it or run the model longer "
                "(model.replace(stop=...))",
                variable=name, time=float(outside[0]),
            )
        order = np.argsort(t)
        series[name] = (t[order], values[keep][order])
    if not series:
        raise ModelError(f"{what} has no observations: every value is missing (NaN)")
    return series


def _interp_weights(grid, t):
    """Indices and weights to read a trajectory on ``grid`` at times ``t`` (linear)."""
    j = np.clip(np.searchsorted(grid, t, side="right") - 1, 0, len(grid) - 2)
    w = (t - grid[j]) / (grid[j + 1] - grid[j])
    w = np.clip(w, 0.0, 1.0)
    return j, w


class Calibration:
    """The outcome of :func:`calibrate`.

    Attributes
    ----------
    params : dict
        Fitted parameter values.
    table : pandas.DataFrame
        One row per fitted parameter: ``estimate, std_error, low, high`` (approximate
        ``confidence`` interval from the Jacobian), ``initial``, ``lower_bound``,
        ``upper_bound``, ``at_bound``; with ``boot_low, boot_high`` after a bootstrap.
    fit : pandas.DataFrame
        Fit quality per observed series: ``n, rmse, r2, mape`` (percent) and ``bias``
        (mean of fitted minus observed).
    fitted : pandas.DataFrame
        Tidy ``time, variable, observed, fitted, residual`` at the observed times.
    result : Result
        The full run at the fitted values.
    model : Model
        The model with the fitted values as its defaults.
    success : bool
    message : str
        The optimiser's account of how it stopped.
    nfev : int
        Model runs used by the optimiser for the objective (Jacobians excluded).
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def summary(self):
        """A readable account of the fit, as text."""
        lines = [
            f"Calibration of {self.model.name!r}: {len(self.params)} parameter(s) fitted to "
            f"{int(self.fit['n'].sum())} observations of {', '.join(self.fit.index)}",
            f"optimiser: {'converged' if self.success else 'did NOT converge'} after {self.nfev} runs ({self.message})",
            "",
            f"{'parameter':<24}{'estimate':>12}{'std error':>12}   {round(self.confidence * 100)}% interval",
        ]
        for name, row in self.table.iterrows():
            interval = f"{row['low']:.4g} to {row['high']:.4g}" if np.isfinite(row["std_error"]) else "not identifiable"
            flag = "  (at a bound: interval unreliable)" if row["at_bound"] else ""
            lines.append(f"{name:<24}{row['estimate']:>12.4g}{row['std_error']:>12.3g}   {interval}{flag}")
        lines += ["", f"{'series':<24}{'n':>5}{'RMSE':>12}{'R²':>8}{'MAPE %':>9}"]
        for name, row in self.fit.iterrows():
            lines.append(f"{name:<24}{int(row['n']):>5}{row['rmse']:>12.4g}{row['r2']:>8.3f}{row['mape']:>9.2f}")
        if self.notes:
            lines += [""] + [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self):
        return self.summary()

    def forecast(self, names=None, stop=None):
        """Run the fitted model (optionally further on) and return its wide table."""
        r = simulate(self.model, stop=stop) if stop is not None else self.result
        return r.to_frame(names, params=False)


class _Problem:
    """Residuals and a vectorised Jacobian for scipy.optimize.least_squares."""

    def __init__(self, model, series, names, fixed, events, integration, weights):
        self.model = model
        self.names = names
        self.fixed = fixed
        self.events = events
        self.integration = integration
        self.series = series
        self.record = list(series)
        grid = model.time
        self.reads = []
        for var, (t, y) in series.items():
            j, w = _interp_weights(grid, t)
            obs_scale = float(np.std(y)) or float(np.mean(np.abs(y))) or 1.0
            self.reads.append((var, j, w, y, weights.get(var, 1.0) / obs_scale))
        self.m = sum(len(t) for t, _ in series.values())
        self.nfev = 0
        self.first_failure = None
        self._last = (None, None)

    def params(self, x):
        return {**self.fixed, **dict(zip(self.names, (float(v) for v in x)))}

    def predictions(self, get):
        """Model values at the observed times; ``get(name)`` gives a trajectory (time[, run])."""
        out = []
        for var, j, w, _, _ in self.reads:
            traj = get(var)
            if traj.ndim == 1:
                out.append(traj[j] * (1 - w) + traj[j + 1] * w)
            else:
                out.append(traj[j] * (1 - w)[:, None] + traj[j + 1] * w[:, None])
        return out

    def residuals_from(self, preds):
        parts = []
        for (_, _, _, y, scale), p in zip(self.reads, preds):
            parts.append(((p.T - y) * scale).T)
        return np.concatenate(parts, axis=0)

    def run(self, x):
        return simulate(self.model, self.params(x), method=self.integration, events=self.events)

    def fun(self, x):
        x = np.asarray(x, dtype=float)
        if self._last[0] is not None and np.array_equal(self._last[0], x):
            return self._last[1]
        self.nfev += 1
        try:
            r = self.residuals_from(self.predictions(self.run(x).__getitem__))
        except ModelError as err:
            if self.nfev == 1:
                raise
            self.first_failure = self.first_failure or str(err)
            r = np.full(self.m, _PENALTY)
        self._last = (x.copy(), r)
        return r

    def screen(self, X):
        """Objective (half the sum of squared residuals) at each row of ``X``, one ensemble."""
        samples = {name: X[:, k] for k, name in enumerate(self.names)}
        try:
            ens = ensemble(self.model, samples=samples, params=self.fixed, method=self.integration,
                           events=self.events, record=self.record)
        except ModelError:
            # Some points make the model fail: halve the batch until they are isolated.
            if len(X) == 1:
                return np.array([np.inf])
            half = len(X) // 2
            return np.concatenate([self.screen(X[:half]), self.screen(X[half:])])
        R = self.residuals_from(self.predictions(ens.__getitem__))
        return 0.5 * np.sum(R**2, axis=0)

    def jac(self, x, lower, upper):
        """Forward differences, all perturbed runs in one ensemble (the first is unperturbed)."""
        x = np.asarray(x, dtype=float)
        p = len(x)
        h = math.sqrt(np.finfo(float).eps) * np.maximum(np.abs(x), 1e-3 * (upper - lower))
        h = np.where(x + h > upper, -h, h)
        samples = {name: np.full(p + 1, x[k]) for k, name in enumerate(self.names)}
        for k, name in enumerate(self.names):
            samples[name][k + 1] = x[k] + h[k]
        try:
            ens = ensemble(self.model, samples=samples, params=self.fixed, method=self.integration,
                           events=self.events, record=self.record)
        except ModelError:
            return np.zeros((self.m, p))  # a neighbour fails: no usable slope here
        R = self.residuals_from(self.predictions(ens.__getitem__))
        return (R[:, 1:] - R[:, :1]) / h


def _bounds_and_start(model, names, bounds, initial, fixed):
    lower, upper, x0 = [], [], []
    for name in names:
        p = check_param(model, name)
        if name in fixed:
            raise ModelError(f"{name!r} is both fitted (params) and held fixed (fixed); choose one", variable=name)
        if name in bounds:
            try:
                lo, hi = (float(v) for v in bounds[name])
            except (TypeError, ValueError):
                raise ModelError(f"bounds of {name!r} must be a pair (low, high), got {bounds[name]!r}",
                                 variable=name) from None
            if p.bounds is not None and (lo < p.bounds[0] or hi > p.bounds[1]):
                raise ModelError(
                    f"the search range {lo:g} to {hi:g} of {name!r} goes beyond its declared bounds "
                    f"{p.bounds[0]:g} to {p.bounds[1]:g}",
                    variable=name,
                )
        elif p.bounds is not None:
            lo, hi = p.bounds
        else:
            raise ModelError(
                f"parameter {name!r} has no bounds; calibration searches within bounds, so declare "
                "bounds=(low, high) on the Param or pass bounds={name: (low, high)}",
                variable=name,
            )
        if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
            raise ModelError(f"the search range of {name!r} ({lo:g} to {hi:g}) must have low < high", variable=name)
        start = initial.get(name, fixed.get(name, p.default))
        try:
            start = float(start)
        except (TypeError, ValueError):
            raise ModelError(f"the starting value of {name!r} must be a number, got {start!r}", variable=name) from None
        if not lo <= start <= hi:
            raise ModelError(
                f"the starting value {start:g} of {name!r} lies outside its search range {lo:g} to {hi:g}; "
                "start inside the range (initial={...}) or widen it (bounds={...})",
                variable=name,
            )
        lower.append(lo)
        upper.append(hi)
        x0.append(start)
    for name in initial:
        if name not in names:
            raise ModelError(f"initial gives a starting value for {name!r}, which is not being fitted", variable=name)
    for name in bounds:
        if name not in names:
            raise ModelError(f"bounds gives a range for {name!r}, which is not being fitted", variable=name)
    return np.array(lower), np.array(upper), np.array(x0)


def _uncertainty(J, r, dof, names, estimate, confidence):
    """Standard errors and intervals from the Jacobian of the weighted residuals."""
    from scipy.stats import t as student_t

    p = len(names)
    se = np.full(p, np.nan)
    notes = []
    if dof <= 0:
        notes.append("as many parameters as observations: no degrees of freedom left for standard errors")
        return se, se.copy(), se.copy(), notes
    s2 = float(r @ r) / dof
    _, S, Vt = np.linalg.svd(J, full_matrices=False)
    tol = np.finfo(float).eps * max(J.shape) * (S[0] if S.size and S[0] > 0 else 1.0)
    good = tol < S
    cov = (Vt[good].T / S[good] ** 2) @ Vt[good] * s2
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    if not good.all():
        loose = np.any(np.abs(Vt[~good]) > 1e-6, axis=0)
        se[loose] = np.inf
        notes.append(
            "the data cannot pin down " + ", ".join(n for n, bad in zip(names, loose) if bad)
            + " separately (the fit does not change when they move together); fix one or add data"
        )
    t = float(student_t.ppf(0.5 + confidence / 2, dof))
    return se, estimate - t * se, estimate + t * se, notes


def calibrate(
    model,
    data,
    params,
    *,
    fixed=None,
    bounds=None,
    initial=None,
    weights=None,
    events=None,
    integration=None,
    confidence=0.95,
    starts=4,
    bootstrap=0,
    seed=None,
    max_nfev=None,
):
    """Fit parameters to observed series with :func:`scipy.optimize.least_squares`.

    The model is run over its whole span; its values at the observed times (linear
    interpolation between steps) are compared with the data. Each series' residuals are
    divided by the spread (standard deviation) of its observations, so series in
    different units count alike; ``weights`` adjusts this.

    Parameters
    ----------
    model : Model
    data : pandas.DataFrame
        Indexed by time (numbers, in the model's time units), one column per observed
        variable (stocks, flows or auxiliaries), NaN for gaps.
    params : list of str
        Parameters to fit. Each is searched within its declared bounds.
    fixed : dict, optional
        Values of other parameters for every run.
    bounds : dict, optional
        Narrower search ranges, ``{name: (low, high)}``, within the declared bounds.
    initial : dict, optional
        Starting values (default: current values).
    weights : dict, optional
        Extra weight per series, ``{variable: w}`` (default 1).
    events : mapping or list, optional
        Parameter changes during the run, as in :func:`dpmkit.simulate`.
    integration : {"euler", "rk4"}, optional
    confidence : float
        Level of the reported parameter intervals.
    starts : int
        Number of local fits. Stock-and-flow models often have several local optima, so
        besides the initial values the fit also starts from the best ``starts - 1``
        points of a quasi-random screen of the search ranges (all screened runs in one
        ensemble; the screen is deterministic). The best fit is kept. 1: initial values only.
    bootstrap : int
        If positive, refit this many times to data rebuilt from the fitted values plus
        resampled residuals, and add percentile intervals (``boot_low``, ``boot_high``).
    seed : int, optional
        Seed for the bootstrap's :func:`numpy.random.default_rng`.
    max_nfev : int, optional
        Most objective evaluations the optimiser may use.

    Returns
    -------
    Calibration
        ``.params``, ``.table`` (estimates, standard errors, intervals), ``.fit`` (RMSE,
        R², MAPE per series), ``.fitted``, ``.model`` (fitted values as defaults),
        ``.summary()``.

    Notes
    -----
    Standard errors come from the Jacobian ``J`` of the weighted residuals at the
    solution: ``cov = s² (JᵀJ)⁻¹`` with ``s²`` the residual variance, and intervals use
    Student's t with ``n - p`` degrees of freedom. They assume the model is right and
    the errors independent; a parameter that ends on a bound, or that the data cannot
    separate from another, is flagged.

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("demo")
    >>> truth = dk.simulate(model, {"referral_rate": 45}).to_frame(["waiting_list"])
    >>> fit = dk.calibrate(model, truth.iloc[::8], params=["referral_rate"])
    >>> round(fit.params["referral_rate"], 3)
    45.0
    """
    import pandas as pd
    from scipy.optimize import least_squares

    check_model(model)
    names = name_list(params, "params")
    if fixed is not None and not hasattr(fixed, "items"):
        raise ModelError("fixed must be a mapping of parameter names to values")
    fixed = dict(fixed or {})
    for k, v in fixed.items():
        check_param(model, k).check(v)
    for arg, label in ((bounds, "bounds"), (initial, "initial"), (weights, "weights")):
        if arg is not None and not hasattr(arg, "items"):
            raise ModelError(f"{label} must be a mapping keyed by name")
    bounds, initial, weights = dict(bounds or {}), dict(initial or {}), dict(weights or {})
    if not 0 < confidence < 1:
        raise ModelError(f"confidence must be between 0 and 1, got {confidence!r}")
    bootstrap = check_count(bootstrap, "bootstrap", 0)
    starts = check_count(starts, "starts", 1)
    series = _observations(model, data)
    for k in weights:
        if k not in series:
            raise ModelError(f"weights names {k!r}, which is not an observed series", variable=k)
    lower, upper, x0 = _bounds_and_start(model, names, bounds, initial, fixed)
    problem = _Problem(model, series, names, fixed, events, integration, weights)
    if problem.m <= len(names):
        raise ModelError(
            f"{problem.m} observation(s) cannot determine {len(names)} parameter(s); "
            "give more data or fit fewer parameters"
        )
    try:
        problem.fun(x0)
    except ModelError as err:
        raise ModelError(f"the model cannot run at the starting values: {err}", variable=err.variable,
                         time=err.time) from None
    res = None
    for x_start in [x0] + _screen(problem, lower, upper, starts - 1):
        trial = _solve(least_squares, problem, x_start, lower, upper, max_nfev)
        if res is None or trial.cost < res.cost:
            res = trial
    x = np.clip(res.x, lower, upper)
    J = problem.jac(x, lower, upper)
    r = problem.fun(x)
    se, low, high, notes = _uncertainty(J, r, problem.m - len(names), names, x, confidence)
    span = upper - lower
    at_bound = (x - lower <= 1e-6 * span) | (upper - x <= 1e-6 * span)
    for name, hit in zip(names, at_bound):
        if hit:
            notes.append(f"{name!r} ended on a bound of its search range: the best value may lie beyond it")
    if problem.first_failure:
        notes.append(f"the model failed at some trial values and those were avoided ({problem.first_failure})")
    table = pd.DataFrame({
        "estimate": x, "std_error": se, "low": low, "high": high, "initial": x0,
        "lower_bound": lower, "upper_bound": upper, "at_bound": at_bound,
    }, index=pd.Index(names, name="param"))
    fitted_params = dict(zip(names, (float(v) for v in x)))
    result = problem.run(x)
    preds = problem.predictions(result.__getitem__)
    rows, fit_rows = [], []
    for (var, _, _, y, _), p in zip(problem.reads, preds):
        t = series[var][0]
        err = p - y
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        nonzero = y != 0
        fit_rows.append({
            "variable": var, "n": len(y), "rmse": float(np.sqrt(np.mean(err**2))),
            "r2": 1 - float(np.sum(err**2)) / ss_tot if ss_tot > 0 else np.nan,
            "mape": float(np.mean(np.abs(err[nonzero] / y[nonzero])) * 100) if nonzero.any() else np.nan,
            "bias": float(np.mean(err)),
        })
        rows.append(pd.DataFrame({"time": t, "variable": var, "observed": y, "fitted": p, "residual": err}))
    if bootstrap:
        boots = _bootstrap(least_squares, problem, x, lower, upper, preds, bootstrap, seed, max_nfev)
        alpha = (1 - confidence) / 2
        table["boot_low"] = np.quantile(boots, alpha, axis=0)
        table["boot_high"] = np.quantile(boots, 1 - alpha, axis=0)
    calibrated = model.with_params(**fitted_params)
    return Calibration(
        params=fitted_params, table=table, fit=pd.DataFrame(fit_rows).set_index("variable"),
        fitted=pd.concat(rows, ignore_index=True), result=result, model=calibrated, success=bool(res.success),
        message=str(res.message), nfev=problem.nfev, confidence=confidence, notes=notes, cost=float(res.cost),
        data_names=tuple(series),
    )


def _solve(least_squares, problem, x0, lower, upper, max_nfev):
    return least_squares(
        problem.fun, x0, jac=lambda x: problem.jac(x, lower, upper), bounds=(lower, upper),
        method="trf", x_scale="jac", max_nfev=max_nfev,
    )


def _screen(problem, lower, upper, k):
    """The ``k`` best points of a deterministic Sobol' screen of the search box."""
    if k <= 0:
        return []
    from scipy.stats import qmc

    d = len(lower)
    m = max(5, math.ceil(math.log2(32 * d)))
    unit = qmc.Sobol(d, scramble=False).random_base2(m)[1:]  # skip the corner point
    X = lower + unit * (upper - lower)
    cost = problem.screen(X)
    order = [i for i in np.argsort(cost) if np.isfinite(cost[i])]
    return [X[i] for i in order[:k]]


def _bootstrap(least_squares, problem, x, lower, upper, preds, B, seed, max_nfev):
    """Refit ``B`` times to fitted values plus residuals resampled within each series."""
    rng = np.random.default_rng(seed)
    original = [(var, j, w, y, s) for var, j, w, y, s in problem.reads]
    estimates = np.empty((B, len(x)))
    try:
        for b in range(B):
            problem.reads = []
            for (var, j, w, y, s), p in zip(original, preds):
                resid = y - p
                problem.reads.append((var, j, w, p + rng.choice(resid, size=len(resid), replace=True), s))
            problem._last = (None, None)
            estimates[b] = least_squares(
                problem.fun, x, jac=lambda z: problem.jac(z, lower, upper), bounds=(lower, upper),
                method="trf", x_scale="jac", max_nfev=max_nfev,
            ).x
    finally:
        problem.reads = original
        problem._last = (None, None)
    return estimates


class Recalibration:
    """The outcome of :func:`recalibrate`: how estimates and forecasts moved as data arrived.

    Attributes
    ----------
    params : pandas.DataFrame
        Tidy ``fitted_until, param, estimate, std_error, low, high``.
    forecasts : pandas.DataFrame
        Tidy ``fitted_until, time, variable, value``: the whole run at each refit.
    observed : pandas.DataFrame
        Tidy ``time, variable, value``: the data, for plotting beside the forecasts.
    fits : list of Calibration
        Each refit in full.
    """

    def __init__(self, params, forecasts, observed, fits):
        self.params = params
        self.forecasts = forecasts
        self.observed = observed
        self.fits = fits

    def in_words(self):
        """The estimates as a reader takes them in: one row a refit (``Data up to April 2011``),
        one column a fitted number (its label), each cell the estimate and its interval in
        :func:`dpmkit.words.estimate`'s words, which say plainly when the data cannot pin a
        value down yet rather than print an interval of ±230. The table is a DataFrame that
        reads as text: JupyterLab shows it left-aligned with every sentence in full, and
        ``print`` shows each refit's sentences under its date.

        Examples
        --------
        >>> import dpmkit as dk
        >>> model = dk.models.load("demo")
        >>> obs = dk.simulate(model, {"referral_rate": 45}).to_frame(["waiting_list"]).iloc[::12]
        >>> dk.recalibrate(model, obs, params=["referral_rate"], start=24, every=12).in_words().iloc[0, 0]
        '45 (45 to 45)'
        """
        import pandas as pd

        from .._text_table import TextTable
        from ..words import estimate, time_label

        units = self.fits[0].model.time_units if self.fits else ""
        rows = {}
        for fit, until in zip(self.fits, self.params["fitted_until"].unique()):
            rows[time_label(until, units)] = {
                fit.model[name].label: estimate(r["estimate"], r["low"], r["high"], r["lower_bound"], r["upper_bound"])
                for name, r in fit.table.iterrows()}
        return TextTable(pd.DataFrame.from_dict(rows, orient="index").rename_axis("Data up to"))

    def __repr__(self):
        from ..words import time_label

        units = self.fits[0].model.time_units if self.fits else ""
        cutoffs = [time_label(t, units) for t in self.params["fitted_until"].unique()]
        lines = [f"<Recalibration: {len(cutoffs)} refits, data up to {cutoffs[0]} ... {cutoffs[-1]}>"]
        wide = self.params.pivot(index="fitted_until", columns="param", values="estimate")
        wide.index = [time_label(t, units) for t in wide.index]  # "April 2011", not 2011.25
        wide.index.name = "data up to"
        lines.append(wide.to_string(float_format=lambda v: f"{v:.4g}"))
        return "\n".join(lines)


def recalibrate(model, data, params, *, start=None, every=1.0, names=None, **options):
    """Refit as each new period of data "arrives", and show how the forecast changes.

    The learning loop of performance management: fit the model to the data known at
    ``start``, forecast, then refit each time ``every`` more time units of data are in,
    starting from the previous estimates.

    Parameters
    ----------
    model : Model
    data : pandas.DataFrame
        As in :func:`calibrate`.
    params : list of str
        Parameters to fit.
    start : float, optional
        Time of the first refit (using data up to and including it). Default: the
        first time at which there are more observations than parameters.
    every : float
        Time between refits, in the model's time units.
    names : list of str, optional
        Variables to forecast (default: the observed ones).
    **options
        Passed to :func:`calibrate` (``fixed``, ``bounds``, ``weights``, ...).

    Returns
    -------
    Recalibration

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("demo")
    >>> obs = dk.simulate(model, {"referral_rate": 45}).to_frame(["waiting_list"]).iloc[::12]
    >>> story = dk.recalibrate(model, obs, params=["referral_rate"], start=24, every=12)
    >>> list(story.params["fitted_until"])
    [24.0, 36.0, 48.0, 60.0]
    """
    import pandas as pd

    check_model(model)
    names_fit = name_list(params, "params")
    series = _observations(model, data)
    if isinstance(every, bool) or not isinstance(every, (int, float, np.integer, np.floating)) or not every > 0:
        raise ModelError(f"every must be a positive time step, got {every!r}")
    all_times = np.unique(np.concatenate([t for t, _ in series.values()]))
    counts = np.array([sum(int(np.sum(t <= c)) for t, _ in series.values()) for c in all_times])
    last = float(all_times[-1])
    if start is None:
        enough = np.flatnonzero(counts > len(names_fit))
        if not enough.size:
            raise ModelError("there are not more observations than parameters even with all the data")
        start = float(all_times[enough[0]])
    else:
        if isinstance(start, bool) or not isinstance(start, (int, float, np.integer, np.floating)):
            raise ModelError(f"start must be a time, got {start!r}")
        start = float(start)
        if not all_times[0] <= start <= last:
            raise ModelError(
                f"start={start:g} lies outside the data, which runs from {all_times[0]:g} to {last:g}", time=start
            )
    tol = 1e-9 * max(1.0, abs(last))
    cutoffs = list(np.arange(start, last + tol, every))
    if abs(cutoffs[-1] - last) > tol:
        cutoffs.append(last)
    forecast_names = list(series) if names is None else [check_variable(model, n) for n in name_list(names, "names")]
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    index = np.asarray(frame.index, dtype=float)
    initial = dict(options.pop("initial", None) or {})
    param_rows, forecast_frames, fits = [], [], []
    for cut in cutoffs:
        window = frame[index <= cut + tol]
        try:
            fit = calibrate(model, window, names_fit, initial=initial, **options)
        except ModelError as err:
            raise ModelError(f"refit with data up to {cut:g}: {err}", variable=err.variable, time=cut) from None
        fits.append(fit)
        initial = dict(fit.params)  # the next refit starts from what was learnt
        for name, row in fit.table.iterrows():
            param_rows.append({"fitted_until": float(cut), "param": name, "estimate": row["estimate"],
                               "std_error": row["std_error"], "low": row["low"], "high": row["high"]})
        long = fit.result.to_long(forecast_names)
        long.insert(0, "fitted_until", float(cut))
        forecast_frames.append(long)
    observed = pd.concat(
        [pd.DataFrame({"time": t, "variable": v, "value": y}) for v, (t, y) in series.items()], ignore_index=True
    )
    return Recalibration(pd.DataFrame(param_rows), pd.concat(forecast_frames, ignore_index=True), observed, fits)
