import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOciPath } from '../../../../src/http/oci/parse-path.ts';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const ENCODED = `sha256%3A${'b'.repeat(64)}`;

test('the base endpoint, with and without a trailing slash', () => {
  assert.deepEqual(parseOciPath('/v2/'), { kind: 'base' });
  assert.deepEqual(parseOciPath('/v2'), { kind: 'base' });
});

test('paths outside /v2/ name nothing', () => {
  for (const path of ['/', '', '/v1/', '/v2x', '/v20/foo/tags/list', '/api/v2/foo/tags/list', 'v2/foo/tags/list']) {
    assert.equal(parseOciPath(path), undefined, path);
  }
});

test('_catalog', () => {
  assert.deepEqual(parseOciPath('/v2/_catalog'), { kind: 'catalog' });
  assert.equal(parseOciPath('/v2/_catalog/'), undefined);
  assert.equal(parseOciPath('/v2/_catalog/extra'), undefined);
  assert.deepEqual(parseOciPath('/v2/_catalog/tags/list'), { kind: 'invalid-name', name: '_catalog' });
});

test('tags list, including names whose components are endpoint words', () => {
  assert.deepEqual(parseOciPath('/v2/alpine/tags/list'), { kind: 'tags', name: 'alpine' });
  assert.deepEqual(parseOciPath('/v2/library/alpine/tags/list'), { kind: 'tags', name: 'library/alpine' });
  assert.deepEqual(parseOciPath('/v2/tags/tags/list'), { kind: 'tags', name: 'tags' });
  assert.deepEqual(parseOciPath('/v2/a/tags/list/tags/list'), { kind: 'tags', name: 'a/tags/list' });
  assert.deepEqual(parseOciPath('/v2/blobs/uploads/tags/list'), { kind: 'tags', name: 'blobs/uploads' });
  assert.deepEqual(parseOciPath('/v2/manifests/latest/tags/list'), { kind: 'tags', name: 'manifests/latest' });
  assert.equal(parseOciPath('/v2/tags/list'), undefined, 'no name');
  assert.equal(parseOciPath('/v2/alpine/tags/list/'), undefined, 'trailing slash');
});

test('manifests by tag and by digest, plain or percent-encoded', () => {
  assert.deepEqual(parseOciPath('/v2/alpine/manifests/latest'), { kind: 'manifest', name: 'alpine', reference: 'latest' });
  assert.deepEqual(parseOciPath(`/v2/library/alpine/manifests/${DIGEST}`), { kind: 'manifest', name: 'library/alpine', reference: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/library/alpine/manifests/${ENCODED}`), { kind: 'manifest', name: 'library/alpine', reference: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/a/manifests/sha256%3a${'b'.repeat(64)}`), { kind: 'manifest', name: 'a', reference: DIGEST }, 'lowercase escape');
  assert.deepEqual(parseOciPath('/v2/manifests/manifests/manifests'), { kind: 'manifest', name: 'manifests', reference: 'manifests' });
  assert.deepEqual(parseOciPath('/v2/a/blobs/manifests/latest'), { kind: 'manifest', name: 'a/blobs', reference: 'latest' });
  assert.deepEqual(parseOciPath('/v2/a/blobs/uploads/manifests/uploads'), { kind: 'manifest', name: 'a/blobs/uploads', reference: 'uploads' });
  assert.deepEqual(parseOciPath('/v2/tags/list/manifests/list'), { kind: 'manifest', name: 'tags/list', reference: 'list' });
  assert.equal(parseOciPath('/v2/alpine/manifests/latest/'), undefined, 'trailing slash');
  assert.equal(parseOciPath('/v2/alpine/manifests/'), undefined, 'empty reference');
  assert.equal(parseOciPath('/v2/manifests/latest'), undefined, 'no name');
  assert.equal(parseOciPath('/v2/alpine/manifests/%zz'), undefined, 'bad escape');
  assert.equal(parseOciPath('/v2/alpine/manifests/%E0%A4%A'), undefined, 'truncated escape');
});

