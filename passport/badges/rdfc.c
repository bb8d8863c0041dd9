/* SPDX-License-Identifier: EUPL-1.2 */
/* RDFC-1.0: first-degree hashes, hash N-degree quads with the permutation step, canonical
 * issuer "c14n". Blank nodes are numbered in order of first appearance (subject, object,
 * graph of each quad) and everything else refers to them by that number. */
#include "badges/rdfc.h"

#include <math.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* ---- ordering and hashing helpers ---- */

/* First UTF-16 code unit of the UTF-8 sequence starting at p (p points to a lead byte).
 * Reads continuation bytes only, so a truncated sequence never runs past the NUL. */
static unsigned utf16_unit(const unsigned char *p) {
    if (p[0] < 0x80) return p[0];
    int n = p[0] >= 0xf0 ? 3 : p[0] >= 0xe0 ? 2 : 1;
    uint32_t cp = p[0] & (0x3f >> n);
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80) return cp;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp >= 0x10000) return 0xd800 + ((cp - 0x10000) >> 10);
    return cp;
}

int rdfc_utf16_cmp(const char *a, const char *b) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t i = 0;
    while (x[i] && x[i] == y[i]) i++;
    if (x[i] == y[i]) return 0;
    if (!x[i] || !y[i]) return x[i] ? 1 : -1;
    /* back up to the start of the character in which they differ */
    size_t s = i;
    while (s > 0 && (x[s] & 0xc0) == 0x80) s--;
    if ((x[s] & 0xc0) == 0x80 || (y[s] & 0xc0) == 0x80) return x[i] < y[i] ? -1 : 1;
    unsigned ux = utf16_unit(x + s), uy = utf16_unit(y + s);
    if (ux != uy) return ux < uy ? -1 : 1;
    return x[i] < y[i] ? -1 : 1; /* same high surrogate: code point order = byte order */
}

static int cmp_str_ptr(const void *a, const void *b) {
    return rdfc_utf16_cmp(*(char *const *)a, *(char *const *)b);
}

/* SHA-256 (or SHA-384) over text fed in pieces: collected, then hashed at once with the
 * one-shot SHA256() / SHA384() (an EVP context per hash costs an algorithm fetch in
 * OpenSSL 3). */
#define HEX (2 * SHA384_DIGEST_LENGTH + 1) /* a hex digest and its NUL */

typedef struct sha {
    buf text;
    bool sha384;
} sha;

static void sha_init(sha *h, bool sha384) {
    buf_init(&h->text);
    h->sha384 = sha384;
}

static void sha_update(sha *h, const char *s) {
    buf_puts(&h->text, s);
}

/* Writes the lowercase hex digest into out (HEX bytes) and frees the collected text. */
static void sha_final(sha *h, char out[HEX]) {
    unsigned char md[SHA384_DIGEST_LENGTH];
    int n = h->sha384 ? SHA384_DIGEST_LENGTH : SHA256_DIGEST_LENGTH;
    if (h->sha384) SHA384((const unsigned char *)buf_cstr(&h->text), h->text.len, md);
    else SHA256((const unsigned char *)buf_cstr(&h->text), h->text.len, md);
    buf_free(&h->text);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * n] = 0;
}

/* ---- blank node table ---- */

typedef struct bnode {
    const char *label;    /* input label, owned by the quad list */
    size_t *quads;        /* indexes of the quads mentioning it, in order, no repeats */
    size_t nquads, cap;
    char hash[HEX];        /* first-degree hash */
} bnode;

/* An identifier issuer: issued[n] is the number given to node n or -1; order lists the
 * nodes in issue order. */
typedef struct issuer {
    long *issued;
    size_t *order;
    size_t count;
} issuer;

