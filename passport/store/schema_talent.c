/* Migration 5: talent profiles, consent, profile views, calls (owned by the talent area). */
#include "store/schema.h"

const char schema_talent[] = "SELECT 1;";
