// CreationTemplateStore and AccountSettingsStore on the shared SQLite connection:
// registry-wide settings that change rarely, so they always commit durably.
import type { AccountSettingsStore } from '../account-settings-store.ts';
import { templateKey, type CreationTemplateRecord, type CreationTemplateStore, type TemplateScenario } from '../creation-template-store.ts';
import type { EncryptionConfiguration, ImageTagMutability, TagMutabilityExclusionFilter } from '../repository-settings.ts';
import type { Row, SqliteConnection } from './sqlite-connection.ts';

export function createSqliteCreationTemplateStore(db: SqliteConnection): CreationTemplateStore {
  return {
    create: async (template) =>
      db.run(
        `INSERT INTO repository_creation_templates (account_id, match_prefix, prefix, description, encryption, resource_tags,
           image_tag_mutability, mutability_exclusion_filters, repository_policy, lifecycle_policy, applied_for, custom_role_arn,
           created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        template.accountId,
        templateKey(template.prefix),
        template.prefix,
        ...columns(template),
        template.createdAt.getTime(),
        template.updatedAt.getTime(),
      ) > 0,
    get: async (accountId, prefix) =>
      toTemplate(db.get('SELECT * FROM repository_creation_templates WHERE account_id = ? AND match_prefix = ?', accountId, templateKey(prefix))),
    list: async (accountId, page) =>
      db
        .all(
          'SELECT * FROM repository_creation_templates WHERE account_id = ? AND match_prefix > ? ORDER BY match_prefix LIMIT ?',
          accountId,
          page.after ?? '',
          page.limit,
        )
        .map((row) => toTemplate(row)!),
    update: async (template) =>
      db.run(
        `UPDATE repository_creation_templates SET description = ?, encryption = ?, resource_tags = ?, image_tag_mutability = ?,
           mutability_exclusion_filters = ?, repository_policy = ?, lifecycle_policy = ?, applied_for = ?, custom_role_arn = ?,
           updated_at = ?
         WHERE account_id = ? AND match_prefix = ?`,
        ...columns(template),
        template.updatedAt.getTime(),
        template.accountId,
        templateKey(template.prefix),
      ) > 0,
    delete: async (accountId, prefix) =>
      db.run('DELETE FROM repository_creation_templates WHERE account_id = ? AND match_prefix = ?', accountId, templateKey(prefix)) > 0,
  };
}

/** The settings columns, in the order both statements name them. */
function columns(template: CreationTemplateRecord): Array<string | null> {
  return [
    template.description ?? null,
    JSON.stringify(template.encryption),
    JSON.stringify(template.resourceTags),
    template.imageTagMutability,
    JSON.stringify(template.imageTagMutabilityExclusionFilters),
    template.repositoryPolicy ?? null,
    template.lifecyclePolicy ?? null,
    JSON.stringify(template.appliedFor),
    template.customRoleArn ?? null,
  ];
}

function toTemplate(row: Row | undefined): CreationTemplateRecord | undefined {
  if (row === undefined) return undefined;
  return {
    accountId: String(row.account_id),
    prefix: String(row.prefix),
    ...(row.description === null ? {} : { description: String(row.description) }),
    encryption: JSON.parse(String(row.encryption)) as EncryptionConfiguration,
    resourceTags: JSON.parse(String(row.resource_tags)) as Record<string, string>,
    imageTagMutability: String(row.image_tag_mutability) as ImageTagMutability,
    imageTagMutabilityExclusionFilters: JSON.parse(String(row.mutability_exclusion_filters)) as TagMutabilityExclusionFilter[],
    ...(row.repository_policy === null ? {} : { repositoryPolicy: String(row.repository_policy) }),
    ...(row.lifecycle_policy === null ? {} : { lifecyclePolicy: String(row.lifecycle_policy) }),
    appliedFor: JSON.parse(String(row.applied_for)) as TemplateScenario[],
    ...(row.custom_role_arn === null ? {} : { customRoleArn: String(row.custom_role_arn) }),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

export function createSqliteAccountSettingsStore(db: SqliteConnection): AccountSettingsStore {
  return {
    get: async (accountId, name) => {
      const row = db.get('SELECT value FROM account_settings WHERE account_id = ? AND name = ?', accountId, name);
      return row === undefined ? undefined : String(row.value);
    },
    put: async (accountId, name, value) => {
      db.run(
        'INSERT INTO account_settings (account_id, name, value) VALUES (?, ?, ?) ON CONFLICT (account_id, name) DO UPDATE SET value = excluded.value',
        accountId,
        name,
        value,
      );
    },
  };
}
