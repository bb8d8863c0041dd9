/* SPDX-License-Identifier: EUPL-1.2 */
/* 2PL item response model: grid posterior of a general ability and per-competence
 * deviations, selection by maximum information, stop rule (see irt.h, docs/positioning.md). */
#include "learn/irt.h"

#include <math.h>
#include <stdlib.h>

#include "core/buf.h"

#define GRID_STEP 0.1
#define GRID_HALF 70   /* general ability grid: -7 .. 7 */
#define DEV_HALF_MAX 60 /* deviation grid: at most -6 .. 6 */

double irt_level_theta(int level) {
    return (double)level - 4.0;
}

int irt_theta_level(double theta) {
    double l = floor(theta + 4.5);
    return l < 0 ? 0 : l > 8 ? 8 : (int)l;
}

double irt_default_b(int level) {
    return irt_level_theta(level) - 0.5;
}

double irt_p(double a, double b, double theta) {
    return 1.0 / (1.0 + exp(-a * (theta - b)));
}

double irt_info(double a, double b, double theta) {
    double p = irt_p(a, b, theta);
    return a * a * p * (1.0 - p);
}

irt_prior irt_prior_positioning(void) {
    return (irt_prior){irt_level_theta(3), 1.6, 0.7};
}

irt_prior irt_prior_recheck(int level) {
    return (irt_prior){irt_level_theta(level), 1.0, 0.0};
}

irt_stop_rule irt_rule_positioning(void) {
    return (irt_stop_rule){32, 1, 0.45};
}

irt_stop_rule irt_rule_recheck(void) {
    return (irt_stop_rule){6, 3, 0.5};
}

