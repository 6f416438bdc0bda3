"""Surrey Services for Young People, 2006-2022: commissioning outcomes with co-production.

Summary
-------
In April 2009 Surrey County Council merged Connexions, the Youth Offending Team and
the Youth Service into Services for Young People and began a three-year journey from
*delivering services* to *commissioning outcomes*, while its budget was cut by 25%.
Old in-house services were decommissioned by April 2012; new services were commissioned
on what some 8,000 consulted young people said they needed; voluntary groups were
asked to match the youth-work hours the council funded; eleven local committees
commissioned prevention work with young people on their panels; and police and youth
workers diverted young people who offended for the first time into a Youth Restorative
Intervention (YRI) instead of the courts. The number of young people not in education,
employment or training (NEET) fell from about 1,080 in April 2009 to 429 at the end of March 2014,
and first-time entrants to the youth justice system fell by about 90%. In 2019 the
youth offending service was rated inadequate while its first-time-entrant figure still
looked excellent.

This model is *inspired by* Bovaird, Bianchi & Loeffler (2017), not a replication of
their model (whose structure was not available to us). Its structure and many numbers
are teaching assumptions, chosen so that the baseline reproduces the published figures;
every parameter names its evidence key, and teaching assumptions have entries whose
status is "assumption".

Stocks and flows
----------------
Money and capacity (strategic resources), measured by what they cost a year:

- ``legacy_services`` (£m/year): the in-house services of 2009; ``decommissioning`` out.
- ``commissioned_services`` (£m/year): outcome-based contracts; ``commissioning`` in (negative
  when contracts shrink), never faster than the commissioning team can let them.
- ``targeted_contracts`` (£m/year): the well-targeted part of the contracts, a co-flow.
  ``targeted_commissioning`` brings the relevance of the day a contract is let;
  ``retargeting`` adapts running contracts to what is now understood.

Co-production, insight and trust (strategic resources):

- ``coproduction_hours`` (hour/week): youth work given by voluntary groups and communities on
  top of the funded hours; ``coproduction_growth``.
- ``needs_insight`` (0-1): shared understanding of what young people need; ``learning_about_needs``.
- ``trust`` (0-1): young people's and partners' trust in the council and its providers; ``trust_change``.

Outcome:

- ``neet`` (people): young people aged 16-19 NEET; ``becoming_neet`` in, ``re_engagement`` out.
  It starts at its pre-2009 balance.

Youth justice (a parallel chain):

- ``restorative_diversion`` (0-1): share of first offences resolved by restorative
  diversion instead of the formal system; ``diversion_change``.
- ``yos_capability`` (0-1): the youth offending service's capability for sound assessment,
  supervision and consistent out-of-court decisions; ``capability_change``.

DPM roles (after Bianchi; ``dk.dpm.check_roles`` enforces them). The nine stocks above are
the **strategic resources**. The **end results** are the eleven flows that change them:
``decommissioning``, ``commissioning``, ``targeted_commissioning``, ``retargeting``,
``coproduction_growth``, ``learning_about_needs``, ``trust_change``, ``becoming_neet`` and
``re_engagement`` (the final, community outcome), ``diversion_change`` and
``capability_change``. The **performance drivers** are measures against a benchmark that
drive those flows: ``coverage`` (well-targeted support relative to the cost of supporting
every young person at risk), ``relevance`` (what a contract let today would achieve
relative to full relevance), ``contract_relevance``, ``service_gap`` (budget not yet turned
into running services during the transition), ``visible_results`` (the fall in NEET
against its starting level) and ``funding_shortfall`` (budget against what the redesign
was built to run on). The policy levers are the parameters marked below.

Indicators without a DPM role (levels an evaluator reads; they change no resource):
``budget`` (set from outside, not accumulated), ``neet_share``, ``fte`` (first-time
entrants, a yearly rate with no stock modelled behind it), ``fte_index`` (2006/07 = 100),
``reoffending``, ``support_relevance``, and one indicator (0-1) for each of the paper's
three objectives: ``service_quality``, ``quality_of_life`` and ``governance_conformity``.
How each indicator is composed is our illustrative reading of the paper (evidence key
``surrey_assumption_objectives``), not its definition.

Loops: R1, results -> trust -> insight and co-produced hours -> coverage -> fewer NEET ->
results; B1, re-engagement drains the NEET stock; R2, disruption (the service gap) -> lower
trust -> less co-production.

Parameters
----------
Time is in calendar years (2009.25 = April 2009). [P] published, [D] derived, [A] teaching
assumption; ``model.parameter_table()`` lists every evidence key and
``dk.evidence.get(key)`` the source behind it.

- ``change_start`` (year, 2009.25) [P]: the merged service formed and the change began.
- ``budget_2009`` (£m/year, 18; uncertain 15.4-18.4) [D]: £4.5m is 25%, so about £18m.
- ``cut_fraction`` (dimensionless, 0.25) [P], policy lever; ``cut_years`` (year, 3) [P].
- ``decommissioning_years`` (year, 3) [P: wholly decommissioned by April 2012], policy lever.
- ``post2015_cut`` (£m/year, 2) [P, political source], policy lever, from
  ``post2015_start`` (year, 2015.25) [P].
- ``coproduction_effort`` (dimensionless 0-1; 1 = as it happened), policy lever.
- ``design_start`` (year, 2010.25) [P]: consultation of 8,000 young people, needs assessment;
  ``design_years`` (year, 2) [D]: from co-design to co-delivered youth work.
- ``funded_hours`` (hour/week, 465) [D: 31 centres x 15 h]; ``matching_ratio``
  (dimensionless, 1 = the design; uncertain 0.25-1 as achievement is unknown) [P].
- ``youth_crime_fall`` (0.5) and ``crime_fall_years`` (year, 5) [P: youth crime halved in five years].
- ``yri_start`` (year, 2009.25; uncertain 2009.25-2011.25) [P: sources say 2009 or 2011].
- ``yri_reoffending_effect`` (dimensionless, 0.18) [P: 2015 external evaluation].
- ``cohort`` (people, 30,000) [D]; ``neet_share_worst`` (dimensionless, 0.106) [P: the
  highest local-authority rate in England in 2012, the zero of the quality-of-life scale].
- ``evaluation_after`` (year, 5) [D: the 2014 evaluation came five years after 2009], policy
  lever: when the evaluator looks; see :func:`evaluate`.
- [A] NEET flows: ``at_risk`` (people), ``neet_hazard`` (1/year), ``neet_spell`` (year),
  ``max_prevention``, ``max_reengagement``, ``legacy_targeting``, ``best_relevance``
  (dimensionless), ``spend_needed`` (£m/year).
- [A] Commissioning: ``commissioning_delay``, ``contract_adaptation_time`` (year),
  ``max_commissioning_rate`` (£m/year/year).
- [A] Co-production, insight, trust: ``coproduction_cost`` (£m/year), ``hour_value``
  (£m/year per hour/week), ``coproduction_build_time``, ``insight_time``, ``trust_time``
  (year), ``insight_2006``, ``data_insight``, ``voice_insight``, ``trust_2006``,
  ``trust_from_results``, ``trust_from_disruption``, ``trust_from_voice`` (dimensionless).
- [A] Youth justice: ``first_offenders_2006`` (people/year), ``diversion_2006``,
  ``yri_diversion``, ``base_reoffending``, ``capability_2006``, ``yri_capability``,
  ``sustainable_share``, ``capability_sensitivity``, ``capability_reoffending_effect``
  (dimensionless), ``yri_adoption_time``, ``capability_time`` (year).

The assumptions are calibrated, not measured: they were chosen within the research notes'
ranges so that the baseline passes through the published points. Another set could fit
the same points; the Monte-Carlo ranges (``uncertainty``) show how much that matters.

Reference behaviour
-------------------
- ``as_it_happened`` (the defaults): about 1,060 NEET in April 2009 (published 1,080),
  a rise of about 5% in the first year of the change, then a fall once the new model is
  live, to about 470 in autumn 2013 and 430 at the end of March 2014 (published 429). The published
  449 is undated; its source ("more than halved in just over four years" from April 2009)
  puts it in about mid-2013, where the model gives about 494 (10% above); the model's
  point stays in autumn 2013 (about 4% above), see ``surrey_neet_autumn_2013``; first-time
  entrants about 90% below 2006/07 by 2014 with more than 1,000 young
  people a year diverted. After the 2015 cut the youth offending service's capability
  erodes over about four years while first-time entrants stay about 92% down: in 2019 the
  indicator the national dashboard watches still looks excellent while reoffending rises
  and service quality and governance conformity fall (the 2019 inspection's finding).
- ``no_coproduction``: no consultation, youth task groups or matched hours. NEET still
  falls, as money moves to better-targeted contracts, but it ends about 70% higher.
- ``faster_decommissioning``: old services close within a year, faster than contracts can
  be let; the service gap and the NEET peak are larger, trust falls further, and nothing
  is gained by 2014.
- ``evaluate_after_1_year`` vs ``evaluate_after_4_years``: worse before better. One year
  after the change NEET is up; four years after it is down by half (:func:`evaluate`).
- ``post_2015_cuts`` names the post-2015 cut that ``as_it_happened`` already contains;
  ``no_post_2015_cuts`` is the counterfactual of level funding after 2015, to compare with.

Further reading
---------------
Bovaird, T., Bianchi, C. & Loeffler, E. (2017) Applying a dynamic performance management
framework to wicked issues: how coproduction helps to transform young people's services
in Surrey County Council, UK. *International Journal of Public Administration* 40(10),
833-846. doi:10.1080/01900692.2017.1280822.
Governance International case study, "The transformation of services for young people in
Surrey County Council", https://www.govint.org/.
HM Inspectorate of Probation (2019) inspection of youth offending services in Surrey.
Bianchi, C. (2016) *Dynamic Performance Management*, Springer.
"""

