// The part of the MetadataStore port behind usage metering: traffic counted per
// repository per UTC day (added to by every node, never overwritten), the stored
// bytes as ECR bills them, computed live from the manifests' references, a daily
// snapshot of them, and the batched write of manifests' last pull times.
//
// Days are UTC calendar days as text, 'YYYY-MM-DD', so they sort and compare as text.

/** Traffic of one repository on one day; as an increment, or as the day's total when read. */
export interface TrafficRecord {
  readonly day: string;
  readonly repository: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly pushes: number;
  readonly pulls: number;
}

/** A manifest pulled at `at` (ECR's lastRecordedPullTime). */
export interface PullTimeRecord {
  readonly repository: string;
  readonly digest: string;
  readonly at: Date;
}

export interface RepositoryStoredBytes {
  readonly repository: string;
  readonly bytes: number;
}

/**
 * Stored bytes as ECR bills them. A repository stores each distinct blob its manifests
 * reference (config, layers, artifact blobs) once, however many of its images share it;
 * the registry stores each blob referenced anywhere once, however many repositories
 * share it. Manifests themselves are not counted (ECR's imageSizeInBytes leaves them
 * out too), nor blobs no manifest references (uploads not yet pushed as an image, or
 * garbage awaiting collection).
 */
export interface StoredBytes {
  /** Every repository, by name; 0 for one without images. */
  readonly repositories: readonly RepositoryStoredBytes[];
  /** The whole registry after deduplication across repositories. */
  readonly registry: number;
}

/** The stored bytes snapshot of one day. */
export interface StorageSnapshot {
  readonly day: string;
  /** Repositories with a row that day; one without a row stored nothing then. */
  readonly repositories: readonly RepositoryStoredBytes[];
  readonly registry: number;
  readonly takenAt: Date;
}

export interface UsageStore {
  /**
   * Adds each record's counts to the day's row of its repository (creating it), in one
   * step: rows written by several processes at once add up.
   */
  addTraffic(increments: readonly TrafficRecord[]): Promise<void>;
  /** Traffic rows of the days from `firstDay` to `lastDay` (both included), by day then repository. */
  traffic(firstDay: string, lastDay: string): Promise<TrafficRecord[]>;
  /**
   * Records pull times (ECR's lastRecordedPullTime) in one step: a later time than the
   * stored one wins, and an unknown manifest (or repository) is skipped. Durable only
   * with the next durable write: losing a pull time to a power cut loses no image.
   */
  recordPullTimes(pulls: readonly PullTimeRecord[]): Promise<void>;
  /** The stored bytes now. */
  storedBytes(): Promise<StoredBytes>;
  /** Replaces the snapshot of `snapshot.day` with this one, in one step. */
  saveStorageSnapshot(snapshot: StorageSnapshot): Promise<void>;
  /** Snapshots of the days from `firstDay` to `lastDay` (both included), by day. */
  storageSnapshots(firstDay: string, lastDay: string): Promise<StorageSnapshot[]>;
}
