import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isDigest, looksLikeDigest, parseDigest } from '../../../src/model/digest.ts';

const SHA256 = createHash('sha256').update('berth').digest('hex');
const SHA512 = createHash('sha512').update('berth').digest('hex');

test('valid sha256 and sha512 digests parse into algorithm, hex and value', () => {
  assert.deepEqual(parseDigest(`sha256:${SHA256}`), { algorithm: 'sha256', hex: SHA256, value: `sha256:${SHA256}` });
  assert.deepEqual(parseDigest(`sha512:${SHA512}`), { algorithm: 'sha512', hex: SHA512, value: `sha512:${SHA512}` });
  assert.equal(isDigest(parseDigest(`sha256:${'0'.repeat(64)}`)), true);
});

test('uppercase hex is rejected as malformed', () => {
  assert.equal(parseDigest(`sha256:${SHA256.toUpperCase()}`), 'malformed');
  assert.equal(parseDigest(`sha256:${SHA256.slice(0, 63)}A`), 'malformed');
  assert.equal(parseDigest(`sha512:${SHA512.toUpperCase()}`), 'malformed');
  assert.equal(parseDigest(`SHA256:${SHA256}`), 'malformed', 'uppercase algorithm');
});

test('wrong length for the algorithm is malformed', () => {
  assert.equal(parseDigest(`sha256:${SHA256.slice(1)}`), 'malformed');
  assert.equal(parseDigest(`sha256:${SHA256}0`), 'malformed');
  assert.equal(parseDigest(`sha256:${SHA512}`), 'malformed', 'sha512 length under sha256');
  assert.equal(parseDigest(`sha512:${SHA256}`), 'malformed', 'sha256 length under sha512');
  assert.equal(parseDigest('sha256:'), 'malformed');
});

test('non-hex encodings are malformed even when the grammar allows them', () => {
  assert.equal(parseDigest(`sha256:${'g'.repeat(64)}`), 'malformed');
  assert.equal(parseDigest(`sha256:${'a'.repeat(63)}=`), 'malformed');
  assert.equal(parseDigest(`sha256:${'a'.repeat(63)}_`), 'malformed');
});

test('unknown but well-formed algorithms are unsupported, not malformed', () => {
  assert.equal(parseDigest(`md5:${'a'.repeat(32)}`), 'unsupported-algorithm');
  assert.equal(parseDigest(`sha384:${'a'.repeat(96)}`), 'unsupported-algorithm');
  assert.equal(parseDigest(`multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8`), 'unsupported-algorithm');
  assert.equal(parseDigest(`sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564`), 'unsupported-algorithm');
});

test('text that is not a digest at all is malformed', () => {
  for (const text of ['', 'latest', SHA256, `:${SHA256}`, `sha256::${SHA256}`, ` sha256:${SHA256}`, `sha256:${SHA256} `, `sha256:${SHA256}\n`, `sha256/${SHA256}`, `sha256:${SHA256}/x`, 'sha-:abc', '-sha:abc']) {
    assert.equal(parseDigest(text), 'malformed', JSON.stringify(text));
  }
});

test('isDigest distinguishes a Digest from a problem', () => {
  assert.equal(isDigest('malformed'), false);
  assert.equal(isDigest('unsupported-algorithm'), false);
});

test('looksLikeDigest is true exactly when there is an algorithm separator', () => {
  assert.equal(looksLikeDigest(`sha256:${SHA256}`), true);
  assert.equal(looksLikeDigest('md5:nonsense'), true);
  assert.equal(looksLikeDigest('latest'), false);
});
