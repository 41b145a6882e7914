// RegistryScanningStore on the shared SQLite connection: one row per account that put a
// configuration, its rules as JSON. Changed rarely, so it always commits durably.
import type { RegistryScanningStore } from '../registry-scanning-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { scanningRulesValue, toScanningConfiguration } from '../rows/scanning-rows.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

export function createSqliteRegistryScanningStore(db: SqliteConnection): RegistryScanningStore {
  return {
    get: async (accountId) => ifFound(db.get('SELECT scan_type, rules FROM registry_scanning WHERE account_id = ?', accountId), toScanningConfiguration),
    put: async (accountId, configuration) => {
      db.run(
        `INSERT INTO registry_scanning (account_id, scan_type, rules) VALUES (?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET scan_type = excluded.scan_type, rules = excluded.rules`,
        accountId,
        configuration.scanType,
        scanningRulesValue(configuration),
      );
    },
  };
}
