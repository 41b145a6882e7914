// OCI distribution-spec conformance: the Content Discovery workflow: tag listing with n/last
// and Link pagination (end-8a, end-8b), the repository catalog, and the referrers API
// (end-12a, end-12b) with OCI-Subject on push and OCI-Filters-Applied on filtered reads.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  useRegistry,
  pushBlob,
  pushImage,
  putManifest,
  followPages,
  expectStatus,
  expectHeaderEquals,
  expectError,
  describeExchange,
} from './harness.ts';
import type { Exchange } from './harness.ts';
import {
  MEDIA,
  ociImage,
  ociManifest,
  ociIndex,
  manifestDescriptor,
  descriptorOf,
  emptyJsonBlob,
  blobOf,
  uniqueRepo,
  unknownDigest,
  nextLink,
  randomId,
} from '../helpers/oci-conformance-fixtures.ts';
import type { Descriptor, ManifestDoc } from '../helpers/oci-conformance-fixtures.ts';

const registry = useRegistry();

interface TagList {
  name: string;
  tags: string[];
}

function tagsOf(res: Exchange): string[] {
  const body = res.json<TagList>();
  assert.ok(Array.isArray(body.tags), `expected a "tags" array\n${describeExchange(res)}`);
  return body.tags;
}

describe('discovery: listing tags', () => {
  const repo = uniqueRepo('discovery/tags');
  // Lowercase letters and digits only, so lexical and ASCII order agree: v10 sorts before v9.
  const tags = ['test3', 'a1', 'v9', 'latest', 'test0', 'v10', 'test2', 'b2', 'test1'];
  const sorted = [...tags].sort();

  before(async () => {
    const image = ociImage(1, 64);
    await pushImage(registry(), repo, image, tags[0]);
    for (const tag of tags.slice(1)) {
      const put = await putManifest(registry(), repo, tag, image.manifest);
      expectStatus(put, 201);
    }
  });

  it('GET tags/list returns 200 with the repository name and every tag in lexical order', async () => {
    const res = await registry().get(`/v2/${repo}/tags/list`);
    expectStatus(res, 200);
    assert.deepEqual(res.json(), { name: repo, tags: sorted }, describeExchange(res));
  });

  it('n limits the number of tags and the first page starts at the beginning', async () => {
    const res = await registry().get(`/v2/${repo}/tags/list`, { query: { n: '4' } });
    expectStatus(res, 200);
    assert.deepEqual(tagsOf(res), sorted.slice(0, 4), describeExchange(res));
  });

  it('a truncated page carries a Link header with rel="next"', async () => {
    const res = await registry().get(`/v2/${repo}/tags/list`, { query: { n: '4' } });
    expectStatus(res, 200);
    const next = nextLink(res.headers.get('link'));
    assert.ok(next, `expected Link: <…>; rel="next"\n${describeExchange(res)}`);
    const url = registry().resolve(next);
    assert.equal(url.pathname, `/v2/${repo}/tags/list`, describeExchange(res));
  });

  it('n with last returns the tags after `last`, excluding it', async () => {
    const res = await registry().get(`/v2/${repo}/tags/list`, { query: { n: '3', last: sorted[3] } });
    expectStatus(res, 200);
    assert.deepEqual(tagsOf(res), sorted.slice(4, 7), describeExchange(res));
  });

  it('last without n returns every tag after `last`', async () => {
    const res = await registry().get(`/v2/${repo}/tags/list`, { query: { last: sorted[5] } });
    expectStatus(res, 200);
    assert.deepEqual(tagsOf(res), sorted.slice(6), describeExchange(res));
  });

  it('following Link headers walks all tags exactly once, in order, and the last page has no Link', async () => {
    const { items, pages } = await followPages(registry(), `/v2/${repo}/tags/list?n=2`, tagsOf);
    assert.deepEqual(items, sorted);
    assert.equal(pages.length, Math.ceil(sorted.length / 2));
    for (const page of pages) assert.ok(tagsOf(page).length <= 2, describeExchange(page));
    const last = pages[pages.length - 1]!;
    assert.equal(last.headers.get('link'), null, describeExchange(last));
  });

  it('n=0 returns an empty list and no Link header', async () => {
    const res = await registry().get(`/v2/${repo}/tags/list`, { query: { n: '0' } });
    expectStatus(res, 200);
    assert.deepEqual(tagsOf(res), [], describeExchange(res));
    assert.equal(res.headers.get('link'), null, describeExchange(res));
  });

  it('n larger than the number of tags returns all of them and no Link header', async () => {
    const res = await registry().get(`/v2/${repo}/tags/list`, { query: { n: '1000' } });
    expectStatus(res, 200);
    assert.deepEqual(tagsOf(res), sorted, describeExchange(res));
    assert.equal(res.headers.get('link'), null, describeExchange(res));
  });

  it('tags/list of a repository that does not exist returns 404 NAME_UNKNOWN', async () => {
    const res = await registry().get(`/v2/${uniqueRepo(`discovery/missing-${randomId()}`)}/tags/list`);
    expectError(res, 404, 'NAME_UNKNOWN');
  });
});

