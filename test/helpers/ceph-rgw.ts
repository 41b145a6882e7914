// A throwaway single-node Ceph cluster with a RADOS Gateway, so the S3 blob store can be
// tested against a real S3 implementation and not only against the in-process test server.
//
// startCephRgw() boots one monitor, one BlueStore OSD on a sparse file and radosgw (beast),
// all on 127.0.0.1 and all inside one fresh temporary directory (configuration, monitor
// store, OSD data, logs): nothing is read from or written to /etc/ceph or /var/lib/ceph.
// It waits until S3 answers, creates a user with random keys and a bucket, and returns
// what an S3 client needs. stop() ends only the daemons it started (the ChildProcess
// objects it holds, so a reused PID is never hit) and removes the directory. Every
// cluster picks its own ports and directory, so two can run side by side (two test
// files booting one each under --test-concurrency).
//
// describeOnCephRgw() wraps a describe() around a cluster: skipped with the reason when
// Ceph is not installed on a developer machine, a failure under CI (missingTools).
//
// Pitfalls the configuration handles (the first ones learnt from ../shared/tools/ceph-s3.sh,
// the boot-time ones measured here):
//  - No cephx: "auth … required = none" everywhere, but radosgw still asks the monitor
//    for a "secure" session unless its section says ms_mon_client_mode = crc.
//  - One OSD: pools of size 1 need mon_allow_pool_size_one, a CRUSH rule that picks OSDs
//    not hosts (osd_crush_chooseleaf_type = 0), and no PG autoscaler (it needs a mgr, which
//    we do not run: S3 does not need one and it costs ~300 MiB).
//  - The 20 GiB block file is sparse, so BlueStore sees far more space than the disk
//    holds; the full ratios are raised, and mon_data_avail_crit is lowered so a monitor on
//    a nearly full CI disk still starts.
//  - Admin sockets are off: a unix socket path must fit in 107 bytes and TMPDIR can be long.
//  - msgr v1 is off: the monitor then needs exactly one (v2) address, on a free port.
//  - Boot time is three waits, not work (measured on 2 cores; 18 s before, ~2.5 s after):
//    radosgw listens only after it has created its seven pools, a dozen monitor commits
//    that paxos batches for 1 s each (paxos_propose_interval, cut to 10 ms: -13 s);
//    BlueStore opens and closes its block file ~10 times in mkfs and start, each close
//    waiting out the 250 ms aio poll (bdev_aio_poll_ms, cut to 20 ms: -2 s); radosgw
//    hears that the OSD is up only at its objecter's next 5 s tick (objecter_tick_interval,
//    cut to 0.2 s: -3 s).
//  - beast writes a response's head and body separately with Nagle on, so every GET and
//    LIST waited out the client's 40 ms delayed ACK (45 ms instead of 2 ms; the contract
//    suite took 34 s instead of 6): tcp_nodelay=1 on the frontend.
//  - Ceph 16.2 (Debian 12) answers CompleteMultipartUpload with an empty <ETag>; HEAD and
//    GET return the right "md5-N" ETag.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, makeTempDir, missingTools, run, sleep, track } from './clients/process.ts';

/** What the launcher runs; Debian 12 ships them in ceph-mon, ceph-osd, radosgw and ceph-common. */
export const CEPH_TOOLS = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool'] as const;

/** The most a boot may take before it is reported as failed (it takes ~2.5 s on an idle 2-core box). */
export const CEPH_BOOT_TIMEOUT_MS = 120_000;

export interface CephRgw {
  /** http://127.0.0.1:PORT, path-style (a Host of BUCKET.localhost:PORT selects the bucket too). */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
  /** The region to sign with; RGW's default zone group accepts any. */
  readonly region: string;
  /** Where the whole cluster lives; logs are in DIR/log. */
  readonly dir: string;
  /** The daemons' PIDs (monitor, OSD, radosgw): the only processes stop() ends. */
  readonly pids: readonly number[];
  /** Milliseconds each boot step took, and `total`. */
  readonly timings: Readonly<Record<string, number>>;
  /** Ends the daemons (radosgw, OSD, monitor, in that order) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

export interface CephRgwOptions {
  readonly bucket?: string;
  readonly region?: string;
  /** Size of the sparse BlueStore block file. Real disk use is the data stored. */
  readonly osdSizeBytes?: number;
  readonly timeoutMs?: number;
}

interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  /** Set when the executable could not be started at all. */
  spawnError?: Error;
}

