import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseManifest } from '../../../src/registry/manifest-parser.ts';
import { RegistryError } from '../../../src/errors/registry-error.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const DOCKER_FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

const d = (label: string): string => `sha256:${createHash('sha256').update(label).digest('hex')}`;
const desc = (mediaType: string, label: string, extra: object = {}) => ({ mediaType, digest: d(label), size: label.length, ...extra });
const json = (document: unknown): Buffer => Buffer.from(JSON.stringify(document));

const ociManifest = (extra: object = {}) => ({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: desc(OCI_CONFIG, 'config'),
  layers: [desc(OCI_LAYER, 'layer1'), desc(OCI_LAYER, 'layer2')],
  ...extra,
});

const ociIndex = (extra: object = {}) => ({
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [
    desc(OCI_MANIFEST, 'amd64', { platform: { architecture: 'amd64', os: 'linux' } }),
    desc(OCI_MANIFEST, 'arm64', { platform: { architecture: 'arm64', os: 'linux' } }),
  ],
  ...extra,
});

/** Asserts parseManifest throws MANIFEST_INVALID whose message matches `message`. */
function rejects(content: Buffer, contentType: string | undefined, message: RegExp): void {
  assert.throws(
    () => parseManifest(content, contentType),
    (error: unknown) => {
      assert.ok(error instanceof RegistryError, `expected RegistryError, got ${String(error)}`);
      assert.equal(error.code, 'MANIFEST_INVALID');
      assert.match(error.message, message);
      return true;
    },
  );
}

test('OCI image manifest: config and layers are the blobs, artifactType defaults to config.mediaType', () => {
  const parsed = parseManifest(json(ociManifest()), OCI_MANIFEST);
  assert.deepEqual(parsed, {
    mediaType: OCI_MANIFEST,
    blobs: [d('config'), d('layer1'), d('layer2')],
    manifests: [],
    artifactType: OCI_CONFIG,
  });
});

test('OCI artifact manifest: explicit artifactType, annotations and subject are reported', () => {
  const subject = desc(OCI_MANIFEST, 'subject');
  const parsed = parseManifest(
    json(
      ociManifest({
        artifactType: 'application/vnd.example.sbom',
        config: desc(OCI_EMPTY, '{}'),
        layers: [desc('application/spdx+json', 'sbom')],
        subject,
        annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
      }),
    ),
    OCI_MANIFEST,
  );
  assert.deepEqual(parsed, {
    mediaType: OCI_MANIFEST,
    blobs: [d('{}'), d('sbom')],
    manifests: [],
    subject: subject.digest,
    artifactType: 'application/vnd.example.sbom',
    annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
  });
});

test('artifactType defaults to config.mediaType for an artifact with a custom config type', () => {
  const parsed = parseManifest(json(ociManifest({ config: desc('application/vnd.example.config+json', 'c'), layers: [] })), OCI_MANIFEST);
  assert.equal(parsed.artifactType, 'application/vnd.example.config+json');
  assert.deepEqual(parsed.blobs, [d('c')]);
});

test('an empty artifactType counts as missing and defaults to config.mediaType', () => {
  // image-spec: "If the artifactType is empty or missing ... MUST be set to the config descriptor mediaType".
  const parsed = parseManifest(json(ociManifest({ artifactType: '' })), OCI_MANIFEST);
  assert.equal(parsed.artifactType, OCI_CONFIG);
});

test('layers with urls (non-distributable) are not required blobs', () => {
  const parsed = parseManifest(
    json({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: desc(DOCKER_CONFIG, 'config'),
      layers: [desc(DOCKER_FOREIGN, 'foreign', { urls: ['https://example.com/layer'] }), desc(DOCKER_LAYER, 'local'), desc(DOCKER_LAYER, 'empty-urls', { urls: [] })],
    }),
    DOCKER_MANIFEST,
  );
  assert.deepEqual(parsed.blobs, [d('config'), d('local'), d('empty-urls')]);
});

test('Docker schema 2 manifest', () => {
  const parsed = parseManifest(
    json({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: desc(DOCKER_CONFIG, 'cfg'), layers: [desc(DOCKER_LAYER, 'l')] }),
    `${DOCKER_MANIFEST}; charset=utf-8`,
  );
  assert.deepEqual(parsed, { mediaType: DOCKER_MANIFEST, blobs: [d('cfg'), d('l')], manifests: [], artifactType: DOCKER_CONFIG });
});

test('OCI index: manifest entries are children; other entries are blobs', () => {
  const index = ociIndex();
  index.manifests.push(desc('application/vnd.example.blob', 'not-a-manifest'));
  index.manifests.push(desc(OCI_INDEX, 'nested-index'));
  const parsed = parseManifest(json(index), OCI_INDEX);
  assert.deepEqual(parsed, {
    mediaType: OCI_INDEX,
    blobs: [d('not-a-manifest')],
    manifests: [d('amd64'), d('arm64'), d('nested-index')],
  });
});