from __future__ import annotations

import math

from ..errors import ModelError
from ..results import Result
from ..spec import Aux, Flow, Model, Stock
from ._common import param as _param

__all__ = ["build", "evaluate", "observed", "EVALUATION_YEARS"]

#: The two evaluation dates the worse-before-better lesson contrasts (years after the change).
EVALUATION_YEARS = (1, 4)

_YEAR = "year"
_GBP = "£m/year"
_FRACTION = "dimensionless"


def _progress(start, years):
    """Equation text: share (0-1) of a linear change from ``start`` lasting ``years``."""
    return f"MIN(1, MAX(0, (TIME - {start}) / {years}))"


def _variables():
    stocks_and_flows = [
        # Money and capacity.
        Stock("legacy_services", "budget_2009", units=_GBP, role="strategic_resource",
              label="Legacy in-house services",
              description="Old in-house services (Connexions, youth service, ...) measured by what they cost a year",
              non_negative=True),
        Flow("decommissioning",
             "IF TIME >= change_start THEN MIN(budget_2009 / decommissioning_years, legacy_services / DT) ELSE 0",
             out_of="legacy_services", role="end_result", units="£m/year/year", label="Decommissioning",
             description="Legacy services closed, at a steady pace from the change start", non_negative=True),
        Stock("commissioned_services", 0, units=_GBP, role="strategic_resource",
              label="Commissioned services",
              description="Outcome-based contracts with providers, measured by what they cost a year",
              non_negative=True),
        Flow("commissioning",
             "MIN(max_commissioning_rate, (available_for_commissioning - commissioned_services) / commissioning_delay)",
             into="commissioned_services", role="end_result", units="£m/year/year", label="Net commissioning",
             description="New contracts let (no faster than the commissioning team can), minus contracts "
                         "reduced when money is short"),
        Aux("budget", f"MAX(0, budget_2009 * (1 - cut_fraction * {_progress('change_start', 'cut_years')})"
            " - STEP(post2015_cut, post2015_start))", units=_GBP,
            label="Budget for services for young people", description="Money available each year"),
        Aux("coproduction_spend", "STEP(coproduction_effort * coproduction_cost, design_start)", units=_GBP,
            label="Spend on co-production",
            description="Engagement work, youth task groups and support to volunteers: the transaction costs"),
        Aux("available_for_commissioning", "MAX(0, budget - legacy_services - coproduction_spend)", units=_GBP,
            label="Money free to commission",
            description="Budget not tied up in legacy services or co-production support"),
        Aux("service_gap",
            "ZIDZ(MAX(0, budget - coproduction_spend - legacy_services - commissioned_services), budget)",
            units=_FRACTION, role="performance_driver", label="Service gap",
            description="Share of the budget not yet turned into running services (the transition's disruption)"),
        Aux("go_live", "MAX(change_start + decommissioning_years, design_start + design_years)", units=_YEAR,
            label="New model goes live",
            description="When the last legacy service has closed and the co-designed youth-work offer can start"),
        # Co-production and insight.
        Stock("coproduction_hours", 0, units="hour/week", role="strategic_resource",
              label="Co-produced youth-work hours",
              description="Weekly hours of youth work given by voluntary groups and communities on top of funded hours",
              non_negative=True),
        Flow("coproduction_growth", "(coproduction_potential - coproduction_hours) / coproduction_build_time",
             into="coproduction_hours", role="end_result", units="hour/week/year", label="Growth of co-produced hours",
             description="Volunteers and groups joining (or leaving) the youth-work offer"),
        Aux("coproduction_potential",
            "STEP(coproduction_effort * funded_hours * matching_ratio * trust, go_live)", units="hour/week",
            label="Co-produced hours on offer",
            description="Matched hours that partners would give at the current level of trust"),
        Aux("coproduction_support", "coproduction_hours * hour_value", units=_GBP,
            label="Value of co-produced youth work", description="Co-produced hours valued as if paid for"),
        Stock("needs_insight", "insight_2006", units=_FRACTION, role="strategic_resource",
              label="Insight into young people's needs",
              description="Shared understanding of what young people need, 0 (none) to 1 (full)",
              non_negative=True),
        Flow("learning_about_needs", "(indicated_insight - needs_insight) / insight_time", into="needs_insight",
             role="end_result", units="1/year", label="Learning about needs",
             description="Insight gained from data and young people's voice, or lost when they stop"),
        Aux("indicated_insight",
            "MIN(1, insight_2006 + STEP(data_insight + coproduction_effort * voice_insight * trust, design_start))",
            units=_FRACTION, label="Insight within reach",
            description="Insight the council's data and young people's voice can give at the current trust"),
        Aux("relevance", "best_relevance * needs_insight", units=_FRACTION, role="performance_driver",
            label="Relevance within reach",
            description="Share of a contract let today that would reach young people at risk with what they need"),
        # Contracts carry the insight of the day they were let (a co-flow of commissioned services).
        Stock("targeted_contracts", 0, units=_GBP, role="strategic_resource", label="Well-targeted contracts",
              description="The part of commissioned services that reaches young people at risk with what they need",
              non_negative=True),
        Flow("targeted_commissioning",
             "IF commissioning > 0 THEN commissioning * relevance ELSE commissioning * contract_relevance",
             into="targeted_contracts", role="end_result", units="£m/year/year", label="Targeting of new contracts",
             description="New contracts bring the relevance of the day they are let; cuts remove a fair share"),
        Flow("retargeting", "(commissioned_services * relevance - targeted_contracts) / contract_adaptation_time",
             into="targeted_contracts", role="end_result", units="£m/year/year", label="Retargeting",
             description="Providers and commissioners adapting running contracts to what is now understood"),
        Aux("contract_relevance", "ZIDZ(targeted_contracts, commissioned_services)", units=_FRACTION,
            role="performance_driver", label="Relevance of commissioned support",
            description="Share of commissioned spend that is well targeted"),
        Stock("trust", "trust_2006", units=_FRACTION, role="strategic_resource", label="Trust",
              description="Young people's and partners' trust in the council and its providers, 0 to 1",
              non_negative=True),
        Flow("trust_change", "(indicated_trust - trust) / trust_time", into="trust", role="end_result", units="1/year",
             label="Change in trust", description="Trust moving towards what results, disruption and voice warrant"),
        Aux("visible_results", "ZIDZ(INIT(neet) - neet, INIT(neet))", units=_FRACTION, role="performance_driver",
            label="Visible results",
            description="Fall in NEET since the start, as a share: what partners can see has improved"),
        Aux("indicated_trust",
            "MIN(1, MAX(0, trust_2006 + trust_from_results * visible_results - trust_from_disruption * service_gap"
            " + STEP(trust_from_voice * coproduction_effort, design_start)))",
            units=_FRACTION, label="Trust warranted",
            description="Trust that current results, disruption and young people's voice warrant"),
        # Support and NEET.
        Aux("effective_support",
            "legacy_services * legacy_targeting + targeted_contracts + coproduction_support",
            units=_GBP, label="Well-targeted support",
            description="Spend (and co-produced value) that reaches young people at risk with what they need"),
        Aux("coverage", "MIN(1, effective_support / spend_needed)", units=_FRACTION, role="performance_driver",
            label="Coverage of need", description="Well-targeted support relative to what full support would cost"),
        Aux("support_relevance",
            "ZIDZ(effective_support, legacy_services + commissioned_services + coproduction_support)",
            units=_FRACTION, label="Relevance of all support",
            description="Share of all support (paid and co-produced) that is well targeted"),
        Stock("neet", "at_risk * neet_hazard * (1 - max_prevention * coverage) * neet_spell"
              " / (1 + max_reengagement * coverage)", units="people", role="strategic_resource",
              label="Young people NEET",
              description="Young people aged 16-19 not in education, employment or training; starts at its "
                          "pre-2009 balance",
              non_negative=True),
        Flow("becoming_neet", "at_risk * neet_hazard * (1 - max_prevention * coverage)", into="neet",
             units="people/year", role="end_result", label="Becoming NEET",
             description="Young people at risk who drop out of education, employment or training", non_negative=True),
        Flow("re_engagement", "neet / neet_spell * (1 + max_reengagement * coverage)", out_of="neet",
             units="people/year", role="end_result", label="Re-engagement",
             description="NEET young people moving into education, employment or training (or ageing out)",
             non_negative=True),
        Aux("neet_share", "neet / cohort", units=_FRACTION, label="NEET share of 16-19s",
            description="NEET as a share of the tracked 16-19 cohort"),
        # Youth justice.
        Aux("first_offenders", f"first_offenders_2006 * (1 - youth_crime_fall * "
            f"{_progress('change_start', 'crime_fall_years')})", units="people/year",
            label="Young people offending for the first time",
            description="Young people coming to police notice for a first offence each year"),
        Stock("restorative_diversion", "diversion_2006", units=_FRACTION, role="strategic_resource",
              label="Restorative diversion",
              description="Share of first offences resolved by restorative diversion instead of the formal system",
              non_negative=True),
        Flow("diversion_change",
             "(diversion_2006 + STEP(yri_diversion - diversion_2006, yri_start) - restorative_diversion)"
             " / yri_adoption_time", into="restorative_diversion", role="end_result", units="1/year",
             label="Spread of restorative diversion",
             description="Restorative practice spreading through police and youth-support decisions"),
        Aux("fte", "first_offenders * (1 - restorative_diversion)", units="people/year",
            label="First-time entrants", description="Young people entering the formal youth justice system each year"),
        Aux("fte_index", "100 * XIDZ(fte, INIT(fte), 1)", units="index",
            label="First-time entrants (2006/07 = 100)",
            description="The national indicator: first-time entrants relative to 2006/07"),
        Aux("diverted", "first_offenders * restorative_diversion", units="people/year",
            label="Young people diverted", description="First offenders who avoid a criminal record each year"),
        Stock("yos_capability", "capability_2006", units=_FRACTION, role="strategic_resource",
              label="Youth offending service capability",
              description="Capability for sound assessment, supervision and consistent out-of-court decisions, 0-1",
              non_negative=True),
        Flow("capability_change", "(indicated_capability - yos_capability) / capability_time",
             into="yos_capability", role="end_result", units="1/year", label="Change in capability",
             description="Skills, staff and practice built up or worn down"),
        Aux("funding_shortfall", "MAX(0, 1 - budget / (sustainable_share * budget_2009))", units=_FRACTION,
            role="performance_driver", label="Funding shortfall",
            description="How far the budget is below what the redesigned service was built to run on"),
        Aux("indicated_capability",
            "(capability_2006 + STEP(yri_capability - capability_2006, yri_start))"
            " * MAX(0, 1 - capability_sensitivity * funding_shortfall)", units=_FRACTION,
            label="Capability the resources support",
            description="Capability that current practice and funding can sustain"),
        Aux("yri_progress", "ZIDZ(restorative_diversion - diversion_2006, yri_diversion - diversion_2006)",
            units=_FRACTION, label="YRI in place", description="How far the YRI has spread, 0 (not) to 1 (fully)"),
        Aux("reoffending",
            "MAX(0, MIN(1, base_reoffending * (1 - yri_reoffending_effect * yri_progress)"
            " * (1 + capability_reoffending_effect * (yri_capability - yos_capability))))",
            units=_FRACTION, label="Reoffending",
            description="Share of young people dealt with who offend again within a year"),
        # The three objectives of Bovaird, Bianchi & Loeffler (2017), as 0-1 indicators [I].
        Aux("service_quality", "(support_relevance + yos_capability) / 2", units=_FRACTION,
            label="Service quality",
            description="Objective 1: relevance of support to needs and quality of youth-justice practice, 0-1"),
        Aux("quality_of_life",
            "1 - MIN(1, neet_share / neet_share_worst) / 2 - reoffending / 2", units=_FRACTION,
            label="Quality-of-life outcomes",
            description="Objective 2: participation (NEET against the worst English rate) and reoffending, 0-1"),
        Aux("youth_voice", "trust * STEP(coproduction_effort, design_start)", units=_FRACTION,
            label="Youth voice",
            description="Young people's real say in commissioning: co-production discounted by trust"),
        Aux("governance_conformity", "(youth_voice + yos_capability) / 2", units=_FRACTION,
            label="Conformity to governance principles",
            description="Objective 3: youth voice in decisions, and due process and consistency in diversion, 0-1"),
        Aux("evaluation_time", "change_start + evaluation_after", units=_YEAR, label="Evaluation date",
            description="When the evaluator looks (see surrey.evaluate)"),
    ]
    return stocks_and_flows + _parameters()


