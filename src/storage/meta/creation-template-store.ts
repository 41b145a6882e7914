// The part of the MetadataStore port that keeps ECR repository creation templates:
// per account, the settings a repository gets when Berth creates it on the client's
// behalf (a push to a missing repository, later replication and pull-through cache).
// A template is named by a repository namespace prefix, with or without a trailing
// `/` (ECR always assumes one, so `prod` and `prod/` are the same template), or by
// `ROOT`. The store keeps the prefix as the client spelled it and compares it
// without the trailing `/`. Which template applies to a name is the caller's rule.
import type { Page } from './metadata-store.ts';
import type { EncryptionConfiguration, ImageTagMutability, TagMutabilityExclusionFilter } from './repository-settings.ts';

/** The ways ECR creates repositories by itself, which a template may apply to. */
export type TemplateScenario = 'REPLICATION' | 'PULL_THROUGH_CACHE' | 'CREATE_ON_PUSH';

export interface CreationTemplateRecord {
  readonly accountId: string;
  readonly prefix: string;
  readonly description?: string;
  readonly encryption: EncryptionConfiguration;
  readonly resourceTags: Readonly<Record<string, string>>;
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters: readonly TagMutabilityExclusionFilter[];
  /** Repository policy document, as the client sent it. */
  readonly repositoryPolicy?: string;
  /** Lifecycle policy document (JSON), as the client sent it. */
  readonly lifecyclePolicy?: string;
  readonly appliedFor: readonly TemplateScenario[];
  readonly customRoleArn?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The form prefixes are compared in: without the trailing `/`. */
export function templateKey(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

export interface CreationTemplateStore {
  /** False when the account already has a template for the same prefix. */
  create(template: CreationTemplateRecord): Promise<boolean>;
  get(accountId: string, prefix: string): Promise<CreationTemplateRecord | undefined>;
  /** The account's templates ordered by templateKey(prefix), after `page.after` (a key). */
  list(accountId: string, page: Page): Promise<CreationTemplateRecord[]>;
  /** Replaces the template for the same prefix (keeping its spelling and createdAt); false when there is none. */
  update(template: CreationTemplateRecord): Promise<boolean>;
  delete(accountId: string, prefix: string): Promise<boolean>;
}
