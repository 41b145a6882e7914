// OCI distribution-spec conformance: checks made by the newer upstream suite
// (opencontainers/distribution-spec, conformance2/) that the rest of this folder does not
// make. That suite runs one flow against two repositories: an empty-repository probe, every
// blob push method for sha256 and then sha512 (each followed by HEAD, GET, DELETE and a HEAD
// that must be 404), range reads, then a push / list / head / pull / referrers / delete cycle
// for a series of data sets, and finally a few manifest error cases. This file follows the
// same order, with requests shaped the way its Go client sends them (manifest PUT bodies with
// chunked transfer encoding, PATCH chunks with bare `start-end` Content-Range, Accept lines).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  useRegistry,
  startUpload,
  pushBlob,
  expectStatus,
  expectHeader,
  expectHeaderEquals,
  expectBodyEquals,
  expectEmptyBody,
  expectError,
  describeExchange,
} from './harness.ts';
import type { Exchange } from './harness.ts';
import { MEDIA, ERROR_CODES, blobOf, randomBlob, unknownDigest, uniqueRepo, manifestDoc, randomId } from '../helpers/oci-conformance-fixtures.ts';
import type { Blob, DigestAlgorithm, ManifestDoc } from '../helpers/oci-conformance-fixtures.ts';

const registry = useRegistry();
const REPO = uniqueRepo('conformance2/repo1');
const REPO2 = uniqueRepo('conformance2/repo2');
const OCTET = { 'content-type': 'application/octet-stream' };
const ACCEPT = `${MEDIA.ociIndex}, ${MEDIA.ociManifest}`;
/** conformance2 never sends chunks smaller than this (more if OCI-Chunk-Min-Length says so). */
const CHUNK_MIN = 1024;

/** A body of unknown length: fetch sends it with Transfer-Encoding: chunked, as Go's client does. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes.slice());
      controller.close();
    },
  });
}

function blobPath(repo: string, blob: Blob): string {
  return `/v2/${repo}/blobs/${blob.digest}`;
}

/** A 201 whose Location serves exactly the pushed bytes. */
async function expectCreatedAt(ex: Exchange, blob: Blob): Promise<void> {
  expectStatus(ex, 201);
  const pulled = await registry().get(expectHeader(ex, 'location'));
  expectStatus(pulled, 200);
  expectBodyEquals(pulled, blob.bytes);
}

async function deleteBlobAtOnce(repo: string, blob: Blob): Promise<void> {
  expectStatus(await registry().request('DELETE', blobPath(repo, blob)), 202);
  const gone = await registry().head(blobPath(repo, blob));
  expectStatus(gone, 404);
}

/** What conformance2 runs after each successful push: HEAD, GET, DELETE, then HEAD must be 404. */
async function headGetDelete(repo: string, blob: Blob): Promise<void> {
  const head = await registry().head(blobPath(repo, blob));
  expectStatus(head, 200);
  expectHeaderEquals(head, 'content-length', String(blob.size));
  expectEmptyBody(head);
  const get = await registry().get(blobPath(repo, blob));
  expectStatus(get, 200);
  expectHeaderEquals(get, 'content-length', String(blob.size));
  expectBodyEquals(get, blob.bytes);
  await deleteBlobAtOnce(repo, blob);
}

function postOnly(repo: string, blob: Blob): Promise<Exchange> {
  return registry().request('POST', `/v2/${repo}/blobs/uploads/`, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes });
}

async function postPut(repo: string, blob: Blob): Promise<Exchange> {
  const { location } = await startUpload(registry(), repo);
  return registry().request('PUT', location, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes });
}

async function streamed(repo: string, blob: Blob): Promise<Exchange> {
  const { location } = await startUpload(registry(), repo);
  const patch = await registry().request('PATCH', location, { headers: OCTET, body: streamOf(blob.bytes) });
  expectStatus(patch, 202);
  return registry().request('PUT', expectHeader(patch, 'location'), { query: { digest: blob.digest }, headers: { ...OCTET, 'content-length': '0' } });
}

/**
 * conformance2's chunked upload: about three chunks (at least CHUNK_MIN bytes each), the last
 * one optionally in the closing PUT. With `outOfOrder`, each chunk is preceded by one that
 * skips a chunk ahead (or rewinds to 0 near the end), which must be refused with 416; a GET
 * of the session must then answer 204 with Range `0-<last byte received>`.
 */
