/* SPDX-License-Identifier: EUPL-1.2 */
/* Item calibration by marginal maximum likelihood: EM over an ability grid (Bock-Aitkin). */
#include "learn/calibrate.h"

#include <math.h>
#include <stdlib.h>

#include "core/buf.h"

#define PRIOR_A_SD 0.5
#define PRIOR_B_SD 1.0
#define NQ 49      /* ability grid: -6 .. 6 */
#define QSTEP 0.25

static double grid(size_t q) {
    return -6.0 + QSTEP * (double)q;
}

/* Responses grouped by person (order[k] indexes r), with start offsets. */
static void group(const calib_response *r, size_t n, size_t npersons, size_t **order, size_t **start) {
    *start = xcalloc(npersons + 1, sizeof **start);
    *order = xcalloc(n ? n : 1, sizeof **order);
    for (size_t i = 0; i < n; i++) (*start)[r[i].person + 1]++;
    for (size_t k = 0; k < npersons; k++) (*start)[k + 1] += (*start)[k];
    size_t *fill = xcalloc(npersons + 1, sizeof *fill);
    for (size_t i = 0; i < n; i++) (*order)[(*start)[r[i].person] + fill[r[i].person]++] = i;
    free(fill);
}

typedef struct estep {
    double *nq, *rq;   /* per item and grid point: expected responses, expected right ones */
    double *fit;       /* per item: expected squared standardized residual, summed */
    double mean, sd;   /* the population's ability distribution, re-estimated */
} estep;

/* E step: for every person and competence they answered, the posterior over the grid
 * (population prior N(mean, sd^2), their answers on that competence), spread over the
 * expected counts of the items they answered. */
static void expect(const calib_item *items, size_t nitems, const calib_response *r, const size_t *order,
                   const size_t *start, size_t npersons, size_t ncomps, estep *e) {
    for (size_t i = 0; i < nitems * NQ; i++) e->nq[i] = e->rq[i] = 0;
    for (size_t i = 0; i < nitems; i++) e->fit[i] = 0;
    double s0 = 0, s1 = 0, s2 = 0;
    double w[NQ];
    for (size_t p = 0; p < npersons; p++) {
        for (size_t c = 0; c < ncomps; c++) {
            bool any = false;
            double mx = -INFINITY;
            for (size_t q = 0; q < NQ; q++) {
                double z = (grid(q) - e->mean) / e->sd;
                w[q] = -0.5 * z * z;
            }
            for (size_t k = start[p]; k < start[p + 1]; k++) {
                const calib_response *x = &r[order[k]];
                if (items[x->item].comp != c) continue;
                any = true;
                for (size_t q = 0; q < NQ; q++) {
                    double pr = irt_p(items[x->item].a, items[x->item].b, grid(q));
                    w[q] += log(x->right ? pr + 1e-12 : 1 - pr + 1e-12);
                }
            }
            if (!any) continue;
            for (size_t q = 0; q < NQ; q++) mx = w[q] > mx ? w[q] : mx;
            double t = 0, m1 = 0, m2 = 0;
            for (size_t q = 0; q < NQ; q++) t += (w[q] = exp(w[q] - mx));
            for (size_t q = 0; q < NQ; q++) {
                w[q] /= t;
                m1 += w[q] * grid(q);
                m2 += w[q] * grid(q) * grid(q);
            }
            s0 += 1;
            s1 += m1;
            s2 += m2;
            for (size_t k = start[p]; k < start[p + 1]; k++) {
                const calib_response *x = &r[order[k]];
                if (items[x->item].comp != c) continue;
                double *nq = e->nq + x->item * NQ, *rq = e->rq + x->item * NQ;
                for (size_t q = 0; q < NQ; q++) {
                    double pr = irt_p(items[x->item].a, items[x->item].b, grid(q)), res = (x->right ? 1.0 : 0.0) - pr;
                    nq[q] += w[q];
                    if (x->right) rq[q] += w[q];
                    e->fit[x->item] += w[q] * res * res / (pr * (1 - pr) + 1e-9);
                }
            }
        }
    }
    if (s0 > 1) {
        e->mean = s1 / s0;
        double var = s2 / s0 - e->mean * e->mean;
        e->sd = var > 0.04 ? sqrt(var) : 0.2;
    }
}

/* M step for one item: Newton steps on its expected log-likelihood over the grid, with
 * weak priors around a0 and b0. */
