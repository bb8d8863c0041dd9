// SPDX-License-Identifier: EUPL-1.2
// What a module's Markdown file says about its quiz, read independently of the server
// (courses/README.md's syntax), and how to answer a drawn, shuffled quiz form with it:
// questions keep their name "qN" (N: number in the file) and options are matched by
// their text, since the values are the positions shown.
import fs from 'node:fs';
import path from 'node:path';

import { ROOT, htmlDecode } from './helpers.mjs';

/** Front matter (flat keys) and questions of the module file `rel` (under courses/, or absolute). */
export function parseModule(rel) {
  const file = path.isAbsolute(rel) ? rel : path.join(ROOT, 'courses', rel);
  const src = fs.readFileSync(file, 'utf8');
  const front = {};
  for (const line of src.split('\n---')[0].split('\n').slice(1)) {
    const m = /^([a-z_]+):\s*(.*)$/.exec(line);
    if (m) front[m[1]] = m[2].replace(/\s+#.*$/, '').trim();
  }
  const lines = src.slice(src.lastIndexOf('\n## Quiz') + 1).split('\n').slice(1);
  const questions = [];
  let cur = null, open = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) { if (cur && (cur.options.length || cur.answers.length || cur.explanation)) open = false; continue; }
    const o = /^[-*+] +\[([([])([ xX])[)\]]\]\s*(.*)$/.exec(line);
    if (o) {
      cur.kind = o[1] === '(' ? 'single' : 'multi';
      cur.options.push({ text: o[3], correct: o[2] !== ' ' });
      continue;
    }
    const t = /^\[\[(.*)\]\]$/.exec(line);
    if (t && cur) { cur.kind = 'text'; cur.answers = t[1].split('|').map((x) => x.trim()); continue; }
    if (line.startsWith('>')) { cur.explanation = `${cur.explanation || ''} ${line.replace(/^>\s?/, '')}`.trim(); continue; }
    if (cur && open && !cur.options.length && !cur.answers.length) { cur.prompt += ` ${line}`; continue; }
    cur = { name: `q${questions.length + 1}`, prompt: line, kind: 'text', options: [], answers: [], explanation: null };
    questions.push(cur);
    open = true;
  }
  return { front, questions, file };
}

/** Text without Markdown or HTML markup, entities, case, accents and punctuation: words joined by one space. */
export function norm(s) {
  return htmlDecode(String(s)
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, ' '))
    .normalize('NFD').replace(/\p{M}/gu, '')
    .toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * The right answers for the questions shown ([{name, kind, options: [{value, html}]}], from
 * the API or formQuestions): {q3: '2', q5: ['1', '4'], q7: 'text'}.
 */
export function rightAnswers(mod, shown) {
  const out = {};
  for (const q of shown) {
    const src = mod.questions[Number(q.name.slice(1)) - 1];
    if (!src) throw new Error(`${q.name}: not in ${mod.file}`);
    if (src.kind === 'text') { out[q.name] = src.answers[0]; continue; }
    const values = [];
    for (const o of src.options.filter((x) => x.correct)) {
      const hit = q.options.filter((x) => norm(x.html) === norm(o.text));
      if (hit.length !== 1) throw new Error(`${q.name}: option "${o.text}" shown ${hit.length} time(s)`);
      values.push(hit[0].value);
    }
    out[q.name] = src.kind === 'multi' ? values : values[0];
  }
  return out;
}

/** The questions of a quiz form's HTML: [{name, kind, options: [{value, html}]}] in the order shown. */
export function formQuestions(html) {
  const out = [];
  const byName = new Map();
  const re = /<input type="(radio|checkbox|text)" id="([^"]+)" name="(q\d+)"(?: value="([^"]*)")?[^>]*>(?:\s*<label for="\2">([\s\S]*?)<\/label>)?/g;
  for (const m of html.matchAll(re)) {
    let q = byName.get(m[3]);
    if (!q) {
      q = { name: m[3], kind: m[1] === 'radio' ? 'single' : m[1] === 'checkbox' ? 'multi' : 'text', options: [] };
      byName.set(m[3], q);
      out.push(q);
    }
    if (m[1] !== 'text') q.options.push({ value: m[4], html: m[5] || '' });
  }
  return out;
}

/** Form fields for answers {q1: ['2'], q3: 'x'} (lists become repeated fields). */
export function answerFields(hidden, answers) {
  const f = Object.entries(hidden);
  for (const [k, v] of Object.entries(answers)) {
    if (Array.isArray(v)) for (const x of v) f.push([k, String(x)]);
    else f.push([k, String(v)]);
  }
  return f;
}

/** What must never reach an agent before they pass: right options, accepted texts, explanations (normalized). */
export function secrets(mod) {
  const out = [];
  for (const q of mod.questions) {
    for (const o of q.options) if (o.correct) out.push({ q: q.name, what: 'right option', text: norm(o.text) });
    for (const a of q.answers) out.push({ q: q.name, what: 'accepted text', text: norm(a) });
    if (q.explanation) out.push({ q: q.name, what: 'explanation', text: norm(q.explanation) });
  }
  return out.filter((s) => s.text);
}

/**
 * The secrets of mod found in text (HTML or JSON), after removing the module's prompts
 * (which an attempt legitimately shows): [{q, what, text}]. Matches whole words.
 */
export function leaks(mod, text) {
  let hay = ` ${norm(text)} `;
  for (const q of mod.questions) hay = hay.split(` ${norm(q.prompt)} `).join(' | ');
  return secrets(mod).filter((s) => hay.includes(` ${s.text} `));
}

/** The path of the module file whose front matter says `id: <id>` in the library root. */
export function moduleFileById(id, root = path.join(ROOT, 'courses')) {
  for (const course of fs.readdirSync(root)) {
    const dir = path.join(root, course);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.md')) continue;
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      if (new RegExp(`^id: *${id} *$`, 'm').test(text)) return path.join(dir, f);
    }
  }
  throw new Error(`no module file for ${id}`);
}