async function chunked(repo: string, blob: Blob, options: { putLast?: boolean; outOfOrder?: boolean } = {}): Promise<Exchange> {
  const post = await registry().request('POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': '0' } });
  expectStatus(post, 202);
  let location = registry().resolve(expectHeader(post, 'location')).href;
  const minimum = Number(post.headers.get('oci-chunk-min-length') ?? '0');
  const size = Math.min(Math.max(Math.floor(blob.size / 3) + 1, minimum, CHUNK_MIN), blob.size);
  const send = (method: string, url: string, start: number, end: number) =>
    registry().request(method, url, {
      query: method === 'PUT' ? { digest: blob.digest } : {},
      headers: { ...OCTET, 'content-range': `${start}-${end}` },
      body: blob.bytes.subarray(start, end + 1),
    });
  let last = -1;
  while (last < blob.size - 1) {
    if (options.outOfOrder) {
      const badStart = last + 1 + size < blob.size ? last + 1 + size : 0;
      const badEnd = Math.min(badStart + size - 1, blob.size - 1);
      const method = options.putLast && badEnd === blob.size - 1 ? 'PUT' : 'PATCH';
      const refused = await send(method, location, badStart, badEnd);
      expectStatus(refused, 416);
      const status = await registry().get(refused.url.href);
      expectStatus(status, 204);
      const range = expectHeader(status, 'range');
      assert.ok(range.startsWith('0-'), `Range must be 0-<last byte>\n${describeExchange(status)}`);
      if (last >= 0) assert.equal(range, `0-${last}`, describeExchange(status));
      location = registry().resolve(expectHeader(status, 'location')).href;
    }
    const start = last + 1;
    last = Math.min(start + size - 1, blob.size - 1);
    if (options.putLast && last === blob.size - 1) return send('PUT', location, start, last);
    const patch = await send('PATCH', location, start, last);
    expectStatus(patch, 202);
    location = registry().resolve(expectHeader(patch, 'location')).href;
  }
  return registry().request('PUT', location, { query: { digest: blob.digest }, headers: { ...OCTET, 'content-length': '0' } });
}

/** Bytes that do not match their digest: the digest of `blob` over its bytes plus "oh no". */
function corrupted(blob: Blob): Blob {
  const bytes = Buffer.concat([blob.bytes, Buffer.from('oh no')]);
  return { bytes, digest: blob.digest, size: bytes.byteLength };
}

describe('conformance2: empty repository', () => {
  it('referrers in a repository nothing was ever pushed to answer 200 with an empty OCI index', async () => {
    const res = await registry().get(`/v2/${uniqueRepo(`conformance2/never-${randomId()}`)}/referrers/${unknownDigest()}`);
    expectStatus(res, 200);
    expectHeaderEquals(res, 'content-type', MEDIA.ociIndex);
    const body = res.json<{ schemaVersion: number; mediaType: string; manifests: unknown[] }>();
    assert.deepEqual([body.schemaVersion, body.mediaType, body.manifests], [2, MEDIA.ociIndex, []], describeExchange(res));
  });
});

