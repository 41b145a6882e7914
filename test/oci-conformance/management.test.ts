// OCI distribution-spec conformance: the Content Management workflow: deleting tags,
// manifests and blobs (end-9, end-10) and what the registry serves afterwards.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  useRegistry,
  pushBlob,
  pushImage,
  putManifest,
  expectStatus,
  expectEmptyBody,
  expectBodyEquals,
  expectError,
  describeExchange,
} from './harness.ts';
import type { Exchange } from './harness.ts';
import { MEDIA, ociImage, dockerImage, ociIndex, manifestDescriptor, randomBlob, uniqueRepo, unknownDigest, randomId } from '../helpers/oci-conformance-fixtures.ts';

const registry = useRegistry();
const ACCEPT = { accept: [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerManifestList].join(', ') };

async function tagList(repo: string): Promise<string[]> {
  const res = await registry().get(`/v2/${repo}/tags/list`);
  expectStatus(res, 200);
  return res.json<{ tags: string[] | null }>().tags ?? [];
}

function del(path: string): Promise<Exchange> {
  return registry().request('DELETE', path);
}

describe('management: deleting tags', () => {
  const repo = uniqueRepo('manage/tags');
  const image = ociImage(1, 64);

  before(async () => {
    await pushImage(registry(), repo, image, 'tagtest0');
    expectStatus(await putManifest(registry(), repo, 'keep-me', image.manifest), 201);
  });

  it('DELETE of a tag returns 202', async () => {
    const before = await tagList(repo);
    assert.deepEqual(before, ['keep-me', 'tagtest0']);
    const res = await del(`/v2/${repo}/manifests/tagtest0`);
    expectStatus(res, 202);
  });

  it('the deleted tag is gone: GET and HEAD return 404, GET says MANIFEST_UNKNOWN', async () => {
    expectError(await registry().get(`/v2/${repo}/manifests/tagtest0`, { headers: ACCEPT }), 404, 'MANIFEST_UNKNOWN');
    const head = await registry().head(`/v2/${repo}/manifests/tagtest0`, { headers: ACCEPT });
    expectStatus(head, 404);
    expectEmptyBody(head);
  });

  it('the tag list reflects the deletion', async () => {
    assert.deepEqual(await tagList(repo), ['keep-me']);
  });

  it('deleting a tag leaves the manifest and its other tags in place', async () => {
    const byDigest = await registry().get(`/v2/${repo}/manifests/${image.manifest.digest}`, { headers: ACCEPT });
    expectStatus(byDigest, 200);
    expectBodyEquals(byDigest, image.manifest.bytes);
    const other = await registry().get(`/v2/${repo}/manifests/keep-me`, { headers: ACCEPT });
    expectStatus(other, 200);
    expectBodyEquals(other, image.manifest.bytes);
  });

  it('DELETE of a tag that does not exist returns 404 MANIFEST_UNKNOWN', async () => {
    expectError(await del(`/v2/${repo}/manifests/never-was-${randomId(4)}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('a deleted tag can be pushed again', async () => {
    expectStatus(await putManifest(registry(), repo, 'tagtest0', image.manifest), 201);
    assert.deepEqual(await tagList(repo), ['keep-me', 'tagtest0']);
  });
});

describe('management: deleting manifests', () => {
  const repo = uniqueRepo('manage/manifests');
  const image = ociImage(1, 64);
  const survivor = ociImage(1, 64);

  before(async () => {
    await pushImage(registry(), repo, image, 'doomed-1');
    expectStatus(await putManifest(registry(), repo, 'doomed-2', image.manifest), 201);
    await pushImage(registry(), repo, survivor, 'survivor');
  });

  it('DELETE of a manifest by digest returns 202', async () => {
    assert.deepEqual(await tagList(repo), ['doomed-1', 'doomed-2', 'survivor']);
    expectStatus(await del(`/v2/${repo}/manifests/${image.manifest.digest}`), 202);
  });

  it('the deleted manifest is gone by digest: GET 404 MANIFEST_UNKNOWN, HEAD 404', async () => {
    expectError(await registry().get(`/v2/${repo}/manifests/${image.manifest.digest}`, { headers: ACCEPT }), 404, 'MANIFEST_UNKNOWN');
    expectStatus(await registry().head(`/v2/${repo}/manifests/${image.manifest.digest}`, { headers: ACCEPT }), 404);
  });

  it('tags that pointed at the deleted manifest return 404 and leave the tag list', async () => {
    expectStatus(await registry().get(`/v2/${repo}/manifests/doomed-1`, { headers: ACCEPT }), 404);
    expectStatus(await registry().get(`/v2/${repo}/manifests/doomed-2`, { headers: ACCEPT }), 404);
    assert.deepEqual(await tagList(repo), ['survivor']);
  });

  it('other manifests in the repository are untouched', async () => {
    const res = await registry().get(`/v2/${repo}/manifests/survivor`, { headers: ACCEPT });
    expectStatus(res, 200);
    expectBodyEquals(res, survivor.manifest.bytes);
  });

  it('deleting the same digest again returns 404 MANIFEST_UNKNOWN', async () => {
    expectError(await del(`/v2/${repo}/manifests/${image.manifest.digest}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('deleting a digest that was never pushed returns 404 MANIFEST_UNKNOWN', async () => {
    expectError(await del(`/v2/${repo}/manifests/${unknownDigest()}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('deleting a manifest in a repository that does not exist returns 404', async () => {
    const res = await del(`/v2/${uniqueRepo(`manage/missing-${randomId()}`)}/manifests/${image.manifest.digest}`);
    expectError(res, 404, ['NAME_UNKNOWN', 'MANIFEST_UNKNOWN']);
  });

  it('a deleted manifest can be pushed again and is served again', async () => {
    expectStatus(await putManifest(registry(), repo, 'reborn', image.manifest), 201);
    const res = await registry().get(`/v2/${repo}/manifests/${image.manifest.digest}`, { headers: ACCEPT });
    expectStatus(res, 200);
    expectBodyEquals(res, image.manifest.bytes);
  });

  it('deleting an index leaves its child manifests in place', async () => {
    const child = ociImage(1, 32);
    await pushImage(registry(), repo, child);
    const index = ociIndex({ manifests: [manifestDescriptor(child.manifest)] });
    expectStatus(await putManifest(registry(), repo, 'an-index', index), 201);
    expectStatus(await del(`/v2/${repo}/manifests/${index.digest}`), 202);
    expectStatus(await registry().get(`/v2/${repo}/manifests/an-index`, { headers: ACCEPT }), 404);
    const res = await registry().get(`/v2/${repo}/manifests/${child.manifest.digest}`, { headers: ACCEPT });
    expectStatus(res, 200);
    expectBodyEquals(res, child.manifest.bytes);
  });

  it('a Docker schema2 manifest can be deleted by digest', async () => {
    const docker = dockerImage(1, 32);
    await pushImage(registry(), repo, docker, 'docker');
    expectStatus(await del(`/v2/${repo}/manifests/${docker.manifest.digest}`), 202);
    expectError(await registry().get(`/v2/${repo}/manifests/${docker.manifest.digest}`, { headers: ACCEPT }), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('management: deleting blobs', () => {
  const repo = uniqueRepo('manage/blobs');
  const image = ociImage(1, 256);

  before(async () => {
    await pushImage(registry(), repo, image, 'tagtest0');
    // Management order used by the reference suite: the manifest goes before its blobs.
    expectStatus(await del(`/v2/${repo}/manifests/${image.manifest.digest}`), 202);
  });

  it('DELETE of the config blob returns 202', async () => {
    expectStatus(await del(`/v2/${repo}/blobs/${image.config.digest}`), 202);
  });

  it('DELETE of the layer blob returns 202', async () => {
    expectStatus(await del(`/v2/${repo}/blobs/${image.layers[0]!.digest}`), 202);
  });

  it('a deleted blob is gone: GET 404 BLOB_UNKNOWN, HEAD 404 without a body', async () => {
    expectError(await registry().get(`/v2/${repo}/blobs/${image.config.digest}`), 404, 'BLOB_UNKNOWN');
    const head = await registry().head(`/v2/${repo}/blobs/${image.layers[0]!.digest}`);
    expectStatus(head, 404);
    expectEmptyBody(head);
  });

  it('deleting the same blob again returns 404 BLOB_UNKNOWN', async () => {
    expectError(await del(`/v2/${repo}/blobs/${image.config.digest}`), 404, 'BLOB_UNKNOWN');
  });

  it('deleting a blob that was never pushed returns 404 BLOB_UNKNOWN', async () => {
    expectError(await del(`/v2/${repo}/blobs/${unknownDigest()}`), 404, 'BLOB_UNKNOWN');
  });

  it('a deleted blob can be uploaded again', async () => {
    await pushBlob(registry(), repo, image.config);
    const res = await registry().get(`/v2/${repo}/blobs/${image.config.digest}`);
    expectStatus(res, 200);
    expectBodyEquals(res, image.config.bytes);
  });

  it('deleting a blob in one repository leaves it available in another', async () => {
    const shared = randomBlob(300);
    const other = uniqueRepo('manage/blobs-other');
    await pushBlob(registry(), repo, shared);
    await pushBlob(registry(), other, shared);
    expectStatus(await del(`/v2/${repo}/blobs/${shared.digest}`), 202);
    expectStatus(await registry().head(`/v2/${repo}/blobs/${shared.digest}`), 404);
    const res = await registry().get(`/v2/${other}/blobs/${shared.digest}`);
    expectStatus(res, 200);
    expectBodyEquals(res, shared.bytes);
  });

  it('a sha512 blob can be deleted by its sha512 digest', async () => {
    const blob = randomBlob(256, 'sha512');
    await pushBlob(registry(), repo, blob);
    const res = await del(`/v2/${repo}/blobs/${blob.digest}`);
    expectStatus(res, 202);
    const after = await registry().get(`/v2/${repo}/blobs/${blob.digest}`);
    assert.equal(after.status, 404, describeExchange(after));
  });
});
