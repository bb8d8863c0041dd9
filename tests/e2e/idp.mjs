// SPDX-License-Identifier: EUPL-1.2
// A real OpenID provider for the tests (npm oidc-provider, an OpenID Certified
// implementation) on 127.0.0.1, started and stopped by the test files themselves. It
// signs with keys made here (so that a test can also forge what a bad provider would
// send), can rotate them, counts key-set fetches, and can tamper with the ID token of
// the next token answers (to test the relying party's checks with a real flow).
// Also: a browser-like walk through its login pages (devInteractions), and its logout.
import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

import { freePort } from './helpers.mjs';

export const CLIENT_ID = 'passport';
export const CLIENT_SECRET = 'oidc-client-secret-for-tests';

const ALGS = {
  RS256: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: () => crypto.generateKeyPairSync('ed25519'),
};

/** A new signing key for alg: {kid, alg, privateKey, jwk (private JWK)}. */
function makeKey(alg) {
  const { privateKey } = ALGS[alg]();
  const kid = `${alg.toLowerCase()}-${crypto.randomBytes(6).toString('hex')}`;
  return { kid, alg, privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const b64u = (buf) => Buffer.from(buf).toString('base64url');

/** Signs payload as a compact JWS with key (what the provider would do). */
export function signJws(key, payload) {
  const input = `${b64u(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'JWT' }))}.${b64u(JSON.stringify(payload))}`;
  const sig = key.alg === 'EdDSA' ? crypto.sign(null, Buffer.from(input), key.privateKey)
    : crypto.sign('sha256', Buffer.from(input), key.alg === 'ES256'
      ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
  return `${input}.${b64u(sig)}`;
}

const decodePayload = (jws) => JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString());

/**
 * Starts a provider. accounts: {id: claims}. Returns an object with issuer, jwksFetches,
 * tamper (set to fn(payload) => payload to rewrite the next ID tokens), tamperUserinfo (the
 * same for signed userinfo answers, given the whole JWS), register(rpUrl),
 * configure({idAlg, userinfoAlg}), rotate(), signIn(authUrl, accountId),
 * asksToSignIn(authUrl), followLogout(url), forget(), close().
 */
export async function startProvider({ accounts }) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const state = { idAlg: 'RS256', userinfoAlg: null, keys: [makeKey('RS256'), makeKey('ES256'), makeKey('EdDSA')] };
  let redirectUri = 'http://127.0.0.1:1/oidc/callback';
  let postLogoutUri = 'http://127.0.0.1:1/login';
  let provider;

  function build() {
    const client = {
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutUri], grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: state.idAlg,
    };
    if (state.userinfoAlg) client.userinfo_signed_response_alg = state.userinfoAlg;
    provider = new Provider(issuer, {
      clients: [client],
      jwks: { keys: state.keys.map((k) => k.jwk) },
      cookies: { keys: ['cookie-key-for-tests'] },
      claims: {
        openid: ['sub'], email: ['email', 'email_verified'], given_name: ['given_name'],
        usual_name: ['usual_name'], family_name: ['family_name'], roles: ['roles'],
      },
      features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true }, jwtUserinfo: { enabled: true } },
      pkce: { required: () => true },
      async findAccount(ctx, id) {
        if (!accounts[id]) return undefined;
        return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
      },
      // consent is implied: every requested scope and claim is granted
      async loadExistingGrant(ctx) {
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope('openid email given_name usual_name family_name roles');
        grant.addOIDCClaims(['sub', 'email', 'email_verified', 'given_name', 'usual_name', 'family_name', 'roles']);
        await grant.save();
        return grant;
      },
    });
  }
  build();

  const idp = {
    issuer,
    jwksFetches: 0,
    tamper: null,
    tamperUserinfo: null, // fn(jws, {key, signJws, decodePayload}) => jws: rewrites the next signed userinfo answers
    seen: { idAlg: null, userinfoType: null }, // what the last token and userinfo answers were
    /** The relying party's URL (once its server runs): its callback and post-logout pages. */
    register(url) {
      redirectUri = `${url}/oidc/callback`;
      postLogoutUri = `${url}/login`;
      build();
    },
    /** Signs ID tokens with idAlg and userinfo answers with userinfoAlg (null: JSON). */
    configure({ idAlg = 'RS256', userinfoAlg = null } = {}) {
      state.idAlg = idAlg;
      state.userinfoAlg = userinfoAlg;
      build();
    },
    /** New keys (new kids) for every algorithm; the old ones are gone from the key set. */
    rotate() {
      state.keys = [makeKey('RS256'), makeKey('ES256'), makeKey('EdDSA')];
      build();
    },
    /** The current key of alg (to forge tokens). */
    key(alg) { return state.keys.find((k) => k.alg === alg); },
  };

  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/jwks')) idp.jwksFetches++;
    if (req.url.startsWith('/me')) { // userinfo: record how it answered; tamper with a signed one
      const end = res.end.bind(res);
      res.end = (body, ...rest) => {
        idp.seen.userinfoType = String(res.getHeader('content-type'));
        if (idp.tamperUserinfo && body && /^application\/jwt/.test(idp.seen.userinfoType)) {
          body = idp.tamperUserinfo(body.toString(), { key: idp.key(state.userinfoAlg), signJws, decodePayload });
          if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
        }
        return end(body, ...rest);
      };
    }
    if (req.method === 'POST' && req.url.startsWith('/token')) {
      const end = res.end.bind(res);
      res.end = (body, ...rest) => {
        try {
          const answer = JSON.parse(body.toString());
          if (answer.id_token) idp.seen.idAlg = JSON.parse(Buffer.from(answer.id_token.split('.')[0], 'base64url')).alg;
          if (answer.id_token && idp.tamper) {
            const key = idp.key(state.idAlg);
            answer.id_token = signJws(key, idp.tamper(decodePayload(answer.id_token)));
            body = JSON.stringify(answer);
            if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
          }
        } catch { /* not JSON: leave it */ }
        return end(body, ...rest);
      };
    }
    provider.callback()(req, res);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));

  /** A cookie jar for the provider's pages (one browser). */
  const jar = new Map();
  async function visit(url, { method = 'GET', form } = {}) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name); else jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }
  const abs = (loc) => new URL(loc, issuer).toString();
  const formOf = (html) => {
    const action = /<form[^>]*action="([^"]+)"/.exec(html);
    const fields = {};
    for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields[m[1]] = m[2];
    return { action: action && action[1].replace(/&amp;/g, '&'), fields };
  };

  Object.assign(idp, {
    /** Forgets the browser's provider session cookies. */
    forget() { jar.clear(); },
    /**
     * Walks the provider's pages from the authorization URL (signing in as accountId when
     * asked) until it redirects back to the relying party; returns that URL.
     */
    async signIn(authUrl, accountId) {
      let r = await visit(authUrl);
      for (let hops = 0; hops < 10; hops++) {
        if (r.status >= 300 && r.status < 400) {
          const loc = abs(r.location);
          if (loc.startsWith(redirectUri)) return loc;
          r = await visit(loc);
          continue;
        }
        if (r.status === 200 && /name="prompt" value="login"/.test(r.body)) {
          const { action } = formOf(r.body);
          r = await visit(abs(action), { method: 'POST', form: { prompt: 'login', login: accountId, password: 'x' } });
          continue;
        }
        throw new Error(`provider page ${r.status}: ${r.body.slice(0, 500)}`);
      }
      throw new Error('too many redirects at the provider');
    },
    /** True when the provider asks who is signing in (no session there). */
    async asksToSignIn(authUrl) {
      const r = await visit(authUrl);
      if (r.status < 300 || r.status >= 400) return false;
      const next = await visit(abs(r.location));
      return next.status === 200 && /name="prompt" value="login"/.test(next.body);
    },
    /** Follows the relying party's logout redirect: confirms it; returns where the provider sends back. */
    async followLogout(url) {
      let r = await visit(url);
      if (r.status === 200) {
        const { action, fields } = formOf(r.body);
        r = await visit(abs(action), { method: 'POST', form: { ...fields, logout: 'yes' } });
      }
      for (let hops = 0; hops < 5 && r.status >= 300 && r.status < 400; hops++) {
        const loc = abs(r.location);
        if (loc.startsWith(postLogoutUri)) return loc;
        r = await visit(loc);
      }
      throw new Error(`logout did not come back: ${r.status} ${r.body.slice(0, 300)}`);
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  });
  return idp;
}
