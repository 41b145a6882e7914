import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidTag, parseReference } from '../../../src/model/reference.ts';

const HEX = 'a'.repeat(64);

test('valid tags', () => {
  for (const tag of ['latest', 'A', 'a', '1', '1.0', 'v1.2.3-rc.1', '_x', '_', 'a_b-c.d', 'UPPER', 'x'.repeat(128)]) {
    assert.equal(isValidTag(tag), true, tag);
  }
});

test('invalid tags', () => {
  for (const tag of ['', '.x', '-x', 'x'.repeat(129), 'a/b', 'a:b', 'a b', 'a+b', 'é', 'a\n', '@']) {
    assert.equal(isValidTag(tag), false, JSON.stringify(tag));
  }
});

test('parseReference: a tag', () => {
  assert.deepEqual(parseReference('latest'), { kind: 'tag', tag: 'latest' });
  assert.deepEqual(parseReference('_x'), { kind: 'tag', tag: '_x' });
});

test('parseReference: a digest', () => {
  assert.deepEqual(parseReference(`sha256:${HEX}`), {
    kind: 'digest',
    digest: { algorithm: 'sha256', hex: HEX, value: `sha256:${HEX}` },
  });
});

test('parseReference: neither a valid tag nor a valid digest', () => {
  assert.equal(parseReference(''), undefined);
  assert.equal(parseReference('.bad'), undefined);
  assert.equal(parseReference('x'.repeat(129)), undefined);
  assert.equal(parseReference(`sha256:${HEX.toUpperCase()}`), undefined);
  assert.equal(parseReference(`md5:${'a'.repeat(32)}`), undefined);
  assert.equal(parseReference('latest:1'), undefined, 'a colon makes it a digest attempt, never a tag');
});
