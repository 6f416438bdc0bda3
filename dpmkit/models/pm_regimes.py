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

Each moves towards an indicated level with its own adjustment time. The indicated regime
weighs the pushes: ``negotiation`` rises with ``engagement`` and trust and falls with
``external_pressure`` and ``budget_pressure``; ``emergence`` rises with
``learning_investment``, learning capability and turbulence (``budget_pressure``: a plan
that is visibly failing) and falls with ``audit_intensity``. ``stakes`` = imposition x
planning. Indicated gaming is the gaming needed to close the gap between true performance
and the target, times the stakes squared (gaming takes hold only where stakes are high).
``reported_performance`` = true performance + ``max_gaming_gap`` x gaming.

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

Further reading
---------------
Bevan, G. & Hood, C. (2006) *Public Administration* 84(3) (``gaming_ae_reported_vs_survey``);
Mintzberg, H. & Waters, J. (1985) (``regimes_mintzberg_waters_1985``); Repenning, N. &
Sterman, J. (2001) (``regimes_repenning_sterman_2001``); Bovaird & Smith (2015, APPAM;
reconstructed, ``regimes_bovaird_smith_2x2``).
"""

from __future__ import annotations

from ..spec import Aux, Flow, Model, Stock
from ._common import param as _param

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
}

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


def _adjusting(name, flow, label, description, initial, indicated, time_param, role, indicated_description):
    """A 0-1 stock that moves towards an indicated level, its flow and the indicated level."""
    return [
        Stock(name, initial, units="dimensionless", role=role, label=label, description=description),
        Flow(flow, f"(indicated_{name} - {name}) / {time_param}", into=name, units="1/year",
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
            "regime_time", "strategic_resource",
            "Where the pushes (engagement, pressure, cuts, trust) would settle the imposed-negotiated axis",
        ),
        *_adjusting(
            "emergence", "emergence_change", "Emergence",
            "How far goals and measures emerge through learning rather than follow a plan (0 planned, 1 emergent)",
            "initial_emergence",
            "0.5 + 0.4 * learning_investment - 0.4 * audit_intensity + 0.25 * budget_pressure"
            " + 0.3 * (learning_capability - 0.5)",
            "regime_time", "strategic_resource",
            "Where the pushes (learning, audit, turbulence) would settle the planned-emergent axis",
        ),
        *_adjusting(
            "true_performance", "performance_change", "True performance",
            "Share of the service's purpose actually achieved (0-1), as users would experience it",
            0.55,
            "(0.3 + 0.4 * learning_capability + 0.2 * trust) * (1 - 0.3 * budget_pressure)"
            " + 0.15 * stakes - 0.1 * gaming",
            "performance_time", "end_result",
            "Performance that capability, trust and resources support, plus a short push from high stakes, "
            "minus time lost to gaming",
        ),
        *_adjusting(
            "gaming", "gaming_change", "Gaming",
            "How far gaming practices (reclassifying, creaming, timing) have spread (0-1)",
            0,
            "stakes ^ 2 * ZIDZ(MAX(0, performance_target - true_performance), max_gaming_gap)",
            "gaming_time", "performance_driver",
            "The gaming needed to close the gap between true performance and the target, scaled by the stakes",
        ),
        *_adjusting(
            "trust", "trust_change", "Trust",
            "Trust between the centre, the front line and partners (0-1)",
            0.5,
            "0.35 + 0.4 * negotiation + 0.3 * engagement - 0.3 * gaming - 0.15 * budget_pressure",
            "trust_time", "strategic_resource",
            "Trust that the way the regime is set, engagement, gaming and cuts would sustain",
        ),
        *_adjusting(
            "learning_capability", "learning_change", "Learning capability",
            "Capability to learn and adapt: evaluation habits, shared understanding, reflective time (0-1)",
            0.4,
            "0.2 + 0.5 * learning_investment + 0.3 * emergence - 0.4 * stakes",
            "learning_time", "strategic_resource",
            "Capability that learning investment and an emergent regime build, minus what high stakes crowd out",
        ),
        Aux("negotiation_index", "2 * negotiation - 1", units="dimensionless", role="performance_driver",
            label="Imposed (-1) to negotiated (+1)", description="Horizontal axis of the regime plane"),
        Aux("emergence_index", "2 * emergence - 1", units="dimensionless", role="performance_driver",
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
            role="end_result", label="Reported performance",
            description="Performance as the indicators report it: true performance plus what gaming adds"),
        Aux("reporting_gap", "reported_performance - true_performance", units="dimensionless",
            role="end_result", label="Reported minus true performance",
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
