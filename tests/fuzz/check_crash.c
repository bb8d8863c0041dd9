/* SPDX-License-Identifier: EUPL-1.2 */
/* Not a fuzz target of Passport: the check that scripts/fuzz --smoke runs first. It
 * aborts on any input starting with "CRASH" (its seed corpus holds one), so a runner
 * that reports success here would miss every real crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size >= 5 && !memcmp(data, "CRASH", 5)) {
        fprintf(stderr, "check_crash: deliberate crash\n");
        abort();
    }
    return 0;
}
