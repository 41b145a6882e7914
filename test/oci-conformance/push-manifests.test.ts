// OCI distribution-spec conformance: the Push workflow for manifests (end-7) across the four
// manifest media types: OCI image manifest, OCI image index, Docker schema2 manifest and
// Docker manifest list; by tag and by digest; with and without a `mediaType` field.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  useRegistry,
  pushBlob,
  pushImage,
  putManifest,
  pushManifest,
  expectStatus,
  expectHeader,
  expectHeaderEquals,
  expectBodyEquals,
  expectEmptyBody,
  describeExchange,
} from './harness.ts';
import type { Exchange, RegistryClient } from './harness.ts';
import {
  MEDIA,
  ociImage,
  dockerImage,
  ociManifest,
  ociIndex,
  dockerManifestList,
  manifestDescriptor,
  descriptorOf,
  configBlob,
  emptyJsonBlob,
  randomBlob,
  digestOf,
  uniqueRepo,
} from '../helpers/oci-conformance-fixtures.ts';
import type { ManifestDoc } from '../helpers/oci-conformance-fixtures.ts';

const registry = useRegistry();
const ACCEPT_ALL = [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerManifestList].join(', ');

/** 201 with a pullable Location and the manifest digest in Docker-Content-Digest. */
async function expectManifestCreated(client: RegistryClient, put: Exchange, doc: ManifestDoc): Promise<void> {
  expectStatus(put, 201);
  expectHeaderEquals(put, 'docker-content-digest', doc.digest);
  const location = expectHeader(put, 'location');
  const pulled = await client.get(location, { headers: { accept: ACCEPT_ALL } });
  expectStatus(pulled, 200);
  expectBodyEquals(pulled, doc.bytes);
}

/** GET and HEAD by the reference return the stored bytes, media type, digest and size. */
async function expectServed(client: RegistryClient, repo: string, reference: string, doc: ManifestDoc, accept = ACCEPT_ALL): Promise<void> {
  const get = await client.get(`/v2/${repo}/manifests/${reference}`, { headers: { accept } });
  expectStatus(get, 200);
  expectBodyEquals(get, doc.bytes);
  expectHeaderEquals(get, 'content-type', doc.mediaType);
  expectHeaderEquals(get, 'docker-content-digest', doc.digest);
  const head = await client.head(`/v2/${repo}/manifests/${reference}`, { headers: { accept } });
  expectStatus(head, 200);
  expectHeaderEquals(head, 'content-type', doc.mediaType);
  expectHeaderEquals(head, 'docker-content-digest', doc.digest);
  expectHeaderEquals(head, 'content-length', String(doc.size));
  expectEmptyBody(head);
}

