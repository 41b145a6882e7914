// The benchmark scenarios. Each one is run against both servers, alternating
// A then B within every pair, by run.ts.
import { randomBytes } from 'node:crypto';
import { makeBlob, smallBlob, type BlobSpec } from './data.ts';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, type RegistryClient } from './registry.ts';
import { runWrk, type WrkResult } from './wrk.ts';
import { runLoadgen } from './loadgen.ts';
import type { BenchConfig, ScenarioId } from './config.ts';
import type { Usage } from './monitor.ts';
import type { Recorder, SideKey } from './results.ts';
import type { ServerHandle, ServerKind } from './servers.ts';
import type { ScenarioStorage } from './s3-backend.ts';
import { gc } from './gc-scenario.ts';

export interface Side {
  key: SideKey;
  kind: ServerKind;
  label: string;
  server: ServerHandle;
  client: RegistryClient;
}

export interface Measured<T> {
  result: T;
  seconds: number;
  usage: Usage;
}

export interface Ctx {
  cfg: BenchConfig;
  rec: Recorder;
  /** Runs fn against one side's server, timing it and watching the server's RSS and CPU. */
  measure<T>(side: Side, fn: () => Promise<T>): Promise<Measured<T>>;
  log(msg: string): void;
  /** s3 backend: where this scenario's servers keep their blobs, for the store-alone baseline. */
  storage?: ScenarioStorage;
}

export interface ScenarioRun {
  setup?(side: Side): Promise<void>;
  iteration(side: Side, pair: number): Promise<void>;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Run against the Berth side only (no comparison). */
  berthOnly?: boolean;
  pairs(cfg: BenchConfig): number;
  enabled?(cfg: BenchConfig): boolean;
  /** Writes big blobs: on s3 the gateway's garbage is collected after each run (untimed). */
  bulk?: boolean;
  create(ctx: Ctx): ScenarioRun;
}

const MiB = 1024 * 1024;

