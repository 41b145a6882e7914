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

test('the list is loaded at once; checks answer from memory while it is younger than the refresh interval', async () => {
  const { store, arns, state } = fakeStore([SCANNER]);
  let now = 1_000;
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => now });
  await exclusions.settled();
  assert.equal(state.lists, 1);
  assert.equal(exclusions.excludes(SCANNER), true);
  assert.equal(exclusions.excludes(BOT), false);
  arns.add(BOT); // another process registers the bot
  now = 5_999;
  assert.equal(exclusions.excludes(BOT), false, 'not yet: the list in memory is young enough');
  assert.equal(state.lists, 1, 'checks within the interval read nothing');
  now = 6_000;
  assert.equal(exclusions.excludes(BOT), undefined, 'too old to judge by: a reload starts');
  assert.equal(exclusions.excludes(SCANNER), undefined, 'one reload serves every check that waits for it');
  await exclusions.settled();
  assert.equal(state.lists, 2);
  assert.equal(exclusions.excludes(BOT), true, 'a change elsewhere applies once the interval has passed');
  now = 10_999;
  assert.equal(exclusions.excludes(BOT), true);
  assert.equal(state.lists, 2, 'the interval counts from when the reload started');
});

test('before the first load there is no answer; reload() makes this process\'s own change visible at once', async () => {
  const { store, arns, state } = fakeStore([]);
  state.held = [];
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => 0 });
  assert.equal(exclusions.excludes(SCANNER), undefined, 'nothing loaded yet');
  assert.equal(state.lists, 1, 'a check while a load runs starts no second one');
  for (const release of state.held.splice(0)) release();
  await exclusions.settled();
  state.held = undefined;
  assert.equal(exclusions.excludes(SCANNER), false);
  arns.add(SCANNER);
  await exclusions.reload();
  assert.equal(exclusions.excludes(SCANNER), true);
});

test('an older load that finishes last does not replace what a newer one read', async () => {
  const { store, arns, state } = fakeStore([SCANNER]);
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => 0 });
  await exclusions.settled();
  state.held = [];
  const older = exclusions.reload(); // reads [SCANNER], held
  arns.delete(SCANNER);
  const newer = exclusions.reload(); // reads [], held
  const [releaseOlder, releaseNewer] = state.held;
  releaseNewer!();
  await newer;
  releaseOlder!();
  await older;
  await exclusions.settled();
  assert.equal(exclusions.excludes(SCANNER), false);
});

test('a failing store: answers come from the last list, and the store is asked again only after the interval', async () => {
  const { store, state } = fakeStore([SCANNER]);
  let now = 0;
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => now });
  await exclusions.settled();
  state.failing = true;
  now = 5_000;
  assert.equal(exclusions.excludes(SCANNER), undefined);
  await exclusions.settled();
  assert.equal(state.lists, 2);
  assert.equal(exclusions.excludes(SCANNER), true, 'still the last list');
  now = 9_999;
  assert.equal(exclusions.excludes(SCANNER), true);
  assert.equal(state.lists, 2, 'no retry within the interval');
  state.failing = false;
  now = 10_000;
  assert.equal(exclusions.excludes(SCANNER), undefined);
  await exclusions.settled();
  assert.equal(state.lists, 3);
});

test('a first load that fails excludes nobody until a later load succeeds', async () => {
  const { store, state } = fakeStore([SCANNER]);
  state.failing = true;
  let now = 0;
  const exclusions = new PullTimeExclusions(store, ACCOUNT, { refreshMs: 5_000, clock: () => now });
  await exclusions.settled();
  assert.equal(exclusions.excludes(SCANNER), false);
  state.failing = false;
  now = 5_000;
  assert.equal(exclusions.excludes(SCANNER), undefined);
  await exclusions.settled();
  assert.equal(exclusions.excludes(SCANNER), true);
});

test('lists longer than one page are read whole', async () => {
  const many = Array.from({ length: 2_345 }, (_, i) => `arn:aws:iam::${ACCOUNT}:user/u${String(i).padStart(5, '0')}`);
  const { store, state } = fakeStore(many);
  const exclusions = new PullTimeExclusions(store, ACCOUNT);
  await exclusions.settled();
  assert.equal(state.lists, 3);
  assert.equal(exclusions.excludes(many[0]!), true);
  assert.equal(exclusions.excludes(many[2_344]!), true);
  assert.equal(exclusions.excludes(`arn:aws:iam::${ACCOUNT}:user/u99999`), false);
});
