"""Three objectives: balancing service quality, quality-of-life outcomes and governance.

Summary
-------
Bovaird, Bianchi and Loeffler (2017) argue that an outcome-based public service must
balance three objectives that pull on each other: the **quality of its services**, the
**quality-of-life outcomes** of the people it serves, and its **conformity to
public-governance principles** (participation, transparency, equity, due process).
Pursuing all three at once "may not be feasible" because they form one dynamic system,
and outcomes may *cluster* with governance, or *trade off* against it, depending on the
context. In this model managers split a fixed effort between the three objectives
(policy levers). Each objective moves towards the level its share of effort can buy,
with diminishing returns, shifted up or down by the other objectives (cross-effects).
Good governance helps outcomes only through **co-production**, which takes time to
build; that delay makes the short run and the long run disagree. Two presets set the
cross-effects: ``"clustering"`` (outcomes and governance reinforce each other) and
``"trade_off"`` (each crowds the other out). All numbers are teaching assumptions.

Stocks and flows
----------------
- ``service_quality`` (index 0-100, starts at 50): ``quality_change`` in (either sign).
- ``outcomes`` (index 0-100, quality-of-life outcomes, starts at 40): ``outcomes_change`` in.
- ``governance`` (index 0-100, conformity to governance principles, starts at 45):
  ``governance_change`` in.
- ``coproduction`` (index 0-100, engagement of citizens and partners, starts at 45):
  ``coproduction_change`` in; it follows ``governance`` with the delay ``coproduction_delay``.

Each objective's change is (indicated level - current level) / adjustment time. The
indicated level is ``100 * (1 - EXP(-productivity * effort share * resources))`` (what the
objective's own effort buys) plus each cross-effect coefficient times the other
objective's distance from a middling 50, kept within 0-100.

DPM roles (``dk.dpm.check_roles``): the four stocks are the strategic resources; their
four flows are the end results; the effort shares (``share_quality``, ...) and the
indicated levels each objective is measured against (``indicated_service_quality``, ...)
are the performance drivers; the efforts and ``resources`` are the policy levers.
``weakest_objective`` and ``average_objective`` are indicators without a role.

Parameters
----------
- ``effort_quality``, ``effort_outcomes``, ``effort_governance`` (dimensionless, 0-1):
  relative effort on each objective; normalised to shares. Policy levers. Assumption.
- ``resources`` (dimensionless, 0.25-2): staff and budget relative to a normal level.
  Policy lever. Assumption.
- ``productivity_quality``, ``productivity_outcomes``, ``productivity_governance``
  (dimensionless, 0.5-6): how much of the headroom a full share of effort buys;
  uncertain (1.2-3). Assumption.
- ``quality_time`` (year, 0.25-5; uncertain 0.5-1.5), ``outcomes_time`` (year, 0.5-8;
  uncertain 1.5-3), ``governance_time`` (year, 0.5-6; uncertain 1-2.5): adjustment times.
  Assumption.
- ``coproduction_delay`` (year, 0.25-4; uncertain 0.5-2): time for governance to turn
  into co-production (6-24 months). ``objectives_cross_effects`` (assumption).
- ``governance_to_outcomes``, ``outcomes_to_governance``, ``quality_to_outcomes``,
  ``governance_to_quality`` (dimensionless, -1 to 1): cross-effects.
  ``objectives_cross_effects`` (assumption; qualitative basis ``objectives_bbl2017_abstract``).

Scenarios: ``clustering`` and ``trade_off`` (cross-effects), ``governance_first`` and
``outcomes_first`` (effort allocations; combine them with a cross-effect preset).

Reference behaviour
-------------------
- Under ``"clustering"``, across a Monte-Carlo ensemble over the uncertainty ranges
  (``dk.ensemble(model, n=300, seed=1, params=model.scenario("clustering"))``), the final
  values of ``outcomes`` and ``governance`` are strongly positively correlated (about
  0.9); under ``"trade_off"`` they are negatively correlated (about -0.8).
- Delayed synergy: under clustering, moving effort to governance (``governance_first``)
  lowers outcomes for the first years, because outcome work lost its share at once while
  co-production builds slowly; after about seven years outcomes overtake the balanced
  allocation and end higher. Judged at year 2 the move looks like a mistake; at year 20
  it has paid.
- With trade-off cross-effects the same move lowers outcomes for good.
- With the default (mild) cross-effects it does not pay either: whether investing in
  governance helps outcomes depends on how strong the synergy is in that context.

Further reading
---------------
Bovaird, T., Bianchi, C. & Loeffler, E. (2017) *International Journal of Public
Administration* 40(10), 833-846 (``objectives_bbl2017_abstract``); Bovaird, T. &
Loeffler, E. (2003) *International Review of Administrative Sciences* 69(3)
(``objectives_bovaird_loeffler_2003``); Bianchi, C. (2016) *Dynamic Performance
Management*, Springer.
"""

