// The lifecycle handlers in process, where timing can be controlled: one preview at a
// time, stale previews, expired results, and the preview page (filter, image ids, tokens).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EcrError, type EcrContext } from '../../../src/ecr/ecr-context.ts';
import { getLifecyclePolicyPreview, previewPage, putLifecyclePolicy, startLifecyclePolicyPreview } from '../../../src/ecr/lifecycle-policies.ts';
import { PREVIEW_ABANDONED_AFTER_MS, PREVIEW_RESULTS_KEPT_MS, previewStatus } from '../../../src/lifecycle/lifecycle-preview.ts';
import type { LifecycleExpiry } from '../../../src/lifecycle/lifecycle-types.ts';
import { DEFAULT_REPOSITORY_SETTINGS } from '../../../src/storage/meta/repository-settings.ts';
import { SqliteMetadataStore } from '../../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

const T0 = Date.UTC(2026, 2, 1);
const d = (c: string) => `sha256:${c.repeat(64)}`;
const POLICY = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });

function context(metadata: SqliteMetadataStore, clock: { now: number }): EcrContext {
  return { metadata, accountId: '123456789012', region: 'us-east-1', now: () => new Date(clock.now) } as unknown as EcrContext;
}

async function rejects(call: Promise<unknown>, code: string): Promise<string> {
  const error = await call.then(
    () => assert.fail(`expected ${code}`),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof EcrError);
  assert.equal(error.code, code, error.message);
  return error.message;
}

test('one preview per repository at a time; one its node abandoned reads FAILED and may be replaced; old results read EXPIRED', async (t) => {
  const metadata = SqliteMetadataStore.open({ path: ':memory:' });
  t.after(() => metadata.close());
  await metadata.repositories.create('app', DEFAULT_REPOSITORY_SETTINGS, {}, new Date(T0));
  const clock = { now: T0 };
  const ecr = context(metadata, clock);
  await putLifecyclePolicy(ecr, { repositoryName: 'app', lifecyclePolicyText: POLICY });

  assert.deepEqual(await startLifecyclePolicyPreview(ecr, { repositoryName: 'app' }), {
    registryId: '123456789012',
    repositoryName: 'app',
    lifecyclePolicyText: POLICY,
    status: 'IN_PROGRESS',
  });
  // The evaluation waits for the next turn of the event loop: a second start now finds it running.
  const message = await rejects(startLifecyclePolicyPreview(ecr, { repositoryName: 'app' }), 'LifecyclePolicyPreviewInProgressException');
  assert.match(message, /'app'.*'123456789012'/);
  assert.equal(((await getLifecyclePolicyPreview(ecr, { repositoryName: 'app' })) as { status: string }).status, 'IN_PROGRESS');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const done = (await getLifecyclePolicyPreview(ecr, { repositoryName: 'app' })) as { status: string; previewResults: unknown[]; summary: object };
  assert.deepEqual([done.status, done.previewResults, done.summary], ['COMPLETE', [], { expiringImageTotalCount: 0 }]);

  clock.now += PREVIEW_RESULTS_KEPT_MS;
  assert.deepEqual(await getLifecyclePolicyPreview(ecr, { repositoryName: 'app' }), {
    registryId: '123456789012',
    repositoryName: 'app',
    lifecyclePolicyText: POLICY,
    status: 'EXPIRED',
    previewResults: [],
  });

  // A preview whose process died stays IN_PROGRESS in the store; it reads FAILED once abandoned.
  await metadata.lifecycle.startPreview('app', POLICY, new Date(clock.now), new Date(clock.now - PREVIEW_ABANDONED_AFTER_MS));
  await rejects(startLifecyclePolicyPreview(ecr, { repositoryName: 'app' }), 'LifecyclePolicyPreviewInProgressException');
  clock.now += PREVIEW_ABANDONED_AFTER_MS;
  assert.equal(((await getLifecyclePolicyPreview(ecr, { repositoryName: 'app' })) as { status: string }).status, 'FAILED');
  assert.equal(((await startLifecyclePolicyPreview(ecr, { repositoryName: 'app' })) as { status: string }).status, 'IN_PROGRESS');
});

test('previewStatus maps the stored status to the one ECR reports', () => {
  const startedAt = new Date(T0);
  assert.equal(previewStatus({ policy: '', status: 'IN_PROGRESS', startedAt }, new Date(T0 + PREVIEW_ABANDONED_AFTER_MS - 1)), 'IN_PROGRESS');
  assert.equal(previewStatus({ policy: '', status: 'IN_PROGRESS', startedAt }, new Date(T0 + PREVIEW_ABANDONED_AFTER_MS)), 'FAILED');
  const complete = { policy: '', status: 'COMPLETE' as const, startedAt, completedAt: new Date(T0 + 1000), results: [] };
  assert.equal(previewStatus(complete, new Date(T0 + 1000 + PREVIEW_RESULTS_KEPT_MS - 1)), 'COMPLETE');
  assert.equal(previewStatus(complete, new Date(T0 + 1000 + PREVIEW_RESULTS_KEPT_MS)), 'EXPIRED');
  assert.equal(previewStatus({ policy: '', status: 'FAILED', startedAt }, new Date(T0)), 'FAILED');
});

test('previewPage: tag status filter, image ids by digest or tag, pages with a token that must come from the same preview', () => {
  const expiry = (c: string, tags: string[]): LifecycleExpiry => ({ digest: d(c), tags, pushedAt: new Date(T0), rulePriority: 1, reason: 'rule' });
  const results = [expiry('a', ['v1']), expiry('b', []), expiry('c', ['v2', 'old']), expiry('e', [])];
  assert.deepEqual(previewPage(results, { tagStatus: 'UNTAGGED' }).page.map((e) => e.digest), [d('b'), d('e')]);
  assert.deepEqual(previewPage(results, { tagStatus: 'TAGGED' }).page.map((e) => e.digest), [d('a'), d('c')]);
  assert.deepEqual(previewPage(results, { imageIds: [{ imageTag: 'old' }, { imageDigest: d('b') }, { imageDigest: d('f') }] }).page.map((e) => e.digest), [d('b'), d('c')]);
  assert.deepEqual(previewPage(results, { imageIds: [{ imageDigest: d('a'), imageTag: 'v2' }] }).page, [], 'digest and tag must both match');

  const first = previewPage(results, { maxResults: 3 });
  assert.deepEqual(first.page.map((e) => e.digest), [d('a'), d('b'), d('c')]);
  assert.ok(first.nextToken);
  const second = previewPage(results, { maxResults: 3, nextToken: first.nextToken });
  assert.deepEqual([second.page.map((e) => e.digest), second.nextToken], [[d('e')], undefined]);
  assert.equal(previewPage(results, { maxResults: 4 }).nextToken, undefined, 'an exact fit has no next page');
  // A token for a result this page's selection does not hold was not issued for it.
  assert.throws(() => previewPage(results, { tagStatus: 'UNTAGGED', nextToken: first.nextToken }), (error: unknown) => error instanceof EcrError && error.code === 'InvalidParameterException');
  assert.throws(() => previewPage(results, { nextToken: 'garbage' }), (error: unknown) => error instanceof EcrError && /nextToken/.test(error.message));
});
