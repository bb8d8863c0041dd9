/* Migration 6: training paths and assignments (owned by the paths area). */
#include "store/schema.h"

const char schema_paths[] = "SELECT 1;";
