"""The debrief of a game: the journey, "what if" counterfactuals, predictions against outcomes.

Everything here is computed from the game folder (:class:`~dpmkit.game.Game`), so the
facilitator's page, the JupyterLab view and the printable sheet agree:

- :func:`journey`: one row per closed round: the levers in force and the regime's position
  on the imposed/negotiated x planned/emergent plane, read from the tables' own choices
  (:data:`REGIME_LEANS` says which way each lever leans; a teaching reading, not a measurement);
- :func:`regime_chart` and :func:`dpm_chart`: the journey drawn on the 2x2
  (:func:`dpmkit.charts.regime_path`) and on the model's DPM chart
  (:func:`dpmkit.dpm.chart`, subjective view, each lever owned by its table and annotated
  with the values it took round by round);
- :func:`counterfactuals`: for each table, its decision that mattered most to its own score,
  and what the game would have shown had that one decision gone to the other end of the
  lever's range (one re-run of the game's model with the same events otherwise);
- :func:`predictions`: where ballots hold predictions, each against the simulated outcome.
"""

from __future__ import annotations

import html

from .. import words
from ..errors import ModelError

__all__ = ["LEANS_SOURCE", "REGIME_LEANS", "counterfactuals", "dpm_chart", "journey", "predictions", "regime_chart",
           "score_of"]

#: Which way each lever leans on the plane, per game: ``{lever: (towards imposed, towards planned)}``,
#: each weight in -1..1 (negative: towards negotiated or emergent). A lever at the top of its range
#: pushes by its weight, at the bottom by minus its weight. These readings are the kit's teaching
#: assumptions about the levers (after Bovaird & Smith's axes), for the debrief to argue with;
#: registered as ``regimes_game_lever_leans`` (assumption) in :mod:`dpmkit.evidence`.
REGIME_LEANS = {
    "surrey": {
        "cut_fraction": (1.0, 0.5),          # a deeper cut is decided at the top and fixed in the budget
        "post2015_cut": (1.0, 0.5),
        "decommissioning_years": (-0.5, -0.5),  # a slower pace leaves room to negotiate and adapt
        "contract_adaptation_time": (0.0, 1.0),  # contracts slow to retarget hold to the plan
        "coproduction_effort": (-1.0, -0.5),   # engagement: negotiated with young people, emergent
        "matching_ratio": (-1.0, 0.0),         # partners who match: a negotiated relationship
        "voice_insight": (-1.0, -0.5),
        "yri_diversion": (0.0, -0.5),          # diversion decided case by case
        "yri_capability": (1.0, 0.5),          # a standard set and enforced from outside
    },
    "targets_vs_learning": {
        "incentive_strength": (1.0, 1.0),
        "outcome_target": (0.5, 1.0),
        "reporting_burden": (1.0, 0.5),
        "learning_regime": (-1.0, -1.0),
        "user_voice": (-1.0, -0.5),            # users heard: negotiated, and what they say is not planned
    },
    "attractor": {
        # no table can impose (no central authority): a new minister's targets are the facilitator's event
        "learning_partnership": (-0.5, -1.0),
        # a shared framework each locality adopts: agreed, and it gives direction
        **{f"framework_commitment_{k:02d}": (-0.25, 0.125) for k in range(1, 7)},
        **{f"local_learning_{k:02d}": (-0.25, -0.5) for k in range(1, 7)},
    },
}


#: The evidence entry for :data:`REGIME_LEANS` (status "assumption"), cited wherever the 2x2 is drawn.
LEANS_SOURCE = "regimes_game_lever_leans"


def _stop(game, closed):
    return game.spec.rounds[len(closed) - 1].end if closed else game.spec.rounds[0].start


def _context(game):
    return dict(game.spec.contexts[game.context])


def _run(game, script, stop):
    from ..simulate import simulate

    return simulate(game.model, _context(game), events=script or None, stop=stop)


def _in_force(game, script, time):
    """The levers' values in force from ``time`` on: context, then every event up to ``time``."""
    values = {lever: float(game.model.param(lever).default) for lever in game.spec.owner}
    for lever, value in _context(game).items():
        if lever in values:
            values[lever] = float(value)
    for when in sorted(script):
        if when <= time + 1e-9:
            for lever, value in script[when].items():
                if lever in values:
                    values[lever] = float(value)
    return values