def _p(name, default, units, bounds, source, description, label="", uncertainty=None, role=None):
    # the models' shared helper, with the argument order of this file's long table
    return _param(name, default, bounds, units, label, description, source=source, uncertainty=uncertainty,
                  role=role)


def _parameters():
    lever = "policy_lever"
    return [
        # Timeline and money.
        _p("change_start", 2009.25, _YEAR, (2007, 2013), "surrey_change_2009",
           "When the merged service and the three-year change began (April 2009)", "Change starts"),
        _p("budget_2009", 18.0, _GBP, (10, 25), "surrey_budget_baseline",
           "Budget for services for young people before the cut", "Budget before the cut",
           uncertainty=(15.4, 18.4)),
        _p("cut_fraction", 0.25, _FRACTION, (0, 0.5), "surrey_budget_cut",
           "Share of the budget cut during the change", "Budget cut", role=lever),
        _p("cut_years", 3, _YEAR, (0.5, 6), "surrey_budget_cut",
           "Years over which the cut is phased in", "Years to phase in the cut"),
        _p("decommissioning_years", 3, _YEAR, (0.5, 6), "surrey_decommissioning_2012",
           "Years from the change start until the last legacy service closes", "Years to decommission",
           role=lever),
        _p("commissioning_delay", 0.6, _YEAR, (0.1, 3), "surrey_assumption_contracts",
           "Average time to design, procure and mobilise a new contract", "Commissioning delay",
           uncertainty=(0.4, 1.0)),
        _p("contract_adaptation_time", 1.0, _YEAR, (0.25, 6), "surrey_assumption_contracts",
           "Time for running outcome-based contracts to adapt to new insight (contracts ran for 3 years)",
           "Time to retarget contracts", uncertainty=(0.75, 2.0)),
        _p("max_commissioning_rate", 6, "£m/year/year", (1, 30), "surrey_assumption_contracts",
           "Most new contract value the commissioning team can design and let in a year",
           "Commissioning capacity", uncertainty=(4, 9)),
        _p("post2015_cut", 2.0, _GBP, (0, 6), "surrey_post2015_cut",
           "Further cut to services for young people from 2015/16", "Post-2015 cut", role=lever),
        _p("post2015_start", 2015.25, _YEAR, (2014, 2020), "surrey_post2015_cut",
           "When the post-2015 cut takes effect (April 2015)", "Post-2015 cut starts"),
        # Co-production.
        _p("coproduction_effort", 1.0, _FRACTION, (0, 1), "surrey_coproduction_channels",
           "How much of the co-production programme is pursued (1 = as it happened, 0 = none)",
           "Co-production effort", role=lever),
        _p("design_start", 2010.25, _YEAR, (2007, 2015), "surrey_consultation_2010",
           "When the needs assessment and consultation with young people began", "Co-design starts"),
        _p("design_years", 2, _YEAR, (0.5, 5), "surrey_codesign_to_delivery",
           "Years from the start of co-design to co-delivered youth work (design, then contracts)",
           "Years to co-design"),
        _p("coproduction_cost", 0.4, _GBP, (0, 2), "surrey_assumption_coproduction",
           "Yearly cost of engagement, task groups and support to volunteers at full effort",
           "Cost of co-production"),
        _p("funded_hours", 465, "hour/week", (0, 1200), "surrey_funded_hours",
           "Weekly youth-work hours the council funds in youth centres", "Funded youth-work hours"),
        _p("matching_ratio", 1.0, _FRACTION, (0, 1), "surrey_youth_work_hours",
           "Extra hours partners give per funded hour at full trust (the design asked for 1)",
           "Matched hours per funded hour", uncertainty=(0.25, 1.0)),
        _p("hour_value", 0.0013, "£m/year/(hour/week)", (0, 0.005), "surrey_assumption_coproduction",
           "Value of one weekly hour of youth work sustained for a year (£25 an hour x 52 weeks)",
           "Value of a weekly hour"),
        _p("coproduction_build_time", 0.5, _YEAR, (0.25, 4), "surrey_assumption_coproduction",
           "Time for volunteers and groups to join once asked", "Time to build co-production",
           uncertainty=(0.25, 1.0)),
        # Insight and trust.
        _p("insight_2006", 0.2, _FRACTION, (0, 1), "surrey_assumption_insight",
           "Insight into young people's needs before the change", "Insight before the change"),
        _p("data_insight", 0.35, _FRACTION, (0, 1), "surrey_assumption_insight",
           "Insight added by the needs assessment of the council's own data", "Insight from data"),
        _p("voice_insight", 0.4, _FRACTION, (0, 1), "surrey_assumption_insight",
           "Insight added by young people's voice at full co-production and full trust", "Insight from voice"),
        _p("insight_time", 1.0, _YEAR, (0.25, 5), "surrey_assumption_insight",
           "Time for insight to build up or fade", "Time to gain insight", uncertainty=(0.75, 1.5)),
        _p("trust_2006", 0.4, _FRACTION, (0, 1), "surrey_assumption_trust",
           "Trust before the change (support for vulnerable teenagers had been rated inadequate)",
           "Trust before the change"),
        _p("trust_time", 1.0, _YEAR, (0.25, 5), "surrey_assumption_trust",
           "Time for trust to follow results, disruption and voice", "Time for trust to change",
           uncertainty=(0.75, 2.0)),
        _p("trust_from_results", 0.3, _FRACTION, (0, 2), "surrey_assumption_trust",
           "Trust gained per unit of visible improvement (share fall in NEET)", "Trust from results"),
        _p("trust_from_disruption", 0.8, _FRACTION, (0, 5), "surrey_assumption_trust",
           "Trust lost per unit of service gap", "Trust lost to disruption"),
        _p("trust_from_voice", 0.2, _FRACTION, (0, 1), "surrey_assumption_trust",
           "Trust gained when young people and partners are given a real say", "Trust from voice"),
        # NEET dynamics.
        _p("at_risk", 4000, "people", (1000, 8000), "surrey_assumption_neet_flows",
           "Young people identified as at risk of becoming NEET (e.g. by risk indicators)",
           "Young people at risk", uncertainty=(3500, 4500)),
        _p("neet_hazard", 0.7, "1/year", (0.1, 2), "surrey_assumption_neet_flows",
           "Yearly rate at which an at-risk young person without support becomes NEET", "NEET hazard"),
        _p("neet_spell", 0.6, _YEAR, (0.2, 1.5), "surrey_assumption_neet_flows",
           "Average time NEET without support", "Average NEET spell", uncertainty=(0.5, 0.7)),
        _p("max_prevention", 0.8, _FRACTION, (0, 1), "surrey_assumption_neet_flows",
           "Share of NEET spells prevented at full coverage", "Prevention at full coverage"),
        _p("max_reengagement", 2.0, _FRACTION, (0, 5), "surrey_assumption_neet_flows",
           "Extra re-engagement (multiple of the unsupported rate) at full coverage",
           "Re-engagement boost at full coverage"),
        _p("spend_needed", 15, _GBP, (5, 40), "surrey_assumption_neet_flows",
           "Well-targeted spend that would support every young person at risk", "Spend for full coverage"),
        _p("legacy_targeting", 0.15, _FRACTION, (0, 1), "surrey_assumption_neet_flows",
           "Share of legacy spend that reached young people at risk of NEET", "Targeting of legacy services"),
        _p("best_relevance", 0.9, _FRACTION, (0, 1), "surrey_assumption_neet_flows",
           "Share of commissioned spend well targeted when needs are fully understood",
           "Best relevance of commissioned support"),
        _p("cohort", 30000, "people", (20000, 40000), "surrey_cohort",
           "Young people aged 16-19 tracked by the council", "Tracked 16-19 cohort"),
        _p("neet_share_worst", 0.106, _FRACTION, (0.05, 0.2), "surrey_context_neet_la_range_2012",
           "Highest local-authority NEET share in England (the zero of the quality-of-life scale)",
           "Worst NEET share in England"),
        # Youth justice.
        _p("first_offenders_2006", 2400, "people/year", (500, 6000), "surrey_assumption_youth_justice",
           "Young people coming to notice for a first offence each year in 2006/07", "First offenders 2006/07",
           uncertainty=(2000, 2800)),
        _p("youth_crime_fall", 0.5, _FRACTION, (0, 0.9), "surrey_young_offenders_pcc",
           "Fall in youth offending over the five years to 2014 (youth crime halved)", "Fall in youth crime"),
        _p("crime_fall_years", 5, _YEAR, (1, 10), "surrey_young_offenders_pcc",
           "Years over which youth crime fell", "Years of falling youth crime"),
        _p("yri_start", 2009.25, _YEAR, (2008, 2013), "surrey_yri_start_2009",
           "When the Youth Restorative Intervention began (sources say 2009 or 2011)", "YRI starts",
           uncertainty=(2009.25, 2011.25)),
        _p("diversion_2006", 0.1, _FRACTION, (0, 1), "surrey_assumption_youth_justice",
           "Share of first offences resolved informally before the YRI", "Diversion before the YRI"),
        _p("yri_diversion", 0.86, _FRACTION, (0, 1), "surrey_assumption_youth_justice",
           "Share of first offences diverted once the YRI is fully in place", "Diversion with the YRI"),
        _p("yri_adoption_time", 1.5, _YEAR, (0.25, 5), "surrey_assumption_youth_justice",
           "Time for restorative practice to spread through decisions", "Time to adopt the YRI",
           uncertainty=(1.0, 2.0)),
        _p("yri_reoffending_effect", 0.18, _FRACTION, (0, 0.5), "surrey_yri_reoffending",
           "Fall in reoffending with the YRI in place", "YRI effect on reoffending"),
        _p("base_reoffending", 0.4, _FRACTION, (0.1, 0.8), "surrey_assumption_youth_justice",
           "Reoffending share with a capable service and no YRI", "Reoffending without the YRI"),
        _p("capability_2006", 0.5, _FRACTION, (0, 1), "surrey_assumption_youth_justice",
           "Youth offending service capability before the change", "Capability before the change"),
        _p("yri_capability", 0.85, _FRACTION, (0, 1), "surrey_assumption_youth_justice",
           "Capability with the co-located restorative team and full funding", "Capability with the YRI"),
        _p("capability_time", 2.0, _YEAR, (0.5, 6), "surrey_assumption_youth_justice",
           "Time for capability to build up or wear down (staff, skills, practice)", "Time for capability to change",
           uncertainty=(1.5, 3.0)),
        _p("sustainable_share", 0.75, _FRACTION, (0.3, 1), "surrey_assumption_youth_justice",
           "Share of the 2009 budget the redesigned service was built to run on", "Budget the redesign needs"),
        _p("capability_sensitivity", 3.0, _FRACTION, (0, 8), "surrey_assumption_youth_justice",
           "Capability lost per unit of funding shortfall", "Sensitivity of capability to cuts",
           uncertainty=(2.0, 4.0)),
        _p("capability_reoffending_effect", 0.6, _FRACTION, (0, 3), "surrey_assumption_youth_justice",
           "Rise in reoffending per unit of capability lost", "Effect of capability on reoffending"),
        # Evaluation.
        _p("evaluation_after", 5, _YEAR, (0.5, 12), "surrey_evaluation_delay",
           "Years after the change start when the evaluator looks", "Evaluate after", role=lever),
    ]


