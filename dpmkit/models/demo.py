"""Demo: a caseworker team, its waiting list and its morale.

Summary
-------
A small public service (for example a youth support team) receives referrals
into a waiting list. Caseworkers serve young people at a rate that depends on
how many staff there are and on their morale. When the workload is high, morale
falls; low morale lowers productivity and pushes staff to leave, which raises the
workload further — a reinforcing loop that can tip a stretched service into
decline. The policy lever is the funded number of staff. This is a teaching
model: its numbers are illustrative assumptions, not evidence about any real service.

Stocks and flows
----------------
- ``waiting_list`` (people): ``referrals`` in, ``served`` out.
- ``staff`` (FTE): ``recruitment`` in, ``leavers`` out.
- ``morale`` (dimensionless, 0-1): ``morale_change`` in (positive or negative).

DPM roles (Bianchi): the three stocks are strategic resources; the five flows that change
them are the end results; ``capacity`` and ``workload`` (months of work per caseworker
at normal pace) are the performance drivers; ``staff_target`` is the policy lever.
``waiting_time`` is an indicator learners watch, not an end result (it changes no stock),
so it has no role.

Parameters
----------
- ``staff_target`` (FTE, 5-40): funded posts; policy lever. Assumption.
- ``referral_rate`` (people/month, 10-100): new referrals; uncertain. Assumption.
- ``cases_per_worker`` (people/FTE/month, 1-6): cases closed per caseworker at normal morale. Assumption.
- ``base_quit_rate`` (1/month, 0.005-0.05): staff turnover at normal morale; uncertain. Assumption.
- ``assessment_time`` (month, 0.25-3): shortest time from referral to closed case. Assumption.
- ``hiring_delay`` (month, 1-12): average time to fill a vacancy. Assumption.
- ``morale_time`` (month, 1-12): how quickly morale follows the workload. Assumption.

Reference behaviour
-------------------
With the defaults the service is roughly balanced and the waiting list settles.
Cut ``staff_target`` well below 20 and the waiting list grows, morale falls and
leavers rise: worse-and-worse rather than a simple proportional effect.

Further reading
---------------
Sterman, J. (2000) *Business Dynamics*, ch. 14 on capacity and morale;
Bianchi, C. (2016) *Dynamic Performance Management*, Springer.
"""

from __future__ import annotations

from ..spec import Aux, Flow, Lookup, Model, Stock
from ._common import param as _param


def build(**overrides):
    """Build the demo model; keyword arguments override parameter defaults."""
    model = Model(
        "demo",
        [
            Stock("waiting_list", 60, units="people", role="strategic_resource",
                  label="Waiting list", description="Young people referred and waiting to be seen",
                  non_negative=True),
            Stock("staff", "staff_target", units="FTE", role="strategic_resource",
                  label="Caseworkers", description="Caseworkers in post (full-time equivalents)"),
            Stock("morale", 0.7, units="dimensionless", role="strategic_resource",
                  label="Staff morale", description="Morale of caseworkers, 0 (none) to 1 (high)"),
            Flow("referrals", "referral_rate", into="waiting_list", units="people/month", role="end_result",
                 description="New referrals per month"),
            Flow("served", "MIN(waiting_list / assessment_time, capacity)", out_of="waiting_list", units="people/month",
                 role="end_result", label="Young people served", description="Cases closed per month",
                 non_negative=True),
            Flow("recruitment", "MAX(staff_target - staff, 0) / hiring_delay", into="staff", units="FTE/month",
                 role="end_result", description="Vacancies filled per month"),
            Flow("leavers", "staff * base_quit_rate * quit_multiplier(morale)", out_of="staff",
                 units="FTE/month", role="end_result", description="Caseworkers leaving per month"),
            Flow("morale_change", "(morale_from_workload(workload) - morale) / morale_time", into="morale",
                 units="1/month", role="end_result",
                 description="How fast morale moves towards what the workload implies"),
            Aux("capacity", "staff * cases_per_worker * productivity(morale)", units="people/month",
                role="performance_driver", label="Service capacity",
                description="Cases the team can close per month"),
            Aux("workload", "ZIDZ(waiting_list, staff * cases_per_worker)", units="month",
                role="performance_driver", label="Workload",
                description="Months of work waiting per caseworker at normal pace"),
            Aux("waiting_time", "ZIDZ(waiting_list, served)", units="month",
                label="Waiting time", description="Months a new referral can expect to wait"),
            _param("staff_target", 20, bounds=(5, 40), units="FTE", role="policy_lever",
                  label="Funded caseworker posts", description="Posts the budget pays for",
                  source="assumption"),
            _param("referral_rate", 40, bounds=(10, 100), uncertainty=(30, 50), units="people/month",
                  label="Referrals per month", description="New young people referred each month",
                  source="assumption"),
            _param("cases_per_worker", 2.2, bounds=(1, 6), units="people/FTE/month",
                  label="Cases per caseworker", description="Cases a caseworker closes per month at normal morale",
                  source="assumption"),
            _param("base_quit_rate", 0.015, bounds=(0.005, 0.05), uncertainty=(0.01, 0.025), units="1/month",
                  label="Staff turnover", description="Share of staff leaving each month at normal morale",
                  source="assumption"),
            _param("assessment_time", 1, bounds=(0.25, 3), units="month", label="Time to assess",
                  description="Shortest time from referral to a closed case", source="assumption"),
            _param("hiring_delay", 4, bounds=(1, 12), units="month", label="Time to fill a vacancy",
                  description="Average months from a vacancy to a new starter", source="assumption"),
            _param("morale_time", 3, bounds=(1, 12), units="month", label="Morale adjustment time",
                  description="Months for morale to follow a change in workload", source="assumption"),
            Lookup("productivity", [0, 0.5, 0.7, 1], [0.6, 0.85, 1.0, 1.1], units="dimensionless",
                   x_units="dimensionless", description="Effect of morale on productivity"),
            Lookup("quit_multiplier", [0, 0.5, 0.7, 1], [3.0, 1.6, 1.0, 0.8], units="dimensionless",
                   x_units="dimensionless", description="Effect of morale on staff turnover"),
            Lookup("morale_from_workload", [0, 1, 2, 3, 5], [0.9, 0.85, 0.7, 0.5, 0.2], units="dimensionless",
                   x_units="month", description="Morale that a given workload tends towards"),
        ],
        start=0, stop=60, dt=0.25, time_units="month",
        label="Caseworker team (demo)",
        description="A waiting list, caseworkers and their morale: a small reinforcing loop",
        scenarios={"cut_posts": {"staff_target": 14}, "extra_posts": {"staff_target": 26}},
    )
    return model.with_params(**overrides) if overrides else model
