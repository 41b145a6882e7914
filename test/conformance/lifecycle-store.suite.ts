// The LifecycleStore part of the MetadataStore contract, run by metadata-store.suite.ts
// for every driver: policies and their evaluation time, the evaluator's one read of a
// repository, the conditional expire step with its audit row, and previews.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ManifestRecord, MetadataStore } from '../../src/storage/meta/metadata-store.ts';
import type { ExpireRequest } from '../../src/storage/meta/lifecycle-store.ts';
import { DEFAULT_REPOSITORY_SETTINGS } from '../../src/storage/meta/repository-settings.ts';

type It = (title: string, body: (store: MetadataStore) => Promise<void>) => void;

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const T0 = Date.UTC(2026, 0, 1);
const POLICY = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });

function digest(content: string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

function manifest(repository: string, body: object, options: { mediaType?: string; subject?: string; pushedAt?: number; artifactType?: string } = {}): ManifestRecord {
  const mediaType = options.mediaType ?? OCI_MANIFEST;
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, ...body }));
  return {
    repository,
    digest: digest(content.toString()),
    mediaType,
    size: content.length,
    content,
    pushedAt: new Date(options.pushedAt ?? T0),
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    ...(options.artifactType === undefined ? {} : { artifactType: options.artifactType }),
  };
}

function expireRequest(record: ManifestRecord, overrides: Partial<ExpireRequest> = {}): ExpireRequest {
  return { repository: record.repository, digest: record.digest, tags: [], referrers: [], rulePriority: 1, reason: 'rule', at: new Date(T0 + 1000), ...overrides };
}

async function created(s: MetadataStore, name: string): Promise<void> {
  assert.equal(await s.repositories.create(name, DEFAULT_REPOSITORY_SETTINGS, {}, new Date(T0)), true);
}