from __future__ import annotations

from ..spec import Aux, Flow, Model, Stock
from ._common import param as _param

#: Cross-effect presets. Only structural parameters, never uncertain ones, so a preset can be
#: passed as ``params=`` to an ensemble that samples the uncertainty ranges.
SCENARIOS = {
    "clustering": {
        "governance_to_outcomes": 1.0,
        "outcomes_to_governance": 0.5,
        "governance_to_quality": -0.1,
    },
    "trade_off": {
        "governance_to_outcomes": -0.5,
        "outcomes_to_governance": -0.5,
        "governance_to_quality": -0.3,
    },
    "governance_first": {"effort_quality": 0.25, "effort_outcomes": 0.25, "effort_governance": 0.5},
    "outcomes_first": {"effort_quality": 0.25, "effort_outcomes": 0.5, "effort_governance": 0.25},
}


def _objective(name, flow, initial, label, description, time_param, indicated):
    """The stock of one objective, the flow that moves it and the level it moves towards."""
    return [
        Stock(name, initial, units="index", role="strategic_resource", label=label, description=description),
        Flow(flow, f"(indicated_{name} - {name}) / {time_param}", into=name,
             units="1/year", role="end_result", label=f"Change in {label.lower()}",
             description=f"Index points per year by which {label.lower()} moves towards its indicated level"),
        Aux(f"indicated_{name}", indicated, units="index", role="performance_driver",
            label=f"Indicated {label.lower()}",
            description=f"The level {label.lower()} tends towards, given effort and the other objectives"),
    ]


def _share(effort):
    return f"ZIDZ({effort}, effort_quality + effort_outcomes + effort_governance)"


def _own(objective):
    # The share enters through its auxiliary (share_quality, ...), so the DPM chart shows the
    # effort shares driving the objectives.
    return f"100 * (1 - EXP(-productivity_{objective} * share_{objective} * resources))"


