// SPDX-License-Identifier: EUPL-1.2
// End-to-end tests of the OpenAPI document: GET /api/v1/openapi.json is public and serves
// web/openapi.json as JSON; its operations are exactly the /api/v1 routes that
// `passport routes` prints (no undocumented route, no documented route that does not
// exist); its shape is sound (responses, path parameters, references, security); and the
// parameterless GET operations answer with the top-level members the document promises.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { BIN, DEMO, ROOT, client, startServer } from './helpers.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
let server;
let doc;

/** The JSON value a "#/a/b" reference points to in doc, or undefined. */
function resolve(ref) {
  assert.ok(ref.startsWith('#/'), `only local references: ${ref}`);
  return ref.slice(2).split('/').reduce((o, k) => (o === undefined ? undefined : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
}

/** An object with its $ref followed (one level at a time, until none is left). */
function deref(o) {
  while (o && o.$ref) o = resolve(o.$ref);
  return o;
}

/** Every (METHOD, path) operation of the document, as "METHOD /path" strings. */
function documentedOperations() {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) ops.push(`${m.toUpperCase()} ${p}`);
  }
  return ops.sort();
}

/** The /api/v1 lines of `passport routes`. */
function routedOperations() {
  const r = spawnSync(BIN, ['routes'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `passport routes: ${r.stderr}`);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.ok(lines.length > 40, `passport routes printed ${lines.length} lines`);
  for (const l of lines) assert.match(l, /^(GET|HEAD|POST|PUT|DELETE|PATCH) \/\S*$/, `line "${l}"`);
  assert.deepEqual(lines, [...lines].sort(), 'passport routes prints its lines sorted');
  return lines.filter((l) => l.split(' ')[1].startsWith('/api/v1/')).sort();
}

/** True when the JSON value v has the JSON Schema type t (a name or a list of names). */
function hasType(v, t) {
  const names = Array.isArray(t) ? t : [t];
  return names.some((n) => {
    switch (n) {
      case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
      case 'array': return Array.isArray(v);
      case 'string': return typeof v === 'string';
      case 'integer': return Number.isInteger(v);
      case 'number': return typeof v === 'number';
      case 'boolean': return typeof v === 'boolean';
      case 'null': return v === null;
      default: return false;
    }
  });
}

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await server.stop();
});

