import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IamError } from '../../../src/iam/iam-errors.ts';
import { IamInput } from '../../../src/iam/iam-input.ts';
import { DEFAULT_MAX_ITEMS, checkPageRequest, decodeMarker, encodeMarker, pageOfList, pageWindow, toPage } from '../../../src/iam/iam-pagination.ts';

function invalidMarker(run: () => unknown): void {
  assert.throws(run, (error: unknown) => error instanceof IamError && error.code === 'ValidationError' && error.status === 400 && error.message === 'Invalid Marker.');
}

test('a marker decodes to the position it was made from, for its own listing only', () => {
  const marker = encodeMarker('users', 'Zoë+ops@example');
  assert.match(marker, /^[A-Za-z0-9_-]+$/);
  assert.equal(decodeMarker('users', marker), 'Zoë+ops@example');
  invalidMarker(() => decodeMarker('user-policies', marker));
});

test('markers that were not issued are "Invalid Marker."', () => {
  for (const marker of ['garbage', 'W10', encodeMarker('users', 'a') + '!', Buffer.from('["users",1]').toString('base64url'), Buffer.from('["users","a","b"]').toString('base64url')]) {
    invalidMarker(() => decodeMarker('users', marker));
  }
});

test('a window: the default page size is 100; a marker is decoded', () => {
  assert.equal(DEFAULT_MAX_ITEMS, 100);
  assert.deepEqual(pageWindow('users', {}), { limit: 100 });
  assert.deepEqual(pageWindow('users', { maxItems: 2, marker: encodeMarker('users', 'bob') }), { limit: 2, after: 'bob' });
  invalidMarker(() => pageWindow('access-keys', { marker: encodeMarker('users', 'bob') }));
});

test('page requests outside the model are ValidationErrors before any marker is decoded', () => {
  const input = new IamInput();
  checkPageRequest({ marker: '', maxItems: 0 }, input);
  assert.throws(() => input.check(), (error: unknown) => error instanceof IamError && /^2 validation errors detected: Value '' at 'marker'.*; Value '0' at 'maxItems'/.test(error.message));
  const tooLong = new IamInput();
  checkPageRequest({ marker: 'x'.repeat(321) }, tooLong);
  assert.throws(() => tooLong.check(), /less than or equal to 320/);
});

test('toPage: truncated only when more was found than the limit, with the marker of the last item', () => {
  assert.deepEqual(toPage('user-policies', ['a', 'b'], 2, (name) => name), { items: ['a', 'b'], isTruncated: false });
  const page = toPage('user-policies', ['a', 'b', 'c'], 2, (name) => name);
  assert.deepEqual(page.items, ['a', 'b']);
  assert.equal(page.isTruncated, true);
  assert.equal(decodeMarker('user-policies', page.marker!), 'b');
});

test('pageOfList walks a whole list in order, page by page, whatever order it came in', () => {
  const names = ['d', 'a', 'c', 'e', 'b'];
  const seen: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const page = pageOfList('user-policies', names, pageWindow('user-policies', { maxItems: 2, ...(marker ? { marker } : {}) }), (name) => name);
    seen.push(...page.items);
    marker = page.marker;
    assert.equal(page.isTruncated, marker !== undefined);
    pages++;
  } while (marker);
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(pages, 3);
});

test('pageOfList continues after the marker even when that item is gone', () => {
  const first = pageOfList('user-policies', ['a', 'b', 'c', 'd'], { limit: 2 }, (name) => name);
  const next = pageOfList('user-policies', ['a', 'c', 'd'], pageWindow('user-policies', { marker: first.marker }), (name) => name);
  assert.deepEqual(next.items, ['c', 'd']);
  assert.equal(next.isTruncated, false);
});
