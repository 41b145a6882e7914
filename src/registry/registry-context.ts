// What every registry use case needs: the two ports, the clock, the limits, and
// the account the registry serves with its create-on-push switch.
import type { BlobStore } from '../storage/blob/blob-store.ts';
import type { MetadataStore } from '../storage/meta/metadata-store.ts';
import type { UsageRecorder } from '../usage/usage-meter.ts';

export interface RegistryLimits {
  /** Largest manifest accepted on push, in bytes. */
  readonly maxManifestBytes: number;
  /** Largest blob accepted, in bytes. */
  readonly maxBlobBytes: number;
}

export interface RegistryContext {
  readonly blobs: BlobStore;
  readonly metadata: MetadataStore;
  readonly limits: RegistryLimits;
  readonly now: () => Date;
  /** The AWS account this registry is (templates and account settings are kept per account). */
  readonly accountId: string;
  /** Whether a push to a missing repository creates it (config `createOnPush`). */
  readonly createOnPush: boolean;
  /**
   * At most how often a blob a client asks about is marked used, per blob and process
   * (default a minute). Garbage collection protects a blob for its grace period after
   * the last mark, so this is a tenth of that period.
   */
  readonly touchIntervalMs?: number;
  /**
   * Where traffic, pushes, pulls and pull times are counted (src/usage/); its flush writes
   * them to the store. Without one nothing is metered and no pull time is recorded.
   */
  readonly usage?: UsageRecorder;
}

export const DEFAULT_LIMITS: RegistryLimits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxBlobBytes: 1024 * 1024 * 1024 * 1024,
};
