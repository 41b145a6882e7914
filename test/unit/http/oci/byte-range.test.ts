import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRangeHeader } from '../../../../src/http/oci/byte-range.ts';

const range = (start: number, end: number) => ({ kind: 'range', range: { start, end } });
const NONE = { kind: 'none' };
const UNSATISFIABLE = { kind: 'unsatisfiable' };

test('no header: the whole blob', () => {
  assert.deepEqual(parseRangeHeader(undefined, 100), NONE);
});

test('closed ranges', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-0', 100), range(0, 0));
  assert.deepEqual(parseRangeHeader('bytes=0-99', 100), range(0, 99));
  assert.deepEqual(parseRangeHeader('bytes=10-19', 100), range(10, 19));
  assert.deepEqual(parseRangeHeader('bytes=99-99', 100), range(99, 99));
  assert.deepEqual(parseRangeHeader(' bytes=10-19 ', 100), range(10, 19), 'surrounding whitespace');
});

test('an end beyond the size is clamped to the last byte', () => {
  assert.deepEqual(parseRangeHeader('bytes=50-1000', 100), range(50, 99));
  assert.deepEqual(parseRangeHeader('bytes=0-99999999999999999999', 100), range(0, 99));
});

test('open-ended ranges run to the last byte', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-', 100), range(0, 99));
  assert.deepEqual(parseRangeHeader('bytes=42-', 100), range(42, 99));
  assert.deepEqual(parseRangeHeader('bytes=99-', 100), range(99, 99));
});

test('suffix ranges are the last N bytes', () => {
  assert.deepEqual(parseRangeHeader('bytes=-1', 100), range(99, 99));
  assert.deepEqual(parseRangeHeader('bytes=-10', 100), range(90, 99));
  assert.deepEqual(parseRangeHeader('bytes=-100', 100), range(0, 99));
  assert.deepEqual(parseRangeHeader('bytes=-500', 100), range(0, 99), 'a suffix longer than the blob is the whole blob');
  assert.deepEqual(parseRangeHeader('bytes=-0', 100), UNSATISFIABLE);
});

test('a start at or beyond the size is unsatisfiable', () => {
  assert.deepEqual(parseRangeHeader('bytes=100-', 100), UNSATISFIABLE);
  assert.deepEqual(parseRangeHeader('bytes=100-200', 100), UNSATISFIABLE);
  assert.deepEqual(parseRangeHeader('bytes=1000-2000', 100), UNSATISFIABLE);
});

test('an end before the start is unsatisfiable', () => {
  assert.deepEqual(parseRangeHeader('bytes=20-10', 100), UNSATISFIABLE);
});

test('a zero-size blob satisfies no range', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-', 0), UNSATISFIABLE);
  assert.deepEqual(parseRangeHeader('bytes=0-0', 0), UNSATISFIABLE);
  assert.deepEqual(parseRangeHeader('bytes=-1', 0), UNSATISFIABLE);
  assert.deepEqual(parseRangeHeader(undefined, 0), NONE);
});

test('headers that are not a single byte range are ignored', () => {
  for (const header of ['', 'bytes=', 'bytes=-', 'bytes=0-1,5-6', 'items=0-1', 'bytes 0-1', 'bytes=a-b', 'bytes=1.5-2', 'bytes=--1', 'Bytes=0-1', 'bytes=0 - 1']) {
    assert.deepEqual(parseRangeHeader(header, 100), NONE, JSON.stringify(header));
  }
});
