// Counts traffic in memory as it happens, per UTC day and repository, and keeps the
// pull times waiting to be written; a flush (usage-flush.ts) drains both into the
// metadata store in one batch. Nothing here waits for or writes to a store: the
// hooks on the request path only add to maps.
//
// What is counted (docs/usage.md):
//   bytesIn  blob bytes an upload stored (PATCH, PUT, monolithic POST, ECR's UploadLayerPart)
//            and the bytes of each manifest pushed
//   bytesOut blob bytes that left for the client (an aborted download counts what left; a
//            307 to the object store counts the blob's size, as Berth cannot see that
//            download), and the bytes of each manifest served
//   pushes   manifests stored (a /v2/ manifest PUT, ECR's PutImage)
//   pulls    manifests served to a client (a /v2/ manifest GET, each image of BatchGetImage; not a HEAD)
import type { PullTimeRecord, TrafficRecord } from '../storage/meta/usage-store.ts';
import { DayClock } from './utc-day.ts';

interface Counts {
  bytesIn: number;
  bytesOut: number;
  pushes: number;
  pulls: number;
}

/** What a flush takes out of the meter. */
export interface UsageBatch {
  readonly traffic: readonly TrafficRecord[];
  readonly pullTimes: readonly PullTimeRecord[];
}

/** Everything this process counted since it started (what /metrics reports). */
export interface UsageTotals {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly pushes: number;
  readonly pulls: number;
}

/** The metering hooks the registry and HTTP layers call. */
export interface UsageRecorder {
  received(repository: string, bytes: number): void;
  sent(repository: string, bytes: number): void;
  pushed(repository: string, manifestBytes: number): void;
  /** A manifest served to a client: a pull, and the manifest's bytes out. */
  pulled(repository: string, manifestBytes: number): void;
  /** A pull to write as the manifest's last pull time (already throttled and filtered by the caller). */
  pullTime(repository: string, digest: string, at: Date): void;
  /** The latest pull time of the manifest queued here and not yet in the store. */
  pendingPullTime(repository: string, digest: string): Date | undefined;
}

export class UsageMeter implements UsageRecorder {
  readonly #now: () => Date;
  readonly #clock = new DayClock();
  /** day → repository → counts not yet flushed. */
  #traffic = new Map<string, Map<string, Counts>>();
  /** `repository@digest` → the latest pull time not yet flushed. */
  #pullTimes = new Map<string, PullTimeRecord>();
  /** Pull times drained by a flush that has not yet reported them written. */
  #flushing = new Map<string, PullTimeRecord>();
  readonly #totals: Counts = { bytesIn: 0, bytesOut: 0, pushes: 0, pulls: 0 };

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  received(repository: string, bytes: number): void {
    if (bytes <= 0) return;
    this.#counts(repository).bytesIn += bytes;
    this.#totals.bytesIn += bytes;
  }

  sent(repository: string, bytes: number): void {
    if (bytes <= 0) return;
    this.#counts(repository).bytesOut += bytes;
    this.#totals.bytesOut += bytes;
  }

  pushed(repository: string, manifestBytes: number): void {
    const counts = this.#counts(repository);
    counts.pushes += 1;
    counts.bytesIn += manifestBytes;
    this.#totals.pushes += 1;
    this.#totals.bytesIn += manifestBytes;
  }

  pulled(repository: string, manifestBytes: number): void {
    const counts = this.#counts(repository);
    counts.pulls += 1;
    counts.bytesOut += manifestBytes;
    this.#totals.pulls += 1;
    this.#totals.bytesOut += manifestBytes;
  }

  pullTime(repository: string, digest: string, at: Date): void {
    const key = `${repository}@${digest}`;
    const pending = this.#pullTimes.get(key);
    if (pending === undefined || pending.at < at) this.#pullTimes.set(key, { repository, digest, at });
  }

  /**
   * The latest pull time of the manifest that this process has not yet written (queued,
   * or being written): what DescribeImages shows over the stored one, so a pull is
   * visible at once here and on other nodes after the next flush.
   */
  pendingPullTime(repository: string, digest: string): Date | undefined {
    const key = `${repository}@${digest}`;
    const queued = this.#pullTimes.get(key)?.at;
    const writing = this.#flushing.get(key)?.at;
    return queued === undefined ? writing : writing === undefined || queued > writing ? queued : writing;
  }

  get totals(): UsageTotals {
    return { ...this.#totals };
  }

  /** True when a flush would write nothing. */
  get idle(): boolean {
    return this.#traffic.size === 0 && this.#pullTimes.size === 0;
  }

  /** Takes everything counted since the last drain; the meter starts again from nothing. */
  drain(): UsageBatch {
    const traffic: TrafficRecord[] = [];
    for (const [day, repositories] of this.#traffic) {
      for (const [repository, counts] of repositories) traffic.push({ day, repository, ...counts });
    }
    const pullTimes = [...this.#pullTimes.values()];
    this.#traffic = new Map();
    this.#flushing = this.#pullTimes;
    this.#pullTimes = new Map();
    return { traffic, pullTimes };
  }

  /** The drained pull times are in the store (or were put back): no longer pending here. */
  flushed(): void {
    this.#flushing = new Map();
  }

  /** Puts back a batch that could not be written, to go with the next flush (totals are unchanged). */
  restore(batch: Partial<UsageBatch>): void {
    for (const row of batch.traffic ?? []) {
      const counts = this.#countsOn(row.day, row.repository);
      counts.bytesIn += row.bytesIn;
      counts.bytesOut += row.bytesOut;
      counts.pushes += row.pushes;
      counts.pulls += row.pulls;
    }
    for (const pull of batch.pullTimes ?? []) this.pullTime(pull.repository, pull.digest, pull.at);
  }

  #counts(repository: string): Counts {
    return this.#countsOn(this.#clock.dayOf(this.#now()), repository);
  }

  #countsOn(day: string, repository: string): Counts {
    let repositories = this.#traffic.get(day);
    if (repositories === undefined) {
      repositories = new Map();
      this.#traffic.set(day, repositories);
    }
    let counts = repositories.get(repository);
    if (counts === undefined) {
      counts = { bytesIn: 0, bytesOut: 0, pushes: 0, pulls: 0 };
      repositories.set(repository, counts);
    }
    return counts;
  }
}
