/* The catalog, the module player and the progress pages and API (to be written). */
#include "handlers/app.h"

void courses_routes(http_router *r) {
    (void)r;
}
