/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for badges/achievement: a badge definition in YAML. A definition that
 * parses must carry a slug and names; whatever the input, nothing leaks or crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "badges/achievement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    achievement a;
    memset(&a, 0, sizeof a);
    perr err = {{0}};
    bool ok = achievement_parse((const char *)data, size, &a, &err);
    if (ok && (!a.slug || !a.slug[0])) abort();
    if (!ok && !err.msg[0]) abort();
    achievement_clear(&a);
    return 0;
}