uint64_t irt_rng_next(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double irt_rng_unit(uint64_t *state) {
    return (double)(irt_rng_next(state) >> 11) / 9007199254740992.0;
}

bool irt_estimate_abilities(const irt_item *items, size_t nitems, const irt_answer *answers, size_t n,
                            size_t ncomps, const irt_prior *prior, irt_estimate *out) {
    if (ncomps == 0 || ncomps > IRT_MAX_COMPS) return false;
    for (size_t i = 0; i < n; i++)
        if (answers[i].item >= nitems || items[answers[i].item].comp >= ncomps) return false;
    int dh = prior->tau > 0 ? (int)ceil(4.0 * prior->tau / GRID_STEP) : 0;
    if (dh > DEV_HALF_MAX) dh = DEV_HALF_MAX;
    size_t ng = 2 * GRID_HALF + 1, nd = 2 * (size_t)dh + 1, ne = ng + nd - 1;
    /* deviation weights */
    double *w = xcalloc(nd, sizeof *w), wsum = 0;
    for (size_t d = 0; d < nd; d++) {
        double x = ((double)d - dh) * GRID_STEP;
        w[d] = dh ? exp(-0.5 * x * x / (prior->tau * prior->tau)) : 1.0;
        wsum += w[d];
    }
    for (size_t d = 0; d < nd; d++) w[d] /= wsum;
    /* log-likelihood of each competence's answers on the extended grid (theta = g + dev) */
    double *ll = xcalloc(ncomps * ne, sizeof *ll);
    for (size_t i = 0; i < n; i++) {
        const irt_item *it = &items[answers[i].item];
        double *row = ll + it->comp * ne;
        for (size_t k = 0; k < ne; k++) {
            double theta = ((double)k - GRID_HALF - dh) * GRID_STEP;
            double p = irt_p(it->a, it->b, theta);
            if (p < 1e-12) p = 1e-12;
            if (p > 1 - 1e-12) p = 1 - 1e-12;
            row[k] += log(answers[i].right ? p : 1 - p);
        }
    }
    /* L_c scaled by its maximum, and M_c(g) = sum_d w(d) L_c(g + d): each competence's
     * likelihood integrated over its deviation (log M_c kept with the scale added back) */
    double *lk = xcalloc(ncomps * ne, sizeof *lk), *lm = xcalloc(ncomps * ng, sizeof *lm);
    double *rmx = xcalloc(ncomps, sizeof *rmx);
    bool *seen = xcalloc(ncomps, sizeof *seen);
    for (size_t i = 0; i < n; i++) seen[items[answers[i].item].comp] = true;
    for (size_t c = 0; c < ncomps; c++) {
        if (!seen[c]) continue; /* L_c = 1, M_c = 1: log 0 */
        double *row = ll + c * ne, mx = row[0];
        for (size_t k = 1; k < ne; k++) mx = row[k] > mx ? row[k] : mx;
        rmx[c] = mx;
        for (size_t k = 0; k < ne; k++) lk[c * ne + k] = exp(row[k] - mx);
        for (size_t g = 0; g < ng; g++) {
            double sum = 0;
            const double *l = lk + c * ne + g;
            for (size_t d = 0; d < nd; d++) sum += w[d] * l[d];
            lm[c * ng + g] = log(sum > 1e-300 ? sum : 1e-300) + mx;
        }
    }
    /* posterior of the general ability */
    double *lpost = xcalloc(ng, sizeof *lpost), *post = xcalloc(ng, sizeof *post), mx = -INFINITY;
    for (size_t g = 0; g < ng; g++) {
        double x = ((double)g - GRID_HALF) * GRID_STEP, z = (x - prior->mean) / prior->sd;
        lpost[g] = -0.5 * z * z;
        for (size_t c = 0; c < ncomps; c++) lpost[g] += lm[c * ng + g];
        mx = lpost[g] > mx ? lpost[g] : mx;
    }
    double total = 0, m1 = 0, m2 = 0;
    for (size_t g = 0; g < ng; g++) {
        double x = ((double)g - GRID_HALF) * GRID_STEP;
        post[g] = exp(lpost[g] - mx);
        total += post[g];
        m1 += post[g] * x;
        m2 += post[g] * x * x;
    }
    out->ncomps = ncomps;
    out->general = m1 / total;
    out->general_se = sqrt(fmax(m2 / total - out->general * out->general, 0));
    /* each competence: joint (g, d) proportional to post(g) / M_c(g) * w(d) * L_c(g + d);
     * every competence without answers has the same one, computed once */
    double *base = xcalloc(ng, sizeof *base);
    bool unseen_done = false;
    double unseen_theta = 0, unseen_se = 0;
    for (size_t c = 0; c < ncomps; c++) {
        if (!seen[c] && unseen_done) {
            out->theta[c] = unseen_theta;
            out->se[c] = unseen_se;
            continue;
        }
        for (size_t g = 0; g < ng; g++) base[g] = seen[c] ? exp(lpost[g] - mx - (lm[c * ng + g] - rmx[c])) : post[g];
        double t = 0, s1 = 0, s2 = 0;
        for (size_t g = 0; g < ng; g++) {
            if (base[g] < 1e-300) continue;
            const double *l = lk + c * ne + g;
            for (size_t d = 0; d < nd; d++) {
                double pr = base[g] * w[d] * (seen[c] ? l[d] : 1.0);
                double theta = ((double)(g + d) - GRID_HALF - dh) * GRID_STEP;
                t += pr;
                s1 += pr * theta;
                s2 += pr * theta * theta;
            }
        }
        out->theta[c] = s1 / t;
        out->se[c] = sqrt(fmax(s2 / t - out->theta[c] * out->theta[c], 0));
        if (!seen[c]) {
            unseen_done = true;
            unseen_theta = out->theta[c];
            unseen_se = out->se[c];
        }
    }
    free(base);
    free(lk);
    free(rmx);
    free(seen);
    free(w);
    free(ll);
    free(lm);
    free(lpost);
    free(post);
    return true;
}

size_t irt_select(const irt_item *items, size_t nitems, const bool *used, const irt_estimate *est,
                  size_t allowed_comp, size_t spread, uint64_t rnd) {
    enum { TOP = 8 };
    size_t best[TOP];
    double score[TOP];
    size_t nbest = 0;
    if (spread < 1) spread = 1;
    if (spread > TOP) spread = TOP;
    for (size_t i = 0; i < nitems; i++) {
        const irt_item *it = &items[i];
        if (used[i] || it->comp >= est->ncomps || (allowed_comp != SIZE_MAX && it->comp != allowed_comp)) continue;
        double var = est->se[it->comp] * est->se[it->comp];
        double info = irt_info(it->a, it->b, est->theta[it->comp]);
        double gain = var * var * info / (1.0 + var * info);
        /* insertion into the sorted top list (ties keep the bank's order) */
        size_t at = nbest;
        while (at > 0 && score[at - 1] < gain) at--;
        if (at >= TOP) continue;
        if (nbest < TOP) nbest++;
        for (size_t k = nbest - 1; k > at; k--) {
            best[k] = best[k - 1];
            score[k] = score[k - 1];
        }
        best[at] = i;
        score[at] = gain;
    }
    if (!nbest) return SIZE_MAX;
    size_t pool = 1;
    while (pool < nbest && pool < spread && score[pool] >= 0.8 * score[0]) pool++;
    return best[rnd % pool];
}

bool irt_should_stop(const irt_estimate *est, const size_t *counts, size_t n, const irt_stop_rule *rule) {
    if (n >= rule->max_items) return true;
    for (size_t c = 0; c < est->ncomps; c++)
        if (counts[c] < rule->min_per_comp || est->se[c] > rule->se_target) return false;
    return true;
}
