import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT_SETTINGS, accountSetting, isAccountSettingName } from '../../../src/registry/account-settings.ts';
import type { AccountSettingsStore } from '../../../src/storage/meta/account-settings-store.ts';

function memoryStore(entries: Record<string, string> = {}): AccountSettingsStore {
  const values = new Map(Object.entries(entries));
  return {
    get: async (accountId, name) => values.get(`${accountId}/${name}`),
    put: async (accountId, name, value) => void values.set(`${accountId}/${name}`, value),
  };
}

test('the names the ECR model documents, each with its values and the value an untouched account reads', () => {
  assert.deepEqual(Object.keys(ACCOUNT_SETTINGS).sort(), ['BASIC_SCAN_TYPE_VERSION', 'BLOB_MOUNTING', 'REGISTRY_POLICY_SCOPE']);
  for (const [name, rule] of Object.entries(ACCOUNT_SETTINGS)) assert.ok(rule.values.includes(rule.initial), name);
  assert.equal(isAccountSettingName('BLOB_MOUNTING'), true);
  assert.equal(isAccountSettingName('toString'), false);
  assert.equal(isAccountSettingName('blob_mounting'), false);
});

test('an account reads what it set, else the initial value; a stored value no longer valid reads as the initial one', async () => {
  const store = memoryStore({ '111111111111/BLOB_MOUNTING': 'DISABLED', '111111111111/REGISTRY_POLICY_SCOPE': 'V1' });
  assert.equal(await accountSetting(store, '111111111111', 'BLOB_MOUNTING'), 'DISABLED');
  assert.equal(await accountSetting(store, '222222222222', 'BLOB_MOUNTING'), 'ENABLED');
  assert.equal(await accountSetting(store, '111111111111', 'REGISTRY_POLICY_SCOPE'), 'V2');
  assert.equal(await accountSetting(store, '111111111111', 'BASIC_SCAN_TYPE_VERSION'), 'AWS_NATIVE');
  await assert.rejects(accountSetting(store, '111111111111', 'NOPE'), /unknown account setting/);
});
