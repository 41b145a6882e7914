import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PullThrottle } from '../../../src/registry/pull-throttle.ts';

test('a pull is due the first time, then once per interval per image', () => {
  const throttle = new PullThrottle(60_000);
  assert.equal(throttle.due('a@1', 0), true);
  assert.equal(throttle.due('a@1', 1), false);
  assert.equal(throttle.due('a@1', 59_999), false);
  assert.equal(throttle.due('b@1', 59_999), true, 'images are throttled separately');
  assert.equal(throttle.due('a@1', 60_000), true);
  assert.equal(throttle.due('a@1', 119_999), false, 'the interval restarts at the recorded pull');
  assert.equal(throttle.due('a@1', 120_000), true);
});

test('the memory is bounded: expired entries go first, and a full table of fresh ones starts over', () => {
  const throttle = new PullThrottle(1_000, 3);
  for (const key of ['a', 'b', 'c']) assert.equal(throttle.due(key, 0), true);
  assert.equal(throttle.size, 3);
  assert.equal(throttle.due('b', 1_500), true, 'b is due again and refreshed');
  assert.equal(throttle.due('d', 1_500), true);
  assert.equal(throttle.size, 2, 'a and c had expired and were dropped to make room');
  assert.equal(throttle.due('b', 1_600), false, 'b is still remembered');
  assert.equal(throttle.due('e', 1_600), true);
  assert.equal(throttle.size, 3);
  assert.equal(throttle.due('f', 1_700), true, 'nothing had expired: the table started over');
  assert.equal(throttle.size, 1);
  assert.equal(throttle.due('b', 1_800), true, 'b was forgotten, so it is recorded once more');
});
