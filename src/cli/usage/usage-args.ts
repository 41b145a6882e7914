// Splits `berth usage [--month YYYY-MM] [--format table|json|csv] [--config F] [--data-dir D]`.

export class UsageArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageArgsError';
  }
}

export type ReportFormat = 'table' | 'json' | 'csv';

export interface UsageArgs {
  readonly help: boolean;
  /** Undefined: the current month. */
  readonly month?: string;
  readonly format: ReportFormat;
  readonly configFile?: string;
  /** Config key path → value, as loadConfig takes flags. */
  readonly configFlags: Record<string, string>;
}

const FORMATS: readonly string[] = ['table', 'json', 'csv'];

export function parseUsageArgs(argv: readonly string[]): UsageArgs {
  let help = false;
  let month: string | undefined;
  let format: ReportFormat = 'table';
  let configFile: string | undefined;
  const configFlags: Record<string, string> = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    if (name === '--help' || name === '-h') {
      help = true;
      continue;
    }
    if (!['--month', '--format', '--config', '--data-dir'].includes(name)) throw new UsageArgsError(`unexpected argument ${arg}`);
    const value = equals > 0 ? arg.slice(equals + 1) : argv[++index];
    if (value === undefined || (equals < 0 && value.startsWith('--'))) throw new UsageArgsError(`${name} needs a value`);
    if (name === '--month') {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new UsageArgsError(`--month must be a month such as 2026-11, got "${value}"`);
      month = value;
    } else if (name === '--format') {
      if (!FORMATS.includes(value)) throw new UsageArgsError(`--format must be table, json or csv, got "${value}"`);
      format = value as ReportFormat;
    } else if (name === '--config') configFile = value;
    else configFlags.dataDir = value;
  }
  return { help, format, configFlags, ...(month !== undefined ? { month } : {}), ...(configFile !== undefined ? { configFile } : {}) };
}

export const USAGE_HELP = `Usage: berth usage [--month YYYY-MM] [--format table|json|csv] [--config FILE] [--data-dir DIR]

Prints a month's usage per repository and in total: stored bytes (now, and the month's
GB-months), bytes pushed and pulled, pushes and pulls, with cost estimates at the
configured prices (usage.prices.*; defaults: ECR's published prices). Safe while
servers run on the same stores; counts reach the store within usage.flushInterval
(10s by default). See docs/usage.md for what is metered and how.

Options:
  --month YYYY-MM    the month to report (UTC; default: the current month, to date)
  --format FORMAT    table (for people, the default), json or csv (for programs)
  --config FILE      the YAML configuration \`berth serve\` uses (BERTH_CONFIG)
  --data-dir DIR     the data directory (BERTH_DATA_DIR, default ./data)
  -h, --help         show this help

Exit status: 0 printed, 2 a usage or configuration mistake.
`;