export function lifecycleStoreContract(it: It): void {
  describe('lifecycle policies', () => {
    it('a policy is put, read with its evaluation time, replaced, listed and deleted', async (s) => {
      assert.equal(await s.lifecycle.putPolicy('nowhere', POLICY), false, 'no repository, no policy');
      await created(s, 'b/app');
      await created(s, 'a/app');
      await created(s, 'c/app');
      assert.equal(await s.lifecycle.getPolicy('a/app'), undefined);
      assert.equal(await s.lifecycle.putPolicy('a/app', POLICY), true);
      assert.equal(await s.lifecycle.putPolicy('b/app', POLICY), true);
      assert.deepEqual(await s.lifecycle.getPolicy('a/app'), { repository: 'a/app', text: POLICY });
      await s.lifecycle.markEvaluated('a/app', new Date(T0 + 5000));
      await s.lifecycle.markEvaluated('c/app', new Date(T0 + 5000));
      assert.deepEqual(await s.lifecycle.getPolicy('a/app'), { repository: 'a/app', text: POLICY, lastEvaluatedAt: new Date(T0 + 5000) });
      assert.equal(await s.lifecycle.getPolicy('c/app'), undefined, 'marking a repository without a policy does nothing');
      const replaced = POLICY.replace('"countNumber":1', '"countNumber":2');
      assert.equal(await s.lifecycle.putPolicy('a/app', replaced), true);
      assert.deepEqual(await s.lifecycle.getPolicy('a/app'), { repository: 'a/app', text: replaced, lastEvaluatedAt: new Date(T0 + 5000) }, 'replacing keeps the evaluation time');
      assert.deepEqual((await s.lifecycle.listPolicies({ limit: 10 })).map((policy) => policy.repository), ['a/app', 'b/app']);
      assert.deepEqual((await s.lifecycle.listPolicies({ limit: 1, after: 'a/app' })).map((policy) => policy.repository), ['b/app']);
      assert.deepEqual(await s.lifecycle.deletePolicy('a/app'), { repository: 'a/app', text: replaced, lastEvaluatedAt: new Date(T0 + 5000) });
      assert.equal(await s.lifecycle.deletePolicy('a/app'), undefined);
      assert.equal(await s.lifecycle.getPolicy('a/app'), undefined);
      await s.lifecycle.putPolicy('a/app', POLICY);
      assert.equal((await s.lifecycle.getPolicy('a/app'))?.lastEvaluatedAt, undefined, 'a deleted policy takes its evaluation time along');
    });

    it('deleting a repository removes its policy and preview; a repository of the same name starts without them', async (s) => {
      const image = manifest('gone/app', { n: 1 });
      await s.manifests.put(image, { blobs: [], manifests: [] }, 'v1');
      await s.lifecycle.putPolicy('gone/app', POLICY);
      assert.equal(await s.lifecycle.startPreview('gone/app', POLICY, new Date(T0), new Date(T0 - 60_000)), 'started');
      assert.equal(await s.repositories.delete('gone/app', { force: true }), 'deleted');
      assert.equal(await s.lifecycle.getPolicy('gone/app'), undefined);
      assert.equal(await s.lifecycle.getPreview('gone/app'), undefined);
      await created(s, 'gone/app');
      assert.equal(await s.lifecycle.getPolicy('gone/app'), undefined);
      assert.equal(await s.lifecycle.getPreview('gone/app'), undefined);
      assert.deepEqual(await s.lifecycle.listPolicies({ limit: 10 }), []);
    });
  });

  describe('lifecycle images', () => {
    it('images reads every manifest with its tags, children, subject, pull time and DescribeImages size', async (s) => {
      const layerA = digest('layer a');
      const layerB = digest('layer b');
      // A blob is reserved before its bytes are committed, then linked (the GC protocol).
      await s.blobs.reserve(layerA, 100, new Date());
      await s.blobs.reserve(layerB, 250, new Date());
      await s.blobs.link('img', layerA, 100);
      await s.blobs.link('img', layerB, 250);
      const amd = manifest('img', { arch: 'amd64' }, { pushedAt: T0 });
      const arm = manifest('img', { arch: 'arm64' }, { pushedAt: T0 });
      const index = manifest('img', { manifests: [amd.digest, arm.digest] }, { mediaType: OCI_INDEX, pushedAt: T0 + 1 });
      const signature = manifest('img', { signature: true }, { subject: index.digest, artifactType: 'application/vnd.dev.cosign', pushedAt: T0 + 2 });
      await s.manifests.put(amd, { blobs: [layerA], manifests: [] });
      await s.manifests.put(arm, { blobs: [layerA, layerB], manifests: [] });
      await s.manifests.put(index, { blobs: [], manifests: [amd.digest, arm.digest] }, 'v1');
      await s.manifests.put(index, { blobs: [], manifests: [amd.digest, arm.digest] }, 'latest');
      await s.manifests.put(signature, { blobs: [layerB], manifests: [] });
      await s.usage.recordPullTimes([{ repository: 'img', digest: amd.digest, at: new Date(T0 + 99) }]);
      const images = await s.lifecycle.images('img');
      const expected = [
        { digest: amd.digest, tags: [], pushedAt: new Date(T0), lastPulledAt: new Date(T0 + 99), mediaType: OCI_MANIFEST, children: [], sizeInBytes: 100 },
        { digest: arm.digest, tags: [], pushedAt: new Date(T0), mediaType: OCI_MANIFEST, children: [], sizeInBytes: 350 },
        { digest: index.digest, tags: ['latest', 'v1'], pushedAt: new Date(T0 + 1), mediaType: OCI_INDEX, children: [amd.digest, arm.digest].sort(), sizeInBytes: 350 },
        {
          digest: signature.digest,
          tags: [],
          pushedAt: new Date(T0 + 2),
          mediaType: OCI_MANIFEST,
          artifactType: 'application/vnd.dev.cosign',
          children: [],
          subject: index.digest,
          sizeInBytes: 250,
        },
      ].sort((a, b) => (a.digest < b.digest ? -1 : 1));
      assert.deepEqual(images, expected);
      assert.deepEqual(await s.lifecycle.images('no/such'), []);
    });
  });

  describe('lifecycle expire step', () => {
    it('expires an image still as evaluated, with its tags, and writes its audit row', async (s) => {
      const image = manifest('exp', { n: 1 });
      await s.manifests.put(image, { blobs: [], manifests: [] }, 'old');
      await s.manifests.put(image, { blobs: [], manifests: [] }, 'older');
      assert.equal(await s.lifecycle.expire(expireRequest(image, { tags: ['older', 'old'], rulePriority: 3 })), 'expired');
      assert.equal(await s.manifests.get('exp', image.digest), undefined);
      assert.deepEqual(await s.tags.list('exp', { limit: 10 }), []);
      const [row, ...rest] = await s.lifecycle.expirations({}, { limit: 10 });
      assert.deepEqual(rest, []);
      assert.deepEqual({ ...row!, id: 0 }, { id: 0, repository: 'exp', digest: image.digest, tags: ['old', 'older'], rulePriority: 3, reason: 'rule', expiredAt: new Date(T0 + 1000) });
      assert.equal(await s.lifecycle.expire(expireRequest(image, { tags: ['older', 'old'] })), 'gone', 'a second expiry finds it gone');
      assert.equal((await s.lifecycle.expirations({}, { limit: 10 })).length, 1, 'and writes no row');
    });

    it('an image re-tagged, or with a tag moved away, after the evaluation stays', async (s) => {
      const image = manifest('retag', { n: 1 });
      const other = manifest('retag', { n: 2 });
      await s.manifests.put(image, { blobs: [], manifests: [] }, 'v1');
      await s.manifests.put(image, { blobs: [], manifests: [] }, 'hotfix');
      assert.equal(await s.lifecycle.expire(expireRequest(image, { tags: ['v1'] })), 'tags-changed');
      await s.manifests.put(other, { blobs: [], manifests: [] }, 'hotfix');
      await s.manifests.put(other, { blobs: [], manifests: [] }, 'v1');
      assert.equal(await s.lifecycle.expire(expireRequest(image, { tags: ['v1', 'hotfix'] })), 'tags-changed', 'evaluated tagged, untagged now');
      assert.ok(await s.manifests.get('retag', image.digest));
      assert.deepEqual(await s.lifecycle.expirations({}, { limit: 10 }), []);
    });

    it('a child an index lists stays until that index is gone; a child goes only after the image it goes with', async (s) => {
      const child = manifest('tree', { arch: 'amd64' });
      const index = manifest('tree', { manifests: [child.digest] }, { mediaType: OCI_INDEX });
      await s.manifests.put(child, { blobs: [], manifests: [] });
      await s.manifests.put(index, { blobs: [], manifests: [child.digest] });
      assert.equal(await s.lifecycle.expire(expireRequest(child, { reason: 'index-child', via: index.digest })), 'listed-by-index');
      assert.equal(await s.lifecycle.expire(expireRequest(index)), 'expired');
      assert.equal(await s.lifecycle.expire(expireRequest(child, { reason: 'index-child', via: index.digest })), 'expired');
      const rows = await s.lifecycle.expirations({ repository: 'tree' }, { limit: 10 });
      assert.deepEqual(rows.map((row) => [row.digest, row.reason, row.via]), [[child.digest, 'index-child', index.digest], [index.digest, 'rule', undefined]], 'newest first');
    });

    it('a referrer goes only once its subject is gone; a referrer the evaluation did not see keeps the subject', async (s) => {
      const subject = manifest('sig', { image: true });
      const signature = manifest('sig', { signature: true }, { subject: subject.digest });
      const late = manifest('sig', { sbom: true }, { subject: subject.digest, pushedAt: T0 + 5 });
      await s.manifests.put(subject, { blobs: [], manifests: [] });
      await s.manifests.put(signature, { blobs: [], manifests: [] });
      assert.equal(await s.lifecycle.expire(expireRequest(signature, { reason: 'referrer', via: subject.digest })), 'carrier-present');
      await s.manifests.put(late, { blobs: [], manifests: [] });
      assert.equal(await s.lifecycle.expire(expireRequest(subject, { referrers: [signature.digest] })), 'new-referrer');
      assert.equal(await s.lifecycle.expire(expireRequest(subject, { referrers: [signature.digest, late.digest] })), 'expired');
      assert.equal(await s.lifecycle.expire(expireRequest(signature, { reason: 'referrer', via: subject.digest })), 'expired');
    });

    it('an expiry racing a push that re-tags the image never loses the new tag', async (s) => {
      for (let round = 0; round < 10; round++) {
        const image = manifest('race', { round });
        await s.manifests.put(image, { blobs: [], manifests: [] });
        const [outcome, pushed] = await Promise.all([
          s.lifecycle.expire(expireRequest(image)),
          s.manifests.put(image, { blobs: [], manifests: [] }, `keep-${round}`),
        ]);
        assert.deepEqual(pushed, { ok: true });
        assert.ok(outcome === 'expired' || outcome === 'tags-changed', outcome);
        assert.equal((await s.manifests.getByTag('race', `keep-${round}`))?.digest, image.digest, `round ${round}: the pushed tag names the image`);
      }
    });

    it('the audit log pages newest first, by repository or for all', async (s) => {
      const images = Array.from({ length: 5 }, (_, n) => manifest(n % 2 === 0 ? 'even' : 'odd', { n }));
      for (const image of images) await s.manifests.put(image, { blobs: [], manifests: [] });
      for (const image of images) assert.equal(await s.lifecycle.expire(expireRequest(image)), 'expired');
      const all = await s.lifecycle.expirations({}, { limit: 10 });
      assert.deepEqual(all.map((row) => row.digest), images.map((image) => image.digest).reverse());
      const firstPage = await s.lifecycle.expirations({}, { limit: 2 });
      const secondPage = await s.lifecycle.expirations({}, { limit: 2, before: firstPage[1]!.id });
      assert.deepEqual([...firstPage, ...secondPage].map((row) => row.digest), all.slice(0, 4).map((row) => row.digest));
      assert.deepEqual((await s.lifecycle.expirations({ repository: 'odd' }, { limit: 10 })).map((row) => row.digest), [images[3]!.digest, images[1]!.digest]);
    });
  });

  describe('lifecycle previews', () => {
    it('one preview runs at a time; it completes with its results, a stale one may be replaced', async (s) => {
      assert.equal(await s.lifecycle.startPreview('none', POLICY, new Date(T0), new Date(T0 - 1)), 'no-repository');
      await created(s, 'pv');
      assert.equal(await s.lifecycle.getPreview('pv'), undefined);
      assert.equal(await s.lifecycle.startPreview('pv', POLICY, new Date(T0), new Date(T0 - 60_000)), 'started');
      assert.deepEqual(await s.lifecycle.getPreview('pv'), { policy: POLICY, status: 'IN_PROGRESS', startedAt: new Date(T0) });
      assert.equal(await s.lifecycle.startPreview('pv', POLICY, new Date(T0 + 1), new Date(T0 - 60_000)), 'in-progress');
      const results = [
        { digest: digest('x'), tags: ['a'], pushedAt: new Date(T0 - 5), rulePriority: 2, reason: 'rule' as const },
        { digest: digest('y'), tags: [], pushedAt: new Date(T0 - 6), rulePriority: 2, reason: 'index-child' as const, via: digest('x') },
      ];
      await s.lifecycle.finishPreview('pv', new Date(T0), { status: 'COMPLETE', results }, new Date(T0 + 10));
      assert.deepEqual(await s.lifecycle.getPreview('pv'), { policy: POLICY, status: 'COMPLETE', results, startedAt: new Date(T0), completedAt: new Date(T0 + 10) });
      // A completed preview may be replaced at once; a preview nobody finished only once it is stale.
      assert.equal(await s.lifecycle.startPreview('pv', 'other', new Date(T0 + 20), new Date(T0)), 'started');
      assert.equal(await s.lifecycle.startPreview('pv', 'third', new Date(T0 + 30), new Date(T0 + 25)), 'started', 'started before staleBefore: abandoned');
      // The replaced preview's late finish changes nothing.
      await s.lifecycle.finishPreview('pv', new Date(T0 + 20), { status: 'FAILED' }, new Date(T0 + 40));
      assert.deepEqual(await s.lifecycle.getPreview('pv'), { policy: 'third', status: 'IN_PROGRESS', startedAt: new Date(T0 + 30) });
      await s.lifecycle.finishPreview('pv', new Date(T0 + 30), { status: 'FAILED' }, new Date(T0 + 50));
      assert.deepEqual(await s.lifecycle.getPreview('pv'), { policy: 'third', status: 'FAILED', startedAt: new Date(T0 + 30), completedAt: new Date(T0 + 50) });
    });
  });
}
