// The starter course library (issue 5): checked from the files themselves. Every CRCN
// competence is evidenced by at least two French modules, the library has at least 32
// French and 6 English modules, each French course has a badge definition with its own
// accessible SVG, and `passport check-courses` reports no problem.
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

test('each module has objectives and a quiz of 4 to 8 questions mixing the three kinds', () => {
  for (const m of modules()) {
    assert.match(m.text, /^## (Objectifs|Objectives)\s*$/m, `${m.file}: objectives`);
    const quiz = m.text.split(/^## Quiz\s*$/m)[1];
    assert.ok(quiz, `${m.file}: quiz section`);
    const blocks = quiz.trim().split(/\n\s*\n/).filter((b) => !/^>/.test(b.trim()));
    const single = blocks.filter((b) => /\[\(X\)\]/.test(b)).length;
    const multiple = blocks.filter((b) => /\[\[X\]\]/.test(b)).length;
    const text = blocks.filter((b) => /^\[\[[^\]X ][^\]]*\]\]\s*$/m.test(b)).length;
    const n = single + multiple + text;
    assert.ok(n >= 4 && n <= 8, `${m.file}: ${n} questions`);
    assert.ok(single && multiple && text, `${m.file}: single ${single}, multiple ${multiple}, text ${text}`);
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
