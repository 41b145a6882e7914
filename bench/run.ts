// `npm run bench`: Berth against CNCF Distribution on this machine, same run,
// alternating A B A B within each scenario. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { dirname, join } from 'node:path';
import { HELP, loadConfig, type BenchConfig } from './lib/config.ts';
import { Monitor } from './lib/monitor.ts';
import { S3Backend } from './lib/s3-backend.ts';
import { RegistryClient } from './lib/registry.ts';
import { Recorder, resultsTable, type SideKey } from './lib/results.ts';
import { SCENARIOS, type Ctx, type Scenario, type Side } from './lib/scenarios.ts';
import { DISTRIBUTION_BIN, distributionVersion, startServer, type ServerHandle, type ServerKind } from './lib/servers.ts';
import { WRK_BIN } from './lib/wrk.ts';
import { berthMain, projectRoot } from '../test/helpers/berth-process.ts';
import { CEPH_TOOLS } from '../test/helpers/ceph-rgw.ts';
import { missingTools } from '../test/helpers/clients/process.ts';
import { postgresMissing } from '../test/helpers/postgres.ts';

const NAMES: Record<ServerKind, string> = { berth: 'Berth', distribution: 'Distribution' };

function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stdout.write(`${t} ${msg}\n`);
}

function preflight(cfg: BenchConfig): void {
  const problems: string[] = [];
  const kinds = new Set([cfg.sideA, cfg.sideB]);
  if (kinds.has('distribution') && !existsSync(DISTRIBUTION_BIN)) problems.push(`Distribution not found at ${DISTRIBUTION_BIN} (BENCH_DISTRIBUTION_BIN)`);
  if (kinds.has('berth') && !existsSync(berthMain)) problems.push(`Berth entry point not found at ${berthMain}`);
  if (cfg.only.has('read') && !existsSync(WRK_BIN)) problems.push(`wrk not found at ${WRK_BIN} (BENCH_WRK_BIN)`);
  if (!existsSync('/proc/self/status')) problems.push('needs Linux /proc for RSS and CPU sampling');
  if (cfg.backend === 's3') {
    const missing = missingTools(...CEPH_TOOLS);
    if (missing.length) problems.push(`--backend=s3 needs Ceph (missing ${missing.join(', ')}; Debian: ceph-mon ceph-osd radosgw ceph-common)`);
    const noPostgres = postgresMissing();
    if (noPostgres) problems.push(`--backend=s3 needs PostgreSQL: ${noPostgres}`);
  }
  if (problems.length) throw new Error(`cannot run the benchmark:\n  ${problems.join('\n  ')}`);
}

/** Versions of the s3 backend's Ceph and PostgreSQL, for the report. */
async function storeVersionsOf(): Promise<{ ceph: string; postgres: string }> {
  const first = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim().split('\n')[0]! : 'unknown';
  };
  return { ceph: first('radosgw', ['--version']), postgres: await backend!.postgresVersion() };
}

function berthCommit(): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const live = new Set<ServerHandle>();
let backend: S3Backend | undefined;

async function stopAll(): Promise<void> {
  await Promise.allSettled([...live].map((s) => s.stop()));
  live.clear();
  await backend?.stop();
  backend = undefined;
}

