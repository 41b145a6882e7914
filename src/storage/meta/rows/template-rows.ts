// Repository creation templates: their columns, the settings columns' values, and the
// row→record mapper, the same for every driver.
import type { CreationTemplateRecord, TemplateScenario } from '../creation-template-store.ts';
import type { EncryptionConfiguration, ImageTagMutability, TagMutabilityExclusionFilter } from '../repository-settings.ts';
import type { ColumnValues, Row } from './column-values.ts';

// Named, never `*`: see identity-rows.ts (rolling upgrades on PostgreSQL).
export const TEMPLATE_COLUMNS = `account_id, prefix, description, encryption, resource_tags, image_tag_mutability, mutability_exclusion_filters,
  repository_policy, lifecycle_policy, applied_for, custom_role_arn, created_at, updated_at`;

/**
 * The values of the settings columns — description, encryption, resource_tags,
 * image_tag_mutability, mutability_exclusion_filters, repository_policy,
 * lifecycle_policy, applied_for, custom_role_arn — in that order, the order every
 * driver's INSERT and UPDATE name them in.
 */
export function templateSettingsValues(template: CreationTemplateRecord): Array<string | null> {
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

export function templateRows(values: ColumnValues) {
  return {
    template: (row: Row): CreationTemplateRecord => ({
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
      createdAt: values.time(row.created_at),
      updatedAt: values.time(row.updated_at),
    }),
  };
}
