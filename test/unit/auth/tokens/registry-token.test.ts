import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import {
  DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_LENGTH, issueToken, keyIdOf, looksLikeRegistryToken, verifyToken,
} from '../../../../src/auth/tokens/registry-token.ts';
import type { TokenSubject } from '../../../../src/auth/tokens/registry-token.ts';

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 9);
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0, 250);
const ALICE: TokenSubject = { accountId: '111122223333', principalArn: 'arn:aws:iam::111122223333:user/alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' };
const MIN = 60_000;
const HOUR = 60 * MIN;

/** Splits a token into its four parts. */
function parts(token: string): [string, string, string, string] {
  const split = token.split('.');
  assert.equal(split.length, 4);
  return split as [string, string, string, string];
}

/** Re-signs a hand-made payload with the real MAC key, to test what happens after the MAC check. */
function forge(payload: unknown, key: Buffer = KEY, versionPart = 'berth1'): string {
  const macKey = Buffer.from(hkdfSync('sha256', key, '', 'berth/registry-token/v1/hmac-sha256', 32));
  const input = `${versionPart}.${keyIdOf(key)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', macKey).update(input).digest('base64url')}`;
}

test('a token round-trips its claims and is compact, prefixed and Basic-safe', () => {
  const { token, claims } = issueToken(ALICE, KEY, NOW);
  assert.match(token, /^berth1\.[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  assert.ok(token.length < 300, `${token.length} characters`);
  assert.ok(looksLikeRegistryToken(token));
  assert.equal(looksLikeRegistryToken('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), false);
  assert.deepEqual(claims, { ...ALICE, issuedAt: new Date(Date.UTC(2026, 0, 15, 12)), expiresAt: new Date(Date.UTC(2026, 0, 16, 0)) });
  assert.equal(claims.expiresAt.getTime() - claims.issuedAt.getTime(), DEFAULT_TOKEN_TTL_SECONDS * 1000);
  const result = verifyToken(token, KEY, NOW + HOUR);
  assert.deepEqual(result, { ok: true, claims });
  assert.deepEqual(verifyToken(token, [KEY], NOW), { ok: true, claims });
});

test('the lifetime can be chosen within bounds, and bad subjects are refused at issue', () => {
  const { claims } = issueToken(ALICE, KEY, NOW, { ttlSeconds: 60 });
  assert.equal(claims.expiresAt.getTime() - claims.issuedAt.getTime(), 60_000);
  assert.throws(() => issueToken(ALICE, KEY, NOW, { ttlSeconds: 0 }), RangeError);
  assert.throws(() => issueToken(ALICE, KEY, NOW, { ttlSeconds: 8 * 24 * 3600 }), RangeError);
  assert.throws(() => issueToken({ ...ALICE, accountId: '1111' }, KEY, NOW), TypeError);
  assert.throws(() => issueToken({ ...ALICE, principalArn: 'alice' }, KEY, NOW), TypeError);
  assert.throws(() => issueToken({ ...ALICE, accessKeyId: 'AKIA.bad' }, KEY, NOW), TypeError);
  assert.throws(() => issueToken(ALICE, Buffer.alloc(16), NOW), TypeError, 'short keys are a programming error');
});

test('a tampered payload fails the signature check', () => {
  const { token } = issueToken(ALICE, KEY, NOW);
  const [version, kid, payload, mac] = parts(token);
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  for (const change of [{ arn: 'arn:aws:iam::111122223333:root' }, { acct: '444455556666' }, { exp: (body.exp as number) + 3600 }]) {
    const tampered = Buffer.from(JSON.stringify({ ...body, ...change })).toString('base64url');
    assert.deepEqual(verifyToken(`${version}.${kid}.${tampered}.${mac}`, KEY, NOW), { ok: false, reason: 'bad-signature' }, JSON.stringify(change));
  }
});

test('a tampered MAC fails, and a non-canonical MAC encoding is malformed', () => {
  const { token } = issueToken(ALICE, KEY, NOW);
  const [version, kid, payload, mac] = parts(token);
  const flipped = Buffer.from(mac, 'base64url');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  assert.deepEqual(verifyToken(`${version}.${kid}.${payload}.${flipped.toString('base64url')}`, KEY, NOW), { ok: false, reason: 'bad-signature' });
  const zero = Buffer.alloc(32).toString('base64url');
  assert.deepEqual(verifyToken(`${version}.${kid}.${payload}.${zero}`, KEY, NOW), { ok: false, reason: 'bad-signature' });
  // The last character carries 2 spare bits; setting them gives a different string for the same bytes.
  const last = mac.at(-1) ?? 'A';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sloppy = mac.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
  assert.deepEqual(verifyToken(`${version}.${kid}.${payload}.${sloppy}`, KEY, NOW), { ok: false, reason: 'malformed' });
});

test('a token verified with the wrong key fails, whether or not the key id matches', () => {
  const { token } = issueToken(ALICE, KEY, NOW);
  assert.deepEqual(verifyToken(token, OTHER, NOW), { ok: false, reason: 'bad-signature' });
  const [version, , payload, mac] = parts(token);
  const relabelled = `${version}.${keyIdOf(OTHER)}.${payload}.${mac}`;
  assert.deepEqual(verifyToken(relabelled, [OTHER, KEY], NOW), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyToken(token, [], NOW), { ok: false, reason: 'bad-signature' });
});

test('expiry is exact, using the injected clock', () => {
  const { token, claims } = issueToken(ALICE, KEY, NOW);
  const expiresAt = claims.expiresAt.getTime();
  assert.equal(verifyToken(token, KEY, expiresAt - 1).ok, true);
  assert.deepEqual(verifyToken(token, KEY, expiresAt), { ok: false, reason: 'expired' });
  assert.deepEqual(verifyToken(token, KEY, NOW + 13 * HOUR), { ok: false, reason: 'expired' });
});

test('a token issued in the future is accepted within the skew and refused beyond it', () => {
  const { token } = issueToken(ALICE, KEY, NOW + 4 * MIN);
  assert.equal(verifyToken(token, KEY, NOW).ok, true, 'another node 4 minutes ahead');
  const ahead = issueToken(ALICE, KEY, NOW + 6 * MIN).token;
  assert.deepEqual(verifyToken(ahead, KEY, NOW), { ok: false, reason: 'not-yet-valid' });
  assert.equal(verifyToken(ahead, KEY, NOW, { maxSkewMs: 10 * MIN }).ok, true);
});

test('truncated, oversized and otherwise malformed tokens are refused as malformed', () => {
  const { token } = issueToken(ALICE, KEY, NOW);
  for (let length = 0; length < token.length; length += 7) {
    const result = verifyToken(token.slice(0, length), KEY, NOW);
    assert.equal(result.ok, false, `truncated to ${length}`);
    if (!result.ok) assert.ok(result.reason === 'malformed' || result.reason === 'bad-signature', `${length}: ${result.reason}`);
  }
  assert.deepEqual(verifyToken(token.slice(0, -1), KEY, NOW), { ok: false, reason: 'malformed' });
  const huge = `${token.slice(0, token.lastIndexOf('.'))}${'A'.repeat(MAX_TOKEN_LENGTH)}${token.slice(token.lastIndexOf('.'))}`;
  assert.deepEqual(verifyToken(huge, KEY, NOW), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifyToken('x'.repeat(10_000_000), KEY, NOW), { ok: false, reason: 'malformed' });
  for (const bad of ['', '....', `${token}.`, `.${token}`, token.replace('.', '..'), `Berth1${token.slice(6)}`, `${token} `, token.replace(/^berth1\.[^.]{4}/, 'berth1.ab+/'), 'berth1.a.b.c']) {
    assert.deepEqual(verifyToken(bad, KEY, NOW), { ok: false, reason: 'malformed' }, bad);
  }
  assert.deepEqual(verifyToken(undefined as unknown as string, KEY, NOW), { ok: false, reason: 'malformed' });
});

test('authentic payloads that are not well-formed claims are still refused', () => {
  const iat = Math.floor(NOW / 1000);
  const good = { acct: ALICE.accountId, arn: ALICE.principalArn, akid: ALICE.accessKeyId, iat, exp: iat + 3600 };
  assert.equal(verifyToken(forge(good), KEY, NOW).ok, true, 'the forging helper matches the module');
  for (const bad of [{ ...good, extra: 1 }, { ...good, acct: 111122223333 }, { ...good, exp: iat }, { ...good, iat: 1.5 }, { ...good, exp: iat + 30 * 24 * 3600 }, [good], 'text', null]) {
    assert.deepEqual(verifyToken(forge(bad), KEY, NOW), { ok: false, reason: 'malformed' }, JSON.stringify(bad));
  }
});

test('another format version is reported as unsupported', () => {
  const iat = Math.floor(NOW / 1000);
  const body = { acct: ALICE.accountId, arn: ALICE.principalArn, akid: ALICE.accessKeyId, iat, exp: iat + 3600 };
  for (const version of ['berth2', 'berth0', 'berth01', 'berth9999']) {
    assert.deepEqual(verifyToken(forge(body, KEY, version), KEY, NOW), { ok: false, reason: 'unsupported-version' }, version);
  }
  const [, kid, payload, mac] = parts(issueToken(ALICE, KEY, NOW).token);
  assert.deepEqual(verifyToken(`berth2.${kid}.${payload}.${mac}`, KEY, NOW), { ok: false, reason: 'unsupported-version' });
});

test('key rotation: old tokens verify while the old key is listed, new tokens carry the new key id', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  assert.notEqual(keyIdOf(oldKey), keyIdOf(newKey));
  assert.equal(keyIdOf(oldKey), keyIdOf(Buffer.from(oldKey)), 'the key id depends only on the key bytes');
  const before = issueToken(ALICE, oldKey, NOW).token;
  assert.equal(parts(before)[1], keyIdOf(oldKey));

  const after = issueToken(ALICE, newKey, NOW + MIN).token;
  assert.equal(parts(after)[1], keyIdOf(newKey));
  assert.equal(verifyToken(before, [newKey, oldKey], NOW + 2 * MIN).ok, true, 'old key still verifies');
  assert.equal(verifyToken(after, [newKey, oldKey], NOW + 2 * MIN).ok, true);

  assert.deepEqual(verifyToken(before, [newKey], NOW + 2 * MIN), { ok: false, reason: 'bad-signature' }, 'removed key');
  assert.equal(verifyToken(after, [newKey], NOW + 2 * MIN).ok, true);
});

test('the key id does not reveal the key', () => {
  const key = randomBytes(32);
  const kid = keyIdOf(key);
  assert.match(kid, /^[A-Za-z0-9_-]{11}$/);
  assert.equal(key.toString('base64url').includes(kid.slice(0, 6)), false);
});
