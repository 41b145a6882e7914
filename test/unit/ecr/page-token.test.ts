import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EcrError } from '../../../src/ecr/ecr-context.ts';
import { decodePageToken, encodePageToken } from '../../../src/ecr/page-token.ts';

const DIGEST = `sha256:${'0f'.repeat(32)}`;

test('a token round-trips the position it was made from', () => {
  assert.deepEqual(decodePageToken(encodePageToken([DIGEST]), 1), [DIGEST]);
  assert.deepEqual(decodePageToken(encodePageToken([DIGEST, 'v1']), 2), [DIGEST, 'v1']);
  assert.deepEqual(decodePageToken(encodePageToken([DIGEST, '']), 2), [DIGEST, '']);
});

test('no token or an empty one starts at the beginning', () => {
  assert.equal(decodePageToken(undefined, 1), undefined);
  assert.equal(decodePageToken('', 1), undefined);
});

test('a token this registry did not issue is an InvalidParameterException', () => {
  const bad = [
    'not-a-token',
    Buffer.from('sha256:abc').toString('base64url'),
    encodePageToken(['not-a-digest']),
    encodePageToken([DIGEST, 'v1']), // right content, wrong operation (one part expected)
    Buffer.from(JSON.stringify({ digest: DIGEST })).toString('base64url'),
    Buffer.from(JSON.stringify([DIGEST, 7])).toString('base64url'),
  ];
  for (const token of bad) {
    assert.throws(
      () => decodePageToken(token, 1),
      (error: unknown) => error instanceof EcrError && error.code === 'InvalidParameterException' && /nextToken/.test(error.message),
      token,
    );
  }
});
