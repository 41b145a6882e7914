// What Prometheus metrics cost on the hottest path: manifest GETs per second from two
// Berth servers that differ only in metrics.enabled (BERTH_METRICS), measured with wrk
// in alternating pairs (A B A B …) so drifts in machine load hit both. Both meter usage
// (that is not switchable); the difference is the per-request observation. Besides
// requests per second (which other load on the machine moves a lot) it reports the
// server's CPU time per request from /proc, which such load moves much less.
//
//   npx node bench/metrics-overhead.ts            5 pairs of 5 s at 16 connections
//   BENCH_PAIRS=3 BENCH_WRK_DURATION=3 BENCH_CONNECTIONS=64 npx node bench/metrics-overhead.ts
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OCI_CONFIG, OCI_MANIFEST, RegistryClient } from './lib/registry.ts';
import { startBerth, type ServerHandle } from './lib/servers.ts';
import { runWrk, type WrkResult } from './lib/wrk.ts';
import { clockTicksPerSecond, cpuTicks } from './lib/proc.ts';

const pairs = Number(process.env.BENCH_PAIRS ?? 5);
const durationS = Number(process.env.BENCH_WRK_DURATION ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);

async function startWith(metrics: boolean, root: string): Promise<ServerHandle> {
  const before = process.env.BERTH_METRICS;
  process.env.BERTH_METRICS = String(metrics);
  try {
    return await startBerth(await mkdtemp(join(root, metrics ? 'on-' : 'off-')));
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const root = await mkdtemp(join(tmpdir(), 'berth-metrics-bench-'));
const servers = { on: await startWith(true, root), off: await startWith(false, root) };
try {
  for (const server of Object.values(servers)) await pushImage(server);
  const run = (server: ServerHandle, seconds: number) =>
    runWrk({
      url: `${server.url}/v2/bench/manifest/manifests/latest`,
      connections,
      threads: 1,
      durationS: seconds,
      headers: { Authorization: server.authorization!, Accept: OCI_MANIFEST },
    });
  await run(servers.on, 1);
  await run(servers.off, 1);
  const results: { on: WrkResult[]; off: WrkResult[] } = { on: [], off: [] };
  const cpu: { on: number[]; off: number[] } = { on: [], off: [] };
  const measured = async (side: 'on' | 'off') => {
    const before = cpuTicks(servers[side].pid);
    const result = await run(servers[side], durationS);
    // Microseconds of server CPU (user + system) per request answered.
    cpu[side].push((((cpuTicks(servers[side].pid) - before) / clockTicksPerSecond()) * 1e6) / result.requests);
    results[side].push(result);
  };
  for (let pair = 0; pair < pairs; pair++) {
    await measured('on');
    await measured('off');
  }
  const ratios = results.on.map((on, index) => on.rps / results.off[index]!.rps);
  const summary = {
    connections,
    pairs,
    durationS,
    metricsOn: { rps: median(results.on.map((r) => r.rps)), p99Ms: median(results.on.map((r) => r.p99Ms)), cpuUsPerRequest: median(cpu.on), errors: results.on.reduce((n, r) => n + r.errors, 0) },
    metricsOff: { rps: median(results.off.map((r) => r.rps)), p99Ms: median(results.off.map((r) => r.p99Ms)), cpuUsPerRequest: median(cpu.off), errors: results.off.reduce((n, r) => n + r.errors, 0) },
    rpsRatioOnOff: { median: median(ratios), each: ratios.map((ratio) => Math.round(ratio * 1000) / 1000) },
    cpuRatioOnOff: { median: median(cpu.on.map((on, index) => on / cpu.off[index]!)), each: cpu.on.map((on, index) => Math.round((on / cpu.off[index]!) * 1000) / 1000) },
  };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  await servers.on.stop();
  await servers.off.stop();
  await rm(root, { recursive: true, force: true });
}