describe('push: OCI image manifests', () => {
  const repo = uniqueRepo('push/oci-manifests');
  const image = ociImage(2, 256);

  before(async () => {
    await pushBlob(registry(), repo, image.config);
    for (const layer of image.layers) await pushBlob(registry(), repo, layer);
  });

  it('GET of a manifest that was never pushed returns 404', async () => {
    const res = await registry().get(`/v2/${repo}/manifests/never-pushed`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(res, 404);
  });

  it('PUT by tag returns 201 with Location and Docker-Content-Digest', async () => {
    const put = await putManifest(registry(), repo, 'test0', image.manifest);
    await expectManifestCreated(registry(), put, image.manifest);
    await expectServed(registry(), repo, 'test0', image.manifest);
  });

  it('the same manifest can be pushed under several tags', async () => {
    for (const tag of ['test1', 'test2', 'test3']) {
      const put = await putManifest(registry(), repo, tag, image.manifest);
      await expectManifestCreated(registry(), put, image.manifest);
    }
    for (const tag of ['test0', 'test1', 'test2', 'test3']) await expectServed(registry(), repo, tag, image.manifest);
  });

  it('GET by digest returns the manifest pushed by tag', async () => {
    await expectServed(registry(), repo, image.manifest.digest, image.manifest, MEDIA.ociManifest);
  });

  it('PUT by digest returns 201 and the manifest is pullable by that digest', async () => {
    const other = ociImage(1, 64);
    await pushBlob(registry(), repo, other.config);
    await pushBlob(registry(), repo, other.layers[0]!);
    const put = await putManifest(registry(), repo, other.manifest.digest, other.manifest);
    await expectManifestCreated(registry(), put, other.manifest);
    await expectServed(registry(), repo, other.manifest.digest, other.manifest);
  });

  it('PUT by a sha512 digest returns 201 and the manifest is pullable by that digest', async () => {
    const other = ociImage(1, 64);
    await pushBlob(registry(), repo, other.config);
    await pushBlob(registry(), repo, other.layers[0]!);
    const sha512 = digestOf(other.manifest.bytes, 'sha512');
    const put = await putManifest(registry(), repo, sha512, other.manifest);
    expectStatus(put, 201);
    expectHeader(put, 'location');
    // The header MAY carry the registry's canonical algorithm, but must name these bytes.
    const header = expectHeader(put, 'docker-content-digest');
    assert.ok([sha512, other.manifest.digest].includes(header), `unexpected Docker-Content-Digest\n${describeExchange(put)}`);
    const get = await registry().get(`/v2/${repo}/manifests/${sha512}`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(get, 200);
    expectBodyEquals(get, other.manifest.bytes);
    expectHeaderEquals(get, 'content-type', MEDIA.ociManifest);
    const head = await registry().head(`/v2/${repo}/manifests/${sha512}`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(head, 200);
    expectHeaderEquals(head, 'content-length', String(other.manifest.size));
  });

  it('a manifest with no layers is accepted', async () => {
    const config = configBlob();
    await pushBlob(registry(), repo, config);
    const doc = ociManifest({ config: descriptorOf(config, MEDIA.ociConfig), layers: [] });
    const put = await putManifest(registry(), repo, 'emptylayer', doc);
    await expectManifestCreated(registry(), put, doc);
  });

  it('a manifest without a mediaType field is accepted and served with the Content-Type it was pushed with', async () => {
    const config = configBlob();
    const layer = randomBlob(128);
    await pushBlob(registry(), repo, config);
    await pushBlob(registry(), repo, layer);
    const doc = ociManifest({ config: descriptorOf(config, MEDIA.ociConfig), layers: [descriptorOf(layer, MEDIA.ociLayer)], omitMediaType: true });
    assert.equal('mediaType' in doc.json, false);
    const put = await putManifest(registry(), repo, 'no-media-type', doc);
    await expectManifestCreated(registry(), put, doc);
    await expectServed(registry(), repo, 'no-media-type', doc);
  });

  it('parameters on the Content-Type of a PUT are ignored (SHOULD)', async () => {
    const other = ociImage(1, 48);
    await pushBlob(registry(), repo, other.config);
    await pushBlob(registry(), repo, other.layers[0]!);
    const put = await putManifest(registry(), repo, 'with-params', other.manifest, `${MEDIA.ociManifest}; charset=utf-8`);
    await expectManifestCreated(registry(), put, other.manifest);
    await expectServed(registry(), repo, 'with-params', other.manifest);
  });

  it('an artifact manifest (artifactType, empty config, custom layer type) is accepted', async () => {
    const empty = emptyJsonBlob();
    assert.equal(empty.digest, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    const payload = randomBlob(200);
    await pushBlob(registry(), repo, empty);
    await pushBlob(registry(), repo, payload);
    const doc = ociManifest({
      artifactType: 'application/vnd.example.thing.v1',
      config: descriptorOf(empty, MEDIA.ociEmpty),
      layers: [descriptorOf(payload, 'application/vnd.example.thing.layer.v1+tar')],
      annotations: { 'org.example.note': 'artifact' },
    });
    const put = await putManifest(registry(), repo, 'artifact', doc);
    await expectManifestCreated(registry(), put, doc);
    await expectServed(registry(), repo, 'artifact', doc);
  });

  it('pushing a different manifest to an existing tag moves the tag; the old one stays by digest', async () => {
    const first = ociImage(1, 32);
    const second = ociImage(1, 32);
    await pushImage(registry(), repo, first, 'moving');
    await pushImage(registry(), repo, second, 'moving');
    await expectServed(registry(), repo, 'moving', second.manifest);
    await expectServed(registry(), repo, first.manifest.digest, first.manifest);
  });

  it('a 1 MiB manifest is accepted and returned byte for byte', async () => {
    const config = configBlob();
    await pushBlob(registry(), repo, config);
    const annotations: Record<string, string> = {};
    for (let i = 0; i < 64; i++) annotations[`org.example.filler.${i}`] = 'x'.repeat(16 * 1024);
    const doc = ociManifest({ config: descriptorOf(config, MEDIA.ociConfig), layers: [], annotations });
    assert.ok(doc.size > 1024 * 1024);
    const put = await putManifest(registry(), repo, 'big', doc);
    await expectManifestCreated(registry(), put, doc);
  });
});

describe('push: OCI image index', () => {
  const repo = uniqueRepo('push/oci-index');
  const amd64 = ociImage(1, 128);
  const arm64 = ociImage(1, 128);

  before(async () => {
    await pushImage(registry(), repo, amd64);
    await pushImage(registry(), repo, arm64);
  });

  function indexOf(omitMediaType = false): ManifestDoc {
    return ociIndex({
      manifests: [
        manifestDescriptor(amd64.manifest, { platform: { architecture: 'amd64', os: 'linux' } }),
        manifestDescriptor(arm64.manifest, { platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }),
      ],
      annotations: omitMediaType ? { 'org.example.variant': 'no-media-type' } : undefined,
      omitMediaType,
    });
  }

  it('PUT of an index by tag returns 201 and it is served as an OCI index', async () => {
    const index = indexOf();
    const put = await putManifest(registry(), repo, 'multi', index);
    await expectManifestCreated(registry(), put, index);
    await expectServed(registry(), repo, 'multi', index);
    await expectServed(registry(), repo, index.digest, index, MEDIA.ociIndex);
  });

  it('PUT of an index by digest returns 201', async () => {
    const index = ociIndex({ manifests: [manifestDescriptor(amd64.manifest)], annotations: { 'org.example.by': 'digest' } });
    const put = await putManifest(registry(), repo, index.digest, index);
    await expectManifestCreated(registry(), put, index);
    await expectServed(registry(), repo, index.digest, index);
  });

  it('an index without a mediaType field is accepted with Content-Type and served as an index', async () => {
    const index = indexOf(true);
    assert.equal('mediaType' in index.json, false);
    const put = await putManifest(registry(), repo, 'multi-no-media-type', index);
    await expectManifestCreated(registry(), put, index);
    await expectServed(registry(), repo, 'multi-no-media-type', index);
  });

  it('the child manifests of an index stay pullable by digest', async () => {
    await expectServed(registry(), repo, amd64.manifest.digest, amd64.manifest);
    await expectServed(registry(), repo, arm64.manifest.digest, arm64.manifest);
  });
});

describe('push: Docker schema2 manifest and manifest list', () => {
  const repo = uniqueRepo('push/docker');
  const first = dockerImage(2, 200);
  const second = dockerImage(1, 200);

  it('PUT of a schema2 manifest by tag returns 201 and it is served as schema2', async () => {
    await pushBlob(registry(), repo, first.config);
    for (const layer of first.layers) await pushBlob(registry(), repo, layer);
    const put = await putManifest(registry(), repo, 'docker-v2', first.manifest);
    await expectManifestCreated(registry(), put, first.manifest);
    await expectServed(registry(), repo, 'docker-v2', first.manifest, MEDIA.dockerManifest);
    await expectServed(registry(), repo, first.manifest.digest, first.manifest);
  });

  it('PUT of a schema2 manifest by digest returns 201', async () => {
    await pushBlob(registry(), repo, second.config);
    await pushBlob(registry(), repo, second.layers[0]!);
    const put = await putManifest(registry(), repo, second.manifest.digest, second.manifest);
    await expectManifestCreated(registry(), put, second.manifest);
    await expectServed(registry(), repo, second.manifest.digest, second.manifest, MEDIA.dockerManifest);
  });

  it('PUT of a manifest list returns 201 and it is served as a manifest list', async () => {
    const list = dockerManifestList([
      manifestDescriptor(first.manifest, { platform: { architecture: 'amd64', os: 'linux' } }),
      manifestDescriptor(second.manifest, { platform: { architecture: 'arm', os: 'linux', variant: 'v7' } }),
    ]);
    const put = await putManifest(registry(), repo, 'docker-list', list);
    await expectManifestCreated(registry(), put, list);
    await expectServed(registry(), repo, 'docker-list', list, MEDIA.dockerManifestList);
    await expectServed(registry(), repo, list.digest, list);
  });

  it('tags of Docker and OCI manifests are listed together', async () => {
    const image = ociImage(1, 16);
    await pushImage(registry(), repo, image, 'oci-too');
    const res = await registry().get(`/v2/${repo}/tags/list`);
    expectStatus(res, 200);
    const body = res.json<{ name: string; tags: string[] }>();
    assert.equal(body.name, repo, describeExchange(res));
    assert.deepEqual([...body.tags].sort(), ['docker-list', 'docker-v2', 'oci-too'], describeExchange(res));
  });
});

describe('push: manifests that reference other manifests', () => {
  const repo = uniqueRepo('push/references');

  it('an image manifest may be pushed before the manifest it names as subject', async () => {
    const empty = emptyJsonBlob();
    await pushBlob(registry(), repo, empty);
    const subject = ociImage(1, 16).manifest; // never pushed
    const doc = ociManifest({
      artifactType: 'application/vnd.example.early.v1',
      config: descriptorOf(empty, MEDIA.ociEmpty),
      layers: [descriptorOf(empty, MEDIA.ociEmpty)],
      subject: manifestDescriptor(subject),
    });
    const put = await putManifest(registry(), repo, doc.digest, doc);
    await expectManifestCreated(registry(), put, doc);
  });

  it('an index whose children are all in the repository can be pushed by digest only', async () => {
    const child = ociImage(1, 16);
    await pushImage(registry(), repo, child);
    const index = ociIndex({ manifests: [manifestDescriptor(child.manifest)] });
    await pushManifest(registry(), repo, index.digest, index);
    const res = await registry().get(`/v2/${repo}/manifests/${index.digest}`, { headers: { accept: MEDIA.ociIndex } });
    expectStatus(res, 200);
    expectBodyEquals(res, index.bytes);
  });
});