export function sizeLabel(bytes: number): string {
  if (bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)} GiB`;
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

/** Throughput in MB/s (10^6 bytes per second). */
export function mbps(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}

function daemonNote(u: Usage): string {
  if (!u.daemonCpuS) return '';
  return `; store CPU ${Object.entries(u.daemonCpuS)
    .map(([name, cpu]) => `${name} ${cpu.toFixed(2)}`)
    .join(', ')} s`;
}

function usageNote(u: Usage): string {
  return `server CPU ${u.serverCpuS.toFixed(2)} s (user ${u.serverUserS.toFixed(2)}, sys ${u.serverSystemS.toFixed(2)}), RSS peak ${u.rssPeakMiB.toFixed(0)} MiB (start ${u.rssStartMiB.toFixed(0)}), client CPU ${u.clientCpuS.toFixed(2)} s${u.toolCpuS > 0 ? `, load generator CPU ${u.toolCpuS.toFixed(2)} s` : ''}` +
    `${u.machineStealS >= 0.05 ? `; STEAL ${u.machineStealS.toFixed(2)} s` : ''}${u.machineIowaitS >= 0.05 ? `; iowait ${u.machineIowaitS.toFixed(2)} s` : ''}` +
    daemonNote(u);
}

async function parallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

// ---------------------------------------------------------------------------
// 1. Big blob push, monolithic and chunked

const push: Scenario = {
  id: 'push',
  title: 'Big blob push',
  pairs: (cfg) => cfg.bigPairs,
  bulk: true,
  create(ctx) {
    const size = ctx.cfg.blobBytes;
    const chunk = ctx.cfg.chunkBytes;
    const { storage } = ctx;
    ctx.rec.define({ id: 'push.mono', scenario: 'push', title: `${sizeLabel(size)} push, monolithic PUT`, unit: 'MB/s', better: 'higher' });
    ctx.rec.define({
      id: 'push.chunked',
      scenario: 'push',
      title: `${sizeLabel(size)} push, ${sizeLabel(chunk)} PATCH chunks`,
      unit: 'MB/s',
      better: 'higher',
    });
    if (storage) {
      // The object store alone: the same number of bytes in one presigned PUT straight to
      // the gateway, which writes them once (a registry stages them, then copies them).
      ctx.rec.define({ id: 'push.store', scenario: 'push', title: `${sizeLabel(size)} presigned PUT straight to the store, one request`, unit: 'MB/s', better: 'higher' });
      ctx.rec.define({ id: 'push.ofStore', scenario: 'push', title: `${sizeLabel(size)} monolithic push ÷ store alone (same pair)`, unit: '×', better: 'higher' });
    }
    const monolithic = async (side: Side, pair: number): Promise<number> => {
      const mono = makeBlob(size); // hashed before timing starts
      const m = await ctx.measure(side, () => side.client.pushMonolithic('bench/push', mono));
      ctx.rec.add('push.mono', side.key, { pair, value: mbps(size, m.seconds), usage: m.usage });
      ctx.log(`${side.label} monolithic: ${mbps(size, m.seconds).toFixed(1)} MB/s in ${m.seconds.toFixed(2)} s; ${usageNote(m.usage)}`);
      return mbps(size, m.seconds);
    };
    const storeAlone = async (side: Side, pair: number): Promise<number> => {
      const blob = makeBlob(size);
      const url = await storage!.presignedPutUrl(side.kind, `${pair}-${blob.seed}`);
      const m = await ctx.measure(side, () => side.client.putToUrl(url, blob));
      ctx.rec.add('push.store', side.key, { pair, value: mbps(size, m.seconds), usage: m.usage });
      ctx.log(`${side.label}'s bucket, store alone: ${mbps(size, m.seconds).toFixed(1)} MB/s in ${m.seconds.toFixed(2)} s; ${usageNote(m.usage)}`);
      return mbps(size, m.seconds);
    };
    return {
      async iteration(side, pair) {
        if (!storage) await monolithic(side, pair);
        else {
          // Alternating order, as for pulls: neither is always the one that runs first.
          let viaRegistry: number;
          let alone: number;
          if (pair % 2 === 0) {
            viaRegistry = await monolithic(side, pair);
            alone = await storeAlone(side, pair);
          } else {
            alone = await storeAlone(side, pair);
            viaRegistry = await monolithic(side, pair);
          }
          ctx.rec.add('push.ofStore', side.key, { pair, value: viaRegistry / alone });
        }

        const chunked = makeBlob(size);
        const c = await ctx.measure(side, () => side.client.pushChunked('bench/push', chunked, chunk));
        ctx.rec.add('push.chunked', side.key, { pair, value: mbps(size, c.seconds), usage: c.usage });
        ctx.log(`${side.label} chunked: ${mbps(size, c.seconds).toFixed(1)} MB/s in ${c.seconds.toFixed(2)} s; ${usageNote(c.usage)}`);
      },
    };
  },
};

// ---------------------------------------------------------------------------
// 2. Big blob pull, digest checked by the client while streaming

