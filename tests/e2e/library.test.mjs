// SPDX-License-Identifier: EUPL-1.2
// The starter course library (issue 5): checked from the files themselves. Every CRCN
// competence is evidenced by at least two French modules, the library has at least 32
// French and 6 English modules, each French course has a badge definition with its own
// accessible SVG, and `passport check-courses` reports no problem. Issue 12: every module
// draws from a question bank at least 1.5 times its draw, the same bank in both languages,
// and the positioning item bank holds at least 8 items per CRCN competence over levels 1–6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from './helpers.mjs';

const COURSES = path.join(ROOT, 'courses');

/* The front matter of a Markdown file as a map of raw values (the keys we need only). */
function frontMatter(file) {
  const text = fs.readFileSync(file, 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(m, `${file}: front matter`);
  const out = {};
  for (const line of m[1].split('\n')) {
    const kv = /^([a-z_]+):\s*(.*?)\s*(#.*)?$/.exec(line);
    if (kv) out[kv[1]] = kv[2].replace(/^["']|["']$/g, '');
  }
  return out;
}

function modules() {
  const list = [];
  for (const dir of fs.readdirSync(COURSES)) {
    const full = path.join(COURSES, dir);
    if (!fs.existsSync(path.join(full, 'course.md'))) continue;
    const course = frontMatter(path.join(full, 'course.md'));
    for (const f of fs.readdirSync(full).filter((n) => /^\d.*\.md$/.test(n)).sort()) {
      const fm = frontMatter(path.join(full, f));
      const comps = (fm.competencies || '').replace(/^\[|\]$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
      list.push({ course: dir, courseFm: course, file: `${dir}/${f}`, ...fm, comps, text: fs.readFileSync(path.join(full, f), 'utf8') });
    }
  }
  return list;
}

function crcnCodes() {
  const lines = fs.readFileSync(path.join(COURSES, 'frameworks', 'crcn.csv'), 'utf8').split('\n').slice(1);
  return lines.map((l) => (/(CRCN-\d\.\d)/.exec(l) || [])[1]).filter(Boolean);
}

test('every CRCN competence is covered by at least two French modules', () => {
  const codes = crcnCodes();
  assert.equal(codes.length, 16);
  const fr = modules().filter((m) => m.lang === 'fr');
  for (const code of codes) {
    const covering = fr.filter((m) => m.comps.some((c) => c.startsWith(`${code}@`)));
    assert.ok(covering.length >= 2, `${code} is covered by ${covering.length} module(s): ${covering.map((m) => m.file).join(', ')}`);
  }
});

test('at least 32 French modules of 5–12 minutes, mostly levels 1–4, and 6 English ones', () => {
  const all = modules();
  const fr = all.filter((m) => m.lang === 'fr');
  const en = all.filter((m) => m.lang === 'en');
  assert.ok(fr.length >= 32, `${fr.length} French modules`);
  assert.ok(en.length >= 6, `${en.length} English modules`);
  for (const m of fr) {
    const minutes = Number(m.minutes);
    assert.ok(minutes >= 5 && minutes <= 12, `${m.file}: ${m.minutes} minutes`);
  }
  const levels = fr.flatMap((m) => m.comps.map((c) => Number(c.split('@')[1])));
  assert.ok(levels.filter((l) => l <= 4).length / levels.length > 0.8, 'mostly levels 1–4');
  const ids = new Set(fr.map((m) => m.id));
  for (const m of en) assert.ok(ids.has(m.translation_of), `${m.file}: translation_of ${m.translation_of} names a French module`);
});

/* The quiz of a module's text: { single, multiple, text, kinds } (kinds in file order). */
function quizShape(text) {
  const quiz = text.split(/^## Quiz\s*$/m)[1];
  if (!quiz) return null;
  const blocks = quiz.trim().split(/\n\s*\n/).filter((b) => !/^>/.test(b.trim()));
  const kinds = blocks.map((b) => (/\[\(X\)\]/.test(b) ? 'single' : /\[\[X\]\]/.test(b) ? 'multiple'
    : /^\[\[[^\]X ][^\]]*\]\]\s*$/m.test(b) ? 'text' : null)).filter(Boolean);
  const count = (k) => kinds.filter((x) => x === k).length;
  return { single: count('single'), multiple: count('multiple'), text: count('text'), kinds };
}

test('each module has objectives and draws 4 to 8 questions from a bank of at least 1.5 times as many, mixing the three kinds', () => {
  const all = modules();
  const byId = new Map(all.map((m) => [m.id, m]));
  for (const m of all) {
    assert.match(m.text, /^## (Objectifs|Objectives)\s*$/m, `${m.file}: objectives`);
    const q = quizShape(m.text);
    assert.ok(q, `${m.file}: quiz section`);
    const n = q.kinds.length;
    const draw = Number(m.draw || n);
    assert.ok(draw >= 4 && draw <= 8, `${m.file}: draws ${draw} questions`);
    assert.ok(n >= 1.5 * draw, `${m.file}: a bank of ${n} questions for a draw of ${draw}`);
    assert.ok(q.single && q.multiple && q.text, `${m.file}: single ${q.single}, multiple ${q.multiple}, text ${q.text}`);
    // draws are stratified round-robin (question k evidences competency k mod n): each
    // stratum must hold its share of the draw
    for (let s = 0; s < m.comps.length; s++) {
      const inStratum = q.kinds.filter((_, k) => k % m.comps.length === s).length;
      assert.ok(inStratum >= Math.ceil(draw / m.comps.length), `${m.file}: ${inStratum} questions for ${m.comps[s]}`);
    }
    if (m.translation_of) {
      const orig = byId.get(m.translation_of);
      assert.ok(orig, `${m.file}: translation_of ${m.translation_of}`);
      assert.deepEqual(q.kinds, quizShape(orig.text).kinds, `${m.file}: the same bank as ${orig.file}, in the same order`);
      assert.equal(m.draw, orig.draw, `${m.file}: the same draw as ${orig.file}`);
    }
  }
});

/* The items of a positioning file: [{ id, level, kind, rights }]. */
function positioningItems(file) {
  const text = fs.readFileSync(file, 'utf8');
  return text.split(/^## /m).slice(1).map((block) => {
    const id = block.split('\n')[0].trim();
    const level = Number((/^level: (\d+)\s*$/m.exec(block) || [])[1]);
    const single = (block.match(/^- \[\(X\)\]/gm) || []).length;
    const multiple = (block.match(/^- \[\[X\]\]/gm) || []).length;
    const text = /^\[\[[^\]X ][^\]]*\]\]\s*$/m.test(block);
    const kind = single ? 'single' : multiple ? 'multiple' : text ? 'text' : null;
    return { id, level, kind, rights: single || multiple || (text ? 1 : 0), single };
  });
}

test('the positioning bank: at least 8 French items per CRCN competence over levels 1–6, English ids matching', () => {
  const dir = path.join(COURSES, 'positioning');
  const fr = new Map();
  for (const code of crcnCodes()) {
    const file = path.join(dir, `${code}.md`);
    assert.ok(fs.existsSync(file), `positioning/${code}.md`);
    const fm = frontMatter(file);
    assert.equal(fm.competency, code);
    assert.equal(fm.lang, 'fr');
    const items = positioningItems(file);
    assert.ok(items.length >= 8, `${code}: ${items.length} items`);
    for (let level = 1; level <= 6; level++)
      assert.ok(items.some((it) => it.level === level), `${code}: an item of level ${level}`);
    for (const it of items) {
      assert.match(it.id, /^[a-z0-9-]+$/);
      assert.ok(!fr.has(it.id), `${it.id} is unique`);
      assert.ok(it.level >= 1 && it.level <= 8, `${it.id}: level ${it.level}`);
      assert.ok(it.kind && it.rights >= 1 && (it.kind !== 'single' || it.single === 1), `${it.id}: one question with its right answer`);
      fr.set(it.id, it);
    }
  }
  const en = fs.readdirSync(path.join(dir, 'en')).filter((f) => f.endsWith('.md'));
  assert.ok(en.length >= 3, `${en.length} English files`);
  for (const f of en) {
    assert.equal(frontMatter(path.join(dir, 'en', f)).lang, 'en');
    for (const it of positioningItems(path.join(dir, 'en', f))) {
      const orig = fr.get(it.id);
      assert.ok(orig, `en/${f}: ${it.id} translates a French item`);
      assert.equal(it.level, orig.level, `en/${f}: ${it.id} has the level of its original`);
      assert.equal(it.kind, orig.kind, `en/${f}: ${it.id} has the kind of its original`);
    }
  }
});

test('each French course has a badge definition and an accessible SVG of its own', () => {
  const courses = new Set(modules().filter((m) => m.lang === 'fr').map((m) => m.course));
  for (const c of courses) {
    const fm = frontMatter(path.join(COURSES, c, 'course.md'));
    assert.ok(fm.badge, `${c}: course.md names its badge`);
    const yaml = fs.readFileSync(path.join(COURSES, 'badges', `${fm.badge}.yaml`), 'utf8');
    assert.match(yaml, /^criteria:/m);
    assert.match(yaml, /^alignment:/m);
    const svg = fs.readFileSync(path.join(COURSES, 'badges', `${fm.badge}.svg`), 'utf8');
    assert.match(svg, /<title[^>]*>[^<]+<\/title>/, `${fm.badge}.svg has a title`);
    assert.match(svg, /role="img"/);
    assert.doesNotMatch(svg, /<script|href="http|@import/i, `${fm.badge}.svg is self-contained`);
  }
});

test('passport check-courses reports no problem on the library', () => {
  const r = spawnSync(BIN, ['check-courses', COURSES], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /:\d+: /, 'no file:line message');
});
