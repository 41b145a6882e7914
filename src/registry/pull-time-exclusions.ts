// ECR's pull time update exclusions: IAM principals (a scanner, a CI job) whose pulls
// do not update lastRecordedPullTime. Pulls are the hot path and the list changes
// rarely, so each process keeps the served account's list in memory and judges a pull
// only by a list read less than the refresh interval (a few seconds) ago: a change
// made by another process applies to every pull from that interval on. This process
// reloads at once after its own changes. A check is a clock read and a set lookup;
// when the list is too old, the check starts a reload and the caller decides after it
// (recording a pull time never delays the pull).
import type { PullTimeExclusionStore } from '../storage/meta/pull-time-exclusion-store.ts';

/** ECR allows up to 100 exclusions per account (user guide, "Pull-time update exclusions"). */
export const MAX_PULL_TIME_EXCLUSIONS = 100;

const LOAD_PAGE = 1000;

export interface PullTimeExclusionsOptions {
  /** How long a list read from the store may be used. */
  readonly refreshMs?: number;
  /** The time in milliseconds (Date.now by default). */
  readonly clock?: () => number;
}

export class PullTimeExclusions {
  readonly #store: PullTimeExclusionStore;
  readonly #accountId: string;
  readonly #refreshMs: number;
  readonly #clock: () => number;
  /** The excluded ARNs; undefined until a load has succeeded. */
  #excluded: ReadonlySet<string> | undefined;
  /** Until when checks answer from memory: a read's start plus the interval (after a failure: a pause before the next try). */
  #answerUntil = Number.NEGATIVE_INFINITY;
  /** The newest load, while it runs. */
  #loading: Promise<void> | undefined;
  /** Loads are numbered so a slow, older load never replaces what a newer one read. */
  #started = 0;
  #applied = 0;

  constructor(store: PullTimeExclusionStore, accountId: string, options: PullTimeExclusionsOptions = {}) {
    this.#store = store;
    this.#accountId = accountId;
    this.#refreshMs = options.refreshMs ?? 5_000;
    this.#clock = options.clock ?? Date.now;
    void this.reload();
  }

  /**
   * Whether pulls by `principalArn` leave pull times alone, from the list in memory.
   * Undefined when that list is too old (or was never loaded): a reload is then on its
   * way; ask again once settled() resolves.
   */
  excludes(principalArn: string): boolean | undefined {
    if (this.#clock() < this.#answerUntil) return this.#excluded?.has(principalArn) ?? false;
    if (this.#loading === undefined) void this.reload();
    return undefined;
  }

  /** Resolves when no load is running any more. */
  async settled(): Promise<void> {
    while (this.#loading !== undefined) await this.#loading;
  }

  /** Reads the list again now (for this process's own changes). Never rejects: after a failure the old list stays. */
  reload(): Promise<void> {
    const load = this.#load(++this.#started);
    this.#loading = load;
    return load;
  }

  async #load(number: number): Promise<void> {
    const startedAt = this.#clock();
    try {
      const excluded = await this.#readAll();
      if (number > this.#applied) {
        this.#applied = number;
        this.#excluded = excluded;
        this.#answerUntil = startedAt + this.#refreshMs;
      }
    } catch {
      // The store is failing: answer from what we had (or exclude nobody) and try again after the interval.
      if (number === this.#started) this.#answerUntil = this.#clock() + this.#refreshMs;
    } finally {
      if (number === this.#started) this.#loading = undefined;
    }
  }

  async #readAll(): Promise<ReadonlySet<string>> {
    const arns = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await this.#store.list(this.#accountId, { limit: LOAD_PAGE, ...(after === undefined ? {} : { after }) });
      for (const record of page) arns.add(record.principalArn);
      if (page.length < LOAD_PAGE) return arns;
      after = page[page.length - 1]!.principalArn;
    }
  }
}
