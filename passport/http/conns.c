/* SPDX-License-Identifier: EUPL-1.2 */
/* Connection limits, the whole-request deadline and refusal counters (see conns.h).
 * One mutex guards the list of connections and the per-address counts; it is taken when
 * a connection opens or closes and by the reaper, never per request. The deadline state
 * of a connection is one atomic word, so the request path only does compare-and-swap. */
#include "http/conns.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"

#define IP_BUCKETS 1024
#define SUMMARY_EVERY_US (60ull * 1000 * 1000)
#define REFUSED_GRACE_MS 1000 /* a refused connection that sends no request */

enum { ST_RECEIVING, ST_PROCESSING, ST_CUT };

typedef struct ip_count {
    struct ip_count *next;
    unsigned n;
    char addr[46];
} ip_count;

struct http_conn {
    http_conn *prev, *next;
    int fd;
    http_refusal refusal;
    bool proxy;
    _Atomic int state;
    _Atomic uint64_t since_us; /* when receiving the current request started */
    char addr[46];
};

struct http_conns {
    http_conns_opts opts;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t reaper;
    bool stop;
    http_conn *head;
    unsigned long current;
    ip_count *ips[IP_BUCKETS];
    _Atomic unsigned long accepted;
    _Atomic unsigned long refused[HTTP_REFUSE_KINDS];
    unsigned long reported[HTTP_REFUSE_KINDS];
    uint64_t last_summary_us;
};

bool http_addrs_parse(const char *list, http_addrs *out, perr *err) {
    memset(out, 0, sizeof *out);
    if (!list) return true;
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') e++;
        char one[64];
        size_t l = (size_t)(e - p);
        if (l >= sizeof one) return perr_set(err, "'%.*s' is not an IP address", (int)(l > 60 ? 60 : l), p);
        memcpy(one, p, l);
        one[l] = '\0';
        if (out->n == HTTP_ADDRS_MAX) return perr_set(err, "at most %d addresses", HTTP_ADDRS_MAX);
        if (!http_forwarded_client(one, out->addr[out->n], sizeof out->addr[0]))
            return perr_set(err, "'%s' is not an IP address", one);
        out->n++;
        p = e;
    }
    return true;
}

bool http_addrs_has(const http_addrs *set, const char *addr) {
    for (size_t i = 0; set && i < set->n; i++)
        if (!strcmp(set->addr[i], addr)) return true;
    return false;
}

/* Normalises one textual address (IPv4 or IPv6) into out. */
static bool normalise(const char *s, size_t len, char *out, size_t cap) {
    char tmp[64];
    if (len == 0 || len >= sizeof tmp) return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    unsigned char bin[16];
    if (inet_pton(AF_INET, tmp, bin) == 1) return inet_ntop(AF_INET, bin, out, (socklen_t)cap) != NULL;
    if (inet_pton(AF_INET6, tmp, bin) == 1) return inet_ntop(AF_INET6, bin, out, (socklen_t)cap) != NULL;
    return false;
}

bool http_forwarded_client(const char *xff, char *out, size_t cap) {
    if (!xff) return false;
    const char *end = xff + strlen(xff);
    while (end > xff && (end[-1] == ' ' || end[-1] == '\t')) end--;
    const char *start = end;
    while (start > xff && start[-1] != ',') start--;
    while (start < end && (*start == ' ' || *start == '\t')) start++;
    return normalise(start, (size_t)(end - start), out, cap);
}

const char *http_refusal_name(http_refusal why) {
    switch (why) {
    case HTTP_REFUSE_PER_ADDRESS: return "per_address";
    case HTTP_REFUSE_TOTAL: return "total";
    case HTTP_REFUSE_DEADLINE: return "deadline";
    case HTTP_REFUSE_CEILING: return "ceiling";
    default: return "none";
    }
}