test('OCI index with artifactType, subject and annotations', () => {
  const subject = desc(OCI_INDEX, 'subject');
  const parsed = parseManifest(json(ociIndex({ artifactType: 'application/vnd.example.set', subject, annotations: { a: 'b' } })), OCI_INDEX);
  assert.equal(parsed.artifactType, 'application/vnd.example.set');
  assert.equal(parsed.subject, subject.digest);
  assert.deepEqual(parsed.annotations, { a: 'b' });
});

test('an OCI index without artifactType reports none (no config to default to)', () => {
  const parsed = parseManifest(json(ociIndex()), OCI_INDEX);
  assert.equal(parsed.artifactType, undefined);
  assert.equal('artifactType' in parsed, false);
});

test('Docker manifest list', () => {
  const parsed = parseManifest(
    json({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [desc(DOCKER_MANIFEST, 'amd64'), desc(DOCKER_MANIFEST, 'arm')] }),
    DOCKER_LIST,
  );
  assert.deepEqual(parsed, { mediaType: DOCKER_LIST, blobs: [], manifests: [d('amd64'), d('arm')] });
});

test('a Docker manifest list entry that is not a manifest is refused', () => {
  rejects(
    json({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [desc(DOCKER_LAYER, 'layer')] }),
    DOCKER_LIST,
    /manifest list entries must be manifests/,
  );
});

test('Docker schema 1 is refused however it is announced', () => {
  const schema1 = { schemaVersion: 1, name: 'library/alpine', tag: 'latest', architecture: 'amd64', fsLayers: [], history: [] };
  rejects(json(schema1), undefined, /schema 1/);
  rejects(json(schema1), 'application/json', /schema 1/);
  rejects(json(schema1), 'application/vnd.docker.distribution.manifest.v1+prettyjws', /schema 1/);
  rejects(json(ociManifest()), 'application/vnd.docker.distribution.manifest.v1+json', /schema 1/);
  rejects(json(ociManifest({ mediaType: 'application/vnd.docker.distribution.manifest.v1+json' })), undefined, /schema 1/);
});

test('a mediaType field that contradicts Content-Type is refused', () => {
  rejects(json(ociManifest()), DOCKER_MANIFEST, /does not match Content-Type/);
  rejects(json(ociIndex()), OCI_MANIFEST, /does not match Content-Type/);
  rejects(json(ociManifest({ mediaType: OCI_INDEX })), OCI_MANIFEST, /does not match Content-Type/);
});

test('Content-Type decides when the document has no mediaType field', () => {
  const { mediaType: _omit, ...bare } = ociManifest();
  assert.equal(parseManifest(json(bare), OCI_MANIFEST).mediaType, OCI_MANIFEST);
  assert.equal(parseManifest(json(bare), DOCKER_MANIFEST).mediaType, DOCKER_MANIFEST);
  // Content-Type is an image manifest but the body is an index.
  const { mediaType: _omit2, ...bareIndex } = ociIndex();
  rejects(json(bareIndex), OCI_MANIFEST, /must not have manifests/);
  rejects(json(bare), OCI_INDEX, /manifests must be an array/);
});

test('a missing mediaType is inferred from the shape when Content-Type is absent or generic', () => {
  const { mediaType: _omit, ...bareManifest } = ociManifest();
  const { mediaType: _omit2, ...bareIndex } = ociIndex();
  for (const contentType of [undefined, 'application/json', 'application/octet-stream', 'text/plain; charset=utf-8', '']) {
    assert.equal(parseManifest(json(bareManifest), contentType).mediaType, OCI_MANIFEST, String(contentType));
    assert.equal(parseManifest(json(bareIndex), contentType).mediaType, OCI_INDEX, String(contentType));
  }
  rejects(json({ schemaVersion: 2, layers: [] }), undefined, /cannot tell the manifest media type/);
});

test('the mediaType field decides when Content-Type is generic', () => {
  assert.equal(parseManifest(json(ociIndex()), 'application/json').mediaType, OCI_INDEX);
  assert.equal(parseManifest(json({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [] }), undefined).mediaType, DOCKER_LIST);
});

test('unsupported media types are refused', () => {
  rejects(json(ociManifest()), 'application/vnd.oci.image.config.v1+json', /unsupported manifest media type/);
  rejects(json(ociManifest({ mediaType: 'application/vnd.example.thing' })), undefined, /unsupported manifest media type/);
  rejects(json(ociManifest({ mediaType: 42 })), OCI_MANIFEST, /mediaType must be a string/);
});

