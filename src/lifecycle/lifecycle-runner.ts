// A lifecycle run: evaluates one repository's policy (or every repository that has
// one), expires what the evaluator says through the store's conditional expire step
// (which writes the audit row in the same transaction), records lastEvaluatedAt, and
// returns a summary. The schedule in the server and `berth lifecycle run` both call
// runLifecycle. Metrics are the caller's: this module only returns and logs counts.
import type { Logger } from 'pino';
import type { ExpireOutcome, LifecycleStore } from '../storage/meta/lifecycle-store.ts';
import { evaluateRepository, referrersIn } from './lifecycle-evaluation.ts';
import { LifecyclePolicyError, parseLifecyclePolicy } from './lifecycle-policy-grammar.ts';
import type { LifecycleExpiry } from './lifecycle-types.ts';

/** Repositories with a policy read at a time. */
const POLICY_PAGE = 100;

export interface LifecycleRunOptions {
  /** Evaluate this repository only (it must have a policy). */
  readonly repository?: string;
  /** Evaluate and report, expire nothing, record nothing. */
  readonly dryRun?: boolean;
  /** Scheduled runs: skip repositories evaluated after this time. */
  readonly dueBefore?: Date;
  readonly now?: () => Date;
  readonly log?: Pick<Logger, 'info' | 'warn'>;
  /** Told about each image as it is expired (or, in a dry run, would be). */
  readonly onExpired?: (repository: string, expiry: LifecycleExpiry) => void;
}

/** An image the evaluation expired that the run left alone because the repository changed meanwhile. */
export interface KeptImage {
  readonly expiry: LifecycleExpiry;
  readonly outcome: Exclude<ExpireOutcome, 'expired'>;
}

export interface RepositoryRun {
  readonly repository: string;
  /** Expired (or in a dry run, would be), in the order it happened. */
  readonly expired: readonly LifecycleExpiry[];
  readonly kept: readonly KeptImage[];
  /** Why the policy could not be evaluated (it does not parse), if so. */
  readonly error?: string;
}

export interface LifecycleRunSummary {
  readonly dryRun: boolean;
  readonly repositoriesEvaluated: number;
  readonly imagesExpired: number;
  /** rulePriority → images it expired (carried images count for the rule that carried them). */
  readonly expiredByRule: Readonly<Record<string, number>>;
  readonly imagesKept: number;
  readonly repositoriesFailed: number;
  readonly durationMs: number;
  readonly repositories: readonly RepositoryRun[];
}

/** Asked to run the policy of a repository that has none (or does not exist). */
export class NoLifecyclePolicyError extends Error {
  readonly repository: string;
  constructor(repository: string) {
    super(`the repository '${repository}' has no lifecycle policy`);
    this.name = 'NoLifecyclePolicyError';
    this.repository = repository;
  }
}

export async function runLifecycle(store: LifecycleStore, options: LifecycleRunOptions = {}): Promise<LifecycleRunSummary> {
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const runs: RepositoryRun[] = [];
  for await (const policy of policiesToRun(store, options)) {
    if (options.dueBefore && policy.lastEvaluatedAt && policy.lastEvaluatedAt > options.dueBefore) continue;
    runs.push(await runRepository(store, policy.repository, policy.text, now(), options));
  }
  const summary = summarize(runs, options.dryRun ?? false, Date.now() - started);
  if (summary.repositoriesEvaluated > 0) {
    const { repositories: _each, ...counts } = summary;
    options.log?.info({ lifecycle: counts }, options.dryRun ? 'lifecycle dry run' : 'lifecycle run');
  }
  return summary;
}

async function* policiesToRun(store: LifecycleStore, options: LifecycleRunOptions) {
  if (options.repository !== undefined) {
    const policy = await store.getPolicy(options.repository);
    if (!policy) throw new NoLifecyclePolicyError(options.repository);
    yield policy;
    return;
  }
  for (let after: string | undefined; ; ) {
    const page = await store.listPolicies({ limit: POLICY_PAGE, ...(after !== undefined ? { after } : {}) });
    yield* page;
    if (page.length < POLICY_PAGE) return;
    after = page[page.length - 1]!.repository;
  }
}

async function runRepository(store: LifecycleStore, repository: string, text: string, at: Date, options: LifecycleRunOptions): Promise<RepositoryRun> {
  let policy;
  try {
    policy = parseLifecyclePolicy(text);
  } catch (error) {
    if (!(error instanceof LifecyclePolicyError)) throw error;
    // Stored before this grammar checked it (a template's policy from an older Berth): it
    // cannot run; it counts as evaluated so the schedule does not retry it every pass.
    options.log?.warn({ repository, reason: error.reason }, 'lifecycle policy does not parse; nothing expired');
    if (!options.dryRun) await store.markEvaluated(repository, at);
    return { repository, expired: [], kept: [], error: error.reason };
  }
  const evaluation = await evaluateRepository(store, repository, policy, at);
  if (options.dryRun) {
    for (const expiry of evaluation.expiries) options.onExpired?.(repository, expiry);
    return { repository, expired: evaluation.expiries, kept: [] };
  }
  const referrersOf = referrersIn(evaluation.images);
  const expired: LifecycleExpiry[] = [];
  let pending = [...evaluation.expiries];
  const refused = new Map<string, Exclude<ExpireOutcome, 'expired'>>();
  // Normally one pass: the order puts every image after those it depends on. Another
  // pass only helps when an image was waiting for one that went later in the pass.
  while (pending.length > 0) {
    const waiting: LifecycleExpiry[] = [];
    for (const expiry of pending) {
      const outcome = await store.expire({
        repository,
        digest: expiry.digest,
        tags: expiry.tags,
        referrers: referrersOf(expiry.digest),
        rulePriority: expiry.rulePriority,
        reason: expiry.reason,
        ...(expiry.via !== undefined ? { via: expiry.via } : {}),
        at,
      });
      if (outcome === 'expired') {
        refused.delete(expiry.digest);
        expired.push(expiry);
        options.onExpired?.(repository, expiry);
      } else {
        refused.set(expiry.digest, outcome);
        if (outcome === 'listed-by-index' || outcome === 'carrier-present') waiting.push(expiry);
      }
    }
    if (waiting.length === pending.length || waiting.length === 0) break;
    pending = waiting;
  }
  await store.markEvaluated(repository, at);
  const kept = evaluation.expiries.filter((expiry) => refused.has(expiry.digest)).map((expiry) => ({ expiry, outcome: refused.get(expiry.digest)! }));
  if (kept.length > 0) options.log?.info({ repository, kept: kept.map((image) => ({ digest: image.expiry.digest, outcome: image.outcome })) }, 'lifecycle kept images that changed since the evaluation');
  return { repository, expired, kept };
}

function summarize(runs: readonly RepositoryRun[], dryRun: boolean, durationMs: number): LifecycleRunSummary {
  const expiredByRule: Record<string, number> = {};
  for (const run of runs) {
    for (const expiry of run.expired) expiredByRule[String(expiry.rulePriority)] = (expiredByRule[String(expiry.rulePriority)] ?? 0) + 1;
  }
  return {
    dryRun,
    repositoriesEvaluated: runs.length,
    imagesExpired: runs.reduce((total, run) => total + run.expired.length, 0),
    expiredByRule,
    imagesKept: runs.reduce((total, run) => total + run.kept.length, 0),
    repositoriesFailed: runs.filter((run) => run.error !== undefined).length,
    durationMs,
    repositories: runs,
  };
}