const GiB = 1024 ** 3;

/** The ceph.conf of a cluster living in `dir`. */
export function cephConf(settings: { fsid: string; dir: string; monPort: number; rgwPort: number; osdSizeBytes: number }): string {
  const { fsid, dir, monPort, rgwPort, osdSizeBytes } = settings;
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
keyring = ${dir}/keyring
run dir = ${dir}/run
crash dir = ${dir}/crash
log file = ${dir}/log/$name.log
admin socket =
pid file =
log to stderr = false
err to stderr = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
mon osd full ratio = .99
mon osd backfillfull ratio = .99
mon osd nearfull ratio = .99
osd failsafe full ratio = .995

[mon]
mon data = ${dir}/mon.$id
mon cluster log file = ${dir}/log/cluster.log
paxos propose interval = 0.01
paxos min wait = 0.01

[osd]
osd data = ${dir}/osd.$id
osd objectstore = bluestore
bluestore block create = true
bluestore block size = ${osdSizeBytes}
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mount = false
bdev aio poll ms = 20
osd memory target = ${1 * GiB}
osd crush update on start = true

[client.rgw.s3]
ms mon client mode = crc
rgw data = ${dir}/rgw
rgw frontends = beast endpoint=127.0.0.1:${rgwPort} tcp_nodelay=1
rgw dns name = localhost
rgw thread pool size = 32
rgw dynamic resharding = false
rgw enable usage log = false
objecter tick interval = 0.2
`;
}

/** Boots a fresh cluster; on failure nothing it started is left running and the error carries the log tails. */
export async function startCephRgw(options: CephRgwOptions = {}): Promise<CephRgw> {
  const began = performance.now();
  const deadline = Date.now() + (options.timeoutMs ?? CEPH_BOOT_TIMEOUT_MS);
  const timings: Record<string, number> = {};
  let mark = began;
  const step = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };

  const dir = await makeTempDir('berth-ceph-');
  const conf = join(dir, 'ceph.conf');
  const daemons: Daemon[] = [];
  const cluster = { dir, daemons, stopped: undefined as Promise<void> | undefined };
  liveClusters.add(cluster);
  installExitHook();
  const stop = (): Promise<void> => (cluster.stopped ??= stopCluster(cluster));

  // The ceph tools read CEPH_CONF / CEPH_ARGS; ours get our configuration only.
  const env = { ...process.env };
  delete env.CEPH_CONF;
  delete env.CEPH_ARGS;
  const tool = (file: string, args: string[]) =>
    run(file, ['-c', conf, ...args], { env, timeoutMs: Math.max(1_000, deadline - Date.now()) });
  const startDaemon = (name: string, file: string, args: string[]): void => {
    const log = openSync(join(dir, 'log', `${name}.out`), 'a');
    try {
      // -f: stay in the foreground, so the PID we hold is the daemon's
      const child = spawn(file, ['-c', conf, ...args, '-f'], { env, stdio: ['ignore', log, log] });
      track(child);
      const daemon: Daemon = { name, child };
      child.once('error', (error) => (daemon.spawnError = error));
      daemons.push(daemon);
    } finally {
      closeSync(log);
    }
  };

  try {
    await Promise.all(['run', 'log', 'crash', 'rgw', 'mon.a', 'osd.0'].map((sub) => mkdir(join(dir, sub))));
    await writeFile(join(dir, 'keyring'), ''); // with auth "none" the tools still want the file
    const fsid = randomUUID();
    const monPort = await freePort();
    const rgwPort = await freePort();
    await writeFile(conf, cephConf({ fsid, dir, monPort, rgwPort, osdSizeBytes: options.osdSizeBytes ?? 20 * GiB }));

    await run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, join(dir, 'monmap')], { env });
    await tool('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')]);
    startDaemon('mon.a', 'ceph-mon', ['-i', 'a']);
    step('mon');

    // The monitor hands out the OSD's id; the only OSD of a fresh cluster is 0.
    const osdUuid = randomUUID();
    const osdId = (await tool('ceph', ['osd', 'new', osdUuid])).stdout.trim();
    step('osd id');
    assert.equal(osdId, '0', `ceph osd new answered ${JSON.stringify(osdId)}`);
    await tool('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    startDaemon('osd.0', 'ceph-osd', ['-i', '0']);
    step('osd mkfs');

    // radosgw creates its pools as soon as the OSD is up; no need to wait for it first.
    startDaemon('rgw', 'radosgw', ['-n', 'client.rgw.s3']);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitForS3(endpoint, daemons, deadline);
    step('rgw pools');

    const accessKeyId = randomBytes(10).toString('hex').toUpperCase();
    const secretAccessKey = randomBytes(30).toString('base64');
    await tool('radosgw-admin', ['user', 'create', '--uid=berth-test', '--display-name=Berth tests', `--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`]);
    const bucket = options.bucket ?? 'berth-test';
    const region = options.region ?? 'us-east-1';
    const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      client.destroy();
    }
    step('user and bucket');
    timings.total = Math.round(performance.now() - began);

    const pids = daemons.map((daemon) => daemon.child.pid).filter((pid) => pid !== undefined);
    return { endpoint, accessKeyId, secretAccessKey, bucket, region, dir, pids, timings, stop };
  } catch (error) {
    const logs = await logTails(dir);
    await stop();
    throw new Error(`Ceph RGW did not start: ${error instanceof Error ? error.message : String(error)}\n${logs}`, { cause: error });
  }
}

/** Resolves once radosgw answers HTTP (an anonymous ListBuckets); rejects if a daemon dies first. */
async function waitForS3(endpoint: string, daemons: readonly Daemon[], deadline: number): Promise<void> {
  for (;;) {
    const dead = daemons.find((daemon) => daemon.spawnError || !isRunning(daemon.child));
    if (dead) throw new Error(`${dead.name} ${dead.spawnError ? `could not start: ${dead.spawnError.message}` : `exited (${dead.child.exitCode ?? dead.child.signalCode})`}`);
    try {
      const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`radosgw did not answer on ${endpoint} in time`);
    await sleep(200);
  }
}

interface LiveCluster {
  readonly dir: string;
  readonly daemons: Daemon[];
  stopped: Promise<void> | undefined;
}

const liveClusters = new Set<LiveCluster>();
let exitHookInstalled = false;

/** If a test process ends without stop(), its clusters go with it (daemons killed, directories removed). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const cluster of liveClusters) {
      for (const { child } of cluster.daemons) if (isRunning(child)) child.kill('SIGKILL');
      rmSync(cluster.dir, { recursive: true, force: true });
    }
  });
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

const STOP_GRACE_MS = 10_000;

async function stopCluster(cluster: LiveCluster): Promise<void> {
  // Reverse start order: radosgw and the OSD still reach the monitor while they shut down.
  for (const { child, spawnError } of [...cluster.daemons].reverse()) {
    if (spawnError || !isRunning(child)) continue;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  await rm(cluster.dir, { recursive: true, force: true });
  liveClusters.delete(cluster);
}

async function logTails(dir: string): Promise<string> {
  const tails: string[] = [];
  for (const name of ['mon.a.log', 'osd.0.log', 'client.rgw.s3.log', 'mon.a.out', 'osd.0.out', 'rgw.out']) {
    const text = await readFile(join(dir, 'log', name), 'utf8').catch(() => '');
    if (text.trim()) tails.push(`--- ${name} (tail) ---\n${text.trim().split('\n').slice(-15).join('\n')}`);
  }
  return tails.join('\n');
}

/** Why Ceph tests cannot run here (a skip reason), or false. Under CI a missing tool throws instead. */
export function cephRgwSkipReason(): string | false {
  const missing = missingTools(...CEPH_TOOLS);
  return missing.length > 0 && `Ceph is not installed (missing ${missing.join(', ')}; Debian: apt-get install ceph-mon ceph-osd radosgw ceph-common)`;
}

/**
 * A describe() whose tests share one Ceph RGW, booted before them and stopped after them.
 * `body` registers tests (and nested suites) as describe's callback would; it gets an
 * accessor because the cluster only exists once the suite runs.
 */
export function describeOnCephRgw(title: string, body: (rgw: () => CephRgw) => void, options: CephRgwOptions = {}): void {
  describe(title, { skip: cephRgwSkipReason() }, () => {
    let rgw: CephRgw | undefined;
    before(async () => {
      rgw = await startCephRgw(options);
    }, { timeout: (options.timeoutMs ?? CEPH_BOOT_TIMEOUT_MS) + 10_000 });
    after(async () => {
      await rgw?.stop();
    });
    body(() => {
      assert.ok(rgw, 'the Ceph RGW cluster did not start');
      return rgw;
    });
  });
}