test('schemaVersion must be 2', () => {
  rejects(json(ociManifest({ schemaVersion: 3 })), OCI_MANIFEST, /schemaVersion must be 2/);
  rejects(json(ociManifest({ schemaVersion: '2' })), OCI_MANIFEST, /schemaVersion must be 2/);
  const { schemaVersion: _omit, ...noVersion } = ociManifest();
  rejects(json(noVersion), OCI_MANIFEST, /schemaVersion must be 2/);
});

test('invalid descriptors are refused, naming where', () => {
  const cases: Array<[object, RegExp]> = [
    [{ config: undefined }, /config must be a descriptor object/],
    [{ config: 'sha256:abc' }, /config must be a descriptor object/],
    [{ config: [] }, /config must be a descriptor object/],
    [{ config: { ...desc(OCI_CONFIG, 'c'), mediaType: '' } }, /config\.mediaType/],
    [{ config: { ...desc(OCI_CONFIG, 'c'), mediaType: undefined } }, /config\.mediaType/],
    [{ config: { ...desc(OCI_CONFIG, 'c'), digest: 'sha256:abc' } }, /config\.digest is not a valid digest/],
    [{ config: { ...desc(OCI_CONFIG, 'c'), digest: d('c').toUpperCase() } }, /config\.digest/],
    [{ config: { ...desc(OCI_CONFIG, 'c'), size: -1 } }, /config\.size must be a non-negative integer/],
    [{ config: { ...desc(OCI_CONFIG, 'c'), size: 1.5 } }, /config\.size/],
    [{ config: { ...desc(OCI_CONFIG, 'c'), size: '3' } }, /config\.size/],
    [{ config: { ...desc(OCI_CONFIG, 'c'), size: 2 ** 53 } }, /config\.size/],
    [{ layers: [desc(OCI_LAYER, 'ok'), { ...desc(OCI_LAYER, 'bad'), digest: 'md5:abc' }] }, /layers\[1\]\.digest/],
    [{ layers: [desc(OCI_LAYER, 'ok', { urls: 'https://x' })] }, /layers\[0\]\.urls must be an array of strings/],
    [{ layers: [desc(OCI_LAYER, 'ok', { urls: [1] })] }, /layers\[0\]\.urls/],
    [{ layers: undefined }, /layers must be an array/],
    [{ layers: {} }, /layers must be an array/],
    [{ subject: { digest: d('s'), size: 1 } }, /subject\.mediaType/],
    [{ subject: 'sha256:abc' }, /subject must be a descriptor object/],
    [{ artifactType: 7 }, /artifactType must be a string/],
    [{ annotations: { a: 1 } }, /annotations must be an object of strings/],
    [{ annotations: ['a'] }, /annotations must be an object of strings/],
    [{ annotations: null }, /annotations must be an object of strings/],
  ];
  for (const [override, message] of cases) {
    rejects(Buffer.from(JSON.stringify(ociManifest(override))), OCI_MANIFEST, message);
  }
  rejects(json(ociIndex({ manifests: [desc(OCI_MANIFEST, 'ok'), { mediaType: OCI_MANIFEST, size: 1 }] })), OCI_INDEX, /manifests\[1\]\.digest/);
  rejects(json(ociIndex({ manifests: 'nope' })), OCI_INDEX, /manifests must be an array/);
});

test('a descriptor with size 0 and a sha512 digest is valid', () => {
  const config = { mediaType: OCI_CONFIG, digest: `sha512:${'a'.repeat(128)}`, size: 0 };
  assert.deepEqual(parseManifest(json(ociManifest({ config, layers: [] })), OCI_MANIFEST).blobs, [config.digest]);
});

test('content that is not a JSON object is refused', () => {
  rejects(Buffer.from('not json'), OCI_MANIFEST, /not valid JSON/);
  rejects(Buffer.from(''), OCI_MANIFEST, /not valid JSON/);
  rejects(Buffer.from([0xff, 0xfe, 0x00]), OCI_MANIFEST, /not valid JSON/);
  rejects(Buffer.from('{"schemaVersion":2,'), OCI_MANIFEST, /not valid JSON/);
  rejects(Buffer.from('[]'), OCI_MANIFEST, /must be a JSON object/);
  rejects(Buffer.from('null'), OCI_MANIFEST, /must be a JSON object/);
  rejects(Buffer.from('"manifest"'), OCI_MANIFEST, /must be a JSON object/);
  rejects(Buffer.from('2'), OCI_MANIFEST, /must be a JSON object/);
});

test('the error carries the JSON parse failure as detail', () => {
  try {
    parseManifest(Buffer.from('{oops'), OCI_MANIFEST);
    assert.fail('expected a throw');
  } catch (error) {
    assert.ok(error instanceof RegistryError);
    assert.equal(typeof (error.detail as { reason?: unknown }).reason, 'string');
  }
});
