// Registry scanning configurations: how one is stored (the scan type, and the rules as
// JSON text) and read back, the same for every driver. Nothing here depends on the dialect.
import type { RegistryScanningConfiguration, RegistryScanningRule, ScanType } from '../registry-scanning-store.ts';
import type { Row } from './column-values.ts';

/** The rules column: the JSON of the rules, read back whole. */
export function scanningRulesValue(configuration: RegistryScanningConfiguration): string {
  return JSON.stringify(configuration.rules);
}

/** A row of scan_type and rules. */
export function toScanningConfiguration(row: Row): RegistryScanningConfiguration {
  return {
    scanType: String(row.scan_type) as ScanType,
    rules: JSON.parse(String(row.rules)) as RegistryScanningRule[],
  };
}
