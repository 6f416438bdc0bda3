"""Plain-text summaries of trajectories: what rises, what falls, when it peaks."""

from __future__ import annotations

import numpy as np

from .. import words
from ..errors import ModelError
from ._style import _as_list, _filter_variables, _names, _pandas


def _describe_series(label, time, values, time_units):
    """One sentence: what rises, what falls, when it peaks."""
    y = np.asarray(values, dtype=float)
    t = np.asarray(time, dtype=float)
    ok = np.isfinite(y)
    if not ok.any():
        return f"{label} has no finite values."
    y, t = y[ok], t[ok]
    start, end = y[0], y[-1]
    lo, hi = float(y.min()), float(y.max())
    span = hi - lo
    scale = max(abs(lo), abs(hi))
    if span <= 0.01 * scale or span == 0:
        return f"{label} stays level at about {words.number(np.mean(y))}."
    imax, imin = int(np.argmax(y)), int(np.argmin(y))

    def when(k):  # a turning point the search found: rounded as a person says it ("in about week 49")
        return f"in {words.moment(t[k], time_units, t[0], t[-1])}"
    # A turning point counts only if it stands out from both ends by 5% of the range.
    peak = 0 < imax < len(y) - 1 and hi - max(start, end) > 0.05 * span
    trough = 0 < imin < len(y) - 1 and min(start, end) - lo > 0.05 * span
    if peak and trough:
        first, second = sorted([(imax, "peak", hi), (imin, "low", lo)])
        return (
            f"{label} starts at {words.number(start)}, reaches a {first[1]} of {words.number(first[2])} "
            f"{when(first[0])} and a {second[1]} of {words.number(second[2])} "
            f"{when(second[0])}, and ends at {words.number(end)}."
        )
    if peak:
        return (
            f"{label} rises from {words.number(start)} to a peak of {words.number(hi)} "
            f"{when(imax)}, "
            f"then falls to {words.number(end)}."
        )
    if trough:
        return (
            f"{label} falls from {words.number(start)} to a low of {words.number(lo)} "
            f"{when(imin)}, "
            f"then recovers to {words.number(end)}."
        )
    verb = "rises" if end > start else "falls"
    change = ""
    if start != 0 and np.sign(start) == np.sign(end):
        change = f" ({(end - start) / abs(start):+,.0%})"
    return f"{label} {verb} from {words.number(start)} to {words.number(end)}{change}."


def describe(data, names=None, *, time_units=None, labels=None):
    """A plain-text summary of trajectories: what rises, what falls, when it peaks.

    Parameters
    ----------
    data : Result, EnsembleResult or DataFrame
        A run; an ensemble (its median is described); a tidy frame with columns
        ``time, variable, value`` (and optionally ``scenario``); an ensemble summary
        (``time, variable, median, ...``); or a wide frame indexed by time.
    names : list of str, optional
        Variables to describe (default: all in ``data``, or the stocks of a run).
    time_units : str, optional
        E.g. ``"month"``; taken from the model when ``data`` is a result.
    labels : dict, optional
        Readable names for variables in a frame.

    Returns
    -------
    str
        One sentence per variable (and per scenario).

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.Model("grow", [dk.Stock("users", 100, units="people"),
    ...     dk.Flow("joining", "users * growth", into="users", units="people/year"),
    ...     dk.Param("growth", 0.1, units="1/year")], stop=5)
    >>> dk.charts.describe(dk.simulate(model), ["users"], time_units="year")
    'Users (people) rises from 100 to 161 (+61%).'
    """
    from ..results import EnsembleResult, Result

    labels = dict(labels or {})
    if isinstance(data, Result):
        names = _names(data, names)
        tu = time_units if time_units is not None else data.model.time_units
        return " ".join(_describe_series(words.axis_title(data.model[n]), data.time, data[n], tu) for n in names)
    if isinstance(data, EnsembleResult):
        names = _names(data, names)
        tu = time_units if time_units is not None else data.model.time_units
        return " ".join(
            _describe_series(f"The median of {words.axis_title(data.model[n])}", data.time,
                             np.median(data[n], axis=1), tu)
            for n in names
        )
    pd = _pandas()
    if not isinstance(data, pd.DataFrame):
        raise ModelError(
            f"describe() takes a Result, an EnsembleResult or a DataFrame, not {type(data).__name__}"
        )
    cols = set(data.columns)
    if {"time", "variable"} <= cols and ("value" in cols or "median" in cols):
        column = "value" if "value" in cols else "median"
        prefix = "" if column == "value" else "The median of "
        frame = data if names is None else _filter_variables(data, names)
        sentences = []
        groups = [(None, frame)] if "scenario" not in cols else list(frame.groupby("scenario", sort=False))
        for scen, sub in groups:
            for var, part in sub.groupby("variable", sort=False):
                part = part.sort_values("time")
                label = prefix + labels.get(var, str(var))
                if scen is not None:
                    label = f"In scenario {scen!r}, {label[:1].lower() + label[1:] if prefix else label}"
                sentences.append(_describe_series(label, part["time"], part[column], time_units))
        return " ".join(sentences)
    names = list(data.columns) if names is None else _as_list(names)
    missing = [n for n in names if n not in cols]
    if missing:
        raise ModelError(f"no column {missing[0]!r} in the table; it has: {', '.join(map(str, data.columns))}",
                         variable=str(missing[0]))
    time = data.index.to_numpy(dtype=float)
    return " ".join(_describe_series(labels.get(n, str(n)), time, data[n], time_units) for n in names)
