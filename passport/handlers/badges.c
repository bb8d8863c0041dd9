/* The badges pages and API (to be written). */
#include "handlers/app.h"

void badges_routes(http_router *r) {
    (void)r;
}
