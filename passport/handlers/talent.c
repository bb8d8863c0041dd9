/* The talent pages and API (to be written). */
#include "handlers/app.h"

void talent_routes(http_router *r) {
    (void)r;
}
