// OCI distribution-spec conformance: error responses. Every 4xx with a JSON body must use the
// envelope {"errors":[{"code","message","detail"}]}; this file provokes each error code of
// the spec's table (code-1 … code-13) from the requests that should produce it.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  useRegistry,
  startUpload,
  pushBlob,
  pushImage,
  putManifest,
  expectStatus,
  expectHeader,
  expectEmptyBody,
  expectError,
  describeExchange,
} from './harness.ts';
import {
  MEDIA,
  ociImage,
  ociManifest,
  ociIndex,
  dockerManifest,
  dockerManifestList,
  manifestDescriptor,
  manifestDoc,
  descriptorOf,
  configBlob,
  randomBlob,
  uniqueRepo,
  unknownDigest,
  randomId,
  ERROR_CODES,
} from '../helpers/oci-conformance-fixtures.ts';

const registry = useRegistry();
const OCTET = { 'content-type': 'application/octet-stream' };
const MISSING_UPLOAD = '3f0c6e3e-5b1d-4b7e-9a43-0d9b1f2c7a11';

describe('errors: the envelope', () => {
  const repo = uniqueRepo('errors/envelope');

  it('error bodies are JSON with a JSON Content-Type and a well-formed errors array', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${unknownDigest()}`);
    const errors = expectError(res, 404, ['BLOB_UNKNOWN', 'NAME_UNKNOWN']);
    const type = expectHeader(res, 'content-type');
    assert.match(type, /^application\/json\b/, describeExchange(res));
    for (const entry of errors) {
      assert.deepEqual(
        Object.keys(entry).filter((key) => !['code', 'message', 'detail'].includes(key)),
        [],
        `error entries carry only code, message and detail\n${describeExchange(res)}`,
      );
    }
  });

  it('HEAD errors carry no body', async () => {
    const res = await registry().head(`/v2/${repo}/manifests/${unknownDigest()}`);
    expectStatus(res, 404);
    expectEmptyBody(res);
  });
});

describe('errors: repository names (NAME_INVALID, NAME_UNKNOWN)', () => {
  it('an uppercase repository name is NAME_INVALID', async () => {
    const res = await registry().get(`/v2/oci-conformance-${randomId()}/Upper/tags/list`);
    expectError(res, [400, 404], 'NAME_INVALID');
  });

  it('starting an upload in an invalid repository name is NAME_INVALID', async () => {
    const res = await registry().request('POST', `/v2/oci-conformance-${randomId()}/bad..name/blobs/uploads/`);
    expectError(res, [400, 404], 'NAME_INVALID');
  });

  it('a repository name of 256 characters or more is NAME_INVALID', async () => {
    const long = `oci-conformance-${randomId()}/${'a'.repeat(250)}`;
    assert.ok(long.length >= 256);
    const res = await registry().request('POST', `/v2/${long}/blobs/uploads/`);
    expectError(res, [400, 404], 'NAME_INVALID');
  });

  it('tags/list of an unknown repository is 404 NAME_UNKNOWN', async () => {
    expectError(await registry().get(`/v2/${uniqueRepo(`errors/unknown-${randomId()}`)}/tags/list`), 404, 'NAME_UNKNOWN');
  });
});

describe('errors: blobs and uploads', () => {
  const repo = uniqueRepo('errors/blobs');

  before(async () => {
    await pushBlob(registry(), repo, randomBlob(32)); // make the repository exist
  });

  it('GET of an unknown blob is 404 BLOB_UNKNOWN', async () => {
    expectError(await registry().get(`/v2/${repo}/blobs/${unknownDigest()}`), 404, 'BLOB_UNKNOWN');
  });

  it('DELETE of an unknown blob is 404 BLOB_UNKNOWN', async () => {
    expectError(await registry().request('DELETE', `/v2/${repo}/blobs/${unknownDigest()}`), 404, 'BLOB_UNKNOWN');
  });

  it('GET of a blob with a malformed digest is 400 DIGEST_INVALID', async () => {
    expectError(await registry().get(`/v2/${repo}/blobs/sha256:totallywrong`), 400, 'DIGEST_INVALID');
  });

  for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
    it(`${method} on an unknown upload session is 404 BLOB_UPLOAD_UNKNOWN`, async () => {
      const blob = randomBlob(16);
      const res = await registry().request(method, `/v2/${repo}/blobs/uploads/${MISSING_UPLOAD}`, {
        query: method === 'PUT' ? { digest: blob.digest } : {},
        headers: method === 'PATCH' || method === 'PUT' ? OCTET : {},
        body: method === 'PATCH' || method === 'PUT' ? blob.bytes : undefined,
      });
      expectError(res, 404, 'BLOB_UPLOAD_UNKNOWN');
    });
  }

  it('PUT that closes an upload without ?digest= is 400 DIGEST_INVALID', async () => {
    const blob = randomBlob(64);
    const { location } = await startUpload(registry(), repo);
    const res = await registry().request('PUT', location, { headers: OCTET, body: blob.bytes });
    expectError(res, 400, 'DIGEST_INVALID');
  });

  it('PUT whose digest does not match the uploaded bytes is 400 DIGEST_INVALID', async () => {
    const blob = randomBlob(64);
    const { location } = await startUpload(registry(), repo);
    const patch = await registry().request('PATCH', location, { headers: OCTET, body: blob.bytes });
    expectStatus(patch, 202);
    const res = await registry().request('PUT', expectHeader(patch, 'location'), { query: { digest: randomBlob(64).digest } });
    expectError(res, 400, 'DIGEST_INVALID');
  });

  it('single POST ?digest= whose digest does not match the body is 400 DIGEST_INVALID', async () => {
    const blob = randomBlob(64);
    const wrong = unknownDigest();
    const res = await registry().request('POST', `/v2/${repo}/blobs/uploads/`, { query: { digest: wrong }, headers: OCTET, body: blob.bytes });
    expectError(res, 400, 'DIGEST_INVALID');
    expectStatus(await registry().head(`/v2/${repo}/blobs/${wrong}`), 404);
  });

  it('a digest with an unsupported algorithm is refused with 400 (UNSUPPORTED or DIGEST_INVALID)', async () => {
    const blob = randomBlob(64);
    const { location } = await startUpload(registry(), repo);
    const res = await registry().request('PUT', location, { query: { digest: `md5:${'0'.repeat(32)}` }, headers: OCTET, body: blob.bytes });
    expectError(res, 400, ['UNSUPPORTED', 'DIGEST_INVALID']);
  });

  it('PATCH with a Content-Range that is not a range is 400 or 416 BLOB_UPLOAD_INVALID', async () => {
    // A lenient registry may accept "bytes=0-15"; text with no numbers at all is never a range.
    // The spec's endpoint table lists 404/416 as PATCH failures, so 416 is as valid as 400.
    const { location } = await startUpload(registry(), repo);
    const res = await registry().request('PATCH', location, { headers: { ...OCTET, 'content-range': 'not-a-range' }, body: randomBlob(16).bytes });
    expectError(res, [400, 416], 'BLOB_UPLOAD_INVALID');
  });

  it('PATCH whose Content-Range length differs from the body length is 400 SIZE_INVALID', async () => {
    const { location } = await startUpload(registry(), repo);
    const res = await registry().request('PATCH', location, { headers: { ...OCTET, 'content-range': '0-99' }, body: randomBlob(50).bytes });
    expectError(res, 400, 'SIZE_INVALID');
  });
});

describe('errors: manifests', () => {
  const repo = uniqueRepo('errors/manifests');
  const image = ociImage(1, 64);

  before(async () => {
    await pushImage(registry(), repo, image, 'present');
  });

  it('GET of an unknown tag is 404 MANIFEST_UNKNOWN', async () => {
    expectError(await registry().get(`/v2/${repo}/manifests/absent`), 404, 'MANIFEST_UNKNOWN');
  });

  it('DELETE of an unknown manifest digest is 404 MANIFEST_UNKNOWN', async () => {
    expectError(await registry().request('DELETE', `/v2/${repo}/manifests/${unknownDigest()}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('PUT of a body that is not JSON is 400 MANIFEST_INVALID', async () => {
    const res = await registry().request('PUT', `/v2/${repo}/manifests/garbage`, { headers: { 'content-type': MEDIA.ociManifest }, body: 'blablabla' });
    expectError(res, 400, 'MANIFEST_INVALID');
  });

  it('PUT of non-JSON to a malformed digest reference answers 400 (or 404) with a known code', async () => {
    const res = await registry().request('PUT', `/v2/${repo}/manifests/sha256:totallywrong`, { headers: { 'content-type': MEDIA.ociManifest }, body: 'blablabla' });
    expectError(res, [400, 404], ['DIGEST_INVALID', 'MANIFEST_INVALID', 'NAME_INVALID', 'MANIFEST_UNKNOWN']);
  });

  it('PUT of a JSON document that is not a manifest is 400 MANIFEST_INVALID', async () => {
    const doc = manifestDoc({ schemaVersion: 2, mediaType: MEDIA.ociManifest, hello: 'world' }, MEDIA.ociManifest);
    expectError(await putManifest(registry(), repo, 'not-a-manifest', doc), 400, 'MANIFEST_INVALID');
  });

  it('PUT whose mediaType field contradicts Content-Type is 400 MANIFEST_INVALID', async () => {
    const res = await putManifest(registry(), repo, 'mismatch', image.manifest, MEDIA.ociIndex);
    expectError(res, 400, 'MANIFEST_INVALID');
  });

  it('PUT by digest whose digest does not match the body is 400 DIGEST_INVALID', async () => {
    const other = ociImage(1, 16);
    await pushBlob(registry(), repo, other.config);
    await pushBlob(registry(), repo, other.layers[0]!);
    const res = await putManifest(registry(), repo, unknownDigest(), other.manifest);
    expectError(res, 400, 'DIGEST_INVALID');
  });

  it('an OCI manifest whose layer is unknown is 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const config = configBlob();
    await pushBlob(registry(), repo, config);
    const doc = ociManifest({ config: descriptorOf(config, MEDIA.ociConfig), layers: [descriptorOf(randomBlob(10), MEDIA.ociLayer)] });
    expectError(await putManifest(registry(), repo, 'missing-layer', doc), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('an OCI manifest whose config is unknown is 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const layer = randomBlob(10);
    await pushBlob(registry(), repo, layer);
    const doc = ociManifest({ config: descriptorOf(configBlob(), MEDIA.ociConfig), layers: [descriptorOf(layer, MEDIA.ociLayer)] });
    expectError(await putManifest(registry(), repo, 'missing-config', doc), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('a Docker schema2 manifest whose layer is unknown is 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const config = configBlob();
    await pushBlob(registry(), repo, config);
    const doc = dockerManifest(config, [randomBlob(10)]);
    expectError(await putManifest(registry(), repo, 'docker-missing-layer', doc), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('an OCI index naming an unknown manifest is 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const index = ociIndex({ manifests: [manifestDescriptor(image.manifest), manifestDescriptor(ociImage().manifest)] });
    expectError(await putManifest(registry(), repo, 'index-missing-child', index), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('a Docker manifest list naming an unknown manifest is 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const list = dockerManifestList([manifestDescriptor(ociImage().manifest, { mediaType: MEDIA.dockerManifest, platform: { architecture: 'amd64', os: 'linux' } })]);
    expectError(await putManifest(registry(), repo, 'list-missing-child', list), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('an OCI manifest whose layer exists only in another repository is 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const elsewhere = uniqueRepo('errors/manifests-elsewhere');
    const foreign = ociImage(1, 32);
    await pushImage(registry(), elsewhere, foreign, 'there');
    await pushBlob(registry(), repo, foreign.config); // the config is here, the layer is not
    expectError(await putManifest(registry(), repo, 'borrowed-layer', foreign.manifest), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('an OCI index naming a manifest that exists only in another repository is 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const elsewhere = uniqueRepo('errors/index-elsewhere');
    const foreign = ociImage(1, 32);
    await pushImage(registry(), elsewhere, foreign, 'there');
    const index = ociIndex({ manifests: [manifestDescriptor(foreign.manifest)] });
    expectError(await putManifest(registry(), repo, 'borrowed-child', index), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  for (const [label, tag] of [['starting with a dot', '.hidden'], ['of 129 characters', `t${'x'.repeat(128)}`], ['with a plus sign', 'a+b']] as const) {
    it(`PUT to a tag ${label} is refused (400 or 404) and creates no tag`, async () => {
      const res = await putManifest(registry(), repo, tag, image.manifest);
      expectError(res, [400, 404], [...ERROR_CODES, 'TAG_INVALID']);
      const tags = await registry().get(`/v2/${repo}/tags/list`);
      expectStatus(tags, 200);
      assert.ok(!tags.json<{ tags: string[] }>().tags.includes(tag), describeExchange(tags));
    });
  }

  it('a rejected manifest leaves nothing behind', async () => {
    const doc = ociManifest({ config: descriptorOf(configBlob(), MEDIA.ociConfig), layers: [] });
    expectStatus(await putManifest(registry(), repo, 'ghost', doc), 400);
    expectStatus(await registry().get(`/v2/${repo}/manifests/ghost`), 404);
    expectStatus(await registry().get(`/v2/${repo}/manifests/${doc.digest}`), 404);
  });

  it('a Docker schema1 manifest is refused with 400 (UNSUPPORTED or MANIFEST_INVALID)', async () => {
    const schema1 = manifestDoc(
      { schemaVersion: 1, name: repo, tag: 'old', architecture: 'amd64', fsLayers: [{ blobSum: image.layers[0]!.digest }], history: [{ v1Compatibility: '{}' }] },
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    );
    expectError(await putManifest(registry(), repo, 'schema1', schema1), 400, ['UNSUPPORTED', 'MANIFEST_INVALID']);
  });
});
