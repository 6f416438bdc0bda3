"""The reference model written by hand with numpy, vectorised over runs: each variable is
an array with one value per run, stepped together (what one writes for an ensemble)."""

import numpy as np

from .reference_python import (
    DROPOUT_FROM_WAIT,
    HIRING_FROM_MORALE,
    MORALE_FROM_BACKLOG,
    PRODUCTIVITY,
    QUALITY_EFFECT,
    QUITS_FROM_WORKLOAD,
    RELAPSE_FROM_QUALITY,
    SEASONALITY,
)

_TABLES = [tuple(np.asarray(v, dtype=float) for v in t) for t in (
    SEASONALITY, PRODUCTIVITY, DROPOUT_FROM_WAIT, QUALITY_EFFECT, RELAPSE_FROM_QUALITY, HIRING_FROM_MORALE,
    QUITS_FROM_WORKLOAD, MORALE_FROM_BACKLOG)]


def run(base_referrals, support_time, relapse_rate):
    """Runs for arrays of the three parameters; returns a (481, 22, runs) array (columns as COLUMNS)."""
    base_referrals = np.asarray(base_referrals, dtype=float)
    support_time = np.asarray(support_time, dtype=float)
    relapse_rate = np.asarray(relapse_rate, dtype=float)
    n = base_referrals.shape[0]
    (seas, prod, dfw, qe, rfq, hfm, qfw, mfb) = _TABLES
    interp = np.interp
    maximum, minimum = np.maximum, np.minimum
    min_wait, assessments_per_staff, withdrawal_rate = 0.5, 3.0, 0.02
    assessment_time, rejection_rate, dropout_rate, follow_up_time = 1.5, 0.05, 0.01, 24.0
    target_staff, hiring_time, quit_rate = 30.0, 4.0, 0.01
    morale_up_time, morale_down_time, caseload_per_staff = 3.0, 2.0, 8.0
    full = np.full
    waiting, assessed, in_support = full(n, 200.0), full(n, 50.0), full(n, 150.0)
    recovered, staff, morale = full(n, 0.0), full(n, 30.0), full(n, 0.7)
    dt, steps = 0.25, 480
    out = np.empty((steps + 1, 22, n))
    for i in range(steps + 1):
        t = i * dt
        referrals = base_referrals * interp(t % 12.0, *seas)
        assessments = minimum(waiting / min_wait, staff * assessments_per_staff * interp(morale, *prod))
        workload = (assessed + in_support) / (staff * caseload_per_staff)
        nz = assessments != 0
        wait_time = np.where(nz, waiting / np.where(nz, assessments, 1.0), 0.0)
        dropout_effect = interp(wait_time, *dfw)
        withdrawals = waiting * withdrawal_rate * dropout_effect
        support_starts = assessed / assessment_time
        rejections = assessed * rejection_rate
        quality = interp(workload, *qe)
        completions = in_support / support_time * quality
        dropouts = in_support * dropout_rate * dropout_effect
        relapses = recovered * relapse_rate * interp(quality, *rfq)
        discharges = recovered / follow_up_time
        hiring = maximum(target_staff - staff, 0.0) / hiring_time * interp(morale, *hfm)
        quits = staff * quit_rate * interp(workload, *qfw)
        morale_goal = interp(workload, *mfb)
        morale_gain = maximum(morale_goal - morale, 0.0) / morale_up_time
        morale_loss = maximum(morale - morale_goal, 0.0) / morale_down_time
        row = out[i]
        row[0], row[1], row[2], row[3], row[4], row[5] = waiting, assessed, in_support, recovered, staff, morale
        row[6], row[7], row[8], row[9], row[10] = referrals, assessments, withdrawals, support_starts, rejections
        row[11], row[12], row[13], row[14], row[15] = completions, dropouts, relapses, discharges, hiring
        row[16], row[17], row[18], row[19], row[20], row[21] = (quits, morale_gain, morale_loss, workload, wait_time,
                                                                 morale_goal)
        if i == steps:
            break
        waiting = maximum(waiting + dt * (referrals + relapses - assessments - withdrawals), 0.0)
        assessed = maximum(assessed + dt * (assessments - support_starts - rejections), 0.0)
        in_support = maximum(in_support + dt * (support_starts - completions - dropouts), 0.0)
        recovered = maximum(recovered + dt * (completions - relapses - discharges), 0.0)
        staff = staff + dt * (hiring - quits)
        morale = morale + dt * (morale_gain - morale_loss)
    return out
