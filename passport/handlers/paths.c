/* The paths pages and API (to be written). */
#include "handlers/app.h"

void paths_routes(http_router *r) {
    (void)r;
}
