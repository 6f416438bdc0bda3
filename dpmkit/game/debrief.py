"""The debrief of a game: the journey, "what if" counterfactuals, predictions against outcomes.

Everything here is computed from the game folder (:class:`~dpmkit.game.Game`), so the
facilitator's page, the JupyterLab view and the printable sheet agree:

- :func:`journey`: one row per closed round: the levers in force and the regime's position
  on the imposed/negotiated x planned/emergent plane, read from the tables' own choices and
  from what the facilitator imposes through events (:data:`REGIME_LEANS` says which way each
  lever or event parameter leans; a teaching reading, not a measurement);
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
from typing import NamedTuple

from .. import words
from ..errors import ModelError
from ..spec import Param
from .games import GAMES

__all__ = ["LEANS_SOURCE", "Lean", "REGIME_LEANS", "counterfactuals", "dpm_chart", "journey", "predictions",
           "regime_chart", "score_of"]


class Lean(NamedTuple):
    """Which way one parameter leans on the imposed/negotiated x planned/emergent plane.

    ``imposed`` and ``planned`` are weights from -1 to 1 (negative: towards negotiated, towards
    emergent), reached at the top of the parameter's range. A two-sided lean reaches minus its
    weight at the bottom of the range: the bottom is the opposite way of running things (a
    one-year close against a five-year transition). A ``one_sided`` lean is neutral at the bottom:
    not doing X is not doing the opposite of X (no budget cut is not negotiation; a locality that
    keeps its own goal imposes nothing on anyone)."""

    imposed: float
    planned: float
    one_sided: bool = False


#: The attractor game's six localities (the game's own list, so the leans follow it).
_LOCALITIES = tuple(lever.rpartition("_")[2] for lever in GAMES["attractor"].owner
                    if lever.startswith("framework_commitment_"))

#: Which way each parameter leans on the plane, per game: ``{parameter: Lean}``. A game's position
#: in a round is, on each axis, the weighted mean of its leaning parameters' places in their ranges
#: (see :class:`Lean`) from 0.5, the centre: 0.5 + 0.5 * sum(weight * place) / sum(|weight|). The
#: parameters are the tables' levers and also what the facilitator sets through a game's events or
#: context (e.g. the attractor game's ``imposed_targets``), read from the values in force. These
#: readings are the kit's teaching assumptions (after Bovaird & Smith's axes), for the debrief to
#: argue with; registered as ``regimes_game_lever_leans`` (assumption) in :mod:`dpmkit.evidence`.
#:
#: One-sided or two-sided is decided per lever by what its bottom means. Where the lever is held by
#: whoever sets the regime and its bottom is that party deciding alone, the bottom is the opposite
#: (two-sided); where the bottom is only the absence of an act (no cut, no standard raised, a party
#: the regime is set for declining to join in), it is neutral (one-sided).
REGIME_LEANS = {
    "surrey": {
        # A deeper cut is decided at the top and fixed in the budget. A smaller cut is less of
        # that, not negotiation: the bottom of the range (10%) is still a cut made by the council.
        "cut_fraction": Lean(1.0, 0.5, one_sided=True),
        # No further cut after 2015 imposes nothing; it does not negotiate anything either.
        "post2015_cut": Lean(1.0, 0.5, one_sided=True),
        # Two-sided: a one-year close pushes the change through to plan, a five-year transition
        # leaves room to negotiate and adapt; both ends are ways of running the change.
        "decommissioning_years": Lean(-0.5, -0.5),
        # Two-sided: contracts slow to retarget hold to the plan; quick retargeting adapts.
        "contract_adaptation_time": Lean(0.0, 1.0),
        # Two-sided, argued: the commissioners decide what is commissioned either way. With no
        # engagement programme they decide it alone, from their own needs assessment, for
        # providers and young people: "no co-production" is imposed and planned, not neutral.
        "coproduction_effort": Lean(-1.0, -0.5),
        # One-sided: the voluntary sector's own lever. Groups that match no hours are suppliers,
        # not partners: nothing is negotiated, but nobody imposes anything by their holding back.
        "matching_ratio": Lean(-1.0, 0.0, one_sided=True),
        # One-sided: young people's own say. Their silence is not the council imposing.
        "voice_insight": Lean(-1.0, -0.5, one_sided=True),
        # Two-sided: diversion decided case by case (emergent) against the set court route; the
        # range (0.3 to 0.95) is a continuum between the two, not the absence of either.
        "yri_diversion": Lean(0.0, -0.5),
        # One-sided: a standard set and enforced from outside. A lower standard (0.6, the bottom)
        # is a lighter touch, not a negotiated one.
        "yri_capability": Lean(1.0, 0.5, one_sided=True),
    },
    "targets_vs_learning": {
        # One-sided: no incentives, a modest target, no reporting demanded are the absence of
        # imposition, not negotiation (before, no incentives read as negotiated as full learning).
        "incentive_strength": Lean(1.0, 1.0, one_sided=True),
        "outcome_target": Lean(0.5, 1.0, one_sided=True),
        "reporting_burden": Lean(1.0, 0.5, one_sided=True),
        # Two-sided: the briefing's scale runs from 0 (targets) to 1 (learning), so the bottom
        # is running the service on targets, the opposite way.
        "learning_regime": Lean(-1.0, -1.0),
        # One-sided: users heard is negotiated, and what they say is not planned; users who say
        # nothing are not imposing anything.
        "user_voice": Lean(-1.0, -0.5, one_sided=True),
    },
    "attractor": {
        # No table can impose (no central authority), and every lever is one-sided: a locality
        # that keeps its own goal or does no learning cycles, or no partnership on offer, imposes
        # nothing and plans nothing. Imposition comes only from the facilitator's new minister.
        # The minister's uniform targets weigh as much on each axis as everything the tables do
        # together towards the other side, so imposition from outside and agreement inside can
        # cancel out (all six committed, learning and partnered, under the minister: 0.5 imposed).
        "imposed_targets": Lean(1.0, 1.0, one_sided=True),
        "learning_partnership": Lean(-0.25, -0.5, one_sided=True),  # sensemaking offered, commanding no one
        # A shared framework each locality adopts: agreed, and it gives direction (the six
        # together -0.5 and +0.25).
        **{f"framework_commitment_{k}": Lean(-0.5 / len(_LOCALITIES), 0.25 / len(_LOCALITIES), one_sided=True)
           for k in _LOCALITIES},
        # Learning cycles: locally led and emergent (the six together -0.25 and -0.5).
        **{f"local_learning_{k}": Lean(-0.25 / len(_LOCALITIES), -0.5 / len(_LOCALITIES), one_sided=True)
           for k in _LOCALITIES},
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


def _tracked(game):
    """The parameters whose values in force the journey follows: the tables' levers, then every
    other parameter the game's events set or a lean reads (what the facilitator imposes)."""
    names = dict.fromkeys(game.spec.owner)
    for event in game.spec.events:
        names.update(dict.fromkeys(event.changes))
    names.update(dict.fromkeys(REGIME_LEANS.get(game.spec.name, {})))
    return [n for n in names if n in game.model and isinstance(game.model[n], Param)]


