// THE race that corrupts Distribution's garbage collection, run against Berth's: clients
// push images continuously — layers first (uploaded, or found by a HEAD and skipped, or
// mounted from another repository), the manifest last, with random pauses between, some
// shorter and some longer than the grace period — and delete some of their images,
// while a collector with a one-second grace period runs in a loop on its own metadata
// connection, as `berth gc` beside a server does. At the end every push whose manifest
// PUT succeeded (and that was not deleted) must pull back byte for byte. Manifests
// refused with MANIFEST_BLOB_UNKNOWN (a layer collected during a long pause) are fine:
// the client pushes again. On SQLite (one writer at a time) and on PostgreSQL with two
// registry nodes (each its own pool) and the collector on a third.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectGarbage } from '../../src/gc/collector.ts';
import { RegistryError } from '../../src/errors/registry-error.ts';
import { DEFAULT_LIMITS } from '../../src/registry/registry-context.ts';
import { createRegistry, type Registry } from '../../src/registry/registry.ts';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store.ts';
import type { MetadataStore } from '../../src/storage/meta/metadata-store.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { postgresMissing, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { assertPullable, digestOf, manifestOf, OCI_MANIFEST, pushBlob, type ImageContent } from './gc-fixtures.ts';

const GRACE_SECONDS = 1;
const PUSHING_MS = 9_000;
const CLIENTS = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const random = (below: number) => Math.floor(Math.random() * below);
/** A pause between two steps of a push: mostly well inside the grace period, sometimes well past it. */
const pause = () => (Math.random() < 0.12 ? 1_200 + random(1_300) : random(250));

interface Outcome {
  /** Images whose manifest PUT succeeded and that were not deleted since: all must pull. */
  pushed: { repository: string; digest: string }[];
  completed: number;
  refused: number;
  uploadRetries: number;
  skippedByHead: number;
  mounted: number;
  deleted: number;
}

/** One client: pushes images into its repository until `until`, deleting some of its older ones. */
async function client(registry: Registry, index: number, shared: readonly Buffer[], until: number, outcome: Outcome): Promise<void> {
  const repository = `race/client-${index}`;
  const mine: string[] = [];
  while (Date.now() < until) {
    const image: ImageContent = {
      config: Buffer.from(`{"client":${index},"id":"${randomUUID()}"}`),
      layers: [shared[random(shared.length)]!, randomBytes(200 + random(4000)), ...(Math.random() < 0.5 ? [randomBytes(100)] : [])],
    };
    for (const blob of [...image.layers, image.config]) {
      const digest = digestOf(blob);
      // As docker does: ask first, mount from elsewhere if possible, upload otherwise.
      if ((await registry.blobs.find(repository, digest).catch(() => undefined)) !== undefined) {
        outcome.skippedByHead++;
      } else if ((await registry.blobs.mount(repository, digest, undefined)) !== undefined) {
        outcome.mounted++;
      } else {
        for (let attempt = 1; ; attempt++) {
          try {
            await pushBlob(registry, repository, blob);
            break;
          } catch (error) {
            // TOOMANYREQUESTS: the digest was being collected; a client retries.
            if (!(error instanceof RegistryError) || error.code !== 'TOOMANYREQUESTS' || attempt === 5) throw error;
            outcome.uploadRetries++;
          }
        }
      }
      await sleep(pause());
    }
    try {
      const { digest } = await registry.manifests.put(repository, { kind: 'tag', tag: `t${random(5)}` }, manifestOf(image), OCI_MANIFEST);
      outcome.pushed.push({ repository, digest });
      outcome.completed++;
      mine.push(digest);
    } catch (error) {
      if (!(error instanceof RegistryError) || error.code !== 'MANIFEST_BLOB_UNKNOWN') throw error;
      outcome.refused++;
    }
    if (mine.length > 3 && Math.random() < 0.3) {
      const victim = mine.splice(random(mine.length), 1)[0]!;
      await registry.context.metadata.manifests.delete(repository, victim);
      outcome.pushed = outcome.pushed.filter((image) => !(image.repository === repository && image.digest === victim));
      outcome.deleted++;
    }
  }
}

