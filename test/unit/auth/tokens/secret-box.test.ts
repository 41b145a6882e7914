import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSecret, sealSecret } from '../../../../src/auth/tokens/secret-box.ts';

const key = randomBytes(32);

test('a sealed secret opens with the same key, and every seal differs', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const a = sealSecret(secret, key);
  const b = sealSecret(secret, key);
  assert.notDeepEqual(a, b, 'a fresh IV per seal');
  assert.ok(!a.includes(Buffer.from(secret)), 'the plaintext is not in the box');
  assert.equal(openSecret(a, key), secret);
  assert.equal(openSecret(b, key), secret);
});

test('another key, an altered byte, a truncated box or an unknown version open nothing', () => {
  const sealed = sealSecret('secret', key);
  assert.equal(openSecret(sealed, randomBytes(32)), undefined);
  for (const index of [0, 5, 20, sealed.length - 1]) {
    const altered = Buffer.from(sealed);
    altered[index] = altered[index]! ^ 0x01;
    assert.equal(openSecret(altered, key), undefined, `byte ${index}`);
  }
  assert.equal(openSecret(sealed.subarray(0, 20), key), undefined);
  assert.equal(openSecret(Buffer.alloc(0), key), undefined);
});

test('a short server key is a programming error', () => {
  assert.throws(() => sealSecret('x', randomBytes(16)), TypeError);
});
