"""Performance-management regimes: journeys through the imposed/negotiated x planned/emergent plane.

Summary
-------
A performance-management regime can be **imposed** (set from above or outside) or
**negotiated** (agreed among commissioners, providers and users), and **planned** (a
blueprint of targets and audit) or **emergent** (goals and measures adapt through
learning). Regimes do not jump between these cells; they drift, pushed by events:
national targets, inspections, budget cuts, consultation, learning partnerships. In this
model the regime is two slowly moving stocks, and the regime shapes the service: high
stakes (imposed *and* planned) buy a short push in real performance but invite
**gaming**, which opens a gap between **reported** and **true** performance, erodes
**trust** and crowds out the time that builds **learning capability** (the capability
trap). Negotiated, emergent regimes start slower but keep the numbers honest.

Bovaird & Smith (2015) warn that the dichotomies are overdone: negotiated performance
management is more sustainable, *but imposition may be needed to trigger improvement*;
emergent performance management is more meaningful, *but planned management is needed at
times to give direction*. The model carries both halves of each proposition
(``mechanisms_regimes_two_halves``):

- **a complacent system needs an imposed trigger.** ``complacency`` (how settled the
  system is in its ways) stops learning investment taking hold. Only external pressure
  unfreezes it; negotiation among settled partners does not. In a stuck system an imposed
  shock starts the improvement that negotiation then sustains; in a system ready to
  improve, the shock only costs trust and invites gaming.
- **purely emergent management loses direction in a fragmented field.** ``direction``
  (how far efforts across the field pull one way) drifts when an emergent regime meets a
  fragmented field (``fragmentation``), unless shared learning capability holds it
  together; a plan holds it meanwhile. Capability without direction is scattered effort.
  In a fragmented field a planned phase gives the direction that emergent learning then
  keeps; in a coherent field the planned phase only delays learning.

Which journey does better therefore depends on the context, and the context is part of
the model's declared uncertainty: see :func:`contest`.

The plane's axes are two auxiliaries:

- ``negotiation_index`` = 2 x ``negotiation`` - 1: -1 fully imposed ... +1 fully negotiated;
- ``emergence_index`` = 2 x ``emergence`` - 1: -1 fully planned ... +1 fully emergent.

Plot ``emergence_index`` against ``negotiation_index`` for the trajectory; ``quadrant``
codes the cell (1 negotiated-emergent, 2 imposed-emergent, 3 imposed-planned,
4 negotiated-planned, counted anticlockwise like the quadrants of a graph).

Event scripts live in the module-level dict :data:`EVENTS`; pass one to
``dk.simulate(model, events=EVENTS["surrey_journey"])``. The model's own
``scenarios`` are parameter presets that hold the regime in one cell.

Stocks and flows
----------------
- ``negotiation`` (0-1; 0 imposed, 1 negotiated): ``negotiation_change`` in (either sign).
- ``emergence`` (0-1; 0 planned, 1 emergent): ``emergence_change`` in.
- ``true_performance`` (0-1, share of the service's purpose actually achieved):
  ``performance_change`` in.
- ``gaming`` (0-1, how far gaming practices have spread): ``gaming_change`` in.
- ``trust`` (0-1, between centre, front line and partners): ``trust_change`` in.
- ``learning_capability`` (0-1): ``learning_change`` in.
- ``complacency`` (0-1; 0 ready to improve, 1 stuck): ``unfreezing`` out
  (complacency x ``external_pressure`` / ``unfreezing_time``).
- ``direction`` (0-1; shared direction of effort across the field): ``direction_change``
  in, towards 1 - ``fragmentation`` x emergence x (1 - learning capability squared).

Each moves towards an indicated level with its own adjustment time. The indicated regime
weighs the pushes: ``negotiation`` rises with ``engagement`` and trust and falls with
``external_pressure`` and ``budget_pressure``; ``emergence`` rises with
``learning_investment``, learning capability and turbulence (``budget_pressure``: a plan
that is visibly failing) and falls with ``audit_intensity``. ``stakes`` = imposition x
planning. Indicated gaming is the gaming needed to close the gap between true performance
and the target, times the stakes squared (gaming takes hold only where stakes are high).
``reported_performance`` = true performance + ``max_gaming_gap`` x gaming. Learning
investment and emergence build capability only as far as the system is ready
(``readiness`` = 1 - complacency) and its efforts pull one way (``drift`` = 1 -
direction); capability adds to true performance only as far as efforts pull one way.

DPM roles (``dk.dpm.check_roles``): the eight stocks are strategic resources (gaming and
complacency are liabilities); the eight flows that change them are the end results;
``stakes``, ``target_gap`` (true performance against the target), ``readiness`` and
``drift`` (shared direction against fully aligned effort) are the performance drivers;
``engagement``, ``audit_intensity``, ``learning_investment`` and ``performance_target`` are
the policy levers. The plane's axes, ``reported_performance`` and ``reporting_gap`` are
indicators without a role.

Parameters
----------
- ``external_pressure`` (dimensionless, 0-1): national targets, inspection failure,
  political pressure. Assumption (events set it).
- ``budget_pressure`` (dimensionless, 0-1): depth of budget cuts. Assumption.
- ``engagement`` (dimensionless, 0-1): consultation, task groups, local committees.
  Policy lever. Assumption.
- ``audit_intensity`` (dimensionless, 0-1): blueprint plans, fixed targets, audit.
  Policy lever. Assumption.
- ``learning_investment`` (dimensionless, 0-1): evaluation, learning cycles, learning
  partners. Policy lever. Assumption.
- ``performance_target`` (dimensionless, 0.3-1): the target set for the service. Policy
  lever. Assumption.
- ``max_gaming_gap`` (dimensionless, 0-0.4; uncertain 0.15-0.25): largest gap gaming can
  open between reported and true performance. ``gaming_ae_gap`` (derived from the NHS
  A&E four-hour target: 0.19-0.21).
- ``regime_time`` (year, 0.5-6; uncertain 0.75-2), ``trust_time`` (year, 0.25-5;
  uncertain 1-2.5), ``learning_time`` (year, 0.5-6; uncertain 1.5-3), ``gaming_time``
  (year, 0.1-3; uncertain 0.5-1), ``performance_time`` (year, 0.25-4): adjustment times.
  ``regimes_adjustment_times`` (assumption).
- ``initial_negotiation``, ``initial_emergence`` (dimensionless, 0-1): where the regime
  starts (0.5 = the centre of the plane). Assumption.
- ``initial_complacency`` (dimensionless, 0-1; default 0, uncertain 0-1): context, how
  stuck the system is at the start. ``mechanisms_regimes_context`` (assumption).
- ``fragmentation`` (dimensionless, 0-1; default 0, uncertain 0-1): context, how far local
  efforts drift apart without a plan or shared learning. ``mechanisms_regimes_context``
  (assumption).
- ``unfreezing_time`` (year, 0.25-5; uncertain 0.5-2), ``direction_time`` (year, 0.5-8;
  uncertain 1-3): years of full pressure to shake off most complacency; years for a shared
  direction to form or drift. ``mechanisms_regimes_two_halves`` (assumption).

The context defaults (no complacency, a coherent field) leave the scripted journeys
above exactly as they were before the two mechanisms were added; the uncertainty ranges
cover stuck and fragmented systems, so ensembles (``dk.ensemble``, :func:`contest`) sample
both halves of each proposition.

Event scripts (:data:`EVENTS`)
------------------------------
- ``"surrey_journey"`` (``regimes_surrey_journey``, an interpretation of published
  dates): imposed-planned from the start of the run (national pressure and an external
  "inadequate" judgement whose year the sources do not give); 2009 budget cut of 25%
  over three years and a new integrated service; 2010 consultation of about 8,000 young
  people, and the 2010 Spending Review's turn away from central micro-management
  (``regimes_spending_review_2010``); April 2012 outcome commissions live, local
  committees and task groups, evaluation-led learning; 2015 further cuts, less
  engagement and learning; mid-2019 inspection "Inadequate" and restructure.
- ``"national_targets"`` (``gaming_hood_2006_targets_regime``): from 2001 star ratings
  and national targets with audit (imposed, planned), as in the English NHS.
- Journeys for the two halves of each proposition (``mechanisms_regimes_two_halves``),
  in pairs that differ on one axis only, all from 2000:

  - ``"negotiate_from_start"``: negotiated (engagement 0.9, external pressure 0.1),
    balanced audit and learning (0.5 each);
  - ``"impose_then_negotiate"``: imposed (external pressure 0.9, engagement 0.1) for two
    years as a trigger, then as ``negotiate_from_start``;
  - ``"emerge_from_start"``: negotiated and emergent (audit 0.1, learning investment 0.9);
  - ``"plan_then_emerge"``: negotiated and planned (audit 0.9, learning investment 0.3)
    for four years, then as ``emerge_from_start``.

  :data:`JOURNEY_PAIRS` lists the pairs; :func:`contest` plays a pair over contexts
  sampled from the declared uncertainty, :func:`journey_score` scores a journey (average
  true performance up to a horizon) and :func:`wins_by_context` shows who wins where.

Reference behaviour
-------------------
- The Surrey journey passes through four cells: imposed-planned in 2008,
  negotiated-planned at the start of 2012, negotiated-emergent in 2015 and
  imposed-emergent by 2022.
- The national-targets regime ends imposed-planned; reported performance then runs
  ahead of true performance by more than 0.1, while under a negotiated-emergent regime
  the gap stays below 0.03. True performance gains a little at first under targets,
  then falls back as trust and learning capability erode.
- Each scenario preset holds the regime in its own cell.
- Neither half of a proposition always wins. Over 200 contexts sampled from the declared
  uncertainty (seed 1), scored on average true performance 2000-2022,
  ``impose_then_negotiate`` beats ``negotiate_from_start`` in about 62% of runs: in
  every run with initial complacency above 2/3, and in about 12% of those below 1/3.
  ``plan_then_emerge`` beats ``emerge_from_start`` in about half: in about 97% of runs
  with fragmentation above 2/3 and in none below 1/3. Judged early (by 2005), imposing
  first almost never pays yet: the trigger costs trust before the improvement shows.

Further reading
---------------
Bevan, G. & Hood, C. (2006) *Public Administration* 84(3) (``gaming_ae_reported_vs_survey``);
Mintzberg, H. & Waters, J. (1985) (``regimes_mintzberg_waters_1985``); Repenning, N. &
Sterman, J. (2001) (``regimes_repenning_sterman_2001``); Bovaird & Smith (2015, APPAM;
reconstructed, ``regimes_bovaird_smith_2x2``; the two halves of its propositions,
``mechanisms_regimes_two_halves``).
"""

