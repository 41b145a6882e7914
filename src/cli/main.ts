// The `berth` command.
import { bannerText } from './banner.ts';
import type { NewCredentials } from '../auth/bootstrap.ts';
import { ConfigError, loadConfig, type Config } from '../config/config.ts';
import { BlobStoreUnavailableError } from '../storage/blob/blob-store.ts';
import { ServerKeyMismatchError } from '../auth/server-key-check.ts';
import { ServerKeyError } from '../auth/tokens/server-key.ts';
import { existsSync } from 'node:fs';
import { credentialsPath, prepareStores } from '../server/app.ts';
import type { Logger } from 'pino';
import { announceToPrimary, isClusterWorker, runsJobs, startPrimary } from '../server/cluster.ts';
import { createLogger, serve } from '../server/serve.ts';
import { guardProcess } from '../server/process-guard.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { parseArgs } from './args.ts';
import { runAdmin } from './admin/run-admin.ts';
import { runLifecycleCommand } from './lifecycle/run-lifecycle-command.ts';
import { runGc } from './gc/run-gc.ts';
import { runUsage } from './usage/run-usage.ts';

const HELP = `Usage: berth serve [options]
       berth admin <command> [options]              manage IAM users and keys (see berth admin --help)
       berth lifecycle <run|log> [options]          run lifecycle policies now, or show what they expired (see berth lifecycle --help)
       berth gc [--dry-run] [--grace-period 24h]    delete unreferenced blobs, beside a running server (see berth gc --help)
       berth usage [--month YYYY-MM] [--format F]   usage and cost report per repository (see berth usage --help)

Runs the Berth container registry.

Options (each also settable in the YAML config file or as BERTH_* environment variables):
  --config FILE        YAML configuration file (BERTH_CONFIG)
  --host HOST          address to listen on (BERTH_HOST, default 127.0.0.1)
  --port PORT          port to listen on, 0 for any free port (BERTH_PORT, default 5000)
  --data-dir DIR       where blobs and metadata live (BERTH_DATA_DIR, default ./data)
  --log-level LEVEL    fatal, error, warn, info, debug, trace or silent (BERTH_LOG_LEVEL)
  --tls-cert FILE      serve HTTPS with this certificate (BERTH_TLS_CERT)
  --tls-key FILE       ... and this private key (BERTH_TLS_KEY)
  --tls-self-signed    serve HTTPS with a generated development certificate (BERTH_TLS_SELF_SIGNED)
  --workers N          processes serving the same port and data, for parallel pushes (BERTH_WORKERS, default 1)
  -h, --help           show this help
`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'admin') {
    return runAdmin(argv.slice(1), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), env: process.env, cwd: process.cwd() });
  }
  if (argv[0] === 'lifecycle') {
    return runLifecycleCommand(argv.slice(1), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), env: process.env, cwd: process.cwd() });
  }
  if (argv[0] === 'gc') {
    return runGc(argv.slice(1), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), stderrIsTty: process.stderr.isTTY === true, env: process.env, cwd: process.cwd() });
  }
  if (argv[0] === 'usage') {
    return runUsage(argv.slice(1), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), env: process.env, cwd: process.cwd() });
  }
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.command !== 'serve') {
    process.stderr.write(`berth: unknown command "${args.command}"\n\n${HELP}`);
    return 2;
  }
  const config = loadConfig({
    ...(args.configFile !== undefined ? { file: args.configFile } : {}),
    env: process.env,
    flags: args.flags,
    cwd: process.cwd(),
  });
  const log = createLogger(config);
  // Until the server runs there is nothing to drain: an uncaught exception then just exits.
  let stop: ((reason: string) => Promise<void>) | undefined;
  let metrics: Metrics | undefined;
  guardProcess({
    log,
    record: (kind) => metrics?.recordProcessError(kind),
    drain: (reason) => stop?.(reason) ?? Promise.resolve(),
    // The server's own drain closes the last connections at shutdownTimeout; the stores close after.
    drainDeadlineMs: config.shutdownTimeoutSeconds * 1000 + 10_000,
  });
  const worker = isClusterWorker();
  const primary = config.workers > 1 && !worker;
  // A primary prepares the shared stores before forking; a single process does it while opening them.
  const prepared = primary ? await prepareStores(config) : undefined;
  const running = primary ? undefined : await serve(config, log, { runJobs: runsJobs(), announce: !worker, bootstrap: !worker });
  const server = running ?? (await startPrimary(config, log));
  stop = server.shutdown;
  metrics = running?.app.metrics;
  const newCredentials = prepared ?? running?.app.newCredentials;
  if (worker) announceToPrimary(server.url);
  else printBanner(server.url, config, newCredentials ? { ...newCredentials, path: credentialsPath(config) } : undefined, existsSync(credentialsPath(config)));
  await untilStopped(server.shutdown, log);
  // A worker's channel to its primary would keep the process alive.
  if (worker) process.disconnect?.();
  return 0;
}

/** Waits for SIGTERM or SIGINT, then shuts down gracefully; a second Ctrl-C exits at once. */
function untilStopped(shutdown: (reason: NodeJS.Signals) => Promise<void>, log: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second Ctrl-C means "now"; a repeated SIGTERM just waits for the drain.
        if (signal === 'SIGINT') process.exit(130);
        return;
      }
      stopping = true;
      void shutdown(signal).then(resolve, (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

function printBanner(url: string, config: Config, credentials: (NewCredentials & { path: string }) | undefined, credentialsFileHere: boolean): void {
  process.stderr.write(bannerText(url, config, credentials, { credentialsFileHere }));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof ConfigError) {
      process.stderr.write(`berth: configuration error: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof ServerKeyMismatchError || error instanceof ServerKeyError) {
      process.stderr.write(`berth: ${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof BlobStoreUnavailableError) {
      process.stderr.write(`berth: cannot open the blob store: ${error.message}\n`);
      process.exitCode = 1;
    } else if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      // Start-up problems a user can fix get one clear line, not a stack trace.
      const address = error as NodeJS.ErrnoException & { address?: string; port?: number };
      const what = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs more privileges' : 'is not an address of this machine';
      process.stderr.write(`berth: cannot listen on ${address.address ?? '?'}:${address.port ?? '?'}: it ${what} (choose another with --host/--port)\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`berth: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
