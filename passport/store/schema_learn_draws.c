/* SPDX-License-Identifier: EUPL-1.2 */
/* Migration 13: what an attempt was shown (the drawn questions, in order, and whether each
 * was answered right) so that its result page can be read again, and the attempt a quiz
 * form produced, so that a second submission of the same form leads back to it. */
#include "store/schema.h"

const char schema_learn_draws[] =
    "ALTER TABLE attempts ADD COLUMN drawn_json TEXT;"
    "ALTER TABLE quiz_nonces ADD COLUMN attempt_id INTEGER;";

const char schema_learn_draws_pg[] =
    "ALTER TABLE attempts ADD COLUMN drawn_json TEXT;"
    "ALTER TABLE quiz_nonces ADD COLUMN attempt_id BIGINT;";