static ip_count **ip_slot(http_conns *cs, const char *addr) {
    uint32_t h = 2166136261u;
    for (const char *p = addr; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    ip_count **pp = &cs->ips[h & (IP_BUCKETS - 1)];
    while (*pp && strcmp((*pp)->addr, addr)) pp = &(*pp)->next;
    return pp;
}

/* Logs how many connections were refused since the last summary, at most once a minute
 * and only when something was. Called with mu held. */
static void maybe_summarise(http_conns *cs, uint64_t now) {
    if (now - cs->last_summary_us < SUMMARY_EVERY_US) return;
    cs->last_summary_us = now;
    unsigned long d[HTTP_REFUSE_KINDS], sum = 0;
    for (int k = 1; k < HTTP_REFUSE_KINDS; k++) {
        unsigned long v = atomic_load(&cs->refused[k]);
        d[k] = v - cs->reported[k];
        cs->reported[k] = v;
        sum += d[k];
    }
    if (!sum || cs->opts.quiet) return;
    log_info("connections refused in the last minute: %lu over the per-address limit, %lu over the "
             "total limit, %lu past the request deadline, %lu dropped at the ceiling",
             d[HTTP_REFUSE_PER_ADDRESS], d[HTTP_REFUSE_TOTAL], d[HTTP_REFUSE_DEADLINE],
             d[HTTP_REFUSE_CEILING]);
}

/* Cuts the connections whose request has not arrived whole in time: shutdown() makes the
 * library see an end of stream and close it (the socket stays open until then: mu is held
 * and http_conns_close, which runs before the library closes the socket, takes it too). */
static void reap(http_conns *cs, uint64_t now) {
    uint64_t deadline = (uint64_t)cs->opts.deadline_ms * 1000;
    uint64_t grace = (uint64_t)(cs->opts.deadline_ms < REFUSED_GRACE_MS ? cs->opts.deadline_ms : REFUSED_GRACE_MS) * 1000;
    for (http_conn *c = cs->head; c; c = c->next) {
        uint64_t since = atomic_load(&c->since_us);
        uint64_t limit = c->refusal != HTTP_REFUSE_NONE ? grace : deadline;
        if (now < since || now - since <= limit) continue;
        int expect = ST_RECEIVING;
        if (!atomic_compare_exchange_strong(&c->state, &expect, ST_CUT)) continue;
        shutdown(c->fd, SHUT_RDWR);
        if (c->refusal == HTTP_REFUSE_NONE) atomic_fetch_add(&cs->refused[HTTP_REFUSE_DEADLINE], 1);
    }
}

static void *reaper_main(void *arg) {
    http_conns *cs = arg;
    unsigned tick_ms = cs->opts.deadline_ms / 4;
    if (tick_ms < 50) tick_ms = 50;
    if (tick_ms > 1000) tick_ms = 1000;
    pthread_mutex_lock(&cs->mu);
    while (!cs->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)(tick_ms % 1000) * 1000000L;
        ts.tv_sec += tick_ms / 1000 + ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&cs->wake, &cs->mu, &ts);
        if (cs->stop) break;
        uint64_t now = clock_mono_us();
        reap(cs, now);
        maybe_summarise(cs, now);
    }
    pthread_mutex_unlock(&cs->mu);
    return NULL;
}

http_conns *http_conns_new(const http_conns_opts *opts) {
    http_conns *cs = xcalloc(1, sizeof *cs);
    cs->opts = *opts;
    if (!cs->opts.total_limit) cs->opts.total_limit = 4096;
    if (!cs->opts.per_ip_limit) cs->opts.per_ip_limit = 256;
    if (!cs->opts.deadline_ms) cs->opts.deadline_ms = 20000;
    pthread_mutex_init(&cs->mu, NULL);
    pthread_cond_init(&cs->wake, NULL);
    cs->last_summary_us = clock_mono_us();
    if (pthread_create(&cs->reaper, NULL, reaper_main, cs) != 0) {
        log_error("http: cannot start the connection reaper: request deadlines are not enforced");
        cs->stop = true;
    }
    return cs;
}