const pull: Scenario = {
  id: 'pull',
  title: 'Big blob pull',
  pairs: (cfg) => cfg.bigPairs,
  bulk: true,
  create(ctx) {
    const size = ctx.cfg.blobBytes;
    const { storage } = ctx;
    const blobs = new Map<SideKey, BlobSpec>();
    ctx.rec.define({
      id: 'pull',
      scenario: 'pull',
      title: `${sizeLabel(size)} pull, digest verified${storage ? ' (redirects followed)' : ''}`,
      unit: 'MB/s',
      better: 'higher',
    });
    if (storage) {
      // The object store alone: the same object fetched straight from the gateway with a
      // presigned URL, by the same client code, right before or after the registry pull.
      ctx.rec.define({
        id: 'pull.store',
        scenario: 'pull',
        title: `${sizeLabel(size)} presigned GET straight from the store (same object), digest verified`,
        unit: 'MB/s',
        better: 'higher',
      });
      ctx.rec.define({ id: 'pull.ofStore', scenario: 'pull', title: `${sizeLabel(size)} pull ÷ store alone (same pair)`, unit: '×', better: 'higher' });
    }
    const registryPull = async (side: Side, pair: number, blob: BlobSpec): Promise<number> => {
      const redirects = side.client.redirectsFollowed;
      const m = await ctx.measure(side, () => side.client.pullBlob('bench/pull', blob.digest, blob.size));
      const via = side.client.redirectsFollowed > redirects ? ' (redirected to the store)' : storage ? ' (streamed by the registry)' : '';
      ctx.rec.add('pull', side.key, { pair, value: mbps(size, m.seconds), usage: m.usage });
      ctx.log(`${side.label} pull${via}: ${mbps(size, m.seconds).toFixed(1)} MB/s in ${m.seconds.toFixed(2)} s; ${usageNote(m.usage)}`);
      return mbps(size, m.seconds);
    };
    const storePull = async (side: Side, pair: number, blob: BlobSpec): Promise<number> => {
      const url = await storage!.presignedBlobUrl(side.kind, blob.digest);
      const m = await ctx.measure(side, () => side.client.getVerified(url, blob.digest, blob.size));
      ctx.rec.add('pull.store', side.key, { pair, value: mbps(size, m.seconds), usage: m.usage });
      ctx.log(`${side.label}'s object, store alone: ${mbps(size, m.seconds).toFixed(1)} MB/s in ${m.seconds.toFixed(2)} s; ${usageNote(m.usage)}`);
      return mbps(size, m.seconds);
    };
    return {
      async setup(side) {
        const blob = makeBlob(size);
        await side.client.pushMonolithic('bench/pull', blob);
        blobs.set(side.key, blob);
      },
      async iteration(side, pair) {
        const blob = blobs.get(side.key)!;
        if (!storage) {
          await registryPull(side, pair, blob);
          return;
        }
        // The order alternates by pair, so neither GET is always the one that finds the
        // OSD's cache warm.
        let viaRegistry: number;
        let alone: number;
        if (pair % 2 === 0) {
          viaRegistry = await registryPull(side, pair, blob);
          alone = await storePull(side, pair, blob);
        } else {
          alone = await storePull(side, pair, blob);
          viaRegistry = await registryPull(side, pair, blob);
        }
        ctx.rec.add('pull.ofStore', side.key, { pair, value: viaRegistry / alone });
      },
    };
  },
};

// ---------------------------------------------------------------------------
// 3. Request rates: manifest GET (wrk) and blob HEAD (loadgen.ts; wrk cannot do HEAD)

interface ReadFixture {
  manifestUrl: string;
  headUrl: string;
}

