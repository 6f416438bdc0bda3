"""Results of runs: arrays inside, tidy pandas tables at the edge."""

from __future__ import annotations

import numpy as np

from .errors import ModelError
from .expressions import suggest

__all__ = ["Result", "EnsembleResult"]

DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _qlabel(q):
    return "median" if q == 0.5 else f"q{round(q * 100):02d}" if abs(q * 100 - round(q * 100)) < 1e-9 else f"q{q:g}"


class _Common:
    def _index(self, name):
        try:
            return self._pos[name]
        except KeyError:
            pass
        if name in self.params:
            return None
        known = list(self.names) + list(self.params)
        raise ModelError(
            f"no variable {name!r} in this result of model {self.model.name!r}" + suggest(name, known),
            variable=name,
        )

    def units(self, name):
        """Declared units of a variable ('' if none)."""
        return self.model[name].units

    def label(self, name):
        """Readable label of a variable, with units, for axes and tables."""
        from . import words  # the one rule for units a reader sees (none for a pure number)

        return words.axis_title(self.model[name])

    def _time_index(self, time):
        t = float(time)
        span = (self.time[0], self.time[-1])
        tol = 1e-9 * max(1.0, abs(t))
        if not span[0] - tol <= t <= span[1] + tol:
            raise ModelError(f"time {t:g} is outside the simulated span {span[0]:g} to {span[1]:g}", time=t)
        return int(np.argmin(np.abs(self.time - t)))


class Result(_Common):
    """One run of a model.

    Attributes
    ----------
    model : Model
    time : ndarray
        The time grid.
    names : tuple of str
        Recorded variables (stocks, flows and auxiliaries, in declaration order).
    values : ndarray, shape (len(time), len(names))
    params : dict
        The parameter values used.
    method : str

    Examples
    --------
    >>> import dpmkit as dk
    >>> r = dk.simulate(dk.models.load("demo"))
    >>> r["waiting_list"].shape == r.time.shape
    True
    """

    def __init__(self, model, time, names, values, params, method):
        self.model = model
        self.time = time
        self.names = names
        self.values = values
        self.params = params
        self.method = method
        self._pos = {n: k for k, n in enumerate(names)}

    def __getitem__(self, name):
        k = self._index(name)
        if k is None:
            return np.full(self.time.shape, self.params[name])
        return self.values[:, k]

    def __contains__(self, name):
        return name in self._pos or name in self.params

    def __repr__(self):
        return (
            f"<Result of {self.model.name!r}: {len(self.names)} variables, "
            f"{self.time[0]:g} to {self.time[-1]:g} {self.model.time_units} by {self.time[1] - self.time[0]:g} "
            f"({self.method})>"
        )

    def final(self, name):
        """Value of ``name`` at the last time."""
        return float(self[name][-1])

    def at(self, time, name):
        """Value of ``name`` at the saved time closest to ``time`` (must lie in the run)."""
        return float(self[name][self._time_index(time)])

    def to_frame(self, names=None, params=True):
        """Wide DataFrame: index ``time``, one column per variable (parameters too)."""
        import pandas as pd

        if names is None:
            frame = pd.DataFrame(self.values, index=pd.Index(self.time, name="time"), columns=list(self.names))
            if params:
                for k, v in self.params.items():
                    frame[k] = v
            return frame
        names = [names] if isinstance(names, str) else list(names)
        return pd.DataFrame({n: self[n] for n in names}, index=pd.Index(self.time, name="time"))

    def to_long(self, names=None):
        """Tidy DataFrame with columns ``time, variable, value`` (ready for Altair)."""
        wide = self.to_frame(names, params=False)
        return wide.reset_index().melt(id_vars="time", var_name="variable", value_name="value")


class EnsembleResult(_Common):
    """Many runs of one model at once.

    Attributes
    ----------
    values : ndarray, shape (len(time), len(names), n_runs)
    samples : dict
        The sampled parameter values, name -> array of n_runs.
    params : dict
        The parameters held fixed.
    """

    def __init__(self, model, time, names, values, samples, params, method):
        self.model = model
        self.time = time
        self.names = names
        self.values = values
        self.samples = samples
        self.params = params
        self.method = method
        self._pos = {n: k for k, n in enumerate(names)}

    @property
    def n_runs(self):
        return self.values.shape[2]

    def __len__(self):
        return self.n_runs

    def __repr__(self):
        return (
            f"<EnsembleResult of {self.model.name!r}: {self.n_runs} runs, {len(self.names)} variables, "
            f"varying {', '.join(self.samples) or 'nothing'}>"
        )

    def __getitem__(self, name):
        """Trajectories of ``name`` as an array (time, run)."""
        if name in self.samples:
            return np.broadcast_to(self.samples[name], (len(self.time), self.n_runs))
        k = self._index(name)
        if k is None:
            return np.full((len(self.time), self.n_runs), self.params[name])
        return self.values[:, k, :]

    def member(self, k):
        """Run ``k`` as a :class:`Result`."""
        if not -self.n_runs <= k < self.n_runs:
            raise ModelError(f"run {k} does not exist; this ensemble has {self.n_runs} runs")
        params = dict(self.params)
        params.update({n: float(a[k]) for n, a in self.samples.items()})
        return Result(self.model, self.time, self.names, np.ascontiguousarray(self.values[:, :, k]), params,
                      self.method)

    def final(self, name):
        """Values of ``name`` at the last time, one per run."""
        return np.array(self[name][-1], dtype=float)

    def at(self, time, name):
        """Values of ``name`` at ``time``, one per run."""
        return np.array(self[name][self._time_index(time)], dtype=float)

    def quantiles(self, name, q=DEFAULT_QUANTILES):
        """Quantiles across runs over time, array of shape (len(q), len(time))."""
        return np.quantile(self[name], q, axis=1)

    def summary(self, names=None, q=DEFAULT_QUANTILES):
        """Tidy DataFrame of bands: ``time, variable, mean, q05, q25, median, q75, q95``."""
        import pandas as pd

        names = self.names if names is None else ([names] if isinstance(names, str) else list(names))
        frames = []
        for n in names:
            data = self[n]
            cols = {"time": self.time, "variable": n, "mean": data.mean(axis=1)}
            for qq, row in zip(q, np.quantile(data, q, axis=1)):
                cols[_qlabel(qq)] = row
            frames.append(pd.DataFrame(cols))
        return pd.concat(frames, ignore_index=True)

    def to_frame(self, names=None, max_rows=2_000_000):
        """Long DataFrame ``time, run, variable, value`` — every run, every time.

        Refuses (ModelError) above ``max_rows`` rows; pick ``names`` or use
        :meth:`summary` instead.
        """
        import pandas as pd

        names = self.names if names is None else ([names] if isinstance(names, str) else list(names))
        rows = len(self.time) * self.n_runs * len(names)
        if rows > max_rows:
            raise ModelError(
                f"that table would have {rows:,} rows (limit {max_rows:,}); choose fewer names, "
                "use .summary() for bands, or raise max_rows on purpose"
            )
        frames = []
        run = np.tile(np.arange(self.n_runs), len(self.time))
        time = np.repeat(self.time, self.n_runs)
        for n in names:
            frames.append(pd.DataFrame({"time": time, "run": run, "variable": n, "value": self[n].ravel()}))
        return pd.concat(frames, ignore_index=True)
