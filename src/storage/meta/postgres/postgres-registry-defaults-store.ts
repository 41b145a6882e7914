// CreationTemplateStore and AccountSettingsStore on PostgreSQL: registry-wide settings
// that change rarely, so they always commit durably. Each method is one statement.
import type { AccountSettingsStore } from '../account-settings-store.ts';
import { templateKey, type CreationTemplateRecord, type CreationTemplateStore, type TemplateScenario } from '../creation-template-store.ts';
import type { EncryptionConfiguration, ImageTagMutability, TagMutabilityExclusionFilter } from '../repository-settings.ts';
import type { PostgresConnection, Row } from './postgres-connection.ts';

// Columns are named, never `*`: a statement prepared on a node still running the old
// code keeps working when a newer node's migration adds a column (rolling upgrades).
const TEMPLATE_COLUMNS = `account_id, prefix, description, encryption, resource_tags, image_tag_mutability, mutability_exclusion_filters,
  repository_policy, lifecycle_policy, applied_for, custom_role_arn, created_at, updated_at`;

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
        ...columns(template),
        template.createdAt,
        template.updatedAt,
      )) > 0,
    get: async (accountId, prefix) =>
      toTemplate(await db.get(`SELECT ${TEMPLATE_COLUMNS} FROM repository_creation_templates WHERE account_id = $1 AND match_prefix = $2`, accountId, templateKey(prefix))),
    list: async (accountId, page) =>
      (
        await db.all(
          `SELECT ${TEMPLATE_COLUMNS} FROM repository_creation_templates WHERE account_id = $1 AND match_prefix > $2 ORDER BY match_prefix LIMIT $3`,
          accountId,
          page.after ?? '',
          page.limit,
        )
      ).map((row) => toTemplate(row)!),
    update: async (template) =>
      (await db.run(
        `UPDATE repository_creation_templates SET description = $1, encryption = $2, resource_tags = $3, image_tag_mutability = $4,
           mutability_exclusion_filters = $5, repository_policy = $6, lifecycle_policy = $7, applied_for = $8, custom_role_arn = $9,
           updated_at = $10
         WHERE account_id = $11 AND match_prefix = $12`,
        ...columns(template),
        template.updatedAt,
        template.accountId,
        templateKey(template.prefix),
      )) > 0,
    delete: async (accountId, prefix) =>
      (await db.run('DELETE FROM repository_creation_templates WHERE account_id = $1 AND match_prefix = $2', accountId, templateKey(prefix))) > 0,
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
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
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