async function runScenario(
  scenario: Scenario,
  cfg: BenchConfig,
  runRoot: string,
  labels: Record<SideKey, string>,
  ctxBase: Omit<Ctx, 'log'>,
): Promise<void> {
  // A Berth-only scenario runs on whichever side is Berth (side A if neither is).
  const keys: SideKey[] = scenario.berthOnly ? [cfg.sideB === 'berth' && cfg.sideA !== 'berth' ? 'B' : 'A'] : ['A', 'B'];
  const kinds: Record<SideKey, ServerKind> = { A: cfg.sideA, B: cfg.sideB };
  const pairs = scenario.pairs(cfg);
  log(`== ${scenario.id}: ${scenario.title} (${pairs} ${scenario.berthOnly ? 'run' : 'pair'}${pairs === 1 ? '' : 's'})`);
  const sides: Side[] = [];
  const storage = await backend?.scenario(scenario.id);
  try {
    for (const key of keys) {
      const server = await startServer(kinds[key], join(runRoot, scenario.id, key), cfg.keepData, cfg.berthArgs, storage?.forServer(kinds[key]));
      live.add(server);
      const client = new RegistryClient(server.url, {
        headers: (server.authorization ?? cfg.authorization) ? { authorization: server.authorization ?? cfg.authorization } : {},
      });
      sides.push({ key, kind: kinds[key], label: labels[key], server, client });
      log(`${labels[key]} listening on ${server.url} (pid ${server.pid})`);
    }
    let prefix = '';
    const run = scenario.create({ ...ctxBase, ...(storage ? { storage } : {}), log: (m) => log(`  [${scenario.id}]${prefix} ${m}`) });
    for (const side of sides) await run.setup?.(side);
    for (let pair = 0; pair < pairs; pair++) {
      prefix = ` ${pair + 1}/${pairs}`;
      for (const side of sides) {
        await run.iteration(side, pair);
        // Untimed: what the run deleted (staging, parts) leaves the OSD before the next one.
        if (scenario.bulk) await backend?.collectGarbage();
      }
    }
  } finally {
    for (const side of sides) {
      side.client.close();
      await side.server.stop();
      live.delete(side.server);
      // Surface server warnings and errors (pino levels >= 40, logrus warning/error).
      const complaints = side.server.logs.filter((l) => /"level":\s*"?([4-6]\d|warn|error|fatal)|level=(warning|error|fatal|panic)/i.test(l));
      if (complaints.length) {
        log(`  ${side.label} logged ${complaints.length} warning/error line(s), last ones:\n    ${complaints.slice(-5).join('\n    ')}`);
      }
    }
    // The objects go whatever BENCH_KEEP_DATA says: the cluster is removed at the end anyway.
    // A failure here is logged, not thrown, so it cannot hide the scenario's own error.
    if (storage) {
      await backend!.releaseScenario(scenario.id).catch((err: unknown) => {
        log(`  could not release the scenario's objects: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  }
}

async function main(): Promise<number> {
  const cfg = loadConfig(process.argv.slice(2));
  if (cfg === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  preflight(cfg);
  const labels: Record<SideKey, string> =
    cfg.sideA === cfg.sideB
      ? { A: `A ${NAMES[cfg.sideA]}`, B: `B ${NAMES[cfg.sideB]}` }
      : { A: NAMES[cfg.sideA], B: NAMES[cfg.sideB] };
  const rec = new Recorder({ A: cfg.sideA, B: cfg.sideB });
  await mkdir(cfg.tmpRoot, { recursive: true });
  const runRoot = await mkdtemp(join(cfg.tmpRoot, 'berth-bench-'));
  const started = new Date();
  const errors: Array<{ scenario: string; error: string }> = [];

  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping servers`);
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const load = loadavg()[0]!;
  if (load > 0.5) log(`WARNING: load average is ${load.toFixed(2)} before starting: other work on this machine will skew the figures`);
  if (cfg.backend === 's3') {
    log(`starting Ceph RGW (${(cfg.osdBytes / 2 ** 30).toFixed(0)} GiB sparse OSD) and PostgreSQL`);
    backend = await S3Backend.start({ osdBytes: cfg.osdBytes, berthRedirect: cfg.berthRedirect });
    log(`storage: ${backend.describe()}`);
  }
  const monitor = new Monitor(50, backend?.daemons() ?? []);
  log(
    `bench ${cfg.quick ? '(quick) ' : ''}A=${labels.A} B=${labels.B}; backend ${cfg.backend}; data under ${runRoot}; ` +
      `pairs ${cfg.pairs} (fast) / ${cfg.bigPairs} (big); scenarios ${[...cfg.only].join(',')}`,
  );
  const ctxBase: Omit<Ctx, 'log'> = {
    cfg,
    rec,
    async measure(side, fn) {
      if (cfg.syncBetweenRuns) spawnSync('sync'); // flush earlier runs' dirty pages first
      const { result, usage } = await monitor.watch(side.server.pid, async () => {
        const t0 = performance.now();
        const value = await fn();
        return { value, seconds: (performance.now() - t0) / 1000 };
      });
      return { result: result.value, seconds: result.seconds, usage };
    },
  };

  for (const scenario of SCENARIOS) {
    if (!cfg.only.has(scenario.id)) continue;
    if (scenario.enabled && !scenario.enabled(cfg)) {
      log(`== ${scenario.id}: skipped`);
      continue;
    }
    try {
      await runScenario(scenario, cfg, runRoot, labels, ctxBase);
    } catch (err) {
      const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
      errors.push({ scenario: scenario.id, error: msg });
      log(`!! ${scenario.id} failed: ${msg}`);
    }
  }
  await monitor.close();
  const storeVersions = backend ? await storeVersionsOf() : undefined;
  if (backend) {
    log('stopping Ceph RGW and PostgreSQL');
    await backend.stop();
    backend = undefined;
  }
  if (!cfg.keepData) await rm(runRoot, { recursive: true, force: true });

  const results = rec.results();
  process.stdout.write(`\nResults (A = ${labels.A}, B = ${labels.B}; ratio = A/B; medians over pairs; MB = 10^6 bytes)\n`);
  process.stdout.write(`Peak RSS: highest server RSS sampled during any run; CPU s/run: median server CPU seconds per measured run.\n`);
  if (cfg.backend === 's3') {
    process.stdout.write(`Backend s3: both on one Ceph RGW, Berth's metadata in PostgreSQL; Store CPU: ceph-mon + ceph-osd + radosgw + postgres CPU seconds per run.\n`);
  }
  process.stdout.write('\n');
  process.stdout.write(`${resultsTable(results, labels)}\n`);
  if (errors.length) {
    process.stdout.write(`\n${errors.length} scenario(s) failed:\n`);
    for (const e of errors) process.stdout.write(`  ${e.scenario}: ${e.error.split('\n')[0]}\n`);
  }

  const report = {
    meta: {
      started: started.toISOString(),
      finished: new Date().toISOString(),
      node: process.version,
      kernel: release(),
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtStart: load,
      loadAverageAtEnd: loadavg()[0],
      distribution: await distributionVersion(),
      backend: cfg.backend,
      ...(storeVersions ? { store: storeVersions } : {}),
      berthCommit: berthCommit(),
      sides: { A: cfg.sideA, B: cfg.sideB },
      labels,
    },
    config: { ...cfg, only: [...cfg.only], authorization: cfg.authorization ? '(set)' : undefined },
    metrics: results,
    errors,
  };
  await mkdir(dirname(cfg.resultsPath), { recursive: true });
  await writeFile(cfg.resultsPath, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nWrote ${cfg.resultsPath}\n`);
  return errors.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    await stopAll();
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
