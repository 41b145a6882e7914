// '*'-only patterns, shared by lifecycle tag patterns, tag-mutability exclusion filters
// and scanning filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesStarPattern } from '../../../src/model/star-pattern.ts';

test('a pattern matches the whole text; * stands for any run, the empty one included', () => {
  const cases: Array<[string, string, boolean]> = [
    ['prod', 'prod', true],
    ['prod', 'prod-1', false],
    ['prod*', 'prod', true],
    ['prod*', 'prod-1', true],
    ['*-rc*', 'v1-rc2', true],
    ['*-rc*', 'v1-release', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['**', '', true],
    ['*', 'anything at all', true],
    ['v1.[0]+', 'v1.[0]+', true],
    ['v1.*', 'v1x2', false],
    ['Prod*', 'prod', false],
  ];
  for (const [pattern, text, expected] of cases) assert.equal(matchesStarPattern(pattern, text), expected, `${pattern} ~ ${text}`);
});
