// ECR's pull time update exclusions: IAM principals (a scanner, a CI job) whose pulls
// do not update lastRecordedPullTime. Pulls are the hot path and the list changes
// rarely, so each process keeps the served account's list in memory: it reloads it at
// once after changing it itself, and otherwise when a check finds it older than the
// refresh interval (a few seconds), so a change made by another process applies
// within that interval. A check is a clock read and a set lookup; the reload it may
// start runs beside the request and never delays it.
import type { PullTimeExclusionStore } from '../storage/meta/pull-time-exclusion-store.ts';

/** ECR allows up to 100 exclusions per account (user guide, "Pull-time update exclusions"). */
export const MAX_PULL_TIME_EXCLUSIONS = 100;

const LOAD_PAGE = 1000;

export interface PullTimeExclusionsOptions {
  /** How old the in-memory list may get before a check reloads it. */
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
  /** When the last load started (a load in flight counts as fresh, so checks start no second one). */
  #loadStartedAt = Number.NEGATIVE_INFINITY;
  /** Loads are numbered so a slow, older load never replaces what a newer one read. */
  #started = 0;
  #applied = 0;
  readonly #firstLoad: Promise<void>;

  constructor(store: PullTimeExclusionStore, accountId: string, options: PullTimeExclusionsOptions = {}) {
    this.#store = store;
    this.#accountId = accountId;
    this.#refreshMs = options.refreshMs ?? 5_000;
    this.#clock = options.clock ?? Date.now;
    this.#firstLoad = this.reload();
  }

  /**
   * Whether pulls by `principalArn` leave pull times alone: from the list in memory
   * (reloading it in the background when it is stale); undefined while no load has
   * succeeded yet.
   */
  excludes(principalArn: string): boolean | undefined {
    if (this.#clock() - this.#loadStartedAt >= this.#refreshMs) void this.reload();
    return this.#excluded?.has(principalArn);
  }

  /** Settles once the first load has (or has not) succeeded. */
  loaded(): Promise<void> {
    return this.#firstLoad;
  }

  /** Reads the list again now; for this process's own changes. Never rejects: a failed load keeps the old list. */
  async reload(): Promise<void> {
    const load = ++this.#started;
    this.#loadStartedAt = this.#clock();
    try {
      const excluded = await this.#readAll();
      if (load < this.#applied) return;
      this.#applied = load;
      this.#excluded = excluded;
    } catch {
      // The store is failing: keep what we had; the next stale check tries again.
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
