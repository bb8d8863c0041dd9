// SPDX-License-Identifier: EUPL-1.2
// Differential test of Passport's canonicalisation against jsonld.js / rdf-canonize:
// seeded random credentials and graphs must give byte-identical canonical N-Quads.

// The credentials: OpenBadgeCredentials (some status lists and CLRs) with Unicode incl.
// astral and combining characters, quotes, backslashes, control characters, optional
// members on and off, several alignments; documents jsonld.js refuses in safe mode must be
// refused by Passport too. CANON_CASES (default 1000) and CANON_SEED (default 20260).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, jsonldCanonizer, parseCanonOutput, rdfCanonizer } from './vc-jsonld.mjs';

const CASES = Number(process.env.CANON_CASES || 1000);
const SEED = Number(process.env.CANON_SEED || 20260);

// mulberry32: small, seeded, good enough for test data
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'a', 'b', 'Z', ' ', '  ', '0', '9', '.', ',', '-', '/', ':', '#', '@', '<', '>', '{', '}', '|', '^', '`',
  '"', '\\', "'", '\n', '\r', '\t', '\b', '\f', '\u0001', '\u000b', '\u001f', '\u007f', '\u0080', '\u00a0',
  'é', 'è', 'ç', 'à', 'ô', 'Œ', 'ß', 'e\u0301', 'n\u0303', 'Å', '€', '«', '»', '\u2028', '\u2029', '\u200d',
  '\ufeff', '\ue000', '\uff01', '\ufffd', '中文', 'ع', 'עברית', '😀', '𝄞', '👩‍💻', '🇫🇷', '\u{10ffff}',
  'Compétences numériques', 'Sécurité', 'L\'agent', 'niveau 2', '_:b0', 'https://x', '""', '\\n',
];

// every kind of JSON number: exponents both ways, beyond 2^53 and 1e21, the 1e-6 edge
const NUMBERS = [0, -0, 1e20, 1.5e-7, -1.5e-7, 1e-7, -1e-7, 1e-6, 0.000001234, 1e21, 1.5e21, 2e300, 5e-324,
  123456789012345680000, 9007199254740993, -9007199254740993, 18446744073709551616, 0.1, 1 / 3, -2.5e-8,
  4.35, 1e-300, 1.7976931348623157e308, 12345.6789, 100, -42];

// strings typed xsd:double, which jsonld.js reads with parseFloat and writes canonical:
// white space of every kind before, junk after, no digit at all, Infinity, overflow, -0
const DOUBLE_STRINGS = ['1.5E-7', '1.5e-7', '42', ' 42', '\u00a0\t7.25e3xyz', '\u2028\ufeff1', '\u30001e3', 'abc', '',
  'NaN', 'Infinity', '-Infinity', '+Infinity', 'infinity', '-0', '-0.0e5', '.5', '5.', '.', '-.5e-3', '1e400', '-1e400',
  '1e-400', '5e-324', '0x10', '1e', '1e+', '1E+2', '--1', '+-1', '1_000', '\uff19', '12345678901234567890', '0.1',
  '0.30000000000000004', '1/3', '3.14159 rad', '\u180e1', '1,5', '2e+21', '007', '-'];
const XSD_DOUBLE = 'http://www.w3.org/2001/XMLSchema#double';
// jsonld.js's literal for a string or number typed xsd:double; two values of one property
// with the same literal are written twice by jsonld.js (its dataset is not deduplicated
// after toRdf) and once by Passport (a dataset is a set): the generator avoids that pair
const jsDouble = (v) => parseFloat(v).toExponential(15).replace(/(\d)0*e\+?/, '$1E');
const distinctDoubles = (values) => {
  const seen = new Set();
  return values.filter((v) => !seen.has(jsDouble(v)) && seen.add(jsDouble(v)));
};

