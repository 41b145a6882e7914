import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAppend, planCommit, stagingOf, type Segment } from '../../../src/storage/blob/s3/staging-plan.ts';

const MiB = 1024 ** 2;
const at = new Date('2026-01-01T00:00:00Z');
const target = () => 8 * MiB;

function segments(...sizes: number[]): Segment[] {
  let start = 0;
  return sizes.map((size) => {
    const segment = { key: `data/${start}`, start, size, modifiedAt: at };
    start += size;
    return segment;
  });
}

test('stagingOf orders segments and keeps the contiguous run from 0', () => {
  const [a, b, c] = segments(8 * MiB, 8 * MiB, 3);
  const stray = { key: 'data/999999999', start: 999_999_999, size: 5, modifiedAt: at };
  const staging = stagingOf([c!, stray, a!, b!]);
  assert.deepEqual(staging.segments, [a, b, c]);
  assert.equal(staging.size, 16 * MiB + 3);
  assert.deepEqual(staging.stray, [stray]);
  assert.deepEqual(stagingOf([]), { segments: [], size: 0, stray: [] });
  assert.equal(stagingOf([b!]).size, 0, 'nothing staged without the segment at 0');
});

test('an append at the end of full segments starts a new one', () => {
  const staging = stagingOf(segments(8 * MiB, 8 * MiB));
  assert.deepEqual(planAppend(staging, 16 * MiB, target), { remove: [], start: 16 * MiB, index: 2 });
  assert.deepEqual(planAppend(stagingOf([]), 0, target), { remove: [], start: 0, index: 0 });
});

test('an append after a short last segment reopens it to fill it', () => {
  const all = segments(8 * MiB, 100);
  const plan = planAppend(stagingOf(all), 8 * MiB + 100, target);
  assert.deepEqual(plan.remove, []);
  assert.deepEqual(plan.reopen, { segment: all[1], index: 1, keep: 100, cut: false });
});

test('an append at an earlier offset removes what follows and cuts the segment it falls in', () => {
  const all = segments(8 * MiB, 8 * MiB, 8 * MiB, 5);
  const stray = { key: 'data/x', start: 40 * MiB, size: 1, modifiedAt: at };
  const plan = planAppend(stagingOf([...all, stray]), 9 * MiB, target);
  assert.deepEqual(plan.remove, [all[2], all[3], stray]);
  assert.deepEqual(plan.reopen, { segment: all[1], index: 1, keep: MiB, cut: true });
});

test('an append at a segment boundary removes from there and reopens nothing full', () => {
  const all = segments(8 * MiB, 8 * MiB, 5);
  const plan = planAppend(stagingOf(all), 8 * MiB, target);
  assert.deepEqual(plan.remove, [all[1], all[2]]);
  assert.equal(plan.reopen, undefined);
  assert.deepEqual([plan.start, plan.index], [8 * MiB, 1]);
  assert.deepEqual(planAppend(stagingOf(all), 0, target).remove, all, 'offset 0 starts over');
});

test('an append past the staged bytes is refused', () => {
  assert.throws(() => planAppend(stagingOf(segments(10)), 11, target), RangeError);
});

test('planCommit takes whole segments and cuts the last one at the length', () => {
  const all = segments(8 * MiB, 8 * MiB, 20);
  const staging = stagingOf(all);
  assert.deepEqual(planCommit(staging, 16 * MiB + 20), [
    { key: all[0]!.key, size: 8 * MiB, whole: true },
    { key: all[1]!.key, size: 8 * MiB, whole: true },
    { key: all[2]!.key, size: 20, whole: true },
  ]);
  assert.deepEqual(planCommit(staging, 8 * MiB + 1), [
    { key: all[0]!.key, size: 8 * MiB, whole: true },
    { key: all[1]!.key, size: 1, whole: false },
  ]);
  assert.deepEqual(planCommit(staging, 0), []);
  assert.throws(() => planCommit(staging, 16 * MiB + 21), RangeError);
});

test('planCommit refuses staging that would make an invalid multipart upload', () => {
  assert.throws(() => planCommit(stagingOf(segments(MiB, MiB)), 2 * MiB), /smaller than an S3 part/);
  const many = segments(...Array.from({ length: 10_001 }, () => 5 * MiB));
  assert.throws(() => planCommit(stagingOf(many), 10_001 * 5 * MiB), /10000 parts/);
});
