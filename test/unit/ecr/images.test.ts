import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageIdsOf, keepImage } from '../../../src/ecr/images.ts';

const DIGEST = `sha256:${'1'.repeat(64)}`;

test('tagStatus: TAGGED keeps tagged images, UNTAGGED untagged ones, ANY (the default) both', () => {
  const tagged = { tags: ['v1'] };
  const untagged = { tags: [] };
  assert.equal(keepImage(tagged, { tagStatus: 'TAGGED' }), true);
  assert.equal(keepImage(untagged, { tagStatus: 'TAGGED' }), false);
  assert.equal(keepImage(tagged, { tagStatus: 'UNTAGGED' }), false);
  assert.equal(keepImage(untagged, { tagStatus: 'UNTAGGED' }), true);
  for (const image of [tagged, untagged]) {
    assert.equal(keepImage(image, { tagStatus: 'ANY' }), true);
    assert.equal(keepImage(image, undefined), true);
  }
});

test('imageStatus: every image is ACTIVE, so ARCHIVED and ACTIVATING keep none', () => {
  assert.equal(keepImage({ tags: ['v1'] }, { imageStatus: 'ACTIVE' }), true);
  assert.equal(keepImage({ tags: ['v1'] }, { imageStatus: 'ANY' }), true);
  assert.equal(keepImage({ tags: ['v1'] }, { imageStatus: 'ARCHIVED' }), false);
  assert.equal(keepImage({ tags: [] }, { imageStatus: 'ACTIVATING', tagStatus: 'UNTAGGED' }), false);
});

test('an image lists one id per tag, or its digest alone when untagged', () => {
  assert.deepEqual(imageIdsOf({ digest: DIGEST, tags: [] }), [{ imageDigest: DIGEST }]);
  assert.deepEqual(imageIdsOf({ digest: DIGEST, tags: ['a', 'b'] }), [
    { imageDigest: DIGEST, imageTag: 'a' },
    { imageDigest: DIGEST, imageTag: 'b' },
  ]);
});
