// Starting the two registries under test, each on a fresh data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { berthMain, berthNodeFlags, projectRoot } from '../../test/helpers/berth-process.ts';
import { administratorKey, loginWithKey } from '../../test/helpers/registry-login.ts';
import type { ServerStorage } from './s3-backend.ts';

export type ServerKind = 'berth' | 'distribution';

export interface ServerHandle {
  readonly kind: ServerKind;
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  readonly logs: string[];
  /** What the bench logs in with (Berth's administrator, as a user would after `docker login`). */
  readonly authorization?: string;
  stop(): Promise<void>;
}

export const DISTRIBUTION_BIN = process.env.BENCH_DISTRIBUTION_BIN ?? '/usr/bin/docker-registry';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once GET /v2/ answers at all (200, or 401 for a registry with auth). */
async function waitForV2(url: string, child: ChildProcess, logs: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before serving:\n${logs.join('\n')}`);
    }
    const status = await new Promise<number>((resolve) => {
      const req = http.get(`${url}/v2/`, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.setTimeout(1000, () => req.destroy());
    });
    if (status === 200 || status === 401) return;
    if (Date.now() > deadline) throw new Error(`server at ${url} not ready after ${timeoutMs} ms:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function collectLogs(child: ChildProcess, onLine?: (line: string) => void): string[] {
  const logs: string[] = [];
  const push = (line: string) => {
    if (logs.length < 2000) logs.push(line);
    onLine?.(line);
  };
  createInterface({ input: child.stdout! }).on('line', push);
  createInterface({ input: child.stderr! }).on('line', push);
  return logs;
}

function stopper(child: ChildProcess, dataDir: string, keepData: boolean): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (!keepData) await rm(dataDir, { recursive: true, force: true });
  };
}

/** Environment for a child: ours plus `changes`, where undefined removes a variable. */
function childEnv(changes: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export async function startDistribution(workDir: string, keepData = false, storage?: ServerStorage): Promise<ServerHandle> {
  if (storage && storage.kind !== 'distribution') throw new Error(`storage for ${storage.kind} given to Distribution`);
  const dataDir = join(workDir, 'data');
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const configPath = join(workDir, 'config.yml');
  // Filesystem storage (or the S3 driver the backend describes) with deletes enabled,
  // warn-level logs, no access log (Berth runs at warn too), and no background upload
  // purging during the benchmark.
  await writeFile(
    configPath,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      ...(storage?.storageYaml ?? ['  filesystem:', `    rootdirectory: ${JSON.stringify(dataDir)}`]),
      '  delete:',
      '    enabled: true',
      '  cache:',
      '    blobdescriptor: inmemory',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      '',
    ].join('\n'),
  );
  const child = spawn(DISTRIBUTION_BIN, ['serve', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(storage ? { env: childEnv(storage.env) } : {}),
  });
  const logs = collectLogs(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child, workDir, keepData);
  try {
    await waitForV2(url, child, logs, 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { kind: 'distribution', url, pid: child.pid!, dataDir, logs, stop };
}

export async function startBerth(workDir: string, keepData = false, extraArgs: string[] = [], storage?: ServerStorage): Promise<ServerHandle> {
  if (storage && storage.kind !== 'berth') throw new Error(`storage for ${storage.kind} given to Berth`);
  const dataDir = join(workDir, 'data');
  await mkdir(dataDir, { recursive: true });
  // We pick the port ourselves rather than --port 0 + the "listening" log line,
  // because at BERTH_LOG_LEVEL=warn that info line may not be printed.
  const port = await freePort();
  const child = spawn(
    process.execPath,
    // The same Node flags `npm start` uses.
    [...berthNodeFlags, berthMain, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...extraArgs],
    {
      cwd: projectRoot,
      env: childEnv({ ...storage?.env, BERTH_LOG_LEVEL: process.env.BENCH_BERTH_LOG_LEVEL ?? 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs = collectLogs(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child, workDir, keepData);
  try {
    await waitForV2(url, child, logs, 30_000);
    const login = await loginWithKey(url, await administratorKey(dataDir));
    return { kind: 'berth', url, pid: child.pid!, dataDir, logs, stop, authorization: login.authorization };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `storage` (s3 backend) says where the server keeps its data; without it, in workDir. */
export function startServer(kind: ServerKind, workDir: string, keepData = false, berthArgs: string[] = [], storage?: ServerStorage): Promise<ServerHandle> {
  return kind === 'berth' ? startBerth(workDir, keepData, berthArgs, storage) : startDistribution(workDir, keepData, storage);
}

export async function distributionVersion(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(DISTRIBUTION_BIN, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', () => resolve(out.trim()));
    child.on('error', () => resolve('unknown'));
  });
}