describe('GET /api/v1/openapi.json', () => {
  test('is public, JSON, OpenAPI 3.1.0, and the bytes of web/openapi.json', async () => {
    const res = await client(server).get('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'Passport');
    assert.equal(typeof doc.info.version, 'string');
    assert.deepEqual(doc.servers, [{ url: '/' }]);
    const file = fs.readFileSync(path.join(ROOT, 'web', 'openapi.json'));
    assert.ok(res.bytes.equals(file), 'served bytes differ from web/openapi.json');
  });

  test('HEAD answers too and a write method is refused', async () => {
    const c = client(server);
    assert.equal((await c.request('HEAD', '/api/v1/openapi.json')).status, 200);
    const post = await c.request('POST', '/api/v1/openapi.json', { body: '{}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(post.status, 405);
  });
});

describe('the document matches the routes', () => {
  test('every /api/v1 route is documented and every documented operation exists', () => {
    assert.ok(doc, 'document loaded');
    const routed = routedOperations();
    const documented = documentedOperations();
    const undocumented = routed.filter((r) => !documented.includes(r));
    const phantom = documented.filter((d) => !routed.includes(d));
    assert.deepEqual(undocumented, [], 'routes missing from web/openapi.json');
    assert.deepEqual(phantom, [], 'documented operations that no route serves');
    assert.ok(documented.includes('GET /api/v1/openapi.json'));
    for (const p of Object.keys(doc.paths)) assert.ok(p.startsWith('/api/v1/'), `path outside the API: ${p}`);
  });
});

describe('the document is well formed', () => {
  test('security schemes: the session cookie and the X-CSRF-Token header', () => {
    const s = doc.components.securitySchemes;
    assert.deepEqual(s.session, { ...s.session, type: 'apiKey', in: 'cookie', name: 'pp_session' });
    assert.deepEqual(s.csrf, { ...s.csrf, type: 'apiKey', in: 'header', name: 'X-CSRF-Token' });
    const err = deref(doc.components.schemas.Error);
    assert.equal(err.properties.error.properties.status.type, 'integer');
    assert.equal(err.properties.error.properties.message.type, 'string');
  });

  test('each operation: responses, path parameters, references, security', () => {
    const ids = new Set();
    for (const [p, item] of Object.entries(doc.paths)) {
      const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        const where = `${m.toUpperCase()} ${p}`;
        assert.ok(op.operationId && !ids.has(op.operationId), `${where}: unique operationId`);
        ids.add(op.operationId);
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${where}: responses`);
        for (const [code, r] of Object.entries(op.responses)) {
          assert.match(code, /^[1-5]\d\d$|^default$/, `${where}: response code ${code}`);
          assert.ok(deref(r).description, `${where} ${code}: description`);
        }
        assert.ok(Object.keys(op.responses).some((c) => c.startsWith('2')), `${where}: a success response`);
        const params = [...(item.parameters || []), ...(op.parameters || [])].map(deref);
        for (const prm of params) {
          assert.ok(prm && prm.name && prm.in && prm.schema, `${where}: parameter with name, in and schema`);
          if (prm.in === 'path') assert.equal(prm.required, true, `${where}: path parameter ${prm.name} required`);
        }
        const declared = params.filter((x) => x.in === 'path').map((x) => x.name).sort();
        assert.deepEqual(declared, inPath, `${where}: path parameters declared for each {x} and only those`);
        const refs = JSON.stringify(op).match(/"\$ref":"[^"]+"/g) || [];
        for (const r of refs) assert.notEqual(resolve(JSON.parse(`{${r}}`).$ref), undefined, `${where}: ${r} resolves`);
        const sec = op.security ?? doc.security;
        const writes = ['post', 'put', 'patch', 'delete'].includes(m);
        if (sec.length && writes) {
          assert.ok(sec.every((req) => ('csrf' in req && 'session' in req) || (Object.keys(req).length === 1 && 'bearer' in req)),
            `${where}: writes need the session and X-CSRF-Token, or a personal token`);
        }
        if (writes && op.requestBody) assert.ok(deref(op.requestBody).content, `${where}: request body content`);
      }
    }
  });

  test('public operations are exactly the public routes (openapi.json, verify)', async () => {
    const anon = client(server);
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        const isPublic = (op.security ?? doc.security).length === 0;
        if (m !== 'get' && m !== 'post') continue;
        const url = p.replace(/\{[^}]+\}/g, '1');
        const res = await anon.request(m.toUpperCase(), url, m === 'post' ? { body: '{}', headers: { 'Content-Type': 'application/json' } } : {});
        if (isPublic) assert.notEqual(res.status, 401, `${m.toUpperCase()} ${p} documented public, server asks for a login`);
        else assert.equal(res.status, 401, `${m.toUpperCase()} ${p} documented as needing a session, server answered ${res.status}`);
      }
    }
  });
});

describe('responses carry what the document promises', () => {
  test('parameterless GETs: required members present, declared members of the declared type', async () => {
    const users = {};
    for (const who of ['admin', 'hr', 'manager']) {
      users[who] = client(server);
      await users[who].loginOk(DEMO[who]);
    }
    let checked = 0;
    for (const [p, item] of Object.entries(doc.paths)) {
      const op = item.get;
      if (!op || p.includes('{')) continue;
      const ok = deref(op.responses['200']);
      const media = ok?.content?.['application/json'];
      if (!media) continue;
      let res;
      for (const c of Object.values(users)) {
        res = await c.get(p);
        if (res.status === 200) break;
      }
      assert.equal(res.status, 200, `GET ${p}: ${res.body.slice(0, 200)}`);
      const body = res.json();
      const schema = deref(media.schema);
      if (schema.type) assert.ok(hasType(body, schema.type), `GET ${p}: top-level type ${schema.type}`);
      for (const name of schema.required || []) assert.ok(name in body, `GET ${p}: required member ${name}`);
      for (const [name, sub] of Object.entries(schema.properties || {})) {
        const s = deref(sub);
        if (name in body && s.type) assert.ok(hasType(body[name], s.type), `GET ${p}: ${name} should be ${s.type}, got ${JSON.stringify(body[name]).slice(0, 80)}`);
      }
      checked++;
    }
    assert.ok(checked >= 15, `checked ${checked} GET operations`);
  });

  test('a positioning item: the documented shape, options numbered by their place as shown', async () => {
    const item = deref(doc.components.schemas.PositioningItem);
    assert.match(item.properties.options.description, /order shown to this agent/);
    assert.match(item.properties.options.items.properties.value.description, /place as shown/);
    assert.match(doc.paths['/api/v1/me/positioning'].post.description, /place as shown/);
    const c = client(server);
    await c.loginOk(DEMO.agent);
    const csrf = await c.csrf('/positioning');
    const start = await c.request('POST', '/api/v1/me/positioning', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ action: 'start' }),
    });
    assert.equal(start.status, 201, start.body.slice(0, 300));
    const shown = JSON.parse((await c.get('/api/v1/me/positioning')).body).test.item;
    for (const name of item.required) assert.ok(name in shown, `item member ${name}`);
    for (const [name, sub] of Object.entries(item.properties)) {
      if (name in shown && sub.type) assert.ok(hasType(shown[name], sub.type), `item ${name} should be ${sub.type}`);
    }
    assert.deepEqual(shown.options.map((o) => o.value), shown.options.map((_, k) => String(k + 1)));
    assert.deepEqual(shown.options.map((o) => o.id), shown.options.map((o) => `${shown.id}-${o.value}`));
    for (const o of shown.options) assert.deepEqual(Object.keys(o).sort(), Object.keys(item.properties.options.items.properties).sort());
  });
});
