// SPDX-License-Identifier: EUPL-1.2
// Paging of the JSON API's lists (issue 18): limit (default 100, 1..1000) and cursor (the
// previous page's next_cursor, null on the last page) on every list, the agent's passport
// timeline and badges included; a bad limit or cursor answers 400. The timeline, the
// badges, the inbox and the profile views are read by key: a page starts after the previous page's last item (a piece added
// meanwhile shifts nothing), and their cursors are refused by any other list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { DEMO, client, startServer } from './helpers.mjs';

let server;
const as = {};
let agentId;

async function getJson(c, url, status = 200) {
  const r = await c.get(url, { headers: { Accept: 'application/json' } });
  assert.equal(r.status, status, `${url}: ${r.body.slice(0, 300)}`);
  return r.json();
}

/** Follows next_cursor from the first page of url (limit per page); the items of key. */
async function allPages(c, url, key, limit) {
  const items = [];
  let cursor = null, pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const page = await getJson(c, `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.ok(page[key].length <= limit);
    items.push(...page[key]);
    cursor = page.next_cursor;
    assert.ok(cursor === null || (typeof cursor === 'string' && page[key].length === limit));
    pages++;
  } while (cursor && pages < 1000);
  return { items, pages };
}

describe('API paging', () => {
  before(async () => {
    server = await startServer();
    for (const role of ['agent', 'manager', 'admin']) {
      as[role] = client(server);
      await as[role].loginOk(DEMO[role]);
    }
    agentId = (await getJson(as.agent, '/api/v1/me/profile')).user_id;
    // 103 pieces of evidence: more than a default page
    const token = await as.agent.csrf('/passport/self-assessment/CRCN-1.1');
    for (let i = 0; i < 103; i++) {
      const r = await as.agent.request('POST', '/api/v1/me/self-assessments', {
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
        body: JSON.stringify({ code: 'CRCN-1.1', level: 1 + (i % 4), comment: `piece ${i}` }),
      });
      assert.equal(r.status, 201, r.body);
    }
    const csrf = await as.admin.csrf('/admin/badges', '/admin/badges/award');
    for (const slug of ['donnees-personnelles', 'securite-numerique']) {
      const r = await as.admin.post('/admin/badges/award', { _csrf: csrf, email: DEMO.agent, slug, narrative: 'Atelier' });
      assert.equal(r.status, 303, r.body.slice(0, 300));
    }
  });
  after(async () => { await server?.stop(); });

  test('the passport timeline: default page of 100, pages that add up to the whole, the end', async () => {
    const first = await getJson(as.agent, '/api/v1/me/passport');
    assert.equal(first.timeline.length, 100);
    assert.equal(typeof first.next_cursor, 'string');
    assert.equal(first.summary.evidence, 103, 'the summary still counts everything');
    for (const area of first.areas) for (const c of area.competencies) assert.ok(c.evidence.length <= 10);
    const c11 = first.areas[0].competencies.find((c) => c.code === 'CRCN-1.1');
    assert.equal(c11.evidence_count, 103);
    const whole = (await getJson(as.agent, '/api/v1/me/passport?limit=1000')).timeline;
    assert.equal(whole.length, 103);
    const { items, pages } = await allPages(as.agent, '/api/v1/me/passport', 'timeline', 25);
    assert.equal(pages, 5);
    assert.deepEqual(items, whole);
    const last = await getJson(as.agent, `/api/v1/me/passport?cursor=${encodeURIComponent(first.next_cursor)}`);
    assert.equal(last.timeline.length, 3);
    assert.equal(last.next_cursor, null);
    // a manager reading the agent's passport pages the same way
    const other = await getJson(as.manager, `/api/v1/users/${agentId}/passport?limit=50`);
    assert.equal(other.timeline.length, 50);
    assert.deepEqual(other.timeline, whole.slice(0, 50));
  });

  test('badges: one per page, then the end, the same items as one page', async () => {
    const { items, pages } = await allPages(as.agent, '/api/v1/badges', 'badges', 1);
    assert.equal(pages, 2);
    assert.equal(new Set(items.map((b) => JSON.stringify(b))).size, 2);
    assert.deepEqual(items, (await getJson(as.agent, '/api/v1/badges?limit=1000')).badges);
  });

  test('a page starts after the previous one: a piece added meanwhile is neither repeated nor shifts the rest', async () => {
    const before = (await getJson(as.agent, '/api/v1/me/passport?limit=1000')).timeline;
    const first = await getJson(as.agent, '/api/v1/me/passport?limit=10');
    const token = await as.agent.csrf('/passport/self-assessment/CRCN-1.2');
    const r = await as.agent.request('POST', '/api/v1/me/self-assessments', {
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({ code: 'CRCN-1.2', level: 2, comment: 'added between two pages' }),
    });
    assert.equal(r.status, 201, r.body);
    const items = [...first.timeline];
    let cursor = first.next_cursor;
    while (cursor) {
      const page = await getJson(as.agent, `/api/v1/me/passport?limit=10&cursor=${encodeURIComponent(cursor)}`);
      items.push(...page.timeline);
      cursor = page.next_cursor;
    }
    assert.deepEqual(items, before, 'each piece once, in order; the new one is on a first page only');
    const now = (await getJson(as.agent, '/api/v1/me/passport?limit=1')).timeline;
    assert.equal(now[0].comment, 'added between two pages');
  });

  test('a cursor belongs to its list', async () => {
    const timeline = (await getJson(as.agent, '/api/v1/me/passport?limit=1')).next_cursor;
    const badges = (await getJson(as.agent, '/api/v1/badges?limit=1')).next_cursor;
    const offset = (await getJson(as.agent, '/api/v1/courses?limit=1')).next_cursor;
    assert.ok(timeline && badges && offset);
    await getJson(as.agent, `/api/v1/badges?cursor=${encodeURIComponent(timeline)}`, 400);
    await getJson(as.agent, `/api/v1/me/passport?cursor=${encodeURIComponent(badges)}`, 400);
    await getJson(as.agent, `/api/v1/me/tokens?cursor=${encodeURIComponent(timeline)}`, 400);
    await getJson(as.agent, `/api/v1/me/passport?cursor=${Buffer.from('o2').toString('base64url')}`, 400);
    await getJson(as.agent, `/api/v1/badges?cursor=${encodeURIComponent(offset)}`, 400);
    await getJson(as.agent, `/api/v1/me/inbox?cursor=${encodeURIComponent(badges)}`, 400);
    await getJson(as.agent, `/api/v1/me/profile-views?cursor=${encodeURIComponent(timeline)}`, 400);
    // a manager's cursor through the agent's passport is a timeline cursor too
    const other = (await getJson(as.manager, `/api/v1/users/${agentId}/passport?limit=2`)).next_cursor;
    const mine = await getJson(as.agent, `/api/v1/me/passport?limit=2&cursor=${encodeURIComponent(other)}`);
    assert.equal(mine.timeline.length, 2);
    // only the spelling the server writes
    const raw = Buffer.from(timeline, 'base64url').toString();
    assert.match(raw, /^ktimeline:\d+:\d+$/);
    for (const forged of [raw.replace(':', ':+'), raw.replace(/:(\d+)$/, ':0$1'), `${raw}:1`, raw.replace('ktimeline', 'kbadges')]) {
      await getJson(as.agent, `/api/v1/me/passport?cursor=${Buffer.from(forged).toString('base64url')}`, 400);
    }
  });

  test('limit bounds and bad cursors answer 400', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=-5', 'limit=abc', 'limit=', 'cursor=', 'cursor=%%%', 'cursor=bm9wZQ',
      `cursor=${Buffer.from('o-1').toString('base64url')}`, `cursor=${Buffer.from('o007').toString('base64url')}`]) {
      const r = await getJson(as.agent, `/api/v1/me/passport?${q}`, 400);
      assert.equal(r.error.status, 400, q);
    }
    assert.equal((await getJson(as.agent, '/api/v1/badges?limit=1000')).next_cursor, null);
    assert.equal((await getJson(as.agent, '/api/v1/me/tokens?cursor=bzk5OQ')).tokens.length, 0, 'past the end: an empty page');
    const end = Buffer.from('kbadges:1:1').toString('base64url');
    assert.equal((await getJson(as.agent, `/api/v1/badges?cursor=${end}`)).badges.length, 0, 'past the end: an empty page');
  });

  test('every list of the API takes limit and says where the next page starts', async () => {
    const lists = [
      ['agent', '/api/v1/badges', ['badges']], ['agent', '/api/v1/calls', ['open', 'applications']],
      ['agent', '/api/v1/courses', ['courses']], ['agent', '/api/v1/me/assignments', ['assignments']],
      ['agent', '/api/v1/me/inbox', ['items']], ['agent', '/api/v1/me/passport', ['timeline']],
      ['agent', '/api/v1/me/profile-views', ['views']], ['agent', '/api/v1/me/progress', ['courses']],
      ['agent', '/api/v1/me/tokens', ['tokens']], ['manager', '/api/v1/paths', ['paths']],
      ['manager', `/api/v1/users/${agentId}/passport`, ['timeline']],
    ];
    for (const [role, url, keys] of lists) {
      const page = await getJson(as[role], `${url}?limit=1`);
      assert.ok('next_cursor' in page, `${url}: next_cursor`);
      for (const k of keys) assert.ok(Array.isArray(page[k]) && page[k].length <= 1, `${url}: ${k} paged`);
      await getJson(as[role], `${url}?limit=5000`, 400);
    }
    // the catalog pages its modules (grouped by course): limit counts modules
    const modules = (page) => page.courses.reduce((n, c) => n + c.modules.length, 0);
    const courses = await getJson(as.agent, '/api/v1/courses?limit=5');
    assert.equal(modules(courses), 5);
    let seen = 0, cursor = courses.next_cursor;
    for (let page = courses; ; cursor = page.next_cursor) {
      seen += modules(page);
      if (!cursor) break;
      page = await getJson(as.agent, `/api/v1/courses?limit=5&cursor=${cursor}`);
    }
    assert.equal(seen, courses.total);
  });
});