from __future__ import annotations

import itertools

import numpy as np

from ..errors import ModelError
from ..expressions import suggest
from ..spec import Aux, Flow, Model, Stock
from ._common import param as _param

__all__ = ["build", "journey_score", "contest", "wins_by_context", "EVENTS", "JOURNEY_PAIRS", "SCENARIOS"]

# Settings the journeys combine: who sets the regime ...
_IMPOSED = {"external_pressure": 0.9, "engagement": 0.1}
_NEGOTIATED = {"external_pressure": 0.1, "engagement": 0.9}
# ... and how it changes.
_BALANCED = {"audit_intensity": 0.5, "learning_investment": 0.5}
_PLANNED = {"audit_intensity": 0.9, "learning_investment": 0.3}
_EMERGENT = {"audit_intensity": 0.1, "learning_investment": 0.9}
#: Years of imposition that trigger improvement, and of planning that give direction, in the journeys.
_TRIGGER_YEARS = 2
_DIRECTION_YEARS = 4

#: Event scripts: ``{time: {parameter: value}}`` for ``dk.simulate(model, events=...)``.
EVENTS = {
    "surrey_journey": {
        2000: {"external_pressure": 0.8, "audit_intensity": 0.8, "engagement": 0.1, "learning_investment": 0.1},
        2009: {"budget_pressure": 0.5, "engagement": 0.5, "external_pressure": 0.5},
        2010: {"engagement": 0.9, "external_pressure": 0.2, "audit_intensity": 0.7},
        2012.25: {"learning_investment": 0.8, "audit_intensity": 0.2, "budget_pressure": 0.3},
        2015: {"budget_pressure": 0.9, "engagement": 0.3, "learning_investment": 0.3, "external_pressure": 0.5},
        2019.5: {"external_pressure": 0.9, "audit_intensity": 0.5},
    },
    "national_targets": {
        2001: {"external_pressure": 0.9, "audit_intensity": 0.9, "engagement": 0.1, "learning_investment": 0.1,
               "performance_target": 0.9},
    },
    # Journeys for the two halves of each proposition (Bovaird & Smith 2015). Each pair differs
    # on one axis only: the first pair on who sets the regime, the second on how it changes.
    "negotiate_from_start": {
        2000: {**_NEGOTIATED, **_BALANCED},
    },
    "impose_then_negotiate": {
        2000: {**_IMPOSED, **_BALANCED},
        2000 + _TRIGGER_YEARS: {**_NEGOTIATED, **_BALANCED},
    },
    "emerge_from_start": {
        2000: {**_NEGOTIATED, **_EMERGENT},
    },
    "plan_then_emerge": {
        2000: {**_NEGOTIATED, **_PLANNED},
        2000 + _DIRECTION_YEARS: {**_NEGOTIATED, **_EMERGENT},
    },
}

