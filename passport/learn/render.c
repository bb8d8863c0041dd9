/* SPDX-License-Identifier: EUPL-1.2 */
/* cmark rendering in safe mode with URL rewriting and optional removal of the title. */
#include "learn/render.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

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

/* True when CommonMark renders src as one paragraph holding src itself, byte for byte:
 * one line of well-formed UTF-8 that starts with a letter (no block marker: list, heading,
 * quote, indented code), ends with no space, and holds no byte that starts inline syntax or
 * that the HTML renderer escapes (only letters, digits, spaces, ".,;:?!'()/%-" and
 * non-ASCII characters). Most quiz prompts and options are such plain text, and a course
 * library holds thousands of them: they skip cmark's parser (a start-up cost). */
static bool plain_text(const char *src, size_t len) {
    static const char ok[] = " .,;:?!'()/%-";
    const unsigned char *p = (const unsigned char *)src;
    if (!len || src[len - 1] == ' ') return false;
    if (!(((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') || p[0] >= 0xc2)) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (c >= 0x80 || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9')) continue;
        if (!c || !strchr(ok, c)) return false;
    }
    return utf8_valid(src, len);
}

char *render_inline(const char *src) {
    size_t len = strlen(src);
    if (plain_text(src, len)) return xstrndup(src, len);
    char *html = render_markdown(src, len, false, NULL, NULL);
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
