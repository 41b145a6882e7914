// Repositories: their columns, how their settings and resource tags are stored, and the
// row→record mapper, the same for every driver.
import { DEFAULT_REPOSITORY_SETTINGS, type RepositoryRecord, type RepositorySettings } from '../repository-settings.ts';
import type { ColumnValues, Row } from './column-values.ts';

// Named, never `*`: see identity-rows.ts (rolling upgrades on PostgreSQL).
export const REPOSITORY_COLUMNS = 'name, created_at, settings, resource_tags, policy';

/** The settings column: the JSON of the settings, read back whole. */
export function settingsValue(settings: RepositorySettings): string {
  return JSON.stringify(settings);
}

/** The resource_tags column: the JSON object of the tags. */
export function resourceTagsValue(tags: Readonly<Record<string, string>>): string {
  return JSON.stringify(tags);
}

/** The resource_tags column after adding (or overwriting) `add` and removing `remove` from the stored one. */
export function mergedResourceTags(stored: unknown, add: Readonly<Record<string, string>>, remove: readonly string[]): string {
  const tags = { ...(JSON.parse(String(stored)) as Record<string, string>), ...add };
  for (const key of remove) delete tags[key];
  return resourceTagsValue(tags);
}

export function repositoryRows(values: ColumnValues) {
  return {
    repository: (row: Row): RepositoryRecord => ({
      name: String(row.name),
      createdAt: values.time(row.created_at),
      // Repositories created by a push have no stored settings: they have the defaults.
      settings: row.settings === null ? DEFAULT_REPOSITORY_SETTINGS : (JSON.parse(String(row.settings)) as RepositorySettings),
      tags: JSON.parse(String(row.resource_tags)) as Record<string, string>,
      ...(row.policy === null ? {} : { policy: String(row.policy) }),
    }),
  };
}
