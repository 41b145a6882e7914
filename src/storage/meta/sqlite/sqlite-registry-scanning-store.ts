// RegistryScanningStore on the shared SQLite connection: one row per account that put a
// configuration, its rules as JSON. Changed rarely, so it always commits durably.
import type { RegistryScanningConfiguration, RegistryScanningRule, RegistryScanningStore, ScanType } from '../registry-scanning-store.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

export function createSqliteRegistryScanningStore(db: SqliteConnection): RegistryScanningStore {
  return {
    get: async (accountId) => {
      const row = db.get('SELECT scan_type, rules FROM registry_scanning WHERE account_id = ?', accountId);
      if (row === undefined) return undefined;
      const configuration: RegistryScanningConfiguration = {
        scanType: String(row.scan_type) as ScanType,
        rules: JSON.parse(String(row.rules)) as RegistryScanningRule[],
      };
      return configuration;
    },
    put: async (accountId, configuration) => {
      db.run(
        `INSERT INTO registry_scanning (account_id, scan_type, rules) VALUES (?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET scan_type = excluded.scan_type, rules = excluded.rules`,
        accountId,
        configuration.scanType,
        JSON.stringify(configuration.rules),
      );
    },
  };
}
