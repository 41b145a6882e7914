// Parses `berth gc [--dry-run] [--grace-period 24h] [--json] [--config F] [--data-dir D]`.
import { parseDurationSeconds } from '../../config/duration.ts';

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
  let help = false;
  let dryRun = false;
  let json = false;
  let gracePeriodSeconds: number | undefined;
  let configFile: string | undefined;
  const configFlags: Record<string, string> = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const inline = equals > 0 ? arg.slice(equals + 1) : undefined;
    const value = (): string => {
      const given = inline ?? argv[++index];
      if (given === undefined || (inline === undefined && given.startsWith('--'))) throw new GcUsageError(`${name} needs a value`);
      return given;
    };
    if (name === '--help' || name === '-h') help = true;
    else if (name === '--dry-run' && inline === undefined) dryRun = true;
    else if (name === '--json' && inline === undefined) json = true;
    else if (name === '--grace-period') {
      const text = value();
      gracePeriodSeconds = parseDurationSeconds(text);
      if (gracePeriodSeconds === undefined) throw new GcUsageError(`--grace-period must be a duration such as 24h, 30m or 0s, got "${text}"`);
    } else if (name === '--config') configFile = value();
    else if (name === '--data-dir') configFlags.dataDir = value();
    else throw new GcUsageError(`unexpected argument ${arg}`);
  }
  return { help, dryRun, json, configFlags, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}), ...(configFile !== undefined ? { configFile } : {}) };
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