#: The journey pairs the model contrasts: (one half of a proposition, the other half).
JOURNEY_PAIRS = (("impose_then_negotiate", "negotiate_from_start"), ("plan_then_emerge", "emerge_from_start"))

#: Parameter presets that hold the regime in one cell of the plane.
SCENARIOS = {
    "imposed_planned": {"external_pressure": 0.9, "audit_intensity": 0.9, "engagement": 0.1,
                        "learning_investment": 0.1},
    "negotiated_planned": {"external_pressure": 0.1, "audit_intensity": 0.8, "engagement": 0.9,
                           "learning_investment": 0.2},
    "negotiated_emergent": {"external_pressure": 0.1, "audit_intensity": 0.1, "engagement": 0.9,
                            "learning_investment": 0.9},
    "imposed_emergent": {"external_pressure": 0.9, "audit_intensity": 0.2, "engagement": 0.1,
                         "learning_investment": 0.3, "budget_pressure": 0.8},
}


def _clamp(expr):
    return f"MIN(1, MAX(0, {expr}))"


def _adjusting(name, flow, label, description, initial, indicated, time_param, indicated_description):
    """A 0-1 stock (a strategic resource) that moves towards an indicated level, its flow (the end result)
    and the indicated level."""
    return [
        Stock(name, initial, units="dimensionless", role="strategic_resource", label=label, description=description),
        Flow(flow, f"(indicated_{name} - {name}) / {time_param}", into=name, units="1/year", role="end_result",
             label=f"Change in {label.lower()}",
             description=f"How fast {label.lower()} moves towards its indicated level"),
        Aux(f"indicated_{name}", _clamp(indicated), units="dimensionless",
            label=f"Indicated {label.lower()}", description=indicated_description),
    ]