typedef struct canon {
    const rdf_quads *q;
    size_t *quad_idx; /* the distinct quads of q, in order */
    size_t nquads;
    bnode *nodes;
    size_t nnodes;
    size_t *slot; /* hash table of node indexes + 1, by label */
    size_t nslots;
    issuer canonical;
    double remaining; /* hash N-degree calls left */
    int work_factor;
    bool sha384;
    long permutations; /* permutations left */
    perr *err;
} canon;

static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Index of the node labelled label, or nnodes when unknown. */
static size_t node_find(const canon *c, const char *label) {
    for (size_t i = fnv(label) & (c->nslots - 1);; i = (i + 1) & (c->nslots - 1)) {
        if (!c->slot[i]) return c->nnodes;
        if (!strcmp(c->nodes[c->slot[i] - 1].label, label)) return c->slot[i] - 1;
    }
}

static void node_note(canon *c, const rdf_term *t, size_t quad) {
    if (t->kind != RDF_BLANK) return;
    size_t i = fnv(t->value) & (c->nslots - 1);
    while (c->slot[i] && strcmp(c->nodes[c->slot[i] - 1].label, t->value))
        i = (i + 1) & (c->nslots - 1);
    if (!c->slot[i]) {
        c->nodes[c->nnodes] = (bnode){.label = t->value};
        c->slot[i] = ++c->nnodes;
    }
    bnode *n = &c->nodes[c->slot[i] - 1];
    if (n->nquads && n->quads[n->nquads - 1] == quad) return;
    if (n->nquads == n->cap) {
        n->cap = n->cap ? 2 * n->cap : 4;
        n->quads = xrealloc(n->quads, n->cap * sizeof *n->quads);
    }
    n->quads[n->nquads++] = quad;
}

static void issuer_init(issuer *is, size_t n) {
    is->issued = xmalloc((n ? n : 1) * sizeof *is->issued);
    for (size_t i = 0; i < n; i++) is->issued[i] = -1;
    is->order = xmalloc((n ? n : 1) * sizeof *is->order);
    is->count = 0;
}

static void issuer_copy(issuer *dst, const issuer *src, size_t n) {
    issuer_init(dst, n);
    memcpy(dst->issued, src->issued, n * sizeof *dst->issued);
    memcpy(dst->order, src->order, src->count * sizeof *dst->order);
    dst->count = src->count;
}

static void issuer_free(issuer *is) {
    free(is->issued);
    free(is->order);
}

static long issuer_get(issuer *is, size_t node) {
    if (is->issued[node] < 0) {
        is->issued[node] = (long)is->count;
        is->order[is->count++] = node;
    }
    return is->issued[node];
}

/* ---- the algorithm ---- */

/* Appends t to b, writing blank nodes as the node's canonical label when use_canon, or
 * as _:a (the reference node) / _:z (others) for first-degree hashing. */
static void write_term(canon *c, buf *b, const rdf_term *t, size_t ref, bool use_canon) {
    if (t->kind != RDF_BLANK) {
        rdf_term_write(b, t);
        return;
    }
    size_t n = node_find(c, t->value);
    if (use_canon) buf_printf(b, "_:c14n%ld", issuer_get(&c->canonical, n));
    else buf_puts(b, n == ref ? "_:a" : "_:z");
}

static void write_quad(canon *c, buf *b, const rdf_quad *q, size_t ref, bool use_canon) {
    write_term(c, b, &q->s, ref, use_canon);
    buf_putc(b, ' ');
    rdf_term_write(b, &q->p);
    buf_putc(b, ' ');
    write_term(c, b, &q->o, ref, use_canon);
    if (q->g.kind != RDF_DEFAULT_GRAPH) {
        buf_putc(b, ' ');
        write_term(c, b, &q->g, ref, use_canon);
    }
    buf_puts(b, " .\n");
}

