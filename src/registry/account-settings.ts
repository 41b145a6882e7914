// ECR's account settings (Get/PutAccountSetting): the names, the values each may
// take and what an account that never set one reads — as the ECR model documents
// them. Berth acts on the values it can honour:
// - BASIC_SCAN_TYPE_VERSION: AWS_NATIVE is the only basic scanner ECR still offers
//   (Clair was retired). Berth does not scan yet; the value is recorded.
// - REGISTRY_POLICY_SCOPE: V2, the only scope ECR still accepts, is what Berth
//   enforces: the registry policy applies to every ECR action.
// - BLOB_MOUNTING: cross-repository blob mounts. ECR makes it opt-in (DISABLED)
//   because it shipped late; Berth has always mounted, so here it starts ENABLED.
//   DISABLED makes a mount request fall back to an ordinary upload, as ECR does.
import type { AccountSettingsStore } from '../storage/meta/account-settings-store.ts';

export interface AccountSettingRule {
  readonly values: readonly string[];
  readonly initial: string;
}

export const ACCOUNT_SETTINGS: Readonly<Record<string, AccountSettingRule>> = {
  BASIC_SCAN_TYPE_VERSION: { values: ['AWS_NATIVE'], initial: 'AWS_NATIVE' },
  REGISTRY_POLICY_SCOPE: { values: ['V2'], initial: 'V2' },
  BLOB_MOUNTING: { values: ['ENABLED', 'DISABLED'], initial: 'ENABLED' },
};

export function isAccountSettingName(name: string): boolean {
  return Object.hasOwn(ACCOUNT_SETTINGS, name);
}

/** The account's value for a known setting name: what it set, or the initial value. */
export async function accountSetting(store: AccountSettingsStore, accountId: string, name: string): Promise<string> {
  const rule = ACCOUNT_SETTINGS[name];
  if (!rule) throw new Error(`unknown account setting ${name}`);
  const stored = await store.get(accountId, name);
  // A value this version no longer accepts (a future downgrade) reads as the initial one.
  return stored !== undefined && rule.values.includes(stored) ? stored : rule.initial;
}
