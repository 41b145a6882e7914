// CreationTemplateStore and AccountSettingsStore on PostgreSQL: registry-wide settings
// that change rarely, so they always commit durably. Each method is one statement.
import type { AccountSettingsStore } from '../account-settings-store.ts';
import { templateKey, type CreationTemplateStore } from '../creation-template-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { TEMPLATE_COLUMNS, templateRows, templateSettingsValues } from '../rows/template-rows.ts';
import { POSTGRES_VALUES } from './postgres-column-values.ts';
import type { PostgresConnection } from './postgres-connection.ts';

const rows = templateRows(POSTGRES_VALUES);

export function createPostgresCreationTemplateStore(db: PostgresConnection): CreationTemplateStore {
  return {
    create: async (template) =>
      (await db.run(
        `INSERT INTO repository_creation_templates (account_id, match_prefix, prefix, description, encryption, resource_tags,
           image_tag_mutability, mutability_exclusion_filters, repository_policy, lifecycle_policy, applied_for, custom_role_arn,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
        template.accountId,
        templateKey(template.prefix),
        template.prefix,
        ...templateSettingsValues(template),
        template.createdAt,
        template.updatedAt,
      )) > 0,
    get: async (accountId, prefix) =>
      ifFound(
        await db.get(
          `SELECT ${TEMPLATE_COLUMNS} FROM repository_creation_templates WHERE account_id = $1 AND match_prefix = $2`,
          accountId,
          templateKey(prefix),
        ),
        rows.template,
      ),
    list: async (accountId, page) =>
      (
        await db.all(
          `SELECT ${TEMPLATE_COLUMNS} FROM repository_creation_templates WHERE account_id = $1 AND match_prefix > $2 ORDER BY match_prefix LIMIT $3`,
          accountId,
          page.after ?? '',
          page.limit,
        )
      ).map(rows.template),
    update: async (template) =>
      (await db.run(
        `UPDATE repository_creation_templates SET description = $1, encryption = $2, resource_tags = $3, image_tag_mutability = $4,
           mutability_exclusion_filters = $5, repository_policy = $6, lifecycle_policy = $7, applied_for = $8, custom_role_arn = $9,
           updated_at = $10
         WHERE account_id = $11 AND match_prefix = $12`,
        ...templateSettingsValues(template),
        template.updatedAt,
        template.accountId,
        templateKey(template.prefix),
      )) > 0,
    delete: async (accountId, prefix) =>
      (await db.run('DELETE FROM repository_creation_templates WHERE account_id = $1 AND match_prefix = $2', accountId, templateKey(prefix))) > 0,
  };
}

export function createPostgresAccountSettingsStore(db: PostgresConnection): AccountSettingsStore {
  return {
    get: async (accountId, name) => {
      const row = await db.get('SELECT value FROM account_settings WHERE account_id = $1 AND name = $2', accountId, name);
      return row === undefined ? undefined : String(row.value);
    },
    put: async (accountId, name, value) => {
      await db.run(
        'INSERT INTO account_settings (account_id, name, value) VALUES ($1, $2, $3) ON CONFLICT (account_id, name) DO UPDATE SET value = EXCLUDED.value',
        accountId,
        name,
        value,
      );
    },
  };
}
