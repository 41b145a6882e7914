// The lifecycle service on a real (in-memory SQLite) store: a preview lists exactly
// what a run then expires, index children and referrers go with their image and stay
// with a kept one, a push between the evaluation and the deletion wins, and the run
// records lastEvaluatedAt and the audit log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { carriersFirst } from '../../../src/lifecycle/lifecycle-evaluation.ts';
import { startLifecyclePreview } from '../../../src/lifecycle/lifecycle-preview.ts';
import { NoLifecyclePolicyError, runLifecycle } from '../../../src/lifecycle/lifecycle-runner.ts';
import { parseLifecyclePolicy } from '../../../src/lifecycle/lifecycle-policy-grammar.ts';
import type { LifecycleExpiry } from '../../../src/lifecycle/lifecycle-types.ts';
import type { LifecycleStore } from '../../../src/storage/meta/lifecycle-store.ts';
import type { ManifestRecord, MetadataStore } from '../../../src/storage/meta/metadata-store.ts';
import { SqliteMetadataStore } from '../../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);
const NOW = new Date(T0 + 10 * DAY);
const REPO = 'team/app';

const POLICY = JSON.stringify({
  rules: [
    { rulePriority: 1, description: 'keep two releases', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'old untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
  ],
});

function digestOf(content: Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** Pushes a manifest (a layer of its own, or the children it lists) straight into the store. */
async function push(s: MetadataStore, name: string, options: { tag?: string; at: number; children?: string[]; subject?: string }): Promise<string> {
  const layer = digestOf(Buffer.from(`layer of ${name}`));
  await s.blobs.reserve(layer, 1000 + name.length, new Date());
  await s.blobs.link(REPO, layer, 1000 + name.length);
  const mediaType = options.children ? OCI_INDEX : OCI_MANIFEST;
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, name, ...(options.children ? { manifests: options.children } : { layers: [layer] }) }));
  const record: ManifestRecord = {
    repository: REPO,
    digest: digestOf(content),
    mediaType,
    size: content.length,
    content,
    pushedAt: new Date(options.at),
    ...(options.subject ? { subject: options.subject, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' } : {}),
  };
  const put = await s.manifests.put(record, options.children ? { blobs: [], manifests: options.children } : { blobs: [layer], manifests: [] }, options.tag);
  assert.deepEqual(put, { ok: true });
  return record.digest;
}

/** A repository with releases, a signature, an untagged multi-arch index and a tagged one. */
async function seed(s: MetadataStore) {
  const v1 = await push(s, 'v1', { tag: 'v1', at: T0 });
  const v2 = await push(s, 'v2', { tag: 'v2', at: T0 + DAY });
  const v3 = await push(s, 'v3', { tag: 'v3', at: T0 + 2 * DAY });
  const v4 = await push(s, 'v4', { tag: 'v4', at: T0 + 3 * DAY });
  const sig1 = await push(s, 'sig1', { at: T0 + 1, subject: v1 });
  const sig4 = await push(s, 'sig4', { at: T0 + 3 * DAY + 1, subject: v4 });
  const c1 = await push(s, 'c1', { at: T0 });
  const c2 = await push(s, 'c2', { at: T0 });
  const index = await push(s, 'index', { at: T0, children: [c1, c2] });
  const k1 = await push(s, 'k1', { at: T0 });
  const k2 = await push(s, 'k2', { at: T0 });
  const multi = await push(s, 'multi', { tag: 'multi', at: T0, children: [k1, k2] });
  await s.lifecycle.putPolicy(REPO, POLICY);
  return { v1, v2, v3, v4, sig1, sig4, c1, c2, index, k1, k2, multi };
}

async function withStore(body: (s: SqliteMetadataStore) => Promise<void>): Promise<void> {
  const store = SqliteMetadataStore.open({ path: ':memory:' });
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

async function remaining(s: MetadataStore): Promise<Set<string>> {
  return new Set((await s.lifecycle.images(REPO)).map((image) => image.digest));
}

test('a preview lists exactly what the run then expires; children of a kept index and signatures of kept images stay', () =>
  withStore(async (s) => {
    const d = await seed(s);
    const started = await startLifecyclePreview(s.lifecycle, REPO, POLICY, parseLifecyclePolicy(POLICY), () => NOW);
    assert.equal(started.result, 'started');
    await started.done;
    const preview = await s.lifecycle.getPreview(REPO);
    assert.equal(preview?.status, 'COMPLETE');
    const previewed = preview!.results!.map((expiry) => expiry.digest);
    assert.deepEqual(new Set(previewed), new Set([d.v1, d.sig1, d.v2, d.index, d.c1, d.c2]));

    const dry = await runLifecycle(s.lifecycle, { dryRun: true, now: () => NOW });
    assert.deepEqual(dry.repositories[0]!.expired.map((expiry) => expiry.digest), previewed, 'a dry run says the same, in the same order');
    assert.equal((await remaining(s)).size, 12, 'a dry run expires nothing');
    assert.equal((await s.lifecycle.getPolicy(REPO))?.lastEvaluatedAt, undefined, 'nor records an evaluation');

    const seen: string[] = [];
    const summary = await runLifecycle(s.lifecycle, { now: () => NOW, onExpired: (_repository, expiry) => seen.push(expiry.digest) });
    assert.deepEqual(seen, previewed, 'the run expires what the preview listed, in its order');
    assert.deepEqual(
      { evaluated: summary.repositoriesEvaluated, expired: summary.imagesExpired, byRule: summary.expiredByRule, kept: summary.imagesKept },
      { evaluated: 1, expired: 6, byRule: { '1': 3, '2': 3 }, kept: 0 },
    );
    assert.deepEqual(await remaining(s), new Set([d.v3, d.v4, d.sig4, d.multi, d.k1, d.k2]));
    assert.deepEqual((await s.lifecycle.getPolicy(REPO))?.lastEvaluatedAt, NOW);

    const log = await s.lifecycle.expirations({ repository: REPO }, { limit: 100 });
    assert.deepEqual(
      log.map((row) => [row.digest, row.rulePriority, row.reason]).reverse(),
      preview!.results!.map((expiry) => [expiry.digest, expiry.rulePriority, expiry.reason]),
    );
    const sig = log.find((row) => row.digest === d.sig1)!;
    assert.deepEqual([sig.reason, sig.via], ['referrer', d.v1]);
    assert.deepEqual(log.find((row) => row.digest === d.v1)!.tags, ['v1']);

    // Nothing more to do: a second run expires nothing.
    assert.equal((await runLifecycle(s.lifecycle, { now: () => NOW })).imagesExpired, 0);
  }));

test('the run deletes a signature only after its subject: a subject re-tagged after the evaluation keeps its signature', () =>
  withStore(async (s) => {
    const d = await seed(s);
    // The re-tag lands after the evaluation read the repository, before anything is deleted.
    const racing: LifecycleStore = {
      ...s.lifecycle,
      images: async (repository) => {
        const images = await s.lifecycle.images(repository);
        const v1 = (await s.manifests.get(REPO, d.v1))!;
        await s.manifests.put(v1, { blobs: [digestOf(Buffer.from('layer of v1'))], manifests: [] }, 'hotfix');
        return images;
      },
    };
    const summary = await runLifecycle(racing, { now: () => NOW });
    const kept = summary.repositories[0]!.kept.map((image) => [image.expiry.digest, image.outcome]);
    assert.deepEqual(new Map(kept as Array<[string, string]>), new Map([[d.v1, 'tags-changed'], [d.sig1, 'carrier-present']]));
    const left = await remaining(s);
    assert.ok(left.has(d.v1) && left.has(d.sig1), 'the re-tagged image and its signature stay');
    assert.ok(!left.has(d.v2) && !left.has(d.index) && !left.has(d.c1), 'the rest of the evaluation still runs');
    assert.equal(summary.imagesExpired, 4);
    assert.equal((await s.manifests.getByTag(REPO, 'hotfix'))?.digest, d.v1);
  }));

test('a new index pushed over an untagged image after the evaluation keeps it', () =>
  withStore(async (s) => {
    const d = await seed(s);
    const racing: LifecycleStore = {
      ...s.lifecycle,
      images: async (repository) => {
        const images = await s.lifecycle.images(repository);
        await push(s, 'adopter', { tag: 'adopter', at: NOW.getTime(), children: [d.c1] });
        return images;
      },
    };
    const summary = await runLifecycle(racing, { now: () => NOW });
    assert.deepEqual(summary.repositories[0]!.kept.map((image) => [image.expiry.digest, image.outcome]), [[d.c1, 'listed-by-index']]);
    const left = await remaining(s);
    assert.ok(left.has(d.c1) && !left.has(d.c2) && !left.has(d.index));
  }));

test('scheduled runs skip repositories evaluated since dueBefore; a named repository needs a policy; a policy that no longer parses counts as failed', () =>
  withStore(async (s) => {
    await seed(s);
    await s.lifecycle.markEvaluated(REPO, new Date(NOW.getTime() - 1000));
    assert.equal((await runLifecycle(s.lifecycle, { now: () => NOW, dueBefore: new Date(NOW.getTime() - DAY) })).repositoriesEvaluated, 0);
    assert.equal((await runLifecycle(s.lifecycle, { now: () => NOW, dueBefore: new Date(NOW.getTime()) })).repositoriesEvaluated, 1);
    await assert.rejects(runLifecycle(s.lifecycle, { repository: 'no/policy' }), NoLifecyclePolicyError);
    await s.blobs.reserve(digestOf(Buffer.from('x')), 1, new Date());
    await s.blobs.link('broken', digestOf(Buffer.from('x')), 1);
    await s.lifecycle.putPolicy('broken', '{"rules": []}');
    const summary = await runLifecycle(s.lifecycle, { repository: 'broken', now: () => NOW });
    assert.equal(summary.repositoriesFailed, 1);
    assert.match(summary.repositories[0]!.error ?? '', /too short/);
    assert.deepEqual((await s.lifecycle.getPolicy('broken'))?.lastEvaluatedAt, NOW);
  }));

test('carriersFirst puts a referrer after its subject and a child after every expired index over it, keeping the rest in order', () => {
  const expiry = (digest: string, reason: LifecycleExpiry['reason'] = 'rule', via?: string): LifecycleExpiry => ({
    digest,
    tags: [],
    pushedAt: new Date(T0),
    rulePriority: 1,
    reason,
    ...(via ? { via } : {}),
  });
  const image = (digest: string, children: string[] = []) => ({ digest, tags: [], pushedAt: new Date(T0), mediaType: OCI_MANIFEST, children, sizeInBytes: 0 });
  const ordered = carriersFirst(
    [expiry('sig', 'referrer', 'subject'), expiry('subject'), expiry('a'), expiry('shared', 'index-child', 'a'), expiry('b')],
    [image('sig'), image('subject'), image('a', ['shared']), image('b', ['shared']), image('shared')],
  );
  assert.deepEqual(ordered.map((e) => e.digest), ['subject', 'sig', 'a', 'b', 'shared']);
});
