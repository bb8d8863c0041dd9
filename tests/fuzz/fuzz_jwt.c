/* SPDX-License-Identifier: EUPL-1.2 */
/* libFuzzer target for oidc/jwt: any bytes as a compact JWS against a fixed key set (one
 * Ed25519, one P-256 and one RSA key); nothing random may verify, and every refusal names
 * one of the documented reasons. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char jwks_json[] =
    "{\"keys\":["
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},"
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
    "{\"kty\":\"RSA\",\"kid\":\"rs\",\"e\":\"AQAB\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAt"
    "VT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGj"
    "QR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2N"
    "cRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static json_t *jwks;
    if (!jwks) jwks = json_loads(jwks_json, 0, NULL);
    char *token = malloc(size + 1);
    memcpy(token, data, size);
    token[size] = '\0';
    perr err = {{0}};
    json_t *claims = jwt_verify(token, jwks, &err);
    if (claims) abort(); /* random bytes never carry a valid signature */
    if (strncmp(err.msg, "jwt.", 4) != 0) abort();
    free(token);
    return 0;
}
