/* SPDX-License-Identifier: EUPL-1.2 */
/* Numbers in RDF as jsonld.js writes them: the lexical forms of JSON numbers (xsd:integer
 * or the canonical xsd:double), and JavaScript's parseFloat for strings typed xsd:double,
 * so that canonical forms are byte-identical to jsonld.js's. No JSON, no RDF here. */
#ifndef PASSPORT_BADGES_JSONLD_NUMBER_H
#define PASSPORT_BADGES_JSONLD_NUMBER_H

#include <stdbool.h>

#include "core/buf.h"

/* Appends d as jsonld.js writes an xsd:double: JavaScript's
 * d.toExponential(15).replace(/(\d)0*e\+?/, '$1E') ("1.5E-7", "1.0E20", "0.0E0" for -0),
 * and "NaN", "Infinity", "-Infinity". */
void jsonld_double_lexical(double d, buf *out);
/* Appends the lexical form jsonld.js gives the finite JSON number d: a double (JavaScript's
 * String(d) holds a '.', or |d| >= 1e21, or dt_double: the term coerces to xsd:double) in
 * the canonical xsd:double form, else d.toFixed(0) as an xsd:integer
 * ("100000000000000000000", and "0" for 1e-7). *is_double tells which. */
void jsonld_number_lexical(double d, bool dt_double, buf *out, bool *is_double);
/* JavaScript's parseFloat(s): leading white space (ECMAScript's StrWhiteSpaceChar, in
 * UTF-8) skipped, then the longest prefix that is a signed decimal literal or Infinity;
 * NaN when there is none ("abc", "", "0x" reads 0, "1e" reads 1, "1e400" Infinity). */
double jsonld_parse_float(const char *s);

#endif
