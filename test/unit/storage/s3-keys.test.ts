import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDigest, type Digest } from '../../../src/model/digest.ts';
import { S3Keys } from '../../../src/storage/blob/s3/s3-keys.ts';

const digest = parseDigest(`sha256:${'ab'.repeat(32)}`) as Digest;

test('blob keys fan out by the first two hex digits and map back to their digest', () => {
  const keys = new S3Keys('registry/');
  const key = keys.blob(digest);
  assert.equal(key, `registry/blobs/sha256/ab/${'ab'.repeat(32)}`);
  assert.deepEqual(keys.digestOf(key), digest);
  for (const other of [
    `registry/blobs/sha256/cd/${'ab'.repeat(32)}`,
    `registry/blobs/sha256/ab/${'ab'.repeat(31)}`,
    `registry/blobs/md5/ab/${'ab'.repeat(32)}`,
    `registry/blobs/sha256/ab/${'ab'.repeat(32)}/x`,
    `other/blobs/sha256/ab/${'ab'.repeat(32)}`,
  ]) {
    assert.equal(keys.digestOf(other), undefined, other);
  }
});

test('segment keys sort in byte order and say where they start', () => {
  const keys = new S3Keys('');
  const id = '0c6f3c1e-58a1-4f57-8a43-7b1b4a0b7f0e';
  assert.equal(keys.segment(id, 8 * 1024 * 1024), `uploads/${id}/data/0000000008388608`);
  assert.ok(keys.segment(id, 9) < keys.segment(id, 10));
  assert.deepEqual(keys.uploadObject(keys.segment(id, 42)), { id, kind: 'segment', start: 42 });
  assert.deepEqual(keys.uploadObject(keys.session(id)), { id, kind: 'session' });
  assert.deepEqual(keys.uploadObject(`uploads/${id}/data/12`), { id, kind: 'other' });
  assert.equal(keys.uploadObject(`blobs/${id}/session`), undefined);
});

test('upload ids that could escape their prefix are not upload ids', () => {
  assert.equal(S3Keys.isUploadId('0c6f3c1e-58a1-4f57-8a43-7b1b4a0b7f0e'), true);
  for (const id of ['', '../x', 'a/b', 'a b', 'x'.repeat(129)]) assert.equal(S3Keys.isUploadId(id), false, id);
});
