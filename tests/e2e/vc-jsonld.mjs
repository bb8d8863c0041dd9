// SPDX-License-Identifier: EUPL-1.2
// Helper of the credential tests: jsonld.js (from the vc-verify copy in $VC_VERIFY_DIR)
// with the same offline document loader as shared/tools/vc-verify/canon.mjs, so that many
// documents can be canonicalised in one node process; plus the paths of the tools.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = process.env.PASSPORT_ROOT || path.resolve(here, '..', '..');
export const BIN = process.env.PASSPORT_BIN || path.join(ROOT, 'build', 'asan', 'passport');
export const VC_VERIFY_DIR = process.env.VC_VERIFY_DIR || path.join(ROOT, 'build', 'vc-verify');
export const VC_DATA = process.env.VC_DATA || path.resolve(ROOT, '..', 'shared', 'vc');

const require = createRequire(path.join(VC_VERIFY_DIR, 'package.json'));

let canonizeFn;
/** Returns async (doc, {stripProof}) => canonical N-Quads, exactly as canon.mjs computes them. */
export async function jsonldCanonizer() {
  if (canonizeFn) return canonizeFn;
  const jsonld = require('jsonld');
  const { contexts: vcContexts } = require('@digitalbazaar/credentials-context');
  const di = require('@digitalbazaar/data-integrity-context');
  const bsl = require('@digitalbazaar/vc-bitstring-status-list-context');
  const readJson = f => JSON.parse(fs.readFileSync(f, 'utf8'));
  const contexts = new Map([...vcContexts]);
  for (const m of [di.contexts, bsl.contexts]) for (const [k, v] of m) contexts.set(k, v);
  contexts.set('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    readJson(path.join(VC_DATA, 'contexts/ob-v3p0-context-3.0.3.json')));
  contexts.set('https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json',
    readJson(path.join(VC_DATA, 'contexts/clr-v2p0-context-2.0.1.json')));
  const documentLoader = async url => {
    if (contexts.has(url)) return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
    throw new Error('not available offline: ' + url);
  };
  canonizeFn = async (doc, { stripProof = true } = {}) => {
    const d = structuredClone(doc);
    if (stripProof) delete d.proof;
    return jsonld.canonize(d, { algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true });
  };
  return canonizeFn;
}

/** Splits the output of `passport canon FILE FILE...` into a Map file -> {ok, text}. */
export function parseCanonOutput(out) {
  const res = new Map();
  let cur = null;
  for (const line of out.split(/(?<=\n)/)) {
    if (line.startsWith('# ')) {
      cur = { ok: true, text: '' };
      res.set(line.slice(2, -1), cur);
    } else if (cur && line.startsWith('! ')) {
      cur.ok = false;
      cur.text = line.slice(2, -1);
    } else if (cur) {
      cur.text += line;
    }
  }
  return res;
}

/** rdf-canonize (the implementation inside jsonld.js): async (nquads, maxWorkFactor) => canonical N-Quads. */
export function rdfCanonizer() {
  const canonize = require('rdf-canonize');
  return (nquads, maxWorkFactor = 1) =>
    canonize.canonize(canonize.NQuads.parse(nquads), { algorithm: 'RDFC-1.0', maxWorkFactor });
}