interface Deployment {
  /** The registry nodes the clients spread over. */
  readonly nodes: Registry[];
  /** The collector's own metadata connection. */
  readonly collector: MetadataStore;
  close(): Promise<void>;
}

async function raceOn(deployment: Deployment): Promise<void> {
  const shared = Array.from({ length: 4 }, () => randomBytes(1500));
  const outcome: Outcome = { pushed: [], completed: 0, refused: 0, uploadRetries: 0, skippedByHead: 0, mounted: 0, deleted: 0 };
  const until = Date.now() + PUSHING_MS;
  const blobs = deployment.nodes[0]!.context.blobs;
  let runs = 0;
  let reclaimed = 0;
  let pushing = true;
  const collecting = (async () => {
    while (pushing) {
      const summary = await collectGarbage({ metadata: deployment.collector, blobs, gracePeriodSeconds: GRACE_SECONDS, batchSize: 20 });
      runs++;
      reclaimed += summary.blobsReclaimed + summary.orphansReclaimed;
      await sleep(50);
    }
  })();
  try {
    await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(deployment.nodes[index % deployment.nodes.length]!, index, shared, until, outcome)));
  } finally {
    pushing = false;
    await collecting;
  }
  // Everything unreferenced ages past the grace period; two more runs take it.
  await sleep(GRACE_SECONDS * 1000 + 100);
  for (let run = 0; run < 2; run++) reclaimed += (await collectGarbage({ metadata: deployment.collector, blobs, gracePeriodSeconds: GRACE_SECONDS })).blobsReclaimed;

  const reader = deployment.nodes[deployment.nodes.length - 1]!;
  for (const image of outcome.pushed) await assertPullable(reader, image.repository, image.digest, 'a completed push');
  assert.deepEqual(await deployment.collector.blobCollection.marked(undefined, 10), [], 'no mark left behind');
  const report = { ...outcome, pushed: outcome.pushed.length, collectorRuns: runs, reclaimed };
  console.log(`# race: ${JSON.stringify(report)}`);
  assert.ok(outcome.completed >= 12, `enough pushes completed: ${JSON.stringify(report)}`);
  assert.ok(outcome.refused > 0, `some pushes paused past the grace period and were refused: ${JSON.stringify(report)}`);
  assert.ok(reclaimed > 0 && runs >= 10, `the collector ran and reclaimed: ${JSON.stringify(report)}`);
}

function registryOver(blobs: FsBlobStore, metadata: MetadataStore): Registry {
  return createRegistry({
    blobs,
    metadata,
    limits: DEFAULT_LIMITS,
    now: () => new Date(),
    accountId: '123456789012',
    createOnPush: true,
    touchIntervalMs: (GRACE_SECONDS * 1000) / 10,
  });
}

describe('pushes racing an online collector', () => {
  test('SQLite: every completed push stays pullable', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-gc-race-'));
    const blobs = await FsBlobStore.open({ root: join(dir, 'blobs') });
    const path = join(dir, 'meta.db');
    const node = registryOver(blobs, SqliteMetadataStore.open({ path }));
    const collector = SqliteMetadataStore.open({ path });
    try {
      await raceOn({ nodes: [node], collector, close: async () => undefined });
    } finally {
      await node.context.metadata.close();
      await collector.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  const missing = postgresMissing();
  let server: TestPostgres | undefined;
  after(async () => {
    await server?.stop();
  });
  test('PostgreSQL, two registry nodes: every completed push stays pullable', { timeout: 60_000, skip: missing ?? false }, async () => {
    server = await startTestPostgres();
    const url = await server.createDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'berth-gc-race-'));
    const blobs = await FsBlobStore.open({ root: join(dir, 'blobs') });
    const { PostgresMetadataStore } = await import('../../src/storage/meta/postgres/postgres-metadata-store.ts');
    const stores = await Promise.all([0, 1, 2].map(() => PostgresMetadataStore.open({ url, poolSize: 6 })));
    try {
      await raceOn({ nodes: [registryOver(blobs, stores[0]!), registryOver(blobs, stores[1]!)], collector: stores[2]!, close: async () => undefined });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