describe('discovery: catalog', () => {
  const base = uniqueRepo('catalog');
  const repos = [`${base}-a/team-a/service/api`, `${base}-b/x`, `${base}-c/y`];

  before(async () => {
    for (const repo of repos) await pushImage(registry(), repo, ociImage(1, 16), 'v1');
  });

  it('GET /v2/_catalog lists the pushed repositories in lexical order', async () => {
    const { items } = await followPages(registry(), '/v2/_catalog?n=100', (page) => page.json<{ repositories: string[] }>().repositories);
    for (const repo of repos) assert.ok(items.includes(repo), `${repo} missing from the catalog`);
    assert.deepEqual(items, [...items].sort(), 'catalog must be sorted');
    assert.equal(new Set(items).size, items.length, 'catalog must not repeat a repository');
  });

  it('n limits the page and a Link header points to the next page', async () => {
    const res = await registry().get('/v2/_catalog', { query: { n: '2' } });
    expectStatus(res, 200);
    assert.equal(res.json<{ repositories: string[] }>().repositories.length, 2, describeExchange(res));
    const next = nextLink(res.headers.get('link'));
    assert.ok(next, `expected Link: <…>; rel="next"\n${describeExchange(res)}`);
    assert.equal(registry().resolve(next).pathname, '/v2/_catalog', describeExchange(res));
  });

  it('last starts the page after the named repository and Link continues from there', async () => {
    const res = await registry().get('/v2/_catalog', { query: { n: '1', last: repos[0] } });
    expectStatus(res, 200);
    assert.deepEqual(res.json<{ repositories: string[] }>().repositories, [repos[1]], describeExchange(res));
    const next = nextLink(res.headers.get('link'));
    assert.ok(next, `expected Link: <…>; rel="next"\n${describeExchange(res)}`);
    const page2 = await registry().get(next);
    expectStatus(page2, 200);
    assert.deepEqual(page2.json<{ repositories: string[] }>().repositories, [repos[2]], describeExchange(page2));
  });
});

interface ReferrersIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: Descriptor[];
}

