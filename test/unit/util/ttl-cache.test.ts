import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../../src/util/ttl-cache.ts';

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('an entry is served until its ttl has passed, then loaded again', async () => {
  const time = clock();
  const cache = new TtlCache<string, number>({ ttlMs: 100, maxEntries: 10, now: time.now });
  let loads = 0;
  const load = async () => ++loads;
  assert.equal(await cache.getOrLoad('k', load), 1);
  time.advance(99);
  assert.equal(await cache.getOrLoad('k', load), 1);
  time.advance(1);
  assert.equal(cache.get('k'), undefined);
  assert.equal(await cache.getOrLoad('k', load), 2);
});

test('when full the oldest entry is dropped', () => {
  const cache = new TtlCache<string, string>({ ttlMs: 1_000, maxEntries: 2 });
  cache.set('a', '1');
  cache.set('b', '2');
  cache.set('c', '3');
  assert.equal(cache.size, 2);
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.get('c'), '3');
});

test('a ttl of zero caches nothing', async () => {
  const cache = new TtlCache<string, number>({ ttlMs: 0, maxEntries: 10 });
  let loads = 0;
  await cache.getOrLoad('k', async () => ++loads);
  await cache.getOrLoad('k', async () => ++loads);
  assert.equal(loads, 2);
});