test('blobs, including repositories named after endpoint words', () => {
  assert.deepEqual(parseOciPath(`/v2/alpine/blobs/${DIGEST}`), { kind: 'blob', name: 'alpine', digest: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/a/b/blobs/${ENCODED}`), { kind: 'blob', name: 'a/b', digest: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/blobs/blobs/${DIGEST}`), { kind: 'blob', name: 'blobs', digest: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/x/manifests/blobs/${DIGEST}`), { kind: 'blob', name: 'x/manifests', digest: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/x/blobs/uploads/blobs/${DIGEST}`), { kind: 'blob', name: 'x/blobs/uploads', digest: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/uploads/blobs/${DIGEST}`), { kind: 'blob', name: 'uploads', digest: DIGEST });
  assert.equal(parseOciPath(`/v2/alpine/blobs/${DIGEST}/`), undefined, 'trailing slash');
});

test('upload start, with or without the trailing slash', () => {
  assert.deepEqual(parseOciPath('/v2/alpine/blobs/uploads/'), { kind: 'upload-start', name: 'alpine' });
  assert.deepEqual(parseOciPath('/v2/alpine/blobs/uploads'), { kind: 'upload-start', name: 'alpine' });
  assert.deepEqual(parseOciPath('/v2/a/b/c/blobs/uploads/'), { kind: 'upload-start', name: 'a/b/c' });
  assert.deepEqual(parseOciPath('/v2/blobs/blobs/uploads/'), { kind: 'upload-start', name: 'blobs' });
  assert.deepEqual(parseOciPath('/v2/uploads/blobs/uploads/'), { kind: 'upload-start', name: 'uploads' });
  assert.deepEqual(parseOciPath('/v2/blobs/uploads/blobs/uploads/'), { kind: 'upload-start', name: 'blobs/uploads' });
  assert.deepEqual(parseOciPath('/v2/tags/blobs/uploads'), { kind: 'upload-start', name: 'tags' });
  assert.equal(parseOciPath('/v2/blobs/uploads/'), undefined, 'no name');
  assert.equal(parseOciPath('/v2/blobs/uploads'), undefined, 'no name');
});

test('upload sessions', () => {
  const id = '0f0e9a43-7a5c-4c39-9c1a-2d8f0d3b8e11';
  assert.deepEqual(parseOciPath(`/v2/alpine/blobs/uploads/${id}`), { kind: 'upload', name: 'alpine', id });
  assert.deepEqual(parseOciPath(`/v2/blobs/blobs/uploads/${id}`), { kind: 'upload', name: 'blobs', id });
  assert.deepEqual(parseOciPath(`/v2/a/blobs/uploads/blobs/uploads/${id}`), { kind: 'upload', name: 'a/blobs/uploads', id });
  assert.equal(parseOciPath(`/v2/alpine/blobs/uploads/${id}/`), undefined, 'trailing slash after the id');
  assert.equal(parseOciPath(`/v2/alpine/blobs/uploads/${id}/extra`), undefined);
});

test('referrers', () => {
  assert.deepEqual(parseOciPath(`/v2/alpine/referrers/${DIGEST}`), { kind: 'referrers', name: 'alpine', digest: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/a/b/referrers/${ENCODED}`), { kind: 'referrers', name: 'a/b', digest: DIGEST });
  assert.deepEqual(parseOciPath(`/v2/referrers/referrers/${DIGEST}`), { kind: 'referrers', name: 'referrers', digest: DIGEST });
  assert.equal(parseOciPath('/v2/alpine/referrers/'), undefined);
});

test('invalid names are reported with the name, so the caller can answer NAME_INVALID', () => {
  assert.deepEqual(parseOciPath('/v2/Alpine/manifests/latest'), { kind: 'invalid-name', name: 'Alpine' });
  assert.deepEqual(parseOciPath('/v2/a//b/manifests/latest'), { kind: 'invalid-name', name: 'a//b' });
  assert.deepEqual(parseOciPath('/v2/a/../b/tags/list'), { kind: 'invalid-name', name: 'a/../b' });
  assert.deepEqual(parseOciPath('/v2/a/b//blobs/uploads/'), { kind: 'invalid-name', name: 'a/b/' });
  assert.deepEqual(parseOciPath(`/v2/a___b/blobs/${DIGEST}`), { kind: 'invalid-name', name: 'a___b' });
  assert.deepEqual(parseOciPath('/v2/a%2Fb/manifests/latest'), { kind: 'invalid-name', name: 'a%2Fb' }, 'names are not decoded');
  const long = 'a'.repeat(256);
  assert.deepEqual(parseOciPath(`/v2/${long}/tags/list`), { kind: 'invalid-name', name: long });
  assert.deepEqual(parseOciPath(`/v2/${'a'.repeat(255)}/tags/list`), { kind: 'tags', name: 'a'.repeat(255) });
});

test('unknown endpoints name nothing', () => {
  for (const path of ['/v2/alpine', '/v2/alpine/', '/v2/alpine/tags', '/v2/alpine/tags/', '/v2/alpine/blobs', '/v2/alpine/blobs/', '/v2/alpine/whatever/x', '/v2/alpine/manifests']) {
    assert.equal(parseOciPath(path), undefined, path);
  }
});
