// `berth lifecycle run|log`: finds the deployment as `berth serve` would (--config,
// --data-dir, BERTH_* variables), opens its stores beside any running server, and runs
// the lifecycle policies or prints the audit log. Exit status: 0 done, 1 refused (a
// repository without a policy, a policy that does not parse), 2 usage.
import { ConfigError, loadConfig } from '../../config/config.ts';
import { NoLifecyclePolicyError, runLifecycle, type LifecycleRunSummary } from '../../lifecycle/lifecycle-runner.ts';
import type { LifecycleExpiry } from '../../lifecycle/lifecycle-types.ts';
import { openStores } from '../../server/app.ts';
import type { LifecycleExpirationRecord, LifecycleStore } from '../../storage/meta/lifecycle-store.ts';
import { LIFECYCLE_HELP, LifecycleUsageError, parseLifecycleArgs, type LifecycleArgs } from './lifecycle-args.ts';

const DEFAULT_LOG_LIMIT = 100;
const LOG_PAGE = 500;

export interface LifecycleIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

export async function runLifecycleCommand(argv: readonly string[], io: LifecycleIo): Promise<number> {
  let args: LifecycleArgs;
  try {
    args = parseLifecycleArgs(argv);
  } catch (error) {
    if (!(error instanceof LifecycleUsageError)) throw error;
    io.stderr(`berth lifecycle: ${error.message} (see berth lifecycle --help)\n`);
    return 2;
  }
  if (args.help || args.command === undefined) {
    (args.help ? io.stdout : io.stderr)(LIFECYCLE_HELP);
    return args.help ? 0 : 2;
  }
  let config;
  try {
    config = loadConfig({ ...(args.configFile !== undefined ? { file: args.configFile } : {}), env: io.env, flags: args.configFlags, cwd: io.cwd });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`berth lifecycle: configuration error: ${error.message}\n`);
    return 2;
  }
  const stores = await openStores(config);
  try {
    if (args.command === 'log') return await printLog(stores.metadata.lifecycle, args, io);
    const summary = await runLifecycle(stores.metadata.lifecycle, {
      ...(args.repository !== undefined ? { repository: args.repository } : {}),
      dryRun: args.dryRun,
      onExpired: (repository, expiry) => io.stdout(`${args.dryRun ? 'would expire' : 'expired'} ${describe(repository, expiry)}\n`),
    });
    for (const run of summary.repositories) {
      for (const kept of run.kept) io.stdout(`kept ${describe(run.repository, kept.expiry)}: ${KEPT_BECAUSE[kept.outcome]}\n`);
      if (run.error !== undefined) io.stderr(`berth lifecycle: the policy of ${run.repository} does not parse: ${run.error}\n`);
    }
    io.stdout(`${summaryLine(summary)}\n`);
    return summary.repositoriesFailed > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof NoLifecyclePolicyError)) throw error;
    io.stderr(`berth lifecycle: ${error.message}\n`);
    return 1;
  } finally {
    await stores.close();
  }
}

const KEPT_BECAUSE: Readonly<Record<string, string>> = {
  gone: 'already deleted',
  'tags-changed': 'its tags changed since the evaluation',
  'listed-by-index': 'an index lists it',
  'new-referrer': 'a new referrer refers to it',
  'carrier-present': 'the image it goes with was kept',
};

/** `repo@digest [tags] by rule N` plus what carried it along. */
function describe(repository: string, expiry: Pick<LifecycleExpiry, 'digest' | 'tags' | 'reason' | 'via'> & { rulePriority?: number }): string {
  const tags = expiry.tags.length > 0 ? ` [${expiry.tags.join(', ')}]` : ' (untagged)';
  const carried = expiry.reason === 'index-child' ? `, child of index ${expiry.via}` : expiry.reason === 'referrer' ? `, referrer of ${expiry.via}` : '';
  return `${repository}@${expiry.digest}${tags} by rule ${expiry.rulePriority ?? '?'}${carried}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function summaryLine(summary: LifecycleRunSummary): string {
  const rules = Object.entries(summary.expiredByRule)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([rule, count]) => `rule ${rule}: ${count}`);
  const parts = [
    plural(summary.repositoriesEvaluated, 'repository evaluated', 'repositories evaluated'),
    `${plural(summary.imagesExpired, 'image', 'images')} ${summary.dryRun ? 'would expire' : 'expired'}${rules.length > 0 ? ` (${rules.join(', ')})` : ''}`,
    ...(summary.imagesKept > 0 ? [`${plural(summary.imagesKept, 'image', 'images')} kept because the repository changed`] : []),
    ...(summary.repositoriesFailed > 0 ? [`${plural(summary.repositoriesFailed, 'policy', 'policies')} failed`] : []),
  ];
  return `lifecycle ${summary.dryRun ? 'dry run' : 'run'}: ${parts.join(', ')} in ${summary.durationMs} ms`;
}

async function printLog(store: LifecycleStore, args: LifecycleArgs, io: LifecycleIo): Promise<number> {
  const limit = args.limit ?? DEFAULT_LOG_LIMIT;
  const filter = args.repository !== undefined ? { repository: args.repository } : {};
  let before: number | undefined;
  for (let shown = 0; shown < limit; ) {
    const page = await store.expirations(filter, { limit: Math.min(LOG_PAGE, limit - shown), ...(before !== undefined ? { before } : {}) });
    for (const entry of page) io.stdout(`${logLine(entry)}\n`);
    shown += page.length;
    if (page.length < Math.min(LOG_PAGE, limit)) break;
    before = page[page.length - 1]!.id;
  }
  return 0;
}

export function logLine(entry: LifecycleExpirationRecord): string {
  return `${entry.expiredAt.toISOString()}  expired ${describe(entry.repository, entry)}`;
}
