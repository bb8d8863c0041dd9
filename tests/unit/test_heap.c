/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for core/heap: threads giving memory back at the same time, as the process's first
 * use of glibc's heap, do not crash. Under AddressSanitizer (make test) glibc's heap serves
 * nothing, so its first malloc_trim sets it up; a plain malloc_trim there crashed (a read
 * of address 0x8) in about one process in seven with eight threads. Each round runs in a
 * child process of its own, forked before this process ever trims (a heap set up already
 * would hide the race). In a build without a sanitizer, glibc's heap is set up before main
 * and the test passes trivially. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/heap.h"

#define THREADS 8
#define ROUNDS 60

static pthread_barrier_t start;

static void *give_back(void *arg) {
    (void)arg;
    pthread_barrier_wait(&start); /* every thread calls at once */
    heap_give_back();
    return NULL;
}

/* In a new process: THREADS threads give memory back at once; exits 0 when all returned. */
static void one_round(void) {
    pthread_t t[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, give_back, NULL)) _exit(2);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    _exit(0);
}

static void threads_give_back_memory_at_once_on_a_fresh_heap(void **state) {
    (void)state;
    int failed = 0;
    for (int r = 0; r < ROUNDS; r++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) one_round();
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    assert_int_equal(failed, 0);
    heap_give_back(); /* and once more here, alone */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_give_back_memory_at_once_on_a_fresh_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
