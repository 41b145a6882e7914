// THE crash test: `berth gc` as a child process, killed with SIGKILL in the middle of
// its sweep (thousands of small unreferenced blobs make sure there is a middle; the
// kill comes as soon as the first sweep progress line shows). Everything referenced is
// still pullable afterwards, and a second `berth gc` — waiting for the dead one's run
// lease to lapse — finishes the job: nothing left marked, no garbage left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { loadConfig } from '../../src/config/config.ts';
import type { GcSummary } from '../../src/gc/gc-plan.ts';
import { createRegistry, type Registry } from '../../src/registry/registry.ts';
import { DEFAULT_LIMITS } from '../../src/registry/registry-context.ts';
import { openStores, type OpenedStores } from '../../src/server/app.ts';
import { berthMain, berthNodeFlags } from '../helpers/berth-process.ts';
import { assertPullable, digestOf, pushBlob, pushImage, storedDigests } from './gc-fixtures.ts';

const GARBAGE_BLOBS = 2_000;
const ORPHANS = 200;

async function open(dataDir: string): Promise<{ stores: OpenedStores; registry: Registry }> {
  const stores = await openStores(loadConfig({ env: {}, flags: { dataDir }, cwd: dataDir }));
  const registry = createRegistry({ ...stores, limits: DEFAULT_LIMITS, now: () => new Date(), accountId: '123456789012', createOnPush: true });
  return { stores, registry };
}

interface GcRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string[];
}

/** Runs `berth gc`; with `killOn`, kills it with SIGKILL at the first stderr line that matches. */
function berthGc(dataDir: string, args: string[], killOn?: RegExp): Promise<GcRun> {
  const child = spawn(process.execPath, [...berthNodeFlags, berthMain, 'gc', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (killOn?.test(line)) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

test('berth gc killed with SIGKILL mid-sweep loses nothing referenced, and the next run finishes the job', { timeout: 90_000 }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-gc-crash-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const kept = { config: Buffer.from('{"kept":true}'), layers: [randomBytes(2000), randomBytes(3000)] };
  {
    const { stores, registry } = await open(dataDir);
    await pushImage(registry, 'crash/kept', 'v1', kept);
    // Garbage: blobs linked into a repository but referenced by no manifest...
    for (let index = 0; index < GARBAGE_BLOBS; index++) await pushBlob(registry, 'crash/garbage', Buffer.from(`garbage blob ${index} ${randomBytes(8).toString('hex')}`));
    // ...and bytes no row knows (a crash between storing and linking).
    for (let index = 0; index < ORPHANS; index++) {
      const bytes = Buffer.from(`orphan ${index} ${randomBytes(8).toString('hex')}`);
      await stores.blobs.createUpload(`orphan-${index}`);
      await stores.blobs.appendUpload(`orphan-${index}`, 0, Readable.from([bytes]));
      await stores.blobs.commitUpload(`orphan-${index}`, bytes.length, digestOf(bytes));
    }
    await stores.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 50));

  const killed = await berthGc(dataDir, ['--grace-period', '0s'], /sweeping unreferenced blobs: [1-9]\d*\//);
  assert.equal(killed.signal, 'SIGKILL', `the collector was killed mid-sweep:\n${killed.stderr.join('\n')}\n${killed.stdout}`);
  assert.equal(killed.stdout, '', 'it never got to its summary');

  const keptDigests = [kept.config, ...kept.layers].map((blob) => digestOf(blob).value).sort();
  let leftBehind: number;
  {
    const { stores, registry } = await open(dataDir);
    await assertPullable(registry, 'crash/kept', 'v1', 'after the kill');
    leftBehind = (await storedDigests(registry)).length - keptDigests.length;
    const marked = (await stores.metadata.blobCollection.marked(undefined, 10_000)).length;
    console.log(`# crash: killed after ${GARBAGE_BLOBS + ORPHANS - leftBehind} of ${GARBAGE_BLOBS + ORPHANS} garbage blobs; ${leftBehind} left, ${marked} marked`);
    assert.ok(leftBehind > 0 && leftBehind < GARBAGE_BLOBS + ORPHANS, `the kill came mid-sweep (${leftBehind} left)`);
    await stores.close();
  }

  const started = Date.now();
  const second = await berthGc(dataDir, ['--grace-period', '0s', '--json']);
  assert.equal(second.code, 0, second.stderr.join('\n'));
  const summary = JSON.parse(second.stdout) as GcSummary;
  console.log(`# crash: the second run took ${Date.now() - started} ms (lease wait included), collecting in ${summary.durationMs} ms: ${second.stdout.trim()}`);
  assert.equal(summary.leftoversFinished + summary.blobsReclaimed + summary.orphansReclaimed, leftBehind, 'it took exactly what was left');
  {
    const { stores, registry } = await open(dataDir);
    assert.deepEqual(await stores.metadata.blobCollection.marked(undefined, 10), [], 'nothing left marked deleting');
    assert.deepEqual(await storedDigests(registry), keptDigests, 'no garbage left');
    await assertPullable(registry, 'crash/kept', 'v1', 'after the second run');
    await stores.close();
  }
});
