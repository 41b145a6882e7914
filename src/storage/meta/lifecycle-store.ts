// The part of the MetadataStore port that keeps lifecycle policies: each repository's
// policy text and when it was last evaluated, its latest preview, the audit log of
// every image a policy expired, the one read the evaluator needs, and the conditional
// step that expires one image. A repository's policy and preview go with it when it
// is deleted; the audit log stays (it names the repository, it does not point at it).
import type { LifecycleExpiry, LifecycleExpiryReason, LifecycleImage } from '../../lifecycle/lifecycle-types.ts';
import type { Page } from './metadata-store.ts';

export interface LifecyclePolicyRecord {
  readonly repository: string;
  /** The policy as the client sent it. */
  readonly text: string;
  /** When a run last evaluated it, if ever. */
  readonly lastEvaluatedAt?: Date;
}

/** What the store keeps of a preview; whether it has gone stale is the service's business. */
export type StoredPreviewStatus = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';

export interface LifecyclePreviewRecord {
  /** The policy text the preview evaluates. */
  readonly policy: string;
  readonly status: StoredPreviewStatus;
  /** Set once COMPLETE: what a run would expire, in the order it would. */
  readonly results?: readonly LifecycleExpiry[];
  readonly startedAt: Date;
  readonly completedAt?: Date;
}

export type StartPreviewResult = 'started' | 'in-progress' | 'no-repository';

/** One image to expire, as the evaluation saw it. */
export interface ExpireRequest {
  readonly repository: string;
  readonly digest: string;
  /** The tags the evaluation saw on it: expired only if exactly these still point at it. */
  readonly tags: readonly string[];
  /** The manifests the evaluation saw referring to it (subject): another one keeps it. */
  readonly referrers: readonly string[];
  readonly rulePriority: number;
  readonly reason: LifecycleExpiryReason;
  /** For index-child and referrer: the image it goes with, which must be gone first. */
  readonly via?: string;
  readonly at: Date;
}

/**
 * What the expire step did. Only 'expired' changed anything. 'listed-by-index' and
 * 'carrier-present' may change to 'expired' once other images of the same run are gone;
 * the others are final: the repository changed since the evaluation, and it wins.
 */
export type ExpireOutcome =
  | 'expired'
  /** The manifest is no longer there (deleted meanwhile). */
  | 'gone'
  /** Its tags are not the ones evaluated (a push re-tagged it, or a tag moved away). */
  | 'tags-changed'
  /** An index in the repository lists it. */
  | 'listed-by-index'
  /** A referrer the evaluation did not see refers to it. */
  | 'new-referrer'
  /** The image it goes with (`via`) is still in the repository. */
  | 'carrier-present';

export interface LifecycleExpirationRecord {
  /** Increases with every expiration: the log's order and its page position. */
  readonly id: number;
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly rulePriority?: number;
  readonly reason: LifecycleExpiryReason;
  readonly via?: string;
  readonly expiredAt: Date;
}

export interface LifecycleStore {
  getPolicy(repository: string): Promise<LifecyclePolicyRecord | undefined>;
  /** Sets or replaces the policy (keeping lastEvaluatedAt); false when there is no such repository. */
  putPolicy(repository: string, text: string): Promise<boolean>;
  /** Removes the policy and its evaluation time in one step; what was removed, or undefined when there was none. */
  deletePolicy(repository: string): Promise<LifecyclePolicyRecord | undefined>;
  /** Repositories that have a policy, ordered by name, after `page.after`. */
  listPolicies(page: Page): Promise<LifecyclePolicyRecord[]>;
  /** Records when the repository's policy was last evaluated; nothing happens without a policy. */
  markEvaluated(repository: string, at: Date): Promise<void>;
  /** Every manifest of the repository as the evaluator sees it, in one consistent read, ordered by digest. */
  images(repository: string): Promise<LifecycleImage[]>;
  /**
   * Deletes one manifest (with its tags) only if it is still as the evaluation saw it,
   * and appends its audit row in the same transaction.
   */
  expire(request: ExpireRequest): Promise<ExpireOutcome>;
  /**
   * Starts a preview of `policy`, replacing the repository's previous one, unless one is
   * in progress and was started after `staleBefore` (one that old is taken as abandoned).
   */
  startPreview(repository: string, policy: string, at: Date, staleBefore: Date): Promise<StartPreviewResult>;
  /** Ends the preview started at `startedAt`; does nothing when another one replaced it meanwhile. */
  finishPreview(
    repository: string,
    startedAt: Date,
    outcome: { readonly status: 'COMPLETE'; readonly results: readonly LifecycleExpiry[] } | { readonly status: 'FAILED' },
    at: Date,
  ): Promise<void>;
  getPreview(repository: string): Promise<LifecyclePreviewRecord | undefined>;
  /** The audit log, newest first, optionally for one repository, before the id `before`. */
  expirations(filter: { readonly repository?: string }, page: { readonly limit: number; readonly before?: number }): Promise<LifecycleExpirationRecord[]>;
}