void http_conns_free(http_conns *cs) {
    if (!cs) return;
    pthread_mutex_lock(&cs->mu);
    bool running = !cs->stop;
    cs->stop = true;
    pthread_cond_signal(&cs->wake);
    pthread_mutex_unlock(&cs->mu);
    if (running) pthread_join(cs->reaper, NULL);
    for (size_t i = 0; i < IP_BUCKETS; i++)
        for (ip_count *p = cs->ips[i], *n; p; p = n) {
            n = p->next;
            free(p);
        }
    for (http_conn *c = cs->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    pthread_cond_destroy(&cs->wake);
    pthread_mutex_destroy(&cs->mu);
    free(cs);
}

http_conn *http_conns_open(http_conns *cs, int fd, const char *addr) {
    http_conn *c = xcalloc(1, sizeof *c);
    c->fd = fd;
    snprintf(c->addr, sizeof c->addr, "%s", addr ? addr : "");
    c->proxy = http_addrs_has(cs->opts.trusted_proxies, c->addr);
    atomic_init(&c->state, ST_RECEIVING);
    atomic_init(&c->since_us, clock_mono_us());
    atomic_fetch_add(&cs->accepted, 1);
    pthread_mutex_lock(&cs->mu);
    ip_count **slot = ip_slot(cs, c->addr);
    if (cs->current >= cs->opts.total_limit) {
        c->refusal = HTTP_REFUSE_TOTAL;
    } else if (!c->proxy && *slot && (*slot)->n >= cs->opts.per_ip_limit) {
        c->refusal = HTTP_REFUSE_PER_ADDRESS;
    } else {
        if (!*slot) {
            *slot = xcalloc(1, sizeof **slot);
            snprintf((*slot)->addr, sizeof (*slot)->addr, "%s", c->addr);
        }
        (*slot)->n++;
        cs->current++;
    }
    if (c->refusal != HTTP_REFUSE_NONE) atomic_fetch_add(&cs->refused[c->refusal], 1);
    c->next = cs->head;
    if (cs->head) cs->head->prev = c;
    cs->head = c;
    pthread_mutex_unlock(&cs->mu);
    return c;
}

void http_conns_close(http_conns *cs, http_conn *c) {
    if (!c) return;
    pthread_mutex_lock(&cs->mu);
    if (c->refusal == HTTP_REFUSE_NONE) {
        ip_count **slot = ip_slot(cs, c->addr);
        if (*slot && --(*slot)->n == 0) {
            ip_count *dead = *slot;
            *slot = dead->next;
            free(dead);
        }
        cs->current--;
    }
    if (c->prev) c->prev->next = c->next;
    else cs->head = c->next;
    if (c->next) c->next->prev = c->prev;
    pthread_mutex_unlock(&cs->mu);
    free(c);
}

http_refusal http_conn_refusal(const http_conn *c) {
    return c->refusal;
}

const char *http_conn_addr(const http_conn *c) {
    return c->addr;
}

bool http_conn_from_proxy(const http_conn *c) {
    return c->proxy;
}

bool http_conn_received(http_conn *c) {
    int expect = ST_RECEIVING;
    if (atomic_compare_exchange_strong(&c->state, &expect, ST_PROCESSING)) return true;
    return expect == ST_PROCESSING;
}

void http_conn_next(http_conn *c) {
    atomic_store(&c->since_us, clock_mono_us());
    int expect = ST_PROCESSING;
    atomic_compare_exchange_strong(&c->state, &expect, ST_RECEIVING);
}

void http_conns_count(http_conns *cs, http_refusal why) {
    if (why > HTTP_REFUSE_NONE && why < HTTP_REFUSE_KINDS) atomic_fetch_add(&cs->refused[why], 1);
}

unsigned long http_conns_refused(const http_conns *cs, http_refusal why) {
    return why < HTTP_REFUSE_KINDS ? atomic_load(&((http_conns *)cs)->refused[why]) : 0;
}

unsigned long http_conns_current(const http_conns *cs) {
    pthread_mutex_lock(&((http_conns *)cs)->mu);
    unsigned long n = cs->current;
    pthread_mutex_unlock(&((http_conns *)cs)->mu);
    return n;
}

unsigned long http_conns_accepted(const http_conns *cs) {
    return atomic_load(&((http_conns *)cs)->accepted);
}