for (const algorithm of ['sha256', 'sha512'] as const satisfies readonly DigestAlgorithm[]) {
  describe(`conformance2: ${algorithm} blob push methods`, () => {
    const blob = (size = 512) => randomBlob(size, algorithm);
    const multi = () => blob(CHUNK_MIN * 3 - 5);

    it('post only: POST ?digest= with the body is 201 and Location serves it', async () => {
      const b = blob();
      await expectCreatedAt(await postOnly(REPO, b), b);
      await headGetDelete(REPO, b);
    });

    it('post+put: POST then PUT ?digest= with the body is 201 and Location serves it', async () => {
      const b = blob();
      await expectCreatedAt(await postPut(REPO, b), b);
      await headGetDelete(REPO, b);
    });

    it('chunked, single chunk: one PATCH with Content-Range 0-511, then an empty PUT', async () => {
      const b = blob();
      await expectCreatedAt(await chunked(REPO, b), b);
      await headGetDelete(REPO, b);
    });

    it('chunked, three chunks, then an empty PUT', async () => {
      const b = multi();
      await expectCreatedAt(await chunked(REPO, b), b);
      await headGetDelete(REPO, b);
    });

    it('chunked, three chunks, the last one sent in the closing PUT with its Content-Range', async () => {
      const b = multi();
      await expectCreatedAt(await chunked(REPO, b, { putLast: true }), b);
      await headGetDelete(REPO, b);
    });

    it('chunked out of order: skipped-ahead and rewound chunks are 416, the session stays usable', async () => {
      const b = multi();
      await expectCreatedAt(await chunked(REPO, b, { outOfOrder: true }), b);
      await headGetDelete(REPO, b);
    });

    it('chunked out of order, last chunk in PUT: an out-of-order closing PUT is 416 and changes nothing', async () => {
      const b = multi();
      await expectCreatedAt(await chunked(REPO, b, { outOfOrder: true, putLast: true }), b);
      await headGetDelete(REPO, b);
    });

    it('stream: one PATCH with a chunked-encoded body, then an empty PUT answering Location', async () => {
      const b = blob();
      await expectCreatedAt(await streamed(REPO, b), b);
      await headGetDelete(REPO, b);
    });

    it('mount from repo2: 201 and Location serves it; deleting it in each repository removes it there only', async () => {
      const b = blob();
      expectStatus(await postPut(REPO2, b), 201);
      await expectCreatedAt(await registry().request('POST', `/v2/${REPO}/blobs/uploads/`, { query: { mount: b.digest, from: REPO2 } }), b);
      await headGetDelete(REPO, b);
      await headGetDelete(REPO2, b);
    });

    it('anonymous mount (no from): 201 and Location serves it', async () => {
      const b = blob();
      expectStatus(await postPut(REPO2, b), 201);
      await expectCreatedAt(await registry().request('POST', `/v2/${REPO}/blobs/uploads/`, { query: { mount: b.digest } }), b);
      await headGetDelete(REPO, b);
      await headGetDelete(REPO2, b);
    });

    it('mount of a blob repo2 does not have: 202 (never 201), and the session takes the blob', async () => {
      const b = blob();
      const res = await registry().request('POST', `/v2/${REPO}/blobs/uploads/`, { query: { mount: b.digest, from: REPO2 } });
      expectStatus(res, 202);
      const put = await registry().request('PUT', expectHeader(res, 'location'), { query: { digest: b.digest }, headers: OCTET, body: b.bytes });
      await expectCreatedAt(put, b);
      await headGetDelete(REPO, b);
    });

    it('range reads of a 2048-byte blob: 206 with Content-Range and Content-Length, or 416', async () => {
      const b = blob(2048);
      expectStatus(await postPut(REPO, b), 201);
      const partial: Array<[string, number, number]> = [['bytes=500-1499', 500, 1499], ['bytes=500-', 500, 2047], ['bytes=-500', 1548, 2047], ['bytes=2000-5000', 2000, 2047]];
      for (const [range, start, end] of partial) {
        const res = await registry().get(blobPath(REPO, b), { headers: { range } });
        expectStatus(res, 206);
        expectHeaderEquals(res, 'content-length', String(end - start + 1));
        const contentRange = expectHeader(res, 'content-range');
        assert.ok([`bytes ${start}-${end}/2048`, `bytes ${start}-${end}/*`].includes(contentRange), describeExchange(res));
        expectBodyEquals(res, b.bytes.subarray(start, end + 1));
      }
      for (const range of ['bytes=500-0', 'bytes=5000-10000']) {
        expectStatus(await registry().get(blobPath(REPO, b), { headers: { range } }), 416);
      }
      await deleteBlobAtOnce(REPO, b);
    });

    it('well-known contents: the empty JSON object and the zero-byte blob push, HEAD, GET and delete', async () => {
      for (const b of [blobOf('{}', algorithm), blobOf(new Uint8Array(0), algorithm)]) {
        await expectCreatedAt(await postPut(REPO, b), b);
        await headGetDelete(REPO, b);
      }
    });

    it('a body that does not match the digest is 400 DIGEST_INVALID with every push method, and nothing is stored', async () => {
      const pushes: Array<[string, (b: Blob) => Promise<Exchange>]> = [
        ['post only', (b) => postOnly(REPO, b)],
        ['post+put', (b) => postPut(REPO, b)],
        ['chunked', (b) => chunked(REPO, b)],
        ['chunked, last chunk in PUT', (b) => chunked(REPO, b, { putLast: true })],
        ['stream', (b) => streamed(REPO, b)],
      ];
      for (const [label, push] of pushes) {
        const bad = corrupted(multi());
        const res = await push(bad);
        expectError(res, 400, 'DIGEST_INVALID');
        const probe = await registry().head(blobPath(REPO, bad));
        assert.equal(probe.status, 404, `${label}: a rejected blob must not be stored\n${describeExchange(probe)}`);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------
// Data sets: conformance2 pushes each one to repo1 (blobs, manifests by digest in order, then
// tags), lists tags, HEADs and GETs everything, checks referrers, then deletes tags, manifests
// (newest first) and blobs, each of which must be gone at once.

interface Subject {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}
interface Referrer extends Subject {
  readonly artifactType: string | undefined;
  readonly annotations: Record<string, string> | undefined;
}
type Json = Record<string, unknown>;
interface ImageOptions {
  tag?: string;
  platform?: { architecture: string; os: string };
  artifactType?: string;
  layers?: number;
  layerType?: string;
  layerBytes?: string;
  subject?: Subject;
  annotations?: Record<string, string>;
  /** Descriptors of layers that are never pushed (non-distributable ones). */
  foreignLayers?: Json[];
}
interface IndexOptions {
  tag?: string;
  platforms?: boolean;
  artifactType?: string;
  subject?: Subject;
  annotations?: Record<string, string>;
}

const PLATFORMS = [{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm64', os: 'linux' }];
const EXAMPLE = 'application/vnd.example.oci.conformance';
const ARTIFACT: ImageOptions = { artifactType: EXAMPLE, layers: 1, layerType: EXAMPLE };
const NOTE = { 'org.opencontainers.conformance': 'hello conformance test' };

const subjectOf = (doc: Subject): Subject => ({ mediaType: doc.mediaType, digest: doc.digest, size: doc.size });

class DataSet {
  readonly blobs = new Map<string, Blob>();
  readonly manifests: ManifestDoc[] = [];
  readonly tags = new Map<string, ManifestDoc>();
  readonly referrers = new Map<string, Referrer[]>();
  /** data: descriptors carry their content in `data`; extra: unknown fields everywhere. */
  readonly options: { data?: boolean; extra?: boolean };

  constructor(options: { data?: boolean; extra?: boolean } = {}) {
    this.options = options;
  }

  #describe(target: Subject & { bytes: Uint8Array }): Json {
    const descriptor: Json = { ...subjectOf(target) };
    if (this.options.data) descriptor.data = Buffer.from(target.bytes).toString('base64');
    if (this.options.extra) descriptor.newUnspecifiedField = randomId(12);
    return descriptor;
  }

  #blob(blob: Blob, mediaType: string): Json {
    this.blobs.set(blob.digest, blob);
    return this.#describe({ ...blob, mediaType });
  }

  #extra<T extends Json>(json: T): T {
    if (this.options.extra) (json as Json)[`org.${randomId(16)}`] = randomId(16);
    return json;
  }

  #add(json: Json, mediaType: string, tag: string | undefined): ManifestDoc {
    const doc = manifestDoc(this.#extra(json), mediaType);
    this.manifests.push(doc);
    if (tag) this.tags.set(tag, doc);
    const subject = json.subject as Subject | undefined;
    if (subject) {
      const artifactType = (json.artifactType as string | undefined) ?? (mediaType === MEDIA.ociManifest ? ((json.config as Json).mediaType as string) : undefined);
      const entry = { ...subjectOf(doc), artifactType, annotations: json.annotations as Record<string, string> | undefined };
      this.referrers.set(subject.digest, [...(this.referrers.get(subject.digest) ?? []), entry]);
    }
    return doc;
  }

  #annotations(annotations: Record<string, string> | undefined): Json {
    return annotations ? { annotations: { ...annotations, [`org.example.${randomId(12)}`]: randomId(12) } } : {};
  }

  image(o: ImageOptions = {}): ManifestDoc {
    const layerType = o.layerType ?? MEDIA.ociLayer;
    const layers = Array.from({ length: o.layers ?? 2 }, () => {
      const bytes = o.layerBytes ?? (layerType === MEDIA.ociLayer ? gzipSync(randomBytes(256)) : randomBytes(2048));
      return this.#blob(blobOf(bytes), layerType);
    });
    const allLayers = [...(o.foreignLayers ?? []), ...layers];
    const config = o.artifactType
      ? this.#blob(blobOf('{}'), MEDIA.ociEmpty)
      : this.#blob(
          blobOf(JSON.stringify(this.#extra({ author: 'OCI Conformance Test', ...(o.platform ?? PLATFORMS[0]), rootfs: { type: 'layers', diff_ids: allLayers.map((l) => l.digest) } }))),
          MEDIA.ociConfig,
        );
    const json: Json = { schemaVersion: 2, mediaType: MEDIA.ociManifest, ...(o.artifactType ? { artifactType: o.artifactType } : {}), config, layers: allLayers };
    if (o.subject) json.subject = subjectOf(o.subject);
    return this.#add({ ...json, ...this.#annotations(o.annotations) }, MEDIA.ociManifest, o.tag);
  }

  /** One image per platform, as children for an index. */
  platformImages(o: ImageOptions = {}): ManifestDoc[] {
    return PLATFORMS.map((platform) => this.image({ ...o, platform, tag: undefined }));
  }

  index(children: ManifestDoc[], o: IndexOptions = {}): ManifestDoc {
    const manifests = children.map((child, i) => ({ ...this.#describe(child), ...(o.platforms === false ? {} : { platform: PLATFORMS[i % 2] }) }));
    const json: Json = { schemaVersion: 2, mediaType: MEDIA.ociIndex, ...(o.artifactType ? { artifactType: o.artifactType } : {}), manifests };
    if (o.subject) json.subject = subjectOf(o.subject);
    return this.#add({ ...json, ...this.#annotations(o.annotations) }, MEDIA.ociIndex, o.tag);
  }
}

/** PUT as conformance2 does it (chunked body), then its checks on the answer and on Location. */
async function putManifestLikeConformance2(reference: string, doc: ManifestDoc): Promise<void> {
  const put = await registry().request('PUT', `/v2/${REPO}/manifests/${reference}`, { headers: { 'content-type': doc.mediaType }, body: streamOf(doc.bytes) });
  expectStatus(put, 201);
  expectHeaderEquals(put, 'docker-content-digest', doc.digest);
  const subject = (doc.json.subject as Subject | undefined)?.digest;
  if (subject) expectHeaderEquals(put, 'oci-subject', subject);
  expectServed(await registry().get(expectHeader(put, 'location'), { headers: { accept: ACCEPT } }), doc);
}

function expectServed(res: Exchange, doc: ManifestDoc): void {
  expectStatus(res, 200);
  expectHeaderEquals(res, 'content-type', doc.mediaType);
  expectHeaderEquals(res, 'content-length', String(doc.size));
  if (res.method === 'HEAD') expectEmptyBody(res);
  else expectBodyEquals(res, doc.bytes);
}

function lifecycle(name: string, build: () => DataSet): void {
  describe(`conformance2 data: ${name}`, () => {
    const set = build();
    const references = (): Array<readonly [string, ManifestDoc]> => [...set.tags, ...set.manifests.map((doc) => [doc.digest, doc] as const)];

    it('push: blobs, manifests by digest in order, then tags; 201 with Docker-Content-Digest, OCI-Subject and a Location serving it', async () => {
      for (const blob of set.blobs.values()) await pushBlob(registry(), REPO, blob);
      for (const doc of set.manifests) await putManifestLikeConformance2(doc.digest, doc);
      for (const [tag, doc] of set.tags) await putManifestLikeConformance2(tag, doc);
    });

    it('tags/list includes every tag', async () => {
      const res = await registry().get(`/v2/${REPO}/tags/list`);
      expectStatus(res, 200);
      for (const tag of set.tags.keys()) assert.ok(res.json<{ tags: string[] }>().tags.includes(tag), `missing ${tag}\n${describeExchange(res)}`);
    });

    it('HEAD and GET by tag and by digest serve the manifest; HEAD and GET of every blob serve it', async () => {
      for (const [reference, doc] of references()) {
        expectServed(await registry().head(`/v2/${REPO}/manifests/${reference}`, { headers: { accept: ACCEPT } }), doc);
        expectServed(await registry().get(`/v2/${REPO}/manifests/${reference}`, { headers: { accept: ACCEPT } }), doc);
      }
      for (const blob of set.blobs.values()) {
        const head = await registry().head(blobPath(REPO, blob));
        expectStatus(head, 200);
        expectHeaderEquals(head, 'content-length', String(blob.size));
        expectEmptyBody(head);
        const get = await registry().get(blobPath(REPO, blob));
        expectStatus(get, 200);
        expectHeaderEquals(get, 'content-length', String(blob.size));
        expectBodyEquals(get, blob.bytes);
      }
    });

    if (set.referrers.size > 0) {
      it('referrers (first page, as conformance2 reads it) list each referrer with its mediaType, size, artifactType and annotations', async () => {
        for (const [subject, wanted] of set.referrers) {
          const res = await registry().get(`/v2/${REPO}/referrers/${subject}`);
          expectStatus(res, 200);
          expectHeaderEquals(res, 'content-type', MEDIA.ociIndex);
          const body = res.json<{ schemaVersion: number; mediaType: string; manifests: Referrer[] }>();
          assert.deepEqual([body.schemaVersion, body.mediaType], [2, MEDIA.ociIndex], describeExchange(res));
          for (const want of wanted) {
            const found = body.manifests.find((item) => item.digest === want.digest);
            assert.ok(found, `referrer ${want.digest} missing for ${subject}\n${describeExchange(res)}`);
            assert.deepEqual([found.mediaType, found.size, found.artifactType], [want.mediaType, want.size, want.artifactType], describeExchange(res));
            for (const [key, value] of Object.entries(want.annotations ?? {})) assert.equal(found.annotations?.[key], value, `annotation ${key} of ${want.digest}`);
          }
        }
      });
    }

    it('delete: tags, then manifests newest first, then blobs (202 each); each is 404 right after', async () => {
      for (const tag of set.tags.keys()) {
        expectStatus(await registry().request('DELETE', `/v2/${REPO}/manifests/${tag}`), 202);
        expectStatus(await registry().head(`/v2/${REPO}/manifests/${tag}`, { headers: { accept: ACCEPT } }), 404);
      }
      for (const doc of [...set.manifests].reverse()) {
        expectStatus(await registry().request('DELETE', `/v2/${REPO}/manifests/${doc.digest}`), 202);
        expectStatus(await registry().head(`/v2/${REPO}/manifests/${doc.digest}`, { headers: { accept: ACCEPT } }), 404);
      }
      for (const blob of set.blobs.values()) await deleteBlobAtOnce(REPO, blob);
    });
  });
}

function dataSet(fill: (set: DataSet) => void, options: { data?: boolean; extra?: boolean } = {}): () => DataSet {
  return () => {
    const set = new DataSet(options);
    fill(set);
    return set;
  };
}

function nondistributable(mediaType: string, size: number): Json {
  const digest = unknownDigest();
  return { mediaType, digest, size, urls: [`https://store.example.com/blobs/sha256/${digest.slice('sha256:'.length)}`] };
}

lifecycle('image (gzip layers)', dataSet((s) => s.image({ tag: 'image' })));
lifecycle('image with uncompressed layers', dataSet((s) => s.image({ tag: 'image-uncompressed', layerType: 'application/vnd.oci.image.layer.v1.tar' })));
lifecycle('multi-platform index', dataSet((s) => s.index(s.platformImages(), { tag: 'index' })));
lifecycle('nested index (an index of indexes, no platforms)', dataSet((s) => s.index([s.index(s.platformImages()), s.index(s.platformImages())], { tag: 'index-of-index', platforms: false })));
lifecycle('empty index (no manifests)', dataSet((s) => s.index([], { tag: 'index' })));
lifecycle('artifact', dataSet((s) => s.image({ ...ARTIFACT, tag: 'artifact' })));
lifecycle('artifact index', dataSet((s) => s.index(s.platformImages(ARTIFACT), { tag: 'artifact-index', artifactType: EXAMPLE })));
lifecycle(
  'artifact without layers (its one layer is the empty JSON blob, like its config)',
  dataSet((s) => s.image({ tag: 'artifact-without-layers', artifactType: EXAMPLE, layers: 1, layerType: MEDIA.ociEmpty, layerBytes: '{}' })),
);
lifecycle(
  'artifacts with subject (a plain image and an artifact referring to a tagged image)',
  dataSet((s) => {
    const subject = s.image({ tag: 'image' });
    s.image({ subject });
    s.image({ ...ARTIFACT, subject, annotations: NOTE, tag: 'tagged-artifact' });
  }),
);
lifecycle(
  'index with subject (an artifact index and its children refer to an index)',
  dataSet((s) => {
    const subject = s.index(s.platformImages(), { tag: 'index' });
    s.index(s.platformImages({ ...ARTIFACT, subject, annotations: NOTE }), { artifactType: EXAMPLE, subject, annotations: NOTE, tag: 'tagged-artifact' });
  }),
);
lifecycle(
  'missing subject (an artifact whose subject was never pushed)',
  dataSet((s) => s.image({ ...ARTIFACT, subject: { mediaType: MEDIA.ociManifest, digest: unknownDigest(), size: 123 }, annotations: NOTE, tag: 'tagged-artifact' })),
);
lifecycle('data field (descriptors embed their content)', dataSet((s) => s.image({ tag: 'data-field' }), { data: true }));
lifecycle(
  'non-distributable layers (referenced by URL, never pushed)',
  dataSet((s) =>
    s.image({
      tag: 'non-distributable-image',
      layers: 1,
      foreignLayers: [nondistributable('application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 123456), nondistributable('application/vnd.oci.image.layer.nondistributable.v1.tar', 12345)],
    }),
  ),
);
lifecycle('custom fields (unknown fields in index, manifests, configs and descriptors)', dataSet((s) => s.index(s.platformImages(), { tag: 'custom-fields' }), { extra: true }));

describe('conformance2: manifest error cases', () => {
  async function pushedBlobsOf(fill: (set: DataSet) => void): Promise<DataSet> {
    const set = dataSet(fill)();
    for (const blob of set.blobs.values()) await pushBlob(registry(), REPO, blob);
    return set;
  }

  it('PUT of a valid manifest to the reference sha256:baddigeststring is 400, and GET of it is 400 or 404', async () => {
    const set = await pushedBlobsOf((s) => s.image({ layers: 1 }));
    const doc = set.manifests[0]!;
    const put = await registry().request('PUT', `/v2/${REPO}/manifests/sha256:baddigeststring`, { headers: { 'content-type': doc.mediaType }, body: streamOf(doc.bytes) });
    expectError(put, 400, [...ERROR_CODES]);
    expectStatus(await registry().get(`/v2/${REPO}/manifests/sha256:baddigeststring`, { headers: { accept: ACCEPT } }), 400, 404);
    expectStatus(await registry().head(`/v2/${REPO}/manifests/${doc.digest}`, { headers: { accept: ACCEPT } }), 404);
  });

  it('PUT by digest of a manifest whose body gained trailing whitespace is 400 DIGEST_INVALID', async () => {
    const set = await pushedBlobsOf((s) => s.image());
    const doc = set.manifests[0]!;
    const padded = Buffer.concat([doc.bytes, Buffer.from('  ')]);
    const put = await registry().request('PUT', `/v2/${REPO}/manifests/${doc.digest}`, { headers: { 'content-type': doc.mediaType }, body: streamOf(padded) });
    expectError(put, 400, 'DIGEST_INVALID');
    expectStatus(await registry().head(`/v2/${REPO}/manifests/${doc.digest}`, { headers: { accept: ACCEPT } }), 404);
  });
});

describe('conformance2: request shapes of its Go client', () => {
  /** node:http sends an array header as separate lines, which fetch cannot do. */
  function rawRequest(method: string, path: string, headers: Record<string, string | string[]>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const auth = registry().authorization;
      const req = httpRequest(registry().resolve(path), { method, headers: { ...(auth ? { authorization: auth } : {}), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('GET and HEAD of a manifest with Accept sent as two header lines (index, then image manifest)', async () => {
    const set = dataSet((s) => s.image({ tag: 'two-accept-lines' }))();
    for (const blob of set.blobs.values()) await pushBlob(registry(), REPO, blob);
    const doc = set.manifests[0]!;
    await putManifestLikeConformance2('two-accept-lines', doc);
    for (const method of ['GET', 'HEAD']) {
      const res = await rawRequest(method, `/v2/${REPO}/manifests/two-accept-lines`, { accept: [MEDIA.ociIndex, MEDIA.ociManifest] });
      const shown = `${method}: ${res.status} ${JSON.stringify(res.headers)}`;
      assert.equal(res.status, 200, shown);
      assert.equal(res.headers['content-type'], MEDIA.ociManifest, shown);
      assert.equal(res.headers['content-length'], String(doc.size), shown);
      assert.ok(res.body.equals(method === 'GET' ? Buffer.from(doc.bytes) : Buffer.alloc(0)), shown);
    }
  });
});
