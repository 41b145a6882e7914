import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PART_BYTES, MAX_PARTS, MIN_PART_BYTES, PART_BUFFER_BYTES, segmentSize } from '../../../src/storage/blob/s3/part-size.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

/** How many segments of the schedule it takes to hold `total` bytes, and the largest one used. */
function segmentsFor(total: number, declared?: number): { count: number; largest: number } {
  let covered = 0;
  let count = 0;
  let largest = 0;
  while (covered < total) {
    const size = segmentSize(count, declared);
    covered += size;
    largest = Math.max(largest, size);
    count++;
  }
  return { count, largest };
}

test('a declared 100 GiB layer fits in fewer than 10,000 parts', () => {
  const { count, largest } = segmentsFor(100 * GiB, 100 * GiB);
  assert.ok(count < MAX_PARTS, `${count} parts`);
  assert.equal(segmentSize(0, 100 * GiB), 12 * MiB, 'parts start at 1/9,000 of the size, rounded up to a MiB');
  assert.ok(largest <= MAX_PART_BYTES);
});

test('an undeclared 100 GiB stream also fits, the schedule growing as it goes', () => {
  const { count, largest } = segmentsFor(100 * GiB);
  assert.ok(count < MAX_PARTS, `${count} parts`);
  assert.ok(count > 3_000 && count < 4_000, `${count} parts`);
  assert.equal(largest, 64 * MiB);
});

test("10,000 undeclared segments hold more than S3's 5 TiB object limit", () => {
  let total = 0;
  for (let index = 0; index < MAX_PARTS; index++) total += segmentSize(index);
  assert.ok(total > 5 * TiB, `${total / TiB} TiB`);
});

test("every segment is a valid S3 part: at least 5 MiB, at most 5 GiB, never shrinking", () => {
  for (const declared of [undefined, 0, 1, 5 * MiB, 100 * GiB, 5 * TiB, 50 * TiB]) {
    let previous = 0;
    for (let index = 0; index < MAX_PARTS; index += 7) {
      const size = segmentSize(index, declared);
      assert.ok(size >= MIN_PART_BYTES && size <= MAX_PART_BYTES, `segment ${index} (declared ${declared}): ${size}`);
      assert.ok(size >= previous, `segment ${index} shrank`);
      assert.equal(size % MiB, 0);
      previous = size;
    }
  }
});

test('small blobs get the first, buffer-sized segment: one PUT', () => {
  assert.equal(segmentSize(0), PART_BUFFER_BYTES);
  assert.equal(segmentSize(0, 1), PART_BUFFER_BYTES);
  assert.equal(segmentSize(999), 8 * MiB);
  assert.equal(segmentSize(1_000), 16 * MiB);
  assert.ok(PART_BUFFER_BYTES >= MIN_PART_BYTES, 'buffer-sized parts are valid parts');
});

test('bad indexes are refused', () => {
  assert.throws(() => segmentSize(-1), RangeError);
  assert.throws(() => segmentSize(1.5), RangeError);
});
