// GetAccountSetting, PutAccountSetting and DescribeRegistry: registry-wide
// settings of the caller's account. Which names and values exist, and what an
// untouched account reads, is src/registry/account-settings.ts.
import { ACCOUNT_SETTINGS, accountSetting, isAccountSettingName } from '../registry/account-settings.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';

function requireSettingName(input: Record<string, unknown>): string {
  const name = String(input['name']);
  if (!isAccountSettingName(name)) {
    throw new EcrError('ValidationException', `Invalid account setting name '${name}'; valid names are ${Object.keys(ACCOUNT_SETTINGS).join(', ')}`);
  }
  return name;
}

export async function getAccountSetting(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const name = requireSettingName(input);
  return { name, value: await accountSetting(context.metadata.accountSettings, context.accountId, name) };
}

export async function putAccountSetting(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const name = requireSettingName(input);
  const value = String(input['value']);
  const allowed = ACCOUNT_SETTINGS[name]!.values;
  if (!allowed.includes(value)) {
    throw new EcrError('ValidationException', `Invalid value '${value}' for account setting '${name}'; valid values are ${allowed.join(', ')}`);
  }
  await context.metadata.accountSettings.put(context.accountId, name, value);
  return { name, value };
}

/** Replication is not built yet, so no account has replication rules: the configuration is honestly empty. */
export async function describeRegistry(context: EcrContext): Promise<object> {
  return { registryId: context.accountId, replicationConfiguration: { rules: [] } };
}
