/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport routes`: prints the application's routes, one "METHOD PATTERN" line per method,
 * sorted, from the same registration the server uses (no database, no web folder). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "handlers/app.h"
#include "http/router.h"

static int cmp_line(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int cli_routes(int argc, char **argv) {
    static const struct {
        unsigned bit;
        const char *name;
    } methods[] = {{HTTP_GET, "GET"},       {HTTP_HEAD, "HEAD"},   {HTTP_POST, "POST"},
                   {HTTP_PUT, "PUT"},       {HTTP_DELETE, "DELETE"}, {HTTP_PATCH, "PATCH"}};
    bool flags = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: passport routes [--flags]\n\nPrints every route of the web application, one line "
                 "\"METHOD PATTERN\" per method, sorted.\n"
                 "  --flags  adds the route's flags: public (no login), cors (cookie-free, any site may read it)");
            return 0;
        }
        if (!strcmp(argv[i], "--flags")) {
            flags = true;
            continue;
        }
        fprintf(stderr, "passport routes: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    http_router *r = http_router_new(64 * 1024);
    app_register_routes(r);
    size_t n = http_router_count(r), nlines = 0;
    char **lines = xcalloc(n * (sizeof methods / sizeof methods[0]) + 1, sizeof *lines);
    for (size_t i = 0; i < n; i++) {
        const http_route *route = http_router_at(r, i);
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
            if (!(route->methods & methods[m].bit)) continue;
            buf line = BUF_INIT;
            buf_printf(&line, "%s %s", methods[m].name, route->pattern);
            if (flags && (route->flags & ROUTE_PUBLIC)) buf_puts(&line, " public");
            if (flags && (route->flags & ROUTE_CORS)) buf_puts(&line, " cors");
            lines[nlines++] = buf_detach(&line);
        }
    }
    qsort(lines, nlines, sizeof *lines, cmp_line);
    for (size_t i = 0; i < nlines; i++) {
        puts(lines[i]);
        free(lines[i]);
    }
    free(lines);
    http_router_free(r);
    return fflush(stdout) == 0 ? 0 : 1;
}
