// Splits `berth lifecycle <run|log> [options]` into the subcommand, its options and the
// settings that find the deployment (--config, --data-dir, as for `berth serve`).
import { readCommandOptions } from '../command-options.ts';

export class LifecycleUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LifecycleUsageError';
  }
}

export type LifecycleSubcommand = 'run' | 'log';

export interface LifecycleArgs {
  /** Undefined for a bare `berth lifecycle` or `berth lifecycle --help`. */
  readonly command?: LifecycleSubcommand;
  readonly help: boolean;
  readonly configFile?: string;
  /** Config key path → value, as loadConfig takes flags. */
  readonly configFlags: Record<string, string>;
  readonly repository?: string;
  readonly dryRun: boolean;
  /** `log`: at most this many entries. */
  readonly limit?: number;
}

/** The options each subcommand takes besides --config, --data-dir and --help. */
const SUBCOMMAND_OPTIONS: Readonly<Record<LifecycleSubcommand, readonly string[]>> = {
  run: ['repository', 'dry-run'],
  log: ['repository', 'limit'],
};

export function parseLifecycleArgs(argv: readonly string[]): LifecycleArgs {
  const options = readCommandOptions(
    argv,
    { repository: { type: 'string' }, 'dry-run': { type: 'boolean' }, limit: { type: 'string' } },
    (message) => new LifecycleUsageError(message),
    true,
  );
  const [first, extra] = options.positionals;
  const command = first === 'run' || first === 'log' ? first : undefined;
  if (first !== undefined && command === undefined) throw new LifecycleUsageError(`unknown command "${first}"`);
  if (extra !== undefined) throw new LifecycleUsageError(`unexpected argument ${extra}`);
  for (const name of ['repository', 'dry-run', 'limit']) {
    if (options.values[name] !== undefined && (command === undefined || !SUBCOMMAND_OPTIONS[command].includes(name))) {
      throw new LifecycleUsageError(`${command ?? 'berth lifecycle'} does not take --${name}`);
    }
  }
  const limitText = options.values.limit as string | undefined;
  if (limitText !== undefined && !/^[1-9]\d{0,5}$/.test(limitText)) throw new LifecycleUsageError(`--limit must be a whole number from 1 to 999999, got "${limitText}"`);
  const repository = options.values.repository as string | undefined;
  return {
    help: options.help,
    dryRun: options.values['dry-run'] === true,
    configFlags: options.configFlags,
    ...(command !== undefined ? { command } : {}),
    ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
    ...(repository !== undefined ? { repository } : {}),
    ...(limitText !== undefined ? { limit: Number(limitText) } : {}),
  };
}

export const LIFECYCLE_HELP = `Usage: berth lifecycle run [--repository NAME] [--dry-run] [--config FILE] [--data-dir DIR]
       berth lifecycle log [--repository NAME] [--limit N] [--config FILE] [--data-dir DIR]

Runs lifecycle policies now, as the server's schedule does (lifecycle.interval), on the
deployment \`berth serve\` uses; safe beside a running server.

  run                 evaluate every repository's policy (or one) and expire what it selects,
                      printing each image with its rule and a summary line
    --repository NAME only this repository (it must have a policy)
    --dry-run         print what would expire; change nothing
  log                 print the audit log of expired images, newest first
    --repository NAME only this repository's
    --limit N         at most N entries (default 100)
  --config FILE       the YAML configuration \`berth serve\` uses (BERTH_CONFIG)
  --data-dir DIR      the data directory (BERTH_DATA_DIR, default ./data)

Exit status: 0 done, 1 refused (no policy, a policy that does not parse), 2 usage.
`;
