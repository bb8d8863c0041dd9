/* SPDX-License-Identifier: EUPL-1.2 */
/* Paging of the JSON API's lists: `?limit=N` (1..API_PAGE_MAX, default API_PAGE_DEFAULT)
 * and `?cursor=C`, C being the `next_cursor` of the previous page (opaque to clients;
 * null on the last page). A bad limit or cursor answers 400.
 * Two kinds of cursor: lists that can grow large are read by key (store_page: the cursor
 * holds the last item's time and id and names its list, so that it is refused by any
 * other list); short lists built whole are cut by offset. */
#ifndef PASSPORT_HANDLERS_API_PAGE_H
#define PASSPORT_HANDLERS_API_PAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "handlers/app.h"
#include "store/store.h"

#define API_PAGE_DEFAULT 100
#define API_PAGE_MAX 1000

typedef struct api_page {
    size_t offset; /* first item of the page */
    size_t limit;  /* items per page */
} api_page;

/* Reads limit and cursor from req's query into p. False with a 400 answer in resp when
 * either is malformed or out of bounds. */
bool api_page_read(app *a, http_req *req, http_resp *resp, api_page *p);
/* Cuts the array obj[key] down to the page p (a missing or non-array value is left as
 * is) and returns true when items follow it. */
bool api_page_cut(json_t *obj, const char *key, const api_page *p);
/* Sets obj["next_cursor"]: the cursor of the page after p when more is true, else null. */
void api_page_next(json_t *obj, const api_page *p, bool more);
/* api_page_cut of obj[key] then api_page_next: the usual single-list case. */
void api_page_apply(json_t *obj, const char *key, const api_page *p);

/* Reads limit and a keyed cursor of the list named list (a short word) into p (has_after
 * set when a cursor was given). False with a 400 answer when either is malformed or the
 * cursor belongs to another list. */
bool api_page_read_keyed(app *a, http_req *req, http_resp *resp, const char *list, store_page *p);
/* Sets obj["next_cursor"]: after p's last item when p->more, else null. */
void api_page_next_keyed(json_t *obj, const char *list, const store_page *p);

#endif
