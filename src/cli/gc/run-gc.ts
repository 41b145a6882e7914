// `berth gc`: finds the deployment as `berth serve` would (--config, --data-dir,
// BERTH_* variables), opens its two stores beside any running server, takes the run
// lease (waiting for a collector that just died to lose it), collects, and prints the
// summary. Exit status: 0 done, 1 another collector kept running or the run stopped
// early, 2 usage or configuration.
import { ConfigError, loadConfig } from '../../config/config.ts';
import { collectGarbage } from '../../gc/collector.ts';
import type { GcSummary } from '../../gc/gc-plan.ts';
import { RUN_LEASE_TTL_MS, waitForRunLease, type RunLease } from '../../gc/run-lease.ts';
import { openStores } from '../../server/app.ts';
import { GC_HELP, GcUsageError, parseGcArgs } from './gc-args.ts';
import { progressPrinter, summaryText } from './gc-report.ts';

export interface GcIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stderrIsTty: boolean;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

export async function runGc(argv: readonly string[], io: GcIo): Promise<number> {
  let args;
  let config;
  try {
    args = parseGcArgs(argv);
    if (args.help) {
      io.stdout(GC_HELP);
      return 0;
    }
    config = loadConfig({ ...(args.configFile !== undefined ? { file: args.configFile } : {}), env: io.env, flags: args.configFlags, cwd: io.cwd });
  } catch (error) {
    if (error instanceof GcUsageError) {
      io.stderr(`berth gc: ${error.message} (see berth gc --help)\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`berth gc: configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const gracePeriodSeconds = args.gracePeriodSeconds ?? config.gc.gracePeriodSeconds;
  const stores = await openStores(config);
  let lease: RunLease | undefined;
  try {
    // A dry run changes nothing and needs no lease.
    if (!args.dryRun) {
      lease = await waitForRunLease(stores.metadata.leases, RUN_LEASE_TTL_MS + 5_000, () =>
        io.stderr(`berth gc: another collector is running (or died less than ${RUN_LEASE_TTL_MS / 1000} s ago); waiting for it\n`),
      );
      if (!lease) {
        io.stderr('berth gc: another collector is still running; try again later\n');
        return 1;
      }
    }
    const progress = progressPrinter(io.stderr, io.stderrIsTty);
    let summary: GcSummary;
    try {
      summary = await collectGarbage({
        metadata: stores.metadata,
        blobs: stores.blobs,
        gracePeriodSeconds,
        dryRun: args.dryRun,
        ...(lease ? { mayDelete: lease.stillHeld } : {}),
        onProgress: progress.update,
      });
    } finally {
      progress.done();
    }
    io.stdout(args.json ? `${JSON.stringify(summary)}\n` : summaryText(summary));
    return summary.stoppedEarly === undefined ? 0 : 1;
  } finally {
    await lease?.release().catch(() => undefined);
    await stores.close();
  }
}