static void fit_item(calib_item *ci, const double *nq, const double *rq) {
    double a = ci->a, b = ci->b;
    for (int it = 0; it < 25; it++) {
        double ga = -(a - ci->a0) / (PRIOR_A_SD * PRIOR_A_SD), gb = -(b - ci->b0) / (PRIOR_B_SD * PRIOR_B_SD);
        double haa = -1 / (PRIOR_A_SD * PRIOR_A_SD), hbb = -1 / (PRIOR_B_SD * PRIOR_B_SD), hab = 0;
        for (size_t q = 0; q < NQ; q++) {
            if (nq[q] <= 0) continue;
            double d = grid(q) - b, p = irt_p(a, b, grid(q)), w = nq[q] * p * (1 - p);
            double res = rq[q] - nq[q] * p; /* expected (x - p), summed */
            ga += res * d;
            gb += -res * a;
            haa -= w * d * d;
            hbb -= w * a * a;
            hab += a * w * d - res;
        }
        double det = haa * hbb - hab * hab;
        if (!(det > 1e-12) || haa >= 0) break; /* not concave here: keep the current values */
        /* Newton step: x - H^-1 g */
        double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
        if (fabs(da) > 0.5) da = da > 0 ? 0.5 : -0.5;
        if (fabs(db) > 0.5) db = db > 0 ? 0.5 : -0.5;
        a -= da;
        b -= db;
        if (a < 0.2) a = 0.2;
        if (a > 4) a = 4;
        if (b < -8) b = -8;
        if (b > 8) b = 8;
        if (fabs(da) < 1e-5 && fabs(db) < 1e-5) break;
    }
    ci->a = a;
    ci->b = b;
}

/* The model is unchanged by theta -> k theta + m (a / k, k b + m): the bank's levels fix
 * the scale. The fitted items' difficulties keep the mean and spread of their level-based
 * ones (b0), and the population moves with them. */
static void anchor(calib_item *items, size_t nitems, estep *e) {
    double n = 0, mb = 0, mb0 = 0, vb = 0, vb0 = 0;
    for (size_t i = 0; i < nitems; i++)
        if (items[i].fitted) n++, mb += items[i].b, mb0 += items[i].b0;
    if (n < 2) return;
    mb /= n;
    mb0 /= n;
    for (size_t i = 0; i < nitems; i++)
        if (items[i].fitted) {
            vb += (items[i].b - mb) * (items[i].b - mb);
            vb0 += (items[i].b0 - mb0) * (items[i].b0 - mb0);
        }
    double k = vb > 1e-9 && vb0 > 1e-9 ? sqrt(vb0 / vb) : 1.0;
    for (size_t i = 0; i < nitems; i++)
        if (items[i].fitted) {
            items[i].b = mb0 + k * (items[i].b - mb);
            items[i].a /= k;
        }
    e->mean = mb0 + k * (e->mean - mb);
    e->sd *= k;
}

bool calibrate_items(calib_item *items, size_t nitems, const calib_response *r, size_t n, size_t npersons,
                     size_t ncomps, size_t min_responses, int rounds) {
    if (!ncomps || ncomps > IRT_MAX_COMPS) return false;
    for (size_t i = 0; i < nitems; i++)
        if (items[i].comp >= ncomps) return false;
    for (size_t i = 0; i < n; i++)
        if (r[i].person >= npersons || r[i].item >= nitems) return false;
    size_t *order, *start;
    group(r, n, npersons, &order, &start);
    irt_prior pp = irt_prior_positioning();
    estep e = {xcalloc(nitems * NQ + 1, sizeof(double)), xcalloc(nitems * NQ + 1, sizeof(double)),
               xcalloc(nitems + 1, sizeof(double)), pp.mean, sqrt(pp.sd * pp.sd + pp.tau * pp.tau)};
    for (size_t i = 0; i < nitems; i++) {
        items[i].a = items[i].a0;
        items[i].b = items[i].b0;
        items[i].n = 0;
    }
    for (size_t i = 0; i < n; i++) items[r[i].item].n++;
    for (size_t i = 0; i < nitems; i++) items[i].fitted = items[i].n >= min_responses && items[i].n > 0;
    for (int round = 0; round < rounds; round++) {
        expect(items, nitems, r, order, start, npersons, ncomps, &e);
        for (size_t i = 0; i < nitems; i++)
            if (items[i].fitted) fit_item(&items[i], e.nq + i * NQ, e.rq + i * NQ);
        anchor(items, nitems, &e);
    }
    expect(items, nitems, r, order, start, npersons, ncomps, &e);
    for (size_t i = 0; i < nitems; i++) {
        calib_item *ci = &items[i];
        double right = 0;
        for (size_t q = 0; q < NQ; q++) right += e.rq[i * NQ + q];
        ci->p_right = ci->n ? right / (double)ci->n : 0;
        ci->outfit = ci->n ? e.fit[i] / (double)ci->n : 0;
        ci->misfit = ci->fitted && (ci->outfit > 1.5 || ci->a < 0.4 || fabs(ci->b - ci->b0) > 1.5);
    }
    free(e.nq);
    free(e.rq);
    free(e.fit);
    free(order);
    free(start);
    return true;
}