describe('discovery: referrers API', () => {
  const repo = uniqueRepo('discovery/referrers');
  const typeA = 'application/vnd.example.peanut.butter.bagel';
  const typeB = 'application/vnd.example.strawberry.jam.croissant';
  const typeIndex = 'application/vnd.example.food.stand';
  const noteKey = 'org.example.conformance.note';
  const empty = emptyJsonBlob();
  const blobA = blobOf(`referrer payload A ${randomId()}`);
  const blobB = blobOf(`referrer payload B ${randomId()}`);
  const subject = ociImage(1, 64);
  const neverPushed = ociImage(1, 64);
  const subjectDesc = manifestDescriptor(subject.manifest);

  // Two kinds of artifact: type carried by config.mediaType, or by artifactType + empty config.
  const configArtifactA = ociManifest({ config: descriptorOf(blobA, typeA), layers: [descriptorOf(empty, MEDIA.ociEmpty)], subject: subjectDesc, annotations: { [noteKey]: 'config a' } });
  const layerArtifactA = ociManifest({ artifactType: typeA, config: descriptorOf(empty, MEDIA.ociEmpty), layers: [descriptorOf(blobA, typeA)], subject: subjectDesc, annotations: { [noteKey]: 'layer a' } });
  const configArtifactB = ociManifest({ config: descriptorOf(blobB, typeB), layers: [descriptorOf(empty, MEDIA.ociEmpty)], subject: subjectDesc, annotations: { [noteKey]: 'config b' } });
  const layerArtifactB = ociManifest({ artifactType: typeB, config: descriptorOf(empty, MEDIA.ociEmpty), layers: [descriptorOf(blobB, typeB)], subject: subjectDesc, annotations: { [noteKey]: 'layer b' } });
  const indexArtifact = ociIndex({
    artifactType: typeIndex,
    manifests: [manifestDescriptor(configArtifactA), manifestDescriptor(layerArtifactA)],
    subject: subjectDesc,
    annotations: { [noteKey]: 'index' },
  });
  const orphanArtifact = ociManifest({ artifactType: typeB, config: descriptorOf(empty, MEDIA.ociEmpty), layers: [descriptorOf(blobB, typeB)], subject: manifestDescriptor(neverPushed.manifest) });
  const expected = new Map<string, { doc: ManifestDoc; artifactType: string }>([
    [configArtifactA.digest, { doc: configArtifactA, artifactType: typeA }],
    [layerArtifactA.digest, { doc: layerArtifactA, artifactType: typeA }],
    [configArtifactB.digest, { doc: configArtifactB, artifactType: typeB }],
    [layerArtifactB.digest, { doc: layerArtifactB, artifactType: typeB }],
    [indexArtifact.digest, { doc: indexArtifact, artifactType: typeIndex }],
  ]);
  const pushes: Array<{ put: Exchange; subject: string }> = [];

  async function pushReferrer(doc: ManifestDoc, subjectDigest: string): Promise<void> {
    const put = await putManifest(registry(), repo, doc.digest, doc);
    expectStatus(put, 201);
    pushes.push({ put, subject: subjectDigest });
  }

  async function referrers(digest: string, artifactType?: string): Promise<{ first: Exchange; manifests: Descriptor[] }> {
    const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
    const { items, pages } = await followPages(registry(), `/v2/${repo}/referrers/${digest}${query}`, (page) => {
      expectHeaderEquals(page, 'content-type', MEDIA.ociIndex);
      const body = page.json<ReferrersIndex>();
      assert.equal(body.schemaVersion, 2, describeExchange(page));
      assert.equal(body.mediaType, MEDIA.ociIndex, describeExchange(page));
      assert.ok(Array.isArray(body.manifests), describeExchange(page));
      return body.manifests;
    });
    return { first: pages[0]!, manifests: items };
  }

  function checkDescriptor(descriptor: Descriptor): void {
    const want = expected.get(descriptor.digest);
    assert.ok(want, `unexpected referrer ${descriptor.digest}`);
    assert.equal(descriptor.mediaType, want.doc.mediaType, `mediaType of ${descriptor.digest}`);
    assert.equal(descriptor.size, want.doc.size, `size of ${descriptor.digest}`);
    assert.equal(descriptor.artifactType, want.artifactType, `artifactType of ${descriptor.digest}`);
    assert.deepEqual(descriptor.annotations, want.doc.json.annotations, `annotations of ${descriptor.digest}`);
  }

  before(async () => {
    // Some referrers go in before their subject exists, some after, as the spec allows.
    await pushBlob(registry(), repo, empty);
    await pushBlob(registry(), repo, blobA);
    await pushReferrer(configArtifactA, subject.manifest.digest);
    await pushReferrer(layerArtifactA, subject.manifest.digest);
    await pushReferrer(indexArtifact, subject.manifest.digest);
    await pushImage(registry(), repo, subject, 'subject');
    await pushBlob(registry(), repo, blobB);
    await pushReferrer(configArtifactB, subject.manifest.digest);
    await pushReferrer(layerArtifactB, subject.manifest.digest);
    await pushReferrer(orphanArtifact, neverPushed.manifest.digest);
  });

  it('every PUT of a manifest with a subject answers OCI-Subject with the subject digest', () => {
    assert.equal(pushes.length, 6);
    for (const { put, subject: digest } of pushes) expectHeaderEquals(put, 'oci-subject', digest);
  });

  it('GET referrers of the subject returns an image index with all five referrers', async () => {
    const { manifests, first } = await referrers(subject.manifest.digest);
    assert.equal(manifests.length, 5, describeExchange(first));
    assert.equal(new Set(manifests.map((m) => m.digest)).size, 5, 'referrers must not repeat');
    for (const descriptor of manifests) checkDescriptor(descriptor);
  });

  it('artifactType filter returns only matching referrers and sets OCI-Filters-Applied', async () => {
    const { manifests, first } = await referrers(subject.manifest.digest, typeA);
    expectHeaderEquals(first, 'oci-filters-applied', 'artifactType');
    assert.deepEqual(manifests.map((m) => m.digest).sort(), [configArtifactA.digest, layerArtifactA.digest].sort(), describeExchange(first));
    for (const descriptor of manifests) checkDescriptor(descriptor);
  });

  it('artifactType filter on the index type returns the index referrer only', async () => {
    const { manifests, first } = await referrers(subject.manifest.digest, typeIndex);
    expectHeaderEquals(first, 'oci-filters-applied', 'artifactType');
    assert.deepEqual(manifests.map((m) => m.digest), [indexArtifact.digest], describeExchange(first));
  });

  it('a filter that matches nothing returns an empty index with OCI-Filters-Applied', async () => {
    const { manifests, first } = await referrers(subject.manifest.digest, 'application/vnd.example.nothing');
    expectHeaderEquals(first, 'oci-filters-applied', 'artifactType');
    assert.deepEqual(manifests, [], describeExchange(first));
  });

  it('referrers of a subject that was never pushed list the manifests pointing at it', async () => {
    const { manifests, first } = await referrers(neverPushed.manifest.digest);
    assert.deepEqual(manifests.map((m) => m.digest), [orphanArtifact.digest], describeExchange(first));
    assert.equal(manifests[0]!.artifactType, typeB, describeExchange(first));
  });

  it('referrers of a digest nothing refers to is 200 with an empty index, no filter header', async () => {
    const res = await registry().get(`/v2/${repo}/referrers/${unknownDigest()}`);
    expectStatus(res, 200);
    expectHeaderEquals(res, 'content-type', MEDIA.ociIndex);
    assert.deepEqual(res.json(), { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] }, describeExchange(res));
    assert.equal(res.headers.get('oci-filters-applied'), null, describeExchange(res));
  });

  it('referrers with a malformed digest answer 400', async () => {
    const res = await registry().get(`/v2/${repo}/referrers/sha256:not-a-digest`);
    expectStatus(res, 400);
  });

  it('an index referrer without artifactType is listed without artifactType', async () => {
    const other = ociImage(1, 32);
    await pushImage(registry(), repo, other);
    const plainIndex = ociIndex({ manifests: [manifestDescriptor(subject.manifest)], subject: manifestDescriptor(other.manifest), annotations: { [noteKey]: 'plain index' } });
    const put = await putManifest(registry(), repo, plainIndex.digest, plainIndex);
    expectStatus(put, 201);
    expectHeaderEquals(put, 'oci-subject', other.manifest.digest);
    const res = await registry().get(`/v2/${repo}/referrers/${other.manifest.digest}`);
    expectStatus(res, 200);
    const manifests = res.json<ReferrersIndex>().manifests;
    assert.equal(manifests.length, 1, describeExchange(res));
    assert.equal(manifests[0]!.digest, plainIndex.digest, describeExchange(res));
    assert.equal(manifests[0]!.mediaType, MEDIA.ociIndex, describeExchange(res));
    assert.equal('artifactType' in manifests[0]!, false, `artifactType must be omitted\n${describeExchange(res)}`);
    assert.deepEqual(manifests[0]!.annotations, { [noteKey]: 'plain index' }, describeExchange(res));
  });

  it('referrers are scoped to the repository', async () => {
    const elsewhere = uniqueRepo('discovery/referrers-elsewhere');
    await pushBlob(registry(), elsewhere, empty);
    const stranger = ociManifest({ artifactType: typeA, config: descriptorOf(empty, MEDIA.ociEmpty), layers: [descriptorOf(empty, MEDIA.ociEmpty)], subject: subjectDesc });
    const put = await putManifest(registry(), elsewhere, stranger.digest, stranger);
    expectStatus(put, 201);
    const { manifests } = await referrers(subject.manifest.digest);
    assert.ok(!manifests.some((m) => m.digest === stranger.digest), 'a referrer from another repository leaked in');
    const there = await registry().get(`/v2/${elsewhere}/referrers/${subject.manifest.digest}`);
    expectStatus(there, 200);
    assert.deepEqual(there.json<ReferrersIndex>().manifests.map((m) => m.digest), [stranger.digest], describeExchange(there));
  });

  it('deleting a referrer removes it from the list', async () => {
    const del = await registry().request('DELETE', `/v2/${repo}/manifests/${layerArtifactB.digest}`);
    expectStatus(del, 202);
    expected.delete(layerArtifactB.digest);
    const { manifests, first } = await referrers(subject.manifest.digest);
    assert.equal(manifests.length, 4, describeExchange(first));
    assert.ok(!manifests.some((m) => m.digest === layerArtifactB.digest), describeExchange(first));
    for (const descriptor of manifests) checkDescriptor(descriptor);
  });
});