static void hash_first_degree(canon *c, size_t n) {
    bnode *node = &c->nodes[n];
    char **lines = xmalloc(node->nquads * sizeof *lines);
    for (size_t i = 0; i < node->nquads; i++) {
        buf b = BUF_INIT;
        write_quad(c, &b, &c->q->items[node->quads[i]], n, false);
        lines[i] = buf_detach(&b);
    }
    qsort(lines, node->nquads, sizeof *lines, cmp_str_ptr);
    sha h;
    sha_init(&h, c->sha384);
    for (size_t i = 0; i < node->nquads; i++) {
        sha_update(&h, lines[i]);
        free(lines[i]);
    }
    free(lines);
    sha_final(&h, node->hash);
}

/* Hash of a blank node related to the reference node through one quad. */
static void hash_related(canon *c, size_t related, const rdf_quad *q, issuer *is, char pos,
                         char out[HEX]) {
    sha h;
    sha_init(&h, c->sha384);
    char p[2] = {pos, 0};
    sha_update(&h, p);
    if (pos != 'g') {
        sha_update(&h, "<");
        sha_update(&h, q->p.value);
        sha_update(&h, ">");
    }
    char id[40];
    if (c->canonical.issued[related] >= 0) {
        snprintf(id, sizeof id, "_:c14n%ld", c->canonical.issued[related]);
        sha_update(&h, id);
    } else if (is->issued[related] >= 0) {
        snprintf(id, sizeof id, "_:b%ld", is->issued[related]);
        sha_update(&h, id);
    } else {
        sha_update(&h, c->nodes[related].hash);
    }
    sha_final(&h, out);
}

typedef struct related {
    char hash[HEX];
    size_t node;
    size_t seq; /* order of discovery, for a stable grouping */
} related;

