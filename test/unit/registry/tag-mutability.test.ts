import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTagImmutable } from '../../../src/registry/tag-mutability.ts';
import { DEFAULT_REPOSITORY_SETTINGS } from '../../../src/storage/meta/repository-settings.ts';

const withMode = (imageTagMutability: typeof DEFAULT_REPOSITORY_SETTINGS.imageTagMutability, filters: string[] = []) => ({
  ...DEFAULT_REPOSITORY_SETTINGS,
  imageTagMutability,
  imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD' as const, filter })),
});

test('MUTABLE and IMMUTABLE apply to every tag', () => {
  assert.equal(isTagImmutable(withMode('MUTABLE'), 'v1'), false);
  assert.equal(isTagImmutable(withMode('IMMUTABLE'), 'latest'), true);
});

test('exclusion filters turn the rule around for the tags they match', () => {
  const immutableButLatest = withMode('IMMUTABLE_WITH_EXCLUSION', ['latest', 'dev-*']);
  assert.equal(isTagImmutable(immutableButLatest, 'latest'), false);
  assert.equal(isTagImmutable(immutableButLatest, 'dev-123'), false);
  assert.equal(isTagImmutable(immutableButLatest, 'v1.0'), true);
  const mutableButReleases = withMode('MUTABLE_WITH_EXCLUSION', ['v*.*']);
  assert.equal(isTagImmutable(mutableButReleases, 'v1.2'), true);
  assert.equal(isTagImmutable(mutableButReleases, 'main'), false);
  assert.equal(isTagImmutable(withMode('MUTABLE_WITH_EXCLUSION', ['a.b']), 'aXb'), false, 'dots are literal');
});
