"""Targets vs learning: a principal-agent target regime against a Human Learning Systems regime.

Summary
-------
One service (for example youth re-engagement or employment support) helps two kinds of
clients: **easy to help** and **hard to help**. Caseworkers split their time between
clients, learning and improvement, reporting and compliance, and — under pressure —
gaming. Two regimes manage them:

- the **target regime** (principal-agent, New Public Management): an outcome target with
  incentives. Pressure makes people work harder at once, but it also adds reporting,
  invites **gaming** (reported results rise without real ones) and **parking** of
  hard-to-help clients, crowds out **intrinsic motivation**, and leaves no time for the
  learning that keeps **capability** up (the capability trap);
- the **learning regime** (Human Learning Systems: stewardship, learning cycles): less
  reporting, regular time for learning cycles that build **knowledge**, which raises
  capability after a delay; motivation recovers; nobody is parked.

Move ``learning_regime`` from 0 (targets) to 1 (learning); values between are hybrids.
All numbers except the largest gaming gap (derived from published A&E figures) are
teaching assumptions; the parking ceiling borrows a published figure as an upper bound.

Stocks and flows
----------------
- ``easy_clients`` (people): ``easy_referrals`` in; ``easy_helped`` and ``easy_leaving`` out.
- ``hard_clients`` (people, actively served): ``hard_referrals`` and ``unparking`` in;
  ``hard_helped``, ``hard_leaving`` and ``parking`` out.
- ``parked`` (people, hard-to-help clients on the books but not actively served):
  ``parking`` in; ``unparking`` and ``parked_leaving`` out.
- ``knowledge`` (0-1): ``knowledge_gain`` in, ``knowledge_loss`` out.
- ``capability`` (0-1): ``capability_change`` (follows knowledge after ``improvement_delay``).
- ``motivation`` (0-1, intrinsic): ``motivation_change``.
- ``gaming`` (0-1, how widespread gaming practices are): ``gaming_change``.

Target ``pressure`` (0 under the learning regime) builds over about a quarter from no
pressure at the start, and grows while the reported figure misses ``outcome_target``.
Time shares: ``compliance_share`` = 0.1 + ``reporting_burden`` x pressure;
``learning_share`` follows ``learning_time`` x regime + 0.05 x (1 - pressure) over
about half a year (routines take time to change); gaming takes 0.1 x gaming; the rest
goes to clients, times a work-harder boost (1 + ``work_harder`` x pressure). Service
intensity is that effort, scaled by motivation, per active client. Helped per year =
clients x help rate x intensity x a capability factor (hard clients depend on
capability and motivation much more). Gaming moves towards the pressure. Both regimes
therefore start from the same state and part only as these stocks move.

DPM roles (``dk.dpm.check_roles``): the seven stocks are the strategic resources (gaming
and parked clients are liabilities); all fourteen flows that change them are the end
results; ``pressure``, ``target_gap`` (reported performance against the target), the
time shares, ``intensity`` and ``parked_share`` (against the ceiling) are the
performance drivers. ``helped``, ``true_performance``, ``reported_performance`` and
``hard_served_share`` are indicators without a role (they change no resource).

Parameters
----------
- ``learning_regime`` (dimensionless, 0-1): 0 target regime, 1 learning regime. Policy lever. Assumption.
- ``incentive_strength`` (dimensionless, 0-1): how hard targets and payments bite. Policy lever. Assumption.
- ``outcome_target`` (dimensionless, 0.2-1): target share of referrals helped. Policy lever. Assumption.
- ``referrals`` (people/year, 50-2000): new clients. Assumption.
- ``hard_share`` (dimensionless, 0-1; uncertain 0.3-0.5): share of referrals hard to help. Assumption.
- ``team_capacity`` (people, 50-1000): clients the team could support with all its time. Assumption.
- ``easy_help_rate``, ``hard_help_rate`` (1/year): help rates at normal intensity. Assumption.
- ``programme_length`` (year, 0.25-3): average time before an unhelped client leaves. Assumption.
- ``reporting_burden`` (dimensionless, 0-0.6; uncertain 0.1-0.4): extra time share on
  reporting and compliance under full pressure, on top of a base of 0.1 (so 20-50% in
  all). ``hls_model_ranges`` (assumption).
- ``learning_time`` (dimensionless, 0-0.5): time share for learning cycles in the
  learning regime. Assumption.
- ``learning_cycle`` (year, 1/12-0.5; uncertain 1/12-0.25): length of one learning cycle. ``hls_model_ranges``.
- ``improvement_delay`` (year, 0.25-3; uncertain 0.5-2): time for new knowledge to raise
  capability. ``hls_model_ranges`` (assumption; after Repenning & Sterman).
- ``knowledge_life`` (year, 0.5-10): how long knowledge stays useful as the world changes. Assumption.
- ``crowding_out`` (dimensionless, 0-0.5; uncertain 0.1-0.4): how much pressure lowers
  intrinsic motivation. ``hls_model_ranges`` (assumption).
- ``work_harder`` (dimensionless, 0-1): short-run effort boost under full pressure. Assumption.
- ``motivation_time`` (year, 0.25-4), ``gaming_time`` (year, 0.1-3): adjustment times. Assumption.
- ``max_gaming_gap`` (dimensionless, 0-0.4; uncertain 0.15-0.25): largest gap between
  reported and true performance that gaming can open. ``gaming_ae_gap`` (derived).
- ``parking_rate`` (1/year, 0-6): how fast hard-to-help clients are parked when gaming is
  universal. Assumption (qualitative basis ``gaming_creaming_parking_tsrc``).
- ``max_parked_share`` (dimensionless, 0-1): ceiling on the share of hard-to-help clients
  parked. ``gaming_parking_ceiling`` (assumption anchored on ``gaming_work_programme_70pct``).

Scenarios: ``targets`` (regime 0), ``learning`` (regime 1), ``hybrid`` (0.5) and
``learning_under_pressure`` (a mostly learning regime, 0.75, that keeps strong incentives).

Reference behaviour
-------------------
Performance is the share of clients leaving the programme who leave helped. The
reported figure leaves parked clients out (they are off the books) and adds gaming.

- Target regime: reported performance runs ahead of true performance by more than 0.1
  within three years; true performance rises in the first half-year (people work
  harder), then falls below where it started as motivation and capability erode.
- Learning regime: a J-curve. True performance dips below its starting level and below
  the target regime's in the first two years (time goes to learning cycles whose payoff
  is delayed), overtakes it after about two and a half years and ends well above it;
  reported and true performance stay close.
- Hard-to-help clients are parked under targets: the share of them actively served
  falls from 1 to about 0.7; under the learning regime it stays near 1.

Further reading
---------------
Lowe, T. et al. (2021) *Public Money & Management* 41(7) (``hls_pmm_2021``); Davis,
Schoorman & Donaldson (1997) (``hls_stewardship_davis_1997``); Bevan & Hood (2006)
(``gaming_ae_reported_vs_survey``); Repenning & Sterman (2001)
(``regimes_repenning_sterman_2001``); Third Sector Research Centre (2013)
(``gaming_creaming_parking_tsrc``).
"""

