// Parses `berth gc [--dry-run] [--grace-period 24h] [--json] [--config F] [--data-dir D]`.
import { parseDurationSeconds } from '../../config/duration.ts';
import { readCommandOptions } from '../command-options.ts';

export class GcUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GcUsageError';
  }
}

export interface GcArgs {
  readonly help: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
  /** From --grace-period; undefined means the configuration's gc.gracePeriod. */
  readonly gracePeriodSeconds?: number;
  readonly configFile?: string;
  /** Config key path → value, as loadConfig takes flags. */
  readonly configFlags: Record<string, string>;
}

export function parseGcArgs(argv: readonly string[]): GcArgs {
  const options = readCommandOptions(
    argv,
    { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, 'grace-period': { type: 'string' } },
    (message) => new GcUsageError(message),
  );
  const graceText = options.values['grace-period'] as string | undefined;
  const gracePeriodSeconds = graceText === undefined ? undefined : parseDurationSeconds(graceText);
  if (graceText !== undefined && gracePeriodSeconds === undefined) {
    throw new GcUsageError(`--grace-period must be a duration such as 24h, 30m or 0s, got "${graceText}"`);
  }
  return {
    help: options.help,
    dryRun: options.values['dry-run'] === true,
    json: options.values.json === true,
    configFlags: options.configFlags,
    ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
  };
}

export const GC_HELP = `Usage: berth gc [--dry-run] [--grace-period DURATION] [--json] [--config FILE] [--data-dir DIR]

Deletes blobs that no manifest in any repository references and that nothing stored,
linked or asked about within the grace period, and bytes in the blob store that no
blob record owns. Safe while servers run on the same storage (docs/gc.md); only one
collector runs at a time (a server's scheduled run, or another berth gc).

Options:
  --dry-run               count what would be reclaimed, delete nothing
  --grace-period DURATION keep blobs used more recently than this (default gc.gracePeriod, 24h)
  --json                  print the summary as JSON
  --config FILE           the YAML configuration \`berth serve\` uses (BERTH_CONFIG)
  --data-dir DIR          the data directory (BERTH_DATA_DIR, default ./data)
  -h, --help              show this help

Exit status: 0 done, 1 another collector kept running or the run stopped early, 2 usage.
`;
