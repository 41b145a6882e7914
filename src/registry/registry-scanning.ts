// ECR's registry scanning configuration, as the ECR user guide describes it
// ("Filters to choose which repositories are scanned"), without the scanner: Berth has
// no vulnerability database offline and scans nothing; it keeps the configuration and
// reports which scan frequency and filters apply to each repository.
// - A registry that never put a configuration reads as BASIC with no rules.
// - A filter without `*` matches every repository name that contains it; with `*`,
//   it matches the whole name, each `*` standing for zero or more characters.
// - Where rules of several frequencies match, continuous scanning wins over scan on
//   push (the guide says so for enhanced scanning); MANUAL comes last.
// - A repository no rule matches: under BASIC its own (deprecated) scanOnPush flag
//   still decides between SCAN_ON_PUSH and MANUAL; under ENHANCED it is not scanned,
//   which the API can only report as MANUAL (ScanFrequency has no "off").
import { matchesStarPattern } from '../model/star-pattern.ts';
import type {
  RegistryScanningConfiguration,
  RegistryScanningRule,
  RegistryScanningStore,
  ScanFrequency,
  ScanningRepositoryFilter,
  ScanType,
} from '../storage/meta/registry-scanning-store.ts';

export const DEFAULT_REGISTRY_SCANNING: RegistryScanningConfiguration = { scanType: 'BASIC', rules: [] };

/** The frequencies each scan type accepts in a rule (the model's scanFrequency doc). */
const FREQUENCIES_BY_SCAN_TYPE: Readonly<Record<ScanType, readonly ScanFrequency[]>> = {
  BASIC: ['SCAN_ON_PUSH', 'MANUAL'],
  ENHANCED: ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN'],
};

const PRECEDENCE: readonly ScanFrequency[] = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'MANUAL'];

export async function registryScanning(store: RegistryScanningStore, accountId: string): Promise<RegistryScanningConfiguration> {
  return (await store.get(accountId)) ?? DEFAULT_REGISTRY_SCANNING;
}

/** Why the rules do not fit the scan type (a frequency it does not offer, or one given twice); undefined when they do. */
export function scanningRulesProblem(scanType: ScanType, rules: readonly RegistryScanningRule[]): string | undefined {
  const allowed = FREQUENCIES_BY_SCAN_TYPE[scanType];
  const seen = new Set<ScanFrequency>();
  for (const { scanFrequency } of rules) {
    if (!allowed.includes(scanFrequency)) {
      return `Scan frequency ${scanFrequency} is not supported for scan type ${scanType}; it supports ${allowed.join(' and ')}`;
    }
    if (seen.has(scanFrequency)) return `Only one rule per scan frequency is allowed; ${scanFrequency} appears more than once`;
    seen.add(scanFrequency);
  }
  return undefined;
}

/** Whether a WILDCARD scanning filter matches the repository name: a pattern with '*', else a substring. */
export function matchesScanningFilter(filter: string, repositoryName: string): boolean {
  return filter.includes('*') ? matchesStarPattern(filter, repositoryName) : repositoryName.includes(filter);
}

export interface RepositoryScanning {
  readonly scanFrequency: ScanFrequency;
  /** The filters of the deciding rule that match the repository (none when no rule decided). */
  readonly appliedScanFilters: readonly ScanningRepositoryFilter[];
}

/** The scan frequency and filters that apply to a repository under the registry's configuration. */
export function repositoryScanning(configuration: RegistryScanningConfiguration, repositoryName: string, scanOnPush: boolean): RepositoryScanning {
  for (const frequency of PRECEDENCE) {
    for (const rule of configuration.rules) {
      if (rule.scanFrequency !== frequency) continue;
      const matched = rule.repositoryFilters.filter((filter) => matchesScanningFilter(filter.filter, repositoryName));
      if (matched.length > 0) return { scanFrequency: frequency, appliedScanFilters: matched };
    }
  }
  const pushScan = configuration.scanType === 'BASIC' && scanOnPush;
  return { scanFrequency: pushScan ? 'SCAN_ON_PUSH' : 'MANUAL', appliedScanFilters: [] };
}
