"""The clustering test: do families of outcomes move together in this context?"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelError
from ..simulate import ensemble, sample_params
from ._common import check_count, check_direction, check_model, check_time, check_variable, name_list
from .montecarlo import _default_vary

__all__ = ["clustering_test", "ClusteringTest"]


def _families(model, families):
    if not hasattr(families, "items") or len(families) < 2:
        raise ModelError(
            "families must be a dict of at least two families, each a list of indicator variables, e.g. "
            "{'quality_of_life': ['served'], 'governance': ['trust']}; use {'waiting_time': 'min'} for an "
            "indicator where lower is better"
        )
    out = {}
    for fam, members in families.items():
        if not isinstance(fam, str) or not fam:
            raise ModelError(f"family names must be text, got {fam!r}")
        if hasattr(members, "items"):
            items = [(check_variable(model, k, f"indicator of family {fam!r}"), check_direction(d, k))
                     for k, d in members.items()]
            if not items:
                raise ModelError(f"family {fam!r} has no indicators")
        else:
            items = [(check_variable(model, k, f"indicator of family {fam!r}"), "max")
                     for k in name_list(members, f"family {fam!r}")]
        out[fam] = items
    return out


def _corr(a, b):
    """Pearson correlation along the last axis."""
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    den = np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (a * b).sum(axis=-1) / np.where(den > 0, den, 1.0), np.nan)


def _ranks(x):
    from scipy.stats import rankdata

    return rankdata(x, axis=-1)


class ClusteringTest:
    """The outcome of :func:`clustering_test`.

    Attributes
    ----------
    holds : bool or None
        True: clustering holds in this context; False: it does not; None: inconclusive.
    decision : str
        ``holds`` in words, for a printout a reader who does not code reads:
        ``"holds"``, ``"does not hold"`` or ``"inconclusive"``.
    verdict : str
        The finding in plain language.
    correlation, low, high : float
        Correlation between the family scores and its confidence interval (for two
        families; with more, see ``pairs``).
    pairs : pandas.DataFrame
        One row per pair of families: ``family_a, family_b, correlation, low, high, holds, verdict``.
    scores : pandas.DataFrame
        One row per run: each family's score (mean of its standardised indicators,
        signed so that higher is better) and the sampled parameter values.
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        return self.verdict

    @property
    def decision(self):
        return {True: "holds", False: "does not hold", None: "inconclusive"}[self.holds]


def _level(confidence):
    """95% or 98.75%: as many decimals as the level needs."""
    text = f"{confidence * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _runs_to_decide(r, threshold, confidence, method):
    """About how many runs a Fisher interval around ``r`` needs to clear ``threshold``
    (``inf`` when ``r`` sits on it). Rounded up to a hundred."""
    from scipy.stats import norm

    if not np.isfinite(r):
        return math.inf
    gap = abs(math.atanh(min(max(r, -0.999999), 0.999999)) - math.atanh(threshold))
    if gap < 1e-9:
        return math.inf
    zc = float(norm.ppf(0.5 + confidence / 2))
    need = 3 + (1.06 if method == "spearman" else 1.0) * (zc / gap) ** 2
    return int(math.ceil(need / 100.0) * 100)


def _verdict(a, b, r, lo, hi, threshold, n, confidence, note=None, to_decide=None):
    level = _level(confidence)
    if note:
        return None, f"Inconclusive for {a} and {b}: {note}."
    stats = f"r = {r:.2f}, {level} interval {lo:.2f} to {hi:.2f}, {n:,} runs"
    if lo > threshold:
        return True, (f"Clustering holds in this context: across plausible parameter values, runs with better "
                      f"{a} also have better {b} ({stats}).")
    if hi < threshold:
        if hi < 0:
            return False, (f"Clustering does not hold in this context: {a} and {b} trade off — runs with better "
                           f"{a} have worse {b} ({stats}).")
        return False, (f"Clustering does not hold in this context: {a} and {b} move largely independently; "
                       f"any association is weaker than the threshold of {threshold:g} ({stats}).")
    more = ("more runs will not settle it: the correlation sits on the threshold" if to_decide in (None, math.inf)
            else f"about {to_decide:,} runs would decide it if the correlation stays near {r:.2f}")
    return None, (f"Inconclusive for {a} and {b}: the interval includes the threshold of {threshold:g} ({stats}); "
                  f"{more}, or use narrower uncertainty ranges.")