def build(**overrides):
    """Build the Surrey model; keyword arguments override parameter defaults.

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("surrey")
    >>> result = dk.simulate(model)
    >>> 900 < result.at(2009.25, "neet") < 1250
    True
    """
    model = Model(
        "surrey",
        _variables(),
        start=2006.25, stop=2022, dt=1 / 12, time_units="year",
        label="Surrey Services for Young People",
        description="Commissioning outcomes with co-production under a 25% budget cut, 2006-2022",
        scenarios={
            "as_it_happened": {},
            "no_coproduction": {"coproduction_effort": 0.0},
            "faster_decommissioning": {"decommissioning_years": 1.0},
            "evaluate_after_1_year": {"evaluation_after": 1.0},
            "evaluate_after_4_years": {"evaluation_after": 4.0},
            "post_2015_cuts": {"post2015_cut": 2.0, "post2015_start": 2015.25},
            "no_post_2015_cuts": {"post2015_cut": 0.0},
        },
    )
    return model.with_params(**overrides) if overrides else model


#: Indicators an evaluator reports, and whether a higher value is better.
_INDICATORS = (
    ("neet", False),
    ("fte_index", False),
    ("service_quality", True),
    ("quality_of_life", True),
    ("governance_conformity", True),
)


def _judge(before, after, higher_is_better, threshold):
    change = (after - before) / abs(before) if before else after - before
    if abs(change) < threshold:
        return "no clear change"
    return "better" if (change > 0) == higher_is_better else "worse"