def _position(game, levers):
    """``(imposition, plan_rigidity)``, each 0..1, from the levers in force (0.5 where no lever leans)."""
    leans = REGIME_LEANS.get(game.spec.name, {})
    sums, weights = [0.0, 0.0], [0.0, 0.0]
    for lever, (towards_imposed, towards_planned) in leans.items():
        if lever not in levers:
            continue
        low, high = game.model.param(lever).bounds
        u = 2.0 * (levers[lever] - low) / (high - low) - 1.0  # -1 at the bottom of the range, +1 at the top
        for axis, weight in enumerate((towards_imposed, towards_planned)):
            sums[axis] += weight * u
            weights[axis] += abs(weight)
    return tuple(0.5 + 0.5 * (s / w if w else 0.0) for s, w in zip(sums, weights))


def journey(game):
    """One row per closed round: round, label, start, end, imposition, plan_rigidity, then every
    lever's value in force during the round."""
    import pandas as pd

    closed = game._closed()
    script = game.events()
    rows = []
    for doc in closed:
        r = game.spec.rounds[doc["round"] - 1]
        levers = _in_force(game, script, r.start)
        x, y = _position(game, levers)
        rows.append({"round": doc["round"], "label": r.label, "start": r.start, "end": r.end,
                     "imposition": x, "plan_rigidity": y, **levers})
    columns = ["round", "label", "start", "end", "imposition", "plan_rigidity", *game.spec.owner]
    return pd.DataFrame(rows, columns=columns)


def regime_chart(game, *, width=460, height=460):
    """The journey on the imposed/negotiated x planned/emergent 2x2, one point per closed round."""
    from .. import charts

    path = journey(game)
    if path.empty:
        raise ModelError("no round has been closed yet: the journey starts when the first round closes")
    frame = path[["start", "imposition", "plan_rigidity"]].rename(columns={"start": "time"})
    frame["label"] = [f"round {n}" for n in path["round"]]
    chart = charts.regime_path(frame, "imposition", "plan_rigidity", time_units=game.model.time_units,
                               title=f"{game.spec.label}: the regime the tables' choices made",
                               width=width, height=height)
    chart.description += (" Each position is read from the levers in force that round, with the kit's reading of "
                          "which way each lever leans: a teaching assumption to argue with, not a measurement "
                          f"[assumption {LEANS_SOURCE}].")
    return chart


def dpm_chart(game):
    """The model's DPM chart (subjective view): each lever owned by the table holding it, and
    annotated with the values it took, round by round (``R1 0.4 · R2 0.8``)."""
    from .. import dpm

    assigned = game.assignments()
    owners = {}
    for role, table in assigned.items():
        owners.setdefault(table, []).extend(game.roles[role])
    diagram = dpm.chart(game.model, "subjective", owners=owners or None,
                        title=f"{game.spec.label}: who holds which lever")
    path = journey(game)
    notes = []
    for node in diagram.nodes:
        if node["name"] not in game.spec.owner or path.empty:
            continue
        values = " · ".join(f"R{int(r)} {words.number(v)}" for r, v in zip(path["round"], path[node["name"]]))
        notes.append(f'<text class="dpmkit-journey" x="{node["x"] + 4}" y="{node["y"] + node["h"] + 14}" '
                     f'font-size="12" fill="#8b0000">{html.escape(values)}</text>')
    if notes:
        diagram.svg = diagram.svg.replace("</svg>", "".join(notes) + "</svg>")
        diagram.description += " Lever values by round: " + "; ".join(
            f"{game.model[n].label}: " + ", ".join(f"round {int(r)} {words.number(v)}"
                                                  for r, v in zip(path["round"], path[n]))
            for n in game.spec.owner) + "."
    return diagram


