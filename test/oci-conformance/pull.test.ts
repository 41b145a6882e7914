// OCI distribution-spec conformance: the Pull workflow (end-1, end-2, end-3), blob range
// requests, sha512 content and multi-component repository names.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  useRegistry,
  pushBlob,
  pushImage,
  expectStatus,
  expectHeader,
  expectHeaderEquals,
  expectBodyEquals,
  expectEmptyBody,
  expectError,
  describeExchange,
} from './harness.ts';
import {
  MEDIA,
  ERROR_CODES,
  ociImage,
  randomBlob,
  blobOf,
  digestOf,
  unknownDigest,
  uniqueRepo,
  randomId,
} from '../helpers/oci-conformance-fixtures.ts';

const registry = useRegistry();

describe('pull: API version check', () => {
  it('GET /v2/ answers 200', async () => {
    const res = await registry().get('/v2/');
    expectStatus(res, 200);
    // Legacy header, OPTIONAL in the spec; when sent it must carry the documented value.
    const version = res.headers.get('docker-distribution-api-version');
    if (version !== null) assert.equal(version, 'registry/2.0', describeExchange(res));
  });
});

describe('pull: blobs', () => {
  const repo = uniqueRepo('pull/team-a/service/api');
  const image = ociImage(1, 4096);
  const layer = image.layers[0]!;

  before(async () => {
    await pushImage(registry(), repo, image, 'latest');
  });

  it('HEAD on a nonexistent blob returns 404 without a body', async () => {
    const res = await registry().head(`/v2/${repo}/blobs/${unknownDigest()}`);
    expectStatus(res, 404);
    expectEmptyBody(res);
  });

  it('GET on a nonexistent blob returns 404 BLOB_UNKNOWN', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${unknownDigest()}`);
    expectError(res, 404, 'BLOB_UNKNOWN');
  });

  it('HEAD on an existing blob returns 200 with Content-Length and Docker-Content-Digest, no body', async () => {
    const res = await registry().head(`/v2/${repo}/blobs/${image.config.digest}`);
    expectStatus(res, 200);
    expectHeaderEquals(res, 'docker-content-digest', image.config.digest);
    expectHeaderEquals(res, 'content-length', String(image.config.size));
    expectEmptyBody(res);
  });

  it('GET on an existing blob returns 200 and exactly the uploaded bytes', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${layer.digest}`);
    expectStatus(res, 200);
    expectBodyEquals(res, layer.bytes);
    expectHeaderEquals(res, 'docker-content-digest', layer.digest);
    expectHeaderEquals(res, 'content-length', String(layer.size));
  });

  it('GET on a blob that exists only in another repository returns 404 BLOB_UNKNOWN', async () => {
    const other = uniqueRepo('pull/other');
    await pushBlob(registry(), other, randomBlob(64));
    const res = await registry().get(`/v2/${other}/blobs/${layer.digest}`);
    expectError(res, 404, 'BLOB_UNKNOWN');
  });

  it('GET with Range bytes=0-99 returns 206 with Content-Range and the first 100 bytes', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${layer.digest}`, { headers: { range: 'bytes=0-99' } });
    expectStatus(res, 206);
    expectHeaderEquals(res, 'content-range', `bytes 0-99/${layer.size}`);
    expectHeaderEquals(res, 'content-length', '100');
    expectBodyEquals(res, layer.bytes.subarray(0, 100));
  });

  it('GET with an open-ended Range bytes=1000- returns the rest of the blob', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${layer.digest}`, { headers: { range: 'bytes=1000-' } });
    expectStatus(res, 206);
    expectHeaderEquals(res, 'content-range', `bytes 1000-${layer.size - 1}/${layer.size}`);
    expectBodyEquals(res, layer.bytes.subarray(1000));
  });

  it('GET with a suffix Range bytes=-16 returns the last 16 bytes', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${layer.digest}`, { headers: { range: 'bytes=-16' } });
    expectStatus(res, 206);
    expectHeaderEquals(res, 'content-range', `bytes ${layer.size - 16}-${layer.size - 1}/${layer.size}`);
    expectBodyEquals(res, layer.bytes.subarray(layer.size - 16));
  });

  it('GET with a Range past the end whose end is clamped returns the available bytes', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${layer.digest}`, { headers: { range: `bytes=4000-99999` } });
    expectStatus(res, 206);
    expectHeaderEquals(res, 'content-range', `bytes 4000-${layer.size - 1}/${layer.size}`);
    expectBodyEquals(res, layer.bytes.subarray(4000));
  });

  it('GET with an unsatisfiable Range returns 416 with Content-Range bytes */<size>', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${layer.digest}`, { headers: { range: `bytes=${layer.size}-` } });
    expectStatus(res, 416);
    expectHeaderEquals(res, 'content-range', `bytes */${layer.size}`);
  });

  it('blob GET in a repository that does not exist returns 404 with an error envelope', async () => {
    const res = await registry().get(`/v2/${uniqueRepo(`missing-${randomId()}`)}/blobs/${layer.digest}`);
    expectError(res, 404, ['BLOB_UNKNOWN', 'NAME_UNKNOWN']);
  });
});

describe('pull: sha512 blobs', () => {
  const repo = uniqueRepo('pull/sha512');
  const blob = randomBlob(777, 'sha512');

  before(async () => {
    await pushBlob(registry(), repo, blob);
  });

  it('HEAD by sha512 digest returns 200 with the size and a digest of the same content', async () => {
    const res = await registry().head(`/v2/${repo}/blobs/${blob.digest}`);
    expectStatus(res, 200);
    expectHeaderEquals(res, 'content-length', String(blob.size));
    const header = expectHeader(res, 'docker-content-digest');
    // The header MAY use another algorithm ("canonical digest"), but must describe these bytes.
    assert.ok([blob.digest, digestOf(blob.bytes, 'sha256')].includes(header), `unexpected Docker-Content-Digest\n${describeExchange(res)}`);
  });

  it('GET by sha512 digest returns the exact bytes', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${blob.digest}`);
    expectStatus(res, 200);
    expectBodyEquals(res, blob.bytes);
  });

  it('GET by sha512 digest supports Range', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${blob.digest}`, { headers: { range: 'bytes=10-19' } });
    expectStatus(res, 206);
    expectHeaderEquals(res, 'content-range', `bytes 10-19/${blob.size}`);
    expectBodyEquals(res, blob.bytes.subarray(10, 20));
  });

  it('a sha512 digest of content that was never uploaded is 404 BLOB_UNKNOWN', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${unknownDigest('sha512')}`);
    expectError(res, 404, 'BLOB_UNKNOWN');
  });
});