def evaluate(result, years_after=None, threshold=0.02):
    """What an evaluator would conclude ``years_after`` years after the change started.

    The evaluator compares each indicator at the change start with its value
    ``years_after`` later. Evaluate too early and a change that works can look like a
    failure (worse before better); the paper warns against over-hasty evaluation.

    Parameters
    ----------
    result : Result
        A run of the ``surrey`` model.
    years_after : float, optional
        Years after ``change_start``; by default the run's ``evaluation_after`` parameter.
    threshold : float
        Relative change in NEET below which the verdict is "no clear change".

    Returns
    -------
    dict
        ``time`` (when the evaluator looks), ``years_after``, ``verdict`` ("better",
        "worse" or "no clear change", judged on NEET), ``neet_change`` (relative), and
        under ``indicators``, for NEET, first-time entrants and the three objectives,
        ``{name: (before, after, judgement)}`` with the same three judgements.

    Examples
    --------
    >>> import dpmkit as dk
    >>> from dpmkit.models.surrey import evaluate
    >>> r = dk.simulate(dk.models.load("surrey"))
    >>> evaluate(r, 1)["verdict"], evaluate(r, 4)["verdict"]
    ('worse', 'better')
    """
    if not isinstance(result, Result) or result.model.name != "surrey" or "neet" not in result.model:
        raise ModelError("evaluate() needs a single run of the 'surrey' model, from dk.simulate")
    start = float(result.params["change_start"])
    if years_after is None:
        years_after = float(result.params["evaluation_after"])
    if isinstance(years_after, bool) or not isinstance(years_after, (int, float)) or not math.isfinite(years_after):
        raise ModelError(f"years_after must be a number of years, got {years_after!r}")
    if years_after <= 0:
        raise ModelError(f"years_after must be positive (years after the change), got {years_after:g}")
    when = start + float(years_after)
    if when > result.time[-1] + 1e-9:
        raise ModelError(
            f"an evaluation {years_after:g} years after {start:g} (TIME = {when:g}) lies beyond the end of the run "
            f"({result.time[-1]:g})", time=when)
    indicators = {}
    for name, higher_is_better in _INDICATORS:
        before, after = result.at(start, name), result.at(when, name)
        indicators[name] = (before, after, _judge(before, after, higher_is_better, threshold))
    before, after, verdict = indicators["neet"]
    change = (after - before) / before if before else 0.0
    return {"time": when, "years_after": float(years_after), "verdict": verdict, "neet_change": change,
            "indicators": indicators}


