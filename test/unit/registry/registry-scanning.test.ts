import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_REGISTRY_SCANNING,
  matchesScanningFilter,
  registryScanning,
  repositoryScanning,
  scanningRulesProblem,
} from '../../../src/registry/registry-scanning.ts';
import type { RegistryScanningConfiguration, ScanningRepositoryFilter } from '../../../src/storage/meta/registry-scanning-store.ts';

const wildcard = (filter: string): ScanningRepositoryFilter => ({ filter, filterType: 'WILDCARD' });

test('filters match as in the ECR user guide\'s table: no wildcard is "contains", a wildcard anchors the whole name', () => {
  const names = ['prod', 'repo-prod', 'prod-repo', 'repo-prod-repo', 'prodrepo'];
  const table: Record<string, boolean[]> = {
    prod: [true, true, true, true, true],
    '*prod': [true, true, false, false, false],
    'prod*': [true, false, true, false, true],
    '*prod*': [true, true, true, true, true],
    'prod*repo': [false, false, true, false, true],
  };
  for (const [filter, expected] of Object.entries(table)) {
    assert.deepEqual(names.map((name) => matchesScanningFilter(filter, name)), expected, filter);
  }
});

test('wildcards: several stars, namespaces, and parts that must not overlap', () => {
  assert.equal(matchesScanningFilter('*', 'anything/at/all'), true);
  assert.equal(matchesScanningFilter('team/*/app', 'team/a/b/app'), true);
  assert.equal(matchesScanningFilter('team/*/app', 'team/app'), false, 'the slashes around * are both needed');
  assert.equal(matchesScanningFilter('a*b*c', 'abc'), true);
  assert.equal(matchesScanningFilter('a*b*c', 'acb'), false);
  assert.equal(matchesScanningFilter('ab*ba', 'aba'), false, 'head and tail may not share characters');
  assert.equal(matchesScanningFilter('a*a*a', 'aaa'), true);
  assert.equal(matchesScanningFilter('a*a*a', 'aa'), false);
  assert.equal(matchesScanningFilter('x*y*x', 'xyyx'), true);
  assert.equal(matchesScanningFilter('team', 'my-team/app'), true, 'a plain filter matches anywhere in the name');
  assert.equal(matchesScanningFilter('team/app', 'team'), false);
});

test('a registry that never put a configuration reads as BASIC with no rules', async () => {
  const store = { get: async () => undefined, put: async () => undefined };
  assert.deepEqual(await registryScanning(store, '123456789012'), { scanType: 'BASIC', rules: [] });
  assert.deepEqual(DEFAULT_REGISTRY_SCANNING, { scanType: 'BASIC', rules: [] });
  const stored: RegistryScanningConfiguration = { scanType: 'ENHANCED', rules: [] };
  assert.equal(await registryScanning({ get: async () => stored, put: async () => undefined }, '123456789012'), stored);
});

test('BASIC without rules: the repository\'s own scanOnPush decides', () => {
  assert.deepEqual(repositoryScanning(DEFAULT_REGISTRY_SCANNING, 'app', true), { scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] });
  assert.deepEqual(repositoryScanning(DEFAULT_REGISTRY_SCANNING, 'app', false), { scanFrequency: 'MANUAL', appliedScanFilters: [] });
});

test('BASIC with a scan-on-push rule: matching repositories report the filters that matched; others fall back to their flag', () => {
  const basic: RegistryScanningConfiguration = {
    scanType: 'BASIC',
    rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [wildcard('prod*'), wildcard('team'), wildcard('*-db')] }],
  };
  assert.deepEqual(repositoryScanning(basic, 'prod/team-api', false), {
    scanFrequency: 'SCAN_ON_PUSH',
    appliedScanFilters: [wildcard('prod*'), wildcard('team')],
  });
  assert.deepEqual(repositoryScanning(basic, 'dev/app', false), { scanFrequency: 'MANUAL', appliedScanFilters: [] });
  assert.deepEqual(repositoryScanning(basic, 'dev/app', true), { scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] });
});

test('ENHANCED: continuous scanning wins over scan on push; unmatched repositories are not scanned whatever their flag', () => {
  const enhanced: RegistryScanningConfiguration = {
    scanType: 'ENHANCED',
    rules: [
      { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [wildcard('*')] },
      { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [wildcard('prod/*')] },
    ],
  };
  assert.deepEqual(repositoryScanning(enhanced, 'prod/api', false), { scanFrequency: 'CONTINUOUS_SCAN', appliedScanFilters: [wildcard('prod/*')] });
  assert.deepEqual(repositoryScanning(enhanced, 'dev/api', false), { scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [wildcard('*')] });
  const narrow: RegistryScanningConfiguration = { scanType: 'ENHANCED', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [wildcard('prod/*')] }] };
  assert.deepEqual(repositoryScanning(narrow, 'dev/api', true), { scanFrequency: 'MANUAL', appliedScanFilters: [] });
});

test('rules must fit the scan type and name each frequency once', () => {
  const rule = (scanFrequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL') => ({ scanFrequency, repositoryFilters: [wildcard('*')] });
  assert.equal(scanningRulesProblem('BASIC', []), undefined);
  assert.equal(scanningRulesProblem('BASIC', [rule('SCAN_ON_PUSH'), rule('MANUAL')]), undefined);
  assert.equal(scanningRulesProblem('ENHANCED', [rule('SCAN_ON_PUSH'), rule('CONTINUOUS_SCAN')]), undefined);
  assert.match(scanningRulesProblem('BASIC', [rule('CONTINUOUS_SCAN')]) ?? '', /CONTINUOUS_SCAN is not supported for scan type BASIC/);
  assert.match(scanningRulesProblem('ENHANCED', [rule('MANUAL')]) ?? '', /MANUAL is not supported for scan type ENHANCED/);
  assert.match(scanningRulesProblem('ENHANCED', [rule('SCAN_ON_PUSH'), rule('SCAN_ON_PUSH')]) ?? '', /SCAN_ON_PUSH appears more than once/);
});
