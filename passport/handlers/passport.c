/* The agent's passport pages and API (to be written). */
#include "handlers/app.h"

void passport_routes(http_router *r) {
    (void)r;
}