function gen(r) {
  const pick = a => a[Math.floor(r() * a.length)];
  const chance = p => r() < p;
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const text = (max = 8) => {
    let s = '';
    for (let i = int(0, max); i > 0; i--) s += pick(PIECES);
    return s;
  };
  const slug = () => {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-_.~%éß😀|^';
    let s = '';
    for (let i = int(1, 12); i > 0; i--) s += pick([...chars]);
    return s;
  };
  const hex = n => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const uuid = () => `urn:uuid:${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const date = () => `20${int(20, 39)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}T${String(int(0, 23)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}${pick(['Z', '.123Z', '+02:00'])}`;
  const base = pick(['https://passport.example.fr', 'https://badges.gouv.example', 'http://127.0.0.1:8080']);
  const did = 'did:key:z6Mk' + Array.from({ length: 44 }, () => pick([...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'])).join('');

  const alignment = () => {
    const al = { type: ['Alignment'], targetName: text(), targetUrl: `${base}/frameworks/${slug()}` };
    if (chance(0.8)) al.targetCode = pick(['1.1', '2.3', '5.2', 'CRCN-' + int(1, 16), text(3)]);
    if (chance(0.7)) al.targetFramework = pick(['CRCN', 'DigComp 2.2', text(4)]);
    if (chance(0.5)) al.targetType = 'CFItem';
    if (chance(0.3)) al.targetDescription = text();
    return al;
  };
  const achievement = {
    id: `${base}/achievements/${slug()}`,
    type: ['Achievement'],
    name: text(),
    description: text(12),
    criteria: { narrative: text(16) },
  };
  if (chance(0.2)) achievement.criteria.id = `${base}/criteria/${slug()}`;
  if (chance(0.7)) {
    achievement.image = { id: `${base}/badges/${slug()}.svg`, type: 'Image' };
    if (chance(0.4)) achievement.image.caption = text();
  }
  if (chance(0.8)) {
    achievement.alignment = [];
    const n = int(0, 4);
    for (let i = 0; i < n; i++) achievement.alignment.push(alignment());
    if (n && chance(0.2)) achievement.alignment.push(structuredClone(achievement.alignment[0])); // identical twin
  }
  if (chance(0.5)) achievement.achievementType = pick(['Competency', 'Badge', 'Certificate', 'ext:Micro']);
  if (chance(0.2)) achievement.tag = [text(3), text(3)];
  if (chance(0.2)) achievement.inLanguage = pick(['fr', 'en', 'fr-FR']);
  if (chance(0.15)) achievement.creditsAvailable = pick([1, 2.5, 0.75, 10, 3.14159, ...NUMBERS]);
  // JSON numbers as jsonld.js reads them: xsd:integer when String(v) has no '.' and
  // |v| < 1e21 ("100000000000000000000", "0" for 1e-7), else the canonical xsd:double
  if (chance(0.1)) achievement.humanCode = { '@value': pick(NUMBERS) };
  if (chance(0.1)) achievement.humanCode = { '@value': pick(chance(0.7) ? DOUBLE_STRINGS : NUMBERS), '@type': XSD_DOUBLE };
  if (chance(0.03)) achievement.humanCode = distinctDoubles(DOUBLE_STRINGS).map((v) => ({ '@value': v, '@type': XSD_DOUBLE }));

  if (chance(0.1)) achievement.humanCode = text(2);

  const subject = { type: ['AchievementSubject'], achievement };
  if (chance(0.2)) subject.id = pick([did.replace('z6Mk', 'z6Mm'), `mailto:agent${int(1, 99)}@example.fr`]);
  if (chance(0.8)) {
    subject.identifier = [];
    for (let i = int(1, 2); i > 0; i--) {
      const salt = hex(16);
      subject.identifier.push({ type: 'IdentityObject', identityHash: 'sha256$' + hex(64),
        identityType: 'emailAddress', hashed: chance(0.9), salt });
    }
  }
  if (chance(0.1)) subject.activityEndDate = date().slice(0, 10);
  if (chance(0.05)) subject.creditsEarned = pick(NUMBERS);

  const issuer = { id: did, type: ['Profile'], name: text() };
  if (chance(0.6)) issuer.url = base;
  if (chance(0.2)) issuer.email = `contact@${pick(['example.fr', 'gouv.example'])}`;
  if (chance(0.2)) issuer.description = text();

  const doc = {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: uuid(),
    type: ['VerifiableCredential', chance(0.9) ? 'OpenBadgeCredential' : 'AchievementCredential'],
    issuer: chance(0.9) ? issuer : did,
    validFrom: date(),
    name: text(),
    credentialSubject: subject,
  };
  if (chance(0.3)) doc.validUntil = date();
  if (chance(0.5)) doc.description = text(10);
  if (chance(0.1)) doc.awardedDate = date();
  if (chance(0.7)) {
    const idx = int(0, 131071);
    const list = `${base}/status/${int(1, 3)}`;
    doc.credentialStatus = { id: `${list}#${idx}`, type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation', statusListIndex: String(idx), statusListCredential: list };
  }
  if (chance(0.05)) doc.name = { '@value': text(), '@language': pick(['fr', 'EN-gb']) };
  if (chance(0.5)) doc.proof = [{ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', created: date(),
    verificationMethod: `${did}#${did.slice(8)}`, proofPurpose: 'assertionMethod', proofValue: 'z' + hex(20) }];
  // inline context objects (as other issuers write them), used at the top of the document
  if (chance(0.15)) {
    const EXT = pick(['https://example.org/ext#', 'https://example.org/ext/']);
    const ictx = { ext: EXT };
    if (chance(0.5)) ictx['@version'] = 1.1;
    if (chance(0.3)) ictx['@protected'] = true;
    ictx.level = pick(['ext:level', `${EXT}level`, { '@id': 'ext:level', '@type': 'http://www.w3.org/2001/XMLSchema#integer' }]);
    ictx.homepage = { '@id': 'ext:homepage', '@type': '@id' };
    ictx.tags = { '@id': 'ext:tags', '@container': pick(['@set', '@list', ['@set']]) };
    ictx.when = { '@id': 'ext:when', '@type': pick(['http://www.w3.org/2001/XMLSchema#dateTime', 'ext:Date']) };
    ictx.alias = pick(['name', 'description']); // a term of the active context
    ictx.ratio = { '@id': 'ext:ratio', '@type': XSD_DOUBLE }; // strings and numbers coerced to xsd:double
    ictx.ident = 'id';
    if (chance(0.05)) ictx.bad = 'relative-iri';               // refused by both (safe mode)
    if (chance(0.03)) ictx.name = 'ext:name';                  // a protected VC 2.0 term: refused by both
    if (chance(0.03)) ictx.ext2 = { '@id': 'ext:x', '@reverse': 'ext:y' }; // unsupported: refused by both
    doc['@context'] = [...doc['@context'], ictx];
    doc.level = pick([1, 2, '3', 2.5]);
    doc.homepage = `${base}/home/${slug()}`;
    doc.tags = [text(2), text(2)];
    doc.when = date();
    doc.alias = text();
    doc.ratio = chance(0.5) ? pick(DOUBLE_STRINGS) : distinctDoubles([pick(NUMBERS), pick(DOUBLE_STRINGS)]);
  }
  // a few documents jsonld.js refuses in safe mode: Passport must refuse them too
  if (chance(0.03)) subject.unknownTerm = text();
  if (chance(0.02)) achievement.id = 'relative/' + slug();
  if (chance(0.02)) achievement.type = ['Achievement', 'NotATerm'];
  return doc;
}

