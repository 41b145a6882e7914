// CreationTemplateStore and AccountSettingsStore on the shared SQLite connection:
// registry-wide settings that change rarely, so they always commit durably.
import type { AccountSettingsStore } from '../account-settings-store.ts';
import { templateKey, type CreationTemplateStore } from '../creation-template-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { TEMPLATE_COLUMNS, templateRows, templateSettingsValues } from '../rows/template-rows.ts';
import { SQLITE_VALUES } from './sqlite-column-values.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

const rows = templateRows(SQLITE_VALUES);

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
        ...templateSettingsValues(template),
        template.createdAt.getTime(),
        template.updatedAt.getTime(),
      ) > 0,
    get: async (accountId, prefix) =>
      ifFound(
        db.get(`SELECT ${TEMPLATE_COLUMNS} FROM repository_creation_templates WHERE account_id = ? AND match_prefix = ?`, accountId, templateKey(prefix)),
        rows.template,
      ),
    list: async (accountId, page) =>
      db
        .all(
          `SELECT ${TEMPLATE_COLUMNS} FROM repository_creation_templates WHERE account_id = ? AND match_prefix > ? ORDER BY match_prefix LIMIT ?`,
          accountId,
          page.after ?? '',
          page.limit,
        )
        .map(rows.template),
    update: async (template) =>
      db.run(
        `UPDATE repository_creation_templates SET description = ?, encryption = ?, resource_tags = ?, image_tag_mutability = ?,
           mutability_exclusion_filters = ?, repository_policy = ?, lifecycle_policy = ?, applied_for = ?, custom_role_arn = ?,
           updated_at = ?
         WHERE account_id = ? AND match_prefix = ?`,
        ...templateSettingsValues(template),
        template.updatedAt.getTime(),
        template.accountId,
        templateKey(template.prefix),
      ) > 0,
    delete: async (accountId, prefix) =>
      db.run('DELETE FROM repository_creation_templates WHERE account_id = ? AND match_prefix = ?', accountId, templateKey(prefix)) > 0,
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