from __future__ import annotations

from ..spec import Aux, Flow, Model, Stock
from ._common import param as _p

SCENARIOS = {
    "targets": {"learning_regime": 0},
    "learning": {"learning_regime": 1},
    "hybrid": {"learning_regime": 0.5},
    "learning_under_pressure": {"learning_regime": 0.75, "incentive_strength": 1},
}




def build(**overrides):
    """Build the targets-vs-learning model; keyword arguments override parameter defaults.

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("targets_vs_learning")
    >>> targets = dk.simulate(model, model.scenario("targets"))
    >>> learning = dk.simulate(model, model.scenario("learning"))
    >>> bool(learning.final("true_performance") > targets.final("true_performance"))
    True
    """
    people = dict(units="people", non_negative=True)
    variables = [
        Stock("easy_clients", "0.35 * referrals * (1 - hard_share) * programme_length", role="strategic_resource",
              label="Easy-to-help clients", description="Clients whose needs a standard service can meet", **people),
        Stock("hard_clients", "0.65 * referrals * hard_share * programme_length", role="strategic_resource",
              label="Hard-to-help clients (served)",
              description="Clients with complex needs who are actively served", **people),
        Stock("parked", 0, role="strategic_resource", label="Parked clients",
              description="Hard-to-help clients on the books but not actively served", **people),
        Flow("easy_referrals", "referrals * (1 - hard_share)", into="easy_clients",
             role="end_result", units="people/year",
             description="New easy-to-help clients per year"),
        Flow("hard_referrals", "referrals * hard_share", into="hard_clients", role="end_result", units="people/year",
             description="New hard-to-help clients per year"),
        Flow("easy_helped", "easy_clients * easy_help_rate * intensity * (0.5 + 0.5 * capability)",
             out_of="easy_clients", units="people/year", role="end_result", label="Easy clients helped",
             description="Easy-to-help clients reaching a good outcome per year", non_negative=True),
        Flow("hard_helped", "hard_clients * hard_help_rate * intensity * capability * (0.5 + 0.5 * motivation)",
             out_of="hard_clients", units="people/year", role="end_result", label="Hard clients helped",
             description="Hard-to-help clients reaching a good outcome per year (needs capability and motivation)",
             non_negative=True),
        Flow("easy_leaving", "easy_clients / programme_length", out_of="easy_clients",
             role="end_result", units="people/year",
             description="Easy-to-help clients leaving without a good outcome"),
        Flow("hard_leaving", "hard_clients / programme_length", out_of="hard_clients",
             role="end_result", units="people/year",
             description="Hard-to-help clients leaving without a good outcome"),
        Flow("parking", "hard_clients * parking_rate * gaming * MAX(0, 1 - XIDZ(parked_share, max_parked_share, 1))",
             out_of="hard_clients", into="parked", role="end_result", units="people/year", label="Parking",
             description="Hard-to-help clients moved off active service (a gaming practice)", non_negative=True),
        Flow("unparking", "parked * (1 - gaming) / programme_length", out_of="parked", into="hard_clients",
             role="end_result", units="people/year",
             description="Parked clients taken back into active service as gaming fades",
             non_negative=True),
        Flow("parked_leaving", "parked / programme_length", out_of="parked", role="end_result", units="people/year",
             description="Parked clients leaving without having been helped"),
        Stock("knowledge", 0.26, units="dimensionless", role="strategic_resource", label="Knowledge",
              description="What the team has learnt about what works for whom (0-1)"),
        Flow("knowledge_gain", "learning_share * motivation * (1 - knowledge) / learning_cycle", into="knowledge",
             role="end_result", units="1/year",
             description="Knowledge from learning cycles: reflective time, done with motivation"),
        Flow("knowledge_loss", "knowledge / knowledge_life", out_of="knowledge", role="end_result", units="1/year",
             description="Knowledge going out of date as people and circumstances change"),
        Stock("capability", "0.2 + 0.8 * knowledge", units="dimensionless", role="strategic_resource",
              label="Capability", description="The team's true ability to help, especially the hard to help (0-1)"),
        Flow("capability_change", "(0.2 + 0.8 * knowledge - capability) / improvement_delay", into="capability",
             role="end_result", units="1/year", description="Capability follows knowledge after the improvement delay"),
        Stock("motivation", 0.6, units="dimensionless", role="strategic_resource", label="Intrinsic motivation",
              description="Caseworkers' intrinsic motivation (0-1)"),
        Flow("motivation_change", "(indicated_motivation - motivation) / motivation_time", into="motivation",
             role="end_result", units="1/year", description="Motivation moves towards what the regime supports"),
        Aux("indicated_motivation",
            "MIN(1, MAX(0, 0.6 + 0.3 * learning_regime - crowding_out * pressure - 0.2 * gaming))",
            units="dimensionless", label="Indicated motivation",
            description="Purpose and trust raise it; pressure and gaming crowd it out"),
        Stock("gaming", 0, units="dimensionless", role="strategic_resource", label="Gaming",
              description="How widespread gaming practices are: reclassifying, creaming, parking (0-1)"),
        Flow("gaming_change", "(MIN(1, pressure) - gaming) / gaming_time", into="gaming",
             role="end_result", units="1/year",
             description="Gaming spreads under pressure and fades without it"),
        Aux("perceived_performance", "SMTH1(reported_performance, 0.25, 0.4)", units="dimensionless",
            label="Reported performance as managers see it", description="Reported performance, a quarter late"),
        Aux("target_gap", "MAX(0, outcome_target - perceived_performance) / outcome_target",
            role="performance_driver", units="dimensionless",
            label="Gap to target", description="Shortfall of reported performance, relative"),
        Aux("indicated_pressure", "(1 - learning_regime) * incentive_strength * MIN(1, 0.5 + 2 * target_gap)",
            units="dimensionless", label="Indicated target pressure",
            description="Pressure that targets and incentives exert: always some, more while the target is missed"),
        Aux("pressure", "SMTH1(indicated_pressure, 0.25, 0)", units="dimensionless", role="performance_driver",
            label="Target pressure", description="Pressure as caseworkers feel it; it builds over about a quarter"),
        Aux("compliance_share", "0.1 + reporting_burden * pressure", units="dimensionless",
            role="performance_driver", label="Time on reporting and compliance",
            description="Share of time on reporting, audit and compliance"),
        Aux("learning_share", "SMTH1(learning_time * learning_regime + 0.05 * (1 - pressure), 0.5, 0.05)",
            units="dimensionless", role="performance_driver", label="Time on learning",
            description="Share of time on learning cycles and improvement; routines change over about half a year"),
        Aux("client_share", "MAX(0, 1 - compliance_share - learning_share - 0.1 * gaming)", units="dimensionless",
            role="performance_driver", label="Time with clients", description="Share of time left for clients"),
        Aux("intensity",
            "MIN(3, client_share * (1 + work_harder * pressure) * (0.5 + 0.5 * motivation)"
            " * team_capacity / MAX(1, easy_clients + hard_clients))",
            units="dimensionless", role="performance_driver", label="Service intensity",
            description="Effort per active client relative to normal"),
        Aux("helped", "easy_helped + hard_helped", units="people/year", label="Clients helped",
            description="Clients reaching a good outcome per year"),
        Aux("true_performance", "ZIDZ(helped, helped + easy_leaving + hard_leaving + parked_leaving)",
            units="dimensionless", label="True performance",
            description="Share of clients leaving the programme who leave helped, parked clients included"),
        Aux("reported_performance",
            "MIN(1, ZIDZ(helped, helped + easy_leaving + hard_leaving) + max_gaming_gap * gaming)",
            units="dimensionless", label="Reported performance",
            description="Performance as reported: parked clients are off the books, and gaming adds the rest"),
        Aux("parked_share", "ZIDZ(parked, parked + hard_clients)",
            role="performance_driver", units="dimensionless", label="Share parked",
            description="Share of hard-to-help clients who are parked"),
        Aux("hard_served_share", "1 - parked_share", units="dimensionless",
            label="Hard-to-help clients served", description="Share of hard-to-help clients actively served"),
        _p("learning_regime", 0, (0, 1), "dimensionless", "Learning regime",
           "0 = target-and-incentive regime, 1 = Human Learning Systems regime; between = hybrid", lever=True),
        _p("incentive_strength", 0.8, (0, 1), "dimensionless", "Incentive strength",
           "How hard targets and payments bite under the target regime", lever=True),
        _p("outcome_target", 0.6, (0.2, 1), "dimensionless", "Outcome target",
           "Target share of referrals helped", lever=True),
        _p("referrals", 400, (50, 2000), "people/year", "Referrals", "New clients per year"),
        _p("hard_share", 0.4, (0, 1), "dimensionless", "Share hard to help",
           "Share of referrals with complex needs", uncertainty=(0.3, 0.5)),
        _p("team_capacity", 250, (50, 1000), "people", "Team capacity",
           "Clients the team could support if all its time went to clients"),
        _p("easy_help_rate", 2, (0.2, 6), "1/year", "Easy help rate",
           "Good outcomes per easy client per year at normal intensity and full capability"),
        _p("hard_help_rate", 1.2, (0.1, 4), "1/year", "Hard help rate",
           "Good outcomes per hard client per year at normal intensity, full capability and motivation"),
        _p("programme_length", 1, (0.25, 3), "year", "Programme length",
           "Average time before an unhelped client leaves the programme"),
        _p("reporting_burden", 0.2, (0, 0.6), "dimensionless", "Reporting burden",
           "Extra share of time on reporting and compliance under full target pressure",
           source="hls_model_ranges", uncertainty=(0.1, 0.4)),
        _p("learning_time", 0.25, (0, 0.5), "dimensionless", "Time for learning cycles",
           "Share of time for learning cycles under the learning regime"),
        _p("learning_cycle", 0.25, (1 / 12, 0.5), "year", "Learning cycle length",
           "Length of one learning cycle (1-3 months)", source="hls_model_ranges", uncertainty=(1 / 12, 0.25)),
        _p("improvement_delay", 1, (0.25, 3), "year", "Improvement delay",
           "Time for new knowledge to show in capability (6-24 months)", source="hls_model_ranges",
           uncertainty=(0.5, 2)),
        _p("knowledge_life", 4, (0.5, 10), "year", "Knowledge life",
           "How long knowledge stays useful as people and circumstances change"),
        _p("crowding_out", 0.3, (0, 0.5), "dimensionless", "Crowding out",
           "How much target pressure lowers intrinsic motivation", source="hls_model_ranges",
           uncertainty=(0.1, 0.4)),
        _p("work_harder", 0.8, (0, 1), "dimensionless", "Work-harder boost",
           "Short-run rise in effort with clients under full pressure"),
        _p("motivation_time", 1.5, (0.25, 4), "year", "Motivation adjustment time",
           "Years for motivation to follow the regime"),
        _p("gaming_time", 0.5, (0.1, 3), "year", "Gaming adjustment time",
           "Years for gaming practices to spread or fade"),
        _p("max_gaming_gap", 0.2, (0, 0.4), "dimensionless", "Largest gaming gap",
           "Largest gap gaming can open between reported and true performance", source="gaming_ae_gap",
           uncertainty=(0.15, 0.25)),
        _p("parking_rate", 2, (0, 6), "1/year", "Parking rate",
           "Share of hard-to-help clients parked per year when gaming is universal"),
        _p("max_parked_share", 0.7, (0, 1), "dimensionless", "Parking ceiling",
           "Largest share of hard-to-help clients that ends up parked", source="gaming_parking_ceiling"),
    ]
    model = Model(
        "targets_vs_learning",
        variables,
        start=0, stop=10, dt=0.0625, time_units="year",
        label="Targets vs learning",
        description="A target-and-incentive regime against a Human Learning Systems regime, with easy and hard clients",
        scenarios=SCENARIOS,
    )
    return model.with_params(**overrides) if overrides else model
