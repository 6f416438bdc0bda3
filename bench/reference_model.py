"""The reference model of DESIGN.md §3: 6 stocks, 13 flows, 8 lookups, 480 Euler steps.

A support service pipeline with staff and morale. Its numbers are illustrative; it
exists to measure the engine, not to teach.
"""

import dpmkit as dk


def build():
    return dk.Model("reference", [
        dk.Stock("waiting", 200, units="people", non_negative=True),
        dk.Stock("assessed", 50, units="people", non_negative=True),
        dk.Stock("in_support", 150, units="people", non_negative=True),
        dk.Stock("recovered", 0, units="people", non_negative=True),
        dk.Stock("staff", 30, units="FTE"),
        dk.Stock("morale", 0.7, units="dimensionless"),
        dk.Flow("referrals", "base_referrals * seasonality(TIME MOD 12)", into="waiting", units="people/month"),
        dk.Flow("assessments", "MIN(waiting / min_wait, staff * assessments_per_staff * productivity(morale))", out_of="waiting",
                into="assessed", units="people/month"),
        dk.Flow("withdrawals", "waiting * withdrawal_rate * dropout_from_wait(wait_time)", out_of="waiting",
                units="people/month"),
        dk.Flow("support_starts", "assessed / assessment_time", out_of="assessed", into="in_support", units="people/month"),
        dk.Flow("rejections", "assessed * rejection_rate", out_of="assessed", units="people/month"),
        dk.Flow("completions", "in_support / support_time * quality_effect(workload)", out_of="in_support",
                into="recovered", units="people/month"),
        dk.Flow("dropouts", "in_support * dropout_rate * dropout_from_wait(wait_time)", out_of="in_support",
                units="people/month"),
        dk.Flow("relapses", "recovered * relapse_rate * relapse_from_quality(quality_effect(workload))",
                out_of="recovered", into="waiting", units="people/month"),
        dk.Flow("discharges", "recovered / follow_up_time", out_of="recovered", units="people/month"),
        dk.Flow("hiring", "MAX(target_staff - staff, 0) / hiring_time * hiring_from_morale(morale)", into="staff",
                units="FTE/month"),
        dk.Flow("quits", "staff * quit_rate * quits_from_workload(workload)", out_of="staff", units="FTE/month"),
        dk.Flow("morale_gain", "MAX(morale_goal - morale, 0) / morale_up_time", into="morale", units="1/month"),
        dk.Flow("morale_loss", "MAX(morale - morale_goal, 0) / morale_down_time", out_of="morale", units="1/month"),
        dk.Aux("workload", "(assessed + in_support) / (staff * caseload_per_staff)", units="dimensionless"),
        dk.Aux("wait_time", "ZIDZ(waiting, assessments)", units="month"),
        dk.Aux("morale_goal", "morale_from_backlog(workload)", units="dimensionless"),
        dk.Param("base_referrals", 60, bounds=(20, 120), uncertainty=(40, 80), units="people/month"),
        dk.Param("support_time", 6, bounds=(2, 12), uncertainty=(4, 8), units="month"),
        dk.Param("relapse_rate", 0.02, bounds=(0, 0.1), uncertainty=(0.01, 0.04), units="1/month"),
        dk.Param("target_staff", 30, bounds=(10, 60), units="FTE"),
        dk.Param("min_wait", 0.5, bounds=(0.1, 2), units="month"),
        dk.Param("assessments_per_staff", 3, bounds=(1, 6), units="people/FTE/month"),
        dk.Param("withdrawal_rate", 0.02, bounds=(0, 0.1), units="1/month"),
        dk.Param("assessment_time", 1.5, bounds=(0.5, 4), units="month"),
        dk.Param("rejection_rate", 0.05, bounds=(0, 0.2), units="1/month"),
        dk.Param("dropout_rate", 0.01, bounds=(0, 0.1), units="1/month"),
        dk.Param("follow_up_time", 24, bounds=(6, 48), units="month"),
        dk.Param("hiring_time", 4, bounds=(1, 12), units="month"),
        dk.Param("quit_rate", 0.01, bounds=(0, 0.05), units="1/month"),
        dk.Param("morale_up_time", 3, bounds=(1, 12), units="month"),
        dk.Param("morale_down_time", 2, bounds=(1, 12), units="month"),
        dk.Param("caseload_per_staff", 8, bounds=(2, 20), units="people/FTE"),
        dk.Lookup("seasonality", [0, 3, 6, 9, 12], [1.1, 1.0, 0.8, 1.1, 1.1], x_units="month"),
        dk.Lookup("productivity", [0, 0.5, 1], [0.6, 0.9, 1.1]),
        dk.Lookup("dropout_from_wait", [0, 1, 3, 6], [0.5, 1, 2, 3], x_units="month"),
        dk.Lookup("quality_effect", [0, 1, 2, 4], [1.1, 1, 0.8, 0.5]),
        dk.Lookup("relapse_from_quality", [0.5, 1, 1.1], [2, 1, 0.8]),
        dk.Lookup("hiring_from_morale", [0, 0.5, 1], [0.5, 0.9, 1.1]),
        dk.Lookup("quits_from_workload", [0, 1, 2, 4], [0.8, 1, 1.6, 3]),
        dk.Lookup("morale_from_backlog", [0, 1, 2, 4], [0.9, 0.7, 0.5, 0.2]),
    ], start=0, stop=120, dt=0.25, time_units="month")
