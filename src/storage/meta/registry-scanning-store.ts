// The part of the MetadataStore port that keeps each account's registry scanning
// configuration (PutRegistryScanningConfiguration): the scan type and its rules, kept
// as given. What an account that never set one reads, and which rule applies to a
// repository, is the caller's business (src/registry/registry-scanning.ts).

export type ScanType = 'BASIC' | 'ENHANCED';
export type ScanFrequency = 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL';

export interface ScanningRepositoryFilter {
  readonly filter: string;
  readonly filterType: 'WILDCARD';
}

export interface RegistryScanningRule {
  readonly scanFrequency: ScanFrequency;
  readonly repositoryFilters: readonly ScanningRepositoryFilter[];
}

export interface RegistryScanningConfiguration {
  readonly scanType: ScanType;
  readonly rules: readonly RegistryScanningRule[];
}

export interface RegistryScanningStore {
  /** The stored configuration, or undefined when the account never put one. */
  get(accountId: string): Promise<RegistryScanningConfiguration | undefined>;
  /** Sets or replaces the configuration. */
  put(accountId: string, configuration: RegistryScanningConfiguration): Promise<void>;
}
