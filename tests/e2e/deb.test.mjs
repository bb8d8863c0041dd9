// SPDX-License-Identifier: EUPL-1.2
// The Debian package (scripts/make-deb, `make deb`): what dpkg-deb says it holds, the
// maintainer scripts, and the systemd unit checked by systemd-analyze verify.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { BIN, ROOT } from './helpers.mjs';

let work;
let deb;
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });

describe('the Debian package', () => {
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-deb-'));
    const r = run(path.join(ROOT, 'scripts', 'make-deb'), [BIN, work], { env: { ...process.env, DEB_COMPRESS: 'none' } });
    assert.equal(r.status, 0, r.stderr);
    deb = r.stdout.trim().split('\n').pop();
  });
  after(() => { fs.rmSync(work, { recursive: true, force: true }); });

  test('control fields: name, the binary\'s version, library dependencies, a conffile', () => {
    const version = run(BIN, ['--version']).stdout.split(' ')[1];
    const field = (f) => run('dpkg-deb', ['-f', deb, f]).stdout.trim();
    assert.equal(field('Package'), 'passport');
    assert.equal(field('Version'), version);
    const depends = field('Depends').split(/,\s*/);
    for (const d of ['adduser', 'libsqlite3-0', 'libmicrohttpd12', 'libssl3', 'zlib1g']) assert.ok(depends.includes(d), depends.join(', '));
    const info = run('dpkg-deb', ['-I', deb]).stdout;
    for (const s of ['postinst', 'prerm', 'postrm', 'conffiles']) assert.match(info, new RegExp(`\\b${s}\\b`));
    const ctl = path.join(work, 'ctl');
    assert.equal(run('dpkg-deb', ['-e', deb, ctl]).status, 0);
    assert.equal(fs.readFileSync(path.join(ctl, 'conffiles'), 'utf8').trim(), '/etc/default/passport');
    const postinst = fs.readFileSync(path.join(ctl, 'postinst'), 'utf8');
    assert.match(postinst, /adduser --system --group --home \/var\/lib\/passport/);
    assert.match(postinst, /install -d -m 0700 -o passport -g passport \/var\/lib\/passport/);
    for (const s of ['postinst', 'prerm', 'postrm']) {
      assert.equal(run('sh', ['-n', path.join(ctl, s)]).status, 0, `${s} parses`);
      assert.equal(fs.statSync(path.join(ctl, s)).mode & 0o755, 0o755);
    }
  });

  test('contents: binary, web, courses, unit, settings, docs and licence', () => {
    const list = run('dpkg-deb', ['-c', deb], { maxBuffer: 64 << 20 }).stdout.split('\n');
    const has = (p, mode) => list.some((l) => l.endsWith(` ./${p}`) && (!mode || l.startsWith(mode)));
    assert.ok(has('usr/bin/passport', '-rwxr-xr-x root/root'));
    assert.ok(has('usr/share/passport/web/templates/layout.html'));
    assert.ok(has('usr/share/passport/courses/frameworks/crcn.csv'));
    assert.ok(list.some((l) => /\.\/usr\/share\/passport\/courses\/[^/]+\/course\.md$/.test(l)));
    assert.ok(has('lib/systemd/system/passport.service', '-rw-r--r--'));
    assert.ok(has('etc/default/passport'));
    for (const d of ['copyright', 'CHANGELOG.md', 'deployment.md']) assert.ok(has(`usr/share/doc/passport/${d}`), d);
    assert.ok(list[0].startsWith('drwxr-xr-x root/root'), `the root folder: ${list[0]}`);
  });

  test('the systemd unit: sandboxed, reloads with SIGHUP, verified by systemd-analyze', (t) => {
    const root = path.join(work, 'root');
    assert.equal(run('dpkg-deb', ['-x', deb, root]).status, 0);
    const unit = fs.readFileSync(path.join(root, 'lib/systemd/system/passport.service'), 'utf8');
    for (const line of ['User=passport', 'ExecStart=/usr/bin/passport serve', 'ExecReload=/bin/kill -HUP $MAINPID',
      'ProtectSystem=strict', 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'ReadWritePaths=/var/lib/passport',
      'EnvironmentFile=-/etc/default/passport']) {
      assert.ok(unit.split('\n').includes(line), `${line} in the unit`);
    }
    if (run('sh', ['-c', 'command -v systemd-analyze']).status !== 0) {
      t.skip('systemd-analyze is not installed: the unit is not verified');
      return;
    }
    // verify inside the package's tree, with the system's targets and kill beside it
    fs.mkdirSync(path.join(root, 'usr/lib/systemd/system'), { recursive: true });
    for (const dir of ['/usr/lib/systemd/system', '/lib/systemd/system']) {
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.target'))) {
        const to = path.join(root, 'usr/lib/systemd/system', f);
        if (!fs.existsSync(to)) fs.copyFileSync(fs.realpathSync(path.join(dir, f)), to);
      }
    }
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.copyFileSync(fs.realpathSync('/bin/kill'), path.join(root, 'bin/kill'));
    fs.chmodSync(path.join(root, 'bin/kill'), 0o755);
    const v = run('systemd-analyze', ['verify', `--root=${root}`, '/lib/systemd/system/passport.service']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(`${v.stdout}${v.stderr}`.trim(), '', 'systemd-analyze has nothing to say');
    // and it would say something about a mistake
    fs.writeFileSync(path.join(root, 'lib/systemd/system/passport.service'), unit.replace('ProtectSystem=strict', 'ProtectSystem=strikt'));
    const bad = run('systemd-analyze', ['verify', `--root=${root}`, '/lib/systemd/system/passport.service']);
    assert.match(bad.stderr, /strikt/);
  });
});
