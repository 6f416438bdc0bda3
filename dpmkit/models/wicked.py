"""Wicked: a sandbox with a switch for each of the four kinds of complexity.

Summary
-------
Start from the simplest service there is: people with a need arrive, a service closes
cases, and managers adjust capacity to bring the list of people waiting down to a goal.
With every switch off this is a **goal-seeking** system: need falls smoothly to the goal
and stays there. Then switch on, one at a time or together, the four kinds of human
complexity of French, Lowe, Wilson, Rhodes & Hawkins (2021). Each switch is a
**structure switch**, not a policy lever: it changes how the system is wired (a delay,
a feedback, who decides), not how hard anyone tries.

- ``compositional`` (interacting needs): many people's need is entangled with other
  needs (housing, mental health, money) that this service does not touch; a share of
  its closures do not hold and come back through a revolving door. The same service buys
  less reduction in need.
- ``experiential`` (people experience the same problem differently): the standard
  service does not fit a share of people; their cases are closed as resolved but the
  need remains, hidden, until it comes back much later. What the service sees and what
  people live diverge.
- ``dynamic`` (constant flux): capacity comes through a hiring-and-training pipeline
  that takes time, and demand shifts suddenly. The delayed correction overshoots:
  oscillation.
- ``governance`` (power, money and information spread over several agencies): the
  decision-makers see the need late, and every change of capacity is negotiated among
  ``agencies``. Adjustment is slower and more cautious.

The numbers are teaching assumptions (``complexity_wicked_ranges``); the four lenses
are published (``complexity_four_types``).

Stocks and flows
----------------
- ``need`` (people, the list the service sees): ``new_cases``, ``revolving_door`` and
  ``returning`` in; ``closures`` out.
- ``hidden_need`` (people closed as resolved whose need remains): ``false_closures``
  in, ``returning`` out (after ``relapse_time``).
- ``capacity`` (people/year, cases the service can close): ``capacity_change``.
- hidden stocks: the revolving door (``DELAY1`` over ``revolving_time``), the capacity
  pipeline (``DELAY3`` over ``acquisition_delay``, used when ``dynamic`` = 1), and
  the smooths of perceived need and expected arrivals.

``desired_capacity`` = expected arrivals + (perceived need - ``need_goal``) /
(``gap_closing_time`` x governance factor), within 0 and ``capacity_limit``; capacity
moves towards it (through the pipeline if ``dynamic``) over ``capacity_time`` x
governance factor, where the governance factor is 1 + ``governance`` x (``agencies`` - 1).

DPM roles (``dk.dpm.check_roles``): ``need``, ``hidden_need`` and ``capacity`` are the
strategic resources; their six flows are the end results; ``perceived_need`` and
``desired_capacity`` (need against ``need_goal``) are the performance drivers;
``capacity_limit`` is the policy lever. ``actual_need`` and ``hidden_share`` are
indicators without a role (they change no resource).

Parameters
----------
- ``compositional``, ``experiential``, ``dynamic``, ``governance`` (dimensionless, 0-1):
  structure switches (0 off, 1 on; values between blend). Assumption.
- ``demand`` (people/year, 50-3000): new cases per year. Assumption.
- ``need_goal`` (people, 0-2000): the size of list the service aims for. Assumption.
- ``capacity_limit`` (people/year, 0-5000): most cases the budget allows per year. Policy lever. Assumption.
- ``gap_closing_time`` (year, 0.5-10), ``capacity_time`` (year, 0.1-5),
  ``perception_time`` (year, 0.05-3), ``min_service_time`` (year, 0.05-1): how the
  simple service is managed. Assumption.
- ``entanglement`` (dimensionless, 0-0.9; uncertain 0.3-0.6): share of closures that do
  not hold when needs interact. ``complexity_wicked_ranges`` (assumption).
- ``revolving_time`` (year, 0.1-3): time until such a case is back. Assumption.
- ``misfit_share`` (dimensionless, 0-0.9; uncertain 0.3-0.5): share of people the
  standard service does not fit. ``complexity_wicked_ranges`` (assumption).
- ``relapse_time`` (year, 0.25-5): time until hidden need comes back. Assumption.
- ``acquisition_delay`` (year, 0.25-4; uncertain 1-2): hiring and training pipeline.
  ``complexity_wicked_ranges`` (assumption).
- ``shock_size`` (dimensionless, 0-1), ``shock_time`` (year, 0-15): a sudden rise in
  demand when ``dynamic`` is on. Assumption.
- ``agencies`` (dimensionless, 1-8; uncertain 2-5): organisations that must agree on
  capacity when ``governance`` is on. ``complexity_wicked_ranges`` (assumption).

Scenarios: one per switch (``compositional``, ``experiential``, ``dynamic``,
``governance``), ``all_off`` and ``all_on``.

Reference behaviour
-------------------
- All switches off: need falls from 1,500 to the goal of 300 without overshooting and
  stays there; the need the service sees equals the actual need.
- ``dynamic``: need overshoots below the goal and oscillates; the demand shock in year
  8 sets off a second round.
- ``experiential``: the list reaches the goal but actual need (list + hidden need)
  settles between two and three times as high: the service believes it has succeeded.
- ``compositional``: with capacity at the budget limit, each extra case closed reduces
  need by a little over half a person (by one without interacting needs); to hold the
  list at its goal the service must close many more cases.
- ``governance``: need takes about three times as long to close half the gap, without
  overshooting.

Further reading
---------------
French, M., Lowe, T., Wilson, R., Rhodes, M.-L. & Hawkins, M. (2021), Managing the
complexity of outcomes, in the *Handbook on Performance Management in the Public Sector*
(Edward Elgar) (``complexity_four_types``); Rittel & Webber (1973) (``complexity_rittel_webber_1973``);
Lane, Munro & Husemann (2016) (``complexity_munro_compliance``); Sterman, J. (2000)
*Business Dynamics*, chapters 8 and 17 on goal seeking and supply-line oscillation.
"""