describe('pull: manifests', () => {
  const repo = uniqueRepo('pull/manifests');
  const tagged = ociImage();
  const untagged = ociImage();
  const tag = `v1.0-${randomId(4)}`;

  before(async () => {
    await pushImage(registry(), repo, tagged, tag);
    await pushImage(registry(), repo, untagged);
  });

  it('HEAD on a nonexistent tag returns 404 without a body', async () => {
    const res = await registry().head(`/v2/${repo}/manifests/no-such-tag`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(res, 404);
    expectEmptyBody(res);
  });

  it('GET on a nonexistent tag returns 404 MANIFEST_UNKNOWN', async () => {
    const res = await registry().get(`/v2/${repo}/manifests/no-such-tag`, { headers: { accept: MEDIA.ociManifest } });
    expectError(res, 404, 'MANIFEST_UNKNOWN');
  });

  it('HEAD and GET of the reference suite\'s nonexistent name ".INVALID_MANIFEST_NAME" return 404', async () => {
    const head = await registry().head(`/v2/${repo}/manifests/.INVALID_MANIFEST_NAME`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(head, 404);
    expectEmptyBody(head);
    const get = await registry().get(`/v2/${repo}/manifests/.INVALID_MANIFEST_NAME`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(get, 404);
  });

  it('a manifest pushed to another repository is 404 MANIFEST_UNKNOWN here', async () => {
    const other = uniqueRepo('pull/manifests-elsewhere');
    const elsewhere = ociImage(1, 32);
    await pushImage(registry(), other, elsewhere, 'there');
    const res = await registry().get(`/v2/${repo}/manifests/${elsewhere.manifest.digest}`, { headers: { accept: MEDIA.ociManifest } });
    expectError(res, 404, 'MANIFEST_UNKNOWN');
    expectStatus(await registry().head(`/v2/${repo}/manifests/${elsewhere.manifest.digest}`, { headers: { accept: MEDIA.ociManifest } }), 404);
  });

  it('GET on a nonexistent digest returns 404 MANIFEST_UNKNOWN', async () => {
    const res = await registry().get(`/v2/${repo}/manifests/${unknownDigest()}`, { headers: { accept: MEDIA.ociManifest } });
    expectError(res, 404, 'MANIFEST_UNKNOWN');
  });

  it('HEAD by digest returns 200 with Docker-Content-Digest, Content-Type, Content-Length and no body', async () => {
    const res = await registry().head(`/v2/${repo}/manifests/${tagged.manifest.digest}`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(res, 200);
    expectHeaderEquals(res, 'docker-content-digest', tagged.manifest.digest);
    expectHeaderEquals(res, 'content-type', MEDIA.ociManifest);
    expectHeaderEquals(res, 'content-length', String(tagged.manifest.size));
    expectEmptyBody(res);
  });

  it('HEAD by tag returns 200 with the digest of the tagged manifest', async () => {
    const res = await registry().head(`/v2/${repo}/manifests/${tag}`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(res, 200);
    expectHeaderEquals(res, 'docker-content-digest', tagged.manifest.digest);
    expectHeaderEquals(res, 'content-length', String(tagged.manifest.size));
    expectEmptyBody(res);
  });

  it('GET by digest returns 200 and the manifest byte for byte', async () => {
    const res = await registry().get(`/v2/${repo}/manifests/${tagged.manifest.digest}`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(res, 200);
    expectBodyEquals(res, tagged.manifest.bytes);
    expectHeaderEquals(res, 'content-type', MEDIA.ociManifest);
    expectHeaderEquals(res, 'docker-content-digest', tagged.manifest.digest);
  });

  it('GET by tag returns 200 and the tagged manifest byte for byte', async () => {
    const res = await registry().get(`/v2/${repo}/manifests/${tag}`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(res, 200);
    expectBodyEquals(res, tagged.manifest.bytes);
    expectHeaderEquals(res, 'content-type', MEDIA.ociManifest);
    expectHeaderEquals(res, 'docker-content-digest', tagged.manifest.digest);
  });

  it('GET of a manifest pushed only by digest returns it by digest', async () => {
    const res = await registry().get(`/v2/${repo}/manifests/${untagged.manifest.digest}`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(res, 200);
    expectBodyEquals(res, untagged.manifest.bytes);
  });

  it('GET with a broad Accept list still returns the stored media type', async () => {
    const accept = [MEDIA.dockerManifest, MEDIA.dockerManifestList, MEDIA.ociIndex, MEDIA.ociManifest].join(', ');
    const res = await registry().get(`/v2/${repo}/manifests/${tag}`, { headers: { accept } });
    expectStatus(res, 200);
    expectHeaderEquals(res, 'content-type', MEDIA.ociManifest);
    expectBodyEquals(res, tagged.manifest.bytes);
  });

  it('GET with a malformed digest reference answers 400 or 404 with an OCI error body', async () => {
    const res = await registry().get(`/v2/${repo}/manifests/sha256:totallywrong`, { headers: { accept: MEDIA.ociManifest } });
    const errors = expectError(res, [400, 404], [...ERROR_CODES]);
    if (res.status === 400) assert.ok(errors.some((e) => e.code === 'DIGEST_INVALID' || e.code === 'MANIFEST_INVALID'), describeExchange(res));
  });

  it('GET of a manifest in a repository that does not exist returns 404', async () => {
    const res = await registry().get(`/v2/${uniqueRepo(`missing-${randomId()}`)}/manifests/latest`, { headers: { accept: MEDIA.ociManifest } });
    expectError(res, 404, ['NAME_UNKNOWN', 'MANIFEST_UNKNOWN']);
  });
});

describe('pull: repository names with several components', () => {
  const names = [
    'team-a/service/api',
    'a/b/c/d/e/f',
    'name.with.dots/under_score/double__under/dash--es',
    'x0/9y',
  ];

  for (const name of names) {
    it(`push and pull through ${name}`, async () => {
      const repo = uniqueRepo(name);
      const image = ociImage(1, 128);
      await pushImage(registry(), repo, image, 'stable');
      const manifest = await registry().get(`/v2/${repo}/manifests/stable`, { headers: { accept: MEDIA.ociManifest } });
      expectStatus(manifest, 200);
      expectBodyEquals(manifest, image.manifest.bytes);
      const layer = await registry().get(`/v2/${repo}/blobs/${image.layers[0]!.digest}`);
      expectStatus(layer, 200);
      expectBodyEquals(layer, image.layers[0]!.bytes);
      const tags = await registry().get(`/v2/${repo}/tags/list`);
      expectStatus(tags, 200);
      assert.deepEqual(tags.json(), { name: repo, tags: ['stable'] }, describeExchange(tags));
    });
  }

  it('a name that only differs by a prefix component is a different repository', async () => {
    const parent = uniqueRepo('nest');
    const child = `${parent}/child`;
    const image = ociImage(1, 64);
    await pushImage(registry(), child, image, 'only-in-child');
    const res = await registry().get(`/v2/${parent}/manifests/only-in-child`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(res, 404);
    const inChild = await registry().get(`/v2/${child}/manifests/only-in-child`, { headers: { accept: MEDIA.ociManifest } });
    expectStatus(inChild, 200);
  });

  it('a blob with an empty body can be pushed and pulled', async () => {
    const repo = uniqueRepo('pull/empty-blob');
    const empty = blobOf(new Uint8Array(0));
    await pushBlob(registry(), repo, empty);
    const res = await registry().get(`/v2/${repo}/blobs/${empty.digest}`);
    expectStatus(res, 200);
    expectEmptyBody(res);
    expectHeaderEquals(res, 'content-length', '0');
  });
});