const read: Scenario = {
  id: 'read',
  title: 'Manifest GET and blob HEAD rates',
  pairs: (cfg) => cfg.pairs,
  create(ctx) {
    const { cfg } = ctx;
    const fixtures = new Map<SideKey, ReadFixture>();
    // On S3 a blob GET is answered with a 307 to a presigned URL: its rate is the
    // registry's part of every pull (the bytes then come from the store).
    type Kind = 'manifest' | 'head' | 'redirect';
    const kinds: readonly Kind[] = ctx.storage && cfg.berthRedirect ? ['manifest', 'head', 'redirect'] : ['manifest', 'head'];
    const names: Record<Kind, string> = { manifest: 'manifest GET', head: 'blob HEAD', redirect: 'blob GET answered (307 to S3, not followed)' };
    for (const c of cfg.connections) {
      for (const kind of kinds) {
        const name = names[kind];
        const base = { scenario: 'read' };
        ctx.rec.define({ ...base, id: `read.${kind}.c${c}.rps`, title: `${name}, ${c} conns`, unit: 'req/s', better: 'higher' });
        ctx.rec.define({ ...base, id: `read.${kind}.c${c}.p50`, title: `${name}, ${c} conns, p50`, unit: 'ms', better: 'lower' });
        ctx.rec.define({ ...base, id: `read.${kind}.c${c}.p99`, title: `${name}, ${c} conns, p99`, unit: 'ms', better: 'lower' });
      }
    }
    const authorization = (side: Side): Record<string, string> => {
      const value = side.server.authorization ?? cfg.authorization;
      return value ? { Authorization: value } : {};
    };
    const manifestHeaders = (side: Side): Record<string, string> => ({ Accept: OCI_MANIFEST, ...authorization(side) });
    const headHeaders = (side: Side): Record<string, string> => authorization(side);
    const runOne = (side: Side, kind: Kind, connections: number, durationS: number): Promise<WrkResult> => {
      const f = fixtures.get(side.key)!;
      if (kind === 'manifest') {
        return runWrk({ url: f.manifestUrl, method: 'GET', connections, threads: cfg.wrkThreads, durationS, headers: manifestHeaders(side) });
      }
      // loadgen for the redirects too: it takes a 307 with Content-Length: 0 as a complete answer.
      return runLoadgen({ url: f.headUrl, method: kind === 'head' ? 'HEAD' : 'GET', connections, durationS, headers: headHeaders(side) });
    };
    return {
      async setup(side) {
        const repo = 'bench/read';
        const config = smallBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
        const layer = smallBlob(randomBytes(4096));
        await side.client.pushBuffer(repo, config.data, config.digest);
        await side.client.pushBuffer(repo, layer.data, layer.digest);
        const manifest = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.data.length },
            layers: [{ mediaType: OCI_LAYER, digest: layer.digest, size: layer.data.length }],
          }),
        );
        await side.client.putManifest(repo, 'v1', manifest);
        // Check the answers are right before timing them.
        const got = await side.client.getManifest(repo, 'v1', OCI_MANIFEST);
        if (!got.body.equals(manifest)) throw new Error(`${side.label}: GET manifest returned different bytes`);
        if (!String(got.headers['content-type']).startsWith(OCI_MANIFEST)) {
          throw new Error(`${side.label}: GET manifest content-type ${String(got.headers['content-type'])}`);
        }
        const head = await side.client.headBlob(repo, layer.digest);
        if (head.headers['content-length'] !== String(layer.data.length)) {
          throw new Error(`${side.label}: HEAD blob content-length ${String(head.headers['content-length'])}`);
        }
        if (head.redirected) {
          ctx.log(`${side.label} answers blob HEAD with a redirect to the store: its HEAD rates count those 307 answers, not the client's second request`);
        }
        if (kinds.includes('redirect')) {
          const get = await side.client.request('GET', `/v2/${repo}/blobs/${layer.digest}`);
          if (get.status !== 307 || !get.headers.location) {
            throw new Error(`${side.label}: blob GET answered ${get.status}, not a redirect to the store`);
          }
        }
        fixtures.set(side.key, {
          manifestUrl: `${side.server.url}/v2/${repo}/manifests/v1`,
          headUrl: `${side.server.url}/v2/${repo}/blobs/${layer.digest}`,
        });
        if (cfg.wrkWarmupS > 0) {
          const c = Math.max(...cfg.connections);
          for (const kind of kinds) await runOne(side, kind, c, cfg.wrkWarmupS);
        }
      },
      async iteration(side, pair) {
        for (const kind of kinds) {
          for (const c of cfg.connections) {
            const m = await ctx.measure(side, () => runOne(side, kind, c, cfg.wrkDurationS));
            const r = m.result;
            const extra = {
              requests: r.requests,
              errors: r.errors,
              p90Ms: r.p90Ms,
              p999Ms: r.p999Ms,
              maxMs: r.maxMs,
              serverCpuUsPerRequest: r.requests > 0 ? (m.usage.serverCpuS * 1e6) / r.requests : 0,
              tool: kind === 'manifest' ? 'wrk' : 'loadgen',
            };
            const id = `read.${kind}.c${c}`;
            ctx.rec.add(`${id}.rps`, side.key, { pair, value: r.rps, usage: m.usage, extra });
            ctx.rec.add(`${id}.p50`, side.key, { pair, value: r.p50Ms });
            ctx.rec.add(`${id}.p99`, side.key, { pair, value: r.p99Ms });
            ctx.log(
              `${side.label} ${kind} c=${c}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms` +
                `${r.errors ? `, ${r.errors} ERRORS` : ''}; ${extra.serverCpuUsPerRequest.toFixed(0)} µs server CPU/req; ${usageNote(m.usage)}`,
            );
            if (r.requests === 0) throw new Error(`${side.label}: no ${kind} request completed`);
          }
        }
      },
    };
  },
};