from __future__ import annotations

from ..spec import Aux, Flow, Model, Stock
from ._common import param as _p

SWITCHES = ("compositional", "experiential", "dynamic", "governance")

SCENARIOS = {
    "all_off": dict.fromkeys(SWITCHES, 0),
    **{s: {t: float(t == s) for t in SWITCHES} for s in SWITCHES},
    "all_on": dict.fromkeys(SWITCHES, 1),
}

_SWITCH_TEXT = {
    "compositional": "Compositional complexity: interacting needs, so a share of closures come back (revolving door)",
    "experiential": "Experiential complexity: the standard service misfits some people, whose need stays hidden",
    "dynamic": "Dynamic complexity: a hiring pipeline delays capacity, and demand shifts suddenly",
    "governance": "Governance complexity: several agencies see need late and negotiate every capacity change",
}


def _switch(name):
    return _p(name, 0, (0, 1), "dimensionless", f"{name.capitalize()} complexity",
              f"Structure switch (0 off, 1 on). {_SWITCH_TEXT[name]}", source="assumption")




def build(**overrides):
    """Build the wicked-problems sandbox; keyword arguments override parameter defaults.

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.models.load("wicked")
    >>> simple = dk.simulate(model)
    >>> abs(simple.final("need") - 300) < 5   # goal-seeking: the list settles at its goal
    True
    """
    variables = [
        Stock("need", 1500, units="people", role="strategic_resource", non_negative=True, label="Need on the list",
              description="People with the need whom the service sees: referred and not yet closed"),
        Stock("hidden_need", 0, units="people", role="strategic_resource", non_negative=True, label="Hidden need",
              description="People whose case was closed as resolved but whose need remains"),
        Stock("capacity", 500, units="people/year", role="strategic_resource", label="Service capacity",
              description="Cases the service can close per year"),
        Flow("new_cases", "demand * (1 + dynamic * shock_size * STEP(1, shock_time))", into="need",
             role="end_result", units="people/year", description="People newly in need, per year"),
        Flow("closures", "MIN(capacity, need / min_service_time)", out_of="need", units="people/year",
             role="end_result", label="Cases closed", description="Cases the service closes per year",
             non_negative=True),
        Flow("revolving_door", "DELAY1(closures * compositional * entanglement, revolving_time, 0)", into="need",
             role="end_result", units="people/year", label="Revolving door",
             description="Closed cases back on the list because the person's other needs were not met"),
        Flow("false_closures", "closures * (1 - compositional * entanglement) * experiential * misfit_share",
             into="hidden_need", role="end_result", units="people/year", label="Closed but not resolved",
             description="Cases closed as resolved for people the standard service did not fit"),
        Flow("returning", "hidden_need / relapse_time", out_of="hidden_need", into="need",
             role="end_result", units="people/year",
             label="Hidden need returning", description="People whose hidden need brings them back to the service"),
        Flow("capacity_change", "(capacity_target - capacity) / (capacity_time * governance_factor)",
             into="capacity", role="end_result", units="people/year/year", label="Change in capacity",
             description="Capacity moving towards its target (slower when several agencies must agree)"),
        Aux("governance_factor", "1 + governance * (agencies - 1)", units="dimensionless",
            label="Governance slow-down", description="How many times longer shared decisions take"),
        Aux("perceived_need", "SMTH1(need, perception_time * governance_factor, 1500)", units="people",
            role="performance_driver", label="Need as decision-makers see it",
            description="The list as it reaches those who decide, after reporting delays"),
        Aux("expected_arrivals", "SMTH1(new_cases + revolving_door + returning, 0.5, demand)",
            units="people/year", label="Expected arrivals", description="Arrivals per year, averaged over half a year"),
        Aux("desired_capacity",
            "MIN(capacity_limit, MAX(0, expected_arrivals + (perceived_need - need_goal)"
            " / (gap_closing_time * governance_factor)))",
            units="people/year", role="performance_driver", label="Desired capacity",
            description="Capacity to keep up with arrivals and close the gap to the goal, within the budget"),
        Aux("capacity_target",
            "dynamic * DELAY3(desired_capacity, acquisition_delay, 500) + (1 - dynamic) * desired_capacity",
            units="people/year", label="Capacity in reach",
            description="Desired capacity, or what the hiring pipeline delivers of it when dynamic complexity is on"),
        Aux("actual_need", "need + hidden_need", units="people", label="Actual need",
            description="Everyone whose need is unresolved, seen or not"),
        Aux("hidden_share", "ZIDZ(hidden_need, actual_need)", units="dimensionless",
            label="Share of need hidden", description="Share of actual need the service cannot see"),
        *(_switch(s) for s in SWITCHES),
        _p("demand", 500, (50, 3000), "people/year", "Demand", "People newly in need per year"),
        _p("need_goal", 300, (0, 2000), "people", "Goal for the list", "The list size the service aims for"),
        _p("capacity_limit", 3000, (0, 5000), "people/year", "Capacity budget",
           "Most cases per year the budget allows", lever=True),
        _p("gap_closing_time", 3, (0.5, 10), "year", "Gap-closing time",
           "Years over which managers plan to close the gap between the list and the goal"),
        _p("capacity_time", 0.5, (0.1, 5), "year", "Capacity adjustment time",
           "Years for capacity to follow a decision"),
        _p("perception_time", 0.25, (0.05, 3), "year", "Reporting delay",
           "Years for the state of the list to reach decision-makers"),
        _p("min_service_time", 0.25, (0.05, 1), "year", "Shortest service time",
           "Shortest time from referral to a closed case"),
        _p("entanglement", 0.5, (0, 0.9), "dimensionless", "Entanglement of needs",
           "Share of closures that do not hold when other needs are unmet", source="complexity_wicked_ranges",
           uncertainty=(0.3, 0.6)),
        _p("revolving_time", 0.5, (0.1, 3), "year", "Revolving-door time",
           "Years until a closure that did not hold is back on the list"),
        _p("misfit_share", 0.4, (0, 0.9), "dimensionless", "Misfit share",
           "Share of people the standard service does not fit", source="complexity_wicked_ranges",
           uncertainty=(0.3, 0.5)),
        _p("relapse_time", 1.5, (0.25, 5), "year", "Relapse time",
           "Years until hidden need brings people back to the service"),
        _p("acquisition_delay", 1.5, (0.25, 4), "year", "Hiring and training delay",
           "Years from deciding on capacity to having it", source="complexity_wicked_ranges",
           uncertainty=(1, 2)),
        _p("shock_size", 0.4, (0, 1), "dimensionless", "Demand shock",
           "Sudden rise in demand, as a share, when dynamic complexity is on"),
        _p("shock_time", 8, (0, 15), "year", "Shock time", "When the demand shock happens"),
        _p("agencies", 3, (1, 8), "dimensionless", "Agencies",
           "Organisations that must agree on capacity when governance complexity is on",
           source="complexity_wicked_ranges", uncertainty=(2, 5)),
    ]
    model = Model(
        "wicked",
        variables,
        start=0, stop=15, dt=0.0625, time_units="year",
        label="Wicked problems sandbox",
        description=("A goal-seeking service with switches for compositional, experiential, dynamic and "
                     "governance complexity"),
        scenarios=SCENARIOS,
    )
    return model.with_params(**overrides) if overrides else model