#: Dated published NEET counts: (TIME, count, evidence key). The 449 is undated ("last month"
#: on an undated page; "just over four years" from April 2009 suggests mid-2013): its time is
#: approximate, and the registry entry shows the model's fit at both dates.
_NEET_POINTS = (
    (2009.25, 1080.0, "surrey_neet_2009"),
    (2013.75, 449.0, "surrey_neet_autumn_2013"),
    (2014.25, 429.0, "surrey_neet_2014"),  # end of March 2014 = the start of April
)


def observed():
    """The published NEET counts, ready for :func:`dpmkit.calibrate`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``time`` (decimal years), one column ``neet``. ``frame.attrs["sources"]``
        maps each time to its evidence key; read the source, its status and caveats with
        ``dk.evidence.get(key)``.

    Examples
    --------
    >>> from dpmkit.models import surrey
    >>> data = surrey.observed()
    >>> list(data["neet"])
    [1080.0, 449.0, 429.0]
    """
    import pandas as pd

    frame = pd.DataFrame(
        {"neet": [value for _, value, _ in _NEET_POINTS]},
        index=pd.Index([t for t, _, _ in _NEET_POINTS], name="time"),
    )
    frame.attrs["sources"] = {t: key for t, _, key in _NEET_POINTS}
    return frame


#: The moments the lessons compare runs at (the explorer's summary reports each run at
#: them, then at the end): the published NEET counts of April 2009 (surrey_neet_2009) and
#: the end of March 2014 (surrey_neet_2014, TIME 2014.25, the start of April). The labels
#: are the lessons' words: "End of March 2014", never the month alone (which would read as
#: a third date beside the charts' "April 2014"); capitalised as it opens a summary item,
#: like "End of the run (2022)" beside it.
MOMENTS = {"April 2009": 2009.25, "End of March 2014": 2014.25}

#: What the model is watched for when nobody says which (``dk.models.watched``): the room's
#: explorer charts NEET and its ballot asks NEET at the end of March 2014, as the half-day plan
#: does ("Predict NEET at the end of March 2014"), rather than the first strategic resources
#: (legacy and commissioned services, in £m a year, at the end of the run).
WATCH = {"neet": [2014.25]}