// ---------------------------------------------------------------------------
// 4. Many small monolithic pushes (POST ?digest=) over concurrent connections

const small: Scenario = {
  id: 'small',
  title: 'Small blob pushes',
  pairs: (cfg) => cfg.pairs,
  create(ctx) {
    const { smallCount: count, smallBytes: bytes, smallConcurrency: conc } = ctx.cfg;
    ctx.rec.define({
      id: 'small',
      scenario: 'small',
      title: `${count} x ${bytes / 1024} KiB pushes, ${conc} conns`,
      unit: 'push/s',
      better: 'higher',
    });
    const makeBatch = (n: number) => {
      const all = randomBytes(n * bytes);
      return Array.from({ length: n }, (_, i) => smallBlob(all.subarray(i * bytes, (i + 1) * bytes)));
    };
    const pushAll = async (client: RegistryClient, batch: ReturnType<typeof makeBatch>) => {
      let fallbacks = 0;
      await parallel(batch, conc, async (b) => {
        const r = await client.pushSmall('bench/small', b.data, b.digest);
        if (r.fallback) fallbacks++;
      });
      return fallbacks;
    };
    return {
      async setup(side) {
        await pushAll(side.client, makeBatch(Math.min(100, count))); // warm-up, untimed
      },
      async iteration(side, pair) {
        const batch = makeBatch(count);
        const m = await ctx.measure(side, () => pushAll(side.client, batch));
        const rate = count / m.seconds;
        ctx.rec.add('small', side.key, { pair, value: rate, usage: m.usage, extra: { postPutFallbacks: m.result } });
        ctx.log(
          `${side.label} small pushes: ${rate.toFixed(0)} push/s in ${m.seconds.toFixed(2)} s` +
            `${m.result ? ` (${m.result} answered 202 to POST ?digest=, finished with PUT)` : ' (all single-POST)'}; ${usageNote(m.usage)}`,
        );
      },
    };
  },
};

// ---------------------------------------------------------------------------
// 5. A multi-layer image: push and pull with N layers in parallel

interface Image {
  config: { data: Buffer; digest: string };
  layers: BlobSpec[];
  manifest: Buffer;
  totalBytes: number;
}

function makeImage(layerCount: number, layerBytes: number): Image {
  // Sizes vary a little (and are not MiB-aligned) like real layers.
  const layers = Array.from({ length: layerCount }, (_, i) => makeBlob(layerBytes + i * 1031));
  const config = smallBlob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: new Date().toISOString(),
        config: { Env: ['PATH=/usr/bin'] },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      }),
    ),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.data.length },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
    }),
  );
  const totalBytes = layers.reduce((n, l) => n + l.size, 0) + config.data.length + manifest.length;
  return { config, layers, manifest, totalBytes };
}

async function pushImage(client: RegistryClient, repo: string, tag: string, image: Image, width: number): Promise<void> {
  type Item = { kind: 'config' } | { kind: 'layer'; blob: BlobSpec };
  const items: Item[] = [{ kind: 'config' }, ...image.layers.map((blob) => ({ kind: 'layer' as const, blob }))];
  await parallel(items, width, async (item) => {
    if (item.kind === 'config') await client.pushBuffer(repo, image.config.data, image.config.digest);
    else await client.pushMonolithic(repo, item.blob);
  });
  await client.putManifest(repo, tag, image.manifest);
}

async function pullImage(client: RegistryClient, repo: string, tag: string, width: number): Promise<number> {
  const res = await client.getManifest(repo, tag, OCI_MANIFEST);
  const manifest = JSON.parse(res.body.toString('utf8')) as {
    config: { digest: string; size: number };
    layers: Array<{ digest: string; size: number }>;
  };
  let bytes = res.body.length;
  await parallel([manifest.config, ...manifest.layers], width, async (d) => {
    const n = await client.pullBlob(repo, d.digest, d.size);
    bytes += n;
  });
  return bytes;
}