def _push(name, default, label, description, lever=True):
    return _param(name, default, (0, 1), "dimensionless", label, description, source="assumption", lever=lever)


def build(**overrides):
    """Build the performance-regimes model; keyword arguments override parameter defaults.

    Examples
    --------
    >>> import dpmkit as dk
    >>> from dpmkit.models.pm_regimes import EVENTS
    >>> model = dk.models.load("pm_regimes")
    >>> result = dk.simulate(model, events=EVENTS["surrey_journey"])
    >>> path = result.to_frame(["negotiation_index", "emergence_index"])
    """
    variables = [
        *_adjusting(
            "negotiation", "negotiation_change", "Negotiation",
            "How far the regime is negotiated rather than imposed (0 imposed, 1 negotiated)",
            "initial_negotiation",
            "0.5 + 0.4 * engagement - 0.4 * external_pressure - 0.15 * budget_pressure + 0.3 * (trust - 0.5)",
            "regime_time",
            "Where the pushes (engagement, pressure, cuts, trust) would settle the imposed-negotiated axis",
        ),
        *_adjusting(
            "emergence", "emergence_change", "Emergence",
            "How far goals and measures emerge through learning rather than follow a plan (0 planned, 1 emergent)",
            "initial_emergence",
            "0.5 + 0.4 * learning_investment - 0.4 * audit_intensity + 0.25 * budget_pressure"
            " + 0.3 * (learning_capability - 0.5)",
            "regime_time",
            "Where the pushes (learning, audit, turbulence) would settle the planned-emergent axis",
        ),
        *_adjusting(
            "true_performance", "performance_change", "True performance",
            "Share of the service's purpose actually achieved (0-1), as users would experience it",
            0.55,
            "(0.3 + 0.4 * learning_capability * (1 - drift) + 0.2 * trust) * (1 - 0.3 * budget_pressure)"
            " + 0.15 * stakes - 0.1 * gaming",
            "performance_time",
            "Performance that capability (as far as effort pulls one way), trust and resources support, plus a "
            "short push from high stakes, minus time lost to gaming",
        ),
        *_adjusting(
            "gaming", "gaming_change", "Gaming",
            "How far gaming practices (reclassifying, creaming, timing) have spread (0-1)",
            0,
            "stakes ^ 2 * ZIDZ(target_gap, max_gaming_gap)",
            "gaming_time",
            "The gaming needed to close the gap between true performance and the target, scaled by the stakes",
        ),
        *_adjusting(
            "trust", "trust_change", "Trust",
            "Trust between the centre, the front line and partners (0-1)",
            0.5,
            "0.35 + 0.4 * negotiation + 0.3 * engagement - 0.3 * gaming - 0.15 * budget_pressure",
            "trust_time",
            "Trust that the way the regime is set, engagement, gaming and cuts would sustain",
        ),
        *_adjusting(
            "learning_capability", "learning_change", "Learning capability",
            "Capability to learn and adapt: evaluation habits, shared understanding, reflective time (0-1)",
            0.4,
            "0.2 + (0.5 * learning_investment + 0.3 * emergence) * readiness * (1 - drift) - 0.4 * stakes",
            "learning_time",
            "Capability that learning investment and an emergent regime build, as far as the system is ready to "
            "change and its efforts pull one way, minus what high stakes crowd out",
        ),
        # The first half of each proposition: a complacent system needs an imposed trigger.
        Stock("complacency", "initial_complacency", units="dimensionless", role="strategic_resource",
              label="Complacency",
              description="How settled the system is in its ways: no felt need to improve (0 ready, 1 stuck)"),
        Flow("unfreezing", "complacency * external_pressure / unfreezing_time", out_of="complacency",
             units="1/year", role="end_result", label="Unfreezing",
             description="Complacency shaken by imposed pressure (an inspection, a target, a crisis); "
                         "negotiation among settled partners does not shake it"),
        Aux("readiness", "1 - complacency", units="dimensionless", role="performance_driver",
            label="Readiness to improve",
            description="Felt need to change against a fully unfrozen system (1): how much of the learning "
                        "effort takes hold"),
        # The other half: purely emergent management loses direction in a fragmented field.
        Stock("direction", "1 - fragmentation * initial_emergence", units="dimensionless", role="strategic_resource",
              label="Shared direction",
              description="How far efforts across the field pull one way (0 scattered, 1 aligned)"),
        Flow("direction_change", "(indicated_direction - direction) / direction_time", into="direction",
             units="1/year", role="end_result", label="Change in shared direction",
             description="Shared direction built by a plan, or by learning together, or lost to drift"),
        Aux("indicated_direction",
            "1 - fragmentation * emergence * (1 - learning_capability ^ 2)",
            units="dimensionless", label="Direction within reach",
            description="Direction a fragmented field keeps: a plan (low emergence) or shared learning capability "
                        "holds it together; emergence without either lets it drift apart"),
        Aux("drift", "1 - direction", units="dimensionless", role="performance_driver",
            label="Drift from a shared direction",
            description="Shortfall of shared direction against fully aligned effort"),
        Aux("target_gap", "MAX(0, performance_target - true_performance)", units="dimensionless",
            role="performance_driver", label="Gap to target",
            description="How far true performance falls short of the target"),
        Aux("negotiation_index", "2 * negotiation - 1", units="dimensionless",
            label="Imposed (-1) to negotiated (+1)", description="Horizontal axis of the regime plane"),
        Aux("emergence_index", "2 * emergence - 1", units="dimensionless",
            label="Planned (-1) to emergent (+1)", description="Vertical axis of the regime plane"),
        Aux("quadrant",
            "IF negotiation_index >= 0 THEN (IF emergence_index >= 0 THEN 1 ELSE 4) "
            "ELSE (IF emergence_index >= 0 THEN 2 ELSE 3)",
            units="dimensionless", label="Quadrant",
            description="1 negotiated-emergent, 2 imposed-emergent, 3 imposed-planned, 4 negotiated-planned"),
        Aux("stakes", "(1 - negotiation) * (1 - emergence)", units="dimensionless", role="performance_driver",
            label="Stakes of the targets",
            description="Imposition times planning: how much rides on hitting fixed targets set from above"),
        Aux("reported_performance", "MIN(1, true_performance + max_gaming_gap * gaming)", units="dimensionless",
            label="Reported performance",
            description="Performance as the indicators report it: true performance plus what gaming adds"),
        Aux("reporting_gap", "reported_performance - true_performance", units="dimensionless",
            label="Reported minus true performance",
            description="How far the numbers run ahead of what users experience"),
        _push("external_pressure", 0.3, "External pressure",
              "National targets, inspection failure, political pressure (0 none, 1 intense)", lever=False),
        _push("budget_pressure", 0, "Budget pressure", "Depth of budget cuts (0 none, 1 severe)", lever=False),
        _push("engagement", 0.3, "Engagement",
              "Consultation, task groups and local committees that let stakeholders shape the regime"),
        _push("audit_intensity", 0.5, "Audit intensity", "Blueprint plans, fixed targets and audit against them"),
        _push("learning_investment", 0.3, "Learning investment",
              "Evaluation, learning cycles and learning partners that let goals and measures adapt"),
        _param("performance_target", 0.7, bounds=(0.3, 1), units="dimensionless", role="policy_lever",
              label="Performance target", source="assumption",
              description="The level of performance the service is asked to report"),
        _param("initial_complacency", 0, bounds=(0, 1), uncertainty=(0, 1), units="dimensionless",
              label="Initial complacency", source="mechanisms_regimes_context",
              description="Context: how stuck the system is at the start (0 ready to improve, 1 settled in its ways)"),
        _param("fragmentation", 0, bounds=(0, 1), uncertainty=(0, 1), units="dimensionless",
              label="Fragmentation of the field", source="mechanisms_regimes_context",
              description="Context: how far local efforts drift apart without a plan or shared learning "
                          "(0 a coherent field, 1 many agencies pulling their own ways)"),
        _param("unfreezing_time", 1, bounds=(0.25, 5), uncertainty=(0.5, 2), units="year",
              label="Unfreezing time", source="mechanisms_regimes_two_halves",
              description="Years of full external pressure to shake off most complacency"),
        _param("direction_time", 2, bounds=(0.5, 8), uncertainty=(1, 3), units="year",
              label="Direction adjustment time", source="mechanisms_regimes_two_halves",
              description="Years for a shared direction to form under a plan, or to drift away without one"),
        _param("max_gaming_gap", 0.2, bounds=(0, 0.4), uncertainty=(0.15, 0.25), units="dimensionless",
              label="Largest gaming gap", source="gaming_ae_gap",
              description="Largest gap gaming can open between reported and true performance"),
        _param("regime_time", 1, bounds=(0.5, 6), uncertainty=(0.75, 2), units="year",
              label="Regime adjustment time", source="regimes_adjustment_times",
              description="Years for the regime to follow the pushes on it"),
        _param("trust_time", 1.5, bounds=(0.25, 5), uncertainty=(1, 2.5), units="year",
              label="Trust adjustment time", source="regimes_adjustment_times",
              description="Years for trust to follow how the regime treats people"),
        _param("learning_time", 2, bounds=(0.5, 6), uncertainty=(1.5, 3), units="year",
              label="Learning adjustment time", source="regimes_adjustment_times",
              description="Years to build (or lose) learning capability"),
        _param("gaming_time", 0.75, bounds=(0.1, 3), uncertainty=(0.5, 1), units="year",
              label="Gaming adjustment time", source="regimes_adjustment_times",
              description="Years for gaming practices to spread or fade"),
        _param("performance_time", 1, bounds=(0.25, 4), units="year", label="Performance adjustment time",
              source="assumption", description="Years for true performance to follow capability and resources"),
        _param("initial_negotiation", 0.5, bounds=(0, 1), units="dimensionless", label="Initial negotiation",
              source="assumption", description="Where the regime starts on the imposed (0) to negotiated (1) axis"),
        _param("initial_emergence", 0.5, bounds=(0, 1), units="dimensionless", label="Initial emergence",
              source="assumption", description="Where the regime starts on the planned (0) to emergent (1) axis"),
    ]
    model = Model(
        "pm_regimes",
        variables,
        start=2000, stop=2022, dt=0.125, time_units="year",
        label="Performance-management regimes",
        description="Imposed/negotiated and planned/emergent as slowly moving regime stocks, with gaming and trust",
        scenarios=SCENARIOS,
    )
    return model.with_params(**overrides) if overrides else model


