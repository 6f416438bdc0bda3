/* The reference model written by hand in C (bench/anchors/reference_c.py builds and loads it).
 * Steps outside, runs inside: each variable is a value per run, as in the numpy version,
 * so the compiler may vectorise the inner loops (SIMD). Output layout: out[step][column][run]. */
#include <stdlib.h>

typedef struct { int n; double x[5], y[5], s[4]; } table;

static void init(table *t, int n, const double *x, const double *y) {
    t->n = n;
    for (int j = 0; j < n; j++) { t->x[j] = x[j]; t->y[j] = y[j]; }
    for (int j = 0; j + 1 < n; j++) t->s[j] = (y[j + 1] - y[j]) / (x[j + 1] - x[j]);
}

static inline double lookup(const table *t, double x) {
    if (x <= t->x[0]) return t->y[0];
    if (x >= t->x[t->n - 1]) return t->y[t->n - 1];
    if (x != x) return x;
    int j = 0;
    while (j + 2 < t->n && x >= t->x[j + 1]) j++;
    return t->y[j] + t->s[j] * (x - t->x[j]);
}

static inline double pos(double x) { return x > 0.0 ? x : 0.0; }

int run(int n, const double *base_referrals, const double *support_time, const double *relapse_rate, double *out) {
    static const double sx[] = {0, 3, 6, 9, 12}, sy[] = {1.1, 1.0, 0.8, 1.1, 1.1};
    static const double px[] = {0, 0.5, 1}, py[] = {0.6, 0.9, 1.1};
    static const double dx[] = {0, 1, 3, 6}, dy[] = {0.5, 1, 2, 3};
    static const double qx[] = {0, 1, 2, 4}, qy[] = {1.1, 1, 0.8, 0.5};
    static const double rx[] = {0.5, 1, 1.1}, ry[] = {2, 1, 0.8};
    static const double hx[] = {0, 0.5, 1}, hy[] = {0.5, 0.9, 1.1};
    static const double wx[] = {0, 1, 2, 4}, wy[] = {0.8, 1, 1.6, 3};
    static const double mx[] = {0, 1, 2, 4}, my[] = {0.9, 0.7, 0.5, 0.2};
    table seas, prod, dfw, qe, rfq, hfm, qfw, mfb;
    init(&seas, 5, sx, sy); init(&prod, 3, px, py); init(&dfw, 4, dx, dy); init(&qe, 4, qx, qy);
    init(&rfq, 3, rx, ry); init(&hfm, 3, hx, hy); init(&qfw, 4, wx, wy); init(&mfb, 4, mx, my);
    const double min_wait = 0.5, assessments_per_staff = 3.0, withdrawal_rate = 0.02;
    const double assessment_time = 1.5, rejection_rate = 0.05, dropout_rate = 0.01, follow_up_time = 24.0;
    const double target_staff = 30.0, hiring_time = 4.0, quit_rate = 0.01;
    const double morale_up_time = 3.0, morale_down_time = 2.0, caseload_per_staff = 8.0;
    const double dt = 0.25;
    const int steps = 480;
    double *state = malloc(sizeof(double) * 6 * (size_t)n);
    if (!state) return 1;
    double *waiting = state, *assessed = state + n, *in_support = state + 2 * n;
    double *recovered = state + 3 * n, *staff = state + 4 * n, *morale = state + 5 * n;
    for (int r = 0; r < n; r++) {
        waiting[r] = 200.0; assessed[r] = 50.0; in_support[r] = 150.0;
        recovered[r] = 0.0; staff[r] = 30.0; morale[r] = 0.7;
    }
    for (int i = 0; i <= steps; i++) {
        double t = i * dt;
        double season = lookup(&seas, t - 12.0 * (double)(long)(t / 12.0));
        double *row = out + (size_t)i * 22 * n;
        for (int r = 0; r < n; r++) {
            double w = waiting[r], a = assessed[r], s = in_support[r], rc = recovered[r], st = staff[r], m = morale[r];
            double referrals = base_referrals[r] * season;
            double x1 = w / min_wait, x2 = st * assessments_per_staff * lookup(&prod, m);
            double assessments = x1 < x2 ? x1 : x2;
            double workload = (a + s) / (st * caseload_per_staff);
            double wait_time = assessments != 0 ? w / assessments : 0.0;
            double dropout_effect = lookup(&dfw, wait_time);
            double withdrawals = w * withdrawal_rate * dropout_effect;
            double support_starts = a / assessment_time;
            double rejections = a * rejection_rate;
            double quality = lookup(&qe, workload);
            double completions = s / support_time[r] * quality;
            double dropouts = s * dropout_rate * dropout_effect;
            double relapses = rc * relapse_rate[r] * lookup(&rfq, quality);
            double discharges = rc / follow_up_time;
            double hiring = pos(target_staff - st) / hiring_time * lookup(&hfm, m);
            double quits = st * quit_rate * lookup(&qfw, workload);
            double morale_goal = lookup(&mfb, workload);
            double morale_gain = pos(morale_goal - m) / morale_up_time;
            double morale_loss = pos(m - morale_goal) / morale_down_time;
            double v[22] = {w, a, s, rc, st, m, referrals, assessments, withdrawals, support_starts, rejections,
                            completions, dropouts, relapses, discharges, hiring, quits, morale_gain, morale_loss,
                            workload, wait_time, morale_goal};
            for (int k = 0; k < 22; k++) row[(size_t)k * n + r] = v[k];
            if (i == steps) continue;
            waiting[r] = pos(w + dt * (referrals + relapses - assessments - withdrawals));
            assessed[r] = pos(a + dt * (assessments - support_starts - rejections));
            in_support[r] = pos(s + dt * (support_starts - completions - dropouts));
            recovered[r] = pos(rc + dt * (completions - relapses - discharges));
            staff[r] = st + dt * (hiring - quits);
            morale[r] = m + dt * (morale_gain - morale_loss);
        }
    }
    free(state);
    return 0;
}
