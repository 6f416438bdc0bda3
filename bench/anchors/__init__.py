"""Hand-written versions of bench/reference_model.py, the anchors the engine is measured against.

Each computes the same 481 x 22 trajectories (6 stocks, 13 flows, 3 auxiliaries, Euler
with dt = 0.25 from 0 to 120) as ``dk.simulate(reference_model.build())``; the
ensemble versions vary ``base_referrals``, ``support_time`` and ``relapse_rate`` per run.
``tests/test_bench_anchors.py`` holds them to dpmkit's numbers.
"""

#: The recorded variables, in the order of ``Model.recorded`` (stocks, flows, auxiliaries).
COLUMNS = (
    "waiting", "assessed", "in_support", "recovered", "staff", "morale",
    "referrals", "assessments", "withdrawals", "support_starts", "rejections", "completions", "dropouts",
    "relapses", "discharges", "hiring", "quits", "morale_gain", "morale_loss",
    "workload", "wait_time", "morale_goal",
)
