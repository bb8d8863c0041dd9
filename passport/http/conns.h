/* SPDX-License-Identifier: EUPL-1.2 */
/* Connection bookkeeping for the HTTP server, independent of libmicrohttpd: limits per
 * client address and in total (a connection over a limit is marked refused: the server
 * answers its request 503 with Retry-After and closes), a deadline for receiving a whole
 * request (headers and body; idle time between keep-alive requests counts too), the
 * trusted reverse proxy, and the refusal counters with their rate-limited summary line.
 * A background thread (the reaper) shuts down connections past the deadline. */
#ifndef PASSPORT_HTTP_CONNS_H
#define PASSPORT_HTTP_CONNS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* A set of IP addresses (textual, as inet_ntop writes them), e.g. from "127.0.0.1,::1". */
#define HTTP_ADDRS_MAX 16
typedef struct http_addrs {
    char addr[HTTP_ADDRS_MAX][46];
    size_t n;
} http_addrs;

/* Parses a comma-separated list of IPv4/IPv6 addresses into *out (normalised). An empty
 * or NULL list gives an empty set. false with err set on a malformed address. */
bool http_addrs_parse(const char *list, http_addrs *out, perr *err);
bool http_addrs_has(const http_addrs *set, const char *addr);

/* The client address of a request that came through a trusted proxy: the last (rightmost)
 * address of the X-Forwarded-For value xff, the one the proxy appended, normalised into
 * out (cap >= 46). false when xff is NULL, empty or its last element is not an address. */
bool http_forwarded_client(const char *xff, char *out, size_t cap);

typedef enum http_refusal {
    HTTP_REFUSE_NONE,
    HTTP_REFUSE_PER_ADDRESS, /* over the connections of one address */
    HTTP_REFUSE_TOTAL,       /* over the total connection limit */
    HTTP_REFUSE_DEADLINE,    /* the request did not arrive whole within the deadline */
    HTTP_REFUSE_CEILING,     /* dropped by the library's hard ceiling without an answer */
    HTTP_REFUSE_KINDS
} http_refusal;

typedef struct http_conns_opts {
    unsigned total_limit;   /* connections served at once (0: 4096) */
    unsigned per_ip_limit;  /* from one address (0: 256); a trusted proxy is exempt */
    unsigned deadline_ms;   /* to receive a whole request (0: 20 000) */
    const http_addrs *trusted_proxies; /* borrowed; may be NULL */
    bool quiet;             /* no summary line of refusals */
} http_conns_opts;

typedef struct http_conns http_conns;
typedef struct http_conn http_conn;

/* Starts the bookkeeping and its reaper thread. */
http_conns *http_conns_new(const http_conns_opts *opts);
/* Stops the reaper and frees everything (every connection must have been closed). NULL: no-op. */
void http_conns_free(http_conns *cs);

/* A connection was accepted on socket fd from addr (textual): counts it against the
 * limits. Returns the connection's record (owned by cs until http_conns_close); its
 * refusal (http_conn_refusal) says whether it must be answered 503 and closed. */
http_conn *http_conns_open(http_conns *cs, int fd, const char *addr);
/* The connection is closing: uncounts it. The socket must not be closed before. */
void http_conns_close(http_conns *cs, http_conn *c);

http_refusal http_conn_refusal(const http_conn *c);
/* The peer's address, and whether it is a trusted proxy. */
const char *http_conn_addr(const http_conn *c);
bool http_conn_from_proxy(const http_conn *c);
/* The request has arrived whole: the deadline stops counting. false when the reaper
 * already cut the connection (do not answer). */
bool http_conn_received(http_conn *c);
/* A response was sent: the deadline counts again, for the next request on the connection. */
void http_conn_next(http_conn *c);

/* Counts a refusal that did not come through http_conns_open (the library's ceiling). */
void http_conns_count(http_conns *cs, http_refusal why);
/* Refusals of one kind since the start. */
unsigned long http_conns_refused(const http_conns *cs, http_refusal why);
/* Connections currently open, and accepted since the start. */
unsigned long http_conns_current(const http_conns *cs);
unsigned long http_conns_accepted(const http_conns *cs);

/* The Prometheus label of a refusal kind ("per_address"...). */
const char *http_refusal_name(http_refusal why);

#endif
