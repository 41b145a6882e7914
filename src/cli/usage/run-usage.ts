// `berth usage`: finds the deployment as `berth serve` would (--config, --data-dir,
// BERTH_* variables), opens its stores beside any running server (it only reads),
// and prints the month's usage report. Exit status: 0 printed, 2 usage or configuration.
import { ConfigError, loadConfig } from '../../config/config.ts';
import { openStores } from '../../server/app.ts';
import { buildUsageReport } from '../../usage/usage-report.ts';
import { firstDayOf, lastDayOf, utcDay, utcMonth } from '../../usage/utc-day.ts';
import { parseUsageArgs, USAGE_HELP, UsageArgsError } from './usage-args.ts';
import { formatReport } from './usage-format.ts';

export interface UsageIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly now?: () => Date;
}

export async function runUsage(argv: readonly string[], io: UsageIo): Promise<number> {
  try {
    const args = parseUsageArgs(argv);
    if (args.help) {
      io.stdout(USAGE_HELP);
      return 0;
    }
    const config = loadConfig({ ...(args.configFile !== undefined ? { file: args.configFile } : {}), env: io.env, flags: args.configFlags, cwd: io.cwd });
    const now = (io.now ?? (() => new Date()))();
    const today = utcDay(now);
    const thisMonth = utcMonth(now);
    const month = args.month ?? thisMonth;
    const stores = await openStores(config);
    try {
      const usage = stores.metadata.usage;
      const [traffic, snapshots] = await Promise.all([usage.traffic(firstDayOf(month), lastDayOf(month)), usage.storageSnapshots(firstDayOf(month), lastDayOf(month))]);
      // The current month's today is observed live: before the first snapshot it still has a figure.
      const live = month === thisMonth ? await usage.storedBytes() : undefined;
      const report = buildUsageReport({ month, today, traffic, snapshots, ...(live ? { live } : {}), prices: config.usage.prices });
      io.stdout(formatReport(report, args.format));
      return 0;
    } finally {
      await stores.close();
    }
  } catch (error) {
    if (error instanceof UsageArgsError) {
      io.stderr(`berth usage: ${error.message} (see berth usage --help)\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`berth usage: configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
