// What ECR keeps about a repository besides its content: tag mutability (with
// exclusion filters), scan-on-push, encryption, resource tags and the repository
// policy. Repositories created by a push get DEFAULT_REPOSITORY_SETTINGS.

export type ImageTagMutability = 'MUTABLE' | 'IMMUTABLE' | 'MUTABLE_WITH_EXCLUSION' | 'IMMUTABLE_WITH_EXCLUSION';

export interface TagMutabilityExclusionFilter {
  readonly filterType: 'WILDCARD';
  readonly filter: string;
}

export type EncryptionConfiguration =
  | { readonly encryptionType: 'AES256' }
  | { readonly encryptionType: 'KMS' | 'KMS_DSSE'; readonly kmsKey?: string };

export interface RepositorySettings {
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters: readonly TagMutabilityExclusionFilter[];
  readonly scanOnPush: boolean;
  readonly encryption: EncryptionConfiguration;
}

export const DEFAULT_REPOSITORY_SETTINGS: RepositorySettings = {
  imageTagMutability: 'MUTABLE',
  imageTagMutabilityExclusionFilters: [],
  scanOnPush: false,
  encryption: { encryptionType: 'AES256' },
};

export interface RepositoryRecord {
  readonly name: string;
  readonly createdAt: Date;
  readonly settings: RepositorySettings;
  readonly tags: Readonly<Record<string, string>>;
  /** The repository policy document as set, if any. */
  readonly policy?: string;
}

export type DeleteRepositoryResult = 'deleted' | 'not-found' | 'not-empty';
