"""The reference model written by hand in plain Python floats: what a careful programmer
would write for speed without any library, one run at a time (local variables,
conditional expressions rather than calls to min() and max(), lookup tables with their
slopes computed once)."""

from bisect import bisect_right

import numpy as np

SEASONALITY = ([0, 3, 6, 9, 12], [1.1, 1.0, 0.8, 1.1, 1.1])
PRODUCTIVITY = ([0, 0.5, 1], [0.6, 0.9, 1.1])
DROPOUT_FROM_WAIT = ([0, 1, 3, 6], [0.5, 1, 2, 3])
QUALITY_EFFECT = ([0, 1, 2, 4], [1.1, 1, 0.8, 0.5])
RELAPSE_FROM_QUALITY = ([0.5, 1, 1.1], [2, 1, 0.8])
HIRING_FROM_MORALE = ([0, 0.5, 1], [0.5, 0.9, 1.1])
QUITS_FROM_WORKLOAD = ([0, 1, 2, 4], [0.8, 1, 1.6, 3])
MORALE_FROM_BACKLOG = ([0, 1, 2, 4], [0.9, 0.7, 0.5, 0.2])


def table(xs, ys):
    """A lookup function: linear interpolation, flat beyond the ends."""
    slopes = [(ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]) for j in range(len(xs) - 1)]
    x0, xn, y0, yn = xs[0], xs[-1], ys[0], ys[-1]

    def lookup(x):
        if x <= x0:
            return y0
        if x >= xn:
            return yn
        j = bisect_right(xs, x) - 1
        return ys[j] + slopes[j] * (x - xs[j])

    return lookup


seasonality, productivity, dropout_from_wait, quality_effect, relapse_from_quality, hiring_from_morale, \
    quits_from_workload, morale_from_backlog = (table(*t) for t in (
        SEASONALITY, PRODUCTIVITY, DROPOUT_FROM_WAIT, QUALITY_EFFECT, RELAPSE_FROM_QUALITY, HIRING_FROM_MORALE,
        QUITS_FROM_WORKLOAD, MORALE_FROM_BACKLOG))


def run(base_referrals=60.0, support_time=6.0, relapse_rate=0.02):
    """One run; returns a (481, 22) array of the recorded variables (columns as COLUMNS)."""
    min_wait, assessments_per_staff, withdrawal_rate = 0.5, 3.0, 0.02
    assessment_time, rejection_rate, dropout_rate, follow_up_time = 1.5, 0.05, 0.01, 24.0
    target_staff, hiring_time, quit_rate = 30.0, 4.0, 0.01
    morale_up_time, morale_down_time, caseload_per_staff = 3.0, 2.0, 8.0
    waiting, assessed, in_support, recovered, staff, morale = 200.0, 50.0, 150.0, 0.0, 30.0, 0.7
    dt, steps = 0.25, 480
    rows = []
    append = rows.append
    for i in range(steps + 1):
        t = i * dt
        referrals = base_referrals * seasonality(t % 12.0)
        a = waiting / min_wait
        b = staff * assessments_per_staff * productivity(morale)
        assessments = a if a < b else b
        workload = (assessed + in_support) / (staff * caseload_per_staff)
        wait_time = waiting / assessments if assessments != 0 else 0.0
        dropout_effect = dropout_from_wait(wait_time)
        withdrawals = waiting * withdrawal_rate * dropout_effect
        support_starts = assessed / assessment_time
        rejections = assessed * rejection_rate
        quality = quality_effect(workload)
        completions = in_support / support_time * quality
        dropouts = in_support * dropout_rate * dropout_effect
        relapses = recovered * relapse_rate * relapse_from_quality(quality)
        discharges = recovered / follow_up_time
        gap = target_staff - staff
        hiring = (gap if gap > 0.0 else 0.0) / hiring_time * hiring_from_morale(morale)
        quits = staff * quit_rate * quits_from_workload(workload)
        morale_goal = morale_from_backlog(workload)
        gap = morale_goal - morale
        morale_gain = (gap if gap > 0.0 else 0.0) / morale_up_time
        morale_loss = (-gap if gap < 0.0 else 0.0) / morale_down_time
        append((waiting, assessed, in_support, recovered, staff, morale, referrals, assessments, withdrawals,
                support_starts, rejections, completions, dropouts, relapses, discharges, hiring, quits,
                morale_gain, morale_loss, workload, wait_time, morale_goal))
        if i == steps:
            break
        waiting += dt * (referrals + relapses - assessments - withdrawals)
        waiting = waiting if waiting > 0.0 else 0.0
        assessed += dt * (assessments - support_starts - rejections)
        assessed = assessed if assessed > 0.0 else 0.0
        in_support += dt * (support_starts - completions - dropouts)
        in_support = in_support if in_support > 0.0 else 0.0
        recovered += dt * (completions - relapses - discharges)
        recovered = recovered if recovered > 0.0 else 0.0
        staff += dt * (hiring - quits)
        morale += dt * (morale_gain - morale_loss)
    return np.array(rows)
