// 8. Garbage collection: both registries hold the same images, two thirds of them are
// deleted, then each collects its garbage with its own tool. Distribution's
// `garbage-collect` must run with the registry stopped or read-only (its docs: blobs
// uploaded during a collection may be deleted); Berth's `berth gc` runs beside the
// serving registry, so on the Berth side pushes go on during the collection and are
// counted. Reclaimed bytes are measured on disk (du), the same way for both.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { berthMain, berthNodeFlags, projectRoot } from '../../test/helpers/berth-process.ts';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, type RegistryClient } from './registry.ts';
import { DISTRIBUTION_BIN } from './servers.ts';
import type { Scenario, Side } from './scenarios.ts';

const KiB = 1024;
/** Berth's grace period here: longer than any push made while collecting takes, from first layer to manifest. */
const GRACE_SECONDS = 3;

interface SmallImage {
  readonly blobs: ReadonlyArray<{ data: Buffer; digest: string }>;
  readonly manifest: Buffer;
  readonly digest: string;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A config and `layers` random layers of `layerBytes` each: no two images share a blob. */
function smallImage(layers: number, layerBytes: number): SmallImage {
  const layerData = Array.from({ length: layers }, () => randomBytes(layerBytes));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layerData.map(sha256) } }));
  const blobs = [config, ...layerData].map((data) => ({ data, digest: sha256(data) }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: blobs[0]!.digest, size: config.length },
      layers: blobs.slice(1).map((blob) => ({ mediaType: OCI_LAYER, digest: blob.digest, size: blob.data.length })),
    }),
  );
  return { blobs, manifest, digest: sha256(manifest) };
}

async function pushSmallImage(client: RegistryClient, repo: string, tag: string, image: SmallImage): Promise<void> {
  for (const blob of image.blobs) await client.pushBuffer(repo, blob.data, blob.digest);
  await client.putManifest(repo, tag, image.manifest);
}

async function deleteManifest(client: RegistryClient, repo: string, digest: string): Promise<void> {
  const res = await client.request('DELETE', `/v2/${repo}/manifests/${digest}`);
  if (res.status !== 202) throw new Error(`DELETE manifest ${digest}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`))));
  });
}

async function diskBytes(dir: string): Promise<number> {
  const out = await run('du', ['-sb', dir]);
  return Number(out.split(/\s/)[0]);
}

/** Runs the side's own collector against its data directory. */
function collect(side: Side): Promise<string> {
  if (side.kind === 'distribution') {
    return run(DISTRIBUTION_BIN, ['garbage-collect', join(dirname(side.server.dataDir), 'config.yml')]);
  }
  return run(process.execPath, [...berthNodeFlags, berthMain, 'gc', '--json', '--grace-period', `${GRACE_SECONDS}s`, '--data-dir', side.server.dataDir], {
    ...process.env,
    BERTH_LOG_LEVEL: 'warn',
  });
}

export const gc: Scenario = {
  id: 'gc',
  title: 'Garbage collection after deleting two thirds of the images',
  pairs: (cfg) => cfg.bigPairs,
  enabled: (cfg) => cfg.backend === 'fs',
  create(ctx) {
    const images = ctx.cfg.quick ? 90 : 300;
    const layers = 3;
    const layerBytes = 64 * KiB;
    ctx.rec.define({ id: 'gc.seconds', scenario: 'gc', title: `collect ${(images * 2) / 3} deleted images' ${((images * 2) / 3) * (layers + 1)} blobs`, unit: 's', better: 'lower' });
    ctx.rec.define({ id: 'gc.collectorSeconds', scenario: 'gc', title: "Berth's collector alone (its summary's duration, without starting the command)", unit: 's', better: 'lower' });
    ctx.rec.define({ id: 'gc.reclaimedMB', scenario: 'gc', title: 'bytes reclaimed on disk', unit: 'MB', better: 'higher' });
    ctx.rec.define({ id: 'gc.pushesDuring', scenario: 'gc', title: 'image pushes completed while collecting (registry kept serving)', unit: 'pushes', better: 'higher' });
    return {
      async iteration(side, pair) {
        const repo = `bench/gc${pair}`;
        const made = Array.from({ length: images }, () => smallImage(layers, layerBytes));
        for (const [i, image] of made.entries()) await pushSmallImage(side.client, repo, `t${i}`, image);
        const doomed = made.filter((_, i) => i % 3 !== 0);
        for (const image of doomed) await deleteManifest(side.client, repo, image.digest);
        // Berth collects only blobs older than its grace period; the pushes made while it
        // collects are younger, so they keep theirs. Distribution has no such notion.
        if (side.kind === 'berth') await new Promise((resolve) => setTimeout(resolve, (GRACE_SECONDS + 1) * 1000));
        const before = await diskBytes(side.server.dataDir);

        // Berth serves pushes while it collects; Distribution's collector needs a registry
        // that takes no writes, so its side pushes nothing meanwhile.
        let collecting = true;
        let pushed = 0;
        // Settles with the failure, if any, so that a push failing mid-collection is
        // reported as this scenario's error (after the collector stops), not as an
        // unhandled rejection that kills the run and leaves both servers behind.
        const pusher = (async () => {
          if (side.kind !== 'berth') return;
          for (let i = 0; collecting; i++) {
            await pushSmallImage(side.client, `${repo}-live`, `l${i}`, smallImage(layers, layerBytes));
            pushed++;
          }
        })().then(
          () => undefined,
          (error: unknown) => error,
        );
        const m = await ctx.measure(side, async () => {
          try {
            return await collect(side);
          } finally {
            collecting = false;
          }
        });
        const pushFailed = await pusher;
        if (pushFailed !== undefined) throw pushFailed;
        const after = await diskBytes(side.server.dataDir);
        // What the pushes during the collection added is not garbage reclaimed.
        const added = pushed * (layers * layerBytes + 200);
        const reclaimedMB = (before - after + added) / 1e6;
        for (const image of made.filter((_, i) => i % 3 === 0)) {
          const res = await side.client.getManifest(repo, image.digest);
          if (res.status !== 200) throw new Error(`${side.label}: kept image ${image.digest} is gone after GC (HTTP ${res.status})`);
          for (const blob of image.blobs) await side.client.pullBlob(repo, blob.digest, blob.data.length);
        }
        ctx.rec.add('gc.seconds', side.key, { pair, value: m.seconds, usage: m.usage });
        if (side.kind === 'berth') {
          const summary = JSON.parse(m.result.trim().split('\n').at(-1)!) as { durationMs: number };
          ctx.rec.add('gc.collectorSeconds', side.key, { pair, value: summary.durationMs / 1000 });
        }
        ctx.rec.add('gc.reclaimedMB', side.key, { pair, value: reclaimedMB });
        ctx.rec.add('gc.pushesDuring', side.key, { pair, value: pushed });
        ctx.log(`${side.label} gc: ${m.seconds.toFixed(2)} s, ~${reclaimedMB.toFixed(1)} MB reclaimed, ${pushed} pushes completed meanwhile; kept images pulled back intact`);
      },
    };
  },
};
