/* SPDX-License-Identifier: EUPL-1.2 */
/* Markdown to HTML with cmark, always in safe mode (raw HTML and javascript:/data: links
 * dropped), with a hook that rewrites each link and image URL. */
#ifndef PASSPORT_LEARN_RENDER_H
#define PASSPORT_LEARN_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Called for every link (image false) and image (image true) of the document, with its
 * 1-based line in the rendered source. Returns true after writing a replacement URL into
 * out, false to keep the URL as written. */
typedef bool (*render_url_fn)(void *ctx, const char *url, bool image, size_t line, buf *out);

/* Renders src[0..len) as a CommonMark document. When drop_h1 is set, a level-1 heading
 * that is the first block is left out (the page shows the title itself). fn may be NULL.
 * Returns a new NUL-terminated string the caller frees with free(). */
char *render_markdown(const char *src, size_t len, bool drop_h1, render_url_fn fn, void *ctx);

/* Renders one short text (a quiz prompt, option, explanation) and strips the single
 * surrounding paragraph, so that it fits inside a <legend>, <label> or <p>. Links are kept
 * as written (safe mode still applies). Caller frees the result. */
char *render_inline(const char *src);

#endif