def journey_score(result, until=None):
    """What users got over a journey: average true performance from the start of the run to ``until``.

    Works on a single run (returns a float) or an ensemble (one score per run).

    Parameters
    ----------
    result : Result or EnsembleResult
        A run of the ``pm_regimes`` model.
    until : float, optional
        The horizon (a time in the run); by default the end of the run.
    """
    if "true_performance" not in result.model:
        raise ModelError("journey_score needs a run of the 'pm_regimes' model")
    time = np.asarray(result.time)
    until = time[-1] if until is None else float(until)
    if not time[0] < until <= time[-1] + 1e-9:
        raise ModelError(f"until must lie after the start of the run and no later than its end "
                         f"({time[0]:g}-{time[-1]:g}), got {until:g}", time=until)
    values = np.asarray(result["true_performance"])[time <= until + 1e-9]
    score = values.mean(axis=0)
    return float(score) if np.ndim(score) == 0 else score


def contest(first, second, *, n=200, seed=1, until=None, params=None, model=None):
    """Two journeys run over the same contexts, sampled from the model's declared uncertainty.

    Each run draws one context (initial complacency, fragmentation of the field,
    adjustment times, ...) and plays both journeys in it, so the two scores of a row are
    a fair comparison. Which journey wins depends on the context: look at the rows.

    Parameters
    ----------
    first, second : str
        Names of event scripts in :data:`EVENTS`, e.g. ``"impose_then_negotiate"`` and
        ``"negotiate_from_start"``.
    n, seed
        Number of sampled contexts and the random seed (as in ``dk.ensemble``).
    until : float, optional
        Horizon of the score (:func:`journey_score`); default the end of the run.
    params : dict, optional
        Parameters held fixed in every run (not sampled), e.g. ``{"fragmentation": 0.8}``.
    model : Model, optional
        A variant of the model; default ``build()``.

    Returns
    -------
    pandas.DataFrame
        One row per context: the sampled parameters, the score of each journey (columns
        named after them) and ``winner``.

    Examples
    --------
    >>> from dpmkit.models.pm_regimes import contest
    >>> runs = contest("impose_then_negotiate", "negotiate_from_start", n=20, seed=1)
    >>> sorted(set(runs["winner"]))
    ['impose_then_negotiate', 'negotiate_from_start']
    """
    import pandas as pd

    from ..simulate import ensemble

    for name in (first, second):
        if name not in EVENTS:
            raise ModelError(f"no journey called {name!r}" + suggest(str(name), EVENTS)
                             + f". Journeys: {', '.join(EVENTS)}")
    if first == second:
        raise ModelError("contest needs two different journeys")
    model = build() if model is None else model
    fixed = dict(params or {})
    vary = [p.name for p in model.uncertainties if p.name not in fixed]
    runs = {name: ensemble(model, n=n, seed=seed, vary=vary, params=fixed, events=EVENTS[name])
            for name in (first, second)}
    table = pd.DataFrame({k: np.asarray(v) for k, v in runs[first].samples.items()})
    for name, ens in runs.items():
        table[name] = journey_score(ens, until)
    table["winner"] = np.where(table[first] > table[second], first, second)
    table.attrs["journeys"] = (first, second)
    return table


def wins_by_context(table, context, bins=(0, 1 / 3, 2 / 3, 1)):
    """Share of runs the first journey of a :func:`contest` wins, in bands of one context parameter.

    Examples
    --------
    >>> from dpmkit.models.pm_regimes import contest, wins_by_context
    >>> runs = contest("plan_then_emerge", "emerge_from_start", n=30, seed=1)
    >>> list(wins_by_context(runs, "fragmentation").index)
    ['0.00 to 0.33', '0.33 to 0.67', '0.67 to 1.00']
    """
    import pandas as pd

    if context not in table:
        raise ModelError(f"{context!r} was not sampled in this contest" + suggest(str(context), list(table)))
    first = table.attrs.get("journeys", (table.columns[-3],))[0]
    bins = list(bins)
    labels = [f"{lo:.2f} to {hi:.2f}" for lo, hi in itertools.pairwise(bins)]
    bands = pd.cut(table[context], bins=bins, labels=labels, include_lowest=True)
    return (table["winner"] == first).groupby(bands, observed=False).mean().rename(f"share {first} wins")