def _in_force(game, script, time):
    """The values in force from ``time`` on (levers, then the parameters events set or leans
    read): context, then every event up to ``time``."""
    values = {name: float(game.model.param(name).default) for name in _tracked(game)}
    for name, value in _context(game).items():
        if name in values:
            values[name] = float(value)
    for when in sorted(script):
        if when <= time + 1e-9:
            for name, value in script[when].items():
                if name in values:
                    values[name] = float(value)
    return values


def _position(game, values):
    """``(imposition, plan_rigidity)``, each 0..1, from the values in force (0.5 where nothing leans)."""
    leans = REGIME_LEANS.get(game.spec.name, {})
    sums, weights = [0.0, 0.0], [0.0, 0.0]
    for name, lean in leans.items():
        if name not in values:
            continue
        low, high = game.model.param(name).bounds
        share = min(1.0, max(0.0, (values[name] - low) / (high - low)))  # 0 at the bottom, 1 at the top
        place = share if lean.one_sided else 2.0 * share - 1.0  # one-sided: neutral at the bottom
        for axis, weight in enumerate((lean.imposed, lean.planned)):
            sums[axis] += weight * place
            weights[axis] += abs(weight)
    return tuple(0.5 + 0.5 * (s / w if w else 0.0) for s, w in zip(sums, weights))


