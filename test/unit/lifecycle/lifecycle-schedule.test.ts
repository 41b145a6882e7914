// The lifecycle schedule: each policy runs once per interval counted from its
// lastEvaluatedAt, only on the node holding the lease, and stops with the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { lifecycleTickSeconds, startLifecycleSchedule } from '../../../src/lifecycle/lifecycle-schedule.ts';
import type { LifecycleRunSummary } from '../../../src/lifecycle/lifecycle-runner.ts';
import { SqliteMetadataStore } from '../../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { DEFAULT_REPOSITORY_SETTINGS } from '../../../src/storage/meta/repository-settings.ts';

const DAY = 86_400_000;
const POLICY = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });
const log = pino({ level: 'silent' });

async function storeWithPolicies(names: readonly string[]): Promise<SqliteMetadataStore> {
  const store = SqliteMetadataStore.open({ path: ':memory:' });
  for (const name of names) {
    await store.repositories.create(name, DEFAULT_REPOSITORY_SETTINGS, {}, new Date(0));
    await store.lifecycle.putPolicy(name, POLICY);
  }
  return store;
}

test('the tick is the interval, at most ten minutes', () => {
  assert.equal(lifecycleTickSeconds(86_400), 600);
  assert.equal(lifecycleTickSeconds(120), 120);
});

test('a pass runs the policies not evaluated for an interval, and records when it did', async (t) => {
  const store = await storeWithPolicies(['fresh', 'stale', 'never']);
  t.after(() => store.close());
  const now = new Date(Date.UTC(2026, 5, 1));
  await store.lifecycle.markEvaluated('fresh', new Date(now.getTime() - DAY / 2));
  await store.lifecycle.markEvaluated('stale', new Date(now.getTime() - 2 * DAY));
  const schedule = startLifecycleSchedule(store.lifecycle, { intervalSeconds: 86_400, enabled: false, log, now: () => now });
  const summary = await schedule.runDue();
  assert.deepEqual(summary.repositories.map((run) => run.repository), ['never', 'stale']);
  assert.deepEqual((await store.lifecycle.getPolicy('stale'))?.lastEvaluatedAt, now);
  assert.equal((await schedule.runDue()).repositoriesEvaluated, 0, 'nothing is due right after');
  await schedule.stop();
});

test('the schedule passes only while it holds the lease, and reports what it ran', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const store = await storeWithPolicies(['a']);
  t.after(() => store.close());
  let holds = false;
  let asked = 0;
  const reported: LifecycleRunSummary[] = [];
  let ran: () => void = () => undefined;
  const reportedOnce = new Promise<void>((resolve) => (ran = resolve));
  const schedule = startLifecycleSchedule(store.lifecycle, {
    intervalSeconds: 3600,
    enabled: true,
    log,
    mayRun: async () => {
      asked++;
      return holds;
    },
    onRun: (summary) => {
      reported.push(summary);
      ran();
    },
  });
  t.mock.timers.tick(10_000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(asked, 1);
  assert.equal((await store.lifecycle.getPolicy('a'))?.lastEvaluatedAt, undefined, 'another node holds the lease');
  holds = true;
  t.mock.timers.tick(600_000);
  await reportedOnce;
  assert.equal(reported[0]?.repositoriesEvaluated, 1);
  assert.ok((await store.lifecycle.getPolicy('a'))?.lastEvaluatedAt);
  await schedule.stop();
  t.mock.timers.tick(600_000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(asked, 2, 'a stopped schedule asks no more');
});
