import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageOfReferrers } from '../../../src/ecr/referrers.ts';
import type { ReferrerRecord } from '../../../src/storage/meta/metadata-store.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const referrer = (c: string, artifactType?: string): ReferrerRecord => ({
  digest: d(c),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 100,
  ...(artifactType ? { artifactType } : {}),
});
const ALL = [referrer('c', 'sig'), referrer('a', 'sbom'), referrer('b', 'sig'), referrer('d')];

test('referrers come by digest, a page at a time, with the last digest shown while more follow', () => {
  const first = pageOfReferrers(ALL, { artifactTypes: [], artifactStatus: 'ACTIVE', limit: 3 });
  assert.deepEqual(first.referrers.map((r) => r.digest), [d('a'), d('b'), d('c')]);
  assert.equal(first.lastShown, d('c'));
  const second = pageOfReferrers(ALL, { artifactTypes: [], artifactStatus: 'ACTIVE', limit: 3, after: first.lastShown! });
  assert.deepEqual(second.referrers.map((r) => r.digest), [d('d')]);
  assert.equal(second.lastShown, undefined);
  assert.equal(pageOfReferrers(ALL, { artifactTypes: [], artifactStatus: 'ANY', limit: 4 }).lastShown, undefined, 'an exact fit has no next page');
});

test('artifactTypes keeps referrers of any type listed; a referrer without a type matches none', () => {
  const sigs = pageOfReferrers(ALL, { artifactTypes: ['sig'], artifactStatus: 'ACTIVE', limit: 10 });
  assert.deepEqual(sigs.referrers.map((r) => r.digest), [d('b'), d('c')]);
  const both = pageOfReferrers(ALL, { artifactTypes: ['sig', 'sbom'], artifactStatus: 'ACTIVE', limit: 10 });
  assert.equal(both.referrers.length, 3);
  assert.deepEqual(pageOfReferrers(ALL, { artifactTypes: ['none'], artifactStatus: 'ACTIVE', limit: 10 }).referrers, []);
});

test('every referrer is ACTIVE: ARCHIVED and ACTIVATING select nothing, ANY selects all', () => {
  assert.deepEqual(pageOfReferrers(ALL, { artifactTypes: [], artifactStatus: 'ARCHIVED', limit: 10 }).referrers, []);
  assert.deepEqual(pageOfReferrers(ALL, { artifactTypes: [], artifactStatus: 'ACTIVATING', limit: 10 }).referrers, []);
  assert.equal(pageOfReferrers(ALL, { artifactTypes: [], artifactStatus: 'ANY', limit: 10 }).referrers.length, 4);
});
