/* SPDX-License-Identifier: EUPL-1.2 */
/* heap_give_back (see heap.h). glibc sets up its heap in the first malloc family call of
 * the process, and marks it ready before its bins are: a malloc_trim running meanwhile in
 * another thread walks a bin whose links are still NULL and reads address 0x8 (glibc 2.36,
 * mtrim). In a release build the first malloc comes long before any thread, but under
 * AddressSanitizer (and any allocator that replaces malloc and not malloc_trim) glibc's
 * heap serves nothing and malloc_trim is the first call: two sweeps ending together (the
 * talent index's build thread and the server's start) crashed the ASan server now and then
 * (crash.test.mjs on PostgreSQL, where both take about as long). So the first call runs
 * alone. */
#include "core/heap.h"

#include <stdlib.h> /* defines __GLIBC__ under glibc */

#ifdef __GLIBC__
#include <malloc.h>
#include <pthread.h>

static pthread_once_t heap_ready = PTHREAD_ONCE_INIT;

static void heap_first_trim(void) {
    malloc_trim(0);
}
#endif

void heap_give_back(void) {
#ifdef __GLIBC__
    pthread_once(&heap_ready, heap_first_trim); /* the others wait until glibc's heap is set up */
    malloc_trim(0);
#endif
}
