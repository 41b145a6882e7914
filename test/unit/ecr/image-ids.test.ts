import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkImageId } from '../../../src/ecr/image-ids.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

test('an id with a valid tag, digest or both passes the check', () => {
  assert.equal(checkImageId({ imageTag: 'v1.2_rc-3' }), undefined);
  assert.equal(checkImageId({ imageDigest: DIGEST }), undefined);
  assert.equal(checkImageId({ imageDigest: DIGEST, imageTag: 'latest' }), undefined);
});

test('an id naming nothing is MissingDigestAndTag', () => {
  assert.equal(checkImageId({})?.failureCode, 'MissingDigestAndTag');
});

test('a malformed digest is InvalidImageDigest, checked before the tag', () => {
  for (const imageDigest of ['sha256:abc', 'md5:' + 'a'.repeat(32), 'latest', `sha256:${'AB'.repeat(32)}`]) {
    const failure = checkImageId({ imageDigest, imageTag: '-bad' });
    assert.equal(failure?.failureCode, 'InvalidImageDigest', imageDigest);
    assert.deepEqual(failure?.imageId, { imageDigest, imageTag: '-bad' });
    assert.match(failure!.failureReason, new RegExp(imageDigest.slice(0, 6)));
  }
});

test('a tag outside the tag grammar is InvalidImageTag', () => {
  for (const imageTag of ['-x', '.x', 'a/b', 'a:b', 'x'.repeat(129)]) {
    assert.equal(checkImageId({ imageTag })?.failureCode, 'InvalidImageTag', imageTag);
  }
});
