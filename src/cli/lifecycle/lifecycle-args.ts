// Splits `berth lifecycle <run|log> [options]` into the subcommand, its options and the
// settings that find the deployment (--config, --data-dir, as for `berth serve`).

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

const VALUE_OPTIONS: Readonly<Record<LifecycleSubcommand, readonly string[]>> = {
  run: ['--repository', '--config', '--data-dir'],
  log: ['--repository', '--limit', '--config', '--data-dir'],
};

export function parseLifecycleArgs(argv: readonly string[]): LifecycleArgs {
  let command: LifecycleSubcommand | undefined;
  let help = false;
  let dryRun = false;
  const values: Record<string, string> = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    if (name === '--help' || name === '-h') {
      help = true;
    } else if (name === '--dry-run') {
      if (command !== 'run') throw new LifecycleUsageError(`${command ?? 'berth lifecycle'} does not take --dry-run`);
      dryRun = true;
    } else if (name.startsWith('-')) {
      if (command === undefined || !VALUE_OPTIONS[command].includes(name)) throw new LifecycleUsageError(`${command ?? 'berth lifecycle'} does not take ${name}`);
      const value = equals > 0 ? arg.slice(equals + 1) : argv[++index];
      if (value === undefined || (equals < 0 && value.startsWith('--'))) throw new LifecycleUsageError(`${name} needs a value`);
      values[name] = value;
    } else if (command === undefined && (name === 'run' || name === 'log')) {
      command = name;
    } else {
      throw new LifecycleUsageError(command === undefined ? `unknown command "${arg}"` : `unexpected argument ${arg}`);
    }
  }
  const limitText = values['--limit'];
  if (limitText !== undefined && !/^[1-9]\d{0,5}$/.test(limitText)) throw new LifecycleUsageError(`--limit must be a whole number from 1 to 999999, got "${limitText}"`);
  return {
    help,
    dryRun,
    configFlags: values['--data-dir'] !== undefined ? { dataDir: values['--data-dir'] } : {},
    ...(command !== undefined ? { command } : {}),
    ...(values['--config'] !== undefined ? { configFile: values['--config'] } : {}),
    ...(values['--repository'] !== undefined ? { repository: values['--repository'] } : {}),
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
