// The part of the MetadataStore port that keeps each account's pull time update
// exclusions (RegisterPullTimeUpdateExclusion): IAM principal ARNs whose pulls do not
// update an image's lastRecordedPullTime. ARNs are compared exactly, as IAM compares
// them; whether an ARN is well formed is the caller's business.
import type { Page } from './metadata-store.ts';

export interface PullTimeExclusionRecord {
  readonly principalArn: string;
  readonly createdAt: Date;
}

export type AddExclusionResult = 'added' | 'exists' | 'full';

export interface PullTimeExclusionStore {
  /**
   * Adds the exclusion in one step: 'exists' when the account has it already, 'full'
   * when the account has `maxPerAccount` exclusions; in both cases nothing changes.
   */
  add(accountId: string, principalArn: string, at: Date, maxPerAccount: number): Promise<AddExclusionResult>;
  /** Removes the exclusion; false when the account has no such exclusion. */
  remove(accountId: string, principalArn: string): Promise<boolean>;
  /** The account's exclusions ordered by ARN, after `page.after`. */
  list(accountId: string, page: Page): Promise<PullTimeExclusionRecord[]>;
}
