/* Migration 2: competency frameworks and evidence (owned by the skills area). */
#include "store/schema.h"

const char schema_skills[] = "SELECT 1;";