def journey(game):
    """One row per closed round: round, label, start, end, imposition, plan_rigidity, then the
    value in force during the round of every lever, and of every parameter the game's events set
    or a lean reads (e.g. the attractor game's ``imposed_targets``)."""
    import pandas as pd

    closed = game._closed()
    script = game.events()
    rows = []
    for doc in closed:
        r = game.spec.rounds[doc["round"] - 1]
        values = _in_force(game, script, r.start)
        x, y = _position(game, values)
        rows.append({"round": doc["round"], "label": r.label, "start": r.start, "end": r.end,
                     "imposition": x, "plan_rigidity": y, **values})
    columns = ["round", "label", "start", "end", "imposition", "plan_rigidity", *_tracked(game)]
    return pd.DataFrame(rows, columns=columns)


def regime_chart(game, *, width=460, height=460):
    """The journey on the imposed/negotiated x planned/emergent 2x2, one point per closed round."""
    from .. import charts

    path = journey(game)
    if path.empty:
        raise ModelError("no round has been closed yet: the journey starts when the first round closes")
    # each point is the regime in force during its round: dated at the round's start, held until its end
    frame = path[["start", "end", "imposition", "plan_rigidity"]].rename(columns={"start": "time", "end": "until"})
    frame["label"] = [f"round {n}" for n in path["round"]]
    chart = charts.regime_path(frame, "imposition", "plan_rigidity", time_units=game.model.time_units,
                               title=f"{game.spec.label}: the regime the tables' choices made",
                               width=width, height=height)
    chart.description += (" Each position is read from the levers and the facilitator's events in force that "
                          "round, with the kit's reading of which way each leans: a teaching assumption to argue "
                          f"with, not a measurement [assumption {LEANS_SOURCE}].")
    # The chart names a cell for every point; a round at the centre is in none (e.g. the attractor
    # game's start: nothing imposed, nothing committed), so say so.
    for column, line in (("imposition", "imposed and negotiated"), ("plan_rigidity", "planned and emergent")):
        central = [f"round {int(n)}" for n, v in zip(path["round"], path[column]) if abs(v - 0.5) < _CENTRE]
        if central:
            verb = "sits" if len(central) == 1 else "sit"
            chart.description += f" {_listed(central).capitalize()} {verb} on the line between {line} (0.5), " \
                                 "on neither side."
    return chart


#: How close to 0.5 a position reads as on the line between two cells (the chart's own margin).
_CENTRE = 0.02


def _listed(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def dpm_chart(game):
    """The model's DPM chart (subjective view): each lever owned by the table holding it, and
    annotated with the values it took, round by round (``R1 0.4 · R2 0.8``).

    Numbered families fold into one box (:func:`dpmkit.dpm.chart` with ``fold=True``): the
    attractor game's eleven localities are one column of boxes, not 136 boxes on a chart seven
    metres tall. A folded lever box gives each round's range across the tables
    (``R1 0.2–0.9``); the description gives every locality's value and table."""
    from .. import dpm

    assigned = game.assignments()
    owners = {}
    for role, table in assigned.items():
        owners.setdefault(table, []).extend(game.roles[role])
    diagram = dpm.chart(game.model, "subjective", owners=owners or None, fold=True,
                        title=f"{game.spec.label}: who holds which lever")
    path = journey(game)
    if path.empty:
        return diagram
    rounds = [int(r) for r in path["round"]]
    held = {lever: table for table, levers in owners.items() for lever in levers}
    notes, folded = [], set()
    for node in diagram.nodes:
        levers = [n for n in node.get("members", [node["name"]]) if n in game.spec.owner]
        if not levers:
            continue
        if "members" in node:
            folded.update(levers)
        per_round = []
        for k, r in enumerate(rounds):
            low, high = (min(path[n].iloc[k] for n in levers), max(path[n].iloc[k] for n in levers))
            per_round.append(f"R{r} {words.number(low)}" + ("" if low == high else f"–{words.number(high)}"))
        notes.append(f'<text class="dpmkit-journey" x="{node["x"] + 4}" y="{node["y"] + node["h"] + 14}" '
                     f'font-size="12" fill="#8b0000">{html.escape(" · ".join(per_round))}</text>')
    said = [f"{game.model[n].label}{f' ({held[n]})' if n in folded and n in held else ''}: "
            + ", ".join(f"round {r} {words.number(v)}" for r, v in zip(rounds, path[n])) for n in game.spec.owner]
    if notes:
        diagram.svg = diagram.svg.replace("</svg>", "".join(notes) + "</svg>")
        diagram.description += " Lever values by round: " + "; ".join(said) + "."
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