def score_of(game, table, frame):
    """A table's score at the end of ``frame`` (a results table): the mean, over its roles' scored
    outcomes, of each outcome's 0 (worst) to 1 (best) score."""
    last = frame.iloc[-1]
    held = [game.spec.role(r) for r, t in game.assignments().items() if t == table]
    scores = [game.spec.outcome(o).score(float(last[o])) for r in held for o in r.scores]
    return sum(scores) / len(scores) if scores else float("nan")


def _decisions(game):
    """``[(round, table, lever, value)]``: the value each table last sent for each lever in each round."""
    log = game.log()
    if log.empty:
        return []
    log = log.sort_values(["round", "sent", "id"], kind="stable")
    last = log.groupby(["round", "table", "lever"], sort=True).tail(1)
    return [(int(r.round), r.table, r.lever, float(r.value)) for r in last.itertuples()]


def counterfactuals(game, *, key_only=True):
    """"What if" for each table's key decision.

    For every decision a table made (the last value it sent for a lever in a round), the game
    is re-run with that one value swapped for its alternative (the end of the lever's range
    farther from the chosen value) and everything else as played. A table's key decision is
    the one whose swap moves the table's own score most.

    Returns a DataFrame: table, role, round, lever, chosen, alternative, score (as played),
    what_if_score, change (what_if_score - score), and for the outcome the swap moves most
    (among those the table's roles see): outcome, value, what_if_value. With ``key_only=False``
    every decision is listed.
    """
    import pandas as pd

    columns = ["table", "role", "round", "lever", "chosen", "alternative", "score", "what_if_score", "change",
               "outcome", "value", "what_if_value"]
    closed = game._closed()
    if not closed:
        return pd.DataFrame(columns=columns)
    stop = _stop(game, closed)
    script = game.events()
    played = game._simulate(stop).to_frame()  # as the tables were shown it
    owner = game.spec.owner
    assigned = game.assignments()
    rows = []
    for number, table, lever, value in _decisions(game):
        low, high = game.model.param(lever).bounds
        alternative = low if abs(value - low) > abs(high - value) else high
        start = game.spec.rounds[number - 1].start
        swapped = {t: dict(changes) for t, changes in script.items()}
        swapped.setdefault(start, {})[lever] = alternative
        what_if = _run(game, swapped, stop).to_frame()
        seen = [o for r, t in assigned.items() if t == table for o in game.spec.role(r).sees]
        seen = list(dict.fromkeys(seen)) or [o.name for o in game.spec.outcomes]
        moved = max(seen, key=lambda o: abs(what_if[o].iloc[-1] - played[o].iloc[-1])
                    / (game.spec.outcome(o).high - game.spec.outcome(o).low))
        score, other = score_of(game, table, played), score_of(game, table, what_if)
        rows.append({"table": table, "role": owner[lever], "round": number, "lever": lever, "chosen": value,
                     "alternative": alternative, "score": score, "what_if_score": other, "change": other - score,
                     "outcome": moved, "value": float(played[moved].iloc[-1]),
                     "what_if_value": float(what_if[moved].iloc[-1])})
    frame = pd.DataFrame(rows, columns=columns)
    if key_only and not frame.empty:
        frame = frame.loc[frame["change"].abs().groupby(frame["table"]).idxmax()]
    return frame.reset_index(drop=True)


def predictions(game):
    """Each prediction held by a counted ballot against the simulated outcome at that time.

    Returns a DataFrame: table, round, variable, time, predicted, outcome, error (predicted -
    outcome); only predictions for times the closed rounds have reached are compared.
    """
    import pandas as pd

    columns = ["table", "round", "variable", "time", "predicted", "outcome", "error"]
    closed, ballots, _ = game._counted()
    if not closed:
        return pd.DataFrame(columns=columns)
    stop = _stop(game, closed)
    result = game._simulate(stop)
    rows = []
    for number, b in ballots:
        for variable, points in b.predictions.items():
            for t, predicted in points:
                if t > stop + 1e-9:
                    continue
                outcome = float(result.at(t, variable))
                rows.append({"table": b.table, "round": number, "variable": variable, "time": float(t),
                             "predicted": float(predicted), "outcome": outcome, "error": float(predicted) - outcome})
    return pd.DataFrame(rows, columns=columns)
