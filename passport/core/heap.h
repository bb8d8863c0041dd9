/* SPDX-License-Identifier: EUPL-1.2 */
/* Giving freed memory back to the system after a large sweep (the talent index's build,
 * the server's start and hourly sweeps), safely from any thread. */
#ifndef PASSPORT_CORE_HEAP_H
#define PASSPORT_CORE_HEAP_H

/* glibc keeps freed blocks in each thread's arena, where they stay in the process's
 * resident memory: this returns them (malloc_trim). Any thread may call it, at the same
 * time as others. No-op without glibc. */
void heap_give_back(void);

#endif
