// What Prometheus metrics cost on the hottest path: manifest GETs per second from two
// Berth servers that differ only in metrics.enabled (BERTH_METRICS), measured with wrk.
// Both meter usage (that is not switchable); the difference is the per-request
// observation. Besides requests per second (which other load on the machine moves a
// lot) it reports the server's CPU time per request from /proc, which such load moves
// less.
//
// Every pair starts two fresh servers (in alternating order) and measures them in
// alternating order: on a small machine one server process can stay luckier than the
// other for its whole life (where the scheduler puts it beside wrk), which made fixed
// servers differ by several per cent with identical settings. BENCH_AA=1 gives both
// servers metrics off: the ratios then show the harness's own noise on this machine.
//
//   npx node bench/metrics-overhead.ts            8 pairs of 4 s at 16 connections
//   BENCH_PAIRS=4 BENCH_WRK_DURATION=3 BENCH_CONNECTIONS=64 npx node bench/metrics-overhead.ts
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OCI_CONFIG, OCI_MANIFEST, RegistryClient } from './lib/registry.ts';
import { startBerth, type ServerHandle } from './lib/servers.ts';
import { runWrk, type WrkResult } from './lib/wrk.ts';
import { clockTicksPerSecond, cpuTicks } from './lib/proc.ts';

const pairs = Number(process.env.BENCH_PAIRS ?? 8);
const durationS = Number(process.env.BENCH_WRK_DURATION ?? 4);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const aa = process.env.BENCH_AA === '1';

type Side = 'on' | 'off';

async function startWith(metrics: boolean, root: string): Promise<ServerHandle> {
  const before = process.env.BERTH_METRICS;
  process.env.BERTH_METRICS = String(metrics);
  try {
    const server = await startBerth(await mkdtemp(join(root, metrics ? 'on-' : 'off-')));
    await pushImage(server);
    return server;
  } finally {
    if (before === undefined) delete process.env.BERTH_METRICS;
    else process.env.BERTH_METRICS = before;
  }
}

async function pushImage(server: ServerHandle): Promise<void> {
  const client = new RegistryClient(server.url, { headers: { authorization: server.authorization! } });
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  await client.pushBuffer('bench/manifest', config, digest);
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest, size: config.length }, layers: [] };
  await client.putManifest('bench/manifest', 'latest', Buffer.from(JSON.stringify(manifest)));
  client.close();
}

const run = (server: ServerHandle, seconds: number) =>
  runWrk({
    url: `${server.url}/v2/bench/manifest/manifests/latest`,
    connections,
    threads: 1,
    durationS: seconds,
    headers: { Authorization: server.authorization!, Accept: OCI_MANIFEST },
  });

/** Requests/s and microseconds of server CPU (user + system) per request answered. */
async function measure(server: ServerHandle): Promise<WrkResult & { cpuUs: number }> {
  const before = cpuTicks(server.pid);
  const result = await run(server, durationS);
  return { ...result, cpuUs: (((cpuTicks(server.pid) - before) / clockTicksPerSecond()) * 1e6) / result.requests };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number) => Math.round(value * 1000) / 1000;

const root = await mkdtemp(join(tmpdir(), 'berth-metrics-bench-'));
const results: Record<Side, Array<WrkResult & { cpuUs: number }>> = { on: [], off: [] };
try {
  for (let pair = 0; pair < pairs; pair++) {
    const order: readonly Side[] = pair % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
    const servers = {} as Record<Side, ServerHandle>;
    for (const side of order) servers[side] = await startWith(side === 'on' && !aa, root);
    try {
      for (const side of order) await run(servers[side], 1); // warm-up
      for (const side of [...order].reverse()) results[side].push(await measure(servers[side]));
    } finally {
      for (const side of order) await servers[side].stop();
    }
  }
  const side = (name: Side) => ({
    rps: Math.round(median(results[name].map((r) => r.rps))),
    p99Ms: median(results[name].map((r) => r.p99Ms)),
    cpuUsPerRequest: round(median(results[name].map((r) => r.cpuUs))),
    errors: results[name].reduce((n, r) => n + r.errors, 0),
  });
  const rpsRatios = results.on.map((on, index) => on.rps / results.off[index]!.rps);
  const cpuRatios = results.on.map((on, index) => on.cpuUs / results.off[index]!.cpuUs);
  console.log(
    JSON.stringify(
      {
        ...(aa ? { note: 'BENCH_AA: both servers have metrics off' } : {}),
        connections,
        pairs,
        durationS,
        metricsOn: side('on'),
        metricsOff: side('off'),
        rpsRatioOnOff: { median: round(median(rpsRatios)), each: rpsRatios.map(round) },
        cpuRatioOnOff: { median: round(median(cpuRatios)), each: cpuRatios.map(round) },
      },
      null,
      2,
    ),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
