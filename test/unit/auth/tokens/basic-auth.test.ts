import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_AUTHORIZATION_LENGTH, authorizationTokenFor, parseBasicAuthorization, wwwAuthenticateBasic,
} from '../../../../src/auth/tokens/basic-auth.ts';
import { issueToken, verifyToken } from '../../../../src/auth/tokens/registry-token.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

test('a valid Basic header yields the user and password; the password may contain colons', () => {
  assert.deepEqual(parseBasicAuthorization(`Basic ${b64('AWS:abc.def')}`), { ok: true, username: 'AWS', password: 'abc.def' });
  assert.deepEqual(parseBasicAuthorization(`basic ${b64('u:p:q')}`), { ok: true, username: 'u', password: 'p:q' });
  assert.deepEqual(parseBasicAuthorization(`  BASIC   ${b64('u:')} `), { ok: true, username: 'u', password: '' });
  assert.deepEqual(parseBasicAuthorization(`Basic ${b64(':p')}`), { ok: true, username: '', password: 'p' });
});

test('a unicode password survives as UTF-8', () => {
  const password = 'pässwörd 🔑 密码';
  assert.deepEqual(parseBasicAuthorization(`Basic ${b64(`jörg:${password}`)}`), { ok: true, username: 'jörg', password });
  const latin1 = Buffer.from('user:p\xe4ss', 'latin1').toString('base64');
  assert.deepEqual(parseBasicAuthorization(`Basic ${latin1}`), { ok: false, reason: 'malformed' }, 'not UTF-8');
});

test('credentials without a colon are malformed', () => {
  assert.deepEqual(parseBasicAuthorization(`Basic ${b64('AWS')}`), { ok: false, reason: 'malformed' });
  assert.deepEqual(parseBasicAuthorization(`Basic ${b64('')}`), { ok: false, reason: 'malformed' });
});

test('base64 must be strict: standard alphabet, padded, canonical', () => {
  const good = b64('AWS:token'); // 'QVdTOnRva2Vu'
  assert.equal(b64('AWS:a'), 'QVdTOmE=');
  for (const bad of [
    `Basic ${good.slice(0, -1)}`, // wrong length
    `Basic ${b64('AWS:tok').replace(/=+$/, '')}`, // unpadded
    `Basic ${Buffer.from('AWS:t?>').toString('base64url')}`, // url alphabet
    `Basic ${good.slice(0, 4)} ${good.slice(4)}`, // inner space
    `Basic ${good}\n`,
    'Basic !!!!',
    'Basic ====',
    'Basic QQ=A',
    'Basic QVdTOmF=', // 'QVdTOmE=' is AWS:a; F sets a spare bit
    'Basic',
    'Basic ',
  ]) {
    assert.deepEqual(parseBasicAuthorization(bad), { ok: false, reason: 'malformed' }, JSON.stringify(bad));
  }
});

test('control characters in either half are refused', () => {
  assert.deepEqual(parseBasicAuthorization(`Basic ${b64('AWS:tok\nen')}`), { ok: false, reason: 'malformed' });
  assert.deepEqual(parseBasicAuthorization(`Basic ${b64('A\x00WS:token')}`), { ok: false, reason: 'malformed' });
});

test('other schemes, no header and repeated headers are told apart', () => {
  assert.deepEqual(parseBasicAuthorization(undefined), { ok: false, reason: 'missing' });
  assert.deepEqual(parseBasicAuthorization(''), { ok: false, reason: 'missing' });
  assert.deepEqual(parseBasicAuthorization('Bearer abc.def'), { ok: false, reason: 'not-basic' });
  assert.deepEqual(parseBasicAuthorization('AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=00'), { ok: false, reason: 'not-basic' });
  assert.deepEqual(parseBasicAuthorization(`Basicx ${b64('a:b')}`), { ok: false, reason: 'not-basic' });
  assert.deepEqual(parseBasicAuthorization(['Basic a', 'Basic b']), { ok: false, reason: 'malformed' });
});

test('oversized headers are refused before decoding', () => {
  const atLimit = `Basic ${b64(`AWS:${'x'.repeat(3000)}`)}`;
  assert.ok(atLimit.length <= MAX_AUTHORIZATION_LENGTH);
  assert.equal(parseBasicAuthorization(atLimit).ok, true);
  const over = `Basic ${b64(`AWS:${'x'.repeat(3100)}`)}`;
  assert.ok(over.length > MAX_AUTHORIZATION_LENGTH);
  assert.deepEqual(parseBasicAuthorization(over), { ok: false, reason: 'too-long' });
  assert.deepEqual(parseBasicAuthorization('Bearer '.padEnd(1_000_000, 'x')), { ok: false, reason: 'too-long' });
});

test('authorizationTokenFor is what docker login -u AWS -p <token> sends, and decodes back to the token', () => {
  const key = Buffer.alloc(32, 1);
  const { token } = issueToken({ accountId: '111122223333', principalArn: 'arn:aws:iam::111122223333:user/alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }, key, Date.now());
  const authorizationToken = authorizationTokenFor(token);
  // docker (and skopeo) send Basic base64(username ":" password) with the standard padded alphabet.
  assert.equal(authorizationToken, Buffer.from(`AWS:${token}`).toString('base64'));
  assert.match(authorizationToken, /^\S+$/, "ECR's AuthorizationData pattern");
  const parsed = parseBasicAuthorization(`Basic ${authorizationToken}`);
  assert.deepEqual(parsed, { ok: true, username: 'AWS', password: token });
  assert.ok(parsed.ok && verifyToken(parsed.password, key).ok);
  assert.throws(() => authorizationTokenFor(''), TypeError);
  assert.throws(() => authorizationTokenFor('a b'), TypeError);
});

test('WWW-Authenticate names the realm and the ECR service, with the realm safely quoted', () => {
  assert.equal(wwwAuthenticateBasic('https://111122223333.dkr.ecr.us-east-1.amazonaws.com/'), 'Basic realm="https://111122223333.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"');
  assert.equal(wwwAuthenticateBasic('a"b\\c'), 'Basic realm="a\\"b\\\\c",service="ecr.amazonaws.com"');
  const injected = wwwAuthenticateBasic('x"\r\nSet-Cookie: a=b');
  assert.equal(injected, 'Basic realm="x\\"%0D%0ASet-Cookie: a=b",service="ecr.amazonaws.com"');
  assert.equal(wwwAuthenticateBasic('Zürich \ud800'), 'Basic realm="Z%C3%BCrich %EF%BF%BD",service="ecr.amazonaws.com"');
  for (const realm of ['plain', 'a"b', '\u0000\u007f\u2028', '😀"\\']) {
    assert.match(wwwAuthenticateBasic(realm), /^Basic realm="(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*",service="ecr\.amazonaws\.com"$/, JSON.stringify(realm));
  }
});
