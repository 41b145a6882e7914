// RegistryScanningStore on PostgreSQL: one row per account that put a configuration,
// its rules as JSON text. Changed rarely, so it always commits durably.
import type { RegistryScanningStore } from '../registry-scanning-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { scanningRulesValue, toScanningConfiguration } from '../rows/scanning-rows.ts';
import type { PostgresConnection } from './postgres-connection.ts';

export function createPostgresRegistryScanningStore(db: PostgresConnection): RegistryScanningStore {
  return {
    get: async (accountId) => ifFound(await db.get('SELECT scan_type, rules FROM registry_scanning WHERE account_id = $1', accountId), toScanningConfiguration),
    put: async (accountId, configuration) => {
      await db.run(
        `INSERT INTO registry_scanning (account_id, scan_type, rules) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET scan_type = EXCLUDED.scan_type, rules = EXCLUDED.rules`,
        accountId,
        configuration.scanType,
        scanningRulesValue(configuration),
      );
    },
  };
}
