import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationSeconds } from '../../../src/config/duration.ts';

test('numbers are seconds', () => {
  assert.equal(parseDurationSeconds(0), 0);
  assert.equal(parseDurationSeconds(90), 90);
  assert.equal(parseDurationSeconds(1.5), 1.5);
  assert.equal(parseDurationSeconds(-1), undefined);
  assert.equal(parseDurationSeconds(Number.NaN), undefined);
  assert.equal(parseDurationSeconds(Number.POSITIVE_INFINITY), undefined);
});

test('strings with units', () => {
  assert.equal(parseDurationSeconds('90'), 90, 'bare number string is seconds');
  assert.equal(parseDurationSeconds('90s'), 90);
  assert.equal(parseDurationSeconds('30m'), 1800);
  assert.equal(parseDurationSeconds('24h'), 86400);
  assert.equal(parseDurationSeconds('7d'), 604800);
  assert.equal(parseDurationSeconds('1.5h'), 5400);
  assert.equal(parseDurationSeconds('250ms'), 0.25);
  assert.equal(parseDurationSeconds(' 5m '), 300, 'surrounding whitespace');
  assert.equal(parseDurationSeconds('0s'), 0);
});

test('anything else is not a duration', () => {
  for (const value of ['', 's', '-1s', '1x', '1H', '1 h', '1h30m', '.5h', '1.h', 'forever', '1e3', null, undefined, true, {}, []]) {
    assert.equal(parseDurationSeconds(value), undefined, JSON.stringify(value));
  }
});