def clustering_test(
    model,
    families,
    *,
    n=500,
    seed=None,
    at=None,
    vary=None,
    params=None,
    sampling="lhs",
    method="pearson",
    interval="fisher",
    confidence=0.95,
    threshold=0.3,
    n_boot=2000,
    events=None,
    integration=None,
    max_runs=None,
    ranges=None,
):
    """Test whether families of outcomes move together across plausible parameter values.

    The seed papers argue that clustering of quality-of-life outcomes with governance
    outcomes "can never be taken for granted but must be tested in each specific
    policy context". This runs an ensemble over the uncertain parameters, scores each
    family in each run (the mean of its indicators, each standardised across runs and
    signed so that higher is better), and estimates the correlation between family
    scores with a confidence interval.

    Clustering **holds** when the whole interval lies above ``threshold``; it **does
    not hold** when the whole interval lies below it (a trade-off if below zero);
    otherwise the test is **inconclusive**. An inconclusive verdict says about how
    many runs would decide it, if the correlation stays where it is.

    With ``max_runs``, the test is **sequential**: it starts with ``n`` runs and
    doubles them (``n``, ``2n``, ``4n``, ... up to ``max_runs``) until every pair of
    families is decided, and reports the number of runs it needed. Looking at the
    interval several times would make a chance verdict likelier, so each look uses a
    wider interval: with ``k`` planned looks, level ``1 - (1 - confidence) / k``
    (Bonferroni), which keeps the chance of a wrong verdict over all looks within
    ``1 - confidence``.

    Parameters
    ----------
    model : Model
    families : dict
        ``{family: [indicator, ...]}`` (higher is better) or
        ``{family: {indicator: "max" or "min"}}``. At least two families.
    n : int
        Runs in the ensemble (the first look, when sequential).
    seed : int, optional
        Seed for :func:`numpy.random.default_rng` (sampling and bootstrap).
    at : float, optional
        Time at which indicators are read (default: the end of the run).
    vary : list of str, optional
        Parameters to sample (default: the uncertain ones that are not policy levers),
        each within its uncertainty range, else its bounds.
    params : dict, optional
        Values for the parameters that are not sampled.
    sampling : {"lhs", "sobol", "random"}
    method : {"pearson", "spearman"}
        Correlation of the scores (Spearman: of their ranks).
    interval : {"fisher", "bootstrap"}
        Fisher's z transformation, or a percentile bootstrap of the runs.
    confidence : float
        Level of the interval (over all looks, when sequential).
    threshold : float
        Smallest correlation counted as "moving together" (0.3: a moderate association).
    n_boot : int
        Bootstrap resamples (``interval="bootstrap"``).
    events, integration
        As in :func:`dpmkit.simulate` (``integration`` is its ``method``).
    max_runs : int, optional
        Make the test sequential, adding runs up to this many.
    ranges : dict or pandas.DataFrame, optional
        ``{parameter: (low, high)}`` sampling ranges that replace the declared
        uncertainty ranges, e.g. the intervals a calibration found
        (``fit.table``, with ``low`` and ``high`` columns). These parameters are sampled.

    Returns
    -------
    ClusteringTest
        ``.holds`` (True, False or None), ``.verdict`` (text), ``.correlation``,
        ``.low``, ``.high``, ``.pairs``, ``.scores``, ``.n_runs`` (runs used),
        ``.decided``, ``.runs_to_decide`` (about how many runs would decide an
        inconclusive test; None once decided), ``.looks`` (one row per look and pair).

    Examples
    --------
    >>> import dpmkit as dk
    >>> test = dk.clustering_test(dk.models.load("demo"),
    ...     {"service": ["served"], "workforce": ["staff", "morale"]}, n=300, seed=1)
    >>> test.holds in (True, False, None)
    True
    >>> seq = dk.clustering_test(dk.models.load("demo"),
    ...     {"service": ["served"], "workforce": ["staff", "morale"]}, n=100, max_runs=800, seed=1)
    >>> seq.n_runs in (100, 200, 400, 800)
    True
    """
    import pandas as pd

    check_model(model)
    fams = _families(model, families)
    n = check_count(n, "n (the number of runs)", 4)
    at = check_time(model, at)
    if method not in ("pearson", "spearman"):
        raise ModelError(f"method must be 'pearson' or 'spearman', got {method!r}")
    if interval not in ("fisher", "bootstrap"):
        raise ModelError(f"interval must be 'fisher' or 'bootstrap', got {interval!r}")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ModelError(f"confidence must be between 0 and 1, got {confidence!r}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not -1 < threshold < 1:
        raise ModelError(f"threshold must be a correlation between -1 and 1, got {threshold!r}")
    n_boot = check_count(n_boot, "n_boot", 10)
    sizes = [n]
    if max_runs is not None:
        max_runs = check_count(max_runs, "max_runs", 4)
        if max_runs < n:
            raise ModelError(f"max_runs ({max_runs:,}) must be at least n ({n:,}), the runs of the first look")
        while sizes[-1] * 2 <= max_runs:
            sizes.append(sizes[-1] * 2)
        if sizes[-1] < max_runs:
            sizes.append(max_runs)
    look_confidence = 1 - (1 - confidence) / len(sizes)
    model, ranged = _with_ranges(model, ranges)
    if vary is None:
        vary = _default_vary(model, params)
        vary += [p for p in ranged if p not in vary]
    else:
        vary = name_list(vary, "vary")
    rng = np.random.default_rng(seed)
    record = list(dict.fromkeys(v for items in fams.values() for v, _ in items))
    values = {v: [] for v in record}
    sample_parts = []
    looks = []
    ens = None
    for size in sizes:
        have = sum(len(part[vary[0]]) for part in sample_parts) if sample_parts else 0
        batch = sample_params(model, size - have, vary=vary, sampling=sampling, seed=rng)
        ens = ensemble(model, samples=batch, params=params, events=events, method=integration, record=record)
        sample_parts.append(batch)
        for v in record:
            values[v].append(np.asarray(ens.at(at, v), dtype=float))
        joined = {v: np.concatenate(values[v]) for v in record}
        rows, scores = _pairs(fams, joined, size, at, method, interval, look_confidence, threshold, rng, n_boot)
        looks += [dict(runs=size, **row) for row in rows]
        if all(row["holds"] is not None for row in rows):
            break
    n_runs = size
    decided = all(row["holds"] is not None for row in rows)
    to_decide = None
    if not decided:
        need = [_runs_to_decide(row["correlation"], threshold, look_confidence, method)
                for row in rows if row["holds"] is None and np.isfinite(row["correlation"])]
        to_decide = max(need) if need else math.inf
    pairs = pd.DataFrame(rows)
    flags = [row["holds"] for row in rows]
    if all(f is True for f in flags):
        holds = True
    elif any(f is False for f in flags):
        holds = False
    else:
        holds = None
    if len(rows) == 1:
        verdict = rows[0]["verdict"]
        correlation, low, high = rows[0]["correlation"], rows[0]["low"], rows[0]["high"]
    else:
        head = {True: "Clustering holds for every pair of families.",
                False: "Clustering does not hold for at least one pair of families.",
                None: "Inconclusive for at least one pair of families."}[holds]
        verdict = "\n".join([head] + [f"- {row['verdict']}" for row in rows])
        correlation = low = high = np.nan
    if len(sizes) > 1:
        plan = (f"runs were added in doubling steps from {n:,} up to at most {max_runs:,}; each look used a "
                f"{_level(look_confidence)} interval, so that the {_level(confidence)} level holds over all "
                f"{len(sizes)} possible looks")
        if decided:
            verdict += f"\nDecided after {n_runs:,} runs ({plan})."
        elif to_decide == math.inf:
            verdict += f"\nStill undecided after {n_runs:,} runs ({plan}); the correlation sits on the threshold."
        else:
            verdict += (f"\nStill undecided after {n_runs:,} runs ({plan}); about {to_decide:,} runs would decide "
                        "it if the correlation stays where it is.")
    samples = {k: np.concatenate([part[k] for part in sample_parts]) for k in vary}
    score_frame = pd.DataFrame({**{f"{k}": v for k, v in scores.items()}, **samples})
    return ClusteringTest(
        holds=holds, verdict=verdict, correlation=correlation, low=low, high=high, pairs=pairs,
        scores=score_frame, n_runs=n_runs, at=at, threshold=threshold, method=method, families=fams,
        ensemble=ens if len(sample_parts) == 1 else None, decided=decided,
        runs_to_decide=None if decided else to_decide, looks=pd.DataFrame(looks), confidence=confidence,
        look_confidence=look_confidence, max_runs=max_runs,
    )


def _with_ranges(model, ranges):
    """The model with sampling ranges replaced, and the names of the parameters given."""
    from dataclasses import replace

    if ranges is None:
        return model, []
    if hasattr(ranges, "columns"):
        if not {"low", "high"} <= set(ranges.columns):
            raise ModelError("ranges given as a table need 'low' and 'high' columns, one row per parameter "
                             "(as in a calibration's .table)")
        ranges = {str(k): (row["low"], row["high"]) for k, row in ranges.iterrows()}
    if not hasattr(ranges, "items"):
        raise ModelError("ranges must be a dict {parameter: (low, high)} or a table with low and high columns")
    params = model.params_by_name
    changed, names = [], []
    for name, pair in ranges.items():
        if name not in params:
            from ..expressions import suggest

            raise ModelError(f"ranges names {name!r}, which is not a parameter of model {model.name!r}"
                             + suggest(str(name), list(params)), variable=str(name))
        try:
            lo, hi = (float(x) for x in pair)
        except (TypeError, ValueError):
            raise ModelError(f"ranges[{name!r}] must be a pair of numbers (low, high), got {pair!r}",
                             variable=name) from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ModelError(f"ranges[{name!r}] must be finite with low < high, got ({lo:g}, {hi:g})", variable=name)
        changed.append(replace(params[name], uncertainty=(lo, hi)))
        names.append(name)
    return model.with_variables(*changed), names


def _pairs(fams, values, n, at, method, interval, confidence, threshold, rng, n_boot):
    """Score each family over the runs so far, and judge each pair of families."""
    scores, notes = {}, {}
    for fam, items in fams.items():
        parts = []
        for var, direction in items:
            x = values[var]
            sd = x.std()
            if sd > 1e-12 * max(1.0, float(np.abs(x).max())):
                parts.append((x - x.mean()) / sd * (1 if direction == "max" else -1))
        if parts:
            scores[fam] = np.mean(parts, axis=0)
        else:
            scores[fam] = np.full(n, np.nan)
            notes[fam] = f"{fam} does not vary across the runs at time {at:g}, so it cannot move with anything"
    z = _ranks if method == "spearman" else (lambda x: x)
    rows = []
    names = list(fams)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            a, b = names[i], names[j]
            note = notes.get(a) or notes.get(b)
            r = lo = hi = np.nan
            if not note:
                xa, xb = z(scores[a]), z(scores[b])
                r = float(_corr(xa, xb))
                if interval == "fisher":
                    lo, hi = _fisher(r, n, confidence, method)
                else:
                    lo, hi = _bootstrap(scores[a], scores[b], z, rng, n_boot, confidence)
            to_decide = None
            if not note and not (lo > threshold or hi < threshold):
                to_decide = _runs_to_decide(r, threshold, confidence, method)
            holds, text = _verdict(a, b, r, lo, hi, threshold, n, confidence, note, to_decide)
            rows.append({"family_a": a, "family_b": b, "correlation": r, "low": lo, "high": hi,
                         "holds": holds, "verdict": text})
    return rows, scores


def _fisher(r, n, confidence, method):
    from scipy.stats import norm

    if n <= 3:
        return -1.0, 1.0
    # Spearman's z has a slightly larger variance (Fieller, Hartley and Pearson 1957).
    se = math.sqrt((1.06 if method == "spearman" else 1.0) / (n - 3))
    zc = float(norm.ppf(0.5 + confidence / 2))
    zr = math.atanh(min(max(r, -0.999999999), 0.999999999))
    return math.tanh(zr - zc * se), math.tanh(zr + zc * se)


def _bootstrap(a, b, z, rng, n_boot, confidence, block=256):
    n = len(a)
    out = []
    for lo in range(0, n_boot, block):
        idx = rng.integers(0, n, size=(min(block, n_boot - lo), n))
        out.append(_corr(z(a[idx]), z(b[idx])))
    r = np.concatenate(out)
    r = r[np.isfinite(r)]
    alpha = (1 - confidence) / 2
    return float(np.quantile(r, alpha)), float(np.quantile(r, 1 - alpha))