static int cmp_related(const void *a, const void *b) {
    const related *x = a, *y = b;
    int d = strcmp(x->hash, y->hash);
    if (d) return d;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Orders node indexes by their input labels, as JavaScript's sort of the ids would. */
static int cmp_labels(const canon *c, size_t a, size_t b) {
    return rdfc_utf16_cmp(c->nodes[a].label, c->nodes[b].label);
}

static void sort_by_label(const canon *c, size_t *v, size_t n) {
    for (size_t i = 1; i < n; i++) /* insertion sort: lists are short */
        for (size_t j = i; j > 0 && cmp_labels(c, v[j - 1], v[j]) > 0; j--) {
            size_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* Steinhaus-Johnson-Trotter over current[0..n) (sorted by label at the start), as
 * rdf-canonize's Permuter. Returns false when the permutations are exhausted. */
static bool next_permutation(const canon *c, size_t *cur, bool *left, size_t n) {
    long k = -1;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        bool mobile = (left[i] && i > 0 && cmp_labels(c, cur[i], cur[i - 1]) > 0) ||
                      (!left[i] && i + 1 < n && cmp_labels(c, cur[i], cur[i + 1]) > 0);
        if (mobile && (k < 0 || cmp_labels(c, cur[i], (size_t)k) > 0)) {
            k = (long)cur[i];
            pos = i;
        }
    }
    if (k < 0) return false;
    size_t swap = left[pos] ? pos - 1 : pos + 1;
    bool d = left[pos];
    cur[pos] = cur[swap];
    left[pos] = left[swap];
    cur[swap] = (size_t)k;
    left[swap] = d;
    for (size_t i = 0; i < n; i++)
        if (cmp_labels(c, cur[i], (size_t)k) > 0) left[i] = !left[i];
    return true;
}

static bool hash_n_degree(canon *c, size_t id, issuer *is, char out[HEX]);

/* Explores every permutation of the related nodes sharing one hash, appending the
 * lexicographically least path to md and leaving the chosen issuer in *is. */
static bool choose_path(canon *c, size_t *group, size_t n, issuer *is, sha *md) {
    buf chosen = BUF_INIT;
    bool have_chosen = false;
    issuer chosen_issuer = {0};
    bool *left = xmalloc(n * sizeof *left);
    size_t *cur = xmalloc(n * sizeof *cur);
    size_t *recursion = xmalloc(n * sizeof *recursion);
    size_t *perm = xmalloc(n * sizeof *perm);
    bool ok = false;
    memcpy(cur, group, n * sizeof *cur);
    sort_by_label(c, cur, n);
    for (size_t i = 0; i < n; i++) left[i] = true;
    bool more = true;
    while (more) {
        if (c->permutations-- <= 0) {
            perr_set(c->err, "rdfc: too much work canonicalising: too many permutations of similar blank nodes");
            goto fail;
        }
        memcpy(perm, cur, n * sizeof *perm);
        more = next_permutation(c, cur, left, n);
        issuer copy;
        issuer_copy(&copy, is, c->nnodes);
        buf path = BUF_INIT;
        size_t nrec = 0;
        bool skip = false;
        for (size_t i = 0; i < n && !skip; i++) {
            size_t r = perm[i];
            if (c->canonical.issued[r] >= 0) {
                buf_printf(&path, "_:c14n%ld", c->canonical.issued[r]);
            } else {
                if (copy.issued[r] < 0) recursion[nrec++] = r;
                buf_printf(&path, "_:b%ld", issuer_get(&copy, r));
            }
            if (have_chosen && strcmp(buf_cstr(&path), buf_cstr(&chosen)) > 0) skip = true;
        }
        for (size_t i = 0; i < nrec && !skip; i++) {
            char h[HEX];
            if (!hash_n_degree(c, recursion[i], &copy, h)) {
                buf_free(&path);
                issuer_free(&copy);
                goto fail;
            }
            buf_printf(&path, "_:b%ld<%s>", issuer_get(&copy, recursion[i]), h);
            if (have_chosen && strcmp(buf_cstr(&path), buf_cstr(&chosen)) > 0) skip = true;
        }
        if (!skip && (!have_chosen || strcmp(buf_cstr(&path), buf_cstr(&chosen)) < 0)) {
            buf_reset(&chosen);
            buf_puts(&chosen, buf_cstr(&path));
            if (have_chosen) issuer_free(&chosen_issuer);
            chosen_issuer = copy;
            have_chosen = true;
        } else {
            issuer_free(&copy);
        }
        buf_free(&path);
    }
    sha_update(md, buf_cstr(&chosen));
    issuer_free(is);
    *is = chosen_issuer;
    have_chosen = false;
    ok = true;
fail:
    if (have_chosen) issuer_free(&chosen_issuer);
    buf_free(&chosen);
    free(left);
    free(cur);
    free(recursion);
    free(perm);
    return ok;
}

/* Hash N-degree quads of node id; *is is replaced by the resulting issuer. */
static bool hash_n_degree(canon *c, size_t id, issuer *is, char out[HEX]) {
    if (c->remaining <= 0)
        return perr_set(c->err, "rdfc: too much work canonicalising: blank nodes too similar "
                                "(maximum deep iterations exceeded)");
    c->remaining--;
    bnode *node = &c->nodes[id];
    size_t cap = node->nquads * 3, nrel = 0;
    related *rel = xmalloc((cap ? cap : 1) * sizeof *rel);
    for (size_t i = 0; i < node->nquads; i++) {
        const rdf_quad *q = &c->q->items[node->quads[i]];
        const rdf_term *comp[3] = {&q->s, &q->o, &q->g};
        const char pos[3] = {'s', 'o', 'g'};
        for (int k = 0; k < 3; k++) {
            if (comp[k]->kind != RDF_BLANK) continue;
            size_t r = node_find(c, comp[k]->value);
            if (r == id) continue;
            hash_related(c, r, q, is, pos[k], rel[nrel].hash);
            rel[nrel].node = r;
            rel[nrel].seq = nrel;
            nrel++;
        }
    }
    qsort(rel, nrel, sizeof *rel, cmp_related);
    sha md;
    sha_init(&md, c->sha384);
    size_t *group = xmalloc((nrel ? nrel : 1) * sizeof *group);
    bool ok = true;
    for (size_t i = 0; i < nrel && ok;) {
        size_t j = i, n = 0;
        while (j < nrel && !strcmp(rel[j].hash, rel[i].hash)) group[n++] = rel[j++].node;
        sha_update(&md, rel[i].hash);
        ok = choose_path(c, group, n, is, &md);
        i = j;
    }
    free(group);
    free(rel);
    sha_final(&md, out);
    return ok;
}

typedef struct ranked {
    const char *hash;
    size_t node;
    issuer is; /* for N-degree results */
} ranked;

static int cmp_ranked(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    int d = strcmp(x->hash, y->hash);
    if (d) return d;
    return x->node < y->node ? -1 : x->node > y->node; /* stable: first appearance */
}

typedef struct line_ref {
    char *line;
    size_t idx;
} line_ref;

static int cmp_line_ref(const void *a, const void *b) {
    const line_ref *x = a, *y = b;
    int d = strcmp(x->line, y->line);
    if (d) return d;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_size(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Writes into idx the indexes of the distinct quads of q (first occurrence, in order)
 * and returns their number: a dataset is a set, exact duplicates count once. */
static size_t distinct_quads(const rdf_quads *q, size_t *idx) {
    line_ref *v = xmalloc((q->len ? q->len : 1) * sizeof *v);
    for (size_t i = 0; i < q->len; i++) {
        buf b = BUF_INIT;
        rdf_quad_write(&b, &q->items[i]);
        v[i] = (line_ref){buf_detach(&b), i};
    }
    qsort(v, q->len, sizeof *v, cmp_line_ref);
    size_t n = 0;
    for (size_t i = 0; i < q->len; i++)
        if (i == 0 || strcmp(v[i].line, v[i - 1].line)) idx[n++] = v[i].idx;
    for (size_t i = 0; i < q->len; i++) free(v[i].line);
    free(v);
    qsort(idx, n, sizeof *idx, cmp_size);
    return n;
}

/* Issues canonical labels to nodes with a unique first-degree hash, then to the others
 * through hash N-degree quads, as RDFC-1.0 §4.4.3 steps 3-5. */
static bool label_nodes(canon *c) {
    bool ok = false;
    ranked *r = xcalloc(c->nnodes ? c->nnodes : 1, sizeof *r);
    for (size_t i = 0; i < c->nnodes; i++) {
        hash_first_degree(c, i);
        r[i] = (ranked){c->nodes[i].hash, i, {0}};
    }
    qsort(r, c->nnodes, sizeof *r, cmp_ranked);
    long nonunique = 0;
    for (size_t i = 0; i < c->nnodes;) {
        size_t j = i;
        while (j < c->nnodes && !strcmp(r[j].hash, r[i].hash)) j++;
        if (j - i == 1) issuer_get(&c->canonical, r[i].node);
        else nonunique += (long)(j - i);
        i = j;
    }
    if (c->work_factor < 0) c->remaining = HUGE_VAL;
    else c->remaining = pow((double)nonunique, c->work_factor);
    ranked *res = xcalloc(c->nnodes ? c->nnodes : 1, sizeof *res);
    char (*hashes)[HEX] = xmalloc((c->nnodes ? c->nnodes : 1) * sizeof *hashes);
    for (size_t i = 0; i < c->nnodes;) {
        size_t j = i, nres = 0;
        while (j < c->nnodes && !strcmp(r[j].hash, r[i].hash)) j++;
        for (size_t k = i; j - i > 1 && k < j; k++) {
            size_t id = r[k].node;
            if (c->canonical.issued[id] >= 0) continue;
            issuer tmp;
            issuer_init(&tmp, c->nnodes);
            issuer_get(&tmp, id);
            if (!hash_n_degree(c, id, &tmp, hashes[nres])) {
                issuer_free(&tmp);
                for (size_t m = 0; m < nres; m++) issuer_free(&res[m].is);
                goto fail;
            }
            /* only the issuing order is kept: n nodes of n-sized maps alive at once cost
             * O(n^2) memory, page faults and all (600 similar nodes: 6 MB, 140 ms) */
            free(tmp.issued);
            tmp.issued = NULL;
            tmp.order = xrealloc(tmp.order, (tmp.count ? tmp.count : 1) * sizeof *tmp.order);
            res[nres] = (ranked){hashes[nres], nres, tmp};
            nres++;
        }
        qsort(res, nres, sizeof *res, cmp_ranked);
        for (size_t m = 0; m < nres; m++) {
            for (size_t o = 0; o < res[m].is.count; o++) issuer_get(&c->canonical, res[m].is.order[o]);
            issuer_free(&res[m].is);
        }
        i = j;
    }
    ok = true;
fail:
    free(hashes);
    free(res);
    free(r);
    return ok;
}

bool rdfc_canonicalize(const rdf_quads *q, int work_factor, char **out, perr *err) {
    rdfc_opts o = {work_factor, false, NULL};
    return rdfc_canonicalize_opts(q, &o, out, err);
}

/* The issued identifiers map as a JSON object text: input label -> canonical label, in
 * canonical order. */
static char *issued_map(const canon *c) {
    buf b = BUF_INIT;
    buf_putc(&b, '{');
    for (size_t i = 0; i < c->canonical.count; i++) {
        const char *label = c->nodes[c->canonical.order[i]].label;
        buf_puts(&b, i ? ",\"" : "\"");
        for (const char *p = label; *p; p++) {
            if (*p == '"' || *p == '\\') buf_putc(&b, '\\');
            buf_putc(&b, *p);
        }
        buf_printf(&b, "\":\"c14n%zu\"", i);
    }
    buf_puts(&b, "}\n");
    return buf_detach(&b);
}

bool rdfc_canonicalize_opts(const rdf_quads *q, const rdfc_opts *o, char **out, perr *err) {
    canon c = {.q = q, .err = err, .work_factor = o->work_factor, .sha384 = o->sha384,
               .permutations = RDFC_MAX_PERMUTATIONS};
    bool ok = false;
    char **lines = NULL;
    c.quad_idx = xmalloc((q->len ? q->len : 1) * sizeof *c.quad_idx);
    c.nquads = distinct_quads(q, c.quad_idx);
    c.nodes = xcalloc(3 * c.nquads + 1, sizeof *c.nodes);
    c.nslots = 16;
    while (c.nslots < 6 * c.nquads + 2) c.nslots *= 2;
    c.slot = xcalloc(c.nslots, sizeof *c.slot);
    for (size_t i = 0; i < c.nquads; i++) {
        const rdf_quad *qq = &q->items[c.quad_idx[i]];
        node_note(&c, &qq->s, c.quad_idx[i]);
        node_note(&c, &qq->o, c.quad_idx[i]);
        node_note(&c, &qq->g, c.quad_idx[i]);
    }
    issuer_init(&c.canonical, c.nnodes);
    if (!label_nodes(&c)) goto fail;
    lines = xmalloc((c.nquads ? c.nquads : 1) * sizeof *lines);
    for (size_t i = 0; i < c.nquads; i++) {
        buf b = BUF_INIT;
        write_quad(&c, &b, &q->items[c.quad_idx[i]], 0, true);
        lines[i] = buf_detach(&b);
    }
    qsort(lines, c.nquads, sizeof *lines, cmp_str_ptr);
    buf res = BUF_INIT;
    for (size_t i = 0; i < c.nquads; i++) buf_puts(&res, lines[i]);
    *out = buf_detach(&res);
    if (o->map) *o->map = issued_map(&c);
    ok = true;
fail:
    if (lines)
        for (size_t i = 0; i < c.nquads; i++) free(lines[i]);
    free(lines);
    for (size_t i = 0; i < c.nnodes; i++) free(c.nodes[i].quads);
    free(c.nodes);
    free(c.slot);
    free(c.quad_idx);
    issuer_free(&c.canonical);
    return ok;
}
