"""Plausible ballots for rehearsing a session or trying the dashboard."""

from __future__ import annotations

from ..errors import ModelError
from .ballot import _as_model, _short, make_ballot, prediction_spec

#: The most example ballots made at once (a large class is a few hundred).
MAX_EXAMPLES = 10_000


_HYPOTHESES = (
    "If we protect front-line capacity, the outcome improves within a year.",
    "Cutting faster saves money now but the outcome gets worse later.",
    "Investing in relationships pays off, but only after a delay.",
    "Nothing much changes: the system absorbs what we do.",
    "Results get worse before they get better.",
)


_DECISIONS = (
    "Phase the change over three years and review after two.",
    "Keep the lever where it is and invest in learning instead.",
    "Push the main lever hard now, and accept a dip in year one.",
    "Ask the providers and young people before deciding.",
)


def example_ballots(model, n=12, *, seed=None, tables=4, round="1", predict=None):
    """Plausible ballots for rehearsing a session or trying the dashboard.

    Each ballot moves some policy levers away from their defaults and predicts some
    variables (near, but not exactly at, what its settings produce). Randomness only from
    ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    model : Model or str
    n : int
        Number of ballots.
    seed : int, optional
    tables : int
        Ballots are spread over this many tables.
    round : str
    predict : str, list or dict, optional
        What the ballots predict, as in :func:`ballot_widget` (default: up to two
        end results, at the end of the run).

    Returns
    -------
    list of Ballot

    Examples
    --------
    >>> import dpmkit as dk
    >>> ballots = example_ballots("demo", 6, seed=1)
    >>> len(ballots), ballots[0].model
    (6, 'demo')
    """
    import numpy as np

    from ..simulate import simulate

    model = _as_model(model)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_EXAMPLES:
        raise ModelError(f"n must be a whole number from 1 to {MAX_EXAMPLES:,}, got {_short(n)}")
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise ModelError(f"seed must be a whole number (or None for a new draw each time), "
                         f"got {_short(seed)}") from None
    levers = [p for p in model.policy_levers if p.bounds] or [p for p in model.params if p.bounds][:3]
    spec = prediction_spec(model, predict)
    names = ("Asha", "Ben", "Chloé", "Dev", "Eilidh", "Femi", "Gosia", "Hamid", "Iris", "Jon", "Kemi", "Luca")
    roles = ("commissioner", "provider", "young people's representatives", "inspectorate")
    out = []
    for k in range(n):
        params = {}
        for p in levers:
            if rng.random() < 0.7:
                lo, hi = p.bounds
                value = float(np.clip(p.default + rng.normal(0, 0.25) * (hi - lo), lo, hi))
                params[p.name] = float(f"{value:.3g}")
                params[p.name] = min(max(params[p.name], lo), hi)
        result = simulate(model, params)
        predictions = {}
        for v, t in spec:
            actual = result.at(t, v)
            scale = max(abs(actual), abs(float(np.mean(result[v]))), 1e-9)
            guess = float(f"{actual + rng.normal(0, 0.3) * scale:.3g}")
            if guess < 0 <= float(np.min(result[v])):  # nobody predicts -0.8 £m of a budget that cannot go below 0
                guess = 0.0
            predictions.setdefault(v, {})[t] = guess
        table = k % max(int(tables), 1) + 1
        out.append(make_ballot(
            model, params=params, predictions=predictions,
            hypothesis=_HYPOTHESES[int(rng.integers(len(_HYPOTHESES)))],
            decision=_DECISIONS[int(rng.integers(len(_DECISIONS)))],
            participant=names[k % len(names)] + ("" if k < len(names) else f" {k // len(names) + 1}"),
            table=f"Table {table}", role=roles[(table - 1) % len(roles)], round=str(round),
        ))
    return out
