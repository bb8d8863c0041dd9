/* SPDX-License-Identifier: EUPL-1.2 */
/* cmark rendering in safe mode with URL rewriting and optional removal of the title. */
#include "learn/render.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

static const int render_opts = CMARK_OPT_DEFAULT | CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;

static void rewrite_urls(cmark_node *root, render_url_fn fn, void *ctx) {
    cmark_iter *it = cmark_iter_new(root);
    buf out = BUF_INIT;
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER) continue;
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE) continue;
        const char *url = cmark_node_get_url(n);
        buf_reset(&out);
        int line = cmark_node_get_start_line(n);
        if (url && fn(ctx, url, t == CMARK_NODE_IMAGE, line > 0 ? (size_t)line : 1, &out))
            cmark_node_set_url(n, buf_cstr(&out));
    }
    buf_free(&out);
    cmark_iter_free(it);
}

char *render_markdown(const char *src, size_t len, bool drop_h1, render_url_fn fn, void *ctx) {
    cmark_node *doc = cmark_parse_document(src, len, render_opts);
    if (drop_h1) {
        cmark_node *first = cmark_node_first_child(doc);
        if (first && cmark_node_get_type(first) == CMARK_NODE_HEADING && cmark_node_get_heading_level(first) == 1) {
            cmark_node_unlink(first);
            cmark_node_free(first);
        }
    }
    if (fn) rewrite_urls(doc, fn, ctx);
    char *html = cmark_render_html(doc, render_opts);
    cmark_node_free(doc);
    return html;
}

char *render_inline(const char *src) {
    char *html = render_markdown(src, strlen(src), false, NULL, NULL);
    size_t n = strlen(html);
    while (n && html[n - 1] == '\n') html[--n] = '\0';
    /* exactly one paragraph: <p>…</p> with no other block inside */
    if (n >= 7 && !strncmp(html, "<p>", 3) && !strcmp(html + n - 4, "</p>")) {
        html[n - 4] = '\0';
        if (!strstr(html + 3, "<p>")) {
            memmove(html, html + 3, n - 6);
            return html;
        }
        html[n - 4] = '<';
    }
    return html;
}