def build(**overrides):
    """Build the three-objectives model; keyword arguments override parameter defaults.

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("three_objectives")
    >>> result = dk.simulate(model, model.scenario("clustering"))
    >>> 0 <= result.final("outcomes") <= 100
    True
    """
    variables = [
        *_objective(
            "service_quality", "quality_change", 50, "Service quality",
            "Quality of the services as users and inspectors see it (0-100)", "quality_time",
            f"MIN(100, MAX(0, {_own('quality')} + governance_to_quality * (governance - 50)))",
        ),
        *_objective(
            "outcomes", "outcomes_change", 40, "Quality-of-life outcomes",
            "Quality-of-life outcomes of the people served, e.g. young people in education or work (0-100)",
            "outcomes_time",
            f"MIN(100, MAX(0, {_own('outcomes')} + quality_to_outcomes * (service_quality - 50)"
            " + governance_to_outcomes * (coproduction - 50)))",
        ),
        *_objective(
            "governance", "governance_change", 45, "Governance conformity",
            "Conformity to public-governance principles: participation, transparency, equity, due process (0-100)",
            "governance_time",
            f"MIN(100, MAX(0, {_own('governance')} + outcomes_to_governance * (outcomes - 50)))",
        ),
        Stock("coproduction", 45, units="index", role="strategic_resource", label="Co-production",
              description="Engagement of citizens, young people and partners in producing outcomes (0-100)"),
        Flow("coproduction_change", "(governance - coproduction) / coproduction_delay", into="coproduction",
             role="end_result", units="1/year", label="Change in co-production",
             description="Co-production follows governance conformity with a delay (trust and habits take time)"),
        Aux("share_quality", _share("effort_quality"), units="dimensionless", role="performance_driver",
            label="Share of effort on quality", description="Fraction of managers' effort spent on service quality"),
        Aux("share_outcomes", _share("effort_outcomes"), units="dimensionless", role="performance_driver",
            label="Share of effort on outcomes", description="Fraction of effort spent directly on outcomes"),
        Aux("share_governance", _share("effort_governance"), units="dimensionless", role="performance_driver",
            label="Share of effort on governance",
            description="Fraction of effort spent on participation, transparency, equity and due process"),
        Aux("weakest_objective", "MIN(service_quality, outcomes, governance)", units="index",
            label="Weakest objective",
            description="The lowest of the three objectives: a balance that neglects one shows up here"),
        Aux("average_objective", "(service_quality + outcomes + governance) / 3", units="index",
            label="Average of the three objectives",
            description="Unweighted mean of the three objectives"),
        _param("effort_quality", 1 / 3, bounds=(0, 1), units="dimensionless", role="policy_lever",
              label="Effort on service quality", source="assumption",
              description="Relative effort on service quality (the three efforts are normalised to shares)"),
        _param("effort_outcomes", 1 / 3, bounds=(0, 1), units="dimensionless", role="policy_lever",
              label="Effort on outcomes", source="assumption",
              description="Relative effort directly on quality-of-life outcomes"),
        _param("effort_governance", 1 / 3, bounds=(0, 1), units="dimensionless", role="policy_lever",
              label="Effort on governance", source="assumption",
              description="Relative effort on participation, transparency, equity and due process"),
        _param("resources", 1, bounds=(0.25, 2), units="dimensionless", role="policy_lever",
              label="Resources", source="assumption",
              description="Staff and budget relative to a normal level (1 = normal)"),
        _param("productivity_quality", 2, bounds=(0.5, 6), uncertainty=(1.2, 3), units="dimensionless",
              label="Productivity of quality effort", source="assumption",
              description="How much of the headroom to 100 a full share of effort on quality buys"),
        _param("productivity_outcomes", 2, bounds=(0.5, 6), uncertainty=(1.2, 3), units="dimensionless",
              label="Productivity of outcome effort", source="assumption",
              description="How much of the headroom to 100 a full share of effort on outcomes buys"),
        _param("productivity_governance", 2, bounds=(0.5, 6), uncertainty=(1.2, 3), units="dimensionless",
              label="Productivity of governance effort", source="assumption",
              description="How much of the headroom to 100 a full share of effort on governance buys"),
        _param("quality_time", 1, bounds=(0.25, 5), uncertainty=(0.5, 1.5), units="year",
              label="Quality adjustment time", source="assumption",
              description="Years for service quality to move most of the way to its indicated level"),
        _param("outcomes_time", 2, bounds=(0.5, 8), uncertainty=(1.5, 3), units="year",
              label="Outcomes adjustment time", source="assumption",
              description="Years for quality-of-life outcomes to respond (outcomes are slow)"),
        _param("governance_time", 1.5, bounds=(0.5, 6), uncertainty=(1, 2.5), units="year",
              label="Governance adjustment time", source="assumption",
              description="Years for governance conformity to move towards its indicated level"),
        _param("coproduction_delay", 1.5, bounds=(0.25, 4), uncertainty=(0.5, 2), units="year",
              label="Co-production delay", source="objectives_cross_effects",
              description="Years for better governance to turn into citizens' and partners' co-production"),
        _param("governance_to_outcomes", 0.5, bounds=(-1, 1), units="dimensionless",
              label="Governance -> outcomes", source="objectives_cross_effects",
              description="Effect of co-production (built by governance) on outcomes; positive = synergy"),
        _param("outcomes_to_governance", 0.2, bounds=(-1, 1), units="dimensionless",
              label="Outcomes -> governance", source="objectives_cross_effects",
              description=("Effect of outcomes on governance: visible results build legitimacy (positive) "
                           "or outcome-target focus crowds out equity (negative)")),
        _param("quality_to_outcomes", 0.1, bounds=(-1, 1), units="dimensionless",
              label="Quality -> outcomes", source="objectives_cross_effects",
              description="Effect of service quality on outcomes; positive = better services help people"),
        _param("governance_to_quality", -0.15, bounds=(-1, 1), units="dimensionless",
              label="Governance -> quality", source="objectives_cross_effects",
              description="Effect of governance on quality; negative = consultation and due process take staff time"),
    ]
    model = Model(
        "three_objectives",
        variables,
        start=0, stop=20, dt=0.125, time_units="year",
        label="Three objectives: quality, outcomes, governance",
        description="Effort allocation between service quality, quality-of-life outcomes and governance principles",
        scenarios=SCENARIOS,
    )
    return model.with_params(**overrides) if overrides else model