const image: Scenario = {
  id: 'image',
  title: 'Multi-layer image push and pull',
  pairs: (cfg) => cfg.bigPairs,
  bulk: true,
  create(ctx) {
    const { imageLayers: n, layerBytes, imageParallel: width } = ctx.cfg;
    const label = `${n}-layer ~${((n * layerBytes) / 1e6).toFixed(0)} MB image`;
    ctx.rec.define({ id: 'image.push', scenario: 'image', title: `${label} push, ${width} parallel`, unit: 'MB/s', better: 'higher' });
    ctx.rec.define({ id: 'image.pull', scenario: 'image', title: `${label} pull, ${width} parallel`, unit: 'MB/s', better: 'higher' });
    return {
      async iteration(side, pair) {
        const img = makeImage(n, layerBytes);
        const tag = `run${pair}`;
        const p = await ctx.measure(side, () => pushImage(side.client, 'bench/image', tag, img, width));
        ctx.rec.add('image.push', side.key, { pair, value: mbps(img.totalBytes, p.seconds), usage: p.usage });
        ctx.log(`${side.label} image push: ${mbps(img.totalBytes, p.seconds).toFixed(1)} MB/s in ${p.seconds.toFixed(2)} s; ${usageNote(p.usage)}`);

        const g = await ctx.measure(side, () => pullImage(side.client, 'bench/image', tag, width));
        if (g.result !== img.totalBytes) throw new Error(`${side.label}: pulled ${g.result} bytes, expected ${img.totalBytes}`);
        ctx.rec.add('image.pull', side.key, { pair, value: mbps(g.result, g.seconds), usage: g.usage });
        ctx.log(`${side.label} image pull: ${mbps(g.result, g.seconds).toFixed(1)} MB/s in ${g.seconds.toFixed(2)} s; ${usageNote(g.usage)}`);
      },
    };
  },
};

// ---------------------------------------------------------------------------
// 7. Huge blob, Berth only: memory must not grow with the blob size

const huge: Scenario = {
  id: 'huge',
  title: 'Huge blob push and pull (Berth only)',
  berthOnly: true,
  pairs: () => 1,
  bulk: true,
  enabled: (cfg) => !cfg.skipHuge,
  create(ctx) {
    const size = ctx.cfg.hugeBytes;
    ctx.rec.define({ id: 'huge.push', scenario: 'huge', title: `${sizeLabel(size)} push, monolithic (one server)`, unit: 'MB/s', better: 'higher' });
    ctx.rec.define({ id: 'huge.pull', scenario: 'huge', title: `${sizeLabel(size)} pull, digest verified (one server)`, unit: 'MB/s', better: 'higher' });
    const check = (side: Side, what: string, u: Usage) => {
      const growth = u.rssPeakMiB - u.rssStartMiB;
      if (growth > 256) ctx.log(`WARNING: ${side.label} RSS grew by ${growth.toFixed(0)} MiB during the ${what}: memory is not flat`);
      return growth;
    };
    return {
      async iteration(side, pair) {
        const blob = makeBlob(size);
        const p = await ctx.measure(side, () => side.client.pushMonolithic('bench/huge', blob));
        const pushGrowth = check(side, 'push', p.usage);
        ctx.rec.add('huge.push', side.key, { pair, value: mbps(size, p.seconds), usage: p.usage, extra: { rssGrowthMiB: pushGrowth } });
        ctx.log(`${side.label} huge push: ${mbps(size, p.seconds).toFixed(1)} MB/s in ${p.seconds.toFixed(2)} s; ${usageNote(p.usage)}`);

        const g = await ctx.measure(side, () => side.client.pullBlob('bench/huge', blob.digest, blob.size));
        const pullGrowth = check(side, 'pull', g.usage);
        ctx.rec.add('huge.pull', side.key, { pair, value: mbps(size, g.seconds), usage: g.usage, extra: { rssGrowthMiB: pullGrowth } });
        ctx.log(`${side.label} huge pull: ${mbps(size, g.seconds).toFixed(1)} MB/s in ${g.seconds.toFixed(2)} s; ${usageNote(g.usage)}`);
      },
    };
  },
};

export const SCENARIOS: readonly Scenario[] = [push, pull, read, small, image, huge, gc];