// Mostly OpenBadgeCredentials; some status list credentials and CLRs (embedded contexts,
// inner proofs as graphs) too.
function genAny(r) {
  const x = r();
  if (x < 0.05) {
    const list = `https://passport.example.fr/status/${Math.floor(r() * 9)}`;
    const enc = 'u' + Buffer.from(Array.from({ length: 40 }, () => Math.floor(r() * 256))).toString('base64url');
    const doc = { '@context': ['https://www.w3.org/ns/credentials/v2'], id: list,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'], issuer: 'did:key:z6MkStatus',
      validFrom: '2026-01-01T00:00:00Z',
      credentialSubject: { id: `${list}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: enc } };
    if (r() < 0.5) doc.proof = gen(r).proof || [];
    return doc;
  }
  if (x < 0.12) {
    const badges = Array.from({ length: 1 + Math.floor(r() * 3) }, () => gen(r));
    const doc = {
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: 'urn:uuid:0c1d2e3f-0000-4000-8000-' + String(Math.floor(r() * 1e12)).padStart(12, '0'),
      type: ['VerifiableCredential', 'ClrCredential'],
      issuer: badges[0].issuer, validFrom: badges[0].validFrom, name: badges[0].name,
      credentialSubject: { type: ['ClrSubject'], verifiableCredential: badges },
    };
    if (badges[0].credentialSubject.identifier) doc.credentialSubject.identifier = badges[0].credentialSubject.identifier;
    return doc;
  }
  return gen(r);
}

test(`passport canon = jsonld.js canonize on ${CASES} random credentials (seed ${SEED})`, async t => {
  const canonize = await jsonldCanonizer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-canon-'));
  try {
    const r = rng(SEED);
    const docs = new Map();
    for (let i = 0; i < CASES; i++) {
      const f = path.join(dir, `c${String(i).padStart(5, '0')}.json`);
      const doc = genAny(r);
      fs.writeFileSync(f, JSON.stringify(doc, null, i % 2 ? 2 : 0));
      docs.set(f, doc);
    }
    const run = spawnSync(BIN, ['canon', '--strip-proof', dir], { encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.equal(run.error, undefined, String(run.error));
    assert.doesNotMatch(run.stderr, /AddressSanitizer|LeakSanitizer|runtime error:/, run.stderr);
    const got = parseCanonOutput(run.stdout);
    assert.equal(got.size, CASES, 'one result per file');
    let refused = 0;
    for (const [f, doc] of docs) {
      let want;
      try {
        want = { ok: true, text: await canonize(doc) };
      } catch (e) {
        want = { ok: false, text: e.message };
      }
      const mine = got.get(f);
      if (!want.ok) {
        refused++;
        assert.equal(mine.ok, false, `${f}: jsonld.js refused it (${want.text}) but passport accepted it`);
        continue;
      }
      assert.equal(mine.ok, true, `${f}: passport refused it: ${mine.text}`);
      assert.equal(mine.text, want.text, `${f}: canonical N-Quads differ`);
    }
    assert.ok(refused < CASES / 5, `too many refused documents (${refused})`);
    t.diagnostic(`${CASES - refused} identical, ${refused} refused by both`);
    assert.equal(run.status, refused ? 1 : 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('passport canon: one file prints the N-Quads alone; a bad file fails with a message', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-canon-'));
  try {
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify(gen(rng(1))));
    const r1 = spawnSync(BIN, ['canon', '--strip-proof', good], { encoding: 'utf8' });
    assert.equal(r1.status, 0, r1.stderr);
    assert.match(r1.stdout, /^<|^_:/);
    assert.doesNotMatch(r1.stdout, /^# /m);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ '@context': ['https://www.w3.org/ns/credentials/v2'], id: 'urn:x',
      type: ['VerifiableCredential'], mystery: 1 }));
    const r2 = spawnSync(BIN, ['canon', bad], { encoding: 'utf8' });
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /unknown term 'mystery'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Random small graphs rich in symmetry (cycles, twins, disjoint copies, blank graph names)
// exercise the hash N-degree quads algorithm and its permutations, against rdf-canonize.
function genGraph(r) {
  const pick = a => a[Math.floor(r() * a.length)];
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const preds = ['<http://ex.org/p>', '<http://ex.org/q>', '<http://ex.org/p>'];
  const lits = ['"a"', '"é😀\\n"', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"@fr', '<http://ex.org/o>'];
  const n = int(2, 7);
  const lines = new Set();
  const bn = i => `_:e${i}`;
  const shape = int(0, 3);
  const graph = () => (r() < 0.15 ? ` ${pick([bn(int(0, n - 1)), '_:g', '<http://ex.org/g>'])}` : '');
  if (shape === 0) { // ring, possibly doubled
    const p = pick(preds);
    for (let i = 0; i < n; i++) lines.add(`${bn(i)} ${p} ${bn((i + 1) % n)}${graph()} .`);
    if (r() < 0.5) for (let i = 0; i < n; i++) lines.add(`${bn((i + 1) % n)} <http://ex.org/q> ${bn(i)} .`);
  } else if (shape === 1) { // two disjoint copies of a random pattern
    const m = int(1, 5), half = Math.max(1, Math.floor(n / 2));
    const edges = Array.from({ length: m }, () => [int(0, half - 1), pick(preds), int(0, half - 1)]);
    for (const off of [0, half]) for (const [a, p, b] of edges) lines.add(`${bn(a + off)} ${p} ${bn(b + off)} .`);
  } else if (shape === 2) { // a hub with twins
    for (let i = 1; i < n; i++) lines.add(`${bn(0)} ${pick(preds)} ${bn(i)} .`);
    for (let i = 1; i < n; i++) if (r() < 0.5) lines.add(`${bn(i)} <http://ex.org/v> ${pick(lits)} .`);
  } else { // anything
    for (let k = int(1, 14); k > 0; k--)
      lines.add(`${bn(int(0, n - 1))} ${pick(preds)} ${r() < 0.7 ? bn(int(0, n - 1)) : pick(lits)}${graph()} .`);
  }
  // shuffle the lines: the result must not depend on input order or labels
  const arr = [...lines];
  for (let i = arr.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [arr[i], arr[j]] = [arr[j], arr[i]]; }
  return arr.join('\n') + '\n';
}

test('passport canon --nquads = rdf-canonize on 400 symmetric random graphs (work factors 1 and 3)', async t => {
  const canonize = rdfCanonizer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-rdfc-'));
  try {
    const r = rng(SEED + 1);
    const graphs = new Map();
    for (let i = 0; i < 400; i++) {
      const f = path.join(dir, `g${String(i).padStart(4, '0')}.nq`);
      const text = genGraph(r);
      fs.writeFileSync(f, text);
      graphs.set(f, text);
    }
    for (const wf of [1, 3]) {
      const run = spawnSync(BIN, ['canon', '--nquads', '--work-factor', String(wf), dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.doesNotMatch(run.stderr, /AddressSanitizer|LeakSanitizer|runtime error:/, run.stderr);
      const got = parseCanonOutput(run.stdout);
      assert.equal(got.size, graphs.size);
      let refused = 0;
      for (const [f, text] of graphs) {
        let want;
        try { want = { ok: true, text: await canonize(text, wf) }; } catch (e) { want = { ok: false, text: e.message }; }
        const mine = got.get(f);
        if (!want.ok) {
          refused++;
          assert.equal(mine.ok, false, `${f}: rdf-canonize refused it (${want.text}), passport did not`);
          continue;
        }
        assert.equal(mine.ok, true, `${f}: passport refused it: ${mine.text}\n${text}`);
        assert.equal(mine.text, want.text, `${f} (work factor ${wf}):\n${text}`);
      }
      t.diagnostic(`work factor ${wf}: ${graphs.size - refused} identical, ${refused} over the work limit in both`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
