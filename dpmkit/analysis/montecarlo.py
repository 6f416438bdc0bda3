"""Monte-Carlo uncertainty bands from the model's declared uncertainty ranges."""

from __future__ import annotations

import numpy as np

from ..errors import ModelError
from ..results import DEFAULT_QUANTILES, EnsembleResult, _qlabel
from ..simulate import ensemble, sample_params
from ._common import (
    MAX_BYTES,
    Progress,
    check_count,
    check_model,
    check_param,
    check_time,
    check_variable,
    name_list,
    recorded_names,
)

__all__ = ["uncertainty", "UncertaintyResult"]


class UncertaintyResult:
    """Bands over time from a Monte-Carlo ensemble.

    Attributes
    ----------
    bands : pandas.DataFrame
        Tidy table ``time, variable, mean, q05, q25, median, q75, q95`` (one column per
        requested quantile).
    ensemble : EnsembleResult
        Every run, for further analysis (``.ensemble["waiting_list"]`` is (time, run)).
    samples : dict
        The sampled parameter values, name -> array with one value per run.
    vary : tuple of str
        The uncertain parameters that were sampled.
    """

    def __init__(self, ens, bands, vary, q, seed):
        self.ensemble = ens
        self.bands = bands
        self.samples = ens.samples
        self.vary = tuple(vary)
        self.q = tuple(q)
        self.seed = seed

    @property
    def n_runs(self):
        return self.ensemble.n_runs

    def at(self, time):
        """The spread across runs at one time: one row per variable."""
        t = check_time(self.ensemble.model, time, "time")
        k = int(np.argmin(np.abs(self.ensemble.time - t)))
        rows = self.bands[self.bands["time"] == self.ensemble.time[k]]
        return rows.drop(columns="time").set_index("variable")

    def __repr__(self):
        return (
            f"<UncertaintyResult of {self.ensemble.model.name!r}: {self.n_runs:,} runs varying "
            f"{', '.join(self.vary)}; bands of {', '.join(self.ensemble.names)} in .bands>"
        )


def bands(values, time, names, q):
    """Tidy bands from trajectories ``values`` of shape (time, variable, run).

    Same numbers as :func:`numpy.quantile` (linear interpolation), computed by one
    in-place sort per variable, which is several times faster than ``np.quantile``
    for many runs.
    """
    import pandas as pd

    n = values.shape[2]
    frames = []
    for k, name in enumerate(names):
        a = np.array(values[:, k, :])  # contiguous copy, sorted in place
        cols = {"time": time, "variable": name, "mean": a.mean(axis=1)}
        a.sort(axis=1)
        for qq in q:
            pos = (n - 1) * qq
            lo = int(np.floor(pos))
            hi = min(lo + 1, n - 1)
            frac = pos - lo
            cols[_qlabel(qq)] = a[:, lo] + (a[:, hi] - a[:, lo]) * frac if frac else a[:, lo].copy()
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True)


def _default_vary(model, params):
    held = set(params or {})
    vary = [p.name for p in model.uncertainties if p.role != "policy_lever" and p.name not in held]
    if not vary:
        raise ModelError(
            f"model {model.name!r} declares no uncertain parameters (other than policy levers) to vary; "
            "give a Param an uncertainty=(low, high) range, or name them with vary=[...]"
        )
    return vary


