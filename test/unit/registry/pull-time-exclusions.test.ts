import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PullTimeExclusions } from '../../../src/registry/pull-time-exclusions.ts';
import type { PullTimeExclusionRecord, PullTimeExclusionStore } from '../../../src/storage/meta/pull-time-exclusion-store.ts';

const ACCOUNT = '123456789012';
const SCANNER = `arn:aws:iam::${ACCOUNT}:role/scanner`;
const BOT = `arn:aws:iam::${ACCOUNT}:user/ci/bot`;

/** A store over an array that counts its list calls, and can be told to fail or to hold its answers. */
function fakeStore(initial: string[] = []) {
  const arns = new Set(initial);
  const state = { lists: 0, failing: false, held: undefined as Array<() => void> | undefined };
  const store: PullTimeExclusionStore = {
    add: async () => 'added',
    remove: async () => true,
    list: async (accountId, page) => {
      state.lists++;
      if (state.failing) throw new Error('disk on fire');
      const answer: PullTimeExclusionRecord[] = [...arns]
        .filter((arn) => accountId === ACCOUNT && arn > (page.after ?? ''))
        .sort()
        .slice(0, page.limit)
        .map((principalArn) => ({ principalArn, createdAt: new Date(0) }));
      if (state.held) await new Promise<void>((resolve) => state.held!.push(resolve));
      return answer;
    },
  };
  return { store, arns, state };
}

test('the list is loaded at once; checks answer from memory until the refresh interval has passed', async () => {
  const { store, arns, state } = fakeStore([SCANNER]);
  let now = 1_000;
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => now });
  await exclusions.loaded();
  assert.equal(state.lists, 1);
  assert.equal(exclusions.excludes(SCANNER), true);
  assert.equal(exclusions.excludes(BOT), false);
  arns.add(BOT); // another process registers the bot
  now = 5_999;
  assert.equal(exclusions.excludes(BOT), false, 'not yet: the list in memory is fresh');
  assert.equal(state.lists, 1, 'checks within the interval read nothing');
  now = 6_000;
  exclusions.excludes(BOT); // stale: starts a reload in the background
  await exclusions.reload(); // (and waits for one more, so the first has settled)
  assert.equal(exclusions.excludes(BOT), true);
  assert.equal(state.lists, 3);
});

test('before the first load no answer is given; reload() makes a change visible at once', async () => {
  const { store, arns, state } = fakeStore([]);
  state.held = [];
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => 0 });
  assert.equal(exclusions.excludes(SCANNER), undefined, 'nothing loaded yet');
  assert.equal(state.lists, 1, 'a check while a load runs starts no second one');
  for (const release of state.held.splice(0)) release();
  await exclusions.loaded();
  state.held = undefined;
  assert.equal(exclusions.excludes(SCANNER), false);
  arns.add(SCANNER);
  await exclusions.reload();
  assert.equal(exclusions.excludes(SCANNER), true);
});

test('an older load that finishes last does not replace what a newer one read', async () => {
  const { store, arns, state } = fakeStore([SCANNER]);
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => 0 });
  await exclusions.loaded();
  state.held = [];
  const older = exclusions.reload(); // reads [SCANNER], held
  arns.delete(SCANNER);
  const newer = exclusions.reload(); // reads [], held
  const [releaseOlder, releaseNewer] = state.held;
  releaseNewer!();
  await newer;
  releaseOlder!();
  await older;
  assert.equal(exclusions.excludes(SCANNER), false);
});

test('a failing store keeps the last list, and is asked again only after the interval', async () => {
  const { store, state } = fakeStore([SCANNER]);
  let now = 0;
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => now });
  await exclusions.loaded();
  state.failing = true;
  now = 5_000;
  assert.equal(exclusions.excludes(SCANNER), true, 'answered from memory while the reload fails');
  await new Promise((resolve) => setImmediate(resolve));
  const asked = state.lists;
  now = 9_999;
  assert.equal(exclusions.excludes(SCANNER), true, 'still the last list');
  assert.equal(state.lists, asked, 'no retry within the interval');
});

test('a first load that fails leaves no answer, and settles loaded() all the same', async () => {
  const { store, state } = fakeStore([SCANNER]);
  state.failing = true;
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => 0 });
  await exclusions.loaded();
  assert.equal(exclusions.excludes(SCANNER), undefined);
});

test('lists longer than one page are read whole', async () => {
  const many = Array.from({ length: 2_345 }, (_, i) => `arn:aws:iam::${ACCOUNT}:user/u${String(i).padStart(5, '0')}`);
  const { store, state } = fakeStore(many);
  const exclusions = new PullTimeExclusions(store, ACCOUNT);
  await exclusions.loaded();
  assert.equal(state.lists, 3);
  assert.equal(exclusions.excludes(many[0]!), true);
  assert.equal(exclusions.excludes(many[2_344]!), true);
  assert.equal(exclusions.excludes(`arn:aws:iam::${ACCOUNT}:user/u99999`), false);
});
