// Splits `berth usage [--month YYYY-MM] [--format table|json|csv] [--config F] [--data-dir D]`.
import { isMonth } from '../../usage/utc-day.ts';
import { readCommandOptions } from '../command-options.ts';

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
  const options = readCommandOptions(argv, { month: { type: 'string' }, format: { type: 'string' } }, (message) => new UsageArgsError(message));
  const month = options.values.month as string | undefined;
  if (month !== undefined && !isMonth(month)) throw new UsageArgsError(`--month must be a month such as 2026-11, got "${month}"`);
  const format = (options.values.format as string | undefined) ?? 'table';
  if (!FORMATS.includes(format)) throw new UsageArgsError(`--format must be table, json or csv, got "${format}"`);
  return {
    help: options.help,
    format: format as ReportFormat,
    configFlags: options.configFlags,
    ...(month !== undefined ? { month } : {}),
    ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
  };
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