def uncertainty(
    model,
    n=1000,
    *,
    vary=None,
    seed=None,
    sampling="lhs",
    params=None,
    names=None,
    q=DEFAULT_QUANTILES,
    events=None,
    method=None,
    chunk=2000,
    progress=None,
    max_bytes=MAX_BYTES,
):
    """Monte-Carlo bands: how uncertain parameters spread the model's trajectories.

    Each uncertain parameter is drawn within its declared ``uncertainty`` range
    (Latin hypercube by default). Policy levers are choices, not uncertainties: they
    stay at their values (set them with ``params``). The runs are vectorised and done
    in chunks of ``chunk`` runs, reporting progress after each.

    Parameters
    ----------
    model : Model
    n : int
        Number of runs.
    vary : list of str, optional
        Parameters to sample; default: every parameter with an uncertainty range that
        is not a policy lever and not set in ``params``.
    seed : int, optional
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same bands.
    sampling : {"lhs", "sobol", "random"}
        See :func:`dpmkit.sample_params`.
    params : dict, optional
        Values for parameters held fixed in every run (policy levers, for instance).
    names : list of str, optional
        Variables to compute bands for (default: every stock, flow and auxiliary).
    q : sequence of float
        Quantiles for the bands; 0.5 is labelled ``median``.
    events, method
        As in :func:`dpmkit.simulate`.
    chunk : int
        Runs per vectorised batch (progress is reported after each).
    progress : None, bool or callable
        None: a progress bar in a Jupyter notebook when ipywidgets is installed and
        there is more than one chunk, silent elsewhere; True: a bar in a notebook
        even for one chunk; False: silent; a function ``f(done, total)``: called
        after each chunk.
    max_bytes : int
        Refuse (ModelError) if the trajectories kept would need more memory than this.

    Returns
    -------
    UncertaintyResult
        ``.bands`` is the tidy table of bands; ``.ensemble`` holds every run.

    Examples
    --------
    >>> import dpmkit as dk
    >>> u = dk.uncertainty(dk.models.load("demo"), n=200, seed=1, names=["waiting_list"])
    >>> list(u.bands.columns)
    ['time', 'variable', 'mean', 'q05', 'q25', 'median', 'q75', 'q95']
    """
    check_model(model)
    n = check_count(n, "n (the number of runs)")
    chunk = check_count(chunk, "chunk")
    if vary is None:
        vary = _default_vary(model, params)
    else:
        vary = name_list(vary, "vary")
        for name in vary:
            p = check_param(model, name)
            if p.role == "policy_lever":
                raise ModelError(
                    f"{name!r} is a policy lever: a choice, not an uncertainty. Hold it at a value with "
                    "params={...}, compare choices with dk.compare, or explore them with dk.frontier",
                    variable=name,
                )
    try:
        qs = [float(x) for x in q]
    except (TypeError, ValueError):
        raise ModelError(f"q must be a list of quantiles between 0 and 1, got {q!r}") from None
    if not qs or not all(0.0 <= x <= 1.0 for x in qs):
        raise ModelError(f"q must be a non-empty list of quantiles between 0 and 1, got {q!r}")
    record = list(recorded_names(model)) if names is None else [
        check_variable(model, v) for v in name_list(names, "names")
    ]
    steps = len(model.time)
    nbytes = steps * len(record) * n * 8
    if nbytes > max_bytes:
        raise ModelError(
            f"{n:,} runs of {len(record)} variables over {steps:,} times would need {nbytes / 1024**3:.1f} GiB "
            f"(limit {max_bytes / 1024**3:.1f} GiB): name fewer variables with names=[...], use fewer runs, "
            "or raise max_bytes if the machine has the memory"
        )
    samples = sample_params(model, n, vary=vary, sampling=sampling, seed=seed)
    out = np.empty((steps, len(record), n))
    report = Progress(progress, n, "runs", chunks=-(-n // chunk))
    fixed = None
    time = None
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        part = ensemble(model, samples={k: v[lo:hi] for k, v in samples.items()}, params=params,
                        method=method, events=events, record=record, max_bytes=max_bytes,
                        _part_of=n)  # every part runs as the whole job would (numba for many runs)
        out[:, :, lo:hi] = part.values
        fixed, time = part.params, part.time
        report.update(hi)
    report.close()
    ens = EnsembleResult(model, time, tuple(record), out, samples, fixed, part.method)
    return UncertaintyResult(ens, bands(out, time, record, qs), vary, qs, seed)
